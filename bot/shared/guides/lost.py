"""紛失チェック: what to do now, in order, when the card or the smartphone with its certificate is lost."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import List, Optional

from bot.shared.guides.flow import Flow, Values
from bot.shared.guides.parsing import UNKNOWN, Option, Question, parse_choice
from bot.shared.guides.result import Line, Part, Result, Section, fact, line, say

LOST_ITEM = Question("lost_item", "choice", (
    Option("both", "カードとスマホの両方", r"両方|どちらも|カードとスマ|スマホとカード|カードもスマ|スマホもカード|スマホも|スマートフォンも|携帯も|証明書も|スマホにも"),
    Option("smartphone", "スマホ（スマホ用電子証明書入り）", r"スマホ|スマートフォン|携帯|ケータイ|アンドロイド|Android"),
    Option("card", "マイナンバーカード", r"カード"),
    Option(UNKNOWN, "わからない"),
), strong=True, parser=lambda text, today: lost_item(text))
LOST_PHONE = Question("lost_phone", "choice", (
    Option("ip", "電話がつながらない（IP電話など）", r"つながらない|繋がらない|IP|050|ひかり電話|光電話"),
    Option("fax", "電話が難しい（聴覚の障がいなど）",
           r"難しい|むずかしい|できない|できません|出来ない|かけられない|かけられません|かけれない|無理|聞こえ|耳|聴覚|言語|話せない|FAX|ファックス|ファクス|いいえ|ううん"
           r"|(人|者)(が|は)?(い|お)(ない|ません|らん)"),
    Option("phone", "電話できる", r"できる|できます|出来る|かけられる|かけられます|かけれる|かけれます|かけます|電話します|大丈夫|はい|うん|OK"),
    Option(UNKNOWN, "わからない"),
))
# someone can phone, whoever cannot hear (「本人は耳が遠いけど、私（職員）が電話できます」)
CAN_PHONE = re.compile(r"(電話|かけ)(が|は|を)?(できる|できます|出来る|出来ます|かけられる|かけられます|られます|れます)"
                       r"(?![^。、]{0,4}(人|者)(が|は)?(い|お)(ない|ません|らん))")


def parse_lost_phone(text: str, today: dt.date) -> Optional[str]:
    return "phone" if CAN_PHONE.search(text) else parse_choice(LOST_PHONE, text)


QUESTIONS = (LOST_ITEM, replace(LOST_PHONE, parser=parse_lost_phone))


def lost_item(text: str) -> Optional[str]:
    """What was lost; 「カードだけ。スマホはある」「カードだけだ。スマホはおどさ持ってねえ」: the card alone."""
    if re.search(r"カード(?:だけ|のみ|だけだ|だけや|だけです)", text):
        return "card"
    return parse_choice(LOST_ITEM, text)


def slots_for(v: Values) -> List[str]:
    return ["lost_item", "lost_phone"]


# /fax?type=suspend opens the FAX sheet with 「一時停止の依頼」 chosen (bot/gateway/fax.py)
FAX_LINK = {"title": "FAX用紙を作る（一時停止の依頼）", "path": "/fax?type=suspend"}


def fax_lines() -> List[Line]:
    """How to ask for the suspension by FAX, and the FAX sheet."""
    lines = [fact("fax_inquiry", "聴覚に障がいのある方は、FAX（0120-601-785）で問い合わせができます。"),
             line(Part("FAXで頼めること："), Part("カードや電子証明書を搭載したスマートフォンの紛失・盗難などに伴う一時停止処理の依頼（24時間365日受付）", "fax_inquiry"),
                  bullet="　・")]
    lines.append(fact("fax_inquiry", "回答は「個人番号カードコールセンター」からFAXで届くので、返信先のFAX番号を書いておきましょう。"))
    lines.append(line(Part("FAXの"), Part("公式の様式は、マニュアル資料編P27の「お問合せ様式」です", "fax_inquiry"), Part("。"), bullet="・"))
    lines.append(fact("fax_inquiry", "下の「FAX用紙を作る」は、このサービスが独自に用意した補助で、公式の様式ではありません。必要な欄のある用紙を作れます。"))
    return lines


def render_lost(v: Values, today: Optional[dt.date] = None) -> Result:
    item, phone = v.get("lost_item") or UNKNOWN, v.get("lost_phone") or UNKNOWN
    card = item in ("card", "both", UNKNOWN)
    smartphone = item in ("smartphone", "both")
    links = []
    if phone == "fax":   # cannot phone: the FAX route first, the phone only as the other way
        now = Section("1. いますぐ：FAXで機能を止める（24時間365日）")
        now.lines += fax_lines()
        if card:
            now.lines.append(line(Part("電話の場合は、"), Part("マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、音声ガイダンス「2番」でカードの機能を一時停止します（24時間365日受付）。", "lost_card")))
        if smartphone:
            now.lines.append(line(Part("電話の場合は、"), Part("マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、スマホ用電子証明書の一時利用停止をします。", "lost_card_smartphone")))
        links.append(FAX_LINK)
    else:
        now = Section("1. いますぐ：機能を止める（24時間365日）")
        if card:
            now.lines.append(fact("lost_card", "すぐにマイナンバー総合フリーダイヤル（0120-95-0178）に電話し、音声ガイダンス「2番」でカードの機能を一時停止します（24時間365日受付）。"))
        if smartphone:
            now.lines.append(fact("lost_card_smartphone", "マイナンバー総合フリーダイヤル（0120-95-0178）に電話し、スマホ用電子証明書の一時利用停止をします。メニューは「2番」（2023年12月のマニュアル）で、24時間365日受け付けています。"))
    if phone == UNKNOWN:
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
    if phone == "fax":
        contact.lines.append(say("一時停止：FAX（0120-601-785、24時間365日）／マイナンバー総合フリーダイヤル（0120-95-0178）", "・"))
    else:
        contact.lines.append(say("一時停止：マイナンバー総合フリーダイヤル（0120-95-0178、24時間365日）" + ("／FAX（0120-601-785）" if links else ""), "・"))
    if card:
        contact.lines.append(say("届出：警察／紛失・廃止届と再発行：お住まいの市区町村／資格確認書：加入している医療保険の保険者", "・"))
    sections.append(contact)
    return Result("lost", [sections], related=["shikaku_kakuninsho" if card else "smartphone_certificate"],
                  links=links)


FLOW = Flow(
    "lost", "紛失チェック", QUESTIONS, slots_for,
    "いまするべきことを、順番に案内します。",
    render_lost,
    button_title="いますることを順番に確認",
    intents=("lost_card",),
)
