"""The catalog's texts for the dashboard as the bot says them: the menu item, the button that opens the page, and
the answer where it is not set up. Part of the one message catalog (`bot.texts`); the page's own words are in
`dashboard_page.py`."""

from __future__ import annotations

from bot.texts.workers import EN, JA

DASHBOARD: dict[str, dict[str, str]] = {
    "menu_dashboard": {JA: "📊 ダッシュボード", EN: "📊 Dashboard"},
    "dashboard_open": {
        JA: "下のボタンでダッシュボードを開きます。",
        EN: "Open the dashboard with the button below.",
    },
    "dashboard_open_worker": {
        JA: "下のボタンで、今月のご自分の記録とフォローアップを開きます。",
        EN: "The button below opens your own entries this month and your follow-ups.",
    },
    "button_dashboard": {JA: "📊 ダッシュボードを開く", EN: "📊 Open the dashboard"},
    "dashboard_menu_button": {JA: "ダッシュボード", EN: "Dashboard"},
    "dashboard_not_set_up": {
        JA: "ダッシュボードはまだ設定されていません（WEBAPP_URL）。システム管理者にご相談ください。",
        EN: "The dashboard is not set up yet (WEBAPP_URL). Please ask the system administrator.",
    },
}
