"""``shumao indicators``, ``shumao report tables|revisions``, ``shumao check-table``, ``shumao aggregate``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli import aggregate, tables
from shumao.cli.common import console, fail, store
from shumao.errors import ShumaoError

if TYPE_CHECKING:  # heavy modules load when a command runs, not when the CLI starts
    import polars as pl

    from shumao.compute import report2022

Csv = Annotated[str | None, typer.Option(help="逗号分隔 / comma-separated codes or names")]
Year = Annotated[int, typer.Option("--year", help="报告年份 / report year")]

indicators_app = typer.Typer(
    help="指标 / indicators (defined in indicators.yaml)", no_args_is_help=True
)
report_app = typer.Typer(help="报告表格 / the published report's tables", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(indicators_app, name="indicators")
    app.add_typer(report_app, name="report")
    app.command("check-table")(check_table)
    app.command("aggregate")(aggregate.aggregate_cmd)


# --------------------------------------------------------------------------- shared


def _where(**filters: str | None) -> dict[str, list[str]]:
    return {k: [x.strip() for x in v.split(",") if x.strip()] for k, v in filters.items() if v}


def _as_of(value: str | None) -> int | datetime | None:
    if not value:
        return None
    return int(value) if value.isdigit() else datetime.fromisoformat(value)


def _print(
    frame: pl.DataFrame,
    title: str,
    columns: Sequence[tuple[str, str]],
    note: str = "",
    whole: Sequence[str] = (),
) -> None:
    """A table in the report's layout: ``columns`` are (frame column, header); the columns in
    ``whole`` are printed without decimals (亿元 output), the others with two."""
    tables.show_frame(
        frame, title=title, note=note, columns=columns, digits=dict.fromkeys(whole, 0)
    )


def _plain(frame: pl.DataFrame) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage.tables import DIMENSIONS

    used = [d for d in DIMENSIONS if frame.height and (frame[d] != "_Z").any()]
    cols = [*used, "time_period", "value", "unit", "obs_status"]
    extra = [c for c in ("attrs",) if c in frame.columns and frame[c].is_not_null().any()]
    _print(frame.select(*cols, *extra), "", [(c, c) for c in [*cols, *extra]])


# --------------------------------------------------------------------------- indicators


@indicators_app.command("list")
def list_indicators() -> None:
    """列出全部指标及其定义 / list every indicator and its definition."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import indicators

    table = Table("id", "名称", "name", "单位 unit", "公式 formula", show_lines=True)
    for spec in indicators.definitions():
        table.add_row(spec.id, spec.name_zh, spec.name_en, spec.unit, spec.formula)
    console.print(table)


@indicators_app.command("compute")
def compute_indicator(
    indicator: Annotated[str, typer.Argument(help="指标 / indicator id, e.g. GROWTH_YOY")],
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow id, e.g. UNCTAD_DDS")],
    ref_area: Csv = None,
    counterpart_area: Csv = None,
    product: Csv = None,
    flow: Csv = None,
    start: Annotated[str | None, typer.Option(help="起始期 / first period")] = None,
    end: Annotated[str | None, typer.Option(help="截止期 / last period")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit, e.g. 亿美元")] = None,
    tree: Annotated[
        str, typer.Option("--hierarchy", help="层级 / hierarchy: geography|ebops|ebops-s|dt")
    ] = "geography",
    world: Annotated[float | None, typer.Option(help="全球值 / world value (SHARE_WORLD)")] = None,
    world_unit: Annotated[str, typer.Option(help="全球值单位 / unit of --world")] = "亿美元",
    as_of: Annotated[str | None, typer.Option(help="版本号或日期 / vintage id or date")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|csv|json|xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """计算指标 / compute an indicator on a selection of a dataflow."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import indicators
    from shumao.query import select

    where = _where(ref_area=ref_area, counterpart_area=counterpart_area, product=product, flow=flow)
    try:
        indicators.definition(indicator)  # an unknown id fails before the store is read
        frame = select(
            store(), dataflow, where=where, start=start, end=end, as_of=_as_of(as_of), unit=unit
        )
        result = indicators.run(
            indicator,
            frame,
            hierarchy=tree,
            world=world,
            world_unit=world_unit,
            start=start,
            end=end,
        )
    except (ShumaoError, TypeError) as exc:
        raise fail(str(exc)) from None
    tables.emit(result, fmt, out, _plain)
    if result.is_empty():
        console.print("没有可计算的数据 / nothing to compute for this selection")


# --------------------------------------------------------------------------- report


def _report_data(year: int) -> report2022.ReportData:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import report2022

    try:
        return report2022.load(store(), year)
    except ShumaoError as exc:
        raise fail(str(exc)) from None


def _world(choice: str, data: report2022.ReportData) -> tuple[float, str]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import report2022

    if choice == "report":
        return report2022.REPORT_WORLD_EXPORTS, "报告正文 4.1 万亿美元 / the report's 4.1 trillion"
    if choice == "unctad":
        if data.world_unctad is None:
            raise fail(
                "库中没有 UNCTAD 的全球值，请先导入 unctad-panel / UNCTAD's world value "
                "is not in the store; import unctad-panel first"
            )
        return data.world_unctad, "UNCTAD WLD"
    try:
        return float(choice), "参数 / parameter"
    except ValueError:
        raise fail(
            f"--world 应为 report、unctad 或数值 / --world must be report, unctad or a "
            f"number: {choice}"
        ) from None


@report_app.command("tables")
def report_tables(
    year: Year = 2022,
    world: Annotated[
        str, typer.Option(help="全球出口总额 / world exports: report|unctad|<亿美元>")
    ] = "report",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / JSON output")] = False,
) -> None:
    """按报告版式输出表1—表4 及推算数 / print 表1–表4 in the report's layout, recomputed."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import report2022

    data = _report_data(year)
    world_total, world_label = _world(world, data)
    frames = {
        "table1": report2022.table1(data.trade, world_total),
        "table2": report2022.table2(data.trade),
        "regions": report2022.regions(data.trade),
        "table3": report2022.table3(data.trade),
        "table4": report2022.table4(data.output),
    }
    if as_json:
        doc = {k: v.to_dicts() for k, v in frames.items()}
        doc["headline"] = report2022.headline(data.trade, world_total)  # type: ignore[assignment]
        console.print(json.dumps(doc, ensure_ascii=False, indent=1), soft_wrap=True, markup=False)
        return
    _table1(frames["table1"], world_total, world_label)
    _table2(frames["table2"])
    _regions(frames["regions"])
    _table3(frames["table3"])
    if frames["table4"].height:
        _table4(frames["table4"])
    console.print(report2022.SOURCE_ZH + "\n" + report2022.SOURCE_EN)


def _table1(frame: pl.DataFrame, world_total: float, label: str) -> None:
    _print(
        frame,
        "表1 2022年全球主要经济体可数字化服务贸易规模及增速",
        [
            ("rank", "序号"),
            ("name", "国家"),
            ("T", "进出口"),
            ("gT", "进出口同比"),
            ("X", "出口"),
            ("gX", "出口同比"),
            ("M", "进口"),
            ("gM", "进口同比"),
            ("share_world_X", "出口占全球比重*"),
        ],
        note=f"单位：亿美元，%。数据来源：WTO数据库。* 本系统计算：出口 ÷ 全球出口总额 "
        f"{world_total:,.2f} 亿美元（{label}）/ computed: exports ÷ world exports",
    )


def _table2(frame: pl.DataFrame) -> None:
    _print(
        frame,
        "表2 2022年12个基地所在省市可数字化交付服务贸易情况",
        [
            ("name", "省市"),
            ("T", "进出口额"),
            ("gT", "增速"),
            ("X", "出口额"),
            ("gX", "增速"),
            ("M", "进口额"),
            ("gM", "增速"),
            ("share_T", "进出口占全国*"),
        ],
        note="单位：亿美元，%。数据来源：商务部。* 本系统计算（全国 = 表1 中国）。"
        "12省市合计：数值为各省之和；增速由各省按公布增速推算的上年值之和计算"
        "；合计为公布数（已舍入）之和，可能与报告所印合计（未舍入数之和）相差末位"
        " / totals are sums of the printed (rounded) figures and may differ from the"
        " report's printed total in the last digit; their growth uses previous-year values"
        " implied by each province's printed growth",
    )


def _regions(frame: pl.DataFrame) -> None:
    _print(
        frame,
        "2022年四大地区可数字化交付服务贸易（综述篇 三）",
        [
            ("name", "地区"),
            ("T", "进出口"),
            ("X", "出口"),
            ("M", "进口"),
            ("B", "顺差"),
            ("B_computed", "出口−进口*"),
            ("share_printed", "全国占比"),
            ("share_T", "全国占比*"),
        ],
        note="单位：亿美元，%。* 本系统计算 / computed by shumao",
    )


def _table3(frame: pl.DataFrame) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    shown = frame.with_columns(pl.col("flow").replace({"T": "进出口额", "X": "出口额"}))
    _print(
        shown,
        "表3 2020-2022年部分基地可数字化交付服务贸易情况",
        [
            ("name", "基地"),
            ("flow", "指标"),
            ("v2020", "2020年"),
            ("v2021", "2021年"),
            ("v2022", "2022年"),
            ("g2021", "2021增速*"),
            ("g2022", "2022增速*"),
            ("cagr", "年均增速*"),
            ("growth_total", "2020→2022累计*"),
        ],
        note="单位：亿美元，%。数据来源：地方商务主管部门。* 本系统计算；年均增速按 COINr 定义"
        " / computed; CAGR as defined by COINr",
    )


def _table4(frame: pl.DataFrame) -> None:
    _print(
        frame,
        "表4 2020—2022年部分基地数字产业产值",
        [
            ("name", "基地"),
            ("v2022", "2022年"),
            ("v2021", "2021年"),
            ("v2020", "2020年"),
            ("g2022", "2022增速*"),
            ("cagr", "年均增速*"),
            ("growth_total", "2020→2022累计*"),
        ],
        note="单位：亿元，%。* 本系统计算 / computed by shumao",
        whole=("v2020", "v2021", "v2022"),
    )


@report_app.command("revisions")
def report_revisions(
    year: Year = 2022,
    fmt: Annotated[str, typer.Option("--format", help="table|csv|json|xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """报告数与 UNCTAD、WTO 数据对照 / the report's figures next to UNCTAD and WTO."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import report2022
    from shumao.compute import revisions_view as rv

    data = _report_data(year)
    areas = data.trade.filter(pl.col("ref_area").str.len_chars() == 3)["ref_area"].unique()
    try:
        sources = rv.load_sources(store(), str(year), areas.to_list())
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    frame = rv.compare(data.trade, sources, str(year))

    def show(f: pl.DataFrame) -> None:
        shown = f.with_columns(pl.col("flow").replace(report2022.FLOW_ZH))
        _print(
            shown,
            f"{year}年可数字化交付服务贸易：报告数与国际数据对照",
            [
                ("name", "经济体"),
                ("flow", "流向"),
                ("report", "报告数"),
                ("source", "来源"),
                ("value", "来源数值"),
                ("diff", "差额"),
                ("diff_pct", "差异%"),
            ],
            note="单位：亿美元，%。差额 = 来源数值 − 报告数 / difference = source − report. "
            "UNCTAD 为可数字化交付（上限），WTO 为数字交付（模式1估计），概念不同 / UNCTAD is "
            "deliverable, WTO delivered: different concepts. — 表示该来源无此数据 / no data",
        )

    tables.emit(frame, fmt, out, show)


# --------------------------------------------------------------------------- check-table


def check_table(
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow id, e.g. MOFCOM_REPORT")],
    vintage: Annotated[str | None, typer.Option(help="版本号或日期 / vintage id or date")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / JSON output")] = False,
) -> None:
    """检查官方表格的算术与逐期变化 / check an official table's arithmetic and changes.

    逐期检查：HB 与比值检查、零值 / period-to-period: HB and ratio edits, zeros."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.compute import consistency
    from shumao.compute.consistency import codes
    from shumao.query import select
    from shumao.storage.dataflows import get_dataflow

    try:
        flow = get_dataflow(dataflow)
        frame = select(store(), flow.id, as_of=_as_of(vintage))
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    tally = codes.Tally({})
    report = consistency.check_table(frame, file=flow.id, tally=tally)
    if as_json:
        console.print(report.to_json(), soft_wrap=True, markup=False)
        return
    if report.findings:
        console.print(report.text(), markup=False)
    arithmetic = {k: v for k, v in tally.counts.items() if k in codes.CODES}
    edits = {k: v for k, v in tally.counts.items() if k not in codes.CODES}
    found = sum(f.code in codes.CODES for f in report.findings)
    flagged = sum(
        f.code not in codes.CODES and f.severity.value == "warning" for f in report.findings
    )
    console.print(
        f"{flow.id}：检查 {sum(arithmetic.values())} 项恒等式（{_counts(arithmetic)}），"
        f"{found} 项超出舍入误差；逐期检查 {sum(edits.values())} 次（{_counts(edits)}），"
        f"{flagged} 项警告 / checked {sum(arithmetic.values())} identities, {found} "
        f"beyond rounding; {sum(edits.values())} period-to-period checks, {flagged} "
        "warnings"
    )


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{k} {v}" for k, v in sorted(counts.items())) or "无"
