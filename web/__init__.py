"""Flask web app: consultant pages, the JSON API and the public employer form."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import Config
from core.private import restrict_umask


def create_app(config: Config | None = None) -> Flask:
    """The application factory. Every blueprint is registered here and nowhere else."""
    # Whatever the server process creates (database, WAL, e-mail files) is owner-only.
    restrict_umask()
    config = config or Config.load()
    app = Flask(__name__)
    from web.templating import RecordEnvironment
    app.jinja_environment = RecordEnvironment
    app.config.update(
        SMAJOBS=config,
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
        # Whole request bodies above this are refused before any view reads them.
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    # Werkzeug's access log prints URLs; ids only ever appear there, never citizen data.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from web import audit_trail, db, auth, errors, filters, headers, limits, twofactor
    db.init_app(app)
    auth.init_app(app)
    twofactor.init_app(app)
    audit_trail.init_app(app)
    filters.init_app(app)
    # Before the blueprints: web.signup limits its POSTs with the app's one limiter.
    limits.init_app(app)
    headers.init_app(app)
    errors.init_app(app)

    from web import pages
    from web.auth import bp as auth_bp
    pages.init_app(app)
    app.register_blueprint(auth_bp)
    for blueprint in _feature_blueprints():
        app.register_blueprint(blueprint)
    if config.proxy_hops:
        # Trust X-Forwarded-For/Proto/Host only from the proxies we were told about, so the
        # employer form's rate limit counts real clients and redirects keep https.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops, x_proto=config.proxy_hops,
                                x_host=config.proxy_hops)
    return app


def _feature_blueprints():
    """Blueprints of the feature modules, in menu order."""
    from web import pages
    return pages.blueprints()
