# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AnsibleModule every module of the collection runs in: connection options, client.

Internal to the collection; not a public API.
"""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.keyfactor.command.plugins.module_utils._client import KeyfactorClient
from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    ConnectionSettings,
    connection_argument_spec,
    is_loopback,
)
from ansible_collections.keyfactor.command.plugins.module_utils._http import (
    REQUESTS_IMPORT_ERROR,
    Transport,
)


def module_argument_spec(own_spec):
    """A module's own options plus the shared connection options."""
    spec = connection_argument_spec()
    spec.update(own_spec)
    return spec


class KeyfactorModule(object):
    """Wraps a module's AnsibleModule with a ready API client and short result helpers.

    The module file makes the AnsibleModule itself, so that tools reading its argument spec
    (ansible-lint's args rule) see it.
    """

    def __init__(self, ansible_module):
        self.ansible = ansible_module
        if REQUESTS_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib("requests"),
                                   exception=REQUESTS_IMPORT_ERROR)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = self.ansible._diff

    def client(self):
        """An API client for the connection options; raises InputError when they cannot work."""
        settings = ConnectionSettings.from_params(self.params)
        # Secrets taken from the environment are not module parameters; mask them too.
        for secret in settings.secrets:
            self.ansible.no_log_values.add(secret)
        if getattr(settings.auth, "name", None) == "oauth":
            settings.auth.on_token = self.ansible.no_log_values.add
            if settings.auth.token_url.lower().startswith("http://") and not is_loopback(
                    settings.auth.token_url):
                self.warn("token_url %s is plain HTTP: the client secret travels unencrypted."
                          % settings.auth.token_url)
        if settings.base_url.startswith("http://") and not settings.loopback:
            self.warn("%s is plain HTTP: credentials and tokens travel unencrypted."
                      % settings.base_url)
        elif not settings.validate_certs:
            self.warn("TLS certificate verification is turned off for %s; the server's identity "
                      "is not checked." % settings.base_url)
        return KeyfactorClient(Transport(settings, trace=self.ansible.debug))

    def warn(self, text):
        self.ansible.warn(text)

    def exit(self, **result):
        self.ansible.exit_json(**result)

    def fail(self, msg, **result):
        self.ansible.fail_json(msg=msg, **result)
