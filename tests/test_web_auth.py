import re

import pytest
from playwright.sync_api import expect

from tests.conftest import login


def test_login_page_is_danish_and_has_csrf(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Log ind" in page and 'name="csrf_token"' in page


def test_login_without_csrf_is_refused(client, make_consultant):
    make_consultant()
    response = client.post("/login", data={"email": "konsulent@example.dk", "password": "x"})
    assert response.status_code == 400


def test_wrong_password_shows_error_and_keeps_email(client, make_consultant):
    make_consultant()
    response = login(client, password="forkert")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Forkert e-mail eller adgangskode." in page
    assert 'value="konsulent@example.dk"' in page


def test_login_sets_httponly_samesite_cookie(client, make_consultant):
    make_consultant()
    response = login(client)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_refused(client, make_consultant):
    import re
    make_consultant()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login?next=//evil.example/x", data={
        "email": "konsulent@example.dk", "password": "korrekt-hest-batteri", "csrf_token": token})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_in_real_chromium(live_server, page, make_consultant):
    make_consultant()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("konsulent@example.dk")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_text("Forkert e-mail eller adgangskode.")).to_be_visible()
    assert page.get_by_label("E-mail").input_value() == "konsulent@example.dk"
    page.get_by_label("Adgangskode").fill("korrekt-hest-batteri")
    page.get_by_role("button", name="Log ind").click()
    # Home sends a consultant on to the first menu page (Mine borgere once it exists).
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("button", name="Log ud", exact=True)).to_be_visible()


@pytest.mark.parametrize("target, local", [
    ("/borgere/cit-1", True), ("/i-dag?vis=alle", True),
    ("//evil.example/x", False), ("/\\evil.example", False), ("https://evil.example/", False),
    ("/\tevil", False), ("", False), (None, False), ("borgere", False),
])
def test_only_paths_on_this_site_are_followed(target, local):
    from web.auth import is_local_path
    assert is_local_path(target) is local


# --- sessions end on the server (issue 9, finding 2) -------------------------------------------

def _copy_of_session(client, app):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _log_out(client, url="/logout"):
    page = client.get("/borgere").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(url, data={"csrf_token": token})


def test_a_session_cookie_copied_before_log_out_opens_nothing_afterwards(app, client, make_consultant):
    make_consultant()
    assert login(client).status_code == 302
    thief = _copy_of_session(client, app)
    assert thief.get("/borgere").status_code == 200  # the copy works while the session lasts
    assert _log_out(client).status_code == 302
    response = thief.get("/borgere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_log_out_ends_only_that_session(app, make_consultant):
    make_consultant()
    phone, desk = app.test_client(), app.test_client()
    login(phone), login(desk)
    _log_out(phone)
    assert desk.get("/borgere").status_code == 200


def test_log_out_everywhere_ends_every_session_of_the_account_only(app, make_consultant):
    make_consultant()
    make_consultant("anden@example.dk", "Anne Anden")
    phone, desk, colleague = app.test_client(), app.test_client(), app.test_client()
    login(phone), login(desk), login(colleague, "anden@example.dk")
    assert "Log ud på alle enheder" in phone.get("/borgere").get_data(as_text=True)
    response = _log_out(phone, "/logout/alle")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "Du er logget ud på alle enheder." in phone.get("/login").get_data(as_text=True)
    for browser in (phone, desk):
        assert browser.get("/borgere").status_code == 302
    assert colleague.get("/borgere").status_code == 200
    assert login(desk).status_code == 302 and desk.get("/borgere").status_code == 200  # a new log-in works


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, client, db, make_consultant):
    from data import accounts
    consultant_id = make_consultant()
    login(client)
    accounts.set_active(db, consultant_id, False)
    accounts.set_active(db, consultant_id, True)
    assert client.get("/borgere").status_code == 302


def test_a_new_password_ends_old_sessions_even_when_set_to_the_same_hash(app, client, db, make_consultant):
    from data import accounts
    consultant_id = make_consultant()
    login(client)
    same_hash = accounts.consultant_by_id(db, consultant_id)["password_hash"]
    accounts.set_password_hash(db, consultant_id, same_hash)
    assert client.get("/borgere").status_code == 302
