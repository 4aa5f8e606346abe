"""OAuth 2.0 client credentials token endpoint (Command 11+, API-NOTES §7).

Keyfactor's identity provider is Keycloak: its own client library posts to
/realms/Keyfactor/protocol/openid-connect/token (keyfactor-auth-client-go scripts), form-encoded
grant_type=client_credentials, client_id, client_secret; golang.org/x/oauth2 (used by that
library) may instead send HTTP Basic client authentication, plus scope and audience. Both paths
below serve the same endpoint. Answers and errors follow RFC 6749 §5 with Keycloak's texts
where known. Issued tokens go into the same table as /_sim/tokens, with an expiry in real
seconds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import uuid
from urllib.parse import parse_qsl, unquote_plus

from flask import Response

from . import auth, faults
from .clock import now

LOG = logging.getLogger("kfsim")
TOKEN_PATHS = ("/oauth2/token", "/realms/Keyfactor/protocol/openid-connect/token")
REDACTED = "<redacted>"
FORM_MEDIA = "application/x-www-form-urlencoded"
PRUNE_AFTER = 3600.0  # seconds past expiry before an issued token is forgotten
_SIGNING_KEY = secrets.token_bytes(32)


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str, basic_challenge=False):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.basic_challenge = basic_challenge


def _json(status: int, body: dict, logged: dict | None = None) -> Response:
    resp = Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
    resp.sim_body = logged if logged is not None else body
    return resp


def _error(err: OAuthError) -> Response:
    resp = _json(err.status, {"error": err.error, "error_description": err.description})
    if err.basic_challenge:
        resp.headers["WWW-Authenticate"] = 'Basic realm="Keyfactor"'
    return resp


def _parse_form(raw: bytes) -> tuple[dict | None, str | None]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None, "The request body is not valid UTF-8 form data"
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            return None, f"Duplicated form parameter: {key}"
        form[key] = value
    return form, None


def _redacted_form(form: dict | None, raw: bytes):
    if form is None:
        text = raw.decode("utf-8", "replace")
        return re.sub(r"(client_secret=)[^&]*", r"\1" + REDACTED, text)
    return {k: (REDACTED if k == "client_secret" else v) for k, v in form.items()}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(claims: dict) -> str:
    """A JWT-shaped token (HS256 with a per-process key). The API looks tokens up by value, so
    the signature only makes the token look like Keycloak's to a client that decodes it."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "kfsim"}).encode())
    payload = _b64url(json.dumps(claims, ensure_ascii=False).encode("utf-8"))
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(_SIGNING_KEY, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _basic_client(header: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: client id and secret are form-urlencoded, then joined and base64'd."""
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(
            401, "invalid_client", "Invalid client authentication", basic_challenge=True
        ) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(
            401, "invalid_client", "Invalid client authentication", basic_challenge=True
        )
    return unquote_plus(client_id), unquote_plus(secret)


def _ci(form: dict, name: str):
    for key, value in form.items():
        if key.lower() == name:
            return value
    return None


def _issue(sim, request, form: dict | None, form_error: str | None, entry: dict) -> Response:
    if request.method != "POST":
        resp = _json(405, {"error": "invalid_request", "error_description": "HTTP 405"})
        resp.headers["Allow"] = "POST"
        return resp
    media = (request.content_type or "").split(";")[0].strip().lower()
    if media != FORM_MEDIA:
        raise OAuthError(400, "invalid_request", f"Content-Type must be {FORM_MEDIA}")
    if form_error:
        raise OAuthError(400, "invalid_request", form_error)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "Missing form parameter: grant_type")
    if grant_type != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "Unsupported grant_type")

    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    basic = scheme.lower() == "basic"
    if basic:
        if "client_secret" in form:
            raise OAuthError(
                400, "invalid_request", "Multiple client authentication methods were used"
            )
        client_id, secret = _basic_client(value)
        if form.get("client_id") not in (None, client_id):
            raise OAuthError(
                401, "invalid_client", "client_id does not match the authenticated client", True
            )
    else:
        client_id, secret = form.get("client_id"), form.get("client_secret")
    if not client_id or secret is None:
        raise OAuthError(401, "invalid_client", "Client authentication is required", basic)

    state = sim.state
    with state.mutate() as data:
        client = data["oauth_clients"].get(client_id)
        if client is None or not hmac.compare_digest(
            client["Secret"].encode("utf-8"), secret.encode("utf-8")
        ):
            raise OAuthError(
                401, "invalid_client", "Invalid client or Invalid client credentials", basic
            )
        requested = [s for s in (form.get("scope") or "").split(" ") if s]
        if client.get("Scope") and client["Scope"] not in requested:
            raise OAuthError(
                400, "invalid_scope", f"Invalid scopes: {' '.join(requested)}".rstrip()
            )
        audience = _ci(form, "audience")
        if client.get("Audience") and audience != client["Audience"]:
            raise OAuthError(
                400, "invalid_request", f"Requested audience not available: {audience or ''}"
            )
        at = now()
        lifetime = client.get("TokenLifetime")
        if lifetime is None:
            lifetime = data["config"]["token_lifetime"]
        scope = " ".join(dict.fromkeys(requested))
        claims = {
            "exp": int(at + lifetime),
            "iat": int(at),
            "jti": str(uuid.uuid4()),
            "iss": request.host_url.rstrip("/") + "/realms/Keyfactor",
            "aud": audience or "keyfactor-command",
            "sub": client_id,
            "typ": "Bearer",
            "azp": client_id,
            "scope": scope,
            "client_id": client_id,
        }
        token = _jwt(claims)
        tid = auth.token_id(token)
        tokens = data["tokens"]
        for old in [
            k
            for k, t in tokens.items()
            if t.get("Client") is not None and t["ExpiresAt"] + PRUNE_AFTER < at
        ]:
            del tokens[old]
        tokens[token] = {
            "Name": client_id,
            "Client": client_id,
            "Permissions": None,
            "TokenId": tid,
            "IssuedAt": at,
            "ExpiresAt": at + lifetime,
            "Revoked": False,
            "Scope": scope,
            "Audience": audience,
        }
    entry["principal"], entry["token_id"] = client_id, tid
    body = {
        "access_token": token,
        "expires_in": math.ceil(lifetime),
        "refresh_expires_in": 0,
        "token_type": "Bearer",
        "not-before-policy": 0,
    }
    if scope:
        body["scope"] = scope
    return _json(200, body, logged={**body, "access_token": REDACTED, "token_id": tid})


def handle(sim, request) -> Response:
    from .pipeline import client_certificate

    raw = request.get_data(cache=True)
    form, form_error = _parse_form(raw)
    headers = {
        k: (auth.scheme_only(v) if k.lower() == "authorization" else v)
        for k, v in request.headers.items()
    }
    entry = sim.reqlog.start(
        "token",
        request.method,
        request.path,
        request.query_string.decode("latin-1"),
        request.args.to_dict(flat=False),
        headers,
        _redacted_form(form, raw) if raw else None,
    )
    entry["client_cert"] = client_certificate(request)

    def process() -> Response:
        try:
            return _issue(sim, request, form, form_error, entry)
        except OAuthError as err:
            return _error(err)
        except Exception:
            LOG.exception("unhandled error in the token endpoint")
            return _json(500, {"error": "server_error", "error_description": "Internal error"})

    return faults.serve(sim, request, "token", request.path, entry, process)


def token_view(state, token: str, entry: dict, at: float) -> dict:
    return {
        "token_id": entry.get("TokenId") or auth.token_id(token),
        "client_id": entry.get("Client"),
        "name": entry.get("Name"),
        "issued": entry.get("Client") is not None,
        "issued_at": entry.get("IssuedAt"),
        "expires_at": entry.get("ExpiresAt"),
        "expired": entry.get("ExpiresAt") is not None and at >= entry["ExpiresAt"],
        "revoked": bool(entry.get("Revoked")),
        "scope": entry.get("Scope"),
        "audience": entry.get("Audience"),
    }


def select_tokens(state, body: dict) -> list[dict]:
    """Token entries picked by {token} | {token_id} | {client_id} | {} (every issued token)."""
    tokens = state.data["tokens"]
    if body.get("token") is not None:
        entry = tokens.get(str(body["token"]))
        return [entry] if entry else []
    if body.get("token_id") is not None:
        return [t for k, t in tokens.items() if auth.token_id(k) == body["token_id"]]
    if body.get("client_id") is not None:
        return [t for t in tokens.values() if t.get("Client") == body["client_id"]]
    return [t for t in tokens.values() if t.get("Client") is not None]
