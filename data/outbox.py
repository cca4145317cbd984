"""The e-mail outbox. Whatever causes an e-mail writes it here in the same transaction, so an
e-mail exists exactly when its cause was committed; `jobs.mail` sends from it.

A row's life: pending (send_after reached, not claimed) -> claimed by one sender -> sent, or
released with a later send_after after a failed try, or failed for good after the last try.
Every state change below is one conditional UPDATE in its own short `write(db)`: a sender goes
on only when its UPDATE changed exactly one row, so two senders never both send the same row.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import make_msgid
from typing import Iterable

import sqlite_utils

from core.clock import now_iso
from data.db import write


def enqueue(db: sqlite_utils.Database, *, to: str, subject: str, body_text: str,
            body_html: str | None = None, attachments: list[dict] | None = None,
            dedupe_key: str | None = None, send_after: str | datetime | None = None,
            citizen_ids: Iterable[str] = (), employer_id: str | None = None) -> int | None:
    """Queue one e-mail. With a `dedupe_key` already queued, nothing is added and None returned.

    `attachments` are dicts {"filename", "content_type", "content"} with text content (or
    "content_base64" instead of "content" for binary data).
    `send_after` is an aware datetime or an ISO time with offset; it is stored in UTC like every
    *_at column, because the senders compare these values as text.
    The Message-ID is fixed here, so every retry of this e-mail carries the same one.
    `citizen_ids` / `employer_id`: whom the e-mail names, so erasing them removes it (sent or not).
    """
    now = now_iso()
    domain = to.rsplit("@", 1)[-1] if "@" in to else "smajobs.local"
    with write(db):
        cursor = db.execute(
            "INSERT INTO outbox (message_id, dedupe_key, to_addr, subject, body_text, body_html, "
            "attachments, created_at, send_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [make_msgid(idstring=uuid.uuid4().hex, domain="smajobs." + domain.split(".")[-1]),
             dedupe_key, to, subject, body_text, body_html, json.dumps(attachments or []),
             now, utc_iso(send_after) if send_after else now],
        )
        if cursor.rowcount != 1:
            return None
        _link(db, cursor.lastrowid, citizen_ids, employer_id)
        return cursor.lastrowid


def _link(db: sqlite_utils.Database, outbox_id: int, citizen_ids: Iterable[str], employer_id: str | None) -> None:
    rows = [(outbox_id, citizen_id, None) for citizen_id in sorted(set(citizen_ids)) if citizen_id]
    if employer_id:
        rows.append((outbox_id, None, employer_id))
    db.conn.executemany("INSERT INTO outbox_links (outbox_id, citizen_id, employer_id) VALUES (?, ?, ?)", rows)


def utc_iso(value: str | datetime) -> str:
    """The stored form of a moment: UTC, ISO 8601, whole seconds ("2026-11-23T09:00:00+00:00")."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"tidspunktet {value!r} mangler tidszone")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Candidate:
    """A row a sender may try to claim; `claimed_at` is set when it is a stale claim to take over."""
    id: int
    claimed_at: str | None


def due(db: sqlite_utils.Database, *, now: str, stale_before: str, limit: int) -> list[Candidate]:
    """Rows whose time has come: unclaimed, or claimed before `stale_before` (the sender died)."""
    rows = db.execute(
        "SELECT id, claimed_at FROM outbox "
        "WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= ? "
        "AND (claimed_at IS NULL OR claimed_at < ?) "
        "ORDER BY send_after, id LIMIT ?", [now, stale_before, limit]).fetchall()
    return [Candidate(id=row[0], claimed_at=row[1]) for row in rows]


def claim(db: sqlite_utils.Database, outbox_id: int, *, worker_id: str, now: str) -> bool:
    """Claim an unclaimed row. True only for the one sender whose UPDATE changed the row."""
    with write(db):
        cursor = db.execute(
            "UPDATE outbox SET claimed_at = ?, claimed_by = ? WHERE id = ? "
            "AND claimed_at IS NULL AND sent_at IS NULL AND failed_at IS NULL",
            [now, worker_id, outbox_id])
        return cursor.rowcount == 1


def take_over(db: sqlite_utils.Database, outbox_id: int, *, stale_claimed_at: str, worker_id: str,
              now: str, max_attempts: int, reason: str) -> bool:
    """Take over a claim whose sender died (its lease ran out). The interrupted try counts as an
    attempt, so an e-mail that kills its sender every time ends as failed instead of looping.
    Conditional on the old claimed_at: of two senders taking over, only one succeeds."""
    with write(db):
        cursor = db.execute(
            "UPDATE outbox SET claimed_at = ?, claimed_by = ?, attempts = attempts + 1, last_error = ? "
            "WHERE id = ? AND claimed_at = ? AND sent_at IS NULL AND failed_at IS NULL "
            "AND attempts + 1 < ?",
            [now, worker_id, reason, outbox_id, stale_claimed_at, max_attempts])
        if cursor.rowcount == 1:
            return True
        db.execute(
            "UPDATE outbox SET claimed_at = NULL, claimed_by = NULL, attempts = attempts + 1, "
            "last_error = ?, failed_at = ? "
            "WHERE id = ? AND claimed_at = ? AND sent_at IS NULL AND failed_at IS NULL",
            [reason, now, outbox_id, stale_claimed_at])
        return False


def get(db: sqlite_utils.Database, outbox_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    if not rows:
        return None
    row = rows[0]
    row["attachments"] = json.loads(row["attachments"] or "[]")
    return row


def mark_sent(db: sqlite_utils.Database, outbox_id: int, *, worker_id: str, now: str,
              mail_file: str | None = None) -> bool:
    """Record a send. The claim stays on the row as the record of who sent it. `mail_file` is
    the .eml file the `files` transport wrote, kept so erasure can delete it with the row.
    False when the row was no longer ours (our lease ran out and another sender took it over)."""
    with write(db):
        cursor = db.execute(
            "UPDATE outbox SET sent_at = ?, last_error = NULL, mail_file = COALESCE(?, mail_file) "
            "WHERE id = ? AND claimed_by = ? AND sent_at IS NULL", [now, mail_file, outbox_id, worker_id])
        if cursor.rowcount == 1:
            return True
        # Sent all the same: record it so nobody sends it again.
        db.execute("UPDATE outbox SET sent_at = COALESCE(sent_at, ?), mail_file = COALESCE(?, mail_file) "
                   "WHERE id = ?", [now, mail_file, outbox_id])
        return False


def exists(db: sqlite_utils.Database, outbox_id: int) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE id = ?", [outbox_id]).fetchone() is not None


def record_failure(db: sqlite_utils.Database, outbox_id: int, *, worker_id: str, now: str,
                   error: str, retry_at: str | None) -> None:
    """Release our claim after a failed try: count it, keep the error, and either set the next
    try (`retry_at`) or, with `retry_at` None, fail the row for good (the admin page shows it)."""
    with write(db):
        db.execute(
            "UPDATE outbox SET claimed_at = NULL, claimed_by = NULL, attempts = attempts + 1, "
            "last_error = ?, send_after = COALESCE(?, send_after), "
            "failed_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END "
            "WHERE id = ? AND claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL",
            [error, retry_at, retry_at, now, outbox_id, worker_id])


def failed(db: sqlite_utils.Database) -> list[dict]:
    """E-mails given up on, newest first."""
    return list(db.query(
        "SELECT id, message_id, to_addr, subject, created_at, attempts, last_error, failed_at "
        "FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL ORDER BY failed_at DESC, id DESC"))


def requeue(db: sqlite_utils.Database, outbox_id: int, *, now: str) -> bool:
    """Give a failed e-mail a fresh set of tries from now. False when the row is not failed."""
    with write(db):
        cursor = db.execute(
            "UPDATE outbox SET failed_at = NULL, attempts = 0, send_after = ?, claimed_at = NULL, "
            "claimed_by = NULL WHERE id = ? AND failed_at IS NOT NULL AND sent_at IS NULL",
            [now, outbox_id])
        return cursor.rowcount == 1


def status_counts(db: sqlite_utils.Database) -> dict:
    """Counts for operators: waiting (incl. being retried), retrying, failed, sent; oldest waiting."""
    row = db.execute(
        "SELECT "
        "SUM(sent_at IS NULL AND failed_at IS NULL), "
        "SUM(sent_at IS NULL AND failed_at IS NULL AND attempts > 0), "
        "SUM(failed_at IS NOT NULL AND sent_at IS NULL), "
        "SUM(sent_at IS NOT NULL), "
        "MIN(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN created_at END) "
        "FROM outbox").fetchone()
    return {"waiting": row[0] or 0, "retrying": row[1] or 0, "failed": row[2] or 0,
            "sent": row[3] or 0, "oldest_waiting": row[4]}
