"""The scheduler (APScheduler 3.x): sends the outbox, runs the reminder rules and the daily digest.

Its jobs live in APScheduler's in-memory job store on purpose: everything that matters
(reminders, the outbox and what was sent) lives in our database, and every job works out from
the database what is due. A restart therefore loses nothing and repeats nothing, and two
scheduler processes started by mistake still send each e-mail once (the outbox claims rows).

The daily digest is the one job tied to a time of day: the in-memory cron trigger alone would
skip today's digest when the process starts (or was down) after `digest_time`. So every rules
pass, which also runs at start-up, catches up: on a working day past `digest_time` it queues
today's digest unless `job_runs` says it was done (and the outbox's per-consultant, per-day
dedupe key keeps two processes racing from queueing it twice).

Times are Danish wall-clock time (core.clock.COPENHAGEN), as are the rules and holidays.

`smajobs scheduler` runs it as its own process (BlockingScheduler): the way to deploy it beside
several web workers. `start_background` runs it inside one process (the demo's `smajobs serve
--scheduler`). Each job run opens its own database connection and closes it.
"""
from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from data import job_runs
from data.db import connect
from jobs import calendar, digest, rules
from core.clock import COPENHAGEN, local_now
from core.config import Config

logger = logging.getLogger("smajobs.scheduler")

OUTBOX_INTERVAL_SECONDS = 30
RULES_INTERVAL_SECONDS = 5 * 60
# Runs missed while the process was busy collapse into one; a job never overlaps itself.
JOB_OPTIONS = {"coalesce": True, "max_instances": 1}
DIGEST_JOB = "daily_digest"
Clock = Callable[[], datetime]


def build_scheduler(config: Config, scheduler_class: type[BaseScheduler] = BackgroundScheduler, *,
                    outbox_interval: float = OUTBOX_INTERVAL_SECONDS,
                    rules_interval: float = RULES_INTERVAL_SECONDS,
                    clock: Clock | None = None) -> BaseScheduler:
    """A scheduler with the three jobs added, not yet started. `clock` (tests) is what the jobs
    take as the time; the triggers themselves follow the real clock."""
    zone = COPENHAGEN
    scheduler = scheduler_class(
        timezone=zone,
        jobstores={"default": MemoryJobStore()},
        # One thread per job is enough: max_instances=1 keeps a job from overlapping itself.
        executors={"default": ThreadPoolExecutor(max_workers=3)},
        job_defaults=JOB_OPTIONS,
    )
    now = datetime.now(zone)
    clocked = {"clock": clock}
    scheduler.add_job(send_outbox, IntervalTrigger(seconds=outbox_interval, timezone=zone),
                      args=[config], id="send_outbox", name="send outbox", next_run_time=now,
                      misfire_grace_time=max(int(outbox_interval), 1), **JOB_OPTIONS)
    # Runs at once on start: that first pass also catches up a digest missed today.
    scheduler.add_job(rules_pass, IntervalTrigger(seconds=rules_interval, timezone=zone),
                      args=[config], kwargs=clocked, id="rules_pass", name="rules pass", next_run_time=now,
                      misfire_grace_time=max(int(rules_interval), 1), **JOB_OPTIONS)
    hour, minute = parse_clock(config.digest_time)
    # On time when the process is up at digest_time; later than the grace time, the next rules
    # pass catches up instead.
    scheduler.add_job(daily_digest, CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute,
                                                timezone=zone),
                      args=[config], kwargs=clocked, id=DIGEST_JOB, name="daily digest", misfire_grace_time=3600,
                      **JOB_OPTIONS)
    hour, minute = parse_clock(config.match_index_refresh_time)
    scheduler.add_job(refresh_match_index, CronTrigger(hour=hour, minute=minute, timezone=zone),
                      args=[config], id="refresh_match_index", name="refresh match index",
                      misfire_grace_time=3 * 3600, **JOB_OPTIONS)
    return scheduler


def start_background(config: Config, **intervals) -> BackgroundScheduler:
    """Start the scheduler in background threads of this process; call `.shutdown()` to stop."""
    scheduler = build_scheduler(config, BackgroundScheduler, **intervals)
    scheduler.start()
    logger.info("background scheduler started")
    return scheduler


def run_blocking(config: Config, **intervals) -> None:
    """Run the scheduler in this thread until interrupted (SIGINT/SIGTERM raise out of it)."""
    scheduler = build_scheduler(config, BlockingScheduler, **intervals)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            # Waits for a running job: a send in progress finishes and is marked sent.
            scheduler.shutdown(wait=True)


def parse_clock(value: str) -> tuple[int, int]:
    """"07:30" -> (7, 30); a clear Danish error for anything else."""
    try:
        hour, minute = (int(part) for part in value.split(":"))
        if 0 <= hour < 24 and 0 <= minute < 60:
            return hour, minute
    except ValueError:
        pass
    raise ValueError(f"digest_time skal være et klokkeslæt som 07:30, ikke {value!r}")


# --- the jobs ----------------------------------------------------------------------------------

def send_outbox(config: Config) -> int:
    from jobs.mail import deliver_outbox
    db = connect(config.db)
    try:
        return deliver_outbox(db, config)
    finally:
        db.close()


def _now(now: datetime | None, clock: Clock | None) -> datetime:
    return local_now(now or (clock() if clock else None))


def rules_pass(config: Config, now: datetime | None = None, clock: Clock | None = None):
    """One pass of the reminder rules as of `now` (default: the clock), then the digest catch-up
    (after the rules, so the reminders due today are in it)."""
    now = _now(now, clock)
    db = connect(config.db)
    try:
        summary = rules.run_pass(db, config, now)
    finally:
        db.close()
    logger.info("rules pass: %s", _counts_only(summary))
    catch_up_digest(config, now)
    return summary


def digest_is_due(config: Config, now: datetime) -> bool:
    """A working day, at or past digest_time (Danish time)."""
    now = local_now(now)
    hour, minute = parse_clock(config.digest_time)
    return calendar.is_working_day(now.date()) and now.time() >= time(hour, minute)


def catch_up_digest(config: Config, now: datetime | None = None, clock: Clock | None = None):
    """Queue today's digest if it is due and has not been done today; None when nothing ran."""
    now = _now(now, clock)
    if not digest_is_due(config, now):
        return None
    return daily_digest(config, now)


def daily_digest(config: Config, now: datetime | None = None, clock: Clock | None = None):
    """The consultants' daily digest, once per working day (weekends and holidays skipped).

    Returns the counts, or None when skipped: not a working day, or already done today. The run
    is recorded after the e-mails are queued, so a crash in between repeats the run, and the
    outbox's dedupe key (one digest per consultant and day) makes that repeat queue nothing."""
    now = _now(now, clock)
    today = now.date()
    if not calendar.is_working_day(today):
        logger.info("daily digest skipped: not a working day")
        return None
    db = connect(config.db)
    try:
        if job_runs.has_run(db, DIGEST_JOB, today):
            return None
        result = digest.send_digests(db, config, now)
        job_runs.record_run(db, DIGEST_JOB, today)
    finally:
        db.close()
    logger.info("daily digest: %s", _counts_only(result))
    return result


def refresh_match_index(config: Config) -> int:
    """The nightly full build of the match index (data.matching): the day's incremental
    changes folded into a freshly fitted text model, persisted for every process."""
    from data.matching import match_service
    db = connect(config.db)
    try:
        version = match_service.refresh(db)
    finally:
        db.close()
    logger.info("match index refreshed at registry version %d", version)
    return version


def _counts_only(summary) -> str:
    """Only the numbers of a job's summary go to the log, never anything that could be a name."""
    if isinstance(summary, dict):
        return ", ".join(f"{key}={value}" for key, value in summary.items()
                         if isinstance(value, (int, float)) and isinstance(key, str)) or "-"
    return str(summary) if isinstance(summary, (int, float)) else "-"
