"""``shumao ref``: look up reference code lists (codes, Chinese and English names)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shumao.cli.common import console, fail
from shumao.errors import UnknownCode
from shumao.reference import countries, ebops, fx, geo, groupings, parks, units, versions
from shumao.reference._data import AmbiguousName

app = typer.Typer(help="参考代码表 / reference code lists", no_args_is_help=True)


def _matches(value: str) -> list[tuple[str, str, str, str]]:
    """Every code list in which ``value`` resolves: (list, code, 中文, English)."""
    found: list[tuple[str, str, str, str]] = []
    attempts = [
        ("GB/T 2260", lambda: geo.lookup(value), lambda a: (a.code, a.name_zh, a.name_en)),
        ("ISO 3166", lambda: countries.lookup(value), lambda c: (c.iso3, c.name_zh, c.name_en)),
        ("EBOPS 2010", lambda: ebops.lookup(value), lambda e: (e.code, e.name_zh, e.name_en)),
        ("基地 park", lambda: parks.lookup(value), lambda p: (p.code, p.name_zh, p.name_en)),
        (
            "国家集团 group",
            lambda: groupings.lookup_group(value),
            lambda g: (g.code, g.name_zh, g.name_en),
        ),
        (
            "单位 unit",
            lambda: units.parse(value),
            lambda u: (f"{u.code}×10^{u.mult}", u.name_zh, u.name_en),
        ),
    ]
    for name, find, show in attempts:
        try:
            found.append((name, *show(find())))
        except AmbiguousName as exc:  # "Suzhou": 苏州 and 宿州, each on a row
            found += [(f"{name} 同名 several", code, zh, en) for code, zh, en in _pairs(exc)]
        except UnknownCode:
            continue
    return found


def _pairs(exc: AmbiguousName) -> list[tuple[str, str, str]]:
    """(``320500``, ``江苏省苏州市``, ``Suzhou, Jiangsu``) per candidate."""
    out = []
    for zh, en in zip(exc.candidates, exc.candidates_en, strict=True):
        code, _, name_zh = zh.partition(" ")
        out.append((code, name_zh, en.split(" ", 1)[-1]))
    return out


@app.command()
def lookup(value: Annotated[str, typer.Argument(help="代码或名称 / code or name")]) -> None:
    """查代码 / resolve a code or name in every code list ("江苏", "美国", "SI2", "亿美元")."""
    rows = _matches(value)
    if not rows:
        raise fail(f"未找到 / not found: {value}")
    table = Table("代码表 list", "代码 code", "中文", "English")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@app.command()
def members(
    group: Annotated[str, typer.Argument(help="集团 / group, e.g. BRICS, 金砖国家")],
    as_of: Annotated[str, typer.Option(help="时点 / as of: 2024, 2024-Q1, 2024-03-31")] = "2099",
) -> None:
    """集团成员（按时点）/ members of a grouping as of a date."""
    try:
        g = groupings.lookup_group(group)
        codes = sorted(groupings.members(g.code, as_of))
    except UnknownCode as exc:
        raise fail(str(exc)) from None
    table = Table(
        "ISO3", "中文", "English", title=f"{g.name_zh} {g.name_en} · {as_of} · {len(codes)}"
    )
    for code in codes:
        try:
            c = countries.lookup(code)
            table.add_row(c.iso3, c.name_zh, c.name_en)
        except UnknownCode:
            table.add_row(code, "", "")
    console.print(table)


@app.command("fx")
def fx_table() -> None:
    """人民币兑美元年平均汇率 / CNY per USD, annual average."""
    table = Table("年份 year", "人民币/美元 CNY per USD", "状态 status", title=fx.source())
    for r in fx.table():
        table.add_row(str(r.year), f"{r.per_usd:.4f}", r.status)
    console.print(table)


@app.command("versions")
def list_versions() -> None:
    """参考数据版本 / versions and sources of the shipped reference data."""
    table = Table("文件 file", "版本 version", "生效 valid from", "来源 source")
    for v in versions():
        table.add_row(
            str(v.get("file")),
            str(v.get("version")),
            str(v.get("valid_from")),
            str(v.get("source"))[:80],
        )
    console.print(table)
