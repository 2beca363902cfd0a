"""``shumao aggregate``: a dataflow summed along a hierarchy, with contributor statistics.

Along the geography, enterprises (the reporters of ``ENT_DDS``) sit under the park, county,
city or province the enterprise database (企业信息库) gives them. Rows whose reporter is not
in the hierarchy are left out and counted; a result without rows always says why. With
``--public`` disclosure control is applied and no enterprise row is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shumao.cli import tables
from shumao.cli.common import console, err_console, fail, store
from shumao.errors import ShumaoError

if TYPE_CHECKING:
    import polars as pl
    from sqlalchemy import Engine

    from shumao.compute.hierarchy import Hierarchy

Csv = Annotated[str | None, typer.Option(help="逗号分隔 / comma-separated codes or names")]
SHOWN = [
    "level",
    "flow",
    "time_period",
    "value",
    "unit",
    "n_contributors",
    "agg_status",
    "conf_status",
]
VARYING = ["ref_area", "counterpart_area", "product", "indicator"]
HEADERS = {
    "ref_area": "报告方 reporter",
    "counterpart_area": "伙伴 partner",
    "product": "服务类别 item",
    "indicator": "指标 indicator",
    "level": "层级 level",
    "flow": "流向 flow",
    "time_period": "时期 period",
    "value": "数值 value",
    "unit": "单位 unit",
    "n_contributors": "贡献者数 n",
    "agg_status": "汇总状态 status",
    "conf_status": "保密 conf.",
}
ENTERPRISE = r"^[0-9A-Z]{18}$"
"""A reporter that is an enterprise (统一社会信用代码)."""


def aggregate_cmd(
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow id")],
    tree: Annotated[
        str, typer.Option("--hierarchy", help="geography|ebops|ebops-s|dt")
    ] = "geography",
    ref_area: Csv = None,
    product: Csv = None,
    flow: Csv = None,
    start: Annotated[str | None, typer.Option(help="起始期 / first period")] = None,
    end: Annotated[str | None, typer.Option(help="截止期 / last period")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit, e.g. 亿美元")] = None,
    public: Annotated[bool, typer.Option(help="施加披露控制 / apply disclosure control")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table|csv|json|xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """沿层级汇总 / aggregate a dataflow along a hierarchy (with contributor statistics)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.query import select

    where = {
        k: [x.strip() for x in v.split(",") if x.strip()]
        for k, v in {"ref_area": ref_area, "product": product, "flow": flow}.items()
        if v
    }
    try:
        engine = store()
        tree_h = _tree(engine, tree)
        frame = select(engine, dataflow, where=where, start=start, end=end, unit=unit)
        frame = frame.filter(pl.col("unit") != "PCT")
        result, why = _aggregate(frame, tree_h, public=public)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    title = f"{dataflow.upper()} · {tree}" + (" · 公众视图 public view" if public else "")
    if result.is_empty():
        console.print(f"{title}: {why}")
        raise typer.Exit(1)
    if why:
        err_console.print(why)
    tables.emit(result, fmt, out, lambda f: _show(f, tree_h.dim, title))


def _tree(engine: Engine, name: str) -> Hierarchy:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import hierarchy
    from shumao.release.publish import enterprise_parents

    if name == "geography":  # enterprises under their park, county, city or province
        with engine.connect() as conn:
            return hierarchy.geography(enterprise_parents(conn))
    return hierarchy.by_name(name)


def _aggregate(frame: pl.DataFrame, tree: Hierarchy, *, public: bool) -> tuple[pl.DataFrame, str]:
    """The aggregate and, when rows were left out or nothing is left, why."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute.aggregate import aggregate, leaves_only, unmapped
    from shumao.release import disclosure

    if frame.is_empty():
        return frame, "没有符合条件的数据 / no data matches the selection"
    outside = unmapped(frame, tree)
    why = _unmapped_text(outside, tree) if outside.height else ""
    mapped = frame.join(outside.select(tree.dim).unique(), on=tree.dim, how="anti")
    if mapped.is_empty():
        return mapped, why
    rules = disclosure.configured()
    result = aggregate(leaves_only(mapped, tree), tree, top=max(2, rules.needed_tops()))
    if public:  # micro-data stay internal: no row of a single enterprise
        result = disclosure.public_view(disclosure.protect_frame(result, [tree.dim], [tree], rules))
        result = result.filter(~pl.col("ref_area").str.contains(ENTERPRISE))
        if result.is_empty():
            why = (
                "公众视图不显示单个企业的数据；请沿 geography 层级汇总 / the public view shows "
                "no single enterprise's data; aggregate along the geography"
            )
    return result, why


def _unmapped_text(outside: pl.DataFrame, tree: Hierarchy) -> str:
    codes = outside[tree.dim].unique().sort().to_list()
    sample = "、".join(codes[:5]) + ("……" if len(codes) > 5 else "")
    hint_zh, hint_en = (
        (
            "请在企业信息库中登记企业所在的基地或区县（shumao enterprise …）",
            "register the enterprises' park or county (shumao enterprise …)",
        )
        if tree.name == "geography"
        else ("请换用与数据相符的层级", "use the hierarchy the data are coded in")
    )
    return (
        f"{outside.height:,} 行的 {len(codes):,} 个代码不在层级 {tree.name} 中，未计入汇总"
        f"（{sample}）；{hint_zh} / {outside.height:,} rows with {len(codes):,} codes not in "
        f"the {tree.name} hierarchy were left out ({sample}); {hint_en}"
    )


def _show(frame: pl.DataFrame, dim: str, title: str) -> None:
    """The rows with the columns that tell them apart (partner, item …), units by name."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.reference import units

    names = {(u.code, u.mult): u.name_zh for u in units.all_units()}
    varying = [d for d in VARYING if d != dim and d in frame.columns and frame[d].n_unique() > 1]
    shown = frame.with_columns(
        pl.struct("unit", "unit_mult")
        .map_elements(
            lambda u: names.get((u["unit"], u["unit_mult"]), u["unit"]), return_dtype=pl.String
        )
        .alias("unit")
    )
    cols = [c for c in [dim, *varying, *SHOWN] if c in shown.columns]
    ordered = shown.sort("time_period", dim, *varying)
    tables.show_frame(
        ordered, title=title, columns=[(c, HEADERS.get(c, c)) for c in cols], limit=500
    )
    if frame.height > 500:
        console.print(
            f"…… 共 {frame.height:,} 行，仅显示前 500 行（--format csv 输出全部）/ "
            f"{frame.height:,} rows, first 500 shown (--format csv for all)"
        )
