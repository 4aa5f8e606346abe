"""The /_sim control API."""

from __future__ import annotations

from kfsim_testlib import DEMO_TP, basic, wait_for


def test_health(sim):
    assert sim.control("GET", "/health").json() == {
        "status": "ok",
        "api_path": "KeyfactorAPI",
        "product_version": "25.4.1+sim",
        "demo_user": "KEYFACTOR\\demo",
        "demo_password": "KfSimDemo2025",
        "tls": False,
        "client_cert_mode": None,
        "token_path": "/oauth2/token",
        "oauth_client_id": "sim-test-client",
        "oauth_client_secret": "KfSimClientSecret2025",
    }


def test_request_log_records_everything_in_order(sim, stores):
    sim.control("DELETE", "/requests")
    sim.get(
        "/CertificateStores",
        params=[("pq.queryString", 'ClientMachine -eq "aks-prod"'), ("ReturnLimit", "5")],
    )
    sim.remove([(stores["k8s"], DEMO_TP)])
    sim.get("/CertificateStores", user=None)
    log = sim.requests_log()
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log) and len(log) == 3
    first, second, third = log
    assert first["method"] == "GET" and first["path"] == "/CertificateStores"
    assert first["params"] == {
        "pq.queryString": ['ClientMachine -eq "aks-prod"'],
        "ReturnLimit": ["5"],
    }
    assert "pq.queryString=" in first["query"]
    assert first["status"] == 200 and len(first["response"]) == 4
    assert first["headers"]["Authorization"] == "Basic"
    assert first["headers"]["X-Keyfactor-Requested-With"] == "APIClient"
    assert second["path"] == "/CertificateStores/Certificates/Remove"
    assert second["body"]["CertificateStores"][0]["Alias"] == DEMO_TP
    assert isinstance(second["response"], list) and second["contract_errors"] == []
    assert third["status"] == 401 and "Authorization" not in third["headers"]
    later = sim.control("GET", "/requests", params={"since": second["seq"]}).json()
    assert [e["seq"] for e in later] == [third["seq"]]
    sim.control("DELETE", "/requests")
    assert sim.requests_log() == []


def test_reset_restores_seed(sim, stores):
    sim.config(enum_format="ints", pickup_delay=99)
    sim.behaviour(stores["k8s"], "failure")
    sim.remove([(stores["k8s"], DEMO_TP)])
    sim.control("DELETE", f"/stores/{stores['jks']}/inventory/app-cert")
    assert sim.control("POST", "/reset").status_code == 200
    state = sim.control("GET", "/state").json()
    assert state["jobs"] == [] and sim.requests_log() == []
    assert state["config"]["enum_format"] == "names" and state["config"]["pickup_delay"] == 10
    assert sim.control("GET", "/behaviours").json() == []
    assert "app-cert" in sim.aliases(stores["jks"])


def test_config_validation(sim):
    assert sim.control("POST", "/config", json={"enum_format": "hex"}).status_code == 400
    assert sim.control("POST", "/config", json={"time_scale": -1}).status_code == 400
    assert sim.control("POST", "/config", json={"bogus": 1}).status_code == 400
    assert sim.control("POST", "/config", data="nope").status_code == 400
    cfg = sim.config(inventory_lag=5, run_duration=1)
    assert cfg["inventory_lag"] == 5 and cfg["run_duration"] == 1
    assert sim.control("GET", "/config").json() == cfg


def test_behaviour_validation_and_replacement(sim, stores):
    assert (
        sim.control(
            "POST", "/behaviours", json={"store_id": stores["k8s"], "outcome": "explode"}
        ).status_code
        == 400
    )
    assert (
        sim.control(
            "POST", "/behaviours", json={"store_id": "nope", "outcome": "failure"}
        ).status_code
        == 404
    )
    sim.behaviour(stores["k8s"], "failure", message="one")
    sim.behaviour(stores["k8s"], "warning", message="two")
    sim.behaviour(stores["k8s"], "failure", alias=DEMO_TP.lower())
    listed = sim.control("GET", "/behaviours").json()
    assert [(b["alias"], b["outcome"]) for b in listed] == [
        (None, "warning"),
        (DEMO_TP.lower(), "failure"),
    ]


def test_inventory_add_and_delete(sim, stores):
    resp = sim.control(
        "POST",
        f"/stores/{stores['jks']}/inventory",
        json={"alias": "new-entry", "subject": "CN=new.example.test"},
    )
    assert resp.status_code == 201
    tp = resp.json()["thumbprint"]
    assert len(tp) == 40 and tp == tp.upper()
    items = sim.get(f"/CertificateStores/{stores['jks']}/Inventory").json()
    new = next(i for i in items if i["Name"] == "new-entry")
    assert new["Certificates"][0]["IssuedDN"] == "CN=new.example.test"
    assert len(new["Certificates"]) == 3
    dup = sim.control("POST", f"/stores/{stores['jks']}/inventory", json={"alias": "new-entry"})
    assert dup.status_code == 409
    added = sim.control(
        "POST",
        f"/stores/{stores['adc']}/inventory",
        json={"alias": "reused", "thumbprint": DEMO_TP},
    ).json()
    assert added["thumbprint"] == DEMO_TP
    iis = sim.control(
        "POST",
        f"/stores/{stores['iis']}/inventory",
        json={"alias": f"{DEMO_TP}:Default Web Site:*:443"},
    ).json()
    assert iis["thumbprint"] == DEMO_TP
    deleted = sim.control(
        "DELETE", f"/stores/{stores['iis']}/inventory/{DEMO_TP}:Default Web Site:*:443"
    )
    assert deleted.status_code == 200 and DEMO_TP in sim.aliases(stores["iis"])
    assert sim.control("DELETE", f"/stores/{stores['jks']}/inventory/new-entry").status_code == 200
    assert "new-entry" not in sim.aliases(stores["jks"])
    assert sim.control("DELETE", f"/stores/{stores['jks']}/inventory/new-entry").status_code == 404
    assert sim.control("POST", "/stores/nope/inventory", json={"alias": "x"}).status_code == 404


def test_added_alias_can_then_be_removed(sim, stores):
    sim.control("POST", f"/stores/{stores['pem']}/inventory", json={"alias": "A" * 40})
    (job,) = sim.remove([(stores["pem"], "a" * 40)]).json()
    wait_for(lambda: (r := sim.history(job)) and r[-1]["Status"] == "Completed", what="job")
    assert sim.history(job)[-1]["Result"] == "Success"


def test_users_and_tokens(sim):
    assert (
        sim.control("POST", "/users", json={"username": "nodomain", "password": "x"}).status_code
        == 400
    )
    sim.control(
        "POST",
        "/users",
        json={
            "username": "LAB\\alice",
            "password": "s3cret",
            "permissions": ["/certificate_stores/read/"],
        },
    )
    headers = {
        "Authorization": basic("lab\\ALICE", "s3cret"),
        "x-keyfactor-requested-with": "APIClient",
    }
    assert sim.http.get(sim.api_url + "/CertificateStores", headers=headers).status_code == 200
    assert (
        sim.http.get(sim.api_url + "/OrchestratorJobs/JobHistory", headers=headers).status_code
        == 403
    )
    sim.control("POST", "/tokens", json={"token": "t-123", "permissions": []})
    headers["Authorization"] = "Bearer t-123"
    assert sim.http.get(sim.api_url + "/CertificateStores", headers=headers).status_code == 403


def test_state_view(sim, stores):
    sim.config(pickup_delay=10000)
    (job,) = sim.remove([(stores["jks"], "app-cert")]).json()
    state = sim.control("GET", "/state").json()
    jks = next(s for s in state["stores"] if s["id"] == stores["jks"])
    assert jks["type"] == "RFJKS" and "app-cert" in jks["aliases"]
    assert state["jobs"] == [
        {
            "id": job,
            "store": stores["jks"],
            "alias": "app-cert",
            "state": "waiting",
            "attempt": 0,
            "schedule": {"Immediate": True},
        }
    ]
    assert len(state["stores"]) == 28
