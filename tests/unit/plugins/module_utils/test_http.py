"""The transport: headers, credentials, and how each kind of failure reads."""

import base64
import socket
import time

import pytest

from conftest import fast_transport
from http_server import Answer

from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    ConnectionSettings,
)
from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    TransportError,
)

PASSWORD = "Pässw0rd-not-for-output"


def test_basic_credentials_are_utf8_domain_backslash_user(server, settings):
    server.script(Answer(body=[]))
    fast_transport(settings).get("/CertificateStores", "Listing stores")
    header = server.seen[0].headers["Authorization"]
    assert base64.b64decode(header.split(" ", 1)[1]).decode("utf-8") == (
        "KEYFACTOR\\svc-ansible:" + PASSWORD)


def test_401_html_page_reads_as_text_with_a_hint(server, settings):
    server.script(Answer(401, raw="<html><head><title>401 - Unauthorized</title></head>"
                         "<body><h2>Access is denied due to invalid credentials.</h2></body></html>",
                         headers={"Content-Type": "text/html"}))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == (
        "Listing stores failed: HTTP 401: 401 - Unauthorized Access is denied due to invalid "
        "credentials. Check the credentials (for Basic authentication: username, password and "
        "domain; the account is sent as DOMAIN\\user).")


def test_keyfactor_error_body_with_failed_operations(server, settings):
    server.script(Answer(400, body={"ErrorCode": "0xA0110007", "Message": "Invalid request.",
                                    "FailedOperations": [{"Reason": "Store 1 is unknown"},
                                                         {"Reason": "Store 2 is unknown"}]}))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert str(error.value) == (
        "Submitting failed: HTTP 400: Invalid request. Store 1 is unknown, Store 2 is unknown.")


def test_server_error_without_body_uses_the_reason(server, settings):
    server.script(Answer(500))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == "Listing stores failed: HTTP 500: Internal Server Error."
    assert len(server.seen) == 1


def test_body_that_is_not_json(server, settings):
    server.script(Answer(200, raw="Keyfactor says hello", headers={"Content-Type": "text/plain"}))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == (
        "Listing stores failed: HTTP 200: the answer is not JSON (it begins: Keyfactor says "
        "hello). Check url and api_path: they must point at the Keyfactor Command API.")


def test_redirect_is_reported_not_followed(server, settings):
    server.script(Answer(302, raw="", headers={"Location": "https://login.example.test/"}))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert error.value.status == 302
    assert len(server.seen) == 1


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_says_so_and_was_not_sent():
    settings = ConnectionSettings.from_params(dict(
        url="http://127.0.0.1:%d" % _free_port(), api_path="KeyfactorAPI", username="u",
        password=PASSWORD, domain="D", validate_certs=True, ca_path=None, timeout=2), environ={})
    with pytest.raises(TransportError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value).startswith("Listing stores failed: could not talk to http://127.0.0.1:")
    assert str(error.value).endswith("/KeyfactorAPI (Connection refused). Check url and that the server is running.")
    assert "Check url and that the server is running." in str(error.value)
    assert error.value.maybe_sent is False


def test_timeout_may_have_been_sent(server, settings):
    settings.timeout = 0.3
    server.script(Answer(body=[], delay=1.0))
    with pytest.raises(TransportError) as error:
        fast_transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert str(error.value) == "Submitting failed: no answer within 0.3 s (timeout)."
    assert error.value.maybe_sent is True


def test_no_secret_in_errors_or_traces(server, settings):
    traces = []
    encoded = base64.b64encode(("KEYFACTOR\\svc-ansible:" + PASSWORD).encode("utf-8")).decode()
    server.script(Answer(200, body=[]), Answer(401, raw="denied"), Answer(500, raw="oops"))
    transport = fast_transport(settings, trace=traces.append)
    transport.get("/CertificateStores", "Listing stores", params={"QueryString": "x"})
    messages = []
    for _attempt in range(2):
        with pytest.raises(ApiError) as error:
            transport.get("/CertificateStores", "Listing stores")
        messages.append(str(error.value))
    assert traces[0].startswith("GET /KeyfactorAPI/CertificateStores?QueryString=x -> 200 (")
    for text in traces + messages:
        assert PASSWORD not in text and encoded not in text and "Authorization" not in text


@pytest.fixture
def tls_server(tmp_path):
    from http_server import ScriptedServer
    from tls_material import make_chain

    paths = make_chain(str(tmp_path))
    scripted = ScriptedServer(certfile=paths["server.pem"], keyfile=paths["server.key"])
    scripted.paths = paths
    yield scripted
    scripted.close()


def _tls_settings(server, **overrides):
    values = dict(url=server.url, api_path="KeyfactorAPI", username="u", password=PASSWORD,
                  domain="D", validate_certs=None, ca_path=None, timeout=2)
    values.update(overrides)
    return ConnectionSettings.from_params(values, environ={})


def test_untrusted_server_certificate_is_refused_with_advice(tls_server):
    with pytest.raises(TransportError) as error:
        fast_transport(_tls_settings(tls_server)).get("/CertificateStores", "Listing stores")
    text = str(error.value)
    assert text.startswith("Listing stores failed: TLS verification failed (")
    assert "CERTIFICATE_VERIFY_FAILED" in text
    assert text.endswith("Give the CA bundle that signed the server certificate in ca_path, or "
                         "set validate_certs to false for a test server.")
    assert tls_server.seen == []


@pytest.mark.parametrize("bundle", ["root.pem", "chain.pem"])
def test_ca_path_bundle_verifies_the_server(tls_server, bundle):
    tls_server.script(Answer(body=[]))
    settings = _tls_settings(tls_server, ca_path=tls_server.paths[bundle])
    reply = fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert reply.data == []


def test_validate_certs_false_skips_verification(tls_server):
    tls_server.script(Answer(body=[]))
    reply = fast_transport(_tls_settings(tls_server, validate_certs=False)).get(
        "/CertificateStores", "Listing stores")
    assert reply.data == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_reads_are_retried_on_transient_statuses(server, settings, status):
    server.script(Answer(status), Answer(status), Answer(body=["ok"]))
    assert fast_transport(settings).get("/CertificateStores", "Listing stores").data == ["ok"]
    assert len(server.seen) == 3


def test_retries_are_capped_and_the_last_status_is_named(server, settings):
    server.script(*[Answer(503, body={"Message": "Service is restarting"})] * 7)
    with pytest.raises(ApiError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == "Listing stores failed: HTTP 503: Service is restarting."
    assert len(server.seen) == 6


def test_retry_after_is_honoured(server, settings):
    server.script(Answer(429, headers={"Retry-After": "1"}), Answer(body=[]))
    fast_transport(settings).get("/CertificateStores", "Listing stores")
    first, second = server.seen
    assert second.at - first.at >= 0.95


def test_no_retry_that_would_wait_past_the_deadline(server, settings):
    server.script(Answer(503, headers={"Retry-After": "120"}, body={"Message": "Maintenance"}),
                  Answer(body=[]))
    transport = fast_transport(settings)
    transport.budget.deadline = time.monotonic() + 10
    with pytest.raises(ApiError) as error:
        transport.get("/CertificateStores", "Listing stores")
    assert error.value.status == 503
    assert len(server.seen) == 1


def test_dropped_connection_on_a_read_is_retried(server, settings):
    server.script(Answer(drop=True), Answer(body=["ok"]))
    assert fast_transport(settings).get("/CertificateStores", "Listing stores").data == ["ok"]
    assert len(server.seen) == 2


@pytest.mark.parametrize("answer", [Answer(503), Answer(429), Answer(502), Answer(504)])
def test_the_removal_request_is_never_retried_on_status(server, settings, answer):
    server.script(answer, Answer(body=["11111111-0000-4000-8000-000000000001"]))
    with pytest.raises(ApiError) as error:
        fast_transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert error.value.status == answer.status
    assert len(server.seen) == 1


def test_dropped_connection_on_the_removal_is_not_retried_and_may_have_been_sent(server, settings):
    server.script(Answer(drop=True), Answer(body=["11111111-0000-4000-8000-000000000001"]))
    with pytest.raises(TransportError) as error:
        fast_transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert error.value.maybe_sent is True
    assert "Remote end closed connection without response" in str(error.value)
    assert len(server.seen) == 1


def test_timeouts_on_reads_are_retried(server, settings):
    settings.timeout = 0.3
    server.script(Answer(body=[], delay=1.0), Answer(body=["late"]))
    reply = fast_transport(settings).get("/CertificateStores", "Listing stores")
    assert reply.data == ["late"]
    assert len(server.seen) == 2


@pytest.fixture
def mtls_server(tmp_path):
    from http_server import ScriptedServer
    from tls_material import make_chain

    paths = make_chain(str(tmp_path))
    scripted = ScriptedServer(certfile=paths["server.pem"], keyfile=paths["server.key"],
                              client_cafile=paths["root.pem"])
    scripted.paths = paths
    yield scripted
    scripted.close()


def test_client_certificate_authenticates_to_a_server_that_requires_one(mtls_server):
    mtls_server.script(Answer(body=["ok"]))
    paths = mtls_server.paths
    settings = _tls_settings(mtls_server, ca_path=paths["chain.pem"],
                             client_cert=paths["client.pem"], client_key=paths["client.key"])
    assert fast_transport(settings).get("/CertificateStores", "Listing stores").data == ["ok"]


def test_server_requiring_a_client_certificate_refuses_a_client_without_one(mtls_server):
    settings = _tls_settings(mtls_server, ca_path=mtls_server.paths["chain.pem"])
    with pytest.raises(TransportError) as error:
        fast_transport(settings).get("/CertificateStores", "Listing stores")
    # TLS 1.3 reports the refusal as an alert, or, when the server closes first, as an EOF.
    text = str(error.value)
    assert text == (
        "Listing stores failed: the server closed the connection during the TLS handshake. If it "
        "requires a client certificate, check client_cert and client_key; otherwise check that "
        "url names its HTTPS port.") or (
        text.startswith("Listing stores failed: TLS handshake failed over the client certificate "
                        "([SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate "
                        "required (_ssl.c:")
        and text.endswith(
            "The server requires a client certificate it trusts: check client_cert and client_key "
            "(a certificate its CA issued, and the key that belongs to it)."))
    assert mtls_server.seen == []


def test_proxy_from_the_standard_environment_variables(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.script(Answer(body=[]))
    settings = ConnectionSettings.from_params(dict(
        url="http://127.0.0.2:9", api_path="KeyfactorAPI", username="u", password=PASSWORD,
        domain="D", validate_certs=True, ca_path=None, timeout=2), environ={})
    fast_transport(settings).get("/CertificateStores", "Listing stores")
    [seen] = server.seen
    assert seen.target == "http://127.0.0.2:9/KeyfactorAPI/CertificateStores"


def test_unreadable_retry_after_falls_back_to_backoff(server, settings):
    server.script(Answer(503, headers={"Retry-After": "garbage"}), Answer(body=["ok"]))
    assert fast_transport(settings).get("/CertificateStores", "Listing stores").data == ["ok"]
    assert len(server.seen) == 2
