"""Data sets and the coin (COINr's idea in Python): every step's data set kept and inspectable.

A ``Dataset`` is a units × codes matrix of floats (NaN = missing). A ``Coin`` holds the
framework, the units' metadata (names, groups, denominators) and every data set by name
(``Raw``, ``Denominated``, ``Imputed``, ``Screened``, ``Treated``, ``Normalised``,
``Aggregated``), plus the log of steps with their settings and each step's details (the
treatment table, the screening summary ...). Steps never change a coin: they return a new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from shumao.index.framework import Framework


@dataclass(frozen=True)
class Dataset:
    units: tuple[str, ...]
    codes: tuple[str, ...]
    values: np.ndarray
    """float64, shape (len(units), len(codes)); NaN where missing."""

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.units), len(self.codes)):
            raise ValueError(f"values {self.values.shape} ≠ {len(self.units)}×{len(self.codes)}")

    def col(self, code: str) -> np.ndarray:
        return self.values[:, self.codes.index(code)]

    def cols(self, codes: Sequence[str]) -> np.ndarray:
        idx = [self.codes.index(c) for c in codes]
        return self.values[:, idx]

    def select_units(self, keep: np.ndarray) -> Dataset:
        units = tuple(u for u, k in zip(self.units, keep, strict=True) if k)
        return Dataset(units, self.codes, self.values[keep])

    def with_columns(self, codes: Sequence[str], values: np.ndarray) -> Dataset:
        return Dataset(self.units, (*self.codes, *codes), np.column_stack([self.values, values]))

    def value(self, unit: str, code: str) -> float:
        return float(self.values[self.units.index(unit), self.codes.index(code)])

    def to_pandas(self) -> Any:
        # deferred: pandas (~0.9 s) is needed only at this boundary with a pandas-only library
        import pandas as pd

        return pd.DataFrame(
            self.values, index=pd.Index(self.units, name="uCode"), columns=list(self.codes)
        )

    def to_polars(self) -> Any:
        cols: dict[str, Any] = {"uCode": list(self.units)}
        cols.update({c: self.values[:, j] for j, c in enumerate(self.codes)})
        return pl.DataFrame(cols, nan_to_null=True)

    def summary(self) -> dict[str, float | int]:
        """Summary statistics of the whole set (saved with every sensitivity replication)."""
        v = self.values
        ok = v[~np.isnan(v)]
        if ok.size == 0:
            return {"n": 0, "missing": int(v.size)}
        return {
            "n": int(ok.size),
            "missing": int(v.size - ok.size),
            "mean": float(ok.mean()),
            "sd": float(ok.std(ddof=1)) if ok.size > 1 else 0.0,
            "min": float(ok.min()),
            "max": float(ok.max()),
        }


@dataclass(frozen=True)
class Units:
    """What is known of the units besides the indicators: names, groups, denominators."""

    codes: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    denominators: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def group_of(self, group: str, units: Sequence[str]) -> list[str | None]:
        g = self.groups[group]
        return [g.get(u) for u in units]

    def name(self, unit: str) -> str:
        return self.names.get(unit, unit)


@dataclass(frozen=True)
class Step:
    name: str
    settings: Mapping[str, Any]
    reads: str
    writes: str


@dataclass(frozen=True)
class Coin:
    framework: Framework
    units: Units
    data: Mapping[str, Dataset]
    log: tuple[Step, ...] = ()
    details: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    weights: Mapping[str, float] | None = None
    """Weights in force (framework weights unless a weighting step replaced them)."""

    def dset(self, name: str) -> Dataset:
        try:
            return self.data[name]
        except KeyError:
            raise KeyError(f"no data set {name!r} in the coin (have: {list(self.data)})") from None

    def add(
        self,
        step: Step,
        ds: Dataset | None,
        details: Mapping[str, Any] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> Coin:
        data = dict(self.data)
        if ds is not None:
            data[step.writes] = ds
        det = dict(self.details)
        if details is not None:
            det[step.writes] = details
        return replace(
            self,
            data=data,
            log=(*self.log, step),
            details=det,
            weights=weights if weights is not None else self.weights,
        )

    def effective_weights(self) -> dict[str, float]:
        return dict(self.weights) if self.weights is not None else self.framework.weights()

    @property
    def last(self) -> str:
        """The newest data set (a weighting step writes none)."""
        return next((s.writes for s in reversed(self.log) if s.writes in self.data), "Raw")


def new_coin(framework: Framework, raw: Dataset, units: Units) -> Coin:
    """A coin holding the raw data set (only the framework's indicators, in its order)."""
    ds = Dataset(raw.units, framework.indicators, raw.cols(framework.indicators).astype(float))
    return Coin(framework=framework, units=units, data={"Raw": ds})
