"""Danish error pages (web/errors.py) for consultant pages, JSON errors for /api/, and the page
shown when a form was sent after its session or CSRF token had expired."""
from __future__ import annotations

import logging
import re

import pytest
from flask import abort
from playwright.sync_api import expect

from tests.api_contract import make_token
from tests.conftest import browser_login, login

OWNER = "konsulent@example.dk"
CITIZEN = "cit-fatma"  # the owner's in the demo data
NOTE = "Fatma kom til tiden og vil gerne prøve opvasken næste uge."
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WERKZEUG_ENGLISH = ("Not Found", "Forbidden", "Method Not Allowed", "Bad Request", "Internal Server Error",
                    "Request Entity Too Large", "The CSRF", "Too Many Requests", "Unauthorized")


def _page(response) -> str:
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    for english in WERKZEUG_ENGLISH:
        assert english not in html, english
    return html


SECRET = "CPR 010190-1234 misbrug"
STATUSES = [(400, "Forespørgslen kunne ikke læses"), (401, "Log ind først"), (429, "For mange forsøg"),
            (418, "Siden kunne ikke vises")]


def _crash():
    raise RuntimeError(SECRET)


@pytest.fixture
def app(app):
    """The app with routes that fail on purpose; added before its first request, as Flask wants."""
    for code, _ in STATUSES:
        app.add_url_rule(f"/_status/{code}", f"status_{code}", lambda code=code: abort(code))
    app.add_url_rule("/_crash", "crash", _crash)
    app.add_url_rule("/api/v1/_crash", "api_crash", _crash)  # outside the API blueprint's own handlers
    return app


@pytest.fixture
def owner(demo_db, make_consultant, client):
    make_consultant(OWNER)
    assert login(client, OWNER).status_code == 302
    return client


def _meetings(db) -> int:
    return db.execute("SELECT count(*) FROM meetings").fetchone()[0]


# --- pages -----------------------------------------------------------------------------------

def test_unknown_page_and_another_consultants_citizen_are_a_danish_404_with_a_way_on(owner, demo_db):
    for path in ("/findes-ikke", "/borgere/cit-findes-ikke"):
        response = owner.get(path)
        html = _page(response)
        assert response.status_code == 404 and "<h1>Siden findes ikke</h1>" in html
        assert 'href="/borgere">Gå til Mine borgere</a>' in html
        assert "Log ud" in html  # the normal layout, with the menu


def test_a_404_for_someone_not_logged_in_offers_the_log_in(client, db):
    html = _page(response := client.get("/findes-ikke"))
    assert response.status_code == 404 and 'href="/login">Log ind</a>' in html


def test_an_admin_page_is_a_danish_403_for_a_consultant(owner):
    response = owner.get(_admin_path(owner))
    html = _page(response)
    assert response.status_code == 403 and "<h1>Ingen adgang</h1>" in html and "administrator" in html


def _admin_path(client) -> str:
    app = client.application
    with app.test_request_context():
        from flask import url_for
        return url_for("outbox_admin.index")


def test_a_wrong_method_is_a_danish_405_that_names_the_allowed_ones(owner):
    response = owner.get("/logout")
    html = _page(response)
    assert response.status_code == 405 and "<h1>Det kan siden ikke</h1>" in html
    assert "POST" in response.headers["Allow"]


def test_too_big_a_form_is_a_danish_413_and_nothing_is_stored(app, owner, demo_db):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    token = CSRF.search(owner.get(f"/borgere/{CITIZEN}/moeder/nyt").get_data(as_text=True)).group(1)
    response = owner.post(f"/borgere/{CITIZEN}/moeder/nyt",
                          data={"csrf_token": token, "kind": "first_citizen", "held_on": "2026-01-10",
                                "note": "x" * 10_000})
    html = _page(response)
    assert response.status_code == 413 and "<h1>For meget på én gang</h1>" in html and "intet er gemt" in html
    assert _meetings(demo_db) == 0


@pytest.mark.parametrize("code, title", STATUSES)
def test_every_other_status_gets_a_danish_page(client, db, code, title):
    response = client.get(f"/_status/{code}")
    html = _page(response)
    assert response.status_code == code and f"<h1>{title}</h1>" in html and f"Fejlkode {code}." in html


def test_a_crash_is_a_danish_500_without_the_exception_on_the_page_or_in_the_log(app, owner, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, where TESTING is off
    with caplog.at_level(logging.ERROR):
        response = owner.get("/_crash")
    html = _page(response)
    assert response.status_code == 500 and "<h1>Der skete en fejl</h1>" in html
    assert SECRET not in html and "RuntimeError" not in html and "Traceback" not in html
    assert "Error RuntimeError in GET /_crash" in caplog.text and "in _crash" in caplog.text  # type, rule, frames
    assert SECRET not in caplog.text


def test_a_page_that_cannot_render_still_answers_in_danish(app, client, db):
    app.jinja_env.globals["url_for"] = None  # rendering errors.html now fails
    response = client.get("/findes-ikke")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and "Siden findes ikke (fejl 404)" in text


def test_a_script_asking_for_json_gets_json(owner):
    response = owner.get("/findes-ikke", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.is_json
    assert response.json["message"] == "Findes ikke, eller du har ikke adgang til den."


# --- the API keeps JSON ----------------------------------------------------------------------------

def test_api_errors_stay_json(app, client, demo_db, make_consultant):
    token = make_token(demo_db, make_consultant(OWNER))
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        (client.get("/api/v1/findes-ikke", headers=auth), 404),
        (client.get("/api/v1/citizens/cit-findes-ikke", headers=auth), 404),
        (client.get("/api/v1/citizens"), 401),
        (client.delete("/api/v1/citizens", headers=auth), 405),
        (client.get("/api/v2/citizens", headers=auth), 404),
        (client.get("/api", headers=auth), 404),
    ]
    for response, status in cases:
        assert response.status_code == status and response.is_json, (response.request.path, response.status_code)
        assert set(response.json) == {"status", "message", "problems"} and response.json["status"] == status
        assert "<html" not in response.get_data(as_text=True)


def test_a_crash_under_api_is_json_without_the_exception(app, client, db):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/_crash")
    assert response.status_code == 500 and response.is_json and response.json["status"] == 500
    assert SECRET not in response.get_data(as_text=True)


def test_the_employer_form_keeps_its_own_pages(client, db):
    response = client.post("/virksomhed/tilmeld", data={"csrf_token": "forkert"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Siden er udløbet" in html and "Åbn siden igen" in html


# --- an expired form ---------------------------------------------------------------------------------

def _post_meeting(client, **headers):
    return client.post(f"/borgere/{CITIZEN}/moeder/nyt", headers=headers,
                       data={"csrf_token": "udløbet", "kind": "first_citizen", "held_on": "2026-01-10",
                             "participants": "Fatma", "note": NOTE, "password": "hemmelig-adgangskode-123"})


def test_an_expired_form_says_nothing_was_saved_and_shows_what_was_typed(owner, demo_db):
    response = _post_meeting(owner, Origin="http://localhost", Referer=f"http://localhost/borgere/{CITIZEN}/moeder/nyt")
    html = _page(response)
    assert response.status_code == 400 and "<h1>Siden er udløbet</h1>" in html
    assert "Det, du sendte, er ikke gemt." in html
    assert f'href="/borgere/{CITIZEN}/moeder/nyt" data-back>Gå tilbage til siden</a>' in html
    assert '<script src="/static/back.js" defer></script>' in html
    assert f">{NOTE}</textarea>" in html
    assert "Fatma</textarea>" not in html  # short values are not worth copying
    assert "hemmelig-adgangskode" not in html and "udløbet</textarea>" not in html
    assert "Log ind igen" not in html
    assert _meetings(demo_db) == 0


def test_a_form_posted_from_another_site_is_not_echoed(owner, demo_db):
    html = _page(_post_meeting(owner, Origin="https://evil.example", Referer="https://evil.example/x"))
    assert "<h1>Siden er udløbet</h1>" in html and NOTE not in html
    assert 'href="/" data-back' in html  # never back to the other site


@pytest.mark.parametrize("referrer", ["http://localhost//evil.example/x", "http://localhost/\\evil.example"])
def test_the_back_link_never_leads_to_another_site(owner, demo_db, referrer):
    html = _page(_post_meeting(owner, Origin="http://localhost", Referer=referrer))
    assert 'href="/" data-back' in html and "evil.example" not in html


def test_after_the_session_is_gone_the_text_is_shown_and_log_in_leads_back(client, demo_db):
    response = _post_meeting(client, Origin="http://localhost", Referer=f"http://localhost/borgere/{CITIZEN}/moeder/nyt")
    html = _page(response)
    assert response.status_code == 400 and "du er blevet logget ud" in html and f">{NOTE}</textarea>" in html
    assert f'href="/login?next=/borgere/{CITIZEN}/moeder/nyt">Log ind igen</a>' in html


def test_an_expired_log_in_shows_the_log_in_form_again_with_the_email_and_a_fresh_token(client, db, make_consultant):
    make_consultant(OWNER)
    secret = "min-rigtige-adgangskode-9"
    response = client.post("/login?next=/borgere", data={"csrf_token": "udløbet", "email": f" {OWNER} ",
                                                         "password": secret})
    html = _page(response)
    assert response.status_code == 400 and "<h1>Log ind</h1>" in html and "Siden er udløbet" not in html
    assert '<p class="notice" role="status">Siden var udløbet. Log ind igen.</p>' in html
    assert f'value="{OWNER}"' in html and secret not in html and "udløbet\"" not in html
    fresh = CSRF.search(html).group(1)
    assert fresh != "udløbet"
    # The fresh token works: the log-in goes through and on to the page asked for.
    from tests.conftest import PASSWORD
    response = client.post("/login?next=/borgere", data={"csrf_token": fresh, "email": OWNER, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/borgere"


def test_an_expired_log_in_asked_for_as_json_still_gets_json(client, db):
    response = client.post("/login", headers={"Accept": "application/json"}, data={"csrf_token": "udløbet"})
    assert response.status_code == 400 and response.is_json


@pytest.mark.browser
def test_going_back_from_an_expired_form_restores_the_typed_note(live_server, page, demo_db, make_consultant):
    make_consultant(OWNER)
    browser_login(page, live_server, OWNER)
    page.goto(f"{live_server}/borgere/{CITIZEN}/moeder/nyt")
    page.get_by_label("Kort note").fill(NOTE)
    # The token the page holds goes stale, as when the session behind it was renewed elsewhere.
    page.locator("main form input[name=csrf_token]").evaluate("input => input.value = 'udløbet'")
    page.get_by_role("button", name=re.compile("^Gem")).click()
    expect(page.get_by_role("heading", name="Siden er udløbet")).to_be_visible()
    expect(page.locator("textarea.rescued")).to_have_value(NOTE)
    page.get_by_role("link", name="Gå tilbage til siden").click()
    expect(page.get_by_label("Kort note")).to_have_value(NOTE)
    assert _meetings(demo_db) == 0
