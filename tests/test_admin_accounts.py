"""The admin page "Konsulenter" (web/accounts_admin.py): the list, creating a consultant who then
chooses a password through an e-mailed link, deactivate/activate, revoking API tokens and
sending a new link, with every refusal; and one run through real Chromium."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from core.errors import Invalid
from data import accounts
from tests.conftest import PASSWORD, browser_second_factor, login
from tests.signup_helpers import csrf_token
from web.auth import hash_api_token

ADMIN, KAREN, ANNE = "admin@example.dk", "konsulent@example.dk", "anne@example.dk"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/adgangskode/[A-Za-z0-9_.\-]+)")
NEW_PASSWORD = "en lang ny adgangskode"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def admin(app, client, make_consultant):
    """An admin logged in on `client`; returns the admin's id."""
    admin_id = make_consultant(ADMIN, "Anders Admin", "admin")
    assert login(client, ADMIN).status_code == 302
    return admin_id


@pytest.fixture
def clock(clock):
    """The one clock (tests/conftest.py), at T0 until a test moves it."""
    clock.set(T0)
    return clock


def token_of(client, url: str = "/admin/konsulenter/ny") -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def create(client, **fields):
    data = {"name": "Mette Møller Hansen", "email": "mette@example.dk", "role": "consultant"} | fields
    return client.post("/admin/konsulenter/ny", data=data | {"csrf_token": token_of(client)})


def act(client, action: str, consultant_id: int):
    """Open the confirmation page (as a person would), then press its button."""
    page = client.get(f"/admin/konsulenter/handling?konsulent={consultant_id}&handling={action}")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/admin/konsulenter/handling", follow_redirects=True,
                       data={"konsulent": consultant_id, "handling": action, "csrf_token": token})


def outbox(db) -> list[dict]:
    return [dict(row) for row in db.query("SELECT to_addr, subject, body_text FROM outbox ORDER BY id")]


def link_path(db, to: str) -> str:
    mails = [mail for mail in outbox(db) if mail["to_addr"] == to]
    return LINK.search(mails[-1]["body_text"]).group(1)


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm,
                                   "csrf_token": token})


# --- who may --------------------------------------------------------------------------------

def test_a_consultant_who_is_not_admin_gets_403_everywhere_and_no_menu_entry(app, client, db, make_consultant):
    karen = make_consultant(KAREN)
    login(client, KAREN)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.get("/admin/konsulenter/").status_code == 403
    assert client.get("/admin/konsulenter/ny").status_code == 403
    assert client.post("/admin/konsulenter/ny", data={"name": "Ny", "email": "ny@example.dk", "role": "admin",
                                                     "csrf_token": token}).status_code == 403
    assert client.get(f"/admin/konsulenter/handling?konsulent={karen}&handling=deaktiver").status_code == 403
    assert client.post("/admin/konsulenter/handling", data={"konsulent": karen, "handling": "deaktiver",
                                                           "csrf_token": token}).status_code == 403
    assert accounts.consultant_by_email(db, "ny@example.dk") is None
    assert accounts.consultant_by_id(db, karen)["active"] == 1
    assert "Konsulenter" not in client.get("/borgere").get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/admin/konsulenter/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_admin_has_the_menu_entry(client, admin):
    html = client.get("/borgere").get_data(as_text=True)
    assert 'href="/admin/konsulenter/"' in html and "Konsulenter" in html


# --- the list -----------------------------------------------------------------------------------

def test_the_list_shows_role_state_citizens_and_tokens(client, admin, demo_db, make_consultant):
    karen = make_consultant(KAREN)
    anne = make_consultant(ANNE, "Anne Andersen")
    used = accounts.add_api_token(demo_db, karen, hash_api_token("a"), "Fagsystem")
    accounts.add_api_token(demo_db, karen, hash_api_token("b"), "Ubrugt")
    accounts.record_token_use(demo_db, used, datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
    accounts.deactivate_consultant(demo_db, anne)
    karens_citizens = accounts.citizen_count(demo_db, KAREN)
    assert karens_citizens > 0

    html = client.get("/admin/konsulenter/").get_data(as_text=True)
    row = re.search(rf'<tr id="konsulent-{karen}">(.*?)</tr>', html, re.S).group(1)
    assert "Karen Konsulent" in row and KAREN in row and ">konsulent<" in row and "aktiv" in row
    assert re.search(rf'data-label="Borgere">{karens_citizens}\b', row)
    assert re.search(r'data-label="API-nøgler">2\b', row) and "sidst brugt 20. november 2026" in row
    anne_row = re.search(rf'<tr id="konsulent-{anne}">(.*?)</tr>', html, re.S).group(1)
    assert "deaktiveret siden" in anne_row and "Aktivér" in anne_row and "Deaktivér" not in anne_row
    admin_row = re.search(rf'<tr id="konsulent-{admin}">(.*?)</tr>', html, re.S).group(1)
    assert "administrator" in admin_row and "(dig)" in admin_row
    assert "Deaktivér" not in admin_row  # not offered for oneself
    assert "$argon2" not in html


# --- creating a consultant ----------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, message", [
    ({"name": "  "}, "name", "Skriv konsulentens navn."),
    ({"email": "mette@"}, "email", "er ikke en gyldig e-mailadresse."),
    ({"email": ""}, "email", "Skriv konsulentens e-mail."),
    ({"email": ADMIN.upper()}, "email", f"Der findes allerede en konsulent med e-mail {ADMIN}."),
    ({"role": "superbruger"}, "role", "Vælg konsulent eller administrator."),
    ({"name": "M" * 201}, "name", "Navnet må højst have 200 tegn."),
])
def test_bad_input_is_refused_next_to_the_field_keeping_what_was_typed(client, admin, db, fields, field,
                                                                         message):
    response = create(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html).group(1)
    assert message in error.replace("&#39;", "'")
    if field != "name":
        assert 'value="Mette Møller Hansen"' in html
    if field != "email":
        assert 'value="mette@example.dk"' in html
    assert accounts.consultant_by_email(db, "mette@example.dk") is None
    assert outbox(db) == []


def test_creating_sends_a_link_with_only_a_first_name_and_the_link(client, admin, db, clock):
    response = create(client, role="admin")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mette Møller Hansen er oprettet som administrator" in page
    row = accounts.consultant_by_email(db, "mette@example.dk")
    assert row["role"] == "admin" and row["password_hash"] is None and row["active"] == 1
    [mail] = outbox(db)
    assert mail["to_addr"] == "mette@example.dk"
    body = mail["body_text"]
    assert body.startswith("Hej Mette\n") and LINK.search(body)
    # Nothing else about the account: no surname, address, role or who made it.
    for secret in ("Møller", "Hansen", "mette@example.dk", "administrator", "Anders"):
        assert secret not in body and secret not in mail["subject"]
    assert "3 døgn" in body and "kun én gang" in body


def test_the_new_consultant_cannot_log_in_before_choosing_a_password(app, client, admin, db):
    create(client)
    other = app.test_client()
    assert login(other, "mette@example.dk", "").status_code == 400


# --- the link -----------------------------------------------------------------------------------

def test_the_link_sets_the_password_once(app, client, admin, db, clock):
    create(client)
    path = link_path(db, "mette@example.dk")
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Hej Mette" in page.get_data(as_text=True)

    response = choose(visitor, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "Din adgangskode er gemt" in visitor.get("/login").get_data(as_text=True)
    assert login(visitor, "mette@example.dk", NEW_PASSWORD).status_code == 302

    again = app.test_client()
    assert again.get(path).status_code == 410
    assert "Linket virker ikke længere" in again.get(path).get_data(as_text=True)
    assert again.post(path, data={"password": "overtaget-kode", "confirm": "overtaget-kode",
                                  "csrf_token": csrf_token(again.get("/login").get_data(as_text=True))}
                      ).status_code == 410
    assert login(app.test_client(), "mette@example.dk", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("password, confirm, field, message", [
    ("kort", "kort", "password", "Adgangskoden skal have mindst 8 tegn."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", "De to adgangskoder er ikke ens."),
    (NEW_PASSWORD, "", "confirm", "Skriv adgangskoden en gang til."),
])
def test_a_bad_password_is_refused_next_to_the_field_and_the_link_still_works(app, client, admin, db, password,
                                                                              confirm, field, message):
    create(client)
    path = link_path(db, "mette@example.dk")
    visitor = app.test_client()
    response = choose(visitor, path, password, confirm)
    assert response.status_code == 400
    assert message in re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True)).group(1)
    assert accounts.consultant_by_email(db, "mette@example.dk")["password_hash"] is None
    assert choose(visitor, path).status_code == 302


def test_the_link_expires_after_three_days(app, client, admin, db, clock):
    create(client)
    path = link_path(db, "mette@example.dk")
    clock.set(T0 + timedelta(days=2, hours=23))
    assert app.test_client().get(path).status_code == 200
    clock.set(T0 + timedelta(days=3, minutes=1))
    visitor = app.test_client()
    assert visitor.get(path).status_code == 410
    clock.set(T0 + timedelta(days=2, hours=23))
    assert choose(visitor, path).status_code == 302  # the same link, read in time, works


def test_a_tampered_link_or_one_for_a_deactivated_consultant_does_not_work(app, client, admin, db):
    create(client)
    path = link_path(db, "mette@example.dk")
    assert app.test_client().get(path[:-2] + ("AA" if not path.endswith("AA") else "BB")).status_code == 410
    accounts.deactivate_consultant(db, accounts.consultant_by_email(db, "mette@example.dk")["id"])
    assert app.test_client().get(path).status_code == 410


def test_a_new_password_link_keeps_the_old_password_until_used_and_ends_older_links(app, client, admin, db,
                                                                                     make_consultant):
    karen = make_consultant(KAREN)
    karens_session = app.test_client()
    login(karens_session, KAREN)
    page = act(client, "send-link", karen).get_data(as_text=True)
    assert f"Der er sendt en e-mail til {KAREN}" in page
    first = link_path(db, KAREN)
    act(client, "send-link", karen)
    second = link_path(db, KAREN)
    mail = outbox(db)[-1]
    assert mail["body_text"].startswith("Hej Karen\n") and "Konsulent" not in mail["body_text"]
    assert login(app.test_client(), KAREN, PASSWORD).status_code == 302  # still works

    assert choose(app.test_client(), second).status_code == 302
    assert app.test_client().get(first).status_code == 410
    assert login(app.test_client(), KAREN, PASSWORD).status_code == 400
    assert login(app.test_client(), KAREN, NEW_PASSWORD).status_code == 302
    # Karen's session with the old password ends (web.auth's session fingerprint).
    assert karens_session.get("/borgere").status_code == 302


def test_no_link_is_sent_to_a_deactivated_consultant(client, admin, db, make_consultant):
    karen = make_consultant(KAREN)
    accounts.deactivate_consultant(db, karen)
    html = act(client, "send-link", karen).get_data(as_text=True)
    assert "er deaktiveret, så linket ville ikke virke" in html and 'flash-error' in html
    assert outbox(db) == []


# --- deactivate, activate, revoke tokens -------------------------------------------------------

def test_deactivating_shows_a_confirmation_then_ends_access_and_the_citizens_wait(app, client, admin, demo_db,
                                                                                 make_consultant):
    karen = make_consultant(KAREN)
    karens_session = app.test_client()
    login(karens_session, KAREN)
    citizens = accounts.citizen_count(demo_db, KAREN)
    confirm = client.get(f"/admin/konsulenter/handling?konsulent={karen}&handling=deaktiver").get_data(as_text=True)
    assert "<h1>Deaktivér Karen Konsulent</h1>" in confirm and f"{citizens} borgere vil vente" in confirm
    assert accounts.consultant_by_id(demo_db, karen)["active"] == 1  # a GET changes nothing

    html = act(client, "deaktiver", karen).get_data(as_text=True)
    assert "Karen Konsulent er deaktiveret" in html
    assert f"{citizens} borgere venter på en ny konsulent under Alle borgere" in html
    assert 'href="/borgere#uden-konsulent"' in html
    assert accounts.consultant_by_id(demo_db, karen)["active"] == 0
    assert karens_session.get("/borgere").status_code == 302
    assert f"{citizens} borgere har en konsulent, der er deaktiveret" in client.get("/borgere").get_data(as_text=True)

    again = act(client, "deaktiver", karen).get_data(as_text=True)
    assert "Karen Konsulent var allerede deaktiveret." in again

    html = act(client, "aktiver", karen).get_data(as_text=True)
    assert "Karen Konsulent er aktiv igen og kan logge ind." in html
    assert accounts.consultant_by_id(demo_db, karen)["active"] == 1
    assert login(app.test_client(), KAREN).status_code == 302


def test_an_admin_cannot_deactivate_themselves(client, admin, db, make_consultant):
    make_consultant("anden-admin@example.dk", "Anden Admin", "admin")
    html = act(client, "deaktiver", admin).get_data(as_text=True)
    assert "Du kan ikke deaktivere dig selv." in html and "flash-error" in html
    assert accounts.consultant_by_id(db, admin)["active"] == 1


def test_another_admin_can_be_deactivated_but_never_the_last_active_one(client, admin, db, make_consultant):
    other = make_consultant("anden-admin@example.dk", "Anden Admin", "admin")
    assert "Anden Admin er deaktiveret" in act(client, "deaktiver", other).get_data(as_text=True)
    # The rule the page and `smajobs deactivate-consultant` share: the last one stays.
    with pytest.raises(Invalid, match="den eneste aktive administrator"):
        accounts.deactivate_consultant(db, admin)
    assert accounts.consultant_by_id(db, admin)["active"] == 1


def test_the_last_admin_rule_holds_on_the_page_when_the_other_admin_went_first(app, client, admin, db,
                                                                                make_consultant):
    # Two admins deactivate each other: the second one to press finds they are the last.
    other = make_consultant("anden-admin@example.dk", "Anden Admin", "admin")
    other_client = app.test_client()
    login(other_client, "anden-admin@example.dk")
    page = other_client.get(f"/admin/konsulenter/handling?konsulent={admin}&handling=deaktiver")
    token = csrf_token(page.get_data(as_text=True))
    act(client, "deaktiver", other)
    response = other_client.post("/admin/konsulenter/handling",
                                 data={"konsulent": admin, "handling": "deaktiver", "csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # deactivated: logged out
    assert accounts.consultant_by_id(db, admin)["active"] == 1


def test_revoking_tokens(client, admin, db, make_consultant):
    karen = make_consultant(KAREN)
    accounts.add_api_token(db, karen, hash_api_token("a"), "Fagsystem")
    accounts.add_api_token(db, karen, hash_api_token("b"))
    html = act(client, "traek-noegler-tilbage", karen).get_data(as_text=True)
    assert "2 API-nøgler for Karen Konsulent er trukket tilbage" in html
    assert accounts.api_tokens_of(db, karen) == []
    assert "Karen Konsulent havde ingen API-nøgler." in act(client, "traek-noegler-tilbage", karen).get_data(
        as_text=True)


def test_actions_need_the_csrf_token_and_a_known_action_and_consultant(client, admin, db, make_consultant):
    karen = make_consultant(KAREN)
    assert client.post("/admin/konsulenter/handling",
                       data={"konsulent": karen, "handling": "deaktiver"}).status_code == 400
    assert accounts.consultant_by_id(db, karen)["active"] == 1
    assert client.get(f"/admin/konsulenter/handling?konsulent={karen}&handling=slet").status_code == 404
    assert client.get("/admin/konsulenter/handling?konsulent=999&handling=deaktiver").status_code == 404
    assert client.get("/admin/konsulenter/handling?konsulent=abc&handling=deaktiver").status_code == 404


# --- in a real browser ---------------------------------------------------------------------------

def test_an_admin_creates_a_consultant_who_chooses_a_password_and_logs_in(live_server, page, db, make_consultant):
    make_consultant(ADMIN, "Anders Admin", "admin")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    browser_second_factor(page, ADMIN)  # an admin sets up the app on first log-in
    expect(page.get_by_role("link", name="Konsulenter")).to_be_visible()
    page.get_by_role("link", name="Konsulenter").click()
    expect(page.get_by_role("heading", name="Konsulenter")).to_be_visible()
    page.get_by_role("link", name="Opret konsulent").click()
    page.get_by_label("Navn").fill("Mette Møller")
    page.get_by_label("E-mail").fill("mette@example.dk")
    page.get_by_label("Rolle").select_option("consultant")
    page.get_by_role("button", name="Opret og send link").click()
    expect(page.get_by_text("Mette Møller er oprettet som konsulent")).to_be_visible()
    expect(page.get_by_role("cell", name="mette@example.dk")).to_be_visible()
    page.get_by_role("button", name="Log ud", exact=True).click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()

    page.goto(live_server + link_path(db, "mette@example.dk"))
    expect(page.get_by_role("heading", name="Vælg adgangskode")).to_be_visible()
    page.get_by_label("Ny adgangskode").fill(NEW_PASSWORD)
    page.get_by_label("Gentag adgangskoden").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.locator("#confirm-error")).to_contain_text("De to adgangskoder er ikke ens")
    page.get_by_label("Ny adgangskode").fill(NEW_PASSWORD)
    page.get_by_label("Gentag adgangskoden").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_text("Din adgangskode er gemt")).to_be_visible()
    page.get_by_label("E-mail").fill("mette@example.dk")
    page.get_by_label("Adgangskode").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()
