"""Single sign-on with the organisation's accounts (OpenID Connect, e.g. Microsoft Entra ID).

Authlib's Flask client does the protocol: the authorization code flow with PKCE (S256), a state
and a nonce kept in this browser's session and used once, and the ID token verified against the
issuer's published keys (signature, issuer, audience, expiry, nonce). Here we decide who may in:

- only a verified e-mail (`email_verified`, or Entra ID's `xms_edov`) that belongs to an active
  consultant account made beforehand; a log-in never creates an account, and deactivation in
  småjobs wins over the provider;
- with SMAJOBS_OIDC_ADMIN_GROUP, the "groups" claim decides admin or consultant at each log-in
  (the last active admin is never demoted);
- the session counts as having passed two factors ('sso'): the organisation's provider is where
  its second factor is demanded (in Entra ID: Conditional Access requiring MFA).
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from joserfc.errors import JoseError

from data import accounts
from web import auth
from web.db import get_db

bp = Blueprint("sso", __name__, url_prefix="/login/organisation")
EXTENSION = "smajobs_oidc"
PROVIDER = "organisation"
NEXT_KEY = "sso_next"
logger = logging.getLogger(__name__)


def _client():
    """This app's OpenID client, made on first use (one per app: tests run several)."""
    app = current_app._get_current_object()
    config = app.config["SMAJOBS"]
    if not config.oidc_enabled:
        abort(404)
    if EXTENSION not in app.extensions:
        oauth = OAuth(app)
        oauth.register(PROVIDER, client_id=config.oidc_client_id, client_secret=config.oidc_client_secret,
                       server_metadata_url=config.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
                       client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                                      "timeout": 10})
        app.extensions[EXTENSION] = oauth
    return app.extensions[EXTENSION].create_client(PROVIDER)


@bp.get("/")
def start():
    """Off to the provider; it sends the browser back to `callback`."""
    client = _client()
    try:
        client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OpenID provider not reachable: %s", error)
        return _refused("Organisationens log-in svarer ikke lige nu. Prøv igen om lidt.", 502)
    session[NEXT_KEY] = auth.safe_next(request.args.get("next"))
    return client.authorize_redirect(url_for("sso.callback", _external=True))


@bp.get("/svar")
def callback():
    client = _client()
    try:
        token = client.authorize_access_token(claims_options=_required_claims(client))
    except (OAuthError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        # A replayed or foreign state, a refused log-in, a token with the wrong audience or
        # issuer, an expired or badly signed token: all end here, with nothing stored.
        logger.warning("OpenID log-in refused: %s", type(error).__name__)
        return _refused("Log-in med organisationens konto mislykkedes. Prøv igen fra log-in-siden.", 400)
    claims = token.get("userinfo")
    if not claims:
        return _refused("Organisationens log-in sendte ikke, hvem du er. Prøv igen fra log-in-siden.", 400)
    email = claims.get("email")
    if not isinstance(email, str) or not _verified(claims):
        return _refused("Organisationens log-in sendte ikke en bekræftet e-mailadresse, så du kan ikke "
                        "logges ind. Kontakt din administrator.", 403)
    row = accounts.consultant_by_email(get_db(), email)
    if row is None or not row["active"]:
        return _refused(f"{email} har ingen aktiv konto i småjobs. Kontakt en administrator i småjobs.", 403)
    row = _with_role_from_groups(row, claims)
    target = session.pop(NEXT_KEY, None)
    auth.open_session(row, second_factor="sso")
    return redirect(auth.safe_next(target))


def _required_claims(client) -> dict:
    """The ID token must name our issuer and our client as its audience. Authlib checks the issuer
    by default, but the audience only through "azp": a token made for another app that also names
    us as azp would pass. OpenID Connect Core 3.1.3.7 says the client MUST check aud itself."""
    issuer = client.load_server_metadata().get("issuer", "")
    if issuer.rstrip("/") != current_app.config["SMAJOBS"].oidc_issuer.rstrip("/"):
        # Discovery 4.3: the issuer in the metadata must be the one asked for.
        raise ValueError("issuer in the provider's metadata differs from SMAJOBS_OIDC_ISSUER")
    return {"iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": current_app.config["SMAJOBS"].oidc_client_id}}


def _verified(claims) -> bool:
    # Entra ID sends no email_verified; its optional claim xms_edov says the same thing.
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def _with_role_from_groups(row: dict, claims) -> dict:
    group = current_app.config["SMAJOBS"].oidc_admin_group
    if not group:
        return row
    groups = claims.get("groups")
    role = "admin" if isinstance(groups, list) and group in groups else "consultant"
    if accounts.set_role(get_db(), row["id"], role):
        return accounts.consultant_by_id(get_db(), row["id"])
    return row


def _refused(message: str, status: int):
    form = auth.LoginForm(formdata=None)
    return auth.login_page(form, status, notice=message)


def provider_logout_url() -> str | None:
    """The provider's end_session_endpoint, to end the log-in there too; None without one."""
    try:
        metadata = _client().load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": current_app.config["SMAJOBS"].oidc_client_id,
                       "post_logout_redirect_uri": url_for("auth.login", _external=True)})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
