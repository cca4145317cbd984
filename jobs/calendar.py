"""Dates and working days as consultants in Denmark live them.

Every rule works on local Copenhagen dates (core.clock).

Working days skip weekends, the Danish public holidays (holidays.Denmark: nytårsdag, skærtorsdag,
langfredag, påskedag, 2. påskedag, store bededag until 2023, Kristi himmelfartsdag, pinsedag,
2. pinsedag, juledag, 2. juledag) and three days that are not public holidays by law but are days
off under most Danish collective agreements and in municipal job centres: Grundlovsdag (5 June,
from noon in law, usually the whole day in practice), juleaftensdag (24 December) and
nytårsaftensdag (31 December). We count them as non-working so nobody is reminded, or sent a
digest, on a day the office is closed. 1 May is left a working day: it is a day off only in some
agreements.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


# (month, day) of the customary days off counted as non-working, see the module docstring.
CUSTOMARY_DAYS_OFF = {(6, 5): "Grundlovsdag", (12, 24): "Juleaftensdag", (12, 31): "Nytårsaftensdag"}


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Denmark(years=year))


def holiday_name(day: date) -> str | None:
    """The Danish name of the day off, or None on an ordinary day (weekends included)."""
    if (day.month, day.day) in CUSTOMARY_DAYS_OFF:
        return CUSTOMARY_DAYS_OFF[(day.month, day.day)]
    if day in _public_holidays(day.year):
        return holidays.Denmark(years=day.year, language="da").get(day) or "Helligdag"
    return None


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in CUSTOMARY_DAYS_OFF:
        return False
    return day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """Move `count` working days forward (negative: back), not counting `day` itself."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day
