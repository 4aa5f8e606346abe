# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options shared by every module: argument spec, environment fallbacks, checks.

Internal to the collection; not a public API. The options are documented once, in the
``keyfactor.command.connection`` doc fragment; keep the two in step.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError

DEFAULT_API_PATH = "KeyfactorAPI"
DEFAULT_TIMEOUT = 30


def connection_argument_spec():
    """The argument spec of the connection options, to merge into a module's own."""
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["KEYFACTOR_HOSTNAME"])),
        api_path=dict(type="str", default=DEFAULT_API_PATH,
                      fallback=(env_fallback, ["KEYFACTOR_API_PATH"])),
        username=dict(type="str", required=True, fallback=(env_fallback, ["KEYFACTOR_USERNAME"])),
        password=dict(type="str", required=True, no_log=True,
                      fallback=(env_fallback, ["KEYFACTOR_PASSWORD"])),
        domain=dict(type="str", fallback=(env_fallback, ["KEYFACTOR_DOMAIN"])),
        # No default here: the fallback is KEYFACTOR_SKIP_VERIFY, whose sense is inverted.
        validate_certs=dict(type="bool"),
        ca_path=dict(type="path", fallback=(env_fallback, ["KEYFACTOR_CA_CERT"])),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    )


class ConnectionSettings(object):
    """Where the API is and how to log in, checked and normalised."""

    def __init__(self, base_url, username, password, validate_certs=True, ca_path=None,
                 timeout=DEFAULT_TIMEOUT):
        self.base_url = base_url
        self.username = username
        self.password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout

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
        username = _account(params["username"], params.get("domain"))
        if not params.get("password"):
            raise InputError("password: must not be empty.")
        timeout = params.get("timeout")
        if timeout is None or timeout <= 0:
            raise InputError("timeout: must be a positive number of seconds.")
        ca_path = params.get("ca_path")
        if ca_path and not os.path.isfile(ca_path):
            raise InputError("ca_path: %s is not a readable file." % ca_path)
        return cls(
            base_url=base_url,
            username=username,
            password=params["password"],
            validate_certs=_validate_certs(params.get("validate_certs"), environ),
            ca_path=ca_path,
            timeout=timeout,
        )


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
        raise InputError("url: must name the Keyfactor Command server.")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(
            "url: %r is not of the form https://host[:port]." % url
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError(
            "url: %r has a path; give only https://host[:port] and put the API path in "
            "api_path (for example KeyfactorAPI or Keyfactor/API)." % url
        )
    if parts.username or parts.password:
        raise InputError("url: must not carry credentials; use username and password.")
    try:
        parts.port
    except ValueError:
        raise InputError("url: %r has an invalid port." % url)
    path = (api_path if api_path is not None else DEFAULT_API_PATH).strip().strip("/")
    if not path:
        raise InputError("api_path: must not be empty (the default is KeyfactorAPI).")
    return "%s://%s/%s" % (parts.scheme, parts.netloc, path)


def _account(username, domain):
    """The account as Command's Basic authentication expects it: DOMAIN\\user."""
    username = (username or "").strip()
    if not username:
        raise InputError("username: must not be empty.")
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
