from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from shumao.errors import UnknownCode
from shumao.reference import countries

SPECIMENS = Path(__file__).parent / "specimens"

# BaTIS partner names that are deliberately not mapped to a code.
BATIS_UNMAPPED = {
    "Rest of the World": "residual aggregate of the BaTIS model; not a country or a standard group",
}


def _batis_names() -> list[str]:
    lines = (SPECIMENS / "batis_partner_names.txt").read_text(encoding="utf-8").splitlines()
    return [n for n in lines if n and not n.startswith("#") and n != "partner"]


def _csv(name: str) -> list[dict[str, str]]:
    with (SPECIMENS / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    "value",
    [
        "美国",
        "United States",
        "United States of America",
        "united states of america",
        "  United   States ",
        "USA",
        "usa",
        "US",
        "840",
        840,
        "美利坚合众国",
    ],
)
def test_lookup_every_form(value: str | int) -> None:
    assert countries.lookup(value).iso3 == "USA"


@pytest.mark.parametrize(
    ("value", "iso3"),
    [
        ("Slovak Republic", "SVK"),
        ("Chinese Taipei", "TWN"),
        ("Korea", "KOR"),
        ("Korea, Rep.", "KOR"),
        ("韩国", "KOR"),
        ("大韩民国", "KOR"),
        ("Hong Kong, China", "HKG"),
        ("Hong Kong SAR, China", "HKG"),
        ("中国香港", "HKG"),
        ("Macao, China", "MAC"),
        ("Russian Federation", "RUS"),
        ("Russia", "RUS"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Netherlands Antilles", "ANT"),
        ("Serbia and Montenegro", "SCG"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Curacao", "CUW"),
        ("Lao PDR", "LAO"),
        ("Kyrgyz Republic", "KGZ"),
        ("Czech Republic", "CZE"),
        ("West Bank and Gaza", "PSE"),
        ("Palestinian Authority", "PSE"),
        ("The Gambia", "GMB"),
        ("Gambia, The", "GMB"),
        ("Egypt, Arab Rep.", "EGY"),
        ("China (People's Republic of)", "CHN"),
        ("中国", "CHN"),
        ("中华人民共和国", "CHN"),
        ("Taiwan, China", "TWN"),
        ("中国台湾", "TWN"),
        ("Kosovo", "XKX"),
        ("科索沃", "XKX"),
        ("World", "WLD"),
        ("W00", "WLD"),
        ("世界", "WLD"),
        ("Sub-Saharan Africa", "SSF"),
        ("European Union", "EUU"),
        ("African Union", "AFU"),
        ("4", "AFG"),
        (4, "AFG"),
        ("004", "AFG"),
        ("柬埔寨", "KHM"),
        ("刚果（金）", "COD"),
    ],
)
def test_lookup_source_names(value: str | int, iso3: str) -> None:
    assert countries.lookup(value).iso3 == iso3


def test_chinese_names_of_special_entries() -> None:
    assert countries.lookup("TWN").name_zh == "中国台湾省"
    assert countries.lookup("HKG").name_zh == "香港"
    assert countries.lookup("MAC").name_zh == "澳门"
    assert countries.lookup("ANT").name_zh == "荷属安的列斯"
    assert countries.lookup("WLD").name_zh == "世界"
    assert countries.lookup("WLD").is_aggregate
    assert not countries.lookup("XKX").is_aggregate


def test_historic_codes_carry_their_end_date() -> None:
    assert countries.validity("ANT") == (None, date(2010, 12, 15))
    assert countries.validity("CHN") == (None, None)


def test_unknown_name_raises_and_match_name_returns_none() -> None:
    with pytest.raises(UnknownCode) as err:
        countries.lookup("Atlantis")
    assert err.value.codelist == "ISO 3166"
    assert countries.match_name("Atlantis") is None
    assert countries.match_name("Rest of the World") is None
    assert countries.match_name("Korea") == countries.lookup("KOR")


def test_all_countries_counts() -> None:
    everything = countries.all_countries()
    assert len(everything) >= 249 + 5
    plain = countries.all_countries(aggregates=False)
    assert len(plain) >= 249
    assert [c.iso3 for c in plain] == sorted(c.iso3 for c in plain)
    # BRI: 共建“一带一路”国家, the partner aggregate customs publishes for cross-border e-commerce
    assert {"WLD", "SSF", "EUU", "AFU", "BRI"} == {c.iso3 for c in everything if c.is_aggregate}
    assert all(c.name_zh and c.name_en for c in everything)
    assert len({c.iso3 for c in everything}) == len(everything)


def test_every_batis_partner_maps_or_is_listed_unmapped() -> None:
    names = _batis_names()
    assert len(names) == 202 + 1  # 202 economies plus World
    unmapped = [n for n in names if countries.match_name(n) is None]
    assert sorted(unmapped) == sorted(BATIS_UNMAPPED)


def test_every_unctad_name_maps_to_its_own_code() -> None:
    for row in _csv("unctad_country_codes.csv"):
        assert countries.lookup(row["country"]).iso3 == row["iso3"], row
        assert countries.lookup(row["iso3"]).iso3 == row["iso3"]


def test_every_wdi_economy_maps_to_its_own_code() -> None:
    rows = _csv("wdi_country_codes.csv")
    economies = [r for r in rows if r["kind"] == "economy"]
    unmapped = {r["country_code"] for r in economies if not countries.match_name(r["country_name"])}
    assert unmapped == {"CHI"}  # Channel Islands: GGY + JEY, no single ISO code
    for r in economies:
        if r["country_code"] != "CHI":
            assert countries.lookup(r["country_name"]).iso3 == r["country_code"], r
    for code in ("WLD", "SSF", "EUU"):
        name = next(r["country_name"] for r in rows if r["country_code"] == code)
        assert countries.lookup(name).iso3 == code


def test_m49_regions() -> None:
    assert countries.m49_region("DEU") == ("Europe", "Western Europe")
    assert countries.m49_region("CHN") == ("Asia", "Eastern Asia")
    assert countries.m49_region("ATA") is None
    plain = countries.all_countries(aggregates=False)
    missing = {c.iso3 for c in plain if countries.m49_region(c.iso3) is None}
    assert missing == {"ATA"}
