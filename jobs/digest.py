"""The consultants' daily digest e-mail and their follow-up calendar (.ics).

The digest lists a consultant's due reminders by a neutral word, the citizen's first name and a
link: the reminder titles stay on the page, because an e-mail leaves our systems. It is queued
once per consultant and day (dedupe key), so a second run the same day, or a second scheduler
process, queues nothing.

The calendar is iCalendar (RFC 5545) that Outlook reads: all-day events (DTSTART;VALUE=DATE,
so no time zone is involved and the date is right on both sides of a daylight-saving change),
one per upcoming follow-up and report deadline, with a UID built from the reminder's dedupe
key, so the same follow-up keeps its UID in every digest and in the feed and calendars update
rather than duplicate. Summaries carry a first name only.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event

from data import reminders as store
from data.outbox import enqueue
from jobs import emails
from core.clock import local_now
from jobs.rules import RULE_LABELS, follow_up_dates, follow_up_key, report_wants
from jobs.rules_config import rules_config

CALENDAR_WEEKS = 8
UID_DOMAIN = "smajobs"


def send_digests(db, config, now: datetime | None = None) -> dict:
    """Queue today's digest for every consultant with due reminders. Returns counts."""
    now = local_now(now)
    today = now.date()
    base = config.base_url.rstrip("/")
    queued = 0
    consultants = store.consultants_with_due_reminders(db, today)
    for consultant in consultants:
        due = store.due_reminders(db, today, consultant["email"])
        items = [(RULE_LABELS.get(r["rule"], "Påmindelse"), r["citizen_first_name"] or "(ingen borger)",
                  reminder_link(base, r)) for r in due]
        subject, body = emails.digest(consultant_name=consultant["name"], today=today, items=items,
                                      page_link=f"{base}/i-dag")
        events = calendar_events(db, config, consultant["email"], today)
        ics = consultant_calendar(db, config, consultant["email"], today, events)
        # The digest and its calendar name these citizens: erasing one of them removes the e-mail.
        named = {r["citizen_id"] for r in due} | {e["citizen_id"] for e in events}
        outbox_id = enqueue(db, to=consultant["email"], subject=subject, body_text=body,
                            citizen_ids=[c for c in named if c],
                            attachments=[{"filename": "opfoelgninger.ics",
                                          "content_type": "text/calendar; method=PUBLISH",
                                          "content": ics}],
                            dedupe_key=f"digest:{consultant['email'].lower()}:{today.isoformat()}",
                            send_after=now)
        queued += outbox_id is not None
    return {"consultants": len(consultants), "queued": queued}


def reminder_link(base: str, reminder: dict) -> str:
    """Ids only in URLs: the placement's page, else the citizen's, else the I dag page."""
    if reminder.get("placement_id"):
        return f"{base}/forloeb/{reminder['placement_id']}"
    if reminder.get("citizen_id"):
        return f"{base}/borgere/{reminder['citizen_id']}"
    return f"{base}/i-dag"


def calendar_events(db, config, consultant_email: str, today: date) -> list[dict]:
    """Upcoming follow-ups and report deadlines of the consultant's citizens, and their open
    overdue follow-ups, for the next CALENDAR_WEEKS weeks: dicts (uid_key, day, summary, link)."""
    rules = rules_config(config)
    horizon = today + timedelta(weeks=CALENDAR_WEEKS)
    base = config.base_url.rstrip("/")
    events: dict[str, dict] = {}
    placements = [p for p in store.placements_for_rules(db)
                  if p["status"] == "active" and (p["consultant_email"] or "").lower() == consultant_email.lower()]
    meetings: dict[int, list[dict]] = {}
    for meeting in store.meetings_for_rules(db):
        meetings.setdefault(meeting["placement_id"], []).append(meeting)
    for placement in placements:
        settings = rules.for_group(placement["target_group"])
        mine = meetings.get(placement["id"], [])
        for day in follow_up_dates(placement, mine, settings, horizon):
            if day >= today:
                key = follow_up_key(placement["id"], day)
                events[key] = {"key": key, "day": day, "summary": f"Opfølgning: {placement['first_name']}",
                               "link": f"{base}/forloeb/{placement['id']}", "citizen_id": placement["citizen_id"]}
    for reminder in store.open_reminders_of(db, consultant_email):
        if reminder["rule"] == "follow_up":  # an overdue follow-up stays in the calendar on its date
            events.setdefault(reminder["dedupe_key"], {
                "key": reminder["dedupe_key"], "day": date.fromisoformat(reminder["due_on"]),
                "summary": f"Opfølgning: {reminder['citizen_first_name']}",
                "link": f"{base}/forloeb/{reminder['placement_id']}", "citizen_id": reminder["citizen_id"]})
    reports = [r for r in store.unsubmitted_reports(db) if (r["consultant_email"] or "").lower() == consultant_email.lower()]
    for want in report_wants(reports, horizon, rules):
        # As of the horizon every report is at its deadline: the "due" want carries the date.
        if want.key.endswith(":due") and want.due_on >= today:
            first_name = next(r["first_name"] for r in reports if f"report:{r['id']}:due" == want.key)
            events[want.key] = {"key": want.key, "day": want.due_on, "summary": f"Rapportfrist: {first_name}",
                                "link": f"{base}/forloeb/{want.placement_id}", "citizen_id": want.citizen_id}
    return sorted(events.values(), key=lambda e: (e["day"], e["key"]))


def consultant_calendar(db, config, consultant_email: str, today: date, events: list[dict] | None = None) -> str:
    """The .ics of `calendar_events` (or of `events`, when the caller has read them already)."""
    calendar = Calendar()
    calendar.add("prodid", "-//småjobs//opfølgninger//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "småjobs: opfølgninger")
    calendar.add("x-wr-timezone", "Europe/Copenhagen")
    stamp = local_now().astimezone(timezone.utc).replace(microsecond=0)
    for item in events if events is not None else calendar_events(db, config, consultant_email, today):
        event = Event()
        event.add("uid", f"{item['key'].replace(':', '-')}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item["day"])
        event.add("dtend", item["day"] + timedelta(days=1))
        event.add("summary", item["summary"])
        event.add("url", item["link"])
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
