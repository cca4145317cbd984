"""Access export (GDPR art. 15, "indsigt"): everything stored about one citizen, as one document.

`citizen_export` logs the export in the audit trail and reads everything in one write
transaction, so the document is the database as of one moment and includes the very export it
records. The same document is served as JSON (page, API, `smajobs export-citizen`) and shown as
the printable Danish page.

What is in it: the profile; placements with their report due dates; meetings (notes included);
reminders about the citizen or their placements; the employers' check-in answers on their
placements; the e-mails about them in the outbox; and the audit trail of who read or changed
their data (consultants by name and e-mail; never the consultants' client addresses, which are
the consultants' data, not the citizen's).

E-mails about the citizen: an outbox row carries the citizen's id in `outbox.citizen_id` where
that column exists (added by the erasure work); without it, the rows are found by what they
are about today: the employer e-mails keyed by one of the citizen's placements (`thanks:<id>`,
`checkin:<id>:<period>`). The consultants' daily digests name many citizens by first name and
are not counted as being about any one of them.
"""
from __future__ import annotations

import sqlite_utils

from core.clock import now_iso
from data import audit, placements, registry
from data.db import write
from data.exchange import citizen_to_exchange

FORMAT = "smajobs-indsigt"
VERSION = 1
# Outbox columns that say what was sent and when; claims and Message-IDs are sender bookkeeping.
EMAIL_COLUMNS = ("id", "to_addr", "subject", "body_text", "created_at", "send_after", "sent_at", "failed_at")


def citizen_export(db: sqlite_utils.Database, citizen_id: str) -> dict | None:
    """The whole document for the citizen, or None if there is no such citizen. Audited as
    "exported" by the current actor (data.audit)."""
    with write(db):
        citizen = registry.get_citizen(db, citizen_id)
        if citizen is None:
            return None
        audit.log(db, "exported", citizen_id)
        placement_rows = placements.placements_of_citizen(db, citizen_id)
        placement_ids = [row["id"] for row in placement_rows]
        return {
            "format": FORMAT,
            "version": VERSION,
            "generated_at": now_iso(),
            "citizen": _profile(citizen),
            "placements": [_placement(db, row) for row in placement_rows],
            "meetings": placements.meetings_of_citizen(db, citizen_id),
            "reminders": _reminders(db, citizen_id, placement_ids),
            "checkins": _checkins(db, placement_ids),
            "emails": _emails(db, citizen_id, placement_ids),
            "access_log": _access_log(db, citizen_id),
        }


def _profile(citizen: dict) -> dict:
    profile = citizen_to_exchange(citizen)
    profile.update(created_at=citizen["created_at"], updated_at=citizen["updated_at"])
    return profile


def _placement(db, row: dict) -> dict:
    # The joined citizen columns repeat the profile; the consultant is in the profile too.
    placement = {k: v for k, v in row.items() if k not in ("citizen_first_name", "consultant_email")}
    placement["reports"] = placements.reports_of(db, row["id"])
    return placement


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def _reminders(db, citizen_id: str, placement_ids: list[int]) -> list[dict]:
    return list(db.query(
        "SELECT id, rule, title, due_on, status, snoozed_until, placement_id, created_at, closed_at FROM reminders "
        f"WHERE citizen_id = ? OR placement_id IN ({_marks(placement_ids)}) ORDER BY due_on, id",
        [citizen_id, *placement_ids]))


def _checkins(db, placement_ids: list[int]) -> list[dict]:
    return list(db.query(
        "SELECT id, placement_id, period, sent_on, expires_on, answered_at, attendance, tasks, act_on, note, "
        f"flagged, meeting_id, created_at FROM employer_checkins WHERE placement_id IN ({_marks(placement_ids)}) "
        "ORDER BY sent_on, id", placement_ids))


def outbox_has_citizen_column(db) -> bool:
    return any(row[1] == "citizen_id" for row in db.execute("PRAGMA table_info(outbox)"))


def _emails(db, citizen_id: str, placement_ids: list[int]) -> list[dict]:
    keys = [f"thanks:{pid}" for pid in placement_ids]
    patterns = [f"checkin:{pid}:%" for pid in placement_ids]
    conditions = [f"dedupe_key IN ({_marks(keys)})"] + ["dedupe_key LIKE ?"] * len(patterns)
    params: list = [*keys, *patterns]
    if outbox_has_citizen_column(db):
        conditions.append("citizen_id = ?")
        params.append(citizen_id)
    return list(db.query(f"SELECT {', '.join(EMAIL_COLUMNS)} FROM outbox WHERE {' OR '.join(conditions)} "
                         "ORDER BY created_at, id", params))


def _access_log(db, citizen_id: str) -> list[dict]:
    rows = db.query(
        "SELECT a.at, a.action, a.actor, a.channel, a.placement_id, a.meeting_id, a.employer_id, "
        "k.name AS consultant_name, k.email AS consultant_email "
        "FROM audit_log a LEFT JOIN consultants k ON k.id = a.consultant_id "
        "WHERE a.citizen_id = ? ORDER BY a.at, a.id", [citizen_id])
    return [dict(row, action_text=audit.ACTIONS.get(row["action"], row["action"])) for row in rows]
