"""The removal steps with a fake client: decisions, job attribution, errors, diff."""

import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    KeyfactorError,
)
from ansible_collections.keyfactor.command.plugins.module_utils._jobs import JobRow, Poller
from ansible_collections.keyfactor.command.plugins.module_utils._removal import Removal
from ansible_collections.keyfactor.command.plugins.module_utils._targets import Target

S1 = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01"
S2 = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a02"
S3 = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a04"
THUMB = "80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2"
J1 = "11111111-0000-4000-8000-000000000001"
J2 = "11111111-0000-4000-8000-000000000002"


class FakeClient(object):
    def __init__(self, inventories, job_ids=None, rows=None, history_error=None):
        self.inventories = inventories
        self.job_ids = job_ids or []
        self.rows = rows or []
        self.history_error = history_error
        self.calls = []

    def inventory_aliases(self, store_id):
        self.calls.append(("inventory", store_id))
        value = self.inventories[store_id]
        return value.pop(0) if value and isinstance(value[0], list) else value

    def remove_certificates(self, targets, schedule, collection_id=None):
        self.calls.append(("remove", [(t.store_id, t.alias) for t in targets], schedule,
                           collection_id))
        return self.job_ids

    def scheduled_jobs(self):
        self.calls.append(("scheduled",))
        return []

    def job_history(self, job_ids):
        self.calls.append(("history", list(job_ids)))
        if self.history_error:
            raise self.history_error
        return self.rows


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def poller(timeout=60):
    clock = Clock()
    return Poller(timeout, 1, clock=clock, sleep=clock.sleep)


def test_inventory_of_a_store_is_read_once_for_several_aliases():
    client = FakeClient({S3: ["app-cert", "app-cert-old"]})
    removal = Removal(client, [Target(S3, "app-cert"), Target(S3, "app-cert-old")])
    removal.read_inventories()
    assert client.calls == [("inventory", S3)]


def test_decide_marks_absent_and_would_remove_in_check_mode():
    client = FakeClient({S1: [THUMB.lower()], S3: ["app-cert-old"]})
    removal = Removal(client, [Target(S1, THUMB), Target(S3, "app-cert")])
    removal.read_inventories()
    removal.decide(check_mode=True)
    assert [r.outcome for r in removal.reports] == ["would_remove", "absent"]
    assert [r.target.store_id for r in removal.due] == [S1]


def test_submit_attributes_jobs_in_request_order_and_sends_collection_id():
    client = FakeClient({S1: [THUMB], S2: [THUMB], S3: []}, job_ids=[J1, J2])
    removal = Removal(client, [Target(S1, THUMB), Target(S3, THUMB), Target(S2, THUMB)],
                      collection_id=4)
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    assert client.calls[-1] == ("remove", [(S1, THUMB), (S2, THUMB)], {"Immediate": True}, 4)
    assert [(r.target.store_id, r.outcome, r.job_id) for r in removal.reports] == [
        (S1, "submitted", J1), (S3, "absent", None), (S2, "submitted", J2)]


def test_job_count_mismatch_fails_after_submitting_and_lists_the_jobs():
    client = FakeClient({S1: [THUMB], S2: [THUMB]}, job_ids=[J1])
    removal = Removal(client, [Target(S1, THUMB), Target(S2, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    with pytest.raises(KeyfactorError) as error:
        removal.submit()
    assert str(error.value) == (
        "Command accepted the removal from 2 stores but returned 1 job IDs (%s), so the jobs "
        "cannot be matched to stores. The removal was submitted: follow these jobs in the job "
        "history before running the task again." % J1)
    assert removal.results()["job_ids"] == [J1]
    assert [r["outcome"] for r in removal.results()["stores"]] == ["submitted", "submitted"]


def test_follow_sets_each_store_from_its_newest_row():
    rows = [JobRow(J1, 1, "InProcess", "Unknown"), JobRow(J1, 2, "Completed", "Success", ""),
            JobRow(J2, 3, "Completed", "Failure", "Alias x does not exist in certificate store y.")]
    client = FakeClient({S1: [THUMB], S2: [THUMB]}, job_ids=[J1, J2], rows=rows)
    removal = Removal(client, [Target(S1, THUMB), Target(S2, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    assert removal.follow(poller()) == []
    assert removal.results()["stores"] == [
        dict(id=S1, alias=THUMB, outcome="removed", job_id=J1, status="Completed",
             result="Success", message=""),
        dict(id=S2, alias=THUMB, outcome="failed", job_id=J2, status="Completed",
             result="Failure", message="Alias x does not exist in certificate store y."),
    ]


def test_follow_403_says_removal_was_submitted_and_names_permission():
    error = ApiError("Reading the job history of %s (GET /OrchestratorJobs/JobHistory)" % J1,
                     403, "Forbidden", "The account needs the /agents/management/read/ "
                     "permission to read job history.")
    client = FakeClient({S1: [THUMB]}, job_ids=[J1], history_error=error)
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    with pytest.raises(KeyfactorError) as raised:
        removal.follow(poller())
    text = str(raised.value)
    assert text.startswith("The removal was submitted (jobs %s), but its progress cannot be "
                           "followed: Reading the job history of %s" % (J1, J1))
    assert "needs the /agents/management/read/ permission" in text
    assert removal.results()["stores"][0]["outcome"] == "submitted"


def test_confirm_rereads_until_the_alias_is_gone():
    client = FakeClient({S1: [[THUMB], [THUMB, "other"], ["other"]]}, job_ids=[J1],
                        rows=[JobRow(J1, 1, "Completed", "Success")])
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    removal.follow(poller())
    assert removal.confirm(poller()) == []
    assert [call for call in client.calls if call[0] == "inventory"] == [("inventory", S1)] * 3


def test_confirm_gives_up_at_the_deadline():
    client = FakeClient({S1: [THUMB]}, job_ids=[J1], rows=[JobRow(J1, 1, "Completed", "Success")])
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    removal.follow(poller())
    [still] = removal.confirm(poller(timeout=3))
    assert still.target.store_id == S1


def test_diff_shows_before_and_intended_after():
    client = FakeClient({S1: [THUMB, "B" * 40], S3: ["app-cert", "app-cert-old"]})
    removal = Removal(client, [Target(S1, THUMB.lower()), Target(S3, "app-cert")])
    removal.read_inventories()
    removal.decide(check_mode=True)
    assert removal.diff() == {
        "before": {S1: sorted([THUMB, "B" * 40]), S3: ["app-cert", "app-cert-old"]},
        "after": {S1: ["B" * 40], S3: ["app-cert-old"]},
    }


class PendingClient(FakeClient):
    """A fake whose Command already holds queued jobs (as after a lost answer)."""

    def __init__(self, inventories, pending, locations):
        super(PendingClient, self).__init__(inventories)
        self.pending = pending
        self.locations = locations

    def scheduled_jobs(self):
        self.calls.append(("scheduled",))
        return self.pending

    def store_location(self, store_id):
        self.calls.append(("store", store_id))
        return self.locations[store_id]


def test_immediate_removal_never_reads_the_waiting_jobs():
    from ansible_collections.keyfactor.command.plugins.module_utils._jobs import ScheduledJob

    pending = [ScheduledJob(J1, "iis01.example.test", "My", None, "IISUManagement")]
    client = PendingClient({S1: [THUMB]}, pending, {S1: ("iis01.example.test", "My")})
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.find_scheduled()
    assert [r.target.store_id for r in removal.due] == [S1]
    assert client.calls == [("inventory", S1)]
    assert removal.warnings == []


def test_scheduled_removal_takes_a_matching_job_and_says_so():
    from ansible_collections.keyfactor.command.plugins.module_utils._jobs import ScheduledJob

    schedule = {"ExactlyOnce": {"Time": "2026-12-05T01:00:00Z"}}
    pending = [ScheduledJob(J1, "iis01.example.test", "My",
                            {"ExactlyOnce": {"Time": "2026-12-05T01:00:00"}}, "IISUManagement")]
    client = PendingClient({S1: [THUMB]}, pending, {S1: ("iis01.example.test", "My")})
    removal = Removal(client, [Target(S1, THUMB)], schedule=schedule)
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.find_scheduled()
    assert [(r.outcome, r.job_id) for r in removal.reports] == [("already_scheduled", J1)]
    assert removal.due == []
    assert removal.warnings == [
        "Taking job %s (ExactlyOnce at 2026-12-05T01:00:00Z) for the removal of alias %s from "
        "store %s: Command's list of scheduled jobs names the store and the schedule, not the "
        "certificate. If it is another certificate's job, schedule this removal at another time."
        % (J1, THUMB, S1)]


def test_no_pending_management_job_means_no_store_reads():
    schedule = {"Interval": {"Minutes": 60}}
    client = PendingClient({S1: [THUMB]}, [], {})
    removal = Removal(client, [Target(S1, THUMB)], schedule=schedule)
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.find_scheduled()
    assert client.calls == [("inventory", S1), ("scheduled",)]


def test_thumbprint_is_sent_as_the_inventory_spells_it():
    client = FakeClient({S1: [THUMB]}, job_ids=[J1])
    removal = Removal(client, [Target(S1, THUMB.lower())])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    assert client.calls[-1][1] == [(S1, THUMB)]
    assert removal.results()["stores"][0]["alias"] == THUMB.lower()


def test_absent_thumbprint_with_bindings_in_the_store_warns():
    binding = THUMB + ":Default Web Site:*:443"
    client = FakeClient({S1: [binding]})
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    assert removal.reports[0].outcome == "absent"
    assert removal.warnings == [
        "Store %s does not list the alias %s, but lists the IIS binding alias(es) %s. An alias "
        "matches only exactly: to remove a binding, name its alias." % (S1, THUMB, binding)]


def test_warning_outcome_is_confirmed_in_the_inventory_too():
    client = FakeClient({S1: [[THUMB], [THUMB], []]}, job_ids=[J1],
                        rows=[JobRow(J1, 1, "Completed", "Warning", "restart pending")])
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    removal.follow(poller())
    assert removal.confirm(poller()) == []
    assert removal.reports[0].confirmed is True
    assert removal.diff()["after"] == {S1: []}


def test_failure_while_confirming_says_the_removal_was_submitted():
    class Failing(FakeClient):
        def inventory_aliases(self, store_id):
            if any(call[0] == "history" for call in self.calls):
                raise ApiError("Reading the inventory of certificate store %s" % store_id, 200,
                               "the answer is not JSON")
            return super(Failing, self).inventory_aliases(store_id)

    client = Failing({S1: [THUMB]}, job_ids=[J1], rows=[JobRow(J1, 1, "Completed", "Success")])
    removal = Removal(client, [Target(S1, THUMB)])
    removal.read_inventories()
    removal.decide(check_mode=False)
    removal.submit()
    removal.follow(poller())
    with pytest.raises(KeyfactorError) as error:
        removal.confirm(poller())
    assert str(error.value).startswith(
        "The removal was submitted (jobs %s) and its jobs ended, but reading the inventories "
        "afterwards failed: Reading the inventory of certificate store %s failed" % (J1, S1))
    assert removal.results()["stores"][0]["outcome"] == "removed"
