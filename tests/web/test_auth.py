"""Passwords, users and scopes, sessions, CSRF, login rate limiting, the audit log of logins."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from shumao import access
from shumao.auth import audit, passwords, users
from shumao.auth.scope import Scope
from shumao.auth.sessions import COOKIE
from shumao.config import Settings
from shumao.errors import ConflictError, NotAllowed
from web.conftest import client_for, login
from web.factories import PASSWORD, USCC_A, make_enterprise, make_user


def test_passwords_are_argon2_hashes_never_plain_text() -> None:
    stored = passwords.hash_password("correct horse 1")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert passwords.verify(stored, "correct horse 1")
    assert not passwords.verify(stored, "correct horse 2")
    with pytest.raises(NotAllowed, match="至少"):
        passwords.hash_password("short")


def test_a_scope_must_suit_its_role(engine: Engine) -> None:
    make_enterprise(engine)
    with engine.begin() as conn:
        with pytest.raises(NotAllowed):
            users.create_user(
                conn, username="x1", password=PASSWORD, role="province", scope="320100"
            )  # a city code is not a province scope
        with pytest.raises(NotAllowed):
            wrong = USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1")
            users.create_user(
                conn, username="x2", password=PASSWORD, role="enterprise", scope=wrong
            )  # wrong check character
        with pytest.raises(NotAllowed):
            users.create_user(conn, username="x3", password=PASSWORD, role="public")
        made = users.create_user(
            conn, username="x4", password=PASSWORD, role="park", scope="南京软件谷"
        )
    assert made.scope == "DSEB05"  # names are resolved to codes


def test_user_names_are_unique(engine: Engine) -> None:
    make_user(engine, "dup", "ministry")
    with pytest.raises(ConflictError):
        make_user(engine, "dup", "ministry")


def test_a_province_scope_covers_its_cities_counties_parks_and_enterprises(engine: Engine) -> None:
    make_enterprise(engine)
    with engine.connect() as conn:
        inside = access.area_codes(conn, Scope("province", "320000", "p"))
        city = access.area_codes(conn, Scope("city", "320100", "c"))
        park = access.area_codes(conn, Scope("park", "DSEB05", "k"))
        assert access.area_codes(conn, Scope("ministry", username="m")) is None
        assert access.area_codes(conn, Scope.public()) == frozenset()
    assert inside is not None and city is not None and park is not None
    assert {"320000", "320100", "320114", "320505", "DSEB05", USCC_A} <= inside
    assert "330000" not in inside and "DSEB06" not in inside
    assert {"320100", "320114", "DSEB05", USCC_A} <= city and "320505" not in city
    assert park == {"DSEB05", USCC_A}


def test_login_sets_an_httponly_samesite_cookie_and_logout_ends_the_session(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        r = c.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD})
        assert r.status_code == 200
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and COOKIE in cookie
        assert c.get("/api/me").json()["role"] == "ministry"
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        assert c.post("/api/auth/logout").status_code == 204
        assert c.get("/api/me").status_code == 401


def test_a_stolen_cookie_is_useless_after_logout(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        login(c, "analyst")
        stolen = c.cookies.get(COOKIE)
        c.post("/api/auth/logout")
    with client_for(app) as thief:
        thief.cookies.set(COOKIE, stolen)
        assert thief.get("/api/me").status_code == 401


def test_a_forged_cookie_is_refused(client) -> None:
    client.cookies.set(COOKIE, "made-up.signature")
    assert client.get("/api/me").status_code == 401


def test_wrong_password_gets_one_message_and_is_audited(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        wrong = c.post("/api/auth/login", json={"username": "analyst", "password": "nope-nope"})
        unknown = c.post("/api/auth/login", json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    with engine.connect() as conn:
        entries, total = audit.browse(conn, action="login")
    assert total == 2 and not any(e.ok for e in entries)
    assert {e.detail["reason"] for e in entries if e.detail} == {"password", "unknown"}


def test_logins_are_rate_limited_per_user(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        codes = [
            c.post(
                "/api/auth/login", json={"username": "analyst", "password": "wrong-pass"}
            ).status_code
            for _ in range(5)
        ]
        right = c.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD})
    assert codes == [403] * 5
    assert right.status_code == 429
    assert right.json()["error"]["type"] == "too_many_attempts"
    assert "Retry-After" in right.headers


def test_a_disabled_user_cannot_log_in_and_loses_open_sessions(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        login(c, "analyst")
        with engine.begin() as conn:
            users.update_user(conn, username="analyst", active=False)
        assert c.get("/api/me").status_code == 401
        again = c.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD})
    assert again.status_code == 403


def test_changes_without_the_csrf_token_are_refused(app, engine) -> None:
    make_user(engine, "boss", "admin")
    with client_for(app) as c:
        login(c, "boss")
        del c.headers["X-CSRF-Token"]
        r = c.post(
            "/api/admin/users", json={"username": "new", "password": PASSWORD, "role": "ministry"}
        )
        assert r.status_code == 403 and r.json()["error"]["type"] == "csrf"
        page = c.post(
            "/admin/users",
            data={
                "username": "new",
                "password": PASSWORD,
                "role": "ministry",
                "csrf_token": "forged",
            },
        )
        assert page.status_code == 403


def test_the_login_form_needs_its_double_submit_token(app, engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:
        refused = c.post(
            "/login", data={"username": "analyst", "password": PASSWORD, "login_token": "forged"}
        )
        assert refused.status_code == 403
        form = c.get("/login").text
        token = form.split('name="login_token" value="')[1].split('"')[0]
        ok = c.post(
            "/login",
            data={
                "username": "analyst",
                "password": PASSWORD,
                "login_token": token,
                "next": "https://evil.example/",
            },
            follow_redirects=False,
        )
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # no open redirect


def test_the_language_switch_keeps_the_page(client) -> None:
    r = client.get("/lang/en?next=/explorer", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/explorer"
    client.cookies.set("lang", "en")
    assert "Data explorer" in client.get("/explorer").text


@pytest.mark.parametrize("same_address", [True, False])
def test_parallel_wrong_passwords_get_exactly_the_limit_of_checks(
    engine, monkeypatch: pytest.MonkeyPatch, same_address: bool
) -> None:
    """50 wrong passwords for one user at once: 5 password checks, 45 refusals (the audit
    counted 21 checks when failures were read from the audit log). From 50 addresses the
    user's own count decides; from one address too (20 is that address's limit)."""
    import threading

    from shumao.auth import passwords
    from shumao.auth.ratelimit import TooManyAttempts
    from shumao.web.config import WebConfig
    from shumao.web.services import auth as service

    make_user(engine, "analyst", "ministry")
    config = WebConfig.from_settings(Settings(environment="test"))
    checks: list[int] = []
    verify = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda *a: checks.append(1) or verify(*a))
    barrier = threading.Barrier(50)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            service.login(
                engine,
                username="analyst",
                password="wrong-pass",
                ip="10.0.0.1" if same_address else f"10.0.0.{i}",
                config=config,
            )
        except TooManyAttempts:
            outcomes.append("locked")
        except NotAllowed:
            outcomes.append("wrong")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(checks) == 5
    assert sorted(outcomes) == ["locked"] * 45 + ["wrong"] * 5


def test_an_address_is_limited_across_user_names(app, engine) -> None:
    """Four failures for each of five users from one address: 20, the address's limit; the
    21st attempt is refused for the address although its user has one failure left."""
    for i in range(5):
        make_user(engine, f"u{i}", "ministry")
    with client_for(app) as c:
        answers = [
            c.post("/api/auth/login", json={"username": f"u{i % 5}", "password": "wrong-pass"})
            for i in range(21)
        ]
    assert [r.status_code for r in answers] == [403] * 20 + [429]
    assert "此地址登录失败次数过多" in answers[-1].json()["error"]["message_zh"]


def test_a_crowd_behind_one_address_is_not_locked_out(engine) -> None:
    """30 users logging in at once from one address (an office router, a reverse proxy), more
    than the address's limit of 20 failures: every right password gets in."""
    import threading

    from shumao.web.config import WebConfig
    from shumao.web.services import auth as service

    for i in range(30):
        make_user(engine, f"clerk{i}", "ministry")
    config = WebConfig.from_settings(Settings(environment="test"))
    barrier = threading.Barrier(30)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            service.login(
                engine, username=f"clerk{i}", password=PASSWORD, ip="10.0.0.1", config=config
            )
            outcomes.append("in")
        except NotAllowed as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert outcomes == ["in"] * 30
