"""An approved filing as a new vintage of its form's dataflow: the observations its upload
kept when it was accepted (``accepted.py``), plus, for a revision, the earlier values it no
longer reports, stored as withdrawn (value empty, status M)."""

from __future__ import annotations

import json

import polars as pl
from sqlalchemy import Connection, select

from shumao.auth.actors import Actor
from shumao.collection.forms import Form, get_form
from shumao.collection.tables import filing_upload
from shumao.collection.workflow import accepted
from shumao.collection.workflow.filings import Filing
from shumao.errors import StoreError, UnknownCode
from shumao.storage import vintages
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import DIMENSIONS


def write_vintage(conn: Connection, actor: Actor, approved: Filing, note: str) -> int:
    form = get_form(approved.form_id)
    try:
        flow = get_dataflow(form.dataflow)
    except UnknownCode:
        raise StoreError(
            f"数据流 {form.dataflow} 未定义，无法保存 {form.id} 的审核结果 / dataflow "
            f"{form.dataflow} is not defined; cannot store {form.id}"
        ) from None
    assert approved.current_upload_id is not None
    obs = _approved_observations(conn, form, approved)
    up = conn.execute(
        select(filing_upload.c.filename, filing_upload.c.sha256).where(
            filing_upload.c.id == approved.current_upload_id
        )
    ).one()
    return vintages.write_vintage(
        conn,
        dataflow_id=flow.id,
        frame=obs,
        kind="filing",
        label=vintage_label(form, approved.period, approved.revision)[:300],
        source_file=up.filename,
        source_sha256=up.sha256,
        created_by=actor.label[:100],
        note=note,
    )


def vintage_label(form: Form, period: str, revision: int) -> str:
    """The label of an approved filing's vintage: form, period and revision, never who filed
    (every logged-in role lists the vintages; who filed is read within scope only); Chinese
    and English (the explorer shows the half of its view's language)."""
    return (
        f"{form.code} {form.title_zh} {period} 企业直报审核通过 第{revision}版 / "
        f"{form.title_en} {period}, approved revision {revision}"
    )


def _approved_observations(conn: Connection, form: Form, approved: Filing) -> pl.DataFrame:
    """The upload's observations plus, for a revision, the earlier values it no longer
    reports."""
    assert approved.current_upload_id is not None
    obs = accepted.read(conn, approved.current_upload_id)
    attrs = json.dumps(
        {"filing": approved.id, "upload": approved.current_upload_id, "revision": approved.revision}
    )
    obs = obs.with_columns(pl.lit(attrs).alias("attrs"))
    return pl.concat([obs, _withdrawn(conn, form, approved, obs, attrs)], how="vertical_relaxed")


def _withdrawn(
    conn: Connection, form: Form, approved: Filing, obs: pl.DataFrame, attrs: str
) -> pl.DataFrame:
    before = vintages.read(
        conn,
        form.dataflow,
        where={"ref_area": [approved.uscc]},
        start=approved.period,
        end=approved.period,
    )
    before = before.filter(
        (pl.col("time_period") == approved.period) & pl.col("value").is_not_null()
    )
    keys = [*DIMENSIONS, "time_period"]
    gone = before.join(obs.select(keys), on=keys, how="anti")
    return (
        gone.drop("vintage_id")
        .with_columns(
            pl.lit(None, pl.Float64).alias("value"),
            pl.lit("M").alias("obs_status"),
            pl.lit(attrs).alias("attrs"),
        )
        .select(obs.columns)
    )
