"""Once-a-day jobs (the daily digest): which local dates they have run for."""
from __future__ import annotations

from datetime import date

import sqlite_utils

from core.clock import now_iso
from data.db import write


def has_run(db: sqlite_utils.Database, job: str, day: date) -> bool:
    return db.execute("SELECT 1 FROM job_runs WHERE job = ? AND day = ?", [job, day.isoformat()]).fetchone() is not None


def record_run(db: sqlite_utils.Database, job: str, day: date) -> bool:
    """Note that `job` has run for `day`; False if another run noted it first."""
    with write(db):
        cursor = db.execute("INSERT INTO job_runs (job, day, finished_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (job, day) DO NOTHING", [job, day.isoformat(), now_iso()])
    return cursor.rowcount == 1


def note_success(db: sqlite_utils.Database, job: str, day: date) -> None:
    """Note that `job` succeeded now (for `day`); a later success the same day moves the time on,
    so `last_success` is the latest, not the day's first."""
    with write(db):
        db.execute("INSERT INTO job_runs (job, day, finished_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (job, day) DO UPDATE SET finished_at = excluded.finished_at",
                   [job, day.isoformat(), now_iso()])


def last_success(db: sqlite_utils.Database, job: str) -> str | None:
    """When `job` last finished (a stored UTC timestamp), or None if never."""
    return db.execute("SELECT MAX(finished_at) FROM job_runs WHERE job = ?", [job]).fetchone()[0]
