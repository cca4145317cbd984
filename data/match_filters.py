"""The match filters - search radius, shifts, paid hours only, needs known, how many - with
their limits: one parser for the match page and the API, and the limits the CLI's options use.

Bad values raise `core.errors.Invalid` (kind "søgning"), the same Danish reasons everywhere.
"""
from __future__ import annotations

import re
from typing import Mapping

from core.checks import Checker
from core.errors import Invalid, Problem
from core.formats import as_typed
from data.exchange import SHIFTS, TRAVEL_KM

# The search radius in km: the limits of a citizen's own `max_travel_km`.
RADIUS_KM = TRAVEL_KM
TOP = (1, 100)
FILTERS = ("top", "radius_km", "shifts", "paid_only", "require_known_needs")
RADIUS_REASON = f"Skriv en afstand i km mellem {as_typed(RADIUS_KM[0])} og {as_typed(RADIUS_KM[1])}."
# The yes/no values the API's document allows in its query string (web.openapi FLAG).
FLAGS = ("true", "false", "1", "0")
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")


def parse_match_filters(values: Mapping, citizen_id: str = "", exact: bool = False) -> dict:
    """Keyword arguments for `MatchService.match` from the values asked for: text as typed or
    sent in a query string ("12,5", "true"), `shifts` as a list or comma-separated, the yes/no
    filters also as booleans. Names other than FILTERS are refused; an absent or empty value
    leaves its filter out. `exact=True` (the API's query string, which its document describes
    exactly): a parameter sent empty is refused, `top` is a whole number as written, and yes/no
    is one of FLAGS. Raises Invalid with every problem."""
    problems: list[Problem] = []
    check = Checker(citizen_id, problems, "søgning", typed=True)
    for name in sorted(set(values) - set(FILTERS)):
        check.fail(name, f"ukendt parameter (tilladt: {', '.join(FILTERS)})")
    if exact:
        values = _exactly_as_documented(values, check)
    filters = {
        "top": check.integer(values, "top", *TOP),
        "radius_km": check.number(values, "radius_km", *RADIUS_KM, bad=RADIUS_REASON),
        "shifts": check.codes({"shifts": _listed(values.get("shifts"))}, "shifts", SHIFTS, [], "vagttype") or None,
        "paid_only": check.boolean(values, "paid_only", None),
        "require_known_needs": check.boolean(values, "require_known_needs", None),
    }
    if problems:
        raise Invalid(problems)
    return {name: value for name, value in filters.items() if value is not None}


def _exactly_as_documented(values: Mapping, check: Checker) -> dict:
    """`values` without those refused for not being written as the API's document says (each
    refusal noted once in `check`), so the kit's more forgiving readers see only the rest."""
    kept = dict(values)
    if "top" in kept and not _WHOLE_NUMBER.fullmatch(str(kept["top"])):
        check.fail("top", "skal være et helt tal")
        del kept["top"]
    if "radius_km" in kept and not str(kept["radius_km"]).strip():
        check.fail("radius_km", RADIUS_REASON)
        del kept["radius_km"]
    for name in ("paid_only", "require_known_needs"):
        if name in kept and kept[name] not in FLAGS:
            check.fail(name, "skal være true eller false")
            del kept[name]
    return kept


def _listed(value) -> list:
    if isinstance(value, str):
        return [code.strip() for code in value.split(",") if code.strip()]
    return list(value or [])
