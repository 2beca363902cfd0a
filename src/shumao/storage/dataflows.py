"""Dataflow definitions (data file ``dataflows.yaml``) and their sync into the ``dataflow`` table."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, insert, select, update

from shumao.errors import UnknownCode
from shumao.storage.tables import DIMENSIONS, dataflow

DATAFLOWS_FILE = Path(__file__).with_name("dataflows.yaml")


@dataclass(frozen=True)
class Dataflow:
    id: str
    name_zh: str
    name_en: str
    source_zh: str
    source_en: str
    dimensions: dict[str, str] = field(default_factory=dict)
    """dimension → codelist; dimensions not named hold ``_Z``."""

    def codelist(self, dim: str) -> str | None:
        return self.dimensions.get(dim)

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "source_zh": self.source_zh,
            "source_en": self.source_en,
            "definition": {"dimensions": self.dimensions},
        }


@lru_cache(maxsize=1)
def _load() -> dict[str, Dataflow]:
    raw = yaml.safe_load(DATAFLOWS_FILE.read_text(encoding="utf-8"))
    flows = {}
    for item in raw["dataflows"]:
        dims = item.pop("dimensions")
        unknown = set(dims) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"{item['id']}: unknown dimensions {sorted(unknown)}")
        flows[item["id"]] = Dataflow(dimensions=dims, **item)
    return flows


def all_dataflows() -> list[Dataflow]:
    return list(_load().values())


def get_dataflow(flow_id: str) -> Dataflow:
    try:
        return _load()[flow_id.upper()]
    except KeyError:
        raise UnknownCode("dataflows", flow_id) from None


def sync_dataflows(conn: Connection) -> None:
    """Insert or refresh every shipped dataflow definition (idempotent)."""
    existing = set(conn.execute(select(dataflow.c.id)).scalars())
    for flow in all_dataflows():
        row = flow.as_row()
        if flow.id in existing:
            conn.execute(update(dataflow).where(dataflow.c.id == flow.id).values(**row))
        else:
            conn.execute(insert(dataflow).values(**row))
