"""One sentence per alert, Chinese and English, with its numbers (two decimals, units by name).

"2022年海南省可数字化交付的服务进口10.40亿美元，同比下降34.03%，超过预警阈值20%" — the rule's
template filled from the hit: {area} and {series} by name, {value} {unit} {change}
{threshold} {measure} {period} and the detector's own fields.
"""

from __future__ import annotations

import csv
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

from shumao.labels import area_name, product_name
from shumao.monitor.detectors.common import decode
from shumao.monitor.rules import Rule
from shumao.reference.units import unit_text

PRODUCTS = {
    "S": ("服务", "services"),
    "KIS": ("知识密集型服务", "knowledge-intensive services"),
    "SD": ("旅行服务", "travel services"),
    "DD": ("可数字化交付的服务", "digitally deliverable services"),
}
INDICATORS = {
    "OUTPUT": ("数字产业产值", "digital-industry output"),
    "CUM": ("累计", "year to date"),
}
NBS_FILE = Path(__file__).resolve().parents[1] / "ingest" / "sources" / "nbs_indicators.csv"
BIG = {"USD": 8, "CNY": 8}
"""Money in messages is shown in 亿美元 / 亿元, as the report does."""


@lru_cache(maxsize=1)
def nbs_names() -> dict[str, tuple[str, str]]:
    """NBS provincial indicator code → names (the unit in brackets dropped)."""
    with NBS_FILE.open(encoding="utf-8") as f:
        return {
            r["code"]: (re.sub(r"\s*[(（][^)）]*[)）]$", "", r["name_zh"]), r["name_en"])
            for r in csv.DictReader(f)
        }


def period_text(period: str, lang: str) -> str:
    """2022 → 2022年; 2024-Q3 → 2024年第3季度; 2023-07 → 2023年7月 (English: as written)."""
    if lang != "zh" or not period:
        return period
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", period):
        return f"{m[1]}年第{m[2]}季度"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return f"{m[1]}年{int(m[2])}月"
    return period


FLOW_WORDS = {
    "X": ("出口", "exports"),
    "M": ("进口", "imports"),
    "T": ("进出口", "trade"),
    "B": ("差额", "balance"),
}


def series_name(hit: dict[str, Any], lang: str) -> str:
    i = 0 if lang == "zh" else 1
    product, flow, indicator = hit.get("product"), hit.get("flow"), hit.get("indicator")
    parts = []
    fields = decode(hit.get("fields") or "")
    if fields.get("name_zh"):
        return str(fields["name_zh" if lang == "zh" else "name_en"])
    if indicator in INDICATORS and indicator != "CUM":
        parts.append(INDICATORS[indicator][i])
    elif indicator in nbs_names():
        parts.append(nbs_names()[indicator][i])
    if product and product not in ("_Z", "_T"):
        parts.append(PRODUCTS[product][i] if product in PRODUCTS else product_name(product, lang))
    if flow in FLOW_WORDS:
        parts.append(FLOW_WORDS[flow][i])
    if indicator == "CUM":
        parts.append(INDICATORS["CUM"][i])
    return ("" if lang == "zh" else " ").join(parts)


def _num(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10000 else f"{value:.2f}"
    return value


def _bound(value: Any) -> Any:
    """A threshold as it was set: 20 → "20", 1.5 → "1.50"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _num(value)


def _in_big_units(hit: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Money in 亿 (USD × 10^8, CNY × 10^8): value, threshold and the earlier values."""
    unit, mult = hit.get("unit"), hit.get("unit_mult")
    if unit not in BIG or mult is None or mult == BIG[unit]:
        return hit
    scale = 10.0 ** (int(mult) - BIG[unit])
    out = {**hit, "unit_mult": BIG[unit]}
    for key in ("value", "threshold") if hit.get("rule_kind") != "decline" else ("value",):
        if isinstance(hit.get(key), int | float) and key == "value":
            out[key] = hit[key] * scale
    for key in ("prev", "previous"):
        if isinstance(fields.get(key), int | float):
            fields[key] = fields[key] * scale
    return out


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(
    rule: Rule,
    hit: dict[str, Any],
    lang: str,
    *,
    enterprises: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    fields = decode(hit.get("fields") or "")
    hit = _in_big_units(hit, fields)
    values: dict[str, Any] = {k: _num(v) for k, v in fields.items()}
    change = fields.get("change")
    values.update(
        area=area_name(hit["ref_area"], lang, enterprises) if hit.get("ref_area") else "",
        series=series_name(hit, lang),
        period=period_text(str(hit.get("period", "")), lang),
        value=_num(hit.get("value")),
        threshold=_bound(hit.get("threshold")),
        measure=_num(hit.get("measure")),
        unit=unit_text(hit.get("unit"), hit.get("unit_mult"), lang),
        change=_num(abs(change)) if isinstance(change, int | float) else "",
    )
    if "sources" in fields and isinstance(fields["sources"], dict):
        values["sources"] = ("，" if lang == "zh" else "; ").join(
            f"{k} {_num(float(v))}" for k, v in fields["sources"].items()
        )
    if hit.get("counterpart_area"):
        values["partner"] = area_name(str(hit["counterpart_area"]), lang)
    if isinstance(fields.get("top"), str):  # the largest part, by name: a partner or an item
        by_item = rule.params.get("dim") == "product"
        values["top"] = (product_name if by_item else area_name)(fields["top"], lang)
    for key in [k[:-3] for k in fields if k.endswith("_zh") and k[:-3] + "_en" in fields]:
        values[key] = fields[f"{key}_{'zh' if lang == 'zh' else 'en'}"]  # measure, projects …
    for key in [k[:-3] for k in fields if k.endswith("_en") and k[:-3] in fields]:
        values[key] = fields[
            key if lang == "zh" else f"{key}_en"
        ]  # a target's status, 关注 / watch
    values.update(extra or {})
    template = rule.message_zh if lang == "zh" else rule.message_en
    return string.Formatter().vformat(template, (), _Safe(values))
