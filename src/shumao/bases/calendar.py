"""Working days on China's official calendar (法定节假日 and the make-up working days, 调休).

The calendar is the maintained ``chinesecalendar`` package (the State Council's yearly holiday
notices, 2004 to the latest year published), never a hand list. A year the package does not
know yet — the State Council publishes the next year's arrangement in November or December —
is an error that says so, rather than a guess that weekends are the only days off.

- ``publicity_end(start)``: the last day of a 公示 of ``n`` working days (notice 四(三): five)
  that starts on ``start``; the first day counts when it is a working day.
- ``rereview_due(designated, year)``: the biennial re-review (四(五)) of a base designated on
  ``designated``, due on the anniversary in ``year``, moved to the next working day.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from shumao.errors import ShumaoError


class CalendarUnknown(ShumaoError):
    pass


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarUnknown(
            f"{day.year} 年的节假日安排尚未收录（chinesecalendar {chinese_calendar.__version__}），"
            f"请升级该软件包后再计算 / the holidays of {day.year} are not in chinesecalendar "
            f"{chinese_calendar.__version__} yet: upgrade the package before computing dates "
            "in that year"
        ) from None


def holiday_name(day: date) -> str | None:
    """The holiday a day belongs to (a day off or a make-up working day), in English."""
    try:
        return chinese_calendar.get_holiday_detail(day)[1]
    except NotImplementedError:
        return None


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day counting from ``start`` (``start`` is the first when it is
    a working day)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = next_working_day(start)
    for _ in range(n - 1):
        day = next_working_day(day + timedelta(days=1))
    return day


def working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def publicity_end(start: date, days: int = 5) -> date:
    return add_working_days(start, days)


def anniversary(day: date, year: int) -> date:
    """The same month and day in ``year`` (29 February → 28 February)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def rereview_years(designated: date, *, every: int, until: int) -> list[int]:
    return list(range(designated.year + every, until + 1, every))


def rereview_due(designated: date, year: int) -> date:
    return next_working_day(anniversary(designated, year))
