"""The alert lifecycle: one alert per rule × series, pending for N periods, acknowledge,
resolve (idempotent), reopen, silence — property-tested over random evaluation histories."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from shumao.auth.scope import Scope
from shumao.monitor import alerts, handling, queries, rules
from shumao.monitor import tables as t
from shumao.storage.engine import make_engine

RULE = rules.Rule(
    code="decline-test",
    kind="decline",
    name_zh="测试",
    name_en="test",
    message_zh="{area}{period}下降{change}%",
    message_en="{area} {period} down",
    levels=(rules.Level("red", 50), rules.Level("yellow", 20)),
    dataflows=("MOFCOM_REPORT",),
    params={"threshold_pct": 20},
    pending=2,
)
SERIES = ["110000", "320000", "440000", "DSEB05"]
ALL = lambda _row: True  # noqa: E731


def _hit(area: str, period: str, drop: float) -> dict:
    return {
        "dataflow": "MOFCOM_REPORT",
        "series_key": f"MOFCOM_REPORT:{area}.WLD.DD.X.VALUE.A",
        "ref_area": area,
        "period": period,
        "value": 100 - drop,
        "threshold": 20.0,
        "measure": drop,
        "unit": "USD",
        "unit_mult": 8,
        "fields": f'{{"change": {-drop}}}',
        "counterpart_area": "WLD",
        "product": "DD",
        "flow": "X",
        "indicator": "VALUE",
        "freq": "A",
    }


def _count(conn, **where) -> int:
    stmt = select(func.count()).select_from(t.alert)
    for k, v in where.items():
        stmt = stmt.where(t.alert.c[k] == v)
    return int(conn.execute(stmt).scalar_one())


rounds = st.lists(
    st.dictionaries(st.sampled_from(SERIES), st.floats(20, 90), max_size=4), min_size=1, max_size=6
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=rounds, repeat=st.booleans())
def test_one_alert_per_rule_and_series_whatever_the_history(db_url: str, history, repeat) -> None:
    engine = make_engine(url=db_url)
    try:
        with engine.begin() as conn:
            conn.execute(t.alert_event.delete())
            conn.execute(t.alert.delete())
        for i, found in enumerate(history):
            period = str(2015 + i)
            hits = [_hit(a, period, d) for a, d in found.items()]
            for _ in range(2 if repeat else 1):  # the same data twice: nothing changes
                with engine.begin() as conn:
                    alerts.sync(conn, rule=RULE, version=1, hits=hits, covers=ALL)
            with engine.connect() as conn:
                open_now = {
                    r.ref_area: r
                    for r in conn.execute(select(t.alert).where(t.alert.c.state.in_(alerts.OPEN)))
                }
                assert _count(conn) == len({a for f in history[: i + 1] for a in f})
                assert set(open_now) == set(found)  # what holds is open, the rest resolved
                for area, row in open_now.items():
                    held = 0  # periods in a row the condition held, ending now
                    for past in reversed(history[: i + 1]):
                        if area not in past:
                            break
                        held += 1
                    assert row.state == ("firing" if held >= 2 else "pending")
                    assert row.level == ("red" if found[area] >= 50 else "yellow")
    finally:
        engine.dispose()


def test_resolving_is_idempotent_and_every_change_is_an_event(engine: Engine) -> None:
    rule = rules.Rule(**{**RULE.__dict__, "pending": 1})
    with engine.begin() as conn:
        alerts.sync(conn, rule=rule, version=1, hits=[_hit("320000", "2022", 34.0)], covers=ALL)
        (aid,) = conn.execute(select(t.alert.c.id)).scalars()
        who = Scope("province", "320000", "province-a")
        inside = lambda row: row["province"] == "320000"  # noqa: E731
        handling.acknowledge(conn, alert_id=aid, who=who, note="已联系省商务厅", inside=inside)
        with pytest.raises(Exception, match="理由"):
            handling.resolve(conn, alert_id=aid, who=who, reason=" ", inside=inside)
        first = handling.resolve(conn, alert_id=aid, who=who, reason="数据已核实", inside=inside)
        again = handling.resolve(conn, alert_id=aid, who=who, reason="再次", inside=inside)
        assert first["state"] == again["state"] == "resolved"
        assert first["version"] == again["version"]
        # the condition returns in a later period: the same alert is reopened, not a new one
        alerts.sync(conn, rule=rule, version=1, hits=[_hit("320000", "2023", 25.0)], covers=ALL)
        history = [
            (e["action"], e["from_state"], e["to_state"], e["username"])
            for e in alerts.events(conn, aid)
        ]
        assert _count(conn) == 1
    assert history == [
        ("fire", None, "firing", "system"),
        ("ack", "firing", "acknowledged", "province-a"),
        ("resolve", "acknowledged", "resolved", "province-a"),
        ("reopen", "resolved", "firing", "system"),
    ]


def test_silence_until_the_value_changes(engine: Engine) -> None:
    rule = rules.Rule(**{**RULE.__dict__, "pending": 1})

    with engine.begin() as conn:
        alerts.sync(conn, rule=rule, version=1, hits=[_hit("440000", "2022", 30.0)], covers=ALL)
        (aid,) = conn.execute(select(t.alert.c.id)).scalars()
        handling.silence(
            conn, alert_id=aid, who=Scope("ministry", username="m"), until_change=True, inside=ALL
        )
        ministry = Scope("ministry")
        assert queries.page(conn, ministry, queries.Filters())[1] == 0  # hidden while silent
        assert queries.page(conn, ministry, queries.Filters(silenced=True))[1] == 1
        alerts.sync(conn, rule=rule, version=1, hits=[_hit("440000", "2022", 30.0)], covers=ALL)
        assert queries.page(conn, ministry, queries.Filters())[1] == 0  # same value: silent
        alerts.sync(conn, rule=rule, version=1, hits=[_hit("440000", "2022", 45.0)], covers=ALL)
        assert queries.page(conn, ministry, queries.Filters())[1] == 1  # changed: back
        until = datetime(2099, 1, 1, tzinfo=UTC)
        handling.silence(
            conn, alert_id=aid, who=Scope("ministry", username="m"), until=until, inside=ALL
        )
        assert queries.page(conn, ministry, queries.Filters())[1] == 0
