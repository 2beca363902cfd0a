"""Open-data snapshots: what a release writes reads in DuckDB with the numbers the API gives,
carries the SDMX structure as Parquet metadata, and its manifest's checksums hold."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.release import releases, snapshot

ADMIN = Scope("admin", username="tester")


@pytest.fixture
def released(engine: Engine, cbec_vintages: dict[str, int], tmp_path: Path) -> list[int]:
    """The first and the last customs release, each with its snapshot."""
    made = []
    names = list(cbec_vintages)
    for name in (names[0], names[-1]):
        with engine.begin() as conn:
            made.append(
                releases.release(
                    conn,
                    scope=ADMIN,
                    dataflow_id="CUSTOMS_CBEC",
                    vintage_id=cbec_vintages[name],
                    revision_reason="测试",
                ).id
            )
    assert snapshot.write_missing(engine, tmp_path / "open-data") == made
    return made


def test_duckdb_reads_what_the_api_serves(
    app: FastAPI, client: TestClient, engine: Engine, released: list[int], tmp_path: Path
) -> None:
    root = tmp_path / "open-data"
    query = f"""SELECT ref_area, counterpart_area, product, flow, indicator, time_period, value,
                       unit, unit_mult, release, dataflow, period
                FROM read_parquet('{root}/release=*/dataflow=*/period=*/*.parquet',
                                  hive_partitioning = true, hive_types_autocast = false)"""
    with duckdb.connect() as db:
        frame = db.sql(query).pl()
    newest = frame.filter(pl.col("release") == str(released[-1]))
    assert set(newest["period"].to_list()) == set(newest["time_period"].to_list())
    api = client.get("/sdmx/data/CUSTOMS_CBEC/all")  # the public's SDMX-CSV, as of now
    assert api.status_code == 200, api.text
    served = pl.read_csv(api.content, infer_schema=False)
    assert served.height == newest.height > 0
    key = ("ref_area", "counterpart_area", "product", "flow", "indicator", "time_period", "unit")
    from_api = {
        tuple(r[k.upper() if k != "unit" else "UNIT_MEASURE"] for k in key): float(r["OBS_VALUE"])
        if r["OBS_VALUE"]
        else None
        for r in served.iter_rows(named=True)
    }
    from_files = {tuple(r[k] for k in key): r["value"] for r in newest.iter_rows(named=True)}
    assert from_files.keys() == from_api.keys()
    assert all(from_files[k] == pytest.approx(from_api[k]) for k in from_api)
    china_2024 = [
        v
        for k, v in from_files.items()
        if k[0] == "CHN" and k[2] == "CBEC" and k[3] == "T" and k[5] == "2024" and k[6] == "CNY"
    ]
    assert china_2024 and china_2024[0] is not None


def test_each_file_carries_the_sdmx_structure_and_the_manifest_checksums(
    released: list[int], tmp_path: Path
) -> None:
    folder = tmp_path / "open-data" / f"release={released[0]}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataflow"] == "CUSTOMS_CBEC" and manifest["release"] == released[0]
    for entry in manifest["files"]:
        assert snapshot.sha256(folder / entry["path"]) == entry["sha256"]
        assert (folder / entry["path"]).stat().st_size == entry["bytes"]
    parquet = next(folder.glob("dataflow=CUSTOMS_CBEC/period=*/part-0.parquet"))
    meta = pq.read_schema(parquet).metadata
    structure = json.loads(meta[b"sdmx:structure"])
    assert structure["structure_id"] == "SHUMAO:CUSTOMS_CBEC(1.0)"
    assert [d["id"] for d in structure["dimensions"]][:2] == ["REF_AREA", "COUNTERPART_AREA"]
    csv = (folder / "sdmx-csv" / "CUSTOMS_CBEC.csv").read_text(encoding="utf-8")
    assert csv.startswith("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA")
    assert len(csv.strip().splitlines()) == manifest["rows"] + 1
