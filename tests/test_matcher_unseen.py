"""Generated cases the matcher was never tuned to by name (tests/matcher_cases.py), built like
data/demo/expected.json: for each citizen the right opening ranks above every near miss that is
worse on exactly one point, and no opening that breaks a hard rule is listed.

Six seeds x 30 worlds x 6 citizens = 1080 cases. Before the text fixes of this round
(generic job words, compounds with an unknown head, -el/vowel-change stems, the new lexicon
fields) 1028 passed; after them 1072. The few that still fail are listed in KNOWN_MISSES with the
reason, as strict xfails: if one starts passing, the list must shrink."""
from __future__ import annotations

from functools import lru_cache

import pytest

from matcher import MatchIndex
from tests.matcher_cases import generate_worlds

SEEDS = (20261123, 7, 99, 1, 2, 3)

# An opening that fits the citizen's past strongly AND shares a place word with the interest
# ("Rengøringshjælper på kontor" for "orden i papirer" + cleaning experience), or an interest
# phrase diluted by a second hobby, can still edge out the right opening.
KNOWN_MISSES = {
    "s7-w17-c2": "interest 'at læse' diluted by 'at se serier'; bakery experience fits word for word",
    "s99-w02-c2": "the cleaning job is 'på kontor', so it also half-fits 'orden i papirer'",
    "s1-w13-c1": "'hækling' dilutes the warehouse interest; hairdresser experience fits word for word",
    "s2-w01-c3": "the cleaning job is 'på kontor', so it also half-fits 'kontorarbejde'",
    "s2-w07-c2": "'at se serier' dilutes the garden interests; child-care experience fits word for word",
    "s2-w12-c2": "'aviser og blade' vs a kiosk: 'blade' is also leaves in the cemetery job",
    "s3-w18-c2": "'motorer, bil' vs a car wash that says neither; office experience fits word for word",
    "s3-w18-c4": "'motorer' vs a car wash that never says motor; office experience fits word for word",
}


@lru_cache(maxsize=None)
def worlds(seed: int):
    return generate_worlds(seed=seed)


@lru_cache(maxsize=None)
def world_index(seed: int, w: int) -> MatchIndex:
    return MatchIndex(worlds(seed)[w].openings)


def _params():
    params = []
    for seed in SEEDS:
        for w, world in enumerate(worlds(seed)):
            for k, case in enumerate(world.cases):
                case_id = f"s{seed}-{case.id}"
                marks = ([pytest.mark.xfail(reason=KNOWN_MISSES[case_id], strict=True)]
                         if case_id in KNOWN_MISSES else [])
                params.append(pytest.param(seed, w, k, id=case_id, marks=marks))
    return params


@pytest.mark.parametrize("seed, w, k", _params())
def test_true_opening_ranks_first_and_hard_openings_never_appear(seed, w, k):
    world = worlds(seed)[w]
    case = world.cases[k]
    ranked = [m.opening_id for m in world_index(seed, w).match(case.citizen, top=len(world.openings)).matches]
    listed_hard = {oid: rule for oid, rule in case.hard.items() if oid in ranked}
    assert not listed_hard, f"hard openings listed: {listed_hard}"
    assert case.true in ranked, "the right opening is not listed at all"
    beaten_by = [case.soft[oid] for oid in ranked[: ranked.index(case.true)] if oid in case.soft]
    by_id = {o.id: o for o in world.openings}
    assert not beaten_by, f"near misses ranked above the right one: {beaten_by}\n{case.describe(by_id)}"


def test_every_case_has_each_kind_of_near_miss_and_hard_rule():
    """The generator really builds what the docstring promises (a test that cannot fail is no test)."""
    cases = [case for seed in SEEDS for world in worlds(seed) for case in world.cases]
    assert len(cases) == 1080
    for case in cases:
        assert {"needs", "paid", "farther", "text/unrelated"} <= set(case.soft.values()), case.id
        assert set(case.hard.values()) == {"cannot_meet", "inactive", "shifts", "hours", "outside_radius"}
    kinds = [kind for case in cases for kind in case.soft.values()]
    assert kinds.count("text/experience") > 500 and kinds.count("text/generic") > 500
