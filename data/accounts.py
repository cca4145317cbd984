"""Consultant accounts and their API tokens. Hashing happens in web.auth; only hashes are stored."""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta, timezone

import sqlite_utils

from data.db import now_iso, write

# last_used_at is written at most this often per token: the web app and the scheduler share
# one SQLite file with one writer at a time, so every API call must not become a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def create_consultant(db: sqlite_utils.Database, *, email: str, name: str, password_hash: str | None,
                      role: str = "consultant") -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO consultants (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
            [email.strip().lower(), name.strip(), password_hash, role, now_iso()],
        )
        return cursor.lastrowid


def set_password_hash(db: sqlite_utils.Database, consultant_id: int, password_hash: str) -> None:
    with write(db):
        db.execute("UPDATE consultants SET password_hash = ? WHERE id = ?", [password_hash, consultant_id])


def consultant_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def consultant_by_id(db: sqlite_utils.Database, consultant_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM consultants WHERE id = ?", [consultant_id]))
    return rows[0] if rows else None


def list_consultants(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM consultants ORDER BY name, email"))


def consultants_overview(db: sqlite_utils.Database) -> list[dict]:
    """Every consultant for the operator's list, with the number of citizens they follow; never
    the password hash."""
    return list(db.query(
        "SELECT k.id, k.email, k.name, k.role, k.active, k.deactivated_at, "
        "(SELECT COUNT(*) FROM citizens c WHERE c.consultant_email = k.email) AS citizens "
        "FROM consultants k ORDER BY k.name COLLATE NOCASE, k.email"))


def set_active(db: sqlite_utils.Database, consultant_id: int, active: bool) -> bool:
    """Activate or deactivate; False when it already was so (nothing written). A deactivated
    consultant cannot log in, and their sessions and API tokens stop working (web.auth reads
    `active` on every request); their citizens stay theirs until an admin hands them over."""
    with write(db):
        cursor = db.execute(
            "UPDATE consultants SET active = ?, deactivated_at = ? WHERE id = ? AND active != ?",
            [int(active), None if active else now_iso(), consultant_id, int(active)])
    return cursor.rowcount > 0


def revoke_api_tokens(db: sqlite_utils.Database, consultant_id: int) -> int:
    """Delete every API token of the consultant; returns how many there were."""
    with write(db):
        return db.execute("DELETE FROM api_tokens WHERE consultant_id = ?", [consultant_id]).rowcount


def add_api_token(db: sqlite_utils.Database, consultant_id: int, token_hash: str, label: str = "") -> int:
    with write(db):
        return db.execute(
            "INSERT INTO api_tokens (consultant_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
            [consultant_id, token_hash, label, now_iso()],
        ).lastrowid


def consultant_by_token_hash(db: sqlite_utils.Database, token_hash: str) -> dict | None:
    """The active consultant owning the token, plus the token's `token_id` and `token_last_used_at`."""
    rows = list(db.query(
        "SELECT c.*, t.id AS token_id, t.last_used_at AS token_last_used_at "
        "FROM api_tokens t JOIN consultants c ON c.id = t.consultant_id "
        "WHERE t.token_hash = ? AND c.active = 1", [token_hash]))
    return rows[0] if rows else None


def _utc_iso(moment: datetime) -> str:
    """As data.db.now_iso writes it, so stored stamps compare as text."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def record_token_use(db: sqlite_utils.Database, token_id: int, now: datetime,
                     last_used_at: str | None = None) -> bool:
    """Set the token's last_used_at to `now` unless it was set less than a minute before.

    `last_used_at` is the value the caller just read: when it is recent nothing is written, not
    even a transaction begun. The UPDATE repeats the check under the write lock, so two
    processes authenticating at once write once. True if written."""
    stamp, threshold = _utc_iso(now), _utc_iso(now - TOKEN_USE_RESOLUTION)
    if last_used_at is not None and last_used_at > threshold:
        return False
    try:
        with write(db):
            cursor = db.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
                [stamp, token_id, threshold])
    except sqlite3.OperationalError as error:
        # A busy database must not turn a valid token away; the stamp is only bookkeeping.
        logging.getLogger(__name__).warning("last_used_at of API token %s not written: %s", token_id, error)
        return False
    return cursor.rowcount > 0


def api_tokens_of(db: sqlite_utils.Database, consultant_id: int) -> list[dict]:
    """The consultant's tokens (never the hash), oldest first."""
    return list(db.query("SELECT id, label, created_at, last_used_at FROM api_tokens WHERE consultant_id = ? "
                         "ORDER BY created_at, id", [consultant_id]))
