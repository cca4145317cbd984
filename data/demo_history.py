"""A made-up, anonymous history of ended forløb for the demo (`smajobs demo`) and the benchmark:
rows in placement_statistics (marked demo = 1) with later statuses, spread over the three years
before `today`, from a seeded random generator, so every run makes the same history.

The proportions follow the providers' own tables roughly: a little under half reach paid hours;
two months after the end about half of those with paid hours are in work or self-supporting,
against about one in eight without.
"""
from __future__ import annotations

import random
from datetime import date

import sqlite_utils

from core.clock import add_months
from data.db import write

TARGET_GROUPS = ("Unge under 30 år", "Udsatte voksne over 30 år", "Unge med autisme",
                 "Udsatte voksne med udadreagerende adfærd")
KINDS = (("virksomhedspraktik", 45), ("smajob", 30), ("hybridpraktik", 15), ("fleksjob", 10))
AGE_BANDS = {TARGET_GROUPS[0]: ("18-24", "25-29"), TARGET_GROUPS[1]: ("30-39", "40-49", "50-59", "60+"),
             TARGET_GROUPS[2]: ("18-24", "25-29"), TARGET_GROUPS[3]: ("30-39", "40-49", "50-59")}
PAID_SHARE = {TARGET_GROUPS[0]: .5, TARGET_GROUPS[1]: .42, TARGET_GROUPS[2]: .38, TARGET_GROUPS[3]: .3}
OUTCOMES = {
    True: (("beskaeftigelse", 34), ("uddannelse", 12), ("fleksjob", 10), ("selvforsoerget", 5), ("ledighed", 17),
           ("sygedagpenge", 7), ("anden_offentlig_forsoergelse", 13), ("foertidspension", 2)),
    False: (("beskaeftigelse", 8), ("uddannelse", 10), ("fleksjob", 6), ("selvforsoerget", 2), ("ledighed", 30),
            ("sygedagpenge", 14), ("anden_offentlig_forsoergelse", 24), ("foertidspension", 6)),
}
LATER = {
    True: (("beskaeftigelse", 40), ("selvforsoerget", 8), ("beskaeftigelse_og_offentlig_forsoergelse", 10),
           ("uddannelse", 9), ("fleksjob", 8), ("ledighed", 10), ("sygedagpenge", 4),
           ("anden_offentlig_forsoergelse", 6), ("foertidspension", 1), ("ukendt", 4)),
    False: (("beskaeftigelse", 9), ("selvforsoerget", 3), ("beskaeftigelse_og_offentlig_forsoergelse", 5),
            ("uddannelse", 8), ("fleksjob", 6), ("ledighed", 26), ("sygedagpenge", 13),
            ("anden_offentlig_forsoergelse", 20), ("foertidspension", 5), ("ukendt", 5)),
}
MISSING_SHARE = 0.08  # statuses never recorded, so the page has some "mangler" to show


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def has_demo_history(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM placement_statistics WHERE demo = 1 LIMIT 1").fetchone() is not None


def seed_history(db: sqlite_utils.Database, today: date, count: int = 360, seed: int = 12,
                 points: tuple[int, ...] = (2, 6, 12)) -> int:
    """Add `count` demo forløb ended in the 36 months before `today` (none if there are some
    already); returns how many were added."""
    if has_demo_history(db):
        return 0
    rng = random.Random(seed)
    this_month = date(today.year, today.month, 1)
    rows, statuses = [], []
    for index in range(count):
        group = rng.choice(TARGET_GROUPS)
        end = add_months(this_month, -rng.randint(1, 36))
        start = add_months(end, -rng.randint(2, 9))
        paid = rng.random() < PAID_SHARE[group]
        days = min(rng.randint(7, 40) + int(rng.expovariate(1 / 40)), (end - start).days) if paid else None
        rows.append((index, _pick(rng, KINDS), group, rng.choice(AGE_BANDS[group]), start.isoformat()[:7],
                     end.isoformat()[:7], int(paid), days, _pick(rng, OUTCOMES[paid])))
        for months in points:
            if add_months(end, months) <= this_month and rng.random() > MISSING_SHARE:
                statuses.append((index, months, _pick(rng, LATER[paid])))
    with write(db):
        first = (db.execute("SELECT COALESCE(MAX(id), 0) FROM placement_statistics").fetchone()[0] or 0) + 1
        db.conn.executemany(
            "INSERT INTO placement_statistics (id, kind, target_group, age_band, start_month, end_month, "
            "paid_hours_reached, days_to_paid_hours, outcome, demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [(first + r[0], *r[1:]) for r in rows])
        db.conn.executemany(
            "INSERT INTO placement_statistics_statuses (statistics_id, months, status) VALUES (?, ?, ?)",
            [(first + i, m, s) for i, m, s in statuses])
    return count
