"""The findings of the table checks: their codes and bilingual texts, and a tally of what was checked."""

from __future__ import annotations

from dataclasses import dataclass

from shumao.compute.consistency.intervals import Span, fmt
from shumao.storage.tables import DIMENSIONS
from shumao.validation import findings
from shumao.validation.findings import Finding, finding

_WHERE_ZH = "{where}："
_FIX_ZH = "核对原表或其来源；如确为原表所印，在使用时注明。不修改数据。"
_FIX_EN = (
    "Check the printed table and its source; if it is printed so, say so where it is used. "
    "The data are not changed."
)
CODES: dict[str, dict[str, str]] = {
    "table-flow-sum": {
        "severity": "warning",
        "zh": _WHERE_ZH
        + "进出口 {total} ≠ 出口 + 进口 = {computed}（差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: total {total} ≠ exports + imports = {computed} (difference {diff}, "
        "rounding allows {tol})",
    },
    "table-balance": {
        "severity": "warning",
        "zh": _WHERE_ZH
        + "顺差 {total} ≠ 出口 − 进口 = {computed}（差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: balance {total} ≠ exports − imports = {computed} (difference {diff}, "
        "rounding allows {tol})",
    },
    "table-parts-total": {
        "severity": "warning",
        "zh": _WHERE_ZH
        + "合计 {total} ≠ 各组成部分之和 {computed}（{parts}；差 {diff}，超出舍入误差 {tol}）",
        "en": "{where}: total {total} ≠ sum of its parts {computed} ({parts}; difference {diff}, "
        "rounding allows {tol})",
    },
    "table-growth": {
        "severity": "warning",
        "zh": _WHERE_ZH
        + "公布增速 {printed}% 与两期数值计算的 {computed}% 不符（舍入后可能范围 {low}%～{high}%）",
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
        "zh": _WHERE_ZH
        + "公布占比 {printed}% 与数值计算的 {computed}%（{numerator} / {parent_value}）不符"
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


def where_of(row: dict[str, object]) -> str:
    keys = [f"{d}={row[d]}" for d in DIMENSIONS if row.get(d) not in (None, "_Z")]
    return " ".join([*keys, str(row.get("time_period", ""))])


def count(tally: Tally | None, code: str) -> None:
    if tally is not None:
        tally.add(code)


def identity(
    code: str,
    printed: Span,
    computed: Span,
    total: float,
    value: float,
    where: str,
    file: str,
    parts: str = "",
) -> list[Finding]:
    if printed.overlaps(computed):
        return []
    tol = (printed.high - printed.low + computed.high - computed.low) / 2
    return [
        finding(
            code,
            file=file,
            value=total,
            where=where,
            total=fmt(total),
            computed=fmt(value),
            diff=fmt(total - value),
            tol=fmt(tol),
            parts=parts,
        )
    ]
