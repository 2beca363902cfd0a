"""Fixtures of the outbound tests: the demo register loaded through the filing workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.outbound import demo

DEMO = Path(__file__).resolve().parents[2] / "demo" / "outbound"


@pytest.fixture
def filed(engine: Engine) -> Engine:
    """A store with the demo register filed, submitted and approved."""
    assert demo.load(engine, DEMO) == 30
    return engine
