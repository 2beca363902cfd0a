"""公示 and re-review dates on the official calendar, across the 2024/2025 holidays and their
make-up working days (调休)."""

from __future__ import annotations

from datetime import date

import pytest

from shumao.bases import calendar


def test_publicity_over_national_day_2024_counts_the_sunday_make_up_day() -> None:
    # 2024-09-29 (Sunday) was a working day, 10-01…10-07 off: Fri 27, Sun 29, Mon 30, Tue 8 Oct …
    assert calendar.publicity_end(date(2024, 9, 27)) == date(2024, 10, 9)
    assert calendar.working_days(date(2024, 9, 27), date(2024, 10, 9)) == [
        date(2024, 9, 27),
        date(2024, 9, 29),
        date(2024, 9, 30),
        date(2024, 10, 8),
        date(2024, 10, 9),
    ]


def test_publicity_over_spring_festival_2025() -> None:
    # 2025-01-26 (Sunday) and 2025-02-08 (Saturday) were working days; 01-28…02-04 off
    assert calendar.working_days(date(2025, 1, 24), date(2025, 2, 6)) == [
        date(2025, 1, 24),
        date(2025, 1, 26),
        date(2025, 1, 27),
        date(2025, 2, 5),
        date(2025, 2, 6),
    ]
    assert calendar.publicity_end(date(2025, 1, 24)) == date(2025, 2, 6)
    # the Saturday make-up day counts: 5, 6, 7, 8 (Saturday, 调休), 10
    assert calendar.publicity_end(date(2025, 2, 5)) == date(2025, 2, 10)


def test_a_publicity_starting_on_a_holiday_starts_on_the_next_working_day() -> None:
    assert calendar.publicity_end(date(2024, 10, 1)) == date(2024, 10, 12)  # 8,9,10,11,12(Sat)


def test_rereview_due_moves_past_the_holiday() -> None:
    assert calendar.rereview_due(date(2023, 10, 1), 2025) == date(2025, 10, 9)
    assert calendar.rereview_due(date(2020, 4, 1), 2024) == date(2024, 4, 1)
    assert calendar.rereview_years(date(2020, 4, 1), every=2, until=2026) == [2022, 2024, 2026]


def test_a_year_the_package_does_not_know_is_an_error_not_a_guess() -> None:
    with pytest.raises(calendar.CalendarUnknown, match="尚未收录"):
        calendar.publicity_end(date(2031, 1, 2))
