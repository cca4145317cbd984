"""Socialt frikort: a year's earnings from paid hours against that year's tax-free ceiling.

Earnings are estimated from the placements: paid hours per week × hourly wage × paid weeks in
the calendar year (days in the year between the first paid day and the end, or today for a
running placement, divided by seven). Planned placements have earned nothing yet.

The first paid day is the start date plus the placement's `trial_weeks` ("Praktikuger før
lønnede timer": a virksomhedspraktik, or an opening with paid hours `after_trial`, pays nothing
in its trial weeks), except for a hybridpraktik, which combines praktik and paid hours from its
first day, so its paid hours count from the start whatever the trial weeks say. The ceiling per year comes from
`data/reference/socialt_frikort_satser.csv`; a year without a figure there is taken from config
(`RulesConfig.frikort_ceiling_fallback`) and the status says so.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from jobs.rules_config import RulesConfig

RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "socialt_frikort_satser.csv"


@lru_cache(maxsize=1)
def published_ceilings() -> dict[int, float]:
    """Year -> ceiling in kroner, for the years the reference file has a figure for."""
    ceilings = {}
    with RATES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            amount = (row.get("loft_dkk") or "").strip()
            if row.get("aar", "").strip().isdigit() and amount:
                ceilings[int(row["aar"])] = float(amount)
    return ceilings


@dataclass(frozen=True)
class Ceiling:
    year: int
    amount: float
    from_config: bool

    def note(self) -> str | None:
        """The page's explanation when the figure is not a published one."""
        if not self.from_config:
            return None
        return (f"Loftet for {self.year} er ikke offentliggjort i vores kilder; vi bruger "
                f"{_kroner(self.amount)} kr. fra konfigurationen.")


def ceiling_for(year: int, rules: RulesConfig) -> Ceiling | None:
    published = published_ceilings()
    if year in published:
        return Ceiling(year, published[year], False)
    if year in rules.frikort_ceiling_fallback:
        return Ceiling(year, float(rules.frikort_ceiling_fallback[year]), True)
    return None


# Kinds whose paid hours are paid from the first day, trial weeks or not.
PAID_FROM_START_KINDS = ("hybridpraktik",)


def first_paid_day(placement: dict) -> date:
    """The day the placement's paid hours start being paid (see the module docstring)."""
    start = date.fromisoformat(placement["start_date"])
    if placement["kind"] in PAID_FROM_START_KINDS:
        return start
    return start + timedelta(weeks=placement["trial_weeks"] or 0)


def weeks_in_year(placement: dict, year: int, today: date) -> float:
    """Paid weeks of `placement` in `year` up to and including `today`."""
    if placement["status"] in ("planned", "cancelled"):  # a cancelled forløb was a mistake: nothing earned
        return 0.0
    start = max(first_paid_day(placement), date(year, 1, 1))
    last = today
    if placement["status"] == "ended" and placement.get("end_date"):
        last = min(last, date.fromisoformat(placement["end_date"]))
    last = min(last, date(year, 12, 31))
    if last < start:
        return 0.0
    return ((last - start).days + 1) / 7


def earnings_in_year(placements: list[dict], year: int, today: date) -> tuple[float, bool]:
    """(kroner earned in `year` so far, whether a placement with paid hours lacks a wage)."""
    total, wage_missing = 0.0, False
    for placement in placements:
        paid = placement["paid_hours_per_week"] or 0
        if not paid:
            continue
        weeks = weeks_in_year(placement, year, today)
        if not weeks:
            continue
        if placement["hourly_wage"] is None:
            wage_missing = True
            continue
        total += paid * placement["hourly_wage"] * weeks
    return round(total, 2), wage_missing


@dataclass(frozen=True)
class FrikortStatus:
    citizen_id: str
    first_name: str
    year: int
    earned: float
    ceiling: Ceiling | None
    wage_missing: bool

    @property
    def share(self) -> float | None:
        return self.earned / self.ceiling.amount if self.ceiling else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else int(self.share * 100)


def status_for(citizen: dict, placements: list[dict], today: date, rules: RulesConfig) -> FrikortStatus:
    earned, wage_missing = earnings_in_year(placements, today.year, today)
    return FrikortStatus(citizen["id"], citizen["first_name"], today.year, earned,
                         ceiling_for(today.year, rules), wage_missing)


def _kroner(amount: float) -> str:
    return f"{amount:,.0f}".replace(",", ".")


kroner = _kroner
