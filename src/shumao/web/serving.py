"""Several web worker processes, each accepting connections on a socket of its own.

uvicorn's ``--workers`` binds one socket in its supervisor and every worker accepts from that
one socket: the worker whose event loop wakes first takes every connection waiting (asyncio
accepts up to the backlog per wake-up), so clients that connect at once all land on one
worker while the other cores idle. Measured with 50 keep-alive clients and 2 workers
(``benchmarks/alerts_web.py``), the split was 50:0, 48:2, 43:7, 37:13 in turn: the p95 of a
run depended on which worker woke first. Here each worker listens on a socket of its own on
the same address (``SO_REUSEPORT``), and the kernel spreads new connections among them by
their addresses' hash (``tests/web/test_serving.py``: 40 connections at once, both workers
get some).

uvicorn's supervisor is kept (it restarts a dead worker, answers SIGHUP, SIGTTIN and SIGTTOU,
pings its workers); what it hands each worker is a ``WorkerSocket``, which arrives in the
worker process as a new socket of its own bound to the same address, not as a copy of the
supervisor's (``__reduce__``). The supervisor's socket is bound, never listening: it reserves
the address and fails early when another program holds it, and receives no connection.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn import Config
from uvicorn.supervisors import Multiprocess

REUSE_PORT = hasattr(socket, "SO_REUSEPORT")
"""Linux, the BSDs and macOS have it; elsewhere ``run`` serves as uvicorn does."""


class WorkerSocket(socket.socket):
    """A socket bound with ``SO_REUSEPORT`` that is sent to a worker process as a new one."""

    where: tuple[str, int]

    def __reduce__(self) -> tuple[Any, ...]:
        return (bound, self.where)


def bound(host: str, port: int) -> WorkerSocket:
    """A socket bound to ``host``:``port`` that other sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets
    # of that protocol; without it every response written in two parts waited for the
    # client's delayed acknowledgement (≈ 40 ms; tests/web/test_serving.py).
    sock = WorkerSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    sock.where = (host, int(sock.getsockname()[1]))
    return sock


def run(config: Config) -> None:
    """Serve ``config`` (its ``workers`` > 1, its app given by name) until a signal ends it."""
    if not REUSE_PORT:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    reserved = bound(config.host, config.port)
    try:
        Multiprocess(config, sockets=[reserved]).run()
    finally:
        reserved.close()
