"""Factories for enterprise direct reporting tests: enterprises, actors, filled templates."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import Connection, Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import registry
from shumao.collection.forms import get_form
from shumao.collection.registry import Enterprise, EnterpriseRecord
from shumao.collection.templates import Identity, template_bytes
from shumao.collection.workflow import filings, review, submission, uploads
from shumao.validation import uscc as uscc_check

USCC = uscc_check.make("91320114MA1XXXXX0")
NAME = "南京数贸示例软件有限公司"
PERIOD = "2024-Q3"
ADMIN = Actor("root", Role.ADMIN)
PARK = Actor("wang.park", Role.PARK, "DSEB05")
CITY = Actor("zhao.city", Role.CITY, "320100")
PROVINCE = Actor("qian.province", Role.PROVINCE, "320000")
OTHER_PARK = Actor("sun.park", Role.PARK, "DSEB06")

Line = tuple[str, str, float | None, float | None]
"""(service item, partner, exports, imports) in 万美元."""
LINES: list[Line] = [
    ("SI2", "USA", 120.5, 10.0),
    ("SI2", "JPN", 80.25, None),
    ("SJ2", "DEU", 45.0, 5.5),
    ("SK1", "SGP", 12.0, 0.0),
]


def make_uscc(i: int) -> str:
    """A valid credit code numbered ``i`` (Nanjing, enterprise legal person)."""
    return uscc_check.make(f"913201{i:011d}")


def clerk(code: str = USCC) -> Actor:
    return Actor(f"clerk.{code[-4:]}", Role.ENTERPRISE, code)


def make_enterprise(conn: Connection, **overrides: Any) -> Enterprise:
    values: dict[str, Any] = {
        "uscc": USCC,
        "name": NAME,
        "park_code": "DSEB05",
        "county_code": "320114",
        "industry_code": "I6510",
        "trade_reporter": True,
        **overrides,
    }
    ent, _ = registry.save_enterprise(conn, actor=ADMIN, record=EnterpriseRecord(**values))
    return ent


def totals(lines: Sequence[Line]) -> tuple[float, float, float]:
    x = round(sum(line[2] or 0.0 for line in lines), 2)
    m = round(sum(line[3] or 0.0 for line in lines), 2)
    return x, m, round(x + m, 2)


def filled_template(
    *,
    form_id: str = "DDS_Q",
    uscc: str = USCC,
    period: str = PERIOD,
    name: str = NAME,
    lines: Sequence[Line] = LINES,
    total: Sequence[Any] | None = None,
    cells: dict[str, Any] | None = None,
) -> bytes:
    """The downloaded template filled in as a clerk would (``cells`` overrides any cell)."""
    form = get_form(form_id)
    wb = load_workbook(io.BytesIO(template_bytes(form, Identity(uscc, name, period))))
    ws = wb.worksheets[0]
    if form.layout == "table":
        for col, value in zip((4, 5, 6), total or totals(lines), strict=True):
            ws.cell(row=7, column=col, value=value)
        for i, (product, partner, x, m) in enumerate(lines):
            row = 8 + i
            t = None if x is None and m is None else round((x or 0) + (m or 0), 2)
            for col, value in zip(range(2, 7), (product, partner, x, m, t), strict=True):
                ws.cell(row=row, column=col, value=value)
    for ref, value in (cells or {}).items():
        ws[ref] = value
        if isinstance(value, str) and value.startswith("="):
            ws[ref].data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BASIC_VALUES = {"D7": 52000, "D8": 130, "D9": 1030.5, "D10": 2500, "D11": "李明"}
"""The annual template's value cells: revenue, employees, dds exports, all exports, filer."""


def approved(
    engine: Engine,
    *,
    code: str = USCC,
    period: str = PERIOD,
    lines: Sequence[Line] = LINES,
    form_id: str = "DDS_Q",
    cells: dict[str, Any] | None = None,
) -> filings.Filing:
    """Upload, submit and approve a filing (no HB: history fixtures are built in bulk)."""
    data = filled_template(form_id=form_id, uscc=code, period=period, lines=lines, cells=cells)
    with engine.begin() as conn:
        result = uploads.upload_file(
            conn,
            actor=clerk(code),
            form_id=form_id,
            uscc=code,
            period=period,
            data=data,
            filename="t.xlsx",
            hb=False,
        )
        assert result.accepted, result.report.text()
        sent = submission.submit(conn, actor=clerk(code), filing_id=result.filing.id)
        return review.approve(conn, actor=ADMIN, filing_id=sent.id)
