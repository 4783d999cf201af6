"""The dashboard page's words (`GET /app/api/texts`): every key starts with `dash_`, and each is used by a file of
`bot/dashboard/static/` (tests/bot/test_texts.py). Part of the one message catalog (`bot.texts`)."""

from __future__ import annotations

from bot.texts.workers import EN, JA

PAGE_TEXTS: dict[str, dict[str, str]] = {
    "dash_title": {JA: "ダッシュボード", EN: "Dashboard"},
    "dash_loading": {JA: "読み込み中…", EN: "Loading…"},
    "dash_error_unauthorized": {
        JA: "Telegramのボタンから開いてください。",
        EN: "Please open this page from the button in Telegram.",
    },
    "dash_error_expired": {
        JA: "時間が経ちました。ボタンから開き直してください。",
        EN: "This page has expired. Open it again from the button.",
    },
    "dash_error_not_member": {
        JA: "登録された職員の方専用です。",
        EN: "For registered staff only.",
    },
}
