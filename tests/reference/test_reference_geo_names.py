"""English names of the cities, districts and counties (GB/T 2260, ``name_en``): Hanyu Pinyin of
the specific name as one word (GB/T 16159) plus the generic term translated, the polyphones read
as the places are, the autonomous units' peoples translated (scripts/build_geo_names.py)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import shumao.reference
from shumao.errors import UnknownCode
from shumao.labels import area_name
from shumao.reference import geo
from shumao.reference._data import AmbiguousName
from shumao.reference.names import area_names, resolver

DATA = Path(shumao.reference.__file__).parent / "data" / "geo_areas.csv"
CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_row_has_an_english_name_without_chinese_characters() -> None:
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3213
    missing = [r["code"] for r in rows if not r["name_en"].strip()]
    assert missing == []
    assert [r["name_en"] for r in rows if CJK.search(r["name_en"])] == []


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("130100", "Shijiazhuang"),  # prefecture-level 市: no suffix
        ("610100", "Xi'an"),  # apostrophe before a, o, e
        ("320500", "Suzhou"),
        ("320583", "Kunshan"),  # county-level 市: no suffix either
        ("110105", "Chaoyang District"),
        ("130123", "Zhengding County"),
        # polyphones: the place's reading, not pypinyin's first
        ("341500", "Lu'an"),
        ("340300", "Bengbu"),
        ("331100", "Lishui"),
        ("440113", "Panyu District"),
        ("350200", "Xiamen"),
        ("430100", "Changsha"),
        ("330382", "Yueqing"),
        ("361124", "Yanshan County"),
        ("371524", "Dong'e County"),
        ("371722", "Shan County"),  # one-character specific name keeps its generic term
        ("371522", "Shen County"),
        ("130726", "Yu County"),
        ("131025", "Dacheng County"),
        ("141024", "Hongtong County"),
        ("511527", "Junlian County"),
        ("410223", "Weishi County"),
        ("341600", "Bozhou"),
        ("341621", "Guoyang County"),
        ("341021", "She County"),
        ("341023", "Yi County"),
        ("610582", "Huayin"),
        ("360733", "Huichang County"),
        ("530326", "Huize County"),
        ("140400", "Changzhi"),
        ("140428", "Zhangzi County"),  # 长 zhǎng here, cháng everywhere else
        ("220100", "Changchun"),
        ("331000", "Taizhou"),
        ("331023", "Tiantai County"),
        ("410621", "Xun County"),
        ("130225", "Laoting County"),
        ("320116", "Luhe District"),
        ("522701", "Duyun"),  # 都 dū, not dōu
        ("211300", "Chaoyang"),
        ("411100", "Luohe"),
        ("350105", "Mawei District"),
        ("141100", "Lüliang"),  # ü kept
        ("533103", "Mangshi"),  # 芒市: one character, the generic stays in the name
        # the standard forms of names from minority languages
        ("650100", "Urumqi"),
        ("150100", "Hohhot"),
        ("540100", "Lhasa"),
        ("540200", "Xigaze"),
        ("654301", "Altay"),
        ("654300", "Altay Prefecture"),
        ("650400", "Turpan"),
        # autonomous units, leagues, banners, the special generic terms
        ("222400", "Yanbian Korean Autonomous Prefecture"),
        ("422800", "Enshi Tujia and Miao Autonomous Prefecture"),
        ("513200", "Ngawa Tibetan and Qiang Autonomous Prefecture"),
        ("622900", "Linxia Hui Autonomous Prefecture"),
        ("632800", "Haixi Mongolian and Tibetan Autonomous Prefecture"),
        ("530900", "Lincang"),
        ("530925", "Shuangjiang Lahu, Va, Blang and Dai Autonomous County"),
        ("622926", "Dongxiang Autonomous County"),
        ("130321", "Qinglong Manchu Autonomous County"),
        ("152900", "Alxa League"),
        ("150121", "Tumed Left Banner"),
        ("152221", "Horqin Right Front Banner"),
        ("150723", "Oroqen Autonomous Banner"),
        ("652900", "Aksu Prefecture"),
        ("429021", "Shennongjia Forestry District"),
        ("140109", "Wanbailin District"),  # 万柏林 + 区, not a 林区
        ("520203", "Liuzhi Special District"),
        ("310115", "Pudong New Area"),
    ],
)
def test_known_english_names(code: str, english: str) -> None:
    assert geo.lookup(code).name_en == english


def test_the_loader_and_the_labels_give_the_english_names() -> None:
    assert area_names("341500") == ("六安市", "Lu'an")
    assert area_name("371722", "en") == "Shan County"
    assert area_name("371722", "zh") == "单县"  # the Chinese view unchanged
    assert [a.name_en for a in geo.children("320000")][:3] == ["Nanjing", "Wuxi", "Xuzhou"]


def test_english_names_of_cities_and_counties_are_looked_up_after_the_provinces() -> None:
    assert geo.lookup("Jilin").code == "220000"  # the province, not 吉林市
    assert geo.lookup("Lu'an").code == "341500"
    assert geo.lookup("Shan County").code == "371722"
    assert geo.lookup("Enshi Tujia and Miao Autonomous Prefecture").code == "422800"
    with pytest.raises(AmbiguousName):  # 苏州 and 宿州
        geo.lookup("Suzhou")


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        (
            "Suzhou",
            ("320500", "江苏省苏州市", "Suzhou, Jiangsu"),
            ("341300", "安徽省宿州市", "Suzhou, Anhui"),
        ),
        (
            "Taizhou",
            ("321200", "江苏省泰州市", "Taizhou, Jiangsu"),
            ("331000", "浙江省台州市", "Taizhou, Zhejiang"),
        ),
        (
            "Fuzhou",
            ("350100", "福建省福州市", "Fuzhou, Fujian"),
            ("361000", "江西省抚州市", "Fuzhou, Jiangxi"),
        ),
        (
            "Yichun",
            ("230700", "黑龙江省伊春市", "Yichun, Heilongjiang"),
            ("360900", "江西省宜春市", "Yichun, Jiangxi"),
        ),
    ],
)
def test_an_english_name_of_two_cities_names_both_and_the_province_picks_one(
    name: str, first: tuple[str, str, str], second: tuple[str, str, str]
) -> None:
    for kind in ("geo", "area"):  # "area" read it as an unknown country before
        with pytest.raises(AmbiguousName) as raised:
            resolver(kind)(name)
        assert raised.value.candidates == tuple(f"{c} {zh}" for c, zh, _ in (first, second))
        assert raised.value.candidates_en == tuple(f"{c} {en}" for c, _, en in (first, second))
        message = str(raised.value)
        place, province = first[2].split(", ")
        example = f"{place} ({province})"
        assert f"如“{example}”" in message and f"say where it lies: {example}" in message
    for code, _, qualified in (first, second):
        assert resolver("area")(qualified) == code
        place, province = qualified.split(", ")
        assert geo.lookup(f"{place} ({province})").code == code
        assert geo.lookup(f"{place}，{province}").code == code  # a full-width comma


def test_a_chinese_name_of_two_districts_takes_the_city_or_province_in_brackets() -> None:
    with pytest.raises(AmbiguousName) as raised:
        geo.lookup("朝阳区")
    assert raised.value.candidates == ("110105 北京市朝阳区", "220104 吉林省长春市朝阳区")
    assert raised.value.example == "朝阳区（北京）"
    assert geo.lookup("朝阳区（北京）").code == "110105"
    assert geo.lookup("朝阳区（长春市）").code == "220104"
    assert geo.lookup("Chaoyang District, Changchun").code == "220104"
    with pytest.raises(AmbiguousName):  # 朝阳区 and 潮阳区 in English
        geo.lookup("Chaoyang District")
    with pytest.raises(UnknownCode):  # no Suzhou in Zhejiang
        geo.lookup("Suzhou, Zhejiang")
    assert geo.lookup("Weining Yi, Hui and Miao Autonomous County").code == "520526"
    assert geo.lookup("Weining Yi, Hui and Miao Autonomous County, Guizhou").code == "520526"
