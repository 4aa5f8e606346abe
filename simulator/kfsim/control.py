"""The test-control API under /_sim: no auth, JSON in and out, outside the API base path.

Each concern is its own resource (config, behaviours, stores/<id>/inventory, users, tokens), so
later resources (e.g. /_sim/faults) slot in beside them without changing these.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import PRODUCT_VERSION, certs
from . import config as cfg
from .auth import split_user
from .clock import now
from .orchestrator import OUTCOMES
from .removal import parse_guid
from .state import alias_matches


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ControlError("expected a JSON object body")
    return body


def _store(state, store_id: str) -> dict:
    store = state.store(parse_guid(store_id) or store_id)
    if store is None:
        raise ControlError(f"no store {store_id}", 404)
    return store


def blueprint(sim) -> Blueprint:
    bp = Blueprint("kfsim_control", __name__)
    state = sim.state

    @bp.errorhandler(ControlError)
    def _control_error(err: ControlError):
        return jsonify({"error": str(err)}), err.status

    @bp.get("/health")
    def health():
        with state.lock:
            demo = state.data["users"].get("keyfactor\\demo", {})
        return jsonify(
            {
                "status": "ok",
                "api_path": sim.api_path,
                "product_version": PRODUCT_VERSION,
                "demo_user": "KEYFACTOR\\demo",
                "demo_password": demo.get("Password"),
            }
        )

    @bp.get("/requests")
    def requests_list():
        return jsonify(sim.reqlog.entries(since=request.args.get("since", 0, type=int)))

    @bp.delete("/requests")
    def requests_clear():
        sim.reqlog.clear()
        return jsonify({"cleared": True})

    @bp.post("/reset")
    def reset():
        sim.reset()
        return jsonify({"reset": True})

    @bp.get("/config")
    def config_get():
        return jsonify(state.snapshot_config())

    @bp.post("/config")
    def config_set():
        try:
            update = cfg.validate(_body())
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        with state.mutate() as data:
            data["config"].update(update)
        return jsonify(state.snapshot_config())

    @bp.get("/behaviours")
    def behaviours_list():
        with state.lock:
            return jsonify(list(state.data["behaviours"]))

    @bp.post("/behaviours")
    def behaviours_set():
        body = _body()
        outcome = body.get("outcome")
        if outcome not in OUTCOMES:
            raise ControlError(f"outcome must be one of {list(OUTCOMES)}")
        final = body.get("final_outcome")
        if final not in (None, "success", "warning", "failure"):
            raise ControlError("final_outcome must be success, warning or failure")
        with state.mutate() as data:
            store = _store(state, str(body.get("store_id")))
            alias = body.get("alias")
            stype = state.store_type(store)
            data["behaviours"] = [
                b
                for b in data["behaviours"]
                if not (
                    b["store_id"] == store["Id"]
                    and (
                        (b.get("alias") is None and alias is None)
                        or (
                            b.get("alias") is not None
                            and alias is not None
                            and alias_matches(stype, b["alias"], alias)
                        )
                    )
                )
            ]
            entry = {
                "store_id": store["Id"],
                "alias": alias,
                "outcome": outcome,
                "message": body.get("message"),
                "final_outcome": final,
            }
            data["behaviours"].append(entry)
        return jsonify(entry)

    @bp.delete("/behaviours")
    def behaviours_clear():
        with state.mutate() as data:
            data["behaviours"] = []
        return jsonify({"cleared": True})

    @bp.post("/stores/<store_id>/inventory")
    def inventory_add(store_id: str):
        body = _body()
        alias = body.get("alias")
        if not isinstance(alias, str) or not alias:
            raise ControlError("alias is required")
        with state.mutate():
            store = _store(state, store_id)
            if state.find_entries(store, alias):
                raise ControlError(f"alias {alias!r} is already in store {store['Id']}", 409)
            cert = _cert_for(state, store, alias, body)
            entry = {
                "Alias": alias,
                "CertId": cert["Id"],
                "ItemId": state.next_counter("item_id"),
                "PrivateKey": bool(body.get("private_key", True)),
            }
            state.inventory(store["Id"]).append(entry)
        return jsonify(
            {
                "store_id": store["Id"],
                "alias": alias,
                "thumbprint": cert["Thumbprint"],
                "cert_id": cert["Id"],
            }
        ), 201

    @bp.delete("/stores/<store_id>/inventory/<path:alias>")
    def inventory_delete(store_id: str, alias: str):
        with state.mutate():
            store = _store(state, store_id)
            stype = state.store_type(store)
            entries = state.inventory(store["Id"])
            kept = [e for e in entries if not alias_matches(stype, e["Alias"], alias)]
            if len(kept) == len(entries):
                raise ControlError(f"alias {alias!r} is not in store {store['Id']}", 404)
            state.data["inventory"][store["Id"]] = kept
        return jsonify({"deleted": len(entries) - len(kept)})

    @bp.post("/users")
    def users_set():
        body = _body()
        parts = split_user(str(body.get("username", "")))
        password, permissions = body.get("password"), body.get("permissions", [])
        if parts is None or not isinstance(password, str) or not isinstance(permissions, list):
            raise ControlError("need username 'DOMAIN\\\\name', password and permissions [...]")
        with state.mutate() as data:
            data["users"][f"{parts[0]}\\{parts[1]}".lower()] = {
                "Domain": parts[0],
                "Name": parts[1],
                "Password": password,
                "Permissions": [str(p) for p in permissions],
            }
        return jsonify({"username": f"{parts[0]}\\{parts[1]}", "permissions": permissions})

    @bp.post("/tokens")
    def tokens_set():
        body = _body()
        token, permissions = body.get("token"), body.get("permissions", [])
        if not isinstance(token, str) or not token or not isinstance(permissions, list):
            raise ControlError("need token and permissions [...]")
        with state.mutate() as data:
            data["tokens"][token] = {
                "Name": str(body.get("name", "oauth-client")),
                "Permissions": [str(p) for p in permissions],
            }
        return jsonify({"token": token, "permissions": permissions})

    @bp.get("/state")
    def state_view():
        with state.lock:
            at = now()
            return jsonify(
                {
                    "config": state.snapshot_config(),
                    "stores": [
                        {
                            "id": s["Id"],
                            "type": s["Type"],
                            "client_machine": s["ClientMachine"],
                            "store_path": s["StorePath"],
                            "aliases": [e["Alias"] for e in state.visible_inventory(s["Id"], at)],
                            "removed_pending_inventory": [
                                e["Alias"]
                                for e in state.visible_inventory(s["Id"], at)
                                if e.get("RemovedAt") is not None
                            ],
                        }
                        for s in state.data["stores"]
                    ],
                    "jobs": [
                        {
                            "id": j["Id"],
                            "store": j["StoreId"],
                            "alias": j["Alias"],
                            "state": j["Phase"],
                            "attempt": j["Attempt"],
                            "schedule": j["Schedule"],
                        }
                        for j in state.data["jobs"]
                    ],
                }
            )

    return bp


def _cert_for(state, store: dict, alias: str, body: dict) -> dict:
    """Reuse the certificate with this thumbprint, or mint one (CN from `subject` or the alias)."""
    head = alias.split(":", 1)[0]
    is_tp = len(head) == 40 and all(c in "0123456789abcdefABCDEF" for c in head)
    thumbprint = body.get("thumbprint") or (
        head if is_tp else certs.thumbprint(f"sim:{store['Id']}:{alias}")
    )
    for cert in state.data["certs"].values():
        if cert["Thumbprint"].upper() == str(thumbprint).upper():
            return cert
    cert = certs.leaf(
        state.next_counter("cert_id"),
        f"sim:{store['Id']}:{alias}",
        f"sim-{head[:8].lower()}.example.test" if is_tp else f"{alias}.example.test",
        tp=str(thumbprint),
        subject=body.get("subject"),
    )
    state.data["certs"][str(cert["Id"])] = cert
    return cert
