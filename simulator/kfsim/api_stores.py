"""Certificate-store endpoints: list, by id, inventory, aliases, certificate removal."""

from __future__ import annotations

from . import errors, fields, removal, render
from .clock import now
from .paging import query_page
from .routes import Result

READ = "/certificate_stores/read/"


def _readable(ctx, store: dict) -> bool:
    return ctx.principal.granted(READ, store["ContainerId"])


def _store_or_error(ctx, raw_id: str) -> dict:
    store_id = removal.parse_guid(raw_id)
    if store_id is None:
        raise errors.bad_request(f"The value '{raw_id}' is not valid.")
    store = ctx.state.store(store_id)
    if store is None:
        raise errors.not_found(f"Certificate store with ID {store_id} does not exist.")
    if not _readable(ctx, store):
        raise errors.ApiError(
            403,
            errors.FORBIDDEN,
            f"User {ctx.principal.name} does not have the permission {READ} for this store.",
        )
    return store


def list_stores(ctx) -> Result:
    state = ctx.state
    records = [fields.store_record(state, s) for s in state.data["stores"] if _readable(ctx, s)]
    page, total = query_page(records, ctx.params, fields.STORE_FIELDS, None)
    return Result(200, [render.store(state, r["store"], detail=False) for r in page], total)


def get_store(ctx, id: str) -> Result:
    return Result(200, render.store(ctx.state, _store_or_error(ctx, id), detail=True))


def inventory(ctx, id: str) -> Result:
    store = _store_or_error(ctx, id)
    entries = ctx.state.visible_inventory(store["Id"], now())
    records = [{"entry": e, "Name": e["Alias"]} for e in entries]
    # The spec gives Inventory no QueryString parameter, so none is applied.
    page, total = query_page(records, ctx.params, fields.INVENTORY_FIELDS, None, use_query=False)
    return Result(200, [render.inventory_item(ctx.state, store, r["entry"]) for r in page], total)


def aliases(ctx) -> Result:
    out = []
    at = now()
    # ASP.NET binds an array from repeated ids=...; a comma list is one (invalid) GUID.
    for raw in ctx.params.getlist("ids"):
        store = _store_or_error(ctx, raw)
        out.append(
            {
                "CertificateStoreId": store["Id"],
                "CertificateStoreType": ctx.state.store_type(store).type_id,
                "Entries": [
                    {"Alias": e["Alias"], "HasPrivateKey": e["PrivateKey"]}
                    for e in ctx.state.visible_inventory(store["Id"], at)
                ],
            }
        )
    return Result(200, {"CertificateStoreInventories": out})


def remove_certificates(ctx) -> Result:
    return Result(200, removal.remove(ctx.state, ctx.principal, ctx.body))
