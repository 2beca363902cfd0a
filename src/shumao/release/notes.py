"""发布说明 / release notes: generated from the data, editable by a person.

``facts`` compares what the public saw before a release with what it sees after (two public
views, pure frames) and returns the notes as data: the new periods and observations, the
revision table (with the largest revisions named), breaks in series (``obs_status`` B), the
disclosure control applied, and the revisions outside the revision policy (``policy``) with
the reason given for them. ``render`` writes them as text in one language; the stored text is
what the public reads, and a person may rewrite it (``edit``; audited) without losing the
facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select, update

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.errors import NotVisible, OutsidePolicy
from shumao.labels import label
from shumao.reference.units import unit_text
from shumao.release import history, policy, public
from shumao.release.tables import data_release, release_note
from shumao.storage.revisions import changed, compare, revised_series

TOP = 10
"""How many of the largest revisions the notes name."""
SERIES = ("ref_area", "counterpart_area", "product", "flow", "indicator")


def facts(
    before: pl.DataFrame,
    after: pl.DataFrame,
    *,
    flow_id: str,
    disclosure: Mapping[str, Any] | None,
    first_published: Mapping[str, int],
    history: Sequence[int],
    reason: str = "",
) -> dict[str, Any]:
    """What a release changed, as data (stored with the notes, ``release_note.generated``)."""
    old = set(before["time_period"].unique().to_list())
    new_periods = sorted(set(after["time_period"].unique().to_list()) - old)
    revised = revised_series(
        changed(compare(before, after)).filter(pl.col("time_period").is_in(list(old))),
        before,
        SERIES,
    )
    late = policy.outside(flow_id, revised, first_published, history)
    late_keys = {_key(r) for r in late.iter_rows(named=True)}
    return {
        "dataflow": flow_id,
        "new_periods": new_periods,
        "new_observations": after.filter(pl.col("time_period").is_in(new_periods)).height,
        "observations": after.height,
        "revisions": revised.height,
        "revised_periods": sorted(_periods(revised)),
        "largest": [_revision(r, _key(r) in late_keys) for r in _largest(revised)],
        "breaks": _breaks(after, new_periods, revised),
        "disclosure": _disclosure(after, disclosure),
        "outside_policy": [_revision(r, True) for r in late.head(50).iter_rows(named=True)],
        "outside_policy_count": late.height,
        "policy": {p: _rule(flow_id, p) for p in sorted({*new_periods, *_periods(revised)})[-3:]},
        "reason": reason,
    }


def _key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[d] for d in (*SERIES, "time_period"))


def _periods(frame: pl.DataFrame) -> list[str]:
    return frame["time_period"].unique().to_list() if frame.height else []


def _rule(flow_id: str, period: str) -> dict[str, Any]:
    rule = policy.policy().rule(flow_id, period)
    return {
        "releases": rule.releases,
        "zh": rule.zh,
        "en": rule.en,
        "version": policy.policy().version,
    }


def _largest(revised: pl.DataFrame) -> list[dict[str, Any]]:
    ranked = revised.with_columns(
        pl.col("revision_pct").abs().fill_nan(None).fill_null(float("inf")).alias("_size"),
        pl.col("revision").abs().fill_null(0.0).alias("_abs"),
    )
    return ranked.sort(["_size", "_abs"], descending=True).head(TOP).to_dicts()


def _revision(row: Mapping[str, Any], late: bool) -> dict[str, Any]:
    zh, en = series_names(row)
    return {
        "series_zh": zh,
        "series_en": en,
        "period": row["time_period"],
        "key": {d: row[d] for d in SERIES},
        "before": row.get("value_then"),
        "after": row.get("value_now"),
        "revision": row.get("revision"),
        "revision_pct": _finite(row.get("revision_pct")),
        "unit": row.get("unit"),
        "unit_mult": row.get("unit_mult"),
        "outside_policy": late,
    }


def _finite(value: float | None) -> float | None:
    return None if value is None or value != value or abs(value) == float("inf") else value


def series_names(row: Mapping[str, Any]) -> tuple[str, str]:
    """(Chinese, English) name of a series: reporter, partner, item, flow and indicator by
    name (never a code where the code lists have a name)."""

    def name(lang: str) -> str:
        parts = [label("ref_area", row["ref_area"], lang)]
        if row.get("counterpart_area") not in (None, "_Z", "WLD", "W00"):
            parts.append(
                ("对" if lang == "zh" else "with ")
                + label("counterpart_area", row["counterpart_area"], lang)
            )
        for d in ("product", "flow", "indicator"):
            text = label(d, row[d], lang) if row.get(d) not in (None, "_Z", "_T", "VALUE") else ""
            if text and not any(text in p for p in parts):  # 跨境电商进出口合计, not …进出口进出口
                parts.append(text)
        return ("" if lang == "zh" else " · ").join(p for p in parts if p)

    return name("zh"), name("en")


def _breaks(
    after: pl.DataFrame, new_periods: list[str], revised: pl.DataFrame
) -> list[dict[str, Any]]:
    touched = set(new_periods) | set(_periods(revised))
    marked = after.filter(
        (pl.col("obs_status") == "B") & pl.col("time_period").is_in(list(touched))
    )
    return [
        {
            "series_zh": series_names(r)[0],
            "series_en": series_names(r)[1],
            "period": r["time_period"],
        }
        for r in marked.head(20).iter_rows(named=True)
    ]


def _disclosure(after: pl.DataFrame, record: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rules that protected the published cells (micro-data), or how many cells the
    public sees blanked as confidential."""
    secret = after.filter(pl.col("conf_status").is_in(["C", "D"])).height
    out: dict[str, Any] = {"confidential_cells": secret}
    if record:
        out.update(
            rules=(record.get("rules") or {}).get("name"),
            primary=record.get("primary"),
            secondary=record.get("secondary"),
            tables=record.get("tables"),
        )
    return out


# --------------------------------------------------------------------------- storing, editing


def for_release(
    conn: Connection,
    flow_id: str,
    release_id: int,
    vintage_id: int,
    previous: int | None,
    disclosure: Mapping[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """Generate and store the notes of a release just made (same transaction): what the
    public saw at ``previous`` (a released vintage) against what it sees now. Revisions
    outside the policy without ``reason`` refuse the release (nothing is written)."""
    before = public.public_view(conn, flow_id, as_of=previous) if previous else public.empty()
    after = public.public_view(conn, flow_id, as_of=vintage_id)
    history = flow_releases(conn, flow_id)
    generated = facts(
        before,
        after,
        flow_id=flow_id,
        disclosure=disclosure,
        first_published=first_published(conn, history),
        history=history,
        reason=reason.strip(),
    )
    if generated["outside_policy_count"] and not reason.strip():
        raise OutsidePolicy(_late_message(flow_id, generated))
    store(conn, release_id, generated)
    return generated


def check_planned(conn: Connection, flow_id: str, vintage_id: int, reason: str) -> None:
    """Refuse to schedule a vintage whose revisions fall outside the policy without a reason
    (the worker cannot ask at the minute)."""
    previous = history.public_as_of(conn, flow_id)
    before = public.public_view(conn, flow_id, as_of=previous) if previous else public.empty()
    after = public.prospective(conn, flow_id, vintage_id)
    made = flow_releases(conn, flow_id)
    generated = facts(
        before,
        after,
        flow_id=flow_id,
        disclosure=None,
        first_published=first_published(conn, made),
        history=[*made, PLANNED],
        reason=reason,
    )
    if generated["outside_policy_count"] and not reason.strip():
        raise OutsidePolicy(_late_message(flow_id, generated))


PLANNED = 2**62
"""The release id a planned release takes in the policy's count (later than any)."""


def _late_message(flow_id: str, f: Mapping[str, Any]) -> str:
    named = f["outside_policy"][:5]
    zh = "；".join(f"{r['series_zh']} {r['period']}" for r in named)
    en = "; ".join(f"{r['series_en']} {r['period']}" for r in named)
    return (
        f"{flow_id} 有 {f['outside_policy_count']} 处修订超出修订政策（{zh}），请说明原因"
        f"（--revision-reason）/ {f['outside_policy_count']} revisions of {flow_id} are "
        f"outside the revision policy ({en}): give a reason (--revision-reason)"
    )


def flow_releases(conn: Connection, flow_id: str) -> list[int]:
    """The release ids of a dataflow, oldest first."""
    return [
        int(r)
        for r in conn.execute(
            select(data_release.c.id)
            .where(data_release.c.dataflow_id == flow_id)
            .order_by(data_release.c.id)
        ).scalars()
    ]


def store(conn: Connection, release_id: int, generated: dict[str, Any]) -> None:
    conn.execute(
        insert(release_note).values(
            release_id=release_id,
            generated=generated,
            text_zh=render(generated, "zh"),
            text_en=render(generated, "en"),
        )
    )


def get(conn: Connection, release_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(release_note).where(release_note.c.release_id == release_id)).first()
    return dict(row._mapping) if row else None


def first_published(conn: Connection, flow_release_ids: Sequence[int]) -> dict[str, int]:
    """period → the release that first published it, from the notes of earlier releases."""
    rows = conn.execute(
        select(release_note.c.release_id, release_note.c.generated)
        .where(release_note.c.release_id.in_(list(flow_release_ids)))
        .order_by(release_note.c.release_id)
    ).all()
    out: dict[str, int] = {}
    for rid, generated in rows:
        for period in (generated or {}).get("new_periods", []):
            out.setdefault(period, int(rid))
    return out


def edit(
    conn: Connection, *, scope: Scope, release_id: int, text_zh: str, text_en: str, ip: str = ""
) -> None:
    """A person's rewrite of a release's notes (the generated facts stay); audited."""
    permissions.require_release(scope)
    if get(conn, release_id) is None:
        raise NotVisible("发布说明", "release notes")
    conn.execute(
        update(release_note)
        .where(release_note.c.release_id == release_id)
        .values(
            text_zh=text_zh.strip(),
            text_en=text_en.strip(),
            edited_by=scope.username,
            edited_at=datetime.now(UTC),
        )
    )
    audit.record_by(
        conn,
        scope,
        action="release.notes",
        target=str(release_id),
        ip=ip,
        detail={"chars_zh": len(text_zh), "chars_en": len(text_en)},
    )


# --------------------------------------------------------------------------- text


def render(f: Mapping[str, Any], lang: str) -> str:
    """The notes as text in one language (what a person then edits)."""
    zh = lang == "zh"
    lines = [_new_text(f, zh), _revision_text(f, zh)]
    lines += [
        (
            f"  · {r['series_zh' if zh else 'series_en']} {r['period']}："
            if zh
            else f"  · {r['series_en']} {r['period']}: "
        )
        + _change_text(r, zh)
        for r in f["largest"]
    ]
    if f["outside_policy_count"]:
        lines.append(
            f"超出修订政策的修订 {f['outside_policy_count']} 处，原因：{f['reason'] or '未说明'}"
            if zh
            else f"{f['outside_policy_count']} revisions outside the revision policy; "
            f"reason: {f['reason'] or 'none given'}"
        )
    if f["breaks"]:
        names = (
            "、".join(f"{b['series_zh']} {b['period']}" for b in f["breaks"])
            if zh
            else "; ".join(f"{b['series_en']} {b['period']}" for b in f["breaks"])
        )
        lines.append(f"序列断点：{names}" if zh else f"Breaks in series: {names}")
    lines.append(_disclosure_text(f["disclosure"], zh))
    return "\n".join(lines)


def _new_text(f: Mapping[str, Any], zh: bool) -> str:
    periods = "、".join(f["new_periods"][:12]) if zh else ", ".join(f["new_periods"][:12])
    more = len(f["new_periods"]) > 12
    if not f["new_periods"]:
        return "本次发布没有新的时期。" if zh else "No new periods in this release."
    if zh:
        return f"新增时期：{periods}{'等' if more else ''}（{f['new_observations']} 个观测值）。"
    return (
        f"New periods: {periods}{' and more' if more else ''} "
        f"({f['new_observations']} observations)."
    )


def _revision_text(f: Mapping[str, Any], zh: bool) -> str:
    n = f["revisions"]
    if not n:
        return "已发布数据未修订。" if zh else "No published figure was revised."
    return (
        f"修订已发布数据 {n} 处，修订幅度最大的是："
        if zh
        else f"{n} published figures were revised; the largest revisions:"
    )


def _change_text(r: Mapping[str, Any], zh: bool) -> str:
    before, after, pct = r["before"], r["after"], r["revision_pct"]
    unit = unit_text(r.get("unit"), r.get("unit_mult"), "zh" if zh else "en")
    unit = unit if zh or not unit else f" {unit}"
    b = "—" if before is None else f"{before:,.2f}{unit}"
    a = "—" if after is None else f"{after:,.2f}{unit}"
    share = "" if pct is None else f"（{pct:+.2f}%）" if zh else f" ({pct:+.2f}%)"
    flag = (
        ("【超出修订政策】" if zh else " [outside the revision policy]")
        if r["outside_policy"]
        else ""
    )
    return f"{b} → {a}{share}{flag}"


def _disclosure_text(d: Mapping[str, Any], zh: bool) -> str:
    if d.get("rules"):
        return (
            f"披露控制：规则集 {d['rules']}，主要抑制 {d['primary']}、次要抑制 {d['secondary']} "
            f"个单元格。"
            if zh
            else f"Disclosure control: rule set {d['rules']}, "
            f"{d['primary']} primary and {d['secondary']} secondary suppressions."
        )
    n = d["confidential_cells"]
    return (
        f"披露控制：{n} 个保密单元格不公开数值。"
        if zh
        else f"Disclosure control: {n} confidential cells are published without a value."
    )
