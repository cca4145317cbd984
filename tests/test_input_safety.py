"""Input that must never get in: numbers JSON cannot carry (NaN, Infinity, 1e400), JSON that
would overflow the parser (a 5,000-digit integer, 100,000 levels of nesting), and control
characters in text. Checked through the API, `smajobs import` and the web forms; each gets a
Danish error that names the field, and nothing is stored."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from data import registry
from data.accounts import create_consultant
from data.db import connect
from smajobs.cli import main
from tests.api_contract import ContractClient, make_token
from tests.records import citizen, employer, opening

OWNER, ADMIN = "konsulent@example.dk", "admin@example.dk"
CITIZEN = '{"id": "cit-x", "first_name": "Mette", "postcode": "8000", "x_score": %s}'
DEEP = 100_000


@pytest.fixture
def api(app, client, db):
    ids = {"owner": create_consultant(db, email=OWNER, name="Karen", password_hash=None),
           "admin": create_consultant(db, email=ADMIN, name="Ada", password_hash=None, role="admin")}
    return SimpleNamespace(call=ContractClient(app, client).call, db=db,
                           **{who: make_token(db, consultant_id) for who, consultant_id in ids.items()})


@pytest.fixture
def cli(tmp_path):
    db_path = tmp_path / "cli.db"

    def run(*args, input=None):
        return CliRunner().invoke(main, ["--db", str(db_path), *args], input=input, catch_exceptions=False)
    run.db_path = db_path
    return run


def post_raw(api, path: str, body: bytes, token: str):
    return api.call("POST", path, token=token, data=body, content_type="application/json")


# --- 5: numbers JSON cannot carry ----------------------------------------------------------------

@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_api_refuses_a_number_json_cannot_carry_naming_the_field(api, number):
    response = post_raw(api, "/api/v1/citizens", (CITIZEN % number).encode(), api.owner)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert [p["field"] for p in body["problems"]] == ["x_score"]
    assert "x_score" in body["message"] and "tal" in body["message"]
    assert registry.get_citizen(api.db, "cit-x") is None


@pytest.mark.parametrize("number", ["1e400", "NaN", "Infinity"])
def test_import_refuses_a_number_json_cannot_carry_naming_the_field(cli, tmp_path, number):
    path = tmp_path / "in.json"
    path.write_text('{"citizens": [%s]}' % (CITIZEN % number).replace('"x_score": ', '"lat": 56.1, "lon": '))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("Fejl: ") and "citizens[0].lon" in result.output, result.output
    assert "Traceback" not in result.output
    assert not cli.db_path.exists() or not registry.get_citizen(connect(cli.db_path), "cit-x")


def test_api_import_refuses_1e400_in_an_opening(api):
    document = {"employers": [employer(openings=[opening(seats=1)])]}
    raw = json.dumps(document).replace('"seats": 1', '"seats": 1e400').encode()
    response = post_raw(api, "/api/v1/import", raw, api.admin)
    assert response.status_code == 400
    assert [p["field"] for p in response.get_json()["problems"]] == ["employers[0].openings[0].seats"]
    assert registry.get_employer(api.db, "emp-1") is None


# --- 6: JSON the parser cannot hold --------------------------------------------------------------

HUGE_INTEGER = "9" * 5000
DEEP_LIST = "[" * DEEP + "]" * DEEP


@pytest.mark.parametrize("value, words", [(HUGE_INTEGER, "cifre"), (DEEP_LIST, "dybt")])
def test_api_answers_400_in_danish_to_json_it_cannot_hold(api, value, words):
    response = post_raw(api, "/api/v1/citizens", (CITIZEN % value).encode(), api.owner)
    assert response.status_code == 400, response.get_json()
    assert words in response.get_json()["message"]
    assert registry.get_citizen(api.db, "cit-x") is None


def test_api_import_answers_400_to_deep_nesting(api):
    response = post_raw(api, "/api/v1/import", ('{"citizens": %s}' % DEEP_LIST).encode(), api.admin)
    assert response.status_code == 400 and "dybt" in response.get_json()["message"]


@pytest.mark.parametrize("value, words", [(HUGE_INTEGER, "cifre"), (DEEP_LIST, "dybt")])
def test_import_gives_a_danish_error_line_for_json_it_cannot_hold(cli, tmp_path, value, words):
    path = tmp_path / "in.json"
    path.write_text('{"citizens": [%s]}' % (CITIZEN % value))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("Fejl: ") and words in result.output, result.output[:300]
    assert "Traceback" not in result.output
    assert not cli.db_path.exists()


# --- 7: control characters -----------------------------------------------------------------------

from data import placements  # noqa: E402
from core.errors import Invalid  # noqa: E402
from data.exchange import parse_document  # noqa: E402
from tests.signup_helpers import csrf_token, form_data, signup_app, signup_client  # noqa: E402,F401
from tests.test_web_pages import (CITIZEN_FORM, FATMA, OPENING, field_block, owner, password_hash,  # noqa: E402,F401
                                  people, token)

SINGLE_LINE_BAD = ["Mette\r\nBcc: x@example.dk", "Mette\n", "Me\ttte", "Mette\x00", "Mette\x1b[2J", "Mette\x85",
                   "Mette\x7f"]
MULTI_LINE_BAD = ["linje\x00", "linje\x0b", "linje\x1b", "linje\x9b", "linje\r"]


def exchange_problems(document) -> list[tuple[str, str, str]]:
    with pytest.raises(Invalid) as caught:
        parse_document(document)
    return [(p.record_id, p.field, p.reason) for p in caught.value.problems]


@pytest.mark.parametrize("value", SINGLE_LINE_BAD)
def test_exchange_refuses_control_characters_in_single_line_fields(value):
    document = {"citizens": [citizen(first_name=value, target_group=value)],
                "employers": [employer(name=value, address=value, contact={"name": value, "phone": value},
                                       openings=[opening(title=value)])]}
    found = exchange_problems(document)
    assert {(record_id, field) for record_id, field, _ in found} == {
        ("cit-1", "first_name"), ("cit-1", "target_group"), ("emp-1", "name"), ("emp-1", "address"),
        ("emp-1", "contact.name"), ("emp-1", "contact.phone"), ("opn-1", "title")}
    assert all("styretegn" in reason for _, _, reason in found)


@pytest.mark.parametrize("value", MULTI_LINE_BAD)
def test_exchange_refuses_control_characters_in_free_text_but_newlines_and_tabs_are_fine(value):
    found = exchange_problems({"citizens": [citizen(interests=value, goal="Et mål\nover\tto linjer")],
                               "employers": [employer(openings=[opening(tasks=value)])]})
    assert {(record_id, field) for record_id, field, _ in found} == {("cit-1", "interests"), ("opn-1", "tasks")}
    parsed = parse_document({"citizens": [citizen(goal="Et mål\r\nover\tto linjer")]})
    assert parsed.citizens[0]["goal"] == "Et mål\nover\tto linjer"


def test_exchange_refuses_control_characters_in_ids():
    found = exchange_problems({"citizens": [citizen(id="cit-\n1")]})
    assert [field for _, field, _ in found] == ["id"]


def test_api_refuses_a_line_break_in_a_first_name(api):
    body = {"id": "cit-x", "first_name": "Mette\r\nBcc: x@example.dk", "postcode": "8000"}
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json=body)
    assert response.status_code == 422
    [problem] = response.get_json()["problems"]
    assert problem["field"] == "first_name" and "styretegn" in problem["reason"]
    assert registry.get_citizen(api.db, "cit-x") is None


def test_import_refuses_nul_in_a_first_name(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"citizens": [citizen(first_name="Fatma\u0000")]}))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "borger 'cit-1', felt 'first_name'" in result.output and "styretegn" in result.output


def test_api_meeting_refuses_control_characters_per_field(api, demo_document):
    registry.import_document(api.db, {"citizens": [citizen(consultant=OWNER)]})
    url = "/api/v1/citizens/cit-1/meetings"
    bad = {"kind": "first_citizen", "held_on": "2026-01-05", "participants": "Fatma\nKaren", "note": "ok\x00"}
    response = api.call("POST", url, token=api.owner, json=bad)
    assert response.status_code == 422
    assert {p["field"] for p in response.get_json()["problems"]} == {"participants", "note"}
    good = {**bad, "participants": "Fatma, Karen", "note": "To linjer\r\nog\ten tab"}
    created = api.call("POST", url, token=api.owner, json=good)
    assert created.status_code == 201 and created.get_json()["note"] == "To linjer\nog\ten tab"


def test_citizen_form_refuses_a_line_break_in_the_first_name(owner, people):
    before = people.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]
    response = owner.post("/borgere/ny", data={**CITIZEN_FORM, "first_name": "Ole\r\nBcc: x@example.dk",
                                               "csrf_token": token(owner)})
    assert response.status_code == 400
    assert "styretegn" in field_block(response.get_data(as_text=True), "first_name")
    assert people.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == before


def test_meeting_form_refuses_control_characters(owner, people):
    url = f"/borgere/{FATMA}/moeder/nyt"
    data = {"kind": "first_citizen", "placement_id": "", "held_on": "2026-01-02", "participants": "Fatma\x1b",
            "note": "Første snak\r\nto linjer", "paid_hours_proposed": "", "paid_hours_answer": "",
            "csrf_token": token(owner, url)}
    response = owner.post(url, data=data)
    assert response.status_code == 400
    assert "styretegn" in field_block(response.get_data(as_text=True), "participants")
    assert placements.meetings_of_citizen(people, FATMA) == []


@pytest.mark.parametrize("field, value", [("contact_name", "Ali\r\nBcc: x@example.dk"),
                                          ("openings-0-title", "Ko\x85k"),
                                          ("openings-0-tasks", "Opvask\x00")])
def test_employer_form_refuses_control_characters(signup_client, db, field, value):
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    response = signup_client.post("/virksomhed/tilmeld", data=form_data(csrf_token(page), **{field: value}))
    assert response.status_code == 400
    assert "styretegn" in response.get_data(as_text=True)
    assert [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("registrations", "employers")] \
        == [0, 0]


def test_employer_form_keeps_line_breaks_in_tasks(signup_client, db):
    page = signup_client.get("/virksomhed/tilmeld").get_data(as_text=True)
    response = signup_client.post("/virksomhed/tilmeld", data=form_data(
        csrf_token(page), **{"openings-0-tasks": "Opvask\r\nGrøntsager\tog brød"}))
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
