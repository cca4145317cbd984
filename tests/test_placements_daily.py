"""Issue 10, forløb: no double placements, full openings need confirmation, cancelling a forløb
made by mistake, reminders right after a save, and the overview of every forløb (API and data)."""
from __future__ import annotations

from datetime import datetime

import pytest

from core.errors import Conflict, Invalid
from data import audit, placements, statistics
from jobs.rules import run_for_citizen, run_pass
from tests.test_api import OTHER, api  # noqa: F401  (the API fixture, with its consultants and tokens)

OPENING, OTHER_OPENING = "opn-98191", "opn-76855"
BASE = {"kind": "virksomhedspraktik", "start_date": "2026-03-02", "hours_per_week": 10}


def _create(api, citizen="cit-fatma", opening=OPENING, token=None, **extra):
    return api.call("POST", f"/api/v1/citizens/{citizen}/placements", token=token or api.owner,
                    json={**BASE, "opening_id": opening, **extra})


def _open_reminders(db, citizen_id):
    return [dict(r) for r in db.query("SELECT * FROM reminders WHERE citizen_id = ? AND status = 'open'",
                                      [citizen_id])]


def test_a_second_open_forloeb_at_the_same_opening_is_409_until_the_first_is_cancelled(api):
    first = _create(api)
    assert first.status_code == 201
    again = _create(api, status="active")
    assert again.status_code == 409
    body = again.get_json()
    assert body["status"] == 409 and body["problems"][0]["field"] == "opening_id"
    assert "allerede et planlagt eller aktivt forløb" in body["problems"][0]["reason"]
    assert len(placements.placements_of_citizen(api.db, "cit-fatma")) == 1
    # An ended forløb does not block a new one; nor does a cancelled one.
    cancelled = api.call("PATCH", f"/api/v1/placements/{first.get_json()['id']}", token=api.owner,
                         json={"status": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert _create(api).status_code == 201
    # Reopening the cancelled one would make two open forløb: refused too.
    reopened = api.call("PATCH", f"/api/v1/placements/{first.get_json()['id']}", token=api.owner,
                        json={"status": "planned"})
    assert reopened.status_code == 409 and reopened.get_json()["problems"][0]["field"] == "opening_id"


def test_a_full_opening_needs_confirm_full(api):
    assert _create(api, citizen="cit-fatma").status_code == 201  # the opening's one seat
    full = _create(api, citizen="cit-sofie")
    assert full.status_code == 409
    [problem] = full.get_json()["problems"]
    assert problem["field"] == "confirm_full" and "Ingen ledige pladser: 1 af 1 plads" in problem["reason"]
    assert _create(api, citizen="cit-sofie", confirm_full=False).status_code == 409
    confirmed = _create(api, citizen="cit-sofie", confirm_full=True)
    assert confirmed.status_code == 201 and confirmed.get_json()["opening_id"] == OPENING
    assert "confirm_full" not in confirmed.get_json()


def test_data_layer_refuses_a_double_placement(demo_db):
    values = dict(citizen_id="cit-fatma", opening_id=OPENING, **BASE)
    placements.create_placement(demo_db, **values)
    try:
        placements.create_placement(demo_db, **values, status="active")
    except Conflict as error:
        assert error.fields() == {"opening_id"}
    else:
        raise AssertionError("a second open forløb was stored")


def test_a_new_forloeb_cannot_be_born_cancelled(api):
    # The schema allows only the open and ended statuses on creation; the data layer refuses it too
    # (imports and scripts reach it without the API), and nothing is stored.
    answer = _create(api, status="cancelled")
    assert answer.status_code == 422
    assert not placements.placements_of_citizen(api.db, "cit-fatma")
    with pytest.raises(Invalid) as refused:
        placements.create_placement(api.db, citizen_id="cit-fatma", opening_id=OPENING, status="cancelled", **BASE)
    [problem] = refused.value.problems
    assert problem.field == "status" and problem.reason.startswith("Et nyt forløb kan ikke oprettes som annulleret")
    assert not placements.placements_of_citizen(api.db, "cit-fatma")


def test_cancelling_drops_the_outcome_statistics_and_reminders_and_is_audited(api, clock):
    clock.set(datetime(2026, 4, 20, 10, 0))
    created = _create(api, status="active", start_date="2026-03-02").get_json()
    run_pass(api.db, api.client.application.config["SMAJOBS"])
    assert any(r["placement_id"] == created["id"] for r in _open_reminders(api.db, "cit-fatma"))
    ended = api.call("POST", f"/api/v1/placements/{created['id']}/end", token=api.owner,
                     json={"end_date": "2026-04-17", "outcome": "ledighed"})
    assert ended.status_code == 200 and len(statistics.all_rows(api.db)) == 1

    cancelled = api.call("PATCH", f"/api/v1/placements/{created['id']}", token=api.owner,
                         json={"status": "cancelled", "cancel_reason": "Oprettet på den forkerte borger"})
    assert cancelled.status_code == 200
    body = cancelled.get_json()
    assert (body["status"], body["outcome"], body["end_date"], body["cancel_reason"]) == (
        "cancelled", None, None, "Oprettet på den forkerte borger")
    assert statistics.all_rows(api.db) == []
    assert not [r for r in _open_reminders(api.db, "cit-fatma") if r["placement_id"] == created["id"]]
    actions = [r["action"] for r in api.db.query("SELECT action FROM audit_log WHERE placement_id = ? ORDER BY id",
                                                  [created["id"]])]
    assert "placement_cancelled" in actions and audit.ACTIONS["placement_cancelled"] == "Annullerede forløb"
    # The periodic pass agrees: nothing comes back for a cancelled forløb.
    run_pass(api.db, api.client.application.config["SMAJOBS"])
    assert not [r for r in _open_reminders(api.db, "cit-fatma") if r["placement_id"] == created["id"]]


def test_a_reason_only_with_cancelled(api):
    created = _create(api).get_json()
    response = api.call("PATCH", f"/api/v1/placements/{created['id']}", token=api.owner,
                        json={"cancel_reason": "fejl"})
    assert response.status_code == 422 and response.get_json()["problems"][0]["field"] == "cancel_reason"


def test_the_paid_hours_reminder_exists_right_after_the_meeting_is_saved(api, clock):
    clock.set(datetime(2026, 3, 10, 10, 0))
    created = _create(api, status="active", start_date="2026-03-02", kind="smajob").get_json()
    meeting = api.call("POST", "/api/v1/citizens/cit-fatma/meetings", token=api.owner, json={
        "placement_id": created["id"], "kind": "first_employer", "held_on": "2026-03-10",
        "paid_hours_proposed": False})
    assert meeting.status_code == 201
    keys = {r["dedupe_key"] for r in _open_reminders(api.db, "cit-fatma")}
    assert f"paid_hours:meeting:{meeting.get_json()['id']}" in keys  # no periodic pass has run


def test_a_run_for_one_citizen_leaves_other_citizens_reminders_alone(demo_db, config, clock):
    clock.set(datetime(2026, 4, 20, 10, 0))
    for citizen, opening in (("cit-fatma", OPENING), ("cit-sofie", OTHER_OPENING)):
        placements.create_placement(demo_db, citizen_id=citizen, opening_id=opening, status="active", **BASE)
    run_pass(demo_db, config)
    sofie_before = _open_reminders(demo_db, "cit-sofie")
    assert sofie_before
    demo_db.execute("UPDATE placements SET paid_hours_per_week = 2, hourly_wage = 120 WHERE citizen_id = 'cit-sofie'")
    demo_db.conn.commit()
    result = run_for_citizen(demo_db, config, "cit-fatma")
    assert not result.closed and _open_reminders(demo_db, "cit-sofie") == sofie_before


# --- the overview ------------------------------------------------------------------------------------

def test_overview_filters_sorts_pages_and_scopes(api, clock):
    clock.set(datetime(2026, 4, 20, 10, 0))
    fatma = _create(api, status="active", start_date="2026-03-02", planned_end_date="2026-06-01").get_json()
    sofie = _create(api, citizen="cit-sofie", opening=OTHER_OPENING, kind="smajob", start_date="2026-04-06",
                    planned_end_date="2026-05-01").get_json()
    api.call("POST", "/api/v1/citizens/cit-sofie/meetings", token=api.owner,
             json={"placement_id": sofie["id"], "kind": "follow_up", "held_on": "2026-04-15"})

    def ids(query="", token=None):
        response = api.call("GET", f"/api/v1/placements{query}", token=token or api.owner)
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["placements"]]

    assert ids() == [sofie["id"], fatma["id"]]  # newest start first
    assert ids("?sort=planned_end") == [sofie["id"], fatma["id"]]
    assert ids("?sort=no_meeting") == [fatma["id"], sofie["id"]]  # Fatma: no meeting since 2 March
    assert ids("?status=active") == [fatma["id"]]
    assert ids("?kind=smajob") == [sofie["id"]]
    assert ids(f"?employer_id={fatma['employer_id']}") == [fatma["id"]]
    assert ids("?period_from=2026-05-15") == [fatma["id"]]
    assert ids("?period_to=2026-03-31") == [fatma["id"]]
    assert ids(token=api.other) == []
    assert set(ids(token=api.admin)) == {fatma["id"], sofie["id"]}
    assert ids(f"?consultant={OTHER}", token=api.admin) == []
    assert api.call("GET", f"/api/v1/placements?consultant={OTHER}", token=api.owner).status_code == 403
    bad = api.call("GET", "/api/v1/placements?status=done&period_from=2026-13-01", token=api.owner)
    assert bad.status_code == 422 and {p["field"] for p in bad.get_json()["problems"]} == {"status", "period_from"}

    first = api.call("GET", "/api/v1/placements?limit=1", token=api.owner)
    assert [p["id"] for p in first.get_json()["placements"]] == [sofie["id"]]
    next_url = first.headers["Link"].split(">")[0].lstrip("<").replace("http://localhost", "")
    second = api.call("GET", next_url, token=api.owner)
    assert [p["id"] for p in second.get_json()["placements"]] == [fatma["id"]] and "Link" not in second.headers

    seen = {r["placement_id"] for r in api.db.query(
        "SELECT placement_id FROM audit_log WHERE action = 'viewed_placement_overview'")}
    assert seen == {fatma["id"], sofie["id"]}


def test_the_page_refuses_a_double_placement_with_400_and_keeps_the_form(client, demo_db, make_consultant):
    import re
    from tests.conftest import login
    make_consultant()
    login(client)
    placements.create_placement(demo_db, citizen_id="cit-fatma", opening_id=OPENING, **BASE)
    form = client.get(f"/borgere/cit-fatma/forloeb/nyt?opening={OPENING}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post("/borgere/cit-fatma/forloeb/nyt", data={
        "csrf_token": token, "opening_id": OPENING, "kind": "smajob", "status": "planned",
        "start_date": "2026-05-04", "hours_per_week": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "allerede et planlagt eller aktivt forløb" in page and 'value="2026-05-04"' in page
    assert len(placements.placements_of_citizen(demo_db, "cit-fatma")) == 1


def test_a_new_forloeb_cannot_be_chosen_as_cancelled(client, demo_db, make_consultant):
    """Cancelling is for a forløb made by mistake, on its own page; the new form does not offer it."""
    from tests.conftest import login
    make_consultant()
    login(client)
    form = client.get(f"/borgere/cit-fatma/forloeb/nyt?opening={OPENING}").get_data(as_text=True)
    assert 'value="planned"' in form and 'value="active"' in form
    assert 'value="cancelled"' not in form
