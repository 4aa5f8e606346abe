"""Flask application: the control API under /_sim and everything else through the pipeline."""

from __future__ import annotations

from flask import Flask, Response, request

from . import control, pipeline

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def create_app(sim) -> Flask:
    app = Flask("kfsim")
    # Response key order is part of the recorded shape; keep it in the control API too.
    app.json.sort_keys = False
    app.register_blueprint(control.blueprint(sim), url_prefix="/_sim")

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<path:path>", methods=METHODS)
    def api(path: str):
        rel = sim.relative("/" + path)
        if rel is None:
            return Response(status=404)
        return pipeline.handle(sim, request, rel)

    return app
