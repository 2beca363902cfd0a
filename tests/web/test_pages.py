"""Every page for every demo role, in a real browser, on the real demo store.

The pages are not listed here: they are found from the app's own routes (every GET page route)
and from the links each role's pages offer (a crawl from the overview, following same-site
links, at most ``PER_ROUTE`` pages per route and one of each kind: a province, a city, a park,
an enterprise), so a new page is picked up by itself. For every
page the harness

- keeps a full-page screenshot at 1400 px and a screenshot of the first screen at 390 px in
  ``test-output/pages/<role>/``;
- checks there is no sideways scroll at 390 px (a phone), no script error, no raw scope code
  (320000, a USCC) in the header;
- collects the colour each chart draws each flow in: 出口 (and every flow) has one colour
  across all pages.

The admin, who may open every page, must have reached every page route.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI

from shumao.config import Settings
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_database
from shumao.web.app import create_app
from web.live import OUTPUT, chromium, log_in, needs_chromium, serve

pytestmark = [pytest.mark.slow, needs_chromium]

ROLES = ("public", "enterprise", "park", "city", "province", "ministry", "admin")
PASSWORD = "shumao-demo-2024"
# Two of each route (two sorts of the explorer, two economies): five meant 50 % more pages.
PER_ROUTE = 2
PHONE = 390
SKIP_ROUTES = {
    "/lang/{code}": "a redirect that switches the language",
    "/api/docs": "Swagger UI, a third-party page",
    "/filings/template": "a download, not a page",
    "/report/jobs/{job_id}/{fmt}": "a built report's file, tested in test_report_web.py",
    "/bases/{code}/evaluation.{fmt}": "a Word or Excel download (tests/bases)",
    "/bases/{code}/rereview.{fmt}": "a Word or Excel download (tests/bases)",
    "/bases/evidence/{evidence_id}": "an evidence file's download",
    "/bases/applications/{application_id}": "the demo has no application; "
    "walked in test_bases_browser.py",
    "/calendar.ics": "an iCalendar feed, not a page (tests/web/test_calendar_web.py)",
    "/downloads/{folder}/{name:path}": "an open-data file's download "
    "(tests/web/test_calendar_web.py)",
    "/reports/{entry_id}/{name}": "a released report's file (the demo's report is "
    "due in 30 days, without files; tests/web/"
    "test_embargo_clock_report_index.py)",
}
SKIP_LINKS = ("/api/", "/static/", "/sdmx/", "/lang/", "/logout", "/openapi.json", "/login")
PG_ADMIN_URL = os.environ.get("SHUMAO_TEST_DATABASE_URL", "")
SHUMAO = Path(sys.executable).with_name("shumao")
DEMO = Path(__file__).resolve().parents[2] / "demo"


def page_routes(app: FastAPI) -> list[str]:
    """The path of every GET route that serves a page (not in the JSON API's schema)."""
    found = []
    for route in app.router.routes:
        contexts = (
            route.effective_route_contexts() if hasattr(route, "original_router") else [route]
        )
        for c in contexts:
            methods = getattr(c, "methods", None) or ()
            if "GET" in methods and not getattr(c, "include_in_schema", True):
                found.append(c.path)
    return [p for p in dict.fromkeys(found) if p != "/openapi.json"]


def _pattern(route: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route)) + "$")


def _load_demo(url: str, data_dir: Path) -> None:
    env = {
        **os.environ,
        "SHUMAO_DATABASE_URL": url,
        "SHUMAO_DATA_DIR": str(data_dir),
        "SHUMAO_ENVIRONMENT": "test",
    }
    steps = [
        ["demo", "load", "--quiet"],
        ["policy", "add", str(DEMO / "policy")],
        ["demo", "users"],
        ["demo", "bases", "--quiet"],
        ["outbound", "load-demo"],
        *(
            ["index", "build", "-f", fw, "--top", "5", "--by", "demo"]
            for fw in ("provinces", "economies", "bases")
        ),
        ["demo", "calendar"],
        ["release", "publish", "--all", "--by", "demo"],
    ]
    for args in steps:
        done = subprocess.run(
            [str(SHUMAO), *args], env=env, capture_output=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's data directory (its open-data snapshots are the site's downloads)."""
    return tmp_path_factory.mktemp("demo-data")


@pytest.fixture(scope="module")
def demo_url(demo_dir: Path) -> Iterator[str]:
    """A store holding what ``bash scripts/demo`` loads: the real data, the policy texts,
    users and filings, the three indices, the release calendar."""
    data_dir = demo_dir
    if PG_ADMIN_URL:
        with scratch_database(PG_ADMIN_URL, "shumao_pages") as url:
            _prepare(url, data_dir)
            yield url
    else:
        url = f"sqlite:///{data_dir / 'demo.db'}"
        _prepare(url, data_dir)
        yield url


def _prepare(url: str, data_dir: Path) -> None:
    engine = make_engine(url=url)
    upgrade(engine)
    engine.dispose()
    _load_demo(url, data_dir)


@pytest.fixture(scope="module")
def demo_site(
    demo_url: str, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, FastAPI]]:
    settings = Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("site"),
        database_url=demo_url,
        open_data_dir=demo_dir / "open-data",
    )
    app = create_app(settings)
    try:
        with serve(app) as base:
            yield base, app
    finally:
        app.state.engine.dispose()  # no pooled connection left for the garbage collector


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.strip("/")) or "overview"


def _settle(page: Any) -> None:
    """Wait until every chart on the page is drawn (conditions, never fixed sleeps)."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart]')]
                              .every(el => el.dataset.ready === '1')""",
        timeout=60_000,
    )


def _shape(path: str) -> str:
    """What kind of page a link opens: digits folded (320000 and 110000 are both provinces,
    320100 a city, DSEB05 a park, an 18-character code an enterprise)."""
    return re.sub(r"\d+", lambda m: f"N{len(m.group()) - len(m.group().rstrip('0'))}", path)


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "as => as.map(a => a.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if href.startswith(base) and not parts.path.startswith(SKIP_LINKS):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


COLOURS_JS = """() => {
  const out = [];
  document.querySelectorAll('[data-chart]').forEach(el => {
    const chart = echarts.getInstanceByDom(el);
    if (!chart) return;
    chart.getModel().eachSeries(s => {
      if (s.subType === 'map') return;
      const style = s.getData().getVisual('style') || {};
      out.push([el.id, s.name, style.fill || style.stroke]);
    });
  });
  return out;
}"""


def _visit(
    page: Any, path: str, folder: Path, problems: list[str], colours: dict[str, set[str]]
) -> Any:
    page.set_viewport_size({"width": 1400, "height": 1000})
    response = page.goto(path)
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return response
    _settle(page)
    header = page.inner_text("header")
    if re.search(r"\b(\d{6}|[0-9A-Z]{18})\b", header):
        problems.append(f"{path}: a raw code in the header: {header!r}")
    name = _slug(path)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    for _chart, series, colour in page.evaluate(COLOURS_JS):
        if series in ("出口", "进口", "进出口", "差额"):
            colours.setdefault(series, set()).add(f"{colour} ({path})")
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.wait_for_function(f"() => window.innerWidth === {PHONE}")
    _settle(page)
    with contextlib.suppress(Exception):  # charts redraw on resize: let the layout follow
        page.wait_for_function(
            f"() => document.documentElement.scrollWidth <= {PHONE}", timeout=15_000
        )
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > PHONE:
        culprits = page.evaluate(f"""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > {PHONE} + 1)
            .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
        problems.append(f"{path}: {wide} px wide at {PHONE} px ({culprits})")
    page.screenshot(path=str(folder / f"{name}-{PHONE}.png"))  # the first screen of a phone
    return response


def _crawl(
    browser: Any, base: str, role: str, routes: list[str]
) -> tuple[dict[str, list[str]], list[str], dict[str, set[str]]]:
    folder = OUTPUT / "pages" / role
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if role != "public":
        log_in(page, base, f"demo-{role}", PASSWORD)
    patterns = {r: _pattern(r) for r in routes}
    seen: dict[str, list[str]] = {r: [] for r in routes}
    queue = ["/", *(r for r in routes if "{" not in r and r not in SKIP_ROUTES)]
    problems: list[str] = []
    colours: dict[str, set[str]] = {}
    while queue:
        path = queue.pop(0)
        route = next((r for r, p in patterns.items() if p.match(path.split("?")[0])), None)
        if (
            route is None
            or route in SKIP_ROUTES
            or len(seen[route]) >= PER_ROUTE
            or _shape(path) in {_shape(p) for p in seen[route]}
        ):
            continue
        seen[route].append(path)
        response = _visit(page, path, folder, problems, colours)
        if response is not None and response.ok:
            page.set_viewport_size({"width": 1400, "height": 1000})
            queue += _links(page, base)
    context.close()
    return seen, problems + [f"script error: {e}" for e in errors], colours


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(role: str, demo_site: tuple[str, FastAPI]) -> None:
    base, app = demo_site
    routes = page_routes(app)
    with chromium() as browser:
        seen, problems, colours = _crawl(browser, base, role, routes)
    assert not problems, "\n".join(problems)
    for flow, found in colours.items():
        drawn = {c.split(" ")[0] for c in found}
        assert len(drawn) == 1, f"{flow} has {len(drawn)} colours: {sorted(found)}"
    shots = list((OUTPUT / "pages" / role).glob("*.png"))
    assert len(shots) >= 2 * sum(len(v) for v in seen.values()) - 2
    if role == "admin":
        missed = [r for r in routes if r not in SKIP_ROUTES and not seen[r]]
        assert not missed, f"pages the admin never reached: {missed}"


def test_the_explorer_names_the_demo_vintages_in_the_views_language(
    demo_site: tuple[str, FastAPI],
) -> None:
    """The demo's vintages were labelled "演示数据 demo: <file>" and listed so in English too."""
    base, _ = demo_site
    options = {}
    for lang in ("zh", "en"):
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
            client.get(f"/lang/{lang}?next=/")
            page = BeautifulSoup(client.get("/explorer?dataflow=UNCTAD_DDS").text, "html.parser")
        options[lang] = [
            o.get_text(" ", strip=True) for o in page.select("select[name=as_of] option")
        ]
    file = "unctad_digital_economy_raw_export.csv"
    assert any(o.endswith(f"✓ demo data: {file}") for o in options["en"]), options["en"]
    assert [o for o in options["en"] if re.search(r"[\u3400-\u9fff]", o)] == []
    assert any(o.endswith(f"✓ 演示数据 {file}") for o in options["zh"]), options["zh"]
