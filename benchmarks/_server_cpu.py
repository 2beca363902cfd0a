"""CPU seconds of a local PostgreSQL server: the work a client's ``process_time`` does not see.

A PostgreSQL import or search spends most of its time in the server (parsing COPY, checking
keys, writing WAL). When the server runs on this machine, its processes' CPU is readable
from ``/proc``: the postmaster's own and its reaped children's (``cutime``/``cstime``) plus
every live child's (backends, WAL writer, checkpointer). The difference between two readings
is the server CPU spent in between, whoever asked for it, so on a shared cluster only the
benchmark's own database should be busy while it is measured.

Returns ``None`` when the server is not local (or not readable): the figure is then left out,
never guessed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, text

_TICKS = os.sysconf("SC_CLK_TCK")


def postmaster_pid(engine: Engine) -> int | None:
    """The pid of the server's postmaster, if it runs on this machine and ``/proc`` shows it."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    if engine.url.host not in (None, "", "localhost", "127.0.0.1", "::1"):
        return None
    with engine.connect() as conn:
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    fields = _stat(backend)
    return int(fields[1]) if fields else None


def server_cpu(postmaster: int | None) -> float | None:
    """CPU seconds used so far by the postmaster, its live children and its reaped ones."""
    if postmaster is None:
        return None
    own = _stat(postmaster)
    if own is None:
        return None
    ticks = sum(int(x) for x in own[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == postmaster:
            continue
        fields = _stat(int(entry.name))
        if fields and int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICKS


def _stat(pid: int) -> list[str] | None:
    """``/proc/pid/stat`` after the command name: [state, ppid, …] (index = field − 3)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its live descendants (uvicorn's workers)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields:
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS)
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, (parent, _) in stats.items() if parent in mine} - mine
        mine |= more
        grew = bool(more)
    return sum(stats[pid][1] for pid in mine if pid in stats)
