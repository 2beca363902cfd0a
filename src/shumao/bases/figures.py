"""The evidence behind each criterion, read from the store, the linkage runs and the declared
figures of an application (store → ``evaluate.Evidence``).

    OUTPUT       园区产值          MOFCOM_BASE_OUTPUT (表4 数字产业产值), a lower bound: the digital
                                   industries are part of the park's output (the report itself
                                   calls the figure the base's 产值)
    SI_EXPORT    电信、计算机和     MOFCOM_REPORT (表3 可数字化交付服务出口, 亿美元), an upper
                 信息服务出口额     bound: SI is one of the digitally deliverable items; and
                                   ENT_DDS (direct reporting: the SI exports of the base's
                                   reporting enterprises), a lower bound. Both converted to 亿元
                                   at the year's official average rate (``reference.fx``)
    ICT_OUTPUT   信息传输、软件和   no public source: only a declared figure
                 信息技术服务业产值
    ENTERPRISES  企业数量           the newest linkage run of the base and year (exact)

A declared figure (an application item with a value) counts once a reviewer accepted it; it
is exact and names the application and its documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl
from sqlalchemy import Connection, select

from shumao.bases import counting
from shumao.bases.evaluate import Evidence
from shumao.collection.tables import enterprise
from shumao.reference import fx, parks, units
from shumao.storage import vintages

SI_ITEMS = ("SI", "SI1", "SI2", "SI3")
YI_YUAN = "亿元"


FX_SOURCE_EN = {
    "国家统计局《国民经济和社会发展统计公报》/中国人民银行 人民币对美元年平均汇价": (
        "NBS, Statistical Communiqué on National Economic and Social Development / PBOC, "
        "annual average CNY/USD rate"
    )
}
"""fx.csv's sources in English (one not here is shown as written)."""


def cny_rate(year: str) -> tuple[float, str]:
    found = next((r for r in fx.table() if r.year == int(year) and r.currency == "CNY"), None)
    if found is None:
        return float("nan"), ""
    status = "（暂定值 provisional）" if found.status == "P" else ""
    return (
        found.per_usd,
        f"{year} 年人民币对美元年平均汇率 {found.per_usd} 元/美元{status}（{found.source}）",
    )


def cny_rate_en(year: str) -> str:
    """``cny_rate``'s note in English."""
    found = next((r for r in fx.table() if r.year == int(year) and r.currency == "CNY"), None)
    if found is None:
        return ""
    status = ", provisional" if found.status == "P" else ""
    source = FX_SOURCE_EN.get(found.source, found.source)
    return f"the {year} average rate, {found.per_usd} yuan per US dollar{status} ({source})"


def _read(
    conn: Connection, flow: str, where: dict[str, list[str]], years: Sequence[str]
) -> pl.DataFrame:
    start, end = min(years), max(years)
    return vintages.read(conn, flow, where=where, start=start, end=end)


def output(conn: Connection, code: str, years: Sequence[str]) -> list[Evidence]:
    frame = _read(conn, "MOFCOM_BASE_OUTPUT", {"ref_area": [code], "indicator": ["OUTPUT"]}, years)
    out = []
    for row in frame.iter_rows(named=True):
        if row["time_period"] not in years or row["value"] is None:
            continue
        value = units.convert(
            row["value"], units.Unit(row["unit"], row["unit_mult"], "", ""), YI_YUAN
        )
        out.append(
            Evidence(
                "OUTPUT",
                row["time_period"],
                value,
                "lower",
                "商务部《中国数字贸易发展报告2022》表4 数字产业产值",
                "MOFCOM 2022 report, table 4: digital-industry output",
                dataflow="MOFCOM_BASE_OUTPUT",
                series=f"{code}.OUTPUT.A",
                vintage_id=row["vintage_id"],
                original=f"{value:,.2f} 亿元",
                note_zh="数字产业产值是园区产值的一部分：达到门槛即可判定达标，低于门槛不能判定",
                note_en="digital-industry output is part of the park's output: reaching the "
                "threshold proves it, falling short proves nothing",
                link=f"/explorer?dataflow=MOFCOM_BASE_OUTPUT&ref_area={code}",
            )
        )
    return out


def exports_published(conn: Connection, code: str, years: Sequence[str]) -> list[Evidence]:
    where = {"ref_area": [code], "product": ["DD"], "flow": ["X"], "indicator": ["VALUE"]}
    frame = _read(conn, "MOFCOM_REPORT", where, years)
    out = []
    for row in frame.iter_rows(named=True):
        year = row["time_period"]
        if year not in years or row["value"] is None:
            continue
        usd = units.convert(
            row["value"], units.Unit(row["unit"], row["unit_mult"], "", ""), "亿美元"
        )
        rate, note = cny_rate(year)
        out.append(
            Evidence(
                "SI_EXPORT",
                year,
                usd * rate,
                "upper",
                "商务部《中国数字贸易发展报告2022》表3 可数字化交付服务出口额",
                "MOFCOM 2022 report, table 3: digitally deliverable services exports",
                dataflow="MOFCOM_REPORT",
                series=f"{code}.WLD.DD.X.VALUE.A",
                vintage_id=row["vintage_id"],
                original=f"{usd:,.2f} 亿美元",
                rate=rate,
                rate_note=note,
                rate_note_en=cny_rate_en(year),
                note_zh="可数字化交付服务包含电信、计算机和信息服务：低于门槛即可判定未达标，达到门槛不能判定",
                note_en="digitally deliverable services include ICT services: falling short proves "
                "a fail, reaching the threshold proves nothing",
                link=f"/explorer?dataflow=MOFCOM_REPORT&ref_area={code}",
            )
        )
    return out


def exports_reported(conn: Connection, code: str, years: Sequence[str]) -> list[Evidence]:
    """The SI exports the base's enterprises filed (a lower bound of the base's)."""
    usccs = list(
        conn.execute(select(enterprise.c.uscc).where(enterprise.c.park_code == code)).scalars()
    )
    if not usccs:
        return []
    where = {"ref_area": usccs, "product": list(SI_ITEMS), "flow": ["X"]}
    frame = vintages.read(
        conn, "ENT_DDS", where=where, start=f"{min(years)}-Q1", end=f"{max(years)}-Q4"
    )
    frame = frame.filter(pl.col("value").is_not_null() & (pl.col("counterpart_area") != "WLD"))
    out = []
    for year in years:
        part = frame.filter(pl.col("time_period").str.starts_with(year))
        if part.is_empty():
            continue
        rate, note = cny_rate(year)
        usd = sum(
            units.convert(v, units.Unit(u, m, "", ""), "亿美元")
            for v, u, m in part.select("value", "unit", "unit_mult").iter_rows()
        )
        quarters = sorted(part["time_period"].unique().to_list())
        firms = part["ref_area"].n_unique()
        out.append(
            Evidence(
                "SI_EXPORT",
                year,
                usd * rate,
                "lower",
                "企业直报（电信、计算机和信息服务出口之和）",
                "direct reporting (sum of ICT-services exports)",
                dataflow="ENT_DDS",
                series="SI*.X",
                vintage_id=int(part["vintage_id"].cast(pl.Int64).max() or 0),  # type: ignore[arg-type]
                original=f"{usd:,.4f} 亿美元",
                rate=rate,
                rate_note=note,
                rate_note_en=cny_rate_en(year),
                note_zh=f"{firms} 家直报企业、{'、'.join(quarters)}：未报企业不在其中，只能证明至少这么多",
                note_en=f"{firms} reporting enterprises, {', '.join(quarters)}: a lower bound",
                link="/explorer?dataflow=ENT_DDS&product=SI2",
            )
        )
    return out


def enterprises(conn: Connection, code: str, years: Sequence[str]) -> list[Evidence]:
    out = []
    for year in years:
        found = counting.latest(conn, base_code=code, year=year)
        if found is None:
            continue
        out.append(
            Evidence(
                "ENTERPRISES",
                year,
                float(found.total),
                "exact",
                "服贸直报与服务外包统计名录匹配（不重复计算）",
                "direct reporting and the outsourcing roster, linked (counted once)",
                series=f"link_run {found.run_id}",
                original=f"{found.total} 家",
                note_zh=f"直报 {found.direct_only} 家、服务外包 {found.roster_only} 家、两者皆有 "
                f"{found.both} 家；待复核 {found.pending} 对",
                note_en=f"direct reporting only {found.direct_only}, roster only "
                f"{found.roster_only}, both {found.both}; {found.pending} pairs pending",
                link=f"/bases/{code}/enterprises?year={year}",
            )
        )
    return out


def declared(items: Iterable[dict[str, object]], application_id: int) -> list[Evidence]:
    """Accepted declared figures (application items with a value) as exact evidence."""
    out = []
    for item in items:
        if item["value"] is None or item["decision"] != "accepted":
            continue
        value, unit, year = float(item["value"]), str(item["unit"]), str(item["year"])  # type: ignore[arg-type]
        rate, note = (None, "")
        if unit == "亿美元":
            rate, note = cny_rate(year)
            value *= rate
        out.append(
            Evidence(
                str(item["code"]),
                year,
                value,
                "exact",
                f"申报材料（申请 {application_id}）",
                f"declared in application {application_id}",
                original=f"{item['value']} {unit}",
                rate=rate,
                rate_note=note,
                rate_note_en=cny_rate_en(year) if note else "",
                note_zh=str(item.get("statement") or ""),
                note_en=str(item.get("statement") or ""),
                link=f"/bases/applications/{application_id}#item-{item['id']}",
            )
        )
    return out


def latest_year(conn: Connection) -> str:
    """The newest year any base has a published figure for (the default of ``evaluate``)."""

    codes = [p.code for p in parks.parks()]
    years = [
        vintages.read(conn, flow, where={"ref_area": codes})["time_period"].max()
        for flow in ("MOFCOM_BASE_OUTPUT", "MOFCOM_REPORT")
    ]
    found = [str(y)[:4] for y in years if y]
    return max(found) if found else str(date.today().year - 1)


def collect(conn: Connection, code: str, years: Sequence[str]) -> list[Evidence]:
    return [
        *output(conn, code, years),
        *exports_published(conn, code, years),
        *exports_reported(conn, code, years),
        *enterprises(conn, code, years),
    ]
