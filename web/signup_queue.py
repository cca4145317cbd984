"""Nye virksomheder: consultants approve or reject employers' own registrations and changes.

Approving makes the employer's openings matchable (see data.signups for what is matched while a
change waits). Any logged-in consultant may decide: employers are not tied to one consultant.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from core.errors import Invalid
from data import signups
from matcher import NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS
from matcher.vocabulary import language_name
from web.db import get_db
from web.forms_signup import CANDIDATE_INFO_CHOICES, TALK_WITH_CHOICES, no_markup
from web.signup import compose_email, compose_rejection

bp = Blueprint("signup_queue", __name__, url_prefix="/nye-virksomheder")

FIELD_LABELS = {
    "name": "Navn", "cvr": "CVR-nummer", "industry": "Branche", "address": "Adresse", "postcode": "Postnummer",
    "contact_name": "Kontaktperson", "contact_email": "E-mail", "contact_phone": "Telefon",
    "languages": "Sprog på arbejdspladsen", "extra": "Samarbejde og samtykke",
    "title": "Job", "tasks": "Opgaver", "hours_min": "Timer om ugen, mindst", "hours_max": "Timer om ugen, højst",
    "shifts": "Tidspunkter", "paid_hours": "Lønnede timer", "trial_weeks": "Ugers praktik",
    "can_meet": "Kan tage hensyn til", "cannot_meet": "Kan ikke tage hensyn til", "seats": "Pladser på én gang",
    "active": "Aktivt",
}
_CHOICE_LABELS = {**dict(CANDIDATE_INFO_CHOICES), **dict(TALK_WITH_CHOICES)}


class DecisionForm(FlaskForm):
    """Only the CSRF token: the decision is the URL posted to."""


class RejectForm(FlaskForm):
    """A rejection, with an optional message that goes to the company in the e-mail."""
    message = TextAreaField("Besked til virksomheden (valgfri)", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                            validators=[Length(max=1500, message="Højst 1500 tegn."), no_markup])


def show_value(field: str, value) -> str:
    """A stored value as a consultant reads it."""
    if value is None or value == "" or value == []:
        return "–"
    if field in ("can_meet", "cannot_meet"):
        return ", ".join(NEEDS.get(v, v) for v in value)
    if field == "shifts":
        return ", ".join(SHIFT_LABELS.get(v, v) for v in value)
    if field == "languages":
        return ", ".join(language_name(v) for v in value)
    if field == "paid_hours":
        return PAID_HOURS_LABELS.get(value, value)
    if field == "active":
        return "ja" if value else "nej (lukket)"
    if field == "extra" and isinstance(value, dict):
        collaboration = value.get("collaboration") or {}
        parts = [_CHOICE_LABELS.get(v, str(v)) for v in collaboration.values() if v]
        return "; ".join(parts) or "–"
    return str(value)


@bp.app_template_filter("vis_vaerdi")
def _show_value_filter(value, field):
    return show_value(field, value)


@bp.route("/")
@login_required
def index():
    db = get_db()
    pending = signups.pending_registrations(db)
    return render_template("signup/queue.html", registrations=pending, form=DecisionForm(),
                           empty_diff=signups.is_empty_diff)


@bp.route("/<int:registration_id>")
@login_required
def detail(registration_id: int):
    record = signups.registration(get_db(), registration_id)
    if record is None:
        abort(404)
    return _detail_page(record, RejectForm(formdata=None))


def _detail_page(record: dict, reject_form: RejectForm):
    return render_template("signup/registration.html", registration=record, form=DecisionForm(),
                           reject_form=reject_form, labels=FIELD_LABELS, empty_diff=signups.is_empty_diff,
                           candidate_labels=_CHOICE_LABELS)


@bp.route("/<int:registration_id>/godkend", methods=["POST"])
@login_required
def approve(registration_id: int):
    return _decide(registration_id, approve=True)


@bp.route("/<int:registration_id>/afvis", methods=["POST"])
@login_required
def reject(registration_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        record = signups.registration(get_db(), registration_id)
        if record is None:
            abort(404)
        # The message is kept as typed, with the error next to it; nothing is decided.
        return _detail_page(record, form), 400
    return _decide(registration_id, approve=False, message=form.message.data or "")


def _decide(registration_id: int, approve: bool, message: str = ""):
    if approve and not DecisionForm().validate_on_submit():
        abort(400)
    db = get_db()
    try:
        if approve:
            record = signups.approve(db, registration_id, current_user.id,
                                     compose_email=compose_email(current_app.config["SMAJOBS"], "approved"))
            flash(f"{record['payload']['name']} er godkendt. Jobbene kan nu findes af konsulenterne.")
        else:
            record = signups.reject(db, registration_id, current_user.id,
                                    compose_email=compose_rejection(current_app.config["SMAJOBS"], message))
            flash(f"{record['payload']['name']} er afvist. Vi har skrevet til virksomheden.")
    except Invalid as error:
        flash(error.problems[0].sentence, "error")
    return redirect(url_for(".index"))
