"""``shumao bases list``, ``status``, ``add`` and ``publicity``, and the export-base demo: the registry of bases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli.bases.common import (
    ActAs,
    ActorName,
    AsJson,
    parse_date,
    print_json,
    scope_of,
    transaction,
)
from shumao.cli.common import console, fail, progress_bar
from shumao.errors import ShumaoError

if TYPE_CHECKING:
    pass


def demo_bases(
    quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bars")] = False,
) -> None:
    """出口基地演示：导入合成服务外包名录并为 DSEB05、DSEB06 计数 / the export-base demo."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.scope import Scope
    from shumao.bases import counting, demo, roster
    from shumao.bases.tables import so_roster_load
    from shumao.cli.demo import DEMO_DIR

    who = Scope.of("demo", "ministry")
    with transaction() as conn:
        # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
        from sqlalchemy import func, select

        if not conn.execute(select(func.count()).select_from(so_roster_load)).scalar_one():
            roster.import_roster(
                conn,
                scope=who,
                path=DEMO_DIR / "data" / "bases" / demo.FILE,
                label="演示数据（合成）/ demo data (synthetic)",
            )
        for code in demo.BASES:
            with progress_bar(not quiet) as bar:
                found = counting.run(conn, scope=who, base_code=code, year=demo.YEAR, progress=bar)  # type: ignore[arg-type]
            console.print(
                f"{code} {demo.YEAR}：{found.total} 家（直报 {found.direct}、名录行 "
                f"{found.roster_rows}、两者 {found.both}、待复核 {found.pending}）"
            )


def list_bases(
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False
) -> None:
    """基地名录与当前状态 / the registry with each base's current status."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry, rules
    from shumao.reference import geo

    with transaction() as conn:
        rows = [
            {
                "code": b.code,
                "name": b.name_zh,
                "city": geo.lookup(b.city_code).name_zh,
                "province": geo.lookup(b.province_code).name_zh,
                "region_group": rules.group_name(b.region_group),
                "batch": b.batch,
                "status": b.status.text() if b.status else "—",
                "since": b.status.effective_on if b.status else None,
            }
            for b in registry.bases(conn)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "代码 code",
        "名称 name",
        "城市 city",
        "地区 region",
        "批次 batch",
        "状态 status",
        "自 since",
        caption="数据来源：商务部；认定日期据《中国数字贸易发展报告2022》",
        caption_justify="left",
    )
    for r in rows:
        table.add_row(
            *(
                str(r[k] or "—")
                for k in ("code", "name", "city", "region_group", "batch", "status", "since")
            )
        )
    console.print(table)


def status_cmd(
    code: Annotated[str, typer.Argument(help="基地 / base")],
    status: Annotated[
        str,
        typer.Argument(
            help="candidate|publicity|designated|rereview_passed|rereview_failed|revoked"
        ),
    ],
    on: Annotated[str, typer.Option(help="生效日期 YYYY-MM-DD / effective date")],
    document: Annotated[str, typer.Option(help="文号 / document")] = "",
    reason: Annotated[str, typer.Option(help="理由 / reason")] = "",
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
) -> None:
    """记录基地状态变更（商务部）/ record a status change (ministry)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    who = scope_of(actor, act_as)
    with transaction() as conn:
        done = registry.set_status(
            conn,
            scope=who,
            code=code,
            status=status,
            effective_on=parse_date(on),
            document=document,
            reason=reason,
        )
    until = f"，公示至 {done.until}（5 个工作日）" if done.until else ""
    console.print(f"{code}：{done.text()}，自 {done.effective_on}{until}")


def add_cmd(
    code: Annotated[str, typer.Argument(help="基地代码 / code")],
    name: Annotated[str, typer.Option(help="名称 / name")],
    city: Annotated[str, typer.Option(help="所在城市（代码或名称）/ city")],
    batch: Annotated[int, typer.Option(help="批次 / batch")],
    name_en: Annotated[str, typer.Option(help="英文名称 / English name")] = "",
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
) -> None:
    """登记后续批次的基地 / register a base of a later batch."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    who = scope_of(actor, act_as)
    with transaction() as conn:
        base = registry.add_base(
            conn, scope=who, code=code, name_zh=name, name_en=name_en, city_code=city, batch=batch
        )
    console.print(f"已登记 / registered: {base.code} {base.name_zh}")


def publicity_cmd(
    start: Annotated[str, typer.Argument(help="公示开始日 / first day")],
    days: Annotated[int, typer.Option(help="工作日数 / working days")] = 5,
) -> None:
    """公示期（按法定工作日含调休）/ the publicity period on the official calendar."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import calendar

    first = parse_date(start)
    try:
        end = calendar.publicity_end(first, days)
        counted = calendar.working_days(first, end)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    marks = [f"{d}{'（调休）' if d.weekday() >= 5 else ''}" for d in counted]
    console.print(
        f"公示 {days} 个工作日：{first} 至 {end}；工作日：{'、'.join(marks)}", soft_wrap=True
    )
