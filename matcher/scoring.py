"""How a match is scored. Shared by the vectorised index and the plain baseline, so both rank alike.

score = sum(WEIGHTS[c] * component_c), every component in [0, 1] and strictly monotone in the
thing it measures, so an opening worse on exactly one point always scores lower.
"""
from __future__ import annotations

import math

import numpy as np

# Text fit leads (motivation comes from what the citizen wants to do), then nearness, then needs
# met outright rather than unknown, then paid hours. The order follows the exchange format.
WEIGHTS = {"text": 0.55, "distance": 0.20, "needs": 0.15, "paid": 0.10}

# Interests weigh most, then goal, then experience (exchange format). Fields the citizen left
# empty (or filled only with words like "fleksjob") are left out and the rest renormalised.
FIELD_WEIGHTS = {"interests": 0.5, "goal": 0.3, "experience": 0.2}

# A field is a list of phrases ("madlavning, bage brød"); its fit is mostly its best phrase, so a
# citizen with five interests is not diluted, plus a little for every other phrase that fits.
BEST_PHRASE_SHARE = 0.75

# Cosines of short Danish texts sit around 0.3-0.85 for a real fit and below 0.05 for none. The
# saturating curve maps a real fit close to 1 however literal it is, so that a clear fit of an
# interest outweighs a word-for-word fit of past experience, as the field weights intend.
SATURATION_COSINE = 0.25
_SATURATION_NORM = 1.0 - math.exp(-1.0 / SATURATION_COSINE)

# Nearness: exp(-d / scale): 1 km -> 0.88, 3 km -> 0.69, 10 km -> 0.29.
DISTANCE_SCALE_KM = 8.0

# Paid hours: from_start > after_trial (fewer trial weeks slightly better) > possible > no.
PAID_FROM_START = 1.0
PAID_AFTER_TRIAL_BASE = 0.5      # after_trial lies in (0.5, 0.8], falling with trial weeks
PAID_AFTER_TRIAL_SPAN = 0.3
TRIAL_WEEKS_HALF_LIFE = 8.0
PAID_POSSIBLE = 0.35
PAID_NO = 0.0

# What counts as a real fit: a citizen phrase (an interest, the goal, a piece of experience) whose
# cosine with the opening reaches this. Below it the texts only share a stray word or a loose field
# tag ("madlavning" and "rengøring af køkken"), so no reason "for" is given and the opening ranks
# as one without a fit. Real fits sit around 0.15-0.85 (see the cosines above).
FIT_MIN_COSINE = 0.10

# An opening with a real fit ranks above one without, unless the one without is better by more
# than this on the combined score (0.5 = a wide margin: all of needs and paid hours together are
# worth 0.25, so it takes a clearly shorter trip as well). Applied as (score + bonus) / (1 + bonus)
# so the score stays in [0, 1] and the order within each group is unchanged.
FIT_BONUS = 0.5

SCORE_DECIMALS = 6   # fine enough that any real difference survives; ties then go by opening id


def saturate(cosine):
    """Strictly increasing map of a cosine in [0, 1] onto [0, 1]; works on floats and arrays."""
    if isinstance(cosine, np.ndarray):
        return (1.0 - np.exp(-np.clip(cosine, 0.0, 1.0) / SATURATION_COSINE)) / _SATURATION_NORM
    return (1.0 - math.exp(-min(max(cosine, 0.0), 1.0) / SATURATION_COSINE)) / _SATURATION_NORM


def field_fit(best: float, mean: float) -> float:
    """Fit of one field from its phrases' saturated cosines (best and mean); arrays work too."""
    return BEST_PHRASE_SHARE * best + (1.0 - BEST_PHRASE_SHARE) * mean


def distance_component(distance_km):
    if isinstance(distance_km, np.ndarray):
        return np.exp(-distance_km / DISTANCE_SCALE_KM)
    return math.exp(-distance_km / DISTANCE_SCALE_KM)


def paid_component(paid_hours: str, trial_weeks: int) -> float:
    if paid_hours == "from_start":
        return PAID_FROM_START
    if paid_hours == "after_trial":
        weeks = max(int(trial_weeks), 0)
        return PAID_AFTER_TRIAL_BASE + PAID_AFTER_TRIAL_SPAN / (1.0 + weeks / TRIAL_WEEKS_HALF_LIFE)
    if paid_hours == "no":
        return PAID_NO
    return PAID_POSSIBLE


def needs_component(met: int, total: int):
    """Share of the citizen's needs the opening meets outright; the rest are unknown (a need the
    opening cannot meet never gets this far). No needs: every opening is equally fine."""
    if isinstance(met, np.ndarray):
        return met / total if total else np.ones_like(met, dtype=np.float64)
    return met / total if total else 1.0


def combine(text, distance, needs, paid):
    return (WEIGHTS["text"] * text + WEIGHTS["distance"] * distance
            + WEIGHTS["needs"] * needs + WEIGHTS["paid"] * paid)


def has_fit(best_cosine):
    """Whether the best phrase cosine is a real fit; works on floats and arrays."""
    return best_cosine >= FIT_MIN_COSINE


def with_fit(score, fit):
    """The combined score lifted for openings with a real fit; `fit` is a bool or a bool array."""
    return (score + FIT_BONUS * fit) / (1.0 + FIT_BONUS)


def round_score(score):
    if isinstance(score, np.ndarray):
        return np.round(score, SCORE_DECIMALS)
    return float(np.round(score, SCORE_DECIMALS))
