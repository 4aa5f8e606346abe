"""Fault injection through /_sim/faults: statuses, delays, dropped connections, bad bodies,
hidden job history, and how they compose with the orchestrator's behaviours."""

from __future__ import annotations

import email.utils
import socket
import threading
import time

import pytest
import requests
from kfsim_testlib import DEMO_TP, wait_for

HISTORY = "/OrchestratorJobs/JobHistory"
REMOVE = "/CertificateStores/Certificates/Remove"


def _jobs(sim) -> list[dict]:
    return sim.control("GET", "/state").json()["jobs"]


def _raw_request(sim, path: str, timeout: float = 5.0) -> bytes:
    """Send one HTTP request on a plain socket; return every byte the server sent back."""
    with socket.create_connection(("127.0.0.1", sim.server.port), timeout=timeout) as sock:
        sock.sendall(
            f"GET /KeyfactorAPI{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "x-keyfactor-requested-with: APIClient\r\n\r\n".encode()
        )
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
        return received


# --- the control API ------------------------------------------------------------------------


def test_rules_are_listed_counted_and_deleted(sim):
    added = sim.faults(
        {"kind": "status", "status": 503, "method": "GET", "path": HISTORY, "count": 2},
        {"id": "mine", "kind": "drop", "path": "/CertificateStores/{id}/Inventory"},
    )
    assert [r["id"] for r in added] == ["f1", "mine"]
    assert added[0]["remaining"] == 2 and added[0]["applied"] == 0
    assert added[0]["body"] == "text"  # 503 defaults to a proxy's plain-text page
    for _ in range(3):
        sim.get(HISTORY)
    listed = sim.control("GET", "/faults").json()
    assert listed[0]["remaining"] == 0 and listed[0]["applied"] == 2
    assert sim.control("DELETE", "/faults/mine").json() == {"deleted": 1}
    assert sim.control("DELETE", "/faults/mine").status_code == 404
    assert sim.control("DELETE", "/faults").json() == {"deleted": 1}
    assert sim.control("GET", "/faults").json() == []


def test_single_object_and_rules_wrapper_are_accepted(sim):
    one = sim.control("POST", "/faults", json={"kind": "empty", "path": "/CertificateStores"})
    wrapped = sim.control(
        "POST", "/faults", json={"rules": [{"kind": "html", "path": "/CertificateStores"}]}
    )
    assert one.status_code == wrapped.status_code == 201
    assert [r["kind"] for r in sim.control("GET", "/faults").json()] == ["empty", "html"]


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"kind": "explode", "path": "/x"}, "kind must be one of"),
        ({"kind": "status", "path": "/x"}, "needs status"),
        ({"kind": "status", "status": 200, "path": "/x"}, "from 400 to 599"),
        ({"kind": "status", "status": 503}, "path is required"),
        ({"kind": "delay", "path": "/x"}, "delay > 0"),
        ({"kind": "drop", "path": "/x", "count": 0}, "positive integer"),
        ({"kind": "drop", "path": "/x", "when": "during"}, "'before' or 'after'"),
        ({"kind": "drop", "path": "/x", "method": "BREW"}, "method must be"),
        ({"kind": "drop", "path": "/x", "stauts": 1}, "unknown key"),
        ({"kind": "status", "status": 429, "path": "/x", "retry_after": [1]}, "retry_after"),
        ({"kind": "hide_history"}, "exactly one of"),
        ({"kind": "hide_history", "seconds": 1, "job_id": "nope"}, "GUID"),
    ],
)
def test_invalid_rules_are_refused_and_nothing_is_added(sim, rule, message):
    good = {"kind": "drop", "path": "/CertificateStores"}
    resp = sim.control("POST", "/faults", json=[good, rule])
    assert resp.status_code == 400
    assert "rule 1" in resp.json()["error"] and message in resp.json()["error"]
    assert sim.control("GET", "/faults").json() == []


def test_reset_clears_rules(sim):
    sim.faults({"kind": "drop", "path": "/CertificateStores"})
    sim.control("POST", "/reset")
    assert sim.control("GET", "/faults").json() == []
    assert sim.get("/CertificateStores").status_code == 200


# --- matching ---------------------------------------------------------------------------------


def test_matching_by_method_template_query_and_api_prefix(sim, stores):
    sim.faults(
        {"kind": "status", "status": 500, "path": "/CertificateStores/{id}/Inventory"},
        {"kind": "status", "status": 502, "method": "POST", "path": "/CertificateStores"},
        {
            "kind": "status",
            "status": 504,
            "path": "/KeyfactorAPI/OrchestratorJobs/JobHistory",
            "query": 'JobId -eq "11111111',
        },
    )
    assert sim.get(f"/CertificateStores/{stores['jks']}/Inventory").status_code == 500
    assert sim.get(f"/certificatestores/{stores['jks']}/inventory/").status_code == 500
    assert sim.get(f"/CertificateStores/{stores['jks']}").status_code == 200
    assert sim.get("/CertificateStores").status_code == 200  # the 502 rule is POST only
    assert sim.get(HISTORY).status_code == 200
    query = {"QueryString": 'JobId -eq "11111111-2222-3333-4444-555555555555"'}
    assert sim.get(HISTORY, params=query).status_code == 504
    query = {"QueryString": 'JobId -eq "22222222-2222-3333-4444-555555555555"'}
    assert sim.get(HISTORY, params=query).status_code == 200


def test_first_matching_live_rule_wins_and_counts_run_out(sim):
    sim.faults(
        {"kind": "status", "status": 429, "path": "/CertificateStores", "count": 1},
        {"kind": "status", "status": 503, "path": "/CertificateStores", "count": 2},
    )
    codes = [sim.get("/CertificateStores").status_code for _ in range(4)]
    assert codes == [429, 503, 503, 200]


# --- statuses and bodies ----------------------------------------------------------------------


def test_429_with_retry_after_seconds_and_json_body(sim):
    sim.faults(
        {
            "kind": "status",
            "status": 429,
            "path": HISTORY,
            "retry_after": 7,
            "message": "Rate limit exceeded.",
        }
    )
    resp = sim.get(HISTORY)
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
    assert resp.json() == {"ErrorCode": "0xA0000001", "Message": "Rate limit exceeded."}
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "X-Keyfactor-Correlation-Id" in resp.headers


def test_503_with_retry_after_http_date_and_proxy_text(sim):
    sim.faults(
        {"kind": "status", "status": 503, "path": HISTORY, "retry_after": {"http_date_in": 30}},
        {
            "kind": "status",
            "status": 502,
            "path": REMOVE,
            "retry_after": "Fri, 01 Jan 2027 00:00:00 GMT",
        },
    )
    resp = sim.get(HISTORY)
    assert resp.status_code == 503 and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text.startswith("upstream connect error")
    when = email.utils.parsedate_to_datetime(resp.headers["Retry-After"]).timestamp()
    assert 25 < when - time.time() <= 31
    other = sim.remove([("b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a03", DEMO_TP)])
    assert other.status_code == 502
    assert other.headers["Retry-After"] == "Fri, 01 Jan 2027 00:00:00 GMT"


@pytest.mark.parametrize(
    "rule, status, content_type, check",
    [
        ({"status": 500}, 500, "application/json", lambda r: r.json()["ErrorCode"]),
        ({"status": 504, "body": "json"}, 504, "application/json", lambda r: r.json()["Message"]),
        ({"status": 401}, 401, "text/html", lambda r: "401 - Unauthorized" in r.text),
        ({"status": 403}, 403, "application/json", lambda r: r.json()["ErrorCode"] == "0xA0140001"),
        ({"status": 503, "body": "empty"}, 503, None, lambda r: r.content == b""),
        ({"status": 500, "body": "html"}, 500, "text/html", lambda r: "500" in r.text),
        (
            {"status": 409, "body": {"Custom": [1, "ü"]}},
            409,
            "application/json",
            lambda r: r.json() == {"Custom": [1, "ü"]},
        ),
    ],
)
def test_status_body_forms(sim, rule, status, content_type, check):
    sim.faults({"kind": "status", "path": "/CertificateStores", **rule})
    resp = sim.get("/CertificateStores")
    assert resp.status_code == status
    if content_type is None:
        assert "Content-Type" not in resp.headers
    else:
        assert resp.headers["Content-Type"].startswith(content_type)
    assert check(resp)
    if status == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Basic")


def test_status_before_does_not_process_and_after_does(sim, stores):
    sim.faults({"kind": "status", "status": 500, "path": REMOVE, "count": 1})
    assert sim.remove([(stores["k8s"], DEMO_TP)]).status_code == 500
    assert _jobs(sim) == []
    entry = sim.last_entry(REMOVE)
    assert entry["processed"] is False and entry["fault"]["kind"] == "status"
    assert entry["status"] == 500 and entry["dropped"] is False

    sim.faults({"kind": "status", "status": 502, "path": REMOVE, "count": 1, "when": "after"})
    assert sim.remove([(stores["k8s"], DEMO_TP)]).status_code == 502
    (job,) = _jobs(sim)
    entry = sim.last_entry(REMOVE)
    assert entry["processed"] is True and entry["status"] == 502
    assert entry["contract_errors"] == []  # the simulator's own answer was checked, and fine
    # the job the client never heard of still runs
    wait_for(lambda: [r for r in sim.history(job["id"]) if r["Status"] == "Completed"])


def test_faults_apply_before_authentication(sim):
    sim.faults({"kind": "status", "status": 503, "path": HISTORY, "count": 1})
    assert sim.get(HISTORY, user=None).status_code == 503
    assert sim.get(HISTORY, user=None).status_code == 401


def test_malformed_empty_and_html_bodies(sim, stores):
    sim.faults(
        {"kind": "malformed", "path": "/CertificateStores/{id}", "when": "after", "count": 1},
        {"kind": "empty", "path": "/CertificateStores/{id}", "count": 1},
        {"kind": "html", "path": "/CertificateStores/{id}", "count": 1},
        {"kind": "malformed", "path": "/CertificateStores/{id}", "count": 1},
    )
    cut = sim.get(f"/CertificateStores/{stores['jks']}")
    assert cut.status_code == 200 and cut.headers["Content-Type"].startswith("application/json")
    assert stores["jks"] in cut.text and cut.text.startswith('{"Id"')
    with pytest.raises(requests.exceptions.JSONDecodeError):
        cut.json()
    empty = sim.get(f"/CertificateStores/{stores['jks']}")
    assert empty.status_code == 200 and empty.content == b""
    assert empty.headers["Content-Type"].startswith("application/json")
    html = sim.get(f"/CertificateStores/{stores['jks']}")
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "<title>Sign in</title>" in html.text
    before = sim.get(f"/CertificateStores/{stores['jks']}")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        before.json()
    log = [e for e in sim.requests_log() if e["path"].startswith("/CertificateStores/")]
    assert [e["processed"] for e in log] == [True, False, False, False]
    assert [e["fault"]["kind"] for e in log] == ["malformed", "empty", "html", "malformed"]


def test_malformed_remove_answer_after_jobs_were_created(sim, stores):
    sim.faults({"kind": "malformed", "path": REMOVE, "when": "after", "count": 1})
    resp = sim.remove([(stores["k8s"], DEMO_TP), (stores["pem"], DEMO_TP)])
    assert resp.status_code == 200 and resp.text.startswith('["')
    with pytest.raises(requests.exceptions.JSONDecodeError):
        resp.json()
    assert len(_jobs(sim)) == 2


# --- delays -----------------------------------------------------------------------------------


def test_delay_before_times_out_the_client_and_processes_late(sim, stores):
    sim.faults({"kind": "delay", "path": REMOVE, "delay": 0.6, "count": 1})
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.remove([(stores["k8s"], DEMO_TP)], timeout=0.2)
    assert time.monotonic() - started < 0.5
    entry = sim.last_entry(REMOVE)
    assert entry["processed"] is False and entry["status"] is None  # still waiting
    assert _jobs(sim) == []
    wait_for(lambda: _jobs(sim), timeout=5, what="the late removal")
    assert sim.last_entry(REMOVE)["processed"] is True


def test_drop_before_after_a_delay_never_processes(sim, stores):
    sim.faults({"kind": "drop", "path": REMOVE, "delay": 0.4, "count": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.remove([(stores["k8s"], DEMO_TP)], timeout=0.15)
    entry = wait_for(lambda: sim.last_entry(REMOVE)["dropped"] and sim.last_entry(REMOVE))
    assert entry["processed"] is False and entry["status"] is None
    assert _jobs(sim) == []


def test_delay_after_processing_the_answer_comes_late(sim, stores):
    sim.faults({"kind": "delay", "path": REMOVE, "delay": 1.0, "when": "after", "count": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.remove([(stores["k8s"], DEMO_TP)], timeout=0.2)
    (job,) = _jobs(sim)  # created before the client gave up
    entry = sim.last_entry(REMOVE)
    assert (
        entry["processed"] is True and entry["status"] == 200 and entry["response"] == [job["id"]]
    )
    sim.faults({"kind": "delay", "path": HISTORY, "delay": 0.3, "when": "after", "count": 1})
    started = time.monotonic()
    assert sim.get(HISTORY).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_reset_cuts_a_delay_short_and_drops_the_request(sim, stores):
    sim.faults({"kind": "delay", "path": REMOVE, "delay": 30})
    outcome = {}

    def call():
        try:
            outcome["resp"] = sim.remove([(stores["k8s"], DEMO_TP)], timeout=10)
        except requests.exceptions.ConnectionError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=call)
    started = time.monotonic()
    worker.start()
    wait_for(lambda: any(e["path"] == REMOVE for e in sim.requests_log()), what="the request")
    sim.control("POST", "/reset")
    worker.join(timeout=5)
    assert not worker.is_alive() and "error" in outcome
    assert time.monotonic() - started < 5
    assert _jobs(sim) == []


# --- dropped connections ---------------------------------------------------------------------


def test_drop_closes_the_socket_without_any_http_response(sim):
    sim.faults({"kind": "drop", "path": "/CertificateStores", "count": 1})
    assert _raw_request(sim, "/CertificateStores") == b""
    entry = sim.last_entry("/CertificateStores")
    assert entry["dropped"] is True and entry["status"] is None and entry["processed"] is False
    # the rule is used up: the next raw request gets a real HTTP answer
    assert _raw_request(sim, "/CertificateStores").startswith(b"HTTP/1.1 401")


def test_drop_is_a_connection_error_for_requests(sim, stores):
    sim.faults({"kind": "drop", "path": HISTORY, "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        sim.get(HISTORY)
    assert not isinstance(caught.value, requests.exceptions.ReadTimeout)
    assert "without response" in str(caught.value) or "reset" in str(caught.value).lower()


def test_drop_after_remove_created_the_jobs(sim, stores):
    sim.faults({"kind": "drop", "path": REMOVE, "when": "after", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        sim.remove([(stores["k8s"], DEMO_TP)])
    (job,) = _jobs(sim)
    entry = sim.last_entry(REMOVE)
    assert entry["processed"] is True and entry["dropped"] is True
    assert entry["response"] is None and entry["fault"]["when"] == "after"
    assert entry["fault"]["real_status"] == 200 and entry["fault"]["real_response"] == [job["id"]]
    # the job the client never heard about runs to completion
    rows = wait_for(lambda: [r for r in sim.history(job["id"]) if r["Status"] == "Completed"])
    assert rows[0]["Result"] == "Success"


# --- hidden job history -----------------------------------------------------------------------


def _completed(sim, job_id):
    return [j for j in _jobs(sim) if j["id"] == job_id and j["state"] == "done"]


def test_history_hidden_for_a_while_although_the_job_ran(sim, stores):
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    (rule,) = sim.faults({"kind": "hide_history", "job_id": job, "seconds": 1.0})
    wait_for(lambda: _completed(sim, job), what="the job to run")
    assert sim.history(job) == []
    entry = sim.last_entry(HISTORY)
    assert len(entry["history_hidden"]) == 2  # InProcess + Completed rows
    assert entry["fault"] == {"kind": "hide_history", "ids": [rule["id"]]}
    other = sim.get(HISTORY, params={"ReturnLimit": 500}).json()
    assert len(other) == 72  # other jobs' rows are untouched
    rows = wait_for(lambda: sim.history(job), timeout=5, what="the rows to show")
    assert [r["Status"] for r in rows] == ["InProcess", "Completed"]
    assert sim.last_entry(HISTORY)["history_hidden"] == []


def test_history_row_lag_for_every_new_management_job(sim, stores):
    sim.faults({"kind": "hide_history", "row_lag": 0.6})
    (job,) = sim.remove([(stores["pem"], DEMO_TP)]).json()
    wait_for(lambda: _completed(sim, job), what="the job to run")
    assert sim.history(job) == []
    assert len(sim.get(HISTORY, params={"ReturnLimit": 500}).json()) == 72
    wait_for(lambda: len(sim.history(job)) == 2, timeout=5, what="the rows to show")


def test_hidden_history_composes_with_retry_ints_and_nojobs(sim, stores):
    sim.config(enum_format="ints")
    sim.behaviour(
        stores["k8s"], "will_retry", message="Zeitüberschreitung", final_outcome="warning"
    )
    (job,) = sim.remove([(stores["k8s"], DEMO_TP)]).json()
    until = time.time() + 0.8
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(until)) + f".{int(until % 1 * 1000):03d}Z"
    sim.faults(
        {"kind": "hide_history", "job_id": job, "until": iso},
        {"kind": "status", "status": 503, "path": HISTORY, "count": 1},
    )
    assert sim.get(HISTORY, user="nojobs").status_code == 503  # the fault comes first
    assert sim.get(HISTORY, user="nojobs").status_code == 403
    wait_for(lambda: _completed(sim, job), timeout=5, what="retry and final run")
    if time.time() < until - 0.1:
        assert sim.history(job) == []
    rows = wait_for(lambda: sim.history(job), timeout=5, what="the rows to show")
    assert [(r["Status"], r["Result"]) for r in rows] == [(2, 0), (5, 4), (2, 0), (3, 3)]
    assert rows[1]["Message"] == "Zeitüberschreitung"


def test_never_picked_up_job_with_a_late_remove_answer(sim, stores):
    sim.behaviour(stores["adc"], "never_pickup")
    sim.faults({"kind": "delay", "path": REMOVE, "delay": 0.3, "when": "after", "count": 1})
    resp = sim.remove([(stores["adc"], "api-example-test")])
    assert resp.status_code == 200
    (job,) = resp.json()
    assert [j["Id"] for j in sim.scheduled_management()] == [job]
    assert sim.history(job) == []
