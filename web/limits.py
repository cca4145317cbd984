"""The app's one rate limiter (Flask-Limiter): the employer form's limit per client address and
the log-in throttle per e-mail and per client address.

One Limiter per app, kept in `app.extensions`, so each app (and each test) counts on its own. The
counts live in `config.rate_limit_storage`: in memory by default, which is per web process;
several `smajobs serve` processes share their counts only through a shared store (redis://...).
The client address is `request.remote_addr`; behind a reverse proxy, create_app's ProxyFix
(`config.proxy_hops`) has already put the real client there.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError

from core.config import ConfigError

EXTENSION = "smajobs_limiter"
# The limit strings of the config, checked when the app is made, not on the first request.
LIMIT_SETTINGS = ("login_limit_per_email", "login_limit_per_address", "signup_rate_limit",
                  "signup_flood_limit", "signup_link_rate_limit", "signup_postcode_rate_limit")


def init_app(app: Flask) -> None:
    config = app.config["SMAJOBS"]
    parsed = {name: _parse_setting(name, getattr(config, name)) for name in LIMIT_SETTINGS}
    # Moving window: a fixed window would let twice the limit through around its edge.
    try:
        limiter = Limiter(get_remote_address, storage_uri=config.rate_limit_storage, strategy="moving-window")
        limiter.init_app(app)
    except ConfigurationError as error:  # an unknown scheme, or redis:// without its package
        raise ConfigError(f"SMAJOBS_RATE_LIMIT_STORAGE kan ikke bruges ('{config.rate_limit_storage}'): "
                          f"{error}") from None
    app.extensions[EXTENSION] = limiter
    app.extensions[EXTENSION + ".parsed"] = parsed


def _parse_setting(name: str, value: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError:
        raise ConfigError(f"SMAJOBS_{name.upper()} skal være en grænse som '10 per hour' eller "
                          f"'10/15 minutes', ikke '{value}'.") from None


def limiter_for(app: Flask) -> Limiter:
    return app.extensions[EXTENSION]


def _limit(setting: str) -> RateLimitItem:
    return current_app.extensions[EXTENSION + ".parsed"][setting]


# --- counters the views drive themselves ---------------------------------------------------------
# The log-in refuses with a message on its own form, before the password is checked, and a
# success takes its attempt back off the e-mail's count; so the view counts itself, through the
# limiter's storage.

def minutes_until_allowed(setting: str, identity: str) -> int:
    """0 while one more attempt fits within the limit of `setting` for this identity; else the
    whole minutes (at least 1) until the oldest counted attempt leaves the window."""
    limit = _limit(setting)
    rate_limiter = limiter_for(current_app).limiter
    if rate_limiter.test(limit, setting, identity):
        return 0
    reset_at, _ = rate_limiter.get_window_stats(limit, setting, identity)
    return max(1, math.ceil((reset_at - time.time()) / 60))


def take(setting: str, *identity: str) -> bool:
    """Count one attempt for this identity (an e-mail; a scope and a client address) under the
    limit of `setting`, in one step with the check (so concurrent requests cannot all slip in
    under the limit); False when the limit is used up, and the attempt is then not counted."""
    return limiter_for(current_app).limiter.hit(_limit(setting), setting, *identity)


def forget(setting: str, identity: str) -> None:
    limiter_for(current_app).limiter.clear(_limit(setting), setting, identity)


def client_address() -> str:
    return get_remote_address() or "unknown"
