"""The alert change token (``monitor.changes``): every change of an alert, of the rule set and
the end of a silence give a new token; reading changes nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from shumao.auth.scope import Scope
from shumao.monitor import changes, evaluate, handling, rules
from shumao.monitor import tables as t

from .conftest import Load, alerts_of

MINISTRY = Scope("ministry", username="m")
ALL = lambda _row: True  # noqa: E731


def _token(engine: Engine) -> changes.Token:
    with engine.connect() as conn:
        return changes.token(conn)


def test_every_change_of_an_alert_gives_a_new_token(engine: Engine, load: Load) -> None:
    before = _token(engine)
    load("report2")  # the import evaluates the rules: alerts fire
    fired = _token(engine)
    assert fired[0] > before[0]
    assert _token(engine) == fired  # reading changes nothing
    hainan = next(a for a in alerts_of(engine) if a["ref_area"] == "460000")
    seen = [fired]
    for act in (
        lambda conn: handling.acknowledge(
            conn, alert_id=hainan["id"], who=MINISTRY, note="已核实", inside=ALL
        ),
        lambda conn: handling.silence(
            conn, alert_id=hainan["id"], who=MINISTRY, until_change=True, inside=ALL
        ),
        lambda conn: handling.resolve(
            conn, alert_id=hainan["id"], who=MINISTRY, reason="数据已核实", inside=ALL
        ),
        lambda conn: evaluate.evaluate(conn),
        lambda conn: rules.load(conn, rules.PACKAGED.read_text(encoding="utf-8"), username="a"),
    ):
        with engine.begin() as conn:
            act(conn)
        seen.append(_token(engine))
        assert seen[-1][0] == seen[-2][0] + 1, seen


def test_a_token_changes_when_a_silence_ends(engine: Engine, load: Load) -> None:
    load("report2")
    hainan = next(a for a in alerts_of(engine) if a["ref_area"] == "460000")
    until = datetime.now(UTC) + timedelta(seconds=1)
    with engine.begin() as conn:
        handling.silence(conn, alert_id=hainan["id"], who=MINISTRY, until=until, inside=ALL)
    during = _token(engine)
    assert during[2] != ""  # the moment it ends is part of the token
    deadline = time.monotonic() + 30
    while datetime.now(UTC) <= until and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _token(engine) == (during[0], during[1], "")


def test_a_store_whose_counter_row_was_emptied_counts_again(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(t.alert_change.delete())
    assert _token(engine)[0] == 0
    with engine.begin() as conn:
        changes.bump(conn)
        changes.bump(conn)
    with engine.connect() as conn:
        assert conn.execute(select(t.alert_change.c.n)).scalars().all() == [2]
    with engine.begin() as conn:
        conn.execute(update(t.alert_change).values(n=7))
    assert _token(engine)[0] == 7
