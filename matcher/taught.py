"""Links between a citizen's words and a field of work that the vocabulary does not hold
(issue 13): taught by a consultant ("espresso" fits cafés) or learnt from the forløb consultants
start. Plain data in: the storage layer reads them and hands a TaughtLinks to MatchIndex.match;
nothing here reads a file or a database.

How a link is used (see MatchIndex._text_fit and reasons.citizen_phrases):

- a consultant's link adds the field's tag ("#servering") to the analysis of every citizen
  phrase holding the term, exactly as if the vocabulary placed the term in the field - so the
  phrase meets the field's openings as strongly as a vocabulary word does;
- a learnt pairing adds a small, capped amount (learned_cosine) to the phrase's closeness with
  each opening that carries the field's tag - a nudge, not a link of full strength;
- a phrase the vocabulary already places in the field gains nothing from either.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .lexicon import CONCEPTS
from .text import NO_EVIDENCE_STEMS, phrases, stem, surface_tokens

CONSULTANT = "consultant"
PLACEMENTS = "placements"
# Appended to the reason a link gives: "Interesse: espresso ↔ Barista — lært af en konsulent".
SOURCE_TEXTS = {CONSULTANT: "lært af en konsulent", PLACEMENTS: "lært af tidligere forløb"}

MAX_TERM_LENGTH = 60

# Learning from started forløb: every distinct citizen with the term who started a forløb at an
# opening of the field adds LEARNED_COSINE_PER_CITIZEN to the term's closeness with the field's
# openings, up to LEARNED_COSINE_CAP. One forløb (0.02) only orders openings that have no real
# fit (scoring.FIT_MIN_COSINE is 0.10); it takes five citizens to count as a real fit of its own,
# and the cap (six) stays well below a direct word fit (0.3-0.85), so a run of forløb from one
# office cannot flood the ranking. Distinct citizens, not forløb: one citizen's ten forløb at one
# kind of place say one thing once.
LEARNED_COSINE_PER_CITIZEN = 0.02
LEARNED_COSINE_CAP = 0.12

# The vocabulary's fields by their Danish names, for a consultant to choose from.
FIELD_LABELS = {
    "mad": "Mad og køkken", "bageri": "Bageri og kager", "servering": "Servering, café og bar",
    "transport": "Transport og kørsel", "lager": "Lager og pakning", "detail": "Butik og detailhandel",
    "bøger_spil": "Bøger, tegneserier og spil", "legetøj": "Legetøj", "kreativ": "Kunst, tegning og design",
    "dyr": "Dyr", "grønt": "Have, planter og grønne områder", "rengøring": "Rengøring",
    "byggeri": "Byggeri og håndværk", "bil": "Biler og motorkøretøjer", "mekanik": "Mekanik og reparation",
    "cykel": "Cykler", "hotel": "Hotel og overnatning", "pleje": "Omsorg og pleje", "børn": "Børn og pasning",
    "it": "IT og computere", "kontor": "Kontor og administration", "musik": "Musik", "sport": "Sport og motion",
    "tøj": "Tøj og mode", "laboratorie": "Laboratorie og apotek", "skønhed": "Frisør og skønhed",
    "produktion": "Produktion og fabrik", "affald": "Affald og genbrug", "kultur": "Kultur, museer og biblioteker",
    "bolig": "Bolig og indretning", "sikkerhed": "Vagt og sikkerhed",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def fields() -> list[tuple[str, str]]:
    """(field, Danish name) for every field of the vocabulary, by name."""
    return sorted(((f, field_label(f)) for f in CONCEPTS), key=lambda pair: pair[1])


def normal_term(text: str) -> str:
    """How a term is stored and compared: lower case, single spaces."""
    return " ".join(text.lower().split())


def term_problem(text: str) -> str | None:
    """Why `text` cannot be taught as a term (Danish), or None. A term is one phrase, as the
    matcher splits a citizen's interests, that says something about a field of work."""
    term = normal_term(text)
    if not term:
        return "Skriv et ord, eller vælg en af borgerens interesser"
    if len(term) > MAX_TERM_LENGTH:
        return f"Ordet må højst være {MAX_TERM_LENGTH} tegn (det er {len(term)})"
    found = phrases(term)
    if not found:
        return f"»{term}« siger ikke noget om et arbejdsfelt; skriv fx en interesse eller en hobby"
    if len(found) > 1:
        return "Skriv én interesse ad gangen (uden komma eller »og«)"
    return None


def term_stems(text: str) -> frozenset[str]:
    """The content stems of a term or a citizen phrase; a term applies to a phrase holding all of
    its stems ("espresso" applies to "espresso og kage" → "espresso")."""
    return frozenset(s for s in (stem(t) for t in surface_tokens(text)) if s not in NO_EVIDENCE_STEMS)


def learned_cosine(citizens: int) -> float:
    return min(LEARNED_COSINE_PER_CITIZEN * max(citizens, 0), LEARNED_COSINE_CAP)


@dataclass(frozen=True)
class TaughtLink:
    term: str                 # as normal_term gives it
    field: str                # a field of the vocabulary (lexicon.CONCEPTS)
    source: str = CONSULTANT  # or PLACEMENTS
    citizens: int = 0         # PLACEMENTS: distinct citizens behind the pairing

    @property
    def bonus(self) -> float:
        """Closeness added to the field's openings (PLACEMENTS only)."""
        return learned_cosine(self.citizens) if self.source == PLACEMENTS else 0.0


class TaughtLinks:
    """A set of links, looked up per citizen phrase. Build it once per set (the storage layer
    keeps it while the links do not change) and pass it to every match."""

    def __init__(self, links: Iterable[TaughtLink] = ()):
        self.links = tuple(link for link in links if link.field in CONCEPTS)
        self._by_stem: dict[str, list[tuple[frozenset[str], TaughtLink]]] = {}
        for link in self.links:
            stems = term_stems(link.term)
            if stems:
                self._by_stem.setdefault(min(stems), []).append((stems, link))

    def __bool__(self) -> bool:
        return bool(self._by_stem)

    def __len__(self) -> int:
        return len(self.links)

    def for_phrase(self, phrase: str, known_fields: Iterable[str] = ()) -> tuple[TaughtLink, ...]:
        """The links that apply to a citizen phrase, one per field, a consultant's before a learnt
        one; none for a field in `known_fields` (the vocabulary already links the phrase there)."""
        if not self._by_stem:
            return ()
        stems = term_stems(phrase)
        found: dict[str, TaughtLink] = {}
        skip = set(known_fields)
        for key in stems:
            for needed, link in self._by_stem.get(key, ()):
                if link.field in skip or not needed <= stems:
                    continue
                held = found.get(link.field)
                if held is None or _preferred(link, held):
                    found[link.field] = link
        return tuple(found[f] for f in sorted(found))


def _preferred(link: TaughtLink, held: TaughtLink) -> bool:
    if link.source != held.source:
        return link.source == CONSULTANT
    return link.citizens > held.citizens


NO_LINKS = TaughtLinks()
