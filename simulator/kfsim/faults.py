"""Fault injection: rules set through /_sim/faults, applied to API and token requests.

A request rule matches on method, path template and (optionally) a query substring, and applies
to the next `count` matching requests (or to all of them). It acts BEFORE the request is
processed (the simulator never runs it: nothing happens) or AFTER (the simulator has done the
work, e.g. created the removal jobs, and only the answer is replaced, delayed or lost):

  status     answer with this status (Retry-After, JSON/HTML/text/empty body)
  delay      answer normally, `delay` seconds late
  drop       close the connection without any answer
  malformed  truncated JSON body
  empty      empty body
  html       an HTML page (a sign-in page of a proxy in front of Command)

Every kind takes `delay` (real seconds) before it takes effect: a drop after 5 s looks like a
hung server to a client whose timeout is 2 s. A `hide_history` rule is not about a request: it
hides JobHistory rows of a job for a while, although the job ran.

Rules live in memory only; POST /_sim/reset clears them and cuts short every fault that is
still waiting (the request is then dropped without being processed).
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
import threading
import time
from urllib.parse import unquote_plus

from flask import Response

from . import errors
from .responses import base_headers, json_response, unauthorized
from .clock import now, parse_iso
from .removal import parse_guid

REQUEST_KINDS = ("status", "delay", "drop", "malformed", "empty", "html")
KINDS = (*REQUEST_KINDS, "hide_history")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
MAX_DELAY = 3600.0
DROP_KEY = "kfsim.drop"

_COMMON = {"id", "kind", "method", "path", "query", "count", "when", "delay", "headers"}
_KEYS = {
    "status": _COMMON | {"status", "retry_after", "body", "message"},
    "delay": _COMMON,
    "drop": _COMMON,
    "malformed": _COMMON | {"status", "body"},
    "empty": _COMMON | {"status"},
    "html": _COMMON | {"status", "body"},
    "hide_history": {"id", "kind", "job_id", "store_id", "seconds", "until", "row_lag"},
}
BODY_FORMS = ("json", "empty", "html", "text")

# What a proxy answers when Command is not reachable. The recorded 25.4.1 lab sits behind
# istio-envoy (recorded-traffic SOURCE.txt); these are Envoy's local-reply texts.
ENVOY_TEXT = {
    502: "upstream connect error or disconnect/reset before headers. reset reason: "
    "connection termination",
    503: "upstream connect error or disconnect/reset before headers. reset reason: "
    "connection failure",
    504: "upstream request timeout",
}
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
ERROR_CODES = {400: errors.VALIDATION, 403: errors.FORBIDDEN, 404: errors.NOT_FOUND}
GENERIC_ERROR_CODE = "0xA0000001"
SIGN_IN_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in</title></head>
<body>
<h1>Sign in to continue</h1>
<form method="post" action="/login">
<label>User name <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
"""
NOT_PROCESSED_TRUNCATED = '[{"Id":"3f2a'


class FaultError(ValueError):
    pass


def _number(rule: dict, key: str, minimum: float = 0.0, maximum: float = MAX_DELAY) -> float:
    value = rule[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultError(f"{key} must be a number")
    if not minimum <= value <= maximum:
        raise FaultError(f"{key} must be between {minimum:g} and {maximum:g}")
    return float(value)


def path_regex(path: str) -> re.Pattern:
    """'/CertificateStores/{id}/Inventory': {name} or * match one segment; case-insensitive."""
    parts = []
    for part in path.strip("/").split("/"):
        if part == "*" or (part.startswith("{") and part.endswith("}")):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(part))
    return re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE)


def _retry_after(value):
    if isinstance(value, bool):
        raise FaultError("retry_after must be seconds, a string or {http_date_in: seconds}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise FaultError("retry_after seconds must not be negative")
        return int(value)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and set(value) == {"http_date_in"}:
        seconds = value["http_date_in"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise FaultError("retry_after.http_date_in must be a number of seconds")
        return {"http_date_in": seconds}
    raise FaultError("retry_after must be seconds, a string or {http_date_in: seconds}")


def validate(raw, api_path: str, token_paths: tuple[str, ...]) -> dict:
    """One rule from the control API, checked and completed with defaults."""
    if not isinstance(raw, dict):
        raise FaultError("a rule must be a JSON object")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {list(KINDS)}")
    unknown = set(raw) - _KEYS[kind]
    if unknown:
        raise FaultError(f"unknown key(s) for kind {kind}: {sorted(unknown)}")
    rule: dict = {"kind": kind}
    if raw.get("id") is not None:
        if not isinstance(raw["id"], str) or not raw["id"]:
            raise FaultError("id must be a non-empty string")
        rule["id"] = raw["id"]
    if kind == "hide_history":
        return _validate_hide(raw, rule)

    method = str(raw.get("method") or "*").upper()
    if method != "*" and method not in METHODS:
        raise FaultError(f"method must be * or one of {list(METHODS)}")
    path = raw.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise FaultError("path is required and must start with '/'")
    prefix = "/" + api_path.strip("/").lower()
    if path.lower().startswith(prefix + "/"):
        path = path[len(prefix) :]
    rule.update(
        method=method,
        path=path,
        target="token" if path.rstrip("/").lower() in token_paths else "api",
    )
    query = raw.get("query")
    if query is not None and not isinstance(query, str):
        raise FaultError("query must be a string")
    rule["query"] = query
    count = raw.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise FaultError("count must be a positive integer or null (every matching request)")
    rule["count"] = count
    when = raw.get("when", "before")
    if when not in ("before", "after"):
        raise FaultError("when must be 'before' or 'after'")
    rule["when"] = when
    rule["delay"] = _number(raw, "delay") if raw.get("delay") is not None else 0.0
    if kind == "delay" and rule["delay"] <= 0:
        raise FaultError("kind delay needs delay > 0 (seconds)")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise FaultError("headers must be an object of strings")
    rule["headers"] = headers
    if "status" in _KEYS[kind]:
        default = None if kind in ("status", "malformed") else 200
        status = raw.get("status", default)
        if kind == "status" and status is None:
            raise FaultError("kind status needs status")
        if status is not None:
            low = 400 if kind == "status" else 200
            if isinstance(status, bool) or not isinstance(status, int) or not low <= status <= 599:
                raise FaultError(f"status must be an integer from {low} to 599")
        rule["status"] = status
    if kind == "status":
        if raw.get("retry_after") is not None:
            rule["retry_after"] = _retry_after(raw["retry_after"])
        body = raw.get("body")
        if body is None:
            body = "html" if status == 401 else "text" if status in ENVOY_TEXT else "json"
        elif isinstance(body, str) and body not in BODY_FORMS:
            raise FaultError(f"body must be one of {list(BODY_FORMS)} or a JSON object/array")
        rule["body"] = body
        message = raw.get("message")
        if message is not None and not isinstance(message, str):
            raise FaultError("message must be a string")
        rule["message"] = message
    elif kind in ("malformed", "html"):
        body = raw.get("body")
        if body is not None and not isinstance(body, str):
            raise FaultError("body must be a string (sent as is)")
        rule["body"] = body
    return rule


def _validate_hide(raw: dict, rule: dict) -> dict:
    for key in ("job_id", "store_id"):
        value = raw.get(key)
        if value is not None:
            guid = parse_guid(value)
            if guid is None:
                raise FaultError(f"{key} must be a GUID")
            value = guid
        rule[key] = value
    given = [k for k in ("seconds", "until", "row_lag") if raw.get(k) is not None]
    if len(given) != 1:
        raise FaultError("hide_history needs exactly one of seconds, until, row_lag")
    rule["seconds"] = rule["row_lag"] = rule["until"] = None
    if given[0] == "until":
        try:
            rule["until"] = parse_iso(str(raw["until"]))
        except ValueError:
            raise FaultError("until must be an ISO 8601 time") from None
    else:
        rule[given[0]] = _number(raw, given[0], maximum=366 * 86400.0)
    return rule


class FaultTable:
    """The rules, their counters, and the waits of requests being delayed."""

    def __init__(self, api_path: str, token_paths: tuple[str, ...]):
        self.api_path = api_path
        self.token_paths = tuple(p.lower() for p in token_paths)
        self._lock = threading.Condition()
        self._rules: list[dict] = []
        self._next = 1
        self.generation = 0

    # --- control API -------------------------------------------------------------------

    def add(self, raws: list) -> list[dict]:
        """Validate every rule first: nothing is added when one is invalid."""
        checked = []
        for n, raw in enumerate(raws):
            try:
                checked.append(validate(raw, self.api_path, self.token_paths))
            except FaultError as exc:
                raise FaultError(f"rule {n}: {exc}") from None
        with self._lock:
            ids = {r["id"] for r in self._rules}
            for rule in checked:
                if rule.get("id") in ids:
                    raise FaultError(f"a rule with id {rule['id']!r} exists already")
            added = []
            for rule in checked:
                if "id" not in rule:
                    while f"f{self._next}" in ids:
                        self._next += 1
                    rule["id"] = f"f{self._next}"
                    self._next += 1
                ids.add(rule["id"])
                rule["created"] = now()
                if rule["kind"] == "hide_history" and rule["seconds"] is not None:
                    rule["until"] = rule["created"] + rule["seconds"]
                if rule["kind"] != "hide_history":
                    rule["remaining"] = rule["count"]
                    rule["_regex"] = path_regex(rule["path"])
                rule["applied"] = 0
                self._rules.append(rule)
                added.append(self._public(rule))
            return added

    def list(self) -> list[dict]:
        with self._lock:
            return [self._public(r) for r in self._rules]

    def delete(self, rule_id: str | None = None) -> int:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if rule_id is not None and r["id"] != rule_id]
            return before - len(self._rules)

    def reset(self) -> None:
        """Forget every rule and end every wait (the waiting requests are dropped)."""
        with self._lock:
            self._rules = []
            self._next = 1
            self.generation += 1
            self._lock.notify_all()

    def cancel_waits(self) -> None:
        """End every wait (server shutdown); the rules stay."""
        with self._lock:
            self.generation += 1
            self._lock.notify_all()

    @staticmethod
    def _public(rule: dict) -> dict:
        return {k: v for k, v in rule.items() if not k.startswith("_")}

    # --- request side ------------------------------------------------------------------

    def take(self, method: str, target: str, path: str, query: str) -> dict | None:
        """The first live rule matching this request; it counts as applied."""
        decoded = unquote_plus(query).lower()
        with self._lock:
            for rule in self._rules:
                if rule["kind"] == "hide_history" or rule["remaining"] == 0:
                    continue
                if rule["target"] != target or rule["method"] not in ("*", method):
                    continue
                if target == "api" and not rule["_regex"].match(path):
                    continue
                if rule["query"] and rule["query"].lower() not in decoded:
                    continue
                if rule["remaining"] is not None:
                    rule["remaining"] -= 1
                rule["applied"] += 1
                return self._public(rule)
        return None

    def hides(self, row: dict, at: float) -> str | None:
        """The id of a hide_history rule that hides this JobHistory row now, if any."""
        with self._lock:
            for rule in self._rules:
                if rule["kind"] != "hide_history":
                    continue
                if rule["job_id"] is not None:
                    if row["JobId"].lower() != rule["job_id"]:
                        continue
                elif row["Kind"] != "Management":
                    continue
                if rule["store_id"] is not None and row["StoreId"].lower() != rule["store_id"]:
                    continue
                if rule["row_lag"] is not None:
                    written = row["OperationEnd"] or row["OperationStart"]
                    if at >= written + rule["row_lag"]:
                        continue
                elif at >= rule["until"]:
                    continue
                return rule["id"]
        return None

    def note_hidden(self, rule_ids: set[str]) -> None:
        with self._lock:
            for rule in self._rules:
                if rule["id"] in rule_ids:
                    rule["applied"] += 1

    def sleep(self, seconds: float, generation: int) -> bool:
        """Wait; False when a reset cut the wait short."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while self.generation == generation:
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._lock.wait(left)
        return False


# --- responses -----------------------------------------------------------------------------


def _retry_after_value(value) -> str:
    if isinstance(value, dict):
        return email.utils.formatdate(now() + value["http_date_in"], usegmt=True)
    return str(value)


def _html_page(status: int) -> str:
    reason = REASONS.get(status, "Error")
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"/>'
        f"<title>{status} - {reason}</title></head>\n"
        f"<body><h1>Server Error</h1><h2>{status} - {reason}</h2></body>\n</html>\n"
    )


def _status_response(rule: dict, host: str) -> Response:
    status, body = rule["status"], rule["body"]
    if body == "html" and status == 401:
        resp = unauthorized(host)
    elif body == "html":
        text = _html_page(status)
        resp = Response(text, status=status, content_type="text/html")
        resp.sim_body = text
    elif body == "text":
        text = rule["message"] or ENVOY_TEXT.get(status, REASONS.get(status, "error"))
        resp = Response(text, status=status, content_type="text/plain")
        resp.sim_body = text
    elif body == "empty":
        resp = Response(b"", status=status, headers=base_headers())
        resp.headers.pop("Content-Type", None)
        resp.sim_body = None
    elif body == "json":
        message = rule["message"] or f"{REASONS.get(status, 'Error')}."
        resp = json_response(
            status, {"ErrorCode": ERROR_CODES.get(status, GENERIC_ERROR_CODE), "Message": message}
        )
    else:
        resp = json_response(status, body)
    if rule.get("retry_after") is not None:
        resp.headers["Retry-After"] = _retry_after_value(rule["retry_after"])
    return resp


def _truncate(data: bytes) -> bytes:
    cut = data[: max(1, len(data) // 2)]
    try:
        json.loads(cut.decode("utf-8", "replace"))
    except ValueError:
        return cut
    return data[:1] if len(data) > 1 else b"["


def build(rule: dict, real: Response | None, host: str) -> Response:
    """The response a fault sends instead of `real` (None when the request was not processed)."""
    kind = rule["kind"]
    if kind == "status":
        resp = _status_response(rule, host)
    elif kind == "malformed":
        if rule["body"] is not None:
            data = rule["body"].encode("utf-8")
        elif real is not None and real.get_data():
            data = _truncate(real.get_data())
        else:
            data = NOT_PROCESSED_TRUNCATED.encode("utf-8")
        status = rule["status"] or (real.status_code if real is not None else 200)
        headers = dict(real.headers) if real is not None else base_headers()
        headers.pop("Content-Length", None)
        resp = Response(data, status=status, headers=headers)
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        resp.sim_body = data.decode("utf-8", "replace")
    elif kind == "empty":
        resp = Response(b"", status=rule["status"], headers=base_headers())
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        resp.sim_body = None
    elif kind == "html":
        text = rule["body"] if rule["body"] is not None else SIGN_IN_HTML
        resp = Response(text, status=rule["status"], content_type="text/html; charset=utf-8")
        resp.sim_body = text
    elif kind == "drop":
        resp = Response(b"", status=500)
        resp.sim_body = None
        resp.sim_dropped = True
    else:  # delay: the real answer
        resp = real
    for name, value in rule.get("headers", {}).items():
        resp.headers[name] = value
    return resp


def _finish(entry: dict, resp: Response, processed: bool) -> None:
    entry["processed"] = processed
    if getattr(resp, "sim_dropped", False):
        entry["dropped"] = True
        entry["status"] = None
        entry["response"] = None
    else:
        entry["status"] = resp.status_code
        entry["response"] = getattr(resp, "sim_body", None)


def serve(sim, request, target: str, path: str, entry: dict, process, check=None) -> Response:
    """Run `process` (the real handling) under whatever fault rule matches this request.

    `check(real_response_or_None)` runs the contract check on what the simulator itself
    answered; a fault's own answer is deliberately off-contract and is not checked.
    """
    table = sim.faults
    generation = table.generation
    rule = table.take(request.method, target, path, request.query_string.decode("latin-1"))
    entry["fault"] = rule
    if rule is None:
        resp = process()
        _finish(entry, resp, True)
        if check:
            check(resp)
        return resp
    kind, host = rule["kind"], request.host
    if rule["when"] == "before":
        if rule["delay"] and not table.sleep(rule["delay"], generation):
            return _cancelled(request, entry)
        if kind == "delay":
            real = process()
            resp, processed = real, True
        else:
            real, resp, processed = None, build(rule, None, host), False
        _finish(entry, resp, processed)
        if check:
            check(real)
    else:
        real = process()
        resp = build(rule, real, host)
        _finish(entry, resp, True)
        if resp is not real:  # what the simulator answered before the fault replaced it
            rule["real_status"] = real.status_code
            rule["real_response"] = getattr(real, "sim_body", None)
        if check:
            check(real)
        if rule["delay"] and not table.sleep(rule["delay"], generation):
            return _cancelled(request, entry)
    if getattr(resp, "sim_dropped", False):
        request.environ[DROP_KEY] = True
    return resp


def _cancelled(request, entry: dict) -> Response:
    entry["fault"] = {**(entry["fault"] or {}), "cancelled": True}
    entry["dropped"] = True
    entry["status"] = None
    entry["response"] = None
    request.environ[DROP_KEY] = True
    resp = Response(b"", status=500)
    resp.sim_dropped = True
    return resp


class DropMiddleware:
    """WSGI wrapper: when a fault dropped the request, shut the socket down and raise a
    connection error, so werkzeug writes nothing at all (no status line, no headers)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        result = self.app(environ, start_response)
        if not environ.get(DROP_KEY):
            return result
        if hasattr(result, "close"):
            result.close()
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionAbortedError("kfsim: connection dropped by a fault rule")
