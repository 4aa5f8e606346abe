"""The orchestrator: pickup, InProcess, completion, inventory lag, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kfsim_testlib import DEMO_TP, ts, wait_for


def _final(sim, job_id, timeout=10.0):
    def done():
        rows = sim.history(job_id)
        return rows if rows and rows[-1]["Status"] == "Completed" else None

    return wait_for(done, timeout, what=f"job {job_id} to complete")


def test_full_lifecycle_with_inventory_lag(sim, stores):
    sim.config(pickup_delay=25, inventory_lag=40)  # 0.5 s and 0.8 s at the test time scale
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    assert sim.history(job) == []  # nothing before pickup
    assert [j["Id"] for j in sim.scheduled_management()] == [job]
    sim.config(pickup_delay=0.5)
    first = wait_for(lambda: sim.history(job), what="pickup")
    assert len(first) == 1
    assert (first[0]["Status"], first[0]["Result"], first[0]["OperationEnd"]) == (
        "InProcess",
        "Unknown",
        None,
    )
    assert sim.scheduled_management() == []
    rows = _final(sim, job)
    assert len(rows) == 2 and rows[1]["JobHistoryId"] > rows[0]["JobHistoryId"]
    final = rows[-1]
    assert (final["Result"], final["Message"]) == ("Success", "")
    assert final["OperationStart"] == rows[0]["OperationStart"]
    assert ts(final["OperationEnd"]) >= ts(final["OperationStart"])
    assert final["JobType"] == "K8STLSSecrManagement"
    assert (final["StorePath"], final["ClientMachine"]) == ("shop/shop-tls", "aks-prod")
    assert final["AgentMachine"] == "aks-prod-orchestrator"
    assert final["Schedule"] == {}
    assert DEMO_TP in sim.aliases(stores["k8s"])  # inventory still lags
    wait_for(lambda: DEMO_TP not in sim.aliases(stores["k8s"]), what="inventory to catch up")
    assert sim.get(f"/CertificateStores/{stores['k8s']}/Inventory").headers["X-Total-Count"] == "0"


def test_file_store_fails_when_alias_missing(sim, stores):
    (job,) = sim.remove([(stores["pem"], "0" * 40)]).json()
    final = _final(sim, job)[-1]
    assert final["Result"] == "Failure"
    assert final["Message"] == (
        "Alias " + "0" * 40 + " does not exist in certificate store /etc/ssl/certs/shop.pem."
    )
    assert DEMO_TP in sim.aliases(stores["pem"])


def test_named_alias_is_exact_and_thumbprint_ignores_case(sim, stores):
    (bad,) = sim.remove([(stores["jks"], "APP-CERT")]).json()
    assert _final(sim, bad)[-1]["Result"] == "Failure"
    (good,) = sim.remove([(stores["iis"], DEMO_TP.lower())]).json()
    assert _final(sim, good)[-1]["Result"] == "Success"
    wait_for(lambda: DEMO_TP not in sim.aliases(stores["iis"]), what="IIS inventory")


def test_second_removal_fails_even_while_inventory_still_lists_alias(sim, stores):
    sim.config(inventory_lag=5000)
    (first,) = sim.remove([(stores["jks"], "app-cert-old")]).json()
    assert _final(sim, first)[-1]["Result"] == "Success"
    assert "app-cert-old" in sim.aliases(stores["jks"])
    (second,) = sim.remove([(stores["jks"], "app-cert-old")]).json()
    final = _final(sim, second)[-1]
    assert final["Result"] == "Failure" and "app-cert-old" in final["Message"]


def test_non_file_types_on_missing_alias(sim, stores):
    (k8s,) = sim.remove([(stores["k8s"], "F" * 40)]).json()
    (iis,) = sim.remove([(stores["iis"], "F" * 40)]).json()
    (adc,) = sim.remove([(stores["adc"], "no-such-pair")]).json()
    assert _final(sim, k8s)[-1]["Result"] == "Success"
    assert _final(sim, iis)[-1]["Result"] == "Failure"
    assert _final(sim, adc)[-1]["Result"] == "Failure"


def test_scripted_warning_and_failure(sim, stores):
    sim.behaviour(stores["jks"], "warning", alias="app-cert", message="Store password expired")
    sim.behaviour(stores["adc"], "failure", message="NetScaler unreachable")
    (warn,) = sim.remove([(stores["jks"], "app-cert")]).json()
    (fail,) = sim.remove([(stores["adc"], "shop-example-test")]).json()
    (other,) = sim.remove([(stores["jks"], "client-auth")]).json()
    w = _final(sim, warn)[-1]
    assert (w["Result"], w["Message"]) == ("Warning", "Store password expired")
    f = _final(sim, fail)[-1]
    assert (f["Result"], f["Message"]) == ("Failure", "NetScaler unreachable")
    assert _final(sim, other)[-1]["Result"] == "Success"
    wait_for(lambda: "app-cert" not in sim.aliases(stores["jks"]), what="warning removes alias")
    assert "shop-example-test" in sim.aliases(stores["adc"])


def test_never_pickup_then_released(sim, stores):
    sim.behaviour(stores["k8s"], "never_pickup")
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    (control_job,) = sim.remove([(stores["pem"], DEMO_TP)]).json()
    _final(sim, control_job)  # a job picked up after this one was due
    assert sim.history(job) == []
    assert [j["Id"] for j in sim.scheduled_management()] == [job]
    sim.control("DELETE", "/behaviours")
    assert _final(sim, job)[-1]["Result"] == "Success"


def test_will_retry_writes_a_retry_row_then_a_final_row(sim, stores):
    sim.behaviour(stores["k8s"], "will_retry", message="Kubernetes API timeout")
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    retry = wait_for(
        lambda: [r for r in sim.history(job) if r["Status"] == "CompletedWillRetry"],
        what="retry row",
    )
    assert retry[0]["Result"] == "Failure" and retry[0]["Message"] == "Kubernetes API timeout"
    rows = _final(sim, job)
    assert [r["Status"] for r in rows] == [
        "InProcess",
        "CompletedWillRetry",
        "InProcess",
        "Completed",
    ]
    assert rows[-1]["Result"] == "Success"
    ids = [r["JobHistoryId"] for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_will_retry_with_final_failure(sim, stores):
    sim.behaviour(stores["pem"], "will_retry", final_outcome="failure")
    (job,) = sim.remove([(stores["pem"], DEMO_TP)]).json()
    rows = _final(sim, job)
    assert rows[-1]["Result"] == "Failure" and rows[1]["Status"] == "CompletedWillRetry"


def test_exactly_once_schedule_runs_when_due(sim, stores):
    when = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resp = sim.remove([(stores["k8s"], DEMO_TP)], schedule={"ExactlyOnce": {"Time": when}})
    (job,) = resp.json()
    listed = sim.scheduled_management()
    assert listed[0]["Schedule"] == {"ExactlyOnce": {"Time": when}}
    final = _final(sim, job)[-1]
    assert final["Schedule"] == {"ExactlyOnce": {"Time": when}}
    assert ts(final["OperationStart"]) >= ts(when)
