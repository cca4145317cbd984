"""Mine borgere: the consultant's citizens, the citizen profile form, the match list and the
postcode look-up the form uses while the user types.

The form validates through `data.registry.save_citizen`, i.e. the exchange format's rules, so a
citizen typed in here and one imported from a file obey the same rules.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets

from data import accounts, placements, registry
from core.errors import Invalid
from data.match_filters import parse_match_filters
from data.postcodes import lookup as lookup_postcode
from jobs import frikort
from jobs.erasure import planned_erasure
from jobs.rules_config import rules_config
from matcher.vocabulary import LANGUAGE_NAMES, NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS
from web.audit_trail import seen, seen_many
from web.auth import admin_required, citizen_or_404
from web.erasure import KeepForm
from web.db import get_db
from core import clock
from core.formats import as_typed
from web.forms import choices, show_problems

bp = Blueprint("citizens", __name__)

MATCH_TOP = 20
# The match form's names for the filters data.match_filters knows by other names.
MATCH_FILTER_FIELDS = {"radius_km": "radius"}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CitizenForm(FlaskForm):
    # Numbers are text fields on purpose: whatever was typed is kept and the exchange rules
    # (one set for form, API and import) say what is wrong with it.
    first_name = StringField("Fornavn", render_kw={"autocomplete": "off", "maxlength": 100})
    age = StringField("Alder", render_kw={"inputmode": "numeric"})
    target_group = StringField("Målgruppe", render_kw={"maxlength": 200})
    postcode = StringField("Postnummer", render_kw={"inputmode": "numeric", "maxlength": 4,
                                                     "autocomplete": "off"})
    interests = TextAreaField("Interesser")
    experience = TextAreaField("Erfaring")
    goal = TextAreaField("Mål")
    languages = StringField("Sprog (koder, adskilt med komma)", default="da")
    hours_min = StringField("Timer om ugen, mindst", render_kw={"inputmode": "numeric"})
    hours_max = StringField("Timer om ugen, højst", render_kw={"inputmode": "numeric"})
    shifts = MultiCheckboxField("Vagter", choices=choices(SHIFT_LABELS.items()), validate_choice=False)
    max_travel_km = StringField("Højst transport (km)", default="10", render_kw={"inputmode": "decimal"})
    needs = MultiCheckboxField("Skånehensyn", choices=choices(NEEDS.items()), validate_choice=False)
    consultant = SelectField("Konsulent", validate_choice=False)
    social_free_card = BooleanField("Har socialt frikort")


# Where each exchange-format problem is shown in the form.
PROBLEM_FIELDS = {
    "first_name": "first_name", "age": "age", "target_group": "target_group", "postcode": "postcode",
    "lat": "postcode", "lon": "postcode", "interests": "interests", "experience": "experience",
    "goal": "goal", "languages": "languages", "min": "hours_min", "max": "hours_max",
    "hours_per_week": "hours_max", "shifts": "shifts", "max_travel_km": "max_travel_km", "needs": "needs",
    "consultant": "consultant", "social_free_card": "social_free_card",
}


def _number_or_text(text: str | None, kind=int):
    """'12' -> 12; '' -> None; anything else stays text, so the exchange rules name the problem."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        try:
            number = float(text)
            return int(number) if kind is int and number.is_integer() else number
        except ValueError:
            return text


def _consultant_choices() -> list[tuple[str, str]]:
    return [(row["email"], f"{row['name'] or row['email']} ({row['email']})")
            for row in accounts.list_consultants(get_db()) if row["active"]]


def _record_from_form(form: CitizenForm, citizen_id: str, existing: dict | None) -> dict:
    record = {
        "id": citizen_id,
        "first_name": form.first_name.data or "",
        "postcode": (form.postcode.data or "").strip(),
        "interests": form.interests.data or "",
        "experience": form.experience.data or "",
        "goal": form.goal.data or "",
        "languages": [code.strip() for code in (form.languages.data or "").split(",") if code.strip()],
        "max_travel_km": _number_or_text(form.max_travel_km.data, float),
        "needs": list(form.needs.data or []),
        "social_free_card": bool(form.social_free_card.data),
    }
    age = _number_or_text(form.age.data)
    if age is not None:
        record["age"] = age
    if (form.target_group.data or "").strip():
        record["target_group"] = form.target_group.data
    hours = {key: value for key, value in (("min", _number_or_text(form.hours_min.data)),
                                            ("max", _number_or_text(form.hours_max.data))) if value is not None}
    if hours:
        record["hours_per_week"] = hours
    if form.shifts.data:
        record["shifts"] = list(form.shifts.data)
    if record["max_travel_km"] is None:
        del record["max_travel_km"]
    if existing is not None:
        # Fields the form does not show survive an edit: unknown exchange fields and given
        # coordinates (while the postcode is unchanged).
        for key, value in (existing.get("extra") or {}).items():
            record.setdefault(key, value)
        if existing["coords_given"] and existing["postcode"] == record["postcode"]:
            record.update(lat=existing["lat"], lon=existing["lon"])
    if current_user.is_admin:
        record["consultant"] = form.consultant.data or None
    else:
        record["consultant"] = existing["consultant"] if existing else current_user.email
    return record


def _form_from_citizen(citizen: dict) -> CitizenForm:
    form = CitizenForm(data={
        "first_name": citizen["first_name"], "age": "" if citizen["age"] is None else str(citizen["age"]),
        "target_group": citizen["target_group"] or "", "postcode": citizen["postcode"],
        "interests": citizen["interests"], "experience": citizen["experience"], "goal": citizen["goal"],
        "languages": ", ".join(citizen["languages"]),
        "hours_min": "" if citizen["hours_min"] is None else str(citizen["hours_min"]),
        "hours_max": "" if citizen["hours_max"] is None else str(citizen["hours_max"]),
        "shifts": citizen["shifts"] or [], "max_travel_km": as_typed(citizen["max_travel_km"]),
        "needs": citizen["needs"], "consultant": citizen["consultant"] or "",
        "social_free_card": citizen["social_free_card"],
    })
    return form


def _new_citizen_id() -> str:
    db = get_db()
    while True:
        citizen_id = "cit-" + secrets.token_hex(4)
        if registry.get_citizen(db, citizen_id) is None:
            return citizen_id


def _save(form: CitizenForm, citizen_id: str, existing: dict | None):
    """Save the form, or put the problems next to the fields and return None."""
    if current_user.is_admin:
        form.consultant.choices = choices([("", "Ingen")] + _consultant_choices())
        if form.consultant.data and form.consultant.data not in {c.value for c in form.consultant.choices}:
            form.consultant.errors = ["Vælg en konsulent fra listen."]
            return None
    try:
        return registry.save_citizen(get_db(), _record_from_form(form, citizen_id, existing))
    except Invalid as error:
        show_problems(form, error, "first_name", PROBLEM_FIELDS)
        return None


def _render_form(form: CitizenForm, citizen: dict | None, status: int = 200):
    if current_user.is_admin and not form.consultant.choices:
        form.consultant.choices = choices([("", "Ingen")] + _consultant_choices())
    return render_template("citizens/form.html", form=form, citizen=citizen, need_explanations=NEED_EXPLANATIONS,
                           town=_town(form.postcode.data)), status


def _town(code: str | None) -> str:
    found = lookup_postcode((code or "").strip()) if code else None
    return f"{found.code} {found.name}" if found else ""


@bp.route("/borgere")
@login_required
def index():
    db = get_db()
    citizens = registry.list_citizens(db, None if current_user.is_admin else current_user.email)
    consultants = _consultant_choices() if current_user.is_admin else []
    # Admins see which citizens follow a consultant who was deactivated (or never had an
    # account), so they can hand them over: email -> active.
    states = ({row["email"].lower(): bool(row["active"]) for row in accounts.list_consultants(db)}
              if current_user.is_admin else {})
    orphaned = [c for c in citizens if c["consultant"] and not states.get(c["consultant"].lower())]
    # One row per citizen on the list, not one for the list: the log answers "who saw whom".
    seen_many("viewed_list", [c["id"] for c in citizens])
    return render_template("citizens/index.html", citizens=citizens, consultants=consultants,
                           needs=NEEDS, consultant_states=states, orphaned=len(orphaned) if current_user.is_admin else 0)


@bp.route("/borgere/ny", methods=["GET", "POST"])
@login_required
def new():
    form = CitizenForm()
    if current_user.is_admin and request.method == "GET":
        form.consultant.data = current_user.email
    if form.validate_on_submit():
        citizen = _save(form, _new_citizen_id(), None)
        if citizen is not None:
            flash(f"{citizen['first_name']} er oprettet.")
            return redirect(url_for("citizens.show", citizen_id=citizen["id"]))
    return _render_form(form, None, 400 if request.method == "POST" else 200)


@bp.route("/borgere/<citizen_id>")
@login_required
def show(citizen_id):
    citizen = citizen_or_404(citizen_id)
    db = get_db()
    citizen_placements = placements.placements_of_citizen(db, citizen_id)
    seen("viewed_profile", citizen_id)
    return render_template(
        "citizens/show.html", citizen=citizen, needs=NEEDS, shift_labels=SHIFT_LABELS,
        language_names=LANGUAGE_NAMES, town=_town(citizen["postcode"]),
        placements=citizen_placements,
        meetings=placements.meetings_of_citizen(db, citizen_id),
        kind_labels=placements.KIND_LABELS, status_labels=placements.STATUS_LABELS,
        outcome_labels=placements.OUTCOME_LABELS, meeting_labels=placements.MEETING_KIND_LABELS,
        frikort_status=_frikort_status(citizen, citizen_placements), kroner=frikort.kroner,
        erasure_on=planned_erasure(db, current_app.config["SMAJOBS"], citizen_id), keep_form=KeepForm(),
        retention_months=current_app.config["SMAJOBS"].retention_months,
    )


def _frikort_status(citizen: dict, citizen_placements: list[dict]):
    """This year's earnings against the socialt frikort ceiling, for a citizen who holds one."""
    if not citizen["social_free_card"]:
        return None
    return frikort.status_for(citizen, citizen_placements, clock.today(), rules_config(current_app.config["SMAJOBS"]))


@bp.route("/borgere/<citizen_id>/rediger", methods=["GET", "POST"])
@login_required
def edit(citizen_id):
    citizen = citizen_or_404(citizen_id)
    form = CitizenForm() if request.method == "POST" else _form_from_citizen(citizen)
    if form.validate_on_submit():
        saved = _save(form, citizen_id, citizen)
        if saved is not None:
            flash(f"{saved['first_name']} er gemt.")
            return redirect(url_for("citizens.show", citizen_id=citizen_id))
    if request.method == "GET":  # the form filled with the stored profile
        seen("viewed_profile", citizen_id)
    return _render_form(form, citizen, 400 if request.method == "POST" else 200)


class ReassignForm(FlaskForm):
    consultant = SelectField("Konsulent", validate_choice=False)


@bp.route("/borgere/<citizen_id>/konsulent", methods=["POST"])
@admin_required
def reassign(citizen_id):
    citizen = citizen_or_404(citizen_id)
    form = ReassignForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.consultant.data:  # e.g. left on a deactivated consultant, which cannot be chosen
        flash(f"Vælg en konsulent for {citizen['first_name']}.", "error")
        return redirect(url_for("citizens.index"))
    try:
        registry.reassign_citizen(get_db(), citizen_id, form.consultant.data or "")
    except Invalid as error:
        flash(error.problems[0].sentence, "error")
    else:
        flash(f"{citizen['first_name']} er overdraget til {form.consultant.data}.")
    return redirect(url_for("citizens.index"))


def _match_filters(args) -> tuple[dict, dict, dict]:
    """GET parameters -> (matcher filters, values to show in the form, errors by form field)."""
    # The form carries a marker, so an unticked box can be told from a first visit (default on).
    submitted = "filtre" in args
    shown = {"radius": (args.get("radius") or "").strip(), "shifts": args.getlist("shifts"),
             "paid_only": submitted and "paid_only" in args,
             "show_unknown": not submitted or "show_unknown" in args}
    try:
        filters = parse_match_filters({"radius_km": shown["radius"], "shifts": shown["shifts"],
                                       "paid_only": shown["paid_only"],
                                       "require_known_needs": not shown["show_unknown"]})
    except Invalid as error:
        return {}, shown, {MATCH_FILTER_FIELDS.get(p.field, p.field): p.sentence for p in error.problems}
    return filters, shown, {}


@bp.route("/borgere/<citizen_id>/match")
@login_required
def match(citizen_id):
    from data.matching import match_rows, match_service
    citizen = citizen_or_404(citizen_id)
    db = get_db()
    filters, shown, errors = _match_filters(request.args)
    result = None if errors else match_service.match(db, citizen_id, top=MATCH_TOP, **filters)
    rows = match_rows(db, result.matches if result else [])
    # "I forløb her" / "Ingen ledige pladser" on the cards (issue 10), read in one query.
    taken = placements.open_at_openings(db, citizen_id, [row["opening"]["id"] for row in rows])
    seen("viewed_matches", citizen_id)
    return render_template("citizens/match.html", citizen=citizen, result=result, rows=rows, shown=shown, taken=taken,
                           errors=errors, shift_labels=SHIFT_LABELS, paid_labels=PAID_HOURS_LABELS), \
        400 if errors else 200


@bp.route("/postnummer/<code>")
@login_required
def postcode(code):
    found = lookup_postcode(code.strip()) if code.strip().isdigit() and len(code.strip()) == 4 else None
    if found is None:
        return jsonify({"code": code, "known": False, "text": "Ukendt postnummer"}), 404
    return jsonify({"code": found.code, "known": True, "name": found.name, "text": f"{found.code} {found.name}"})
