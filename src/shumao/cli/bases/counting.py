"""``shumao bases import-roster``, ``count-enterprises`` and ``link-review``: the de-duplicated enterprise count and its review queue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli.bases.common import ActAs, ActorName, AsJson, print_json, scope_of, transaction
from shumao.cli.common import console, fail, progress_bar

if TYPE_CHECKING:
    pass


def import_roster(
    file: Annotated[Path, typer.Argument(help="服务外包统计名录（CSV/XLSX）/ roster file")],
    base: Annotated[
        str | None, typer.Option(help="整份名录所属基地 / base of the whole roster")
    ] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
) -> None:
    """导入服务外包统计系统名录（全有或全无）/ import an outsourcing roster, all or nothing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import roster

    who = scope_of(actor, act_as)
    with transaction() as conn:
        done = roster.import_roster(conn, scope=who, path=file, base=base, label=f"{file.name}")
    if as_json:
        print_json(
            {
                "load": done.load_id,
                "rows": done.rows,
                "counted": done.counted,
                "findings": done.report.flat(),
            }
        )
        return
    console.print(
        f"完成 / done: 载入 {done.load_id} · {done.rows} 行 rows · 离岸ITO {done.counted} 行"
    )
    if done.report.findings:
        console.print(done.report.text(), markup=False)


def count_enterprises(
    code: Annotated[str, typer.Argument(help="基地 / base")],
    year: Annotated[str, typer.Option(help="年度 / year")],
    show_list: Annotated[
        bool, typer.Option("--list", help="列出计入的企业 / list the enterprises")
    ] = False,
    rerun: Annotated[
        bool,
        typer.Option(
            "--run/--latest", help="重新匹配或用最近一次 / link again or use the newest run"
        ),
    ] = True,
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
    quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bars")] = False,
) -> None:
    """不重复计算的开展数字服务业务企业数 / the de-duplicated enterprise count."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import counting, registry

    who = scope_of(actor, act_as)
    with transaction() as conn:
        base = registry.get(conn, code)
        if rerun:
            with progress_bar(not quiet and not as_json) as bar:
                found = counting.run(conn, scope=who, base_code=base.code, year=year, progress=bar)  # type: ignore[arg-type]
        else:
            # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
            from shumao.bases import access

            access.require_see(conn, who, base.code, base.city_code)
            newest = counting.latest(conn, base_code=base.code, year=year)
            if newest is None:
                raise fail(
                    f"{base.name_zh} {year} 年还没有匹配结果，去掉 --latest 运行一次 / no run yet"
                )
            found = newest
        listing = counting.members(conn, found) if show_list else None
    doc = {
        "base": base.code,
        "name": base.name_zh,
        "year": year,
        "run": found.run_id,
        "total": found.total,
        "direct_only": found.direct_only,
        "roster_only": found.roster_only,
        "both": found.both,
        "pending": found.pending,
    }
    if as_json:
        print_json({**doc, "list": listing.to_dicts() if listing is not None else None})
        return
    console.print(
        f"{base.name_zh} {year} 年开展数字服务业务企业 {found.total} 家（不重复）："
        f"仅服贸直报 {found.direct_only}、仅服务外包 {found.roster_only}、两者皆有 "
        f"{found.both}；待复核 {found.pending} 对（运行 {found.run_id}）",
        soft_wrap=True,
    )
    if listing is not None:
        table = Table("名称 name", "信用代码 code", "来源 source", "匹配 method", "权重 weight")
        for r in listing.to_dicts():
            weight = "—" if r["match_weight"] is None else f"{r['match_weight']:.2f}"
            table.add_row(r["name"], r["uscc"] or "—", r["source"], r["method"] or "—", weight)
        console.print(table)


def link_review_cmd(
    accept: Annotated[
        list[str] | None, typer.Option(help="RUN:ROW 是同一企业 / same enterprise")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option(help="RUN:ROW 不是同一企业 / not the same")
    ] = None,
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
) -> None:
    """匹配复核队列；--accept/--reject 记录决定（以后的匹配沿用）/ the review queue."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import link_review

    who = scope_of(actor, act_as)
    with transaction() as conn:
        for decision, pairs in (("accept", accept), ("reject", reject)):
            for pair in pairs or []:
                run_id, _, row = pair.partition(":")
                if not (run_id.isdigit() and row.isdigit()):
                    raise fail(f"应写作 RUN:ROW，如 3:125，而不是 {pair} / write RUN:ROW")
                link_review.decide(
                    conn,
                    scope=who,
                    run_id=int(run_id),
                    roster_row_id=int(row),
                    decision=decision,
                    note=note,
                )
        queued = link_review.queue(conn, scope=who)
    if as_json:
        print_json(queued)
        return
    if not queued:
        console.print("复核队列为空 / the review queue is empty")
        return
    table = Table(
        "RUN:ROW",
        "基地 base",
        "名录名称 roster name",
        "候选企业 candidate",
        "权重 weight",
        "各项权重 weights",
        title="匹配复核队列 / linkage review queue",
    )
    for q in queued:
        parts = " ".join(f"{k[3:]}={v:+.1f}" for k, v in (q["weights"] or {}).items())
        table.add_row(
            f"{q['run_id']}:{q['id']}",
            q["base_name"],
            q["name"],
            f"{q['enterprise_name']} {q['candidate_uscc']}",
            f"{q['match_weight']:.2f}",
            parts,
        )
    console.print(table)
