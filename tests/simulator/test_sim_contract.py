"""Contract checks against the vendor v25 OpenAPI subset."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from kfsim.contract import Contract
from kfsim_testlib import DEMO_TP, wait_for

RECORDING = json.loads((Path(__file__).with_name("data") / "command-25.4.1.json").read_text())


@pytest.fixture(scope="module")
def contract():
    return Contract()


def _errors(sim):
    return [
        (e["method"], e["path"], e["contract_errors"])
        for e in sim.requests_log()
        if e["contract_errors"]
    ]


def test_every_seed_response_passes(sim, stores):
    listed = sim.get("/CertificateStores", params={"ReturnLimit": 100}).json()
    for store in listed:
        sim.get(f"/CertificateStores/{store['Id']}")
        sim.get(f"/CertificateStores/{store['Id']}/Inventory", params={"ReturnLimit": 500})
    sim.get("/CertificateStores/Aliases", params=[("ids", s["Id"]) for s in listed])
    for fmt in ("names", "ints"):
        sim.config(enum_format=fmt)
        sim.get("/OrchestratorJobs/JobHistory", params={"ReturnLimit": 1000})
    sim.config(pickup_delay=10000)
    sim.remove(
        [(stores["jks"], "app-cert")],
        schedule={"Monthly": {"Day": 31, "Time": "2030-01-01T10:00:00Z"}},
    )
    sim.remove([(stores["k8s"], DEMO_TP)], schedule={"Interval": {"Minutes": 90}})
    sim.get("/OrchestratorJobs/ScheduledJobs")
    sim.config(pickup_delay=0.5)
    sim.behaviour(stores["pem"], "will_retry")
    (job,) = sim.remove([(stores["pem"], DEMO_TP)]).json()
    for fmt in ("names", "ints"):
        sim.config(enum_format=fmt)
        wait_for(lambda: len(sim.history(job)) == 4, what="retry rows")
    assert len(sim.requests_log()) > 60
    assert _errors(sim) == []


def test_deliberately_bad_requests_are_flagged(sim, stores):
    sim.control("DELETE", "/requests")
    sim.get("/OrchestratorJobs/JobHistory", params={"pq.start": 0, "ReturnLimit": "ten"})
    sim.get("/CertificateStores", headers={"x-keyfactor-requested-with": None})
    sim.api(
        "POST",
        "/CertificateStores/Certificates/Remove",
        json={
            "CertificateStores": [{"CertificateStoreId": "not-a-guid", "Alias": 5}],
            "Schedule": {"Immediate": True},
            "ContainerId": 3,
        },
    )
    sim.get("/CertificateStores/Inventory/Nope")
    sim.get("/CertificateStores", params={"SortAscending": "Descending"})
    log = sim.requests_log()
    history, header, remove, unknown, sort = (e["contract_errors"] for e in log)
    assert any("'pq.start' is not declared" in e for e in history)
    assert any("ReturnLimit: 'ten' is not a valid integer" in e for e in history)
    assert header == ["request header parameter x-keyfactor-requested-with is required but missing"]
    joined = " | ".join(remove)
    assert "'ContainerId' was unexpected" in joined
    assert "CertificateStoreId" in joined and "not a 'uuid'" in joined
    assert "Alias: 5 is not of type 'string'" in joined
    assert unknown and "no operation" in unknown[0]
    assert sort and "SortAscending" in sort[0]
    assert log[4]["status"] == 200  # the server binds names; the spec says 0/1


def test_camel_case_and_prefixed_names_are_not_violations(sim, stores):
    sim.control("DELETE", "/requests")
    sim.api(
        "POST",
        "/CertificateStores/Certificates/Remove",
        json={
            "certificateStores": [{"certificateStoreId": stores["k8s"], "alias": DEMO_TP}],
            "schedule": {"immediate": True},
        },
    )
    sim.get(
        "/OrchestratorJobs/JobHistory",
        params={"pq.queryString": 'JobId -eq "x"', "PQ.SORTASCENDING": "1"},
    )
    sim.get(f"/CertificateStores/{stores['k8s']}/Inventory", params={"query.pageReturned": 2})
    assert _errors(sim) == []


def test_literal_paths_win_over_id_template(contract):
    assert (
        contract.operation("GET", "/CertificateStores/Aliases")[0][0]
        == "/CertificateStores/Aliases"
    )
    assert (
        contract.operation("POST", "/CertificateStores/Certificates/Remove")[0][0]
        == "/CertificateStores/Certificates/Remove"
    )
    found, args, _ = contract.operation("GET", "/certificatestores/abc/inventory")
    assert found[0] == "/CertificateStores/{id}/Inventory" and args == {"id": "abc"}


def test_response_checks_catch_shape_errors(contract):
    good = {
        "JobHistoryId": 1,
        "AgentMachine": "a",
        "JobId": "6f1d3c0a-6b0e-4c55-9a43-2f3c5d7e9b10",
        "Schedule": {},
        "JobType": "X",
        "OperationStart": "2026-01-01T00:00:00Z",
        "OperationEnd": None,
        "Message": "",
        "Result": "Success",
        "Status": "InProcess",
        "StorePath": "p",
        "ClientMachine": "c",
    }
    check = lambda body: contract.check_response(  # noqa: E731
        "GET", "/OrchestratorJobs/JobHistory", 200, "application/json; charset=utf-8", body
    )
    assert check([good]) == []
    assert check([{**good, "Status": 3, "Result": 2}]) == []
    assert check([{**good, "Status": "Done"}])
    assert check([{**good, "Result": 9}])
    assert check([{**good, "Extra": 1}])
    assert check([{**good, "JobHistoryId": "1"}])
    assert check([{**good, "OperationStart": "yesterday"}])
    assert check({"not": "a list"})


def test_recorded_responses_pass_only_with_the_documented_relaxations(contract):
    strict = Contract()
    strict.response_schemas = strict.request_schemas
    strict_failures = 0
    for x in RECORDING:
        if x["provenance"] != "recorded":
            continue
        path = urlsplit(x["path_and_query"]).path
        ctype = x["response_headers"].get("Content-Type")
        assert (
            contract.check_response(x["method"], path, x["status"], ctype, x["response_body"]) == []
        ), x["note"]
        strict_failures += bool(
            strict.check_response(x["method"], path, x["status"], ctype, x["response_body"])
        )
    assert strict_failures > 0  # InventorySchedule/Password null need the nullable-$ref rule


def test_recorded_go_client_remove_request_breaks_additional_properties(contract):
    (remove,) = [x for x in RECORDING if x["path_and_query"].endswith("/Certificates/Remove")]
    body = remove["request_body"]
    errs = contract.check_request(
        "POST",
        "/CertificateStores/Certificates/Remove",
        [],
        remove["request_headers"],
        "application/json",
        json.dumps(body).encode(),
        body,
        True,
    )
    assert len(errs) == 2 and all("Additional properties" in e for e in errs)
    for x in RECORDING:
        split = urlsplit(x["path_and_query"])
        if x["method"] == "GET" and split.path.startswith("/CertificateStores"):
            assert (
                contract.check_request(
                    "GET",
                    split.path,
                    parse_qsl(split.query),
                    x["request_headers"],
                    None,
                    b"",
                    None,
                    True,
                )
                == []
            )
