"""Two builds to compare — two stored runs (e.g. the same year on two vintages) or the
latest build and the same framework on an earlier year — and what changed between them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from shumao.errors import StoreError
from shumao.index import runs
from shumao.index.data import Coin
from shumao.index.decompose import Explanation
from shumao.index.decompose import explain as decompose
from shumao.index.decompose import revisions as diff
from shumao.index.framework import Framework


def pair(
    conn: Connection,
    fw: Framework,
    *,
    from_run: int | None = None,
    to_run: int | None = None,
    from_year: str | None = None,
) -> tuple[Coin, Coin]:
    """(before, after): ``to_run`` or the latest build after; ``from_run`` or ``from_year``
    (the after-build's framework on that year, data as of the same vintages) before."""
    after_run = runs.get_run(conn, to_run) if to_run else runs.latest_build(conn, fw.id)
    if after_run is None:
        raise StoreError(f"{fw.id} 还没有计算过 / {fw.id} has not been built yet")
    after, _ = runs.rebuild(conn, after_run.id)
    if from_run:
        before, _ = runs.rebuild(conn, from_run)
    elif from_year:
        earlier = replace(after_run.framework, period=str(from_year))
        before, _ = runs.compute(conn, earlier, as_of=after_run.data_vintages)
    else:
        older = [r for r in runs.list_runs(conn, fw.id, "build") if r.id < after_run.id]
        if not older:
            raise StoreError(
                "没有更早的运行可比较；请指定 --from-year 或 --from-run / no earlier "
                "run to compare with: give --from-year or --from-run"
            )
        before, _ = runs.rebuild(conn, older[0].id)
    return before, after


def explain(
    conn: Connection,
    fw: Framework,
    *,
    unit: str,
    from_run: int | None = None,
    to_run: int | None = None,
    from_year: str | None = None,
) -> Explanation:
    before, after = pair(conn, fw, from_run=from_run, to_run=to_run, from_year=from_year)
    for coin in (before, after):
        if unit not in coin.dset("Aggregated").units:
            raise KeyError(f"单位 {unit} 不在比较的指数中 / unit {unit} is not in both builds")
    return decompose(before, after, unit)


def revisions(conn: Connection, fw: Framework, *, from_run: int, to_run: int) -> dict[str, Any]:
    before, after = pair(conn, fw, from_run=from_run, to_run=to_run)
    return diff(before, after)
