"""Flask application: the control API under /_sim, the OAuth token endpoint, and everything
else through the API pipeline."""

from __future__ import annotations

from flask import Flask, Response, request

from . import control, oauth, pipeline
from .faults import DropMiddleware

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def create_app(sim) -> Flask:
    app = Flask("kfsim")
    # Response key order is part of the recorded shape; keep it in the control API too.
    app.json.sort_keys = False
    app.register_blueprint(control.blueprint(sim), url_prefix="/_sim")

    def token():
        return oauth.handle(sim, request)

    for n, path in enumerate(oauth.TOKEN_PATHS):
        app.add_url_rule(path, f"oauth_token_{n}", token, methods=METHODS)

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<path:path>", methods=METHODS)
    def api(path: str):
        rel = sim.relative("/" + path)
        if rel is None:
            return Response(status=404)
        return pipeline.handle(sim, request, rel)

    # A fault that drops the connection must leave werkzeug nothing to write.
    app.wsgi_app = DropMiddleware(app.wsgi_app)
    return app
