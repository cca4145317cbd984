"""Operator commands that take access away and give it back: list-consultants,
deactivate-consultant, activate-consultant, revoke-tokens, set-password. Commands run through
click's CliRunner on the same SQLite file as a real Flask test client, so a session opened before
a command is checked on its next request."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from data import accounts
from data.db import connect
from smajobs.cli import main
from tests.conftest import PASSWORD, login
from web.auth import verify_password

KAREN = "konsulent@example.dk"   # follows the demo citizens
ADMIN = "admin@example.dk"
OTHER = "ole@example.dk"
NEW_PASSWORD = "nyt-hemmeligt-ord"


@pytest.fixture
def run(config):
    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--db", config.db, *args], input=input)
    return invoke


@pytest.fixture
def people(demo_db, make_consultant):
    make_consultant(KAREN, "Karen Konsulent")
    make_consultant(ADMIN, "Anders Admin", role="admin")
    make_consultant(OTHER, "Ole Olsen")
    return demo_db


def new_token(run, email: str) -> str:
    result = run("create-token", email)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def api_status(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def row(config, email: str) -> dict:
    db = connect(config.db)
    try:
        return accounts.consultant_by_email(db, email)
    finally:
        db.close()


def demo_citizen_count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM citizens WHERE consultant_email = ?", [KAREN]).fetchone()[0]


# --- list-consultants ----------------------------------------------------------------------------

def test_list_consultants_shows_role_state_and_citizens_never_passwords(run, people):
    citizens = demo_citizen_count(people)
    assert citizens > 0
    assert run("deactivate-consultant", OTHER).exit_code == 0
    result = run("list-consultants")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["E-mail", "Navn", "Rolle", "Aktiv", "Borgere"]
    by_email = {line.split()[0]: line for line in lines[1:4]}
    assert by_email[KAREN].split()[-3:] == ["konsulent", "ja", str(citizens)]
    assert by_email[ADMIN].split()[-3:] == ["administrator", "ja", "0"]
    assert "Ole Olsen" in by_email[OTHER] and " nej (siden " in by_email[OTHER]
    assert by_email[OTHER].endswith(" 0")
    assert "$argon2" not in result.output and PASSWORD not in result.output


def test_list_consultants_on_an_empty_database(run, db):
    result = run("list-consultants")
    assert result.exit_code == 0 and "ingen konsulenter endnu" in result.output


# --- deactivate / activate -----------------------------------------------------------------------

def test_deactivation_ends_the_session_and_the_token_at_their_next_request(run, people, client, config):
    token = new_token(run, KAREN)
    assert login(client, KAREN).status_code == 302
    assert client.get("/borgere").status_code == 200
    assert api_status(client, token) == 200

    result = run("deactivate-consultant", KAREN)
    assert result.exit_code == 0, result.output
    assert f"{KAREN} er deaktiveret" in result.output
    assert f"{demo_citizen_count(people)} borgere skal have en ny konsulent" in result.output

    page = client.get("/borgere")   # the same session, its next request
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert api_status(client, token) == 401
    refused = login(client, KAREN)
    assert refused.status_code == 400 and "Forkert e-mail eller adgangskode" in refused.get_data(as_text=True)
    # The citizens stay where they were, waiting for an admin.
    assert demo_citizen_count(people) > 0
    assert row(config, KAREN)["deactivated_at"]

    again = run("deactivate-consultant", KAREN)
    assert again.exit_code == 0 and "var allerede deaktiveret" in again.output

    result = run("activate-consultant", KAREN)
    assert result.exit_code == 0 and "er aktiv igen" in result.output
    assert row(config, KAREN)["deactivated_at"] is None
    assert login(client, KAREN).status_code == 302 and client.get("/borgere").status_code == 200
    assert api_status(client, token) == 200  # deactivation did not delete the tokens
    assert "er allerede aktiv" in run("activate-consultant", KAREN).output


def test_admins_see_the_citizens_of_a_deactivated_consultant_as_needing_a_new_one(run, people, client):
    assert run("deactivate-consultant", KAREN).exit_code == 0
    login(client, ADMIN)
    page = client.get("/borgere").get_data(as_text=True)
    count = demo_citizen_count(people)
    assert f"{count} borgere har en konsulent, der er deaktiveret" in page
    assert page.count(f"{KAREN} er deaktiveret: vælg en ny konsulent.") == count
    assert page.count(f'<option value="" selected disabled>{KAREN} (deaktiveret)</option>') == count
    # A deactivated consultant is not offered as the new one.
    assert f'<option value="{KAREN}"' not in page
    assert f'<option value="{OTHER}"' in page

    # Handing one citizen over; the form left on the deactivated consultant says what to do.
    import re
    citizen_id = people.execute("SELECT id FROM citizens WHERE consultant_email = ? ORDER BY id",
                                [KAREN]).fetchone()[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    left = client.post(f"/borgere/{citizen_id}/konsulent", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Vælg en konsulent for" in left.get_data(as_text=True)
    moved = client.post(f"/borgere/{citizen_id}/konsulent", data={"csrf_token": csrf, "consultant": OTHER},
                        follow_redirects=True).get_data(as_text=True)
    assert f"er overdraget til {OTHER}" in moved
    left_over = f"{count - 1} borger har" if count - 1 == 1 else f"{count - 1} borgere har"
    assert f"{left_over} en konsulent, der er deaktiveret" in moved
    assert people.execute("SELECT consultant_email FROM citizens WHERE id = ?", [citizen_id]).fetchone()[0] == OTHER


def test_the_only_active_admin_cannot_be_deactivated(run, people, config):
    result = run("deactivate-consultant", ADMIN)
    assert result.exit_code == 1
    assert "Fejl: admin@example.dk er den eneste aktive administrator" in result.output
    assert row(config, ADMIN)["active"] == 1


@pytest.mark.parametrize("command", ["deactivate-consultant", "activate-consultant", "revoke-tokens",
                                     "set-password"])
def test_an_unknown_email_is_a_danish_error(run, people, command):
    result = run(command, "ukendt@example.dk", input="langt-kodeord\nlangt-kodeord\n")
    assert result.exit_code == 1
    assert "Fejl: ingen konsulent med e-mail ukendt@example.dk" in result.output
    assert "Traceback" not in result.output


# --- revoke-tokens -------------------------------------------------------------------------------

def test_revoke_tokens_stops_every_token_of_the_consultant_at_once(run, people, client):
    first, second = new_token(run, KAREN), new_token(run, KAREN)
    others = new_token(run, OTHER)
    assert api_status(client, first) == api_status(client, second) == 200

    result = run("revoke-tokens", KAREN)
    assert result.exit_code == 0
    assert "2 API-nøgler for konsulent@example.dk er trukket tilbage" in result.output
    assert api_status(client, first) == api_status(client, second) == 401
    assert api_status(client, others) == 200
    assert "havde ingen API-nøgler" in run("revoke-tokens", KAREN).output
    # The consultant keeps the account and can be given a new token.
    assert api_status(client, new_token(run, KAREN)) == 200


# --- set-password --------------------------------------------------------------------------------

def test_set_password_prompted_twice_ends_the_old_sessions(run, people, client, config, app):
    assert login(client, KAREN).status_code == 302
    result = run("set-password", KAREN, input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Ny adgangskode for konsulent@example.dk er gemt" in result.output
    assert NEW_PASSWORD not in result.output  # hidden while typed
    assert verify_password(row(config, KAREN)["password_hash"], NEW_PASSWORD)
    # The session opened with the old password is over; the new password opens a new one.
    assert client.get("/borgere").status_code == 302
    assert login(client, KAREN, PASSWORD).status_code == 400
    other_client = app.test_client()
    assert login(other_client, KAREN, NEW_PASSWORD).status_code == 302
    assert other_client.get("/borgere").status_code == 200


def test_set_password_prompts_until_the_two_agree(run, people, config):
    result = run("set-password", KAREN, input=f"{NEW_PASSWORD}\nnoget-andet\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Gentag adgangskoden" in result.output
    assert verify_password(row(config, KAREN)["password_hash"], NEW_PASSWORD)


def test_set_password_from_stdin_and_too_short_keeps_the_old_one(run, people, config):
    short = run("set-password", KAREN, "--password-stdin", input="kort\n")
    assert short.exit_code == 1 and "Fejl: Adgangskoden skal have mindst 8 tegn." in short.output
    assert verify_password(row(config, KAREN)["password_hash"], PASSWORD)
    empty = run("set-password", KAREN, "--password-stdin", input="")
    assert empty.exit_code == 1 and "mindst 8 tegn" in empty.output
    result = run("set-password", KAREN, "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0
    assert verify_password(row(config, KAREN)["password_hash"], NEW_PASSWORD)


def test_set_password_of_a_deactivated_consultant_says_they_stay_deactivated(run, people, client):
    run("deactivate-consultant", KAREN)
    result = run("set-password", KAREN, "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0 and "er stadig deaktiveret" in result.output
    assert login(client, KAREN, NEW_PASSWORD).status_code == 400
