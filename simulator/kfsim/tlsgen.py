"""A private CA chain for `serve --tls`: root CA -> intermediate CA -> server and client leaves.

Files written to the TLS directory (PEM, keys unencrypted PKCS#8):

  root.pem                 root CA certificate (what a client trusts)
  intermediate.pem         intermediate CA certificate
  chain.pem                intermediate + root
  server.pem               server certificate (leaf only)
  server-fullchain.pem     server leaf + intermediate (what the server sends)
  server-key.pem           server private key
  client.pem               client certificate (clientAuth), issued by the intermediate
  client-key.pem           client private key

An existing complete set is reused while the server certificate is valid for at least a day
and names every requested host; otherwise a new set (with a new root) replaces it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FILES = {
    "ca_file": "root.pem",
    "intermediate": "intermediate.pem",
    "chain_file": "chain.pem",
    "server_cert": "server.pem",
    "server_fullchain": "server-fullchain.pem",
    "server_key": "server-key.pem",
    "client_cert": "client.pem",
    "client_key": "client-key.pem",
}
DEFAULT_HOSTS = ("127.0.0.1", "::1", "localhost")
ORG = "Keyfactor Command Simulator"


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
        ]
    )


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject, key, issuer, issuer_key, days, *, ca_path=None, leaf_usage=None, san=None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key((issuer_key or key).public_key()),
            False,
        )
    )
    is_ca = leaf_usage is None
    builder = builder.add_extension(
        x509.BasicConstraints(ca=is_ca, path_length=ca_path if is_ca else None), True
    ).add_extension(
        x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=is_ca,
            crl_sign=is_ca,
            encipher_only=False,
            decipher_only=False,
        ),
        True,
    )
    if not is_ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([leaf_usage]), False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _san(hosts) -> list:
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tls-", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600 if private else 0o644)
    os.replace(tmp, path)


def _reusable(paths: dict[str, Path], hosts) -> bool:
    if not all(p.exists() for p in paths.values()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(paths["server_cert"].read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) < dt.timedelta(days=1):
        return False
    present = {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    present |= set(san.get_values_for_type(x509.DNSName))
    return all(
        str(ipaddress.ip_address(h)) in present if _is_ip(h) else h in present for h in hosts
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ensure(directory, extra_hosts=()) -> dict[str, str]:
    """Create (or reuse) the CA chain in `directory`; return {role: absolute path}."""
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    hosts = list(dict.fromkeys([*DEFAULT_HOSTS, *[h for h in extra_hosts if h]]))
    paths = {role: folder / name for role, name in FILES.items()}
    if not _reusable(paths, hosts):
        root_key, inter_key, server_key, client_key = _key(), _key(), _key(), _key()
        root = _cert(_name("kfsim Root CA"), root_key, None, None, 3650, ca_path=1)
        inter = _cert(_name("kfsim Intermediate CA"), inter_key, root, root_key, 1825, ca_path=0)
        server = _cert(
            _name(hosts[0]),
            server_key,
            inter,
            inter_key,
            397,
            leaf_usage=ExtendedKeyUsageOID.SERVER_AUTH,
            san=_san(hosts),
        )
        client = _cert(
            _name("kfsim-client"),
            client_key,
            inter,
            inter_key,
            397,
            leaf_usage=ExtendedKeyUsageOID.CLIENT_AUTH,
        )
        _write(paths["ca_file"], _pem(root))
        _write(paths["intermediate"], _pem(inter))
        _write(paths["chain_file"], _pem(inter) + _pem(root))
        _write(paths["server_cert"], _pem(server))
        _write(paths["server_fullchain"], _pem(server) + _pem(inter))
        _write(paths["server_key"], _key_pem(server_key), private=True)
        _write(paths["client_cert"], _pem(client))
        _write(paths["client_key"], _key_pem(client_key), private=True)
    return {role: str(p) for role, p in paths.items()}


def server_context(files: dict[str, str], client_cert_mode: str | None) -> ssl.SSLContext:
    """TLS 1.2+ with the leaf + intermediate. client_cert_mode "require": the handshake fails
    without a client certificate from this CA; "http": one is asked for but optional."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(files["server_fullchain"], files["server_key"])
    if client_cert_mode is not None:
        ctx.load_verify_locations(cafile=files["chain_file"])
        ctx.verify_mode = ssl.CERT_REQUIRED if client_cert_mode == "require" else ssl.CERT_OPTIONAL
    return ctx
