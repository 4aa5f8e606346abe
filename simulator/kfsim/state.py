"""All mutable simulator state behind one lock, persisted as JSON on every mutation."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import threading

from . import config as cfg
from . import seed
from .storetypes import StoreType, by_name

STATE_SCHEMA = 1


class StateFileError(Exception):
    pass


def alias_matches(stype: StoreType, stored: str, requested: str) -> bool:
    """Exact match, but a thumbprint (the part before an IIS ':site:ip:port') ignores case."""
    if not stype.thumbprint_alias:
        return stored == requested
    s_head, _, s_tail = stored.partition(":")
    r_head, _, r_tail = requested.partition(":")
    return (
        s_head.upper() == r_head.upper()
        and s_tail == r_tail
        and (":" in stored) == (":" in requested)
    )


class SimState:
    def __init__(self, path: str | None, fresh: bool = False, overrides: dict | None = None):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.path = path
        self.startup_config = {**cfg.DEFAULTS}
        self.data = self._load() if (path and not fresh and os.path.exists(path)) else None
        if self.data is None:
            self.data = seed.build()
            self.data["config"] = dict(self.startup_config)
        # State files written before a key existed get its default (the layout only grows).
        self.data["config"] = {**self.startup_config, **self.data.get("config", {})}
        self.data.setdefault("oauth_clients", seed.oauth_clients())
        if overrides:
            self.data["config"].update(cfg.validate(overrides))
            self.startup_config.update(cfg.validate(overrides))
        self._index()
        self.save()

    def _load(self) -> dict:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise StateFileError(f"cannot read state file {self.path}: {exc}") from exc
        if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
            raise StateFileError(f"state file {self.path} has an unknown layout; use --fresh")
        return data

    def _index(self) -> None:
        self.stores = {s["Id"].lower(): s for s in self.data["stores"]}

    def save(self) -> None:
        """Write to a temporary file and rename it over the old one, all under the lock, so the
        file on disk is always one complete state and never an older one."""
        if not self.path:
            return
        with self.lock:
            text = json.dumps(self.data, separators=(",", ":"))
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".state-", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    @contextlib.contextmanager
    def mutate(self):
        """Hold the lock, then persist and wake the orchestrator once the change is complete."""
        with self.lock:
            yield self.data
            self.save()
            self.changed.notify_all()

    def reset(self) -> None:
        with self.mutate():
            self.data = seed.build()
            self.data["config"] = dict(self.startup_config)
            self._index()

    @property
    def config(self) -> dict:
        return self.data["config"]

    def snapshot_config(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.data["config"])

    def store(self, store_id: str) -> dict | None:
        return self.stores.get(str(store_id).lower())

    def store_type(self, store: dict) -> StoreType:
        return by_name(store["Type"])

    def inventory(self, store_id: str) -> list[dict]:
        return self.data["inventory"].setdefault(self.store(store_id)["Id"], [])

    def cert(self, cert_id: int) -> dict:
        return self.data["certs"][str(cert_id)]

    def find_entries(self, store: dict, alias: str) -> list[dict]:
        """Entries still on the machine itself (what an orchestrator job acts on)."""
        stype = self.store_type(store)
        return [
            e
            for e in self.inventory(store["Id"])
            if e.get("RemovedAt") is None and alias_matches(stype, e["Alias"], alias)
        ]

    def visible_inventory(self, store_id: str, at: float) -> list[dict]:
        """Command's inventory view: a removed alias stays listed until the inventory lag passes."""
        lag = cfg.scaled(self.config, "inventory_lag")
        return [
            e
            for e in self.inventory(store_id)
            if e.get("RemovedAt") is None or e["RemovedAt"] + lag > at
        ]

    def agent(self, agent_id: str) -> dict | None:
        return self.data["agents"].get(agent_id)

    def next_counter(self, name: str) -> int:
        value = self.data["counters"][name]
        self.data["counters"][name] = value + 1
        return value

    def add_job(self, job: dict) -> None:
        self.data["jobs"].append(job)

    def behaviour_for(self, store_id: str, alias: str) -> dict | None:
        store = self.store(store_id)
        stype = self.store_type(store)
        store_wide = None
        for b in self.data["behaviours"]:
            if b["store_id"].lower() != store["Id"].lower():
                continue
            if b.get("alias") is None:
                store_wide = b
            elif alias_matches(stype, b["alias"], alias):
                return b
        return store_wide
