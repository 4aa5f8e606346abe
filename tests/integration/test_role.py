"""The certificate_removal role against the simulator: presets, survey-style variables, failures."""

import json
import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from harness import (
    DEMO_THUMBPRINT,
    DEMO_USER,
    ROOT,
    S_IIS,
    S_JKS,
    S_K8S,
    S_PEM,
    role_play,
    run_playbook,
)

ROLE = os.path.join(ROOT, "roles", "certificate_removal")
REMOVE_TASK = "Remove the certificate from the stores"
SUMMARY_TASK = "Summarise the removal"
FAIL_TASK = "Fail when a store's removal failed"
CHECK_TASK = "Check that the variables fit together"
VALIDATION_TASK = ("Validating arguments against arg spec 'main' - Remove a certificate from "
                   "certificate stores, now or in a maintenance window")
POST_REMOVE = ("POST", "/CertificateStores/Certificates/Remove")
FAST = dict(certificate_removal_poll_interval=0.1, certificate_removal_wait_timeout=60)


def run_role(sim, tmp_path, role_vars=None, **kwargs):
    play = role_play("certificate_removal", role_vars)
    play.update(kwargs.pop("play", {}))
    return run_playbook(sim, tmp_path, [], play=play, **kwargs)


def task_result(run, name):
    """The result of the task called ``name`` (its last run)."""
    found = [entry for entry in run.results if entry["task"] == name]
    assert found, "task %r did not run; ran: %r" % (name, [e["task"] for e in run.results])
    return found[-1]


def summary(run):
    return task_result(run, SUMMARY_TASK)["result"]["msg"]


def posts(sim):
    return [entry for entry in sim.requests() if (entry["method"], entry["path"]) == POST_REMOVE]


def utc_text(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_now_removes_and_reports_removed_and_absent(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(
        certificate_removal_stores=[
            {"id": S_IIS, "alias": DEMO_THUMBPRINT},
            {"id": S_PEM, "alias": DEMO_THUMBPRINT},
            {"id": S_JKS, "alias": "no-such-cert"},
        ], **FAST))

    assert run.rc == 0, run.stdout
    removal = task_result(run, REMOVE_TASK)
    assert removal["status"] == "changed"
    stores = removal["result"]["stores"]
    assert [(s["id"], s["outcome"]) for s in stores] == [
        (S_IIS, "removed"), (S_PEM, "removed"), (S_JKS, "absent")]
    assert summary(run) == [
        "Certificate removal from 3 store(s): 2 removed, 1 already absent.",
        "removed: %s (alias %s), job %s" % (S_IIS, DEMO_THUMBPRINT, stores[0]["job_id"]),
        "removed: %s (alias %s), job %s" % (S_PEM, DEMO_THUMBPRINT, stores[1]["job_id"]),
        "already absent: %s (alias no-such-cert)" % S_JKS,
    ]
    [post] = posts(sim)
    assert post["body"] == {
        "CertificateStores": [{"CertificateStoreId": S_IIS, "Alias": DEMO_THUMBPRINT},
                              {"CertificateStoreId": S_PEM, "Alias": DEMO_THUMBPRINT}],
        "Schedule": {"Immediate": True},
    }
    assert DEMO_THUMBPRINT not in sim.aliases(S_IIS)
    assert "failed=0" in run.stdout and "ignored=0" in run.stdout


def test_now_again_changes_nothing(sim, tmp_path):
    role_vars = dict(certificate_removal_store_ids=[S_IIS], certificate_removal_alias=DEMO_THUMBPRINT,
                     **FAST)
    assert run_role(sim, tmp_path, role_vars).rc == 0
    sim.clear_requests()

    run = run_role(sim, tmp_path, role_vars)

    assert run.rc == 0, run.stdout
    assert task_result(run, REMOVE_TASK)["status"] == "ok"
    assert summary(run) == [
        "Certificate removal from 1 store(s): 1 already absent.",
        "already absent: %s (alias %s)" % (S_IIS, DEMO_THUMBPRINT),
    ]
    assert sim.calls() == [("GET", "/CertificateStores/%s/Inventory" % S_IIS)]


def test_check_mode_reports_what_would_be_removed(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(certificate_removal_store_ids=[S_IIS],
                                       certificate_removal_alias=DEMO_THUMBPRINT), check=True)

    assert run.rc == 0, run.stdout
    assert summary(run) == [
        "Certificate removal from 1 store(s): 1 would be removed (check mode).",
        "would be removed (check mode): %s (alias %s)" % (S_IIS, DEMO_THUMBPRINT),
    ]
    assert posts(sim) == []


def test_maintenance_window_schedules_once_at_the_next_local_window(sim, tmp_path):
    # Kolkata has no summer time, so the expected instant is plain arithmetic: the window two
    # hours ahead (to the minute) is the next one, and its weekday is one of the allowed days.
    zone = ZoneInfo("Asia/Kolkata")
    window = (datetime.now(zone) + timedelta(hours=2)).replace(second=0, microsecond=0)
    other_day = (window + timedelta(days=3)).strftime("%A")
    role_vars = dict(
        certificate_removal_store_ids=[S_IIS, S_PEM],
        certificate_removal_alias=DEMO_THUMBPRINT,
        certificate_removal_schedule_preset="maintenance_window",
        certificate_removal_window_time=window.strftime("%H:%M"),
        certificate_removal_window_timezone="Asia/Kolkata",
        certificate_removal_window_days=[window.strftime("%a").upper(), other_day],
    )

    run = run_role(sim, tmp_path, role_vars)

    assert run.rc == 0, run.stdout
    expected = {"ExactlyOnce": {"Time": utc_text(window)}}
    [post] = posts(sim)
    assert post["body"]["Schedule"] == expected
    result = task_result(run, REMOVE_TASK)["result"]
    assert result["schedule"] == expected
    jobs = result["job_ids"]
    assert [(s["id"], s["outcome"], s["job_id"]) for s in result["stores"]] == [
        (S_IIS, "scheduled", jobs[0]), (S_PEM, "scheduled", jobs[1])]
    assert summary(run) == [
        "Certificate removal from 2 store(s): 2 scheduled.",
        "scheduled: %s (alias %s) for once at %s, job %s"
        % (S_IIS, DEMO_THUMBPRINT, utc_text(window), jobs[0]),
        "scheduled: %s (alias %s) for once at %s, job %s"
        % (S_PEM, DEMO_THUMBPRINT, utc_text(window), jobs[1]),
    ]
    assert DEMO_THUMBPRINT in sim.aliases(S_IIS)

    sim.clear_requests()
    again = run_role(sim, tmp_path, role_vars)

    assert again.rc == 0, again.stdout
    listed = {job["Id"] for entry in sim.requests()
              if entry["path"] == "/OrchestratorJobs/ScheduledJobs" for job in entry["response"]}
    assert set(jobs) <= listed
    assert posts(sim) == []
    assert summary(again) == [
        "Certificate removal from 2 store(s): 2 already scheduled.",
        "already scheduled: %s (alias %s) for once at %s, job %s"
        % (S_IIS, DEMO_THUMBPRINT, utc_text(window), jobs[0]),
        "already scheduled: %s (alias %s) for once at %s, job %s"
        % (S_PEM, DEMO_THUMBPRINT, utc_text(window), jobs[1]),
    ]


@pytest.mark.parametrize("at, at_timezone, expected", [
    ("2030-01-10T02:00:00", "America/New_York", "2030-01-10T07:00:00Z"),
    ("2030-07-10T02:00:00", "America/New_York", "2030-07-10T06:00:00Z"),
    ("2030-07-01T02:00:00+02:00", None, "2030-07-01T00:00:00Z"),
    ("2030-07-01T02:00:00Z", "Asia/Tokyo", "2030-07-01T02:00:00Z"),
])
def test_at_schedules_once_at_that_moment(sim, tmp_path, at, at_timezone, expected):
    role_vars = dict(certificate_removal_store_ids=[S_JKS], certificate_removal_alias="app-cert",
                     certificate_removal_schedule_preset="at", certificate_removal_at=at)
    if at_timezone:
        role_vars["certificate_removal_at_timezone"] = at_timezone

    run = run_role(sim, tmp_path, role_vars)

    assert run.rc == 0, run.stdout
    [post] = posts(sim)
    assert post["body"]["Schedule"] == {"ExactlyOnce": {"Time": expected}}
    [store] = task_result(run, REMOVE_TASK)["result"]["stores"]
    assert store["outcome"] == "scheduled"
    assert summary(run)[1] == "scheduled: %s (alias app-cert) for once at %s, job %s" % (
        S_JKS, expected, store["job_id"])


def test_custom_passes_the_schedule_to_the_module(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(
        certificate_removal_store_ids=[S_JKS], certificate_removal_alias="app-cert",
        certificate_removal_schedule_preset="custom",
        certificate_removal_schedule={"type": "weekly", "days": ["Monday", "thu"],
                                      "time": "2030-01-14T00:30:00", "timezone": "Europe/Berlin"}))

    assert run.rc == 0, run.stdout
    sent = {"Weekly": {"Days": [0, 3], "Time": "2030-01-13T23:30:00Z"}}
    [post] = posts(sim)
    assert post["body"]["Schedule"] == sent
    [store] = task_result(run, REMOVE_TASK)["result"]["stores"]
    assert summary(run) == [
        "Certificate removal from 1 store(s): 1 scheduled.",
        "scheduled: %s (alias app-cert) for weekly on Sunday, Wednesday (UTC), first run at "
        "2030-01-13T23:30:00Z, job %s" % (S_JKS, store["job_id"]),
    ]


def test_survey_style_strings_from_extra_vars(sim, tmp_path):
    extra = ("certificate_removal_store_ids=%s,%s certificate_removal_alias=%s "
             "certificate_removal_tolerate_failures=false certificate_removal_poll_interval=0.1 "
             "certificate_removal_wait_timeout=60 certificate_removal_wait=yes "
             "certificate_removal_url= certificate_removal_collection_id=3"
             % (S_IIS, S_K8S, DEMO_THUMBPRINT))

    run = run_role(sim, tmp_path, extra_args=["-e", extra])

    assert run.rc == 0, run.stdout
    result = task_result(run, REMOVE_TASK)["result"]
    assert [(s["id"], s["outcome"]) for s in result["stores"]] == [
        (S_IIS, "removed"), (S_K8S, "removed")]
    [post] = posts(sim)
    assert post["body"]["CollectionId"] == 3
    assert [store["CertificateStoreId"] for store in post["body"]["CertificateStores"]] == [
        S_IIS, S_K8S]


def test_survey_style_maintenance_window_and_custom_schedule_from_extra_vars(sim, tmp_path):
    zone = ZoneInfo("Asia/Kolkata")
    window = (datetime.now(zone) + timedelta(hours=2)).replace(second=0, microsecond=0)
    survey_answers = {
        # A survey's text area: one GUID per line.
        "certificate_removal_store_ids": "%s\n%s\n" % (S_IIS, S_PEM),
        "certificate_removal_alias": DEMO_THUMBPRINT,
        "certificate_removal_schedule_preset": "maintenance_window",
        "certificate_removal_window_time": window.strftime("%H:%M"),
        "certificate_removal_window_timezone": "Asia/Kolkata",
        # A multiple-select question left empty, and an optional text question left blank.
        "certificate_removal_window_days": "",
        "certificate_removal_at_timezone": "",
    }

    run = run_role(sim, tmp_path, extra_args=["-e", json.dumps(survey_answers)])

    assert run.rc == 0, run.stdout
    [post] = posts(sim)
    assert post["body"]["Schedule"] == {"ExactlyOnce": {"Time": utc_text(window)}}

    sim.reset()
    sim.clear_requests()
    custom = ('certificate_removal_schedule_preset=custom certificate_removal_store_ids=%s '
              'certificate_removal_alias=app-cert '
              'certificate_removal_schedule=\'{"type":"interval","minutes":45}\'' % S_JKS)

    run = run_role(sim, tmp_path, extra_args=["-e", custom])

    assert run.rc == 0, run.stdout
    [post] = posts(sim)
    assert post["body"]["Schedule"] == {"Interval": {"Minutes": 45}}
    assert summary(run)[1].startswith(
        "scheduled: %s (alias app-cert) for every 45 minute(s), job " % S_JKS)


@pytest.mark.parametrize("role_vars, task, message", [
    ({}, CHECK_TASK,
     "Name the stores: set certificate_removal_stores (a list of id and alias), or "
     "certificate_removal_store_ids together with certificate_removal_alias."),
    ({"certificate_removal_stores": [{"id": S_IIS, "alias": "a"}],
      "certificate_removal_store_ids": [S_PEM], "certificate_removal_alias": "a"}, CHECK_TASK,
     "Set either certificate_removal_stores or certificate_removal_store_ids, not both. "
     "certificate_removal_alias goes with certificate_removal_store_ids; give each entry of "
     "certificate_removal_stores its own alias."),
    ({"certificate_removal_store_ids": "%s,%s" % (S_IIS, S_PEM)}, CHECK_TASK,
     "certificate_removal_store_ids needs certificate_removal_alias, the alias of the "
     "certificate in those stores."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "maintenance_window",
      "certificate_removal_window_time": "25:00",
      "certificate_removal_window_days": "sat,Sonntag"}, CHECK_TASK,
     "certificate_removal_window_timezone is required with the maintenance_window preset: the "
     "IANA time zone of the window, such as Europe/Berlin. certificate_removal_window_time: "
     "\"25:00\" is not a time of day; give HH:MM or HH:MM:SS, such as \"02:00\", in quotes "
     "(YAML reads an unquoted 12:30 as a number). "
     "certificate_removal_window_days: not a weekday: sonntag; use names such as saturday or "
     "sat."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "at"}, CHECK_TASK,
     "certificate_removal_at is required with the at preset: the date and time to remove the "
     "certificate at, such as 2026-12-05T02:00:00+01:00."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "at",
      "certificate_removal_at": "2030-01-10T02:00:00"}, CHECK_TASK,
     "certificate_removal_at: \"2030-01-10T02:00:00\" has no UTC offset; add one (+01:00, Z) "
     "or set certificate_removal_at_timezone."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "at", "certificate_removal_at": "tonight"},
     CHECK_TASK,
     "certificate_removal_at: \"tonight\" is not a date and time; give ISO 8601, such as "
     "2026-12-05T02:00:00+01:00."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "custom"}, CHECK_TASK,
     "certificate_removal_schedule is required with the custom preset: a schedule as the "
     "store_certificate module takes it, such as {\"type\": \"daily\", \"time\": \"02:00\", "
     "\"timezone\": \"Europe/Berlin\"}."),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "soon"}, VALIDATION_TASK,
     "Validation of arguments failed:\nvalue of certificate_removal_schedule_preset must be one "
     "of: now, maintenance_window, at, custom, got: soon"),
    ({"certificate_removal_stores": [{"id": S_IIS}]}, VALIDATION_TASK,
     "Validation of arguments failed:\nmissing required arguments: alias found in "
     "certificate_removal_stores"),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_wait_timeout": "soon"}, VALIDATION_TASK,
     "Validation of arguments failed:\nargument 'certificate_removal_wait_timeout' is of type "
     "str and we were unable to convert to int: \"'soon'\" cannot be converted to an int"),
    ({"certificate_removal_store_ids": [S_IIS], "certificate_removal_alias": "a",
      "certificate_removal_schedule_preset": "custom",
      "certificate_removal_schedule": {"type": "fortnightly"}}, VALIDATION_TASK,
     "Validation of arguments failed:\nvalue of type must be one of: immediate, once, daily, "
     "weekly, monthly, interval, got: fortnightly found in certificate_removal_schedule"),
])
def test_bad_variables_fail_before_any_request(sim, tmp_path, role_vars, task, message):
    run = run_role(sim, tmp_path, role_vars)

    assert run.rc == 2, run.stdout
    failed = task_result(run, task)
    assert failed["status"] == "failed"
    assert failed["result"]["msg"] == message
    assert sim.requests() == []


def test_unknown_window_time_zone_fails_before_any_request(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(
        certificate_removal_store_ids=[S_IIS], certificate_removal_alias="a",
        certificate_removal_schedule_preset="maintenance_window",
        certificate_removal_window_timezone="Europe/Atlantis"))

    assert run.rc == 2, run.stdout
    failed = run.results[-1]
    assert failed["task"] == "Find the next maintenance window (certificate_removal_window_*)"
    assert ("next_maintenance_window: 'Europe/Atlantis' is not a known IANA time zone. Give a "
            "name such as 'Europe/Berlin', 'America/New_York' or 'UTC'."
            in failed["result"]["msg"])
    assert sim.requests() == []


def test_module_input_error_fails_at_the_module_task(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(
        certificate_removal_store_ids=["not-a-guid"], certificate_removal_alias="a"))

    assert run.rc == 2, run.stdout
    failed = run.results[-1]
    assert (failed["task"], failed["status"]) == (REMOVE_TASK, "failed")
    assert "not-a-guid" in failed["result"]["msg"]
    assert sim.requests() == []


def failing_pem(sim):
    sim.behave(S_PEM, "failure", message="Permission denied writing /etc/ssl/certs/shop.pem")
    return dict(certificate_removal_store_ids=[S_IIS, S_PEM],
                certificate_removal_alias=DEMO_THUMBPRINT, **FAST)


def test_failed_store_fails_the_play_after_the_summary(sim, tmp_path):
    run = run_role(sim, tmp_path, failing_pem(sim))

    assert run.rc == 2, run.stdout
    removal = task_result(run, REMOVE_TASK)
    assert removal["status"] == "changed"
    stores = removal["result"]["stores"]
    assert summary(run) == [
        "Certificate removal from 2 store(s): 1 FAILED, 1 removed.",
        "FAILED: %s (alias %s), job %s: Completed Failure - Permission denied writing "
        "/etc/ssl/certs/shop.pem" % (S_PEM, DEMO_THUMBPRINT, stores[1]["job_id"]),
        "removed: %s (alias %s), job %s" % (S_IIS, DEMO_THUMBPRINT, stores[0]["job_id"]),
    ]
    failed = run.results[-1]
    assert (failed["task"], failed["status"]) == (FAIL_TASK, "failed")
    assert failed["result"]["msg"] == (
        removal["result"]["msg"] + " Set certificate_removal_tolerate_failures to true to report "
        "such stores without failing the play.")
    assert removal["result"]["msg"].startswith("The removal failed in 1 of 2 store(s): store %s"
                                               % S_PEM)


def test_tolerated_failure_is_reported_and_the_play_goes_on(sim, tmp_path):
    role_vars = failing_pem(sim)
    role_vars["certificate_removal_tolerate_failures"] = True
    after = {"name": "Runs after the role", "ansible.builtin.debug": {"msg": "still running"}}

    run = run_playbook(sim, tmp_path, [after],
                       play=role_play("certificate_removal", role_vars))

    assert run.rc == 0, run.stdout
    assert summary(run)[0] == "Certificate removal from 2 store(s): 1 FAILED, 1 removed."
    assert task_result(run, FAIL_TASK)["status"] == "skipped"
    assert run.results[-1]["task"] == "Runs after the role"
    assert "ignored=0" in run.stdout


def test_job_not_finished_in_time_counts_as_a_failure(sim, tmp_path):
    sim.configure(pickup_delay=100000)

    run = run_role(sim, tmp_path, dict(
        certificate_removal_store_ids=[S_IIS], certificate_removal_alias=DEMO_THUMBPRINT,
        certificate_removal_wait_timeout=1, certificate_removal_poll_interval=0.2))

    assert run.rc == 2, run.stdout
    [store] = task_result(run, REMOVE_TASK)["result"]["stores"]
    assert store["outcome"] == "pending"
    assert summary(run) == [
        "Certificate removal from 1 store(s): 1 NOT FINISHED in time.",
        "NOT FINISHED in time: %s (alias %s), job %s"
        % (S_IIS, DEMO_THUMBPRINT, store["job_id"]),
    ]
    assert run.results[-1]["task"] == FAIL_TASK


def test_connection_variables_are_passed_and_the_password_never_shown(sim, tmp_path):
    run = run_role(sim, tmp_path, dict(
        certificate_removal_url=sim.url, certificate_removal_api_path=sim.api_path,
        certificate_removal_username=DEMO_USER, certificate_removal_password=sim.password,
        certificate_removal_store_ids=[S_JKS], certificate_removal_alias="app-cert", **FAST),
        connection_env=False, verbosity=3)

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in task_result(run, REMOVE_TASK)["result"]["stores"]] == ["removed"]
    assert sim.password not in run.stdout + run.stderr
    assert sim.password not in json.dumps(run.results)


def test_module_defaults_for_the_group_apply_to_variables_left_unset(sim, tmp_path):
    group_defaults = dict(url="http://127.0.0.1:9", api_path=sim.api_path, username=DEMO_USER,
                          password=sim.password, wait_timeout=60)

    run = run_role(sim, tmp_path, dict(
        certificate_removal_url=sim.url, certificate_removal_poll_interval=0.1,
        certificate_removal_store_ids=[S_JKS], certificate_removal_alias="app-cert"),
        connection_env=False,
        play={"module_defaults": {"group/keyfactor.command.keyfactor": group_defaults}})

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in task_result(run, REMOVE_TASK)["result"]["stores"]] == ["removed"]


def test_defaults_file_matches_the_argument_spec():
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(ROLE, "meta", "argument_specs.yml")) as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]

    assert defaults == {name: spec["default"] for name, spec in options.items()
                        if "default" in spec}
    assert all(name.startswith("certificate_removal_") for name in options)


def test_oauth_variables_are_passed(sim, tmp_path):
    client_id, secret = sim.oauth_client
    run = run_role(sim, tmp_path, dict(
        certificate_removal_url=sim.url, certificate_removal_token_url=sim.token_url,
        certificate_removal_client_id=client_id, certificate_removal_client_secret=secret,
        certificate_removal_scopes=["openid"],
        certificate_removal_store_ids=[S_JKS], certificate_removal_alias="app-cert", **FAST),
        connection_env=False, verbosity=3)

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in task_result(run, REMOVE_TASK)["result"]["stores"]] == ["removed"]
    [token] = [e for e in sim.requests() if e.get("endpoint") == "token"]
    assert token["body"]["scope"] == "openid"
    assert secret not in run.stdout + run.stderr + json.dumps(run.results)


def test_secrets_never_shown_by_the_role_whatever_fails(sim, tmp_path):
    import base64

    client_id, secret = sim.oauth_client
    sim.behave(S_PEM, "failure", message="disk full")
    sim.fault(kind="status", status=503, method="GET", path="/OrchestratorJobs/JobHistory", count=2)
    base = dict(certificate_removal_store_ids=[S_IIS, S_PEM],
                certificate_removal_alias=DEMO_THUMBPRINT, **FAST)
    runs = [
        run_role(sim, tmp_path, dict(base, certificate_removal_url=sim.url,
                                     certificate_removal_username=DEMO_USER,
                                     certificate_removal_password=sim.password),
                 connection_env=False, verbosity=4),
        run_role(sim, tmp_path, dict(base, certificate_removal_url=sim.url,
                                     certificate_removal_username=DEMO_USER,
                                     certificate_removal_password="Wr0ng-Role-Secret"),
                 connection_env=False, verbosity=4),
        run_role(sim, tmp_path, dict(base, certificate_removal_url=sim.url,
                                     certificate_removal_token_url=sim.token_url,
                                     certificate_removal_client_id=client_id,
                                     certificate_removal_client_secret=secret),
                 connection_env=False, verbosity=4),
        run_role(sim, tmp_path, dict(base, certificate_removal_url=sim.url,
                                     certificate_removal_access_token="Role-Given-Token-42"),
                 connection_env=False, verbosity=4),
    ]
    secrets = [sim.password, "Wr0ng-Role-Secret", secret, "Role-Given-Token-42"] + [
        base64.b64encode(("%s:%s" % (DEMO_USER, value)).encode()).decode()
        for value in (sim.password, "Wr0ng-Role-Secret")]
    for run in runs:
        assert run.rc == 2
        output = run.stdout + run.stderr + json.dumps(run.results)
        for value in secrets:
            assert value not in output
