"""The concept lexicon (knowledge/concepts.yml): which domain terms a question names, and whether the
knowledge base covers them.

`load_lexicon()` validates the file (pydantic) and compiles one leftmost-longest pattern over every
term; `Lexicon.find(text)` returns the concepts named in a question. Terms with kanji are also
matched by their reading (SudachiPy, when installed: the Rasa side), so 「だいりこうふ」 finds 代理交付.
"""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Literal, Optional, Set, Tuple, Union

import yaml

from bot.shared.kana import KANJI, reading, sudachi, to_katakana
from bot.shared.paths import KNOWLEDGE_DIR

try:  # pydantic 1.10 in Rasa's venv, 2 in the gateway's
    from pydantic.v1 import BaseModel, Field, validator
except ImportError:
    from pydantic import BaseModel, Field, validator  # type: ignore[assignment]

CONCEPTS_FILE = KNOWLEDGE_DIR / "concepts.yml"
MIN_READING_CHARS = 4          # shorter readings (「ホケン」) match too much by chance
MIN_MIXED_READING_CHARS = 8    # a term with okurigana by its reading (「スマホを持っていません」: スマホヲモッテイマセン) — only a long
                               # one: 「亡くなる」 (ナクナル) would be 「使えなくなる」
HIRAGANA = re.compile(r"[ぁ-ゖ]")
HIRAGANA_RUN = re.compile(r"[ぁ-ゖー]{4,}")
# words that hold a term but say something else: 「私がいなくなった後、施設に預けても…」 (someone gone, not a card lost:
# session 44's blind trial got 「もしかして」 with the lost-card steps)
# — nor what the writer says they are not asking about (b61 c07-6: 「…お尋ねしたかったのは一体化のことではなく、…「身分証明書を」
# と言われたときに、マイナンバーカードを見せればよいのか」 got the マイナ免許証's routing reply again)
NOT_TERMS = re.compile(r"いなくな|居なくな|[^。、！？!?「」\s]{1,12}(?:のこと|の話|の件)(?:ではなく|じゃなくて|じゃなく|ではありません|ではないです)")


class CoveredConcept(BaseModel):
    id: str
    intents: List[str] = Field(..., min_items=1)
    terms: List[str] = Field(default_factory=list)
    together: List[List[str]] = Field(default_factory=list)  # named when each group has a term in the text
    context: bool = False      # says who the person is (寝たきり, 認知症), not what is asked
    defines: Optional[str] = None   # the intent that answers 「<term>とは?」 (default: the classifier's, among `intents`)
    names: List[str] = Field(default_factory=list)   # what 「<name>とは?」 asks about, too common to be terms (マイナンバー)
    excludes: List[str] = Field(default_factory=list)   # intents written for other people: never the answer when this
                                                        # concept is named (a blind person's PIN is not the 知的障害 rule)
    of_another: bool = False   # asks what the topic named beside it needs (何を持って行けば): never a second answer
    carried: Optional[Literal["card", "document"]] = None   # a kind of card (顔認証) or of document (資格確認書): after
                               # an answer about it, a question naming no kind asks about it
    aspect: bool = False       # asks an aspect (お金, 申し込み, 持ち物) of a topic: in a short follow-up that names no topic
                               # of its own, of the answer just given
    urgent: bool = False       # its first intent's steps cannot wait (a lost card): no out-of-scope doubt holds them back
                               # when the classifier's likeliest topic is that intent
    outranks: List[str] = Field(default_factory=list)   # intents whose answer gives way to this concept's first intent
                                                        # when it is named (a lost card: the free dial's hours give way
                                                        # to the lost-card steps, which give the number and 24時間365日)


class UncoveredConcept(BaseModel):
    id: str
    terms: List[str] = Field(default_factory=list)
    together: List[List[str]] = Field(default_factory=list)  # named when each group has a term in the text
    unless: List[str] = Field(default_factory=list)   # covered concepts that make it answerable
    governs: bool = False    # it changes what the whole message means (a deceased person's card): nothing in
                             # the message is answered beside the routing reply
    context: bool = False    # says who the person is (生活保護, DV): routed before a topic named beside it,
                             # whose routing reply may not hold for them (the insurer, for one on 生活保護)
    not_beside: List[str] = Field(default_factory=list)   # intents of a look-alike never answered beside the routing
                                                          # reply (the reissue fee: not 「交付手数料は無料です」)
    opening: str = ""        # a line said before the reply only to whom it concerns (condolences for a death)
    reply_of: Optional[str] = None   # says another concept's reply, without its opening (a death asked ahead)
    reply: str = ""          # the opening, if any, is put in front of it at load (`_with_replies`)

    @validator("reply", always=True)
    def _one_reply(cls, reply: str, values: dict) -> str:
        if bool(reply) == bool(values.get("reply_of")) or (reply and len(reply) < 20):
            raise ValueError("an uncovered concept needs its own reply (20 characters or more) or reply_of, not both")
        return reply


# Slips of the keyboard or of voice input, read as the word meant — by the lexicon and by the classifier (bot.rasa_side.nlu:
# b59 c09-1, 「まいな保険書の登録、家でできる？」, was out of scope 0.64): 「マイナの保健証」, 「障害者手長」
SLIPS = [
    ("保健証", "保険証"), ("保険書", "保険証"), ("障害者手長", "障害者手帳"), ("手長を", "手帳を"),
    ("代理高付", "代理交付"), ("代理公布", "代理交付"), ("暗唱", "暗証"),   # voice input's homophones (session 27's blind trials)
    ("舞いなんばー", "マイナンバー"), ("保健賞", "保険証"), ("保険賞", "保険証"),   # b67 c08-1: 「妻の舞いなんばーカードを健康保健賞として」
]
# Chinese characters for their Japanese forms — traditional (b64 c02, a care worker from Taiwan: 「さっきの外國語のフリーダイヤル、
# 中國語にも對應していますか？」 got the free dial in Japanese; 「手續」「寫眞」「有效」)
CHINESE_FORMS = str.maketrans({
    "國": "国", "對": "対", "應": "応", "寫": "写", "眞": "真", "續": "続", "效": "効", "證": "証", "號": "号", "險": "険",
    "醫": "医", "變": "変", "實": "実", "區": "区", "來": "来", "當": "当", "發": "発", "經": "経", "舊": "旧", "聽": "聴",
    "覺": "覚", "轉": "転", "錄": "録", "傳": "伝", "擔": "担", "臺": "台", "歲": "歳", "歷": "歴", "驗": "験", "檢": "検",
    "處": "処", "與": "与", "讀": "読", "關": "関", "權": "権", "齡": "齢", "團": "団", "體": "体", "氣": "気", "屆": "届",
    "戶": "戸", "兒": "児", "藥": "薬", "寢": "寝", "顏": "顔", "從": "従", "獨": "独", "濟": "済", "廣": "広", "數": "数",
    "稅": "税", "縣": "県", "聲": "声", "說": "説", "賣": "売", "邊": "辺", "釋": "釈", "隨": "随", "雜": "雑", "靜": "静",
    "餘": "余", "驛": "駅", "髮": "髪", "齒": "歯", "礙": "碍", "會": "会",
    # simplified characters (b66 c04-4, a care worker from China: 「顔认证のカードに変えたら…」 named no topic)
    "认": "認", "证": "証", "险": "険", "药": "薬", "职": "職", "员": "員", "请": "請", "书": "書", "记": "記", "录": "録",
    "电": "電", "话": "話", "诊": "診", "疗": "療", "设": "設", "时": "時", "间": "間", "问": "問", "题": "題", "验": "験",
    "检": "検", "资": "資", "确": "確", "护": "護",
})
_SLIP = re.compile("|".join(re.escape(v) for v, _ in SLIPS))
_MEANT = dict(SLIPS)
# a word said short (b69 c03-5, aphasia: 「暗証 わすれ… 3回 まちがえ… どうする」 got 「もしかして」; 「暗証わすれて3回
# まちがえた」 was declined, out of scope 0.41): read in full, as the classifier learnt it
SHORT_FORMS = [(re.compile(r"暗証(?!番号|ばんごう|コード)"), "暗証番号")]


# a message typed in fragments, a pause between every few words (b67 c05, short of breath: 「役所…行けん…カード…どうやって…
# 受け取る」 got 「もしかして」 twice): read as one phrase — three pauses or more, two to eight characters apart on average
_PAUSE = re.compile(r"(?:…|‥|\.{2,}|・{2,}|。{2,})+")
_FRAGMENT_LENGTH = (2, 8)


def pauses_joined(text: str) -> str:
    """The text without its pauses when it is typed in short fragments (「役所…行けん」 → 「役所行けん」), else as it is."""
    fragments = [part for part in _PAUSE.split(text) if part.strip()]
    pauses = len(_PAUSE.findall(text))
    if pauses < 3 or not fragments:
        return text
    average = sum(len(part.strip()) for part in fragments) / len(fragments)
    return _PAUSE.sub("", text) if _FRAGMENT_LENGTH[0] <= average <= _FRAGMENT_LENGTH[1] else text


# half-width katakana (「ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ」, typed on old phones: b71 c10-1/2, declined) in full width, its voiced marks joined
HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")


def without_slips(text: str) -> str:
    """The text with its half-width katakana in full width, its SLIPS mended, its Chinese characters in their Japanese
    forms (CHINESE_FORMS), its pauses joined when typed in fragments (`pauses_joined`) and its SHORT_FORMS in full."""
    text = HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _SLIP.sub(lambda m: _MEANT[m.group(0)], pauses_joined(text).translate(CHINESE_FORMS))
    for short, full in SHORT_FORMS:
        text = short.sub(full, text)
    return text


# Spellings of the same word, read as one (in the terms and in the question alike): 「ハガキを紛失した」
# names what 「はがきをなくした」 names. Longer spellings first where one contains another.
VARIANTS = [
    ("葉書", "はがき"), ("ハガキ", "はがき"),
    ("紛失し", "なくし"), ("無くし", "なくし"), ("失くし", "なくし"), ("無くな", "なくな"), ("失くな", "なくな"),
    ("受けと", "受け取"), ("受取", "受け取"), ("申込", "申し込"), ("取消", "取り消"), ("届出", "届け出"),
    ("マイナカード", "マイナンバーカード"), *SLIPS,
    ("子ども", "子供"), ("こども", "子供"), ("出来", "でき"), ("分から", "わから"), ("判ら", "わから"),
    ("無ぇ", "ねえ"), ("ねぇ", "ねえ"),   # 津軽 (session 45's trial: 「カードば作ってねぇのさ…カード無ぇば病院さかがれねぐなるんだべが？」)
    ("預げ", "預け"),   # 東北 (session 45's trial: 「旦那のカードは施設さ預げでおいでもいいもんだべが？」)
    ("土よう", "土曜"), ("日よう", "日曜"), ("どよう", "土曜"), ("にちよう", "日曜"),   # やさしい日本語 (session 44's trial)
    ("書きかえ", "書き換え"), ("書換え", "書き換え"),   # 「マイナの住所ってどうやって書きかえんの？」 (session 51's trial)
    ("無し", "なし"), ("無い", "ない"),   # 「カード無しで受診できる？」 (twentieth trial: 「もしかして」)
    ("代り", "代わり"),   # 「ﾜｼｶﾞ 代ﾘﾆ 申請ｼﾃﾔﾙｺﾄﾊ ﾃﾞｷﾙｶﾈ」 (b71 c10-1)
]
_VARIANT = re.compile("|".join(re.escape(v) for v, _ in VARIANTS))
_CANONICAL = dict(VARIANTS)


def normalize(text: str) -> str:
    """NFKC, lower case, Japanese forms of Chinese characters (CHINESE_FORMS), one spelling for the VARIANTS, pauses
    joined when typed in fragments."""
    return _VARIANT.sub(lambda m: _CANONICAL[m.group(0)],
                        pauses_joined(unicodedata.normalize("NFKC", text)).lower().translate(CHINESE_FORMS))


# 「<term>とは?」「<term>って何ですか」: a question that asks only what a term means (after normalize())
DEFINITION = re.compile(
    r"(?:そもそも|結局|いまさら聞けない[?!]?)?[、,]?(?P<term>[^、。?!]{2,40}?)(?:\([^)]*\))?[」』]?"
    r"(?:とは|って)[、,]?(?:一体|いったい)?(?:何|なに|なん|どんなもの|どういうもの|どのようなもの|どういう意味)?"
    r"(?:ですか|でしょうか|なの|なのか|なん|のこと|だっけ|だ|か)*[?!。…]*")   # 「『マイナンバーカード』って、一体何なのだ?」
DEFINITION_MEANING = re.compile(   # 「代理交付って言葉の意味がわからん」「資格確認書の意味を教えて」
    r"(?P<term>[^、。?!]{2,24}?)[」』]?(?:って|という|の)(?:言葉|用語)?の?意味(?:が|は|を|って)?"
    r"(?:わから(?:ん|ない|なくて|ないです|ないのですが)|わかりません|知りたい(?:です)?|教えて(?:ください|下さい|ほしい)?|なに|何)?"
    r"(?:ですか|でしょうか|なの|の|か)*[?!。…]*")
DEFINITION_HEARD = re.compile(   # 「暗証番号なしのカードがあると聞いたのですが、どういうものですか？」 (a blind trial, 2026-12-03)
    r"(?P<term>[^、。?!]{2,30}?)[」』]?(?:がある|があるって|があると|というものがある|ってのがある)(?:聞いた|聞きました|きいた|ききました)"
    r"(?:のですが|んですが|んだけど|けど|が)?[、,]?(?:それは|それって|これは)?(?:どういうもの|どんなもの|なに|何)"
    r"(?:ですか|でしょうか|なの|なん|か)*[?!。…]*")
DEFINITION_DIFFERENCE = re.compile(   # 「マイナンバーとマイナンバーカードの違いとは?」: two names of one concept
    r"(?P<term>[^、。?!]{2,24}?)[」』]?と[「『]?(?P<other>[^、。?!]{2,24}?)[」』]?(?:の|って)?(?:違い|ちがい)(?:とは|は|って)?"
    r"(?:何|なに|なん)?(?:ですか|でしょうか|なの|か)*[?!。…]*")
ASIDE = re.compile(r"\([^()]{1,20}\)")   # a short parenthetical, after normalize() (NFKC: 「（」 → 「(」)
DEFINED_OF = re.compile(r"^(?:マイナンバーカード(?:\(個人番号カード\))?|マイナ|カード)(?:の|に必要な|で使う)")   # 「マイナンバーカードの暗証番号とは」


# 「〇〇病院入院受付の者です。」「特養で事務をしている者です。」: a sentence in which the writer says who they are
SELF_INTRODUCTION = re.compile(r"(?:^|(?<=[。!！?？\n])|(?<=こんにちは、)|(?<=はじめまして、)|(?<=お世話になります、))(?:"
                               r"[^。!！?？\n]{0,40}?(?:の者|している者|しております者|で働いている者|に勤めている者"
                               r"|の職員|のスタッフ|の担当者|の事務員|の窓口担当|の担当"   # b64 c09-1: 「障害福祉課の窓口担当です。」
                               # 「訪問看護ステーションの看護師です。」 (seventeenth trial: routed as 訪問看護)
                               r"|の看護師|の相談員|のヘルパー|のケアマネ(?:ジャー)?|の管理者|の支援員|の介護士|の介護職員|の世話人"
                               r"|の社会福祉士|の薬剤師|の医師)(?:です|でございます|と申します)[。!！\s]*"
                               # 「訪問看護をしております。」 (session 40's blind trial: routed as 訪問看護): a short sentence, one clause
                               # (not 「父が亡くなり、相続の手続きをしています。」)
                               r"|[^。!！?？\n、]{1,12}?を?(?:しております|しています|やっております|やっています|やってます|してます)[。!！\s]+)")


@dataclass
class Found:
    """Concepts named in a question, in the order they appear."""

    covered: List[str] = field(default_factory=list)
    uncovered: List[str] = field(default_factory=list)
    at: Dict[str, int] = field(default_factory=dict)   # where each is first named (a pair of terms: its first term)
    paired: Set[str] = field(default_factory=set)     # those named by a pair of terms (`together`): more specific than one

    def __bool__(self) -> bool:
        return bool(self.covered or self.uncovered)


class Lexicon:
    def __init__(self, covered: List[CoveredConcept], uncovered: List[UncoveredConcept],
                 readings: Optional[Dict[str, str]] = None, mixed_readings: Optional[Dict[str, str]] = None):
        self.covered = {c.id: c for c in covered}
        self.uncovered = {u.id: u for u in uncovered}
        owner: Dict[str, str] = {}
        concepts: List[Union[CoveredConcept, UncoveredConcept]] = [*covered, *uncovered]
        for concept in concepts:
            for term in concept.terms:
                owner.setdefault(normalize(term), concept.id)
        self._owner = owner
        self._named = {normalize(name): c.id for c in covered for name in c.names}
        self._together = {c.id: [[normalize(t) for t in group] for group in c.together]
                          for c in concepts if c.together}
        self._together_unspaced = {concept_id: [[re.sub(r"\s+", "", t) for t in group] for group in groups]
                                   for concept_id, groups in self._together.items()}   # where a pair is named (`Found.at`)
        self._together_readings = {   # 「かいじょ」 for 解除: a hiragana question names the group too
            concept_id: [[r for r in ((readings or {}).get(t) for t in group) if r and len(r) >= MIN_READING_CHARS]
                         for group in groups]
            for concept_id, groups in self._together.items()}
        self._first_group_of: Dict[str, List[str]] = {}   # a term or reading → the concepts whose first group has it
        for concept_id, groups in self._together.items():
            for term in {*groups[0], *self._together_readings[concept_id][0]}:
                self._first_group_of.setdefault(term, []).append(concept_id)
        self._together_index = _TermIndex(t for groups in self._together.values() for group in groups for t in group)
        self._together_reading_index = _TermIndex(r for groups in self._together_readings.values() for group in groups
                                                  for r in group)
        self._pattern = _alternation(owner)
        together_terms = [t for groups in self._together.values() for group in groups for t in group]
        self.latin_words = frozenset(word.lower() for term in [*owner, *together_terms]
                                     for word in re.findall(r"[A-Za-z]+", term))   # 「PIN」「ATM」「iPhone」 …
        self._reading_surface: Dict[str, str] = {}          # reading → the term it spells
        for term in owner:
            reading = (readings or {}).get(term)
            if reading and len(reading) >= MIN_READING_CHARS:
                self._reading_surface.setdefault(reading, term)
        self._reading_pattern = _alternation(self._reading_surface) if self._reading_surface else None
        # terms written with kana and kanji, by their reading: 「すまほを もっていません」 (session 35's blind trial, after the
        # registration's ways: the smartphone certificate, as 「スマホ」 alone was found)
        self._mixed_surface = {reading: term for term, reading in (mixed_readings or {}).items()
                               if term in owner and len(reading) >= MIN_MIXED_READING_CHARS}
        self._mixed_pattern = _alternation(self._mixed_surface) if self._mixed_surface else None
        self._covered_in: Dict[str, FrozenSet[str]] = {}   # `covered_in`: texts of the knowledge base only (bounded)
        # the main topics of the concepts that ask an aspect of a topic (what to bring, the fee, how to apply)
        self.aspect_topics = frozenset(c.intents[0] for c in covered if c.aspect)

    def covered_in(self, fixed_text: str) -> FrozenSet[str]:
        """The covered concepts a text of the knowledge base (an answer's line, a title) names — kept: it never changes."""
        if fixed_text not in self._covered_in:
            self._covered_in[fixed_text] = frozenset(self.find(fixed_text).covered)
        return self._covered_in[fixed_text]

    def find(self, text: str) -> Found:
        """The concepts the text names; an uncovered one only when named outside the writer's introduction of themself
        (「〇〇病院入院受付の者です。」 names no topic the question is about)."""
        found = self._find(text)
        if found and SELF_INTRODUCTION.search(normalize(text)):
            asked = self._find(SELF_INTRODUCTION.sub("", normalize(text)))
            found.uncovered = [concept for concept in found.uncovered if concept in asked.uncovered]
            if asked.covered:   # where the writer works is no topic either, when the rest names one (session 53's trial,
                # b52 c10-1: 「こんにちは、小児病院で病棟保育士をしています。…カードの受け取りってどうしたらいいでしょうか？」
                # got the card at the hospital's reception)
                found.covered = [concept for concept in found.covered if concept in asked.covered]
        return found

    def _find(self, text: str) -> Found:
        text = NOT_TERMS.sub("・", normalize(text))
        owner = self._owner
        compact = re.sub(r"\s+", "", text)   # 「へんな めーる きました」 (a blind trial, 2026-12-03: a phishing mail read as no scam)
        spelt = self._with_mixed_terms(compact)
        if spelt != compact:   # 「すまほを もっていません」 as 「スマホを持っていません」, which the longest match finds, not 「スマホ」
            text = compact = spelt
        # a topic named by two terms together (「認定証」+「届かない」) is more specific than one term: first
        kana = " ".join(to_katakana(run) for run in HIRAGANA_RUN.findall(compact)) if self._together_readings else ""
        written = {term for version in (text, compact) for term in self._together_index.present(version)
                   if _written_in(term, version)}
        kana_written = self._together_reading_index.present(kana) if kana else set()
        first_named = {cid for term in (*written, *kana_written) for cid in self._first_group_of.get(term, ())}
        ids = [concept_id for concept_id, groups in self._together.items() if concept_id in first_named
               and all(not written.isdisjoint(group) or not kana_written.isdisjoint(readings)
                      for group, readings in zip(groups, self._together_readings[concept_id]))]
        at = {concept_id: _named_at([[(compact.find(t), t) for t in group if t in compact]
                                     for group in self._together_unspaced[concept_id]], len(compact)) for concept_id in ids}
        # 「マイナンバー(12桁の番号)を取り扱う」 also as 「マイナンバーを取り扱う」, 「しんせいしょ かけない ひと」 without spaces
        for version in dict.fromkeys((text, ASIDE.sub("", text), compact)):
            for match in self._pattern.finditer(version):
                if not _inside_a_number(match):
                    ids.append(owner[match.group(0)])
                    at.setdefault(ids[-1], compact.find(re.sub(r"\s+", "", match.group(0))))
        if self._reading_pattern is not None:   # hiragana written for kanji: 「だいりこうふ」
            for run in HIRAGANA_RUN.findall(text):
                for match in self._reading_pattern.finditer(to_katakana(run)):
                    ids.append(owner[self._reading_surface[match.group(0)]])
                    at.setdefault(ids[-1], compact.find(run))
        found = Found(at=at, paired=set(ids))   # so far, the pairs
        for concept_id in dict.fromkeys(ids):
            (found.covered if concept_id in self.covered else found.uncovered).append(concept_id)
        return found

    def _with_mixed_terms(self, compact: str) -> str:
        """`compact` (no spaces) with each stretch written in kana that spells a term of kana and kanji by its reading
        replaced by the term (a match spans only kana: kanji are not turned into katakana)."""
        if self._mixed_pattern is None or not HIRAGANA.search(compact):
            return compact
        return _spelt(compact, self._mixed_pattern, self._mixed_surface)

    def kana_to_terms(self, text: str) -> str:
        """Runs of hiragana that spell a term's reading replaced by the term (longest first)."""
        pattern = self._reading_pattern
        if pattern is None:
            return text
        return HIRAGANA_RUN.sub(lambda run: _spelt(run.group(0), pattern, self._reading_surface), text)

    def defined(self, text: str) -> Optional[CoveredConcept]:
        """The covered concept whose term is all that a definition question asks about: 「資格確認書とは?」,
        「マイナンバーカードの暗証番号ってなんですか」, 「『代理交付』って何?」, 「マイナンバーとマイナンバーカードの違いは?」
        (two names of one concept) — else None."""
        question = normalize(text).strip()
        difference = DEFINITION_DIFFERENCE.fullmatch(question)
        if difference:   # only when both names are of the same concept: its definition tells them apart
            concepts = {self._concept_named(difference.group(name)) for name in ("term", "other")}
            concept_id = concepts.pop() if len(concepts) == 1 else None
        else:
            match = (DEFINITION.fullmatch(question) or DEFINITION_MEANING.fullmatch(question)
                     or DEFINITION_HEARD.fullmatch(question))
            concept_id = self._concept_named(match.group("term")) if match else None
        concept = self.covered.get(concept_id) if concept_id else None
        return None if concept is None or concept.context else concept   # who the person is is no term (session 28's
        # blind trials, after the registration: 「スマホ持ってない人は？」 got the 公金受取口座's way)

    def _concept_named(self, term: str) -> Optional[str]:
        """The concept a defined term names — or, for 「<what it belongs to>の<term>」 where what it belongs to names no
        concept, the one its last part names (「…公的個人認証サービスの電子証明書」: 電子証明書; not 「マイナ保険証の作り方」)."""
        term = DEFINED_OF.sub("", term.strip("「」『』\"' "))
        parts = term.split("の")
        for i in range(len(parts)):
            tail, head = "の".join(parts[i:]), "の".join(parts[:i])
            if head and self._pattern.search(head):
                return None
            concept_id = self._owner.get(tail) or self._named.get(tail)
            if concept_id:
                return concept_id
        return None

    def intents_of(self, concept_ids: List[str]) -> Set[str]:
        return {intent for cid in concept_ids for intent in self.covered[cid].intents}

    def blocking(self, found: Found) -> Optional[UncoveredConcept]:
        """The first uncovered concept named in the text that no covered concept of the question makes answerable;
        one that says who the person is (`context`) before the topics (「…有効期限はそれぞれ何年でしょうか。更新のお知らせは
        いつ頃届くのか」, session 51's trial: the validity, not the days until a card comes)."""
        for concept_id in sorted(found.uncovered, key=lambda cid: (not self.uncovered[cid].context, found.at.get(cid, 0))):
            concept = self.uncovered[concept_id]
            if not set(concept.unless) & set(found.covered):
                return concept
        return None


CARD_ITSELF = frozenset({"カード", "かーど", "マイナンバーカード", "マイナカード", "まいなかーど"})   # named in most messages


def _named_at(positions: List[List[Tuple[int, str]]], end: int) -> int:
    """Where a topic named by terms together (`positions`: where each group's terms are found, with the term) is named:
    at its first term, not counting the card itself, which most messages name (b65 c01-5: 「カードの有効期限…何年なのでし
    ょうか。また、更新時期の…お知らせは、住所地である施設宛てに届くものなのでしょうか」 — the mailing address is named at
    施設宛て, not at the first 「カード」)."""
    found = [position for group in positions for position, term in group if term not in CARD_ITSELF]
    found = found or [position for group in positions for position, _ in group]
    return min(found, default=end)


class _TermIndex:
    """Which of many terms a text contains, looked up by their first two characters (the `together` groups' terms: a
    scan of every group term by term cost 0.4 ms a message)."""

    def __init__(self, terms: Iterable[str]):
        self._by_start: Dict[str, List[str]] = {}
        for term in dict.fromkeys(terms):
            if term:
                self._by_start.setdefault(term[:2], []).append(term)

    def present(self, text: str) -> Set[str]:
        starts = {text[i:i + 2] for i in range(len(text))} | set(text)
        return {term for start in starts for term in self._by_start.get(start, ()) if term in text}


def _alternation(terms: Dict[str, str]) -> "re.Pattern[str]":
    """Longest terms first: at each position the longest term wins (「顔写真証明書」 over 「顔写真」)."""
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def term_readings(terms: List[str]) -> Dict[str, str]:
    """Katakana readings of the terms written in kanji (and katakana) only — a term with okurigana
    (「亡くなる」) would match its plain-kana homophones (「使えなくなる」). SudachiPy; empty where it
    is not installed (the gateway's venv)."""
    if sudachi() is None:
        return {}
    return {term: reading(term) for term in terms if KANJI.search(term) and not HIRAGANA.search(term)}


def mixed_readings(terms: List[str]) -> Dict[str, str]:
    """Katakana readings of the terms written in kanji or katakana with hiragana (「スマホを持っていません」), to be found in
    a message written in kana (`MIN_MIXED_READING_CHARS`) — those ending in kana: one ending in kanji would end inside
    a word (「カードを持っていない日」 in 「かーどを もっていない ひとは？」). SudachiPy; empty where it is not installed."""
    if sudachi() is None:
        return {}
    return {term: reading(term) for term in terms
            if HIRAGANA.search(term) and re.search(r"[一-龥々ァ-ヶ]", term) and not KANJI.match(term[-1])}


def check_lexicon(lexicon: Lexicon, intents: Set[str]) -> List[str]:
    """Problems: intents that do not exist, `unless` ids that are not covered concepts."""
    problems = []
    for concept in lexicon.covered.values():
        problems += [f"{concept.id}: unknown intent {i}" for i in [*concept.intents, *concept.excludes] if i not in intents]
        if concept.defines and concept.defines not in concept.intents:
            problems.append(f"{concept.id}: defines {concept.defines}, not one of its intents")
        if not concept.terms and not concept.together:
            problems.append(f"{concept.id}: neither terms nor together")
    for uncovered in lexicon.uncovered.values():
        problems += [f"{uncovered.id}: unless {u} is not a covered concept" for u in uncovered.unless
                     if u not in lexicon.covered]
    ids = [*lexicon.covered, *lexicon.uncovered]
    problems += [f"duplicate concept id {i}" for i in set(ids) if ids.count(i) > 1]
    return problems


def joined_terms(groups: List[List[str]]) -> List[str]:
    """The terms an uncovered concept's `joined` groups spell: one term of each group, written together in order
    (「夫」「おっと」… × 「がなくなっ」「がなくなり」…: 「夫がなくなっ」, not 「夫のカードがなくなっ」)."""
    return ["".join(parts) for parts in itertools.product(*groups)] if groups else []


@functools.lru_cache(maxsize=2)
def load_lexicon(path: Path = CONCEPTS_FILE, with_readings: bool = True) -> Lexicon:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    concepts_data = [*data["covered"], *data["uncovered"]]
    written = [t for c in concepts_data for groups in ([c.get("terms", [])], c.get("together", []), c.get("joined", []))
               for g in groups for t in g]
    unquoted = [t for t in written if not isinstance(t, str)]
    if unquoted:   # YAML reads 0120 as the octal number 80: a term must be written as a string
        raise ValueError(f"concept terms that YAML does not read as text (quote them): {unquoted}")
    covered = [CoveredConcept(**c) for c in data["covered"]]
    uncovered = _with_replies([UncoveredConcept(**{**u, "terms": [*u.get("terms", []), *joined_terms(u.pop("joined", []))]})
                               for u in data["uncovered"]])
    concepts: List[Union[CoveredConcept, UncoveredConcept]] = [*covered, *uncovered]
    terms = [normalize(t) for c in concepts for t in c.terms]
    terms += [normalize(t) for c in concepts for group in c.together for t in group]
    return Lexicon(covered, uncovered, term_readings(terms) if with_readings else None,
                   mixed_readings(terms) if with_readings else None)


def _with_replies(uncovered: List[UncoveredConcept]) -> List[UncoveredConcept]:
    """Each concept's reply as it is said: another's (`reply_of`, without that one's opening), its own opening in front."""
    by_id = {c.id: c for c in uncovered}
    missing = [c.reply_of for c in uncovered if c.reply_of and (c.reply_of not in by_id or by_id[c.reply_of].reply_of)]
    if missing:
        raise ValueError(f"reply_of must name an uncovered concept with a reply of its own: {missing}")
    bodies = {c.id: by_id[c.reply_of].reply if c.reply_of else c.reply for c in uncovered}
    for concept in uncovered:
        concept.reply = "\n".join(line for line in (concept.opening, bodies[concept.id]) if line)
    return uncovered


def _spelt(text: str, readings: "re.Pattern[str]", surface: Dict[str, str]) -> str:
    """`text` with each stretch whose katakana spells one of the `readings` replaced by the term it reads (`surface`);
    kanji are not turned into katakana, so a stretch spans only what was written in kana."""
    out, last = [], 0
    for match in readings.finditer(to_katakana(text)):   # one katakana for each character: the positions hold
        out += [text[last:match.start()], surface[match.group(0)]]
        last = match.end()
    return "".join(out) + text[last:]


def _written_in(term: str, text: str) -> bool:
    """`term`, found in `text`, is written there — a term of digits only as a number of its own (`_inside_a_number`)."""
    return not term.isdigit() or any(not _inside_a_number(m) for m in re.finditer(term, text))


def _inside_a_number(match: "re.Match[str]") -> bool:
    """A term of digits (「1234」 of pin_choice) found inside a longer number: a blind trial (session 31) typed a
    マイナンバー 「123456789012」 with a locked PIN and was told the documents do not say how to choose a PIN."""
    text, start, end = match.string, match.start(), match.end()
    return match.group(0).isdigit() and ((start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()))


def kana_to_terms(text: str) -> str:
    """`Lexicon.kana_to_terms` with the project's lexicon (used by the NLU component bot.rasa_side.nlu.KanaToKanji)."""
    return load_lexicon().kana_to_terms(text)


def latin_terms() -> frozenset:
    """The Latin words of the project's lexicon's terms (PIN, ATM, iPhone, QR …), lower case."""
    return load_lexicon().latin_words
