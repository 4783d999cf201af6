"""Telegram Mini App init data: checked on every API request (docs/dashboard.md, "Identity").

Telegram signs the launch parameters with a key derived from the bot token: secret = HMAC-SHA256(key="WebAppData",
message=token); hash = hex HMAC-SHA256(key=secret, message=the data-check string), the data-check string being every
field but `hash`, `key=value`, sorted by key, joined by newlines. Nothing here logs the data or the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode

FUTURE_SKEW = 60  # seconds an auth_date may lie ahead of our clock (clocks differ a little)


class InitDataProblem(StrEnum):
    UNAUTHORIZED = "unauthorized"  # missing, malformed or wrongly signed
    EXPIRED = "expired"  # signed too long ago, or in the future


class InitDataError(ValueError):
    """The init data cannot be trusted; `problem` is the API's error code."""

    def __init__(self, problem: InitDataProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class InitData:
    """What a checked init data says: the Telegram user, when Telegram signed it, and the other fields."""

    user_id: int
    user: dict[str, Any]
    auth_date: int
    fields: dict[str, str]

    @property
    def language_code(self) -> str | None:
        code = self.user.get("language_code")
        return code if isinstance(code, str) else None


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _signature(fields: dict[str, str], bot_token: str) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()


def validate_init_data(raw: str, bot_token: str, max_age: int, now: float | None = None) -> InitData:
    """The init data's user if Telegram signed it for this bot within `max_age` seconds; else InitDataError."""
    unauthorized = InitDataError(InitDataProblem.UNAUTHORIZED)
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise unauthorized from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: which one did Telegram sign?
        raise unauthorized
    received = fields.pop("hash", "")
    if not received or not hmac.compare_digest(received.encode(), _signature(fields, bot_token).encode()):
        raise unauthorized
    user, auth_date = _user(fields.get("user")), _auth_date(fields.get("auth_date"))
    if user is None or auth_date is None:
        raise unauthorized
    age = (time.time() if now is None else now) - auth_date
    if age > max_age or age < -FUTURE_SKEW:
        raise InitDataError(InitDataProblem.EXPIRED)
    return InitData(user["id"], user, auth_date, fields)


def _user(raw: str | None) -> dict[str, Any] | None:
    try:
        user = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    if not isinstance(user, dict):
        return None
    user_id = user.get("id")
    return user if isinstance(user_id, int) and not isinstance(user_id, bool) else None


def _auth_date(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isascii() and raw.isdigit() else None


def sign_init_data(bot_token: str, user: dict[str, Any], auth_date: int, **extra: str) -> str:
    """Init data as Telegram would give it to the page for `user` (tests, browser tests, the bench)."""
    fields = {"user": json.dumps(user, ensure_ascii=False, separators=(",", ":")), "auth_date": str(auth_date), **extra}
    return urlencode({**fields, "hash": _signature(fields, bot_token)})
