"""Basic and bearer authentication, and permission checks (API-NOTES §7, §10).

Basic credentials are decoded as UTF-8 (RFC 7617), so user names and passwords may hold any
Unicode character. Bearer tokens are static (/_sim/tokens) or issued by the OAuth token endpoint
(oauth.py); issued tokens expire and can be revoked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from .clock import now

_IIS_ERROR_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>{title}</title>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>{title}</h2>
  <h3>You do not have permission to view this directory or page using the credentials that \
you supplied.</h3>
 </fieldset></div>
</div>
</body>
</html>
"""

UNAUTHORIZED_HTML = _IIS_ERROR_PAGE.format(
    title="401 - Unauthorized: Access is denied due to invalid credentials.")
FORBIDDEN_HTML = _IIS_ERROR_PAGE.format(title="403 - Forbidden: Access is denied.")


@dataclass(frozen=True)
class Principal:
    name: str
    permissions: tuple[str, ...]

    def granted(self, permission: str, scope: int | None = None) -> bool:
        """A system-wide grant, or the '<permission><scope>/' form for one container/collection."""
        if permission in self.permissions:
            return True
        return scope is not None and f"{permission}{scope}/" in self.permissions

    def scopes(self, permission: str) -> set[int]:
        found = set()
        for p in self.permissions:
            tail = p[len(permission) :] if p.startswith(permission) else ""
            if tail.endswith("/") and tail[:-1].isdigit():
                found.add(int(tail[:-1]))
        return found


def split_user(login: str) -> tuple[str, str] | None:
    """'DOMAIN\\user' or 'user@domain' -> (domain, user); a bare name has no domain to check."""
    if "\\" in login:
        domain, _, user = login.partition("\\")
    elif "@" in login:
        user, _, domain = login.rpartition("@")
    else:
        return None
    return (domain, user) if domain and user else None


def token_id(token: str) -> str:
    """A short, stable name for a bearer token, for logs: never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Outcome:
    principal: Principal | None
    scheme: str | None = None
    token_id: str | None = None
    bearer_error: str | None = None  # why a bearer token was refused


def authenticate(state, header: str | None, at: float | None = None) -> Outcome:
    if not header:
        return Outcome(None)
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "basic":
        return Outcome(_basic(state, value.strip()), "Basic")
    token = value.strip() if scheme.lower() == "bearer" else header.strip()
    # The spec's Bearer scheme says "Prefixing with 'Bearer' is not required".
    tid = token_id(token)
    entry = state.data["tokens"].get(token)
    if entry is None:
        return Outcome(None, "Bearer", tid, "The access token is not valid")
    if entry.get("Revoked"):
        return Outcome(None, "Bearer", tid, "The access token was revoked")
    expires = entry.get("ExpiresAt")
    if expires is not None and (now() if at is None else at) >= expires:
        return Outcome(None, "Bearer", tid, "The access token expired")
    permissions = entry.get("Permissions")
    if entry.get("Client") is not None:
        # Issued tokens carry the client's identity; Command maps it to roles per request.
        client = state.data["oauth_clients"].get(entry["Client"], {})
        permissions = client.get("Permissions", [])
    return Outcome(Principal(entry["Name"], tuple(permissions or ())), "Bearer", tid)


def _basic(state, encoded: str) -> Principal | None:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    parts = split_user(login) if sep else None
    if parts is None:
        return None
    user = state.data["users"].get(f"{parts[0]}\\{parts[1]}".lower())
    if user is None or user["Password"] != password:
        return None
    return Principal(f"{user['Domain']}\\{user['Name']}", tuple(user["Permissions"]))


def scheme_only(header: str | None) -> str | None:
    """What the request log keeps of an Authorization header: never the secret."""
    if header is None:
        return None
    scheme = header.strip().split(" ", 1)[0]
    return scheme if scheme.lower() in ("basic", "bearer", "negotiate", "ntlm") else "<token>"
