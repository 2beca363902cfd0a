"""Screen units by data availability (COINr ``Screen``).

Availability of a unit = 1 − (missing indicators / indicators); the share of non-zero values is
counted among the non-missing. ``byNA`` drops units below ``dat_thresh``, ``byzeros`` those
below ``nonzero_thresh`` non-zero, ``byNAandzeros`` either; ``force`` overrides per unit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from shumao.index.data import Coin, Step

RULES = ("byNA", "byzeros", "byNAandzeros", "none")


def availability(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_na = np.isnan(values).sum(axis=1)
    zeros = (values == 0).sum(axis=1)
    ncol = values.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 - n_na / ncol, 1 - zeros / (ncol - n_na)


def screen(
    coin: Coin,
    *,
    dset: str = "Imputed",
    unit_screen: str = "byNA",
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    force: Mapping[str, bool] | None = None,
    write_to: str = "Screened",
) -> Coin:
    if unit_screen not in RULES:
        raise ValueError(f"unit_screen must be one of {RULES}")
    ds = coin.dset(dset)
    avail, nonzero = availability(ds.values)
    low_data = avail < dat_thresh
    low_nonzero = nonzero < nonzero_thresh
    keep = {
        "byNA": ~low_data,
        "byzeros": ~low_nonzero,
        "byNAandzeros": ~(low_data | low_nonzero),
        "none": np.ones(len(ds.units), dtype=bool),
    }[unit_screen]
    for unit, include in (force or {}).items():
        if unit in ds.units:
            keep[ds.units.index(unit)] = include
    details = {
        "units": list(ds.units),
        "dat_avail": avail.tolist(),
        "non_zero": nonzero.tolist(),
        "included": keep.tolist(),
        "removed": [u for u, k in zip(ds.units, keep, strict=True) if not k],
    }
    settings = {
        "unit_screen": unit_screen,
        "dat_thresh": dat_thresh,
        "nonzero_thresh": nonzero_thresh,
        "force": dict(force or {}),
    }
    return coin.add(Step("screen", settings, dset, write_to), ds.select_units(keep), details)
