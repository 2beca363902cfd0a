"""``shumao release …``: releases now, on the calendar, postponed, corrected; the worker.

shumao release publish [DATAFLOW …] [--all]      make the newest vintages public now
shumao release schedule DATAFLOW --period P --at "2026-12-07 09:30" [--embargo USER …]
shumao release schedule DTI_PROV --kind index …  an index's build (default: the newest)
shumao release schedule annual --kind report …   the annual report; then attach its files:
shumao release attach ENTRY FILE …              the report's PDF/Word/HTML/Excel files
shumao release calendar [--json]                 发布日程: upcoming and past releases
shumao release postpone ENTRY --to T --reason R  postpone (the old entry keeps the reason)
shumao release correct DATAFLOW --reason R       release a correction outside the calendar
shumao release notes RELEASE [--lang en]         the notes of a release
shumao release worker [--once]                   release due entries at their minute;
                                                 write the open-data snapshots
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.auth.scope import Scope
from shumao.cli.common import console, fail, open_store
from shumao.config import get_settings
from shumao.errors import ShumaoError

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="发布、发布日程与定时发布 / releases, the release calendar, the worker",
    no_args_is_help=True,
)
By = Annotated[str, typer.Option(help="操作人（记入审计日志）/ who acts (audit log)")]


def _admin(by: str) -> Scope:
    return Scope("admin", username=by)


@app.command("publish")
def publish(
    dataflows: Annotated[list[str] | None, typer.Argument(help="数据流 / dataflows")] = None,
    all_flows: Annotated[
        bool,
        typer.Option(
            "--all",
            help="全部有数据的数据流（禁发中的跳过）/ "
            "every dataflow with data (embargoed "
            "ones are skipped)",
        ),
    ] = False,
    revision_reason: Annotated[
        str, typer.Option(help="超出修订政策的修订的原因 / reason for revisions outside the policy")
    ] = "",
    by: By = "cli",
) -> None:
    """立即发布数据流的最新版本（公众可见）/ make the newest vintage of dataflows public now."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor.hooks import after_commit
    from shumao.release import calendar, releases
    from shumao.storage import vintages
    from shumao.storage.dataflows import all_dataflows

    with open_store() as engine:
        with engine.connect() as conn:
            held = {e.subject for e in calendar.embargoed(conn)}
            names = (
                [
                    f.id
                    for f in all_dataflows()
                    if vintages.list_vintages(conn, f.id) and f.id not in held
                ]
                if all_flows
                else [d.upper() for d in dataflows or []]
            )
        if not names:
            raise fail("请给出数据流或 --all / name dataflows or use --all")
        try:
            with engine.begin() as conn:
                done = [
                    releases.release(
                        conn, scope=_admin(by), dataflow_id=n, revision_reason=revision_reason
                    )
                    for n in names
                ]
        except ShumaoError as exc:
            raise fail(str(exc)) from None
        after_commit(engine, trigger="release", dataflows=names, user=by)
        _snapshots(engine, [r.id for r in done])
    for skipped in sorted(held & {f.id for f in all_dataflows()}) if all_flows else []:
        console.print(f"禁发中，按日程发布 / under embargo, released on schedule: {skipped}")
    for r in done:
        _print_release(r)


def _snapshots(engine: Engine, release_ids: list[int]) -> None:
    """The open-data snapshots of releases just committed, written now; one that fails is
    reported (the release stands; the worker writes it in its next round)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import snapshot

    root = get_settings().effective_open_data_dir
    written = snapshot.write_after_commit(engine, release_ids, root)
    for release_id in release_ids:
        if release_id in written:
            console.print(f"开放数据快照 / snapshot: {root / snapshot.folder_name(release_id)}")
        else:
            console.print(
                f"发布 {release_id} 已生效，但开放数据快照写出失败（见日志和审计日志），"
                f"定时发布进程将重试 / release {release_id} stands, but its open-data "
                "snapshot failed (see the log and the audit log): the release worker "
                "writes it in its next round"
            )


def _print_release(r: object) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release.history import Release

    assert isinstance(r, Release)
    console.print(f"已发布 / released: {r.dataflow_id} 版本 vintage {r.vintage_id}")
    if r.disclosure:
        d = r.disclosure
        console.print(
            f"  披露控制规则集 {d['rules']['name']}：{d['tables']} 张表，主要抑制 "
            f"{d['primary']}、次要抑制 {d['secondary']} 个单元格（最优 {d['optimal']} "
            f"张，贪心回退 {d['greedy_fallback']} 张）/ disclosure rule set "
            f"{d['rules']['name']}: {d['tables']} tables, {d['primary']} primary "
            f"and {d['secondary']} secondary cells ({d['optimal']} proven optimal, "
            f"{d['greedy_fallback']} by the greedy fallback)"
        )


@app.command("schedule")
def schedule(
    subject: Annotated[
        str,
        typer.Argument(
            help="数据流、指数的数据流（如 DTI_PROV）或报告名 / "
            "a dataflow, an index's dataflow (e.g. "
            "DTI_PROV) or the report's name"
        ),
    ],
    period: Annotated[str, typer.Option("--period", help="参考期 / reference period")],
    at: Annotated[str, typer.Option("--at", help="北京时间 / Beijing time, 2026-12-07 09:30")],
    kind: Annotated[str, typer.Option(help="dataflow | report | index")] = "dataflow",
    vintage: Annotated[
        int | None, typer.Option(help="版本（默认最新）/ vintage (default: newest)")
    ] = None,
    embargo: Annotated[
        list[str] | None,
        typer.Option(help="禁发名单上的用户 / a user on the embargo list (repeat)"),
    ] = None,
    revision_reason: Annotated[
        str, typer.Option(help="超出修订政策的修订的原因 / reason for revisions outside the policy")
    ] = "",
    by: By = "cli",
) -> None:
    """安排定时发布（到点前禁发）/ schedule a release (under embargo until the minute)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import calendar

    try:
        with open_store() as engine, engine.begin() as conn:
            entry = calendar.schedule(
                conn,
                scope=_admin(by),
                kind=kind,
                subject=subject,
                reference_period=period,
                at=calendar.beijing(at),
                vintage_id=vintage,
                embargo=embargo or [],
                revision_reason=revision_reason,
            )
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"已排期 / scheduled: #{entry.id} {entry.subject} {entry.reference_period} "
        f"{_bj(entry.scheduled_at)}（北京时间 / Beijing time）"
    )


def _bj(moment: object) -> str:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release.calendar import BEIJING

    return (
        moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        if isinstance(moment, datetime)
        else "—"
    )


@app.command("attach")
def attach(
    entry: Annotated[int, typer.Argument(help="发布日程编号（报告）/ calendar entry (a report)")],
    files: Annotated[
        list[Path], typer.Argument(help="报告文件 / the report's files (.pdf .docx .html .xlsx)")
    ],
    by: By = "cli",
) -> None:
    """为定时发布的报告附上文件（到点前禁发）/ attach the report's files (embargoed).

    文件在发布日程所定时间之前只对发布人员和禁发名单可见 / until the scheduled minute only the
    preparers and the embargo list see them."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import documents

    root = documents.root_of(get_settings().data_dir)
    try:
        with open_store() as engine, engine.begin() as conn:
            done = documents.attach(conn, scope=_admin(by), entry_id=entry, files=files, root=root)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    for d in done:
        console.print(f"已附上 / attached: #{entry} {d.name} {d.bytes:,} B sha256 {d.sha256}")


@app.command("calendar")
def calendar_(
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / as JSON")] = False,
) -> None:
    """发布日程 / the release calendar."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import calendar, feeds

    with open_store() as engine, engine.connect() as conn:
        found = calendar.entries(conn)
    if as_json:
        console.print_json(json.dumps(feeds.as_json(found), ensure_ascii=False))
        return
    if not found:
        console.print("发布日程为空 / the calendar is empty")
        return
    table = Table(
        "#", "发布内容 what", "参考期 period", "北京时间 time", "状态 status", "说明 reason"
    )
    for e in found:
        zh, en = calendar.STATUSES[e.status]
        table.add_row(
            str(e.id), e.title, e.reference_period, _bj(e.scheduled_at), f"{zh} {en}", e.reason
        )
    console.print(table)


@app.command("postpone")
def postpone(
    entry: Annotated[int, typer.Argument(help="发布日程编号 / calendar entry")],
    to: Annotated[str, typer.Option("--to", help="新的北京时间 / new Beijing time")],
    reason: Annotated[str, typer.Option(help="推迟原因 / why")],
    by: By = "cli",
) -> None:
    """推迟定时发布 / postpone a scheduled release."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import calendar

    try:
        with open_store() as engine, engine.begin() as conn:
            new = calendar.postpone(
                conn, scope=_admin(by), entry_id=entry, to=calendar.beijing(to), reason=reason
            )
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(f"已推迟 / postponed: #{entry} → #{new.id} {_bj(new.scheduled_at)}")


@app.command("correct")
def correct(
    dataflow: Annotated[str, typer.Argument(help="数据流 / dataflow")],
    reason: Annotated[str, typer.Option(help="更正原因 / why")],
    vintage: Annotated[int | None, typer.Option(help="版本（默认最新）/ vintage")] = None,
    by: By = "cli",
) -> None:
    """发布更正（日程之外）/ release a correction outside the calendar."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import corrections

    try:
        with open_store() as engine:
            with engine.begin() as conn:
                done = corrections.correct(
                    conn,
                    scope=_admin(by),
                    dataflow_id=dataflow.upper(),
                    reason=reason,
                    vintage_id=vintage,
                )
            _snapshots(engine, [done.release_id])
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"已更正 / corrected: {done.dataflow_id} 发布 release {done.release_id}，时期 "
        f"periods {', '.join(done.periods) or '—'}"
    )


@app.command("notes")
def notes_(
    release_id: Annotated[int, typer.Argument(help="发布编号 / release id")],
    lang: Annotated[str, typer.Option(help="zh | en")] = "zh",
) -> None:
    """发布说明 / the notes of a release."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import notes

    with open_store() as engine, engine.connect() as conn:
        found = notes.get(conn, release_id)
    if found is None:
        raise fail(f"发布 {release_id} 没有发布说明 / release {release_id} has no notes")
    console.print(found["text_en" if lang == "en" else "text_zh"], markup=False)


@app.command("worker")
def worker(
    once: Annotated[bool, typer.Option("--once", help="只运行一轮 / one round only")] = False,
) -> None:
    """定时发布进程：到点发布并写开放数据快照 / the release worker: due releases, snapshots.

    到点发布日程中的数据，写出缺少的开放数据快照；Ctrl-C 停止 / releases due calendar entries
    at their minute and writes the missing open-data snapshots; Ctrl-C stops."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor.hooks import after_release
    from shumao.release import worker as release_worker

    settings = get_settings()
    root = settings.effective_open_data_dir
    with open_store() as engine:
        if once:
            _report(release_worker.tick(engine, open_data=root, after=after_release))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        console.print(
            f"定时发布进程已启动，每 {settings.release_worker_seconds:g} 秒查看日程 / "
            f"release worker started, looking every {settings.release_worker_seconds:g}"
            " s (Ctrl-C stops)"
        )
        try:
            release_worker.run(
                engine,
                open_data=root,
                interval=settings.release_worker_seconds,
                stop=stop,
                on_round=_report,
                after=after_release,
            )
        except KeyboardInterrupt:
            stop.set()


def _report(done: object) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release.worker import Round

    assert isinstance(done, Round)
    for entry in done.released:
        console.print(f"已按日程发布 / released on schedule: #{entry}")
    for entry in done.failed:
        console.print(f"发布失败 / failed: #{entry}（见审计日志 / see the audit log）")
    if done.snapshots:
        console.print(f"开放数据快照 / snapshots written: {', '.join(map(str, done.snapshots))}")


def demo_calendar() -> None:
    """演示发布日程 / the demo release calendar.

    海关跨境电商 2024 年终值定于下一分钟发布（禁发至此）/ customs' final 2024 figures
    scheduled for the next minute, under embargo until then."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.release import demo

    try:
        with open_store() as engine:
            done = demo.schedule_demo(engine)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    if done.message:
        console.print(done.message)
    for e in done.scheduled:
        console.print(
            f"已排期 / scheduled: #{e.id} {e.title} {e.reference_period} "
            f"{_bj(e.scheduled_at)}（北京时间 / Beijing time）"
        )


def register_demo(demo_app: typer.Typer) -> None:
    demo_app.command("calendar")(demo_calendar)
