"""How the explorer shows a result: a wide table (one row per series, the periods as columns,
the default) or a long one (one row per observation), names instead of codes, the unit once in
a header, the report's two decimals; the same layout in the CSV and Excel downloads; a chart
only when the selection has one unit and few series."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth import permissions
from shumao.auth.scope import Scope
from shumao.labels import dimension_name, label, pick
from shumao.output import inert
from shumao.reference import units
from shumao.release import disclosure, public
from shumao.storage.dataflows import all_dataflows, get_dataflow
from shumao.web import palette
from shumao.web.schemas import Chart, Series
from shumao.web.services import ordered
from shumao.web.services.explorer import UNITS, Query, Result, as_of, vintage_choices

CHART_SERIES = 12
DIGITS = 2
OBS_STATUS = {
    "A": ("正常值", "normal"),
    "B": ("断点", "break"),
    "E": ("估计值", "estimated"),
    "F": ("预测值", "forecast"),
    "I": ("插补值", "imputed"),
    "M": ("缺失", "missing"),
    "O": ("缺失", "missing"),
    "P": ("初步数", "provisional"),
}
CONF_STATUS = {
    "F": ("公开", "free"),
    "C": ("保密", "confidential"),
    "D": ("保密（次要抑制）", "confidential (secondary)"),
    "N": ("不公开", "not for publication"),
}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    keys: list[str]
    """Sort key of each column (a dimension, ``time_period``, ``value`` or ``p:<period>``)."""
    rows: list[list[Any]]
    numeric: list[bool]
    suppressed: list[list[bool]]
    unit: str
    """The view's one unit by name, "" when the rows differ (then a unit column says which)."""
    total: int
    pages: int


def unit_text(frame: pl.DataFrame, lang: str) -> str:
    """The view's one unit by name (百万美元 / million US dollars), else ""."""
    pairs = frame.select("unit", "unit_mult").unique()
    if pairs.height != 1:
        return ""
    code, mult = pairs.row(0)
    return _unit_name(code, mult, lang)


def _unit_name(code: str, mult: int, lang: str) -> str:
    named = next((u for u in units.all_units() if (u.code, u.mult) == (code, mult)), None)
    if named is not None:
        return pick(named.name_zh, named.name_en, lang)
    return f"{code}×10^{mult}" if mult else str(code)


def _units_column(frame: pl.DataFrame, lang: str) -> pl.Series:
    pairs = {
        (c, m): _unit_name(c, m, lang)
        for c, m in frame.select("unit", "unit_mult").unique().iter_rows()
    }
    return pl.Series(
        [pairs[(c, m)] for c, m in frame.select("unit", "unit_mult").iter_rows()], dtype=pl.String
    )


def table(res: Result, lang: str, *, paged: bool = True) -> Table:
    return _wide(res, lang, paged) if res.query.view == "wide" else _long(res, lang, paged)


def _dim_headers(res: Result, lang: str) -> tuple[list[str], list[str]]:
    dims = list(get_dataflow(res.query.dataflow).dimensions)
    return [dimension_name(d, lang) for d in dims], dims


def _long(res: Result, lang: str, paged: bool) -> Table:
    frame = res.page_rows() if paged else res.frame
    heads, dims = _dim_headers(res, lang)
    one = unit_text(res.frame, lang)
    value_head = dimension_name("value", lang) + (
        f"（{one}）" if one and lang == "zh" else f" ({one})" if one else ""
    )
    cols = [*[frame[f"{d}_name"] for d in dims], frame["time_period"], frame["value"]]
    headers = [*heads, dimension_name("time_period", lang), value_head]
    keys = [*dims, "time_period", "value"]
    if not one:
        cols.append(_units_column(frame, lang))
        headers.append(dimension_name("unit", lang))
        keys.append("unit")
    status = [
        _named(frame["obs_status"], OBS_STATUS, lang),
        _named(frame["conf_status"], CONF_STATUS, lang),
        frame["vintage_id"],
    ]
    cols += status
    headers += [dimension_name(c, lang) for c in ("obs_status", "conf_status", "vintage_id")]
    keys += ["obs_status", "conf_status", "vintage_id"]
    rows = [list(r) for r in zip(*(c.to_list() for c in cols), strict=True)]
    value_at = len(heads) + 1
    hidden = [
        (s == "C" or s == "D") and v is None
        for s, v in zip(frame["conf_status"], frame["value"], strict=True)
    ]
    return Table(
        headers=headers,
        keys=keys,
        rows=rows,
        numeric=[i == value_at for i in range(len(headers))],
        suppressed=[[h and i == value_at for i in range(len(headers))] for h in hidden],
        unit=one,
        total=res.total,
        pages=res.pages,
    )


def _named(column: pl.Series, names: dict[str, tuple[str, str]], lang: str) -> pl.Series:
    return pl.Series([pick(*names[c], lang) if c in names else c for c in column], dtype=pl.String)


def _wide(res: Result, lang: str, paged: bool) -> Table:
    heads, dims = _dim_headers(res, lang)
    one = unit_text(res.frame, lang)
    frame = res.frame.with_columns(
        _units_column(res.frame, lang).alias("_unit"),
        ((pl.col("conf_status").is_in(["C", "D"])) & pl.col("value").is_null()).alias("_hidden"),
    )
    names = [f"{d}_name" for d in dims]
    index = [*dims, *names, "_unit"]
    periods = sorted(frame["time_period"].unique().to_list())
    values = frame.pivot(
        on="time_period",
        index=index,
        values="value",
        aggregate_function="first",
        maintain_order=True,
    )
    hidden = frame.pivot(
        on="time_period",
        index=index,
        values="_hidden",
        aggregate_function="first",
        maintain_order=True,
    )
    values = _sorted_wide(values, res, dims)
    hidden = hidden.join(values.select(index), on=index, how="right", maintain_order="right")
    q = res.query
    start = (q.page - 1) * q.size if paged else 0
    stop = start + q.size if paged else values.height
    keep = names if one else [*names, "_unit"]
    headers = [*heads, *([] if one else [dimension_name("unit", lang)]), *periods]
    rows = [
        [*(r[c] for c in keep), *(r.get(p) for p in periods)]
        for r in values.slice(start, stop - start).iter_rows(named=True)
    ]
    marks = [
        [False] * len(keep) + [bool(r.get(p)) for p in periods]
        for r in hidden.slice(start, stop - start).iter_rows(named=True)
    ]
    pages = max(1, -(-values.height // q.size))
    return Table(
        headers=headers,
        keys=[*dims, *([] if one else ["unit"]), *(f"p:{p}" for p in periods)],
        rows=rows,
        numeric=[i >= len(keep) for i in range(len(headers))],
        suppressed=marks,
        unit=one,
        total=values.height,
        pages=pages,
    )


def _sorted_wide(values: pl.DataFrame, res: Result, dims: list[str]) -> pl.DataFrame:
    q = res.query
    if q.sort.startswith("p:") and q.sort[2:] in values.columns:
        return values.sort(q.sort[2:], descending=q.desc, nulls_last=True, maintain_order=True)
    if q.sort in dims:
        return values.sort(f"{q.sort}_name", descending=q.desc, maintain_order=True)
    return values


# --------------------------------------------------------------------------- downloads


def _download_frame(res: Result, lang: str) -> pl.DataFrame:
    """Every row of the view in the table's layout, headers in ``lang``, values to two
    decimals (the report's precision), the unit once in a header."""
    t = table(res, lang, paged=False)
    headers = list(t.headers)
    if t.unit and res.query.view == "wide":
        first = next(i for i, n in enumerate(t.numeric) if n)
        headers = headers[:first] + [
            f"{h}（{t.unit}）" if lang == "zh" else f"{h} ({t.unit})" for h in headers[first:]
        ]
    columns = {}
    for i, head in enumerate(headers):
        data = [r[i] for r in t.rows]
        if t.numeric[i]:
            columns[head] = pl.Series(
                head,
                [None if v is None else round(float(v), DIGITS) for v in data],
                dtype=pl.Float64,
            )
        else:
            columns[head] = pl.Series(
                head, [None if v is None else str(v) for v in data], dtype=pl.String
            )
    return pl.DataFrame(columns)


def to_csv(res: Result, lang: str) -> bytes:
    """UTF-8 with BOM (Excel opens it), formula-like text made inert."""
    frame = inert(_download_frame(res, lang))
    return b"\xef\xbb\xbf" + frame.write_csv(float_precision=DIGITS).encode("utf-8")


def to_xlsx(res: Result, lang: str) -> bytes:
    buf = io.BytesIO()
    frame = inert(_download_frame(res, lang))
    numeric = [c for c, d in frame.schema.items() if d == pl.Float64]
    frame.write_excel(
        buf,
        worksheet=pick("数据", "data", lang),
        autofit=True,
        column_formats=dict.fromkeys(numeric, "#,##0.00"),
    )
    return buf.getvalue()


# --------------------------------------------------------------------------- chart


def chart(res: Result, lang: str) -> tuple[Chart | None, str]:
    """Values over time, one line per series — only when the view has one unit and at most
    ``CHART_SERIES`` series; otherwise no chart and the reason."""
    flow = get_dataflow(res.query.dataflow)
    dims = list(flow.dimensions)
    if res.total == 0:
        return None, ""
    if res.distinct(["unit", "unit_mult"]) != 1:
        return None, pick(
            "所选数据含多种单位，不画图；请只选一种指标或单位",
            "No chart: the selection mixes units; choose one unit or indicator",
            lang,
        )
    series_n = res.distinct(dims)
    if series_n > CHART_SERIES:
        return None, pick(
            f"所选数据有 {series_n:,} 条序列，图表只画不超过 {CHART_SERIES} 条；"
            "请缩小选择（如报告方、流向）",
            f"No chart: the selection has {series_n:,} series, a chart shows "
            f"at most {CHART_SERIES}; narrow it (reporter, flow …)",
            lang,
        )
    values = res.by_series(dims)  # series in the view's order
    periods = sorted({p for by_period in values.values() for p in by_period})
    varying = [d for i, d in enumerate(dims) if len({key[i] for key in values}) > 1]
    series = []
    for key, by_period in values.items():
        named = dict(zip(dims, key, strict=True))
        name = " · ".join(label(d, named[d], lang) for d in varying)
        colour = palette.flow_colour(named["flow"]) if varying == ["flow"] else ""
        series.append(
            Series(
                name=name or pick(flow.name_zh, flow.name_en, lang),
                code=".".join(key),
                data=[by_period.get(p) for p in periods],
                color=colour,
            )
        )
    return Chart(
        id="explorer",
        kind="line" if len(periods) > 1 else "bar",
        title=pick(flow.name_zh, flow.name_en, lang),
        unit=res.query.unit or _unit_name(*_one_unit(res), lang),
        categories=periods,
        series=series,
        source=pick(flow.source_zh, flow.source_en, lang),
    ), ""


def _one_unit(res: Result) -> tuple[str, int]:
    code, mult = res.first(["unit", "unit_mult"])
    return code, mult


# --------------------------------------------------------------------------- the page


def page_context(
    conn: Connection,
    *,
    scope: Scope,
    res: Result,
    lang: str,
    found: dict[str, list[tuple[str, str]]],
) -> dict[str, Any]:
    """What the explorer page shows: pickers with names, the table, the chart or why not."""
    flow = get_dataflow(res.query.dataflow)
    drawn, why = chart(res, lang)
    return {
        "q": res.query,
        "res": res,
        "flow": flow,
        "flows": all_dataflows(),
        "units": UNITS,
        "flow_groups": ordered.flow_groups(lang),
        "table": table(res, lang),
        "chart": drawn,
        "no_chart": why,
        "choices": found,
        "vintages": vintage_choices(conn, scope=scope, dataflow=flow.id),
        "dimension_names": {d: dimension_name(d, lang) for d in flow.dimensions},
        "protected_by": protected_by(conn, scope=scope, query=res.query, lang=lang),
    }


def protected_by(conn: Connection, *, scope: Scope, query: Query, lang: str) -> str:
    """Which disclosure rules protected the published aggregates of a micro-data view (what
    its release stored), in words; "" when the viewer sees every row or nothing is protected."""
    if permissions.sees_all(scope):
        return ""
    rules = public.protected_by(conn, query.dataflow, as_of=as_of(conn, query.as_of))
    if rules is None:
        return ""
    return (
        pick("公开汇总数据的披露控制", "disclosure control of the published aggregates", lang)
        + pick("：", ": ", lang)
        + disclosure.describe(rules, lang)
    )
