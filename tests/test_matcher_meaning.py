"""Held-out meaning cases (tests/matcher_meaning_cases.py): the right opening shares only a field of
work with the citizen's interest, its false friends share letters (a place's name, a syllable).

Counted per set (run with -s to see them): the right opening ranks above both false friends, and
how many false friends get a reason "for" naming the interest. TUNED cases were looked at while the
surface-hit cap was chosen; UNTUNED ones were counted once, after it, and nothing was changed for
them. Five seeds each (matcher before this round: names read as content, no cap):

| set | right above its false friends | false friends with a reason for |
|---|---|---|
| tuned, before | 0 of 50 | 55 of 100 |
| tuned, after | 50 of 50 | 5 of 100 |
| untuned, before | 0 of 50 | 65 of 100 |
| untuned, after | 41 of 50 | 16 of 100 |

What is left are word-level false friends, not surface hits: stems or compound parts that collide
across meanings ("negle" / "negleskruer", "pilates" / "pilatter" stem alike, "veteranbiler" /
"veteraner", "lektiehjælp" / "lektier" of wood). The matcher counts a shared stem or compound part
as a real link; telling homonyms apart needs more than the vocabulary holds.
"""
from __future__ import annotations

import pytest

from matcher import MatchIndex
from matcher.text import DanishAnalyzer, phrases
from tests.matcher_meaning_cases import TUNED, UNTUNED, MeaningCase, build_world

SEEDS = range(5)
FLOORS = {  # set -> (right above its false friends, at least, of 50; false friends with a reason, at most, of 100)
    "tuned": (48, 5),
    "untuned": (40, 16),
}


def outcome(case: MeaningCase, seed: int) -> tuple[bool, int]:
    """(the right opening ranks above both false friends, how many false friends have a reason for
    that names the interest)."""
    world = build_world(case, seed)
    result = MatchIndex(world.openings).match(world.citizen, top=len(world.openings))
    ranked = [m.opening_id for m in result.matches]
    right = all(ranked.index(world.true) < ranked.index(rival) for rival in world.rivals)
    reasons = 0
    for match in result.matches:
        if match.opening_id in world.rivals:
            reasons += any(r.kind == "interest" and r.positive for r in match.reasons)
    return right, reasons


def tally(cases: tuple[MeaningCase, ...]) -> tuple[int, int, list[str]]:
    right_count, reason_count, misses = 0, 0, []
    for case in cases:
        for seed in SEEDS:
            right, reasons = outcome(case, seed)
            right_count += right
            reason_count += reasons
            if not right or reasons:
                misses.append(f"{case.interest} (seed {seed}): right first={right}, false-friend reasons={reasons}")
    return right_count, reason_count, misses


@pytest.mark.parametrize("name, cases", [("tuned", TUNED), ("untuned", UNTUNED)])
def test_a_field_link_beats_false_friends(name, cases):
    right, reasons, misses = tally(cases)
    total = len(cases) * len(SEEDS)
    print(f"\nmeaning, {name}: right opening above its false friends in {right} of {total}; "
          f"false friends with a reason for: {reasons} of {2 * total}")   # -s shows it
    min_right, max_reasons = FLOORS[name]
    assert right >= min_right, "\n".join(misses)
    assert reasons <= max_reasons, "\n".join(misses)


@pytest.mark.parametrize("case", TUNED + UNTUNED, ids=lambda c: c.interest)
def test_every_case_links_only_through_a_field(case):
    """What the sets claim: interest and right job share no stem or compound part, but a field of the
    vocabulary; the name false friend really holds the interest word."""
    world = build_world(case, 0)
    by_id = {o.id: o for o in world.openings}
    true = by_id[world.true]
    analyzer = DanishAnalyzer([t for o in world.openings for t in (o.title + " " + o.tasks).lower().split()])
    interest = analyzer.analyse(case.interest)
    job = [info for text in (true.title, true.tasks, true.industry) for piece in phrases(text)
           for info in analyzer.analyse(piece)]
    assert not {s for i in interest for s in i.literals} & {s for i in job for s in i.literals}
    assert case.field in {c for i in interest for c in i.concepts} & {c for i in job for c in i.concepts}
    assert case.interest.capitalize() in by_id["o-name"].employer_name
    assert case.interest.capitalize() in by_id["o-name"].title


# --- the rules behind the figures, one by one -------------------------------------------------------

@pytest.mark.parametrize("text, employer, expected", [
    ("Opvasker hos Café Løven", "", "Opvasker hos Café"),             # the kind of place stays
    ("Kok i Restaurant Ankeret", "Restaurant Ankeret", "Kok i Restaurant"),
    ("Medhjælper i Netto", "", "Medhjælper i "),                      # a name alone says nothing
    ("Medhjælper i SFO", "", "Medhjælper i SFO"),                     # ... but a kind of place does
    ("Løven søger en opvasker", "Café Løven", " søger en opvasker"),  # the employer's own name words
    ("Butiksassistent i tegneseriebutik", "Fantask Tegneseriebutik", "Butiksassistent i tegneseriebutik"),
    ("Rengøring af trapper", "Rengøring Parken", "Rengøring af trapper"),
])
def test_names_are_not_content(text, employer, expected):
    from matcher.text import without_names
    assert without_names(text, employer) == expected


def test_a_place_name_makes_no_fit_and_no_reason():
    from matcher import Citizen, Opening
    zoo = Opening(id="o1", employer_id="e1", employer_name="Zoo", title="Dyrepasserhjælper",
                  tasks="Fodre dyrene, gøre bure rene", industry="Zoologisk have", lat=55.0, lon=12.0)
    cafe = Opening(id="o2", employer_id="e2", employer_name="Café Løven", title="Opvasker hos Café Løven",
                   tasks="Tage opvask på Café Løven, rydde borde", industry="Restaurant", lat=55.0, lon=12.0)
    citizen = Citizen(id="c", first_name="A", lat=55.0, lon=12.0, interests="løver")
    result = MatchIndex([zoo, cafe]).match(citizen, top=2)
    by_id = {m.opening_id: m for m in result.matches}
    assert not [r for r in by_id["o2"].reasons if r.kind == "interest"]
    assert by_id["o1"].score >= by_id["o2"].score


def test_a_surface_hit_scores_below_any_link_through_a_field():
    from matcher import text
    assert text.combine_spaces(0.0, 0.4) == text.CHAR_ONLY_CAP             # letters alone: capped
    assert text.combine_spaces(text.CHAR_ONLY_CAP, 0.0) == text.CHAR_ONLY_CAP
    assert text.combine_spaces(0.03, 0.0) > text.combine_spaces(0.0, 0.4)  # a weak field link wins
    import numpy as np
    arrays = text.combine_spaces(np.array([0.0, 0.03]), np.array([0.4, 0.1]))
    assert arrays.tolist() == [text.CHAR_ONLY_CAP, pytest.approx(0.13)]
