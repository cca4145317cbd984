"""Issue 12, small numbers: complementary suppression. Where a reader knows a line's total (shown,
or worked out from a count and its share), a lone "<5" would be the total minus the other counts;
data.results hides the next smallest counts too ("–"), the same on the page, in CSV, XLSX and PDF.
`solvable_counts` plays the reader: it tries every value a hidden count could have."""
from __future__ import annotations

import csv
import io
import random
import re

from data import results
from tests.conftest import login
from tests.test_results import GROUP_A, POINTS, TODAY, _row, _table

SMALL, HIDDEN = results.SMALL, results.HIDDEN


def solvable_counts(shown: list, total: int) -> list[int]:
    """The indexes of hidden counts in a line that a reader who knows the line's total can work out.

    What the reader knows: the shown counts, that "<5" is 1-4 and that "–" is a count of 5 or more
    (the rule says so), and the total. A hidden count is worked out when exactly one of its
    possible values leaves the other hidden counts a sum they can make."""
    hidden = [i for i, value in enumerate(shown) if value in (SMALL, HIDDEN)]
    rest = total - sum(value for value in shown if isinstance(value, int))
    bounds = {i: (1, 4) if shown[i] == SMALL else (5, rest) for i in hidden}
    solved = []
    for i in hidden:
        others_low = sum(bounds[j][0] for j in hidden if j != i)
        others_high = sum(bounds[j][1] for j in hidden if j != i)
        possible = [v for v in range(bounds[i][0], bounds[i][1] + 1) if others_low <= rest - v <= others_high]
        assert possible, f"no value fits: {shown}, total {total}"
        if len(possible) == 1:
            solved.append(i)
    return solved


def _total_from_shares(counts: list, shares: list) -> int | None:
    """The total a reader works out from a shown count and its share (None when no share is shown)."""
    for count, part in zip(counts, shares):
        if isinstance(count, int) and part:
            return round(100 * count / part)
    return None


def assert_no_hidden_count_can_be_worked_out(figures) -> None:
    """Every line of every table whose total a reader knows: no hidden count can be worked out."""
    lines = []  # (counts as shown, known total)
    for key, line_of, count, part in (("afgangsstatus", lambda r: r[0], 2, 3),
                                      ("status_efter", lambda r: (r[0], r[1]), 3, 4),
                                      ("brancher", lambda r: None, 1, 2)):
        grouped: dict = {}
        for row in _table(figures, key).rows:
            grouped.setdefault(line_of(row), []).append(row)
        for rows in grouped.values():
            counts, shares = [r[count] for r in rows], [r[part] for r in rows]
            lines.append((counts, _total_from_shares(counts, shares)))
    # The quarters' forløb add up to the forløb of the period, which the page and report show.
    lines.append(([r[1] for r in _table(figures, "loennede_timer").rows], figures.ended))
    for counts, total in lines:
        if total is not None:
            assert solvable_counts(counts, total) == [], (counts, total)


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
