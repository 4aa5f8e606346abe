"""GET /CertificateStores, /{id}, /{id}/Inventory and /Aliases."""

from __future__ import annotations

import json

from kfsim_testlib import DEMO_TP

FARM = None  # resolved from the list below: the 120-alias IIS store


def _find_store(sim, machine, path):
    query = f'ClientMachine -eq "{machine}" AND StorePath -eq "{path}"'
    resp = sim.get("/CertificateStores", params={"QueryString": query})
    assert resp.status_code == 200 and len(resp.json()) == 1, resp.text
    return resp.json()[0]


def test_list_defaults_and_total_count(sim):
    resp = sim.get("/CertificateStores")
    assert resp.status_code == 200
    stores = resp.json()
    assert resp.headers["X-Total-Count"] == str(len(stores)) == "28"
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.headers["Api-Supported-Versions"] == "1.0"
    assert resp.headers["X-Keyfactor-Product-Version"] == "25.4.1+sim"
    assert len(resp.headers["X-Keyfactor-Correlation-Id"]) == 36


def test_list_item_shape_matches_the_recording(sim):
    item = _find_store(sim, "aks-prod", "shop/shop-tls")
    assert list(item) == [
        "Id",
        "ContainerId",
        "DisplayName",
        "ClientMachine",
        "Storepath",
        "CertStoreInventoryJobId",
        "CertStoreType",
        "Approved",
        "CreateIfMissing",
        "Properties",
        "AgentId",
        "AgentAssigned",
        "ContainerName",
        "InventorySchedule",
        "ReenrollmentStatus",
        "SetNewPasswordAllowed",
        "Password",
    ]
    assert item["Storepath"] == "shop/shop-tls" and "StorePath" not in item
    assert item["DisplayName"] == "aks-prod - shop/shop-tls"
    props = json.loads(item["Properties"])
    assert isinstance(props["ServerPassword"], str) and len(props["ServerPassword"]) == 36
    assert item["ContainerName"] == "" and item["Password"] is None


def test_query_prefixes_and_case(sim):
    query = 'storepath -eq "/etc/ssl/certs/shop.pem" and CLIENTMACHINE -eq "WEB01.example.test"'
    for name in ("QueryString", "certificateStoreQuery.queryString", "pq.querystring"):
        resp = sim.get("/CertificateStores", params={name: query})
        assert resp.status_code == 200
        assert [s["Id"] for s in resp.json()] == ["b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a02"]
        assert resp.headers["X-Total-Count"] == "1"


def test_query_by_type_container_and_or(sim):
    resp = sim.get("/CertificateStores", params={"QueryString": "CertStoreType -eq 154"})
    assert {s["CertStoreType"] for s in resp.json()} == {154}
    assert resp.headers["X-Total-Count"] == "5"
    resp = sim.get(
        "/CertificateStores", params={"QueryString": 'ContainerId -eq "3" OR ContainerId -eq 2'}
    )
    assert {s["ContainerId"] for s in resp.json()} == {2, 3}
    resp = sim.get("/CertificateStores", params={"QueryString": "ContainerId -eq NULL"})
    assert all(s["ContainerId"] is None for s in resp.json()) and resp.json()
    resp = sim.get("/CertificateStores", params={"QueryString": 'StorePath -startswith "/opt/"'})
    assert all(s["Storepath"].startswith("/opt/") for s in resp.json())
    assert resp.headers["X-Total-Count"] == "4"


def test_paging_sorting_and_past_the_end(sim):
    params = {"ReturnLimit": 10, "SortField": "ClientMachine", "SortAscending": 0}
    pages = [sim.get("/CertificateStores", params={**params, "PageReturned": n}) for n in (1, 2, 3)]
    machines = [s["ClientMachine"] for p in pages for s in p.json()]
    assert [len(p.json()) for p in pages] == [10, 10, 8]
    assert machines == sorted(machines, key=str.lower)
    assert all(p.headers["X-Total-Count"] == "28" for p in pages)
    past = sim.get("/CertificateStores", params={**params, "PageReturned": 4})
    assert past.status_code == 200 and past.json() == [] and past.headers["X-Total-Count"] == "28"
    desc = sim.get("/CertificateStores", params={"SortField": "ClientMachine", "SortAscending": 1})
    names = [s["ClientMachine"] for s in desc.json()]
    assert names == sorted(names, key=str.lower, reverse=True)


def test_bad_sort_field_query_and_paging_values_are_400(sim):
    for params in (
        {"SortField": "Nope"},
        {"QueryString": 'Nope -eq "x"'},
        {"QueryString": 'ClientMachine -eq "x" AND'},
        {"PageReturned": "abc"},
        {"SortAscending": "2"},
    ):
        resp = sim.get("/CertificateStores", params=params)
        assert resp.status_code == 400, params
        assert set(resp.json()) == {"ErrorCode", "Message"}
    assert sim.get("/CertificateStores", params={"SortField": "Nope"}).json() == {
        "ErrorCode": "0xA011004A",
        "Message": "Invalid sort field: Nope.",
    }


def test_get_by_id_shape_404_and_400(sim, stores):
    resp = sim.get(f"/CertificateStores/{stores['k8s']}")
    assert resp.status_code == 200 and "X-Total-Count" not in resp.headers
    body = resp.json()
    assert body["Id"] == stores["k8s"] and body["ContainerName"] is None
    assert isinstance(body["Password"], dict) and body["Password"]["Value"] == "*" * 20
    assert isinstance(json.loads(body["Properties"])["ServerUsername"], dict)
    upper = sim.get(f"/CertificateStores/{stores['k8s'].upper()}")
    assert upper.status_code == 200 and upper.json()["Id"] == stores["k8s"]
    missing = sim.get("/CertificateStores/00000000-0000-0000-0000-000000000001")
    assert missing.status_code == 404 and set(missing.json()) == {"ErrorCode", "Message"}
    assert sim.get("/CertificateStores/not-a-guid").status_code == 400


def test_demo_stores_and_demo_certificate_placement(sim, stores):
    expected = {
        "iis": ("IISU", 103, "iis01.example.test", "My"),
        "pem": ("RFPEM", 105, "web01.example.test", "/etc/ssl/certs/shop.pem"),
        "k8s": ("K8STLSSecr", 154, "aks-prod", "shop/shop-tls"),
        "jks": ("RFJKS", 106, "app01.example.test", "/opt/app/keystore.jks"),
        "adc": ("CitrixAdc", 111, "ns01.example.test", "/nsconfig/ssl"),
    }
    holding = set()
    for store in sim.get("/CertificateStores", params={"ReturnLimit": 100}).json():
        if DEMO_TP in sim.aliases(store["Id"]):
            holding.add(store["Id"])
    assert holding == {stores["iis"], stores["pem"], stores["k8s"]}
    for key, (_, type_id, machine, path) in expected.items():
        body = sim.get(f"/CertificateStores/{stores[key]}").json()
        assert (body["CertStoreType"], body["ClientMachine"], body["Storepath"]) == (
            type_id,
            machine,
            path,
        )
    assert {"app-cert", "app-cert-old"} <= set(sim.aliases(stores["jks"]))
    assert all(not a.isupper() for a in sim.aliases(stores["adc"]))


def test_inventory_item_shape_leaf_first_then_chain(sim, stores):
    resp = sim.get(f"/CertificateStores/{stores['k8s']}/Inventory")
    assert resp.headers["X-Total-Count"] == "1"
    (item,) = resp.json()
    assert list(item) == ["Name", "Certificates", "Parameters", "CertStoreId"]
    assert item["Name"] == DEMO_TP and item["CertStoreId"] == stores["k8s"]
    leaf, *chain = item["Certificates"]
    assert leaf["Thumbprint"] == DEMO_TP and leaf["IssuedDN"].startswith("CN=shop.example.test")
    assert leaf["CertState"] == 1 and [c["CertState"] for c in chain] == [0, 0]
    assert chain[0]["IssuedDN"] == leaf["IssuerDN"]
    assert chain[-1]["IssuedDN"] == chain[-1]["IssuerDN"]  # self-signed root last
    assert len({c["CertStoreInventoryItemId"] for c in item["Certificates"]}) == 1
    assert list(leaf) == [
        "Id",
        "IssuedDN",
        "SerialNumber",
        "NotBefore",
        "NotAfter",
        "SigningAlgorithm",
        "IssuerDN",
        "Thumbprint",
        "CertStoreInventoryItemId",
        "CertState",
        "Metadata",
    ]


def test_inventory_paging_over_a_large_store(sim):
    farm = _find_store(sim, "iis-farm01.example.test", "My")["Id"]
    path = f"/CertificateStores/{farm}/Inventory"
    sizes, seen = [], []
    for page in (1, 2, 3, 4):
        resp = sim.get(path, params={"query.pageReturned": page})
        assert resp.headers["X-Total-Count"] == "120"
        sizes.append(len(resp.json()))
        seen += [i["Name"] for i in resp.json()]
    assert sizes == [50, 50, 20, 0]
    assert len(set(seen)) == 120
    assert any(name.count(":") == 3 for name in seen)  # IIS composite aliases
    small = sim.get(path, params={"PageReturned": 7, "ReturnLimit": 20})
    assert len(small.json()) == 0 and small.headers["X-Total-Count"] == "120"


def test_empty_store_inventory_and_unknown_store(sim):
    empty = _find_store(sim, "aks-prod", "shop/empty-tls")["Id"]
    resp = sim.get(f"/CertificateStores/{empty}/Inventory", params={"query.pageReturned": 1})
    assert resp.status_code == 200 and resp.json() == [] and resp.headers["X-Total-Count"] == "0"
    missing = sim.get("/CertificateStores/00000000-0000-0000-0000-000000000001/Inventory")
    assert missing.status_code == 404


def test_aliases_endpoint(sim, stores):
    resp = sim.get(
        "/CertificateStores/Aliases", params=[("ids", stores["jks"]), ("ids", stores["k8s"])]
    )
    assert resp.status_code == 200 and "X-Total-Count" not in resp.headers
    inv = resp.json()["CertificateStoreInventories"]
    assert [i["CertificateStoreId"] for i in inv] == [stores["jks"], stores["k8s"]]
    assert inv[0]["CertificateStoreType"] == 106
    entries = {e["Alias"]: e["HasPrivateKey"] for e in inv[0]["Entries"]}
    assert entries["app-cert"] is True and entries["example-root-ca"] is False
    assert inv[1]["Entries"] == [{"Alias": DEMO_TP, "HasPrivateKey": True}]
    assert sim.get("/CertificateStores/Aliases").json() == {"CertificateStoreInventories": []}
    assert (
        sim.get(
            "/CertificateStores/Aliases", params={"ids": "00000000-0000-0000-0000-000000000001"}
        ).status_code
        == 404
    )
    assert sim.get("/CertificateStores/Aliases", params={"ids": "nope"}).status_code == 400


def test_unknown_route_and_wrong_method(sim):
    assert sim.get("/NoSuchThing").status_code == 404
    resp = sim.get("/CertificateStores/Certificates/Remove")
    assert resp.status_code == 405 and "POST" in resp.headers["Allow"]
