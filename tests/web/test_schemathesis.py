"""Fuzzing every operation of the OpenAPI schema with schemathesis: no input gives a 500.

Each operation's cases — valid (positive) and invalid (negative) inputs generated from the
schema — are sent as the public (no session), as an enterprise filer and as an administrator
(a session cookie and its CSRF token) to the application on the seeded two-province world,
``EXAMPLES`` cases per operation (bounded so the three runs take well under a minute each).
Operations that would end the session or write backup files are left out of the logged-in
runs.

(schemathesis' ``pytest.from_fixture`` does not run under pytest 9, so the operations'
Hypothesis strategies are driven directly.)
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from shumao.auth.sessions import COOKIE
from web.conftest import client_for, login
from web.factories import World

EXAMPLES = 20
SKIP_LOGGED_IN = re.compile(r"/api/auth/logout|/api/admin/backups")


def _operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(
    operation: schemathesis.APIOperation, cookies: dict[str, str], headers: dict[str, str]
) -> list[str]:
    failures: list[str] = []
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(cookies=cookies, headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query}: "
                f"{response.status_code} {response.text[:300]}"
            )

    run()
    return failures


def test_the_schema_lists_every_api_operation(app: FastAPI) -> None:
    paths = {op.path for op in _operations(app)}
    assert {
        "/api/overview",
        "/api/explore",
        "/sdmx/data/{flow}/{key}",
        "/api/filings/upload",
        "/api/admin/users",
        "/api/filings/export",
        "/api/filings/todo",
        "/api/filings/response-overview",
        "/api/policy/search",
        "/api/policy/documents/{doc_id}",
    } <= paths


@pytest.mark.parametrize("who", ["public", "enterprise", "admin"])
def test_no_generated_input_causes_a_server_error(who: str, app: FastAPI, world: World) -> None:
    cookies: dict[str, str] = {}
    headers: dict[str, str] = {}
    if who != "public":
        with client_for(app) as c:
            headers["X-CSRF-Token"] = login(c, world.users[who])
            cookies[COOKIE] = str(c.cookies.get(COOKIE))
    failures: list[str] = []
    for operation in _operations(app):
        if who != "public" and SKIP_LOGGED_IN.search(operation.path):
            continue
        failures += _fuzz(operation, cookies, headers)
    assert not failures, "\n".join(failures[:20])
