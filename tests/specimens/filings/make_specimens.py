"""Write the filing specimen corpus (run from the repository root; output is deterministic but
for the ``_meta`` timestamp of templates)::

    .venv/bin/python tests/specimens/filings/make_specimens.py

Every file is a broken or awkward upload a clerk could send; ``expected.yaml`` says which
findings each must produce. The 100 MB file is not here: the tests make it in a temp dir.

The encrypted workbook is built by hand, because ``msoffcrypto-tool`` is not installed: an
Office-encrypted .xlsx is an OLE compound file (CFB, magic ``D0 CF 11 E0 A1 B1 1A E1``) holding
the streams ``EncryptionInfo`` and ``EncryptedPackage``. ``cfb()`` writes a structurally valid
CFB v3 file (header, FAT, directory with a root entry and the streams) whose
``EncryptionInfo`` starts with the agile-encryption version 4.4 and whose package is random
bytes; that is all the upload check needs to refuse it unopened. The legacy ``.xls`` is the same
container with a ``Workbook`` stream starting with a BIFF8 BOF record.
"""

from __future__ import annotations

import csv
import io
import random
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shumao.collection.forms import get_form
from shumao.collection.templates import Identity, build_template
from shumao.validation import uscc

HERE = Path(__file__).parent
USCC = uscc.make("91320114MA1XXXXX0")
OTHER_USCC = uscc.make("91330108MA2YYYYY0")
NAME = "南京数贸示例软件有限公司"
PERIOD = "2024-Q3"
IDENT = Identity(USCC, NAME, PERIOD)

Line = tuple[Any, Any, Any, Any, Any, Any]
LINES: list[Line] = [
    ("SI2 计算机服务", "USA 美国", 120.5, 10, 130.5, None),
    ("SI2 计算机服务", "JPN 日本", 80.25, None, 80.25, None),
    ("SJ2 专业和管理咨询服务", "DEU 德国", 45, 5.5, 50.5, None),
    ("SK1 视听和相关服务", "SGP 新加坡", 12, 0, 12, "新签合同"),
]
TOTALS = (257.75, 15.5, 273.25)
HEADER = [
    "统一社会信用代码",
    "报告期",
    "服务类别",
    "伙伴国家（地区）",
    "出口（万美元）",
    "进口（万美元）",
    "进出口合计（万美元）",
    "备注",
]


# --- xlsx -------------------------------------------------------------------------------------


def template(form_id: str = "DDS_Q", ident: Identity = IDENT) -> Workbook:
    return build_template(get_form(form_id), ident)


def fill(
    wb: Workbook,
    lines: Sequence[Line] = LINES,
    totals: Sequence[Any] | None = TOTALS,
    first: int = 8,
) -> Workbook:
    ws = wb.worksheets[0]
    if totals is not None:
        for col, value in zip((4, 5, 6), totals, strict=True):
            ws.cell(row=first - 1, column=col, value=value)
    for i, line in enumerate(lines):
        for col, value in enumerate(line, start=2):
            put(ws.cell(row=first + i, column=col), value)
    return wb


def put(cell: Any, value: Any) -> None:
    """Write ``value``; text starting with "=" is written as text, not as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def save(wb: Workbook, name: str) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    (HERE / name).write_bytes(data)
    return data


def with_cached(
    data: bytes, values: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """Give formula cells a saved result, as Excel or WPS do when they save a file.

    openpyxl writes formulas without results; this rewrites the sheet XML so that each named
    cell holds ``<f>…</f><v>result</v>`` with the result type Excel uses (number, ``str`` text
    or ``e`` error).
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == sheet:
                text = body.decode("utf-8")
                for ref, value in values.items():
                    text = _cache_one(text, ref, value)
                body = text.encode("utf-8")
            dst.writestr(item, body)
    return out.getvalue()


def _cache_one(xml: str, ref: str, value: str) -> str:
    pattern = re.compile(rf'<c r="{ref}"([^>]*)>\s*<f>([^<]*)</f>\s*(?:<v\s*/>|<v>\s*</v>)?')
    try:
        float(value)
        kind = ""
    except ValueError:
        kind = ' t="e"' if value.startswith("#") else ' t="str"'

    def repl(m: re.Match[str]) -> str:
        attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
        return f'<c r="{ref}"{attrs}{kind}><f>{m.group(2)}</f><v>{value}</v>'

    new, count = pattern.subn(repl, xml)
    if count != 1:
        raise ValueError(f"formula cell {ref} not found")
    return new


# --- csv -------------------------------------------------------------------------------------------


def csv_text(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def csv_rows(
    lines: Sequence[Line] = LINES,
    totals: Sequence[Any] | None = TOTALS,
    ident: tuple[str, str] = (USCC, PERIOD),
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if totals is not None:
        rows.append([*ident, "合计", "", *totals, ""])
    rows += [[*ident, *line] for line in lines]
    return rows


def write_csv(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def edited(index: int, **changes: Any) -> list[Line]:
    """LINES with line ``index`` changed (keys: product, partner, x, m, t, remark)."""
    keys = ("product", "partner", "x", "m", "t", "remark")
    lines = [list(line) for line in LINES]
    for key, value in changes.items():
        lines[index][keys.index(key)] = value
    return [tuple(line) for line in lines]  # type: ignore[misc]


# --- OLE containers ----------------------------------------------------------------------------------

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb(streams: dict[str, bytes]) -> bytes:
    """A CFB v3 compound file with the given streams (each padded to ≥ 4096 bytes)."""
    bodies = [(name, data.ljust(max(len(data), 4096), b"\0")) for name, data in streams.items()]
    fat = [FATSECT, END]
    starts: list[int] = []
    sector = 2
    for _, data in bodies:
        count = -(-len(data) // 512)
        starts.append(sector)
        fat += [sector + i + 1 for i in range(count - 1)] + [END]
        sector += count
    if len(fat) > 128:
        raise ValueError("one FAT sector only")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack(
            "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0
        )
    )
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(512, b"\xff")
    entries = [_dir_entry("Root Entry", 5, child=1, start=END, size=0)]
    for i, ((name, data), start) in enumerate(zip(bodies, starts, strict=True), start=1):
        right = i + 1 if i < len(bodies) else FREE
        entries.append(_dir_entry(name, 2, right=right, start=start, size=len(data)))
    directory = b"".join(entries).ljust(512, b"\0")
    body = b"".join(data.ljust(-(-len(data) // 512) * 512, b"\0") for _, data in bodies)
    return header + fat_sector + directory + body


def _dir_entry(
    name: str, kind: int, *, child: int = FREE, right: int = FREE, start: int, size: int
) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    return (
        raw.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(raw), kind, 1, FREE, right, child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", start, size)
    )


def encrypted_xlsx() -> bytes:
    rng = random.Random(3)
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 8192) + bytes(rng.getrandbits(8) for _ in range(8192))
    return cfb({"EncryptionInfo": info, "EncryptedPackage": package})


def legacy_xls() -> bytes:
    bof = struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0)
    return cfb({"Workbook": bof + b"\0" * 64})


# --- zips ------------------------------------------------------------------------------------------


def bomb(member_mb: int) -> bytes:
    """A workbook-shaped zip whose sheet inflates to ``member_mb`` MB of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(member_mb):
                member.write(chunk)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "这不是工作簿 / not a workbook")
    return out.getvalue()


# --- the corpus ----------------------------------------------------------------------------------------


def xlsx_cases() -> None:
    save(fill(template()), "ok_template.xlsx")
    save(
        fill(template(ident=Identity(OTHER_USCC, "杭州另一家公司", PERIOD))),
        "another_enterprise.xlsx",
    )
    save(fill(template(ident=Identity(USCC, NAME, "2024-Q2"))), "another_period.xlsx")
    save(fill(template("BASIC_A", Identity(USCC, NAME, "2024"))), "wrong_form_basic_template.xlsx")
    save(
        fill(template(), edited(3, remark='=HYPERLINK("http://evil.example/x","点击查看")')),
        "injection_text_cell.xlsx",
    )
    _formula_text_cell()
    _merged_labels()
    _merged_number()
    _formulas()
    _hidden_sheet()
    _numbers_as_text()
    _unit_cell()
    _wps_style()
    _excel_error()
    _basic_cases()


def _formula_text_cell() -> None:
    wb = fill(template())
    ws = wb.worksheets[0]
    ws["G11"] = '=HYPERLINK("http://evil.example/x","点击查看")'  # a real formula this time
    data = with_cached(save(wb, "injection_formula_cell.xlsx"), {"G11": "点击查看"})
    (HERE / "injection_formula_cell.xlsx").write_bytes(data)


def _merged_labels() -> None:
    lines = [
        ("SI2 计算机服务", "USA 美国", 120.5, 10, 130.5, None),
        (None, "JPN 日本", 80.25, None, 80.25, None),
        ("SJ2 专业和管理咨询服务", "DEU 德国", 45, 5.5, 50.5, None),
        ("SK1 视听和相关服务", "SGP 新加坡", 12, 0, 12, None),
    ]
    wb = fill(template(), lines)
    wb.worksheets[0].merge_cells("B8:B9")
    save(wb, "merged_product_cells.xlsx")


def _merged_number() -> None:
    lines = edited(1, x=None)
    wb = fill(template(), lines)
    wb.worksheets[0].merge_cells("D8:D9")
    save(wb, "merged_number_cells.xlsx")


def _formulas() -> None:
    wb = fill(template())
    ws = wb.worksheets[0]
    for row in range(8, 12):
        ws.cell(row=row, column=6, value=f"=D{row}+E{row}")
    ws["F7"] = "=SUM(F8:F11)"
    data = save(wb, "formulas_without_saved_results.xlsx")
    cached = {"F8": "130.5", "F9": "80.25", "F10": "50.5", "F11": "12", "F7": "273.25"}
    (HERE / "formulas_with_saved_results.xlsx").write_bytes(with_cached(data, cached))


def _hidden_sheet() -> None:
    wb = fill(template())
    wb.worksheets[0].sheet_state = "hidden"
    cover = wb.create_sheet("封面", 0)
    cover["A1"] = "数字服务进出口情况（季度）"
    wb.active = 0
    save(wb, "hidden_data_sheet.xlsx")


def _numbers_as_text() -> None:
    lines = [
        ("SI2 计算机服务", "USA 美国", "1,200.50", "１０", "1,210.50", None),
        ("SJ2 专业和管理咨询服务", "DEU 德国", " 45 ", "5.5 ", "50.5", None),
    ]
    wb = fill(template(), lines, totals=("1,245.50", "15.5", "1,261.00"))
    save(wb, "numbers_stored_as_text.xlsx")


def _unit_cell() -> None:
    lines = [("SI2 计算机服务", "USA 美国", 1205, 100, 1305, None)]
    wb = fill(template(), lines, totals=(1205, 100, 1305))
    wb.worksheets[0]["E4"] = "千美元"
    save(wb, "unit_cell_thousand_usd.xlsx")


def _wps_style() -> None:
    """A sheet a clerk built in WPS: own title, merged identity, wrapped headers, extra column."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws["A1"] = "2024年第三季度数字服务进出口情况表"
    ws.merge_cells("A1:H1")
    ws["A2"] = "统一社会信用代码："
    ws["B2"] = USCC
    ws.merge_cells("B2:D2")
    ws["E2"] = "报告期："
    ws["F2"] = "2024年第三季度"
    ws["A3"] = "单位：万美元"
    header = [
        "序号",
        "服务类别",
        "说明",
        "伙伴国家\n（地区）",
        "出口\n（万美元）",
        "进口\n（万美元）",
        "进出口合计\n（万美元）",
        "备注",
    ]
    for col, text in enumerate(header, start=1):
        ws.cell(row=5, column=col, value=text)
    ws.append([])
    ws.append(["", "合 计", "", "", *TOTALS, ""])
    for n, (product, partner, x, m, t, remark) in enumerate(LINES, start=1):
        ws.append([n, product.split()[1], "", partner.split()[1], x, m, t, remark])
        ws.append([])
    save(wb, "wps_style_sheet.xlsx")


def _excel_error() -> None:
    wb = fill(template())
    wb.worksheets[0]["D10"] = "=1/0"  # a formula whose saved result is #DIV/0!
    data = save(wb, "excel_error_value.xlsx")
    (HERE / "excel_error_value.xlsx").write_bytes(with_cached(data, {"D10": "#DIV/0!"}))


def _basic_fill(values: dict[str, Any]) -> Workbook:
    wb = template("BASIC_A", Identity(USCC, NAME, "2024"))
    ws = wb.worksheets[0]
    rows = {ws.cell(row=r, column=2).value: r for r in range(7, 15)}
    for label, value in values.items():
        put(ws.cell(row=rows[label], column=4), value)
    return wb


BASIC = {
    "营业收入": 52000,
    "从业人员": 130,
    "数字服务出口额": 1030.5,
    "外贸出口额": 2500,
    "填报人": "李明",
    "联系电话": "025-12345678",
}


def _basic_cases() -> None:
    save(_basic_fill(BASIC), "basic_ok.xlsx")
    save(_basic_fill({**BASIC, "数字服务出口额": 3000}), "basic_dds_exceeds_exports.xlsx")
    save(_basic_fill({**BASIC, "从业人员": 130.5}), "basic_employees_not_integer.xlsx")
    save(
        _basic_fill({k: v for k, v in BASIC.items() if k != "营业收入"}),
        "basic_revenue_missing.xlsx",
    )
    wb = _basic_fill(BASIC)
    wb.worksheets[0]["C7"] = "亿元"
    wb.worksheets[0]["D7"] = 5.2
    save(wb, "basic_revenue_in_yi_yuan.xlsx")


def csv_cases() -> None:
    write_csv("ok_plain.csv", csv_text(csv_rows()))
    write_csv("ok_gb18030.csv", csv_text(csv_rows()), "gb18030")
    write_csv("ok_utf8_bom.csv", csv_text(csv_rows()), "utf-8-sig")
    write_csv("ok_utf16.csv", csv_text(csv_rows()), "utf-16")
    (HERE / "wrong_encoding_cp1252.csv").write_bytes(
        csv_text(csv_rows(edited(0, remark="Société Générale € ÿ")))
        .encode("utf-8")
        .replace("Société Générale € ÿ".encode(), "Société Générale € ÿ".encode("cp1252"))
    )
    write_csv("wrong_encoding_utf16_no_bom.csv", csv_text(csv_rows()), "utf-16-le")
    write_csv(
        "injection_hyperlink.csv",
        csv_text(csv_rows(edited(3, remark='=HYPERLINK("http://evil.example/x","点击")'))),
    )
    write_csv(
        "injection_in_code_cell.csv",
        csv_text(csv_rows(edited(0, product='=HYPERLINK("http://evil.example","SI2")'))),
    )
    write_csv(
        "uscc_wrong_check_character.csv",
        csv_text(csv_rows(ident=(USCC[:-1] + ("8" if USCC[-1] != "8" else "9"), PERIOD))),
    )
    write_csv("another_enterprise.csv", csv_text(csv_rows(ident=(OTHER_USCC, PERIOD))))
    write_csv("another_period.csv", csv_text(csv_rows(ident=(USCC, "2024-Q4"))))
    write_csv("period_invalid.csv", csv_text(csv_rows(ident=(USCC, "2024-Q5"))))
    write_csv("period_chinese_form.csv", csv_text(csv_rows(ident=(USCC, "2024年第三季度"))))
    write_csv("fullwidth_digits.csv", csv_text(csv_rows(edited(0, x="１２０．５", t="１３０．５"))))
    write_csv(
        "thousands_separators_quoted.csv",
        csv_text(
            csv_rows(edited(0, x="1,120.5", t="1,130.5"), totals=("1,257.75", 15.5, "1,273.25"))
        ),
    )
    _unquoted_thousands()
    write_csv("trailing_spaces_blank_rows.csv", _spaces_and_blanks())
    write_csv(
        "unit_in_header_usd.csv",
        csv_text(
            csv_rows(
                [("SI2", "USA", 1205000, 100000, 1305000, None)], totals=(1205000, 100000, 1305000)
            ),
            header=[*HEADER[:4], "出口（美元）", "进口（美元）", "进出口合计（美元）", "备注"],
        ),
    )
    write_csv(
        "unit_in_header_cny.csv",
        csv_text(
            csv_rows(
                [("SI2", "USA", 712.17, 71.217, 783.387, None)], totals=(712.17, 71.217, 783.387)
            ),
            header=[*HEADER[:4], "出口（万元）", "进口（万元）", "进出口合计（万元）", "备注"],
        ),
    )
    write_csv(
        "unit_row_above_header_usd.csv",
        "计量单位,美元\r\n"
        + csv_text(
            csv_rows(
                [("SI2", "USA", 1205000, 100000, 1305000, None)], totals=(1205000, 100000, 1305000)
            ),
            header=[*HEADER[:4], "出口", "进口", "进出口合计", "备注"],
        ),
    )
    write_csv(
        "unit_in_header_unknown_kind.csv",
        csv_text(
            csv_rows([("SI2", "USA", 12, 1, 13, None)], totals=(12, 1, 13)),
            header=[*HEADER[:4], "出口（万人）", "进口（万美元）", "进出口合计（万美元）", "备注"],
        ),
    )
    _value_cases()
    _structure_cases()
    _json_cases()


def _unquoted_thousands() -> None:
    text = csv_text(csv_rows())
    lines = text.split("\r\n")
    lines[2] = lines[2].replace("120.5", "1,120.5")
    write_csv("thousands_separators_unquoted.csv", "\r\n".join(lines))


def _spaces_and_blanks() -> str:
    rows = csv_rows()
    padded = [[f" {v} " if isinstance(v, str) and v else v for v in row] for row in rows]
    padded.insert(2, [""] * 8)
    padded.insert(4, [" "] * 8)
    padded.append([""] * 8)
    return csv_text(padded)


def _value_cases() -> None:
    write_csv("text_in_number_cell.csv", csv_text(csv_rows(edited(1, x="约80万"))))
    write_csv(
        "negative_value.csv",
        csv_text(csv_rows(edited(2, m=-5.5, t=39.5), totals=(257.75, 4.5, 262.25))),
    )
    write_csv(
        "value_out_of_range.csv",
        csv_text(
            csv_rows(edited(0, x=200000000, t=200000010), totals=(200000137.25, 15.5, 200000152.75))
        ),
    )
    write_csv("product_unknown.csv", csv_text(csv_rows(edited(0, product="XX9 未知服务"))))
    write_csv("product_not_digital.csv", csv_text(csv_rows(edited(0, product="SC1 海运"))))
    write_csv("partner_unknown.csv", csv_text(csv_rows(edited(1, partner="火星"))))
    write_csv("partner_is_china.csv", csv_text(csv_rows(edited(1, partner="中国"))))
    write_csv("partner_missing.csv", csv_text(csv_rows(edited(1, partner=None))))
    write_csv(
        "both_flows_empty.csv",
        csv_text(
            csv_rows([*LINES, ("SH3 计算机软件复制和分销许可费", "GBR", None, None, None, None)])
        ),
    )
    write_csv(
        "flow_total_mismatch.csv",
        csv_text(csv_rows(edited(2, t=60), totals=(257.75, 15.5, 282.75))),
    )
    write_csv("sum_mismatch.csv", csv_text(csv_rows(totals=(300, 15.5, 315.5))))
    write_csv("totals_missing.csv", csv_text(csv_rows(totals=None)))
    write_csv(
        "duplicate_lines.csv", csv_text(csv_rows([*LINES, LINES[0]], totals=(378.25, 25.5, 403.75)))
    )
    write_csv("remark_too_long.csv", csv_text(csv_rows(edited(3, remark="很" * 201))))


def _structure_cases() -> None:
    write_csv("identity_missing.csv", csv_text([row[2:] for row in csv_rows()], header=HEADER[2:]))
    identity_above = (
        "统一社会信用代码,"
        + USCC
        + "\r\n报告期,2024年三季度\r\n\r\n"
        + csv_text([row[2:] for row in csv_rows()], header=HEADER[2:])
    )
    write_csv("identity_rows_above_header.csv", identity_above)
    write_csv("header_not_found.csv", csv_text([[1, 2, 3]], header=["甲", "乙", "丙"]))
    write_csv("empty.csv", "")
    write_csv("header_only.csv", csv_text([]))
    (HERE / "csv_named_xls.xls").write_bytes(csv_text(csv_rows()).encode("utf-8"))
    (HERE / "encrypted_password.xlsx").write_bytes(encrypted_xlsx())
    (HERE / "legacy_excel_97.xls").write_bytes(legacy_xls())
    (HERE / "zip_bomb_300mb.xlsx").write_bytes(bomb(300))
    (HERE / "zip_bomb_ratio.xlsx").write_bytes(bomb(60))
    (HERE / "broken_zip.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (HERE / "zip_not_workbook.xlsx").write_bytes(plain_zip())


def _json_cases() -> None:
    import json

    lines = [
        {"product": "SI2", "counterpart_area": "USA", "X": 120.5, "M": 10, "T": 130.5},
        {"服务类别": "计算机服务", "伙伴国家（地区）": "日本", "出口": 80.25, "进出口合计": 80.25},
        {"product": "SJ2", "counterpart_area": "DEU", "X": 45, "M": 5.5, "T": 50.5},
        {
            "product": "SK1",
            "counterpart_area": "SGP",
            "X": 12,
            "M": 0,
            "T": 12,
            "remark": "新签合同",
        },
    ]
    doc = {
        "form": "DDS_Q",
        "uscc": USCC,
        "period": PERIOD,
        "lines": lines,
        "totals": {"X": 257.75, "M": 15.5, "T": 273.25},
    }
    write_csv("ok_api.json", json.dumps(doc, ensure_ascii=False, indent=1))
    write_csv("json_truncated.json", json.dumps(doc, ensure_ascii=False)[:150])
    write_csv("json_wrong_shape.json", json.dumps({**doc, "lines": {"a": 1}}, ensure_ascii=False))


CASES: list[Callable[[], None]] = [xlsx_cases, csv_cases]

if __name__ == "__main__":
    for make in CASES:
        make()
