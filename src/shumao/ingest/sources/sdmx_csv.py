"""SDMX-CSV 1.0 and 2.0 (with or without labels, ACTION, UNIT_MULT) into the tidy frame."""

from __future__ import annotations

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.periods import freq_of_period, normalise_periods
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.ingest.sources.generic import MAX_ROW_FINDINGS, apply_units, statuses
from shumao.storage.dataflows import Dataflow, all_dataflows, get_dataflow
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

SDMX_COLUMNS = {
    "REF_AREA": "ref_area",
    "COUNTERPART_AREA": "counterpart_area",
    "PRODUCT": "product",
    "FLOW": "flow",
    "INDICATOR": "indicator",
    "FREQ": "freq",
    "TIME_PERIOD": "time_period",
    "OBS_VALUE": "value",
    "UNIT_MEASURE": "unit",
    "UNIT_MULT": "unit_mult",
    "OBS_STATUS": "obs_status",
    "CONF_STATUS": "conf_status",
}
SDMX_ACTIONS = {"I", "A", "R", ""}
"""SDMX-CSV 2.0 ACTION values that add observations (information, append, replace)."""
MAX_UNIT_MULT = 12


def parse_sdmx_csv(ctx: ImportContext) -> pl.DataFrame | None:
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None:
        return None
    table = _sdmx_headers(table)
    flow = _sdmx_dataflow(table, ctx)
    if flow is None or not _sdmx_columns_present(table, flow, ctx.report, ctx.file):
        return None
    ctx.options["dataflow"] = flow.id
    ctx.options["columns"] = {
        SDMX_COLUMNS[c]: (c, i) for i, c in enumerate(table.columns) if c in SDMX_COLUMNS
    }
    _check_actions(table, ctx.report, ctx.file)
    src = table.frame
    frame = src.select(
        pl.col(ROW),
        *(
            pl.col(c).alias(SDMX_COLUMNS[c])
            for c in table.columns
            if c in SDMX_COLUMNS and c not in ("OBS_VALUE", "UNIT_MULT")
        ),
    )
    frame = normalise_periods(frame, ctx.report, ctx.file, table.columns, "TIME_PERIOD")
    if "freq" not in frame.columns and "freq" in flow.dimensions:
        frame = frame.with_columns(freq_of_period().alias("freq"))
    values, missing = parse_numbers(
        src, "OBS_VALUE", ctx.report, file=ctx.file, col_index=table.columns.index("OBS_VALUE")
    )
    frame = frame.with_columns(
        values.alias("value"),
        missing.alias("_missing"),
        _unit_mults(table, ctx.report, ctx.file).alias("unit_mult"),
    )
    if "unit" not in frame.columns:
        frame = frame.with_columns(pl.lit("USD").alias("unit"))
    frame = apply_units(frame, None, ctx.report, ctx.file)
    return statuses(frame, ctx.report, ctx.file)


def _sdmx_headers(table: Table) -> Table:
    """``REF_AREA: Reference area`` (SDMX-CSV 2.0 with labels) → ``REF_AREA``; upper case."""
    names = [h.split(":", 1)[0].strip().upper() for h in table.columns]
    frame = table.frame.rename(dict(zip(table.columns, names, strict=True)))
    return Table(frame=frame, columns=names, sheet=table.sheet, header_row=table.header_row)


def _sdmx_dataflow(table: Table, ctx: ImportContext) -> Dataflow | None:
    """The target dataflow: ``--dataflow``, else the file's DATAFLOW / STRUCTURE_ID column."""
    head = table.columns[0]
    if head not in ("DATAFLOW", "STRUCTURE"):
        ctx.report.add(
            finding(
                "column-missing",
                file=ctx.file,
                column="DATAFLOW / STRUCTURE",
                present="、".join(table.columns),
            )
        )
        return None
    column = "STRUCTURE_ID" if head == "STRUCTURE" else "DATAFLOW"
    if ctx.options.get("dataflow"):
        return _known_flow(str(ctx.options["dataflow"]), ctx, row=None, column="--dataflow")
    if column not in table.columns:
        ctx.report.add(
            finding(
                "column-missing", file=ctx.file, column=column, present="、".join(table.columns)
            )
        )
        return None
    refs = table.frame.group_by(column).agg(pl.col(ROW).min()).sort(ROW)
    ids = {ref: _flow_id(ref or "") for ref, _ in refs.iter_rows()}
    if len(set(ids.values())) > 1:
        ctx.report.add(
            finding(
                "dataflow-mixed",
                file=ctx.file,
                column=column,
                value="、".join(dict.fromkeys(ids.values())),
            )
        )
        return None
    ref, row = refs.row(0)
    return _known_flow(ids[ref], ctx, row=row, column=column, col_index=table.columns.index(column))


def _flow_id(ref: str) -> str:
    """``ESTAT:NAMA_10_GDP(1.0)`` or ``urn:…Dataflow=SHUMAO:ENT_DDS(1.0)`` → the dataflow id."""
    return ref.split("=")[-1].split(":")[-1].split("(")[0].strip()


def _known_flow(
    flow_id: str, ctx: ImportContext, *, row: int | None, column: str, col_index: int | None = None
) -> Dataflow | None:
    try:
        return get_dataflow(flow_id)
    except UnknownCode:
        ctx.report.add(
            finding(
                "dataflow-unknown",
                file=ctx.file,
                row=row,
                column=column,
                col_index=col_index,
                value=flow_id,
                present="、".join(f.id for f in all_dataflows()),
            )
        )
        return None


def _sdmx_columns_present(table: Table, flow: Dataflow, report: Report, file: str) -> bool:
    """Every dimension of ``flow`` (FREQ may be left out), TIME_PERIOD and OBS_VALUE."""
    needed = ["TIME_PERIOD", "OBS_VALUE"] + [d.upper() for d in flow.dimensions if d != "freq"]
    missing = [c for c in needed if c not in table.columns]
    for column in missing:
        report.add(
            finding("column-missing", file=file, column=column, present="、".join(table.columns))
        )
    return not missing


def _check_actions(table: Table, report: Report, file: str) -> None:
    if "ACTION" not in table.columns:
        return
    action = pl.col("ACTION").fill_null("").str.to_uppercase()
    bad = table.frame.filter(~action.is_in(sorted(SDMX_ACTIONS))).select(ROW, "ACTION")
    col_index = table.columns.index("ACTION")
    for row, value in bad.head(MAX_ROW_FINDINGS).iter_rows():
        report.add(
            finding(
                "action-unsupported",
                file=file,
                row=row,
                column="ACTION",
                col_index=col_index,
                value=value,
            )
        )


def _unit_mults(table: Table, report: Report, file: str) -> pl.Series:
    """UNIT_MULT as Int16 (0 when absent or blank); other values are ``unit-mult-invalid``."""
    src = table.frame
    if "UNIT_MULT" not in src.columns:
        return pl.Series("unit_mult", [0] * src.height, dtype=pl.Int16)
    text = src["UNIT_MULT"].str.strip_chars()
    mult = text.cast(pl.Int16, strict=False)
    bad = text.is_not_null() & (mult.is_null() | (mult < 0) | (mult > MAX_UNIT_MULT))
    col_index = table.columns.index("UNIT_MULT")
    for row, value in src.filter(bad).select(ROW, "UNIT_MULT").head(MAX_ROW_FINDINGS).iter_rows():
        report.add(
            finding(
                "unit-mult-invalid",
                file=file,
                row=row,
                column="UNIT_MULT",
                col_index=col_index,
                value=value,
            )
        )
    return mult.fill_null(0).alias("unit_mult")


register(Source("sdmx-csv", "GENERIC", "SDMX-CSV 导入", "SDMX-CSV 1.0/2.0", parse_sdmx_csv))
