"""Citizens, employers and openings: import, export and the reads the rest of småjobs needs.

Rows hold the normalised exchange records (data.exchange); list-valued fields are JSON text.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import sqlite_utils

from core.clock import now_iso
from core.errors import Invalid, Problem
from data import audit
from data.db import write
from data.exchange import (
    Document, citizen_to_exchange, employer_to_exchange, parse_document,
)

JSON_COLUMNS = {"languages", "shifts", "needs", "can_meet", "cannot_meet", "extra"}

CITIZEN_COLUMNS = ("id", "first_name", "age", "target_group", "postcode", "lat", "lon", "coords_given",
                   "interests", "experience", "goal", "languages", "hours_min", "hours_max", "shifts",
                   "max_travel_km", "needs", "consultant_email", "social_free_card", "case_reference", "extra")
EMPLOYER_COLUMNS = ("id", "name", "cvr", "industry", "address", "postcode", "lat", "lon", "coords_given",
                    "contact_name", "contact_email", "contact_phone", "languages", "extra")
OPENING_COLUMNS = ("id", "employer_id", "position", "title", "tasks", "hours_min", "hours_max", "shifts",
                   "paid_hours", "trial_weeks", "can_meet", "cannot_meet", "seats", "active", "extra")


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=lambda: {"employers": 0, "openings": 0, "citizens": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"employers": 0, "openings": 0, "citizens": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"employers": 0, "openings": 0, "citizens": 0})

    def describe(self) -> str:
        labels = {"employers": "virksomheder", "openings": "småjobs", "citizens": "borgere"}
        return "; ".join(
            f"{labels[k]}: {self.created[k]} nye, {self.updated[k]} opdateret, {self.unchanged[k]} uændret"
            for k in labels
        )


# --- rows <-> normalised records -------------------------------------------------------------

def to_row(record: dict, columns: tuple[str, ...]) -> dict:
    """A normalised record as a row of `columns`: lists and `extra` as JSON text, booleans as 0/1."""
    row = {}
    for column in columns:
        value = record.get(column)
        if column in JSON_COLUMNS and value is not None:
            value = json.dumps(value, ensure_ascii=False, sort_keys=column == "extra")
        elif isinstance(value, bool):
            value = int(value)
        row[column] = value
    return row


def from_row(row: dict) -> dict:
    """A stored row back as a record (the reverse of `to_row`); openings are read with it."""
    record = dict(row)
    for column in JSON_COLUMNS & record.keys():
        if record[column] is not None:
            record[column] = json.loads(record[column])
    for column in ("coords_given", "active", "social_free_card"):
        if column in record:
            record[column] = bool(record[column])
    return record


def _citizen_row(citizen: dict) -> dict:
    return to_row({**citizen, "consultant_email": citizen.get("consultant")}, CITIZEN_COLUMNS)


# The contact's unknown fields ride in the employer's `extra` under this key. A file's own
# field of that name (or an already escaped one) gets one more leading underscore, so the two
# can never be confused; reading removes it again.
CONTACT_EXTRA_KEY = "_contact_extra"
_ESCAPED_CONTACT_KEY = re.compile(r"^_+contact_extra$")


def employer_row(employer: dict) -> dict:
    """A normalised employer (data.exchange.parse_employer) as its `employers` row."""
    extra = {("_" + k if _ESCAPED_CONTACT_KEY.match(k) else k): v
             for k, v in (employer.get("extra") or {}).items()}
    if employer.get("contact_extra"):
        extra[CONTACT_EXTRA_KEY] = employer["contact_extra"]
    return to_row({**employer, "extra": extra}, EMPLOYER_COLUMNS)


def citizen_record(row: dict) -> dict:
    record = from_row(row)
    record["consultant"] = record.pop("consultant_email", None)
    return record


def employer_record(row: dict) -> dict:
    record = from_row(row)
    record["contact_extra"] = record["extra"].pop(CONTACT_EXTRA_KEY, {})
    record["extra"] = {(k[1:] if _ESCAPED_CONTACT_KEY.match(k) else k): v for k, v in record["extra"].items()}
    return record


# --- upsert ------------------------------------------------------------------------------------

def _upsert(db: sqlite_utils.Database, table: str, rows: list[dict], counts: ImportSummary, key: str) -> None:
    """Insert new rows, update changed ones, leave identical ones alone (updated_at included)."""
    if not rows:
        return
    columns = list(rows[0])
    existing = _existing_rows(db, table, columns, [r["id"] for r in rows])
    now = now_iso()
    inserts, updates = [], []
    for row in rows:
        old = existing.get(row["id"])
        if old is None:
            inserts.append({**row, "created_at": now, "updated_at": now})
        elif old != row:
            updates.append({**row, "updated_at": now})
        else:
            counts.unchanged[key] += 1
    if inserts:
        names = list(inserts[0])
        db.conn.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [tuple(r[n] for n in names) for r in inserts],
        )
    if updates:
        names = [n for n in updates[0] if n != "id"]
        db.conn.executemany(
            f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
            [tuple(r[n] for n in names) + (r["id"],) for r in updates],
        )
    counts.created[key] += len(inserts)
    counts.updated[key] += len(updates)
    if table == "citizens":
        audit.log_many(db, "created", [r["id"] for r in inserts])
        audit.log_many(db, "changed", [r["id"] for r in updates])


def _existing_rows(db, table: str, columns: list[str], ids: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor = db.conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        )
        for values in cursor:
            found[values[0]] = dict(zip(columns, values))
    return found


def import_document(db: sqlite_utils.Database, document) -> ImportSummary:
    """Validate a decoded exchange document whole, then upsert it in one transaction."""
    parsed = document if isinstance(document, Document) else parse_document(document)
    counts = ImportSummary()
    employer_rows = [employer_row(e) for e in parsed.employers]
    opening_rows = [
        to_row({**o, "employer_id": e["id"], "position": i}, OPENING_COLUMNS)
        for e in parsed.employers for i, o in enumerate(e["openings"])
    ]
    citizen_rows = [_citizen_row(c) for c in parsed.citizens]
    with write(db):
        _refuse_moved_openings(db, opening_rows)
        _upsert(db, "employers", employer_rows, counts, "employers")
        _upsert(db, "openings", opening_rows, counts, "openings")
        counts.updated["openings"] += _deactivate_missing_openings(db, opening_rows, [e["id"] for e in employer_rows])
        _upsert(db, "citizens", citizen_rows, counts, "citizens")
    return counts


def _deactivate_missing_openings(db, opening_rows: list[dict], employer_ids: list[str]) -> int:
    """An employer in the file comes with all its openings (as in save_employer): a stored
    opening the file no longer lists is made inactive, not deleted, since placements may point
    at it. Returns how many were changed."""
    listed = {row["id"] for row in opening_rows}
    stale = []
    for start in range(0, len(employer_ids), 500):
        chunk = employer_ids[start:start + 500]
        stale += [opening_id for (opening_id,) in db.execute(
            f"SELECT id FROM openings WHERE active = 1 AND employer_id IN ({', '.join('?' * len(chunk))})", chunk)
            if opening_id not in listed]
    if stale:
        now = now_iso()
        db.conn.executemany("UPDATE openings SET active = 0, updated_at = ? WHERE id = ?", [(now, i) for i in stale])
    return len(stale)


def _refuse_moved_openings(db, opening_rows: list[dict]) -> None:
    """An opening id already stored under another employer is an error, not a silent move:
    its placements and history belong to the employer it was created under."""
    wanted = {row["id"]: row["employer_id"] for row in opening_rows}
    ids = list(wanted)
    problems = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for opening_id, employer_id in db.execute(
            f"SELECT id, employer_id FROM openings WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ):
            if employer_id != wanted[opening_id]:
                problems.append(Problem(opening_id, "id",
                                        f"tilhører virksomhed '{employer_id}', ikke '{wanted[opening_id]}'", "småjob"))
    if problems:
        raise Invalid(problems, "Filen")


# --- export and reads --------------------------------------------------------------------------

def export_document(db: sqlite_utils.Database) -> dict:
    """The registry in the exchange format: every citizen, and every approved employer with all
    its openings (inactive ones too). Self-registrations still pending or rejected are not part
    of the registry yet: the format has no status, so another system (or an import back) would
    take them for approved employers and match them."""
    openings_by_employer: dict[str, list[dict]] = {}
    for row in db.query("SELECT o.* FROM openings o JOIN employers e ON e.id = o.employer_id "
                        "WHERE e.status = 'approved' ORDER BY o.employer_id, o.position, o.id"):
        openings_by_employer.setdefault(row["employer_id"], []).append(from_row(row))
    employers = [
        employer_to_exchange(employer_record(row), openings_by_employer.get(row["id"], []))
        for row in db.query("SELECT * FROM employers WHERE status = 'approved' ORDER BY id")
    ]
    citizens = [citizen_to_exchange(citizen_record(row)) for row in db.query("SELECT * FROM citizens ORDER BY id")]
    return {"employers": employers, "citizens": citizens}


def get_citizen(db: sqlite_utils.Database, citizen_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM citizens WHERE id = ?", [citizen_id]))
    return citizen_record(rows[0]) if rows else None


def get_employer(db: sqlite_utils.Database, employer_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM employers WHERE id = ?", [employer_id]))
    return employer_record(rows[0]) if rows else None


def get_opening(db: sqlite_utils.Database, opening_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM openings WHERE id = ?", [opening_id]))
    return from_row(rows[0]) if rows else None


def employers_by_ids(db: sqlite_utils.Database, employer_ids) -> dict[str, dict]:
    """{id: employer} for the given ids, in one query per 500 ids; ids not stored are left out."""
    return {row["id"]: employer_record(row) for row in _rows_by_ids(db, "employers", employer_ids)}


def openings_by_ids(db: sqlite_utils.Database, opening_ids) -> dict[str, dict]:
    """{id: opening} for the given ids, in one query per 500 ids; ids not stored are left out."""
    return {row["id"]: from_row(row) for row in _rows_by_ids(db, "openings", opening_ids)}


def _rows_by_ids(db: sqlite_utils.Database, table: str, ids) -> list[dict]:
    # Chunks keep each query under SQLite's limit on bound parameters.
    wanted = list(dict.fromkeys(ids))
    rows: list[dict] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows += db.query(f"SELECT * FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
    return rows


def openings_of(db: sqlite_utils.Database, employer_id: str) -> list[dict]:
    return [from_row(r) for r in db.query(
        "SELECT * FROM openings WHERE employer_id = ? ORDER BY position, id", [employer_id])]


def matchable_employers(db: sqlite_utils.Database, employer_ids=None) -> list[dict]:
    """Approved employers with their active openings, as exchange records with coordinates
    always present: the input the matcher's `Opening.all_from_employers` expects. All of them,
    or those of `employer_ids` (the ones changed since a match index was built)."""
    if employer_ids is not None:
        return [employer for start in range(0, len(employer_ids), 500)
                for employer in _matchable_employers(db, list(employer_ids)[start:start + 500])]
    return _matchable_employers(db, None)


def _matchable_employers(db: sqlite_utils.Database, employer_ids: list[str] | None) -> list[dict]:
    among, params = "", []
    if employer_ids is not None:
        among, params = f" AND e.id IN ({', '.join('?' * len(employer_ids))})", employer_ids
    openings_by_employer: dict[str, list[dict]] = {}
    for row in db.query(
        "SELECT o.* FROM openings o JOIN employers e ON e.id = o.employer_id "
        f"WHERE o.active = 1 AND e.status = 'approved'{among} ORDER BY o.employer_id, o.position, o.id", params
    ):
        openings_by_employer.setdefault(row["employer_id"], []).append(from_row(row))
    employers = []
    for row in db.query(f"SELECT * FROM employers e WHERE status = 'approved'{among} ORDER BY id", params):
        openings = openings_by_employer.get(row["id"])
        if openings:
            record = employer_to_exchange(employer_record(row), openings)
            record.update(lat=row["lat"], lon=row["lon"])
            employers.append(record)
    return employers


def citizen_for_matching(db: sqlite_utils.Database, citizen_id: str) -> dict | None:
    """The citizen as an exchange record with coordinates always present."""
    citizen = get_citizen(db, citizen_id)
    return None if citizen is None else matching_record(citizen)


def matching_record(citizen: dict) -> dict:
    """A stored citizen row (get_citizen) as an exchange record with coordinates always present."""
    record = citizen_to_exchange(citizen)
    record.update(lat=citizen["lat"], lon=citizen["lon"])
    return record


def registry_version(db: sqlite_utils.Database) -> int:
    """Grows with every change to what is matched - approved employers and their openings -
    and only then (kept by triggers, see migration 13): lets a process keep its match index
    until someone changes the matchable registry. A pending or rejected sign-up leaves it."""
    return db.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0]


def registry_id(db: sqlite_utils.Database) -> str:
    """A random id given to the database when it was made: tells a persisted match index which
    database it belongs to."""
    return db.execute("SELECT registry_id FROM registry_version WHERE id = 1").fetchone()[0]


@dataclass(frozen=True)
class MatchChanges:
    version: int                # the registry version now
    complete: bool              # False: part of the log since the asked version was pruned
    employer_ids: list[str]     # employers changed after the asked version, up to `version`


def match_changes_since(db: sqlite_utils.Database, since: int) -> MatchChanges:
    """The employers whose matchable data changed after registry version `since`. Re-reading
    such an employer replaces its openings whole, so reading the employers later than
    `version` (and again next time) does no harm."""
    version, pruned_through = db.execute(
        "SELECT version, pruned_through FROM registry_version WHERE id = 1").fetchone()
    employer_ids = [employer_id for (employer_id,) in db.execute(
        "SELECT DISTINCT employer_id FROM match_changes WHERE version > ? AND version <= ? ORDER BY employer_id",
        [since, version])]
    return MatchChanges(version, pruned_through <= since, employer_ids)


def prune_match_changes(db: sqlite_utils.Database, through: int) -> int:
    """Forget the change log up to registry version `through` (an index at least that new is
    persisted); an index older than that is then rebuilt instead of updated. Returns how many
    rows went."""
    with write(db):
        db.execute("UPDATE registry_version SET pruned_through = max(pruned_through, ?) WHERE id = 1", [through])
        return db.execute("DELETE FROM match_changes WHERE version <= ?", [through]).rowcount


# --- single-record writes and lists for the pages and the API -----------------------------------

def save_citizen(db: sqlite_utils.Database, record: dict) -> dict:
    """Validate one citizen in the exchange format (the rules the import uses) and upsert it,
    keeping `created_at`. Raises Invalid listing every problem; nothing is stored then."""
    from data.exchange import parse_citizen
    problems: list = []
    citizen = parse_citizen(record, 0, problems)
    if problems:
        raise Invalid(problems)
    row = _citizen_row(citizen)
    now = now_iso()
    with write(db):
        exists = db.execute("SELECT 1 FROM citizens WHERE id = ?", [row["id"]]).fetchone()
        if exists:
            names = [n for n in row if n != "id"]
            db.execute(f"UPDATE citizens SET {', '.join(f'{n} = ?' for n in names)}, updated_at = ? WHERE id = ?",
                       [*(row[n] for n in names), now, row["id"]])
            audit.log(db, "changed", row["id"])
        else:
            names = list(row)
            db.execute(f"INSERT INTO citizens ({', '.join(names)}, created_at, updated_at) "
                       f"VALUES ({', '.join('?' * len(names))}, ?, ?)", [*(row[n] for n in names), now, now])
            audit.log(db, "created", row["id"])
    return get_citizen(db, row["id"])


# A citizen row for lists, with the number of open (planned or active) placements (`open_placements`).
CITIZEN_LIST_SELECT = ("SELECT c.*, (SELECT COUNT(*) FROM placements p WHERE p.citizen_id = c.id "
                       "AND p.status IN ('planned', 'active')) AS open_placements FROM citizens c")


# The newest of: a meeting held, a forløb changed, the profile changed (dates, YYYY-MM-DD).
LAST_ACTIVITY_SQL = (
    "MAX(substr(c.updated_at, 1, 10), "
    "COALESCE((SELECT MAX(m.held_on) FROM meetings m WHERE m.citizen_id = c.id), ''), "
    "COALESCE((SELECT MAX(substr(p.updated_at, 1, 10)) FROM placements p WHERE p.citizen_id = c.id), ''))")
# Sort keys of the citizen list -> ORDER BY; the name breaks ties, then the id.
CITIZEN_SORTS = {
    "navn": "c.first_name COLLATE NOCASE",
    "sagsreference": "c.case_reference IS NULL, c.case_reference COLLATE NOCASE",
    "maalgruppe": "c.target_group IS NULL, c.target_group COLLATE NOCASE",
    "aktivitet": "last_activity DESC",
}


def list_citizens(db: sqlite_utils.Database, consultant_email: str | None, search: str = "",
                  sort: str = "navn") -> list[dict]:
    """A consultant's citizens (None: everyone's, for admins), each with the number of placements
    not yet ended (`open_placements`) and the date of the last activity (`last_activity`).
    `search` finds a part of the first name, case reference or target group (any case);
    `sort` is a key of CITIZEN_SORTS (unknown keys sort by name)."""
    sql = (CITIZEN_LIST_SELECT.replace(" FROM citizens c", f", {LAST_ACTIVITY_SQL} AS last_activity FROM citizens c")
           + " WHERE 1 = 1")
    params: list = []
    if consultant_email is not None:
        sql += " AND c.consultant_email = ?"
        params.append(consultant_email.strip().lower())
    words = search.split()
    for word in words:
        sql += (" AND (c.first_name LIKE ? ESCAPE '\\' OR COALESCE(c.case_reference, '') LIKE ? ESCAPE '\\'"
                " OR COALESCE(c.target_group, '') LIKE ? ESCAPE '\\')")
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [pattern] * 3
    sql += f" ORDER BY {CITIZEN_SORTS.get(sort, CITIZEN_SORTS['navn'])}, c.first_name COLLATE NOCASE, c.id"
    return [citizen_record(row) for row in db.query(sql, params)]


def reassign_citizen(db: sqlite_utils.Database, citizen_id: str, consultant_email: str) -> dict:
    """Hand a citizen to another (active) consultant."""
    email = (consultant_email or "").strip().lower()
    with write(db):
        if not db.execute("SELECT 1 FROM citizens WHERE id = ?", [citizen_id]).fetchone():
            raise Invalid.one(citizen_id, "id", f"Ukendt borger '{citizen_id}'.", "borger")
        if not db.execute("SELECT 1 FROM consultants WHERE email = ? AND active = 1", [email]).fetchone():
            raise Invalid.one(citizen_id, "consultant", f"Ingen aktiv konsulent med e-mail '{email}'.", "borger")
        db.execute("UPDATE citizens SET consultant_email = ?, updated_at = ? WHERE id = ?",
                   [email, now_iso(), citizen_id])
        audit.log(db, "handed_over", citizen_id)
    return get_citizen(db, citizen_id)


def list_employers(db: sqlite_utils.Database, search: str = "", status: str | None = "approved") -> list[dict]:
    """Employers (of one status; None: all) with their openings under "openings", by name.
    `search` matches name, industry or an opening's title, ignoring case (Danish letters too,
    which SQLite's LIKE would not)."""
    sql, params = "SELECT * FROM employers", []
    if status is not None:
        sql += " WHERE status = ?"
        params.append(status)
    employers = [employer_record(row) for row in db.query(sql + " ORDER BY name COLLATE NOCASE, id", params)]
    openings = openings_by_employer(db)
    result = []
    for employer in employers:
        employer["openings"] = openings.get(employer["id"], [])
        if employer_matches_search(employer, search):
            result.append(employer)
    return result


def openings_by_employer(db: sqlite_utils.Database, employer_ids: list[str] | None = None) -> dict[str, list[dict]]:
    """{employer id: its openings in order}, for the given employers (None: all)."""
    openings: dict[str, list[dict]] = {}
    if employer_ids is None:
        chunks: list[list[str] | None] = [None]
    else:
        chunks = [employer_ids[i:i + 500] for i in range(0, len(employer_ids), 500)]
    for chunk in chunks:
        where = "" if chunk is None else f" WHERE employer_id IN ({', '.join('?' * len(chunk))})"
        for row in db.query(f"SELECT * FROM openings{where} ORDER BY employer_id, position, id", chunk or []):
            openings.setdefault(row["employer_id"], []).append(from_row(row))
    return openings


def employer_matches_search(employer: dict, search: str) -> bool:
    """Every word of `search` in the name, industry or an opening's title, ignoring case (Danish
    letters too, which SQLite's LIKE would not). `employer` carries its "openings"."""
    haystack = " ".join([employer["name"], employer["industry"]] +
                        [o["title"] for o in employer["openings"]]).casefold()
    return all(word in haystack for word in search.casefold().split())


def save_employer(db: sqlite_utils.Database, record: dict, status: str | None = None) -> dict:
    """Validate one employer with its openings (exchange format) and upsert it. Openings missing
    from the record are made inactive, not deleted: placements may point at them. A new employer
    gets `status` (default approved); an existing one keeps its status unless told."""
    from data.exchange import parse_employer
    problems: list = []
    employer = parse_employer(record, 0, problems)
    if problems:
        raise Invalid(problems)
    row = employer_row(employer)
    opening_rows = [to_row({**o, "employer_id": employer["id"], "position": i}, OPENING_COLUMNS)
                    for i, o in enumerate(employer["openings"])]
    now = now_iso()
    with write(db):
        taken = [r[0] for r in db.execute(
            f"SELECT id FROM openings WHERE employer_id != ? AND id IN ({', '.join('?' * len(opening_rows))})",
            [employer["id"], *(o["id"] for o in opening_rows)])]
        if taken:
            raise Invalid([Problem(t, "id", "tilhører en anden virksomhed", "småjob") for t in taken])
        counts = ImportSummary()
        _upsert(db, "employers", [row], counts, "employers")
        if status is not None or counts.created["employers"]:
            db.execute("UPDATE employers SET status = ? WHERE id = ?", [status or "approved", employer["id"]])
        _upsert(db, "openings", opening_rows, counts, "openings")
        kept = [o["id"] for o in opening_rows]
        db.execute(f"UPDATE openings SET active = 0, updated_at = ? WHERE employer_id = ? AND active = 1 "
                   f"AND id NOT IN ({', '.join('?' * len(kept))})", [now, employer["id"], *kept])
    result = get_employer(db, employer["id"])
    result["openings"] = openings_of(db, employer["id"])
    return result
