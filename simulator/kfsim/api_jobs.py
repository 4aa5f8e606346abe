"""Orchestrator job endpoints: job history and scheduled jobs."""

from __future__ import annotations

from . import fields, render
from .clock import now, parse_iso
from .paging import query_page
from .query import compile_query
from .routes import Result

AGENTS_READ = "/agents/management/read/"
SEED_REQUESTER = "KEYFACTOR\\kfadmin"
SEED_CREATED = parse_iso("2026-01-05T09:00:00Z")
WAITING_PHASES = ("scheduled", "waiting")


def job_history(ctx) -> Result:
    state = ctx.state
    records = [fields.history_record(state, row) for row in state.data["history"]]
    if ctx.faults is not None:
        records = _without_hidden(ctx, records)
    page, total = query_page(records, ctx.params, fields.HISTORY_FIELDS, "JobHistoryId")
    return Result(200, [render.history_row(state, r["row"]) for r in page], total)


def _without_hidden(ctx, records: list[dict]) -> list[dict]:
    """Drop the rows a hide_history fault hides now; the log names those the query matched."""
    at = now()
    visible, hidden, rules = [], [], set()
    predicate = None
    for record in records:
        rule_id = ctx.faults.hides(record["row"], at)
        if rule_id is None:
            visible.append(record)
            continue
        if predicate is None:
            predicate = compile_query(ctx.params.get("QueryString"), fields.HISTORY_FIELDS)
        if predicate(record):
            hidden.append(record["JobHistoryId"])
            rules.add(rule_id)
    if hidden:
        ctx.faults.note_hidden(rules)
        if ctx.entry is not None:
            ctx.entry["history_hidden"] = hidden
            ctx.entry["fault"] = ctx.entry["fault"] or {
                "kind": "hide_history",
                "ids": sorted(rules),
            }
    return visible


def _inventory_jobs(state) -> list[dict]:
    """Each store's recurring inventory job is a scheduled orchestrator job too."""
    return [
        {
            "Id": store["CertStoreInventoryJobId"],
            "StoreId": store["Id"],
            "Kind": "Inventory",
            "Schedule": store["InventorySchedule"],
            "RequestedBy": SEED_REQUESTER,
            "Created": SEED_CREATED,
        }
        for store in state.data["stores"]
        if store["CertStoreInventoryJobId"]
    ]


def scheduled_jobs(ctx) -> Result:
    """Recurring inventory jobs, plus management jobs not running now: queued Immediate jobs
    awaiting pickup and jobs waiting for their scheduled time."""
    state = ctx.state
    waiting = [
        {**job, "Kind": "Management"}
        for job in state.data["jobs"]
        if job["Phase"] in WAITING_PHASES
    ]
    records = [fields.scheduled_record(state, job) for job in _inventory_jobs(state) + waiting]
    page, total = query_page(
        records,
        ctx.params,
        fields.SCHEDULED_SORT_FIELDS,
        "Created",
        query_fields=fields.SCHEDULED_FIELDS,
    )
    return Result(200, [render.scheduled_job(state, r["job"]) for r in page], total)
