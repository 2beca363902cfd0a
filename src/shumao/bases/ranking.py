"""Rankings of the bases as in the 2022 report's 表3 (digitally deliverable trade) and 表4
(digital-industry output): scale, year-on-year growth, compound annual growth over the years
shown, and the share of the area around the base.

Published figures are read through ``access.read`` (the public sees released vintages
only). Where a base has no published figure, the sum of its direct-reporting enterprises
(``ENT_DDS``, digitally deliverable items) stands in for the platform's own users (the public
and enterprises see released figures only) — and those cells go through primary disclosure
control (``release.disclosure.primary``: fewer than three enterprises, or one or
two of them above 85 %): a viewer outside the base's scope sees "保密" instead of the value
and the base is not ranked on it. No total of such cells is shown, so no secondary
suppression is needed. The share is of the base's **city** where the store holds the city's
figure, else of its **province** (表2), and says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, select

from shumao import access as data_access
from shumao.auth.scope import Scope
from shumao.bases import access, registry
from shumao.collection.tables import enterprise
from shumao.labels import pick
from shumao.reference import ebops, units
from shumao.release import disclosure
from shumao.storage import vintages

KINDS = {
    "trade": (
        "表3 可数字化交付服务进出口额",
        "Table 3: digitally deliverable services trade",
        "亿美元",
    ),
    "output": ("表4 数字产业产值", "Table 4: digital-industry output", "亿元"),
}


@dataclass
class Row:
    code: str
    name: str
    value: float | None
    previous: float | None
    growth: float | None
    cagr: float | None
    since: str | None
    share: float | None
    share_of: str
    source: str
    suppressed: bool = False
    rank: int | None = None
    series: dict[str, float] = field(default_factory=dict)


def _series(frame: pl.DataFrame, unit: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for row in frame.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        value = units.convert(
            row["value"],
            units.Unit(row["unit"], row["unit_mult"], "", ""),
            unit,
            year=int(row["time_period"][:4]),
        )
        out.setdefault(row["ref_area"], {})[row["time_period"][:4]] = value
    return out


def published(
    conn: Connection, scope: Scope, kind: str, codes: list[str]
) -> dict[str, dict[str, float]]:
    if kind == "trade":
        where = {"ref_area": codes, "product": ["DD"], "flow": ["T"], "indicator": ["VALUE"]}
        frame = data_access.read(conn, scope, "MOFCOM_REPORT", where=where)
    else:
        frame = data_access.read(
            conn, scope, "MOFCOM_BASE_OUTPUT", where={"ref_area": codes, "indicator": ["OUTPUT"]}
        )
    return _series(frame, KINDS[kind][2])


def enterprise_cells(conn: Connection, codes: list[str]) -> pl.DataFrame:
    """Per base and year: the enterprises' digitally deliverable trade (exports + imports,
    亿美元), their number and the two largest, with the primary-suppression flag."""
    firms = conn.execute(
        select(enterprise.c.uscc, enterprise.c.park_code).where(enterprise.c.park_code.in_(codes))
    ).all()
    if not firms:
        return pl.DataFrame()
    park = dict(firms)
    items = [
        i.code
        for i in ebops.all_items()
        if i.digitally_deliverable and i.level == 2 and not i.is_aggregate
    ]
    frame = vintages.read(
        conn, "ENT_DDS", where={"ref_area": list(park), "flow": ["X", "M"], "product": items}
    )
    frame = frame.filter(pl.col("value").is_not_null() & (pl.col("counterpart_area") != "WLD"))
    if frame.is_empty():
        return pl.DataFrame()
    values = [
        units.convert(v, units.Unit(u, m, "", ""), "亿美元")
        for v, u, m in frame.select("value", "unit", "unit_mult").iter_rows()
    ]
    per_firm = (
        frame.with_columns(
            pl.Series("v", values),
            pl.col("ref_area").replace_strict(park).alias("park"),
            pl.col("time_period").str.slice(0, 4).alias("year"),
        )
        .group_by("park", "year", "ref_area")
        .agg(pl.col("v").sum())
    )
    cells = per_firm.group_by("park", "year").agg(
        pl.col("v").sum().alias("value"),
        pl.len().alias("n_contributors"),
        pl.col("v").sort(descending=True).get(0).alias("top1"),
        pl.col("v").sort(descending=True).slice(1, 1).sum().alias("top2"),
    )
    return disclosure.primary(cells.with_columns(pl.col("n_contributors").cast(pl.Int64)))


def rank(
    conn: Connection, *, scope: Scope, kind: str = "trade", year: str = "2022", lang: str = "zh"
) -> list[Row]:
    bases = registry.bases(conn)
    codes = [b.code for b in bases]
    found = published(conn, scope, kind, codes)
    # the stand-in is unreleased direct reporting: the public and enterprises never see it
    inside = scope.role in access.INSIDE
    cells = enterprise_cells(conn, codes) if kind == "trade" and inside else pl.DataFrame()
    areas = _areas(conn, scope, kind, bases, lang)
    rows = []
    for b in bases:
        series, source, hidden = (
            found.get(b.code, {}),
            pick("商务部报告", "MOFCOM report", lang),
            False,
        )
        if not series and cells.height:
            mine = cells.filter(pl.col("park") == b.code)
            series = dict(zip(mine["year"], mine["value"], strict=True))
            hidden = bool(
                mine.filter(pl.col("year") == year)["primary"].any()
            ) and not access.may_see(conn, scope, b.code, b.city_code)
            source = pick("企业直报汇总", "enterprise direct reporting", lang) if series else ""
        rows.append(_row(b, series, year, source if series else "", hidden, areas, lang))
    ranked = sorted(
        (r for r in rows if r.value is not None and not r.suppressed), key=lambda r: -(r.value or 0)
    )
    for i, r in enumerate(ranked, 1):
        r.rank = i
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))


def _row(
    b: registry.Base,
    series: dict[str, float],
    year: str,
    source: str,
    hidden: bool,
    areas: dict[str, tuple[str, dict[str, float]]],
    lang: str,
) -> Row:
    value = series.get(year)
    previous = series.get(str(int(year) - 1))
    first = min((y for y in series if y < year), default=None)
    growth = 100 * (value / previous - 1) if value and previous else None
    cagr = (
        100 * ((value / series[first]) ** (1 / (int(year) - int(first))) - 1)
        if value and first and series[first]
        else None
    )
    label, area = areas.get(b.code, ("", {}))
    share = 100 * value / area[year] if value and area.get(year) else None
    if hidden:
        value = previous = growth = cagr = share = None
    return Row(
        b.code,
        b.name(lang),
        value,
        previous,
        growth,
        cagr,
        first,
        share,
        label,
        source,
        hidden,
        series={} if hidden else series,
    )


def _areas(
    conn: Connection, scope: Scope, kind: str, bases: list[registry.Base], lang: str
) -> dict[str, tuple[str, dict[str, float]]]:
    """Per base: (which area, its series) — the city if published, else the province."""
    if kind != "trade":
        return {}
    wanted = sorted({c for b in bases for c in (b.city_code, b.province_code)})
    found = _series(
        data_access.read(
            conn,
            scope,
            "MOFCOM_REPORT",
            where={"ref_area": wanted, "product": ["DD"], "flow": ["T"], "indicator": ["VALUE"]},
        ),
        "亿美元",
    )
    out = {}
    for b in bases:
        if b.city_code in found and b.city_code != b.province_code:
            out[b.code] = (
                pick("占所在城市进出口比重", "share of the city", lang),
                found[b.city_code],
            )
        elif b.province_code in found:
            out[b.code] = (
                pick(
                    "占所在省（市）进出口比重（无城市数据）",
                    "share of the province (no city figure)",
                    lang,
                ),
                found[b.province_code],
            )
    return out
