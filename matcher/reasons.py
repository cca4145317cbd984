"""Danish reasons for and against a match, for a consultant to read aloud. Built only for the
matches actually returned, so they may take their time (rapidfuzz, set logic per phrase)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import fuzz

from .models import Citizen, Opening, Reason
from .scoring import FIT_MIN_COSINE
from .taught import CONSULTANT, SOURCE_TEXTS
from .text import DanishAnalyzer, TokenInfo, phrases, without_names
from .vocabulary import NEEDS, SHIFT_LABELS, language_name

TEXT_FIELDS = (  # citizen field, reason kind, Danish label, how many reasons at most
    ("interests", "interest", "Interesse", 2),
    ("goal", "goal", "Mål", 1),
    ("experience", "experience", "Erfaring", 1),
)
FUZZY_MIN_RATIO = 90      # rapidfuzz partial_ratio on stems that counts as the same word
FUZZY_MIN_LEN = 4         # ... for stems at least this long (short stems match anything)
SHORT_PHRASE_WORDS = 3    # longer citizen phrases are shown as just their matching words
TASK_RANK = 2             # a task names one activity: only the same word counts there (see _pair)


@dataclass(frozen=True)
class Segment:
    """A piece of the opening a citizen phrase can be paired with: a title part, the industry or
    one task. `rank` orders the places: the job title names the job best, then the industry."""
    text: str
    rank: int            # 0 title, 1 industry, 2 tasks
    infos: tuple[TokenInfo, ...]
    stems: str
    literals: frozenset[str]
    concepts: frozenset[str]


@dataclass(frozen=True)
class TaughtToken(TokenInfo):
    """A taught link's field on a citizen phrase (matcher.taught): meets a segment through the
    field tag only, never as a word, and tells the reason where the link comes from."""
    source: str = CONSULTANT


def taught_token(term: str, field: str, source: str) -> TaughtToken:
    return TaughtToken(term, "", (), (field,), "", source)


@dataclass(frozen=True)
class CitizenPhrase:
    text: str
    infos: tuple[TokenInfo, ...]
    stems: str


@dataclass(frozen=True)
class Pairing:
    tier: int
    closeness: float
    phrase_index: int
    segment_index: int
    phrase_text: str
    segment: Segment
    taught: str | None = None   # the source of the taught link the pairing rests on alone


def opening_segments(analyzer: DanishAnalyzer, opening: Opening) -> tuple[Segment, ...]:
    pieces = [(text, 0) for text in phrases(opening.title)]
    pieces += [(" ".join(opening.industry.split()), 1)] if opening.industry.strip() else []
    pieces += [(text, 2) for text in phrases(opening.tasks)]
    segments = []
    for text, rank in pieces:
        # Names are not content (issue 13): a reason never rests on "Løven" in "Café Løven".
        infos = tuple(analyzer.analyse(without_names(text, opening.employer_name)))
        if infos:
            segments.append(Segment(text, rank, infos, " ".join(i.stem for i in infos),
                                    frozenset().union(*(i.literals for i in infos)),
                                    frozenset(c for i in infos for c in i.concepts)))
    return tuple(segments)


def citizen_phrases(analyzer: DanishAnalyzer, citizen: Citizen,
                    taught: dict | None = None) -> dict[str, tuple[CitizenPhrase, ...]]:
    """The citizen's phrases per text field, analysed once per query; `taught` (phrase -> the
    taught links that apply, index.taught_by_phrase) adds a TaughtToken per link."""
    out = {}
    for field, *_ in TEXT_FIELDS:
        analysed = []
        for text in phrases(getattr(citizen, field)):
            infos = tuple(analyzer.analyse(text))
            links = tuple(taught_token(l.term, l.field, l.source) for l in (taught or {}).get(text, ()))
            analysed.append(CitizenPhrase(text, infos + links, " ".join(i.stem for i in infos)))
        out[field] = tuple(analysed)
    return out


def _literal_hits(phrase: Sequence[TokenInfo], segment: Segment, fuzzy: bool = True) -> list[TokenInfo]:
    """Phrase tokens that share a stem or compound part with the segment, or (with `fuzzy`) whose
    stem sits (nearly) verbatim inside it - rapidfuzz catches compounds the splitter does not know."""
    hits = []
    for info in phrase:
        if not info.literals.isdisjoint(segment.literals):
            hits.append(info)
        elif fuzzy and len(info.stem) >= FUZZY_MIN_LEN and any(
                fuzz.partial_ratio(info.stem, other.stem) >= FUZZY_MIN_RATIO
                for other in segment.infos if len(other.stem) >= len(info.stem)):
            hits.append(info)
    return hits


def _concept_hits(phrase: Sequence[TokenInfo], segment: Segment) -> list[TokenInfo]:
    return [info for info in phrase if not segment.concepts.isdisjoint(info.concepts)]


_TIERS = {  # (segment rank, literal hit) -> preference, lower first
    (0, True): 0, (1, True): 1, (0, False): 2, (2, True): 3, (1, False): 4, (2, False): 5,
}


def _tier(rank: int, literal: bool) -> int:
    """Preference of a pairing: a word-level hit in the title, then in the industry, then a
    related-field hit in the title, then word-level hits in the tasks - so the reason names the
    job whenever it can, and otherwise the most concrete thing that matched."""
    return _TIERS[(rank, literal)]


def _shown_phrase(phrase: str, hits: Sequence[TokenInfo]) -> str:
    if len(phrase.split()) <= SHORT_PHRASE_WORDS:
        return phrase
    hit_words = {info.surface for info in hits}
    words = [w for w in phrase.split() if w.lower().strip(".,;:!?") in hit_words]
    return " ".join(words) or phrase


PairMemo = dict  # (id of CitizenPhrase, segment rank, segment text) -> (literal?, hits, closeness bonus) or None


def _pair(phrase: CitizenPhrase, segment: Segment, memo: PairMemo | None):
    """How a citizen phrase meets an opening segment: (literal hit?, the phrase tokens that hit,
    rapidfuzz similarity as a small tie-breaker), or None when they do not meet.
    A task meets only the same word: a shared field tag or a word inside another word is too
    loose there ("madlavning" and "rengøring af køkken", "tegne" and "sætte tegneserier")."""
    key = (id(phrase), segment.rank, segment.text)
    if memo is not None and key in memo:
        return memo[key]
    is_task = segment.rank == TASK_RANK
    hits = _literal_hits(phrase.infos, segment, fuzzy=not is_task)
    literal = bool(hits)
    if not literal and not is_task:
        hits = _concept_hits(phrase.infos, segment)
    result = (literal, hits, fuzz.token_set_ratio(phrase.stems, segment.stems) / 1e4) if hits else None
    if memo is not None:
        memo[key] = result
    return result


def best_pairings(field_phrases: Sequence[CitizenPhrase], segments: Sequence[Segment],
                  closeness: Sequence[float] | None, limit: int, memo: PairMemo | None = None) -> list[Pairing]:
    """Up to `limit` pairings of a citizen phrase with an opening segment, best first, each with
    a different phrase and a different segment. `closeness` (the phrases' cosines with this
    opening) prefers the phrase that drove the score; a phrase below the real-fit threshold
    (scoring.FIT_MIN_COSINE) is no reason at all."""
    candidates: list[Pairing] = []
    for p_index, phrase in enumerate(field_phrases):
        score = closeness[p_index] if closeness is not None and p_index < len(closeness) else 0.0
        if closeness is not None and score < FIT_MIN_COSINE:
            continue
        for s_index, segment in enumerate(segments):
            met = _pair(phrase, segment, memo)
            if met is None:
                continue
            literal, hits, bonus = met
            candidates.append(Pairing(_tier(segment.rank, literal), score + bonus, p_index, s_index,
                                      _shown_phrase(phrase.text, hits), segment, _taught_source(literal, hits)))
    candidates.sort(key=lambda p: (p.tier, -p.closeness, p.phrase_index, p.segment_index))
    chosen: list[Pairing] = []
    for pairing in candidates:
        if len(chosen) == limit:
            break
        if all(pairing.phrase_index != c.phrase_index and pairing.segment_index != c.segment_index
               for c in chosen):
            chosen.append(pairing)
    return chosen


def _taught_source(literal: bool, hits: Sequence[TokenInfo]) -> str | None:
    """Where the link came from when the pairing rests on taught links alone, else None."""
    if literal or not hits or not all(isinstance(h, TaughtToken) for h in hits):
        return None
    return CONSULTANT if any(h.source == CONSULTANT for h in hits) else hits[0].source


def format_km(km: float) -> str:
    return f"{km:.1f}".replace(".", ",")


def format_limit_km(km: float) -> str:
    return str(int(round(km))) if abs(km - round(km)) < 1e-9 else format_km(km)


def _distance_text(km: float) -> str:
    return "Under 0,1 km fra bopæl" if km < 0.05 else f"{format_km(km)} km fra bopæl"


def _outside_text(km: float, limit: float) -> str:
    shown = format_km(km)
    if round(km, 1) <= limit:   # 5,04 km must not read as "5,0 km > 5 km"
        shown = f"{km:.2f}".replace(".", ",")
    return f"Uden for borgerens rejseafstand ({shown} km > {format_limit_km(limit)} km)"


def _paid_reason(opening: Opening) -> Reason:
    if opening.paid_hours == "from_start":
        return Reason("paid_hours", "Lønnede timer fra start", True)
    if opening.paid_hours == "after_trial":
        weeks = opening.trial_weeks
        if weeks <= 0:
            return Reason("paid_hours", "Lønnede timer efter praktik", True)
        unit = "uges" if weeks == 1 else "ugers"
        return Reason("paid_hours", f"Lønnede timer efter {weeks} {unit} praktik", True)
    if opening.paid_hours == "no":
        return Reason("paid_hours", "Ingen lønnede timer", False)
    return Reason("paid_hours", "Åben for lønnede timer – ikke aftalt", False)


def _hours_text(opening: Opening) -> str | None:
    low, high = opening.hours_min, opening.hours_max
    if low is not None and high is not None:
        return f"Timer: {low}–{high} om ugen"
    if low is not None:
        return f"Timer: mindst {low} om ugen"
    if high is not None:
        return f"Timer: op til {high} om ugen"
    return None


def _shared_shifts(citizen: Citizen, opening: Opening) -> list[str]:
    shared = opening.shifts if citizen.shifts is None else opening.shifts & citizen.shifts
    return [SHIFT_LABELS[code].lower() for code in SHIFT_LABELS if code in shared]


def text_reasons(analysed_phrases: dict[str, tuple[CitizenPhrase, ...]], segments: Sequence[Segment],
                 closeness: dict[str, Sequence[float]], memo: PairMemo | None = None) -> tuple[Reason, ...]:
    """Reasons naming what in the opening meets which of the citizen's phrases. `analysed_phrases`
    comes from citizen_phrases(), `segments` from opening_segments(), `closeness` holds the
    cosine of each citizen phrase with this opening per field (it picks the phrase that drove the
    score). Depends only on the opening's text, so openings sharing a text share the result;
    `memo` (one dict per query) shares the phrase/segment comparisons between openings."""
    reasons = []
    for field, kind, label, limit in TEXT_FIELDS:
        for pairing in best_pairings(analysed_phrases.get(field, ()), segments, closeness.get(field), limit, memo):
            learnt = f" — {SOURCE_TEXTS[pairing.taught]}" if pairing.taught else ""
            reasons.append(Reason(kind, f"{label}: {pairing.phrase_text} ↔ {pairing.segment.text}{learnt}", True))
    return tuple(reasons)


NO_FIT_TEXT = "Ingen tydelig sammenhæng med interesser, mål eller erfaring"


def build_reasons(citizen: Citizen, opening: Opening, text: Sequence[Reason], distance_km: float,
                  outside_radius: bool, fit: bool) -> tuple[Reason, ...]:
    """All reasons for one match, for first, then against; `text` from text_reasons(), `fit`
    whether the opening is a real fit (scoring.has_fit) - the same flag that ranks it."""
    positive: list[Reason] = list(text) if fit else []
    negative: list[Reason] = []
    if not fit:
        negative.append(Reason("text", NO_FIT_TEXT, False))

    if outside_radius:
        negative.insert(0, Reason("outside_radius", _outside_text(distance_km, citizen.max_travel_km), False))
    else:
        positive.append(Reason("distance", _distance_text(distance_km), True))

    met = [code for code in NEEDS if code in citizen.needs and code in opening.can_meet]
    if met:
        labels = ", ".join(NEEDS[code].lower() for code in met)
        positive.append(Reason("needs_met", f"Kan tage hensyn til: {labels}", True))
    unknown = [NEEDS[code].lower() for code in NEEDS
               if code in citizen.needs and code not in opening.can_meet and code not in opening.cannot_meet]
    if unknown:
        negative.append(Reason("needs_unknown", "Spørg virksomheden om: " + ", ".join(unknown), False))

    paid = _paid_reason(opening)
    (positive if paid.positive else negative).append(paid)

    shifts = _shared_shifts(citizen, opening)
    if shifts:
        positive.append(Reason("shifts", "Vagter: " + ", ".join(shifts), True))
    hours = _hours_text(opening)
    if hours:
        positive.append(Reason("hours", hours, True))
    shared_languages = [code for code in opening.languages if code != "da" and code in citizen.languages]
    if shared_languages:
        names = ", ".join(language_name(code) for code in shared_languages)
        positive.append(Reason("language", f"Sprog på arbejdspladsen: {names}", True))
    return tuple(positive + negative)
