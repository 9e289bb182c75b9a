"""出張申請受付の段取り: the plan of an outreach application day at a facility, counted back from its date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import List, Optional, Tuple

from bot.shared.guides.flow import Flow, Values
from bot.shared.guides.parsing import UNKNOWN, Option, Question, date_of, parse_yesno, yesno
from bot.shared.guides.result import Part, Result, Section, fact, format_date, line, say

DEMENTIA = yesno("outreach_dementia", ("いる", r"いる|います|おる|何人か|数人|多い|おおい|半分|ほとんど|全員|みんな"),
                 ("いない", r"いない|いません|おらん|おらへん"))
# residents whose wishes are hard to confirm, named by what makes it hard (the question names 認知症 only as an example)
HARD_TO_CONFIRM = re.compile(r"理解が(?:難し|むずかし|でき)|意思(?:の)?確認が(?:難し|むずかし|でき)|意思疎通が(?:難し|むずかし|でき)"
                             r"|判断(?:能力)?が(?:難し|むずかし|乏し|でき)|説明(?:の理解)?が(?:難し|むずかし)|知的障が?い|知的障害|発達障害"
                             r"|精神障害")
DENIED_AT_THE_END = re.compile(r"(?:いない|いません|おらん|おらへん|ない|ません|おりません)(?:が|けど|けれど|けれども)?[。!！\s]*$")


def hard_to_confirm(text: str) -> Optional[str]:
    """「認知症の方はいませんが、知的障害で説明の理解が難しい方が2名います」 (fourteenth trial: 「いない」, then the correction
    was not applied): a clause naming what makes wishes hard to confirm, not denied at its end, is yes; else as any
    yes/no answer."""
    for match in HARD_TO_CONFIRM.finditer(text):
        clause = re.split(r"[。!！?？\n]|(?:が|けど|けれど)[、,]", text[match.start():])[0]
        if not DENIED_AT_THE_END.search(clause):
            return "yes"
    return parse_yesno(DEMENTIA, text)


QUESTIONS = (
    Question("outreach_date", "date", (Option("next_month", "来月"), Option(UNKNOWN, "まだ決まっていない")), strong=True,
             hint="実施日を「12月15日」「来月のなかごろ」「2026-12-15」のように入力してください。決まっていなければ「未定」と入力してください。"),
    yesno("outreach_others", ("いる", r"いる|います|おる|おります|いては|いらっしゃ|何人か|数人|多い|半分"),
          ("いない", r"いない|いません|いなかった|いませんでした|おらん|おらへん|おりません|いてへん|いーひん"
                     r"|(全員|みんな|皆)[^。、]{0,4}(市内|町内|村内|区内)|(市内|町内|村内|区内)(の方|の人)?(だけ|のみ)")),
    replace(DEMENTIA, parser=lambda text, today: hard_to_confirm(text)),
)


def slots_for(v: Values) -> List[str]:
    return ["outreach_date", "outreach_others", "outreach_dementia"]


E_OUT, E_PREP, E_DAY = "outreach_facility", "outreach_facility_preparation", "outreach_facility_day_of"


def planned_date(value: object, today: dt.date) -> Tuple[Optional[dt.date], str]:
    """(the day to count back from, how exact: "day" | "about" | "month") from the slot value; a
    month alone counts from its middle, the 15th (or today, when that has passed); (None, "") when 未定."""
    day, exact = date_of(value)
    if day and exact == "month":
        day = max(day, today)
    return day, exact


def timeline(day: dt.date) -> List[Tuple[str, dt.date]]:
    """The manual's example schedule counted back from the planned day: notice, meeting — a weekend day or one of the
    year-end holidays moved to the working day before (offices are closed; a new user was offered a Saturday meeting,
    another one on 31 December)."""
    return [(label, weekday_before(day - dt.timedelta(days=days))) for label, days in (("約30日前", 30), ("約20日前", 20))]


def weekday_before(day: dt.date) -> dt.date:
    """`day`, or the working day before it when it falls on a Saturday, a Sunday or 29 December – 3 January."""
    while day.weekday() >= 5 or (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        day -= dt.timedelta(days=1)
    return day


WEEKEND = ("土曜日", "日曜日")
MEETING = "打合せ（実施日と人数、市区町村外の在住者の有無、役割分担、家族への説明、当日のタイムスケジュール等）"
PARTS = ("段取りと、まず今週すること", "打合せから前日まで", "当日")


def render_outreach(v: Values, today: dt.date) -> Result:
    """The plan in three parts, one message each (the next one on 「続き」): this week — the
    schedule counted back and what to do now —, the meeting to the day before, the day itself."""
    day, exact = planned_date(v.get("outreach_date"), today)
    others, dementia = v.get("outreach_others"), v.get("outreach_dementia")

    plan = Section("段取りの目安（実施日から逆算）")
    if day:
        if exact == "month":
            label = f"{day.year}年{day.month}月（日にちが未定なので、{format_date(day)}として計算しました）"
        elif exact == "about":
            label = f"{format_date(day)}ごろ（日にちがはっきりしないので、この日として計算しました）"
        else:
            label = format_date(day)
        plan.lines.append(say(f"実施日：{label}", "・"))
        (notice_label, notice), (meeting_label, meeting) = timeline(day)
        late = "（目安の時期を過ぎています）"
        plan.lines.append(line(Part(f"{notice_label}（{format_date(notice)}ごろ）{late if notice < today else ''}："),
                               Part("市区町村からの案内、またはHP・広報誌の周知", E_OUT), bullet="1. "))
        plan.lines.append(line(Part(f"{meeting_label}（{format_date(meeting)}ごろ）{late if meeting < today else ''}："),
                               Part("打合せ", E_OUT), bullet="2. "))
        plan.lines.append(line(Part(f"打合せ後〜{format_date(day - dt.timedelta(days=1))}："),
                               Part("施設内の周知、本人確認書類の準備、申請者名簿の作成・提出", E_OUT), bullet="3. "))
        plan.lines.append(line(Part(f"{format_date(day)}："), Part("当日"), bullet="4. "))
        if exact != "month" and day.weekday() >= 5:
            plan.lines.append(say(f"実施日が{WEEKEND[day.weekday() - 5]}です。市区町村の職員が来られる日か、早めに市区町村にご確認ください。", "※"))
        if exact != "day":
            plan.lines.append(say("日にちが決まったら「最初から」で入れ直すと、目安の日付が正確になります。", "※"))
        if exact != "month" and (day - today).days < 30:
            about = "約" if exact == "about" else ""
            plan.lines.append(say(f"実施日まで{about}{(day - today).days}日です。案内の目安（約30日前）より短いので、早めに市区町村にご相談ください。", "※"))
    else:
        plan.lines.append(say("実施日が決まっていないので、目安だけお示しします。", "・"))
        plan.lines.append(line(Part("実施日の約30日前："), Part("市区町村からの案内、またはHP・広報誌の周知", E_OUT), bullet="1. "))
        plan.lines.append(line(Part("実施日の約20日前："), Part("打合せ", E_OUT), bullet="2. "))
        plan.lines.append(line(Part("当日まで："), Part("施設内の周知、本人確認書類の準備、申請者名簿の作成・提出", E_OUT), bullet="3. "))
    now = Section("まず今週すること")
    now.lines.append(fact(E_OUT, "実施状況は市区町村で異なるため、まずはお近くの市区町村にお問い合わせください。"))
    if others in ("yes", UNKNOWN):
        now.lines.append(fact(E_DAY, "市区町村外に住民票がある方がいる場合は、その方も含めてできるか、事前に市区町村にご相談ください。"))
    now.lines.append(fact(E_PREP, "申請者名簿を市区町村に事前に出すと、氏名・住所等を書いた交付申請書を準備してもらえ、当日がスムーズです。"))

    meeting_day = timeline(day)[1][1] if day else None   # the same day as in the schedule (a weekend moved)
    meeting_s = Section("打合せ" + ("（実施日の約20日前）" if meeting_day is None
                                   else "（目安の時期を過ぎています。早めに）" if meeting_day < today
                                   else f"（{format_date(meeting_day)}ごろ）"))
    meeting_s.lines.append(fact(E_OUT, MEETING))
    meeting_s.lines.append(fact(E_PREP, "物品は基本的に市区町村が持参します。"))
    meeting_s.lines.append(fact(E_PREP, "机・椅子や電源（物品の例の備考「電源の借用が必要」）を施設から借りることがあります。"))
    meeting_s.lines.append(fact(E_PREP, "打合せでご確認ください。"))
    docs = Section("申請する方ごとに用意する書類（例）")
    for item in ("交付申請書", "暗証番号設定依頼書", "顔写真（当日に写真撮影サービスがあれば不要）", "本人確認書類",
                 "通知カード（紛失の場合は通知カード紛失届を作成）", "住基カード（お持ちの方のみ）",
                 "健康保険証利用の申込みに関する同意書（顔認証マイナンバーカード申請者のみ）"):
        docs.lines.append(fact(E_PREP, item, "□ "))
    docs.lines.append(fact(E_OUT, "顔認証マイナンバーカードの希望者は「いずれの暗証番号も設定しない」を選びます。"))

    on_day = Section("当日" + (f"（{format_date(day)}）" if day else ""))
    on_day.lines.append(fact(E_DAY, "施設の方に、申請者の介助をお願いする場合があります。"))
    on_day.lines.append(fact(E_DAY, "当日に追加の申請希望者が来た場合や、予定していた方の受付ができなかった場合の対応は、市区町村にご相談ください。"))
    on_day.lines.append(fact(E_DAY, "本人確認書類が不備の場合などは、申請書の記入補助や写真撮影のみの出張申請サポートとなり、後日、本人確認書類を持って来庁して受け取る必要があります（来庁が難しい方は代理交付も使えます）。"))
    if dementia in ("yes", UNKNOWN):
        on_day.lines.append(fact(E_OUT, "認知症の方等は意思を丁寧に確認し、説明日時・申請日・交付日を記録します。意思確認ができない場合は資格確認書で資格確認ができます。"))
    contact = Section("問い合わせ先")
    contact.lines.append(fact(E_OUT, "実施状況は市区町村で異なるため、まずはお近くの市区町村にお問い合わせください。"))
    return Result("outreach", [[plan, now], [meeting_s, docs], [on_day, contact]], related=[E_PREP, E_DAY],
                  parts=list(PARTS))


FLOW = Flow(
    "outreach", "出張申請受付の段取り", QUESTIONS, slots_for,
    "施設での出張申請受付（市区町村職員が施設に来て申請を受け付ける）の段取りを、実施日から逆算して作ります。",
    render_outreach,
    button_title="出張申請の段取りを作る",
    intents=("outreach_facility",),
)
