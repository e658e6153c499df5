"""The OpenID Connect client (Authlib's Flask integration), set up per app when ROPA_OIDC_ISSUER is configured."""

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from ropa.services.mfa import parse_roles
from ropa.services.sso import Provider, parse_role_map

EXTENSION = "ropa.oidc"


def init_oidc(app: Flask) -> None:
    """Check the sign-in settings (a typo in a role name stops the app starting, rather than locking people out
    later) and register the identity provider. Its discovery document is fetched at the first sign-in."""
    parse_roles(app.config.get("ROPA_MFA_REQUIRED_ROLES", ""))
    issuer = (app.config.get("ROPA_OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    if not app.config.get("ROPA_OIDC_CLIENT_ID"):
        raise ValueError("ROPA_OIDC_ISSUER is set but ROPA_OIDC_CLIENT_ID is not")
    provider = Provider(issuer=issuer, name=app.config.get("ROPA_OIDC_NAME") or "Microsoft",
                        role_claim=app.config.get("ROPA_OIDC_ROLE_CLAIM") or "roles",
                        role_map=parse_role_map(app.config.get("ROPA_OIDC_ROLE_MAP", "")),
                        link_by_email=bool(app.config.get("ROPA_OIDC_LINK_BY_EMAIL")))
    oauth = OAuth(app)
    oauth.register("oidc", client_id=app.config["ROPA_OIDC_CLIENT_ID"],
                   client_secret=app.config.get("ROPA_OIDC_CLIENT_SECRET") or None,
                   server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})
    app.extensions[EXTENSION] = (oauth.oidc, provider)


def configured() -> tuple | None:
    """(the Authlib client, the Provider) of this app, or None when single sign-on is off."""
    return current_app.extensions.get(EXTENSION)
