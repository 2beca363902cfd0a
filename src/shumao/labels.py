"""Names of codes in the user's language, for tables, charts, choosers, messages and notes
(the web, the monitor's messages and the release notes all name codes here)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.index import FRAMEWORKS
from shumao.index.framework import load_framework
from shumao.reference import cbec_modes, ebops
from shumao.reference.names import area_names
from shumao.storage.dataflows import get_dataflow

FLOWS = {
    "X": ("出口", "Exports"),
    "M": ("进口", "Imports"),
    "T": ("进出口", "Total trade"),
    "B": ("差额", "Balance"),
}
FREQS = {"A": ("年度", "Annual"), "Q": ("季度", "Quarterly"), "M": ("月度", "Monthly")}
INDICATORS = {
    "VALUE": ("数值", "Value"),
    "GROWTH_YOY": ("同比增速", "Growth y/y"),
    "SHARE": ("占比", "Share"),
}
SPECIAL = {
    "_Z": ("不适用", "not applicable"),
    "WLD": ("世界", "World"),
    "W00": ("世界", "World"),
    "CHN": ("中国", "China"),
}


def pick(zh: str, en: str, lang: str) -> str:
    """The text in the user's language, falling back to the Chinese one."""
    return en if lang == "en" and en else zh


DIMENSION_NAMES = {
    "ref_area": ("报告方", "Reporter"),
    "counterpart_area": ("伙伴方", "Partner"),
    "product": ("服务类别", "Service item"),
    "flow": ("流向", "Flow"),
    "indicator": ("指标", "Indicator"),
    "freq": ("频率", "Frequency"),
    "time_period": ("时期", "Period"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "unit_mult": ("单位倍数", "Unit multiplier"),
    "obs_status": ("观测状态", "Status"),
    "conf_status": ("保密状态", "Confidentiality"),
    "vintage_id": ("版本", "Vintage"),
}


def source_name(flow_id: str, lang: str) -> str:
    """The source of a dataflow in the user's language (for a 数据来源 line); the id when the
    dataflow is not a shipped one."""
    try:
        flow = get_dataflow(flow_id)
    except UnknownCode:
        return flow_id
    return pick(flow.source_zh, flow.source_en, lang)


def dimension_name(dim: str, lang: str) -> str:
    zh, en = DIMENSION_NAMES.get(dim, (dim, dim))
    return pick(zh, en, lang)


def _area_names(code: str) -> tuple[str, str] | None:
    """(Chinese, English) name of a park, GB/T 2260 area, NBS region or country code."""
    return area_names(code)


def area_name(code: str, lang: str, enterprises: Mapping[str, str] | None = None) -> str:
    if code in SPECIAL:
        return pick(*SPECIAL[code], lang)
    if enterprises and code in enterprises:
        return enterprises[code]
    found = _area_names(code)
    return pick(*found, lang) if found else code


def product_name(code: str, lang: str) -> str:
    if code in SPECIAL:
        return pick(*SPECIAL[code], lang)
    try:
        item = ebops.item(code)
    except UnknownCode:
        return _cbec_name(code, lang)
    return pick(item.name_zh, item.name_en, lang)


def _cbec_name(code: str, lang: str) -> str:
    """A cross-border e-commerce basis or mode (``CUSTOMS_CBEC``'s products), else the code."""
    try:
        mode = cbec_modes.lookup(code)
    except UnknownCode:
        return code
    return pick(mode.name_zh, mode.name_en, lang) if mode.code == code else code


def label(dim: str, code: str, lang: str, enterprises: Mapping[str, str] | None = None) -> str:
    """The name of ``code`` of dimension ``dim`` (the code itself when unknown)."""
    if dim in ("ref_area", "counterpart_area"):
        return area_name(code, lang, enterprises)
    if dim == "product":
        return product_name(code, lang)
    table = {"flow": FLOWS, "freq": FREQS, "indicator": INDICATORS}.get(dim, {})
    if code in table:
        return pick(*table[code], lang)
    if dim == "indicator" and code in _index_codes():
        return pick(*_index_codes()[code], lang)
    return pick(*SPECIAL[code], lang) if code in SPECIAL else code


@lru_cache(maxsize=1)
def _index_codes() -> dict[str, tuple[str, str]]:
    """Names of the composite indices' codes (their dataflows' ``indicator``)."""

    names = {"DTI": ("数字贸易发展指数", "Digital trade development index")}
    for path in sorted(FRAMEWORKS.glob("*.yaml")):
        for node in load_framework(path).nodes:
            names.setdefault(node.code, (node.name("zh"), node.name("en")))
    return names
