"""Non-ASCII user names, passwords, aliases and orchestrator messages, end to end in JSON."""

from __future__ import annotations

import requests
from kfsim.seed import sid
from kfsim_testlib import PASSWORDS, basic, wait_for

TOMCAT = sid("app02/tomcat")  # RFJKS store with the seeded non-ASCII aliases
MUELLER = "zertifikat-müller"
HISTORY = "/OrchestratorJobs/JobHistory"


def _get(sim, path, auth, **kw):
    headers = {"Authorization": auth, "x-keyfactor-requested-with": "APIClient"}
    return requests.get(sim.api_url + path, headers=headers, timeout=10, **kw)


def test_seeded_unicode_user_basic_auth_is_utf8(sim):
    login, password = "KEYFACTOR\\müller", PASSWORDS["müller"]
    assert _get(sim, "/CertificateStores", basic(login, password)).status_code == 200
    assert _get(sim, "/CertificateStores", basic("keyfactor\\MÜLLER", password)).status_code == 200
    assert _get(sim, "/CertificateStores", basic("müller@KEYFACTOR", password)).status_code == 200
    # the same credentials in Latin-1 (what requests' auth=(user, pw) sends) are refused
    latin1 = basic(login, password, encoding="latin-1")
    assert _get(sim, "/CertificateStores", latin1).status_code == 401
    # passwords compare exactly: no case folding, no Unicode normalisation
    assert _get(sim, "/CertificateStores", basic(login, "GRÜSSE-2025")).status_code == 401
    decomposed = password.replace("ü", "u\u0308")
    assert _get(sim, "/CertificateStores", basic(login, decomposed)).status_code == 401


def test_created_user_with_any_unicode(sim):
    login, password = "KÖLN\\zoë.ångström", "пароль-密码-🔑"
    resp = sim.control(
        "POST",
        "/users",
        json={
            "username": login,
            "password": password,
            "permissions": ["/certificate_stores/read/"],
        },
    )
    assert resp.status_code == 200 and resp.json()["username"] == login
    assert _get(sim, "/CertificateStores", basic(login, password)).status_code == 200
    denied = _get(sim, HISTORY, basic(login, password))
    assert denied.status_code == 403 and "KÖLN\\zoë.ångström" in denied.json()["Message"]
    assert password not in sim.control("GET", "/requests").text


def test_unicode_aliases_in_inventory_and_aliases_are_raw_utf8(sim):
    resp = sim.get(f"/CertificateStores/{TOMCAT}/Inventory", params={"ReturnLimit": 100})
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "zertifikat-müller".encode() in resp.content
    names = [item["Name"] for item in resp.json()]
    assert {"zertifikat-müller", "clé-serveur-été"} <= set(names)
    item = next(i for i in resp.json() if i["Name"] == MUELLER)
    assert item["Certificates"][0]["IssuedDN"].startswith("CN=zertifikat-müller.example.test")
    aliases = sim.get("/CertificateStores/Aliases", params={"ids": TOMCAT}).json()
    entries = aliases["CertificateStoreInventories"][0]["Entries"]
    assert {"Alias": MUELLER, "HasPrivateKey": True} in entries
    assert sim.requests_log()[-1]["contract_errors"] == []


def test_remove_a_unicode_alias_end_to_end(sim):
    (job,) = sim.remove([(TOMCAT, MUELLER)]).json()
    entry = sim.last_entry("/CertificateStores/Certificates/Remove")
    assert entry["body"]["CertificateStores"][0]["Alias"] == MUELLER
    rows = wait_for(lambda: [r for r in sim.history(job) if r["Status"] == "Completed"])
    assert rows[0]["Result"] == "Success"
    wait_for(lambda: MUELLER not in sim.aliases(TOMCAT), what="the inventory to catch up")
    assert "clé-serveur-été" in sim.aliases(TOMCAT)


def test_missing_unicode_alias_fails_with_the_alias_in_the_message(sim):
    # named aliases match exactly: case and composed/decomposed forms differ
    for alias in ("Zertifikat-Müller", "zertifikat-mu\u0308ller"):
        (job,) = sim.remove([(TOMCAT, alias)]).json()
        rows = wait_for(lambda job=job: [r for r in sim.history(job) if r["Status"] == "Completed"])
        assert rows[0]["Result"] == "Failure"
        assert rows[0]["Message"] == (
            f"Alias {alias} does not exist in certificate store /opt/tomcat/conf/keystore.jks."
        )
    assert MUELLER in sim.aliases(TOMCAT)


def test_unicode_orchestrator_messages_via_behaviours_and_queries(sim, stores):
    message = "Zertifikat für Jürgen Müller konnte nicht entfernt werden: Zugriff verweigert (✗)"
    sim.behaviour(stores["jks"], "failure", message=message)
    (job,) = sim.remove([(stores["jks"], "app-cert")]).json()
    rows = wait_for(lambda: [r for r in sim.history(job) if r["Status"] == "Completed"])
    assert rows[0]["Message"] == message
    found = sim.get(
        HISTORY, params={"QueryString": 'Message -contains "JÜRGEN MÜLLER"', "ReturnLimit": 100}
    ).json()
    assert [r["JobId"] for r in found] == [job]
    log = sim.last_entry(HISTORY)
    assert log["params"]["QueryString"] == ['Message -contains "JÜRGEN MÜLLER"']
    assert log["response"][0]["Message"] == message
    assert sim.control("GET", "/behaviours").json()[0]["message"] == message


def test_control_api_adds_and_deletes_unicode_aliases(sim, stores):
    alias = "schlüssel-ß-東京"
    added = sim.control("POST", f"/stores/{stores['jks']}/inventory", json={"alias": alias})
    assert added.status_code == 201 and added.json()["alias"] == alias
    assert alias in sim.aliases(stores["jks"])
    assert any(alias in s["aliases"] for s in sim.control("GET", "/state").json()["stores"])
    gone = sim.control("DELETE", f"/stores/{stores['jks']}/inventory/{alias}")
    assert gone.status_code == 200 and gone.json() == {"deleted": 1}
    assert alias not in sim.aliases(stores["jks"])
