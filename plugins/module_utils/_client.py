# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Keyfactor Command API calls the collection makes, one method per call.

Internal to the collection; not a public API. This is the one place where Keyfactor's request
and response field names (PascalCase) are written or read; everything above it speaks
snake_case.
"""

from __future__ import annotations

import re

from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    ApiError,
    TransportError,
)
from ansible_collections.keyfactor.command.plugins.module_utils._jobs import JobRow, ScheduledJob

INVENTORY_PAGE_SIZE = 100
HISTORY_PAGE_SIZE = 100
SCHEDULED_PAGE_SIZE = 100
# Keeps a JobHistory query string under 2 KB, the default URL query limit of IIS.
HISTORY_JOBS_PER_QUERY = 25
_MAX_PAGES = 10000
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

JOB_HISTORY_PERMISSION = "/agents/management/read/"
# What a 403 or 404 on reading one certificate store means.
STORE_HINTS = {
    403: "The account needs permission to read certificate stores (/certificate_stores/read/) "
         "for this store.",
    404: "No certificate store with this ID exists, or the account cannot see it.",
}
# A gateway's error or a server error after the request reached Command: it may have acted.
UNCLEAR_STATUSES = frozenset([500, 502, 503, 504])


class KeyfactorClient(object):
    """Reads and changes Keyfactor Command through a Transport."""

    def __init__(self, transport):
        self._transport = transport

    def retry_until(self, deadline):
        """Let retries of reads run until ``deadline`` (time.monotonic()) and no longer."""
        self._transport.budget.deadline = deadline

    def inventory_aliases(self, store_id):
        """Every alias the store's inventory lists, reading every page."""
        action = "Reading the inventory of certificate store %s" % store_id
        aliases = []
        for item in self._pages("/CertificateStores/%s/Inventory" % store_id, action, {},
                                INVENTORY_PAGE_SIZE, STORE_HINTS):
            if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
                raise ApiError(action, None, "an inventory entry has no alias (Name): %r"
                               % (item,))
            aliases.append(item["Name"])
        return aliases

    def store_location(self, store_id):
        """The store's (client machine, store path), the names job listings use for it."""
        action = "Reading certificate store %s (GET /CertificateStores/{id})" % store_id
        data = self._transport.get("/CertificateStores/%s" % store_id, action,
                                   hints=STORE_HINTS).data
        if not isinstance(data, dict):
            raise ApiError(action, None, "expected a JSON object, got %s" % _describe(data))
        # Command spells it Storepath in this answer and StorePath elsewhere.
        path = data.get("Storepath", data.get("StorePath"))
        return data.get("ClientMachine"), path

    def scheduled_jobs(self):
        """Every job Command has queued or scheduled and not yet run, reading every page."""
        action = "Reading the scheduled jobs (GET /OrchestratorJobs/ScheduledJobs)"
        hints = {403: "The account needs the %s permission to read scheduled jobs."
                      % JOB_HISTORY_PERMISSION}
        jobs = []
        for item in self._pages("/OrchestratorJobs/ScheduledJobs", action, {},
                                SCHEDULED_PAGE_SIZE, hints):
            if not isinstance(item, dict) or not item.get("Id"):
                raise ApiError(action, None, "a scheduled job has no Id: %s" % _describe(item))
            jobs.append(ScheduledJob(
                job_id=str(item["Id"]).lower(),
                client_machine=item.get("ClientMachine"),
                target=item.get("Target"),
                schedule=item.get("Schedule"),
                job_type=item.get("JobType"),
            ))
        return jobs

    def remove_certificates(self, targets, schedule, collection_id=None):
        """Submit one removal request for all targets; return the job IDs Command created."""
        action = "Submitting the removal request (POST /CertificateStores/Certificates/Remove)"
        body = {
            "CertificateStores": [
                {"CertificateStoreId": target.store_id, "Alias": target.alias}
                for target in targets
            ],
            "Schedule": schedule,
        }
        if collection_id is not None:
            body["CollectionId"] = collection_id
        hints = {
            403: "The account needs /certificate_stores/schedule/ and "
                 "/certificates/collections/read/ (or those permissions for the collection "
                 "given in collection_id).",
        }
        unclear = ("Command may have accepted the removal anyway: check the stores' job history "
                   "before running the task again.")
        try:
            reply = self._transport.post("/CertificateStores/Certificates/Remove", action, body,
                                         hints=hints)
        except ApiError as error:
            if error.status is not None and (200 <= error.status < 300
                                             or error.status in UNCLEAR_STATUSES):
                raise _unclear(ApiError(action, error.status, error.server_message, unclear))
            raise
        except TransportError as error:
            if error.maybe_sent:
                raise _unclear(TransportError(
                    action, error.reason, "The removal may have been submitted: check the "
                    "stores' job history before running the task again."))
            raise
        job_ids = reply.data
        if (not isinstance(job_ids, list) or not job_ids
                or not all(isinstance(job, str) and _GUID.match(job) for job in job_ids)):
            raise _unclear(ApiError(action, reply.status, "the answer holds no job IDs (got %s)"
                                    % _describe(job_ids), unclear))
        return [job.lower() for job in job_ids]

    def job_history(self, job_ids):
        """Every JobHistory row of these jobs, as JobRow objects, in as few queries as fit."""
        rows = []
        for start in range(0, len(job_ids), HISTORY_JOBS_PER_QUERY):
            chunk = job_ids[start:start + HISTORY_JOBS_PER_QUERY]
            query = " OR ".join('JobId -eq "%s"' % job_id for job_id in chunk)
            params = {"QueryString": query, "SortField": "JobHistoryId", "SortAscending": 1}
            action = "Reading the job history of %s (GET /OrchestratorJobs/JobHistory)" % (
                ", ".join(chunk))
            hints = {403: "The account needs the %s permission to read job history."
                          % JOB_HISTORY_PERMISSION}
            for item in self._pages("/OrchestratorJobs/JobHistory", action, params,
                                    HISTORY_PAGE_SIZE, hints):
                rows.append(_job_row(item, action))
        return rows

    def _pages(self, path, action, params, page_size, hints):
        """Yield the items of a paged list endpoint, page by page, until the list ends."""
        fetched = 0
        previous = None
        for page in range(1, _MAX_PAGES + 1):
            # The first page is always read: a poll at the deadline still gets its answer.
            if page > 1 and self._transport.budget.out_of_time():
                raise ApiError(action, None, "the list was still not complete after %d pages "
                               "when wait_timeout ran out" % (page - 1))
            query = dict(params, PageReturned=page, ReturnLimit=page_size)
            reply = self._transport.get(path, action, params=query, hints=hints)
            items = reply.data
            # An empty body is not an empty list: Command answers an empty list as [].
            if not isinstance(items, list):
                raise ApiError(action, reply.status, "expected a JSON list, got %s"
                               % ("no body" if items is None else _describe(items)))
            if items and items == previous:
                raise ApiError(action, reply.status, "page %d repeats page %d: the server does "
                               "not page this list" % (page, page - 1))
            previous = items
            yield from items
            fetched += len(items)
            total = reply.total_count()
            # Only a short page ends the list; the count is checked, never trusted to end it.
            if total is not None and fetched > total:
                raise ApiError(action, reply.status, "the server sent %d entries but counts %d "
                               "(X-Total-Count)" % (fetched, total))
            if len(items) < page_size:
                if total is not None and fetched < total:
                    raise ApiError(action, reply.status, "the list ended after %d of the %d "
                                   "entries the server counts (X-Total-Count)" % (fetched, total))
                return
        raise ApiError(action, None, "the list did not end after %d pages" % _MAX_PAGES)


def _unclear(error):
    error.maybe_submitted = True
    return error


def _job_row(item, action):
    try:
        return JobRow(
            job_id=str(item["JobId"]).lower(),
            history_id=int(item["JobHistoryId"]),
            status=item.get("Status"),
            result=item.get("Result"),
            message=item.get("Message"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ApiError(action, None, "a job history row lacks JobId or JobHistoryId: %s"
                       % _describe(item))


def _describe(value):
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."
