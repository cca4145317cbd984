"""Placements (forløb), their report due dates and the meeting log: all the SQL for them.

Functions take the database first and return plain dicts. Bad input raises `core.errors.Invalid`
with a Danish reason per field, before anything is written. Every write also bumps the
citizen's `updated_at`, which the scheduler reads to find courses that have stalled.
"""
from __future__ import annotations


import sqlite_utils

from core import clock
from core.checks import Checker
from core.clock import now_iso
from core.errors import Conflict, Invalid, Problem
from core.formats import as_typed
from data import statistics
from data import audit
from data.db import write

KIND_LABELS = {
    "virksomhedspraktik": "Virksomhedspraktik",
    "hybridpraktik": "Hybridpraktik",
    "smajob": "Småjob (lønnede timer)",
    "fleksjob": "Fleksjob",
}
STATUS_LABELS = {"planned": "Planlagt", "active": "Aktiv", "ended": "Afsluttet", "cancelled": "Annulleret"}
# A forløb that is still going (or about to): at most one per citizen and opening, and each takes a seat.
OPEN_STATUSES = ("planned", "active")
MAX_CANCEL_REASON = 500
OUTCOME_LABELS = {
    "beskaeftigelse": "Beskæftigelse",
    "uddannelse": "Uddannelse",
    "fleksjob": "Fleksjob",
    "ledighed": "Ledighed",
    "sygedagpenge": "Sygedagpenge",
    "anden_offentlig_forsoergelse": "Anden offentlig forsørgelse",
    "foertidspension": "Førtidspension",
    "selvforsoerget": "Selvforsørget",
}
REPORT_KIND_LABELS = {"delrapport": "Delrapport", "slutrapport": "Slutrapport"}
MEETING_KIND_LABELS = {
    "first_citizen": "Første møde med borgeren",
    "first_employer": "Første møde med virksomheden",
    "follow_up": "Opfølgning med borgeren",
    "employer_checkin": "Opfølgning hos virksomheden",
}
# Meetings at the employer, where proposing paid hours is the point (the scheduler reminds of it).
EMPLOYER_MEETINGS = ("first_employer", "employer_checkin")

MAX_HOURS = 37
MAX_WAGE = 10_000
MAX_NOTE = 2000
MAX_PARTICIPANTS = 500
# SQLite's largest integer: a larger id in a URL names no row (and would overflow the query).
MAX_ROW_ID = 2**63 - 1
PLACEMENT_FIELDS = ("opening_id", "kind", "status", "start_date", "planned_end_date", "end_date",
                    "hours_per_week", "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome",
                    "cancel_reason")


def _validate_placement(record: dict, record_id="") -> dict:
    """Check a whole placement (after merging changes) and return it normalised; raise Invalid
    with every problem (`record_id`: the placement's id, "" for a new one)."""
    problems: list[Problem] = []
    check = Checker(record_id, problems, "forløb", typed=True, sentences=True)
    clean = {
        "kind": check.choice(record, "kind", KIND_LABELS, "forløbstype", missing="vælg forløbstype"),
        "status": check.choice(record, "status", STATUS_LABELS, "status", default="planned"),
        "start_date": check.date(record, "start_date", missing="angiv en dato"),
        "planned_end_date": check.date(record, "planned_end_date"),
        "end_date": check.date(record, "end_date"),
        "hours_per_week": check.number(record, "hours_per_week", 0, MAX_HOURS, missing="skal udfyldes"),
        "paid_hours_per_week": check.number(record, "paid_hours_per_week", 0, MAX_HOURS) or 0.0,
        "hourly_wage": check.number(record, "hourly_wage", 0, MAX_WAGE),
        "trial_weeks": check.integer(record, "trial_weeks", 0, 52) or 0,
        "outcome": check.choice(record, "outcome", OUTCOME_LABELS, "resultat"),
        "cancel_reason": check.text(record, "cancel_reason", max_len=MAX_CANCEL_REASON, multiline=True) or None,
    }
    start, planned_end, end = clean["start_date"], clean["planned_end_date"], clean["end_date"]
    if start and planned_end and planned_end < start:
        check.fail("planned_end_date", "Planlagt slut kan ikke ligge før start.")
    if start and end and end < start:
        check.fail("end_date", "Slutdatoen kan ikke ligge før start.")
    hours, paid = clean["hours_per_week"], clean["paid_hours_per_week"]
    if hours is not None and not check.failed("hours_per_week") and not check.failed("paid_hours_per_week") \
            and paid > hours:
        check.fail("paid_hours_per_week", f"Der kan ikke være flere lønnede timer ({as_typed(paid)}) "
                                          f"end timer i alt ({as_typed(hours)}).")
    if paid and clean["hourly_wage"] is None and not check.failed("hourly_wage"):
        check.fail("hourly_wage", "Angiv timelønnen for de lønnede timer.")
    if clean["status"] == "ended":
        if not end and not check.failed("end_date"):
            check.fail("end_date", "Et afsluttet forløb skal have en slutdato.")
        if not clean["outcome"] and not check.failed("outcome"):
            check.fail("outcome", "Vælg hvad forløbet endte med.")
    elif clean["status"] == "cancelled":
        # A forløb made by mistake: nothing came of it, so it has no outcome to count.
        if clean["outcome"]:
            check.fail("outcome", "Et annulleret forløb har intet resultat.")
        if end:
            check.fail("end_date", "Et annulleret forløb har ingen slutdato.")
    else:
        if clean["outcome"]:
            check.fail("outcome", "Resultatet angives først, når forløbet er afsluttet.")
        if end:
            check.fail("end_date", "Slutdato angives først, når forløbet er afsluttet.")
    if clean["cancel_reason"] and clean["status"] != "cancelled":
        check.fail("cancel_reason", "En årsag til annullering angives kun, når forløbet annulleres.")
    if problems:
        raise Invalid(problems)
    return clean


def _touch_citizen(db: sqlite_utils.Database, citizen_id: str, now: str) -> None:
    db.execute("UPDATE citizens SET updated_at = ? WHERE id = ?", [now, citizen_id])


# --- placements -----------------------------------------------------------------------------------

PLACEMENT_SELECT = """
    SELECT p.*, o.title AS opening_title, o.employer_id AS employer_id, e.name AS employer_name,
           c.first_name AS citizen_first_name, c.consultant_email AS consultant_email
    FROM placements p
    JOIN openings o ON o.id = p.opening_id
    JOIN employers e ON e.id = o.employer_id
    JOIN citizens c ON c.id = p.citizen_id
"""


def create_placement(db: sqlite_utils.Database, *, citizen_id: str, opening_id: str, kind: str,
                     start_date, planned_end_date=None, hours_per_week, paid_hours_per_week=0,
                     hourly_wage=None, trial_weeks=0, status: str = "planned", end_date=None,
                     outcome=None, created_by: int | None = None, confirm_full: bool = True) -> dict:
    """A new forløb. A second open one for the same citizen and opening is refused (`Conflict`).
    One at an opening whose seats are all taken by open forløb is refused too unless
    `confirm_full`: the page and the API pass what the consultant confirmed; imports and
    scripts, which record forløb that exist, need not."""
    clean = _validate_placement(dict(
        kind=kind, status=status, start_date=start_date, planned_end_date=planned_end_date,
        end_date=end_date, hours_per_week=hours_per_week, paid_hours_per_week=paid_hours_per_week,
        hourly_wage=hourly_wage, trial_weeks=trial_weeks, outcome=outcome,
    ))
    if clean["status"] == "cancelled":
        # Cancelling marks a mistake already made; a new forløb is never born cancelled.
        raise Invalid([Problem("", "status", "Et nyt forløb kan ikke oprettes som annulleret; opret det, "
                                             "og annullér det bagefter på forløbets side.", "forløb")])
    with write(db):
        problems = []
        if not db.execute("SELECT 1 FROM citizens WHERE id = ?", [citizen_id]).fetchone():
            problems.append(Problem("", "citizen_id", f"Ukendt borger '{citizen_id}'.", "forløb"))
        opening_problem = _opening_problem(db, opening_id)
        if opening_problem:
            problems.append(Problem("", "opening_id", opening_problem, "forløb"))
        if problems:
            raise Invalid(problems)
        if clean["status"] in OPEN_STATUSES:
            _refuse_double(db, citizen_id, opening_id, "")
            if not confirm_full:
                _refuse_full(db, opening_id)
        now = now_iso()
        placement_id = db.execute(
            "INSERT INTO placements (citizen_id, opening_id, kind, status, start_date, planned_end_date, "
            "end_date, hours_per_week, paid_hours_per_week, hourly_wage, trial_weeks, outcome, created_by, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [citizen_id, opening_id, clean["kind"], clean["status"], clean["start_date"],
             clean["planned_end_date"], clean["end_date"], clean["hours_per_week"],
             clean["paid_hours_per_week"], clean["hourly_wage"], clean["trial_weeks"], clean["outcome"],
             created_by, now, now],
        ).lastrowid
        _track_paid_hours(db, placement_id, clean["start_date"])
        _touch_citizen(db, citizen_id, now)
        statistics.record_placement(db, placement_id)
        audit.log(db, "placement_created", citizen_id, placement_id=placement_id)
    return get_placement(db, placement_id)


def _refuse_double(db: sqlite_utils.Database, citizen_id: str, opening_id, placement_id) -> None:
    """Raise Conflict when the citizen already has an open forløb at the opening (other than
    `placement_id`, the one being changed). Inside the caller's write transaction, so two
    saves at once cannot both pass."""
    other = db.execute(
        f"SELECT id FROM placements WHERE citizen_id = ? AND opening_id = ? AND id != ? "
        f"AND status IN ({', '.join('?' * len(OPEN_STATUSES))}) ORDER BY id LIMIT 1",
        [citizen_id, opening_id, _row_id(placement_id) or 0, *OPEN_STATUSES]).fetchone()
    if other:
        raise Conflict([Problem(str(placement_id or ""), "opening_id",
                                f"Borgeren har allerede et planlagt eller aktivt forløb ved dette småjob "
                                f"(forløb {other[0]}). Ret det forløb i stedet for at oprette et nyt.", "forløb")])


def _refuse_full(db: sqlite_utils.Database, opening_id) -> None:
    """Raise Conflict when open forløb already take every seat of the opening."""
    seats, taken = db.execute(
        f"SELECT o.seats, (SELECT COUNT(*) FROM placements p WHERE p.opening_id = o.id "
        f"AND p.status IN ({', '.join('?' * len(OPEN_STATUSES))})) FROM openings o WHERE o.id = ?",
        [*OPEN_STATUSES, opening_id]).fetchone()
    if taken >= seats:
        raise Conflict([Problem("", "confirm_full",
                                f"Ingen ledige pladser: {taken} af {seats} {'plads' if seats == 1 else 'pladser'} "
                                "ved småjobbet er optaget af planlagte eller aktive forløb. "
                                "Bekræft med «Opret alligevel», hvis forløbet skal oprettes.", "forløb")])


def _track_paid_hours(db: sqlite_utils.Database, placement_id: int, day: str) -> None:
    """Remember the first day paid hours were agreed (`day`, never before the start), for the
    outcome statistics' "paid hours reached after N days"."""
    db.execute("UPDATE placements SET paid_hours_since = MAX(?, start_date) "
               "WHERE id = ? AND paid_hours_per_week > 0 AND paid_hours_since IS NULL", [day, placement_id])


def _opening_problem(db: sqlite_utils.Database, opening_id) -> str | None:
    """Why a new placement cannot go to this opening, or None: it must exist, be open, and belong
    to an approved employer (a self-registration still waiting could be a fake company)."""
    row = db.execute("SELECT o.active, e.status FROM openings o JOIN employers e ON e.id = o.employer_id "
                     "WHERE o.id = ?", [opening_id]).fetchone()
    if row is None:
        return f"Ukendt småjob '{opening_id}'."
    active, employer_status = row
    if employer_status == "rejected":
        return "Virksomheden er afvist og kan ikke få forløb."
    if employer_status != "approved":
        return "Virksomheden er ikke godkendt endnu: godkend den under Nye virksomheder først."
    if not active:
        return "Småjobbet er lukket og kan ikke få nye forløb."
    return None


def _row_id(value) -> int | None:
    """`value` as a row id, or None when it cannot be one (not a whole number, or out of range)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ROW_ID else None


def get_placement(db: sqlite_utils.Database, placement_id) -> dict | None:
    placement_id = _row_id(placement_id)
    if placement_id is None:
        return None
    rows = list(db.query(PLACEMENT_SELECT + " WHERE p.id = ?", [placement_id]))
    return rows[0] if rows else None


def _refuse_unknown_fields(changes: dict, allowed, record_id, kind: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid([Problem(str(record_id), name, "Feltet kan ikke ændres.", kind) for name in sorted(unknown)])


def update_placement(db: sqlite_utils.Database, placement_id, **changes) -> dict:
    """Change some fields; the whole placement is checked again as it would be after the change."""
    _refuse_unknown_fields(changes, PLACEMENT_FIELDS, placement_id, "forløb")
    with write(db):
        current = get_placement(db, placement_id)
        if current is None:
            raise Invalid.one(placement_id, "id", f"Ukendt forløb {placement_id}.", "forløb")
        merged = {**{k: current[k] for k in PLACEMENT_FIELDS}, **_status_follow_ups(current, changes)}
        clean = _validate_placement(merged, placement_id)
        opening_id = merged["opening_id"]
        # A placement that already runs keeps its opening even if the opening closes later.
        if opening_id != current["opening_id"] and (problem := _opening_problem(db, opening_id)):
            raise Invalid.one(placement_id, "opening_id", problem, "forløb")
        reopened = current["status"] not in OPEN_STATUSES or opening_id != current["opening_id"]
        if clean["status"] in OPEN_STATUSES and reopened:
            _refuse_double(db, current["citizen_id"], opening_id, current["id"])
        now = now_iso()
        names = list(clean)
        db.execute(
            f"UPDATE placements SET opening_id = ?, {', '.join(f'{n} = ?' for n in names)}, updated_at = ? "
            "WHERE id = ?",
            [opening_id, *(clean[n] for n in names), now, current["id"]],
        )
        _track_paid_hours(db, current["id"], clock.today().isoformat())
        _touch_citizen(db, current["citizen_id"], now)
        statistics.record_placement(db, current["id"])
        audit.log(db, "placement_cancelled" if clean["status"] == "cancelled" != current["status"]
                  else "placement_changed", current["citizen_id"], placement_id=current["id"])
    return get_placement(db, current["id"])


def _status_follow_ups(current: dict, changes: dict) -> dict:
    """`changes` with what a status change implies unless said otherwise: cancelling drops the
    outcome and end date (a mistake has neither), leaving "cancelled" drops its reason."""
    status = changes.get("status", current["status"])
    if status == "cancelled" and current["status"] != "cancelled":
        return {"outcome": None, "end_date": None, **changes}
    if status != "cancelled" and current["status"] == "cancelled":
        return {"cancel_reason": None, **changes}
    return changes


def cancel_placement(db: sqlite_utils.Database, placement_id, reason: str | None = None) -> dict:
    """Cancel a forløb made by mistake: no outcome, no statistics row, its reminders close."""
    return update_placement(db, placement_id, status="cancelled", cancel_reason=reason or None)


def end_placement(db: sqlite_utils.Database, placement_id, end_date, outcome) -> dict:
    return update_placement(db, placement_id, status="ended", end_date=end_date, outcome=outcome)


def start_due_placements(db: sqlite_utils.Database, today) -> list[int]:
    """Planned placements whose start date has come become active, so follow-ups, paid-hours
    reminders and check-ins cover them even if nobody changed the status by hand. Returns ids."""
    due = "SELECT id FROM placements WHERE status = 'planned' AND start_date <= ? ORDER BY id"
    # Read first: most passes start nothing, and then they must not take the write lock the web
    # app needs (as in the rules' own _sync).
    if not db.execute(due, [today.isoformat()]).fetchone():
        return []
    with write(db):
        started = [row[0] for row in db.execute(due, [today.isoformat()]).fetchall()]
        # updated_at is left alone: the stalled-course rule counts people's changes, and a date
        # arriving is not one.
        if started:  # another process may have started them between the two reads
            db.execute(f"UPDATE placements SET status = 'active' WHERE id IN ({', '.join('?' * len(started))})",
                       started)
            audit.log_placements(db, "placement_changed", started)
    return started


def open_at_openings(db: sqlite_utils.Database, citizen_id: str, opening_ids) -> dict[str, dict]:
    """{opening id: {"taken": open forløb there, "mine": the citizen's open forløb there or None}}
    for those of `opening_ids` that have an open forløb, in one query (the match list marks "I
    forløb her" and "Ingen ledige pladser" from it and each opening's `seats`)."""
    ids = list(dict.fromkeys(opening_ids))[:500]
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT opening_id, COUNT(*), MIN(CASE WHEN citizen_id = ? THEN id END) FROM placements "
        f"WHERE status IN ({', '.join('?' * len(OPEN_STATUSES))}) AND opening_id IN ({', '.join('?' * len(ids))}) "
        "GROUP BY opening_id", [citizen_id, *OPEN_STATUSES, *ids]).fetchall()
    return {opening_id: {"taken": taken, "mine": mine} for opening_id, taken, mine in rows}


def placements_of_citizen(db: sqlite_utils.Database, citizen_id: str) -> list[dict]:
    return list(db.query(PLACEMENT_SELECT + " WHERE p.citizen_id = ? ORDER BY p.start_date DESC, p.id DESC",
                         [citizen_id]))


def placements_of_employer(db: sqlite_utils.Database, employer_id: str) -> list[dict]:
    """The employer's placement history, newest first; rows carry `consultant_email` so a page
    can decide whose citizen's first name it may show."""
    return list(db.query(PLACEMENT_SELECT + " WHERE o.employer_id = ? ORDER BY p.start_date DESC, p.id DESC",
                         [employer_id]))


def active_placements(db: sqlite_utils.Database, include_planned: bool = False) -> list[dict]:
    statuses = ("active", "planned") if include_planned else ("active",)
    return list(db.query(
        PLACEMENT_SELECT + f" WHERE p.status IN ({', '.join('?' * len(statuses))}) ORDER BY p.start_date, p.id",
        list(statuses)))


# --- report due dates -----------------------------------------------------------------------------

def add_report_due(db: sqlite_utils.Database, placement_id, kind: str, due_date) -> dict:
    problems: list[Problem] = []
    check = Checker("", problems, "rapport", typed=True, sentences=True)
    kind = check.choice({"kind": kind}, "kind", REPORT_KIND_LABELS, "rapporttype", missing="vælg rapporttype")
    due = check.date({"due_date": due_date}, "due_date", missing="angiv en dato")
    if problems:
        raise Invalid(problems)
    with write(db):
        placement = get_placement(db, placement_id)
        if placement is None:
            raise Invalid.one("", "placement_id", f"Ukendt forløb {placement_id}.", "rapport")
        report_id = db.execute(
            "INSERT INTO placement_reports (placement_id, kind, due_date) VALUES (?, ?, ?)",
            [placement["id"], kind, due],
        ).lastrowid
        _touch_citizen(db, placement["citizen_id"], now_iso())
        audit.log(db, "report_changed", placement["citizen_id"], placement_id=placement["id"])
    return get_report(db, report_id)


def get_report(db: sqlite_utils.Database, report_id) -> dict | None:
    report_id = _row_id(report_id)
    if report_id is None:
        return None
    rows = list(db.query("SELECT * FROM placement_reports WHERE id = ?", [report_id]))
    return rows[0] if rows else None


def reports_of(db: sqlite_utils.Database, placement_id) -> list[dict]:
    return list(db.query("SELECT * FROM placement_reports WHERE placement_id = ? ORDER BY due_date, id",
                         [placement_id]))


def reports_by_placement(db: sqlite_utils.Database, placement_ids) -> dict[int, list[dict]]:
    """{placement id: its reports as `reports_of` lists them} for many placements in one query
    per 500 ids; a placement without reports maps to an empty list."""
    ids = list(dict.fromkeys(placement_ids))
    found: dict[int, list[dict]] = {placement_id: [] for placement_id in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(f"SELECT * FROM placement_reports WHERE placement_id IN ({', '.join('?' * len(chunk))}) "
                            "ORDER BY due_date, id", chunk):
            found[row["placement_id"]].append(row)
    return found


def submit_report(db: sqlite_utils.Database, report_id, submitted_at: str | None = None) -> dict:
    """Mark a report as handed in (now, unless told when)."""
    with write(db):
        report = get_report(db, report_id)
        if report is None:
            raise Invalid.one(report_id, "id", f"Ukendt rapport {report_id}.", "rapport")
        now = now_iso()
        db.execute("UPDATE placement_reports SET submitted_at = ? WHERE id = ?", [submitted_at or now, report_id])
        citizen_id = db.execute("SELECT citizen_id FROM placements WHERE id = ?",
                                [report["placement_id"]]).fetchone()[0]
        _touch_citizen(db, citizen_id, now)
        audit.log(db, "report_changed", citizen_id, placement_id=report["placement_id"])
    return get_report(db, report_id)


# --- meetings -------------------------------------------------------------------------------------

MEETING_FIELDS = ("placement_id", "kind", "held_on", "participants", "note", "paid_hours_proposed",
                  "paid_hours_answer")
CHECKIN_MEETING_LOCKED = ("Mødet er virksomhedens eget svar via tjek-ind-linket, og noten er virksomhedens "
                          "ord: det kan ikke rettes. Du kan slette det eller logge et nyt møde.")


def _validate_meeting(record: dict, record_id="") -> dict:
    """Check a whole meeting (new, or after merging changes) and return it normalised.

    The placement is only checked for presence here; that it belongs to the citizen needs the
    database (`_meeting_placement`)."""
    problems: list[Problem] = []
    check = Checker(record_id, problems, "møde", typed=True, sentences=True)
    kind = check.choice(record, "kind", MEETING_KIND_LABELS, "mødetype", missing="vælg mødetype")
    held = check.date(record, "held_on", missing="angiv en dato")
    participants = check.text(record, "participants", max_len=MAX_PARTICIPANTS) or ""
    note = check.text(record, "note", max_len=MAX_NOTE, multiline=True) or ""
    answer = check.text(record, "paid_hours_answer", max_len=MAX_NOTE, multiline=True) or None
    proposed = record.get("paid_hours_proposed")
    placement_id = record.get("placement_id")
    if proposed is not None and not isinstance(proposed, bool):
        check.fail("paid_hours_proposed", "Skal være ja eller nej.")
    elif kind and kind not in EMPLOYER_MEETINGS and (proposed is not None or answer):
        check.fail("paid_hours_proposed", "Lønnede timer noteres kun ved møder med virksomheden.")
    elif answer and proposed is not True:
        check.fail("paid_hours_answer", "Virksomhedens svar noteres kun, når lønnede timer blev foreslået.")
    if kind in EMPLOYER_MEETINGS and placement_id in (None, ""):
        check.fail("placement_id", "Et møde med virksomheden hører til et forløb: vælg forløbet.")
    if problems:
        raise Invalid(problems)
    return {"placement_id": None if placement_id in (None, "") else placement_id, "kind": kind, "held_on": held,
            "participants": participants, "note": note, "paid_hours_proposed": proposed,
            "paid_hours_answer": answer}


def _meeting_placement(db: sqlite_utils.Database, citizen_id: str, placement_id, meeting_id="") -> int | None:
    """The placement's id if it is one of the citizen's (inside the caller's transaction)."""
    if placement_id is None:
        return None
    placement = get_placement(db, placement_id)
    if placement is None or placement["citizen_id"] != citizen_id:
        raise Invalid.one(meeting_id, "placement_id", "Forløbet findes ikke for denne borger.", "møde")
    return placement["id"]


def _stored_flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def log_meeting(db: sqlite_utils.Database, *, citizen_id: str, placement_id=None, kind: str, held_on,
                participants: str = "", note: str = "", paid_hours_proposed: bool | None = None,
                paid_hours_answer: str | None = None, created_by: int | None = None) -> dict:
    clean = _validate_meeting(dict(placement_id=placement_id, kind=kind, held_on=held_on,
                                   participants=participants, note=note, paid_hours_proposed=paid_hours_proposed,
                                   paid_hours_answer=paid_hours_answer))
    with write(db):
        if not db.execute("SELECT 1 FROM citizens WHERE id = ?", [citizen_id]).fetchone():
            raise Invalid.one("", "citizen_id", f"Ukendt borger '{citizen_id}'.", "møde")
        placement_id = _meeting_placement(db, citizen_id, clean["placement_id"])
        now = now_iso()
        meeting_id = db.execute(
            "INSERT INTO meetings (citizen_id, placement_id, kind, held_on, participants, note, "
            "paid_hours_proposed, paid_hours_answer, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [citizen_id, placement_id, clean["kind"], clean["held_on"], clean["participants"], clean["note"],
             _stored_flag(clean["paid_hours_proposed"]), clean["paid_hours_answer"], created_by, now],
        ).lastrowid
        _touch_citizen(db, citizen_id, now)
        audit.log(db, "meeting_created", citizen_id, placement_id=placement_id, meeting_id=meeting_id)
    return get_meeting(db, meeting_id)


def update_meeting(db: sqlite_utils.Database, meeting_id, **changes) -> dict:
    """Change some fields of a meeting; the whole meeting is checked again as `log_meeting` would
    check it after the change. Who logged it (`created_by`) and when stay as they were. The
    meetings table has no `updated_at`; the citizen's is bumped, as for every write."""
    _refuse_unknown_fields(changes, MEETING_FIELDS, meeting_id, "møde")
    with write(db):
        current = get_meeting(db, meeting_id)
        if current is None:
            raise Invalid.one(meeting_id, "id", f"Ukendt møde {meeting_id}.", "møde")
        if current["from_checkin_form"]:
            # An employer's own answer to a check-in e-mail: it may be deleted, never edited.
            raise Invalid.one(meeting_id, "id", CHECKIN_MEETING_LOCKED, "møde")
        clean = _validate_meeting({**{name: current[name] for name in MEETING_FIELDS}, **changes}, meeting_id)
        clean["placement_id"] = _meeting_placement(db, current["citizen_id"], clean["placement_id"], meeting_id)
        clean["paid_hours_proposed"] = _stored_flag(clean["paid_hours_proposed"])
        db.execute(
            f"UPDATE meetings SET {', '.join(f'{name} = ?' for name in MEETING_FIELDS)} WHERE id = ?",
            [*(clean[name] for name in MEETING_FIELDS), current["id"]],
        )
        _touch_citizen(db, current["citizen_id"], now_iso())
        audit.log(db, "meeting_changed", current["citizen_id"], placement_id=clean["placement_id"],
                  meeting_id=current["id"])
    return get_meeting(db, current["id"])


def delete_meeting(db: sqlite_utils.Database, meeting_id) -> dict | None:
    """Remove a meeting (an employer's check-in answer too: the check-in keeps its answer and
    only loses the link). Returns the meeting as it was, or None if there was none."""
    with write(db):
        meeting = get_meeting(db, meeting_id)
        if meeting is None:
            return None
        db.execute("DELETE FROM meetings WHERE id = ?", [meeting["id"]])
        _touch_citizen(db, meeting["citizen_id"], now_iso())
        audit.log(db, "meeting_deleted", meeting["citizen_id"], placement_id=meeting["placement_id"],
                  meeting_id=meeting["id"])
    return meeting


# `from_checkin_form`: the employer's own answer to a check-in e-mail (web/checkin.py), which
# the consultant may delete but not edit.
# True for a meeting that is an employer's own answer to a check-in e-mail (the rules and the
# edit pages treat those differently from a consultant's notes).
FROM_CHECKIN_FORM = "EXISTS (SELECT 1 FROM employer_checkins k WHERE k.meeting_id = m.id)"
_MEETING_SELECT = f"""
    SELECT m.*, {FROM_CHECKIN_FORM} AS from_checkin_form
    FROM meetings m
"""


def _meeting(row: dict) -> dict:
    if row["paid_hours_proposed"] is not None:
        row["paid_hours_proposed"] = bool(row["paid_hours_proposed"])
    row["from_checkin_form"] = bool(row["from_checkin_form"])
    return row


def get_meeting(db: sqlite_utils.Database, meeting_id) -> dict | None:
    meeting_id = _row_id(meeting_id)
    if meeting_id is None:
        return None
    rows = list(db.query(_MEETING_SELECT + " WHERE m.id = ?", [meeting_id]))
    return _meeting(rows[0]) if rows else None


def meetings_by_ids(db: sqlite_utils.Database, meeting_ids: list[int]) -> list[dict]:
    """The meetings with these ids, in the order given, in one query; ids gone are skipped."""
    if not meeting_ids:
        return []
    rows = {r["id"]: _meeting(r) for r in db.query(
        _MEETING_SELECT + f" WHERE m.id IN ({', '.join('?' * len(meeting_ids))})", list(meeting_ids))}
    return [rows[i] for i in meeting_ids if i in rows]


def meetings_of_citizen(db: sqlite_utils.Database, citizen_id: str) -> list[dict]:
    return [_meeting(r) for r in db.query(
        _MEETING_SELECT + " WHERE m.citizen_id = ? ORDER BY m.held_on DESC, m.id DESC", [citizen_id])]


def meetings_of_placement(db: sqlite_utils.Database, placement_id) -> list[dict]:
    return [_meeting(r) for r in db.query(
        _MEETING_SELECT + " WHERE m.placement_id = ? ORDER BY m.held_on DESC, m.id DESC", [placement_id])]


# --- the overview of every forløb ----------------------------------------------------------------

OVERVIEW_SORT_LABELS = {"start": "Start (nyeste først)", "planned_end": "Planlagt slut (snarest først)",
                        "no_meeting": "Dage uden møde (flest først)"}


def overview_filters(values: dict) -> tuple[dict, str]:
    """The overview's filters and sort from `values` (status, kind, employer_id, period_from,
    period_to, sort; "" or None = any), checked: Invalid with a Danish reason per field."""
    problems: list[Problem] = []
    check = Checker("", problems, "filter", sentences=True)
    filters = {
        "status": check.choice(values, "status", STATUS_LABELS, "status") if values.get("status") else None,
        "kind": check.choice(values, "kind", KIND_LABELS, "forløbstype") if values.get("kind") else None,
        "employer_id": (values.get("employer_id") or "").strip() or None,
        "period_from": check.date(values, "period_from"),
        "period_to": check.date(values, "period_to"),
    }
    sort = check.choice(values, "sort", OVERVIEW_SORT_LABELS, "sortering") if values.get("sort") else "start"
    if filters["period_from"] and filters["period_to"] and filters["period_to"] < filters["period_from"]:
        check.fail("period_to", "Periodens slut ligger før dens start.")
    if problems:
        raise Invalid(problems)
    return filters, sort


def days_without_meeting(row: dict, today) -> int:
    """Days since the forløb's latest meeting (or its start, before the first), never negative."""
    from datetime import date
    return max(0, (today - date.fromisoformat(row["last_contact"])).days)
