"""Response builders shared by the API pipeline, the fault rules and the token endpoint."""

from __future__ import annotations

import json
import uuid

from flask import Response

from . import PRODUCT_VERSION, auth


def base_headers() -> dict:
    return {
        "Api-Supported-Versions": "1.0",
        "X-Keyfactor-Product-Version": PRODUCT_VERSION,
        "X-Keyfactor-Correlation-Id": str(uuid.uuid4()),
    }


def json_response(status: int, body, total: int | None = None) -> Response:
    headers = base_headers()
    if total is not None:
        headers["X-Total-Count"] = str(total)
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    resp = Response(
        payload, status=status, headers=headers, content_type="application/json; charset=utf-8"
    )
    resp.sim_body = body
    return resp


def empty_response(status: int, extra: dict | None = None) -> Response:
    resp = Response(b"", status=status, headers={**base_headers(), **(extra or {})})
    resp.headers.pop("Content-Type", None)
    resp.sim_body = None
    return resp


def unauthorized(host: str, bearer_error: str | None = None) -> Response:
    """IIS's 401 page. A rejected bearer token also gets an RFC 6750 challenge."""
    resp = Response(
        auth.UNAUTHORIZED_HTML,
        status=401,
        content_type="text/html",
        headers={"WWW-Authenticate": f'Basic realm="{host}"'},
    )
    if bearer_error is not None:
        resp.headers.add(
            "WWW-Authenticate", f'Bearer error="invalid_token", error_description="{bearer_error}"'
        )
    resp.sim_body = auth.UNAUTHORIZED_HTML
    return resp


def forbidden_client_certificate() -> Response:
    """IIS's 403 page, as sent when a client certificate is required but none was presented."""
    resp = Response(auth.FORBIDDEN_HTML, status=403, content_type="text/html")
    resp.sim_body = auth.FORBIDDEN_HTML
    return resp
