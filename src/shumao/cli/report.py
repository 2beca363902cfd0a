"""``shumao report build`` and ``shumao report check`` (the annual report, issue 19)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli.common import console, err_console, fail, progress_bar, store
from shumao.errors import ShumaoError

if TYPE_CHECKING:
    from shumao.report.check import Outcome

Year = Annotated[int, typer.Option("--year", help="报告年份 / report year")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="数据版本号或日期 / vintage id or date")]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template", help="报告模板（YAML）/ report template; default: the annual report's"
    ),
]
STAGES = {
    "data": "读取数据 / reading data",
    "html": "HTML",
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "done": "完成 / done",
}


def register(report_app: typer.Typer) -> None:
    report_app.command("build")(build_cmd)
    report_app.command("check")(check_cmd)


def _as_of(value: str | None) -> int | object | None:
    if not value:
        return None
    return int(value) if value.isdigit() else datetime.fromisoformat(value)


def _overrides(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise fail(f"--override 应为 编号=理由 / --override must be CLAIM_ID=reason: {item}")
        out[key.strip()] = reason.strip()
    return out


def build_cmd(
    year: Year = 2022,
    formats: Annotated[
        str, typer.Option("--format", help="html,pdf,docx,xlsx 中的若干项 / any of")
    ] = "docx,pdf,html,xlsx",
    lang: Annotated[str, typer.Option("--lang", help="zh|en")] = "zh",
    as_of: AsOf = None,
    template: TemplateOpt = None,
    passages: Annotated[
        Path | None,
        typer.Option(
            "--passages", help="手写段落目录（.md/.docx/.csv）/ folder of hand-written passages"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录 / output folder")
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--override", help="放行未通过核对的数字：编号=理由 / publish a failed claim: ID=reason"
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bar")] = False,
) -> None:
    """生成年度报告（Word、PDF、HTML、Excel）/ build the annual report from the store."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.config import get_settings
    from shumao.report.build import ReportRejected, Request, build

    if lang not in ("zh", "en"):
        raise fail("--lang 应为 zh 或 en / --lang must be zh or en")
    settings = get_settings()
    req = Request(
        year=year,
        formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
        lang=lang,
        as_of=_as_of(as_of),  # type: ignore[arg-type]
        template=template,
        passages=passages,
        out_dir=out or settings.data_dir / "reports",
        overrides=_overrides(override or []),
        cache_dir=settings.data_dir / "cache" / "report",
        link_base=settings.public_url,
    )
    try:
        with progress_bar(not quiet) as bar:

            def progress(stage: str, done: int, total: int) -> None:
                if bar is not None:
                    bar(STAGES.get(stage, stage), done, total)  # type: ignore[operator]

            result = build(store(), req, progress)
    except ReportRejected as exc:
        console.print(exc.report.text(), markup=False)
        raise fail(str(exc), code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    for finding in result.report.warnings:
        err_console.print(finding.text(), markup=False)
    for fmt, path in result.files.items():
        console.print(f"{fmt.upper():5} {path}", markup=False)
    doc = result.document
    console.print(
        f"{len(doc.figures)} 个数字可追溯 / traceable figures；表 {len(doc.tables())}，"
        f"图 {len(doc.charts())}；略去句子 / sentences left out: {len(doc.omitted)}；"
        f"图表缓存 / chart cache: {result.cache.hits} hit, {result.cache.misses} drawn",
        markup=False,
    )


STATUS = {
    "ok": "[green]一致 ok[/green]",
    "mismatch": "[red]不一致 mismatch[/red]",
    "unsupported": "[yellow]无法核对 unsupported[/yellow]",
}


def check_cmd(
    file: Annotated[Path, typer.Argument(help="报告或段落文件（.txt/.pdf/.docx/.html）/ a report")],
    year: Year = 2022,
    as_of: AsOf = None,
    template: TemplateOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 / JSON output")] = False,
) -> None:
    """核对文中每个数字 / fact-check every number in a text against the store.

    退出码 / exit code: 0 all checked claims agree, 1 some disagree, 2 the file could not be read.
    """
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.report.build import ReportRejected
    from shumao.report.check import check_file

    try:
        outcome = check_file(store(), file, year=year, as_of=_as_of(as_of), template=template)  # type: ignore[arg-type]
    except ReportRejected as exc:
        console.print(exc.report.text(), markup=False)
        raise fail("无法核对 / cannot check this file", code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    if as_json:
        console.print(
            json.dumps(_json(outcome), ensure_ascii=False, indent=1), soft_wrap=True, markup=False
        )
    else:
        _print(outcome)
    if outcome.count("mismatch"):
        raise typer.Exit(1)


def _json(outcome: Outcome) -> dict[str, object]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.report.data import area_name

    return {
        "file": outcome.file,
        "claims": [
            {
                "id": c.id,
                "status": c.status,
                "kind": c.claim.kind,
                "text": c.claim.text,
                "subject": c.claim.subject,
                "subject_name": area_name(c.claim.subject) if c.claim.subject else "",
                "flow": c.claim.flow,
                "period": c.claim.period,
                "printed": c.claim.printed,
                "unit": c.claim.unit,
                "store": c.figure.value if c.figure is not None else None,
                "explanation": c.explain("zh"),
            }
            for c in outcome.claims
        ],
        "counts": {s: outcome.count(s) for s in ("ok", "mismatch", "unsupported")},
    }


def _print(outcome: Outcome) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.report.data import area_name

    table = Table(
        "编号 id",
        "原文 text",
        "类型 kind",
        "主体 subject",
        "结论 result",
        "核对 computation",
        show_lines=True,
        title=f"核对 / fact-check: {outcome.file}",
    )
    for c in outcome.claims:
        subject = area_name(c.claim.subject) if c.claim.subject else "—"
        table.add_row(
            c.id, c.claim.text[:60], c.claim.kind, subject, STATUS[c.status], c.explain("zh")
        )
    console.print(table)
    console.print(
        f"一致 ok {outcome.count('ok')}，不一致 mismatch {outcome.count('mismatch')}，"
        f"无法核对 unsupported {outcome.count('unsupported')}（理由见上表 / reasons above）"
    )
