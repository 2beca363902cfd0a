"""The series a monitored target is measured on, by indicator code (annual points).

``DD_SHARE_SERVICES`` — 可数字化交付的服务贸易占服务贸易总额的比重 (%), China, from the
MOFCOM releases (``MOFCOM_SERVICES``, ``compute.releases.dd_share``: 可数字化交付 over 服务进出口,
else 知识密集型 over it, else the share MOFCOM printed). Each point says which it is. ``BASE_DD_EXPORT_SHARE`` (a base's digital services exports in
its foreign-trade exports) has no series yet: the store holds no foreign-trade exports of the
bases, and ``gap`` says so.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from shumao.compute import releases
from shumao.errors import StoreError
from shumao.monitor.trajectory import Point
from shumao.storage import vintages

NAMES = {
    "DD_SHARE_SERVICES": (
        "可数字化交付的服务贸易占服务贸易总额比重",
        "share of digitally deliverable services in total services trade",
    ),
    "BASE_DD_EXPORT_SHARE": (
        "基地数字服务出口占外贸出口比重",
        "a base's digital services exports in its foreign-trade exports",
    ),
}
SOURCE = {
    "DD": ("可数字化交付/服务进出口", "digitally deliverable / total"),
    "KIS": ("知识密集型/服务进出口", "knowledge-intensive / total"),
    "SHARE": ("商务部公布比重", "share as published"),
}


def dd_share_services(conn: Connection, area: str, as_of: vintages.AsOf = None) -> list[Point]:
    try:
        frame = vintages.read(
            conn,
            "MOFCOM_SERVICES",
            where={"ref_area": [area], "flow": ["T"], "freq": ["A"]},
            as_of=as_of,
        )
    except StoreError:  # as of a date before the dataflow's first vintage: no figure
        return []
    shares = releases.dd_share(frame.drop("vintage_id"))
    return [Point(int(y), v, basis) for y, v, basis in shares.iter_rows()]


def no_series(conn: Connection, area: str, as_of: vintages.AsOf = None) -> list[Point]:
    return []


SERIES: dict[str, Callable[[Connection, str, vintages.AsOf], list[Point]]] = {
    "DD_SHARE_SERVICES": dd_share_services,
    "BASE_DD_EXPORT_SHARE": no_series,
}
GAPS = {
    "BASE_DD_EXPORT_SHARE": (
        "库中暂无基地外贸出口数据，无法计算比重",
        "the store holds no foreign-trade exports of the bases: the share cannot be computed",
    )
}


def points(conn: Connection, indicator: str, area: str, as_of: vintages.AsOf = None) -> list[Point]:
    return SERIES.get(indicator, no_series)(conn, area, as_of)
