"""Property: whatever is uploaded, and wherever storing it fails, it is stored whole or not at all.

Uploads are arbitrary bytes, CSV text with random cells (good and bad numbers, codes, formula
text, blanks) in UTF-8 or GB18030, or JSON. Storing may be cut short at random points: while
writing the cells, while recording the transition, or just before commit. Afterwards either
nothing changed (no upload, no cells, no transition, filing untouched), or the upload row, all
of its cells exactly as parsed, the filing's new version and its transition are all there.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from filing_factories import PERIOD, USCC, clerk, make_enterprise
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from shumao.collection.tables import filing, filing_cell, filing_transition, filing_upload
from shumao.collection.workflow import contents, filings, uploads

HEADER = "统一社会信用代码,报告期,服务类别,伙伴国家（地区）,出口（万美元）,进口（万美元）,进出口合计（万美元）,备注"
products = st.sampled_from(
    ["SI2", "SJ1 研发服务", "计算机服务", "SC1", "XX9", "", "合计", '=HYPERLINK("http://x","y")']
)
partners = st.sampled_from(["USA", "日本", "德国 DEU", "CHN", "火星", ""])
numbers = st.one_of(
    st.integers(min_value=-10, max_value=10**6).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["", "1,234.5", "１２", "abc", "约100", "-", "1e3", "  7 "]),
)
remarks = st.sampled_from(["", "正常", "=1+1", "@SUM(A1)", "x" * 250])


def _cell(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"'


@st.composite
def csv_uploads(draw: Any) -> bytes:
    lines = [HEADER]
    code = draw(st.sampled_from([USCC, USCC.lower(), "91320114MA1XXXXX08", ""]))
    period = draw(st.sampled_from([PERIOD, "2024年第三季度", "2024-Q2", ""]))
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        cells = [
            code,
            period,
            draw(products),
            draw(partners),
            draw(numbers),
            draw(numbers),
            draw(numbers),
            draw(remarks),
        ]
        lines.append(",".join(_cell(c) for c in cells))
    text = "\r\n".join(lines)
    return text.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-8-sig"])))


@st.composite
def json_uploads(draw: Any) -> bytes:
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {"product": products, "counterpart_area": partners, "X": numbers, "M": numbers}
            ),
            max_size=8,
        )
    )
    doc = {
        "uscc": USCC,
        "period": PERIOD,
        "lines": rows,
        "totals": draw(st.one_of(st.none(), st.fixed_dictionaries({"X": numbers}))),
    }
    return json.dumps(doc, ensure_ascii=False).encode()


@st.composite
def valid_csvs(draw: Any) -> bytes:
    """Well-formed filings (distinct lines, totals that add up) in random shapes."""
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["SI1", "SI2", "SJ2", "SK1"]),
                st.sampled_from(["USA", "JPN", "DEU", "SGP"]),
            ),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    values = draw(
        st.lists(
            st.tuples(st.integers(0, 10**5), st.integers(0, 10**5)),
            min_size=len(keys),
            max_size=len(keys),
        )
    )
    x_sum, m_sum = sum(v[0] for v in values), sum(v[1] for v in values)
    rows = [[USCC, PERIOD, "合计", "", x_sum, m_sum, x_sum + m_sum, ""]]
    rows += [
        [USCC, PERIOD, p, c, x, m, x + m, draw(remarks)]
        for (p, c), (x, m) in zip(keys, values, strict=True)
    ]
    text = "\r\n".join([HEADER, *(",".join(_cell(str(v)) for v in r) for r in rows)])
    return text.encode("utf-8")


upload_bodies = st.one_of(
    st.binary(max_size=600), csv_uploads(), json_uploads(), valid_csvs(), valid_csvs()
)


def _snapshot(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (filing, filing_upload, filing_cell, filing_transition)
        }
        versions = dict(conn.execute(select(filing.c.id, filing.c.version)).all())
    return {**counts, "versions": versions}


class Crash(Exception):
    pass


def _crash(where: str | None, mp: pytest.MonkeyPatch) -> None:
    if where == "cells":
        original = uploads._insert_cells

        def half(conn: Any, upload_id: int, cells: pl.DataFrame, sheet: str) -> None:
            original(conn, upload_id, cells.head(cells.height // 2), sheet)
            raise Crash("while writing the cells")

        mp.setattr(uploads, "_insert_cells", half)
    elif where == "transition":

        def fail(*args: Any, **kwargs: Any) -> None:
            raise Crash("while recording the transition")

        mp.setattr(filings, "record", fail)


@pytest.fixture
def ent(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=upload_bodies, crash=st.sampled_from([None, None, "cells", "transition", "commit"]))
def test_an_upload_is_stored_whole_or_not_at_all(
    engine: Engine, ent: None, data: bytes, crash: str | None
) -> None:
    before = _snapshot(engine)
    result = None
    with pytest.MonkeyPatch.context() as mp:
        _crash(crash, mp)
        try:
            with engine.begin() as conn:
                result = uploads.upload_file(
                    conn,
                    actor=clerk(),
                    form_id="DDS_Q",
                    uscc=USCC,
                    period=PERIOD,
                    data=data,
                    filename="u.csv",
                    hb=False,
                )
                if crash == "commit":
                    raise Crash("just before commit")
        except Crash:
            result = None
    after = _snapshot(engine)
    if result is None:
        event(f"crash {crash}")
        assert after == before
        return
    event("accepted" if result.accepted else "rejected")
    event("cells stored" if result.upload.cells else "no cells")
    fid = result.filing.id
    new = fid not in before["versions"]  # the first upload also creates the filing
    assert after["filing_upload"] == before["filing_upload"] + 1
    assert after["filing_transition"] == before["filing_transition"] + (2 if new else 1)
    assert after["versions"][fid] == (2 if new else before["versions"][fid] + 1)
    _assert_cells_whole(engine, result)


def _assert_cells_whole(engine: Engine, result: uploads.UploadResult) -> None:
    parsed = result.checked.cells() if result.checked is not None else None
    expected = 0 if parsed is None or not result.accepted else parsed.height  # rejected: none
    with engine.connect() as conn:
        stored = contents.filing_cells(
            conn, actor=clerk(), filing_id=result.filing.id, upload_id=result.upload.id
        )
        kept = conn.execute(
            select(filing_upload.c.content, filing_upload.c.cells).where(
                filing_upload.c.id == result.upload.id
            )
        ).one()
    assert kept.cells == expected == stored.height
    assert kept.content is not None
    if parsed is not None and expected:
        cols = ["line", "field", "row", "cell", "value", "text"]
        assert stored.select(cols).to_dicts() == parsed.select(cols).to_dicts()
