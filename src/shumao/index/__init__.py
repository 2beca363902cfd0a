"""The composite index (数字贸易发展指数): a COINr-grade pipeline in Python.

framework.py   the framework as data (YAML or a COINr iMeta table), checked into findings
data.py        Dataset (units × codes matrix) and the Coin holding every step's data set
denominate.py  screen.py  impute.py  treat.py  normalise.py  weights.py  aggregate.py
               the steps: each a pure function from one coin to the next
pipeline.py    the build: the framework's ``build`` steps run in order
analysis.py    indicator statistics, correlations, Cronbach's alpha, PCA per group
sensitivity.py Monte Carlo over the choices, Sobol indices (SALib), rank intervals
batch.py       the aggregation of many replications at once (the sensitivity engine)
decompose.py   why a score moved: exact contributions (arithmetic), Shapley otherwise
sources.py     the index's input data read from the store, with the vintages used
runs.py        runs stored with framework, vintages and settings; results as a dataflow
export.py      every step on its own XLSX sheet (as COINr's export)
frameworks/    the three shipped indices (provinces, economies, export bases)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from shumao.validation.findings import register_file

FINDINGS = Path(__file__).with_name("findings.yaml")
FRAMEWORKS = Path(__file__).with_name("frameworks")


@cache
def register_findings() -> None:
    register_file(FINDINGS)
