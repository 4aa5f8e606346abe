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
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import (
        InsecureRequestWarning,
        InvalidHeader,
        MaxRetryError,
        ResponseError,
    )
    from urllib3.util.retry import Retry
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
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
    403: "The account lacks a permission this call needs.",
}
_MESSAGE_LIMIT = 400

# Reads are retried on these statuses and on dropped connections; writes never are.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
MAX_RETRIES = 5
BACKOFF_FACTOR = 1.0
BACKOFF_MAX = 30.0
BACKOFF_JITTER = 1.0


class RetryBudget(object):
    """The time retries may use: none may start, or wait, past ``deadline`` (monotonic)."""

    def __init__(self, deadline=None):
        self.deadline = deadline

    def out_of_time(self):
        return self.deadline is not None and time.monotonic() >= self.deadline


class DeadlineRetry(Retry):
    """urllib3's Retry, stopping when the next wait would pass the task's deadline."""

    budget = None

    def new(self, **kwargs):
        retry = super(DeadlineRetry, self).new(**kwargs)
        retry.budget = self.budget
        return retry

    def parse_retry_after(self, retry_after):
        # A Retry-After that is neither seconds nor an HTTP date is ignored, not fatal.
        try:
            return super(DeadlineRetry, self).parse_retry_after(retry_after)
        except InvalidHeader:
            return None

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        retry = super(DeadlineRetry, self).increment(method, url, response, error, _pool,
                                                     _stacktrace)
        deadline = self.budget.deadline if self.budget else None
        if deadline is not None:
            wait = retry.get_retry_after(response) if response is not None else None
            if wait is None:
                wait = retry.get_backoff_time()
            if time.monotonic() + wait > deadline:
                raise MaxRetryError(_pool, url, error or ResponseError(
                    "no time left to retry within wait_timeout"))
        return retry


def _retry(budget, backoff_factor, backoff_jitter):
    retry = DeadlineRetry(
        total=MAX_RETRIES, connect=0, read=MAX_RETRIES, status=MAX_RETRIES, other=0,
        redirect=0, allowed_methods=frozenset(["GET"]), status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor, backoff_max=BACKOFF_MAX, backoff_jitter=backoff_jitter,
        respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
    )
    retry.budget = budget
    return retry


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


def new_session(budget, backoff_factor=BACKOFF_FACTOR, backoff_jitter=BACKOFF_JITTER):
    """A requests Session that retries reads within ``budget``; proxies come from the
    standard environment variables (HTTPS_PROXY, NO_PROXY, ...)."""
    session = requests.Session()
    session.headers.update(API_HEADERS)
    adapter = HTTPAdapter(max_retries=_retry(budget, backoff_factor, backoff_jitter))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def mount_token_retries(session, token_url):
    """Retry token requests on transient statuses: asking again for a token changes nothing."""
    retry = Retry(total=3, connect=0, read=0, status=3, other=0, redirect=0,
                  allowed_methods=frozenset(["POST"]), status_forcelist=RETRY_STATUSES,
                  backoff_factor=BACKOFF_FACTOR, backoff_max=BACKOFF_MAX,
                  backoff_jitter=BACKOFF_JITTER, respect_retry_after_header=True,
                  raise_on_status=False, raise_on_redirect=False)
    session.mount(token_url, HTTPAdapter(max_retries=retry))


def send_plain(session, method, url, action, **kwargs):
    """session.request with every failure without an HTTP answer turned into TransportError."""
    kwargs.setdefault("allow_redirects", False)
    where = kwargs.pop("where", url)
    try:
        with warnings.catch_warnings():
            # The module warns once, in words, when verification is off.
            warnings.simplefilter("ignore", InsecureRequestWarning)
            return session.request(method, url, **kwargs)
    except requests.exceptions.RequestException as exc:
        raise _transport_error(action, exc, kwargs.get("timeout"), where)


class Transport(object):
    """Sends requests under one API base URL with one way of authenticating."""

    def __init__(self, settings, trace=None, backoff_factor=BACKOFF_FACTOR,
                 backoff_jitter=BACKOFF_JITTER):
        self._settings = settings
        self._auth = settings.auth
        self._trace = trace or (lambda line: None)
        self.budget = RetryBudget()
        self._session = new_session(self.budget, backoff_factor, backoff_jitter)

    def get(self, path, action, params=None, hints=None):
        return self.request("GET", path, action, params=params, hints=hints)

    def post(self, path, action, body, hints=None):
        return self.request("POST", path, action, body=body, hints=hints)

    def request(self, method, path, action, params=None, body=None, hints=None):
        response = self._send(method, path, action, params, body)
        if response.status_code == 401 and self._auth.can_refresh:
            # A 401 means Command did not act on the request, so sending it again is safe.
            self._trace("%s %s -> 401; fetching a new access token once" % (method, path))
            self._auth.refresh(self._session)
            response = self._send(method, path, action, params, body)
        hints = dict(hints or {})
        hints.setdefault(401, self._auth.refused_hint)
        return _reply(action, response, hints)

    def _send(self, method, path, action, params, body):
        settings = self._settings
        headers = {"Authorization": self._auth.header(self._session)}
        kwargs = dict(params=params, headers=headers, timeout=settings.timeout,
                      # verify goes with each request: requests lets REQUESTS_CA_BUNDLE
                      # override a session's.
                      verify=settings.verify, cert=settings.client_cert, where=settings.base_url)
        if body is not None:
            kwargs["data"] = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            response = send_plain(self._session, method, settings.base_url + path, action,
                                  **kwargs)
        except TransportError as error:
            self._trace("%s %s -> no answer (%s)" % (method, path, error.reason))
            raise
        retries = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        self._trace("%s %s -> %s (%d ms%s)" % (
            method, response.request.path_url, response.status_code,
            (time.monotonic() - started) * 1000,
            ", after %d retries" % len(retries) if retries else ""))
        return response


def _reply(action, response, hints):
    status = response.status_code
    if status >= 300:
        hint = hints.get(status, _STATUS_HINTS.get(status))
        if status == 404 and not _is_keyfactor_error(response):
            hint = ("The server's 404 is not a Keyfactor error: check url and api_path (most "
                    "installations use KeyfactorAPI, some Keyfactor/API).")
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


def _is_keyfactor_error(response):
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and ("Message" in data or "ErrorCode" in data)


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


def _transport_error(action, exc, timeout, where):
    if isinstance(exc, requests.exceptions.SSLError) or _CLIENT_CERT_FAULTS.search(str(exc)):
        reason = _excerpt(_tls_reason(exc))
        if "WRONG_VERSION_NUMBER" in str(exc):
            return TransportError(action, "no TLS on this port (%s)" % reason,
                                  "If the server serves plain HTTP, write http:// in url.")
        if "EOF occurred in violation of protocol" in str(exc):
            return TransportError(
                action, "the server closed the connection during the TLS handshake",
                "If it requires a client certificate, check client_cert and client_key; "
                "otherwise check that url names its HTTPS port.")
        if _CLIENT_CERT_FAULTS.search(str(exc)):
            return TransportError(
                action, "TLS handshake failed over the client certificate (%s)" % reason,
                "The server requires a client certificate it trusts: check client_cert and "
                "client_key (a certificate its CA issued, and the key that belongs to it).")
        return TransportError(
            action, "TLS verification failed (%s)" % reason,
            "Give the CA bundle that signed the server certificate in ca_path, "
            "or set validate_certs to false for a test server.",
        )
    if "Read timed out" in str(exc):
        error = TransportError(action, "no answer within %s s (timeout)" % timeout)
        error.maybe_sent = True
        return error
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportError(action, "no connection within %s s" % timeout,
                              "Check url and that the server is reachable.")
    if isinstance(exc, requests.exceptions.Timeout):
        error = TransportError(action, "no answer within %s s (timeout)" % timeout)
        error.maybe_sent = True
        return error
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _root_cause(exc)
        error = TransportError(action, "could not talk to %s (%s)" % (where, reason),
                               "Check url and that the server is running.")
        error.maybe_sent = "refused" not in reason.lower()
        return error
    return TransportError(action, _excerpt(str(exc)))


# Handshake failures caused by the client's certificate or key, not the server's.
_CLIENT_CERT_FAULTS = re.compile(
    r"CERTIFICATE_REQUIRED|ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_HANDSHAKE_FAILURE|"
    r"KEY_VALUES_MISMATCH|PEM lib|ALERT_CERTIFICATE_UNKNOWN")


def _tls_reason(exc):
    """The OpenSSL reason of a TLS failure, such as CERTIFICATE_VERIFY_FAILED."""
    text = str(exc)
    found = re.search(r"\[SSL: ([A-Z0-9_]+)\][^'\")]*", text) or re.search(
        r"\[SSL\] ([^'\")]+)", text)
    return found.group(0) if found else _root_cause(exc)


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
