"""Working days (weekends, Danish holidays, customary days off) and local dates across DST."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from core.clock import local_date, parse_now, to_local_date
from jobs.calendar import add_working_days, holiday_name, is_working_day, next_working_day, previous_working_day


@pytest.mark.parametrize("day", [
    "2026-04-02",  # skærtorsdag
    "2026-04-03",  # langfredag
    "2026-04-06",  # 2. påskedag
    "2026-05-14",  # Kristi himmelfartsdag
    "2026-05-25",  # 2. pinsedag
    "2026-12-25",  # 1. juledag
    "2026-12-26",  # 2. juledag (a Saturday anyway)
    "2027-01-01",  # nytårsdag
    "2026-06-05",  # Grundlovsdag (customary)
    "2026-12-24",  # juleaftensdag (customary)
    "2026-12-31",  # nytårsaftensdag (customary)
    "2026-03-28",  # an ordinary Saturday
    "2026-03-29",  # an ordinary Sunday (and the DST change)
    "2023-05-05",  # store bededag, still a holiday in 2023
])
def test_days_off(day):
    assert not is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", ["2026-03-30", "2026-04-01", "2026-04-07", "2026-05-01", "2024-04-26",
                                 "2026-05-15"])
def test_working_days(day):
    # 1 May is a working day in most agreements; store bededag was abolished from 2024.
    assert is_working_day(date.fromisoformat(day))


def test_holiday_names_are_danish():
    assert holiday_name(date(2026, 4, 6)) == "Anden påskedag"
    assert holiday_name(date(2026, 12, 24)) == "Juleaftensdag"
    assert holiday_name(date(2026, 3, 30)) is None


def test_working_day_arithmetic_over_easter_2026():
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert previous_working_day(date(2026, 4, 6)) == date(2026, 4, 1)
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 8), -5) == date(2026, 3, 27)
    assert add_working_days(date(2026, 3, 30), 0) == date(2026, 3, 30)


def test_local_dates_across_daylight_saving_changes():
    cph = ZoneInfo("Europe/Copenhagen")
    # 29 March 2026: clocks go 02:00 -> 03:00. 22:30 UTC is already 00:30 on the 30th locally.
    assert local_date(datetime(2026, 3, 29, 22, 30, tzinfo=timezone.utc)) == date(2026, 3, 30)
    assert local_date(datetime(2026, 3, 29, 21, 30, tzinfo=timezone.utc)) == date(2026, 3, 29)
    # Before the change, CET is UTC+1: 23:30 UTC on the 28th is 00:30 on the 29th.
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc)) == date(2026, 3, 29)
    # 25 October 2026: clocks go 03:00 -> 02:00; 23:30 UTC on the 25th is 00:30 on the 26th (CET).
    assert local_date(datetime(2026, 10, 25, 23, 30, tzinfo=timezone.utc)) == date(2026, 10, 26)
    assert local_date(datetime(2026, 10, 25, 22, 30, tzinfo=timezone.utc)) == date(2026, 10, 25)
    # Naive input is Copenhagen wall-clock time.
    assert parse_now("2026-03-29T02:30").tzinfo is not None
    assert local_date(datetime(2026, 10, 25, 2, 30)) == date(2026, 10, 25)
    assert parse_now("2026-03-30T08:00").utcoffset().total_seconds() == 7200
    assert parse_now("2026-03-27T08:00").utcoffset().total_seconds() == 3600
    assert datetime(2026, 3, 30, tzinfo=cph).date() == date(2026, 3, 30)


def test_stored_utc_timestamps_become_local_dates():
    assert to_local_date("2026-06-30T22:30:00+00:00") == date(2026, 7, 1)
    assert to_local_date("2026-01-31T22:30:00+00:00") == date(2026, 1, 31)
    assert to_local_date("2026-05-04") == date(2026, 5, 4)
    assert to_local_date(None) is None
