"""The composite indices in the web tests' world: the demo data they read, one released build
of the provinces' index and an unreleased one of the economies' with a sensitivity run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from index.conftest import load_index_data
from shumao.auth.scope import Scope
from shumao.index import runs
from shumao.index.framework import load_framework
from shumao.index.sensitivity import Settings
from shumao.release import releases

FRAMEWORKS = Path(runs.__file__).with_name("frameworks")


def build_indices(engine: Engine, demo_data: Path) -> dict[str, int]:
    load_index_data(engine, demo_data)
    prov = runs.build_run(engine, load_framework(FRAMEWORKS / "provinces.yaml"))
    econ = runs.build_run(engine, load_framework(FRAMEWORKS / "economies.yaml"))
    sa_run, _ = runs.sensitivity_run(engine, prov.run_id, Settings(replications=100, weight_sets=5))
    with engine.begin() as conn:
        releases.release(
            conn,
            scope=Scope.of("admin", "admin"),
            dataflow_id="DTI_PROV",
            vintage_id=prov.vintage_id,
        )
    return {"prov": prov.run_id, "econ": econ.run_id, "sensitivity": sa_run}


def index_cases(case: type, everyone: set[str]) -> list[object]:
    """Every index route: the pages and API for everyone, the workbook with the raw inputs
    and decompositions on unpublished years for the ministry and administrators."""
    sees_all = {"ministry", "admin"}
    paths = (
        "/index",
        "/index/DTI_PROV",
        "/index/DTI_ECON",
        "/index/DTI_PROV/framework",
        "/index/DTI_PROV/sensitivity",
        "/index/DTI_PROV/unit/320000",
        "/index/DTI_PROV/unit/330000",
        "/api/index",
        "/api/index/DTI_PROV",
        "/api/index/DTI_ECON",
        "/api/index/DTI_PROV/units/320000",
        "/api/index/DTI_PROV/sensitivity",
    )
    return [
        *(case("GET", p, everyone) for p in paths),
        case("GET", "/api/index/DTI_PROV/export.xlsx", sees_all),
        case("GET", "/api/index/DTI_ECON/explain/CHN?from_year=2021", sees_all),
        case("GET", "/index/DTI_ECON/explain/CHN?from_year=2021", sees_all),
    ]
