"""Disclosure control of frames: primary and secondary suppression of every table in a frame,
linked tables protected together, and the public view.

The result marks cells ``conf_status`` ``C`` (primary confidential), ``D`` (secondary) or
``F`` (free); ``public_view`` blanks the values of ``C`` and ``D`` cells: internal users with
the right scope read the store, the public reads the public view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from shumao.compute.hierarchy import Hierarchy
from shumao.release.disclosure.primary import primary
from shumao.release.disclosure.rules import Rules
from shumao.release.disclosure.suppress import suppress
from shumao.release.disclosure.table import build_table
from shumao.storage.tables import DIMENSIONS

REASON_SECONDARY = "secondary"
TABLE_KEYS = (*DIMENSIONS, "time_period", "unit", "unit_mult")


def protect_frame(
    frame: pl.DataFrame,
    dims: Sequence[str],
    hierarchies: Sequence[Hierarchy],
    rules: Rules | None = None,
    *,
    outcomes: list[dict[str, Any]] | None = None,
) -> pl.DataFrame:
    """Primary + secondary suppression of each table (cells sharing the dimensions not in
    ``dims``); adds ``primary``, ``reason``, ``lpl``/``upl``, ``suppressed`` and sets
    ``conf_status``. Each table's ``outcome`` (method, optimal, seconds, cells) is appended
    to ``outcomes`` when given."""
    rules = rules or Rules()
    marked = primary(frame, rules)
    others = [c for c in TABLE_KEYS if c in frame.columns and c not in dims]
    groups = marked.group_by(others, maintain_order=True) if others else [((), marked)]
    parts = []
    for _, part in groups:
        table = build_table(part, dims, hierarchies)
        suppress(table, rules)
        if outcomes is not None:
            outcomes.append(
                {
                    **table.outcome,
                    "cells": len(table.values),
                    "primary": len(table.primary),
                    "secondary": len(table.suppressed - table.primary),
                }
            )
        hidden = pl.Series(
            [
                tuple(str(r[d]) for d in dims) in table.suppressed
                for r in part.iter_rows(named=True)
            ],
            dtype=pl.Boolean,
        )
        parts.append(part.with_columns(hidden.alias("suppressed")))
    out = pl.concat(parts) if parts else marked.with_columns(pl.lit(False).alias("suppressed"))
    return out.with_columns(
        pl.when(pl.col("primary"))
        .then(pl.lit("C"))
        .when(pl.col("suppressed"))
        .then(pl.lit("D"))
        .otherwise(pl.lit("F"))
        .alias("conf_status"),
        pl.when(pl.col("suppressed") & ~pl.col("primary"))
        .then(pl.lit(REASON_SECONDARY))
        .otherwise(pl.col("reason"))
        .alias("reason"),
    )


def protect_linked(
    frames: Sequence[pl.DataFrame],
    dims: Sequence[str],
    hierarchies: Sequence[Hierarchy],
    rules: Rules | None = None,
    *,
    outcomes: list[dict[str, Any]] | None = None,
) -> list[pl.DataFrame]:
    """Protect tables that share cells as one (τ-ARGUS's cover table, manual §2.11).

    E.g. province × item (partner ``WLD``) and province × partner (item ``DD``) share the
    province totals; protected apart, a cell one table suppresses the other may publish. Here
    the tables' cells are merged on their keys (a shared cell is one cell), ``dims`` spans
    every dimension any of them breaks down, and the relations of all of them hold at once.
    Returns each input frame with the columns ``protect_frame`` adds.
    """
    keys = [*dims, *(c for c in TABLE_KEYS if c in frames[0].columns and c not in dims)]
    union = pl.concat(frames, how="diagonal_relaxed").unique(subset=keys, maintain_order=True)
    protected = protect_frame(union, dims, hierarchies, rules, outcomes=outcomes)
    added = [c for c in protected.columns if c not in union.columns or c == "conf_status"]
    status = protected.select(*keys, *added)
    return [
        f.drop([c for c in added if c in f.columns]).join(
            status, on=keys, how="left", nulls_equal=True
        )
        for f in frames
    ]


def public_view(frame: pl.DataFrame) -> pl.DataFrame:
    """What the public sees: values of confidential cells (``C``, ``D``) blanked, and the
    contributor statistics (which would disclose them) dropped."""
    hidden = pl.col("conf_status").is_in(["C", "D"])
    drop = [
        c
        for c in frame.columns
        if c.startswith("top")
        or c in ("n_contributors", "n_missing", "n_estimated", "n_provisional", "lpl", "upl")
    ]
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("value")).alias("value")
    ).drop(drop)


def view_for(frame: pl.DataFrame, *, may_see_confidential: bool) -> pl.DataFrame:
    """Internal users with the right scope see everything; everybody else the public view."""
    return frame if may_see_confidential else public_view(frame)
