# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options every module of this collection takes.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Keyfactor Command server, as C(https://host) or C(https://host:port).
      - A bare host name means HTTPS. Give no path here; the API path goes in O(api_path).
      - If not set, the value of the E(KEYFACTOR_HOSTNAME) environment variable is used.
    type: str
    required: true
  api_path:
    description:
      - The base path of the Keyfactor API on the server, chosen when Command was installed.
      - Most installations use C(KeyfactorAPI); some (including hosted ones) use C(Keyfactor/API).
      - If not set, the value of the E(KEYFACTOR_API_PATH) environment variable is used.
    type: str
    default: KeyfactorAPI
  username:
    description:
      - The account to log in with, as C(DOMAIN\user), as C(user@domain) (sent as it is),
        or as a plain user name together with O(domain).
      - If not set, the value of the E(KEYFACTOR_USERNAME) environment variable is used.
    type: str
    required: true
  password:
    description:
      - The account's password.
      - If not set, the value of the E(KEYFACTOR_PASSWORD) environment variable is used.
    type: str
    required: true
  domain:
    description:
      - The Active Directory domain of O(username), when O(username) does not carry one.
      - Ignored when O(username) is of the form C(user@domain). When O(username) already names
        a domain, O(domain) must name the same one (compared without regard to case) or be unset.
      - If not set, the value of the E(KEYFACTOR_DOMAIN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Leave it on outside of test servers.
      - When not set, it is V(true) unless the E(KEYFACTOR_SKIP_VERIFY) environment variable is a
        true value, which turns verification off.
      - Turning verification off adds a warning to the task's result.
    type: bool
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server's certificate with, for servers whose
        certificate a private CA issued. The file may hold the whole chain (intermediate and root).
      - If not set, the value of the E(KEYFACTOR_CA_CERT) environment variable is used; when neither
        is set, the system's trusted CAs are used.
    type: path
  timeout:
    description:
      - How many seconds to wait for the answer to each single HTTP request.
    type: int
    default: 30
requirements:
  - requests (Python library, on the host that runs the module)
"""
