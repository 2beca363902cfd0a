"""Which dataflows a request showed, so that a correction notice appears exactly where the
corrected figures do.

Every read of figures for a page, the API, SDMX or a download goes through ``access.read`` or
``public.public_view``; both ``note`` the dataflow. The web layer opens a ``recording`` for
each request (``web.notices``) and, at the end, asks ``release.corrections`` for the notices
of the dataflows noted. A cached view remembers what it read and notes it again when it is
served from the cache (``web.cache``), so a cache hit shows the same notice as the first
answer. Outside a recording (the CLI, the worker) ``note`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SHOWN: ContextVar[set[str] | None] = ContextVar("shumao_shown_dataflows", default=None)


def note(*dataflows: str) -> None:
    """This request shows figures of ``dataflows``."""
    found = _SHOWN.get()
    if found is not None:
        found.update(dataflows)


def current() -> frozenset[str]:
    """The dataflows noted so far in this request (empty outside a recording)."""
    return frozenset(_SHOWN.get() or ())


@contextmanager
def recording() -> Iterator[set[str]]:
    """Note the dataflows read inside the block in a set of their own (yielded); on leaving,
    they are noted in the enclosing recording too."""
    outer = _SHOWN.get()
    mine: set[str] = set()
    token = _SHOWN.set(mine)
    try:
        yield mine
    finally:
        _SHOWN.reset(token)
        if outer is not None:
            outer.update(mine)
