"""Correcting and deleting meetings: the data layer, the pages, the API, the reminder rules and
one browser run. The employer's own check-in answer may be deleted but never edited."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from data import placements
from data import reminders as store
from data.accounts import create_consultant
from core.errors import Invalid
from jobs.rules import run_pass
from tests.api_contract import ContractClient, make_token
from tests.conftest import browser_login, login
from tests.rules_helpers import at, keys, placement as rules_placement

CITIZEN, OTHER_CITIZEN = "cit-fatma", "cit-samir"  # both the owner's in the demo data
OPENING = "opn-98191"
OWNER, OTHER = "konsulent@example.dk", "anden@example.dk"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _placement(db, citizen_id=CITIZEN):
    return placements.create_placement(db, citizen_id=citizen_id, opening_id=OPENING, kind="virksomhedspraktik",
                                       start_date="2026-01-05", hours_per_week=10)


def _employer_meeting(db, on, **overrides):
    """An employer meeting on placement `on`; `overrides` may change any field, placement_id too."""
    values = dict(citizen_id=CITIZEN, placement_id=on, kind="first_employer", held_on="2026-01-10",
                  participants="Fatma, Karen", note="Skrev forkert dato", paid_hours_proposed=False)
    values.update(overrides)
    return placements.log_meeting(db, **values)


def _checkin_meeting(db, placement_id):
    """The employer's answer through the check-in link, stored the way web/checkin.py stores it."""
    checkin_id = store.create_checkin(db, placement_id, 1, date(2026, 2, 2), date(2026, 2, 16))
    meeting = store.answer_checkin(db, checkin_id, held_on=date(2026, 2, 3), attendance="as_agreed", tasks="well",
                                   act_on=False, note="", flagged=False,
                                   meeting_note="Svar fra virksomheden via tjek-ind-linket.")
    return checkin_id, placements.get_meeting(db, meeting["id"])  # as linked to the check-in


def _updated_at(db, citizen_id=CITIZEN):
    return db.execute("SELECT updated_at FROM citizens WHERE id = ?", [citizen_id]).fetchone()[0]


def _age_citizen(db, citizen_id=CITIZEN):
    db.execute("UPDATE citizens SET updated_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", [citizen_id])
    db.conn.commit()


# --- data layer ----------------------------------------------------------------------------------

def test_update_changes_the_fields_keeps_who_logged_it_and_touches_the_citizen(demo_db, make_consultant):
    author = make_consultant(OWNER)
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"], created_by=author)
    _age_citizen(demo_db)
    changed = placements.update_meeting(demo_db, meeting["id"], held_on="2026-01-12", note=" Rettet note ",
                                        paid_hours_proposed=True, paid_hours_answer="Ja, fra februar")
    assert changed["held_on"] == "2026-01-12" and changed["note"] == "Rettet note"
    assert changed["paid_hours_proposed"] is True and changed["paid_hours_answer"] == "Ja, fra februar"
    assert changed["participants"] == "Fatma, Karen" and changed["placement_id"] == p["id"]
    assert (changed["created_by"], changed["created_at"]) == (author, meeting["created_at"])
    assert _updated_at(demo_db) > "2000-01-01T00:00:00+00:00"
    assert placements.get_meeting(demo_db, meeting["id"]) == changed


# The same bad input log_meeting refuses (tests/test_placements_data.py), as a change.
BAD_CHANGES = [
    ({"kind": "kaffe"}, "kind"),
    ({"held_on": "i går"}, "held_on"),
    ({"held_on": ""}, "held_on"),
    ({"kind": "first_citizen", "paid_hours_proposed": True, "placement_id": None}, "paid_hours_proposed"),
    ({"paid_hours_proposed": False, "paid_hours_answer": "nej"}, "paid_hours_answer"),
    ({"paid_hours_proposed": "ja"}, "paid_hours_proposed"),
    ({"placement_id": None}, "placement_id"),
    ({"note": "x" * 3000}, "note"),
    ({"participants": "x" * 501}, "participants"),
]


@pytest.mark.parametrize("changes, field", BAD_CHANGES)
def test_update_refuses_what_log_refuses_with_the_same_message(demo_db, changes, field):
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"])
    with pytest.raises(Invalid) as logged:
        _employer_meeting(demo_db, p["id"], **changes)
    with pytest.raises(Invalid) as updated:
        placements.update_meeting(demo_db, meeting["id"], **changes)
    assert field in updated.value.fields()
    assert [(p.field, p.reason) for p in updated.value.problems] == [(p.field, p.reason) for p in logged.value.problems]
    assert placements.get_meeting(demo_db, meeting["id"]) == meeting  # nothing stored half-way
    assert len(placements.meetings_of_citizen(demo_db, CITIZEN)) == 1


def test_update_is_checked_as_a_whole_after_the_change(demo_db):
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"])
    # A meeting with the citizen cannot keep the employer meeting's "paid hours: no".
    with pytest.raises(Invalid) as error:
        placements.update_meeting(demo_db, meeting["id"], kind="follow_up")
    assert error.value.fields() == {"paid_hours_proposed"}
    moved = placements.update_meeting(demo_db, meeting["id"], kind="follow_up", paid_hours_proposed=None,
                                      placement_id=None)
    assert (moved["kind"], moved["placement_id"], moved["paid_hours_proposed"]) == ("follow_up", None, None)


def test_update_refuses_another_citizens_placement_unknown_fields_and_unknown_meetings(demo_db):
    mine, theirs = _placement(demo_db), _placement(demo_db, OTHER_CITIZEN)
    meeting = _employer_meeting(demo_db, mine["id"])
    with pytest.raises(Invalid) as error:
        placements.update_meeting(demo_db, meeting["id"], placement_id=theirs["id"])
    assert [(p.field, p.reason) for p in error.value.problems] == [("placement_id", "Forløbet findes ikke for denne borger.")]
    with pytest.raises(Invalid) as error:
        placements.update_meeting(demo_db, meeting["id"], citizen_id=OTHER_CITIZEN, created_by=7)
    assert error.value.fields() == {"citizen_id", "created_by"}
    with pytest.raises(Invalid) as error:
        placements.update_meeting(demo_db, 999_999, note="x")
    assert "Ukendt møde" in error.value.reason_for("id")
    assert placements.get_meeting(demo_db, meeting["id"]) == meeting


def test_delete_removes_the_meeting_and_touches_the_citizen(demo_db):
    p = _placement(demo_db)
    keep = _employer_meeting(demo_db, p["id"], held_on="2026-01-09")
    meeting = _employer_meeting(demo_db, p["id"])
    _age_citizen(demo_db)
    assert placements.delete_meeting(demo_db, meeting["id"])["id"] == meeting["id"]
    assert placements.get_meeting(demo_db, meeting["id"]) is None
    assert [m["id"] for m in placements.meetings_of_citizen(demo_db, CITIZEN)] == [keep["id"]]
    assert _updated_at(demo_db) > "2000-01-01T00:00:00+00:00"
    assert placements.delete_meeting(demo_db, meeting["id"]) is None


def test_the_employers_checkin_answer_cannot_be_edited_but_can_be_deleted(demo_db):
    p = _placement(demo_db)
    own = _employer_meeting(demo_db, p["id"], kind="employer_checkin")  # the consultant's own visit
    checkin_id, answer = _checkin_meeting(demo_db, p["id"])
    assert answer["from_checkin_form"] is True and own["from_checkin_form"] is False
    with pytest.raises(Invalid) as error:
        placements.update_meeting(demo_db, answer["id"], note="Konsulentens ord")
    assert "kan ikke rettes" in error.value.reason_for("id") and "slette" in error.value.reason_for("id")
    assert placements.get_meeting(demo_db, answer["id"]) == answer
    assert placements.update_meeting(demo_db, own["id"], note="Mit besøg")["note"] == "Mit besøg"

    placements.delete_meeting(demo_db, answer["id"])
    assert placements.get_meeting(demo_db, answer["id"]) is None
    checkin = store.get_checkin(demo_db, checkin_id)
    assert checkin["answered_at"] and checkin["attendance"] == "as_agreed" and checkin["meeting_id"] is None


# --- the reminder rules ------------------------------------------------------------------------

def test_correcting_an_employer_meeting_to_paid_hours_proposed_closes_the_reminder(demo_db, config):
    p = rules_placement(demo_db, start="2026-03-02")
    meeting = placements.log_meeting(demo_db, citizen_id=CITIZEN, placement_id=p["id"], kind="first_employer",
                                     held_on="2026-03-04", paid_hours_proposed=False)
    run_pass(demo_db, config, at("2026-03-04 15:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:meeting:{meeting['id']}"]
    placements.update_meeting(demo_db, meeting["id"], paid_hours_proposed=True,
                              paid_hours_answer="Ja, to timer fra april")
    counts = run_pass(demo_db, config, at("2026-03-05 08:00"))
    assert counts["closed"] == 1
    assert keys(demo_db, rule="paid_hours") == []
    assert keys(demo_db, status="closed", rule="paid_hours") == [f"paid_hours:meeting:{meeting['id']}"]


def test_deleting_the_meeting_moves_the_reminder_back_to_the_start(demo_db, config):
    p = rules_placement(demo_db, start="2026-03-02")
    meeting = placements.log_meeting(demo_db, citizen_id=CITIZEN, placement_id=p["id"], kind="first_employer",
                                     held_on="2026-03-04", paid_hours_proposed=False)
    run_pass(demo_db, config, at("2026-03-04 15:00"))
    placements.delete_meeting(demo_db, meeting["id"])
    run_pass(demo_db, config, at("2026-03-05 08:00"))
    assert keys(demo_db, rule="paid_hours") == [f"paid_hours:start:{p['id']}"]
    assert keys(demo_db, status="closed", rule="paid_hours") == [f"paid_hours:meeting:{meeting['id']}"]


def test_deleting_a_flagged_checkin_answer_keeps_the_reminder_to_read_it(demo_db, config):
    p = rules_placement(demo_db, start="2026-03-02", paid=5)
    checkin_id = store.create_checkin(demo_db, p["id"], 1, date(2026, 3, 30), date(2026, 4, 13))
    answer = store.answer_checkin(demo_db, checkin_id, held_on=date(2026, 3, 31), attendance="much_absence",
                                  tasks="well", act_on=True, note="", flagged=True, meeting_note="Svar")
    run_pass(demo_db, config, at("2026-03-31 12:00"))
    assert keys(demo_db, rule="checkin_answer") == [f"checkin_answer:{checkin_id}"]
    placements.delete_meeting(demo_db, answer["id"])
    counts = run_pass(demo_db, config, at("2026-04-01 08:00"))
    assert counts["closed"] == 0  # the employer still asked for contact; the check-in keeps the answer
    [reminder] = [r for r in store.open_reminders_of(demo_db, OWNER) if r["rule"] == "checkin_answer"]
    assert reminder["due_on"] == "2026-03-31"


# --- pages -------------------------------------------------------------------------------------

@pytest.fixture
def pages(demo_db, client, make_consultant):
    make_consultant(OWNER)
    make_consultant(OTHER, "Anne Anden")
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"])
    edit = f"/borgere/{CITIZEN}/moeder/{meeting['id']}/ret"
    delete = f"/borgere/{CITIZEN}/moeder/{meeting['id']}/slet"
    return SimpleNamespace(db=demo_db, client=client, placement=p, meeting=meeting, edit=edit, delete=delete)


def _token(client, url: str) -> str:
    return CSRF.search(client.get(url).get_data(as_text=True)).group(1)


def _edit_data(pages, token: str | None = None, **overrides) -> dict:
    data = {"csrf_token": token or _token(pages.client, pages.edit), "kind": "first_employer",
            "placement_id": str(pages.placement["id"]), "held_on": "2026-01-11", "participants": "Fatma, Karen",
            "note": "Rettet note", "paid_hours_proposed": "nej", "paid_hours_answer": ""}
    data.update(overrides)
    return data


def test_citizen_and_placement_pages_offer_ret_and_slet(pages):
    login(pages.client, OWNER)
    for url, back in ((f"/borgere/{CITIZEN}", ""), (f"/forloeb/{pages.placement['id']}", "?fra=forloeb")):
        html = pages.client.get(url).get_data(as_text=True)
        assert f'href="{pages.edit}{back}"' in html and f'href="{pages.delete}{back}"' in html, url


def test_edit_form_is_prefilled(pages):
    login(pages.client, OWNER)
    response = pages.client.get(pages.edit)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ret møde for" in html
    assert 'value="2026-01-10"' in html and "Skrev forkert dato</textarea>" in html
    assert re.search(r'<option selected value="first_employer">|<option value="first_employer" selected', html)
    assert re.search(rf'<option selected value="{pages.placement["id"]}">', html)
    assert re.search(r'checked[^>]*value="nej"|value="nej"[^>]*checked', html)


def test_edit_with_an_error_keeps_what_was_typed_and_stores_nothing(pages):
    login(pages.client, OWNER)
    response = pages.client.post(pages.edit, data=_edit_data(
        pages, held_on="11/1", note="Min nye note", paid_hours_answer="Måske"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="held_on-error"' in html and "11/1&#39; er ikke en gyldig dato" in html
    assert 'id="paid_hours_answer-error"' in html
    assert 'value="11/1"' in html and "Min nye note</textarea>" in html and "Måske</textarea>" in html
    assert "Ændringerne er ikke gemt" in html
    assert placements.get_meeting(pages.db, pages.meeting["id"]) == pages.meeting


def test_edit_saves_and_goes_back_where_it_came_from(pages):
    login(pages.client, OWNER)
    response = pages.client.post(pages.edit, data=_edit_data(pages))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/borgere/{CITIZEN}")
    assert "Mødet er rettet." in pages.client.get(response.headers["Location"]).get_data(as_text=True)
    stored = placements.get_meeting(pages.db, pages.meeting["id"])
    assert (stored["held_on"], stored["note"]) == ("2026-01-11", "Rettet note")
    again = pages.client.post(pages.edit + "?fra=forloeb", data=_edit_data(pages, note="Igen"))
    assert again.headers["Location"].endswith(f"/forloeb/{pages.placement['id']}")


def test_delete_asks_first_then_needs_post_with_csrf(pages):
    login(pages.client, OWNER)
    confirm = pages.client.get(pages.delete + "?fra=forloeb")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Slet møde for" in html
    assert "Første møde med virksomheden" in html and "Skrev forkert dato" in html and "10. januar 2026" in html
    assert "Ja, slet mødet" in html
    assert placements.get_meeting(pages.db, pages.meeting["id"]) is not None  # asking deletes nothing
    assert pages.client.post(pages.delete).status_code == 400
    assert pages.client.post(pages.delete, data={"csrf_token": "forkert"}).status_code == 400
    assert placements.get_meeting(pages.db, pages.meeting["id"]) is not None
    token = CSRF.search(html).group(1)
    response = pages.client.post(pages.delete + "?fra=forloeb", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/forloeb/{pages.placement['id']}")
    assert "Mødet er slettet." in pages.client.get(response.headers["Location"]).get_data(as_text=True)
    assert placements.get_meeting(pages.db, pages.meeting["id"]) is None
    assert pages.client.get(pages.edit).status_code == 404


def test_another_consultants_meeting_is_404(pages):
    login(pages.client, OTHER)
    token = _token(pages.client, "/login")
    for url in (pages.edit, pages.delete):
        assert pages.client.get(url).status_code == 404
        assert pages.client.post(url, data=_edit_data(pages, token)).status_code == 404
    assert placements.get_meeting(pages.db, pages.meeting["id"]) == pages.meeting


def test_a_meeting_under_another_citizens_address_is_404(pages):
    """The owner sees both citizens, but the meeting must belong to the citizen in the URL."""
    login(pages.client, OWNER)
    for action in ("ret", "slet"):
        url = f"/borgere/{OTHER_CITIZEN}/moeder/{pages.meeting['id']}/{action}"
        assert pages.client.get(url).status_code == 404
        assert pages.client.post(url, data=_edit_data(pages)).status_code == 404
    assert pages.client.get(f"/borgere/{CITIZEN}/moeder/999999/ret").status_code == 404
    assert placements.get_meeting(pages.db, pages.meeting["id"]) == pages.meeting


def test_the_checkin_answer_has_no_ret_but_can_be_deleted_on_the_page(pages):
    _, answer = _checkin_meeting(pages.db, pages.placement["id"])
    login(pages.client, OWNER)
    html = pages.client.get(f"/forloeb/{pages.placement['id']}").get_data(as_text=True)
    assert f"/moeder/{answer['id']}/ret" not in html and f"/moeder/{answer['id']}/slet" in html
    assert "Virksomhedens svar" in html
    edit = f"/borgere/{CITIZEN}/moeder/{answer['id']}/ret"
    response = pages.client.get(edit)
    assert response.status_code == 302
    assert "kan ikke rettes" in pages.client.get(response.headers["Location"]).get_data(as_text=True)
    assert pages.client.post(edit, data=_edit_data(pages)).status_code == 302
    assert placements.get_meeting(pages.db, answer["id"]) == answer
    delete = f"/borgere/{CITIZEN}/moeder/{answer['id']}/slet"
    assert "tjek-ind-linket" in pages.client.get(delete).get_data(as_text=True)
    pages.client.post(delete, data={"csrf_token": _token(pages.client, delete)})
    assert placements.get_meeting(pages.db, answer["id"]) is None


# --- API ---------------------------------------------------------------------------------------

@pytest.fixture
def api(app, client, demo_db):
    ids = {"owner": create_consultant(demo_db, email=OWNER, name="Karen", password_hash=None),
           "other": create_consultant(demo_db, email=OTHER, name="Anders", password_hash=None)}
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"], created_by=ids["owner"])
    return SimpleNamespace(call=ContractClient(app, client).call, db=demo_db, placement=p, meeting=meeting,
                           path=f"/api/v1/meetings/{meeting['id']}",
                           **{who: make_token(demo_db, i) for who, i in ids.items()})


def test_api_patch_corrects_a_meeting(api):
    response = api.call("PATCH", api.path, token=api.owner, json={
        "held_on": "2026-01-12", "paid_hours_proposed": True, "paid_hours_answer": "Ja"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["held_on"], body["paid_hours_proposed"], body["paid_hours_answer"]) == ("2026-01-12", True, "Ja")
    assert body["note"] == "Skrev forkert dato" and body["created_by"] == api.meeting["created_by"]
    assert api.call("GET", api.path, token=api.owner).get_json() == body


def test_api_patch_answers_422_per_field_and_stores_nothing(api):
    response = api.call("PATCH", api.path, token=api.owner, json={"held_on": "2026-02-30", "kind": "kaffe"})
    assert response.status_code == 422
    assert {p["field"] for p in response.get_json()["problems"]} == {"held_on", "kind"}
    assert all(p["kind"] == "møde" and p["id"] == str(api.meeting["id"]) for p in response.get_json()["problems"])
    typo = api.call("PATCH", api.path, token=api.owner, json={"notes": "x"})
    assert typo.status_code == 422 and typo.get_json()["problems"][0]["field"] == "notes"
    empty = api.call("PATCH", api.path, token=api.owner, json={})
    assert empty.status_code == 422 and "mindst ét felt" in empty.get_json()["problems"][0]["reason"]
    assert api.call("PATCH", api.path, token=api.owner, data="{", content_type="application/json").status_code == 400
    assert placements.get_meeting(api.db, api.meeting["id"]) == api.meeting


def test_api_checkin_answer_is_not_patchable_but_deletable(api):
    _, answer = _checkin_meeting(api.db, api.placement["id"])
    path = f"/api/v1/meetings/{answer['id']}"
    response = api.call("PATCH", path, token=api.owner, json={"note": "Andre ord"})
    assert response.status_code == 422
    [problem] = response.get_json()["problems"]
    assert problem["field"] == "id" and "kan ikke rettes" in problem["reason"]
    assert api.call("DELETE", path, token=api.owner).status_code == 204


def test_api_meetings_say_whether_they_are_the_employers_checkin_answer(api):
    _, answer = _checkin_meeting(api.db, api.placement["id"])
    # ContractClient checks each answer against the OpenAPI document, the new field included.
    assert api.call("GET", f"/api/v1/meetings/{answer['id']}", token=api.owner).get_json()["from_checkin_form"] is True
    assert api.call("GET", api.path, token=api.owner).get_json()["from_checkin_form"] is False
    listed = api.call("GET", f"/api/v1/placements/{api.placement['id']}/meetings", token=api.owner).get_json()
    assert {m["id"]: m["from_checkin_form"] for m in listed["meetings"]} == {answer["id"]: True,
                                                                            api.meeting["id"]: False}
    created = api.call("POST", f"/api/v1/citizens/{CITIZEN}/meetings", token=api.owner,
                       json={"kind": "first_citizen", "held_on": "2026-01-20"})
    assert created.status_code == 201 and created.get_json()["from_checkin_form"] is False
    # Read-only: a client cannot mark its own meeting as the employer's answer.
    refused = api.call("PATCH", api.path, token=api.owner, json={"from_checkin_form": True})
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["field"] == "from_checkin_form"
    assert placements.get_meeting(api.db, api.meeting["id"])["from_checkin_form"] is False


def test_api_delete_is_204_then_gone(api):
    assert api.call("DELETE", api.path, token=api.owner).status_code == 204
    assert api.call("GET", api.path, token=api.owner).status_code == 404
    assert api.call("DELETE", api.path, token=api.owner).status_code == 404
    assert api.call("PATCH", api.path, token=api.owner, json={"note": "x"}).status_code == 404


def test_api_another_consultants_meeting_is_404(api):
    for method, body in (("PATCH", {"note": "ændret"}), ("DELETE", None), ("GET", None)):
        response = api.call(method, api.path, token=api.other, json=body)
        assert response.status_code == 404, method
        assert "Skrev forkert dato" not in response.get_data(as_text=True)
    assert placements.get_meeting(api.db, api.meeting["id"]) == api.meeting


# --- browser -----------------------------------------------------------------------------------

@pytest.mark.browser
def test_a_consultant_corrects_a_meetings_note_in_the_browser(live_server, page, demo_db, make_consultant):
    make_consultant(OWNER)
    p = _placement(demo_db)
    meeting = _employer_meeting(demo_db, p["id"], note="Fatma mødte kl 8")
    browser_login(page, live_server, OWNER)
    page.goto(f"{live_server}/forloeb/{p['id']}")
    page.get_by_role("link", name="Ret mødet 10. januar 2026").click()
    expect(page.get_by_role("heading", name=re.compile("^Ret møde for"))).to_be_visible()
    expect(page.get_by_label("Kort note")).to_have_value("Fatma mødte kl 8")
    page.get_by_label("Dato").fill("1999-01-10")  # out of range: the server says so, the note stays
    page.get_by_label("Kort note").fill("Fatma mødte kl. 9 og var glad for opgaverne")
    page.get_by_role("button", name="Gem ændringer").click()
    expect(page.locator("#held_on-error")).to_contain_text("mellem år 2000 og 2100")
    expect(page.get_by_label("Kort note")).to_have_value("Fatma mødte kl. 9 og var glad for opgaverne")
    page.get_by_label("Dato").fill("2026-01-10")
    page.get_by_role("button", name="Gem ændringer").click()
    expect(page.get_by_text("Mødet er rettet.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Forløb:"))).to_be_visible()
    expect(page.get_by_role("cell", name="Fatma mødte kl. 9 og var glad for opgaverne")).to_be_visible()
    assert placements.get_meeting(demo_db, meeting["id"])["note"] == "Fatma mødte kl. 9 og var glad for opgaverne"

    page.get_by_role("link", name="Slet mødet 10. januar 2026").click()
    expect(page.get_by_role("heading", name=re.compile("^Slet møde for"))).to_be_visible()
    page.get_by_role("button", name="Ja, slet mødet").click()
    expect(page.get_by_text("Mødet er slettet.")).to_be_visible()
    expect(page.get_by_text("Ingen møder endnu.")).to_be_visible()
    assert placements.get_meeting(demo_db, meeting["id"]) is None
