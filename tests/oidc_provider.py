"""A small but real OpenID Connect provider for the tests: a Flask app on a free loopback port, in a thread.

It serves discovery, its signing keys (JWKS), /authorize (which approves its configured test user at once and sends
the browser back with a code and the state) and /token (which checks the client's secret, the code, the redirect URI
and the PKCE verifier, and returns an RS256-signed ID token carrying the nonce). Tests set `claims` for the user and
`tamper` to make a bad token: a wrong audience, nonce or issuer, an expired token, or one signed by another key.
"""

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server


class OidcProvider:
    def __init__(self, client_id: str = "ropa-test", client_secret: str = "s3cret-for-tests"):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.claims: dict = {}
        self.tamper: dict = {}
        self.issued: list[dict] = []  # the ID tokens' claims, in order
        self._codes: dict[str, dict] = {}
        self._server = None
        self.url = ""

    # --- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> "OidcProvider":
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def user(self, sub: str, email: str, roles: list[str] | None = None, **more) -> None:
        """The person /authorize approves from now on."""
        self.claims = {"sub": sub, "email": email, "name": more.pop("name", email.split("@")[0]), **more}
        if roles is not None:
            self.claims["roles"] = roles
        self.tamper = {}

    # --- the provider ----------------------------------------------------------------------------------------
    def _app(self) -> Flask:
        app = Flask("test-oidc-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(issuer=self.url, authorization_endpoint=f"{self.url}/authorize",
                           token_endpoint=f"{self.url}/token", jwks_uri=f"{self.url}/jwks",
                           response_types_supported=["code"], subject_types_supported=["public"],
                           id_token_signing_alg_values_supported=["RS256"],
                           code_challenge_methods_supported=["S256"],
                           token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"])

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("client_id") != self.client_id or args.get("response_type") != "code":
                abort(400)
            if "openid" not in args.get("scope", "").split():
                abort(400)
            code = secrets.token_urlsafe(16)
            self._codes[code] = {"nonce": args.get("nonce"), "redirect_uri": args["redirect_uri"],
                                 "challenge": args.get("code_challenge"), "claims": dict(self.claims)}
            return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

        @app.post("/token")
        def token():
            auth = request.authorization
            client_id, secret = (auth.username, auth.password) if auth else (request.form.get("client_id"),
                                                                              request.form.get("client_secret"))
            if client_id != self.client_id or secret != self.client_secret:
                return jsonify(error="invalid_client"), 401
            grant = self._codes.pop(request.form.get("code", ""), None)  # a code works once
            if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify(error="invalid_grant"), 400
            verifier = request.form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant["challenge"] and digest != grant["challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE verifier"), 400
            now = int(time.time())
            claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300,
                      "nonce": grant["nonce"], **grant["claims"]}
            tamper = dict(self.tamper)
            key = self.other_key if tamper.pop("wrong_key", False) else self.key
            claims.update(tamper)
            self.issued.append(claims)
            id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=id_token)

        return app
