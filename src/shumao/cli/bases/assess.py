"""``shumao bases evaluate``, ``rereview`` and ``ranking``: the application check, the biennial re-review and the ranking, on screen and as Word/Excel."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shumao.cli.bases.common import (
    ActAs,
    ActorName,
    AsJson,
    Codes,
    print_json,
    scope_of,
    transaction,
)
from shumao.cli.common import console, err_console, fail

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from shumao.auth.scope import Scope
    from shumao.bases.evaluate import Evaluation


def _what_if(values: list[str] | None, years: list[str]) -> dict[tuple[str, str], float]:
    out = {}
    for text in values or []:
        key, _, value = text.partition("=")
        code, _, year = key.partition("@")
        try:
            out[(code.strip().upper(), year or years[-1])] = float(value)
        except ValueError:
            raise fail(
                f"--what-if 应写作 CODE[@YEAR]=VALUE，如 OUTPUT@2022=250，而不是 {text} / "
                f"write --what-if as CODE[@YEAR]=VALUE"
            ) from None
    return out


def _evaluation_doc(ev: Evaluation) -> dict[str, Any]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import evaluate, export

    return {
        "base": ev.base_code,
        "kind": ev.kind,
        "years": ev.years,
        "region_group": ev.group,
        "verdict": ev.verdict,
        "verdict_text": ev.verdict_text(),
        "override_reason": ev.override_reason or None,
        "criteria": [
            {
                **{k: v for k, v in asdict(o).items() if k != "evidence"},
                "name": export.criterion_name(o.code),
                "evidence": [asdict(e) for e in o.evidence],
            }
            for o in ev.outcomes
        ],
        "what_if": [asdict(w) for w in evaluate.what_if(ev)],
        "criteria_version": ev.criteria_version,
    }


def _print_evaluation(ev: Evaluation, title: str) -> None:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import export

    table = Table(
        *export.HEAD,
        title=f"{title} · {ev.verdict_text()}",
        show_lines=True,
        caption="数据来源：商务部《中国数字贸易发展报告2022》、企业直报、服务外包统计名录；汇率：国家统计局年平均汇率",
        caption_justify="left",
    )
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


def evaluate_cmd(
    codes: Codes = None,
    year: Annotated[
        str | None, typer.Option(help="年度（默认：有基地数据的最近年度）/ year")
    ] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option("--what-if", help="假设值 CODE[@YEAR]=VALUE（亿元/家）/ hypothetical value"),
    ] = None,
    docx: Annotated[
        Path | None, typer.Option(help="Word 文件或目录 / .docx file or folder")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option(help="Excel 文件或目录 / .xlsx file or folder")
    ] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
) -> None:
    """申报条件审核：每个基地逐项结论与依据 / the application check, criterion by criterion."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import assessment, evaluate, export, figures

    who = scope_of(actor, act_as)
    docs = []
    with transaction() as conn:
        year = year or figures.latest_year(conn)
        for base in _chosen(conn, who, codes):
            ev = assessment.assess(
                conn,
                scope=who,
                base_code=base.code,
                kind="application",
                years=[year],
                hypothetical=_what_if(what_if, [year]),
            )
            docs.append(_evaluation_doc(ev))
            if not as_json:
                _print_evaluation(ev, f"{base.name_zh}（{base.code}）{year} 年")
            name = f"{base.code}_{year}_申报条件审核"
            hints = evaluate.what_if(ev)
            _write(docx, f"{name}.docx", export.docx(ev, base, what_if=hints))
            _write(xlsx, f"{name}.xlsx", export.xlsx(ev, base, what_if=hints))
    if as_json:
        print_json(docs)


def _chosen(conn: Connection, who: Scope, codes: list[str] | None) -> list[Any]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    if codes:
        return [registry.get(conn, c) for c in codes]
    found = registry.visible(conn, who)
    if not found:
        raise fail("没有可查看的基地（检查 --as 的角色与范围）/ no base in your scope (check --as)")
    return found


def rereview_cmd(
    codes: Codes = None,
    cycle: Annotated[
        int | None, typer.Option(help="复审年度（默认最近一次）/ re-review year")
    ] = None,
    docx: Annotated[Path | None, typer.Option(help="说明表 Word 目录 / .docx folder")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="说明表 Excel 目录 / .xlsx folder")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
) -> None:
    """两年一次的复审：前两年的数据、结论、说明表 / the biennial re-review and its sheet."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import export, rereview

    who = scope_of(actor, act_as)
    docs = []
    with transaction() as conn:
        for base in _chosen(conn, who, codes):
            rr = rereview.run(conn, scope=who, base_code=base.code, cycle=cycle)
            doc = _evaluation_doc(rr.evaluation)
            doc.update(
                cycle=rr.cycle,
                due=rr.due,
                targets=[
                    {
                        "year": t.year,
                        "target": t.target.key,
                        "share": t.share,
                        "reached": t.reached,
                        "note": t.note_zh,
                    }
                    for t in rr.targets
                ],
            )
            docs.append(doc)
            if not as_json:
                _print_evaluation(
                    rr.evaluation,
                    f"{base.name_zh}（{base.code}）{rr.cycle} 年复审"
                    f"（{'、'.join(rr.years)} 年数据，复审日 {rr.due}）",
                )
                for t in rr.targets:
                    console.print(f"  {t.year} {t.target.name_zh}：{t.note_zh}")
            name = f"{base.code}_{rr.cycle}_复审说明表"
            _write(
                docx,
                f"{name}.docx",
                export.docx(
                    rr.evaluation, base, what_if=rr.what_if, targets=rr.targets, due=rr.due
                ),
            )
            _write(
                xlsx,
                f"{name}.xlsx",
                export.xlsx(rr.evaluation, base, what_if=rr.what_if, targets=rr.targets),
            )
    if as_json:
        print_json(docs)


def ranking_cmd(
    kind: Annotated[str, typer.Option(help="trade（表3）或 output（表4）")] = "trade",
    year: Annotated[str, typer.Option(help="年度 / year")] = "2022",
    actor: ActorName = "cli",
    act_as: ActAs = "ministry",
    as_json: AsJson = False,
) -> None:
    """基地排名（规模、增速、年均增速、占所在地比重）/ ranking of the bases."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import ranking

    who = scope_of(actor, act_as)
    if kind not in ranking.KINDS:
        raise fail("--kind 只能是 trade 或 output / --kind is trade or output")
    with transaction() as conn:
        rows = ranking.rank(conn, scope=who, kind=kind, year=year)
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    zh, _, unit = ranking.KINDS[kind]
    table = Table(
        "排名 rank",
        "基地 base",
        f"{year}（{unit}）",
        "增速 %",
        "年均增速 %",
        "占比 %",
        "来源 source",
        title=f"{zh}：基地排名",
        caption="数据来源：商务部《中国数字贸易发展报告2022》、企业直报（已作披露控制）",
        caption_justify="left",
    )
    for r in rows:
        table.add_row(
            str(r.rank or "—"),
            r.name,
            "保密 C" if r.suppressed else _n(r.value),
            _n(r.growth),
            _n(r.cagr),
            _n(r.share),
            r.source,
        )
    console.print(table)


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"
