"""Claims read from single sentences and judged against the store."""

from __future__ import annotations

from sqlalchemy import Engine

from shumao.report.checks import load_data
from shumao.report.data import Reader
from shumao.report.factcheck import check_text
from shumao.report.template import load
from shumao.validation.findings import Report


def _check(engine: Engine, text: str) -> list[tuple[str, str, str]]:
    report = Report()
    template = load(None, report)
    assert template is not None
    data = load_data(template, Reader(engine), 2022, report)
    return [(c.claim.kind, c.claim.printed, c.status) for c in check_text(text, data, 2022)]


def test_rank_share_of_the_world_and_a_regions_members(report_engine: Engine) -> None:
    assert _check(report_engine, "2022年，中国可数字化交付服务进出口额居全球第5位。") == [
        ("rank", "5", "ok")
    ]
    assert _check(report_engine, "2022年，美国可数字化交付服务出口在全球的占比为16.1%。") == [
        ("share_world", "16.1", "ok")
    ]
    assert _check(
        report_engine, "东部地区包括北京、天津、河北、上海、江苏、浙江、福建、山东、广东和海南。"
    ) == [("members", "10", "ok")]
    assert _check(report_engine, "东部地区包括北京、天津、安徽。") == [("members", "3", "mismatch")]


def test_a_decline_is_a_negative_claim_and_a_wrong_sign_fails(report_engine: Engine) -> None:
    assert _check(
        report_engine, "2022年，中国可数字化交付服务进口1621.7亿美元，同比下降1.6%。"
    ) == [("level", "1621.7", "ok"), ("growth", "1.6", "ok")]
    assert _check(report_engine, "2022年，中国可数字化交付服务进口同比增长1.6%。") == [
        ("growth", "1.6", "mismatch")
    ]
