"""Forløb (placements) with their report due dates, and the meeting log.

Every view reaches a placement through its citizen (`citizen_or_404`), so another consultant's
placement answers 404 like their citizen does. Validation lives in data.placements; the forms
only carry the typed text there and put the Danish messages back next to the fields.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from core.errors import Invalid, Problem
from data import outcomes, placements, registry
from data.outcomes import FOLLOWUP_STATUS_LABELS
from data.db import write
from data.placements import KIND_LABELS, MEETING_KIND_LABELS, OUTCOME_LABELS, REPORT_KIND_LABELS, STATUS_LABELS
from web.audit_trail import seen, seen_many
from web.auth import citizen_or_404
from web.db import get_db
from core import clock
from core.formats import as_typed
from web.forms import choices, show_problems
from web.reminders_now import remind_now

bp = Blueprint("placements", __name__)

DATE = {"type": "date", "placeholder": "ÅÅÅÅ-MM-DD"}
NUMBER = {"inputmode": "decimal"}


class PlacementForm(FlaskForm):
    opening_id = StringField("Småjob (id)", render_kw={"autocomplete": "off", "list": "opening-choices"})
    kind = SelectField("Type forløb", choices=choices(KIND_LABELS.items()), validate_choice=False)
    status = SelectField("Status", choices=choices(STATUS_LABELS.items()), default="planned", validate_choice=False)
    start_date = StringField("Start", render_kw=DATE)
    planned_end_date = StringField("Planlagt slut", render_kw=DATE)
    hours_per_week = StringField("Timer om ugen i alt", render_kw=NUMBER)
    paid_hours_per_week = StringField("Heraf lønnede timer", default="0", render_kw=NUMBER)
    hourly_wage = StringField("Timeløn for de lønnede timer (kr.)", render_kw=NUMBER)
    trial_weeks = StringField("Praktikuger før lønnede timer", default="0", render_kw={"inputmode": "numeric"})
    end_date = StringField("Slutdato", render_kw=DATE)
    outcome = SelectField("Resultat", choices=choices([("", "Ikke afsluttet"), *OUTCOME_LABELS.items()]),
                          validate_choice=False)
    # Only on the create form: report due dates stored together with the placement.
    delrapport_due = StringField("Delrapport senest", render_kw=DATE)
    slutrapport_due = StringField("Slutrapport senest", render_kw=DATE)
    # Shown when every seat of the opening is taken: the consultant confirms a forløb there anyway.
    confirm_full = BooleanField("Opret alligevel")


class CancelForm(FlaskForm):
    cancel_reason = TextAreaField("Årsag (kan udelades)", render_kw={"maxlength": placements.MAX_CANCEL_REASON})


class ReportForm(FlaskForm):
    kind = SelectField("Rapport", choices=choices(REPORT_KIND_LABELS.items()), validate_choice=False)
    due_date = StringField("Frist", render_kw=DATE)


class PaidHoursSinceForm(FlaskForm):
    paid_hours_since = StringField("Første lønnede time", render_kw=DATE)


class FollowupForm(FlaskForm):
    """One per follow-up point (prefix m2-, m6-, ...), so each has its own field ids."""
    status = SelectField("Hvor står borgeren?", choices=choices([("", "Vælg …"), *FOLLOWUP_STATUS_LABELS.items()]),
                         validate_choice=False)


class MeetingForm(FlaskForm):
    kind = SelectField("Møde", choices=choices(MEETING_KIND_LABELS.items()), validate_choice=False)
    placement_id = SelectField("Forløb", validate_choice=False)
    held_on = StringField("Dato", render_kw=DATE)
    participants = StringField("Deltagere", render_kw={"maxlength": placements.MAX_PARTICIPANTS})
    note = TextAreaField("Kort note", render_kw={"maxlength": placements.MAX_NOTE})
    paid_hours_proposed = RadioField("Blev lønnede timer foreslået?", default="",
                                     choices=choices([("", "Ikke relevant"), ("ja", "Ja"), ("nej", "Nej")]),
                                     validate_choice=False)
    paid_hours_answer = TextAreaField("Virksomhedens svar", render_kw={"maxlength": placements.MAX_NOTE})


def _placement_or_404(placement_id: int) -> tuple[dict, dict]:
    placement = placements.get_placement(get_db(), placement_id)
    if placement is None:
        abort(404)
    return placement, citizen_or_404(placement["citizen_id"])


def _placement_values(form: PlacementForm) -> dict:
    return dict(
        opening_id=(form.opening_id.data or "").strip(), kind=form.kind.data, status=form.status.data,
        start_date=form.start_date.data, planned_end_date=form.planned_end_date.data or None,
        end_date=form.end_date.data or None, hours_per_week=form.hours_per_week.data,
        paid_hours_per_week=form.paid_hours_per_week.data or 0, hourly_wage=form.hourly_wage.data or None,
        trial_weeks=form.trial_weeks.data or 0, outcome=form.outcome.data or None,
    )


def _prefill_from_opening(form: PlacementForm, opening: dict) -> None:
    form.opening_id.data = opening["id"]
    form.trial_weeks.data = str(opening["trial_weeks"])
    if opening["hours_min"]:
        form.hours_per_week.data = str(opening["hours_min"])
    if opening["paid_hours"] == "from_start":
        form.kind.data = "smajob"


@bp.route("/borgere/<citizen_id>/forloeb/nyt", methods=["GET", "POST"])
@login_required
def new(citizen_id):
    citizen = citizen_or_404(citizen_id)
    db = get_db()
    form = PlacementForm()
    # A forløb made by mistake is cancelled on its page; a new one is never born cancelled.
    form.status.choices = choices([(code, label) for code, label in STATUS_LABELS.items() if code != "cancelled"])
    if request.method == "GET":
        form.start_date.data = clock.today().isoformat()   # most forløb are entered on their first day
    if request.method == "GET" and request.args.get("opening"):
        opening = registry.get_opening(db, request.args["opening"])
        if opening is not None:
            _prefill_from_opening(form, opening)
    if form.validate_on_submit():
        values = _placement_values(form)
        try:
            with write(db):  # the placement and its report dates, all or nothing
                placement = placements.create_placement(db, citizen_id=citizen_id, created_by=current_user.id,
                                                        confirm_full=form.confirm_full.data, **values)
                for kind in ("delrapport", "slutrapport"):
                    due = getattr(form, f"{kind}_due").data
                    if due:
                        try:
                            placements.add_report_due(db, placement["id"], kind, due)
                        except Invalid as error:
                            reason = error.reason_for("due_date") or error.problems[0].reason
                            raise Invalid([Problem("", f"{kind}_due", reason, "rapport")])
        except Invalid as error:
            show_problems(form, error, "opening_id")
        else:
            remind_now(citizen_id)
            flash("Forløbet er oprettet.")
            return redirect(url_for("placements.show", placement_id=placement["id"]))
    opening = registry.get_opening(db, (form.opening_id.data or "").strip()) if form.opening_id.data else None
    return _render_form(form, citizen, None, opening, 400 if request.method == "POST" else 200)


def _render_form(form, citizen, placement, opening, status):
    db = get_db()
    employer = registry.get_employer(db, opening["employer_id"]) if opening else None
    # Suggestions for the opening field when the placement does not start from a match.
    suggestions = [(o["id"], f"{o['title']} – {e['name']}") for e in registry.list_employers(db)
                   for o in e["openings"] if o["active"]]
    return render_template("placements/form.html", form=form, citizen=citizen, placement=placement,
                           opening=opening, employer=employer, opening_choices=suggestions), status


@bp.route("/forloeb/<int:placement_id>")
@login_required
def show(placement_id, report_form: ReportForm | None = None, status: int = 200, paid_form=None,
         followup_forms: dict | None = None, cancel_form: CancelForm | None = None):
    placement, citizen = _placement_or_404(placement_id)
    db = get_db()
    seen("viewed_placement", citizen["id"], placement_id=placement_id)
    return render_template(
        "placements/show.html", placement=placement, citizen=citizen,
        reports=placements.reports_of(db, placement_id), meetings=placements.meetings_of_placement(db, placement_id),
        report_form=report_form or ReportForm(), cancel_form=cancel_form or CancelForm(),
        kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS, report_labels=REPORT_KIND_LABELS, meeting_labels=MEETING_KIND_LABELS,
        paid_form=paid_form or PaidHoursSinceForm(data={"paid_hours_since": placement["paid_hours_since"] or ""}),
        followups=_followup_rows(placement, followup_forms or {}), followup_labels=FOLLOWUP_STATUS_LABELS,
    ), status


def _followup_rows(placement: dict, forms: dict) -> list[dict]:
    """Each follow-up point of an ended placement: when it falls due, what was recorded, a form."""
    if placement["status"] != "ended" or not placement["end_date"]:
        return []
    recorded = outcomes.followups_of(get_db(), placement["id"])
    rows = []
    for months in current_app.config["SMAJOBS"].followup_months:
        form = forms.get(months) or FollowupForm(prefix=f"m{months}", data={
            "status": recorded[months]["status"] if months in recorded else ""})
        rows.append({"months": months, "due_on": outcomes.followup_due_on(placement["end_date"], months),
                     "recorded": recorded.get(months), "form": form})
    return rows


@bp.route("/forloeb/<int:placement_id>/foerste-loennede-time", methods=["POST"])
@login_required
def set_paid_hours_since(placement_id):
    _placement_or_404(placement_id)
    form = PaidHoursSinceForm()
    if form.validate_on_submit():
        try:
            outcomes.set_paid_hours_since(get_db(), placement_id, form.paid_hours_since.data)
        except Invalid as error:
            show_problems(form, error, "paid_hours_since")
        else:
            flash("Datoen for den første lønnede time er gemt.")
            return redirect(url_for("placements.show", placement_id=placement_id))
    return show(placement_id, status=400, paid_form=form)


@bp.route("/forloeb/<int:placement_id>/status-efter/<int:months>", methods=["POST"])
@login_required
def record_followup(placement_id, months):
    _placement_or_404(placement_id)
    if months not in current_app.config["SMAJOBS"].followup_months:
        abort(404)
    form = FollowupForm(prefix=f"m{months}")
    if form.validate_on_submit():
        try:
            outcomes.record_followup(get_db(), placement_id, months, form.status.data,
                                     current_app.config["SMAJOBS"].followup_months, recorded_by=current_user.id)
        except Invalid as error:
            show_problems(form, error, "status")
        else:
            flash(f"Status {months} måneder efter forløbet er gemt.")
            return redirect(url_for("placements.show", placement_id=placement_id, _anchor="status-efter"))
    return show(placement_id, status=400, followup_forms={months: form})


@bp.route("/forloeb/<int:placement_id>/rediger", methods=["GET", "POST"])
@login_required
def edit(placement_id):
    placement, citizen = _placement_or_404(placement_id)
    db = get_db()
    if request.method == "POST":
        form = PlacementForm()
    else:
        form = PlacementForm(data={
            key: "" if placement[key] is None else (placement[key] if key in ("kind", "status", "outcome")
                                                     else as_typed(placement[key]))
            for key in ("opening_id", "kind", "status", "start_date", "planned_end_date", "end_date",
                        "hours_per_week", "paid_hours_per_week", "hourly_wage", "trial_weeks", "outcome")
        })
    if form.validate_on_submit():
        try:
            placements.update_placement(db, placement_id, **_placement_values(form))
        except Invalid as error:
            show_problems(form, error, "opening_id")
        else:
            remind_now(citizen["id"])
            flash("Forløbet er gemt.")
            return redirect(url_for("placements.show", placement_id=placement_id))
    if request.method == "GET":  # the form filled with the stored placement
        seen("viewed_placement", citizen["id"], placement_id=placement_id)
    opening = registry.get_opening(db, (form.opening_id.data or "").strip()) if form.opening_id.data else None
    return _render_form(form, citizen, placement, opening, 400 if request.method == "POST" else 200)


@bp.route("/forloeb/<int:placement_id>/annuller", methods=["POST"])
@login_required
def cancel(placement_id):
    """Cancel a forløb made by mistake (the button on the forløb page)."""
    placement, citizen = _placement_or_404(placement_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            placements.cancel_placement(get_db(), placement_id, (form.cancel_reason.data or "").strip() or None)
        except Invalid as error:
            show_problems(form, error, "cancel_reason")
        else:
            remind_now(citizen["id"])
            flash("Forløbet er annulleret.")
            return redirect(url_for("placements.show", placement_id=placement_id))
    return show(placement_id, status=400, cancel_form=form)


@bp.route("/forloeb/<int:placement_id>/rapporter", methods=["POST"])
@login_required
def add_report(placement_id):
    _placement_or_404(placement_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            placements.add_report_due(get_db(), placement_id, form.kind.data, form.due_date.data)
        except Invalid as error:
            show_problems(form, error, "due_date")
        else:
            flash("Rapportfristen er gemt.")
            return redirect(url_for("placements.show", placement_id=placement_id))
    return show(placement_id, report_form=form, status=400)


@bp.route("/forloeb/<int:placement_id>/rapporter/<int:report_id>/afleveret", methods=["POST"])
@login_required
def submit_report(placement_id, report_id):
    _placement_or_404(placement_id)
    db = get_db()
    report = placements.get_report(db, report_id)
    if report is None or report["placement_id"] != placement_id or not FlaskForm().validate_on_submit():
        abort(404 if report is None or report["placement_id"] != placement_id else 400)
    placements.submit_report(db, report_id)
    flash(f"{REPORT_KIND_LABELS[report['kind']]} er markeret som afleveret.")
    return redirect(url_for("placements.show", placement_id=placement_id))


# --- meetings ----------------------------------------------------------------------------------

PROPOSED_CHOICE = {"ja": True, "nej": False}


def _meeting_form(citizen_id: str, data: dict | None = None) -> MeetingForm:
    """The meeting form with the citizen's placements to choose from (the same for new and edit)."""
    form = MeetingForm(data=data) if data is not None else MeetingForm()
    form.placement_id.choices = choices([("", "Intet forløb")] + [
        (str(p["id"]), f"{p['opening_title']} – {p['employer_name']} ({STATUS_LABELS[p['status']].lower()})")
        for p in placements.placements_of_citizen(get_db(), citizen_id)])
    return form


def _meeting_values(form: MeetingForm) -> dict:
    return dict(placement_id=form.placement_id.data or None, kind=form.kind.data, held_on=form.held_on.data,
                participants=form.participants.data, note=form.note.data,
                paid_hours_proposed=PROPOSED_CHOICE.get(form.paid_hours_proposed.data or ""),
                paid_hours_answer=form.paid_hours_answer.data)


def _meeting_as_typed(meeting: dict) -> dict:
    proposed = {True: "ja", False: "nej"}.get(meeting["paid_hours_proposed"], "")
    return dict(kind=meeting["kind"], placement_id=str(meeting["placement_id"] or ""), held_on=meeting["held_on"],
                participants=meeting["participants"], note=meeting["note"], paid_hours_proposed=proposed,
                paid_hours_answer=meeting["paid_hours_answer"] or "")


def _meeting_or_404(citizen_id: str, meeting_id: int) -> tuple[dict, dict]:
    """The citizen (if the consultant may see them) and their meeting; anything else is 404."""
    citizen = citizen_or_404(citizen_id)
    meeting = placements.get_meeting(get_db(), meeting_id)
    if meeting is None or meeting["citizen_id"] != citizen["id"]:
        abort(404)
    return citizen, meeting


def _back_to(citizen_id: str, placement_id) -> str:
    """Where the consultant came from: the placement page (`?fra=forloeb`) or the citizen page."""
    if request.args.get("fra") == "forloeb" and placement_id:
        return url_for("placements.show", placement_id=int(placement_id))
    return url_for("citizens.show", citizen_id=citizen_id)


@bp.route("/borgere/<citizen_id>/moeder/nyt", methods=["GET", "POST"])
@login_required
def new_meeting(citizen_id):
    citizen = citizen_or_404(citizen_id)
    form = _meeting_form(citizen_id)
    if request.method == "GET":
        form.held_on.data = clock.today().isoformat()   # meetings are mostly logged the same day
        form.placement_id.data = request.args.get("forloeb", "")
        if request.args.get("type") in MEETING_KIND_LABELS:
            form.kind.data = request.args["type"]
    if form.validate_on_submit():
        try:
            placements.log_meeting(get_db(), citizen_id=citizen_id, created_by=current_user.id,
                                   **_meeting_values(form))
        except Invalid as error:
            show_problems(form, error, "kind")
        else:
            remind_now(citizen_id)
            flash("Mødet er gemt.")
            if form.placement_id.data:
                return redirect(url_for("placements.show", placement_id=int(form.placement_id.data)))
            return redirect(url_for("citizens.show", citizen_id=citizen_id))
    return render_template("placements/meeting_form.html", form=form, citizen=citizen, meeting=None,
                           cancel_url=url_for("citizens.show", citizen_id=citizen_id)), \
        400 if request.method == "POST" else 200


@bp.route("/borgere/<citizen_id>/moeder/<int:meeting_id>/ret", methods=["GET", "POST"])
@login_required
def edit_meeting(citizen_id, meeting_id):
    citizen, meeting = _meeting_or_404(citizen_id, meeting_id)
    cancel_url = _back_to(citizen_id, meeting["placement_id"])
    if meeting["from_checkin_form"]:
        flash(placements.CHECKIN_MEETING_LOCKED, "error")
        return redirect(cancel_url)
    form = _meeting_form(citizen_id, None if request.method == "POST" else _meeting_as_typed(meeting))
    if form.validate_on_submit():
        try:
            saved = placements.update_meeting(get_db(), meeting_id, **_meeting_values(form))
        except Invalid as error:
            show_problems(form, error, "kind")
        else:
            remind_now(citizen_id)
            flash("Mødet er rettet.")
            return redirect(_back_to(citizen_id, saved["placement_id"]))
    if request.method == "GET":  # the form filled with the stored meeting
        seen("viewed_meetings", citizen["id"], placement_id=meeting["placement_id"], meeting_id=meeting_id)
    return render_template("placements/meeting_form.html", form=form, citizen=citizen, meeting=meeting,
                           cancel_url=cancel_url), 400 if request.method == "POST" else 200


@bp.route("/borgere/<citizen_id>/moeder/<int:meeting_id>/slet", methods=["GET", "POST"])
@login_required
def delete_meeting(citizen_id, meeting_id):
    """GET asks for confirmation (a page, so it works without JavaScript); POST deletes."""
    citizen, meeting = _meeting_or_404(citizen_id, meeting_id)
    back = _back_to(citizen_id, meeting["placement_id"])
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        placements.delete_meeting(get_db(), meeting_id)
        remind_now(citizen_id)
        flash("Mødet er slettet.")
        return redirect(back)
    placement = placements.get_placement(get_db(), meeting["placement_id"]) if meeting["placement_id"] else None
    seen("viewed_meetings", citizen["id"], placement_id=meeting["placement_id"], meeting_id=meeting_id)
    return render_template("placements/meeting_delete.html", form=form, citizen=citizen, meeting=meeting,
                           placement=placement, meeting_labels=MEETING_KIND_LABELS, cancel_url=back)


# --- the overview of every forløb ---------------------------------------------------------------

OVERVIEW_PAGE_SIZE = 50
OVERVIEW_PARAMS = ("status", "kind", "employer_id", "period_from", "period_to", "sort", "consultant")


@bp.get("/forloeb")
@login_required
def overview():
    """The consultant's forløb (an admin: everyone's, or one consultant's), filtered and sorted."""
    from core.clock import today
    from data import accounts, paging
    from web.api import ApiError
    from web.api.paging import decode_cursor, encode_cursor
    shown = {name: (request.args.get(name) or "").strip()[:200] for name in OVERVIEW_PARAMS}
    # The page marker (`side`, encrypted like the API's cursor) is good only for the same filters.
    identity = ["placements.overview", [], sorted([k, v] for k, v in shown.items() if v)]
    rows, errors, next_url = [], {}, None
    try:
        filters, sort = placements.overview_filters({k: v for k, v in shown.items() if k != "consultant"})
    except Invalid as error:
        errors = {p.field: p.sentence for p in error.problems}
    else:
        filters["consultant_email"] = (shown["consultant"] or None) if current_user.is_admin else current_user.email
        try:
            after = decode_cursor(identity, request.args["side"], 2) if request.args.get("side") else None
        except ApiError:
            after = None  # an old or changed page marker shows the first page, never an error
        page = paging.placement_overview(get_db(), filters, sort=sort, limit=OVERVIEW_PAGE_SIZE, after=after)
        rows = page.items
        seen_many("viewed_placement_overview", [{"citizen_id": p["citizen_id"], "placement_id": p["id"],
                                                 "employer_id": p["employer_id"]} for p in rows])
        if page.next_after is not None:
            next_url = url_for("placements.overview", **{k: v for k, v in shown.items() if v},
                               side=encode_cursor(identity, page.next_after))
    db = get_db()
    return render_template(
        "placements/overview.html", rows=rows, shown=shown, errors=errors, next_url=next_url,
        first_url=url_for("placements.overview", **{k: v for k, v in shown.items() if v})
        if request.args.get("side") else None,
        today=today(), days_without_meeting=placements.days_without_meeting,
        status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, sort_labels=placements.OVERVIEW_SORT_LABELS,
        employers=[(e["id"], e["name"]) for e in registry.list_employers(db) if e["status"] == "approved"],
        consultants=[(c["email"].lower(), c["name"] or c["email"]) for c in accounts.list_consultants(db)]
        if current_user.is_admin else [],
    ), 400 if errors else 200
