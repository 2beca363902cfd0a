"""collection: filing_observation, the observations an accepted upload stands for

Revision ID: collection_0004
Revises: collection_0003

Approval used to read an upload's cells back, pivot them and rebuild the checked result to get
the observations it stores. Now an accepted upload keeps its observations, in the shape
approval stores them, worked out once when it is accepted (``collection.workflow.accepted``);
approval copies them. Uploads accepted before this revision get theirs here, from their cells,
with the forms as they are at this revision (the stored fields, their flow or indicator and
unit), and a zero report of 数贸季1表 its explicit zeros (``DD`` × ``WLD``), so that a filing
submitted before the upgrade is approved like any other.
"""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "collection_0004"
down_revision = "collection_0003"
branch_labels = None
depends_on = None

DIMENSIONS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")
NA = "_Z"
USD, CNY, PERSONS = ("USD", 4), ("CNY", 4), ("PERSONS", 0)
# form → (frequency, {field: (fixed dimensions, (unit, multiplier))}, zero report cell)
FORMS: dict[
    str, tuple[str, dict[str, tuple[dict[str, str], tuple[str, int]]], dict[str, str] | None]
] = {
    "DDS_Q": (
        "Q",
        {"X": ({"flow": "X"}, USD), "M": ({"flow": "M"}, USD)},
        {"product": "DD", "counterpart_area": "WLD"},
    ),
    "CBEC_Q": ("Q", {"X": ({"flow": "X"}, CNY), "M": ({"flow": "M"}, CNY)}, None),
    "BASIC_A": (
        "A",
        {
            "revenue": ({"indicator": "REVENUE"}, CNY),
            "employees": ({"indicator": "EMPLOYEES"}, PERSONS),
            "dds_export": ({"indicator": "DDS_EXPORT"}, USD),
            "trade_export": ({"indicator": "TRADE_EXPORT"}, USD),
        },
        None,
    ),
}


def _table() -> None:
    op.create_table(
        "filing_observation",
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("filing_upload.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        *(sa.Column(d, sa.String(64), nullable=False) for d in DIMENSIONS),
        sa.Column("time_period", sa.String(10), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("unit_mult", sa.Integer, nullable=False, server_default="0"),
        sa.Column("obs_status", sa.String(2), nullable=False, server_default="A"),
        sqlite_with_rowid=False,
    )


def _observation(
    form: str, uscc: str, period: str, field: str, value: float, at: dict[str, str]
) -> dict[str, Any]:
    freq, fields, _ = FORMS[form]
    fixed, (unit, mult) = fields[field]
    dims = {"ref_area": uscc, "freq": freq, **dict.fromkeys(DIMENSIONS[1:5], NA), **at, **fixed}
    return {
        **dims,
        "time_period": period,
        "value": value,
        "unit": unit,
        "unit_mult": mult,
        "obs_status": "A",
    }


def rewrite(bind: sa.Connection) -> None:
    """Work out the observations of the uploads accepted before this revision.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    meta = sa.MetaData()
    upload = sa.Table("filing_upload", meta, autoload_with=bind)
    filing = sa.Table("filing", meta, autoload_with=bind)
    cell = sa.Table("filing_cell", meta, autoload_with=bind)
    target = sa.Table("filing_observation", meta, autoload_with=bind)
    rows = bind.execute(
        sa.select(
            cell.c.upload_id,
            cell.c.field,
            cell.c.total_line,
            cell.c.product,
            cell.c.counterpart_area,
            cell.c.value,
            filing.c.form_id,
            filing.c.uscc,
            filing.c.period,
        )
        .join(upload, upload.c.id == cell.c.upload_id)
        .join(filing, filing.c.id == upload.c.filing_id)
        .where(
            upload.c.status == "accepted",
            filing.c.form_id.in_(list(FORMS)),
            cell.c.value.is_not(None),
        )
        .order_by(cell.c.upload_id, cell.c.seq)
    ).all()
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    totals: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        if r.field not in FORMS[r.form_id][1]:
            continue
        if r.total_line:
            totals[r.upload_id].append(r)
            continue
        at = {"product": r.product or NA, "counterpart_area": r.counterpart_area or NA}
        out[r.upload_id].append(_observation(r.form_id, r.uscc, r.period, r.field, r.value, at))
    for upload_id, given in totals.items():
        zero_at = FORMS[given[0].form_id][2]
        if zero_at and upload_id not in out and all(r.value == 0 for r in given):
            out[upload_id] = [
                _observation(r.form_id, r.uscc, r.period, r.field, 0.0, zero_at) for r in given
            ]
    for upload_id, found in out.items():
        bind.execute(
            sa.insert(target),
            [{"upload_id": upload_id, "seq": i, **o} for i, o in enumerate(found, start=1)],
        )


def upgrade() -> None:
    _table()
    rewrite(op.get_bind())


def downgrade() -> None:
    op.drop_table("filing_observation")
