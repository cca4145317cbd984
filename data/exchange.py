"""The exchange format (docs/exchange-format.md): validation and normalisation.

`parse_document` turns a decoded JSON document into normalised records, or raises
`core.errors.Invalid` listing every problem with the record's id, the field and the reason in
Danish. Nothing here touches the database, so a file is checked whole before a row is written.

A normalised record is the exchange record with every default filled in, coordinates
resolved from the postcode when absent (`coords_given` says which), and any fields this
version does not know kept under `extra` so an export gives them back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.dk import cvr as cvr_number
from stdnum.exceptions import ValidationError as StdnumError

from core.checks import Checker, plain_text
from core.errors import Invalid, Problem
from data.postcodes import lookup as lookup_postcode

NEED_CODES = (
    "no_heavy_lifting", "seated_work", "quiet_environment", "dimmed_light", "flexible_breaks",
    "short_shifts", "gradual_start", "workplace_mentor", "clear_instructions", "predictable_tasks",
    "no_customer_contact", "service_dog", "criminal_record_ok", "limited_danish",
)
SHIFTS = ("day", "evening", "night", "weekend")
PAID_HOURS = ("from_start", "after_trial", "possible", "no")
HOURS_RANGE = (1, 37)
# A citizen's max_travel_km; the match filters' search radius has the same limits (data.match_filters).
TRAVEL_KM = (0.1, 500)
# Generous box around Denmark incl. Bornholm and Skagen: catches swapped lat/lon.
LAT_RANGE = (54.4, 57.9)
LON_RANGE = (7.9, 15.3)

EMPLOYER_FIELDS = ("id", "name", "cvr", "industry", "address", "postcode", "lat", "lon",
                   "contact", "languages", "openings")
OPENING_FIELDS = ("id", "title", "tasks", "hours_per_week", "shifts", "paid_hours", "trial_weeks",
                  "can_meet", "cannot_meet", "seats", "active")
CITIZEN_FIELDS = ("id", "first_name", "age", "target_group", "postcode", "lat", "lon", "interests",
                  "experience", "goal", "languages", "hours_per_week", "shifts", "max_travel_km",
                  "needs", "consultant", "social_free_card", "case_reference")
CONTACT_FIELDS = ("name", "email", "phone")

_LANGUAGE = re.compile(r"^[a-z]{2}$")
# Ten digits as a CPR number is written (DDMMÅÅ-XXXX, with or without a dash or space), anywhere
# in a text: a case reference must never carry one.
_CPR_SHAPED = re.compile(r"(?<!\d)[0-3]\d[01]\d\d\d[-\s]?\d{4}(?!\d)")
CASE_REFERENCE_MAX = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Document:
    employers: list[dict] = field(default_factory=list)
    citizens: list[dict] = field(default_factory=list)


class ExchangeChecker(Checker):
    """The kit (core.checks) with the readers only the exchange format has."""

    def languages(self, record: dict) -> list[str]:
        value = record.get("languages")
        if value is None:
            value = ["da"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("languages", "skal være en liste af sprogkoder (ISO 639-1, fx 'da')")
            return ["da"]
        result = []
        for code in value:
            code = code.strip().lower()
            if not _LANGUAGE.match(code):
                self.fail("languages", f"'{code}' er ikke en sprogkode på to bogstaver (ISO 639-1)")
            elif code not in result:
                result.append(code)
        return result

    def hours(self, record: dict) -> tuple[int | None, int | None]:
        value = record.get("hours_per_week")
        if value is None:
            return None, None
        if not isinstance(value, dict):
            self.fail("hours_per_week", "skal være et objekt med min og max")
            return None, None
        low = self.integer(value, "min", *HOURS_RANGE)
        high = self.integer(value, "max", *HOURS_RANGE)
        for key in set(value) - {"min", "max"}:
            self.fail("hours_per_week", f"ukendt nøgle '{key}'")
        if low is not None and high is not None and low > high:
            self.fail("hours_per_week", f"min ({low}) er større end max ({high})")
        return low, high

    def place(self, record: dict, normalised: dict) -> None:
        postcode = record.get("postcode")
        # A number is accepted when it is four digits (2200); 800 is not a postcode, "0800" would be.
        if isinstance(postcode, float) and postcode.is_integer():
            postcode = int(postcode)  # 2200.0 is the number 2200 in JSON
        if isinstance(postcode, int) and not isinstance(postcode, bool) and 1000 <= postcode <= 9999:
            postcode = str(postcode)
        if not isinstance(postcode, str) or not re.fullmatch(r"\d{4}", postcode.strip()):
            self.fail("postcode", "skal være et dansk postnummer med fire cifre")
            return
        postcode = postcode.strip()
        normalised["postcode"] = postcode
        known = lookup_postcode(postcode)
        if known is None:
            self.fail("postcode", f"ukendt postnummer {postcode}")
        has_lat, has_lon = record.get("lat") is not None, record.get("lon") is not None
        if has_lat != has_lon:
            self.fail("lat" if not has_lat else "lon", "lat og lon skal angives sammen")
            return
        if has_lat:
            lat = self.number(record, "lat", *LAT_RANGE)
            lon = self.number(record, "lon", *LON_RANGE)
            normalised.update(lat=lat, lon=lon, coords_given=True)
        elif known is not None:
            normalised.update(lat=known.lat, lon=known.lon, coords_given=False)


def _record_id(record, kind: str, index: int, problems: list[Problem]) -> str | None:
    where = f"nr. {index + 1}"
    if not isinstance(record, dict):
        problems.append(Problem(where, "(post)", "skal være et JSON-objekt", kind))
        return None
    value = record.get("id")
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(where, "id", "mangler eller er ikke tekst", kind))
        return None
    if len(value) > 100:
        problems.append(Problem(value[:100], "id", "er for langt (højst 100 tegn)", kind))
    control = plain_text(value)[1]
    if control:
        problems.append(Problem(value[:100], "id", control, kind))
    return value.strip()


def _extra(record: dict, known: tuple[str, ...]) -> dict:
    return {k: v for k, v in record.items() if k not in known}


def parse_opening(record, index: int, problems: list[Problem]) -> dict | None:
    opening_id = _record_id(record, "småjob", index, problems)
    if opening_id is None:
        return None
    check = ExchangeChecker(opening_id, problems, "småjob")
    hours_min, hours_max = check.hours(record)
    paid_hours = check.choice(record, "paid_hours", PAID_HOURS, "værdi", default="possible") or "possible"
    can_meet = check.codes(record, "can_meet", NEED_CODES, [], "skånehensyn")
    cannot_meet = check.codes(record, "cannot_meet", NEED_CODES, [], "skånehensyn")
    for code in set(can_meet) & set(cannot_meet):
        check.fail("cannot_meet", f"'{code}' står både i can_meet og cannot_meet")
    trial_weeks = check.integer(record, "trial_weeks", 0, 52, default=0)
    return {
        "id": opening_id,
        "title": check.text(record, "title", required=True, max_len=200),
        "tasks": check.text(record, "tasks", required=True, multiline=True),
        "hours_min": hours_min,
        "hours_max": hours_max,
        "shifts": check.codes(record, "shifts", SHIFTS, ["day"], "vagttype", allow_empty=False),
        "paid_hours": paid_hours,
        "trial_weeks": trial_weeks or 0,
        "can_meet": can_meet,
        "cannot_meet": cannot_meet,
        "seats": check.integer(record, "seats", 1, 1000, default=1),
        "active": check.boolean(record, "active", True),
        "extra": _extra(record, OPENING_FIELDS),
    }


def parse_employer(record, index: int, problems: list[Problem]) -> dict | None:
    employer_id = _record_id(record, "virksomhed", index, problems)
    if employer_id is None:
        return None
    check = ExchangeChecker(employer_id, problems, "virksomhed")
    employer = {"id": employer_id, "name": check.text(record, "name", required=True, max_len=200)}
    cvr = record.get("cvr")
    if cvr is not None:
        cvr = _valid_cvr(cvr, check)
    employer.update(
        cvr=cvr,
        industry=check.text(record, "industry", max_len=200) or "",
        address=check.text(record, "address", max_len=200) or "",
        languages=check.languages(record),
    )
    check.place(record, employer)
    employer.update(_contact(record.get("contact"), check))
    openings = record.get("openings")
    if not isinstance(openings, list) or not openings:
        check.fail("openings", "skal være en liste med mindst ét småjob")
        openings = []
    employer["openings"] = [parsed for i, raw in enumerate(openings)
                            if (parsed := parse_opening(raw, i, problems)) is not None]
    employer["extra"] = _extra(record, EMPLOYER_FIELDS)
    return employer


def _valid_cvr(value, check: Checker) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        check.fail("cvr", "skal være tekst med otte cifre")
        return None
    try:
        return cvr_number.validate(value)
    except StdnumError as error:
        reason = {
            "InvalidChecksum": "forkert kontrolciffer",
            "InvalidLength": "skal have otte cifre",
            "InvalidFormat": "må kun indeholde cifre og ikke starte med 0",
        }.get(type(error).__name__, "er ikke et gyldigt CVR-nummer")
        check.fail("cvr", f"{value!r}: {reason}")
        return None


def _contact(value, check: Checker) -> dict:
    result = {"contact_name": "", "contact_email": "", "contact_phone": "", "contact_extra": {}}
    if value is None:
        return result
    if not isinstance(value, dict):
        check.fail("contact", "skal være et objekt med name, email og phone")
        return result
    for key in CONTACT_FIELDS:
        text = check.text(value, key, max_len=200, label=f"contact.{key}")
        if text is None and value.get(key) is not None:
            continue
        result[f"contact_{key}"] = text or ""
    email = result["contact_email"]
    if email and not _EMAIL.match(email):
        check.fail("contact.email", f"'{email}' er ikke en e-mailadresse")
    result["contact_extra"] = _extra(value, CONTACT_FIELDS)
    return result


def parse_citizen(record, index: int, problems: list[Problem]) -> dict | None:
    citizen_id = _record_id(record, "borger", index, problems)
    if citizen_id is None:
        return None
    check = ExchangeChecker(citizen_id, problems, "borger")
    citizen = {"id": citizen_id, "first_name": check.text(record, "first_name", required=True, max_len=100)}
    check.place(record, citizen)
    hours_min, hours_max = check.hours(record)
    shifts = None
    if record.get("shifts") is not None:
        shifts = check.codes(record, "shifts", SHIFTS, [], "vagttype", allow_empty=False)
    consultant = check.text(record, "consultant", max_len=200) or None
    if consultant and not _EMAIL.match(consultant):
        check.fail("consultant", f"'{consultant}' er ikke en e-mailadresse")
    citizen.update(
        # Light work is legal from 13 in Denmark; the format itself sets no bounds.
        age=check.integer(record, "age", 13, 120),
        target_group=check.text(record, "target_group", max_len=200) or None,
        interests=check.text(record, "interests", multiline=True) or "",
        experience=check.text(record, "experience", multiline=True) or "",
        goal=check.text(record, "goal", multiline=True) or "",
        languages=check.languages(record),
        hours_min=hours_min,
        hours_max=hours_max,
        shifts=shifts,
        max_travel_km=check.number(record, "max_travel_km", *TRAVEL_KM, default=10),
        needs=check.codes(record, "needs", NEED_CODES, [], "skånehensyn"),
        consultant=consultant.lower() if consultant else None,
        social_free_card=check.boolean(record, "social_free_card", False),
        case_reference=_case_reference(check, record),
        extra=_extra(record, CITIZEN_FIELDS),
    )
    return citizen


def _case_reference(check, record: dict) -> str | None:
    reference = check.text(record, "case_reference", max_len=CASE_REFERENCE_MAX) or None
    if reference and _CPR_SHAPED.search(reference):
        check.fail("case_reference", "ligner et CPR-nummer. Brug jeres egen sagsreference uden CPR-nummer")
        return None
    return reference


def parse_document(document) -> Document:
    """Validate a whole decoded JSON document; raise Invalid with every problem found."""
    problems: list[Problem] = []
    if not isinstance(document, dict):
        raise Invalid([Problem("", "(rod)", "skal være et JSON-objekt med 'employers' og/eller 'citizens'", "fil")],
                      "Filen")
    for key in set(document) - {"employers", "citizens"}:
        problems.append(Problem("", key, "ukendt nøgle (tilladt: employers, citizens)", "fil"))
    lists = {}
    for key in ("employers", "citizens"):
        value = document.get(key, [])
        if not isinstance(value, list):
            problems.append(Problem("", key, "skal være en liste", "fil"))
            value = []
        lists[key] = value
    employers = [e for i, r in enumerate(lists["employers"]) if (e := parse_employer(r, i, problems))]
    citizens = [c for i, r in enumerate(lists["citizens"]) if (c := parse_citizen(r, i, problems))]
    _check_unique(employers, "virksomhed", problems)
    _check_unique([o for e in employers for o in e["openings"]], "småjob", problems)
    _check_unique(citizens, "borger", problems)
    if problems:
        raise Invalid(problems, "Filen")
    return Document(employers=employers, citizens=citizens)


def _check_unique(records: list[dict], kind: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for record in records:
        if record["id"] in seen:
            problems.append(Problem(record["id"], "id", "optræder mere end én gang i filen", kind))
        seen.add(record["id"])


def employer_to_exchange(employer: dict, openings: list[dict]) -> dict:
    """A normalised employer (as stored) back to the exchange format."""
    record = {"id": employer["id"], "name": employer["name"]}
    if employer.get("cvr"):
        record["cvr"] = employer["cvr"]
    record.update(industry=employer["industry"], address=employer["address"], postcode=employer["postcode"])
    if employer["coords_given"]:
        record.update(lat=employer["lat"], lon=employer["lon"])
    contact = {k: employer[f"contact_{k}"] for k in CONTACT_FIELDS if employer[f"contact_{k}"]}
    contact.update(employer.get("contact_extra") or {})
    if contact:
        record["contact"] = contact
    record["languages"] = employer["languages"]
    record["openings"] = [opening_to_exchange(o) for o in openings]
    record.update(employer.get("extra") or {})
    return record


def opening_to_exchange(opening: dict) -> dict:
    record = {"id": opening["id"], "title": opening["title"], "tasks": opening["tasks"]}
    hours = _hours_to_exchange(opening)
    if hours:
        record["hours_per_week"] = hours
    record.update(
        shifts=opening["shifts"], paid_hours=opening["paid_hours"], trial_weeks=opening["trial_weeks"],
        can_meet=opening["can_meet"], cannot_meet=opening["cannot_meet"], seats=opening["seats"],
        active=bool(opening["active"]),
    )
    record.update(opening.get("extra") or {})
    return record


def citizen_to_exchange(citizen: dict) -> dict:
    record = {"id": citizen["id"], "first_name": citizen["first_name"]}
    for key in ("age", "target_group", "case_reference"):
        if citizen.get(key) is not None:
            record[key] = citizen[key]
    record["postcode"] = citizen["postcode"]
    if citizen["coords_given"]:
        record.update(lat=citizen["lat"], lon=citizen["lon"])
    record.update(interests=citizen["interests"], experience=citizen["experience"], goal=citizen["goal"],
                  languages=citizen["languages"])
    hours = _hours_to_exchange(citizen)
    if hours:
        record["hours_per_week"] = hours
    if citizen.get("shifts") is not None:
        record["shifts"] = citizen["shifts"]
    travel = citizen["max_travel_km"]
    record.update(max_travel_km=int(travel) if float(travel).is_integer() else travel, needs=citizen["needs"])
    if citizen.get("consultant"):
        record["consultant"] = citizen["consultant"]
    if citizen.get("social_free_card"):
        record["social_free_card"] = True
    record.update(citizen.get("extra") or {})
    return record


def _hours_to_exchange(record: dict) -> dict:
    hours = {}
    if record.get("hours_min") is not None:
        hours["min"] = record["hours_min"]
    if record.get("hours_max") is not None:
        hours["max"] = record["hours_max"]
    return hours
