"""Validation and normalisation of the exchange format (data.exchange), without a database:
every rule in docs/exchange-format.md, each bad value named by record id, field and reason."""
from __future__ import annotations

import copy

import pytest

from core.errors import Invalid
from data.exchange import parse_document
from data.postcodes import lookup
from tests.records import citizen, employer, opening

VALID_CVR = "13585628"  # real check digit (python-stdnum agrees)


def problems_of(document) -> list[tuple[str, str, str, str]]:
    with pytest.raises(Invalid) as caught:
        parse_document(document)
    return [(p.kind, p.record_id, p.field, p.reason) for p in caught.value.problems]


def only_problem(document) -> tuple[str, str, str, str]:
    found = problems_of(document)
    assert len(found) == 1, found
    return found[0]


# --- defaults and normalisation ------------------------------------------------------------------

def test_minimal_records_get_every_default_and_postcode_coordinates():
    parsed = parse_document({"employers": [employer()], "citizens": [citizen()]})
    place = lookup("2200")
    [emp] = parsed.employers
    assert (emp["lat"], emp["lon"], emp["coords_given"]) == (place.lat, place.lon, False)
    assert emp["languages"] == ["da"] and emp["cvr"] is None and emp["extra"] == {}
    [opn] = emp["openings"]
    assert opn["shifts"] == ["day"] and opn["paid_hours"] == "possible" and opn["seats"] == 1
    assert opn["active"] is True and opn["trial_weeks"] == 0
    assert opn["can_meet"] == [] and opn["cannot_meet"] == []
    assert (opn["hours_min"], opn["hours_max"]) == (None, None)
    [cit] = parsed.citizens
    assert cit["max_travel_km"] == 10 and cit["needs"] == [] and cit["languages"] == ["da"]
    assert cit["shifts"] is None and cit["consultant"] is None and cit["social_free_card"] is False
    assert (cit["lat"], cit["lon"], cit["coords_given"]) == (place.lat, place.lon, False)


def test_null_means_absent_for_optional_fields():
    parsed = parse_document({
        "employers": [employer(languages=None, cvr=None, openings=[opening(
            seats=None, trial_weeks=None, paid_hours=None, shifts=None, active=None,
            can_meet=None, cannot_meet=None, hours_per_week=None)])],
        "citizens": [citizen(max_travel_km=None, needs=None, languages=None, age=None,
                             social_free_card=None, consultant=None, lat=None, lon=None)],
    })
    opn = parsed.employers[0]["openings"][0]
    assert (opn["seats"], opn["trial_weeks"], opn["paid_hours"], opn["shifts"], opn["active"]) == (
        1, 0, "possible", ["day"], True)
    cit = parsed.citizens[0]
    assert cit["max_travel_km"] == 10 and cit["needs"] == [] and cit["languages"] == ["da"]
    assert cit["coords_given"] is False


def test_given_coordinates_are_kept():
    parsed = parse_document({"citizens": [citizen(lat=55.7, lon=12.55)]})
    assert (parsed.citizens[0]["lat"], parsed.citizens[0]["lon"], parsed.citizens[0]["coords_given"]) == (
        55.7, 12.55, True)


def test_codes_are_normalised_to_vocabulary_order_without_duplicates():
    parsed = parse_document({"citizens": [citizen(
        needs=["limited_danish", "no_heavy_lifting", "limited_danish"], shifts=["weekend", "day"],
        languages=[" TR ", "da", "tr"])]})
    cit = parsed.citizens[0]
    assert cit["needs"] == ["no_heavy_lifting", "limited_danish"]
    assert cit["shifts"] == ["day", "weekend"]
    assert cit["languages"] == ["tr", "da"]


def test_consultant_email_is_lowercased_and_trimmed():
    parsed = parse_document({"citizens": [citizen(consultant="  Karen.Konsulent@Example.DK ")]})
    assert parsed.citizens[0]["consultant"] == "karen.konsulent@example.dk"


@pytest.mark.parametrize("cvr", [VALID_CVR, int(VALID_CVR), "1358 5628"])
def test_cvr_as_text_number_or_with_spaces(cvr):
    assert parse_document({"employers": [employer(cvr=cvr)]}).employers[0]["cvr"] == VALID_CVR


def test_postcode_as_four_digit_number_is_accepted_as_text():
    parsed = parse_document({"citizens": [citizen(postcode=2200)], "employers": [employer(postcode=" 2200 ")]})
    assert parsed.citizens[0]["postcode"] == "2200" and parsed.employers[0]["postcode"] == "2200"


def test_unknown_fields_are_kept_as_extra():
    parsed = parse_document({"employers": [employer(
        kommune="København", contact={"name": "Ali", "title": "Ejer"},
        openings=[opening(mentor="Ole")])], "citizens": [citizen(note={"a": [1, 2]})]})
    emp = parsed.employers[0]
    assert emp["extra"] == {"kommune": "København"} and emp["contact_extra"] == {"title": "Ejer"}
    assert emp["openings"][0]["extra"] == {"mentor": "Ole"}
    assert parsed.citizens[0]["extra"] == {"note": {"a": [1, 2]}}


def test_integral_float_hours_are_accepted_as_integers():
    parsed = parse_document({"citizens": [citizen(hours_per_week={"min": 3.0, "max": 10})]})
    assert (parsed.citizens[0]["hours_min"], parsed.citizens[0]["hours_max"]) == (3, 10)
    assert isinstance(parsed.citizens[0]["hours_min"], int)


# --- each invalid value: record id, field, Danish reason --------------------------------------------

@pytest.mark.parametrize("changes, field, reason_part", [
    ({"needs": ["no_heavy_lifting", "telepathy"]}, "needs", "ukendt skånehensyn 'telepathy'"),
    ({"postcode": "9999"}, "postcode", "ukendt postnummer 9999"),
    ({"postcode": "22000"}, "postcode", "fire cifre"),
    ({"postcode": 800}, "postcode", "fire cifre"),
    ({"postcode": True}, "postcode", "fire cifre"),
    ({"postcode": None}, "postcode", "fire cifre"),
    ({"hours_per_week": {"min": 12, "max": 5}}, "hours_per_week", "min (12) er større end max (5)"),
    ({"hours_per_week": {"min": 0}}, "min", "mellem 1 og 37"),
    ({"hours_per_week": {"max": 38}}, "max", "mellem 1 og 37"),
    ({"hours_per_week": {"min": 2.5}}, "min", "helt tal"),
    ({"hours_per_week": {"min": 2, "maks": 3}}, "hours_per_week", "ukendt nøgle 'maks'"),
    ({"hours_per_week": "3-10"}, "hours_per_week", "objekt med min og max"),
    ({"first_name": None}, "first_name", "mangler"),
    ({"first_name": "   "}, "first_name", "må ikke være tom"),
    ({"first_name": 42}, "first_name", "skal være tekst"),
    ({"first_name": "x" * 101}, "first_name", "for lang"),
    ({"age": "49"}, "age", "helt tal"),
    ({"age": 12}, "age", "mellem 13 og 120"),
    ({"age": True}, "age", "helt tal"),
    ({"max_travel_km": "3 km"}, "max_travel_km", "skal være et tal"),
    ({"max_travel_km": 0}, "max_travel_km", "mellem"),
    ({"lat": 55.7}, "lon", "lat og lon skal angives sammen"),
    ({"lon": 12.5}, "lat", "lat og lon skal angives sammen"),
    ({"lat": 12.5, "lon": 12.5}, "lat", "mellem"),
    ({"lat": "55.7", "lon": 12.5}, "lat", "skal være et tal"),
    ({"shifts": []}, "shifts", "mindst én værdi"),
    ({"shifts": ["morning"]}, "shifts", "ukendt vagttype 'morning'"),
    ({"shifts": "day"}, "shifts", "liste"),
    ({"languages": ["dansk"]}, "languages", "to bogstaver"),
    ({"languages": "da"}, "languages", "liste"),
    ({"consultant": "karen"}, "consultant", "ikke en e-mailadresse"),
    ({"social_free_card": "ja"}, "social_free_card", "true eller false"),
])
def test_invalid_citizen_field(changes, field, reason_part):
    kind, record_id, found_field, reason = only_problem({"citizens": [citizen(**changes)]})
    assert (kind, record_id, found_field) == ("borger", "cit-1", field)
    assert reason_part in reason


@pytest.mark.parametrize("changes, field, reason_part", [
    ({"cvr": "13585627"}, "cvr", "forkert kontrolciffer"),
    ({"cvr": "1358562"}, "cvr", "otte cifre"),
    ({"cvr": "01358562"}, "cvr", "ikke starte med 0"),
    ({"cvr": 13585627}, "cvr", "forkert kontrolciffer"),
    ({"cvr": 1.5}, "cvr", "tekst med otte cifre"),
    ({"name": None}, "name", "mangler"),
    ({"postcode": "0000"}, "postcode", "ukendt postnummer"),
    ({"openings": []}, "openings", "mindst ét småjob"),
    ({"openings": None}, "openings", "mindst ét småjob"),
    ({"contact": "ali@example.dk"}, "contact", "objekt"),
    ({"contact": {"email": "ali(at)example.dk"}}, "contact.email", "ikke en e-mailadresse"),
    ({"contact": {"name": "x" * 201}}, "contact.name", "for lang"),
    ({"contact": {"phone": 12345678}}, "contact.phone", "skal være tekst"),
    ({"industry": ["Restaurant"]}, "industry", "skal være tekst"),
])
def test_invalid_employer_field(changes, field, reason_part):
    kind, record_id, found_field, reason = only_problem({"employers": [employer(**changes)]})
    assert (kind, record_id, found_field) == ("virksomhed", "emp-1", field)
    assert reason_part in reason


@pytest.mark.parametrize("changes, field, reason_part", [
    ({"title": None}, "title", "mangler"),
    ({"tasks": ""}, "tasks", "må ikke være tom"),
    ({"paid_hours": "sometimes"}, "paid_hours", "ukendt værdi 'sometimes'"),
    ({"can_meet": ["teleport"]}, "can_meet", "ukendt skånehensyn 'teleport'"),
    ({"can_meet": ["seated_work"], "cannot_meet": ["seated_work"]}, "cannot_meet", "både i can_meet og cannot_meet"),
    ({"seats": 0}, "seats", "mellem 1 og 1000"),
    ({"seats": "2"}, "seats", "helt tal"),
    ({"trial_weeks": -1}, "trial_weeks", "mellem 0 og 52"),
    ({"active": "yes"}, "active", "true eller false"),
    ({"active": 1}, "active", "true eller false"),
    ({"shifts": []}, "shifts", "mindst én værdi"),
    ({"hours_per_week": {"min": 20, "max": 10}}, "hours_per_week", "større end max"),
])
def test_invalid_opening_field(changes, field, reason_part):
    kind, record_id, found_field, reason = only_problem({"employers": [employer(openings=[opening(**changes)])]})
    assert (kind, record_id, found_field) == ("småjob", "opn-1", field)
    assert reason_part in reason


def test_missing_or_wrong_type_ids_name_the_position():
    found = problems_of({"citizens": [citizen(), {"first_name": "Uden id", "postcode": "2200"}, citizen(id=7)],
                         "employers": ["not an object"]})
    assert ("borger", "nr. 2", "id", "mangler eller er ikke tekst") in found
    assert ("borger", "nr. 3", "id", "mangler eller er ikke tekst") in found
    assert ("virksomhed", "nr. 1", "(post)", "skal være et JSON-objekt") in found


def test_opening_without_id_is_reported():
    found = problems_of({"employers": [employer(openings=[{"title": "Uden id", "tasks": "x"}])]})
    assert found == [("småjob", "nr. 1", "id", "mangler eller er ikke tekst")]


def test_duplicate_ids_are_rejected():
    found = problems_of({
        "employers": [employer(), employer(openings=[opening(id="opn-2"), opening(id="opn-2")])],
        "citizens": [citizen(), citizen(first_name="Anden")],
    })
    assert ("virksomhed", "emp-1", "id", "optræder mere end én gang i filen") in found
    assert ("småjob", "opn-2", "id", "optræder mere end én gang i filen") in found
    assert ("borger", "cit-1", "id", "optræder mere end én gang i filen") in found


def test_duplicate_opening_ids_across_employers_are_rejected():
    found = problems_of({"employers": [employer(), employer(id="emp-2")]})
    assert found == [("småjob", "opn-1", "id", "optræder mere end én gang i filen")]


@pytest.mark.parametrize("document, field", [
    ([], "(rod)"),
    ("tekst", "(rod)"),
    (None, "(rod)"),
    ({"employers": {}}, "employers"),
    ({"citizens": "ingen"}, "citizens"),
    ({"borgere": []}, "borgere"),
])
def test_document_shape_errors(document, field):
    found = problems_of(document)
    assert [(kind, f) for kind, _, f, _ in found] == [("fil", field)]


def test_every_problem_is_reported_not_only_the_first():
    found = problems_of({"citizens": [citizen(needs=["x"], age=3), citizen(id="cit-2", postcode="1")]})
    assert {(p[1], p[2]) for p in found} == {("cit-1", "needs"), ("cit-1", "age"), ("cit-2", "postcode")}


def test_error_message_names_id_field_and_reason_in_danish():
    with pytest.raises(Invalid) as caught:
        parse_document({"employers": [employer(cvr="13585627")]})
    message = str(caught.value)
    assert "intet er gemt" in message
    assert "virksomhed 'emp-1', felt 'cvr': '13585627': forkert kontrolciffer" in message


def test_parsing_does_not_change_the_input():
    document = {"employers": [employer(languages=["TR"])], "citizens": [citizen(needs=["seated_work"])]}
    before = copy.deepcopy(document)
    parse_document(document)
    assert document == before
