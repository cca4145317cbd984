"""Security headers on every answer: no framing, no MIME sniffing, no URLs with ids leaving the
site in a Referer, and a Content-Security-Policy that allows only our own files.

The policy forbids inline <script> and style="" attributes: scripts live in web/static/*.js and
styles in web/static/style.css. A page that needs an exception is a page to fix, not a reason to
loosen the policy.
"""
from __future__ import annotations

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
])
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Our URLs carry citizen and placement ids; other sites need not learn them.
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
# One year; sent only when cookies are https-only (config.secure_cookies), i.e. the site is
# served over https, because a browser that has seen it refuses plain http for that long.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages carry citizen data (and the expired-form page the text just typed): no copy in
        # the browser's cache or a proxy's for the next person at a shared computer.
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SMAJOBS"].secure_cookies:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
