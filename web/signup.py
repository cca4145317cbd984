"""The public employer form: register (`/virksomhed/tilmeld`), update or close openings through a
private link (`/virksomhed/opdater/<token>`), and the page on how the data is used.

No account is needed, so the door is guarded otherwise: CSRF, a honeypot field, rate limits per
client address, a 256 KB request limit, length limits on every field, and markup refused in every
text. The rate limits count what they guard, so an employer (or an office network of them) is not
stopped for using the form as meant:

- `config.signup_rate_limit` counts real submissions only (valid data about to be stored), not
  "Tilføj endnu et småjob", "Fjern dette småjob" or a round trip with errors;
- `config.signup_flood_limit`, much higher, counts every POST, against floods;
- `config.signup_link_rate_limit` counts requests for a new private link;
- `config.signup_postcode_rate_limit` counts the form's postcode look-ups.

A limit that is hit shows the form again with everything typed and a Danish message (429).

A form sent to a private link that ran out (or was replaced) meanwhile stores nothing but comes
back with everything typed, the small form to ask for a new link, and a field to paste that new
link into and send again (only for forms sent from our own pages; see _rescue_expired_update).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, SignatureExpired
from werkzeug.datastructures import MultiDict

from core import clock
from data import signups
from data.exchange import parse_employer
from data.postcodes import lookup as lookup_postcode
from jobs.mail_templates import render
from web.db import get_db
from web.errors import from_our_pages
from web.forms_signup import (MAX_OPENINGS, EmployerForm, LinkRequestForm, attach_problems, error_summary,
                              fill_from_record, to_exchange_record)
from web.links import timed_serializer

bp = Blueprint("signup", __name__)

MAX_REQUEST_BYTES = 256 * 1024
LINK_SALT = "smajobs.employer-update-link.v1"  # single purpose: this salt signs nothing else
LINK_MAX_AGE = timedelta(days=30)


# --- private links --------------------------------------------------------------------------

def _serializer(secret: str, now: datetime | None):
    return timed_serializer(secret, LINK_SALT, now)


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
    """E-mail composer for data.signups (called inside its write transaction). `purpose`: received,
    updated, approved or new_link (template signup_<purpose> in jobs/templates/mail/)."""
    def compose(employer: dict, nonce: str, link_allowed: bool) -> dict | None:
        if not employer.get("contact_email"):
            return None
        # A registration, or a change with a new contact e-mail, may hold the link back until a
        # consultant approves; the other e-mails exist to carry it.
        link = update_link(config, employer["id"], nonce) if link_allowed or purpose not in ("received", "updated") else None
        mail = render(f"signup_{purpose}", first_name=plain(employer.get("contact_name")).split(" ")[0] or "der",
                      company=plain(employer["name"]), link=link, link_days=LINK_MAX_AGE.days)
        return {"to": employer["contact_email"], "subject": mail.subject, "body_text": mail.body_text}
    return compose


def compose_rejection(config, message: str = ""):
    """E-mail composer for data.signups.reject: a polite no, with the consultant's own message to
    the company if one was written (never anything else from inside)."""
    def compose(payload: dict, kind: str) -> dict | None:
        if not payload.get("contact_email"):
            return None
        mail = render("signup_update_rejected" if kind == "update" else "signup_rejected",
                      first_name=plain(payload.get("contact_name")).split(" ")[0] or "der",
                      company=plain(payload.get("name")), note=plain_text(message),
                      signup_link=f"{config.base_url.rstrip('/')}/virksomhed/tilmeld")
        return {"to": payload["contact_email"], "subject": mail.subject, "body_text": mail.body_text}
    return compose


def plain_text(value: str | None, max_len: int = 2000) -> str:
    """Like plain(), but keeps line breaks: a consultant's message of a few lines."""
    lines = [" ".join(re.sub(r"[<>\x00-\x1f\x7f]", " ", line).split()) for line in (value or "").splitlines()]
    return "\n".join(lines).strip()[:max_len]


# --- views ----------------------------------------------------------------------------------

@bp.route("/virksomhed/tilmeld", methods=["GET", "POST"])
def register():
    form = EmployerForm()
    return _handle(form, source="form", employer_id=None)


@bp.route("/virksomhed/opdater/<token>", methods=["GET", "POST"])
def update(token: str):
    employer = _employer_of_link(token)
    if employer is None and request.method == "POST":
        # The link ran out while the form was being filled in. A new link pasted into the rescued
        # form (see _rescue_expired_update) sends the form as if it had been posted to that link.
        pasted = _token_in(request.form.get("new_link", ""))
        employer = _employer_of_link(pasted) if pasted else None
        if employer is None:
            return _rescue_expired_update()
        return _handle(EmployerForm(), source="update_link", employer_id=employer["id"], employer=employer,
                       form_action=url_for(".update", token=pasted))
    if employer is None:
        return render_template("signup/link_expired.html", form=LinkRequestForm(), expired=True), 404
    form = EmployerForm()
    if request.method == "GET":
        fill_from_record(form, employer)
        if not form.openings.entries:
            form.openings.append_entry()
    return _handle(form, source="update_link", employer_id=employer["id"], employer=employer)


def _employer_of_link(token: str) -> dict | None:
    """The employer (with openings) a valid, unexpired, not rotated private link belongs to."""
    config = current_app.config["SMAJOBS"]
    db = get_db()
    found = read_update_token(config.secret_key, token)
    if found is None or signups.current_nonce(db, found[0]) != found[1]:
        return None
    return signups.employer_with_openings(db, found[0])


_LINK_TOKEN = re.compile(r"/virksomhed/opdater/([A-Za-z0-9_.\-]+)")


def _token_in(pasted: str) -> str | None:
    """The token of a private link pasted whole (or just its token) into the rescued form."""
    pasted = pasted.strip()
    found = _LINK_TOKEN.search(pasted)
    if found:
        return found.group(1)
    return pasted if re.fullmatch(r"[A-Za-z0-9_.\-]{20,}", pasted) else None


def _rescue_expired_update():
    """A form sent to an expired or revoked private link: nothing is stored, but the form comes
    back with everything typed, a notice, the form to ask for a new link and a field to paste
    that link into. Only for a form sent from our own pages: text posted from another site is
    never shown back as if it were ours (web.errors.from_our_pages, as for the consultants'
    expired forms)."""
    if not from_our_pages():
        return render_template("signup/link_expired.html", form=LinkRequestForm(formdata=None), expired=True), 404
    form = EmployerForm()
    context = {"form": form, "update_mode": True, "employer": None, "max_openings": MAX_OPENINGS,
               "unplaced": [], "errors": [], "removed": None, "town": town_of(form.postcode.data),
               "link_expired": True, "link_form": LinkRequestForm(formdata=None),
               "new_link_given": bool(request.form.get("new_link", "").strip())}
    if not _within_limit("post", "signup_flood_limit"):
        return render_template("signup/form.html", **context, rate_limited=True), 429
    return render_template("signup/form.html", **context), 404


@bp.route("/virksomhed/nyt-link", methods=["GET", "POST"])
def request_link():
    """A new private link, sent only to the contact e-mail on record of an approved employer. The
    answer is the same whatever was typed, so the page tells nobody which companies exist."""
    config = current_app.config["SMAJOBS"]
    form = LinkRequestForm()
    if request.method != "POST":
        return render_template("signup/link_expired.html", form=form, expired=False)
    if not _within_limit("post", "signup_flood_limit"):
        return render_template("signup/link_expired.html", form=form, expired=False, rate_limited=True), 429
    if not form.validate():
        return render_template("signup/link_expired.html", form=form, expired=False), 400
    if not _within_limit("link", "signup_link_rate_limit"):
        return render_template("signup/link_expired.html", form=form, expired=False, rate_limited=True), 429
    db = get_db()
    cvr, email = form.lookup_key()
    # One e-mail per company per hour at most, however often (and by whom) it is asked for.
    hour = clock.now().astimezone(timezone.utc).strftime("%Y-%m-%dT%H")
    for employer_id in signups.approved_employers_for(db, cvr=cvr, email=email):
        signups.send_new_link(db, employer_id, compose_email(config, "new_link"),
                              dedupe_key=f"employer-link-request:{employer_id}:{hour}")
    return render_template("signup/message.html", title="Tak, vi har modtaget jeres forespørgsel",
                           message="Hvis oplysningerne passer på en godkendt virksomhed hos os, sender vi et nyt "
                                   "privat link til den e-mailadresse, vi har på jeres kontaktperson. Det kan tage "
                                   "nogle minutter. Får I ingen e-mail, så tilmeld jeres småjobs igen.",
                           show_form_link=True)


@bp.route("/virksomhed/postnummer/<code>")
def postcode(code: str):
    """The town for a postcode, for the form's instant hint (the public twin of the consultants'
    /postnummer/<code>; the server checks the postcode again on submit)."""
    if not _within_limit("postcode", "signup_postcode_rate_limit"):
        return jsonify({"code": code[:10], "known": False, "text": ""}), 429
    return _postcode_answer(code)


def _postcode_answer(code: str):
    code = code.strip()
    found = lookup_postcode(code) if code.isdigit() and len(code) == 4 else None
    if found is None:
        return jsonify({"code": code[:10], "known": False, "text": "Ukendt postnummer"}), 404
    return jsonify({"code": found.code, "known": True, "name": found.name, "text": f"{found.code} {found.name}"})


def town_of(code: str | None) -> str:
    """The hint shown next to the postcode when the page is drawn (the script updates it)."""
    code = (code or "").strip()
    found = lookup_postcode(code) if code.isdigit() and len(code) == 4 else None
    return f"{found.code} {found.name}" if found else ""


@bp.route("/virksomhed/tak")
def thanks():
    return render_template("signup/message.html", title="Tak for jeres tilmelding",
                           message="Vi har modtaget oplysningerne. En konsulent ser dem igennem og kontakter jer. "
                                   "I får også en e-mail med et privat link, hvor I senere kan rette eller lukke "
                                   "jeres småjobs.")


@bp.route("/virksomhed/data")
def data_use():
    return render_template("signup/data.html")


def _handle(form: EmployerForm, *, source: str, employer_id: str | None, employer: dict | None = None,
            form_action: str | None = None):
    config = current_app.config["SMAJOBS"]
    update_mode = source == "update_link"
    if request.method == "POST" and request.form.get("remove_opening"):
        form = _form_without_opening(form, request.form.get("remove_opening"), update_mode) or form
    # form_action: the new link a rescued form was sent with, so the next round trip goes there.
    context = {"form": form, "update_mode": update_mode, "employer": employer, "form_action": form_action,
               "max_openings": MAX_OPENINGS, "unplaced": [], "errors": [], "removed": None,
               "town": town_of(form.postcode.data)}
    if request.method != "POST":
        return render_template("signup/form.html", **context)
    if not _within_limit("post", "signup_flood_limit"):
        return render_template("signup/form.html", **context, rate_limited=True), 429
    if request.form.get("remove_opening"):
        # Removing a subform is not a submission either: keep everything else, show no errors.
        context["removed"] = getattr(form, "removed_number", None)
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
        context["errors"] = error_summary(form)
        return render_template("signup/form.html", **context, has_errors=True), 400
    # Counted only now: a real submission that is about to be stored.
    if not _within_limit("submit", "signup_rate_limit"):
        return render_template("signup/form.html", **context, rate_limited=True), 429
    signups.submit(get_db(), parsed, source=source, employer_id=employer_id,
                   compose_email=compose_email(config, "updated" if update_mode else "received"))
    if update_mode:
        return render_template("signup/message.html", title="Tak, vi har modtaget ændringerne",
                               message="Lukkede småjobs er lukket med det samme. Andre ændringer gælder, når en "
                                       "konsulent har set dem igennem.")
    return redirect(url_for(".thanks"))


_OPENING_KEY = re.compile(r"^openings-(\d+)-(.+)$")


def _form_without_opening(form: EmployerForm, which: str, update_mode: bool) -> EmployerForm | None:
    """The form as posted, minus one opening not yet stored, the later ones renumbered; None when
    that opening may not be removed (the last one, a stored one: close that instead, or unknown)."""
    indices = [int(entry.name.rsplit("-", 1)[1]) for entry in form.openings.entries]
    if not which.isdigit() or int(which) not in indices or len(indices) < 2:
        return None
    position = indices.index(int(which))
    if update_mode and form.openings.entries[position].form.opening_id.data:
        return None
    renumber = {index: new for new, index in enumerate(i for i in indices if i != int(which))}
    data = MultiDict()
    for key, value in request.form.items(multi=True):
        match = _OPENING_KEY.match(key)
        if key == "remove_opening" or (match and int(match.group(1)) not in renumber):
            continue
        if match:
            key = f"openings-{renumber[int(match.group(1))]}-{match.group(2)}"
        data.add(key, value)
    smaller = EmployerForm(formdata=data)
    smaller.removed_number = position + 1
    return smaller


# --- the door -------------------------------------------------------------------------------

def _within_limit(scope: str, setting: str) -> bool:
    """Count one hit for this client address; False when the limit of `setting` is used up."""
    from web.limits import client_address, take
    return take(setting, f"signup-{scope}", client_address())


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


@bp.errorhandler(CSRFError)
def _csrf_failed(error):
    return render_template("signup/message.html", title="Siden er udløbet",
                           message="Formularen var udløbet eller blev sendt forkert. Åbn siden igen og send den en gang til.",
                           show_form_link=True), 400


