# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options shared by every module: argument spec, environment fallbacks, checks.

Internal to the collection; not a public API. The options are documented once, in the
``keyfactor.command.connection`` doc fragment; keep the two in step.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.keyfactor.command.plugins.module_utils._auth import (
    BasicAuth,
    BearerToken,
    ClientCredentials,
)
from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError

DEFAULT_API_PATH = "KeyfactorAPI"
DEFAULT_TIMEOUT = 30

# Credentials are read from the environment here, not through argument-spec fallbacks, so
# that the way of authenticating the task names is never mixed with one from the environment.
CREDENTIAL_ENVIRONMENT = {
    "username": "KEYFACTOR_USERNAME",
    "password": "KEYFACTOR_PASSWORD",
    "domain": "KEYFACTOR_DOMAIN",
    "token_url": "KEYFACTOR_AUTH_TOKEN_URL",
    "client_id": "KEYFACTOR_AUTH_CLIENT_ID",
    "client_secret": "KEYFACTOR_AUTH_CLIENT_SECRET",
    "scopes": "KEYFACTOR_AUTH_SCOPES",
    "audience": "KEYFACTOR_AUTH_AUDIENCE",
    "access_token": "KEYFACTOR_AUTH_ACCESS_TOKEN",
}
# Each way of authenticating, by the options that select it, in the order the environment
# is consulted when the task names none.
METHODS = (
    ("access_token", ("access_token",)),
    ("oauth", ("token_url", "client_id", "client_secret", "scopes", "audience")),
    ("basic", ("username", "password", "domain")),
)
SECRETS = ("password", "client_secret", "access_token")


def connection_argument_spec():
    """The argument spec of the connection options, to merge into a module's own."""
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["KEYFACTOR_HOSTNAME"])),
        api_path=dict(type="str", default=DEFAULT_API_PATH,
                      fallback=(env_fallback, ["KEYFACTOR_API_PATH"])),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        domain=dict(type="str"),
        token_url=dict(type="str", no_log=False),
        client_id=dict(type="str"),
        client_secret=dict(type="str", no_log=True),
        scopes=dict(type="list", elements="str"),
        audience=dict(type="str"),
        access_token=dict(type="str", no_log=True),
        # No default here: the fallback is KEYFACTOR_SKIP_VERIFY, whose sense is inverted.
        validate_certs=dict(type="bool"),
        ca_path=dict(type="path", fallback=(env_fallback, ["KEYFACTOR_CA_CERT"])),
        client_cert=dict(type="path"),
        client_key=dict(type="path"),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    )


class ConnectionSettings(object):
    """Where the API is and how to log in, checked and normalised."""

    def __init__(self, base_url, auth, validate_certs=True, ca_path=None,
                 timeout=DEFAULT_TIMEOUT, client_cert=None, secrets=()):
        self.base_url = base_url
        self.auth = auth
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.client_cert = client_cert
        # Every secret in use, wherever it came from, for the module to mask in its output.
        self.secrets = [secret for secret in secrets if secret]

    @property
    def loopback(self):
        """Whether the server is this machine, so plain HTTP never crosses a network."""
        return is_loopback(self.base_url)

    @property
    def verify(self):
        """The value requests takes for ``verify``."""
        if not self.validate_certs:
            return False
        return self.ca_path or True

    @classmethod
    def from_params(cls, params, environ=None):
        environ = os.environ if environ is None else environ
        base_url = _api_base_url(params["url"], params.get("api_path"))
        timeout = params.get("timeout")
        if timeout is None or not 1 <= timeout <= 3600:
            raise InputError("timeout: must be a number of seconds from 1 to 3600.")
        ca_path = params.get("ca_path")
        if ca_path and not os.path.isfile(ca_path):
            raise InputError("ca_path: %s is not a readable file." % ca_path)
        client_cert = _client_cert(params.get("client_cert"), params.get("client_key"))
        validate_certs = _validate_certs(params.get("validate_certs"), environ)
        verify = (ca_path or True) if validate_certs else False

        method, values = _credentials(params, environ)
        if method == "access_token":
            auth = BearerToken(values["access_token"])
        elif method == "oauth":
            auth = ClientCredentials(
                values["token_url"], values["client_id"], values["client_secret"],
                scopes=values.get("scopes"), audience=values.get("audience"),
                timeout=timeout, verify=verify, cert=client_cert)
        else:
            auth = BasicAuth(_account(values["username"], values.get("domain")),
                             values["password"])
        return cls(base_url=base_url, auth=auth, validate_certs=validate_certs, ca_path=ca_path,
                   timeout=timeout, client_cert=client_cert,
                   secrets=[values.get(name) for name in SECRETS])


def is_loopback(url):
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _credentials(params, environ):
    """The way of authenticating and its values: the one the task names, its missing values
    from the environment; else the first one the environment names."""
    named = [method for method, options in METHODS
             if any(params.get(option) not in (None, "", []) for option in options)]
    if len(named) > 1:
        raise InputError(
            "Give one way to authenticate: username and password, or token_url, client_id and "
            "client_secret, or access_token (this task gives options of %s)."
            % " and ".join(_LABELS[method] for method in named))
    if not named:
        named = [method for method, options in METHODS
                 if any(_from_environment(option, environ) for option in options)][:1]
    if not named:
        raise InputError(
            "No credentials: give username and password (Basic authentication), or token_url, "
            "client_id and client_secret (OAuth), or access_token, in the task or in the "
            "KEYFACTOR_* environment variables.")
    method = named[0]
    options = dict(METHODS)[method]
    values = {}
    for option in options:
        value = params.get(option)
        if value in (None, "", []):
            value = _from_environment(option, environ)
        values[option] = value
    for option in _REQUIRED[method]:
        if not values.get(option):
            raise InputError("%s: required for %s (or set %s)."
                             % (option, _LABELS[method], CREDENTIAL_ENVIRONMENT[option]))
    return method, values


_LABELS = {"access_token": "an access token", "oauth": "OAuth client credentials",
           "basic": "Basic authentication"}
_REQUIRED = {"access_token": ("access_token",),
             "oauth": ("token_url", "client_id", "client_secret"),
             "basic": ("username", "password")}


def _from_environment(option, environ):
    raw = environ.get(CREDENTIAL_ENVIRONMENT[option], "")
    if not raw.strip():
        return None
    # Secrets are taken as they are: spaces may belong to a password.
    value = raw if option in SECRETS else raw.strip()
    if option == "scopes":
        return [scope for scope in re.split(r"[\s,]+", value) if scope]
    return value


def _client_cert(cert, key):
    if key and not cert:
        raise InputError("client_key: needs client_cert.")
    for option, path in (("client_cert", cert), ("client_key", key)):
        if path and not os.path.isfile(path):
            raise InputError("%s: %s is not a readable file." % (option, path))
    if not cert:
        return None
    return (cert, key) if key else cert


def _validate_certs(value, environ):
    if value is not None:
        return value
    skip = environ.get("KEYFACTOR_SKIP_VERIFY")
    if skip is None or skip.strip() == "":
        return True
    try:
        return not boolean(skip.strip(), strict=True)
    except TypeError:
        raise InputError(
            "KEYFACTOR_SKIP_VERIFY: %r is not a boolean (use true or false)." % skip
        )


def _api_base_url(url, api_path):
    url = (url or "").strip()
    if not url:
        raise InputError("url: must name the Keyfactor Command server (or set KEYFACTOR_HOSTNAME).")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    shown = _without_credentials(url, parts)
    if parts.username or parts.password:
        raise InputError("url: %r must not carry credentials; use the authentication options."
                         % shown)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError("url: %r is not of the form https://host[:port]." % shown)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError(
            "url: %r has a path; give only https://host[:port] and put the API path in "
            "api_path (for example KeyfactorAPI or Keyfactor/API)." % shown)
    try:
        parts.port
    except ValueError:
        raise InputError("url: %r has an invalid port." % shown)
    path = (api_path if api_path is not None else DEFAULT_API_PATH).strip().strip("/")
    if not path:
        raise InputError("api_path: must not be empty (the default is KeyfactorAPI).")
    if not _API_PATH.match(path):
        raise InputError("api_path: %r is not a URL path such as KeyfactorAPI or Keyfactor/API."
                         % path)
    return "%s://%s/%s" % (parts.scheme, parts.netloc, path)


_API_PATH = re.compile(r"^[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*$")


def _without_credentials(url, parts):
    if "@" not in parts.netloc:
        return url
    return url.replace(parts.netloc, "***@" + parts.netloc.rsplit("@", 1)[1], 1)


def _account(username, domain):
    """The account as Command's Basic authentication expects it: DOMAIN\\user."""
    username = (username or "").strip()
    if not username:
        raise InputError("username: must not be empty.")
    if any(ord(char) < 32 or ord(char) == 127 for char in username):
        raise InputError(
            "username: holds a control character, such as a line break. In ad-hoc key=value "
            "arguments (-a), a backslash starts an escape: write DOMAIN\\\\user there, or "
            "give the domain in domain.")
    domain = (domain or "").strip()
    if "\\" in username:
        given_domain, _sep, user = username.partition("\\")
        if not given_domain or not user:
            raise InputError("username: %r is not of the form DOMAIN\\user." % username)
        if domain and domain.lower() != given_domain.lower():
            raise InputError(
                "username names the domain %r but domain is %r; give the domain once."
                % (given_domain, domain)
            )
        return username
    if "@" in username or not domain:
        return username
    return "%s\\%s" % (domain, username)
