"""The fake Bot API (bot/offline/fake_api.py) over HTTP, for a bot in another process (`intake run` as systemd
starts it): PTB's POSTs to TELEGRAM_BASE_URL<token>/<method> become `InProcessBotApi.do_request` calls."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter
from uvicorn.config import LifespanType

from bot.offline.fake_api import InProcessBotApi
from bot.serve import WebServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _value(text: str) -> Any:
    """PTB sends each parameter as a form field, objects and numbers JSON-encoded."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def http_app(api: InProcessBotApi) -> Starlette:
    async def method(request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            fields: dict[str, Any] = await request.json()
        else:  # PTB posts url-encoded form fields when it sends no file (the bot sends none here)
            form = parse_qsl((await request.body()).decode(), keep_blank_values=True)
            fields = {key: _value(value) for key, value in form}
        data = RequestData([RequestParameter(key, value, None) for key, value in fields.items()])
        status, body = await api.do_request(str(request.url), "POST", data)
        return Response(body, status_code=status, media_type="application/json")

    return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["GET", "POST"])])


@asynccontextmanager
async def served_bot_api(api: InProcessBotApi) -> AsyncIterator[str]:
    """Serves `api` on a free local port; yields the TELEGRAM_BASE_URL to give the bot."""
    async with serving(http_app(api), lifespan="off") as port:
        yield f"http://127.0.0.1:{port}/bot"


@asynccontextmanager
async def serving(app: Starlette, port: int | None = None, lifespan: LifespanType = "auto") -> AsyncIterator[int]:
    """Serves a web app with uvicorn on 127.0.0.1 (a free port unless given) on this event loop, listening before
    the block starts and stopped when it ends; yields the port."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan=lifespan)
    server = WebServer(config, signals=False)  # the test process keeps its own signal handlers
    task = asyncio.create_task(server.serve())
    for _ in range(1000):  # until it listens
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task
