"""Query and sort fields of each list endpoint, over flat per-request records."""

from __future__ import annotations

from .query import Field
from .schedule import schedule_type


def _f(kind: str, key: str) -> Field:
    return Field(kind, lambda rec, key=key: rec[key])


STORE_FIELDS = {
    "Id": _f("guid", "Id"),
    "ContainerId": _f("int", "ContainerId"),
    "DisplayName": _f("string", "DisplayName"),
    "ClientMachine": _f("string", "ClientMachine"),
    "StorePath": _f("string", "StorePath"),
    "CertStoreType": _f("int", "CertStoreType"),
    "Approved": _f("bool", "Approved"),
    "CreateIfMissing": _f("bool", "CreateIfMissing"),
    "AgentId": _f("guid", "AgentId"),
    "AgentAssigned": _f("bool", "AgentAssigned"),
    "ContainerName": _f("string", "ContainerName"),
    "CertStoreInventoryJobId": _f("guid", "CertStoreInventoryJobId"),
}

INVENTORY_FIELDS = {"Name": _f("string", "Name")}

HISTORY_FIELDS = {
    "JobHistoryId": _f("int", "JobHistoryId"),
    "AgentId": _f("guid", "AgentId"),
    "Agent": _f("string", "AgentMachine"),
    "AgentMachine": _f("string", "AgentMachine"),
    "JobId": _f("guid", "JobId"),
    "JobType": _f("string", "JobType"),
    "OperationStart": _f("datetime", "OperationStart"),
    "OperationEnd": _f("datetime", "OperationEnd"),
    "Message": _f("string", "Message"),
    "Result": _f("result", "Result"),
    "Status": _f("status", "Status"),
    "ScheduleType": _f("string", "ScheduleType"),
    "TargetPath": _f("string", "StorePath"),
    "StorePath": _f("string", "StorePath"),
    "ClientMachine": _f("string", "ClientMachine"),
}

SCHEDULED_FIELDS = {
    "Id": _f("guid", "Id"),
    "JobId": _f("guid", "Id"),
    "AgentId": _f("guid", "AgentId"),
    "ClientMachine": _f("string", "ClientMachine"),
    "Target": _f("string", "Target"),
    "TargetPath": _f("string", "Target"),
    "JobType": _f("string", "JobType"),
    "Requested": _f("string", "Requested"),
    "ScheduleType": _f("string", "ScheduleType"),
}

# Requested-time order is the default listing order; it is not a documented query field.
SCHEDULED_SORT_FIELDS = {**SCHEDULED_FIELDS, "Created": _f("datetime", "Created")}


def store_record(state, store: dict) -> dict:
    stype = state.store_type(store)
    container = store["ContainerId"]
    return {
        "store": store,
        "Id": store["Id"],
        "ContainerId": container,
        "DisplayName": f"{store['ClientMachine']} - {store['StorePath']}",
        "ClientMachine": store["ClientMachine"],
        "StorePath": store["StorePath"],
        "CertStoreType": stype.type_id,
        "Approved": True,
        "CreateIfMissing": False,
        "AgentId": store["AgentId"],
        "AgentAssigned": True,
        "ContainerName": state.data["containers"].get(str(container)) if container else None,
        "CertStoreInventoryJobId": store["CertStoreInventoryJobId"],
    }


def history_record(state, row: dict) -> dict:
    store = state.store(row["StoreId"])
    agent = state.agent(store["AgentId"]) or {}
    return {
        "row": row,
        "JobHistoryId": row["JobHistoryId"],
        "AgentId": store["AgentId"],
        "AgentMachine": agent.get("ClientMachine"),
        "JobId": row["JobId"],
        # The docs' query values are bare kinds ("Management"); rows say "<Type>Management".
        "JobType": [f"{store['Type']}{row['Kind']}", row["Kind"]],
        "OperationStart": row["OperationStart"],
        "OperationEnd": row["OperationEnd"],
        "Message": row["Message"],
        "Result": row["Result"],
        "Status": row["Status"],
        "ScheduleType": schedule_type(row["Schedule"]),
        "StorePath": store["StorePath"],
        "ClientMachine": store["ClientMachine"],
    }


def scheduled_record(state, job: dict) -> dict:
    store = state.store(job["StoreId"])
    return {
        "job": job,
        "Id": job["Id"],
        "AgentId": store["AgentId"],
        "ClientMachine": store["ClientMachine"],
        "Target": store["StorePath"],
        "JobType": [f"{store['Type']}{job['Kind']}", job["Kind"]],
        "Requested": job["RequestedBy"],
        "ScheduleType": schedule_type(job["Schedule"]),
        "Created": job["Created"],
    }
