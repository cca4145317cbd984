"""The JSON API under /api/v1: the consultant operations for other systems.

Only `Authorization: Bearer <token>` authenticates here. A session cookie never does, so a
page in the consultant's browser cannot drive the API on their behalf (no CSRF through the
API), which is also why the blueprint is exempt from the form CSRF check.

Every answer is JSON, errors included: `{"status", "message", "problems"}` with a Danish
message; validation errors (422) list `problems` as `{id, field, reason, kind}`: a
`core.errors.Invalid` raised anywhere in a route becomes that answer (`invalid`). The
routes live in the submodules; the OpenAPI document that describes them is `web.openapi`.
"""
from __future__ import annotations

import traceback

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, default_exceptions

from core.errors import Conflict, Invalid
from data.json_text import JsonTextError, decode as decode_json
from web.audit_trail import act_as, actor_for
from web.auth import Consultant, consultant_for_token, csrf

PREFIX = "/api/v1"
# A single record is small; only the import takes whole registries.
MAX_RECORD_BYTES = 512 * 1024
MAX_IMPORT_BYTES = 16 * 1024 * 1024

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)

# Danish messages for the statuses the API answers with.
MESSAGES = {
    400: "Forespørgslen kunne ikke læses.",
    401: "Log ind med en API-nøgle: send headeren 'Authorization: Bearer <nøgle>'.",
    403: "Kun en administrator må gøre dette.",
    404: "Findes ikke, eller du har ikke adgang til den.",
    405: "Metoden er ikke tilladt her.",
    409: "Findes allerede.",
    413: "Forespørgslen er for stor.",
    415: "Send indholdet som JSON (Content-Type: application/json).",
    422: "Data er ugyldige, intet er gemt.",
    429: "For mange forespørgsler; vent lidt og prøv igen.",
    500: "Der skete en fejl på serveren; intet halvt er gemt. Prøv igen, eller kontakt support.",
}


class ApiError(Exception):
    """An answer other than success; `problems` are {id, field, reason} dicts (422)."""

    def __init__(self, status: int, message: str | None = None, problems: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(message or danish_message(status))
        self.status = status
        self.message = message or danish_message(status)
        self.problems = problems or []
        self.headers = headers or {}


def danish_message(status: int) -> str:
    return MESSAGES.get(status) or f"Forespørgslen kunne ikke gennemføres (HTTP-status {status})."


def error_response(status: int, message: str | None = None, problems: list[dict] | None = None,
                   headers: dict | None = None):
    response = jsonify({"status": status, "message": message or danish_message(status),
                        "problems": problems or []})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def created(body: dict, endpoint: str, **values):
    """201 Created with the new resource and its Location."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for(endpoint, **values)
    return response


def new_record_id(record: dict, kind: str) -> str:
    """The id of a record to create (POST); stripped and stored back in the record."""
    record_id = record.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        raise Invalid.one("", "id", "mangler eller er ikke tekst", kind)
    record["id"] = record_id.strip()
    return record["id"]


def keep_path_id(record: dict, record_id: str, kind: str) -> None:
    """A full record sent to a resource (PUT) must carry that resource's id, or none."""
    if record.get("id", record_id) != record_id:
        raise Invalid.one(record_id, "id", "skal være det samme som i adressen (id kan ikke ændres)", kind)
    record["id"] = record_id


def invalid(error: Invalid, message: str | None = None, status: int = 422) -> ApiError:
    """The API's one adapter for `core.errors.Invalid`: 422 (400 for a list's paging parameters)
    with its problems as {id, field, reason, kind}. Views may simply let an Invalid propagate
    (`_handle_invalid`)."""
    return ApiError(status, message, [{"id": p.record_id, "field": p.field, "reason": p.reason, "kind": p.kind}
                                   for p in error.problems])


# --- authentication ----------------------------------------------------------------------------

PUBLIC_ENDPOINTS = {"api.openapi_document"}


@bp.before_request
def authenticate_with_bearer_token():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, headers={"WWW-Authenticate": 'Bearer realm="smajobs"'})
    user = consultant_for_token(token)
    if user is None:
        raise ApiError(401, "API-nøglen er ugyldig eller trukket tilbage.",
                       headers={"WWW-Authenticate": 'Bearer realm="smajobs", error="invalid_token"'})
    # Flask-Login keeps the request's user here; setting it means the session (cookie) is
    # never consulted, and web.auth.citizen_or_404 / may_see_citizen work unchanged.
    g._login_user = user
    act_as(actor_for(user, "api"))
    request.max_content_length = MAX_IMPORT_BYTES if request.endpoint == "api.import_document" \
        else MAX_RECORD_BYTES
    return None


def consultant() -> Consultant:
    return g._login_user


def require_admin() -> None:
    if not consultant().is_admin:
        raise ApiError(403)


# --- request bodies ----------------------------------------------------------------------------

def json_body():
    """The decoded JSON body: 415 when it is not declared JSON, 400 when it does not parse."""
    if not request.is_json:
        raise ApiError(415)
    raw = request.get_data(cache=True)
    try:
        return decode_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "Indholdet er ikke gyldig UTF-8.")
    except JsonTextError as error:
        what = "er ikke gyldig JSON" if error.syntax else "kan ikke bruges"
        raise ApiError(400, f"Indholdet {what}: {error.reason}.",
                       [{"id": "", "field": path, "reason": reason, "kind": "json"}
                        for path, reason in error.problems])


def json_object(kind: str, record_id: str = "") -> dict:
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid.one(record_id, "(post)", "skal være et JSON-objekt", kind)
    return body


# --- errors: always JSON under /api/v1 ---------------------------------------------------------

def _handle_api_error(error: ApiError):
    return error_response(error.status, error.message, error.problems, error.headers)


def _handle_invalid(error: Invalid):
    if isinstance(error, Conflict):
        return _handle_api_error(invalid(error, "I strid med det, der allerede er gemt; intet er gemt.", 409))
    return _handle_api_error(invalid(error))


def _handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # redirects (e.g. a missing trailing slash) stay redirects
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if error.code == 413:
        limit = request.max_content_length
        message = f"Forespørgslen er for stor (højst {limit // 1024} KB)." if limit else None
        return error_response(413, message)
    return error_response(error.code, None, None, headers)


def _handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_exception(error)
    # The rule, not the URL, and the exception's type and frames without its message: a
    # message may quote the data being written, and citizen data never goes into logs.
    current_app.logger.error(
        "API error %s in %s %s\n%s", type(error).__name__, request.method,
        request.url_rule.rule if request.url_rule else "?", "".join(traceback.format_tb(error.__traceback__)))
    return error_response(500)


bp.register_error_handler(ApiError, _handle_api_error)
bp.register_error_handler(Invalid, _handle_invalid)
# Per status code: a blueprint's code handler wins over an application-wide one (e.g. a
# Danish HTML 404 page), so the API keeps answering JSON whatever other modules register.
for _code in default_exceptions:
    bp.register_error_handler(_code, _handle_http_exception)
bp.register_error_handler(Exception, _handle_unexpected)


@bp.before_app_request
def routing_errors_as_json():
    """An unknown URL or a wrong method under /api/v1 never reaches a blueprint view, so its
    handlers cannot answer; routing errors are still pending here, before dispatch."""
    error = request.routing_exception
    if error is not None and (request.path == PREFIX or request.path.startswith(PREFIX + "/")):
        if isinstance(error, HTTPException) and (error.code or 0) >= 400:
            return _handle_http_exception(error)
    return None


@bp.after_request
def no_caching(response):
    # Answers carry citizen data: no proxy or browser cache may keep them.
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


from web.api import citizens, registry, placements, reports, transfer, meta, privacy  # noqa: E402,F401  (routes)
