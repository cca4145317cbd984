"""Helpers for the reminder-rule tests (test_rules, test_today, test_digest, test_checkin,
test_frikort): placements through the real data layer, a simulated clock, and the words no
e-mail may contain."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from data.placements import create_placement

CPH = ZoneInfo("Europe/Copenhagen")
CONSULTANT = "konsulent@example.dk"
OPENING = "opn-98191"          # demo opening; its employer emp-98191 has contact emp-98191@example.dk
EMPLOYER_EMAIL = "emp-98191@example.dk"


def at(text: str) -> datetime:
    """A Copenhagen wall-clock moment, e.g. at("2026-03-30 08:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=CPH)


def placement(db, citizen_id="cit-fatma", *, start="2026-03-02", kind="smajob", status="active",
              hours=10, paid=0, wage=None, trial_weeks=0, opening=OPENING):
    if paid and wage is None:
        wage = 130
    return create_placement(db, citizen_id=citizen_id, opening_id=opening, kind=kind, start_date=start,
                            hours_per_week=hours, paid_hours_per_week=paid, hourly_wage=wage,
                            trial_weeks=trial_weeks, status=status)


def backdate(db, when: str = "2026-01-01T08:00:00+00:00") -> None:
    """Pretend every change so far happened at `when` (the stalled-course rule reads these)."""
    db.execute("UPDATE citizens SET updated_at = ?", [when])
    db.execute("UPDATE placements SET updated_at = ?", [when])
    db.execute("UPDATE meetings SET created_at = ?", [when])
    db.conn.commit()


def reminders(db, status: str | None = "open", rule: str | None = None) -> list[dict]:
    sql, params = "SELECT * FROM reminders WHERE 1 = 1", []
    if status:
        sql += " AND status = ?"
        params.append(status)
    if rule:
        sql += " AND rule = ?"
        params.append(rule)
    return list(db.query(sql + " ORDER BY id", params))


def keys(db, status: str | None = "open", rule: str | None = None) -> list[str]:
    return [r["dedupe_key"] for r in reminders(db, status, rule)]


def outbox(db) -> list[dict]:
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def _need_labels() -> list[str]:
    text = (Path(__file__).resolve().parent.parent / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    labels = []
    for code, label in re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", text, flags=re.M):
        labels += [code, label.strip()]
    return labels


# Needs labels and codes, target groups, diagnoses, benefits: none may appear in any e-mail.
SENSITIVE = _need_labels() + [
    "Udsatte voksne", "Unge med autisme", "autisme", "angst", "ADHD", "depression", "diagnose", "misbrug",
    "hjerneskade", "smerter", "straffeattest", "kriminal", "skånehensyn", "helbred", "sygedagpenge",
    "førtidspension", "fleksjob", "frikort", "målgruppe", "udadreagerende",
]


def assert_no_sensitive_words(rows: list[dict]) -> None:
    assert rows, "expected e-mails to check"
    for row in rows:
        attachments = row.get("attachments") or ""
        for text in (row["subject"], row["body_text"], row.get("body_html") or "", attachments):
            lowered = text.lower()
            for word in SENSITIVE:
                assert word.lower() not in lowered, f"{word!r} in e-mail {row['subject']!r}"
