"""核对 / fact-check: each claim matched to the store's figure, recomputed, and judged.

A claim agrees when the printed number and the recomputed figure can be the same number: the
printed value stands for an interval (± half a unit of its last digit), and so does a figure
computed from published, rounded inputs (``bounds``: the computation's range over the inputs'
own rounding). Disjoint intervals are a disagreement, shown with the computation. A claim the
data cannot support (its subject, flow or period is not in the store; 湖南 when only the 12
provinces of the bases are) is listed as such, with the reason, never dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shumao.reference import geo, parks
from shumao.report import claims as cl
from shumao.report.data import Field, Row, Rows, area_name, decimals
from shumao.report.figures import STORED, Figure
from shumao.report.sentences import fmt

STATUS_ZH = {"ok": "一致", "mismatch": "不一致", "unsupported": "无法核对"}
RATE_KINDS = {"growth", "share", "share_world", "growth_total", "cagr"}


@dataclass(frozen=True)
class Checked:
    id: str
    claim: cl.Claim
    status: str
    figure: Figure | None = None
    reason: str = ""

    def explain(self, lang: str = "zh") -> str:
        if self.figure is None or self.figure.missing:
            return self.reason
        lo, hi = bounds(self.figure)
        shown = fmt(self.figure.value, 2)  # type: ignore[arg-type]
        rng = "" if hi - lo < 1e-9 else f"（按公布数的舍入范围 {fmt(lo, 2)}～{fmt(hi, 2)}）"
        how = self.figure.formula or "库中数值"
        vint = "、".join(
            sorted({f"{s.dataflow} v{s.vintage}" for s in self.figure.lineage.stored()})
        )
        return (
            f"报告 {self.claim.printed}{self.claim.unit}，库中 {shown}{rng}；"
            f"计算：{how}；来源：{vint}"
        )


# --------------------------------------------------------------------------- bounds


def bounds(fig: Figure) -> tuple[float, float]:
    """The range a figure can have given the rounding of the published values it rests on."""
    lin = fig.lineage
    v = fig.value or 0.0
    if lin.indicator == STORED:
        half = 0.5 * 10 ** -(fig.decimals if fig.decimals >= 0 else decimals(v))
        return v - half, v + half
    ins = [bounds(f) for f in lin.inputs]
    kind = lin.indicator
    if kind in ("SHARE_PARENT", "SHARE_WORLD"):
        (alo, ahi), (blo, bhi) = ins
        return alo / bhi * 100, ahi / blo * 100
    if kind in ("GROWTH_YOY", "GROWTH_TOTAL"):
        (alo, ahi), (blo, bhi) = ins
        return (alo / bhi - 1) * 100, (ahi / blo - 1) * 100
    if kind in ("BALANCE", "CHANGE"):
        (alo, ahi), (blo, bhi) = ins
        return alo - bhi, ahi - blo
    if kind == "SUM":
        return sum(b[0] for b in ins), sum(b[1] for b in ins)
    if kind == "PRIOR_FROM_GROWTH":
        (xlo, xhi), (glo, ghi) = ins
        return xlo / (1 + ghi / 100), xhi / (1 + glo / 100)
    if kind == "CAGR":
        (alo, ahi), (blo, bhi) = ins
        years = int(lin.inputs[0].lineage.period[:4]) - int(lin.inputs[1].lineage.period[:4])
        return ((alo / bhi) ** (1 / years) - 1) * 100, ((ahi / blo) ** (1 / years) - 1) * 100
    return v, v


# --------------------------------------------------------------------------- matching


def _field_kind(kind: str, period: str, row: Row) -> set[str]:
    if kind == "level" and period and row.period.isdigit() and period.isdigit():
        back = int(row.period) - int(period)
        return {"level" if back == 0 else f"level_prev{back}"}
    return {kind}


def find(claim: cl.Claim, data: dict[str, Rows]) -> tuple[Figure | None, str]:
    """The figure that supports ``claim``, or why there is none."""
    if not claim.subject:
        return None, "看不出这个数字说的是哪个地区或对象 / no subject recognised"
    if not claim.period:
        return None, "看不出这个数字的期间 / no period recognised"
    if claim.kind in ("unknown", "pp"):
        return None, "库中没有可对应的指标（百分点变化或含义不明）/ no matching indicator"
    if not claim.topic or claim.topic == "other":
        return (
            None,
            "说的不是库中的指标（如跨境电商、外资、企业数）/ not about a measure in the store",
        )
    currency = "亿元" if claim.unit.endswith("元") and not claim.unit.endswith("美元") else "亿美元"
    subject_rows = [
        (rows, r)
        for rows in data.values()
        for r in rows
        if r.code == claim.subject and rows.topic == claim.topic
    ]
    if not subject_rows:
        return None, f"库中没有“{area_name(claim.subject)}”的数据 / no data for this subject"
    for rows, row in subject_rows:
        for name, f in rows.fields.items():
            if name in row.figures and _fits(claim, f, row, currency):
                return row.figures[name], ""
    return None, (
        f"库中没有{area_name(claim.subject)}{claim.period}年的这一数值"
        f"（{claim.kind}/{claim.flow or '?'}）/ the store has no such figure"
    )


def _fits(claim: cl.Claim, f: Field, row: Row, currency: str) -> bool:
    """Whether field ``f`` of ``row`` measures what ``claim`` says (flow, kind, period, unit)."""
    if f.flow != (claim.flow or f.flow):
        return False
    if claim.kind in ("level", "change") and f.unit != currency:
        return False
    kinds = _field_kind(claim.kind, claim.period, row)
    if f.kind not in kinds:
        return False
    if claim.kind != "level" and claim.period and row.period != claim.period:
        return False
    if claim.kind == "level" and "level" not in kinds and not row.period.isdigit():
        return False
    return not (claim.kind == "growth_total" and claim.since and f.since != claim.since)


def judge(claim: cl.Claim, fig: Figure) -> str:
    if fig.missing:
        return "unsupported"
    lo, hi = bounds(fig)
    lo, hi = min(lo, hi), max(lo, hi)
    value = claim.value or 0.0
    tol = claim.tolerance
    # open intervals: 16.03 and 16.04, both printed to two decimals, are different numbers
    return "ok" if value + tol > lo + 1e-12 and value - tol < hi - 1e-12 else "mismatch"


def _top(claim: cl.Claim, data: dict[str, Rows]) -> Checked:
    codes = [r.code for r in geo.provinces()]
    if claim.subject:
        codes = list(geo.lookup_region(claim.subject).provinces)
    pool = next((rows for rows in data.values() if any(r.code in codes for r in rows)), None)
    if pool is None:
        return Checked("", claim, "unsupported", reason="库中没有这些省市的数据 / no data")
    absent = [c for c in claim.names if pool.row(c) is None]
    if absent:
        names = "、".join(area_name(c) for c in absent)
        return Checked(
            "",
            claim,
            "unsupported",
            reason=f"库中只有部分省市（缺{names}），无法排名 / the store holds only some provinces",
        )
    top = [r.code for r in pool.top(int(claim.value or 0), claim.flow or "T", codes)]
    if top == list(claim.names):
        return Checked("", claim, "ok", reason="、".join(area_name(c) for c in top))
    return Checked(
        "",
        claim,
        "mismatch",
        reason="库中排序 / the store's order: " + "、".join(area_name(c) for c in top),
    )


def _members(claim: cl.Claim, year: int) -> Checked:
    if claim.subject != "DSEB":
        return _region_members(claim)
    listed = [p.code for p in parks.parks() if not p.designated or p.designated[:4] <= str(year)]
    said = list(dict.fromkeys(claim.names))
    if len(said) == int(claim.value or 0) and set(said) == set(listed):
        return Checked("", claim, "ok", reason=f"{len(listed)} 家，名单一致 / same list")
    missing = [parks.lookup(c).name_zh for c in listed if c not in said]
    return Checked(
        "",
        claim,
        "mismatch",
        reason=f"参考名录 {len(listed)} 家；未认出或缺少："
        f"{'、'.join(missing) or '—'} / the reference list differs",
    )


def _region_members(claim: cl.Claim) -> Checked:
    """ "东部地区包括北京、天津……" against the NBS four regions (reference data)."""
    members = list(geo.lookup_region(claim.subject).provinces)
    said = list(dict.fromkeys(claim.names))
    if set(said) == set(members):
        return Checked(
            "", claim, "ok", reason=f"{len(members)} 个省市，与国家统计局四大地区划分一致"
        )
    extra = "、".join(area_name(c) for c in said if c not in members) or "—"
    lacking = "、".join(area_name(c) for c in members if c not in said) or "—"
    return Checked(
        "",
        claim,
        "mismatch",
        reason=f"国家统计局划分：多列 {extra}；缺 {lacking} / differs from the NBS regions",
    )


def check_claim(claim: cl.Claim, data: dict[str, Rows], year: int) -> Checked:
    if claim.kind == "top":
        return _top(claim, data)
    if claim.kind == "members":
        return _members(claim, year)
    fig, why = find(claim, data)
    if fig is None:
        return Checked("", claim, "unsupported", reason=why)
    status = judge(claim, fig)
    return Checked("", claim, status, fig)


def check_text(text: str, data: dict[str, Rows], year: int, prefix: str = "c") -> list[Checked]:
    out = []
    for i, claim in enumerate(cl.extract(text), start=1):
        checked = check_claim(claim, data, year)
        out.append(
            Checked(f"{prefix}#{i}", checked.claim, checked.status, checked.figure, checked.reason)
        )
    return out


def isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
