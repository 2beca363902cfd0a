"""Warning rules as data: the packaged file, located findings for a broken file, versions."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from shumao.auth.tables import audit_log
from shumao.errors import RulesRejected
from shumao.monitor import rules

GOOD = rules.PACKAGED.read_text(encoding="utf-8")


def test_the_packaged_rules_cover_the_five_kinds_of_the_issue() -> None:
    kinds = {r.kind for r in rules.packaged().rules}
    assert {
        "target",
        "decline",
        "consecutive",
        "concentration",
        "balance",
        "share_falling",
        "outlier",
        "cusum",
        "stl",
        "non_response",
        "source_diff",
        "revision",
        "base",
    } <= kinds
    decline = rules.packaged().get("decline-yoy")
    assert decline is not None and decline.level_of(34.03) == "orange"
    assert decline.level_of(55) == "red" and decline.level_of(19.9) is None


@pytest.mark.parametrize(
    ("change", "code", "column", "line"),
    [
        (
            lambda s: s.replace("kind: decline\n", "kind: decrease\n", 1),
            "rule-kind-unknown",
            "kind",
            "decline-yoy",
        ),
        (
            lambda s: s.replace(
                "[MOFCOM_REPORT, MOFCOM_SERVICES, WTO_DDS, ENT_DDS]",
                "[MOFCOM_REPORT, NO_SUCH_FLOW]",
                1,
            ),
            "rule-dataflow-unknown",
            "dataflows",
            "decline-yoy",
        ),
        (
            lambda s: s.replace("threshold_pct: 20}", "threshold_pct: -5}", 1),
            "rule-threshold-invalid",
            "params.threshold_pct",
            "decline-yoy",
        ),
        (
            lambda s: s.replace("code: consecutive-declines", "code: decline-yoy", 1),
            "rule-code-duplicate",
            "code",
            "consecutive-declines",
        ),
        (
            lambda s: s.replace("{level: red, min: 50}", "{level: purple, min: 50}", 1),
            "rule-level-unknown",
            "levels",
            "decline-yoy",
        ),
    ],
)
def test_a_broken_file_is_refused_with_located_findings(change, code, column, line) -> None:
    text = change(GOOD)
    expected_line = 1 + GOOD[: GOOD.index(f"  - code: {line}")].count("\n")
    with pytest.raises(RulesRejected) as err:
        rules.parse(text, file="mine.yaml")
    found = [(f.code, f.column, f.row, f.file) for f in err.value.report.findings]
    assert found == [(code, column, expected_line, "mine.yaml")]
    assert "现行规则保持不变" in str(err.value)


def test_a_yaml_error_names_its_line() -> None:
    with pytest.raises(RulesRejected) as err:
        rules.parse("version: 1\nrules:\n  - code: x\n    kind: [decline\n", file="bad.yaml")
    (f,) = err.value.report.findings
    assert f.code == "rule-yaml" and f.row == 5


def test_loading_keeps_every_version_and_a_broken_file_changes_nothing(engine: Engine) -> None:
    stricter = GOOD.replace("threshold_pct: 20}", "threshold_pct: 10}", 1)
    with engine.begin() as conn:
        assert rules.active(conn).version == 1  # the packaged file
        done = rules.load(conn, stricter, username="admin-a", role="admin", note="stricter")
    assert done.version == 2 and done.get("decline-yoy").params["threshold_pct"] == 10
    with pytest.raises(RulesRejected), engine.begin() as conn:
        rules.load(conn, stricter.replace("kind: cusum", "kind: magic"), username="admin-b")
    with engine.connect() as conn:
        now = rules.active(conn)
        assert now.version == 2 and now.get("decline-yoy").params["threshold_pct"] == 10
        assert [v["version"] for v in rules.versions(conn)] == [2]
        logged = conn.execute(
            select(audit_log.c.username, audit_log.c.target).where(
                audit_log.c.action == "monitor.rules"
            )
        ).all()
    assert logged == [("admin-a", "ruleset v2")]
