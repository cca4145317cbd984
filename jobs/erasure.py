"""Erasure and retention as one operation each, for the pages, the API, the CLI and the scheduler.

`data.erasure` removes the rows in one transaction; here the e-mail files the `files` transport
wrote for the removed outbox rows are deleted too, before that transaction commits (should the
commit fail, only copies of e-mails are gone; a committed erasure never leaves a file behind),
and afterwards the WAL is checkpointed so the old page images leave it.

The daily retention pass (`run_retention`, scheduler job, `smajobs retention`) erases every
citizen whose retention period has run out (jobs.rules.erasure_date) and removes rejected and
superseded employer registrations after `registration_retention_days`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from core.clock import add_months, local_now
from core.config import Config
from data import erasure as store
from data.db import checkpoint, write
from jobs.mail import mail_file_path
from jobs.rules import erasure_date

logger = logging.getLogger("smajobs.erasure")


def erase_citizen(db: sqlite_utils.Database, config: Config, citizen_id: str) -> bool:
    """Erase the citizen everywhere (rows, e-mails, e-mail files, WAL). False if unknown."""
    return _erase(db, config, store.erase_citizen, citizen_id)


def erase_employer(db: sqlite_utils.Database, config: Config, employer_id: str) -> bool:
    """Delete the employer (see data.erasure.erase_employer). False if unknown."""
    return _erase(db, config, store.erase_employer, employer_id)


def _erase(db: sqlite_utils.Database, config: Config, erase_rows, record_id: str) -> bool:
    """The rows (`erase_rows` returns the e-mails it removed, None when there was no such record),
    then the e-mail files those rows wrote, then the WAL."""
    with write(db):
        removed = erase_rows(db, record_id)
        if removed is None:
            return False
        _delete_mail_files(config, removed)
    _checkpoint(db)
    return True


def _delete_mail_files(config: Config, removed: list[store.RemovedMail]) -> None:
    # The recorded path, and where the current settings would have put it (rows sent before
    # the path was recorded).
    for mail in removed:
        if mail.mail_file:
            Path(mail.mail_file).unlink(missing_ok=True)
        mail_file_path(config.mail_dir, mail.outbox_id).unlink(missing_ok=True)


def _checkpoint(db: sqlite_utils.Database) -> None:
    if not checkpoint(db):
        # A reader held an older snapshot; the pages are zeroed in the file already, and the
        # next erasure or retention pass checkpoints again.
        logger.warning("checkpoint after erasure could not finish (a reader was busy)")


# --- keeping a citizen one more period --------------------------------------------------------------

class KeepError(ValueError):
    """Why a citizen cannot be kept (Danish, shown in the form)."""


def keep_citizen(db: sqlite_utils.Database, config: Config, citizen_id: str, reason: str,
                 now: datetime | None = None) -> str:
    """Move the citizen's erasure date one retention period on; returns the new date (ISO)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise KeepError("Skriv hvorfor borgeren skal beholdes.")
    if len(reason) > 500:
        raise KeepError(f"Begrundelsen må højst være 500 tegn (den er {len(reason)}).")
    today = local_now(now).date()
    with write(db):
        current = next((c for c in store.retention_candidates(db) if c["id"] == citizen_id), None)
        if current is None:
            raise KeepError(f"Ukendt borger '{citizen_id}'.")
        erase_on = erasure_date(current, config.retention_months) or today
        until = add_months(max(erase_on, today), config.retention_months).isoformat()
        store.keep_citizen(db, citizen_id, until, reason)
    return until


def planned_erasure(db: sqlite_utils.Database, config: Config, citizen_id: str):
    """The date the citizen will be erased (None while a placement runs), for the citizen page."""
    current = next((c for c in store.retention_candidates(db) if c["id"] == citizen_id), None)
    return erasure_date(current, config.retention_months) if current else None


# --- the daily pass -----------------------------------------------------------------------------

@dataclass
class RetentionResult:
    citizens_erased: int = 0
    registrations_removed: int = 0
    employers_removed: int = 0

    def counts(self) -> dict:
        return dict(self.__dict__)


def run_retention(db: sqlite_utils.Database, config: Config, now: datetime | None = None) -> dict:
    """Erase citizens whose retention period has run out, and remove old rejected and superseded
    registrations (and companies left with nothing but a rejection). Counts only."""
    now = local_now(now)
    today = now.date()
    result = RetentionResult()
    for citizen in store.retention_candidates(db):
        erase_on = erasure_date(citizen, config.retention_months)
        if erase_on is not None and erase_on <= today and erase_citizen(db, config, citizen["id"]):
            result.citizens_erased += 1
    before = (now - timedelta(days=config.registration_retention_days)).astimezone(timezone.utc)
    result.registrations_removed = store.prune_registrations(db, before.isoformat(timespec="seconds"))
    for employer_id in store.abandoned_rejected_employers(db):
        result.employers_removed += erase_employer(db, config, employer_id)
    if result.registrations_removed:
        _checkpoint(db)
    return result.counts()
