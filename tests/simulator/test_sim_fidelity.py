"""The simulator answers like the recorded 25.4.1 server: same keys, same JSON value types."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from kfsim_testlib import DEMO_TP

RECORDING = json.loads((Path(__file__).with_name("data") / "command-25.4.1.json").read_text())
STORE_LIST_QUERY = 'StorePath -eq "{path}" AND ClientMachine -eq "{machine}"'


def _type(value) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        type(None): "null",
    }[type(value)]


def shape_diff(recorded, simulated, where="$") -> list[str]:
    """Differences in key sets and JSON types; Properties (a JSON string) is compared inside."""
    if _type(recorded) != _type(simulated):
        return [f"{where}: recorded {_type(recorded)}, simulator {_type(simulated)}"]
    if isinstance(recorded, dict):
        if list(recorded) != list(simulated):
            return [f"{where}: keys {list(recorded)} != {list(simulated)}"]
        out = []
        for key in recorded:
            r, s = recorded[key], simulated[key]
            if key == "Properties" and isinstance(r, str) and isinstance(s, str):
                r, s = json.loads(r), json.loads(s)
            out += shape_diff(r, s, f"{where}.{key}")
        return out
    if isinstance(recorded, list):
        if bool(recorded) != bool(simulated) or len(recorded) != len(simulated):
            return [f"{where}: recorded {len(recorded)} items, simulator {len(simulated)}"]
        return [
            d
            for n, (r, s) in enumerate(zip(recorded, simulated, strict=True))
            for d in shape_diff(r, s, f"{where}[{n}]")
        ]
    return []


def _equivalent_store(sim, stores, recorded_store: dict) -> dict:
    """The seeded K8STLSSecr store in the same situation (container? inventory schedule?)."""
    signature = (
        recorded_store["ContainerId"] is not None,
        recorded_store["InventorySchedule"] is not None,
    )
    machine, path = {
        (False, False): ("aks-prod", "shop/empty-tls"),
        (False, True): ("aks-prod", "shop/shop-tls"),
        (True, False): ("aks-staging", "payments/payments-tls"),
    }[signature]
    query = {"QueryString": STORE_LIST_QUERY.format(path=path, machine=machine)}
    (found,) = sim.get("/CertificateStores", params=query).json()
    return found


def _recorded(kind: str):
    for x in RECORDING:
        path = urlsplit(x["path_and_query"]).path
        if x["method"] != "GET" or x["provenance"] != "recorded":
            continue
        parts = path.strip("/").split("/")
        if parts[0] != "CertificateStores":
            continue
        if {
            "list": len(parts) == 1,
            "get": len(parts) == 2,
            "inventory": len(parts) == 3 and parts[2] == "Inventory",
        }[kind]:
            yield x


def _compare_headers(recorded: dict, resp) -> None:
    assert ("X-Total-Count" in recorded) == ("X-Total-Count" in resp.headers)
    assert resp.headers["Content-Type"] == recorded["Content-Type"]
    assert resp.headers["Api-Supported-Versions"] == recorded["Api-Supported-Versions"]
    assert (
        resp.headers["X-Keyfactor-Product-Version"].split("+")[0]
        == recorded["X-Keyfactor-Product-Version"].split("+")[0]
    )


def test_store_list_matches_recording(sim, stores):
    cases = list(_recorded("list"))
    assert cases
    for x in cases:
        target = _equivalent_store(sim, stores, x["response_body"][0])
        ((name, _),) = parse_qsl(urlsplit(x["path_and_query"]).query)
        query = STORE_LIST_QUERY.format(path=target["Storepath"], machine=target["ClientMachine"])
        resp = sim.get("/CertificateStores?" + urlencode({name: query}))
        assert resp.status_code == x["status"]
        _compare_headers(x["response_headers"], resp)
        assert resp.headers["X-Total-Count"] == x["response_headers"]["X-Total-Count"]
        assert shape_diff(x["response_body"], resp.json()) == []


def test_store_by_id_matches_recording(sim, stores):
    cases = list(_recorded("get"))
    assert len(cases) == 4
    for x in cases:
        target = _equivalent_store(sim, stores, x["response_body"])
        resp = sim.get(f"/CertificateStores/{target['Id']}")
        assert resp.status_code == x["status"]
        _compare_headers(x["response_headers"], resp)
        assert shape_diff(x["response_body"], resp.json()) == [], x["note"]


def test_inventory_matches_recording(sim, stores):
    empty = _equivalent_store(sim, stores, {"ContainerId": None, "InventorySchedule": None})
    cases = list(_recorded("inventory"))
    assert len(cases) == 20
    for x in cases:
        count = x["response_headers"]["X-Total-Count"]
        store = stores["k8s"] if count == "1" else empty["Id"]
        query = urlsplit(x["path_and_query"]).query
        resp = sim.get(f"/CertificateStores/{store}/Inventory?{query}")
        assert resp.status_code == x["status"]
        _compare_headers(x["response_headers"], resp)
        assert resp.headers["X-Total-Count"] == count
        assert shape_diff(x["response_body"], resp.json()) == [], x["note"]
        if resp.json():
            assert resp.json()[0]["Name"] == DEMO_TP


def test_shape_diff_notices_differences():
    assert shape_diff({"a": 1, "b": [1]}, {"a": 1, "b": [2]}) == []
    assert shape_diff({"a": 1}, {"a": "1"})
    assert shape_diff({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert shape_diff([{"a": None}], [{"a": {}}])
    assert shape_diff({"Properties": '{"x":"1"}'}, {"Properties": '{"x":{}}'})
    assert shape_diff([], [1])
