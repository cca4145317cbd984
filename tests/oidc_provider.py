"""A small, real OpenID Connect provider for the tests, served over HTTP on loopback.

It speaks the protocol the way an organisation's provider (Entra ID, Keycloak...) does for the
authorization code flow: discovery (/.well-known/openid-configuration), its public keys (JWKS),
an authorize page where the person "logs in" by e-mail, a token endpoint that checks the client
secret, the single-use code, the redirect URI and the PKCE verifier (S256), and returns an ID
token signed RS256 with a key made at start-up; and an end-session page. Written here with Flask
and cryptography only (not with the client library under test), so a token the app accepts was
checked by code it did not write.

Knobs a test turns to make the provider misbehave: `audience` (None: the client id), `lifetime`
(seconds; negative makes expired tokens), `users` (e-mail -> extra claims).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from html import escape
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, abort, jsonify, request

CLIENT_ID = "smajobs-test"
CLIENT_SECRET = "provider-secret"
KEY_ID = "test-key-1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class Provider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issuer = ""  # set when served
        self.audience: str | None = None
        self.lifetime = 300
        self.users: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.token_requests = 0
        self.app = self._make_app()

    # --- tokens ---------------------------------------------------------------------------------
    def sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def id_token(self, email: str, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": hashlib.sha256(email.encode()).hexdigest()[:16],
                  "aud": self.audience or CLIENT_ID, "iat": now, "exp": now + self.lifetime, "nonce": nonce,
                  "email": email, "email_verified": True, "name": email.split("@")[0]}
        claims.update(self.users.get(email, {}))
        return self.sign(claims)

    def jwks(self) -> dict:
        public = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID,
                          "n": _uint(public.n), "e": _uint(public.e)}]}

    # --- the web part ---------------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("oidc_test_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

        @app.get("/jwks")
        def jwks():
            return jsonify(self.jwks())

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            args = request.values
            if (args.get("client_id") != CLIENT_ID or args.get("response_type") != "code"
                    or args.get("code_challenge_method") != "S256" or not args.get("code_challenge")
                    or "openid" not in args.get("scope", "").split() or not args.get("state")
                    or not args.get("nonce")):
                abort(400)
            if request.method == "GET":
                hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                                 for k, v in args.items())
                return (f'<!doctype html><title>Organisationens log-in</title><h1>Organisationens log-in</h1>'
                        f'<form method="post">{hidden}<label for="user">Brugernavn</label>'
                        f'<input id="user" name="user"><button type="submit">Fortsæt</button></form>')
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"redirect_uri": args["redirect_uri"], "challenge": args["code_challenge"],
                                "nonce": args["nonce"], "email": args["user"]}
            return "", 302, {"Location": f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}"}

        @app.post("/token")
        def token():
            self.token_requests += 1
            client_id, client_secret = self._client_credentials()
            if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
                return jsonify({"error": "invalid_client"}), 401
            grant = self.codes.pop(request.form.get("code", ""), None)  # single use
            verifier = request.form.get("code_verifier", "")
            if (grant is None or request.form.get("grant_type") != "authorization_code"
                    or request.form.get("redirect_uri") != grant["redirect_uri"]
                    or b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]):
                return jsonify({"error": "invalid_grant"}), 400
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                            "id_token": self.id_token(grant["email"], grant["nonce"])})

        @app.get("/logout")
        def logout():
            return "<!doctype html><title>Logget ud</title><h1>Du er logget ud hos organisationen</h1>"

        return app

    @staticmethod
    def _client_credentials() -> tuple[str | None, str | None]:
        if request.authorization and request.authorization.type == "basic":
            return request.authorization.username, request.authorization.password
        return request.form.get("client_id"), request.form.get("client_secret")


class ServedProvider:
    """The provider on a free loopback port, in a thread."""

    def __init__(self) -> None:
        from werkzeug.serving import make_server
        self.provider = Provider()
        self.server = make_server("127.0.0.1", 0, self.provider.app, threaded=True)
        self.provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self.provider

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
