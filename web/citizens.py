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

from data import accounts, placements, registry, taught_links
from core.errors import Invalid
from data.match_filters import parse_match_filters
from data.postcodes import lookup as lookup_postcode
from jobs import frikort
from jobs.erasure import planned_erasure
from jobs.rules_config import rules_config
from matcher.vocabulary import (LANGUAGE_NAMES, NEED_EXPLANATIONS, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS,
                                language_name)
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
    case_reference = StringField("Sagsreference", render_kw={"maxlength": 50, "autocomplete": "off"})
    postcode = StringField("Postnummer", render_kw={"inputmode": "numeric", "maxlength": 4,
                                                     "autocomplete": "off"})
    interests = TextAreaField("Interesser")
    experience = TextAreaField("Erfaring")
    goal = TextAreaField("Mål")
    languages = StringField("Sprog", default="dansk")
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
    "case_reference": "case_reference",
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


# Language names as typed in the form ("arabisk", "Dansk") -> code; the first code of a name wins
# ("norsk" -> no). Codes are still taken as they are ("ar"), so older habits keep working.
_CODE_BY_NAME = {}
for _code, _name in LANGUAGE_NAMES.items():
    _CODE_BY_NAME.setdefault(_name, _code)


def language_codes(text: str | None) -> list[str]:
    """'arabisk, dansk' -> ['ar', 'da']; a word that is no known language is kept as typed, so
    the exchange rules (or unknown_languages) name it."""
    words = [word.strip().lower() for word in (text or "").replace(";", ",").split(",") if word.strip()]
    return [_CODE_BY_NAME.get(word, word) for word in words]


def unknown_languages(text: str | None) -> list[str]:
    return [word.strip() for word in (text or "").replace(";", ",").split(",")
            if word.strip() and word.strip().lower() not in _CODE_BY_NAME and word.strip().lower() not in LANGUAGE_NAMES]


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
        "languages": language_codes(form.languages.data),
        "max_travel_km": _number_or_text(form.max_travel_km.data, float),
        "needs": list(form.needs.data or []),
        "social_free_card": bool(form.social_free_card.data),
    }
    age = _number_or_text(form.age.data)
    if age is not None:
        record["age"] = age
    if (form.target_group.data or "").strip():
        record["target_group"] = form.target_group.data
    if (form.case_reference.data or "").strip():
        record["case_reference"] = form.case_reference.data
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
        "case_reference": citizen.get("case_reference") or "",
        "interests": citizen["interests"], "experience": citizen["experience"], "goal": citizen["goal"],
        "languages": ", ".join(language_name(code) for code in citizen["languages"]),
        "hours_min": "" if citizen["hours_min"] is None else str(citizen["hours_min"]),
        "hours_max": "" if citizen["hours_max"] is None else str(citizen["hours_max"]),
        "shifts": citizen["shifts"] or [], "max_travel_km": as_typed(citizen["max_travel_km"]),
        "needs": citizen["needs"], "consultant": citizen["consultant"] or "",
        "social_free_card": citizen["social_free_card"],
    })
    return form


def _show_citizen_problems(form: CitizenForm, error: Invalid) -> None:
    show_problems(form, error, "first_name", PROBLEM_FIELDS)
    unknown = unknown_languages(form.languages.data)
    if unknown and form.languages.errors:
        # The form takes names, so say it in names rather than as a problem with a code.
        form.languages.errors = [f"Kender ikke sproget {', '.join(unknown)}. "
                                 "Skriv sprogenes navne på dansk, adskilt med komma, fx arabisk, dansk."]


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
        _show_citizen_problems(form, error)
        return None


def _render_form(form: CitizenForm, citizen: dict | None, status: int = 200):
    if current_user.is_admin and not form.consultant.choices:
        form.consultant.choices = choices([("", "Ingen")] + _consultant_choices())
    return render_template("citizens/form.html", form=form, citizen=citizen, need_explanations=NEED_EXPLANATIONS,
                           town=_town(form.postcode.data)), status


def _consultant_name(email: str | None) -> str | None:
    """The consultant's name for a profile (the e-mail only when there is no name on record)."""
    if not email:
        return None
    for row in accounts.list_consultants(get_db()):
        if row["email"].lower() == email.lower():
            return row["name"] or email
    return email


def _town(code: str | None) -> str:
    found = lookup_postcode((code or "").strip()) if code else None
    return f"{found.code} {found.name}" if found else ""


CITIZEN_SORT_LABELS = {"navn": "Navn", "sagsreference": "Sagsreference", "maalgruppe": "Målgruppe",
                       "aktivitet": "Seneste aktivitet"}


@bp.route("/borgere")
@login_required
def index():
    db = get_db()
    search = (request.args.get("q") or "").strip()[:100]
    sort = request.args.get("sort") if request.args.get("sort") in registry.CITIZEN_SORTS else "navn"
    citizens = registry.list_citizens(db, None if current_user.is_admin else current_user.email, search, sort)
    consultants = _consultant_choices() if current_user.is_admin else []
    # Admins see which citizens follow a consultant who was deactivated (or never had an
    # account), so they can hand them over: email -> active.
    states = ({row["email"].lower(): bool(row["active"]) for row in accounts.list_consultants(db)}
              if current_user.is_admin else {})
    orphaned = [c for c in citizens if c["consultant"] and not states.get(c["consultant"].lower())]
    # One row per citizen on the list, not one for the list: the log answers "who saw whom".
    seen_many("viewed_list", [c["id"] for c in citizens])
    return render_template("citizens/index.html", citizens=citizens, consultants=consultants, search=search,
                           sort=sort, sort_labels=CITIZEN_SORT_LABELS,
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
        "citizens/show.html", citizen=citizen, needs=NEEDS, consultant_name=_consultant_name(citizen["consultant"]), shift_labels=SHIFT_LABELS,
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


def _matched_rows(citizen: dict, args):
    """(result, rows with what tells look-alikes apart, shown filters, errors) for the GET args."""
    from data.matching import match_rows, match_service
    db = get_db()
    filters, shown, errors = _match_filters(args)
    result = None if errors else match_service.match_record(db, registry.matching_record(citizen), MATCH_TOP,
                                                            **filters)
    rows = match_rows(db, result.matches if result else [])
    for row, tells in zip(rows, _what_tells_apart([r["opening"] for r in rows])):
        row["tells_apart"] = tells
    _add_track_records(db, rows)
    return result, rows, shown, errors


def _what_tells_apart(openings: list[dict]) -> list[str]:
    """For openings that share title and employer with another on the list, the facts that differ
    (hours, shifts, paid hours, seats) as a short Danish line; '' for the rest."""
    def facts(opening):
        return {"hours": _hours_text(opening), "shifts": ", ".join(SHIFT_LABELS[c].lower() for c in SHIFT_LABELS
                                                                   if c in (opening["shifts"] or [])),
                "paid": PAID_HOURS_LABELS[opening["paid_hours"]],
                "seats": f"{opening['seats']} {'plads' if opening['seats'] == 1 else 'pladser'}"}
    groups: dict[tuple, list[int]] = {}
    for position, opening in enumerate(openings):
        groups.setdefault((opening["title"].strip().lower(), opening["employer_id"]), []).append(position)
    tells = [""] * len(openings)
    for positions in groups.values():
        if len(positions) < 2:
            continue
        all_facts = [facts(openings[p]) for p in positions]
        differing = [key for key in ("hours", "shifts", "paid", "seats") if len({f[key] for f in all_facts}) > 1]
        for p, f in zip(positions, all_facts):
            tells[p] = ("Adskiller sig fra det andet opslag med samme titel: " + " · ".join(f[k] for k in differing)
                        if differing else "Samme titel og vilkår som et andet opslag hos virksomheden")
    return tells


def _hours_text(opening: dict) -> str:
    low, high = opening["hours_min"], opening["hours_max"]
    if low is not None and high is not None:
        return f"{low}–{high} timer om ugen"
    if low is not None or high is not None:
        return f"{'mindst' if low is not None else 'op til'} {low if low is not None else high} timer om ugen"
    return "timer ikke oplyst"


# What each hard rule means for the citizen, for "why is the list empty".
EXCLUSION_TEXTS = {
    "needs": "kan ikke tage hensyn til {name}s skånehensyn ({needs})",
    "shifts": "har kun vagter, {name}s profil udelukker (profilen tillader {shifts})",
    "hours": "har timer, der ikke passer med {name}s {hours}",
    "shift_filter": "har ikke de vagter, du har valgt i filteret",
    "paid_only": "har ikke lønnede timer (filteret \"Kun med lønnede timer\")",
    "known_needs": "har uvisse skånehensyn (filteret er slået fra)",
}


def _empty_list_reasons(citizen: dict, result) -> list[str]:
    """One Danish sentence per hard rule that dropped openings, naming the citizen's own limit."""
    values = {
        "name": citizen["first_name"],
        "needs": ", ".join(NEEDS[c].lower() for c in citizen["needs"]),
        "shifts": ", ".join(SHIFT_LABELS[c].lower() for c in SHIFT_LABELS if c in (citizen["shifts"] or [])),
        "hours": _hours_text(citizen),
    }
    return [f"{count} {'småjob' if count == 1 else 'småjobs'} " + EXCLUSION_TEXTS[rule].format(**values)
            for rule, count in result.excluded]


class TeachForm(FlaskForm):
    """"Denne interesse passer til dette felt" on the match page (issue 13, data.taught_links)."""
    interest = SelectField("Borgerens interesse", validate_choice=False)
    term = StringField("Eller skriv et ord")
    field = SelectField("Passer til arbejdsfeltet", validate_choice=False)


def _teach_form(citizen: dict) -> TeachForm:
    from matcher.taught import fields
    from matcher.text import phrases
    form = TeachForm()
    form.interest.choices = choices([("", "Skriv selv et ord")] + [(p, p) for p in phrases(citizen["interests"])])
    form.field.choices = choices([("", "Vælg et felt")] + fields())
    return form


@bp.route("/borgere/<citizen_id>/match/laer", methods=["POST"])
@login_required
def teach(citizen_id):
    """Store a taught link for the whole organisation; the page's filters come along (query string)."""
    citizen = citizen_or_404(citizen_id)
    form = _teach_form(citizen)
    if not form.validate_on_submit():
        abort(400)
    term = (form.term.data or "").strip() or form.interest.data or ""
    try:
        link, created = taught_links.add(get_db(), term, form.field.data or "", created_by=current_user.id,
                                         citizen_id=citizen_id)
    except Invalid as error:
        show_problems(form, error, "term")
        return _render_match(citizen, form, request.args, 400)
    from matcher.taught import field_label
    what = f"»{link['term']}« ↔ {field_label(link['field'])}"
    flash(f"Koblingen {what} er gemt og bruges fra nu af for alle borgere." if created
          else f"Koblingen {what} findes allerede.")
    return redirect(url_for("citizens.match", citizen_id=citizen_id, **request.args.to_dict(flat=False)))


@bp.route("/borgere/<citizen_id>/match")
@login_required
def match(citizen_id):
    citizen = citizen_or_404(citizen_id)
    return _render_match(citizen, _teach_form(citizen), request.args)


def _render_match(citizen: dict, teach_form: TeachForm, args, teach_status: int = 200):
    citizen_id = citizen["id"]
    result, rows, shown, errors = _matched_rows(citizen, args)
    # "I forløb her" / "Ingen ledige pladser" on the cards (issue 10), read in one query.
    taken = placements.open_at_openings(get_db(), citizen_id, [row["opening"]["id"] for row in rows])
    seen("viewed_matches", citizen_id)
    return render_template("citizens/match.html", citizen=citizen, result=result, rows=rows, shown=shown, taken=taken,
                           errors=errors, shift_labels=SHIFT_LABELS, paid_labels=PAID_HOURS_LABELS, hours_text=_hours_text,
                           empty_reasons=_empty_list_reasons(citizen, result) if result and not rows else [],
                           filter_args=[(k, v) for k, v in args.items(multi=True) if k != "valgt"],
                           teach_form=teach_form, query=request.query_string.decode()), \
        400 if errors else teach_status


def _add_track_records(db, rows: list[dict]) -> None:
    """The employer's earlier forløb as one more reason line under the match (read for all rows
    at once). It is not part of the score: see matcher/README.md."""
    from data.results import employer_track_records, track_record_text
    records = employer_track_records(db, sorted({row["employer"]["id"] for row in rows}))
    for row in rows:
        row["track_record"] = track_record_text(records.get(row["employer"]["id"]))


@bp.route("/borgere/<citizen_id>/match/udskrift")
@login_required
def shortlist(citizen_id):
    """The matches marked on the list, as a clean page to print (or save as PDF) and hand over.
    The same search is run again (the filters come along), so distance and reasons are the list's."""
    citizen = citizen_or_404(citizen_id)
    result, rows, _, errors = _matched_rows(citizen, request.args)
    if errors:
        abort(400)
    chosen = request.args.getlist("valgt")
    rows = [row for row in rows if row["opening"]["id"] in chosen] if chosen else rows
    seen("viewed_matches", citizen_id)
    return render_template("citizens/shortlist.html", citizen=citizen, rows=rows, today=clock.today(),
                           shift_labels=SHIFT_LABELS, paid_labels=PAID_HOURS_LABELS, hours_text=_hours_text,
                           back_args=[(k, v) for k, v in request.args.items(multi=True) if k != "valgt"])


@bp.route("/postnummer/<code>")
@login_required
def postcode(code):
    found = lookup_postcode(code.strip()) if code.strip().isdigit() and len(code.strip()) == 4 else None
    if found is None:
        return jsonify({"code": code, "known": False, "text": "Ukendt postnummer"}), 404
    return jsonify({"code": found.code, "known": True, "name": found.name, "text": f"{found.code} {found.name}"})
