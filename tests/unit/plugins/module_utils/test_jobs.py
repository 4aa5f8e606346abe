import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._jobs import (
    JobRow,
    Poller,
    follow_jobs,
    result_name,
    status_name,
)

JOB_A = "0b4b411a-0000-4000-8000-00000000000a"
JOB_B = "0b4b411a-0000-4000-8000-00000000000b"


class FakeClock(object):
    """Time that moves only when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class History(object):
    """Answers each poll round from a script: a list of row lists, one per round."""

    def __init__(self, rounds):
        self.rounds = list(rounds)
        self.calls = []

    def __call__(self, pending):
        self.calls.append(list(pending))
        return self.rounds.pop(0) if self.rounds else []


def poller(clock, timeout=60, interval=2, cap=30):
    return Poller(timeout, interval, cap=cap, clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize("value, expected", [
    (0, "Unknown"), (1, "Waiting"), (2, "InProcess"), (3, "Completed"), (4, "Acknowledged"),
    (5, "CompletedWillRetry"), ("Completed", "Completed"), ("completedwillretry", "CompletedWillRetry"),
    ("3", "Completed"), (9, "9"), ("Paused", "Paused"), (None, None),
])
def test_status_names_from_numbers_or_names(value, expected):
    assert status_name(value) == expected


@pytest.mark.parametrize("value, expected", [
    (0, "Unknown"), (1, "1"), (2, "Success"), (3, "Warning"), (4, "Failure"),
    ("Success", "Success"), ("FAILURE", "Failure"), ("4", "Failure"),
])
def test_result_names_from_numbers_or_names(value, expected):
    assert result_name(value) == expected


@pytest.mark.parametrize("status, result, final, outcome", [
    ("Completed", "Success", True, "removed"),
    ("Acknowledged", "Success", True, "removed"),
    (3, 3, True, "warning"),
    ("Completed", "Failure", True, "failed"),
    ("Completed", "Unknown", True, "failed"),
    ("Completed", 1, True, "failed"),
    ("CompletedWillRetry", "Failure", False, None),
    ("InProcess", "Unknown", False, None),
    ("Waiting", "Unknown", False, None),
])
def test_row_final_and_outcome(status, result, final, outcome):
    row = JobRow(JOB_A, 1, status, result)
    assert row.final is final
    assert row.outcome == outcome


def test_stops_as_soon_as_every_job_is_final():
    clock = FakeClock()
    history = History([
        [],
        [JobRow(JOB_A, 10, "InProcess", "Unknown")],
        [JobRow(JOB_A, 10, "InProcess", "Unknown"), JobRow(JOB_A, 11, "Completed", "Success"),
         JobRow(JOB_B, 12, "Completed", "Failure", "Alias x does not exist")],
    ])
    latest, pending = follow_jobs([JOB_A, JOB_B], history, poller(clock))
    assert pending == []
    assert (latest[JOB_A].history_id, latest[JOB_A].outcome) == (11, "removed")
    assert latest[JOB_B].message == "Alias x does not exist"
    assert history.calls == [[JOB_A, JOB_B]] * 3
    assert clock.sleeps == [2, 3, 4.5]


def test_newest_row_decides_whatever_the_order_rows_arrive_in():
    clock = FakeClock()
    history = History([[
        JobRow(JOB_A, 21, "Completed", "Success"),
        JobRow(JOB_A, 20, "CompletedWillRetry", "Failure"),
    ]])
    latest, pending = follow_jobs([JOB_A], history, poller(clock))
    assert pending == []
    assert latest[JOB_A].outcome == "removed"


def test_will_retry_keeps_the_job_pending_until_a_final_row():
    clock = FakeClock()
    history = History([
        [JobRow(JOB_A, 30, "CompletedWillRetry", "Failure")],
        [JobRow(JOB_A, 30, "CompletedWillRetry", "Failure"), JobRow(JOB_A, 31, "Completed", "Success")],
    ])
    latest, pending = follow_jobs([JOB_A], history, poller(clock))
    assert pending == []
    assert latest[JOB_A].history_id == 31
    assert len(history.calls) == 2


def test_a_failed_job_does_not_wait_for_the_others_to_poll_again():
    clock = FakeClock()
    history = History([
        [JobRow(JOB_A, 1, "Completed", "Failure")],
        [JobRow(JOB_A, 1, "Completed", "Failure"), JobRow(JOB_B, 2, "Completed", "Success")],
    ])
    follow_jobs([JOB_A, JOB_B], history, poller(clock))
    assert history.calls == [[JOB_A, JOB_B], [JOB_B]]


def test_deadline_holds_and_reports_pending_jobs():
    clock = FakeClock()
    history = History([])
    latest, pending = follow_jobs([JOB_A, JOB_B], history, poller(clock, timeout=20, interval=2, cap=5))
    assert pending == [JOB_A, JOB_B]
    assert latest == {}
    assert clock.sleeps == [2, 3, 4.5, 5, 5, 0.5]
    assert sum(clock.sleeps) == 20
    assert len(history.calls) == 6


def test_pending_job_keeps_its_newest_row_on_timeout():
    clock = FakeClock()
    history = History([[JobRow(JOB_A, 5, "InProcess", "Unknown")]] * 10)
    latest, pending = follow_jobs([JOB_A], history, poller(clock, timeout=4, interval=1))
    assert pending == [JOB_A]
    assert latest[JOB_A].status == "InProcess"
    assert clock.now == 1004.0


def test_rows_of_other_jobs_are_ignored():
    clock = FakeClock()
    history = History([[JobRow("ffffffff-0000-4000-8000-000000000000", 99, "Completed", "Failure"),
                        JobRow(JOB_A, 1, "Completed", "Success")]])
    latest, pending = follow_jobs([JOB_A], history, poller(clock))
    assert list(latest) == [JOB_A]


def test_rounds_restart_delays_but_keep_the_deadline():
    clock = FakeClock()
    pace = poller(clock, timeout=10, interval=1, cap=30)
    first = pace.rounds()
    next(first)
    next(first)
    assert clock.sleeps == [1, 1.5]
    for _round in pace.rounds():
        pass
    assert clock.sleeps == [1, 1.5, 1, 1.5, 2.25, 2.75]
    assert clock.now == 1010.0
    assert pace.remaining() == 0.0
