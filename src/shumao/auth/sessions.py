"""Server-side sessions behind a signed cookie, and CSRF tokens.

The cookie holds a random token signed with the settings' secret key (``itsdangerous``); the
table keeps only the token's SHA-256, the user, the expiry and the session's CSRF token. Logging
out, changing a password or disabling a user deletes the rows, which ends the session at once.

Forms carry the session's CSRF token in a hidden field, API calls in the ``X-CSRF-Token``
header. Before login the login form uses a double-submit token: a signed random value in a
cookie that the form must echo.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import Connection, delete, insert, select

from shumao.auth import session_cache
from shumao.auth.scope import Scope
from shumao.auth.tables import auth_session
from shumao.auth.users import User, get_user

COOKIE = "shumao_session"
LOGIN_CSRF_COOKIE = "shumao_login_csrf"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def scope_of(session: Session | None) -> Scope:
    """What the requester of a login session may see: the user's scope, or the public's when
    not logged in (no session, an expired or an unknown one)."""
    return session.user.access if session else Scope.public()


def _signer(secret: str, salt: str) -> Signer:
    return Signer(secret, salt=salt)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(conn: Connection, *, user: User, secret: str, hours: float) -> tuple[str, Session]:
    """Create a session; return the cookie value and the session."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=hours)
    csrf = secrets.token_urlsafe(24)
    conn.execute(
        insert(auth_session).values(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    cookie = _signer(secret, "session").sign(token).decode()
    return cookie, Session(user, csrf, expires)


def _token(cookie: str, secret: str) -> str | None:
    try:
        return _signer(secret, "session").unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def load(conn: Connection, *, cookie: str, secret: str) -> Session | None:
    """The live session of a cookie value, or ``None`` (bad signature, expired, user disabled)."""
    token = _token(cookie, secret)
    if token is None:
        return None
    row = conn.execute(
        select(auth_session).where(auth_session.c.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    user = get_user(conn, row.user_id)
    if not user.active:
        return None
    return Session(user, row.csrf_token, expires)


def load_recent(conn: Connection, *, cookie: str, secret: str, ttl: float) -> Session | None:
    """``load``, answered from the process's ``session_cache`` when the same cookie was read
    less than ``ttl`` seconds ago (see that module for when a change is seen)."""
    found = remembered(cookie, ttl)
    if found is not None:
        return found
    loaded = load(conn, cookie=cookie, secret=secret)
    if loaded is not None:
        session_cache.CACHE.put(cookie, loaded.user.id, loaded, ttl)
    return loaded


def remembered(cookie: str, ttl: float) -> Session | None:
    """The unexpired session read for ``cookie`` less than ``ttl`` seconds ago, if any."""
    found = session_cache.CACHE.get(cookie, ttl)
    if isinstance(found, Session) and found.expires_at > datetime.now(UTC):
        return found
    return None


def end(conn: Connection, *, cookie: str, secret: str) -> None:
    session_cache.CACHE.forget(cookie)
    token = _token(cookie, secret)
    if token is not None:
        conn.execute(delete(auth_session).where(auth_session.c.token_hash == _digest(token)))


def purge_expired(conn: Connection) -> int:
    done = conn.execute(delete(auth_session).where(auth_session.c.expires_at <= datetime.now(UTC)))
    return int(done.rowcount or 0)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (``None`` never matches)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def new_login_token(secret: str) -> tuple[str, str]:
    """(cookie value, form value) of a double-submit token for the login form."""
    raw = secrets.token_urlsafe(24)
    return _signer(secret, "login-csrf").sign(raw).decode(), raw


def login_token_ok(cookie: str | None, form_value: str | None, secret: str) -> bool:
    if not cookie or not form_value:
        return False
    try:
        raw = _signer(secret, "login-csrf").unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return False
    return same(raw, form_value)
