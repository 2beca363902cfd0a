"""The import pipeline: parse → check → store as one new vintage, all or nothing.

Each source module (``shumao.ingest.sources.*``) registers a ``Source`` (``ingest.registry``)
whose ``parse`` turns a file into the tidy frame of ``shumao.storage.vintages.FRAME_SCHEMA`` plus ``_row`` (the row a
person sees in the file), adding findings to ``ctx.report`` as it goes. The pipeline then runs
the checks every source shares (codes, periods, missing values, duplicate keys). Any error
finding stops the import before anything is written; otherwise the frame is written as one
vintage inside one transaction, so a crash or kill leaves the store as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from sqlalchemy import Connection, Engine

from shumao.compute.consistency import check_table
from shumao.config import Settings, get_settings
from shumao.errors import ImportRejected, UnknownCode
from shumao.ingest import overlap
from shumao.ingest.readers import ROW
from shumao.ingest.registry import ImportContext, Source
from shumao.ingest.sources import all_sources
from shumao.storage.dataflows import Dataflow, get_dataflow
from shumao.storage.engine import require_schema
from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE
from shumao.storage.vintages import set_source_sha256, write_vintage
from shumao.validation import codelists, uscc
from shumao.validation.findings import Report, finding

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stages are "parse", "check", "write"."""


class AfterImport(Protocol):
    """What runs once an import has committed: the warning rules (``monitor.hooks.after_commit``),
    passed in by the CLI (as the release worker's ``after``) so that ``ingest`` needs nothing
    from ``monitor``."""

    def __call__(
        self, engine: Engine, *, trigger: str, dataflows: Iterable[str], user: str = "system"
    ) -> None: ...


@dataclass
class ImportResult:
    source: str
    dataflow: str
    vintage_id: int | None
    rows: int
    series: int
    report: Report
    extra: dict[str, Any] = field(default_factory=dict)


def get_source(name: str) -> Source:
    try:
        return all_sources()[name]
    except KeyError:
        raise UnknownCode("import sources", name) from None


def run_import(
    engine: Engine,
    source: str,
    path: Path,
    *,
    options: dict[str, Any] | None = None,
    label: str = "",
    user: str = "system",
    dry_run: bool = False,
    progress: Progress | None = None,
    settings: Settings | None = None,
    after: AfterImport | None = None,
) -> ImportResult:
    """Import ``path`` with ``source``; raise ``ImportRejected`` (nothing written) on errors.
    ``after`` runs once the vintage is committed (the warning rules, ``monitor.hooks``)."""
    src = get_source(source)
    settings = settings or get_settings()
    report = Report(source=str(path))
    ctx = ImportContext(path=Path(path), report=report, settings=settings, options=options or {})
    _check_chosen_dataflow(src, ctx)
    frame = _parse(src, ctx, progress) if report.ok else None
    flow = get_dataflow(ctx.options.get("dataflow") or src.dataflow)
    if frame is not None:
        frame = prepare_frame(frame, flow, report, file=ctx.file)
    if frame is None or any(d not in frame.columns for d in flow.dimensions):
        raise ImportRejected(report)
    checked = frame

    def check() -> int:
        """The shared checks; raises ``ImportRejected`` on an error; the number of series."""
        run_checks(checked, flow, report, file=ctx.file, columns=ctx.options.get("columns"))
        if not report.ok:
            raise ImportRejected(report)
        if src.official_table:
            report.extend(check_table(checked, file=ctx.file).findings)
        return checked.select(DIMENSIONS).n_unique()

    if dry_run or not report.ok:  # nothing to write; or all findings at once (parse failed)
        return ImportResult(source, flow.id, None, frame.height, check(), report, ctx.extra)
    require_schema(engine)
    written = 0

    def step(n: int) -> None:
        nonlocal written
        written += n
        if progress:
            progress("write", written, checked.height)

    def write(conn: Connection, batch_done: overlap.Step) -> int:
        return write_vintage(
            conn,
            dataflow_id=flow.id,
            frame=checked.drop(ROW),
            kind="import",
            label=label or f"{src.title_zh} {ctx.file}",
            source_file=str(ctx.path),
            source_sha256="",  # set by ``finish`` from the checks' thread
            created_by=user,
            batch_rows=settings.batch_rows,
            progress=batch_done,
        )

    def finish(conn: Connection, vintage_id: int, verdict: tuple[int, str]) -> None:
        set_source_sha256(conn, vintage_id, verdict[1])

    vid, (series_count, _) = overlap.write_while_checking(
        engine,
        check=lambda: (check(), overlap.sha256(ctx.path)),
        write=write,
        finish=finish,
        progress=step,
    )
    log.info("imported %s rows of %s into vintage %s", frame.height, flow.id, vid)

    if after is not None:
        after(engine, trigger="import", dataflows=[flow.id], user=user)
    return ImportResult(source, flow.id, vid, frame.height, series_count, report, ctx.extra)


def _check_chosen_dataflow(src: Source, ctx: ImportContext) -> None:
    chosen = ctx.options.get("dataflow")
    if not chosen or src.dataflow == "GENERIC":
        return
    allowed = {src.dataflow, *src.dataflows}
    if str(chosen).upper() not in allowed:
        ctx.report.add(
            finding(
                "dataflow-unsupported",
                file=ctx.file,
                value=chosen,
                source=src.name,
                expected="、".join(sorted(allowed)),
            )
        )
    else:
        ctx.options["dataflow"] = str(chosen).upper()


def _parse(src: Source, ctx: ImportContext, progress: Progress | None) -> pl.DataFrame | None:
    if not ctx.path.exists():
        ctx.report.add(finding("file-not-found", file=str(ctx.path)))
        return None
    size = ctx.path.stat().st_size
    if size > ctx.settings.import_max_bytes:
        ctx.report.add(
            finding("file-too-large", file=ctx.file, size=size, limit=ctx.settings.import_max_bytes)
        )
        return None
    if size == 0:
        ctx.report.add(finding("file-empty", file=ctx.file))
        return None
    if progress:
        progress("parse", 0, 1)
    frame = src.parse(ctx)
    if progress:
        progress("parse", 1, 1)
    return frame


Columns = Mapping[str, tuple[str, int]]
"""field → (header as written in the file, 0-based position), set by a source in
``ctx.options["columns"]`` so that findings name the file's column and cell."""
_FREQ_FORMS = {
    "A": ("年度", "annual", "2023"),
    "Q": ("季度", "quarterly", "2023-Q3"),
    "M": ("月度", "monthly", "2023-07"),
}


def prepare_frame(
    frame: pl.DataFrame, flow: Dataflow, report: Report, *, file: str
) -> pl.DataFrame:
    """The frame with its file rows (``_row``) and unused dimensions set to ``_Z``; a dimension
    of ``flow`` that the frame lacks is a ``column-missing`` error."""
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    fill = [pl.lit(NOT_APPLICABLE).alias(d) for d in DIMENSIONS if d not in flow.dimensions]
    frame = frame.with_columns(fill)
    present = "、".join(c for c in frame.columns if c != ROW)
    for dim in (d for d in flow.dimensions if d not in frame.columns):
        report.add(finding("column-missing", file=file, column=dim, present=present))
    return frame


def run_checks(
    frame: pl.DataFrame,
    flow: Dataflow,
    report: Report,
    *,
    file: str,
    columns: Columns | None = None,
) -> None:
    """Codes, periods, values and duplicate keys of a prepared frame (``prepare_frame``)."""
    at = _locator(columns or {})
    for dim, codelist in flow.dimensions.items():
        _check_codes(frame, dim, codelist, report, file, at)
    _check_periods(frame, report, file, at)
    _check_values(frame, report, file, at)
    _check_duplicates(frame, report, file)


def _locator(columns: Columns) -> Callable[[str], dict[str, Any]]:
    """field → the ``column`` and ``col_index`` arguments of its findings."""

    def at(field: str) -> dict[str, Any]:
        header, index = columns.get(field, (field, None))
        return {"column": header, "col_index": index}

    return at


def _check_codes(
    frame: pl.DataFrame,
    dim: str,
    codelist: str,
    report: Report,
    file: str,
    at: Callable[[str], dict[str, Any]],
) -> None:
    empty = frame.filter(pl.col(dim).is_null() | (pl.col(dim) == ""))
    for row in empty[ROW].head(100):
        report.add(finding("value-missing", file=file, row=row, **at(dim)))
    codes = frame[dim].drop_nulls().unique().to_list()
    unknown = [c for c in codes if c and not codelists.is_member(codelist, c)]
    if not unknown:
        return
    first = (
        frame.filter(pl.col(dim).is_in(unknown))
        .group_by(dim)
        .agg(pl.col(ROW).min().alias("row"))
        .sort("row")
    )
    for code, row in first.iter_rows():
        if codelist == "uscc":
            report.add(
                finding(
                    "uscc-invalid",
                    file=file,
                    row=row,
                    value=code,
                    **uscc.problem_texts(code),
                    **at(dim),
                )
            )
        elif found := codelists.ambiguity(codelist, code):
            report.add(
                codelists.ambiguous(found, codelists.NAMES[codelist], file=file, row=row, **at(dim))
            )
        else:
            report.add(
                finding(
                    "code-unknown",
                    file=file,
                    row=row,
                    value=code,
                    codelist=codelists.NAMES[codelist],
                    **at(dim),
                )
            )


def _check_periods(
    frame: pl.DataFrame, report: Report, file: str, at: Callable[[str], dict[str, Any]]
) -> None:
    pairs = frame.select("freq", "time_period").unique()
    bad = [(f, p) for f, p in pairs.iter_rows() if not (p and codelists.period_matches(f, p))]
    if not bad:
        return
    key = pl.concat_str(
        pl.col("freq").fill_null(""), pl.col("time_period").fill_null(""), separator="\u0000"
    )
    rows = frame.filter(key.is_in([f"{f or ''}\u0000{p or ''}" for f, p in bad]))
    for row, freq, period in rows.select(ROW, "freq", "time_period").head(100).iter_rows():
        if period and codelists.PERIOD_RE.match(period) and freq in _FREQ_FORMS:
            freq_zh, freq_en, form = _FREQ_FORMS[freq]
            report.add(
                finding(
                    "period-freq-mismatch",
                    file=file,
                    row=row,
                    value=period,
                    freq=freq,
                    freq_zh=freq_zh,
                    freq_en=freq_en,
                    form=form,
                    **at("time_period"),
                )
            )
        else:
            report.add(
                finding(
                    "period-invalid", file=file, row=row, value=period or "", **at("time_period")
                )
            )


def _check_values(
    frame: pl.DataFrame, report: Report, file: str, at: Callable[[str], dict[str, Any]]
) -> None:
    lost = frame.filter(pl.col("value").is_null() & (pl.col("obs_status") != "M"))
    for row in lost[ROW].head(100):
        report.add(finding("value-missing", file=file, row=row, **at("value")))


def _check_duplicates(frame: pl.DataFrame, report: Report, file: str) -> None:
    keys = [*DIMENSIONS, "time_period"]
    # equal keys hash equally: group only the rows whose key hash repeats (fast on clean files)
    suspects = frame.filter(pl.struct(keys).hash().is_duplicated())
    if suspects.is_empty():
        return
    dups = (
        suspects.group_by(keys)
        .agg(pl.col(ROW).sort().alias("rows"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
        .sort(pl.col("rows").list.first())
        .head(100)
    )
    for record in dups.iter_rows(named=True):
        key = "/".join(str(record[k]) for k in keys if record[k] != NOT_APPLICABLE)
        rows = record["rows"]
        report.add(
            finding(
                "key-duplicate",
                file=file,
                row=rows[0],
                value=key,
                rows="、".join(map(str, rows[:10])),
            )
        )
