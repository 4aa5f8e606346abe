"""CLI: python -m kfsim serve [options] (with PYTHONPATH=simulator)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .seed import DEMO_PASSWORD
from .seed import OAUTH_CLIENT_ID
from .server import CLIENT_CERT_MODES, SimServer
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
    serve.add_argument(
        "--ready-file",
        help="write {url, api_path, pid, token_url, oauth_client_*, tls} here once listening",
    )
    serve.add_argument("--fresh", action="store_true", help="discard saved state and reseed")
    serve.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a generated private CA chain"
    )
    serve.add_argument(
        "--tls-dir",
        help="where the CA chain and keys go (default: a 'tls' folder next to the state file)",
    )
    serve.add_argument(
        "--client-ca",
        nargs="?",
        const="require",
        choices=CLIENT_CERT_MODES,
        help="require a client certificate from the generated CA: 'require' (default) in the TLS "
        "handshake, or 'http': optional in the handshake, API answers 403 without one",
    )
    serve.add_argument(
        "--token-lifetime",
        type=float,
        default=None,
        help="lifetime of issued OAuth access tokens in real seconds (default: saved or 300)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name in ("time_scale", "token_lifetime"):
        if getattr(args, name) is not None and getattr(args, name) < 0:
            print(f"--{name.replace('_', '-')} must be non-negative", file=sys.stderr)
            return 2
    if (args.client_ca or args.tls_dir) and not args.tls:
        print("--client-ca and --tls-dir need --tls", file=sys.stderr)
        return 2
    try:
        sim = Simulator(
            args.api_path,
            args.state_file,
            fresh=args.fresh,
            time_scale=args.time_scale,
            token_lifetime=args.token_lifetime,
        )
    except StateFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    tls_dir = None
    if args.tls:
        tls_dir = args.tls_dir or str(Path(args.state_file).resolve().parent / "tls")
    server = SimServer(sim, args.host, args.port, tls_dir=tls_dir, client_cert_mode=args.client_ca)
    info = server.ready_info()
    print(f"Keyfactor Command simulator listening on {server.api_url}")
    print(f"Demo credentials: KEYFACTOR\\demo / {DEMO_PASSWORD}")
    print(f"Control API: {server.url}/_sim/   State file: {args.state_file}")
    print(
        f"OAuth token URL: {server.token_url}   client: {OAUTH_CLIENT_ID} / "
        f"{info['oauth_client_secret']}"
    )
    if server.tls_files:
        print(f"TLS: trust {server.tls_files['ca_file']}   files in {tls_dir}")
        if args.client_ca:
            print(
                f"Client certificate ({args.client_ca}): {server.tls_files['client_cert']} "
                f"key {server.tls_files['client_key']}"
            )
    sys.stdout.flush()
    if args.ready_file:
        server.write_ready_file(args.ready_file)

    def _stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it cannot run on the serving thread.
        sim.faults.cancel_waits()
        threading.Thread(target=server.httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve_forever()
    server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
