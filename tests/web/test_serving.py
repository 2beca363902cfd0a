"""``shumao serve --workers 2`` spreads connections over its workers (``web/serving.py``).

Before, uvicorn's supervisor bound one socket and both workers accepted from it: whichever
woke first took every connection waiting (50:0 and 48:2 of 50 benchmark clients). Now each
worker listens on a socket of its own (``SO_REUSEPORT``) and the kernel spreads the
connections among them; the supervisor's socket is bound but never listens.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shumao.web import serving
from web.live import free_port

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
CONNECTIONS = 100

pytestmark = pytest.mark.skipif(not serving.REUSE_PORT, reason="needs SO_REUSEPORT (Linux)")


def test_two_workers_each_accept_on_their_own_socket(cli_env: dict[str, str]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, "serve", "--workers", "2", "--port", str(port)],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_up(port, proc)
        deadline = time.monotonic() + 120
        while True:  # the second worker may still be starting
            listening = {pid: _listening(pid, port) for pid in [proc.pid, *_children(proc.pid)]}
            served = {pid: found for pid, found in listening.items() if found and pid != proc.pid}
            if len(served) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert listening[proc.pid] == set(), "the supervisor's socket must not listen"
        assert len(served) == 2
        first, second = served.values()
        assert first.isdisjoint(second), "each worker listens on a socket of its own"
        for pid in served:  # HTTP parsed by httptools, the loop uvloop's (web_load.py: −10 %)
            mapped = Path(f"/proc/{pid}/maps").read_text()
            assert "/httptools/" in mapped and "/uvloop/" in mapped, pid

        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
        try:
            time.sleep(0.5)  # the workers accept
            held = {pid: _connections(pid, port) for pid in served}
            assert sum(held.values()) == CONNECTIONS
            assert min(held.values()) >= CONNECTIONS // 4, held
        finally:
            for c in clients:
                c.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def test_a_worker_socket_answers_without_waiting_for_the_clients_ack() -> None:
    """The connections a worker accepts have Nagle's algorithm off, as uvicorn's own have.

    asyncio turns it off (``TCP_NODELAY``) only on sockets made with protocol
    ``IPPROTO_TCP``; the worker sockets were made with protocol 0, so a response written in
    two parts (uvicorn writes the headers, then the body) waited for the client's delayed
    acknowledgement: one keep-alive client measured 44–60 ms per request with
    ``--workers 2`` against 3–5 ms with one worker, whose socket uvicorn makes itself.
    """
    supervisor = serving.bound("127.0.0.1", 0)
    worker = pickle.loads(pickle.dumps(supervisor))  # what a worker process receives
    supervisor.close()

    async def accepted_nodelay() -> int:
        got: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            got.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accept, sock=worker)
        async with server:
            _, writer = await asyncio.open_connection(*worker.getsockname())
            try:
                return await asyncio.wait_for(got, 10)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0


def _wait_until_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/dataflows", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("shumao serve --workers 2 did not answer within 120 s")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return [p for p in found if _listening(p, None) is not None]


def _inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def _tcp(state: str, port: int) -> set[str]:
    """Inodes of this machine's IPv4 TCP sockets in ``state`` (0A listen, 01 established)
    whose local port is ``port``."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == state and int(fields[1].split(":")[1], 16) == port:
            found.add(fields[9])
    return found


def _listening(pid: int, port: int | None) -> set[str] | None:
    """The listening sockets on ``port`` that ``pid`` holds (``None``: not readable)."""
    try:
        mine = _inodes(pid)
    except OSError:
        return None
    return mine & _tcp("0A", port) if port is not None else mine


def _connections(pid: int, port: int) -> int:
    return len(_inodes(pid) & _tcp("01", port))
