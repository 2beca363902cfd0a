"""``shumao report check``: the 2022 report as delivered (seeds 003 and 004) against the store."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from report.conftest import REPORT_TEXT, REPORT_TRADITIONAL
from shumao.report.check import check_file
from shumao.report.factcheck import Checked


def _find(claims: list[Checked], text: str, printed: str) -> Checked:
    return next(c for c in claims if text in c.claim.sentence and c.claim.printed == printed)


@pytest.mark.parametrize("path", [REPORT_TEXT, REPORT_TRADITIONAL], ids=["003", "004"])
def test_the_2022_report_checked_claim_by_claim(report_engine: Engine, path) -> None:  # type: ignore[no-untyped-def]
    claims = check_file(report_engine, path, year=2022).claims
    ok = _find(claims, "中国可数字化交付的服务进出口额", "3727.1")
    assert ok.status == "ok" and ok.claim.kind == "level" and ok.claim.flow == "T"
    share = _find(claims, "东部地区可数字化交付服务进出口规模", "91.1")
    assert share.status == "ok" and share.claim.kind == "share"
    assert "东部地区·进出口·2022年 ÷ 中国·进出口·2022年 × 100" in share.explain()
    dalian = _find(claims, "大连高新技术产业园区由", "26.05")
    assert dalian.status == "mismatch" and dalian.claim.kind == "growth_total"
    assert "40.51" in dalian.explain() and "MOFCOM_REPORT" in dalian.explain()
    qilu = _find(claims, "齐鲁软件园由", "16.03")
    assert qilu.status == "mismatch" and "16.04" in qilu.explain()
    world = _find(claims, "全球可数字化交付服务出口额为", "3.4")
    assert world.status == "mismatch" and "UNCTAD_DDS" in world.explain()
    change = _find(claims, "实现顺差", "175.4")
    assert change.status == "ok" and "175.03～175.42" in change.explain()
    top = next(c for c in claims if c.claim.kind == "top" and c.claim.subject == "EAST")
    assert top.status == "ok" and top.claim.names == (
        "310000",
        "440000",
        "110000",
        "320000",
        "330000",
    )
    hunan = next(c for c in claims if c.claim.kind == "top" and "430000" in c.claim.names)
    assert hunan.status == "unsupported" and "湖南" in hunan.reason
    ecommerce = _find(claims, "跨境电商进出口额达", "2.11")
    assert ecommerce.status == "unsupported" and "跨境电商" in ecommerce.reason
    assert sum(c.status == "mismatch" for c in claims) == 4
    assert sum(c.status == "ok" for c in claims) >= 50
    assert len({c.id for c in claims}) == len(claims)
