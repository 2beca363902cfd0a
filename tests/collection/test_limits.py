"""How much one upload may hold: rows, cells, sheets, inflated bytes — counted while the file
is streamed, each passed limit a finding that names it and its setting; a rejected upload keeps
its findings and its file, never its cells. Also the template's meta sheet (form version),
macros, and CSV cells longer than the csv module reads."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from filing_factories import LINES, NAME, PERIOD, USCC, clerk, filled_template, make_enterprise
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from shumao.collection.forms import get_form
from shumao.collection.limits import Limits
from shumao.collection.tables import filing_cell, filing_upload
from shumao.collection.upload import read_bytes
from shumao.collection.workflow import contents, uploads
from shumao.web.demo import DemoEnterprise, filing_csv

ROOT = Path(__file__).resolve().parents[2]
DDS_Q = get_form("DDS_Q")


def _synthetic():  # type: ignore[no-untyped-def]
    """benchmarks/_synthetic.py: the generator the deadline benchmark uses too."""
    spec = importlib.util.spec_from_file_location(
        "_synthetic", ROOT / "benchmarks" / "_synthetic.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_synthetic", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def ent(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)


def _codes(
    data: bytes, limits: Limits | None = None, form_id: str = "DDS_Q"
) -> dict[str, list[str]]:
    parsed = read_bytes(data, form=get_form(form_id), filename="f", limits=limits)
    out: dict[str, list[str]] = {}
    for f in parsed.report.findings:
        out.setdefault(f.code, []).append(f"{f.sheet}|{f.message_zh}|{f.message_en}")
    return out


def _csv(lines: int) -> bytes:
    return filing_csv(DemoEnterprise(USCC, NAME, "DSEB05", 100.0 + lines), PERIOD, 1.0)


def test_the_million_row_workbook_is_refused_while_streaming_and_stores_no_cell(
    engine: Engine, ent: None, tmp_path: Path
) -> None:
    """The audit's file: 1,048,576 rows under the quarterly header (13 MB zipped). Before,
    it froze the platform for 360 s and stored 2,096,630 cells for a rejected upload."""
    path = _synthetic().million_row_xlsx(tmp_path / "million.xlsx")
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            path=path,
            filename="million.xlsx",
        )
    assert not done.accepted
    [problem] = done.report.errors
    assert problem.code == "upload-limit-rows" and problem.sheet == "填报表"
    assert "上限为 50,000 行" in problem.message_zh
    assert "SHUMAO_UPLOAD_MAX_ROWS" in problem.message_zh + problem.message_en
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(filing_cell)).scalar_one() == 0
        kept = conn.execute(
            select(filing_upload.c.status, filing_upload.c.cells, filing_upload.c.size)
        ).one()
    assert kept.status == "rejected" and kept.cells == 0 and kept.size == path.stat().st_size
    done_cli = subprocess.run(
        [
            str(Path(sys.executable).with_name("shumao")),
            "validate",
            str(path),
            "--form",
            "DDS_Q",
            "--no-store",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done_cli.returncode == 2 and "upload-limit-rows" in done_cli.stdout  # was 173 s, 3.5 GB


def test_a_rejected_upload_keeps_its_findings_not_its_cells(engine: Engine, ent: None) -> None:
    bad = filled_template(
        lines=[("SI2", "USA", None, 10.0), ("SC1", "JPN", 5.0, None)],
        total=(5, 10, 15),
        cells={"D8": "约100"},
    )
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=bad,
            filename="bad.xlsx",
        )
    assert not done.accepted and done.checked is not None and done.checked.cells().height > 0
    with engine.connect() as conn:
        cells = conn.execute(select(func.count()).select_from(filing_cell)).scalar_one()
        report = contents.get_upload(conn, actor=clerk(), upload_id=done.upload.id).report
    assert cells == 0 and done.upload.cells == 0
    assert {f.cell for f in report.errors} >= {"D8", "B9"}  # the findings stay, located


def test_the_row_limit_on_a_workbook_names_the_sheet_and_the_setting() -> None:
    data = filled_template(lines=LINES * 75)  # 300 lines, rows 8–307 (the template has 207)
    assert "upload-limit-rows" not in _codes(data, Limits(rows=310))
    [text] = _codes(data, Limits(rows=250))["upload-limit-rows"]
    sheet, zh, en = text.split("|")
    assert sheet == "填报表" and "上限为 250 行" in zh and "SHUMAO_UPLOAD_MAX_ROWS" in en


def test_cells_sheets_and_inflated_bytes_have_their_own_limits() -> None:
    data = filled_template()
    assert list(_codes(data, Limits(cells=20))) == ["upload-limit-cells"]
    assert list(_codes(data, Limits(unpacked_bytes=5_000))) == ["upload-limit-unpacked-bytes"]
    book = load_workbook(io.BytesIO(data))
    for i in range(3):
        book.create_sheet(f"extra{i}")
    buf = io.BytesIO()
    book.save(buf)
    [text] = _codes(buf.getvalue(), Limits(sheets=3))["upload-limit-sheets"]
    assert "上限为 3 个" in text and "SHUMAO_UPLOAD_MAX_SHEETS" in text


def test_csv_and_json_rows_are_counted_too() -> None:
    data = _csv(0)
    lines = data.count(b"\n")
    assert "upload-limit-rows" not in _codes(data, Limits(rows=lines + 1))
    assert list(_codes(data, Limits(rows=lines - 2))) == ["upload-limit-rows"]
    assert "upload-limit-cells" in _codes(data, Limits(cells=10))
    payload = {
        "form": "DDS_Q",
        "uscc": USCC,
        "period": PERIOD,
        "lines": [{"product": "SI2", "counterpart_area": "USA", "X": 1}] * 30,
    }
    import json

    assert "upload-limit-rows" in _codes(json.dumps(payload).encode(), Limits(rows=20))


def test_a_form_lowers_the_limits_for_itself() -> None:
    basic = get_form("BASIC_A")
    assert Limits().for_form(basic).rows == 2000 and Limits().for_form(DDS_Q).rows == 50_000
    assert Limits(rows=100).for_form(basic).rows == 100  # never above the setting


def test_the_settings_set_the_limits(tmp_path: Path) -> None:
    from shumao.config import Settings

    s = Settings(
        upload_max_rows=7, upload_max_cells=8, upload_max_sheets=9, upload_max_unpacked_bytes=10
    )
    assert Limits.from_settings(s) == Limits(rows=7, cells=8, sheets=9, unpacked_bytes=10)


def test_a_template_of_another_form_version_is_an_error() -> None:
    book = load_workbook(io.BytesIO(filled_template()))
    meta = book["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "form_version":
            row[1].value = "99"
    buf = io.BytesIO()
    book.save(buf)
    [text] = _codes(buf.getvalue())["upload-wrong-form-version"]
    assert text.split("|")[0] == "_meta" and "99" in text and "当前版本是 1" in text


def test_macros_are_a_warning_and_never_run() -> None:
    data = filled_template()
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 Sub AutoOpen() Shell("calc")')
    parsed = read_bytes(buf.getvalue(), form=DDS_Q, filename="filled.xlsm")
    [warning] = parsed.report.warnings
    assert warning.code == "upload-macros" and "不会运行宏" in warning.message_zh
    assert parsed.report.ok and parsed.sheet is not None  # the values are read as usual


def test_a_ten_megabyte_csv_cell_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    data = _csv(0).replace(b"\n", b'\n"' + b"x" * 10_000_000 + b'",1\n', 1)
    codes = _codes(data)
    assert list(codes) == ["csv-unreadable"]
    assert "field larger than field limit" in codes["csv-unreadable"][0]
    parsed = read_bytes(data, form=DDS_Q, filename="big.csv")
    assert parsed.report.errors[0].row == 2  # the line that holds it
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    shumao = Path(sys.executable).with_name("shumao")
    done = subprocess.run(
        [str(shumao), "validate", str(path), "--form", "DDS_Q", "--no-store"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "csv-unreadable" in done.stdout and "Traceback" not in done.stderr
