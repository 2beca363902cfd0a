"""开放数据快照 / open-data snapshots: every release's public cells as files any engine reads.

Each release writes one folder under the open-data directory (the setting
``SHUMAO_OPEN_DATA_DIR``, default ``<data_dir>/open-data``)::

    release=7/
        dataflow=WTO_DDS/period=2023/part-0.parquet     one file per dataflow and period
        sdmx-csv/WTO_DDS.csv                            the same cells as SDMX-CSV 2.0
        manifest.json                                   every file, its size, rows, SHA-256

The cells are what the public sees of the dataflow as of the release (``public.public_view``:
confidential values blank, micro-data only as protected aggregates). Each Parquet file carries
the SDMX structure of the dataflow (``sdmx:structure``) and the release (``shumao:release``) as
key–value metadata, so DuckDB, Spark or Trino read the released history without the platform::

    SELECT * FROM read_parquet('open-data/release=*/dataflow=*/period=*/*.parquet',
                               hive_partitioning = true)

A folder is written beside its final name and renamed into place (a reader never sees half of
one; two workers writing the same release keep the first), then recorded in
``release_snapshot``.

A release made by hand (the admin page, the API, the CLI) writes its snapshot at once, after
its transaction has committed: ``defer`` inside the transaction, ``write_after_commit`` after
it. A snapshot that fails there never undoes the release: the failure is logged and audited
(``release.snapshot``, not ok) and the release worker's next round (``write_missing``) writes
it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from shumao import sdmx
from shumao.auth import audit
from shumao.release import public
from shumao.release.tables import data_release, release_snapshot
from shumao.storage.dataflows import Dataflow, get_dataflow

log = logging.getLogger(__name__)
PENDING = "shumao.release.snapshots"
"""Where ``defer`` keeps the releases awaiting their snapshot, in ``Connection.info``."""
MANIFEST = "manifest.json"
OBS = ("time_period", "value", "unit", "unit_mult", "obs_status", "conf_status")


@dataclass(frozen=True)
class Snapshot:
    release_id: int
    folder: str
    manifest: dict[str, Any]


def folder_name(release_id: int) -> str:
    return f"release={release_id}"


def structure(flow: Dataflow) -> dict[str, Any]:
    """The SDMX structure of a dataflow, as the files' metadata states it."""
    return {
        "agency": sdmx.AGENCY,
        "id": flow.id,
        "version": sdmx.VERSION,
        "structure_id": sdmx.structure_id(flow),
        "name_zh": flow.name_zh,
        "name_en": flow.name_en,
        "dimensions": [
            {"id": d.upper(), "column": d, "codelist": c} for d, c in flow.dimensions.items()
        ],
        "time_dimension": "TIME_PERIOD",
        "primary_measure": "OBS_VALUE",
        "attributes": list(sdmx.ATTRIBUTES),
        "structure_url": f"/sdmx/structure/dataflow/{flow.id}",
    }


def write(conn: Connection, release_id: int, root: Path) -> Snapshot:
    """Write (once) the snapshot of a release and record it."""
    known = recorded(conn, release_id)
    if known is not None:
        return known
    row = conn.execute(select(data_release).where(data_release.c.id == release_id)).one()
    flow = get_dataflow(row.dataflow_id)
    frame = public.public_view(conn, flow.id, as_of=row.vintage_id)
    target = root / folder_name(release_id)
    if not target.exists():
        _write_folder(flow, frame, row, root, target)
    manifest_bytes = (target / MANIFEST).read_bytes()
    manifest = json.loads(manifest_bytes)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(release_snapshot).values(
                    release_id=release_id,
                    folder=target.name,
                    manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
                    files=len(manifest["files"]),
                    bytes=sum(f["bytes"] for f in manifest["files"]),
                    written_at=datetime.now(UTC),
                )
            )
    except IntegrityError:  # another worker recorded it first: the same folder
        log.info("snapshot of release %s was recorded by another worker", release_id)
    return Snapshot(release_id, target.name, manifest)


def _write_folder(flow: Dataflow, frame: pl.DataFrame, row: Any, root: Path, target: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=root))  # one per writer
    meta = {
        "sdmx:structure": json.dumps(structure(flow), ensure_ascii=False),
        "shumao:release": json.dumps(_release_meta(row), ensure_ascii=False),
    }
    cells = frame.select(*flow.dimensions, *OBS)
    files = []
    for period, part in sorted(cells.partition_by("time_period", as_dict=True).items()):
        path = temp / f"dataflow={flow.id}" / f"period={period[0]}" / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        table = part.to_arrow()
        pq.write_table(
            table.replace_schema_metadata({**(table.schema.metadata or {}), **meta}),
            path,
            compression="zstd",
        )
        files.append(_entry(temp, path, part.height))
    csv = temp / "sdmx-csv" / f"{flow.id}.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    csv.write_bytes(sdmx.to_csv(flow, frame))
    files.append(_entry(temp, csv, frame.height))
    manifest = {
        **_release_meta(row),
        "rows": frame.height,
        "structure": structure(flow),
        "files": files,
    }
    (temp / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    try:
        temp.rename(target)
    except OSError:  # written meanwhile by another worker: keep theirs
        shutil.rmtree(temp, ignore_errors=True)


def _release_meta(row: Any) -> dict[str, Any]:
    at = row.released_at if row.released_at.tzinfo else row.released_at.replace(tzinfo=UTC)
    return {
        "release": int(row.id),
        "dataflow": row.dataflow_id,
        "vintage": int(row.vintage_id),
        "released_at": at.isoformat(timespec="seconds"),
    }


def _entry(base: Path, path: Path, rows: int) -> dict[str, Any]:
    return {
        "path": path.relative_to(base).as_posix(),
        "bytes": path.stat().st_size,
        "rows": rows,
        "sha256": sha256(path),
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recorded(conn: Connection, release_id: int) -> Snapshot | None:
    folder = conn.execute(
        select(release_snapshot.c.folder).where(release_snapshot.c.release_id == release_id)
    ).scalar()
    return None if folder is None else Snapshot(release_id, folder, {})


def missing(conn: Connection) -> list[int]:
    """Releases without a snapshot (made before snapshots, or while no worker ran)."""
    done = select(release_snapshot.c.release_id)
    return [
        int(r)
        for r in conn.execute(
            select(data_release.c.id)
            .where(data_release.c.id.not_in(done))
            .order_by(data_release.c.id)
        ).scalars()
    ]


def write_missing(engine: Engine, root: Path) -> list[int]:
    written = []
    for release_id in _each_missing(engine):
        with engine.begin() as conn:
            write(conn, release_id, root)
        written.append(release_id)
    return written


def _each_missing(engine: Engine) -> Iterator[int]:
    with engine.connect() as conn:
        yield from missing(conn)


def manifest(root: Path, folder: str) -> dict[str, Any] | None:
    """The manifest of a recorded snapshot folder (``None`` when the folder is gone)."""
    path = root / folder / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def file_path(root: Path, folder: str, name: str) -> Path | None:
    """A file the manifest of ``folder`` lists (nothing else is ever served)."""
    found = manifest(root, folder)
    listed = {f["path"] for f in (found or {}).get("files", [])} | {MANIFEST}
    return root / folder / name if found is not None and name in listed else None


def defer(conn: Connection, release_id: int) -> None:
    """Ask for the snapshot of ``release_id`` once ``conn``'s transaction has committed."""
    conn.info.setdefault(PENDING, []).append(release_id)


def take(conn: Connection) -> list[int]:
    """The releases ``defer`` asked for (and forget them: the connection goes back to a pool)."""
    return list(conn.info.pop(PENDING, []))


def write_after_commit(engine: Engine, release_ids: list[int], root: Path) -> list[int]:
    """Write the snapshots of releases just committed; a failure is logged and audited, never
    raised (the release stands; the worker's next round writes what is missing)."""
    written = []
    for release_id in release_ids:
        try:
            with engine.begin() as conn:
                write(conn, release_id, root)
            written.append(release_id)
        except Exception as exc:  # the release is committed: report, never undo it
            log.exception("snapshot of release %s failed", release_id)
            _report_failure(engine, release_id, exc)
    return written


def _report_failure(engine: Engine, release_id: int, exc: Exception) -> None:
    try:
        with engine.begin() as conn:
            audit.record(
                conn,
                action="release.snapshot",
                username="system",
                role="admin",
                target=f"release#{release_id}",
                ok=False,
                detail={"error": f"{type(exc).__name__}: {exc}"[:1000]},
            )
    except Exception:
        log.exception("could not record the failed snapshot of release %s", release_id)
