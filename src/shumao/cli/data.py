"""``shumao import``, ``query``, ``vintages``, ``revisions``, ``sources``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli.common import console, fail, progress_bar, store
from shumao.errors import ImportRejected, ShumaoError

if TYPE_CHECKING:  # heavy modules load when a command runs, not when the CLI starts
    import polars as pl

    from shumao.validation.findings import Report

Csv = Annotated[str | None, typer.Option(help="逗号分隔 / comma-separated codes or names")]


def import_(
    source: Annotated[str, typer.Argument(help="数据源 / source name (see `shumao sources`)")],
    file: Annotated[Path, typer.Argument(help="文件 / file to import")],
    mapping: Annotated[Path | None, typer.Option(help="映射文件 / column mapping (YAML)")] = None,
    dataflow: Annotated[str | None, typer.Option(help="目标数据流 / target dataflow")] = None,
    label: Annotated[str, typer.Option(help="版本说明 / vintage label")] = "",
    dry_run: Annotated[bool, typer.Option(help="只校验不写入 / validate only")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出校验报告")] = False,
    quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bar")] = False,
) -> None:
    """导入数据文件为一个新版本 / import a file as a new vintage (all or nothing)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.ingest.pipeline import run_import
    from shumao.monitor.hooks import after_commit

    options: dict[str, object] = {}
    if mapping:
        options["mapping"] = mapping
    if dataflow:
        options["dataflow"] = dataflow
    try:
        engine = store()
        with progress_bar(not quiet) as bar:
            result = run_import(
                engine,
                source,
                file,
                options=options,
                label=label,
                dry_run=dry_run,
                progress=bar,  # type: ignore[arg-type]
                after=after_commit,
            )
    except ImportRejected as exc:
        _print_report(exc.report, as_json)
        raise fail(str(exc), code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    if as_json or result.report.findings:
        _print_report(result.report, as_json)
    what = (
        "校验通过（未写入）/ valid (nothing written)"
        if dry_run
        else f"版本 vintage {result.vintage_id}"
    )
    console.print(
        f"[green]完成 / done[/green]: {result.dataflow} · {result.rows:,} 行 rows · "
        f"{result.series:,} 序列 series · {what}"
    )
    for key, value in result.extra.items():
        console.print(f"  {key}: {value}")


def _print_report(report: Report, as_json: bool) -> None:
    text = report.to_json() if as_json else report.text()
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _as_of(value: str | None) -> int | datetime | None:
    if not value:
        return None
    if value.isdigit():
        return int(value)
    return datetime.fromisoformat(value)


def query(
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow id, e.g. WTO_DDS")],
    ref_area: Csv = None,
    counterpart_area: Csv = None,
    product: Csv = None,
    flow: Csv = None,
    indicator: Csv = None,
    freq: Csv = None,
    start: Annotated[str | None, typer.Option(help="起始期 / first period, e.g. 2015")] = None,
    end: Annotated[str | None, typer.Option(help="截止期 / last period, e.g. 2023")] = None,
    unit: Annotated[str | None, typer.Option(help="单位 / unit, e.g. 亿美元")] = None,
    as_of: Annotated[str | None, typer.Option(help="版本号或日期 / vintage id or ISO date")] = None,
    wide: Annotated[bool, typer.Option(help="期间作列 / periods as columns")] = False,
    compute: Annotated[
        str | None,
        typer.Option(
            "--compute",
            help="计算指标 / compute an indicator on the selection, e.g. GROWTH_YOY, "
            "CAGR, SHARE_PARENT (see `shumao indicators list`)",
        ),
    ] = None,
    tree: Annotated[
        str,
        typer.Option(
            "--hierarchy",
            help="指标所用层级 / hierarchy for SHARE_PARENT, CONTRIBUTION: "
            "geography|ebops|ebops-s|dt",
        ),
    ] = "geography",
    fmt: Annotated[str, typer.Option("--format", help="table|csv|xlsx|json")] = "table",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出文件 / output file")
    ] = None,
) -> None:
    """查询数据 / print or write a selection (latest, or as of a vintage or date).

    也可对所选数据计算指标（--compute）/ or an indicator computed on it (--compute)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli import tables
    from shumao.query import select

    filters = {
        "ref_area": ref_area,
        "counterpart_area": counterpart_area,
        "product": product,
        "flow": flow,
        "indicator": indicator,
        "freq": freq,
    }
    where = {k: [x.strip() for x in v.split(",") if x.strip()] for k, v in filters.items() if v}
    try:
        frame = select(
            store(), dataflow, where=where, start=start, end=end, as_of=_as_of(as_of), unit=unit
        )
        if compute:
            # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
            from shumao.compute import indicators

            frame = indicators.run(compute, frame, hierarchy=tree, start=start, end=end)
    except (ShumaoError, ValueError) as exc:
        raise fail(str(exc)) from None

    def show(table: pl.DataFrame) -> None:
        compact, fixed = _compact(table)
        _print_table(compact, f"{dataflow.upper()} · {fixed}" if fixed else dataflow.upper())

    tables.emit(_shape(frame, wide), fmt, out, show)


def _shape(frame: pl.DataFrame, wide: bool) -> pl.DataFrame:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage.tables import DIMENSIONS

    used = [
        d
        for d in DIMENSIONS
        if (frame.height and frame[d].n_unique() > 1) or (frame.height and frame[d][0] != "_Z")
    ]
    if not wide:
        extra = [c for c in ("vintage_id",) if c in frame.columns]
        return frame.select(
            *used, "time_period", "value", "unit", "unit_mult", "obs_status", *extra
        )
    return frame.pivot(
        on="time_period",
        index=[*used, "unit", "unit_mult"],
        values="value",
        aggregate_function=None,
        sort_columns=True,
    )


def _compact(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """For the screen: columns with one value for every row move into the title."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    keep = {"time_period", "value"}
    fixed = [
        c
        for c in frame.columns
        if c not in keep
        and frame.height > 1
        and frame[c].dtype != pl.Float64
        and frame[c].n_unique() == 1
    ]
    title = " · ".join(f"{c}={frame[c][0]}" for c in fixed)
    return frame.drop(fixed), title


def _print_table(
    frame: pl.DataFrame,
    title: str,
    empty: str = "没有符合条件的数据 / no data matches the selection",
) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli import tables

    if frame.is_empty():
        console.print(f"{title}: {empty}")
        return
    tables.show_frame(frame, title=title, limit=500)
    if frame.height > 500:
        console.print(
            f"…… 共 {frame.height} 行，仅显示前 500 行 / {frame.height} rows, first 500 shown"
        )


def list_vintages(
    dataflow: Annotated[str | None, typer.Argument(help="数据流 / dataflow id")] = None,
) -> None:
    """列出数据版本 / list vintages."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage import vintages

    with store().connect() as conn:
        rows = vintages.list_vintages(conn, dataflow.upper() if dataflow else None)
    table = Table("id", "dataflow", "created", "kind", "rows", "label")
    for v in rows:
        table.add_row(
            str(v.id),
            v.dataflow_id,
            f"{v.created_at:%Y-%m-%d %H:%M:%S}",
            v.kind,
            f"{v.rows:,}",
            v.label,
        )
    console.print(table)


def revisions(
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow id")],
    then: Annotated[str, typer.Option(help="旧版本号或日期 / earlier vintage or date")],
    now: Annotated[str | None, typer.Option(help="新版本 / later vintage (default latest)")] = None,
    ref_area: Csv = None,
    product: Csv = None,
    only_changed: Annotated[bool, typer.Option(help="只显示有修订的 / only revised")] = True,
) -> None:
    """两个版本之间的修订表 / revision table between two vintages."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage import revisions as rev

    where = {k: v.split(",") for k, v in {"ref_area": ref_area, "product": product}.items() if v}
    with store().connect() as conn:
        table = rev.revisions(
            conn, dataflow.upper(), then=_as_of(then), now=_as_of(now), where=where
        )
    counts = dict(table.group_by("change").len().iter_rows())
    if only_changed:
        table = rev.changed(table)
    names = {k: f"{zh} {en}" for k, (zh, en) in rev.REVISION_KINDS.items()}
    shown = table.drop("then_vintage", "now_vintage").with_columns(
        pl.col("change").replace_strict(names, return_dtype=pl.String)
    )
    compact, fixed = _compact(shown)
    title = f"{dataflow.upper()} 修订 revisions · 版本 vintage {then} → {now or '最新 latest'}"
    same, gone = counts.get("unchanged", 0), counts.get("missing", 0)
    _print_table(
        compact,
        f"{title} · {fixed}" if fixed else title,
        empty=f"两个版本之间没有修订：{same:,} 个值相同，{gone:,} 个两版均缺失 / no "
        f"revisions: {same:,} values equal, {gone:,} missing in both",
    )
    if compact.height:
        console.print(f"{compact.height:,} 行 rows")


def list_sources() -> None:
    """列出可导入的数据源 / list import sources."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.ingest.sources import all_sources

    table = Table("source", "dataflow", "说明", "description", "example")
    for src in all_sources().values():
        table.add_row(src.name, src.dataflow, src.title_zh, src.title_en, src.example)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("query")(query)
    app.command("vintages")(list_vintages)
    app.command("revisions")(revisions)
    app.command("sources")(list_sources)
