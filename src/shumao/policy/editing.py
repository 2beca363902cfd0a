"""An editor's side of the policy library: field corrections (stored apart from what
extraction found, applied on top of it, again after every re-ingest), linking a record to
its canonical one, and confirming or rejecting candidate targets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from shumao.errors import ShumaoError
from shumao.policy import metadata
from shumao.policy import tables as t
from shumao.policy.chinese import to_simplified
from shumao.policy.documents import get, latest_corrections


def apply_corrections(conn: Connection, doc_id: int) -> int:
    """Set the effective fields to the extracted values with the corrections on top."""
    d = t.document
    extracted = conn.execute(select(d.c.extracted).where(d.c.id == doc_id)).scalar_one()
    extracted = json.loads(extracted) if isinstance(extracted, str) else dict(extracted)
    fixes = latest_corrections(conn, doc_id)
    values = {**extracted, **{k: v for k, v in fixes.items() if k in metadata.FIELDS}}
    conn.execute(update(d).where(d.c.id == doc_id).values(**effective_columns(values)))
    if "canonical" in fixes:
        _set_canonical(conn, doc_id, fixes["canonical"])
    return len(fixes)


def effective_columns(values: dict[str, Any]) -> dict[str, Any]:
    issued = values.get("issue_date")
    issued = date.fromisoformat(issued) if isinstance(issued, str) else issued
    issuers = list(values.get("issuers") or [])
    return dict(
        title=values.get("title"),
        doc_number=values.get("doc_number"),
        issuers=issuers,
        issuers_text="|" + "|".join(issuers) + "|" if issuers else "",
        issue_date=issued,
        issue_year=issued.year if issued else None,
        level=values.get("level"),
        doc_type=values.get("doc_type"),
    )


def _set_canonical(conn: Connection, doc_id: int, target_id: int | None) -> None:
    d = t.document
    if target_id is None:
        conn.execute(update(d).where(d.c.id == doc_id).values(canonical_id=None, similarity=None))
        return
    root = conn.execute(
        select(func.coalesce(d.c.canonical_id, d.c.id)).where(d.c.id == target_id)
    ).scalar()
    if root is None or root == doc_id:
        return
    conn.execute(update(d).where(d.c.canonical_id == doc_id).values(canonical_id=root))
    conn.execute(update(d).where(d.c.id == doc_id).values(canonical_id=root))


def parse_value(name: str, value: str) -> Any:
    """An editor's text for field ``name`` as stored; ``""`` or ``-`` clears the field."""
    value = value.strip()
    if name not in metadata.EDITABLE:
        raise ShumaoError(
            f"不能修改的字段：{name}（可改：{', '.join(metadata.EDITABLE)}） / "
            f"field {name!r} cannot be edited (editable: {', '.join(metadata.EDITABLE)})"
        )
    if value in ("", "-"):
        return None
    parser = _PARSERS.get(name, lambda v: to_simplified(v))
    return parser(value)


def _parse_number(value: str) -> str:
    number = metadata.normalise_doc_number(to_simplified(value))
    if number is None:
        raise ShumaoError(
            f"不是文号：{value}（例如 商合函〔2021〕355号） / "
            f"not a document number: {value} (e.g. 商合函〔2021〕355号)"
        )
    return number


def _parse_date(value: str) -> str:
    found = metadata.issue_date([value.replace("/", "-")]) if "年" in value else None
    try:
        return (found or date.fromisoformat(value)).isoformat()
    except ValueError:
        raise ShumaoError(
            f"不是日期：{value}（例如 2021-07-20） / not a date: {value} (e.g. 2021-07-20)"
        ) from None


def _parse_choice(choices: Sequence[str], what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        simple = to_simplified(value)
        simple = {"指导意见": "意见", "实施意见": "意见"}.get(simple, simple)
        if simple not in choices:
            raise ShumaoError(
                f"{what}只能是：{'、'.join(choices)} / must be one of {', '.join(choices)}"
            )
        return simple

    return parse


def _parse_issuers(value: str) -> list[str]:
    names = [n for n in re.split(r"[,，、;；\s]+", to_simplified(value)) if n]
    return list(dict.fromkeys(metadata.canonical_issuer(n) for n in names))


def _parse_canonical(value: str) -> int:
    if not value.lstrip("#").isdigit():
        raise ShumaoError(f"不是文件编号：{value} / not a document id: {value}")
    return int(value.lstrip("#"))


_PARSERS: dict[str, Callable[[str], Any]] = {
    "doc_number": _parse_number,
    "issue_date": _parse_date,
    "issuers": _parse_issuers,
    "level": _parse_choice(metadata.LEVELS, "层级 level "),
    "doc_type": _parse_choice(metadata.TYPES, "文种 type "),
    "canonical": _parse_canonical,
}


def edit(
    engine: Engine, doc_id: int, name: str, value: str, *, by: str = "editor", note: str = ""
) -> dict[str, Any]:
    """Record an editor's correction of one field and apply it; returns the effective fields."""
    parsed = parse_value(name, value)
    with engine.begin() as conn:
        _require(conn, doc_id)
        if name == "canonical" and parsed is not None:
            _require(conn, parsed)
        conn.execute(
            insert(t.correction).values(
                document_id=doc_id,
                field=name,
                value=parsed,
                corrected_by=by,
                corrected_at=datetime.now(UTC),
                note=note,
            )
        )
        apply_corrections(conn, doc_id)
    return get(engine, doc_id).fields


def _require(conn: Connection, doc_id: int) -> None:
    if conn.execute(select(t.document.c.id).where(t.document.c.id == doc_id)).scalar() is None:
        raise ShumaoError(f"没有第 {doc_id} 号文件 / no document #{doc_id}")


def confirm_target(
    engine: Engine, target_id: int, indicator_code: str, *, by: str = "editor"
) -> None:
    """A person confirms which monitoring indicator a candidate target tracks."""
    code = indicator_code.strip()
    if not code or len(code) > 60:
        raise ShumaoError("指标代码不能为空 / the indicator code is empty")
    _set_target(
        engine,
        target_id,
        status="confirmed",
        indicator_code=code,
        confirmed_by=by,
        confirmed_at=datetime.now(UTC),
    )


def reject_target(engine: Engine, target_id: int, *, by: str = "editor") -> None:
    _set_target(
        engine,
        target_id,
        status="rejected",
        indicator_code=None,
        confirmed_by=by,
        confirmed_at=datetime.now(UTC),
    )


def _set_target(engine: Engine, target_id: int, **values: Any) -> None:
    with engine.begin() as conn:
        changed = conn.execute(
            update(t.target).where(t.target.c.id == target_id).values(**values)
        ).rowcount
    if not changed:
        raise ShumaoError(f"没有第 {target_id} 号目标 / no target #{target_id}")
