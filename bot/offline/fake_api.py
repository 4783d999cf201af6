"""An in-process double of the Telegram Bot API, plugged in where PTB talks HTTP.

Telegram is replaced at the transport (a ``telegram.request.BaseRequest``), so the project's handlers, PTB's
``Bot`` and its error mapping all run for real; only the network is gone. Used by the end-to-end conversation
tests, the benchmarks and the offline ``intake demo``.

Where the real Bot API rejects a request in a way a bot can trip over (editing to identical content, over-long
text, caption or callback answer, callback data over 64 bytes, answering a callback query twice), the double rejects
it the same way, so such bugs show up offline instead of in production. Requests over a limit are also kept in
``limit_violations``, so a test notices one even when the bot caught the error (the test suite fails on any).
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

JSONDict = dict[str, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

BOT_ID = 7_000_000_001
BOT_FIRST_NAME = "見守り記録"
DEFAULT_BOT_USERNAME = "mimamori_intake_bot"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200  # the text of answerCallbackQuery (a toast or an alert)

# Parameters PTB may hand over as JSON text (e.g. via api_kwargs); recorded decoded so tests compare dicts.
_JSON_PARAMETERS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "media",
        "menu_button",
    }
)

_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a content and reply markup of the current message"
)


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app: str | None = None  # the page a web_app button opens (a Mini App)


@dataclass
class BotMessage:
    """A message the bot sent, as it currently stands in the chat (edits applied)."""

    chat_id: int
    message_id: int
    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[list[str]] = field(default_factory=list)
    remove_keyboard: bool = False
    force_reply: bool = False
    document: tuple[str, bytes] | None = None
    photo: bytes | None = None
    caption: str | None = None
    parse_mode: str | None = None
    edited: bool = False
    edit_count: int = 0
    deleted: bool = False
    # The Message JSON Telegram would show; replaced (never mutated) on edit so snapshots stay valid.
    raw: JSONDict = field(default_factory=dict, repr=False, compare=False)

    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text_or_prefix: str) -> Button:
        """The inline button with this exact text, else the only one whose text starts with it."""
        flat = [button for row in self.buttons for button in row]
        for button in flat:
            if button.text == text_or_prefix:
                return button
        matches = [button for button in flat if button.text.startswith(text_or_prefix)]
        if len(matches) == 1:
            return matches[0]
        problem = "is ambiguous" if matches else "not found"
        raise AssertionError(
            f"button {text_or_prefix!r} {problem} on message {self.message_id} ({self.text[:40]!r}); "
            f"buttons: {self.button_texts()}"
        )


@dataclass
class ApiCall:
    """One Bot API request as PTB made it, with the outcome."""

    method: str
    parameters: JSONDict
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    error_code: int | None = None
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.parameters.get("chat_id")
        return _as_int(value)


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None

    def matches(self, call: ApiCall, chat_id: int | None) -> bool:
        method_matches = self.method == "*" or self.method.lower() == call.method.lower()
        return method_matches and (self.chat_id is None or self.chat_id == chat_id)


class ApiError(Exception):
    """A Bot API error answer (``ok: false``); PTB turns it into BadRequest, Forbidden, RetryAfter, ..."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class OverLimitError(ApiError):
    """A request over one of Telegram's limits (text, caption, callback data, callback answer): always a bot bug."""


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def _over_limit(reason: str) -> OverLimitError:
    return OverLimitError(400, f"Bad Request: {reason}")


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _decode_parameters(request_data: RequestData | None) -> JSONDict:
    """Parameters as Python values; RequestData already holds objects, JSON text only comes via api_kwargs."""
    if request_data is None:
        return {}
    parameters: JSONDict = dict(request_data.parameters)
    for key in _JSON_PARAMETERS.intersection(parameters):
        value = parameters[key]
        if isinstance(value, str) and value[:1] in ("{", "["):
            parameters[key] = json.loads(value)
    return parameters


def _read_files(request_data: RequestData | None) -> dict[str, tuple[str, bytes]]:
    """Uploaded files by multipart part name; PTB may pass an open file handle instead of bytes."""
    if request_data is None or not request_data.contains_files:
        return {}
    files: dict[str, tuple[str, bytes]] = {}
    for part, (filename, content, _mimetype) in request_data.multipart_data.items():
        files[part] = (filename, content if isinstance(content, bytes) else content.read())
    return files


def _visible_length(text: str, parse_mode: str | None) -> int:
    """Length Telegram checks, after markup is parsed away; a rough Markdown strip errs on the short side."""
    mode = (parse_mode or "").upper()
    if mode == "HTML":
        return len(html.unescape(re.sub(r"<[^>]*>", "", text)))
    if mode.startswith("MARKDOWN"):
        return len(re.sub(r"\]\([^)]*\)|[\\*_~`|\[\]]", "", text))
    return len(text)


def _parse_inline_keyboard(markup: JSONDict) -> list[list[Button]]:
    rows: list[list[Button]] = []
    for row in markup.get("inline_keyboard", []):
        buttons = [Button(b["text"], b.get("callback_data"), b.get("url"), _web_app_url(b)) for b in row]
        for button in buttons:
            data = button.callback_data
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _over_limit("BUTTON_DATA_INVALID")
        rows.append(buttons)
    return rows


def _web_app_url(button: JSONDict) -> str | None:
    web_app = button.get("web_app")
    if web_app is None:
        return None
    if not str(web_app.get("url", "")).startswith("https://"):
        raise _bad_request("BUTTON_URL_INVALID")  # Telegram opens only https pages
    return str(web_app["url"])


def _parse_reply_keyboard(markup: JSONDict) -> list[list[str]]:
    # Buttons arrive as KeyboardButton dicts from PTB, but plain strings are valid Bot API input too.
    return [[b if isinstance(b, str) else b["text"] for b in row] for row in markup.get("keyboard", [])]


def _markup_fields(markup: JSONDict | None) -> JSONDict:
    markup = markup or {}
    return {
        "buttons": _parse_inline_keyboard(markup),
        "keyboard": _parse_reply_keyboard(markup),
        "remove_keyboard": bool(markup.get("remove_keyboard")),
        "force_reply": bool(markup.get("force_reply")),
    }


def _inline_markup_json(markup: JSONDict | None) -> JSONDict | None:
    # Telegram echoes only inline keyboards in Message.reply_markup; PTB cannot even parse anything else there.
    if markup and "inline_keyboard" in markup:
        return markup
    return None


def _encode(body: JSONDict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


class InProcessBotApi(BaseRequest):
    """Answers PTB's Bot API requests in memory, records them, and keeps a per-chat transcript.

    Pass the same instance to ``ApplicationBuilder.request()`` and ``.get_updates_request()``.
    """

    def __init__(self, username: str = DEFAULT_BOT_USERNAME, latency: float = 0.0, poll_wait: float = 0.5) -> None:
        self.username = username
        self.latency = latency
        self.poll_wait = poll_wait
        self.calls: list[ApiCall] = []
        # Every request refused for being over a limit, even when the bot caught the error: tests fail on any.
        self.limit_violations: list[ApiCall] = []
        self.events: list[BotMessage] = []
        self.initialized = False
        self._transcripts: dict[int, list[BotMessage]] = {}
        self._by_id: dict[tuple[int, int], BotMessage] = {}
        self._incoming: set[tuple[int, int]] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callbacks: dict[str, int] = {}
        self._answered: set[str] = set()
        self._failures: list[_Failure] = []
        self._updates: list[JSONDict] = []
        self._waiters: set[asyncio.Event] = set()
        self._chats: dict[int, JSONDict] = {}
        self._keyboards: dict[int, list[list[str]]] = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}  # setChatMenuButton: by chat id, None the default
        self._files: dict[str, tuple[str, bytes]] = {}
        self._handlers: dict[str, Callable[[ApiCall], Any]] = {
            "getme": lambda call: self.bot_user(full=True),
            "sendmessage": self._send_message,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": lambda call: self._commands.get(self._commands_key(call), []),
            "deletewebhook": self._delete_webhook,
            "setchatmenubutton": self._set_chat_menu_button,
            "getwebhookinfo": lambda call: {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            },
            **dict.fromkeys(("sendchataction", "leavechat", "setwebhook", "close", "logout"), lambda call: True),
        }

    # --- BaseRequest -------------------------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        # PTB initialises both of its request objects; with one shared instance this runs twice.
        self.initialized = True

    async def shutdown(self) -> None:
        self.initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        call = ApiCall(url.rstrip("/").rsplit("/", 1)[-1], _decode_parameters(request_data), _read_files(request_data))
        self.calls.append(call)  # recorded before any latency, so the order is the order PTB issued them
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        try:
            self._raise_injected(call)
            call.result = await self._dispatch(call)
        except ApiError as error:
            call.error_code = error.code
            if isinstance(error, OverLimitError):
                self.limit_violations.append(call)
            return error.code, _encode(error.body())
        return 200, _encode({"ok": True, "result": call.result})

    async def _dispatch(self, call: ApiCall) -> Any:
        if call.method.lower() == "getupdates":
            return await self._get_updates(call)
        handler = self._handlers.get(call.method.lower())
        if handler is None:
            raise _bad_request(f"method not emulated: {call.method}")
        return handler(call)

    # --- test controls ---------------------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) fail, optionally only for one chat."""
        if error_code == 429 and retry_after is None:
            retry_after = 1  # Telegram always says how long to wait; without it PTB would not raise RetryAfter
        self._failures.append(_Failure(method, error_code, description, retry_after, times, chat_id))

    def queue_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates (polling demo); gives it an update_id if it has none."""
        update = {"update_id": self.next_update_id(), **update}
        self._updates.append(update)
        for waiter in self._waiters:
            waiter.set()
        return int(update["update_id"])

    def register_chat(self, chat: JSONDict) -> None:
        """Remember a chat's JSON so the bot's messages to it carry the right type and title."""
        self._chats[int(chat["id"])] = chat

    def register_callback_query(self, query_id: str, chat_id: int) -> None:
        """Make a callback query answerable once (ChatSession does this for every press)."""
        self._callbacks[query_id] = chat_id

    def note_incoming(self, chat_id: int, message_id: int) -> None:
        """Record a user's message so the bot may delete it, as it may in a private chat."""
        self._incoming.add((chat_id, message_id))

    def clear(self) -> None:
        """Forget recorded calls and events (transcripts and id counters are kept), e.g. between benchmark laps."""
        self.calls.clear()
        self.events.clear()

    # --- inspection -----------------------------------------------------------------------------------------

    def bot_user(self, full: bool = False) -> JSONDict:
        user: JSONDict = {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": self.username}
        if full:
            user |= {
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        return user

    def messages(self, chat_id: int, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in a chat in sending order, edits applied."""
        return [m for m in self._transcripts.get(chat_id, []) if include_deleted or not m.deleted]

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """The stored message (including deleted ones), or None if the bot never sent it."""
        return self._by_id.get((chat_id, message_id))

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def mark(self) -> int:
        """A position in ``events``, for ``sent_since``."""
        return len(self.events)

    def sent_since(self, mark: int, chat_id: int | None = None) -> list[BotMessage]:
        """Snapshots of messages sent or edited after ``mark``, in order, optionally for one chat."""
        return [m for m in self.events[mark:] if chat_id is None or m.chat_id == chat_id]

    def current_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the user currently sees in this chat, if any."""
        return self._keyboards.get(chat_id)

    def callback_chat(self, query_id: str) -> int | None:
        return self._callbacks.get(query_id)

    def is_answered(self, query_id: str) -> bool:
        return query_id in self._answered

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_callback_query_id(self) -> str:
        return str(4_000_000_000_000_000_000 + next(self._callback_ids))

    def next_file_id(self) -> str:
        return f"{next(self._file_ids):010d}"

    def next_message_id(self, chat_id: int) -> int:
        # One counter per chat shared by the user's and the bot's messages, as in Telegram.
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # --- failures --------------------------------------------------------------------------------------------

    def _call_chat(self, call: ApiCall) -> int | None:
        if call.chat_id is not None:
            return call.chat_id
        return self._callbacks.get(str(call.parameters.get("callback_query_id")))

    def _raise_injected(self, call: ApiCall) -> None:
        chat_id = self._call_chat(call)
        for failure in self._failures:
            if failure.matches(call, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise ApiError(failure.error_code, failure.description, failure.retry_after)

    # --- messages --------------------------------------------------------------------------------------------

    def _chat_json(self, chat_id: int) -> JSONDict:
        return self._chats.get(chat_id) or {"id": chat_id, "type": "private" if chat_id > 0 else "group"}

    def _target_chat(self, call: ApiCall) -> int:
        chat_id = call.chat_id
        if chat_id is None:
            raise _bad_request("chat not found")
        return chat_id

    def _store(self, message: BotMessage, content: JSONDict, markup: JSONDict | None) -> JSONDict:
        raw: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": self._chat_json(message.chat_id),
            "date": int(time.time()),
            **content,
        }
        if (inline := _inline_markup_json(markup)) is not None:
            raw["reply_markup"] = inline
        message.raw = raw
        self._transcripts.setdefault(message.chat_id, []).append(message)
        self._by_id[(message.chat_id, message.message_id)] = message
        self._track_keyboard(message)
        self.events.append(dataclasses.replace(message))
        return raw

    def _track_keyboard(self, message: BotMessage) -> None:
        if message.keyboard:
            self._keyboards[message.chat_id] = message.keyboard
        elif message.remove_keyboard:
            self._keyboards.pop(message.chat_id, None)

    def _new_message(self, call: ApiCall, **fields: Any) -> BotMessage:
        chat_id = self._target_chat(call)
        markup = call.parameters.get("reply_markup")
        return BotMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            parse_mode=call.parameters.get("parse_mode"),
            **_markup_fields(markup),
            **fields,
        )

    def _check_caption(self, call: ApiCall) -> str | None:
        caption = call.parameters.get("caption")
        if caption is not None and _visible_length(caption, call.parameters.get("parse_mode")) > MAX_CAPTION_LENGTH:
            raise _over_limit("message caption is too long")
        return None if caption is None else str(caption)

    def _send_message(self, call: ApiCall) -> JSONDict:
        text = str(call.parameters.get("text", ""))
        if not text.strip():
            raise _bad_request("message text is empty")
        if _visible_length(text, call.parameters.get("parse_mode")) > MAX_TEXT_LENGTH:
            raise _over_limit("message is too long")
        message = self._new_message(call, text=text)
        content: JSONDict = {"text": text}
        if "entities" in call.parameters:
            content["entities"] = call.parameters["entities"]
        return self._store(message, content, call.parameters.get("reply_markup"))

    def _file(self, call: ApiCall, part: str) -> tuple[str, tuple[str, bytes]]:
        """The (file_id, (name, bytes)) of an uploaded or previously sent file."""
        if part in call.files:
            file_id = f"BQACAgUAAxkDAAI{self.next_file_id()}"
            self._files[file_id] = call.files[part]
            return file_id, call.files[part]
        file_id = str(call.parameters.get(part, ""))
        if file_id not in self._files:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        return file_id, self._files[file_id]

    def _send_document(self, call: ApiCall) -> JSONDict:
        caption = self._check_caption(call)
        file_id, (name, content) = self._file(call, "document")
        message = self._new_message(call, document=(name, content), caption=caption)
        document = {"file_id": file_id, "file_unique_id": file_id[-12:], "file_name": name, "file_size": len(content)}
        return self._store(
            message, self._with_caption({"document": document}, caption), call.parameters.get("reply_markup")
        )

    def _send_photo(self, call: ApiCall) -> JSONDict:
        caption = self._check_caption(call)
        file_id, (_name, content) = self._file(call, "photo")
        message = self._new_message(call, photo=content, caption=caption)
        sizes = [
            {"file_id": f"{file_id}s", "file_unique_id": f"{file_id[-12:]}s", "width": 90, "height": 68},
            {
                "file_id": file_id,
                "file_unique_id": file_id[-12:],
                "width": 800,
                "height": 600,
                "file_size": len(content),
            },
        ]
        return self._store(message, self._with_caption({"photo": sizes}, caption), call.parameters.get("reply_markup"))

    @staticmethod
    def _with_caption(content: JSONDict, caption: str | None) -> JSONDict:
        return content if caption is None else {**content, "caption": caption}

    # --- edits and deletion ----------------------------------------------------------------------------------

    def _edit_target(self, call: ApiCall) -> BotMessage:
        if "inline_message_id" in call.parameters:
            raise _bad_request("inline messages are not emulated")
        message_id = _as_int(call.parameters.get("message_id"))
        message = self._by_id.get((self._target_chat(call), message_id or 0))
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        return message

    def _apply_edit(self, message: BotMessage, content: JSONDict, markup: JSONDict | None, **changes: Any) -> JSONDict:
        """Replace content and inline keyboard; an edit without reply_markup removes the keyboard, as in Telegram.

        ``changes`` are BotMessage fields to set before the edit is recorded as an event snapshot.
        """
        inline = _inline_markup_json(markup)
        unchanged = all(message.raw.get(k) == v for k, v in content.items())
        if unchanged and message.raw.get("reply_markup") == inline:
            raise _bad_request(_NOT_MODIFIED)
        merged = {k: v for k, v in message.raw.items() if k != "reply_markup"} | content
        raw = {k: v for k, v in merged.items() if v is not None} | {"edit_date": int(time.time())}
        if inline is not None:
            raw["reply_markup"] = inline
        message.raw = raw
        message.buttons = _parse_inline_keyboard(inline or {})
        for name, value in changes.items():
            setattr(message, name, value)
        message.edited = True
        message.edit_count += 1
        self.events.append(dataclasses.replace(message))
        return raw

    def _edit_message_text(self, call: ApiCall) -> JSONDict:
        message = self._edit_target(call)
        text = str(call.parameters.get("text", ""))
        if "text" not in message.raw:
            raise _bad_request("there is no text in the message to edit")
        if not text.strip():
            raise _bad_request("message text is empty")
        if _visible_length(text, call.parameters.get("parse_mode")) > MAX_TEXT_LENGTH:
            raise _over_limit("MESSAGE_TOO_LONG")
        parse_mode = call.parameters.get("parse_mode")
        return self._apply_edit(
            message, {"text": text}, call.parameters.get("reply_markup"), text=text, parse_mode=parse_mode
        )

    def _edit_message_caption(self, call: ApiCall) -> JSONDict:
        message = self._edit_target(call)
        if "text" in message.raw:
            raise _bad_request("there is no caption in the message to edit")
        caption = self._check_caption(call)
        return self._apply_edit(message, {"caption": caption}, call.parameters.get("reply_markup"), caption=caption)

    def _edit_message_reply_markup(self, call: ApiCall) -> JSONDict:
        message = self._edit_target(call)
        return self._apply_edit(message, {}, call.parameters.get("reply_markup"))

    def _delete_message(self, call: ApiCall) -> bool:
        key = (self._target_chat(call), _as_int(call.parameters.get("message_id")) or 0)
        message = self._by_id.get(key)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        if key in self._incoming:
            self._incoming.discard(key)
            return True
        raise _bad_request("message to delete not found")

    # --- callbacks, commands, updates ------------------------------------------------------------------------

    def _answer_callback_query(self, call: ApiCall) -> bool:
        query_id = str(call.parameters.get("callback_query_id"))
        if len(str(call.parameters.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _over_limit("MESSAGE_TOO_LONG")
        if query_id not in self._callbacks or query_id in self._answered:
            raise ApiError(400, _QUERY_INVALID)
        self._answered.add(query_id)
        return True

    @staticmethod
    def _commands_key(call: ApiCall) -> str:
        scope = call.parameters.get("scope") or {"type": "default"}
        return json.dumps([scope, call.parameters.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, call: ApiCall) -> bool:
        self._commands[self._commands_key(call)] = list(call.parameters.get("commands", []))
        return True

    def _delete_my_commands(self, call: ApiCall) -> bool:
        self._commands.pop(self._commands_key(call), None)
        return True

    def _set_chat_menu_button(self, call: ApiCall) -> bool:
        button = call.parameters.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            _web_app_url(button)
        self.menu_buttons[_as_int(call.parameters.get("chat_id"))] = button
        return True

    def _delete_webhook(self, call: ApiCall) -> bool:
        if call.parameters.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_updates(self, call: ApiCall) -> list[JSONDict]:
        """Long polling: confirm updates below ``offset``, then wait briefly so a polling loop does not spin."""
        offset = _as_int(call.parameters.get("offset")) or 0
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(call.parameters.get("timeout") or 0)
        if not self._updates:
            await self._wait_for_update(max(0.01, min(timeout, self.poll_wait)))
        limit = _as_int(call.parameters.get("limit")) or 100
        return self._updates[:limit]

    async def _wait_for_update(self, seconds: float) -> None:
        # A fresh Event per wait keeps the double independent of which event loop it was created in.
        arrived = asyncio.Event()
        self._waiters.add(arrived)
        try:
            await asyncio.wait_for(arrived.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(arrived)
