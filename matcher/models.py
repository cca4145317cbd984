"""Plain, immutable data the matcher works on: citizens and openings in, matches and reasons out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .vocabulary import NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS

DEFAULT_MAX_TRAVEL_KM = 10.0


def _codes(values: Iterable[str] | None, allowed: Mapping[str, str], field: str) -> frozenset[str]:
    codes = frozenset(values or ())
    unknown = sorted(codes - allowed.keys())
    if unknown:
        raise ValueError(f"{field}: unknown code(s) {', '.join(unknown)}")
    return codes


def _normalise(instance, set_fields: dict[str, Mapping[str, str]]) -> None:
    """Frozen-dataclass post-init: accept any iterable for the code sets and languages, store
    frozensets/tuples, and reject codes outside the exchange format's vocabulary."""
    for field, allowed in set_fields.items():
        value = getattr(instance, field)
        if value is None:
            continue
        object.__setattr__(instance, field, _codes(value, allowed, field))
    object.__setattr__(instance, "languages", tuple(instance.languages))


def _hours(record: Mapping[str, Any]) -> tuple[int | None, int | None]:
    hours = record.get("hours_per_week") or {}
    low, high = hours.get("min"), hours.get("max")
    return (None if low is None else int(low)), (None if high is None else int(high))


def _languages(values: Iterable[str] | None) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(str(v).lower() for v in (values or ())))
    return codes or ("da",)


def _coordinate(record: Mapping[str, Any], key: str, owner: str) -> float:
    value = record.get(key)
    if value is None:
        raise ValueError(f"{owner} {record.get('id')!r}: {key} is missing (resolve the postcode first)")
    return float(value)


@dataclass(frozen=True)
class Citizen:
    id: str
    first_name: str
    lat: float
    lon: float
    interests: str = ""
    experience: str = ""
    goal: str = ""
    languages: tuple[str, ...] = ("da",)
    hours_min: int | None = None
    hours_max: int | None = None
    shifts: frozenset[str] | None = None      # None = any shift
    max_travel_km: float = DEFAULT_MAX_TRAVEL_KM
    needs: frozenset[str] = frozenset()

    def __post_init__(self):
        _normalise(self, {"shifts": SHIFT_LABELS, "needs": NEEDS})

    @classmethod
    def from_exchange(cls, record: dict) -> "Citizen":
        """A citizen record in the exchange format; lat/lon must already be present."""
        hours_min, hours_max = _hours(record)
        shifts = record.get("shifts")
        max_travel = record.get("max_travel_km")
        return cls(
            id=str(record["id"]),
            first_name=str(record.get("first_name", "")),
            lat=_coordinate(record, "lat", "citizen"),
            lon=_coordinate(record, "lon", "citizen"),
            interests=record.get("interests") or "",
            experience=record.get("experience") or "",
            goal=record.get("goal") or "",
            languages=_languages(record.get("languages")),
            hours_min=hours_min,
            hours_max=hours_max,
            # An absent or empty list states no preference, so any shift will do.
            shifts=_codes(shifts, SHIFT_LABELS, "shifts") if shifts else None,
            max_travel_km=DEFAULT_MAX_TRAVEL_KM if max_travel is None else float(max_travel),
            needs=_codes(record.get("needs"), NEEDS, "needs"),
        )


@dataclass(frozen=True)
class Opening:
    id: str
    employer_id: str
    employer_name: str
    title: str
    tasks: str
    lat: float
    lon: float
    industry: str = ""
    hours_min: int | None = None
    hours_max: int | None = None
    shifts: frozenset[str] = frozenset({"day"})
    paid_hours: str = "possible"
    trial_weeks: int = 0
    can_meet: frozenset[str] = frozenset()
    cannot_meet: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ("da",)
    seats: int = 1
    active: bool = True

    def __post_init__(self):
        _normalise(self, {"shifts": SHIFT_LABELS, "can_meet": NEEDS, "cannot_meet": NEEDS})
        if self.paid_hours not in PAID_HOURS_LABELS:
            raise ValueError(f"paid_hours: unknown code {self.paid_hours}")

    @classmethod
    def from_exchange(cls, opening: dict, employer: dict) -> "Opening":
        """One opening of an employer record; the employer carries place, name, industry, languages."""
        hours_min, hours_max = _hours(opening)
        paid = opening.get("paid_hours") or "possible"
        return cls(
            id=str(opening["id"]),
            employer_id=str(employer["id"]),
            employer_name=str(employer.get("name", "")),
            title=opening.get("title") or "",
            tasks=opening.get("tasks") or "",
            lat=_coordinate(employer, "lat", "employer"),
            lon=_coordinate(employer, "lon", "employer"),
            industry=employer.get("industry") or "",
            hours_min=hours_min,
            hours_max=hours_max,
            shifts=_codes(opening.get("shifts"), SHIFT_LABELS, "shifts") or frozenset({"day"}),
            paid_hours=paid,
            trial_weeks=int(opening.get("trial_weeks") or 0),
            can_meet=_codes(opening.get("can_meet"), NEEDS, "can_meet"),
            cannot_meet=_codes(opening.get("cannot_meet"), NEEDS, "cannot_meet"),
            languages=_languages(employer.get("languages")),
            seats=int(opening.get("seats") or 1),
            active=bool(opening.get("active", True)),
        )

    @classmethod
    def all_from_employers(cls, employers: list[dict]) -> list["Opening"]:
        return [cls.from_exchange(opening, employer)
                for employer in employers for opening in employer.get("openings") or ()]


@dataclass(frozen=True)
class Reason:
    kind: str       # interest, goal, experience, distance, needs_met, needs_unknown, paid_hours, ...
    text: str       # Danish, ready to read aloud
    positive: bool  # True = speaks for the match, False = against

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "positive": self.positive}


@dataclass(frozen=True)
class Match:
    opening_id: str
    employer_id: str
    score: float
    distance_km: float
    reasons: tuple[Reason, ...]
    outside_radius: bool = False

    def to_dict(self) -> dict:
        """`reasons` are the Danish sentences to read aloud, for first, then against;
        `reason_details` carry each sentence's kind and direction for other systems."""
        return {
            "opening_id": self.opening_id,
            "employer_id": self.employer_id,
            "score": self.score,
            "distance_km": self.distance_km,
            "outside_radius": self.outside_radius,
            "reasons": [reason.text for reason in self.reasons],
            "reason_details": [reason.to_dict() for reason in self.reasons],
        }


# The hard rules in the order they are applied, for MatchResult.excluded: the citizen's own limits
# first (needs, shifts, hours), then the filters of this search.
EXCLUSION_RULES = ("needs", "shifts", "hours", "shift_filter", "paid_only", "known_needs")


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Match, ...]
    radius_km: float
    widened: bool
    notice: str | None
    # Active openings within the radius dropped by each hard rule, as (rule, count) in
    # EXCLUSION_RULES order; each opening counts once, under the first rule that drops it.
    # Lets a page say why a list is empty. Only MatchIndex fills it.
    within_radius: int = 0
    excluded: tuple[tuple[str, int], ...] = ()
