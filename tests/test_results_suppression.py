"""Issue 12, small numbers: complementary suppression. Where a reader knows a line's total (shown,
or worked out from a count and its share), a lone "<5" would be the total minus the other counts;
data.results hides the next smallest counts too ("–"), the same on the page, in CSV, XLSX and PDF.
`solvable_counts` plays the reader: it tries every value a hidden count could have."""
from __future__ import annotations

import csv
import io
import random
import re
from collections import defaultdict

from data import results
from data.db import write
from tests.conftest import login
from tests.test_results import GROUP_A, GROUP_B, POINTS, TODAY, _row, _table

SMALL, HIDDEN = results.SMALL, results.HIDDEN


def possible_values(shown: list, total: int, lows: dict | None = None) -> dict[int, set[int]] | None:
    """For each hidden count of a line with this total, the values it can have (None: no values fit).

    What the reader knows: the shown counts, that "<5" is 1-4 and that "–" is a count of 5 or more
    (the rule says so, or at least `lows`, where a shown count is part of it), and the total. A
    value is possible when it leaves the other hidden counts a sum they can make."""
    hidden = [i for i, value in enumerate(shown) if value in (SMALL, HIDDEN)]
    rest = total - sum(value for value in shown if isinstance(value, int))
    if not hidden:
        return {} if rest == 0 else None
    lows = lows or {}
    bounds = {i: (1, 4) if shown[i] == SMALL else (max(5, lows.get(i, 0)), max(rest, 5)) for i in hidden}
    values = {}
    for i in hidden:
        others_low = sum(bounds[j][0] for j in hidden if j != i)
        others_high = sum(bounds[j][1] for j in hidden if j != i)
        values[i] = {v for v in range(bounds[i][0], bounds[i][1] + 1) if others_low <= rest - v <= others_high}
        if not values[i]:
            return None
    return values


def solvable_counts(shown: list, total: int) -> list[int]:
    """The indexes of hidden counts in a line that a reader who knows the line's total can work out:
    those with exactly one possible value."""
    values = possible_values(shown, total)
    assert values is not None, f"no value fits: {shown}, total {total}"
    return [i for i, possible in values.items() if len(possible) == 1]


def solvable_across(tables: list[list[tuple[list, list]]], grand) -> list[tuple]:
    """What a reader works out from tables whose lines' totals all add up to one grand total (the
    forløb of the period: the target groups' lines, the quarters' line; the active employers: the
    industries' line). Each line is (counts as shown, shares as shown, None where there are none),
    and may add what the reader knows a hidden count is at least ({index: low}).

    The reader knows a line's total from a shown share, or as the sum when it hides nothing; the
    lines whose total it cannot see hold, together, the grand total minus the others: one pooled
    line. The grand total is the shown number, or, shown as "–" or "<5" (or given as a range), any
    number every table allows. Returns ("count", table, line, index) for each hidden count with one possible value,
    and ("total", table, line) for a line total hidden but worked out (the only one unseen in its
    table of several lines while the grand total has one possible value)."""
    candidates = grand if isinstance(grand, range) else [grand] if isinstance(grand, int) \
        else range(1, 5) if grand == SMALL else range(5, 400)
    pinned, seen, feasible = [], defaultdict(set), []
    split = []  # per table: (known totals, pooled [(line, index, shown)])
    for t, lines in enumerate(tables):
        known, pooled = 0, []
        for k, (counts, shares, *lows) in enumerate(lines):
            total = _total_from_shares(counts, shares or [None] * len(counts))
            if total is None and all(isinstance(c, int) for c in counts):
                total = sum(counts)
            if total is None:
                pooled += [(k, i, c, (lows or [{}])[0].get(i, 0)) for i, c in enumerate(counts)]
            else:
                known += total
                pinned += [("count", t, k, i) for i in solvable_counts(counts, total)]
        split.append((known, pooled))
    for g in candidates:
        found = [possible_values([p[2] for p in pooled], g - known, {j: p[3] for j, p in enumerate(pooled)})
                 for known, pooled in split]
        if any(values is None for values in found):
            continue
        feasible.append(g)
        for t, ((_, pooled), values) in enumerate(zip(split, found)):
            for j, possible in values.items():
                seen[(t, *pooled[j][:2])] |= possible
    assert feasible, f"no grand total fits: {tables}, {grand}"
    pinned += [("count", *key) for key, possible in seen.items() if len(possible) == 1]
    for t, (_, pooled) in enumerate(split):
        # A table of one line: its total is the grand total itself.
        if len({p[0] for p in pooled}) == 1 and len(feasible) == 1 and len(tables[t]) > 1:
            pinned.append(("total", t, pooled[0][0]))
    return pinned


def _total_from_shares(counts: list, shares: list) -> int | None:
    """The total a reader works out from a shown count and its share (None when no share is shown)."""
    for count, part in zip(counts, shares):
        if isinstance(count, int) and part:
            return round(100 * count / part)
    return None


def _lines_of(figures, key: str, line_of, count: int, part: int, where=lambda row: True) -> list[tuple[list, list]]:
    grouped: dict = {}
    for row in filter(where, _table(figures, key).rows):
        grouped.setdefault(line_of(row), []).append(row)
    return [([r[count] for r in rows], [r[part] for r in rows]) for rows in grouped.values()]


def assert_no_hidden_count_can_be_worked_out(figures) -> None:
    """Every line of every table whose total a reader knows, and every set of tables whose lines add
    up to a figure shown elsewhere: no hidden count (and no hidden line total) can be worked out."""
    # At each point, with and without paid hours add up to the statuses recorded: the forløb of the
    # period minus the missing ones (the selections here are all due).
    ended = figures.ended_shown
    for months, missing in figures.missing_statuses.items():
        lines = _lines_of(figures, "status_efter", lambda r: r[1], 3, 4, lambda r: r[0] == months)
        if not isinstance(ended, int):
            recorded = range(0, 400)
        else:
            recorded = range(ended - missing, ended - missing + 1) if isinstance(missing, int) \
                else range(ended - 4, ended) if missing == SMALL else range(0, ended - 4)
        assert solvable_across([lines], recorded) == [], (months, lines, ended, missing)
    # The target groups' lines and the quarters' forløb add up to the forløb of the period, which
    # the page and report show; the industries add up to the active employers.
    groups = _lines_of(figures, "afgangsstatus", lambda r: r[0], 2, 3)
    # A hidden quarter's forløb are at least its forløb with paid hours, where those are shown.
    rows = _table(figures, "loennede_timer").rows
    quarters = [([r[1] for r in rows], None, {i: r[2] for i, r in enumerate(rows) if r[1] == HIDDEN and isinstance(r[2], int)})]
    assert solvable_across([groups, quarters], figures.ended_shown) == [], (groups, quarters, figures.ended_shown)
    industries = _lines_of(figures, "brancher", lambda r: None, 1, 2)
    active = _table(figures, "virksomheder").rows[0][1]
    assert solvable_across([industries], active) == [], (industries, active)


def _one_small_count_data(db):
    """2025-Q1, group A: 40 ended forløb: 20 to work (all with paid hours), 10 fleksjob, 7 education,
    3 ledighed. Two months after, of the 20 with paid hours: 12 work, 6 education, 2 ledighed."""
    statuses = ["beskaeftigelse"] * 12 + ["uddannelse"] * 6 + ["ledighed"] * 2
    for status in statuses:
        _row(db, paid=True, days=10, outcome="beskaeftigelse", statuses={2: status})
    for outcome, n in (("fleksjob", 10), ("uddannelse", 7), ("ledighed", 3)):
        for _ in range(n):
            _row(db, outcome=outcome)


def test_a_lone_small_count_hides_the_next_smallest_of_its_line(db):
    _one_small_count_data(db)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    # Without the second hidden count: 20 / 50 % = 40 forløb, so ledighed = 40 - 20 - 10 - 7 = 3.
    assert _table(figures, "afgangsstatus").rows == [
        [GROUP_A, "Beskæftigelse", 20, 50.0], [GROUP_A, "Uddannelse", HIDDEN, None],
        [GROUP_A, "Fleksjob", 10, 25.0], [GROUP_A, "Ledighed", SMALL, None]]
    assert _table(figures, "status_efter").rows == [
        [2, "Med", "Beskæftigelse", 12, 60.0], [2, "Med", "Uddannelse", HIDDEN, None],
        [2, "Med", "Ledighed", SMALL, None]]
    assert_no_hidden_count_can_be_worked_out(figures)
    # What a reader can know: the two hidden counts of each line make 10 and 8, in several ways.
    assert solvable_counts([20, HIDDEN, 10, SMALL], 40) == []
    assert solvable_counts([20, 7, 10, SMALL], 40) == [3]  # the count it protects against


def test_the_hidden_count_shows_the_same_on_the_page_and_in_csv_xlsx_and_pdf(db, client, make_consultant):
    from openpyxl import load_workbook
    from pypdf import PdfReader
    _one_small_count_data(db)
    make_consultant()
    login(client)
    page = client.get("/resultater?aar=2025").get_data(as_text=True)
    assert re.search(r"<td>Uddannelse</td>\s*<td class=\"num\">–</td>\s*<td>–</td>", page)
    assert "skjult, så et lille tal ikke kan regnes ud" in page
    text = client.get("/resultater.csv?aar=2025").get_data(as_text=True).lstrip("\ufeff")
    lines = [r for r in csv.DictReader(io.StringIO(text), delimiter=";") if r["figur"] == "afgangsstatus"]
    assert [(r["kategori"], r["antal"], r["andel_pct"]) for r in lines] == [
        ("Beskæftigelse", "20", "50"), ("Uddannelse", "–", ""), ("Fleksjob", "10", "25"), ("Ledighed", "<5", "")]
    book = load_workbook(io.BytesIO(client.get("/resultater.xlsx?aar=2025").data))
    sheet = list(book["Afgangsstatus pr. målgruppe"].iter_rows(min_row=4, values_only=True))
    assert (GROUP_A, "Uddannelse", "–", "–") in sheet and (GROUP_A, "Ledighed", "<5", "–") in sheet
    pdf = client.get("/resultater/erfaringsopsamling.pdf?aar=2025").data
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    # The report's cross table: a row per outcome, "count (share %)" per target group.
    for cells in ("Beskæftigelse 20 (50 %)", "Uddannelse –", "Fleksjob 10 (25 %)", "Ledighed <5",
                  "skjult, så et lille tal ikke kan regnes ud"):
        assert cells in pdf_text, cells


def test_lines_with_no_or_several_small_counts():
    # No small count: nothing hidden. Two small counts: 1-4 each, summing to 5, in four ways.
    assert results.protected([20, 7, 13]) == set() and results.protected([0, 9, 0]) == set()
    assert results.protected([2, 3, 20, 25]) == {0, 1}
    assert solvable_counts([SMALL, SMALL, 20, 25], 50) == []
    # Two ones make 2, and only 1 + 1 does: the smallest larger count goes too.
    assert results.protected([1, 1, 20, 30]) == {0, 1, 2}
    # 1 and 5 make 6, and a "–" is at least 5: the 1 could still be worked out, so 100 goes too.
    assert results.protected([1, 5, 100]) == {0, 1, 2}
    # A line of one small count (its total is that count) has nothing to hide it behind.
    assert results.protected([3]) == {0}
    shown = results.counts_with_shares([20, 7, 10, 3])
    assert shown == [(20, 50.0), (HIDDEN, None), (10, 25.0), (SMALL, None)]
    assert results.counts_with_shares([0, 12]) == [(0, 0.0), (12, 100.0)]


def test_no_hidden_count_can_be_worked_out_in_any_line():
    # Lines as the tables hold them (counts of 0 to 30), each checked the way a reader would.
    lines = random.Random(12)
    for _ in range(300):
        counts = [lines.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 30]) for _ in range(lines.randint(1, 6))]
        hidden = results.protected(counts)
        shown = [(SMALL if n <= 4 else HIDDEN) if i in hidden else n for i, n in enumerate(counts)]
        every_count_hidden = all(i in hidden for i, n in enumerate(counts) if n)
        if not every_count_hidden:  # then the shares, and so the total, stay hidden too
            assert solvable_counts(shown, sum(counts)) == [], counts


# --- across tables: line totals that add up to a figure shown elsewhere --------------------------------

def _forloeb(db, group: str, end: str = "2025-03", **counts: int) -> None:
    """Ended forløb of a target group in 2025: so many of each outcome."""
    for outcome, n in counts.items():
        for _ in range(n):
            _row(db, group=group, end=end, outcome=outcome)


def _shown_lines(figures, key: str = "afgangsstatus") -> dict:
    lines: dict = {}
    for group, _, count, part in _table(figures, key).rows:
        lines.setdefault(group, []).append((count, part))
    return lines


def test_a_group_of_only_small_counts_hides_the_forloeb_of_the_period(db, client, make_consultant):
    # One target group, 4 to work and 4 to ledighed: "<5" and "<5" of 8 forløb shown would make both 4.
    _forloeb(db, GROUP_A, beskaeftigelse=4, ledighed=4)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert _shown_lines(figures) == {GROUP_A: [(SMALL, None), (SMALL, None)]}
    assert figures.ended == 8 and figures.ended_shown == HIDDEN
    # The quarter's forløb add up to it too: one quarter of 8 is hidden with it.
    assert [r[1] for r in _table(figures, "loennede_timer").rows] == [HIDDEN]
    assert_no_hidden_count_can_be_worked_out(figures)
    # What it protects against: the 8 shown pins both counts.
    assert solvable_across([[([SMALL, SMALL], [None, None])], [([HIDDEN], None)]], 8) == [
        ("count", 0, 0, 0), ("count", 0, 0, 1), ("count", 1, 0, 0)]
    # The page, the report and the command line show the hidden total the same way.
    make_consultant()
    login(client)
    page = client.get("/resultater?aar=2025").get_data(as_text=True)
    assert "afsluttede forløb: <strong>–</strong>" in page
    html = client.get("/resultater/erfaringsopsamling.html?aar=2025").get_data(as_text=True)
    assert "Forløb afsluttet i perioden: –." in html


def test_a_group_of_only_hidden_counts_hides_a_second_group_total(db):
    # Group A: 20, 10, 7, 3 of 40 (its total shown through its shares); group B: 4 and 4. The 48
    # forløb of the period minus A's 40 would leave B's two "<5" 8: both 4.
    _forloeb(db, GROUP_A, beskaeftigelse=20, fleksjob=10, uddannelse=7, ledighed=3)
    _forloeb(db, GROUP_B, beskaeftigelse=4, ledighed=4)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    shown = _shown_lines(figures)
    assert shown[GROUP_B] == [(SMALL, None), (SMALL, None)]
    # A keeps its counts but not its shares, so its total, and B's, stay unknown; 48 is shown.
    assert shown[GROUP_A] == [(20, None), (HIDDEN, None), (10, None), (SMALL, None)]
    assert figures.ended_shown == 48
    assert_no_hidden_count_can_be_worked_out(figures)
    assert solvable_across([[([20, HIDDEN, 10, SMALL], [50.0, None, 25.0, None]), ([SMALL, SMALL], [None, None])]],
                           48) == [("count", 0, 1, 0), ("count", 0, 1, 1), ("total", 0, 1)]


def test_one_hidden_group_total_is_not_left_to_be_worked_out(db):
    # Group B: 3 and 7, shown "<5" and "–" (no shares, so no total); with A's 40 (from its shares)
    # and the 50 forløb of the period, B's total 10 could be worked out: A's shares go too.
    _forloeb(db, GROUP_A, beskaeftigelse=20, fleksjob=10, uddannelse=7, ledighed=3)
    _forloeb(db, GROUP_B, beskaeftigelse=7, ledighed=3)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    shown = _shown_lines(figures)
    assert shown[GROUP_B] == [(HIDDEN, None), (SMALL, None)]
    assert [part for _, part in shown[GROUP_A]] == [None] * 4 and figures.ended_shown == 50
    assert_no_hidden_count_can_be_worked_out(figures)
    assert ("total", 0, 1) in solvable_across(
        [[([20, HIDDEN, 10, SMALL], [50.0, None, 25.0, None]), ([HIDDEN, SMALL], [None, None])]], 50)


def test_several_small_groups_that_pin_each_other_hide_the_forloeb_of_the_period(db):
    # Two groups of 4 and 4 each: four "<5" of 16 can only be four 4s; no group total is left to hide.
    _forloeb(db, GROUP_A, beskaeftigelse=4, ledighed=4)
    _forloeb(db, GROUP_B, beskaeftigelse=4, ledighed=4, end="2025-05")
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert figures.ended_shown == HIDDEN
    # The quarters (8 and 8) would add up to it: both are hidden.
    assert [r[1] for r in _table(figures, "loennede_timer").rows] == [HIDDEN, HIDDEN]
    assert_no_hidden_count_can_be_worked_out(figures)


def _active_employers(db, **industries: int) -> None:
    """Approved employers with one open småjob each, so many in each industry."""
    with write(db):
        for industry, n in industries.items():
            for index in range(n):
                employer = f"e-{industry}-{index}"
                db.execute("INSERT INTO employers (id, name, industry, postcode, lat, lon, created_at, updated_at) "
                           "VALUES (?, ?, ?, '8000', 56.15, 10.2, '2024-01-01', '2024-01-01')",
                           [employer, employer, industry])
                db.execute("INSERT INTO openings (id, employer_id, title, tasks, created_at, updated_at) "
                           "VALUES (?, ?, 'Småjob', 'Opgaver', '2024-01-01', '2024-01-01')", [f"o-{employer}", employer])


def test_industries_of_only_small_counts_hide_the_active_employers(db):
    # 4 in retail and 4 in cleaning: "<5" and "<5" under 8 active employers would make both 4.
    _active_employers(db, Detailhandel=4, Rengøring=4)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert _table(figures, "brancher").rows == [["Detailhandel", SMALL, None], ["Rengøring", SMALL, None]]
    assert _table(figures, "virksomheder").rows[0] == ["Aktive inkluderende virksomheder", HIDDEN]
    assert_no_hidden_count_can_be_worked_out(figures)
    assert solvable_across([[([SMALL, SMALL], [None, None])]], 8) == [("count", 0, 0, 0), ("count", 0, 0, 1)]


def test_industries_whose_hidden_counts_cannot_be_pinned_keep_the_active_employers(db):
    # 3 and 2 of 5: "<5" and "<5" make 5 in four ways, so the 5 stays.
    _active_employers(db, Detailhandel=3, Rengøring=2)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert _table(figures, "virksomheder").rows[0] == ["Aktive inkluderende virksomheder", 5]
    assert_no_hidden_count_can_be_worked_out(figures)


def test_no_hidden_count_can_be_worked_out_across_lines():
    # Target groups' lines as the tables hold them, against a shown grand total, checked the way a reader would.
    draw = random.Random(1212)
    for _ in range(300):
        lines = [[draw.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _ in range(draw.randint(1, 3))]
                 for _ in range(draw.randint(1, 3))]
        lines = [line for line in lines if sum(line)]
        if not lines:
            continue
        total = sum(map(sum, lines))
        protected_lines, grand_hidden = results.protected_together(lines, total)
        shown = []
        for line in protected_lines:
            cells = results.counts_with_shares(line.counts, line.hidden, line.shares)
            shown.append(([c for c, _ in cells], [p for _, p in cells]))
        grand = HIDDEN if grand_hidden else results.small(total)
        assert solvable_across([shown], grand) == [], (lines, shown, grand)


def test_a_hidden_quarter_does_not_give_itself_away_by_its_paid_hours(db):
    # Q1: 1 forløb; Q2: 9, all with paid hours. Shown as "<5" and "–" of 10, the 9 with paid hours
    # would say Q2 has at least 9, so Q1 exactly 1: the 9 is hidden too.
    _row(db, end="2025-02", outcome="ledighed")
    for _ in range(9):
        _row(db, end="2025-05", paid=True, days=10)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert [r[1:4] for r in _table(figures, "loennede_timer").rows] == [[SMALL, 0, None], [HIDDEN, HIDDEN, None]]
    assert figures.ended_shown == 10
    assert_no_hidden_count_can_be_worked_out(figures)
    assert solvable_across([[([SMALL, HIDDEN], None, {1: 9})]], 10) == [("count", 0, 0, 0), ("count", 0, 0, 1)]


def _paid_with_statuses(db, statuses: dict[str, int], without_status: int) -> None:
    """Group A, 2025-Q1: forløb with paid hours, so many of each status two months after, and some without one."""
    for status, n in statuses.items():
        for _ in range(n):
            _row(db, paid=True, days=10, statuses={2: status})
    for _ in range(without_status):
        _row(db, paid=True, days=10)


def test_statuses_of_only_small_counts_hide_the_missing_ones(db):
    # 15 forløb: 4 to work and 4 to ledighed two months after, 7 missing: the 8 recorded, shown
    # "<5" and "<5", would be both 4. The 7 missing is hidden.
    _paid_with_statuses(db, {"beskaeftigelse": 4, "ledighed": 4}, without_status=7)
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert [r[3] for r in _table(figures, "status_efter").rows] == [SMALL, SMALL]
    assert figures.missing_statuses == {2: HIDDEN, 6: 15} and figures.ended_shown == 15
    assert_no_hidden_count_can_be_worked_out(figures)
    assert solvable_across([[([SMALL, SMALL], [None, None])]], 15 - 7) == [("count", 0, 0, 0), ("count", 0, 0, 1)]
