"""Dates and working days as consultants in Denmark live them.

Every rule works on local Copenhagen dates: `now` is an aware datetime (any zone) or a naive one
read as Copenhagen wall-clock time, and `local_date(now)` is the date a consultant sees on the
wall. Converting through zoneinfo keeps the date right across the daylight-saving changes
(last Sunday of March and of October), when a UTC day is 23 or 25 local hours long.

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

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# (month, day) of the customary days off counted as non-working, see the module docstring.
CUSTOMARY_DAYS_OFF = {(6, 5): "Grundlovsdag", (12, 24): "Juleaftensdag", (12, 31): "Nytårsaftensdag"}


def local_now(now: datetime | None = None, zone: ZoneInfo = COPENHAGEN) -> datetime:
    """`now` as an aware Copenhagen datetime; naive input is Copenhagen wall-clock time."""
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        return now.replace(tzinfo=zone)
    return now.astimezone(zone)


def local_date(now: datetime | None = None, zone: ZoneInfo = COPENHAGEN) -> date:
    return local_now(now, zone).date()


def parse_now(text: str | None) -> datetime:
    """Parse an ISO time from the command line (`2026-03-30T08:00`, optionally with an offset)."""
    if not text:
        return local_now()
    return local_now(datetime.fromisoformat(text))


def to_local_date(stored: str | None, zone: ZoneInfo = COPENHAGEN) -> date | None:
    """A stored value as a local date: a plain ISO date as is, a UTC timestamp converted."""
    if not stored:
        return None
    if len(stored) == 10:
        return date.fromisoformat(stored)
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    if moment.tzinfo is None:  # stored timestamps are UTC (data.db.now_iso)
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone).date()


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
