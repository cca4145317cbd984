"""The scheduler: its jobs and triggers, a background scheduler that really sends, and the
`smajobs scheduler` process stopping cleanly on SIGTERM. Waits poll with a timeout."""
from __future__ import annotations

import logging
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

CPH = ZoneInfo("Europe/Copenhagen")


def wait_for(condition, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return result


def test_the_scheduler_has_its_three_jobs_with_safe_defaults(config):
    scheduler = build_scheduler(config.with_(digest_time="07:45"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"send_outbox", "rules_pass", "daily_digest"}
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


def test_a_missing_companion_module_is_a_logged_no_op(caplog):
    caplog.set_level(logging.WARNING, logger="smajobs.scheduler")
    assert jobs_scheduler._optional_module("jobs.not_written_yet") is None
    assert "jobs.not_written_yet is not installed" in caplog.text


def test_a_companion_module_with_a_broken_import_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "broken_companion.py").write_text("import no_such_dependency_of_ours\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_of_ours"):
        jobs_scheduler._optional_module("broken_companion")


def test_the_scheduler_process_sends_and_stops_cleanly_on_sigterm(db, config):
    outbox_id = enqueue(db, to="konsulent@example.dk", subject="Påmindelse", body_text="Hej\n")
    env = os.environ | {"SMAJOBS_MAIL_DIR": config.mail_dir, "SMAJOBS_MAIL_TRANSPORT": "files"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from smajobs.cli import main; main()", "--db", config.db, "scheduler"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The outbox job runs at start, then every 30 s.
        wait_for((Path(config.mail_dir) / f"outbox-{outbox_id:06d}.eml").exists, timeout=20,
                 what="the scheduler process to send")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Planlæggeren kører" in err and "Planlæggeren er stoppet." in err
    assert "konsulent@example.dk" not in err + out, "no recipient in the log"


def _stand_in(monkeypatch, name: str, **functions):
    """Until the rules/calendar/digest modules are written, a stand-in module with the agreed
    signature shows the job calls it as agreed (with its own connection and Danish time)."""
    import types
    module = types.ModuleType(name)
    for attribute, function in functions.items():
        setattr(module, attribute, function)
    monkeypatch.setitem(sys.modules, name, module)


def test_the_rules_job_calls_run_pass_with_its_own_connection_and_danish_time(config, monkeypatch):
    calls = []

    def run_pass(db, cfg, now):
        calls.append((db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0], cfg, now))
        return {"created": 2, "closed": 1}
    _stand_in(monkeypatch, "jobs.rules", run_pass=run_pass)
    assert jobs_scheduler.rules_pass(config) == {"created": 2, "closed": 1}
    [(count, cfg, now)] = calls
    assert count == 0 and cfg is config
    assert now.tzinfo is not None and now.utcoffset() == datetime.now(CPH).utcoffset()


def test_the_digest_job_runs_on_working_days_only(config, monkeypatch):
    # The real working-day calendar (jobs.calendar); the digest content is a stand-in.
    sent = []
    _stand_in(monkeypatch, "jobs.digest", send_digests=lambda db, cfg, now: sent.append(now) or 3)
    christmas_day = datetime(2026, 12, 25, 7, 30, tzinfo=CPH)   # a Friday, a public holiday
    saturday = datetime(2026, 12, 26, 7, 30, tzinfo=CPH)
    assert jobs_scheduler.daily_digest(config, christmas_day) is None
    assert jobs_scheduler.daily_digest(config, saturday) is None
    assert sent == []
    monday = datetime(2026, 12, 28, 7, 30, tzinfo=CPH)
    assert jobs_scheduler.daily_digest(config, monday) == 3 and sent == [monday]
