"""What a request may see follows its login session (``sessions.scope_of``): the user's scope
while the session lives, the public's without one and after logout."""

from __future__ import annotations

from sqlalchemy import Engine

from shumao.auth import sessions, users
from shumao.auth.scope import Scope

SECRET = "test-secret-of-the-session-tests-32b"


def test_the_scope_of_a_session_is_its_users_and_the_publics_without_one(engine: Engine) -> None:
    with engine.begin() as conn:
        user = users.create_user(
            conn,
            username="jiangsu",
            password="a-long-pass-phrase",
            role="province",
            scope="320000",
        )
        cookie, _ = sessions.start(conn, user=user, secret=SECRET, hours=1)
        live = sessions.load(conn, cookie=cookie, secret=SECRET)
        sessions.end(conn, cookie=cookie, secret=SECRET)
        ended = sessions.load(conn, cookie=cookie, secret=SECRET)
    scope = sessions.scope_of(live)
    assert (scope.role, scope.code, scope.username) == ("province", "320000", "jiangsu")
    assert not scope.is_public
    assert ended is None and sessions.scope_of(ended) == Scope.public()
    assert sessions.scope_of(ended).is_public
