"""``shumao monitor``: evaluate the warning rules, the rules in force, monitored targets and
their progress, the services-trade releases (published and computed growth), the digest."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, err_console, fail, open_store
from shumao.errors import RulesRejected, ShumaoError

app = typer.Typer(
    help="监测预警：运行规则、规则版本、监测目标 / monitoring: run the rules, rule "
    "versions, monitored targets",
    no_args_is_help=True,
)


def register(parent: typer.Typer) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli import alerts, demo

    parent.add_typer(app, name="monitor")
    parent.add_typer(alerts.app, name="alerts")
    demo.app.command("monitor")(demo_monitor)


DEMO_TARGETS = (("DD_SHARE_SERVICES", "服务贸易总额", (2029, 2035)),)
"""The national targets the demo confirms: indicator, words of the candidate, years."""


def demo_monitor() -> None:
    """确认演示监测目标并运行预警规则 / confirm the demo's monitored targets and run the rules.

    政策库中《关于数字贸易改革创新发展的意见》的 2029 年 45%、2035 年 50% 目标由商务部演示用户确认为
    监测目标（已确认的跳过），然后运行全部预警规则 / the 2029 (45 %) and 2035 (50 %) targets of the
    2024 opinions are confirmed by the demo ministry user (once), then every rule runs."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from sqlalchemy import select

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import evaluate, targets
    from shumao.policy import tables as policy

    with open_store() as engine:
        with engine.begin() as conn:
            confirmed = {tg.policy_target_id for tg in targets.current(conn, active_only=False)}
            for indicator, words, years in DEMO_TARGETS:
                rows = conn.execute(
                    select(policy.target.c.id, policy.target.c.target_year)
                    .where(
                        policy.target.c.indicator.contains(words),
                        policy.target.c.target_year.in_(years),
                    )
                    .order_by(policy.target.c.id)
                ).all()
                for cand_id, year in rows:
                    if cand_id in confirmed or year in {
                        t.deadline_year for t in targets.current(conn)
                    }:
                        continue
                    done = targets.confirm(
                        conn,
                        candidate_id=cand_id,
                        indicator=indicator,
                        username="demo-ministry",
                        role="ministry",
                    )
                    console.print(f"已确认监测目标 / target confirmed: {done.key} {done.name_zh}")
        result = evaluate.run(engine, trigger="demo", user="demo")
        with engine.connect() as conn:
            progress = [(tg, targets.progress(conn, tg)) for tg in targets.current(conn)]
    print_progress(progress)
    console.print(
        f"预警规则 / rules: 未解除预警 {result.open} 条 open alerts（shumao alerts list）"
    )


def as_of_value(text: str | None) -> int | datetime | None:
    """``--as-of``: a vintage number or a date (YYYY-MM-DD)."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--as-of 应为版本号或日期（YYYY-MM-DD），不是“{text}” / --as-of takes a vintage "
            f"number or a date, not {text!r}"
        ) from None


@app.command("run")
def run(
    dataflow: Annotated[
        list[str] | None,
        typer.Option(
            "--dataflow", "-d", help="只运行读取这些数据流的规则 / only the rules reading these"
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="截至版本号或日期 / as of a vintage or date")
    ] = None,
    user: Annotated[str, typer.Option(help="操作人 / who runs it")] = "cli",
) -> None:
    """运行预警规则（可重复运行，结果不变）/ evaluate the rules (idempotent)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import evaluate

    with open_store() as engine:
        try:
            with console.status("运行预警规则 / evaluating the rules…"):
                result = evaluate.run(
                    engine,
                    trigger="manual",
                    user=user,
                    dataflows=set(dataflow) if dataflow else None,
                    as_of=as_of_value(as_of),
                )
        except ShumaoError as exc:
            raise fail(str(exc)) from None
        console.print(
            f"运行 run #{result.run_id}: {result.rules} 条规则 rules · 新触发 fired "
            f"{len(result.fired)} · 解除 resolved {len(result.resolved)} · 未解除 open "
            f"{result.open}"
        )
        for note in result.notes:
            err_console.print(f"[yellow]注意 / note:[/yellow] {note}")
        if result.fired:
            # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
            from shumao.cli.alerts import print_alerts
            from shumao.monitor import notify

            with engine.connect() as conn:
                print_alerts(notify._alerts(conn, result.fired), title="新触发 / newly fired")


@app.command("rules")
def rules_(
    load: Annotated[
        Path | None, typer.Option(help="载入新的规则文件 / load a new rule file")
    ] = None,
    user: Annotated[str, typer.Option(help="操作人 / who changes them")] = "admin",
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
) -> None:
    """现行预警规则与历史版本 / the rules in force and their versions."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import rules

    with open_store() as engine:
        if load is not None:
            try:
                with engine.begin() as conn:
                    done = rules.load(
                        conn,
                        load.read_text(encoding="utf-8"),
                        username=user,
                        file=load.name,
                        note=note,
                    )
            except RulesRejected as exc:
                for f in exc.report.findings:
                    err_console.print(
                        f"[red]{f.code}[/red] [{f.location}] {f.message_zh}\n    {f.message_en}",
                        highlight=False,
                    )
                raise fail(str(exc), code=2) from None
            console.print(
                f"[green]已启用 / in force[/green]: 版本 version {done.version}，"
                f"{len(done.rules)} 条规则 rules"
            )
        with engine.connect() as conn:
            active, versions = rules.active(conn), rules.versions(conn)
    table = Table(
        "代码 code",
        "类型 kind",
        "名称 name",
        "数据流 dataflows",
        "等级 levels",
        title=f"现行规则 / rules in force (v{active.version})",
    )
    for r in active.rules:
        levels = " ".join(f"{lv.level}≥{lv.min:g}" for lv in r.levels)
        table.add_row(
            r.code, r.kind, f"{r.name_zh}\n{r.name_en}", ", ".join(r.dataflows) or "—", levels
        )
    console.print(table)
    for v in versions:
        console.print(
            f"  v{v['version']} {'[green]现行 active[/green]' if v['active'] else ''} "
            f"{v['created_at']:%Y-%m-%d %H:%M} {v['created_by']} {v['sha256'][:12]} "
            f"{v['note']}",
            highlight=False,
        )


@app.command("targets")
def targets_(
    confirm: Annotated[
        int | None, typer.Option(help="确认政策库候选目标 / confirm a policy candidate (its id)")
    ] = None,
    indicator: Annotated[str, typer.Option(help="监测指标 / indicator")] = "DD_SHARE_SERVICES",
    scope: Annotated[str, typer.Option(help="nation|province|base")] = "nation",
    area: Annotated[str, typer.Option(help="地区或基地代码 / area or base code")] = "CHN",
    change: Annotated[
        str | None, typer.Option(help="修改目标（新版本）/ change target KEY")
    ] = None,
    value: Annotated[float | None, typer.Option(help="新目标值 / new value")] = None,
    deadline: Annotated[int | None, typer.Option(help="新期限年份 / new deadline year")] = None,
    user: Annotated[str, typer.Option(help="操作人 / who")] = "ministry",
    role: Annotated[str, typer.Option(help="角色 / role")] = "ministry",
) -> None:
    """监测目标与进度 / monitored targets and their progress."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import targets

    with open_store() as engine:
        try:
            with engine.begin() as conn:
                if confirm is not None:
                    done = targets.confirm(
                        conn,
                        candidate_id=confirm,
                        indicator=indicator,
                        scope_kind=scope,
                        area=area,
                        username=user,
                        role=role,
                    )
                    console.print(f"[green]已确认 / confirmed[/green] {done.key}: {done.name_zh}")
                if change:
                    changes: dict[str, Any] = {
                        k: v
                        for k, v in (("value", value), ("deadline_year", deadline))
                        if v is not None
                    }
                    done = targets.change(conn, key=change, username=user, role=role, **changes)
                    console.print(f"[green]已修改 / changed[/green] {done.key} → v{done.version}")
        except ShumaoError as exc:
            raise fail(str(exc)) from None
        with engine.connect() as conn:
            found = [(tg, targets.progress(conn, tg)) for tg in targets.current(conn)]
    print_progress(found)


def print_progress(rows: list[tuple[Any, Any]]) -> None:
    if not rows:
        console.print(
            "没有监测目标：先在政策库确认候选目标（shumao policy targets；shumao monitor "
            "targets --confirm ID）/ no monitored target yet: confirm a policy candidate"
        )
        return
    table = Table(
        "目标 target",
        "现值 current",
        "需年均 required/yr",
        "近5年趋势 trend/yr",
        "期限预测 projection",
        "概率 P",
        "达到年份 crosses",
        "状态 status",
        title="目标进度 / target progress",
    )
    for tg, tr in rows:
        cur = f"{tr.current.value:.2f}{tg.unit}（{tr.current.year}）" if tr.current else "—"
        proj = (
            f"{tr.at_deadline:.2f}（{tr.projection[0][0] if tr.projection else ''}…"
            f"{tg.deadline_year}）"
            if tr.at_deadline is not None
            else "—"
        )
        table.add_row(
            f"{tg.key} {tg.name_zh}\n{tg.comparator}{tg.value:g}{tg.unit}",
            cur,
            _pp(tr.required_per_year),
            _pp(tr.trend_per_year),
            proj,
            f"{tr.probability:.0%}" if tr.probability is not None else "—",
            str(tr.crossing_year or "—"),
            f"{tr.status_zh} {tr.status_en}",
        )
    console.print(table)


def _pp(v: float | None) -> str:
    return f"{v:+.2f}" if v is not None else "—"


@app.command("releases")
def releases_(
    product: Annotated[str, typer.Option(help="S|KIS|DD|SD")] = "S",
) -> None:
    """商务部服务进出口：公布增速与计算增速 / MOFCOM releases: published vs computed growth."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli.tables import show_frame
    from shumao.compute import releases
    from shumao.query import select

    with open_store() as engine:
        frame = select(engine, "MOFCOM_SERVICES")
    if frame.is_empty():
        raise fail(
            "库中没有 MOFCOM_SERVICES 数据 / MOFCOM_SERVICES holds no data: shumao import "
            "mofcom-services FILE"
        )
    table = (
        releases.growth_table(frame)
        .filter(pl.col("product") == product)
        .select(
            "flow",
            "indicator",
            "time_period",
            "value",
            "unit",
            "published_growth",
            "computed_growth",
            "difference_pp",
        )
    )
    show_frame(
        table,
        title=f"MOFCOM_SERVICES {product}：公布与计算的同比增速 / published and "
        "computed growth (%)",
    )


@app.command("digest")
def digest_(
    day: Annotated[str | None, typer.Option(help="日期 / day (YYYY-MM-DD)")] = None,
) -> None:
    """发送每日预警摘要邮件 / send the daily digest mails."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor import notify

    with open_store() as engine:
        n = notify.digest(engine, day=date.fromisoformat(day) if day else None)
    console.print(f"已发送摘要 / digests sent: {n}")
