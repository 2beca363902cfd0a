"""Crawling every GET route of the application (the embargo clock and the correction notices):
the paths with their parameters filled in with codes that exist in the web tests' world."""

from __future__ import annotations

import re

from fastapi import FastAPI

SAMPLES = {
    "code": "CHN",
    "dataflow": "UNCTAD_DDS",
    "flow": "UNCTAD_DDS",
    "key": "all",
    "fmt": "csv",
    "unit": "CHN",
    "name:path": "sdmx-csv/UNCTAD_DDS.csv",
}


def get_routes(app: FastAPI) -> list[str]:
    found = []
    for route in app.router.routes:
        contexts = (
            route.effective_route_contexts() if hasattr(route, "original_router") else [route]
        )
        found += [c.path for c in contexts if "GET" in (getattr(c, "methods", None) or ())]
    return list(dict.fromkeys(found))


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"{([^}]+)}", lambda m: ids.get(m[1], SAMPLES.get(m[1], "1")), path)
