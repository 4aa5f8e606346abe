"""A scripted HTTP server on 127.0.0.1 for unit tests of the transport and client.

Each request takes the next scripted answer and is recorded as it arrived, so a test can
assert both what the code made of the answer and exactly what it sent.
"""

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Answer(object):
    def __init__(self, status=200, body=None, headers=None, raw=None, delay=0.0, drop=False):
        self.status = status
        self.headers = dict(headers or {})
        if raw is not None:
            self.payload = raw.encode("utf-8") if isinstance(raw, str) else raw
        elif body is not None:
            self.payload = json.dumps(body).encode("utf-8")
            self.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        else:
            self.payload = b""
        self.delay = delay
        self.drop = drop


class Seen(object):
    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.target = target
        self.method = method
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.raw_body = body
        try:
            self.body = json.loads(body) if body else None
        except ValueError:
            self.body = None
        self.at = time.monotonic()


class ScriptedServer(object):
    def __init__(self, certfile=None, keyfile=None, client_cafile=None):
        self.answers = []
        self.seen = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                answer = server.answers.pop(0) if server.answers else Answer(599, raw="unscripted")
                if answer.delay:
                    threading.Event().wait(answer.delay)
                if answer.drop:
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.payload)))
                self.end_headers()
                self.wfile.write(answer.payload)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            if client_cafile:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(client_cafile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d" % (scheme, self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def script(self, *answers):
        self.answers.extend(answers)

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
