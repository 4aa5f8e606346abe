"""A real threaded werkzeug HTTP server around the Flask app, plus the orchestrator thread."""

from __future__ import annotations

import json
import logging
import os
import threading

from werkzeug.serving import make_server

from .app import create_app


class SimServer:
    def __init__(self, sim, host: str = "127.0.0.1", port: int = 0, quiet: bool = False):
        self.sim = sim
        self.host = host
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # make_server binds and listens here, so the port is known and connectable from now on.
        self.httpd = make_server(host, port, create_app(sim), threaded=True)
        self.port = self.httpd.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/{self.sim.api_path}"

    def write_ready_file(self, path: str) -> None:
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"url": self.url, "api_path": self.sim.api_path, "pid": os.getpid()}, fh)
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
        self.httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.httpd.server_close()
