"""Small hand-made frameworks and coins for the index tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from shumao.index.data import Coin, Dataset, Units, new_coin
from shumao.index.framework import parse_framework

TWO_PILLARS = """
id: TEST
version: "1"
period: 2022
groups: [g]
indicators:
  - {code: a, parent: P1}
  - {code: b, parent: P1, weight: 3}
  - {code: c, parent: P2, direction: -1}
aggregates:
  - {code: P1, level: 2, parent: I}
  - {code: P2, level: 2, parent: I}
  - {code: I, level: 3}
"""


def make_coin(values: Any, *, text: str = TWO_PILLARS, groups: list[str] | None = None) -> Coin:
    fw = parse_framework(text)
    x = np.asarray(values, dtype=float)
    units = tuple(f"U{i}" for i in range(x.shape[0]))
    g = {"g": dict(zip(units, groups or ["x"] * len(units), strict=True))}
    return new_coin(fw, Dataset(units, fw.indicators, x), Units(units, {}, g))
