"""``shumao filing …``: upload, submit, approve or return, show, list, history, overdue,
deadline, export (企业填报与审核)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shumao.cli.collection_common import ActAs, ActorName, AsJson, acting, plain, print_report
from shumao.cli.common import console, err_console, fail, store, transaction

filing_app = typer.Typer(help="企业填报与审核 / filings and their review", no_args_is_help=True)

# --- filing ----------------------------------------------------------------------------------------


@filing_app.command("upload")
def upload_cmd(
    file: Annotated[Path, typer.Argument(help="填好的模板、CSV 或 JSON / filled file")],
    form: Annotated[str, typer.Option(help="报表 / form id")],
    enterprise: Annotated[str, typer.Option(help="统一社会信用代码 / credit code")],
    period: Annotated[str, typer.Option(help="报告期 / period")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
    as_json: AsJson = False,
) -> None:
    """上传填报文件（无论是否通过都会保存）/ upload a filled file (kept whatever its findings)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import uploads

    who = acting(actor, act_as)
    with transaction() as conn:
        result = uploads.upload_file(
            conn, actor=who, form_id=form, uscc=enterprise, period=period, path=file
        )
    print_report(result.report, as_json)
    verdict = "[green]通过 accepted[/green]" if result.accepted else "[red]未通过 rejected[/red]"
    console.print(
        f"填报 filing #{result.filing.id} · 上传 upload #{result.upload.id} · {verdict} · "
        f"状态 {result.filing.status_text} · 版本 version {result.filing.version}"
    )
    if not result.accepted:
        raise typer.Exit(2)


def _explanations(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep:
            raise fail(f"说明应写成 KEY=原因 / write explanations as KEY=reason: {item}")
        out[key.strip()] = text.strip()
    return out


@filing_app.command("submit")
def submit_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    explain: Annotated[
        list[str] | None,
        typer.Option("--explain", help="警告说明 / KEY=reason for a warning (see `filing show`)"),
    ] = None,
    version: Annotated[int | None, typer.Option(help="看到的版本 / version you saw")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """提交审核 / submit for review."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import submission

    who = acting(actor, act_as)
    with transaction() as conn:
        found = submission.submit(
            conn,
            actor=who,
            filing_id=filing_id,
            expected_version=version,
            explanations=_explanations(explain or []),
        )
    console.print(f"已提交 / submitted: 填报 filing #{found.id} · 版本 version {found.version}")


@filing_app.command("approve")
def approve_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    version: Annotated[int | None, typer.Option(help="看到的版本 / version you saw")] = None,
    note: Annotated[str, typer.Option(help="审核意见 / note")] = "",
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """审核通过：数据写入为新版本 / approve: the values become a new vintage."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import review

    who = acting(actor, act_as)
    with transaction() as conn:
        found = review.approve(
            conn, actor=who, filing_id=filing_id, expected_version=version, note=note
        )
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.forms import get_form
    from shumao.monitor.hooks import after_commit

    after_commit(
        store(), trigger="approval", dataflows=[get_form(found.form_id).dataflow], user=actor
    )  # a form without a dataflow (ODI_A): the rules reading none
    console.print(
        f"[green]已审核通过 / approved[/green]: 填报 filing #{found.id} · 第 "
        f"{found.revision} 版 revision · 数据版本 vintage {found.vintage_id}"
    )


@filing_app.command("return")
def return_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    reason: Annotated[str, typer.Option(help="退回原因 / reason (required)")],
    version: Annotated[int | None, typer.Option(help="看到的版本 / version you saw")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """退回企业修改 / return to the enterprise with a reason."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import review

    who = acting(actor, act_as)
    with transaction() as conn:
        found = review.return_filing(
            conn, actor=who, filing_id=filing_id, reason=reason, expected_version=version
        )
    console.print(f"已退回 / returned: 填报 filing #{found.id} · 原因 reason: {reason}")


@filing_app.command("show")
def show_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
    as_json: AsJson = False,
) -> None:
    """填报状态、当前上传的问题与待说明的警告 / status, findings and warnings to explain."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import contents, filings, submission

    who = acting(actor, act_as)
    with transaction() as conn:
        found = filings.get_filing(conn, actor=who, filing_id=filing_id)
        uploads = contents.list_uploads(conn, actor=who, filing_id=filing_id)
        pending = submission.pending_warnings(conn, actor=who, filing_id=filing_id)
    if as_json:
        doc = {
            "filing": plain(asdict(found)),
            "uploads": [
                {
                    "id": u.id,
                    "filename": u.filename,
                    "status": u.status,
                    "errors": u.errors,
                    "warnings": u.warnings,
                }
                for u in uploads
            ],
            "warnings": [
                {"key": p.key, "message_zh": p.finding.message_zh, "explanation": p.explanation}
                for p in pending
            ],
        }
        console.print(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    console.print(
        f"填报 filing #{found.id} · {found.form_id} · {found.uscc} · {found.period} · "
        f"{found.status_text} · 版本 version {found.version} · 修订 revision {found.revision}"
    )
    for u in uploads:
        mark = "✓" if u.accepted else "✗"
        console.print(
            f"  {mark} 上传 upload #{u.id} {u.filename} · {u.errors} 错误 errors · "
            f"{u.warnings} 警告 warnings · {u.uploaded_at:%Y-%m-%d %H:%M} {u.uploaded_by}"
        )
    if uploads:
        print_report(uploads[-1].report, False)
    for p in pending:
        console.print(f"  待说明 to explain: {p.key} — {p.explanation or '（未填写 none yet）'}")


@filing_app.command("list")
def list_cmd(
    form: Annotated[str | None, typer.Option(help="报表 / form id")] = None,
    period: Annotated[str | None, typer.Option(help="报告期 / period")] = None,
    status: Annotated[str | None, typer.Option(help="状态 / status")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """列出填报 / list filings in the actor's scope."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import filings

    who = acting(actor, act_as)
    with transaction() as conn:
        rows = filings.list_filings(conn, actor=who, form_id=form, period=period, status=status)
    table = Table("#", "form", "统一社会信用代码", "period", "状态 status", "v", "rev")
    for f in rows:
        table.add_row(
            str(f.id), f.form_id, f.uscc, f.period, f.status_text, str(f.version), str(f.revision)
        )
    console.print(table)


@filing_app.command("history")
def history_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """填报的全部流转记录 / every transition of a filing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import filings

    who = acting(actor, act_as)
    with transaction() as conn:
        steps = filings.history(conn, actor=who, filing_id=filing_id)
    table = Table(
        "时间 when", "操作 action", "从 from", "到 to", "v", "操作人 who", "原因 why", "vintage"
    )
    for t in steps:
        who_text = f"{t.actor} ({t.role}{':' + t.scope if t.scope else ''})"
        table.add_row(
            f"{t.at:%Y-%m-%d %H:%M:%S}",
            t.action,
            t.from_status or "—",
            t.to_status,
            str(t.filing_version),
            who_text,
            t.reason,
            str(t.vintage_id or ""),
        )
    console.print(table)


@filing_app.command("overdue")
def overdue_cmd(
    reviewer: Annotated[str, typer.Option(help="审核人 / reviewer as ROLE:SCOPE")],
    form: Annotated[str, typer.Option(help="报表 / form id")] = "DDS_Q",
    period: Annotated[str | None, typer.Option(help="报告期 / period")] = None,
    today: Annotated[str | None, typer.Option(help="按此日期判断 / as of date (ISO)")] = None,
    pending: Annotated[bool, typer.Option(help="含未到期未报 / include not yet due")] = False,
    actor: ActorName = "cli",
    as_json: AsJson = False,
) -> None:
    """迟报、漏报名单 / late and missing reporters for a reviewer."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import response

    who = acting(actor, reviewer)
    if period is None:
        raise fail("请指定 --period / give --period")
    day = date.fromisoformat(today) if today else None
    with transaction() as conn:
        rows = response.non_response(
            conn, actor=who, form_id=form, period=period, today=day, include_pending=pending
        )
    if as_json:
        console.print(
            json.dumps(
                [{**plain(asdict(r)), "label": r.label} for r in rows], ensure_ascii=False, indent=1
            )
        )
        return
    table = Table("统一社会信用代码", "名称 name", "基地 park", "类别 kind", "截止 due", "首次提交")
    for r in rows:
        table.add_row(
            r.uscc,
            r.name,
            r.park_code or "—",
            r.label,
            r.due.isoformat(),
            f"{r.first_submitted_at:%Y-%m-%d %H:%M}" if r.first_submitted_at else "—",
        )
    console.print(table)
    console.print(f"合计 {len(rows)} 家 / {len(rows)} enterprise(s)")


@filing_app.command("deadline")
def deadline_cmd(
    form: Annotated[str, typer.Argument(help="报表 / form id")],
    period: Annotated[str, typer.Argument(help="报告期 / period")],
    due: Annotated[str, typer.Argument(help="截止日期 / due date (ISO)")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """设置某期报送截止日期 / set a period's due date."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import deadlines

    who = acting(actor, act_as)
    with transaction() as conn:
        deadlines.set_deadline(
            conn, actor=who, form_id=form, period=period, due=date.fromisoformat(due)
        )
    console.print(f"已设置 / set: {form} {period} → {due}")


@filing_app.command("export")
def export_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件 / output file")],
    fmt: Annotated[str, typer.Option("--format", help="csv|xlsx|json")] = "csv",
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """导出填报单元格（公式样文本已转义）/ export the cells (formula-like text escaped)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.workflow import contents

    who = acting(actor, act_as)
    with transaction() as conn:
        path = contents.export_filing(conn, actor=who, filing_id=filing_id, path=output, fmt=fmt)
    err_console.print(f"已写入 / written: {path}")
