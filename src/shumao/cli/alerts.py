"""``shumao alerts``: list, show, acknowledge, resolve and silence alerts; subscribe to mail.

The commands act as a user of the store (``--user``, default ``admin``) and see what that
user's scope sees; every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, fail, open_store
from shumao.errors import ShumaoError

app = typer.Typer(
    help="预警：列表、详情、确认、解除、静默 / alerts: list, show, acknowledge, resolve, silence",
    no_args_is_help=True,
)
LEVEL_STYLE = {"red": "bold red", "orange": "dark_orange", "yellow": "yellow", "blue": "blue"}
LEVEL_ZH = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
User = Annotated[str, typer.Option(help="以此用户身份（其范围）/ act as this user (their scope)")]


def _who(conn: Any, username: str) -> Any:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth import users
    from shumao.auth.scope import Scope

    if username == "admin" and users.find_user(conn, username) is None:
        return Scope("admin", username="admin")
    user = users.find_user(conn, username)
    if user is None:
        raise fail(f"没有用户 {username} / no user {username}")
    return user.access


def print_alerts(rows: list[dict[str, Any]], *, title: str, total: int | None = None) -> None:
    if not rows:
        console.print(f"{title}：没有预警 / no alerts")
        return
    table = Table(
        "#",
        "等级 level",
        "状态 state",
        "规则 rule",
        "时期 period",
        "说明 message",
        title=title + (f"（共 {total} 条 / {total} in all）" if total is not None else ""),
    )
    for r in rows:
        style = LEVEL_STYLE[r["level"]]
        table.add_row(
            str(r["id"]),
            f"[{style}]{LEVEL_ZH[r['level']]} {r['level']}[/{style}]",
            r["state"],
            r["rule_code"],
            r["period"],
            r["message_zh"],
        )
    console.print(table)


@app.command("list")
def list_(
    level: Annotated[str | None, typer.Option(help="red|orange|yellow|blue")] = None,
    state: Annotated[
        str, typer.Option(help="open|pending|firing|acknowledged|resolved|all")
    ] = "open",
    rule: Annotated[str | None, typer.Option(help="规则代码 / rule code")] = None,
    area: Annotated[str | None, typer.Option(help="省、市、基地或地区代码 / area code")] = None,
    period: Annotated[str | None, typer.Option(help="时期前缀 / period (prefix)")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    size: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    user: User = "admin",
) -> None:
    """预警列表（最严重的在前）/ alerts, worst first."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import queries

    with open_store() as engine, engine.connect() as conn:
        scope = _who(conn, user)
        f = queries.Filters(level=level, state=state, rule=rule, area=area, period=period)
        rows, total = queries.page(conn, scope, f, page_no=page, size=size)
        counts = queries.counts(conn, scope, f)
    print_alerts(rows, title="预警 / alerts", total=total)
    console.print("  " + " · ".join(f"{LEVEL_ZH[k]} {k}: {counts.get(k, 0)}" for k in LEVEL_ZH))


@app.command("show")
def show(
    alert_id: Annotated[int, typer.Argument(help="预警编号 / alert id")], user: User = "admin"
) -> None:
    """一条预警及其状态历史 / one alert and its history."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import alerts, queries

    with open_store() as engine, engine.connect() as conn:
        scope = _who(conn, user)
        row = queries.one(conn, scope, alert_id)
        if row is None:
            raise fail(f"没有第 {alert_id} 号预警 / no alert #{alert_id}")
        history = alerts.events(conn, alert_id)
    console.print(
        f"#{row['id']} [{LEVEL_STYLE[row['level']]}]{LEVEL_ZH[row['level']]}色预警"
        f"[/{LEVEL_STYLE[row['level']]}] {row['state']} · {row['rule_code']} · "
        f"{row['dataflow']} · {row['series_key']}",
        highlight=False,
    )
    console.print(f"  {row['message_zh']}\n  {row['message_en']}", highlight=False)
    console.print(
        f"  数值 value {row['value']} · 阈值 threshold {row['threshold']} · 时期 period "
        f"{row['period']}",
        highlight=False,
    )
    for e in history:
        console.print(
            f"  {e['at']:%Y-%m-%d %H:%M} {e['username']} {e['action']} "
            f"{e['from_state'] or '—'} → {e['to_state']} {e['note']}",
            highlight=False,
        )


def _act(alert_id: int, user: str, action: str, **kw: Any) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import handling, queries

    try:
        with open_store() as engine, engine.begin() as conn:
            scope = _who(conn, user)
            fn: Any = {
                "ack": handling.acknowledge,
                "resolve": handling.resolve,
                "silence": handling.silence,
            }[action]
            done = fn(conn, alert_id=alert_id, who=scope, inside=queries.inside(scope), **kw)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"[green]#{alert_id} → {done['state']}[/green]"
        + (
            f"（静默至 / silenced until {done['silenced_until']}）"
            if done.get("silenced_until")
            else ""
        )
    )


@app.command("ack")
def ack(
    alert_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()] = "",
    user: User = "admin",
) -> None:
    """确认预警（记录确认人与备注）/ acknowledge an alert."""
    _act(alert_id, user, "ack", note=note)


@app.command("resolve")
def resolve(
    alert_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option(help="解除理由（必填）/ reason (required)")],
    user: User = "admin",
) -> None:
    """人工解除预警（须说明理由）/ resolve an alert by hand, with a reason."""
    _act(alert_id, user, "resolve", reason=reason)


@app.command("silence")
def silence(
    alert_id: Annotated[int, typer.Argument()],
    until: Annotated[str | None, typer.Option(help="截止日期 / until (YYYY-MM-DD)")] = None,
    until_change: Annotated[
        bool, typer.Option(help="数值变化前 / until the value changes")
    ] = False,
    note: Annotated[str, typer.Option()] = "",
    user: User = "admin",
) -> None:
    """静默预警 / silence an alert."""
    when = datetime.fromisoformat(until) if until else None
    _act(alert_id, user, "silence", until=when, until_change=until_change, note=note)


@app.command("subscribe")
def subscribe(
    username: Annotated[str, typer.Argument()],
    email: Annotated[str, typer.Argument()],
    min_level: Annotated[str, typer.Option(help="red|orange|yellow|blue")] = "yellow",
    digest: Annotated[bool, typer.Option(help="只收每日摘要 / digest only")] = False,
) -> None:
    """订阅预警邮件 / subscribe a user to alert mail."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import notify

    with open_store() as engine, engine.begin() as conn:
        notify.subscribe(
            conn, username=username, email=email, min_level=min_level, digest_only=digest
        )
    console.print(
        f"[green]已订阅 / subscribed[/green] {username} <{email}> ≥{min_level}"
        + ("（每日摘要 / digest）" if digest else "")
    )
