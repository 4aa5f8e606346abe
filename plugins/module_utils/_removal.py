# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Removing certificates from stores: read, decide, submit, follow, confirm, report.

Internal to the collection; not a public API. Each step is a method the module calls in turn;
the state of every requested store lives in one StoreReport, which becomes its result entry.
"""

from __future__ import annotations

from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    KeyfactorError,
)
from ansible_collections.keyfactor.command.plugins.module_utils._jobs import follow_jobs
from ansible_collections.keyfactor.command.plugins.module_utils._schedule import (
    IMMEDIATE,
    describe,
    same_schedule,
)
from ansible_collections.keyfactor.command.plugins.module_utils._targets import (
    Target,
    bindings_of,
    holds_alias,
    listed_as,
)

# Outcomes of stores that need nothing more from this run.
SETTLED = ("absent", "already_scheduled")


class StoreReport(object):
    """What happened to one requested store; ``as_result`` is its entry in ``stores``."""

    __slots__ = ("target", "sent", "outcome", "job_id", "status", "result", "message",
                 "confirmed")

    def __init__(self, target):
        self.target = target
        self.sent = target
        self.outcome = None
        self.confirmed = False
        self.job_id = None
        self.status = None
        self.result = None
        self.message = None

    def as_result(self):
        return dict(
            id=self.target.store_id,
            alias=self.target.alias,
            outcome=self.outcome,
            job_id=self.job_id,
            status=self.status,
            result=self.result,
            message=self.message,
        )

    def describe(self):
        return "store %s (alias %s)" % (self.target.store_id, self.target.alias)


class Removal(object):
    """One run of the removal of aliases from stores."""

    def __init__(self, client, targets, collection_id=None, schedule=None):
        self._client = client
        self._collection_id = collection_id
        self.schedule = schedule or dict(IMMEDIATE)
        self.reports = [StoreReport(target) for target in targets]
        self.inventories = {}
        self.job_ids = []
        # Things the user should act on, for the module to show as warnings.
        self.warnings = []
        # True when the answer to the removal request was lost after it was sent.
        self.maybe_submitted = False

    @property
    def immediate(self):
        return self.schedule == IMMEDIATE

    @property
    def due(self):
        """The reports of stores this run submits (or, in check mode, would submit) for."""
        return [report for report in self.reports if report.outcome not in SETTLED]

    def read_inventories(self):
        """Read each distinct store's inventory once, every page of it."""
        for report in self.reports:
            store_id = report.target.store_id
            if store_id not in self.inventories:
                self.inventories[store_id] = self._client.inventory_aliases(store_id)

    def decide(self, check_mode):
        for report in self.reports:
            aliases = self.inventories[report.target.store_id]
            spelled = listed_as(aliases, report.target.alias)
            if spelled is None:
                report.outcome = "absent"
                self._warn_of_bindings(report, aliases)
                continue
            # Send the alias as the inventory spells it (a thumbprint's letter case).
            report.sent = Target(report.target.store_id, spelled)
            if check_mode:
                report.outcome = "would_remove"

    def _warn_of_bindings(self, report, aliases):
        bindings = bindings_of(aliases, report.target.alias)
        if bindings:
            self.warnings.append(
                "Store %s does not list the alias %s, but lists the IIS binding alias(es) %s. An "
                "alias matches only exactly: to remove a binding, name its alias."
                % (report.target.store_id, report.target.alias, ", ".join(bindings)))

    def find_scheduled(self):
        """For a scheduled removal, mark stores whose removal Command already holds.

        Command's list of jobs not yet run names a job's store by client machine and path, and
        not the certificate, so a job can never be told apart from another certificate's job in
        the same store. A management job for the same store with exactly this schedule is taken
        to be this removal (one job per alias), with a warning naming the assumption. Immediate
        removals do not read the list: it may hold a job for every store Command inventories,
        and no job in it can justify leaving a certificate in place.
        """
        if self.immediate:
            return
        by_store = {}
        for report in self.due:
            by_store.setdefault(report.target.store_id, []).append(report)
        if not by_store:
            return
        try:
            listed = self._client.scheduled_jobs()
        except ApiError as error:
            if error.status != 403:
                raise
            raise KeyfactorError(
                "%s Without it the module cannot tell whether this removal is already "
                "scheduled, so it submits nothing rather than risk scheduling it twice." % error)
        jobs = [job for job in listed
                if job.is_management and same_schedule(self.schedule, job.schedule)]
        if not jobs:
            return
        for store_id, reports in by_store.items():
            machine, path = self._client.store_location(store_id)
            matches = [job for job in jobs
                       if (job.client_machine or "").lower() == (machine or "").lower()
                       and job.target == path]
            if matches:
                self._adopt(store_id, reports, matches, jobs)

    def _adopt(self, store_id, reports, matches, jobs):
        if len(matches) < len(reports):
            raise KeyfactorError(
                "Certificate store %s already has %d scheduled management job(s) with this "
                "schedule (%s: %s), but this task removes %d aliases from it, and Command's list "
                "of scheduled jobs does not say which alias a job removes. Nothing was "
                "submitted. Unschedule those jobs in Command, or schedule these aliases at "
                "another time." % (store_id, len(matches), describe(self.schedule),
                                   ", ".join(job.job_id for job in matches), len(reports)))
        for report, job in zip(reports, matches):
            report.outcome = "already_scheduled"
            report.job_id = job.job_id
            jobs.remove(job)
            self.warnings.append(
                "Taking job %s (%s) for the removal of alias %s from store %s: Command's list of "
                "scheduled jobs names the store and the schedule, not the certificate. If it is "
                "another certificate's job, schedule this removal at another time."
                % (job.job_id, describe(self.schedule), report.target.alias, store_id))

    def submit(self):
        """Send one removal request for every store that needs it; never sent twice."""
        due = self.due
        try:
            self.job_ids = self._client.remove_certificates(
                [report.sent for report in due], self.schedule, self._collection_id)
        except KeyfactorError as error:
            if error.maybe_submitted:
                self.maybe_submitted = True
                for report in due:
                    report.outcome = "unknown"
                    report.message = ("The answer to the removal request was lost; Command may "
                                      "have accepted it.")
            raise
        for report in due:
            report.outcome = "submitted" if self.immediate else "scheduled"
        if len(self.job_ids) != len(due):
            raise KeyfactorError(
                "Command accepted the removal from %d stores but returned %d job IDs (%s), so "
                "the jobs cannot be matched to stores. The removal was submitted: follow these "
                "jobs in the job history before running the task again."
                % (len(due), len(self.job_ids), ", ".join(self.job_ids)))
        # Command answers with one job per store entry, in the order the entries were sent.
        for report, job_id in zip(due, self.job_ids):
            report.job_id = job_id

    def follow(self, poller):
        """Follow the submitted jobs in the job history until they finish or time runs out."""
        try:
            latest, pending = follow_jobs(self.job_ids, self._client.job_history, poller)
        except KeyfactorError as error:
            advice = ("Until it can, use wait: false and follow the jobs in Command."
                      if getattr(error, "status", None) in (401, 403) else
                      "The jobs go on in Command: follow them there, or run the task again once "
                      "Command answers.")
            raise KeyfactorError(
                "The removal was submitted (jobs %s), but its progress cannot be followed: %s %s"
                % (", ".join(self.job_ids), error, advice))
        for report in self.due:
            row = latest.get(report.job_id)
            if row is not None:
                report.status, report.result, report.message = row.status, row.result, row.message
            report.outcome = row.outcome if row is not None and row.final else "pending"
        return pending

    def confirm(self, poller):
        """Wait until Command's inventory no longer lists the removed aliases.

        A job's success reaches the inventory a little later; a rerun before then would see
        the alias and submit its removal again. Returns the reports still listed at the
        deadline.
        """
        try:
            return self._confirm(poller)
        except KeyfactorError as error:
            raise KeyfactorError(
                "The removal was submitted (jobs %s) and its jobs ended, but reading the "
                "inventories afterwards failed: %s" % (", ".join(self.job_ids), error))

    def _confirm(self, poller):
        waiting = [report for report in self.due if report.outcome in ("removed", "warning")]
        for _round in poller.rounds() if waiting else ():
            fresh = {}
            for report in waiting:
                store_id = report.target.store_id
                if store_id not in fresh:
                    fresh[store_id] = self._client.inventory_aliases(store_id)
            still = []
            for report in waiting:
                if holds_alias(fresh[report.target.store_id], report.target.alias):
                    still.append(report)
                else:
                    report.confirmed = True
            waiting = still
            if not waiting:
                break
        return waiting

    def diff(self):
        """Each touched store's aliases before and after (after as intended by this run)."""
        before, after = {}, {}
        # A scheduled removal leaves the inventory only when its job runs, later.
        gone = ("would_remove", "submitted", "removed") if self.immediate else ()
        for report in self.reports:
            store_id = report.target.store_id
            aliases = self.inventories.get(store_id, [])
            before.setdefault(store_id, sorted(aliases))
            current = after.setdefault(store_id, sorted(aliases))
            if report.outcome in gone or report.confirmed:
                after[store_id] = [name for name in current
                                   if not holds_alias([name], report.target.alias)]
        return dict(before=before, after=after)

    def results(self):
        result = dict(job_ids=list(self.job_ids),
                      stores=[report.as_result() for report in self.reports])
        if not self.immediate:
            result["schedule"] = self.schedule
        return result
