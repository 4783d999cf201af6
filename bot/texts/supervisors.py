"""The catalog's texts for supervisors and admins: totals, sheets, charts, /missing, health, reminders and the
push, long lists, flagged entries, the month's confirmation, coverage and completeness. Part of the one message
catalog (`bot.texts`)."""

from __future__ import annotations

from bot.texts.workers import EN, JA

SUPERVISORS: dict[str, dict[str, str]] = {
    # Supervisors
    "totals_workers": {
        JA: "集計は区・市の管理者の方が見られます。ご自分の記録は「📋 自分の記録」で確認できます。",
        EN: "Totals are for ward and city supervisors. See your own entries under My entries.",
    },
    "totals_header": {JA: "{year}　{as_of}　{scope}{final}", EN: "{year}  {as_of}  {scope}{final}"},
    "totals_final": {JA: "（確定値）", EN: " (final, as locked)"},
    "totals_figure": {JA: "　{figure}", EN: "  {figure}"},
    "totals_change": {JA: "（前月末比 {delta}）", EN: " ({delta} vs last month)"},
    "totals_change_line": {JA: "　前月末比 {delta}", EN: "  {delta} vs last month"},
    "totals_last_year_header": {JA: "前年同期: {as_of}", EN: "Same point last year: {as_of}"},
    "totals_last_year": {JA: "　前年同期 {figure}", EN: "  last year {figure}"},
    "totals_last_year_change": {JA: "（前年同期比 {delta}）", EN: " ({delta} vs last year)"},
    "totals_last_year_change_line": {JA: "　前年同期比 {delta}", EN: "  {delta} vs last year"},
    "no_data_footnote": {
        JA: "※「—」はデータなし（その年度・範囲に記録も過去の数値もありません）。"
        "集計開始前の数値の登録は、システム管理者（市の担当）にご相談ください。",
        EN: "* “—” means no data (no entries and no earlier figures for that year and scope). "
        "To add figures from before the bot, ask the system administrator (city office).",
    },
    "button_ranking": {JA: "区別（前年同期比）", EN: "Wards vs last year"},
    "ranking_choose": {JA: "どの指標で区を比べますか？（前年同期比）", EN: "Rank the wards by which indicator?"},
    "ranking_header": {
        JA: "{label}　区別・前年同期比\n今年 {as_of}\n前年 {last}\n前年に比べ進んでいない区から:",
        EN: "{label} by ward vs last year\nThis year {as_of}\nLast year {last}\nFurthest behind first:",
    },
    "ranking_line": {JA: "{n}. {ward} {now} ／ 前年 {last}{ratio}", EN: "{n}. {ward} {now} / last year {last}{ratio}"},
    "ranking_ratio": {JA: "（前年の{ratio}％）", EN: " ({ratio}% of last year)"},
    "ranking_share_line": {JA: "{n}. {ward} {now}{change}", EN: "{n}. {ward} {now}{change}"},
    "ranking_points": {JA: "（前年同期比 {points}pt）", EN: " ({points} pt vs last year)"},
    "ranking_share_answers": {
        JA: "　回答{answers} ／ 前年 {before}{few}",
        EN: "  {answers} answers / last year {before}{few}",
    },
    "ranking_percent": {JA: "{share}％", EN: "{share}%"},
    "ranking_share_before": {JA: "{share}（回答{answers}）", EN: "{share} ({answers} answers)"},
    "ranking_share_no_answers": {JA: "回答なし", EN: "no answers"},
    "ranking_few_answers": {JA: " ※回答が少ない", EN: " *few answers"},
    "ranking_few_answers_footnote": {
        JA: "※回答が少ない: 今年か前年の回答が{few}件未満で、1件で割合が大きく動きます。",
        EN: "*few answers: fewer than {few} answers this year or last; one answer moves the share a lot.",
    },
    "ranking_no_answers": {JA: "回答なし: {count}区（{wards}）", EN: "No answers: {count} wards ({wards})"},
    "ranking_ward_separator": {JA: "、", EN: ", "},
    "button_prev_year": {JA: "◀ 前年度", EN: "◀ Prev. year"},
    "button_next_year": {JA: "翌年度 ▶", EN: "Next year ▶"},
    "button_prev_month": {JA: "◀ 前月末", EN: "◀ Prev. month"},
    "button_next_month": {JA: "翌月 ▶", EN: "Next month ▶"},
    "button_wards": {JA: "区を選ぶ", EN: "Choose a ward"},
    "button_city": {JA: "大阪市全体", EN: "Whole city"},
    "button_back": {JA: "◀ 戻る", EN: "◀ Back"},
    "indicator_of_goal": {JA: "目標{goal} {label}", EN: "Goal {goal} {label}"},
    "choose_ward": {JA: "どの区の集計を見ますか？", EN: "Which ward?"},
    "missing_header": {
        JA: "{month}に記録がなく「今月は0件」の報告もない方（休暇中を除く）: {count}人",
        EN: "No entry and no zero report for {month} (excluding leave): {count}",
    },
    "missing_line": {JA: "・{name}（{ward}・{last}）", EN: "・{name} ({ward}, {last})"},
    "missing_last_entry": {JA: "最終記録 {day}", EN: "last entry {day}"},
    "missing_never": {JA: "記録なし", EN: "no entries yet"},
    "missing_usage": {
        JA: "使い方: /missing または /missing 2025-10（その月の未報告）",
        EN: "Usage: /missing or /missing 2025-10 (who did not report that month)",
    },
    "missing_none": {JA: "{month}は全員が記録または0件報告済みです。", EN: "Everyone has reported for {month}."},
    "button_nudge": {JA: "今すぐ催促する", EN: "Remind them now"},
    "nudged": {JA: "{count}人に催促を送りました。", EN: "Reminder sent to {count}."},
    "nudge": {
        JA: "{month}の記録がまだありません。記録するか、活動がなかった場合は「今月は0件」を押してください。",
        EN: "Nothing logged for {month} yet. Log your entries, or press “Nothing this month”.",
    },
    "button_log_now": {JA: "記録する", EN: "Log now"},
    "button_zero": {JA: "今月は0件", EN: "Nothing this month"},
    "zero_recorded": {JA: "{month}は0件として記録しました。", EN: "Recorded: nothing to log for {month}."},
    "reopen_usage": {
        JA: "使い方: /reopen 区コード 年-月 理由\n例: /reopen 27102 2025-10 入力漏れの追加",
        EN: "Usage: /reopen WARD YEAR-MONTH REASON\ne.g. /reopen 27102 2025-10 late entries",
    },
    "reopened": {
        JA: "{ward}の{month}を再開しました（{closes}に再び締切）。理由: {reason}",
        EN: "{month} reopened for {ward} (locks again on {closes}). Reason: {reason}",
    },
    "reopen_invalid": {JA: "再開できません: {reason}", EN: "Cannot reopen: {reason}"},
    "sheet_building": {JA: "推進状況確認シートを作成中です…", EN: "Preparing the progress sheet…"},
    "sheet_caption": {JA: "推進状況確認シート　{as_of}　{scope}{final}", EN: "Progress sheet  {as_of}  {scope}{final}"},
    "sheet_usage": {
        JA: "使い方: /sheet または /sheet 2025-10（その月末時点）\n市の管理者は区も選べます: /sheet 27102 2025-10",
        EN: "Usage: /sheet or /sheet 2025-10 (as of that month end)\nCity supervisors may name a ward: /sheet 27102 2025-10",
    },
    "chart_choose": {
        JA: "どの指標のグラフを見ますか？（今年度と前年度）",
        EN: "Which indicator? (this year against last year)",
    },
    "chart_choose_ward": {JA: "どの区のグラフですか？", EN: "Which ward?"},
    "chart_caption": {JA: "{label}　{scope}", EN: "{label}  {scope}"},
    "notes_choose_year": {
        JA: "どの年度のシートの文章を編集しますか？（前年度分は6月末まで）",
        EN: "Which year's sheet? (last year's until the end of June)",
    },
    "notes_choose_sheet": {JA: "{year}：どのシートの文章を編集しますか？", EN: "{year}: which sheet's text?"},
    "notes_choose_section": {JA: "{sheet}：どの欄ですか？", EN: "{sheet}: which section?"},
    "notes_list": {
        JA: "{sheet}　{section}（{year}・{scope}）\n{bullets}",
        EN: "{sheet} {section} ({year}, {scope})\n{bullets}",
    },
    "notes_empty": {JA: "（まだありません）", EN: "(none yet)"},
    "button_add_bullet": {JA: "＋ 追加", EN: "+ Add"},
    "button_remove_bullet": {JA: "削除 {n}", EN: "Remove {n}"},
    "notes_ask_text": {
        JA: "追加する文章を入力してください（300文字まで、個人が分かる情報は書かないでください）。",
        EN: "Type the bullet (up to 300 characters, no personal data).",
    },
    "notes_added": {JA: "追加しました。", EN: "Added."},
    # /health (admins)
    "health": {
        JA: "稼働状況\nデータベース: {database}\nスケジューラ: {scheduler}\n最後の更新: {last_update}",
        EN: "Health\nDatabase: {database}\nScheduler: {scheduler}\nLast update: {last_update}",
    },
    "health_db_ok": {JA: "OK（{ms}ms）", EN: "OK ({ms} ms)"},
    "health_db_down": {JA: "接続できません（{error}）", EN: "unreachable ({error})"},
    "health_scheduler_running": {JA: "稼働中（ジョブ{count}件: {jobs}）", EN: "running ({count} jobs: {jobs})"},
    "health_scheduler_stopped": {JA: "停止中（ジョブ{count}件: {jobs}）", EN: "stopped ({count} jobs: {jobs})"},
    "health_scheduler_none": {JA: "なし", EN: "none"},
    "health_last_update": {
        JA: "{at}（{seconds}秒前、起動後{count}件目）",
        EN: "{at} ({seconds} s ago, #{count} since start)",
    },
    "health_no_update": {JA: "まだありません", EN: "none yet"},
    # Reminders and the monthly push
    "push_header": {
        JA: "【月次報告】{month}末の集計です（速報値：締切は{lock}）。",
        EN: "[Monthly report] Totals at the end of {month} (preliminary: the month locks on {lock}).",
    },
    "push_missing": {JA: "{month}に未報告だった方: {names}", EN: "Did not report in {month}: {names}"},
    "push_all_reported": {JA: "{month}は全員が報告済みでした。", EN: "Everyone reported in {month}."},
    "unreachable_report": {
        JA: "次の方にボットから連絡できません（ボットがブロックされています）。別の方法でご連絡ください:\n{names}",
        EN: "These staff blocked the bot and get no reminders. Please contact them another way:\n{names}",
    },
    "reminders_status": {
        JA: "次のリマインダー: {next}（{time}）\n状態: {state}",
        EN: "Next reminder: {next} ({time})\nStatus: {state}",
    },
    "reminders_on": {JA: "受け取る", EN: "on"},
    "reminders_off": {JA: "停止中", EN: "paused"},
    "reminders_on_leave": {JA: "休暇中（{until}まで）", EN: "on leave until {until}"},
    "button_pause": {JA: "リマインダーを止める", EN: "Pause reminders"},
    "button_resume_reminders": {JA: "リマインダーを再開", EN: "Resume reminders"},
    "leave_usage": {
        JA: "使い方: /leave 職員番号 2026-03-31（休暇の最終日） または /leave 職員番号 off",
        EN: "Usage: /leave STAFF_NUMBER 2026-03-31 (last day of leave) or /leave STAFF_NUMBER off",
    },
    "leave_set": {JA: "{name}さん（No.{id}）: {state}", EN: "{name} (No.{id}): {state}"},
    "leave_cleared": {JA: "休暇なし", EN: "not on leave"},
    # Long lists (bot/long_answer.py): a summary first, then pages
    "page_header": {JA: "{title}（{page}/{pages}）", EN: "{title} ({page}/{pages})"},
    "page_hint": {
        JA: "一覧は「次へ ▶」で見られます（{first}〜{pages}ページ）。",
        EN: "The full list follows: press “Next ▶” (pages {first}–{pages}).",
    },
    "page_group": {JA: "【{title}】", EN: "[{title}]"},
    "page_group_continued": {JA: "【{title}】（続き）", EN: "[{title}] (continued)"},
    "button_page_first": {JA: "⏮ 最初", EN: "⏮ First"},
    "button_page_prev": {JA: "◀ 前へ", EN: "◀ Back"},
    "button_page_next": {JA: "次へ ▶", EN: "Next ▶"},
    "page_gone": {
        JA: "一覧が変わり、{pages}ページまでになりました。最後のページです。",
        EN: "The list has changed and now has {pages} pages: this is the last.",
    },
    "message_part": {JA: "{head}（{part}/{parts}）", EN: "{head} ({part}/{parts})"},
    "missing_title": {JA: "{month}の未報告", EN: "Not reported in {month}"},
    "missing_ward_count": {JA: "・{title} {count}人", EN: "・{title}: {count}"},
    "button_missing_list": {JA: "未報告の一覧", EN: "Who did not report"},
    "push_missing_count": {
        JA: "{month}に未報告だった方: {count}人（名前は「未報告の一覧」から）",
        EN: "Did not report in {month}: {count} (names under “Who did not report”)",
    },
    "staff_title": {JA: "職員一覧", EN: "Staff"},
    "staff_header": {
        JA: "職員 {count}人（うち停止中 {inactive}人）",
        EN: "Staff: {count} ({inactive} deactivated)",
    },
    "staff_ward_count": {JA: "・{title} {count}人", EN: "・{title}: {count}"},
    "staff_usage": {
        JA: "使い方: /staff または /staff 区コード（例: /staff 27102）",
        EN: "Usage: /staff or /staff WARD (e.g. /staff 27102)",
    },
    # Follow-ups (bot/conversations/followups.py): the next contact with a household
    "menu_plans": {JA: "📅 予定", EN: "📅 Plans"},
    "followup_ask": {JA: "次の連絡を予定しますか？（{household}）", EN: "Plan the next contact? ({household})"},
    "button_fu_1w": {JA: "1週間後", EN: "In 1 week"},
    "button_fu_2w": {JA: "2週間後", EN: "In 2 weeks"},
    "button_fu_1m": {JA: "1か月後", EN: "In 1 month"},
    "button_fu_date": {JA: "日付を入力", EN: "Type a date"},
    "button_fu_none": {JA: "なし", EN: "None"},
    "followup_planned": {JA: "次の連絡: {day}（{household}）", EN: "Next contact: {day} ({household})"},
    "followup_moved": {JA: "（{asked}は休日のため翌営業日）", EN: " ({asked} is not a business day: the next one)"},
    "followup_not_planned": {JA: "次の連絡は予定しませんでした。", EN: "No next contact planned."},
    "followup_ask_purpose": {
        JA: "目的を選べます（任意・入力も可）。",
        EN: "You may choose a purpose (optional, or type one).",
    },
    "purpose_phone": {JA: "電話", EN: "Call"},
    "purpose_visit": {JA: "訪問", EN: "Visit"},
    "purpose_accompany": {JA: "同行", EN: "Accompany"},
    "purpose_link_check": {JA: "つなぎ先の確認", EN: "Check the referral"},
    "button_fu_purpose_text": {JA: "目的を入力", EN: "Type a purpose"},
    "followup_purpose": {JA: "目的: {purpose}", EN: "Purpose: {purpose}"},
    "followup_ask_date": {
        JA: "次の連絡の日付を入力してください（例: {m}/{d}、{m}月{d}日）。休日なら翌営業日になります。",
        EN: "Type the day of the next contact (e.g. {m}/{d}). A holiday moves it to the next business day.",
    },
    "followup_ask_purpose_text": {
        JA: "目的を短く入力してください（{max}文字まで）。氏名・住所・電話番号は書かないでください。",
        EN: "Type a short purpose (up to {max} characters). No names, addresses or phone numbers.",
    },
    "followup_date_past": {JA: "過ぎた日付です。今日以降の日付を入力してください。", EN: "That day has passed."},
    "followup_date_too_far": {JA: "1年以内の日付を入力してください。", EN: "Please choose a day within a year."},
    "followup_closed_by_entry": {
        JA: "{household} の連絡予定（{day}）を完了にしました。",
        EN: "The planned contact with {household} ({day}) is done.",
    },
    "followup_reminder_head": {JA: "今日までの連絡予定（{count}件）:", EN: "Contacts planned up to today ({count}):"},
    "followup_reminder_line": {
        JA: "・{household} {day} {kind}{purpose}{late}",
        EN: "・{household} {day} {kind}{purpose}{late}",
    },
    "followup_late": {JA: "（{days}日超過）", EN: " ({days} days late)"},
    "followup_more": {JA: "ほか{count}件は「📅 予定」で見られます。", EN: "{count} more under “📅 Plans”."},
    "followup_none_due": {JA: "今日までの連絡予定はもうありません。", EN: "No more contacts planned up to today."},
    "button_fu_log": {JA: "📝 {household}", EN: "📝 {household}"},
    "button_fu_postpone": {JA: "延期", EN: "Postpone"},
    "button_fu_done": {JA: "完了・不要", EN: "Done / not needed"},
    "followup_postpone_ask": {JA: "{household} の次の連絡をいつにしますか？", EN: "When instead for {household}?"},
    "followup_postponed": {JA: "{household} の連絡を{day}に延期しました。", EN: "{household}: moved to {day}."},
    "followup_done": {JA: "{household} の連絡予定を完了にしました。", EN: "{household}: the plan is closed."},
    "followup_gone": {
        JA: "この連絡予定は完了済みか、見つかりません。",
        EN: "This plan is closed already or cannot be found.",
    },
    "followup_no_household": {
        JA: "世帯コードのない記録（または取消済みの記録）には予定を立てられません。",
        EN: "Only a live entry with a household code can have a next contact.",
    },
    "purpose_too_long": {JA: "目的は{max}文字までです。", EN: "A purpose has at most {max} characters."},
    "plan_usage": {
        JA: "使い方: /plan 世帯コード（例: /plan 27102-H0042）",
        EN: "Usage: /plan HOUSEHOLD_CODE (e.g. /plan 27102-H0042)",
    },
    "plan_no_entry": {
        JA: "{household} のあなたの記録がありません。記録を保存すると次の連絡を予定できます。",
        EN: "You have no entry for {household}. Save one to plan the next contact.",
    },
    "plans_empty": {
        JA: "連絡予定はありません。世帯コードのある記録を保存すると、次の連絡を予定できます。",
        EN: "No plans. After saving an entry with a household code you can plan the next contact.",
    },
    "plans_header": {JA: "連絡予定 {count}件（日付順）", EN: "Planned contacts: {count} (by day)"},
    "plans_title": {JA: "連絡予定", EN: "Planned contacts"},
    "plans_line": {JA: "{day} {household} {kind}{purpose}{quiet}", EN: "{day} {household} {kind}{purpose}{quiet}"},
    "plans_quiet": {JA: " ⚠{days}日記録なし", EN: " ⚠ no entry for {days} days"},
    "plans_month_count": {JA: "・{title} {count}件", EN: "・{title}: {count}"},
    "overdue_header": {
        JA: "連絡予定の状況（{scope}・{day}時点）: 今週の予定 {week}件・期限切れ {late}件",
        EN: "Planned contacts ({scope}, {day}): due this week {week}, overdue {late}",
    },
    "overdue_line": {
        JA: "・{name}: 今週 {week}件・期限切れ {late}件",
        EN: "・{name}: this week {week}, overdue {late}",
    },
    "overdue_title": {JA: "連絡予定の状況", EN: "Planned contacts"},
    "overdue_group_count": {JA: "・{title} {count}行", EN: "・{title}: {count} lines"},
    "handover_usage": {
        JA: "使い方: /handover 元の職員番号 新しい担当の職員番号（例: /handover 12 15。番号は /staff で）",
        EN: "Usage: /handover FROM_STAFF_NUMBER TO_STAFF_NUMBER (e.g. /handover 12 15)",
    },
    "handover_done": {
        JA: "No.{from_id} {from_name}さんの連絡予定{moved}件を No.{to_id} {to_name}さんに引き継ぎました。{merged}",
        EN: "{moved} planned contacts of No.{from_id} {from_name} now belong to No.{to_id} {to_name}. {merged}",
    },
    "handover_merged": {
        JA: "うち{count}件は同じ世帯の予定があったため1件にまとめました（早い日付）。",
        EN: "{count} of them were merged with their own plan for the same household (the earlier day).",
    },
    "handover_received": {
        JA: "{from_name}さんの連絡予定{count}件を引き継ぎました。「📅 予定」で確認できます。",
        EN: "You now hold {count} planned contacts from {from_name}. See “📅 Plans”.",
    },
    "handover_needed": {
        JA: "{name}さん（No.{id}）は{why}で、連絡予定が{count}件あります。"
        "/handover {id} 新しい担当の職員番号 で区内の職員に引き継いでください。",
        EN: "{name} (No.{id}) is {why} and holds {count} planned contacts. "
        "Hand them to someone in the ward with /handover {id} NEW_STAFF_NUMBER.",
    },
    "handover_why_deactivated": {JA: "利用停止", EN: "deactivated"},
    "handover_why_leave": {JA: "{until}まで休暇", EN: "on leave until {until}"},
    "handover_unknown_staff": {JA: "その職員番号は見つかりません。", EN: "No staff member with that number."},
    "handover_not_same_ward": {
        JA: "引き継ぎは同じ区の職員の間でのみできます。",
        EN: "Plans can only move between staff of the same ward.",
    },
    "handover_inactive_holder": {
        JA: "新しい担当は利用中の職員（職員・区の管理者）にしてください。",
        EN: "The new holder must be an active worker or ward supervisor.",
    },
    "handover_same_person": {JA: "元の職員と新しい担当が同じです。", EN: "That is the same person."},
    "handover_nothing": {JA: "引き継ぐ連絡予定はありません。", EN: "There are no open plans to hand over."},
    "push_followups": {
        JA: "連絡予定（今週の予定・期限切れ）:",
        EN: "Planned contacts (due this week / overdue):",
    },
    # Entries that look wrong (issue 22): a count far above the usual, asked once, then on a review list
    "unusual_ask": {
        JA: "{scope}の{kind}はふだん1回{usual}{unit}です。{count}{unit}で保存しますか？",
        EN: "{kind} in {scope} is usually {usual}{unit} per entry. Save {count}{unit}?",
    },
    "unusual_range": {JA: "{low}〜{high}", EN: "{low}–{high}"},
    "unit_items": {JA: "件", EN: ""},
    "unit_people": {JA: "人", EN: " people"},
    "button_keep_count": {JA: "{count}{unit}で保存する", EN: "Save {count}{unit}"},
    "saved_flagged": {
        JA: "※ふだんより多い件数のため、管理者の確認リストに載ります。",
        EN: "This count is far above the usual, so it goes on the supervisors' review list.",
    },
    "flagged_header": {
        JA: "確認待ちの記録（ふだんより多い件数）: {count}件",
        EN: "Entries to review (counts far above the usual): {count}",
    },
    "flagged_title": {JA: "確認待ちの記録", EN: "Entries to review"},
    "flagged_ward_count": {JA: "・{title}: {count}件", EN: "- {title}: {count}"},
    "flagged_line": {
        JA: "No.{id} {ward} {day} {kind} {count}{unit}（ふだん{usual}）{name}{asked}",
        EN: "No.{id} {ward} {day} {kind} {count}{unit} (usually {usual}) {name}{asked}",
    },
    "flagged_asked": {JA: "・修正依頼中", EN: " · correction asked"},
    "flagged_none": {JA: "確認待ちの記録はありません。", EN: "No entries to review."},
    "button_flag_ok": {JA: "No.{id} 確認済み", EN: "No.{id} checked"},
    "button_flag_ask": {JA: "No.{id} 修正を依頼", EN: "No.{id} ask to correct"},
    "flag_confirmed": {JA: "No.{id} を確認済みにしました。", EN: "No.{id} marked as checked."},
    "flag_already": {
        JA: "No.{id} はすでに確認されたか、変更されています。",
        EN: "No.{id} has already been reviewed or changed.",
    },
    "flag_asked_sent": {JA: "{name}さんに No.{id} の修正を依頼しました。", EN: "Asked {name} to correct No.{id}."},
    "flag_no_worker": {
        JA: "No.{id} を記録した職員に連絡できません。",
        EN: "The member who logged No.{id} cannot be reached.",
    },
    "flag_fix_request": {
        JA: "{by}さんから、No.{id}（{day} {kind} {count}{unit}）の件数の確認依頼です。ふだんは{usual}です。"
        "誤りなら下のボタンから修正してください。正しければそのままで構いません。",
        EN: "{by} asks you to check No.{id} ({day} {kind} {count}{unit}); usually {usual}. "
        "If it is wrong, correct it with the button below; if it is right, there is nothing to do.",
    },
    # A ward's month confirmed by the ward and accepted by the city (issue 22)
    "approval_open": {JA: "未確認", EN: "not confirmed"},
    "approval_confirmed": {JA: "区確認済み（市の承認待ち）", EN: "confirmed by the ward (awaiting the city)"},
    "approval_accepted": {JA: "市承認済み", EN: "accepted by the city"},
    "approval_returned": {JA: "差戻し", EN: "returned"},
    "approval_confirm_usage": {
        JA: "使い方: /confirm 2025-10（終わった月の区の数値を、区の管理者が確認します）",
        EN: "Usage: /confirm 2025-10 (a ward supervisor confirms the ward's figures of a month that is over)",
    },
    "approval_ward_only": {
        JA: "月の確認は、その区の区の管理者が行います。",
        EN: "A ward's month is confirmed by a supervisor of that ward.",
    },
    "approval_city_only": {
        JA: "承認・差戻しは市の管理者が行います。",
        EN: "Only city supervisors accept or return a month.",
    },
    "approval_month_not_over": {
        JA: "{month}はまだ終わっていないため、確認・承認できません。",
        EN: "{month} is not over yet, so it cannot be confirmed or accepted.",
    },
    "approval_confirm_ask": {
        JA: "{ward}の{month}分の数値を確認しますか？\n現在: {state}\n（確認の後に記録が変わると、確認は取り消されます）",
        EN: "Confirm the figures of {ward} for {month}?\nNow: {state}\n(A change to the entries afterwards withdraws it.)",
    },
    "approval_state_now": {JA: "{ward}の{month}分: {state}", EN: "{ward}, {month}: {state}"},
    "button_confirm_month": {JA: "{month}分を確認する", EN: "Confirm {month}"},
    "approval_confirmed_done": {
        JA: "{ward}の{month}分を確認しました。市の承認を待ちます。",
        EN: "{ward}, {month}: confirmed. Waiting for the city to accept it.",
    },
    "approval_city_header": {
        JA: "{month}分の確認状況（承認 {accepted}・確認済み {confirmed}・未確認 {open}・差戻し {returned}）",
        EN: "{month}: accepted {accepted}, confirmed {confirmed}, not confirmed {open}, returned {returned}",
    },
    "approval_city_hint": {
        JA: "承認する区を押してください。差し戻すときは /return 区コード {yyyymm} 理由",
        EN: "Press a ward to accept it. To return one: /return WARD {yyyymm} REASON",
    },
    "approval_city_line": {JA: "・{ward}: {state}", EN: "- {ward}: {state}"},
    "approval_accepted_done": {JA: "{ward}の{month}分を承認しました。", EN: "{ward}, {month}: accepted."},
    "approval_accepted_notice": {
        JA: "{ward}の{month}分が市に承認されました。",
        EN: "The city accepted {ward}'s figures for {month}.",
    },
    "approval_returned_done": {
        JA: "{ward}の{month}分を差し戻しました（理由: {reason}）。区の管理者に伝えました。",
        EN: "{ward}, {month}: returned (reason: {reason}). The ward's supervisors have been told.",
    },
    "approval_returned_notice": {
        JA: "{ward}の{month}分が市から差し戻されました。\n理由: {reason}\n見直したら /confirm {yyyymm} で確認し直してください。",
        EN: "The city returned {ward}'s figures for {month}.\nReason: {reason}\nWhen reviewed, confirm again: /confirm {yyyymm}",
    },
    "approval_accept_usage": {
        JA: "使い方: /accept 2025-10（各区の確認状況と、承認待ちの区のボタン）",
        EN: "Usage: /accept 2025-10 (every ward's state, a button for each ward waiting)",
    },
    "approval_return_usage": {
        JA: "使い方: /return 区コード 2025-10 理由\n例: /return 27102 2025-10 アウトリーチの件数を再確認してください",
        EN: "Usage: /return WARD 2025-10 REASON\ne.g. /return 27102 2025-10 please check the outreach counts",
    },
    "approval_wrong_state": {
        JA: "{ward}の{month}分は今「{state}」のため、この操作はできません。",
        EN: "{ward}, {month} is now {state}: this cannot be done.",
    },
    "approval_reason_personal": {
        JA: "理由に個人情報のような内容があります。個人が分からない書き方にしてください。",
        EN: "The reason looks like it holds personal data. Please word it so no one can be identified.",
    },
    "approval_unknown_ward": {JA: "区コード {ward} が見つかりません。", EN: "No ward with code {ward}."},
    "approval_withdrawn": {
        JA: "{ward}の{month}分の確認を取り消しました（{cause}）。見直して /confirm {yyyymm} で確認し直してください。",
        EN: "{ward}, {month}: the confirmation was withdrawn ({cause}). Review and confirm again: /confirm {yyyymm}",
    },
    "approval_withdrawn_accepted": {
        JA: "{ward}の{month}分の確認と市の承認を取り消しました（{cause}）。見直して /confirm {yyyymm} で確認し直してください。",
        EN: "{ward}, {month}: the confirmation and the city's acceptance were withdrawn ({cause}). "
        "Review and confirm again: /confirm {yyyymm}",
    },
    "cause_entry": {JA: "期限前に記録が追加されたため", EN: "a late entry was added"},
    "cause_correction": {JA: "記録が訂正されたため", EN: "an entry was corrected"},
    "cause_void": {JA: "記録が取り消されたため", EN: "an entry was voided"},
    "cause_undo": {JA: "記録の取り消し（/undo）があったため", EN: "an entry was undone"},
    "cause_reopen": {JA: "月が再開されたため", EN: "the month was reopened"},
    "totals_approval_ward": {JA: "{month}分の確認: {state}", EN: "{month}: {state}"},
    "totals_approval_city": {
        JA: "{month}分の確認（全{wards}区）\n　承認 {accepted}・確認済み {confirmed}\n　未確認 {open}・差戻し {returned}",
        EN: "{month} (of {wards} wards)\n  accepted {accepted}, confirmed {confirmed}\n  not confirmed {open}, returned {returned}",
    },
    # Area coverage, completeness and the push's summary (issue 22)
    "coverage_header": {
        JA: "{label}\n{as_of}　{scope}\n数えた地域 {counted} ／ 全{areas}地域（まだ {not_yet}地域）",
        EN: "{label}\n{as_of}  {scope}\nAreas counted: {counted} of {areas} ({not_yet} not yet)",
    },
    "coverage_threshold": {
        JA: "※年度内に{threshold}回以上集まりがあった地域を、{threshold}回目の月から数えます。",
        EN: "* An area counts from its {threshold}th meeting of the year.",
    },
    "coverage_ward_line": {
        JA: "・{ward} {counted}／{areas}（まだ {not_yet}）",
        EN: "・{ward} {counted}/{areas} ({not_yet} not yet)",
    },
    "coverage_not_yet": {JA: "まだ数えていない地域:", EN: "Areas not counted yet:"},
    "coverage_all_counted": {JA: "すべての地域を数えました。", EN: "Every area has counted."},
    "coverage_area_line": {JA: "・{code} {name}", EN: "・{code} {name}"},
    "coverage_area_line_city": {JA: "・{code} {name}（{ward}）", EN: "・{code} {name} ({ward})"},
    "coverage_title": {JA: "{label} まだの地域", EN: "{label}: not yet"},
    "coverage_ward_count": {JA: "・{title} まだ {count}地域", EN: "・{title}: {count} not yet"},
    "button_coverage": {JA: "地域別（1-1・1-2）", EN: "Areas (1-1, 1-2)"},
    "completeness_line": {
        JA: "{month}分の報告: {reported}／{expected}人（うち締切前 {on_time}人）",
        EN: "Reported for {month}: {reported} of {expected} ({on_time} before the lock)",
    },
    "completeness_nobody": {JA: "{month}分の報告: 対象の職員なし", EN: "Reported for {month}: nobody expected"},
    "ranking_completeness": {JA: "　報告 {reported}／{expected}", EN: "  reported {reported}/{expected}"},
    "summary_header": {JA: "【まとめ】", EN: "[Summary]"},
    "summary_up": {
        JA: "・前年同期より最も伸びた指標: {label} {last} → {now}",
        EN: "・Up most vs last year: {label} {last} → {now}",
    },
    "summary_down": {
        JA: "・前年同期より最も減った指標: {label} {last} → {now}",
        EN: "・Down most vs last year: {label} {last} → {now}",
    },
    "summary_no_comparison": {
        JA: "・前年同期と比べられる数値はまだありません。",
        EN: "・No figure to compare with last year yet.",
    },
    "summary_behind": {
        JA: "・前年同期に比べ遅れている区（指標の前年比の中央値）: {wards}",
        EN: "・Wards furthest behind last year (median across indicators): {wards}",
    },
    "summary_ward_ratio": {JA: "{ward} {ratio}％", EN: "{ward} {ratio}%"},
    "summary_reported": {
        JA: "・{month}分の報告: {reported}／{expected}人（うち締切前 {on_time}人）",
        EN: "・Reported for {month}: {reported} of {expected} ({on_time} before the lock)",
    },
    "summary_low_reporting": {JA: "・報告が少ない区: {wards}", EN: "・Wards with fewest reports: {wards}"},
    "summary_ward_reported": {JA: "{ward} {reported}／{expected}人", EN: "{ward} {reported}/{expected}"},
    "summary_flagged": {JA: "・確認待ちの記録: {count}件", EN: "・Flagged entries waiting: {count}"},
    "summary_not_confirmed": {
        JA: "・{month}分を確認していない区: {wards}",
        EN: "・Wards not confirmed for {month}: {wards}",
    },
    "summary_none_confirmed": {
        JA: "・{month}分を確認した区はまだありません。",
        EN: "・No ward has confirmed {month} yet.",
    },
    "summary_all_confirmed": {
        JA: "・すべての区が{month}分を確認済みです。",
        EN: "・Every ward has confirmed {month}.",
    },
}
