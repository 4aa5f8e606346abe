"""A throwaway CA chain (root, intermediate, server for 127.0.0.1) for TLS tests."""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, key, signing_key, ca, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san))]),
            critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def make_chain(directory):
    """Write root.pem, chain.pem (intermediate + root), server.pem (leaf + intermediate) with
    server.key, and client.pem (client certificate + intermediate) with client.key."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    mid_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Test Root CA", "Test Root CA", root_key, root_key, ca=True)
    mid = _certificate("Test Issuing CA", "Test Root CA", mid_key, root_key, ca=True)
    leaf = _certificate("127.0.0.1", "Test Issuing CA", leaf_key, mid_key, ca=False,
                        san="127.0.0.1")
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate("svc-ansible", "Test Issuing CA", client_key, mid_key, ca=False)
    paths = {name: os.path.join(directory, name) for name in
             ("root.pem", "chain.pem", "server.pem", "server.key", "client.pem", "client.key")}
    with open(paths["client.pem"], "wb") as handle:
        handle.write(_pem(client) + _pem(mid))
    with open(paths["client.key"], "wb") as handle:
        handle.write(client_key.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    with open(paths["root.pem"], "wb") as handle:
        handle.write(_pem(root))
    with open(paths["chain.pem"], "wb") as handle:
        handle.write(_pem(mid) + _pem(root))
    with open(paths["server.pem"], "wb") as handle:
        handle.write(_pem(leaf) + _pem(mid))
    with open(paths["server.key"], "wb") as handle:
        handle.write(leaf_key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths
