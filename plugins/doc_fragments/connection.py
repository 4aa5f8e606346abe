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
      - The account to log in with by Basic authentication, as C(DOMAIN\user), as
        C(user@domain) (sent as it is), or as a plain user name together with O(domain).
      - If not set, the value of the E(KEYFACTOR_USERNAME) environment variable is used.
      - Give one way to authenticate. When the task gives options of none, the environment is
        consulted in this order, and the first way it names is used with its values alone
        from there - an access token (E(KEYFACTOR_AUTH_ACCESS_TOKEN)), OAuth client
        credentials (E(KEYFACTOR_AUTH_CLIENT_ID) and the others), Basic authentication
        (E(KEYFACTOR_USERNAME), E(KEYFACTOR_PASSWORD)). When the task names one way, only its
        missing values come from the environment, and credentials that fail are never tried
        again with others.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(KEYFACTOR_PASSWORD) environment variable is used.
    type: str
  domain:
    description:
      - The Active Directory domain of O(username), when O(username) does not carry one.
      - Ignored when O(username) is of the form C(user@domain). When O(username) already names
        a domain, O(domain) must name the same one (compared without regard to case) or be unset.
      - If not set, the value of the E(KEYFACTOR_DOMAIN) environment variable is used.
    type: str
  token_url:
    description:
      - For OAuth 2.0 client credentials (Command 11 and later) the token endpoint of the
        identity provider, for example
        C(https://idp.example.com/realms/keyfactor/protocol/openid-connect/token).
      - The module fetches one access token per task and uses it for every request. When
        Command refuses it (HTTP 401), the module fetches a new token once; a second refusal
        fails the task.
      - If not set, the value of the E(KEYFACTOR_AUTH_TOKEN_URL) environment variable is used.
    type: str
  client_id:
    description:
      - The OAuth client ID.
      - If not set, the value of the E(KEYFACTOR_AUTH_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The OAuth client secret.
      - If not set, the value of the E(KEYFACTOR_AUTH_CLIENT_SECRET) environment variable is used.
    type: str
  scopes:
    description:
      - OAuth scopes to ask for; sent only when given.
      - If not set, the value of the E(KEYFACTOR_AUTH_SCOPES) environment variable is used
        (scopes separated by commas or spaces).
    type: list
    elements: str
  audience:
    description:
      - The OAuth audience to ask for; sent only when given.
      - If not set, the value of the E(KEYFACTOR_AUTH_AUDIENCE) environment variable is used.
    type: str
  access_token:
    description:
      - An access token obtained beforehand, sent as a bearer token. It cannot be
        renewed; when Command refuses it, the task fails.
      - If not set, the value of the E(KEYFACTOR_AUTH_ACCESS_TOKEN) environment variable is used.
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
  client_cert:
    description:
      - A PEM file with the client certificate (and, if O(client_key) is not given, its key), for
        servers that require TLS client authentication.
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when the certificate file does not
        hold it. The key must not be encrypted.
    type: path
  timeout:
    description:
      - How many seconds to wait for the answer to each single HTTP request, from 1 to 3600.
      - Reads that end in HTTP 429, 502, 503 or 504, a dropped connection or a time-out are
        retried up to 5 times, with growing, jittered waits (honouring C(Retry-After)), and only
        as long as the time limit of the task (C(wait_timeout)) allows. The removal request itself is
        never retried.
      - Proxies are taken from the standard environment variables (E(HTTPS_PROXY),
        E(HTTP_PROXY), E(NO_PROXY)).
    type: int
    default: 30
requirements:
  - requests (Python library, on the host that runs the module)
notes:
  - Secrets (O(password), O(client_secret), O(access_token)), whether given in the task or in
    the environment, never appear in results, warnings or errors.
"""
