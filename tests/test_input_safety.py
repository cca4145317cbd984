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
