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


@pytest.mark.parametrize("url, fragment", [
    ("", "url: must name the Keyfactor Command server."),
    ("https://kf.example.test/KeyfactorAPI", "has a path; give only https://host[:port]"),
    ("ftp://kf.example.test", "is not of the form https://host[:port]"),
    ("https://user:pw@kf.example.test", "url: must not carry credentials"),
    ("https://kf.example.test:99999", "has an invalid port"),
])
def test_bad_url_is_refused_with_the_option_named(url, fragment):
    with pytest.raises(InputError) as error:
        ConnectionSettings.from_params(params(url=url), environ={})
    assert fragment in str(error.value)
    assert str(error.value).startswith("url: ")
    assert "pw" not in str(error.value) or "pw@" not in str(error.value)


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
