"""What happened after a forløb (issue 12): the first paid hour's date, and where the citizen
stood at fixed points after the end ("afgangsstatus", by default 2 months after; the points
come from config.followup_months). All the SQL for recording them.

Each change also updates the placement's anonymous statistics row (data.statistics) in the
same transaction, and is logged in the audit trail. Bad input raises `core.errors.Invalid` with a Danish reason per field, before anything is
written.
"""
from __future__ import annotations

from datetime import date

import sqlite_utils

from core.checks import Checker
from core.clock import add_months, now_iso
from core.errors import Invalid, Problem
from data import audit, statistics
from data.db import write
from data.placements import OUTCOME_LABELS, get_placement

# The outcome categories at the end, plus the two that only make sense afterwards.
FOLLOWUP_STATUS_LABELS = {
    **OUTCOME_LABELS,
    "beskaeftigelse_og_offentlig_forsoergelse": "Beskæftigelse og offentlig forsørgelse",
    "ukendt": "Ukendt (ikke kontaktet)",
}


def _existing_placement(db: sqlite_utils.Database, placement_id) -> dict:
    placement = get_placement(db, placement_id)
    if placement is None:
        raise Invalid.one(placement_id, "id", f"Ukendt forløb {placement_id}.", "forløb")
    return placement


def set_paid_hours_since(db: sqlite_utils.Database, placement_id, day) -> dict:
    """Correct the date of the first paid hour (empty clears it while no paid hours are agreed)."""
    with write(db):
        placement = _existing_placement(db, placement_id)
        problems: list[Problem] = []
        check = Checker(placement["id"], problems, "forløb", typed=True, sentences=True)
        clean = check.date({"paid_hours_since": day}, "paid_hours_since")
        if not problems and clean is None and (placement["paid_hours_per_week"] or 0) > 0:
            check.fail("paid_hours_since", "Forløbet har lønnede timer: angiv datoen for den første lønnede time.")
        if not problems and clean is not None:
            if clean < placement["start_date"]:
                check.fail("paid_hours_since", "Den første lønnede time kan ikke ligge før forløbets start.")
            elif placement["end_date"] and clean > placement["end_date"]:
                check.fail("paid_hours_since", "Den første lønnede time kan ikke ligge efter forløbets slutdato.")
        if problems:
            raise Invalid(problems)
        db.execute("UPDATE placements SET paid_hours_since = ?, updated_at = ? WHERE id = ?",
                   [clean, now_iso(), placement["id"]])
        statistics.record_placement(db, placement["id"])
        audit.log(db, "placement_changed", placement["citizen_id"], placement_id=placement["id"])
    return get_placement(db, placement["id"])


def record_followup(db: sqlite_utils.Database, placement_id, months, status, points: tuple[int, ...],
                    recorded_by: int | None = None) -> dict:
    """Record (or correct) where the citizen stood `months` after the placement ended. `points`
    are the configured follow-up points (config.followup_months)."""
    problems: list[Problem] = []
    check = Checker(placement_id, problems, "forløb", sentences=True)
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = None
    if months not in points:
        check.fail("months", f"Status registreres {', '.join(map(str, points))} måneder efter forløbet.")
    if status not in FOLLOWUP_STATUS_LABELS:
        check.fail("status", "Vælg hvor borgeren stod.")
    with write(db):
        placement = _existing_placement(db, placement_id)
        if placement["status"] != "ended" and not check.failed("status"):
            check.fail("status", "Status efter forløbet registreres først, når forløbet er afsluttet.")
        if problems:
            raise Invalid(problems)
        db.execute(
            "INSERT INTO placement_followups (placement_id, months, status, recorded_at, recorded_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (placement_id, months) DO UPDATE SET status = excluded.status, "
            "recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
            [placement["id"], months, status, now_iso(), recorded_by])
        db.execute("UPDATE citizens SET updated_at = ? WHERE id = ?", [now_iso(), placement["citizen_id"]])
        statistics.record_placement(db, placement["id"])
        audit.log(db, "followup_recorded", placement["citizen_id"], placement_id=placement["id"])
    return followups_of(db, placement["id"])


def followups_of(db: sqlite_utils.Database, placement_id) -> dict[int, dict]:
    """The placement's recorded statuses by months after the end."""
    return {row["months"]: row for row in db.query(
        "SELECT months, status, recorded_at FROM placement_followups WHERE placement_id = ? ORDER BY months",
        [placement_id])}


def recorded_followups(db: sqlite_utils.Database) -> set[tuple[int, int]]:
    """Every (placement id, months) with a recorded status: what the reminder rule needs."""
    return {(row[0], row[1]) for row in db.execute("SELECT placement_id, months FROM placement_followups")}


def followup_due_on(end_date: str, months: int) -> date:
    """The day a status falls due: `months` after the end (the month's last day when shorter)."""
    return add_months(date.fromisoformat(end_date), months)
