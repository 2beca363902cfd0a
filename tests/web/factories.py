"""Factories for the web tests: enterprises, users, observations, and ``make_world`` — two
provinces with distinct sentinel values in every scope, so that any response can be searched
for numbers it must not contain.

    Jiangsu 320000 ⊃ Nanjing 320100 ⊃ 中国（南京）软件谷 DSEB05 ⊃ enterprise A
                   ⊃ Suzhou 320500 (county 320505)  ⊃ enterprise A2 (not in the park)
    Zhejiang 330000 ⊃ Hangzhou 330100 ⊃ 滨江物联网产业园 DSEB06 ⊃ enterprise B
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine

from shumao.auth import users
from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.release import releases
from shumao.storage import vintages
from shumao.validation import uscc

PASSWORD = "test-password-1"
USCC_A = uscc.make("91320114MA1TXT001")
USCC_A2 = uscc.make("91320505MA1TXT002")
USCC_B = uscc.make("91330108MA2TXT003")


def make_enterprise(engine: Engine, **overrides: Any) -> registry.Enterprise:
    record = {
        "uscc": USCC_A,
        "name": "测试企业甲",
        "park_code": "DSEB05",
        "trade_reporter": True,
        **overrides,
    }
    with engine.begin() as conn:
        made, _ = registry.save_enterprise(
            conn, actor=Actor("factory", Role.ADMIN), record=registry.EnterpriseRecord(**record)
        )
    return made


def make_user(
    engine: Engine, username: str, role: str, scope: str = "", password: str = PASSWORD
) -> users.User:
    with engine.begin() as conn:
        return users.create_user(conn, username=username, password=password, role=role, scope=scope)


def obs(**overrides: Any) -> dict[str, Any]:
    row = {
        "ref_area": "CHN",
        "counterpart_area": "WLD",
        "product": "DD",
        "flow": "X",
        "indicator": "_Z",
        "freq": "A",
        "time_period": "2022",
        "value": 1.0,
        "unit": "USD",
        "unit_mult": 8,
        "obs_status": "A",
        "conf_status": "F",
        "attrs": None,
    }
    row.update(overrides)
    return row


def write(engine: Engine, dataflow: str, rows: list[dict[str, Any]], label: str = "test") -> int:
    with engine.begin() as conn:
        return vintages.write_vintage(
            conn, dataflow_id=dataflow, frame=pl.DataFrame(rows), label=label
        )


def release(engine: Engine, dataflow: str, vintage_id: int) -> None:
    with engine.begin() as conn:
        releases.release(
            conn,
            scope=Scope("admin", username="factory"),
            dataflow_id=dataflow,
            vintage_id=vintage_id,
        )


@dataclass(frozen=True)
class Sentinel:
    """A value only ``viewers`` may ever see, with the ways a page may print it."""

    name: str
    forms: tuple[str, ...]
    viewers: frozenset[str]


@dataclass
class World:
    users: dict[str, str] = field(default_factory=dict)
    """role → user name of the user inside (Jiangsu side); ``<role>_out`` the Zhejiang one."""
    sentinels: list[Sentinel] = field(default_factory=list)
    vintages: dict[str, int] = field(default_factory=dict)


ALL_SEE = frozenset({"ministry", "admin"})
MONEY = {"A": 98765432.1, "A2": 87654321.9, "B": 76543219.8}
"""Sentinel exports (万美元) of the three enterprises in 2024-Q1."""
REPORT = {"320000": 5432.71, "330000": 6543.82, "DSEB05": 4321.93, "DSEB06": 3219.84}
"""Sentinel values (亿美元) of an unreleased 2023 vintage of MOFCOM_REPORT."""
PUBLIC_REPORT = {"320000": 300.11, "330000": 400.22, "DSEB05": 30.33, "DSEB06": 40.44}
"""Released 2022 values, anyone may see them."""


def _forms_wan(value: float) -> tuple[str, ...]:
    """How a 万美元 value may appear: as stored, with separators, and in 亿美元."""
    yi = value / 10_000
    return (repr(value), f"{value:,.2f}", f"{yi:,.2f}", f"{yi:.2f}", repr(yi))


def _forms_yi(value: float) -> tuple[str, ...]:
    return (repr(value), f"{value:,.2f}")


def make_world(engine: Engine) -> World:
    world = World()
    make_enterprise(engine, uscc=USCC_A, name="测试企业甲", park_code="DSEB05")
    make_enterprise(engine, uscc=USCC_A2, name="测试企业乙", park_code=None, county_code="320505")
    make_enterprise(engine, uscc=USCC_B, name="测试企业丙", park_code="DSEB06")
    _make_users(engine, world)
    _official(engine, world)
    _direct_reporting(engine, world)
    return world


def _make_users(engine: Engine, world: World) -> None:
    spec = {
        "enterprise": (USCC_A, USCC_B),
        "park": ("DSEB05", "DSEB06"),
        "city": ("320100", "330100"),
        "province": ("320000", "330000"),
        "ministry": ("", None),
        "admin": ("", None),
    }
    for role, (inside, outside) in spec.items():
        make_user(engine, f"{role}-in", role, inside)
        world.users[role] = f"{role}-in"
        if outside is not None:
            make_user(engine, f"{role}-out", role, outside)
            world.users[f"{role}_out"] = f"{role}-out"


def _official(engine: Engine, world: World) -> None:
    both = [
        obs(ref_area="CHN", flow=f, time_period=y, value=v)
        for (f, y), v in {
            ("X", "2022"): 2105.37,
            ("M", "2022"): 1621.70,
            ("X", "2023"): 2200.50,
            ("M", "2023"): 1700.25,
        }.items()
    ]
    world.vintages["UNCTAD_DDS"] = write(engine, "UNCTAD_DDS", both)
    release(engine, "UNCTAD_DDS", world.vintages["UNCTAD_DDS"])
    public = [
        obs(ref_area=a, flow="T", indicator="VALUE", value=v) for a, v in PUBLIC_REPORT.items()
    ]
    world.vintages["MOFCOM_REPORT_public"] = write(engine, "MOFCOM_REPORT", public)
    release(engine, "MOFCOM_REPORT", world.vintages["MOFCOM_REPORT_public"])
    secret = [
        obs(ref_area=a, flow="T", indicator="VALUE", time_period="2023", value=v)
        for a, v in REPORT.items()
    ]
    world.vintages["MOFCOM_REPORT_new"] = write(engine, "MOFCOM_REPORT", secret)
    viewers = {
        "320000": {"province"},
        "330000": set(),
        "DSEB05": {"park", "city", "province"},
        "DSEB06": set(),
    }
    for area, value in REPORT.items():
        world.sentinels.append(
            Sentinel(f"report {area}", _forms_yi(value), ALL_SEE | viewers[area])
        )


def _direct_reporting(engine: Engine, world: World) -> None:
    codes = {"A": USCC_A, "A2": USCC_A2, "B": USCC_B}
    rows = [
        obs(
            ref_area=codes[k],
            counterpart_area="USA",
            product="SI2",
            freq="Q",
            time_period="2024-Q1",
            value=v,
            unit_mult=4,
        )
        for k, v in MONEY.items()
    ]
    world.vintages["ENT_DDS"] = write(engine, "ENT_DDS", rows)
    release(engine, "ENT_DDS", world.vintages["ENT_DDS"])  # released, yet only as protected sums
    viewers = {"A": {"enterprise", "park", "city", "province"}, "A2": {"province"}, "B": set()}
    for key, value in MONEY.items():
        world.sentinels.append(
            Sentinel(f"enterprise {key}", _forms_wan(value), ALL_SEE | viewers[key])
        )


ENTERPRISES = {
    "A": (USCC_A, "测试企业甲"),
    "A2": (USCC_A2, "测试企业乙"),
    "B": (USCC_B, "测试企业丙"),
}
"""Who filed: each enterprise's credit code and name."""
SEES_ENTERPRISE = {
    "A": ALL_SEE | {"enterprise", "park", "city", "province"},
    "A2": ALL_SEE | {"province"},
    "B": ALL_SEE,
}
"""The roles (Jiangsu users) whose scope holds each enterprise."""


def identity_leaks(text: str, role: str, asked: str = "") -> list[str]:
    """Credit codes and names in ``text`` of enterprises outside ``role``'s scope (a code the
    request itself sent, ``asked``, may come back: it tells the caller nothing new)."""
    return [
        f"enterprise {key} ({form})"
        for key, (code, name) in ENTERPRISES.items()
        if role not in SEES_ENTERPRISE[key]
        for form in (code, name)
        if form in text and form not in asked
    ]


def leaks(text: str, role: str, world: World) -> list[str]:
    """The sentinels that ``text`` shows although ``role`` may not see them."""
    return [
        f"{s.name} ({form})"
        for s in world.sentinels
        if role not in s.viewers
        for form in s.forms
        if form in text
    ]
