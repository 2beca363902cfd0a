"""The build: the framework's ``build`` steps, run in order on a new coin.

A build is data, e.g. (COINr's ``build_example_coin``)::

    build:
      - denominate: {}
      - impute: {method: group_mean, group: EurAsia_group}
      - screen: {unit_screen: byNA, dat_thresh: 0.9}
      - treat: {winmax: 5}
      - normalise: {method: minmax, range: [0, 100]}
      - aggregate: {method: amean}

Each step reads the previous step's data set and writes its own (its COINr name), so every
intermediate set stays in the coin. Before anything runs the data are checked against the
framework (unknown indicators and denominators, units with no data at all): findings, not
a partial index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from shumao.index import aggregate as agg_mod
from shumao.index import impute as imp_mod
from shumao.index import normalise as norm_mod
from shumao.index import treat as treat_mod
from shumao.index.data import Coin, Dataset, Units, new_coin
from shumao.index.denominate import denominate
from shumao.index.framework import Framework, FrameworkRejected
from shumao.index.screen import screen
from shumao.index.weights import weigh
from shumao.validation.findings import Report, finding

STEPS: dict[str, tuple[Callable[..., Coin], str]] = {
    "denominate": (denominate, "Denominated"),
    "impute": (imp_mod.impute, "Imputed"),
    "screen": (screen, "Screened"),
    "treat": (treat_mod.treat, "Treated"),
    "normalise": (norm_mod.normalise, "Normalised"),
    "weigh": (weigh, "Weights"),
    "aggregate": (agg_mod.aggregate, "Aggregated"),
}
DEFAULT_BUILD: tuple[Mapping[str, Any], ...] = (
    {"impute": {"method": "mean"}},
    {"screen": {"dat_thresh": 0.5}},
    {"treat": {}},
    {"normalise": {"method": "minmax", "range": [0, 100]}},
    {"aggregate": {"method": "amean"}},
)
METHOD_CHOICES = {
    "impute": imp_mod.METHODS,
    "normalise": norm_mod.METHODS,
    "aggregate": agg_mod.METHODS,
}


def steps_of(build: Sequence[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for item in build:
        ((name, params),) = item.items()
        out.append((name, dict(params or {})))
    return out


def check_build(
    fw: Framework, build: Sequence[Mapping[str, Any]], report: Report, groups: Sequence[str] = ()
) -> None:
    for item in build:
        if not isinstance(item, Mapping) or len(item) != 1:
            report.add(
                finding(
                    "index-unknown-step",
                    value=str(item)[:60],
                    detail="each step is one name with its settings",
                )
            )
            continue
        ((name, params),) = item.items()
        if name not in STEPS:
            report.add(finding("index-unknown-step", value=name, detail=", ".join(STEPS)))
            continue
        params = params or {}
        methods = params.get("method")
        for m in [methods] if isinstance(methods, str) else (methods or []):
            if name in METHOD_CHOICES and m not in METHOD_CHOICES[name]:
                report.add(
                    finding(
                        "index-unknown-step",
                        value=m,
                        detail=f"{name}: {', '.join(METHOD_CHOICES[name])}",
                    )
                )
        group = params.get("group")
        if group and group not in groups:
            report.add(finding("index-unknown-group", value=group))


def check_data(fw: Framework, raw: Dataset, units: Units, report: Report) -> None:
    for code in fw.indicators:
        if code not in raw.codes:
            report.add(finding("index-unknown-indicator", item=code))
    for n in fw.nodes:
        if n.denominator and n.denominator not in units.denominators:
            report.add(finding("index-unknown-denominator", item=n.code, value=n.denominator))
    present = [c for c in fw.indicators if c in raw.codes]
    if present:
        empty = np.isnan(raw.cols(present)).all(axis=1)
        for unit in np.asarray(raw.units, dtype=object)[empty]:
            report.add(finding("index-unit-no-data", value=f"{unit} {units.name(unit)}".strip()))


def build(
    fw: Framework, raw: Dataset, units: Units, steps: Sequence[Mapping[str, Any]] | None = None
) -> Coin:
    """Run the build; raise ``FrameworkRejected`` (nothing computed) on any error finding."""
    plan = list(steps if steps is not None else (fw.build or DEFAULT_BUILD))
    report = Report(source=fw.id)
    check_build(fw, plan, report, tuple(units.groups))
    check_data(fw, raw, units, report)
    if not report.ok:
        raise FrameworkRejected(report)
    coin = new_coin(fw, raw, units)
    for name, params in steps_of(plan):
        coin = run_step(coin, name, params)
    return coin


def run_step(coin: Coin, name: str, params: dict[str, Any]) -> Coin:
    func, _ = STEPS[name]
    params = {"dset": params.pop("dset", coin.last), **params}
    if name == "weigh":
        params.setdefault("dset", coin.last)
    try:
        return func(coin, **params)
    except agg_mod.NotPositive as exc:
        report = Report(source=coin.framework.id)
        report.add(finding("index-not-positive", item=exc.code, detail=exc.method))
        raise FrameworkRejected(report) from exc
