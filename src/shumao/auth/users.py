"""Users: create, list, change password, role, scope or status; authenticate a login.

A user has one role and, for the scoped roles, one scope code (checked by ``Scope.of``: a valid
USCC, a known park, a city or province code of the right level). Every change is written to
the audit log by the caller's service (``web.services.admin``) or the CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from shumao.auth import audit, passwords, ratelimit, session_cache
from shumao.auth.roles import PUBLIC
from shumao.auth.scope import Scope
from shumao.auth.tables import app_user, auth_session
from shumao.errors import ConflictError, NotAllowed, UnknownCode

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
BAD_LOGIN = "用户名或密码错误 / wrong user name or password"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    scope: str
    active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None

    @property
    def access(self) -> Scope:
        return Scope(self.role, self.scope, self.username)


def _user(row: Any) -> User:
    data = {k: v for k, v in row._mapping.items() if k != "password_hash"}
    for key in ("created_at", "updated_at", "last_login_at"):
        if data[key] is not None and data[key].tzinfo is None:
            data[key] = data[key].replace(tzinfo=UTC)
    return User(**data)


def _checked_scope(username: str, role: str, scope: str) -> Scope:
    if role == PUBLIC:
        raise NotAllowed("公众不需要账号 / the public needs no account")
    return Scope.of(username, role, scope)


def create_user(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: str,
    scope: str = "",
    display_name: str = "",
) -> User:
    if not USERNAME.match(username):
        raise NotAllowed(
            f"用户名“{username}”只能包含字母、数字和 _ . @ -（2–64 个字符）/ "
            "a user name is 2-64 letters, digits or _ . @ -"
        )
    checked = _checked_scope(username, role, scope)
    if find_user(conn, username) is not None:
        raise ConflictError(f"用户名“{username}”已存在 / user {username!r} exists")
    now = datetime.now(UTC)
    new_id = conn.execute(
        insert(app_user)
        .values(
            username=username,
            display_name=display_name or username,
            password_hash=passwords.hash_password(password),
            role=checked.role,
            scope=checked.code,
            active=True,
            created_at=now,
            updated_at=now,
        )
        .returning(app_user.c.id)
    ).scalar_one()
    return get_user(conn, int(new_id))


def find_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(app_user).where(app_user.c.username == username)).first()
    return _user(row) if row else None


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(app_user).where(app_user.c.id == user_id)).first()
    if row is None:
        raise UnknownCode("用户 users", user_id)
    return _user(row)


def require_user(conn: Connection, username: str) -> User:
    found = find_user(conn, username)
    if found is None:
        raise UnknownCode("用户 users", username)
    return found


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(app_user).order_by(app_user.c.username))]


def set_password(conn: Connection, *, username: str, password: str) -> User:
    user = require_user(conn, username)
    conn.execute(
        update(app_user)
        .where(app_user.c.id == user.id)
        .values(password_hash=passwords.hash_password(password), updated_at=datetime.now(UTC))
    )
    _end_sessions(conn, user.id)
    return get_user(conn, user.id)


def update_user(
    conn: Connection,
    *,
    username: str,
    role: str | None = None,
    scope: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> User:
    """Change role/scope (checked together), status or name; ends the user's sessions."""
    user = require_user(conn, username)
    checked = _checked_scope(username, role or user.role, user.scope if scope is None else scope)
    values: dict[str, Any] = {
        "role": checked.role,
        "scope": checked.code,
        "updated_at": datetime.now(UTC),
    }
    if active is not None:
        values["active"] = active
    if display_name is not None:
        values["display_name"] = display_name.strip() or username
    conn.execute(update(app_user).where(app_user.c.id == user.id).values(**values))
    _end_sessions(conn, user.id)
    return get_user(conn, user.id)


def _end_sessions(conn: Connection, user_id: int) -> None:
    session_cache.CACHE.forget_user(user_id)
    conn.execute(delete(auth_session).where(auth_session.c.user_id == user_id))


def authenticate(
    conn: Connection,
    *,
    username: str,
    password: str,
    ip: str = "",
    limit: ratelimit.LoginLimit | None = None,
) -> User | None:
    """The user if the password is right, else ``None``; every attempt goes to the audit log.

    Returns ``None`` (rather than raising) for an unknown user, a wrong password or a disabled
    account so that the caller commits the failure's audit row; raise ``NotAllowed(BAD_LOGIN)``
    after committing. Rate limiting comes first, in its own transaction
    (``ratelimit.reserve``, see ``web.services.auth.login``, which also checks the password
    outside the write transaction: ``check_password`` then ``record_login``).
    """
    return record_login(
        conn, check_password(conn, username=username, password=password), ip=ip, limit=limit
    )


@dataclass(frozen=True)
class PasswordCheck:
    username: str
    password: str
    row: Any
    """The user's row, or ``None`` for an unknown name."""
    ok: bool


def check_password(conn: Connection, *, username: str, password: str) -> PasswordCheck:
    """Read the user and verify the password (argon2: the slow part, needing no write lock)."""
    row = conn.execute(select(app_user).where(app_user.c.username == username)).first()
    if row is None:
        passwords.burn(password)
    ok = row is not None and passwords.verify(row.password_hash, password)
    return PasswordCheck(username, password, row, ok)


def record_login(
    conn: Connection,
    checked: PasswordCheck,
    *,
    ip: str = "",
    limit: ratelimit.LoginLimit | None = None,
) -> User | None:
    """Write what a checked log-in leaves: the audit row, the rate-limit counts, the user's
    last log-in (and a rehash when the hashing parameters changed). ``None`` when refused."""
    now = datetime.now(UTC)
    row = checked.row
    if row is None or not checked.ok or not row.active:
        reason = "unknown" if row is None else ("password" if not checked.ok else "disabled")
        audit.record(
            conn,
            action="login",
            username=checked.username,
            ok=False,
            ip=ip,
            detail={"reason": reason},
            at=now,
        )
        ratelimit.failed(conn, ip=ip, now=now, limit=limit or ratelimit.LoginLimit())
        return None
    values: dict[str, Any] = {"last_login_at": now}
    if passwords.needs_rehash(row.password_hash):
        values["password_hash"] = passwords.hash_password(checked.password)
    conn.execute(update(app_user).where(app_user.c.id == row.id).values(**values))
    user = get_user(conn, row.id)
    audit.record(
        conn,
        action="login",
        username=user.username,
        role=user.role,
        scope=user.scope,
        ip=ip,
        at=now,
    )
    ratelimit.succeeded(conn, username=checked.username)
    return user
