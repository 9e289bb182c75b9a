"""Guided checks: step-by-step help that fits the person being helped (plain Python, no Rasa).

Six flows — 代理交付, 写真, 紛失, 暗証番号, 顔認証マイナンバーカード, 出張申請受付 — each a few
questions (one Rasa slot each). `extract` turns a typed answer or a button payload into values,
`next_slot` says which question still matters, `render` builds the result.

Every fact in a result is a verbatim piece of a knowledge entry's answer, cited with that entry
(`Part(text, entry_id)`); the guide's own words (headings, verdicts, connectives) have no entry.
Slots hold only canonical values ("facility", "75plus", "2026-12-15"), never the typed text.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from bot.shared.answers import entry_buttons
from bot.shared.knowledge import KnowledgeBase

UNKNOWN = "unknown"
WEEKDAYS = "月火水木金土日"

# ---------------------------------------------------------------------------------------------
# Questions and answer parsing
# ---------------------------------------------------------------------------------------------

UNKNOWN_RE = (
    r"わから|分から|判ら|わかりません|不明|知らな|しらな|覚えて(い)?な|未定|決まって(い)?な|"
    r"決めて(い)?な|どちらとも|どっちとも|かも|たぶん|多分|さあ"
)
NO_RE = r"いいえ|いえ|いや|ううん|ない|ありません|いません|無い|無し|なし|違う|ちがう|^no$|^ノー$"
YES_RE = r"はい|うん|ええ|そう|ある|あり|いる|います|yes|^ok|オッケー|おっけー"
STOP_RE = r"やめ(る|ます|たい|て|とく|ておく|よう)|止め(る|ます|たい)|中止|中断|キャンセル|もういい|もう結構|終了|おわり|終わり"
RESTART_RE = r"最初から|はじめから|初めから|やり直|やりなお|リセット"


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass(frozen=True)
class Option:
    value: str
    title: str          # button title; the button sends the same text, so typing it works too
    pattern: str = ""   # regex searched in the normalized answer (the title always matches)

    def matches(self, text: str) -> bool:
        return normalize(self.title) == text or bool(self.pattern and re.search(self.pattern, text, re.I))


@dataclass(frozen=True)
class Question:
    slot: str
    kind: str                        # choice | yesno | multi | age | date | cards
    options: Tuple[Option, ...] = ()
    strong: bool = False             # may be filled from an answer to another question
    hint: str = "下のボタンから選んでください（「わからない」も選べます）。"


def yesno(slot: str, yes: Tuple[str, str], no: Tuple[str, str], hint: str = "") -> Question:
    """A yes / no / わからない question; yes and no are (title, extra regex)."""
    return Question(
        slot, "yesno",
        (Option("yes", yes[0], yes[1]), Option("no", no[0], no[1]), Option(UNKNOWN, "わからない")),
        hint=hint or "「はい」「いいえ」「わからない」で答えてください。",
    )


def parse_yesno(question: Question, text: str) -> Optional[str]:
    """わからない first, then a negation, then the question's own words, then a plain はい."""
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    yes, no, _ = question.options
    if no.matches(text) or re.search(NO_RE, text, re.I):
        return "no"
    if yes.matches(text) or re.search(YES_RE, text, re.I):
        return "yes"
    return None


def parse_choice(question: Question, text: str) -> Optional[str]:
    """The first option that matches (options are ordered from the most specific)."""
    for option in question.options:
        if option.value != UNKNOWN and option.matches(text):
            return option.value
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def parse_multi(question: Question, text: str) -> Optional[List[str]]:
    """Every option that matches, in option order; ["unknown"] for わからない."""
    found = [o.value for o in question.options if o.value != UNKNOWN and o.matches(text)]
    if found:
        return found
    if re.search(UNKNOWN_RE, text):
        return [UNKNOWN]
    return None


KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def kanji_number(text: str) -> Optional[int]:
    """九十二 → 92, 百二 → 102 (enough for ages)."""
    total, current = 0, 0
    for char in text:
        if char in KANJI_DIGITS:
            current = KANJI_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def parse_age(text: str) -> Optional[str]:
    """「92歳です」「九十二歳」「80代」「75歳以上」 → 75plus / under75; わからない → unknown."""
    if re.search(r"75\s*(歳|才)?\s*(以上|超)|後期高齢", text):
        return "75plus"
    if re.search(r"75\s*(歳|才)?\s*(未満|より(下|若)|以下)", text):
        return "under75"
    match = re.search(r"(\d{1,3})\s*(歳|才|さい)", text) or re.fullmatch(r"(\d{1,3})", text)
    if not match:
        kanji = re.search(r"([〇一二三四五六七八九十百]+)\s*(歳|才)", text)
        age = kanji_number(kanji.group(1)) if kanji else None
    else:
        age = int(match.group(1))
    if age is not None and 0 <= age < 130:
        return "75plus" if age >= 75 else "under75"
    decade = re.search(r"(\d)0\s*(代|台)", text)
    if decade:
        if int(decade.group(1)) >= 8:
            return "75plus"
        if int(decade.group(1)) <= 6:
            return "under75"
        return None  # 70代: could be either side of 75
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    return None


RECENT_PAST_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, today: dt.date) -> Optional[str]:
    """A planned date → "2026-12-15"; a month only (「来月」「1月」) → "2026-12"; 未定 → unknown.

    Understands 2026-12-15, 2026/12/15, 2026年12月15日, 令和8年12月15日, 12月15日, 12/15,
    来月15日, 今月20日, 15日, 来月, 再来月, 3週間後, 2か月後. A date without a year is the next
    one, unless it passed within the last two months: that is returned as is, a past date the
    caller rejects (more likely a slip than a plan for next year).
    """
    text = normalize(text).replace(" ", "")
    era = re.search(r"令和(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日?", text)
    if era:
        year = 2018 + (1 if era.group(1) == "元" else int(era.group(1)))
        found = _safe_date(year, int(era.group(2)), int(era.group(3)))
        return found.isoformat() if found else None
    full = re.search(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})", text)
    if full:
        found = _safe_date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        return found.isoformat() if found else None
    relative = re.search(r"(来月|今月|再来月)の?(\d{1,2})日", text)
    if relative:
        months = {"今月": 0, "来月": 1, "再来月": 2}[relative.group(1)]
        base = add_months(today.replace(day=1), months)
        found = _safe_date(base.year, base.month, int(relative.group(2)))
        return found.isoformat() if found else None
    month_day = re.search(r"(\d{1,2})(?:月|/)(\d{1,2})", text)
    if month_day:
        month, day = int(month_day.group(1)), int(month_day.group(2))
        found = _safe_date(today.year, month, day)
        if found and (today - found).days > RECENT_PAST_DAYS:
            found = _safe_date(today.year + 1, month, day)
        return found.isoformat() if found else None
    after = re.search(r"(\d{1,3})(日|週間|か月|ヶ月|カ月|ケ月|ヵ月)後", text)
    if after:
        n, unit = int(after.group(1)), after.group(2)
        if unit == "日":
            return (today + dt.timedelta(days=n)).isoformat()
        if unit == "週間":
            return (today + dt.timedelta(weeks=n)).isoformat()
        return add_months(today, n).isoformat()
    for word, months in (("再来月", 2), ("来月", 1)):
        if word in text:
            return add_months(today.replace(day=1), months).strftime("%Y-%m")
    month_only = re.search(r"(\d{1,2})月", text)
    if month_only and 1 <= int(month_only.group(1)) <= 12:
        month = int(month_only.group(1))
        year = today.year if month >= today.month else today.year + 1
        return f"{year}-{month:02d}"
    day_only = re.search(r"(\d{1,2})日", text)
    if day_only:
        found = _safe_date(today.year, today.month, int(day_only.group(1)))
        if found and found < today:
            base = add_months(today.replace(day=1), 1)
            found = _safe_date(base.year, base.month, int(day_only.group(1)))
        return found.isoformat() if found else None
    if re.search(UNKNOWN_RE, text):
        return UNKNOWN
    return None


def parse_cards(text: str) -> Optional[List[str]]:
    """通知カード / 住基カード: ["notice"], ["notice_lost"], ["notice", "juki"], ["unknown"]."""
    if re.search(UNKNOWN_RE, text):
        return [UNKNOWN]
    if re.search(r"(どちらも|どっちも|両方)(とも)?(ない|無い|なし|ありません|持って(い)?ない|なくし)", text):
        return ["notice_lost"]
    if re.search(r"(どちらも|どっちも|両方)(とも)?(ある|あり|持って)", text):
        return ["notice", "juki"]
    found = []
    if "通知" in text:
        lost = re.search(r"通知カード?[^、。,]{0,8}(なく|無く|失く|紛失|見当たら|ない|ありません|持って(い)?ない|なし)", text)
        found.append("notice_lost" if lost else "notice")
    if re.search(r"住基|住民基本台帳", text):
        if not re.search(r"(住基|住民基本台帳)カード?[^、。,]{0,8}(ない|無い|なし|ありません|持って(い)?ない)", text):
            found.append("juki")
    return found or None


def parse_answer(question: Question, text: str, today: dt.date) -> Optional[object]:
    """The canonical value of `text` as an answer to `question`, or None if it is unclear."""
    text = normalize(text)
    if not text:
        return None
    if question.kind == "yesno":
        return parse_yesno(question, text)
    if question.kind == "choice":
        return parse_choice(question, text)
    if question.kind == "multi":
        return parse_multi(question, text)
    if question.kind == "age":
        return parse_age(text)
    if question.kind == "date":
        return parse_date(text, today)
    if question.kind == "cards":
        return parse_cards(text)
    raise ValueError(question.kind)


def command_in(text: str) -> Optional[str]:
    """「やめる」 → stop, 「最初から」 → restart, in a short message only."""
    text = normalize(text)
    if len(text) > 15:
        return None
    if re.search(RESTART_RE, text):
        return "restart"
    if re.search(STOP_RE, text):
        return "stop"
    return None


# ---------------------------------------------------------------------------------------------
# The six flows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    name: str                                   # proxy, photo, lost, pin, face_auth, outreach
    title: str                                  # 代理交付チェック …
    questions: Tuple[Question, ...]
    slots_for: Callable[[Dict[str, object]], List[str]]  # the questions that matter, in order
    intro: str

    @property
    def form(self) -> str:
        return f"{self.name}_form"

    @property
    def slots(self) -> List[str]:
        return [q.slot for q in self.questions]

    def question(self, slot: str) -> Question:
        return next(q for q in self.questions if q.slot == slot)


PROXY_REASON = Question("proxy_reason", "choice", (
    Option("facility", "施設に入所している", r"施設|入所|入居|ホーム|老健|特養"),
    Option("care", "要介護・要支援の認定がある", r"要介護|要支援|介護認定|介護度"),
    Option("disability", "障害がある", r"障害|障がい|障碍|手帳"),
    Option("hospital", "入院中・病気", r"入院|病気|病院|療養|闘病|治療中"),
    Option("elderly", "75歳以上", r"75\s*(歳|才)?\s*以上|後期高齢|高齢"),
    Option("guardianship", "成年後見（被後見人・被保佐人・被補助人）", r"後見|保佐|被補助|補助人"),
    Option("child", "子ども・学生（中学生以下、高校生・高専生）",
           r"中学生|小学生|未就学|幼児|乳児|赤ちゃん|園児|保育園|幼稚園|高校|高専|学生"),
    Option("pregnant", "妊婦", r"妊婦|妊娠|妊産婦"),
    Option("travel", "長期出張・船員・海外留学", r"出張|船員|航行|留学|海外"),
    Option("withdrawal", "長く家から出られない（ひきこもり等）", r"ひきこもり|引きこもり|引き籠|家から出られ"),
    Option("other", "どれにも当てはまらない", r"その他|どれも|当てはまらない|あてはまらない|それ以外"),
    Option(UNKNOWN, "わからない"),
), strong=True, hint="いちばん近いものを下のボタンから選んでください（「わからない」も選べます）。")

PROXY = Flow(
    "proxy", "代理交付チェック",
    (
        PROXY_REASON,
        Question("proxy_age", "age", (Option("75plus", "75歳以上"), Option("under75", "75歳未満"),
                                      Option(UNKNOWN, "わからない")),
                 strong=True, hint="年齢を数字で（例：「82歳」）、または「75歳以上」「75歳未満」「わからない」で教えてください。"),
        yesno("proxy_facility", ("入所している", r"入所|入居|施設|ホーム|老健|特養"),
              ("入所していない", r"自宅|在宅|家で|家族と")),
        yesno("proxy_photo_id", ("ある", r"持って|免許|パスポート"), ("ない", r"持って(い)?ない")),
        Question("proxy_agent", "choice", (
            Option("staff", "施設の職員・支援者", r"職員|スタッフ|ケアマネ|支援者|ヘルパー|相談員|施設"),
            Option("family", "家族・親族", r"家族|親族|息子|娘|妻|夫|嫁|婿|孫|兄|姉|弟|妹|父|母|親"),
            Option("other", "知人など", r"知人|友人|近所|知り合い|その他"),
            Option("undecided", "まだ決めていない", r"決めて(い)?ない|決まって(い)?ない|未定|まだ"),
            Option(UNKNOWN, "わからない"),
        )),
        Question("proxy_cards", "cards", (
            Option("notice", "通知カードがある"),
            Option("notice_juki", "通知カードと住基カードがある"),
            Option("notice_lost", "通知カードをなくした"),
            Option(UNKNOWN, "わからない"),
        )),
    ),
    lambda v: _proxy_slots(v),
    "代理人がカードを受け取れるか（代理交付）と、持っていく書類を確認します。",
)


def _proxy_slots(v: Dict[str, object]) -> List[str]:
    reason = v.get("proxy_reason")
    slots = ["proxy_reason"]
    if reason not in ("child", "pregnant", "travel"):
        slots.append("proxy_age")
    if reason not in ("facility", "child", "pregnant", "travel"):
        slots.append("proxy_facility")
    return slots + ["proxy_photo_id", "proxy_agent", "proxy_cards"]


PHOTO = Flow(
    "photo", "写真チェック",
    (
        Question("photo_items", "multi", (
            Option("bed", "ベッド・布団・枕・シーツ", r"ベッド|べっど|布団|ふとん|枕|まくら|シーツ|寝たきり|寝たまま|横にな|寝てい"),
            Option("wheelchair", "車椅子", r"車椅子|車いす|くるまいす|車イス"),
            Option("tube", "チューブ・ペースメーカー", r"チューブ|酸素|カニューレ|ペースメーカー|鼻の管|胃ろう"),
            Option("eyepatch", "眼帯・ガーゼ・絆創膏", r"眼帯|ガーゼ|絆創膏|ばんそうこう|バンソウコウ"),
            Option("sunglasses", "サングラス（障害のため日常的に）", r"サングラス|遮光"),
            Option("hat", "帽子", r"帽子|ぼうし|ニット帽|キャップ|頭巾|バンダナ"),
            Option("distortion", "顔の歪み・麻痺", r"歪|ゆが|麻痺|まひ|マヒ"),
            Option("gaze", "視線が定まらない・正面を向けない", r"視線|目線|正面を向け|前を向け|横を向|顔が傾"),
            Option("other", "その他", r"その他|それ以外"),
            Option(UNKNOWN, "わからない"),
        ), strong=True, hint="写っているものを下のボタンから選ぶか、「枕とチューブ」のように入力してください。"),
        Question("photo_hat_reason", "choice", (
            Option("medical", "医療上の理由（治療・けがなど）", r"医療|治療|病気|けが|怪我|ケガ|手術|傷|脱毛|障害|保護"),
            Option("not_medical", "おしゃれ・寒さなど", r"おしゃれ|オシャレ|寒|好み|髪|いつも|普段|趣味"),
            Option(UNKNOWN, "わからない"),
        )),
        Question("photo_route", "choice", (
            Option("online", "オンライン（スマホ・パソコン）", r"オンライン|スマホ|スマートフォン|パソコン|PC|ネット|ウェブ|WEB|QR|タブレット"),
            Option("mail", "郵送", r"郵送|郵便|ポスト|封筒|紙"),
            Option("booth", "証明写真機", r"写真機|写真ボックス|スピード写真"),
            Option("window", "市区町村の窓口", r"窓口|役所|役場|来庁|庁舎"),
            Option("undecided", "まだ決めていない", r"決めて(い)?ない|決まって(い)?ない|未定|まだ"),
            Option(UNKNOWN, "わからない"),
        )),
    ),
    lambda v: ["photo_items"] + (["photo_hat_reason"] if "hat" in (v.get("photo_items") or []) else [])
    + ["photo_route"],
    "無帽・正面・無背景で撮れない写真が使えるか、申請の方法ごとに何をすればよいかを確認します。",
)

LOST = Flow(
    "lost", "紛失チェック",
    (
        Question("lost_item", "choice", (
            Option("both", "カードとスマホの両方", r"両方|どちらも|カードとスマ|スマホとカード|カードもスマ|スマホもカード"),
            Option("smartphone", "スマホ（スマホ用電子証明書入り）", r"スマホ|スマートフォン|携帯|ケータイ|アンドロイド|Android"),
            Option("card", "マイナンバーカード", r"カード"),
            Option(UNKNOWN, "わからない"),
        ), strong=True),
        Question("lost_phone", "choice", (
            Option("ip", "電話がつながらない（IP電話など）", r"つながらない|繋がらない|IP|050|ひかり電話|光電話"),
            Option("fax", "電話が難しい（聴覚の障がいなど）",
                   r"難しい|むずかしい|できない|出来ない|無理|聞こえ|耳|聴覚|言語|話せない|FAX|ファックス|ファクス|いいえ"),
            Option("phone", "電話できる", r"できる|できます|出来る|かけられる|大丈夫|はい|うん|OK"),
            Option(UNKNOWN, "わからない"),
        )),
    ),
    lambda v: ["lost_item", "lost_phone"],
    "いまするべきことを、順番に案内します。",
)

PIN = Flow(
    "pin", "暗証番号チェック",
    (
        Question("pin_goal", "choice", (
            Option("doctor", "病院・薬局で受診したい", r"病院|薬局|受診|診察|通院|医療|保険証|薬"),
            Option("etax", "e-Taxなどの電子申請", r"e-?Tax|イータックス|確定申告|電子申請|税"),
            Option("portal", "マイナポータル・コンビニ交付", r"ポータル|コンビニ|住民票|証明書の?交付"),
            Option("reset", "再設定だけしたい", r"再設定|初期化|リセット|解除|ロックを|直したい"),
            Option(UNKNOWN, "わからない"),
        ), strong=True),
        Question("pin_kind", "choice", (
            Option("both", "両方", r"両方|どちらも|全部"),
            Option("riyosha", "4桁の数字（受診・マイナポータル・コンビニ）", r"(?<!1)4桁|四桁|4ケタ|数字4|利用者証明"),
            Option("shomei", "6〜16桁の英数字（e-Taxなど）", r"6〜16|6~16|6桁|英数字|署名"),
            Option(UNKNOWN, "わからない"),
        )),
        Question("pin_who", "choice", (
            Option("proxy", "家族・職員が代わりに動く", r"代わり|代理|家族|職員|施設|行けない|行かれない|難しい|寝たきり|入院"),
            Option("self", "本人が市区町村に行ける", r"本人|自分|行ける|行けます"),
            Option(UNKNOWN, "わからない"),
        )),
    ),
    lambda v: ["pin_goal"] + (["pin_kind"] if v.get("pin_goal") in (None, "reset", UNKNOWN) else [])
    + ["pin_who"],
    "暗証番号を忘れた・ロックされたときに、どこで何をすればよいかを確認します。",
)

FACE_AUTH = Flow(
    "face_auth", "顔認証マイナンバーカードチェック",
    (
        Question("fa_card", "choice", (
            Option("new", "これから作る（新規）", r"これから|新規|新しく作|まだ持って(い)?ない|持って(い)?ない|初めて"),
            Option("existing", "もう持っている", r"持って(い)?る|お持ち|既に|すでに|もう|切り?替"),
            Option(UNKNOWN, "わからない"),
        ), strong=True),
        Question("fa_who", "choice", (
            Option("outreach", "出張申請受付で申請する", r"出張"),
            Option("proxy", "代理人が行く", r"代理|代わり|家族|職員"),
            Option("self", "本人が窓口に行く", r"本人|自分|行ける|行けます|窓口"),
            Option(UNKNOWN, "わからない"),
        )),
        Question("fa_cert", "choice", (
            Option("switch_only", "切替えだけ（電子証明書は発行済み）", r"だけ|のみ|発行済"),
            Option("with_cert", "電子証明書の発行・更新もする", r"更新|発行|期限"),
            Option(UNKNOWN, "わからない"),
        )),
        yesno("fa_hoken", ("登録済み", r"済|して(い)?る|してある|登録した|使って"), ("まだ", r"まだ|未登録")),
    ),
    lambda v: ["fa_card", "fa_who"]
    + (["fa_cert"] if v.get("fa_card") == "existing" and v.get("fa_who") == "proxy" else []) + ["fa_hoken"],
    "顔認証マイナンバーカード（暗証番号の設定が不要なカード）の手続と書類を確認します。",
)

OUTREACH = Flow(
    "outreach", "出張申請受付の段取り",
    (
        Question("outreach_date", "date", (Option("next_month", "来月"), Option(UNKNOWN, "まだ決まっていない")), strong=True,
                 hint="実施日を「12月15日」「2026-12-15」「来月」のように入力してください。決まっていなければ「未定」と入力してください。"),
        yesno("outreach_others", ("いる", r"いる|います"), ("いない", r"いない|いません")),
        yesno("outreach_dementia", ("いる", r"いる|います"), ("いない", r"いない|いません")),
    ),
    lambda v: ["outreach_date", "outreach_others", "outreach_dementia"],
    "施設での出張申請受付（市区町村職員が施設に来て申請を受け付ける）の段取りを、実施日から逆算して作ります。",
)

FLOWS: Dict[str, Flow] = {f.name: f for f in (PROXY, PHOTO, LOST, PIN, FACE_AUTH, OUTREACH)}
FLOW_BY_FORM: Dict[str, Flow] = {f.form: f for f in FLOWS.values()}

# knowledge intents whose answers offer the matching check
GUIDE_FOR_INTENT = {
    "proxy_pickup_eligibility": "proxy", "proxy_pickup_documents": "proxy", "proxy_pickup_who": "proxy",
    "proxy_pickup_relaxation": "proxy", "photo_exception": "photo", "lost_card": "lost",
    "pin_forgot": "pin", "face_auth_card_about": "face_auth", "face_auth_card_apply": "face_auth",
    "outreach_facility": "outreach",
}
CHECK_TITLE = {
    "proxy": "代理で受け取れるかチェック", "photo": "この写真が使えるかチェック",
    "lost": "いますることを順番に確認", "pin": "暗証番号の手続をチェック",
    "face_auth": "顔認証カードの手続をチェック", "outreach": "出張申請の段取りを作る",
}


def start_payload(name: str) -> str:
    return "/start_guide" + json.dumps({"guide": name}, ensure_ascii=False)


def check_button(name: str) -> Dict[str, str]:
    return {"title": CHECK_TITLE[name], "payload": start_payload(name)}


def menu_buttons() -> List[Dict[str, str]]:
    return [{"title": f.title, "payload": start_payload(f.name)} for f in FLOWS.values()]


def next_slot(flow: Flow, values: Dict[str, object]) -> Optional[str]:
    """The first question that matters and has no answer yet; None when the check is complete."""
    return next((s for s in flow.slots_for(values) if values.get(s) is None), None)


def extract(flow: Flow, text: str, requested: Optional[str], values: Dict[str, object],
            today: dt.date) -> Dict[str, object]:
    """Values found in `text`: the requested question, plus any unanswered question marked `strong`
    whose words are distinctive enough («92歳で施設にいる母» answers reason and age at once)."""
    found: Dict[str, object] = {}
    for question in flow.questions:
        if question.slot != requested and (not question.strong or values.get(question.slot) is not None):
            continue
        value = parse_answer(question, text, today)
        if value is None or (question.slot != requested and value in (UNKNOWN, [UNKNOWN])):
            continue
        if question.kind == "date" and is_past(value, today):
            continue  # a past date is no plan
        found[question.slot] = value
    if flow is PROXY:
        _age_and_reason(found, values)
    return found


def _age_and_reason(found: Dict[str, object], values: Dict[str, object]) -> None:
    """「92歳です」 answers the reason question (75歳以上); the 75歳以上 button answers the age too."""
    if (found.get("proxy_age") or values.get("proxy_age")) == "75plus" and not (
            found.get("proxy_reason") or values.get("proxy_reason")):
        found["proxy_reason"] = "elderly"


def is_past(value: object, today: dt.date) -> bool:
    """A date ("2026-11-01") or month ("2026-10") slot value before today."""
    return bool(value) and value != UNKNOWN and str(value) < today.isoformat()[: len(str(value))]


def describe(flow: Flow, found: Dict[str, object]) -> str:
    """「施設に入所している、75歳以上」: the values understood, in the buttons' words."""
    words = []
    for question in flow.questions:
        if question.slot not in found or found[question.slot] is None:
            continue
        value = found[question.slot]
        if question.kind == "date" and value != UNKNOWN:
            day, month_only = planned_date(value, dt.date.min)
            words.append(f"{day.year}年{day.month}月" if month_only else format_date(day))
            continue
        titles = {o.value: o.title for o in question.options}
        titles.update({"notice_lost": "通知カードをなくした", "juki": "住基カードがある", UNKNOWN: "わからない"})
        for v in value if isinstance(value, list) else [value]:
            if titles.get(v, str(v)) not in words:
                words.append(titles.get(v, str(v)))
    return "、".join(words)


def is_button_text(flow: Flow, text: str) -> bool:
    text = normalize(text)
    return any(normalize(o.title) == text for q in flow.questions for o in q.options)


def past_date_in(text: str, today: dt.date) -> bool:
    return is_past(parse_date(text, today), today)


# ---------------------------------------------------------------------------------------------
# Results: lines made of parts, each fact part a verbatim piece of a knowledge entry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    text: str
    entry: Optional[str] = None     # the knowledge entry the text is quoted from; None = guide's words


@dataclass
class Line:
    parts: List[Part]
    bullet: str = "・"

    def entries(self) -> List[str]:
        out: List[str] = []
        for part in self.parts:
            if part.entry and part.entry not in out:
                out.append(part.entry)
        return out


def fact(entry: str, text: str, bullet: str = "・") -> Line:
    return Line([Part(text, entry)], bullet)


def say(text: str, bullet: str = "") -> Line:
    return Line([Part(text)], bullet)


def line(*parts: Part, bullet: str = "・") -> Line:
    return Line(list(parts), bullet)


@dataclass
class Section:
    heading: str
    lines: List[Line] = field(default_factory=list)


@dataclass
class Result:
    flow: str
    messages: List[List[Section]]               # one list of sections per chat message
    related: List[str] = field(default_factory=list)            # entries offered as buttons
    buttons: List[Dict[str, str]] = field(default_factory=list)  # other buttons (another check)
    links: List[Dict[str, str]] = field(default_factory=list)

    def all_buttons(self, kb: KnowledgeBase) -> List[Dict[str, str]]:
        return entry_buttons(kb, self.related) + self.buttons + END_BUTTONS

    def lines(self) -> Iterable[Line]:
        for sections in self.messages:
            for section in sections:
                yield from section.lines


def format_date(day: dt.date) -> str:
    """2026年12月15日（火）"""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def render_messages(kb: KnowledgeBase, result: Result) -> List[dict]:
    """Chat messages (text, buttons, custom): each fact line ends with ［n］, and each message ends
    with its 出典 list, n numbering the distinct citations of the entries used in that message."""
    messages = []
    for index, sections in enumerate(result.messages):
        citations: List[str] = []
        entry_ids: List[str] = []
        out: List[str] = []
        for section in sections:
            if section.heading:
                out.append(f"【{section.heading}】")
            for ln in section.lines:
                marks = ""
                for entry_id in ln.entries():
                    if entry_id not in entry_ids:
                        entry_ids.append(entry_id)
                    citation = kb.citation(kb.by_id[entry_id]).replace("出典：", "", 1)
                    if citation not in citations:
                        citations.append(citation)
                    mark = f"［{citations.index(citation) + 1}］"
                    if mark not in marks:
                        marks += mark
                out.append(ln.bullet + "".join(p.text for p in ln.parts) + marks)
        if citations:
            out.append("出典：" + "".join(f"\n［{i + 1}］{c}" for i, c in enumerate(citations)))
        sources = [s for e in entry_ids for s in kb.sources_payload(kb.by_id[e])]
        last = index == len(result.messages) - 1
        messages.append({
            "text": "\n".join(out),
            "buttons": result.all_buttons(kb) if last else [],
            "custom": {"guide": result.flow, "entries": entry_ids, "sources": sources,
                       "links": result.links if last else []},
        })
    return messages


END_BUTTONS = [
    {"title": "最初からやり直す", "payload": "/restart_guide"},
    {"title": "ほかのチェック", "payload": "/start_guide"},
]


# --- 代理交付 ----------------------------------------------------------------------------------

PROXY_CATEGORY = {
    "facility": "施設入所者", "care": "要介護・要支援認定者", "disability": "障害のある方",
    "hospital": "長期入院者、病気の方", "elderly": "75歳以上の高齢者",
    "guardianship": "成年被後見人、被保佐人、被補助人", "pregnant": "妊婦",
    "travel": "長期（国内外）出張者、長期に航行する船員など、海外留学している方",
    "withdrawal": "社会的参加（就学・就労・家庭外での交遊など）を避け、長期にわたり概ね家庭にとどまり続けているなど、客観的に来庁が困難な方",
}
E_ELIG, E_DOCS, E_WHO, E_RELAX = (
    "proxy_pickup_eligibility", "proxy_pickup_documents", "proxy_pickup_who", "proxy_pickup_relaxation")


def render_proxy(v: Dict[str, object]) -> Result:
    reason, age = v.get("proxy_reason"), v.get("proxy_age")
    over75 = age == "75plus" or (reason == "elderly" and age is None)
    in_facility = "yes" if reason == "facility" else v.get("proxy_facility")
    photo_id = v.get("proxy_photo_id")
    cards = v.get("proxy_cards") or [UNKNOWN]
    use_photo_cert = in_facility == "yes" and photo_id != "yes"

    categories = []
    if reason == "child":
        categories = ["中学生、小学生、未就学児", "高校生・高専生"]
    elif reason in PROXY_CATEGORY and not (reason == "elderly" and age == "under75"):
        categories = [PROXY_CATEGORY[reason]]
    if over75 and "75歳以上の高齢者" not in categories:
        categories.append("75歳以上の高齢者")

    verdict = Section("代理で受け取れるか")
    if categories:
        verdict.lines.append(say("ご本人は、マニュアルで代理交付の対象と考えられる方に当てはまります。"))
        verdict.lines += [fact(E_ELIG, c, "　・") for c in categories]
    else:
        verdict.lines.append(say("お答えからは、マニュアルにある対象の例に当てはまるか判断できませんでした。"))
    verdict.lines.append(fact(E_ELIG, "病気や障害などやむを得ない理由で本人の来庁が困難と認められるときは、代理人が来庁してカードを受け取れます（代理交付）。"))
    verdict.lines.append(fact(E_ELIG, "該当するかどうかは、その市区町村にご確認ください。"))

    docs = Section("代理人が持っていく書類（チェックリスト）")
    docs.lines.append(fact(E_DOCS, "交付通知書（個人番号カード交付・電子証明書発行通知書 兼 照会書）", "□ "))
    if use_photo_cert:
        docs.lines.append(line(Part("交付申請者（本人）の本人確認書類", E_DOCS), Part("："), Part("施設長などが本人の顔写真を証明した「顔写真証明書」を本人確認書類として使えます。", E_RELAX), bullet="□ "))
    else:
        docs.lines.append(fact(E_DOCS, "交付申請者（本人）の本人確認書類", "□ "))
        if in_facility in ("no", None) and photo_id == "no":
            docs.lines.append(line(Part("　→ 使える書類の例："), Part("書類の具体例はマニュアルの資料編P19に示されています。", E_DOCS), bullet=""))
        elif photo_id != "yes":
            docs.lines.append(line(Part("　→ 施設に入所している場合："), Part("施設長などが本人の顔写真を証明した「顔写真証明書」を本人確認書類として使えます。その場合、疎明資料は不要です。", E_RELAX), bullet=""))
    if "notice" in cards or "notice_juki" in cards:
        docs.lines.append(fact(E_DOCS, "通知カード", "□ "))
    else:
        docs.lines.append(fact(E_DOCS, "通知カード（紛失の場合は「通知カード紛失届」を作成）", "□ "))
    if "juki" in cards or "notice_juki" in cards:
        docs.lines.append(fact(E_DOCS, "住民基本台帳カード", "□ "))
    elif UNKNOWN in cards:
        docs.lines.append(fact(E_DOCS, "住民基本台帳カード（お持ちの方のみ）", "□ "))
    if use_photo_cert:
        docs.lines.append(line(Part("本人の来庁が困難であることを疎明する資料", E_DOCS), Part("：顔写真証明書を使う場合は"), Part("疎明資料は不要です。", E_RELAX), bullet="□ "))
    elif over75:
        docs.lines.append(line(Part("本人の来庁が困難であることを疎明する資料", E_DOCS), Part("："), Part("75歳以上の高齢者は本人確認書類で確認できるなど、一定の場合は実質不要になりました。", E_RELAX), bullet="□ "))
    else:
        docs.lines.append(line(Part("本人の来庁が困難であることを疎明する資料", E_DOCS), Part("（"), Part("必要な場合も、入手が容易で費用がかからないものでよいとされています", E_RELAX), Part("）"), bullet="□ "))
    docs.lines.append(fact(E_DOCS, "代理人の代理権を証明する書類", "□ "))
    docs.lines.append(fact(E_DOCS, "代理人の本人確認書類", "□ "))
    docs.lines.append(fact(E_DOCS, "書類の具体例はマニュアルの資料編P19に示されています。"))

    who = Section("代理人について")
    who.lines.append(fact(E_WHO, "代理交付でカードを受け取る代理人は、交付申請者（ご本人）が指定する方ならどなたでもなれます。"))
    if v.get("proxy_agent") == "staff":
        who.lines.append(fact(E_WHO, "施設の職員や、各種制度の支援者の方が代理人として受け取ることもできます。"))
        who.lines.append(fact("subsidy", "施設や支援団体の職員の方等が、申請サポートや代理交付による受取りを行った場合に、市区町村から報償費を支払うこと等が、国の補助金の対象となっています。"))

    nxt = Section("次にすること")
    nxt.lines.append(fact(E_ELIG, "受取りは、本人の住所地の市町村の窓口です。"))
    nxt.lines.append(line(Part("書類の扱いは市区町村によって違うことがあります。"), Part("用意する書類は、事前にその市区町村にお問い合わせください。", E_DOCS)))
    nxt.lines.append(say("問い合わせ先：ご本人の住所地の市区町村の窓口", "・"))
    return Result("proxy", [[verdict, docs, who, nxt]], related=[E_ELIG, E_RELAX])


# --- 写真 --------------------------------------------------------------------------------------

PHOTO_TITLES = {o.value: o.title for o in PHOTO.questions[0].options}
MEDICAL = {"bed", "wheelchair", "tube", "eyepatch"}
DISABILITY = {"distortion", "gaze", "sunglasses"}
E_PHOTO = "photo_exception"


def render_photo(v: Dict[str, object]) -> Result:
    items = [i for i in (v.get("photo_items") or [UNKNOWN])]
    hat_reason, route = v.get("photo_hat_reason"), v.get("photo_route")
    listed = [i for i in items if i in MEDICAL | DISABILITY]
    verdict = Section("この写真が使えるか")
    if listed:
        names = "、".join(PHOTO_TITLES[i] for i in listed)
        verdict.lines.append(say(f"写っているもの（{names}）は、マニュアルの「使用可能な写真として認められる場合の参考例」に当たります。"))
        verdict.lines.append(fact(E_PHOTO, "やむを得ない理由で無帽・正面・無背景の写真を撮れない方も、手続をすればその写真を使えます。"))
        if set(listed) & MEDICAL:
            verdict.lines.append(fact(E_PHOTO, "医療上の理由：車椅子、ペースメーカー、首や鼻等のチューブ、ベッドや布団（寝たきりの場合）、眼帯、ガーゼ、絆創膏など、医療器具と判断できる場合", "　・"))
        if set(listed) & DISABILITY or "eyepatch" in listed:
            verdict.lines.append(fact(E_PHOTO, "障害：事故や顔面麻痺等による顔の歪みで正面を見ることが難しい、視線が定まらない、障害を理由に日常的に眼帯・サングラス等を着用している場合", "　・"))
        if "bed" in listed:
            verdict.lines.append(fact(E_PHOTO, "寝たきり：枕やシーツ等が写りこんでいる場合", "　・"))
    if "hat" in items:
        verdict.lines.append(say("帽子は、マニュアルの参考例（医療上の理由・障害・寝たきりの場合）には載っていません。", "・"))
        if hat_reason in ("medical", UNKNOWN, None):
            verdict.lines.append(line(Part("参考例は一部で、"), Part("これ以外でも認められることがあります", E_PHOTO), Part("。医療上の理由で帽子を外せない場合は、申請の前に、フリーダイヤルか市区町村で使えるかご確認ください。")))
        if hat_reason in ("not_medical", UNKNOWN):
            verdict.lines.append(line(Part("この手続は、"), Part("やむを得ない理由で無帽・正面・無背景の写真を撮れない方", E_PHOTO), Part("のためのものです。帽子を外して撮れる場合は、外して撮り直してください。")))
    if not listed and "hat" not in items:
        verdict.lines.append(say("お答えからは、マニュアルの参考例に当たるか判断できませんでした。"))
        verdict.lines.append(line(Part("参考例は医療上の理由・障害・寝たきりの場合の一部で、"), Part("これ以外でも認められることがあります", E_PHOTO), Part("。申請の前にフリーダイヤルか市区町村でご確認ください。")))
    verdict.lines.append(fact(E_PHOTO, "写真が暗い、トリミングができない等の場合や写真以外の理由で不備になることがあります。"))

    steps = Section("申請のときにすること")
    retake = items == ["hat"] and hat_reason == "not_medical"
    if route == "online":
        steps.lines.append(fact("photo_exception_online", "交付申請書に記載の申請書IDを確認します。", "1. "))
        steps.lines.append(fact("photo_exception_online", "マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、無帽・正面・無背景で撮れない具体的な理由（例：寝たきりで枕やシーツが写りこむ、チューブを装着している）と申請書IDを伝えます。", "2. "))
    elif route == "mail":
        steps.lines.append(fact("photo_exception_mail", "交付申請書の表面の氏名欄に、無帽・正面・無背景で撮れない具体的な理由（例：寝たきりで枕やシーツが写りこむ、チューブを装着している）を書きます。", "1. "))
        steps.lines.append(fact("photo_exception_mail", "その写真を貼った交付申請書を送付します。", "2. "))
    elif route == "window":
        steps.lines.append(fact("photo_exception_window", "市区町村の窓口で申請する場合は、市区町村職員が手続を行います。窓口で、無帽・正面・無背景の写真が撮れない事情（例：寝たきりで枕やシーツが写りこむ、チューブを装着している）をお伝えください。"))
        steps.lines.append(fact("photo_exception_window", "窓口に行くことが難しい方は、市区町村職員による出張申請受付もあります。"))
    elif route == "booth":
        steps.lines.append(say("マニュアルには、オンライン・郵送・窓口で申請する場合の手続が書かれています。証明写真機から申請する場合の扱いは書かれていないので、フリーダイヤルでご確認ください。", "・"))
        steps.lines.append(fact(E_PHOTO, "手続は、オンラインはフリーダイヤル（0120-95-0178）に理由と申請書IDを伝える、郵送は申請書表面の氏名欄に理由を記載、窓口は職員が行います。"))
    else:
        steps.lines.append(fact(E_PHOTO, "手続は、オンラインはフリーダイヤル（0120-95-0178）に理由と申請書IDを伝える、郵送は申請書表面の氏名欄に理由を記載、窓口は職員が行います。"))
    if retake:
        steps.lines.insert(0, say("帽子を外して撮り直した写真なら、この手続は要りません。特例の写真を使う場合は、次のとおりです。", "・"))

    nxt = Section("わからないとき")
    nxt.lines.append(fact(E_PHOTO, "詳細は資料編P21。"))
    if route == "online":
        nxt.lines.append(fact("photo_exception_online", "わからないときは、同じフリーダイヤルでご相談ください。"))
    else:
        nxt.lines.append(line(Part("お住まいの市区町村か"), Part("マイナンバー総合フリーダイヤル（0120-95-0178）", "photo_exception_mail"), Part("にお問い合わせください。")))
    related = {"online": "photo_exception_online", "mail": "photo_exception_mail", "window": "photo_exception_window"}
    route_entry = {"online": "photo_exception_online", "mail": "photo_exception_mail", "window": "photo_exception_window"}
    return Result("photo", [[verdict, steps, nxt]], related=[route_entry.get(route, E_PHOTO)])


# --- 紛失 --------------------------------------------------------------------------------------

FAX_LINK = {"title": "FAX用紙を作る（聴覚障がいのある方）", "path": "/fax"}


def render_lost(v: Dict[str, object]) -> Result:
    item, phone = v.get("lost_item") or UNKNOWN, v.get("lost_phone") or UNKNOWN
    card = item in ("card", "both", UNKNOWN)
    smartphone = item in ("smartphone", "both")
    now = Section("1. いますぐ：機能を止める（24時間365日）")
    if card:
        now.lines.append(fact("lost_card", "すぐにマイナンバー総合フリーダイヤル（0120-95-0178）に電話し、音声ガイダンス「2番」でカードの機能を一時停止します（24時間365日受付）。"))
    if smartphone:
        now.lines.append(fact("lost_card_smartphone", "マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、スマホ用電子証明書の一時利用停止をします。メニューは「2番」（2023年12月のマニュアル）で、24時間365日受け付けています。"))
    links = []
    if phone in ("fax", UNKNOWN):
        if card:
            now.lines.append(fact("lost_card", "聴覚に障がいのある方はFAX（0120-601-785）でも依頼できます。"))
        else:
            now.lines.append(fact("lost_card_smartphone", "聴覚に障がいのある方はFAX（0120-601-785）でも一時停止を依頼できます。"))
        now.lines.append(fact("fax_inquiry", "回答は「個人番号カードコールセンター」からFAXで届くので、返信先のFAX番号を書いておきましょう。"))
        now.lines.append(line(Part("FAXの"), Part("公式の様式は、マニュアル資料編P27の「お問合せ様式」です", "fax_inquiry"),
                              Part("。"), bullet="・"))
        now.lines.append(fact("fax_inquiry", "下の「FAX用紙を作る」は、このサービスが独自に用意した補助で、公式の様式ではありません。必要な欄のある用紙を作れます。"))
        links.append(FAX_LINK)
    if phone == "ip":
        now.lines.append(fact("free_dial_ip_phone", "一部のIP電話等で0120-95-0178につながらない場合の番号として、2021年1月15日の内閣官房・総務省の事務連絡に添付されたリーフレットには次の番号が載っています。"))
        now.lines.append(fact("free_dial_ip_phone", "マイナンバーカード等：050-3818-1250", "　・"))
        now.lines.append(fact("free_dial_ip_phone", "これは2021年の資料のため、その後番号が変わっている可能性があります。"))
        now.lines.append(line(Part("電話がどうしても難しいときは、"), Part("聴覚に障がいのある方はFAX（0120-601-785）でも依頼できます。", "lost_card")))

    sections = [now]
    if card:
        police = Section("2. 警察に届ける")
        police.lines.append(fact("lost_card", "警察に遺失届・盗難届を出し、受理番号を控えます。"))
        city = Section("3. 市区町村で手続きする")
        city.lines.append(fact("lost_card", "お住まいの市区町村に紛失・廃止届を出し、再発行の手続きをします。"))
        city.lines.append(fact("lost_card", "通知カードもなくしている場合は「通知カード紛失届」が必要なので、市区町村にご相談ください。"))
        sections += [police, city]
    if smartphone:
        phone_steps = Section(f"{len(sections) + 1}. スマホが戻らないとき")
        phone_steps.lines.append(fact("lost_card_smartphone", "一時停止の後、スマートフォンが手元に戻らない場合は、マイナポータルアプリの操作マニュアルを見て失効手続きをします（2024年の案内）。"))
        sections.append(phone_steps)
    if card:
        doctor = Section("カードがない間の受診")
        doctor.lines.append(fact("lost_card", "2024年6月の厚生労働省の文書では、2024年12月2日以降、保険者に申請すると「資格確認書」が無償交付される予定とされていました。その後の資料は手元にないため、ご加入の保険者にご確認ください。"))
        sections.append(doctor)
    contact = Section("問い合わせ先")
    contact.lines.append(say("一時停止：マイナンバー総合フリーダイヤル（0120-95-0178、24時間365日）" + ("／FAX（0120-601-785）" if links else ""), "・"))
    if card:
        contact.lines.append(say("届出：警察／紛失・廃止届と再発行：お住まいの市区町村／資格確認書：加入している医療保険の保険者", "・"))
    sections.append(contact)
    return Result("lost", [sections], related=["shikaku_kakuninsho" if card else "smartphone_certificate"],
                  links=links)


# --- 暗証番号 ----------------------------------------------------------------------------------


def render_pin(v: Dict[str, object]) -> Result:
    goal, who = v.get("pin_goal") or UNKNOWN, v.get("pin_who") or UNKNOWN
    kind = v.get("pin_kind") or {"doctor": "riyosha", "portal": "riyosha", "etax": "shomei"}.get(goal, UNKNOWN)
    where = Section("どこで直すか")
    where.lines.append(fact("pin_forgot", "住所地の市区町村で暗証番号の初期化・再設定が必要です。まず市区町村の窓口にお問い合わせください。"))
    if kind in ("riyosha", "both", UNKNOWN):
        where.lines.append(fact("pin_kinds", "利用者証明用電子証明書の暗証番号：4桁の数字。健康保険証利用、マイナポータルへのログイン、コンビニでの証明書の交付などで使います。", "　・"))
    if kind in ("shomei", "both", UNKNOWN):
        where.lines.append(fact("pin_kinds", "署名用電子証明書の暗証番号：6～16桁の英数字。e-Tax等の電子申請で使います。", "　・"))
    if goal in ("portal", "etax"):
        where.lines.append(say("マイナポータルやコンビニ交付、e-Taxには暗証番号が要るので、先に初期化・再設定をしてください。", "・"))

    who_s = Section("だれが行くか")
    if who == "proxy":
        who_s.lines.append(fact("pin_forgot_proxy", "暗証番号の初期化・再設定に関する問い合わせは、本人以外に、代理者などから行うこともできます。"))
        who_s.lines.append(fact("pin_forgot_proxy", "代理の方が手続きをする場合に何が必要かは、マニュアルには書かれていません。問い合わせの際に、必要な書類や本人が来庁する必要があるかを市区町村にご確認ください。"))
    else:
        who_s.lines.append(line(Part("ご本人が行く場合も、"), Part("まず市区町村の窓口にお問い合わせください。", "pin_forgot")))
        who_s.lines.append(fact("pin_forgot", "初期化・再設定についての問い合わせは、本人以外に代理者などからもできます。"))
    who_s.lines.append(fact("pin_forgot_proxy", "なお、暗証番号そのものは、原則として法定代理人以外の人に知らせることは適当ではないとされています。"))

    sections = [where, who_s]
    if goal in ("doctor", UNKNOWN, "reset"):
        today = Section("今日の受診")
        if goal == "doctor":
            today.lines.append(say("暗証番号がわからなくても、窓口での外来の受診はできます。"))
        today.lines.append(fact("pin_forgot", "医療機関・薬局の窓口での受診（外来）では、暗証番号の代わりに顔認証を選べます。顔認証や暗証番号の入力が難しい場合は、受付職員がカードの顔写真と本人を目視で確認する方法もあります（切り替えに時間がかかることがあります）。"))
        today.lines.append(fact("pin_forgot", "2023年12月のマニュアルでは、オンライン診療・服薬指導には暗証番号が必要とされ、訪問診療等での目視確認は2024年10月からの予定とされていました。"))
        sections.append(today)
    option = Section("暗証番号のいらないカード")
    option.lines.append(fact("pin_forgot", "暗証番号の管理に不安がある方は、暗証番号の設定が不要な「顔認証マイナンバーカード」を選ぶこともできます。"))
    option.lines.append(fact("face_auth_card_about", "健康保険証や本人確認書類として使えますが、暗証番号の入力が必要なサービスは使えません。"))
    sections.append(option)
    contact = Section("問い合わせ先")
    contact.lines.append(say("初期化・再設定：住所地の市区町村の窓口", "・"))
    sections.append(contact)
    return Result("pin", [sections], related=["pin_kinds"], buttons=[check_button("face_auth")])


# --- 顔認証マイナンバーカード ------------------------------------------------------------------

E_FA, E_FAP, E_FAH = "face_auth_card_apply", "face_auth_card_apply_proxy", "face_auth_card_hoken"


def render_face_auth(v: Dict[str, object]) -> Result:
    card, who = v.get("fa_card") or UNKNOWN, v.get("fa_who") or UNKNOWN
    cert, hoken = v.get("fa_cert") or UNKNOWN, v.get("fa_hoken") or UNKNOWN
    steps = Section("手続")
    if card in ("new", UNKNOWN):
        steps.lines.append(fact(E_FA, "これからカードを作る方：申請・交付のための来庁時か、出張申請受付のときに申請します。"))
        if who in ("outreach", UNKNOWN) or card == UNKNOWN:
            steps.lines.append(fact(E_FA, "出張申請受付では、暗証番号設定依頼書で「いずれの暗証番号も設定しない」を選びます（健康保険証利用の申込みに関する同意書も当日の書類例にあります）。"))
        if who == "proxy" and card == "new":
            steps.lines.append(say("ご本人が窓口に行けない場合は、出張申請受付を使えるか、お住まいの市区町村にご相談ください。受取りは代理交付も使えます。", "・"))
            steps.lines.append(fact("face_auth_card_about", "暗証番号の設定や管理に不安がある方などが安心して取得・利用でき、代理交付を受ける方の負担軽減にもつながるよう、2023年12月に導入されました。"))
    if card in ("existing", UNKNOWN):
        if who in ("self", UNKNOWN, "outreach"):
            steps.lines.append(fact(E_FA, "すでにカードをお持ちの方：ご本人がお住まいの市区町村の窓口に行けば、その場で切り替えができます。電子証明書の更新のタイミングでもできます。"))
        if who in ("proxy", UNKNOWN):
            steps.lines.append(fact(E_FAP, "すでにカードをお持ちの方は、代理人が来庁して顔認証マイナンバーカードへの切り替えをすることもできます。"))
            if cert in ("switch_only", UNKNOWN):
                steps.lines.append(fact(E_FAP, "利用者証明用電子証明書が発行済みで、設定の切り替えだけを行う場合：ご本人が署名または記名押印した委任状を出せば、その場で手続ができます。委任状の様式は住所地の市区町村にお問い合わせください。", "　・"))
            if cert in ("with_cert", UNKNOWN):
                steps.lines.append(fact(E_FAP, "電子証明書の発行・更新と併せて切り替える場合：住所地の市区町村がご本人に申請の意思を照会した文書への回答書が必要なため、即日の手続はできません。", "　・"))
        if who == "outreach" and card == "existing":
            steps.lines.append(say("お持ちのカードの切替えを出張申請受付でできるかは、マニュアルに書かれていません。市区町村にご確認ください。", "・"))

    insurance = Section("健康保険証として使うには")
    if hoken == "yes":
        insurance.lines.append(say("健康保険証利用の申込みは済んでいるとのことです（申込みは生涯1回）。", "・"))
    else:
        insurance.lines.append(fact(E_FAH, "顔認証マイナンバーカードでも、健康保険証利用の申込み（生涯1回）が必要です。"))
        insurance.lines.append(fact(E_FAH, "新たに取得する方や、申込みをしていない方が切り替える場合は、カードの交付・設定切替えの前に市町村で申込みの申請をしてください。", "1. "))
        if card in ("existing", UNKNOWN):
            insurance.lines.append(fact(E_FAH, "すでに通常のカードをお持ちなら、マイナポータル、セブン銀行ATM、医療機関・薬局のカードリーダーで事前に申し込むこともできます。", "2. "))
        insurance.lines.append(fact(E_FAH, "市町村での申込みを希望しない場合や代理人が交付を受ける場合は、交付・切替え後に医療機関・薬局のカードリーダーで、顔認証または目視確認により申し込めます。", "・"))
    insurance.lines.append(fact(E_FAH, "受診時はカードリーダーで「顔認証」を選びます。顔認証が難しいときは、受付職員が顔写真と本人を目視で確認します（切り替えに時間がかかります）。"))

    limits = Section("できないこと")
    limits.lines.append(fact("face_auth_card_about", "健康保険証や本人確認書類として使えますが、暗証番号の入力が必要なサービスは使えません。"))
    limits.lines.append(fact("face_auth_card_services", "また、署名用電子証明書（e-Tax等の電子申請に使うもの）は搭載できません。"))
    contact = Section("問い合わせ先")
    contact.lines.append(fact(E_FA, "詳しくは、お住まいの市区町村にお問い合わせください。"))
    return Result("face_auth", [[steps, insurance, limits, contact]], related=["face_auth_card_services"])


# --- 出張申請受付 ------------------------------------------------------------------------------

E_OUT, E_PREP, E_DAY = "outreach_facility", "outreach_facility_preparation", "outreach_facility_day_of"


def planned_date(value: object, today: dt.date) -> Tuple[Optional[dt.date], bool]:
    """(date, month_only) from the slot value; a month alone counts from its 1st (or today, this
    month); (None, False) when 未定."""
    if not value or value == UNKNOWN:
        return None, False
    text = str(value)
    if len(text) == 7:
        return max(dt.date.fromisoformat(text + "-01"), today), True
    return dt.date.fromisoformat(text), False


def timeline(day: dt.date) -> List[Tuple[str, dt.date]]:
    """The manual's example schedule counted back from the planned day: notice, meeting."""
    return [("約30日前", day - dt.timedelta(days=30)), ("約20日前", day - dt.timedelta(days=20))]


def render_outreach(v: Dict[str, object], today: dt.date) -> Result:
    day, month_only = planned_date(v.get("outreach_date"), today)
    plan = Section("段取り（実施日から逆算）")
    if day:
        label = f"{day.year}年{day.month}月（日にちが未定なので{format_date(day)}として計算しました）" if month_only else format_date(day)
        plan.lines.append(say(f"実施日：{label}", "・"))
        (notice_label, notice), (meeting_label, meeting) = timeline(day)
        late = "（目安の時期を過ぎています）"
        plan.lines.append(line(Part(f"{notice_label}（{format_date(notice)}ごろ）{late if notice < today else ''}："),
                               Part("市区町村からの案内、またはHP・広報誌の周知", E_OUT), bullet="1. "))
        plan.lines.append(line(Part(f"{meeting_label}（{format_date(meeting)}ごろ）{late if meeting < today else ''}："),
                               Part("打合せ（実施日と人数、市区町村外の在住者の有無、役割分担、家族への説明、当日のタイムスケジュール等）", E_OUT), bullet="2. "))
        plan.lines.append(line(Part(f"打合せ後〜{format_date(day - dt.timedelta(days=1))}："),
                               Part("施設内の周知、本人確認書類の準備、申請者名簿の作成・提出", E_OUT), bullet="3. "))
        plan.lines.append(line(Part(f"{format_date(day)}："), Part("当日", None), Part("（下の「当日」を参照）"), bullet="4. "))
        if month_only:
            plan.lines.append(say("日にちが決まったら「最初から」で入れ直すと、目安の日付が正確になります。", "※"))
        elif (day - today).days < 30:
            plan.lines.append(say(f"実施日まで{(day - today).days}日です。案内の目安（約30日前）より短いので、早めに市区町村にご相談ください。", "※"))
    else:
        plan.lines.append(say("実施日が決まっていないので、目安だけお示しします。", "・"))
        plan.lines.append(line(Part("実施日の約30日前："), Part("市区町村からの案内、またはHP・広報誌の周知", E_OUT), bullet="1. "))
        plan.lines.append(line(Part("実施日の約20日前："), Part("打合せ（実施日と人数、市区町村外の在住者の有無、役割分担、家族への説明、当日のタイムスケジュール等）", E_OUT), bullet="2. "))
        plan.lines.append(line(Part("当日まで："), Part("施設内の周知、本人確認書類の準備、申請者名簿の作成・提出", E_OUT), bullet="3. "))
    plan.lines.append(fact(E_PREP, "申請者が分かっていれば申請者名簿を作って市区町村に事前に出すと、市区町村で氏名・住所等を書いた交付申請書を準備でき、当日がスムーズになります。"))

    docs = Section("申請する方ごとに用意する書類（例）")
    for item in ("交付申請書", "暗証番号設定依頼書", "顔写真（当日に写真撮影サービスがあれば不要）", "本人確認書類",
                 "通知カード（紛失の場合は通知カード紛失届を作成）", "住基カード（お持ちの方のみ）",
                 "健康保険証利用の申込みに関する同意書（顔認証マイナンバーカード申請者のみ）"):
        docs.lines.append(fact(E_PREP, item, "□ "))
    docs.lines.append(fact(E_OUT, "顔認証マイナンバーカードの希望者は「いずれの暗証番号も設定しない」を選びます。"))
    lend = Section("施設がお貸しするもの")
    lend.lines.append(fact(E_PREP, "当日の物品は基本的に市区町村が準備・持参しますが、机・椅子など施設から借りることもあります。"))
    lend.lines.append(fact(E_PREP, "市区町村の物品の例にはプリンター等の延長コード（備考「電源の借用が必要」）もあり、電源を借りることがあります。"))
    lend.lines.append(fact(E_PREP, "打合せでご確認ください。"))

    on_day = Section("当日")
    on_day.lines.append(fact(E_DAY, "施設の方に、申請者の介助をお願いする場合があります。"))
    on_day.lines.append(fact(E_DAY, "当日に追加の申請希望者が来た場合や、予定していた方の受付ができなかった場合の対応は、市区町村にご相談ください。"))
    on_day.lines.append(fact(E_DAY, "本人確認書類が不備の場合などは、申請書の記入補助や写真撮影のみの出張申請サポートとなり、後日、本人確認書類を持って来庁して受け取る必要があります（来庁が難しい方は代理交付も使えます）。"))
    notes = Section("気をつけること")
    if v.get("outreach_others") in ("yes", UNKNOWN):
        notes.lines.append(fact(E_DAY, "市区町村外に住民票がある方がいる場合は、その方も含めてできるか、事前に市区町村にご相談ください。"))
    if v.get("outreach_dementia") in ("yes", UNKNOWN):
        notes.lines.append(fact(E_OUT, "認知症の方等は意思を丁寧に確認し、説明日時・申請日・交付日を記録します。意思確認ができない場合は資格確認書で資格確認ができます。"))
    notes.lines.append(fact(E_OUT, "実施状況は市区町村で異なるため、まずはお近くの市区町村にお問い合わせください。"))
    return Result("outreach", [[plan], [docs, lend], [on_day, notes]], related=[E_PREP, E_DAY])


def render(flow: str, values: Dict[str, object], today: Optional[dt.date] = None) -> Result:
    """The result of a completed check."""
    today = today or dt.date.today()
    if flow == "outreach":
        return render_outreach(values, today)
    return {"proxy": render_proxy, "photo": render_photo, "lost": render_lost, "pin": render_pin,
            "face_auth": render_face_auth}[flow](values)


def fact_problems(kb: KnowledgeBase, result: Result) -> List[str]:
    """Fact parts that are not verbatim in their entry's answer (white space ignored)."""
    problems = []
    for ln in result.lines():
        for part in ln.parts:
            if part.entry is None:
                continue
            entry = kb.by_id.get(part.entry)
            if entry is None:
                problems.append(f"unknown entry {part.entry}")
            elif re.sub(r"\s+", "", part.text) not in re.sub(r"\s+", "", entry.answer):
                problems.append(f"{part.entry}: {part.text!r}")
    return problems
