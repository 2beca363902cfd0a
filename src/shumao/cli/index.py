"""``shumao index build|show|sensitivity|explain|runs|check``: the composite index."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shumao.cli.common import console, err_console, fail, open_store
from shumao.errors import ImportRejected, ShumaoError

if TYPE_CHECKING:
    from shumao.index.data import Coin
    from shumao.index.framework import Framework

app = typer.Typer(
    help="数字贸易发展指数 / composite index (COINr-grade pipeline)", no_args_is_help=True
)
FrameworkOpt = Annotated[
    str,
    typer.Option(
        "--framework",
        "-f",
        help="框架：provinces|economies|bases、指数代码或文件路径（YAML、iMeta "
        "CSV/XLSX）/ framework: a shipped name, an index id or a file",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]
UnitOpt = Annotated[str | None, typer.Option("--unit", "-u", help="单位代码 / unit code")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="index")


def _framework(name: str) -> Framework:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao import index
    from shumao.index.framework import load_framework

    shipped = {p.stem: p for p in index.FRAMEWORKS.glob("*.yaml")}
    by_id = {load_framework(p).id.lower(): p for p in shipped.values()}
    path = shipped.get(name) or by_id.get(name.lower()) or Path(name)
    return load_framework(path)


def _rejected(exc: ImportRejected) -> typer.Exit:
    err_console.print(exc.report.text(), markup=False)
    return fail(str(exc), code=2)


def _emit_json(doc: Any) -> None:
    console.print(
        json.dumps(doc, ensure_ascii=False, indent=1, default=str), markup=False, soft_wrap=True
    )


def _ranking(coin: Coin, lang: str = "zh") -> list[dict[str, Any]]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import numpy as np

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.index.aggregate import results

    fw = coin.framework
    agg, ranks = coin.dset("Aggregated"), results(coin)
    pillars = fw.level(fw.max_level - 1) if fw.max_level > 2 else ()
    order = np.argsort(ranks.col(fw.root), kind="stable")
    return [
        {
            "rank": _int(ranks.values[i, agg.codes.index(fw.root)]),
            "unit": agg.units[i],
            "name": coin.units.name(agg.units[i]),
            "score": _num(agg.value(agg.units[i], fw.root)),
            **{p: _num(agg.value(agg.units[i], p)) for p in pillars},
        }
        for i in order
    ]


def _int(v: float) -> int | None:
    return None if v != v else int(v)


def _num(v: float) -> float | None:
    return None if v != v else round(float(v), 6)


def _print_ranking(coin: Coin, rows: Sequence[dict[str, Any]], title: str, top: int) -> None:
    fw = coin.framework
    pillars = [k for k in rows[0] if k not in ("rank", "unit", "name", "score")] if rows else []
    table = Table(
        title=title,
        caption="数据来源：数贸平台指数计算（分，0–100）/ source: shumao index (score 0–100)",
        caption_justify="left",
    )
    for head in (
        "排名 rank",
        "代码 code",
        "名称 name",
        f"{fw.name(fw.root)}",
        *(fw.name(p) for p in pillars),
    ):
        table.add_column(head, justify="right" if head[0] in "排" else "left")
    for r in rows[:top]:
        table.add_row(
            str(r["rank"] or "—"),
            r["unit"],
            r["name"],
            _fmt(r["score"]),
            *(_fmt(r[p]) for p in pillars),
        )
    console.print(table)


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


@app.command("check")
def check_cmd(framework: FrameworkOpt) -> None:
    """检查框架文件 / check a framework file (structure, weights, directions)."""
    try:
        fw = _framework(framework)
    except ImportRejected as exc:
        raise _rejected(exc) from None
    console.print(
        f"框架正确 / framework OK: {fw.id} {fw.version} — {len(fw.indicators)} 个指标 "
        f"indicators, {fw.max_level} 层 levels, SHA-256 {fw.sha256[:12]}"
    )


@app.command("build")
def build_cmd(
    framework: FrameworkOpt,
    as_json: JsonOpt = False,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="每步一页的 XLSX / workbook, every step on its own sheet"),
    ] = None,
    top: Annotated[int, typer.Option(help="显示前几名 / rows shown")] = 15,
    by: Annotated[str, typer.Option(help="运行人 / who runs it")] = "cli",
) -> None:
    """计算指数并存入数据库（新数据版本）/ build the index and store it as a new vintage."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.index import export, runs

    try:
        fw = _framework(framework)
        with open_store() as engine:
            built = runs.build_run(engine, fw, created_by=by)
    except ImportRejected as exc:
        raise _rejected(exc) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    rows = _ranking(built.coin)
    if xlsx:
        xlsx.write_bytes(export.to_xlsx(built.coin, {"Run": _run_info(built)}))
        err_console.print(f"已写入 / written: {xlsx}")
    if as_json:
        _emit_json(
            {
                "run": built.run_id,
                "vintage": built.vintage_id,
                "framework": fw.id,
                "period": fw.period,
                "data_vintages": built.inputs.vintages,
                "ranking": rows,
            }
        )
        return
    _print_ranking(built.coin, rows, f"{fw.name_zh} {fw.period} / {fw.name_en}", top)
    console.print(
        f"运行 run {built.run_id} · 数据版本 vintage {built.vintage_id} · 输入版本 "
        f"inputs {built.inputs.vintages}"
    )


def _run_info(built: Any) -> dict[str, Any]:
    fw = built.coin.framework
    return {
        "run": built.run_id,
        "vintage": built.vintage_id,
        "framework": fw.id,
        "version": fw.version,
        "sha256": fw.sha256,
        "data_vintages": built.inputs.vintages,
        "periods": built.inputs.periods,
    }


@app.command("show")
def show_cmd(
    framework: FrameworkOpt,
    unit: UnitOpt = None,
    as_json: JsonOpt = False,
    run: Annotated[int | None, typer.Option(help="运行编号 / run id")] = None,
    top: Annotated[int, typer.Option(help="显示前几名 / rows shown")] = 30,
) -> None:
    """显示已存的指数结果（按存储的版本重算核对）/ show a stored build (rebuilt from its record)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.index import runs

    fw = _framework(framework)
    with open_store() as engine, engine.connect() as conn:
        found = runs.get_run(conn, run) if run else runs.latest_build(conn, fw.id)
        if found is None:
            raise fail(
                f"{fw.id} 还没有计算过，请先运行 shumao index build / {fw.id} has not been "
                "built yet: run shumao index build"
            )
        coin, _ = runs.rebuild(conn, found.id)
    rows = _ranking(coin)
    if unit:
        rows = [r for r in rows if r["unit"] == unit]
        if not rows:
            raise fail(f"单位 {unit} 不在该指数中 / unit {unit} is not in this index")
    if as_json:
        _emit_json(
            {
                "run": found.id,
                "framework": fw.id,
                "period": found.period,
                "framework_sha256": found.framework_sha256,
                "data_vintages": found.data_vintages,
                "ranking": rows,
            }
        )
        return
    _print_ranking(coin, rows, f"{fw.name_zh} {found.period}（运行 run {found.id}）", top)


@app.command("sensitivity")
def sensitivity_cmd(
    framework: FrameworkOpt,
    as_json: JsonOpt = False,
    replications: Annotated[
        int, typer.Option(help="至少运行次数 / at least this many runs")
    ] = 10_000,
    noise: Annotated[float, typer.Option(help="权重扰动幅度 / weight perturbation ±x")] = 0.25,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 20240101,
    run: Annotated[int | None, typer.Option(help="基于的运行 / build run id")] = None,
    by: Annotated[str, typer.Option(help="运行人 / who runs it")] = "cli",
) -> None:
    """不确定性与敏感性分析（Sobol 指数、排名区间），保存每次重复 / uncertainty and sensitivity."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli.common import progress_bar
    from shumao.index import runs
    from shumao.index.sensitivity import Settings

    fw = _framework(framework)
    st = Settings(replications=replications, weight_noise=noise, seed=seed)
    with open_store() as engine:
        with engine.connect() as conn:
            base = runs.get_run(conn, run) if run else runs.latest_build(conn, fw.id)
        if base is None:
            raise fail(f"{fw.id} 还没有计算过，请先运行 shumao index build / build it first")
        with progress_bar(not as_json) as bar:
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                if bar:
                    bar("重复 / replications", done[0], done[0])  # type: ignore[operator]

            run_id, result = runs.sensitivity_run(engine, base.id, st, created_by=by, progress=step)
    _sensitivity_out(run_id, result, fw, as_json)


def _sensitivity_out(run_id: int, result: Any, fw: Framework, as_json: bool) -> None:
    if as_json:
        _emit_json(
            {
                "run": run_id,
                "replications": len(result.params),
                "sobol": result.sobol,
                "rank_intervals": result.rank_intervals(),
            }
        )
        return
    table = Table(title=f"Sobol 敏感性指数 / Sobol indices ({len(result.params)} 次 runs)")
    for head in ("因素 factor", "一阶 S1", "总 ST"):
        table.add_column(head)
    for name, s in result.sobol.items():
        table.add_row(
            name, f"{s['S1']:.3f} ± {s['S1_conf']:.3f}", f"{s['ST']:.3f} ± {s['ST_conf']:.3f}"
        )
    console.print(table)
    ranks = Table(title="排名区间（5%–95%）/ rank intervals")
    for head in ("代码 code", "名义 nominal", "中位 median", "区间 interval"):
        ranks.add_column(head)
    for r in sorted(result.rank_intervals(), key=lambda r: r["nominal"])[:20]:
        ranks.add_row(
            r["unit"], str(r["nominal"]), f"{r['median']:.0f}", f"{r['p05']:.0f}–{r['p95']:.0f}"
        )
    console.print(ranks)
    console.print(f"已保存运行 / stored as run {run_id}（{fw.id}）")


@app.command("explain")
def explain_cmd(
    framework: FrameworkOpt,
    unit: Annotated[str, typer.Option("--unit", "-u", help="单位代码 / unit code")],
    from_run: Annotated[
        int | None, typer.Option("--from-run", help="前一运行 / earlier run")
    ] = None,
    to_run: Annotated[int | None, typer.Option("--to-run", help="后一运行 / later run")] = None,
    from_year: Annotated[
        str | None, typer.Option("--from-year", help="对比年份 / earlier year (same framework)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """分解得分变化：为什么变了 / why did a unit's score move (exact or Shapley)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.index import compare

    fw = _framework(framework)
    try:
        with open_store() as engine, engine.connect() as conn:
            got = compare.explain(
                conn, fw, unit=unit, from_run=from_run, to_run=to_run, from_year=from_year
            )
    except ImportRejected as exc:
        raise _rejected(exc) from None
    except (ShumaoError, ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    if as_json:
        _emit_json(got.as_dict())
        return
    table = Table(
        title=f"{unit} {got.before:.2f} → {got.after:.2f}（{got.change:+.2f}，{got.method}）"
    )
    for head in ("指标 indicator", "前 before", "后 after", "贡献 contribution"):
        table.add_column(head)
    for c in sorted(got.contributions, key=lambda c: -abs(c.contribution)):
        table.add_row(
            f"{c.code} {fw.name(c.code)}", _fmt(c.before), _fmt(c.after), f"{c.contribution:+.4f}"
        )
    console.print(table)


@app.command("runs")
def runs_cmd(
    framework: Annotated[str | None, typer.Option("--framework", "-f")] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出指数运行记录 / list index runs (framework version, vintages, settings)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.index import runs

    index_id = _framework(framework).id if framework else None
    with open_store() as engine, engine.connect() as conn:
        found = runs.list_runs(conn, index_id)
    rows = [
        {
            "id": r.id,
            "index": r.index_id,
            "kind": r.kind,
            "period": r.period,
            "version": r.framework_version,
            "sha256": r.framework_sha256[:12],
            "vintage": r.vintage_id,
            "build_run": r.build_run_id,
            "data_vintages": r.data_vintages,
            "created_at": r.created_at,
            "created_by": r.created_by,
        }
        for r in found
    ]
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        console.print("还没有运行记录 / no runs yet")
        return
    table = Table(*rows[0].keys())
    for r in rows:
        table.add_row(*(str(v) for v in r.values()))
    console.print(table)
