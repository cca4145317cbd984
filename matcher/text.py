"""Danish text fit between a citizen's own words and an opening's title, tasks and industry.

Pipeline for any text: lowercase -> letter tokens -> drop function/filler words -> Danish snowball
stem -> split compounds into known parts (with the linking letters -s-/-e-) -> add concept tags
from the lexicon. Two TF-IDF spaces are fitted on the openings:

* word space: stems, compound parts and concept tags ("tegneseriebutik" also yields "tegneseri",
  "butik", "#bøger_spil", "#detail"), so compounds meet their parts and related words meet;
* character space: sklearn's char_wb 3-4-grams of the stemmed text, which catches spelling
  variants and compounds the splitter does not know.

An opening's vector per space is the normalised, weighted sum of its title, tasks and industry
vectors (title weighs most). Both spaces share one sparse matrix (columns word space first); each
space's part of a row has length sqrt(space weight), so the dot product with a citizen phrase
vector built the same way is the weighted mean of the two cosines, in [0, 1].
"""
from __future__ import annotations

import copy
import math
import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
import snowballstemmer

from . import lexicon

TOKEN_RE = re.compile(r"[^\W\d_]+")
MIN_TOKEN_LEN = 2
MIN_PART_LEN = 3
LINKING_LETTERS = "se"                           # "butik-s-assistent", "tegneseri-e-butik"
DERIVATION_SUFFIXES = ("ning", "else", "ing")    # "mad-lav-ning": a verb stem made a noun

CHAR_NGRAM_RANGE = (3, 4)
BLOCK_WEIGHTS = {"word": 0.6, "char": 0.4}       # exact word/part/concept hits count more
OPENING_FIELD_WEIGHTS = {"title": 1.5, "tasks": 1.0, "industry": 0.5}

_stemmer = snowballstemmer.stemmer("danish")
_stemmer_lock = threading.Lock()                 # the pure-Python stemmer keeps state per call


IRREGULAR_FORMS = dict(pair.split(":") for pair in lexicon.IRREGULAR_FORMS.split())
SYNCOPE_RE = re.compile(r"(?<=[^aeiouyæøå])el$")   # "cykel" -> "cykl", as in "cykler"


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Danish snowball stem, applied twice: one pass leaves some inflected forms a step short
    ("køkkener" -> "køkken", "legepladsen" -> "legeplads"); the second pass brings them to the
    stem of the base form ("køk", "legeplad") so that variants meet.

    Two regular Danish alternations the stemmer leaves apart are closed afterwards: words whose
    plural changes the vowel ("bog"/"bøger", "barn"/"børn") are stemmed from the plural, and an
    unstressed -el loses its e as it does before an ending ("cykel"/"cykler", "titel"/"titler")."""
    word = IRREGULAR_FORMS.get(word, word)
    with _stemmer_lock:
        stemmed = _stemmer.stemWord(_stemmer.stemWord(word))
    if len(stemmed) >= 5:
        stemmed = SYNCOPE_RE.sub("l", stemmed)
    return stemmed


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = frozenset(_words(lexicon.FUNCTION_WORDS))
FILLER_WORDS = frozenset(_words(lexicon.FILLER_WORDS))
FILLER_STEMS = frozenset(stem(w) for w in FILLER_WORDS)
# Generic job words ("assistent", "medhjælper") split compounds but are no evidence as a part:
# "rengøringsassistent" should meet "rengøring", not "butiksassistent".
GENERIC_STEMS = frozenset(stem(w) for w in _words(lexicon.GENERIC_WORDS))
PHRASE_SPLIT_RE = re.compile(r"[,;:/()\n!?+&]|\.(?:\s|$)|\s-\s|\bog\b|\beller\b|\bsamt\b", re.IGNORECASE)
MAX_PHRASES_PER_FIELD = 6


def _concept_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for concept, words in lexicon.CONCEPTS.items():
        for word in _words(words):
            tags = index.setdefault(stem(word), [])
            if concept not in tags:
                tags.append(concept)
    return {key: tuple(tags) for key, tags in index.items()}


CONCEPTS_BY_STEM = _concept_index()
# Never a compound part that counts: "kontorarbejde" is "kontor", "staldmedhjælper" is "stald".
NON_PART_STEMS = FILLER_STEMS | GENERIC_STEMS
# Words that are no evidence on their own either: a citizen's "et job som medhjælper" or an
# opening's "Medhjælper i ..." would otherwise tie every "...medhjælper" to every other one.
# A generic word that the lexicon places in a field ("handel", "teknik") still counts.
NO_EVIDENCE_STEMS = FILLER_STEMS | (GENERIC_STEMS - CONCEPTS_BY_STEM.keys())
# Generic endings that mark a compound even when its first part is unknown ("fabriks|arbejde",
# "produktions|medarbejder"); longest first.
GENERIC_SUFFIXES = tuple(sorted((s for s in GENERIC_STEMS if len(s) >= 4), key=len, reverse=True))


MAX_OCCUPATIONS_PER_LABEL = 3   # a label shared by more occupations is no synonym of any one


def _occupation_index() -> tuple[dict[str, tuple[str, ...]], dict[tuple[str, ...], tuple[str, ...]]]:
    """ESCO synonym sets as tags "@<occupation>": one-word labels by stem (whole words only, so
    "hundefrisør" does not become a "frisør"), longer labels by their sequence of stems (with the
    occupation's fields, as such a label is no single word the field words can tag)."""
    by_stem: dict[str, list[str]] = {}
    by_phrase: dict[tuple[str, ...], list[str]] = {}
    for occupation, (fields, labels) in lexicon.OCCUPATIONS.items():
        for label in labels:
            stems = tuple(s for s in (stem(t) for t in surface_tokens(label)) if s not in NO_EVIDENCE_STEMS)
            if not stems:
                continue
            tags = by_stem.setdefault(stems[0], []) if len(stems) == 1 else by_phrase.setdefault(stems, [])
            for tag in ("@" + occupation, *(fields if len(stems) > 1 else ())):
                if tag not in tags:
                    tags.append(tag)
    keep = lambda tags: sum(t.startswith("@") for t in tags) <= MAX_OCCUPATIONS_PER_LABEL
    return ({k: tuple(v) for k, v in by_stem.items() if keep(v)},
            {k: tuple(v) for k, v in by_phrase.items() if keep(v)})


def _base_words() -> list[str]:
    words = set(_words(lexicon.GENERIC_WORDS)) | FILLER_WORDS
    for concept_words in lexicon.CONCEPTS.values():
        words.update(_words(concept_words))
    return sorted(words)


def _add_parts(parts: dict[str, str], words: Iterable[str]) -> None:
    """Register words as known compound parts: surface form -> stem, and the stem itself.
    Surface forms go first so that a word written out ("køkken") keeps its own stem ("køk")
    even where another word's stem has the same spelling ("køkkener" -> "køkken")."""
    candidates = sorted({w for w in words if len(w) >= MIN_PART_LEN and w not in FUNCTION_WORDS})
    for word in candidates:
        parts.setdefault(word, stem(word))
    for word in candidates:
        word_stem = stem(word)
        if len(word_stem) >= MIN_PART_LEN:
            parts.setdefault(word_stem, word_stem)


BASE_PARTS: dict[str, str] = {}
_add_parts(BASE_PARTS, _base_words())
BASE_WORDS = frozenset(_base_words())

ALPHABET = "abcdefghijklmnopqrstuvwxyzæøå"
MIN_CORRECTED_LEN = 5      # shorter words are too close to too many others to correct
# A wrong letter turns a short word into another real word too often ("hækle" -> "hække",
# "gamle" -> "samle"); only long words are corrected for one.
MIN_SUBSTITUTED_LEN = 8


def _one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition or insertion away from `word`, and for long
    words one substitution."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    edits = deletes | transposes | inserts
    if len(word) >= MIN_SUBSTITUTED_LEN:
        edits |= {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    return edits - {word}


def surface_tokens(text: str) -> list[str]:
    """Lowercase letter tokens without function and filler words, in text order."""
    return [token for token in TOKEN_RE.findall(text.lower())
            if len(token) >= MIN_TOKEN_LEN and token not in FUNCTION_WORDS and token not in FILLER_WORDS]


def has_content(text: str) -> bool:
    """Whether the text holds a word that can say something about a field of work: not only
    function, filler and generic job words ("et job som medhjælper")."""
    return any(stem(token) not in NO_EVIDENCE_STEMS for token in surface_tokens(text))


def phrases(text: str) -> list[str]:
    """The separate statements of a free-text field ("madlavning, tyrkisk mad og bage brød" ->
    three phrases), without phrases that hold no content word; at most MAX_PHRASES_PER_FIELD."""
    found: list[str] = []
    for piece in PHRASE_SPLIT_RE.split(text):
        phrase = " ".join(piece.split())
        if phrase and has_content(phrase) and phrase.lower() not in (p.lower() for p in found):
            found.append(phrase)
    return found[:MAX_PHRASES_PER_FIELD]


OCCUPATIONS_BY_STEM, OCCUPATIONS_BY_PHRASE = _occupation_index()


@dataclass(frozen=True)
class TokenInfo:
    surface: str
    stem: str
    parts: tuple[str, ...]      # stems of compound parts (fillers dropped), may be empty
    concepts: tuple[str, ...]   # lexicon concept names
    char_text: str              # what the character space sees: the stem without generic parts

    @property
    def features(self) -> tuple[str, ...]:
        """Word-space features of this token: stem, parts, concept tags."""
        extra = [p for p in self.parts if p != self.stem]
        return (self.stem, *extra, *("#" + c for c in self.concepts))

    @property
    def literals(self) -> frozenset[str]:
        return frozenset((self.stem, *self.parts))


class DanishAnalyzer:
    """Turns Danish text into features. Compound splitting knows the lexicon's words plus every
    corpus token it was built with, so openings teach it their own vocabulary."""

    def __init__(self, corpus_tokens: Iterable[str] = ()):
        corpus = list(corpus_tokens)
        self._parts = dict(BASE_PARTS)
        _add_parts(self._parts, corpus)
        self._heads = {head: stem(head) for head in compound_heads(corpus, self._parts)}
        # Words a misspelt token may be corrected to: the lexicon's and the openings' own.
        self._words = BASE_WORDS | {t for t in corpus if len(t) > MIN_PART_LEN and t not in FUNCTION_WORDS}
        self._tokens: dict[str, TokenInfo | None] = {}

    def to_state(self) -> dict:
        """What the analyzer learnt from its corpus, JSON-able; from_state makes it again."""
        return {"parts": self._parts, "heads": self._heads, "words": sorted(self._words - BASE_WORDS)}

    @classmethod
    def from_state(cls, state: dict) -> "DanishAnalyzer":
        analyzer = cls.__new__(cls)
        analyzer._parts = state["parts"]
        analyzer._heads = state["heads"]
        analyzer._words = BASE_WORDS | frozenset(state["words"])
        analyzer._tokens = {}
        return analyzer

    def token_info(self, token: str) -> TokenInfo | None:
        info = self._tokens.get(token)
        if info is None and token not in self._tokens:
            info = self._analyse_token(token)
            self._tokens[token] = info
        return info

    def _analyse_token(self, token: str) -> TokenInfo | None:
        token_stem = stem(token)
        if token_stem in NO_EVIDENCE_STEMS:
            return None
        split = self.split_compound(token_stem) or _split_generic_suffix(token_stem)
        if not split and not self._is_known(token, token_stem):
            corrected = self._spelling_correction(token)
            if corrected is not None:
                info = self.token_info(corrected)
                return None if info is None else replace(info, surface=token)
        parts = tuple(p for p in dict.fromkeys(split) if p not in NON_PART_STEMS)
        if split and not parts:
            return None                 # only generic parts ("hjælpearbejde")
        concepts: list[str] = []
        for key in (token_stem, *parts):
            for concept in CONCEPTS_BY_STEM.get(key, ()):
                if concept not in concepts:
                    concepts.append(concept)
        if not concepts:
            # A word the fields already place needs no synonym tags; more tags would only dilute
            # its field link. Titles outside every field meet their synonyms this way.
            concepts.extend(OCCUPATIONS_BY_STEM.get(token_stem, ()))
        # The character space sees the content parts only, so "pakkeriarbejder" and
        # "kontorarbejde" do not meet on the n-grams of "arbejd".
        char_text = " ".join(parts) if len(parts) < len(split) else token_stem
        return TokenInfo(token, token_stem, parts, tuple(concepts), char_text)

    def _is_known(self, token: str, token_stem: str) -> bool:
        return (token in self._words or token_stem in self._parts or token_stem in CONCEPTS_BY_STEM
                or len(token) < MIN_CORRECTED_LEN)

    def _spelling_correction(self, token: str) -> str | None:
        """A known word one typing error away from an unknown token ("tursiter" -> "turister",
        "moontage" -> "montage"), or None. Only tokens nothing else knows get here - in practice
        the citizen's words, as every opening word is known. Ties: a word the lexicon places in a
        field first, then alphabetical, so the choice is stable.

        The first letter must stay: people rarely mistype it, and allowing it turns real words
        into other fields ("astronomi" is no "gastronomi"). Short results are refused for the same
        reason ("regne" is no "rene")."""
        found = [w for w in _one_edit_away(token)
                 if w in self._words and len(w) >= MIN_CORRECTED_LEN and w[0] == token[0]]
        if not found:
            return None
        return min(found, key=lambda w: (not CONCEPTS_BY_STEM.get(stem(w)), w))

    def analyse(self, text: str) -> list[TokenInfo]:
        infos = [info for info in (self.token_info(token) for token in surface_tokens(text)) if info is not None]
        label = tuple(info.stem for info in infos)
        if len(label) > 1 and label in OCCUPATIONS_BY_PHRASE:
            # The whole text is an occupation label of several words: one more token that carries
            # the occupation (and its fields), so that synonyms of one occupation meet.
            infos.append(TokenInfo(" ".join(text.split()), "_".join(label), (), OCCUPATIONS_BY_PHRASE[label], ""))
        return infos

    def word_features(self, text: str) -> list[str]:
        return [feature for info in self.analyse(text) for feature in info.features]

    def stem_text(self, text: str) -> str:
        """Stemmed text for the character n-gram space."""
        return " ".join(info.char_text for info in self.analyse(text) if info.char_text)

    def split_compound(self, word: str) -> tuple[str, ...]:
        """Fewest known parts (each >= 3 letters) that spell the word, allowing one linking letter
        between parts and a derivation suffix on the last; () when there is no such split.

        A word that is known as a whole does not end in a bare 3-letter part that names no field
        of work: "billed(er)" is no "bil" + "led", while "hunde|mad" still splits. Only a word
        with no such split may start with a first part learnt from the openings' compounds
        (compound_heads): "øjen|læg", while "sygehus|læg" stays as it was."""
        return self._split(word, heads=False) or self._split(word, heads=True)

    def _split(self, word: str, heads: bool) -> tuple[str, ...]:
        n = len(word)
        if n < 2 * MIN_PART_LEN:
            return ()
        known_whole = word in self._parts
        best: list[tuple[str, ...] | None] = [None] * (n + 1)
        best[0] = ()
        for start in range(n):
            prefix = best[start]
            if prefix is None:
                continue
            for end in range(n, start + MIN_PART_LEN - 1, -1):   # longest piece first
                if start == 0 and end == n:
                    continue                                     # the word itself is no split
                part = self._part_stem(word[start:end], final=end == n)
                if part is None and heads and start == 0:
                    part = self._heads.get(word[:end])
                if part is None or (known_whole and end == n and end - start == MIN_PART_LEN
                                    and part not in CONCEPTS_BY_STEM):
                    continue
                candidate = prefix + (part,)
                next_starts = [end]
                if end + 1 + MIN_PART_LEN <= n and word[end] in LINKING_LETTERS:
                    next_starts.append(end + 1)
                for next_start in next_starts:
                    known = best[next_start]
                    if known is None or len(candidate) < len(known):
                        best[next_start] = candidate
        return best[n] or ()

    def _part_stem(self, piece: str, final: bool) -> str | None:
        part = self._parts.get(piece)
        if part is not None or not final:
            return part
        for suffix in DERIVATION_SUFFIXES:
            base = piece[: -len(suffix)]
            if piece.endswith(suffix) and len(base) >= MIN_PART_LEN and base in self._parts:
                return self._parts[base]
        return None


MIN_HEAD_LEN = 4            # shorter first parts are too often a prefix or another word's start
MIN_HEAD_TAILS = 2          # a first part must be seen with this many different known words


def compound_heads(tokens: Iterable[str], parts: dict[str, str]) -> list[str]:
    """First parts of compounds the corpus itself shows: a word start of at least MIN_HEAD_LEN
    letters, not a known part yet, that is followed (directly or after a linking letter) by a
    known whole part in at least MIN_HEAD_TAILS different words ("kirke" from "kirketjener" and
    "kirkegårdsgraver"; "øjen" from "øjenkirurg" and "øjensygdom"). Danish forms compounds from a
    stem or a combining form of it ("øjen-", "børne-"), and the openings name many compounds
    whose first part they never write alone."""
    tails: dict[str, set[str]] = {}
    for token in set(tokens):
        for cut in range(MIN_HEAD_LEN, len(token) - MIN_PART_LEN + 1):
            head = token[:cut]
            if head in parts or head in FUNCTION_WORDS:
                continue
            rests = [token[cut:]]
            if token[cut] in LINKING_LETTERS:
                rests.append(token[cut + 1:])
            for rest in rests:
                if len(rest) >= MIN_PART_LEN and rest in parts and parts[rest] not in NON_PART_STEMS:
                    tails.setdefault(head, set()).add(parts[rest])
    return sorted(head for head, found in tails.items() if len(found) >= MIN_HEAD_TAILS)


def _split_generic_suffix(word: str) -> tuple[str, ...]:
    """(head, generic ending) for a word that ends in a generic job word after an unknown first
    part of at least MIN_PART_LEN letters; the head is stemmed, which drops a linking -s
    ("produktions" -> "produktion"). () otherwise."""
    for suffix in GENERIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_PART_LEN:
            head = stem(word[: -len(suffix)])
            if len(head) >= MIN_PART_LEN:
                return head, suffix
    return ()


# --- names are not content -------------------------------------------------------------------
# A proper name ("Café Løven", "Restaurant Ankeret", "Fantask Tegneseriebutik") says where the job
# is, not what it is about: a citizen who likes lions is not a dishwasher's match. Only a name word
# that names the kind of place ("Café", "Restaurant", "Tegneseriebutik") stays content.

# A capitalised run after one of these prepositions is read as a name ("Opvasker hos Café Løven").
NAME_RUN_RE = re.compile(
    r"(?<![^\W\d_])(?i:hos|i|på|ved)\s+([A-ZÆØÅ][^\W_]*(?:[-'’][^\W_]+)*(?:\s+[A-ZÆØÅ0-9][^\W_]*(?:[-'’][^\W_]+)*)*)")
CAPITALISED_TOKEN_RE = re.compile(r"(?<![^\W\d_])[A-ZÆØÅ][^\W\d_]*")


_NAME_ANALYZER = DanishAnalyzer()   # the vocabulary's words only: names are read without the openings


@lru_cache(maxsize=50_000)
def names_a_field(word: str) -> bool:
    """Whether the vocabulary places the word, or one of its compound parts, in a field of work or
    an occupation: "Café", "Bageriet", "Tegneseriebutik" name a kind of place, "Løven" as the
    second word of a name does not count (see without_names)."""
    tokens = TOKEN_RE.findall(word.lower())
    for token in tokens:
        token_stem = stem(token)
        if token_stem in CONCEPTS_BY_STEM or token_stem in OCCUPATIONS_BY_STEM:
            return True
        if any(part in CONCEPTS_BY_STEM for part in _NAME_ANALYZER.split_compound(token_stem)):
            return True
    return False


@lru_cache(maxsize=20_000)
def name_words_to_drop(name: str) -> frozenset[str]:
    """The words of an employer's name that are no content: all but the first when the first names
    the kind of place ("Café Løven" -> løven); otherwise every word that names no field
    ("Fantask Tegneseriebutik" -> fantask)."""
    words = [w for w in TOKEN_RE.findall(name) if len(w) >= MIN_TOKEN_LEN]
    if not words:
        return frozenset()
    if names_a_field(words[0]):
        return frozenset(w.lower() for w in words[1:])
    return frozenset(w.lower() for w in words if not names_a_field(w))


def _kind_of_place(match: re.Match) -> str:
    """A capitalised run after a preposition, cut down to its first word when that word names the
    kind of place ("hos Café Løven" -> "hos Café"), else to the preposition alone."""
    run = match.group(1).split()
    kept = run[0] if names_a_field(run[0]) else ""
    return match.group(0)[: match.start(1) - match.start(0)] + kept


@lru_cache(maxsize=65_536)
def without_names(text: str, employer_name: str = "") -> str:
    """The text without the words of proper names: capitalised runs after "hos/i/på/ved" keep only
    a first word that names the kind of place, and capitalised occurrences of the employer's own
    name words (name_words_to_drop) go. Lower-case words are left alone: "Butiksassistent i
    tegneseriebutik" is content even at "Fantask Tegneseriebutik"."""
    if not text:
        return text
    text = NAME_RUN_RE.sub(_kind_of_place, text)
    dropped = name_words_to_drop(employer_name) if employer_name else frozenset()
    if dropped:
        text = CAPITALISED_TOKEN_RE.sub(lambda m: "" if m.group(0).lower() in dropped else m.group(0), text)
    return text


def _identity(tokens: list[str]) -> list[str]:
    """Analyzer for CountVectorizer when the features are already made (module level: picklable)."""
    return tokens


def char_wb_ngrams(text: str) -> list[str]:
    """Character n-grams (CHAR_NGRAM_RANGE) inside word boundaries, padded with a space each
    side: what scikit-learn's analyzer="char_wb" makes (without lowercasing), in plain Python,
    so a loaded index can vectorise a citizen's words without importing scikit-learn."""
    min_n, max_n = CHAR_NGRAM_RANGE
    ngrams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(min_n, max_n + 1):
            offset = 0
            ngrams.append(padded[offset:offset + n])
            while offset + n < len(padded):
                offset += 1
                ngrams.append(padded[offset:offset + n])
            if offset == 0:     # a word shorter than n counts once
                break
    return ngrams


@dataclass(frozen=True)
class OpeningText:
    """The text fields of an opening; openings sharing all three share one row of the model."""
    title: str
    tasks: str
    industry: str


class TextModel:
    """TF-IDF model fitted on the distinct opening texts. Builds the sparse matrix of opening
    vectors at once (sklearn + scipy) and, for single texts, the same vectors as
    {feature: weight} dicts in plain Python (citizens at query time; every pair in the baseline).

    Bulk counting works on distinct tokens: sklearn's CountVectorizers (words; char_wb n-grams)
    run once per distinct token, and every text's counts are the sparse product
    (texts x tokens) @ (tokens x features). char_wb makes n-grams word by word, so this equals
    running it on the whole text, only far faster for 100k openings that share their words."""

    def __init__(self, documents: Sequence[OpeningText]):
        if not documents:
            raise ValueError("TextModel needs at least one opening text to fit on")
        self._scale = {block: math.sqrt(weight) for block, weight in BLOCK_WEIGHTS.items()}
        field_texts, selectors = _distinct_field_texts(documents)
        text_by_token, token_infos = self._tokens_of(field_texts)
        from sklearn.feature_extraction.text import CountVectorizer   # fitting only: a loaded model needs none
        word_counter = CountVectorizer(analyzer=_identity, dtype=np.float64)
        char_counter = CountVectorizer(analyzer=char_wb_ngrams, lowercase=False, dtype=np.float64)
        word_by_token = word_counter.fit_transform([list(info.features) for info in token_infos])
        char_by_token = char_counter.fit_transform([info.char_text for info in token_infos])
        self.n_word_features = word_by_token.shape[1]
        self.n_features = self.n_word_features + char_by_token.shape[1]
        # One matrix for both spaces, columns word space first (tokens are few, so this stack is
        # cheap); each space is normalised on its own inside _fit.
        feature_by_token = sp.hstack([word_by_token, char_by_token], format="csr", dtype=np.float64)
        del word_by_token, char_by_token
        self.matrix, idf = _fit(text_by_token, feature_by_token, selectors, self.n_word_features,
                                (self._scale["word"], self._scale["char"]))
        self._word_vocab = {feature: int(column) for feature, column in word_counter.vocabulary_.items()}
        self._char_vocab = {feature: int(column) for feature, column in char_counter.vocabulary_.items()}
        self._word_idf = idf[: self.n_word_features]
        self._char_idf = idf[self.n_word_features:]
        self.n_documents = len(documents)
        self._added = _AddedTexts.empty(self.n_features)

    # --- persisting: plain arrays and JSON-able values, no files (the caller stores them) ------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """The fitted model as numpy arrays and a JSON-able dict; from_arrays makes it again.
        Texts added since the fit (with_texts) are not included: persist a fresh fit."""
        if self._added.rows:
            raise ValueError("a TextModel with added texts cannot be persisted; fit it again")
        arrays = {"text_data": self.matrix.data, "text_indices": self.matrix.indices,
                  "text_indptr": self.matrix.indptr,
                  "text_idf": np.concatenate([self._word_idf, self._char_idf])}
        state = {"n_word_features": self.n_word_features, "n_features": self.n_features,
                 "n_documents": self.n_documents, "word_vocab": self._word_vocab,
                 "char_vocab": self._char_vocab, "analyzer": self.analyzer.to_state()}
        return arrays, state

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], state: dict) -> "TextModel":
        model = cls.__new__(cls)
        model._scale = {block: math.sqrt(weight) for block, weight in BLOCK_WEIGHTS.items()}
        model.n_word_features, model.n_features = state["n_word_features"], state["n_features"]
        model.n_documents = state["n_documents"]
        indptr = arrays["text_indptr"]
        model.matrix = sp.csr_matrix((arrays["text_data"], arrays["text_indices"], indptr),
                                     shape=(len(indptr) - 1, model.n_features), copy=False)
        model._word_vocab, model._char_vocab = state["word_vocab"], state["char_vocab"]
        idf = arrays["text_idf"]
        model._word_idf, model._char_idf = idf[: model.n_word_features], idf[model.n_word_features:]
        model.analyzer = DanishAnalyzer.from_state(state["analyzer"])
        model._added = _AddedTexts.empty(model.n_features)
        return model

    # --- texts added after the fit ---------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        return self.matrix.shape[0] + len(self._added.rows)

    def with_texts(self, documents: Sequence[OpeningText]) -> tuple["TextModel", list[int]]:
        """A new model that also holds `documents` (rows appended after the existing ones, whose
        row numbers stay), and the rows they got; this model is left as it is, so queries running
        on it are not disturbed. The fit (idf, analyzer) stays: a word no fitted opening had gets
        a new feature column, weighted as a word found in one document of the fit, so a citizen
        who writes it still meets the opening. A full fit later (refresh) gives the exact
        weights again."""
        added = self._added.copy()
        model = copy.copy(self)
        model._added = added
        rows = []
        for doc in documents:
            rows.append(self.matrix.shape[0] + len(added.rows))
            added.rows.append(model.opening_vector(doc, learn=True))
        added.rebuild_matrix()
        return model, rows

    def cosines(self, rows: np.ndarray, vectors: Sequence[dict[int, float]]) -> np.ndarray:
        """Dense (len(rows) x len(vectors)) dot products of document rows with text vectors:
        one sparse row slice times a dense (features x vectors) matrix."""
        if not len(rows) or not vectors:
            return np.zeros((len(rows), len(vectors)))
        # Two columns per vector, its word part and its character part, so that a character-only
        # hit can be told apart (combine_spaces). Columns past the fit belong to texts added since
        # (with_texts), in either space.
        is_char = self._char_columns()
        columns = np.zeros((self._added.n_columns, 2 * len(vectors)))
        for j, vector in enumerate(vectors):
            if vector:
                keys = np.fromiter(vector.keys(), dtype=np.int64, count=len(vector))
                columns[keys, 2 * j + is_char[keys]] = list(vector.values())
        n_fitted = self.matrix.shape[0]
        if not self._added.rows or rows[-1] < n_fitted:      # rows come sorted (np.unique)
            products = np.asarray(self.matrix[rows] @ columns[: self.n_features])
        else:
            products = np.empty((len(rows), 2 * len(vectors)))
            fitted = rows < n_fitted
            products[fitted] = np.asarray(self.matrix[rows[fitted]] @ columns[: self.n_features])
            products[~fitted] = np.asarray(self._added.matrix[rows[~fitted] - n_fitted] @ columns)
        return combine_spaces(products[:, 0::2], products[:, 1::2])

    def _char_columns(self) -> np.ndarray:
        """1 for each column in the character space (fitted or added since), 0 in the word space."""
        mask = np.zeros(self._added.n_columns, dtype=np.int64)
        mask[self.n_word_features: self.n_features] = 1
        added_char = list(self._added.features[1].values())
        if added_char:
            mask[added_char] = 1
        return mask

    def similarity(self, a: dict[int, float], b: dict[int, float]) -> float:
        """The same similarity as cosines(), for two {feature: weight} vectors in plain Python."""
        word = char = 0.0
        if len(a) > len(b):
            a, b = b, a
        for column, w in a.items():
            if column in b:
                if column < self.n_word_features:
                    word += w * b[column]
                else:
                    char += w * b[column]
        return combine_spaces(word, char)

    def _tokens_of(self, field_texts: list[str]) -> tuple[sp.csr_matrix, list[TokenInfo]]:
        """Build the analyzer on the corpus tokens, then count each distinct token per text:
        a (texts x distinct tokens) matrix and the analysis of every distinct token."""
        text_tokens = [surface_tokens(text) for text in field_texts]
        self.analyzer = DanishAnalyzer({token for tokens in text_tokens for token in tokens})
        token_column: dict[str, int] = {}
        token_infos: list[TokenInfo] = []
        rows, columns = [], []
        for row, tokens in enumerate(text_tokens):
            for token in tokens:
                info = self.analyzer.token_info(token)
                if info is None:
                    continue
                column = token_column.get(token)
                if column is None:
                    column = token_column[token] = len(token_infos)
                    token_infos.append(info)
                rows.append(row)
                columns.append(column)
        if not token_infos:   # nothing to learn from: a sentinel keeps sklearn's vocabularies non-empty
            token_infos.append(TokenInfo("#", "#", (), (), "#"))
        text_by_token = sp.csr_matrix((np.ones(len(rows)), (rows, columns)),
                                      shape=(len(field_texts), len(token_infos)), dtype=np.float64)
        return text_by_token, token_infos

    # --- single texts as {feature index: weight} dicts, in plain Python -------------------------

    def _block_vector(self, features: Iterable[str], space: int) -> dict[int, float]:
        """Normalised sublinear TF-IDF of one text in one space (0 words, 1 characters), as
        TfidfTransformer computes it; features first seen after the fit get their added columns."""
        vocab, idf, offset = ((self._word_vocab, self._word_idf, 0) if space == 0
                              else (self._char_vocab, self._char_idf, self.n_word_features))
        added = self._added.features[space]
        counts: dict[int, int] = {}
        for feature in features:
            column = vocab.get(feature)
            if column is not None:
                column += offset
            else:
                column = added.get(feature)
                if column is None:
                    continue
            counts[column] = counts.get(column, 0) + 1
        weights = {column: (1.0 + math.log(count)) * self._idf_of(column) for column, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if norm == 0.0:
            return {}
        return {column: w / norm for column, w in sorted(weights.items())}

    def _idf_of(self, column: int) -> float:
        if column < self.n_word_features:
            return float(self._word_idf[column])
        if column < self.n_features:
            return float(self._char_idf[column - self.n_word_features])
        # A feature no fitted document had, as if found in one (smooth idf, as TfidfTransformer).
        return math.log((1 + self.n_documents) / 2) + 1.0

    def _text_blocks(self, text: str, learn: bool = False,
                     extra_words: Sequence[str] = ()) -> tuple[dict[int, float], dict[int, float]]:
        word_features = self.analyzer.word_features(text) + list(extra_words)
        char_features = char_wb_ngrams(self.analyzer.stem_text(text))
        if learn:
            self._added.learn(0, word_features, self._word_vocab)
            self._added.learn(1, char_features, self._char_vocab)
        return self._block_vector(word_features, 0), self._block_vector(char_features, 1)

    def _stack(self, words: dict[int, float], chars: dict[int, float]) -> dict[int, float]:
        vector = {column: self._scale["word"] * w for column, w in words.items()}
        vector.update((column, self._scale["char"] * w) for column, w in chars.items())
        return vector

    def text_vector(self, text: str, extra_words: Sequence[str] = ()) -> dict[int, float]:
        """Vector of a free text (a citizen's phrase) in both spaces; `extra_words` are word-space
        features its analysis lacks (a taught link's field tag, "#servering")."""
        return self._stack(*self._text_blocks(text, extra_words=extra_words))

    def feature_vector(self, feature: str) -> dict[int, float]:
        """A probe for one word-space feature: its dot product with an opening's row is above 0
        exactly when the opening has the feature ({} when no opening has it)."""
        column = self._word_vocab.get(feature)
        if column is None:
            column = self._added.features[0].get(feature)
        return {} if column is None else {column: 1.0}

    def fields_of_rows(self, rows: Iterable[int]) -> dict[int, frozenset[str]]:
        """The field tags (lexicon concepts, without "#") each document row carries."""
        names = {column: feature[1:] for feature, column in self._word_vocab.items() if feature.startswith("#")}
        names.update((column, feature[1:]) for feature, column in self._added.features[0].items()
                     if feature.startswith("#"))
        n_fitted = self.matrix.shape[0]
        found = {}
        for row in rows:
            if row < n_fitted:
                columns = self.matrix.indices[self.matrix.indptr[row]: self.matrix.indptr[row + 1]]
            else:
                columns = self._added.rows[row - n_fitted].keys()
            found[row] = frozenset(names[c] for c in map(int, columns) if c in names)
        return found

    def opening_vector(self, doc: OpeningText, learn: bool = False) -> dict[int, float]:
        """The opening's row of `matrix`, computed in plain Python. `learn` (with_texts only, on
        a model of its own) gives words the fit did not know new feature columns."""
        blocks = {field: self._text_blocks(getattr(doc, field), learn) for field in OPENING_FIELD_WEIGHTS}
        stacked = []
        for space in (0, 1):
            combined: dict[int, float] = {}
            for field, weight in OPENING_FIELD_WEIGHTS.items():
                for column, w in blocks[field][space].items():
                    combined[column] = combined.get(column, 0.0) + weight * w
            norm = math.sqrt(sum(w * w for w in combined.values()))
            stacked.append({c: w / norm for c, w in combined.items()} if norm else {})
        return self._stack(*stacked)


class _AddedTexts:
    """Opening texts added to a fitted TextModel: their vectors, the features they brought that
    the fit did not know ({feature: column} per space, columns after the fitted ones) and the
    rows as one sparse matrix."""

    def __init__(self, n_fitted_columns: int, rows: list, features: tuple[dict, dict]):
        self.n_fitted_columns = n_fitted_columns
        self.rows = rows
        self.features = features
        self.matrix = None

    @classmethod
    def empty(cls, n_fitted_columns: int) -> "_AddedTexts":
        return cls(n_fitted_columns, [], ({}, {}))

    def copy(self) -> "_AddedTexts":
        return _AddedTexts(self.n_fitted_columns, list(self.rows), (dict(self.features[0]), dict(self.features[1])))

    @property
    def n_columns(self) -> int:
        return self.n_fitted_columns + len(self.features[0]) + len(self.features[1])

    def learn(self, space: int, features: Iterable[str], vocab: dict) -> None:
        added = self.features[space]
        for feature in features:
            if feature not in vocab and feature not in added:
                added[feature] = self.n_columns

    def rebuild_matrix(self) -> None:
        indptr, indices, data = [0], [], []
        for vector in self.rows:
            indices.extend(vector.keys())
            data.extend(vector.values())
            indptr.append(len(indices))
        self.matrix = sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64),
                                     np.array(indptr, dtype=np.int64)), shape=(len(self.rows), self.n_columns))


# A surface hit does not beat a real fit (issue 13): when a citizen phrase and an opening share no
# word, stem, compound part or field tag, shared letter sequences alone ("sejlads" and "mad" share
# "ad") count for a fraction, capped below the typical weakest link through a field (word-space
# dot products above 0 are >= 0.02 in 19 of 20 generated pairs). They still order openings that
# have no link at all, and catch spelling variants the analyzer does not know.
CHAR_ONLY_SHARE = 0.5
CHAR_ONLY_CAP = 0.02


def combine_spaces(word, char):
    """Similarity from the word-space and character-space dot products (floats or arrays)."""
    if isinstance(word, np.ndarray):
        return word + np.where(word > 0.0, char, np.minimum(CHAR_ONLY_SHARE * char, CHAR_ONLY_CAP))
    return word + (char if word > 0.0 else min(CHAR_ONLY_SHARE * char, CHAR_ONLY_CAP))


def _fit(text_by_token: sp.csr_matrix, feature_by_token: sp.csr_matrix, selectors: dict[str, sp.csr_matrix],
         n_word: int, scales: tuple[float, float]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Fit idf over whole documents (the sum of their field counts). Each document's vector is
    then, per space, the normalised weighted sum of its normalised field vectors, times the
    space's scale. Intermediates are dropped early: for 100k distinct openings each is the size
    of the result."""
    from sklearn.feature_extraction.text import TfidfTransformer
    field_counts = sp.csr_matrix(text_by_token @ feature_by_token)
    doc_counts = sp.csr_matrix(sum(selectors.values()) @ field_counts)
    tfidf = TfidfTransformer(norm=None, sublinear_tf=True).fit(doc_counts)
    del doc_counts
    field_vectors = sp.csr_matrix(tfidf.transform(field_counts), dtype=np.float64)
    del field_counts
    _normalise_spaces(field_vectors, n_word, (1.0, 1.0))
    weighted = sum(weight * selectors[field] for field, weight in OPENING_FIELD_WEIGHTS.items())
    combined = sp.csr_matrix(weighted @ field_vectors)
    del field_vectors
    combined.sum_duplicates()
    _normalise_spaces(combined, n_word, scales)
    return combined, tfidf.idf_


def _normalise_spaces(matrix: sp.csr_matrix, n_word: int, scales: tuple[float, float],
                      chunk_rows: int = 8192) -> None:
    """In place: scale the word part (columns < n_word) and the character part of every row to
    length scales[0] and scales[1]. Works in chunks of rows to keep temporaries small."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    scale_pair = np.array(scales, dtype=np.float64)
    for start in range(0, matrix.shape[0], chunk_rows):
        stop = min(start + chunk_rows, matrix.shape[0])
        low, high = indptr[start], indptr[stop]
        if low == high:
            continue
        rows = np.repeat(np.arange(stop - start), np.diff(indptr[start:stop + 1]))
        slot = 2 * rows + (indices[low:high] >= n_word)          # (row, space) pairs
        norms = np.sqrt(np.bincount(slot, weights=data[low:high] ** 2, minlength=2 * (stop - start)))
        with np.errstate(divide="ignore"):
            factors = np.where(norms > 0, np.tile(scale_pair, stop - start) / norms, 0.0)
        data[low:high] *= factors[slot]


def _distinct_field_texts(documents: Sequence[OpeningText]) -> tuple[list[str], dict[str, sp.csr_matrix]]:
    """Each distinct field string once, and per field a (documents x strings) 0/1 matrix that
    picks every document's string."""
    position: dict[str, int] = {}
    picks = {field: np.empty(len(documents), dtype=np.int64) for field in OPENING_FIELD_WEIGHTS}
    for i, doc in enumerate(documents):
        for field in OPENING_FIELD_WEIGHTS:
            picks[field][i] = position.setdefault(getattr(doc, field), len(position))
    n_docs, n_texts = len(documents), len(position)
    selectors = {field: sp.csr_matrix((np.ones(n_docs), (np.arange(n_docs), picked)), shape=(n_docs, n_texts))
                 for field, picked in picks.items()}
    return list(position), selectors
