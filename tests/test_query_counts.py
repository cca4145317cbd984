"""A page or a list runs a few SQL statements, however many rows it shows.

Each list here is filled past one full page (50 rows or more) and each request's statements are
counted on the app's real SQLite connection (tests/querycount.py says what is counted). A
serializer or template that looks something up per row runs 50 statements more and fails the
budget, which is a small fixed number, not a share of the rows.
"""
from __future__ import annotations

import html
from datetime import date, timedelta

import pytest

from data import accounts, placements, registry
from data.exchange import parse_document
from data.reminders import insert_reminder
from tests.api_contract import make_token
from tests.conftest import PASSWORD, login
from tests.querycount import StatementLog, statements_of

OWNER = "konsulent@example.dk"
FATMA = "cit-fatma"
OPENING = "opn-98191"  # Bagerimedhjælper at Morgenbrødet (emp-98191), in the demo data
EMPLOYER = "emp-98191"
ROWS = 55  # more than the page of 50 the lists are asked for
PAGE = 50
# Statements a request may run, whatever the number of rows. Today's counts (the log-in or token
# look-up and the page's own reads) are 2 to 6; one read per row would add 50.
BUDGET = 10


@pytest.fixture(scope="module")
def password_hash() -> str:
    from web.auth import hash_password
    return hash_password(PASSWORD)


@pytest.fixture
def filled(demo_db, password_hash):
    """The demo registry, a consultant with 55+ citizens (Fatma has the frikort), Fatma with 55
    placements at one employer, and one of them with 55 meetings and 55 report due dates."""
    db = demo_db
    consultant_id = accounts.create_consultant(db, email=OWNER, name="Karen Konsulent", password_hash=password_hash)
    registry.import_document(db, parse_document({"citizens": [
        {"id": f"cit-q{n:03d}", "first_name": f"Borger {n:03d}", "postcode": "8000", "consultant": OWNER}
        for n in range(ROWS)]}))
    for citizen_id in ("cit-fatma", "cit-samir", "cit-sofie"):
        registry.reassign_citizen(db, citizen_id, OWNER)
    db.execute("UPDATE citizens SET social_free_card = 1 WHERE id = ?", [FATMA])
    start = date(2025, 1, 6)
    # One open forløb per citizen and opening (issue 10): the first runs, the others have ended.
    made = [placements.create_placement(
        db, citizen_id=FATMA, opening_id=OPENING, kind="virksomhedspraktik",
        start_date=start + timedelta(days=n), hours_per_week=10,
        **({"status": "active"} if n == 0 else {"status": "ended", "end_date": start + timedelta(days=n + 1),
                                                 "outcome": "ledighed"})) for n in range(ROWS)]
    busy = made[0]["id"]
    for n in range(ROWS):
        placements.add_report_due(db, busy, "delrapport", start + timedelta(days=30 + n))
        placements.log_meeting(db, citizen_id=FATMA, placement_id=busy, kind="follow_up",
                               held_on=start + timedelta(days=n), note=f"Møde {n}")
        insert_reminder(db, rule="follow_up", dedupe_key=f"q-{n}", consultant_email=OWNER, citizen_id=FATMA,
                        placement_id=made[n]["id"], due_on=start, title=f"Opfølgning {n}")
    return {"db": db, "consultant_id": consultant_id, "placement": busy}


def within_budget(response, log, budget: int = BUDGET) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert log.count <= budget, log.report()


# --- the JSON API ---------------------------------------------------------------------------------

API_LISTS = [
    ("/api/v1/citizens", "citizens"),
    ("/api/v1/employers", "employers"),
    ("/api/v1/openings", "openings"),
    (f"/api/v1/citizens/{FATMA}/placements", "placements"),
    (f"/api/v1/employers/{EMPLOYER}/placements", "placements"),
    (f"/api/v1/citizens/{FATMA}/meetings", "meetings"),
    ("/api/v1/placements/{placement}/meetings", "meetings"),
    ("/api/v1/placements/{placement}/reports", "reports"),
    ("/api/v1/placements", "placements"),  # the overview of every forløb
]


@pytest.mark.parametrize("path, key", API_LISTS, ids=[path for path, _ in API_LISTS])
def test_api_list_of_a_full_page_runs_few_statements(client, filled, path, key):
    headers = {"Authorization": f"Bearer {make_token(filled['db'], filled['consultant_id'])}"}
    path = path.format(placement=filled["placement"]) + f"?limit={PAGE}"
    client.get("/api/v1/citizens?limit=1", headers=headers)  # the token's first use is written once
    response, log = statements_of(client, "GET", path, headers=headers)
    assert len(response.get_json()[key]) == PAGE
    within_budget(response, log)


def test_placement_list_carries_each_placements_reports(client, filled):
    """The reports come from one query for the page, still each with its own placement."""
    headers = {"Authorization": f"Bearer {make_token(filled['db'], filled['consultant_id'])}"}
    listed = client.get(f"/api/v1/citizens/{FATMA}/placements?limit=500", headers=headers).get_json()["placements"]
    reports = {p["id"]: p["reports"] for p in listed}
    assert len(reports[filled["placement"]]) == ROWS
    assert [r["due_date"] for r in reports[filled["placement"]]] == sorted(r["due_date"] for r in
                                                                           reports[filled["placement"]])
    assert all(reports[p] == [] for p in reports if p != filled["placement"])
    single = client.get(f"/api/v1/placements/{filled['placement']}", headers=headers).get_json()
    assert single["reports"] == reports[filled["placement"]]


# --- the consultant's pages -----------------------------------------------------------------------

def test_match_page_with_many_matches_runs_few_statements(client, filled):
    login(client, OWNER)
    client.get(f"/borgere/{FATMA}/match")  # the match index is built once per registry version
    response, log = statements_of(client, "GET", f"/borgere/{FATMA}/match?filtre=1&radius=50&show_unknown=1")
    page = html.unescape(response.get_data(as_text=True))
    assert page.count('class="card match"') >= 10
    within_budget(response, log)


PAGES = [
    "/borgere",  # Mine borgere
    f"/borgere/{FATMA}",
    "/virksomheder",
    f"/virksomheder/{EMPLOYER}",
    "/forloeb/{placement}",
    "/forloeb",  # the overview of every forløb
    "/forloeb?sort=no_meeting",
    "/i-dag",
]


@pytest.mark.parametrize("path", PAGES)
def test_list_page_runs_few_statements(client, filled, path):
    login(client, OWNER)
    response, log = statements_of(client, "GET", path.format(placement=filled["placement"]))
    within_budget(response, log)


def test_citizen_list_page_shows_every_citizen(client, filled):
    login(client, OWNER)
    page = client.get("/borgere").get_data(as_text=True)
    assert page.count("Borger 0") == ROWS


# --- the command line -----------------------------------------------------------------------------

def test_smajobs_match_output_reads_openings_and_employers_at_once(demo_db):
    from data.matching import match_service
    from smajobs.commands.registry import format_matches
    result = match_service.match(demo_db, FATMA, top=20, radius_km=50)
    assert len(result.matches) >= 10
    log = StatementLog()
    demo_db.conn.set_trace_callback(log.record)
    try:
        text = format_matches(demo_db, FATMA, result)
    finally:
        demo_db.conn.set_trace_callback(None)
    assert text.count(" score ") == len(result.matches)
    assert log.count <= 2, log.report()
