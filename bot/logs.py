"""Operator logs: text or JSON lines, each line carrying the update and staff ids it belongs to.

What never reaches a log line at INFO: message texts, notes, the bot token, the webhook secret. The ids come from
context variables set once per update (the group -2 handler in bot/app.py sets the update id, the guard the staff
id), so handlers do not have to pass them along. A filter on the output handler replaces the token and the webhook
secret wherever they appear (httpx and some exceptions print request URLs, and those hold the token).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Final, Literal, TextIO

from models.config import TOKYO, Settings

LogFormat = Literal["text", "json"]

REDACTED: Final = "[token]"
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Third-party loggers that print what must not be in the logs when they are verbose:
# httpx logs every request URL (the token is in it); python-telegram-bot at DEBUG logs whole updates (message texts)
# and every Bot API call's parameters (the bot's replies); APScheduler logs each job run.
QUIET_LOGGERS: Final = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "apscheduler": logging.WARNING}
NEVER_BELOW_INFO: Final = ("telegram",)

update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
staff_id_var: ContextVar[int | None] = ContextVar("staff_id", default=None)


def bind_update(update_id: int) -> None:
    """From here on (in this update's task and the tasks it starts), log lines carry this update id and no staff id."""
    update_id_var.set(update_id)
    staff_id_var.set(None)


def bind_staff(staff_id: int | None) -> None:
    """The staff member behind the current update, once the guard knows who it is."""
    staff_id_var.set(staff_id)


class ContextFilter(logging.Filter):
    """Stamps each record with the current update and staff ids (None outside an update)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = update_id_var.get()
        if getattr(record, "staff_id", None) is None:
            record.staff_id = staff_id_var.get()
        return True


class RedactingFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in a record's message and traceback with "[token]"."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(_secret_forms(secrets), key=len, reverse=True)  # the whole token before its parts

    def redact(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


WEBHOOK_BODY_LOGGED: Final = "Received data was: %r"  # python-telegram-bot's CRITICAL line prints the whole body


class ContentFilter(logging.Filter):
    """Keeps message contents out of every line: python-telegram-bot's webhook logs the whole body it received when
    it is not an update (CRITICAL, with the parse error); the line keeps what happened, never the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and WEBHOOK_BODY_LOGGED in str(record.msg):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = "a webhook request was not an update and was not processed (%s; its contents are not logged)"
            record.args = (type(error).__name__ if error else "unreadable",)
            record.exc_info, record.exc_text = None, None
        return True


class SetupNoiseFilter(logging.Filter):
    """python-telegram-bot logs a refused token at start with two chained tracebacks; `intake run` says it in one
    line (bot/cli/common.py), so that record is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("telegram") and "Invalid token. Aborting" in str(record.msg))


def _secret_forms(secrets: Iterable[str]) -> set[str]:
    """Each secret, and for a bot token also its secret half (a URL may carry the colon percent-encoded)."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.add(secret)
        _bot_id, colon, rest = secret.partition(":")
        if colon and len(rest) >= 8:
            forms.add(rest)
    return forms


class TextFormatter(logging.Formatter):
    """The classic one-line format, in Japan time with its offset (2026-12-05T21:00:00.123+09:00, as the JSON
    lines and the rest of the bot), with " [update=… staff=…]" appended when known."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, TOKYO).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{name}={value}" for name, value in _ids(record).items())
        if not ids:
            return line
        first, newline, rest = line.partition("\n")  # keep a traceback below the ids
        return f"{first} [{ids}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (Japan time), level, logger, message, update_id/staff_id when known, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, TOKYO).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _ids(record: logging.LogRecord) -> dict[str, int]:
    found = {name: getattr(record, name, None) for name in ("update_id", "staff_id")}
    return {name: value for name, value in found.items() if value is not None}


def make_handler(fmt: LogFormat = "text", secrets: Iterable[str] = (), stream: TextIO | None = None) -> logging.Handler:
    """A stream handler with the chosen format, the ids stamped on and the secrets redacted."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(ContentFilter())  # before the redaction, which formats tracebacks
    handler.addFilter(RedactingFilter(secrets))
    handler.addFilter(SetupNoiseFilter())
    handler.set_name("intake")
    return handler


def configure_logging(level: str, fmt: LogFormat = "text", secrets: Iterable[str] = ()) -> None:
    """The process's logging: one handler on the root logger (replacing an earlier one of ours), noisy loggers quiet.

    ``secrets`` (the bot token, the webhook secret) are replaced by "[token]" in every line.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "intake"]:
        root.removeHandler(old)
    root.addHandler(make_handler(fmt, secrets))
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # library warnings too become lines of this format (one JSON object each)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    for name in NEVER_BELOW_INFO:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))


def settings_secrets(settings: Settings) -> list[str]:
    """What must never appear in a log line: the bot token and the webhook secret, when set."""
    return [secret.get_secret_value() for secret in (settings.telegram_bot_token, settings.webhook_secret) if secret]
