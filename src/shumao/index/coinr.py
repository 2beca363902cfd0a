"""COINr's table formats: ``iData`` (one row per unit: ``uCode``, ``uName``, group columns,
``Time``, denominators, indicators) into a raw data set and the units' metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from shumao.index.data import Dataset, Units
from shumao.index.framework import Framework

META_COLUMNS = ("uCode", "uName", "Time")


def read_idata(
    path: str | Path, fw: Framework, *, denominators: tuple[str, ...] = ()
) -> tuple[Dataset, Units]:
    frame = pl.read_csv(path, infer_schema_length=0)
    return from_idata(frame, fw, denominators=denominators)


def from_idata(
    frame: pl.DataFrame, fw: Framework, *, denominators: tuple[str, ...] = ()
) -> tuple[Dataset, Units]:
    """Split an iData table; denominators are the columns the framework's indicators name
    (plus ``denominators``), groups the columns the framework lists under ``groups``."""
    codes = tuple(frame["uCode"].to_list())
    dens = {n.denominator for n in fw.nodes if n.denominator} | set(denominators)
    groups = {
        g: dict(zip(codes, frame[g].to_list(), strict=True))
        for g in fw.groups
        if g in frame.columns
    }
    den = {d: dict(zip(codes, _floats(frame[d]), strict=True)) for d in dens if d in frame.columns}
    names = (
        dict(zip(codes, frame["uName"].to_list(), strict=True)) if "uName" in frame.columns else {}
    )
    cols = [c for c in fw.indicators if c in frame.columns]
    values = (
        np.column_stack([_floats(frame[c]) for c in cols]) if cols else np.empty((len(codes), 0))
    )
    return Dataset(codes, tuple(cols), values), Units(codes, names, groups, den)


def _floats(col: pl.Series) -> np.ndarray:
    return col.cast(pl.Float64, strict=True).to_numpy().astype(float)


EXAMPLE_BUILD: tuple[dict[str, Any], ...] = (
    {"denominate": {}},
    {"impute": {"method": "group_mean", "group": "EurAsia_group"}},
    {"screen": {"unit_screen": "byNA", "dat_thresh": 0.9}},
    {"treat": {"winmax": 5}},
    {"normalise": {"method": "minmax", "range": [0, 100]}},
    {"aggregate": {"method": "amean"}},
)
"""COINr's ``build_example_coin()`` (R/examples.R), step for step."""
