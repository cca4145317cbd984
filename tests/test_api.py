"""The JSON API: resources, errors and the OpenAPI contract (every answer validated)."""
from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from openapi_spec_validator import validate as validate_spec

from data import registry
from data.accounts import create_consultant
from tests.api_contract import ContractClient, api_rules, make_token, methods_of, openapi_path

OWNER, OTHER, ADMIN = "konsulent@example.dk", "anden@example.dk", "admin@example.dk"

NEW_CITIZEN = {
    "id": "cit-api-1", "first_name": "Mette", "age": 34, "postcode": "8000",
    "interests": "dyr, havearbejde", "goal": "få en fast hverdag", "languages": ["da"],
    "hours_per_week": {"min": 4, "max": 8}, "shifts": ["day"], "max_travel_km": 12,
    "needs": ["quiet_environment", "gradual_start"], "social_free_card": True,
}
NEW_EMPLOYER = {
    "id": "emp-api-1", "name": "Gartneriet Æblehaven", "postcode": "8000", "industry": "Gartneri",
    "contact": {"name": "Ole", "email": "ole@example.dk"},
    "openings": [{"id": "opn-api-1", "title": "Gartnerhjælper", "tasks": "Luge, vande, pakke grøntsager",
                  "hours_per_week": {"min": 3, "max": 10}, "can_meet": ["quiet_environment"]}],
}


@pytest.fixture
def api(app, client, demo_db):
    # API callers need no password, and skipping argon2 keeps these tests fast.
    ids = {
        "owner": create_consultant(demo_db, email=OWNER, name="Karen Konsulent", password_hash=None),
        "other": create_consultant(demo_db, email=OTHER, name="Anders Anden", password_hash=None),
        "admin": create_consultant(demo_db, email=ADMIN, name="Ada Admin", password_hash=None, role="admin"),
    }
    return SimpleNamespace(
        call=ContractClient(app, client).call, client=client, db=demo_db, ids=ids,
        **{who: make_token(demo_db, consultant_id) for who, consultant_id in ids.items()},
    )


def first_demo_opening(db) -> str:
    return registry.matchable_employers(db)[0]["openings"][0]["id"]


# --- the document --------------------------------------------------------------------------------

def test_openapi_document_is_public_and_valid(api):
    response = api.call("GET", "/api/v1/openapi.json")
    assert response.status_code == 200
    validate_spec(response.get_json())


def test_every_route_is_documented_and_every_documented_operation_exists(app, api):
    document = api.call("GET", "/api/v1/openapi.json").get_json()
    routes = {(openapi_path(rule.rule), method.lower()) for rule in api_rules(app) for method in methods_of(rule)}
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert routes == documented
    assert len(routes) > 20


def test_contract_check_catches_a_body_that_breaks_the_schema(api):
    from tests.api_contract import validate
    from web.openapi import document
    doc = document()
    with pytest.raises(AssertionError, match="first_name"):
        validate(doc, {"$ref": "#/components/schemas/StoredCitizen"}, {"id": "x", "postcode": "8000"})
    with pytest.raises(AssertionError):
        validate(doc, {"$ref": "#/components/schemas/Error"}, {"status": 404, "message": "x", "problems": [],
                                                              "trace": "..."})


def test_whoami(api):
    body = api.call("GET", "/api/v1/me", token=api.owner).get_json()
    assert body == {"id": api.ids["owner"], "email": OWNER, "name": "Karen Konsulent", "role": "consultant"}


# --- errors are JSON, in Danish, with the right status -------------------------------------------

def test_malformed_json_is_400(api):
    response = api.call("POST", "/api/v1/citizens", token=api.owner, data=b'{"id": "x",',
                        content_type="application/json")
    assert response.status_code == 400
    assert "ikke gyldig JSON" in response.get_json()["message"]


def test_body_that_is_not_json_is_415(api):
    response = api.call("POST", "/api/v1/citizens", token=api.owner, data="id=x",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/json" in response.get_json()["message"]


def test_too_large_body_is_413(api):
    huge = {**NEW_CITIZEN, "interests": "x" * (600 * 1024)}
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json=huge)
    assert response.status_code == 413
    assert "for stor" in response.get_json()["message"]
    assert registry.get_citizen(api.db, NEW_CITIZEN["id"]) is None


def test_unknown_url_and_wrong_method_answer_json(api):
    missing = api.call("GET", "/api/v1/nothing-here", token=api.owner)
    assert missing.status_code == 404 and missing.get_json()["message"]
    wrong = api.call("DELETE", "/api/v1/employers", token=api.owner)
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"] and "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["message"] == "Metoden er ikke tilladt her."


def test_answers_are_not_cached(api):
    response = api.call("GET", "/api/v1/citizens", token=api.owner)
    assert response.headers["Cache-Control"] == "no-store"


# --- citizens ------------------------------------------------------------------------------------

def test_consultant_lists_only_own_citizens_admin_lists_all(api):
    api.call("POST", "/api/v1/citizens", token=api.other, json={**NEW_CITIZEN, "id": "cit-other"})
    own = api.call("GET", "/api/v1/citizens", token=api.owner).get_json()["citizens"]
    assert [c["id"] for c in own] == ["cit-fatma", "cit-samir", "cit-sofie"]  # by first name
    assert all(c["consultant"] == OWNER for c in own)
    everyone = api.call("GET", "/api/v1/citizens", token=api.admin).get_json()["citizens"]
    assert {c["id"] for c in everyone} == {c["id"] for c in own} | {"cit-other"}
    filtered = api.call("GET", f"/api/v1/citizens?consultant={OTHER}", token=api.admin).get_json()["citizens"]
    assert [c["id"] for c in filtered] == ["cit-other"]
    refused = api.call("GET", f"/api/v1/citizens?consultant={OWNER}", token=api.other)
    assert refused.status_code == 403


def test_create_get_update_delete_citizen(api):
    created = api.call("POST", "/api/v1/citizens", token=api.owner, json=NEW_CITIZEN)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/citizens/cit-api-1")
    body = created.get_json()
    assert body["consultant"] == OWNER  # absent: the caller follows the citizen
    assert body["needs"] == ["quiet_environment", "gradual_start"] and body["social_free_card"] is True
    assert api.call("GET", "/api/v1/citizens/cit-api-1", token=api.owner).get_json() == body

    changed = {**body, "goal": "fleksjob i et gartneri", "needs": ["quiet_environment"]}
    del changed["social_free_card"]
    updated = api.call("PUT", "/api/v1/citizens/cit-api-1", token=api.owner, json=changed).get_json()
    assert updated["goal"] == "fleksjob i et gartneri" and updated["needs"] == ["quiet_environment"]
    assert "social_free_card" not in updated  # PUT is the whole record: left out means false
    stored = registry.get_citizen(api.db, "cit-api-1")
    assert stored["goal"] == "fleksjob i et gartneri" and stored["social_free_card"] is False

    assert api.call("DELETE", "/api/v1/citizens/cit-api-1", token=api.owner).status_code == 204
    assert api.call("GET", "/api/v1/citizens/cit-api-1", token=api.owner).status_code == 404
    assert registry.get_citizen(api.db, "cit-api-1") is None


def test_create_with_existing_id_is_409_and_changes_nothing(api):
    before = registry.get_citizen(api.db, "cit-fatma")
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json={**NEW_CITIZEN, "id": "cit-fatma"})
    assert response.status_code == 409
    assert "cit-fatma" in response.get_json()["message"] and "PUT" in response.get_json()["message"]
    assert registry.get_citizen(api.db, "cit-fatma") == before


def test_invalid_citizen_is_422_with_every_problem_and_nothing_stored(api):
    bad = {**NEW_CITIZEN, "postcode": "12", "needs": ["flying"], "hours_per_week": {"min": 9, "max": 2}}
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json=bad)
    assert response.status_code == 422
    problems = {(p["id"], p["field"]) for p in response.get_json()["problems"]}
    assert {("cit-api-1", "postcode"), ("cit-api-1", "needs"), ("cit-api-1", "hours_per_week")} <= problems
    reasons = " ".join(p["reason"] for p in response.get_json()["problems"])
    assert "postnummer" in reasons and "ukendt skånehensyn 'flying'" in reasons
    assert registry.get_citizen(api.db, "cit-api-1") is None


def test_update_applies_the_same_validation(api):
    record = api.call("GET", "/api/v1/citizens/cit-fatma", token=api.owner).get_json()
    response = api.call("PUT", "/api/v1/citizens/cit-fatma", token=api.owner,
                        json={**record, "max_travel_km": -3, "first_name": ""})
    assert response.status_code == 422
    assert {p["field"] for p in response.get_json()["problems"]} == {"max_travel_km", "first_name"}
    assert registry.get_citizen(api.db, "cit-fatma")["first_name"] == "Fatma"


def test_update_cannot_change_the_id(api):
    record = api.call("GET", "/api/v1/citizens/cit-fatma", token=api.owner).get_json()
    response = api.call("PUT", "/api/v1/citizens/cit-fatma", token=api.owner, json={**record, "id": "cit-new"})
    assert response.status_code == 422 and response.get_json()["problems"][0]["field"] == "id"
    assert registry.get_citizen(api.db, "cit-new") is None


def test_only_an_admin_hands_a_citizen_to_another_consultant(api):
    record = api.call("GET", "/api/v1/citizens/cit-fatma", token=api.owner).get_json()
    refused = api.call("PUT", "/api/v1/citizens/cit-fatma", token=api.owner, json={**record, "consultant": OTHER})
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["field"] == "consultant"
    assert registry.get_citizen(api.db, "cit-fatma")["consultant"] == OWNER

    unknown = api.call("PUT", "/api/v1/citizens/cit-fatma", token=api.admin,
                       json={**record, "consultant": "ingen@example.dk"})
    assert unknown.status_code == 422 and "ingen aktiv konsulent" in unknown.get_json()["problems"][0]["reason"]

    moved = api.call("PUT", "/api/v1/citizens/cit-fatma", token=api.admin, json={**record, "consultant": OTHER})
    assert moved.status_code == 200 and moved.get_json()["consultant"] == OTHER
    assert api.call("GET", "/api/v1/citizens/cit-fatma", token=api.owner).status_code == 404
    assert api.call("GET", "/api/v1/citizens/cit-fatma", token=api.other).status_code == 200


def test_consultant_cannot_create_a_citizen_for_someone_else(api):
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json={**NEW_CITIZEN, "consultant": OTHER})
    assert response.status_code == 422
    assert registry.get_citizen(api.db, NEW_CITIZEN["id"]) is None


def test_non_object_body_is_422(api):
    response = api.call("POST", "/api/v1/citizens", token=api.owner, json=[NEW_CITIZEN])
    assert response.status_code == 422 and response.get_json()["problems"][0]["field"] == "(post)"


# --- matches -------------------------------------------------------------------------------------

def test_matches_with_reasons(api):
    response = api.call("GET", "/api/v1/citizens/cit-fatma/matches?top=3", token=api.owner)
    assert response.status_code == 200
    body = response.get_json()
    assert 1 <= len(body["matches"]) <= 3
    assert all(m["reasons"] and all(isinstance(r, str) and r for r in m["reasons"]) for m in body["matches"])
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_match_filters_are_applied(api):
    paid = api.call("GET", "/api/v1/citizens/cit-fatma/matches?top=50&paid_only=true&radius_km=20&shifts=day",
                    token=api.owner).get_json()
    assert paid["radius_km"] == 20
    for match in paid["matches"]:
        opening = registry.get_opening(api.db, match["opening_id"])
        assert opening["paid_hours"] in ("from_start", "after_trial")
        assert "day" in opening["shifts"]


def test_bad_match_parameters_are_422(api):
    response = api.call("GET", "/api/v1/citizens/cit-fatma/matches?top=0&radius_km=langt&shifts=day,moon"
                               "&paid_only=maybe&name=Fatma", token=api.owner)
    assert response.status_code == 422
    fields = {p["field"] for p in response.get_json()["problems"]}
    assert fields == {"top", "radius_km", "shifts", "paid_only", "name"}


# --- employers and openings ---------------------------------------------------------------------

def test_employers_search_get_create_update(api):
    everyone = api.call("GET", "/api/v1/employers", token=api.other).get_json()["employers"]
    assert len(everyone) == 90 and all(e["openings"] for e in everyone)
    name = everyone[0]["name"]
    found = api.call("GET", f"/api/v1/employers?q={name.split()[0].lower()}", token=api.other).get_json()
    assert everyone[0]["id"] in {e["id"] for e in found["employers"]}
    assert len(found["employers"]) < len(everyone)

    created = api.call("POST", "/api/v1/employers", token=api.other, json=NEW_EMPLOYER)
    assert created.status_code == 201 and created.get_json()["status"] == "approved"
    assert api.call("POST", "/api/v1/employers", token=api.owner, json=NEW_EMPLOYER).status_code == 409

    fetched = api.call("GET", "/api/v1/employers/emp-api-1", token=api.owner).get_json()
    fetched["openings"][0]["seats"] = 2
    fetched["status"] = "rejected"  # read-only: ignored, so a GET body can be sent back
    updated = api.call("PUT", "/api/v1/employers/emp-api-1", token=api.owner, json=fetched).get_json()
    assert updated["openings"][0]["seats"] == 2 and updated["status"] == "approved"
    assert "status" not in (registry.get_employer(api.db, "emp-api-1")["extra"])


def test_invalid_employer_is_422_naming_the_opening(api):
    bad = copy.deepcopy(NEW_EMPLOYER)
    bad["cvr"] = "12345679"
    bad["openings"][0]["paid_hours"] = "sometimes"
    response = api.call("POST", "/api/v1/employers", token=api.owner, json=bad)
    assert response.status_code == 422
    problems = {(p["id"], p["field"]) for p in response.get_json()["problems"]}
    assert problems == {("emp-api-1", "cvr"), ("opn-api-1", "paid_hours")}
    assert registry.get_employer(api.db, "emp-api-1") is None


def test_unknown_employer_is_404(api):
    assert api.call("GET", "/api/v1/employers/emp-nope", token=api.owner).status_code == 404
    assert api.call("PUT", "/api/v1/employers/emp-nope", token=api.owner, json=NEW_EMPLOYER).status_code == 404


def test_openings_list_and_get(api):
    api.call("POST", "/api/v1/employers", token=api.owner, json={
        **NEW_EMPLOYER, "openings": [NEW_EMPLOYER["openings"][0],
                                     {"id": "opn-api-2", "title": "Pakker", "tasks": "Pakke", "active": False}]})
    # The demo has more openings than the default page (100): one page of 500 holds them all.
    listed = api.call("GET", "/api/v1/openings?limit=500", token=api.owner)
    assert "Link" not in listed.headers
    all_openings = listed.get_json()["openings"]
    assert {"opn-api-1", "opn-api-2"} <= {o["id"] for o in all_openings}
    inactive = api.call("GET", "/api/v1/openings?active=false", token=api.owner).get_json()["openings"]
    assert "opn-api-2" in {o["id"] for o in inactive} and all(not o["active"] for o in inactive)
    of_employer = api.call("GET", "/api/v1/openings?employer_id=emp-api-1", token=api.owner).get_json()
    assert [o["id"] for o in of_employer["openings"]] == ["opn-api-1", "opn-api-2"]
    one = api.call("GET", "/api/v1/openings/opn-api-1", token=api.owner).get_json()
    assert one["employer_id"] == "emp-api-1" and one["title"] == "Gartnerhjælper"
    assert api.call("GET", "/api/v1/openings/opn-nope", token=api.owner).status_code == 404
    assert api.call("GET", "/api/v1/openings?active=ja", token=api.owner).status_code == 422


# --- placements and meetings ---------------------------------------------------------------------

def test_placement_lifecycle_with_meetings(api):
    opening_id = first_demo_opening(api.db)
    created = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": opening_id, "kind": "virksomhedspraktik", "start_date": "2026-12-01",
        "planned_end_date": "2027-01-26", "hours_per_week": 8})
    assert created.status_code == 201
    placement = created.get_json()
    assert placement["status"] == "planned" and placement["citizen_id"] == "cit-fatma"
    assert created.headers["Location"].endswith(f"/api/v1/placements/{placement['id']}")
    path = f"/api/v1/placements/{placement['id']}"

    listed = api.call("GET", "/api/v1/citizens/cit-fatma/placements", token=api.owner).get_json()
    assert [p["id"] for p in listed["placements"]] == [placement["id"]]

    changed = api.call("PATCH", path, token=api.owner, json={
        "status": "active", "paid_hours_per_week": 3, "hourly_wage": 130}).get_json()
    assert changed["status"] == "active" and changed["paid_hours_per_week"] == 3 and changed["hourly_wage"] == 130

    meeting = api.call("POST", "/api/v1/citizens/cit-fatma/meetings", token=api.owner, json={
        "placement_id": placement["id"], "kind": "first_employer", "held_on": "2026-12-03",
        "participants": "Fatma, Ali (køkkenchef)", "note": "God start", "paid_hours_proposed": True,
        "paid_hours_answer": "Ja, fra januar"})
    assert meeting.status_code == 201
    meeting_body = meeting.get_json()
    assert meeting_body["paid_hours_proposed"] is True and meeting_body["created_by"] == api.ids["owner"]
    assert api.call("GET", f"/api/v1/meetings/{meeting_body['id']}", token=api.owner).get_json() == meeting_body
    assert api.call("GET", f"{path}/meetings", token=api.owner).get_json()["meetings"] == [meeting_body]
    assert api.call("GET", "/api/v1/citizens/cit-fatma/meetings", token=api.owner).get_json()["meetings"] == \
        [meeting_body]

    employer_id = placement["employer_id"]
    history = api.call("GET", f"/api/v1/employers/{employer_id}/placements", token=api.owner).get_json()
    assert [p["id"] for p in history["placements"]] == [placement["id"]]
    assert api.call("GET", f"/api/v1/employers/{employer_id}/placements", token=api.other).get_json() == \
        {"placements": []}
    assert len(api.call("GET", f"/api/v1/employers/{employer_id}/placements", token=api.admin)
               .get_json()["placements"]) == 1
    assert api.call("GET", "/api/v1/employers/emp-nope/placements", token=api.owner).status_code == 404

    ended = api.call("POST", f"{path}/end", token=api.owner,
                     json={"end_date": "2027-01-20", "outcome": "beskaeftigelse"}).get_json()
    assert ended["status"] == "ended" and ended["outcome"] == "beskaeftigelse"
    assert api.call("GET", path, token=api.owner).get_json() == ended


def test_invalid_placement_is_422_per_field_and_nothing_stored(api):
    response = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": first_demo_opening(api.db), "kind": "praktik", "start_date": "2026-13-01",
        "hours_per_week": 10, "paid_hours_per_week": 4, "color": "blå"})
    assert response.status_code == 422
    assert {p["field"] for p in response.get_json()["problems"]} == {"color"}  # typos first
    response = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": first_demo_opening(api.db), "kind": "praktik", "start_date": "2026-13-01",
        "hours_per_week": 10, "paid_hours_per_week": 4})
    assert response.status_code == 422
    fields = {p["field"] for p in response.get_json()["problems"]}
    assert fields == {"kind", "start_date", "hourly_wage"}
    assert api.call("GET", "/api/v1/citizens/cit-fatma/placements", token=api.owner).get_json()["placements"] == []


def test_patch_without_changes_is_422(api):
    placement = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": first_demo_opening(api.db), "kind": "smajob", "start_date": "2026-12-01",
        "hours_per_week": 5}).get_json()
    response = api.call("PATCH", f"/api/v1/placements/{placement['id']}", token=api.owner, json={})
    assert response.status_code == 422 and "mindst ét felt" in response.get_json()["problems"][0]["reason"]
    renamed = api.call("PATCH", f"/api/v1/placements/{placement['id']}", token=api.owner,
                       json={"citizen_id": "cit-samir"})
    assert renamed.status_code == 422 and renamed.get_json()["problems"][0]["field"] == "citizen_id"


def test_placement_on_unknown_opening_is_422(api):
    response = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": "opn-nope", "kind": "smajob", "start_date": "2026-12-01", "hours_per_week": 5})
    assert response.status_code == 422
    assert response.get_json()["problems"][0]["field"] == "opening_id"


def test_ending_needs_date_and_outcome(api):
    placement = api.call("POST", "/api/v1/citizens/cit-fatma/placements", token=api.owner, json={
        "opening_id": first_demo_opening(api.db), "kind": "smajob", "start_date": "2026-12-01",
        "hours_per_week": 5}).get_json()
    response = api.call("POST", f"/api/v1/placements/{placement['id']}/end", token=api.owner,
                        json={"end_date": "2026-11-01", "outcome": "gevinst"})
    assert response.status_code == 422
    assert {p["field"] for p in response.get_json()["problems"]} == {"end_date", "outcome"}
    missing = api.call("POST", f"/api/v1/placements/{placement['id']}/end", token=api.owner, json={})
    assert {p["field"] for p in missing.get_json()["problems"]} == {"end_date", "outcome"}


def test_employer_meeting_without_placement_is_422(api):
    response = api.call("POST", "/api/v1/citizens/cit-fatma/meetings", token=api.owner, json={
        "kind": "employer_checkin", "held_on": "2026-12-03"})
    assert response.status_code == 422
    assert response.get_json()["problems"][0]["field"] == "placement_id"


def test_unknown_placement_and_meeting_are_404(api):
    assert api.call("GET", "/api/v1/placements/999999", token=api.owner).status_code == 404
    assert api.call("GET", "/api/v1/meetings/999999", token=api.owner).status_code == 404
    assert api.call("GET", "/api/v1/placements/abc", token=api.owner).status_code == 404


# --- import and export ---------------------------------------------------------------------------

def test_import_is_admin_only(api):
    response = api.call("POST", "/api/v1/import", token=api.owner, json={"citizens": [NEW_CITIZEN]})
    assert response.status_code == 403
    assert registry.get_citizen(api.db, NEW_CITIZEN["id"]) is None


def test_import_and_reimport(api):
    document = {"employers": [NEW_EMPLOYER], "citizens": [{**NEW_CITIZEN, "consultant": OTHER}]}
    first = api.call("POST", "/api/v1/import", token=api.admin, json=document).get_json()
    assert first["created"] == {"employers": 1, "openings": 1, "citizens": 1}
    again = api.call("POST", "/api/v1/import", token=api.admin, json=document).get_json()
    assert again["unchanged"] == {"employers": 1, "openings": 1, "citizens": 1}
    assert "uændret" in again["message"]


def test_invalid_import_is_rejected_whole(api):
    document = {"employers": [NEW_EMPLOYER],
                "citizens": [NEW_CITIZEN, {"id": "cit-bad", "first_name": "X", "postcode": "0000"}]}
    response = api.call("POST", "/api/v1/import", token=api.admin, json=document)
    assert response.status_code == 422
    body = response.get_json()
    assert "intet er gemt" in body["message"]
    assert [(p["id"], p["field"]) for p in body["problems"]] == [("cit-bad", "postcode")]
    assert registry.get_employer(api.db, "emp-api-1") is None
    assert registry.get_citizen(api.db, NEW_CITIZEN["id"]) is None


def test_export_gives_a_consultant_only_their_own_citizens(api):
    api.call("POST", "/api/v1/citizens", token=api.other, json={**NEW_CITIZEN, "id": "cit-other"})
    for_owner = api.call("GET", "/api/v1/export", token=api.owner).get_json()
    for_other = api.call("GET", "/api/v1/export", token=api.other).get_json()
    for_admin = api.call("GET", "/api/v1/export", token=api.admin).get_json()
    assert len(for_owner["employers"]) == len(for_other["employers"]) == len(for_admin["employers"]) == 90
    assert [c["id"] for c in for_other["citizens"]] == ["cit-other"]
    assert "cit-other" not in {c["id"] for c in for_owner["citizens"]}
    assert {c["id"] for c in for_admin["citizens"]} == {c["id"] for c in for_owner["citizens"]} | {"cit-other"}
    # An admin's export is the exchange format: it imports back unchanged.
    summary = api.call("POST", "/api/v1/import", token=api.admin, json=for_admin).get_json()
    assert summary["created"] == summary["updated"] == {"employers": 0, "openings": 0, "citizens": 0}


def test_admin_creating_without_consultant_follows_the_citizen(api):
    body = api.call("POST", "/api/v1/citizens", token=api.admin, json=NEW_CITIZEN).get_json()
    assert body["consultant"] == ADMIN


def test_citizen_data_stays_out_of_the_logs(api, caplog):
    import logging
    caplog.set_level(logging.DEBUG)
    api.call("POST", "/api/v1/citizens", token=api.owner, json={**NEW_CITIZEN, "first_name": "Hemmelighed"})
    api.call("PUT", "/api/v1/citizens/cit-api-1", token=api.owner,
             json={**NEW_CITIZEN, "first_name": "Hemmelighed", "postcode": "0"})
    api.call("GET", "/api/v1/citizens/cit-api-1", token=api.owner)
    assert "Hemmelighed" not in caplog.text and "havearbejde" not in caplog.text


def test_an_unexpected_error_is_a_danish_json_500_without_data_in_the_log(app, caplog):
    import logging
    from web.api import _handle_unexpected
    caplog.set_level(logging.ERROR)
    with app.test_request_context("/api/v1/citizens/cit-fatma"):
        from flask import request
        request.url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "api.get_citizen")
        try:
            secret = "".join(["Fat", "ma har angst"])  # code lines show in frames; data must not
            raise RuntimeError(secret)
        except RuntimeError as error:
            response = _handle_unexpected(error)
    assert response.status_code == 500 and "fejl på serveren" in response.get_json()["message"]
    assert "RuntimeError" in caplog.text and "/api/v1/citizens/<citizen_id>" in caplog.text
    assert "Fatma" not in caplog.text


# --- the document and the API agree (found by Schemathesis; see test_api_schemathesis) ------------

HUGE_ID = "10052816972400387730725404672"


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/v1/placements/{HUGE_ID}/reports"), ("POST", f"/api/v1/placements/{HUGE_ID}/reports/1/submitted"),
    ("GET", f"/api/v1/placements/1/reports/{HUGE_ID}"), ("DELETE", f"/api/v1/meetings/{HUGE_ID}"),
    ("PATCH", f"/api/v1/placements/{HUGE_ID}"), ("GET", "/api/v1/meetings/9223372036854775808"),
])
def test_an_id_too_large_for_sqlite_is_404(api, method, path):
    body = {"kind": "delrapport"} if method in ("PATCH",) else None
    response = api.call(method, path, token=api.owner, json=body)
    assert response.status_code == 404


@pytest.mark.parametrize("field, value", [("participants", None), ("participants", ["Fatma"]), ("note", 5),
                                          ("placement_id", "1"), ("held_on", 20260105)])
def test_a_meeting_field_of_the_wrong_json_type_is_422(api, field, value):
    body = {"kind": "first_citizen", "held_on": "2026-01-05", field: value}
    response = api.call("POST", "/api/v1/citizens/cit-fatma/meetings", token=api.admin, json=body)
    assert response.status_code == 422
    assert [p["field"] for p in response.get_json()["problems"]] == [field]


def test_the_document_refuses_what_the_api_refuses_in_query_parameters(api):
    from tests.api_contract import validate
    doc = api.call("GET", "/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/citizens/{citizen_id}/matches"]["get"]
                  ["parameters"]}
    parameters["cursor"] = next(p["schema"] for p in doc["paths"]["/api/v1/citizens"]["get"]["parameters"]
                                if p["name"] == "cursor")
    for name, value in (("cursor", ""), ("cursor", " "), ("shifts", "day,moon"), ("shifts", "day evening"),
                        ("paid_only", "maybe")):
        with pytest.raises(AssertionError):
            validate(doc, parameters[name], value)
        assert api.call("GET", f"/api/v1/citizens/cit-fatma/{'matches' if name != 'cursor' else 'placements'}"
                               f"?{name}={value}", token=api.owner).status_code in (400, 422)
    validate(doc, parameters["shifts"], "day, evening,")
    validate(doc, parameters["cursor"], "gAAAAABn-abc_123=")
