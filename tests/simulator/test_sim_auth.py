"""Authentication, permissions and the required request header."""

from __future__ import annotations

import base64

import requests
from kfsim_testlib import PASSWORDS, basic, start_server

STORE = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a03"


def _get(sim, path, auth, extra=None):
    headers = {"x-keyfactor-requested-with": "APIClient", **(extra or {})}
    if auth is not None:
        headers["Authorization"] = auth
    return requests.get(sim.api_url + path, headers=headers, timeout=10)


def test_missing_credentials_is_401_with_opaque_html(sim):
    resp = _get(sim, "/CertificateStores", None)
    assert resp.status_code == 401
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "401 - Unauthorized" in resp.text
    assert "X-Keyfactor-Correlation-Id" not in resp.headers
    assert resp.headers["WWW-Authenticate"].startswith("Basic")


def test_bad_password_unknown_user_and_garbage_are_401(sim):
    for auth in (
        basic("KEYFACTOR\\demo", "wrong"),
        basic("KEYFACTOR\\nobody", "x"),
        basic("demo", PASSWORDS["demo"]),
        "Basic !!!not-base64!!!",
        basic("OTHERDOMAIN\\demo", PASSWORDS["demo"]),
        "Bearer not-a-token",
    ):
        assert _get(sim, "/CertificateStores", auth).status_code == 401, auth


def test_domain_is_case_insensitive_and_upn_form_works(sim):
    for login in ("keyfactor\\demo", "KeyFactor\\DEMO", "demo@KEYFACTOR", "demo@keyfactor"):
        assert _get(sim, "/CertificateStores", basic(login, PASSWORDS["demo"])).status_code == 200


def test_password_is_case_sensitive(sim):
    auth = basic("KEYFACTOR\\demo", PASSWORDS["demo"].lower())
    assert _get(sim, "/CertificateStores", auth).status_code == 401


def test_bearer_token_with_and_without_prefix(sim):
    assert _get(sim, "/CertificateStores", "Bearer sim-test-token").status_code == 200
    assert _get(sim, "/CertificateStores", "sim-test-token").status_code == 200


def test_missing_requested_with_header_is_400_json(sim):
    resp = sim.get("/CertificateStores", headers={"x-keyfactor-requested-with": None})
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"ErrorCode", "Message"}
    assert "x-keyfactor-requested-with" in body["Message"]


def test_header_name_any_case_and_api_version_accepted(sim):
    resp = sim.get(
        "/CertificateStores",
        headers={
            "x-keyfactor-requested-with": None,
            "X-KEYFACTOR-REQUESTED-WITH": "XMLHttpRequest",
            "X-Keyfactor-Api-Version": "1",
        },
    )
    assert resp.status_code == 200


def test_auth_is_checked_before_the_header(sim):
    resp = _get(sim, "/CertificateStores", None, {"x-keyfactor-requested-with": ""})
    assert resp.status_code == 401


def test_nojobs_user_gets_403_on_job_endpoints_only(sim):
    for path in ("/OrchestratorJobs/JobHistory", "/OrchestratorJobs/ScheduledJobs"):
        resp = sim.get(path, user="nojobs")
        assert resp.status_code == 403
        assert set(resp.json()) == {"ErrorCode", "Message"}
        assert "/agents/management/read/" in resp.json()["Message"]
    assert sim.get("/CertificateStores", user="nojobs").status_code == 200
    assert sim.remove([(STORE, "X" * 40)], user="nojobs").status_code == 200


def test_readonly_user_cannot_remove(sim):
    resp = sim.remove([(STORE, "X" * 40)], user="readonly")
    assert resp.status_code == 403
    assert "/certificate_stores/schedule/" in resp.json()["Message"]
    assert sim.control("GET", "/state").json()["jobs"] == []
    assert sim.get("/OrchestratorJobs/JobHistory", user="readonly").status_code == 200


def test_each_permission_is_required(sim):
    cases = {
        "/certificate_stores/read/": ("GET", "/CertificateStores"),
        "/agents/management/read/": ("GET", "/OrchestratorJobs/JobHistory"),
        "/certificate_stores/schedule/": ("POST", "/CertificateStores/Certificates/Remove"),
        "/certificates/collections/read/": ("POST", "/CertificateStores/Certificates/Remove"),
    }
    everything = list(cases)
    body = {
        "CertificateStores": [{"CertificateStoreId": STORE, "Alias": "A" * 40}],
        "Schedule": {"Immediate": True},
    }
    for missing, (method, path) in cases.items():
        perms = [p for p in everything if p != missing]
        name = "lacks" + missing.strip("/").replace("/", "-")
        sim.control(
            "POST",
            "/users",
            json={"username": f"KEYFACTOR\\{name}", "password": "pw", "permissions": perms},
        )
        resp = requests.request(
            method,
            sim.api_url + path,
            json=body if method == "POST" else None,
            headers={
                "Authorization": basic(f"KEYFACTOR\\{name}", "pw"),
                "x-keyfactor-requested-with": "APIClient",
            },
            timeout=10,
        )
        assert resp.status_code == 403, (missing, resp.text)
        assert missing in resp.json()["Message"]


def test_container_scoped_schedule_permission(sim):
    sim.control(
        "POST",
        "/users",
        json={
            "username": "KEYFACTOR\\webops",
            "password": "pw",
            "permissions": [
                "/certificate_stores/read/",
                "/certificates/collections/read/",
                "/certificate_stores/schedule/1/",
            ],
        },
    )
    headers = {
        "Authorization": basic("KEYFACTOR\\webops", "pw"),
        "x-keyfactor-requested-with": "APIClient",
    }
    url = sim.api_url + "/CertificateStores/Certificates/Remove"

    def remove(store):
        body = {
            "CertificateStores": [{"CertificateStoreId": store, "Alias": "A" * 40}],
            "Schedule": {"Immediate": True},
        }
        return requests.post(url, json=body, headers=headers, timeout=10)

    assert remove("b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01").status_code == 200  # container 1
    assert remove(STORE).status_code == 403  # no container


def test_alternate_api_path(tmp_path):
    server = start_server(tmp_path, api_path="Keyfactor/API")
    try:
        headers = {
            "Authorization": basic("KEYFACTOR\\demo", PASSWORDS["demo"]),
            "x-keyfactor-requested-with": "APIClient",
        }
        ok = requests.get(
            f"{server.url}/Keyfactor/API/CertificateStores/{STORE}", headers=headers, timeout=10
        )
        assert ok.status_code == 200 and ok.json()["Id"] == STORE
        lower = requests.get(
            f"{server.url}/keyfactor/api/certificatestores/{STORE}", headers=headers, timeout=10
        )
        assert lower.status_code == 200
        assert (
            requests.get(
                f"{server.url}/KeyfactorAPI/CertificateStores", headers=headers, timeout=10
            ).status_code
            == 404
        )
    finally:
        server.stop()


def test_log_never_holds_credentials(sim):
    sim.get("/CertificateStores")
    token = base64.b64encode(f"KEYFACTOR\\demo:{PASSWORDS['demo']}".encode()).decode()
    text = sim.control("GET", "/requests").text
    assert token not in text and PASSWORDS["demo"] not in text
    assert sim.requests_log()[-1]["headers"]["Authorization"] == "Basic"
