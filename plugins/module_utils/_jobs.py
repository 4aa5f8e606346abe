# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Orchestrator jobs: what a JobHistory row means, and following jobs until they finish.

Internal to the collection; not a public API. Nothing here sends a request: rows come from a
function handed in, and time from a clock and a sleep handed in, so the logic runs the same
against a live server and against a fake clock in tests.
"""

from __future__ import annotations

import time

# Command documents these codes; servers send either the number or the name.
STATUS_NAMES = {
    0: "Unknown",
    1: "Waiting",
    2: "InProcess",
    3: "Completed",
    4: "Acknowledged",
    5: "CompletedWillRetry",
}
RESULT_NAMES = {
    0: "Unknown",
    2: "Success",
    3: "Warning",
    4: "Failure",
}
FINAL_STATUSES = frozenset(["Completed", "Acknowledged"])


def _name(value, names):
    """The documented name of a status or result code given as a number or a name.

    A value Command does not document (such as result 1) keeps its own spelling, so it is
    reported as sent and never mistaken for a known one.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return names.get(value, str(value))
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return names.get(int(text), text)
    for known in names.values():
        if known.lower() == text.lower():
            return known
    return text


def status_name(value):
    return _name(value, STATUS_NAMES)


def result_name(value):
    return _name(value, RESULT_NAMES)


class JobRow(object):
    """One JobHistory row of one job; a job gets a new row for each run or retry."""

    __slots__ = ("job_id", "history_id", "status", "result", "message")

    def __init__(self, job_id, history_id, status, result, message=None):
        self.job_id = job_id
        self.history_id = history_id
        self.status = status_name(status)
        self.result = result_name(result)
        self.message = message

    @property
    def final(self):
        return self.status in FINAL_STATUSES

    @property
    def outcome(self):
        """removed, warning or failed for a final row; None while the job is still going."""
        if not self.final:
            return None
        if self.result == "Success":
            return "removed"
        if self.result == "Warning":
            return "warning"
        return "failed"


class ScheduledJob(object):
    """A job Command has queued or scheduled and not yet run (GET /OrchestratorJobs/ScheduledJobs).

    Command's listing names the store only by machine and path, and not the certificate.
    """

    __slots__ = ("job_id", "client_machine", "target", "schedule", "job_type")

    def __init__(self, job_id, client_machine, target, schedule, job_type):
        self.job_id = job_id
        self.client_machine = client_machine
        self.target = target
        self.schedule = schedule
        self.job_type = job_type

    @property
    def is_management(self):
        """Add and remove jobs are management jobs; their type ends in Management."""
        return (self.job_type or "").lower().endswith("management")


class Poller(object):
    """Paces polls: a first delay, growing by ``factor`` up to ``cap``, within one deadline.

    The deadline is fixed when the Poller is made; each call of ``rounds`` starts the delays
    again from the first one but never moves the deadline.
    """

    def __init__(self, timeout, interval, cap=30.0, factor=1.5, clock=time.monotonic,
                 sleep=time.sleep):
        self._clock = clock
        self._sleep = sleep
        self.interval = float(interval)
        self.cap = max(float(cap), self.interval)
        self.factor = factor
        self.timeout = timeout
        self.deadline = clock() + timeout

    def remaining(self):
        return max(0.0, self.deadline - self._clock())

    def rounds(self):
        """Sleep before each poll; stop once the deadline has passed (after a last poll)."""
        delay = self.interval
        while True:
            remaining = self.deadline - self._clock()
            if remaining <= 0:
                return
            self._sleep(min(delay, remaining))
            yield
            delay = min(delay * self.factor, self.cap)


def follow_jobs(job_ids, fetch_rows, poller):
    """Poll until every job has a final row or the deadline passes.

    ``fetch_rows(pending_job_ids)`` returns JobRow objects; one call is one poll round for
    all pending jobs. The newest row of a job (highest history ID) decides its state; a job
    with no row yet has not been picked up by an orchestrator.

    Returns ``(latest, pending)``: the newest row of each job seen, and the jobs not final.
    """
    latest = {}
    pending = list(job_ids)
    for _round in poller.rounds():
        wanted = set(pending)
        for row in fetch_rows(pending):
            if row.job_id not in wanted:
                continue
            current = latest.get(row.job_id)
            if current is None or row.history_id > current.history_id:
                latest[row.job_id] = row
        pending = [job for job in pending if not (job in latest and latest[job].final)]
        if not pending:
            break
    return latest, pending
