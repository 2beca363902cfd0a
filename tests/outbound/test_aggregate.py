"""Register totals with disclosure control: what the ministry sees, what the public sees."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.outbound import aggregate, register
from shumao.release.disclosure.rules import Rules

RULES = Rules(threshold=3, dominance=((1, 85.0),), method="optimal")


def projects(*rows: tuple[str, str, str, float, str]) -> pl.DataFrame:
    """(enterprise, project, host, approved 万美元, filed on)."""
    return pl.DataFrame(
        [
            {
                "uscc": u,
                "project_no": p,
                "host": h,
                "approved": a,
                "filed_on": date.fromisoformat(d),
                "area": "CLOUD",
                "province_code": "320000",
            }
            for u, p, h, a, d in rows
        ]
    )


SMALL = projects(
    ("A", "1", "SGP", 100.0, "2024-03-01"),
    ("B", "1", "SGP", 90.0, "2024-05-01"),
    ("C", "1", "SGP", 80.0, "2024-06-01"),
    ("A", "2", "SGP", 10.0, "2024-07-01"),
    ("D", "1", "VNM", 500.0, "2024-02-01"),
    ("E", "1", "DEU", 60.0, "2024-02-01"),
    ("F", "1", "DEU", 70.0, "2024-02-01"),
    ("G", "1", "DEU", 65.0, "2024-02-01"),
)


def test_cells_count_enterprises_not_projects() -> None:
    cells = aggregate.cells(SMALL, by="host").filter(pl.col("time_period") == "2024")
    assert cells.height == aggregate.cells(SMALL, by="host").height // 2  # 2024 and ALL
    sgp = cells.filter(pl.col("category") == "SGP").row(0, named=True)
    assert (sgp["value"], sgp["projects"], sgp["n_contributors"], sgp["top1"], sgp["top2"]) == (
        280.0,
        4,
        3,
        110.0,
        90.0,
    )
    total = cells.filter(pl.col("category") == aggregate.TOTAL)["value"].item()
    assert total == 975.0


def test_a_single_investor_economy_is_hidden_with_a_second_cell() -> None:
    table = aggregate.protect(aggregate.cells(SMALL, by="host"), by="host", rules=RULES)
    status = dict(zip(table["category"], table["conf_status"], strict=True))
    assert status["VNM"] == "C"  # one enterprise
    assert status["SGP"] == "F" or status["DEU"] == "F"
    assert sorted(status.values()).count("D") == 1  # VNM = total − SGP − DEU otherwise
    public = aggregate.public(table)
    vnm = public.filter(pl.col("category") == "VNM").row(0, named=True)
    assert vnm["value"] is None and vnm["projects"] is None
    assert "n_contributors" not in public.columns and "top1" not in public.columns


def test_groupings_take_membership_on_the_filing_day() -> None:
    idn = projects(("A", "1", "IDN", 10.0, "2022-06-01"), ("B", "1", "IDN", 10.0, "2023-06-01"))
    cells = aggregate.cells(idn, by="group")
    rcep = cells.filter(pl.col("category") == "RCEP")
    assert rcep["time_period"].to_list() == ["2023", "ALL"]  # RCEP: Indonesia from 2023-01-02
    assert rcep.filter(pl.col("time_period") == "ALL")["value"].item() == 10.0
    asean = cells.filter(pl.col("category") == "ASEAN")
    assert asean["time_period"].to_list() == ["2022", "2023", "ALL"]


def test_a_grouping_total_that_would_give_away_its_hidden_members_is_hidden() -> None:
    rows = projects(
        ("A", "1", "SGP", 100.0, "2024-01-01"),
        ("B", "1", "SGP", 90.0, "2024-01-01"),
        ("C", "1", "SGP", 80.0, "2024-01-01"),
        ("D", "1", "VNM", 500.0, "2024-01-01"),
        ("E", "1", "DEU", 60.0, "2024-01-01"),
        ("F", "1", "DEU", 70.0, "2024-01-01"),
        ("G", "1", "DEU", 65.0, "2024-01-01"),
    )
    out = aggregate.tables(rows, RULES)
    asean = (
        out["group"]
        .filter((pl.col("category") == "ASEAN") & (pl.col("time_period") == "2024"))
        .row(0, named=True)
    )
    assert (asean["conf_status"], asean["reason"]) == ("D", "group-difference")


def test_demo_register_tables(filed: Engine) -> None:
    with filed.connect() as conn:
        current = register.current(conn, actor=Actor("m", Role.MINISTRY))
    out = aggregate.tables(current)
    host = out["host"]
    total = host.filter((pl.col("category") == aggregate.TOTAL) & (pl.col("time_period") == "ALL"))[
        "value"
    ].item()
    assert round(total, 2) == round(current["approved"].sum(), 2)
    are = host.filter((pl.col("category") == "ARE") & (pl.col("time_period") == "ALL"))
    assert round(are["value"].item(), 2) == round(
        current.filter(pl.col("host") == "ARE")["approved"].sum(), 2
    )
    assert set(out["year"]["category"]) == {str(y) for y in range(2019, 2026)}
    assert (host["conf_status"] == "C").any() and (host["conf_status"] == "F").any()


def test_belt_and_road_takes_membership_on_the_filing_day() -> None:
    """Italy counts in 共建“一带一路”国家 until its MoU expired (2024-03-22); Viet Nam, whose
    signing no stored source dates, from the official list's as-of date (2023-08-24)."""
    rows = projects(
        ("A", "1", "ITA", 40.0, "2020-05-01"),
        ("B", "1", "ITA", 30.0, "2024-03-22"),
        ("C", "1", "ITA", 20.0, "2024-06-01"),
        ("D", "1", "VNM", 50.0, "2023-08-01"),
        ("E", "1", "VNM", 60.0, "2023-09-01"),
        ("F", "1", "SEN", 5.0, "2019-01-02"),
    )
    bri = aggregate.cells(rows, by="group").filter(pl.col("category") == "BRI")
    by_year = dict(zip(bri["time_period"], bri["value"], strict=True))
    assert by_year == {"2019": 5.0, "2020": 40.0, "2023": 60.0, "2024": 30.0, "ALL": 135.0}
    eu27 = aggregate.cells(rows, by="group").filter(pl.col("category") == "EU27")
    assert eu27.filter(pl.col("time_period") == "ALL")["value"].item() == 90.0
