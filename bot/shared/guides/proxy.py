"""代理交付チェック: may a proxy collect the card, and the proxy's checklist."""
from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional

from bot.shared.conversation import SPEAKER_WORDS
from bot.shared.guides.flow import Flow, Values
from bot.shared.guides.parsing import UNKNOWN, UNKNOWN_RE, SURE_UNKNOWN_RE, Option, Question, parse_age, said, yesno
from bot.shared.guides.result import Part, Result, Section, fact, line, say


def parse_cards(text: str) -> Optional[List[str]]:
    """通知カード / 住基カード: ["notice"], ["notice_lost"], ["notice", "juki"], ["unknown"]; a hedge leans
    (「通知カードはたぶんご家族が持ってます」: ["notice"])."""
    if said(SURE_UNKNOWN_RE, text):
        return [UNKNOWN]
    if re.search(r"(どちらも|どっちも|両方)(とも)?(ない|無い|なし|ありません|持って(い)?ない|なくし|見たこと(が)?ない|知らない)", text):
        return ["notice_lost"]
    if re.search(r"(どちらも|どっちも|両方)(とも)?(ある|あり|持って)", text):
        return ["notice", "juki"]
    found = []
    if "通知" in text:
        # 「通知カードはどっかいったっぽい」; 「通知カードは家の中探したけど見つからないです」 (fourteenth trial: recorded as
        # 「ある」, the 紛失届 left off the checklist) — within the clause, not past the other card (「…はあるけど住基は
        # ない」), and not when it is said to be there (「通知カードはあるけど免許はない」)
        held = re.search(r"通知カード?(?:は|が|も)?(?:ある|あり|持って(?:い|おり|ま)|手元に|家に|うちに|施設に)", text)
        lost = re.search(r"通知カード?(?:(?!住基|住民基本台帳)[^、。,]){0,20}?(なく|無く|失く|紛失|見当たら|見つから|出てこ|ない"
                         r"|ありません|持って(い)?ない|なし|どっか|どこか|どこに|行方|捨て)", text)
        found.append("notice_lost" if lost and not held else "notice")
    if re.search(r"住基|住民基本台帳", text):
        if not re.search(r"(住基|住民基本台帳)カード?[^、。,]{0,8}(ない|無い|なし|ありません|持って(い)?ない)", text):
            found.append("juki")
    return found or ([UNKNOWN] if said(UNKNOWN_RE, text) else None)


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

# 「俺が代理で受け取りいけるってこと？17歳だけど」: the writer is the proxy here; their age is not the person's
# (not 「私の母は92歳」, 「私が行きますが、母は92歳です」: another person named before the age)
SPEAKERS_AGE = re.compile(rf"(?:{SPEAKER_WORDS})(?!の)(?:は|が|も|って)?"
                          r"(?:(?!母|父|ばあ|じい|婆|爺|本人|利用者|入所者|患者|妻|夫|兄|姉|弟|妹|親|子)[^。]){0,25}?"
                          r"\d{1,3}\s*(?:歳|才|さい)")


def person_age(text: str, today: dt.date) -> Optional[str]:
    """The person's age (parse_age), not the writer's."""
    return parse_age(SPEAKERS_AGE.sub("", text))


QUESTIONS = (
    PROXY_REASON,
    Question("proxy_age", "age", (Option("75plus", "75歳以上"), Option("under75", "75歳未満"),
                                  Option(UNKNOWN, "わからない")),
             strong=True, parser=person_age, hint="年齢を数字で（例：「82歳」）、または「75歳以上」「75歳未満」「わからない」で教えてください。"),
    Question("proxy_facility", "yesno", (
        Option("yes", "入所している", r"入所|入居|施設|ホーム|老健|特養"),
        Option("no", "入所していない", r"自宅|在宅|家で|家に(い|住)|うちに(い|住)|んち(で|に)|一緒に(住|暮)|同居|家族と"
                                       r"|(一人|ひとり|独り)(で)?暮らし|施設(に|へ|には)?(は)?(入って|入所して|い)(い)?ない"),
        Option(UNKNOWN, "わからない"),
    ), strong=True, hint="「はい」「いいえ」「わからない」で答えてください。"),
    yesno("proxy_photo_id", ("ある", r"持って|免許|パスポート|写真(が|も)?(付い|つい)て(い|る|ま|た)"),   # 「手帳に写真付いてました」   # the license given back, only documents without a photo: no
          ("ない", r"持って(い)?ない|免許[^。、]{0,6}(返納|返した|返しました|ない|ありません)"
                   r"|写真[^。、]{0,8}?「?(ない|無い|なかっ|無かっ|ありません|あらへん)"   # 「写真つきのはなかった」
                   r"|(保険証|年金手帳|資格確認書|診察券|年金証書)[^。]{0,12}(なら|しか)(ある|あり|持って)")),
    Question("proxy_agent", "choice", (
        Option("staff", "施設の職員・支援者", r"職員|スタッフ|ケアマネ|支援者|ヘルパー|相談員|施設|看護師|ナース|介護士|介護職|支援員|指導員|社会福祉士|ソーシャルワーカー|MSW|ワーカー"),
        Option("family", "家族・親族", r"家族|親族|息子|娘|妻|夫|嫁|婿|孫|兄|姉|弟|妹|父|母|親"),
        Option("guardian", "成年後見人など", r"後見|保佐人|補助人|法定代理人|司法書士|弁護士"),
        Option("other", "知人など", r"知人|友人|近所|知り合い|その他"),
        Option("undecided", "まだ決めていない", r"決めて(い)?ない|決まって(い)?ない|未定|まだ"),
        Option(UNKNOWN, "わからない"),
    )),
    Question("proxy_cards", "cards", (
        Option("notice", "通知カードがある"),
        Option("notice_juki", "通知カードと住基カードがある"),
        Option("notice_lost", "通知カードをなくした"),
        Option(UNKNOWN, "わからない"),
    ), parser=lambda text, today: parse_cards(text), titles=(("juki", "住基カードがある"),)),
)


def slots_for(v: Values) -> List[str]:
    reason = v.get("proxy_reason")
    slots = ["proxy_reason"]
    if reason not in ("child", "pregnant", "travel"):
        slots.append("proxy_age")
    if reason not in ("facility", "child", "pregnant", "travel"):
        slots.append("proxy_facility")
    return slots + ["proxy_photo_id", "proxy_agent", "proxy_cards"]


def age_and_reason(found: Values, values: Values) -> None:
    """「92歳です」 answers the reason question (75歳以上); the 75歳以上 button answers the age too.
    In a facility as the reason, the facility question is not asked: a facility named is the reason."""
    if (found.get("proxy_age") or values.get("proxy_age")) == "75plus" and not (
            found.get("proxy_reason") or values.get("proxy_reason")):
        found["proxy_reason"] = "elderly"
    if (found.get("proxy_reason") or values.get("proxy_reason")) == "facility" and values.get("proxy_facility") is None:
        found.pop("proxy_facility", None)


PROXY_CATEGORY = {
    "facility": "施設入所者", "care": "要介護・要支援認定者", "disability": "障害のある方",
    "hospital": "長期入院者、病気の方", "elderly": "75歳以上の高齢者",
    "guardianship": "成年被後見人、被保佐人、被補助人", "pregnant": "妊婦",
    "travel": "長期（国内外）出張者、長期に航行する船員など、海外留学している方",
    "withdrawal": "社会的参加（就学・就労・家庭外での交遊など）を避け、長期にわたり概ね家庭にとどまり続けているなど、客観的に来庁が困難な方",
}
E_ELIG, E_DOCS, E_WHO, E_RELAX = (
    "proxy_pickup_eligibility", "proxy_pickup_documents", "proxy_pickup_who", "proxy_pickup_relaxation")


def render_proxy(v: Values, today: Optional[dt.date] = None) -> Result:
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
        if in_facility == UNKNOWN and photo_id != "yes":   # the facility note only when it may apply
            docs.lines.append(line(Part("　→ 施設に入所している場合："), Part("施設長などが本人の顔写真を証明した「顔写真証明書」を本人確認書類として使えます。その場合、疎明資料は不要です。", E_RELAX), bullet=""))
        elif photo_id != "yes":
            docs.lines.append(line(Part("　→ 使える書類の例："), Part("書類の具体例はマニュアルの資料編P19に示されています。", E_DOCS), bullet=""))
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
        who.lines.append(fact("subsidy", "国のマニュアル（2023年12月版）では、施設や支援団体の職員の方等が、申請サポートや代理交付による受取りを行った場合に、市区町村から報償費を支払うこと等が、国の補助金の対象とされていました。"))

    nxt = Section("次にすること")
    nxt.lines.append(fact(E_ELIG, "受取りは、本人の住所地の市町村の窓口です。"))
    nxt.lines.append(line(Part("書類の扱いは市区町村によって違うことがあります。"), Part("用意する書類は、事前にその市区町村にお問い合わせください。", E_DOCS)))
    nxt.lines.append(say("問い合わせ先：ご本人の住所地の市区町村の窓口", "・"))
    return Result("proxy", [[verdict, docs, who, nxt]], related=[E_ELIG, E_RELAX])


FLOW = Flow(
    "proxy", "代理交付チェック", QUESTIONS, slots_for,
    "代理人がカードを受け取れるか（代理交付）と、持っていく書類を確認します。",
    render_proxy,
    button_title="代理で受け取れるかチェック",
    intents=("proxy_pickup_eligibility", "proxy_pickup_documents", "proxy_pickup_who", "proxy_pickup_relaxation"),
    after_extract=age_and_reason,
)
