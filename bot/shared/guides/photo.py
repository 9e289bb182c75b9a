"""写真チェック: may a photo that is not 無帽・正面・無背景 be used, and what to do per way of applying."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from bot.shared.guides.flow import Flow, Values
from bot.shared.guides.parsing import UNKNOWN, Option, Question
from bot.shared.guides.result import Part, Result, Section, fact, line, say

QUESTIONS = (
    Question("photo_items", "multi", (
        Option("bed", "ベッド・布団・枕・シーツ", r"ベッド|べっど|布団|ふとん|枕|まくら|シーツ|寝たきり|寝たまま|横にな|寝てい"),
        Option("wheelchair", "車椅子", r"車椅子|車いす|くるまいす|車イス"),
        Option("tube", "チューブ・ペースメーカー", r"チューブ|酸素|カニューレ|ペースメーカー|鼻の管|胃ろう"),
        Option("eyepatch", "眼帯・ガーゼ・絆創膏", r"眼帯|ガーゼ|絆創膏|ばんそうこう|バンソウコウ"),
        Option("sunglasses", "サングラス（障害のため日常的に）", r"サングラス|遮光"),
        Option("hat", "帽子", r"帽子|ぼうし|ニット帽|キャップ|頭巾|バンダナ"),
        Option("distortion", "顔の歪み・麻痺", r"歪|ゆが|いびつ|麻痺|まひ|マヒ|引きつ|ひきつ"),
        Option("gaze", "視線が定まらない・正面を向けない",
               r"視線|目線|(正面|前|まえ)を?(向|む)け(られ)?(ない|ません|へん|ん)|(正面|前|まえ)を?(向|む)け|横を?(向|む)|"
               r"(顔|首|頭|かお|くび|あたま)[^、。]{0,10}(傾|かたむ|かし[げぐ]|曲が|まが|まっすぐ|真っ直ぐ|横|よこ)"),
        Option("other", "その他", r"その他|それ以外|手が写|手がうつ|人の手|介助|支えて|付き添|ほかの人|他の人|家族が写|職員が写"
                                   r"|ヘッドホン|ヘッドフォン|イヤホン|イヤーマフ|補聴器"),
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
        Option("outreach", "出張申請受付（職員が来る）", r"出張|来てもら|来てくれ|来てほしい|訪問"),   # before 役所
        Option("window", "市区町村の窓口", r"窓口|役所|役場|来庁|庁舎"),
        Option("undecided", "まだ決めていない", r"決めて(い)?ない|決まって(い)?ない|未定|まだ"),
        Option(UNKNOWN, "わからない"),
    )),
)


def slots_for(v: Values) -> List[str]:
    return ["photo_items"] + (["photo_hat_reason"] if "hat" in (v.get("photo_items") or []) else []) + ["photo_route"]


PHOTO_TITLES = {o.value: o.title for o in QUESTIONS[0].options}
MEDICAL = {"bed", "wheelchair", "tube", "eyepatch"}
DISABILITY = {"distortion", "gaze", "sunglasses"}
E_PHOTO = "photo_exception"


def render_photo(v: Values, today: Optional[dt.date] = None) -> Result:
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
    if listed and "other" in items:   # 「介助の人の手がちょっと写っちゃってます」 beside the listed ones
        verdict.lines.append(line(Part("そのほかに写っているもの（介助者の手など）は参考例に載っていません。参考例は一部で、"),
                                  Part("これ以外でも認められることがあります", E_PHOTO),
                                  Part("。申請の前に、フリーダイヤルか市区町村で使えるかご確認ください。")))
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
        steps.lines.append(fact("photo_exception_online", "マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、無帽・正面・無背景で撮れない具体的な理由（例：寝たきりで枕やシーツが写りこむ、チューブを装着している、障害で正面を見ることが難しい・視線が定まらない）と申請書IDを伝えます。", "2. "))
    elif route == "mail":
        steps.lines.append(fact("photo_exception_mail", "交付申請書の表面の氏名欄に、無帽・正面・無背景で撮れない具体的な理由（例：寝たきりで枕やシーツが写りこむ、チューブを装着している、障害で正面を見ることが難しい・視線が定まらない）を書きます。", "1. "))
        steps.lines.append(fact("photo_exception_mail", "その写真を貼った交付申請書を送付します。", "2. "))
    elif route == "window":
        steps.lines.append(fact("photo_exception_window", "市区町村の窓口で申請する場合は、市区町村職員が手続を行います。窓口で、無帽・正面・無背景の写真が撮れない事情（例：寝たきりで枕やシーツが写りこむ、チューブを装着している、障害で正面を見ることが難しい・視線が定まらない）をお伝えください。"))
        steps.lines.append(fact("photo_exception_window", "窓口に行くことが難しい方は、市区町村職員による出張申請受付もあります。"))
    elif route == "outreach":   # 「自宅への出張申請でやるつもりです」
        steps.lines.append(say("マニュアルには、オンライン・郵送・窓口で申請する場合の手続が書かれています。出張申請受付で申請する場合の写真の扱いは、打合せのときに市区町村にご確認ください。", "・"))
        steps.lines.append(line(Part("出張申請受付の当日に用意するものの例には、"), Part("顔写真（撮影サービスがあれば不要）", "outreach_home"),
                                Part("とあります。"), bullet="・"))
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
    route_entry = {"online": "photo_exception_online", "mail": "photo_exception_mail", "window": "photo_exception_window"}
    return Result("photo", [[verdict, steps, nxt]], related=[route_entry.get(route or "", E_PHOTO)])


FLOW = Flow(
    "photo", "写真チェック", QUESTIONS, slots_for,
    "無帽・正面・無背景で撮れない写真が使えるか、申請の方法ごとに何をすればよいかを確認します。",
    render_photo,
    button_title="この写真が使えるかチェック",
    intents=("photo_exception",),
)
