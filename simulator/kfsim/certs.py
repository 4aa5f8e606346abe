"""Deterministic certificate material for the seed.

Thumbprints are SHA-1 of a seed string (40 upper-case hex), not hashes of real DER: nothing in
the API subset returns certificate bytes, so nothing can tell the difference.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

DEMO_THUMBPRINT = hashlib.sha1(b"keyfactor-command-demo").hexdigest().upper()
SIGNING_ALGORITHM = "SHA-256withRSA"
_BASE = datetime(2026, 1, 5, 8, 0, 0, tzinfo=UTC)

ROOT_DN = "CN=Example Root CA G1, O=Example Test, C=US"
ISSUING_G1_DN = "CN=Example Issuing CA G1, O=Example Test, C=US"
ISSUING_G2_DN = "CN=Example Issuing CA G2, O=Example Test, C=US"
# Keyfactor certificate ids of the CA certificates; leaf ids start above them.
ROOT_ID, ISSUING_G1_ID, ISSUING_G2_ID = 2, 1, 3
FIRST_LEAF_ID = 1001


def thumbprint(seed: str) -> str:
    return hashlib.sha1(seed.encode("utf-8")).hexdigest().upper()


def serial(seed: str) -> str:
    digest = hashlib.sha1(b"serial:" + seed.encode("utf-8")).hexdigest().upper()
    # A positive DER INTEGER needs the top bit clear; real CAs emit 20-byte serials like this.
    return "4" + digest[1:]


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _validity(seed: str, years: int) -> tuple[str, str]:
    offset = int(hashlib.sha1(b"nb:" + seed.encode()).hexdigest()[:6], 16) % (300 * 86400)
    not_before = _BASE + timedelta(seconds=offset)
    return _stamp(not_before), _stamp(not_before + timedelta(days=365 * years, seconds=-1))


def _cert(cert_id: int, seed: str, issued_dn: str, issuer_dn: str, years: int, chain, tp=None):
    not_before, not_after = _validity(seed, years)
    # CertState belongs to the certificate record: recorded leaf 1 (Active), CA certs 0.
    return {
        "Id": cert_id,
        "IssuedDN": issued_dn,
        "SerialNumber": serial(seed),
        "NotBefore": not_before,
        "NotAfter": not_after,
        "SigningAlgorithm": SIGNING_ALGORITHM,
        "IssuerDN": issuer_dn,
        "Thumbprint": (tp or thumbprint(seed)).upper(),
        "Chain": list(chain),
        "CertState": 1 if cert_id >= FIRST_LEAF_ID else 0,
    }


def ca_certificates() -> list[dict]:
    return [
        _cert(ISSUING_G1_ID, "ca:issuing-g1", ISSUING_G1_DN, ROOT_DN, 10, [ROOT_ID]),
        _cert(ROOT_ID, "ca:root-g1", ROOT_DN, ROOT_DN, 20, []),
        _cert(ISSUING_G2_ID, "ca:issuing-g2", ISSUING_G2_DN, ROOT_DN, 10, [ROOT_ID]),
    ]


def leaf(
    cert_id: int,
    seed: str,
    common_name: str,
    generation: int = 1,
    tp=None,
    subject: str | None = None,
) -> dict:
    issuing_id, issuing_dn = (
        (ISSUING_G1_ID, ISSUING_G1_DN) if generation == 1 else (ISSUING_G2_ID, ISSUING_G2_DN)
    )
    issued_dn = subject or f"CN={common_name}, O=Example Test, C=US"
    return _cert(cert_id, seed, issued_dn, issuing_dn, 1, [issuing_id, ROOT_ID], tp)


def demo_certificate(cert_id: int) -> dict:
    return leaf(cert_id, "keyfactor-command-demo", "shop.example.test", tp=DEMO_THUMBPRINT)
