"""Response bodies, shaped like the recorded 25.4.1 responses (key order included)."""

from __future__ import annotations

import json
import uuid

from .clock import iso
from .query import RESULT_NAMES, STATUS_NAMES
from .seed import NS
from .storetypes import SECRET

SECRET_MASK = "*" * 20
REENROLLMENT_MESSAGE = "Key generation is not supported by the agent for this store."


def secret_object(has_value: bool) -> dict:
    return {
        "Value": SECRET_MASK if has_value else None,
        "SecretTypeGuid": "00000000-0000-0000-0000-000000000000",
        "InstanceId": None,
        "InstanceGuid": None,
        "ProviderTypeParameterValues": [],
        "ProviderId": None,
        "IsManaged": False,
        "SecretType": 0,
        "RemoteProviderName": None,
        "HasValue": has_value,
    }


def _properties(store: dict, stype, detail: bool) -> str:
    """Properties is a JSON string; secrets are reference GUIDs in lists, masked objects by id."""
    props = {}
    for name, value in stype.properties:
        if value is SECRET:
            props[name] = (
                secret_object(True)
                if detail
                else str(uuid.uuid5(NS, f"secret:{store['Id']}:{name}"))
            )
        else:
            props[name] = value
    return json.dumps(props, separators=(",", ":"))


def store(state, store: dict, detail: bool) -> dict:
    stype = state.store_type(store)
    container = store["ContainerId"]
    container_name = state.data["containers"].get(str(container)) if container else None
    return {
        "Id": store["Id"],
        "ContainerId": container,
        "DisplayName": f"{store['ClientMachine']} - {store['StorePath']}",
        "ClientMachine": store["ClientMachine"],
        "Storepath": store["StorePath"],
        "CertStoreInventoryJobId": store["CertStoreInventoryJobId"],
        "CertStoreType": stype.type_id,
        "Approved": True,
        "CreateIfMissing": False,
        "Properties": _properties(store, stype, detail),
        "AgentId": store["AgentId"],
        "AgentAssigned": True,
        # Recorded: "" in the list, null by id, unless the store is in a container.
        "ContainerName": container_name if container_name else (None if detail else ""),
        "InventorySchedule": store["InventorySchedule"],
        "ReenrollmentStatus": {
            "Data": False,
            "AgentId": None,
            "Message": REENROLLMENT_MESSAGE,
            "JobProperties": None,
            "CustomAliasAllowed": stype.custom_alias_allowed,
            "EntryParameters": [],
        },
        "SetNewPasswordAllowed": stype.store_password,
        "Password": secret_object(store["HasPassword"]) if detail else None,
    }


def _inventory_cert(cert: dict, item_id: int) -> dict:
    return {
        "Id": cert["Id"],
        "IssuedDN": cert["IssuedDN"],
        "SerialNumber": cert["SerialNumber"],
        "NotBefore": cert["NotBefore"],
        "NotAfter": cert["NotAfter"],
        "SigningAlgorithm": cert["SigningAlgorithm"],
        "IssuerDN": cert["IssuerDN"],
        "Thumbprint": cert["Thumbprint"],
        "CertStoreInventoryItemId": item_id,
        "CertState": cert["CertState"],
        "Metadata": {},
    }


def inventory_item(state, store: dict, entry: dict) -> dict:
    leaf = state.cert(entry["CertId"])
    chain = [state.cert(cid) for cid in leaf["Chain"]]
    return {
        "Name": entry["Alias"],
        "Certificates": [_inventory_cert(c, entry["ItemId"]) for c in [leaf, *chain]],
        "Parameters": {"PrivateKeyEntry": "Yes" if entry["PrivateKey"] else "No"},
        "CertStoreId": store["Id"],
    }


def schedule(value: dict | None) -> dict:
    """Job schedules: an Immediate job's schedule reads back as {} (see README fidelity notes)."""
    if not value or value.get("Immediate"):
        return {}
    return value


def enum(config: dict, kind: str, value: int):
    if config["enum_format"] == "ints":
        return value
    return STATUS_NAMES[value] if kind == "status" else RESULT_NAMES.get(value, value)


def history_row(state, row: dict) -> dict:
    store = state.store(row["StoreId"])
    agent = state.agent(store["AgentId"]) or {}
    return {
        "JobHistoryId": row["JobHistoryId"],
        "AgentMachine": agent.get("ClientMachine"),
        "JobId": row["JobId"],
        "Schedule": schedule(row["Schedule"]),
        "JobType": f"{store['Type']}{row['Kind']}",
        "OperationStart": iso(row["OperationStart"]),
        "OperationEnd": iso(row["OperationEnd"]),
        "Message": row["Message"],
        "Result": enum(state.config, "result", row["Result"]),
        "Status": enum(state.config, "status", row["Status"]),
        "StorePath": store["StorePath"],
        "ClientMachine": store["ClientMachine"],
    }


def scheduled_job(state, job: dict) -> dict:
    store = state.store(job["StoreId"])
    return {
        "Id": job["Id"],
        "ClientMachine": store["ClientMachine"],
        "Target": store["StorePath"],
        "Schedule": schedule(job["Schedule"]),
        "Requested": job["RequestedBy"],
        "JobType": f"{store['Type']}{job['Kind']}",
    }
