"""What a filing's checks compare with, read from the store: the enterprise's own earlier
approved values and its peers' (HB), the other forms it must agree with (cross-form), and what
another domain's rule kind needs (``context_provider``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.collection.checks.engine import validate
from shumao.collection.checks.model import Context
from shumao.collection.checks.results import Checked, history_from_observations
from shumao.collection.forms import Form, get_form, periods_of_year, previous_periods, shift
from shumao.collection.upload import Parsed
from shumao.storage import vintages

ContextProvider = Callable[[Connection, Form, "str | None", "str | None"], Any]
CONTEXT_PROVIDERS: dict[str, ContextProvider] = {}
HISTORY_PERIODS = 8


def context_provider(kind: str, provider: ContextProvider) -> None:
    """What a rule kind needs from the store: ``provider(conn, form, uscc, period)`` goes to
    ``Context.extra[kind]`` before the checks run."""
    CONTEXT_PROVIDERS[kind] = provider


def check_parsed(
    conn: Connection,
    form: Form,
    parsed: Parsed,
    *,
    uscc: str | None,
    period: str | None,
    hb: bool = True,
) -> Checked | None:
    """Run the form's checks on a parsed upload with the context read from the store."""
    if parsed.sheet is None:
        return None
    context = build_context(conn, form, uscc=uscc, period=period, hb=hb)
    return validate(parsed.sheet, form, context=context, report=parsed.report)


def build_context(
    conn: Connection,
    form: Form,
    *,
    uscc: str | None,
    period: str | None,
    usccs: list[str] | None = None,
    hb: bool = True,
) -> Context:
    """Earlier approved values for the HB and cross-form checks, read from the store.

    ``uscc`` and ``period`` are what the upload must be for; ``usccs`` (default ``[uscc]``)
    are the enterprises whose own history is read (a batch file may hold several).
    """
    ctx = Context(expected_uscc=uscc, expected_period=period, hb=hb)
    for kind in {spec.kind for spec in form.rules} & set(CONTEXT_PROVIDERS):
        ctx.extra[kind] = CONTEXT_PROVIDERS[kind](conn, form, uscc, period)
    own_ids = usccs if usccs is not None else ([uscc] if uscc else [])
    if period is None or not own_ids or not form.stores_observations:
        return ctx
    window = previous_periods(period, HISTORY_PERIODS)
    year = periods_of_year(int(period[:4]), form.frequency)
    own = _read(conn, form, own_ids, min(window[0], year[0]), max(period, year[-1]))
    peers = _read(conn, form, None, shift(period, -1), period)
    ctx.history = pl.concat([own, peers], how="vertical_relaxed").unique()
    for spec in form.rules_of("cross-form"):
        other = get_form(spec.params["other_form"])
        years = periods_of_year(int(period[:4]), other.frequency)
        ctx.other_forms[other.id] = _read(conn, other, own_ids, years[0], years[-1])
    return ctx


def _read(
    conn: Connection, form: Form, usccs: list[str] | None, start: str, end: str
) -> pl.DataFrame:
    where = {"ref_area": usccs} if usccs else {}
    obs = vintages.read(conn, form.dataflow, where=where, start=start, end=end)
    obs = obs.filter(pl.col("freq") == form.frequency)
    return history_from_observations(form, obs)
