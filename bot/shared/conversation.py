"""A message read in its conversation: a question after a thanks or greeting, and follow-ups to the answer
just given (「それって家族でもいいの？」「じゃあ母の資格確認書は？」). The actions call these with what the
tracker holds (the previous reply's custom payloads); the NLU component bot.rasa_side.nlu.QuestionAfterCourtesy
calls `question_after_courtesy`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from bot.shared.answers import (MAX_CANDIDATES, NOT_HAD, answer_message, entry_buttons, fitting_reply, lines_asked, route_message,
                                show_answer_payload)
from bot.shared.concepts import CoveredConcept, Found, Lexicon
from bot.shared.fit import (ACKNOWLEDGED, ANOTHER_QUESTION, END_MARKS, SENTENCE, SET_ASIDE_RE, about_the_card, asked_topics,
                             asking_parts, asks, mark_number)
from bot.shared.kana import KANJI, for_hiragana_readers
from bot.shared.knowledge import Entry, KnowledgeBase, numbers_in
from bot.shared.message import BotMessage

SHORT_REPLIES = ("affirm", "deny", "goodbye")   # 「はい」「いいえ」「さようなら」
# not 「その方は足が悪いだけで…」: the person spoken of, not what was said (a blind trial, 2026-12-03: got the fee answer's lines)
REFERS_BACK = re.compile(r"^(?:それ|その(?!方|かた|人|ひと|利用者|患者|入所者|方々)|そっち|じゃあ|じゃ、|では|だったら|なら|ほんなら|ほな|さっきの|先ほどの|今の(?:答え|お答え|説明|話|回答|ところ|とこ))"   # not 「今の保険証」: the one held now
                         r"|その場合|そういう場合|そのとき|その時|それなら|それでも"
                         r"|(?:ん|の)でした(?:っけ|かな|かね)"   # recalling what was said: 「…その理由はどこに書けばいいんでしたかな」 (b62 c02-2)
                         r"|それまで|その間|そのあいだ"   # 「来週病院あるんだけど…それまでどうやって受診するの？」 (after a lost card)
                         r"|(?:もう|今)(?:一度|いちど|1回|一回|いっかい)(?:教えて|おしえて|言って|いって|[?？!！。\s]*$)")   # 「番号をもう一度教えて」
ASKS_WHERE = re.compile(r"(?<!の)(?:どこ|どご)(?!まで|に?(?:書|かい|かか|載|記載|のっ|ある|あり))|どちら|連絡先|問い?合わ?せ先|窓口|電話番号|何番|申し?込")
PLACE = re.compile(r"市区町村|市町村|フリーダイヤル|保険者|0120|050-")
ASKS_PHONE = re.compile(r"電話|でんわ|何番")
CONTENT_WORD = re.compile(r"[一-龥々ァ-ヶー]{2,}")   # kanji and katakana words of a follow-up
ARRIVES = re.compile(r"(?<![一-龥々])届(?:[かきくぐ]|いて|いた)")   # 届く, not 届出 or 廃止届を (filing)
# 「本人85歳」 after the proxy's documents (session 35's blind trial: declined; its line says 75歳以上 needs no 疎明資料):
# an age given names the answer's lines on an age
AGE_GIVEN = re.compile(r"[0-9０-９]{1,3}\s*(?:歳|さい|才)(?!以上|未満|以下|から|まで)")
# what a follow-up says without a kanji word of two characters, and the word it stands for (SAME_WORD gives the answers' words)
# doing it for the person (「こっちで置いてあげてもいいの？」 after the reader's steps, session 38's blind trial: the
# lines on the reader, not the one on helping): the lines on helping (手伝う, 手助け)
DONE_FOR_THEM = re.compile(r"[てで]あげ|[てで]やっ")
# a follow-up's spellings read as the answers' (「はんこ」 the one hiragana word follow-ups name things by; 「打ち合わせでは何を
# 決めるんですか」 after the outreach, session 38's blind trial: its 打合せ line)
ANSWERS_SPELLING = ((re.compile(r"はんこ"), "ハンコ"), (re.compile(r"打ち合わせ|打合わせ|打ち合せ|うちあわせ"), "打合せ"),
                    (re.compile(r"書いて(?:あ|い)|書かれて|載って|のって(?:い|る)"), "記載"))   # 「どこに書いてあるの」: 記載の
# how long before (「どのくらい前から動き始めれば」 after the outreach answer, session 39's blind trial: declined, out of scope
# 0.70): its lines 「約30日前」「約20日前」
HOW_EARLY = re.compile(r"(?:どのくらい|どれくらい|どれぐらい|どのぐらい|何日|何週間|何か月|何ヶ月|何カ月|いつ頃|いつごろ)前")
DAYS_BEFORE = "日前"
# when (「よる でも いい？」 after the lost-card steps, session 39's blind trial, in kana: 「もしかして」): the lines with hours
AT_SOME_HOUR = re.compile(r"夜|(?<![ぁ-ゖ])よる(?=[でにはも\s？?]|$)|休日|休みの日|土日|土曜|日曜|祝日|年末|何時|なんじ")
HOURS = "受付時間"
# a new card (「あたらしいの もらえる？」 after the lost-card steps, same trial: declined, out of scope 0.63): the reissue's lines
NEW_CARD = re.compile(r"(?:新しい|あたらしい)(?:の|もの|やつ|カード|かーど)|作り直|つくりなお")
REISSUE = "再発行"
SIGNAL_WORDS = ((ARRIVES, "届く"), (AGE_GIVEN, "年齢"), (DONE_FOR_THEM, "手伝"), (HOW_EARLY, DAYS_BEFORE),
                (AT_SOME_HOUR, HOURS), (NEW_CARD, REISSUE))
STEM_AFTER_KATAKANA = re.compile(r"(?<=[ァ-ヶー])[一-龥々]$")   # 「チューブ入ってる」: 入 is the verb's, not the word's
WHERE_WORDS = {"入手", "取得", "手続", "手続き", "申請", "相談", "連絡"}   # 「どこで入手できますか」: what is done there, not what about
GENERIC_WORDS = {"本人", "場合", "状態", "家族", "患者", "利用者", "施設", "職員", "大丈夫", "必要", "可能", "方法", "無理",
                 "マイナンバーカード", "カード", "今後", "本当", "結局", "一番", "自分", "質問"}
MAX_QUOTED = 3
CONTACT = re.compile(r"問い?合わ?せ|相談|連絡|電話|ご確認|申請し|届を|届出|手続き?を|へ。$")


# the writer speaks of themselves (「私のカードは…」), or of the person the conversation was about (「母は…」)
SPEAKER_WORDS = r"私|わたし|自分|僕|ぼく|俺|おれ|あたし"
SPEAKER = re.compile(SPEAKER_WORDS)
SPEAKERS_OWN = re.compile(rf"(?:{SPEAKER_WORDS})(?:の|も)")   # 「私のカードは…」「わたしも…」, not 「主人の暗証番号わたし知ってる」
THE_PERSON = re.compile(r"母|父|(?<!丈)夫|妻|祖母|祖父|おばあ|おじい|ばあちゃん|じいちゃん|故人|亡|主人|旦那|だんな|家内|奥さん|義母|義父")
# the user cannot phone (「耳が聞こえない」「電話できない」)
CANNOT_PHONE = re.compile(r"(?:耳|みみ)が?\s*(?:聞こえ|きこえ|不自由|遠い|とおい)|聴覚|難聴|ろう者|聾|手話|筆談"
                          r"|(?:電話|でんわ)\s*(?:は|が|も)?\s*(?:(?:でき|出来|かけられ)(?:ない|ません|ん|へん|ず)|無理|むり|難し|むずかし|怖|こわ|苦手)")
# 「みみ とおい でんわ むり」; 「でんわで ききたい」 (session 38's blind trial: got the FAX line for the deaf) and 「電話できますか」 can phone


# the writer works at a clinic, hospital or pharmacy counter (fourteenth trial: a clinic receptionist was twice told to ask
# 「受診する医療機関の窓口」, herself)
MEDICAL_SIDE = re.compile(r"(?:クリニック|病院|医院|診療所|薬局|歯科)(?:の|で)?(?:受付|事務|医療事務|職員|スタッフ|薬剤師)(?:を|の者|です|として|を担当)"
                          r"|医療事務|薬剤師です|薬局の者|クリニックとして|医療機関として|病院として|当院|当薬局"
                          r"|(?:その|この|うちの)(?:医療機関|クリニック|病院|医院|薬局)の(?:受付|職員|スタッフ|者)")
TO_THE_CLINIC = re.compile(r"[^。\n]*受診[^。\n]*医療機関[^。\n]*(?:問い?合わ?せ|ご確認)[^。\n]*。?")


def for_the_medical_side(said: List[str], text: str) -> Optional[str]:
    """A fallback's `text` for a writer who has said they work at a clinic or pharmacy: its sentences that send them to
    「受診する医療機関」 set aside for None — the caller puts `medical_side` in their place; None when nothing changes."""
    if not any(MEDICAL_SIDE.search(line) for line in said) or not TO_THE_CLINIC.search(text):
        return None
    return TO_THE_CLINIC.sub("", text).strip()


def names_the_person(text: str) -> bool:
    """The message is about the person (「母はマイナ保険証を…」), not about the writer (「私のカードは…」)."""
    return bool(THE_PERSON.search(text)) and not SPEAKERS_OWN.search(text)


# a message that ends in thanks, in any voice: 「あんがとね」 (Ibaraki), 「おおきに」
CLOSING_THANKS = re.compile(r"(?:ありがと|ありがたい|あんがと|おおきに|サンキュー|感謝(?:します|です|してます)|助かり|助かっ|たすかり|たすかっ)"
                            r"[^。？?\n]{0,10}$")


def only_thanks(text: str) -> bool:
    """The message ends in thanks and none of its sentences asks anything (session 43's trial: 「わがった、まず電話して
    みっから。あんがとね」, free_dial 0.54, got 「もしかして」)."""
    sentences = [sentence.strip() for sentence in SENTENCE.findall(text) if sentence.strip()]
    return bool(sentences) and bool(CLOSING_THANKS.search(sentences[-1].rstrip("。.!！…〜~ 　"))) and not any(
        asks(sentence) or "?" in sentence or "？" in sentence for sentence in sentences)


# where a message turns to another subject: 「父の件は役所に聞きます。それと母ですが…」「いえ、今度は母の話です」
NEW_SUBJECT = re.compile(r"それと(?!も)|今度は|こんどは|話(?:が|は)変わ|別の(?:話|件|質問)|別件|ところで|もう一つ|もうひとつ")


def about_someone_else(lexicon: Lexicon, routed: str, earlier: str, text: str) -> bool:
    """The message, from its last change of subject on, names a person, and none of those the `earlier` message named
    in a sentence of the `routed` topic (a death: session 43's trial, after 「去年亡くなった父のマイナンバーカードが…母の
    手続きのついでに」, 「それと母ですが、…資格確認書ってもらえるんですか？」 got the condolences three times)."""
    now = set(THE_PERSON.findall(NEW_SUBJECT.split(text)[-1]))
    before = {person for sentence in SENTENCE.findall(earlier) if routed in lexicon.find(sentence).uncovered
              for person in THE_PERSON.findall(sentence)}
    return bool(now) and bool(before) and not now & before


# kept from phoning by the hours (session 54's trial, b53 c07-6: 「私は平日の昼間は仕事で電話できないので、夜とか週末にも
# 繋がるのか知りたいです。」 got the FAX line for the deaf): no one who cannot phone
BUSY_HOURS = re.compile(r"(?:仕事|昼間|日中|平日|勤務|忙し|時間が|日曜しか|土日しか|週末しか|休みの日しか|夜しか)[^。？?!！]{0,6}(?:電話|でんわ)")


def cannot_phone(said: List[str]) -> bool:
    """Something the user said tells that they cannot phone: a decline then names the FAX line too."""
    return any(CANNOT_PHONE.search(BUSY_HOURS.sub("", text)) for text in said)


# 「おばあちゃんは みみが とおいので わたしが かわりに でんわしても いいですか」 (a blind trial, 2026-12-03: got the FAX line
# instead of the phone's hours): the writer phones for the person who cannot
PHONES_FOR_THEM = re.compile(r"(?:代わりに|かわりに|代理で|だいりで)\s*(?:電話|でんわ)")


def phones_for_them(text: str) -> bool:
    return bool(PHONES_FOR_THEM.search(text))


ASKS_FOR_A_PERSON = re.compile(   # 「担当者につないで」「人と話したい」, not 「その人たちも一緒に申請できる？」
    r"担当|オペレーター|有人|人間|スタッフ|相談員|職員さん|職員の方|窓口の方|詳しい人|相談できる人|誰か|だれか"
    r"|(?<![本個他友老病住名隣市町村者])人(?:と|に(?:代わ|かわ|相談|聞|つな|対応|答)|がいい|はいま|いない)")


NOUN = r"[一-龥々ァ-ヶーA-Za-z0-9]+"   # a word in kanji, katakana or letters (after NFKC: full-width letters too)
CORRECTION = re.compile(   # 「資格確認書じゃなくてマイナンバーカードの方でした」「あ、母じゃなくて父のほう」; not 「…じゃなくてカードで受診したい」
    rf"(?P<wrong>{NOUN})(?:じゃなくて|ではなくて|やなくて|じゃなく)[、,\s]*(?P<right>{NOUN}(?:の(?!方|ほう|こと|話){NOUN})?)"
    r"(?:の(?:方|ほう|こと)|の話)?(?:です|でした|だった|やった|やで|なんです)?"
    r"(?:[。!！…\s]*$|[。!！…\n]+\s*(?P<rest>\S.*)$)", re.DOTALL)   # 「父じゃなくて母です。母は寝たきりです」: and more
RESTATED = re.compile(   # 「資格確認書じゃなくてカードの方で受診するには何がいるの？」: a question about B, not A
    rf"(?P<wrong>{NOUN})(?:じゃなくて|ではなくて|やなくて|じゃなく)[、,\s]*(?P<right>{NOUN})(?:の方|のほう)(?=[でをにはがの])")


def corrected_question(previous_question: str, text: str) -> Optional[str]:
    """The previous question with the word the message corrects replaced (「資格確認書の申請はどこで？」 then
    「資格確認書じゃなくてマイナンバーカードの方でした」 → 「マイナンバーカードの申請はどこで？」), and what the message
    says after the correction; None when the message is no such correction, or the corrected word is not in the
    previous question."""
    match = CORRECTION.search(text.strip())
    if not match or match.group("wrong") not in previous_question or match.group("wrong") == match.group("right"):
        return None
    said_of = re.search(r"([^\s、。!！?？]+)の[はが]\s*$", text.strip()[:match.start()])
    if said_of and said_of.group(1)[:2] not in previous_question:
        return None   # what is corrected is said of another act (session 28's blind trials, after 「通知カードをなくして…」:
                      # 「…持っているのは通知カードじゃなくてマイナンバーカードのほうでした」 got the lost card's steps)
    corrected = previous_question.replace(match.group("wrong"), match.group("right"), 1)
    return f"{corrected}。{match.group('rest')}" if match.group("rest") else corrected


def restated_question(text: str) -> Optional[str]:
    """A question that says which of two things it is about (「資格確認書じゃなくてカードの方で受診するには何がいるの？」),
    without the other one (「カードで受診するには何がいるの？」); None for any other message."""
    match = RESTATED.search(text)
    if not match or match.group("wrong") == match.group("right") or not asks(text):
        return None
    return text[:match.start()] + match.group("right") + text[match.end():]


def reply_by_concepts(kb: KnowledgeBase, lexicon: Lexicon, question: str) -> List[dict]:
    """The reply to a question the classifier has not read on its own (the previous question as the user corrected
    it; a side question beside a check's answer), read by the concepts it names alone: a named concept's main topic,
    else 「もしかして」 or the plain decline."""
    unsure = {"name": "nlu_fallback", "confidence": 0.0}
    return fitting_reply(kb, lexicon, {"text": question, "intent": unsure, "intent_ranking": [unsure]})


def asks_for_a_person(text: str) -> bool:
    """The message asks for a person (the staff handoff), whatever the classifier read."""
    return bool(ASKS_FOR_A_PERSON.search(text))


COURTESY = re.compile(   # a thanks or greeting before the question: 「ありがとうございました。ところで…？」
    r"^(?:(?:どうも|本当に|ほんとに)?ありがと(?:う|ー)?(?:ございま(?:す|した))?|助かりま(?:す|した)|助かった|よくわかりました"
    r"|" + ACKNOWLEDGED + r"|こんにちは|こんばんは|おはよう(?:ございます)?|お世話になって(?:おり|い)ます"
    r"|お世話になります|お疲れ(?:様|さま)です|おつかれさまです|はじめまして|初めまして"
    r"|すみません|すいません|失礼します)"
    # then marks and emoji (session 47's blind trial (b46): 「ありがとうございます🙏💕 じゃあ私がスマホで撮りますね📸\n背景は…？」 got
    # 「どういたしまして」)
    r"[、。,.!！\s…" + END_MARKS + r"]*")   # 「すみません、むずかしいです。…なにを もっていきますか？」: greet 0.60
REQUEST = re.compile(r"教えて(?:ください|下さい|ほしい(?:です)?|もらえますか)?[\s。…!！" + END_MARKS + r"]*$")   # 「…教えて🙏」
MIN_QUESTION_CHARS = 10


def question_after_courtesy(text: str) -> str:
    """The question when a thanks or greeting comes first (「ありがとう、助かりました。それと資格確認書の申請先は？」
    → 「資格確認書の申請先は？」); else the text as it is (「ありがとうございました」, 「こんにちは、質問いいですか」)."""
    rest = text.strip()
    while (courtesy := COURTESY.match(rest)) and courtesy.end():
        rest = rest[courtesy.end():]
    rest = ANOTHER_QUESTION.sub("", rest)
    asked = asks(rest) or bool(REQUEST.search(rest))
    return rest if rest != text.strip() and len(rest) >= MIN_QUESTION_CHARS and asked else text


def last_answer_id(reply: List[dict]) -> Optional[str]:
    """The entry a reply (its custom payloads, in order) last answered with — or the answer a 「もしかして」 about a
    follow-up still follows (「じゃあ、しやくしょにいくとき…」 then 「ほんにんがいけないときは？」 after the PIN answer),
    if any."""
    return next((custom.get("answer_id") or custom["follows"] for custom in reversed(reply)
                 if custom.get("answer_id") or custom.get("follows")), None)


# 「①について、…」「2番目の質問ですが、…」: a follow-up about one numbered part of a message answered part by part
PART_REFERRED = re.compile(r"^\s*(?:(?P<circled>[①-⑩])|(?P<digit>[1-9１-９])(?:番目?|つ目|点目)?|(?P<kanji>[一二三四五六七八九])(?:番目|つ目|点目))"
                           r"(?:の(?:ご?質問|件|こと|点|お?答え|回答))?(?:について|に関して|は|ですが|の)")
KANJI_NUMBERS = "一二三四五六七八九"


def referred_part(text: str) -> Optional[int]:
    """The number of the part a message starts by naming (「①について」 → 1, 「2番目の質問ですが」 → 2), or None."""
    match = PART_REFERRED.match(text)
    if match is None:
        return None
    mark = match.group("circled") or match.group("digit")
    return mark_number(mark) if mark else KANJI_NUMBERS.index(match.group("kanji")) + 1


def answer_to_part(reply: List[dict], text: str) -> Optional[str]:
    """The answer a reply (its custom payloads) gave to the numbered part the message names (`referred_part`), if any."""
    number = referred_part(text)
    return next((custom["answer_id"] for custom in reply
                 if number is not None and number in custom.get("parts", []) and custom.get("answer_id")), None)


def is_plain_decline(messages: List[dict]) -> bool:
    """Nothing to go on: one fallback message, without choices or a topic the documents do not cover."""
    return (len(messages) == 1 and bool(messages[0]["custom"].get("fallback")) and not messages[0]["buttons"]
            and not messages[0]["custom"].get("uncovered"))


# 「おらがスマホで布団さ寝でるとこ撮ってもいいってことだべか」 (thirteenth trial, after the photo exceptions): what was just
# said, checked back in the user's words
CONFIRMS = re.compile(r"(?:って|という|ちゅう|っちゅう|ゆう)(?:こと|意味)(?:だべ|だ|です|やろ|じゃろ|でしょう|でしょ|なん|なの|やんな)?"
                      r"(?:か|かね|かな|ね|よね|の|な)?[?？。!！\s]*$")


# 「さっきの暗証番号の話に戻るけど、…」, 「さっきの代理の受け取りの件、施設の人に頼んでもええん？」 (session 37's blind trial,
# after the 顔認証 card's application and after the 資格確認書: a line of that answer): back to a topic of earlier, named —
# not the answer just given (「さっきの話だけど」 names none)
TOPIC_RETURN = re.compile(r"(?:話|件|こと|ところ|とこ|質問)に(?:戻|もど)(?:る|り|っ|ります|れば|ると)"
                          r"|(?:さっき|先ほど|さきほど|前回)の[^、。？?\s]{2,}?の(?:件|話)")


# 「電話で申請書IDを伝えるって言ってたけど、それってどこに書いてあるの」 after the photo exception online (session 38's blind
# trial: got the four ways to apply, 申請書ID read as the application's): the answer's own words, quoted
# (past: 「本人は…にしたいと言ってます」 quotes the person, session 39's blind trial); a quote left empty is a number hidden
# (session 53's trial, b52 c05-3: 「メモ見つけました！ ［暗証番号］ って書いてありました。これが暗証番号で合ってますか？」)
QUOTES_THE_ANSWER = re.compile(r"(?<![\s!！?？。、])(?:って|と)(?:(?:言って|いって|おっしゃって)(?:た|ました)|書いて(?:あった|ありました|た))")


def quotes_another_text(text: str, answer: str) -> bool:
    """The message refers back only by quoting (「…って書いてあったけど」), and most words of what it quotes are not in the
    answer just given: it quotes something read elsewhere (session 52's trial, b51 c07-6, after the lost smartphone: 「スマホ
    に入れるとき英数字のパスワードいるって書いてあったけど、4桁のやつとなにが違うんすか？」 got that answer's lines)."""
    quote = QUOTES_THE_ANSWER.search(text)
    if quote is None or REFERS_BACK.search(text.strip()) or CONFIRMS.search(text.strip()):
        return False
    quoted = content_words(re.split(r"[。！？!?]", text[:quote.start()])[-1])
    return bool(quoted) and 2 * sum(word in answer for word in quoted) < len(quoted)


def refers_back(text: str) -> bool:
    """The message starts from what was just said (「それって…」「その場合は…」「じゃあ…」), quotes it (「…って言ってた
    けど」) or checks it back (「…ってことですか」) — not when it goes back to a topic of earlier (「さっきの…の話に戻るけど」)."""
    text = text.strip()
    return (bool(REFERS_BACK.search(text) or QUOTES_THE_ANSWER.search(text) or CONFIRMS.search(text))
            and not TOPIC_RETURN.search(text))


# the person is said to be alive: the death was misread (b62 c08-2: 「すみません、母はまだ元気です。…質問は、家族（私）が兄の
# カードを預かって管理していいのか…」 got the condolences again)
STILL_ALIVE = re.compile(r"まだ(?:元気|げんき|健在|生きて|いきて)|(?:元気|健在|存命)(?:です|でいます|でおります|にしています|だよ|よ|なんです)"
                         r"|生きて(?:います|いる|おります|ます|る)|亡くなって(?:は)?(?:いません|いない|ない|おりません)|死んで(?:は)?(?:いません|いない|ない)"
                         r"|(?:亡くな|なくな|死ん)った" + SET_ASIDE_RE)   # b66 c02-6: 「亡くなった話はもうええんよ」


def still_governed(lexicon: Lexicon, previous_reply: List[dict], text: str = "") -> List[dict]:
    """The routing reply again when the previous reply routed a topic that `governs` its message (a deceased
    person's card) and the latest message starts from it (「じゃあ母の資格確認書は？」): [message] or [] — also when
    the message names another uncovered topic of its own (fifteenth trial: 「母がマイナポイントってまだもらえるの？」
    got the deceased person's reply again, word for word)."""
    routed = [lexicon.uncovered.get(custom.get("uncovered") or "") for custom in previous_reply]
    governing = next((concept for concept in routed if concept is not None and concept.governs), None)
    if governing is None or STILL_ALIVE.search(text) or any(concept != governing.id for concept in lexicon.find(text).uncovered):
        return []
    return [route_message(governing.id, governing.reply)]


WHERE_TO_ASK_ENTRY = "contact_municipality"   # where to ask about what, with the numbers
WHERE_TO_ASK = {WHERE_TO_ASK_ENTRY, "free_dial"}   # the answers that say where to ask, whatever the topic

# 「代理人でもできる？」「家族もいい？」: whether someone else may do what was just talked about
DONE_BY_OTHERS = re.compile(r"(?<![てで])(?:でも|も)\s*(?:できる|できます|出来る|出来ます|いい|良い|よい|大丈夫|だいじょうぶ|かまわ|構わ|可能|OK|ok)"
                            r"[^。\n]{0,6}$")


def still_routed(kb: KnowledgeBase, lexicon: Lexicon, previous_reply: List[dict], text: str) -> List[dict]:
    """After a routing reply, a short follow-up asking whether someone else may do it (「代理人でもできる？」 after the
    電子証明書's renewal, session 27's blind trials: it got who may collect a card) is about the routed topic: said
    again in short (the documents do not say; where to ask, as before); one asking where, naming no topic (「じゃあどこに
    聞けばいい？」 after the マイナ免許証's routing, session 32's blind trial: the card's offices, not the police), gets the
    routing reply's lines that say where: [message] or []."""
    routed = next((custom.get("uncovered") for custom in previous_reply if custom.get("uncovered")), None)
    found = lexicon.find(text)
    if any(custom.get("answer_id") for custom in previous_reply):
        return []   # an answer beside the routing reply: the follow-up may be about it (session 28's blind trials, after the
                    # photo exception beside a routed 訪問看護: 「枕が写っててもいい？」 got 「さきほどお伝えしたとおり…」)
    if (routed is None or not short_follow_up(text) or about_the_card(text)
            or any(concept != routed for concept in found.uncovered)):
        return []
    if DONE_BY_OTHERS.search(text.strip()):
        return [BotMessage(text=kb.messages["same_route"], fallback=True, extra={"uncovered": routed}).to_rasa()]
    reply = lexicon.uncovered[routed].reply if routed in lexicon.uncovered else ""
    places = [line for line in reply.splitlines() if CONTACT.search(line)]
    topics = [cid for cid in asked_topics(found.covered, lexicon) if set(lexicon.covered[cid].intents) - WHERE_TO_ASK]
    if ASKS_WHERE.search(text) and places and not topics:   # 「どこに聞けば」 names where, not what
        return [BotMessage(text=kb.messages["route_where"].format(places="\n".join(places)), fallback=True,
                           extra={"uncovered": routed}).to_rasa()]
    return []

def routed_in_context(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """A follow-up about an uncovered side of the previous answer's topic (「それっていつまで使えるんですか？」 after
    the 資格確認書: its validity) gets that topic's routing reply, as if the topic had been named — also when the
    message alone would route elsewhere (「それって有効期限あるんですか？」 alone: the card's validity, ask the
    市区町村; after the 資格確認書: its own, ask the insurer): [message] or []."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None or lexicon.blocking(lexicon.find(previous.title)):
        return []   # no answer before it, or the title alone routes
    concept = lexicon.blocking(lexicon.find(f"{previous.title}。{text}"))
    alone = lexicon.blocking(lexicon.find(text))
    if concept is None or (alone is not None and alone.id == concept.id):
        return []   # nothing routes, or the message routes as well on its own (the fit rules do that)
    return [route_message(concept.id, concept.reply)]


def where_to_ask(kb: KnowledgeBase, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """「それってどこに申し込めばいいの？」 after an answer: that answer's lines that say where to go or ask, with its
    出典 (the place is in the answer just given): [message] or [] when the message does not ask where, or the
    answer names no place to go — for a message about something (「その顔写真証明書は…どこで入手できますか」), no place
    to go in a line that names it (a blind trial, 2026-12-03: got the 報償費 line, which says to ask the 市区町村)."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None or not ASKS_WHERE.search(text):
        return []
    lines = [line for line in previous.answer.splitlines() if PLACE.search(line) and CONTACT.search(line)]
    about = {word for word in content_words(text) if not ASKS_WHERE.search(word) and word not in WHERE_WORDS}
    if about:   # 「その顔写真証明書というのは、決まった様式があるのでしょうか？どこで入手できますか？」: only lines naming it
        lines = [line for line in lines if line_score(about, set(), line) > 0]
    if lines and ASKS_PHONE.search(text) and not any(numbers_in(line) for line in lines) and WHERE_TO_ASK_ENTRY in kb.by_id:
        # a number asked for, none in those lines (session 37's blind trial, a 92-year-old after the fees: 「どこに でんわ
        # すれば いいの」 got 「これら以外の費用は…市区町村にご確認ください」): where to ask about what, with the free dial's number
        return [answer_message(kb, kb.by_id[WHERE_TO_ASK_ENTRY])]
    return _quoted(kb, previous, "where_follow_up", lines)


AGAIN = re.compile(r"(?:もう|今)?(?:一度|一回)(?:教え|言っ)?")   # 「もう一度教えてや」: no word of what it is about
# 「FAXの番号をもう一度教えてください。書く様式はありますか？」: the answer asked for again (session 35's blind trial, a deaf
# user, got 「同じになるため、くり返しません」)
ASKED_AGAIN = re.compile(r"(?:もう|今)\s*(?:一度|一回|いちど|いっかい|1回|1度)")
# 「資格確認書のところ、申請がいるのかいらないのか結局どっちなんでしょう？」 (b57 c01-5): the answer just given, once more as a
# whole — a line of it is no decision the answer did not make
WHICH_THEN = re.compile(r"(?:結局|けっきょく)(?:は|の\s*ところ)?[、,\s]*(?:どっち|どちら|どう)")


def content_words(text: str) -> Set[str]:
    """The kanji and katakana words of a message that say what it is about (not 本人, 場合, カード…), and 届く — a verb
    of one kanji that a follow-up asks by (「カードはどのように本人に届きますか？」), or 年齢 for an age given (`SIGNAL_WORDS`)."""
    text = AGAIN.sub(" ", text)
    for spelling, answers in ANSWERS_SPELLING:
        text = spelling.sub(answers, text)
    words = (STEM_AFTER_KATAKANA.sub("", word) for word in CONTENT_WORD.findall(text))
    signalled = {word for pattern, word in SIGNAL_WORDS if pattern.search(text)}
    return {word for word in words if len(word) >= 2 and word not in GENERIC_WORDS} | signalled


def in_the_answers_words(text: str, answer: str) -> str:
    """The message with each kanji compound that the answer holds only in two parts written apart (「当日写真はどうする？」
    after the outreach answer: 当日, 顔写真 — session 27's blind trials got the photo exception)."""
    def parts(match: re.Match) -> str:
        word = match.group()
        if len(word) < 4 or word in answer or not KANJI.fullmatch(word[0]):
            return word
        return next((f"{word[:cut]} {word[cut:]}" for cut in range(2, len(word) - 1)
                     if word[:cut] in answer and word[cut:] in answer), word)
    return CONTENT_WORD.sub(parts, text)


PHONE_LINES = ("0120", "050-")   # how the answers' phone numbers begin (the free dials, the IP-phone numbers)
# a word of a follow-up and the answers' word for it (「操作を手伝って」: 「家族や職員が手助けしてかまいません」)
SAME_WORD = {"同意書": ("合意", "同意", "預かり証"),   # 「預かるのに本人の同意書みたいなもんはいるんか？」 after the card's keeping:
             # 「入所契約や預かり証などの合意があれば施設で…」 (session 33's trial: 「同じになるため、くり返しません」)
             "届く": ("届き", "届か", "届い"),   # 「どのように届きますか？」 after the outreach at home: 「…市区町村に届き、…郵便等で送られます」
             HOURS: ("24時間", "時間", "受付", "9:30"),   # 「24時間365日受付」, 「平日 9:30～20:00」
             "手伝": ("手助",), "手助": ("手伝",), "代筆": ("代わりに書",), "押印": ("ハンコ", "はんこ", "印鑑"),
             "ハンコ": ("押印", "印鑑"), "印鑑": ("押印", "ハンコ"),   # 「その場合、はんこも必要ですか。」 after braille: 押印等
             "何番": ("番」",), "何回": ("回",),   # 「あと何回まちがえられる？」 after the PIN reset: 「連続して3回」   # 「で何番おせばいいの？」 after the lost-card steps: 音声ガイダンス「2番」
             # 「一度登録したら毎回しなくてもいいですか」 after the registration (session 35's blind trial: 「もしかして」): 「生涯1回」
             "毎回": ("1回", "都度"), "毎度": ("1回", "都度"), "都度": ("1回", "都度"),
             # 「夜中でも止めてもらえるんですね？ 休みの日でも？」 after them: 24時間365日 (a blind trial, 2026-12-03)
             "夜中": ("24時間",), "深夜": ("24時間",), "夜間": ("24時間",), "休み": ("365日", "土日祝"), "休日": ("365日", "土日祝"),
             "土曜": ("土日祝",), "日曜": ("土日祝",), "祝日": ("土日祝",), "土曜日": ("土日祝",), "日曜日": ("土日祝",),
             "何時": ("時間", "時まで", ":"),   # 「土曜日は何時まで？」 after the free dial (session 27's blind trials: declined)
             "書式": ("様式",), "様式": ("書式",),   # 「委任状の書式は？」: 「委任状の様式は…市区町村にお問い合わせください」
             "役所": ("市区町村",), "役場": ("市区町村",), "市役所": ("市区町村",), "区役所": ("市区町村",),
             # 「返事もFAXで来るの？」 after the FAX answer (session 37's blind trial: 「くり返しません」; session 35's: 「返事はどのよう
             # に届きますか？」 partial): its line 「回答は…FAXで届く」
             "返事": ("回答", "返信"), "返信": ("回答",),
             # 「同意画面ではどんなことを聞かれるんですか」 after the reader's steps (session 38's blind trial): 「…提供するか選びます」
             "同意画面": ("提供するか", "提供する」"), "画面": ("提供するか", "提供する」"),
             "番号": PHONE_LINES,   # 「番号をもう一度教えて」 after an answer: its phone number (session 26's blind trials)
             "電話番号": PHONE_LINES,   # 「警察にも言わなきゃだめか あとさっきの電話番号もう一回」 (b71 c08-2: the police only)
             # 「カードをなくしてから再発行までの間、病院はどうすればいいですか？」 after the lost card (session 28's blind trials:
             # only the reissue line): its 「カードがない間の受診」 line
             "病院": ("受診", "医療機関"),
             "スケジュール": (DAYS_BEFORE,),   # 「スケジュール感を知りたいです」 after the outreach: its 約30日前, 約20日前 lines
             "年齢": ("歳以上", "歳未満", "歳以下")}   # an age given (AGE_GIVEN): the lines on an age
GENERIC_WEIGHT = 0.5   # 家族, 職員…: alone they do not name a line, beside another word they tell lines apart


def line_score(words: Set[str], generic: Set[str], line: str) -> float:
    """How much of a follow-up's words a line of an answer names (its word or the answers' word for it)."""
    named = sum(any(variant in line for variant in (word, *SAME_WORD.get(word, ()))) for word in words)
    return named + GENERIC_WEIGHT * sum(word in line for word in generic)


def said_before(kb: KnowledgeBase, previous_answer_id: Optional[str], text: str, intro: str = "said_before",
                lexicon: Optional[Lexicon] = None, others_only: bool = False) -> List[dict]:
    """A follow-up the answer just given already answers (「それって申請しないともらえないの？」 after the 資格確認書,
    which says it is sent without an application): the lines of that answer that name most of the follow-up's
    words — and, given the `lexicon`, of the topics it asks about, however written (「何を持ってきてもらえば」 names
    the 本人確認書類 line; 「うけつけで」 the 受付 one) — at most MAX_QUOTED, with its 出典: [message] or [] when no line
    names one."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None:
        return []
    lines = _lines_named(previous, text, lexicon, others_only)
    asked = [part for part, asking in asking_parts(text) if asking]
    if lines is not None and len(asked) > 1:   # each question's own lines (b60 c07-2, after the lost card's steps: 「それって
        # 夜中にかけてもつながるってこと？あと警察って絶対行かなきゃダメ？」 got the free dial's line, not the police's)
        each = [_lines_named(previous, part, lexicon, others_only) or [] for part in asked]
        lines = [line for line in previous.answer.splitlines() if line in lines or any(line in own for own in each)]
    return _quoted(kb, previous, intro, lines) if lines and len(lines) <= MAX_QUOTED else []


def _lines_named(previous: Entry, text: str, lexicon: Optional[Lexicon], others_only: bool) -> Optional[List[str]]:
    """The lines of the answer that name most of the text's words and topics (`said_before`); None when its own words
    are in no line, [] when nothing is named."""
    words = content_words(text)
    generic = {word for word in CONTENT_WORD.findall(text) if word in GENERIC_WORDS}
    topics = set(asked_topics(lexicon.find(text).covered, lexicon)) if lexicon is not None else set()
    if others_only and lexicon is not None:   # not the answer's own topic, which all its lines name
        topics = {cid for cid in topics if previous.intent not in lexicon.covered[cid].intents}
    if not (words or topics):
        return []

    def named(line: str) -> int:
        return len(topics.intersection(lexicon.find(line).covered)) if topics and lexicon is not None else 0
    answer_lines = previous.answer.splitlines()
    if words and not any(line_score(words, set(), line) for line in answer_lines):
        return None   # its own words are in no line (「3回まちがえるとロックさなるって…」 after the reset by a proxy, session
                      # 38's blind trial: the proxy's line, which names the reset's topic only): not answered there
    hits = [(line_score(words, generic, line) + named(line), line) for line in answer_lines]
    best = max((count for count, _ in hits), default=0)
    return [line for count, line in hits if best >= 1 and count == best]


def named_in_the_answer(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """A follow-up the fit rules cannot place on its own, that asks about a topic the answer just given speaks of
    (fifteenth trial, after the outreach answer: 「参加者には何を持ってきてもらえばいいですか？」 was declined; after the
    資格確認書 in short: 「これを うけつけで みせれば いいの？」): the lines of that answer that name it (`said_before`);
    [] when the message names no such topic."""
    previous = kb.by_id.get(previous_answer_id or "")
    topics = set(asked_topics(lexicon.find(text).covered, lexicon))
    if previous is None or not any(topics.intersection(lexicon.find(line).covered) for line in previous.answer.splitlines()):
        return []
    return said_before(kb, previous.id, text, lexicon=lexicon)


def carried_kind(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str]) -> Optional[CoveredConcept]:
    """The kind of card (a `carried` concept: 顔認証マイナンバーカード) that the answer just given is about — its title or
    first line names it — if any."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None:
        return None
    named = lexicon.find(f"{previous.title}。{previous.answer.splitlines()[0]}").covered
    return next((lexicon.covered[cid] for cid in named if lexicon.covered[cid].carried), None)


SHORT_FOLLOW_UP = 20   # characters: 「どこの銀行？」, 「警察には何日以内に？」
# a question's ending, plain or polite, says nothing of what is asked (「…始めればよいでしょうか？」, 「…どうするの？」)
QUESTION_END = re.compile(r"(?:のでしょうか|でしょうか|のですか|んですか|ですか|ますか|ませんか|のかな|かな|の|か)?[\s？?。！!]*$")


def short_follow_up(text: str) -> bool:
    """Short enough to lean on the answer just given: at most SHORT_FOLLOW_UP characters before its question's ending
    (session 32's blind trial, after the card reader steps: 「顔認証がなかなか通らないときはどうするの？」, 21 characters,
    was declined; that answer's line says what is done then)."""
    return len(QUESTION_END.sub("", text.strip())) <= SHORT_FOLLOW_UP


def referring_clause(text: str) -> str:
    """The message's last clause when it refers back to what was just said, after clauses saying who the person is (「父は
    もう字が書けないんですけど、その委任状はどうしたら？」: 「その委任状はどうしたら？」, session 27's blind trials); else the text
    — also after clauses saying what will be done (「申請はタブレットでオンラインにしようと思いますが、その場合に不要になる
    物はありますか。」 after the outreach answer: its 「撮影サービス時は不要」 line is not what is asked)."""
    last = re.split(r"[、。,，]", text.strip().rstrip("、。,，"))[-1].strip()
    before = text.strip()[:text.strip().rfind(last)]
    return last if last != text.strip() and refers_back(last) and names_the_person(before) else text


def held_by_the_answer(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], answered: Set[str],
                       text: str, routed: bool = False, intro: str = "said_before") -> List[dict]:
    """A short follow-up whose every word the answer just given holds (or the answers' word for it), and the answers the
    classifier gives or offers (`answered`, if any) do not, asks about that answer (session 27's blind trials, after the switch to the 顔認証
    card by a proxy: 「委任状の書式は？」 got the 7 documents for collecting a card; that answer says 「委任状の様式は
    住所地の市区町村にお問い合わせください」): its lines naming them (`said_before`); [] otherwise."""
    previous = kb.by_id.get(previous_answer_id or "")
    text = in_the_answers_words(referring_clause(text), previous.answer if previous else "")
    words = content_words(text)
    if previous is None or not words or previous.id in answered or not short_follow_up(text) or routed:
        return []   # routed: the documents do not say it (「再発行っていくらかかる？」 after the lost-card steps)

    def holds(answer: str) -> bool:
        return all(any(variant in answer for variant in (word, *SAME_WORD.get(word, ()))) for word in words)
    if not holds(previous.answer) or any(holds(kb.by_id[i].answer) for i in answered if i in kb.by_id):
        return []
    found = lexicon.find(text)
    topics = set(asked_topics(found.covered, lexicon))
    if topics and not topics & set(lexicon.find(previous.answer).covered):
        return []   # a topic the answer does not speak of (「電話するのは本人じゃなくて職員でもいい？」 after the free dial)
    if _outranking_topics(lexicon, previous, found):
        return []   # a topic that outranks the answer (「住所が板柳で病院が弘前って町が違うべ」 after the outreach: session 45's trial)
    return said_before(kb, previous.id, text, intro=intro)


# 「もう過ぎてる？」「いつから？」「今はもう使えないの？」「じゃあ今年の話じゃないの？」: when, against today
ASKS_WHEN = re.compile(r"いつ|過ぎ|すぎて|今は|今も|今でも|いまは|いまも|今年|もう使え|まだ使え|もう(?:な[いく]|無[いく])|間に合|もう終わ|終わって")
# a date something happens on (「2024年12月2日に」「2025年12月1日まで」「2024年10月予定」) — not a document's date
# (「2023年12月のマニュアル」「2024年6月17日の事務連絡」「2023年12月版」)
EVENT_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?(?![\d日の版付])")
# 「今は夜の10時です。この時間でも電話できますか？」 (b59 c05-5, after the lost card's steps, got its 資格確認書 date): a time of
# day or week asks about hours, not dates
TIME_OF_DAY = re.compile(r"\d{1,2}時|何時|なんじ|時間|夜|朝|夕方|深夜|早朝|土日|土曜|日曜|休日|祝日|週末")


def when_in_the_answer(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str,
                       today: dt.date) -> List[dict]:
    """A short follow-up asking when, or whether a date has passed (session 28's blind trials, after the old 保険証's
    dates: 「もう過ぎてる？」 was declined, 「え、じゃあもう使えないってことですか？」 got 「もしかして」): the lines of the
    answer just given that say when something happens, and which of those dates are past today and which to come —
    the documents' dates are framed for today. [] when it names a topic that answer is not about, or the answer has
    no such line."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None or not short_follow_up(text) or not ASKS_WHEN.search(text) or TIME_OF_DAY.search(text):
        return []
    asked = asked_topics(lexicon.find(text).covered, lexicon)
    if asked and previous.intent not in lexicon.intents_of(asked):
        return []
    lines = [line for line in previous.answer.splitlines() if EVENT_DATE.search(line)][:MAX_QUOTED]
    dates = dict.fromkeys(match.group(0) for line in lines for match in EVENT_DATE.finditer(line))

    def first_day(date: str) -> dt.date:
        year, month, day = EVENT_DATE.fullmatch(date).groups()   # type: ignore[union-attr]
        return dt.date(int(year), int(month), int(day or 1))
    in_order = sorted(dates, key=first_day)
    past = [d for d in in_order if first_day(d) < today.replace(day=1) or (first_day(d) < today and "日" in d)]
    to_come = [d for d in in_order if first_day(d) > today]
    said = [f"{'・'.join(past)}は過ぎています" if past else "", f"{'・'.join(to_come)}はまだ先です" if to_come else ""]
    note = kb.messages["dates_today"].format(today=f"{today.year}年{today.month}月{today.day}日",
                                             dates="。".join(part for part in said if part)) if any(said) else ""
    return _quoted(kb, previous, "said_before", lines, note)


# 「警察にはもう届けました。次は何をすればいいですか？」: a step done, the rest asked for
DONE = re.compile(r"(?:届け(?:出)?(?:まし)?た|出し(?:まし)?た|済(?:み|ませ|ん)|終わ(?:りまし|っ)た|電話し(?:まし)?た|止め(?:まし)?た"
                  r"|連絡し(?:まし)?た|行って?き(?:まし)?た|し(?:まし)?たけど|しました)")
ASKS_NEXT = re.compile(r"次|つぎ|そのあと|その後|あとは|後は|ほかに|他に|ほかは|他は")


def steps_left(kb: KnowledgeBase, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """A follow-up saying a step of the answer just given is done and asking what is next (session 28's blind trials, after
    the lost-card steps: 「警察にはもう届けました。次は何をすればいいですか？」 got the police step alone): that answer's
    numbered steps other than the one done. [] when the message says no step of it done."""
    previous = kb.by_id.get(previous_answer_id or "")
    if previous is None or not ASKS_NEXT.search(text):
        return []
    done = {word for clause in SENTENCE.findall(text) if DONE.search(clause) for word in content_words(clause)}
    steps = [line for line in previous.answer.splitlines() if LIST_ITEM.match(line)]
    left = [line for line in steps if not line_score(done, set(), line)]
    return _quoted(kb, previous, "steps_left", left) if done and steps and 0 < len(left) < len(steps) else []


def neighbours_of(kb: KnowledgeBase, entry: Entry) -> List[Entry]:
    """The entries related to `entry`, either way."""
    neighbours = [kb.by_id[i] for i in entry.related if i in kb.by_id]
    return neighbours + [other for other in kb.entries if entry.id in other.related and other not in neighbours]


def aspect_of_the_answer(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """A short follow-up that names only aspects (お金, 申し込み, 持ち物: the concepts' `aspect`) and neither the card nor a
    topic of its own asks them of the answer just given (a blind trial, 2026-12-03, after the 資格確認書: 「お金はかかり
    ますか」 got the card's fee; that answer's line says 無償): the lines of that answer naming them; [] when none does."""
    previous, found = kb.by_id.get(previous_answer_id or ""), lexicon.find(text)
    asked = asked_topics(found.covered, lexicon)
    if (previous is None or not asked or found.uncovered or about_the_card(text) or not short_follow_up(text)
            or not all(lexicon.covered[cid].aspect for cid in asked)):
        return []
    # each aspect asked, with the aspects of the same topic (お金がかかる and 無償 both the fee's)
    each = [{other for other, concept in lexicon.covered.items()
             if concept.aspect and concept.intents[0] == lexicon.covered[cid].intents[0]} for cid in asked]
    alike = set().union(*each)

    def of_the_answer(line: str) -> bool:   # naming every aspect asked (「申請に費用は」: not a line on the 申請 alone),
        named = asked_topics(lexicon.find(line).covered, lexicon)   # and no other topic (the lost-card steps' 「資格確認書が
        topics = [cid for cid in named if cid not in alike]          # 無償交付」)
        return all(same.intersection(named) for same in each) and (
            not topics or any(previous.intent in lexicon.covered[cid].intents for cid in topics))
    lines = [line for line in previous.answer.splitlines() if of_the_answer(line)]
    return _quoted(kb, previous, "said_before", lines) if 0 < len(lines) <= MAX_QUOTED else []


def words_in_the_answer(kb: KnowledgeBase, previous_answer_id: Optional[str], text: str, on_its_topic: bool = False) -> List[dict]:
    """A follow-up whose words lines of the answer just given name — words no concept knows: those lines (`said_before`).
    When the classifier, unsure, still finds the answer's topic the likeliest (`on_its_topic`: after the lost-card steps,
    「止めたあと警察とか役所にもいかないとダメ？」, session 26's blind trials), or it asks how long before (`HOW_EARLY`) and
    the answer says 「…日前」, the lines naming most of them; else only for
    a short one each of whose words a line names (session 25's, after the ATM registration: 「どこの銀行？」 was declined;
    that answer's line is 「3. セブン銀行のATMで登録する」). [] otherwise."""
    previous = kb.by_id.get(previous_answer_id or "")
    words = content_words(text)
    if previous is not None and (on_its_topic or (HOW_EARLY.search(text) and DAYS_BEFORE in previous.answer)):
        return said_before(kb, previous.id, text)
    if previous is None or not words or not short_follow_up(text):
        return []
    lines = previous.answer.splitlines()
    if not all(any(line_score({word}, set(), line) for line in lines) for word in words):
        return []
    return said_before(kb, previous.id, text)


SHORT_ITEM_CHARS = 20   # a list item shorter than this says nothing without its heading (「・マイナポータル」)
LIST_ITEM = re.compile(r"^\s*(?:\d+[.．)）]|[・･•-])\s*")
INTRODUCES_LIST = re.compile(r"(?:次の.{0,12}(?:です|あります|とおり|します)。|[：:])\s*$")


def _heading_of(lines_above: List[str], item: str) -> Optional[str]:
    """The line above the list the item is in: none when the items right above it are of another kind (「・…」 after
    「1. …」 — b60 c10-6: 「・資格確認書では過去のお薬…」 quoted under 「保険者に申請する方：」, whose list is numbered)."""
    numbered = item.lstrip()[:1].isdigit()
    for above in reversed(lines_above):
        if not LIST_ITEM.match(above):
            return above
        if above.lstrip()[:1].isdigit() != numbered:
            return None
    return None


def with_their_lists(answer: str, lines: List[str]) -> List[str]:
    """The chosen lines of an answer, each line that introduces a list (「受け付ける内容は次の2つです。」) followed by the
    list's items — a quote never ends on a promise — and an item after its list's heading when it is too short to stand
    alone (session 49's blind trial (b48): 「・マイナポータル」 quoted alone, without 【できないこと（暗証番号の入力が必要な
    サービス）】) or the heading is a label (「施設で管理するときの例：」: b59 c05-2 asked whether the locker is required)."""
    all_lines = answer.splitlines()
    headings = set()
    for index, line in enumerate(all_lines):
        if line in lines and LIST_ITEM.match(line):
            heading = _heading_of(all_lines[:index], line)
            if heading is not None and (len(LIST_ITEM.sub("", line)) < SHORT_ITEM_CHARS or INTRODUCES_LIST.search(heading)):
                headings.add(heading)
    out: List[str] = []
    for index, line in enumerate(all_lines):
        if line in headings and line not in lines and line not in out:
            out.append(line)   # the heading alone, not its whole list
        elif line in lines and line not in out:
            out.append(line)
            if INTRODUCES_LIST.search(line):
                for item in all_lines[index + 1:]:
                    if not LIST_ITEM.match(item):
                        break
                    if item not in out:
                        out.append(item)
    return out


def _quoted(kb: KnowledgeBase, previous: Entry, intro: str, lines: List[str], note: str = "") -> List[dict]:
    """Lines of the answer just given (with the lists they introduce), introduced by the message `intro` (and followed by
    `note`), with its 出典 and related entries."""
    if not lines:
        return []
    text = "\n".join([kb.messages[intro].format(title=previous.title), *with_their_lists(previous.answer, lines),
                      *([note] if note else [])])
    return [BotMessage(text=text, citation=kb.citation(previous), sources=kb.sources_payload(previous),
                       buttons=entry_buttons(kb, previous.related), answer_id=previous.id,   # 「下の『FAX用紙を作る』」: its link
                       links=[link.dict() for link in previous.links]).to_rasa()]   # (session 26's blind trials: none)


def aspect_near(kb: KnowledgeBase, lexicon: Lexicon, previous: Entry, text: str) -> List[str]:
    """The entries of the main topic of each aspect the message asks (持ち物: the proxy's documents) that are at most two
    steps from the answer just given (session 38's blind trial, after the ways to get a card for one who cannot go out:
    「そのとき持っていくものは？」 — that answer lists no documents; its neighbour's neighbour does)."""
    aspects = [lexicon.covered[cid] for cid in asked_topics(lexicon.find(text).covered, lexicon)
               if lexicon.covered[cid].aspect]
    neighbours = neighbours_of(kb, previous)
    near = {entry.id for entry in neighbours} | {far.id for entry in neighbours for far in neighbours_of(kb, entry)}
    return [entry.id for concept in aspects for entry in kb.by_intent.get(concept.intents[0], [])
            if entry.id in near and entry.id != previous.id]


def following_up(kb: KnowledgeBase, messages: List[dict], previous_answer_id: Optional[str],
                 unsure: bool = False, text: str = "", lexicon: Optional[Lexicon] = None) -> List[dict]:
    """`messages` — unless they give no answer (nor where to ask about an uncovered topic), or only an answer the
    classifier was `unsure` of, and an answer came just before: then the lines of that answer the message asks about
    (`said_before`), or else 「もしかして」 naming that answer, the entries near it on an aspect the message asks
    (`aspect_near`, given the `lexicon`) and its related entries first (the message most likely follows it up), then the
    answers or candidates of `messages`."""
    previous = kb.by_id.get(previous_answer_id or "")
    custom = messages[0]["custom"] if messages else {}
    answered = [m["custom"]["answer_id"] for m in messages if m["custom"].get("answer_id")]
    if previous is None or (answered and not unsure and not QUOTES_THE_ANSWER.search(text)) or custom.get("uncovered"):
        return messages
    quoted = said_before(kb, previous.id, text)
    if quoted:
        return quoted
    asked = aspect_near(kb, lexicon, previous, text) if lexicon is not None else []
    candidates = [*asked, *previous.related, *answered, *custom.get("candidates", [])]
    ids = [i for i in dict.fromkeys(candidates) if i in kb.by_id and i != previous.id]
    # the one of them the message's words are about, even words on who the person is (b60 c09-2, after what the card is
    # for, offering the ways for one who cannot go out: 「えらぶのも しんどい… やくしょ 行くのが むりで」 got this 「もしかして」)
    named = lexicon.intents_of(lexicon.find(text).covered) if lexicon is not None else set()
    fitting = [i for i in ids if kb.by_id[i].intent in named]
    if len(fitting) == 1:
        return [answer_message(kb, kb.by_id[fitting[0]])]
    return _which_of(kb, previous, ids)


def _which_of(kb: KnowledgeBase, previous: Entry, ids: List[str]) -> List[dict]:
    """「もしかして」 after the answer `previous`: is the message about it, or one of these entries?"""
    text = kb.messages["clarify_follow_up"].format(title=previous.title)
    return [BotMessage(text=text, buttons=entry_buttons(kb, ids[:MAX_CANDIDATES]), fallback=True,
                       extra={"candidates": ids[:MAX_CANDIDATES], "follows": previous.id}).to_rasa()]


def variant_asked(kb: KnowledgeBase, previous_answer_id: Optional[str], entities: Dict[str, List[str]],
                  of_related: bool = True) -> List[dict]:
    """A follow-up whose words select another variant of the answer just given's topic (session 26's blind trials,
    after the PIN reset: 「おらが代わりに役場さ行ってもいいんだべか？」 was declined; its variant for one who asks on the
    person's behalf answers it), else a variant of its related topics (「もしかして」 when several): that variant; [] when
    they select none, or the one just given. `of_related` False (the classifier reads the message as the answer's own
    topic): not of its related topics (b59 c07-2, after the card reader: 「画面の「同意する」ボタンを僕らが代わりに押す
    のもアリ？」, hoken_visit 0.90, got the PIN reset's variant for a proxy)."""
    previous = kb.by_id.get(previous_answer_id or "")
    chosen = kb.select(previous.intent, entities) if previous is not None else None
    if previous is not None and of_related and (chosen is None or not chosen.when):   # else of a related topic, when only one has it
        # (session 38's blind trial, after the photo taken at home: 「ゆうびんで出すときはどうすればいいの」 was declined;
        # the photo exception's variant for a mailed application answers it)
        related = (kb.select(kb.by_id[i].intent, entities) for i in previous.related if i in kb.by_id)
        variants = list({entry.id: entry for entry in related if entry is not None and entry.when}.values())
        if len(variants) > 1:   # 「郵便で出すときは」 after the photo rules: the photo exception's, or the application's?
            return _which_of(kb, previous, [entry.id for entry in variants])
        chosen = variants[0] if variants else None
    if chosen is None or chosen.id == previous_answer_id or not chosen.when:
        return []
    return [answer_message(kb, chosen)]


def neighbour_named(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], text: str) -> List[dict]:
    """The answer next to the one just given (related either way) that the message names by a concept's main topic,
    when the classifier could not place the message (thirteenth trial, after the outreach answer: 「入所者のうち5人
    くらいは住民票が前の市に残ったままなんですが、その人たちも同じ日に一緒に申請できますか？」 was declined, out of
    scope 0.65): the concept and the conversation agree; or, named by a word of its title, the one such answer (`_titled`);
    or the main topic of a named concept that `outranks` the answer just given (session 27's blind trials, after the
    free dial's hours that followed a lost card: 「警察にもいかなあかんの」 got the dial's menu line, not the steps).
    [] when none is named, or an uncovered topic is."""
    previous = kb.by_id.get(previous_answer_id or "")
    found = lexicon.find(text)
    if previous is None or found.uncovered:
        return []
    neighbours = neighbours_of(kb, previous)
    topics = [lexicon.covered[concept_id].intents[0] for concept_id in found.covered
              if not lexicon.covered[concept_id].context]   # who the person is names no topic
    if previous.when and previous.intent in topics:   # still on the variant just given: its lines (`named_in_the_answer`),
        return []   # not its topic's default (after the lost smartphone's steps, 「…結局スマホが見つからなかったら？」 got
                    # the lost card's: police, reissue — session 26's blind trials)
    named = _outranking(kb, lexicon, previous, found)   # the lost card's steps, after the free dial's hours
    named = named or next((entry for topic in topics for entry in neighbours if entry.intent == topic and not entry.when), None)
    named = named or next((entry for topic in topics for entry in by_their_numbers(kb, previous) if entry.intent == topic), None)
    named = named or _titled(neighbours, previous, text)
    return [answer_message(kb, named)] if named is not None else []


def _outranking_topics(lexicon: Lexicon, previous: Entry, found: Found) -> List[str]:
    """The main topics of the concepts named in the message that `outrank` the answer just given — not of one that loses
    to another named concept outranking it in turn (the later in the file wins, as in `fit.decide`: b59 c04-2, after the
    photo exception, a photo the father takes of a son whose gaze wanders got the photo rules)."""
    order = list(lexicon.covered)

    def loses(cid: str) -> bool:
        concept = lexicon.covered[cid]
        return any(order.index(other) > order.index(cid) and concept.intents[0] in lexicon.covered[other].outranks
                   and lexicon.covered[other].intents[0] in concept.outranks for other in found.covered)
    return [lexicon.covered[cid].intents[0] for cid in found.covered
            if previous.intent in lexicon.covered[cid].outranks and not loses(cid)]


def _outranking(kb: KnowledgeBase, lexicon: Lexicon, previous: Entry, found: Found) -> Optional[Entry]:
    """The first such topic's default entry (`_outranking_topics`)."""
    outranking = _outranking_topics(lexicon, previous, found)
    return kb.default_entry(outranking[0]) if outranking else None


def outranking_answer(kb: KnowledgeBase, lexicon: Lexicon, previous_answer_id: Optional[str], found: Found) -> List[dict]:
    """A message back on the answer just given that names a concept outranking it gets that concept's answer (session 45's
    trial, after the outreach: 「さっきのだばって、住所が板柳で病院が弘前って町が違うべ。それでも大丈夫なのが？」 got the
    outreach's first line again, not the answer for a 住所地 other than the hospital's town)."""
    previous = kb.by_id.get(previous_answer_id or "")
    named = _outranking(kb, lexicon, previous, found) if previous is not None and not found.uncovered else None
    return [answer_message(kb, named)] if named is not None else []


def _not_had(text: str, word: str) -> bool:
    """Every mention of the word says the person has not got it (「スマホを持っていませんし」: session 27's blind trials, after
    the four ways to apply, got the smartphone steps)."""
    ends = [match.end() for match in re.finditer(re.escape(word), text)]
    return bool(ends) and all(NOT_HAD.match(text[end:]) for end in ends)


def by_their_numbers(kb: KnowledgeBase, previous: Entry) -> List[Entry]:
    """The default entries whose first line's phone number the answer gives (the free dial's, after a card refused at a
    hospital: 「受付時間は？」 asks its hours — session 28's blind trials got the card pickup's)."""
    given = set(numbers_in(previous.answer))
    return [entry for entry in kb.entries if entry is not previous and not entry.when
            and given & set(numbers_in(entry.answer.splitlines()[0]))]


def _titled(neighbours: List[Entry], previous: Entry, text: str) -> Optional[Entry]:
    """The one neighbour whose title holds a word of the message that the answer just given's title does not (after
    「施設での出張申請受付」: 「当日ですが、施設側は何をすればいいですか？」 → 「出張申請受付の当日」, out of scope 0.44) — none
    when the answer just given holds every word (session 27's blind trials, after the 資格確認書: 「申請いるの？」 got
    「施設での出張申請受付」; its own lines say who applies)."""
    said = content_words(text)
    if said and all(word in previous.answer for word in said):
        return None
    words = [word for word in said if word not in previous.title and not _not_had(text, word)]
    titled = [entry for entry in neighbours if any(word in entry.title for word in words)]
    return titled[0] if len(titled) == 1 else None


# the answer was hard to read: 「かんじが おおくて よくわからない」「ながい😅」「むずかしくてわからない」 — not 「暗証番号が
# わからない」 (a topic: `in_short` is used only when the message names none) nor 「字を書くのが難しい」
NOT_UNDERSTOOD = re.compile(r"(?:よく)?(?:わから|分から|判ら)(?:ない|ん|へん|なかった)|わかりにく|分かりにく|理解でき(?:ない|ん)"
                            r"|読めな|よめな|ながい|長い|長すぎ|ながすぎ|(?:かんじ|漢字)(?:が|ばかり|ばっか|多)"
                            r"|(?:むずかし|難し)(?:くて|すぎ|い[。!！…\s]*$)|意味が"
                            r"|(?:ひらがな|平仮名)(?:で|に)(?:おねが|お願|かいて|書いて|おしえ|教え|よ[むみん]|読|して|[。!！\s]|$)"
                            r"|ふりがな|振り仮名|ルビ"   # 「ひらがなで おねがい」, not 「署名はひらがなでもいい？」
                            # 「かんたんな にほんごで おねがいします」 (session 43's trial: read as a greeting, the welcome menu)
                            r"|(?:簡単|かんたん|やさしい|易しい)な?\s*(?:日本語|にほんご|ことば|言葉)"
                            # 「もういちど みじかく」「もう一度お願いします」「もっと短く」 (session 27's blind trials: 「承知しました」)
                            # 「…どうしますか？やさしく おねがいします」 (session 56, b54 c06-3: the answer in full, in kanji)
                            r"|(?:短く|みじかく|簡単に|かんたんに|手短に|やさしく|易しく|優しく)(?:して|いって|言って|おねが|お願|教え|おしえ|[。!！\s]|$)"
                            r"|(?:もう|今)\s*(?:一度|いちど|1回|一回|いっかい)\s*(?:おねが|お願|みじかく|短く|[。!！\s]*$)")
SHORT_ANSWER_CHARS = 120
NOT_IN_THE_DOCUMENTS = re.compile(r"(?:資料|手元)[^。]*(?:書かれていません|ありません)")
# the reader asks for kana (「かんじが よめない」「ひらがなで」); one who writes in kana only is offered it (a button)
ASKS_FOR_KANA = re.compile(r"かんじ|漢字|ひらがな|平仮名|ふりがな|振り仮名|ルビ|よめな|読めな")
NAMES_KANA = re.compile(r"かんじ|漢字|ひらがな|平仮名|ふりがな|振り仮名|ルビ")
# someone described, not the answer (fifteenth trial, a 民生委員: 「目が悪くて郵便物が読めない方がいて…私が代わりに書いて
# あげてもいいもんでしょうか？」 turned the whole conversation into hiragana): a person who cannot read or understand,
# or eyesight (hiragana does not help it)
DESCRIBES_A_PERSON = re.compile(r"(?:読め|よめ|わから|分から|わかん|理解でき)(?:ない|なかった|へん|ん)(?:方|かた|人|ひと|利用者|入所者|高齢者|お年寄り|者|患者)"
                                r"|目が(?:悪|わる|見え|みえ|不自由|弱|よわ)|視力|視覚|老眼|弱視|全盲")
KANA = re.compile(r"[ぁ-ゖァ-ヶー]")
MIN_KANA_WRITTEN = 10
HIRAGANA_BUTTON = "ひらがなで よむ"


def writes_in_kana(text: str) -> bool:
    """The message is written in kana only, and long enough to tell (「だいりこうふの ひつようしょるい」)."""
    return not KANJI.search(text) and len(KANA.findall(text)) >= MIN_KANA_WRITTEN


# the reader of hiragana says kanji is fine again (fifteenth trial: 「漢字まじりの普通の文章でお願いします」 and 「ひらがなを
# やめて、ふつうの漢字で書いてください」 got 「しょうちしました」 and more hiragana)
KANJI_IS_FINE = re.compile(r"(?:漢字|かんじ)\s*(?:で\s*(?:いい|良い|大丈夫|だいじょうぶ|結構|OK|ok|書いて|かいて|お願|おねが)"
                           r"|(?:も|は)\s*(?:読め|よめ)|(?:まじり|混じり|交じり|に戻|にもど))"   # 「やっぱり かんじで いいです」
                           r"|(?:普通|ふつう)に\s*(?:書いて|かいて)"
                           r"|(?:ひらがな|平仮名)(?:を|は|だけ|ばかり)?\s*(?:やめ|止め|もういい|いらな|要らな|不要|じゃなくて|でなくて|ではなく)"
                           r"|(?:普通|ふつう)の(?:文|ぶん|日本語|にほんご|漢字|かんじ|書き方)|元に戻して|もとにもどして")


def describes_someone(text: str) -> bool:
    """The message tells of a person who cannot read or see (「…読めない方がいて」), not of the answer's kanji."""
    return bool(DESCRIBES_A_PERSON.search(text)) and not NAMES_KANA.search(text)


def wants_kana(text: str) -> bool:
    """A message about an answer hard to read asks for it in hiragana (「かんじが おおくて よめない」) — not one that
    says kanji is fine (「漢字まじりの普通の文章で」), nor 「…読めない方がいて」 (someone described)."""
    if KANJI_IS_FINE.search(text) or describes_someone(text):
        return False
    return bool(ASKS_FOR_KANA.search(text))


def with_hiragana_offer(kb: KnowledgeBase, text: str, messages: List[dict]) -> List[dict]:
    """To a question written in kana only: an answer gets a first button 「ひらがなで よむ」 (the answer in short, in
    hiragana: `in_short`); a decline or 「もしかして」 comes in hiragana (thirteenth trial: 「わしのつまが ろうじんほーむに
    はいっとります。かーどが なくても おいしゃに かかれますか」 got its 「もしかして」 in kanji)."""
    if not writes_in_kana(text):
        return messages
    out: List[dict] = []
    for message in messages:
        entry_id, custom = message["custom"].get("answer_id"), message["custom"]
        if custom.get("fallback") and not custom.get("reading"):
            out += for_a_hiragana_reader(kb, [message])
            continue
        if entry_id and not custom.get("reading"):
            message["buttons"].insert(0, {"title": HIRAGANA_BUTTON, "payload": show_answer_payload(entry_id, reading="hiragana")})
        out.append(message)
    return out


def hard_to_read(lexicon: Lexicon, text: str) -> bool:
    """The message says an answer was hard to read or understand (「かんじが おおくて よくわからない」) — not that a
    topic is unknown (「暗証番号わからない人はどうするの」: a term right before the words)."""
    if describes_someone(text):
        return False
    for match in NOT_UNDERSTOOD.finditer(text):
        before = lexicon.find(text[max(0, match.start() - 8):match.start()])
        if not asked_topics(before.covered, lexicon) and not before.uncovered:
            return True
    return False


def names_a_topic(lexicon: Lexicon, text: str, aspects: bool = True, uncovered: bool = True) -> bool:
    """The message names a topic of the card (a covered one asked about, or an uncovered one), not only who the person is;
    without `aspects`, a covered topic that is not only an aspect of another's (the reply's fit check can place it);
    without `uncovered`, a covered one."""
    found = lexicon.find(text)
    asked = [cid for cid in asked_topics(found.covered, lexicon) if aspects or not lexicon.covered[cid].aspect]
    return bool(asked or (uncovered and found.uncovered))


def not_understood(lexicon: Lexicon, text: str) -> bool:
    """The message says the answer was hard to read or understand, and asks about no topic of its own."""
    found = lexicon.find(text)
    return hard_to_read(lexicon, text) and not asked_topics(found.covered, lexicon) and not found.uncovered


def for_a_hiragana_reader(kb: KnowledgeBase, messages: List[dict], whole: bool = False,
                          by_fax: bool = False, lexicon: Optional[Lexicon] = None, text: str = "") -> List[dict]:
    """The reply for a user who has asked for hiragana before (trial 13: 「また かんじに もどっとる」): a whole answer
    in short (`in_short`, with the lines on what the message `text` asks) — all of it when asked for (`whole`:
    「ぜんぶを よむ」 gave the short form again, fifteenth trial) — any other message's text and buttons in hiragana;
    the 出典 as written."""
    out: List[dict] = []
    for message in messages:
        said = BotMessage.from_rasa(message["text"], message.get("buttons") or [], message["custom"])
        entry = kb.by_id.get(said.answer_id or "")
        if said.extra.get("reading"):
            out.append(message)
        elif entry is not None and not said.fallback and said.text.strip() == entry.answer.strip() and not whole:
            out += in_short(kb, entry.id, hiragana=True, by_fax=by_fax, lexicon=lexicon, text=text)
        else:
            out.append(readable_in_hiragana(said).to_rasa())
    return out


def buttons_in_hiragana(buttons: List[dict]) -> List[dict]:
    """Button titles for a reader of hiragana only (payloads as they are); a title without kanji as it is."""
    return [{**button, "title": for_hiragana_readers(button["title"])} if KANJI.search(button["title"]) else button
            for button in buttons]


def readable_in_hiragana(said: BotMessage) -> BotMessage:
    """The message's text and button titles for a reader of hiragana only, marked so (custom `reading`)."""
    said.text = for_hiragana_readers(said.text)
    said.buttons = buttons_in_hiragana(said.buttons)
    said.extra["reading"] = "hiragana"
    return said


CHECKLIST_ITEM_CHARS = 25   # an item this short without its long 「（…）」 names a thing to bring
LONG_ASIDE = re.compile(r"（[^）]{11,}）")   # 「（紛失の場合は「通知カード紛失届」を作成）」; 「（本人）」「（お持ちの方のみ）」 stay


def numbered_item(line: str) -> bool:
    """A numbered list's item (「1. …」), not a 「・」 note."""
    return bool(LIST_ITEM.match(line)) and line.lstrip()[:1].isdigit()


def short_list(lines: List[str]) -> List[str]:
    """The list the answer's first line leads into, in short: a checklist (every item a short name, 「1. 交付通知書（…）」)
    whole, each item without its long 「（…）」 — session 42's trial: 「なにを もって いけば いいですか？ かんたんに」 got 3 of the
    proxy's 7 documents, without the proxy's own; another numbered list's first MAX_QUOTED items and how many more there
    are; a list of 「・」 notes, its first MAX_QUOTED."""
    if lines and HEADING.match(lines[0]):
        return headed_lists(lines)
    items: List[str] = []
    for line in lines:   # the run of items marked as the first is (「1.」「2.」…, then 「・」 notes apart)
        if not LIST_ITEM.match(line) or (items and numbered_item(line) != numbered_item(items[0])):
            break
        items.append(line)
    if len(items) <= MAX_QUOTED or not numbered_item(items[0]):
        return items[:MAX_QUOTED]   # 「・」 notes: not one list to count
    heads = [LONG_ASIDE.sub("", item).rstrip() for item in items]
    if all(len(LIST_ITEM.sub("", head)) <= CHECKLIST_ITEM_CHARS for head in heads):
        return heads
    return items[:MAX_QUOTED] + [f"（ほかに{len(items) - MAX_QUOTED}つあります）"]


HEADING = re.compile(r"^\s*【[^】]+】\s*$")   # 「【できること】」 on a line of its own


def headed_lists(lines: List[str]) -> List[str]:
    """Lists under headings (「【できること】」 then 「・…」 items), in short: each heading with its first MAX_QUOTED items
    (session 53's trial, b52 c02-4: the 顔認証 card's services in short were their first line alone, 「…次のとおりです。」)."""
    groups: List[List[str]] = []
    for line in lines:
        if HEADING.match(line):
            groups.append([line])
        elif LIST_ITEM.match(line):
            groups[-1].append(line)
        else:
            break
    out: List[str] = []
    for heading, *items in groups:
        more = [f"（ほかに{len(items) - MAX_QUOTED}つあります）"] if len(items) > MAX_QUOTED else []
        out += [heading, *items[:MAX_QUOTED], *more]
    return out


def with_its_list(lines: List[str], line: str) -> List[str]:
    """An answer's line as quoted apart from it: a list's item with the line that leads into the list and, for a short
    list, its other items (session 44's trial, in hiragana: the 資格確認書 in short quoted 「2. カードを紛失・更新中の方…
    （…上と書き方が違います）」 alone, an orphan 「2.」); any other line as it is."""
    at = lines.index(line)
    if not numbered_item(line):
        return [line]
    start = at
    while start > 0 and numbered_item(lines[start - 1]):
        start -= 1
    end = at + 1
    while end < len(lines) and numbered_item(lines[end]):
        end += 1
    lead = [lines[start - 1]] if start > 0 else []
    return lead + (lines[start:end] if end - start <= MAX_QUOTED else [line])


def in_short(kb: KnowledgeBase, entry_id: str, hiragana: bool = False, by_fax: bool = False,
             lexicon: Optional[Lexicon] = None, text: str = "") -> List[dict]:
    """The answer's first sentence (where the deciding fact stands) — and, when its first line leads into a list
    (「…流れの例があります。」 then 「1. 申請の数日後：…」), the list's first items — with its 出典, a button to read it
    all and where to ask by phone — by FAX for a user who cannot phone (`by_fax`; twentieth trial: 「みみ きこえない
    ひと…」 was told 「でんわで きく こともできます」); [] for no such entry. `hiragana`: its text and buttons for a reader
    of hiragana only (`for_hiragana_readers`), the 出典 as written. Given the `lexicon` and the message `text`, the
    lines on what it asks besides (`lines_asked`) follow."""
    entry = kb.by_id.get(entry_id)
    if entry is None:
        return []
    lines = entry.answer.strip().splitlines()
    # a 「。」 inside 「（…）」 ends no sentence (b56 c08-2: 「…2025年12月1日まで（券面の有効期限がもっと後でも同じ。」)
    sentences = [sentence for sentence in re.findall(r"(?:（[^）\n]*）|[^。\n（])*。?|（", lines[0]) if sentence]
    # what the documents do not say about it stays beside it (session 39's blind trial: 「おかね かかる？」 after a lost
    # card got only 「こうふてすうりょうは むりょう」, not that the reissue's fee is in no document)
    first = "".join(sentences[:2] if len(sentences) > 1 and NOT_IN_THE_DOCUMENTS.search(sentences[1]) else sentences[:1]).strip()
    if len(first) > SHORT_ANSWER_CHARS or not first.endswith("。"):
        first = lines[0][:SHORT_ANSWER_CHARS].rstrip("：:") + "…"
    items = short_list(lines[1:])
    for line in lines_asked(lexicon, entry, text, by_subject=True) if lexicon is not None and text else []:
        items += [shown for shown in with_its_list(lines, line) if shown not in items]
    ask = kb.messages["in_short_fax" if by_fax else "in_short_phone"]
    text = kb.messages["in_short"].format(first="\n".join([first, *items]), ask=ask)
    buttons = [{"title": "全部を読む", "payload": show_answer_payload(entry.id, reading="all")}, *entry_buttons(kb, entry.related)]
    said = BotMessage(text=text, citation=kb.citation(entry), sources=kb.sources_payload(entry),
                      buttons=buttons[:MAX_CANDIDATES + 1], answer_id=entry.id,
                      links=[link.dict() for link in entry.links])   # 「したの『FAXようしを つくる』」 has its link (sixteenth trial)
    return [(readable_in_hiragana(said) if hiragana else said).to_rasa()]


MARKS = re.compile(r"［[^］]*］|^（\d+/\d+）.*$")


def result_in_short(kb: KnowledgeBase, result_text: str, citation: str, text: str) -> List[dict]:
    """A check's result that was hard to read, in short: the result's lines that name the message's words (「氏名欄に
    何て書けばいいの？」), else the first line under each heading — its step or finding — with its 出典 list; in
    hiragana when the message asks for it (`wants_kana`)."""
    lines = [MARKS.sub("", line).strip() for line in result_text.split("出典：")[0].splitlines()]
    words = content_words(text)
    named = [line for line in lines if not line.startswith("【") and words and any(word in line for word in words)]
    firsts = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("【") and not lines[i + 1].startswith("【")]
    chosen = named[:MAX_QUOTED] or firsts[:4]
    if not chosen:
        return []
    body = kb.messages["result_in_short"].format(lines="\n".join(chosen))
    if wants_kana(text):
        body = for_hiragana_readers(body)
    return [BotMessage(text=body, citation=citation).to_rasa()]


def not_again(kb: KnowledgeBase, reply: List[dict], previous_reply: List[dict], text: str = "",
              lexicon: Optional[Lexicon] = None) -> List[dict]:
    """The answers just given, asked for again in other words (「FAXは家にないんです…メールとかチャットは？」 after the FAX
    answer): not repeated — the lines of it that name the follow-up's words, and given the `lexicon` the topics other than
    the answer's own that it names (`said_before`:
    fourteenth trial, 「目視確認というのは、具体的に受付で何をすればいいんでしょうか」 got 「同じになるため、くり返しません」;
    session 27's, after the card abroad: 「海外でなくしたら？」 — the line with the number for a card lost abroad), given again when
    asked for again in so many words (「もう一度教えてください」, `ASKED_AGAIN`), else said so, with that
    answer's related entries and where to ask ([message]); beside a new answer only the new one is given; the same routing
    reply again is said in short (「カードや電子証明書の有効期限…」 three times in a row), and not at all beside something new,
    nor an answer just given beside a new routing reply (「同じこと2回言いよるばい」); [] when the reply is all new (or
    holds more than answers)."""
    routed = {custom.get("uncovered") for custom in previous_reply if custom.get("uncovered")}
    if reply and all(message["custom"].get("uncovered") in routed for message in reply):   # the same routing again
        return [BotMessage(text=kb.messages["same_route"], fallback=True,
                           extra={"uncovered": reply[0]["custom"]["uncovered"]}).to_rasa()]
    given = [custom.get("answer_id") for custom in previous_reply if custom.get("answer_id")]
    routing = any(message["custom"].get("uncovered") for message in reply)
    fresh = [message for message in reply if message["custom"].get("uncovered") not in routed
             and not (routing and message["custom"].get("answer_id") in given)]
    if reply and fresh and len(fresh) < len(reply):   # beside something new, a routing reply or answer just given is
        kept = not_again(kb, fresh, previous_reply, text, lexicon) or fresh   # not said again (the reissue fee twice; the 資格確認書)
        # — but its lines on what the message asks of it are (b63 c01-2, after the home visit: 「…保険証くらいしか身分証を持って
        # ないんですが…？あと、当日ケアマネや私が同席して手伝うのは問題ないでしょうか」 got only the routed 本人確認書類)
        if lexicon is None or not text:
            return kept
        dropped = [kb.by_id[m["custom"]["answer_id"]] for m in reply if m not in fresh and m["custom"].get("answer_id") in kb.by_id]
        return kept + [m for entry in dropped for m in _quoted(kb, entry, "said_before", lines_asked(lexicon, entry, text))]
    answered = [message["custom"].get("answer_id") for message in reply]
    if not given or not answered or not all(answered):
        return []
    if not all(answer_id in given for answer_id in answered):   # 「登録のしかたなんか聞いてないよ。作らなかったら…」
        new = [message for message in reply if message["custom"]["answer_id"] not in given]
        # the answer just given, beside the new one, only in its lines that name the message's other topics (session 28's
        # blind trials, after the card abroad: 「海外にいるときにカードをなくしたら、どこに電話すればいいですか？」 got the
        # lost-card steps alone, without the number for a card lost abroad)
        again = [m for answer_id in dict.fromkeys(a for a in answered if a in given)
                 for m in (said_before(kb, answer_id, text, lexicon=lexicon, others_only=True) if text and lexicon else [])]
        return new + again if len(new) < len(reply) else []
    previous = kb.by_id[answered[-1]]
    # asked for again in so many words: the whole answer, with its point first — not a line of it on another topic
    # (b61 c05-4: 「もう一度だけ…薬局で、大学病院以外で出たお薬の情報も薬剤師さんに見てもらうには…」 got the reader's line)
    if WHICH_THEN.search(text) or ASKED_AGAIN.search(text):
        return reply
    quoted = said_before(kb, previous.id, text, lexicon=lexicon, others_only=True) if text else []
    if quoted:
        return quoted
    buttons = [{"title": "もう一度読む", "payload": show_answer_payload(previous.id)},
               *entry_buttons(kb, [i for i in previous.related if i not in given])]
    return [BotMessage(text=kb.messages["same_again"].format(title=previous.title), buttons=buttons[:MAX_CANDIDATES + 1],
                       fallback=True, extra={"follows": previous.id}).to_rasa()]


# 「そういうことじゃなくて」「聞きたいのはそこじゃない」: the answer just given missed the question
MISSED = re.compile(r"そういう(?:こと|の|意味|話)(?:じゃ|では|や)な|そうじゃな|そうではな|(?:聞き|知り|ききたい|しりたい)たいのは"
                    r"|(?:聞いて|きいて)(?:ない|ません|へん)|(?:その|この)話(?:じゃ|では)な|違うんです|ちがうんです|答えになって|回答になって")


# 「いえ、施設での管理や利用登録のことではございません。」: a sentence that says what the question is not about
NOT_ABOUT = re.compile(r"(?:こと|話|件|意味)(?:では|じゃ|や)(?:ございません|ありません|ないです|ない|なくて|のうて)(?:よ|ね)?[。.!！…\s]*$"
                       # 「住所変更の件、承知しました。」 (twentieth trial: the address change's reply again, 「さきほどお伝えしたとおり」)
                       r"|^[^。？?]{1,20}(?:の件|のこと|の話|について)(?:は|も)?[、,\s]*(?:承知|了解|理解)(?:しました|いたしました|です)[。.!！…\s]*$"
                       # 「資格確認書のことはお聞きしていなかったのですが…。」 (twentieth trial: the 資格確認書 again): not asked
                       r"|(?:こと|話|件)(?:は|を|なんて|って)?(?:お聞き|お尋ね|おたずね|質問|聞い|きい|聞き)(?:して)?(?:い)?"
                       r"(?:なかった|ない|ません|ませんでした|てない|てへん)(?:のですが|んですが|んだけど|けど|です|よ)?[。.!！…‥\s]*$"
                       # 「申請はもう終わってます。受けとりのことです。…」 (fifteenth trial: got how to apply): a step done
                       # 「いや顔認証の説明はもう分かったって。」: one understood
                       r"|^[^。？?]{1,12}(?:は|も)(?:もう|すでに|既に)?(?:終わ|おわ|済ん|済ませ|すませ|すん|終え|分か|わか)"
                       r"(?:って|て|り|らせ|っ)?(?:い)?(?:ます|ました|る|た|ています|てます)(?:よ|ね|けど|って|わ)?"
                       # 「写真はわかったわ、おおきに。」 (twentieth trial: the photo answer's lines again, for the signature)
                       r"(?:[、,\s]*(?:おおきに|ありがと(?:う)?(?:ございます|ございました)?|どうも|助かりました))?[。.!！…\s]*$")


# 「いえ、資格確認書ではなく、カードの持ち出し管理の話です。」「ロックの話じゃなくて。家族が…」: a first clause that says what
# the message is not about (no question of its own), the rest saying what it is
NOT_THIS_FIRST = re.compile(r"^\s*(?:(?:あっ?|ああ|えっと|ごめん(?:なさい)?|すみません|すいません|失礼しました)[、,。!！\s]+)*"   # b58 c06-2:
                            # 「あ、ごめんなさい、コンビニとか免許のことじゃなくて、暗証番号を…ロックされたっぽいのをどう直すかが…」
                            r"(?:(?:いえ|いや|ちがいます|違います|ちゃいます|ちゃう)[、,。\s]*)?[^、,。？?！!\n]{1,20}?"
                            r"(?:じゃなくて|じゃなく|ではなくて|ではなく|やなくて|やのうて|でなくて|ちゃうくて"
                            # 「いや、資格確認書じゃなかとよ。マイナンバーカードそのものを…」 (session 57's trial, b56 c03-4, 鹿児島弁)
                            r"|じゃない(?:です|んです|よ)?|ではない(?:です)?|じゃなかと(?:よ|ばい|たい)?|じゃなか(?:よ|ばい|たい)|やない(?:で|ねん)?"
                            r"|では(?:ございません|ありません)で)"   # 「いえ、顔のカードのお話ではございませんで、…」 (session 52's trial)
                            r"[、,。…‥.\s]+(?P<rest>.{6,})$",
                            re.DOTALL)


class NotAbout(NamedTuple):
    """What a message says it is not about, the rest of it, and whether it said so in its first clause."""
    not_about: str
    rest: str
    first_clause: bool


def what_it_is_not_about(text: str) -> Optional[NotAbout]:
    """(what the message says it is not about, the rest of it) when it says so in its first clause (fourteenth trial:
    「いえ、資格確認書ではなく、カードの持ち出し管理の話です。」 got 「資格確認書と同じになるため、くり返しません」; fifteenth:
    「顔認証カードの説明じゃなくて…普通のカードの人です。…」) or in sentences of their own, and something is left (thirteenth
    trial: 「いえ、施設での管理や利用登録のことではございません。窓口で従来の健康保険証を提示された場合、いつまで受け付けて
    よいのかを伺っております。」 was read as 施設での管理 again); None for any other message."""
    first = NOT_THIS_FIRST.match(text)
    if first:
        # 「いや、そうじゃなくて、暗証番号の話ではないです。12桁のマイナンバーの方です。…」 (b59 c01-5 got the PIN's kinds):
        # the rest may say in its turn what the message is not about
        again = what_it_is_not_about(first.group("rest").strip())
        if again is not None and again.first_clause:
            return NotAbout(text[:first.start("rest")] + again.not_about, again.rest, True)
        return NotAbout(text[:first.start("rest")], first.group("rest").strip(), True)
    sentences = [sentence.strip() for sentence in SENTENCE.findall(text)]
    rest = [sentence for sentence in sentences if not NOT_ABOUT.search(sentence)]
    if len(rest) == len(sentences) or not rest:
        return None
    return NotAbout("".join(sentence for sentence in sentences if sentence not in rest), "".join(rest), False)


def missed_the_question(text: str) -> bool:
    """The message says the answer just given did not answer what was asked."""
    return bool(MISSED.search(text))


def read_as_unsure(message: dict, not_meant: Tuple[str, ...] = SHORT_REPLIES) -> dict:
    """A question the classifier read as one of `not_meant` (「はい」/「いいえ」: 「それって家族でもいいの？」), as if the
    classifier had been unsure: its other intents only — it gets the reply the fit rules give that, never
    「承知しました」 (nor the staff handoff)."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") not in not_meant]
    return {**message, "intent": {"name": "nlu_fallback", "confidence": 0.0}, "intent_ranking": ranking}
