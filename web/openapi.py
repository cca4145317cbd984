"""The OpenAPI 3.1 document for /api/v1, as Python data (served at /api/v1/openapi.json).

The tests check this document with openapi-spec-validator, check that it lists exactly the
routes the app has, and validate every answer they get against the schema declared here for
its path, method and status, so the document cannot drift from the code unnoticed.
"""
from __future__ import annotations

from functools import lru_cache

from core.checks import MAX_TEXT
from data.exchange import LAT_RANGE, LON_RANGE, NEED_CODES, PAID_HOURS, SHIFTS
from data.match_filters import RADIUS_KM, TOP
from data.placements import (KIND_LABELS, MAX_NOTE, MAX_PARTICIPANTS, MAX_ROW_ID, MAX_WAGE, MEETING_KIND_LABELS, OUTCOME_LABELS,
                             MAX_CANCEL_REASON, OVERVIEW_SORT_LABELS, REPORT_KIND_LABELS, STATUS_LABELS)


VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, key: str) -> dict:
    return {"type": "object", "required": [key], "additionalProperties": False,
            "properties": {key: {"type": "array", "items": _ref(name)}}}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
# Row ids are SQLite integers: positive and at most 2**63 - 1; a larger one is 404.
ROW_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
# Text is refused with control characters (core.checks.plain_text): one line allows none,
# free text keeps tab and line feed (CR only before LF). Leading and trailing white space is
# trimmed, so required text needs something else than white space.
_LINE_CHAR = r"[^\x00-\x1f\x7f-\x9f]"
_FREE_CHAR = r"(?:[^\x00-\x08\x0b-\x1f\x7f-\x9f]|\r\n)"
# White space as Python's str.strip() trims it (ECMA's \s differs: it counts U+FEFF, and not U+001C-1F),
# and the part of it that text fields allow (no control characters).
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BLANK = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SOLID = f"[^{_SPACE}\\x00-\\x1f\\x7f-\\x9f]"  # neither white space nor a control character


def line(max_len: int | None = None, required: bool = False, nullable: bool = False) -> dict:
    """One line of text (names, titles, ids)."""
    pattern = f"^{_LINE_CHAR}*{_SOLID}{_LINE_CHAR}*$" if required else f"^{_LINE_CHAR}*$"
    schema = {"type": "string", "pattern": pattern}
    if max_len:
        schema["maxLength"] = max_len
    return _nullable(schema) if nullable else schema


def free_text(max_len: int, required: bool = False, nullable: bool = False) -> dict:
    """Free text over several lines (tasks, interests, notes)."""
    pattern = f"^{_FREE_CHAR}*{_SOLID}{_FREE_CHAR}*$" if required else f"^{_FREE_CHAR}*$"
    schema = {"type": "string", "maxLength": max_len, "pattern": pattern}
    return _nullable(schema) if nullable else schema

DATETIME = {"type": "string"}
HOURS = {"type": "number", "minimum": 0, "maximum": 37}

DATE_IN = {"type": "string", "format": "date",
           "pattern": f"^[{_SPACE}]*(?:20[0-9]{{2}}|2100)-[0-9]{{2}}-[0-9]{{2}}[{_SPACE}]*$",
           "description": "ÅÅÅÅ-MM-DD, mellem år 2000 og 2100."}
HOURS_IN = {"type": "number", "minimum": 0, "maximum": 37}
# An e-mail as data.exchange checks it (something@something.something, no spaces), or empty.
_MAIL_PART = f"[^@{_SPACE}\\x00-\\x1f\\x7f-\\x9f]+"
EMAIL_PATTERN = f"^[{_BLANK}]*{_MAIL_PART}@{_MAIL_PART}\\.{_MAIL_PART}[{_BLANK}]*$"
LANGUAGE = {"type": "string", "pattern": f"^[{_SPACE}]*[A-Za-z]{{2}}[{_SPACE}]*$", "description": "ISO 639-1, fx 'da'."}

PLACEMENT_FIELDS = {
    "opening_id": line(required=True), "kind": {"enum": list(KIND_LABELS)},
    "status": _nullable({"enum": list(STATUS_LABELS)}),
    "start_date": DATE_IN, "planned_end_date": _nullable(DATE_IN), "end_date": _nullable(DATE_IN),
    "hours_per_week": HOURS_IN, "paid_hours_per_week": _nullable(HOURS_IN),
    "hourly_wage": _nullable({"type": "number", "minimum": 0, "maximum": MAX_WAGE}),
    "trial_weeks": _nullable({"type": "integer", "minimum": 0, "maximum": 52}),
    "outcome": _nullable({"enum": list(OUTCOME_LABELS)}),
}
CONFIRM_FULL = {"type": "boolean", "description": "Opret forløbet, selv om alle pladser ved småjobbet er "
                                                  "optaget af planlagte eller aktive forløb (ellers 409)."}
CANCEL_REASON = free_text(MAX_CANCEL_REASON, nullable=True)
CANCEL_REASON["description"] = "Hvorfor forløbet annulleres (kun med status cancelled); kan udelades."


def _exchange_optional(properties: dict) -> dict:
    """In the exchange format null in an optional field means absent: each one takes null too."""
    return {name: _nullable(schema) for name, schema in properties.items()}


# Postcodes and CVR numbers may also come as numbers (2200, 13585628); whether a postcode
# exists and a CVR number's check digit are checked by the service (422).
POSTCODE = {"oneOf": [{"type": "string", "pattern": f"^[{_SPACE}]*[0-9]{{4}}[{_SPACE}]*$"},
                      {"type": "integer", "minimum": 1000, "maximum": 9999}]}
CVR = {"oneOf": [{"type": "string", "pattern": "^[1-9][0-9]{7}$"},
                 {"type": "integer", "minimum": 10000000, "maximum": 99999999}]}
EXCHANGE_ID = line(100, required=True)

SCHEMAS = {
    "Problem": {
        "type": "object", "required": ["id", "field", "reason"],
        "description": "Én valideringsfejl: postens id, feltet og grunden (på dansk).",
        "properties": {"id": TEXT, "field": TEXT, "reason": TEXT,
                       "kind": {"type": "string", "description": "borger, virksomhed, småjob, forløb, møde, "
                                                                 "rapport, søgning, side eller fil"}},
    },
    "Error": {
        "type": "object", "required": ["status", "message", "problems"], "additionalProperties": False,
        "properties": {"status": {"type": "integer", "minimum": 400, "maximum": 599},
                       "message": {"type": "string", "minLength": 1},
                       "problems": {"type": "array", "items": _ref("Problem")}},
    },
    "Consultant": {
        "type": "object", "required": ["id", "email", "name", "role"], "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, "email": TEXT, "name": TEXT,
                       "role": {"enum": ["consultant", "admin"]}},
    },
    "NeedCode": {"enum": list(NEED_CODES), "description": "Skånehensyn (se docs/exchange-format.md)."},
    "Shift": {"enum": list(SHIFTS)},
    "HoursPerWeek": {
        "type": "object", "additionalProperties": False,
        "description": "min højst max (ellers 422).",
        "properties": _exchange_optional({"min": {"type": "integer", "minimum": 1, "maximum": 37},
                                          "max": {"type": "integer", "minimum": 1, "maximum": 37}}),
    },
    "CitizenFields": {
        "type": "object",
        "description": "En borger i udvekslingsformatet. Ukendte felter gemmes og gives tilbage uændret. "
                       "lat og lon angives sammen, inden for Danmark.",
        "required": ["first_name", "postcode"],
        "dependentRequired": {"lat": ["lon"], "lon": ["lat"]},
        "properties": {
            "first_name": line(100, required=True),
            "postcode": POSTCODE,
            **_exchange_optional({
                "age": {"type": "integer", "minimum": 13, "maximum": 120},
                "target_group": line(200),
                # The provider's own reference; never shaped like a CPR number (data.exchange).
                "case_reference": {**line(50), "not": {"pattern": r"(^|[^0-9])[0-3][0-9][01][0-9]{3}[- ]?[0-9]{4}($|[^0-9])"}},
                "lat": {"type": "number", "minimum": LAT_RANGE[0], "maximum": LAT_RANGE[1]},
                "lon": {"type": "number", "minimum": LON_RANGE[0], "maximum": LON_RANGE[1]},
                "interests": free_text(MAX_TEXT), "experience": free_text(MAX_TEXT), "goal": free_text(MAX_TEXT),
                "languages": {"type": "array", "items": LANGUAGE},
                "hours_per_week": _ref("HoursPerWeek"),
                "shifts": {"type": "array", "items": _ref("Shift"), "minItems": 1},
                "max_travel_km": {"type": "number", "minimum": RADIUS_KM[0], "maximum": RADIUS_KM[1]},
                "needs": {"type": "array", "items": _ref("NeedCode")},
                "consultant": {"type": "string", "maxLength": 200, "pattern": EMAIL_PATTERN,
                               "description": "Konsulentens e-mail. Udeladt ved oprettelse: den, der kalder. "
                                              "Udeladt ved PUT: uændret. Kun en administrator kan ændre den."},
                "social_free_card": {"type": "boolean"},
            }),
        },
    },
    "Citizen": {"allOf": [_ref("CitizenFields"), {"required": ["id"], "properties": {"id": EXCHANGE_ID}}]},
    "CitizenUpdate": {
        "allOf": [_ref("CitizenFields"), {"properties": {"id": EXCHANGE_ID}}],
        "description": "Hele posten. id kan udelades; angives det, skal det være det samme som i adressen.",
    },
    "StoredCitizen": {
        "allOf": [_ref("Citizen"), {
            "required": ["interests", "experience", "goal", "languages", "max_travel_km", "needs"]}],
    },
    "Opening": {
        "type": "object", "required": ["id", "title", "tasks"],
        "description": "can_meet og cannot_meet må ikke have et skånehensyn til fælles (ellers 422).",
        "properties": {
            "id": EXCHANGE_ID, "title": line(200, required=True), "tasks": free_text(MAX_TEXT, required=True),
            **_exchange_optional({
                "hours_per_week": _ref("HoursPerWeek"),
                "shifts": {"type": "array", "items": _ref("Shift"), "minItems": 1},
                "paid_hours": {"enum": list(PAID_HOURS)},
                "trial_weeks": {"type": "integer", "minimum": 0, "maximum": 52},
                "can_meet": {"type": "array", "items": _ref("NeedCode")},
                "cannot_meet": {"type": "array", "items": _ref("NeedCode")},
                "seats": {"type": "integer", "minimum": 1, "maximum": 1000},
                "active": {"type": "boolean"},
            }),
        },
    },
    "StoredOpening": {
        "allOf": [_ref("Opening"), {
            "required": ["shifts", "paid_hours", "trial_weeks", "can_meet", "cannot_meet", "seats", "active"]}],
    },
    "OpeningWithEmployer": {
        "allOf": [_ref("StoredOpening"), {"required": ["employer_id"], "properties": {"employer_id": TEXT}}],
    },
    "ExchangeEmployer": {
        "type": "object",
        "description": "En virksomhed med sine småjobs i udvekslingsformatet. Et småjobs id må ikke tilhøre en "
                       "anden virksomhed, og CVR-nummerets kontrolciffer skal passe (ellers 422).",
        "required": ["id", "name", "postcode", "openings"],
        "dependentRequired": {"lat": ["lon"], "lon": ["lat"]},
        "properties": {
            "id": EXCHANGE_ID,
            "name": line(200, required=True),
            "postcode": POSTCODE,
            "openings": {"type": "array", "items": _ref("Opening"), "minItems": 1},
            **_exchange_optional({
                "cvr": CVR, "industry": line(200), "address": line(200),
                "lat": {"type": "number", "minimum": LAT_RANGE[0], "maximum": LAT_RANGE[1]},
                "lon": {"type": "number", "minimum": LON_RANGE[0], "maximum": LON_RANGE[1]},
                "contact": {"type": "object", "properties": {
                    "name": _nullable(line(200)), "phone": _nullable(line(200)),
                    "email": _nullable({"type": "string", "maxLength": 200,
                                        "pattern": f"^[{_BLANK}]*(?:{EMAIL_PATTERN[1:-1]})?[{_BLANK}]*$"})}},
                "languages": {"type": "array", "items": LANGUAGE},
            }),
        },
    },
    "Employer": {
        "allOf": [_ref("ExchangeEmployer"), {
            "required": ["industry", "address", "languages", "status"],
            "properties": {
                "openings": {"type": "array", "items": _ref("StoredOpening")},
                "status": {"enum": ["pending", "approved", "rejected"], "readOnly": True,
                           "description": "Sættes af køen for nye virksomheder; ignoreres ved skrivning."},
            },
        }],
    },
    "Reason": {
        "type": "object", "required": ["kind", "text", "positive"], "additionalProperties": False,
        "properties": {"kind": TEXT, "text": {"type": "string", "minLength": 1}, "positive": {"type": "boolean"}},
    },
    "Match": {
        "type": "object", "additionalProperties": False,
        "required": ["opening_id", "employer_id", "score", "distance_km", "outside_radius", "reasons",
                     "reason_details"],
        "properties": {"opening_id": TEXT, "employer_id": TEXT, "score": {"type": "number"},
                       "distance_km": {"type": "number", "minimum": 0}, "outside_radius": {"type": "boolean"},
                       "reasons": {"type": "array", "items": {"type": "string", "minLength": 1},
                                   "description": "Begrundelser på dansk, først for, så imod."},
                       "reason_details": {"type": "array", "items": _ref("Reason")}},
    },
    "MatchList": {
        "type": "object", "additionalProperties": False,
        "required": ["radius_km", "widened", "notice", "matches"],
        "properties": {"radius_km": {"type": "number"}, "widened": {"type": "boolean"},
                       "notice": _nullable(TEXT),
                       "matches": {"type": "array", "items": _ref("Match")}},
    },
    "Report": {
        "type": "object", "required": ["id", "kind", "due_date", "submitted_at"], "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, "kind": {"enum": list(REPORT_KIND_LABELS)}, "due_date": DATE,
                       "submitted_at": _nullable(DATETIME)},
    },
    "Placement": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "citizen_id", "opening_id", "employer_id", "opening_title", "employer_name", "kind",
                     "status", "start_date", "planned_end_date", "end_date", "hours_per_week",
                     "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome", "cancel_reason",
                     "created_at", "updated_at", "reports"],
        "properties": {
            "id": {"type": "integer"}, "citizen_id": TEXT, "opening_id": TEXT, "employer_id": TEXT,
            "opening_title": TEXT, "employer_name": TEXT,
            "kind": {"enum": list(KIND_LABELS)}, "status": {"enum": list(STATUS_LABELS)},
            "start_date": DATE, "planned_end_date": _nullable(DATE), "end_date": _nullable(DATE),
            "hours_per_week": HOURS, "paid_hours_per_week": HOURS,
            "hourly_wage": _nullable({"type": "number", "minimum": 0}),
            "trial_weeks": {"type": "integer", "minimum": 0},
            "outcome": _nullable({"enum": list(OUTCOME_LABELS)}), "cancel_reason": _nullable(TEXT),
            "created_at": DATETIME, "updated_at": DATETIME,
            "reports": {"type": "array", "items": _ref("Report")},
        },
    },
    "PlacementInput": {
        "type": "object", "additionalProperties": False,
        "description": "Et nyt forløb. Lønnede timer kræver en timeløn; et afsluttet forløb kræver "
                       "slutdato og resultat. 409, hvis borgeren allerede har et planlagt eller aktivt forløb "
                       "ved småjobbet, eller hvis alle pladser er optaget uden confirm_full.",
        "required": ["opening_id", "kind", "start_date", "hours_per_week"],
        "properties": {**PLACEMENT_FIELDS, "confirm_full": CONFIRM_FULL,
                       "status": _nullable({"enum": [code for code in STATUS_LABELS if code != "cancelled"]})},
    },
    "PlacementChanges": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "description": "Kun de felter, der ændres; forløbet tjekkes igen som helhed. Status cancelled "
                       "(Annulleret) annullerer et forløb oprettet ved en fejl: intet resultat, ingen statistik, "
                       "påmindelserne lukkes; cancel_reason kan angive hvorfor.",
        "properties": {**PLACEMENT_FIELDS, "cancel_reason": CANCEL_REASON},
    },
    "PlacementEnd": {
        "type": "object", "additionalProperties": False, "required": ["end_date", "outcome"],
        "properties": {"end_date": DATE_IN, "outcome": {"enum": list(OUTCOME_LABELS)}},
    },
    "Meeting": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "citizen_id", "placement_id", "kind", "held_on", "participants", "note",
                     "paid_hours_proposed", "paid_hours_answer", "created_by", "created_at", "from_checkin_form"],
        "properties": {
            "id": {"type": "integer"}, "citizen_id": TEXT, "placement_id": _nullable({"type": "integer"}),
            "kind": {"enum": list(MEETING_KIND_LABELS)}, "held_on": DATE, "participants": TEXT, "note": TEXT,
            "paid_hours_proposed": _nullable({"type": "boolean"}), "paid_hours_answer": _nullable(TEXT),
            "created_by": _nullable({"type": "integer"}), "created_at": DATETIME,
            "from_checkin_form": {"type": "boolean", "readOnly": True,
                                  "description": "Sand, når mødet er virksomhedens eget svar via tjek-ind-linket: "
                                                 "det kan slettes, men ikke rettes (PATCH giver 422)."},
        },
    },
    "MeetingInput": {
        "type": "object", "additionalProperties": False, "required": ["kind", "held_on"],
        "description": "Møder med virksomheden (first_employer, employer_checkin) hører til et forløb og kan "
                       "notere, om lønnede timer blev foreslået, og svaret.",
        "properties": {
            "placement_id": _nullable(ROW_ID), "kind": {"enum": list(MEETING_KIND_LABELS)},
            "held_on": DATE_IN, "participants": line(MAX_PARTICIPANTS), "note": free_text(MAX_NOTE),
            "paid_hours_proposed": _nullable({"type": "boolean"}),
            "paid_hours_answer": free_text(MAX_NOTE, nullable=True),
        },
    },
    "ExchangeDocument": {
        "type": "object", "additionalProperties": False,
        "properties": {"employers": {"type": "array", "items": _ref("ExchangeEmployer")},
                       "citizens": {"type": "array", "items": _ref("Citizen")}},
    },
    "Counts": {
        "type": "object", "required": ["employers", "openings", "citizens"], "additionalProperties": False,
        "properties": {k: {"type": "integer", "minimum": 0} for k in ("employers", "openings", "citizens")},
    },
    "ImportSummary": {
        "type": "object", "required": ["created", "updated", "unchanged", "message"], "additionalProperties": False,
        "properties": {"created": _ref("Counts"), "updated": _ref("Counts"), "unchanged": _ref("Counts"),
                       "message": TEXT},
    },
    "CitizenList": _list_of("StoredCitizen", "citizens"),
    "EmployerList": _list_of("Employer", "employers"),
    "OpeningList": _list_of("OpeningWithEmployer", "openings"),
    "PlacementList": _list_of("Placement", "placements"),
    "MeetingList": _list_of("Meeting", "meetings"),
    "ReportList": _list_of("Report", "reports"),
    "ReportInput": {
        "type": "object", "additionalProperties": False, "required": ["kind", "due_date"],
        "description": "En rapportfrist for forløbet.",
        "properties": {"kind": {"enum": list(REPORT_KIND_LABELS)}, "due_date": DATE_IN},
    },
    "ReportSubmission": {
        "type": "object", "additionalProperties": False,
        "description": "Hvornår rapporten blev afleveret: en dato eller et tidspunkt med tidszone, ikke i "
                       "fremtiden. Udeladt: nu (og er den allerede afleveret, ændres intet).",
        "properties": {"submitted_at": _nullable({
            "type": "string", "examples": ["2026-11-20", "2026-11-20T14:05:00+01:00"],
            "pattern": f"^[{_SPACE}]*[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:T[0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}}"
                       f"(?:\\.[0-9]+)?)?(?:Z|[+-][0-9]{{2}}:[0-9]{{2}}))?[{_SPACE}]*$"})},
    },
}
# The access export (GDPR art. 15, data.access_export): one document with everything stored
# about a citizen. Rows are described by their keys; each list is what the stored rows hold.
_ROWS = {"type": "array", "items": {"type": "object"}}
SCHEMAS["CitizenExport"] = {
    "type": "object", "additionalProperties": False,
    "description": "Alt, der er gemt om borgeren (indsigt efter databeskyttelsesforordningens art. 15). "
                   "Udtrækket skrives selv i adgangsloggen og er med i access_log.",
    "required": ["format", "version", "generated_at", "citizen", "placements", "meetings", "reminders",
                 "checkins", "emails", "access_log"],
    "properties": {
        "format": {"const": "smajobs-indsigt"}, "version": {"type": "integer", "minimum": 1},
        "generated_at": DATETIME,
        "citizen": {"allOf": [_ref("StoredCitizen"), {"required": ["created_at", "updated_at"],
                                                      "properties": {"created_at": DATETIME,
                                                                     "updated_at": DATETIME}}]},
        "placements": {"type": "array", "description": "Forløb med rapportfrister (reports).",
                       "items": {"type": "object", "required": ["id", "opening_title", "employer_name", "reports"],
                                 "properties": {"id": {"type": "integer"}, "reports": {
                                     "type": "array", "items": {"type": "object",
                                                                "required": ["id", "kind", "due_date"]}}}}},
        "meetings": {"type": "array", "description": "Møder, noter medregnet.",
                     "items": {"type": "object", "required": ["id", "kind", "held_on", "note"]}},
        "reminders": {**_ROWS, "description": "Påmindelser om borgeren eller borgerens forløb."},
        "checkins": {**_ROWS, "description": "Tjek-ind hos virksomhederne på borgerens forløb og deres svar."},
        "emails": {"type": "array", "description": "E-mails om borgeren (udbakken).",
                   "items": {"type": "object", "required": ["id", "to_addr", "subject", "body_text", "created_at"]}},
        "access_log": {"type": "array", "description": "Hvem har set eller ændret borgerens oplysninger.",
                       "items": {"type": "object", "required": ["at", "action", "action_text", "actor", "channel"]}},
    },
}

# Correcting a meeting takes the same fields as logging one, any of them.
SCHEMAS["MeetingChanges"] = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "description": "Kun de felter, der ændres; mødet tjekkes igen som helhed, som et nyt møde. Virksomhedens "
                   "eget svar via tjek-ind-linket kan ikke rettes (422 på feltet id), kun slettes.",
    "properties": SCHEMAS["MeetingInput"]["properties"],
}

ERROR_TEXTS = {
    400: "Indholdet er ikke gyldig JSON, eller en listes limit/cursor er ugyldig (`problems` siger hvilken).",
    401: "Ingen eller ugyldig API-nøgle.",
    403: "Kun for administratorer.",
    404: "Findes ikke, eller tilhører en anden konsulents borger.",
    409: "I strid med det gemte: id'et findes allerede, eller (forløb) borgeren har allerede et planlagt "
         "eller aktivt forløb ved småjobbet, eller alle pladser er optaget (send confirm_full).",
    413: "Forespørgslen er for stor.",
    415: "Indholdet er ikke application/json.",
    422: "Ugyldige data; `problems` siger hvilket felt og hvorfor. Intet er gemt.",
}
RESPONSES = {f"E{code}": {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
             for code, text in ERROR_TEXTS.items()}


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


CITIZEN_ID = _param("citizen_id", "path", TEXT, "Borgerens id.")
EMPLOYER_ID = _param("employer_id", "path", TEXT, "Virksomhedens id.")
OPENING_ID = _param("opening_id", "path", TEXT, "Småjobbets id.")
PLACEMENT_ID = _param("placement_id", "path", ROW_ID, "Forløbets id.")
MEETING_ID = _param("meeting_id", "path", ROW_ID, "Mødets id.")
REPORT_ID = _param("report_id", "path", ROW_ID, "Rapportfristens id.")
BODY_ERRORS = (400, 413, 415, 422)
_SHIFT = f"(?:{'|'.join(SHIFTS)})"
SHIFTS_PATTERN = f"^[{_SPACE}]*{_SHIFT}?[{_SPACE}]*(?:,[{_SPACE}]*{_SHIFT}?[{_SPACE}]*)*$"
FLAG = {"enum": ["true", "false", "1", "0"]}


def _op(op_id: str, tag: str, summary: str, status: int, schema: str | None, *, errors=(), params=(),
        body: str | None = None, body_optional: bool = False, admin: bool = False, public: bool = False,
        description: str = "") -> dict:
    ok = {"description": "OK"}
    if schema:
        ok["content"] = {"application/json": {"schema": _ref(schema)}}
    responses = {str(status): ok}
    codes = set(errors) | ({401} if not public else set()) | ({403} if admin else set())
    if body:
        codes |= set(BODY_ERRORS)
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    operation = {"operationId": op_id, "tags": [tag], "summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = list(params)
    if body:
        operation["requestBody"] = {"required": not body_optional,
                                    "content": {"application/json": {"schema": _ref(body)}}}
    if admin:
        operation["x-admin-only"] = True
    if public:
        operation["security"] = []
    return operation


PAGE_PARAMS = [
    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 500},
           "Højst så mange på siden (standard 100, højst 500)."),
    _param("cursor", "query", {"type": "string", "pattern": f"^[{_SPACE}]*[A-Za-z0-9_=-]+[{_SPACE}]*$"},
           "Hvor siden starter: tages uændret fra Link-headeren på forrige side (en anden liste, eller en "
           "ændret cursor, giver 400)."),
]
LINK_HEADER = {"Link": {"description": 'Næste side, hvis der er flere: `<URL>; rel="next"` (RFC 8288). '
                                       "Mangler på sidste side.",
                        "schema": {"type": "string"}}}


def _paged(operation: dict) -> dict:
    """A list: `limit` and `cursor` in, the next page in the Link header, 400 for a bad limit/cursor."""
    operation["parameters"] = operation.get("parameters", []) + PAGE_PARAMS
    operation["responses"]["200"]["headers"] = LINK_HEADER
    operation["responses"]["400"] = {"$ref": "#/components/responses/E400"}
    operation["responses"] = dict(sorted(operation["responses"].items()))
    operation["description"] = (operation.get("description", "") + " Sider: se docs/api.md "
                                "(limit, cursor, Link-headeren).").strip()
    return operation


def _paths() -> dict:
    citizen_scoped = (404,)
    return {
        "/api/v1/openapi.json": {"get": _op(
            "openapi_document", "API", "Dette dokument (kræver ikke API-nøgle).", 200, None, public=True)},
        "/api/v1/me": {"get": _op("me", "API", "Hvem API-nøglen tilhører.", 200, "Consultant")},
        "/api/v1/citizens": {
            "get": _paged(_op("list_citizens", "Borgere", "Dine borgere (en administrator: alle), efter fornavn.",
                              200, "CitizenList",
                              errors=(403,), params=[_param("consultant", "query", TEXT,
                                                            "Kun denne konsulents borgere (andre end dine egne: "
                                                            "kun for administratorer).")])),
            "post": _op("create_citizen", "Borgere", "Opret en borger.", 201, "StoredCitizen", errors=(409,),
                        body="Citizen", description="409 hvis id'et findes. `consultant` udeladt: den, der "
                                                    "kalder; en konsulent kan kun oprette sine egne borgere."),
        },
        "/api/v1/citizens/{citizen_id}": {
            "parameters": [CITIZEN_ID],
            "get": _op("get_citizen", "Borgere", "Én borger.", 200, "StoredCitizen", errors=citizen_scoped),
            "put": _op("update_citizen", "Borgere", "Ret en borger (hele posten, samme regler som import).",
                       200, "StoredCitizen", errors=citizen_scoped, body="CitizenUpdate"),
            "delete": _op("delete_citizen", "Borgere", "Slet borgeren helt (som »Slet borger«): profil, forløb, møder, "
                          "rapportfrister, påmindelser, svar og e-mails, der nævner borgeren.",
                          204, None, errors=citizen_scoped),
        },
        "/api/v1/citizens/{citizen_id}/matches": {
            "parameters": [CITIZEN_ID],
            "get": _op("citizen_matches", "Match", "Småjobs der passer til borgeren, bedste først, med grunde.",
                       200, "MatchList", errors=(404, 422), params=[
                           _param("top", "query", {"type": "integer", "minimum": TOP[0], "maximum": TOP[1]},
                                  "Højst så mange (standard 10)."),
                           _param("radius_km", "query", {"type": "number", "minimum": RADIUS_KM[0],
                                                         "maximum": RADIUS_KM[1]},
                                  "Søgeradius i km (standard: borgerens max_travel_km)."),
                           _param("shifts", "query", {"type": "string", "pattern": SHIFTS_PATTERN},
                                  "Vagttyper adskilt af komma: day,evening,night,weekend."),
                           _param("paid_only", "query", FLAG, "Kun småjobs med lønnede timer."),
                           _param("require_known_needs", "query", FLAG,
                                  "Skjul småjobs, hvor et skånehensyn er ukendt."),
                       ]),
        },
        "/api/v1/citizens/{citizen_id}/placements": {
            "parameters": [CITIZEN_ID],
            "get": _paged(_op("citizen_placements", "Forløb", "Borgerens forløb, nyeste først.", 200,
                              "PlacementList", errors=citizen_scoped)),
            "post": _op("create_placement", "Forløb", "Start et forløb.", 201, "Placement", errors=(404, 409),
                        body="PlacementInput"),
        },
        "/api/v1/citizens/{citizen_id}/meetings": {
            "parameters": [CITIZEN_ID],
            "get": _paged(_op("citizen_meetings", "Møder", "Borgerens møder, nyeste først.", 200, "MeetingList",
                              errors=citizen_scoped)),
            "post": _op("create_meeting", "Møder", "Notér et møde.", 201, "Meeting", errors=citizen_scoped,
                        body="MeetingInput"),
        },
        "/api/v1/citizens/{citizen_id}/export": {
            "parameters": [CITIZEN_ID],
            "get": _op("citizen_export_document", "Borgere", "Alle data om borgeren (indsigt, GDPR art. 15).", 200,
                       "CitizenExport", errors=citizen_scoped,
                       description="Samme dokument som \"Hent alle data\" på borgerens side og "
                                   "`smajobs export-citizen`. Hvert udtræk skrives i adgangsloggen."),
        },
        "/api/v1/placements": {
            "get": _paged(_op("list_placements", "Forløb", "Oversigt over forløb: dine borgeres (en administrator: "
                              "alle, eller én konsulents), filtreret og sorteret som siden Forløb.", 200,
                              "PlacementList", errors=(403, 422), params=[
                                  _param("status", "query", {"enum": list(STATUS_LABELS)},
                                         "Kun forløb med denne status."),
                                  _param("kind", "query", {"enum": list(KIND_LABELS)}, "Kun denne type forløb."),
                                  _param("employer_id", "query", TEXT, "Kun forløb hos denne virksomhed."),
                                  _param("period_from", "query", DATE_IN,
                                         "Kun forløb, der slutter (eller er planlagt til at slutte) denne dag "
                                         "eller senere."),
                                  _param("period_to", "query", DATE_IN,
                                         "Kun forløb, der starter denne dag eller før."),
                                  _param("sort", "query", {"enum": list(OVERVIEW_SORT_LABELS)},
                                         "start: nyeste start først (standard); planned_end: snarest planlagte "
                                         "slut først; no_meeting: flest dage uden møde først."),
                                  _param("consultant", "query", TEXT,
                                         "Kun denne konsulents borgeres forløb (andre end dine egne: kun for "
                                         "administratorer)."),
                              ])),
        },
        "/api/v1/placements/{placement_id}": {
            "parameters": [PLACEMENT_ID],
            "get": _op("get_placement", "Forløb", "Ét forløb med rapportfrister.", 200, "Placement",
                       errors=citizen_scoped),
            "patch": _op("update_placement", "Forløb", "Ret felter i et forløb, eller annullér det "
                         "(status cancelled).", 200, "Placement", errors=(404, 409), body="PlacementChanges"),
        },
        "/api/v1/placements/{placement_id}/end": {
            "parameters": [PLACEMENT_ID],
            "post": _op("end_placement", "Forløb", "Afslut et forløb med slutdato og resultat.", 200, "Placement",
                        errors=citizen_scoped, body="PlacementEnd"),
        },
        "/api/v1/placements/{placement_id}/meetings": {
            "parameters": [PLACEMENT_ID],
            "get": _paged(_op("placement_meetings", "Møder", "Forløbets møder, nyeste først.", 200, "MeetingList",
                              errors=citizen_scoped)),
        },
        "/api/v1/placements/{placement_id}/reports": {
            "parameters": [PLACEMENT_ID],
            "get": _paged(_op("placement_reports", "Forløb", "Forløbets rapportfrister, tidligste først.", 200,
                              "ReportList", errors=citizen_scoped)),
            "post": _op("create_report", "Forløb", "Tilføj en rapportfrist (delrapport eller slutrapport).", 201,
                        "Report", errors=citizen_scoped, body="ReportInput"),
        },
        "/api/v1/placements/{placement_id}/reports/{report_id}": {
            "parameters": [PLACEMENT_ID, REPORT_ID],
            "get": _op("get_report", "Forløb", "Én rapportfrist.", 200, "Report", errors=citizen_scoped),
        },
        "/api/v1/placements/{placement_id}/reports/{report_id}/submitted": {
            "parameters": [PLACEMENT_ID, REPORT_ID],
            "post": _op("submit_report", "Forløb", "Markér rapporten som afleveret.", 200, "Report",
                        errors=citizen_scoped, body="ReportSubmission", body_optional=True,
                        description="Uden indhold (eller uden submitted_at): afleveret nu. Sendt igen uden "
                                    "submitted_at ændres intet, så et gentaget kald er ufarligt."),
        },
        "/api/v1/meetings/{meeting_id}": {
            "parameters": [MEETING_ID],
            "get": _op("get_meeting", "Møder", "Ét møde.", 200, "Meeting", errors=citizen_scoped),
            "patch": _op("update_meeting", "Møder", "Ret felter i et møde.", 200, "Meeting",
                         errors=citizen_scoped, body="MeetingChanges"),
            "delete": _op("delete_meeting", "Møder", "Slet et møde.", 204, None, errors=citizen_scoped),
        },
        "/api/v1/employers": {
            "get": _paged(_op("list_employers", "Virksomheder", "Virksomheder med småjobs, efter navn.", 200,
                              "EmployerList", errors=(422,), params=[
                                  _param("q", "query", TEXT, "Søg i navn, branche og småjobs' titler."),
                                  _param("status", "query", {"enum": ["", "pending", "approved", "rejected"]},
                                         "Kun virksomheder med denne status (tom eller udeladt: alle)."),
                              ])),
            "post": _op("create_employer", "Virksomheder", "Opret en virksomhed med småjobs.", 201, "Employer",
                        errors=(409,), body="ExchangeEmployer",
                        description="Alle konsulenter må rette virksomhedsregistret."),
        },
        "/api/v1/employers/{employer_id}": {
            "parameters": [EMPLOYER_ID],
            "get": _op("get_employer", "Virksomheder", "Én virksomhed med småjobs.", 200, "Employer", errors=(404,)),
            "put": _op("update_employer", "Virksomheder",
                       "Ret en virksomhed (hele posten). Småjobs, der ikke er med, bliver inaktive.",
                       200, "Employer", errors=(404,), body="ExchangeEmployer"),
        },
        "/api/v1/employers/{employer_id}/placements": {
            "parameters": [EMPLOYER_ID],
            "get": _paged(_op("employer_placements", "Virksomheder",
                              "Virksomhedens forløb (kun med borgere, du må se), nyeste først.", 200,
                              "PlacementList", errors=(404,))),
        },
        "/api/v1/openings": {
            "get": _paged(_op("list_openings", "Virksomheder", "Småjobs, efter virksomhedens id og i "
                              "virksomhedens rækkefølge.", 200, "OpeningList", errors=(404, 422), params=[
                                  _param("employer_id", "query", TEXT, "Kun denne virksomheds småjobs."),
                                  _param("active", "query", {"enum": ["", "true", "false"]},
                                         "Kun aktive (true) eller inaktive (false); tom eller udeladt: alle."),
                              ])),
        },
        "/api/v1/openings/{opening_id}": {
            "parameters": [OPENING_ID],
            "get": _op("get_opening", "Virksomheder", "Ét småjob.", 200, "OpeningWithEmployer", errors=(404,)),
        },
        "/api/v1/import": {
            "post": _op("import_document", "Udveksling", "Importér en fil i udvekslingsformatet.", 200,
                        "ImportSummary", admin=True, body="ExchangeDocument",
                        description="Kun administratorer. En fil med én ugyldig post afvises helt (422 med "
                                    "alle fejl); intet gemmes."),
        },
        "/api/v1/export": {
            "get": _op("export_document", "Udveksling", "Eksportér i udvekslingsformatet.", 200, "ExchangeDocument",
                       description="En administrator får alt; en konsulent får alle virksomheder og kun "
                                   "sine egne borgere."),
        },
    }


_TYPE_WORDS = {"string": "tekst", "integer": "et helt tal", "number": "et tal", "boolean": "true eller false",
               "array": "en liste", "object": "et objekt", "null": "null"}


def _json_types(schema: dict) -> set[str] | None:
    """The JSON types a property schema allows (None: any)."""
    if "oneOf" in schema:
        found = [_json_types(option) for option in schema["oneOf"]]
        return None if None in found else set().union(*found)
    if "enum" in schema:
        return {_json_type(value) for value in schema["enum"]}
    given = schema.get("type")
    if given is None:
        return None
    types = set(given) if isinstance(given, list) else {given}
    return types | ({"integer"} if "number" in types else set())


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def wrong_json_types(body: dict, schema_name: str) -> dict[str, str]:
    """{field: Danish reason} for each field of `body` whose JSON type the named request schema
    does not allow (ranges, formats and enums are the data layer's to name in Danish)."""
    properties = SCHEMAS[schema_name].get("properties", {})
    errors = {}
    for name, value in body.items():
        allowed = _json_types(properties[name]) if name in properties else None
        if allowed is not None and _json_type(value) not in allowed:
            words = [_TYPE_WORDS[t] for t in ("string", "integer", "number", "boolean", "null") if t in allowed
                     and not (t == "integer" and "number" in allowed)]
            errors[name] = f"skal være {' eller '.join(words)}"
    return errors


# OpenAPI links: from each POST that creates something to the operations that take its id, so
# a client (and Schemathesis' stateful tests) can follow a new record through the API.
_BODY_ID = "$response.body#/id"
LINKS = {
    ("/api/v1/citizens", "post"): {
        op: {"citizen_id": _BODY_ID} for op in (
            "get_citizen", "update_citizen", "delete_citizen", "citizen_matches", "citizen_placements",
            "create_placement", "citizen_meetings", "create_meeting")},
    ("/api/v1/employers", "post"): {
        **{op: {"employer_id": _BODY_ID} for op in ("get_employer", "update_employer", "employer_placements")},
        "get_opening": {"opening_id": "$response.body#/openings/0/id"}},
    ("/api/v1/citizens/{citizen_id}/placements", "post"): {
        op: {"placement_id": _BODY_ID} for op in (
            "get_placement", "update_placement", "end_placement", "placement_meetings", "placement_reports",
            "create_report")},
    ("/api/v1/citizens/{citizen_id}/meetings", "post"): {
        op: {"meeting_id": _BODY_ID} for op in ("get_meeting", "update_meeting", "delete_meeting")},
    ("/api/v1/placements/{placement_id}/reports", "post"): {
        op: {"placement_id": "$request.path.placement_id", "report_id": _BODY_ID}
        for op in ("get_report", "submit_report")},
}


def _with_links(paths: dict) -> dict:
    for (path, method), targets in LINKS.items():
        created = paths[path][method]["responses"]["201"]
        created["links"] = {f"{target}": {"operationId": target, "parameters": parameters}
                            for target, parameters in targets.items()}
    return paths


@lru_cache(maxsize=1)
def _document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "småjobs API", "version": VERSION,
            "description": "Borgere, virksomheder, småjobs, match, forløb og møder for andre systemer. "
                           "Godkend med 'Authorization: Bearer <API-nøgle>' (smajobs create-token). "
                           "Fejl er JSON: {status, message, problems}. En anden konsulents borger svarer 404.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": n} for n in ("API", "Borgere", "Match", "Forløb", "Møder", "Virksomheder", "Udveksling")],
        "paths": _with_links(_paths()),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }


def document() -> dict:
    """The document; callers get their own copy (jsonify does not mutate, but tests may)."""
    import copy
    return copy.deepcopy(_document())
