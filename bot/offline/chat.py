"""A simulated person in one chat: builds real Update JSON and runs it through the Application.

The other half of the offline Bot API (bot/offline/fake_api.py): that module answers what the bot sends; this one
sends what a person would (text, menu taps, button presses, photos) and waits until the bot has answered.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram import Update

from bot.offline.fake_api import AnyApplication, BotMessage, InProcessBotApi, JSONDict


class ChatSession:
    """A person talking to the bot in one chat: builds real Update JSON and runs it through the Application.

    The Application must be built with ``.request(api).get_updates_request(api)`` and be initialised.
    """

    def __init__(
        self,
        app: AnyApplication,
        api: InProcessBotApi,
        user_id: int,
        first_name: str = "テスト",
        language_code: str = "ja",
        chat_id: int | None = None,
        chat_type: str = "private",
        username: str | None = None,
        title: str = "テストグループ",
        settle_timeout: float = 5.0,
    ) -> None:
        self.app = app
        self.api = api
        self.settle_timeout = settle_timeout
        self.user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        if username is not None:
            self.user["username"] = username
        if chat_id is None:
            chat_id = user_id if chat_type == "private" else -user_id  # group ids are negative
        self.chat_id = chat_id
        self.chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            self.chat |= {k: v for k, v in self.user.items() if k in ("first_name", "username")}
        else:
            self.chat["title"] = title
        api.register_chat(self.chat)
        self.callback_query_ids: list[str] = []

    # --- building updates ------------------------------------------------------------------------------------

    def build_message(self, text: str | None = None, **extra: Any) -> JSONDict:
        """A user message as Telegram delivers it (for ``send_raw`` variations such as edited messages)."""
        message_id = self.api.next_message_id(self.chat_id)
        self.api.note_incoming(self.chat_id, message_id)
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": dict(self.chat),
            "from": dict(self.user),
        }
        if text is not None:
            message["text"] = text
            if entity := _command_entity(text):
                message["entities"] = [entity]
        return message | extra

    # --- acting --------------------------------------------------------------------------------------------

    async def send(self, text: str) -> list[BotMessage]:
        """Type and send ``text``; returns the bot's messages sent or edited in this chat meanwhile."""
        return await self.send_raw({"message": self.build_message(text)})

    async def tap_keyboard(self, text: str) -> list[BotMessage]:
        """Tap a reply-keyboard button: like ``send`` but fails if the keyboard does not offer ``text``."""
        keyboard = self.api.current_keyboard(self.chat_id) or []
        offered = [label for row in keyboard for label in row]
        if text not in offered:
            raise AssertionError(f"reply keyboard does not offer {text!r}; it offers {offered}")
        return await self.send(text)

    async def send_photo(self, caption: str | None = None) -> list[BotMessage]:
        """A photo message (no text), as a phone camera upload arrives."""
        unique = self.api.next_file_id()
        photo = [
            {"file_id": f"AgACAgUAAxkBAAI{unique}s", "file_unique_id": f"AQAD{unique}s", "width": 90, "height": 68},
            {"file_id": f"AgACAgUAAxkBAAI{unique}", "file_unique_id": f"AQAD{unique}", "width": 1280, "height": 960},
        ]
        extra: JSONDict = {"photo": photo} if caption is None else {"photo": photo, "caption": caption}
        return await self.send_raw({"message": self.build_message(None, **extra)})

    async def press(self, label: str, message: BotMessage | None = None) -> list[BotMessage]:
        """Press the inline button labelled ``label`` (exact, else prefix) on ``message`` or the latest keyboard."""
        target = message or self._latest_with_buttons()
        if target is None:
            raise AssertionError(f"no message with inline buttons in chat {self.chat_id}; last: {self.last}")
        button = target.button(label)
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} has no callback data (url={button.url!r})")
        return await self.press_data(button.callback_data, target)

    async def press_data(self, data: str, message: BotMessage | None = None) -> list[BotMessage]:
        """Send arbitrary callback data (forged or stale) as if pressed on ``message`` or the latest keyboard."""
        target = message or self._latest_with_buttons() or self.last
        if target is None:
            raise AssertionError(f"the bot has sent no message in chat {self.chat_id} to press a button on")
        # Telegram delivers the message as it stands now, which may differ from a stale snapshot.
        current = self.api.message(target.chat_id, target.message_id) or target
        if current.deleted:
            raise AssertionError(f"message {target.message_id} was deleted; its buttons cannot be pressed")
        query = {
            "id": self.api.next_callback_query_id(),
            "from": dict(self.user),
            "chat_instance": f"{abs(self.chat_id) * 31 + 7}",
            "data": data,
            "message": current.raw,
        }
        return await self.send_raw({"callback_query": query})

    async def send_raw(self, update: JSONDict) -> list[BotMessage]:
        """Process any update dict (update_id is added if missing); returns this chat's new bot messages."""
        update = {"update_id": self.api.next_update_id(), **update}
        if "callback_query" in update:
            query_id = str(update["callback_query"]["id"])
            self.callback_query_ids.append(query_id)
            self.api.register_callback_query(query_id, self.chat_id)
        mark = self.api.mark()
        await self._process(Update.de_json(update, self.app.bot))
        return self.api.sent_since(mark, self.chat_id)

    async def _process(self, update: Update) -> None:
        """Run the update and wait for tasks it spawned (handlers with block=False) so replies are complete."""
        before = asyncio.all_tasks()
        await self.app.process_update(update)
        deadline = time.monotonic() + self.settle_timeout
        while (spawned := _new_tasks(before)) and time.monotonic() < deadline:
            await asyncio.wait(spawned, timeout=deadline - time.monotonic())

    # --- looking ---------------------------------------------------------------------------------------------

    @property
    def transcript(self) -> list[BotMessage]:
        return self.api.messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        """The bot's latest (not deleted) message in this chat."""
        transcript = self.transcript
        return transcript[-1] if transcript else None

    def _latest_with_buttons(self) -> BotMessage | None:
        return next((message for message in reversed(self.transcript) if message.buttons), None)

    @property
    def answers(self) -> list[str | None]:
        """Texts of successful answerCallbackQuery calls for this session's presses (None: answered silently)."""
        mine = set(self.callback_query_ids)
        return [
            call.parameters.get("text")
            for call in self.api.calls_to("answerCallbackQuery")
            if call.error_code is None and str(call.parameters.get("callback_query_id")) in mine
        ]

    def unanswered_callbacks(self) -> list[str]:
        """Callback query ids that got no answer (the user's client would show a spinner)."""
        return [query_id for query_id in self.callback_query_ids if not self.api.is_answered(query_id)]


def _new_tasks(before: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks() - before if task is not current and not task.done()}


def _command_entity(text: str) -> JSONDict | None:
    """The bot_command entity Telegram adds for "/word" or "/word@botname" at the start of a message."""
    if not text.startswith("/"):
        return None
    command = text.split(maxsplit=1)[0]
    return {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
