"""The scheduler: its jobs and triggers, a background scheduler that really sends, and the
`smajobs scheduler` process stopping cleanly on SIGTERM. Waits poll with a timeout."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from data.outbox import enqueue
from jobs import scheduler as jobs_scheduler
from jobs.scheduler import build_scheduler, parse_clock, start_background
from tests.conftest import ROOT
from tests.rules_helpers import at, keys, outbox, placement

CPH = ZoneInfo("Europe/Copenhagen")


def wait_for(condition, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return result


def test_the_scheduler_has_its_jobs_with_safe_defaults(config):
    scheduler = build_scheduler(config.with_(digest_time="07:45"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"send_outbox", "rules_pass", "daily_digest", "retention", "audit_retention"}
    assert isinstance(jobs["retention"].trigger, CronTrigger)
    assert str(scheduler.timezone) == "Europe/Copenhagen"
    assert isinstance(jobs["send_outbox"].trigger, IntervalTrigger)
    assert jobs["send_outbox"].trigger.interval.total_seconds() == 30
    assert jobs["rules_pass"].trigger.interval.total_seconds() == 300
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 1
    digest = jobs["daily_digest"].trigger
    assert isinstance(digest, CronTrigger)
    # Friday after the digest -> Monday 07:45, across the change to summer time (29 March 2026).
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=CPH)
    monday = digest.get_next_fire_time(None, friday)
    assert monday == datetime(2026, 3, 30, 7, 45, tzinfo=CPH)
    assert monday.utcoffset().total_seconds() == 2 * 3600


def test_digest_time_must_be_a_time_of_day():
    assert parse_clock("07:30") == (7, 30)
    for bad in ("7.30", "25:00", "07:60", "morgen"):
        with pytest.raises(ValueError, match="digest_time skal være et klokkeslæt"):
            parse_clock(bad)


def test_the_background_scheduler_sends_an_email_queued_after_it_started(db, config):
    scheduler = start_background(config, outbox_interval=0.2)
    try:
        assert isinstance(scheduler, BackgroundScheduler) and scheduler.running
        outbox_id = enqueue(db, to="konsulent@example.dk", subject="Dagens overblik", body_text="Hej\n")
        eml = Path(config.mail_dir) / f"outbox-{outbox_id:06d}.eml"
        wait_for(eml.exists, what="the .eml file")
        wait_for(lambda: db.execute("SELECT sent_at FROM outbox WHERE id = ?", [outbox_id]).fetchone()[0],
                 what="sent_at")
        assert b"Dagens overblik" in eml.read_bytes()
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running


def test_the_scheduler_process_sends_and_stops_cleanly_on_sigterm(db, config):
    outbox_id = enqueue(db, to="konsulent@example.dk", subject="Påmindelse", body_text="Hej\n")
    env = os.environ | {"SMAJOBS_MAIL_DIR": config.mail_dir, "SMAJOBS_MAIL_TRANSPORT": "files"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from smajobs.cli import main; main()", "--db", config.db, "scheduler"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The outbox job runs at start, then every 30 s.
        wait_for((Path(config.mail_dir) / f"outbox-{outbox_id:06d}.eml").exists, timeout=90,
                 what="the scheduler process to send")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Planlæggeren kører" in err and "Planlæggeren er stoppet." in err
    assert "konsulent@example.dk" not in err + out, "no recipient in the log"


def test_the_rules_job_runs_a_real_pass_with_its_own_connection(config, demo_db):
    # A placement started without paid hours: rule 1 wants a reminder to propose them.
    placement(demo_db, start="2026-03-02")
    summary = jobs_scheduler.rules_pass(config, at("2026-03-03 08:00"))
    assert summary["created"] >= 1
    assert "paid_hours:start:" in " ".join(keys(demo_db))
    # The job's own connection is closed and its work committed: a second pass creates nothing.
    assert jobs_scheduler.rules_pass(config, at("2026-03-03 08:05"))["created"] == 0


def test_the_digest_job_runs_on_working_days_only(config, demo_db, make_consultant):
    make_consultant()  # konsulent@example.dk follows the demo citizens
    placement(demo_db, start="2026-12-14")
    jobs_scheduler.rules_pass(config, at("2026-12-21 07:00"))  # before the digest time
    assert keys(demo_db), "expected due reminders for the digest"

    def digests() -> list[dict]:
        return [row for row in outbox(demo_db) if row["to_addr"] == "konsulent@example.dk"]
    christmas_day = datetime(2026, 12, 25, 7, 30, tzinfo=CPH)   # a Friday, a public holiday
    saturday = datetime(2026, 12, 26, 7, 30, tzinfo=CPH)
    assert jobs_scheduler.daily_digest(config, christmas_day) is None
    assert jobs_scheduler.daily_digest(config, saturday) is None
    assert digests() == []
    monday = datetime(2026, 12, 28, 7, 30, tzinfo=CPH)
    assert jobs_scheduler.daily_digest(config, monday)
    assert len(digests()) == 1
