"""Log-in throttling, security headers and the Content-Security-Policy, secure cookies over
https, session expiry, and form errors a screen reader can find."""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import render_template_string
from itsdangerous import TimestampSigner
from playwright.sync_api import expect
from wtforms import BooleanField, Form, StringField

from core.config import Config, ConfigError
from tests.conftest import PASSWORD, browser_login, login
from tests.signup_helpers import csrf_token, form_data
from web import create_app
from web.headers import CONTENT_SECURITY_POLICY
from web.limits import limiter_for

OWNER = "konsulent@example.dk"
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def _app(config, **changes):
    app = create_app(config.with_(**changes))
    app.config.update(TESTING=True)
    return app


def _try_login(client, email, password="forkert-forkert", headers=None, address=None):
    """One log-in through the form; `address` is the client address the app sees."""
    environ = {"REMOTE_ADDR": address} if address else {}
    token = csrf_token(client.get("/login", headers=headers, environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       headers=headers, environ_base=environ)


# --- log-in throttle -------------------------------------------------------------------------------

def test_failed_log_ins_per_email_are_limited_with_a_danish_message_and_the_email_kept(config, db, make_consultant):
    make_consultant(OWNER)
    client = _app(config, login_limit_per_email="3 per 15 minutes").test_client()
    for _ in range(3):
        assert _try_login(client, OWNER).status_code == 400
    # Even the right password is refused now: the guesser must not learn when they got it.
    response = _try_login(client, OWNER.upper(), PASSWORD)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert re.search(r"For mange forkerte forsøg på at logge ind\. Vent 1[45] minutter, og prøv igen\.", html)
    assert f'value="{OWNER.upper()}"' in html and 'id="password-error"' in html
    assert client.get("/borgere").status_code == 302  # not logged in
    assert _try_login(client, "anden@example.dk").status_code == 400  # other e-mails are not blocked


def test_a_successful_log_in_clears_the_count_for_that_email_and_address(config, db, make_consultant):
    make_consultant(OWNER)
    app = _app(config, login_limit_per_email_and_address="3 per 15 minutes")
    client = app.test_client()
    for _ in range(2):
        _try_login(client, OWNER)
    assert _try_login(client, OWNER, PASSWORD).status_code == 302
    client = app.test_client()  # another browser without a device cookie, same address
    for _ in range(2):
        assert _try_login(client, OWNER).status_code == 400
    assert _try_login(client, OWNER, PASSWORD).status_code == 302


def test_an_incomplete_form_is_not_counted(config, db):
    client = _app(config, login_limit_per_email="1 per 15 minutes").test_client()
    for _ in range(3):
        assert _try_login(client, OWNER, password="").status_code == 400
    assert _try_login(client, OWNER).status_code == 400
    assert _try_login(client, OWNER).status_code == 429


def test_wrong_log_ins_sent_at_once_get_no_more_password_checks_than_the_limit(config, db, make_consultant):
    make_consultant(OWNER)
    app = _app(config, login_limit_per_email="3 per 15 minutes")
    guessers = 8
    clients = [app.test_client() for _ in range(guessers)]
    tokens = [csrf_token(client.get("/login").get_data(as_text=True)) for client in clients]
    # All threads post together; a check-then-count view lets every one of them reach the
    # password check (each takes the argon2 time) before any failure is counted.
    start = threading.Barrier(guessers)

    def guess(number):
        start.wait()
        return clients[number].post("/login", data={"email": OWNER, "password": f"gæt-{number}-forkert",
                                                     "csrf_token": tokens[number]})

    with ThreadPoolExecutor(guessers) as pool:
        responses = list(pool.map(guess, range(guessers)))
    statuses = sorted(response.status_code for response in responses)
    # 400 "Forkert e-mail eller adgangskode" means the password was checked; 429 means refused first.
    assert statuses == [400] * 3 + [429] * (guessers - 3)
    assert sum("Forkert e-mail eller adgangskode" in r.get_data(as_text=True) for r in responses) == 3
    assert _try_login(app.test_client(), OWNER, PASSWORD).status_code == 429  # the limit holds


def test_log_ins_with_a_device_cookie_are_not_counted_against_the_email(config, db, make_consultant):
    make_consultant(OWNER)
    app = _app(config, login_limit_per_email="2 per 15 minutes")
    owner = app.test_client()
    # The first log-in counts against the ceiling; later ones carry the device cookie and do not.
    for _ in range(3):
        assert _try_login(owner, OWNER, PASSWORD).status_code == 302
    client = app.test_client()
    assert [_try_login(client, OWNER).status_code for _ in range(2)] == [400, 429]


def test_failed_log_ins_per_client_address_are_limited_across_emails(config, db):
    client = _app(config, login_limit_per_address="3 per hour").test_client()
    for number in range(3):
        assert _try_login(client, f"gæt{number}@example.dk").status_code == 400
    response = _try_login(client, "gæt9@example.dk")
    assert response.status_code == 429 and "Vent 60 minutter" in response.get_data(as_text=True)


def test_behind_a_proxy_each_forwarded_client_is_counted_on_its_own(config, db):
    client = _app(config, login_limit_per_address="1 per hour", proxy_hops=1).test_client()
    first, second = {"X-Forwarded-For": "198.51.100.7"}, {"X-Forwarded-For": "198.51.100.8"}
    assert _try_login(client, "a@example.dk", headers=first).status_code == 400
    assert _try_login(client, "b@example.dk", headers=second).status_code == 400
    assert _try_login(client, "c@example.dk", headers=first).status_code == 429


def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_limit(config, db):
    client = _app(config, login_limit_per_address="1 per hour").test_client()
    assert _try_login(client, "a@example.dk", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 400
    assert _try_login(client, "b@example.dk", headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 429


# --- nobody can lock the owner out (issue 9, finding 3) ---------------------------------------------

def _owners_browser(app):
    """The owner's browser after one successful log-in (and log-out): it holds a device cookie."""
    browser = app.test_client()
    assert _try_login(browser, OWNER, PASSWORD).status_code == 302
    page = browser.get("/borgere").get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)})
    return browser


def test_wrong_passwords_from_anywhere_do_not_lock_the_owner_out(config, db, make_consultant):
    make_consultant(OWNER)
    app = _app(config)  # the default limits
    owner = _owners_browser(app)
    guesser = app.test_client()
    statuses = [_try_login(guesser, OWNER, address="203.0.113.9").status_code for _ in range(12)]
    assert 429 in statuses  # the guesser is slowed down ...
    assert _try_login(owner, OWNER, PASSWORD).status_code == 302  # ... the owner's browser still gets in
    # So does the owner in a browser that never logged in before, from another address.
    assert _try_login(app.test_client(), OWNER, PASSWORD, address="198.51.100.20").status_code == 302


def test_guessing_from_one_client_meets_growing_delays(config, db, make_consultant):
    make_consultant(OWNER)
    client = _app(config, login_limit_per_email_and_address="2 per minute; 3 per hour").test_client()
    assert [_try_login(client, OWNER).status_code for _ in range(2)] == [400, 400]
    first = _try_login(client, OWNER, PASSWORD)
    assert first.status_code == 429 and "Vent 1 minut," in first.get_data(as_text=True)


def test_a_distributed_guess_meets_the_ceiling_per_email_but_the_owners_browser_gets_in(config, db,
                                                                                         make_consultant):
    make_consultant(OWNER)
    app = _app(config, login_limit_per_email="3 per hour")
    owner = _owners_browser(app)  # its log-in counted once against the ceiling
    for number in range(2):
        assert _try_login(app.test_client(), OWNER, address=f"203.0.113.{number}").status_code == 400
    new_browser = _try_login(app.test_client(), OWNER, PASSWORD, address="198.51.100.20")
    assert new_browser.status_code == 429
    assert _try_login(owner, OWNER, PASSWORD).status_code == 302


def test_a_device_cookie_has_its_own_small_limit_and_works_only_for_its_email(config, db, make_consultant):
    make_consultant(OWNER)
    make_consultant("anden@example.dk", "Anne Anden")
    app = _app(config, login_limit_per_device="2 per 15 minutes", login_limit_per_email="2 per hour")
    owner = _owners_browser(app)  # counted once against OWNER's ceiling of 2
    # A stolen device cookie buys a couple of guesses, no more.
    assert [_try_login(owner, OWNER).status_code for _ in range(3)] == [400, 400, 429]
    # The cookie is for OWNER only: for another e-mail this browser counts as any other.
    other = app.test_client()
    for cookie in owner._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert [_try_login(other, "anden@example.dk").status_code for _ in range(3)] == [400, 400, 429]


def test_a_tampered_device_cookie_is_ignored(config, db, make_consultant):
    make_consultant(OWNER)
    app = _app(config, login_limit_per_email="1 per hour")
    owner = _owners_browser(app)  # uses up the ceiling for browsers without a device cookie
    forged = app.test_client()
    for cookie in owner._cookies.values():
        if cookie.key != "session":
            forged.set_cookie(cookie.key, cookie.value[:-2] + "xx", domain=cookie.domain, path=cookie.path)
    assert _try_login(forged, OWNER, PASSWORD).status_code == 429
    assert _try_login(owner, OWNER, PASSWORD).status_code == 302


def test_the_device_cookie_is_httponly_and_limited_to_the_log_in(config, db, make_consultant):
    make_consultant(OWNER)
    client = _app(config).test_client()
    response = _try_login(client, OWNER, PASSWORD)
    [device] = [c for c in response.headers.getlist("Set-Cookie") if not c.startswith("session=")]
    assert "HttpOnly" in device and "Path=/login" in device and "SameSite=Lax" in device
    assert OWNER not in device and "Expires=" in device


def test_a_bad_limit_setting_is_refused_in_danish_naming_the_variable(config):
    with pytest.raises(ConfigError) as error:
        create_app(config.with_(login_limit_per_email="ti i kvarteret"))
    assert "SMAJOBS_LOGIN_LIMIT_PER_EMAIL" in str(error.value) and "ti i kvarteret" in str(error.value)


def test_the_app_has_one_limiter(app):
    assert app.extensions["limiter"] == {limiter_for(app)}


# --- headers -------------------------------------------------------------------------------------

EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def test_every_kind_of_answer_has_the_security_headers(client, demo_db, make_consultant):
    make_consultant(OWNER)
    login(client, OWNER)
    answers = [client.get("/borgere"), client.get("/borgere/cit-fatma"), client.get("/static/style.css"),
               client.get("/findes-ikke"), client.get("/api/v1/citizens"), client.get("/virksomhed/tilmeld"),
               client.get("/login")]
    for response in answers:
        for name, value in EXPECTED_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.path, name)
        assert "Strict-Transport-Security" not in response.headers
        expected_cache = None if response.request.path.startswith("/static/") else "no-store"
        assert response.headers.get("Cache-Control") in ((expected_cache,) if expected_cache else
                                                         (None, "no-cache")), response.request.path
    assert CONTENT_SECURITY_POLICY == EXPECTED_HEADERS["Content-Security-Policy"]


def test_strict_transport_security_only_with_secure_cookies(config, db):
    response = _app(config, secure_cookies=True).test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    """The CSP blocks them in the browser without a word; catch them here, where it is cheap."""
    problems = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+\s*=",
                        r"javascript:"):
            problems += [f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert problems == []


# --- cookies and sessions --------------------------------------------------------------------------

@pytest.mark.parametrize("base_url, env, override, expected", [
    ("https://smajobs.example.dk", None, None, True),
    ("HTTPS://smajobs.example.dk", None, None, True),
    ("http://127.0.0.1:5000", None, None, False),
    ("https://smajobs.example.dk", "0", None, False),
    ("https://smajobs.example.dk", None, False, False),
    ("http://127.0.0.1:5000", "ja", None, True),
])
def test_secure_cookies_follow_https_unless_set(tmp_path, monkeypatch, base_url, env, override, expected):
    if env is None:
        monkeypatch.delenv("SMAJOBS_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("SMAJOBS_SECURE_COOKIES", env)
    config = Config.load(db=str(tmp_path / "x.db"), secret_key="k", base_url=base_url, secure_cookies=override)
    assert config.secure_cookies is expected


def test_over_https_the_session_cookie_is_secure(config, monkeypatch, make_consultant):
    monkeypatch.delenv("SMAJOBS_SECURE_COOKIES", raising=False)
    make_consultant(OWNER)
    https = Config.load(db=config.db, secret_key="k", base_url="https://smajobs.example.dk")
    client = _app(https).test_client()
    token = csrf_token(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={"email": OWNER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2  # the session and the device cookie
    assert all("; Secure" in cookie and "; HttpOnly" in cookie for cookie in cookies)
    assert any(cookie.startswith("session=") for cookie in cookies)


def _session_cookie_signed_at(app, client, signed_at: float) -> str:
    """The client's session as the app would sign it at `signed_at` (time.time() seconds)."""
    with client.session_transaction() as session:
        contents = dict(session)
    serializer = app.session_interface.get_signing_serializer(app)
    serializer.signer = type("SignedThen", (TimestampSigner,), {"get_timestamp": lambda self: int(signed_at)})
    return serializer.dumps(contents)


@pytest.mark.parametrize("hours_ago, still_logged_in", [(0.5, True), (1.5, False)])
def test_a_session_older_than_session_hours_leads_to_the_log_in(config, demo_db, make_consultant,
                                                               hours_ago, still_logged_in):
    make_consultant(OWNER)
    app = _app(config, session_hours=1)
    client = app.test_client()
    assert login(client, OWNER).status_code == 302
    assert client.get("/borgere").status_code == 200
    cookie = _session_cookie_signed_at(app, client, time.time() - hours_ago * 3600)
    client.set_cookie("session", cookie)
    response = client.get("/borgere")
    if still_logged_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


# --- accessible form errors ------------------------------------------------------------------------

class _Page(HTMLParser):
    """Ids, aria-describedby references and invalid markers of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.fields: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag in ("input", "select", "textarea"):
            self.fields.append(attributes)


def _check_references(html: str) -> _Page:
    page = _Page(html)
    assert len(page.ids) == len(set(page.ids)), sorted(i for i in page.ids if page.ids.count(i) > 1)
    for attributes in page.fields:
        for reference in (attributes.get("aria-describedby") or "").split():
            assert reference in page.ids, (attributes.get("name"), reference)
        assert attributes.get("aria-invalid") in (None, "true"), attributes  # never "None" or "false"
    return page


def _errors_of(html: str, field_id: str) -> list[str]:
    return re.findall(rf'<p class="error" id="({re.escape(field_id)}-error[^"]*)">', html)


def test_every_error_of_a_field_has_its_own_id_and_is_referenced(app):
    class Example(Form):
        name = StringField("Navn")
        agree = BooleanField("Jeg er enig")
    form = Example()
    form.name.errors = ["Skriv et navn.", "Højst 100 tegn."]
    form.agree.errors = ["Sæt kryds."]
    with app.test_request_context():
        html = render_template_string('{% from "_field.html" import field %}'
                                      '{{ field(form.name, hint="Dit fulde navn.") }}{{ field(form.agree) }}',
                                      form=form)
    page = _check_references(html)
    name, agree = (next(f for f in page.fields if f["name"] == n) for n in ("name", "agree"))
    assert name["aria-describedby"].split() == ["name-hint", "name-error", "name-error-2"]
    assert _errors_of(html, "name") == ["name-error", "name-error-2"]
    assert agree["aria-describedby"] == "agree-error" and agree["aria-invalid"] == "true"


def test_a_field_without_errors_is_not_marked_invalid(app):
    class Example(Form):
        agree = BooleanField("Jeg er enig")
    with app.test_request_context():
        html = render_template_string('{% from "_field.html" import field %}{{ field(form.agree) }}', form=Example())
    assert "aria-" not in html


def test_the_log_in_form_points_at_its_errors(client, db):
    html = _try_login(client, OWNER, password="").get_data(as_text=True)
    password = next(f for f in _check_references(html).fields if f.get("name") == "password")
    assert password["aria-invalid"] == "true" and "password-error" in password["aria-describedby"].split()


def test_an_unticked_required_checkbox_on_the_employer_form_points_at_its_error(client, db):
    token = csrf_token(client.get("/virksomhed/tilmeld").get_data(as_text=True))
    data = form_data(token)
    del data["consent_store"]
    response = client.post("/virksomhed/tilmeld", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    consent = next(f for f in _check_references(html).fields if f.get("name") == "consent_store")
    assert consent["aria-invalid"] == "true" and "consent_store-error" in consent["aria-describedby"].split()


# --- the policy in a real browser ------------------------------------------------------------------

@pytest.mark.browser
def test_main_pages_log_no_csp_violation_and_their_scripts_run(live_server, page, demo_db, make_consultant):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    make_consultant(OWNER)
    browser_login(page, live_server, OWNER)
    for path in ("/i-dag", "/borgere", "/borgere/cit-fatma", "/borgere/cit-fatma/match", "/virksomheder",
                 "/borgere/cit-fatma/moeder/nyt", "/findes-ikke"):
        page.goto(f"{live_server}{path}", timeout=60_000)  # the first match builds the index: slow under load
        expect(page.locator("h1").first).to_be_visible()
    page.goto(f"{live_server}/borgere/cit-fatma/rediger")
    page.get_by_label("Postnummer").fill("2200")  # postcode.js asks the server and shows the town
    expect(page.locator("#postcode-town")).to_contain_text("København N")
    page.goto(f"{live_server}/virksomhed/tilmeld")
    # trial_weeks.js hides the trial-weeks field until "after a trial" is chosen
    expect(page.locator("input[name='openings-0-trial_weeks']")).to_be_hidden()
    assert [p for p in problems if "404" not in p] == [], problems
    assert not any("Content Security Policy" in p for p in problems), problems
