"""数字订购贸易 / the report's sources on cross-border e-commerce (dataflow ``CUSTOMS_CBEC``).

customs_cbec           China's cross-border e-commerce by year: T X M (亿元, as published),
                       gT gX gM (published growth), uT uX uM (亿美元 at the year's official
                       average rate), sG (share of goods trade, computed), pG (published share)
customs_cbec_partners  the published partner shares of one year (sX, sM, sT), largest export
                       share first; the Belt and Road aggregate with its bound (``bound``)
digital_trade          the Handbook's total: ordered (跨境电商) + delivered (WTO) − overlap,
                       in 亿美元, as a lower bound when digitally ordered services are unmeasured
"""

from __future__ import annotations

import json

import polars as pl

from shumao.compute.digital_trade import Interval, combine
from shumao.report import figures as fx
from shumao.report.data import Field, Reader, Row, Rows, area_name
from shumao.report.figures import Figure
from shumao.report.source_registry import source

CBEC = "CUSTOMS_CBEC"
NATION = "CHN"
WORLD = "WLD"
SOURCE_CUSTOMS = ("海关总署", "General Administration of Customs")
FLOWS = ("T", "X", "M")


def _national(
    reader: Reader, product: str, first: int, year: int, unit: str
) -> dict[tuple[str, ...], Figure]:
    frame = reader.frame(
        CBEC,
        where={"ref_area": [NATION], "counterpart_area": [WORLD], "product": [product]},
        start=str(first),
        end=str(year),
        unit=unit,
    )
    return reader.figures(frame.filter(pl.col("value").is_not_null()), CBEC, unit)


def _rate(fig: Figure) -> Figure:
    return Figure(fig.value, "%", fig.lineage, 1, fig.label)


def _year_row(
    reader: Reader,
    period: str,
    cny: dict[tuple[str, ...], Figure],
    usd: dict[tuple[str, ...], Figure],
    goods: dict[tuple[str, ...], Figure],
) -> Row:
    row = Row(NATION, period if reader.lang == "en" else f"{period}年", period)
    for f in FLOWS:
        level = cny.get((NATION, f, "VALUE", period))
        if level is not None:
            row.figures[f] = level
            row.figures[f"u{f}"] = usd[(NATION, f, "VALUE", period)]
            whole = goods.get((NATION, f, "VALUE", period))
            if whole is not None:
                row.figures[f"s{f}"] = fx.share(level, whole, "CBEC_SHARE_GOODS")
        for key, field in (("GROWTH_YOY", f"g{f}"), ("SHARE_GOODS", f"p{f}")):
            rate = cny.get((NATION, f, key, period))
            if rate is not None:
                row.figures[field] = _rate(rate)
    return row


@source(
    "customs_cbec",
    "跨境电商进出口（海关总署）：逐年的进出口、出口、进口（亿元、亿美元）、公布增速、占货物贸易比重",
    params=("first",),
)
def cbec(reader: Reader, year: int, *, first: int = 2018) -> Rows:
    cny = _national(reader, "CBEC", first, year, "亿元")
    usd = _national(reader, "CBEC", first, year, "亿美元")
    goods = _national(reader, "GOODS", first, year, "亿元")
    known = sorted({k[3] for k in cny})
    periods = [str(y) for y in range(int(known[0]), year + 1)] if known else []
    rows = [_year_row(reader, p, cny, usd, goods) for p in periods]  # a year without data stays
    fields: dict[str, Field] = {}
    for f in FLOWS:
        fields |= {
            f: Field(f, f, "level", "亿元"),
            f"u{f}": Field(f"u{f}", f, "level", "亿美元"),
            f"g{f}": Field(f"g{f}", f, "growth", "%", 1),
            f"s{f}": Field(f"s{f}", f, "share", "%", 1),
            f"p{f}": Field(f"p{f}", f, "share", "%", 1),
        }
    return Rows("customs_cbec", rows, fields, *SOURCE_CUSTOMS, topic="cbec")


@source(
    "customs_cbec_partners",
    "跨境电商伙伴结构（公布占比，出口在前）；共建“一带一路”国家为分组，带公布的上下限",
)
def partners(reader: Reader, year: int) -> Rows:
    frame = reader.frame(
        CBEC, where={"ref_area": [NATION], "indicator": ["SHARE"]}, start=str(year), end=str(year)
    )
    rows: dict[str, Row] = {}
    for rec in frame.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        code = rec["counterpart_area"]
        row = rows.setdefault(code, Row(code, area_name(code, reader.lang), str(year)))
        one = frame.filter((pl.col("counterpart_area") == code) & (pl.col("flow") == rec["flow"]))
        fig = next(iter(reader.figures(one, CBEC, "%", 1).values()))
        row.figures[f"s{rec['flow']}"] = fig
        bound = json.loads(rec["attrs"] or "{}").get("bound", "")
        row.figures.setdefault(
            "bound",
            Figure(
                1.0 if bound == "lower" else -1.0 if bound else 0.0, "", fig.lineage, 0, fig.label
            ),
        )
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            -(r.figures["sX"].value or 0.0) if "sX" in r.figures else 0.0,
            -(r.figures["sM"].value or 0.0) if "sM" in r.figures else 0.0,
        ),
    )
    fields = {f"s{f}": Field(f"s{f}", f, "share", "%", 1) for f in FLOWS}
    fields["bound"] = Field("bound", "T", "level", "", 0)
    """1: the published share is a lower bound (超过), −1 an upper bound (不足), 0 exact."""
    return Rows("customs_cbec_partners", ordered, fields, *SOURCE_CUSTOMS, topic="cbec")


def _wto_delivered(reader: Reader, year: int) -> Figure | None:
    frame = reader.frame(
        "WTO_DDS",
        where={
            "ref_area": [NATION],
            "product": ["DDS"],
            "counterpart_area": [WORLD],
            "flow": ["X", "M"],
        },
        start=str(year),
        end=str(year),
        unit="亿美元",
    )
    figs = list(
        reader.figures(frame.filter(pl.col("value").is_not_null()), "WTO_DDS", "亿美元").values()
    )
    if len(figs) != 2:
        return None
    return fx.total(figs, f"{area_name(NATION, reader.lang)}·数字交付服务进出口·{year}")


@source(
    "digital_trade",
    "数字贸易（《数字贸易测度手册》框架）：数字订购（跨境电商）+ 数字交付（WTO）− 重叠，亿美元；订购服务未计量时为下限",
)
def digital_trade(reader: Reader, year: int) -> Rows:
    usd = _national(reader, "CBEC", year, year, "亿美元")
    ordered = usd.get((NATION, "T", "VALUE", str(year)))
    delivered = _wto_delivered(reader, year)
    rows = []
    if ordered is not None and delivered is not None:
        got = combine(
            ordered_goods=Interval.at_least(ordered.value or 0.0),
            delivered=Interval.exact(delivered.value or 0.0),
        )
        total = fx.computed(
            "DIGITAL_TRADE_LOWER",
            got.total.lo,
            "亿美元",
            [ordered, delivered],
            label=f"{area_name(NATION, reader.lang)}·数字贸易（下限）·{year}",
            formula="数字订购（跨境电商）+ 数字交付（WTO）− 重叠（已计量部分之间为0）",
        )
        rows.append(
            Row(
                NATION,
                area_name(NATION, reader.lang),
                str(year),
                {"O": ordered, "D": delivered, "L": total},
            )
        )
    fields = {
        "O": Field("O", "T", "level", "亿美元"),
        "D": Field("D", "T", "level", "亿美元"),
        "L": Field("L", "T", "level", "亿美元"),
    }
    return Rows("digital_trade", rows, fields, "海关总署；WTO数据库", "GACC; WTO", topic="cbec")
