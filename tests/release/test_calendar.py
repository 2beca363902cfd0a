"""The release calendar with real data (customs' cross-border e-commerce releases): a release
scheduled for a minute is under embargo until then, released by the worker at the minute with
its notes, postponed and corrected with reasons, all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log
from shumao.errors import Embargoed, InvalidParameter, OutsidePolicy
from shumao.release import calendar, corrections, embargo, history, notes, public, releases, worker

ADMIN = Scope("admin", username="tester")
T0 = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
PRELIMINARY = "2025-03-11_cbec_2024_preliminary.csv"
FINAL = "2025-11-25_cbec_2024.csv"


def _release_until(engine: Engine, vintages: dict[str, int], last: str) -> None:
    """Release the customs files in their order, up to and including ``last``."""
    with engine.begin() as conn:
        for name, vid in vintages.items():
            releases.release(
                conn,
                scope=ADMIN,
                dataflow_id="CUSTOMS_CBEC",
                vintage_id=vid,
                revision_reason="按海关公布顺序发布 / in customs' order",
            )
            if name == last:
                return


def _schedule(engine: Engine, vid: int, at: datetime = T0, **kw: object) -> calendar.Entry:
    with engine.begin() as conn:
        return calendar.schedule(
            conn,
            scope=ADMIN,
            kind="dataflow",
            subject="CUSTOMS_CBEC",
            reference_period="2024",
            at=at,
            vintage_id=vid,
            now=at - timedelta(hours=1),
            **kw,
        )  # type: ignore[arg-type]


def _cbec_2024(engine: Engine) -> float | None:
    with engine.connect() as conn:
        frame = public.public_view(
            conn,
            "CUSTOMS_CBEC",
            where={"ref_area": ["CHN"], "product": ["CBEC"], "flow": ["T"]},
            start="2024",
            end="2024",
        )
    rows = frame.filter(frame["unit"] == "CNY")["value"].to_list()
    return rows[0] if rows else None


def test_embargoed_until_the_minute_then_released_with_notes(
    engine: Engine, cbec_vintages: dict[str, int], tmp_path: Path
) -> None:
    _release_until(engine, cbec_vintages, PRELIMINARY)
    before = _cbec_2024(engine)
    entry = _schedule(engine, cbec_vintages[FINAL])
    second_early = worker.tick(engine, open_data=tmp_path, now=T0 - timedelta(seconds=1))
    assert second_early.released == []
    assert _cbec_2024(engine) == before  # the public still reads the preliminary figure
    done = worker.tick(engine, open_data=tmp_path, now=T0)
    assert done.released == [entry.id]
    after = _cbec_2024(engine)
    assert before is not None and after is not None and after != before
    with engine.connect() as conn:
        entry = calendar.get(conn, entry.id)
        made = history.list_releases(conn, "CUSTOMS_CBEC")[0]
        found = notes.get(conn, made.id)
    assert entry.status == "released" and entry.release_id == made.id
    assert made.released_at == T0 and made.vintage_id == cbec_vintages[FINAL]
    assert found is not None and found["generated"]["revisions"] > 0
    largest = found["generated"]["largest"][0]
    assert largest["period"] == "2024" and "中国" in largest["series_zh"]
    # Zhejiang's first figure (2025-06-27) is new data in the period, not a revision of it
    assert not [r for r in found["generated"]["largest"] if "浙江" in r["series_zh"]]
    assert "修订已发布数据" in found["text_zh"] and "revised" in found["text_en"]
    assert made.id in done.snapshots


def test_an_embargoed_vintage_is_not_released_by_hand(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    _release_until(engine, cbec_vintages, PRELIMINARY)
    entry = _schedule(engine, cbec_vintages[FINAL], at=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(Embargoed, match=f"#{entry.id}"), engine.begin() as conn:
        releases.release(conn, scope=ADMIN, dataflow_id="CUSTOMS_CBEC")


def test_the_embargo_list_sees_it_and_nobody_else(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    from web.factories import make_user

    make_user(engine, "journalist", "city", "320100")
    make_user(engine, "other", "city", "320100")
    _release_until(engine, cbec_vintages, PRELIMINARY)
    entry = _schedule(engine, cbec_vintages[FINAL], embargo=["journalist"])
    assert embargo.may_see(Scope("city", "320100", "journalist"), entry)
    assert embargo.may_see(Scope("ministry", username="m"), entry)
    assert not embargo.may_see(Scope("city", "320100", "other"), entry)
    assert not embargo.may_see(Scope("public"), entry)
    with engine.begin() as conn:
        frame = embargo.preview(
            conn, scope=Scope("city", "320100", "journalist"), entry_id=entry.id
        )
        assert frame.height > 0
        looked = (
            conn.execute(
                select(audit_log.c.username).where(audit_log.c.action == "release.embargo")
            )
            .scalars()
            .all()
        )
    assert looked == ["journalist"]


def test_postponed_with_a_reason_and_audited(
    engine: Engine, cbec_vintages: dict[str, int], tmp_path: Path
) -> None:
    _release_until(engine, cbec_vintages, PRELIMINARY)
    entry = _schedule(engine, cbec_vintages[FINAL])
    with engine.begin() as conn:
        with pytest.raises(InvalidParameter, match="原因"):
            calendar.postpone(
                conn,
                scope=ADMIN,
                entry_id=entry.id,
                to=T0 + timedelta(days=1),
                reason=" ",
                now=T0 - timedelta(hours=1),
            )
        new = calendar.postpone(
            conn,
            scope=ADMIN,
            entry_id=entry.id,
            to=T0 + timedelta(days=1),
            reason="海关数据复核 / customs re-check",
            now=T0 - timedelta(hours=1),
        )
    assert worker.tick(engine, open_data=tmp_path, now=T0 + timedelta(hours=1)).released == []
    assert worker.tick(engine, open_data=tmp_path, now=T0 + timedelta(days=1)).released == [new.id]
    with engine.connect() as conn:
        old = calendar.get(conn, entry.id)
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert (old.status, old.reason) == ("postponed", "海关数据复核 / customs re-check")
    assert new.replaces == entry.id
    assert "release.postpone" in actions and "release.schedule" in actions


def test_a_revision_outside_the_policy_needs_a_reason(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    """The 2024-08-02 survey revises 2018–2023: 2018 was first published nine customs releases
    earlier, outside CUSTOMS_CBEC's two."""
    names = list(cbec_vintages)
    survey = "2024-08-02_cbec_2018_2023_survey.csv"
    _release_until(engine, cbec_vintages, names[names.index(survey) - 1])
    with pytest.raises(OutsidePolicy, match="修订政策"), engine.begin() as conn:
        releases.release(
            conn, scope=ADMIN, dataflow_id="CUSTOMS_CBEC", vintage_id=cbec_vintages[survey]
        )
    with engine.begin() as conn:
        made = releases.release(
            conn,
            scope=ADMIN,
            dataflow_id="CUSTOMS_CBEC",
            vintage_id=cbec_vintages[survey],
            revision_reason="海关 2018—2023 年调查 / customs' survey",
        )
        found = notes.get(conn, made.id)
    assert found is not None and found["generated"]["outside_policy_count"] > 0
    assert "超出修订政策" in found["text_zh"] and "customs' survey" in found["text_zh"]


def test_a_correction_is_recorded_and_active(engine: Engine, cbec_vintages: dict[str, int]) -> None:
    _release_until(engine, cbec_vintages, PRELIMINARY)
    with engine.begin() as conn:
        done = corrections.correct(
            conn,
            scope=ADMIN,
            dataflow_id="CUSTOMS_CBEC",
            reason="更正 2024 年数 / 2024 corrected",
            vintage_id=cbec_vintages[FINAL],
        )
        active = corrections.active(conn)
    assert "2024" in done.periods
    assert [c.id for c in active] == [done.id]
