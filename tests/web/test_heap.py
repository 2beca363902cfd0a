"""A serving process freezes its long-lived objects at start-up (``web/heap.py``): a full
collection of the cyclic garbage collector walked all ~330,000 of them, 110–175 ms during
which the worker answered nothing (benchmarks/README.md). An application made by
``create_app`` alone (tests, embedding) freezes nothing.

Run in a child process: freezing is for the whole process, and this one runs the suite."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import gc, json
from starlette.testclient import TestClient
from shumao.web.app import create_app

with TestClient(create_app()) as c:
    plain_status = c.get("/api/overview").status_code
plain = gc.get_freeze_count()
plain_young = gc.get_threshold()[0]

from shumao.web.asgi import app
with TestClient(app) as c:
    served_status = c.get("/api/overview").status_code
    served = gc.get_freeze_count()
    tracked = len(gc.get_objects())
    young = gc.get_threshold()[0]
print(json.dumps(dict(plain=plain, plain_status=plain_status, served=served,
                      served_status=served_status, tracked=tracked, plain_young=plain_young,
                      young=young)))
"""


def test_a_serving_process_freezes_what_it_keeps(cli_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=cli_env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["plain_status"] == got["served_status"] == 200
    assert got["plain"] == 0  # create_app alone: nothing frozen
    # asgi's application froze what the process held at start-up, the reference tables with it
    assert got["served"] > 100_000
    # what a full collection still walks is what was made since: a small part of it
    assert got["tracked"] < got["served"] / 4, got
    # and collects the youngest generation after 10,000 new objects, not Python's 700
    assert (got["plain_young"], got["young"]) == (700, 10_000)
