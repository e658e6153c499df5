"""Single sign-on with OpenID Connect: who an identity provider's ID token says someone is, and their role from its
claims. The token itself is checked (signature, issuer, audience, nonce, expiry) by Authlib before it gets here."""

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from ropa.enums import Role
from ropa.extensions import db
from ropa.models import User
from ropa.services import audit
from ropa.services.users import _EMAIL, DEACTIVATED, SignIn

#: When the claims map to several roles, the one that may do most wins.
PRECEDENCE = [Role.ADMIN, Role.DPO, Role.EDITOR, Role.AUDITOR]


@dataclass(frozen=True)
class Provider:
    """What ropa is configured to accept from one identity provider."""

    issuer: str
    name: str
    role_claim: str
    role_map: Mapping[str, Role]
    link_by_email: bool = False


def parse_role_map(text: str) -> dict[str, Role]:
    """"ropa.dpo=dpo,ropa.editor=editor" → {"ropa.dpo": Role.DPO, ...}; a bad entry is refused with its reason."""
    mapping = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        claim, sep, role = item.partition("=")
        if not sep or not claim.strip() or role.strip().lower() not in {r.value for r in Role}:
            raise ValueError(f"ROPA_OIDC_ROLE_MAP entry {item.strip()!r} is not CLAIM_VALUE=ROLE with ROLE one of "
                             f"{', '.join(r.value for r in Role)}")
        mapping[claim.strip()] = Role(role.strip().lower())
    return mapping


def mapped_role(claims: Mapping, provider: Provider) -> Role | None:
    """The most able role the claims map to, or None."""
    values = claims.get(provider.role_claim) or []
    if isinstance(values, str):
        values = values.split()
    roles = {provider.role_map[v] for v in values if isinstance(v, str) and v in provider.role_map}
    return next((r for r in PRECEDENCE if r in roles), None)


def sign_in_with_claims(claims: Mapping, provider: Provider) -> SignIn:
    """Find or make the user these validated ID token claims describe (keyed by issuer and subject), bring their
    email, name and role up to date from the claims, and audit the sign-in. No mapped role: refused, not let in
    with a default role."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or claims.get("preferred_username") or claims.get("upn") or "").strip().lower()
    if not subject:
        return SignIn(message=f"{provider.name} did not say who you are (no subject in the ID token)")
    role = mapped_role(claims, provider)
    if role is None:
        wanted = ", ".join(sorted(provider.role_map)) or "(none are configured)"
        return SignIn(message=f"Your {provider.name} account has no role in ropa, so you cannot sign in. Ask your "
                              f"administrator to assign you one of the app roles {wanted}")
    if not _EMAIL.match(email) or len(email) > 320:
        return SignIn(message=f"{provider.name} did not give an email address for your account, which ropa needs")
    name = str(claims.get("name") or "")[:300]
    user = db.session.scalar(sa.select(User).where(User.oidc_issuer == provider.issuer,
                                                   User.oidc_subject == subject))
    changes: list[audit.Change] = []
    holder = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        if holder is not None and not (provider.link_by_email and holder.oidc_subject is None):
            return SignIn(message=f"An account with the email address {email} already exists in ropa and is not "
                                  f"linked to {provider.name}. Ask an administrator to link it "
                                  "(ROPA_OIDC_LINK_BY_EMAIL) or to use another address")
        if holder is not None:  # link the existing local account; its password stops working
            user = holder
            user.oidc_issuer, user.oidc_subject, user.password_hash = provider.issuer, subject, ""
            changes.append(audit.Change(email, "update", "user", email,
                                        {"sign_in": ["password", f"single sign-on ({provider.name})"]}))
        else:
            user = User(email=email, name=name, role=role, password_hash="", active=True, oidc_issuer=provider.issuer,
                        oidc_subject=subject)
            db.session.add(user)
            changes.append(audit.Change(email, "create", "user", email,
                                        {"role": [None, role.value], "name": [None, name],
                                         "sign_in": [None, f"single sign-on ({provider.name})"]}))
    if not user.active:
        db.session.rollback()
        return SignIn(message=DEACTIVATED)
    if user.email != email and holder is not None and holder.id != user.id:
        db.session.rollback()
        return SignIn(message=f"{provider.name} now gives your email address as {email}, which another ropa "
                              "account already has. Ask an administrator")
    if user.id is not None:  # bring an existing user up to date: the identity provider is the source of truth
        update = {k: [getattr(user, k).value if k == "role" else getattr(user, k), v.value if k == "role" else v]
                  for k, v in (("email", email), ("name", name), ("role", role)) if getattr(user, k) != v}
        if update:
            changes.append(audit.Change(email, "update", "user", user.email, update))
            user.email, user.name, user.role = email, name, role
            if role != Role.EDITOR:
                user.services = []
    changes.append(audit.Change(email, "sign in", "user", email, {"signed_in_with": [None, provider.name]}))
    audit.append(changes)
    db.session.commit()
    return SignIn(user=user)
