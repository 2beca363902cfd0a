"""Migrations collection_0001 … create exactly the tables ``collection/tables.py`` declares."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from shumao.collection import tables
from shumao.storage.tables import metadata

TABLES = (
    "enterprise",
    "enterprise_change",
    "filing",
    "filing_upload",
    "filing_cell",
    "filing_explanation",
    "filing_transition",
    "filing_deadline",
    "filing_observation",
)


def test_migrated_tables_match_the_declared_tables(engine: Engine) -> None:
    assert tables.filing.name == "filing"
    insp = inspect(engine)
    for name in TABLES:
        declared = metadata.tables[name]
        columns = {c["name"]: c for c in insp.get_columns(name)}
        assert set(columns) == {c.name for c in declared.columns}, name
        for col in declared.columns:
            assert columns[col.name]["nullable"] == col.nullable or col.primary_key, (name, col)
        pk = set(insp.get_pk_constraint(name)["constrained_columns"])
        assert pk == {c.name for c in declared.primary_key.columns}, name
        indexed = {tuple(i["column_names"]) for i in insp.get_indexes(name)}
        indexed |= {tuple(u["column_names"]) for u in insp.get_unique_constraints(name)}
        for index in declared.indexes:
            assert tuple(c.name for c in index.columns) in indexed, (name, index.name)
        for unique in (
            c for c in declared.constraints if c.__class__.__name__ == "UniqueConstraint"
        ):
            assert tuple(c.name for c in unique.columns) in indexed, (name, unique.name)
