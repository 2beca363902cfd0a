"""Fixtures of the outbound tests: the demo register loaded through the filing workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import registry
from shumao.outbound import demo

DEMO = Path(__file__).resolve().parents[2] / "demo" / "outbound"


@pytest.fixture
def enterprises(engine: Engine) -> Engine:
    """A store with the demo enterprises (no filings)."""
    admin = Actor("root", Role.ADMIN)
    with engine.begin() as conn:
        for ent in demo.synthetic()[0]:
            registry.save_enterprise(
                conn,
                actor=admin,
                record=registry.EnterpriseRecord(
                    uscc=ent.uscc, name=ent.name, county_code=ent.county
                ),
            )
    return engine


@pytest.fixture
def filed(engine: Engine) -> Engine:
    """A store with the demo register filed, submitted and approved."""
    assert demo.load(engine, DEMO) == 30
    return engine
