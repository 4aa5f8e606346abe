"""A real threaded werkzeug HTTP(S) server around the Flask app, plus the orchestrator thread."""

from __future__ import annotations

import json
import logging
import os
import threading

from werkzeug.serving import make_server

from . import tlsgen
from .app import create_app
from .oauth import TOKEN_PATHS
from .seed import OAUTH_CLIENT_ID

CLIENT_CERT_MODES = ("require", "http")


class SimServer:
    def __init__(
        self,
        sim,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = False,
        tls_dir: str | None = None,
        client_cert_mode: str | None = None,
    ):
        if client_cert_mode not in (None, *CLIENT_CERT_MODES):
            raise ValueError(f"client_cert_mode must be one of {CLIENT_CERT_MODES}")
        if client_cert_mode is not None and tls_dir is None:
            raise ValueError("client certificates need TLS")
        self.sim = sim
        self.host = host
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # make_server binds and listens here, so the port is known and connectable from now on.
        self.httpd = make_server(host, port, create_app(sim), threaded=True)
        self.port = self.httpd.server_port
        self.tls_files: dict | None = None
        if tls_dir is not None:
            self.tls_files = tlsgen.ensure(tls_dir, [host])
            ctx = tlsgen.server_context(self.tls_files, client_cert_mode)
            # The handshake runs on the request's own thread (on first read), not in the accept
            # loop, so a client that never completes it cannot stall the server.
            self.httpd.socket = ctx.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False
            )
            self.httpd.ssl_context = ctx  # werkzeug: wsgi.url_scheme https, quiet SSL errors
        sim.tls_files = self.tls_files
        sim.client_cert_mode = client_cert_mode
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls_files else "http"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/{self.sim.api_path}"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATHS[0]

    def ready_info(self) -> dict:
        with self.sim.state.lock:
            client = self.sim.state.data["oauth_clients"].get(OAUTH_CLIENT_ID)
        tls = None
        if self.tls_files:
            tls = {**self.tls_files, "client_cert_mode": self.sim.client_cert_mode}
        return {
            "url": self.url,
            "api_path": self.sim.api_path,
            "pid": os.getpid(),
            "token_url": self.token_url,
            "oauth_client_id": OAUTH_CLIENT_ID if client else None,
            "oauth_client_secret": client["Secret"] if client else None,
            "tls": tls,
        }

    def write_ready_file(self, path: str) -> None:
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.ready_info(), fh)
        os.replace(tmp, path)

    def serve_forever(self) -> None:
        self.sim.orchestrator.start()
        try:
            self.httpd.serve_forever(poll_interval=0.1)
        finally:
            self.sim.orchestrator.stop()
            self.sim.state.save()

    def start(self) -> SimServer:
        """Serve from a background thread (used by the tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="kfsim-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        # Stop the orchestrator first so no job advances while the HTTP loop winds down.
        self.sim.orchestrator.stop()
        self.sim.faults.cancel_waits()
        self.httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.httpd.server_close()
