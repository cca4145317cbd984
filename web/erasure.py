"""Slet borger, Slet virksomhed and "Behold endnu en periode".

Erasing is final, so the confirmation asks for the name to be typed (the citizen's first name,
the employer's name), as a deliberate second step that a stray click cannot take. A citizen may
be erased by their consultant or an admin (anyone else gets 404, as everywhere); an employer by
admins only. The work itself is jobs.erasure, shared with the API, the CLI and the scheduler.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from data import registry
from jobs import erasure
from web.auth import admin_required, citizen_or_404
from web.db import get_db

bp = Blueprint("erasure", __name__)


class ConfirmForm(FlaskForm):
    confirmation = StringField("Navn", render_kw={"autocomplete": "off", "maxlength": 300})


class KeepForm(FlaskForm):
    reason = TextAreaField("Begrundelse", render_kw={"maxlength": 500, "rows": 2})


def _same_name(typed: str | None, name: str) -> bool:
    # Case and spacing do not matter; the point is that it was typed, not how.
    return " ".join((typed or "").split()).casefold() == " ".join(name.split()).casefold()


@bp.route("/borgere/<citizen_id>/slet", methods=["GET", "POST"])
@login_required
def erase_citizen(citizen_id):
    citizen = citizen_or_404(citizen_id)
    form = ConfirmForm()
    form.confirmation.label.text = "Borgerens fornavn"
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if _same_name(form.confirmation.data, citizen["first_name"]):
            erasure.erase_citizen(get_db(), current_app.config["SMAJOBS"], citizen_id)
            flash(f"Borger {citizen_id} er slettet med alle oplysninger.")
            return redirect(url_for("citizens.index"))
        form.confirmation.errors = ["Navnet passer ikke. Skriv borgerens fornavn for at bekræfte sletningen."]
    return render_template("erasure/citizen.html", form=form, citizen=citizen,
                           placements=len(_placements_of(citizen_id))), 400 if form.confirmation.errors else 200


def _placements_of(citizen_id: str) -> list[dict]:
    from data.placements import placements_of_citizen
    return placements_of_citizen(get_db(), citizen_id)


@bp.route("/borgere/<citizen_id>/behold", methods=["POST"])
@login_required
def keep_citizen(citizen_id):
    citizen_or_404(citizen_id)
    form = KeepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        until = erasure.keep_citizen(get_db(), current_app.config["SMAJOBS"], citizen_id, form.reason.data)
    except erasure.KeepError as error:
        flash(str(error), "error")
    else:
        from core.formats import danish_date
        flash(f"Borgeren beholdes til {danish_date(until)}.")
    return redirect(url_for("citizens.show", citizen_id=citizen_id) + "#sletning")


@bp.route("/virksomheder/<employer_id>/slet", methods=["GET", "POST"])
@admin_required
def erase_employer(employer_id):
    db = get_db()
    employer = registry.get_employer(db, employer_id)
    if employer is None or employer_id == erasure.store.DELETED_EMPLOYER_ID:
        abort(404)
    form = ConfirmForm()
    form.confirmation.label.text = "Virksomhedens navn"
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if _same_name(form.confirmation.data, employer["name"]):
            erasure.erase_employer(db, current_app.config["SMAJOBS"], employer_id)
            flash("Virksomheden er slettet. Borgernes forløb står tilbage under »Slettet virksomhed«.")
            return redirect(url_for("employers.index"))
        form.confirmation.errors = ["Navnet passer ikke. Skriv virksomhedens navn for at bekræfte sletningen."]
    from data.placements import placements_of_employer
    return render_template("erasure/employer.html", form=form, employer=employer,
                           placements=len(placements_of_employer(db, employer_id))), \
        400 if form.confirmation.errors else 200
