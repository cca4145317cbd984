"""Who is asking, for the audit trail (data/audit.py), set once per request; and `seen`, which a
view calls when the answer that shows citizen data is produced.

Pages: the logged-in consultant (or admin), door 'page'. The JSON API sets its actor itself
right after its bearer token is checked (web.api), door 'api', because a session cookie never
counts there. A request without a log-in (the employer's check-in link) acts as 'system' on the
page door, with its client address. The address is the one web.limits counts: behind
SMAJOBS_PROXY_HOPS proxies, ProxyFix has already put the real client there.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from flask import Flask, g, request
from flask_login import current_user

from data import audit
from web import limits
from web.db import get_db


def actor_for(user, channel: str) -> audit.Actor:
    """The audit actor for a consultant (None or anonymous: 'system') on a door."""
    if user is None or not user.is_authenticated:
        return audit.Actor("system", channel, client_address=limits.client_address())
    return audit.Actor("admin" if user.is_admin else "consultant", channel, consultant_id=user.id,
                       client_address=limits.client_address())


def act_as(actor: audit.Actor) -> None:
    """Make `actor` the request's actor until the request ends (a second call replaces it)."""
    _reset()
    g._audit_token = audit.set_actor(actor)


def _set_page_actor() -> None:
    if request.blueprint == "api" or request.endpoint in (None, "static"):
        return  # the API sets its own after its token check; static files show no data
    act_as(actor_for(current_user, "page"))


def _reset(exception=None) -> None:
    # A server thread serves many requests: the actor must not outlive its request.
    token = g.pop("_audit_token", None)
    if token is not None:
        audit.reset_actor(token)


def seen(action: str, citizen_id: str | None = None, **ids) -> None:
    """Log that the answer being produced shows this citizen's data (ids only)."""
    audit.log(get_db(), action, citizen_id, **ids)


def seen_many(action: str, entries: Iterable[str | Mapping]) -> None:
    """Log one row per citizen (or placement, meeting) the answer shows, in one statement."""
    audit.log_many(get_db(), action, entries)


def init_app(app: Flask) -> None:
    app.before_request(_set_page_actor)
    app.teardown_request(_reset)
