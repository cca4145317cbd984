"""Danish postcodes with coordinates (reference/postnumre_dk.csv, see reference/SOURCES.md)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

POSTCODES_CSV = Path(__file__).parent / "reference" / "postnumre_dk.csv"


@dataclass(frozen=True)
class Postcode:
    code: str
    name: str
    lat: float
    lon: float
    region: str


@lru_cache(maxsize=1)
def all_postcodes() -> dict[str, Postcode]:
    with POSTCODES_CSV.open(encoding="utf-8", newline="") as f:
        return {
            row["postnr"]: Postcode(
                code=row["postnr"],
                name=row["navn"],
                # The land-clipped centre: the plain one lies at sea for some coastal codes.
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                region=row["region_navn"],
            )
            for row in csv.DictReader(f)
        }


def lookup(code: str) -> Postcode | None:
    return all_postcodes().get(str(code).strip())
