"""The OpenAPI 3.1 document for /api/v1, as Python data (served at /api/v1/openapi.json).

The tests check this document with openapi-spec-validator, check that it lists exactly the
routes the app has, and validate every answer they get against the schema declared here for
its path, method and status, so the document cannot drift from the code unnoticed.
"""
from __future__ import annotations

from functools import lru_cache

from data.exchange import NEED_CODES, PAID_HOURS, SHIFTS
from data.match_filters import RADIUS_KM, TOP
from data.placements import KIND_LABELS, MEETING_KIND_LABELS, OUTCOME_LABELS, REPORT_KIND_LABELS, STATUS_LABELS

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
DATETIME = {"type": "string"}
HOURS = {"type": "number", "minimum": 0, "maximum": 37}

PLACEMENT_FIELDS = {
    "opening_id": TEXT, "kind": {"enum": list(KIND_LABELS)}, "status": {"enum": list(STATUS_LABELS)},
    "start_date": DATE, "planned_end_date": _nullable(DATE), "end_date": _nullable(DATE),
    "hours_per_week": HOURS, "paid_hours_per_week": HOURS,
    "hourly_wage": _nullable({"type": "number", "minimum": 0}),
    "trial_weeks": {"type": "integer", "minimum": 0, "maximum": 52},
    "outcome": _nullable({"enum": list(OUTCOME_LABELS)}),
}

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
        "properties": {"min": {"type": "integer", "minimum": 1, "maximum": 37},
                       "max": {"type": "integer", "minimum": 1, "maximum": 37}},
    },
    "Citizen": {
        "type": "object",
        "description": "En borger i udvekslingsformatet. Ukendte felter gemmes og gives tilbage uændret.",
        "required": ["id", "first_name", "postcode"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 100},
            "first_name": {"type": "string", "minLength": 1, "maxLength": 100},
            "age": {"type": "integer", "minimum": 13, "maximum": 120},
            "target_group": TEXT,
            "postcode": {"type": "string", "pattern": "^[0-9]{4}$"},
            "lat": {"type": "number"}, "lon": {"type": "number"},
            "interests": TEXT, "experience": TEXT, "goal": TEXT,
            "languages": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}},
            "hours_per_week": _ref("HoursPerWeek"),
            "shifts": {"type": "array", "items": _ref("Shift"), "minItems": 1},
            "max_travel_km": {"type": "number", "minimum": RADIUS_KM[0], "maximum": RADIUS_KM[1]},
            "needs": {"type": "array", "items": _ref("NeedCode")},
            "consultant": {"type": "string", "format": "email",
                           "description": "Konsulentens e-mail. Udeladt ved oprettelse: den, der kalder. "
                                          "Udeladt ved PUT: uændret. Kun en administrator kan ændre den."},
            "social_free_card": {"type": "boolean"},
        },
    },
    "StoredCitizen": {
        "allOf": [_ref("Citizen"), {
            "required": ["interests", "experience", "goal", "languages", "max_travel_km", "needs"]}],
    },
    "Opening": {
        "type": "object", "required": ["id", "title", "tasks"],
        "properties": {
            "id": {"type": "string", "minLength": 1}, "title": TEXT, "tasks": TEXT,
            "hours_per_week": _ref("HoursPerWeek"),
            "shifts": {"type": "array", "items": _ref("Shift"), "minItems": 1},
            "paid_hours": {"enum": list(PAID_HOURS)},
            "trial_weeks": {"type": "integer", "minimum": 0, "maximum": 52},
            "can_meet": {"type": "array", "items": _ref("NeedCode")},
            "cannot_meet": {"type": "array", "items": _ref("NeedCode")},
            "seats": {"type": "integer", "minimum": 1, "maximum": 1000},
            "active": {"type": "boolean"},
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
        "description": "En virksomhed med sine småjobs i udvekslingsformatet.",
        "required": ["id", "name", "postcode", "openings"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 100},
            "name": {"type": "string", "minLength": 1},
            "cvr": {"type": "string", "pattern": "^[0-9]{8}$"},
            "industry": TEXT, "address": TEXT,
            "postcode": {"type": "string", "pattern": "^[0-9]{4}$"},
            "lat": {"type": "number"}, "lon": {"type": "number"},
            "contact": {"type": "object", "properties": {"name": TEXT, "email": TEXT, "phone": TEXT}},
            "languages": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}},
            "openings": {"type": "array", "items": _ref("Opening"), "minItems": 1},
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
                     "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome", "created_at", "updated_at",
                     "reports"],
        "properties": {
            "id": {"type": "integer"}, "citizen_id": TEXT, "opening_id": TEXT, "employer_id": TEXT,
            "opening_title": TEXT, "employer_name": TEXT,
            "kind": {"enum": list(KIND_LABELS)}, "status": {"enum": list(STATUS_LABELS)},
            "start_date": DATE, "planned_end_date": _nullable(DATE), "end_date": _nullable(DATE),
            "hours_per_week": HOURS, "paid_hours_per_week": HOURS,
            "hourly_wage": _nullable({"type": "number", "minimum": 0}),
            "trial_weeks": {"type": "integer", "minimum": 0},
            "outcome": _nullable({"enum": list(OUTCOME_LABELS)}),
            "created_at": DATETIME, "updated_at": DATETIME,
            "reports": {"type": "array", "items": _ref("Report")},
        },
    },
    "PlacementInput": {
        "type": "object", "additionalProperties": False,
        "description": "Et nyt forløb. Lønnede timer kræver en timeløn; et afsluttet forløb kræver "
                       "slutdato og resultat.",
        "required": ["opening_id", "kind", "start_date", "hours_per_week"],
        "properties": PLACEMENT_FIELDS,
    },
    "PlacementChanges": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "description": "Kun de felter, der ændres; forløbet tjekkes igen som helhed.",
        "properties": PLACEMENT_FIELDS,
    },
    "PlacementEnd": {
        "type": "object", "additionalProperties": False, "required": ["end_date", "outcome"],
        "properties": {"end_date": DATE, "outcome": {"enum": list(OUTCOME_LABELS)}},
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
            "placement_id": _nullable({"type": "integer"}), "kind": {"enum": list(MEETING_KIND_LABELS)},
            "held_on": DATE, "participants": {"type": "string", "maxLength": 500},
            "note": {"type": "string", "maxLength": 2000},
            "paid_hours_proposed": _nullable({"type": "boolean"}), "paid_hours_answer": _nullable(TEXT),
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
        "properties": {"kind": {"enum": list(REPORT_KIND_LABELS)}, "due_date": DATE},
    },
    "ReportSubmission": {
        "type": "object", "additionalProperties": False,
        "description": "Hvornår rapporten blev afleveret: en dato eller et tidspunkt med tidszone, ikke i "
                       "fremtiden. Udeladt: nu (og er den allerede afleveret, ændres intet).",
        "properties": {"submitted_at": {"type": "string", "examples": ["2026-11-20", "2026-11-20T14:05:00+01:00"]}},
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
    409: "Id'et findes allerede.",
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
PLACEMENT_ID = _param("placement_id", "path", {"type": "integer"}, "Forløbets id.")
MEETING_ID = _param("meeting_id", "path", {"type": "integer"}, "Mødets id.")
REPORT_ID = _param("report_id", "path", {"type": "integer"}, "Rapportfristens id.")
BODY_ERRORS = (400, 413, 415, 422)


def _op(op_id: str, tag: str, summary: str, status: int, schema: str | None, *, errors=(), params=(),
        body: str | None = None, admin: bool = False, public: bool = False, description: str = "") -> dict:
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
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(body)}}}
    if admin:
        operation["x-admin-only"] = True
    if public:
        operation["security"] = []
    return operation


PAGE_PARAMS = [
    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 500},
           "Højst så mange på siden (standard 100, højst 500)."),
    _param("cursor", "query", TEXT, "Hvor siden starter: tages uændret fra Link-headeren på forrige side."),
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
                       200, "StoredCitizen", errors=citizen_scoped, body="Citizen"),
            "delete": _op("delete_citizen", "Borgere", "Slet en borger med forløb, møder og påmindelser.",
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
                           _param("shifts", "query", TEXT, "Vagttyper adskilt af komma: day,evening,night,weekend."),
                           _param("paid_only", "query", {"type": "boolean"}, "Kun småjobs med lønnede timer."),
                           _param("require_known_needs", "query", {"type": "boolean"},
                                  "Skjul småjobs, hvor et skånehensyn er ukendt."),
                       ]),
        },
        "/api/v1/citizens/{citizen_id}/placements": {
            "parameters": [CITIZEN_ID],
            "get": _paged(_op("citizen_placements", "Forløb", "Borgerens forløb, nyeste først.", 200,
                              "PlacementList", errors=citizen_scoped)),
            "post": _op("create_placement", "Forløb", "Start et forløb.", 201, "Placement", errors=citizen_scoped,
                        body="PlacementInput"),
        },
        "/api/v1/citizens/{citizen_id}/meetings": {
            "parameters": [CITIZEN_ID],
            "get": _paged(_op("citizen_meetings", "Møder", "Borgerens møder, nyeste først.", 200, "MeetingList",
                              errors=citizen_scoped)),
            "post": _op("create_meeting", "Møder", "Notér et møde.", 201, "Meeting", errors=citizen_scoped,
                        body="MeetingInput"),
        },
        "/api/v1/placements/{placement_id}": {
            "parameters": [PLACEMENT_ID],
            "get": _op("get_placement", "Forløb", "Ét forløb med rapportfrister.", 200, "Placement",
                       errors=citizen_scoped),
            "patch": _op("update_placement", "Forløb", "Ret felter i et forløb.", 200, "Placement",
                         errors=citizen_scoped, body="PlacementChanges"),
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
                        errors=citizen_scoped, body="ReportSubmission",
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
                                  _param("status", "query", {"enum": ["pending", "approved", "rejected"]},
                                         "Kun virksomheder med denne status (standard: alle)."),
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
                                  _param("active", "query", {"type": "boolean"},
                                         "Kun aktive (true) eller inaktive (false)."),
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
        "paths": _paths(),
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
