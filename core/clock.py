"""The one clock. Everything that asks "what time is it?" asks `now()` here, so a test, or the
scheduler's `--now`, sets the time for the whole process in one place (`use`).

Times are Danish wall-clock time: `now` is an aware datetime (any zone) or a naive one read as
Copenhagen wall-clock time, and `local_date(now)` is the date a consultant sees on the wall.
Converting through zoneinfo keeps the date right across the daylight-saving changes. Stored
timestamps (`*_at` columns) are UTC ISO text (`now_iso`)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

Source = Callable[[], datetime]

_source: Source | None = None


def now() -> datetime:
    """The current time as an aware Copenhagen datetime (the fixed time while one is in use)."""
    return local_now()


def today() -> date:
    return now().date()


def now_iso() -> str:
    """The current time as stored in every *_at column: UTC, to the second."""
    return now().astimezone(timezone.utc).isoformat(timespec="seconds")


def set_source(source: Source | None) -> None:
    """Make `source()` the time from now on (None: the real time again)."""
    global _source
    _source = source


@contextmanager
def use(moment: datetime | Source) -> Iterator[None]:
    """The clock reads `moment` (a datetime, or a function giving one) inside the block."""
    before = _source
    set_source(moment if callable(moment) else (lambda: moment))
    try:
        yield
    finally:
        set_source(before)


def local_now(moment: datetime | None = None, zone: ZoneInfo = COPENHAGEN) -> datetime:
    """`moment` (default: the clock's time, `now()`) as an aware Copenhagen datetime; naive input is
    Copenhagen wall-clock time."""
    if moment is None:
        moment = _source() if _source else datetime.now(zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def local_date(moment: datetime | None = None, zone: ZoneInfo = COPENHAGEN) -> date:
    return local_now(moment, zone).date()


def parse_now(text: str | None) -> datetime:
    """An ISO time from the command line (`2026-03-30T08:00`, optionally with an offset)."""
    if not text:
        return now()
    return local_now(datetime.fromisoformat(text))


def to_local_date(stored: str | None, zone: ZoneInfo = COPENHAGEN) -> date | None:
    """A stored value as a local date: a plain ISO date as is, a UTC timestamp converted."""
    if not stored:
        return None
    if len(stored) == 10:
        return date.fromisoformat(stored)
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    if moment.tzinfo is None:  # stored timestamps are UTC (now_iso)
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has fewer days (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
