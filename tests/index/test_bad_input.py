"""Bad frameworks and bad data: located bilingual findings, nothing computed or published."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from index.factories import TWO_PILLARS
from shumao.index.data import Dataset, Units
from shumao.index.framework import FrameworkRejected, load_framework, parse_framework
from shumao.index.pipeline import build

SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "index"


def _codes(exc: pytest.ExceptionInfo[FrameworkRejected]) -> set[str]:
    return exc.value.report.codes


def test_a_cycle_is_reported_with_its_path() -> None:
    with pytest.raises(FrameworkRejected) as exc:
        load_framework(SPECIMENS / "cycle.yaml")
    found = {f.code: f for f in exc.value.report.findings}
    assert {"index-cycle", "index-no-root"} <= set(found)
    assert (
        "P1 → P2 → P1" in found["index-cycle"].message_zh
        or "P2 → P1 → P2" in found["index-cycle"].message_zh
    )
    assert "cycle" in found["index-cycle"].message_en
    assert found["index-cycle"].file == "cycle.yaml"


def test_weights_that_are_not_numbers_are_located() -> None:
    with pytest.raises(FrameworkRejected) as exc:
        load_framework(SPECIMENS / "weights_not_numbers.yaml")
    weights = [f for f in exc.value.report.findings if f.code == "index-weight-not-number"]
    assert [(f.sheet, f.row, f.column, f.value) for f in weights] == [
        ("indicators", 1, "weight", "一半"),
        ("indicators", 2, "weight", "-1"),
    ]
    assert "权重" in weights[0].message_zh and "weight" in weights[0].message_en
    assert weights[0].fix_zh and weights[0].fix_en
    direction = next(f for f in exc.value.report.findings if f.code == "index-direction-invalid")
    assert (direction.row, direction.value) == (3, "up")


def test_an_aggregate_without_children_and_an_unknown_parent() -> None:
    with pytest.raises(FrameworkRejected) as exc:
        load_framework(SPECIMENS / "missing_children.yaml")
    by = {f.code: f for f in exc.value.report.findings}
    assert "“P2”（第 2 层）没有任何下级" in by["index-no-children"].message_zh
    assert "'P9'" in by["index-unknown-parent"].message_en


def test_an_imeta_table_with_a_text_weight() -> None:
    with pytest.raises(FrameworkRejected) as exc:
        load_framework(SPECIMENS / "imeta_bad_weight.csv")
    f = next(f for f in exc.value.report.findings if f.code == "index-weight-not-number")
    assert (f.file, f.sheet, f.row, f.value) == ("imeta_bad_weight.csv", "iMeta", 3, "x")


def test_unknown_indicator_and_a_unit_without_data() -> None:
    fw = parse_framework(TWO_PILLARS)
    x = np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 1.0]])
    units = ("U0", "U1", "U2")
    raw = Dataset(units, ("a", "b"), x)  # no column for indicator c
    with pytest.raises(FrameworkRejected) as exc:
        build(fw, raw, Units(units, {"U1": "乙地"}, {"g": {}}))
    by = {f.code: f for f in exc.value.report.findings}
    assert "“c”" in by["index-unknown-indicator"].message_zh
    assert by["index-unit-no-data"].value == "U1 乙地"
    assert "no indicator data" in by["index-unit-no-data"].message_en


def test_unknown_methods_and_groups_are_findings() -> None:
    fw = parse_framework(TWO_PILLARS)
    units = ("U0", "U1")
    raw = Dataset(units, fw.indicators, np.ones((2, 3)))
    with pytest.raises(FrameworkRejected) as exc:
        build(
            fw,
            raw,
            Units(units, {}, {"g": {}}),
            [{"impute": {"method": "magic", "group": "nope"}}, {"smooth": {}}],
        )
    assert {"index-unknown-step", "index-unknown-group"} <= exc.value.report.codes


def test_a_rejected_build_publishes_nothing(engine: Engine, tmp_path: Path) -> None:
    """A framework whose data are missing in the store: no vintage, no run."""
    from shumao.index import runs
    from shumao.index.tables import index_run
    from shumao.storage.tables import vintage

    fw = load_framework(Path(runs.__file__).with_name("frameworks") / "bases.yaml")
    with pytest.raises(FrameworkRejected) as exc:
        runs.build_run(engine, fw)
    assert "index-source-empty" in exc.value.report.codes
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(vintage)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(index_run)).scalar() == 0
