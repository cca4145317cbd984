"""Virksomheder: the approved employer registry with its openings, searchable and paged, and each
employer's page: its status (a company that is not approved is not matched), its placement
history (only the placements of citizens the viewer may see, as in the API; admins see all), and a
button that mails the contact person a new private link."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm

from data import placements, registry, results, signups
from data.placements import KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS
from matcher.vocabulary import LANGUAGE_NAMES, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS
from web.audit_trail import seen_many
from web.auth import may_see_citizen
from web.db import get_db
from web.signup import compose_email

bp = Blueprint("employers", __name__)

MAX_QUERY = 200
PAGE_SIZE = 50
EMPLOYER_STATUS_LABELS = {"pending": "Afventer godkendelse", "rejected": "Afvist"}


class NewLinkForm(FlaskForm):
    """Only the CSRF token: the employer is in the URL."""


@bp.route("/virksomheder")
@login_required
def index():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    employers = registry.list_employers(get_db(), query)
    pages = max(1, -(-len(employers) // PAGE_SIZE))
    page = min(_page_number(request.args.get("side")), pages)
    first = (page - 1) * PAGE_SIZE
    return render_template("employers/index.html", employers=employers[first:first + PAGE_SIZE], query=query,
                           total=len(employers), page=page, pages=pages, first=first + 1)


def _page_number(value: str | None) -> int:
    # A mistyped or old page number shows a page, never an error.
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@bp.route("/virksomheder/<employer_id>")
@login_required
def show(employer_id):
    db = get_db()
    employer = registry.get_employer(db, employer_id)
    if employer is None:
        abort(404)
    # The same rule as the API: only placements of citizens this consultant may see (admins:
    # all). Of the others only their number is shown, never a name, a period or an outcome.
    every = placements.placements_of_employer(db, employer_id)
    history = [p for p in every if may_see_citizen({"consultant": p["consultant_email"]})]
    seen_many("viewed_employer_placements", [
        {"citizen_id": p["citizen_id"], "placement_id": p["id"], "employer_id": employer_id} for p in history])
    return render_template(
        "employers/show.html", employer=employer, openings=registry.openings_of(db, employer_id), history=history,
        needs=NEEDS, shift_labels=SHIFT_LABELS, paid_labels=PAID_HOURS_LABELS, language_names=LANGUAGE_NAMES,
        kind_labels=KIND_LABELS, status_labels=STATUS_LABELS, outcome_labels=OUTCOME_LABELS,
        hidden_count=len(every) - len(history),
        track_record=results.track_record_text(results.employer_track_records(db, [employer_id]).get(employer_id)),
        employer_status=EMPLOYER_STATUS_LABELS.get(employer.get("status")),
        pending_registration=signups.pending_registration_of(db, employer_id), link_form=NewLinkForm(),
    )


@bp.route("/virksomheder/<employer_id>/nyt-link", methods=["POST"])
@login_required
def send_link(employer_id):
    """Mail the contact person on record a new private link (e.g. theirs expired)."""
    if not NewLinkForm().validate_on_submit():
        abort(400)
    db = get_db()
    if registry.get_employer(db, employer_id) is None:
        abort(404)
    sent_to = signups.send_new_link(db, employer_id, compose_email(current_app.config["SMAJOBS"], "new_link"))
    if sent_to:
        flash(f"Et nyt link er sendt til {sent_to}.")
    else:
        flash("Virksomheden har ingen e-mailadresse hos os, så vi kan ikke sende et link.", "error")
    return redirect(url_for(".show", employer_id=employer_id))
