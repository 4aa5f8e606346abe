"""The background orchestrator: picks up queued management jobs, runs them, writes history.

A job moves scheduled -> waiting -> running -> (waiting again for a retry) -> done, or back to
scheduled for a recurring schedule. Each phase remembers when it began; its end is computed
from the current config, so config changes apply to jobs in flight and a restarted server
resumes every job from its stored timestamps. Rows carry the instants the events were due, so
a job whose phases all fell due while the server was down gets a consistent history.
"""

from __future__ import annotations

import threading

from . import config as cfg
from .clock import now
from .schedule import next_run

STATUS_IN_PROCESS, STATUS_COMPLETED, STATUS_WILL_RETRY = 2, 3, 5
RESULT_UNKNOWN, RESULT_SUCCESS, RESULT_WARNING, RESULT_FAILURE = 0, 2, 3, 4
OUTCOMES = ("success", "warning", "failure", "never_pickup", "will_retry")
DEFAULT_MESSAGES = {
    "warning": "The certificate was removed with warnings.",
    "failure": "The orchestrator reported a failure removing the certificate.",
    "will_retry": "The orchestrator could not reach the store; the job will be retried.",
}
MAX_WAIT = 0.5


class Orchestrator:
    def __init__(self, state):
        self.state = state
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="kfsim-orchestrator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self.state.lock:
            self._stop = True
            self.state.changed.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        with self.state.lock:
            while not self._stop:
                wait = self.tick(now())
                timeout = MAX_WAIT if wait is None else min(max(wait, 0.001), MAX_WAIT)
                self.state.changed.wait(timeout=timeout)

    def tick(self, at: float) -> float | None:
        """Fire every event due by `at`; return seconds until the next known event."""
        changed, soonest = False, None
        for job in self.state.data["jobs"]:
            while (due := self._due(job)) is not None and due <= at:
                self._fire(job, due)
                changed = True
            if due is not None:
                soonest = due if soonest is None else min(soonest, due)
        changed |= self._purge(at)
        if changed:
            self.state.save()
        return None if soonest is None else soonest - at

    def _purge(self, at: float) -> bool:
        """Drop inventory entries whose removal Command has already reported."""
        lag = cfg.scaled(self.state.config, "inventory_lag")
        changed = False
        for store_id, entries in self.state.data["inventory"].items():
            kept = [e for e in entries if e.get("RemovedAt") is None or e["RemovedAt"] + lag > at]
            if len(kept) != len(entries):
                self.state.data["inventory"][store_id] = kept
                changed = True
        return changed

    def _due(self, job: dict) -> float | None:
        config = self.state.config
        phase = job["Phase"]
        if phase == "scheduled":
            return job["NextRun"]
        if phase == "waiting":
            behaviour = self.state.behaviour_for(job["StoreId"], job["Alias"])
            if behaviour and behaviour["outcome"] == "never_pickup":
                return None
            return job["PhaseSince"] + cfg.scaled(config, "pickup_delay")
        if phase == "running":
            return job["PhaseSince"] + cfg.scaled(config, "run_duration")
        return None

    def _fire(self, job: dict, due: float) -> None:
        phase = job["Phase"]
        if phase == "scheduled":
            job["Phase"], job["PhaseSince"] = "waiting", max(due, job["Created"])
        elif phase == "waiting":
            self._pickup(job, due)
        elif phase == "running":
            self._finish(job, due)

    def _row(self, job: dict, start: float, end, status: int, result: int, message: str):
        self.state.data["history"].append(
            {
                "JobHistoryId": self.state.next_counter("history_id"),
                "JobId": job["Id"],
                "StoreId": job["StoreId"],
                "Kind": "Management",
                "Schedule": job["Schedule"],
                "OperationStart": start,
                "OperationEnd": end,
                "Message": message,
                "Result": result,
                "Status": status,
            }
        )

    def _pickup(self, job: dict, due: float) -> None:
        if job["Attempt"] == 0 or job["Plan"] is None:
            behaviour = self.state.behaviour_for(job["StoreId"], job["Alias"]) or {}
            job["Plan"] = {k: behaviour.get(k) for k in ("outcome", "message", "final_outcome")}
        job["Attempt"] += 1
        job["Phase"], job["PhaseSince"], job["RunStart"] = "running", due, due
        self._row(job, due, None, STATUS_IN_PROCESS, RESULT_UNKNOWN, "")

    def _natural(self, job: dict) -> tuple[str, str]:
        """What the store itself does: file-based types fail on a missing alias (RFO)."""
        store = self.state.store(job["StoreId"])
        stype = self.state.store_type(store)
        if self.state.find_entries(store, job["Alias"]) or not stype.missing_alias_fails:
            return "success", ""
        return "failure", stype.missing_alias_message.format(
            alias=job["Alias"], path=store["StorePath"], machine=store["ClientMachine"]
        )

    def _finish(self, job: dict, due: float) -> None:
        plan = job["Plan"] or {}
        outcome, message = plan.get("outcome"), plan.get("message")
        if outcome == "will_retry" and job["Attempt"] == 1:
            self._row(
                job,
                job["RunStart"],
                due,
                STATUS_WILL_RETRY,
                RESULT_FAILURE,
                message or DEFAULT_MESSAGES["will_retry"],
            )
            job["Phase"], job["PhaseSince"] = "waiting", due
            return
        if outcome == "will_retry":
            outcome, message = plan.get("final_outcome"), None
        if outcome in (None, "never_pickup"):
            outcome, message = self._natural(job)
        result = {"success": RESULT_SUCCESS, "warning": RESULT_WARNING}.get(outcome, RESULT_FAILURE)
        text = message if message is not None else DEFAULT_MESSAGES.get(outcome, "")
        self._row(job, job["RunStart"], due, STATUS_COMPLETED, result, text)
        if result in (RESULT_SUCCESS, RESULT_WARNING):
            store = self.state.store(job["StoreId"])
            for entry in self.state.find_entries(store, job["Alias"]):
                entry["RemovedAt"] = due
        upcoming = next_run(job["Schedule"], due, first=False)
        if upcoming is None:
            job["Phase"] = "done"
        else:
            job["Phase"], job["NextRun"], job["Plan"], job["Attempt"] = (
                "scheduled",
                upcoming,
                None,
                0,
            )
