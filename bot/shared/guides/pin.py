"""暗証番号チェック: where to reset a forgotten or locked PIN, who may ask, and today's visit to the doctor."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from bot.shared.guides.face_auth import what_it_cannot_do
from bot.shared.guides.flow import Flow, Values, check_button
from bot.shared.guides.parsing import UNKNOWN, Option, Question
from bot.shared.guides.result import Part, Result, Section, fact, line, say

QUESTIONS = (
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
        Option("proxy", "家族・職員が代わりに動く",   # the one answering is a helper: 「ヘルパーさんか私」 is not the person
               r"代わり|代理|家族|職員|施設|行けない|行かれない|難しい|無理|むり|できない|出られない|動けない|足が?悪|寝たきり|入院"
               r"|ヘルパー|ケアマネ|支援者|スタッフ|看護師|付き添|私|わたし|娘|息子|妻|夫|嫁|孫|親族|兄|姉|弟|妹"
               r"|歩けない|あるけない|へるぱー|かわりに|だいり|いけない|むずかしい"),   # typed in hiragana
        Option("self", "本人が市区町村に行ける", r"本人|自分|行ける|行けます"),
        Option(UNKNOWN, "わからない"),
    )),
)


def slots_for(v: Values) -> List[str]:
    return ["pin_goal"] + (["pin_kind"] if v.get("pin_goal") in (None, "reset", UNKNOWN) else []) + ["pin_who"]


def render_pin(v: Values, today: Optional[dt.date] = None) -> Result:
    goal, who = v.get("pin_goal") or UNKNOWN, v.get("pin_who") or UNKNOWN
    kind = v.get("pin_kind") or {"doctor": "riyosha", "portal": "riyosha", "etax": "shomei"}.get(goal, UNKNOWN)
    where = Section("どこで直すか")
    where.lines.append(fact("pin_forgot", "住所地の市区町村で暗証番号の初期化・再設定が必要です。まず窓口にお問い合わせください。"))
    if kind in ("riyosha", "both", UNKNOWN):
        where.lines.append(fact("pin_kinds", "利用者証明用電子証明書の暗証番号：4桁の数字。健康保険証利用、マイナポータルへのログイン、コンビニでの証明書の交付などで使います。", "　・"))
    if kind in ("shomei", "both", UNKNOWN):
        where.lines.append(fact("pin_kinds", "署名用電子証明書の暗証番号：6～16桁の英数字（英大文字と数字の両方を使う）。e-Tax等の電子申請で使います。", "　・"))
    if goal in ("portal", "etax"):
        where.lines.append(say("マイナポータルやコンビニ交付、e-Taxには暗証番号が要るので、先に初期化・再設定をしてください。", "・"))

    who_s = Section("だれが行くか")
    if who == "proxy":
        who_s.lines.append(fact("pin_forgot_proxy", "暗証番号の初期化・再設定に関する問い合わせは、本人以外に、代理者などから行うこともできます。"))
        who_s.lines.append(fact("pin_forgot_proxy", "代理の方が手続きをする場合に何が必要かは、マニュアルには書かれていません。問い合わせの際に、必要な書類や本人が来庁する必要があるかを市区町村にご確認ください。"))
    else:
        who_s.lines.append(line(Part("ご本人が行く場合も、"), Part("まず窓口にお問い合わせください。", "pin_forgot")))
        who_s.lines.append(fact("pin_forgot", "初期化・再設定についての問い合わせは、本人以外に代理者などからもできます。"))
    who_s.lines.append(fact("pin_forgot_proxy", "なお、暗証番号そのものは、原則として法定代理人以外の人に知らせることは適当ではないとされています。"))

    sections = [where, who_s]
    if goal in ("doctor", UNKNOWN, "reset"):
        visit = Section("受診するとき")
        if goal == "doctor":
            visit.lines.append(say("暗証番号がわからなくても、窓口での外来の受診はできます。"))
        visit.lines.append(fact("pin_forgot", "医療機関・薬局での外来受診では、暗証番号の代わりに顔認証を選べます。顔認証や暗証番号の入力が難しい場合は、受付職員がカードの顔写真と本人を目視で確認する方法もあります（切り替えに時間がかかることがあります）。"))
        visit.lines.append(fact("pin_forgot", "2023年12月のマニュアルでは、オンライン診療・服薬指導には暗証番号が必要とされ、訪問診療等での目視確認は2024年10月からの予定とされていました。"))
        sections.append(visit)
    option = Section("暗証番号のいらないカード")
    option.lines.append(fact("pin_forgot", "暗証番号の管理が不安な方は、設定不要の「顔認証マイナンバーカード」も選べます（コンビニ交付等は不可）。"))
    option.lines.append(what_it_cannot_do())
    sections.append(option)
    contact = Section("問い合わせ先")
    contact.lines.append(say("初期化・再設定：住所地の市区町村の窓口", "・"))
    sections.append(contact)
    return Result("pin", [sections], related=["pin_kinds"], buttons=[check_button("face_auth")])


FLOW = Flow(
    "pin", "暗証番号チェック", QUESTIONS, slots_for,
    "暗証番号を忘れた・ロックされたときに、どこで何をすればよいかを確認します。",
    render_pin,
    button_title="暗証番号の手続をチェック",
    intents=("pin_forgot",),
)
