"""The app's own CPU time per request: each endpoint requested in-process, on one thread,
through the Flask test client (no server, no client, no other connections), timed with
the process's CPU clock so that other work on the machine hardly counts. PostgreSQL's
own work runs in its server process and is not included; SQLite's runs in ours and is.

    OPC_DATABASE_URL=... python -m bench.appcost < info.json   (bench.run does this)

Reads the seed's info (JSON) and the endpoints from stdin; prints {name: ms} as JSON.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

REQUESTS = 100


def _floor() -> Any:
    """The floor's bare Flask app, as bench.wsgi serves it."""
    from flask import Flask, jsonify

    bare = Flask("floor")
    bare.get("/")(lambda: jsonify({"status": "ok"}))
    return bare


def main() -> None:
    from opc import create_app

    given = json.load(sys.stdin)
    info, endpoints = given["info"], given["endpoints"]
    app = create_app()
    clients: dict[str | None, Any] = {"floor": _floor().test_client(), "token": app.test_client()}
    for auth, email in (("session", info["email"]), ("admin", info["admin_email"])):
        client = clients[auth] = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        form = {"email": email, "password": info["password"], "csrf_token": token.group(1)}
        client.post("/login", data=form)
    bearer = {"Authorization": f"Bearer {info['token']}"}
    costs = {}
    for name, path, auth in endpoints:
        if path == "/floor/":
            path, auth = "/", "floor"
        client, headers = clients[auth], (bearer if auth == "token" else {})
        for _ in range(10):  # warm-up: templates compiled, statements cached
            client.get(path, headers=headers)
        started = time.process_time()
        for _ in range(REQUESTS):
            client.get(path, headers=headers)
        costs[name] = (time.process_time() - started) / REQUESTS * 1000
    print(json.dumps(costs))


if __name__ == "__main__":
    main()
