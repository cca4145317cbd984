"""The figures of the Resultater page and the yearly report (issue 12): all the SQL for them.

Outcomes, paid hours and later statuses come from the anonymous `placement_statistics` rows (so
erasing a citizen changes none of them); the practice indicators and the employers block read
the live tables, as they describe the work now.

Small numbers: every count from 1 to 4 leaves this module as the text "<5", and a share whose
count or base is such a number is left out (None), so the page, CSV, XLSX and PDF, which all
show these tables, can never show one. Medians of fewer than 5 are left out too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from core.clock import add_months
from data.outcomes import FOLLOWUP_STATUS_LABELS
from data.placements import EMPLOYER_MEETINGS, KIND_LABELS, OUTCOME_LABELS

SMALL = "<5"
NO_GROUP = "Ingen målgruppe"
# The aims from supported-employment research (IPS): first employer meeting within 30 days, at
# most 20 active citizens per consultant. A follow-up is on time within a week of its due day.
FIRST_MEETING_AIM_DAYS = 30
CASELOAD_AIM = 20
FOLLOW_UP_GRACE_DAYS = 7


def small(count: int) -> int | str:
    """A count as it may be shown: 1-4 become "<5" (0 stays 0: nobody to point at)."""
    return SMALL if 1 <= count <= 4 else count


def share(count: int, base: int) -> float | None:
    """The share in per cent (one decimal), or None when it could point at a person or has no base."""
    if base == 0 or 1 <= count <= 4 or 1 <= base <= 4:
        return None
    return round(100 * count / base, 1)


@dataclass(frozen=True)
class Filter:
    """Which ended forløb the figures cover: ended in first_month..last_month (YYYY-MM)."""
    first_month: str
    last_month: str
    target_group: str | None = None
    kind: str | None = None
    consultant_id: int | None = None

    @property
    def first_day(self) -> str:
        return f"{self.first_month}-01"

    @property
    def day_after(self) -> str:
        return add_months(date.fromisoformat(self.first_day_of_last), 1).isoformat()

    @property
    def first_day_of_last(self) -> str:
        return f"{self.last_month}-01"

    def statistics_where(self, alias: str = "s") -> tuple[str, list]:
        clauses = [f"{alias}.end_month BETWEEN ? AND ?"]
        params: list = [self.first_month, self.last_month]
        for column, value in (("target_group", self.target_group), ("kind", self.kind),
                              ("consultant_id", self.consultant_id)):
            if value is not None:
                clauses.append(f"{alias}.{column} = ?")
                params.append(value)
        return " AND ".join(clauses), params


def year_filter(year: int, **narrowing) -> Filter:
    return Filter(f"{year:04d}-01", f"{year:04d}-12", **narrowing)


def quarter_filter(year: int, quarter: int, **narrowing) -> Filter:
    first = 3 * (quarter - 1) + 1
    return Filter(f"{year:04d}-{first:02d}", f"{year:04d}-{first + 2:02d}", **narrowing)


@dataclass
class Table:
    """One chart's figures: `rows` hold shown values only (see `small` and `share`)."""
    key: str
    title: str
    sentence: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    # For the chart: which column is the series label, the category and the share.
    note: str = ""


@dataclass
class Results:
    filter: Filter
    tables: list[Table]
    ended: int  # forløb in the selection (shown as small() where printed)
    missing_statuses: dict[int, int | str]  # per follow-up point: due but not recorded
    includes_demo: bool


def _group_label(value: str | None) -> str:
    return value or NO_GROUP


def compute(db: sqlite_utils.Database, selection: Filter, points: tuple[int, ...], today: date) -> Results:
    where, params = selection.statistics_where()
    ended, demo = db.execute(f"SELECT COUNT(*), COALESCE(MAX(demo), 0) FROM placement_statistics s WHERE {where}",
                             params).fetchone()
    status_table, missing = _statuses_after(db, selection, points, today)
    tables = [_outcomes_by_group(db, selection), _paid_hours(db, selection), status_table,
              *_practice(db, selection, today), *_employers(db, selection)]
    return Results(selection, tables, ended, missing, bool(demo))


# --- 1. afgangsstatus per target group ---------------------------------------------------------------

def _outcomes_by_group(db, selection: Filter) -> Table:
    where, params = selection.statistics_where()
    rows = db.execute(
        f"""SELECT s.target_group, s.outcome, COUNT(*) AS n,
                   SUM(COUNT(*)) OVER (PARTITION BY s.target_group) AS total
            FROM placement_statistics s WHERE {where}
            GROUP BY s.target_group, s.outcome ORDER BY s.target_group, s.outcome""", params).fetchall()
    order = list(OUTCOME_LABELS)
    rows = sorted(rows, key=lambda r: (_group_label(r[0]), order.index(r[1]) if r[1] in order else 99))
    return Table(
        "afgangsstatus", "Afgangsstatus pr. målgruppe",
        "Hvad forløbene, der sluttede i perioden, endte med, som andel af målgruppens forløb.",
        ["Målgruppe", "Afgangsstatus", "Antal", "Andel (%)"],
        [[_group_label(g), OUTCOME_LABELS.get(o, o or "Ikke angivet"), small(n), share(n, t)] for g, o, n, t in rows])


# --- 2. paid hours ---------------------------------------------------------------------------------------

def _paid_hours(db, selection: Filter) -> Table:
    where, params = selection.statistics_where()
    rows = db.execute(
        f"""WITH q AS (
                SELECT substr(s.end_month, 1, 4) || '-K' || ((CAST(substr(s.end_month, 6, 2) AS INTEGER) + 2) / 3)
                       AS quarter, s.paid_hours_reached AS paid, s.days_to_paid_hours AS days
                FROM placement_statistics s WHERE {where}),
            ranked AS (
                SELECT quarter, days, ROW_NUMBER() OVER (PARTITION BY quarter ORDER BY days) AS position,
                       COUNT(*) OVER (PARTITION BY quarter) AS reached
                FROM q WHERE days IS NOT NULL),
            medians AS (
                SELECT quarter, AVG(days) AS median FROM ranked
                WHERE position IN ((reached + 1) / 2, (reached + 2) / 2) GROUP BY quarter)
            SELECT q.quarter, COUNT(*), SUM(q.paid), m.median
            FROM q LEFT JOIN medians m ON m.quarter = q.quarter
            GROUP BY q.quarter ORDER BY q.quarter""", params).fetchall()
    return Table(
        "loennede_timer", "Lønnede timer",
        "Andelen af forløb, der nåede lønnede timer, og hvor mange dage der gik fra start til den første "
        "lønnede time (median), kvartal for kvartal efter slutdato.",
        ["Kvartal", "Forløb", "Med lønnede timer", "Andel (%)", "Dage til første lønnede time (median)"],
        [[quarter, small(n), small(paid), share(paid, n), None if paid < 5 or median is None else round(median, 1)]
         for quarter, n, paid, median in rows])


# --- 3. status N months after the end, with and without paid hours -----------------------------------

def _statuses_after(db, selection: Filter, points: tuple[int, ...], today: date) -> tuple[Table, dict]:
    where, params = selection.statistics_where()
    this_month = today.isoformat()[:7]
    table = Table(
        "status_efter", "Status efter forløbet, med og uden lønnede timer",
        "Hvor borgerne stod 2 (6, 12) måneder efter forløbet, for forløb med og uden lønnede timer. "
        "Det beskriver forskellen; det viser ikke, at de lønnede timer er årsagen.",
        ["Måneder efter", "Lønnede timer", "Status", "Antal", "Andel (%)"])
    missing: dict[int, int | str] = {}
    order = list(FOLLOWUP_STATUS_LABELS)
    for months in points:
        # Only forløb whose point has come (its month has begun) can have a status yet.
        due = "strftime('%Y-%m', date(s.end_month || '-01', ?)) <= ?"
        rows = db.execute(
            f"""SELECT s.paid_hours_reached, t.status, COUNT(*) FROM placement_statistics s
                LEFT JOIN placement_statistics_statuses t ON t.statistics_id = s.id AND t.months = ?
                WHERE {where} AND {due}
                GROUP BY s.paid_hours_reached, t.status""",
            [months, *params, f"+{months} months", this_month]).fetchall()
        missing[months] = small(sum(n for _, status, n in rows if status is None))
        for paid in (1, 0):
            group = sorted(((status, n) for p, status, n in rows if p == paid and status is not None),
                           key=lambda item: order.index(item[0]) if item[0] in order else 99)
            base = sum(n for _, n in group)
            for status, n in group:
                table.rows.append([months, "Med" if paid else "Uden", FOLLOWUP_STATUS_LABELS.get(status, status),
                                   small(n), share(n, base)])
    return table, missing


# --- 4. practice indicators (live tables) ---------------------------------------------------------------

def _consultant_email(db, selection: Filter) -> str | None:
    if selection.consultant_id is None:
        return None
    row = db.execute("SELECT email FROM consultants WHERE id = ?", [selection.consultant_id]).fetchone()
    return row[0] if row else "(ingen)"


def _citizen_narrowing(db, selection: Filter, alias: str = "c") -> tuple[str, list]:
    clauses, params = [], []
    if selection.target_group is not None:
        clauses.append(f"{alias}.target_group = ?")
        params.append(selection.target_group)
    email = _consultant_email(db, selection)
    if email is not None:
        clauses.append(f"{alias}.consultant_email = ?")
        params.append(email)
    return "".join(f" AND {c}" for c in clauses), params


def _practice(db, selection: Filter, today: date) -> list[Table]:
    narrowing, params = _citizen_narrowing(db, selection)
    kinds = ", ".join("?" * len(EMPLOYER_MEETINGS))
    days, within, count = db.execute(
        f"""WITH firsts AS (
                SELECT c.id, MAX(0, julianday(MIN(m.held_on)) - julianday(substr(c.created_at, 1, 10))) AS days
                FROM citizens c JOIN meetings m ON m.citizen_id = c.id AND m.kind IN ({kinds})
                WHERE substr(c.created_at, 1, 10) >= ? AND substr(c.created_at, 1, 10) < ? {narrowing}
                GROUP BY c.id),
            ranked AS (SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS position, COUNT(*) OVER () AS n FROM firsts)
            SELECT (SELECT AVG(days) FROM ranked WHERE position IN ((n + 1) / 2, (n + 2) / 2)),
                   (SELECT COUNT(*) FROM firsts WHERE days <= ?), (SELECT COUNT(*) FROM firsts)""",
        [*EMPLOYER_MEETINGS, selection.first_day, selection.day_after, *params, FIRST_MEETING_AIM_DAYS]).fetchone()
    due, on_time = db.execute(
        f"""SELECT COUNT(*), COALESCE(SUM(EXISTS (
                SELECT 1 FROM meetings m WHERE m.placement_id = r.placement_id
                AND (m.kind = 'follow_up' OR (m.kind = 'employer_checkin' AND NOT EXISTS (
                     SELECT 1 FROM employer_checkins k WHERE k.meeting_id = m.id)))
                AND m.held_on BETWEEN r.due_on AND date(r.due_on, '+{FOLLOW_UP_GRACE_DAYS} days'))), 0)
            FROM reminders r JOIN citizens c ON c.id = r.citizen_id
            WHERE r.rule = 'follow_up' AND r.due_on >= ? AND r.due_on < ? AND r.due_on <= ? {narrowing}""",
        [selection.first_day, selection.day_after, today.isoformat(), *params]).fetchone()
    indicators = Table(
        "praksis", "Praksisindikatorer",
        f"Dage fra borgerens start til det første møde med en virksomhed (målet er højst {FIRST_MEETING_AIM_DAYS}) "
        "og andelen af opfølgninger, der blev holdt til tiden.",
        ["Indikator", "Antal", "Værdi", "Mål"],
        [["Borgere med første virksomhedsmøde", small(count), None, None],
         ["Dage til første virksomhedsmøde (median)", small(count),
          None if count < 5 or days is None else round(days, 1), f"højst {FIRST_MEETING_AIM_DAYS}"],
         [f"Første virksomhedsmøde inden for {FIRST_MEETING_AIM_DAYS} dage (%)", small(within),
          share(within, count), "100"],
         ["Opfølgninger holdt til tiden (%)", small(on_time), share(on_time, due), "100"],
         ["Opfølgninger, der faldt i perioden", small(due), None, None]])
    email = _consultant_email(db, selection)
    caseload = db.execute(
        """SELECT k.name, k.email, COUNT(DISTINCT c.id) FROM consultants k
           JOIN citizens c ON c.consultant_email = k.email
           JOIN placements p ON p.citizen_id = c.id AND p.status IN ('planned', 'active')
           WHERE k.active = 1 AND (? IS NULL OR k.email = ?) AND (? IS NULL OR c.target_group = ?)
           GROUP BY k.id ORDER BY k.name, k.email""",
        [email, email, selection.target_group, selection.target_group]).fetchall()
    caseloads = Table(
        "sagsstamme", "Aktive borgere pr. konsulent",
        f"Hvor mange borgere med et planlagt eller aktivt forløb hver konsulent har i dag (målet er højst {CASELOAD_AIM}).",
        ["Konsulent", "Aktive borgere", "Over målet"],
        [[name or mail, small(n), "ja" if n > CASELOAD_AIM else "nej"] for name, mail, n in caseload])
    return [indicators, caseloads]


# --- 5. employers (live tables) ------------------------------------------------------------------------

def _employers(db, selection: Filter) -> list[Table]:
    active_sql = ("SELECT e.id, e.industry FROM employers e WHERE e.status = 'approved' AND EXISTS "
                  "(SELECT 1 FROM openings o WHERE o.employer_id = e.id AND o.active = 1)")
    active = db.execute(f"SELECT COUNT(*) FROM ({active_sql})").fetchone()[0]
    new = db.execute("SELECT COUNT(*) FROM employers WHERE status = 'approved' AND substr(created_at, 1, 10) >= ? "
                     "AND substr(created_at, 1, 10) < ?", [selection.first_day, selection.day_after]).fetchone()[0]
    narrowing, params = _citizen_narrowing(db, selection)
    kind_clause = " AND p.kind = ?" if selection.kind else ""
    paid = db.execute(
        f"""SELECT COUNT(DISTINCT o.employer_id) FROM placements p JOIN openings o ON o.id = p.opening_id
            JOIN citizens c ON c.id = p.citizen_id
            WHERE p.paid_hours_since >= ? AND p.paid_hours_since < ? {kind_clause} {narrowing}""",
        [selection.first_day, selection.day_after, *([selection.kind] if selection.kind else []), *params]).fetchone()[0]
    overview = Table(
        "virksomheder", "Virksomheder",
        "Inkluderende virksomheder med mindst ét åbent småjob i dag, nye i perioden, og dem hvor et forløb "
        "nåede lønnede timer i perioden.",
        ["Virksomheder", "Antal"],
        [["Aktive inkluderende virksomheder", small(active)], ["Nye i perioden", small(new)],
         ["Med et forløb, der nåede lønnede timer", small(paid)]])
    industries = db.execute(
        f"SELECT COALESCE(NULLIF(TRIM(industry), ''), 'Ikke angivet') AS industry, COUNT(*) FROM ({active_sql}) "
        "GROUP BY 1 ORDER BY COUNT(*) DESC, 1").fetchall()
    by_industry = Table(
        "brancher", "Aktive virksomheder pr. branche",
        "Hvilke brancher de aktive inkluderende virksomheder er i.",
        ["Branche", "Antal", "Andel (%)"], [[name, small(n), share(n, active)] for name, n in industries])
    return [overview, by_industry]


# --- filters' choices ------------------------------------------------------------------------------------

def choices(db: sqlite_utils.Database) -> dict:
    """What the page's filters offer: years with ended forløb, target groups, kinds."""
    years = [r[0] for r in db.execute(
        "SELECT DISTINCT substr(end_month, 1, 4) FROM placement_statistics WHERE end_month IS NOT NULL ORDER BY 1 DESC")]
    groups = [r[0] for r in db.execute(
        "SELECT target_group FROM placement_statistics WHERE target_group IS NOT NULL "
        "UNION SELECT target_group FROM citizens WHERE target_group IS NOT NULL ORDER BY 1")]
    return {"years": [int(y) for y in years], "target_groups": groups, "kinds": KIND_LABELS}


# --- employers' track record --------------------------------------------------------------------------

def employer_track_records(db: sqlite_utils.Database, employer_ids: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """(ended forløb, of which with paid hours) per employer, across the organisation (no names).
    None: every employer with one."""
    sql = ("SELECT o.employer_id, COUNT(*), SUM(p.paid_hours_since IS NOT NULL) FROM placements p "
           "JOIN openings o ON o.id = p.opening_id WHERE p.status = 'ended'")
    params: list = []
    if employer_ids is not None:
        if not employer_ids:
            return {}
        sql += f" AND o.employer_id IN ({', '.join('?' * len(employer_ids))})"
        params = list(employer_ids)
    return {row[0]: (row[1], row[2]) for row in db.execute(sql + " GROUP BY o.employer_id", params)}


def track_record_text(record: tuple[int, int] | None) -> str | None:
    """"Tidligere forløb her: 3, heraf 2 med lønnede timer", or None without any."""
    if not record or not record[0]:
        return None
    return f"Tidligere forløb her: {record[0]}, heraf {record[1]} med lønnede timer"
