"""``shumao validate``, ``template``, ``enterprise …``, ``form …``, ``filing …`` (企业直报).

Who acts is given as ``--actor NAME --as ROLE:SCOPE`` (``--as park:DSEB05``,
``--as enterprise:9132…``, ``--as admin``); logins come with the web layer.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, err_console, fail, store, transaction
from shumao.errors import ShumaoError

if TYPE_CHECKING:  # the domain modules load polars and SQLAlchemy: only when a command runs
    import polars as pl

    from shumao.auth.actors import Actor
    from shumao.collection.checks.model import Context
    from shumao.validation.findings import Report

ActorName = Annotated[str, typer.Option("--actor", help="操作人 / who acts")]
ActAs = Annotated[str, typer.Option("--as", help="角色:范围 / role:scope, e.g. park:DSEB05")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]

enterprise_app = typer.Typer(help="企业信息库 / enterprise database", no_args_is_help=True)
form_app = typer.Typer(help="报表定义 / filing forms", no_args_is_help=True)
filing_app = typer.Typer(help="企业填报与审核 / filings and their review", no_args_is_help=True)


def _actor(name: str, spec: str) -> Actor:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.actors import Actor

    try:
        return Actor.parse(name, spec)
    except ShumaoError as exc:
        raise fail(str(exc)) from None




def _print_report(report: Report, as_json: bool) -> None:
    console.print(report.to_json() if as_json else report.text(), soft_wrap=True, markup=False,
                  highlight=False)


# --- validate and template -----------------------------------------------------------------------


def validate_cmd(
    file: Annotated[Path, typer.Argument(help="要校验的文件 / file to check")],
    form: Annotated[str, typer.Option(help="报表 / form id, e.g. DDS_Q")],
    enterprise: Annotated[str | None, typer.Option(help="应为该企业 / expected credit code")] = None,
    period: Annotated[str | None, typer.Option(help="应为该报告期 / expected period")] = None,
    use_store: Annotated[bool, typer.Option("--store/--no-store",
                                            help="用库中历史数据做 HB 与跨表校验 / compare with "
                                                 "stored history (HB, cross-form)")] = True,
    max_bytes: Annotated[int | None, typer.Option(
        help="文件大小上限（字节，默认取 SHUMAO_UPLOAD_MAX_BYTES）/ size limit in bytes "
             "(default: the upload_max_bytes setting)")] = None,
    as_json: AsJson = False,
) -> None:
    """校验填报文件并列出全部问题 / check a filing file and print every finding."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.checks.engine import validate
    from shumao.collection.forms import get_form
    from shumao.collection.upload import read_file
    from shumao.config import get_settings

    try:
        spec = get_form(form)
        parsed = read_file(file, form=spec,
                           max_bytes=max_bytes or get_settings().upload_max_bytes)
        if parsed.sheet is not None:
            context = _validate_context(spec, parsed.sheet.frame, enterprise, period, use_store)
            validate(parsed.sheet, spec, context=context, report=parsed.report)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    _print_report(parsed.report, as_json)
    if not parsed.report.ok:
        raise typer.Exit(2)


def _validate_context(spec: Any, frame: pl.DataFrame, enterprise: str | None, period: str | None,
                      use_store: bool) -> Context:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import workflow
    from shumao.collection.checks.model import Context
    from shumao.collection.forms import normalise_period

    expected = period and normalise_period(period, spec.frequency)
    if not use_store:
        return Context(expected_uscc=enterprise, expected_period=expected or None)
    found = [p for p in (normalise_period(x, spec.frequency)
                         for x in frame["period"].drop_nulls().unique().to_list()) if p]
    at = expected or (min(found) if found else None)
    usccs = [u.strip().upper() for u in frame["uscc"].drop_nulls().unique().to_list()]
    with store().connect() as conn:
        context = workflow.build_context(conn, spec, uscc=enterprise, period=at, usccs=usccs)
    if not expected:
        context.expected_period = None
    return context


def template_cmd(
    form: Annotated[str, typer.Argument(help="报表 / form id, e.g. DDS_Q")],
    enterprise: Annotated[str, typer.Option(help="统一社会信用代码 / credit code")],
    period: Annotated[str, typer.Option(help="报告期 / period, e.g. 2024-Q3")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 / output")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """生成填报模板 / write the Excel template of a form for an enterprise and period."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import registry, workflow
    from shumao.collection.forms import get_form, normalise_period
    from shumao.collection.templates import Identity, template_filename, write_template

    who = _actor(actor, act_as)
    with transaction() as conn:
        spec = get_form(form)
        ent = registry.get_enterprise(conn, actor=who, uscc=enterprise)
        norm = normalise_period(period, spec.frequency)
        if norm is None:
            raise fail(f"报告期格式不对 / not a {spec.frequency} period: {period}")
        due = workflow.due_date(conn, form_id=spec.id, period=norm)
    ident = Identity(ent.uscc, ent.name, norm, due)
    path = write_template(spec, ident, output or Path(template_filename(spec, ident)))
    console.print(f"已生成模板 / template written: {path}")


# --- enterprise ------------------------------------------------------------------------------------


@enterprise_app.command("import-roster")
def import_roster_cmd(
    file: Annotated[Path, typer.Argument(help="企业名录 / roster (XLSX or CSV)")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """导入企业名录（全部成功或全部不导入）/ import a roster, all or nothing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import registry

    who = _actor(actor, act_as)
    with transaction() as conn:
        result = registry.import_roster(conn, actor=who, path=file)
    if result.report.findings:
        _print_report(result.report, False)
    console.print(f"[green]完成 / done[/green]: 新增 created {result.created} · 更新 updated "
                  f"{result.updated} · 未变 unchanged {result.unchanged}")


@enterprise_app.command("list")
def list_enterprises_cmd(
    park: Annotated[str | None, typer.Option(help="基地代码 / park code")] = None,
    reporters: Annotated[bool, typer.Option(help="只列直报企业 / reporters only")] = False,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
    as_json: AsJson = False,
) -> None:
    """列出企业 / list enterprises in the actor's scope."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import registry

    who = _actor(actor, act_as)
    with transaction() as conn:
        rows = registry.list_enterprises(conn, actor=who, park=park, reporters_only=reporters)
    if as_json:
        console.print(json.dumps([_plain(asdict(e)) for e in rows], ensure_ascii=False, indent=1))
        return
    table = Table("统一社会信用代码", "名称 name", "基地 park", "区县 county", "行业",
                  *(registry.FLAG_NAMES[k] for k in registry.REPORTER_FLAGS))
    for e in rows:
        table.add_row(e.uscc, e.name, e.park_code or "—", e.county_code or "—",
                      e.industry_code or "—",
                      *("是" if getattr(e, k) else "否" for k in registry.REPORTER_FLAGS))
    console.print(table)


@enterprise_app.command("show")
def show_enterprise_cmd(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
    as_json: AsJson = False,
) -> None:
    """企业信息及变更记录 / an enterprise and its change history."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import registry

    who = _actor(actor, act_as)
    with transaction() as conn:
        ent = registry.get_enterprise(conn, actor=who, uscc=uscc)
        log = registry.changes(conn, actor=who, uscc=uscc)
    if as_json:
        doc = {"enterprise": _plain(asdict(ent)), "changes": [_plain(asdict(c)) for c in log]}
        console.print(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    for key, value in asdict(ent).items():
        console.print(f"{key:22} {value}")
    table = Table("版本 v", "时间 when", "操作人 who", "操作", "变更 what")
    for c in log:
        what = "; ".join(f"{k}: {a} → {b}" for k, (a, b) in c.changes.items())
        table.add_row(str(c.version), f"{c.changed_at:%Y-%m-%d %H:%M}", c.changed_by, c.action,
                      what)
    console.print(table)


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in doc.items()}


# --- form --------------------------------------------------------------------------------------------


@form_app.command("list")
def list_forms_cmd() -> None:
    """列出报表 / list the filing forms."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.forms import all_forms

    table = Table("form", "表号", "名称", "title", "频率 freq", "dataflow")
    for f in all_forms():
        table.add_row(f.id, f.code, f.title_zh, f.title_en, f.frequency, f.dataflow)
    console.print(table)


@form_app.command("show")
def show_form_cmd(form: Annotated[str, typer.Argument(help="报表 / form id")]) -> None:
    """报表的栏目与校验规则 / a form's fields and rules."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.forms import get_form

    try:
        spec = get_form(form)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(f"[bold]{spec.title}[/bold] · {spec.frequency} · → {spec.dataflow} · "
                  f"期限 due +{spec.deadline_days} 天 days")
    table = Table("id", "栏目", "field", "类型 kind", "单位 unit", "必填", "范围 range / 代码")
    for f in spec.fields:
        rng = (", ".join(f.allowed) if f.allowed else f.codelist if f.kind == "code"
               else f"[{f.min}, {f.max}]" if f.numeric else "")
        table.add_row(f.id, f.label_zh, f.label_en, f.kind, f.unit or "—",
                      "是" if f.required else "", rng)
    console.print(table)
    for r in spec.rules:
        console.print(f"  规则 rule {r.code} ({r.kind}): {r.params}")


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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        result = workflow.upload_file(conn, actor=who, form_id=form, uscc=enterprise,
                                      period=period, path=file)
    _print_report(result.report, as_json)
    verdict = "[green]通过 accepted[/green]" if result.accepted else "[red]未通过 rejected[/red]"
    console.print(f"填报 filing #{result.filing.id} · 上传 upload #{result.upload.id} · {verdict} · "
                  f"状态 {result.filing.status_text} · 版本 version {result.filing.version}")
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
    explain: Annotated[list[str] | None, typer.Option(
        "--explain", help="警告说明 / KEY=reason for a warning (see `filing show`)")] = None,
    version: Annotated[int | None, typer.Option(help="看到的版本 / version you saw")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """提交审核 / submit for review."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        found = workflow.submit(conn, actor=who, filing_id=filing_id, expected_version=version,
                                explanations=_explanations(explain or []))
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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        found = workflow.approve(conn, actor=who, filing_id=filing_id, expected_version=version,
                                 note=note)
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.forms import get_form
    from shumao.monitor.hooks import after_commit

    after_commit(store(), trigger="approval", dataflows=[get_form(found.form_id).dataflow],
                 user=actor)  # a form without a dataflow (ODI_A): the rules reading none
    console.print(f"[green]已审核通过 / approved[/green]: 填报 filing #{found.id} · 第 "
                  f"{found.revision} 版 revision · 数据版本 vintage {found.vintage_id}")


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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        found = workflow.return_filing(conn, actor=who, filing_id=filing_id, reason=reason,
                                       expected_version=version)
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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        found = workflow.get_filing(conn, actor=who, filing_id=filing_id)
        uploads = workflow.list_uploads(conn, actor=who, filing_id=filing_id)
        pending = workflow.pending_warnings(conn, actor=who, filing_id=filing_id)
    if as_json:
        doc = {"filing": _plain(asdict(found)),
               "uploads": [{"id": u.id, "filename": u.filename, "status": u.status,
                            "errors": u.errors, "warnings": u.warnings} for u in uploads],
               "warnings": [{"key": p.key, "message_zh": p.finding.message_zh,
                             "explanation": p.explanation} for p in pending]}
        console.print(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    console.print(f"填报 filing #{found.id} · {found.form_id} · {found.uscc} · {found.period} · "
                  f"{found.status_text} · 版本 version {found.version} · 修订 revision {found.revision}")
    for u in uploads:
        mark = "✓" if u.accepted else "✗"
        console.print(f"  {mark} 上传 upload #{u.id} {u.filename} · {u.errors} 错误 errors · "
                      f"{u.warnings} 警告 warnings · {u.uploaded_at:%Y-%m-%d %H:%M} {u.uploaded_by}")
    if uploads:
        _print_report(uploads[-1].report, False)
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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        rows = workflow.list_filings(conn, actor=who, form_id=form, period=period, status=status)
    table = Table("#", "form", "统一社会信用代码", "period", "状态 status", "v", "rev")
    for f in rows:
        table.add_row(str(f.id), f.form_id, f.uscc, f.period, f.status_text, str(f.version),
                      str(f.revision))
    console.print(table)


@filing_app.command("history")
def history_cmd(
    filing_id: Annotated[int, typer.Argument(help="填报编号 / filing id")],
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """填报的全部流转记录 / every transition of a filing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        steps = workflow.history(conn, actor=who, filing_id=filing_id)
    table = Table("时间 when", "操作 action", "从 from", "到 to", "v", "操作人 who", "原因 why",
                  "vintage")
    for t in steps:
        who_text = f"{t.actor} ({t.role}{':' + t.scope if t.scope else ''})"
        table.add_row(f"{t.at:%Y-%m-%d %H:%M:%S}", t.action, t.from_status or "—", t.to_status,
                      str(t.filing_version), who_text, t.reason, str(t.vintage_id or ""))
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

    who = _actor(actor, reviewer)
    if period is None:
        raise fail("请指定 --period / give --period")
    day = date.fromisoformat(today) if today else None
    with transaction() as conn:
        rows = response.non_response(conn, actor=who, form_id=form, period=period, today=day,
                                     include_pending=pending)
    if as_json:
        console.print(json.dumps([{**_plain(asdict(r)), "label": r.label} for r in rows],
                                 ensure_ascii=False, indent=1))
        return
    table = Table("统一社会信用代码", "名称 name", "基地 park", "类别 kind", "截止 due", "首次提交")
    for r in rows:
        table.add_row(r.uscc, r.name, r.park_code or "—", r.label, r.due.isoformat(),
                      f"{r.first_submitted_at:%Y-%m-%d %H:%M}" if r.first_submitted_at else "—")
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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        workflow.set_deadline(conn, actor=who, form_id=form, period=period,
                              due=date.fromisoformat(due))
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
    from shumao.collection import workflow

    who = _actor(actor, act_as)
    with transaction() as conn:
        path = workflow.export_filing(conn, actor=who, filing_id=filing_id, path=output, fmt=fmt)
    err_console.print(f"已写入 / written: {path}")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("template")(template_cmd)
    app.add_typer(enterprise_app, name="enterprise")
    app.add_typer(form_app, name="form")
    app.add_typer(filing_app, name="filing")


def standalone() -> typer.Typer:
    """An app with the data commands and these, for ``python -m shumao.cli.collection``."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli import data

    app = typer.Typer(name="shumao", no_args_is_help=True, add_completion=False,
                      pretty_exceptions_enable=False)
    data.register(app)
    register(app)
    return app


if __name__ == "__main__":
    standalone()()
