import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    CREDENTIAL_ENVIRONMENT,
    ConnectionSettings,
    connection_argument_spec,
)
from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError


def params(**overrides):
    values = dict(url="kf.example.test", api_path="KeyfactorAPI", username="KEYFACTOR\\svc",
                  password="s3cret", domain=None, validate_certs=None, ca_path=None, timeout=30)
    values.update(overrides)
    return values


@pytest.mark.parametrize("url, api_path, expected", [
    ("kf.example.test", "KeyfactorAPI", "https://kf.example.test/KeyfactorAPI"),
    ("https://kf.example.test", "KeyfactorAPI", "https://kf.example.test/KeyfactorAPI"),
    ("https://kf.example.test:8443/", "/Keyfactor/API/", "https://kf.example.test:8443/Keyfactor/API"),
    ("http://127.0.0.1:5000", "KeyfactorAPI", "http://127.0.0.1:5000/KeyfactorAPI"),
    ("kf.example.test:8443", None, "https://kf.example.test:8443/KeyfactorAPI"),
])
def test_base_url(url, api_path, expected):
    settings = ConnectionSettings.from_params(params(url=url, api_path=api_path), environ={})
    assert settings.base_url == expected


@pytest.mark.parametrize("url, message", [
    ("", "url: must name the Keyfactor Command server (or set KEYFACTOR_HOSTNAME)."),
    ("https://kf.example.test/KeyfactorAPI",
     "url: 'https://kf.example.test/KeyfactorAPI' has a path; give only https://host[:port] and "
     "put the API path in api_path (for example KeyfactorAPI or Keyfactor/API)."),
    ("ftp://kf.example.test", "url: 'ftp://kf.example.test' is not of the form https://host[:port]."),
    ("https://kf.example.test:99999", "url: 'https://kf.example.test:99999' has an invalid port."),
])
def test_bad_url_is_refused_with_the_option_named(url, message):
    with pytest.raises(InputError) as error:
        ConnectionSettings.from_params(params(url=url), environ={})
    assert str(error.value) == message


@pytest.mark.parametrize("url", [
    "https://svc:Hunter2Secret@kf.example.test/KeyfactorAPI",
    "ftps://svc:Hunter2Secret@kf.example.test",
    "https://svc:Hunter2Secret@kf.example.test/?x",
])
def test_credentials_in_url_are_refused_without_echoing_them(url):
    with pytest.raises(InputError) as error:
        ConnectionSettings.from_params(params(url=url), environ={})
    assert "Hunter2Secret" not in str(error.value)
    assert "svc" not in str(error.value)
    assert str(error.value).startswith("url: 'https://***@kf.example.test") or str(
        error.value).startswith("url: 'ftps://***@kf.example.test")
    assert "must not carry credentials" in str(error.value)


@pytest.mark.parametrize("api_path", ["KeyfactorAPI?x=1", "Keyfactor API", "KeyfactorAPI#top"])
def test_api_path_must_be_a_path(api_path):
    with pytest.raises(InputError) as error:
        ConnectionSettings.from_params(params(api_path=api_path), environ={})
    assert str(error.value) == (
        "api_path: %r is not a URL path such as KeyfactorAPI or Keyfactor/API." % api_path)


# What ad-hoc key=value parsing makes of KEYFACTOR\nojobs and KEYFACTOR\readonly.
@pytest.mark.parametrize("username", ["KEYFACTOR" + chr(10) + "ojobs",
                                      "KEYFACTOR" + chr(13) + "eadonly"])
def test_username_with_control_characters_is_refused(username):
    with pytest.raises(InputError) as error:
        ConnectionSettings.from_params(params(username=username), environ={})
    assert str(error.value).startswith("username: holds a control character, such as a line break.")


@pytest.mark.parametrize("timeout", [0, -1, 3601, 10 ** 20])
def test_timeout_bounds(timeout):
    with pytest.raises(InputError, match="^timeout: must be a number of seconds from 1 to 3600.$"):
        ConnectionSettings.from_params(params(timeout=timeout), environ={})


@pytest.mark.parametrize("username, domain, expected", [
    ("KEYFACTOR\\svc", None, "KEYFACTOR\\svc"),
    ("svc", "KEYFACTOR", "KEYFACTOR\\svc"),
    ("KEYFACTOR\\svc", "keyfactor", "KEYFACTOR\\svc"),
    ("svc@keyfactor.example.test", None, "svc@keyfactor.example.test"),
    ("svc@keyfactor.example.test", "KEYFACTOR", "svc@keyfactor.example.test"),
    ("svc", None, "svc"),
])
def test_account_forms(username, domain, expected):
    settings = ConnectionSettings.from_params(params(username=username, domain=domain), environ={})
    assert settings.auth.name == "basic"
    assert settings.auth.username == expected


def test_conflicting_domains_are_refused():
    with pytest.raises(InputError, match="username names the domain 'KEYFACTOR' but domain is 'OTHER'"):
        ConnectionSettings.from_params(params(username="KEYFACTOR\\svc", domain="OTHER"), environ={})


@pytest.mark.parametrize("value, env, expected", [
    (None, {}, True),
    (None, {"KEYFACTOR_SKIP_VERIFY": "true"}, False),
    (None, {"KEYFACTOR_SKIP_VERIFY": "1"}, False),
    (None, {"KEYFACTOR_SKIP_VERIFY": "false"}, True),
    (True, {"KEYFACTOR_SKIP_VERIFY": "true"}, True),
    (False, {}, False),
])
def test_validate_certs_and_skip_verify(value, env, expected):
    settings = ConnectionSettings.from_params(params(validate_certs=value), environ=env)
    assert settings.validate_certs is expected
    assert settings.verify is expected


def test_skip_verify_must_be_a_boolean():
    with pytest.raises(InputError, match="KEYFACTOR_SKIP_VERIFY: 'maybe' is not a boolean"):
        ConnectionSettings.from_params(params(), environ={"KEYFACTOR_SKIP_VERIFY": "maybe"})


def test_ca_path_is_used_for_verification(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = ConnectionSettings.from_params(params(ca_path=str(bundle)), environ={})
    assert settings.verify == str(bundle)


def test_missing_ca_path_is_refused(tmp_path):
    with pytest.raises(InputError, match="^ca_path: .* is not a readable file.$"):
        ConnectionSettings.from_params(params(ca_path=str(tmp_path / "nope.pem")), environ={})


def test_spec_uses_keyfactor_environment_names():
    spec = connection_argument_spec()
    fallbacks = {name: option["fallback"][1] for name, option in spec.items() if "fallback" in option}
    assert fallbacks == {
        "url": ["KEYFACTOR_HOSTNAME"],
        "api_path": ["KEYFACTOR_API_PATH"],
        "ca_path": ["KEYFACTOR_CA_CERT"],
    }
    assert CREDENTIAL_ENVIRONMENT == {
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
    assert [name for name, option in spec.items() if option.get("no_log")] == [
        "password", "client_secret", "access_token"]


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8080", True), ("http://localhost", True), ("http://[::1]:5000", True),
    ("http://kf.example.test", False), ("https://10.1.2.3", False),
])
def test_loopback_servers_are_recognised(url, loopback):
    assert ConnectionSettings.from_params(params(url=url), environ={}).loopback is loopback
