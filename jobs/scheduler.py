"""The scheduler (APScheduler 3.x): sends the outbox, runs the reminder rules and the daily digest,
and erases citizens whose retention period has run out (daily, and at start).

Its jobs live in APScheduler's in-memory job store on purpose: everything that matters
(reminders, the outbox and what was sent) lives in our database, and every job works out from
the database what is due. A restart therefore loses nothing and repeats nothing, and two
scheduler processes started by mistake still send each e-mail once (the outbox claims rows).

A fourth job removes audit-log rows older than SMAJOBS_AUDIT_RETENTION_MONTHS, at start and
then once a day. Every job acts as `audit.SCHEDULER` in the audit trail.

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

import functools
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

from data import audit, job_runs
from data.db import connect
from jobs import calendar, digest, erasure, rules
from core.clock import COPENHAGEN, local_now
from core.config import Config

logger = logging.getLogger("smajobs.scheduler")

OUTBOX_INTERVAL_SECONDS = 30
RULES_INTERVAL_SECONDS = 5 * 60
# Runs missed while the process was busy collapse into one; a job never overlaps itself.
JOB_OPTIONS = {"coalesce": True, "max_instances": 1}
DIGEST_JOB = "daily_digest"
RETENTION_JOB = "retention"
AUDIT_RETENTION_INTERVAL_HOURS = 24
BACKUP_JOB = "nightly_backup"


def build_scheduler(config: Config, scheduler_class: type[BaseScheduler] = BackgroundScheduler, *,
                    outbox_interval: float = OUTBOX_INTERVAL_SECONDS,
                    rules_interval: float = RULES_INTERVAL_SECONDS) -> BaseScheduler:
    """A scheduler with the three jobs added, not yet started. The jobs take the time from the one
    clock (core.clock, which tests fix); the triggers themselves follow APScheduler's real clock."""
    zone = COPENHAGEN
    scheduler = scheduler_class(
        timezone=zone,
        jobstores={"default": MemoryJobStore()},
        # One thread per job is enough: max_instances=1 keeps a job from overlapping itself.
        executors={"default": ThreadPoolExecutor(max_workers=3)},
        job_defaults=JOB_OPTIONS,
    )
    now = datetime.now(zone)  # APScheduler compares run times with the real time, not core.clock
    scheduler.add_job(as_scheduler(send_outbox), IntervalTrigger(seconds=outbox_interval, timezone=zone),
                      args=[config], id="send_outbox", name="send outbox", next_run_time=now,
                      misfire_grace_time=max(int(outbox_interval), 1), **JOB_OPTIONS)
    # Runs at once on start: that first pass also catches up a digest missed today.
    scheduler.add_job(as_scheduler(rules_pass), IntervalTrigger(seconds=rules_interval, timezone=zone),
                      args=[config], id="rules_pass", name="rules pass", next_run_time=now,
                      misfire_grace_time=max(int(rules_interval), 1), **JOB_OPTIONS)
    hour, minute = parse_clock(config.digest_time)
    # On time when the process is up at digest_time; later than the grace time, the next rules
    # pass catches up instead.
    scheduler.add_job(as_scheduler(daily_digest), CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute,
                                                timezone=zone),
                      args=[config], id=DIGEST_JOB, name="daily digest", misfire_grace_time=3600,
                      **JOB_OPTIONS)
    # Erasure after the retention period: daily, and once at start so a scheduler that was down
    # at retention_time does not leave a citizen past their date for another day.
    hour, minute = parse_clock(config.retention_time, "retention_time")
    scheduler.add_job(retention_pass, CronTrigger(hour=hour, minute=minute, timezone=zone),
                      args=[config], id=RETENTION_JOB, name="retention", next_run_time=now,
                      misfire_grace_time=3600, **JOB_OPTIONS)
    # At start too: a scheduler restarted every night would otherwise never reach its 24 hours.
    scheduler.add_job(as_scheduler(prune_audit_log), IntervalTrigger(hours=AUDIT_RETENTION_INTERVAL_HOURS,
                                                                     timezone=zone),
                      args=[config], id="audit_retention", name="audit retention", next_run_time=now,
                      misfire_grace_time=3600, **JOB_OPTIONS)
    if config.backup_dir.strip():
        add_backup_job(scheduler, config)
    hour, minute = parse_clock(config.match_index_refresh_time)
    scheduler.add_job(refresh_match_index, CronTrigger(hour=hour, minute=minute, timezone=zone),
                      args=[config], id="refresh_match_index", name="refresh match index",
                      misfire_grace_time=3 * 3600, **JOB_OPTIONS)
    return scheduler


def as_scheduler(job: Callable) -> Callable:
    """The job with `audit.SCHEDULER` as the actor of whatever it reads or changes."""
    @functools.wraps(job)
    def run(*args, **kwargs):
        with audit.acting_as(audit.SCHEDULER):
            return job(*args, **kwargs)
    return run


def check_settings(config: Config) -> None:
    """The scheduler's own settings, checked before it starts; ValueError with a Danish message."""
    parse_clock(config.digest_time)
    if config.backup_dir.strip():
        parse_clock(config.backup_time, "backup_time")
        if config.backup_keep < 1:
            raise ValueError(f"SMAJOBS_BACKUP_KEEP skal være mindst 1, ikke {config.backup_keep}.")


def add_backup_job(scheduler: BaseScheduler, config: Config) -> None:
    """The nightly backup into backup_dir at backup_time, Danish time, every day. A night
    missed by more than the grace time is not made up: the Drift page warns instead."""
    check_settings(config)
    hour, minute = parse_clock(config.backup_time, "backup_time")
    scheduler.add_job(nightly_backup, CronTrigger(hour=hour, minute=minute, timezone=COPENHAGEN),
                      args=[config], id=BACKUP_JOB, name="nightly backup",
                      misfire_grace_time=3 * 3600, **JOB_OPTIONS)


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


def parse_clock(value: str, setting: str = "digest_time") -> tuple[int, int]:
    """"07:30" -> (7, 30); a clear Danish error, naming the setting, for anything else."""
    try:
        hour, minute = (int(part) for part in value.split(":"))
        if 0 <= hour < 24 and 0 <= minute < 60:
            return hour, minute
    except ValueError:
        pass
    raise ValueError(f"{setting} skal være et klokkeslæt som 07:30, ikke {value!r}")


# --- the jobs ----------------------------------------------------------------------------------

def send_outbox(config: Config) -> int:
    from jobs.mail import deliver_outbox
    db = connect(config.db)
    try:
        return deliver_outbox(db, config)
    finally:
        db.close()


def rules_pass(config: Config, now: datetime | None = None):
    """One pass of the reminder rules as of `now` (default: the clock), then the digest catch-up
    (after the rules, so the reminders due today are in it)."""
    now = local_now(now)
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


def catch_up_digest(config: Config, now: datetime | None = None):
    """Queue today's digest if it is due and has not been done today; None when nothing ran."""
    now = local_now(now)
    if not digest_is_due(config, now):
        return None
    return daily_digest(config, now)


def daily_digest(config: Config, now: datetime | None = None):
    """The consultants' daily digest, once per working day (weekends and holidays skipped).

    Returns the counts, or None when skipped: not a working day, or already done today. The run
    is recorded after the e-mails are queued, so a crash in between repeats the run, and the
    outbox's dedupe key (one digest per consultant and day) makes that repeat queue nothing."""
    now = local_now(now)
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


def retention_pass(config: Config, now: datetime | None = None) -> dict:
    """Erase citizens whose retention period has run out and prune old registrations
    (jobs.erasure.run_retention), as the scheduler in the audit trail."""
    now = local_now(now)
    db = connect(config.db)
    try:
        with audit.acting_as(audit.SCHEDULER):
            result = erasure.run_retention(db, config, now)
    finally:
        db.close()
    logger.info("retention: %s", _counts_only(result))
    return result


def prune_audit_log(config: Config) -> int:
    """Remove audit-log rows older than the retention period; the number removed."""
    db = connect(config.db)
    try:
        removed = audit.prune_expired(db, config.audit_retention_months)
    finally:
        db.close()
    logger.info("audit retention: removed=%d", removed)
    return removed


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


def nightly_backup(config: Config, now: datetime | None = None) -> bool:
    """One backup into backup_dir, the oldest beyond backup_keep removed, and the success noted
    for the Drift page. A failure is logged (no citizen data: a path and a reason) and retried
    the next night; the page warns when the last success grows old."""
    from data.backup import BackupError, backup_to_folder, record_success
    now = local_now(now)
    try:
        report, removed = backup_to_folder(config.db, config.backup_dir, config.backup_keep, now)
    except (BackupError, OSError) as error:
        logger.error("nightly backup failed: %s", error)
        return False
    db = connect(config.db)
    try:
        record_success(db, now)
    finally:
        db.close()
    logger.info("nightly backup: %s (%d bytes), %d old removed", report.path.name, report.size, len(removed))
    return True
