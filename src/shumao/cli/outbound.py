"""``shumao outbound``: the outbound digital-economy investment register, the regulatory
tracker, host-economy risk and the data-export self-check (数据出境合规自查).

Who reads is given as ``--as ROLE:SCOPE`` (``--as province:320000``, ``--as enterprise:9132…``,
``--as ministry``): each role sees its own part of the register.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shumao.cli.common import console, fail, store, transaction
from shumao.cli.tables import emit, show_frame
from shumao.errors import ImportRejected, ShumaoError

if TYPE_CHECKING:
    from shumao.auth.actors import Actor

app = typer.Typer(
    help="数字经济对外投资：项目备案、东道国风险、数据出境自查 / outbound digital-economy "
    "investment: register, host-economy risk, data-export self-check",
    no_args_is_help=True,
)
tracker_app = typer.Typer(
    help="东道国数字规则跟踪 / host-economy rules tracker", no_args_is_help=True
)
app.add_typer(tracker_app, name="tracker")
ActAs = Annotated[str, typer.Option("--as", help="角色:范围 / role:scope, e.g. province:320000")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json | xlsx")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 / output file")]
DEMO = Path(__file__).resolve().parents[3] / "demo" / "outbound"


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="outbound")


def _actor(spec: str) -> Actor:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.actors import Actor

    try:
        return Actor.parse("cli", spec)
    except ShumaoError as exc:
        raise fail(str(exc)) from None


@app.command("load-demo")
def load_demo(
    folder: Annotated[Path, typer.Argument(help="演示数据目录 / demo folder")] = DEMO,
) -> None:
    """载入演示登记（经填报—提交—审核流程）与规则跟踪 / file the demo register and load the tracker."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor.hooks import risk_changed
    from shumao.outbound import demo, tracker

    with transaction() as conn:
        rules = tracker.load(conn, folder / "tracker.yaml")
    try:
        filed = demo.load(store(), folder)
    except ImportRejected as exc:
        console.print(exc.report.text(), markup=False)
        raise fail(str(exc), code=2) from None
    risk_changed(store(), trigger="outbound-demo")
    console.print(
        f"已审核登记 / filings approved: {filed} · 规则条目 / tracker entries: {len(rules)}"
    )


@app.command("projects")
def projects_cmd(who: ActAs = "ministry", fmt: Fmt = "table", out: Out = None) -> None:
    """在册项目（按角色范围）/ the register's projects in the role's scope."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.outbound import codes, service

    with transaction() as conn:
        frame = service.projects(conn, actor=_actor(who))
    named = frame.with_columns(
        frame["host"].map_elements(service.economy_name, return_dtype=pl.String).alias("host_name"),
        frame["area"].map_elements(lambda c: codes.name("key_areas", c), return_dtype=pl.String),
        frame["stage"].map_elements(lambda c: codes.name("stages", c), return_dtype=pl.String),
        frame["risk"].map_elements(service.level_name, return_dtype=pl.String),
    )
    columns = [
        ("enterprise", "企业"),
        ("name", "项目"),
        ("host_name", "东道国（地区）"),
        ("area", "重点领域"),
        ("stage", "阶段"),
        ("approved", "中方协议投资额（万美元）"),
        ("risk", "风险等级"),
    ]
    emit(
        named.select([c for c, _ in columns]),
        fmt,
        out,
        lambda f: show_frame(f, columns=columns, title=f"在册项目 / projects: {f.height}"),
    )
    if frame.is_empty():
        console.print("（范围内没有在册项目 / no projects in this scope）")


@app.command("aggregate")
def aggregate_cmd(
    by: Annotated[str, typer.Option(help="host | group | area | province_code | year")] = "host",
    who: ActAs = "ministry",
    fmt: Fmt = "table",
    out: Out = None,
) -> None:
    """登记汇总（公开口径经披露控制）/ register totals, disclosure-controlled for the public."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.outbound import aggregate, service

    if by not in aggregate.BY:
        raise fail(f"--by 只能是 / must be one of {', '.join(aggregate.BY)}")
    with transaction() as conn:
        table = service.tables(conn, actor=None if who == "public" else _actor(who)).get(by)
    if table is None or table.is_empty():
        raise fail("登记中还没有已审核的项目 / the register has no approved projects yet")
    named = table.with_columns(
        table["category"].map_elements(
            lambda c: (
                "合计"
                if c == aggregate.TOTAL
                else service.economy_name(c)
                if by in ("host", "group")
                else c
            ),
            return_dtype=pl.String,
        )
    )
    columns = [
        ("category", by),
        ("time_period", "备案年份"),
        ("value", "中方协议投资额（万美元）"),
        ("projects", "项目数"),
        ("conf_status", "状态"),
    ]
    emit(
        named,
        fmt,
        out,
        lambda f: show_frame(
            f,
            columns=columns,
            title="对外投资登记汇总 / register totals",
            note="C/D：保密（主/次抑制）confidential; F：公开 free · 数据来源：对外投资备案报告（企业直报）",
        ),
    )


@tracker_app.command("load")
def tracker_load(file: Annotated[Path, typer.Argument(help="YAML 文件 / YAML file")]) -> None:
    """收录东道国数字规则（有误则全部不写入）/ load tracker entries (all or nothing)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor.hooks import risk_changed
    from shumao.outbound import tracker

    with transaction() as conn:
        rules = tracker.load(conn, file)
    risk_changed(store(), trigger="outbound-tracker")
    console.print(f"已收录 / loaded: {len(rules)} 条 entries")


@tracker_app.command("list")
def tracker_list(
    economy: Annotated[str | None, typer.Option(help="经济体 / economy")] = None,
    fmt: Fmt = "table",
    out: Out = None,
) -> None:
    """列出规则条目 / list the tracker's entries."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import polars as pl

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.outbound import service, tracker
    from shumao.policy import foreign

    with transaction() as conn:
        code = tracker.economy_code(economy) if economy else None
        if economy and code is None:
            raise fail(f"未知经济体 / unknown economy: {economy}")
        rows = foreign.entries(conn, economies=[code] if code else None)
    frame = pl.DataFrame(rows) if rows else pl.DataFrame(schema={"entry_key": pl.String})
    if frame.is_empty():
        raise fail("没有规则条目 / no tracker entries")
    frame = frame.with_columns(
        frame["economy"].map_elements(service.economy_name, return_dtype=pl.String)
    )
    columns = [
        ("economy", "经济体"),
        ("rule_type", "类型"),
        ("title_zh", "规则"),
        ("effective_from", "生效"),
        ("effective_to", "失效"),
        ("source_url", "来源"),
    ]
    emit(
        frame.select([c for c, _ in columns]),
        fmt,
        out,
        lambda f: show_frame(f, columns=columns, title="东道国数字规则 / host-economy rules"),
    )


@app.command("risk")
def risk_cmd(
    economy: Annotated[str | None, typer.Option(help="经济体 / economy")] = None,
    recompute: Annotated[bool, typer.Option("--recompute", help="重新计算 / recompute")] = False,
    who: ActAs = "ministry",
) -> None:
    """东道国风险等级及其理由 / host-economy risk levels with their reasons."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.monitor.hooks import risk_changed
    from shumao.outbound import risk, service

    with transaction() as conn:
        if recompute:
            changed = risk.recompute(conn)
            console.print(f"等级变化 / level changes: {len(changed)}")
        rows = service.economies(conn, actor=_actor(who))
    if recompute:
        risk_changed(store(), trigger="outbound-risk")
    for row in rows:
        if (
            economy
            and service.economy_name(row["economy"]) != economy
            and row["economy"] != economy
        ):
            continue
        console.print(
            f"[bold]{service.economy_name(row['economy'])}[/bold] "
            f"风险{service.level_name(row['level'])}（{row['score']:g} 分）"
        )
        for r in risk.holding(row["reasons"]) or [{"zh": "无风险规则触发 / no rule holds"}]:
            console.print(f"  · {r['zh']}", markup=False)
        for r in risk.unassessed(row["reasons"]):
            console.print(f"  ○ {r['zh']}", markup=False)


@app.command("selfcheck")
def selfcheck_cmd(
    ciio: Annotated[str, typer.Option(help="关键信息基础设施运营者？是/否")],
    important_data: Annotated[str, typer.Option(help="含重要数据？是/否")],
    persons_pi: Annotated[str, typer.Option(help="当年1月1日起个人信息出境人数（不含敏感）")],
    persons_sensitive: Annotated[str, typer.Option(help="当年1月1日起敏感个人信息出境人数")],
    scenario: Annotated[
        str, typer.Option(help="none|contract|hr|emergency|collected_abroad")
    ] = "none",
    ftz: Annotated[
        str,
        typer.Option(
            help="自贸试验区（第六条）none|tianjin|beijing|shanghai|hainan|zhejiang|other"
        ),
    ] = "none",
    ftz_list: Annotated[
        str, typer.Option(help="数据是否列入其负面清单 none|listed|unlisted")
    ] = "none",
    on: Annotated[
        str | None, typer.Option(help="按哪天的规则 / rules of the day (YYYY-MM-DD)")
    ] = None,
) -> None:
    """数据出境合规自查：应走的路径及所依据的条款 / data-export self-check: the route and its article."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.outbound import selfcheck

    try:
        got = selfcheck.evaluate(
            {
                "ciio": ciio,
                "important_data": important_data,
                "persons_pi": persons_pi,
                "persons_sensitive": persons_sensitive,
                "scenario": scenario,
                "ftz": ftz,
                "ftz_on_list": ftz_list,
            },
            on=date.fromisoformat(on) if on else None,
        )
    except ImportRejected as exc:
        console.print(exc.report.text(), markup=False)
        raise fail(str(exc), code=2) from None
    console.print(f"[bold]{got.route_zh}[/bold] / {got.route_en}")
    console.print(f"依据 / article: {got.title_zh} {got.article}", markup=False)
    console.print(f"{got.reason_zh}\n{got.reason_en}", markup=False)
    console.print(
        f"规则集 / rule set: {got.rule_set}，自 {got.effective.isoformat()} 起施行 / in force "
        f"from {got.effective.isoformat()}",
        markup=False,
    )
