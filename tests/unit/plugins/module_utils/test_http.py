"""The transport: headers, credentials, and how each kind of failure reads."""

import base64
import socket

import pytest

from http_server import Answer

from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    ConnectionSettings,
)
from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    TransportError,
)
from ansible_collections.keyfactor.command.plugins.module_utils._http import Transport

PASSWORD = "Pässw0rd-not-for-output"


def test_basic_credentials_are_utf8_domain_backslash_user(server, settings):
    server.script(Answer(body=[]))
    Transport(settings).get("/CertificateStores", "Listing stores")
    header = server.seen[0].headers["Authorization"]
    assert base64.b64decode(header.split(" ", 1)[1]).decode("utf-8") == (
        "KEYFACTOR\\svc-ansible:" + PASSWORD)


def test_401_html_page_reads_as_text_with_a_hint(server, settings):
    server.script(Answer(401, raw="<html><head><title>401 - Unauthorized</title></head>"
                         "<body><h2>Access is denied due to invalid credentials.</h2></body></html>",
                         headers={"Content-Type": "text/html"}))
    with pytest.raises(ApiError) as error:
        Transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == (
        "Listing stores failed: HTTP 401: 401 - Unauthorized Access is denied due to invalid "
        "credentials. Check username, password and domain (the account is sent as DOMAIN\\user).")


def test_keyfactor_error_body_with_failed_operations(server, settings):
    server.script(Answer(400, body={"ErrorCode": "0xA0110007", "Message": "Invalid request.",
                                    "FailedOperations": [{"Reason": "Store 1 is unknown"},
                                                         {"Reason": "Store 2 is unknown"}]}))
    with pytest.raises(ApiError) as error:
        Transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert str(error.value) == (
        "Submitting failed: HTTP 400: Invalid request. Store 1 is unknown, Store 2 is unknown.")


def test_server_error_without_body_uses_the_reason(server, settings):
    server.script(Answer(503))
    with pytest.raises(ApiError) as error:
        Transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == "Listing stores failed: HTTP 503: Service Unavailable."


def test_body_that_is_not_json(server, settings):
    server.script(Answer(200, raw="Keyfactor says hello", headers={"Content-Type": "text/plain"}))
    with pytest.raises(ApiError) as error:
        Transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value) == (
        "Listing stores failed: HTTP 200: the answer is not JSON (it begins: Keyfactor says "
        "hello). Check url and api_path: they must point at the Keyfactor Command API.")


def test_redirect_is_reported_not_followed(server, settings):
    server.script(Answer(302, raw="", headers={"Location": "https://login.example.test/"}))
    with pytest.raises(ApiError) as error:
        Transport(settings).get("/CertificateStores", "Listing stores")
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
        Transport(settings).get("/CertificateStores", "Listing stores")
    assert str(error.value).startswith("Listing stores failed: could not talk to http://127.0.0.1:")
    assert str(error.value).endswith("/KeyfactorAPI (Connection refused). Check url and that the server is running.")
    assert "Check url and that the server is running." in str(error.value)
    assert error.value.maybe_sent is False


def test_timeout_may_have_been_sent(server, settings):
    settings.timeout = 0.3
    server.script(Answer(body=[], delay=1.0))
    with pytest.raises(TransportError) as error:
        Transport(settings).post("/CertificateStores/Certificates/Remove", "Submitting", {})
    assert str(error.value) == "Submitting failed: no answer within 0.3 s (timeout)."
    assert error.value.maybe_sent is True


def test_no_secret_in_errors_or_traces(server, settings):
    traces = []
    encoded = base64.b64encode(("KEYFACTOR\\svc-ansible:" + PASSWORD).encode("utf-8")).decode()
    server.script(Answer(200, body=[]), Answer(401, raw="denied"), Answer(500, raw="oops"))
    transport = Transport(settings, trace=traces.append)
    transport.get("/CertificateStores", "Listing stores", params={"QueryString": "x"})
    messages = []
    for _attempt in range(2):
        with pytest.raises(ApiError) as error:
            transport.get("/CertificateStores", "Listing stores")
        messages.append(str(error.value))
    assert traces[0].startswith("GET /KeyfactorAPI/CertificateStores?QueryString=x -> 200 (")
    for text in traces + messages:
        assert PASSWORD not in text and encoded not in text and "Basic" not in text


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
        Transport(_tls_settings(tls_server)).get("/CertificateStores", "Listing stores")
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
    reply = Transport(settings).get("/CertificateStores", "Listing stores")
    assert reply.data == []


def test_validate_certs_false_skips_verification(tls_server):
    tls_server.script(Answer(body=[]))
    reply = Transport(_tls_settings(tls_server, validate_certs=False)).get(
        "/CertificateStores", "Listing stores")
    assert reply.data == []
