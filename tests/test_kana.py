"""Hiragana-only questions read like their kanji form (bot.rasa_side.kana, used by KanaToKanji)."""
from __future__ import annotations

import pytest

from bot.rasa_side.kana import in_hiragana, kana_to_words, loose_vocabulary, reading_vocabulary

pytestmark = pytest.mark.unit

EXAMPLES = ["代理交付の必要書類を教えて", "マイナンバーカードの有効期限はいつまで", "写真はどうすればいいですか",
            "暗証番号をわすれた", "暗証番号を忘れた", "できる?", "出来る?", "できますか"]


@pytest.fixture(scope="module")
def vocabulary():
    return reading_vocabulary(EXAMPLES)


def test_readings_of_the_examples_words(vocabulary):
    assert vocabulary["ひつようしょるい"] == "必要書類" and vocabulary["だいり"] == "代理"
    assert vocabulary["まいなんばーかーど"] == "マイナンバーカード"
    assert "でき" not in vocabulary and "できる" not in vocabulary    # written in kana as often: kept in kana


def test_a_hiragana_question_reads_like_its_kanji_form(vocabulary):
    assert kana_to_words("だいりこうふのひつようしょるいをおしえて", vocabulary) == "代理交付の必要書類を教えて"
    assert kana_to_words("まいなんばーかーどのゆうこうきげんは", vocabulary) == "マイナンバーカードの有効期限は"


def test_a_question_with_kanji_is_left_as_written(vocabulary):
    assert kana_to_words("写真はどうすればいいですか", vocabulary) == "写真はどうすればいいですか"
    assert kana_to_words("代理交付のひつようしょるい", vocabulary) == "代理交付のひつようしょるい"


def test_a_reading_shared_by_two_words_is_left_in_kana():
    """「かいじょ」 is 介助 as often as 解除: rewritten as either, 「りようとうろくのかいじょ」 would ask for help with the
    registration (session 31); the lexicon reads the kana by its readings. Two spellings of one word are kept."""
    vocabulary = reading_vocabulary(["移動の介助", "食事の介助", "登録の解除", "解除したい", "受付で", "受け付けで", "受付の"])
    assert "かいじょ" not in vocabulary and vocabulary["うけつけ"] == "受付"


def test_the_words_covering_the_most_kana_are_chosen():
    """Left to right, longest first, 「ないこうれいしゃ」 was 以降 + れ + 医者."""
    vocabulary = {"いこう": "以降", "いしゃ": "医者", "こうれいしゃ": "高齢者", "みより": "身寄り"}
    assert kana_to_words("みよりのないこうれいしゃ", vocabulary) == "身寄りのない高齢者"


def test_the_lexicons_terms_come_before_the_words():
    """「かおにんしょう」: the words alone give かお + 認証 (two kana are too few for a word) and the term 顔認証 is lost."""
    terms = {"かおにんしょう": "顔認証"}

    def kana_to_terms(text):
        for kana, term in terms.items():
            text = text.replace(kana, term)
        return text

    vocabulary = {"にんしょう": "認証", "まいなんばーかーど": "マイナンバーカード"}
    assert kana_to_words("かおにんしょうまいなんばーかーどってなに", vocabulary, terms_first=kana_to_terms) == \
        "顔認証マイナンバーカードってなに"
    assert kana_to_words("顔認証のかーど", vocabulary, terms_first=kana_to_terms) == "顔認証のかーど"


def test_in_hiragana_writes_kanji_words_by_their_reading():
    assert in_hiragana("代理交付の必要書類") == "だいりこうふのひつようしょるい"
    assert in_hiragana("マイナンバーカードの写真") == "マイナンバーカードのしゃしん"


def test_answers_for_hiragana_readers_keep_every_number_and_no_kanji():
    """Trials 8 and 12: users who read hiragana only got kanji answers. Every answer's short form, written for them:
    no kanji left, every digit run (phone numbers, dates, counts) as written and in order."""
    import re

    from bot.shared.conversation import in_short
    from bot.shared.kana import KANJI, for_hiragana_readers
    from bot.shared.knowledge import load_knowledge
    kb = load_knowledge()
    for entry in kb.entries:
        text = in_short(kb, entry.id)[0]["text"].split("\n出典：")[0]
        readable = for_hiragana_readers(text)
        assert not KANJI.search(readable), (entry.id, readable)
        assert re.findall(r"\d+", readable) == re.findall(r"\d+", text), entry.id


def test_for_hiragana_readers_reads_people_days_and_months_plainly():
    from bot.shared.kana import for_hiragana_readers
    assert for_hiragana_readers("外出が難しい方は、市区町村の窓口へ") == "がいしゅつが むずかしい かたは、しくちょうそんの まどぐちへ"
    assert for_hiragana_readers("（24時間365日受付）2023年12月1日まで") == "（24じかん365にち うけつけ）2023ねん12がつ1にちまで"
    assert for_hiragana_readers("6ヶ月以内に撮影。1人1口座") == "6かげついないに さつえい。1にん1こうざ"
    assert for_hiragana_readers("通知カードとマイナンバー制度") == "つうちカードと マイナンバーせいど"
    assert for_hiragana_readers("何が必要か。何のために") == "なにが ひつようか。なんの ために"
    assert for_hiragana_readers("申請日・交付日") == "しんせいび・こうふび"   # thirteenth trial: 「こうふひ」


def test_hiragana_words_typed_with_spaces_are_read_joined():
    """A blind trial (2026-12-03): 「しかく かくにんしょ って なんですか」 (an older user's spaces) was declined; joined, the
    kana are read like 「資格確認書ってなんですか」. A message with kanji is left as it is."""
    from bot.rasa_side.kana import kana_joined

    assert kana_joined("しかく かくにんしょ って なんですか") == "しかくかくにんしょってなんですか"
    assert kana_joined("おっとが　なくなりました。 おっとの かーど") == "おっとがなくなりました。 おっとのかーど"
    assert kana_joined("母の カード なくした") == "母の カード なくした"


def test_hiragana_and_katakana_typed_apart_are_joined_and_name_the_card():
    """Session 27's blind trials: 「かお の カード って なに？」 named nothing (a space between hiragana and katakana, and
    a term's reading is matched in hiragana runs only)."""
    from bot.rasa_side.kana import kana_joined
    from bot.shared.concepts import kana_to_terms, load_lexicon

    joined = kana_joined("かお の カード って なに？")
    assert joined == "かおのカードってなに？"
    assert "face_auth_card" in load_lexicon().find(kana_to_terms(joined)).covered
    assert kana_joined("マイナポータル ログイン") == "マイナポータル ログイン"


def test_a_question_typed_in_katakana_only_is_read_in_hiragana():
    """Session 26's blind trials: an older user's 「イエ ニ キテ モラエルノ デスカ」 was declined, its hiragana form answered.
    Katakana words alone (「マイナポータル ログイン」) stay as written."""
    from bot.rasa_side.kana import katakana_written
    assert katakana_written("イエ ニ キテ モラエルノ デスカ") == "いえ に きて もらえるの ですか"
    assert katakana_written("アンショウバンゴウ ワスレタ") == "あんしょうばんごう わすれた"
    assert katakana_written("マイナポータル ログイン") == "マイナポータル ログイン"
    assert katakana_written("データ") == "データ"
    assert katakana_written("カードは いつ とどきますか") == "カードは いつ とどきますか"
    # b69 c10-1, an 83-year-old in katakana with his age in kanji numerals: read in hiragana all the same
    assert katakana_written("ワタシハ 八十三サイ デス。ツマノ カードガ イリマスカ") == "わたしは 八十三さい です。つまの かーどが いりますか"


def test_kanji_numerals_do_not_make_a_kana_question_one_in_kanji(vocabulary):
    """b69 c10-1: 「八十三さい」 kept the katakana message from the hiragana steps (the words read from their kana)."""
    from bot.rasa_side.kana import kana_joined
    assert kana_to_words("八十三さい。だいりこうふのひつようしょるい", vocabulary) == "八十三さい。代理交付の必要書類"
    assert kana_joined("八十三さい です") == "八十三さいです"
    assert kana_to_words("母の だいりこうふ", vocabulary) == "母の だいりこうふ"   # a word in kanji: left to the terms


def test_a_pin_said_short_is_read_in_full():
    """b69 c03-5, aphasia: 「暗証 わすれ… 3回 まちがえ… どうする」 (「もしかして」); 「暗証わすれて3回まちがえた」 was declined."""
    from bot.shared.concepts import without_slips
    assert without_slips("暗証わすれて3回まちがえた") == "暗証番号わすれて3回まちがえた"
    assert without_slips("暗証番号を忘れた") == "暗証番号を忘れた"
    assert without_slips("暗唱番号を忘れた") == "暗証番号を忘れた"


def test_half_width_katakana_is_read_in_full_width():
    """b71 c10-1/2, a man in his seventies typing as on an old phone: 「ｼｮｳﾒｲｼｬｼﾝ ﾃﾞ ｼｬｼﾝ ﾄｯﾃ 申請ﾃﾞｷﾙﾄ…」 was declined."""
    from bot.shared.concepts import without_slips
    assert without_slips("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞﾉ ｺﾄﾃﾞ ｷｷﾀｲ。女房ｶﾞ") == "マイナンバーカードノ コトデ キキタイ。女房ガ"
    assert without_slips("１２３４ ＡＢＣ") == "１２３４ ＡＢＣ"   # full-width digits and letters: as typed


def test_katakana_words_that_are_not_loanwords_are_read_in_hiragana():
    """Session 47's blind trial (b46), a sister writing as in old mobile mail: 「暗証番号をワスレタらしくて↓↓」「アンショウバンゴウ、
    ワスレタ時、どうするの？？」 were declined. Loanwords (カード, スマホ, マイナンバーカード) stay as written."""
    from bot.shared.kana import katakana_words_in_hiragana
    text = "弟はマイナンバーカード持ってマス、、でも暗証番号をワスレタらしくて↓↓どうしたらイイでしょうか？？"
    assert katakana_words_in_hiragana(text) == "弟はマイナンバーカード持ってます、、でも暗証番号をわすれたらしくて↓↓どうしたらいいでしょうか？？"
    assert katakana_words_in_hiragana("ソウじゃなくて、、アンショウバンゴウ") == "そうじゃなくて、、あんしょうばんごう"
    assert katakana_words_in_hiragana("スマホとパソコンでマイナポータル、カードリーダー") == "スマホとパソコンでマイナポータル、カードリーダー"


def test_an_item_of_a_list_quoted_in_short_comes_with_the_line_leading_into_it():
    """Session 44's trial, in hiragana: the 資格確認書 in short quoted 「2. カードを紛失・更新中の方…（…上と書き方が違います）」
    alone — an orphan 「2.」 referring to a line not shown."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import in_short
    from bot.shared.knowledge import load_knowledge
    kb = load_knowledge()
    text = in_short(kb, "shikaku_kakuninsho", lexicon=load_lexicon(),
                    text="施設のおばあちゃん、マイナンバーカード持ってない。保険証ももうない。病院行くとき何持っていく？")[0]["text"]
    lines = text.splitlines()
    second = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    assert lines[second - 1].startswith("1. ") and lines[second - 2].endswith("：")


def test_a_line_about_what_was_asked_is_quoted_in_short_whatever_else_it_names():
    """b65 c10-2: 「長すぎw…ばあちゃんカード持ってないんだけど、その資格確認書ってやつ、こっちから申請しなきゃもらえないの？」
    got the 資格確認書 in short with who applies, not its line 「利用登録したカードがない方には、…申請しなくても…」 (the line
    names the 保険証's end and the 利用登録 besides)."""
    from bot.shared.concepts import load_lexicon
    from bot.shared.conversation import in_short
    from bot.shared.knowledge import load_knowledge
    text = in_short(load_knowledge(), "shikaku_kakuninsho", lexicon=load_lexicon(),
                    text="長すぎw 要はもう紙のはダメってことね。で、ばあちゃんカード持ってないんだけど、その資格確認書ってやつ、"
                         "こっちから申請しなきゃもらえないの？あと金かかる？")[0]["text"]
    assert text.startswith("みじかく言うと") and "申請しなくても" in text and "無償" in text


def test_japanese_typed_in_romaji_is_read_in_hiragana():
    """Session 47's blind trial (b46), a son abroad writing romaji: declined as 「資料に書かれていない」. Words spelt in kana
    syllables become hiragana (wa/wo as particles), borrowed English words the documents' words; English, and romaji
    without Japanese grammar (a name), are left as they are."""
    from bot.rasa_side.kana import romaji_written
    son = romaji_written("Japan no okaasan (82) ga my number card tsukuritai to itteru. Boku ga kikoku chuu ni nani ka "
                         "dekiru? I'm only here for 2 weeks.")
    assert son.startswith("にほん の おかあさん (82) が マイナンバーカード つくりたい と いってる.") and "なに か できる?" in son
    assert romaji_written("anshou bangou wo wasuremashita") == "あんしょう ばんごう を わすれました"
    assert romaji_written("shashin wa dou suru no?") == "しゃしん は どう する の?"
    for left in ("Can I get a My Number card for my mother?", "Where do I go to make the card?", "Tanaka Hanako",
                 "マイナ保険証 OK?"):
        assert romaji_written(left) == left


def test_english_words_in_a_japanese_message_are_read_in_japanese():
    """Session 54's blind trial (b53 c10-1): 「…マイナンバーカードを なくしました。どうしよう？ very worried」 was out of scope
    0.56 with the English; the words of ENGLISH_ASIDE in Japanese, not inside other words, nor in a message without
    Japanese (English, romaji: `romaji_written`)."""
    from bot.rasa_side.kana import english_aside_written
    assert english_aside_written("なくしました。どうしよう？ very worried") == "なくしました。どうしよう？ とても しんぱい"
    assert english_aside_written("カードがlostです。Please help") == "カードが紛失です。おねがいします たすけて"
    for left in ("I lost my card", "Boku ga card wo nakushita", "QRコードのPINは?", "helpful なサイト"):
        assert english_aside_written(left) == left


def test_latin_words_nothing_here_knows_are_left_out_of_a_japanese_message():
    """b67 c06 (a care worker from Nigeria): 「Hello! 私はNigeria出身の介護staffです。今日、residentのおばあちゃんの…」 was out of
    scope 0.62 — names and English asides are dropped for the classifier; the lexicon's Latin words (PIN, ATM, QR, iPhone) and
    a few more stay; a message without Japanese is left as it is."""
    from bot.rasa_side.kana import latin_asides_dropped
    from bot.shared.concepts import latin_terms
    known = latin_terms()
    assert {"pin", "atm", "qr", "iphone", "fax"} <= known
    assert latin_asides_dropped("私はNigeria出身の介護staffです", known) == "私は出身の介護です"
    assert latin_asides_dropped("iPhoneでPINを入れてOKを押す", known) == "iPhoneでPINを入れてOKを押す"
    assert latin_asides_dropped("I lost my card", known) == "I lost my card"


def test_a_message_typed_in_fragments_is_read_as_one_phrase():
    """b67 c05 (short of breath): 「役所…行けん…カード…どうやって…受け取る」 got 「もしかして」 twice — three pauses or more
    between short fragments are left out; pauses in ordinary sentences stay."""
    from bot.shared.concepts import pauses_joined
    assert pauses_joined("在宅酸素…しとる…役所…行けん…カード") == "在宅酸素しとる役所行けんカード"
    assert pauses_joined("受け取り...の方...代わりに...息子...行ける？") == "受け取りの方代わりに息子行ける？"
    kept = "えっと…母のカードのことなんですが…実は先週から見当たらなくて…どうしたらいいでしょう"
    assert pauses_joined(kept) == kept and pauses_joined("カード…なくした") == "カード…なくした"


def test_kana_typed_without_dakuten_are_read_as_the_word():
    """Session 57's trial (b56 c08, a user typing with one hand): 「ほけんしよう もうつかえないの」 got 「もしかして」. A message
    whose kana have no 濁点 at all is read by the folded readings too; one with 濁点 only as typed (「ほけんじょうほう」 is
    保険 + 情報, not 保険証 + ほう); a folded reading too short, or shared by two words, is no word."""
    vocabulary = {"ほけんしょう": "保険証", "びょういん": "病院", "かーど": "カード", "さいはっこう": "再発行", "ほけん": "保険",
                  "ばあい": "場合", "かいじょ": "介助", "がいじょ": "害除"}
    loose = loose_vocabulary(vocabulary)
    assert loose == {"ほけんしよう": "保険証", "ひよういん": "病院", "かーと": "カード", "さいはつこう": "再発行"}
    assert kana_to_words("ほけんしようもうつかえないの", vocabulary, loose=loose) == "保険証もうつかえないの"
    assert kana_to_words("かーとなくしたらさいはつこうおかねかかる", vocabulary, loose=loose) == "カードなくしたら再発行おかねかかる"
    assert kana_to_words("ひょういんにいく", vocabulary, loose=loose) == "病院にいく"
    assert kana_to_words("あたらしいほけんじょうほうはいつ", vocabulary, loose=loose) == "あたらしい保険じょうほうはいつ"


def test_romaji_words_in_a_japanese_message_are_read_as_the_word():
    """Session 58 (b57 c07, a care worker from Peru): 「カードの shashin、kurumaisu が うつっても OK ですか？」 got 「もしかして」,
    「②sumaho で shinsei できますか？」 was not found: a romaji word whose reading the training data spells is that word;
    English, Spanish and short words are left as they are, and so is a message without Japanese."""
    from bot.rasa_side.kana import romaji_words_written
    vocabulary = {"しゃしん": "写真", "くるまいす": "車椅子", "すまほ": "スマホ", "しんせい": "申請", "いえ": "家"}
    assert romaji_words_written("カードの shashin、kurumaisu が うつっても OK ですか？", vocabulary) == \
        "カードの 写真、車椅子 が うつっても OK ですか？"
    assert romaji_words_written("②sumaho で shinsei できますか？ yo tengo Android.", vocabulary) == \
        "②スマホ で 申請 できますか？ yo tengo Android."
    assert romaji_words_written("ie の カード", vocabulary) == "ie の カード"   # under ROMAJI_WORD_MIN
    assert romaji_words_written("shashin wo toru", vocabulary) == "shashin wo toru"   # no Japanese: romaji_written's
