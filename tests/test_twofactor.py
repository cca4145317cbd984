"""Two-factor codes (web/twofactor.py, web/account.py): RFC 6238 codes checked against the RFC's
own table and an HOTP written here from RFC 4226, the set-up with its recovery codes, the code
step of the log-in, single use, throttling, who must, API keys, and the reset by an admin and
the command line. Real SQLite file, real Flask client, real Chromium."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from data import accounts
from smajobs.cli import main
from tests.conftest import AUTHENTICATOR_APPS, PASSWORD, browser_login, browser_second_factor, login, next_totp_code
from web import twofactor

KAREN, ADMIN = "konsulent@example.dk", "admin@example.dk"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RFC_SEED = b"12345678901234567890"  # RFC 6238 appendix B, the SHA-1 seed
RFC_SECRET = base64.b32encode(RFC_SEED).decode()
# RFC 6238 appendix B: (Unix time, 8-digit TOTP with SHA-1).
RFC_TABLE = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
             (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]


def rfc4226_hotp(key: bytes, counter: int, digits: int) -> str:
    """HOTP as RFC 4226 section 5.3 describes it, written here without the code under test."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    binary = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10 ** digits).zfill(digits)


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


# --- the codes themselves -----------------------------------------------------------------------

@pytest.mark.parametrize(("seconds", "code"), RFC_TABLE)
def test_rfc_6238_test_vectors(seconds, code):
    assert rfc4226_hotp(RFC_SEED, seconds // 30, 8) == code  # our reference agrees with the RFC
    assert twofactor.matching_step(RFC_SECRET, code, at(seconds), digits=8) == seconds // 30
    # The 6-digit codes apps show are the last six digits of the same number.
    assert twofactor.matching_step(RFC_SECRET, code[-6:], at(seconds)) == seconds // 30


def test_one_step_of_clock_drift_is_accepted_and_no_more():
    code = rfc4226_hotp(RFC_SEED, 1111111111 // 30, 6)
    assert twofactor.matching_step(RFC_SECRET, code, at(1111111111 + 30)) == 1111111111 // 30
    assert twofactor.matching_step(RFC_SECRET, code, at(1111111111 - 30)) == 1111111111 // 30
    assert twofactor.matching_step(RFC_SECRET, code, at(1111111111 + 90)) is None
    assert twofactor.matching_step(RFC_SECRET, "12345", at(59)) is None
    assert twofactor.matching_step(RFC_SECRET, "abcdef", at(59)) is None
    assert twofactor.matching_step(RFC_SECRET, "287 082", at(59)) == 1  # spaces as apps show them


def test_the_qr_code_is_an_svg_drawn_here_of_the_otpauth_link():
    uri = twofactor.setup_uri(RFC_SECRET, "karen@example.dk")
    assert uri.startswith("otpauth://totp/") and f"secret={RFC_SECRET}" in uri and "issuer=sm%C3%A5jobs" in uri
    assert twofactor.qr_data_uri(uri).startswith("data:image/svg+xml")


# --- set-up, log-in and single use --------------------------------------------------------------

def _csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def _password_only(client, email: str = KAREN, password: str = PASSWORD):
    token = _csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_consultant_sets_up_the_app_from_their_own_page(client, db, make_consultant):
    karen = make_consultant(KAREN)
    assert _password_only(client).headers["Location"].endswith("/")  # not required: straight in
    assert "Sæt to-faktor op" in client.get("/konto/").get_data(as_text=True)
    page = client.get("/konto/to-faktor").get_data(as_text=True)
    secret = "".join(re.search(r'id="hemmelighed">([^<]+)<', page).group(1).split())
    assert 'src="data:image/svg+xml' in page
    wrong = client.post("/konto/to-faktor", data={"code": "000000", "csrf_token": CSRF.search(page).group(1)})
    assert wrong.status_code == 400 and "Koden passer ikke" in wrong.get_data(as_text=True)
    assert accounts.consultant_by_id(db, karen)["totp_secret"] is None  # nothing stored half-way
    # The same secret after a reload, so a QR code scanned a moment ago still matches.
    assert secret in "".join(client.get("/konto/to-faktor").get_data(as_text=True).split())
    code = rfc4226_hotp(base64.b32decode(secret), int(datetime.now(timezone.utc).timestamp()) // 30, 6)
    done = client.post("/konto/to-faktor", data={"code": code, "csrf_token": CSRF.search(page).group(1)})
    html = done.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", html)
    assert done.status_code == 200 and len(set(codes)) == 10
    row = accounts.consultant_by_id(db, karen)
    assert row["totp_secret"] and secret not in row["totp_secret"]  # stored encrypted
    stored = [r["code_hash"] for r in accounts.unused_recovery_codes(db, karen)]
    assert len(stored) == 10 and all(h.startswith("$argon2") for h in stored)
    assert not any(code in h for code in codes for h in stored)
    # Shown once: the set-up page now only says it is done.
    assert "allerede en godkendelsesapp" in client.get("/konto/to-faktor").get_data(as_text=True)


def _set_up(app, email: str) -> None:
    """A consultant (not required to) sets up the app through the real pages, in a browser session
    that is then left alone; the conftest's AUTHENTICATOR_APPS holds the secret, as a phone would."""
    client = app.test_client()
    login(client, email)
    page = client.get("/konto/to-faktor").get_data(as_text=True)
    AUTHENTICATOR_APPS[email] = {"secret": "".join(re.search(r'id="hemmelighed">([^<]+)<', page).group(1).split()),
                                 "last": -1}
    assert client.post("/konto/to-faktor", data={"code": next_totp_code(email),
                                                 "csrf_token": CSRF.search(page).group(1)}).status_code == 200


def _enter(client, code: str):
    return client.post("/login/kode", data={"code": code, "csrf_token": _csrf(client, "/login/kode")})


def test_after_set_up_the_password_alone_opens_nothing_and_each_code_works_once(app, db, make_consultant):
    make_consultant(KAREN)
    _set_up(app, KAREN)
    client = app.test_client()
    assert _password_only(client).headers["Location"].startswith("/login/kode")
    assert client.get("/borgere").headers["Location"].startswith("/login/kode")
    code = next_totp_code(KAREN)
    assert _enter(client, code).status_code == 302
    assert client.get("/borgere").status_code == 200
    # The same code again, in another browser, within its 30 seconds: refused.
    other = app.test_client()
    _password_only(other)
    refused = _enter(other, code)
    assert refused.status_code == 400 and "brugt før" in refused.get_data(as_text=True)
    assert other.get("/borgere").status_code == 302


def test_a_recovery_code_works_once(app, client, db, make_consultant):
    karen = make_consultant(KAREN)
    login(client, KAREN)
    page = client.get("/konto/to-faktor").get_data(as_text=True)
    secret = "".join(re.search(r'id="hemmelighed">([^<]+)<', page).group(1).split())
    AUTHENTICATOR_APPS[KAREN] = {"secret": secret, "last": -1}
    shown = client.post("/konto/to-faktor", data={"code": next_totp_code(KAREN),
                                                  "csrf_token": CSRF.search(page).group(1)}).get_data(as_text=True)
    recovery = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown)[3]
    first = app.test_client()
    _password_only(first)
    answer = _enter(first, recovery.upper().replace("-", " "))  # typed loosely
    assert answer.status_code == 302 and first.get("/borgere").status_code == 200
    assert len(accounts.unused_recovery_codes(db, karen)) == 9
    second = app.test_client()
    _password_only(second)
    assert _enter(second, recovery).status_code == 400


def test_an_admin_must_set_up_the_app_and_sees_nothing_else_until_then(client, db, make_consultant):
    make_consultant(ADMIN, "Anders Admin", role="admin")
    assert _password_only(client, ADMIN).headers["Location"].endswith("/konto/to-faktor")
    for path in ("/borgere", "/admin/konsulenter/", "/konto/", "/i-dag", "/"):
        assert client.get(path).headers["Location"].endswith("/konto/to-faktor"), path
    page = client.get("/konto/to-faktor").get_data(as_text=True)
    assert "Mine borgere" not in page and "Du skal bruge en kode" in page
    token = CSRF.search(page).group(1)
    refused = client.post("/konto/api-noegle", data={"label": "x", "csrf_token": token})
    assert refused.headers["Location"].endswith("/konto/to-faktor")
    assert accounts.api_tokens_of(db, accounts.consultant_by_email(db, ADMIN)["id"]) == []


def test_an_api_key_needs_a_session_that_passed_two_factors(app, client, db, make_consultant):
    karen = make_consultant(KAREN)
    login(client, KAREN)  # the password alone is enough for Karen, but not for a key
    token = _csrf(client, "/konto/")
    assert "kræver, at du er logget ind med to faktorer" in client.get("/konto/").get_data(as_text=True)
    client.post("/konto/api-noegle", data={"label": "Fagsystem", "csrf_token": token})
    assert accounts.api_tokens_of(db, karen) == []
    _set_up(app, KAREN)
    both = app.test_client()
    login(both, KAREN)
    made = both.post("/konto/api-noegle", data={"label": "Fagsystem", "csrf_token": _csrf(both, "/konto/")})
    key = re.search(r'id="api-noegle">([^<]+)<', made.get_data(as_text=True)).group(1)
    assert [t["label"] for t in accounts.api_tokens_of(db, karen)] == ["Fagsystem"]
    assert app.test_client().get("/api/v1/citizens", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_code_guessing_is_throttled_without_locking_the_owner_out(app, db, make_consultant):
    make_consultant(KAREN)
    _set_up(app, KAREN)
    owner = app.test_client()
    login(owner, KAREN)  # the owner's browser now holds a device cookie
    owner.post("/logout", data={"csrf_token": _csrf(owner, "/konto/")})
    guesser = app.test_client()
    _password_only(guesser)
    answers = [_enter(guesser, f"{n:06d}").status_code for n in range(6)]
    assert answers[:5] == [400] * 5 and answers[5] == 429
    assert "For mange forkerte koder" in _enter(guesser, next_totp_code(KAREN)).get_data(as_text=True)
    assert guesser.get("/borgere").status_code == 302
    _password_only(owner)
    assert _enter(owner, next_totp_code(KAREN)).status_code == 302
    assert owner.get("/borgere").status_code == 200


# --- reset --------------------------------------------------------------------------------------

def test_an_admin_resets_a_consultants_second_factor(app, db, make_consultant):
    karen = make_consultant(KAREN)
    admin = make_consultant(ADMIN, "Anders Admin", role="admin")
    _set_up(app, KAREN)
    karens = app.test_client()
    login(karens, KAREN)
    admins = app.test_client()
    login(admins, ADMIN)
    listing = admins.get("/admin/konsulenter/").get_data(as_text=True)
    assert "handling=nulstil-to-faktor" in listing
    confirm = admins.get(f"/admin/konsulenter/handling?konsulent={karen}&handling=nulstil-to-faktor")
    assert "Nulstil to-faktor for Karen Konsulent" in confirm.get_data(as_text=True)
    done = admins.post("/admin/konsulenter/handling", follow_redirects=True,
                       data={"konsulent": karen, "handling": "nulstil-to-faktor",
                             "csrf_token": CSRF.search(confirm.get_data(as_text=True)).group(1)})
    assert "to-faktor er nulstillet" in done.get_data(as_text=True)
    row = accounts.consultant_by_id(db, karen)
    assert row["totp_secret"] is None and row["second_factor_reset_by"] == f"admin:{admin}"
    assert accounts.unused_recovery_codes(db, karen) == []
    assert karens.get("/borgere").status_code == 302  # logged out everywhere
    mail = db.execute("SELECT to_addr, subject, body_text FROM outbox ORDER BY id DESC LIMIT 1").fetchone()
    assert mail[0] == KAREN and "to-faktor" in mail[1] and "http://127.0.0.1:5000/login" in mail[2]
    assert _password_only(app.test_client()).headers["Location"].endswith("/")  # Karen need not set up again


def test_reset_2fa_on_the_command_line(app, config, db, make_consultant):
    karen = make_consultant(KAREN)
    _set_up(app, KAREN)
    result = CliRunner().invoke(main, ["--db", config.db, "reset-2fa", KAREN])
    assert result.exit_code == 0, result.output
    assert "To-faktor for konsulent@example.dk er nulstillet" in result.output
    row = accounts.consultant_by_id(db, karen)
    assert row["totp_secret"] is None and row["second_factor_reset_by"] == "cli"
    again = CliRunner().invoke(main, ["--db", config.db, "reset-2fa", KAREN])
    assert "har ingen to-faktor at nulstille" in again.output
    assert CliRunner().invoke(main, ["--db", config.db, "reset-2fa", "ingen@example.dk"]).exit_code != 0


# --- in a real browser --------------------------------------------------------------------------

def test_the_demo_admin_sets_up_the_app_on_first_log_in_in_chromium(live_server, page, make_consultant):
    make_consultant(ADMIN, "Anders Admin", role="admin")
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Sæt to-faktor op")).to_be_visible()
    qr = page.get_by_role("img", name="QR-kode til din godkendelsesapp")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")  # drawn, not blocked by the CSP
    assert refused == []
    browser_second_factor(page, ADMIN)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()
    page.get_by_role("button", name="Log ud", exact=True).click()
    browser_login(page, live_server, ADMIN)  # the second time: the code page
