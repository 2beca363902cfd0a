"""Monitored targets: confirmed from the policy library, versioned and audited; the national
45 %/2029 target on MOFCOM's releases: current value, required path, trend, projection, status."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from shumao.auth.tables import audit_log
from shumao.errors import NotAllowed
from shumao.monitor import targets
from shumao.monitor.trajectory import Point, project
from shumao.policy import library
from shumao.policy import tables as policy

from .conftest import Load, alerts_of

OPINIONS = Path(__file__).resolve().parents[2] / "demo" / "policy" / "001_2ff3b056fc41c968.txt"


def _candidate(engine: Engine, year: int) -> int:
    library.add_file(engine, OPINIONS)
    with engine.connect() as conn:
        return conn.execute(
            select(policy.target.c.id).where(
                policy.target.c.target_year == year,
                policy.target.c.indicator.contains("服务贸易总额"),
            )
        ).scalar_one()


def test_a_candidate_becomes_a_versioned_audited_target(engine: Engine) -> None:
    cand = _candidate(engine, 2029)
    with engine.begin() as conn:
        assert targets.current(conn) == []  # an unconfirmed candidate is never monitored
        with pytest.raises(NotAllowed):
            targets.confirm(
                conn,
                candidate_id=cand,
                indicator="DD_SHARE_SERVICES",
                username="p",
                role="province",
            )
        t1 = targets.confirm(
            conn,
            candidate_id=cand,
            indicator="DD_SHARE_SERVICES",
            username="ministry-a",
            role="ministry",
        )
    assert (t1.key, t1.version, t1.comparator, t1.value, t1.deadline_year) == (
        "T1",
        1,
        "≥",
        45.0,
        2029,
    )
    assert "占我国服务贸易总额的比重提高到45%以上" in t1.sentence
    with engine.begin() as conn:
        t2 = targets.change(
            conn, key="T1", value=46.0, username="ministry-b", role="ministry", note="示例修改"
        )
        history = targets.history(conn, "T1")
        status = conn.execute(select(policy.target.c.status).where(policy.target.c.id == cand))
        logged = conn.execute(
            select(audit_log.c.username, audit_log.c.target)
            .where(audit_log.c.action == "monitor.target")
            .order_by(audit_log.c.id)
        ).all()
    assert t2.version == 2 and t2.value == 46.0
    assert [(h.version, h.value, h.created_by) for h in history] == [
        (1, 45.0, "ministry-a"),
        (2, 46.0, "ministry-b"),
    ]
    assert status.scalar_one() == "confirmed"
    assert logged == [("ministry-a", "T1 v1"), ("ministry-b", "T1 v2")]


def test_the_national_target_on_mofcoms_releases(engine: Engine, load: Load) -> None:
    """The shares are derived by hand from the demo rows (indicators.py's rule: 可数字化交付
    over 服务进出口, else 知识密集型 over 服务进出口, else the share MOFCOM printed; 亿元
    converted at the year's average rate in reference/data/fx.csv). The projection figures were
    derived outside the project's code: statsmodels ``ETSModel(error="add", trend="add",
    damped_trend=True)`` fitted to the 2012–2024 series below with 2013–2017 interpolated
    linearly between 33.6 and 32.4 (trajectory.py's method), forecast to 2039."""
    load("services")
    cand = _candidate(engine, 2029)
    with engine.begin() as conn:
        tg = targets.confirm(
            conn, candidate_id=cand, indicator="DD_SHARE_SERVICES", username="m", role="ministry"
        )
        tr = targets.progress(conn, tg)
    by_year = {p.year: p for p in tr.points}
    # 2019: $272.2 bn / 7,850 亿美元; 2020: 2,947.6 亿美元 / (45,642.7 亿元 at 6.8976);
    # 2021: 23,259 / 52,982.7 亿元 (知识密集型); 2022: 3,727.07 / 8,891 亿美元;
    # 2023: 3,875 亿美元 / (65,750 亿元 at 7.0467); 2024: 4,067.2 / (75,238 亿元 at 7.1217);
    # 2012 and 2018: the shares MOFCOM printed (知识密集型)
    expected = {
        2012: ("SHARE", 33.6),
        2018: ("SHARE", 32.4),
        2019: ("DD", 34.68),  # 2722 / 7850 = 34.675
        2020: ("DD", 44.54),  # 2947.6 × 6.8976 / 45642.7 = 44.545
        2021: ("KIS", 43.90),  # 23259 / 52982.7 = 43.899
        2022: ("DD", 41.92),  # 3727.07 / 8891 = 41.919
        2023: ("DD", 41.53),  # 3875 × 7.0467 / 65750 = 41.530
        2024: ("DD", 38.50),  # 4067.2 × 7.1217 / 75238 = 38.498
    }
    assert {y: (p.source, p.value) for y, p in by_year.items()} == expected
    assert tr.current is not None and tr.current.year == 2024
    assert tr.required_per_year == pytest.approx((45 - 38.50) / 5)  # 1.30 a year
    # least squares over 2020–2024 (x − 2022 = −2…2): Σxy / Σx² = −14.45 / 10
    assert tr.trend_per_year == pytest.approx(-1.445)
    # the damped-trend ETS still carries the 2019→2020 jump: mean 45.52 at 2029 (upper 80 %
    # 49.47), so 正常 and crossing in 2029 although the last four years fell
    assert tr.at_deadline == pytest.approx(45.52, abs=0.01)
    assert tr.status == "on_track" and tr.crossing_year == 2029
    assert 0.5 < (tr.probability or 0) < 0.65  # 0.567 from the 95 % band's width
    assert [p[0] for p in tr.projection][:5] == [2025, 2026, 2027, 2028, 2029]
    from shumao.monitor import evaluate

    evaluate.run(engine, trigger="test", notify=False)
    assert alerts_of(engine, "target-trajectory") == []  # on track: no alert
    # the 2035 ≥ 50 % target: mean 49.55 at 2035 misses it, the upper 80 % bound (53.50)
    # does not: 关注, a yellow alert
    with engine.begin() as conn:
        targets.confirm(
            conn,
            candidate_id=_candidate(engine, 2035),
            indicator="DD_SHARE_SERVICES",
            username="m",
            role="ministry",
        )
    evaluate.run(engine, trigger="test", notify=False)
    (alert,) = alerts_of(engine, "target-trajectory")
    assert alert["level"] == "yellow" and alert["message_zh"].startswith(
        "2035年可数字化交付的服务贸易占服务贸易总额比重2024年为38.50%，按当前趋势预计2035年为49.55%"
    )
    assert alert["message_zh"].endswith("低于2035年目标50%（关注）")
    assert alert["message_en"].endswith("short of the 2035 target of 50% (watch)")  # was (关注)


def test_status_met_on_track_and_not_enough_data() -> None:
    met = project(
        [Point(y, 40 + y - 2020) for y in range(2020, 2027)],
        target=45,
        comparator="≥",
        deadline=2029,
    )
    assert met.status == "met" and met.current is not None and met.current.value == 46
    rising = project(
        [Point(y, 30 + 1.2 * (y - 2015) + (0.3 if y % 2 else -0.3)) for y in range(2015, 2025)],
        target=45,
        comparator="≥",
        deadline=2029,
    )
    assert rising.status == "on_track" and rising.crossing_year is not None
    assert rising.crossing_year <= 2029 and (rising.probability or 0) > 0.5
    few = project([Point(2022, 41.9), Point(2024, 38.5)], target=45, comparator="≥", deadline=2029)
    assert few.status == "no_data" and few.projection == [] and few.current.value == 38.5
