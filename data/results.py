"""The figures of the Resultater page and the yearly report (issue 12): all the SQL for them.

Outcomes, paid hours and later statuses come from the anonymous `placement_statistics` rows (so
erasing a citizen changes none of them); the practice indicators and the employers block read
the live tables, as they describe the work now.

Small numbers: every count from 1 to 4 leaves this module as the text "<5", and a share whose
count or base is such a number is left out (None), so the page, CSV, XLSX and PDF, which all
show these tables, can never show one. Medians of fewer than 5 are left out too. Where a reader
knows a line's total (shown, or worked out from a count and its share), a lone "<5" could be
worked out as the total minus the other counts, so `protected` hides the next smallest counts of
that line too (HIDDEN, complementary suppression) until none of the hidden ones can be pinned down.
Where lines' totals add up to a figure shown elsewhere (the target groups' forløb to the forløb of
the period, the industries to the active employers, the statuses with and without paid hours to
the due ones minus the missing ones), `protected_together` makes sure no hidden line total, and
no hidden count, can be worked out from that figure either: it hides the shares of another line
(so its total), or the figure itself.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import sqlite_utils

from core.clock import add_months
from data.outcomes import FOLLOWUP_STATUS_LABELS
from data.placements import EMPLOYER_MEETINGS, KIND_LABELS, OUTCOME_LABELS

SMALL = "<5"
HIDDEN = "–"  # a count of 5 or more hidden so that a "<5" of its line cannot be worked out
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


def _pinned(counts: list[int], hidden: set[int], lows: dict[int, int] | None = None) -> bool:
    """Whether a reader who knows the line's total can pin down one of its hidden counts.

    The reader knows the hidden counts' sum (the total minus the shown ones) and, from the rule,
    that a "<5" is 1-4 and a HIDDEN count at least 5 (or at least its `lows`, where another shown
    count is part of it); a count's possible values are what is left of that sum after the others
    take their largest and their smallest values."""
    rest, lows = sum(counts[i] for i in hidden), lows or {}
    bounds = [(1, 4) if counts[i] <= 4 else (max(5, lows.get(i, 0)), rest) for i in hidden]
    lowest, highest = sum(low for low, _ in bounds), sum(high for _, high in bounds)
    return any(max(low, rest - (highest - high)) >= min(high, rest - (lowest - low)) for low, high in bounds)


def protected(counts: list[int]) -> set[int]:
    """The indexes of a line's counts to hide when its total is known: the small ones (1-4) and,
    while one of those could still be worked out, the next smallest count of 5 or more."""
    hidden = {i for i, n in enumerate(counts) if 1 <= n <= 4}
    larger = sorted((n, i) for i, n in enumerate(counts) if n >= 5)
    while hidden and larger and _pinned(counts, hidden):
        hidden.add(larger.pop(0)[1])
    return hidden


def counts_with_shares(counts: list[int], hidden: set[int] | None = None,
                       shares: bool = True) -> list[tuple[int | str, float | None]]:
    """A line of counts whose total the reader knows or can work out from a share (the total is the
    line's sum): each count as it may be shown, with its share of the total (None when hidden).
    `hidden` and `shares` come from `protected_together` where the line is one of several."""
    base = sum(counts)
    hidden = protected(counts) if hidden is None else hidden
    return [(HIDDEN if i in hidden and n >= 5 else small(n), None if i in hidden or not shares else share(n, base))
            for i, n in enumerate(counts)]


@dataclass
class Line:
    """A line of counts (one target group's outcomes, say) and what of it is hidden."""
    counts: list[int]
    hidden: set[int]
    shares: bool = True  # False: its shares are left out too, so its total cannot be worked out

    def total_known(self) -> bool:
        """A reader knows the total when no count is hidden (the sum) or a share of one shown is."""
        hidden_ones = [i for i in self.hidden if self.counts[i]]
        shown_ones = [i for i, n in enumerate(self.counts) if n and i not in self.hidden]
        return not hidden_ones or (self.shares and bool(shown_ones))

    def hide_total(self) -> None:
        """Leave out the shares and, when nothing is hidden yet, the smallest count (5 or more)."""
        self.shares = False
        if not any(self.counts[i] for i in self.hidden):
            self.hidden.add(min((n, i) for i, n in enumerate(self.counts) if n)[1])


def protected_together(lines: list[list[int]], total: int) -> tuple[list[Line], bool]:
    """Lines (each protected on its own, see `protected`) whose totals add up to a grand total that
    is shown elsewhere (the forløb of the period, the active employers). A reader who knows the
    grand total knows the sum of the line totals it cannot see, so one hidden line total can be
    worked out, and the hidden counts of all such lines together are one line with a known total.
    So: while exactly one line's total is hidden, or the pooled hidden counts could be pinned
    down, the smallest line total still known is hidden too (`Line.hide_total`); when none is
    left, the grand total has to be hidden (the second value returned, True)."""
    protected_lines = [Line(counts, protected(counts)) for counts in lines]
    if total < 5:  # shown as "<5" or 0: the reader does not know it
        return protected_lines, False
    while True:
        unknown = [line for line in protected_lines if not line.total_known()]
        if not unknown:
            return protected_lines, False
        pooled = [line.counts[i] for line in unknown for i in sorted(line.hidden)]
        alone = len(unknown) == 1 and len(protected_lines) > 1  # its total is the grand total minus the rest
        if not alone and not _pinned(pooled, set(range(len(pooled)))):
            return protected_lines, False
        known = [line for line in protected_lines if line.total_known()]
        if not known:
            return protected_lines, True
        min(known, key=lambda line: sum(line.counts)).hide_total()


def protected_with_hidden_total(counts: list[int]) -> set[int]:
    """A line adding up to a total that is hidden: as `protected`, but with at least one count hidden
    and none of the hidden ones pinned down by the total, so the total cannot be worked out either
    (nor narrowed down so far that it pins a count in another line adding up to it)."""
    hidden = protected(counts)
    larger = sorted((n, i) for i, n in enumerate(counts) if n >= 5 and i not in hidden)
    while larger and (not any(counts[i] for i in hidden) or _pinned(counts, hidden)):
        hidden.add(larger.pop(0)[1])
    return hidden


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
    ended: int  # forløb in the selection: for sums only, never printed (see ended_shown)
    missing_statuses: dict[int, int | str]  # per follow-up point: due but not recorded
    includes_demo: bool
    # The forløb of the period as it may be shown: small(ended), or HIDDEN where the target groups'
    # hidden counts could otherwise be worked out from it (see protected_together).
    ended_shown: int | str = 0


def _group_label(value: str | None) -> str:
    return value or NO_GROUP


def compute(db: sqlite_utils.Database, selection: Filter, points: tuple[int, ...], today: date) -> Results:
    counts = _selection_counts(db, selection)
    ended = sum(c.n for c in counts)
    status_table, missing = _statuses_after(db, selection, counts, points, today)
    outcomes, ended_hidden = _outcomes_by_group(counts, ended)
    tables = [outcomes, _paid_hours(db, selection, counts, ended_hidden), status_table,
              *_practice(db, selection, today), *_employers(db, selection)]
    return Results(selection, tables, ended, missing, any(c.demo for c in counts),
                   HIDDEN if ended_hidden else small(ended))


class _Count(NamedTuple):
    group: str | None
    outcome: str | None
    month: str
    paid: int
    demo: int
    n: int


def _selection_counts(db, selection: Filter) -> list[_Count]:
    """The selected anonymous rows counted by what blocks 1-3 split them by: one pass over the
    rows (a year of 100,000 forløb is a third of them), the rest is done on these few hundred."""
    where, params = selection.statistics_where()
    return [_Count(*row) for row in db.execute(
        f"""SELECT s.target_group, s.outcome, s.end_month, s.paid_hours_reached, MAX(s.demo), COUNT(*)
            FROM placement_statistics s WHERE {where} GROUP BY 1, 2, 3, 4""", params)]


def _quarter(month: str) -> str:
    return f"{month[:4]}-K{(int(month[5:7]) + 2) // 3}"


def _lines(keyed: dict, order) -> list[tuple[tuple, list[tuple[str, int]]]]:
    """{(line..., category): count} as lines in order: [(line, [(category, count), ...]), ...]."""
    lines: dict[tuple, list] = {}
    for *line, category in sorted(keyed, key=order):
        lines.setdefault(tuple(line), []).append((category, keyed[(*line, category)]))
    return list(lines.items())


def _category_order(order: list[str]):
    return lambda key: (*key[:-1], order.index(key[-1]) if key[-1] in order else 99)


# --- 1. afgangsstatus per target group ---------------------------------------------------------------

def _outcomes_by_group(counts: list[_Count], ended: int) -> tuple[Table, bool]:
    """The table, and whether the forløb of the period must be hidden (see protected_together)."""
    keyed: Counter = Counter()
    for c in counts:
        keyed[(_group_label(c.group), c.outcome)] += c.n
    table = Table(
        "afgangsstatus", "Afgangsstatus pr. målgruppe",
        "Hvad forløbene, der sluttede i perioden, endte med, som andel af målgruppens forløb.",
        ["Målgruppe", "Afgangsstatus", "Antal", "Andel (%)"])
    groups = _lines(keyed, _category_order(list(OUTCOME_LABELS)))
    # The target groups' totals add up to the forløb of the period, which is shown.
    protected_lines, ended_hidden = protected_together([[n for _, n in line] for _, line in groups], ended)
    for ((group,), line), shown in zip(groups, protected_lines):
        for (outcome, _), (count, part) in zip(line, counts_with_shares(shown.counts, shown.hidden, shown.shares)):
            table.rows.append([group, OUTCOME_LABELS.get(outcome, outcome or "Ikke angivet"), count, part])
    return table, ended_hidden


# --- 2. paid hours ---------------------------------------------------------------------------------------

def _paid_hours(db, selection: Filter, counts: list[_Count], ended_hidden: bool) -> Table:
    forloeb, paid = Counter(), Counter()
    for c in counts:
        forloeb[_quarter(c.month)] += c.n
        paid[_quarter(c.month)] += c.n * c.paid
    quarters = sorted(forloeb)
    medians = _median_days_to_paid_hours(db, selection)
    # The quarters' forløb add up to the forløb of the period, which is shown: protect them as a
    # line. Where that total is hidden, they must not give it away either.
    line = [forloeb[q] for q in quarters]
    hidden = protected_with_hidden_total(line) if ended_hidden else protected(line)
    # A hidden quarter's forløb are at least its forløb with paid hours: where that could pin
    # down a hidden count (or the hidden forløb of the period), those are hidden too.
    lows = {i: paid[q] for i, q in enumerate(quarters) if i in hidden and paid[q] >= 5}
    hide_reached = ended_hidden or _pinned(line, hidden, lows)
    rows = []
    for i, quarter in enumerate(quarters):
        n, reached, median = forloeb[quarter], paid[quarter], medians.get(quarter)
        rows.append([quarter, HIDDEN if i in hidden and n >= 5 else small(n),
                     HIDDEN if hide_reached and i in lows else small(reached),
                     None if i in hidden else share(reached, n),
                     None if reached < 5 or median is None else round(median, 1)])
    return Table(
        "loennede_timer", "Lønnede timer",
        "Andelen af forløb, der nåede lønnede timer, og hvor mange dage der gik fra start til den første "
        "lønnede time (median), kvartal for kvartal efter slutdato.",
        ["Kvartal", "Forløb", "Med lønnede timer", "Andel (%)", "Dage til første lønnede time (median)"], rows)


def _median_days_to_paid_hours(db, selection: Filter) -> dict[str, float]:
    where, params = selection.statistics_where()
    days: dict[str, list[tuple[int, int]]] = {}
    for month, value, n in db.execute(
            f"""SELECT s.end_month, s.days_to_paid_hours, COUNT(*) FROM placement_statistics s
                WHERE {where} AND s.days_to_paid_hours IS NOT NULL GROUP BY 1, 2""", params):
        days.setdefault(_quarter(month), []).append((value, n))
    return {quarter: _median(values) for quarter, values in days.items()}


def _median(counted: list[tuple[int, int]]) -> float:
    """The median of values given as (value, how many), the middle two averaged for an even count."""
    counted = sorted(counted)
    total = sum(n for _, n in counted)
    middle = []
    for wanted in ((total + 1) // 2, (total + 2) // 2):
        seen = 0
        for value, n in counted:
            seen += n
            if seen >= wanted:
                middle.append(value)
                break
    return sum(middle) / 2


# --- 3. status N months after the end, with and without paid hours -----------------------------------

def _statuses_after(db, selection: Filter, counts: list[_Count], points: tuple[int, ...],
                    today: date) -> tuple[Table, dict]:
    where, params = selection.statistics_where()
    table = Table(
        "status_efter", "Status efter forløbet, med og uden lønnede timer",
        "Hvor borgerne stod 2 (6, 12) måneder efter forløbet, for forløb med og uden lønnede timer. "
        "Det beskriver forskellen; det viser ikke, at de lønnede timer er årsagen.",
        ["Måneder efter", "Lønnede timer", "Status", "Antal", "Andel (%)"])
    recorded = db.execute(
        f"""SELECT s.end_month, s.paid_hours_reached, t.months, t.status, COUNT(*) FROM placement_statistics s
            JOIN placement_statistics_statuses t ON t.statistics_id = s.id
            WHERE {where} AND t.months IN ({", ".join("?" * len(points))}) GROUP BY 1, 2, 3, 4""",
        [*params, *points]).fetchall() if points else []
    missing: dict[int, int | str] = {}
    left: dict[int, int] = {}
    keyed: Counter = Counter()
    for months in points:
        # Only forløb whose point has come (its month has begun) can have a status yet.
        last_due = add_months(today.replace(day=1), -months).isoformat()[:7]
        due = sum(c.n for c in counts if c.month <= last_due)
        for month, paid, point, status, n in recorded:
            if point == months and month <= last_due:
                keyed[(months, -paid, status)] += n
                due -= n
        missing[months], left[months] = small(due), due
    lines = _lines(keyed, _category_order(list(FOLLOWUP_STATUS_LABELS)))
    for months in points:
        point = [(minus_paid, line) for (at, minus_paid), line in lines if at == months]
        # With and without paid hours add up to the statuses recorded at this point: the forløb
        # due (the reader may know them: the period's forløb, or its quarters') minus the missing
        # ones, which are shown. Where that pins a hidden count, the missing ones are hidden (a
        # count of 5 or more; none or "<5" missing are left as they are: a "–" would say 5 or more).
        recorded = sum(n for _, line in point for _, n in line)
        known = left[months] == 0 or left[months] >= 5
        protected_lines, hide = protected_together([[n for _, n in line] for _, line in point],
                                                   recorded if known else 0)
        if hide and left[months] >= 5:
            missing[months] = HIDDEN
        for (minus_paid, line), shown in zip(point, protected_lines):
            for (status, _), (count, part) in zip(line, counts_with_shares(shown.counts, shown.hidden, shown.shares)):
                table.rows.append([months, "Med" if minus_paid else "Uden", FOLLOWUP_STATUS_LABELS.get(status, status),
                                   count, part])
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
    industries = db.execute(
        f"SELECT COALESCE(NULLIF(TRIM(industry), ''), 'Ikke angivet') AS industry, COUNT(*) FROM ({active_sql}) "
        "GROUP BY 1 ORDER BY COUNT(*) DESC, 1").fetchall()
    # The industries add up to the active employers, which are shown: protect them as a line, and
    # hide the active employers where the industries' hidden counts could still be pinned down.
    (line,), active_hidden = protected_together([[n for _, n in industries]], active)
    overview = Table(
        "virksomheder", "Virksomheder",
        "Inkluderende virksomheder med mindst ét åbent småjob i dag, nye i perioden, og dem hvor et forløb "
        "nåede lønnede timer i perioden.",
        ["Virksomheder", "Antal"],
        [["Aktive inkluderende virksomheder", HIDDEN if active_hidden else small(active)], ["Nye i perioden", small(new)],
         ["Med et forløb, der nåede lønnede timer", small(paid)]])
    by_industry = Table(
        "brancher", "Aktive virksomheder pr. branche",
        "Hvilke brancher de aktive inkluderende virksomheder er i.",
        ["Branche", "Antal", "Andel (%)"],
        [[name, count, part] for (name, _), (count, part)
         in zip(industries, counts_with_shares(line.counts, line.hidden, line.shares))])
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
