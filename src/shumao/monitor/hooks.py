"""Evaluation after every import, approval and release — after the commit, never inside the
data transaction, and never able to lose the data: a failing evaluation is logged and recorded
in ``monitor_run``; the caller's data are already committed.

Callers: ``ingest.pipeline.run_import`` when its caller passes ``after=after_commit`` (the CLI's
import and the demo load do; after its transaction), the web layer's session
dependency (``defer`` inside the request's transaction, ``run_deferred`` after its commit: an
approval, a release), the CLI commands that approve and release.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, inspect

from shumao.config import get_settings
from shumao.monitor.evaluate import run
from shumao.outbound import risk, risk_rules

log = logging.getLogger(__name__)
KEY = "shumao.monitor.after_commit"


def after_commit(
    engine: Engine, *, trigger: str, dataflows: Iterable[str], user: str = "system"
) -> None:
    """Recompute the outbound risk levels when ``dataflows`` feed the scoreboard, then evaluate
    the rules reading ``dataflows`` (none: only the rules that read no dataflow, e.g. after a
    change of the outbound register or tracker); failures are logged, never raised."""
    flows = {f for f in dataflows if f}
    if flows & {s.dataflow for s in risk_rules.board().series.values()}:
        _recompute_risk(engine, flows)
    if not get_settings().monitor_on_change:
        return
    try:
        if "alert" not in inspect(engine).get_table_names():
            return

        run(engine, trigger=trigger, dataflows=flows, user=user)
    except Exception:
        log.exception("monitoring after %s of %s failed", trigger, sorted(flows))


def _recompute_risk(engine: Engine, flows: set[str]) -> None:
    """New figures of a series the risk scoreboard reads: the levels follow them (their
    alerts with the evaluation that comes next)."""
    try:
        if "outbound_risk" not in inspect(engine).get_table_names():
            return
        with engine.begin() as conn:
            risk.recompute(conn)
    except Exception:
        log.exception("outbound risk after an import of %s failed", sorted(flows))


def defer(
    conn: Connection, *, trigger: str, dataflows: Iterable[str], user: str = "system"
) -> None:
    """Ask for an evaluation once ``conn``'s transaction has committed."""
    conn.info.setdefault(KEY, []).append((trigger, tuple(dataflows), user))


def take(conn: Connection) -> list[tuple[str, tuple[str, ...], str]]:
    return list(conn.info.pop(KEY, []))


def run_deferred(engine: Engine, pending: list[tuple[str, tuple[str, ...], str]]) -> None:
    for trigger, flows, user in pending:
        after_commit(engine, trigger=trigger, dataflows=flows, user=user)


def risk_changed(engine: Engine, *, trigger: str, user: str = "system") -> None:
    """After a commit that changed the outbound register or the tracker: the rules that read no
    dataflow run, so the alerts of kind ``outbound_risk`` (``detectors.outbound``) follow the new
    levels with the monitor's lifecycle (one alert per enterprise × host economy)."""
    after_commit(engine, trigger=trigger, dataflows=(), user=user)


def after_release(engine: Engine, dataflows: list[str]) -> None:
    """The warning rules on what the release worker released at its minute (as after a
    release by hand); passed to ``release.worker``."""
    after_commit(engine, trigger="release", dataflows=dataflows, user="release-worker")
