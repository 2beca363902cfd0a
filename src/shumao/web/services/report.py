"""The annual report page: build jobs in the background, their progress, their files.

Ministry and administrators only. A build runs in a worker thread (one at a time per process:
WeasyPrint and matplotlib are CPU-bound); the page polls the job's progress. Jobs live in
memory for the life of the process; their files stay in ``<data_dir>/reports/<job>/`` and every
build is in the audit log.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.config import Settings
from shumao.errors import NotAllowed, ShumaoError, UnknownCode
from shumao.release import calendar, documents
from shumao.report.build import FORMATS, ReportRejected, Request, build

MAX_JOBS = 50


@dataclass
class Job:
    id: str
    year: int
    formats: tuple[str, ...]
    lang: str
    username: str
    status: str = "queued"
    stage: str = ""
    done: int = 0
    total: int = 1
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "year": self.year,
            "formats": list(self.formats),
            "lang": self.lang,
            "status": self.status,
            "stage": self.stage,
            "percent": round(100 * self.done / max(self.total, 1)),
            "files": {fmt: f"/report/jobs/{self.id}/{fmt}" for fmt in self.files},
            "problems": self.problems,
            "summary": self.summary,
        }


class JobBoard:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.building = threading.Lock()
        self.threads: list[threading.Thread] = []

    def run(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="report-build")
        with self.lock:
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout: float = 600.0) -> bool:
        """Wait for every build to end (shutdown, tests); True when none is left running."""
        with self.lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in threads)

    def add(self, job: Job) -> None:
        with self.lock:
            self.jobs[job.id] = job
            while len(self.jobs) > MAX_JOBS:
                self.jobs.pop(next(iter(self.jobs)))

    def get(self, job_id: str) -> Job:
        with self.lock:
            found = self.jobs.get(job_id)
        if found is None:
            raise UnknownCode("报告生成任务 report builds", job_id)
        return found

    def listed(self) -> list[Job]:
        with self.lock:
            return list(reversed(self.jobs.values()))


def require(scope: Scope) -> None:
    if not permissions.may_build_report(scope):
        raise NotAllowed(
            "只有商务部和系统管理员可以生成年度报告 / the ministry and administrators only"
        )


def passages_dir(settings: Settings, year: int) -> Path:
    return (settings.report_dir or settings.data_dir / "report") / str(year) / "passages"


def parse_overrides(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, reason = line.partition("=")
        if sep and key.strip() and reason.strip():
            out[key.strip()] = reason.strip()
        elif line.strip():
            raise ShumaoError(f"放行声明应为 编号=理由 / an override is CLAIM_ID=reason: {line}")
    return out


def start(
    engine: Engine,
    *,
    scope: Scope,
    settings: Settings,
    board: JobBoard,
    year: int,
    formats: list[str],
    lang: str = "zh",
    as_of: str = "",
    overrides: str = "",
    ip: str = "",
) -> Job:
    """Check the request, record it in the audit log and start the build in the background."""
    require(scope)
    chosen = tuple(f for f in FORMATS if f in formats)
    if not chosen:
        raise ShumaoError("请至少选择一种格式 / choose at least one format")
    if lang not in ("zh", "en"):
        raise ShumaoError("语言应为 zh 或 en / language must be zh or en")
    job = Job(uuid.uuid4().hex[:12], year, chosen, lang, scope.username)
    req = Request(
        year=year,
        formats=chosen,
        lang=lang,
        as_of=_as_of(as_of),
        passages=passages_dir(settings, year),
        out_dir=settings.data_dir / "reports" / job.id,
        overrides=parse_overrides(overrides),
        cache_dir=settings.data_dir / "cache" / "report",
        link_base=settings.public_url,
    )
    with engine.begin() as conn:
        audit.record_by(
            conn,
            scope,
            action="report.build",
            target=f"{year} {','.join(chosen)} {lang}",
            ip=ip,
            detail={"job": job.id, "as_of": as_of or None, "overrides": req.overrides or None},
        )
    board.add(job)
    board.run(_run, engine, req, job, board)
    return job


def _as_of(text: str) -> int | datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text) if text.isdigit() else datetime.fromisoformat(text)
    except ValueError:
        raise ShumaoError(
            f"数据版本应为版本号或日期 / vintage must be an id or a date: {text}"
        ) from None


def _run(engine: Engine, req: Request, job: Job, board: JobBoard) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        job.stage, job.done, job.total = stage, done, total

    with board.building:
        job.status = "running"
        try:
            result = build(engine, req, progress)
        except ReportRejected as exc:
            job.problems = [
                {
                    "code": f.code,
                    "zh": f.message_zh,
                    "en": f.message_en,
                    "where": f.location,
                    "fix_zh": f.fix_zh,
                    "fix_en": f.fix_en,
                }
                for f in exc.report.errors
            ]
            job.status = "failed"
            return
        except Exception as exc:  # a failed build must show on the page, not hang it
            job.problems = [
                {
                    "code": "error",
                    "zh": str(exc),
                    "en": str(exc),
                    "where": "",
                    "fix_zh": "",
                    "fix_en": "",
                }
            ]
            job.status = "failed"
            return
        doc = result.document
        job.files = dict(result.files)
        job.summary = {
            "zh": f"{len(doc.figures)} 个数字可追溯；因缺少数据略去 {len(doc.omitted)} 句",
            "en": f"{len(doc.figures)} traceable figures; {len(doc.omitted)} "
            "sentences left out for missing data",
        }
        job.done = job.total
        job.status = "done"


def job_status(*, scope: Scope, board: JobBoard, job_id: str) -> dict[str, Any]:
    require(scope)
    return board.get(job_id).public()


def job_file(*, scope: Scope, board: JobBoard, job_id: str, fmt: str) -> Path:
    require(scope)
    job = board.get(job_id)
    if fmt not in job.files:
        raise UnknownCode(f"任务 {job_id} 的文件 files of build {job_id}", fmt)
    return job.files[fmt]


def jobs(*, scope: Scope, board: JobBoard) -> list[dict[str, Any]]:
    require(scope)
    return [j.public() for j in board.listed()]


def attach(
    conn: Connection,
    *,
    scope: Scope,
    board: JobBoard,
    job_id: str,
    entry_id: int,
    root: Path,
    ip: str = "",
) -> list[documents.Document]:
    """Attach a finished build's files to a scheduled report release (embargoed until its
    minute; ``release.documents``)."""
    require(scope)
    job = board.get(job_id)
    if job.status != "done" or not job.files:
        raise ShumaoError(f"报告生成任务 {job_id} 尚未完成 / build {job_id} has not finished")
    return documents.attach(
        conn, scope=scope, entry_id=entry_id, files=list(job.files.values()), root=root, ip=ip
    )


def report_entries(conn: Connection) -> list[calendar.Entry]:
    """The report releases still to come (where a finished build's files may go)."""
    return [e for e in calendar.entries(conn) if e.kind == "report" and e.status == "scheduled"]
