"""Outbound digital-economy investment (数字经济对外投资合作, seed 000 §三(七), §三(十)).

- ``codes``      key areas (§三(一)–(六)), modes, stages: versioned data files
- ``register``   the project register (对外投资备案报告): the form ``ODI_A`` filed through the
                 direct-reporting workflow; approval writes the projects (a revision each time)
- ``checks``     the register's form rules: currency and unit, dates in order, ODI certificates
- ``aggregate``  totals by host economy, dated grouping, key area, province and year, with
                 disclosure control for public outputs
- ``tracker``    host-economy digital rules as dated foreign documents of the policy library
- ``risk``       the host-economy risk scoreboard (rules as data) and a level with its reasons
- ``alerts``     a change of an economy's level raises an alert to each affected enterprise
                 and its province
- ``selfcheck``  数据出境合规自查: rule sets as dated YAML, answers stored with the project
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

import yaml

from shumao.validation import findings

DATA = Path(__file__).with_name("data")


@lru_cache(maxsize=1)
def register_findings() -> None:
    codes = yaml.safe_load(Path(__file__).with_name("findings.yaml").read_text(encoding="utf-8"))
    known = findings.catalogue()
    findings.register({c: d for c, d in codes.items() if c not in known})


def _load() -> None:
    """Register the findings, code lists, form-rule kinds and the approval of ``ODI_A`` (the
    register's rows, then the risk levels)."""

    register_findings()
    for module in ("codes", "checks", "register", "risk"):
        importlib.import_module(f"shumao.outbound.{module}")


_load()
