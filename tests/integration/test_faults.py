"""The fault matrix (docs/fault-matrix.md): each fault the simulator injects, what the user
sees, and what the module did. One test per row; the row's number is in the test's name."""

import base64
import json

import pytest

from harness import (
    ALL_PERMISSIONS,
    DEMO_THUMBPRINT,
    S_IIS,
    S_JKS,
    S_K8S,
    S_PEM,
    Simulator,
    checked,
    module_task,
    run_playbook,
)

REMOVE = "/CertificateStores/Certificates/Remove"
HISTORY = "/OrchestratorJobs/JobHistory"
INVENTORY = "/CertificateStores/{id}/Inventory"


def remove(**extra):
    args = dict(state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS, S_PEM],
                poll_interval=0.1, wait_timeout=60)
    args.update(extra)
    return module_task(**args)


def posts(sim):
    """The removal requests the simulator received."""
    return [entry for entry in sim.requests()
            if entry["method"] == "POST" and entry["path"] == REMOVE]


def test_01_inventory_503_with_retry_after_is_retried(sim, tmp_path):
    sim.fault(kind="status", status=503, retry_after=1, method="GET", path=INVENTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed", "removed"]
    reads = [e for e in sim.requests() if e["path"] == "/CertificateStores/%s/Inventory" % S_IIS]
    assert [e["status"] for e in reads[:2]] == [503, 200]


def test_02_reads_failing_past_wait_timeout_name_the_status(sim, tmp_path):
    sim.fault(kind="status", status=503, method="GET", path=INVENTORY)
    run = run_playbook(sim, tmp_path, [remove(wait_timeout=4)])
    assert run.rc == 2
    assert run.result["msg"].startswith(
        "Reading the inventory of certificate store %s failed: HTTP 503" % S_IIS)
    assert run.result["changed"] is False
    assert posts(sim) == []
    assert 2 <= len(sim.requests()) <= 6


def test_03_job_history_429_is_retried_honouring_retry_after(sim, tmp_path):
    sim.fault(kind="status", status=429, retry_after=1, method="GET", path=HISTORY, count=2)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed", "removed"]
    statuses = [e["status"] for e in sim.requests() if e["path"] == HISTORY]
    assert statuses[:3] == [429, 429, 200]


@pytest.mark.parametrize("status", [502, 504])
def test_04_gateway_errors_on_reads_are_retried(sim, tmp_path, status):
    sim.fault(kind="status", status=status, method="GET", path=HISTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 0, run.stdout
    assert [e["status"] for e in sim.requests() if e["path"] == HISTORY][:2] == [status, 200]


def test_05_dropped_connection_on_a_read_is_retried(sim, tmp_path):
    sim.fault(kind="drop", method="GET", path=INVENTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 0, run.stdout
    assert len(posts(sim)) == 1


def test_06_dropped_answer_to_the_removal_is_never_resent_and_rerun_is_safe(sim, tmp_path):
    sim.behave(S_IIS, "never_pickup")
    sim.behave(S_PEM, "never_pickup")
    sim.fault(kind="drop", when="after", method="POST", path=REMOVE, count=1)

    run = run_playbook(sim, tmp_path, [remove()])

    assert run.rc == 2
    result = run.result
    assert result["changed"] is True
    assert result["msg"].startswith(
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "could not talk to %s/KeyfactorAPI (Remote end closed connection without response)."
        % sim.url)
    assert result["msg"].endswith(
        "The removal may have been submitted: check the stores' job history before running the "
        "task again.")
    assert [s["outcome"] for s in result["stores"]] == ["unknown", "unknown"]
    [post] = posts(sim)
    created = post["fault"]["real_response"]
    sim.clear_requests()

    rerun = run_playbook(sim, tmp_path, [remove(wait=False)])

    # The rerun never leaves the certificate in place on the strength of a job it cannot tell
    # apart from another certificate's: it submits again.
    assert rerun.rc == 0, rerun.stdout
    assert [s["outcome"] for s in rerun.result["stores"]] == ["submitted", "submitted"]
    assert not set(rerun.result["job_ids"]) & set(created)
    assert len(posts(sim)) == 1


def test_06b_empty_inventory_answer_is_an_error_never_absent(sim, tmp_path):
    sim.fault(kind="empty", method="GET", path=INVENTORY)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert run.result["msg"] == (
        "Reading the inventory of certificate store %s failed: HTTP 200: expected a JSON list, got "
        "no body." % S_IIS)
    assert posts(sim) == []


def test_06d_count_lower_than_the_page_is_an_error_never_absent(sim, tmp_path):
    for index in range(120):
        sim.add_alias(S_JKS, "pg%03d" % index)
    sim.fault(kind="delay", when="after", delay=0.01, method="GET", path=INVENTORY,
              query="PageReturned=1", headers={"X-Total-Count": "40"})
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "pg119"}])])
    assert run.rc == 2
    assert run.result["msg"].endswith(
        "the server sent 100 entries but counts 40 (X-Total-Count).")
    assert posts(sim) == []


def test_06c_failed_poll_after_submission_says_the_removal_was_submitted(sim, tmp_path):
    sim.fault(kind="status", status=500, method="GET", path=HISTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    jobs = run.result["job_ids"]
    assert run.result["msg"].startswith(
        "The removal was submitted (jobs %s), but its progress cannot be followed: Reading the "
        "job history of" % ", ".join(jobs))
    assert run.result["msg"].endswith(
        "The jobs go on in Command: follow them there, or run the task again once Command "
        "answers.")
    assert run.result["changed"] is True


def test_07_removal_answered_after_the_client_timeout(sim, tmp_path):
    sim.fault(kind="delay", when="after", delay=4, method="POST", path=REMOVE, count=1)
    run = run_playbook(sim, tmp_path, [remove(timeout=2)])
    assert run.rc == 2
    assert "no answer within 2 s (timeout). The removal may have been submitted" in run.result["msg"]
    assert run.result["changed"] is True
    assert len(posts(sim)) == 1


@pytest.mark.parametrize("status", [502, 503])
def test_08_gateway_error_on_the_removal_is_not_retried(sim, tmp_path, status):
    sim.fault(kind="status", status=status, method="POST", path=REMOVE, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert run.result["msg"].endswith(
        "Command may have accepted the removal anyway: check the stores' job history before "
        "running the task again.")
    assert "HTTP %d" % status in run.result["msg"]
    assert len(posts(sim)) == 1


def test_09_removal_refused_with_429_was_not_submitted(sim, tmp_path):
    sim.fault(kind="status", status=429, retry_after=30, method="POST", path=REMOVE, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert run.result["changed"] is False
    assert run.result["msg"].startswith(
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "HTTP 429")
    assert len(posts(sim)) == 1


def test_10_malformed_inventory_body(sim, tmp_path):
    sim.fault(kind="malformed", method="GET", path=INVENTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert "failed: HTTP 200: the answer is not JSON (it begins: " in run.result["msg"]
    assert posts(sim) == []


def test_11_sign_in_page_instead_of_the_api(sim, tmp_path):
    sim.fault(kind="html", method="GET", path=INVENTORY)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert run.result["msg"].endswith(
        "Check url and api_path: they must point at the Keyfactor Command API.")
    assert "Sign in" in run.result["msg"]
    assert posts(sim) == []


def test_12_empty_answer_to_the_removal(sim, tmp_path):
    sim.fault(kind="empty", when="after", method="POST", path=REMOVE, count=1)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 2
    assert "HTTP 200: the answer holds no job IDs (got None)" in run.result["msg"]
    assert run.result["changed"] is True
    assert [s["outcome"] for s in run.result["stores"]] == ["unknown", "unknown"]
    assert not [e for e in sim.requests() if e["path"] == HISTORY]


def test_13_job_history_missing_for_a_while(sim, tmp_path):
    sim.fault(kind="hide_history", seconds=3)
    run = run_playbook(sim, tmp_path, [remove()])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed", "removed"]
    assert any(e.get("history_hidden") for e in sim.requests() if e["path"] == HISTORY)


def test_14_token_refused_once_is_fetched_again(sim, tmp_path):
    client_id, secret = sim.oauth_client
    sim.fault(kind="status", status=401, method="GET", path=INVENTORY, count=1)
    run = run_playbook(sim, tmp_path, [remove(token_url=sim.token_url, client_id=client_id,
                                              client_secret=secret)], connection_env=False,
                       env={"KEYFACTOR_HOSTNAME": sim.url})
    assert run.rc == 0, run.stdout
    tokens = [e for e in sim.requests() if e.get("endpoint") == "token"]
    assert len(tokens) == 2
    assert secret not in json.dumps(sim.requests())


def test_15_token_refused_twice_fails(sim, tmp_path):
    client_id, secret = sim.oauth_client
    sim.fault(kind="status", status=401, method="GET", path=INVENTORY, count=2)
    run = run_playbook(sim, tmp_path, [remove(token_url=sim.token_url, client_id=client_id,
                                              client_secret=secret)], connection_env=False,
                       env={"KEYFACTOR_HOSTNAME": sim.url})
    assert run.rc == 2
    assert run.result["msg"].startswith(
        "Reading the inventory of certificate store %s failed: HTTP 401" % S_IIS)
    assert len([e for e in sim.requests() if e.get("endpoint") == "token"]) == 2
    assert posts(sim) == []


def test_16_oauth_from_the_environment_with_scopes(sim, tmp_path):
    client_id, secret = sim.oauth_client
    run = run_playbook(sim, tmp_path, [remove()], connection_env=False, env={
        "KEYFACTOR_HOSTNAME": sim.url, "KEYFACTOR_AUTH_TOKEN_URL": sim.token_url,
        "KEYFACTOR_AUTH_CLIENT_ID": client_id, "KEYFACTOR_AUTH_CLIENT_SECRET": secret,
        "KEYFACTOR_AUTH_SCOPES": "openid"})
    assert run.rc == 0, run.stdout
    [token] = [e for e in sim.requests() if e.get("endpoint") == "token"]
    assert token["body"]["scope"] == "openid"
    assert token["body"]["client_secret"] == "<redacted>"
    assert secret not in run.stdout + run.stderr


def test_16b_failing_task_credentials_are_never_retried_with_the_environments(sim, tmp_path):
    client_id, secret = sim.oauth_client
    run = run_playbook(sim, tmp_path, [remove(username="KEYFACTOR\\demo", password="Wr0ng-1")],
                       connection_env=False, env={
                           "KEYFACTOR_HOSTNAME": sim.url, "KEYFACTOR_PASSWORD": sim.password,
                           "KEYFACTOR_AUTH_TOKEN_URL": sim.token_url,
                           "KEYFACTOR_AUTH_CLIENT_ID": client_id,
                           "KEYFACTOR_AUTH_CLIENT_SECRET": secret})
    assert run.rc == 2
    assert "HTTP 401" in run.result["msg"]
    assert [(e["endpoint"], e["status"]) for e in sim.requests()] == [("api", 401)]


def test_17_non_ascii_user_alias_and_message(sim, tmp_path):
    sim.add_user("KEYFACTOR\\jürgen", "Grüße-€-2025", ALL_PERMISSIONS)
    sim.add_alias(S_JKS, "zertifikat-müller")
    sim.behave(S_JKS, "warning", message="Schlüssel gelöscht – Neustart nötig")
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "zertifikat-müller"}], poll_interval=0.1)],
        env={"KEYFACTOR_USERNAME": "KEYFACTOR\\jürgen", "KEYFACTOR_PASSWORD": "Grüße-€-2025"})
    assert run.rc == 0, run.stdout
    [store] = run.result["stores"]
    assert (store["alias"], store["outcome"], store["message"]) == (
        "zertifikat-müller", "warning", "Schlüssel gelöscht – Neustart nötig")
    assert "zertifikat-müller" not in sim.aliases(S_JKS)
    assert "Grüße-€-2025" not in run.stdout + run.stderr


def test_18_secrets_never_printed_whatever_fails(sim, tmp_path):
    client_id, secret = sim.oauth_client
    sim.behave(S_PEM, "failure", message="disk full")
    sim.fault(kind="status", status=503, method="GET", path=HISTORY, count=2)
    runs = [
        run_playbook(sim, tmp_path, [remove()], verbosity=4),
        run_playbook(sim, tmp_path, [remove()], verbosity=4,
                     env={"KEYFACTOR_PASSWORD": "Wr0ng-Secret-Value"}),
        run_playbook(sim, tmp_path, [remove(token_url=sim.token_url, client_id=client_id,
                                            client_secret=secret)],
                     connection_env=False, env={"KEYFACTOR_HOSTNAME": sim.url}, verbosity=4),
        run_playbook(sim, tmp_path, [remove(access_token="Given-Access-Token-123")],
                     connection_env=False, env={"KEYFACTOR_HOSTNAME": sim.url}, verbosity=4),
    ]
    secrets = [sim.password, "Wr0ng-Secret-Value", secret, "Given-Access-Token-123"]
    secrets += [base64.b64encode(("KEYFACTOR\\demo:" + value).encode()).decode()
                for value in (sim.password, "Wr0ng-Secret-Value")]
    for run in runs:
        output = run.stdout + run.stderr + json.dumps(run.results)
        for value in secrets:
            assert value not in output
    assert [run.rc for run in runs] == [2, 2, 2, 2]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    sim = Simulator(str(tmp_path_factory.mktemp("tls-simulator")), tls=True)
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory):
    sim = Simulator(str(tmp_path_factory.mktemp("mtls-simulator")), tls=True, client_ca="require")
    yield sim
    sim.stop()


@pytest.fixture
def tls_sim(tls_server):
    yield from checked(tls_server)


@pytest.fixture
def mtls_sim(mtls_server):
    yield from checked(mtls_server)


def test_19_https_with_a_private_ca_chain(tls_sim, tmp_path):
    run = run_playbook(tls_sim, tmp_path, [remove(ca_path=tls_sim.tls["chain_file"])])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed", "removed"]


def test_20_https_untrusted_fails_with_advice(tls_sim, tmp_path):
    run = run_playbook(tls_sim, tmp_path, [remove()])
    assert run.rc == 2
    assert "TLS verification failed" in run.result["msg"]
    assert run.result["msg"].endswith(
        "Give the CA bundle that signed the server certificate in ca_path, or set validate_certs "
        "to false for a test server.")


def test_21_verification_turned_off_warns(tls_sim, tmp_path):
    run = run_playbook(tls_sim, tmp_path, [remove(store_ids=[S_K8S])],
                       env={"KEYFACTOR_SKIP_VERIFY": "true"})
    assert run.rc == 0, run.stdout
    assert run.result["warnings"] == [
        "TLS certificate verification is turned off for %s/KeyfactorAPI; the server's identity "
        "is not checked." % tls_sim.url]


def test_22_client_certificate_required(mtls_sim, tmp_path):
    paths = mtls_sim.tls
    run = run_playbook(mtls_sim, tmp_path, [remove(
        ca_path=paths["chain_file"], client_cert=paths["client_cert"],
        client_key=paths["client_key"])])
    assert run.rc == 0, run.stdout
    refused = run_playbook(mtls_sim, tmp_path, [remove(ca_path=paths["chain_file"])])
    assert refused.rc == 2
    assert refused.result["msg"].startswith(
        "Reading the inventory of certificate store %s failed: " % S_IIS)
