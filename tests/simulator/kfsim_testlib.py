"""Helpers for the simulator tests: a client for the API and control API, polling, servers."""

from __future__ import annotations

import base64
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "simulator"))

from kfsim.seed import DEMO_PASSWORD, DEMO_STORES  # noqa: E402, F401
from kfsim.server import SimServer  # noqa: E402
from kfsim.sim import Simulator  # noqa: E402

TIME_SCALE = 0.02
PASSWORDS = {
    "demo": DEMO_PASSWORD,
    "nojobs": "KfSimNoJobs2025",
    "readonly": "KfSimReadOnly2025",
    "müller": "Grüße-2025",
}
DEMO_TP = "80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2"


def basic(login: str, password: str, encoding: str = "utf-8") -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode(encoding)).decode()


class Client:
    """Talks to one running simulator: the API (authenticated) and the control API."""

    def __init__(self, server: SimServer):
        self.server = server
        self.url = server.url
        self.api_url = server.api_url
        self.http = requests.Session()

    def api(self, method: str, path: str, user: str | None = "demo", headers=None, **kw):
        sent = {"x-keyfactor-requested-with": "APIClient", "Accept": "application/json"}
        if user is not None:
            sent["Authorization"] = basic(f"KEYFACTOR\\{user}", PASSWORDS[user])
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v is not None}
        kw.setdefault("timeout", 10)
        return self.http.request(method, self.api_url + path, headers=sent, **kw)

    def get(self, path: str, **kw):
        return self.api("GET", path, **kw)

    def remove(self, entries, schedule=None, **kw):
        body = {
            "CertificateStores": [{"CertificateStoreId": s, "Alias": a} for s, a in entries],
            "Schedule": schedule or {"Immediate": True},
        }
        return self.api("POST", "/CertificateStores/Certificates/Remove", json=body, **kw)

    def control(self, method: str, path: str, **kw):
        resp = self.http.request(method, f"{self.url}/_sim{path}", timeout=10, **kw)
        return resp

    def config(self, **values):
        resp = self.control("POST", "/config", json=values)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def behaviour(self, store_id, outcome, alias=None, message=None, final_outcome=None):
        body = {
            "store_id": store_id,
            "outcome": outcome,
            "alias": alias,
            "message": message,
            "final_outcome": final_outcome,
        }
        resp = self.control("POST", "/behaviours", json=body)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def requests_log(self):
        return self.control("GET", "/requests").json()

    def faults(self, *rules):
        """Add fault rules; return them as stored (with ids)."""
        resp = self.control("POST", "/faults", json=list(rules))
        assert resp.status_code == 201, resp.text
        return resp.json()

    def last_entry(self, path: str | None = None, endpoint: str = "api") -> dict:
        entries = [
            e
            for e in self.requests_log()
            if e["endpoint"] == endpoint and (path is None or e["path"] == path)
        ]
        assert entries, f"no {endpoint} request {path or ''} in the log"
        return entries[-1]

    def history(self, job_id: str, **params):
        query = {
            "QueryString": f'JobId -eq "{job_id}"',
            "SortField": "JobHistoryId",
            "ReturnLimit": 100,
            **params,
        }
        resp = self.get("/OrchestratorJobs/JobHistory", params=query)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def scheduled_management(self) -> list[dict]:
        """ScheduledJobs without the stores' recurring inventory jobs."""
        query = {"QueryString": 'JobType -eq "Management"', "ReturnLimit": 100}
        resp = self.get("/OrchestratorJobs/ScheduledJobs", params=query)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def aliases(self, store_id: str) -> list[str]:
        resp = self.get(f"/CertificateStores/{store_id}/Inventory", params={"ReturnLimit": 500})
        assert resp.status_code == 200, resp.text
        return [item["Name"] for item in resp.json()]


def ts(text: str) -> datetime:
    """Parse an API timestamp ('...Z', fractional seconds optional)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def start_server(
    tmp_path: Path,
    fresh: bool = True,
    api_path: str = "KeyfactorAPI",
    time_scale: float | None = TIME_SCALE,
    name: str = "state.json",
    tls_dir: Path | None = None,
    client_cert_mode: str | None = None,
) -> SimServer:
    sim = Simulator(
        api_path=api_path, state_file=str(tmp_path / name), fresh=fresh, time_scale=time_scale
    )
    return SimServer(
        sim,
        quiet=True,
        tls_dir=None if tls_dir is None else str(tls_dir),
        client_cert_mode=client_cert_mode,
    ).start()
