"""官方表格的内部一致性检查 / arithmetic checks of an official table, as findings.

A published table repeats one fact several ways: a total and its parts, exports, imports and
their sum, a growth rate and the two values it compares, a share and its numerator and
denominator. ``check_table`` recomputes each such identity from the printed figures and reports
every one that fails **beyond rounding** as a finding (severity warning); the data are never
changed.

Rounding: a printed figure stands for an interval (``96.2`` for [96.15, 96.25]); the number of
decimals is that of the printed column (``with_precision``). Every check is done in interval arithmetic, so a
finding means no choice of unrounded figures satisfies the identity.

| code | identity |
|---|---|
| ``table-flow-sum``      | 进出口 T = 出口 X + 进口 M |
| ``table-balance``       | 顺差 B = 出口 X − 进口 M |
| ``table-parts-total``   | a printed total = the sum of its printed parts (hierarchy) |
| ``table-growth``        | printed growth = growth from the two periods' printed values |
| ``table-growth-parts``  | the total's printed growth agrees with its parts' growth (previous-year values implied by value / (1 + growth) must add up) |
| ``table-share``         | printed share = value / the parent's value × 100 |
| ``table-part-exceeds``  | a part (X or M) is larger than its total T |

``check_table`` also runs the period-to-period edits of ``table_edits`` (HB and ratio edits on
each series' own history and against its peers, zero checks), the same edits filings get.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from shumao.compute import table_edits
from shumao.compute.hierarchy import Hierarchy, ebops_tree, geography
from shumao.compute.periods import previous_period
from shumao.storage.tables import DIMENSIONS
from shumao.validation import findings
from shumao.validation.findings import Finding, Report, finding

_WHERE_ZH = "{where}："
_FIX_ZH = "核对原表或其来源；如确为原表所印，在使用时注明。不修改数据。"
_FIX_EN = "Check the printed table and its source; if it is printed so, say so where it is used. " \
          "The data are not changed."
CODES: dict[str, dict[str, str]] = {
    "table-flow-sum": {
        "severity": "warning",
        "zh": _WHERE_ZH + "进出口 {total} ≠ 出口 + 进口 = {computed}（差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: total {total} ≠ exports + imports = {computed} (difference {diff}, "
              "rounding allows {tol})",
    },
    "table-balance": {
        "severity": "warning",
        "zh": _WHERE_ZH + "顺差 {total} ≠ 出口 − 进口 = {computed}（差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: balance {total} ≠ exports − imports = {computed} (difference {diff}, "
              "rounding allows {tol})",
    },
    "table-parts-total": {
        "severity": "warning",
        "zh": _WHERE_ZH + "合计 {total} ≠ 各组成部分之和 {computed}（{parts}；差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: total {total} ≠ sum of its parts {computed} ({parts}; difference {diff}, "
              "rounding allows {tol})",
    },
    "table-growth": {
        "severity": "warning",
        "zh": _WHERE_ZH + "公布增速 {printed}% 与两期数值计算的 {computed}% 不符（舍入后可能范围 {low}%～{high}%）",
        "en": "{where}: printed growth {printed}% differs from {computed}% computed from the two "
              "periods (rounding allows {low}% to {high}%)",
    },
    "table-growth-parts": {
        "severity": "warning",
        "zh": _WHERE_ZH + "进出口增速 {printed}% 与出口、进口增速不一致：由分项推算应为 {computed}%"
              "（舍入后可能范围 {low}%～{high}%）",
        "en": "{where}: the total's growth {printed}% disagrees with its parts' growth: the parts "
              "imply {computed}% (rounding allows {low}% to {high}%)",
    },
    "table-share": {
        "severity": "warning",
        "zh": _WHERE_ZH + "公布占比 {printed}% 与数值计算的 {computed}%（{numerator} / {parent_value}）不符"
              "（舍入后可能范围 {low}%～{high}%）",
        "en": "{where}: printed share {printed}% differs from {computed}% computed from the values "
              "({numerator} / {parent_value}; rounding allows {low}% to {high}%)",
    },
    "table-part-exceeds": {
        "severity": "warning",
        "zh": _WHERE_ZH + "分项 {part}（{flow}）大于进出口合计 {total}",
        "en": "{where}: the part {part} ({flow}) is larger than the total {total}",
    },
}
for _entry in CODES.values():
    _entry.update(fix_zh=_FIX_ZH, fix_en=_FIX_EN)
if not set(CODES) <= set(findings.catalogue()):
    findings.register({k: v for k, v in CODES.items() if k not in findings.catalogue()})

KEY = [*DIMENSIONS, "time_period"]


@dataclass
class Tally:
    """How many identities each check tested (a clean report should say what it looked at)."""

    counts: dict[str, int]

    def add(self, code: str, n: int = 1) -> None:
        self.counts[code] = self.counts.get(code, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --------------------------------------------------------------------------- intervals


def decimals(value: float, most: int = 6) -> int:
    """Decimals a printed figure had: 96.2 → 1, 151.38 → 2, 3727 → 0."""
    for d in range(most + 1):
        if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value)):
            return d
    return most


def half_unit(value: float) -> float:
    return 0.5 * 10.0 ** -decimals(value)


@dataclass(frozen=True)
class Span:
    """The unrounded values a printed figure may stand for."""

    low: float
    high: float

    @classmethod
    def printed(cls, value: float) -> Span:
        h = half_unit(value)
        return cls(value - h, value + h)

    def __add__(self, other: Span) -> Span:
        return Span(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Span) -> Span:
        return Span(self.low - other.high, self.high - other.low)

    def __truediv__(self, other: Span) -> Span:
        if other.low <= 0:
            return Span(-math.inf, math.inf)
        candidates = [self.low / other.low, self.low / other.high, self.high / other.low,
                      self.high / other.high]
        return Span(min(candidates), max(candidates))

    def overlaps(self, other: Span) -> bool:
        eps = 1e-9 * max(1.0, abs(self.low), abs(other.low))
        return self.low <= other.high + eps and other.low <= self.high + eps


def _pct(span: Span, minus_one: bool) -> Span:
    shift = 1.0 if minus_one else 0.0
    return Span((span.low - shift) * 100.0, (span.high - shift) * 100.0)


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "∞"


# --------------------------------------------------------------------------- checks


def _where(row: dict[str, object]) -> str:
    keys = [f"{d}={row[d]}" for d in DIMENSIONS if row.get(d) not in (None, "_Z")]
    return " ".join([*keys, str(row.get("time_period", ""))])


def with_precision(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_h``, half a unit of the last printed digit, per printed column.

    A printed column has one number of decimals; a value whose last decimals are zeros
    (``8.0`` stored as 8.0) cannot show it, so the column's largest count of decimals is used.
    The column is the one named in ``attrs`` by the importer, else indicator × flow × product.
    """
    if "_h" in frame.columns:
        return frame
    column = pl.col("attrs").str.json_path_match("$.column").fill_null("")
    table = pl.col("attrs").str.json_path_match("$.table").fill_null("")
    decimals_ = pl.col("value").map_elements(decimals, return_dtype=pl.Int64, skip_nulls=True)
    keyed = frame.with_columns(table.alias("_t"), column.alias("_c"), decimals_.alias("_d"))
    return keyed.with_columns(
        (0.5 * pl.lit(10.0).pow(-pl.col("_d").max().over(["_t", "_c", "indicator", "flow",
                                                            "product"]).cast(pl.Float64)))
        .alias("_h")).drop("_t", "_c", "_d")


def _span(value: float, half: float | None) -> Span:
    h = half_unit(value) if half is None else half
    return Span(value - h, value + h)


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("indicator").is_in(["VALUE", "_Z"]) & pl.col("value").is_not_null())


def _by_flow(frame: pl.DataFrame, indicator: Iterable[str]) -> pl.DataFrame:
    """One row per key (flow excluded) with a column per flow and ``h<flow>`` its precision."""
    keys = [d for d in DIMENSIONS if d not in ("flow", "indicator")] + ["time_period"]
    data = frame.filter(pl.col("indicator").is_in(list(indicator)) & pl.col("value").is_not_null())
    if data.is_empty():
        return pl.DataFrame()
    values = data.pivot(on="flow", index=keys, values="value", aggregate_function="first")
    halves = data.pivot(on="flow", index=keys, values="_h", aggregate_function="first")
    halves = halves.rename({f: f"h{f}" for f in halves.columns if f not in keys})
    return values.join(halves, on=keys, nulls_equal=True)


def check_flows(frame: pl.DataFrame, file: str = "", tally: Tally | None = None) -> list[Finding]:
    """T = X + M, B = X − M, and no part larger than T."""
    out: list[Finding] = []
    wide = _by_flow(with_precision(frame), ["VALUE", "_Z"])
    for row in wide.iter_rows(named=True) if wide.height else []:
        printed = {f: (row[f], _span(row[f], row.get(f"h{f}")))
                   for f in ("X", "M", "T", "B") if row.get(f) is not None}
        out += _flow_identities(printed, _where(row), file, tally)
    return out


def _flow_identities(printed: dict[str, tuple[float, Span]], where: str, file: str,
                     tally: Tally | None) -> list[Finding]:
    out: list[Finding] = []
    x, m, t, b = (printed.get(f) for f in ("X", "M", "T", "B"))
    if x and m and t:
        _count(tally, "table-flow-sum")
        out += _identity("table-flow-sum", t[1], x[1] + m[1], t[0], x[0] + m[0], where, file)
    for part, flow in ((x, "X"), (m, "M")):
        if part is None or t is None:
            continue
        _count(tally, "table-part-exceeds")
        if part[1].low > t[1].high:
            out.append(finding("table-part-exceeds", file=file, value=part[0], where=where,
                               part=_fmt(part[0]), flow=flow, total=_fmt(t[0])))
    if x and m and b:
        _count(tally, "table-balance")
        out += _identity("table-balance", b[1], x[1] - m[1], b[0], x[0] - m[0], where, file)
    return out


def _count(tally: Tally | None, code: str) -> None:
    if tally is not None:
        tally.add(code)


def _identity(code: str, printed: Span, computed: Span, total: float, value: float, where: str,
              file: str, parts: str = "") -> list[Finding]:
    if printed.overlaps(computed):
        return []
    tol = (printed.high - printed.low + computed.high - computed.low) / 2
    return [finding(code, file=file, value=total, where=where, total=_fmt(total),
                    computed=_fmt(value), diff=_fmt(total - value), tol=_fmt(tol), parts=parts)]


def check_parts(frame: pl.DataFrame, hierarchy: Hierarchy, file: str = "",
                tally: Tally | None = None) -> list[Finding]:
    """Every printed total whose parts are all printed equals their sum."""
    dim = hierarchy.dim
    data = _values(with_precision(frame))
    children: dict[str, list[str]] = {}
    for code, parent in hierarchy.nodes.select("code", "parent").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    others = [k for k in KEY if k != dim]
    out: list[Finding] = []
    for _, part in data.group_by(others, maintain_order=True):
        cells = {c: (v, h) for c, v, h in part.select(dim, "value", "_h").iter_rows()}
        for code, (total, half) in cells.items():
            kids = children.get(code, [])
            if not kids or any(k not in cells for k in kids):
                continue
            _count(tally, "table-parts-total")
            computed = sum((_span(*cells[k]) for k in kids), Span(0.0, 0.0))
            row = part.row(0, named=True) | {dim: code}
            out += _identity("table-parts-total", _span(total, half), computed, total,
                             sum(cells[k][0] for k in kids), _where(row), file,
                             parts=" + ".join(kids))
    return out


def check_growth(frame: pl.DataFrame, file: str = "", tally: Tally | None = None
                 ) -> list[Finding]:
    """Printed growth against the two periods' printed values, where both are there."""
    frame = with_precision(frame)
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    growth = frame.filter(pl.col("indicator") == "GROWTH_YOY").select(
        *keys, pl.col("value").alias("g"), pl.col("_h").alias("hg"))
    values = _values(frame).select(*keys, "value", "_h", "unit", "unit_mult")
    prev = values.rename({"time_period": "_pp", "value": "prev", "_h": "hp"})
    # two periods compare only in one unit: a release in 亿美元 after one in 亿元 is no growth
    both = growth.join(values, on=keys).with_columns(
        previous_period(pl.col("time_period"), years=1).alias("_pp")).join(
        prev, on=[*[k for k in keys if k != "time_period"], "_pp", "unit", "unit_mult"])
    out: list[Finding] = []
    for row in both.iter_rows(named=True):
        _count(tally, "table-growth")
        computed = _pct(_span(row["value"], row["_h"]) / _span(row["prev"], row["hp"]), True)
        if not _span(row["g"], row["hg"]).overlaps(computed):
            out.append(finding("table-growth", file=file, value=row["g"], where=_where(row),
                               printed=_fmt(row["g"]),
                               computed=_fmt((row["value"] / row["prev"] - 1) * 100),
                               low=_fmt(computed.low), high=_fmt(computed.high)))
    return out


def _prior(value: float, growth: float, hv: float | None, hg: float | None) -> Span:
    v, g = _span(value, hv), _span(growth, hg)
    return Span(v.low / (1 + g.high / 100), v.high / (1 + g.low / 100))


def check_growth_parts(frame: pl.DataFrame, file: str = "", tally: Tally | None = None
                       ) -> list[Finding]:
    """The total's growth against the growth implied by exports and imports."""
    frame = with_precision(frame)
    values, growth = _by_flow(frame, ["VALUE", "_Z"]), _by_flow(frame, ["GROWTH_YOY"])
    if values.is_empty() or growth.is_empty():
        return []
    flows = {"X", "M", "T", "B"}
    keys = [c for c in values.columns if c not in flows and c not in {f"h{f}" for f in flows}]
    both = values.join(growth, on=keys, suffix="_g", nulls_equal=True)
    out: list[Finding] = []
    for row in both.iter_rows(named=True):
        if any(row.get(k) is None for k in ("T", "X", "M", "T_g", "X_g", "M_g")):
            continue
        _count(tally, "table-growth-parts")
        prior_parts = (_prior(row["X"], row["X_g"], row.get("hX"), row.get("hX_g"))
                       + _prior(row["M"], row["M_g"], row.get("hM"), row.get("hM_g")))
        implied = _pct(_span(row["T"], row.get("hT")) / prior_parts, True)
        if not _span(row["T_g"], row.get("hT_g")).overlaps(implied):
            mid = (row["X"] / (1 + row["X_g"] / 100) + row["M"] / (1 + row["M_g"] / 100))
            out.append(finding("table-growth-parts", file=file, value=row["T_g"],
                               where=_where(row), printed=_fmt(row["T_g"]),
                               computed=_fmt((row["T"] / mid - 1) * 100), low=_fmt(implied.low),
                               high=_fmt(implied.high)))
    return out


def check_shares(frame: pl.DataFrame, hierarchy: Hierarchy, file: str = "",
                 tally: Tally | None = None) -> list[Finding]:
    """Printed ``SHARE`` (of the total flow T) against value / parent value × 100."""
    frame = with_precision(frame)
    dim = hierarchy.dim
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    shares = frame.filter(pl.col("indicator") == "SHARE").select(
        *keys, pl.col("value").alias("s"), pl.col("_h").alias("hs"))
    values = _values(frame).select(*keys, "value", "_h")
    parents = hierarchy.nodes.drop_nulls("parent").select(pl.col("code").alias(dim),
                                                         pl.col("parent").alias("_parent"))
    parent_values = values.rename({dim: "_parent", "value": "pv", "_h": "hpv"})
    joined = shares.join(values, on=keys).join(parents, on=dim).join(
        parent_values, on=["_parent", *[k for k in keys if k != dim]])
    out: list[Finding] = []
    for row in joined.iter_rows(named=True):
        _count(tally, "table-share")
        computed = _pct(_span(row["value"], row["_h"]) / _span(row["pv"], row["hpv"]), False)
        if not _span(row["s"], row["hs"]).overlaps(computed):
            out.append(finding(
                "table-share", file=file, value=row["s"], where=_where(row),
                printed=_fmt(row["s"]), computed=_fmt(row["value"] / row["pv"] * 100),
                numerator=_fmt(row["value"]), parent_value=_fmt(row["pv"]),
                low=_fmt(computed.low), high=_fmt(computed.high)))
    return out


def check_table(frame: pl.DataFrame, *, hierarchies: Sequence[Hierarchy] | None = None,
                file: str = "", tally: Tally | None = None, history: bool = True) -> Report:
    """Every check above on one official table (or a whole dataflow); findings only.

    Totals are checked along ``hierarchies`` (default: geography, EBOPS under services ``S``
    and under 可数字化交付 ``DD``); shares against the parent in the first of them over
    ``ref_area``. With ``history`` the period-to-period edits of ``table_edits`` run too
    (each series against its own history and its peers, zeros, totals equal to a part).
    A ``_row`` column, when present, locates those findings in the file.
    """
    trees = list(hierarchies) if hierarchies is not None else [
        geography(), ebops_tree("S"), ebops_tree("DD")]
    report = Report(source=file)
    frame = with_precision(frame)
    report.extend(check_flows(frame, file, tally))
    for tree in trees:
        report.extend(check_parts(frame, tree, file, tally))
    report.extend(check_growth(frame, file, tally))
    report.extend(check_growth_parts(frame, file, tally))
    area_tree = next((t for t in trees if t.dim == "ref_area"), None)
    if area_tree is not None:
        report.extend(check_shares(frame, area_tree, file, tally))
    if history:
        report.extend(table_edits.check_history(frame, file=file,
                                                count=tally.add if tally else None))
    return report
