# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How requests prove who sends them: Basic, a bearer token, or OAuth client credentials.

Internal to the collection; not a public API. No credential, token or encoded form of either
ever goes into a message from here.
"""

from __future__ import annotations

import base64
import json

from ansible_collections.keyfactor.command.plugins.module_utils._errors import ApiError
from ansible_collections.keyfactor.command.plugins.module_utils._http import (
    mount_token_retries,
    send_plain,
)


class BasicAuth(object):
    """``Authorization: Basic`` with the account as Command expects it (DOMAIN\\user)."""

    name = "basic"
    can_refresh = False
    refused_hint = ("Check the credentials (for Basic authentication: username, password and "
                    "domain; the account is sent as DOMAIN\\user).")

    def __init__(self, username, password):
        self.username = username
        self._password = password

    def header(self, session):
        # UTF-8, because requests would encode text credentials as Latin-1.
        pair = ("%s:%s" % (self.username, self._password)).encode("utf-8")
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def refresh(self, session):
        raise AssertionError("Basic credentials cannot be refreshed")


class BearerToken(object):
    """A token obtained elsewhere; when Command refuses it, there is no other to try."""

    name = "access_token"
    can_refresh = False
    refused_hint = ("Command refused the access token: it has expired or is not valid for this "
                    "server. Get a new one, or use OAuth client credentials.")

    def __init__(self, token):
        self._token = token

    def header(self, session):
        return "Bearer " + self._token

    def refresh(self, session):
        raise AssertionError("a given access token cannot be refreshed")


class ClientCredentials(object):
    """OAuth 2.0 client credentials: one token per task, fetched again once when refused."""

    name = "oauth"
    can_refresh = True
    refused_hint = ("Command refused a freshly fetched access token: check that the identity "
                    "provider (token_url, audience, scopes) is the one Command trusts.")

    def __init__(self, token_url, client_id, client_secret, scopes=None, audience=None,
                 timeout=30, verify=True, cert=None):
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = scopes or []
        self.audience = audience
        self._timeout = timeout
        self._verify = verify
        self._cert = cert
        self._token = None
        # Called with every token fetched, so that the module can mask it in its output.
        self.on_token = None

    def header(self, session):
        if self._token is None:
            self._token = self._fetch(session)
        return "Bearer " + self._token

    def refresh(self, session):
        self._token = self._fetch(session)

    def _fetch(self, session):
        action = "Fetching an OAuth access token from %s" % self.token_url
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._client_secret}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        if self.audience:
            form["audience"] = self.audience
        mount_token_retries(session, self.token_url)
        response = send_plain(session, "POST", self.token_url, action, data=form,
                              timeout=self._timeout, verify=self._verify, cert=self._cert,
                              where=self.token_url)
        if response.status_code >= 300:
            hint = ("Check token_url, client_id, client_secret, scopes and audience."
                    if response.status_code in (400, 401, 403) else
                    "The identity provider answered with an error; try again later.")
            raise ApiError(action, response.status_code, _oauth_error(response), hint)
        try:
            token = json.loads(response.text).get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise ApiError(action, response.status_code,
                           "the answer holds no access_token",
                           "Check that token_url is the identity provider's token endpoint.")
        if self.on_token:
            self.on_token(token)
        return token


def _oauth_error(response):
    try:
        data = json.loads(response.text)
    except ValueError:
        return response.reason
    if not isinstance(data, dict):
        return response.reason
    parts = [str(data[key]) for key in ("error", "error_description") if data.get(key)]
    return ": ".join(parts) or response.reason
