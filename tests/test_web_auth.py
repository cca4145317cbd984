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
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


@pytest.mark.parametrize("target, local", [
    ("/borgere/cit-1", True), ("/i-dag?vis=alle", True),
    ("//evil.example/x", False), ("/\\evil.example", False), ("https://evil.example/", False),
    ("/\tevil", False), ("", False), (None, False), ("borgere", False),
])
def test_only_paths_on_this_site_are_followed(target, local):
    from web.auth import is_local_path
    assert is_local_path(target) is local
