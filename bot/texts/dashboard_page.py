"""The catalog's texts for the dashboard page (the Telegram Mini App, `bot/dashboard/static/`). The page asks for
them with `GET /app/api/texts?lang=` and holds none itself; every key starts with `dash_`. `{name}` placeholders are
filled in by the page's script; tests/bot/test_texts.py checks that a file of the page names each. Approval-state and
follow-up purpose words are the catalog's own, under `dash_` names (event kinds come with their labels in the API's answers)."""

from __future__ import annotations

from bot.texts.supervisors import SUPERVISORS
from bot.texts.workers import EN, JA
from models.followups import PURPOSES

PAGE_TEXTS: dict[str, dict[str, str]] = {
    # The frame
    "dash_title": {JA: "ダッシュボード", EN: "Dashboard"},
    "dash_loading": {JA: "読み込み中…", EN: "Loading…"},
    "dash_city": {JA: "大阪市", EN: "Osaka City"},
    "dash_fiscal_year": {JA: "年度", EN: "Fiscal year"},
    "dash_fy_option": {JA: "{year}年度", EN: "FY{year}"},
    "dash_as_of": {JA: "時点", EN: "As of"},
    "dash_month_end": {JA: "{month}末", EN: "end of {month}"},
    "dash_until_today": {JA: "{date}（今日）", EN: "{date} (today)"},
    "dash_back_to_city": {JA: "← 市全体に戻る", EN: "← Back to the city"},
    "dash_retry": {JA: "もう一度", EN: "Try again"},
    # Tabs
    "dash_tab_overview": {JA: "概要", EN: "Overview"},
    "dash_tab_wards": {JA: "区別", EN: "Wards"},
    "dash_tab_chart": {JA: "グラフ", EN: "Chart"},
    "dash_tab_areas": {JA: "地域", EN: "Areas"},
    "dash_tab_review": {JA: "確認", EN: "Review"},
    "dash_tab_mine": {JA: "今月の記録", EN: "This month"},
    "dash_tab_followups": {JA: "フォローアップ", EN: "Follow-ups"},
    # Refusals: the whole page is replaced by one of these
    "dash_error_expired": {
        JA: "表示の期限が切れました。ボットのボタンからダッシュボードを開き直してください。",
        EN: "This page has expired. Please open the dashboard again from the bot's button.",
    },
    "dash_error_unauthorized": {
        JA: "Telegramからの情報を確認できませんでした。ボットのボタンから開き直してください。",
        EN: "Telegram's sign-in could not be checked. Please open the dashboard from the bot's button.",
    },
    "dash_error_not_member": {
        JA: "このダッシュボードは登録された職員の方専用です。利用が停止されている場合は管理者にご連絡ください。",
        EN: "This dashboard is for registered staff only. If your access was stopped, please contact your administrator.",
    },
    "dash_error_forbidden": {
        JA: "この情報を見る権限がありません。",
        EN: "You do not have permission to see this.",
    },
    "dash_error_bad_request": {
        JA: "指定が読み取れませんでした。開き直してください。",
        EN: "The request could not be read. Please open the dashboard again.",
    },
    "dash_error_failed": {
        JA: "読み込めませんでした。通信状況を確認して、もう一度お試しください。",
        EN: "Could not load. Please check the connection and try again.",
    },
    # 概要
    "dash_reported": {JA: "報告 {reported} ／ {expected}", EN: "Reported {reported} / {expected}"},
    "dash_reported_month": {JA: "{month}分の報告", EN: "Reports for {month}"},
    "dash_approval": {JA: "確認", EN: "Review"},
    "dash_approval_count": {JA: "{state} {count}区", EN: "{state}: {count}"},
    "dash_flagged_waiting": {JA: "要確認の記録 {count}件", EN: "{count} entries to check"},
    "dash_final": {JA: "確定", EN: "Final"},
    "dash_provisional": {JA: "速報（集計中）", EN: "Provisional"},
    "dash_computed_at": {JA: "{time} に集計", EN: "Computed at {time}"},
    "dash_no_data": {JA: "この年度の記録はまだありません。", EN: "No entries for this fiscal year yet."},
    "dash_change_month": {JA: "前月末比", EN: "vs last month end"},
    "dash_last_year": {JA: "前年同期", EN: "Same day last year"},
    "dash_change_last_year": {JA: "前年比", EN: "vs last year"},
    "dash_points": {JA: "pt", EN: " pts"},
    "dash_baseline_note": {JA: "※ 移行前の数値を含みます", EN: "※ includes figures from before the bot"},
    "dash_send_sheet": {JA: "Excelで送る", EN: "Send as Excel"},
    "dash_sending": {JA: "送信中…", EN: "Sending…"},
    "dash_sheet_sent": {JA: "チャットに送りました（{file}）", EN: "Sent to the chat ({file})"},
    "dash_sheet_failed": {JA: "送れませんでした。もう一度お試しください。", EN: "Could not send. Please try again."},
    # 区別
    "dash_ward": {JA: "区", EN: "Ward"},
    "dash_wards_hint": {
        JA: "前年同期との比較で色分けしています（2-Qは割合の差）。区をタップすると詳しく見られます。",
        EN: "Coloured by the change from the same day last year (2-Q: the share's difference). Tap a ward to open it.",
    },
    "dash_legend_good": {JA: "前年以上", EN: "At or above last year"},
    "dash_legend_near": {JA: "前年の9割以上", EN: "90–100% of last year"},
    "dash_legend_low": {JA: "前年の9割未満", EN: "Below 90% of last year"},
    "dash_legend_none": {JA: "比較なし", EN: "No comparison"},
    "dash_completeness": {JA: "報告", EN: "Reported"},
    # グラフ
    "dash_indicator": {JA: "指標", EN: "Indicator"},
    "dash_this_year": {JA: "今年度", EN: "This year"},
    "dash_last_year_series": {JA: "前年度", EN: "Last year"},
    "dash_partial_month": {JA: "集計中の月", EN: "Month in progress"},
    "dash_same_day_last_year": {JA: "前年同日 {value}", EN: "Same day last year: {value}"},
    "dash_chart_caption": {
        JA: "{indicator}の累計（{unit}）。今年度と前年度の同じ時点を比べます。",
        EN: "{indicator}, cumulative ({unit}): this year against last year at the same point.",
    },
    "dash_percent_unit": {JA: "％", EN: "%"},
    # 地域
    "dash_coverage_hint": {
        JA: "1-1（情報共有の集まり）と1-2（気になる方の情報）を集計できた地域です。",
        EN: "Areas counted for 1-1 (watch meetings) and 1-2 (concern reports).",
    },
    "dash_areas_total": {JA: "地域数", EN: "Areas"},
    "dash_search": {JA: "地域名・区名で検索", EN: "Search by area or ward"},
    "dash_filter_all": {JA: "すべて", EN: "All"},
    "dash_filter_missing": {JA: "まだの地域", EN: "Not yet"},
    "dash_filter_counted": {JA: "集計済み", EN: "Counted"},
    "dash_counted_in": {JA: "{code} {month}〜", EN: "{code} since {month}"},
    "dash_not_yet": {JA: "{code} まだ", EN: "{code} not yet"},
    "dash_areas_shown": {JA: "{shown}地域を表示（全{total}地域）", EN: "Showing {shown} of {total} areas"},
    "dash_no_match": {JA: "該当する地域はありません。", EN: "No area matches."},
    # 確認
    "dash_review_month": {JA: "{month}分の確認状況", EN: "Review of {month}"},
    "dash_flagged_title": {JA: "確認待ちの記録（{count}件）", EN: "Entries waiting for a check ({count})"},
    "dash_flagged_more": {JA: "ほか{count}件（古い順に50件まで表示）", EN: "{count} more (the oldest 50 are shown)"},
    "dash_flagged_none": {JA: "確認待ちの記録はありません。", EN: "No entries are waiting."},
    "dash_flagged_count": {JA: "{count}件（ふだん{low}〜{high}件）", EN: "{count} (usually {low}–{high})"},
    "dash_logged_by": {JA: "記録: {name}", EN: "by {name}"},
    # A worker's page
    "dash_mine_title": {JA: "{month}の自分の記録", EN: "My entries, {month}"},
    "dash_mine_none": {JA: "今月の記録はまだありません。", EN: "No entries this month yet."},
    "dash_count": {JA: "{count}件", EN: "× {count}"},
    "dash_household": {JA: "世帯 {code}", EN: "household {code}"},
    "dash_corrected": {JA: "訂正済み", EN: "corrected"},
    "dash_voided": {JA: "取消", EN: "voided"},
    "dash_followups_none": {JA: "予定しているフォローアップはありません。", EN: "No follow-ups planned."},
    "dash_due_on": {JA: "{date}まで", EN: "due {date}"},
    "dash_overdue": {JA: "期限切れ", EN: "overdue"},
    "dash_quiet": {JA: "{days}日間記録なし", EN: "no entry for {days} days"},
}
# The catalog's words for approval states and follow-up purposes, under the page's names.
PAGE_TEXTS |= {f"dash_purpose_{code}": SUPERVISORS[f"purpose_{code}"] for code in PURPOSES}
PAGE_TEXTS |= {
    f"dash_approval_{state}": SUPERVISORS[f"approval_{state}"]
    for state in ("open", "confirmed", "accepted", "returned")
}
