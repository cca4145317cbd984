"""Property-based tests: for random citizens, openings and filters the matcher never breaks a hard
rule, orders deterministically, keeps scores in [0, 1], and never lets an opening made worse on
exactly one point outrank its original."""
from __future__ import annotations

import dataclasses

from geopy.distance import great_circle
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matcher import NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS, Citizen, MatchIndex, Opening
from matcher.vocabulary import hours_range

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CENTRE = (55.6761, 12.5683)
WORDS = ["madlavning", "køkken", "lave mad", "opvask", "bage brød", "lager", "pakke varer", "chauffør",
         "kørsel", "biler", "butik", "detail", "kunder", "tegneserier", "manga", "dyr", "heste", "have",
         "planter", "rengøring", "støvsuge", "cykler", "byggeri", "maler", "kontor", "telefon", "musik",
         "fleksjob", "løn", "og", "i", "på", "tegneseriebutik", "chaufførmedhjælper", "Køkkenhjælp"]

codes = st.sampled_from(list(NEEDS))
shift_sets = st.frozensets(st.sampled_from(list(SHIFT_LABELS)), min_size=1)
phrases = st.lists(st.sampled_from(WORDS), max_size=4).map(", ".join)
free_text = st.one_of(phrases, st.text(alphabet="abcæøå éüß-,.1Æ", max_size=25))


def ordered_hours(pair):
    low, high = pair
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


hours = st.tuples(st.none() | st.integers(1, 37), st.none() | st.integers(1, 37)).map(ordered_hours)
places = st.tuples(st.floats(-0.15, 0.15), st.floats(-0.25, 0.25)).map(
    lambda d: (CENTRE[0] + d[0], CENTRE[1] + d[1]))
need_split = st.tuples(st.lists(codes, unique=True, max_size=6), st.integers(0, 6)).map(
    lambda t: (frozenset(t[0][:t[1]]), frozenset(t[0][t[1]:])))

opening_fields = st.fixed_dictionaries({
    "prefix": st.sampled_from(["a", "b", "c", "o"]), "title": free_text, "tasks": free_text,
    "place": places, "industry": st.sampled_from(["", "Restaurant", "Lager", "Detailhandel", "Dyr"]),
    "hours": hours, "shifts": shift_sets, "paid_hours": st.sampled_from(list(PAID_HOURS_LABELS)),
    "trial_weeks": st.integers(0, 52), "needs": need_split,
    "languages": st.sampled_from([("da",), ("da", "tr"), ("ar",)]), "active": st.booleans(),
})


def build_openings(field_list: list[dict]) -> list[Opening]:
    return [Opening(id=f"{f['prefix']}{i:03d}", employer_id=f"e{i}", employer_name="x", title=f["title"],
                    tasks=f["tasks"], lat=f["place"][0], lon=f["place"][1], industry=f["industry"],
                    hours_min=f["hours"][0], hours_max=f["hours"][1], shifts=f["shifts"],
                    paid_hours=f["paid_hours"], trial_weeks=f["trial_weeks"], can_meet=f["needs"][0],
                    cannot_meet=f["needs"][1], languages=f["languages"], active=f["active"])
            for i, f in enumerate(field_list)]


def with_twin(args) -> list[Opening]:
    """Optionally add an exact copy of the first opening under an id sorting before or after it,
    so that ties (and their break by id) occur."""
    openings, twin_prefix = args
    if twin_prefix is None:
        return openings
    return openings + [dataclasses.replace(openings[0], id=twin_prefix + "-twin")]


def opening_lists():
    return st.tuples(st.lists(opening_fields, min_size=1, max_size=8).map(build_openings),
                     st.sampled_from([None, "0", "z"])).map(with_twin)


def build_citizen(f: dict) -> Citizen:
    return Citizen(id="c", first_name="T", lat=f["place"][0], lon=f["place"][1], interests=f["interests"],
                   goal=f["goal"], experience=f["experience"], languages=f["languages"],
                   hours_min=f["hours"][0], hours_max=f["hours"][1], shifts=f["shifts"],
                   max_travel_km=f["max_travel_km"], needs=f["needs"])


def citizens():
    return st.fixed_dictionaries({
        "place": places, "interests": free_text, "goal": free_text, "experience": free_text,
        "languages": st.sampled_from([("da",), ("tr", "da")]), "hours": hours,
        "shifts": st.none() | shift_sets, "max_travel_km": st.floats(0.5, 15.0),
        "needs": st.frozensets(codes, max_size=4),
    }).map(build_citizen)


@st.composite
def filters(draw):
    kwargs = {}
    if draw(st.booleans()):
        kwargs["radius_km"] = draw(st.floats(0.0, 30.0))
    if draw(st.booleans()):
        kwargs["shifts"] = sorted(draw(st.frozensets(st.sampled_from(list(SHIFT_LABELS)))))
    kwargs["paid_only"] = draw(st.booleans())
    kwargs["require_known_needs"] = draw(st.booleans())
    return kwargs


BOUNDARY_SLACK_KM = 1e-9   # haversine and geopy's formula may differ this much at the radius


def breaks_hard_rule(citizen: Citizen, opening: Opening, radius: float, kwargs: dict,
                     slack: float = BOUNDARY_SLACK_KM) -> str | None:
    """The first hard rule the opening breaks, judging the radius with `slack` km to spare."""
    if not opening.active:
        return "inactive"
    if opening.cannot_meet & citizen.needs:
        return "cannot meet a need"
    allowed = opening.shifts if citizen.shifts is None else opening.shifts & citizen.shifts
    if "shifts" in kwargs:
        allowed = allowed & set(kwargs["shifts"])
    if not allowed:
        return "no shared shift"
    (c_low, c_high), (o_low, o_high) = (hours_range(citizen.hours_min, citizen.hours_max),
                                        hours_range(opening.hours_min, opening.hours_max))
    if max(c_low, o_low) > min(c_high, o_high):
        return "hours do not overlap"
    if great_circle((citizen.lat, citizen.lon), (opening.lat, opening.lon)).km > radius + slack:
        return "outside radius"
    if kwargs.get("paid_only") and opening.paid_hours not in ("from_start", "after_trial"):
        return "not paid"
    if kwargs.get("require_known_needs") and not citizen.needs <= opening.can_meet:
        return "unknown need"
    return None


@SETTINGS
@given(citizens(), opening_lists(), filters())
def test_returned_matches_never_break_a_hard_rule_and_are_ordered(citizen, opening_list, kwargs):
    result = MatchIndex(opening_list).match(citizen, top=100, **kwargs)
    by_id = {o.id: o for o in opening_list}
    radius = kwargs.get("radius_km", citizen.max_travel_km)
    assert result.radius_km == radius
    assert result.widened == (radius > citizen.max_travel_km)
    assert (result.notice is not None) == result.widened
    for match in result.matches:
        assert breaks_hard_rule(citizen, by_id[match.opening_id], radius, kwargs) is None
        assert 0.0 <= match.score <= 1.0
        assert match.outside_radius == (match.distance_km > citizen.max_travel_km)
        assert not match.outside_radius or result.widened
        flags = [r.positive for r in match.reasons]
        assert flags == sorted(flags, reverse=True)
    keys = [(-m.score, m.opening_id) for m in result.matches]
    assert keys == sorted(keys)
    returned = {m.opening_id for m in result.matches}
    surely_in = {o.id for o in opening_list if breaks_hard_rule(citizen, o, radius, kwargs, -BOUNDARY_SLACK_KM) is None}
    assert surely_in <= returned   # and nothing beyond the slack was returned (checked above)


@SETTINGS
@given(citizens(), opening_lists(), st.integers(1, 5), st.randoms(use_true_random=False))
def test_order_is_deterministic_and_top_n_is_a_prefix(citizen, opening_list, top, rnd):
    shuffled = opening_list[:]
    rnd.shuffle(shuffled)
    index = MatchIndex(opening_list)
    full = index.match(citizen, top=100)
    assert index.match(citizen, top=100) == full
    assert MatchIndex(shuffled).match(citizen, top=100) == full
    assert index.match(citizen, top=top).matches == full.matches[:top]


def farther(citizen: Citizen, opening: Opening, factor: float) -> Opening:
    lat = citizen.lat + (opening.lat - citizen.lat) * factor
    lon = citizen.lon + (opening.lon - citizen.lon) * factor
    return dataclasses.replace(opening, lat=lat, lon=lon)


def paid_later(opening: Opening, extra_weeks: int) -> Opening:
    order = ["from_start", "after_trial", "possible", "no"]
    if opening.paid_hours == "after_trial" and extra_weeks:
        return dataclasses.replace(opening, trial_weeks=opening.trial_weeks + extra_weeks)
    position = order.index(opening.paid_hours)
    assume(position < len(order) - 1)
    return dataclasses.replace(opening, paid_hours=order[position + 1])


def need_unknown(citizen: Citizen, opening: Opening) -> Opening:
    met = sorted(opening.can_meet & citizen.needs)
    return dataclasses.replace(opening, can_meet=opening.can_meet - {met[0]})


def eligible(citizen: Citizen, opening: Opening) -> Opening:
    """The opening adjusted to pass the hard rules for this citizen (apart from distance), with
    at least one of the citizen's needs met outright when the citizen has any."""
    shifts = opening.shifts if citizen.shifts is None else opening.shifts | {min(citizen.shifts)}
    can_meet = opening.can_meet | set(sorted(citizen.needs)[:1])
    return dataclasses.replace(opening, active=True, shifts=shifts, hours_min=None, hours_max=None,
                               can_meet=can_meet, cannot_meet=opening.cannot_meet - citizen.needs - can_meet)


@SETTINGS
@given(citizens(), opening_lists(), st.sampled_from(["farther", "paid", "need"]),
       st.floats(1.05, 3.0), st.integers(0, 8), st.sampled_from(["a", "z"]))
def test_an_opening_worse_on_one_point_never_outranks_its_original(citizen, opening_list, change, factor,
                                                                  extra_weeks, id_prefix):
    original = eligible(citizen, opening_list[0])
    opening_list = [original] + opening_list[1:]
    if change == "farther":
        worse = farther(citizen, original, factor)
        d0 = great_circle((citizen.lat, citizen.lon), (original.lat, original.lon)).km
        d1 = great_circle((citizen.lat, citizen.lon), (worse.lat, worse.lon)).km
        assume(d1 > d0 + 0.01)
    elif change == "paid":
        worse = paid_later(original, extra_weeks)
    else:
        assume(citizen.needs)
        worse = need_unknown(citizen, original)
    # The worse copy's id sorts before or after the original, so no tie-break can rescue a bug.
    worse = dataclasses.replace(worse, id=id_prefix + "-worse")
    ranked = [m.opening_id for m in MatchIndex(opening_list + [worse]).match(
        citizen, top=100, radius_km=30.0).matches]
    assert original.id in ranked or worse.id not in ranked
    if worse.id in ranked:
        assert ranked.index(original.id) < ranked.index(worse.id)
