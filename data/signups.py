"""Employers' own registrations (the public form and the private update link): all their SQL.

What is matched while a registration waits
------------------------------------------
Only approved employers are matched (`registry.matchable_employers`), so:

- A **new** company (no employer with its CVR yet) is stored at once in `employers` with status
  'pending' and its openings in `openings`; nothing of it is matched until a consultant approves.
- A company that registers **again** with the same CVR, or sends changes through its private
  link, never gets a second employer row. If it is already approved, its approved record stays
  exactly as it is - and stays matched - until a consultant approves the change; the submission
  waits in `registrations.payload` with a field-by-field `diff` against the approved record.
  Rejecting it leaves the approved record untouched. If it was never approved (still pending, or
  rejected) and it comes from the contact on record (the same e-mail, or the private link), the
  new submission replaces the stored one at once and waits for approval as a new company.
- A submission through the public form from **another e-mail address** than the contact on record
  never replaces what that contact wrote, approved or not: it waits as a change
  (`other_sender`), with its diff, and gets no private link. Only a consultant's approval makes
  its address the contact on record.
- The one exception is **closing** an opening through the private link: that only removes an
  opening from matching, so it takes effect at once (a rejection does not reopen it). Everything
  else waits for the consultant.
- Only the newest pending submission of an employer from the same sender counts; the sender's
  older pending ones are marked 'superseded', because each payload is the whole intended record,
  not a patch. The contact on record's own submissions and a stranger's never supersede each
  other, so nobody can push a company's own change out of the queue.
- A re-registration through the public form lists only the openings the company typed again: an
  opening with the same title as an existing one updates it, others are added, and existing
  openings it does not mention are kept as they are (closing needs the private link, which
  shows every opening).

The payload is the normalised employer record of `data.exchange.parse_employer`, openings
included, so approving it stores exactly what the exchange format would have imported.

The private link goes only to the contact e-mail on record: at once for a new company or a
submission from that address, otherwise not before a consultant approves. Every decision tells
the company in the same transaction (outbox): approval rotates the link's nonce, so every link
handed out before stops working, and sends a fresh link to the approved contact e-mail (now the
one on record); rejection sends a polite e-mail. A new private link can be sent again at any time
(`send_new_link`), always to the contact e-mail on record.
"""
from __future__ import annotations

import csv
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import sqlite_utils

from core.clock import now_iso
from core.errors import Invalid
from data.db import write
from data.registry import OPENING_COLUMNS, employer_row, get_employer, openings_of, to_row

INDUSTRIES_CSV = Path(__file__).parent / "reference" / "db07_hovedgrupper.csv"

# Employer fields a consultant sees compared, in display order.
DIFF_EMPLOYER_FIELDS = ("name", "cvr", "industry", "address", "postcode", "contact_name", "contact_email",
                        "contact_phone", "languages", "extra")
DIFF_OPENING_FIELDS = ("title", "tasks", "hours_min", "hours_max", "shifts", "paid_hours", "trial_weeks",
                       "can_meet", "cannot_meet", "seats", "active")


@dataclass(frozen=True)
class Submission:
    registration_id: int
    employer_id: str
    kind: str           # "new" or "update"
    link_allowed: bool  # False when the private link must wait for a consultant (see submit)
    other_sender: bool = False  # sent from another address than the contact on record


# E-mail composer given by the web layer: (employer_id, nonce, link_allowed) -> dict with
# to, subject, body_text - or None for no e-mail. Called inside the write transaction.
Composer = Callable[[dict, str, bool], "dict | None"]
# The rejection e-mail: (submitted payload, registration kind "new"/"update") -> dict or None.
RejectionComposer = Callable[[dict, str], "dict | None"]


@lru_cache(maxsize=1)
def industries() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """DB07 main groups by section: [(section code, section name, [(group code, group name)])]."""
    sections: dict[str, tuple[str, list]] = {}
    with INDUSTRIES_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            sections.setdefault(row["hovedafdeling_kode"], (row["hovedafdeling"], []))[1].append(
                (row["hovedgruppe_kode"], row["hovedgruppe"]))
    return [(code, name, groups) for code, (name, groups) in sections.items()]


def industry_name(group_code: str) -> str | None:
    for _, _, groups in industries():
        for code, name in groups:
            if code == group_code:
                return name
    return None


# --- reads --------------------------------------------------------------------------------

def employer_with_openings(db: sqlite_utils.Database, employer_id: str) -> dict | None:
    employer = get_employer(db, employer_id)
    if employer is None:
        return None
    employer["openings"] = openings_of(db, employer_id)
    return employer


def employer_by_cvr(db: sqlite_utils.Database, cvr: str) -> dict | None:
    # An imported registry might hold a CVR twice; the approved, oldest record wins.
    rows = list(db.query(
        "SELECT id FROM employers WHERE cvr = ? ORDER BY status = 'approved' DESC, created_at, id LIMIT 1", [cvr]))
    return employer_with_openings(db, rows[0]["id"]) if rows else None


def registration(db: sqlite_utils.Database, registration_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM registrations WHERE id = ?", [registration_id]))
    return _registration_record(rows[0]) if rows else None


def pending_registrations(db: sqlite_utils.Database) -> list[dict]:
    return [_registration_record(r) for r in db.query(
        "SELECT * FROM registrations WHERE status = 'pending' ORDER BY submitted_at, id")]


def pending_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM registrations WHERE status = 'pending'").fetchone()[0]


def _registration_record(row: dict) -> dict:
    record = dict(row)
    record["payload"] = json.loads(record["payload"])
    record["diff"] = json.loads(record["diff"]) if record["diff"] else None
    record["link_sent"] = bool(record["link_sent"])
    record["other_sender"] = bool(record["other_sender"])
    return record


# --- the private link's nonce -------------------------------------------------------------

def link_nonce(db: sqlite_utils.Database, employer_id: str) -> str:
    """The employer's current link nonce, created on first use."""
    with write(db):
        row = db.execute("SELECT nonce FROM employer_links WHERE employer_id = ?", [employer_id]).fetchone()
        if row:
            return row[0]
        nonce = secrets.token_urlsafe(12)
        db.execute("INSERT INTO employer_links (employer_id, nonce, rotated_at) VALUES (?, ?, ?)",
                   [employer_id, nonce, now_iso()])
        return nonce


def current_nonce(db: sqlite_utils.Database, employer_id: str) -> str | None:
    row = db.execute("SELECT nonce FROM employer_links WHERE employer_id = ?", [employer_id]).fetchone()
    return row[0] if row else None


def rotate_link_nonce(db: sqlite_utils.Database, employer_id: str) -> str:
    """A new nonce: every link sent before stops working."""
    nonce = secrets.token_urlsafe(12)
    with write(db):
        db.execute(
            "INSERT INTO employer_links (employer_id, nonce, rotated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (employer_id) DO UPDATE SET nonce = excluded.nonce, rotated_at = excluded.rotated_at",
            [employer_id, nonce, now_iso()])
    return nonce


# --- submit -------------------------------------------------------------------------------

def new_employer_id(db: sqlite_utils.Database, cvr: str | None) -> str:
    base = f"v-{cvr}" if cvr else f"v-{secrets.token_hex(4)}"
    candidate = base
    while db.execute("SELECT 1 FROM employers WHERE id = ?", [candidate]).fetchone():
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


def new_opening_id(employer_id: str) -> str:
    return f"{employer_id}-{secrets.token_hex(3)}"


def submit(db: sqlite_utils.Database, record: dict, *, source: str = "form", employer_id: str | None = None,
           compose_email: Composer | None = None, now: str | None = None) -> Submission:
    """Store one submission (a normalised employer record from `parse_employer`) as described in
    the module docstring, and queue its e-mail in the same transaction.

    `employer_id` is given for the private update link (the link says who); the public form
    finds an existing employer by CVR. The private link is e-mailed at once for a new company or
    when the contact e-mail stays the one already on record; otherwise it is sent when a
    consultant approves, so typing someone else's CVR never hands out a link to their record, and
    a submission from another address never replaces what the contact on record wrote.
    """
    now = now or now_iso()
    with write(db):
        live = employer_with_openings(db, employer_id) if employer_id else (
            employer_by_cvr(db, record["cvr"]) if record.get("cvr") else None)
        if source == "update_link" and live is None:
            raise LookupError(employer_id)
        typed_email = (record.get("contact_email") or "").lower()
        if live is None:
            employer_id = new_employer_id(db, record.get("cvr"))
            payload = _with_ids({**record, "id": employer_id}, employer_id)
            _store(db, payload, status="pending", now=now)
            kind, diff, link_allowed, sender, other_sender = "new", None, True, typed_email, False
        else:
            employer_id = live["id"]
            payload = _merge(live, {**record, "id": employer_id}, source)
            diff = diff_records(live, payload)
            on_record = (live["contact_email"] or "").lower()
            # The private link proves its holder is the contact on record; the form proves nothing.
            sender = on_record if source == "update_link" else typed_email
            other_sender = sender != on_record or not on_record
            link_allowed = not other_sender and typed_email == on_record
            _close_at_once(db, live, payload, now)
            if live["status"] == "approved" or other_sender:
                kind = "update"
            else:
                kind = "new"
                _store(db, payload, status="pending", now=now)
            _supersede_earlier(db, employer_id, sender, other_sender)
        registration_id = db.execute(
            "INSERT INTO registrations (employer_id, kind, source, payload, diff, submitted_at, link_sent, "
            "sender_email, other_sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [employer_id, kind, source, json.dumps(payload, ensure_ascii=False),
             json.dumps(diff, ensure_ascii=False) if diff is not None else None, now, int(link_allowed),
             sender, int(other_sender)],
        ).lastrowid
        if compose_email is not None:
            _send(db, compose_email, payload, link_nonce(db, employer_id), link_allowed)
    return Submission(registration_id, employer_id, kind, link_allowed, other_sender)


def _supersede_earlier(db, employer_id: str, sender: str, other_sender: bool) -> None:
    """The same sender's older pending submissions give way to the new one; the contact on
    record's and a stranger's never touch each other's."""
    if other_sender:
        db.execute("UPDATE registrations SET status = 'superseded' WHERE employer_id = ? AND status = 'pending' "
                   "AND other_sender = 1 AND lower(sender_email) = ?", [employer_id, sender])
    else:
        db.execute("UPDATE registrations SET status = 'superseded' WHERE employer_id = ? AND status = 'pending' "
                   "AND other_sender = 0", [employer_id])


def _send(db, compose_email: Composer, employer: dict, nonce: str, link_allowed: bool) -> None:
    from data.outbox import enqueue
    message = compose_email(employer, nonce, link_allowed)
    if message:
        enqueue(db, to=message["to"], subject=message["subject"], body_text=message["body_text"],
                employer_id=employer["id"])


def _with_ids(record: dict, employer_id: str) -> dict:
    # Always fresh ids: an id typed into a form must never reach another employer's opening.
    return {**record, "openings": [{**o, "id": new_opening_id(employer_id)} for o in record["openings"]]}


def _title_key(title: str) -> str:
    return " ".join((title or "").lower().split())


def _merge(live: dict, record: dict, source: str) -> dict:
    """The whole intended record: the submitted openings matched to the live ones, plus the live
    openings the submission did not mention (kept unchanged)."""
    live_by_id = {o["id"]: o for o in live["openings"]}
    live_by_title = {_title_key(o["title"]): o for o in live["openings"]}
    used: set[str] = set()
    openings = []
    for opening in record["openings"]:
        match = live_by_id.get(opening.get("id")) if source == "update_link" else None
        match = match if match and match["id"] not in used else None
        if match is None and source == "form":
            candidate = live_by_title.get(_title_key(opening["title"]))
            match = candidate if candidate and candidate["id"] not in used else None
        opening_id = match["id"] if match else new_opening_id(live["id"])
        used.add(opening_id)
        openings.append({**opening, "id": opening_id})
    kept = [_exchange_opening(o) for o in live["openings"] if o["id"] not in used]
    return {**record, "openings": openings + kept}


def _exchange_opening(row: dict) -> dict:
    return {k: row[k] for k in ("id", "title", "tasks", "hours_min", "hours_max", "shifts", "paid_hours",
                                "trial_weeks", "can_meet", "cannot_meet", "seats", "active", "extra")}


def _close_at_once(db, live: dict, payload: dict, now: str) -> None:
    live_active = {o["id"] for o in live["openings"] if o["active"]}
    closing = [o["id"] for o in payload["openings"] if o["id"] in live_active and not o["active"]]
    for opening_id in closing:
        db.execute("UPDATE openings SET active = 0, updated_at = ? WHERE id = ?", [now, opening_id])


def _store(db, payload: dict, *, status: str, now: str) -> None:
    """Write a whole employer record (employer row + every opening in it)."""
    row = employer_row(payload)
    row["status"] = status
    exists = db.execute("SELECT 1 FROM employers WHERE id = ?", [payload["id"]]).fetchone()
    if exists:
        names = [n for n in row if n != "id"]
        db.execute(f"UPDATE employers SET {', '.join(f'{n} = ?' for n in names)}, updated_at = ? WHERE id = ?",
                   [row[n] for n in names] + [now, payload["id"]])
    else:
        row.update(created_at=now, updated_at=now)
        db.execute(f"INSERT INTO employers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    for position, opening in enumerate(payload["openings"]):
        orow = to_row({**opening, "employer_id": payload["id"], "position": position}, OPENING_COLUMNS)
        names = [n for n in orow if n != "id"]
        updated = db.execute(
            f"UPDATE openings SET {', '.join(f'{n} = ?' for n in names)}, updated_at = ? WHERE id = ?",
            [orow[n] for n in names] + [now, orow["id"]]).rowcount
        if not updated:
            orow.update(created_at=now, updated_at=now)
            db.execute(f"INSERT INTO openings ({', '.join(orow)}) VALUES ({', '.join('?' * len(orow))})",
                       list(orow.values()))


# --- what changed -------------------------------------------------------------------------

def diff_records(old: dict, new: dict) -> dict:
    """Field-by-field differences: {"fields": [{field, old, new}], "openings": {"added": [...],
    "changed": [{id, title, fields: [...]}], "closed": [...]}}."""
    fields = [{"field": name, "old": old.get(name), "new": new.get(name)}
              for name in DIFF_EMPLOYER_FIELDS if _norm(old.get(name)) != _norm(new.get(name))]
    old_openings = {o["id"]: o for o in old["openings"]}
    added, changed, closed = [], [], []
    for opening in new["openings"]:
        before = old_openings.get(opening["id"])
        if before is None:
            added.append({"id": opening["id"], "title": opening["title"]})
            continue
        if before["active"] and not opening["active"]:
            closed.append({"id": opening["id"], "title": before["title"]})
            continue
        changes = [{"field": name, "old": before.get(name), "new": opening.get(name)}
                   for name in DIFF_OPENING_FIELDS if _norm(before.get(name)) != _norm(opening.get(name))]
        if changes:
            changed.append({"id": opening["id"], "title": opening["title"], "fields": changes})
    return {"fields": fields, "openings": {"added": added, "changed": changed, "closed": closed}}


def _norm(value):
    if isinstance(value, bool):
        return int(value)
    if value == "":
        return None
    return value


def is_empty_diff(diff: dict | None) -> bool:
    return bool(diff) and not diff["fields"] and not any(diff["openings"].values())


# --- decisions ----------------------------------------------------------------------------

def approve(db: sqlite_utils.Database, registration_id: int, consultant_id: int, *,
            compose_email: Composer | None = None, now: str | None = None) -> dict:
    """Apply the submission and make the employer matchable. The link nonce is rotated, so every
    link handed out before (to whichever address) stops working, and the approval e-mail brings
    a fresh link to the approved contact e-mail, which is now the one on record."""
    now = now or now_iso()
    with write(db):
        record = _pending(db, registration_id)
        payload = record["payload"]
        _store(db, payload, status="approved", now=now)
        _decide(db, registration_id, "approved", consultant_id, now)
        nonce = rotate_link_nonce(db, record["employer_id"])
        if compose_email is not None:
            _send(db, compose_email, payload, nonce, True)
            db.execute("UPDATE registrations SET link_sent = 1 WHERE id = ?", [registration_id])
    return record


def reject(db: sqlite_utils.Database, registration_id: int, consultant_id: int, *,
           compose_email: RejectionComposer | None = None, now: str | None = None) -> dict:
    """Refuse the submission. An approved employer keeps its approved record; a company that was
    never approved becomes 'rejected' (still not matched) when its own registration is refused,
    and stays as it was when a change from another address is. The company is told in the same
    transaction (`compose_email(payload, kind)`), so a decision and its e-mail exist together."""
    now = now or now_iso()
    with write(db):
        record = _pending(db, registration_id)
        _decide(db, registration_id, "rejected", consultant_id, now)
        if record["kind"] == "new":
            # A change (or a stranger's submission) leaves the company as it stood.
            db.execute("UPDATE employers SET status = 'rejected', updated_at = ? WHERE id = ? AND status = 'pending'",
                       [now, record["employer_id"]])
        if compose_email is not None:
            message = compose_email(record["payload"], record["kind"])
            if message:
                from data.outbox import enqueue
                enqueue(db, to=message["to"], subject=message["subject"], body_text=message["body_text"],
                        employer_id=record["employer_id"])
    return record


# --- a new private link -------------------------------------------------------------------

def send_new_link(db: sqlite_utils.Database, employer_id: str, compose_email: Composer, *,
                  dedupe_key: str | None = None) -> str | None:
    """Queue an e-mail with a fresh private link to the contact e-mail ON RECORD; returns that
    address, or None when the employer is unknown, has no e-mail, or `dedupe_key` was used before.

    The nonce is kept, not rotated: a request anyone can make must not be able to switch off a
    link the company is using."""
    from data.outbox import enqueue
    with write(db):
        employer = employer_with_openings(db, employer_id)
        if employer is None or not employer.get("contact_email"):
            return None
        message = compose_email(employer, link_nonce(db, employer_id), True)
        if not message:
            return None
        queued = enqueue(db, to=employer["contact_email"], subject=message["subject"],
                         body_text=message["body_text"], dedupe_key=dedupe_key, employer_id=employer_id)
        return employer["contact_email"] if queued is not None else None


def approved_employers_for(db: sqlite_utils.Database, *, cvr: str | None = None, email: str | None = None) -> list[str]:
    """Ids of approved employers with this CVR or this contact e-mail (case-insensitive)."""
    if cvr:
        rows = db.execute("SELECT id FROM employers WHERE status = 'approved' AND cvr = ? ORDER BY id", [cvr])
    elif email:
        rows = db.execute("SELECT id FROM employers WHERE status = 'approved' AND lower(contact_email) = ? "
                          "ORDER BY id", [email.strip().lower()])
    else:
        return []
    return [row[0] for row in rows.fetchall()]


def pending_registration_of(db: sqlite_utils.Database, employer_id: str) -> int | None:
    """The id of the employer's submission that waits for a consultant, if any."""
    row = db.execute("SELECT id FROM registrations WHERE employer_id = ? AND status = 'pending' "
                     "ORDER BY submitted_at DESC, id DESC LIMIT 1", [employer_id]).fetchone()
    return row[0] if row else None


def _pending(db, registration_id: int) -> dict:
    """The registration, if it still waits for a decision; Invalid when it was decided already or
    superseded by a newer one."""
    record = registration(db, registration_id)
    if record is None or record["status"] != "pending":
        raise Invalid.one(registration_id, "status", "Tilmeldingen er allerede behandlet eller erstattet af en nyere.",
                          "tilmelding")
    return record


def _decide(db, registration_id: int, status: str, consultant_id: int, now: str) -> None:
    db.execute("UPDATE registrations SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
               [status, consultant_id, now, registration_id])


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per table a submission writes: tests prove bad input stores nothing."""
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("employers", "openings", "registrations", "outbox", "employer_links")}
