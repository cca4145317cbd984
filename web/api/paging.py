"""Pages of the API's lists: `?limit=N&cursor=...` in, a `Link: <...>; rel="next"` header out.

The answer body keeps its shape (`{"citizens": [...]}` and so on); the way to the next page is
the Link header (RFC 8288), absent on the last page, so a client that ignores it still reads
the same JSON as before.

The cursor is the sort key of the last item sent, encrypted and authenticated with a key
derived from the app's SECRET_KEY (Fernet). Encrypted, because a sort key can be citizen data
(a first name, a meeting date) and URLs end up in proxy logs; authenticated, because a cursor
that was changed, or that belongs to another list, must be refused with 400 instead of being
read as some other position.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, jsonify, request, url_for

from data.paging import Page
from core.errors import Invalid
from web.api import ApiError, invalid

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    # Its own key, so a cursor can never be read as (or forged from) a session cookie.
    key = hmac.new(secret, b"smajobs api cursor v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def list_identity() -> list:
    """What makes this request's list this list: the endpoint, its path ids and its filters
    (every query parameter but limit and cursor). A cursor is only good for the same identity:
    one citizen's meetings cursor must not page through another's, nor survive a new search."""
    # Lists, not tuples: the identity is compared with what comes back out of a cursor's JSON.
    query = sorted([key, value] for key, value in request.args.items(multi=True) if key not in ("limit", "cursor"))
    return [request.endpoint, sorted([key, value] for key, value in (request.view_args or {}).items()), query]


def encode_cursor(identity: list, after: tuple) -> str:
    payload = json.dumps([identity, list(after)], ensure_ascii=False, separators=(",", ":"))
    return _fernet().encrypt(payload.encode()).decode()


def decode_cursor(identity: list, cursor: str, key_length: int) -> tuple:
    """The sort key in `cursor`; 400 if it was not made by this app for this very list."""
    try:
        name, after = json.loads(_fernet().decrypt(cursor.encode()))
    except (InvalidToken, ValueError, TypeError):
        raise _bad("cursor", "er ugyldig eller ændret; brug adressen fra Link-headeren, eller start forfra "
                             "uden cursor")
    if name != identity or not isinstance(after, list) or len(after) != key_length \
            or not all(isinstance(part, (str, int, float)) for part in after):
        raise _bad("cursor", "hører til en anden liste; start forfra uden cursor")
    return tuple(after)


def page_request(key_length: int) -> tuple[int, tuple | None]:
    """`limit` and the decoded `cursor` from the query string (400 in Danish when bad);
    `key_length` is the number of parts in the list's sort key."""
    raw_limit = request.args.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        try:
            limit = int(raw_limit.strip())
        except ValueError:
            raise _bad("limit", f"skal være et helt tal mellem 1 og {MAX_LIMIT}, ikke '{raw_limit[:20]}'")
        if not 1 <= limit <= MAX_LIMIT:
            raise _bad("limit", f"skal være mellem 1 og {MAX_LIMIT} (var {limit})")
    cursor = request.args.get("cursor")
    if cursor is None:
        return limit, None
    if not cursor.strip():
        raise _bad("cursor", "er tom; udelad den for at få første side")
    return limit, decode_cursor(list_identity(), cursor.strip(), key_length)


def paged_response(list_name: str, page: Page, item_json, limit: int):
    """`{list_name: [...]}` with the Link header to the next page when there is one."""
    response = jsonify({list_name: [item_json(item) for item in page.items]})
    if page.next_after is not None:
        args = {**request.args.to_dict(flat=True), **(request.view_args or {}),
                "limit": limit, "cursor": encode_cursor(list_identity(), page.next_after)}
        response.headers["Link"] = f'<{url_for(request.endpoint, _external=True, **args)}>; rel="next"'
    return response


def _bad(parameter: str, reason: str) -> ApiError:
    return invalid(Invalid.one("", parameter, reason, "side"), f"Ugyldig parameter '{parameter}': {reason}.", 400)
