"""The simulator object: state, orchestrator, request log, contract checker and routes."""

from __future__ import annotations

from . import api_jobs, api_stores, removal
from .contract import Contract
from .faults import FaultTable
from .oauth import TOKEN_PATHS
from .orchestrator import Orchestrator
from .reqlog import RequestLog
from .routes import Route, Router
from .state import SimState

ROUTES = [
    Route("GET", "/CertificateStores", api_stores.list_stores, api_stores.READ),
    Route("GET", "/CertificateStores/Aliases", api_stores.aliases, api_stores.READ),
    Route(
        "POST",
        "/CertificateStores/Certificates/Remove",
        api_stores.remove_certificates,
        removal.SCHEDULE_PERMISSION,
    ),
    Route("GET", "/CertificateStores/{id}", api_stores.get_store, api_stores.READ),
    Route("GET", "/CertificateStores/{id}/Inventory", api_stores.inventory, api_stores.READ),
    Route("GET", "/OrchestratorJobs/JobHistory", api_jobs.job_history, api_jobs.AGENTS_READ),
    Route("GET", "/OrchestratorJobs/ScheduledJobs", api_jobs.scheduled_jobs, api_jobs.AGENTS_READ),
]


class Simulator:
    def __init__(
        self,
        api_path: str = "KeyfactorAPI",
        state_file: str | None = None,
        fresh: bool = False,
        time_scale: float | None = None,
        token_lifetime: float | None = None,
    ):
        self.api_path = api_path.strip("/")
        overrides = {
            k: v
            for k, v in (("time_scale", time_scale), ("token_lifetime", token_lifetime))
            if v is not None
        } or None
        self.state = SimState(state_file, fresh=fresh, overrides=overrides)
        self.reqlog = RequestLog()
        self.contract = Contract()
        self.router = Router(ROUTES)
        self.orchestrator = Orchestrator(self.state)
        self.faults = FaultTable(self.api_path, TOKEN_PATHS)
        # Set by SimServer: None (plain HTTP or no client certificates), "require" (the TLS
        # handshake needs one) or "http" (the API answers 403 without one).
        self.client_cert_mode: str | None = None
        self.tls_files: dict | None = None

    def relative(self, path: str) -> str | None:
        """The path below the API base path (matched ignoring case, as IIS does), or None."""
        prefix = "/" + self.api_path
        if not path.lower().startswith(prefix.lower()):
            return None
        rest = path[len(prefix) :]
        if rest and not rest.startswith("/"):
            return None
        return rest or "/"

    def reset(self) -> None:
        self.faults.reset()
        self.state.reset()
        self.reqlog.clear()
