"""OAuth 2.0 client credentials: the token endpoint, bearer use, expiry, revocation, logging."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
import requests
from kfsim_testlib import Client, start_server, wait_for

CLIENT, SECRET = "sim-test-client", "KfSimClientSecret2025"
STORES = "/CertificateStores"
KEYCLOAK_PATH = "/realms/Keyfactor/protocol/openid-connect/token"


def _token(sim, path="/oauth2/token", auth=None, **form):
    data = {"grant_type": "client_credentials", **form}
    return requests.post(sim.url + path, data=data, auth=auth, timeout=10)


def _client_token(sim, client=CLIENT, secret=SECRET, **form) -> str:
    resp = _token(sim, client_id=client, client_secret=secret, **form)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def _bearer(sim, token, path=STORES):
    headers = {"Authorization": f"Bearer {token}", "x-keyfactor-requested-with": "APIClient"}
    return requests.get(sim.api_url + path, headers=headers, timeout=10)


def _add_client(sim, **fields):
    body = {"client_id": "c2", "client_secret": "s2", "permissions": [], **fields}
    resp = sim.control("POST", "/oauth/clients", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_form_post_issues_a_bearer_token_the_api_accepts(sim):
    resp = _token(sim, client_id=CLIENT, client_secret=SECRET)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert set(body) >= {"access_token", "token_type", "expires_in"}
    header, payload, _ = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["azp"] == CLIENT and claims["exp"] - claims["iat"] == 300
    assert _bearer(sim, body["access_token"]).status_code == 200
    entry = sim.last_entry(STORES)
    assert entry["principal"] == CLIENT and entry["headers"]["Authorization"] == "Bearer"


def test_http_basic_client_authentication_and_keycloak_path(sim):
    resp = _token(sim, path=KEYCLOAK_PATH, auth=(CLIENT, SECRET))
    assert resp.status_code == 200
    assert _bearer(sim, resp.json()["access_token"]).status_code == 200
    # both methods at once are refused (RFC 6749 §2.3)
    both = _token(sim, auth=(CLIENT, SECRET), client_secret=SECRET)
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "kwargs, status, error",
    [
        ({"client_id": CLIENT, "client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody", "client_secret": SECRET}, 401, "invalid_client"),
        ({"client_id": CLIENT}, 401, "invalid_client"),
        ({"auth": (CLIENT, "wrong")}, 401, "invalid_client"),
        (
            {"grant_type": "password", "client_id": CLIENT, "client_secret": SECRET},
            400,
            "unsupported_grant_type",
        ),
        ({"grant_type": "", "client_id": CLIENT, "client_secret": SECRET}, 400, "invalid_request"),
    ],
)
def test_token_errors(sim, kwargs, status, error):
    resp = _token(sim, **kwargs)
    assert resp.status_code == status and resp.json()["error"] == error
    assert resp.json()["error_description"]
    if "auth" in kwargs:
        assert resp.headers["WWW-Authenticate"].startswith("Basic")


def test_token_endpoint_wants_a_form_post(sim):
    resp = requests.post(
        sim.url + "/oauth2/token",
        json={"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": SECRET},
        timeout=10,
    )
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"
    get = requests.get(sim.url + "/oauth2/token", timeout=10)
    assert get.status_code == 405 and get.headers["Allow"] == "POST"


def test_client_with_required_scope_audience_and_own_lifetime(sim):
    _add_client(
        sim,
        permissions=["/certificate_stores/read/"],
        scope="keyfactor-api",
        audience="https://kf.example.test",
        token_lifetime=60,
    )
    no_scope = _token(sim, client_id="c2", client_secret="s2", audience="https://kf.example.test")
    assert no_scope.status_code == 400 and no_scope.json()["error"] == "invalid_scope"
    bad_aud = _token(sim, client_id="c2", client_secret="s2", scope="openid keyfactor-api")
    assert bad_aud.status_code == 400 and bad_aud.json()["error"] == "invalid_request"
    ok = requests.post(
        sim.url + "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "scope": "openid keyfactor-api",
            "Audience": "https://kf.example.test",  # golang.org/x/oauth2 via keyfactor-auth-client-go
        },
        auth=("c2", "s2"),
        timeout=10,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["expires_in"] == 60 and ok.json()["scope"] == "openid keyfactor-api"
    token = ok.json()["access_token"]
    assert _bearer(sim, token).status_code == 200
    forbidden = _bearer(sim, token, "/OrchestratorJobs/JobHistory")
    assert forbidden.status_code == 403 and "c2" in forbidden.json()["Message"]
    listed = {c["client_id"]: c for c in sim.control("GET", "/oauth/clients").json()}
    assert listed["c2"]["scope"] == "keyfactor-api" and "client_secret" not in listed["c2"]


def test_permissions_are_read_per_request(sim):
    _add_client(sim, permissions=["/certificate_stores/read/"])
    token = _client_token(sim, "c2", "s2")
    assert _bearer(sim, token, "/OrchestratorJobs/JobHistory").status_code == 403
    _add_client(sim, permissions=["/certificate_stores/read/", "/agents/management/read/"])
    assert _bearer(sim, token, "/OrchestratorJobs/JobHistory").status_code == 200


def test_tokens_expire_after_their_lifetime_in_real_seconds(sim):
    sim.config(token_lifetime=0.4)
    resp = _token(sim, client_id=CLIENT, client_secret=SECRET)
    assert resp.json()["expires_in"] == 1  # rounded up to whole seconds
    token = resp.json()["access_token"]
    assert _bearer(sim, token).status_code == 200
    seen = []
    wait_for(
        lambda: seen.append(_bearer(sim, token)) or seen[-1].status_code == 401,
        timeout=5,
        what="expiry",
    )
    expired = seen[-1]
    assert "401 - Unauthorized" in expired.text
    challenges = expired.headers["WWW-Authenticate"]
    assert 'error="invalid_token"' in challenges and "expired" in challenges


def test_revocation_forces_a_401_and_a_new_token_works(sim):
    first = _client_token(sim)
    second = _client_token(sim)
    assert first != second
    assert _bearer(sim, first).status_code == 200
    resp = sim.control("POST", "/oauth/revoke", json={"token": first})
    assert resp.json() == {"revoked": 1}
    rejected = _bearer(sim, first)
    assert rejected.status_code == 401 and "revoked" in rejected.headers["WWW-Authenticate"]
    assert _bearer(sim, second).status_code == 200
    assert sim.control("POST", "/oauth/revoke", json={"client_id": CLIENT}).json()["revoked"] == 2
    assert _bearer(sim, second).status_code == 401
    third = _client_token(sim)
    assert _bearer(sim, third).status_code == 200
    views = sim.control("GET", "/oauth/tokens").json()
    issued = [v for v in views if v["issued"]]
    assert [v["revoked"] for v in issued] == [True, True, False]
    assert all("token" not in v for v in views)
    # the static test token is a token too
    assert _bearer(sim, "sim-test-token").status_code == 200


def test_refresh_once_then_fail_on_a_second_401(sim):
    """What a client that refreshes its token once on a 401 sees, step by step."""
    token = _client_token(sim)
    sim.control("POST", "/oauth/expire", json={})
    assert _bearer(sim, token).status_code == 401
    fresh = _client_token(sim)
    assert _bearer(sim, fresh).status_code == 200
    # a second 401 right after the refresh: a 401 fault for the next two requests
    sim.faults({"kind": "status", "status": 401, "path": STORES, "count": 2})
    assert _bearer(sim, fresh).status_code == 401
    newer = _client_token(sim)
    assert _bearer(sim, newer).status_code == 401
    assert _bearer(sim, newer).status_code == 200
    log = [e for e in sim.requests_log() if e["endpoint"] == "token"]
    assert len(log) == 3 and all(e["status"] == 200 for e in log)


def test_token_requests_are_logged_without_secrets(sim):
    secret = "sëcret+with&odd=chars"
    _add_client(sim, client_id="c3", client_secret=secret, permissions=[])
    ok = _token(sim, client_id="c3", client_secret=secret)
    assert ok.status_code == 200
    basic = requests.post(
        sim.url + "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(quote("c3", safe=""), quote(secret, safe="")),  # RFC 6749 §2.3.1 encoding
        timeout=10,
    )
    assert basic.status_code == 200, basic.text
    raw = requests.post(
        sim.url + "/oauth2/token",
        data=b"grant_type=client_credentials&client_id=c3&client_secret=%FF%FEnot-utf8",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert raw.status_code == 400
    text = sim.control("GET", "/requests").text
    for secret_text in (secret, quote(secret), ok.json()["access_token"], "not-utf8"):
        assert secret_text not in text
    entries = [e for e in sim.requests_log() if e["endpoint"] == "token"]
    assert entries[0]["body"]["client_secret"] == "<redacted>"
    assert entries[0]["body"]["client_id"] == "c3"
    assert entries[0]["response"]["access_token"] == "<redacted>"
    assert entries[0]["token_id"] and entries[0]["principal"] == "c3"
    assert entries[1]["headers"]["Authorization"] == "Basic"
    assert "<redacted>" in entries[2]["body"]
    # the token id ties a token request to the API requests that used its token
    assert _bearer(sim, ok.json()["access_token"]).status_code == 403
    assert sim.last_entry(STORES)["token_id"] == entries[0]["token_id"]


def test_faults_on_the_token_endpoint(sim):
    sim.faults(
        {"kind": "status", "status": 503, "path": "/oauth2/token", "count": 1, "retry_after": 2},
        {"kind": "drop", "method": "POST", "path": "/oauth2/token", "count": 1},
    )
    first = _token(sim, client_id=CLIENT, client_secret=SECRET)
    assert first.status_code == 503 and first.headers["Retry-After"] == "2"
    with pytest.raises(requests.exceptions.ConnectionError):
        _token(sim, path=KEYCLOAK_PATH, client_id=CLIENT, client_secret=SECRET)
    assert _token(sim, client_id=CLIENT, client_secret=SECRET).status_code == 200
    entries = [e for e in sim.requests_log() if e["endpoint"] == "token"]
    assert [(e["fault"] or {}).get("kind") for e in entries] == ["status", "drop", None]
    assert [e["processed"] for e in entries] == [False, False, True]


def test_issued_tokens_survive_a_restart_and_reset_forgets_them(tmp_path):
    first = Client(start_server(tmp_path))
    try:
        token = _client_token(first)
    finally:
        first.server.stop()
    second = Client(start_server(tmp_path, fresh=False))
    try:
        assert _bearer(second, token).status_code == 200
        second.control("POST", "/reset")
        assert _bearer(second, token).status_code == 401
        assert [v for v in second.control("GET", "/oauth/tokens").json() if v["issued"]] == []
    finally:
        second.server.stop()
