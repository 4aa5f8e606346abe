"""Bad input and server errors: what the user reads, and what was (not) sent."""

import pytest

from harness import ALL_PERMISSIONS, DEMO_THUMBPRINT, S_IIS, S_PEM, module_task, run_playbook

MISSING = "b3a0d7e2-1c4f-4a8e-9f21-000000000000"


@pytest.mark.parametrize("args, message", [
    (dict(store_ids=["not-a-guid"], alias="x"),
     "store_ids[0]: 'not-a-guid' is not a certificate store GUID (expected the form "
     "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."),
    (dict(stores=[{"id": S_IIS, "alias": "x"}, {"id": S_PEM, "alias": ""}]),
     "stores[1].alias: the alias must not be empty."),
    (dict(store_ids=[S_IIS], alias="   "), "alias: the alias must not be empty."),
    (dict(stores=[]), "stores: name at least one store."),
    (dict(stores=[{"id": S_IIS, "alias": "x"}], store_ids=[S_PEM], alias="x"),
     "parameters are mutually exclusive: stores|store_ids"),
    (dict(store_ids=[S_IIS]), "parameters are required together: store_ids, alias"),
    (dict(), "one of the following is required: stores, store_ids"),
    (dict(store_ids=[S_IIS], alias="x", wait_timeout=0),
     "wait_timeout: must be a number of seconds from 1 to 86400."),
    (dict(store_ids=[S_IIS], alias="x", poll_interval="nan"),
     "poll_interval: must be a number of seconds from 0.1 to 3600."),
    (dict(store_ids=[S_IIS], alias="app-cert "), "alias: 'app-cert ' starts or ends with spaces"),
    (dict(store_ids=[S_IIS], alias="x", poll_interval="soon"),
     "argument 'poll_interval' is of type str and we were unable to convert to float"),
])
def test_bad_input_fails_before_any_request(sim, tmp_path, args, message):
    run = run_playbook(sim, tmp_path, [module_task(state="absent", **args)])
    assert run.rc == 2
    assert message in run.result["msg"]
    assert run.result["changed"] is False
    assert sim.calls() == []


def test_state_other_than_absent_is_refused(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(state="present", store_ids=[S_IIS], alias="x")])
    assert run.rc == 2
    assert "value of state must be one of: absent, got: present" in run.result["msg"]
    assert sim.calls() == []


def test_url_with_a_path_is_refused_before_any_request(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", store_ids=[S_IIS], alias="x", url=sim.url + "/KeyfactorAPI")])
    assert run.rc == 2
    assert run.result["msg"].startswith("url: '%s/KeyfactorAPI' has a path;" % sim.url)
    assert sim.calls() == []


def test_unknown_store_fails_before_submitting(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS, MISSING])])
    assert run.rc == 2
    msg = run.result["msg"]
    assert msg.startswith("Reading the inventory of certificate store %s failed: HTTP 404" % MISSING)
    assert msg.endswith("No certificate store with this ID exists, or the account cannot see it.")
    assert ("POST", "/CertificateStores/Certificates/Remove") not in sim.calls()


def test_wrong_password_is_a_clear_401_without_the_secret(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias="x", store_ids=[S_IIS])],
        env={"KEYFACTOR_PASSWORD": "Wr0ng-Passw0rd-xyz"})
    assert run.rc == 2
    msg = run.result["msg"]
    assert msg.startswith("Reading the inventory of certificate store %s failed: HTTP 401" % S_IIS)
    assert msg.endswith("Check the credentials (for Basic authentication: username, password and "
                        "domain; the account is sent as DOMAIN\\user).")
    assert "Wr0ng-Passw0rd-xyz" not in run.stdout + run.stderr


def test_plain_user_with_domain_option_logs_in(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias="x", store_ids=[S_IIS], username="demo", domain="keyfactor")])
    assert run.rc == 0, run.stdout
    assert run.result["changed"] is False


def test_task_options_beat_the_environment(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias="x", store_ids=[S_IIS], url=sim.url)],
        env={"KEYFACTOR_HOSTNAME": "http://127.0.0.1:9"})
    assert run.rc == 0, run.stdout


def test_refused_connection(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias="x", store_ids=[S_IIS], url="http://127.0.0.1:9")])
    assert run.rc == 2
    assert run.result["msg"] == (
        "Reading the inventory of certificate store %s failed: could not talk to "
        "http://127.0.0.1:9/KeyfactorAPI (Connection refused). Check url and that the server is "
        "running." % S_IIS)
    assert "Traceback" not in run.stdout + run.stderr


def test_job_history_403_says_removal_was_submitted(sim, tmp_path):
    sim.add_user("KEYFACTOR\\nowatch", "N0-Watch-pw", [
        p for p in ALL_PERMISSIONS if p != "/agents/management/read/"])
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS], poll_interval=0.1)],
        env={"KEYFACTOR_USERNAME": "KEYFACTOR\\nowatch", "KEYFACTOR_PASSWORD": "N0-Watch-pw"})
    assert run.rc == 2
    result = run.result
    assert result["changed"] is True
    [job] = result["job_ids"]
    assert result["msg"].startswith(
        "The removal was submitted (jobs %s), but its progress cannot be followed: Reading the "
        "job history of %s (GET /OrchestratorJobs/JobHistory) failed: HTTP 403" % (job, job))
    assert "/agents/management/read/" in result["msg"]
    assert [s["outcome"] for s in result["stores"]] == ["submitted"]
    assert [c for c in sim.calls() if c[0] == "POST"] == [
        ("POST", "/CertificateStores/Certificates/Remove")]
    assert "warnings" not in result


def test_scheduling_without_the_job_permission_submits_nothing(sim, tmp_path):
    sim.add_user("KEYFACTOR\\nowatch", "N0-Watch-pw", [
        p for p in ALL_PERMISSIONS if p != "/agents/management/read/"])
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS],
        schedule={"type": "interval", "minutes": 60})],
        env={"KEYFACTOR_USERNAME": "KEYFACTOR\\nowatch", "KEYFACTOR_PASSWORD": "N0-Watch-pw"})
    assert run.rc == 2
    assert run.result["changed"] is False
    assert run.result["msg"].startswith(
        "Reading the scheduled jobs (GET /OrchestratorJobs/ScheduledJobs) failed: HTTP 403")
    assert run.result["msg"].endswith(
        "Without it the module cannot tell whether this removal is already scheduled, so it "
        "submits nothing rather than risk scheduling it twice.")
    assert ("POST", "/CertificateStores/Certificates/Remove") not in sim.calls()


def test_removal_403_names_the_permissions(sim, tmp_path):
    sim.add_user("KEYFACTOR\\looker", "L00ker-pw", [
        p for p in ALL_PERMISSIONS if p != "/certificate_stores/schedule/"])
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS])],
        env={"KEYFACTOR_USERNAME": "KEYFACTOR\\looker", "KEYFACTOR_PASSWORD": "L00ker-pw"})
    assert run.rc == 2
    assert run.result["changed"] is False
    assert run.result["msg"].startswith(
        "Submitting the removal request (POST /CertificateStores/Certificates/Remove) failed: "
        "HTTP 403")
    assert run.result["msg"].endswith(
        "The account needs /certificate_stores/schedule/ and /certificates/collections/read/ (or "
        "those permissions for the collection given in collection_id).")
