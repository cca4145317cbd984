"""Danish error pages for the whole app, in the normal layout, each with a next step.

Handlers registered on a blueprint win over these (Flask looks for the blueprint's handler
first), so the JSON API (web.api, per status code) and the public employer form (web.signup)
keep their own answers. A request for /api/ that no blueprint handles (an unknown version, a
route that failed before dispatch) still gets JSON here, as does a script asking for JSON.

A form sent after the session or its CSRF token expired is not saved. The page says so, offers
to go back (web/static/back.js: history.back(), so the browser restores what was typed) and,
for a form sent from our own pages, shows the longer texts that were sent so they can be copied
even when the session is gone and going back lands on the log-in page. An expired log-in form
itself is simply shown again (web.auth.login_page_after_expiry).
"""
from __future__ import annotations

import traceback
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from web.auth import is_local_path, login_page_after_expiry

bp = Blueprint("errors", __name__)

# (title, explanation) per status; the page adds what to do next.
PAGES = {
    400: ("Forespørgslen kunne ikke læses",
          "Siden fik noget, den ikke kunne forstå, så intet er gemt. Gå tilbage, og prøv igen."),
    401: ("Log ind først", "Du skal være logget ind for at se siden."),
    403: ("Ingen adgang", "Siden er kun for administratorer. Spørg en administrator, hvis du har brug for den."),
    404: ("Siden findes ikke",
          "Adressen er forkert, det, den pegede på, er slettet, eller det hører til en anden konsulent."),
    405: ("Det kan siden ikke",
          "Siden kan ikke bruges på den måde. Gå tilbage, og brug knapperne på siden."),
    413: ("For meget på én gang",
          "Det, du sendte, fylder for meget, så intet er gemt. Gør teksten kortere, og prøv igen."),
    429: ("For mange forsøg", "Der er sendt mange forespørgsler på kort tid. Vent lidt, og prøv igen."),
    500: ("Der skete en fejl",
          "Noget gik galt hos os. Gå tilbage, og se efter, om det, du var i gang med, blev gemt. "
          "Sker det igen, så kontakt support."),
}
# Texts this long or longer that were sent with an expired form are shown to copy; shorter
# values are choices and ticks, which are quick to redo and mean nothing out of context.
MIN_RESCUED_TEXT = 20
# Never shown again: secrets, tokens and the employer form's honeypot.
NEVER_RESCUED = ("csrf", "password", "token", "website")


def _wants_json() -> bool:
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    # A page's own fetch() asking for JSON; browsers and curl (*/*) get the page.
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _json_error(code: int, headers: dict | None = None):
    # The API's own format and Danish messages, so a client sees one kind of error body.
    from web.api import error_response
    return error_response(code, headers=headers)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # redirects stay redirects
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if _wants_json():
        return _json_error(error.code, headers)
    title, message = PAGES.get(error.code, ("Siden kunne ikke vises",
                                            f"Forespørgslen kunne ikke gennemføres (fejl {error.code})."))
    return _render(error.code, title=title, message=message), error.code, headers


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    if _wants_json():
        return _json_error(400)
    if request.method == "POST" and request.endpoint == "auth.login":
        # Nothing to rescue on the log-in itself: show its form again, ready to try once more.
        return login_page_after_expiry()
    return _render(400, title="Siden er udløbet", expired=True, back_url=_same_site_referrer(),
                   rescued=_rescued_texts()), 400


def _render(code: int, **context) -> str:
    try:
        signed_in = current_user.is_authenticated
        return render_template("errors.html", code=code, signed_in=signed_in, **context)
    except Exception:  # noqa: BLE001 - the error page itself must not fail (e.g. the database is down)
        current_app.logger.error("The error page for %s could not be shown", code)
        return (f"{context.get('title', 'Der skete en fejl')} (fejl {code}). "
                "Gå tilbage, og prøv igen om lidt.")


def log_exception(exc_info) -> None:
    """Replaces Flask's app.log_exception, which logs the exception's message and the URL: a
    message may quote the data being written, and citizen data never goes into logs. The type,
    the route's rule and the frames are enough to find the bug (as in web.api)."""
    _, error, trace = exc_info
    current_app.logger.error(
        "Error %s in %s %s\n%s", type(error).__name__, request.method,
        request.url_rule.rule if request.url_rule else "?", "".join(traceback.format_tb(trace)))


def from_our_pages() -> bool:
    """Whether the browser says the request came from our own pages; a form posted from another
    site must not have its text shown back as if it were ours."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    origin = request.headers.get("Origin") or request.referrer or ""
    return bool(origin) and urlsplit(origin).netloc == request.host


def _same_site_referrer() -> str | None:
    """The page the form was on, as a path on our site, or None."""
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.netloc != request.host or not is_local_path(path):
        return None
    return path


def _rescued_texts() -> list[str]:
    if request.method != "POST" or not from_our_pages():
        return []
    texts = []
    for name, value in request.form.items(multi=True):
        if any(word in name.lower() for word in NEVER_RESCUED):
            continue
        if len(value.strip()) >= MIN_RESCUED_TEXT:
            texts.append(value)
    return texts[:20]


def login_url_back_to(path: str | None) -> str:
    return url_for("auth.login", next=path) if path else url_for("auth.login")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.log_exception = log_exception


@bp.app_context_processor
def _error_helpers() -> dict:
    return {"login_url_back_to": login_url_back_to}
