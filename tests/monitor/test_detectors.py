"""Each rule kind on real data: the 2022 report, MOFCOM releases, NBS, WTO, UNCTAD, BaTIS."""

from __future__ import annotations

import json

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.monitor import messages, rules
from shumao.monitor.detectors import anomaly, change
from shumao.monitor.detectors.common import select as pick
from shumao.query import select

from .conftest import Load, alerts_of

R = rules.packaged()


def test_decline_finds_hainans_imports_with_the_published_growth(
    engine: Engine, load: Load
) -> None:
    load("report2")
    (hainan,) = [a for a in alerts_of(engine, "decline-yoy") if a["ref_area"] == "460000"]
    assert hainan["message_zh"] == (
        "2022年海南省可数字化交付的服务进口10.40亿美元，同比下降34.03%，超过预警阈值20%"
    )
    assert hainan["level"] == "orange" and hainan["value"] == 10.4 and hainan["threshold"] == 20
    assert hainan["province"] == "460000" and hainan["state"] == "firing"
    assert "down 34.03% year on year" in hainan["message_en"]


def test_the_bases_printed_jump_is_found_by_the_outlier_rule(engine: Engine, load: Load) -> None:
    """表3: 齐鲁软件园 exports 0.99 (2020) → 11.51 亿美元 (2021), +1,062.63 % among peers of
    +4 % to +21 %: the robust z against the other bases is about 31."""
    load("report3")
    found = {(a["ref_area"], a["period"]): a for a in alerts_of(engine, "growth-outlier")}
    qilu = found[("DSEB09", "2021")]
    fields = json.loads(qilu["detail"]["fields"])
    assert fields["prev"] == 0.99 and fields["change"] == pytest.approx(1062.63)
    assert fields["how"] == "peer" and fields["zabs"] == pytest.approx(30.91)
    assert qilu["level"] == "orange" and qilu["park"] == "DSEB09" and qilu["province"] == "370000"
    assert set(found) == {("DSEB09", "2021"), ("DSEB06", "2021")}  # and 杭州's +54 % total


def test_consecutive_declines_and_level_shift_on_wto_series(engine: Engine, load: Load) -> None:
    load("wto")
    frame = pick(select(engine, "WTO_DDS"), {"ref_area": ["CHN"]})
    hits = change.consecutive(frame, R.get("consecutive-declines"), "WTO_DDS")
    sg = hits.filter((pl.col("product") == "SG") & (pl.col("flow") == "X")).row(0, named=True)
    assert sg["period"] == "2025" and sg["measure"] == 4  # 金融服务出口 fell 2022 → 2025
    shifts = anomaly.cusum(frame, R.get("level-shift"), "WTO_DDS")
    sk = shifts.filter((pl.col("product") == "SK") & (pl.col("flow") == "X")).row(0, named=True)
    assert sk["period"] == "2009" and sk["measure"] == pytest.approx(7.30)


def test_a_provinces_falling_share_of_the_nation(engine: Engine, load: Load) -> None:
    load("nbs")
    (gd,) = [a for a in alerts_of(engine, "province-share-falling") if a["ref_area"] == "440000"]
    assert gd["message_zh"] == (
        "广东省电子商务销售额占全国比重连续3年下降，2024年为13.89%，累计下降2.75个百分点"
    )


def test_concentration_of_chinas_partners(engine: Engine, demo_data) -> None:
    from shumao.ingest.pipeline import run_import
    from shumao.monitor.hooks import after_commit

    run_import(
        engine, "batis", demo_data / "batis_china_bilateral_2005_2019.csv", after=after_commit
    )
    frame = pick(select(engine, "BATIS"), {"ref_area": ["CHN"], "product": ["S"]})
    rule = rules.Rule(
        code="c",
        kind="concentration",
        name_zh="",
        name_en="",
        message_zh="",
        message_en="",
        levels=(rules.Level("yellow", 0),),
        params={"dim": "counterpart_area", "hhi": 500, "top_share_pct": 100},
    )
    hits = change.concentration(frame, rule, "BATIS")
    x = hits.filter(pl.col("flow") == "X").row(0, named=True)
    fields = json.loads(x["fields"])
    assert x["period"] == "2019" and fields["top"] == "HKG"
    parts = frame.filter(
        (pl.col("flow") == "X")
        & (pl.col("time_period") == "2019")
        & ~pl.col("counterpart_area").is_in(["WLD"])
        & (pl.col("value") > 0)
    )
    shares = parts["value"] / parts["value"].sum() * 100
    assert x["value"] == round(float((shares**2).sum()), 0)
    assert fields["top_share"] == pytest.approx(round(float(shares.max()), 2))


def test_a_balance_turning_negative(engine: Engine, load: Load) -> None:
    load("unctad")
    frame = pick(select(engine, "UNCTAD_DDS"), {"product": ["DD"]})
    hits = change.balance(frame, R.get("balance-negative"), "UNCTAD_DDS")
    by_area = {r["ref_area"]: r for r in hits.iter_rows(named=True)}
    exports = frame.filter(pl.col("flow") == "X")
    imports = frame.filter(pl.col("flow") == "M")
    for area, hit in list(by_area.items())[:5]:
        x = exports.filter((pl.col("ref_area") == area) & (pl.col("time_period") == hit["period"]))
        m = imports.filter((pl.col("ref_area") == area) & (pl.col("time_period") == hit["period"]))
        assert hit["value"] == pytest.approx(x["value"][0] - m["value"][0]) and hit["value"] < 0
        assert json.loads(hit["fields"])["prev"] >= 0
    assert by_area, "some economies' balance of digitally deliverable services turned negative"


def test_stl_finds_a_spike_in_a_seasonal_quarterly_series() -> None:
    """Four years of quarters with a clear season (the demo park's pattern) and one spike."""
    values = [10.0, 12.0, 9.0, 15.0] * 4
    values[9] = 30.0
    frame = pl.DataFrame(
        {
            "ref_area": ["DSEB05"] * 16,
            "counterpart_area": ["WLD"] * 16,
            "product": ["DD"] * 16,
            "flow": ["X"] * 16,
            "indicator": ["_Z"] * 16,
            "freq": ["Q"] * 16,
            "time_period": [f"{2021 + i // 4}-Q{i % 4 + 1}" for i in range(16)],
            "value": values,
            "unit": ["USD"] * 16,
            "unit_mult": [4] * 16,
        }
    )
    hits = anomaly.stl(frame, R.get("seasonal-residual"), "ENT_DDS")
    (hit,) = hits.iter_rows(named=True)
    assert hit["period"] == "2023-Q2" and hit["value"] == 30.0 and hit["measure"] > 3.5


def test_concentration_alerts_name_the_largest_part_and_keep_the_hhi(
    engine: Engine, demo_data
) -> None:
    """HHI is an index, not money (it was shown in 亿: "HHI为0.00"); the top part by name."""
    from shumao.ingest.pipeline import run_import
    from shumao.monitor.hooks import after_commit

    run_import(
        engine, "batis", demo_data / "batis_china_bilateral_2005_2019.csv", after=after_commit
    )
    items = {
        tuple(a["series_key"].split(".")[1:4:2]): a for a in alerts_of(engine, "item-concentration")
    }  # (partner, flow)
    usa = items[("USA", "M")]
    # 2019, China's imports from the US by the twelve EBOPS items: travel (SD) 50.29 %
    assert usa["value"] == 2976 and usa["level"] == "yellow"
    assert usa["message_zh"] == (
        "2019年中国进口（伙伴：美国）的服务项目集中度HHI为2976.00，"
        "最大项目旅行占50.29%，超过阈值2500"
    )
    assert {p for p, _ in items} == {"USA", "JPN", "HKG", "KOR", "DEU"}
    packaged = R.get("partner-concentration")
    assert packaged is not None
    rule = rules.Rule(**{**packaged.__dict__, "params": {**packaged.params, "hhi": 500}})
    frame = pick(select(engine, "BATIS"), {"ref_area": ["CHN"], "product": ["S"]})
    hit = (
        change.concentration(frame, rule, "BATIS").filter(pl.col("flow") == "X").row(0, named=True)
    )
    text = messages.render(rule, hit, "zh")
    assert text.startswith(f"2019年中国服务出口伙伴集中度HHI为{hit['value']:.2f}，最大伙伴香港占")
