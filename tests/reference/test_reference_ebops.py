from __future__ import annotations

import pytest

from shumao.errors import UnknownCode
from shumao.reference import ebops

# The 55 indicators of wto_tismos_india_2005_2022.csv, the BaTIS items and the WTO DDS items.
TISMOS_CODES = """SA SB SC SC1 SC11 SC12 SC13 SC2 SC21 SC22 SC23 SC3 SC31 SC32 SC33 SC4 SDA SDASDB3
SDB1 SDB1SK21 SDB2 SDB2SK22 SDB3 SE SF SFSG SG SH SI SI1 SI2 SI3 SISK1 SJ1 SJ2 SJ21 SJ22 SJ3 SJ31
SJ311 SJ312 SJ313 SJ32 SJ33 SJ34 SJ35 SJXSJ34 SK1 SK21 SK22 SK23 SK24 SOXSW SW SWSJ34"""
BATIS_CODES = "S SA SB SC SD SE SF SG SH SI SJ SK SL SOX SOX1 SPX1 SPX4"
WTO_DDS_CODES = "DDS SF SG SH SI1 SI2 SI3 SJ SK"
SOURCE_CODES = sorted(set(f"{TISMOS_CODES} {BATIS_CODES} {WTO_DDS_CODES}".split()))


def test_tismos_has_55_items() -> None:
    assert len(TISMOS_CODES.split()) == 55


@pytest.mark.parametrize("code", SOURCE_CODES)
def test_every_source_code_is_known(code: str) -> None:
    assert ebops.item(code).code == code


def test_tree_is_consistent() -> None:
    items = ebops.all_items()
    codes = [it.code for it in items]
    assert len(codes) == len(set(codes))
    for it in items:
        if it.parent is None:
            assert it.is_aggregate or it.code == "S"
            continue
        parent = ebops.item(it.parent)
        assert parent.level == it.level - 1
        assert it.code.startswith(parent.code) or parent.code == "S"
        if parent.digitally_deliverable:
            assert it.digitally_deliverable


def test_names_are_unique_and_bilingual() -> None:
    for it in ebops.all_items():
        assert it.name_zh and it.name_en
        assert ebops.lookup(it.name_zh) == it
        assert ebops.lookup(it.name_en) == it
        assert ebops.lookup(it.code.lower()) == it


def test_main_items() -> None:
    mains = ebops.main_items()
    assert [m.code for m in mains] == [f"S{c}" for c in "ABCDEFGHIJKL"]
    assert all(m.parent == "S" for m in mains)
    assert ebops.item("SI").name_zh == "电信、计算机和信息服务"
    assert ebops.item("SH").name_zh == "知识产权使用费"
    assert ebops.lookup("其他商业服务").code == "SJ"
    assert ebops.lookup("Travel").code == "SD"
    assert ebops.digitally_deliverable_main_items() == ["SF", "SG", "SH", "SI", "SJ", "SK"]


def test_digitally_deliverable_and_its_components() -> None:
    dd = ebops.item("DD")
    assert dd.is_aggregate and dd.name_zh == "可数字化交付的服务"
    assert ebops.components("DD") == dict.fromkeys(ebops.digitally_deliverable_main_items(), 1)
    assert ebops.components("SOX") == {"S": 1, "SL": -1}
    assert ebops.components("SPX4") == {"SA": 1, "SB": 1}
    assert ebops.components("ICT") == {"SI": 1}
    assert ebops.components("SI") == {}
    for it in ebops.all_items():
        for code in ebops.components(it.code):
            ebops.item(code)
    items = [it for it in ebops.all_items() if not it.is_aggregate]
    flagged = {it.code for it in items if it.digitally_deliverable}
    expected = {
        d.code
        for m in ebops.digitally_deliverable_main_items()
        for d in [ebops.item(m), *ebops.descendants(m)]
    }
    assert flagged == expected


def test_dt_categories() -> None:
    cats = ebops.dt_categories()
    assert [(c.code, c.name_zh) for c in cats] == [
        ("DT_TECH", "数字技术贸易"),
        ("DT_SERV", "数字服务贸易"),
        ("DT_PROD", "数字产品贸易"),
        ("DT_DATA", "数据贸易"),
    ]
    assert {ebops.item(c).dt_category for c in ("SI", "SI1", "SI2", "SI3", "ICT")} == {"DT_TECH"}
    services = ("SF", "SG", "SH", "SJ", "SJ1", "SJ35", "SK2")
    assert {ebops.item(c).dt_category for c in services} == {"DT_SERV"}
    assert ebops.item("SK1").dt_category == "DT_PROD"
    assert ebops.item("SK").dt_category is None
    assert ebops.item("SC").dt_category is None
    known = {c.code for c in cats}
    assert all(it.dt_category in known for it in ebops.all_items() if it.dt_category)


def test_children_descendants_and_main_item_of() -> None:
    assert [c.code for c in ebops.children("SI")] == ["SI1", "SI2", "SI3"]
    assert [c.code for c in ebops.children("SJ")] == ["SJ1", "SJ2", "SJ3"]
    assert "SJ311" in {d.code for d in ebops.descendants("SJ")}
    assert len(ebops.children("S")) == 12
    main = ebops.main_item_of("SJ311")
    assert main is not None and main.code == "SJ"
    assert ebops.main_item_of("SJ") == ebops.item("SJ")
    assert ebops.main_item_of("ICT") == ebops.item("SI")
    assert ebops.main_item_of("S") is None
    assert ebops.main_item_of("DD") is None
    assert ebops.main_item_of("SOX") is None


def test_unknown_items_raise() -> None:
    with pytest.raises(UnknownCode) as err:
        ebops.item("SZ")
    assert err.value.codelist == "EBOPS 2010"
    with pytest.raises(UnknownCode):
        ebops.lookup("Teleportation services")
