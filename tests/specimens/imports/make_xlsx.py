"""Regenerate the specimens whose bytes matter: workbooks, a legacy .xls and encoded CSVs.

Run from anywhere: ``.venv/bin/python tests/specimens/imports/make_xlsx.py``. The output is
committed; this script documents how each file was made. The plain UTF-8 CSVs are committed as
written (they are easier to read than any script that would make them).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = ["统一社会信用代码", "企业名称", "伙伴国家", "服务类别", "流向", "期间", "金额"]
A, B = "91110108MA01ABCDEN", "91310000MA1FL1234Q"
ROWS = [
    [A, "北京数贸科技有限公司", "USA", "SI2", "出口", "2023-Q1", 1200.5],
    [A, "北京数贸科技有限公司", "JPN", "SI2", "出口", "2023-Q1", 300],
    [B, "上海云服务有限公司", "DEU", "SI3", "出口", "2023-Q1", 800],
]
FIXED_TIME = datetime(2024, 1, 1)


def _book() -> Workbook:
    book = Workbook()
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    return book


def ok_sheet2(path: Path) -> None:
    """Notes on the first sheet, the data on the second sheet 数据 (named in the mapping)."""
    book = _book()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["填报说明：金额单位为万美元；数据在“数据”工作表。"])
    data = book.create_sheet("数据")
    data.append(HEADER)
    for row in ROWS:
        data.append(row)
    book.save(path)


def missing_sheet(path: Path) -> None:
    """Data on a sheet called Sheet1 while the mapping asks for 数据."""
    book = _book()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(path)


def error_cells(path: Path) -> None:
    """G3 holds #DIV/0!, G4 a formula saved without a calculated value."""
    book = _book()
    sheet = book.active
    assert sheet is not None
    sheet.title = "数据"
    sheet.append(HEADER)
    sheet.append(ROWS[0])
    sheet.append([*ROWS[1][:6], "#DIV/0!"])
    sheet.append([*ROWS[2][:6], "=G2*2"])
    book.save(path)


def legacy_xls(path: Path) -> None:
    """An OLE compound file header, as a legacy .xls (or an encrypted .xlsx) starts."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


CSV_TEXT = (
    "\n".join(
        [
            ",".join(HEADER),
            f"{A},北京数贸科技有限公司,美国,计算机服务,出口,2023-Q2,150",
            f"{A},北京数贸科技有限公司,日本,信息服务,出口,2023-Q2,75.5",
            f"{B},上海云服务有限公司,德国,专业和管理咨询服务,进口,2023-Q2,20",
        ]
    )
    + "\n"
)


def encoded_csvs() -> None:
    (HERE / "ok_bom.csv").write_bytes(b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"))
    (HERE / "ok_gb18030.csv").write_bytes(CSV_TEXT.encode("gb18030"))
    # \x80 and \xff are invalid in UTF-8 and in GB18030 alike
    bad = CSV_TEXT.encode("utf-8").replace("美国".encode(), b"\x80\xff\x80")
    (HERE / "undecodable.csv").write_bytes(bad)


def main() -> None:
    ok_sheet2(HERE / "ok_sheet2.xlsx")
    ok_sheet2(HERE / "ok_xlsx_named_csv.csv")  # an .xlsx whatever the name says
    missing_sheet(HERE / "missing_sheet.xlsx")
    error_cells(HERE / "xlsx_error_cell.xlsx")
    legacy_xls(HERE / "legacy.xls")
    encoded_csvs()


if __name__ == "__main__":
    main()
