"""The generic tidy and SDMX-CSV importers: mapping files, periods, attributes, and the
all-or-nothing property under random corruption."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from shumao.errors import ImportRejected
from shumao.ingest.mapping import load_mapping, mapping_problems
from shumao.ingest.periods import freq_of_period, normalise_periods
from shumao.ingest.pipeline import run_import
from shumao.ingest.readers import ROW
from shumao.ingest.sources.sdmx_csv import _flow_id
from shumao.storage import vintages
from shumao.storage.tables import observation, series, vintage
from shumao.validation.findings import Report

SPECIMENS = Path(__file__).parents[1] / "specimens" / "imports"
MAPPING = yaml.safe_load((SPECIMENS / "ent_dds.yaml").read_text(encoding="utf-8"))
HEADER = ["统一社会信用代码", "企业名称", "伙伴国家", "服务类别", "流向", "期间", "金额"]
USCCS = ["91110108MA01ABCDEN", "91310000MA1FL1234Q", "914403001922038216"]
PARTNERS = ["USA", "JPN", "DEU", "GBR"]
PRODUCTS = ["SI2", "SI3", "SJ2", "SH"]
FLOWS = {"出口": "X", "进口": "M"}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (observation, series, vintage)
        )


def vintage_values(engine: Engine, vintage_id: int) -> dict[tuple[str, ...], float | None]:
    """(ref_area, counterpart_area, product, flow, period) → value of one vintage."""
    stmt = (
        select(
            series.c.ref_area,
            series.c.counterpart_area,
            series.c.product,
            series.c.flow,
            observation.c.time_period,
            observation.c.value,
        )
        .join(series, series.c.id == observation.c.series_id)
        .where(observation.c.vintage_id == vintage_id)
    )
    with engine.connect() as conn:
        return {tuple(r[:5]): r[5] for r in conn.execute(stmt)}


# --- mapping files ---------------------------------------------------------------------------


def test_specimen_mapping_is_valid() -> None:
    assert mapping_problems(MAPPING) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"dataflow": "NOPE"}, "NOPE"),
        ({"columns": {**MAPPING["columns"], "colour": "颜色"}}, "colour"),
        ({"colums": {}}, "colums"),
        ({"skip_rows": -1}, "skip_rows"),
        ({"skip_rows": "two"}, "skip_rows"),
        ({"lookup": {"counterpart_area": "planet"}}, "planet"),
        ({"lookup": {"indicator": "country"}}, "indicator"),
        ({"recode": {"flow": ["出口", "X"]}}, "recode"),
        ({"nonnegative": ["time_period"]}, "time_period"),
        ({"nonnegative": "value"}, "nonnegative"),
        ({"attributes": {"flow": "备注"}}, "attributes"),
        ({"columns": {k: v for k, v in MAPPING["columns"].items() if k != "ref_area"}}, "ref_area"),
    ],
)
def test_mapping_problems_name_the_problem(change: dict[str, Any], words: str) -> None:
    problems = mapping_problems({**MAPPING, **change})
    assert problems and any(words in p for p in problems), problems


def test_mapping_without_unit_is_refused() -> None:
    mapping = {k: v for k, v in MAPPING.items() if k != "unit"}
    assert any("unit" in p for p in mapping_problems(mapping))


def test_load_mapping_accepts_a_dict_and_refuses_a_list(tmp_path: Path) -> None:
    report = Report()
    assert load_mapping(dict(MAPPING), report) == MAPPING
    assert report.findings == []
    listed = tmp_path / "list.yaml"
    listed.write_text("- dataflow: ENT_DDS\n", encoding="utf-8")
    assert load_mapping(listed, report) is None
    [found] = report.findings
    assert (found.code, found.file) == ("mapping-invalid", "list.yaml")


def test_mapping_given_as_dict_imports(engine: Engine) -> None:
    result = run_import(engine, "tidy", SPECIMENS / "ok_utf8.csv", options={"mapping": MAPPING})
    assert result.rows == 4 and result.dataflow == "ENT_DDS"


def test_dataflow_of_a_mapping_is_case_insensitive(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        yaml.safe_dump({**MAPPING, "dataflow": "ent_dds"}, allow_unicode=True), encoding="utf-8"
    )
    result = run_import(engine, "tidy", SPECIMENS / "ok_utf8.csv", options={"mapping": path})
    assert result.dataflow == "ENT_DDS"


def test_tidy_import_without_mapping_is_refused(engine: Engine) -> None:
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "tidy", SPECIMENS / "ok_utf8.csv")
    assert rejected.value.report.codes == {"mapping-invalid"}


# --- columns, units, attributes ------------------------------------------------------------


def test_header_with_line_break_and_unit_matches(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "wrapped.csv"
    text = (SPECIMENS / "ok_utf8.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",金额\n", ',"金额\n（万美元）"\n', 1), encoding="utf-8")
    result = run_import(engine, "tidy", path, options={"mapping": MAPPING})
    assert result.rows == 4


def test_unit_column_sets_each_rows_unit(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "统一社会信用代码,伙伴国家,服务类别,流向,期间,金额,单位\n"
        "91110108MA01ABCDEN,USA,SI2,出口,2023-Q1,1.5,亿美元\n"
        "91110108MA01ABCDEN,JPN,SI2,出口,2023-Q1,20,万美元\n",
        encoding="utf-8",
    )
    mapping = {**MAPPING, "columns": {**MAPPING["columns"], "unit": "单位"}}
    del mapping["unit"], mapping["attributes"]
    result = run_import(engine, "tidy", path, options={"mapping": mapping})
    stored = {
        (r["counterpart_area"], r["unit"], r["unit_mult"], r["value"])
        for r in _read(engine, result.vintage_id).to_dicts()
    }
    assert stored == {("USA", "USD", 8, 1.5), ("JPN", "USD", 4, 20.0)}


def test_unknown_unit_in_unit_column_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "统一社会信用代码,伙伴国家,服务类别,流向,期间,金额,单位\n"
        "91110108MA01ABCDEN,USA,SI2,出口,2023-Q1,1.5,金条\n",
        encoding="utf-8",
    )
    mapping = {**MAPPING, "columns": {**MAPPING["columns"], "unit": "单位"}}
    del mapping["unit"], mapping["attributes"]
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "tidy", path, options={"mapping": mapping})
    [found] = rejected.value.report.errors
    assert (found.code, found.row, found.value) == ("unit-unknown", 2, "金条")


def test_status_columns_are_checked(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "status.csv"
    path.write_text(
        "统一社会信用代码,伙伴国家,服务类别,流向,期间,金额,状态,保密\n"
        "91110108MA01ABCDEN,USA,SI2,出口,2023-Q1,1,P,C\n"
        "91110108MA01ABCDEN,JPN,SI2,出口,2023-Q1,2,Z,\n"
        "91110108MA01ABCDEN,DEU,SI2,出口,2023-Q1,3,,SECRET\n",
        encoding="utf-8",
    )
    columns = {**MAPPING["columns"], "obs_status": "状态", "conf_status": "保密"}
    mapping = {k: v for k, v in MAPPING.items() if k != "attributes"} | {"columns": columns}
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "tidy", path, options={"mapping": mapping})
    found = {(f.code, f.row, f.value) for f in rejected.value.report.errors}
    assert found == {("status-unknown", 3, "Z"), ("conf-status-unknown", 4, "SECRET")}


def _read(engine: Engine, vintage_id: int | None) -> pl.DataFrame:
    with engine.connect() as conn:
        frame = vintages.read(conn, "ENT_DDS", as_of=vintage_id)
    return frame.filter(pl.col("vintage_id") == vintage_id)


def test_attributes_keep_cells_as_written(engine: Engine) -> None:
    result = run_import(
        engine, "tidy", SPECIMENS / "ok_injection.csv", options={"mapping": MAPPING}
    )
    names = {json.loads(a)["name"] for a in _read(engine, result.vintage_id)["attrs"]}
    assert names == {'=HYPERLINK("http://x","y")', "+SUM(A1:A9)", "@cmd"}


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2023Q3", "2023-Q3"),
        ("2023 Q3", "2023-Q3"),
        ("2023-q3", "2023-Q3"),
        ("2023年第3季度", "2023-Q3"),
        ("2023年三季度", "2023-Q3"),
        ("2023年3季度", "2023-Q3"),
        ("2023年7月", "2023-07"),
        ("2023/7", "2023-07"),
        ("2023-7", "2023-07"),
        ("2023-M07", "2023-07"),
        ("2023年12月", "2023-12"),
        ("2023年", "2023"),
        ("2023年度", "2023"),
        ("2023-Q3", "2023-Q3"),
        ("2023", "2023"),
        # not guessed: left for the period check to refuse
        ("2023.7", "2023.7"),
        ("2023Q5", "2023Q5"),
        ("23-07", "23-07"),
        ("2023-13", "2023-13"),
        ("2023年第5季度", "2023年第5季度"),
    ],
)
def test_normalise_periods(written: str, read: str) -> None:
    report = Report()
    frame = pl.DataFrame({ROW: [2], "time_period": [written]})
    out = normalise_periods(frame, report, "f.csv", ["期间"], "期间")
    assert out["time_period"].to_list() == [read]
    assert report.codes == ({"period-normalised"} if read != written else set())


def test_freq_of_period() -> None:
    frame = pl.DataFrame({"time_period": ["2023", "2023-Q2", "2023-11"]})
    assert frame.select(freq_of_period()).to_series().to_list() == ["A", "Q", "M"]


@pytest.mark.parametrize(
    ("ref", "flow"),
    [
        ("WTO:WTO_DDS(1.0)", "WTO_DDS"),
        ("WTO_DDS", "WTO_DDS"),
        ("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SHUMAO:ENT_DDS(1.0)", "ENT_DDS"),
    ],
)
def test_sdmx_dataflow_reference(ref: str, flow: str) -> None:
    assert _flow_id(ref) == flow


def test_sdmx_dataflow_option_overrides_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "batis.csv"
    text = (SPECIMENS / "ok_sdmx10.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("WTO:WTO_DDS(1.0)", "XYZ:SOMETHING(2.0)"), encoding="utf-8")
    result = run_import(engine, "sdmx-csv", path, options={"dataflow": "BATIS"})
    assert (result.dataflow, result.rows) == ("BATIS", 4)


def test_sdmx_missing_dimension_column(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "no_product.csv"
    path.write_text(
        "DATAFLOW,FREQ,REF_AREA,COUNTERPART_AREA,FLOW,TIME_PERIOD,OBS_VALUE\n"
        "WTO:WTO_DDS(1.0),A,CHN,WLD,X,2022,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "sdmx-csv", path)
    assert [(f.code, f.column) for f in rejected.value.report.errors] == [
        ("column-missing", "PRODUCT")
    ]


# --- all or nothing under random corruption --------------------------------------------------

JUNK = [
    "",
    " ",
    "约100",
    "12万",
    "N/A",
    "..",
    "火星",
    "SZ9",
    "转口",
    "2023Q5",
    "2023Q1",
    "-5",
    "1,234.5",
    "１２",
    "=1+1",
    '"',
    "a\nb",
    "91110108MA01ABCDE0",
    "inf",
    "—",
    "美国",
]

keys = st.lists(
    st.tuples(
        st.sampled_from(USCCS),
        st.sampled_from(PARTNERS),
        st.sampled_from(PRODUCTS),
        st.sampled_from(sorted(FLOWS)),
    ),
    min_size=1,
    max_size=8,
    unique=True,
)
cents = st.integers(min_value=0, max_value=10**11)


@st.composite
def corrupted_tables(draw: st.DrawFn) -> tuple[list[list[str]], set[tuple[int, int]]]:
    rows = [[u, "某企业", p, s, f, "2023-Q1", repr(draw(cents) / 100)] for u, p, s, f in draw(keys)]
    cells = draw(st.sets(st.tuples(st.integers(0, len(rows) - 1), st.integers(0, 6)), max_size=3))
    for r, c in cells:
        rows[r][c] = draw(st.sampled_from(JUNK))
    return rows, cells


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=corrupted_tables())
def test_import_stores_every_row_or_nothing(
    engine: Engine, tmp_path: Path, table: tuple[list[list[str]], set[tuple[int, int]]]
) -> None:
    rows, corrupted = table
    path = write_csv(tmp_path / "random.csv", rows)
    before = counts(engine)
    try:
        result = run_import(engine, "tidy", path, options={"mapping": MAPPING})
    except ImportRejected as rejected:
        event("rejected")
        assert not rejected.report.ok
        assert counts(engine) == before
        return
    event("accepted")
    stored = vintage_values(engine, result.vintage_id or 0)
    kept = [r for r in rows if any(cell.strip() for cell in r)]  # blank rows are not data
    assert len(stored) == len(kept) == result.rows
    assert counts(engine)[0] == before[0] + len(kept)
    for i, row in enumerate(rows):
        value_untouched = (i, 6) not in corrupted
        key_untouched = all((i, c) not in corrupted for c in (0, 2, 3, 4, 5))
        if value_untouched and key_untouched:
            key = (row[0], row[2], row[3], FLOWS[row[4]], "2023-Q1")
            assert stored[key] == float(row[6])
