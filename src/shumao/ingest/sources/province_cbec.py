"""各省公布的跨境电商进出口 / the provinces' own releases of cross-border e-commerce.

A province's commerce department (or a news agency quoting it) publishes the province's figure
in its own release, on its own calendar and sometimes on its own basis. Those releases are not
customs' and go to their own dataflow, ``PROVINCE_CBEC``: customs' revision policy counts
customs' releases (``CUSTOMS_CBEC``) only, and every province's figure stays attributed to its
publisher (docs/methods.md §4 and §9.3).

The file is the one of ``customs_cbec`` (one file per release, same columns and checks; 发布机构
names the publisher where the page prints one, in Chinese, as printed: the Zhejiang page of
2025-06-27 names none; the English view names it from ``reference.publishers``, or as written
when that table has no English name for it),
with one rule of its own: every row is a province's (地区 全国 is ``cbec-province-nation``: the
national figure is customs').
"""

from __future__ import annotations

import polars as pl

from shumao.ingest.readers import Table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.ingest.sources.customs_cbec import NATION, area_code, parse_release, refuse_rows
from shumao.validation.findings import Report
from shumao.validation.findings import register as register_codes

DATAFLOW = "PROVINCE_CBEC"

register_codes(
    {
        "cbec-province-nation": {
            "severity": "error",
            "zh": "第 {row} 行的地区是“{value}”：全国的数是海关总署的统计，不属于各省公布的数",
            "en": "row {row}: area {value!r} is the nation, whose figure is customs', not a "
            "province's release",
            "fix_zh": "全国的数请用来源 customs-cbec 导入；本文件只写省级地区。",
            "fix_en": "Import national figures with source customs-cbec; this file takes "
            "provinces only.",
        },
    }
)


def provinces_only(src: pl.DataFrame, table: Table, report: Report, file: str) -> pl.Series:
    """Provinces' rows only: the first national row is ``cbec-province-nation``."""
    nation = pl.Series([_is_nation(a) for a in src["地区"].to_list()], dtype=pl.Boolean)
    refuse_rows(src, nation, "地区", "cbec-province-nation", table, report, file)
    return ~nation


def _is_nation(name: str) -> bool:
    try:
        return area_code(name or "") == NATION
    except LookupError:
        return False  # an unknown name is reported by the code lists


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    return parse_release(ctx, provinces_only)


register(
    Source(
        "province-cbec",
        DATAFLOW,
        "各省公布的跨境电商进出口（按发布）",
        "Provinces' own releases of cross-border e-commerce trade (one file per release)",
        parse,
        example="demo/data/province_cbec/2024-10-10_guangdong_2023.csv",
    )
)
