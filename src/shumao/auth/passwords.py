"""Password hashing with argon2id (``argon2-cffi``); plain passwords are never stored or logged."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shumao.errors import NotAllowed

MIN_LENGTH = 8


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise NotAllowed(
            f"密码至少需要 {MIN_LENGTH} 个字符 / a password needs at least {MIN_LENGTH} characters"
        )
    if password.strip() != password or not password.strip():
        raise NotAllowed("密码不能以空格开头或结尾 / a password may not start or end with a space")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def burn(password: str) -> None:
    """Spend the time a verification takes (for unknown users: no timing difference)."""
    _hasher().hash(password or "-")
