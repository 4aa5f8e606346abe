"""store_certificate with a schedule: what is sent, idempotence, and the job running later."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from harness import DEMO_THUMBPRINT, S_IIS, S_JKS, S_PEM, module_task, run_playbook


def scheduled_task(schedule, **extra):
    args = dict(state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS, S_PEM],
                schedule=schedule)
    args.update(extra)
    return module_task(**args)


def utc_text(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("schedule, sent", [
    (dict(type="daily", time="2027-01-10T02:00:00", timezone="Europe/Berlin"),
     {"Daily": {"Time": "2027-01-10T01:00:00Z"}}),
    (dict(type="weekly", time="2027-01-11T00:30:00", timezone="Europe/Berlin",
          days=["Monday", "thu"]),
     {"Weekly": {"Days": [0, 3], "Time": "2027-01-10T23:30:00Z"}}),
    (dict(type="monthly", day=15, time="2027-01-15T02:00:00+01:00"),
     {"Monthly": {"Day": 15, "Time": "2027-01-15T01:00:00Z"}}),
    (dict(type="interval", minutes=30), {"Interval": {"Minutes": 30}}),
    (dict(type="once", time="2027-07-01T22:00:00", timezone="America/New_York"),
     {"ExactlyOnce": {"Time": "2027-07-02T02:00:00Z"}}),
])
def test_each_schedule_is_sent_in_utc_and_not_waited_for(sim, tmp_path, schedule, sent):
    run = run_playbook(sim, tmp_path, [scheduled_task(schedule)])

    assert run.rc == 0, run.stdout
    result = run.result
    assert result["changed"] is True
    assert result["schedule"] == sent
    assert [(s["outcome"], s["job_id"]) for s in result["stores"]] == [
        ("scheduled", job) for job in result["job_ids"]]
    [post] = [e for e in sim.requests() if e["method"] == "POST"]
    assert post["body"] == {
        "CertificateStores": [{"CertificateStoreId": S_IIS, "Alias": DEMO_THUMBPRINT},
                              {"CertificateStoreId": S_PEM, "Alias": DEMO_THUMBPRINT}],
        "Schedule": sent,
    }
    assert [path for _method, path in sim.calls()] == [
        "/CertificateStores/%s/Inventory" % S_IIS,
        "/CertificateStores/%s/Inventory" % S_PEM,
        "/OrchestratorJobs/ScheduledJobs",
        "/CertificateStores/Certificates/Remove",
    ]
    listed = {job["Id"] for entry in sim.requests()
              if entry["path"] == "/OrchestratorJobs/ScheduledJobs" for job in entry["response"]}
    assert not listed & set(result["job_ids"])


def test_scheduled_removal_is_idempotent_and_later_runs(sim, tmp_path):
    sim.configure(pickup_delay=0, inventory_lag=0)
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
    schedule = dict(type="once", time=utc_text(when))

    first = run_playbook(sim, tmp_path, [scheduled_task(schedule)])
    assert first.rc == 0, first.stdout
    jobs = first.result["job_ids"]
    assert first.result["msg"] == "Scheduled the removal from 2 store(s) (ExactlyOnce at %s)." % (
        utc_text(when))
    sim.clear_requests()

    second = run_playbook(sim, tmp_path, [scheduled_task(schedule)])
    assert second.rc == 0, second.stdout
    assert second.result["changed"] is False
    assert second.result["job_ids"] == []
    assert [(s["outcome"], s["job_id"]) for s in second.result["stores"]] == [
        ("already_scheduled", job) for job in jobs]
    assert second.result["warnings"] == [
        "Taking job %s (ExactlyOnce at %s) for the removal of alias %s from store %s: Command's "
        "list of scheduled jobs names the store and the schedule, not the certificate. If it is "
        "another certificate's job, schedule this removal at another time."
        % (job, utc_text(when), DEMO_THUMBPRINT, store) for job, store in zip(jobs, [S_IIS, S_PEM])]
    assert sim.calls() == [
        ("GET", "/CertificateStores/%s/Inventory" % S_IIS),
        ("GET", "/CertificateStores/%s/Inventory" % S_PEM),
        ("GET", "/OrchestratorJobs/ScheduledJobs"),
        ("GET", "/CertificateStores/%s" % S_IIS),
        ("GET", "/CertificateStores/%s" % S_PEM),
    ]
    assert DEMO_THUMBPRINT in sim.aliases(S_IIS)

    deadline = time.monotonic() + 30
    while DEMO_THUMBPRINT in sim.aliases(S_IIS) + sim.aliases(S_PEM):
        assert time.monotonic() < deadline, "the scheduled job never removed the alias"
        time.sleep(0.2)
    assert datetime.now(timezone.utc) >= when

    third = run_playbook(sim, tmp_path, [scheduled_task(dict(
        type="once", time=utc_text(datetime.now(timezone.utc) + timedelta(hours=1))))])
    assert third.rc == 0, third.stdout
    assert [s["outcome"] for s in third.result["stores"]] == ["absent", "absent"]


def test_other_schedule_on_the_same_store_is_not_taken_for_this_one(sim, tmp_path):
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=2)
    run_playbook(sim, tmp_path, [scheduled_task(dict(type="once", time=utc_text(later)))])
    sim.clear_requests()

    run = run_playbook(sim, tmp_path, [scheduled_task(
        dict(type="once", time=utc_text(later + timedelta(minutes=1))))])

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["scheduled", "scheduled"]
    assert ("POST", "/CertificateStores/Certificates/Remove") in sim.calls()


def test_fewer_scheduled_jobs_than_aliases_in_a_store_stops_before_submitting(sim, tmp_path):
    later = utc_text(datetime.now(timezone.utc) + timedelta(hours=3))
    schedule = dict(type="once", time=later)
    first = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "app-cert"}], schedule=schedule)])
    assert first.rc == 0, first.stdout
    [job] = first.result["job_ids"]
    sim.clear_requests()

    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", schedule=schedule,
        stores=[{"id": S_JKS, "alias": "app-cert"}, {"id": S_JKS, "alias": "app-cert-old"}])])

    assert run.rc == 2
    assert run.result["changed"] is False
    assert run.result["msg"] == (
        "Certificate store %s already has 1 scheduled management job(s) with this schedule "
        "(ExactlyOnce at %s: %s), but this task removes 2 aliases from it, and Command's list of "
        "scheduled jobs does not say which alias a job removes. Nothing was submitted. Unschedule "
        "those jobs in Command, or schedule these aliases at another time." % (S_JKS, later, job))
    assert ("POST", "/CertificateStores/Certificates/Remove") not in sim.calls()


def test_check_mode_with_a_schedule_sends_nothing(sim, tmp_path):
    later = utc_text(datetime.now(timezone.utc) + timedelta(hours=1))
    run = run_playbook(sim, tmp_path, [scheduled_task(dict(type="once", time=later))],
                       check=True, diff=True)
    assert run.rc == 0, run.stdout
    assert run.result["changed"] is True
    assert run.result["msg"] == (
        "Check mode: would schedule the removal of the certificate from 2 of 2 store(s).")
    assert [s["outcome"] for s in run.result["stores"]] == ["would_remove", "would_remove"]
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert ("POST", "/CertificateStores/Certificates/Remove") not in sim.calls()


@pytest.mark.parametrize("schedule, message", [
    (dict(type="weekly", time="02:00", timezone="Europe/Berlin"),
     "schedule.days: type weekly needs at least one day"),
    (dict(type="monthly", day=32, time="02:00", timezone="Europe/Berlin"),
     "schedule.day: type monthly needs a day of the month from 1 to 31."),
    (dict(type="once", time="2020-01-01T00:00:00Z"), "schedule.time: 2020-01-01T00:00:00Z is in the past"),
    (dict(type="interval", minutes=0), "schedule.minutes: type interval needs a whole number"),
    (dict(type="once", time="2030-01-01T02:00:00"), "schedule.timezone: the time 2030-01-01T02:00:00 has no UTC offset"),
    (dict(type="fortnightly"), "value of type must be one of: immediate, once, daily, weekly, monthly, interval"),
])
def test_bad_schedules_fail_before_any_request(sim, tmp_path, schedule, message):
    run = run_playbook(sim, tmp_path, [scheduled_task(schedule)])
    assert run.rc == 2
    assert message in run.result["msg"]
    assert sim.calls() == []


def test_unquoted_yaml_time_is_explained(sim, tmp_path):
    playbook_task = {"name": "Run store_certificate", "keyfactor.command.store_certificate": {
        "state": "absent", "alias": "x", "store_ids": [S_IIS],
        "schedule": {"type": "daily", "time": 750, "timezone": "UTC"}}}
    run = run_playbook(sim, tmp_path, [playbook_task])
    assert run.rc == 2
    assert run.result["msg"] == (
        "schedule.time: 750 is not an ISO 8601 time. Quote times in YAML: unquoted, YAML reads "
        "12:30 as the number 750.")
