"""``FreshRead`` (``web/fresh_read.py``): the requests asking at one moment share one read,
and no request gets a value read before it asked (the alert list's cache hits rely on it:
the alert change token must be read after the request arrived)."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import Connection, Engine, text

from shumao.web.fresh_read import FreshRead


def test_requests_asking_together_share_one_read(engine: Engine) -> None:
    def read(conn: Connection) -> int:
        return int(conn.execute(text("SELECT 7")).scalar_one())

    fresh = FreshRead(read)

    async def ask() -> list[int]:
        return list(await asyncio.gather(*(fresh(engine) for _ in range(20))))

    assert asyncio.run(ask()) == [7] * 20
    assert fresh.reads == 1


def test_a_request_never_gets_a_read_begun_before_it_asked(engine: Engine) -> None:
    begun = threading.Event()
    go_on = threading.Event()
    counter = [0]

    def read(conn: Connection) -> int:
        counter[0] += 1
        mine = counter[0]  # what the store says when this read begins
        if mine == 1:
            begun.set()
            assert go_on.wait(30)
        return mine

    fresh = FreshRead(read)

    async def scenario() -> tuple[int, int]:
        early = asyncio.ensure_future(fresh(engine))
        await asyncio.to_thread(begun.wait, 30)  # the first read is under way
        late = asyncio.ensure_future(fresh(engine))  # asks after it began
        await asyncio.sleep(0.1)
        go_on.set()
        return await early, await late

    early, late = asyncio.run(scenario())
    assert early == 1
    assert late == 2, "a request that asked after a read began must wait for a new read"
    assert fresh.reads == 2


def test_a_failed_read_fails_its_requests_and_the_next_read_is_tried_again(
    engine: Engine,
) -> None:
    calls = [0]

    def read(conn: Connection) -> int:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("the store went away")
        return 3

    fresh = FreshRead(read)

    async def twice() -> tuple[str, int]:
        try:
            await fresh(engine)
        except RuntimeError as exc:
            first = str(exc)
        return first, await fresh(engine)

    assert asyncio.run(twice()) == ("the store went away", 3)
