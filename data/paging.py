"""Keyset ("cursor") pages for the listing functions.

A page is asked for with `limit` and `after`, the sort key of the last row already seen. The
query continues strictly after that key in the list's own order, so rows inserted or deleted
elsewhere in the list never shift a page (no row is shown twice or skipped, as with OFFSET).
Each listing fetches one row more than asked: that tells whether another page follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass
class Page:
    items: list[dict]
    # The sort key of the last item when more rows follow; None on the last page.
    next_after: tuple | None


def after_clause(columns: Sequence[str], after: Sequence | None, descending: bool = False) -> tuple[str, list]:
    """SQL (with a leading AND) and parameters for rows after `after` in the order of `columns`.

    `columns` are the ORDER BY expressions in order, collations included (e.g.
    "c.first_name COLLATE NOCASE"), all ascending or all descending: a row value comparison
    then compares exactly as ORDER BY sorts."""
    if after is None:
        return "", []
    if len(after) != len(columns):
        raise ValueError(f"sort key has {len(after)} parts, expected {len(columns)}")
    placeholders = ", ".join("?" * len(columns))
    return f" AND ({', '.join(columns)}) {'<' if descending else '>'} ({placeholders})", list(after)


def page_of(rows: list[dict], limit: int, key: Callable[[dict], tuple]) -> Page:
    """The first `limit` of `rows` (fetched with limit + 1), and where the next page starts."""
    items = rows[:limit]
    return Page(items, tuple(key(items[-1])) if len(rows) > limit and items else None)


# --- the lists of /api/v1 ----------------------------------------------------------------------
# Each takes `limit` and `after` (the `next_after` of the previous page) and returns a Page in
# the same order as the unpaged listing it stands beside.

def _rows(db, sql: str, params: list, limit: int) -> list[dict]:
    return list(db.query(sql + " LIMIT ?", [*params, limit + 1]))


CITIZEN_ORDER = ("c.first_name COLLATE NOCASE", "c.id")


def citizens(db, consultant_email: str | None, *, limit: int, after: Sequence | None = None) -> Page:
    """Like registry.list_citizens: a consultant's citizens (None: everyone's), by first name."""
    from data.registry import CITIZEN_LIST_SELECT, citizen_record
    sql = CITIZEN_LIST_SELECT + " WHERE 1 = 1"
    params: list = []
    if consultant_email is not None:
        sql += " AND c.consultant_email = ?"
        params.append(consultant_email.strip().lower())
    clause, more = after_clause(CITIZEN_ORDER, after)
    rows = _rows(db, sql + clause + f" ORDER BY {', '.join(CITIZEN_ORDER)}", params + more, limit)
    return page_of([citizen_record(r) for r in rows], limit, lambda c: (c["first_name"], c["id"]))


EMPLOYER_ORDER = ("name COLLATE NOCASE", "id")
# The search looks at opening titles too, so employers are read in batches and filtered here.
EMPLOYER_BATCH = 200


def employers(db, search: str = "", status: str | None = None, *, limit: int,
              after: Sequence | None = None) -> Page:
    """Like registry.list_employers: employers (of one status; None: all) with their openings,
    by name, matching every word of `search` in name, industry or an opening's title."""
    from data.registry import employer_matches_search, employer_record, openings_by_employer
    found: list[dict] = []
    key = tuple(after) if after is not None else None
    while len(found) <= limit:
        sql, params = "SELECT * FROM employers WHERE 1 = 1", []
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        clause, more = after_clause(EMPLOYER_ORDER, key)
        batch = [employer_record(r) for r in db.query(
            sql + clause + f" ORDER BY {', '.join(EMPLOYER_ORDER)} LIMIT ?", params + more + [EMPLOYER_BATCH])]
        openings = openings_by_employer(db, [e["id"] for e in batch])
        for employer in batch:
            employer["openings"] = openings.get(employer["id"], [])
            if employer_matches_search(employer, search):
                found.append(employer)
                if len(found) > limit:
                    break
        if len(batch) < EMPLOYER_BATCH:
            break
        key = (batch[-1]["name"], batch[-1]["id"])
    return page_of(found, limit, lambda e: (e["name"], e["id"]))


OPENING_ORDER = ("employer_id", "position", "id")


def openings(db, employer_id: str | None = None, active: bool | None = None, *, limit: int,
             after: Sequence | None = None) -> Page:
    """Openings of every employer (or of one), grouped by employer id and in each employer's
    own order, as in the export."""
    from data.registry import from_row
    sql, params = "SELECT * FROM openings WHERE 1 = 1", []
    if employer_id is not None:
        sql += " AND employer_id = ?"
        params.append(employer_id)
    if active is not None:
        sql += " AND active = ?"
        params.append(int(active))
    clause, more = after_clause(OPENING_ORDER, after)
    rows = _rows(db, sql + clause + f" ORDER BY {', '.join(OPENING_ORDER)}", params + more, limit)
    return page_of([from_row(r) for r in rows], limit, lambda o: (o["employer_id"], o["position"], o["id"]))


PLACEMENT_ORDER = ("p.start_date", "p.id")  # newest first


def placements_of_citizen(db, citizen_id: str, *, limit: int, after: Sequence | None = None) -> Page:
    from data.placements import PLACEMENT_SELECT
    clause, more = after_clause(PLACEMENT_ORDER, after, descending=True)
    rows = _rows(db, PLACEMENT_SELECT + " WHERE p.citizen_id = ?" + clause + " ORDER BY p.start_date DESC, p.id DESC",
                 [citizen_id, *more], limit)
    return page_of(rows, limit, lambda p: (p["start_date"], p["id"]))


def placements_of_employer(db, employer_id: str, consultant_email: str | None, *, limit: int,
                           after: Sequence | None = None) -> Page:
    """The employer's placements, newest first; with `consultant_email` only those of that
    consultant's citizens (None: all, for admins)."""
    from data.placements import PLACEMENT_SELECT
    sql, params = PLACEMENT_SELECT + " WHERE o.employer_id = ?", [employer_id]
    if consultant_email is not None:
        sql += " AND lower(c.consultant_email) = ?"
        params.append(consultant_email.strip().lower())
    clause, more = after_clause(PLACEMENT_ORDER, after, descending=True)
    rows = _rows(db, sql + clause + " ORDER BY p.start_date DESC, p.id DESC", params + more, limit)
    return page_of(rows, limit, lambda p: (p["start_date"], p["id"]))


MEETING_ORDER = ("held_on", "id")  # newest first


def meetings(db, *, citizen_id: str | None = None, placement_id: int | None = None, limit: int,
             after: Sequence | None = None) -> Page:
    """A citizen's or a placement's meetings, newest first. Only the keys are read here; the
    page's meetings are read whole by data.placements.meetings_by_ids, which shapes a meeting."""
    from data.placements import meetings_by_ids
    if (citizen_id is None) == (placement_id is None):
        raise ValueError("give citizen_id or placement_id")
    column, value = ("citizen_id", citizen_id) if citizen_id is not None else ("placement_id", placement_id)
    clause, more = after_clause(MEETING_ORDER, after, descending=True)
    keys = _rows(db, f"SELECT held_on, id FROM meetings WHERE {column} = ?" + clause +
                 " ORDER BY held_on DESC, id DESC", [value, *more], limit)
    page = page_of(keys, limit, lambda m: (m["held_on"], m["id"]))
    # A meeting deleted between the two reads is simply not shown.
    page.items = meetings_by_ids(db, [k["id"] for k in page.items])
    return page


REPORT_ORDER = ("due_date", "id")  # soonest due first


def reports(db, placement_id: int, *, limit: int, after: Sequence | None = None) -> Page:
    clause, more = after_clause(REPORT_ORDER, after)
    rows = _rows(db, "SELECT * FROM placement_reports WHERE placement_id = ?" + clause +
                 " ORDER BY due_date, id", [placement_id, *more], limit)
    return page_of(rows, limit, lambda r: (r["due_date"], r["id"]))


# --- the overview of every forløb (/forloeb, GET /api/v1/placements) ----------------------------

# Sort name -> (sort key columns of the overview query, descending?). Every key ends in the id,
# so paging is exact; a missing planned end sorts last.
OVERVIEW_SORTS = {
    "start": (("x.start_date", "x.id"), True),                   # newest start first
    "planned_end": (("x.planned_end_key", "x.id"), False),       # soonest planned end first
    "no_meeting": (("x.last_contact", "x.id"), False),           # longest without a meeting first
}
_OVERVIEW_KEYS = {"start": "start_date", "planned_end": "planned_end_key", "no_meeting": "last_contact"}


def placement_overview(db, filters: dict, *, sort: str = "start", limit: int,
                       after: Sequence | None = None) -> Page:
    """Forløb across citizens, filtered by `filters` (data.placements.overview_filters: status,
    kind, employer_id, period from/to, consultant_email; None or absent = any) and sorted by
    `sort`. Each row is a PLACEMENT_SELECT row plus `last_contact`: the latest meeting of the
    forløb, or its start when it has none (days without a meeting count from there)."""
    from data.placements import PLACEMENT_SELECT
    inner = PLACEMENT_SELECT.replace(
        "SELECT p.*,", "SELECT p.*, COALESCE(p.planned_end_date, '9999-12-31') AS planned_end_key, "
        "COALESCE((SELECT MAX(m.held_on) FROM meetings m WHERE m.placement_id = p.id), p.start_date) "
        "AS last_contact,", 1)
    sql, params = f"SELECT * FROM ({inner}) x WHERE 1 = 1", []
    for column, name in (("x.status", "status"), ("x.kind", "kind"), ("x.employer_id", "employer_id")):
        if filters.get(name):
            sql += f" AND {column} = ?"
            params.append(filters[name])
    if filters.get("consultant_email"):
        sql += " AND lower(x.consultant_email) = ?"
        params.append(filters["consultant_email"].strip().lower())
    # The period: forløb that ran (or are planned to run) at some time within it.
    if filters.get("period_to"):
        sql += " AND x.start_date <= ?"
        params.append(filters["period_to"])
    if filters.get("period_from"):
        sql += " AND COALESCE(x.end_date, x.planned_end_date, '9999-12-31') >= ?"
        params.append(filters["period_from"])
    columns, descending = OVERVIEW_SORTS[sort]
    clause, more = after_clause(columns, after, descending=descending)
    direction = " DESC" if descending else ""
    rows = _rows(db, sql + clause + " ORDER BY " + ", ".join(c + direction for c in columns),
                 params + more, limit)
    key = _OVERVIEW_KEYS[sort]
    return page_of(rows, limit, lambda p: (p[key], p["id"]))
