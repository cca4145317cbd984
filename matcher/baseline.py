"""Reference matcher: every pair scored the slow, obvious way, for benchmarks and cross-checks.

A Python loop over the openings applies the hard rules with plain set logic and
geopy.distance.great_circle, then scores each survivor with the same text definition as the index
(phrase vectors from the same fitted vocabulary and idf, dotted as Python dicts; no sparse matrix),
the same components and weights, and sorts by (score desc, opening id). Its top N should equal
MatchIndex's."""
from __future__ import annotations

from typing import Iterable

from geopy.distance import great_circle

from . import scoring
from .index import CitizenPhrases, opening_text, text_fit_from_cosines, widened_notice
from .models import Citizen, Match, MatchResult, Opening
from .reasons import build_reasons, citizen_phrases, opening_segments, text_reasons
from .text import TextModel
from .vocabulary import hours_range

_model_cache: tuple[tuple[Opening, ...], TextModel] | None = None


def fitted_text_model(openings: tuple[Opening, ...]) -> TextModel:
    """The TextModel of these openings, fitted exactly as MatchIndex fits it (distinct texts in
    latitude order). The last one is kept, as benchmarks call the baseline many times in a row."""
    global _model_cache
    if _model_cache is not None and _model_cache[0] == openings:
        return _model_cache[1]
    in_index_order = sorted(range(len(openings)), key=lambda i: (openings[i].lat, i))
    texts = list(dict.fromkeys(opening_text(openings[i]) for i in in_index_order))
    model = TextModel(texts)
    _model_cache = (openings, model)
    return model


def passes_hard_rules(citizen: Citizen, opening: Opening, distance_km: float, radius_km: float,
                      shifts: Iterable[str] | None = None, paid_only: bool = False,
                      require_known_needs: bool = False) -> bool:
    if not opening.active or opening.cannot_meet & citizen.needs:
        return False
    allowed = opening.shifts if citizen.shifts is None else opening.shifts & citizen.shifts
    if shifts is not None:
        allowed = allowed & set(shifts)
    if not allowed:
        return False
    c_low, c_high = hours_range(citizen.hours_min, citizen.hours_max)
    o_low, o_high = hours_range(opening.hours_min, opening.hours_max)
    if max(c_low, o_low) > min(c_high, o_high):
        return False
    if paid_only and opening.paid_hours not in ("from_start", "after_trial"):
        return False
    if require_known_needs and not citizen.needs <= opening.can_meet:
        return False
    return distance_km <= radius_km


def baseline_match(citizen: Citizen, openings: Iterable[Opening], top: int = 10, *,
                   radius_km: float | None = None, shifts: Iterable[str] | None = None,
                   paid_only: bool = False, require_known_needs: bool = False) -> MatchResult:
    openings = tuple(openings)
    radius = citizen.max_travel_km if radius_km is None else float(radius_km)
    widened = radius > citizen.max_travel_km
    notice = widened_notice(radius, citizen) if widened else None
    shifts = None if shifts is None else list(shifts)
    if not openings or top <= 0:
        return MatchResult((), radius, widened, notice)
    model = fitted_text_model(openings)
    phrase_vectors = CitizenPhrases.build(model, citizen).fields

    scored = []
    for position, opening in enumerate(openings):
        distance = great_circle((citizen.lat, citizen.lon), (opening.lat, opening.lon)).km
        if not passes_hard_rules(citizen, opening, distance, radius, shifts, paid_only, require_known_needs):
            continue
        vector = model.opening_vector(opening_text(opening))
        cosines = {field: [model.similarity(phrase_vector, vector) for _, phrase_vector in entries]
                   for field, entries in phrase_vectors.items()}
        text_fit = text_fit_from_cosines(cosines)
        fit = bool(scoring.has_fit(max((c for values in cosines.values() for c in values), default=0.0)))
        met = len(citizen.needs & opening.can_meet)
        score = scoring.round_score(scoring.with_fit(scoring.combine(
            text_fit, scoring.distance_component(distance),
            scoring.needs_component(met, len(citizen.needs)),
            scoring.paid_component(opening.paid_hours, opening.trial_weeks)), fit))
        scored.append((-score, opening.id, position, opening, distance, fit, cosines))
    scored.sort(key=lambda entry: entry[:3])

    analysed = citizen_phrases(model.analyzer, citizen)
    matches = []
    for neg_score, _, _, opening, distance, fit, cosines in scored[:top]:
        outside = distance > citizen.max_travel_km
        text = text_reasons(analysed, opening_segments(model.analyzer, opening), cosines)
        reasons = build_reasons(citizen, opening, text, distance, outside, fit)
        matches.append(Match(opening.id, opening.employer_id, -neg_score, distance, reasons, outside))
    return MatchResult(tuple(matches), radius, widened, notice)
