"""One API request, start to finish: log, fault rules, client certificate, authenticate, check
headers, route, authorise, run the handler, shape the response, check the contract.

Order follows the hosting stack: a fault rule acts first (it stands for whatever sits in front
of Command, or for Command failing as a whole); IIS then checks the client certificate and the
credentials before the application runs (so a 401 carries no Keyfactor headers); then
Keyfactor's header check, routing, authorisation, and model binding/validation.
"""

from __future__ import annotations

import json
import logging

from flask import Response

from . import auth, errors, faults
from .params import ParamBag
from .responses import (  # noqa: F401  (re-exported for older imports)
    base_headers,
    empty_response,
    forbidden_client_certificate,
    json_response,
    unauthorized,
)
from .routes import Ctx, Result

LOG = logging.getLogger("kfsim")
JSON_MEDIA = ("application/json", "text/json", "application/json-patch+json")


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


def client_certificate(request) -> str | None:
    """The subject of the verified client certificate on this TLS connection, if any."""
    sock = request.environ.get("werkzeug.socket")
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    try:
        cert = getpeercert()
    except (ValueError, OSError):
        return None
    if not cert:
        return None
    parts = [f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn]
    return ",".join(parts) or "(no subject)"


def _process(sim, request, rel: str, parsed, body_ok: bool, entry: dict) -> Response:
    state = sim.state
    if sim.client_cert_mode == "http" and entry.get("client_cert") is None:
        return forbidden_client_certificate()
    outcome = auth.authenticate(state, request.headers.get("Authorization"))
    entry["token_id"] = outcome.token_id
    principal = outcome.principal
    if principal is None:
        return unauthorized(request.host, outcome.bearer_error)
    entry["principal"] = principal.name
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
    ctx = Ctx(
        state,
        principal,
        ParamBag(list(request.args.items(multi=True))),
        parsed,
        faults=sim.faults,
        entry=entry,
    )
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
        "api",
        request.method,
        rel,
        request.query_string.decode("latin-1"),
        request.args.to_dict(flat=False),
        headers,
        parsed,
    )
    entry["client_cert"] = client_certificate(request)

    def process() -> Response:
        try:
            return _process(sim, request, rel, parsed, body_ok, entry)
        except Exception:  # the server must answer, and the log must say what happened
            LOG.exception("unhandled error for %s %s", request.method, rel)
            return json_response(
                500, {"ErrorCode": "0xA0000001", "Message": "Internal simulator error."}
            )

    def check(real: Response | None) -> None:
        entry["contract_errors"] = sim.contract.check_exchange(
            request, rel, raw, parsed, body_ok, real
        )

    return faults.serve(sim, request, "api", rel, entry, process, check)
