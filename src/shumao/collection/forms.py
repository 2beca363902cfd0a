"""Filing forms as data: the YAML files in ``collection/forms/`` and the periods they cover.

A form says its period type, its fields (codes, amounts, counts, text), which are required,
their units and ranges, how a filed cell becomes an observation (dataflow, flow or indicator)
and which form-level rules apply (codes from ``collection/checks/rules.yaml``). Adding or
changing a form is editing a YAML file; templates, parsing, checks and approval all follow it.

Two layouts exist: ``table`` (one line per item × partner, plus a totals line) and ``fields``
(one value per field, written down a column in the template; one row per enterprise in CSV).
"""

from __future__ import annotations

import calendar
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from shumao.collection.checks.rulebook import rule_definition
from shumao.collection.registry import REPORTER_FLAGS
from shumao.errors import UnknownCode

Kind = Literal["code", "money", "integer", "number", "text"]
NUMERIC_KINDS = ("money", "integer", "number")
FREQ_NAMES = {"A": ("年度", "annual"), "Q": ("季度", "quarterly"), "M": ("月度", "monthly")}


@dataclass(frozen=True)
class Field:
    id: str
    label_zh: str
    label_en: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    codelist: str = ""
    allowed: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    dimension: str = ""
    """For code fields: the observation dimension the code fills."""
    required: bool = False
    unit: str = ""
    flow: str = ""
    indicator: str = ""
    store: bool = True
    """False for derived cells (a total) that checks use but approval does not store."""
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    width: int = 14

    @property
    def label(self) -> str:
        return f"{self.label_zh}（{self.unit}）" if self.unit else self.label_zh

    @property
    def names(self) -> tuple[str, ...]:
        """Everything a header may call this field (matched after normalisation)."""
        return (self.label_zh, self.label_en, self.id, *self.aliases)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def fixed_dims(self) -> dict[str, str]:
        """Dimensions a value of this field carries whatever its line (flow, indicator)."""
        return {k: v for k, v in (("flow", self.flow), ("indicator", self.indicator)) if v}


@dataclass(frozen=True)
class Totals:
    field: str
    labels: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class RuleSpec:
    code: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    id: str
    code: str
    version: int
    title_zh: str
    title_en: str
    frequency: str
    dataflow: str
    reporters: str
    deadline_days: int
    layout: Literal["table", "fields"]
    sheet: str
    fields: tuple[Field, ...]
    rules: tuple[RuleSpec, ...] = ()
    totals: Totals | None = None
    input_rows: int = 0
    limits: tuple[tuple[str, int], ...] = ()
    """Lower upload limits than the settings' (``collection.limits``): rows, cells, …"""
    instructions_zh: tuple[str, ...] = ()
    instructions_en: tuple[str, ...] = ()
    line_key: tuple[str, ...] = ()
    """Fields that identify a line when the dimensions do not (a register: one line per
    project, several projects per economy); duplicates are checked on them."""

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise UnknownCode(f"{self.id} fields", field_id)

    @property
    def code_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "code"]

    @property
    def numeric_fields(self) -> list[Field]:
        return [f for f in self.fields if f.numeric]

    @property
    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "text"]

    @property
    def dims(self) -> list[str]:
        """Line dimensions (``product``, ``counterpart_area``) in field order."""
        return [f.dimension for f in self.code_fields if f.dimension]

    @property
    def keys(self) -> list[str]:
        """What makes a line unique within an enterprise's period."""
        return list(self.line_key) or [f.id for f in self.code_fields if f.dimension]

    @property
    def stores_observations(self) -> bool:
        """False for a form whose approval writes its own records (``workflow.review.on_approve``)."""
        return bool(self.dataflow)

    def rules_of(self, kind: str) -> list[RuleSpec]:
        return [r for r in self.rules if r.kind == kind]

    def due_date(self, period: str) -> date:
        """Default deadline: ``deadline_days`` after the period ends."""
        return period_end(period) + timedelta(days=self.deadline_days)

    @property
    def title(self) -> str:
        return f"{self.code} {self.title_zh} / {self.title_en}"


# --- loading -------------------------------------------------------------------------------


def _field(raw: dict[str, Any]) -> Field:
    tuples = ("aliases", "allowed", "exclude")
    data: dict[str, Any] = {
        k: tuple(str(x) for x in v) if k in tuples else v for k, v in raw.items()
    }
    return Field(**data)


def _rule(raw: dict[str, Any]) -> RuleSpec:
    params = dict(raw)
    code = params.pop("rule")
    definition = rule_definition(code)
    merged = {**definition.get("defaults", {}), **params}
    return RuleSpec(code=code, kind=definition["kind"], params=merged)


def _form(raw: dict[str, Any]) -> Form:
    totals = raw.pop("totals", None)
    return Form(
        fields=tuple(_field(f) for f in raw.pop("fields")),
        rules=tuple(_rule(r) for r in raw.pop("rules", [])),
        totals=Totals(totals["field"], tuple(totals["labels"]), totals.get("required", True))
        if totals
        else None,
        instructions_zh=tuple(raw.pop("instructions_zh", ())),
        instructions_en=tuple(raw.pop("instructions_en", ())),
        limits=tuple((str(k), int(v)) for k, v in (raw.pop("limits", None) or {}).items()),
        line_key=tuple(raw.pop("line_key", ())),
        **raw,
    )


FORM_PACKAGES = ("shumao.collection", "shumao.outbound")
"""Packages with a ``forms/`` folder; importing one registers its rule kinds and code lists."""


@lru_cache(maxsize=1)
def _forms() -> dict[str, Form]:
    out: dict[str, Form] = {}
    for package in FORM_PACKAGES:
        importlib.import_module(package)
        folder = files(package).joinpath("forms")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                form = _form(yaml.safe_load(entry.read_text(encoding="utf-8")))
                _check(form)
                out[form.id] = form
    return out


def _check(form: Form) -> None:
    ids = [f.id for f in form.fields]
    if len(set(ids)) != len(ids):
        raise ValueError(f"form {form.id}: duplicate field ids")
    if form.frequency not in FREQ_NAMES or form.layout not in ("table", "fields"):
        raise ValueError(f"form {form.id}: bad frequency or layout")
    if form.layout == "table" and not form.code_fields:
        raise ValueError(f"form {form.id}: a table form needs code fields")

    # a misspelt flag would make no one a reporter; "" is a form filed when there is something
    # to report (对外投资备案: a project), which no enterprise owes by period
    if form.reporters and form.reporters not in REPORTER_FLAGS:
        raise ValueError(f"form {form.id}: reporters must be one of {', '.join(REPORTER_FLAGS)}")


def all_forms() -> list[Form]:
    return list(_forms().values())


def get_form(form_id: str) -> Form:
    try:
        return _forms()[form_id.strip().upper()]
    except KeyError:
        raise UnknownCode("报表 forms", form_id) from None


# --- periods ---------------------------------------------------------------------------------

_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_QUARTER = re.compile(
    r"^(\d{4})\s*(?:年)?\s*[-_/ ]?\s*(?:第)?\s*(?:Q([1-4])|([1-4])\s*(?:季度|季|Q))$", re.I
)
_MONTH = re.compile(r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})\s*(?:年度?|年)?$")


def normalise_period(text: str | None, frequency: str) -> str | None:
    """ "2024Q3", "2024年第三季度", "2024-q3" → "2024-Q3"; "2024年" → "2024"; None if unreadable."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    for cn, digit in _CN_DIGITS.items():
        s = s.replace(f"第{cn}季", f"第{digit}季").replace(f"{cn}季", f"{digit}季")
    if frequency == "Q" and (m := _QUARTER.match(s)):
        return f"{m[1]}-Q{m[2] or m[3]}"
    if frequency == "M" and (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}"
    if frequency == "A" and (m := _YEAR.match(s)):
        return m[1]
    return None


def frequency_of(period: str) -> str:
    return "Q" if "-Q" in period else "M" if "-" in period else "A"


def period_end(period: str) -> date:
    year = int(period[:4])
    freq = frequency_of(period)
    if freq == "A":
        return date(year, 12, 31)
    month = int(period[-1]) * 3 if freq == "Q" else int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: date, frequency: str) -> str:
    """The period of ``frequency`` that contains ``day``: 2025-05-20 → "2025-Q2", "2025-05", "2025"."""
    if frequency == "Q":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == "M":
        return f"{day.year}-{day.month:02d}"
    return str(day.year)


def shift(period: str, steps: int) -> str:
    """The period ``steps`` periods later (negative: earlier), same frequency."""
    year = int(period[:4])
    freq = frequency_of(period)
    if freq == "A":
        return str(year + steps)
    per_year = 4 if freq == "Q" else 12
    index = year * per_year + (int(period[-1]) if freq == "Q" else int(period[5:7])) - 1 + steps
    y, i = divmod(index, per_year)
    return f"{y}-Q{i + 1}" if freq == "Q" else f"{y}-{i + 1:02d}"


def previous_periods(period: str, n: int) -> list[str]:
    """The ``n`` periods before ``period``, oldest first."""
    return [shift(period, -k) for k in range(n, 0, -1)]


def periods_of_year(year: int, frequency: str) -> list[str]:
    if frequency == "Q":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if frequency == "M":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [str(year)]
