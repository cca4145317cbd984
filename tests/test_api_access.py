"""Who may call what: every /api/v1 route walked without a token, with a bad token, with only a
session cookie, and as another consultant. New routes are picked up from app.url_map."""
from __future__ import annotations

import json

import pytest

from data import placements, registry
from data.accounts import create_consultant
from tests.api_contract import ContractClient, api_rules, make_token, methods_of, openapi_path
from data import accounts
from tests.conftest import PASSWORD, login
from web.auth import hash_password
from web.openapi import document

OWNER, OTHER, ADMIN = "konsulent@example.dk", "anden@example.dk", "admin@example.dk"
CITIZEN_SCOPED = {"citizen_id", "placement_id", "meeting_id", "report_id"}
OWNER_CITIZENS = ("cit-fatma", "cit-samir", "cit-sofie")


@pytest.fixture
def world(app, client, demo_db):
    """The owner's citizen with a placement and a meeting; tokens for owner, other and admin."""
    # Tokens need no password (argon2 is slow); the session-cookie test sets one itself.
    ids = {"owner": create_consultant(demo_db, email=OWNER, name="Karen", password_hash=None),
           "other": create_consultant(demo_db, email=OTHER, name="Anders", password_hash=None),
           "admin": create_consultant(demo_db, email=ADMIN, name="Ada", password_hash=None, role="admin")}
    employer = registry.matchable_employers(demo_db)[0]
    opening_id = employer["openings"][0]["id"]
    placement = placements.create_placement(
        demo_db, citizen_id="cit-fatma", opening_id=opening_id, kind="smajob", start_date="2026-12-01",
        hours_per_week=6, created_by=ids["owner"])
    meeting = placements.log_meeting(demo_db, citizen_id="cit-fatma", placement_id=placement["id"],
                                     kind="first_employer", held_on="2026-12-02", note="Fortroligt notat",
                                     created_by=ids["owner"])
    report = placements.add_report_due(demo_db, placement["id"], "delrapport", "2026-12-15")
    return {
        "db": demo_db, "client": client, "api": ContractClient(app, client), "app": app,
        "tokens": {who: make_token(demo_db, i) for who, i in ids.items()},
        "args": {"citizen_id": "cit-fatma", "placement_id": placement["id"], "meeting_id": meeting["id"],
                 "employer_id": employer["id"], "opening_id": opening_id, "report_id": report["id"]},
        "placement": placement, "meeting": meeting,
    }


def valid_bodies(world) -> dict:
    """A body each write route would accept from the right caller, so a refusal is about access."""
    citizen = registry.citizen_for_matching(world["db"], "cit-fatma")
    employer = registry.export_document(world["db"])["employers"][0]
    return {
        "api.create_citizen": {"id": "cit-walk", "first_name": "Walk", "postcode": "8000"},
        "api.update_citizen": {**citizen, "goal": "ændret af en anden"},
        "api.create_placement": {"opening_id": world["args"]["opening_id"], "kind": "smajob",
                                 "start_date": "2026-12-05", "hours_per_week": 4},
        "api.update_placement": {"hours_per_week": 2},
        "api.end_placement": {"end_date": "2026-12-20", "outcome": "ledighed"},
        "api.create_meeting": {"kind": "follow_up", "held_on": "2026-12-04"},
        "api.create_report": {"kind": "slutrapport", "due_date": "2026-12-30"},
        "api.submit_report": {"submitted_at": "2026-11-20"},
        "api.update_meeting": {"note": "ændret af en anden"},
        "api.create_employer": {**employer, "id": "emp-walk",
                                "openings": [{"id": "opn-walk", "title": "T", "tasks": "Opgaver"}]},
        "api.update_employer": employer,
        "api.import_document": {"citizens": [{"id": "cit-import-walk", "first_name": "I", "postcode": "8000"}]},
    }


def walk(world):
    """(method, url, rule, body) for every API route, filled in with the owner's ids."""
    bodies = valid_bodies(world)
    for rule in api_rules(world["app"]):
        path = rule.build({name: world["args"][name] for name in rule.arguments}, append_unknown=False)[1]
        for method in methods_of(rule):
            body = bodies.get(rule.endpoint, {}) if method in ("POST", "PUT", "PATCH") else None
            yield method, path, rule, body


def test_walk_covers_every_route(world):
    walked = {(rule.endpoint, method) for method, _, rule, _ in walk(world)}
    assert len(walked) == sum(len(methods_of(r)) for r in api_rules(world["app"]))
    assert ("api.get_meeting", "GET") in walked and ("api.import_document", "POST") in walked


def test_no_token_is_401_everywhere_but_the_document(world):
    for method, path, rule, body in walk(world):
        response = world["api"].call(method, path, json=body)
        if rule.endpoint == "api.openapi_document":
            assert response.status_code == 200
            continue
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "API-nøgle" in response.get_json()["message"]


def test_bad_token_is_401_everywhere(world):
    for method, path, rule, body in walk(world):
        if rule.endpoint == "api.openapi_document":
            continue
        for header in ("Bearer not-a-token", "Basic a29uc3VsZW50OnB3", "Bearer "):
            response = world["api"].call(method, path, json=body, headers={"Authorization": header})
            assert response.status_code == 401, f"{method} {path} with {header!r}"


def test_a_session_cookie_does_not_authenticate_the_api(world):
    # Logged in through the form: pages work, the API still wants a token (no CSRF via the API).
    owner = accounts.consultant_by_email(world["db"], OWNER)
    accounts.set_password_hash(world["db"], owner["id"], hash_password(PASSWORD))
    assert login(world["client"], OWNER).status_code == 302
    for method, path, rule, body in walk(world):
        if rule.endpoint == "api.openapi_document":
            continue
        response = world["api"].call(method, path, json=body)
        assert response.status_code == 401, f"{method} {path}"
    assert registry.get_citizen(world["db"], "cit-walk") is None


def test_another_consultant_is_refused_everywhere(world):
    db = world["db"]
    before = (registry.get_citizen(db, "cit-fatma"), placements.get_placement(db, world["args"]["placement_id"]),
              placements.meetings_of_citizen(db, "cit-fatma"), placements.placements_of_citizen(db, "cit-fatma"),
              placements.reports_of(db, world["args"]["placement_id"]))
    paths = document()["paths"]
    for method, path, rule, body in walk(world):
        response = world["api"].call(method, path, token=world["tokens"]["other"], json=body)
        text = response.get_data(as_text=True)
        if CITIZEN_SCOPED & set(rule.arguments):
            assert response.status_code == 404, f"{method} {path}"
        elif paths[openapi_path(rule.rule)][method.lower()].get("x-admin-only"):
            assert response.status_code == 403, f"{method} {path}"
        else:
            assert response.status_code < 500, f"{method} {path}"
        for secret in (*OWNER_CITIZENS, "Fatma", "Fortroligt notat"):
            assert secret not in text, f"{method} {path} showed {secret!r} to another consultant"
    after = (registry.get_citizen(db, "cit-fatma"), placements.get_placement(db, world["args"]["placement_id"]),
             placements.meetings_of_citizen(db, "cit-fatma"), placements.placements_of_citizen(db, "cit-fatma"),
             placements.reports_of(db, world["args"]["placement_id"]))
    assert after == before
    assert registry.get_citizen(db, "cit-import-walk") is None


def test_the_owner_and_an_admin_reach_every_citizen_route(world):
    for who in ("owner", "admin"):
        for method, path, rule, body in walk(world):
            if method != "GET" or not CITIZEN_SCOPED & set(rule.arguments):
                continue
            response = world["api"].call(method, path, token=world["tokens"][who])
            assert response.status_code == 200, f"{who}: {method} {path}"


def test_ids_in_urls_only(world):
    """Query parameters carry ids and filters; no route takes citizen data in its URL."""
    for rule in api_rules(world["app"]):
        assert set(rule.arguments) <= {"citizen_id", "placement_id", "meeting_id", "report_id", "employer_id",
                                       "opening_id"}
    allowed_query = {"consultant", "top", "radius_km", "shifts", "paid_only", "require_known_needs", "q",
                     "status", "employer_id", "active", "limit", "cursor", "kind", "period_from", "period_to", "sort"}
    for item in document()["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    assert parameter["in"] != "query" or parameter["name"] in allowed_query


def test_token_answers_carry_no_session_cookie(world):
    response = world["api"].call("GET", "/api/v1/citizens", token=world["tokens"]["owner"])
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert json.loads(response.get_data())["citizens"]


def test_a_token_from_the_cli_opens_the_api(world, config):
    from click.testing import CliRunner
    from smajobs.cli import main
    result = CliRunner().invoke(main, ["--db", config.db, "create-token", OWNER, "--label", "Fagsystem"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    response = world["api"].call("GET", "/api/v1/me", token=token)
    assert response.status_code == 200 and response.get_json()["email"] == OWNER
