"""Answer only when the answer fits: the concept lexicon and the decision of bot.shared.fit (no model)."""
from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
import yaml

from bot.shared.answers import decision_messages, meant_entities
from bot.shared.concepts import check_lexicon, load_lexicon
from bot.shared.fit import asked_topics, asking_parts, decide, nearby_named
from bot.shared.knowledge import PHONE_RE, source_text
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def ranking(*pairs):
    return [{"name": name, "confidence": conf} for name, conf in pairs]


def routed_id(lexicon, text):
    """The uncovered concept the lexicon routes a text to, or None."""
    blocking = lexicon.blocking(lexicon.find(text))
    return blocking.id if blocking else None


def test_lexicon_names_real_intents_and_covered_concepts(lexicon, kb):
    assert check_lexicon(lexicon, set(kb.intents)) == []


# Concepts that outrank each other's main topic: when both are named, the later in knowledge/concepts.yml wins
# (`fit.decide` reads them in file order). Each pair here is on purpose; a new one must be added knowingly — session 53
# found form_missing / notice_card_missing outranking each other by accident.
OUTRANKING_EACH_OTHER = [   # (earlier, later: the later wins)
    ("registration_needed_to_see_a_doctor", "usable_mark"),
    ("face_auth_mark", "switch_to_face_auth"), ("face_auth_mark", "visual_check"),
    ("face_auth_mark", "face_auth_card_at_hospital"), ("visual_check", "face_auth_card_at_counter"),
    ("card_cannot_be_placed", "reader_obligation"), ("card_cannot_be_placed", "refusal_reported"),   # (b68 c05-1)
    ("reader_obligation", "reader_without_face"),
    ("number_at_the_counter", "pin_said_aloud"),   # the PIN said aloud, not the 12 digits (b62 c06-6)
    ("moving_with_the_card", "gendogaku_at_the_reader"), ("moving_with_the_card", "paper_card_still_usable"),
    ("moving_with_the_card", "usable_mark"), ("refusal_reported", "reader_without_face"),
    ("face_auth_card_at_hospital", "face_auth_card_at_counter"), ("face_auth_card_at_hospital", "placing_the_card"),
    ("face_auth_card_at_hospital", "reader_face_check"),
    ("photo_booth_apply", "medical_device_in_photo"),   # a device in the photo: the exception, wherever it is taken
    ("outreach_at_home", "group_reception"),
    ("outreach_at_home", "pickup_place"),
    ("photo_without_going_out", "medical_device_in_photo"), ("photo_taken_by_family", "medical_device_in_photo"),
    ("photo_taken_by_family", "worn_every_day"), ("photo_taken_by_family", "face_not_straight"),
    ("proxy_for_whom", "proof_examples"),   # what proves 来庁困難 for a mental disability, not who may (b67 c04-4)
    ("low_vision_writing", "braille_seal"),   # a seal with 点字 (b69 c06-5)
    ("number_seen_at_the_counter", "pin_said_aloud"), ("braille_seal", "signature_without_hands"),
    ("pin_checked", "pin_with_card"), ("pin_checked", "pin_setting_help"), ("pin_checked", "pin_kept_by_other"),
    ("face_auth_card_at_counter", "reader_methods"), ("face_auth_card_at_counter", "reader_face_check"),
    ("placing_the_card", "visit_without_mynahoken"),   # no マイナ保険証 at all: the 資格確認書, not where to place a card
]


def test_concepts_outranking_each_other_are_known(lexicon):
    concepts = list(lexicon.covered.values())
    pairs = [(a.id, b.id) for i, a in enumerate(concepts) for b in concepts[i + 1:]
             if b.intents[0] in a.outranks and a.intents[0] in b.outranks]
    assert pairs == OUTRANKING_EACH_OTHER


def test_routing_replies_give_only_numbers_from_the_sources(lexicon, kb):
    sources = "\n".join(source_text(doc) for doc in kb.documents.values())
    for concept in lexicon.uncovered.values():
        assert "資料" in concept.reply and "お問い合わせ" in concept.reply, concept.id
        for number in PHONE_RE.findall(unicodedata.normalize("NFKC", concept.reply)):
            assert number in sources, (concept.id, number)


def test_a_reply_of_another_concept_is_said_without_its_opening(lexicon, tmp_path):
    deceased, ahead = lexicon.uncovered["deceased"], lexicon.uncovered["deceased_ahead"]
    assert deceased.reply.startswith(deceased.opening + "\n") and "お悔やみ" in deceased.opening
    assert ahead.reply == deceased.reply[len(deceased.opening) + 1:] and "お悔やみ" not in ahead.reply
    broken = tmp_path / "concepts.yml"
    for wrong in ({"id": "a", "terms": ["x"], "reply_of": "nowhere"},
                  {"id": "a", "terms": ["x"], "reply": "資料には書かれていません。窓口にお問い合わせください。", "reply_of": "b"}):
        broken.write_text(yaml.safe_dump({"covered": [], "uncovered": [wrong]}, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ValueError):
            load_lexicon(broken, with_readings=False)


@pytest.mark.parametrize("text, concept", [
    ("顔写真証明書があれば疎明資料はいらない？", "face_photo_certificate"),
    ("顔認証マイナンバーカードにしたい", "face_auth_card"),
    ("資格確認書はいつ届く", "shikaku"),
    ("だいりこうふのひつようしょるいおしえて", "proxy_pickup"),   # hiragana only, by reading
    ("あんしょうばんごうをわすれた", "pin"),
    ("施設の入所者のカードがなくなりました", "lost"),   # not 「カードがなく」 (no card at all)
    ("マイナンバーカードの申請書 かけない ひとは どうしたら いいの", "signature"),   # hiragana written with spaces
    ("母はまだカードを作っていないのですが、病院はどうなりますか", "no_card"),   # no card: 資格確認書
    ("保険証の利用登録をしていない人は？", "no_card"),
    ("マイナ保険証がなくても病院にかかれるの?", "no_card"),
    ("病院の窓口でマイナンバー（12桁の番号）を取り扱うのですか", "card_safety"),   # read past the aside too
    # the twenty-first trial (a husband in his 80s, Tohoku dialect in hiragana; the kanji come from KanaToKanji)
    ("マイナンバーカード もってねえ ひとは 病院さ いくとき どうすればいいのすか", "no_card"),
    ("カードがねえと 病院さ かかれねえのすか", "no_card"),
    ("父はカードを持っていません。病院はどうなりますか", "no_card"),
    ("かかあの 施設は 隣まち だども 役場の ひとが 施設さ きて カード 作ってけるのすか", "outreach"),
    ("この保険証は具体的にいつまで使用できるのでしょうか。", "hokensho_end"),   # an MSW's patient's 後期高齢者 card
    # session 40's blind trial: the paper card abolished (the lost-card steps),
    # a card without a PIN in Kansai dialect (a reader's line), the person going to collect it (the braille signature)
    ("「保険証の紙がなくなったら病院に行けないのでは」と不安がる方がいます", "hokensho_end"),
    ("おかんのカード、暗証番号いらんやつに変えたいねんけど、うちが役所行って手続きできるん？", "switch_to_face_auth"),
    ("カードの受け取りはご本人が窓口に行く必要がありますか？全盲なので一人で行くのは難しいです。", "proxy_pickup"),
    ("てかさっきエラーで聞けなかったけど、じいちゃんの写真って俺のスマホで撮ったやつでいいの？", "photo_taken_by_family"),
    ("むすめが もっていくもの なにがいる？", "proxy_documents"),   # kana: the okurigana term's reading is too short
    ("んだら いまの カードがら かおにんしょうさ かえるのは どごで やんのや。ぜにっこ かがんのが", "switch_to_face_auth"),
])
def test_look_alikes_and_hiragana_find_the_right_concept(lexicon, text, concept):
    assert concept in lexicon.find(text).covered


@pytest.mark.parametrize("variant, plain", [
    ("交付通知書のハガキを紛失してしまいました", "交付通知書のはがきをなくしてしまいました"),
    ("子どものカードを作りたい", "子供のカードを作りたい"),
    ("施設の職員が代わりに受取に行けますか", "施設の職員が代わりに受け取りに行けますか"),
])
def test_spelling_variants_name_the_same_concepts(lexicon, variant, plain):
    assert lexicon.find(variant) == lexicon.find(plain) and lexicon.find(plain)


def test_an_expired_insurance_card_is_not_the_cards_validity(lexicon):
    found = lexicon.find("マイナンバーカードの申請に本人確認書類がない場合どうすればいいですか。保険証も期限切れです")
    assert lexicon.blocking(found) is None and "hokensho_end" in found.covered


def test_plain_kana_is_not_read_as_a_kanji_term(lexicon):
    found = lexicon.find("従来の健康保険証は使えなくなる?")   # なくなる is not 亡くなる
    assert found.uncovered == []


@pytest.mark.parametrize("text, concept", [
    ("亡くなった母のマイナンバーカードはどうすればいいですか", "deceased"),
    ("利用者さんが亡くなりました。カードが見当たりません", "deceased"),
    ("マイナ保険証の利用登録を解除したい", "registration_cancel"),
    ("資格情報のお知らせって何ですか", "shikaku_joho_notice"),
    ("カードの有効期限はいつまで？", "validity_renewal"),
    ("再発行の手数料はいくら？", "reissue_fee"),
    ("iPhoneにマイナンバーカードを入れられますか", "iphone"),
    ("保険証の紐づけって後からやめられるの？", "registration_cancel"),
    ("まいなほけんしょうのとうろくをかいじょしたい", "registration_cancel"),   # hiragana
    ("りようとうろくをてっかいしたい", "registration_cancel"),   # 利用登録 + 撤回, both by their reading
    ("資格確認書をなくしてしまったらどうなりますか", "shikaku_reissue"),
    ("顔認証マイナンバーカードから暗証番号ありのカードに戻せますか？", "face_auth_revert"),
    ("病院で情報を見せる同意を撤回したい", "consent_change"),
    ("公金受取口座はいつまでに登録すればいいですか", "koukin_deadline"),
    ("限度額適用認定証がまだ届かないのですが", "gendogaku_certificate"),
    ("カードの文字が消えかかっています", "card_damaged"),
    ("カードの写真を変更したい", "photo_change"),
    ("資格確認書の有効期限は何年ですか", "shikaku_validity"),
    ("交付通知書の受け取り期限を過ぎたらどうなる？", "pickup_deadline"),
    ("小学生の娘にもカードを作れますか", "infants"),          # a child's own card: 子供 + what is done
    ("うちの子どもの写真は笑っていてもいい？", "infants"),
    ("退職して国保になったら、カードはいつから保険証として使えますか", "insurer_change_timing"),
    ("住基カードはまだ使えますか", "juki_card"),
    ("申請したカードの申請状況を確認したい", "application_status"),
    ("顔写真付きの身分証がない人の本人確認書類は何が使えますか", "id_documents"),   # new users' (sessions 13, 14)
    ("そもそも外国の人もマイナンバーカード作れるんですよね？", "foreign_resident"),
    # the seventh new-user trial: a confident neighbour each time
    ("カード自体に点字や切り欠きなど、触ってわかる目印はついていますか？", "card_tactile"),
    ("成年後見人の弁護士さんがついていますが、後見人が代わりにカードを申請することはできますか？", "guardian_application"),
    ("顔写真付きの本人確認書類がない人は、何を持っていけばいいですか", "id_documents"),
    ("母が入院中で、マイナ保険証で入院の手続きせなあかんねんけど、本人は病室から出られへん。どないしたらええ？", "admission_procedure"),
    # the eighth trial
    ("担当の方に「マイナンバーカードが不正に使われている、暗証番号を教えて」という電話があったそうです", "scam"),
    ("療育手帳に写真が貼ってあるんですけど、それは顔写真付きの本人確認書類になりますか？", "id_documents"),
    ("じゃあ わたしの本人確認書類は 在留カード でいいですか？", "id_documents"),   # fifteenth trial: not the resident card
    ("その際の「代理人の代理権を証明する書類」として、後見登記事項証明書を提出すれば足りるという理解でよろしいでしょうか", "proxy_authority_examples"),
    ("その本人限定受取郵便って住所地の自宅に届くんですよね？病院あてに送ってもらうとかできるのかな", "mailing_address"),
    # the sixteenth trial
    ("入院中の患者さんの娘さんが、お母さんのマイナカードだけ持って来て、本人いないのにカードリーダーで資格確認していいんですか？",
     "card_without_person"),
    ("在宅の利用者さんのカードを社協が預かるのは、施設の場合と同じ考え方でいいのかどうかだけ教えてください", "custody_by_supporter"),
    ("母が同意とか判断できない場合、家族がカード管理するのはどうなんすか？", "management_without_consent"),
    ("同じこと2回言いよるばい。最後に、警察の遺失届は今夜行かんといかんと？明日でよかと？", "police_report_timing"),
    ("住民票を前の家のままにしてる入居者さんがいるんだけど、資格確認書って前の住所に届いちゃうの？施設に送ってもらう方法ある？",
     "shikaku_mailing"),
    # the thirteenth trial: suspending a card that is not lost got the lost-card steps
    ("カードはなくしてないけど、念のため一時停止しておいたほうがいいですか", "suspend_card_in_hand"),
    ("訪問看護やってます。寝たきりの患者さん、マイナ保険証で訪問看護受けられるの？", "home_nursing"),   # was 訪問診療's answer
    ("変な電話で暗証番号言っちゃったかもしれないんです。カード悪用されますか？どこに連絡すればいいですか", "pin_told"),
    ("暗証番号を他人に教えてしまった場合どうすればいいですか", "pin_told"),   # was the care home's PIN rules
    ("ベトナム語で電話できるところ、ありますか", "other_languages"),   # the documents name five languages
    ("ダウンロードした申請書にばあちゃんのマイナンバー書かなきゃいけないんですよね？番号わかんないんだけどどこ見ればいい？",
     "mynumber_lookup"),   # got 申請サポート
    ("本人は意思表示ができないので「本人が指定する」ことができません。その場合はどうなるのでしょうか。",
     "proxy_without_designation"),   # got 「ご本人が指定する方ならどなたでも」 again
    # the twenty-first trial: 「…まいなんばーかーど つくらねばなんねのすか」, 「ほけんしゃ ってだれのことだべ」 (KanaToKanji's kanji)
    ("おらのかかあが施設さ入ってるんだども マイナンバーカード 作らねばなんねのすか", "obligation"),
    ("保険者 ってだれのことだべ わがんねえ", "insurer_who"),
    ("電子証明書はいつまで使えますか", "ecert_validity"),   # was read as the old insurance card's end (いつまで使え)
    ("いや、受け取りじゃなくて、なくした届けのほう。警察の遺失届と市役所の紛失届 ヘルパーやケアマネが代わりに出せる？",
     "lost_report_by_proxy"),   # got the 代理交付 answer, then the lost-card steps again
    ("その人カードは保険証登録ずみ。入院のとき病院にカードあずけっぱなしでいいか知りたい", "hospital_keeps_card"),
    ("カードが郵送されてきたとき、本人限定受取郵便を施設職員が受け取ることはできますか。", "restricted_mail_receiver"),
    ("子どものマイナンバーカードを申請する場合、親が代わりに手続きすることは可能ですか。", "child_application_by_parent"),
    ("資格確認書って、お父ちゃんが自分で申し込まなあかんの？ うちが代わりにできる？", "shikaku_application_by_family"),
    ("顔が変わったほうは？病気でやせて写真と全然ちがう。病院の顔認証通らないかも", "face_changed"),
    ("病気で顔がすごく変わってしまったけど顔認証通る？", "face_changed"),   # got the 顔認証 card's 「もしかして」
    # a blind look-alike trial: the e-certificate's validity beside the old insurance card's (got the マイナ保険証's merits),
    # the card's printed date (the same), a lost 交付通知書 in Kansai speech (got the proxy's documents)
    ("マイナ保険証にしたら保険証の有効期限は関係なくなると？電子証明書の期限ってのもあるって聞いたばってん", "ecert_validity"),
    ("母のマイナ保険証、カードに「2034年」まで有効って書いてあるから、それまで何もしなくていいってこと？", "validity_renewal"),
    ("入院中の父の電子証明書の更新、出張申請で来てもらえますか", "ecert_validity"),   # the 出張申請受付 renews the card, not this
    ("交付通知書ってやつ、どっか行ってもうてん。これないとカード受け取られへんの？", "pickup_deadline"),
    ("病院のことは病院にきく。最後、資格確認書 在宅の利用者は誰が申請するの？更新いる？ケアマネが代わりに申請できる？",
     "shikaku_application_by_family"),
    ("スマホで保険証として使えるのはいつから？", "smartphone_insurance"),   # session 28's blind trials: the paper card's end
    # session 28's blind trials: the registration, the photo rules
    ("年寄りなのでよくわかりません。通知カードとマイナンバーカードと保険証、どれが一番大事ですか。全部同じものですか", "notification_card"),
    ("みどりいろのかみのかーどです。しゃしんはついていません。これでびょういんにいけますか", "notification_card"),
    ("もういいよ、役に立たない。どこに文句言えばいいの", "opinion_complaint"),   # session 28's blind trials: what the card is used for
    ("出張申請受付のカードは簡易書留で施設に届く？施設長が代わりにサインして受け取っていい？", "restricted_mail_receiver"),
    ("資格確認書を施設が代理交付で受け取れる？", "shikaku_received_by_others"),   # session 28's: the card's 代理交付 beside
    ("相談支援専門員です。法定代理人と任意代理人の違いがよくわかっていません。マイナンバーカードの手続でどう違うのか教えてください。",
     "agent_kinds"),   # session 28's blind trials: who may collect a card
    ("本人の本人確認書類が保険証しかなかったのですが、もう使えない保険証でも大丈夫ですか", "id_documents"),   # the paper card's end
    # session 30: forgetting to bring the card written with も (got the forgotten PIN); a phone held to the reader
    ("受付でカードも忘れたことに気づいたら、その日の診察はどうなりますか", "card_forgotten"),
    ("通院の日に保険証忘れちゃった。受診できる？", "card_forgotten"),
    ("受付の機械にスマートフォンをかざして受診できるって本当？", "smartphone_insurance"),
    # session 30's blind trial: words the concepts missed
    ("出張申請を頼むには何人くらい集めればいいんでしょうか。うちは小さいグループホームなんですが", "outreach_minimum"),
    ("成年後見人ですが、被後見人のカードの申請や受け取りは後見人がやってもいいですか", "guardian_application"),
    ("入所者のマイナンバーカード、施設の住所に送ってもらうことはできますか", "mailing_address"),
    ("公金受取口座を登録すると、口座の中身を国に見られたりしませんか？", "account_seen_by_state"),
])
def test_uncovered_card_topics_are_routed_not_answered(lexicon, kb, text, concept):
    decision = decide(text, "lost_card", ranking(("lost_card", 0.95)), lexicon, set(kb.intents))
    assert decision.kind == "route" and decision.route.id == concept


@pytest.mark.parametrize("text", [
    "子どもが代わりに親のカードを受け取れますか",          # the grown-up child is the proxy
    "知的障害のある子どものカードの申請はどうすれば",        # the documents' guidance for 知的障害
    "子どもが代わりに親の申請をしてもいいですか",
    "遠方に住む子どもが親のカードの申請を手伝いたい",
    "子供がいない一人暮らしの高齢者の申請は",
])
def test_a_child_helping_or_a_documented_case_is_not_routed_as_a_childs_card(lexicon, text):
    assert lexicon.blocking(lexicon.find(text)) is None


def test_the_old_insurance_cards_printed_expiry_is_its_end_not_the_cards_validity(lexicon):
    found = lexicon.find("国民健康保険で、保険証には有効期限が令和7年7月31日と書いてあります。どう答えればいいでしょうか。")
    assert "hokensho_end" in found.covered and lexicon.blocking(found) is None
    assert lexicon.blocking(lexicon.find("個人番号通知書と通知カードをなくしました")) is None   # not the 交付通知書


def test_the_card_holders_age_that_spares_the_proof_is_not_the_proxys_age(lexicon):
    # a blind trial on figures: routed as 「代理人の年齢の決まりは…書かれていない」, though 75歳以上 is in the documents
    holder = "代理で受け取るとき、来庁が困難なことを疎明する資料が実質不要になるのは何歳以上の人ですか"
    assert lexicon.blocking(lexicon.find(holder)) is None
    assert lexicon.blocking(lexicon.find("高校生でも代理人になれる？何歳以上？")).id == "proxy_age"


def test_the_days_after_an_outreach_application_are_answered_by_its_example_flow(lexicon):
    found = lexicon.find("家まで来てもらって申請したけど、カードはどれくらいで届くの？")
    assert "outreach_at_home" in found.covered and lexicon.blocking(found) is None   # 約2週間後 (manual 第5 2.)


def test_having_to_switch_is_not_read_as_having_no_card(lexicon):
    assert "no_card" not in lexicon.find("住基カードからマイナンバーカードに切り替えないといけませんか").covered


# words an uncovered topic shares with what the answers cover (found by listing the uncovered terms the answers use)
@pytest.mark.parametrize("text", [
    "暗証番号のロックを解除したい",
    "カードリーダーに暗証番号の画面が出てきました",
    "顔認証マイナンバーカードの追記欄には何と書かれますか",
    "代理人の本人確認書類は運転免許証でいいですか",
    "代理で受け取るとき住基カードも持っていくの？",
    "スマホを買い替えるとき、スマホ用電子証明書の失効手続きは販売店でやってもらえますか",
    "e-Taxで使う暗証番号は何桁?",
    "運転免許を返納した父の身分証明書にマイナンバーカードは使えますか",     # 返納 of the licence
    "顔認証のマイナカードで確定申告はできますか",                          # the 顔認証 card's answer says no
    "カードの更新のときも出張で来てもらえますか",                          # 出張申請受付 「更新時も利用できます」
    "引っ越しても病院でマイナ保険証はそのまま使えますか",
    "災害時にもマイナ保険証は便利ですか",                                  # 「災害時などには特に便利」 (第1)
    "資格確認書には記号・番号が書いてありますか",                          # 用語解説: 被保険者等記号・番号
])
def test_words_shared_with_a_covered_topic_do_not_route(lexicon, text):
    assert lexicon.blocking(lexicon.find(text)) is None


@pytest.mark.parametrize("text, concept", [
    ("なくしたと思って止めたカードが出てきたら元に戻せますか", "found_again"),
    ("公金受取口座の登録を削除したい", "koukin_delete"),
    ("母の資格確認書がまだ届かないのですが", "shikaku_delivery"),
])
def test_uncovered_topics_named_by_two_words_route(lexicon, text, concept):
    assert lexicon.blocking(lexicon.find(text)).id == concept


def test_mynacard_is_read_as_mynumber_card(lexicon):
    assert "face_auth_card" in lexicon.find("顔認証のマイナカードって何？").covered

@pytest.mark.parametrize("text, concept", [
    # session 25's blind trials: routed to the insurer (資格確認書 not delivered), which one on 生活保護 does not have
    ("生活保護の方は、資格確認書は届かないのですか？", "public_assistance"),
    ("資格確認書が届かないんですが、母は生活保護を受けています", "public_assistance"),
])
def test_who_the_person_is_is_routed_before_the_topic_beside_it(lexicon, text, concept):
    assert routed_id(lexicon, text) == concept


def test_an_uncovered_topic_a_covered_one_could_answer_is_routed_when_that_answer_is_not_offered(lexicon, kb):
    """Session 32's blind trial: 「入所者さんの…カードの更新はどうすればいいですか？」 names 入所者 (the 出張申請受付 also
    renews cards: the card's validity is then answerable), but the classifier was unsure and only the lost card was
    offered — the validity route says what the documents lack and that the 出張申請受付 renews cards."""
    text = "入所者さんのマイナンバーカード本体の有効期限がもうすぐ切れます。カードの更新はどうすればいいですか？"
    unsure = ranking(("out_of_scope", 0.76), ("lost_card", 0.14), ("how_to_get_card", 0.03))   # the trained model's
    decision = decide(text, "out_of_scope", unsure, lexicon, set(kb.intents))
    assert decision.kind == "route" and decision.route.id == "validity_renewal"
    assert "出張申請受付" in decision.route.reply
    offered = ranking(("nlu_fallback", 0.35), ("outreach_facility", 0.3), ("lost_card", 0.1))
    decision = decide(text, "nlu_fallback", offered, lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", ["outreach_facility"])   # 「更新時も使えます」



def test_a_lost_card_beside_a_route_gets_its_steps_without_a_sure_classifier(lexicon, kb):
    """「カードをなくしました。再発行の費用は？」 (lost_card 0.49): the reissue fee is routed, and the card is still to be
    stopped — the urgent steps come beside the routing reply; a fee asked alone is routed alone."""
    text = "カードをなくしました。再発行の費用は？"
    lost = ranking(("lost_card", 0.49), ("out_of_scope", 0.43), ("card_fee", 0.04))
    decision = decide(text, "lost_card", lost, lexicon, set(kb.intents))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "reissue_fee", ["lost_card"])
    fee = ranking(("card_fee", 0.45), ("out_of_scope", 0.40))
    decision = decide("再発行の費用はいくらですか", "card_fee", fee, lexicon, set(kb.intents))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "reissue_fee", [])


def test_a_covered_part_in_its_own_clause_is_answered_beside_the_route(lexicon, kb):
    text = "カードリーダーの故障や、暗証番号を忘れたときはどうすれば？"
    decision = decide(text, "pin_forgot", ranking(("pin_forgot", 0.9)), lexicon, set(kb.intents))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "reader_trouble", ["pin_forgot"])
    messages = decision_messages(kb, decision, {})
    assert messages[0]["custom"]["fallback"] and messages[1]["custom"]["answer_id"]


def test_nothing_is_answered_beside_a_deceased_persons_card(lexicon, kb):
    text = "母が先月亡くなりました。マイナンバーカードは、なくしたときみたいにフリーダイヤルに電話して止めればいいですか？"
    decision = decide(text, "free_dial", ranking(("free_dial", 0.9)), lexicon, set(kb.intents))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "deceased", [])
    assert [m["custom"].get("answer_id") for m in decision_messages(kb, decision, {})] == [None]


def test_a_subordinate_clause_is_not_a_second_question(lexicon, kb):
    text = "マイナンバーカードの有効期限が切れても、しばらくは保険証として使えますか"
    decision = decide(text, "hokensho_end", ranking(("hokensho_end", 0.9)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("route", [])


def test_unless_a_covered_concept_makes_it_answerable(lexicon, kb):
    text = "従来の保険証の有効期限はいつまでですか"
    decision = decide(text, "hokensho_end", ranking(("hokensho_end", 0.9)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["hokensho_end"]


def test_keeping_a_card_that_turns_up_is_answered(lexicon, kb):
    """Sixteenth trial: 「…カード見つかったら施設で預かってもらえるもんなんですか？」 got the found card's routing reply."""
    text = "来年の春に母が特養に入る予定です。カード見つかったら施設で預かってもらえるもんなんですか？"
    decision = decide(text, "card_management", ranking(("card_management", 0.8)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "card_management"


def test_the_face_auth_card_as_insurance_card_needs_the_face_auth_card_named(lexicon, kb):
    """「顔認証ですか？暗証番号ですか？」 asks how the reader checks anyone's card, not about the 顔認証マイナンバーカード."""
    text = "病院でマイナ保険証を使うときは顔認証ですか？暗証番号ですか？"
    sure = ranking(("face_auth_card_hoken", 0.87), ("hoken_visit", 0.11))
    assert decide(text, "face_auth_card_hoken", sure, lexicon, set(kb.intents)).intents[0] == "hoken_visit"
    pin_card = ranking(("pin_forgot", 0.38), ("pin_sharing", 0.23), ("pin_kinds", 0.13))   # who may know a PIN:
    assert decide("暗証番号のないカードで受診できますか", "pin_forgot", pin_card, lexicon,   # not what this asks
                  set(kb.intents)).kind == "clarify"
    named = "顔認証マイナンバーカードでも保険証として病院にかかれますか"
    assert decide(named, "face_auth_card_hoken", sure, lexicon, set(kb.intents)).intents[0] == "face_auth_card_hoken"


def test_the_readers_face_check_failing_is_not_answered_as_the_face_auth_card(lexicon, kb):
    """「顔認証で本人と認識されない」 is the reader's check of anyone's card: the trained model was sure (0.74) of the
    顔認証マイナンバーカード's uses; the visit answers (PIN, the staff's 目視 check) are offered instead — answered since
    session 38 (the concept outranks the face-auth card's answers, which the classifier's second reading was)."""
    card_uses = ranking(("face_auth_card_services", 0.74), ("face_auth_card_hoken", 0.16), ("face_auth_card_apply", 0.04))
    decision = decide("顔認証で本人と認識されない時はどうなる？", "face_auth_card_services", card_uses, lexicon,
                      set(kb.intents))
    assert decision.intents[0] == "hoken_visit" and "face_auth_card_services" not in decision.intents
    named = lexicon.find("顔認証マイナカードの人が受付で顔認証に失敗したら？").covered
    assert "face_auth_card_hoken" in lexicon.intents_of(named)   # the card named: its own answer


def test_classifier_and_concepts_agree_then_answer(lexicon, kb):
    decision = decide("カードをなくしました", "lost_card", ranking(("lost_card", 0.8)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", ["lost_card"])


def test_an_unsure_classifier_and_one_topic_named_give_that_topic(lexicon, kb):
    unsure = [{"name": "nlu_fallback", "confidence": 0.35}, {"name": "card_uses", "confidence": 0.3},
              {"name": "out_of_scope", "confidence": 0.02}]
    decision = decide("カードを作っていない人は？", "nlu_fallback", unsure, lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", ["no_card_shikaku"])
    doubtful = [*unsure[:2], {"name": "out_of_scope", "confidence": 0.2}]
    assert decide("カードを作っていない人は？", "nlu_fallback", doubtful, lexicon, set(kb.intents)).kind != "answer"


def test_disagreement_gives_candidates_not_an_answer(lexicon, kb):
    # the classifier says fee; the question names the photo
    decision = decide("写真の背景は何色がいいですか", "card_fee",
                      ranking(("card_fee", 0.7), ("hoken_visit", 0.2)), lexicon, set(kb.intents))
    assert decision.kind == "clarify" and "photo_exception" in decision.intents


def test_unsure_classifier_rescued_when_a_named_concept_agrees(lexicon, kb):
    decision = decide("カードを代理で受け取ることはできますか", "nlu_fallback",
                      ranking(("nlu_fallback", 0.35), ("card_fee", 0.3), ("proxy_pickup_eligibility", 0.2)),
                      lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[0]) == ("answer", "proxy_pickup_eligibility")


def test_no_concept_needs_a_sure_classifier(lexicon, kb):
    unsure = decide("それってどうなんですか", "glossary", ranking(("glossary", 0.5), ("card_fee", 0.3)),
                    lexicon, set(kb.intents))
    assert unsure.kind == "clarify"


def test_two_concerns_get_two_answers(lexicon, kb):
    text = "寝たきりの母の写真はどう撮ればいいですか。それと暗証番号を忘れたようです"
    decision = decide(text, "photo_exception",
                      ranking(("photo_exception", 0.6), ("pin_forgot", 0.2), ("lost_card", 0.1)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["photo_exception", "pin_forgot"]
    text = "マイナンバーカード作るのにお金かかりますか？申請してからどれくらいで届きますか？"   # a new user's
    decision = decide(text, "card_fee", ranking(("card_fee", 0.72), ("card_delivery_time", 0.27)), lexicon,
                      set(kb.intents))   # the days: only an example in the documents — routed, the fee answered beside
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "issue_duration", ["card_fee"])


def test_other_concerns_in_parts_of_their_own_are_offered_as_buttons(lexicon, kb):
    """A new user's three numbered concerns were answered for the first only, the others silently dropped."""
    text = ("地域包括の社会福祉士です。一人暮らしの高齢の方で、①カードの申請をしたいけど申請書がどこかいった、"
            "②本人は字が書けない（手が震える）、③受け取りにも行けない、という方がいます")
    decision = decide(text, "application_form", ranking(("application_form", 0.7)), lexicon, set(kb.intents))
    assert decision.intents == ["application_form"] and decision.also == ["signature_help", "proxy_pickup_eligibility"]
    buttons = [b["title"] for b in decision_messages(kb, decision, {})[-1]["buttons"]]
    assert buttons[:2] == ["申請書の自署が難しい方", "代理交付の対象となる方"] and len(buttons) <= 4
    routed = ("①入院中の患者さんが資格確認書ってどうやってもらうのか ②マイナ保険証の利用登録を病院でできるか "
              "③登録の解除ってできるんでしたっけ")   # a new user's: only ③ was said (routed)
    decision = decide(routed, "hoken_registration", ranking(("hoken_registration", 0.45)), lexicon, set(kb.intents))
    assert decision.route.id == "registration_cancel" and decision.also[:1] == ["shikaku_kakuninsho"]
    assert "hoken_registration" in decision.also
    fee = decide("再発行ってどんな手続きが必要なの?費用はかかるの?", "card_fee", ranking(("card_fee", 0.5)), lexicon,
                 set(kb.intents))
    assert fee.route.id == "reissue_fee" and fee.also == [] and fee.intents == []
    one = decide("写真の背景は何色がいいですか", "photo_requirements", ranking(("photo_requirements", 0.8)), lexicon,
                 set(kb.intents))
    assert one.also == []


def test_numbers_in_the_lexicon_stay_text_not_yaml_octal(lexicon):
    assert "free_dial" in lexicon.find("0120から始まる番号に電話したい").covered
    assert "free_dial" not in lexicon.find("80歳を過ぎた母のカード").covered   # 0120 read as octal is 80


def test_who_the_person_is_does_not_veto_a_sure_classifier(lexicon, kb):
    text = "寝たきりの母にもそれって要るんですか"
    assert lexicon.find(text).covered == ["cannot_go_out"]
    decision = decide(text, "card_uses", ranking(("card_uses", 0.8)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["card_uses"]
    unsure = decide(text, "card_uses", ranking(("card_uses", 0.4)), lexicon, set(kb.intents))
    assert unsure.kind == "clarify"


def test_a_named_concept_that_agrees_rescues_an_unsure_classifier_unless_out_of_scope_is_likely(lexicon, kb):
    text = "暗証番号を忘れたときはどうしたらいい？"
    unsure = ranking(("nlu_fallback", 0.35), ("pin_forgot", 0.30), ("card_fee", 0.2), ("out_of_scope", 0.05))
    assert decide(text, "nlu_fallback", unsure, lexicon, set(kb.intents)).intents == ["pin_forgot"]
    doubtful = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("out_of_scope", 0.30), ("pin_forgot", 0.25)),
                      lexicon, set(kb.intents))
    assert (doubtful.kind, doubtful.doubtful, doubtful.intents[0]) == ("clarify", True, "pin_forgot")
    no_concept = ranking(("nlu_fallback", 0.35), ("out_of_scope", 0.30), ("card_fee", 0.25))
    assert decide("それって大丈夫なの？", "nlu_fallback", no_concept, lexicon, set(kb.intents)).kind == "decline"


def test_an_unsure_message_about_the_card_gets_nearby_topics_not_a_plain_decline(lexicon, kb):
    unsure = ranking(("out_of_scope", 0.5), ("koukin_account", 0.2), ("glossary", 0.1), ("lost_card", 0.02))
    nearby = decide("なぜ銀行口座と連携するのか", "out_of_scope", unsure, lexicon, set(kb.intents))
    assert (nearby.kind, nearby.doubtful, nearby.intents) == ("clarify", True, ["koukin_account", "glossary"])
    message = decision_messages(kb, nearby, {})[0]
    assert message["custom"]["fallback"] and "書かれていない内容かもしれません" in message["text"]
    assert decide("いんかんとうろくのやり方教えて", "out_of_scope", unsure, lexicon, set(kb.intents)).kind == "decline"
    assert decide("まいなんばーはなんでいるの", "out_of_scope", unsure, lexicon, set(kb.intents)).kind == "clarify"


def test_an_answer_is_held_back_when_out_of_scope_is_likely(lexicon, kb):
    """A card topic nobody listed (no uncovered concept) that the classifier half places out of scope: no answer
    from the neighbour entry, but 「もしかして」 that says it may not be in the documents and where to ask."""
    text = "マイナンバーカードの暗証番号は家族とどう扱えばいい？"   # (「…家族に教えてもいい？」 names pin_kept_by_other: pinned)
    sure = decide(text, "pin_sharing", ranking(("pin_sharing", 0.85), ("out_of_scope", 0.05)), lexicon, set(kb.intents))
    assert sure.kind == "answer"
    doubt = decide(text, "pin_sharing", ranking(("pin_sharing", 0.6), ("out_of_scope", 0.25)), lexicon, set(kb.intents))
    assert doubt.kind == "clarify" and doubt.doubtful and doubt.intents[0] == "pin_sharing"
    message = decision_messages(kb, doubt, {})[0]
    assert message["custom"]["fallback"] is True
    assert "書かれていない" in message["text"] and "市区町村" in message["text"] and "0120-95-0178" in message["text"]
    assert message["buttons"][0]["payload"].startswith("/show_answer")


# Issue 11 §4: questions whose answer is in the documents are answered (a named concept agrees with the
# intent that answers them), never routed as uncovered.
@pytest.mark.parametrize("text, intent", [
    ("認知症で申請の意思が確認できない入所者のカードはどうする？", "no_card_shikaku"),
    ("マイナ保険証は登録済みだけど本人がうまく使えない。資格確認書はもらえる？", "shikaku_card_holder"),
    ("資格確認書の更新は自分で申請するの？", "shikaku_kakuninsho"),
    ("マイナ保険証でも医療費助成の受給者証は持っていくの？", "medical_aid_certificate"),
    ("カードリーダーの健診情報の同意は何歳から？", "kenshin_consent"),
    ("受付でカードを置くと病院にマイナンバーが伝わるの？", "card_safety"),
    ("年末年始もフリーダイヤルはつながる？", "free_dial"),
    ("住民票が別の市の入所者のカードはどこで受け取る？", "other_municipality"),
    ("出張申請受付で申請したカードが届くまで何日かかる？", "card_delivery_time"),   # the flow's example
    ("職員が撮る申請写真のサイズは？", "photo_requirements"),
    ("スマホがない母の公金受取口座の登録状況はどう確かめる？", "koukin_account_help"),
    ("交付申請書をなくしたので再発行してほしい", "application_form"),
    ("年末年始のフリーダイヤルの受付時間は？", "free_dial"),
    ("資格確認書は何年かごとに更新がいるの？", "shikaku_kakuninsho"),
])
def test_answers_in_the_documents_are_not_routed(lexicon, kb, text, intent):
    decision = decide(text, intent, ranking((intent, 0.8)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[:1]) == ("answer", [intent])


# Training examples of answered topics that are routed all the same: the routing reply says what the
# documents do say (shikaku_validity), the question leans on a topic they leave open, or (last three) a
# term that would need a phrase of its own — known, not mended.
# tests/lexicon/answered_questions.yml: a term of an uncovered topic in the circumstances a caregiver tells
# (「父は年金暮らしです」「更新の案内も届きました」) routes the whole message. A rule that let the sentence that asks
# decide (session 10) changed nothing on the dev split and, on the test split, answered 2 more uncovered questions
# wrongly for 1 more good answer: reverted, these stay known.
CIRCUMSTANCE_ROUTED = {
    "遠方で一人暮らしをしている父から、QRコード付きの申請書が届いたと電話がありました。父は年金暮らしで携帯はガラケーです。"
    "申請にはどんな方法があるのか、一通り教えてください。": "pension_tax_other",
    "施設で暮らす要介護2の父に、カードを作ったら何に使えるのかと聞かれました。父は運転免許を返納していて、顔写真付きの身分証が"
    "ありません。マイナンバーカードは何に使えるのでしょうか。": "driving_license",
    "耳の聞こえない父が施設に入っています。父はFAXなら自分でやり取りができ、最近カードの更新の案内も届きました。"
    "電話以外でカードのことを問い合わせる方法はありますか。": "validity_renewal",
    "知的障害のある息子が20歳になり、マイナンバーカードを作ることにしました。本人は数字を覚えるのが苦手で、障害年金の手続きも"
    "私が手伝っています。暗証番号の設定は親が手伝ってもいいのでしょうか。": "pension_tax_other",
    "母のマイナンバーが書いた紙を、引っ越しの片付けの時に捨ててしまったかもしれません。番号を知られても悪用されないと"
    "聞きましたが、気をつけることはありますか。": "address_name_change",
    "施設に入所している母のマイナンバーカードを申請するため、職員さんと写真を準備しています。引っ越しのときに撮った写真が"
    "残っているのですが、いつ撮ったものまで使えるのでしょうか。サイズの決まりも知りたいです。": "address_name_change",
    "一人暮らしの母のカード更新を手伝っています。書類に暗証番号を書く欄がいくつもあって、母も私も混乱しています。"
    "それぞれ何に使う暗証番号なのでしょうか。": "validity_renewal",
    "資格確認書の有効期限が近づいているのに新しいものが届きません。どこに問い合わせればいいですか。": "shikaku_validity",
    "全盲の父がマイナンバーカードを更新することになりました。申請書の自署欄に自分で字を書くことはできませんが、点字なら"
    "書けます。点字で書いても申請は通りますか。": "validity_renewal",
}

ROUTED_TRAINING_EXAMPLES = {
    "iPhoneでもスマホ用電子証明書は使えますか": "iphone",
    "マイナポイントの問い合わせは5番って書いてあったけど今もある？": "mynapoint",
    "指紋認証でマイナポータルにログインできる？": "mynaportal_usage",
    "交付通知書をなくしたけど代理で受け取れる？": "pickup_deadline",
    "資格確認書の有効期限が切れたらまた申請するの？": "shikaku_validity",
    "資格確認書の有効期限が近づいたら、どうすればよいですか。": "shikaku_validity",
    "窓口負担が安くなるって本当ですか": "payment_at_hospital",
    "保険証に書いてある有効期限までは使えるってことですか": "validity_renewal",
    "施設で預かっている入所者の方の保険証に、2026年までの有効期限が記載されています。この保険証は記載された期限まで使えるのでしょうか。":
        "validity_renewal",
    "娘に「マイナポータルで確認しておいて」と言われましたが、それが何なのか分かりません。パソコンも得意ではありません。"
    "高齢の私にも分かるように、言葉の意味から教えてもらえますか。": "mynaportal_usage",
}


# The check corpus's writers took the days until the card comes as answered (card_delivery_time); the documents give
# them only as one example, in the flow of an 出張申請受付, and the real-question pages' askers were routed
# (issue_duration, session 20): their general questions are routed, with the example.
RECLASSIFIED_AS_UNCOVERED = {
    "マイナンバーカードは申請から何週間で届く?": "issue_duration",
    "カードはいつ届く?": "issue_duration",
    "申請してだいぶ経つのに、まだカードが届かへん。忘れられてへんか心配やわ。": "issue_duration",
    "スマホで申請するとカードが早くできるって本当?": "issue_duration",
}


def test_training_examples_of_answered_topics_are_not_routed(lexicon, kb, training_data):
    """The training examples (and tests/lexicon/answered_questions.yml) are questions the documents answer:
    an uncovered term that routes one is too broad for questions nobody has seen yet (年金 in 「年金暮らしの母のカード代」, 不要になった in
    「診断書が不要になった」)."""
    from bot.devtools.evaluation import load_check_corpus

    questions = [*({"intent": e.get("intent"), "text": e.get("text")} for e in training_data.intent_examples),
                 *load_check_corpus()]   # the check corpus: not trained on; its uncovered part is skipped below
    routed = {}
    for question in questions:
        if question["intent"] not in kb.intents:
            continue
        text = question["text"]
        blocking = lexicon.blocking(lexicon.find(text))
        if blocking and text not in {**ROUTED_TRAINING_EXAMPLES, **CIRCUMSTANCE_ROUTED, **RECLASSIFIED_AS_UNCOVERED}:
            routed[text] = blocking.id
    assert routed == {}


def test_most_training_examples_of_uncovered_card_topics_are_routed(lexicon):
    """data/nlu/out_of_scope_card.yml: card questions the documents do not answer. The classifier learns
    them; the lexicon should name most of their topics too, so that a new wording of the same topic is
    routed to the right place even when the classifier is unsure (207 of 242 on 2026-12-01; the rest are
    hiragana-only or say too little to name a topic)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(ROOT / "data" / "nlu" / "out_of_scope_card.yml")).intent_examples
    routed = [e for e in examples if lexicon.blocking(lexicon.find(e.get("text")))]
    assert len(examples) > 200 and len(routed) >= 0.8 * len(examples)


@pytest.mark.parametrize("text, intent", [
    ("マイナンバーカード(個人番号カード)とは?", "glossary"),
    ("「代理人交付」とは", "proxy_pickup_eligibility"),
    ("マイナンバーカードの暗証番号ってなんですか?", "pin_kinds"),
    ("マイナンバーカードに必要な暗証番号とは?", "pin_kinds"),
    ("資格確認書とはどんなものですか。", "shikaku_kakuninsho"),
    ("代理人交付って言葉の意味がわからん", "proxy_pickup_eligibility"),
    ("資格確認書の意味を教えてください", "shikaku_kakuninsho"),
    ("個人番号と個人番号カードの違いって何ですか", "glossary"),
    ("電子証明書とは?", "glossary"),   # its entry chosen by the term's entity (glossary_denshi_shomeisho)
    # what it belongs to names no concept: the last part is the term (was the 顔認証 card's services, without 利用者証明用)
    ("マイナンバーカードに搭載される公的個人認証サービスの電子証明書とは何ですか?", "glossary"),
    ("「マイナンバーカード」 って、一体何なのだ?", "glossary"),   # a blog's headline (session 24): was 「もしかして」
])
def test_a_definition_question_gets_the_terms_meaning_even_when_out_of_scope_is_likely(lexicon, kb, text, intent):
    decision = decide(text, "nlu_fallback", ranking(("out_of_scope", 0.3), ("card_fee", 0.2)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", [intent])


@pytest.mark.parametrize("text", ["同意ボタンが出てきたら何を選べばいいの", "カードリーダーのどこにカードを置けばいい？",
                                  "来院のたびに顔認証するの？", "病院の受付方法が知りたい"])
def test_the_readers_steps_name_the_visit(lexicon, text):
    """The reader's steps (置く, 顔認証/暗証番号, 同意選択) and 来院 name the visit at the clinic: 「画面で選択しないと進めないの?」
    「来院するたびにこのような認証をしなければいけないのか。」 named nothing and fell to 「もしかして」."""
    assert "hoken_visit" in lexicon.find(text).covered


def test_an_answer_written_for_other_people_is_not_given(lexicon, kb):
    """Twentieth trial: 「視覚障害のある利用者が暗証番号を入力するのが難しい場合、職員が代わりに設定・入力することは可能
    ですか。」 got 「知的・発達障害のある方で…介助者が設定の支援を行うことができます」 — a rule for other people."""
    text = "視覚障害のある利用者が暗証番号を入力するのが難しい場合、職員が代わりに設定・入力することは可能ですか。"
    ranked = ranking(("intellectual_disability", 0.36), ("visual_impairment", 0.26), ("pin_sharing", 0.18))
    decision = decide(text, "intellectual_disability", ranked, lexicon, set(kb.intents))
    assert "intellectual_disability" not in decision.intents and "pin_sharing" in decision.intents
    dementia = decide("認知症の母の暗証番号を職員が設定してもいい？", "intellectual_disability",
                      ranking(("intellectual_disability", 0.7), ("pin_sharing", 0.2)), lexicon, set(kb.intents))
    assert "intellectual_disability" not in dementia.intents
    son = decide("知的障害の息子の暗証番号を親が設定してもいい？", "intellectual_disability",
                 ranking(("intellectual_disability", 0.7), ("pin_sharing", 0.2)), lexicon, set(kb.intents))
    assert son.intents[:1] == ["intellectual_disability"]


def test_no_card_in_dialect_gets_the_shikaku_kakuninsho(lexicon, kb):
    """Twentieth trial, a mother in Kansai speech: the classifier was sure (no_card_shikaku 0.77) but no concept agreed."""
    text = ("すんません、うちの息子 33歳で知的障害あるんやけど、マイナンバーカードってほんまに作らなあかんのやろか？"
            "作らへんかったら病院かかられへんようになるん？")
    decision = decide(text, "no_card_shikaku", ranking(("no_card_shikaku", 0.77), ("out_of_scope", 0.1)), lexicon,
                      set(kb.intents))
    assert (decision.kind, decision.intents[:1]) == ("answer", ["no_card_shikaku"])
    assert lexicon.blocking(lexicon.find("マイナンバーカードって作らなあかんの？")).id == "obligation"


def test_the_least_number_for_an_outreach_is_routed(lexicon, kb):
    """Twentieth trial: 「出張申請受付に人数の条件（最低人数など）はありますか。」 got the 打合せ line (実施日と人数); the
    documents give no least number. The flow asked beside it is answered."""
    assert lexicon.blocking(lexicon.find("出張申請受付に人数の条件（最低人数など）はありますか。")).id == "outreach_minimum"
    text = "施設での出張申請受付の流れについて教えてください。また、何人以上いないと実施してもらえない等、人数の条件はありますか。"
    decision = decide(text, "outreach_facility", ranking(("outreach_facility", 0.94)), lexicon, set(kb.intents))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "outreach_minimum", ["outreach_facility"])


def test_no_card_at_hand_in_kanji_names_having_no_card(lexicon):
    """Twentieth trial: 「カード無しで受診できる？」 (the card with family far away) named only the visit."""
    assert "no_card" in lexicon.find("施設にカードが無いんだけど、カード無しで受診できる？").covered


def test_the_facility_subsidy_is_named_as_the_pages_call_it(lexicon):
    """「福祉施設向けマイナンバーカード取得支援事業とは?」 got how to get a card (取得), without the 報償費."""
    assert "subsidy" in lexicon.find("福祉施設向けマイナンバーカード取得支援事業とは?").covered
    assert "subsidy" in lexicon.find("施設で申請を手伝うと助成金は出ますか").covered


def test_a_definition_is_not_given_against_a_sure_classifier_or_for_an_uncovered_term(lexicon, kb):
    intents = set(kb.intents)
    assert decide("暗証番号とは?", "card_fee", ranking(("card_fee", 0.9)), lexicon, intents).kind == "clarify"
    assert decide("資格情報のお知らせとは何ですか?", "glossary", ranking(("glossary", 0.9)), lexicon, intents).kind == "route"
    assert decide("マイナ保険証の作り方とは?", "nlu_fallback", ranking(("out_of_scope", 0.3)), lexicon, intents).kind != "answer"
    assert lexicon.defined("マイナ保険証の作り方とは?") is None   # マイナ保険証 is named: 作り方 is not the term asked about
    # two names of different concepts: which one is meant is the classifier's to say
    assert lexicon.defined("マイナ保険証と資格確認書の違いは?") is None


@pytest.mark.parametrize("text, question", [
    ("ありがとうございました。ところでカードの有効期限っていつまでですか？", "カードの有効期限っていつまでですか？"),
    ("ありがとう、助かりました。それと資格確認書の申請先ってどこですか？", "資格確認書の申請先ってどこですか？"),
    ("こんにちは。代理交付の必要書類を教えてください", "代理交付の必要書類を教えてください"),
    ("ありがとうございます、助かりました", "ありがとうございます、助かりました"),   # thanks only
    ("こんにちは、質問いいですか", "こんにちは、質問いいですか"),   # no question yet
    ("おはようございます。特養の事務をしている者です", "おはようございます。特養の事務をしている者です"),
    # emoji after the thanks and after the question (session 47's blind trial (b46): 「どういたしまして」, the question dropped)
    ("ありがとうございます🙏💕 じゃあ私がスマホで撮りますね📸\n背景は白っぽい壁でいいですか？🤓💦",
     "じゃあ私がスマホで撮りますね📸\n背景は白っぽい壁でいいですか？🤓💦"),
    ("ありがとうございました😊", "ありがとうございました😊"),
    ("了解、代理交付の持ち物を教えて🙏", "代理交付の持ち物を教えて🙏"),   # a request ending in emoji (REQUEST's END_MARKS)
])
def test_a_thanks_or_greeting_before_a_question_is_left_out(text, question):
    from bot.shared.conversation import question_after_courtesy

    assert question_after_courtesy(text) == question


def test_no_doubt_when_both_signals_agree_far_above_out_of_scope(lexicon, kb):
    """A new user's 「近所のじいちゃんのカード、代わりに受け取りに行けるか確かめたいと」 (proxy_pickup_who 0.41,
    out_of_scope 0.11, the proxy concept named) got 「資料に書かれていない内容かもしれません」."""
    text = "近所のじいちゃんのカード、代わりに受け取りに行けるか確かめたいと"
    sure = ranking(("proxy_pickup_who", 0.41), ("proxy_pickup_eligibility", 0.40), ("out_of_scope", 0.11))
    assert decide(text, "proxy_pickup_who", sure, lexicon, set(kb.intents)).kind == "answer"
    close = ranking(("proxy_pickup_who", 0.41), ("out_of_scope", 0.25), ("proxy_pickup_eligibility", 0.19))
    assert decide(text, "proxy_pickup_who", close, lexicon, set(kb.intents)).doubtful   # not twice as sure (two concepts
    # name it: 代わりに受け取り, 行ける — SURE_OVER_DOUBT_TWICE_NAMED)
    unnamed = ranking(("card_fee", 0.60), ("out_of_scope", 0.11))
    assert decide("それってどうなの？", "card_fee", unnamed, lexicon, set(kb.intents)).kind == "clarify"   # no concept


def test_no_doubt_at_twice_out_of_scope_when_what_is_asked_and_who_it_is_for_both_name_the_answer(lexicon, kb):
    """Session 35's blind trial: 「代理で受け取りできる？利用者さん要介護2、在宅」 (proxy_pickup_eligibility 0.49,
    out_of_scope 0.20) got 「資料に書かれていない内容かもしれません」 — the proxy concept and who the person is (在宅:
    cannot go out) both name the answer."""
    text = "代理で受け取りできる？利用者さん要介護2、在宅"
    assert {"proxy_pickup", "cannot_go_out"} <= set(lexicon.find(text).covered)
    ranked = ranking(("proxy_pickup_eligibility", 0.49), ("out_of_scope", 0.20), ("proxy_pickup_who", 0.09))
    assert decide(text, "proxy_pickup_eligibility", ranked, lexicon, set(kb.intents)).kind == "answer"
    below = ranking(("proxy_pickup_eligibility", 0.39), ("out_of_scope", 0.20), ("proxy_pickup_who", 0.09))
    assert decide(text, "proxy_pickup_eligibility", below, lexicon, set(kb.intents)).doubtful
    once = "代理で受け取りできるか確かめたいと"   # the proxy concept alone: three times surer still needed
    assert decide(once, "proxy_pickup_eligibility", ranked, lexicon, set(kb.intents)).doubtful


def test_eighth_trial_words_name_their_topics_and_a_returned_licence_is_no_returned_card(lexicon):
    assert lexicon.find("義母のマイナの保健証の登録ってどこでやるんですか？").covered == lexicon.find("マイナの保険証の登録").covered
    assert "face_auth_card" in lexicon.find("顔のカードにした場合、できなくなることは何ですか？").covered
    assert lexicon.find("免許も返納してて、写真付きのものがない").uncovered == []
    assert lexicon.find("マイナンバーカードを返納したい").uncovered == ["card_return"]


def test_who_the_person_is_does_not_pick_the_answer_among_what_is_asked(lexicon, kb):
    """A new user's 「①入所者のカードを施設の金庫で…②顔のカードって…③寝たきりの人の写真は…」 got the proxy-pickup
    relaxations first (the classifier's 0.63, agreed with only by 入所者/寝たきり) and as the second answer."""
    text = ("特養の相談員です。①入所者のカードを施設の金庫でまとめて預かってもいいか ②顔のカードってうちの入所者でも作れるか "
            "③寝たきりの人の写真はベッドの上で撮ってもいいか、まとめて教えてください")
    ranked = ranking(("proxy_pickup_relaxation", 0.63), ("photo_requirements", 0.12), ("contact_municipality", 0.05))
    decision = decide(text, "proxy_pickup_relaxation", ranked, lexicon, set(kb.intents))
    assert "proxy_pickup_relaxation" not in decision.intents
    assert {"card_management", "face_auth_card_about"} & set(decision.intents + decision.also)


def test_another_question_that_names_no_topic_is_owned_up_to(lexicon, kb):
    """「…？ あと家族に言わないとだめ？」: the reply says which question it does not answer (quoted, without digits of a
    PIN), after the answer or the routing reply; a sentence that asks on about the first (「それならどうするの?」) and
    「あと何日で…」 (how long) are no other questions."""
    from bot.shared.fit import other_questions
    sure = ranking(("card_fee", 0.7), ("out_of_scope", 0.01))
    decision = decide("再発行 手数料いる？ あと家族に言わないとだめ？", "card_fee", sure, lexicon, set(kb.intents))
    assert decision.kind == "route" and decision.unanswered == ["あと家族に言わないとだめ？"]
    messages = decision_messages(kb, decision, {})
    assert "「家族に言わないとだめ？」へのお答えは、ここにはありません" in messages[-1]["text"]
    assert not messages[-1]["custom"].get("fallback")
    decision = decide("カードをなくした。ちなみに暗証番号1234のメモも一緒だけど、家族に言わないとだめ？", "lost_card",
                      ranking(("lost_card", 0.8)), lexicon, set(kb.intents))
    assert "1234" not in decision_messages(kb, decision, {})[-1]["text"]
    assert other_questions("従来の健康保険証は使えなくなる?それならどうするの?") == []
    assert other_questions("カードをなくしました。あと何日で再発行できますか？") == []
    assert other_questions("カードをなくしました。また、家族に言わないとだめですか") == ["また、家族に言わないとだめですか"]


def test_another_question_beside_a_routing_reply_is_answered_by_its_topic(lexicon, kb):
    """Ninth trial: 「その資格確認書って有効期限はあるんですか？あと、うちのデイで利用者さんのカードを預かっておいても
    いいんでしょうか」 — the validity is routed, the storage question was dropped."""
    unsure = ranking(("shikaku_kakuninsho", 0.3), ("card_management", 0.2), ("out_of_scope", 0.2))
    decision = decide("その資格確認書って有効期限はあるんですか？あと、うちのデイで利用者さんのカードを預かっておいても"
                      "いいんでしょうか", "shikaku_kakuninsho", unsure, lexicon, set(kb.intents))
    assert decision.kind == "route" and decision.intents == ["card_management"]


@pytest.mark.parametrize("text, routed", [
    ("海外継続利用の手続きって、お金かかるんですか？", "procedure_fee"),      # was: overseas use + 「交付手数料は無料」
    ("カードリーダーに音声案内はありますか", "reader_voice_guide"),            # was: how to see a doctor
    ("結局カードを作るのは義務なの？任意なの？", "obligation"),
    ("夜間に入居者さんが救急搬送されるとき…「マイナ救急」ってありますよね。カードを一緒に渡した方がいいですか？",
     "emergency_disaster"),                                                   # was: where to collect the card (夜間)
    ("カードケースに「暗証 7731」って書いた紙を一緒に入れてるんです。まずいですか？", None),   # the PIN kept with the card
])
def test_tenth_trial_questions_are_routed_to_what_they_ask(lexicon, text, routed):
    assert routed_id(lexicon, text) == routed


@pytest.mark.parametrize("text, routed", [
    ("高校生でも代理人なれるの？年齢制限とかある？", "proxy_age"),               # was: a child's own card
    ("ばあちゃん足わるくて役所いけないから俺が代わりに取りにいっていい？高校生なんだけど", "proxy_age"),
    ("孫でも代わりに受け取れる？", None),                                      # anyone designated: answered
    ("やはり作らなければいけないものなのでしょうか。", "obligation"),            # was: how to get the card
    ("作らないといけない義務があるのかどうかを知りたいです", "obligation"),
    ("更新中はマイナ保険証つかえないんですか？病院に通ってるので心配で…", None),  # the 2024 letter: 資格確認書
    ("コンビニのFAXからでも送れますか？それとも朝まで待つしかない？", None),       # was: コンビニ交付
    ("交番に行って盗難届を出すとき、何か持っていくものはありますか", "police_report_items"),   # was: the municipality
    ("カードをなくしたので警察に届けました。次に何が必要？", None),
    ("FAXは家にないです…スマホからとめることはできませんか？", "suspend_other_ways"),   # was: the plain decline
    ("スマホをなくしたので止めたい", None),
    ("お世話になっております。〇〇病院入院受付の者です。顔認証付きカードリーダーで認証ができない患者様がいらっしゃる場合、"
     "どのように資格確認を行えばよろしいでしょうか。", None),   # was: 入院の手続き, 「入院先の医療機関の窓口に」 — to the clerk herself
    ("病院の入院受付の者です。入院の手続きでマイナ保険証はどう使えばいいですか", "admission_procedure"),
    # seventeenth trial: who the writer is names no topic (was: 訪問看護's routing reply before the lost card)
    ("訪問看護ステーションの看護師です。利用者さんがマイナ保険証にしたって言うんだけど、家の中でカードが見当たらないって。"
     "まず何したらいいですか？", None),
    ("訪問看護でもマイナ保険証使えますか？", "home_nursing"),
    # session 40's blind trial: a job said in a short sentence names no topic either (was: 訪問看護's routing reply)
    ("お世話になります。訪問看護をしております。担当している在宅の患者様（80代、寝たきり）がマイナンバーカードをお持ちでないのですが、"
     "ご本人が役所に行けない場合、どのように申請すればよいでしょうか。", None),
    ("父が亡くなり、相続の手続きをしています。父のカードはどうすればいいですか", "deceased"),
])
def test_thirteenth_trial_questions_are_routed_to_what_they_ask(lexicon, text, routed):
    assert routed_id(lexicon, text) == routed


def test_every_numbered_part_about_an_uncovered_topic_is_routed(lexicon, kb):
    """Tenth trial: 「①…代わりに行けますか ②…暗証番号… ③…旧姓を併記… ④マイナポイントはまだもらえますか」 routed ③ and said
    nothing about ④."""
    text = ("①カードの受け取りは私が代わりに行けますか ②父は暗証番号を覚えられないのですがどうすれば "
            "③結婚前の旧姓を併記したい ④マイナポイントはもらえますか")
    decision = decide(text, "proxy_pickup_who", ranking(("proxy_pickup_who", 0.4)), lexicon, set(kb.intents))
    routed = [m["custom"].get("uncovered") for m in decision_messages(kb, decision, {})]
    assert decision.route is not None and len(set(routed)) == 2 and decision.more_routes[0].id in routed


def test_another_question_that_asks_on_about_the_first_is_no_other_question():
    """Eleventh trial: 「施設まで来てもらうことってできますか？あと、その時に職員は何を準備しておけばいいでしょう。」 got
    「…へのお答えは、ここにはありません」 though the outreach answer says what to prepare."""
    from bot.shared.fit import other_questions
    assert other_questions("施設まで来てもらうことってできますか？あと、その時に職員は何を準備しておけばいいでしょう。") == []
    assert other_questions("カードをなくした。それから、家族に言わないとだめ？") == ["それから、家族に言わないとだめ？"]


def test_the_variant_meant_is_the_one_after_janakute():
    """Eleventh trial: 「いや、オンラインじゃなくて郵送です。郵送の申請書に理由を書く場所」 got the online variant again."""
    from bot.shared.answers import meant_entities
    message = {"text": "いや、オンラインじゃなくて郵送です", "entities": [
        {"entity": "route", "value": "online", "start": 3, "end": 8},
        {"entity": "route", "value": "mail", "start": 13, "end": 15}]}
    assert meant_entities(message) == {"route": ["mail"]}
    from bot.shared.conversation import ASKS_WHERE
    assert not ASKS_WHERE.search("申請書のどこに何を書けばいいですか") and ASKS_WHERE.search("どこに申し込めばいいの？")


def test_a_clinics_or_pharmacys_own_operations_are_routed(lexicon):
    """Eleventh trial: 「いや、こっちが薬局なんだけどね笑 …うちのシステムで何すればいいの？」 got the patient's steps at the
    reader; a hospital clerk asking how to explain to patients was told to ask 「受診する医療機関の窓口」."""
    for text in ("いや、こっちが薬局なんだけどね笑　処方箋で資格確認するって、具体的にはうちのシステムで何すればいいの？",
                 "いや、私がその医療機関の窓口なんですけど…。患者さんに何て説明すればいいかだけでも"):
        assert lexicon.blocking(lexicon.find(text)).id == "provider_operations", text
    assert lexicon.blocking(lexicon.find("病院の窓口でカードを出したら断られた")) is None


def test_what_the_face_auth_card_cannot_do_is_no_pension_question(lexicon):
    """Twelfth trial: 「顔認証のにしたら、父の年金とか役所の手続きで困ることあります？」 was routed as a pension question; the
    face-auth card's services answer says what it cannot be used for."""
    found = lexicon.find("顔認証のにしたら、父の年金とか役所の手続きで困ることあります？")
    assert "face_auth_card" in found.covered and lexicon.blocking(found) is None
    assert lexicon.blocking(lexicon.find("年金の受取口座は？")).id == "pension_tax_other"


def test_a_lost_card_outranks_the_free_dials_hours(lexicon, kb):
    """Twenty-first trial (a 特養 care worker at 22:00): 「別の利用者さんのカードがみつからなくてやばいです いま夜の10時なんだ
    けど電話つながる？」 got the free dial's hours (平日 9:30～20:00 first); the lost-card steps give the number, 「2番」 and
    24時間365日 — they come instead, the free dial as a button. Without a loss the free dial stays."""
    text = "別の利用者さんのカードがみつからなくてやばいです いま夜の10時なんだけど電話つながる？"
    decision = decide(text, "free_dial", ranking(("free_dial", 0.99)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["lost_card"] and "free_dial" in decision.also
    decision = decide("フリーダイヤルは夜の10時でもつながる？", "free_dial", ranking(("free_dial", 0.99)), lexicon,
                      set(kb.intents))
    assert decision.intents == ["free_dial"]


def test_another_concern_after_a_space_and_ato_is_a_part_of_its_own(lexicon, kb):
    """Twenty-first trial (a 特養 care worker typing without 「。」): 「…役所いけないしどうしたらいいですか あと認知症の人で暗証番号
    覚えてない人もいて…」 got the card's application only — the PIN part, after 「 あと」, is offered as a button."""
    text = ("うちの利用者さんで寝たきりの人がいてマイナンバーカード作りたいんだけど役所いけないしどうしたらいいですか"
            " あと認知症の人で暗証番号覚えてない人もいて、その人の家族は遠くに住んでて来れないんです")
    decision = decide(text, "how_to_get_card", ranking(("how_to_get_card", 0.98)), lexicon, set(kb.intents))
    assert decision.intents == ["how_to_get_card"] and "pin_forgot" in decision.also


def test_a_formal_proxy_question_after_the_patients_background_is_answered_without_buttons_for_the_background(lexicon, kb):
    """Twenty-first trial (an MSW): 「…長期入院中ですが意思表示は明確で、ご本人がマイナンバーカードの取得を希望されています。…
    当院の職員である私が代理人として受け取ることは可能でしょうか。…どのような書類を準備すればよいか…」 got 「もしかして」 with
    no 代理交付 button: 「代理人として受け取る」 names the proxy pickup; the sentences that say who the patient is (意思表示,
    取得を希望) are no concerns of their own (no buttons for the 資格確認書 or how to apply)."""
    text = ("別の患者様についてもご相談させてください。こちらの方は80代の女性で、長期入院中ですが意思表示は明確で、ご本人が"
            "マイナンバーカードの取得を希望されています。ただし歩行が困難で、退院の見込みも当面ありません。市区町村の窓口でカードを"
            "受け取る際、当院の職員である私が代理人として受け取ることは可能でしょうか。可能な場合、どのような書類を準備すればよい"
            "かも併せてご教示いただけますと幸いです。")
    ranked = ranking(("proxy_pickup_eligibility", 0.56), ("proxy_pickup_documents", 0.4))
    decision = decide(text, "proxy_pickup_eligibility", ranked, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_eligibility"
    assert not {"no_card_shikaku", "apply_methods"} & set(decision.also), decision.also


def test_whether_the_card_can_be_made_is_not_answered_with_its_fee(lexicon, kb):
    """Twenty-first trial: 「…在留外国人の方を支援しています。…その方もマイナンバーカードは作れますか？」 — the question read
    alone (card_uses 0.43, card_fee 0.20) got 「交付手数料は無料です」: 作れ names the application, not its fee."""
    ranked = ranking(("card_uses", 0.43), ("card_fee", 0.2), ("lost_card", 0.05))
    decision = decide("その方もマイナンバーカードは作れますか？", "card_uses", ranked, lexicon, set(kb.intents))
    assert "card_fee" not in decision.intents or decision.kind != "answer"


def test_someone_else_keeping_the_pin_is_answered_with_who_may_know_it_not_the_reset(lexicon, kb):
    """Twenty-first trial (a daughter far away): 「うちが番号決めて覚えといてもええ？」 (pin_forgot 0.97: 覚えられへん) got the
    forgotten-PIN reset twice, then 「くり返しません」 — someone else deciding or keeping the PIN is pin_sharing's question
    (法定代理人以外に知らせることは適当ではない), the reset a button."""
    text = "わかった！あと暗証番号やけど、お父ちゃん認知症やし覚えられへんと思うねん。うちが番号決めて覚えといてもええ？"
    decision = decide(text, "pin_forgot", ranking(("pin_forgot", 0.97), ("pin_sharing", 0.02)), lexicon, set(kb.intents))
    assert decision.intents == ["pin_sharing"] and "pin_forgot" in decision.also


def test_applying_for_several_residents_at_once_is_not_the_pin_help_for_intellectual_disability(lexicon, kb):
    """Twenty-first trial (a 障害者支援施設): 「知的障害のある入所者の方が8名ほど…施設でまとめて申請する方法はありますか。」 got
    the PIN help of 第7(2): 知的障害 says who the residents are; まとめて申請 names the 出張申請受付."""
    text = ("障害者支援施設で支援員をしております。知的障害のある入所者の方が8名ほど、まだマイナンバーカードを持っていません。"
            "施設でまとめて申請する方法はありますか。")
    ranked = ranking(("intellectual_disability", 0.86), ("how_to_get_card", 0.1), ("outreach_facility", 0.03))
    decision = decide(text, "intellectual_disability", ranked, lexicon, set(kb.intents))
    assert "intellectual_disability" not in decision.intents and "outreach" in lexicon.find(text).covered


def test_the_tax_reply_says_what_the_documents_do_say_about_e_tax(lexicon):
    """Twenty-first trial: 「e-Taxで確定申告をする場合、マイナンバーカードは利用可能ですか。」 was declined as if the documents said
    nothing; the glossary says the 署名用電子証明書 is used for e-Tax, and the 顔認証 card cannot carry it (001 用語解説 3, 12)."""
    reply = lexicon.uncovered["tax"].reply
    assert "署名用電子証明書" in reply and "e-Tax" in reply and "搭載できない" in reply


def test_until_the_card_is_made_is_no_question_about_the_days_it_takes(lexicon, kb):
    """Twenty-first trial (a daughter): 「カードできるまでお父ちゃん病院行けるん？保険証もう使われへんって聞いてんけど」 got
    「カードが届くまでの日数は資料に書かれていません」 first: 「できるまで」 alone is the meantime, not the days."""
    text = "ありがと！ほんでな、カードできるまでお父ちゃん病院行けるん？保険証もう使われへんって聞いてんけど"
    assert "issue_duration" not in lexicon.find(text).uncovered
    assert "issue_duration" in lexicon.find("カードができるまでどのくらいかかりますか").uncovered


@pytest.mark.parametrize("text, concept", [
    ("マイナンバーカードで個人番号がバレたらどうなりますか?", "leak"),
    ("例えば自分が悪い人で、他人の番号を知ったとき、それでどういった悪さができるのかよくわかりません。", "leak"),
])
def test_a_number_found_out_names_the_leak(lexicon, text, concept):
    """Real questions (session 24, part r): a number 「バレた」 or known to someone else is the leak the documents answer
    (マイナンバーだけでは手続きできない); both were 「もしかして」."""
    assert concept in lexicon.find(text).covered


@pytest.mark.parametrize("text, route", [
    # 「顔写真を変更できる?」 was read as 顔写真 (the photo's rules) first: changing the card's photo is not in the documents
    ("マイナンバーカードの顔写真を失敗した!ひどいと感じる顔写真を変更できる?", "photo_change"),
    # 「古い保険証」 alone was a term of old_card_disposal: 「古い保険証はいつまで使えますか」 got 「捨ててよいか・返すかは…」
    ("古い保険証はいつまで使えますか", None),   # answered: at most a year, until 2025-12-01 (hokensho_end)
    ("古い保険証の期限が切れたのに新しいのが届かない", None),
    ("古い保険証はどうすればいい？捨てていい？", "old_card_disposal"),
    ("紙の保険証は返さないといけない？", "old_card_disposal"),
    # the everyday-details probe: 免許証, 10年 and コンビニ routed covered questions that only mention them
    ("申請のときに免許証は必要ですか", None),                        # the licence as proof of identity, not マイナ免許証
    ("10年前に作ったカードの暗証番号を忘れた", None),                 # 10年 alone is no validity question
    ("コンビニのATMで保険証の利用登録はできますか", None),            # the セブン銀行 ATM (hoken_registration)
    ("マイナンバーカードを運転免許証として使えますか", "driving_license"),
    ("運転免許証とマイナンバーカードの一体化はいつから？", "driving_license"),
    ("カードの有効期限は10年？", "validity_renewal"),
    # part r (dev side): a call 「…との電話があった…本当か」 got the leak answer, 「通知カード廃止!その期限はいつまでか?」
    # the old insurance card's end
    ("知らない人から『マイナンバーの手続きをしないと罰則がある』との電話があった。本当か", "scam_check"),
    ("区役所の職員を名乗る人から暗証番号を聞かれた", "scam"),
    ("市から出張申請に来るとの電話があったけど、本当？", None),        # the 市区町村's own call: the outreach answer
    ("通知カードは廃止されたの？いつまで使える？", "notification_card"),
])
def test_session_24_questions_are_routed_to_what_they_ask(lexicon, text, route):
    assert routed_id(lexicon, text) == route


def probe_questions(name):
    """A probe of tests/lexicon/ (session 24): its questions."""
    return yaml.safe_load((ROOT / "tests" / "lexicon" / name).read_text(encoding="utf-8"))["questions"]


# tests/lexicon/incidental_questions.yml routed by the lexicon on purpose or left so: the days until the card comes are
# routed (issue_duration, documented only as the 出張申請's example), a death in the family governs (deceased), and those
# where the classifier decides in the message as a whole (fit's circumstance rules; the model answers them)
ROUTED_FOR_THEIR_DETAIL = {
    "issue_duration": 3, "deceased": 1, "address_name_change": 4, "reader_trouble": 2, "scam": 2, "prescription_record": 1,
    "photo_change": 1, "judo_acupuncture": 1,
}


def test_an_everyday_detail_does_not_route_a_covered_question(lexicon, kb):
    """Session 24's probe: 220 covered questions with a detail that is not what is asked, written blind to the lexicon;
    an uncovered term that routes more of them is too broad (免許証 alone, 10年, コンビニ, 年金 did)."""
    questions = probe_questions("incidental_questions.yml")
    assert len(questions) >= 200 and {q["intent"] for q in questions} <= set(kb.intents)
    routed = Counter(route for q in questions if (route := routed_id(lexicon, q["text"])))
    assert dict(routed) == ROUTED_FOR_THEIR_DETAIL


def test_opinions_and_complaints_are_routed_and_worries_the_documents_answer_are_not(lexicon):
    """Session 24's worry probe (tests/lexicon/worry_questions.yml, written blind to the lexicon): 「マイナンバー制度そのものに
    反対です。もう廃止してほしい。」 got the old card's end, 「国に全部管理されるのは嫌です。」 the facility's card keeping. An
    opinion or complaint is routed (opinion_complaint); a worry the documents address (expect: answer) is routed by nothing
    but a changed face (face_changed, its own routing reply)."""
    routed = Counter((q["expect"], routed_id(lexicon, q["text"])) for q in probe_questions("worry_questions.yml"))
    assert routed[("decline", "opinion_complaint")] >= 9
    assert {concept for (expect, concept) in routed if expect == "answer"} <= {None, "face_changed"}


def test_a_pin_feared_not_forgotten_gets_the_face_auth_card(lexicon, kb):
    """Worry probe: 「暗証番号を忘れそうで心配です。…4桁の数字なんて自信がない」 got the kinds of PIN and the reset; the manual's
    顔認証 card is for 「暗証番号の設定や管理に不安がある方」 (p.10). A PIN already forgotten keeps the reset."""
    worry = decide("暗証番号を忘れそうで心配です。もう歳だから4桁の数字なんて自信がないのよ。", "pin_kinds",
                   ranking(("pin_kinds", 0.76), ("pin_forgot", 0.2), ("face_auth_card_about", 0.01)), lexicon, set(kb.intents))
    assert worry.kind == "answer" and worry.intents[0] == "face_auth_card_about"
    forgot = decide("母が暗証番号を忘れました。どうすればいいですか", "pin_forgot",
                    ranking(("pin_forgot", 0.92), ("out_of_scope", 0.04)), lexicon, set(kb.intents))
    assert forgot.intents == ["pin_forgot"]


def test_a_card_lost_with_the_wallet_gets_the_lost_card_steps_not_the_merits(lexicon, kb):
    """Probe: 「タクシーに財布を忘れて、中にマイナ保険証が入ってた。…まず何したらええ？」 got the マイナ保険証's merits (the classifier
    0.59 sure; マイナ保険証 agreed with it): a loss named outranks the merits, which stay as a button."""
    decision = decide("タクシーに財布を忘れて、中にマイナ保険証が入ってた。明日病院の予約があるんやけど、まず何したらええ？", "hoken_merit",
                      ranking(("hoken_merit", 0.59), ("card_safety", 0.22), ("hoken_visit", 0.05)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "lost_card" and "hoken_merit" in decision.also


@pytest.mark.parametrize("text, route", [
    # session 25's blind trials: a detail or a word of another sense routed a covered question
    ("じゃあ、できあがったカードを受け取りに行くとき、幼稚園児の孫を連れて行かないとだめですか？", None),   # pickup, not the days
    ("申請のやり方もいくつかあるんですよね？", None),                                                  # not the PIN kinds
    ("受付で「機械が壊れてるから使えない、全額払って」と言われた。どこに言えばいい？", None),         # a refusal: report it
    ("カードリーダーが壊れているときはどうなるの？", "reader_trouble"),
    ("親父が先月亡くなってのう、親父のマイナンバーカードはどうしたらええんじゃろ？", "deceased"),      # 亡くなって
    ("登録はしてるって本人言うのに、リーダーで資格情報なしってでる。どうする？", "eligibility_not_found"),
    ("親父のマイナンバーカードが保険証として登録されてるのか分からない。どうやって確認すればいい？", "registration_status"),
    ("妻の年金の振込口座を、公金受取口座として登録したいのですが、私の口座でもいいですか。", None),   # ご本人名義 (answered)
    # a person who なくなった has died (in hiragana: got the lost-card steps, police and reissue); a card that did is lost
    ("おっとが なくなりました。 おっとの まいなんばーかーど は どうすれば いいですか", "deceased"),
    ("ははが なくなりまして かーどは どうしたら", "deceased"),
    ("母のカードがなくなりました", None),
    ("母が施設にいて、カードがなくなりました", None),
    ("住民票移した人のカード住所書き換えは？職員が行ける？", "address_name_change"),   # got 「もしかして」 with the proxy
    ("施設に住民票を移した方が出張申請を受けられますか", None),
])
def test_session_25_questions_are_routed_to_what_they_ask(lexicon, text, route):
    assert routed_id(lexicon, text) == route


def test_what_the_applicant_pays_is_never_the_helpers_reward(lexicon, kb):
    """A blind trial (2026-12-03): 「…カード申請を手伝いたいんですが、申請ってお金かかりますか？」 got the 報償費 paid to
    supporters (the classifier 0.79 sure); what costs (お金かかる) outranks it. 「手伝ったらお金もらえるの？」 keeps it."""
    costs = decide("独り暮らしのおじいちゃんのカード申請を手伝いたいんですが、申請ってお金かかりますか？", "subsidy",
                   ranking(("subsidy", 0.79), ("card_fee", 0.11), ("application_support", 0.05)), lexicon, set(kb.intents))
    assert costs.kind == "answer" and costs.intents[0] == "card_fee" and "subsidy" in costs.also
    reward = decide("手伝ったらお金もらえるの？", "subsidy", ranking(("subsidy", 0.77), ("out_of_scope", 0.09)), lexicon,
                    set(kb.intents))
    assert reward.intents == ["subsidy"]


def test_a_question_of_its_own_beside_a_routed_one_is_answered_and_asks_on_about_its_topic(lexicon, kb):
    """A blind trial (2026-12-03): 「資格確認書ってお金かかる？あと有効期限は何年？」 got two routing replies — the
    資格確認書's validity and the card's (「あと有効期限は何年？」 read alone) — and no word on the fee (無償交付). The
    validity is the 資格確認書's (validity_renewal's `unless`), and the first question is answered beside it."""
    decision = decide("資格確認書ってお金かかる？あと有効期限は何年？", "shikaku_kakuninsho",
                      ranking(("shikaku_kakuninsho", 0.99), ("out_of_scope", 0.0)), lexicon, set(kb.intents))
    assert decision.kind == "route" and decision.route.id == "shikaku_validity"
    assert decision.intents == ["shikaku_kakuninsho"] and decision.more_routes == []
    alone = decide("資格確認書について。有効期限は？", "shikaku_kakuninsho",
                   ranking(("shikaku_kakuninsho", 0.93), ("out_of_scope", 0.04)), lexicon, set(kb.intents))
    assert alone.kind == "route" and alone.intents == []


def test_covered_topics_named_in_a_declined_message_are_offered_as_nearby_ones(lexicon, kb):
    """A blind trial (2026-12-03): 「俺のスマホで申請ってできますか？あとお金ってかかるんすかね」 (out of scope 0.6) was
    told that the documents do not cover it: the classifier's likeliest among the named topics, then their main ones."""
    text = "なるほど。俺のスマホで申請ってできますか？あとお金ってかかるんすかね、ばあちゃん年金暮らしなんで"
    parsed = ranking(("out_of_scope", 0.6), ("card_fee", 0.3), ("apply_methods", 0.05), ("subsidy", 0.02))
    assert decide(text, "out_of_scope", parsed, lexicon, set(kb.intents)).kind == "decline"
    assert nearby_named(text, parsed, lexicon, set(kb.intents))[:2] == ["card_fee", "apply_methods"]
    assert nearby_named("今日はいい天気ですね", ranking(("out_of_scope", 0.9)), lexicon, set(kb.intents)) == []


def test_what_something_is_asked_after_who_the_person_is_gets_its_definition(lexicon, kb):
    """A blind trial (2026-12-03): 「…知的障害のある利用者さんで、暗証番号を覚えるのがむずかしい方がいます。暗証番号なしの
    カードがあると聞いたのですが、どういうものですか？」 got the PIN help for intellectual disability (the classifier 0.95
    sure): the last sentence, the message's only question, asks what the 顔認証 card is; the PIN help stays a button."""
    text = ("障害者支援施設の職員です。知的障害のある利用者さんで、暗証番号を覚えるのがむずかしい方がいます。"
            "暗証番号なしのカードがあると聞いたのですが、どういうものですか？")
    decision = decide(text, "intellectual_disability", ranking(("intellectual_disability", 0.95), ("face_auth_card_about", 0.05)),
                      lexicon, set(kb.intents))
    assert decision.intents == ["face_auth_card_about"] and decision.also == ["intellectual_disability"]
    assert lexicon.defined("暗証番号なしのカードがあると聞いたのですが、どういうものですか？").id == "face_auth_card"


@pytest.mark.parametrize("text, top", [
    ("その方、カードの右下に顔認証って書いてあって暗証番号はないそうです。目視に切り替えでいいんですか", "face_auth_card_about"),
    ("顔認証が通らないときは目視確認に切り替えていいの？", "face_auth_card_apply"),
])
def test_the_counters_check_by_eye_is_no_question_about_the_face_auth_card_itself(lexicon, kb, text, top):
    """A blind trial (2026-12-03, a clinic receptionist): the 目視 check when 顔認証 fails got the 顔認証 card's definition
    or how to switch to it (切り替え): the answer on using that card at the counter (顔認証, else 目視) outranks both."""
    decision = decide(text, top, ranking((top, 0.69), ("face_auth_card_hoken", 0.13)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "face_auth_card_hoken"
    assert "目視" in kb.default_entry("face_auth_card_hoken").answer


@pytest.mark.parametrize("text, route", [
    # session 25's second round of blind trials
    ("きのう へんな めーる きました まいなんばーかーど の ほけんしょう が とまります ここを おして こうざばんごう を いれて と"
     " かいてあります ほんとう ですか", "scam"),                                    # hiragana with spaces: a phishing mail
    ("先週叔父に「マイナンバーカードの手続きが終わってないので、口座番号とマイナンバーを教えてください」って電話があったらしいん"
     "です。叔父は半分教えちゃったみたい…これって詐欺ですよね？どうしたらいい？", "scam_account"),   # bank details: the police
    ("詐欺の電話でマイナンバーを言ってしまった", None),                              # the number alone: the leak answer
])
def test_session_25_scams_are_routed(lexicon, text, route):
    """scam_account: bank details given, the scam reply even when the leak is named (scam gives way to it)."""
    routed = routed_id(lexicon, text)
    assert routed == route or lexicon.uncovered[routed].reply == lexicon.uncovered["scam"].reply == lexicon.uncovered[route].reply


def test_the_old_paper_card_refused_is_no_clinic_refusing_the_card(lexicon, kb):
    """A blind trial (2026-12-03): 「病院の受付で「紙の保険証はもう使えません」って言われて…父はマイナンバーカードを作ってない
    んです」 got, after the no-card answer, 「…使えなかったときは…0120-95-0178にご連絡ください」: the counter was right."""
    text = ("病院の受付で「紙の保険証はもう使えません」って言われて頭が真っ白…父はマイナンバーカードを作ってないんです。"
            "このまま入院費どうなるんでしょうか")
    decision = decide(text, "no_card_shikaku", ranking(("no_card_shikaku", 0.69), ("hospital_refused", 0.24)), lexicon,
                      set(kb.intents))
    assert decision.intents == ["no_card_shikaku"]


def test_a_card_missing_from_where_it_was_kept_is_a_loss(lexicon, kb):
    """A blind trial (2026-12-03, a 特養 clerk): 「預かっていたカードが1枚見当たりません。まず何をすればいいですか？」 got the
    facility's card keeping (見当たりません was no term of the loss): now the lost-card steps."""
    decision = decide("預かっていたカードが1枚見当たりません。まず何をすればいいですか？", "lost_card",
                      ranking(("lost_card", 0.83), ("out_of_scope", 0.07)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["lost_card"]


def test_what_stops_working_is_the_services_table_not_the_switch(lexicon, kb):
    """Session 24's probe 「顔認証マイナンバーカードに切り替えると、使えなくなる機能は?」 got how to switch (0.48 against the
    services table's 0.43, both agreeing with the 顔認証 card): what stops working outranks the switch."""
    decision = decide("顔認証マイナンバーカードに切り替えると、使えなくなる機能は?", "face_auth_card_apply",
                      ranking(("face_auth_card_apply", 0.48), ("face_auth_card_services", 0.43)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "face_auth_card_services"


def test_a_missing_application_form_is_not_a_lost_card(lexicon, kb):
    """A blind trial (2026-12-03): 「その交付申請書ってやつ、ばあちゃん家探したけど見当たらないんすよ。捨てちゃったかも。」 got the
    form's answer and, second, the lost-card steps (stop it at 0120-95-0178, the police): the form named missing outranks
    them, which stay a button (a covered concept named by two terms together)."""
    text = "その交付申請書ってやつ、ばあちゃん家探したけど見当たらないんすよ。捨てちゃったかも。どうすればいい？"
    decision = decide(text, "application_form", ranking(("application_form", 0.94), ("lost_card", 0.06)), lexicon, set(kb.intents))
    assert decision.intents == ["application_form"] and decision.also == ["lost_card"]
    lost = decide("カードが見当たらないんです", "lost_card", ranking(("lost_card", 0.9),), lexicon, set(kb.intents))
    assert lost.intents == ["lost_card"]


def test_a_lost_card_said_casually_gets_the_steps_not_a_doubt(lexicon, kb):
    """A blind trial (2026-12-03): 「カードなくしたらどうする」 got 「もしかして」 (lost_card 0.20 against out_of_scope 0.10,
    under SURE_OVER_DOUBT): the loss is `urgent` — the steps are given when the classifier's likeliest topic is theirs."""
    decision = decide("カードなくしたらどうする", "nlu_fallback",
                      ranking(("nlu_fallback", 0.35), ("lost_card", 0.2), ("out_of_scope", 0.1)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["lost_card"]


def test_a_lost_card_is_not_declined_for_a_lean_out_of_scope(lexicon, kb):
    """Session 43's trial: 「生活保護のケースワーカーです。…耳の聞こえない利用者さんがカードをなくしたそうです。電話ができない
    人は、カードの停止をどうやって頼めばいいですか。」 (out_of_scope 0.40, fax_inquiry 0.30) got 「もしかして」: a message
    naming an urgent concept is read by the classifier's likeliest topic — the steps, which name the FAX; out of
    scope surely (URGENT_DOUBT_MAX), it stays declined."""
    text = ("生活保護のケースワーカーです。担当している耳の聞こえない利用者さんがカードをなくしたそうです。"
            "電話ができない人は、カードの停止をどうやって頼めばいいですか。")
    leaning = ranking(("out_of_scope", 0.40), ("fax_inquiry", 0.30), ("no_card_shikaku", 0.14), ("lost_card", 0.08))
    decision = decide(text, "out_of_scope", leaning, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "lost_card" and "fax_inquiry" in decision.also
    sure = ranking(("out_of_scope", 0.70), ("fax_inquiry", 0.10), ("lost_card", 0.05))
    assert decide(text, "out_of_scope", sure, lexicon, set(kb.intents)).kind != "answer"


def test_the_answer_the_question_asks_comes_before_the_one_a_telling_sentence_names(lexicon, kb):
    """Session 43's trial: 「…寝たきりの患者さんがマイナンバーカードを持っていません。病院に市の職員さんに来てもらって申請
    することはできるのでしょうか。」 (no_card_shikaku 0.85) led with the 資格確認書; the question asks the outreach. Not
    when the asking sentence names the first answer's topic too, or names only an aspect (申請)."""
    text = ("退院調整を担当している看護師です。長期入院中で寝たきりの患者さんがマイナンバーカードを持っていません。"
            "病院に市の職員さんに来てもらって申請することはできるのでしょうか。")
    ranked = ranking(("no_card_shikaku", 0.85), ("outreach_facility", 0.09), ("outreach_home", 0.03))
    # session 58 (b57 c05-1, the same question): the outreach outranks the 資格確認書, no second answer
    assert decide(text, "no_card_shikaku", ranked, lexicon, set(kb.intents)).intents == ["outreach_facility"]
    withdrawn = "申請したけど、やっぱりカードはいらない。申請を取り下げられますか。"
    ranked = ranking(("no_card_shikaku", 0.6), ("apply_methods", 0.2))
    assert decide(withdrawn, "no_card_shikaku", ranked, lexicon, set(kb.intents)).intents[0] == "no_card_shikaku"


def test_what_to_bring_is_asked_of_the_topic_named_beside_it(lexicon, kb):
    """A blind trial (2026-12-03): 「…今日クリニックを受診するときは何を持って行けばいいですか？」 got the visit's answer
    and, second, the proxy's seven documents for collecting a card (「何を持って」 names proxy_documents): that concept
    asks of the topic beside it and gives no second answer."""
    decision = decide("では、その方々が今日クリニックを受診するときは何を持って行けばいいですか？", "hoken_visit",
                      ranking(("hoken_visit", 0.53), ("out_of_scope", 0.12), ("proxy_pickup_documents", 0.11)), lexicon,
                      set(kb.intents))
    assert decision.intents == ["hoken_visit"]


@pytest.mark.parametrize("text, start, end, meant", [
    ("③スマホもパソコンもないが申請できるか", 1, 4, False),   # session 26's blind trials: got the smartphone steps
    ("スマホが使えない母でも申請できますか", 0, 3, False),
    ("スマホは苦手です", 0, 3, False),
    ("スマホで申請したい", 0, 3, True),
    ("スマホがないと申請できないの？", 0, 3, False),          # the four ways answer it
    ("スマホをなくしてしまいました", 0, 3, True),             # lost, not 「ない」 (a REST test: the notice card's line)
    ("スマホが無くなった", 0, 3, True),
])
def test_a_variant_the_person_has_not_got_is_not_the_one_meant(text, start, end, meant):
    from bot.shared.answers import meant_entities
    message = {"text": text, "entities": [{"entity": "route", "value": "online", "start": start, "end": end}]}
    assert (meant_entities(message) == {"route": ["online"]}) is meant


def test_a_refusal_in_dialect_is_reported_not_answered_with_the_merits(lexicon, kb):
    """Session 26's blind trials: 「…病院いったらマイナ保険証つかえませんって言われてん…」 got the merits first."""
    text = "ほんまムカつくわ 父の付き添いで病院いったらマイナ保険証つかえませんって言われてん。紙の保険証もう無いのにどないせえっちゅうねん"
    ranked = ranking(("hoken_merit", 0.41), ("hokensho_end", 0.37), ("hospital_refused", 0.21))
    assert decide(text, "hoken_merit", ranked, lexicon, set(kb.intents)).intents[0] == "hospital_refused"


def test_the_paper_with_the_qr_code_missing_is_the_form_not_a_lost_card(lexicon, kb):
    """Session 26's blind trials: 「…QRのついた紙なくしちゃったんだけどどうすれば😭」 got the lost-card steps (police, 0120)."""
    text = "ばあばのマイナンバーカードをスマホで申請してあげたい！QRのついた紙なくしちゃったんだけどどうすれば😭"
    ranked = ranking(("apply_methods", 0.74), ("lost_card", 0.2), ("how_to_get_card", 0.02))
    decision = decide(text, "apply_methods", ranked, lexicon, set(kb.intents))
    assert decision.intents[0] == "application_form" and "lost_card" not in decision.intents


def test_an_unsure_classifier_does_not_veto_the_one_topic_named(lexicon, kb):
    """The classifier's choice that the one named concept does not agree with needs SURE_WITHOUT_CONCEPT, as an answer
    without a concept does: under it, the concept's main topic is answered; over it, 「もしかして」."""
    text = "写真を撮るときに気をつけることは？"
    unsure = ranking(("hoken_visit", 0.45), ("help", 0.14), ("out_of_scope", 0.05))
    decision = decide(text, "hoken_visit", unsure, lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", [lexicon.covered["photo"].intents[0]])
    sure = ranking(("hoken_visit", 0.65), ("help", 0.14), ("out_of_scope", 0.05))
    assert decide(text, "hoken_visit", sure, lexicon, set(kb.intents)).kind == "clarify"


@pytest.mark.parametrize("text, ranked", [
    # session 26's blind trials: the card's 管理 (the writer is the 管理者) and the four ways to apply
    ("グループホームの管理者です。認知症の入居者さんでも、マイナンバーカードって作れますか？本人がよく分かっていない感じなんですが",
     (("card_management", 0.43), ("how_to_get_card", 0.33), ("no_card_shikaku", 0.06))),
    ("本人に申請したいか聞いても、はっきりした返事がないんです。その場合どうしたらいいですか？",
     (("nlu_fallback", 0.35), ("apply_methods", 0.34), ("no_card_shikaku", 0.24))),
])
def test_a_wish_that_cannot_be_confirmed_gets_the_shikaku_kakuninsho(lexicon, kb, text, ranked):
    decision = decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "no_card_shikaku"


def test_the_writers_job_is_not_what_is_asked(lexicon):
    assert "management" not in lexicon.find("グループホームの管理者です。申請の方法を教えてください").covered
    assert "management" in lexicon.find("施設の管理者です。入所者のカードを施設で預かってもいいですか").covered


def test_a_pin_written_down_by_the_facility_is_the_pin_kept_by_others(lexicon, kb):
    """Session 26's blind trials: 「…その方の暗証番号をメモしたものが事務所にあったんですが…まずかったですか？」 got the 顔認証
    card's definition; the documents: no one but a 法定代理人 should know it."""
    text = "あと、その方の暗証番号をメモしたものが事務所にあったんですが…そもそもこれってまずかったですか？"
    ranked = ranking(("face_auth_card_about", 0.52), ("pin_sharing", 0.29), ("pin_kinds", 0.07))
    assert decide(text, "face_auth_card_about", ranked, lexicon, set(kb.intents)).intents[0] == "pin_sharing"


def test_parts_numbered_by_a_digit_and_a_space_on_their_own_lines():
    """Session 26's blind trials: 「…確認させてください。\\n1 今持っている紙の保険証はいつまで使えるのか\\n2 …\\n3 …」 was read as
    one question (the 資格確認書's validity, declined); a digit in running text is no mark."""
    from bot.shared.fit import numbered_parts
    text = ("保険証の廃止について確認させてください。\n1 今持っている紙の保険証はいつまで使えるのか\n"
            "2 マイナンバーカードを持っていない入所者は資格確認書を自分で申請しないといけないのか\n3 施設がまとめて申請できるのか")
    assert [part[:2] for part in numbered_parts(text)] == ["1 ", "2 ", "3 "]
    assert numbered_parts("暗証番号は4桁です。1 2 3 4 のような番号は避けるべき？") == []


@pytest.mark.parametrize("text, ranked, first", [
    # session 26's blind trials (a blind user; care-home staff; a family)
    ("目が見えません。顔認証カードかどうか、カードのどこでわかりますか。",
     (("nlu_fallback", 0.35), ("face_auth_card_apply", 0.33), ("face_auth_card_hoken", 0.15)), "face_auth_card_about"),
    ("すでにカードを持っている入居者で、暗証番号を覚えられない方がいます。暗証番号なしの顔認証のカードに変えることはできますか？",
     (("face_auth_card_about", 0.51), ("face_auth_card_apply", 0.37), ("pin_sharing", 0.11)), "face_auth_card_apply"),
])
def test_how_to_tell_or_switch_to_a_face_auth_card(lexicon, kb, text, ranked, first):
    assert decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents)).intents[0] == first


def test_the_old_insurance_card_ending_brings_no_refusal_report(lexicon, kb):
    """Session 26's blind trials: 「保険証が使えなくなったら、母は病院でどうすればいいですか。」 got the line for reporting a
    clinic that refused the card as a second answer."""
    text = "保険証が使えなくなったら、母は病院でどうすればいいですか。"
    ranked = ranking(("nlu_fallback", 0.35), ("hokensho_end", 0.34), ("hospital_refused", 0.22))
    decision = decide(text, "nlu_fallback", ranked, lexicon, set(kb.intents))
    assert decision.intents[0] == "hokensho_end" and "hospital_refused" not in decision.intents


@pytest.mark.parametrize("text, concept", [
    ("カードに点字を入れてもらえますか。", "card_tactile"),   # got the braille signature on the form
    # session 27's: the management tips, as if they answered these
    ("万一、施設で預かっていたカードを紛失したり不正に使われたりした場合、施設はどのような責任を負うことになりますか。",
     "facility_liability"),
    ("ちなみにホームでは入居者10名分のカードをまとめて事務所で預かる予定なのですが、施設で預かれる枚数に上限などはありますか。",
     "holding_limit"),
    ("預かり証のひな形はありますか", "form_templates"),
    ("ある入所者さんのマイナンバーは です。この人のカードがもう申請済みかどうか、ここで調べられますか？", "application_status"),
    ("顔写真証明書の様式はどこでもらえますか", "form_templates"),   # got the 2023 relaxation of the proxy's rules
    ("カードを申請したとき暗証番号を設定しませんでした。あとから設定できますか。", "pin_set_later"),   # got how to get a 顔認証 card
])
def test_uncovered_card_details_from_the_blind_trials_are_routed(lexicon, text, concept):
    assert routed_id(lexicon, text) == concept


def test_atokara_starts_no_other_question():
    """「あとから設定できますか」: 「あと」 is no 「あと、…？」 (another question) — 「から設定できますか」 was quoted as unanswered."""
    from bot.shared.fit import other_questions
    assert other_questions("暗証番号を設定しませんでした。あとから設定できますか。") == []
    assert other_questions("カードをなくした。あと、家族に言わないとだめ？") == ["あと、家族に言わないとだめ？"]


def test_afraid_of_phoning_is_no_worry_about_a_leak(lexicon, kb):
    """Session 26's blind trials: 「でんわ こわい。しえんいんさん に たのんで いい？」 (read 「電話怖い。…」) got the answer that a
    known マイナンバー alone cannot be misused — 怖い read as a leak; it names the FAX for who cannot phone."""
    text = "電話怖い。支援いんさんに頼んでいい？"
    assert lexicon.find(text).covered == ["fax"]
    ranked = ranking(("nlu_fallback", 0.35), ("free_dial", 0.25), ("out_of_scope", 0.09), ("proxy_pickup_who", 0.08))
    decision = decide(text, "nlu_fallback", ranked, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] in ("free_dial", "fax_inquiry")
    assert lexicon.find("マイナンバーを知られたら怖い").covered == ["leak"]


def test_what_another_topic_needs_does_not_decide_the_answer(lexicon, kb):
    """Session 27's blind trials: 「ロック解除の手続きの際に必要な書類は何ですか。」 got the proxy's documents (the 交付通知書
    first): 必要な書類 asks what the PIN reset needs and does not pick the proxy's answer; the proxy's own question still
    gets its documents."""
    text = "ロック解除の手続きの際に必要な書類は何ですか。"
    ranked = ranking(("proxy_pickup_documents", 0.62), ("out_of_scope", 0.15), ("mynumber_leak", 0.02))
    decision = decide(text, "proxy_pickup_documents", ranked, lexicon, set(kb.intents))
    assert decision.kind == "clarify" and decision.intents[0] == "pin_forgot"
    proxy = ranking(("proxy_pickup_documents", 0.99))
    decision = decide("代理で受け取るときに必要な書類は？", "proxy_pickup_documents", proxy, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["proxy_pickup_documents"]


@pytest.mark.parametrize("text, ranked, answer", [
    # got how a patient uses the reader; 病院で使えなかったとき says the readers are 義務化 (2024年6月)
    ("うちのクリニック、カードリーダーまだないんだけど義務？", [("hoken_visit", 0.41), ("hospital_refused", 0.29)], "hospital_refused"),
    # got the reader's steps; the card's contents say the counter never handles the 12 digits
    ("マイナンバーを受付で控えないといけない？", [("nlu_fallback", 0.35), ("mynumber_leak", 0.22), ("deny", 0.11), ("hoken_visit", 0.11),
                                               ("out_of_scope", 0.07)], "card_safety"),
])
def test_clinic_counter_questions_from_session_27s_trials(lexicon, kb, text, ranked, answer):
    intent = ranked[0][0]
    decision = decide(text, intent, ranking(*ranked), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == answer


def test_moving_house_with_the_card_gets_the_merit_that_answers_it(lexicon, kb):
    """Session 27's blind trials: 「引っ越したら保険証として使えなくなる？」 got the old 保険証's end; the merits say no
    switch is needed after a move (転居), the insurer's membership aside."""
    text = "引っ越したら保険証として使えなくなる？"
    ranked = ranking(("hokensho_end", 0.42), ("hoken_merit", 0.18), ("out_of_scope", 0.13))
    decision = decide(text, "hokensho_end", ranked, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "hoken_merit"
    assert "転居" in kb.default_entry("hoken_merit").answer
    assert routed_id(lexicon, "引っ越したらカードの住所はどうするの") == "address_name_change"


def test_a_guardian_asking_about_the_shikaku_or_an_unclear_wish_is_answered(lexicon):
    """Session 27's blind trials: a 成年後見人's 「資格確認書の申請は、後見人が代わりにできますか。」 and 「被後見人本人は…意思
    表示ができない状態なのですが、それでも申請を進めるべきでしょうか。」 were routed as the guardian's application for the
    card (not in the documents); the 資格確認書 and an unclear wish are."""
    assert routed_id(lexicon, "資格確認書の申請は、後見人が代わりにできますか。") is None
    assert routed_id(lexicon, "被後見人本人はカードの申請について意思表示ができない状態なのですが、それでも申請を進めるべきでしょうか。") is None
    assert routed_id(lexicon, "成年後見人が代わりにカードを申請できますか") == "guardian_application"


def test_voice_input_homophones_name_the_same_concepts(lexicon, kb):
    """Session 27's blind trials (voice input): 「あと代理高付って私でもできますか」 got 「もしかして」; 代理高付 is 代理交付."""
    assert "proxy_pickup" in lexicon.find("あと代理高付って私でもできますか").covered
    ranked = ranking(("nlu_fallback", 0.35), ("proxy_pickup_who", 0.29), ("proxy_pickup_eligibility", 0.15))
    decision = decide("あと代理高付って私でもできますか", "nlu_fallback", ranked, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_who"
    assert lexicon.find("暗唱番号をわすれた").covered == lexicon.find("暗証番号をわすれた").covered


def test_the_tax_routing_reply_says_what_the_documents_say_of_the_medical_deduction(lexicon):
    """Session 27's blind trials: 「入居者さんの確定申告の医療費控除って、マイナンバーカードで楽になるんですか？」 was told the
    documents say nothing; 003 (2021-01) says the マイナポータル was to fill in the deduction's data from 2021年分."""
    reply = lexicon.uncovered["tax"].reply
    assert "2021年分の確定申告から医療費控除" in reply and "予定とされていた" in reply and "税務署" in reply


def test_no_residence_in_japan_because_abroad_is_the_card_abroad(lexicon, kb):
    """Session 27's blind trials: 「夫の兄がアメリカに住んでて日本に住民票がないんだけど、マイナンバーカード作れるの？」
    (other_municipality 0.84, out_of_scope 0.12) got 「もしかして」; the card abroad outranks another town's 住民票, and that
    agreement is no doubt."""
    text = "夫の兄がアメリカに住んでて日本に住民票がないんだけど、マイナンバーカード作れるの？"
    ranked = ranking(("other_municipality", 0.84), ("out_of_scope", 0.12), ("how_to_get_card", 0.01), ("overseas_use", 0.01))
    decision = decide(text, "other_municipality", ranked, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "overseas_use"


def test_a_card_refused_at_the_hospital_is_reported_not_answered_with_the_paper_cards_end(lexicon, kb):
    """Session 28's blind trials: 「…マイナ保険証持って行ったら病院で『うちは使えないので保険証出して』だってさ。保険証なんて
    もう無いっつうの。どうなってんの」 (hokensho_end 0.71) got the paper 保険証's end and the merits."""
    text = ("素晴らしい制度ですねえ（棒）。マイナ保険証持って行ったら病院で『うちは使えないので保険証出して』だってさ。"
            "保険証なんてもう無いっつうの。どうなってんの")
    decision = decide(text, "hokensho_end", ranking(("hokensho_end", 0.71), ("hoken_registration", 0.15),
                                                    ("hoken_merit", 0.12)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "hospital_refused"


@pytest.mark.parametrize("text", [   # session 28's blind trials: declined as a child's application
    "児童発達支援センターで働いています。通っている子ども20人くらいのカード申請を、センターでまとめてできないかと考えています。"
    "市役所の人に来てもらうことはできますか？",
    "施設の児童の場合、受け取りは施設長が代理でできますか？顔写真証明書というのがあると聞きました",
    "中学生の娘は重度の障害があって、病院の受付の機械で顔認証がうまくいきません（顔をカメラに向けられない）。マイナ保険証は"
    "使えないんでしょうか？",
])
def test_a_child_named_beside_a_topic_answered_whatever_the_age_is_not_routed(lexicon, text):
    assert routed_id(lexicon, text) != "infants"


def test_a_parent_applying_for_a_school_child_is_routed(lexicon):
    """Session 28's blind trials: 「小学2年の息子が重度の知的障害です。…親が代わりに申請できますか？」 got only the PIN help."""
    text = ("小学2年の息子が重度の知的障害です。マイナンバーカードを作ってあげたいんですが、本人は字も書けないし窓口でじっと"
            "していられません。親が代わりに申請できますか？")
    assert routed_id(lexicon, text) == "child_application_by_parent"


def test_whether_the_old_card_still_works_gets_its_dates_not_the_registration(lexicon, kb):
    """Session 28's blind trials: 「保険証ってまだ使えるん？前の保険証まだ持ってるんやけど」 (hoken_registration 0.94) got how
    to register. One who says it no longer works and wants to register still gets the registration first."""
    still = decide("保険証ってまだ使えるん？前の保険証まだ持ってるんやけど", "hoken_registration",
                   ranking(("hoken_registration", 0.94), ("hokensho_end", 0.06)), lexicon, set(kb.intents))
    assert still.kind == "answer" and still.intents[0] == "hokensho_end"
    register = decide("紙の保険証はもう使えないので、マイナ保険証の登録をしたい", "hoken_registration",
                      ranking(("hoken_registration", 0.75), ("hokensho_end", 0.23)), lexicon, set(kb.intents))
    assert register.kind == "answer" and register.intents[0] == "hoken_registration"


def test_who_the_person_is_alone_rescues_no_unsure_reading(lexicon, kb):
    """Session 28's blind trials: 「スマホ持ってない人は？」 (nlu_fallback; koukin_account_help 0.19) got the 公金受取口座's way:
    a person without a smartphone, and a weak reading, are no two signals agreeing."""
    decision = decide("スマホ持ってない人は？", "nlu_fallback",
                      ranking(("nlu_fallback", 0.35), ("bot_challenge", 0.24), ("smartphone_certificate", 0.22),
                              ("koukin_account_help", 0.19)), lexicon, set(kb.intents))
    assert decision.kind != "answer"


def test_the_national_manual_is_asked_for_by_its_name_not_quoted(lexicon, kb):
    """Session 30's blind trial: 「…国からのマニュアルとかありますか」 got how to get a card. Asking whether there is a
    manual names facility_manual; quoting it (「マニュアルには代理交付について何と書いてある？」) asks about the topic."""
    asked = "施設の職員がマイナンバーカード取得をサポートするときに、国からのマニュアルとかありますか"
    assert "facility_manual" in lexicon.find(asked).covered
    quoted = "マニュアルには代理交付について何と書いてある？"
    assert "facility_manual" not in lexicon.find(quoted).covered
    decision = decide(quoted, "facility_manual", ranking(("facility_manual", 0.77), ("proxy_pickup_documents", 0.11)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["proxy_pickup_documents"]


def test_a_lost_paper_insurance_card_gets_its_end_not_the_lost_cards_steps(lexicon, kb):
    """Session 31: a lost paper 保険証 is no longer reissued (new ones ended 2024-12-02, the old ones were usable until
    2025-12-01 at the latest): the answer is hokensho_end (マイナ保険証 or 資格確認書), not the card's stop-and-reissue
    steps the classifier reads; 「マイナ保険証をなくした」 is still the card."""
    text = "利用者さんの保険証をなくしてしまいました。再発行できますか"
    decision = decide(text, "lost_card", ranking(("lost_card", 0.8), ("out_of_scope", 0.05)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[0]) == ("answer", "hokensho_end")
    card = "マイナ保険証をなくしてしまいました"
    decision = decide(card, "lost_card", ranking(("lost_card", 0.8), ("out_of_scope", 0.05)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[0]) == ("answer", "lost_card")
    # in doubt (out_of_scope first), the paper 保険証's end all the same: the one topic the message asks (session 63,
    # `_named_alone`; before it, a 「もしかして」 that offered it first)
    decision = decide(text, "out_of_scope", ranking(("out_of_scope", 0.57), ("lost_card", 0.37)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[0]) == ("answer", "hokensho_end")
    # far more likely out of scope: still 「もしかして」
    decision = decide(text, "out_of_scope", ranking(("out_of_scope", 0.8), ("lost_card", 0.15)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents[0]) == ("clarify", "hokensho_end")


def test_a_term_of_digits_is_not_found_inside_a_longer_number(lexicon):
    """Session 31's blind trial: a マイナンバー 「123456789012」 typed beside a locked PIN held pin_choice's 「1234」 and was
    told that the documents do not say how to choose a PIN; 「1234にしてもいい？」 is still that question."""
    text = "母のマイナンバーは123456789012で、暗証番号は4321だと思って入れたら3回まちがえてロックされました。どうしたらいいですか"
    assert routed_id(lexicon, text) is None and "pin_forgot" in lexicon.find(text).covered
    assert routed_id(lexicon, "暗証番号を1234にしてもいい？") == "pin_choice"


@pytest.mark.parametrize("text", ["本人が役所に行かれへん場合は？", "おかんが役場に行けんのやけど、カード作れる？",
                                  "父は足が弱って窓口に来られないのですが"])
def test_who_cannot_go_out_is_named_in_dialect_too(lexicon, text):
    """Session 31's blind trial: 「本人が役所に行かれへん場合は？」 named no concept (who the person is)."""
    assert "cannot_go_out" in lexicon.find(text).covered


def test_the_iphone_route_keeps_the_letters_plan_for_insurance_use_as_a_plan(lexicon):
    """Session 32's blind trial: 「iPhoneに…入れて、カードを持ち歩かずに病院で使えますか？」 was told only that the 2024
    letter names Android; the same leaflet lists the smartphone certificate's insurance use as 「2024年度対応予定」 — said
    as that document's plan, not as done."""
    reply = lexicon.uncovered["iphone"].reply
    assert "「2024年度対応予定」とされていました" in reply and "Android" in reply


def test_the_proxys_proof_typed_in_kana_is_its_own_topic_not_the_cards_fee(lexicon, kb):
    """Session 33's blind trial, after the proxy pickup: 「そめいする資料ってなに？診断書とかいる？お金かかるやつ？」 got only
    「交付手数料は無料」 — 疎明 in kana was not found (its reading ソメイ is too short), so お金 decided. The proof's
    answer (入手が容易で費用がかからないもの, 75歳以上は実質不要) comes first."""
    text = "そめいする資料ってなに？診断書とかいる？お金かかるやつ？"
    unsure = ranking(("proxy_pickup_relaxation", 0.39), ("card_fee", 0.2), ("facility_manual", 0.09))
    decision = decide(text, "proxy_pickup_relaxation", unsure, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_relaxation"


def test_the_pinless_card_asked_for_in_dialect_is_the_face_auth_card(lexicon, kb):
    """Session 33's blind trial, after the PIN reset: 「んだら暗証番号いらねぇカードさ切り替えられんのすか」 got the reset
    again (pin_forgot 0.36 over face_auth_card_apply 0.26; no concept read 「暗証番号いらねぇ」)."""
    text = "んだら暗証番号いらねぇカードさ切り替えられんのすか"
    assert "face_auth_card" in lexicon.find(text).covered
    unsure = ranking(("pin_forgot", 0.36), ("face_auth_card_apply", 0.26), ("face_auth_card_about", 0.09))
    decision = decide(text, "pin_forgot", unsure, lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "face_auth_card_apply"


@pytest.mark.parametrize("text, covered, uncovered", [
    # 健康保険証 (the マイナ保険証's concept) was found first and hid 「保険証に有効期限」: routed as the card's validity
    ("健康保険証には有効期限がありますか", "hokensho_end", None),
    ("銀行口座とマイナンバーを紐付けるのは何のためですか", "bank_account_linked", None),   # not the insurance registration's 紐付け
    ("カードの安全性はどうなんでしょう", "card_safety", None),
    ("来月よその市に転出するんですが、カードの申請はしてもいいですか", None, "address_name_change"),
    ("退職したんですけど、資格確認書は返さないといけませんか", None, "after_leaving_job"),
    ("保育園に保険証のコピーを出していましたが、マイナ保険証だとどうするの", None, "insurance_for_school"),
])
def test_part_s_dev_topics_are_named(lexicon, text, covered, uncovered):
    """Session 34, the dev side of part s (fresh real questions): each topic named, in words of our own."""
    found = lexicon.find(text)
    if covered:
        assert covered in found.covered
    assert (uncovered in found.uncovered) if uncovered else not found.uncovered


def test_a_list_of_insurer_changes_is_no_job_left(lexicon):
    """「就職、退職、転職などで保険者が変わるとき」 lists changes of insurer (the 加入の届出 is documented): not routed as
    what to do after leaving a job."""
    assert "after_leaving_job" not in lexicon.find("就職、退職、転職などで保険者が変わるとき、手続きはいりますか").uncovered


def test_terms_with_okurigana_are_found_written_in_kana_with_spaces(lexicon):
    """Session 35's blind trial: 「すまほを もっていません。ほかの ほうほうは ありますか」 after the registration's ways got the
    smartphone certificate — 「スマホを持っていません」 (who the person is) was not found. A reading ending inside a word is
    not a term's: 「カードを持っていない日」 is not in 「かーどを もっていない ひとは？」."""
    assert "device_not_had" in lexicon.find("すまほを もっていません。ほかの ほうほうは ありますか").covered
    assert "card_forgotten" not in lexicon.find("マイナンバーカードをもっていないひとは?").uncovered


@pytest.mark.parametrize("text, number", [("①について、市との打合せでは？", 1), ("2番目の質問ですが、費用は？", 2),
                                          ("三つ目について", 3), ("それについて", None), ("1月に申請した", None)])
def test_a_follow_up_names_a_numbered_part_by_its_mark(text, number):
    from bot.shared.conversation import referred_part
    assert referred_part(text) == number


def test_a_parts_number_is_its_mark():
    from bot.shared.fit import part_number
    assert [part_number(p) for p in ("①市に…", "2. 住民票が…", "③認知症で…", "住民票が…")] == [1, 2, 3, None]


def test_a_receptionists_polite_without_a_card_names_those_without_one(lexicon):
    """Session 37's blind trial (a hospital's 医事課): 「患者様がマイナンバーカードをお持ちでない場合、何をご提示いただければ
    よろしいでしょうか。」 got 「もしかして」 (no_card_shikaku 0.19): 「お持ちでない」 names those without a card. Waiting for a
    reissued card is learnt by the classifier (new examples), not named as a concept: 再発行までの間 as a concept outweighed a
    lost card's steps in a message asking both (test_guides); how long a reissue takes stays uncovered."""
    polite = "承知いたしました。患者様がマイナンバーカードをお持ちでない場合、何をご提示いただければよろしいでしょうか。"
    assert "no_card" in lexicon.find(polite).covered
    assert not lexicon.find("再発行されるまでの間、病院いくときはどうしたら").uncovered
    assert lexicon.find("再発行 期間 どれくらい").uncovered == ["reissue_time"]


@pytest.mark.parametrize("text", ["しゃしん は どうすれば いいですか。しゃしんや に いけません",
                                  "写真撮りに行かれへんのやけど、どないしたらええ？"])
def test_a_photo_that_cannot_be_taken_out_gets_the_ways_without_going_out(lexicon, kb, text):
    """Session 37's blind trial (a 92-year-old, in kana): 「しゃしんや に いけません」 got the photo exceptions (無帽・正面・
    無背景), not how to get the photo at home — the outreach's 撮影サービス, the 申請サポート, staff or supporters."""
    decision = decide(text, "photo_exception", ranking(("photo_exception", 0.55), ("photo_at_home", 0.3)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "photo_at_home"


def test_a_photo_taken_at_home_asks_the_photo_rules_not_the_ways_without_going_out(lexicon, kb):
    """Taking the photo at home (「家で撮ろうと思います」) asks how to take it: the photo rules, not the ways without
    going out; a bedridden person's photo stays the photo exceptions."""
    for text, intent in [("母の申請写真を家で撮ろうと思います。どんな写真なら通りますか", "photo_requirements"),
                         ("寝たきりの人の写真は?", "photo_exception")]:
        decision = decide(text, intent, ranking((intent, 0.7), ("photo_at_home", 0.2)), lexicon, set(kb.intents))
        assert decision.intents[0] == intent


def test_collecting_for_one_who_cannot_go_to_the_office_names_the_proxy(lexicon, kb):
    """Session 37's blind trial: 「子どもが車いすで写真に…大丈夫？あと中学生の子もいて本人が役所に行けないんだけど受け取りは？」
    answered the photo exceptions only — the collecting (「受け取りは？」 for one who cannot go) is the proxy's question."""
    text = "子どもが車いすで写真に車いすが写っちゃうけど大丈夫？あと中学生の子もいて本人が役所に行けないんだけど受け取りは？"
    assert "proxy_pickup" in lexicon.find(text).covered
    decision = decide(text, "photo_exception", ranking(("photo_exception", 0.8), ("proxy_pickup_eligibility", 0.1)),
                      lexicon, set(kb.intents))
    assert decision.intents == ["photo_exception", "proxy_pickup_eligibility"]


def test_only_a_health_insurance_card_as_identity_is_the_identity_documents_question(lexicon):
    """Session 37's blind trial, after the outreach: 「本人確認書類がほとんどない人もいて、保険証くらいしかないんです」 got the
    資格確認書 — which documents prove identity is not in the sources (routed; the reply says what an outreach does when
    they are missing)."""
    found = lexicon.find("本人確認書類がほとんどない人もいて、保険証くらいしかないんです")
    assert found.uncovered == ["id_documents"]
    assert "出張申請サポート" in lexicon.uncovered["id_documents"].reply


def test_putting_the_card_on_the_reader_in_spaced_kana_names_the_visit(lexicon):
    """Session 37's trial in やさしい日本語: 「…びょういん で つかうとき、わたし が カード を きかい に おいて いい ですか」 was
    declined — helping at the reader (家族や職員がカードを置く) is the clinic visit's answer."""
    text = "りようしゃさん の マイナカード、びょういん で つかうとき、わたし が カード を きかい に おいて いい ですか"
    assert "hoken_visit" in lexicon.find(text).covered


@pytest.mark.parametrize("text, concept", [
    # session 38's blind trial: each was answered from another topic or only offered 「もしかして」
    ("暗証番号も本人が覚えてなくて。スタッフが番号を聞いて代わりに打つのはアリ？", "pin_kept_by_other"),
    ("来庁が難しいことの証明って、診断書みたいなお金がかかるものが必要ですか", "proxy_pickup"),
    ("そういや施設に市の人が来て申請受け付けるいう話もあったけど、本人の意思がはっきりせんでも作れるん？", "outreach"),
    ("できたカードは わたしが代わりにとりにいけますか わたしも足がわるいんですけど", "proxy_pickup"),
    ("病気で手が動かない父の申請書の署名はどうすればいいですか", "signature"),
])
def test_session_38_trial_questions_name_what_they_ask(lexicon, text, concept):
    assert concept in lexicon.find(text).covered


def test_collecting_for_someone_in_kana_is_not_taking_a_photo(lexicon):
    """「わたしが代わりにとりにいけますか」 collects the card: not the photo without going out (「とりに」 alone names no
    photo)."""
    assert "photo_without_going_out" not in lexicon.find("できたカードは わたしが代わりにとりにいけますか").covered


def test_no_identity_document_at_all_is_the_identity_documents_question(lexicon):
    """Session 38's blind trial: 「本人確認書類が何もない人もいるんだけど…」 got what the card is used for."""
    assert lexicon.find("本人確認書類が何もない人もいるんだけど…").uncovered == ["id_documents"]


def test_a_staff_member_keying_in_the_pin_is_the_pin_sharing_question(lexicon, kb):
    """Session 38's blind trial: someone else entering a PIN the person forgot got the reset; that staff learn the PIN is
    pin_sharing's question (法定代理人以外に知らせない)."""
    text = "暗証番号も本人が覚えてなくて。スタッフが番号を聞いて代わりに打つのはアリ？"
    decision = decide(text, "pin_forgot", ranking(("pin_forgot", 0.69), ("pin_sharing", 0.28)), lexicon, set(kb.intents))
    assert decision.intents[0] == "pin_sharing"


def test_neither_face_nor_pin_at_the_reader_is_the_visit_not_the_face_auth_card(lexicon, kb):
    """Session 38's blind trial (ALS): 「カードを受け取ったあと、病院で使うとき暗証番号も顔認証も無理そうです。どうなりますか？」
    (face_auth_card_hoken 0.78) got 「もしかして」 — the visit's answer says the counter checks the face by eye (目視)."""
    text = "カードを受け取ったあと、病院で使うとき暗証番号も顔認証も無理そうです。どうなりますか？"
    decision = decide(text, "face_auth_card_hoken", ranking(("face_auth_card_hoken", 0.78), ("face_auth_card_services", 0.06),
                                                            ("hoken_visit", 0.06)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "hoken_visit"


def test_sunglasses_worn_every_day_are_the_photo_exception(lexicon, kb):
    """Session 39's blind trial (a blind user): 「いつもサングラスをかけているのですが、申請の写真はそのままでもいいですか」
    got the photo rules (サングラス an NG example); worn daily for a disability, the exception allows it (manual p.27).
    Sunglasses alone stay the rules."""
    ranked = ranking(("photo_requirements", 0.7), ("photo_exception", 0.2))
    daily = decide("いつもサングラスをかけているのですが、申請の写真はそのままでもいいですか", "photo_requirements", ranked,
                   lexicon, set(kb.intents))
    assert daily.kind == "answer" and daily.intents[0] == "photo_exception"
    plain = decide("サングラスをかけた写真は使えますか", "photo_requirements", ranked, lexicon, set(kb.intents))
    assert plain.intents[0] == "photo_requirements"


def test_an_old_insurance_card_still_held_asks_when_it_ended(lexicon, kb):
    """Session 39's blind trial (a Nagoya family): 「おかあさん古い保険証まだ持っとるんだけど、あれまだ使えるんかね？」 got the
    card's registration (0.90); the old 保険証 was usable until 2025-12-01 at the latest (hokensho_end)."""
    decision = decide("ほんでよ、おかあさん古い保険証まだ持っとるんだけど、あれまだ使えるんかね？", "hoken_registration",
                      ranking(("hoken_registration", 0.9), ("hokensho_end", 0.05)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "hokensho_end"


def test_a_gaze_that_cannot_be_held_is_the_photo_exception(lexicon, kb):
    """Session 39's blind trial (a nurse at a facility for severe disabilities): 「目が半開きで視線も合わないのですが、それも
    大丈夫でしょうか」 was read as the visually impaired's help (0.43) and got 「もしかして」; the photo exception names
    「視線が定まらない」 (manual p.27)."""
    decision = decide("あと、その方は目が半開きで視線も合わないのですが、それも大丈夫でしょうか", "visual_impairment",
                      ranking(("visual_impairment", 0.43), ("photo_exception", 0.12), ("affirm", 0.11), ("out_of_scope", 0.07)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "photo_exception"


def test_the_paper_card_abolished_is_not_a_lost_card(lexicon):
    """Session 40's blind trial: 「保険証の紙がなくなったら…」 (abolished) got the lost-card steps."""
    assert "lost" not in lexicon.find("保険証の紙がなくなったら病院に行けないのでは").covered


def test_the_my_number_on_the_handwritten_form_is_said_before_the_decline(lexicon, kb):
    """Session 40's blind trial (a parent): 「申請書に個人番号を書く欄がありますよね。…そのまま書けばいいですか？」 was told
    the documents do not say; the leaflet (004, line 367) says the handwritten form needs it."""
    reply = lexicon.uncovered["mynumber_on_forms"].reply
    assert "手書き用の交付申請書には、顔写真の貼付とマイナンバーの記入が必要です" in reply
    assert "手書き用の交付申請書には、顔写真の貼付とマイナンバーの記入が必要です" in source_text(kb.documents["policy_2019"])


def test_a_photo_taken_by_the_family_asks_the_photo_rules(lexicon, kb):
    """Session 40's blind trial: 「じいちゃんの写真って俺のスマホで撮ったやつでいいの？」 (photo_exception 0.78) got the exception's
    online steps; whether the family's photo will do is the photo rules (a smartphone will do for an online application)."""
    decision = decide("てかさっきエラーで聞けなかったけど、じいちゃんの写真って俺のスマホで撮ったやつでいいの？", "photo_exception",
                      ranking(("photo_exception", 0.78), ("photo_requirements", 0.08), ("out_of_scope", 0.05)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "photo_requirements"


@pytest.mark.parametrize("text, intent, rank, answer", [
    # session 41's blind trial (b41): a card missing from the safe at 2 a.m. (「もしかして」: the free dial likeliest, lost outranks it)
    ("夜勤中です。入居者さんのマイナンバーカードが金庫にない！今夜中にどこかに連絡したほうがいい？夜中2時だけど電話つながる？",
     "nlu_fallback", (("nlu_fallback", 0.35), ("free_dial", 0.27), ("out_of_scope", 0.26), ("lost_card", 0.18)), "lost_card"),
    # a switch in kana, with the card held (「もしかして」)
    ("ばんごういらないカードにしたい。もうカードもってる。つまに役所いってもらえる？", "how_to_get_card",
     (("how_to_get_card", 0.40), ("no_card_shikaku", 0.11), ("out_of_scope", 0.07), ("face_auth_card_apply", 0.07)),
     "face_auth_card_apply"),
    # a volunteer typing a blind person's PIN (the reader's steps at 0.92)
    ("暗証番号の設定のときも本人は画面が見えないので 付き添いのボランティアが番号を聞いて代わりに入力してあげてもいいのでしょうか",
     "hoken_visit", (("hoken_visit", 0.92), ("pin_sharing", 0.05)), "pin_sharing"),
    # whether the person wants the card (the PIN's 介助者 at 0.95)
    ("重度の知的障害がある利用者さんで、言葉でのやりとりが難しい方のカード申請を考えています。本人の意思確認ってどこまでやればいいんですかね？",
     "intellectual_disability", (("intellectual_disability", 0.95), ("no_card_shikaku", 0.02)), "no_card_shikaku"),
    # placing the card on the reader for someone (「もしかして」, no_card_shikaku 0.80)
    ("おばあさん は 手 が ふるえる。わたし が カード を きかい に おいて いい ですか？", "no_card_shikaku",
     (("no_card_shikaku", 0.80), ("card_management", 0.04), ("out_of_scope", 0.03)), "hoken_visit"),
    # a 顔認証 card shown at a clinic's reception (the reader's 「4桁の暗証番号」)
    ("カードの右下に「顔認証」と書いてある患者さんが来ました。この方の受付で気をつけることはありますか。", "face_auth_card_hoken",
     (("face_auth_card_hoken", 0.44), ("face_auth_card_about", 0.31)), "face_auth_card_about"),
    # no マイナ保険証 (「もしかして」: the concepts named the visit only)
    ("利用者さんでマイナ保険証ない人、受診どうなる？", "no_card_shikaku", (("no_card_shikaku", 0.85), ("hoken_visit", 0.06)),
     "no_card_shikaku"),
])
def test_session_41_trial_questions_get_their_answer(lexicon, kb, text, intent, rank, answer):
    decision = decide(text, intent, ranking(*rank), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == answer


@pytest.mark.parametrize("text, rank, answer", [
    # the wife keeping her husband's PIN, in kana, as the NLU reads it (「もしかして」: out_of_scope 0.23)
    ("番号のきめかたではなくて、つまのわたしが夫の番号をしっていてもいいのかしりたいです",
     (("pin_sharing", 0.41), ("out_of_scope", 0.23), ("mynumber_leak", 0.19)), "pin_sharing"),
    # whether he wants the card (「もしかして」: out_of_scope 0.23 above the 資格確認書's 0.11)
    ("夫は自分で「作りたい」とはっきりいえないのですが、それでも申し込めますか",
     (("nlu_fallback", 0.35), ("out_of_scope", 0.23), ("no_card_shikaku", 0.11), ("card_uses", 0.09)), "no_card_shikaku"),
])
def test_a_pinned_topic_the_classifier_ranks_first_is_not_doubted(lexicon, kb, text, rank, answer):
    """Session 41's trial: a concept that `outranks` (a kind of question its terms name together) whose main topic the
    classifier ranks first is answered although out_of_scope is above OOS_DOUBT."""
    decision = decide(text, rank[0][0], ranking(*rank), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == answer and not decision.doubtful


@pytest.mark.parametrize("text, rank, answer", [
    # the 通知カード missing when applying (the 資格確認書 at 0.65): the 通知カード紛失届
    ("これから申請する方の中に、通知カードがどこにあるかわからない方が何人かいます。通知カードがないと申請できないのでしょうか。",
     (("no_card_shikaku", 0.65), ("apply_methods", 0.19), ("out_of_scope", 0.06)), "lost_card"),
    # a wife collecting her husband's card, in やさしい日本語 (「もしかして」)
    ("夫は 日本人、82さい、病院に 入院 しています。夫の カード、わたしが 代わりに もらえますか？",
     (("proxy_pickup_eligibility", 0.43), ("out_of_scope", 0.19), ("no_card_shikaku", 0.16)), "proxy_pickup_eligibility"),
    # a day service holding the card of someone who loses things, 預かる in kana (「もしかして」)
    ("さいごに、カードをなくしそうな利用者さんがいるので、事業所であずかっておくのはダメですか？通所の事業所なんですけど。",
     (("card_management", 0.65), ("out_of_scope", 0.11), ("lost_card", 0.04)), "card_management"),
    # a substitute is no proxy
    ("保険証の代わりにもらえる書類はありますか", (("shikaku_kakuninsho", 0.65), ("out_of_scope", 0.05)), "shikaku_kakuninsho"),
])
def test_session_42_trial_questions_get_their_answer(lexicon, kb, text, rank, answer):
    decision = decide(text, rank[0][0], ranking(*rank), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == answer


def test_collecting_for_someone_who_cannot_go_in_plain_words_names_the_proxy(lexicon):
    """Session 42's trial in やさしい日本語: 「夫は 入院中で 市役所に 行けません。妻の わたしが…うけとる こと できますか？」."""
    assert "proxy_pickup" in lexicon.find("夫は 入院中で 市役所に 行けません。妻の わたしが 市役所で 夫の マイナンバーカードを"
                                          " うけとる こと できますか？").covered


def test_session_41_trial_uncovered_and_not(lexicon):
    """A sign-language interpreter at the counter is in no document (was: the FAX answer); the FAX's hours asked with 土日
    are not the card's pickup (was: 受け取りの場所・日時) but the FAX's own hours and days, which the manual does not give
    (session 50); the wife knowing her husband's PIN, in kana, is the PIN's sharing."""
    assert routed_id(lexicon, "母が役所の窓口でカードを受け取るとき、手話通訳をつけてもらうことはできますか？") == "sign_language"
    assert routed_id(lexicon, "普通の質問のFAXは、夜や土日に送っても受け付けてもらえますか？返事はどのくらいで来るのでしょう。") == "fax_reply_time"
    assert "pin_kept_by_other" in lexicon.find("つまの わたしが おっとの ばんごうを しっていても いいのか しりたいです").covered


@pytest.mark.parametrize("text, rank, answer", [
    # the old paper 保険証 expired while the card is being made (was: the card's validity declined)
    ("最後に、カードができるまでの間、夫の受診はどうなりますか？前の保険証はもう期限が切れています。",
     (("hokensho_end", 0.91), ("no_card_shikaku", 0.04), ("out_of_scope", 0.03)), "hokensho_end"),
    # sealing for a man who cannot (ALS), with the hand laid on his (「もしかして」)
    ("押印も、夫は自分ではできません。手を添えて私が押すのでも大丈夫ですか？意思はまばたきで確認できます。",
     (("no_card_shikaku", 0.4), ("signature_help", 0.24), ("hoken_visit", 0.24), ("out_of_scope", 0.07)), "signature_help"),
    # a child's 顔認証 card: for anyone who wishes (was: declined as a child's own application)
    ("暗証番号のいらない顔認証のカードって、子どもでも申し込めるんですか？それにした場合、できなくなることは何ですか？",
     (("face_auth_card_apply", 0.52), ("face_auth_card_services", 0.35), ("face_auth_card_about", 0.1)), "face_auth_card_services"),
])
def test_session_42_trial_leftovers_get_their_answer(lexicon, kb, text, rank, answer):
    """Session 42's blind trial (b42), the turns left after that session: c10-T6, c10-T2, c11-T6."""
    decision = decide(text, rank[0][0], ranking(*rank), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == answer


def test_session_42_trial_leftovers_not_in_the_documents(lexicon):
    """b42's c15-T6 (限度額 with a 資格確認書: got how to obtain one) and c16-T3 (may a hygienist phone to stop a deaf
    patient's card: got the loss steps again) are in no document."""
    assert routed_id(lexicon, "母がマイナンバーカードではなく資格確認書を使う場合、高額療養費の限度額はどうなりますか？") \
        == "gendogaku_with_shikaku"
    assert routed_id(lexicon, "FAXがご自宅にないそうです。私が患者さんの横から代わりに電話して止めてもらうことはできますか？") \
        == "stop_call_by_another"
    assert routed_id(lexicon, "カードをなくしました。電話で止めるにはどこにかければいいですか") is None
    # the old paper 保険証 named as 手元の… (session 43's trial: 「手元の保険証は今年の春に期限が切れています」) is not the card's validity
    assert routed_id(lexicon, "カードができるまでの受診は、どうすればよいでしょうか。手元の保険証は今年の春に期限が切れています。") is None
    assert "hokensho_end" in lexicon.find("12月2日を過ぎても手元の保険証で受診できる？").covered


@pytest.mark.parametrize("text, ranked, kind, first", [
    # a clinic's own reader trouble and complaints: the refusal's answer (report it), not a complaint about the system
    ("ちなみにうちの院長がカードリーダーの調子悪いから当分は保険証かコピーで対応って言ってて…患者さんから苦情が来たらどこに"
     "言われちゃうんですかね😓", (("hospital_refused", 0.96), ("card_safety", 0.01)), "answer", "hospital_refused"),
    # the mark of a clinic that takes the card: the visit, not the merits
    ("最後に、マイナ保険証使えますよーって患者さんに分かるような目印とかポスターってあるんでしたっけ？",
     (("hoken_merit", 0.68), ("hoken_registration", 0.23), ("hoken_visit", 0.03)), "answer", "hoken_visit"),
    # a card lost abroad: the 国外利用 answer with its number, not the list of contacts
    ("念のため、シンガポールで自分のカードを紛失した場合、0120のフリーダイヤルは海外からかからないと思うのですが、どこに連絡"
     "すればよいですか？", (("contact_municipality", 0.9), ("overseas_use", 0.03)), "answer", "overseas_use"),
    # a template asked for again: routed
    ("預かり証のテンプレはないってことですかね？💦", (("nlu_fallback", 0.35), ("out_of_scope", 0.25)), "route", None),
    # someone else taking the 本人限定受取郵便: not in the documents
    ("そしたらカードは本人限定受取郵便で届くんよね？父は玄関まで出られんのじゃけど、郵便屋さんから娘の私が受け取ってもええん？",
     (("outreach_home", 0.69), ("card_delivery_time", 0.28)), "route", None),
    # the outreach's list of applicants and what it brings: not the card's merits
    ("OK。当日、こっちで準備しなきゃいけない物ってある？カメラとかプリンターとかうちには無いんだけど。あと事前に名簿出すメリット"
     "って何？", (("nlu_fallback", 0.35), ("hoken_visit", 0.32), ("hoken_merit", 0.32)), None, None),
])
def test_session_44_trial_questions_are_placed_by_their_concepts(lexicon, kb, text, ranked, kind, first):
    """Session 44's blind trial: each got another topic's answer, a decline or a repeat."""
    decision = decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    assert kind is None or decision.kind == kind
    assert (first is None or decision.intents[0] == first) and "hoken_merit" not in decision.intents[:1]


def test_session_44_trial_parts_of_a_message_are_each_answered_or_routed(lexicon, kb):
    """Session 44's blind trial: parts of messages asking two things were dropped without a word."""
    intents = set(kb.intents)
    # an uncovered topic in a sentence that starts no 「あと」: routed, after the answer asked first
    text = "顔認証のカードってのにしたら、何ができなくなるんですか？利用者さん、障害年金とかの手続きでなんか使うことあるのかしら"
    decision = decide(text, "face_auth_card_services", ranking(("face_auth_card_services", 0.98)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "pension_tax_other"
    assert decision.intents == ["face_auth_card_services"] and decision.answer_first
    messages = decision_messages(kb, decision, {})
    assert messages[0]["custom"]["answer_id"] == "face_auth_card_services" and messages[1]["custom"]["fallback"]
    # the first question after what the person tells, beside the routed one, when the classifier sees its topic too
    text = "スマホで申請してみます。お金はかかりますか？あと申請してから役所に受け取りに行けるようになるまで、だいたいどのくらいかかりますか？"
    ranked = (("card_delivery_time", 0.40), ("out_of_scope", 0.25), ("card_fee", 0.21))
    decision = decide(text, "card_delivery_time", ranking(*ranked), lexicon, intents)
    assert decision.route.id == "issue_duration" and decision.intents == ["card_fee"] and decision.answer_first
    # the relay service beside the FAX
    text = ("聴覚に障害のある方向けの問い合わせ手段はございますか。また、電話リレーサービスを使ってフリーダイヤルに問い合わせることは"
            "可能でしょうか。")
    decision = decide(text, "fax_inquiry", ranking(("fax_inquiry", 0.92)), lexicon, intents)
    assert decision.route.id == "phone_relay" and decision.intents == ["fax_inquiry"] and decision.answer_first
    # 夜中 asks of the phone, 交番 of the police: no deadline of the police report; the reissue fee is routed
    text = "でんわは夜中でもいいのかい？ けいさつってのは交番でいいんだな それと再発行ってのは銭こかかるのかい いくらだ"
    assert lexicon.blocking(lexicon.find(text)).id == "reissue_fee"
    assert lexicon.blocking(lexicon.find("警察への届出は明日でもいいですか")).id == "police_report_timing"
    # someone gone is no card lost
    assert lexicon.find("私がいなくなった後、施設に預けても大丈夫でしょうか。").covered == ["management"]
    assert "lost" in lexicon.find("カードがなくなった").covered
    # who may help set the PIN: the sharing answer's line
    assert "pin_setting_help" in lexicon.find("暗証番号は4桁でしたっけ？設定は私たちが手伝っても問題ないですか。").covered


def test_session_44_trial_the_pin_on_the_card_the_face_auth_card_at_the_convenience_store(lexicon, kb):
    """Session 44's blind trial: the PIN written on the card (「もしかして」), the 顔認証 card at the コンビニ (routed as the
    コンビニ交付), the free dial's hours asked in やさしい日本語 (declined)."""
    intents = set(kb.intents)
    text = "カードに ばんごうを かいた かみを いっしょに いれて おくのは だめですか"
    assert "pin_with_card" in lexicon.find(text).covered
    assert "pin_with_card" not in lexicon.find("カードに書いてある番号を職員が控えてもいい？").covered
    decision = decide("暗証番号をカードの裏に書いておいてもいい？", "pin_forgot",
                      ranking(("pin_forgot", 0.6), ("pin_sharing", 0.3)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "pin_sharing"
    reply = decision_messages(kb, decision, {"topic": ["pin_with_card"]})
    assert reply[0]["custom"]["answer_id"] == "pin_sharing_with_card" and "別で管理" in reply[0]["text"].splitlines()[0]
    text = ("数字を入力しなくても病院で使えるカードがあると伺いましたが、そのカードではコンビニで住民票を取ることもできますか。")
    decision = decide(text, "card_uses", ranking(("card_uses", 0.42), ("face_auth_card_services", 0.05)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "face_auth_card_services"
    text = ("いっそ暗証番号のないカードに変えたいです。でも変えたらコンビニで住民票取れなくなりますよね？役所に行くついでにロックの解除と"
            "切り替え、同じ日に両方できますか？")
    assert lexicon.blocking(lexicon.find(text)) is None
    assert lexicon.blocking(lexicon.find("コンビニで暗証番号のロック解除はできますか")).id == "pin_reset_convenience"
    assert "hours" in lexicon.find("じかん は？ 土よう日 でんわ できる？").covered


def test_session_44_trial_the_pin_known_by_helpers_the_green_paper_and_the_letter_of_attorney(lexicon, kb):
    """Session 44's blind trial: helping set the PIN got the マイナンバー's leak; the lost 「緑色の番号の紙」 (the 通知カード) got a
    line of the answer before; 「委任状でいいのか」 after the proxy's documents got them again."""
    decision = decide("設定を私たちSTが横で手伝うのはOK？それとも番号を知っちゃうとまずい？", "nlu_fallback",
                      ranking(("nlu_fallback", 0.35), ("pin_sharing", 0.26), ("mynumber_leak", 0.18)), lexicon, set(kb.intents))
    assert decision.intents and decision.intents[0] == "pin_sharing" and "mynumber_leak" not in decision.intents
    text = "あとな 財布にゃ昔の緑色の番号の紙も入ってたんだ あれもなくしちまった 再発行んときなんか困るか"
    assert lexicon.blocking(lexicon.find(text)).id == "notification_card"
    text = "んで、その代理権の書類ってのは委任状でいいのかどうかって聞いてるんだわ"
    assert lexicon.blocking(lexicon.find(text)).id == "proxy_authority_document"
    assert lexicon.blocking(lexicon.find("代理人が顔認証への切替えに行くとき委任状でいいですか")) is None


def test_session_45_trial_dialects_and_the_card_abroad(lexicon, kb):
    """Session 45's blind trial: the card's validity asked in 金沢弁 got the paper 保険証's end; 「施設さ預げで」 (東北) and 「使えんと
    です」 (宮崎) got 「もしかして」; a move to 国保 was routed as the 扶養; 「ネパールに帰ったあとも使えますか」 got the card's uses."""
    text = "わしのカードちゃ、いつまで使えるがけ？有効期限って何年ながか、切れたらまた役所まで行かんならんがけ？"
    assert lexicon.blocking(lexicon.find(text)).id in ("validity_renewal", "card_validity_years")   # the same reply
    assert "hokensho_end" in lexicon.find("今の保険証はいつまで使えるの？").covered
    assert lexicon.find("旦那のカードは施設さ預げでおいでもいいもんだべが？").covered == ["card_kept_by_facility", "management"]
    assert "refused" in lexicon.find("ある診療所で『うちはマイナンバーカードは使えんとです』ち言われた").covered
    text = "扶養に入っていて、これから自分で国民健康保険に入る予定なんですが、一度登録したカードはそのまま使えますか？"
    assert lexicon.blocking(lexicon.find(text)) is None and "moving_with_the_card" in lexicon.find(text).covered
    assert lexicon.find("3年後ネパールに帰るかもしれません。帰ったあとも、マイナンバーカードは使えますか？").covered == ["overseas"]
    assert "pin_with_card" in lexicon.find("暗証番号、カードのケースさ書いでおいでもいいもんだべが？").covered
    overseas = kb.by_id["overseas_use"].answer
    assert "日本国籍の方" in overseas and "外国籍の方の出国後の扱いは資料にありません" in overseas


def test_session_45_trial_the_reader_the_pin_asked_and_two_towns(lexicon, kb):
    """Session 45's blind trial, left after it: 津軽弁's 「カード無ぇ」 (no card) got the registration's steps; 「顔のやつど暗証
    番号のやつど」 (the reader's two ways) got the 顔認証 card first; 「暗証番号聞いて俺が押してやる」 got the reader's steps;
    the 住所地 and the hospital in two towns got the outreach's steps; 「委任状のことどすか」 got a line of the documents."""
    intents = set(kb.intents)
    assert "no_card" in lexicon.find("カード無ぇば病院さかがれねぐなるんだべが？").covered
    assert "no_card" in lexicon.find("マイナンバーカードば作ってねぇのさ").covered
    text = "機械のどごで顔のやつど暗証番号のやつどあるって聞いだども、どうやればいいもんだべ？"
    decision = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("face_auth_card_about", 0.26), ("hoken_visit", 0.22)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "hoken_visit"
    assert "reader_methods" not in lexicon.find("顔認証マイナンバーカードの申請方法は？").covered
    text = "顔認証がうまくいかん時に、お客さんから暗証番号聞いて俺が押してやるのはいかんとやろか？"
    decision = decide(text, "hoken_visit", ranking(("hoken_visit", 0.64), ("face_auth_card_about", 0.14)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "pin_sharing"
    text = "おどさの住所は板柳町で、入院してる病院は弘前だのさ。病院さ役場の人来て申請受げでけるもんだべが？"
    decision = decide(text, "no_card_shikaku", ranking(("no_card_shikaku", 0.45), ("outreach_facility", 0.41)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "other_municipality"
    text = "その「代理人の代理権を証明する書類」いうのは、委任状のことどすか？"
    assert lexicon.blocking(lexicon.find(text)).id == "proxy_authority_document"
    text = "窓口で「代理権を証明する書類」を持ってくるように言われました。委任状のことだと思うのですが、ほかの持ち物と合わせて確認したいです。"
    assert lexicon.blocking(lexicon.find(text)) is None


def test_the_registration_by_smartphone_is_its_own_answer_unless_the_person_has_none(lexicon, kb):
    """「マイナ保険証の登録ってスマホでできる？」 (session 45's trial) got the three ways without what the phone needs; a person
    who has no smartphone gets the three ways."""
    decision = decide("ばあちゃんのマイナ保険証の登録ってスマホでできる？", "hoken_registration",
                      ranking(("hoken_registration", 0.76), ("smartphone_certificate", 0.13)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "hoken_registration"
    reply = decision_messages(kb, decision, {"route": ["online"]})
    assert reply[0]["custom"]["answer_id"] == "hoken_registration_online" and "4桁" in reply[0]["text"]
    message = {"text": "父はスマホを持っておらず、利用登録はどこでできますか", "entities": [
        {"entity": "route", "value": "online", "start": 2, "end": 5}]}
    assert "route" not in meant_entities(message)


def test_session_45_trial_the_face_auth_card_in_hiragana_and_at_the_hospital(lexicon, kb):
    """Session 45's blind trial, a reader of hiragana: 「かおにんしょうマイナンバーカード　は　なにが　できますか。なにが
    できませんか。」 got its services and any card's uses (コンビニ交付, e-Tax); the card without a PIN at the hospital is
    its 保険証 answer, which says first that it is one."""
    intents = set(kb.intents)
    text = "かおにんしょうマイナンバーカード　は　なにが　できますか。なにが　できませんか。"
    decision = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("face_auth_card_services", 0.33),
                                                    ("face_auth_card_about", 0.2), ("card_uses", 0.19)), lexicon, intents)
    assert decision.intents == ["face_auth_card_services"]
    text = "暗証番号のいらないカードで病院に行けますか"
    decision = decide(text, "hoken_visit", ranking(("hoken_visit", 0.5), ("face_auth_card_about", 0.3)), lexicon, intents)
    assert decision.intents[0] == "face_auth_card_hoken"
    assert "健康保険証として使えます" in kb.by_id["face_auth_card_hoken"].answer.splitlines()[0]


def test_session_45_trial_whether_a_photo_is_one_of_the_exceptions(lexicon, kb):
    """Session 45's blind trial (an OT): 「結局このケースの斜めの写真は認められる例に入るの？」 after the exception's online steps
    got the photo rules (避けるもの：横向き): whether a case is one of the examples is the exception's answer."""
    text = "手順は分かった。で、結局このケースの斜めの写真は認められる例に入るの？入らないの？"
    decision = decide(text, "photo_requirements", ranking(("photo_requirements", 0.38), ("photo_exception", 0.13)),
                      lexicon, set(kb.intents))
    assert decision.intents[0] == "photo_exception"
    assert "face_not_straight" in lexicon.find("脳性麻痺で首が正面に向けられない利用者さん、申請写真が斜めになりますがOK？").covered


def test_session_45_trial_where_the_card_is_collected(lexicon, kb):
    """Session 45's blind trial (a 町内会長): 「スマホや郵便で申請した場合、カードは役所まで取りに行かないといけませんか」 got the
    交付通知書's deadline (uncovered), and pushed back, the smartphone steps: where the card is collected is its own answer (the
    window unless the 出張申請受付, manual 第6 2.(1)); 「取りに行かないとどうなる」 stays the deadline's routing reply; whether the
    在留カード will do is the ID documents' routing reply, not the foreign residents' card."""
    intents = set(kb.intents)
    text = "スマホや郵便で申請した場合、カードは役所まで取りに行かないといけませんか"
    assert lexicon.blocking(lexicon.find(text)) is None
    decision = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("apply_methods", 0.27), ("how_to_get_card", 0.15)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["card_pickup"]
    text = "出張申請受付を使わなかった場合、カードは役所の窓口で受け取るのですか？"
    decision = decide(text, "outreach_facility", ranking(("outreach_facility", 0.47), ("card_delivery_time", 0.15)), lexicon, intents)
    assert decision.intents == ["card_pickup"]
    assert "出張申請受付以外の" in kb.by_id["card_pickup"].answer.splitlines()[0]
    assert lexicon.blocking(lexicon.find("マイナンバーカードを取りに行かないとどうなる?")).id == "pickup_deadline"
    assert lexicon.blocking(lexicon.find("カードを受け取るとき、在留カードでいいですか？")).id == "id_documents"


def test_session_48_trial_short_dialect_and_clinic_questions(lexicon, kb):
    """Session 48's blind trial (b47): an ALS patient typing by eye gaze (「いえにきて」, deny 0.63: 「承知しました」), an Okinawan
    grandchild (「孫が代理でカード受け取りできるか」, 「もしかして」 twice), やさしい日本語 (「しゃしん いる？ すまほで とっても いい？」:
    the exception's online steps), a children's home (who applies for a child under 15: the QR forms' mailing) and a dialysis
    clinic (monthly or every visit: the old 保険証's end, not in the documents)."""
    assert "outreach_at_home" in lexicon.find("いえにきて").covered and "outreach_at_home" in lexicon.find("ALS カード申請いえで").covered
    assert "proxy_pickup" in lexicon.find("孫が代理でカード受け取りできるかって聞いてるわけよ").covered
    decision = decide("写真いる？ スマホでとってもいい？", "photo_exception",
                      ranking(("photo_exception", 0.46), ("photo_requirements", 0.23)), lexicon, set(kb.intents))
    assert decision.intents[0] == "photo_requirements"
    child = ("入所している小学生（10歳）のマイナンバーカードを申請したいのですが、15歳未満の子どもの場合は誰が申請するのでしょうか。"
             "施設長が親権代行をしています。")
    assert lexicon.blocking(lexicon.find(child)).id == "child_application_by_parent"
    clinic = ("従来は月初めに一度保険証を確認しておりましたが、マイナ保険証の場合も月1回の読み取りで足りますでしょうか。"
              "それとも来院のたびに毎回カードリーダーでの確認が必要でしょうか。")
    assert lexicon.blocking(lexicon.find(clinic)).id == "visit_check_frequency"
    assert lexicon.blocking(lexicon.find("病院で毎回暗証番号を入れるの？")) is None


def test_session_49_trial_clauses_beside_a_route_and_outranking_topics(lexicon, kb):
    """Session 49's blind trial (b48): a 民生委員 (「作らんといかんのですか。出られん人はどうすりゃええんでしょうか」: the
    obligation's routing reply alone), a worried grandmother's 公金受取口座 (「…詐欺じゃないかと怖がっとるんですが、あの口座の
    登録いうのはなんですか」: the scam's reply alone), a 司法書士 (「ことは許容される」 read as 「とは」: the agent kinds' reply),
    an MSW (「再発行のカードが届くまでの間に外来受診が…」: the reissue's days), a visiting nurse's home outreach by voice input,
    a carer going for the card instead (「かわりに とりに いく」: where a card is collected), 津軽弁's マイナ免許証."""
    intents = set(kb.intents)
    obligation = ("民生委員をしとる者ですが、担当の一人暮らしのおばあさんが足が悪くて外に出られんのです。あのカード、役所で作るやつ、"
                  "作らんといかんのですか。出られん人はどうすりゃええんでしょうか")
    decision = decide(obligation, "how_to_get_card", ranking(("how_to_get_card", 0.98)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "obligation" and decision.intents == ["how_to_get_card"]
    scam = ("最後にもう一つ。おばあさんが、カードに銀行の口座をつなげえとか言う話を聞いて詐欺じゃないかと怖がっとるんですが、"
            "あの口座の登録いうのはなんですか。せんといかんもんですか")
    decision = decide(scam, "koukin_account_help", ranking(("koukin_account_help", 0.69), ("koukin_account", 0.16)), lexicon,
                      intents)
    assert decision.route.id == "scam" and decision.intents == ["koukin_account_help"]
    guardian = ("加えて、暗証番号について、法定代理人たる後見人が本人の暗証番号を把握・管理することは許容されるのでしょうか。")
    assert lexicon.blocking(lexicon.find(guardian)) is None
    assert lexicon.blocking(lexicon.find("法定代理人と任意代理人の違いは？")).id == "agent_kinds"
    interim = ("最後に、再発行のカードが届くまでの間に外来受診がありますが、その間はどうやって保険資格を確認してもらえばいいでしょう。"
               "本人は紙の保険証はもう手元にないそうです。")
    decision = decide(interim, "shikaku_kakuninsho", ranking(("shikaku_kakuninsho", 0.48), ("no_card_shikaku", 0.33)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] in ("shikaku_kakuninsho", "no_card_shikaku")
    assert lexicon.blocking(lexicon.find("再発行のカードが届くまで何日かかりますか")) is not None
    nurse = ("それで申請したあと受け取りって本人が役所行かなきゃいけないんですかね市役所の人が家に来てくれる主張申請っていうのが"
             "あるって聞いたんですけどそれって個人の家でもやってもらえるんですか")
    decision = decide(nurse, "card_pickup", ranking(("card_pickup", 0.9), ("application_support", 0.08)), lexicon, intents)
    assert decision.intents == ["outreach_home"]
    instead = "カードが できたら、お母さん 足 わるいから 役所に いけないです。わたしが かわりに とりに いくの できますか？"
    decision = decide(instead, "card_pickup", ranking(("card_pickup", 0.67), ("how_to_get_card", 0.12)), lexicon, intents)
    assert decision.intents[0] == "proxy_pickup_eligibility"
    assert lexicon.blocking(lexicon.find("近所のあんちゃが運転免許もマイナのカードさ一緒にできるって語ってらった")).id == "driving_license"
    decision = decide("夫のお母さんを マイナンバーカード 作りたいです。どうやって申請しますか？お金がかかりますか？", "card_fee",
                      ranking(("card_fee", 0.91)), lexicon, intents)
    assert decision.intents == ["card_fee"] and "apply_methods" in decision.also
    # a part that asks by its question mark alone (the split takes the mark away)
    assert asking_parts("どうしよ。悪用とかされる？") == [("どうしよ", False), ("悪用とかされる", True)]


@pytest.mark.parametrize("text, route", [
    ("カードに点字ついてますか 触って自分のカードってわかるように", "card_tactile"),   # was: the 申請書's 点字 again
    ("FAX 送る。返事 何日 かかる？ 土曜日曜 FAX 受付 してる？", "fax_reply_time"),   # was: the card's days
    ("資格確認書とは。その代理申請をする場合、入居者ご本人の委任状は必要になりますか？", "shikaku_proxy_papers"),   # in context
    ("半子もってない 代筆だけでも大丈夫", "no_seal"),   # 判子 by voice input; was: the 代筆 answer again
    ("公金受取口座の登録って、利用者さんの代わりに専門員がスマホでやってあげてもいいもんですか？", "koukin_by_another"),
    ("認知症が進んで本人の意思確認が難しい方の場合は、ご家族の同意だけで施設管理にしてしまってよいのでしょうか。",
     "consent_by_family_only"),   # was: the management answer again
    ("その止める電話ってのは、家族じゃのうてうちらスタッフがかけてもええんかね？", "stop_call_by_another"),   # was: the FAX
    ("住民票を移したら、カードに書いてある住所はどうなるんでしょう", "address_name_change"),   # was: the 出張申請
    ("縁起でもない話ですが、父ももう歳ですので、亡くなったときはマイナンバーカードはどうすればよいのでしょう。", "deceased_ahead"),
    ("亡くなった母のマイナンバーカードはどうすればいいですか", "deceased"),   # condolences for a death, not for a question ahead
])
def test_session_50_trial_routes(lexicon, text, route):
    """Session 50's blind trial (b49): card topics the documents do not answer, asked as its personas asked them."""
    assert routed_id(lexicon, text) == route


def test_session_50_trial_covered_topics(lexicon, kb):
    """Session 50's blind trial: a reception clerk's helper placing the card and pressing the consent buttons, a clinic
    reported for a broken reader (the free dial's report line, not the broken reader's route), the number the counter
    never writes down (not the PIN kept by someone else), a PIN-less card in an old man's words, the parent alone
    collecting the card."""
    intents = set(kb.intents)
    assert "placing_the_card" in lexicon.find("ヘルパーさんが代わりにカード置いて同意のボタンまで押しちゃっても大丈夫？").covered
    broken = ("この前カードリーダーが故障してて「今日はマイナ保険証使えません」って言ったら患者さんに通報するぞって怒られたんだけど、"
              "どこに通報されるんですか？")
    decision = decide(broken, "hospital_refused", ranking(("hospital_refused", 0.99)), lexicon, intents)
    assert (decision.kind, decision.intents) == ("answer", ["hospital_refused"])
    counter = "マイナンバーのメモ見せてきて「これ控えといて」って言われたんだけど、受付で番号控える必要あるの？"
    assert asked_topics(lexicon.find(counter).covered, lexicon)[0] == "number_at_the_counter"
    assert "face_auth_card" in lexicon.find("その暗証なんとやらを決めんでも作れると聞いたが、まことですかな").covered
    assert "proxy_pickup" in lexicon.find("受け取りは親だけで行ってもいい？").covered
    at_home = "息子のほうは人に会うのをひどく嫌がりますので、家で私がスマホで写真を撮って申請してもかまいませんか。"
    assert "photo_taken_by_family" in lexicon.find(at_home).covered   # was: the 申請サポート alone


@pytest.mark.parametrize("text, route", [
    ("あと新しく入った利用者、前の市から住所うつしたんだけどマイナの住所ってどうやって書きかえんの？期限ある？",
     "address_name_change"),   # was: the number's safety
    # the first named of three uncovered topics, not the pair of terms named last (was: the days until a card comes)
    ("もう一点お伺いします。マイナンバーカード本体と電子証明書の有効期限はそれぞれ何年でしょうか。更新のお知らせはいつ頃届くのかも"
     "教えてください。", "validity_renewal"),
    ("限度額適用認定証がまだ届かないのですが", "gendogaku_certificate"),   # a pair named first still goes first
])
def test_session_51_trial_routes(lexicon, text, route):
    """Session 51's blind trial (b50): card topics the documents do not answer, asked as its personas asked them."""
    assert routed_id(lexicon, text) == route


def test_session_51_trial_covered_topics(lexicon, kb):
    """Session 51's blind trial: a way at the reader without the face (not a hospital that refused the card), a hard of
    hearing user who cannot phone, マイナポータル with the PIN-less card, a mother placing the card after talk of the
    顔認証 card (how to place it is the same for every kind)."""
    intents = set(kb.intents)
    face = "びょういんの機械で顔をうつすのがこわいです　顔が保存されてどこかに送られたりしませんか　顔をうつさない方法もありますか"
    decision = decide(face, "face_auth_card_hoken",
                      ranking(("face_auth_card_hoken", 0.54), ("card_safety", 0.2), ("hospital_refused", 0.11)), lexicon, intents)
    assert "hospital_refused" not in decision.intents and "hoken_visit" in decision.intents
    assert "fax" in lexicon.find("耳も遠い 電話むり ほかの方法は").covered
    portal = "その暗証番号のいらないカードにした場合、息子のお薬の履歴をマイナポータルで私が見ることはできますか？"
    assert "face_auth_convenience" in lexicon.find(portal).covered
    placing = "顔認証カードで、病院の受付で息子がカードを機械に置いたり画面を押したりするのが難しいんです。母親の私が代わりに操作してもいいんでしょうか"
    decision = decide(placing, "face_auth_card_hoken", ranking(("face_auth_card_hoken", 0.6), ("hoken_visit", 0.3)), lexicon, intents)
    assert decision.intents == ["hoken_visit"]


@pytest.mark.parametrize("text, route", [
    ("なるほどー。あと来年3月に韓国に1週間遠征いくんすけど、海外でもマイナカード使えるようになったってマジすか？なんか手続きいる感じ？",
     "short_trip_abroad"),   # was: the 国外利用 steps, which are for those who move abroad
    ("夫は仕事で長期の海外出張中です。帰国を待たずに、私がカードを代わりに受け取ることはできるのでしょうか。", None),   # 代理交付's list
])
def test_session_52_trial_routes(lexicon, text, route):
    """Session 52's blind trial (b51): a short trip abroad is not the 国外転出 the documents describe."""
    assert routed_id(lexicon, text) == route


def test_session_52_trial_covered_topics(lexicon, kb):
    """Session 52's blind trial (b51): the 代理交付 for a person of its list (a 5-year-old, a deaf husband), a locked PIN
    after three tries at the reader, a wheelchair in the photo (the exception's example, before a photo one takes oneself),
    the 顔認証 card on a home visit; 「動かなくなって」 is no lost card."""
    intents = set(kb.intents)
    child = "娘 5さい。代理交付できる？ わたしぱぱです"
    decision = decide(child, "proxy_pickup_relaxation", ranking(("proxy_pickup_relaxation", 0.55), ("proxy_pickup_eligibility", 0.3)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["proxy_pickup_eligibility"]
    deaf = "新しいカード 受け取り 妻が代わりに行ける？ 自分は聴覚障害 2級"
    decision = decide(deaf, "proxy_pickup_eligibility", ranking(("proxy_pickup_eligibility", 0.47), ("out_of_scope", 0.24)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_eligibility"   # was: 「もしかして」
    locked = ("先日病院の受付でマイナンバーカードを機械に置きまして、暗証番号を入れましたところ何度やっても違うと出まして、とうとう"
              "三回目で動かなくなってしまったのでございます。この先どういたしましたらよろしいのでしょうか。")
    decision = decide(locked, "hoken_visit", ranking(("hoken_visit", 0.98), ("pin_forgot", 0.02)), lexicon, intents)
    assert decision.intents[0] == "pin_forgot" and "lost" not in decision.found.covered
    wheelchair = "車いすなんですけどマイナンバーカードの写真って車いすが写っててもいいんですかね自分で撮ろうと思ってるんですけど"
    decision = decide(wheelchair, "nlu_fallback", ranking(("photo_exception", 0.3), ("face_auth_card_about", 0.21),
                                                          ("photo_requirements", 0.15)), lexicon, intents)
    assert decision.intents[0] == "photo_exception"
    told = "スマホで申請するんですけど車いすが写っちゃう理由ってどこかに伝えたほうがいいんですか"   # was 「もしかして」 (doubt)
    decision = decide(told, "nlu_fallback", ranking(("apply_methods", 0.31), ("photo_exception", 0.21), ("out_of_scope", 0.15)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["photo_exception"]
    visit = "在宅訪問で伺っている患者さんが顔認証マイナンバーカードをお持ちです。訪問先でこのカードで資格確認できますか。"
    assert decide(visit, "hoken_homecare", ranking(("hoken_homecare", 0.99)), lexicon, intents).intents == ["hoken_homecare"]


def test_session_53_where_to_get_the_form_after_a_lost_notice_card(lexicon, kb):
    """b51 c06-2: 「…本人は通知カードもなくしてて…何も手元にないんです。申請書ってどこで手にいれればいいですか？」 got the
    申請サポート's visit and the 通知カード紛失届: where to get the form (its answer: the 窓口's reissue first); the form's
    together pair does not read 「問題にならない」 as a form missing."""
    text = ("わかりました、役所に聞いてみます。住民票を戻せたとして、本人は通知カードもなくしてて、マイナンバーの通知とか何も"
            "手元にないんです。申請書ってどこで手にいれればいいですか？")
    decision = decide(text, "application_support", ranking(("application_support", 0.78), ("out_of_scope", 0.15),
                                                           ("lost_card", 0.03)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "application_form"
    assert kb.by_id["application_form"].answer.startswith("交付申請書が手元にないときは：\n1. 市区町村の窓口で再発行")
    assert "form_missing" not in lexicon.find("職員が勝手に入所者のカード申請書を書いたりして、後で問題にならない?").covered


def test_session_53_trial_routes_and_covered_topics(lexicon, kb):
    """Session 53's blind trial (b52): placing the card on the reader for the person, in hiragana (declined twice); how
    to collect a card for a child who cannot leave the ward, after 「小児病院で…しています」 (the reader at the hospital);
    a 住民票 struck off (the outreach's line: not in the documents)."""
    intents = set(kb.intents)
    placing = "家族が代わりにカードおいたりボタンおしたりしてもいいかききたい"   # as the NLU reads 「かぞくが かわりに かーど おいたり…」
    decision = decide(placing, "proxy_pickup_who", ranking(("proxy_pickup_who", 0.42), ("out_of_scope", 0.15)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["hoken_visit"]
    assert "placing_the_card" in lexicon.find("てが震えてカードを機械におけない。家族においてもらっていいのか").covered
    ward = ("こんにちは、小児病院で病棟保育士をしています。長期入院しているお子さんのマイナンバーカードのことで保護者の方から"
            "相談されました。お子さんは病棟から出られないのですが、カードの受け取りってどうしたらいいでしょうか？")
    assert "hoken_visit" not in lexicon.find(ward).covered
    decision = decide(ward, "no_card_shikaku", ranking(("no_card_shikaku", 0.41), ("card_safety", 0.34)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["card_pickup"]
    struck_off = "長期受刑中に住民票が職権で消除されてしまっている人がいます。住民票がない状態だとマイナンバーカードの申請はどうなりますか。"
    decision = decide(struck_off, "other_municipality", ranking(("other_municipality", 0.99)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "no_resident_record"
    assert "no_resident_record" not in lexicon.find("アメリカに住んでて日本に住民票がないんだけど、作れるの？").uncovered or \
        decide("アメリカに住んでて日本に住民票がないんだけど、作れるの？", "overseas_use", ranking(("overseas_use", 0.9)),
               lexicon, intents).kind == "answer"
    assert "no_resident_record" not in lexicon.find("住民票を戻せたとして、本人は通知カードもなくしてて").uncovered


def test_session_53_trial_urgent_steps_beside_a_route_and_more_routes(lexicon, kb):
    """b52 c04-4: a card kept by an abuser (DV, routed) got that a マイナンバー known is no danger — the steps to stop the
    card come first, beside the route; c05-3: whether a PIN found is right gets the forgotten PIN's answer (three tries,
    the 市区町村); c09-4: a sign-language video consultation is not in the documents; c10-4: a child's card's validity is
    declined as a child's card, not as its application alone."""
    intents = set(kb.intents)
    taken = "実は、その方のカードを加害者が持ったままになっているようなのです。悪用されないか心配なのですが、どうすればよいでしょうか。"
    decision = decide(taken, "mynumber_leak", ranking(("mynumber_leak", 0.46), ("no_card_shikaku", 0.19), ("out_of_scope", 0.07)),
                      lexicon, intents)
    assert decision.kind == "route" and decision.intents == ["lost_card"] and decision.answer_first
    assert "card_taken" not in lexicon.find("職員がカードを持ったままで悪用されないか心配です").covered
    checked = "あ、メモ見つけました！ って書いてありました。これが暗証番号で合ってますか？"   # the PIN redacted
    decision = decide(checked, "pin_sharing", ranking(("pin_sharing", 0.5), ("pin_forgot", 0.2)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["pin_forgot"]
    video = "利用者は手話が第一言語。手話のビデオ通話で相談できる窓口はある？"
    decision = decide(video, "fax_inquiry", ranking(("fax_inquiry", 0.8)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "video_consultation"
    assert "有効期限" in lexicon.uncovered["infants"].reply and "代理交付の対象" in lexicon.uncovered["infants"].reply


def test_a_low_vision_writer_gets_the_proxy_writing_rule_and_a_blind_one_the_braille(lexicon, kb):
    """「目が よく見えない。申請書の名前 自分で書けない」 (session 51's trial, low vision) got the braille: the 代筆 rule, which
    names the braille too; a blind writer still gets the braille first."""
    intents, ranked = set(kb.intents), ranking(("visual_impairment", 0.7), ("signature_help", 0.2))
    low_vision = "目が よく見えない。申請書の名前 自分で書けない。どうする"
    assert decide(low_vision, "visual_impairment", ranked, lexicon, intents).intents == ["signature_help"]
    blind = "目が見えない人は自分で申請書にサインできないのに、どうやって申請しろっていうの？"
    assert decide(blind, "visual_impairment", ranked, lexicon, intents).intents[0] == "visual_impairment"


def test_session_54_what_proves_the_person_cannot_come_and_no_id_documents(lexicon, kb):
    """b52 c06-6: 「…来庁が困難であることを疎明する資料としては具体的に何を用意すればよいですか。」 got the proxy's documents
    (P19 only as a bullet): the relaxation (easy to get, free; not needed for some; the examples in 資料編 P19); c06-2: ID
    documents missing at the 出張申請受付 (「…本人確認書類がほとんどありません。」) got the outreach again: routed (its line
    says the visit is then only 出張申請サポート, and the card is collected at the office later)."""
    intents = set(kb.intents)
    proof = "本人は療育手帳を持っていますが、来庁が困難であることを疎明する資料としては具体的に何を用意すればよいですか。"
    decision = decide(proof, "proxy_pickup_documents", ranking(("proxy_pickup_documents", 0.98)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_relaxation"
    assert "資料編P19" in kb.by_id["proxy_pickup_relaxation"].answer
    missing = "ただ本人は出所直後で、運転免許も失効、手元に本人確認書類がほとんどありません。この状態で市の出張申請受付を受けられますか。"
    decision = decide(missing, "outreach_facility", ranking(("outreach_facility", 0.78), ("other_municipality", 0.07)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "id_documents" and "出張申請サポート" in decision.route.reply


def test_session_54_the_point_asked_leads_a_long_answer(lexicon, kb):
    """b52 c10-5: 「…限度額適用認定証をいつも申請しているんですが、マイナ保険証を使えばその手続きはいらなくなるんですか？」 got
    the マイナ保険証's merits with 限度額 second of three: that line first, as 「ご質問の点：…」, then the whole answer — not
    for a line on the topic the answer's title names, nor for a short answer."""
    from bot.shared.answers import point_asked
    asked = "保護者の方が高額療養費の限度額適用認定証をいつも申請しているんですが、マイナ保険証を使えばその手続きはいらなくなるんですか？"
    decision = decide(asked, "hoken_merit", ranking(("hoken_merit", 0.99)), lexicon, set(kb.intents))
    text = decision_messages(kb, decision, {}, lexicon, asked)[0]["text"]
    assert text.startswith("ご質問の点：限度額適用認定証の手続なしで") and "メリット：" in text
    assert point_asked(lexicon, kb.by_id["card_uses"], "マイナンバーカードで何ができるの？") == ""
    assert point_asked(lexicon, kb.by_id["hoken_merit"], "マイナ保険証のメリットは？") == ""


def test_session_54_trial_routes_and_an_urgent_topic_in_plain_japanese(lexicon, kb):
    """Session 54's blind trial (b53): c08-3 the items of a card log book (「…記録簿を作りたいんですが、どんな項目を…」 got
    how to get a card: 作りたい) — routed, with the manual's 出し入れの記録; c10-2 a lost card in やさしい日本語 with English
    words (proxy_pickup_who likeliest, out_of_scope 0.32) — the lost-card steps; c07-6 kept from phoning by work hours is
    no one who cannot phone (the FAX for the deaf)."""
    from bot.shared.conversation import cannot_phone
    intents = set(kb.intents)
    log = "カードの出し入れの記録簿を作りたいんですが、どんな項目を記録しておけばいいでしょう。国の資料に例があれば教えてください。"
    decision = decide(log, "card_management", ranking(("card_management", 0.47), ("how_to_get_card", 0.16)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "management_log" and "出し入れした日時" in decision.route.reply
    lost = "施設で利用者さんのカードが見つからないです。lost です。だれに電話しますか？ 警察にもいきますか？"
    unsure = ranking(("nlu_fallback", 0.35), ("out_of_scope", 0.32), ("proxy_pickup_who", 0.31), ("free_dial", 0.06),
                     ("lost_card", 0.05))
    decision = decide(lost, "nlu_fallback", unsure, lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "lost_card"
    busy = "私は平日の昼間は仕事で電話できないので、夜とか週末にも繋がるのか知りたいです。"
    assert not cannot_phone([busy]) and "fax" not in lexicon.find(busy).covered
    assert cannot_phone(["耳が聞こえないので電話できません"])


def test_session_54_trial_who_sets_the_pin_obligations_and_plain_words(lexicon, kb):
    """b53 c05-4: who must choose a child's PIN (pin_forgot 0.89) — the sharing answer, whose line says a 介助者 may help set
    it, leads; c06-1 「マイナンバーカード作らなかんのかね？」 (名古屋) and c04-6 whether the 公金受取口座 must be registered —
    routed (the documents do not say); c09-1 「てが震えてじかけない」 — the 代筆's answer beside; c01-4 「ケースワーカーの私が
    代理人になって…」 — who may be the proxy offered beside the documents."""
    intents = set(kb.intents)
    who = "暗証番号についても相談されました。その子は4桁の数字を覚えるのが難しいかもしれないんですが、暗証番号は子ども本人が決めないといけないんでしょうか？"
    decision = decide(who, "pin_forgot", ranking(("pin_forgot", 0.89), ("pin_kinds", 0.08)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "pin_sharing"
    assert decision_messages(kb, decision, {}, lexicon, who)[0]["text"].startswith("ご質問の点：知的・発達障害のある方で")
    nagoya = "保険証がもう作られんようになったって聞いたで、マイナンバーカード作らなかんのかね？義父は87歳で、カードはまだ持っとらんのだわ。"
    assert decide(nagoya, "hoken_registration", ranking(("hoken_registration", 0.81)), lexicon, intents).route.id == "obligation"
    koukin = "公金受取口座っていうのは必ず登録しないといけないんですか妻はスマホを持ってないんですけど"
    assert decide(koukin, "koukin_account_help", ranking(("koukin_account_help", 0.99)), lexicon, intents).route.id == "koukin_obligation"
    sign = "のうせいまひです。自分でカード作りたい。てが震えてじかけない。どうすれば"
    decision = decide(sign, "how_to_get_card", ranking(("how_to_get_card", 0.39), ("signature_help", 0.12)), lexicon, intents)
    assert "signature_help" in decision.intents
    proxy = "交付のときですが、ケースワーカーの私が代理人になってカードを受け取ることはできますか。その場合に必要な書類も教えてください。"
    decision = decide(proxy, "proxy_pickup_documents", ranking(("proxy_pickup_documents", 0.98)), lexicon, intents)
    assert "proxy_pickup_who" in decision.intents + decision.also


def test_covered_in_keeps_what_find_names_in_a_fixed_text(lexicon, kb):
    """`Lexicon.covered_in` (the answers' lines and titles, kept) names what `find` names."""
    line = kb.by_id["hoken_merit"].answer.splitlines()[4]
    assert lexicon.covered_in(line) == frozenset(lexicon.find(line).covered) and lexicon.covered_in(line) is lexicon.covered_in(line)


def test_session_55_a_lost_notice_card_the_pin_typed_by_family_and_the_obligation(lexicon, kb):
    """b53 leftovers: c01-2 whether a card can be applied for without the 通知カード (「…通知カードがなくても申請できますか」:
    がなくても was no term of the missing 通知カード) — its answer (the 通知カード紛失届); c04-2 a husband asking whether he may
    press his wife's PIN at the hospital — the reader's help, then the PIN's rule (only a 法定代理人); c06-1 the obligation's
    decline says when the old 保険証 stopped being issued."""
    intents = set(kb.intents)
    notice = "通知カードがなくてもマイナンバーカードを申請できますか。"
    unsure = ranking(("nlu_fallback", 0.35), ("apply_methods", 0.31), ("out_of_scope", 0.15), ("no_card_shikaku", 0.09))
    decision = decide(notice, "nlu_fallback", unsure, lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "lost_card"
    assert "通知カード紛失届" in decision_messages(kb, decision, {}, lexicon, notice)[0]["text"]
    press = "妻の暗証番号はにしようと思ってるんですが病院で妻が自分でボタンを押せないときは夫の私が代わりに押してあげてもいいんですかね"
    decision = decide(press, "hoken_visit", ranking(("hoken_visit", 0.41), ("pin_sharing", 0.37), ("pin_forgot", 0.07)),
                      lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["hoken_visit", "pin_sharing"]
    assert "2024年12月2日に新規発行が終わり" in lexicon.uncovered["obligation"].reply


def test_session_55_trial_b54_routes_and_covered_topics(lexicon, kb):
    """Session 55's blind trial (b54): a shelter named as where the writer is routed three questions to the card's use in
    a disaster (c09-4..6); 「作らないかんち思うとる…名前もよう書ききらん」 got the obligation's decline (c05-1); a child who
    cannot look at the camera the PIN help (c08-1); the 顔認証 card for online consultations how to apply (c10-5); a
    braille sticker on the card the braille signature (c03-5); the card's validity beside a 顔認証 card named before
    the 顔認証 card (c01-4); the card itself lost beside the 通知カード's number the 通知カード's decline (c02-4)."""
    from bot.shared.conversation import cannot_phone
    intents = set(kb.intents)
    fee = "あと避難所のみんなが気にしてるのが、再発行ってお金かかるんですか？みんな家も財産も流されてて、手数料とかあると正直きついです。"
    assert lexicon.blocking(lexicon.find(fee)).id == "reissue_fee"
    ip = "避難所に置いてある電話がIP電話みたいで、0120の番号にかけてもつながらないんです。ほかにかけられる番号ってありますか？"
    assert lexicon.find(ip).uncovered == []
    assert lexicon.blocking(lexicon.find("災害時にマイナンバーカードは使えますか")).id == "emergency_disaster"
    hakata = "うちのおかんが認知症になってしもうてくさ、マイナンバーカードば作らないかんち思うとるっちゃけど、本人はもう自分の名前もよう書ききらんとよ。どげんしたらよかと？"
    decision = decide(hakata, "how_to_get_card", ranking(("how_to_get_card", 0.38), ("shikaku_kakuninsho", 0.25),
                                                         ("signature_help", 0.11)), lexicon, intents)
    assert decision.kind == "answer" and "signature_help" in decision.intents
    foster = ("里子に知的障害と自閉症があって、マイナンバーカードを作ってあげたいと思っているのですが、そもそも里親の私が申請の手続きを"
              "していいのでしょうか？それと、写真を撮るときにじっと前を向いていられないのですが、それでも大丈夫でしょうか？")
    decision = decide(foster, "intellectual_disability", ranking(("intellectual_disability", 0.87), ("card_safety", 0.06)),
                      lexicon, intents)
    assert decision.intents[0] == "photo_exception"
    online = "暗証番号のいらない顔認証のカードというものにしようかと思っているのですがオンライン診療も受けておりましてそのときにも顔認証のカードで大丈夫なのでしょうか"
    decision = decide(online, "face_auth_card_apply", ranking(("face_auth_card_apply", 0.37), ("face_auth_card_about", 0.33),
                                                              ("hoken_homecare", 0.22)), lexicon, intents)
    assert decision.intents[0] == "face_auth_card_services"
    sticker = "マイナンバーカードに点字のシールとか貼っちゃってもいいもんなんですか？穴あけるのはさすがにマズいですよね？"
    assert lexicon.blocking(lexicon.find(sticker)).id == "card_alteration"
    validity = "顔認証マイナンバーカードを検討いたします。関連して伺いたいのですが、マイナンバーカード自体の有効期限は何年なのでしょうか。"
    assert lexicon.blocking(lexicon.find(validity)).id == "card_itself_validity"   # card_validity_years' reply (reply_of)
    itself = "あと1件。\n・入所者Aさん 通知カードにあった番号\n・カード本体が見当たらない、たぶん紛失\n・施設から再発行の手続きできる？"
    assert lexicon.blocking(lexicon.find(itself)) is None and "card_itself_lost" in lexicon.find(itself).covered
    assert not cannot_phone(["俺、平日は仕事やけん日曜しか電話できんとやけど、日曜でもつながると？"])


def test_session_55_an_urgent_topic_before_an_unsure_reading_and_the_home_visit_timeline(lexicon, kb):
    """b54 c09-1: cards and 保険証 lost in a flood (「…とりあえず何をしてもらえばいいですか？」), the 資格確認書 likeliest at 0.37
    and the lost card 0.22 — the lost-card steps first (they name the 資格確認書 too). c01-2: the home visit's answer says when the card comes (数日後, 約2週間後)."""
    intents = set(kb.intents)
    flood = ("避難所でボランティアしてます。大雨で川があふれて、家ごと流された人が多くて、マイナンバーカードも保険証も無くしたって人が"
             "たくさんいます。とりあえず何をしてもらえばいいですか？")
    decision = decide(flood, "shikaku_kakuninsho", ranking(("shikaku_kakuninsho", 0.37), ("lost_card", 0.22),
                                                           ("how_to_get_card", 0.13), ("hoken_merit", 0.1)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "lost_card"
    assert "約2週間後にカードが住所地の市区町村に届きます" in kb.by_id["outreach_home"].answer


def test_session_56_b54_leftovers(lexicon, kb):
    """b54 leftovers: c03-3 a guide helper asking whether she may collect the card got the proxy's documents (0.37, no
    documents named) — who may be the proxy; c08-3 a foster parent asking to collect alone got where the person collects
    it (0.98) — the 代理交付; c05-5 「暗証番号も俺が覚えとってよかろうか」 got the reset first; c09-3 the 通知カード lost
    too got its decline; c08-5 a card lost at school got the school's copy of the 保険証 declined; c06-3 「やさしく
    おねがいします」 is asked for an answer in short."""
    from bot.shared.conversation import hard_to_read
    intents = set(kb.intents)
    helper = ("OKです！ちなみに申請したあと、受け取りの時ってまた本人連れて行かなきゃダメなんですか？ガイヘルの私が代わりに"
              "受け取ったりってできます？")
    decision = decide(helper, "proxy_pickup_documents", ranking(
        ("proxy_pickup_documents", 0.37), ("card_pickup", 0.19), ("proxy_pickup_who", 0.18),
        ("proxy_pickup_eligibility", 0.16)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents[0] == "proxy_pickup_who"
    documents = "代理で受け取るときの必要書類は何ですか"
    decision = decide(documents, "proxy_pickup_documents", ranking(("proxy_pickup_documents", 0.37),
                                                                    ("proxy_pickup_who", 0.18)), lexicon, intents)
    assert decision.intents[0] == "proxy_pickup_documents"   # named: kept
    alone = ("この子は知らない場所だとパニックになってしまうので、役所に連れて行くのが本当に不安です。私ひとりで受け取る"
             "ことはできますか？")
    decision = decide(alone, "card_pickup", ranking(("card_pickup", 0.98), ("proxy_pickup_documents", 0.01)), lexicon,
                      intents)
    assert decision.intents[0] == "proxy_pickup_eligibility"
    keep = "カードができたら俺が預かっとって、暗証番号も俺が覚えとってよかろうか？おかんはすぐ忘るけん。"
    decision = decide(keep, "pin_forgot", ranking(("pin_forgot", 0.89), ("pin_sharing", 0.09)), lexicon, intents)
    assert decision.intents[0] == "pin_sharing"
    flood = "通知カードも一緒に流されて、自分のマイナンバーが分からないって人もいるんですが、それでも再発行の手続きってできるんですか？"
    assert lexicon.blocking(lexicon.find(flood)) is None
    school = "保険証として使いたいのですが、子どもでも登録が必要？あと、もし学校や外出先で失くしてしまったら、夜でも止めてもらえる？"
    assert lexicon.blocking(lexicon.find(school)) is None
    assert hard_to_read(lexicon, "来週 hospital。カードない。どうしますか？やさしく おねがいします")


def test_session_56_a_lost_card_asked_is_answered_when_nothing_named_agrees(lexicon, kb):
    """The dev split: 「マイナンバーカードを紛失した場合の手続きはどうなるのか?…再発行されるまでの間に医療機関を受診したい場合
    はどうなるのか?」 — the classifier sure (0.98) of the 資格確認書 for those without a card, which no concept named agrees
    with: the lost-card steps (they say how to see a doctor meanwhile), not 「もしかして」; not when out of scope is likely."""
    intents = set(kb.intents)
    lost = ("マイナンバーカードを紛失した場合の手続きはどうなるのか? すぐに再発行してもらえるのか? 再発行されるまでの間に"
            "医療機関を受診したい場合はどうなるのか?")
    decision = decide(lost, "no_card_shikaku", ranking(("no_card_shikaku", 0.98), ("lost_card", 0.02)), lexicon, intents)
    assert decision.kind == "answer" and decision.intents == ["lost_card"]
    decision = decide(lost, "no_card_shikaku", ranking(("no_card_shikaku", 0.40), ("out_of_scope", 0.55)), lexicon,
                      intents)
    assert decision.kind != "answer"


def test_session_56_trial_b55(lexicon, kb):
    """Session 56's blind trial (b55): 「つくりたいです」 in hiragana names the application (c02-1); 「しゃしん は どこで
    とるの？…うまく とれない」 asks where the photo is taken (c02-4); 「しょくいんさんに おしえても いい？」 the PIN told to
    staff (c02-5); 「暗証番号を決めんでもえいカード」 (土佐弁) the 顔認証 card, not the PIN told to others (c03-6); 「暗証番号の
    入力もヘルパーさんに頼んでいい」 the PIN entered by another (c09-2); 「…教えとうせ」 and 「…ろうか」 ask."""
    from bot.shared.fit import asks
    intents = set(kb.intents)
    make = "ぼくは B型で はたらいてます。マイナンバーカード もってないです。つくりたいです。どうすれば いいですか"
    assert "apply" in lexicon.find(make).covered
    photo = "むずかしい。しゃしん は どこで とるの？ ぼく じぶんで うまく とれない"
    decision = decide(photo, "photo_exception", ranking(("photo_exception", 0.47), ("photo_at_home", 0.19)), lexicon, intents)
    assert decision.intents[0] == "photo_at_home"
    tell = "わすれそうだから B型の しょくいんさんに おしえても いい？ あんしょうばんごう の こと"
    decision = decide(tell, "pin_forgot", ranking(("pin_forgot", 0.69), ("pin_sharing", 0.1)), lexicon, intents)
    assert decision.intents[0] == "pin_sharing"
    assert "face_auth_card" in lexicon.find("暗証番号を決めんでもえいカードいうがはあるがかえ？").covered
    press = "暗証番号の入力もヘルパーさんに頼んでいいんでしょうか"
    assert "pin_entered_by_other" in lexicon.find(press).covered
    assert asks("それと、もし弟がカードを失くしたら夜中でも止めてもらえるろうか、電話番号も教えとうせ")
    assert asks("兄の儂が役所で代わりに受け取れるろうか")


def test_session_57_second_questions_are_found(lexicon):
    """b55 c01-4: 「このような一括管理は問題ございませんか」 asks (「ませんか」); b55 c06-6, one run-on sentence: 「…家族か事業所から
    問い合わせてもいいのか、それとこれを機に…切り替えたいんですが…」 is two parts, the first asking (「のか」) about the PIN
    reset; a topic whose other intents include the one answered is still asked (management beside the PIN's sharing);
    b56 c02-6 and b55 c03-6: a sentence reacting to the answer just given (「わかりました、顔認証カードを検討します。」
    「ほうか、福祉事務所に聞いてみるき。」) is no context of the first question."""
    from bot.shared.fit import also_asked_parts, asking_parts, asks, question_parts
    assert asks("このような一括管理は問題ございませんか")
    text = ("すでにカードを持っている利用者さんで暗証番号を3回間違えてロックされてしまった方がいて、本人は役所に行けないので家族か"
            "事業所から問い合わせてもいいのか、それとこれを機に暗証番号のいらない顔認証のカードに切り替えたいんですが、本人が行けない"
            "場合は代理で切り替えてもらえるのか、委任状がいるのかも教えてください")
    assert [asking for _, asking in asking_parts(text)] == [True, True]
    assert [intents for _, intents in also_asked_parts(text, ["face_auth_card_apply"], lexicon)] == [["pin_forgot"]]
    custody = "このような一括管理は問題ございませんか。また、暗証番号も職員が控えておいてよろしいでしょうか。"
    assert [intents[0] for _, intents in also_asked_parts(custody, ["pin_sharing"], lexicon)] == ["card_management"]
    text = ("わかりました、顔認証カードを検討します。最後に2つ。出来上がったカードを施設で預かる場合、気をつけることは何ですか？"
            "あと、もし役所で受け取ることになったら、職員が代わりに受け取りに行けますか？")
    assert question_parts(text, lexicon)[0] == "最後に2つ。出来上がったカードを施設で預かる場合、気をつけることは何ですか？"
    text = "ほうか、福祉事務所に聞いてみるき。暗証番号を決めんでもえいカードはあるがかえ？それと、失くしたら夜中でも止めてもらえるろうか"
    assert question_parts(text, lexicon)[0] == "暗証番号を決めんでもえいカードはあるがかえ？"


def test_session_57_uncovered_alias_and_disability_certificates(lexicon, kb):
    """b56 c05-3: a 通称名 on the card was declined as an address or name change; b56 c06-6: a 障害者手帳 linked to the card
    got a hedged 「もしかして」 with the 保険証's registration — each is routed with its own reply; a 手帳 as the proxy's ID
    is answered."""
    intents = set(kb.intents)
    alias = "母は通名を使っています。通名ってマイナンバーカードに載るんでしょうか。"
    decision = decide(alias, "out_of_scope", ranking(("out_of_scope", 0.6)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "alias_name"
    link = "療育手帳の情報ってマイナンバーカードに紐づけできるんですか？"
    decision = decide(link, "hoken_registration", ranking(("hoken_registration", 0.4), ("out_of_scope", 0.3)), lexicon, intents)
    assert decision.kind == "route" and decision.route.id == "disability_certificate_link"
    proxy = "代理で受け取るとき、本人の療育手帳は本人確認書類の代わりに使えますか？"
    assert lexicon.blocking(lexicon.find(proxy)) is None   # the proxy's documents say which will do


def test_session_57_parts_marked_with_parentheses():
    """b56 c04-6: 「…3点。(a) …受付時間を…。(b) …その場合の番号。(c) …何番を押せばよいですか。」 was read as a follow-up
    of the answer before: 「(a)」「(1)」「（２）」 mark parts as 「①」 does; 「(2)への回答がありませんでした」 asks for part 2 again;
    a word in parentheses (「(税込)」) marks none."""
    from bot.shared.fit import mark_number, numbered_parts, part_number, parts_asked_again
    text = "電話について3点。(a) 受付時間は。(b) IP電話の番号。(c) 何番を押せばよいですか。"
    assert [part_number(part) for part in numbered_parts(text)] == [1, 2, 3]
    first = "次の点を教えてください。\n(1) 何回でロックされますか。\n(2) 解除はどこでできますか。"
    assert parts_asked_again("(2)への回答がありませんでした。", first) == ["(2) 解除はどこでできますか。"]
    assert [mark_number(mark) for mark in ("②", "２", "（ｂ）", "(3)")] == [2, 2, 2, 3]
    assert numbered_parts("費用は(税込)でいくら？") == []


def test_session_57_the_card_kept_by_a_facility_is_not_the_shikaku(lexicon, kb):
    """b56 c03-3, in 鹿児島弁: 「カードができたら施設に預けっとがよかとか、あたいが持っちょっとがよかとか…」 got the 資格確認書
    (0.71, an intent of `management`): the card itself kept outranks it; the 資格確認書 kept is still its own answer."""
    intents = set(kb.intents)
    kept = "カードができたら施設に預けっとがよかとか、どっちがよかとやろか？"
    decision = decide(kept, "shikaku_kakuninsho", ranking(("shikaku_kakuninsho", 0.71), ("card_management", 0.02)), lexicon, intents)
    assert decision.intents[0] == "card_management"
    shikaku = "資格確認書は施設で預かってもいいですか"
    decision = decide(shikaku, "shikaku_kakuninsho", ranking(("shikaku_kakuninsho", 0.8)), lexicon, intents)
    assert decision.intents[0] == "shikaku_kakuninsho"


def test_session_58_a_clause_asking_with_a_question_word_is_a_part(lexicon):
    """b56 c10-4: 「ホームでカードを預かるにはどういう取り決めが必要で、暗証番号まで預かってもいいものなんでしょうか。」 asks
    two things in one sentence: the custody's arrangement is a part of its own (it got the PIN only); 「どこで、…」 and
    「何か…で、」 split nothing."""
    from bot.shared.fit import also_asked_parts, asking_parts
    text = "ホームでカードを預かるにはどういう取り決めが必要で、暗証番号まで預かってもいいものなんでしょうか。"
    assert asking_parts(text)[0] == ("ホームでカードを預かるにはどういう取り決めが必要で", True)
    assert also_asked_parts(text, ["pin_sharing"], lexicon)[0][1][0] == "card_management"
    assert len(asking_parts("どこで、何をすればいいですか")) == 1
    assert len(asking_parts("何か書類が必要で、それはどこでもらえますか")) == 1


def test_session_58_an_email_contact_is_routed(lexicon):
    """b57 c04-4, a deaf user: 「…それと、メールで聞けるところはありますか。」 got 「近いかもしれません」 and the free dial; the
    documents give an e-mail contact only for municipal staff — routed with the FAX; not the online application's address,
    nor a card stopped by e-mail, nor a fraudulent e-mail."""
    assert lexicon.blocking(lexicon.find("それと、メールで聞けるところはありますか。")).id == "email_inquiry"
    assert lexicon.blocking(lexicon.find("カードをメールで止められる？")).id == "suspend_other_ways"
    assert lexicon.blocking(lexicon.find("申請用WEBサイトでメールアドレスを登録するの？")) is None
    assert lexicon.blocking(lexicon.find("不審なメールで問い合わせが来た")).id != "email_inquiry"


def test_session_59_a_topic_variant_of_the_concept_named_is_given(lexicon, kb):
    """b57 c03-2 (津軽弁): 「へば施設さ役場の人来るどき、何そろえでおげばいいんだべ？」 read as how to get a card with the
    outreach named and what to prepare (topic=preparation): the outreach's preparation, not the answer just given again;
    a variant by another entity (the mail route) stays the classifier's intent's own."""
    from bot.shared.fit import Decision
    text = "へば施設さ役場の人来るどき、何そろえでおげばいいんだべ？"
    decision = Decision("answer", ["how_to_get_card"])
    messages = decision_messages(kb, decision, {"topic": ["preparation"]}, lexicon, text)
    assert [m["custom"]["answer_id"] for m in messages] == ["outreach_facility_preparation"]
    post = decision_messages(kb, Decision("answer", ["post_office"]), {"route": ["mail"]}, lexicon, "郵便局で申請できる？")
    assert [m["custom"]["answer_id"] for m in post] == ["post_office"]


def test_session_60_the_question_after_a_run_on_aside_is_answered_beside_its_route(lexicon, kb):
    """b58 c06-1 (a long message): the PIN lock asked in the last clause, after an aside that names 免許更新 — the lock's
    steps beside the licence's routing reply (test_a_subordinate_clause_is_not_a_second_question: 「切れても、」 does not
    split)."""
    text = ("3回くらい適当に押したらなんか使えなくなってしまって、そういえば前も免許更新のときに似たようなことあった気がするんです"
            "けど話それました、これってロックされたってことですよね？どうやったら直せますか？")
    decision = decide(text, "pin_forgot", ranking(("pin_forgot", 0.82), ("out_of_scope", 0.05)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents, decision.route.id) == ("route", ["pin_forgot"], "driving_license")


def test_session_60_a_condition_naming_nothing_asks_on_an_uncovered_question(lexicon):
    """b58 c09-3: 「…カードって何年で期限切れんの？切れてたら病院で使えない？」 — the expired card at a hospital, not a
    hospital refusing the card; after a covered question such a sentence stays a question of its own."""
    from bot.shared.fit import question_parts
    assert question_parts("あとさ、利用者さんのカードって何年で期限切れんの？切れてたら病院で使えない？", lexicon) == []
    assert len(question_parts("保険証はいつまで？だめだったら資格確認書はもらえる？", lexicon)) == 2


def test_session_60_a_phrase_ended_by_an_emoji_is_a_part(lexicon, kb):
    """b58 c02-2: 「小学生もOKなんですね✨ …そういう写真でも申請できますか？」 — the photo's exception beside the children's
    routing reply, not the routing reply alone."""
    text = "小学生もOKなんですね✨ もうひとつ、むすめは写真とるとき顔がななめになっちゃうし、じっと正面むけないんです💦 そういう写真でも申請できますか？"
    assert asking_parts(text)[0] == ("小学生もOKなんですね✨", False)
    decision = decide(text, "photo_exception", ranking(("photo_exception", 0.98)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents, decision.route.id) == ("route", ["photo_exception"], "infants")


def test_session_60_words_of_b58(lexicon):
    """b58's words: 「…という理解で合っていますか」 is no PIN check (c05-3); 訪問歯科 is a home visit (c07-3); English is a
    foreign language (c04-4); 「親の私が決めてあげても」 asks who sets the PIN (c02-4); a copy of the card's back for a
    business is routed (c10-3), not an outreach's copy of the ID."""
    assert "pin_checked" not in lexicon.find("後見人が暗証番号を管理するのは問題ないでしょうか。職員には伝えない方がよいという理解で合っていますか。").covered
    assert "pin_checked" in lexicon.find("これが暗証番号で合ってますか？").covered
    assert "homecare" in lexicon.find("顔認証カードの患者さんは、訪問歯科ではいつから使えますか").covered
    assert "foreign_language" in lexicon.find("English の でんわ ばんごう は どれ ですか？").covered
    assert "pin_setting_help" in lexicon.find("暗証番号、親の私が決めてあげてもいいの？").covered
    copy = "不動産会社からカードの裏面も含めてコピーを求められたのですが、渡してしまって大丈夫でしょうか。"
    assert lexicon.blocking(lexicon.find(copy)).id == "card_copy_to_others"
    assert lexicon.blocking(lexicon.find("出張申請受付で本人確認書類のコピーを会社に送るのですか")) is None


def test_session_61_words_of_b59(lexicon, kb):
    """b59's words: a slip (「まいな保険書の登録」, c09-1) names the registration; a family's note of the マイナンバー (c01-4) is
    not a PIN kept by another; 「土日にかけてもつながりますか」 about the free dial is no pickup day (c08-5); a son who does not
    face the camera, in a photo his father takes, gets the photo exception (c04-2); the care of one who cannot judge,
    asked in a volunteer's words (c02-6), is answered, not 「もしかして」."""
    from bot.shared.concepts import without_slips
    assert without_slips("MSで疲れやすいです。まいな保険書の登録、家でできる？") == "MSで疲れやすいです。まいな保険証の登録、家でできる？"
    assert "hoken_registration" in lexicon.find("まいな保険書の登録、家でできる？").covered
    # b67 c08-1, a husband using voice input: 「妻の舞いなんばーカードを健康保健賞として使うには何か手続きがいるのかね」 (「もしかして」)
    assert "hoken" in lexicon.find("妻の舞いなんばーカードを健康保健賞として使うには何か手続きがいるのかね").covered
    note = ("ご家族から「念のため番号も控えておいて」とメモを渡されました。患者さんのマイナンバーが と書いてあるのですが、"
            "これで桁数合ってますか？")
    decision = decide(note, "mynumber_leak", ranking(("mynumber_leak", 0.6), ("pin_sharing", 0.26), ("card_safety", 0.11)),
                      lexicon, set(kb.intents))
    assert decision.intents[0] == "mynumber_leak" and "card_safety" in lexicon.intents_of(lexicon.find(note).covered)
    assert "pin_kept_by_other" in lexicon.find("暗証番号も職員が控えておいてよろしいでしょうか。").covered
    phone = "その電話、私は平日日中ずっと訪問で出られないので、土日にかけてもつながりますか？何時までですか？"
    assert lexicon.find(phone).uncovered == [] and "hours" in lexicon.find(phone).covered
    photo = "写真は正面を向いてくれないし、視線も定まらないです。家で私がスマホで撮って、郵送で申請するつもりですが、それでも通りますか。"
    decision = decide(photo, "photo_exception", ranking(("photo_exception", 0.98)), lexicon, set(kb.intents))
    assert decision.intents == ["photo_exception"]
    care = "ご丁寧に　ありがとう。さいごに　認知症の方の　カードづくりを　お手伝いするとき　なにか　気をつけることは　ありますか"
    decision = decide(care, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("thank", 0.26), ("card_uses", 0.15),
                                                    ("no_card_shikaku", 0.08)), lexicon, set(kb.intents))
    assert (decision.kind, decision.intents) == ("answer", ["no_card_shikaku"])


def test_session_61_the_device_a_photo_is_taken_with_is_no_way_to_apply():
    """b59 c04-2: 「家で私がスマホで撮って、郵送で申請する」 got the photo exception's online steps."""
    from bot.shared.answers import meant_entities
    text = "家で私がスマホで撮って、郵送で申請するつもりです"
    entities = [{"entity": "route", "value": "online", "start": 4, "end": 7},
                {"entity": "route", "value": "mail", "start": 12, "end": 14}]
    assert text[4:7] == "スマホ" and text[12:14] == "郵送"
    assert meant_entities({"text": text, "entities": entities}) == {"route": ["mail"]}
    assert meant_entities({"text": "スマホで申請します", "entities": [{"entity": "route", "value": "online", "start": 0, "end": 3}]}) == {
        "route": ["online"]}


def test_session_62_words_of_b60(lexicon, kb):
    """b60's words: should one get a card (c04-1/c09-1) is what it is for; helping with the application in a Thai care
    worker's words (c03-1); one who cannot go out, in a depressed person's (c09-2/3) and 「役所まで行けない」 (c07-4); a
    group's applications at a 集会所 (c08-1) are the facility's outreach, not the home visit; whether one must register to
    see a doctor with it (c08-5); a writer's job (「点字図書館で…担当している者です」, c06-1) names no topic; 「カードって何年
    もつ」 is the card's validity, not the glossary (b59 c06-4); 「番号のいらんカード」 is the 顔認証 card (c02-2)."""
    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    assert decided("マイナンバーカード 作ったほうがいいんですかね…", ("nlu_fallback", 0.35), ("card_uses", 0.31),
                   ("card_fee", 0.21)).intents == ["card_uses"]
    assert decided("利用者さんのマイナンバーカードの申請、てつだいを、わたしもできますか？", ("nlu_fallback", 0.35),
                   ("outreach_facility", 0.13), ("application_support", 0.09)).intents == ["application_support"]
    for text in ("うつで 休職中で 外に出られない日が多いです 家から出ずに作る方法って ないですか", "えらぶのも しんどい… やくしょ 行くのが むりで",
                 "ばあちゃん役所まで行けないんだけど"):
        assert "cannot_go_out" in lexicon.find(text).covered, text
    group = "町内の集会所に役場の係の者に出向いてもらい、まとめて申し込みを受け付けてもらう手立てはございましょうか。"
    assert decided(group, ("outreach_home", 0.81), ("face_auth_card_apply", 0.08)).intents == ["outreach_facility"]
    doctor = "税のことではなく、その札で病院にかかれるのかどうか、そのために何か届け出がいるのか、ということでござる。"
    assert decided(doctor, ("no_card_shikaku", 0.91), ("shikaku_kakuninsho", 0.04)).intents == ["hoken_registration"]
    assert "lost" in lexicon.find("カードをなくしたら警察に届け出が必要ですか").covered
    braille = "点字図書館で利用者支援を担当している者です。全盲の利用者さんが…署名欄に点字で記名しても有効になりますか。"
    assert lexicon.find(braille).uncovered == []
    years = lexicon.find("なまら助かるわ。ちなみにカードって何年もつのさ？")
    assert "mynumber" not in years.covered and "card_validity_years" in years.uncovered
    no_pin = "母は物忘れがひどぉて暗証番号なんか覚えられんけぇ、番号のいらんカードってあるん？"
    assert decided(no_pin, ("pin_forgot", 0.55), ("face_auth_card_about", 0.30)).intents[0] == "face_auth_card_about"


def test_session_63_the_one_topic_asked_beside_out_of_scope_and_routes(lexicon, kb):
    """Session 63: the one topic a message asks is answered though out_of_scope comes first, when the classifier ranks it
    near (b60 c07-4, b61 c06-3) — not when out_of_scope is far likelier, nor beside an uncovered topic (dev: 「不在連絡票で
    再配達連絡を忘れた」 still 「もしかして」); a guardian's 委任状 routed beside the switch's answer (b60 c05-6); the 顔認証 card for
    a PIN too hard to think of, beside a routed topic (b60 c09-5); the 4情報 service (b61 c09-3); past prescriptions seen at a
    pharmacy (b61 c05-4); the 預貯金口座付番 is the 公金受取口座's answer (b61 c09-2); what the writer says they do not ask
    about names no topic, and the card as a photo ID is not the マイナ免許証 (b61 c07-5/6)."""
    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    grandma = "で、再発行したカード、ばあちゃん役所まで行けないんだけど、受け取りって俺が代わりに行けたりする？ばあちゃん82歳"
    decision = decided(grandma, ("out_of_scope", 0.50), ("how_to_get_card", 0.26), ("proxy_pickup_eligibility", 0.10))
    assert (decision.kind, decision.intents) == ("answer", ["proxy_pickup_eligibility"])
    assert decided(grandma, ("out_of_scope", 0.75), ("how_to_get_card", 0.15), ("proxy_pickup_eligibility", 0.06)).kind == "clarify"
    notice = ("別件で、入居者さんのお一人が通知カードを失くしてしまっていて、ご本人のメモには番号が「」と書いてあります。"
              "この番号がわかっていれば、通知カードがなくてもカードの申請はできますか。")
    decision = decided(notice, ("out_of_scope", 0.59), ("pin_sharing", 0.15), ("lost_card", 0.06))
    assert (decision.kind, decision.intents) == ("answer", ["lost_card"])
    redelivery = "マイナンバー通知の不在連絡票で再配達連絡を忘れた場合はどうなるの?"
    # (routed since session 69: b67 c09-2, a post-office clerk, asked how long a 本人限定受取郵便 is kept — 再配達 names it)
    assert decided(redelivery, ("out_of_scope", 0.79), ("mynumber_leak", 0.08), ("pin_forgot", 0.05)).route.id == "post_holding_period"
    guardian = ("確認です。被後見人のカードを顔認証マイナンバーカードに切り替える場合、電子証明書の更新と同時に行うと代理人では即日"
                "処理できず、切替えのみであれば委任状で即日可能、という理解で正しいですか。後見人の場合も委任状は本人の署名が必要なのでしょうか。")
    decision = decided(guardian, ("face_auth_card_apply", 0.99))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "guardian_mandate", ["face_auth_card_apply"])
    pin = "あんしょうばんごう 考えるのも むりかも… それと 傷病手当金の申請って このカードで できたりしますか"
    decision = decided(pin, ("nlu_fallback", 0.35), ("pin_sharing", 0.17), ("face_auth_card_apply", 0.14))
    assert (decision.kind, decision.route.id, decision.intents) == ("route", "insurance_benefits", ["face_auth_card_about"])
    assert "four_info" in lexicon.find("銀行側がJ-LISから最新の住所を取得できるサービスは同意なしでも使えますか").covered
    assert "four_info" not in lexicon.find("出張申請のあと、J-LISからカードが来るまでの目安は？").covered
    drugs = "もう一度だけ…薬局で、大学病院以外で出たお薬の情報も薬剤師さんに見てもらうには、何か手続きが必要ですか？"
    assert decided(drugs, ("pharmacy_proxy", 0.65), ("out_of_scope", 0.16), ("hoken_merit", 0.02)).intents == ["hoken_merit"]
    numbering = "預貯金口座付番の方は、お客様の任意という理解で合っていますか？"
    assert decided(numbering, ("koukin_account", 0.9)).kind == "answer"
    assert "driving_license" not in lexicon.find("わたくしがお尋ねしたかったのは一体化のことではなく、身分証明書を見せればよいのか").uncovered
    photo_id = "マイナンバーカードは免許証の代わりの身分証明書として使えますでしょうか。"
    found = lexicon.find(photo_id)
    assert "card_uses" in found.covered and lexicon.blocking(found) is None
    assert "lost" in lexicon.find("ははがかーどどっかやったみたいで見つからん😭 よるおそくてもとめられる？").covered


def test_session_63_the_point_asked_starts_with_no_connective_nor_a_step(lexicon, kb):
    """b61 c06-3 got 「ご質問の点：なお、マイナンバーは…」 and c03-4 「ご質問の点：事前：市区町村に希望を連絡し…」."""
    from bot.shared.answers import ASKED_POINT, point_asked
    notice = "通知カードを失くしてしまっていて、この番号がわかっていれば、通知カードがなくてもカードの申請はできますか。"
    point = point_asked(lexicon, kb.by_id["lost_card_notice_card"], notice)
    assert point == "" or not point[len(ASKED_POINT):].startswith("なお、")
    home = "市が来てくれへんかったら、息子のわしが代わりに受け取れるんか？事前に何を用意したらええ？"
    assert "事前：" not in point_asked(lexicon, kb.by_id["outreach_home"], home)


def test_session_64_the_trial_b62s_questions_get_their_topics_or_routes(lexicon, kb):
    """Session 64 (b62): a family's worry for the years ahead is no death to condole (c08-1); the photo data's format and the
    委任状's form are routed, not answered from the photo rules (c02-5/6, c08-5); the PIN said aloud is the reader's
    question (c06-6); the 限度額 at the reader (c09-3); the 顔認証 failing is the visit's, not the photo's (c07-2); a card not
    held at all (c03-2); going to the office in the person's place, in easy Japanese with spaces (c10-6), also when the
    classifier leaves it to a 「もしかして」; the switch to the 顔認証 card asked before the PIN's reset (c08-4); the photo's reason told without a phone (c06-3)."""
    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    sister = ("兄のマイナンバーカードは母が管理しているのですが、母が亡くなったあとのことを考えると不安で眠れない夜もあります。"
              "家族が本人のカードを預かって管理しても問題ないのでしょうか。")
    found = lexicon.find(sister)
    assert "deceased" not in found.uncovered and "deceased_ahead" not in found.uncovered
    assert decided(sister, ("card_management", 0.99)).intents == ["card_management"]
    assert "deceased_ahead" in lexicon.find("縁起でもない話ですが、父が亡くなったらカードはどうすればいいですか").uncovered
    photo = "オンライン申請用に写真をデータでお渡しする場合、ファイル形式や画素数の決まりはあるんでしょうか。"
    assert decided(photo, ("photo_exception", 0.6)).route.id == "photo_data_format"
    assert decided("その委任状の様式はどこで手に入りますか。", ("out_of_scope", 0.9)).route.id == "mandate_form"
    assert decided("顔認証カード切り替えの委任状の様式はどこでもらえる？", ("face_auth_card_apply", 0.9)).kind == "answer"
    aloud = "病院の受付で顔認証がうまくいかなかったときは、暗証番号を声に出して伝える必要はないですよね？"
    assert decided(aloud, ("card_safety", 0.7), ("hoken_visit", 0.2)).intents[0] == "hoken_visit"
    reader = "限度額適用認定証を使わなくてもいいという理解で合っていますか。患者さん側で何か操作が必要なのでしょうか。"
    assert decided(reader, ("hoken_merit", 0.99)).intents[0] == "hoken_visit"
    face = "顔認証もうまくいかない方がいます。顔の変形があったり、視線が定まらなかったり。その場合はどうなりますか。"
    assert decided(face, ("photo_exception", 0.9)).intents[0] == "hoken_visit"
    no_card = "マイナンバーカードを持っていない利用者さんは、資格確認書をもらうのに自分で申請しないといけないんですか？"
    assert decided(no_card, ("shikaku_card_holder", 0.67), ("no_card_shikaku", 0.26)).intents[0] == "no_card_shikaku"
    instead = "カードを 受け取るとき、わたしが おじいさんの かわりに 役所へ 行っても いいですか？"
    decision = decided(instead, ("nlu_fallback", 0.35), ("proxy_pickup_documents", 0.17), ("out_of_scope", 0.14),
                       ("pharmacy_proxy", 0.14))
    assert (decision.kind, decision.intents) == ("answer", ["proxy_pickup_documents"])
    switch = ("兄は暗証番号を覚えていられないと思います。暗証番号のいらないカードにできると聞いたのですが、今持っているカードを"
              "切り替えるには、兄本人が役所に行かないといけないのでしょうか。")
    decision = decided(switch, ("pin_forgot", 0.91), ("face_auth_card_apply", 0.06))
    assert (decision.intents, decision.also) == (["face_auth_card_apply"], ["pin_forgot"])   # b62 c08-4: the reset came first
    assert decided("暗証番号を忘れました。どうすればいいですか", ("pin_forgot", 0.9)).intents == ["pin_forgot"]
    no_phone = ("オンライン申請だと理由をフリーダイヤルに電話で伝えるとのことですが、私は電話ができません。"
                "その場合どうすればいいでしょうか。")
    decision = decided(no_phone, ("fax_inquiry", 0.9), ("photo_exception", 0.05))
    assert (decision.intents, decision.also) == (["photo_exception"], ["fax_inquiry"])   # c06-3: the FAX answer alone


def test_session_65_the_trial_b63s_questions_get_their_topics_or_routes(lexicon, kb):
    """Session 65 (b63): the card's validity asked twice in two sentences is one routed question, not a note for the
    first (c08-4); a smartphone the person does not have, in an old voice, is no smartphone variant (c08-5); a card not
    held, in an old voice, and seeing a doctor (c08-6); the 資料編's form fields are not among the texts (c09-5); a
    community salon's applications taken at once are the facility's outreach (c09-6)."""
    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    validity = ("承知いたしました。ところで、このカードは一度受け取れば生涯用いることのできるものなのでしょうか。"
                "有効期限は何年と定められておるのか、ご教示願います。")
    decision = decided(validity, ("out_of_scope", 0.59), ("proxy_pickup_eligibility", 0.32))
    assert (decision.kind, decision.route.id, decision.unanswered) == ("route", "card_validity_years", [])
    text = "保険証としての利用登録とやらは、拙宅にはパソコンもスマートフォンもござらぬ者でも行えるものでしょうか。"
    start = text.index("スマートフォン")
    message = {"text": text, "entities": [{"entity": "route", "value": "online", "start": start, "end": start + 7}]}
    assert meant_entities(message) == {}
    friend = "また、カードを持たぬ友人などは、今後いかにして医者にかかればよいのでしょうか。"
    assert {"card_not_held", "hoken_visit"} <= set(lexicon.find(friend).covered)
    appendix = "さっき出てきた資料編P27のFAXのお問合せ様式、研修資料にそのまま項目を書き写したいので、どんな記入欄があるのか教えてもらえますか？"
    assert decided(appendix, ("facility_manual", 0.56), ("fax_inquiry", 0.13)).route.id == "appendix_contents"
    salon = "うちの社協でやっている地域の高齢者サロンに市の職員さんに来てもらって、その場で申請を受け付けてもらうことってできますか？"
    assert decided(salon, ("outreach_home", 0.89), ("outreach_facility", 0.09)).intents == ["outreach_facility"]
    # c04-3 (voice input): the PIN-free card's services, not the PIN's kinds beside them (a second concern of the answer
    # the services outranked)
    services = "暗証番号をせっていしないかおにんしょうのカードがあるってききましたがそのカードだとマイナポータルとかコンビニで住民票とるのもつかえますか"
    assert decided(services, ("face_auth_card_about", 0.52), ("pin_kinds", 0.09)).intents == ["face_auth_card_services"]
    assert "proxy_pickup" in lexicon.find("代わりの者に受け取らせることは叶いましょうか。").covered   # c08-1


def test_session_66_the_trials_questions_get_their_topics_or_routes(lexicon, kb):
    """Session 66 (b63 leftovers, b64): a supporter attending the home visit (b63 c01-2); the 資格確認書 applied for by
    family in the person's stead is routed (b63 c01-6); one's own death, in kana (b64 c08-5/6); 金 without お (c10);
    a daughter who refuses to go to the office (c10-1); the card used as the 保険証 at a hospital, in kana (c07-1); the
    visit while a reissued card is awaited (c08-3)."""
    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    attend = "あと、当日ケアマネや私が同席して手伝うのは問題ないでしょうか？"
    assert decided(attend, ("nlu_fallback", 0.35), ("application_support", 0.27)).intents == ["outreach_home"]
    family = "その資格確認書、もし申請が必要になった場合、ご本人の代わりに私たち包括やご家族が保険者に申請することはできますか？"
    assert decided(family, ("shikaku_kakuninsho", 0.59), ("shikaku_card_holder", 0.38)).route.id == "shikaku_application_by_family"
    for own_death in ("わたしが しんだら、この かーどは どう したら よいのか、むすめに つたえて おきたいのです。",
                      "わたしが なくなった あとの、この かーどの しまつの ことです。むすめは なにを すれば よいのでしょう。"):
        assert lexicon.find(own_death).uncovered == ["deceased_ahead"], own_death
    assert "lost" in lexicon.find("母のカードがなくなったあと、どうすれば").covered
    assert "costs" in lexicon.find("その出張ってやつ、家まで来てくれるのか。金はかかる？").covered
    refuses = "娘 知的障害 20代。カード作らせたい。役所行くの嫌がる。どうする"
    assert "how_to_get_card" in decided(refuses, ("intellectual_disability", 0.47), ("how_to_get_card", 0.40)).intents
    visit = "マイナンバーカードを びょういんで ほけんしょうとして つかいたいです。どうやって つかいますか？"
    assert decided(visit, ("face_auth_card_hoken", 0.43), ("shikaku_kakuninsho", 0.24),
                   ("hoken_visit", 0.11)).intents[0] == "hoken_visit"
    waiting = "さいはっこうを まつ あいだ、びょういんへは なにを もって いけば よいのでしょう。かみの ほけんしょうは もう ありません。"
    assert "no_card" in lexicon.find(waiting).covered
    # c07-3: whether the マイナンバー is said at the counter (it is never handled there); c09-1: the writer's office
    # (障害福祉課) names no person with a disability — the 顔写真証明書 and the 疎明 are the relaxation's
    counter = "すみません、よく わかりません。びょういんの うけつけで マイナンバーの ばんごうを いいますか？ いいませんか？"
    assert "number_at_the_counter" in lexicon.find(counter).covered
    office = ("障害福祉課の窓口担当です。グループホーム入居者の代理交付について確認させてください。来庁困難の疎明資料として何が"
              "使えるか、また施設長による顔写真証明書を本人確認書類とした場合は疎明資料不要という理解でよいか、の2点です。")
    assert "proxy_for_whom" not in lexicon.find(office).covered
    # c02 (a care worker from Taiwan): traditional characters read in their Japanese forms; c03-5 (秋田弁): the card kept
    assert {"foreign_language", "free_dial"} <= set(lexicon.find("さっきの外國語のフリーダイヤル、中國語にも對應していますか？").covered)
    # b66 c04-4 (a care worker from China): simplified characters too — 「顔认证」 is the 顔認証 card
    assert {"face_auth_card", "drug_info_shared"} <= set(lexicon.find("顔认证のカードに変えたら、病院で前の药の情報はまだ見てもらえますか？").covered)
    assert set(lexicon.find("マイナンバーカードの有效期限は在留カードの期限と同じ？在留期間を更新したら手續きが必要？").uncovered) == {
        "foreign_resident", "validity_renewal"}
    akita = "ほんで、カードできだら施設さ預げでもいいのすか？それども家族が持ってだ方がいいべか"
    assert decided(akita, ("card_management", 0.42), ("proxy_pickup_who", 0.16), ("out_of_scope", 0.15)).kind == "answer"
    tries = "…あと［暗証番号］です。これで病院のカードリーダーで試していい？何回まで間違えてOK？"   # c06-4: the lock's count first
    assert decided(tries, ("hoken_visit", 0.39), ("pin_forgot", 0.19), ("out_of_scope", 0.14)).intents[0] == "pin_forgot"


def test_session_66_a_line_answering_a_question_of_three_parts_is_its_point(lexicon, kb):
    """b63 c01-3 (a 地域包括's social worker): 「…認知症がかなり進んでいる方がいて…申請を手伝うとき、気をつけることってありますか？」
    got the 資格確認書 with the answer's line fourth: a line naming each part of such a concept is said first, though it
    names other answers' topics (申請); a concept of two parts does not make one (the 保険証's registration)."""
    from bot.shared.answers import point_asked
    text = "もう一人、認知症がかなり進んでいる方がいて、ご本人の意思がはっきりしないんです。こういう方の申請を手伝うとき、気をつけることってありますか？"
    assert "意思を丁寧に確認" in point_asked(lexicon, kb.by_id["no_card_shikaku"], text)
    assert point_asked(lexicon, kb.by_id["face_auth_card_hoken"], "顔認証カードの保険証登録は?") == ""


def test_session_67_two_questions_in_written_style_or_joined_by_to_are_each_a_part(lexicon):
    """b64 c09-3: 「…暗証番号を成年後見人が把握・管理することは差し支えないか。またGH側でカードを預かる場合の留意点も…」 —
    「…ないか。」 asks, and 管理 beside 暗証番号 is the PIN's keeping, not the card's; c09-6: 「…案内するFAX番号と、…点字で
    記載した場合の扱いを確認させてください。」 — two things joined by a noun's 「と、」; not 「申請すると、…」."""
    from bot.shared.fit import question_parts, topics_asked
    kept = ("承知しました。関連して、GH入居者のうち成年被後見人の方について、暗証番号を成年後見人が把握・管理することは差し支え"
            "ないか。またGH側でカードを預かる場合の留意点もあわせて教えてください。")
    parts = question_parts(kept, lexicon)
    assert [topics_asked(part, lexicon) for part in parts] == [{"pin_sharing"}, {"card_management"}]
    joined = ("最後に2点。窓口で聴覚障害の方から紛失の相談があった場合に案内するFAX番号と、視覚障害の方が交付申請書の自署欄に"
              "点字で記載した場合の扱いを確認させてください。")
    parts = question_parts(joined, lexicon)
    assert len(parts) == 2 and parts[0].endswith("FAX番号") and "fax_inquiry" in topics_asked(parts[0], lexicon)
    assert "visual_impairment" in topics_asked(parts[1], lexicon)
    assert question_parts("代理交付を申請すると、顔写真の本人確認はどうなりますか。", lexicon) == []


def test_session_67_the_trials_questions_get_their_topics_or_routes(lexicon, kb):
    """b65: the card's validity asked before its notice's mailing address (c01-5) — the address is named at 施設宛て, not
    at the first 「カード」; 「送付先ではなく、カードそのものの有効期限」 (c01-6) is the card's validity, though the
    資格確認書 is named after it; an address moved (c10-3); a card made without going to the office, in letter style
    (c07-1: the 顔認証 card's application, 0.44); a PIN to be looked up (c04-3); a question told as what was meant (c07-2:
    read as goodbye)."""
    from bot.shared.fit import asks

    def decided(text, *ranked):
        return decide(text, ranked[0][0], ranking(*ranked), lexicon, set(kb.intents))
    validity = ("もう一点、カードの有効期限についてお伺いいたします。入所者様は高齢の方が多いのですが、マイナンバーカード自体の"
                "有効期限は交付から何年なのでしょうか。"
                "また、更新時期が近づいた際のお知らせは、住所地である施設宛てに届くものなのでしょうか。")
    assert lexicon.blocking(lexicon.find(validity)).id == "card_itself_validity"
    itself = ("恐れ入ります、先ほどお伺いしたかったのは送付先ではなく、カードそのものの有効期限が何年なのか、という点でございました。"
              "あわせて、資格確認書を施設の方でまとめて保険者に代理申請することは可能でしょうか。")
    assert decided(itself, ("shikaku_kakuninsho", 0.99)).route.id == "card_itself_validity"
    moved = "ばあちゃん住民票を施設の住所に移したらしくて、もしまた住所変わったら、カードの住所の書き換えっていつまでにどこでやるの？"
    assert lexicon.blocking(lexicon.find(moved)).id == "address_name_change"
    assert lexicon.blocking(lexicon.find("カードを施設の住所に送ってもらうことはできますか")).id == "mailing_address"
    letter = ("さて、私の受け持ちの地区に、膝を悪くされて役場まで出向くことが叶わない独り暮らしのご婦人がおられます。この方が"
              "マイナンバーカードをお作りになるには、どのようにいたせばよろしいものでしょうか。")
    assert decided(letter, ("face_auth_card_apply", 0.44), ("greet", 0.18), ("pin_sharing", 0.16)).intents[0] == "how_to_get_card"
    look_up = "わかつた。まいなんばーは ［マイナンバー］ これで あんしょうばんごう しらべて おしえて くれんか"
    assert decided(look_up, ("nlu_fallback", 0.35), ("mynumber_leak", 0.29), ("pin_forgot", 0.28),
                   ("out_of_scope", 0.21)).intents[0] == "pin_forgot"
    assert asks("要するに、役場へ出向かずにマイナンバーカードを作る方法はございますか、ということでございます。")
    assert asks("役所に行かないで作る方法あるのかって聞いてる")
    assert not asks("ご家族から、どこに聞けばいいのかと尋ねられました。")


def test_session_64_a_death_misread_is_not_condoled_again(lexicon):
    """b62 c08-2: 「すみません、母はまだ元気です。…質問は、家族（私）が兄のカードを預かって管理していいのか…」 after the
    condolences got them again (`still_governed`)."""
    from bot.shared.conversation import still_governed
    routed = [{"uncovered": "deceased", "fallback": True}]
    alive = "すみません、母はまだ元気です。質問は、家族（私）が兄のカードを預かって管理していいのか、ということです。"
    assert still_governed(lexicon, routed, alive) == []
    assert still_governed(lexicon, routed, "じゃあ母の資格確認書は？")


def test_session_73_words(lexicon, kb):
    """No マイナ保険証 and a doctor to see is the 資格確認書's answer (the dev split: 「マイナ保険証がなくても12月から病院に
    かかれるの?」 got 「もしかして」 with hokensho_end first); the photo booth named 「証明写真で申請」 asks how to apply there,
    not the photo exception (b71 c10-2, in half-width katakana); 「代りに」 is 「代わりに」 (b71 c10-1)."""
    text = "マイナ保険証がなくても12月から病院にかかれるの?"
    decision = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("hokensho_end", 0.33), ("hoken_merit", 0.21),
                                                     ("out_of_scope", 0.16), ("no_card_shikaku", 0.10)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["no_card_shikaku"]
    text = "証明写真 で 写真 とって 申請できると 聞いたが どうやるのか。かねは かかるのか"
    decision = decide(text, "nlu_fallback", ranking(("nlu_fallback", 0.35), ("photo_exception", 0.32), ("apply_methods", 0.26)),
                      lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "apply_methods" and "card_fee" in decision.also
    assert "application_support" in lexicon.find("わしが 代りに 申請してやることは できるかね").covered
    text = "マイナ保険証がないと病院で受付を断られた"   # no マイナ保険証 at all: the 資格確認書 first, the reader refused beside it
    decision = decide(text, "hospital_refused", ranking(("hospital_refused", 0.99)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["no_card_shikaku"]


def test_session_72_words_of_b70(lexicon, kb):
    """b70's words: a 受療証 asked beside the マイナ保険証 is routed, not answered by what the card is (c09-2); a worker's
    マイナンバー asked by the employer is routed, not whether the card is compulsory (c08-2) — not a number already given;
    a person who comes along to collect the card is answered the collection (c08-5); a pair of terms split over two
    listed questions names no uncovered topic, and an item naming what it wants (「…の手順」) asks (c05-2)."""
    assert routed_id(lexicon, "特定疾病療養受療証、毎回窓口で出してるけど、マイナ保険証にしたら出さなくていい？") == \
        "long_term_illness_certificate"
    assert routed_id(lexicon, "本人が「会社にマイナンバーを教えないといけないの？教えなかったら雇ってもらえないの？」と不安がって"
                              "います。会社にマイナンバーを出すのは義務なんでしょうか。") == "mynumber_to_employer"
    assert "mynumber_to_employer" not in lexicon.find("年末調整で会社にマイナンバーを出したけど、知られても平気？").uncovered
    text = "カードの受け取りのとき、本人と一緒に私も窓口に行く予定です。そのとき何を持って行けばいいですか？"
    decision = decide(text, "proxy_pickup_documents", ranking(("proxy_pickup_documents", 0.99)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents == ["card_pickup"]
    listed = "了解。追加で2点。\n・資格確認書の申請、事業所で利用者の分を代理でできるか\n・ショート中に利用者がカードを紛失した場合の手順"
    decision = decide(listed, "shikaku_card_holder", ranking(("shikaku_card_holder", 0.86)), lexicon, set(kb.intents))
    assert decision.kind == "answer" and decision.intents[0] == "shikaku_card_holder"
    assert "lost_card" in decision.intents + decision.also
    denied = "資格確認書を失くした話ではないです。\n・資格確認書の「申請」を事業所が代理で行えるか\n・利用者がカードを紛失した場合の手順"
    decision = decide(denied, "shikaku_card_holder", ranking(("shikaku_card_holder", 0.78)), lexicon, set(kb.intents))
    assert decision.kind == "answer"
    assert routed_id(lexicon, "資格確認書をなくしました。再発行はどこで？") == "shikaku_reissue"
