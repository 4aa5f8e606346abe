# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport to the Keyfactor Command API: headers, authentication, TLS, error mapping.

Internal to the collection; not a public API. Nothing here knows Keyfactor's resources; that is
the client's job. Nothing here ever puts a credential into a message or a trace line.
"""

from __future__ import annotations

import json
import re
import time
import traceback
import warnings

from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    TransportError,
)

try:
    import requests
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

USER_AGENT = "keyfactor.command-ansible-collection/1.0.0"
API_HEADERS = {
    "Accept": "application/json",
    "x-keyfactor-requested-with": "APIClient",
    "x-keyfactor-api-version": "1",
    "User-Agent": USER_AGENT,
}
_STATUS_HINTS = {
    401: "Check username, password and domain (the account is sent as DOMAIN\\user).",
    403: "The account lacks a permission this call needs.",
}
_MESSAGE_LIMIT = 400


class Reply(object):
    """A successful answer: its status, headers and parsed JSON body (None when empty)."""

    __slots__ = ("status", "headers", "data")

    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers
        self.data = data

    def total_count(self):
        """The X-Total-Count header as an int, or None when absent or not a number."""
        value = self.headers.get("X-Total-Count")
        try:
            return int(value)
        except (TypeError, ValueError):
            return None


class Transport(object):
    """Sends requests under one API base URL with one set of credentials."""

    def __init__(self, settings, trace=None, session=None):
        self._settings = settings
        self._trace = trace or (lambda line: None)
        self._session = session or self._new_session(settings)

    @staticmethod
    def _new_session(settings):
        session = requests.Session()
        session.headers.update(API_HEADERS)
        # Encoded here because requests would encode text credentials as Latin-1.
        session.auth = (settings.username.encode("utf-8"), settings.password.encode("utf-8"))
        return session

    def get(self, path, action, params=None, hints=None):
        return self.request("GET", path, action, params=params, hints=hints)

    def post(self, path, action, body, hints=None):
        return self.request("POST", path, action, body=body, hints=hints)

    def request(self, method, path, action, params=None, body=None, hints=None):
        url = self._settings.base_url + path
        # verify goes with each request: requests lets REQUESTS_CA_BUNDLE override a session's.
        kwargs = dict(params=params, timeout=self._settings.timeout, allow_redirects=False,
                      verify=self._settings.verify)
        if body is not None:
            kwargs["data"] = json.dumps(body).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        started = time.monotonic()
        try:
            with warnings.catch_warnings():
                # The module warns once, in words, when verification is off.
                warnings.simplefilter("ignore", requests.urllib3.exceptions.InsecureRequestWarning)
                response = self._session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as exc:
            self._trace("%s %s -> no answer (%s)" % (method, path, type(exc).__name__))
            raise _transport_error(action, exc, self._settings)
        self._trace("%s %s -> %s (%d ms)" % (
            method, response.request.path_url, response.status_code,
            (time.monotonic() - started) * 1000))
        return _reply(action, response, hints or {})


def _reply(action, response, hints):
    status = response.status_code
    if status >= 300:
        hint = hints.get(status, _STATUS_HINTS.get(status))
        raise ApiError(action, status, _server_message(response), hint)
    text = response.text
    if not text.strip():
        return Reply(status, response.headers, None)
    try:
        data = json.loads(text)
    except ValueError:
        raise ApiError(
            action, status,
            "the answer is not JSON (it begins: %s)" % _excerpt(text),
            "Check url and api_path: they must point at the Keyfactor Command API.",
        )
    return Reply(status, response.headers, data)


def _server_message(response):
    """The server's own words, from a Keyfactor JSON error body or else from the text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message")
        reasons = [
            item.get("Reason") for item in data.get("FailedOperations") or []
            if isinstance(item, dict) and item.get("Reason")
        ]
        if message or reasons:
            text = (message or "").rstrip(".")
            if reasons:
                text = "%s. %s" % (text, ", ".join(reasons)) if text else ", ".join(reasons)
            return _excerpt(text)
    text = response.text or ""
    return _excerpt(text) if text.strip() else (response.reason or None)


def _excerpt(text):
    plain = re.sub(r"<[^>]*>", " ", text)
    plain = " ".join(plain.split())
    if len(plain) > _MESSAGE_LIMIT:
        plain = plain[:_MESSAGE_LIMIT] + "..."
    return plain


def _transport_error(action, exc, settings):
    if isinstance(exc, requests.exceptions.SSLError):
        return TransportError(
            action, "TLS verification failed (%s)" % _excerpt(str(exc)),
            "Give the CA bundle that signed the server certificate in ca_path, "
            "or set validate_certs to false for a test server.",
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportError(action, "no connection within %s s" % settings.timeout,
                              "Check url and that the server is reachable.")
    if isinstance(exc, requests.exceptions.Timeout):
        error = TransportError(action, "no answer within %s s (timeout)" % settings.timeout)
        error.maybe_sent = True
        return error
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _root_cause(exc)
        error = TransportError(action, "could not talk to %s (%s)" % (settings.base_url, reason),
                               "Check url and that the server is running.")
        error.maybe_sent = "refused" not in reason.lower()
        return error
    return TransportError(action, _excerpt(str(exc)))


def _root_cause(exc):
    """The innermost reason of a connection failure, without urllib3's wrapping text."""
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        return errno.group(1).strip()
    closed = re.search(r"RemoteDisconnected\('([^']+)'", text)
    if closed:
        return closed.group(1)
    return _excerpt(text)
