"""Denominate: divide extensive indicators by a unit's size (COINr ``Denominate``).

Each indicator whose framework entry names a ``denominator`` is divided by that column of the
units' denominators (population, GDP, area ...), optionally scaled; others pass unchanged.
"""

from __future__ import annotations

import numpy as np

from shumao.index.data import Coin, Dataset, Step


def denominate(
    coin: Coin,
    *,
    dset: str = "Raw",
    write_to: str = "Denominated",
    scale: dict[str, float] | None = None,
) -> Coin:
    ds = coin.dset(dset)
    values = ds.values.copy()
    by = coin.framework.by_code
    for j, code in enumerate(ds.codes):
        node = by.get(code)
        if node is None or not node.denominator:
            continue
        column = coin.units.denominators[node.denominator]
        denom = np.array([column.get(u, np.nan) for u in ds.units], dtype=float)
        # COINr: x / (denominator / ScaleFactor), ScaleFactor 1 unless given
        values[:, j] = values[:, j] / (denom / (scale or {}).get(code, 1.0))
    step = Step("denominate", {"scale": scale or {}}, dset, write_to)
    return coin.add(step, Dataset(ds.units, ds.codes, values))
