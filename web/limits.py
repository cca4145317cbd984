"""The app's one rate limiter (Flask-Limiter): the employer form's limits per client address and
the log-in throttle (see web.auth). A setting may hold several limits joined by ";" ("5 per
minute; 10 per hour"): an attempt must fit within all of them, so the wait grows with the count.

One Limiter per app, kept in `app.extensions`. The counts live where `storage_uri` says: by
default in a small SQLite file beside the database (data.limit_store), which all the worker
processes of `smajobs serve` share (and each test, with its own database, has to itself);
`config.rate_limit_storage` may name another store (memory:// counts per process, redis://...).
The client address is `request.remote_addr`; behind a reverse proxy, create_app's ProxyFix
(`config.proxy_hops`) has already put the real client there.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError

from core.config import Config, ConfigError
from data import limit_store  # registers the sqlite:// storage with `limits`

EXTENSION = "smajobs_limiter"
# The limit strings of the config, checked when the app is made, not on the first request.
LIMIT_SETTINGS = ("login_limit_per_email_and_address", "login_limit_per_email", "login_limit_per_address",
                  "login_limit_per_device", "signup_rate_limit", "signup_flood_limit", "signup_link_rate_limit",
                  "signup_postcode_rate_limit", "second_factor_limit_per_device",
                  "second_factor_limit_per_account_and_address", "second_factor_limit_per_account")


def init_app(app: Flask) -> None:
    config = app.config["SMAJOBS"]
    parsed = {name: _parse_setting(name, getattr(config, name)) for name in LIMIT_SETTINGS}
    # Moving window: a fixed window would let twice the limit through around its edge.
    uri = storage_uri(config)
    try:
        limiter = Limiter(get_remote_address, storage_uri=uri, strategy="moving-window")
        limiter.init_app(app)
    except (ConfigurationError, ValueError) as error:  # an unknown scheme, redis:// without its package
        raise ConfigError(f"SMAJOBS_RATE_LIMIT_STORAGE kan ikke bruges ('{uri}'): {error}") from None
    app.extensions[EXTENSION] = limiter
    app.extensions[EXTENSION + ".parsed"] = parsed


def storage_uri(config: Config) -> str:
    """The configured store, or the SQLite file beside the database (memory for a database that is
    itself only in memory)."""
    if config.rate_limit_storage:
        return config.rate_limit_storage
    if config.db == ":memory:":
        return "memory://"
    return f"{limit_store.SCHEME}://{Path(config.db).resolve()}.limits"


def _parse_setting(name: str, value: str) -> list[RateLimitItem]:
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if not items:
        raise ConfigError(f"SMAJOBS_{name.upper()} skal være en grænse som '10 per hour' eller "
                          f"'10/15 minutes' (flere adskilt af ';'), ikke '{value}'.")
    return items


def limiter_for(app: Flask) -> Limiter:
    return app.extensions[EXTENSION]


def _limits(setting: str) -> list[RateLimitItem]:
    return current_app.extensions[EXTENSION + ".parsed"][setting]


# --- counters the views drive themselves ---------------------------------------------------------
# The log-in refuses with a message on its own form, before the password is checked, and a
# success takes its attempt back off the e-mail's count; so the view counts itself, through the
# limiter's storage.

def minutes_until_allowed(setting: str, *identity: str) -> int:
    """0 while one more attempt fits within every limit of `setting` for this identity; else the
    whole minutes (at least 1) until the oldest counted attempt leaves the window of the limit
    that is used up (the longest such wait)."""
    rate_limiter = limiter_for(current_app).limiter
    wait = 0
    for limit in _limits(setting):
        if not rate_limiter.test(limit, setting, *identity):
            reset_at, _ = rate_limiter.get_window_stats(limit, setting, *identity)
            wait = max(wait, max(1, math.ceil((reset_at - time.time()) / 60)))
    return wait


def take(setting: str, *identity: str) -> bool:
    """Count one attempt for this identity (an e-mail; a scope and a client address) under the
    limits of `setting`, each in one step with its check (so concurrent requests cannot all slip
    in under a limit); False when a limit is used up. An attempt refused by a limit that was
    already used up is counted nowhere; only requests racing for a last place can leave one count
    in a longer window."""
    rate_limiter = limiter_for(current_app).limiter
    items = _limits(setting)
    if not all(rate_limiter.test(limit, setting, *identity) for limit in items):
        return False
    return all([rate_limiter.hit(limit, setting, *identity) for limit in items])


def forget(setting: str, *identity: str) -> None:
    for limit in _limits(setting):
        limiter_for(current_app).limiter.clear(limit, setting, *identity)


def client_address() -> str:
    return get_remote_address() or "unknown"
