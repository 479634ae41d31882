"""What the benchmark's gunicorn serves: the OPC app, and a bare Flask app as the floor.

Both are served by the same gunicorn process in the same run, so the floor measures what
the server, the client and this machine can do with no application work at all.
The OPC app counts its SQL statements per request into the X-Query-Count header.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify
from sqlalchemy import event
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from opc import create_app
from opc.extensions import db


def _floor() -> Flask:
    bare = Flask("floor")

    @bare.get("/")
    def hello() -> Any:
        return jsonify({"status": "ok"})

    return bare


def _opc() -> Flask:
    app = create_app()

    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args: Any) -> None:
            from flask import has_app_context

            if has_app_context():
                g.bench_queries = g.get("bench_queries", 0) + 1

    @app.after_request
    def _header(response: Any) -> Any:
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        return response

    return app


application = DispatcherMiddleware(_opc(), {"/floor": _floor()})
