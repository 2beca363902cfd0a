"""共建“一带一路”国家 as a dated grouping: the official list, dated signings, two exits."""

from __future__ import annotations

from datetime import date

import pytest

from shumao.reference import groupings


@pytest.mark.parametrize(
    ("as_of", "count"),
    [
        # Only the signings a stored source dates: Albania (GFDC), Senegal, Italy, Luxembourg
        # and the seven MoUs of the second Belt and Road Forum.
        (2020, 11),
        # + NDRC's briefings of 2021-12-16 (five) and 2022-01-18 (four).
        ("2022-06", 20),
        # The official list: 152 countries on NDRC's count of 2023-08-24.
        ("2023-08-24", 152),
        ("2023-08-23", 21),  # Afghanistan from GFDC's May 2023
        (2023, 152),
        (2024, 151),  # Italy's MoU expired on 2024-03-22
        (2025, 150),  # Panama's notice of 2025-02-06
    ],
)
def test_member_counts(as_of: int | str, count: int) -> None:
    assert len(groupings.members("BRI", as_of)) == count


def test_italy_in_2020_not_in_2025() -> None:
    assert "ITA" in groupings.members("一带一路", 2020)
    assert "ITA" in groupings.members("BRI", "2024-03-22")
    assert "ITA" not in groupings.members("BRI", "2024-03-23")
    assert "ITA" not in groupings.members("BRI", 2025)
    assert "BRI" in groupings.groups_of("ITA", 2020)
    assert "BRI" not in groupings.groups_of("ITA", 2025)


def test_every_row_names_its_source_and_undated_rows_say_so() -> None:
    rows = groupings.membership("BRI")
    assert len(rows) == 152
    assert all(r.note for r in rows)
    snapshot = [r for r in rows if r.valid_from == date(2023, 8, 24)]
    assert len(snapshot) == 152 - 21
    assert all("valid_from is the list's as-of date" in r.note for r in snapshot)
    palestine = next(r for r in rows if r.iso3 == "PSE")
    assert "not a UN member state" in palestine.note
    assert {r.iso3 for r in rows if "unclear" in r.note} == {"AUT", "NER", "RUS"}


def test_the_group_has_its_sources() -> None:
    group = groupings.lookup_group("共建“一带一路”国家")
    assert group.code == "BRI"
    assert "yidaiyilu.gov.cn" in group.source and "greenfdc.org" in group.source
