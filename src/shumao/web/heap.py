"""A serving process's long-lived objects, kept out of the cyclic garbage collector's way.

A web worker holds about 330,000 objects once imported (FastAPI, SQLAlchemy, polars, the
templates) and more once the reference tables are read (3,213 areas with their names in two
languages, 249 countries, the EBOPS items, the dataflows, the messages). They live as long as
the process, but Python's cyclic collector walks all of them in every full collection: 110–175
ms each, during which the worker answers nothing. Under 50 explorer clients a worker ran nine
of them in seven seconds (``gc.callbacks``, benchmarks/README.md), and the requests that waited
for one made the p95 (p50 ≈ 110 ms, p95 up to 340 ms). ``settle`` reads those tables once,
collects, and moves everything alive into the collector's permanent generation
(``gc.freeze``): a full collection then walks only what was made since. Reference counting
still frees those objects when nothing refers to them; only cycles among them would stay.

The youngest generation is collected after ``YOUNG`` new objects instead of Python's 700: one
explorer answer makes a few thousand (the driver's rows, the view's, the page's), so with 700
the collector ran several times per answer, each time walking what the answer still held;
after 10,000 most of an answer's objects are already freed by reference counting. Measured
under 50 explorer clients: ≈ 0.2–0.3 ms less of a worker's CPU per answer
(benchmarks/README.md, "The explorer's seventh round"). Objects in reference cycles wait a
little longer to be freed; nothing else changes.

Done by serving processes only (``shumao serve``, ``shumao.web.asgi``), not by
``create_app`` itself: a test process makes hundreds of applications and would pin them.
"""

from __future__ import annotations

import gc

from shumao.reference import countries, ebops, geo, units
from shumao.storage.dataflows import all_dataflows
from shumao.web.i18n import messages

YOUNG = 10_000
"""New objects before the youngest generation is collected (Python's default: 700)."""


def settle() -> int:
    """Read the reference tables every page uses, collect, freeze, collect the young less
    often; the objects frozen."""
    geo.lookup("110000")
    geo.regions()
    geo.lookup("北京市")  # the name tiers
    countries.all_countries()
    countries.match_name("中国")
    ebops.all_items()
    ebops.lookup("SI")
    units.parse("亿美元")
    all_dataflows()
    messages()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    return gc.get_freeze_count()
