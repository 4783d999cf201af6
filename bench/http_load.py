"""A plain HTTP client in a process of its own, so that its work never runs on the bot's event loop or its core.

`python -m bench.http_load` reads a JSON plan on stdin and prints a JSON answer on stdout:

- `{"mode": "timed", "rounds": N, "requests": [{"name", "method", "url", "headers", "body"}]}`: the requests in
  turn, N rounds, one at a time on one keep-alive connection; answers `{"seconds": {name: [...]}, "errors": [...]}`.
  Taking them in turn lets a load that comes and goes fall on every request (and on its baseline) alike.
- `{"mode": "paced", "per_second": R, "seconds": S, "requests": [...]}`: the requests cycled at R a second for S
  seconds (a steady background, as a supervisor's dashboard would make); answers `{"sent": n, "errors": [...]}`.

A request whose status is not 2xx is an error: a timing of a refused or failed request is worthless.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import httpx


def _send(client: httpx.Client, request: dict[str, Any]) -> str | None:
    """One request, its body read to the end; an error's description, or None."""
    try:
        response = client.request(
            request.get("method", "GET"),
            request["url"],
            headers=request.get("headers") or {},
            content=request.get("body"),
        )
        response.read()
    except httpx.HTTPError as error:
        return f"{request['name']}: {type(error).__name__}"
    return None if response.is_success else f"{request['name']}: HTTP {response.status_code}"


def timed(client: httpx.Client, requests: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    seconds: dict[str, list[float]] = {request["name"]: [] for request in requests}
    errors: list[str] = []
    for _ in range(rounds):
        for request in requests:
            started = time.perf_counter()
            error = _send(client, request)
            seconds[request["name"]].append(time.perf_counter() - started)
            if error:
                errors.append(error)
    return {"seconds": seconds, "errors": errors[:20]}


def paced(client: httpx.Client, requests: list[dict[str, Any]], per_second: float, duration: float) -> dict[str, Any]:
    errors: list[str] = []
    started, sent = time.perf_counter(), 0
    while (now := time.perf_counter() - started) < duration:
        due = sent / per_second
        if now < due:
            time.sleep(due - now)
            continue
        error = _send(client, requests[sent % len(requests)])
        sent += 1
        if error:
            errors.append(error)
    return {"sent": sent, "errors": errors[:20]}


def main() -> int:
    plan = json.load(sys.stdin)
    with httpx.Client(timeout=30.0) as client:
        if plan["mode"] == "timed":
            answer = timed(client, plan["requests"], int(plan["rounds"]))
        else:
            answer = paced(client, plan["requests"], float(plan["per_second"]), float(plan["seconds"]))
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
