"""Ways of authenticating: which one a task uses, and OAuth tokens over real HTTP."""

import base64
from urllib.parse import parse_qs

import pytest

from conftest import fast_transport
from http_server import Answer

from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    ConnectionSettings,
)
from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    InputError,
)

SECRET = "cl1ent-s3cret-not-for-output"


def settings_for(environ=None, **task):
    params = dict(url="http://127.0.0.1:9", api_path="KeyfactorAPI", validate_certs=None,
                  ca_path=None, timeout=2)
    params.update(task)
    return ConnectionSettings.from_params(params, environ=environ or {})


def test_basic_from_the_task():
    settings = settings_for(username="svc", password="pw", domain="KEYFACTOR")
    assert (settings.auth.name, settings.auth.username) == ("basic", "KEYFACTOR\\svc")
    assert settings.secrets == ["pw"]


def test_task_names_basic_and_takes_only_the_missing_password_from_the_environment():
    settings = settings_for({"KEYFACTOR_PASSWORD": "env-pw", "KEYFACTOR_AUTH_CLIENT_ID": "c",
                             "KEYFACTOR_AUTH_CLIENT_SECRET": "s",
                             "KEYFACTOR_AUTH_TOKEN_URL": "http://127.0.0.1:9/token"},
                            username="KEYFACTOR\\svc")
    assert settings.auth.name == "basic"
    assert settings.secrets == ["env-pw"]


def test_task_options_beat_the_environment():
    settings = settings_for({"KEYFACTOR_USERNAME": "KEYFACTOR\\env", "KEYFACTOR_PASSWORD": "e"},
                            username="KEYFACTOR\\task", password="t")
    assert settings.auth.username == "KEYFACTOR\\task"
    assert settings.secrets == ["t"]


def test_task_naming_oauth_ignores_basic_credentials_in_the_environment():
    settings = settings_for({"KEYFACTOR_USERNAME": "KEYFACTOR\\env", "KEYFACTOR_PASSWORD": "e"},
                            token_url="http://127.0.0.1:9/token", client_id="c",
                            client_secret=SECRET)
    assert settings.auth.name == "oauth"
    assert settings.secrets == [SECRET]


@pytest.mark.parametrize("environ, method", [
    ({"KEYFACTOR_AUTH_ACCESS_TOKEN": "tok", "KEYFACTOR_USERNAME": "u", "KEYFACTOR_PASSWORD": "p",
      "KEYFACTOR_AUTH_CLIENT_ID": "c", "KEYFACTOR_AUTH_CLIENT_SECRET": "s",
      "KEYFACTOR_AUTH_TOKEN_URL": "http://127.0.0.1:9/token"}, "access_token"),
    ({"KEYFACTOR_USERNAME": "u", "KEYFACTOR_PASSWORD": "p", "KEYFACTOR_AUTH_CLIENT_ID": "c",
      "KEYFACTOR_AUTH_CLIENT_SECRET": "s", "KEYFACTOR_AUTH_TOKEN_URL": "http://127.0.0.1:9/t"},
     "oauth"),
    ({"KEYFACTOR_USERNAME": "u", "KEYFACTOR_PASSWORD": "p"}, "basic"),
])
def test_environment_order_when_the_task_names_none(environ, method):
    assert settings_for(environ).auth.name == method


def test_scopes_from_the_environment_split_on_commas_and_spaces():
    settings = settings_for({"KEYFACTOR_AUTH_CLIENT_ID": "c", "KEYFACTOR_AUTH_CLIENT_SECRET": "s",
                             "KEYFACTOR_AUTH_TOKEN_URL": "http://127.0.0.1:9/t",
                             "KEYFACTOR_AUTH_SCOPES": "kf.read, kf.write  openid"})
    assert settings.auth.scopes == ["kf.read", "kf.write", "openid"]


@pytest.mark.parametrize("task, message", [
    (dict(username="u", password="p", client_id="c"),
     "Give one way to authenticate: username and password, or token_url, client_id and "
     "client_secret, or access_token (this task gives options of OAuth client credentials and "
     "Basic authentication)."),
    (dict(username="u"), "password: required for Basic authentication (or set KEYFACTOR_PASSWORD)."),
    (dict(client_id="c", client_secret="s"),
     "token_url: required for OAuth client credentials (or set KEYFACTOR_AUTH_TOKEN_URL)."),
    (dict(), "No credentials: give username and password (Basic authentication), or token_url, "
             "client_id and client_secret (OAuth), or access_token, in the task or in the "
             "KEYFACTOR_* environment variables."),
    (dict(access_token="t", client_cert=None, client_key="/nonexistent/key.pem"),
     "client_key: needs client_cert."),
])
def test_credential_mistakes_are_named(task, message):
    with pytest.raises(InputError) as error:
        settings_for(**task)
    assert str(error.value) == message


def oauth_settings(server, **extra):
    task = dict(url=server.url, token_url=server.url + "/oauth2/token", client_id="ansible",
                client_secret=SECRET)
    task.update(extra)
    return settings_for(**task)


def token(value, expires=300):
    return Answer(body={"access_token": value, "token_type": "Bearer", "expires_in": expires})


def test_one_token_per_task_reused_for_every_request(server):
    server.script(token("tok-1"), Answer(body=[]), Answer(body=[]))
    transport = fast_transport(oauth_settings(server))
    transport.get("/CertificateStores", "Listing stores")
    transport.get("/CertificateStores", "Listing stores")
    token_request, first, second = server.seen
    assert (token_request.method, token_request.path) == ("POST", "/oauth2/token")
    assert parse_qs(token_request.raw_body.decode()) == {
        "grant_type": ["client_credentials"], "client_id": ["ansible"], "client_secret": [SECRET]}
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert first.headers["Authorization"] == "Bearer tok-1"
    assert second.headers["Authorization"] == "Bearer tok-1"


def test_scopes_and_audience_are_sent_only_when_given(server):
    server.script(token("tok"), Answer(body=[]))
    fast_transport(oauth_settings(server, scopes=["kf.api", "openid"], audience="kf")).get(
        "/CertificateStores", "Listing stores")
    form = parse_qs(server.seen[0].raw_body.decode())
    assert form["scope"] == ["kf.api openid"]
    assert form["audience"] == ["kf"]


def test_refused_token_is_fetched_again_once(server):
    server.script(token("old"), Answer(401, raw=""), token("new"), Answer(body=["ok"]))
    reply = fast_transport(oauth_settings(server)).post("/CertificateStores/Certificates/Remove",
                                                        "Submitting", {"x": 1})
    assert reply.data == ["ok"]
    assert [(s.method, s.path, s.headers.get("Authorization")) for s in server.seen] == [
        ("POST", "/oauth2/token", None),
        ("POST", "/KeyfactorAPI/CertificateStores/Certificates/Remove", "Bearer old"),
        ("POST", "/oauth2/token", None),
        ("POST", "/KeyfactorAPI/CertificateStores/Certificates/Remove", "Bearer new"),
    ]


def test_second_refusal_fails(server):
    server.script(token("a"), Answer(401, raw=""), token("b"), Answer(401, raw=""), token("c"))
    with pytest.raises(ApiError) as error:
        fast_transport(oauth_settings(server)).get("/CertificateStores", "Listing stores")
    assert error.value.status == 401
    assert len(server.seen) == 4


def test_given_access_token_is_not_refreshed(server):
    server.script(Answer(401, raw=""), Answer(body=[]))
    with pytest.raises(ApiError) as error:
        fast_transport(settings_for(url=server.url, access_token="given")).get(
            "/CertificateStores", "Listing stores")
    assert error.value.status == 401
    assert [s.headers["Authorization"] for s in server.seen] == ["Bearer given"]


def test_token_endpoint_error_is_explained_without_the_secret(server):
    server.script(Answer(401, body={"error": "invalid_client",
                                    "error_description": "Invalid client credentials"}))
    with pytest.raises(ApiError) as error:
        fast_transport(oauth_settings(server)).get("/CertificateStores", "Listing stores")
    assert str(error.value) == (
        "Fetching an OAuth access token from %s/oauth2/token failed: HTTP 401: invalid_client: "
        "Invalid client credentials. Check token_url, client_id, client_secret, scopes and "
        "audience." % server.url)
    assert SECRET not in str(error.value)


def test_token_answer_without_a_token(server):
    server.script(Answer(200, body={"token_type": "Bearer"}))
    with pytest.raises(ApiError, match="the answer holds no access_token"):
        fast_transport(oauth_settings(server)).get("/CertificateStores", "Listing stores")


def test_non_ascii_basic_credentials_are_sent_as_utf8(server):
    server.script(Answer(body=[]))
    fast_transport(settings_for(url=server.url, username="KEYFACTOR\\jürgen",
                                password="Grüße-€")).get("/CertificateStores", "Listing stores")
    encoded = server.seen[0].headers["Authorization"].split(" ", 1)[1]
    assert base64.b64decode(encoded).decode("utf-8") == "KEYFACTOR\\jürgen:Grüße-€"


def test_token_endpoint_is_retried_on_transient_statuses(server):
    server.script(Answer(503, headers={"Retry-After": "0"}), token("tok"), Answer(body=[]))
    transport = fast_transport(oauth_settings(server))
    fetched = []
    transport._auth.on_token = fetched.append
    transport.get("/CertificateStores", "Listing stores")
    assert [s.path for s in server.seen] == ["/oauth2/token", "/oauth2/token",
                                             "/KeyfactorAPI/CertificateStores"]
    assert fetched == ["tok"]


def test_token_endpoint_server_error_does_not_blame_the_credentials(server):
    server.script(*[Answer(500, raw="oops")] * 2)
    with pytest.raises(ApiError) as error:
        fast_transport(oauth_settings(server)).get("/CertificateStores", "Listing stores")
    assert str(error.value).endswith(
        "The identity provider answered with an error; try again later.")


def test_refused_access_token_says_so(server):
    server.script(Answer(401, raw=""))
    with pytest.raises(ApiError) as error:
        fast_transport(settings_for(url=server.url, access_token="given")).get(
            "/CertificateStores", "Listing stores")
    assert str(error.value).endswith(
        "Command refused the access token: it has expired or is not valid for this server. Get a "
        "new one, or use OAuth client credentials.")


def test_secrets_from_the_environment_keep_their_spaces():
    settings = settings_for({"KEYFACTOR_USERNAME": " KEYFACTOR\\svc ",
                             "KEYFACTOR_PASSWORD": " pad me "})
    assert settings.auth.username == "KEYFACTOR\\svc"
    assert settings.secrets == [" pad me "]
