"""Answer only when the answer fits the question.

Two independent signals must agree before an entry is given: the intent classifier (Rasa) and the
concepts the question names (bot.shared.concepts). `decide()` turns both into one decision:

- `route`:   the question names a card topic the documents do not cover → say so, and where to ask;
             when another part of the message (its own clause) asks about a covered topic that the
             classifier is sure of (SURE_BESIDE_ROUTE), that part is answered too, after the routing reply —
             unless the topic `governs` the message (「母が亡くなりました。カードは紛失のときのように止めれば?」:
             the lost-card answer would be read as the way for a deceased person's card);
- `answer`:  one of the classifier's three most likely intents (at least RESCUE_MIN) is among the
             intents of a concept named in the question — the likeliest such — or, when the question
             names no concept at all (or only who the person is: 寝たきり, 認知症), the classifier is
             sure → 1 answer, or 2 when the question clearly names a second covered topic;
- `answer` too when the classifier is unsure (nlu_fallback, out_of_scope under OOS_DOUBT) and the question
  names exactly one topic concept (besides who the person is): that concept's main topic. On the real-question
  dev split +1 answered, −2 wrongly declined, no uncovered question answered, with the uncovered lexicon on
  or off (2026-12-01). The same when the classifier's choice, one the concept does not agree with, is under
  SURE_WITHOUT_CONCEPT — the confidence it needs to answer without a concept (「どのような点を気を付けて撮影すれば
  いいの?」: hoken_visit 0.45 against the photo concept): dev +2 answered, −3 wrongly declined, uncovered unchanged,
  team set +1, check corpus and both probes unchanged (session 26);
- `answer` too for a question that asks only what a covered term means (「資格確認書とは?」,
  「マイナンバーカードの暗証番号ってなんですか」), even when out_of_scope is likely, unless the classifier is
  sure of another topic: the concept's `defines` intent (dev +5 answered, test and uncovered unchanged, 2026-12-01);
- with an answer, the other concerns the message asks in sentences or numbered parts of their own (「①…、②…、
  ③…」) that no answer given covers are offered as the answer's first buttons (`also`); beside a routing reply
  only those of numbered parts (a sentence apart, 「再発行は？費用は？」, would offer the new card's fee beside
  the reissue fee the documents do not give);
- `clarify`: they disagree → 「もしかして」 with the candidates of both;
- `decline`: nothing to go on — but when the classifier is unsure or places the message out of scope and the
  message names the card (its number, the insurance card, the account: `about_the_card`), its likeliest
  topics (at least NEARBY_MIN) are offered as nearby ones in the doubtful 「もしかして」 below, instead of a
  plain decline. On the real-question dev split: answered-or-one-tap 221 → 225 of 254, 6 uncovered
  questions get the doubtful 「もしかして」 instead of the plain decline (both fallbacks, both say where to
  ask); none of the team set's 55 out-of-scope questions changes (2026-12-01). (`nearby_named`: the same for a
  message that names covered topics, when nothing else placed it — the actions' last step.)

An answer is held back as a `clarify` marked `doubtful` when the classifier gives out_of_scope at least
OOS_DOUBT: the question may be about a card topic the documents do not cover, named in words no concept
knows. Then 「もしかして」 says so and where to ask. On the real-question dev split with the uncovered
lexicon switched off (questions on topics nobody listed, like the test split's), this declined 55 → 74 %
of the uncovered questions for 5 of 133 in-scope answers turned into 「もしかして」 (2026-11-30).
Not when the two signals agree and the classifier is SURE_OVER_DOUBT times surer of the answer than of out_of_scope
(a new user's 「近所のじいちゃんのカード、代わりに受け取りに行けるか確かめたいと」: 0.41 against 0.11, the proxy concept
named): dev +3 answered, −5 wrongly declined, −2 uncovered declined (one mended by the lexicon); the team set
unchanged (2026-12-02).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Collection, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.shared.concepts import Found, Lexicon, UncoveredConcept, normalize
from bot.shared.kana import to_katakana

SURE_WITHOUT_CONCEPT = 0.60     # classifier confidence needed when the question names no concept
RESCUE_MIN = 0.10               # an unsure classifier's intent kept when a named concept agrees
SECOND_MIN = 0.05               # the second concern's intent must be at least this likely
MAX_CANDIDATES = 3
CANDIDATE_MIN = 0.05             # a 「もしかして」 candidate from the classifier alone
OOS_DOUBT = 0.10                # out_of_scope this likely: no answer, 「もしかして」 that says it may be uncovered
SURE_OVER_DOUBT = 3.0           # no doubt when the agreed answer is this many times likelier than out_of_scope
SURE_OVER_DOUBT_TWICE_NAMED = 2.0   # the same when two concepts of the message name the answer (what is asked and who
                                    # the person is: 「代理で受け取りできる？利用者さん要介護2、在宅」, 0.49 against 0.20,
                                    # session 35's blind trial) — no reply of the cached dev, team or check parses changes
NEARBY_MIN = 0.05               # unsure and out of scope likeliest: topics this likely offered as nearby ones
SURE_BESIDE_ROUTE = 0.50        # classifier confidence for answering a covered clause beside a routed one
UNSURE = ("nlu_fallback", "out_of_scope")
URGENT_DOUBT_MAX = 0.50         # below it, out_of_scope does not decline a message that names an urgent concept
NAMED_ALONE_DOUBT_MAX = 0.60    # below it, nor one that asks about one covered concept alone (`_named_alone`)
ABOUT_THE_CARD = re.compile(r"マイナ|カード|保険証|被保険者証|番号|電子証明|資格確認|公金|口座"
                            r"|ホケンショウ|バンゴウ|シカクカクニン|コウキン|コウザ")   # and in hiragana
# a part's mark: ①…⑩, or 1. 2. at the start or after 、 or a space, or 「1 」 starting a line (the match starts at the mark)
# a mark in parentheses: 「(1)」「（a）」 (session 57's trial, b56 c04-6: 「…3点。(a) …(b) …(c) …」 was read as a follow-up)
IN_PARENTHESES = r"[(（](?:[1-9１-９]|[a-eａ-ｅ])[)）]"
NUMBERED = re.compile(r"[①-⑩]|(?:^|(?<=[、\s]))[1-9][.．)）]|(?:^|(?<=\n))[1-9][ \u3000](?=\S)"   # and 「1 今持っている…」 on its line
                      r"|(?:^|(?<=[、。\s]))" + IN_PARENTHESES)
# marks and emoji people end a phrase with (session 47's blind trial (b46): 「…メガネありでOK？🤓💦」 was not read as a question)
EMOJI = r"♪★☆♡♥\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff"
END_MARKS = r"~〜" + EMOJI
# a message's parts: sentences (one ended by an emoji and a space: 「小学生もOKなんですね✨ もうひとつ、…写真でも申請
# できますか？」, b58 c02-2), 「Aや、B」 (not 「〜ても、」「〜場合、」), numbered parts (「①…②…」「1. … 2. …」) and, in a message
# typed without 「。」, 「… どうしたらいいですか あと認知症の人で…」 (a space, then a word that opens another concern)
PARTS = re.compile(r"[。?？!！\n]+|(?<=[" + EMOJI + r"])\s+|(?<=や)、|、(?=(?:それと(?!も)|それから|ところで)[、,]?)|\s+(?=(?:あと|それと|それから|ところで|あとは)[、,\s]?[^\s])|" + NUMBERED.pattern)
# 「…詐欺じゃないかと怖がっとるんですが、あの口座の登録いうのはなんですか」 (session 49's blind trial (b48)): a clause after 「が、」
# 「けど、」 asks apart from the one before it
BUT = re.compile(r"(?<=[すた]が)、|(?<=けど)、|(?<=けれど)、|(?<=けれども)、")
# a part's last comma closing a sentence (「…話それました、これって…」), not a clause (「切れても、」「ので、」)
SENTENCE_THEN_COMMA = re.compile(r"(?:ました|ません|でした|です|ます)、[^、]+$")
# 「AじゃなくてB」: B is meant (a check's answer, an answer's variant)
INSTEAD_RE = r"じゃなくて|ではなくて|やなくて|じゃなく|ではなく|でなくて|でねぐて|でねくて|じゃのうて|やのうて|というより(?:は)?"
ASKS = re.compile(r"(?:[?？]|の|のか|かな|ですか|ますか|ませんか|でしょうか|でしょう|ですかね|ますかね|ろうか|(?<=[るた])ん"   # 「それどこでできるん」
                  r"|(?<!そう)(?:でした|ました)か(?:ね)?|(?:でした|ました|だった)っけ"   # 「…縦横何センチでしたか。」 (b62 c02-3)
                  # written style: 「…管理することは差し支えないか。」 (b64 c09-3), 「…可能か。」
                  r"|(?:ない|よい|良い|いい|可能|必要|不要)か"
                  r"|どう(?:すれば|したら)(?:いい|よい|良い)?|どうしよう|どうなる)[\s。…" + END_MARKS + r"]*$")   # 「それって家族でもいいの？」
WANTS_TO_KNOW = re.compile(r"(?:聞きたい|ききたい|知りたい|しりたい|(?:教|おし)えて(?:ください|下さい|ほしい|もらえる)?"
                           # in dialect: 「電話番号も教えとうせ」 (土佐, session 56's trial b55 c03-6), 教えてけろ, 教えてつかあさい
                           r"|(?:教|おし)えと(?:うせ|くれ)|(?:教|おし)えて(?:けろ|つかあさい|つかぁさい|くれんね|くれや|くれ|や)"
                           r"|確認させて(?:ください|下さい|いただきたい|いただけますか)?|伺いたい|うかがいたい)"   # (session 49's trial)
                           r"(?:です|んです|のです)?[\s。…!！" + END_MARKS + r"]*$")
# a listed item that names what it wants to know (「・ショート中に利用者がカードを紛失した場合の手順」, b70 c05-2: the lost card
# was not read as asked)
ITEM_MARK = r"^[ \u3000]*(?:[・･●○■□◆◇\-－*＊]|[①-⑩]|[1-9１-９][.．)）])"   # a listed item's mark at a line's start
ASKED_ITEM = re.compile(ITEM_MARK + r"[^。]*(?:手順|方法|やり方|流れ|可否|連絡先|問い合わせ先|窓口|必要書類|持ち物|留意点|注意点)"
                        r"(?:は|について)?[\s。…" + END_MARKS + r"]*$")
# 「ホームでカードを預かるにはどういう取り決めが必要で、暗証番号まで預かってもいいものなんでしょうか。」 (b56 c10-4): a clause
# that asks with a question word (not 何か, 誰も…), then another question — two questions in one sentence
ASKED_CLAUSE = re.compile(r"([^、。]*(?:どう(?:いう|いった|やって)|どんな|どのような|何(?![かも])|なに(?![かも])|いつ(?![かも])"
                          r"|どこ(?![かも])|誰(?![かも])|だれ(?![かも])|いくら)[^、。]+?(?:で|し|くて))、(?=[^、。]{4})")
SENTENCE = re.compile(r"[^。?？!！\n]+[。?？!！\n]*")
ACKNOWLEDGED = r"わかりました|了解(?:です|しました)?"   # a courtesy before a question, and a reply that says yes
# a sentence that answers what was just said (「わかりました、顔認証カードを検討します。」), not what the question after it is about
REACTION = re.compile(r"^(?:" + ACKNOWLEDGED + r"|分かりました|承知しました|なるほど|そうですか|そうなんですね|そうか|そっか|ほうか|ありがとう(?:ございます|ございました)?)(?:[、,。\s]|$)")
# a sentence that starts a question of its own: 「あと、家族に言わないとだめ？」「ちなみに…？」
ANOTHER_QUESTION = re.compile(r"^\s*(?:ところで|それと(?!も)|それから|あと(?![何0-9０-９一二三四五六七八九十数少どれからでの])|また|もう一つ"
                              r"|もうひとつ|別件で(?:すが)?|ちなみに|ついでに)[、,\s]*")
# 「あと、その時に職員は何を準備しておけばいいでしょう。」: asks on about the first question
ASKS_ON = re.compile(r"その(?:時|とき|際|日|場合|後|あと|ため)|それ(?:で|に|って|は|まで)|そこ|このとき|この場合")
# 「また、施設に住民票を置いている利用者についてはどうでしょうか。」: the same question about someone else
WHAT_ABOUT = re.compile(r"(?:について|の場合|のとき|の時)?は(?:どう(?:でしょう|です|なる|なります)?か?)?[?？。\s]*$")


@dataclass
class Decision:
    kind: str                                    # answer | clarify | route | decline
    intents: List[str] = field(default_factory=list)   # route: the covered part answered beside it
    route: Optional[UncoveredConcept] = None
    found: Found = field(default_factory=Found)
    doubtful: bool = False                       # clarify: the topic may not be in the documents at all
    also: List[str] = field(default_factory=list)  # answer, route: other topics asked, offered as buttons
    unanswered: List[str] = field(default_factory=list)  # answer, route: other questions that name no topic at all
    more_routes: List[UncoveredConcept] = field(default_factory=list)  # answer, route: other parts' uncovered topics
    answer_first: bool = False                   # route: the answer beside it was asked before the routed topic


# a question told as what was meant: 「…作る方法はございますか、ということでございます。」 (b65 c07-2: read as goodbye after
# 「これは失礼いたしました。」), 「役所に行かないで作る方法あるのかって聞いてる」
REPORTED_QUESTION = re.compile(r"(?:か|の)[、,\s]*(?:(?:という|っていう|って)(?:こと|意味|質問)(?:です|でございます|なんです|だ)?"
                               r"|って(?:聞いて|きいて)(?:る|るの|るんだ|るんです|います))$")   # not 「…のかと尋ねられました」: told


# what the message says it does not mean: 「先ほどお伺いしたかったのは送付先ではなく、カードそのものの有効期限が…」 (b65 c01-6:
# the mailing address routed again) — or sets aside: 「亡くなった話はもうええんよ。」 (b66 c02-6: the deceased person's reply,
# with condolences, to a daughter whose father lives)
SET_ASIDE_RE = r"(?:話|件|こと)は(?:もう)?(?:ええ|いい|良い|よい|結構|けっこう|大丈夫|置いと|おいと)"   # not 「…話はわかった」: heard
# — or denies: 「資格確認書を失くした話ではないです。」 (b70 c05-3, after that routing reply)
DENIED_RE = r"(?:話|件|こと|質問)(?:では|じゃ|や)(?:ない|ありません|ねえ)"
NOT_MEANT = re.compile(r"[^、。？?！!\n]*(?:" + INSTEAD_RE + "|" + SET_ASIDE_RE + "|" + DENIED_RE + r")")
# a message listing its questions, one per line (「・資格確認書の申請…\n・…カードを紛失した場合の手順」): its items
LISTED_ITEM = re.compile(ITEM_MARK, re.M)


def _meant(found: Found, text: str, lexicon: Lexicon) -> Found:
    """`found` without the topics named only where the message says what it does not mean (b67 c02-3, after the PIN's
    kinds: 「…暗証番号のほうは、番号の種類やなくて、娘の私が預かってよかとかどうかば聞きよっとです」 got the kinds again)."""
    if not found or not NOT_MEANT.search(text):
        return found
    meant = lexicon.find(NOT_MEANT.sub("", text))
    found.uncovered = [concept_id for concept_id in found.uncovered if concept_id in meant.uncovered]
    found.covered = [concept_id for concept_id in found.covered if concept_id in meant.covered]
    return found


def listed_items(text: str) -> Tuple[List[str], str]:
    """The items of a message that lists them one per line (each with the lines after it up to the next), and the rest
    of the message; ([], text) for fewer than two items."""
    starts = [match.start() for match in LISTED_ITEM.finditer(text)]
    if len(starts) < 2:
        return [], text
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)])], text[:starts[0]]


def _named_in_one_item(found: Found, text: str, lexicon: Lexicon) -> Found:
    """`found` without the uncovered topics that no item of a listed message names by itself, nor its lines before the
    items: a pair of terms split over two questions names no topic (b70 c05-2: 「・資格確認書の申請、事業所で…代理でできるか
    ・…カードを紛失した場合の手順」 was routed as a lost 資格確認書, twice)."""
    items, rest = listed_items(NOT_MEANT.sub("", text))
    if not items or not found.uncovered:
        return found
    named = {concept_id for part in (rest, *items) for concept_id in lexicon.find(part).uncovered}
    found.uncovered = [concept_id for concept_id in found.uncovered if concept_id in named]
    return found


def asks(text: str) -> bool:
    """The message is a question (or says what it wants to know: 「…てつだっていいか、ききたい」, or what it meant:
    「…方法はございますか、ということでございます」), not 「はい」/「いいえ」, whatever the classifier read."""
    text = text.strip()
    return bool(ASKS.search(text) or WANTS_TO_KNOW.search(text) or REPORTED_QUESTION.search(text.rstrip("。.!！"))
                or ASKED_ITEM.match(text))


def other_questions(text: str) -> List[str]:
    """The sentences after the first that start a question of their own (「再発行 手数料いる？ あと家族に言わないと
    だめ？」 → 「あと家族に言わないとだめ？」); a sentence without such a start often asks on about the first one
    (「従来の保険証は使えなくなる?それならどうするの?」)."""
    return [sentence.strip() for sentence in SENTENCE.findall(text)[1:]
            if ANOTHER_QUESTION.match(sentence) and asks(sentence) and not ASKS_ON.search(sentence)]


def asking_parts(text: str) -> List[Tuple[str, bool]]:
    """The message's parts (`PARTS`), each with whether it asks — its question mark read too, which the split takes
    away (session 49's blind trial (b48): 「…落としたっぽい　どうしよ　悪用とかされる？」 was read as not asking) — and
    a clause that asks with a question word before a question (`ASKED_CLAUSE`) a part of its own."""
    parts: List[Tuple[str, bool]] = []
    start = 0
    for match in [*PARTS.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[start:end]:
            part, asking = text[start:end], asks(text[start:end] + (match.group().strip("、") if match else ""))
            clause = ASKED_CLAUSE.match(part) if asking else None
            parts += [(clause.group(1), True), (part[clause.end():], True)] if clause else [(part, asking)]
        start = match.end() if match else len(text)
    return parts


# 「あと②③の回答がないようですが…」「②と③にも答えて」: the parts of the message before that got no answer
ONE_MARK = r"(?:[①-⑩]|" + IN_PARENTHESES + ")"
PARTS_LEFT = re.compile(rf"(?P<marks>{ONE_MARK}(?:[、と・,\s]*{ONE_MARK})*)(?:番)?(?:の|は|も|に|へ)*(?:回答|答え|返事|こたえ)")


def mark_number(mark: str) -> int:
    """The number a part's mark stands for: 「①」 → 1, 「2」 (or 「２」, 「(2)」) → 2, 「(b)」 → 2."""
    if "①" <= mark[:1] <= "⑩":
        return ord(mark[0]) - ord("①") + 1
    sign = next(c for c in unicodedata.normalize("NFKC", mark) if c.isalnum())
    return int(sign) if sign.isdigit() else ord(sign.lower()) - ord("a") + 1


def part_number(part: str) -> Optional[int]:
    """The number of a part that starts with its mark (「①…」 → 1, 「2. …」 → 2, 「(2) …」 → 2), or None."""
    match = NUMBERED.match(part.strip())
    return mark_number(match.group(0)) if match else None


def numbered_parts(text: str) -> List[str]:
    """The parts of a message numbered ①②… or 1. 2. …, each from its mark (「①…できますか？②…問題ないでしょうか。」);
    [] for a message of fewer than two such parts."""
    starts = [match.start() for match in NUMBERED.finditer(text)]
    if len(starts) < 2:
        return []
    return [text[start:end].strip(" 、\n") for start, end in zip(starts, [*starts[1:], len(text)])]


def asked_and_told(text: str) -> Tuple[str, str]:
    """The message's sentences that ask, joined, and those that tell (who the person is, what was said before)."""
    sentences = [sentence.strip() for sentence in SENTENCE.findall(text) if sentence.strip()]
    return ("".join(sentence for sentence in sentences if asks(sentence)),
            "".join(sentence for sentence in sentences if not asks(sentence)))


def tells_after_asking(text: str) -> bool:
    """A sentence that tells (`asked_and_told`) follows one that asks."""
    asking = [asks(sentence) for sentence in SENTENCE.findall(text) if sentence.strip()]
    return True in asking and False in asking[asking.index(True):]


def question_parts(text: str, lexicon: Lexicon) -> List[str]:
    """The questions of a message asked in sentences of their own, each naming a topic of its own (fifteenth trial:
    「…写真ってどうしたらいいですか？車椅子のまま撮っても大丈夫？あと申請書の字も本人書けないんですがこっちで書いて
    いいんでしょうか」 got how to get a card), the sentences before the first question kept with it; [] for a message
    of fewer than two such questions, or whose questions name the same topics."""
    sentences = [(part, asking) for sentence in SENTENCE.findall(text)
                 for part, asking in _joined_by_and(sentence.strip(), lexicon)]
    if sum(asking for _, asking in sentences) < 2:
        return []
    parts: List[str] = []
    context = ""
    for sentence, asking in sentences:
        if asking and parts and _if_so(sentence, lexicon) and lexicon.find(parts[-1]).uncovered:
            parts[-1] += sentence
        elif asking and _stands_alone(sentence, lexicon):
            parts.append(sentence if parts else context + sentence)
        elif asking and parts:   # 「もう期限切れ？」: asks on about the question before it
            parts[-1] += sentence
        elif asking and _stands_alone(context + sentence, lexicon):
            parts.append(context + sentence)   # 「病棟でカードを紛失してしまいました。まず何をすべきでしょうか。」
            context = ""
        elif not parts and not REACTION.match(sentence):   # what the first question is about
            context += sentence
    topics = [topics_asked(part, lexicon) for part in parts]
    if len(parts) < 2 or any(topics[i] <= set().union(*topics[:i]) for i in range(1, len(topics))):
        return []
    return parts


# 「…案内するFAX番号と、視覚障害の方が…点字で記載した場合の扱いを確認させてください。」 (b64 c09-6): two things asked, a noun
# and 「と、」 between them — not a condition after a verb (「申請すると、いつ届きますか」)
JOINED_BY_AND = re.compile(r"(?<=[\u4e00-\u9fff\u30a0-\u30ffA-Za-zＡ-Ｚａ-ｚ])と、")
JOINED_HALF_MIN_CHARS = 4
BROAD_CONCEPT_INTENTS = 4   # a concept of this many topics or more (管理, 暗証番号) says what is asked only with another


def _joined_by_and(sentence: str, lexicon: Lexicon) -> List[Tuple[str, bool]]:
    """A sentence that asks about two things joined by a noun's 「と、」, each naming a topic of its own: its two halves,
    each asking; otherwise the sentence, and whether it asks."""
    asking = asks(sentence)
    match = JOINED_BY_AND.search(sentence) if asking else None
    if match is None:
        return [(sentence, asking)]
    first, second = sentence[:match.start()], sentence[match.end():]
    if (len(first) < JOINED_HALF_MIN_CHARS or len(second) < JOINED_HALF_MIN_CHARS
            or not (_stands_alone(first, lexicon) and _stands_alone(second, lexicon))
            or topics_asked(second, lexicon) <= topics_asked(first, lexicon)):
        return [(sentence, asking)]
    return [(first, True), (second, True)]


# a condition first that names nothing: on what was just asked — an uncovered topic's question goes on (b58 c09-3: 「…カード
# って何年で期限切れんの？切れてたら病院で使えない？」 — the expired card's use, not a hospital refusing the card)
IF_SO = re.compile(r"^(?:もし|じゃあ|では)?[、,\s]*(?P<condition>[^、,。？?\s]{1,8}?(?:たら|なら|れば))(?=[^。？?])")


def _if_so(sentence: str, lexicon: Lexicon) -> bool:
    """The sentence begins with a condition that names no topic (「切れてたら…」「だめだったら…」): it asks on."""
    condition = IF_SO.match(sentence)
    if condition is None:
        return False
    found = lexicon.find(condition.group("condition"))
    return not found.covered and not found.uncovered


def _stands_alone(sentence: str, lexicon: Lexicon) -> bool:
    """A question that names a covered topic, or an uncovered one beside the card (「もう期限切れ？」 after a question about
    the old 保険証 asks on about it: it names no card). A question naming only aspects (申請, お金) and no card asks on too:
    「…資格確認書が届くんですか？申請は要りますか」 is the 資格確認書's application (session 30's blind trial got the card's)."""
    found = lexicon.find(sentence)
    topics = asked_topics(found.covered, lexicon)
    if topics and all(lexicon.covered[cid].aspect for cid in topics) and not about_the_card(sentence):
        return False
    return bool(topics) or (bool(found.uncovered) and about_the_card(sentence))


def topics_asked(text: str, lexicon: Lexicon) -> Set[str]:
    """The main intents of the covered topics a text asks about, and the uncovered topics it names."""
    found = lexicon.find(text)
    concepts = asked_topics(found.covered, lexicon)
    return {_topic_beside(cid, concepts, lexicon) for cid in concepts} | set(found.uncovered)


def _topic_beside(concept_id: str, beside: List[str], lexicon: Lexicon) -> str:
    """A concept's main intent — or, when it and a concept named beside it both cover many topics (`BROAD_CONCEPT_INTENTS`)
    and share just one, which neither leads with, that one: 管理 beside 暗証番号 is the PIN's keeping (b64 c09-3:
    「暗証番号を成年後見人が把握・管理することは差し支えないか。またGH側でカードを預かる場合の留意点も…」 — the card's
    keeping is the second question's topic)."""
    intents = lexicon.covered[concept_id].intents
    for other in beside:
        others = lexicon.covered[other].intents
        shared = [name for name in intents if name in others]
        if (other != concept_id and min(len(intents), len(others)) >= BROAD_CONCEPT_INTENTS and len(shared) == 1
                and shared[0] not in (intents[0], others[0])):
            return shared[0]
    return intents[0]


def parts_asked_again(text: str, previous_question: str) -> List[str]:
    """The numbered parts of the previous question that this message says got no answer (「②③の回答がないようですが」),
    in order; [] when it says no such thing."""
    match = PARTS_LEFT.search(text)
    parts = numbered_parts(previous_question)
    if not match or not parts:
        return []
    asked = [mark_number(mark) - 1 for mark in re.findall(ONE_MARK, match.group("marks"))]
    return [parts[i] for i in dict.fromkeys(asked) if i < len(parts)]


def about_the_card(text: str) -> bool:
    """The message names the card, its number, the insurance card or the account (in kanji or hiragana)."""
    text = normalize(text)
    return bool(ABOUT_THE_CARD.search(text) or ABOUT_THE_CARD.search(to_katakana(text)))


def ranked_intents(ranking: Iterable[dict], knowledge_intents: Set[str]) -> List[Tuple[str, float]]:
    return [(r["name"], float(r.get("confidence") or 0.0)) for r in ranking
            if r.get("name") in knowledge_intents]


def asked_topics(covered: List[str], lexicon: Lexicon) -> List[str]:
    """The covered concepts that say what is asked, not who the person is (寝たきり, 認知症)."""
    return [cid for cid in covered if not lexicon.covered[cid].context]


def pinned_concepts(covered: List[str], lexicon: Lexicon) -> List[str]:
    """The concepts among `covered` that pin a kind of question (those that `outranks` others)."""
    return [cid for cid in covered if lexicon.covered[cid].outranks]


def out_of_scope_confidence(ranking: Iterable[dict]) -> float:
    return next((float(r.get("confidence") or 0.0) for r in ranking if r.get("name") == "out_of_scope"), 0.0)


def decide(text: str, intent: str, ranking: Sequence[dict], lexicon: Lexicon,
           knowledge_intents: Set[str]) -> Decision:
    """`intent`: the NLU's choice (a knowledge intent, nlu_fallback or out_of_scope). An intent written for other people
    than those the message names (`excludes`) is taken out of the ranking; when it was the choice, the classifier is
    unsure."""
    found = _named_in_one_item(_meant(lexicon.find(text), text, lexicon), text, lexicon)
    excluded = {name for cid in found.covered for name in lexicon.covered[cid].excludes}
    if excluded:
        ranking = [r for r in ranking if r.get("name") not in excluded]
        intent = "nlu_fallback" if intent in excluded else intent
    out_of_scope = out_of_scope_confidence(ranking)
    ranked = ranked_intents(ranking, knowledge_intents)
    urgent_topics = urgent_main_topics(found.covered, lexicon)
    if intent in UNSURE and ranked and out_of_scope < URGENT_DOUBT_MAX and urgent_topics:
        # a lost card is not declined because the classifier leans out of scope: its likeliest topic, when a named
        # concept agrees (session 43's trial: 「生活保護のケースワーカーです。…耳の聞こえない利用者さんがカードをなくした
        # そうです。電話ができない人は、カードの停止をどうやって…」, out_of_scope 0.40, fax_inquiry 0.30, got 「もしかして」) —
        # the urgent topic's when the classifier ranks it lower (session 54's trial, b53 c10-2, in やさしい日本語: 「しせつで
        # りようしゃさんの カードが みつからないです。lost です。だれに でんわ しますか？」, proxy_pickup_who 0.27 first)
        intent = next((name for name, _ in ranked if name in urgent_topics), ranked[0][0])
    decision = _agreement(text, found, intent, ranking, ranked, out_of_scope, lexicon, knowledge_intents)
    if decision.kind != "route":
        definition = _definition(text, lexicon, ranked)
        if definition:
            given_way = [name for name in decision.intents if name not in definition] if decision.kind == "answer" else []
            return Decision("answer", definition, found=decision.found, also=given_way)
    if decision.kind in ("decline", "clarify") and intent in UNSURE and about_the_card(text):
        nearby = [name for name, conf in ranked[:MAX_CANDIDATES] if conf >= NEARBY_MIN]
        nearby, _ = _outranked(nearby, decision.found, lexicon)   # 「保険証を紛失…」: the paper 保険証's end, not the card's loss
        named = _named_alone(nearby, decision.found, lexicon) if out_of_scope < NAMED_ALONE_DOUBT_MAX else None
        if named:
            return Decision("answer", [named], found=decision.found)
        if nearby and decision.kind == "decline":
            decision = Decision("clarify", nearby, found=decision.found, doubtful=True)
    if decision.kind in ("clarify", "decline"):
        held_back = _held_back_route(decision.found, lexicon, decision.intents)
        if held_back is not None:
            decision = Decision("route", [], route=held_back, found=decision.found)
    if decision.kind == "answer" and out_of_scope >= OOS_DOUBT and not _sure_over_doubt(decision, ranked, out_of_scope,
                                                                                         lexicon):
        first, _ = _outranked(decision.intents, decision.found, lexicon)   # 「保険証を紛失…再発行できますか?」: the
        candidates = _candidates(first, ranked)                              # paper 保険証's end first, not the card's loss
        return Decision("clarify", candidates, found=decision.found, doubtful=True)
    if decision.kind == "answer":
        first_before = decision.intents[0]
        decision.intents, given_way = _outranked(decision.intents, decision.found, lexicon,
                                                 _asked_apart(text, decision.intents, decision.found, lexicon))
        if decision.intents[0] != first_before:   # a second concern is one the answer put first does not cover (b63 c04-3:
            again = _second(decision.intents[0], decision.found, lexicon, ranked)   # the PIN kinds beside the 顔認証
            decision.intents = [decision.intents[0], *(n for n in decision.intents[1:] if n in again)]   # card's services)
        decision.also = list(dict.fromkeys(also_asked(text, decision.intents, lexicon) + given_way))
    if decision.kind in ("answer", "route"):
        others = other_questions(text)
        _other_questions(text, others, decision, lexicon, ranked)
        decision.more_routes = _other_routes(text, others, decision, lexicon)
    if decision.kind == "route" and decision.route and decision.intents:
        # an urgent concept's steps in place of the answer beside the route it outranks, before the route (session 53's
        # trial, b52 c04-4: 「…カードを加害者が持ったままになっているようなのです。悪用されないか心配なのですが」 got the
        # DV routing reply and that a マイナンバー known is no danger, not how to stop the card)
        first, _ = _outranked(decision.intents, decision.found, lexicon)
        urgent = first != decision.intents and main_topic_of("urgent", first[0], decision.found.covered, lexicon)
        decision.intents = first if urgent else decision.intents
        decision.answer_first = urgent or _asked_before_the_route(text, decision.intents[0], decision.route, lexicon)
    return decision


def _named_alone(nearby: List[str], found: Found, lexicon: Lexicon) -> Optional[str]:
    """The main topic of the one covered concept the message asks about, and no uncovered one, when the classifier ranks
    it among the nearby topics (session 63, b60 c07-4: 「で、再発行したカード、ばあちゃん役所まで行けないんだけど、受け取りって
    俺が代わりに行けたりする？ばあちゃん82歳」, out_of_scope 0.41–0.50 first, got 「もしかして」 with the 代理交付 third)."""
    asks = asked_topics(found.covered, lexicon)
    # or the pinned concepts' (those that `outranks`) among them, when they share it (b61 c06-3: 「…通知カードを失くして
    # しまっていて…通知カードがなくてもカードの申請はできますか」: the 通知カード missing and a loss, both the lost card's)
    pinned = {lexicon.covered[cid].intents[0] for cid in pinned_concepts(asks, lexicon)}
    main_topics = {lexicon.covered[cid].intents[0] for cid in asks} if len(asks) == 1 else pinned
    # a specific concept only — pinned, urgent or named by a pair of terms: one common word names a subject, not what is
    # asked of it (the dev split: 「マイナンバー通知の不在連絡票で再配達連絡を忘れた場合はどうなるの?」 names pin_forgot by 「忘れ」)
    specific = [cid for cid in asks if lexicon.covered[cid].intents[0] in main_topics and (
        lexicon.covered[cid].outranks or lexicon.covered[cid].urgent or cid in found.paired)]
    if found.uncovered or len(main_topics) != 1 or not specific:
        return None
    main = next(iter(main_topics))
    return main if main in nearby else None


def _held_back_route(found: Found, lexicon: Lexicon, offered: List[str]) -> Optional[UncoveredConcept]:
    """An uncovered topic named that a covered topic of the message would make answerable (its `unless`), when nothing
    offered is that covered topic's answer: its routing reply after all (session 32's blind trial: 「入所者さんの…カードの
    更新はどうすればいいですか？」 names 入所者, for whom the 出張申請受付 renews a card, but was offered the lost card)."""
    for concept_id in found.uncovered:
        concept = lexicon.uncovered[concept_id]
        answerable_by = [cid for cid in concept.unless if cid in found.covered]
        if answerable_by and not lexicon.intents_of(answerable_by) & set(offered):
            return concept
    return None


def _outranked(intents: List[str], found: Found, lexicon: Lexicon,
               asked_apart: Collection[str] = ()) -> Tuple[List[str], List[str]]:
    """(the answers, the intents given way — offered as buttons): a named concept's first intent in place of the answers
    it `outranks` (「カードがみつからなくて…いま夜の10時なんだけど電話つながる？」 got the free dial's hours, not the
    lost-card steps) — except those `asked_apart` (`_asked_apart`)."""
    given_way: List[str] = []
    for _ in range(len(found.covered)):   # until none gives way: the intent put in place may be outranked in turn (the
        before = intents                  # outreach in place of the 資格確認書, then the 住所地's town in place of the outreach)
        for concept_id in found.covered:
            concept = lexicon.covered[concept_id]
            outranked = [name for name in intents if name in concept.outranks and name not in asked_apart]
            if outranked:
                given_way += outranked
                intents = list(dict.fromkeys([concept.intents[0], *(n for n in intents if n not in outranked)]))
        if intents == before:
            break
    return intents, list(dict.fromkeys(given_way))


def _asked_apart(text: str, intents: List[str], found: Found, lexicon: Lexicon) -> Set[str]:
    """Those of `intents` that an asking part of the message names as the only topic of a concept, when what outranks
    them is named in another part alone: a question of its own, not one reading of the other (b68 c10-2: 「代理交付って、
    こういう長く家にこもっている状態の人も対象になるんですか？来庁できない証明って、主治医の診断書が必要でしょうか」 — the
    疎明's examples outrank who may in one question, not in the other) — not when a pair of terms across the parts
    outranks them (「限度額適用認定証を使わなくてもいいという理解で…。患者さん側で何か操作が必要なのでしょうか。」)."""
    parts = _covered_by_asking_part(text, lexicon)
    in_a_part = {cid for covered in parts for cid in covered}
    apart: Set[str] = set()
    for covered in parts:
        outranked_here = _outranked_by(Found(covered, []), lexicon)
        apart |= {topic for topic in _sole_topics(covered, lexicon) if topic in intents and topic not in outranked_here}
    spanning = [cid for cid in found.covered if cid not in in_a_part]
    return apart - _outranked_by(Found(spanning, []), lexicon)


def _covered_by_asking_part(text: str, lexicon: Lexicon) -> List[List[str]]:
    """The covered concepts each part of the message that asks (`asking_parts`) names."""
    return [lexicon.find(part).covered for part, asking in asking_parts(text) if asking]


def _sole_topics(covered: List[str], lexicon: Lexicon) -> Set[str]:
    """The topics of the asked concepts among `covered` that have no other topic."""
    return {lexicon.covered[cid].intents[0] for cid in asked_topics(covered, lexicon)
            if len(lexicon.covered[cid].intents) == 1}


def _outranked_by(found: Found, lexicon: Lexicon) -> Set[str]:
    """The intents that a concept named in the message `outranks`."""
    return {name for cid in found.covered for name in lexicon.covered[cid].outranks}


def _other_routes(text: str, others: List[str], decision: Decision, lexicon: Lexicon) -> List[UncoveredConcept]:
    """The uncovered topics of the message's other numbered parts or other questions (「①代わりに受け取れる？ …
    ④マイナポイントは？」: ④ was left unsaid), each routed in its own short reply — none when the routed topic governs
    the whole message (a deceased person's card), nor one that a covered topic of the whole message makes answerable
    (its `unless`)."""
    if decision.route and decision.route.governs:
        return []
    parts = PARTS.split(text) if NUMBERED.search(text) else others
    routed = {decision.route.id} if decision.route else set()
    more: List[UncoveredConcept] = []
    for part in parts:
        blocking = lexicon.blocking(lexicon.find(part)) if part else None
        if blocking and set(blocking.unless) & set(decision.found.covered):
            continue   # 「資格確認書ってお金かかる？あと有効期限は何年？」: the 資格確認書's validity, not the card's
        if blocking and blocking.id not in routed:
            routed.add(blocking.id)
            more.append(blocking)
    return more


def _other_questions(text: str, others: List[str], decision: Decision, lexicon: Lexicon,
                     ranked: List[Tuple[str, float]]) -> None:
    """The message's questions apart from the one decided on: beside a routing reply, the first asking sentence's question
    (after a telling sentence, only when the classifier has its topic among its likeliest) or another question
    (`other_questions`) that names one covered topic is answered (「資格確認書って有効期限は？あと、デイでカードを預かっても
    いい？」, 「施設の人に代わりに受け取ってもらえるん？あと再発行ってお金かかるん？」); another
    question that names no topic at all is listed in `unanswered` (nothing in the reply answers it) — not one that
    asks the same about someone else (「また、…の利用者についてはどうでしょうか。」)."""
    sentences = [sentence.strip() for sentence in SENTENCE.findall(text)]
    # the first sentence that asks, after what the person tells, when the classifier also sees its topic (「スマホで申請
    # してみます。お金はかかりますか？あと申請してから…どのくらいかかりますか？」, session 44's blind trial: only the delivery
    # time's routing reply; card_fee 0.21)
    first = [sentence for sentence in sentences if asks(sentence)][:1]
    likely = {name for name, confidence in ranked[:MAX_CANDIDATES] if confidence >= SECOND_MIN}
    routed_at = [i for i, sentence in enumerate(sentences)
                 if decision.route and decision.route.id in lexicon.find(sentence).uncovered]
    for sentence in dict.fromkeys(first + others):   # the first asking one may start a question of its own too
        found = lexicon.find(sentence)
        asks_here = asked_topics(found.covered, lexicon)
        # one naming nothing just before the routed question, which goes on with no start of its own, asks it in other
        # words (b63 c08-4: 「ところで、このカードは一度受け取れば生涯用いることのできるものなのでしょうか。有効期限は何年と…」)
        after = sentences.index(sentence) + 1
        beside_route = after in routed_at and not ANOTHER_QUESTION.match(sentences[after])
        if (sentence in others and not asks_here and not found.uncovered and not WHAT_ABOUT.search(sentence)
                and not beside_route):
            decision.unanswered.append(sentence)
        elif (decision.route and not decision.route.governs and not found.uncovered
              and len({lexicon.covered[cid].intents[0] for cid in asks_here}) == 1):   # one topic, however many name it
            intent = lexicon.covered[asks_here[0]].intents[0]
            told_first = sentence in first and sentence != sentences[0] and sentence not in others
            if (intent not in decision.intents and intent not in decision.route.not_beside
                    and (intent in likely or not told_first)):
                decision.intents.append(intent)
                decision.also = [name for name in decision.also if name != intent]


def also_asked(text: str, answered: List[str], lexicon: Lexicon) -> List[str]:
    """The main topic of each other concern, asked in a sentence or numbered part of its own, that no answer given
    covers (「①申請書がどこかいった、②本人は字が書けない、③受け取りにも行けない」 answered for ① only): offered as
    buttons beside the answers."""
    return list(dict.fromkeys(name for _, intents in also_asked_parts(text, answered, lexicon) for name in intents))


def also_asked_parts(text: str, answered: List[str], lexicon: Lexicon) -> List[Tuple[str, List[str]]]:
    """`also_asked` by part: (the part, the main intents of the topics it asks)."""
    parts: List[Tuple[str, List[str]]] = []
    numbered = bool(NUMBERED.search(text))
    for part, asking in asking_parts(text):
        if not (numbered or asking or ANOTHER_QUESTION.match(part)):
            continue   # 「…意思表示は明確で、ご本人がカードの取得を希望されています。」: who the person is, not a concern
        found = lexicon.find(part)
        topics = [] if lexicon.blocking(found) else asked_topics(found.covered, lexicon)
        if topics and not any(lexicon.covered[cid].intents[0] in answered for cid in topics):
            parts.append((part, list(dict.fromkeys(lexicon.covered[cid].intents[0] for cid in topics))))
    return parts


def _agreement(text: str, found: Found, intent: str, ranking: Sequence[dict], ranked: List[Tuple[str, float]],
               out_of_scope: float, lexicon: Lexicon, knowledge_intents: Set[str]) -> Decision:
    """The decision from the two signals (the module's docstring), before the out-of-scope doubt; `found`: the
    concepts the text names."""
    blocking = lexicon.blocking(found)
    if blocking:
        beside = _answer_beside_route(text, blocking, ranked, lexicon)
        numbered = bool(NUMBERED.search(text))   # 「①…②…③登録の解除は？」: the other parts as buttons, never a neighbour
        also = also_asked(text, beside, lexicon) if numbered and not blocking.governs else []
        return Decision("route", beside, route=blocking, found=found, also=also)
    confidence = dict(ranked)
    asks = asked_topics(found.covered, lexicon)
    # what another topic needs (必要な書類) is asked of that topic, and does not decide: 「ロック解除の手続きの際に必要な書類は
    # 何ですか。」 got the proxy's documents (session 27's blind trials)
    of_others = [cid for cid in asks if lexicon.covered[cid].of_another and len(asks) >= 2   # not of a topic it shares
                 and not any(set(lexicon.covered[cid].intents) & set(lexicon.covered[other].intents)   # intents with (代理で
                             for other in asks if other != cid)]                                     # 受け取る場合の本人確認書類)
    asks = [cid for cid in asks if cid not in of_others]
    named = lexicon.intents_of(_deciding(asks, Found([cid for cid in found.covered if cid not in of_others], found.uncovered)))
    named |= _outranked_by(found, lexicon)   # agrees; `_outranked` replaces it

    if intent not in knowledge_intents and intent != "nlu_fallback":
        return Decision("decline", found=found)                    # out_of_scope, chit-chat
    if found.covered:
        agreeing = [name for name, conf in ranked[:MAX_CANDIDATES] if name in named and conf >= RESCUE_MIN
                    and (asks or name == ranked[0][0])]   # who the person is alone rescues only the likeliest reading
        # (session 28's blind trials: 「スマホ持ってない人は？」 got the 公金受取口座's way at 0.19, not the likeliest)
        if agreeing:
            first = _named_aspect_first(agreeing, found, confidence, lexicon)
            per_part = ([] if any(lexicon.covered[cid].intents[0] == first for cid in found.covered)
                        else _one_topic_per_part(text, lexicon))   # (parsed only when the first is no concept's topic)
            if len(per_part) >= 2 and first not in per_part:
                return Decision("answer", per_part[:2], found=found)
            # an urgent topic (a lost card) before a likelier but unsure reading (session 55's trial, b54 c09-1: 「…マイナンバー
            # カードも保険証も無くしたって人がたくさんいます。とりあえず何をしてもらえばいいですか？」, the 資格確認書 0.37 first)
            urgent = _urgent_alone(asks, lexicon)   # the only topic asked, and not far less likely
            if (urgent in agreeing and confidence.get(first, 0.0) < SURE_WITHOUT_CONCEPT
                    and confidence[urgent] >= confidence[first] / 2):
                first = urgent
            return Decision("answer", _asked_first(text, [first, *_second(first, found, lexicon, ranked)], lexicon),
                            found=found)
        # nothing named agrees, and a lost card is asked: its steps — they say how to see a doctor meanwhile (the dev split:
        # 「マイナンバーカードを紛失した場合の手続きはどうなるのか?…再発行されるまでの間に医療機関を受診したい場合は…」,
        # no_card_shikaku 0.98, got 「もしかして」)
        urgent_asked = urgent_main_topics(asks, lexicon)
        if urgent_asked and out_of_scope < URGENT_DOUBT_MAX:
            return Decision("answer", urgent_asked[:1], found=found)
    likeliest = next((r.get("name") for r in ranking if r.get("name") != "nlu_fallback"), None)
    if intent == "nlu_fallback" and likeliest == "out_of_scope":
        return Decision("decline", found=found)                    # unsure, and out of scope is likeliest
    if not found.covered:
        if confidence.get(intent, 0.0) >= SURE_WITHOUT_CONCEPT:
            return Decision("answer", [intent], found=found)
        return Decision("clarify", _candidates([], ranked), found=found)
    if not asks and confidence.get(intent, 0.0) >= SURE_WITHOUT_CONCEPT:
        return Decision("answer", [intent], found=found)           # who the person is does not veto what is asked
    # the one topic named — an urgent one despite more doubt (b53 c10-2: 「…カードが みつからないです。lost です。…」, 0.32)
    doubt_max = URGENT_DOUBT_MAX if _urgent_alone(asks, lexicon) else OOS_DOUBT
    if confidence.get(intent, 0.0) < SURE_WITHOUT_CONCEPT and len(asks) == 1 and out_of_scope < doubt_max:
        return Decision("answer", [lexicon.covered[asks[0]].intents[0]], found=found)
    by_concept = [name for name, _ in ranked if name in named]
    by_concept += [lexicon.covered[cid].intents[0] for cid in found.covered]   # the concept's main topic
    return Decision("clarify", _candidates(by_concept, ranked), found=found)


def _one_topic_per_part(text: str, lexicon: Lexicon) -> List[str]:
    """The topics of a message whose asking parts each name one topic of its own, by a concept that has no other (b68
    c09-1: 「…父のカードを施設に預かっていただくことは可能なのでしょうか。また、暗証番号の再設定は、私が帰国しなくても
    手続きできるものなのでしょうか。」 got who may know the PIN, pin_sharing 0.84, which neither part asks): in order,
    or [] when a part names none, several, or one already named."""
    topics: List[str] = []
    for covered in _covered_by_asking_part(text, lexicon):
        named = _sole_topics([cid for cid in covered if not lexicon.covered[cid].aspect], lexicon)
        if len(named) != 1 or named <= set(topics):
            return []
        topics += named
    return topics


def _named_aspect_first(agreeing: List[str], found: Found, confidence: Dict[str, float], lexicon: Lexicon) -> str:
    """The likeliest agreeing intent — but not, when the classifier is unsure of it, an aspect's topic (what to bring,
    the fee, how to apply) that no concept of the message has as its main topic: the next agreeing one (session 56, b54 c03-3:
    「…ガイヘルの私が代わりに受け取ったりってできます？」 got the proxy's documents at 0.37, who may collect asked)."""
    first = agreeing[0]
    unnamed_aspect = (confidence.get(first, 0.0) < SURE_WITHOUT_CONCEPT and first in lexicon.aspect_topics
                      and not any(lexicon.covered[cid].intents[0] == first for cid in found.covered))
    return agreeing[1] if unnamed_aspect and len(agreeing) >= 2 else first


def urgent_main_topics(concept_ids: Iterable[str], lexicon: Lexicon) -> List[str]:
    """The main topics of the `urgent` concepts (a lost card) among `concept_ids`, in their order."""
    return list(dict.fromkeys(lexicon.covered[cid].intents[0] for cid in concept_ids if lexicon.covered[cid].urgent))


def _urgent_alone(asks: List[str], lexicon: Lexicon) -> Optional[str]:
    """The main topic of the one concept asked when it is `urgent` (a lost card), else None."""
    topics = urgent_main_topics(asks, lexicon) if len(asks) == 1 else []
    return topics[0] if topics else None


def nearby_named(text: str, ranking: Sequence[dict], lexicon: Lexicon, knowledge_intents: Set[str]) -> List[str]:
    """The topics to offer, as nearby ones, for a message declined although it names covered topics: the classifier's
    likeliest among their intents, then their main topics (a blind trial, 2026-12-03: 「俺のスマホで申請ってできますか？
    あとお金ってかかるんすかね」 and 「顔認証のやつに変えたらコンビニで住民票とか取られへんようになるん？それと、障害者手帳
    も…」 were told that the documents do not cover them); [] when it names none."""
    topics = asked_topics(lexicon.find(text).covered, lexicon)
    named = lexicon.intents_of(topics)
    likeliest = [name for name, conf in ranked_intents(ranking, knowledge_intents) if name in named and conf >= NEARBY_MIN]
    return list(dict.fromkeys(likeliest + [lexicon.covered[cid].intents[0] for cid in topics]))[:MAX_CANDIDATES]


def main_topic_of(kind: str, intent: str, concept_ids: Iterable[str], lexicon: Lexicon) -> bool:
    """`intent` is the main topic of a concept among `concept_ids` of the `kind` given by its field: `urgent` (a lost
    card's steps) or `outranks` (pinned: a kind of question its terms name together)."""
    return any(getattr(lexicon.covered[cid], kind) and lexicon.covered[cid].intents[0] == intent for cid in concept_ids)


def _sure_over_doubt(decision: Decision, ranked: List[Tuple[str, float]], out_of_scope: float, lexicon: Lexicon) -> bool:
    """The two signals agree and the classifier is far surer of the answer than of out_of_scope (SURE_OVER_DOUBT) — or
    the answer is an `urgent` concept's (a lost card: a blind trial, 2026-12-03, 「カードなくしたらどうする」 got 「もしかして」,
    lost_card 0.20 against out_of_scope 0.10): its likeliest intent is the answer, and a concept the message names maps to
    it."""
    first = decision.intents[0]
    # or the urgent topic that outranks it (session 41's trial: 「カードが金庫にない！…夜中2時だけど電話つながる？」, the free
    # dial likeliest at 0.27 against out_of_scope 0.26 — the lost-card steps give its number and 24時間365日)
    first_or_outranking = (first, _outranked([first], decision.found, lexicon)[0][0])
    urgent = any(main_topic_of("urgent", intent, decision.found.covered, lexicon) for intent in first_or_outranking)
    # or a pinned concept's (one that `outranks`: a kind of question its terms name together) main topic (session 41's
    # trial in kana: 「つまの わたしが おっとの ばんごうを しっていても いいのか」, pin_sharing 0.41 against 0.23), or the one
    # that outranks it (session 52's trial, b51 c04-3: 「スマホで申請するんですけど車いすが写っちゃう理由ってどこかに伝えた
    # ほうがいいんですか」, apply_methods 0.31 against 0.15: the photo exception)
    pinned = any(main_topic_of("outranks", intent, decision.found.covered, lexicon) for intent in first_or_outranking)
    outranked = _outranked_by(decision.found, lexicon)   # agrees, as in _agreement
    naming = sum(first in lexicon.covered[cid].intents for cid in decision.found.covered)   # concepts naming the answer
    ratio = SURE_OVER_DOUBT_TWICE_NAMED if naming >= 2 else SURE_OVER_DOUBT
    # an urgent topic, the only one asked, whatever the classifier ranks first (b53 c10-2: 「…カードが みつからないです。lost
    # です。だれに でんわ しますか？」, proxy_pickup_who 0.27 first, out_of_scope 0.32)
    alone = urgent and out_of_scope < URGENT_DOUBT_MAX and len(asked_topics(decision.found.covered, lexicon)) == 1
    return (bool(ranked) and (ranked[0][0] == first or alone) and (urgent or pinned or ranked[0][1] >= ratio * out_of_scope)
            and (naming > 0 or first in outranked))   # as in _agreement


def _deciding(asks: List[str], found: Found) -> List[str]:
    """The concepts that may agree with the classifier: all — but only `asks`, those of what is asked, when the message
    asks about several topics (「①…金庫で預かって ②顔のカード ③寝たきりの人の写真」: 入所者/寝たきり do not pick among
    them; 「認知症の父は、カードを作りたいのかどうか…」 asks one thing, and 認知症 decides it)."""
    return asks if len(asks) >= 2 else found.covered


def _definition(text: str, lexicon: Lexicon, ranked: List[Tuple[str, float]]) -> List[str]:
    """「<term>とは?」 for a term of a covered concept: the concept's defining intent (or the classifier's
    likeliest among the concept's intents), unless the classifier is sure of an intent outside them — or asked so in
    the message's last sentence, its only question, after who the person is (a blind trial, 2026-12-03: 「知的障害のある
    利用者さんで、暗証番号を覚えるのがむずかしい方がいます。暗証番号なしのカードがあると聞いたのですが、どういうもの
    ですか？」 got the PIN help for intellectual disability, the classifier 0.95 sure of it)."""
    concept, asked_last = lexicon.defined(text), False
    if concept is None:
        sentences = [sentence.strip() for sentence in SENTENCE.findall(text) if sentence.strip()]
        asked_last = len(sentences) >= 2 and asks(sentences[-1]) and not any(asks(s) for s in sentences[:-1])
        concept = lexicon.defined(sentences[-1]) if asked_last else None
    if concept is None:
        return []
    if not asked_last and ranked and ranked[0][1] >= SURE_WITHOUT_CONCEPT and ranked[0][0] not in concept.intents:
        return []
    likeliest = next((name for name, _ in ranked if name in concept.intents), concept.intents[0])
    return [concept.defines or likeliest]


def _candidates(first: List[str], ranked: List[Tuple[str, float]]) -> List[str]:
    """Up to three distinct intents: `first`, then the classifier's next best."""
    out: List[str] = []
    for name in [*first, *(n for n, conf in ranked if conf >= CANDIDATE_MIN)]:
        if name not in out:
            out.append(name)
    return out[:MAX_CANDIDATES]


def _asked_first(text: str, intents: List[str], lexicon: Lexicon) -> List[str]:
    """Two answers: the second first when the sentences that ask name its topic and not the first's, which only a
    sentence that tells (not asks) names — each as a concept's main topic, not an aspect (申請, お金) (session 43's
    trial: 「…寝たきりの患者さんがマイナンバーカードを持っていません。病院に市の職員さんに来てもらって申請することは
    できるのでしょうか。」 led with the 資格確認書 for those without a card)."""
    if len(intents) < 2:
        return intents
    named: Dict[bool, Set[str]] = {True: set(), False: set()}   # by whether the sentence asks
    for sentence in SENTENCE.findall(text):
        named[asks(sentence)] |= {lexicon.covered[cid].intents[0] for cid in asked_topics(lexicon.find(sentence).covered,
                                                                                          lexicon)
                                  if not lexicon.covered[cid].aspect}
    first, second = intents[:2]
    if second in named[True] and first not in named[True] and first in named[False]:
        return [second, first, *intents[2:]]
    return intents


def _second(first: str, found: Found, lexicon: Lexicon, ranked: List[Tuple[str, float]]) -> List[str]:
    """A second covered topic named in the question that the first answer does not cover."""
    covered_by_first = {cid for cid in found.covered if first in lexicon.covered[cid].intents}
    for concept_id in _deciding(asked_topics(found.covered, lexicon), found):
        if concept_id in covered_by_first or lexicon.covered[concept_id].of_another:
            continue   # 「…今日クリニックを受診するときは何を持って行けば」: what the visit needs, not the proxy's documents
        intents = lexicon.covered[concept_id].intents
        best = next(((name, conf) for name, conf in ranked if name in intents and name != first), None)
        if best and best[1] >= SECOND_MIN:
            return [best[0]]
    return []


def _asked_before_the_route(text: str, intent: str, route: UncoveredConcept, lexicon: Lexicon) -> bool:
    """The message asks `intent`'s topic in a clause (that asks) before the one naming the routed topic (session 44's blind trial:
    「顔認証のカードってのにしたら、何ができなくなるんですか？利用者さん、障害年金とかの手続きでなんか使うことあるのかしら」
    led with 「お答えできません」, then answered): the reply answers in the order asked."""
    clauses = [(lexicon.find(clause), asking) for clause, asking in asking_parts(text)]
    routed = next((i for i, (found, _) in enumerate(clauses) if route.id in found.uncovered), None)
    answered = next((i for i, (found, asking) in enumerate(clauses)
                     if asking and intent in lexicon.intents_of(asked_topics(found.covered, lexicon))), None)
    return routed is not None and answered is not None and answered < routed


def _answer_beside_route(text: str, route: UncoveredConcept, ranked: List[Tuple[str, float]],
                         lexicon: Lexicon) -> List[str]:
    """The classifier's sure intent when the message asks it in a clause of its own, apart from the clause
    that names the uncovered topic (a sentence of its own, or 「読み取り機の不具合や、暗証番号を忘れた時は」):
    [intent] or []. A topic named only across sentences (「資格確認書ってお金かかる？あと有効期限は何年？」) leaves
    apart the sentences that ask a question of their own (the first); 「資格確認書について。有効期限は？」 has none.
    An `urgent` concept's steps need no sure classifier, only its likeliest topic: 「カードをなくしました。再発行の費用は？」
    (lost_card 0.49) got the reissue fee's routing reply alone, not how to stop the card."""
    if route.governs or not ranked:
        return []
    parts = asking_parts(text)
    clauses = [(lexicon.find(clause), asking) for part, asking in parts for clause in BUT.split(part) if clause]
    # and a part's last clause that asks after a sentence ended by a comma (b58 c06-1: 「…前も免許更新のときに似たようなことあった
    # 気がするんですけど話それました、これってロックされたってことですよね？」: the lock asked, the licence an aside) — not after
    # a clause it depends on (「有効期限が切れても、しばらくは保険証として使えますか」)
    clauses += [(lexicon.find(part.rsplit("、", 1)[1]), True) for part, asking in parts
                if asking and SENTENCE_THEN_COMMA.search(part)]
    if not any(route.id in found.uncovered for found, _ in clauses):
        clauses = [(lexicon.find(sentence), True) for sentence in SENTENCE.findall(text) if asks(sentence)]
    intent, confidence = ranked[0]
    if intent in route.not_beside:
        return []
    for clause, asking in clauses:
        # or who the person is, in a clause that asks (session 49's blind trial (b48): 「あのカード…作らんといかんのですか。
        # 出られん人はどうすりゃええんでしょうか」, how_to_get_card 0.98, got the obligation's routing reply alone)
        topics = asked_topics(clause.covered, lexicon) or (list(clause.covered) if asking else [])
        # an uncovered topic its covered ones make answerable does not keep it from being asked (session 63, b60 c05-6:
        # 「…切り替える場合、電子証明書の更新と同時に行うと…即日処理できず…という理解で正しいですか。後見人の場合も委任状は…」)
        if not topics or lexicon.blocking(clause) is not None:
            continue
        if intent in lexicon.intents_of(topics) and (confidence >= SURE_BESIDE_ROUTE
                                                     or main_topic_of("urgent", intent, topics, lexicon)):
            return [intent]
        # or, the classifier unsure, the main topic of the one pinned concept (one that `outranks`) a clause asks about
        # (session 63, b60 c09-5: 「あんしょうばんごう 考えるのも むりかも… それと 傷病手当金の申請って このカードで…」)
        pinned = pinned_concepts(asked_topics(clause.covered, lexicon), lexicon)
        if len(pinned) == 1:   # a worry told, not asked: 「…むりかも…」
            return [lexicon.covered[pinned[0]].intents[0]]
    return []
