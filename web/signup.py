"""The public employer form: register (`/virksomhed/tilmeld`), update or close openings through a
private link (`/virksomhed/opdater/<token>`), and the page on how the data is used.

No account is needed, so the door is guarded otherwise: CSRF, a honeypot field, a rate limit per
client address on every POST (Flask-Limiter, `config.signup_rate_limit`), a 256 KB request limit,
length limits on every field, and markup refused in every text.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from data import signups
from data.exchange import parse_employer
from web.db import get_db
from web.forms_signup import MAX_OPENINGS, EmployerForm, attach_problems, fill_from_record, to_exchange_record

bp = Blueprint("signup", __name__)

MAX_REQUEST_BYTES = 256 * 1024
LINK_SALT = "smajobs.employer-update-link.v1"  # single purpose: this salt signs nothing else
LINK_MAX_AGE = timedelta(days=30)


# --- private links --------------------------------------------------------------------------

def _serializer(secret: str, now: datetime | None) -> URLSafeTimedSerializer:
    signer = TimestampSigner
    if now is not None:
        fixed = int(now.timestamp())
        signer = type("FixedTimeSigner", (TimestampSigner,), {"get_timestamp": lambda self: fixed})
    return URLSafeTimedSerializer(secret, salt=LINK_SALT, signer=signer)


def make_update_token(secret: str, employer_id: str, nonce: str, now: datetime | None = None) -> str:
    return _serializer(secret, now).dumps({"e": employer_id, "n": nonce})


def read_update_token(secret: str, token: str, now: datetime | None = None) -> tuple[str, str] | None:
    """(employer_id, nonce) of a valid, unexpired link; None otherwise."""
    try:
        data = _serializer(secret, now).loads(token, max_age=int(LINK_MAX_AGE.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("n"), str):
        return None
    return data["e"], data["n"]


def update_link(config, employer_id: str, nonce: str) -> str:
    token = make_update_token(config.secret_key, employer_id, nonce)
    return f"{config.base_url.rstrip('/')}/virksomhed/opdater/{token}"


# --- e-mails --------------------------------------------------------------------------------

def plain(value: str | None, max_len: int = 100) -> str:
    """A stored value made safe for a plain-text e-mail: one line, no angle brackets."""
    text = re.sub(r"[<>\x00-\x1f\x7f]", " ", value or "")
    return " ".join(text.split())[:max_len]


def compose_email(config, purpose: str):
    """E-mail composer for data.signups (called inside its write transaction)."""
    def compose(employer: dict, nonce: str, link_allowed: bool) -> dict | None:
        if not employer.get("contact_email"):
            return None
        first_name = plain(employer.get("contact_name")).split(" ")[0] or "der"
        company = plain(employer["name"])
        link_text = (
            f"Med dette private link kan I senere rette eller lukke jeres småjobs:\n\n"
            f"{update_link(config, employer['id'], nonce)}\n\n"
            f"Linket virker i {LINK_MAX_AGE.days} dage. Del det ikke med andre."
        )
        if purpose == "updated":
            subject = "Vi har modtaget jeres ændringer"
            body = (f"Hej {first_name}\n\nTak for ændringerne til {company}. Lukkede småjobs er lukket med det samme; "
                    f"andre ændringer gælder, når en konsulent har set dem igennem.\n\n{link_text}")
        elif purpose == "approved":
            subject = "Jeres småjob er godkendt"
            body = (f"Hej {first_name}\n\nEn konsulent har nu godkendt {company}s oplysninger. "
                    f"Vi kontakter jer, når vi har en kandidat, der passer.\n\n{link_text}")
        else:
            subject = "Tak for jeres tilmelding til småjobs"
            body = (f"Hej {first_name}\n\nTak, fordi {company} vil give plads til et småjob. "
                    f"En konsulent ser jeres oplysninger igennem og kontakter jer.\n\n")
            body += link_text if link_allowed else (
                "Vi har allerede oplysninger om jeres virksomhed. Når en konsulent har godkendt "
                "ændringerne, sender vi jer et privat link, hvor I selv kan rette dem.")
        body += "\n\nVenlig hilsen\nsmåjobs\n\nHvis det ikke var jer, der tilmeldte virksomheden, kan I se bort fra denne e-mail."
        return {"to": employer["contact_email"], "subject": subject, "body_text": body}
    return compose


# --- views ----------------------------------------------------------------------------------

@bp.route("/virksomhed/tilmeld", methods=["GET", "POST"])
def register():
    form = EmployerForm()
    return _handle(form, source="form", employer_id=None)


@bp.route("/virksomhed/opdater/<token>", methods=["GET", "POST"])
def update(token: str):
    config = current_app.config["SMAJOBS"]
    db = get_db()
    found = read_update_token(config.secret_key, token)
    employer = None
    if found is not None and signups.current_nonce(db, found[0]) == found[1]:
        employer = signups.employer_with_openings(db, found[0])
    if employer is None:
        return render_template("signup/message.html", title="Linket virker ikke",
                               message="Linket er udløbet eller ikke længere gyldigt. Skriv til os, så sender vi et nyt, "
                                       "eller tilmeld jeres småjobs igen.", show_form_link=True), 404
    form = EmployerForm()
    if request.method == "GET":
        fill_from_record(form, employer)
        if not form.openings.entries:
            form.openings.append_entry()
    return _handle(form, source="update_link", employer_id=employer["id"], employer=employer)


@bp.route("/virksomhed/tak")
def thanks():
    return render_template("signup/message.html", title="Tak for jeres tilmelding",
                           message="Vi har modtaget oplysningerne. En konsulent ser dem igennem og kontakter jer. "
                                   "I får også en e-mail med et privat link, hvor I senere kan rette eller lukke "
                                   "jeres småjobs.")


@bp.route("/virksomhed/data")
def data_use():
    return render_template("signup/data.html")


def _handle(form: EmployerForm, *, source: str, employer_id: str | None, employer: dict | None = None):
    config = current_app.config["SMAJOBS"]
    context = {"form": form, "update_mode": source == "update_link", "employer": employer,
               "max_openings": MAX_OPENINGS, "unplaced": []}
    if request.method != "POST":
        return render_template("signup/form.html", **context)
    if form.add_opening.data:
        # Adding a subform is not a submission: keep everything typed, show no errors yet.
        if len(form.openings.entries) < MAX_OPENINGS:
            form.openings.append_entry().form.title.render_kw = {"autofocus": True}
        return render_template("signup/form.html", **context)
    if form.website.data:
        # The honeypot was filled: pretend success, store nothing.
        return redirect(url_for(".thanks"))
    if source == "form":
        for entry in form.openings.entries:  # only the private link may refer to stored openings
            entry.form.opening_id.data = ""
            entry.form.close.data = False
    valid = form.validate()
    record = to_exchange_record(form)
    problems = []
    parsed = parse_employer(record, 0, problems)
    context["unplaced"] = attach_problems(form, problems, record)
    if not valid or problems or parsed is None:
        return render_template("signup/form.html", **context, has_errors=True), 400
    signups.submit(get_db(), parsed, source=source, employer_id=employer_id,
                   compose_email=compose_email(config, "updated" if source == "update_link" else "received"))
    if source == "update_link":
        return render_template("signup/message.html", title="Tak, vi har modtaget ændringerne",
                               message="Lukkede småjobs er lukket med det samme. Andre ændringer gælder, når en "
                                       "konsulent har set dem igennem.")
    return redirect(url_for(".thanks"))


# --- the door -------------------------------------------------------------------------------

@bp.url_value_preprocessor
def _small_requests_only(endpoint, values):
    # A registration is a few kilobytes; refuse big bodies before anything reads them. URL value
    # preprocessors run before every before_request function, CSRFProtect's form read included.
    request.max_content_length = MAX_REQUEST_BYTES


@bp.errorhandler(413)
def _too_large(error):
    return render_template("signup/message.html", title="For meget tekst",
                           message="Det, I sendte, fylder for meget (højst 256 KB). Gør teksterne kortere og prøv igen.",
                           show_form_link=True), 413


@bp.errorhandler(429)
def _too_many(error):
    return render_template("signup/message.html", title="For mange forsøg",
                           message="Der er sendt mange tilmeldinger fra jeres netværk på kort tid. "
                                   "Vent lidt, og prøv igen senere.", show_form_link=True), 429


@bp.errorhandler(CSRFError)
def _csrf_failed(error):
    return render_template("signup/message.html", title="Siden er udløbet",
                           message="Formularen var udløbet eller blev sendt forkert. Åbn siden igen og send den en gang til.",
                           show_form_link=True), 400


@bp.record_once
def _attach_rate_limit(state) -> None:
    """One limiter per app, so each app (and each test) counts on its own."""
    app = state.app
    config = app.config["SMAJOBS"]
    limiter = Limiter(get_remote_address, storage_uri="memory://", key_prefix="signup")
    limiter.init_app(app)
    limiter.limit(config.signup_rate_limit, methods=["POST"])(bp)
    app.extensions["signup_limiter"] = limiter
