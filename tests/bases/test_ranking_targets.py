"""The 表3/表4 rankings on the report's printed figures, the direct-reporting stand-in with its
disclosure control, and the 2022/2025 targets computed from accepted declared figures."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.bases import applications, assessment, ranking, registry, targets
from shumao.collection import registry as ent_registry
from shumao.policy import documents, editing, library
from shumao.storage.vintages import write_vintage
from shumao.validation import uscc

NOTICE = next((Path(__file__).resolve().parents[2] / "demo" / "policy").glob("002_*.txt"))


CJK = re.compile("[\u4e00-\u9fff]")


def test_trade_ranking_on_table_3(report_store: Engine) -> None:
    with report_store.connect() as conn:
        rows = ranking.rank(conn, scope=Scope.of("mofcom", "ministry"), kind="trade", year="2022")
    top = rows[0]
    # 表3: 杭州滨江 53.93 亿美元 (2022), 32.97 (2021), 21.41 (2020); 表2: 浙江 302.16
    assert (top.code, top.rank, top.value) == ("DSEB06", 1, 53.93)
    assert round(top.growth or 0, 2) == 63.57 and round(top.cagr or 0, 2) == 58.71
    assert top.since == "2020" and round(top.share or 0, 2) == 17.85
    assert top.share_of == "占所在省（市）进出口比重（无城市数据）"
    ranked = [r.value or 0 for r in rows if r.rank is not None]
    assert ranked == sorted(ranked, reverse=True) and len(ranked) >= 5
    # a base the report prints nothing for is listed, not ranked, and not given a zero
    tianjin = next(r for r in rows if r.code == "DSEB02")
    assert (tianjin.rank, tianjin.value, tianjin.source) == (None, None, "")


def test_the_ranking_speaks_the_views_language(report_store: Engine) -> None:
    """One language per view: the source and the share's area (both were written in Chinese
    and English together in either view)."""
    ministry = Scope.of("mofcom", "ministry")
    with report_store.connect() as conn:
        zh = ranking.rank(conn, scope=ministry, kind="trade", year="2022")
        en = ranking.rank(conn, scope=ministry, kind="trade", year="2022", lang="en")
    assert (zh[0].source, en[0].source) == ("商务部报告", "MOFCOM report")
    assert en[0].share_of == "share of the province (no city figure)"
    shown = [r for r in en if r.source]
    assert shown and not any(CJK.search(r.source + r.share_of + r.name) for r in shown)
    assert not any(re.search("[A-Za-z]", r.source + r.share_of) for r in zh)


def test_output_ranking_on_table_4(report_store: Engine) -> None:
    with report_store.connect() as conn:
        rows = ranking.rank(conn, scope=Scope.of("mofcom", "ministry"), kind="output", year="2022")
    # 表4: 中关村软件园 4759 / 4295 / 3366 亿元; six bases printed, the other six not ranked
    assert [(r.code, r.rank) for r in rows[:3]] == [("DSEB01", 1), ("DSEB05", 2), ("DSEB06", 3)]
    top = rows[0]
    assert round(top.growth or 0, 2) == 10.80 and round(top.cagr or 0, 2) == 18.91
    assert sum(r.rank is not None for r in rows) == 6


def _two_firms_in_tianjin(engine: Engine) -> None:
    """Two direct-reporting enterprises of 天津经济技术开发区 (DSEB02, nothing published): the
    stand-in cell has two contributors, which primary disclosure control hides."""
    admin = Actor("t", Role.ADMIN)
    codes = [uscc.make(f"91120116MA0{i}00000") for i in range(2)]
    with engine.begin() as conn:
        for i, code in enumerate(codes):
            ent_registry.save_enterprise(
                conn,
                actor=admin,
                source="test",
                record=(
                    ent_registry.EnterpriseRecord(
                        uscc=code,
                        name=f"天津测试软件{i}有限公司",
                        park_code="DSEB02",
                        county_code="120116",
                        trade_reporter=True,
                    )
                ),
            )
        frame = pl.DataFrame(
            {
                "ref_area": codes,
                "counterpart_area": "USA",
                "product": "SI2",
                "flow": "X",
                "indicator": "_Z",
                "freq": "Q",
                "time_period": "2022-Q2",
                "value": [3_000.0, 1_000.0],
                "unit": "USD",
                "unit_mult": 4,
            }
        )
        write_vintage(conn, dataflow_id="ENT_DDS", frame=frame, kind="import", label="test")


@pytest.mark.parametrize(
    ("scope", "sees"),
    [
        (Scope.of("mofcom", "ministry"), True),
        (Scope.of("tj", "province", "120000"), True),
        (Scope.of("zj", "province", "330000"), False),
    ],
)
def test_the_stand_in_from_direct_reporting_is_disclosure_controlled(
    report_store: Engine, scope: Scope, sees: bool
) -> None:
    _two_firms_in_tianjin(report_store)
    with report_store.connect() as conn:
        tianjin = next(
            r
            for r in ranking.rank(conn, scope=scope, kind="trade", year="2022")
            if r.code == "DSEB02"
        )
    assert tianjin.source.startswith("企业直报汇总")
    if sees:  # 3,000 + 1,000 万美元 = 0.4 亿美元
        assert (tianjin.suppressed, tianjin.value) == (False, 0.4) and tianjin.rank is not None
    else:
        assert (tianjin.suppressed, tianjin.value, tianjin.rank, tianjin.series) == (
            True,
            None,
            None,
            {},
        )


def test_the_public_sees_released_figures_only(report_store: Engine) -> None:
    """Nothing is released in this store: the public ranking has no value at all — neither the
    report's unreleased vintage nor the enterprises' unreleased direct reporting."""
    _two_firms_in_tianjin(report_store)
    with report_store.connect() as conn:
        rows = ranking.rank(conn, scope=Scope.public(), kind="trade", year="2022")
    assert len(rows) == 12 and all(r.value is None and r.rank is None for r in rows)
    assert all(not r.source.startswith("企业直报") for r in rows)


def test_targets_are_computed_from_accepted_declared_figures(
    report_store: Engine, ministry: Scope
) -> None:
    park = Scope.of("nj", "park", "DSEB05")
    with report_store.begin() as conn:
        app_id = applications.create(
            conn, scope=park, base_code="DSEB05", kind="application", years=["2022"]
        )
        declared = {"FT_EXPORT": 20.0, "ICT_DELIVERED_EXPORT": 11.2}  # 亿美元
        for code, value in declared.items():
            item = applications.declare(
                conn,
                scope=park,
                application_id=app_id,
                code=code,
                year="2022",
                value=value,
                unit="亿美元",
            )
            applications.upload(
                conn,
                scope=park,
                application_id=app_id,
                item_id=item,
                filename="海关统计.pdf",
                data=b"%PDF-1.4",
            )
        applications.submit(conn, scope=park, application_id=app_id)
        before = targets.check(conn, base=registry.get(conn, "DSEB05"), year="2022")
        for row in applications.items(conn, app_id):
            if row["code"] in declared:
                assessment.decide_item(
                    conn,
                    scope=ministry,
                    application_id=app_id,
                    item_id=row["id"],
                    decision="accepted",
                )
        after = {
            t.target.key: t
            for t in targets.check(conn, base=registry.get(conn, "DSEB05"), year="2022")
        }
    # not accepted yet: nothing counts
    assert all(t.share is None and t.reached is None for t in before)
    # 表3: 南京软件谷 exported 12.01 亿美元 of digitally deliverable services in 2022
    ds = after["BASE_DS_SHARE_2022"]
    assert round(ds.share or 0, 2) == 60.05 and ds.reached is True
    assert ds.numerator.source.startswith("表3") and ds.denominator.source.startswith("申报材料")
    # 11.2 / 20 = 56 %: "60 % 左右" reads as within 5 points
    ict = after["BASE_ICT_SHARE_2022"]
    assert round(ict.share or 0, 2) == 56.0 and ict.reached is True
    assert ict.note_zh == "56.00%（目标 约60%，2022年）"


def test_confirmed_policy_library_targets_replace_the_file(report_store: Engine) -> None:
    """商办服贸函〔2019〕245号 in the policy library: its four targets are candidates; once a
    person confirms the digital-service-share ones, they are the targets checked (the ICT share
    still comes from the file until confirmed too)."""
    library.add_file(report_store, NOTICE)
    found = {(r["subject"], r["target_year"]): r for r in documents.list_targets(report_store)}
    with report_store.connect() as conn:
        assert [t.key for t in targets.applicable("2022", targets.current(conn))] == [
            "BASE_DS_SHARE_2022",
            "BASE_ICT_SHARE_2022",
        ]  # candidates change nothing
    for year in (2022, 2025):
        editing.confirm_target(
            report_store, found[("基地内数字服务出口", year)]["id"], "BASE_DS_EXPORT_SHARE"
        )
    with report_store.connect() as conn:
        in_force = targets.applicable("2025", targets.current(conn))
        checks = targets.check(conn, base=registry.get(conn, "DSEB05"), year="2022")
    ds_2025 = next(t for t in in_force if t.indicator == "BASE_DS_EXPORT_SHARE")
    policy_id = found[("基地内数字服务出口", 2025)]["id"]
    assert (ds_2025.key, ds_2025.source, ds_2025.comparator, ds_2025.value) == (
        f"POLICY_{policy_id}",
        f"policy:{policy_id}",
        ">=",
        50.0,
    )
    assert ds_2025.name_zh.startswith(
        "基地内数字服务出口占外贸出口比重达到50%以上（2025年；政策库目标"
    )
    assert [t.target.source.split(":")[0] for t in checks] == ["policy", "file"]
