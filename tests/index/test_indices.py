"""The three indices built from the real demo data in the store; runs stored so that a
published index can be rebuilt exactly; a later vintage's revisions explained."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from shumao.index import compare, runs
from shumao.index.aggregate import results
from shumao.index.framework import load_framework
from shumao.index.tables import index_run
from shumao.ingest.pipeline import run_import
from shumao.storage import vintages

FRAMEWORKS = Path(runs.__file__).with_name("frameworks")


def _top(built: runs.Built, n: int = 3) -> list[tuple[str, float]]:
    agg, ranks = built.coin.dset("Aggregated"), results(built.coin)
    order = np.argsort(ranks.col("DTI"), kind="stable")[:n]
    return [(agg.units[i], round(agg.value(agg.units[i], "DTI"), 4)) for i in order]


def test_provinces(index_store: Engine) -> None:
    built = runs.build_run(index_store, load_framework(FRAMEWORKS / "provinces.yaml"))
    raw = built.coin.dset("Raw")
    assert len(raw.units) == 31
    # 河北 is the only eastern province the report's table 2 leaves out: the eastern total
    # 1,914.8 less the nine listed provinces (1,912.37) is its estimate, 2.43 亿美元
    assert raw.value("130000", "DD_EXPORTS") == pytest.approx(2.43e8)
    # 中部: 47.1 − 安徽 10.03 = 37.07 over the five unlisted provinces
    assert raw.value("360000", "DD_EXPORTS") == pytest.approx(7.414e8)
    assert raw.value("320000", "DD_EXPORTS") == pytest.approx(179.61e8)
    assert ("130000", "DD_EXPORTS") in built.inputs.estimated
    assert _top(built) == [("440000", 95.1582), ("110000", 85.8082), ("310000", 84.9831)]
    with index_store.connect() as conn:
        stored = vintages.read(
            conn, "DTI_PROV", where={"ref_area": ["440000"], "indicator": ["DTI"]}
        )
    assert stored["value"].round(4).to_list() == [95.1582]
    assert json.loads(stored["attrs"][0]) == {"rank": 1}


def test_economies_and_bases(index_store: Engine) -> None:
    econ = runs.build_run(index_store, load_framework(FRAMEWORKS / "economies.yaml"))
    assert len(econ.coin.dset("Aggregated").units) == 179
    assert _top(econ, 2) == [("IRL", 79.8994), ("USA", 78.8091)]
    assert set(econ.inputs.vintages) == {"UNCTAD_DDS", "WB_ICT"}
    bases = runs.build_run(index_store, load_framework(FRAMEWORKS / "bases.yaml"))
    assert bases.coin.dset("Aggregated").units == (
        "DSEB01",
        "DSEB03",
        "DSEB05",
        "DSEB06",
        "DSEB07",
        "DSEB09",
        "DSEB12",
    )
    assert _top(bases, 1) == [("DSEB03", 61.1971)]


def test_a_run_records_everything_to_rebuild_it_exactly(
    index_store: Engine, demo_data: Path, tmp_path: Path
) -> None:
    fw = load_framework(FRAMEWORKS / "provinces.yaml")
    first = runs.build_run(index_store, fw, created_by="analyst")
    with index_store.connect() as conn:
        row = conn.execute(select(index_run).where(index_run.c.id == first.run_id)).mappings().one()
    assert row["framework_text"] == fw.text and row["framework_sha256"] == fw.sha256
    assert row["framework_version"] == "2024.1" and row["created_by"] == "analyst"
    assert row["data_vintages"] == first.inputs.vintages
    assert row["settings"]["build"][0] == {"impute": {"method": "group_mean", "group": "region"}}
    # a revised table 2 arrives: 江苏 exports 179.61 → 200.00
    revised = (
        Path(demo_data / "report2022/table2_provinces_2022.csv")
        .read_text(encoding="utf-8")
        .replace(",179.61,", ",200.00,")
    )
    path = tmp_path / "table2_provinces_2022.csv"
    path.write_text(revised, encoding="utf-8")
    run_import(index_store, "report2022", path)
    second = runs.build_run(index_store, fw)
    with index_store.connect() as conn:
        again, _ = runs.rebuild(conn, first.run_id)  # on the vintages the first run read
        np.testing.assert_array_equal(
            again.dset("Aggregated").values, first.coin.dset("Aggregated").values
        )
        diff = compare.revisions(conn, fw, from_run=first.run_id, to_run=second.run_id)
        why = compare.explain(conn, fw, unit="320000", from_run=first.run_id, to_run=second.run_id)
    cells = {(c["unit"], c["code"]): c for c in diff["cells"]}
    assert cells[("320000", "DD_EXPORTS")]["after"] == 200e8
    # the eastern remainder no longer covers 河北: its estimate goes, and the revision says so
    assert cells[("130000", "DD_EXPORTS")]["before"] == pytest.approx(2.43e8)
    assert np.isnan(cells[("130000", "DD_EXPORTS")]["after"])
    assert why.method == "exact (arithmetic)"
    assert sum(c.contribution for c in why.contributions) == pytest.approx(why.change, abs=1e-9)
    assert max(why.contributions, key=lambda c: abs(c.contribution)).code == "DD_EXPORTS"
