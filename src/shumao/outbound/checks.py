"""The register's form rules (kinds listed in ``findings.yaml``, used by ``forms/ODI_A.yaml``).

- ``odi-currency``      an amount column headed in another unit or currency (元, 万元, 欧元, 美元
                        …): outbound amounts are filed in 万美元 and never converted silently
- ``odi-amount-unit``   an amount too large to be 万美元 (written in dollars)
- ``odi-not-greater``   invested to date above the approved amount (warning)
- ``odi-dates``         dates readable, in order (filed ≤ started ≤ operating ≤ exited), not
                        after the period, and the date of the project's stage given
- ``odi-certificate``   certificate number well-formed, once per file, and not already filed
                        by another enterprise or for another project (read from the register)
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Connection, select

from shumao.collection.checks.engine import register_rule_kind
from shumao.collection.checks.model import TOTAL, Run
from shumao.collection.forms import Form, normalise_period, period_end
from shumao.collection.workflow import context
from shumao.outbound import codes
from shumao.outbound import tables as t
from shumao.validation.findings import ROW

if TYPE_CHECKING:
    from shumao.collection.forms import RuleSpec

USD_10K = ("USD", 4)
CERT = re.compile(r"^(?:境外投资证)?\s*(?:第)?\s*(N\d{13})\s*号?$")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(text: Any) -> date | None:
    """ "2024-05-31", "2024/5/31", "2024年5月31日", an Excel date's "2024-05-31 00:00:00"."""
    if isinstance(text, datetime):
        return text.date()
    s = str(text or "").strip()
    for pattern in _DATE_FORMS:
        if m := pattern.match(s):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def certificate(text: Any) -> str | None:
    """The certificate's N-number from "境外投资证第N3200202400123号" or "N3200202400123"."""
    m = CERT.match(str(text or "").strip().upper().replace("Ｎ", "N"))
    return m[1] if m else None


def _detail(run: Run) -> pl.DataFrame:
    return run.lines.filter(~pl.col(TOTAL))


def currency(run: Run, spec: RuleSpec) -> None:
    for field_id in spec.params["fields"]:
        unit = run.sheet.units.get(field_id)
        if unit is not None and (unit.code, unit.mult) != USD_10K:
            run.emit(spec.code, field_id, pl.DataFrame({ROW: [1], "_value": [unit.name_zh]}))


def amount_unit(run: Run, spec: RuleSpec) -> None:
    limit = float(spec.params["limit"])
    for field_id in spec.params["fields"]:
        hits = (
            _detail(run)
            .filter(pl.col(field_id) > limit)
            .select(
                ROW,
                pl.col(field_id).alias("_value"),
                (pl.col(field_id) / 1e4).round(2).cast(pl.String).alias("yi"),
            )
        )
        run.emit(spec.code, field_id, hits)


def not_greater(run: Run, spec: RuleSpec) -> None:
    field_id, limit = spec.params["field"], spec.params["limit"]
    hits = (
        _detail(run)
        .filter(pl.col(field_id) > pl.col(limit) + 0.005)
        .select(ROW, pl.col(field_id).alias("_value"), pl.col(limit).alias("approved"))
    )
    run.emit(spec.code, field_id, hits)


def _period_end(run: Run) -> date | None:
    period = run.ctx.expected_period or next(
        (normalise_period(p, "A") for p in run.lines["period"].drop_nulls().to_list()), None
    )
    return period_end(period) if period else None


def dates(run: Run, spec: RuleSpec) -> None:
    names: list[str] = list(spec.params["dates"])
    end = _period_end(run)
    label = {n: run.form.field(n).label_zh for n in names}
    stage_date = {c.code: c.date for c in codes.codes("stages")}
    for rec in _detail(run).select(ROW, "stage", *names).iter_rows(named=True):
        seen: list[tuple[str, date]] = []
        for name in names:
            text = rec[name]
            if text is None or not str(text).strip():
                continue
            day = parse_date(text)
            one = pl.DataFrame({ROW: [rec[ROW]], "_value": [str(text)]})
            if day is None:
                run.emit("outbound-date-invalid", name, one)
                continue
            later = [(n, d) for n, d in seen if d > day]
            if later:
                run.emit(
                    spec.code,
                    name,
                    one,
                    before=label[later[-1][0]],
                    before_value=later[-1][1].isoformat(),
                )
            if end is not None and day > end:
                run.emit("outbound-date-future", name, one, period_end=end.isoformat())
            seen.append((name, day))
        needed = stage_date.get(rec["stage"] or "")
        if needed in names and not str(rec[needed] or "").strip():
            run.emit(
                "outbound-stage-date-missing",
                needed,
                pl.DataFrame({ROW: [rec[ROW]]}),
                stage=codes.name("stages", rec["stage"]),
            )


def certificates(run: Run, spec: RuleSpec) -> None:
    field_id = spec.params["field"]
    lines = _detail(run).select(ROW, "uscc", "project_no", pl.col(field_id).alias("_value"))
    lines = lines.with_columns(
        pl.col("_value").map_elements(certificate, return_dtype=pl.String).alias("_cert")
    )
    run.emit(
        "outbound-odi-format",
        field_id,
        lines.filter(pl.col("_cert").is_null() & pl.col("_value").is_not_null()).select(
            ROW, "_value"
        ),
    )
    good = lines.filter(pl.col("_cert").is_not_null())
    dups = (
        good.filter(pl.col("_cert").is_duplicated())
        .group_by("_cert")
        .agg(pl.col(ROW).sort().alias("rows"))
        .sort(pl.col("rows").list.first())
    )
    for cert, rows in dups.iter_rows():
        run.emit(
            spec.code,
            field_id,
            pl.DataFrame({ROW: [rows[0]], "_value": [cert]}),
            lines="、".join(map(str, rows)),
        )
    taken: dict[str, tuple[str, str]] = run.ctx.extra.get(spec.kind) or {}
    for rec in good.iter_rows(named=True):
        owner = taken.get(rec["_cert"])
        if owner is not None and owner != (rec["uscc"], rec["project_no"]):
            mine = owner[0] == rec["uscc"]
            run.emit(
                "outbound-odi-taken",
                field_id,
                pl.DataFrame({ROW: [rec[ROW]], "_value": [rec["_cert"]]}),
                project=owner[1] if mine else "—",
            )


def certificate_owners(conn: Connection) -> dict[str, tuple[str, str]]:
    """Certificate → (enterprise, project number) of every approved register line."""
    p = t.project.c
    found = conn.execute(select(p.odi_cert, p.uscc, p.project_no).order_by(p.id)).all()
    return {r.odi_cert: (r.uscc, r.project_no) for r in found}


def _taken(
    conn: Connection, form: Form, uscc: str | None, period: str | None
) -> dict[str, tuple[str, str]]:
    return certificate_owners(conn)


register_rule_kind("odi-currency", currency)
register_rule_kind("odi-amount-unit", amount_unit)
register_rule_kind("odi-not-greater", not_greater)
register_rule_kind("odi-dates", dates)
register_rule_kind("odi-certificate", certificates)
context.context_provider("odi-certificate", _taken)
