"""One API request, start to finish: log, authenticate, check headers, route, authorise, run the
handler, shape the response, check the contract.

Order follows the hosting stack: IIS rejects bad credentials before the application runs (so a
401 carries no Keyfactor headers), then Keyfactor's header check, routing, authorisation, and
model binding/validation.

Fault injection hooks in through `sim.interceptors`: objects with `before(request, rel)` that
may return a response to send instead, and `after(request, rel, response)` that may replace it.
"""

from __future__ import annotations

import json
import logging
import uuid

from flask import Response

from . import PRODUCT_VERSION, auth, errors
from .params import ParamBag
from .routes import Ctx, Result

LOG = logging.getLogger("kfsim")
JSON_MEDIA = ("application/json", "text/json", "application/json-patch+json")


def _base_headers() -> dict:
    return {
        "Api-Supported-Versions": "1.0",
        "X-Keyfactor-Product-Version": PRODUCT_VERSION,
        "X-Keyfactor-Correlation-Id": str(uuid.uuid4()),
    }


def json_response(status: int, body, total: int | None = None) -> Response:
    headers = _base_headers()
    if total is not None:
        headers["X-Total-Count"] = str(total)
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    resp = Response(
        payload, status=status, headers=headers, content_type="application/json; charset=utf-8"
    )
    resp.sim_body = body
    return resp


def empty_response(status: int, extra: dict | None = None) -> Response:
    resp = Response(b"", status=status, headers={**_base_headers(), **(extra or {})})
    resp.headers.pop("Content-Type", None)
    resp.sim_body = None
    return resp


def unauthorized(host: str) -> Response:
    resp = Response(
        auth.UNAUTHORIZED_HTML,
        status=401,
        content_type="text/html",
        headers={"WWW-Authenticate": f'Basic realm="{host}"'},
    )
    resp.sim_body = auth.UNAUTHORIZED_HTML
    return resp


def is_json_media(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media in JSON_MEDIA or (media.startswith("application/") and media.endswith("+json"))


def parse_body(raw: bytes):
    """(parsed JSON, ok) — or (text, False) when the body is not JSON; (None, True) when empty."""
    if not raw:
        return None, True
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


def _process(sim, request, rel: str, parsed, body_ok: bool) -> Response:
    state = sim.state
    principal = auth.authenticate(state, request.headers.get("Authorization"))
    if principal is None:
        return unauthorized(request.host)
    if not request.headers.get("x-keyfactor-requested-with"):
        err = errors.ApiError(
            400, errors.MISSING_HEADER, "The 'x-keyfactor-requested-with' header is required."
        )
        return json_response(err.status, err.body())
    route, args = sim.router.resolve(request.method, rel)
    if route is None:
        return empty_response(405, {"Allow": ", ".join(args)}) if args else empty_response(404)
    if not (principal.granted(route.permission) or principal.scopes(route.permission)):
        err = errors.ApiError(
            403,
            errors.FORBIDDEN,
            f"User {principal.name} does not have the permission {route.permission}.",
        )
        return json_response(err.status, err.body())
    if request.method in ("POST", "PUT"):
        if not request.get_data():
            err = errors.bad_request("A non-empty request body is required.")
            return json_response(err.status, err.body())
        if not is_json_media(request.content_type):
            err = errors.ApiError(
                415, errors.UNSUPPORTED_MEDIA, f"Unsupported content type '{request.content_type}'."
            )
            return json_response(err.status, err.body())
        if not body_ok:
            return json_response(
                400, errors.bad_request("The request body is not valid JSON.").body()
            )
    ctx = Ctx(state, principal, ParamBag(list(request.args.items(multi=True))), parsed)
    try:
        with state.lock:
            result: Result = route.handler(ctx, **args)
    except errors.ApiError as err:
        return json_response(err.status, err.body())
    return json_response(result.status, result.body, result.total)


def handle(sim, request, rel: str) -> Response:
    raw = request.get_data(cache=True)
    parsed, body_ok = parse_body(raw)
    headers = {
        k: (auth.scheme_only(v) if k.lower() == "authorization" else v)
        for k, v in request.headers.items()
    }
    entry = sim.reqlog.start(
        request.method,
        rel,
        request.query_string.decode("latin-1"),
        request.args.to_dict(flat=False),
        headers,
        parsed,
    )
    response = None
    for hook in sim.interceptors:
        response = hook.before(request, rel)
        if response is not None:
            break
    try:
        if response is None:
            response = _process(sim, request, rel, parsed, body_ok)
    except Exception:  # the server must answer, and the log must say what happened
        LOG.exception("unhandled error for %s %s", request.method, rel)
        response = json_response(
            500, {"ErrorCode": "0xA0000001", "Message": "Internal simulator error."}
        )
    for hook in sim.interceptors:
        response = hook.after(request, rel, response)
    entry["status"] = response.status_code
    entry["response"] = getattr(response, "sim_body", None)
    entry["contract_errors"] = sim.contract.check_exchange(
        request, rel, raw, parsed, body_ok, response
    )
    return response
