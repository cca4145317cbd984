"""The consultant pages through Flask's test client, on a real SQLite file with the demo data."""
from __future__ import annotations

import html
import re

import pytest

from data import placements, registry
from tests.conftest import PASSWORD, login

OWNER = "konsulent@example.dk"
OTHER = "anden@example.dk"
ADMIN = "admin@example.dk"
FATMA = "cit-fatma"
OPENING = "opn-98191"  # Bagerimedhjælper at Morgenbrødet (emp-98191)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def password_hash() -> str:
    # One argon2 hash for the module: hashing is slow by design and the accounts share a password.
    from web.auth import hash_password
    return hash_password(PASSWORD)


@pytest.fixture
def people(demo_db, password_hash):
    from data.accounts import create_consultant
    for email, name, role in ((OWNER, "Karen Konsulent", "consultant"), (OTHER, "Anne Anden", "consultant"),
                              (ADMIN, "Anders Admin", "admin")):
        create_consultant(demo_db, email=email, name=name, password_hash=password_hash, role=role)
    return demo_db


@pytest.fixture
def owner(client, people):
    login(client, OWNER)
    return client


def token(client, url: str = "/borgere") -> str:
    return CSRF.search(client.get(url).get_data(as_text=True)).group(1)


def field_block(page: str, field_id: str) -> str:
    """The HTML of the form field (div.field) that holds the input with id `field_id`."""
    start = page.rfind('<div class="field', 0, page.index(f'id="{field_id}"'))
    return page[start:page.index("</div>", page.index(f'id="{field_id}"'))]


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


CITIZEN_FORM = {
    "first_name": "Ole", "age": "34", "target_group": "Aktivitetsparat", "postcode": "8000",
    "interests": "cykler, værktøj", "experience": "lager", "goal": "faste timer", "languages": "da, en",
    "hours_min": "4", "hours_max": "12", "shifts": ["day", "weekend"], "max_travel_km": "7,5",
    "needs": ["quiet_environment", "criminal_record_ok"], "social_free_card": "y",
}


# --- Mine borgere ---------------------------------------------------------------------------------

def test_citizen_list_shows_own_citizens_only(client, people):
    registry.reassign_citizen(people, "cit-samir", OTHER)
    login(client, OWNER)
    page = client.get("/borgere").get_data(as_text=True)
    assert "Fatma" in page and "Sofie" in page and "Samir" not in page
    assert 'aria-current="page"' in page and "Mine borgere" in page


def test_admin_sees_everyone_and_hands_a_citizen_over(client, people):
    login(client, ADMIN)
    page = client.get("/borgere").get_data(as_text=True)
    assert all(name in page for name in ("Fatma", "Sofie", "Samir")) and "Overdrag" in page
    response = client.post(f"/borgere/{FATMA}/konsulent", data={"consultant": OTHER, "csrf_token": token(client)})
    assert response.status_code == 302
    assert registry.get_citizen(people, FATMA)["consultant"] == OTHER
    client.post(f"/borgere/{FATMA}/konsulent", data={"consultant": "ukendt@example.dk", "csrf_token": token(client)})
    assert "Ingen aktiv konsulent" in client.get("/borgere").get_data(as_text=True)
    assert registry.get_citizen(people, FATMA)["consultant"] == OTHER


def test_consultant_may_not_reassign(owner):
    response = owner.post(f"/borgere/{FATMA}/konsulent", data={"consultant": OTHER, "csrf_token": token(owner)})
    assert response.status_code == 403


# --- Borger form ----------------------------------------------------------------------------------

def test_create_citizen_with_every_field(owner, people):
    page = owner.get("/borgere/ny").get_data(as_text=True)
    assert "Plettet straffeattest accepteres" in page  # need labels ...
    assert "Virksomheden ansætter gerne personer med en plettet straffeattest." in page  # ... and explanations
    assert 'name="consultant"' not in page  # a consultant's new citizen is theirs
    response = owner.post("/borgere/ny", data={**CITIZEN_FORM, "consultant": OTHER, "csrf_token": token(owner)})
    assert response.status_code == 302
    citizen_id = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"cit-[0-9a-f]{8}", citizen_id)
    citizen = registry.get_citizen(people, citizen_id)
    assert citizen["first_name"] == "Ole" and citizen["age"] == 34 and citizen["postcode"] == "8000"
    assert citizen["languages"] == ["da", "en"] and (citizen["hours_min"], citizen["hours_max"]) == (4, 12)
    assert citizen["shifts"] == ["day", "weekend"] and citizen["max_travel_km"] == 7.5
    assert citizen["needs"] == ["quiet_environment", "criminal_record_ok"]
    assert citizen["social_free_card"] is True and citizen["consultant"] == OWNER
    assert citizen["target_group"] == "Aktivitetsparat" and citizen["goal"] == "faste timer"
    shown = owner.get(f"/borgere/{citizen_id}").get_data(as_text=True)
    assert "8000 Aarhus C" in shown and "Roligt miljø" in shown and "engelsk" in shown


def test_citizen_form_errors_next_to_fields_keep_input_and_store_nothing(owner, people):
    before = count(people, "citizens")
    bad = {**CITIZEN_FORM, "first_name": "", "postcode": "9999", "age": "gammel", "hours_min": "20",
           "hours_max": "5", "languages": "dansk, klingonsk", "max_travel_km": "900", "interests": "<b>fisk</b>"}
    response = owner.post("/borgere/ny", data={**bad, "csrf_token": token(owner)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert count(people, "citizens") == before
    assert "Borgeren er ikke gemt" in page
    assert "Må ikke være tom" in field_block(page, "first_name")
    assert "Ukendt postnummer 9999" in field_block(page, "postcode")
    assert 'value="9999"' in field_block(page, "postcode")
    assert "Skal være et helt tal" in field_block(page, "age") and 'value="gammel"' in field_block(page, "age")
    assert "større end max" in field_block(page, "hours_max")
    assert "Kender ikke sproget klingonsk" in field_block(page, "languages") and 'value="dansk, klingonsk"' in page
    assert "mellem 0.1 og 500" in field_block(page, "max_travel_km")
    # Typed text comes back escaped, ticked boxes stay ticked.
    assert "&lt;b&gt;fisk&lt;/b&gt;" in page and "<b>fisk</b>" not in page
    assert re.search(r"<input[^>]*checked[^>]*value=\"criminal_record_ok\"", page)
    assert 'aria-invalid="true"' in field_block(page, "postcode")


def test_edit_citizen_keeps_created_at_and_unknown_fields(owner, people):
    people.execute("UPDATE citizens SET created_at = '2001-01-01T00:00:00+00:00', "
                   "extra = '{\"kommune\": \"København\"}' WHERE id = ?", [FATMA])
    people.conn.commit()
    form_page = owner.get(f"/borgere/{FATMA}/rediger").get_data(as_text=True)
    assert 'value="Fatma"' in form_page and 'value="tyrkisk, dansk"' in form_page
    data = {"first_name": "Fatma", "postcode": "2200", "languages": "Tyrkisk, dansk", "hours_min": "3", "hours_max": "8",
            "max_travel_km": "3", "needs": ["no_heavy_lifting"], "csrf_token": token(owner)}
    assert owner.post(f"/borgere/{FATMA}/rediger", data=data).status_code == 302
    citizen = registry.get_citizen(people, FATMA)
    assert citizen["hours_max"] == 8 and citizen["needs"] == ["no_heavy_lifting"] and citizen["shifts"] is None
    assert citizen["languages"] == ["tr", "da"]
    assert citizen["created_at"] == "2001-01-01T00:00:00+00:00" and citizen["extra"] == {"kommune": "København"}
    assert citizen["lat"] == pytest.approx(55.691498)  # given coordinates survive an unchanged postcode
    assert citizen["consultant"] == OWNER


def test_admin_chooses_the_consultant(client, people):
    login(client, ADMIN)
    page = client.get("/borgere/ny").get_data(as_text=True)
    assert 'name="consultant"' in page and OTHER in page
    response = client.post("/borgere/ny", data={**CITIZEN_FORM, "consultant": OTHER, "csrf_token": token(client)})
    assert response.status_code == 302
    citizen_id = response.headers["Location"].rsplit("/", 1)[1]
    assert registry.get_citizen(people, citizen_id)["consultant"] == OTHER
    response = client.post("/borgere/ny", data={**CITIZEN_FORM, "consultant": "ukendt@example.dk",
                                               "csrf_token": token(client)})
    assert response.status_code == 400 and "Vælg en konsulent fra listen." in response.get_data(as_text=True)


def test_postcode_lookup(owner):
    assert owner.get("/postnummer/2200").get_json() == {
        "code": "2200", "known": True, "name": "København N", "text": "2200 København N"}
    response = owner.get("/postnummer/9999")
    assert response.status_code == 404 and response.get_json()["text"] == "Ukendt postnummer"
    assert owner.get("/postnummer/abcd").status_code == 404


# --- Match ----------------------------------------------------------------------------------------

def test_match_page_lists_reasons_and_starts_a_placement(owner):
    page = html.unescape(owner.get(f"/borgere/{FATMA}/match").get_data(as_text=True))
    assert "Småjobs til" in page and "km fra bopæl" in page
    assert 'class="reasons"' in page and "Kan tage hensyn til" in page
    assert "Køkkenhjælp" in page and "Start forløb" in page
    assert f"/borgere/{FATMA}/forloeb/nyt?opening=" in page
    assert 'id="show_unknown" name="show_unknown" value="1" checked' in page  # default: shown
    assert "Søgningen er udvidet" not in page


def test_match_filters(owner):
    widened = owner.get(f"/borgere/{FATMA}/match?filtre=1&radius=10&show_unknown=1").get_data(as_text=True)
    assert "Søgningen er udvidet til 10 km" in widened
    strict = owner.get(f"/borgere/{FATMA}/match?filtre=1&radius=10&paid_only=1&shifts=night").get_data(as_text=True)
    assert 'id="paid_only" name="paid_only" value="1" checked' in strict
    assert 'id="show_unknown" name="show_unknown" value="1">' in strict
    assert 'value="night" checked' in strict
    assert strict.count('class="card match"') < widened.count('class="card match"')
    bad = owner.get(f"/borgere/{FATMA}/match?filtre=1&radius=langt")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Skriv en afstand i km mellem 0,1 og 500." in page and 'value="langt"' in page


# --- Forløb ---------------------------------------------------------------------------------------

def placement_form(**changes) -> dict:
    data = {"opening_id": OPENING, "kind": "virksomhedspraktik", "status": "planned", "start_date": "2026-01-05",
            "planned_end_date": "2026-03-01", "hours_per_week": "10", "paid_hours_per_week": "0",
            "hourly_wage": "", "trial_weeks": "4", "delrapport_due": "2026-02-01", "slutrapport_due": "2026-03-01"}
    data.update(changes)
    return data


def test_new_placement_prefilled_from_opening_and_saved_with_reports(owner, people):
    page = owner.get(f"/borgere/{FATMA}/forloeb/nyt?opening={OPENING}").get_data(as_text=True)
    assert "Bagerimedhjælper" in page and "Morgenbrødet" in page and f'value="{OPENING}"' in page
    response = owner.post(f"/borgere/{FATMA}/forloeb/nyt", data={**placement_form(), "csrf_token": token(owner)})
    assert response.status_code == 302
    [placement] = placements.placements_of_citizen(people, FATMA)
    assert response.headers["Location"].endswith(f"/forloeb/{placement['id']}")
    assert placement["kind"] == "virksomhedspraktik" and placement["trial_weeks"] == 4
    assert [(r["kind"], r["due_date"]) for r in placements.reports_of(people, placement["id"])] == [
        ("delrapport", "2026-02-01"), ("slutrapport", "2026-03-01")]
    shown = owner.get(f"/forloeb/{placement['id']}").get_data(as_text=True)
    assert "Delrapport" in shown and "1. februar 2026" in shown and "Planlagt" in shown


@pytest.mark.parametrize("changes, field_id, message", [
    ({"paid_hours_per_week": "12", "hourly_wage": "120"}, "paid_hours_per_week", "flere lønnede timer"),
    ({"planned_end_date": "2025-12-01"}, "planned_end_date", "før start"),
    ({"start_date": "5/1/2026"}, "start_date", "ikke en gyldig dato"),
    ({"hours_per_week": "40"}, "hours_per_week", "mellem 0 og 37"),
    ({"paid_hours_per_week": "2", "hourly_wage": "-3"}, "hourly_wage", "mellem 0 og"),
    ({"opening_id": "opn-findes-ikke"}, "opening_id", "Ukendt småjob"),
    ({"slutrapport_due": "2026-02-31"}, "slutrapport_due", "ikke en gyldig dato"),
])
def test_placement_form_errors(owner, people, changes, field_id, message):
    response = owner.post(f"/borgere/{FATMA}/forloeb/nyt",
                          data={**placement_form(**changes), "csrf_token": token(owner)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_block(page, field_id)
    typed = next(iter(changes.values()))
    assert f'value="{typed}"' in page
    assert count(people, "placements") == 0 and count(people, "placement_reports") == 0


def test_edit_and_end_placement(owner, people):
    placement = placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING, kind="smajob",
                                            start_date="2026-01-05", hours_per_week=8, paid_hours_per_week=2.5,
                                            hourly_wage=125)
    url = f"/forloeb/{placement['id']}/rediger"
    page = owner.get(url).get_data(as_text=True)
    assert 'value="2,5"' in page and 'value="2026-01-05"' in page
    data = placement_form(kind="smajob", status="ended", paid_hours_per_week="2,5", hourly_wage="125",
                          end_date="2026-02-15", outcome="", csrf_token=token(owner))
    response = owner.post(url, data=data)
    assert response.status_code == 400
    assert "Vælg hvad forløbet endte med." in field_block(response.get_data(as_text=True), "outcome")
    assert placements.get_placement(people, placement["id"])["status"] == "planned"
    response = owner.post(url, data={**data, "outcome": "beskaeftigelse"})
    assert response.status_code == 302
    ended = placements.get_placement(people, placement["id"])
    assert (ended["status"], ended["end_date"], ended["outcome"]) == ("ended", "2026-02-15", "beskaeftigelse")
    shown = owner.get(f"/forloeb/{placement['id']}").get_data(as_text=True)
    assert "Afsluttet" in shown and "Beskæftigelse" in shown and "125 kr." in shown


def test_report_due_dates_on_placement_page(owner, people):
    placement = placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING, kind="hybridpraktik",
                                            start_date="2026-01-05", hours_per_week=8)
    url = f"/forloeb/{placement['id']}"
    bad = owner.post(f"{url}/rapporter", data={"kind": "delrapport", "due_date": "snart",
                                               "csrf_token": token(owner, url)})
    assert bad.status_code == 400 and "ikke en gyldig dato" in bad.get_data(as_text=True)
    assert placements.reports_of(people, placement["id"]) == []
    assert owner.post(f"{url}/rapporter", data={"kind": "slutrapport", "due_date": "2026-04-01",
                                                "csrf_token": token(owner, url)}).status_code == 302
    [report] = placements.reports_of(people, placement["id"])
    shown = owner.get(url).get_data(as_text=True)
    assert f'<form method="post" action="{url}/rapporter/{report["id"]}/afleveret">' in shown
    assert '<button type="submit">Marker som afleveret</button>' in shown
    assert owner.post(f"{url}/rapporter/{report['id']}/afleveret",
                      data={"csrf_token": token(owner, url)}).status_code == 302
    assert placements.get_report(people, report["id"])["submitted_at"]


# --- Møder ----------------------------------------------------------------------------------------

def test_log_employer_meeting_with_paid_hours(owner, people):
    placement = placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING,
                                            kind="virksomhedspraktik", start_date="2026-01-05", hours_per_week=8)
    url = f"/borgere/{FATMA}/moeder/nyt?forloeb={placement['id']}&type=first_employer"
    page = owner.get(url).get_data(as_text=True)
    assert re.search(rf'<option selected value="{placement["id"]}"|value="{placement["id"]}" selected', page)
    data = {"kind": "first_employer", "placement_id": str(placement["id"]), "held_on": "2026-01-08",
            "participants": "Fatma, Karen, Bent (mester)", "note": "God stemning",
            "paid_hours_proposed": "ja", "paid_hours_answer": "Ja, 2 timer efter 4 uger", "csrf_token": token(owner, url)}
    response = owner.post(f"/borgere/{FATMA}/moeder/nyt", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/forloeb/{placement['id']}")
    [meeting] = placements.meetings_of_placement(people, placement["id"])
    assert meeting["paid_hours_proposed"] is True and meeting["paid_hours_answer"] == "Ja, 2 timer efter 4 uger"
    shown = owner.get(f"/forloeb/{placement['id']}").get_data(as_text=True)
    assert "Første møde med virksomheden" in shown and "Ja, 2 timer efter 4 uger" in shown
    assert "8. januar 2026" in owner.get(f"/borgere/{FATMA}").get_data(as_text=True)


def test_meeting_form_errors(owner, people):
    url = f"/borgere/{FATMA}/moeder/nyt"
    data = {"kind": "first_citizen", "placement_id": "", "held_on": "2026-13-01", "participants": "Fatma",
            "note": "Første snak", "paid_hours_proposed": "ja", "paid_hours_answer": "", "csrf_token": token(owner, url)}
    response = owner.post(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ikke en gyldig dato" in field_block(page, "held_on") and 'value="2026-13-01"' in page
    assert "Første snak" in page
    data.update(held_on="2026-01-02")
    page = owner.post(url, data=data).get_data(as_text=True)
    assert "kun ved møder med virksomheden" in page
    data.update(kind="first_employer", paid_hours_proposed="")
    page = owner.post(url, data=data).get_data(as_text=True)
    assert "hører til et forløb" in field_block(page, "placement_id")
    assert count(people, "meetings") == 0
    data.update(kind="first_citizen")
    assert owner.post(url, data=data).status_code == 302
    assert count(people, "meetings") == 1


# --- Virksomheder ---------------------------------------------------------------------------------

def test_employer_registry_search_and_page(owner):
    page = owner.get("/virksomheder?q=bagerimedhjælper").get_data(as_text=True)
    assert "Morgenbrødet" in page and "Søg i navn, branche eller småjob" in page
    assert "Morgenbrødet" not in owner.get("/virksomheder?q=rengøring-xyz").get_data(as_text=True)
    shown = owner.get("/virksomheder/emp-98191").get_data(as_text=True)
    assert "Bagerimedhjælper" in shown and "Lønnede timer efter praktik" in shown and "Ingen forløb endnu" in shown
    assert owner.get("/virksomheder/emp-findes-ikke").status_code == 404


def test_employer_history_hides_other_consultants_citizens(client, people):
    placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING, kind="smajob",
                                start_date="2026-01-05", hours_per_week=8)
    login(client, OWNER)
    assert "Fatma" in client.get("/virksomheder/emp-98191").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, OTHER)
    page = client.get("/virksomheder/emp-98191").get_data(as_text=True)
    assert "Fatma" not in page and "1 forløb med en anden konsulents borger" in page


def test_employer_page_hides_other_consultants_outcomes_as_the_api_does(client, people):
    placement = placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING, kind="smajob",
                                            start_date="2026-01-05", hours_per_week=8)
    placements.end_placement(people, placement["id"], "2026-03-01", "foertidspension")
    login(client, OTHER)
    page = client.get("/virksomheder/emp-98191").get_data(as_text=True)
    assert "Førtidspension" not in page and "Afsluttet" not in page  # the API lists none of them either
    client.post("/logout", data={"csrf_token": token(client)})
    for who in (OWNER, ADMIN):  # the citizen's own consultant and admins see the outcome
        login(client, who)
        assert "Afsluttet: Førtidspension" in client.get("/virksomheder/emp-98191").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token(client)})


def test_citizen_page_shows_socialt_frikort_earnings_against_the_ceiling(owner, people, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo
    clock.set(datetime(2025, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen")))
    registry.save_citizen(people, {**registry.citizen_to_exchange(registry.get_citizen(people, FATMA)),
                                   "social_free_card": True})
    # 5 paid hours × 150 kr. from 1 September to 1 December (92 days) = 9,857 kr. of 42,766 kr. (2025).
    placements.create_placement(people, citizen_id=FATMA, opening_id=OPENING, kind="smajob",
                                start_date="2025-09-01", hours_per_week=5, paid_hours_per_week=5,
                                hourly_wage=150, status="active")
    page = html.unescape(owner.get(f"/borgere/{FATMA}").get_data(as_text=True))
    assert "Ja – tjent i 2025: 9.857 kr. af 42.766 kr. (23 %)" in page


def test_citizen_page_says_when_the_ceiling_comes_from_config(owner, people, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen")))
    registry.save_citizen(people, {**registry.citizen_to_exchange(registry.get_citizen(people, FATMA)),
                                   "social_free_card": True})
    page = html.unescape(owner.get(f"/borgere/{FATMA}").get_data(as_text=True))
    assert "Loftet for 2026 er ikke offentliggjort i vores kilder" in page


@pytest.mark.parametrize("path", ["/borgere/ny", "/borgere/cit-fatma/rediger", "/borgere/cit-fatma/moeder/nyt",
                                  "/borgere/cit-fatma/forloeb/nyt"])
def test_no_attribute_is_written_as_python_none(owner, path):
    # WTForms writes a None keyword as the text "None" (aria-invalid="None" means invalid to
    # a screen reader); False leaves the attribute out.
    page = owner.get(path).get_data(as_text=True)
    assert '="None"' not in page


def test_match_cards_show_score_contact_and_unknown_needs_in_one_line(owner, people):
    page = html.unescape(owner.get(f"/borgere/{FATMA}/match").get_data(as_text=True))
    assert re.search(r"\d{1,3} point af 100", page) and "point " + "8" not in page.split("point af")[0][-8:]
    assert "Kontakt" in page and "Adresse" in page
    assert page.count("Spørg virksomheden om:") >= 1 and "Ukendt:" not in page
    assert '<details class="card filters no-print" id="filtre" data-open-wide>' in page


def test_an_empty_match_list_says_which_of_the_citizens_own_limits_excluded_what(owner, people):
    # Samir's profile allows evening and night only: ticking "Dag" leaves nothing, and the page says why.
    page = html.unescape(owner.get("/borgere/cit-samir/match?filtre=1&shifts=day&show_unknown=1").get_data(as_text=True))
    assert "Ingen småjobs passer med disse filtre" in page
    assert re.search(r"\d+ småjobs? har kun vagter, Samirs profil udelukker \(profilen tillader aften, nat\)", page), page
    assert re.search(r"\d+ småjobs? har ikke de vagter, du har valgt i filteret", page)


def test_openings_with_the_same_title_and_employer_say_what_tells_them_apart(owner, people):
    opening = registry.openings_by_ids(people, [OPENING])[OPENING]
    employer = registry.employers_by_ids(people, [opening["employer_id"]])[opening["employer_id"]]
    from web.citizens import _what_tells_apart
    twin = {**opening, "id": "opn-twin", "hours_min": 20, "hours_max": 25}
    tells = _what_tells_apart([opening, twin, {**opening, "id": "x", "employer_id": "other"}])
    assert tells[0].startswith("Adskiller sig fra det andet opslag med samme titel:") and "20–25 timer" in tells[1]
    assert tells[2] == "" and employer


def test_shortlist_lists_only_the_marked_matches_with_contact_and_reasons(owner, people):
    page = owner.get(f"/borgere/{FATMA}/match").get_data(as_text=True)
    chosen = re.findall(r'name="valgt" value="([^"]+)"', page)[:2]
    assert len(chosen) == 2
    query = "&".join(f"valgt={c}" for c in chosen)
    sheet = html.unescape(owner.get(f"/borgere/{FATMA}/match/udskrift?{query}").get_data(as_text=True))
    assert sheet.count('class="card match"') == 2
    assert "Derfor passer det" in sheet and "Kontakt" in sheet and "Lønnede timer" in sheet
    everything = owner.get(f"/borgere/{FATMA}/match/udskrift").get_data(as_text=True)
    assert everything.count('class="card match"') == page.count('class="card match"')


# --- Mine borgere: case reference, search and sort ------------------------------------------------

@pytest.mark.parametrize("reference", ["120485-1234", "1204851234", "Sag 120485 1234", "cpr 311299-0001"])
def test_a_case_reference_shaped_like_a_cpr_number_is_refused_in_danish(owner, people, reference):
    before = count(people, "citizens")
    response = owner.post("/borgere/ny", data={**CITIZEN_FORM, "case_reference": reference, "csrf_token": token(owner)})
    assert response.status_code == 400 and count(people, "citizens") == before
    block = html.unescape(field_block(response.get_data(as_text=True), "case_reference"))
    assert "Ligner et CPR-nummer. Brug jeres egen sagsreference" in block


def test_two_citizens_with_the_same_name_are_told_apart_by_reference_and_found_by_search(owner, people):
    for reference, group in (("JC-118", "Aktivitetsparat"), ("JC-204", "Jobparat")):
        response = owner.post("/borgere/ny", data={**CITIZEN_FORM, "first_name": "Mohammed", "case_reference": reference,
                                                   "target_group": group, "csrf_token": token(owner)})
        assert response.status_code == 302
    found = owner.get("/borgere?q=jc-204").get_data(as_text=True)
    assert "JC-204" in found and "JC-118" not in found and "Fatma" not in found
    by_group = owner.get("/borgere?q=aktivitetsparat").get_data(as_text=True)
    assert "JC-118" in by_group and "JC-204" not in by_group
    by_reference = owner.get("/borgere?sort=sagsreference").get_data(as_text=True)
    assert by_reference.index("JC-118") < by_reference.index("JC-204") < by_reference.index("Fatma")
    assert "Ingen borgere passer med" in owner.get("/borgere?q=zzzz").get_data(as_text=True)
    exported = registry.export_document(people)["citizens"]
    assert {c.get("case_reference") for c in exported} >= {"JC-118", "JC-204"}


def test_citizens_sort_by_last_activity_newest_first(owner, people):
    people.execute("UPDATE citizens SET updated_at = '2020-01-01T00:00:00+00:00'")
    people.execute("UPDATE citizens SET updated_at = '2026-06-01T00:00:00+00:00' WHERE id = 'cit-samir'")
    people.conn.commit()
    page = owner.get("/borgere?sort=aktivitet").get_data(as_text=True)
    assert page.index("Samir") < page.index("Fatma") and "1. juni 2026" in page


def test_profile_names_the_consultant_not_the_email(owner, people):
    page = owner.get(f"/borgere/{FATMA}").get_data(as_text=True)
    assert "Karen Konsulent" in page.split("<dt>Konsulent</dt>")[1][:80]


def test_admin_menu_says_alle_borgere(client, people):
    login(client, ADMIN)
    page = client.get("/borgere").get_data(as_text=True)
    assert 'aria-current="page">Alle borgere</a>' in page and ">Mine borgere</a>" not in page


def test_new_meeting_and_placement_forms_have_todays_date(owner, people):
    from core import clock
    today = clock.today().isoformat()
    assert f'value="{today}"' in field_block(owner.get(f"/borgere/{FATMA}/moeder/nyt").get_data(as_text=True), "held_on")
    page = owner.get(f"/borgere/{FATMA}/forloeb/nyt?opening={OPENING}").get_data(as_text=True)
    assert f'value="{today}"' in field_block(page, "start_date")
