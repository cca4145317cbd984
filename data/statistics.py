"""Anonymous outcome statistics: one row per ended placement (forløb) in `placement_statistics`.

What an outcome report needs (kind, target group, age band, start and end month, whether and
how soon paid hours were reached, outcome) and nothing that leads back to the person: no citizen
id, no names, no exact dates. The row is written in the same transaction as the change that
ends (or corrects) the placement; `placement_id` links it to its placement only while that
exists, so erasing the citizen (which deletes the placement) leaves the row, anonymous
(ON DELETE SET NULL).
"""
from __future__ import annotations

import sqlite_utils

from data.db import write

# Age bands: wide enough that a band and a target group do not point at one person.
AGE_BAND_SQL = """CASE WHEN c.age IS NULL THEN NULL WHEN c.age < 18 THEN 'under 18'
    WHEN c.age < 25 THEN '18-24' WHEN c.age < 30 THEN '25-29' WHEN c.age < 40 THEN '30-39'
    WHEN c.age < 50 THEN '40-49' WHEN c.age < 60 THEN '50-59' ELSE '60+' END"""

_UPSERT = f"""
    INSERT INTO placement_statistics (placement_id, kind, target_group, age_band, start_month,
        end_month, paid_hours_reached, days_to_paid_hours, outcome, consultant_id)
    SELECT p.id, p.kind, c.target_group, {AGE_BAND_SQL},
           substr(p.start_date, 1, 7), substr(p.end_date, 1, 7),
           p.paid_hours_since IS NOT NULL,
           CASE WHEN p.paid_hours_since IS NULL THEN NULL
                ELSE MAX(0, CAST(julianday(p.paid_hours_since) - julianday(p.start_date) AS INTEGER)) END,
           p.outcome, (SELECT k.id FROM consultants k WHERE k.email = c.consultant_email)
    FROM placements p JOIN citizens c ON c.id = p.citizen_id
    WHERE p.id = ? AND p.status = 'ended'
    ON CONFLICT (placement_id) DO UPDATE SET kind = excluded.kind, target_group = excluded.target_group,
        age_band = excluded.age_band, start_month = excluded.start_month, end_month = excluded.end_month,
        paid_hours_reached = excluded.paid_hours_reached, days_to_paid_hours = excluded.days_to_paid_hours,
        outcome = excluded.outcome, consultant_id = excluded.consultant_id
"""
# The anonymous copy of the placement's follow-up statuses (data.outcomes), replaced whole.
_COPY_STATUSES = """
    INSERT INTO placement_statistics_statuses (statistics_id, months, status)
    SELECT s.id, f.months, f.status FROM placement_statistics s
    JOIN placement_followups f ON f.placement_id = s.placement_id
    WHERE s.placement_id = ?
"""

COLUMNS = ("kind", "target_group", "age_band", "start_month", "end_month", "paid_hours_reached",
           "days_to_paid_hours", "outcome")


def record_placement(db: sqlite_utils.Database, placement_id: int) -> None:
    """Bring the placement's statistics row in line with it: written (or corrected) when it has
    ended, removed when it was reopened. Call inside the transaction that changed it."""
    with write(db):
        ended = db.execute("SELECT status = 'ended' FROM placements WHERE id = ?", [placement_id]).fetchone()
        if ended and ended[0]:
            db.execute(_UPSERT, [placement_id])
            db.execute("DELETE FROM placement_statistics_statuses WHERE statistics_id = "
                       "(SELECT id FROM placement_statistics WHERE placement_id = ?)", [placement_id])
            db.execute(_COPY_STATUSES, [placement_id])
        else:
            db.execute("DELETE FROM placement_statistics WHERE placement_id = ?", [placement_id])


def all_rows(db: sqlite_utils.Database) -> list[dict]:
    """Every statistics row (without the internal link), oldest start first."""
    return list(db.query(f"SELECT {', '.join(COLUMNS)} FROM placement_statistics "
                         "ORDER BY start_month, end_month, id"))


def all_statuses(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    """Every anonymous later status as (months, status), sorted: what erasure must not change."""
    return [tuple(r) for r in db.execute(
        "SELECT months, status FROM placement_statistics_statuses ORDER BY months, status")]
