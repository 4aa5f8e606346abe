"""HTTPS with a generated private CA chain, and client certificates."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kfsim import tlsgen
from kfsim_testlib import PASSWORDS, ROOT, basic, start_server, wait_for

HEADERS = {
    "Authorization": basic("KEYFACTOR\\demo", PASSWORDS["demo"]),
    "x-keyfactor-requested-with": "APIClient",
}


def _load_all(path: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def https(tmp_path_factory, tls_dir):
    server = start_server(tmp_path_factory.mktemp("https"), tls_dir=tls_dir)
    yield server
    server.stop()


def test_generated_chain_root_intermediate_leaf(https):
    files = https.tls_files
    (root,) = _load_all(files["ca_file"])
    inter, root_again = _load_all(files["chain_file"])
    leaf, inter_again = _load_all(files["server_fullchain"])
    (client,) = _load_all(files["client_cert"])
    assert root_again == root and inter_again == inter and _load_all(files["server_cert"]) == [leaf]
    assert root.subject == root.issuer and inter.issuer == root.subject
    assert leaf.issuer == inter.subject and client.issuer == inter.subject
    root.verify_directly_issued_by(root)
    inter.verify_directly_issued_by(root)
    leaf.verify_directly_issued_by(inter)
    client.verify_directly_issued_by(inter)
    for ca, path_len in ((root, 1), (inter, 0)):
        constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
        assert constraints.ca and constraints.path_length == path_len
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1", "::1"}
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    key = serialization.load_pem_private_key(Path(files["server_key"]).read_bytes(), None)
    assert key.public_key() == leaf.public_key()
    assert oct(os.stat(files["server_key"]).st_mode & 0o777) == "0o600"


def test_https_with_the_root_only(https):
    """root.pem alone is enough: the server sends the intermediate with its certificate."""
    files = https.tls_files
    assert https.url.startswith("https://127.0.0.1:")
    resp = requests.get(
        https.api_url + "/CertificateStores", headers=HEADERS, verify=files["ca_file"], timeout=10
    )
    assert resp.status_code == 200 and resp.headers["X-Total-Count"] == "28"
    by_name = requests.get(
        f"https://localhost:{https.port}/KeyfactorAPI/CertificateStores",
        headers=HEADERS,
        verify=files["chain_file"],
        timeout=10,
    )
    assert by_name.status_code == 200
    health = requests.get(https.url + "/_sim/health", verify=files["ca_file"], timeout=10)
    assert health.json()["tls"] is True and health.json()["client_cert_mode"] is None


def test_a_stalled_handshake_does_not_block_other_clients(https):
    with socket.create_connection(("127.0.0.1", https.port), timeout=5):
        # this connection never sends a ClientHello
        resp = requests.get(
            https.url + "/_sim/health", verify=https.tls_files["ca_file"], timeout=5
        )
        assert resp.status_code == 200


def test_https_is_refused_without_the_private_ca(https):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(https.api_url + "/CertificateStores", headers=HEADERS, timeout=10)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{https.port}/_sim/health", timeout=10)


def test_drop_over_tls_is_a_connection_error(https):
    files = https.tls_files
    control = https.url + "/_sim"
    requests.post(
        control + "/faults",
        json={"kind": "drop", "path": "/CertificateStores", "count": 1},
        verify=files["ca_file"],
        timeout=10,
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(
            https.api_url + "/CertificateStores",
            headers=HEADERS,
            verify=files["ca_file"],
            timeout=10,
        )
    log = requests.get(control + "/requests", verify=files["ca_file"], timeout=10).json()
    assert log[-1]["dropped"] is True
    requests.delete(control + "/faults", verify=files["ca_file"], timeout=10)


def test_an_existing_set_is_reused_and_replaced_for_new_hosts(https, tls_dir):
    before = Path(https.tls_files["ca_file"]).read_bytes()
    again = tlsgen.ensure(tls_dir, ["127.0.0.1"])
    assert again == https.tls_files and Path(again["ca_file"]).read_bytes() == before
    other = tls_dir.parent / "other-tls"
    first_root = Path(tlsgen.ensure(other)["ca_file"]).read_bytes()
    grown = tlsgen.ensure(other, ["kfsim.example.test"])
    assert Path(grown["ca_file"]).read_bytes() != first_root  # a new set, with a new root
    (leaf,) = _load_all(grown["server_cert"])
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kfsim.example.test" in san.get_values_for_type(x509.DNSName)


def _foreign_client_cert(tmp_path: Path) -> tuple[str, str]:
    """A self-signed client certificate the simulator's CA did not issue."""
    import datetime as dt

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intruder")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "foreign.pem", tmp_path / "foreign-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_client_certificate_required_in_the_handshake(tmp_path, tls_dir):
    server = start_server(tmp_path, tls_dir=tls_dir, client_cert_mode="require")
    files = server.tls_files
    mine = (files["client_cert"], files["client_key"])
    try:
        ok = requests.get(
            server.api_url + "/CertificateStores",
            headers=HEADERS,
            verify=files["ca_file"],
            cert=mine,
            timeout=10,
        )
        assert ok.status_code == 200
        for cert in (None, _foreign_client_cert(tmp_path)):
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.get(
                    server.api_url + "/CertificateStores",
                    headers=HEADERS,
                    verify=files["ca_file"],
                    cert=cert,
                    timeout=10,
                )
        # the control API sits behind the same handshake
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(server.url + "/_sim/health", verify=files["ca_file"], timeout=10)
        log = requests.get(
            server.url + "/_sim/requests", verify=files["ca_file"], cert=mine, timeout=10
        ).json()
        assert [e["client_cert"] for e in log] == [
            "commonName=kfsim-client,organizationName=Keyfactor Command Simulator"
        ]
    finally:
        server.stop()


def test_client_certificate_checked_by_the_api_in_http_mode(tmp_path, tls_dir):
    server = start_server(tmp_path, tls_dir=tls_dir, client_cert_mode="http")
    files = server.tls_files
    mine = (files["client_cert"], files["client_key"])
    try:
        denied = requests.get(
            server.api_url + "/CertificateStores",
            headers=HEADERS,
            verify=files["ca_file"],
            timeout=10,
        )
        assert denied.status_code == 403 and denied.headers["Content-Type"] == "text/html"
        assert "403 - Forbidden" in denied.text
        ok = requests.get(
            server.api_url + "/CertificateStores",
            headers=HEADERS,
            verify=files["ca_file"],
            cert=mine,
            timeout=10,
        )
        assert ok.status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(
                server.api_url + "/CertificateStores",
                headers=HEADERS,
                verify=files["ca_file"],
                cert=_foreign_client_cert(tmp_path),
                timeout=10,
            )
        # control API and token endpoint need no client certificate
        health = requests.get(server.url + "/_sim/health", verify=files["ca_file"], timeout=10)
        assert health.json()["client_cert_mode"] == "http"
        token = requests.post(
            server.token_url,
            verify=files["ca_file"],
            timeout=10,
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-test-client",
                "client_secret": "KfSimClientSecret2025",
            },
        )
        assert token.status_code == 200
    finally:
        server.stop()


def test_cli_serve_tls_ready_file(tmp_path):
    ready = tmp_path / "ready.json"
    state = tmp_path / "s" / "state.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "simulator")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kfsim",
            "serve",
            "--port",
            "0",
            "--ready-file",
            str(ready),
            "--state-file",
            str(state),
            "--fresh",
            "--time-scale",
            "0.02",
            "--tls",
            "--client-ca",
            "http",
            "--token-lifetime",
            "42",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(ready.exists, timeout=20, what="ready file")
        info = json.loads(ready.read_text())
        tls = info["tls"]
        assert info["url"].startswith("https://127.0.0.1:")
        assert info["token_url"] == info["url"] + "/oauth2/token"
        assert info["oauth_client_id"] == "sim-test-client"
        assert tls["client_cert_mode"] == "http"
        assert Path(tls["ca_file"]) == state.parent / "tls" / "root.pem"  # next to the state
        assert all(Path(tls[k]).is_file() for k in tlsgen.FILES)
        token = requests.post(
            info["token_url"],
            verify=tls["ca_file"],
            timeout=10,
            data={
                "grant_type": "client_credentials",
                "client_id": info["oauth_client_id"],
                "client_secret": info["oauth_client_secret"],
            },
        )
        assert token.json()["expires_in"] == 42
        resp = requests.get(
            info["url"] + "/KeyfactorAPI/CertificateStores",
            headers={
                "Authorization": "Bearer " + token.json()["access_token"],
                "x-keyfactor-requested-with": "APIClient",
            },
            verify=tls["ca_file"],
            cert=(tls["client_cert"], tls["client_key"]),
            timeout=10,
        )
        assert resp.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "OAuth token URL: https://127.0.0.1:" in out and "TLS: trust " in out


def test_cli_refuses_client_ca_without_tls(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "simulator")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kfsim",
            "serve",
            "--client-ca",
            "--state-file",
            str(tmp_path / "state.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "need --tls" in proc.stderr
