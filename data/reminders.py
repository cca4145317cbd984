"""All SQL of the reminder rules, the "I dag" page, the daily digest, employer check-ins and the
calendar feed.

Reminders are keyed by `dedupe_key` (UNIQUE): inserting one that exists does nothing, so a
rules pass can be repeated, or run by two processes at once, without creating anything twice.
A reminder the consultant marked done, or that closed itself, keeps its key and is never
recreated.
"""
from __future__ import annotations

from datetime import date

import sqlite_utils

from core.clock import now_iso
from data import audit
from data.db import write
from data.placements import FROM_CHECKIN_FORM

OPEN = "open"


# --- what the rules read -----------------------------------------------------------------------

# Each read takes an optional `citizen_id`: the rules run for one citizen right after a page or
# the API saves a meeting or forløb (jobs.rules.run_for_citizen), and read only that citizen's rows.
_OF_CITIZEN = "(:citizen_id IS NULL OR {} = :citizen_id)"


def placements_for_rules(db: sqlite_utils.Database, citizen_id: str | None = None) -> list[dict]:
    """Every placement with what the rules need of its citizen, opening and employer."""
    return list(db.query(
        """
        SELECT p.id, p.citizen_id, p.opening_id, p.kind, p.status, p.start_date, p.planned_end_date,
               p.end_date, p.hours_per_week, p.paid_hours_per_week, p.hourly_wage, p.trial_weeks,
               p.outcome, p.updated_at,
               c.first_name, c.target_group, c.consultant_email, c.social_free_card,
               o.title AS opening_title, o.employer_id, e.name AS employer_name,
               e.contact_name, e.contact_email
        FROM placements p
        JOIN citizens c ON c.id = p.citizen_id
        JOIN openings o ON o.id = p.opening_id
        JOIN employers e ON e.id = o.employer_id
        WHERE """ + _OF_CITIZEN.format("p.citizen_id") + """
        ORDER BY p.id
        """, {"citizen_id": citizen_id}))


def meetings_for_rules(db: sqlite_utils.Database, citizen_id: str | None = None) -> list[dict]:
    """Every meeting; `from_checkin_form` marks the employers' own answers to a check-in e-mail,
    which are not a consultant's follow-up."""
    return list(db.query(
        f"""
        SELECT m.id, m.citizen_id, m.placement_id, m.kind, m.held_on, m.paid_hours_proposed,
               m.created_at, {FROM_CHECKIN_FORM} AS from_checkin_form
        FROM meetings m WHERE {_OF_CITIZEN.format("m.citizen_id")} ORDER BY m.held_on, m.id
        """, {"citizen_id": citizen_id}))


def unsubmitted_reports(db: sqlite_utils.Database, citizen_id: str | None = None) -> list[dict]:
    """Reports not handed in, of placements not cancelled (a mistake owes no report)."""
    return list(db.query(
        """
        SELECT r.id, r.placement_id, r.kind, r.due_date, p.citizen_id, c.first_name,
               c.target_group, c.consultant_email
        FROM placement_reports r
        JOIN placements p ON p.id = r.placement_id
        JOIN citizens c ON c.id = p.citizen_id
        WHERE r.submitted_at IS NULL AND p.status != 'cancelled' AND """ + _OF_CITIZEN.format("p.citizen_id") + """
        ORDER BY r.due_date, r.id
        """, {"citizen_id": citizen_id}))


def citizens_for_rules(db: sqlite_utils.Database, citizen_id: str | None = None) -> list[dict]:
    """Citizens with the latest change to them, their placements and their meetings."""
    return list(db.query(
        """
        SELECT c.id, c.first_name, c.target_group, c.consultant_email, c.social_free_card,
               c.updated_at,
               (SELECT MAX(p.updated_at) FROM placements p WHERE p.citizen_id = c.id) AS placement_changed_at,
               (SELECT MAX(m.held_on) FROM meetings m WHERE m.citizen_id = c.id) AS last_meeting_on,
               (SELECT MAX(m.created_at) FROM meetings m WHERE m.citizen_id = c.id) AS last_meeting_logged_at
        FROM citizens c WHERE """ + _OF_CITIZEN.format("c.id") + """ ORDER BY c.id
        """, {"citizen_id": citizen_id}))


def answered_checkins(db: sqlite_utils.Database, citizen_id: str | None = None) -> list[dict]:
    return list(db.query(
        """
        SELECT k.*, m.held_on AS answered_on, p.citizen_id, c.first_name, c.target_group, c.consultant_email
        FROM employer_checkins k
        LEFT JOIN meetings m ON m.id = k.meeting_id
        JOIN placements p ON p.id = k.placement_id
        JOIN citizens c ON c.id = p.citizen_id
        WHERE k.answered_at IS NOT NULL AND p.status != 'cancelled' AND """ + _OF_CITIZEN.format("p.citizen_id") + """
        ORDER BY k.id
        """, {"citizen_id": citizen_id}))


# --- reminders: the rules' writes ----------------------------------------------------------------

def insert_reminder(db: sqlite_utils.Database, *, rule: str, dedupe_key: str, consultant_email: str | None,
                    citizen_id: str | None, placement_id: int | None, due_on: date, title: str) -> int | None:
    """Create the reminder unless its key exists; returns the new id, or None."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO reminders (rule, dedupe_key, consultant_email, citizen_id, placement_id, due_on, "
            "title, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [rule, dedupe_key, consultant_email, citizen_id, placement_id, due_on.isoformat(), title, now_iso()],
        )
        if cursor.rowcount == 1 and citizen_id is not None:
            audit.log(db, "reminder_changed", citizen_id, placement_id=placement_id)
        return cursor.lastrowid if cursor.rowcount == 1 else None


def open_reminders_of_rule(db: sqlite_utils.Database, rule: str, citizen_id: str | None = None) -> list[dict]:
    """The rule's open reminders (only the citizen's, when given)."""
    return list(db.query("SELECT id, dedupe_key, citizen_id, placement_id, due_on FROM reminders "
                         f"WHERE rule = :rule AND status = 'open' AND {_OF_CITIZEN.format('citizen_id')} ORDER BY id",
                         {"rule": rule, "citizen_id": citizen_id}))


def close_reminder(db: sqlite_utils.Database, reminder_id: int) -> bool:
    """Close an open reminder whose cause has gone. False when it was no longer open."""
    with write(db):
        cursor = db.execute("UPDATE reminders SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                            [now_iso(), reminder_id])
        if cursor.rowcount == 1:
            audit.log_reminders(db, "reminder_changed", [reminder_id])
        return cursor.rowcount == 1


def existing_keys(db: sqlite_utils.Database, keys: list[str]) -> set[str]:
    """Which of `keys` have a reminder already (in any status)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # stay under SQLite's variable limit
        chunk = keys[start:start + 500]
        found.update(row[0] for row in db.execute(
            f"SELECT dedupe_key FROM reminders WHERE dedupe_key IN ({', '.join('?' * len(chunk))})", chunk))
    return found


# --- the "I dag" page and the digest -------------------------------------------------------------

# A reminder about a citizen belongs to the citizen's consultant *now*: a citizen handed over to
# another consultant takes their reminders along at once, not only at the next rules pass.
OWNER = "(CASE WHEN r.citizen_id IS NOT NULL THEN c.consultant_email ELSE r.consultant_email END)"

_DUE_SELECT = f"""
    SELECT r.*, {OWNER} AS owner_email, c.first_name AS citizen_first_name
    FROM reminders r LEFT JOIN citizens c ON c.id = r.citizen_id
    WHERE r.status = 'open' AND r.due_on <= :today
      AND (r.snoozed_until IS NULL OR r.snoozed_until <= :today)
"""


def due_reminders(db: sqlite_utils.Database, today: date, consultant_email: str | None) -> list[dict]:
    """Open reminders due today or earlier and not snoozed past today; None: everyone's."""
    params = {"today": today.isoformat()}
    sql = _DUE_SELECT
    if consultant_email is not None:
        sql += f" AND {OWNER} = :email COLLATE NOCASE"
        params["email"] = consultant_email
    return list(db.query(sql + " ORDER BY r.due_on, r.id", params))


def consultants_with_due_reminders(db: sqlite_utils.Database, today: date) -> list[dict]:
    emails = {(r["owner_email"] or "").lower() for r in due_reminders(db, today, None)}
    return [k for k in db.query("SELECT id, email, name FROM consultants WHERE active = 1 ORDER BY email")
            if k["email"].lower() in emails]


def open_reminders_of(db: sqlite_utils.Database, consultant_email: str) -> list[dict]:
    """All open reminders of a consultant, due or not (for the calendar)."""
    return list(db.query(
        f"SELECT r.*, c.first_name AS citizen_first_name FROM reminders r "
        f"LEFT JOIN citizens c ON c.id = r.citizen_id WHERE r.status = 'open' "
        f"AND {OWNER} = ? COLLATE NOCASE ORDER BY r.due_on, r.id", [consultant_email]))


def get_reminder(db: sqlite_utils.Database, reminder_id: int) -> dict | None:
    rows = list(db.query(f"SELECT r.*, {OWNER} AS owner_email FROM reminders r "
                         f"LEFT JOIN citizens c ON c.id = r.citizen_id WHERE r.id = ?", [reminder_id]))
    return rows[0] if rows else None


def follow_consultant_changes(db: sqlite_utils.Database) -> int:
    """Open reminders move with their citizen to a new consultant (stored for the digest and
    anything else reading the column). Returns how many moved."""
    with write(db):
        return db.execute(
            "UPDATE reminders SET consultant_email = (SELECT consultant_email FROM citizens c "
            "WHERE c.id = reminders.citizen_id) WHERE status = 'open' AND citizen_id IS NOT NULL "
            "AND consultant_email IS NOT (SELECT consultant_email FROM citizens c WHERE c.id = reminders.citizen_id)"
        ).rowcount


def mark_done(db: sqlite_utils.Database, reminder_id: int) -> bool:
    with write(db):
        done = db.execute("UPDATE reminders SET status = 'done', closed_at = ? WHERE id = ? AND status = 'open'",
                          [now_iso(), reminder_id]).rowcount == 1
        if done:
            audit.log_reminders(db, "reminder_changed", [reminder_id])
        return done


def snooze(db: sqlite_utils.Database, reminder_id: int, until: date) -> bool:
    with write(db):
        snoozed = db.execute("UPDATE reminders SET snoozed_until = ? WHERE id = ? AND status = 'open'",
                             [until.isoformat(), reminder_id]).rowcount == 1
        if snoozed:
            audit.log_reminders(db, "reminder_changed", [reminder_id])
        return snoozed


def frikort_citizens(db: sqlite_utils.Database, consultant_email: str | None) -> list[dict]:
    sql = "SELECT id, first_name, target_group, consultant_email FROM citizens WHERE social_free_card = 1"
    params: list = []
    if consultant_email is not None:
        sql += " AND consultant_email = ?"
        params.append(consultant_email)
    return list(db.query(sql + " ORDER BY first_name, id", params))


def placements_of_citizens(db: sqlite_utils.Database, citizen_ids: list[str]) -> list[dict]:
    if not citizen_ids:
        return []
    return list(db.query(
        f"SELECT id, citizen_id, kind, status, start_date, end_date, paid_hours_per_week, hourly_wage, trial_weeks "
        f"FROM placements WHERE citizen_id IN ({', '.join('?' * len(citizen_ids))}) ORDER BY start_date, id",
        citizen_ids))


# --- employer check-ins --------------------------------------------------------------------------

def checkin_exists(db: sqlite_utils.Database, placement_id: int, period: int) -> bool:
    return db.execute("SELECT 1 FROM employer_checkins WHERE placement_id = ? AND period = ?",
                      [placement_id, period]).fetchone() is not None


def outbox_has(db: sqlite_utils.Database, dedupe_key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone() is not None

def create_checkin(db: sqlite_utils.Database, placement_id: int, period: int, sent_on: date,
                   expires_on: date) -> int | None:
    """The check-in row for a placement and period; None when it exists (already sent)."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO employer_checkins (placement_id, period, sent_on, expires_on, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (placement_id, period) DO NOTHING",
            [placement_id, period, sent_on.isoformat(), expires_on.isoformat(), now_iso()])
        if cursor.rowcount == 1:  # the check-in e-mail to the employer names the citizen
            audit.log_placements(db, "email_queued", [placement_id])
        return cursor.lastrowid if cursor.rowcount == 1 else None


def get_checkin(db: sqlite_utils.Database, checkin_id: int) -> dict | None:
    rows = list(db.query(
        "SELECT k.*, p.citizen_id, p.status AS placement_status, c.first_name, e.name AS employer_name "
        "FROM employer_checkins k JOIN placements p ON p.id = k.placement_id "
        "JOIN citizens c ON c.id = p.citizen_id JOIN openings o ON o.id = p.opening_id "
        "JOIN employers e ON e.id = o.employer_id WHERE k.id = ?", [checkin_id]))
    return rows[0] if rows else None


def answer_checkin(db: sqlite_utils.Database, checkin_id: int, *, held_on: date, attendance: str, tasks: str,
                   act_on: bool, note: str, flagged: bool, meeting_note: str) -> dict | None:
    """Store the employer's answer once and log it as a meeting, all in one transaction.

    Returns the meeting, or None when the check-in was already answered (the link is single use).
    """
    from data.placements import log_meeting
    with write(db):
        row = db.execute("SELECT placement_id, answered_at FROM employer_checkins WHERE id = ?",
                         [checkin_id]).fetchone()
        if row is None or row[1] is not None:
            return None
        placement_id = row[0]
        citizen_id = db.execute("SELECT citizen_id FROM placements WHERE id = ?", [placement_id]).fetchone()[0]
        meeting = log_meeting(db, citizen_id=citizen_id, placement_id=placement_id, kind="employer_checkin",
                              held_on=held_on, participants="Virksomheden (svar via tjek-ind-link)",
                              note=meeting_note)
        db.execute(
            "UPDATE employer_checkins SET answered_at = ?, attendance = ?, tasks = ?, act_on = ?, note = ?, "
            "flagged = ?, meeting_id = ? WHERE id = ?",
            [now_iso(), attendance, tasks, int(act_on), note, int(flagged), meeting["id"], checkin_id])
        return meeting


# --- calendar feed tokens ------------------------------------------------------------------------

def set_feed_token(db: sqlite_utils.Database, consultant_id: int, token_hash: str) -> None:
    """Store a consultant's new feed token hash; the old link stops working."""
    with write(db):
        db.execute("INSERT INTO calendar_feeds (consultant_id, token_hash, created_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (consultant_id) DO UPDATE SET token_hash = excluded.token_hash, "
                   "created_at = excluded.created_at", [consultant_id, token_hash, now_iso()])


def feed_created_at(db: sqlite_utils.Database, consultant_id: int) -> str | None:
    row = db.execute("SELECT created_at FROM calendar_feeds WHERE consultant_id = ?", [consultant_id]).fetchone()
    return row[0] if row else None


def consultant_by_feed_token(db: sqlite_utils.Database, token_hash: str) -> dict | None:
    rows = list(db.query("SELECT k.* FROM calendar_feeds f JOIN consultants k ON k.id = f.consultant_id "
                         "WHERE f.token_hash = ? AND k.active = 1", [token_hash]))
    return rows[0] if rows else None
