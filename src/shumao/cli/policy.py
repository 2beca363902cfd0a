"""``shumao policy``: the policy library (行业政策库) — add, search, show, edit, targets, list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, fail, open_store, progress_bar
from shumao.errors import ShumaoError
from shumao.policy import metadata

if TYPE_CHECKING:  # the library (jieba, pdfminer …) loads when a command runs
    from sqlalchemy import Engine

from shumao.policy import documents, editing, writing

app = typer.Typer(
    help="行业政策库：收录、检索、更正政策文件 / policy library: add, search, correct",
    no_args_is_help=True,
)
NOT_FOUND = "[yellow]（未找到 / not found）[/yellow]"


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="policy")


@app.command("add")
def add(
    files: Annotated[
        list[Path], typer.Argument(help="文件或文件夹 / files or folders (.txt .pdf .docx .html)")
    ],
    show_progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="显示进度条 / show a progress bar")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--findings", help="列出全部发现 / list every finding")
    ] = False,
) -> None:
    """收录政策文件（可一次收录整个文件夹）/ add policy files (a folder at once)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.policy import library

    with open_store() as engine, progress_bar(show_progress) as bar:
        results = library.add_files(engine, files, progress=bar)  # type: ignore[arg-type]
    rejected = 0
    for r in results:
        _print_result(r, verbose)
        rejected += r.status == "rejected"
    console.print(
        f"合计 / total: {len(results)} 个文件 files · {len(results) - rejected} 收录 added · "
        f"{rejected} 拒收 rejected"
    )
    if rejected:
        raise typer.Exit(2)


def _print_result(r: writing.AddResult, verbose: bool) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.validation.findings import Severity

    if r.status == "rejected":
        console.print(f"[red]拒收 rejected[/red] {r.file}")
        console.print(r.report.text())
        return
    status = {
        "added": "收录 added",
        "reingested": "重新收录 re-ingested",
        "attached": "并入 attached",
    }[r.status]
    dup = (
        f" · 第 #{r.document_id} 号文件的副本，作为其来源文件 a copy of #{r.document_id}, kept "
        f"as one of its files"
        if r.status == "attached"
        else f" · 与 #{r.canonical_id} 为同一文件 same document as #{r.canonical_id}"
        if r.canonical_id
        else ""
    )
    console.print(
        f"[green]{status}[/green] #{r.document_id} {r.file} · {r.title or '（无标题 / no title）'}"
        f" · {r.targets} 个目标 targets{dup}"
    )
    missing = [f.column for f in r.report.findings if f.code == "policy-field-not-found"]
    shown = [
        f
        for f in r.report.findings
        if verbose or (f.severity is not Severity.INFO and f.code != "policy-field-not-found")
    ]
    for item in shown:
        console.print("  " + item.text().replace("\n", "\n  "))
    if missing and not verbose:
        console.print(
            f"  [yellow]文中未找到 / not found in the text:[/yellow] {'、'.join(missing)}"
            " → `shumao policy edit`"
        )


@app.command("search")
def search_(
    query: Annotated[str, typer.Argument(help="检索词 / query, e.g. 数据跨境")],
    issuer: Annotated[
        str | None, typer.Option(help="发文机关 / issuing body (part of a name)")
    ] = None,
    year_from: Annotated[int | None, typer.Option(help="起始年份 / first year of issue")] = None,
    year_to: Annotated[int | None, typer.Option(help="截止年份 / last year of issue")] = None,
    level: Annotated[str | None, typer.Option(help="层级 / level: 中央|部委|地方")] = None,
    doc_type: Annotated[
        str | None, typer.Option("--type", help="文种 / type: 通知|意见|指引|报告…")
    ] = None,
    limit: Annotated[int, typer.Option(help="最多条数 / at most this many documents")] = 10,
    by_date: Annotated[bool, typer.Option("--by-date", help="按日期排序 / newest first")] = False,
) -> None:
    """全文检索（简繁皆可）/ full-text search (simplified or traditional)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.policy import search

    filters = search.Filters(issuer, year_from, year_to, level, doc_type)
    with open_store() as engine:
        result = search.search(
            engine, query, filters=filters, limit=limit, order="date" if by_date else "relevance"
        )
    total = f"{result.total}{'+' if result.more else ''}"
    console.print(
        f"“{query}” → {' '.join(result.terms) or '—'} · 共 {total} 个文件 / {total} document(s)"
    )
    for hit in result.hits:
        meta = " · ".join(
            str(x) for x in (hit.doc_number, hit.issue_date, hit.level, hit.doc_type) if x
        )
        console.print(
            f"\n[bold]#{hit.document_id} {hit.title or '（无标题 / no title）'}[/bold]"
            + (f"  [dim]{meta}[/dim]" if meta else "")
        )
        if hit.section:
            console.print(f"  [cyan]{hit.section}[/cyan]")
        console.print("  " + hit.highlighted("[reverse]", "[/reverse]"), highlight=False)
        console.print(f"  [dim]相关度 score {hit.score:.2f} · {hit.passages} 段命中 passages[/dim]")


@app.command("show")
def show(
    doc_id: Annotated[int, typer.Argument(help="文件编号 / document id")],
    text: Annotated[bool, typer.Option("--text", help="显示全文 / print the cleaned text")] = False,
) -> None:
    """文件详情：元数据、章节结构、目标 / metadata, section tree and targets of a document."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.policy import sections

    try:
        with open_store() as engine:
            view = documents.get(engine, doc_id)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    _print_fields(view)
    if view.canonical_id:
        console.print(
            f"副本 / copy of: #{view.canonical_id}（相似度 similarity {view.similarity:.2f}）"
        )
    if view.duplicates:
        console.print(
            f"同一文件的其他记录 / other records of it: {', '.join(f'#{i}' for i in view.duplicates)}"
        )
    if len(view.files) > 1:
        console.print(
            f"来源文件 / source files ({len(view.files)}): "
            + "；".join(
                f"[{f.id}] {f.source_file}（{f.source_format}，{f.script}"
                + (f"，相似度 {f.similarity:.2f}" if f.similarity is not None else "")
                + "）"
                for f in view.files
            ),
            highlight=False,
            markup=False,
        )
        console.print(
            "拆分误合并的副本 / split a wrongly folded copy: shumao policy split <文件号 file id>"
        )
    console.print(f"\n[bold]章节 / sections[/bold] ({len(view.sections)})")
    secs = [
        sections.Section(
            s["ordinal"],
            s["level"],
            s["label"],
            s["heading"],
            s["parent"],
            s["first_par"],
            s["last_par"],
        )
        for s in view.sections
    ]
    for line in sections.tree_lines(secs):
        console.print("  " + line, highlight=False)
    _print_targets(view.targets, title=f"目标 / targets ({len(view.targets)})")
    if text:
        console.print("\n" + view.display_text, highlight=False)


def _print_fields(view: documents.DocumentView) -> None:
    table = Table("字段 field", "值 value", "来源 source", title=f"#{view.id} {view.source_file}")
    for name in metadata.FIELDS:
        zh, en = metadata.LABELS[name]
        value = view.fields[name]
        shown = "、".join(value) if isinstance(value, list) else value
        origin = "更正 corrected" if name in view.corrected else "文中 from text" if shown else "—"
        table.add_row(f"{zh} {en}", str(shown) if shown else NOT_FOUND, origin)
    table.add_row("字形 script", view.script, view.source_format)
    console.print(table)


def _print_targets(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(
        "id",
        "年份 year",
        "主体 subject",
        "指标 indicator",
        "目标 target",
        "状态 status",
        title=title,
    )
    for r in rows:
        value = f"{r['comparator']} {r['value']:g}{r['unit']}"
        status = r["status"] + (f" → {r['indicator_code']}" if r.get("indicator_code") else "")
        table.add_row(
            str(r["id"]), str(r["target_year"]), r["subject"], r["indicator"], value, status
        )
    console.print(table)


@app.command("edit")
def edit(
    doc_id: Annotated[int, typer.Argument(help="文件编号 / document id")],
    field: Annotated[str, typer.Argument(help="字段 / field: " + ", ".join(metadata.EDITABLE))],
    value: Annotated[str, typer.Argument(help="新值（“-” 清空）/ new value ('-' clears)")],
    by: Annotated[str, typer.Option(help="更正人 / editor")] = "editor",
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
) -> None:
    """更正一个字段（重新收录后仍然有效）/ correct a field (kept across re-ingests)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    try:
        with open_store() as engine:
            fields = editing.edit(engine, doc_id, field, value, by=by, note=note)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    shown = fields.get(field, value)
    console.print(f"[green]已更正 / corrected[/green] #{doc_id} {field} = {shown}")


@app.command("targets")
def targets(
    confirm: Annotated[int | None, typer.Option(help="确认目标 / confirm target id")] = None,
    indicator: Annotated[
        str | None, typer.Option(help="对应的监测指标代码 / indicator code")
    ] = None,
    reject: Annotated[int | None, typer.Option(help="否决目标 / reject target id")] = None,
    status: Annotated[str | None, typer.Option(help="candidate|confirmed|rejected")] = None,
) -> None:
    """候选目标与确认 / candidate targets; confirm one with --confirm ID --indicator CODE."""
    with open_store() as engine:
        _targets(engine, confirm, indicator, reject, status)


def _targets(
    engine: Engine,
    confirm: int | None,
    indicator: str | None,
    reject: int | None,
    status: str | None,
) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    try:
        if confirm is not None:
            if not indicator:
                raise fail("--confirm 需要 --indicator / --confirm needs --indicator")
            editing.confirm_target(engine, confirm, indicator)
            console.print(f"[green]已确认 / confirmed[/green] 目标 target #{confirm} → {indicator}")
            return
        if reject is not None:
            editing.reject_target(engine, reject)
            console.print(f"已否决 / rejected 目标 target #{reject}")
            return
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    rows = documents.list_targets(engine, status)
    _print_targets(rows, title="目标 / targets")
    for r in rows:
        console.print(
            f"  #{r['id']} [dim]#{r['document_id']} {r['title'] or ''} · "
            f"{r['section_path']}[/dim]\n    {r['sentence']}",
            highlight=False,
        )


@app.command("split")
def split_cmd(
    file_id: Annotated[
        int, typer.Argument(help="来源文件号（shumao policy show 中的 [号]）/ source file id")
    ],
    reason: Annotated[str, typer.Option(help="原因 / why the copy is another document")] = "",
    by: Annotated[str, typer.Option(help="操作人 / administrator")] = "admin",
) -> None:
    """把误合并的副本拆分为独立文件（可撤销）/ split a wrongly folded copy off (undoable)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.policy import split

    try:
        with open_store() as engine:
            done = split.split_file(engine, file_id, by=by, reason=reason)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"[green]已拆分 / split[/green] #{done.id}: {done.source_file} #{done.from_document_id}"
        f" → #{done.to_document_id}（撤销 / undo: shumao policy unsplit {done.id}）",
        highlight=False,
    )


@app.command("unsplit")
def unsplit_cmd(
    split_id: Annotated[int, typer.Argument(help="拆分记录号 / split id")],
    by: Annotated[str, typer.Option(help="操作人 / administrator")] = "admin",
) -> None:
    """撤销一次拆分：副本重新并入原文件 / undo a split: the copy goes back into its document."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.policy import split

    try:
        with open_store() as engine:
            done = split.undo(engine, split_id, by=by)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"[green]已撤销 / undone[/green] #{done.id}: {done.source_file} → #{done.from_document_id}",
        highlight=False,
    )


@app.command("list")
def list_() -> None:
    """列出全部文件 / list the documents."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    table = Table(show_lines=True)
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("标题 / 文号 title / number", ratio=1, min_width=24, overflow="fold")
    for name in ("日期 date", "层级 level", "文种 type", "副本 copy of"):
        table.add_column(name, no_wrap=True)
    with open_store() as engine:
        rows = documents.list_documents(engine)
    for r in rows:
        title = (r["title"] or NOT_FOUND) + (f"\n{r['doc_number']}" if r["doc_number"] else "")
        table.add_row(
            str(r["id"]),
            title,
            str(r["issue_date"] or "—"),
            r["level"] or "—",
            r["doc_type"] or "—",
            f"#{r['canonical_id']}" if r["canonical_id"] and r["canonical_id"] != r["id"] else "",
        )
    console.print(table)
