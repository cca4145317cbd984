"""Issue 12, figures: every figure of the Resultater page against a small data set computed by
hand, "<5" everywhere (page, CSV, XLSX, PDF), erasure leaves the figures unchanged."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from data import results
from data.db import write
from tests.conftest import login

POINTS = (2, 6)
TODAY = date(2026, 6, 15)
GROUP_A, GROUP_B = "Unge under 30 år", "Udsatte voksne over 30 år"


def _row(db, *, kind="smajob", group=GROUP_A, start="2025-01", end="2025-03", paid=False, days=None,
         outcome="beskaeftigelse", consultant=None, statuses=None, demo=0):
    with write(db):
        stats_id = db.execute(
            "INSERT INTO placement_statistics (kind, target_group, age_band, start_month, end_month, "
            "paid_hours_reached, days_to_paid_hours, outcome, consultant_id, demo) VALUES (?, ?, '25-29', ?, ?, ?, ?, ?, ?, ?)",
            [kind, group, start, end, int(paid), days, outcome, consultant, demo]).lastrowid
        for months, status in (statuses or {}).items():
            db.execute("INSERT INTO placement_statistics_statuses (statistics_id, months, status) VALUES (?, ?, ?)",
                       [stats_id, months, status])


def hand_data(db):
    """2025, target group A: 6 ended in Q1 (5 with paid hours after 10, 20, 30, 40, 50 days; 4
    to work, 2 to education), group B: 3 in Q2 without paid hours (all ledighed), one in 2024."""
    for days, outcome in zip((10, 20, 30, 40, 50), ("beskaeftigelse",) * 4 + ("uddannelse",)):
        _row(db, paid=True, days=days, outcome=outcome, consultant=1,
             statuses={2: "beskaeftigelse", 6: "beskaeftigelse"} if days <= 40 else {2: "uddannelse"})
    _row(db, outcome="uddannelse", consultant=2, statuses={2: "ledighed"})
    for _ in range(3):
        _row(db, group=GROUP_B, kind="virksomhedspraktik", start="2025-03", end="2025-05", outcome="ledighed")
    _row(db, end="2024-12", outcome="sygedagpenge")


def _table(figures, key):
    return next(t for t in figures.tables if t.key == key)


@pytest.fixture
def figures(db):
    hand_data(db)
    return results.compute(db, results.year_filter(2025), POINTS, TODAY)


def test_outcomes_per_target_group(figures):
    assert figures.ended == 9 and not figures.includes_demo
    # Group A: 4 to work, 2 to education; group B: 3 ledighed; all under 5, so no shares.
    assert _table(figures, "afgangsstatus").rows == [
        [GROUP_B, "Ledighed", "<5", None],
        [GROUP_A, "Beskæftigelse", "<5", None],
        [GROUP_A, "Uddannelse", "<5", None],
    ]


def test_outcome_shares_when_counts_are_five_or_more(db):
    for _ in range(5):
        _row(db, outcome="beskaeftigelse")
    for _ in range(15):
        _row(db, outcome="ledighed")
    table = _table(results.compute(db, results.year_filter(2025), POINTS, TODAY), "afgangsstatus")
    assert table.rows == [[GROUP_A, "Beskæftigelse", 5, 25.0], [GROUP_A, "Ledighed", 15, 75.0]]


def test_paid_hours_quarter_by_quarter(db, figures):
    # Q1: 6 forløb, 5 with paid hours (83,3 %), median of 10..50 = 30; Q2: 3 without (<5). The 9
    # forløb of the year are shown, so Q1's 6 is hidden too (else Q2 = 9 - 6), and with it its share.
    assert _table(figures, "loennede_timer").rows == [["2025-K1", "–", 5, None, 30.0], ["2025-K2", "<5", 0, None, None]]
    q1 = results.compute(db, results.quarter_filter(2025, 1), POINTS, TODAY)
    assert _table(q1, "loennede_timer").rows == [["2025-K1", 6, 5, 83.3, 30.0]]


def test_status_after_with_and_without_paid_hours(figures):
    rows = _table(figures, "status_efter").rows
    # 2 months: with paid hours 4 work + 1 education; without: 1 ledighed (of 4 due without).
    assert rows == [
        [2, "Med", "Beskæftigelse", "<5", None], [2, "Med", "Uddannelse", "<5", None],
        [2, "Uden", "Ledighed", "<5", None],
        [6, "Med", "Beskæftigelse", "<5", None],
    ]
    # Missing: 2 months: the 3 of group B; 6 months (due from 2025-09 for Q1, 2025-11 for Q2): 1 + 1 + 3.
    assert figures.missing_statuses == {2: "<5", 6: 5}


def test_filters_narrow_by_target_group_kind_consultant_and_quarter(db):
    hand_data(db)
    def ended(**narrowing):
        return results.compute(db, results.year_filter(2025, **narrowing), POINTS, TODAY).ended
    assert ended(target_group=GROUP_B) == 3 and ended(kind="smajob") == 6 and ended(consultant_id=1) == 5
    assert results.compute(db, results.quarter_filter(2025, 2), POINTS, TODAY).ended == 3
    assert results.compute(db, results.Filter("2024-12", "2025-01"), POINTS, TODAY).ended == 1


def test_small_and_share_rules():
    assert [results.small(n) for n in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert results.share(5, 10) == 50.0 and results.share(4, 10) is None and results.share(5, 4) is None
    assert results.share(0, 0) is None and results.share(0, 10) == 0.0



def test_erasing_a_citizen_leaves_the_figures_unchanged(demo_db, config):
    from data.placements import end_placement
    from jobs import erasure
    from tests.rules_helpers import placement
    for citizen in ("cit-fatma", "cit-sofie"):
        p = placement(demo_db, citizen, start="2025-01-06", paid=3)
        end_placement(demo_db, p["id"], "2025-03-31", "beskaeftigelse")
    selection = results.year_filter(2025)
    before = [t.rows for t in results.compute(demo_db, selection, POINTS, TODAY).tables[:3]]
    assert erasure.erase_citizen(demo_db, config, "cit-fatma")
    after = [t.rows for t in results.compute(demo_db, selection, POINTS, TODAY).tables[:3]]
    assert after == before and before[1] == [["2025-K1", "<5", "<5", None, None]]


def _small_everywhere_data(db):
    _row(db, outcome="fleksjob")  # one forløb: every count is 1


def test_small_numbers_show_as_under_five_on_the_page_and_in_csv_and_xlsx(db, client, make_consultant):
    from openpyxl import load_workbook
    _small_everywhere_data(db)
    make_consultant()
    login(client)
    page = client.get("/resultater?aar=2025").get_data(as_text=True)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert "&lt;5" in cells and "1" not in cells
    assert "Fleksjob: " not in page  # the chart draws no segment for a hidden share
    text = client.get("/resultater.csv?aar=2025").get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert "antal" in lines[0]
    fleksjob = [r for r in lines if r["figur"] == "afgangsstatus"]
    assert fleksjob == [{"figur": "afgangsstatus", "periode": "2025", "gruppe": GROUP_A, "kategori": "Fleksjob",
                         "antal": "<5", "andel_pct": "", "vaerdi": ""}]
    assert all(r["antal"] in ("0", "<5") or int(r["antal"]) >= 5 for r in lines)
    book = load_workbook(io.BytesIO(client.get("/resultater.xlsx?aar=2025").data))
    assert len(book.sheetnames) == 7
    values = [c for sheet in book for row in sheet.iter_rows(min_row=4, values_only=True) for c in row]
    assert "<5" in values and not any(isinstance(v, int) and 1 <= v <= 4 for v in values)
    sheet = book["Afgangsstatus pr. målgruppe"]
    assert list(sheet.iter_rows(min_row=4, values_only=True)) == [(GROUP_A, "Fleksjob", "<5", "–")]


def test_report_pdf_holds_every_section_and_shows_under_five(db, client, make_consultant):
    from pypdf import PdfReader
    _small_everywhere_data(db)
    make_consultant()
    login(client)
    answer = client.get("/resultater/erfaringsopsamling.pdf?aar=2025")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for heading in ("Erfaringsopsamling 2025", "Sammenfatning", "Afgangsstatus pr. målgruppe", "Lønnede timer",
                    "Status efter forløbet, med og uden lønnede timer", "Praksisindikatorer",
                    "Aktive borgere pr. konsulent", "Virksomheder", "Aktive virksomheder pr. branche",
                    "Manglende statusser", "Definitioner"):
        assert heading in text, heading
    assert "Fleksjob <5" in text
    html = client.get("/resultater/erfaringsopsamling.html?aar=2025")
    assert "attachment" in html.headers["Content-Disposition"] and "@page" in html.get_data(as_text=True)


def test_results_page_filters_and_a_bad_period_get_a_danish_message(db, client, make_consultant):
    hand_data(db)
    make_consultant()
    login(client)
    page = client.get("/resultater?aar=2025&periode=kvartal&kvartal=2").get_data(as_text=True)
    assert "2025-04 – 2025-06" in page and "2025-K2" in page and "2025-K1" not in page
    page = client.get("/resultater?periode=interval&fra=2025-13&til=x").get_data(as_text=True)
    assert "Angiv fra og til som måneder" in page
    assert page.count("<svg") >= 4


def test_practice_indicators_and_employers_from_the_live_tables(demo_db, make_consultant):
    from data.placements import log_meeting
    from tests.rules_helpers import placement
    make_consultant()
    db = demo_db
    # Five citizens created 2025-02-01; first employer meetings after 10, 20, 30, 40, 50 days
    # (median 30; 3 of 5 within 30 days = 60 %).
    citizens = [r["id"] for r in db.query("SELECT id FROM citizens ORDER BY id")]
    assert len(citizens) == 3
    with write(db):
        for index in range(2):
            db.execute("INSERT INTO citizens (id, first_name, age, target_group, postcode, lat, lon, consultant_email, "
                       "created_at, updated_at) SELECT ?, first_name, age, target_group, postcode, lat, lon, "
                       "consultant_email, created_at, updated_at FROM citizens WHERE id = ?",
                       [f"cit-copy-{index}", citizens[0]])
        db.execute("UPDATE citizens SET created_at = '2025-02-01T09:00:00+00:00'")
    everyone = [r["id"] for r in db.query("SELECT id FROM citizens ORDER BY id")]
    for citizen, days in zip(everyone, (10, 20, 30, 40, 50)):
        p = placement(db, citizen, start="2025-02-01", paid=2)
        log_meeting(db, citizen_id=citizen, placement_id=p["id"], kind="first_employer",
                    held_on=date.fromordinal(date(2025, 2, 1).toordinal() + days).isoformat())
    with write(db):
        db.execute("UPDATE placements SET paid_hours_since = '2025-03-01'")
        # Follow-ups due in 2025: 5; on time when a follow-up meeting came within 7 days.
        ids = [r[0] for r in db.execute("SELECT id FROM placements ORDER BY id")]
        for pid, citizen in zip(ids, everyone):
            db.execute("INSERT INTO reminders (rule, dedupe_key, consultant_email, citizen_id, placement_id, due_on, "
                       "title, created_at) VALUES ('follow_up', ?, 'konsulent@example.dk', ?, ?, '2025-03-03', 't', "
                       "'2025-03-03')", [f"f{pid}", citizen, pid])
    for citizen, pid in list(zip(everyone, ids))[:3]:
        log_meeting(db, citizen_id=citizen, placement_id=pid, kind="follow_up", held_on="2025-03-06")
    log_meeting(db, citizen_id=everyone[3], placement_id=ids[3], kind="follow_up", held_on="2025-03-20")  # late
    figures = results.compute(db, results.year_filter(2025), POINTS, TODAY)
    assert _table(figures, "praksis").rows == [
        ["Borgere med første virksomhedsmøde", 5, None, None],
        ["Dage til første virksomhedsmøde (median)", 5, 30.0, "højst 30"],
        ["Første virksomhedsmøde inden for 30 dage (%)", "<5", None, "100"],
        ["Opfølgninger holdt til tiden (%)", "<5", None, "100"],
        ["Opfølgninger, der faldt i perioden", 5, None, None],
    ]
    assert _table(figures, "sagsstamme").rows == [["Karen Konsulent", 5, "nej"]]
    active = db.execute("SELECT COUNT(*) FROM employers e WHERE status = 'approved' AND EXISTS "
                        "(SELECT 1 FROM openings o WHERE o.employer_id = e.id AND o.active = 1)").fetchone()[0]
    assert active >= 5
    overview = _table(figures, "virksomheder").rows
    assert overview[0] == ["Aktive inkluderende virksomheder", active]
    assert overview[2] == ["Med et forløb, der nåede lønnede timer", "<5"]  # all five at one opening's employer
    industries = _table(figures, "brancher").rows
    assert sum(r[1] for r in industries if r[1] != "<5") <= active and industries[0][0] == "Detailhandel"
    # The demo's active retailers: 12 retailers, one of them without an open småjob.
    assert industries[0][1] == 11 and industries[0][2] == round(100 * 11 / active, 1)


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf", "html"])
def test_report_command_writes_each_format(db, config, tmp_path, file_format):
    from click.testing import CliRunner
    from smajobs.cli import main
    hand_data(db)
    out = tmp_path / f"rapport.{file_format}"
    answer = CliRunner().invoke(main, ["--db", config.db, "report", "--year", "2025", "--target-group", GROUP_B,
                                       "--format", file_format, "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    assert "<5 afsluttede forløb i 2025" in answer.output
    data = out.read_bytes()
    assert data.startswith({"csv": "\ufeff".encode(), "xlsx": b"PK", "pdf": b"%PDF", "html": b"<!doctype html>"}[file_format])
    if file_format == "csv":
        assert "afgangsstatus;2025;Udsatte voksne over 30 år;Ledighed;<5" in data.decode("utf-8")


def test_report_command_refuses_a_bad_format(config):
    from click.testing import CliRunner
    from smajobs.cli import main
    answer = CliRunner().invoke(main, ["--db", config.db, "report", "--year", "2025", "--format", "doc", "--out", "x"])
    assert answer.exit_code == 2 and "doc" in answer.output


def test_employer_track_record_on_the_employer_page_and_the_match(demo_db, client, make_consultant):
    from data.placements import end_placement
    from tests.rules_helpers import placement
    make_consultant()
    login(client)
    ended = []
    top = "emp-47972"  # Fatma's best match in the demo
    opening = demo_db.execute("SELECT id FROM openings WHERE employer_id = ? AND active = 1", [top]).fetchone()[0]
    for citizen, paid in (("cit-fatma", 3), ("cit-sofie", 0), ("cit-fatma", 2)):
        p = placement(demo_db, citizen, start="2026-01-05", paid=paid, opening=opening)
        ended.append(end_placement(demo_db, p["id"], "2026-02-27", "ledighed"))
    placement(demo_db, "cit-sofie", start="2026-03-02", paid=4, opening=opening)  # running: not counted
    employer = ended[0]["employer_id"]
    assert results.employer_track_records(demo_db, [employer]) == {employer: (3, 2)}
    line = "Tidligere forløb her: 3, heraf 2 med lønnede timer"
    assert line in client.get(f"/virksomheder/{employer}").get_data(as_text=True)
    page = client.get("/borgere/cit-fatma/match?filtre=1&radius=50&show_unknown=1").get_data(as_text=True)
    cards = re.findall(r'<li class="card match">.*?</li>\s*</ul>', page, flags=re.S)
    ours = [card for card in cards if f'/virksomheder/{employer}"' in card]
    assert ours and all(line in card for card in ours)
    assert not any("Tidligere forløb her" in card for card in cards if card not in ours)


def test_demo_history_is_seeded_once_and_marked_on_the_page(db, client, config):
    from click.testing import CliRunner
    from data.demo_history import TARGET_GROUPS, seed_history
    from smajobs.cli import main
    answer = CliRunner().invoke(main, ["--db", config.db, "demo", "--top", "1"])
    assert answer.exit_code == 0 and "Demohistorik: 360 afsluttede forløb" in answer.output
    again = CliRunner().invoke(main, ["--db", config.db, "demo", "--top", "1"])
    assert "Demohistorik" not in again.output
    assert seed_history(db, TODAY) == 0
    groups = {r[0]: r[1] for r in db.execute(
        "SELECT target_group, COUNT(*) FROM placement_statistics WHERE demo = 1 GROUP BY 1")}
    assert set(groups) == set(TARGET_GROUPS) and all(count >= 50 for count in groups.values())
    paid = db.execute("SELECT AVG(paid_hours_reached) FROM placement_statistics WHERE demo = 1").fetchone()[0]
    assert 0.3 < paid < 0.55
    assert db.execute("SELECT COUNT(*) FROM placement_statistics_statuses").fetchone()[0] > 300
    login(client, "konsulent@example.dk", "demo-konsulent")  # the demo's own account
    year = db.execute("SELECT MAX(substr(end_month, 1, 4)) FROM placement_statistics").fetchone()[0]
    page = client.get(f"/resultater?aar={int(year) - 1}").get_data(as_text=True)
    assert "Tallene omfatter demodata" in page and page.count("<svg") >= 5
