"""Walks every route of the web app except the JSON API (tests/test_api_access.py walks that) and
the public ones below, with ids of real rows: another consultant gets 404/403 on anything about a
citizen that is not theirs, an anonymous visitor is sent to /login, and the owner is let in. New
routes are walked without anyone adding them here."""
from __future__ import annotations

import re
from datetime import date

import pytest

from data import placements, taught_links
from data.outbox import enqueue
from data.reminders import insert_reminder
from tests.conftest import PASSWORD, login
from tests.signup_helpers import post_form

# Open to the public on purpose, or guarded by a signed token in the URL instead of a log-in
# (each has its own tests); log-in and log-out are tested in tests/test_web_auth.py, the code
# step of the log-in and single sign-on in tests/test_twofactor.py and tests/test_sso.py.
PUBLIC_BLUEPRINTS = {"signup", "checkin", "auth", "static", "api", "password_link", "second_factor", "sso"}
PUBLIC_ENDPOINTS = {"today.feed"}
ADMIN_ONLY = {"outbox_admin", "accounts_admin", "audit_admin", "operations_admin", "taught_links_admin"}
ADMIN_ONLY_ENDPOINTS = {"erasure.erase_employer"}
OWNER, OTHER = "konsulent@example.dk", "anden@example.dk"
CITIZEN_ARGS = {"citizen_id", "placement_id", "report_id", "meeting_id", "reminder_id"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def rows(app, demo_db, make_consultant):
    make_consultant(OWNER)
    make_consultant(OTHER, "Anne Anden")
    placement = placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id="opn-98191",
                                            kind="smajob", start_date="2026-01-05", hours_per_week=8)
    report = placements.add_report_due(demo_db, placement["id"], "delrapport", "2026-02-01")
    meeting = placements.log_meeting(demo_db, citizen_id="cit-fatma", placement_id=placement["id"],
                                     kind="first_employer", held_on="2026-01-06", note="Fortroligt notat")
    reminder_id = insert_reminder(demo_db, rule="follow_up", dedupe_key="walk", consultant_email=OWNER,
                                  citizen_id="cit-fatma", placement_id=placement["id"], due_on=date(2026, 1, 12),
                                  title="Opfølgning med Fatma")
    outbox_id = enqueue(demo_db, to="emp-98191@example.dk", subject="Tak", body_text="Tak\n")
    assert post_form(app.test_client()).status_code == 302  # a pending self-registration
    registration_id = demo_db.execute("SELECT MAX(id) FROM registrations").fetchone()[0]
    link, _ = taught_links.add(demo_db, "cortado", "servering", created_by=None)
    return {"citizen_id": "cit-fatma", "placement_id": placement["id"], "report_id": report["id"],
            "meeting_id": meeting["id"], "employer_id": "emp-98191", "code": "2200",
            "reminder_id": reminder_id, "outbox_id": outbox_id, "registration_id": registration_id,
            "months": 2, "link_id": link["id"]}  # a follow-up point (SMAJOBS_OUTCOME_FOLLOWUP_MONTHS)


def _walked(endpoint: str) -> bool:
    return endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS and endpoint not in PUBLIC_ENDPOINTS


def _admin_only(endpoint: str) -> bool:
    return endpoint.split(".")[0] in ADMIN_ONLY or endpoint in ADMIN_ONLY_ENDPOINTS


def routes(app, values: dict) -> list[tuple[str, str, str, set[str]]]:
    """(endpoint, method, url, argument names) for every rule that needs a logged-in consultant."""
    found = []
    for rule in app.url_map.iter_rules():
        if not _walked(rule.endpoint):
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
            "placements.edit_meeting", "placements.delete_meeting", "employers.index", "employers.show",
            "today.index", "today.done", "today.snooze", "today.new_feed", "signup_queue.index",
            "signup_queue.detail", "signup_queue.approve", "signup_queue.reject", "outbox_admin.index",
            "outbox_admin.retry", "home"} <= endpoints


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
        elif _admin_only(endpoint):
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 400, 404), (endpoint, method, url, response.status_code)
            assert b"Fatma" not in response.data, (endpoint, url)
    assert checked >= 13
    # Nothing was changed by the refused writes (the meeting is neither edited nor deleted).
    assert placements.meetings_of_citizen(demo_db, "cit-fatma") == meetings_before
    assert placements.reports_of(demo_db, rows["placement_id"])[0]["submitted_at"] is None
    assert demo_db.execute("SELECT consultant_email FROM citizens WHERE id = 'cit-fatma'").fetchone()[0] == OWNER
    assert demo_db.execute("SELECT status FROM reminders WHERE id = ?", [rows["reminder_id"]]).fetchone()[0] == "open"


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
            expected = 403 if _admin_only(endpoint) else (302 if endpoint == "home" else 200)
            assert client.get(url).status_code == expected, (endpoint, url)


def test_post_without_csrf_token_is_refused(client, rows, demo_db):
    login(client, OWNER)
    before = placements.meetings_of_citizen(demo_db, "cit-fatma")
    response = client.post("/borgere/cit-fatma/moeder/nyt", data={"kind": "first_citizen", "held_on": "2026-01-02"})
    assert response.status_code == 400
    assert placements.meetings_of_citizen(demo_db, "cit-fatma") == before


@pytest.fixture
def app_requiring_2fa(config):
    from web import create_app
    application = create_app(config.with_(require_2fa="all"))
    application.config.update(TESTING=True)
    return application


def test_with_2fa_on_a_password_alone_opens_only_the_setup_page(app_requiring_2fa, rows):
    client = app_requiring_2fa.test_client()
    token = csrf_token(client)
    # The password alone, not the helper that goes on to set up the app.
    assert client.post("/login", data={"email": OWNER, "password": PASSWORD, "csrf_token": token}
                       ).headers["Location"].endswith("/konto/to-faktor")
    token = CSRF.search(client.get("/konto/to-faktor").get_data(as_text=True)).group(1)  # this session's
    checked = 0
    for endpoint, method, url, _ in routes(app_requiring_2fa, rows):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        if endpoint == "account.setup":
            assert response.status_code in (200, 400), (endpoint, method, response.status_code)
            continue
        assert response.status_code == 302, (endpoint, method, url, response.status_code)
        assert response.headers["Location"].endswith("/konto/to-faktor"), (endpoint, url)
        assert b"Fatma" not in response.data
        checked += 1
    assert checked > 40


def test_with_2fa_on_the_owner_gets_every_page_after_both_factors(app_requiring_2fa, rows, demo_db):
    client = app_requiring_2fa.test_client()
    assert login(client, OWNER).status_code == 302  # sets the app up through the real pages
    assert demo_db.execute("SELECT totp_secret IS NOT NULL FROM consultants WHERE email = ?",
                           [OWNER]).fetchone()[0] == 1
    for endpoint, method, url, _ in routes(app_requiring_2fa, rows):
        if method == "GET":
            expected = 403 if _admin_only(endpoint) else (302 if endpoint == "home" else 200)
            assert client.get(url).status_code == expected, (endpoint, url)
