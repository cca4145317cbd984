"""The "I dag" page: the consultant's due and overdue reminders (done, snooze to a date), the
socialt frikort status of their citizens, and the private calendar feed (.ics).

A reminder belongs to the consultant of its citizen; anyone else's answers 404 on every action,
as if it did not exist. Admins see their own and, with ?alle=1, everyone's.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from data import reminders as store
from jobs import frikort
from core import clock
from jobs.calendar import holiday_name
from jobs.rules_config import rules_config
from web.audit_trail import seen_many
from web.db import get_db

bp = Blueprint("today", __name__)
MAX_SNOOZE_DAYS = 366


def _show_all() -> bool:
    return current_user.is_admin and request.args.get("alle") == "1"


def _reminder_or_404(reminder_id: int) -> dict:
    reminder = store.get_reminder(get_db(), reminder_id)
    if reminder is None or not (current_user.is_admin or
                                (reminder["owner_email"] or "").lower() == current_user.email.lower()):
        abort(404)
    return reminder


def _link(reminder: dict) -> tuple[str, str] | None:
    """(url, Danish label) of the reminder's placement or citizen, if those pages exist."""
    views = current_app.view_functions
    if reminder["rule"] == "retention" and "citizens.show" in views:
        # Straight to the choice: keep the citizen one more period (with a reason), or not.
        return (url_for("citizens.show", citizen_id=reminder["citizen_id"], _anchor="sletning"),
                "Behold endnu en periode …")
    if reminder["rule"] == "outcome_status" and "placements.show" in views:
        return (url_for("placements.show", placement_id=reminder["placement_id"], _anchor="status-efter"),
                "Registrér status …")
    if reminder["placement_id"] and "placements.show" in views:
        return url_for("placements.show", placement_id=reminder["placement_id"]), "Åbn forløbet"
    if reminder["citizen_id"] and "citizens.show" in views:
        return url_for("citizens.show", citizen_id=reminder["citizen_id"]), "Åbn borgeren"
    return None


def _frikort_statuses(db, consultant_email: str | None, day: date) -> list:
    citizens = store.frikort_citizens(db, consultant_email)
    placements = defaultdict(list)
    for placement in store.placements_of_citizens(db, [c["id"] for c in citizens]):
        placements[placement["citizen_id"]].append(placement)
    rules = rules_config(current_app.config["SMAJOBS"])
    return [frikort.status_for(c, placements[c["id"]], day, rules) for c in citizens]


def _render(snooze_errors: dict | None = None, typed: dict | None = None, feed_url: str | None = None,
            status: int = 200):
    db, day = get_db(), clock.today()
    everyone = _show_all()
    email = None if everyone else current_user.email.lower()
    reminders = store.due_reminders(db, day, email)
    for reminder in reminders:
        reminder["link"] = _link(reminder)
        reminder["overdue"] = reminder["due_on"] < day.isoformat()
    statuses = _frikort_statuses(db, email, day)
    notes = sorted({s.ceiling.note() for s in statuses if s.ceiling and s.ceiling.note()})
    # Reminder titles name the citizen and the frikort table shows earnings: one row per citizen.
    shown = dict.fromkeys([r["citizen_id"] for r in reminders] + [s.citizen_id for s in statuses])
    seen_many("viewed_today", [citizen_id for citizen_id in shown if citizen_id])
    return render_template(
        "today/index.html", reminders=reminders, today=day, everyone=everyone, holiday=holiday_name(day),
        statuses=statuses, ceiling_notes=notes, kroner=frikort.kroner,
        citizen_pages="citizens.show" in current_app.view_functions,
        snooze_errors=snooze_errors or {}, typed=typed or {}, min_snooze=(day + timedelta(days=1)).isoformat(),
        feed_url=feed_url, feed_created=store.feed_created_at(db, current_user.id),
    ), status


@bp.route("/i-dag")
@login_required
def index():
    return _render()


def _back():
    return redirect(url_for("today.index", alle="1") if request.form.get("alle") == "1" and current_user.is_admin
                    else url_for("today.index"))


@bp.route("/i-dag/<int:reminder_id>/udfoert", methods=["POST"])
@login_required
def done(reminder_id: int):
    reminder = _reminder_or_404(reminder_id)
    if store.mark_done(get_db(), reminder["id"]):
        flash("Påmindelsen er markeret som udført.")
    else:
        flash("Påmindelsen var allerede lukket.")
    return _back()


@bp.route("/i-dag/<int:reminder_id>/udsaet", methods=["POST"])
@login_required
def snooze(reminder_id: int):
    reminder = _reminder_or_404(reminder_id)
    raw = (request.form.get("until") or "").strip()
    day = clock.today()
    error, until = None, None
    if not raw:
        error = "Vælg en dato at udsætte til."
    else:
        try:
            until = date.fromisoformat(raw)
        except ValueError:
            error = f"'{raw}' er ikke en dato (ÅÅÅÅ-MM-DD)."
    if until and until <= day:
        error = "Datoen skal ligge efter i dag."
    elif until and until > day + timedelta(days=MAX_SNOOZE_DAYS):
        error = "Du kan højst udsætte et år frem."
    if error:
        return _render(snooze_errors={reminder["id"]: error}, typed={reminder["id"]: raw}, status=400)
    if store.snooze(get_db(), reminder["id"], until):
        flash(f"Påmindelsen er udsat til {until.day}.{until.month}.{until.year}.")
    else:
        flash("Påmindelsen var allerede lukket.")
    return _back()


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@bp.route("/i-dag/kalender", methods=["POST"])
@login_required
def new_feed():
    """A new secret feed link; the old one stops working. Shown once: only its hash is stored."""
    token = secrets.token_urlsafe(32)
    store.set_feed_token(get_db(), current_user.id, hash_feed_token(token))
    base = current_app.config["SMAJOBS"].base_url.rstrip("/")
    return _render(feed_url=f"{base}{url_for('today.feed', token=token)}")


@bp.route("/kalender/<token>.ics")
def feed(token: str):
    """The consultant's follow-up calendar, for Outlook's "abonner på kalender". The secret token
    in the URL is the only key (calendar clients send no session); summaries hold first names."""
    from jobs.digest import consultant_calendar
    db = get_db()
    consultant = store.consultant_by_feed_token(db, hash_feed_token(token)) if len(token) <= 100 else None
    if consultant is None:
        return Response("Ukendt eller udløbet kalenderlink. Lav et nyt på siden I dag.\n", status=404,
                        mimetype="text/plain")
    body = consultant_calendar(db, current_app.config["SMAJOBS"], consultant["email"], clock.today())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="smajobs.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
