"""GET /OrchestratorJobs/JobHistory and /ScheduledJobs: query language, paging, enums."""

from __future__ import annotations

import pytest
from kfsim_testlib import DEMO_TP, wait_for

HISTORY = "/OrchestratorJobs/JobHistory"
SCHEDULED = "/OrchestratorJobs/ScheduledJobs"
MANAGEMENT = 'JobType -eq "Management"'
SEED_ROWS = 72


def _rows(sim, **params):
    resp = sim.get(HISTORY, params={"ReturnLimit": 1000, **params})
    assert resp.status_code == 200, resp.text
    return resp.json(), int(resp.headers["X-Total-Count"])


def test_defaults_paging_and_total(sim):
    resp = sim.get(HISTORY)
    rows, total = resp.json(), int(resp.headers["X-Total-Count"])
    assert total == SEED_ROWS and len(rows) == 50
    ids = [r["JobHistoryId"] for r in rows]
    assert ids == sorted(ids)
    page2 = sim.get(HISTORY, params={"pq.pageReturned": 2, "pq.returnLimit": 50}).json()
    assert len(page2) == SEED_ROWS - 50 and page2[0]["JobHistoryId"] > ids[-1]
    past = sim.get(HISTORY, params={"PageReturned": 3})
    assert past.json() == [] and past.headers["X-Total-Count"] == str(SEED_ROWS)


def test_row_shape(sim):
    row = sim.get(HISTORY, params={"ReturnLimit": 1}).json()[0]
    assert list(row) == [
        "JobHistoryId",
        "AgentMachine",
        "JobId",
        "Schedule",
        "JobType",
        "OperationStart",
        "OperationEnd",
        "Message",
        "Result",
        "Status",
        "StorePath",
        "ClientMachine",
    ]
    assert row["JobType"].endswith("Inventory") and row["OperationStart"].endswith("Z")


def test_sorting_descending_with_prefix(sim):
    rows, _ = _rows(sim, **{"pq.sortField": "JobHistoryId", "pq.sortAscending": 1})
    ids = [r["JobHistoryId"] for r in rows]
    assert ids == sorted(ids, reverse=True)
    rows, _ = _rows(sim, SortField="operationstart", SortAscending=0)
    starts = [r["OperationStart"] for r in rows]
    assert starts == sorted(starts)


def test_enum_values_by_name_or_number_and_case(sim):
    by_name, total = _rows(sim, QueryString='Result -eq "Failure"')
    by_number, _ = _rows(sim, QueryString='result -eq "4"')
    assert by_name == by_number and total == 2
    assert {r["Result"] for r in by_name} == {"Failure"}
    warn, _ = _rows(sim, QueryString="RESULT -eq warning")
    assert {r["Result"] for r in warn} == {"Warning"}


def test_and_binds_tighter_than_or_and_parentheses(sim):
    q1 = 'Result -eq "Failure" OR Result -eq "Warning" AND ClientMachine -eq "nobody"'
    q2 = '(Result -eq "Failure" OR Result -eq "Warning") AND ClientMachine -eq "nobody"'
    rows1, total1 = _rows(sim, QueryString=q1)
    rows2, total2 = _rows(sim, QueryString=q2)
    assert total1 == 2 and {r["Result"] for r in rows1} == {"Failure"}
    assert total2 == 0 and rows2 == []
    q3 = '(Result -eq "4" OR Result -eq "3") AND (Status -eq "3" OR Status -eq "5")'
    assert _rows(sim, QueryString=q3)[1] == 3


def test_string_operators_and_null(sim):
    rows, _ = _rows(sim, QueryString='Message -contains "TIMED OUT"')
    assert rows and all("timed out" in r["Message"] for r in rows)
    rows, total = _rows(
        sim, QueryString='StorePath -startswith "/etc" AND StorePath -endswith ".pem"'
    )
    assert total > 0 and all(r["StorePath"].endswith(".pem") for r in rows)
    assert _rows(sim, QueryString="OperationEnd -eq NULL")[1] == 0
    assert _rows(sim, QueryString="OperationEnd -ne NULL")[1] == SEED_ROWS
    assert _rows(sim, QueryString='JobType -eq "Inventory"')[1] == SEED_ROWS
    assert _rows(sim, QueryString='JobType -eq "RFJKSInventory"')[1] == 9
    assert _rows(sim, QueryString='Message -ne ""')[1] == 3


def test_numeric_and_date_comparisons(sim):
    ids = [r["JobHistoryId"] for r in _rows(sim)[0]]
    assert _rows(sim, QueryString=f"JobHistoryId -gt {ids[9]}")[1] == SEED_ROWS - 10
    assert _rows(sim, QueryString=f'JobHistoryId -le "{ids[9]}"')[1] == 10
    assert _rows(sim, QueryString='OperationStart -lt "2026-12-02T00:00:00Z"')[1] == 24
    assert _rows(sim, QueryString='OperationStart -ge "2026-12-03T00:00:00Z"')[1] == 24


@pytest.mark.parametrize(
    "query",
    [
        'Nope -eq "x"',
        'Result -eq "Maybe"',
        "JobId -eq",
        '(Status -eq "3"',
        'JobHistoryId -contains "1"',
        'OperationStart -gt "not a date"',
        "Status -gt NULL",
    ],
)
def test_bad_queries_are_400(sim, query):
    resp = sim.get(HISTORY, params={"QueryString": query})
    assert resp.status_code == 400 and set(resp.json()) == {"ErrorCode", "Message"}


def test_job_id_filter_and_field_name_case(sim, stores):
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    wait_for(lambda: len(sim.history(job)) == 2, what="job rows")
    for field in ("JobId", "JobID", "jobid"):
        for name in ("QueryString", "pq.queryString"):
            rows = sim.get(HISTORY, params={name: f'{field} -eq "{job}"'}).json()
            assert [r["JobId"] for r in rows] == [job, job]
    rows = sim.get(HISTORY, params={"QueryString": f'JobId -eq "{job.upper()}"'}).json()
    assert len(rows) == 2
    mgmt = sim.get(HISTORY, params={"QueryString": 'JobType -eq "Management"'}).json()
    assert [r["JobId"] for r in mgmt] == [job, job]


def test_enum_format_switch_to_ints(sim):
    sim.config(enum_format="ints")
    rows, _ = _rows(sim, QueryString='Result -eq "Failure"')
    assert {(r["Status"], r["Result"]) for r in rows} == {(3, 4)}
    sim.config(enum_format="names")
    rows, _ = _rows(sim, QueryString="Result -eq 4")
    assert {(r["Status"], r["Result"]) for r in rows} == {("Completed", "Failure")}


def test_scheduled_jobs_listing(sim, stores):
    sim.config(pickup_delay=10000)
    (now_job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    (daily,) = sim.remove(
        [(stores["jks"], "app-cert")], schedule={"Daily": {"Time": "2026-01-01T23:15:00Z"}}
    ).json()
    (once,) = sim.remove(
        [(stores["adc"], "api-example-test")],
        schedule={"ExactlyOnce": {"Time": "2099-06-01T12:00:00Z"}},
    ).json()
    everything = sim.get(SCHEDULED, params={"ReturnLimit": 100})
    inventory_jobs = [j for j in everything.json() if j["JobType"].endswith("Inventory")]
    assert everything.headers["X-Total-Count"] == str(len(inventory_jobs) + 3) == "27"
    assert [j["Id"] for j in everything.json()][-3:] == [now_job, daily, once]
    k8s = sim.get(f"/CertificateStores/{stores['k8s']}").json()
    assert {
        "Id": k8s["CertStoreInventoryJobId"],
        "ClientMachine": "aks-prod",
        "Target": "shop/shop-tls",
        "Schedule": k8s["InventorySchedule"],
        "Requested": "KEYFACTOR\\kfadmin",
        "JobType": "K8STLSSecrInventory",
    } in inventory_jobs
    resp = sim.get(SCHEDULED, params={"QueryString": MANAGEMENT})
    jobs = resp.json()
    assert resp.headers["X-Total-Count"] == "3"
    assert [j["Id"] for j in jobs] == [now_job, daily, once]
    assert list(jobs[0]) == ["Id", "ClientMachine", "Target", "Schedule", "Requested", "JobType"]
    assert jobs[0] == {
        "Id": now_job,
        "ClientMachine": "aks-prod",
        "Target": "shop/shop-tls",
        "Schedule": {},
        "Requested": "KEYFACTOR\\demo",
        "JobType": "K8STLSSecrManagement",
    }
    assert jobs[1]["Schedule"] == {"Daily": {"Time": "2026-01-01T23:15:00Z"}}
    query = f'ClientMachine -eq "ns01.example.test" AND {MANAGEMENT}'
    only = sim.get(SCHEDULED, params={"pq.queryString": query})
    assert [j["Id"] for j in only.json()] == [once]
    paged = sim.get(
        SCHEDULED, params={"QueryString": MANAGEMENT, "ReturnLimit": 2, "PageReturned": 2}
    )
    assert [j["Id"] for j in paged.json()] == [once] and paged.headers["X-Total-Count"] == "3"
    query = 'ScheduleType -startswith "D_" AND JobType -ne "Inventory"'
    typed = sim.get(SCHEDULED, params={"QueryString": query}).json()
    assert [j["Id"] for j in typed] == [daily]
    assert sim.history(daily) == []
