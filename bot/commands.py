"""The command menus Telegram shows, per role and language (`set_my_commands`)."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from models.roles import Role
from models.tables import Staff

_COMMANDS: dict[str, dict[str, str]] = {
    "log": {"ja": "活動を記録する", "en": "Log an activity"},
    "outreach": {"ja": "アウトリーチを記録", "en": "Log outreach"},
    "consult": {"ja": "相談対応を記録", "en": "Log a consultation"},
    "participation": {"ja": "参加支援を記録", "en": "Log a participation link"},
    "mine": {"ja": "自分の記録（取消・修正）", "en": "My entries (void, correct)"},
    "undo": {"ja": "直前の記録を取り消す", "en": "Void my last entry"},
    "cancel": {"ja": "入力を中止", "en": "Stop the current entry"},
    "help": {"ja": "使い方", "en": "Help"},
    "dashboard": {"ja": "ダッシュボード（画面で見る）", "en": "Dashboard (a page in Telegram)"},
    "void": {"ja": "範囲内の記録を取り消す", "en": "Void an entry in your scope"},
    "totals": {"ja": "現在の集計", "en": "Current totals"},
    "sheet": {"ja": "推進状況確認シート（Excel）", "en": "Progress sheet (Excel)"},
    "chart": {"ja": "月別グラフ", "en": "Monthly chart"},
    "missing": {"ja": "未報告の職員", "en": "Who has not reported"},
    "areas": {"ja": "地域別（1-1・1-2 のまだの地域）", "en": "Areas counted and not yet (1-1, 1-2)"},
    "note": {"ja": "シートの文章欄", "en": "Sheet text sections"},
    "reopen": {"ja": "締切月の再開", "en": "Reopen a locked month"},
    "reminders": {"ja": "リマインダーの設定", "en": "Reminder settings"},
    "leave": {"ja": "職員の休暇を設定", "en": "Set a staff member's leave"},
    "invite": {"ja": "招待リンクを作る", "en": "Create an invite link"},
    "staff": {"ja": "職員の一覧", "en": "List staff"},
    "deactivate": {"ja": "職員を利用停止にする", "en": "Deactivate a staff member"},
    "health": {"ja": "稼働状況", "en": "Bot health"},
    "flagged": {"ja": "確認待ちの記録（多すぎる件数）", "en": "Entries to review (unusual counts)"},
    "confirm": {"ja": "区の月の数値を確認", "en": "Confirm the ward's month"},
    "accept": {"ja": "区の月の承認", "en": "Accept wards' months"},
    "return": {"ja": "区の月の差戻し", "en": "Return a ward's month"},
}
_WORKER = ["log", "outreach", "consult", "participation", "mine", "undo", "dashboard", "reminders", "cancel", "help"]
_SUPERVISOR = [*_WORKER, "void", "totals", "areas", "sheet", "chart", "missing", "note", "flagged"]
_BY_ROLE: dict[str, list[str]] = {
    Role.WORKER: _WORKER,
    Role.WARD_SUPERVISOR: [*_SUPERVISOR, "confirm"],
    Role.CITY_SUPERVISOR: [*_SUPERVISOR, "reopen", "accept", "return"],
    Role.ADMIN: [*_SUPERVISOR, "reopen", "accept", "return", "invite", "staff", "deactivate", "leave", "health"],
}


def commands_for(role: str, language: str) -> list[BotCommand]:
    return [BotCommand(name, _COMMANDS[name][language]) for name in _BY_ROLE.get(role, _WORKER)]


async def register_default_commands(bot: Bot) -> None:
    """What every private chat shows before a person is known: the worker menu, in both languages."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(commands_for(Role.WORKER, "ja"), scope=scope)
    await bot.set_my_commands(commands_for(Role.WORKER, "en"), scope=scope, language_code="en")


async def register_commands_for(bot: Bot, staff: Staff, language: str) -> None:
    """A staff member's own menu (supervisors and admins see more), in their language."""
    await bot.set_my_commands(commands_for(staff.role, language), scope=BotCommandScopeChat(staff.telegram_user_id))
