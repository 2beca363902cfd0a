from __future__ import annotations

from datetime import date

import pytest

from shumao.errors import UnknownCode
from shumao.reference import countries, groupings


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (2023, date(2023, 12, 31)),
        ("2023", date(2023, 12, 31)),
        ("2024-Q1", date(2024, 3, 31)),
        ("2024Q4", date(2024, 12, 31)),
        ("2024-03", date(2024, 3, 31)),
        ("2024-02", date(2024, 2, 29)),
        ("2024-03-15", date(2024, 3, 15)),
        (date(2020, 1, 31), date(2020, 1, 31)),
    ],
)
def test_as_of_is_the_end_of_the_period(as_of: date | int | str, expected: date) -> None:
    assert groupings.as_of_date(as_of) == expected


@pytest.mark.parametrize("bad", ["2024-13", "2024-Q5", "next year"])
def test_bad_periods_raise(bad: str) -> None:
    with pytest.raises(UnknownCode):
        groupings.as_of_date(bad)


@pytest.mark.parametrize(
    ("group", "as_of", "count"),
    [
        ("BRICS", 2005, 0),
        ("BRICS", 2010, 5),
        ("BRICS", 2023, 5),
        ("BRICS", 2024, 9),
        ("BRICS", 2025, 10),
        ("BRICS", "2024-12-31", 9),
        ("BRICS", "2025-01-05", 9),
        ("ASEAN", 2024, 10),
        ("ASEAN", 2025, 11),
        ("ASEAN", "2025-10-25", 10),
        ("EU27", 2005, 27),
        ("EU27", 2024, 27),
        ("EU", 2019, 28),
        ("EU", 2020, 27),
        ("EU", 2012, 27),
        ("EU", 2013, 28),
        ("EU", 2005, 25),
        ("SCO", 2016, 6),
        ("SCO", 2017, 8),
        ("SCO", 2023, 9),
        ("SCO", 2024, 10),
        ("RCEP", 2021, 0),
        ("RCEP", "2022-01-01", 10),
        ("RCEP", 2022, 12),
        ("RCEP", 2023, 14),
        ("RCEP", 2025, 14),
        ("G20", 2022, 20),
        ("G20", 2023, 21),
    ],
)
def test_dated_member_counts(group: str, as_of: int | str, count: int) -> None:
    assert len(groupings.members(group, as_of)) == count


def test_specific_memberships() -> None:
    assert "GBR" in groupings.members("EU", "2020-01-31")
    assert "GBR" not in groupings.members("EU", "2020-02-01")
    assert "GBR" not in groupings.members("EU27", 2010)
    assert "IDN" in groupings.members("BRICS", 2025)
    assert "SAU" not in groupings.members("BRICS", 2025)
    assert "MMR" not in groupings.members("RCEP", 2025)
    assert "TLS" in groupings.members("ASEAN", 2025)
    assert {"EUU", "AFU"} <= groupings.members("G20", 2024)
    assert "AFU" not in groupings.members("G20", "2023-09-08")
    mmr = [m for m in groupings.membership("RCEP") if m.iso3 == "MMR"]
    assert len(mmr) == 1 and mmr[0].status == "signatory" and mmr[0].note


def test_members_are_known_countries() -> None:
    for m in [m for g in groupings.groups() for m in groupings.membership(g.code)]:
        assert countries.lookup(m.iso3).iso3 == m.iso3
        assert m.valid_from is None or m.valid_to is None or m.valid_from <= m.valid_to


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("BRICS", "BRICS"),
        ("brics", "BRICS"),
        ("金砖", "BRICS"),
        ("金砖国家", "BRICS"),
        ("区域全面经济伙伴关系协定", "RCEP"),
        ("上海合作组织", "SCO"),
        ("上合组织", "SCO"),
        ("欧盟27国", "EU27"),
        ("EU-27", "EU27"),
        ("东盟", "ASEAN"),
        ("二十国集团", "G20"),
        ("g20", "G20"),
        ("Group of Twenty", "G20"),
        ("发达经济体", "DEVELOPED"),
        ("Developing economies", "DEVELOPING"),
        ("European Union", "EU"),
    ],
)
def test_lookup_group(value: str, code: str) -> None:
    assert groupings.lookup_group(value).code == code


def test_groups_have_bilingual_names_and_sources() -> None:
    groups = groupings.groups()
    codes = [g.code for g in groups]
    expected = {
        "RCEP",
        "BRICS",
        "SCO",
        "EU27",
        "EU",
        "ASEAN",
        "G20",
        "DEVELOPED",
        "DEVELOPING",
        "BRI",
    }
    assert set(codes) == expected
    assert all(g.name_zh and g.name_en and g.source for g in groups)
    with pytest.raises(UnknownCode):
        groupings.lookup_group("G7")


def test_developed_and_developing() -> None:
    developed = groupings.members("DEVELOPED", 2024)
    expected = {"USA", "CAN", "BMU", "GRL", "SPM", "ISR", "JPN", "KOR", "AUS", "NZL", "DEU", "RUS"}
    assert expected <= developed
    assert "CHN" not in developed and "TUR" not in developed
    assert "KOR" in groupings.members("DEVELOPING", 2020)
    assert "KOR" in groupings.members("DEVELOPING", "2021-07-01")
    assert "KOR" in groupings.members("DEVELOPED", "2021-07-02")
    assert {"CHN", "BRA", "IND", "ZAF", "SGP"} <= groupings.members("DEVELOPING", 2024)


def test_every_current_country_is_developed_xor_developing() -> None:
    developed = groupings.members("DEVELOPED", 2024)
    developing = groupings.members("DEVELOPING", 2024)
    assert not developed & developing
    current = {
        c.iso3
        for c in countries.all_countries(aggregates=False)
        if countries.validity(c.iso3)[1] is None
    }
    assert developed | developing == current - {"ATA"}
    for iso3 in developed:
        region = countries.m49_region(iso3)
        assert region is not None
        assert (
            region[0] == "Europe"
            or region[1] == "Northern America"
            or iso3 in {"ISR", "JPN", "KOR", "AUS", "NZL"}
        )


def test_groups_of() -> None:
    assert groupings.groups_of("CHN", 2024) == ["RCEP", "BRICS", "SCO", "G20", "DEVELOPING"]
    assert groupings.groups_of("中国", 2005) == ["SCO", "G20", "DEVELOPING"]
    assert groupings.groups_of("GBR", 2019) == ["EU", "G20", "DEVELOPED"]
    assert groupings.groups_of("FRA", 2024) == ["EU", "EU27", "G20", "DEVELOPED"]
