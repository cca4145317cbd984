"""Erasure ("Slet borger", "Slet virksomhed") and retention: all their SQL.

Erasing a citizen removes every row about them in one transaction: the profile, and through the
schema's cascades their placements, meetings, report dates, reminders and employer check-in
answers; the outbox e-mails that name them (sent or not, found through `outbox_links`); and their
earlier audit rows. One audit row remains: who deleted which id, when. What the outcome
statistics need was copied, anonymously, into `placement_statistics` when each placement ended.

Deleted rows are overwritten in the file (PRAGMA secure_delete, data.db), and the caller
checkpoints the WAL afterwards (data.db.checkpoint), so nothing readable is left behind.
Files outside the database (the `files` transport's .eml copies) are the caller's: the erase
functions return the outbox rows they removed.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlite_utils

from core.clock import now_iso
from data import audit
from data.db import write

# Placements at an employer that was deleted keep their facts for the citizen and point at an
# anonymous opening under this placeholder: no name, address or contact is left.
DELETED_EMPLOYER_ID = "slettet-virksomhed"
DELETED_EMPLOYER_NAME = "Slettet virksomhed"


@dataclass(frozen=True)
class RemovedMail:
    """An outbox row removed by an erasure; `mail_file` is where the files transport wrote it."""
    outbox_id: int
    mail_file: str | None


# --- citizens -------------------------------------------------------------------------------------

def erase_citizen(db: sqlite_utils.Database, citizen_id: str) -> list[RemovedMail] | None:
    """Erase the citizen (see the module docstring); None when there is no such citizen."""
    with write(db):
        if not db.execute("SELECT 1 FROM citizens WHERE id = ?", [citizen_id]).fetchone():
            return None
        removed = _remove_mail(db, "citizen_id", citizen_id)
        db.execute("DELETE FROM citizens WHERE id = ?", [citizen_id])
        audit.forget_citizen(db, citizen_id)
        audit.log(db, "deleted", citizen_id)
    return removed


def _remove_mail(db: sqlite_utils.Database, column: str, value: str) -> list[RemovedMail]:
    rows = db.execute(
        f"SELECT DISTINCT o.id, o.mail_file FROM outbox o JOIN outbox_links l ON l.outbox_id = o.id "
        f"WHERE l.{column} = ? ORDER BY o.id", [value]).fetchall()
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.execute(f"DELETE FROM outbox WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
    return [RemovedMail(outbox_id, mail_file) for outbox_id, mail_file in rows]


def retention_candidates(db: sqlite_utils.Database) -> list[dict]:
    """Every citizen with what the retention rule needs: open placements, when the last one ended,
    the latest activity (as the stalled-course rule reads it) and a decision to keep them."""
    return list(db.query(
        """
        SELECT c.id, c.consultant_email, c.updated_at, c.retention_kept_until,
               (SELECT COUNT(*) FROM placements p WHERE p.citizen_id = c.id
                AND p.status IN ('planned', 'active')) AS open_placements,
               (SELECT MAX(p.end_date) FROM placements p WHERE p.citizen_id = c.id) AS last_placement_end,
               (SELECT MAX(p.updated_at) FROM placements p WHERE p.citizen_id = c.id) AS placement_changed_at,
               (SELECT MAX(m.held_on) FROM meetings m WHERE m.citizen_id = c.id) AS last_meeting_on,
               (SELECT MAX(m.created_at) FROM meetings m WHERE m.citizen_id = c.id) AS last_meeting_logged_at
        FROM citizens c ORDER BY c.id
        """))


def keep_citizen(db: sqlite_utils.Database, citizen_id: str, until: str, reason: str) -> bool:
    """Keep the citizen until `until` (ISO date) for `reason`; audit 'retention_kept'. The reason
    stays on the citizen's own row (erased with it), never in the audit trail."""
    with write(db):
        changed = db.execute("UPDATE citizens SET retention_kept_until = ?, retention_kept_reason = ? WHERE id = ?",
                             [until, reason, citizen_id]).rowcount
        if changed:
            audit.log(db, "retention_kept", citizen_id)
    return bool(changed)


# --- employers ------------------------------------------------------------------------------------

def erase_employer(db: sqlite_utils.Database, employer_id: str) -> list[RemovedMail] | None:
    """Delete an employer on request: its row, contact data, openings, registrations, private
    links and the e-mails sent to it. Its placements stay with the citizens they belong to,
    moved to an anonymous inactive opening (title kept, tasks removed) of the placeholder
    employer. None when there is no such employer (or it is the placeholder itself)."""
    with write(db):
        if employer_id == DELETED_EMPLOYER_ID or not db.execute(
                "SELECT 1 FROM employers WHERE id = ?", [employer_id]).fetchone():
            return None
        _move_placements_to_placeholder(db, employer_id)
        removed = _remove_mail(db, "employer_id", employer_id)
        db.execute("DELETE FROM employers WHERE id = ?", [employer_id])  # openings, registrations, links cascade
        audit.log(db, "employer_deleted", employer_id=employer_id)
    return removed


def _move_placements_to_placeholder(db: sqlite_utils.Database, employer_id: str) -> None:
    used = db.execute(
        "SELECT DISTINCT o.id, o.title FROM openings o JOIN placements p ON p.opening_id = o.id "
        "WHERE o.employer_id = ? ORDER BY o.id", [employer_id]).fetchall()
    if not used:
        return
    _ensure_placeholder(db)
    now = now_iso()
    for opening_id, title in used:
        # A fresh id: opening ids are often built from the employer's id (and so its CVR).
        anonymous_id = f"slettet-{secrets.token_hex(6)}"
        db.execute("INSERT INTO openings (id, employer_id, title, tasks, active, created_at, updated_at) "
                   "VALUES (?, ?, ?, '', 0, ?, ?)", [anonymous_id, DELETED_EMPLOYER_ID, title, now, now])
        db.execute("UPDATE placements SET opening_id = ? WHERE opening_id = ?", [anonymous_id, opening_id])


def _ensure_placeholder(db: sqlite_utils.Database) -> None:
    # 'rejected': never matched, exported or listed among the registry's employers.
    now = now_iso()
    db.execute("INSERT INTO employers (id, name, postcode, lat, lon, status, created_at, updated_at) "
               "VALUES (?, ?, '0000', 0, 0, 'rejected', ?, ?) ON CONFLICT (id) DO NOTHING",
               [DELETED_EMPLOYER_ID, DELETED_EMPLOYER_NAME, now, now])


# --- employer registrations -------------------------------------------------------------------------

def prune_registrations(db: sqlite_utils.Database, before: str) -> int:
    """Remove rejected registrations decided before `before` (a stored UTC timestamp) and
    superseded ones replaced before it (by a newer submission of the same employer). Returns
    how many were removed."""
    with write(db):
        rejected = db.execute("DELETE FROM registrations WHERE status = 'rejected' AND decided_at < ?",
                              [before]).rowcount
        superseded = db.execute(
            "DELETE FROM registrations WHERE status = 'superseded' AND EXISTS (SELECT 1 FROM registrations n "
            "WHERE n.employer_id = registrations.employer_id AND n.id > registrations.id AND n.submitted_at < ?)",
            [before]).rowcount
    return rejected + superseded


def abandoned_rejected_employers(db: sqlite_utils.Database) -> list[str]:
    """Companies that were never approved, were rejected, and have no registration left (pruned):
    nothing justifies keeping their contact data. Placements cannot point at them (only approved
    employers get placements), but the check keeps that a fact rather than an assumption."""
    return [row[0] for row in db.execute(
        "SELECT e.id FROM employers e WHERE e.status = 'rejected' AND e.id != ? "
        "AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.employer_id = e.id) "
        "AND NOT EXISTS (SELECT 1 FROM openings o JOIN placements p ON p.opening_id = o.id "
        "WHERE o.employer_id = e.id) ORDER BY e.id", [DELETED_EMPLOYER_ID])]
