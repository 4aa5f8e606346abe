"""The API client over real HTTP, fed with answers recorded from Command 25.4.1."""

import pytest

from http_server import Answer

from ansible_collections.keyfactor.command.plugins.module_utils._errors import ApiError
from ansible_collections.keyfactor.command.plugins.module_utils._targets import Target

STORE = "f0cc1ede-3173-44b3-8368-ba1251ddb32e"
JOB_A = "d985c4a4-efc5-4a18-8019-ed2dc1484802"
JOB_B = "0b4b411a-5c7e-4f0e-9d4c-6a1f2e3d4c5b"


def recorded_answer(interaction):
    return Answer(interaction["status"], body=interaction["response_body"],
                  headers=dict(interaction["response_headers"]))


def test_inventory_of_recorded_store_lists_its_alias(server, client, recorded):
    server.script(recorded_answer(recorded[14]))
    assert client.inventory_aliases(STORE) == ["D25F423760A047052E0B064B4B756E00B800C476"]
    [seen] = server.seen
    assert (seen.method, seen.path) == ("GET", "/KeyfactorAPI/CertificateStores/%s/Inventory" % STORE)
    assert seen.query == {"PageReturned": ["1"], "ReturnLimit": ["100"]}
    assert seen.headers["x-keyfactor-requested-with"] == "APIClient"
    assert seen.headers["x-keyfactor-api-version"] == "1"
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["Authorization"].startswith("Basic ")


def test_empty_recorded_inventory(server, client, recorded):
    server.script(recorded_answer(recorded[33]))
    assert client.inventory_aliases(STORE) == []
    assert len(server.seen) == 1


def _items(names):
    return [{"Name": name, "Certificates": [], "Parameters": {}, "CertStoreId": STORE}
            for name in names]


def test_inventory_reads_every_page_until_a_short_one(server, client):
    names = ["alias-%03d" % index for index in range(230)]
    server.script(
        Answer(body=_items(names[:100]), headers={"X-Total-Count": "230"}),
        Answer(body=_items(names[100:200]), headers={"X-Total-Count": "230"}),
        Answer(body=_items(names[200:]), headers={"X-Total-Count": "230"}),
    )
    assert client.inventory_aliases(STORE) == names
    assert [seen.query["PageReturned"] for seen in server.seen] == [["1"], ["2"], ["3"]]


def test_inventory_stops_on_an_empty_page_past_the_end(server, client):
    names = ["alias-%03d" % index for index in range(100)]
    server.script(Answer(body=_items(names)), Answer(body=[]))
    assert client.inventory_aliases(STORE) == names
    assert len(server.seen) == 2


@pytest.mark.parametrize("status, body, expected", [
    (404, {"ErrorCode": "0xA0110015", "Message": "Certificate store not found."},
     "Reading the inventory of certificate store %s failed: HTTP 404: Certificate store not "
     "found. No certificate store with this ID exists, or the account cannot see it." % STORE),
    (403, {"ErrorCode": "0xA0110009", "Message": "Access denied."},
     "Reading the inventory of certificate store %s failed: HTTP 403: Access denied. The account "
     "needs permission to read certificate stores (/certificate_stores/read/) for this store."
     % STORE),
])
def test_inventory_403_and_404_are_errors_never_absent(server, client, status, body, expected):
    server.script(Answer(status, body=body))
    with pytest.raises(ApiError) as error:
        client.inventory_aliases(STORE)
    assert str(error.value) == expected


def test_remove_sends_the_recorded_request_shape(server, client, recorded):
    server.script(recorded_answer(recorded[22]))
    jobs = client.remove_certificates(
        [Target(STORE, "D25F423760A047052E0B064B4B756E00B800C476")], {"Immediate": True})
    assert jobs == [JOB_A]
    [seen] = server.seen
    assert (seen.method, seen.path) == ("POST", "/KeyfactorAPI/CertificateStores/Certificates/Remove")
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.body == {
        "CertificateStores": [
            {"CertificateStoreId": STORE, "Alias": "D25F423760A047052E0B064B4B756E00B800C476"}],
        "Schedule": {"Immediate": True},
    }


def test_remove_sends_collection_id_only_when_given(server, client):
    server.script(Answer(body=[JOB_A]))
    client.remove_certificates([Target(STORE, "app-cert")], {"Immediate": True}, collection_id=7)
    assert server.seen[0].body["CollectionId"] == 7


@pytest.mark.parametrize("answer, got", [
    (Answer(200, raw=""), "None"),
    (Answer(200, raw="null", headers={"Content-Type": "application/json"}), "None"),
    (Answer(200, body=[]), "[]"),
    (Answer(200, body={"JobIds": [JOB_A]}), "{'JobIds': ['%s']}" % JOB_A),
    (Answer(200, body=["not-a-guid"]), "['not-a-guid']"),
])
def test_remove_without_job_ids_fails_and_says_it_may_be_submitted(server, client, answer, got):
    server.script(answer)
    with pytest.raises(ApiError) as error:
        client.remove_certificates([Target(STORE, "app-cert")], {"Immediate": True})
    assert str(error.value) == (
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "HTTP 200: the answer holds no job IDs (got %s). Command may have accepted the removal "
        "anyway: check the stores' job history before running the task again." % got)
    assert len(server.seen) == 1


def test_remove_answered_with_an_html_page(server, client):
    server.script(Answer(200, raw="<html><body><h1>Welcome</h1></body></html>",
                         headers={"Content-Type": "text/html"}))
    with pytest.raises(ApiError) as error:
        client.remove_certificates([Target(STORE, "app-cert")], {"Immediate": True})
    assert str(error.value) == (
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "HTTP 200: the answer is not JSON (it begins: Welcome). Command may have accepted the "
        "removal anyway: check the stores' job history before running the task again.")


SAMPLE_ROWS = [
    # Shape and values of a real on-prem JobHistory answer (API-NOTES section 4, SAMPLE);
    # the enums arrive as names and the timestamps carry no offset.
    {"JobHistoryId": 2168, "AgentMachine": "COMMAND", "JobId": JOB_B,
     "Schedule": {"Interval": {"Minutes": 1}}, "JobType": "WinCertInventory",
     "OperationStart": "2023-05-06T00:27:00", "OperationEnd": "2023-05-06T00:27:00",
     "Message": "", "Result": "Success", "Status": "Completed", "StorePath": "My",
     "ClientMachine": "iis01.example.test"},
    {"JobHistoryId": 2171, "AgentMachine": "COMMAND", "JobId": JOB_B,
     "Schedule": {"Interval": {"Minutes": 1}}, "JobType": "WinCertInventory",
     "OperationStart": "2023-05-06T00:28:00", "OperationEnd": None,
     "Message": "", "Result": "Unknown", "Status": "InProcess", "StorePath": "My",
     "ClientMachine": "iis01.example.test"},
]


def test_job_history_reads_name_enums_and_queries_all_jobs_at_once(server, client):
    server.script(Answer(body=SAMPLE_ROWS))
    rows = client.job_history([JOB_A, JOB_B])
    assert [(r.job_id, r.history_id, r.status, r.result, r.final) for r in rows] == [
        (JOB_B, 2168, "Completed", "Success", True),
        (JOB_B, 2171, "InProcess", "Unknown", False),
    ]
    [seen] = server.seen
    assert seen.path == "/KeyfactorAPI/OrchestratorJobs/JobHistory"
    assert seen.query == {
        "QueryString": ['JobId -eq "%s" OR JobId -eq "%s"' % (JOB_A, JOB_B)],
        "SortField": ["JobHistoryId"],
        "SortAscending": ["1"],
        "PageReturned": ["1"],
        "ReturnLimit": ["100"],
    }


def test_job_history_reads_integer_enums(server, client):
    row = dict(SAMPLE_ROWS[0], Status=5, Result=4)
    server.script(Answer(body=[row]))
    [parsed] = client.job_history([JOB_B])
    assert (parsed.status, parsed.result, parsed.final) == ("CompletedWillRetry", "Failure", False)


def test_job_history_splits_large_sets_into_bounded_queries(server, client):
    jobs = ["00000000-0000-4000-8000-%012d" % index for index in range(60)]
    server.script(Answer(body=[]), Answer(body=[]), Answer(body=[]))
    assert client.job_history(jobs) == []
    queries = [seen.query["QueryString"][0] for seen in server.seen]
    assert [query.count("JobId -eq") for query in queries] == [25, 25, 10]
    assert all(len(seen_query) < 2048 for seen_query in queries)


def test_job_history_403_names_the_permission(server, client):
    server.script(Answer(403, body={"ErrorCode": "0xA0110009", "Message": "Forbidden"}))
    with pytest.raises(ApiError) as error:
        client.job_history([JOB_A])
    assert error.value.status == 403
    assert str(error.value).endswith(
        "HTTP 403: Forbidden. The account needs the /agents/management/read/ permission to read "
        "job history.")


def test_job_history_row_without_ids_is_an_error(server, client):
    server.script(Answer(body=[{"Status": "Completed"}]))
    with pytest.raises(ApiError, match="a job history row lacks JobId or JobHistoryId"):
        client.job_history([JOB_A])


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_removal_answered_by_a_server_error_may_have_been_submitted(server, client, status):
    server.script(Answer(status, body={"Message": "upstream trouble"}))
    with pytest.raises(ApiError) as error:
        client.remove_certificates([Target(STORE, "app-cert")], {"Immediate": True})
    assert str(error.value).endswith(
        "HTTP %d: upstream trouble. Command may have accepted the removal anyway: check the "
        "stores' job history before running the task again." % status)
    assert len(server.seen) == 1


def test_removal_refused_with_429_was_not_submitted(server, client):
    server.script(Answer(429, body={"Message": "Too many requests"}))
    with pytest.raises(ApiError) as error:
        client.remove_certificates([Target(STORE, "app-cert")], {"Immediate": True})
    assert str(error.value) == (
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "HTTP 429: Too many requests.")
    assert len(server.seen) == 1


def test_removal_whose_answer_is_lost_may_have_been_submitted(server, settings):
    from conftest import fast_transport
    from ansible_collections.keyfactor.command.plugins.module_utils._client import KeyfactorClient
    from ansible_collections.keyfactor.command.plugins.module_utils._errors import TransportError

    settings.timeout = 0.3
    server.script(Answer(body=[JOB_A], delay=1.0))
    with pytest.raises(TransportError) as error:
        KeyfactorClient(fast_transport(settings)).remove_certificates(
            [Target(STORE, "app-cert")], {"Immediate": True})
    assert str(error.value) == (
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: no "
        "answer within 0.3 s (timeout). The removal may have been submitted: check the stores' "
        "job history before running the task again.")
    assert len(server.seen) == 1


def test_scheduled_jobs_and_store_location(server, client):
    server.script(
        Answer(body=[{"Id": JOB_A.upper(), "ClientMachine": "web01.example.test",
                      "Target": "/etc/ssl/certs/shop.pem", "Schedule": {},
                      "Requested": "KEYFACTOR\\demo", "JobType": "RFPEMManagement"}],
               headers={"X-Total-Count": "1"}),
        Answer(body={"Id": STORE, "ClientMachine": "web01.example.test",
                     "Storepath": "/etc/ssl/certs/shop.pem"}),
    )
    [job] = client.scheduled_jobs()
    assert (job.job_id, job.client_machine, job.target, job.schedule, job.is_management) == (
        JOB_A, "web01.example.test", "/etc/ssl/certs/shop.pem", {}, True)
    assert client.store_location(STORE) == ("web01.example.test", "/etc/ssl/certs/shop.pem")
    assert [(s.path, s.query) for s in server.seen] == [
        ("/KeyfactorAPI/OrchestratorJobs/ScheduledJobs", {"PageReturned": ["1"], "ReturnLimit": ["100"]}),
        ("/KeyfactorAPI/CertificateStores/%s" % STORE, {}),
    ]


def test_store_location_of_the_recorded_store(server, client, recorded):
    server.script(recorded_answer(recorded[16]))
    machine, path = client.store_location(STORE)
    assert (machine, path) == (recorded[16]["response_body"]["ClientMachine"],
                               recorded[16]["response_body"]["Storepath"])


def test_a_server_that_ignores_paging_is_caught(server, client):
    page = _items(["same-%03d" % index for index in range(100)])
    server.script(Answer(body=page), Answer(body=page))
    with pytest.raises(ApiError, match="page 2 repeats page 1: the server does not page this list"):
        client.inventory_aliases(STORE)
    assert len(server.seen) == 2


def test_404_that_is_not_a_keyfactor_error_points_at_url_and_api_path(server, client):
    server.script(Answer(404, raw="<html><body>Not Found</body></html>",
                         headers={"Content-Type": "text/html"}))
    with pytest.raises(ApiError) as error:
        client.inventory_aliases(STORE)
    assert str(error.value).endswith(
        "HTTP 404: Not Found. The server's 404 is not a Keyfactor error: check url and api_path "
        "(most installations use KeyfactorAPI, some Keyfactor/API).")


@pytest.mark.parametrize("answer, got", [
    (Answer(200, raw="", headers={"Content-Type": "application/json"}), "no body"),
    (Answer(204), "no body"),
    (Answer(200, raw="null", headers={"Content-Type": "application/json"}), "no body"),
    (Answer(200, body={}), "{}"),
])
def test_inventory_answer_that_is_not_a_list_is_an_error_never_absent(server, client, answer, got):
    server.script(answer)
    with pytest.raises(ApiError) as error:
        client.inventory_aliases(STORE)
    assert "expected a JSON list, got %s" % got in str(error.value)


def test_inventory_shorter_than_its_count_is_an_error_never_absent(server, client):
    names = ["alias-%03d" % index for index in range(120)]
    server.script(Answer(body=_items(names[:100]), headers={"X-Total-Count": "120"}),
                  Answer(body=[], headers={"X-Total-Count": "120"}))
    with pytest.raises(ApiError) as error:
        client.inventory_aliases(STORE)
    assert "the list ended after 100 of the 120 entries the server counts (X-Total-Count)" in str(
        error.value)


def test_inventory_longer_than_its_count_is_an_error(server, client):
    names = ["alias-%03d" % index for index in range(100)]
    server.script(Answer(body=_items(names), headers={"X-Total-Count": "40"}))
    with pytest.raises(ApiError, match=r"the server sent 100 entries but counts 40"):
        client.inventory_aliases(STORE)


def test_a_full_page_matching_the_count_is_followed_by_one_more_read(server, client):
    names = ["alias-%03d" % index for index in range(100)]
    server.script(Answer(body=_items(names), headers={"X-Total-Count": "100"}),
                  Answer(body=_items(["late"]), headers={"X-Total-Count": "100"}))
    with pytest.raises(ApiError, match=r"the server sent 101 entries but counts 100"):
        client.inventory_aliases(STORE)
    assert len(server.seen) == 2
