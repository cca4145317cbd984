"""Walks every route of the consultant blueprints (citizens, placements, employers) with ids of
real rows: another consultant gets 404/403 on anything about a citizen that is not theirs, an
anonymous visitor is sent to /login, and the owner is let in."""
from __future__ import annotations

import re

import pytest

from data import placements
from tests.conftest import login

BLUEPRINTS = ("citizens", "placements", "employers")
OWNER, OTHER = "konsulent@example.dk", "anden@example.dk"
CITIZEN_ARGS = {"citizen_id", "placement_id", "report_id", "meeting_id"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def rows(demo_db, make_consultant):
    make_consultant(OWNER)
    make_consultant(OTHER, "Anne Anden")
    placement = placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id="opn-98191",
                                            kind="smajob", start_date="2026-01-05", hours_per_week=8)
    report = placements.add_report_due(demo_db, placement["id"], "delrapport", "2026-02-01")
    meeting = placements.log_meeting(demo_db, citizen_id="cit-fatma", placement_id=placement["id"],
                                     kind="first_employer", held_on="2026-01-06", note="Fortroligt notat")
    return {"citizen_id": "cit-fatma", "placement_id": placement["id"], "report_id": report["id"],
            "meeting_id": meeting["id"], "employer_id": "emp-98191", "code": "2200"}


def routes(app, values: dict) -> list[tuple[str, str, str, set[str]]]:
    """(endpoint, method, url, argument names) for every rule of our blueprints."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in BLUEPRINTS:
            continue
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url, set(rule.arguments)))
    return found


def csrf_token(client) -> str:
    return CSRF.search(client.get("/login").get_data(as_text=True)).group(1)


def test_the_walk_covers_every_page(app, rows):
    endpoints = {endpoint for endpoint, *_ in routes(app, rows)}
    assert {"citizens.index", "citizens.new", "citizens.show", "citizens.edit", "citizens.match",
            "citizens.reassign", "citizens.postcode", "placements.new", "placements.show", "placements.edit",
            "placements.add_report", "placements.submit_report", "placements.new_meeting",
            "placements.edit_meeting", "placements.delete_meeting", "employers.index", "employers.show"} <= endpoints


def test_another_consultant_is_refused_every_citizen_route(app, client, rows, demo_db):
    login(client, OTHER)
    token = csrf_token(client)
    meetings_before = placements.meetings_of_citizen(demo_db, "cit-fatma")
    checked = 0
    for endpoint, method, url, arguments in routes(app, rows):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        if arguments & CITIZEN_ARGS:
            assert response.status_code in (403, 404), (endpoint, method, url, response.status_code)
            assert b"Fatma" not in response.data and b"Fortroligt notat" not in response.data
            checked += 1
        else:
            assert response.status_code in (200, 302, 400, 404), (endpoint, method, url, response.status_code)
            assert b"Fatma" not in response.data, (endpoint, url)
    assert checked >= 10
    # Nothing was changed by the refused writes (the meeting is neither edited nor deleted).
    assert placements.meetings_of_citizen(demo_db, "cit-fatma") == meetings_before
    assert placements.reports_of(demo_db, rows["placement_id"])[0]["submitted_at"] is None
    assert demo_db.execute("SELECT consultant_email FROM citizens WHERE id = 'cit-fatma'").fetchone()[0] == OWNER


def test_anonymous_is_sent_to_login_everywhere(app, client, rows):
    token = csrf_token(client)
    for endpoint, method, url, _ in routes(app, rows):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302, (endpoint, method, url, response.status_code)
        assert "/login" in response.headers["Location"], (endpoint, url)


def test_owner_gets_every_page(app, client, rows):
    login(client, OWNER)
    for endpoint, method, url, _ in routes(app, rows):
        if method == "GET":
            assert client.get(url).status_code == 200, (endpoint, url)


def test_post_without_csrf_token_is_refused(client, rows, demo_db):
    login(client, OWNER)
    before = placements.meetings_of_citizen(demo_db, "cit-fatma")
    response = client.post("/borgere/cit-fatma/moeder/nyt", data={"kind": "first_citizen", "held_on": "2026-01-02"})
    assert response.status_code == 400
    assert placements.meetings_of_citizen(demo_db, "cit-fatma") == before
