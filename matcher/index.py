"""The vectorised matcher: openings are packed once into numpy arrays (sorted by latitude) and a
TF-IDF matrix; a query is a latitude band lookup, boolean masks for the hard rules, one sparse
product for the text fit of the remaining rows, and a partial sort for the top N. Reasons are
built only for the N matches returned."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from . import scoring
from .geo import haversine_km, lat_band_deg, lon_band_deg
from .models import EXCLUSION_RULES, Citizen, Match, MatchResult, Opening
from .reasons import Segment, build_reasons, citizen_phrases, format_limit_km, opening_segments, text_reasons
from .taught import CONSULTANT, NO_LINKS, PLACEMENTS, TaughtLinks
from .text import OpeningText, TextModel, phrases, without_names
from .vocabulary import hours_range, need_mask, shift_mask

PAID_CODES = {"from_start": 0, "after_trial": 1, "possible": 2, "no": 3}
PAID_ONLY_MAX_CODE = PAID_CODES["after_trial"]
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 14)], dtype=np.int64)


def opening_text(opening: Opening) -> OpeningText:
    """What the text model reads of an opening: proper names are not content (text.without_names)."""
    return OpeningText(without_names(opening.title, opening.employer_name),
                       without_names(opening.tasks, opening.employer_name), opening.industry)


def widened_notice(radius_km: float, citizen: Citizen) -> str:
    return (f"Søgningen er udvidet til {format_limit_km(radius_km)} km – "
            f"borgerens egen grænse er {format_limit_km(citizen.max_travel_km)} km.")


TaughtByPhrase = dict  # citizen phrase -> the TaughtLinks that apply to it (taught_by_phrase)


def taught_by_phrase(model: TextModel, citizen: Citizen, taught: TaughtLinks) -> TaughtByPhrase:
    """The taught links that apply to each of the citizen's phrases (none where the vocabulary
    already places the phrase in the link's field), worked out once per query."""
    if not taught:
        return {}
    found = {}
    for field in scoring.FIELD_WEIGHTS:
        for phrase in phrases(getattr(citizen, field)):
            known = {c for info in model.analyzer.analyse(phrase) for c in info.concepts}
            links = taught.for_phrase(phrase, known)
            if links:
                found[phrase] = links
    return found


@dataclass(frozen=True)
class CitizenPhrases:
    """A citizen's phrases per text field with their vectors, built once per query. A phrase a
    consultant's link applies to carries the link's field tag in its vector; `learned` holds, per
    field, the (field, closeness bonus) pairs learnt from forløb for each phrase."""
    fields: dict[str, list[tuple[str, dict[int, float]]]]
    learned: dict[str, list[tuple[tuple[str, float], ...]]]

    @classmethod
    def build(cls, model: TextModel, citizen: Citizen, taught: TaughtByPhrase | None = None) -> "CitizenPhrases":
        taught = taught or {}
        fields, learned = {}, {}
        for field in scoring.FIELD_WEIGHTS:
            found = phrases(getattr(citizen, field))
            if found:
                links = [taught.get(phrase, ()) for phrase in found]
                fields[field] = [(phrase, model.text_vector(phrase, ["#" + l.field for l in ls if l.source == CONSULTANT]))
                                 for phrase, ls in zip(found, links)]
                learned[field] = [tuple((l.field, l.bonus) for l in ls if l.source == PLACEMENTS) for ls in links]
        return cls(fields, learned)


def text_fit_from_cosines(cosines_by_field: dict[str, Sequence]) -> float | np.ndarray:
    """Weighted mean over the citizen's fields of each field's fit; the per-phrase cosines may be
    floats (baseline) or arrays (index) - the arithmetic is the same, in the same order."""
    total_weight = sum(scoring.FIELD_WEIGHTS[f] for f in scoring.FIELD_WEIGHTS if f in cosines_by_field)
    if not total_weight:
        return 0.0
    fit = 0.0
    for field, weight in scoring.FIELD_WEIGHTS.items():
        cosines = cosines_by_field.get(field)
        if not cosines:
            continue
        saturated = [scoring.saturate(c) for c in cosines]
        best, summed = saturated[0], saturated[0]
        for value in saturated[1:]:
            best = np.maximum(best, value) if isinstance(value, np.ndarray) else max(best, value)
            summed = summed + value
        fit = fit + weight * scoring.field_fit(best, summed / len(saturated))
    return fit / total_weight


# Per-row arrays of an index, in row order (openings sorted by latitude); `ids` and
# `employer_ids` are numpy unicode arrays, `seq` the input position that breaks ties between
# repeated ids, `record` the opening's place in the index's OpeningRecords.
ROW_ARRAYS = ("lat", "lon", "active", "shift_bits", "can_bits", "cannot_bits", "hours_low", "hours_high",
              "paid_code", "paid", "text_row", "ids", "employer_ids", "seq", "record")


class OpeningRecords:
    """The Opening objects behind an index's rows, by record number: `fitted` (a list, or any
    sequence that makes Openings on demand, e.g. read lazily from a persisted index) followed by
    the openings added since. Append-only and copied on change, like the index."""

    def __init__(self, fitted: Sequence[Opening], added: tuple[Opening, ...] = ()):
        self._fitted, self._added = fitted, added

    def __len__(self) -> int:
        return len(self._fitted) + len(self._added)

    def __getitem__(self, record: int) -> Opening:
        n = len(self._fitted)
        return self._fitted[record] if record < n else self._added[record - n]

    def plus(self, openings: Sequence[Opening]) -> "OpeningRecords":
        return OpeningRecords(self._fitted, self._added + tuple(openings))


def _row_arrays(ops: Sequence[Opening]) -> dict[str, np.ndarray]:
    """Every per-row array except text_row, seq and record, for openings in row order."""
    hours = np.array([hours_range(o.hours_min, o.hours_max) for o in ops], dtype=np.int64).reshape(-1, 2)
    return {
        "lat": np.array([o.lat for o in ops], dtype=np.float64),
        "lon": np.array([o.lon for o in ops], dtype=np.float64),
        "active": np.array([o.active for o in ops], dtype=bool),
        "shift_bits": np.array([shift_mask(o.shifts) for o in ops], dtype=np.int64),
        "can_bits": np.array([need_mask(o.can_meet) for o in ops], dtype=np.int64),
        "cannot_bits": np.array([need_mask(o.cannot_meet) for o in ops], dtype=np.int64),
        "hours_low": hours[:, 0].copy(), "hours_high": hours[:, 1].copy(),
        "paid_code": np.array([PAID_CODES[o.paid_hours] for o in ops], dtype=np.int64),
        "paid": np.array([scoring.paid_component(o.paid_hours, o.trial_weeks) for o in ops], dtype=np.float64),
        "ids": np.array([o.id for o in ops], dtype=str).astype("U"),
        "employer_ids": np.array([o.employer_id for o in ops], dtype=str).astype("U"),
    }


class MatchIndex:
    """All openings packed for fast matching; build once, then call match() per citizen.
    Read-only after construction apart from small caches, so one index can serve many threads;
    with_changes() makes a new index for a changed registry and leaves this one as it is."""

    def __init__(self, openings: Iterable[Opening]):
        given = list(openings)
        order = sorted(range(len(given)), key=lambda i: (given[i].lat, i))
        ops = [given[i] for i in order]
        rows = _row_arrays(ops)
        rows["seq"] = np.array(order, dtype=np.int64)
        rows["record"] = np.arange(len(ops), dtype=np.int64)
        # Openings often share their text (chains, repeated templates): fit and score each once.
        text_position: dict[OpeningText, int] = {}
        rows["text_row"] = np.array([text_position.setdefault(opening_text(o), len(text_position)) for o in ops],
                                    dtype=np.int64)
        text_model = TextModel(list(text_position)) if ops else None
        self._assemble(rows, OpeningRecords(ops), text_model, {})

    def _assemble(self, rows: dict[str, np.ndarray], records: OpeningRecords, text_model, segments: dict) -> None:
        for name in ROW_ARRAYS:
            setattr(self, "_" + name, rows[name])
        self._records = records
        self.text_model = text_model
        self._segments: dict[int, tuple[Segment, ...]] = segments

    def __len__(self) -> int:
        return len(self._lat)

    @property
    def openings(self) -> list[Opening]:
        return [self._records[int(r)] for r in self._record]

    def openings_by_record(self) -> list[Opening]:
        """Every opening the index has held, by record number (what from_arrays wants back)."""
        return [self._records[i] for i in range(len(self._records))]

    # --- persisting: arrays and a JSON-able dict; the caller stores them ----------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """The index as numpy arrays and a JSON-able dict (no Opening objects: store those apart,
        one per record number, and give them back to from_arrays)."""
        if self.text_model is None:
            raise ValueError("an empty index is not worth persisting")
        arrays, state = self.text_model.to_arrays()
        arrays.update({name: getattr(self, "_" + name) for name in ROW_ARRAYS})
        return arrays, {"text_model": state}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], state: dict, records: Sequence[Opening]) -> "MatchIndex":
        """The index of to_arrays again; `records` are the openings by record number. The arrays
        may be read-only (memory-mapped): an index never writes to them."""
        index = cls.__new__(cls)
        index._assemble({name: arrays[name] for name in ROW_ARRAYS}, OpeningRecords(records),
                        TextModel.from_arrays(arrays, state["text_model"]), {})
        return index

    # --- incremental change ----------------------------------------------------------------------

    def with_changes(self, employer_ids: Iterable[str], openings: Iterable[Opening]) -> "MatchIndex":
        """A new index in which every opening of `employer_ids` is replaced by `openings` (the
        employers' matchable openings now: none for a closed or deleted employer). This index is
        left untouched, so requests running on it finish undisturbed; the caller swaps the new
        one in. Texts not seen before are added to the text model without refitting it (see
        TextModel.with_texts)."""
        if self.text_model is None:
            return MatchIndex(openings)     # nothing fitted to extend
        changed = np.array(sorted(set(employer_ids)), dtype=str).astype("U")
        keep = ~np.isin(self._employer_ids, changed) if changed.size else np.ones(len(self), dtype=bool)
        added = sorted(openings, key=lambda o: o.lat)
        text_model, text_rows = self.text_model.with_texts(list(dict.fromkeys(opening_text(o) for o in added)))
        row_of_text = dict(zip(dict.fromkeys(opening_text(o) for o in added), text_rows))
        new = _row_arrays(added)
        first_seq = int(self._seq.max()) + 1 if len(self) else 0
        new["seq"] = np.arange(first_seq, first_seq + len(added), dtype=np.int64)
        new["record"] = np.arange(len(self._records), len(self._records) + len(added), dtype=np.int64)
        new["text_row"] = np.array([row_of_text[opening_text(o)] for o in added], dtype=np.int64)
        kept_lat = self._lat[keep]
        at = np.searchsorted(kept_lat, new["lat"], side="right")   # stays sorted by latitude
        rows = {}
        for name in ROW_ARRAYS:
            kept = getattr(self, "_" + name)[keep]
            dtype = np.result_type(kept, new[name])      # a longer id widens the unicode arrays
            rows[name] = np.insert(kept.astype(dtype, copy=False), at, new[name].astype(dtype, copy=False))
        index = MatchIndex.__new__(MatchIndex)
        index._assemble(rows, self._records.plus(added), text_model, self._segments)
        return index

    def opening_fields(self, opening_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """The fields of work (the vocabulary's field tags) each opening's text carries; an
        opening the index does not hold is left out (learning from forløb, data.taught_links)."""
        wanted = np.array(sorted(set(opening_ids)), dtype=str).astype("U")
        if not wanted.size or self.text_model is None:
            return {}
        rows = np.flatnonzero(np.isin(self._ids, wanted))
        text_rows = [int(self._text_row[row]) for row in rows]
        by_text_row = self.text_model.fields_of_rows(set(text_rows))
        return {str(self._ids[row]): by_text_row[text_row] for row, text_row in zip(rows, text_rows)}

    # --- query --------------------------------------------------------------------------------

    def match(self, citizen: Citizen, top: int = 10, *, radius_km: float | None = None,
              shifts: Iterable[str] | None = None, paid_only: bool = False,
              require_known_needs: bool = False, taught: TaughtLinks = NO_LINKS) -> MatchResult:
        """The citizen's best `top` openings. `taught` holds the links consultants taught and the
        pairings learnt from forløb (matcher.taught), given by the caller as plain data."""
        radius = citizen.max_travel_km if radius_km is None else float(radius_km)
        widened = radius > citizen.max_travel_km
        notice = widened_notice(radius, citizen) if widened else None
        rows, distances = self._within_radius(citizen.lat, citizen.lon, radius)
        rules = self._hard_rules(rows, citizen, shifts, paid_only, require_known_needs)
        keep = self._active[rows].copy()
        for passes in rules.values():
            keep &= passes
        within, excluded = _exclusion_counts(self._active[rows], rules)
        rows, distances = rows[keep], distances[keep]
        if top <= 0 or rows.size == 0:
            return MatchResult((), radius, widened, notice, within, excluded)

        links = taught_by_phrase(self.text_model, citizen, taught)
        text_fit, cosines, phrase_columns = self._text_fit(citizen, rows, links)
        fit = scoring.has_fit(cosines.max(axis=1)) if cosines.shape[1] else np.zeros(rows.size, dtype=bool)
        score = self._score(citizen, rows, distances, text_fit, fit)
        chosen = _top_positions(score, rows, self._ids, self._seq, top)
        matches = self._matches(citizen, chosen, rows, distances, score, fit, cosines, phrase_columns, links)
        return MatchResult(matches, radius, widened, notice, within, excluded)

    def _score(self, citizen: Citizen, rows: np.ndarray, distances: np.ndarray, text_fit: np.ndarray,
               fit: np.ndarray) -> np.ndarray:
        needs_met = _POPCOUNT[self._can_bits[rows] & need_mask(citizen.needs)]
        return scoring.round_score(scoring.with_fit(scoring.combine(
            text_fit, scoring.distance_component(distances),
            scoring.needs_component(needs_met, len(citizen.needs)), self._paid[rows]), fit))

    def _matches(self, citizen: Citizen, chosen: np.ndarray, rows: np.ndarray, distances: np.ndarray,
                 score: np.ndarray, fit: np.ndarray, cosines: np.ndarray,
                 phrase_columns: dict[str, list[int]], taught: TaughtByPhrase) -> tuple[Match, ...]:
        """Match objects with reasons for the chosen positions, in order."""
        analysed = citizen_phrases(self.text_model.analyzer, citizen, taught)
        text_reasons_by_row: dict[int, tuple] = {}   # openings sharing a text share these
        pair_memo: dict = {}
        matches = []
        for position in chosen:
            row = int(rows[position])
            text_row = int(self._text_row[row])
            if text_row not in text_reasons_by_row:
                closeness = {field: [float(cosines[position, c]) for c in columns]
                             for field, columns in phrase_columns.items()}
                text_reasons_by_row[text_row] = text_reasons(analysed, self._segments_of(row), closeness, pair_memo)
            opening = self._records[int(self._record[row])]
            distance = float(distances[position])
            outside = distance > citizen.max_travel_km
            reasons = build_reasons(citizen, opening, text_reasons_by_row[text_row], distance, outside,
                                    bool(fit[position]))
            matches.append(Match(opening.id, opening.employer_id, float(score[position]), distance, reasons, outside))
        return tuple(matches)

    def _within_radius(self, lat: float, lon: float, radius: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows within `radius` km (inclusive) and their distances. Latitude band by binary search
        on the sorted latitudes, then a longitude window, then exact haversine."""
        if radius < 0 or not len(self):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        half_lat = lat_band_deg(radius) * (1 + 1e-9) + 1e-9
        low = int(np.searchsorted(self._lat, lat - half_lat, side="left"))
        high = int(np.searchsorted(self._lat, lat + half_lat, side="right"))
        half_lon = lon_band_deg(radius, min(abs(lat) + half_lat, 90.0)) * (1 + 1e-6) + 1e-9
        if half_lon < 180.0:
            dlon = np.abs(self._lon[low:high] - lon)
            dlon = np.minimum(dlon, 360.0 - dlon)
            rows = np.flatnonzero(dlon <= half_lon) + low
        else:
            rows = np.arange(low, high)
        distances = haversine_km(lat, lon, self._lat[rows], self._lon[rows])
        inside = distances <= radius
        return rows[inside], distances[inside]

    def _hard_rules(self, rows: np.ndarray, citizen: Citizen, shifts: Iterable[str] | None,
                    paid_only: bool, require_known_needs: bool) -> dict[str, np.ndarray]:
        """Per hard rule (EXCLUSION_RULES), which rows pass it; a filter not in use is left out."""
        needs = need_mask(citizen.needs)
        own_shifts = self._shift_bits[rows] & shift_mask(citizen.shifts)
        hours_low, hours_high = hours_range(citizen.hours_min, citizen.hours_max)
        rules = {
            "needs": (self._cannot_bits[rows] & needs) == 0,
            "shifts": own_shifts != 0,
            "hours": np.maximum(self._hours_low[rows], hours_low) <= np.minimum(self._hours_high[rows], hours_high),
        }
        if shifts is not None:
            rules["shift_filter"] = (own_shifts & shift_mask(list(shifts))) != 0
        if paid_only:
            rules["paid_only"] = self._paid_code[rows] <= PAID_ONLY_MAX_CODE
        if require_known_needs:
            rules["known_needs"] = (self._can_bits[rows] & needs) == needs
        return rules

    def _text_fit(self, citizen: Citizen, rows: np.ndarray, taught: TaughtByPhrase):
        """Text fit per row, the per-phrase cosines per row and which columns belong to which
        field. Each distinct opening text among the rows is scored once."""
        built = CitizenPhrases.build(self.text_model, citizen, taught)
        columns: dict[str, list[int]] = {}
        vectors: list[dict[int, float]] = []
        learned: list[tuple[tuple[str, float], ...]] = []
        for field, entries in built.fields.items():
            columns[field] = list(range(len(vectors), len(vectors) + len(entries)))
            vectors.extend(vector for _, vector in entries)
            learned.extend(built.learned[field])
        if not vectors:
            return np.zeros(rows.size), np.zeros((rows.size, 0)), columns
        distinct, inverse = np.unique(self._text_row[rows], return_inverse=True)
        # One probe column per field a learnt pairing points to, in the same sparse product.
        probed = sorted({f for pairs in learned for f, _ in pairs})
        products = self.text_model.cosines(distinct, vectors + [self.text_model.feature_vector("#" + f) for f in probed])
        cosines = products[:, : len(vectors)]
        for column, pairs in enumerate(learned):
            for field, bonus in pairs:
                cosines[:, column] += bonus * (products[:, len(vectors) + probed.index(field)] > 0.0)
        fit = text_fit_from_cosines({field: [cosines[:, c] for c in cols] for field, cols in columns.items()})
        return fit[inverse], cosines[inverse], columns

    def _segments_of(self, row: int) -> tuple[Segment, ...]:
        text_row = int(self._text_row[row])
        segments = self._segments.get(text_row)
        if segments is None:
            opening = self._records[int(self._record[row])]
            segments = self._segments[text_row] = opening_segments(self.text_model.analyzer, opening)
        return segments


def _exclusion_counts(active: np.ndarray, rules: dict[str, np.ndarray]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """How many active rows there are and how many each rule drops first (EXCLUSION_RULES order)."""
    left = active.copy()
    counts = []
    for rule in EXCLUSION_RULES:
        if rule in rules:
            dropped = int(np.count_nonzero(left & ~rules[rule]))
            if dropped:
                counts.append((rule, dropped))
            left &= rules[rule]
    return int(np.count_nonzero(active)), tuple(counts)


def _top_positions(score: np.ndarray, rows: np.ndarray, ids: np.ndarray, seq: np.ndarray, top: int) -> np.ndarray:
    """Positions of the `top` best scores, highest first, ties by opening id (then by input
    position, should ids repeat). Every row tied with the last place takes part in the
    tie-break, so the cut is deterministic."""
    if score.size > top:
        threshold = np.partition(score, score.size - top)[score.size - top]
        candidates = np.flatnonzero(score >= threshold)
    else:
        candidates = np.arange(score.size)
    chosen_rows = rows[candidates]
    order = np.lexsort((seq[chosen_rows], ids[chosen_rows], -score[candidates]))
    return candidates[order[:top]]


def match_openings(citizen: Citizen, openings: Iterable[Opening], top: int = 10, **kw) -> MatchResult:
    """Build an index over `openings` and match one citizen (for one-off use; keep a MatchIndex
    around when matching many citizens)."""
    return MatchIndex(openings).match(citizen, top, **kw)
