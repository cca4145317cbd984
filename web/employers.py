"""Virksomheder: the approved employer registry with its openings, searchable, and each
employer's placement history. Citizens' first names show only to consultants who may see them."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from data import placements, registry
from data.placements import KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS
from flask_login import login_required
from matcher.vocabulary import LANGUAGE_NAMES, NEEDS, PAID_HOURS_LABELS, SHIFT_LABELS
from web.citizens import visible_first_name
from web.db import get_db

bp = Blueprint("employers", __name__)

MAX_QUERY = 200


@bp.route("/virksomheder")
@login_required
def index():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    employers = registry.list_employers(get_db(), query)
    return render_template("employers/index.html", employers=employers, query=query)


@bp.route("/virksomheder/<employer_id>")
@login_required
def show(employer_id):
    db = get_db()
    employer = registry.get_employer(db, employer_id)
    if employer is None:
        abort(404)
    history = [{**p, "visible_name": visible_first_name(p)} for p in placements.placements_of_employer(db, employer_id)]
    return render_template(
        "employers/show.html", employer=employer, openings=registry.openings_of(db, employer_id), history=history,
        needs=NEEDS, shift_labels=SHIFT_LABELS, paid_labels=PAID_HOURS_LABELS, language_names=LANGUAGE_NAMES,
        kind_labels=KIND_LABELS, status_labels=STATUS_LABELS, outcome_labels=OUTCOME_LABELS,
    )
