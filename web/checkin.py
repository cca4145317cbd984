"""The employer's two-minute check-in form, reached only through the private link in the
check-in e-mail (jobs.rules, rule 6).

The link carries a signed token (itsdangerous, its own salt, so it is good for nothing else)
naming the check-in row, the placement and the period; the row holds the expiry date and takes
one answer only. A tampered, expired, used or unknown link gets a clear Danish page, never a
stack trace. The answer is logged as a meeting of kind `employer_checkin` for the consultant;
an answer that asks for help also gives the consultant a reminder (next rules pass).
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template
from flask_wtf import FlaskForm
from itsdangerous import BadSignature
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from core import clock
from data import reminders as store
from jobs.rules import checkin_serializer
from web.audit_trail import seen
from web.db import get_db
from web.forms import choices, plain_text_field

bp = Blueprint("checkin", __name__)

ATTENDANCE = [("as_agreed", "Kommer som aftalt"), ("some_absence", "Enkelte afbud eller fravær"),
              ("much_absence", "Meget fravær")]
TASKS = [("well", "Opgaverne går godt"), ("mixed", "Nogle opgaver er svære"),
         ("hard", "Opgaverne er for svære eller passer ikke")]
ACT_ON = [("no", "Nej, alt er fint"), ("yes", "Ja, kontakt os gerne")]
FLAGS = {"much_absence", "hard"}
MAX_NOTE = 1000


class CheckinForm(FlaskForm):
    attendance = RadioField("Hvordan går fremmødet?", choices=choices(ATTENDANCE),
                            validators=[InputRequired("Vælg hvordan fremmødet går.")])
    tasks = RadioField("Hvordan går det med opgaverne?", choices=choices(TASKS),
                       validators=[InputRequired("Vælg hvordan det går med opgaverne.")])
    act_on = RadioField("Er der noget, konsulenten skal tage fat i?", choices=choices(ACT_ON),
                        validators=[InputRequired("Svar ja eller nej.")])
    note = TextAreaField("Vil I tilføje noget? (valgfrit)",
                         validators=[Optional(), Length(max=MAX_NOTE, message=f"Højst {MAX_NOTE} tegn."),
                                     plain_text_field])


def _message(title: str, text: str, status: int):
    return render_template("checkin/message.html", title=title, text=text), status


def _checkin_from_token(token: str):
    """The check-in row for a valid token, or a (page, status) explaining why not."""
    try:
        payload = checkin_serializer(current_app.config["SMAJOBS"]).loads(token)
        checkin = store.get_checkin(get_db(), int(payload["c"]))
        valid = checkin is not None and checkin["placement_id"] == payload["p"] and checkin["period"] == payload["k"]
    except (BadSignature, KeyError, TypeError, ValueError):
        valid, checkin = False, None
    if not valid:
        return None, _message("Linket virker ikke",
                              "Linket er ugyldigt – måske er det kun kopieret delvist. Brug linket i den "
                              "seneste e-mail fra os, eller kontakt konsulenten.", 404)
    if checkin["answered_at"]:
        return None, _message("Tak, I har allerede svaret",
                              "Svaret er modtaget, og konsulenten har det. I får et nyt link om nogle uger.", 410)
    if clock.today() > date.fromisoformat(checkin["expires_on"]) or checkin["placement_status"] != "active":
        return None, _message("Linket er udløbet",
                              "Linket var kun gyldigt i en periode, og den er overstået. I får et nyt link "
                              "med næste e-mail – eller kontakt konsulenten direkte.", 410)
    return checkin, None


def _meeting_note(form: CheckinForm) -> str:
    labels = lambda choices, value: dict(choices)[value]  # noqa: E731
    lines = [
        "Svar fra virksomheden via tjek-ind-linket.",
        f"Fremmøde: {labels(ATTENDANCE, form.attendance.data)}.",
        f"Opgaver: {labels(TASKS, form.tasks.data)}.",
        f"Ønsker kontakt: {'ja' if form.act_on.data == 'yes' else 'nej'}.",
    ]
    if form.note.data and form.note.data.strip():
        lines.append(f"Bemærkning: {form.note.data.strip()}")
    return "\n".join(lines)


@bp.route("/tjek-ind/<token>", methods=["GET", "POST"])
def form(token: str):
    checkin, refusal = _checkin_from_token(token)
    if refusal:
        return refusal
    form = CheckinForm()
    if form.validate_on_submit():
        flagged = form.attendance.data in FLAGS or form.tasks.data in FLAGS or form.act_on.data == "yes"
        meeting = store.answer_checkin(
            get_db(), checkin["id"], held_on=clock.today(), attendance=form.attendance.data, tasks=form.tasks.data,
            act_on=form.act_on.data == "yes", note=(form.note.data or "").strip(), flagged=flagged,
            meeting_note=_meeting_note(form))
        if meeting is None:
            return _message("Tak, I har allerede svaret", "Svaret er modtaget, og konsulenten har det.", 410)
        return _message("Tak for svaret",
                        "Konsulenten har fået jeres svar" + (" og kontakter jer snarest." if flagged else "."), 200)
    status = 400 if form.errors else 200
    # The employer (no log-in: 'system' on the page door) sees the citizen's first name.
    seen("viewed_placement", checkin["citizen_id"], placement_id=checkin["placement_id"])
    return render_template("checkin/form.html", form=form, first_name=checkin["first_name"],
                           employer_name=checkin["employer_name"]), status
