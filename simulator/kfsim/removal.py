"""POST /CertificateStores/Certificates/Remove: validation and job creation (API-NOTES §2, §10)."""

from __future__ import annotations

import uuid

from . import errors
from .clock import now
from .params import ci_get, ci_has
from .schedule import next_run, normalise

SCHEDULE_PERMISSION = "/certificate_stores/schedule/"
COLLECTION_PERMISSION = "/certificates/collections/read/"


def parse_guid(text) -> str | None:
    if not isinstance(text, str):
        return None
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


def _entries(state, raw) -> list[tuple[dict, str, dict | None]]:
    if not isinstance(raw, list) or not raw:
        raise errors.bad_request("CertificateStores is required and must list at least one store.")
    found = []
    for n, item in enumerate(raw):
        where = f"CertificateStores[{n}]"
        if not isinstance(item, dict):
            raise errors.bad_request(f"{where} must be an object.")
        store_id = parse_guid(ci_get(item, "CertificateStoreId"))
        if store_id is None:
            raise errors.bad_request(
                f"{where}.CertificateStoreId must be a certificate store GUID."
            )
        alias = ci_get(item, "Alias")
        if not isinstance(alias, str) or not alias.strip():
            raise errors.bad_request(f"{where}.Alias is required.")
        fields = ci_get(item, "JobFields")
        if fields is not None and not isinstance(fields, dict):
            raise errors.bad_request(f"{where}.JobFields must be an object.")
        store = state.store(store_id)
        if store is None:
            raise errors.bad_request(f"Certificate store with ID {store_id} does not exist.")
        found.append((store, alias, fields))
    return found


def remove(state, principal, body) -> list[str]:
    if not isinstance(body, dict):
        raise errors.bad_request("A RemoveCertificateRequest body is required.")
    entries = _entries(state, ci_get(body, "CertificateStores"))
    if not ci_has(body, "Schedule") or ci_get(body, "Schedule") is None:
        raise errors.bad_request("Schedule is required.")
    schedule = normalise(ci_get(body, "Schedule"))
    collection_id = ci_get(body, "CollectionId")
    if collection_id is not None and (
        isinstance(collection_id, bool) or not isinstance(collection_id, int)
    ):
        raise errors.bad_request("CollectionId must be an integer.")
    if not principal.granted(COLLECTION_PERMISSION, collection_id):
        raise errors.ApiError(
            403,
            errors.FORBIDDEN,
            f"User {principal.name} does not have the permission "
            f"{COLLECTION_PERMISSION} for this request.",
        )
    for store, _, _ in entries:
        if not principal.granted(SCHEDULE_PERMISSION, store["ContainerId"]):
            raise errors.ApiError(
                403,
                errors.FORBIDDEN,
                f"User {principal.name} does not have the permission "
                f"{SCHEDULE_PERMISSION} for certificate store {store['Id']}.",
            )
    created = now()
    ids = []
    with state.mutate():
        for store, alias, fields in entries:
            immediate = "Immediate" in schedule
            first = next_run(schedule, created, first=True)
            job = {
                "Id": str(uuid.uuid4()),
                "StoreId": store["Id"],
                "Alias": alias,
                "JobFields": fields,
                "Schedule": schedule,
                "CollectionId": collection_id,
                "RequestedBy": principal.name,
                "Created": created,
                "Phase": "waiting" if immediate else "scheduled",
                "PhaseSince": created,
                "NextRun": None if immediate else first,
                "Attempt": 0,
                "Plan": None,
                "RunStart": None,
            }
            state.add_job(job)
            ids.append(job["Id"])
    return ids
