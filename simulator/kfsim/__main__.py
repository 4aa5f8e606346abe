"""CLI: python -m kfsim serve [options] (with PYTHONPATH=simulator)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .seed import DEMO_PASSWORD
from .server import SimServer
from .sim import Simulator
from .state import StateFileError

DEFAULT_STATE = Path(__file__).resolve().parents[1] / ".state" / "state.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kfsim", description="Keyfactor Command REST API simulator"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the simulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    serve.add_argument(
        "--api-path",
        default="KeyfactorAPI",
        help="API base path, e.g. KeyfactorAPI or Keyfactor/API",
    )
    serve.add_argument("--state-file", default=str(DEFAULT_STATE))
    serve.add_argument(
        "--time-scale",
        type=float,
        default=None,
        help="real seconds per simulated second (default: saved value or 1.0)",
    )
    serve.add_argument("--ready-file", help="write {url, api_path, pid} here once listening")
    serve.add_argument("--fresh", action="store_true", help="discard saved state and reseed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_scale is not None and args.time_scale < 0:
        print("--time-scale must be non-negative", file=sys.stderr)
        return 2
    try:
        sim = Simulator(
            args.api_path, args.state_file, fresh=args.fresh, time_scale=args.time_scale
        )
    except StateFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    server = SimServer(sim, args.host, args.port)
    print(f"Keyfactor Command simulator listening on {server.api_url}")
    print(f"Demo credentials: KEYFACTOR\\demo / {DEMO_PASSWORD}")
    print(f"Control API: {server.url}/_sim/   State file: {args.state_file}", flush=True)
    if args.ready_file:
        server.write_ready_file(args.ready_file)

    def _stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it cannot run on the serving thread.
        threading.Thread(target=server.httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve_forever()
    server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
