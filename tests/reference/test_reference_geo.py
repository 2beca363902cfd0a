from __future__ import annotations

import pytest

from shumao.errors import UnknownCode
from shumao.reference import geo


@pytest.mark.parametrize(
    "value",
    [
        "江苏",
        "江苏省",
        "Jiangsu",
        "jiangsu",
        " JIANGSU ",
        "Jiangsu Sheng",
        "32",
        32,
        "320000",
        320000,
        "3200",
        "320000000000",
        "320000000",
        "CN-JS",
        "cn-js",
        "CN-32",
    ],
)
def test_lookup_every_form_of_a_province(value: str | int) -> None:
    assert geo.lookup(value).code == "320000"


@pytest.mark.parametrize(
    ("value", "code", "short"),
    [
        ("内蒙古", "150000", "内蒙古"),
        ("Inner Mongolia", "150000", "内蒙古"),
        ("Neimenggu", "150000", "内蒙古"),
        ("广西", "450000", "广西"),
        ("新疆", "650000", "新疆"),
        ("宁夏", "640000", "宁夏"),
        ("CN-NX", "640000", "宁夏"),
        ("西藏", "540000", "西藏"),
        ("Xizang", "540000", "西藏"),
        ("Tibet", "540000", "西藏"),
        ("香港", "810000", "香港"),
        ("Hong Kong", "810000", "香港"),
        ("HongKong", "810000", "香港"),
        ("中国香港", "810000", "香港"),
        ("澳门", "820000", "澳门"),
        ("Macao", "820000", "澳门"),
        ("Macau", "820000", "澳门"),
        ("台湾", "710000", "台湾"),
        ("CN-TW", "710000", "台湾"),
        ("黑龙江", "230000", "黑龙江"),
        ("北京", "110000", "北京"),
        ("CN-BJ", "110000", "北京"),
    ],
)
def test_province_short_and_foreign_names(value: str, code: str, short: str) -> None:
    area = geo.lookup(value)
    assert (area.code, area.short_zh, area.level) == (code, short, "province")


def test_province_beats_city_and_county_with_the_same_short_name() -> None:
    assert geo.lookup("吉林").code == "220000"
    assert geo.lookup("吉林市").code == "220200"
    assert geo.lookup("海南").code == "460000"  # not 海南藏族自治州
    assert geo.lookup("河北").code == "130000"  # not 天津市河北区


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("南京市", "320100"),
        ("南京", "320100"),
        ("深圳", "440300"),
        ("延边", "222400"),
        ("延边朝鲜族自治州", "222400"),
        ("恩施", "422800"),
        ("大兴安岭地区", "232700"),
        ("兴安盟", "152200"),
        ("朝阳", "211300"),
        ("东莞", "441900"),
    ],
)
def test_city_names_resolve(value: str, code: str) -> None:
    area = geo.lookup(value)
    assert (area.code, area.level) == (code, "city")


def test_every_province_and_city_name_resolves_to_itself() -> None:
    for area in geo.provinces():
        assert geo.lookup(area.name_zh) == area
        assert geo.lookup(area.short_zh) == area
        assert geo.lookup(area.name_en) == area
    cities = [a for p in geo.provinces() for a in geo.children(p.code) if a.level == "city"]
    assert len(cities) == 333
    province_shorts = {p.short_zh for p in geo.provinces()}
    for city in cities:
        assert geo.lookup(city.name_zh) == city
        if city.short_zh not in province_shorts:  # 吉林市, 海南藏族自治州
            assert geo.lookup(city.short_zh) == city


def test_county_codes_and_names() -> None:
    assert geo.lookup("320102").name_zh == "玄武区"
    assert geo.lookup(320102).level == "county"
    assert geo.lookup("320102000000").code == "320102"
    assert geo.lookup("海淀区").code == "110108"
    assert geo.lookup("海淀").code == "110108"


def test_ambiguous_county_name_lists_the_candidates() -> None:
    with pytest.raises(UnknownCode) as err:
        geo.lookup("朝阳区")
    message = str(err.value)
    assert "110105" in message and "220104" in message and "北京市朝阳区" in message


@pytest.mark.parametrize(
    "value", ["火星", "Atlantis", "990000", 99, "110100", "320102001000", "CN-XX", "1234567"]
)
def test_unknown_values_raise(value: str | int) -> None:
    with pytest.raises(UnknownCode) as err:
        geo.lookup(value)
    assert err.value.codelist == "GB/T 2260"


def test_provinces_are_34_in_code_order() -> None:
    codes = [p.code for p in geo.provinces()]
    assert len(codes) == 34
    assert codes == sorted(codes)
    assert codes[0] == "110000" and codes[-3:] == ["710000", "810000", "820000"]
    assert all(p.parent is None and p.name_en for p in geo.provinces())


def test_regions_follow_nbs() -> None:
    regions = geo.regions()
    assert [r.code for r in regions] == ["EAST", "CENTRAL", "WEST", "NORTHEAST"]
    assert [len(r.provinces) for r in regions] == [10, 6, 12, 3]
    assert sum(len(r.provinces) for r in regions) == 31
    assert regions[0].name_zh == "东部地区" and regions[0].name_en == "Eastern"
    assert {"110000", "460000"} <= set(regions[0].provinces)
    assert set(geo.lookup_region("东北").provinces) == {"210000", "220000", "230000"}
    assert geo.lookup_region("西部地区").code == "WEST"


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("广东", "EAST"),
        ("山西", "CENTRAL"),
        ("内蒙古", "WEST"),
        ("广西", "WEST"),
        ("重庆", "WEST"),
        ("辽宁", "NORTHEAST"),
        ("320102", "EAST"),
        ("南宁", "WEST"),
    ],
)
def test_region_of(value: str, region: str) -> None:
    found = geo.region_of(value)
    assert found is not None and found.code == region


@pytest.mark.parametrize("value", ["台湾", "香港", "澳门"])
def test_taiwan_hong_kong_macao_have_no_region(value: str) -> None:
    assert geo.region_of(value) is None


def test_tree_counties_cities_provinces() -> None:
    assert [a.code for a in geo.ancestors("320102")] == ["320100", "320000"]
    assert [a.code for a in geo.ancestors("110108")] == ["110000"]  # municipality district
    assert [a.code for a in geo.ancestors("429004")] == ["420000"]  # 省直辖县级市 仙桃
    assert geo.ancestors("320000") == []
    assert geo.province_of("320102").name_zh == "江苏省"
    assert geo.province_of("江苏").code == "320000"
    beijing = geo.children("北京")
    assert len(beijing) == 16 and all(a.level == "county" for a in beijing)
    assert {a.code for a in geo.children("南京")} >= {"320102", "320115"}


def test_every_parent_exists_and_is_one_level_up() -> None:
    areas = [*geo.provinces()]
    areas += [c for p in geo.provinces() for c in geo.children(p.code)]
    areas += [c for a in list(areas) if a.level == "city" for c in geo.children(a.code)]
    assert len(areas) == 34 + 333 + 2846
    for area in areas:
        if area.parent is not None:
            parent = geo.lookup(area.parent)
            assert parent.code[:2] == area.code[:2]
            assert parent.level != area.level
            assert area.region == parent.region
