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
    for _ in range(2):
        with pytest.raises(ApiError) as error:
            transport.get("/CertificateStores", "Listing stores")
        messages.append(str(error.value))
    assert traces[0].startswith("GET /KeyfactorAPI/CertificateStores?QueryString=x -> 200 (")
    for text in traces + messages:
        assert PASSWORD not in text and encoded not in text and "Basic" not in text
