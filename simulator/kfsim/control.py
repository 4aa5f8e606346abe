"""The test-control API under /_sim: no auth, JSON in and out, outside the API base path.

Each concern is its own resource: config, behaviours, stores/<id>/inventory, users, tokens,
faults, and oauth/{clients,tokens,revoke,expire}.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import PRODUCT_VERSION, certs, oauth
from . import config as cfg
from .auth import split_user
from .clock import now
from .faults import FaultError
from .seed import OAUTH_CLIENT_ID
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
            client = state.data["oauth_clients"].get(OAUTH_CLIENT_ID, {})
        return jsonify(
            {
                "status": "ok",
                "api_path": sim.api_path,
                "product_version": PRODUCT_VERSION,
                "demo_user": "KEYFACTOR\\demo",
                "demo_password": demo.get("Password"),
                "tls": sim.tls_files is not None,
                "client_cert_mode": sim.client_cert_mode,
                "token_path": oauth.TOKEN_PATHS[0],
                "oauth_client_id": OAUTH_CLIENT_ID if client else None,
                "oauth_client_secret": client.get("Secret"),
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

    @bp.get("/faults")
    def faults_list():
        return jsonify(sim.faults.list())

    @bp.post("/faults")
    def faults_add():
        body = request.get_json(silent=True)
        if isinstance(body, dict) and set(body) == {"rules"}:
            body = body["rules"]
        rules = body if isinstance(body, list) else [body]
        try:
            added = sim.faults.add(rules)
        except FaultError as exc:
            raise ControlError(str(exc)) from None
        return jsonify(added), 201

    @bp.delete("/faults")
    def faults_clear():
        return jsonify({"deleted": sim.faults.delete()})

    @bp.delete("/faults/<rule_id>")
    def faults_delete(rule_id: str):
        deleted = sim.faults.delete(rule_id)
        if not deleted:
            raise ControlError(f"no fault rule {rule_id}", 404)
        return jsonify({"deleted": deleted})

    @bp.get("/oauth/clients")
    def oauth_clients_list():
        with state.lock:
            return jsonify([_client_view(c) for c in state.data["oauth_clients"].values()])

    @bp.post("/oauth/clients")
    def oauth_clients_set():
        body = _body()
        client_id, secret = body.get("client_id"), body.get("client_secret")
        permissions = body.get("permissions", [])
        lifetime = body.get("token_lifetime")
        if not isinstance(client_id, str) or not client_id or not isinstance(secret, str):
            raise ControlError("need client_id and client_secret (strings)")
        if not isinstance(permissions, list):
            raise ControlError("permissions must be a list")
        for key in ("scope", "audience"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise ControlError(f"{key} must be a string or null")
        if lifetime is not None and (
            isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)) or lifetime < 0
        ):
            raise ControlError("token_lifetime must be a non-negative number of seconds or null")
        entry = {
            "ClientId": client_id,
            "Secret": secret,
            "Permissions": [str(p) for p in permissions],
            "Scope": body.get("scope") or None,
            "Audience": body.get("audience") or None,
            "TokenLifetime": float(lifetime) if lifetime is not None else None,
        }
        with state.mutate() as data:
            data["oauth_clients"][client_id] = entry
        return jsonify(_client_view(entry))

    @bp.delete("/oauth/clients/<path:client_id>")
    def oauth_clients_delete(client_id: str):
        with state.mutate() as data:
            if data["oauth_clients"].pop(client_id, None) is None:
                raise ControlError(f"no OAuth client {client_id}", 404)
        return jsonify({"deleted": 1})

    @bp.get("/oauth/tokens")
    def oauth_tokens_list():
        with state.lock:
            at = now()
            return jsonify(
                [
                    oauth.token_view(state, token, entry, at)
                    for token, entry in state.data["tokens"].items()
                ]
            )

    def _mark_tokens(change) -> int:
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            raise ControlError("expected a JSON object: {token} | {token_id} | {client_id} | {}")
        with state.mutate():
            picked = oauth.select_tokens(state, body)
            for entry in picked:
                change(entry)
        return len(picked)

    @bp.post("/oauth/revoke")
    def oauth_revoke():
        return jsonify({"revoked": _mark_tokens(lambda e: e.__setitem__("Revoked", True))})

    @bp.post("/oauth/expire")
    def oauth_expire():
        at = now()
        return jsonify({"expired": _mark_tokens(lambda e: e.__setitem__("ExpiresAt", at))})

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


def _client_view(client: dict) -> dict:
    return {
        "client_id": client["ClientId"],
        "permissions": client["Permissions"],
        "scope": client.get("Scope"),
        "audience": client.get("Audience"),
        "token_lifetime": client.get("TokenLifetime"),
    }


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
