"""The data explorer: any dataflow, any dimension filter, a period range, a unit, latest or
as of a vintage; sorted and paged; a chart; downloads of exactly what the table shows.

A view is described by its query string alone (``Query.params``), so a link reproduces it.
The full result of a query is computed once per store state and scope (``ViewCache``) and
then sorted and paged in memory; downloads hold every row of the view in the table's order,
columns and unit (the table shows one page of them).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao import query as store_query
from shumao.auth import access, releases
from shumao.auth.scope import Scope
from shumao.compute import aggregate
from shumao.errors import InvalidParameter, ShumaoError
from shumao.output import inert
from shumao.reference import units
from shumao.storage import vintages
from shumao.storage.dataflows import Dataflow, all_dataflows, get_dataflow
from shumao.web.i18n import pick
from shumao.web.schemas import Chart, Series
from shumao.web.services.labels import dimension_name, label

OBS_COLUMNS = ("time_period", "value", "unit", "unit_mult", "obs_status", "conf_status",
               "vintage_id")
UNITS = ("", "亿美元", "万美元", "亿元")
MAX_SIZE = 1000
CHART_SERIES = 12


class BadQuery(ShumaoError):
    pass


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

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Query:
        """Read a view from query-string parameters (dimension filters by dimension name)."""
        flow = get_dataflow(params.get("dataflow") or "UNCTAD_DDS")
        filters = {dim: tuple(_split(params.get(dim, ""))) for dim in flow.dimensions
                   if _split(params.get(dim, ""))}
        return cls(
            dataflow=flow.id, filters=filters, start=params.get("start") or None,
            end=params.get("end") or None, unit=params.get("unit", ""),
            as_of=params.get("as_of", ""), sort=params.get("sort", ""),
            desc=params.get("desc", "") in ("1", "true"), page=_int(params.get("page"), 1),
            size=min(_int(params.get("size"), 50), MAX_SIZE),
        ).checked()

    def checked(self) -> Query:
        if self.unit and self.unit not in UNITS:
            units.parse(self.unit)  # unknown units raise UnknownCode
        if self.sort and self.sort not in columns(get_dataflow(self.dataflow)):
            raise BadQuery(f"不能按“{self.sort}”排序 / cannot sort by {self.sort!r}")
        for text in (self.start, self.end):
            if text and (len(text) > 10 or not text[:4].isdigit()):
                raise BadQuery(f"时期“{text}”格式不正确 / bad period {text!r} (e.g. 2015, "
                               "2022-Q3, 2024-07)")
        return replace(self, page=max(self.page, 1), size=max(1, min(self.size, MAX_SIZE)))

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of this view (empty values left out)."""
        out = {"dataflow": self.dataflow, **{d: ",".join(v) for d, v in self.filters.items()},
               "start": self.start or "", "end": self.end or "", "unit": self.unit,
               "as_of": self.as_of, "sort": self.sort, "desc": "1" if self.desc else "",
               "page": str(self.page), "size": str(self.size)}
        out.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in out.items() if v}

    def cache_key(self) -> tuple[Any, ...]:
        return (self.dataflow, tuple(sorted(self.filters.items())), self.start, self.end,
                self.unit, self.as_of)


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]


MAX_ID = 2**31 - 1
"""The largest vintage id (and page number) a query may name: the stores' integer range."""


def _int(text: str | None, default: int) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if 1 <= value <= MAX_ID else default


def columns(flow: Dataflow) -> list[str]:
    return [*flow.dimensions, *OBS_COLUMNS]


@dataclass(frozen=True)
class Result:
    query: Query
    frame: pl.DataFrame
    """Every row of the view, sorted, with ``<dim>_name`` columns beside the codes."""

    @property
    def total(self) -> int:
        return self.frame.height

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    def page_rows(self) -> pl.DataFrame:
        q = self.query
        return self.frame.slice((q.page - 1) * q.size, q.size)


# --------------------------------------------------------------------------- running


def _as_of(conn: Connection, text: str) -> int | datetime | None:
    if not text:
        return None
    if text.isdigit():
        if not 1 <= int(text) <= MAX_ID:
            raise InvalidParameter(f"数据版本号 as_of 应在 1 到 {MAX_ID:,} 之间（或为日期，如 "
                                   f"2024-06-30），收到 {text[:30]} / as_of must be a vintage "
                                   f"number from 1 to {MAX_ID:,} or a date (2024-06-30)")
        return int(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"数据版本“{text}”应为版本号或日期 / as_of {text!r} must be a vintage "
                       "number or a date (2024-06-30)") from None


def full_frame(conn: Connection, *, scope: Scope, query: Query, lang: str) -> pl.DataFrame:
    """Every row of the view (unsorted, not paged), in the chosen unit, with names."""
    flow = get_dataflow(query.dataflow)
    where = store_query.resolve_filters(flow.id, {d: list(v) for d, v in query.filters.items()})
    frame = access.read(conn, scope, flow.id, where=where, start=query.start, end=query.end,
                        as_of=_as_of(conn, query.as_of))
    if query.unit and frame.height:
        frame = aggregate.to_unit(frame, units.parse(query.unit))
    return _with_names(conn, frame.select(columns(flow)), flow, lang)


def _with_names(conn: Connection, frame: pl.DataFrame, flow: Dataflow, lang: str) -> pl.DataFrame:
    names = _enterprise_names(conn, frame) if flow.codelist("ref_area") == "uscc" else None
    extra = []
    for dim in flow.dimensions:
        mapping = {c: label(dim, c, lang, names) for c in frame[dim].unique().to_list()}
        extra.append(pl.col(dim).replace_strict(mapping, default=pl.col(dim))
                     .alias(f"{dim}_name"))
    return frame.with_columns(extra) if extra else frame


def _enterprise_names(conn: Connection, frame: pl.DataFrame) -> dict[str, str]:
    from shumao.collection import registry

    out = {}
    for code in frame["ref_area"].unique().to_list():
        found = registry.find(conn, code) if len(code) == 18 else None
        if found:
            out[code] = found.name
    return out


def sort_frame(frame: pl.DataFrame, query: Query) -> pl.DataFrame:
    flow = get_dataflow(query.dataflow)
    default = [*flow.dimensions, "time_period"]
    if not query.sort:
        return frame.sort(default)
    rest = [c for c in default if c != query.sort]
    return frame.sort([query.sort, *rest], descending=[query.desc] + [False] * len(rest),
                      nulls_last=True)


def shown_columns(flow: Dataflow) -> list[str]:
    """The table's columns, in order: each dimension's code and name, then the observation."""
    out: list[str] = []
    for dim in flow.dimensions:
        out += [dim, f"{dim}_name"]
    return out + list(OBS_COLUMNS)


def column_names(flow: Dataflow, lang: str) -> list[str]:
    names = []
    for col in shown_columns(flow):
        if col.endswith("_name"):
            names.append(pick("名称", "name", lang))
        else:
            names.append(dimension_name(col, lang))
    return names


def result(frame: pl.DataFrame, query: Query) -> Result:
    flow = get_dataflow(query.dataflow)
    return Result(query, sort_frame(frame, query).select(shown_columns(flow)))


# --------------------------------------------------------------------------- chart


def chart(res: Result, lang: str) -> Chart:
    """Values over time, one line per series: all of them, or when the view has more than
    ``CHART_SERIES``, the ``CHART_SERIES`` largest in their latest period (a note says so)."""
    flow = get_dataflow(res.query.dataflow)
    dims = list(flow.dimensions)
    frame = res.frame
    periods = sorted(frame["time_period"].unique().to_list())
    keys, note = _chart_keys(frame, dims, lang)
    shown = frame.join(keys, on=dims, how="semi").select(*dims, "time_period", "value")
    parts = shown.partition_by(dims, as_dict=True, maintain_order=True)
    series = []
    for key in keys.iter_rows():
        values = dict(parts[key].select("time_period", "value").iter_rows())
        named = dict(zip(dims, key, strict=True))
        name = " · ".join(label(d, named[d], lang) for d in dims if _varies(keys, d))
        series.append(Series(name=name or pick(flow.name_zh, flow.name_en, lang),
                             code=".".join(key), data=[values.get(p) for p in periods]))
    unit = res.query.unit or _unit_text(frame, lang)
    return Chart(id="explorer", kind="line", title=pick(flow.name_zh, flow.name_en, lang),
                 unit=unit, categories=periods, series=series, note=note,
                 source=pick(flow.source_zh, flow.source_en, lang))


def _chart_keys(frame: pl.DataFrame, dims: list[str], lang: str) -> tuple[pl.DataFrame, str]:
    """The series to draw, in the view's order or, when there are too many, largest first."""
    keys = frame.select(dims).unique(maintain_order=True)
    if keys.height <= CHART_SERIES:
        return keys, ""
    latest = (frame.filter(pl.col("value").is_not_null()).sort("time_period")
              .group_by(dims, maintain_order=True)
              .agg(pl.col("value").last().abs().alias("_size")))
    top = (keys.join(latest, on=dims, how="left", maintain_order="left")
           .sort("_size", descending=True, nulls_last=True, maintain_order=True)
           .head(CHART_SERIES).select(dims))
    note = pick(f"图中为最近一期数值最大的 {CHART_SERIES} 条序列（共 {keys.height:,} 条，全部见下表）",
                f"The {CHART_SERIES} series largest in their latest period are drawn "
                f"(of {keys.height:,}; all are in the table)", lang)
    return top, note


def _varies(keys: pl.DataFrame, dim: str) -> bool:
    return keys[dim].n_unique() > 1 or (keys.height == 1 and dim == "ref_area")


def _unit_text(frame: pl.DataFrame, lang: str) -> str:
    """The view's one unit by name (百万美元 / million US dollars), else empty."""
    pairs = frame.select("unit", "unit_mult").unique()
    if pairs.height != 1:
        return ""
    code, mult = pairs.row(0)
    named = next((u for u in units.all_units() if (u.code, u.mult) == (code, mult)), None)
    if named is not None:
        return pick(named.name_zh, named.name_en, lang)
    return f"{code}×10^{mult}" if mult else str(code)


# --------------------------------------------------------------------------- downloads


def to_csv(res: Result) -> bytes:
    """UTF-8 with BOM (Excel opens it), formula-like text made inert."""
    return b"\xef\xbb\xbf" + inert(res.frame).write_csv().encode("utf-8")


def to_xlsx(res: Result) -> bytes:
    buf = io.BytesIO()
    inert(res.frame).write_excel(buf, worksheet="data", autofit=True)
    return buf.getvalue()


# --------------------------------------------------------------------------- the page


def page_context(conn: Connection, *, scope: Scope, res: Result, lang: str) -> dict[str, Any]:
    """What the explorer page shows besides the rows: choosers, columns, the chart."""
    flow = get_dataflow(res.query.dataflow)
    return {
        "q": res.query, "res": res, "rows": res.page_rows().to_dicts(), "flow": flow,
        "flows": all_dataflows(), "columns": shown_columns(flow),
        "column_names": column_names(flow, lang), "units": UNITS, "chart": chart(res, lang),
        "vintages": vintage_choices(conn, scope=scope, dataflow=flow.id),
        "dimension_names": {d: dimension_name(d, lang) for d in flow.dimensions},
    }


# --------------------------------------------------------------------------- choosers


def vintage_choices(conn: Connection, *, scope: Scope, dataflow: str) -> list[dict[str, Any]]:
    """The vintages a scope may pick: all of them, or for the public the released ones."""
    flow = get_dataflow(dataflow)
    released = set(releases.released_vintages(conn, flow.id))
    found = vintages.list_vintages(conn, flow.id)
    if scope.is_public:
        found = [v for v in found if v.id in released]
    return [{"id": v.id, "created_at": v.created_at.isoformat(timespec="seconds"),
             "label": v.label, "kind": v.kind, "released": v.id in released}
            for v in reversed(found)]

