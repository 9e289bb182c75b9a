"""顔認証マイナンバーカードチェック: the steps to get or switch to the card without PINs, and its insurance use."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from bot.shared.guides.flow import Flow, Values
from bot.shared.guides.parsing import BARE_NO, BARE_YES, UNKNOWN, Option, Question, yesno
from bot.shared.guides.result import Line, Result, Section, fact, say


def what_it_cannot_do() -> Line:
    """The 顔認証 card's limit, as the face_auth and pin checks both say it."""
    return fact("face_auth_card_about", "健康保険証や本人確認書類として使えますが、暗証番号の入力が必要なサービス"
                "（マイナポータル、証明書のコンビニ交付、オンライン手続など）は使えません。")


QUESTIONS = (
    Question("fa_card", "choice", (
        Option("new", "これから作る（新規）", r"これから|新規|新しく作|まだ持って(い)?ない|持って(い)?(ない|ません)|初めて"),
        Option("existing", "もう持っている", r"持って(い)?(る|ます)|作った|作りました|作ってあ|お持ち|既に|すでに|もう|切り?替"),
        Option(UNKNOWN, "わからない"),
    ), strong=True),
    Question("fa_who", "choice", (
        Option("outreach", "出張申請受付で申請する", r"出張"),
        Option("proxy", "代理人が行く", r"代理|代わり|家族|職員|娘|息子|妻|夫|嫁|孫|親族|兄|姉|弟|妹"),
        Option("self", "本人が窓口に行く", r"本人|自分|行ける|行けます|窓口"),
        Option(UNKNOWN, "わからない"),
    )),
    Question("fa_cert", "choice", (
        Option("switch_only", "切替えだけ（電子証明書は発行済み）",   # no renewal notice came: the certificate is valid
               r"だけ|のみ|発行済|(通知|お知らせ|案内)[^。]{0,10}(来て(い)?ない|来ていません|届いて(い)?ない|届いていません)"
               rf"|{BARE_NO}"),   # 「…も一緒にしますか？」「いいえ」 (session 32's blind trial: not read)
        Option("with_cert", "電子証明書の発行・更新もする", rf"更新|発行|期限|{BARE_YES}"),
        Option(UNKNOWN, "わからない"),
    )),
    yesno("fa_hoken", ("登録済み", r"済|して(い)?る|してある|登録した|使って"), ("まだ", r"まだ|未登録")),
)


def slots_for(v: Values) -> List[str]:
    return (["fa_card", "fa_who"] + (["fa_cert"] if v.get("fa_card") == "existing" and v.get("fa_who") == "proxy" else [])
            + ["fa_hoken"])


E_FA, E_FAP, E_FAH = "face_auth_card_apply", "face_auth_card_apply_proxy", "face_auth_card_hoken"


def render_face_auth(v: Values, today: Optional[dt.date] = None) -> Result:
    card, who = v.get("fa_card") or UNKNOWN, v.get("fa_who") or UNKNOWN
    cert, hoken = v.get("fa_cert") or UNKNOWN, v.get("fa_hoken") or UNKNOWN
    steps = Section("手続")
    if card in ("new", UNKNOWN):
        steps.lines.append(fact(E_FA, "これからカードを作る方：申請・交付のための来庁時か、出張申請受付のときに申請します。"))
        if who in ("outreach", UNKNOWN) or card == UNKNOWN:
            steps.lines.append(fact(E_FA, "出張申請受付では、暗証番号設定依頼書で「いずれの暗証番号も設定しない」を選びます（健康保険証利用の申込みに関する同意書も当日の書類例にあります）。"))
        if who == "proxy" and card == "new":
            steps.lines.append(say("ご本人が窓口に行けない場合は、出張申請受付を使えるか、お住まいの市区町村にご相談ください。受取りは代理交付も使えます。", "・"))
            steps.lines.append(fact("face_auth_card_about", "暗証番号の設定や管理に不安がある方などが安心して取得・利用でき、代理交付を受ける方の負担軽減にもつながるよう、2023年12月に導入されました（2024年6月の厚生労働省の文書）。"))
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
    insurance.lines.append(fact(E_FAH, "受診時はカードリーダーで「顔認証」を選び、難しいときは受付職員が顔写真と本人を目視で確認します（切り替えに時間がかかります）。"))

    limits = Section("できないこと")
    limits.lines.append(what_it_cannot_do())
    limits.lines.append(fact("face_auth_card_services", "また、署名用電子証明書（e-Tax等の電子申請に使うもの）は搭載できません。"))
    contact = Section("問い合わせ先")
    contact.lines.append(fact(E_FA, "詳しくは、お住まいの市区町村にお問い合わせください。"))
    return Result("face_auth", [[steps, insurance, limits, contact]], related=["face_auth_card_services"])


FLOW = Flow(
    "face_auth", "顔認証マイナンバーカードチェック", QUESTIONS, slots_for,
    "顔認証マイナンバーカード（暗証番号の設定が不要なカード）の手続と書類を確認します。",
    render_face_auth,
    button_title="顔認証カードの手続をチェック",
    intents=("face_auth_card_about", "face_auth_card_apply"),
)
