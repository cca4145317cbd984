"""A scheduler started after the digest time still sends today's digest, once: real schedulers
(APScheduler, real threads, real SQLite) with an injected clock, so nothing waits for a time of
day. Job completion is observed through APScheduler's job events, never by sleeping."""
from __future__ import annotations

import threading

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from jobs import scheduler as jobs_scheduler
from tests.rules_helpers import CONSULTANT, at, outbox, placement

MONDAY_9 = at("2026-03-30 09:00")


@pytest.fixture
def due_reminders(demo_db, make_consultant):
    """konsulent@example.dk follows the demo citizens; Fatma's placement without paid hours
    gives her reminders that are due on Monday 30 March 2026."""
    make_consultant()
    placement(demo_db, start="2026-03-02")
    return demo_db


def digests(db) -> list[dict]:
    return [row for row in outbox(db) if (row["dedupe_key"] or "").startswith("digest:")]


def run_scheduler_once(config, clock, now):
    """Start a real background scheduler whose jobs see `now` (on the one clock), wait until its
    first rules pass (which runs at start) has finished, and stop it."""
    finished, errors = threading.Event(), []
    clock.set(now)
    scheduler = jobs_scheduler.build_scheduler(config, outbox_interval=3600)

    def listen(event):
        if event.job_id == "rules_pass":
            if event.exception:
                errors.append(event.exception)
            finished.set()
    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        assert finished.wait(30), "the rules pass did not run at start-up"
    finally:
        scheduler.shutdown(wait=True)
    assert not errors, errors


def test_a_scheduler_started_after_the_digest_time_queues_the_digest_once(config, due_reminders, clock):
    run_scheduler_once(config, clock, MONDAY_9)
    queued = digests(due_reminders)
    assert [row["dedupe_key"] for row in queued] == [f"digest:{CONSULTANT}:2026-03-30"]
    assert queued[0]["to_addr"] == CONSULTANT
    # A restart the same day repeats nothing.
    run_scheduler_once(config, clock, at("2026-03-30 11:15"))
    assert len(digests(due_reminders)) == 1
    # The next working day it is sent again.
    run_scheduler_once(config, clock, at("2026-03-31 09:00"))
    assert [row["dedupe_key"][-10:] for row in digests(due_reminders)] == ["2026-03-30", "2026-03-31"]


@pytest.mark.parametrize("moment", [
    at("2026-03-28 09:00"),   # a Saturday
    at("2026-04-03 09:00"),   # langfredag, a Friday
    at("2026-12-24 09:00"),   # juleaftensdag, a Thursday the office is closed
    at("2026-03-30 07:29"),   # a Monday, a minute before the digest time
])
def test_no_digest_on_days_off_or_before_the_digest_time(config, due_reminders, moment, clock):
    run_scheduler_once(config, clock, moment)
    assert digests(due_reminders) == []
    assert due_reminders.execute("SELECT COUNT(*) FROM job_runs").fetchone()[0] == 0


def test_the_digest_time_is_configurable_and_read_as_danish_time(config, due_reminders):
    late = config.with_(digest_time="10:00")
    jobs_scheduler.rules_pass(late, MONDAY_9)  # today's reminders, and no digest before 10:00
    assert jobs_scheduler.catch_up_digest(late, at("2026-03-30 09:59")) is None
    assert digests(due_reminders) == []
    # 08:00 UTC is 10:00 in Copenhagen (summer time from 29 March).
    from datetime import datetime, timezone
    assert jobs_scheduler.catch_up_digest(late, datetime(2026, 3, 30, 8, 0, tzinfo=timezone.utc))["queued"] == 1
    assert len(digests(due_reminders)) == 1


def test_the_digest_sent_on_time_is_not_repeated_by_the_catch_up(config, due_reminders):
    jobs_scheduler.rules_pass(config, at("2026-03-30 07:00"))
    assert digests(due_reminders) == []
    assert jobs_scheduler.daily_digest(config, at("2026-03-30 07:30")) == {"consultants": 1, "queued": 1}
    assert jobs_scheduler.rules_pass(config, at("2026-03-30 07:35")) is not None
    assert jobs_scheduler.catch_up_digest(config, at("2026-03-30 16:00")) is None
    assert jobs_scheduler.daily_digest(config, at("2026-03-30 16:00")) is None
    assert len(digests(due_reminders)) == 1


def test_a_day_done_with_nobody_to_tell_stays_done(config, demo_db, make_consultant):
    # At the digest time nobody has anything due: the day's run is done and sends nothing ...
    make_consultant()
    assert jobs_scheduler.daily_digest(config, at("2026-03-30 07:30")) == {"consultants": 0, "queued": 0}
    # ... and a reminder falling due later that day does not start a digest in the afternoon.
    placement(demo_db, start="2026-03-02")
    jobs_scheduler.rules_pass(config, at("2026-03-30 14:00"))
    assert digests(demo_db) == []


def test_a_run_cut_off_before_it_was_recorded_queues_nothing_twice(config, due_reminders):
    # As if the process died after queueing and before noting the run: the rerun finds every
    # consultant's digest already in the outbox (its dedupe key) and queues nothing.
    jobs_scheduler.rules_pass(config, MONDAY_9)
    assert len(digests(due_reminders)) == 1
    due_reminders.execute("DELETE FROM job_runs")
    due_reminders.conn.commit()
    assert jobs_scheduler.catch_up_digest(config, MONDAY_9) == {"consultants": 1, "queued": 0}
    assert len(digests(due_reminders)) == 1


def test_two_schedulers_catching_up_at_once_queue_one_digest(config, due_reminders):
    jobs_scheduler.rules_pass(config, at("2026-03-30 07:00"))  # reminders exist, no digest yet
    start, errors = threading.Barrier(3), []

    def catch_up():
        try:
            start.wait()
            jobs_scheduler.catch_up_digest(config, MONDAY_9)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
    threads = [threading.Thread(target=catch_up) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(digests(due_reminders)) == 1
    assert due_reminders.execute("SELECT COUNT(*) FROM job_runs").fetchone()[0] == 1
