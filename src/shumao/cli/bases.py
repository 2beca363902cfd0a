"""``shumao bases``: national digital service export bases — registry, application check,
re-review, de-duplicated enterprise counts and the linkage review queue.

Who acts is ``--actor NAME --as ROLE[:SCOPE]`` (default ``--as ministry``), as in the
collection commands: ``--as park:DSEB05`` sees and prepares its own base only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, err_console, fail, progress_bar, store
from shumao.errors import ImportRejected, ShumaoError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from shumao.auth.scope import Scope
    from shumao.bases.evaluate import Evaluation

app = typer.Typer(help="国家数字服务出口基地 / national digital service export bases",
                  no_args_is_help=True)
ActorName = Annotated[str, typer.Option("--actor", help="操作人 / who acts")]
ActAs = Annotated[str, typer.Option("--as", help="角色[:范围] / role[:scope], e.g. park:DSEB05")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]
Codes = Annotated[list[str] | None, typer.Argument(help="基地代码或名称（默认全部）/ bases (default all)")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="bases")


def register_demo(demo_app: typer.Typer) -> None:
    demo_app.command("bases")(demo_bases)


def demo_bases(quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bars")] = False
               ) -> None:
    """出口基地演示：导入合成服务外包名录并为 DSEB05、DSEB06 计数 / the export-base demo."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.scope import Scope
    from shumao.bases import counting, demo, roster
    from shumao.bases.tables import so_roster_load
    from shumao.cli.demo import DEMO_DIR

    who = Scope.of("demo", "ministry")
    with _transaction() as conn:
        # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
        from sqlalchemy import func, select

        if not conn.execute(select(func.count()).select_from(so_roster_load)).scalar_one():
            roster.import_roster(conn, scope=who, path=DEMO_DIR / "data" / "bases" / demo.FILE,
                                 label="演示数据（合成）/ demo data (synthetic)")
        for code in demo.BASES:
            with progress_bar(not quiet) as bar:
                found = counting.run(conn, scope=who, base_code=code, year=demo.YEAR,
                                     progress=bar)  # type: ignore[arg-type]
            console.print(f"{code} {demo.YEAR}：{found.total} 家（直报 {found.direct}、名录行 "
                          f"{found.roster_rows}、两者 {found.both}、待复核 {found.pending}）")


def _scope(name: str, spec: str) -> Scope:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.scope import Scope

    role, _, code = spec.partition(":")
    try:
        return Scope.of(name, role, code)
    except ShumaoError as exc:
        raise fail(str(exc)) from None


@contextmanager
def _transaction() -> Iterator[Connection]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    try:
        engine = store()
        with engine.begin() as conn:
            registry.seed_first_batch(conn)
            yield conn
    except ImportRejected as exc:
        err_console.print(exc.report.text(), markup=False)
        raise fail(str(exc), code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None


def _json(doc: Any) -> None:
    console.print(json.dumps(doc, ensure_ascii=False, indent=1, default=str), markup=False,
                  soft_wrap=True)


@app.command("list")
def list_bases(actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False
               ) -> None:
    """基地名录与当前状态 / the registry with each base's current status."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry, rules
    from shumao.reference import geo

    with _transaction() as conn:
        rows = [{"code": b.code, "name": b.name_zh, "city": geo.lookup(b.city_code).name_zh,
                 "province": geo.lookup(b.province_code).name_zh,
                 "region_group": rules.group_name(b.region_group), "batch": b.batch,
                 "status": b.status.text() if b.status else "—",
                 "since": b.status.effective_on if b.status else None}
                for b in registry.bases(conn)]
    if as_json:
        _json(rows)
        return
    table = Table("代码 code", "名称 name", "城市 city", "地区 region", "批次 batch",
                  "状态 status", "自 since", caption="数据来源：商务部；认定日期据《中国数字贸易发展报告2022》",
                  caption_justify="left")
    for r in rows:
        table.add_row(*(str(r[k] or "—") for k in ("code", "name", "city", "region_group",
                                                    "batch", "status", "since")))
    console.print(table)


def _what_if(values: list[str] | None, years: list[str]) -> dict[tuple[str, str], float]:
    out = {}
    for text in values or []:
        key, _, value = text.partition("=")
        code, _, year = key.partition("@")
        try:
            out[(code.strip().upper(), year or years[-1])] = float(value)
        except ValueError:
            raise fail(f"--what-if 应写作 CODE[@YEAR]=VALUE，如 OUTPUT@2022=250，而不是 {text} / "
                       f"write --what-if as CODE[@YEAR]=VALUE") from None
    return out


def _evaluation_doc(ev: Evaluation) -> dict[str, Any]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import evaluate, export

    return {"base": ev.base_code, "kind": ev.kind, "years": ev.years,
            "region_group": ev.group, "verdict": ev.verdict, "verdict_text": ev.verdict_text(),
            "override_reason": ev.override_reason or None,
            "criteria": [{**{k: v for k, v in asdict(o).items() if k != "evidence"},
                          "name": export.criterion_name(o.code),
                          "evidence": [asdict(e) for e in o.evidence]} for o in ev.outcomes],
            "what_if": [asdict(w) for w in evaluate.what_if(ev)],
            "criteria_version": ev.criteria_version}


def _print_evaluation(ev: Evaluation, title: str) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import export

    table = Table(*export.HEAD, title=f"{title} · {ev.verdict_text()}", show_lines=True,
                  caption="数据来源：商务部《中国数字贸易发展报告2022》、企业直报、服务外包统计名录；汇率：国家统计局年平均汇率",
                  caption_justify="left")
    for line in export.rows(ev):
        table.add_row(*line)
    console.print(table)


def _write(path: Path | None, name: str, content: bytes) -> None:
    if path is None:
        return
    target = path / name if path.is_dir() or not path.suffix else path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    err_console.print(f"已写入 / written: {target}")


@app.command("evaluate")
def evaluate_cmd(
    codes: Codes = None,
    year: Annotated[str | None, typer.Option(help="年度（默认：有基地数据的最近年度）/ year")] = None,
    what_if: Annotated[list[str] | None, typer.Option(
        "--what-if", help="假设值 CODE[@YEAR]=VALUE（亿元/家）/ hypothetical value")] = None,
    docx: Annotated[Path | None, typer.Option(help="Word 文件或目录 / .docx file or folder")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Excel 文件或目录 / .xlsx file or folder")] = None,
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
) -> None:
    """申报条件审核：每个基地逐项结论与依据 / the application check, criterion by criterion."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import applications, evaluate, export, figures

    who = _scope(actor, act_as)
    docs = []
    with _transaction() as conn:
        year = year or figures.latest_year(conn)
        for base in _chosen(conn, who, codes):
            ev = applications.assess(conn, scope=who, base_code=base.code, kind="application",
                                     years=[year], hypothetical=_what_if(what_if, [year]))
            docs.append(_evaluation_doc(ev))
            if not as_json:
                _print_evaluation(ev, f"{base.name_zh}（{base.code}）{year} 年")
            name = f"{base.code}_{year}_申报条件审核"
            hints = evaluate.what_if(ev)
            _write(docx, f"{name}.docx", export.docx(ev, base, what_if=hints))
            _write(xlsx, f"{name}.xlsx", export.xlsx(ev, base, what_if=hints))
    if as_json:
        _json(docs)


def _chosen(conn: Connection, who: Scope, codes: list[str] | None) -> list[Any]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    if codes:
        return [registry.get(conn, c) for c in codes]
    found = registry.visible(conn, who)
    if not found:
        raise fail("没有可查看的基地（检查 --as 的角色与范围）/ no base in your scope (check --as)")
    return found


@app.command("rereview")
def rereview_cmd(
    codes: Codes = None,
    cycle: Annotated[int | None, typer.Option(help="复审年度（默认最近一次）/ re-review year")] = None,
    docx: Annotated[Path | None, typer.Option(help="说明表 Word 目录 / .docx folder")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="说明表 Excel 目录 / .xlsx folder")] = None,
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
) -> None:
    """两年一次的复审：前两年的数据、结论、说明表 / the biennial re-review and its sheet."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import export, rereview

    who = _scope(actor, act_as)
    docs = []
    with _transaction() as conn:
        for base in _chosen(conn, who, codes):
            rr = rereview.run(conn, scope=who, base_code=base.code, cycle=cycle)
            doc = _evaluation_doc(rr.evaluation)
            doc.update(cycle=rr.cycle, due=rr.due, targets=[{
                "year": t.year, "target": t.target.key, "share": t.share, "reached": t.reached,
                "note": t.note_zh} for t in rr.targets])
            docs.append(doc)
            if not as_json:
                _print_evaluation(rr.evaluation, f"{base.name_zh}（{base.code}）{rr.cycle} 年复审"
                                  f"（{'、'.join(rr.years)} 年数据，复审日 {rr.due}）")
                for t in rr.targets:
                    console.print(f"  {t.year} {t.target.name_zh}：{t.note_zh}")
            name = f"{base.code}_{rr.cycle}_复审说明表"
            _write(docx, f"{name}.docx", export.docx(rr.evaluation, base, what_if=rr.what_if,
                                                     targets=rr.targets, due=rr.due))
            _write(xlsx, f"{name}.xlsx", export.xlsx(rr.evaluation, base, what_if=rr.what_if,
                                                     targets=rr.targets))
    if as_json:
        _json(docs)


@app.command("import-roster")
def import_roster(
    file: Annotated[Path, typer.Argument(help="服务外包统计名录（CSV/XLSX）/ roster file")],
    base: Annotated[str | None, typer.Option(help="整份名录所属基地 / base of the whole roster")] = None,
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
) -> None:
    """导入服务外包统计系统名录（全有或全无）/ import an outsourcing roster, all or nothing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import roster

    who = _scope(actor, act_as)
    with _transaction() as conn:
        done = roster.import_roster(conn, scope=who, path=file, base=base,
                                    label=f"{file.name}")
    if as_json:
        _json({"load": done.load_id, "rows": done.rows, "counted": done.counted,
               "findings": done.report.flat()})
        return
    console.print(f"完成 / done: 载入 {done.load_id} · {done.rows} 行 rows · 离岸ITO {done.counted} 行")
    if done.report.findings:
        console.print(done.report.text(), markup=False)


@app.command("count-enterprises")
def count_enterprises(
    code: Annotated[str, typer.Argument(help="基地 / base")],
    year: Annotated[str, typer.Option(help="年度 / year")],
    show_list: Annotated[bool, typer.Option("--list", help="列出计入的企业 / list the enterprises")] = False,
    rerun: Annotated[bool, typer.Option("--run/--latest", help="重新匹配或用最近一次 / link again or "
                                        "use the newest run")] = True,
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
    quiet: Annotated[bool, typer.Option(help="不显示进度条 / no progress bars")] = False,
) -> None:
    """不重复计算的开展数字服务业务企业数 / the de-duplicated enterprise count."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import counting, registry

    who = _scope(actor, act_as)
    with _transaction() as conn:
        base = registry.get(conn, code)
        if rerun:
            with progress_bar(not quiet and not as_json) as bar:
                found = counting.run(conn, scope=who, base_code=base.code, year=year,
                                     progress=bar)  # type: ignore[arg-type]
        else:
            # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
            from shumao.bases import access

            access.require_see(conn, who, base.code, base.city_code)
            newest = counting.latest(conn, base_code=base.code, year=year)
            if newest is None:
                raise fail(f"{base.name_zh} {year} 年还没有匹配结果，去掉 --latest 运行一次 / no run yet")
            found = newest
        listing = counting.members(conn, found) if show_list else None
    doc = {"base": base.code, "name": base.name_zh, "year": year, "run": found.run_id,
           "total": found.total, "direct_only": found.direct_only,
           "roster_only": found.roster_only, "both": found.both, "pending": found.pending}
    if as_json:
        _json({**doc, "list": listing.to_dicts() if listing is not None else None})
        return
    console.print(f"{base.name_zh} {year} 年开展数字服务业务企业 {found.total} 家（不重复）："
                  f"仅服贸直报 {found.direct_only}、仅服务外包 {found.roster_only}、两者皆有 "
                  f"{found.both}；待复核 {found.pending} 对（运行 {found.run_id}）", soft_wrap=True)
    if listing is not None:
        table = Table("名称 name", "信用代码 code", "来源 source", "匹配 method", "权重 weight")
        for r in listing.to_dicts():
            weight = "—" if r["match_weight"] is None else f"{r['match_weight']:.2f}"
            table.add_row(r["name"], r["uscc"] or "—", r["source"], r["method"] or "—", weight)
        console.print(table)


@app.command("link-review")
def link_review(
    accept: Annotated[list[str] | None, typer.Option(help="RUN:ROW 是同一企业 / same enterprise")] = None,
    reject: Annotated[list[str] | None, typer.Option(help="RUN:ROW 不是同一企业 / not the same")] = None,
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
) -> None:
    """匹配复核队列；--accept/--reject 记录决定（以后的匹配沿用）/ the review queue."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import counting

    who = _scope(actor, act_as)
    with _transaction() as conn:
        for decision, pairs in (("accept", accept), ("reject", reject)):
            for pair in pairs or []:
                run_id, _, row = pair.partition(":")
                if not (run_id.isdigit() and row.isdigit()):
                    raise fail(f"应写作 RUN:ROW，如 3:125，而不是 {pair} / write RUN:ROW")
                counting.decide(conn, scope=who, run_id=int(run_id), roster_row_id=int(row),
                                decision=decision, note=note)
        queued = counting.queue(conn, scope=who)
    if as_json:
        _json(queued)
        return
    if not queued:
        console.print("复核队列为空 / the review queue is empty")
        return
    table = Table("RUN:ROW", "基地 base", "名录名称 roster name", "候选企业 candidate", "权重 weight",
                  "各项权重 weights", title="匹配复核队列 / linkage review queue")
    for q in queued:
        parts = " ".join(f"{k[3:]}={v:+.1f}" for k, v in (q["weights"] or {}).items())
        table.add_row(f"{q['run_id']}:{q['id']}", q["base_name"], q["name"],
                      f"{q['enterprise_name']} {q['candidate_uscc']}",
                      f"{q['match_weight']:.2f}", parts)
    console.print(table)


@app.command("status")
def status_cmd(
    code: Annotated[str, typer.Argument(help="基地 / base")],
    status: Annotated[str, typer.Argument(help="candidate|publicity|designated|rereview_passed|"
                                          "rereview_failed|revoked")],
    on: Annotated[str, typer.Option(help="生效日期 YYYY-MM-DD / effective date")],
    document: Annotated[str, typer.Option(help="文号 / document")] = "",
    reason: Annotated[str, typer.Option(help="理由 / reason")] = "",
    actor: ActorName = "cli", act_as: ActAs = "ministry",
) -> None:
    """记录基地状态变更（商务部）/ record a status change (ministry)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    who = _scope(actor, act_as)
    with _transaction() as conn:
        done = registry.set_status(conn, scope=who, code=code, status=status,
                                   effective_on=_date(on), document=document, reason=reason)
    until = f"，公示至 {done.until}（5 个工作日）" if done.until else ""
    console.print(f"{code}：{done.text()}，自 {done.effective_on}{until}")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"日期应为 YYYY-MM-DD，而不是 {text} / dates are YYYY-MM-DD") from None


@app.command("add")
def add_cmd(
    code: Annotated[str, typer.Argument(help="基地代码 / code")],
    name: Annotated[str, typer.Option(help="名称 / name")],
    city: Annotated[str, typer.Option(help="所在城市（代码或名称）/ city")],
    batch: Annotated[int, typer.Option(help="批次 / batch")],
    name_en: Annotated[str, typer.Option(help="英文名称 / English name")] = "",
    actor: ActorName = "cli", act_as: ActAs = "ministry",
) -> None:
    """登记后续批次的基地 / register a base of a later batch."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    who = _scope(actor, act_as)
    with _transaction() as conn:
        base = registry.add_base(conn, scope=who, code=code, name_zh=name, name_en=name_en,
                                 city_code=city, batch=batch)
    console.print(f"已登记 / registered: {base.code} {base.name_zh}")


@app.command("publicity")
def publicity_cmd(start: Annotated[str, typer.Argument(help="公示开始日 / first day")],
                  days: Annotated[int, typer.Option(help="工作日数 / working days")] = 5) -> None:
    """公示期（按法定工作日含调休）/ the publicity period on the official calendar."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import calendar

    first = _date(start)
    try:
        end = calendar.publicity_end(first, days)
        counted = calendar.working_days(first, end)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    marks = [f"{d}{'（调休）' if d.weekday() >= 5 else ''}" for d in counted]
    console.print(f"公示 {days} 个工作日：{first} 至 {end}；工作日：{'、'.join(marks)}",
                  soft_wrap=True)


@app.command("ranking")
def ranking_cmd(
    kind: Annotated[str, typer.Option(help="trade（表3）或 output（表4）")] = "trade",
    year: Annotated[str, typer.Option(help="年度 / year")] = "2022",
    actor: ActorName = "cli", act_as: ActAs = "ministry", as_json: AsJson = False,
) -> None:
    """基地排名（规模、增速、年均增速、占所在地比重）/ ranking of the bases."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import ranking

    who = _scope(actor, act_as)
    if kind not in ranking.KINDS:
        raise fail("--kind 只能是 trade 或 output / --kind is trade or output")
    with _transaction() as conn:
        rows = ranking.rank(conn, scope=who, kind=kind, year=year)
    if as_json:
        _json([r.__dict__ for r in rows])
        return
    zh, _, unit = ranking.KINDS[kind]
    table = Table("排名 rank", "基地 base", f"{year}（{unit}）", "增速 %", "年均增速 %", "占比 %",
                  "来源 source", title=f"{zh}：基地排名", caption="数据来源：商务部《中国数字贸易发展报告2022》、企业直报（已作披露控制）",
                  caption_justify="left")
    for r in rows:
        table.add_row(str(r.rank or "—"), r.name, "保密 C" if r.suppressed else _n(r.value),
                      _n(r.growth), _n(r.cagr), _n(r.share), r.source)
    console.print(table)


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"
