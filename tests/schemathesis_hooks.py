"""Schemathesis hook (SCHEMATHESIS_HOOKS=tests.schemathesis_hooks): a schema-valid request may
be refused only for a rule the OpenAPI document cannot express (see test_api_schemathesis)."""
from __future__ import annotations

import schemathesis

# (field, words in the Danish reason): the rules behind a 400/422 that JSON Schema cannot say.
SEMANTIC_RULES = (
    ("cursor", "er ugyldig eller ændret"), ("cursor", "hører til en anden liste"),
    ("cvr", "kontrolciffer"), ("postcode", "ukendt postnummer"),
    ("lat", "lat og lon skal angives sammen"), ("lon", "lat og lon skal angives sammen"),
    ("hours_per_week", "er større end max"), ("cannot_meet", "står både i can_meet og cannot_meet"),
    ("consultant", "kun en administrator"), ("consultant", "ingen aktiv konsulent"),
    ("id", "skal være det samme som i adressen"), ("id", "tilhører"),
    ("id", "optræder mere end én gang"), ("id", "tjek-ind-linket"),
    ("opening_id", "Ukendt småjob"), ("opening_id", "ikke godkendt"), ("opening_id", "er afvist"),
    ("opening_id", "er lukket"),
    ("planned_end_date", "før start"), ("end_date", "før start"), ("end_date", "skal have en slutdato"),
    ("end_date", "angives først"), ("outcome", "angives først"), ("outcome", "endte med"),
    ("paid_hours_per_week", "flere lønnede timer"), ("hourly_wage", "Angiv timelønnen"),
    ("placement_id", "hører til et forløb"), ("placement_id", "findes ikke for denne borger"),
    ("paid_hours_proposed", "kun ved møder med virksomheden"),
    ("paid_hours_answer", "kun, når lønnede timer blev foreslået"),
    ("submitted_at", "i fremtiden"), ("submitted_at", "efter år 2000"), ("submitted_at", "hverken en dato"),
    ("due_date", "ikke en gyldig dato"), ("start_date", "ikke en gyldig dato"), ("held_on", "ikke en gyldig dato"),
    ("end_date", "ikke en gyldig dato"), ("planned_end_date", "ikke en gyldig dato"),
)


def _semantic(problem: dict) -> bool:
    return any(problem.get("field") == field and words in problem.get("reason", "") for field, words in SEMANTIC_RULES)


@schemathesis.check
def refused_only_for_rules_the_schema_cannot_express(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 422):
        return None
    problems = response.json().get("problems") or []
    unexpected = [p for p in problems if not _semantic(p)]
    if not problems or unexpected:
        raise AssertionError("Schema-valid input refused for a rule the document could say: "
                             f"{unexpected or response.json()}")
    return None
