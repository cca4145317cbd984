"""The reminder rules (issue 5, rules 1–7) and one pass over them.

Each rule looks at the data as of `now` and says which reminders *should* be open right now
(`Want`s, each with a dedupe key naming its rule, subject and period). The pass then:

- creates every wanted reminder that does not exist yet (INSERT ... ON CONFLICT DO NOTHING, so a
  repeated pass, or two processes at once, create nothing new, and a reminder the consultant
  marked done is never recreated);
- closes every open reminder of a rule that the rule no longer wants: its cause has gone (paid
  hours agreed, placement ended, meeting logged, report submitted) or a newer period replaced it;
- queues the rules' e-mails (rule 5 thank-you, rule 6 check-in), each in the same short write
  transaction as the row that records it was sent, with a dedupe key so it is queued once.

Dates are local Copenhagen dates (jobs.calendar); a reminder that would fall on a weekend or
holiday falls on the next working day (a report's deadline on the last working day before it).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from itsdangerous import URLSafeSerializer

from data import erasure as erasure_store
from data import outcomes as outcome_store
from data import reminders as store
from data.db import write
from data.outbox import enqueue
from data.placements import start_due_placements
from jobs import emails, frikort
from core.clock import add_months, local_now, to_local_date
from jobs.calendar import add_working_days, next_working_day, previous_working_day
from jobs.rules_config import RuleSettings, RulesConfig, rules_config
from core.formats import danish_date

RULES = ("paid_hours", "follow_up", "report", "stalled", "checkin_answer", "frikort", "retention", "outcome_status")
# Neutral words for places that leave the page (digest e-mail, calendar): never the title.
RULE_LABELS = {
    "paid_hours": "Lønnede timer",
    "follow_up": "Opfølgning",
    "report": "Rapportfrist",
    "stalled": "Tag kontakt",
    "checkin_answer": "Svar fra virksomheden",
    "frikort": "Indtjening",
    "retention": "Sletning",
    "outcome_status": "Status efter forløb",
}
# A status that fell due longer ago than this is not asked for (e.g. imported history); it
# counts as missing in the figures instead.
OUTCOME_STATUS_WITHIN_DAYS = 90
# The rules `run_for_citizen` runs: retention is the periodic pass's alone, so a per-citizen
# run must neither create nor close its reminders.
CITIZEN_RULES = tuple(rule for rule in RULES if rule != "retention")
EMPLOYER_MEETINGS = ("first_employer", "employer_checkin")
CHECKIN_SALT = "employer-checkin-v1"


@dataclass(frozen=True)
class Want:
    rule: str
    key: str
    due_on: date
    title: str
    citizen_id: str | None
    placement_id: int | None
    consultant_email: str | None


@dataclass
class PassResult:
    today: date
    created: list[dict] = field(default_factory=list)
    closed: list[dict] = field(default_factory=list)
    queued: list[dict] = field(default_factory=list)
    started: list[int] = field(default_factory=list)

    def counts(self) -> dict:
        by_rule = defaultdict(int)
        for item in self.created:
            by_rule[f"created_{item['rule']}"] += 1
        return {"created": len(self.created), "closed": len(self.closed), "queued": len(self.queued),
                "started": len(self.started), **dict(sorted(by_rule.items()))}


@dataclass
class Snapshot:
    """What the rules read, loaded once per pass."""
    placements: list[dict]
    meetings: list[dict]
    reports: list[dict]
    citizens: list[dict]
    checkins: list[dict]

    @classmethod
    def load(cls, db, citizen_id: str | None = None) -> "Snapshot":
        """Everything (None), or only one citizen's rows."""
        return cls(store.placements_for_rules(db, citizen_id), store.meetings_for_rules(db, citizen_id),
                   store.unsubmitted_reports(db, citizen_id), store.citizens_for_rules(db, citizen_id),
                   store.answered_checkins(db, citizen_id))

    def meetings_of_placement(self, placement_id: int) -> list[dict]:
        if not hasattr(self, "_by_placement"):
            self._by_placement = defaultdict(list)
            for meeting in self.meetings:
                self._by_placement[meeting["placement_id"]].append(meeting)
        return self._by_placement.get(placement_id, [])


def run_pass(db, config, now: datetime | None = None) -> dict:
    """One pass of all rules as of `now`; returns counts (created, closed, queued, per rule)."""
    return run_pass_detailed(db, config, now).counts()


def run_pass_detailed(db, config, now: datetime | None = None) -> PassResult:
    now = local_now(now)
    today = now.date()
    rules = rules_config(config)
    result = PassResult(today)
    result.started = start_due_placements(db, today)
    snapshot = Snapshot.load(db)
    wants = wanted_reminders(snapshot, today, rules)
    wants += retention_wants(erasure_store.retention_candidates(db), today, config)
    wants += outcome_status_wants(snapshot.placements, outcome_store.recorded_followups(db), today,
                                  config.followup_months)
    _sync(db, wants, result)
    _queue_thanks(db, snapshot, now, rules, result)
    _queue_checkins(db, config, snapshot, now, rules, result)
    return result


def run_for_citizen(db, config, citizen_id: str, now: datetime | None = None) -> PassResult:
    """The same rules for one citizen, run in the request that saved a meeting or forløb, so a
    reminder it causes (or ends) shows at once instead of after the next periodic pass. Only
    the citizen's reminders are created or closed; starting due placements, retention and the
    e-mails stay with the periodic pass."""
    now = local_now(now)
    result = PassResult(now.date())
    snapshot = Snapshot.load(db, citizen_id)
    _sync(db, wanted_reminders(snapshot, now.date(), rules_config(config)), result, citizen_id)
    return result


def wanted_reminders(snapshot: Snapshot, today: date, rules: RulesConfig) -> list[Want]:
    wants: list[Want] = []
    for placement in snapshot.placements:
        settings = rules.for_group(placement["target_group"])
        meetings = snapshot.meetings_of_placement(placement["id"])
        wants += paid_hours_wants(placement, meetings, today, settings)
        wants += follow_up_wants(placement, meetings, today, settings)
    wants += report_wants(snapshot.reports, today, rules)
    wants += stalled_wants(snapshot.citizens, today, rules)
    wants += checkin_answer_wants(snapshot, today)
    wants += frikort_wants(snapshot, today, rules)
    return wants


def _sync(db, wants: list[Want], result: PassResult, citizen_id: str | None = None) -> None:
    """Create the wanted reminders and close the unwanted open ones (of `citizen_id` only,
    when the wants are that citizen's)."""
    store.follow_consultant_changes(db)
    wanted_keys = {w.key for w in wants}
    # Read first, so a pass that has nothing new to say writes nothing (the INSERT would be a
    # no-op anyway; this keeps the write lock free for the web app).
    existing = store.existing_keys(db, sorted(wanted_keys))
    for want in wants:
        if want.key in existing:
            continue
        new_id = store.insert_reminder(db, rule=want.rule, dedupe_key=want.key,
                                       consultant_email=want.consultant_email, citizen_id=want.citizen_id,
                                       placement_id=want.placement_id, due_on=want.due_on, title=want.title)
        if new_id is not None:
            result.created.append({"id": new_id, "rule": want.rule, "key": want.key,
                                   "citizen_id": want.citizen_id, "placement_id": want.placement_id,
                                   "due_on": want.due_on.isoformat()})
    for rule in RULES if citizen_id is None else CITIZEN_RULES:
        for reminder in store.open_reminders_of_rule(db, rule, citizen_id):
            if reminder["dedupe_key"] not in wanted_keys and store.close_reminder(db, reminder["id"]):
                result.closed.append({**reminder, "rule": rule})


def _want(rule: str, key: str, due_on: date, title: str, row: dict, placement_id=None, citizen_key="citizen_id") -> Want:
    return Want(rule, key, due_on, title, row[citizen_key], placement_id, row["consultant_email"])


# --- rule 1: paid hours from the first meeting ------------------------------------------------------

def paid_hours_wants(placement: dict, meetings: list[dict], today: date, settings: RuleSettings) -> list[Want]:
    if placement["status"] in ("ended", "cancelled") or (placement["paid_hours_per_week"] or 0) > 0:
        return []
    name, pid = placement["first_name"], placement["id"]
    start = date.fromisoformat(placement["start_date"])
    wants = []
    # One reminder at a time about proposing paid hours, for the latest cause: the newest employer
    # meeting where they were not proposed, else the start itself. Once proposed, the cause is
    # gone (an employer who said no is caught by the trial-end and eight-week reminders below).
    employer_meetings = [m for m in meetings if m["kind"] in EMPLOYER_MEETINGS and not m["from_checkin_form"]
                         and m["held_on"] <= today.isoformat()]
    if not any(m["paid_hours_proposed"] == 1 for m in employer_meetings):
        if employer_meetings:
            latest = max(employer_meetings, key=lambda m: (m["held_on"], m["id"]))
            wants.append(_want("paid_hours", f"paid_hours:meeting:{latest['id']}",
                               date.fromisoformat(latest["held_on"]),
                               f"Foreslå lønnede timer for {name}: det blev ikke foreslået på mødet "
                               f"{danish_date(latest['held_on'])}", placement, pid))
        elif placement["status"] == "active" and start <= today:
            wants.append(_want("paid_hours", f"paid_hours:start:{pid}", start,
                               f"Foreslå lønnede timer: {name} er startet uden lønnede timer", placement, pid))
    if placement["kind"] == "virksomhedspraktik" and placement["status"] == "active":
        trial_weeks = placement["trial_weeks"] or settings.trial_weeks
        trial_end = next_working_day(start + timedelta(weeks=trial_weeks))
        escalation = next_working_day(start + timedelta(weeks=settings.unpaid_escalation_weeks))
        if today >= escalation:
            wants.append(_want("paid_hours", f"paid_hours:unpaid_{settings.unpaid_escalation_weeks}w:{pid}",
                               escalation,
                               f"{name} har været i praktik i {settings.unpaid_escalation_weeks} uger uden "
                               "lønnede timer: overvej en arbejdsplads, hvor lønnede timer er mulige",
                               placement, pid))
        elif today >= trial_end:
            wants.append(_want("paid_hours", f"paid_hours:trial_end:{pid}", trial_end,
                               f"Praktikken for {name} er nået til uge {trial_weeks} uden lønnede timer: "
                               "foreslå lønnede timer nu", placement, pid))
    return wants


# --- rule 2: follow-up one week after start, then every two weeks ------------------------------------

def follow_up_dates(placement: dict, meetings: list[dict], settings: RuleSettings, until: date) -> list[date]:
    """The placement's follow-up due dates up to and including `until`, moved off weekends and
    holidays. The first is a week after start; each logged follow-up restarts the two-week
    rhythm from its own date, so a late meeting does not also count for the next period."""
    start = date.fromisoformat(placement["start_date"])
    held = [date.fromisoformat(m["held_on"]) for m in meetings if _follows_up(m) and m["held_on"] > placement["start_date"]]
    every = timedelta(days=max(settings.follow_up_every_days, 1))
    nominal = max(held) + every if held else start + timedelta(days=settings.first_follow_up_days)
    dates = []
    while True:
        due = next_working_day(nominal)
        if due > until:
            return dates
        dates.append(due)
        nominal += every


def _follows_up(meeting: dict) -> bool:
    # A consultant's follow-up: with the citizen, or at the employer; the employer's own answer
    # to a check-in e-mail is not one.
    return meeting["kind"] == "follow_up" or (meeting["kind"] == "employer_checkin"
                                              and not meeting["from_checkin_form"])


def follow_up_wants(placement: dict, meetings: list[dict], today: date, settings: RuleSettings) -> list[Want]:
    if placement["status"] != "active":
        return []
    due_so_far = follow_up_dates(placement, meetings, settings, today)
    if not due_so_far:
        return []
    due = due_so_far[-1]  # only the current period: a newer one replaces an overdue one
    return [_want("follow_up", follow_up_key(placement["id"], due), due,
                  f"Opfølgning med {placement['first_name']} og virksomheden", placement, placement["id"])]


def follow_up_key(placement_id: int, due: date) -> str:
    return f"follow_up:{placement_id}:{due.isoformat()}"


# --- rule 3: reports five working days before and on the day -----------------------------------------

def report_wants(reports: list[dict], today: date, rules: RulesConfig) -> list[Want]:
    wants = []
    for report in reports:
        settings = rules.for_group(report["target_group"])
        label = "Delrapport" if report["kind"] == "delrapport" else "Slutrapport"
        # A deadline on a weekend or holiday must be met on the last working day before it.
        deadline = previous_working_day(date.fromisoformat(report["due_date"]))
        notice = add_working_days(deadline, -settings.report_notice_working_days)
        name = report["first_name"]
        if today >= deadline:
            wants.append(_want("report", f"report:{report['id']}:due", deadline,
                               f"{label} for {name} skal afleveres senest {danish_date(deadline)}",
                               report, report["placement_id"]))
        elif today >= notice:
            wants.append(_want("report", f"report:{report['id']}:notice", notice,
                               f"{label} for {name} skal afleveres {danish_date(deadline)} "
                               f"(om {settings.report_notice_working_days} arbejdsdage)",
                               report, report["placement_id"]))
    return wants


# --- rule 4: a stalled course ----------------------------------------------------------------------

def last_activity(citizen: dict) -> date | None:
    candidates = [to_local_date(citizen["updated_at"]), to_local_date(citizen["placement_changed_at"]),
                  to_local_date(citizen["last_meeting_on"]), to_local_date(citizen["last_meeting_logged_at"])]
    candidates = [c for c in candidates if c]
    return max(candidates) if candidates else None


def stalled_wants(citizens: list[dict], today: date, rules: RulesConfig) -> list[Want]:
    wants = []
    for citizen in citizens:
        settings = rules.for_group(citizen["target_group"])
        last = last_activity(citizen)
        if last is None:
            continue
        due = last + timedelta(weeks=settings.stalled_weeks)
        if today >= due:
            wants.append(Want("stalled", f"stalled:{citizen['id']}:{last.isoformat()}", due,
                              f"Intet nyt for {citizen['first_name']} i {settings.stalled_weeks} uger: tag kontakt",
                              citizen["id"], None, citizen["consultant_email"]))
    return wants


# --- rule 6 (answers): read an employer's answer that flags a problem -------------------------------

def checkin_answer_wants(snapshot: Snapshot, today: date) -> list[Want]:
    wants = []
    for checkin in snapshot.checkins:
        if not checkin["flagged"]:
            continue
        # The meeting's date is the local day the employer answered (the form's clock).
        answered = to_local_date(checkin["answered_on"] or checkin["answered_at"])
        followed = any(_follows_up(m) and m["held_on"] >= answered.isoformat()
                       for m in snapshot.meetings_of_placement(checkin["placement_id"]))
        if not followed:
            wants.append(_want("checkin_answer", f"checkin_answer:{checkin['id']}", answered,
                               f"Virksomheden har svaret om {checkin['first_name']} og beder om opfølgning: "
                               "læs svaret", checkin, checkin["placement_id"]))
    return wants


# --- rule 7: socialt frikort -----------------------------------------------------------------------

def frikort_wants(snapshot: Snapshot, today: date, rules: RulesConfig) -> list[Want]:
    by_citizen = defaultdict(list)
    for placement in snapshot.placements:
        by_citizen[placement["citizen_id"]].append(placement)
    wants = []
    for citizen in snapshot.citizens:
        if not citizen["social_free_card"]:
            continue
        settings = rules.for_group(citizen["target_group"])
        status = frikort.status_for(citizen, by_citizen[citizen["id"]], today, rules)
        if status.share is None:
            continue
        for level, threshold in (("95", settings.frikort_alert), ("80", settings.frikort_warn)):
            if status.share >= threshold:
                wants.append(Want(
                    "frikort", f"frikort:{citizen['id']}:{today.year}:{level}", today,
                    f"{citizen['first_name']} har tjent {frikort.kroner(status.earned)} kr. i {today.year}: "
                    f"{status.percent} % af frikortets loft på {frikort.kroner(status.ceiling.amount)} kr.",
                    citizen["id"], None, citizen["consultant_email"]))
                break  # the higher level replaces the lower one
    return wants


# --- rule 8: erasure after the retention period -------------------------------------------------

def erasure_date(citizen: dict, months: int) -> date | None:
    """When the citizen is erased: `months` after their last placement ended, or after their last
    activity if they never had one; later if a consultant kept them. None while a placement runs."""
    if citizen["open_placements"]:
        return None
    basis = to_local_date(citizen["last_placement_end"]) or last_activity(citizen)
    if basis is None:
        return None
    due = add_months(basis, months)
    kept = to_local_date(citizen["retention_kept_until"])
    return max(due, kept) if kept else due


def retention_wants(citizens: list[dict], today: date, config) -> list[Want]:
    """A reminder `retention_notice_days` before the erasure. Keeping the citizen moves the date,
    so the reminder's key is no longer wanted and it closes itself."""
    wants = []
    for citizen in citizens:
        erase_on = erasure_date(citizen, config.retention_months)
        if erase_on is None or not erase_on - timedelta(days=config.retention_notice_days) <= today < erase_on:
            continue
        days = (erase_on - today).days
        # The id, not the name: the title is also what the digest e-mail's neutral word replaces.
        wants.append(Want("retention", f"retention:{citizen['id']}:{erase_on.isoformat()}",
                          erase_on - timedelta(days=config.retention_notice_days),
                          f"Borger {citizen['id']} slettes om {days} {'dag' if days == 1 else 'dage'} "
                          f"({danish_date(erase_on)}): behold borgeren endnu en periode, hvis forløbet fortsætter",
                          citizen["id"], None, citizen["consultant_email"]))
    return wants


# --- rule 9: status after the end (issue 12) -----------------------------------------------------

def outcome_status_wants(placements: list[dict], recorded: set[tuple[int, int]], today: date,
                         points: tuple[int, ...]) -> list[Want]:
    """For each ended placement and follow-up point: from the working day it falls due until the
    status is recorded (then the key is no longer wanted and the reminder closes itself)."""
    wants = []
    for placement in placements:
        if placement["status"] != "ended" or not placement["end_date"]:
            continue
        for months in points:
            if (placement["id"], months) in recorded:
                continue
            due = next_working_day(outcome_store.followup_due_on(placement["end_date"], months))
            if due <= today <= due + timedelta(days=OUTCOME_STATUS_WITHIN_DAYS):
                wants.append(_want("outcome_status", f"outcome_status:{placement['id']}:{months}", due,
                                   f"Registrér hvor {placement['first_name']} står {months} måneder efter forløbet",
                                   placement, placement["id"]))
    return wants


# --- rule 5: thank the employer --------------------------------------------------------------------

def _queue_thanks(db, snapshot: Snapshot, now: datetime, rules: RulesConfig, result: PassResult) -> None:
    today = now.date()
    for placement in snapshot.placements:
        if placement["status"] != "ended" or not (placement["contact_email"] or "").strip():
            continue
        ended = date.fromisoformat(placement["end_date"]) if placement["end_date"] else today
        settings = rules.for_group(placement["target_group"])
        if not (today - timedelta(days=settings.thank_within_days) <= ended <= today):
            continue  # long-ended placements (e.g. imported history) are not thanked years later
        if store.outbox_has(db, f"thanks:{placement['id']}"):
            continue
        subject, body = emails.thank_you(contact_name=placement["contact_name"],
                                         first_name=placement["first_name"], outcome=placement["outcome"])
        outbox_id = enqueue(db, to=placement["contact_email"].strip(), subject=subject, body_text=body,
                            dedupe_key=f"thanks:{placement['id']}", send_after=now,
                            citizen_ids=[placement["citizen_id"]], employer_id=placement["employer_id"])
        if outbox_id is not None:
            result.queued.append({"outbox_id": outbox_id, "kind": "thanks", "placement_id": placement["id"]})


# --- rule 6: employer check-in every four weeks -----------------------------------------------------

def checkin_serializer(config) -> URLSafeSerializer:
    # Its own salt: a check-in token cannot be used as any other signed value, nor the reverse.
    return URLSafeSerializer(config.secret_key, salt=CHECKIN_SALT)


def checkin_token(config, checkin_id: int, placement_id: int, period: int) -> str:
    return checkin_serializer(config).dumps({"c": checkin_id, "p": placement_id, "k": period})


def checkin_period(start: date, today: date, settings: RuleSettings) -> int:
    """0 during the first interval, then 1, 2, ...: a check-in is due in every period from 1."""
    return max((today - start).days, 0) // (7 * max(settings.checkin_every_weeks, 1))


def _queue_checkins(db, config, snapshot: Snapshot, now: datetime, rules: RulesConfig, result: PassResult) -> None:
    today = now.date()
    for placement in snapshot.placements:
        if placement["status"] != "active" or not (placement["contact_email"] or "").strip():
            continue
        settings = rules.for_group(placement["target_group"])
        start = date.fromisoformat(placement["start_date"])
        period = checkin_period(start, today, settings)
        if period < 1:
            continue
        if store.checkin_exists(db, placement["id"], period):
            continue  # a cheap read first; the INSERT below still settles any race
        expires = today + timedelta(days=settings.checkin_link_days)
        with write(db):  # the check-in row and its e-mail commit together, or neither does
            checkin_id = store.create_checkin(db, placement["id"], period, today, expires)
            if checkin_id is None:
                continue
            link = f"{config.base_url.rstrip('/')}/tjek-ind/{checkin_token(config, checkin_id, placement['id'], period)}"
            subject, body = emails.checkin_request(contact_name=placement["contact_name"],
                                                   first_name=placement["first_name"], link=link,
                                                   expires_on=expires)
            outbox_id = enqueue(db, to=placement["contact_email"].strip(), subject=subject, body_text=body,
                                dedupe_key=f"checkin:{placement['id']}:{period}", send_after=now,
                                citizen_ids=[placement["citizen_id"]], employer_id=placement["employer_id"])
        result.queued.append({"outbox_id": outbox_id, "kind": "checkin", "placement_id": placement["id"]})
