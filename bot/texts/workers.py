"""The catalog's texts for everyone who logs: getting in, the menu and help, the logging flow, corrections and
follow-ups. Part of the one message catalog (`bot.texts`), kept in two files by audience."""

from __future__ import annotations

JA, EN = "ja", "en"  # the catalog's two languages

WORKERS: dict[str, dict[str, str]] = {
    # Getting in
    "refuse_stranger": {
        JA: "申し訳ありません。このボットは登録された職員の方専用です。管理者から届いた招待リンクから登録してください。",
        EN: "Sorry, this bot is only for registered staff. Please register with the invite link from your administrator.",
    },
    "refuse_deactivated": {
        JA: "利用が停止されています。再開が必要な場合は管理者にご連絡ください。",
        EN: "Your access has been stopped. Please contact your administrator if it should be restored.",
    },
    "refuse_group": {
        JA: "申し訳ありません。このボットは個別のチャットでのみ利用できます。",
        EN: "Sorry, this bot only works in private chats.",
    },
    "welcome": {
        JA: "{name}さん、登録しました（{role}・{ward}）。\n下のメニューから記録できます。",
        EN: "Welcome, {name}. You are registered ({role}, {ward}).\nUse the menu below to log your work.",
    },
    "hello_again": {
        JA: "{name}さん、こんにちは。下のメニューから記録できます。",
        EN: "Hello, {name}. Use the menu below to log your work.",
    },
    "invite_unknown": {
        JA: "招待コードが正しくありません。管理者に確認してください。",
        EN: "This invite code is not valid. Please check with your administrator.",
    },
    "invite_used": {
        JA: "この招待コードは使用済みです。管理者に新しいコードを依頼してください。",
        EN: "This invite code has already been used. Please ask your administrator for a new one.",
    },
    "invite_expired": {
        JA: "この招待コードは期限切れです。管理者に新しいコードを依頼してください。",
        EN: "This invite code has expired. Please ask your administrator for a new one.",
    },
    "invite_already_registered": {
        JA: "このアカウントは登録済みです。",
        EN: "This account is already registered.",
    },
    "invite_created": {
        JA: "招待リンクを作成しました（{role}・{ward}・{days}日間有効・1回限り）:\n{link}\nコード: {code}",
        EN: "Invite created ({role}, {ward}, valid {days} days, single use):\n{link}\nCode: {code}",
    },
    "invite_usage": {
        JA: "使い方: /invite 役割 区コード\n役割: worker / ward_supervisor / city_supervisor / admin\n例: /invite worker 27102",
        EN: "Usage: /invite ROLE WARD\nROLE: worker / ward_supervisor / city_supervisor / admin\ne.g. /invite worker 27102",
    },
    "invite_invalid": {JA: "招待を作成できません: {reason}", EN: "Cannot create the invite: {reason}"},
    "deactivate_usage": {
        JA: "使い方: /deactivate 職員番号（/staff で確認できます）",
        EN: "Usage: /deactivate STAFF_NUMBER (see /staff)",
    },
    "deactivated": {
        JA: "{name}さん（No.{id}）を利用停止にしました。",
        EN: "{name} (No.{id}) can no longer use the bot.",
    },
    "staff_line": {JA: "No.{id} {name}・{role}・{ward}{inactive}", EN: "No.{id} {name}, {role}, {ward}{inactive}"},
    "staff_inactive": {JA: "（停止中）", EN: " (deactivated)"},
    "not_allowed": {
        JA: "この操作は権限のある方のみ行えます。",
        EN: "Only staff with the right role can do this.",
    },
    # Main menu (reply keyboard) — these texts are also matched when pressed
    "menu_log": {JA: "📝 記録する", EN: "📝 Log"},
    "menu_repeat": {JA: "🔁 前回と同じ", EN: "🔁 Same as last"},
    "menu_mine": {JA: "📋 自分の記録", EN: "📋 My entries"},
    "menu_help": {JA: "❓ ヘルプ", EN: "❓ Help"},
    "menu_totals": {JA: "📊 集計", EN: "📊 Totals"},
    "menu_sheet": {JA: "📄 シート", EN: "📄 Sheet"},
    "menu_chart": {JA: "📈 グラフ", EN: "📈 Chart"},
    "menu_missing": {JA: "👀 未報告", EN: "👀 Missing"},
    # What a worker can do, the shortcuts first (the README teaches them); supervisors' help adds to it.
    "help": {
        JA: "/outreach … アウトリーチを記録\n/consult … 相談対応を記録\n/participation … 参加支援を記録\n"
        "📝 記録する（/log）… 種類を選んで記録\n🔁 前回と同じ … 前回の記録を今日の日付で\n"
        "📋 自分の記録（/mine）… 確認・取消・修正\n/undo … 直前の記録を取り消す（{minutes}分以内）\n"
        "/reminders … リマインダーの確認・一時停止\n/dashboard … 今月の記録とフォローアップを画面で\n/cancel … 入力を中止\n\n"
        "市民の氏名・住所・電話番号などは入力しないでください。",
        EN: "/outreach … log outreach\n/consult … log a consultation\n/participation … log a participation link\n"
        "📝 Log (/log) … choose what to log\n🔁 Same as last … repeat your last entry for today\n"
        "📋 My entries (/mine) … review, void or correct\n/undo … void your last entry (within {minutes} min)\n"
        "/reminders … see or pause your reminders\n/dashboard … this month's entries and follow-ups on a page\n"
        "/cancel … stop the current entry\n\n"
        "Never type citizens' names, addresses or phone numbers.",
    },
    "help_supervisor": {
        JA: "\n\n【管理者】\n📊 集計 … /totals 今年度の集計（前月末比・前年同期）\n"
        "📄 シート … /sheet 推進状況確認シート（/sheet 2025-10 でその月末時点）\n"
        "📈 グラフ … /chart 月別グラフ（今年度と前年度）\n👀 未報告 … /missing 未報告の職員（/missing 2025-10 で前月分）\n"
        "/areas … 1-1・1-2 のまだ数えていない地域\n"
        "/note … シートの文章欄（前年度分は6月末まで）\n"
        "📊 ダッシュボード（/dashboard）… 集計・区別・グラフ・地域・確認を画面で",
        EN: "\n\n[Supervisors]\n📊 Totals … /totals this year (vs last month end and last year)\n"
        "📄 Sheet … /sheet the progress sheet (/sheet 2025-10 as of that month end)\n"
        "📈 Chart … /chart monthly chart (this year and last)\n👀 Missing … /missing who has not reported "
        "(/missing 2025-10 for last month)\n/areas … areas not yet counted for 1-1 and 1-2\n/note … the sheet's text (last year's until the end of June)\n"
        "📊 Dashboard (/dashboard) … totals, wards, charts, areas and review on a page",
    },
    "help_city": {
        JA: "\n\n【市の管理者】\n集計の「区別（前年同期比）」… 遅れている区から一覧\n"
        "/sheet 27102 2025-10 … 区のシート　グラフは区を選べます\n/reopen 区コード 年-月 理由 … 締切月の再開",
        EN: "\n\n[City]\n“Wards vs last year” under Totals … wards furthest behind first\n"
        "/sheet 27102 2025-10 … one ward's sheet; charts let you choose a ward\n"
        "/reopen WARD YEAR-MONTH REASON … reopen a locked month",
    },
    # The logging flow
    "ask_kind": {JA: "何を記録しますか？", EN: "What would you like to log?"},
    "ask_area": {
        JA: "地域を選んでください（{page}/{pages}）。地域名の一部を入力して探すこともできます。",
        EN: "Choose the area ({page}/{pages}), or type part of its name.",
    },
    "area_matches": {JA: "「{query}」に当てはまる地域です。", EN: "Areas matching “{query}”:"},
    "area_none": {
        JA: "「{query}」に当てはまる地域がありません。別の言葉で入力するか、一覧から選んでください。",
        EN: "No area matches “{query}”. Try another word or choose from the list.",
    },
    "ask_household": {
        JA: "世帯の参照コードを入力してください（例: 27102-H0042）。新しい世帯なら「新しいコードを発行」を押してください。",
        EN: "Type the household reference code (e.g. 27102-H0042), or press “Issue a new code”.",
    },
    "household_invalid": {
        JA: "参照コードは半角英数字とハイフンのみです（氏名は入力しないでください）。例: 27102-H0042",
        EN: "Reference codes use letters, digits and hyphens only (never a name). e.g. 27102-H0042",
    },
    "household_issued": {
        JA: "新しい参照コード: {code}\n世帯の台帳に控えてください。",
        EN: "New reference code: {code}\nPlease note it in your household file.",
    },
    "household_already_counted": {
        JA: "この世帯は今年度すでに計上済みです（{since}）。保存はできますが、世帯数は増えません。",
        EN: "This household is already counted this fiscal year ({since}). You can save, but the count will not grow.",
    },
    # The date hints are written with today's date (date_values), so every example can be logged as shown.
    "ask_date": {
        JA: "いつのことですか？ 日付を選ぶか入力してください（例: {m}/{d}、{m}/{d}({wd})、R{r}.{m}.{d}）。",
        EN: "When did it happen? Choose or type a date (e.g. {m}/{d}, {y}-{m:02}-{d:02}, {m}/{d} ({wd})).",
    },
    "date_unreadable": {
        JA: "日付を読み取れませんでした。例: {m}/{d}、{m}月{d}日（{wd}）、{y}-{m:02}-{d:02}、R{r}.{m}.{d}、令和{r}年{m}月{d}日",
        EN: "I could not read that date. e.g. {m}/{d}, {y}-{m:02}-{d:02}, {m}/{d} ({wd}), R{r}.{m}.{d}",
    },
    "date_weekday_mismatch": {
        JA: "{date} は{weekday}です。日付か曜日を直して、もう一度入力してください。",
        EN: "{date} is a {weekday}. Please correct the date or the weekday and type it again.",
    },
    "date_future": {JA: "未来の日付は記録できません。", EN: "Dates in the future cannot be logged."},
    "date_locked": {
        JA: "{month}は締め切られています（月末から{days}営業日で締切）。再開は市の管理者にご依頼ください。",
        EN: "{month} is closed ({days} business days after month end). Ask a city supervisor or admin to reopen it.",
    },
    "ask_count": {JA: "件数を選ぶか入力してください（1〜999）。", EN: "Choose or type the number (1–999)."},
    "ask_count_people": {
        JA: "名簿を提供した人数を選ぶか入力してください（1〜999）。",
        EN: "How many people were on the roster provided? (1–999)",
    },
    "count_invalid": {JA: "1〜999の数字で入力してください。", EN: "Please type a number from 1 to 999."},
    "ask_answer": {
        JA: "相談機関の回答：事業への関わりで効果があったと感じていますか？",
        EN: "The agency's answer: did taking part have an effect?",
    },
    "answer_yes": {JA: "効果あり", EN: "Yes, an effect"},
    "answer_no": {JA: "効果なし", EN: "No effect"},
    "ask_note": {
        JA: "メモを入力してください（{max}文字まで）。氏名・住所・電話番号など個人が分かる情報は書かないでください。",
        EN: "Type a short note (up to {max} characters). No names, addresses, phone numbers.",
    },
    "note_too_long": {
        JA: "メモは{max}文字までです（今は{length}文字）。",
        EN: "Notes are limited to {max} characters ({length} now).",
    },
    "note_personal": {
        JA: "個人が分かる情報（{what}）が含まれているようです。その部分を除いて入力し直してください。",
        EN: "This looks like personal data ({what}). Please remove it and type the note again.",
    },
    "confirm": {JA: "この内容で保存しますか？\n\n{card}", EN: "Save this entry?\n\n{card}"},
    "confirm_correction": {
        JA: "修正内容を確認してください（No.{id} を置き換えます）。\n\n{card}",
        EN: "Check the correction (replaces No.{id}).\n\n{card}",
    },
    "card_kind": {JA: "種類: {value}", EN: "Kind: {value}"},
    "card_area": {JA: "地域: {value}", EN: "Area: {value}"},
    "card_household": {JA: "世帯: {value}", EN: "Household: {value}"},
    "card_date": {JA: "日付: {value}", EN: "Date: {value}"},
    "card_count": {JA: "件数: {value}", EN: "Count: {value}"},
    "card_people": {JA: "人数: {value}人", EN: "People: {value}"},
    "card_answer": {JA: "回答: {value}", EN: "Answer: {value}"},
    "card_note": {JA: "メモ: {value}", EN: "Note: {value}"},
    "button_save": {JA: "✅ 保存する", EN: "✅ Save"},
    "button_note": {JA: "メモを追加", EN: "Add a note"},
    "button_no_note": {JA: "メモなし", EN: "No note"},
    "button_skip": {JA: "なし（スキップ）", EN: "None (skip)"},
    "button_household": {JA: "世帯コード", EN: "Household code"},
    "button_new_household": {JA: "新しいコードを発行", EN: "Issue a new code"},
    "button_date": {JA: "日付を変更", EN: "Change date"},
    "button_count": {JA: "件数を変更", EN: "Change count"},
    "button_cancel": {JA: "中止", EN: "Cancel"},
    "button_today": {JA: "今日", EN: "Today"},
    "button_yesterday": {JA: "昨日", EN: "Yesterday"},
    "button_prev": {JA: "◀ 前へ", EN: "◀ Back"},
    "button_next": {JA: "次へ ▶", EN: "Next ▶"},
    "button_resume": {JA: "続ける", EN: "Continue"},
    "button_restart": {JA: "新しく始める", EN: "Start over"},
    "saved": {
        JA: "保存しました（No.{id}）。\n{goal} {indicator} +{added} → 今年度 {total}（{scope}）",
        EN: "Saved (No.{id}).\n{goal} {indicator} +{added} → this year {total} ({scope})",
    },
    "saved_not_counted": {
        JA: "保存しました（No.{id}）。\n{goal} {indicator}: 今年度 {total}（{scope}）。この記録で数は変わりません。",
        EN: "Saved (No.{id}).\n{goal} {indicator}: this year {total} ({scope}). This entry does not change it.",
    },
    "already_saved": {JA: "この記録は保存済みです（No.{id}）。", EN: "This entry is already saved (No.{id})."},
    "cancelled": {JA: "入力を中止しました。", EN: "Stopped. Nothing was saved."},
    "nothing_to_cancel": {JA: "中止する入力はありません。", EN: "There is nothing to cancel."},
    "draft_pending": {
        JA: "入力途中の記録があります（{kind}）。続けますか？",
        EN: "You have an unfinished entry ({kind}). Continue it?",
    },
    "no_previous": {
        JA: "前回の記録がありません。「記録する」から始めてください。",
        EN: "No previous entry yet. Use Log.",
    },
    "use_buttons": {JA: "ボタンから選んでください。", EN: "Please choose one of the buttons."},
    "text_only": {
        JA: "文字かボタンで答えてください（写真やファイルは保存しません）。",
        EN: "Please answer with text or a button.",
    },
    "too_long": {JA: "長すぎます（{max}文字まで）。", EN: "That is too long (up to {max} characters)."},
    "expired": {
        JA: "このメニューは期限切れです。もう一度はじめからどうぞ。",
        EN: "This menu has expired. Please start again.",
    },
    "other_step_button": {
        JA: "入力はまだ続いています。このボタンは前の段階のものです。いちばん新しいメッセージのボタンを使ってください。",
        EN: "Your entry is still open; this button is from an earlier step. Please use the newest message's buttons.",
    },
    "invalid_choice": {
        JA: "その選択は使えません。もう一度選んでください。",
        EN: "That choice is not available. Please choose again.",
    },
    "error": {
        JA: "申し訳ありません。処理中に問題が起きました。少し待ってからもう一度お試しください。",
        EN: "Sorry, something went wrong. Please try again in a moment.",
    },
    # Corrections
    "mine_header": {JA: "最近の記録（新しい順）:", EN: "Your recent entries (newest first):"},
    "mine_empty": {JA: "記録はまだありません。", EN: "You have no entries yet."},
    "mine_line": {JA: "No.{id} {date} {kind}{detail}", EN: "No.{id} {date} {kind}{detail}"},
    "button_void": {JA: "取消 No.{id}", EN: "Void No.{id}"},
    "button_fix": {JA: "修正 No.{id}", EN: "Correct No.{id}"},
    "button_plan": {JA: "予定 No.{id}", EN: "Plan No.{id}"},
    "ask_reason": {
        JA: "No.{id} を{action}理由を入力するか選んでください。",
        EN: "Why {action} No.{id}? Type or choose a reason.",
    },
    "action_void": {JA: "取り消す", EN: "void"},
    "action_fix": {JA: "修正する", EN: "correct"},
    "reason_duplicate": {JA: "二重登録", EN: "Duplicate"},
    "reason_mistake": {JA: "入力誤り", EN: "Wrong entry"},
    "voided": {JA: "No.{id} を取り消しました。", EN: "No.{id} is void."},
    # issue 18: what /undo and a void did to the year's figure; a correction that lowered it; 「メモを変更」
    "undone_correction": {
        JA: "修正 No.{new} を取り消し、元の No.{old} を戻しました。",
        EN: "Correction No.{new} is undone; the original No.{old} counts again.",
    },
    "figure_moved": {
        JA: "{goal} {indicator} {delta} → 今年度 {total}（{scope}）",
        EN: "{goal} {indicator} {delta} → this year {total} ({scope})",
    },
    "figure_same": {
        JA: "{goal} {indicator}: 今年度 {total}（{scope}）。数は変わりません。",
        EN: "{goal} {indicator}: this year {total} ({scope}). The figure does not change.",
    },
    "saved_down": {
        JA: "保存しました（No.{id}）。\n{goal} {indicator} −{removed} → 今年度 {total}（{scope}）",
        EN: "Saved (No.{id}).\n{goal} {indicator} −{removed} → this year {total} ({scope})",
    },
    "button_note_change": {JA: "メモを変更", EN: "Change the note"},
    "corrected": {JA: "No.{old} を No.{new} に修正しました。", EN: "No.{old} was corrected as No.{new}."},
    "undo_nothing": {
        JA: "{minutes}分以内に取り消せる記録はありません。「自分の記録」から取り消してください。",
        EN: "No entry from the last {minutes} minutes. Use My entries to void older ones.",
    },
    "event_locked": {
        JA: "No.{id} は{month}の記録で、締め切り済みのため変更できません。再開は市の管理者にご依頼ください。",
        EN: "No.{id} is in {month}, which is closed. Ask a city admin to reopen it.",
    },
    "event_gone": {JA: "No.{id} は取消済みか、見つかりません。", EN: "No.{id} is already void or cannot be found."},
    "event_not_yours": {JA: "No.{id} はあなたの担当範囲の記録ではありません。", EN: "No.{id} is outside your scope."},
    "no_ward": {
        JA: "区が設定されていないため記録できません。管理者に区の設定を依頼してください。",
        EN: "No ward is set for you, so you cannot log entries. Ask an administrator.",
    },
    "void_usage": {JA: "使い方: /void 記録番号", EN: "Usage: /void ENTRY_NUMBER"},
}
