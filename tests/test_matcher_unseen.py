"""Generated cases the matcher was never tuned to by name (tests/matcher_cases.py), built like
data/demo/expected.json: for each citizen the right opening ranks above every near miss that is
worse on exactly one point, and no opening that breaks a hard rule is listed.

Six seeds x 30 worlds x 6 citizens = 1080 cases. With the matcher as it was before this round of
text fixes 1043 passed; after them (generic job words and job-ad boilerplate carry no weight,
compounds with an unknown head split at a generic ending, no false 3-letter splits, -el and
vowel-change stems meet, more lexicon fields) 1077 pass. The three that still fail are listed in
KNOWN_MISSES as strict xfails: if one starts passing, the list must shrink.

HELDOUT_DOMAINS are fields of work the lexicon has no entries for, written after the fixes and
never used to change the lexicon: 105 of 120 passed before, 110 after. They need knowledge the
matcher does not have ("skuespil" -> teater, "ledninger" -> elektriker), so they are checked as a
floor on the share that passes, not case by case. The same goes for interests with a typing error
(a letter dropped, doubled or two swapped in the longest word): 307 of 360 before, 350 after.
"""
from __future__ import annotations

import dataclasses
import random
from functools import lru_cache

import pytest

from matcher import MatchIndex
from tests.matcher_cases import HELDOUT_DOMAINS, generate_worlds

SEEDS = (20261123, 7, 99, 1, 2, 3)

# In each, the job that fits the citizen's past also shares a word with an interest, so it is not
# cleanly worse on one point; the matcher ranks it a hair above the right one.
KNOWN_MISSES = {
    "s20261123-w05-c4": "'sortere og pakke' also fits the factory job's 'pakke færdige dele'",
    "s20261123-w17-c3": "'rent og pænt' also fits the car workshop's 'gøre værkstedet rent'",
    "s3-w02-c2": "'læse bøger' also fits the care home's 'læse avis højt'",
}
HELDOUT_MIN_PASSING = 108     # of 120; 108 pass today (110 before the surface-hit cap, issue 13), 105 before the fixes
TYPO_MIN_PASSING = 345        # of 360; 350 pass today, 307 did before the fixes


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


def problems(index: MatchIndex, world, case) -> list[str]:
    """What is wrong with the ranking of one case (empty when it is right)."""
    ranked = [m.opening_id for m in index.match(case.citizen, top=len(world.openings)).matches]
    listed_hard = {oid: rule for oid, rule in case.hard.items() if oid in ranked}
    if listed_hard:
        return [f"hard openings listed: {listed_hard}"]
    if case.true not in ranked:
        return ["the right opening is not listed at all"]
    beaten_by = [case.soft[oid] for oid in ranked[: ranked.index(case.true)] if oid in case.soft]
    if beaten_by:
        by_id = {o.id: o for o in world.openings}
        return [f"near misses ranked above the right one: {beaten_by}\n{case.describe(by_id)}"]
    return []


@pytest.mark.parametrize("seed, w, k", _params())
def test_true_opening_ranks_first_and_hard_openings_never_appear(seed, w, k):
    world = worlds(seed)[w]
    assert not problems(world_index(seed, w), world, world.cases[k])


def test_fields_the_lexicon_does_not_know_mostly_rank_right_and_never_list_hard_openings():
    passing, failures = 0, []
    for seed in (5, 6):
        for world in generate_worlds(seed=seed, n_worlds=10, true_domains=HELDOUT_DOMAINS):
            index = MatchIndex(world.openings)
            for case in world.cases:
                found = problems(index, world, case)
                assert not any(p.startswith(("hard", "the right")) for p in found), (case.id, found)
                passing += not found
                failures += found
    print(f"\nheld-out fields: {passing} of 120 cases rank the right opening first")  # -s shows it
    assert passing >= HELDOUT_MIN_PASSING, "\n".join(failures)


def test_every_case_has_each_kind_of_near_miss_and_hard_rule():
    """The generator really builds what the docstring promises (a test that cannot fail is no test)."""
    cases = [case for seed in SEEDS for world in worlds(seed) for case in world.cases]
    assert len(cases) == 1080
    for case in cases:
        assert {"needs", "paid", "farther", "text/unrelated"} <= set(case.soft.values()), case.id
        assert set(case.hard.values()) == {"cannot_meet", "inactive", "shifts", "hours", "outside_radius"}
    kinds = [kind for case in cases for kind in case.soft.values()]
    assert kinds.count("text/experience") > 500 and kinds.count("text/generic") > 500


def with_typo(rng: random.Random, text: str) -> str:
    """The text with one typing error in its longest word: two letters swapped, one doubled or
    one dropped (not the first letter)."""
    words = text.split(" ")
    j = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[j]
    if len(word) >= 5:
        i = rng.randrange(1, len(word) - 2)
        words[j] = rng.choice([word[:i] + word[i + 1] + word[i] + word[i + 2:],
                               word[:i] + word[i] + word[i:], word[:i] + word[i + 1:]])
    return " ".join(words)


def test_interests_with_a_typing_error_mostly_rank_right():
    rng = random.Random(4)
    passing, failures = 0, []
    for seed in SEEDS[:2]:
        for w, world in enumerate(worlds(seed)):
            for case in world.cases:
                typed = dataclasses.replace(case, citizen=dataclasses.replace(
                    case.citizen, interests=with_typo(rng, case.citizen.interests)))
                found = problems(world_index(seed, w), world, typed)
                passing += not found
                failures += found
    print(f"\ntyping errors: {passing} of 360 cases rank the right opening first")  # -s shows it
    assert passing >= TYPO_MIN_PASSING, "\n".join(failures)


# --- the general rules behind the fixes, one by one -------------------------------------------------

def test_generic_job_words_and_boilerplate_are_no_evidence():
    from matcher.text import DanishAnalyzer, phrases
    analyzer = DanishAnalyzer(["staldmedhjælper", "produktionsmedarbejder", "pakkeriarbejder"])
    assert analyzer.token_info("medhjælper") is None and analyzer.token_info("hverdag") is None
    assert phrases("et job som medhjælper, heste") == ["heste"]
    assert analyzer.token_info("staldmedhjælper").char_text == "stald"
    production = analyzer.token_info("produktionsmedarbejder")   # unknown head, generic ending
    assert production.parts == ("produktion",) and "produktion" in production.concepts
    assert analyzer.token_info("pakkeriarbejder").char_text == "pakkeri"
    assert analyzer.token_info("handel").concepts == ("detail",)   # a generic word with a field counts


def test_stems_meet_across_vowel_change_and_unstressed_el():
    from matcher.text import stem
    assert stem("bog") == stem("bøger") and stem("barn") == stem("børnene")
    assert stem("cykel") == stem("cykler") == stem("cyklerne")


def test_no_false_split_into_a_short_part_but_real_compounds_still_split():
    from matcher.text import DanishAnalyzer
    analyzer = DanishAnalyzer(["billeder", "lede", "biler", "hundemad"])
    assert "bil" not in analyzer.token_info("billeder").parts
    assert {"hund", "mad"} <= set(analyzer.token_info("hundemad").parts)


def test_citizens_misspelt_words_are_read_as_the_known_word_but_real_words_are_not_changed():
    from matcher.text import DanishAnalyzer
    analyzer = DanishAnalyzer(["turister", "hække"])
    assert analyzer.token_info("tursiter").stem == analyzer.token_info("turister").stem
    assert analyzer.token_info("tursiter").surface == "tursiter"      # reasons quote the citizen
    assert analyzer.token_info("moontage").concepts == ("produktion",)
    assert analyzer.token_info("hækle").stem != analyzer.token_info("hække").stem


def test_spelling_correction_keeps_the_first_letter_and_refuses_short_results():
    from matcher.text import DanishAnalyzer
    analyzer = DanishAnalyzer(["gastronomi", "rene", "lagerarbejde"])
    assert analyzer.token_info("astronomi").concepts != analyzer.token_info("gastronomi").concepts
    assert analyzer.token_info("regne").stem != analyzer.token_info("rene").stem
    assert analyzer.token_info("lagerarbjde").stem == analyzer.token_info("lagerarbejde").stem


# --- a real fit ranks above no fit; no reason "for" below the threshold -----------------------------

SIMILAR_KM = 0.5   # "a similar distance": within half a kilometre of each other
NO_FIT = "Ingen tydelig sammenhæng med interesser, mål eller erfaring"
TEXT_KINDS = {"interest", "goal", "experience"}


def no_fit_above_fit(result) -> list[str]:
    """Pairs where an opening that says "Ingen tydelig sammenhæng" ranks above one with a text
    reason at a similar distance."""
    wrong = []
    for i, higher in enumerate(result.matches):
        if NO_FIT not in [r.text for r in higher.reasons]:
            continue
        for lower in result.matches[i + 1:]:
            real_fit = any(r.kind in TEXT_KINDS and r.positive for r in lower.reasons)
            if real_fit and abs(lower.distance_km - higher.distance_km) <= SIMILAR_KM:
                wrong.append(f"{higher.opening_id} ({higher.distance_km:.2f} km) above {lower.opening_id} "
                             f"({lower.distance_km:.2f} km)")
    return wrong


def test_openings_without_a_fit_never_outrank_a_real_fit_at_a_similar_distance_in_the_demo():
    import json
    from pathlib import Path
    from matcher import Citizen, Opening
    data = json.loads((Path(__file__).resolve().parent.parent / "data/demo/demo.json").read_text())
    index = MatchIndex(Opening.all_from_employers(data["employers"]))
    checked = 0
    for record in data["citizens"]:
        result = index.match(Citizen.from_exchange(record), top=1000)
        assert not no_fit_above_fit(result), record["id"]
        checked += sum(NO_FIT in [r.text for r in m.reasons] for m in result.matches)
    assert checked > 10   # the demo has openings without a fit to rank at all


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_openings_without_a_fit_never_outrank_a_real_fit_at_a_similar_distance_in_unseen_cases(seed):
    for w, world in enumerate(worlds(seed)):
        for case in world.cases:
            result = world_index(seed, w).match(case.citizen, top=len(world.openings))
            assert not no_fit_above_fit(result), case.id


def test_no_reason_for_is_given_below_the_fit_threshold():
    """Every text reason "for" comes from a phrase whose cosine with the opening reaches
    FIT_MIN_COSINE, and every opening below it in all phrases says there is no clear fit."""
    import numpy as np
    from matcher.index import CitizenPhrases
    from matcher.scoring import FIT_MIN_COSINE
    below, above = 0, 0
    for w, world in enumerate(worlds(SEEDS[0])[:10]):
        index = world_index(SEEDS[0], w)
        rows = {o.id: r for r, o in enumerate(index.openings)}
        for case in world.cases:
            vectors = [v for entries in CitizenPhrases.build(index.text_model, case.citizen).fields.values()
                       for _, v in entries]
            for m in index.match(case.citizen, top=len(world.openings)).matches:
                text_row = index._text_row[rows[m.opening_id]]
                best = float(index.text_model.cosines(np.array([text_row]), vectors).max()) if vectors else 0.0
                text_for = [r for r in m.reasons if r.kind in TEXT_KINDS and r.positive]
                if best < FIT_MIN_COSINE:
                    below += 1
                    assert not text_for and NO_FIT in [r.text for r in m.reasons], (case.id, m)
                else:
                    above += 1
                    assert NO_FIT not in [r.text for r in m.reasons]
    assert below > 50 and above > 50
