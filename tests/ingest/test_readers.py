"""Readers: encodings, row numbers a person sees, ragged rows, workbooks and their quirks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from shumao.ingest.readers import ROW, decode, read_csv, read_table, read_xlsx
from shumao.validation.findings import Report

SPECIMENS = Path(__file__).parents[1] / "specimens" / "imports"


def csv_file(tmp_path: Path, data: bytes | str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def rows(table: object) -> list[dict[str, object]]:
    return table.frame.to_dicts()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("名称,金额\n".encode(), None),
        (b"\xef\xbb\xbf" + "名称,金额\n".encode(), "encoding-bom"),
        ("名称,金额\n".encode("gb18030"), "encoding-gb18030"),
        (b"\xef\xbb\xbf" + "名称,金额\n".encode("gb18030"), "encoding-gb18030"),
    ],
)
def test_decode(data: bytes, code: str | None) -> None:
    report = Report()
    text = decode(data, report, "f.csv")
    assert text is not None and text.lstrip("\ufeff") == "名称,金额\n"
    assert code is None or code in report.codes


@pytest.mark.parametrize(
    ("data", "codes"),
    [
        ("名称,金额\n浙江,1\n".encode(), set()),
        (b"\xef\xbb\xbf" + "名称,金额\n浙江,1\n".encode(), {"encoding-bom"}),
        ("名称,金额\n浙江,1\n".encode("gb18030"), {"encoding-gb18030"}),
        (
            b"\xef\xbb\xbf" + "名称,金额\n浙江,1\n".encode("gb18030"),
            {"encoding-bom", "encoding-gb18030"},
        ),
    ],
)
def test_read_csv_in_every_encoding(tmp_path: Path, data: bytes, codes: set[str]) -> None:
    report = Report()
    table = read_csv(csv_file(tmp_path, data), report)
    assert table is not None and table.columns == ["名称", "金额"]
    assert rows(table) == [{"名称": "浙江", "金额": "1", ROW: 2}]
    assert report.codes == codes


def test_utf8_is_read_once_not_decoded_to_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UTF-8 file goes to the parser as the bytes it is: no Python text is made of it (that
    decode and the encode back took 14 % of a 1 M-row import); only GB18030 is decoded."""
    from shumao.ingest import readers

    def refuse(*_: object) -> None:
        raise AssertionError("a UTF-8 file was decoded to text")

    monkeypatch.setattr(readers, "decode", refuse)
    table = read_csv(csv_file(tmp_path, "名称,金额\n浙江,1\n"), Report())
    assert table is not None and rows(table)[0]["名称"] == "浙江"


def test_undecodable_bytes_name_the_line() -> None:
    report = Report()
    assert decode(b"a,b\n1,2\n3,\x80\xff\n", report, "f.csv") is None
    [found] = report.findings
    assert (found.code, found.row) == ("encoding-undecodable", 3)
    assert "80 ff" in found.message_zh and "80 ff" in found.message_en


def test_row_numbers_count_blank_lines_and_title_rows(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "标题,\n说明,\n名称,金额\na,1\n\nb,2\n,\nc,3\n")
    table = read_csv(path, Report(), skip_rows=2)
    assert table is not None and table.header_row == 3
    assert [(r[ROW], r["名称"]) for r in rows(table)] == [(4, "a"), (6, "b"), (8, "c")]


def test_multi_line_cell_is_one_row_as_in_excel(tmp_path: Path) -> None:
    path = csv_file(tmp_path, '名称,金额\n"第一行\n第二行",1\nb,2\n')
    table = read_csv(path, Report())
    assert table is not None
    assert [(r[ROW], r["名称"]) for r in rows(table)] == [(2, "第一行\n第二行"), (3, "b")]


def test_crlf_and_cell_spaces(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "名称 , 金额\r\n  a  ,\u30001\u3000\r\n")
    table = read_csv(path, Report())
    assert table is not None and table.columns == ["名称", "金额"]
    assert rows(table) == [{ROW: 2, "名称": "a", "金额": "1"}]


def test_header_spaces_and_line_breaks_collapse(tmp_path: Path) -> None:
    path = csv_file(tmp_path, '"金额\n（万美元）","伙伴  国家",\n1,USA,\n')
    table = read_csv(path, Report())
    assert table is not None and table.columns == ["金额 （万美元）", "伙伴 国家", "column_3"]


def test_ragged_rows_are_refused_with_the_extra_cell(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "名称,金额\na,1\nb,1,234.5\nc,3,\nd,4,,\n")
    report = Report()
    read_csv(path, report)
    [found] = report.findings  # trailing empty cells (rows c, d) are not extra data
    assert (found.code, found.row, found.cell, found.value) == ("row-ragged", 3, "C3", "234.5")


def test_duplicate_headers_are_reported_at_their_cell(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "金额,名称,金额\n1,a,2\n")
    report = Report()
    table = read_csv(path, report)
    assert table is not None and table.columns == ["金额", "名称", "金额"]
    [found] = report.findings
    assert (found.code, found.column, found.cell) == ("column-duplicate", "金额", "C1")


@pytest.mark.parametrize("data", [b"", b"\n\n", b" \r\n", "名称,金额\n".encode(), b",,\n,,\n"])
def test_files_without_data_rows_are_empty(tmp_path: Path, data: bytes) -> None:
    report = Report()
    assert read_table(csv_file(tmp_path, data), report) is None
    assert report.codes == {"file-empty"}


def test_read_table_goes_by_content_not_name(tmp_path: Path) -> None:
    report = Report()
    table = read_table(SPECIMENS / "ok_xlsx_named_csv.csv", report, sheet="数据")
    assert table is not None and table.sheet == "数据" and report.ok
    assert read_table(csv_file(tmp_path, "a,b\n1,2\n", "data.xlsx"), report) is not None


def test_legacy_xls_is_refused(tmp_path: Path) -> None:
    report = Report()
    assert read_table(SPECIMENS / "legacy.xls", report) is None
    assert report.codes == {"file-format"} and ".xlsx" in report.findings[0].message_zh


def test_missing_file(tmp_path: Path) -> None:
    report = Report()
    assert read_table(tmp_path / "nope.csv", report) is None
    assert report.codes == {"file-not-found"}


def test_xlsx_sheet_and_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "数据"
    sheet["A1"], sheet["B1"] = "标题", None
    sheet.append(["名称", "金额", "期间"])
    sheet.append(["a", 1.5, 2023])
    sheet.append([None, None, None])
    sheet.append(["b", 20, "2023-Q1"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    report = Report()
    table = read_xlsx(path, report, sheet="数据", skip_rows=1)
    assert table is not None and report.ok and table.header_row == 2
    assert rows(table) == [
        {ROW: 3, "名称": "a", "金额": "1.5", "期间": "2023"},
        {ROW: 5, "名称": "b", "金额": "20", "期间": "2023-Q1"},
    ]


def test_xlsx_error_values_and_uncalculated_formulas_read_as_shown() -> None:
    report = Report()
    table = read_xlsx(SPECIMENS / "xlsx_error_cell.xlsx", report)
    assert table is not None
    assert [(r[ROW], r["金额"]) for r in rows(table)] == [
        (2, "1200.5"),
        (3, "#DIV/0!"),
        (4, "=G2*2"),
    ]


def test_xlsx_missing_sheet_lists_the_sheets() -> None:
    report = Report()
    assert read_xlsx(SPECIMENS / "missing_sheet.xlsx", report, sheet="数据") is None
    [found] = report.findings
    assert (found.code, found.value) == ("sheet-missing", "数据") and "Sheet1" in found.message_en


def test_corrupt_xlsx_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    report = Report()
    assert read_table(path, report) is None
    assert report.codes == {"file-format"}


def test_reading_a_csv_does_not_load_pandas(tmp_path: Path) -> None:
    """An import command reads its CSV without pandas: checking the bytes are UTF-8 used to
    build Arrow's offsets with ``pa.array``, whose first call imports pandas (0.2–0.4 s of
    the command's start). Run in a fresh interpreter, where nothing imported it before."""
    path = tmp_path / "t.csv"
    path.write_text("地区,金额\n北京,1.5\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from shumao.ingest.readers import read_table; "
        "from shumao.validation.findings import Report; "
        f"table = read_table(Path({str(path)!r}), Report(source='t')); "
        "print(table.frame.height, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "False"]
