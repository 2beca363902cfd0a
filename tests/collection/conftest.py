"""Fixtures of the enterprise direct reporting tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from shumao.storage import dataflows

ENT_BASIC = dataflows.Dataflow(
    id="ENT_BASIC",
    name_zh="企业基本情况（企业直报）",
    name_en="Enterprise basic information (direct reporting)",
    source_zh="企业直报",
    source_en="Enterprise direct reporting",
    dimensions={"ref_area": "uscc", "indicator": "code", "freq": "freq"},
)


@pytest.fixture
def ent_basic(engine: Engine) -> Iterator[None]:
    """Make sure dataflow ENT_BASIC (the annual form's target) exists in this store.

    Until the lead adds it to storage/dataflows.yaml it is added here for the test only.
    """
    flows = dataflows._load()
    added = "ENT_BASIC" not in flows
    if added:
        flows["ENT_BASIC"] = ENT_BASIC
    with engine.begin() as conn:
        dataflows.sync_dataflows(conn)
    yield
    if added:
        del flows["ENT_BASIC"]
