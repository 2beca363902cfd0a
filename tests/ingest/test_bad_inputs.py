"""The import corpus: each specimen in tests/specimens/imports gives exactly the findings that
expected.yaml lists for it; a rejected file leaves the store as it was.

Every test first loads ``baseline.csv`` so that a rejected import has something to lose.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import ImportResult, run_import
from shumao.ingest.sources.sdmx_csv import SDMX_COLUMNS
from shumao.query import select as query
from shumao.storage.tables import DIMENSIONS, observation, series, vintage
from shumao.validation.findings import CATALOGUE_FILE, Finding, Severity

SPECIMENS = Path(__file__).parents[1] / "specimens" / "imports"
EXPECTED = yaml.safe_load((SPECIMENS / "expected.yaml").read_text(encoding="utf-8"))
CASES = EXPECTED["cases"]
BASELINE = EXPECTED["baseline"]
SHUMAO = Path(sys.executable).with_name("shumao")

CELL_CODES = {
    "value-not-number",
    "value-negative",
    "value-normalised",
    "value-missing-status",
    "period-normalised",
    "unit-mult-invalid",
    "row-ragged",
    "action-unsupported",
    "unit-conflict",
    "column-duplicate",
    "dataflow-unknown",
    "uscc-invalid",
    "period-freq-mismatch",
}
"""Codes about one cell, raised where the column's position is known: they name the cell."""
ROW_CODES = CELL_CODES | {"code-unknown", "period-invalid", "value-missing", "key-duplicate"}
"""Codes about a row: they name the row and (but for key-duplicate) the column or the cell."""


def _run(engine: Engine, spec: dict[str, Any]) -> ImportResult:
    options = {"mapping": SPECIMENS / spec["mapping"]} if "mapping" in spec else {}
    return run_import(engine, spec.get("source", "tidy"), SPECIMENS / spec["file"], options=options)


def _dataflow(spec: dict[str, Any]) -> str:
    if "dataflow" in spec:
        return str(spec["dataflow"])
    mapping = yaml.safe_load((SPECIMENS / spec["mapping"]).read_text(encoding="utf-8"))
    return str(mapping["dataflow"])


def store_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (observation, series, vintage)
        }


def stored(engine: Engine, flow: str, want: dict[str, Any]) -> dict[str, Any]:
    """The one stored observation with the dimensions and period of ``want``."""
    where = {d: [str(want[d])] for d in DIMENSIONS if d in want}
    frame = query(engine, flow, where=where)
    rows = frame.filter(frame["time_period"] == str(want["time_period"])).to_dicts()
    assert len(rows) == 1, f"expected one observation for {want}, found {rows}"
    return rows[0]


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    """The test's store holding the baseline vintage."""
    result = _run(engine, BASELINE)
    assert result.rows == BASELINE["rows"]
    return engine


def _header_fields(spec: dict[str, Any]) -> dict[str, str]:
    """Header in the file → field name. The pipeline's shared checks (codes, periods) name the
    field (``counterpart_area``) where the importer names the header (``伙伴国家``)."""
    if spec.get("source") == "sdmx-csv":
        return dict(SDMX_COLUMNS)
    try:
        mapping = yaml.safe_load((SPECIMENS / spec["mapping"]).read_text(encoding="utf-8"))
    except (KeyError, OSError, yaml.YAMLError):  # the broken mapping specimens
        return {}
    return {str(h): str(f) for f, h in ((mapping or {}).get("columns") or {}).items()}


def _matches(found: Finding, want: dict[str, Any], fields: dict[str, str]) -> bool:
    for key, expected in want.items():
        if key == "message_contains":  # one text in both messages, or [Chinese, English]
            zh, en = expected if isinstance(expected, list) else (expected, expected)
            ok = zh in found.message_zh and en in found.message_en
        elif key == "column":
            ok = found.column in (expected, fields.get(expected))
        elif key == "severity":
            ok = found.severity is Severity(expected)
        else:
            ok = getattr(found, key) == expected
        if not ok:
            return False
    return True


def _check_findings(findings: list[Finding], spec: dict[str, Any]) -> None:
    assert {f.code for f in findings} == set(spec["codes"])
    fields = _header_fields(spec)
    for want in spec.get("findings", []):
        assert any(_matches(f, want, fields) for f in findings), (
            f"no finding matches {want}; found:\n" + "\n".join(f.text() for f in findings)
        )
    for f in findings:
        _check_well_formed(f, spec)


def _check_well_formed(f: Finding, spec: dict[str, Any]) -> None:
    """Where, what and how to fix, in Chinese and in English."""
    assert f.file in (spec["file"], spec.get("mapping")), f.text()
    assert re.search(r"[\u4e00-\u9fff]", f.message_zh + f.fix_zh), f.text()
    assert re.search(r"[A-Za-z]{3}", f.message_en) and f.fix_en, f.text()
    if f.code in ROW_CODES:
        assert f.row is not None and (f.column or f.cell or f.code == "key-duplicate"), f.text()
    if f.code in CELL_CODES and f.row is not None:
        assert f.cell.endswith(str(f.row)) and f.cell[0].isalpha(), f.text()


@pytest.mark.parametrize("spec", [c for c in CASES if c["accept"]], ids=lambda c: c["id"])
def test_accepted_specimen_is_stored(loaded: Engine, spec: dict[str, Any]) -> None:
    before = store_counts(loaded)
    result = _run(loaded, spec)
    assert result.rows == spec["rows"]
    _check_findings(result.report.findings, spec)
    after = store_counts(loaded)
    assert after["vintage"] == before["vintage"] + 1
    assert after["observation"] == before["observation"] + spec["rows"]
    flow = _dataflow(spec)
    for want in spec["values"]:
        got = stored(loaded, flow, want)
        assert got["vintage_id"] == result.vintage_id
        if want["value"] is None:
            assert got["value"] is None
        else:
            assert got["value"] == pytest.approx(want["value"])
        for key in ("unit", "unit_mult", "obs_status"):
            if key in want:
                assert got[key] == want[key]
        if "name" in want:
            assert json.loads(got["attrs"])["name"] == want["name"]


@pytest.mark.parametrize("spec", [c for c in CASES if not c["accept"]], ids=lambda c: c["id"])
def test_rejected_specimen_writes_nothing(loaded: Engine, spec: dict[str, Any]) -> None:
    before = store_counts(loaded)
    with pytest.raises(ImportRejected) as rejected:
        _run(loaded, spec)
    report = rejected.value.report
    assert not report.ok
    _check_findings(report.findings, spec)
    assert store_counts(loaded) == before
    assert stored(loaded, "ENT_DDS", BASELINE["value"])["value"] == BASELINE["value"]["value"]


def test_catalogue_entries_are_complete() -> None:
    """Every code of catalogue.yaml has a severity, a message and a fix in both languages."""
    for code, entry in yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8")).items():
        assert entry["severity"] in {s.value for s in Severity}, code
        for key in ("zh", "en", "fix_zh", "fix_en"):
            assert isinstance(entry.get(key), str) and entry[key].strip(), (code, key)
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"] + entry["fix_zh"]), code


def test_corpus_covers_every_file() -> None:
    """Every specimen file is listed, and there are enough of them."""
    listed = {c["file"] for c in CASES} | {c.get("mapping") for c in CASES} | {BASELINE["file"]}
    present = {p.name for p in SPECIMENS.iterdir() if p.is_file()} - {
        "expected.yaml",
        "make_xlsx.py",
    }
    assert present - listed == set()
    assert len({c["file"] for c in CASES}) >= 25


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHUMAO), "import", "tidy", *args, "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_rejection_prints_both_languages_and_rows(
    cli_env: dict[str, str], loaded: Engine
) -> None:
    before = store_counts(loaded)
    done = _cli(
        cli_env, str(SPECIMENS / "duplicate_keys.csv"), "--mapping", str(SPECIMENS / "ent_dds.yaml")
    )
    assert done.returncode == 2, done.stderr
    key = "91110108MA01ABCDEN/USA/SI2/X/Q/2023-Q1"
    assert "[duplicate_keys.csv · 第2行 row 2]" in done.stdout
    assert f"重复的数据键：{key} 同时出现在第 2、4 行" in done.stdout
    assert f"duplicate key {key} on rows 2、4" in done.stdout
    assert "修改建议：" in done.stdout and "How to fix:" in done.stdout
    message = " ".join(done.stderr.split())  # the console may wrap long lines
    assert "未写入任何数据" in message and "nothing was written" in message
    assert store_counts(loaded) == before


def test_cli_json_report(cli_env: dict[str, str], loaded: Engine) -> None:
    done = _cli(
        cli_env,
        str(SPECIMENS / "text_in_number.csv"),
        "--mapping",
        str(SPECIMENS / "ent_dds.yaml"),
        "--json",
    )
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False
    cells = {(f["cell"], f["value"], f["message_zh"], f["message_en"]) for f in report["findings"]}
    assert cells == {
        ("G3", "约100", "“金额”应为数字，实际为“约100”", '"金额" must be a number, found "约100"'),
        ("G4", "12万", "“金额”应为数字，实际为“12万”", '"金额" must be a number, found "12万"'),
    }
