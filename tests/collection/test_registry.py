"""The enterprise database: roster import, check characters, versioned changes, scopes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from filing_factories import ADMIN, CITY, OTHER_PARK, PARK, PROVINCE, USCC, make_uscc
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import registry, roster
from shumao.collection.registry import EnterpriseRecord
from shumao.collection.tables import enterprise
from shumao.errors import ConflictError, ImportRejected, NotAllowed, NotVisible

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所属基地",
    "所在区县",
    "行业代码",
    "高新技术企业",
    "专精特新",
    "服务外包报送",
    "服贸直报",
]
A, B = make_uscc(11), make_uscc(12)


def roster_file(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ROWS = [
    [USCC, "南京数贸示例软件有限公司", "南京软件谷", "雨花台区", "I6510", "是", "否", "否", "是"],
    [A, "南京甲科技有限公司", "DSEB05", "320114", "I65", "否", "是", "是", "是"],
    [B, "南京乙信息服务有限公司", "", "江宁区", "L7212", "", "", "", "否"],
]


def test_roster_import_creates_every_enterprise(engine: Engine, tmp_path: Path) -> None:
    path = roster_file(tmp_path / "名录.xlsx", ROWS)
    with engine.begin() as conn:
        result = roster.import_roster(conn, actor=ADMIN, path=path)
        first = registry.get_enterprise(conn, actor=ADMIN, uscc=USCC)
        b = registry.get_enterprise(conn, actor=ADMIN, uscc=B)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert (first.park_code, first.county_code, first.city_code, first.province_code) == (
        "DSEB05",
        "320114",
        "320100",
        "320000",
    )
    assert first.high_tech and first.trade_reporter and not first.specialized
    assert (b.park_code, b.county_code, b.industry_code, b.trade_reporter) == (
        None,
        "320115",
        "L7212",
        False,
    )


def test_a_wrong_check_character_rejects_the_roster_and_says_so(
    engine: Engine, tmp_path: Path
) -> None:
    wrong = A[:-1] + ("0" if A[-1] != "0" else "1")
    rows = [ROWS[0], [wrong, *ROWS[1][1:]], ROWS[2]]
    path = roster_file(tmp_path / "名录.xlsx", rows)
    with engine.begin() as conn, pytest.raises(ImportRejected) as err:
        roster.import_roster(conn, actor=ADMIN, path=path)
    found = err.value.report.errors
    assert [(f.code, f.cell, f.value) for f in found] == [("uscc-invalid", "A3", wrong)]
    assert f"校验位错误：应为 {A[-1]}，实际为 {wrong[-1]}" in found[0].message_zh
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(enterprise)).scalar_one() == 0


def test_a_county_name_of_two_districts_is_refused_naming_both(
    engine: Engine, tmp_path: Path
) -> None:
    """朝阳区 is in 北京 and in 长春: the roster names both; with the city in brackets it loads."""
    rows = [[USCC, "朝阳示例有限公司", "", "朝阳区", "I65", "", "", "", "是"]]
    with engine.begin() as conn, pytest.raises(ImportRejected) as err:
        roster.import_roster(conn, actor=ADMIN, path=roster_file(tmp_path / "a.xlsx", rows))
    [found] = err.value.report.errors
    assert (found.code, found.cell, found.value) == ("name-ambiguous", "D2", "朝阳区")
    assert "110105 北京市朝阳区；220104 吉林省长春市朝阳区" in found.message_zh
    assert "110105 Chaoyang District, Beijing; 220104 Chaoyang District, Changchun" in (
        found.message_en
    )
    assert "“朝阳区（北京）”" in found.fix_zh
    rows[0][3] = "朝阳区（长春）"
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=roster_file(tmp_path / "b.xlsx", rows))
        assert registry.get_enterprise(conn, actor=ADMIN, uscc=USCC).county_code == "220104"


def test_roster_findings_name_the_cell(engine: Engine, tmp_path: Path) -> None:
    rows = [[USCC, "", "不存在的园区", "320114", "65XX", "也许", "否", "否", "是"]]
    path = roster_file(tmp_path / "bad.xlsx", rows)
    with engine.begin() as conn, pytest.raises(ImportRejected) as err:
        roster.import_roster(conn, actor=ADMIN, path=path)
    got = {(f.code, f.cell) for f in err.value.report.errors}
    assert got == {
        ("value-missing", "B2"),
        ("code-unknown", "C2"),
        ("industry-invalid", "E2"),
        ("flag-invalid", "F2"),
    }


def test_changes_are_versioned_with_who_when_and_what(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=roster_file(tmp_path / "v1.xlsx", ROWS))
    moved = [
        ROWS[0],
        [A, "南京甲科技有限公司", "DSEB05", "320114", "I65", "是", "是", "是", "是"],
        ROWS[2],
    ]
    with engine.begin() as conn:
        result = roster.import_roster(
            conn, actor=CITY, path=roster_file(tmp_path / "v2.xlsx", moved)
        )
        log = registry.changes(conn, actor=ADMIN, uscc=A)
        now = registry.get_enterprise(conn, actor=ADMIN, uscc=A)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert now.version == 2 and now.high_tech
    assert [c.action for c in log] == ["create", "update"]
    assert log[1].changes == {"high_tech": [False, True]}
    assert log[1].changed_by == "zhao.city (city:320100)" and log[1].source == "roster v2.xlsx"
    assert log[1].changed_at >= log[0].changed_at


def test_a_park_maintains_only_its_own_enterprises(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn, pytest.raises(NotAllowed):
        roster.import_roster(
            conn, actor=OTHER_PARK, path=roster_file(tmp_path / "r.xlsx", ROWS[:1])
        )


def test_two_editors_of_one_enterprise_cannot_both_win(engine: Engine) -> None:
    with engine.begin() as conn:
        ent, _ = registry.save_enterprise(conn, actor=ADMIN, record=EnterpriseRecord(USCC, "甲"))
    with engine.begin() as conn:
        registry.save_enterprise(
            conn,
            actor=ADMIN,
            record=EnterpriseRecord(USCC, "甲（改名）"),
            expected_version=ent.version,
        )
    with engine.begin() as conn, pytest.raises(ConflictError, match="changed by someone else"):
        registry.save_enterprise(
            conn, actor=ADMIN, record=EnterpriseRecord(USCC, "甲二"), expected_version=ent.version
        )


def test_each_actor_lists_only_its_scope(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=roster_file(tmp_path / "r.xlsx", ROWS))
        registry.save_enterprise(
            conn,
            actor=ADMIN,
            record=EnterpriseRecord(
                make_uscc(99), "杭州企业", park_code="DSEB06", county_code="330108"
            ),
        )

    def seen(actor: Actor) -> set[str]:
        with engine.connect() as conn:
            return {e.uscc for e in registry.list_enterprises(conn, actor=actor)}

    assert seen(PARK) == {USCC, A}
    assert seen(CITY) == {USCC, A, B}
    assert seen(PROVINCE) == {USCC, A, B}
    assert seen(Actor("zj", Role.PROVINCE, "330000")) == {make_uscc(99)}
    assert seen(Actor("li", Role.ENTERPRISE, A)) == {A}
    assert len(seen(Actor("mofcom", Role.MINISTRY))) == 4
    with engine.connect() as conn, pytest.raises(NotVisible) as outside:
        registry.get_enterprise(conn, actor=OTHER_PARK, uscc=USCC)
    with engine.connect() as conn, pytest.raises(NotVisible) as unknown:
        registry.get_enterprise(conn, actor=OTHER_PARK, uscc=make_uscc(98))
    assert str(outside.value) == str(unknown.value) and USCC not in str(outside.value)


def test_names_of_one_code_and_of_several(engine: Engine, tmp_path: Path) -> None:
    """One code (the explorer's view of one enterprise: ``=``, no IN list) and several give the
    registered names; codes that are not enterprises' (a province, an unknown credit code)
    are left out."""
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=roster_file(tmp_path / "名录.xlsx", ROWS))
        one = registry.names(conn, [A])
        several = registry.names(conn, [A, B, "320000", make_uscc(99)])
        unknown = registry.names(conn, [make_uscc(99)])
    assert one == {A: "南京甲科技有限公司"}
    assert several == {A: "南京甲科技有限公司", B: "南京乙信息服务有限公司"}
    assert unknown == {}
