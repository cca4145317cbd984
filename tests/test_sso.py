"""Single sign-on (web/sso.py) against a real OpenID provider on loopback (tests/oidc_provider.py),
in Chromium: a full log-in and log-out, the admin group, and the refusals: a wrong audience, an
expired token, a replayed state, an unknown e-mail, a deactivated consultant, an unverified
e-mail. And SMAJOBS_LOCAL_LOGIN=off with its break-glass admin."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.config import ConfigError
from data import accounts
from tests.conftest import PASSWORD, login
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, ServedProvider

KAREN, ADMIN = "konsulent@example.dk", "admin@example.dk"
ADMIN_GROUP = "3f1c2d7e-admins"


@pytest.fixture
def provider():
    with ServedProvider() as served:
        yield served


@pytest.fixture
def app(config, provider):
    """The app with single sign-on against the test provider (live_server serves this one)."""
    from web import create_app
    application = create_app(config.with_(oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                          oidc_client_secret=CLIENT_SECRET, oidc_admin_group=ADMIN_GROUP))
    application.config.update(TESTING=True)
    return application


def sso_login(page, base_url: str, user: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Log ind med organisationens konto").click()
    expect(page.get_by_role("heading", name="Organisationens log-in")).to_be_visible()
    page.get_by_label("Brugernavn").fill(user)
    page.get_by_role("button", name="Fortsæt").click()


def refused(page, text: str) -> None:
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    page.goto(page.url.split("/login")[0] + "/borgere")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()  # not logged in


def test_a_full_log_in_and_log_out_with_the_organisations_account(live_server, page, db, make_consultant):
    karen = make_consultant(KAREN)
    sso_login(page, live_server, KAREN)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()
    page.goto(f"{live_server}/borgere")
    expect(page.get_by_role("heading", name="Mine borgere")).to_be_visible()
    assert [row["second_factor"] for row in db.query("SELECT second_factor FROM consultant_sessions "
                                                     "WHERE consultant_id = ?", [karen])] == ["sso"]
    page.get_by_role("button", name="Log ud", exact=True).click()
    expect(page.get_by_text("Du er logget ud.")).to_be_visible()
    assert db.execute("SELECT COUNT(*) FROM consultant_sessions").fetchone()[0] == 0
    provider_logout = page.get_by_role("link", name="Log også ud af organisationens konto")
    assert f"client_id={CLIENT_ID}" in provider_logout.get_attribute("href")
    provider_logout.click()
    expect(page.get_by_role("heading", name="Du er logget ud hos organisationen")).to_be_visible()


def test_the_admin_group_gives_the_admin_role_without_a_local_code(live_server, page, db, provider,
                                                                    make_consultant):
    karen = make_consultant(KAREN)
    make_consultant(ADMIN, "Anders Admin", role="admin")
    provider.users[KAREN] = {"groups": ["some-other-group", ADMIN_GROUP]}
    sso_login(page, live_server, KAREN)
    expect(page.get_by_role("link", name="Konsulenter")).to_be_visible()
    assert accounts.consultant_by_id(db, karen)["role"] == "admin"
    # Out of the group at the next log-in: a consultant again.
    page.get_by_role("button", name="Log ud", exact=True).click()
    provider.users[KAREN] = {"groups": []}
    sso_login(page, live_server, KAREN)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()
    expect(page.get_by_role("link", name="Konsulenter")).to_have_count(0)
    assert accounts.consultant_by_id(db, karen)["role"] == "consultant"


@pytest.mark.parametrize("extra", [{}, {"azp": CLIENT_ID}, {"aud": ["another-app"], "azp": CLIENT_ID}],
                         ids=["plain", "naming-us-as-azp", "audience-list"])
def test_a_token_for_another_audience_is_refused(live_server, page, provider, make_consultant, extra):
    make_consultant(KAREN)
    provider.audience = "another-app"
    # With azp naming us, Authlib's own checks would let it through: the app checks aud itself.
    provider.users[KAREN] = extra
    sso_login(page, live_server, KAREN)
    refused(page, "Log-in med organisationens konto mislykkedes")


def test_an_audience_list_that_includes_us_is_accepted(live_server, page, provider, make_consultant):
    make_consultant(KAREN)
    provider.users[KAREN] = {"aud": [CLIENT_ID, "another-app"], "azp": CLIENT_ID}
    sso_login(page, live_server, KAREN)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()


def test_an_expired_token_is_refused(live_server, page, provider, make_consultant):
    make_consultant(KAREN)
    provider.lifetime = -600  # expired ten minutes ago, well past any allowance for clock drift
    sso_login(page, live_server, KAREN)
    refused(page, "Log-in med organisationens konto mislykkedes")


def test_a_replayed_state_is_refused(live_server, page, provider, make_consultant):
    make_consultant(KAREN)
    answers = []
    page.on("request", lambda request: answers.append(request.url) if "/login/organisation/svar?" in request.url
            else None)
    sso_login(page, live_server, KAREN)
    expect(page.get_by_role("heading", name="I dag")).to_be_visible()
    page.get_by_role("button", name="Log ud", exact=True).click()
    expect(page.get_by_text("Du er logget ud.")).to_be_visible()
    token_requests = provider.token_requests
    page.goto(answers[0])  # the provider's answer, sent again
    refused(page, "Log-in med organisationens konto mislykkedes")
    assert provider.token_requests == token_requests  # refused before the code was even tried


def test_an_unknown_e_mail_is_refused_and_no_account_is_made(live_server, page, db, make_consultant):
    make_consultant(KAREN)
    sso_login(page, live_server, "ukendt@example.dk")
    refused(page, "ukendt@example.dk har ingen aktiv konto i småjobs")
    assert accounts.consultant_by_email(db, "ukendt@example.dk") is None


def test_a_deactivated_consultant_is_refused(live_server, page, db, make_consultant):
    karen = make_consultant(KAREN)
    make_consultant(ADMIN, "Anders Admin", role="admin")
    accounts.deactivate_consultant(db, karen)
    sso_login(page, live_server, KAREN)
    refused(page, f"{KAREN} har ingen aktiv konto i småjobs")


def test_an_unverified_e_mail_is_refused(live_server, page, provider, make_consultant):
    make_consultant(KAREN)
    provider.users[KAREN] = {"email_verified": False}
    sso_login(page, live_server, KAREN)
    refused(page, "ikke en bekræftet e-mailadresse")


# --- password log-in turned off -----------------------------------------------------------------

def test_local_login_off_leaves_only_the_break_glass_admin(config, provider, make_consultant):
    from web import create_app
    make_consultant(KAREN)
    make_consultant(ADMIN, "Anders Admin", role="admin")
    app = create_app(config.with_(oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                  oidc_client_secret=CLIENT_SECRET, local_login=False, break_glass_admin=ADMIN))
    app.config.update(TESTING=True)
    karens = app.test_client()
    answer = login(karens, KAREN)
    assert answer.status_code == 400 and "Log ind med adgangskode er slået fra" in answer.get_data(as_text=True)
    assert karens.get("/borgere").status_code == 302
    admins = app.test_client()
    assert login(admins, ADMIN, PASSWORD).status_code == 302  # and the admin's code step after it
    assert admins.get("/borgere").status_code == 200


def test_local_login_off_needs_single_sign_on(config):
    with pytest.raises(ConfigError, match="SMAJOBS_LOCAL_LOGIN=off"):
        config.with_(local_login=False)
    with pytest.raises(ConfigError, match="SMAJOBS_OIDC_CLIENT_SECRET"):
        config.with_(oidc_issuer="https://login.example", oidc_client_id="x")
    with pytest.raises(ConfigError, match="SMAJOBS_REQUIRE_2FA"):
        config.with_(require_2fa="some")
