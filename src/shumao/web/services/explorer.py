"""The data explorer: any dataflow, any dimension filter, a period range, a unit, latest or
as of a vintage; sorted and paged; a chart; downloads of exactly what the table shows.

A view is described by its query string alone (``Query.params``), so a link reproduces it.
The full result of a query is computed once per store state and scope (``ViewCache``) and
then sorted and paged in memory; downloads hold every row of the view in the table's order,
columns and unit (the table shows one page of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao import access
from shumao import query as store_query
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.compute import aggregate
from shumao.errors import BadQuery, InvalidParameter
from shumao.labels import dimension_name, label, pick
from shumao.reference import units
from shumao.release import history
from shumao.storage import vintages
from shumao.storage.dataflows import Dataflow, get_dataflow
from shumao.storage.vintages import frame_of
from shumao.web.services import explorer_rows
from shumao.web.services.explorer_rows import Rows

OBS_COLUMNS = explorer_rows.OBSERVED
UNITS = ("", "亿美元", "万美元", "亿元")
MAX_SIZE = 1000
DEFAULT_VIEW = {"dataflow": "UNCTAD_DDS", "ref_area": "CHN"}
"""What /explorer shows before anything is chosen: China's exports and imports."""


@dataclass(frozen=True)
class Query:
    dataflow: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None
    unit: str = ""
    as_of: str = ""
    sort: str = ""
    desc: bool = False
    page: int = 1
    size: int = 50
    view: str = "wide"
    """``wide``: one row per series, the periods as columns (the default); ``long``: one row
    per observation."""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Query:
        """Read a view from query-string parameters (dimension filters by dimension name, each
        given once comma-separated or repeated, as the pickers send them)."""
        flow = get_dataflow(params.get("dataflow") or "UNCTAD_DDS")
        filters = {
            dim: tuple(_values(params, dim)) for dim in flow.dimensions if _values(params, dim)
        }
        return cls(
            view="long" if params.get("view") == "long" else "wide",
            dataflow=flow.id,
            filters=filters,
            start=params.get("start") or None,
            end=params.get("end") or None,
            unit=params.get("unit", ""),
            as_of=params.get("as_of", ""),
            sort=params.get("sort", ""),
            desc=params.get("desc", "") in ("1", "true"),
            page=_int(params.get("page"), 1),
            size=min(_int(params.get("size"), 50), MAX_SIZE),
        ).checked()

    def checked(self) -> Query:
        if self.unit and self.unit not in UNITS:
            units.parse(self.unit)  # unknown units raise UnknownCode
        if (
            self.sort
            and self.sort not in columns(get_dataflow(self.dataflow))
            and not self.sort.startswith("p:")
        ):
            raise BadQuery(f"不能按“{self.sort}”排序 / cannot sort by {self.sort!r}")
        for text in (self.start, self.end):
            if text and (len(text) > 10 or not text[:4].isdigit()):
                raise BadQuery(
                    f"时期“{text}”格式不正确 / bad period {text!r} (e.g. 2015, 2022-Q3, 2024-07)"
                )
        return replace(self, page=max(self.page, 1), size=max(1, min(self.size, MAX_SIZE)))

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of this view (empty values left out)."""
        out = {
            "dataflow": self.dataflow,
            **{d: ",".join(v) for d, v in self.filters.items()},
            "start": self.start or "",
            "end": self.end or "",
            "unit": self.unit,
            "as_of": self.as_of,
            "sort": self.sort,
            "desc": "1" if self.desc else "",
            "page": str(self.page),
            "size": str(self.size),
            "view": "" if self.view == "wide" else self.view,
        }
        out.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in out.items() if v}

    def cache_key(self) -> tuple[Any, ...]:
        return (
            self.dataflow,
            tuple(sorted(self.filters.items())),
            self.start,
            self.end,
            self.unit,
            self.as_of,
        )


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]


MAX_ID = 2**31 - 1
"""The largest vintage id (and page number) a query may name: the stores' integer range."""


def _values(params: Mapping[str, str], dim: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    given = getlist(dim) if getlist else [params.get(dim, "")]
    return list(dict.fromkeys(v for text in given for v in _split(text)))


def _int(text: str | None, default: int) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if 1 <= value <= MAX_ID else default


def columns(flow: Dataflow) -> list[str]:
    return [*flow.dimensions, *OBS_COLUMNS]


View = pl.DataFrame | Rows
"""Every row of a view with ``<dim>_name`` columns beside the codes: plain rows for a small
view (``explorer_rows``), a frame for a large one."""


@dataclass(frozen=True)
class Result:
    query: Query
    view: View
    """Every row of the view, sorted, in the table's columns (``shown_columns``)."""
    problems: tuple[str, ...] = ()
    """Why the view is empty when a filter names nothing in the dataflow (shown as a message)."""

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The view as a frame (made from the rows of a small view when first asked)."""
        return self.view.frame() if isinstance(self.view, Rows) else self.view

    @property
    def total(self) -> int:
        return len(self.view.rows) if isinstance(self.view, Rows) else self.view.height

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    def page_rows(self) -> pl.DataFrame:
        q = self.query
        if isinstance(self.view, Rows):
            return Rows(self.view.columns, self._page()).frame()
        return self.view.slice((q.page - 1) * q.size, q.size)

    def page_dicts(self) -> list[dict[str, Any]]:
        """The page's rows as column → value (the JSON answer's rows)."""
        if isinstance(self.view, Rows):
            columns = self.view.columns  # every row holds them all
            return [dict(zip(columns, r)) for r in self._page()]  # noqa: B905
        return self.page_rows().to_dicts()

    def _page(self) -> list[tuple[Any, ...]]:
        assert isinstance(self.view, Rows)
        start = (self.query.page - 1) * self.query.size
        return self.view.rows[start : start + self.query.size]

    def by_series(self, dims: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Each series (its ``dims``' codes) → period → value, series in the view's order."""
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        if isinstance(self.view, Rows):
            key_of = self.view.getter(dims)
            period, value = self.view.at("time_period"), self.view.at("value")
            for r in self.view.rows:
                key = key_of(r)
                found = out.get(key)
                if found is None:
                    found = out[key] = {}
                found[r[period]] = r[value]
            return out
        for *key, p, v in self.view.select([*dims, "time_period", "value"]).iter_rows():
            out.setdefault(tuple(key), {})[p] = v
        return out

    def first(self, columns: list[str]) -> tuple[Any, ...]:
        """``columns`` of the view's first row (it has one)."""
        if isinstance(self.view, Rows):
            return tuple(self.view.getter(columns)(self.view.rows[0]))
        return self.view.select(columns).row(0)

    def records(self, columns: list[str]) -> list[tuple[Any, ...]]:
        """``columns`` of every row, in the view's order."""
        if isinstance(self.view, Rows):
            return list(map(self.view.getter(columns), self.view.rows))
        return self.view.select(columns).rows()

    def distinct(self, columns: list[str]) -> int:
        """How many different combinations of ``columns`` the view holds."""
        if isinstance(self.view, Rows):
            return len(self.view.combinations(columns))
        return int(self.view.select(pl.struct(columns).n_unique()).item())


# --------------------------------------------------------------------------- running


def as_of(conn: Connection, text: str) -> int | datetime | None:
    if not text:
        return None
    if text.isdigit():
        if not 1 <= int(text) <= MAX_ID:
            raise InvalidParameter(
                f"数据版本号 as_of 应在 1 到 {MAX_ID:,} 之间（或为日期，如 "
                f"2024-06-30），收到 {text[:30]} / as_of must be a vintage "
                f"number from 1 to {MAX_ID:,} or a date (2024-06-30)"
            )
        return int(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery(
            f"数据版本“{text}”应为版本号或日期 / as_of {text!r} must be a vintage "
            "number or a date (2024-06-30)"
        ) from None


def full_view(
    conn: Connection, *, scope: Scope, query: Query, lang: str, small: int = explorer_rows.SMALL
) -> View:
    """Every row of the view (unsorted, not paged), in the chosen unit, with names: plain rows
    when there are at most ``small`` of them, else a frame."""
    flow = get_dataflow(query.dataflow)
    where = store_query.resolve_filters(flow.id, {d: list(v) for d, v in query.filters.items()})
    got = access.read_rows(
        conn,
        scope,
        flow.id,
        where=where,
        start=query.start,
        end=query.end,
        as_of=as_of(conn, query.as_of),
    )
    if isinstance(got, pl.DataFrame):
        if got.height > small:
            return _named(conn, got, flow, query.unit, lang).select(shown_columns(flow))
        got = got.rows()
    elif len(got) > small:
        return _named(conn, frame_of(got), flow, query.unit, lang).select(shown_columns(flow))
    found = {r[explorer_rows.READ_AT["ref_area"]] for r in got}
    return explorer_rows.view(got, flow, query.unit, lang, _enterprises(conn, flow, found))


def _enterprises(conn: Connection, flow: Dataflow, codes: Any) -> dict[str, str] | None:
    """The names of the enterprises among ``codes`` when ``flow`` holds enterprises' data."""
    return registry.names(conn, codes) if flow.codelist("ref_area") == "uscc" else None


def _named(
    conn: Connection, frame: pl.DataFrame, flow: Dataflow, unit: str, lang: str
) -> pl.DataFrame:
    """The view's columns in ``unit``, a ``<dim>_name`` column beside each dimension: the codes
    of every dimension found in one pass and the enterprises' names in one statement (each
    polars pass over a few hundred rows costs more than its rows; a lazy plan costs more
    still at that size — benchmarks/web_load.py)."""
    dims = list(flow.dimensions)
    found = frame.select(pl.col(d).unique().implode() for d in dims).row(0, named=True)
    names = _enterprises(conn, flow, found.get("ref_area", []))
    if unit and frame.height:
        frame = aggregate.to_unit(frame, units.parse(unit))
    return frame.select(columns(flow)).with_columns(
        pl.col(d)
        .replace_strict({c: label(d, c, lang, names) for c in found[d]}, default=pl.col(d))
        .alias(f"{d}_name")
        for d in dims
    )


def sort_view(found: View, query: Query) -> View:
    """By the dimensions' names and the period; a chosen column first (empty values last)."""
    flow = get_dataflow(query.dataflow)
    default = [f"{d}_name" for d in flow.dimensions] + ["time_period"]
    key = None
    if query.sort and not query.sort.startswith("p:"):
        key = f"{query.sort}_name" if query.sort in flow.dimensions else query.sort
    if isinstance(found, Rows):
        return explorer_rows.sort(found, default, key, query.desc)
    if key is None:
        return found.sort(default)
    rest = [c for c in default if c != key]
    return found.sort([key, *rest], descending=[query.desc] + [False] * len(rest), nulls_last=True)


def shown_columns(flow: Dataflow) -> list[str]:
    """The table's columns, in order: each dimension's code and name, then the observation."""
    out: list[str] = []
    for dim in flow.dimensions:
        out += [dim, f"{dim}_name"]
    return out + list(OBS_COLUMNS)


def column_names(flow: Dataflow, lang: str) -> list[str]:
    """Each column headed by its dimension: 报告方代码 beside 报告方 (the name)."""
    names = []
    for col in shown_columns(flow):
        if col.endswith("_name"):
            names.append(dimension_name(col.removesuffix("_name"), lang))
        elif col in flow.dimensions:
            names.append(
                pick(f"{dimension_name(col, 'zh')}代码", f"{dimension_name(col, 'en')} code", lang)
            )
        else:
            names.append(dimension_name(col, lang))
    return names


def result(found: View, query: Query, problems: tuple[str, ...] = ()) -> Result:
    return Result(query, sort_view(found, query), problems)


# --------------------------------------------------------------------------- choices


def choices(found: View, flow: Dataflow) -> dict[str, list[tuple[str, str]]]:
    """dimension → (code, name) of every code the dataflow holds (for the scope), by name."""
    frame = found.frame() if isinstance(found, Rows) else found
    out = {}
    for dim in flow.dimensions:
        pairs = frame.select(dim, f"{dim}_name").unique().sort(f"{dim}_name").iter_rows()
        out[dim] = [(str(code), str(name)) for code, name in pairs]
    return out


# --------------------------------------------------------------------------- choosers


def vintage_choices(conn: Connection, *, scope: Scope, dataflow: str) -> list[dict[str, Any]]:
    """The vintages a scope may pick: all of them, or for the public the released ones."""
    flow = get_dataflow(dataflow)
    released = set(history.released_vintages(conn, flow.id))
    found = vintages.list_vintages(conn, flow.id)
    if scope.is_public:
        found = [v for v in found if v.id in released]
    return [
        {
            "id": v.id,
            "created_at": v.created_at.isoformat(timespec="seconds"),
            "label": v.label,
            "kind": v.kind,
            "released": v.id in released,
        }
        for v in reversed(found)
    ]
