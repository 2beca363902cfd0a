"""Country groupings (RCEP, BRICS, EU, …) with effective-dated membership."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference import countries
from shumao.reference._data import norm, opt_date, rows, split

CODELIST = "country groupings"


@dataclass(frozen=True)
class Group:
    code: str
    name_zh: str
    name_en: str
    source: str


@dataclass(frozen=True)
class Membership:
    group: str
    iso3: str
    status: str  # "member" counts; "signatory" and "invited" are recorded only
    valid_from: date | None
    valid_to: date | None
    note: str

    def active(self, on: date) -> bool:
        started = self.valid_from is None or self.valid_from <= on
        ended = self.valid_to is not None and on > self.valid_to
        return self.status == "member" and started and not ended


@lru_cache(maxsize=1)
def _groups() -> dict[str, Group]:
    return {
        r["code"]: Group(r["code"], r["name_zh"], r["name_en"], r["source"])
        for r in rows("groups.csv")
    }


@lru_cache(maxsize=1)
def _group_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for r in rows("groups.csv"):
        for name in (r["code"], r["name_zh"], r["name_en"], *split(r["aliases"])):
            index[norm(name)] = r["code"]
    return index


@lru_cache(maxsize=1)
def _memberships() -> tuple[Membership, ...]:
    return tuple(
        Membership(
            r["group"],
            r["iso3"],
            r["status"],
            opt_date(r["valid_from"]),
            opt_date(r["valid_to"]),
            r["note"],
        )
        for r in rows("groupings.csv")
    )


def groups() -> list[Group]:
    return list(_groups().values())


def lookup_group(value: str) -> Group:
    """A group by code, Chinese or English name or alias (``金砖``, ``g-20``), any case."""
    code = _group_index().get(norm(value))
    if code is None:
        raise UnknownCode(CODELIST, value)
    return _groups()[code]


def as_of_date(value: date | int | str) -> date:
    """The last day of a period: 2023 / "2023" → 2023-12-31, "2024-Q1" → 2024-03-31,
    "2024-03" → 2024-03-31; a date (or "2024-03-15") as is."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        return date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
        return _month_end(int(m[1]), 3 * int(m[2]))
    if m := re.fullmatch(r"(\d{4})-M?(\d{1,2})", text):
        return _month_end(int(m[1]), int(m[2]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UnknownCode("periods", value) from None


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise UnknownCode("periods", f"{year}-{month}")
    return date(year, month, calendar.monthrange(year, month)[1])


def membership(group: str) -> list[Membership]:
    """Every membership row of a group, including signatories and ended memberships."""
    code = lookup_group(group).code
    return [m for m in _memberships() if m.group == code]


def members(group: str, as_of: date | int | str) -> frozenset[str]:
    """ISO3 codes (EUU, AFU for the EU and AU) of the members at the end of ``as_of``."""
    on = as_of_date(as_of)
    return frozenset(m.iso3 for m in membership(group) if m.active(on))


def groups_of(iso3: str, as_of: date | int | str) -> list[str]:
    """Codes of the groups a country belongs to at the end of ``as_of``."""
    code = countries.lookup(iso3).iso3
    on = as_of_date(as_of)
    active = {m.group for m in _memberships() if m.iso3 == code and m.active(on)}
    return [g.code for g in groups() if g.code in active]
