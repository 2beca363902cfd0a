"""The de-duplicated count on a labelled set stored for real: registry + direct-reporting
filings (ENT_DDS) + a roster file; the count equals the truth; review decisions are kept."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import Engine, func, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.bases import counting, link_review, roster, synthetic
from shumao.bases.tables import link_decision
from shumao.collection import registry as ent_registry
from shumao.storage.vintages import write_vintage

BASE, CITY = "DSEB05", "320100"


def _direct_reporting(engine: Engine, ents: pl.DataFrame, reporting: int) -> set[str]:
    admin = Actor("t", Role.ADMIN)
    with engine.begin() as conn:
        for code, name, county in ents.select("uscc", "name", "county_code").iter_rows():
            ent_registry.save_enterprise(
                conn,
                actor=admin,
                source="test",
                record=(
                    ent_registry.EnterpriseRecord(
                        uscc=code,
                        name=name,
                        park_code=BASE,
                        county_code=county,
                        trade_reporter=True,
                    )
                ),
            )
        reporters = ents.head(reporting)
        frame = pl.DataFrame(
            {
                "ref_area": reporters["uscc"],
                "counterpart_area": "USA",
                "product": "SI2",
                "flow": "X",
                "indicator": "_Z",
                "freq": "Q",
                "time_period": "2024-Q2",
                "value": 100.0,
                "unit": "USD",
                "unit_mult": 4,
            }
        )
        write_vintage(conn, dataflow_id="ENT_DDS", frame=frame, kind="import", label="test")
    return set(reporters["uscc"].to_list())


def test_the_count_on_the_labelled_set_equals_the_truth(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    made = synthetic.generate(150, 240, matched=0.4, seed=5, city_codes=[CITY])
    reporters = _direct_reporting(report_store, made.enterprises, reporting=120)
    file = tmp_path / "roster.csv"
    made.roster.select(
        pl.col("name").alias("企业名称"),
        pl.col("uscc").alias("统一社会信用代码"),
        pl.col("address").alias("地址"),
        pl.lit(BASE).alias("所属基地"),
        pl.lit("2024").alias("年度"),
        pl.lit(50.0).alias("离岸ITO执行额"),
    ).write_csv(file)
    with report_store.begin() as conn:
        roster.import_roster(conn, scope=ministry, path=file)
        found = counting.run(conn, scope=ministry, base_code=BASE, year="2024")
    uscc_of = dict(made.enterprises.select("uid", "uscc").iter_rows())
    roster_ents = {
        uscc_of[t] if t else f"new-{u}"
        for u, t in made.roster.select("uid", "true_uid").iter_rows()
    }
    truth_total = len(reporters | roster_ents)
    truth_both = len(reporters & roster_ents)
    print(
        f"\ncount on the labelled set: {found.total} (truth {truth_total}), both "
        f"{found.both} (truth {truth_both}), pending {found.pending}"
    )
    assert abs(found.total - truth_total) <= found.pending
    assert found.direct == 120 and found.roster_rows == 240
    assert found.direct_only + found.both == 120


def test_a_decision_changes_the_count_and_is_reused(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    made = synthetic.generate(60, 90, matched=0.5, seed=8, city_codes=[CITY])
    _direct_reporting(report_store, made.enterprises, reporting=60)
    file = tmp_path / "roster.csv"
    made.roster.select(
        pl.col("name").alias("企业名称"),
        pl.col("uscc").alias("统一社会信用代码"),
        pl.col("address").alias("地址"),
        pl.lit(BASE).alias("所属基地"),
        pl.lit("2024").alias("年度"),
        pl.lit(50.0).alias("离岸ITO执行额"),
    ).write_csv(file)
    with report_store.begin() as conn:
        roster.import_roster(conn, scope=ministry, path=file)
        first = counting.run(conn, scope=ministry, base_code=BASE, year="2024")
        res = counting.results(conn, first.run_id)
        auto = res.filter(pl.col("method") == "probabilistic").row(0, named=True)
        after = link_review.decide(
            conn,
            scope=ministry,
            run_id=first.run_id,
            roster_row_id=auto["id"],
            decision="reject",
            note="不是同一企业",
        )
        assert after.total == first.total + 1 and after.both == first.both - 1
        again = counting.run(conn, scope=ministry, base_code=BASE, year="2024")
        rerun = counting.results(conn, again.run_id).filter(pl.col("id") == auto["id"])
        assert rerun["status"][0] != "linked" and again.total == after.total
        assert conn.execute(select(func.count()).select_from(link_decision)).scalar_one() == 1


def test_a_park_sees_only_its_own_queue(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    with report_store.connect() as conn:
        assert link_review.queue(conn, scope=Scope.of("p", "park", "DSEB06")) == []
