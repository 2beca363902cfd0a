"""One vocabulary of roles: ``auth.roles`` names every role once, and the workflow's
``Actor``, the web's ``Scope``, the user table and the pages all use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shumao.auth.actors import Actor
from shumao.auth.roles import PUBLIC, ROLE_TEXT, ROLES, Role, role_text
from shumao.auth.scope import Scope
from shumao.errors import NotAllowed

SRC = Path(__file__).resolve().parents[2] / "src" / "shumao"


def test_every_role_has_one_name_in_each_language() -> None:
    assert ROLES == (PUBLIC, "enterprise", "park", "city", "province", "ministry", "admin")
    assert tuple(ROLE_TEXT) == ROLES
    assert [role_text(r) for r in ROLES] == [
        "公众（未登录）",
        "企业填报员",
        "基地管理员",
        "市级商务主管部门",
        "省级商务主管部门",
        "商务部服贸司",
        "系统管理员",
    ]
    assert role_text("ministry", "en") == "ministry analyst"
    assert len({role_text(r) for r in ROLES}) == len({role_text(r, "en") for r in ROLES}) == 7


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_workflow_and_the_web_accept_the_same_roles(role: str) -> None:
    code = {
        "enterprise": "91320114MA1XXXXX0",
        "park": "DSEB05",
        "city": "320100",
        "province": "320000",
    }.get(role, "")
    if role == "enterprise":
        from shumao.validation import uscc

        code = uscc.make(code)
    scope = Scope(role, code, "u")
    assert scope.actor() == Actor.parse("u", f"{role}:{code}" if code else role)


def test_an_unknown_role_is_refused_by_both_naming_the_known_ones() -> None:
    with pytest.raises(NotAllowed, match=r"unknown role 'mofcom'.*ministry"):
        Scope("mofcom", "", "u")
    with pytest.raises(NotAllowed, match=r"unknown role 'mofcom'.*ministry"):
        Actor.parse("u", "mofcom")


def test_no_other_module_names_the_roles() -> None:
    """A role's name is looked up (``role_text``), never written again: no module but
    ``auth/roles.py`` spells a role's name as a string of its own (as ``collection.actors``'s
    ``ROLE_NAMES`` did, with 商务部 where the pages said 商务部服贸司), and no module maps a
    ``Role`` to a text."""
    names = "|".join(re.escape(role_text(r, lang)) for r in ROLES for lang in ("zh", "en"))
    spelled = re.compile(rf"""["'](?:{names})["']|Role\.[A-Z]+\s*:\s*["(]""")
    found = [
        str(p.relative_to(SRC))
        for p in [*SRC.rglob("*.py"), *SRC.rglob("*.html")]
        if p.name != "roles.py" and spelled.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []
