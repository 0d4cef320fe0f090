"""Leaked data types: list shapes, headings, negation scoped by the parse, must-not-match."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import datatypes


def _types(ctx):
    items = datatypes.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    leaked = {i.category for i in items if i.leaked}
    not_leaked = {i.category for i in items if not i.leaked}
    return leaked, not_leaked


@pytest.mark.parametrize("text,leaked", [
    # list shapes inside one sentence
    ("流出した情報は、氏名、住所、電話番号です。", {"name", "address", "phone_number"}),
    ("会員の氏名・住所・メールアドレスが閲覧可能な状態でした。", {"name", "address", "email_address"}),
    ("氏名及び生年月日が外部に漏えいしました。", {"name", "birth_date"}),
    ("氏名や住所等が含まれていました。", {"name", "address"}),
    ("誤送付した書類(データ項目:住所、氏名、性別、年齢)", {"address", "name", "gender", "age"}),
    ("漏えい情報:通話先電話番号、通話時間", {"phone_number", "communication"}),
    ("漏えいしたおそれのある情報 氏名、生年月日、診察券番号", {"name", "birth_date", "account_id"}),
    ("顧客リスト(約500人分の氏名と電話番号)を電車内に置き忘れた。", {"name", "phone_number"}),
    ("流出したのは、会員約12万人分の氏名、住所、生年月日。", {"name", "address", "birth_date"}),
    ("個人番号(マイナンバー)、氏名が記載された書類を別人に誤送付した。", {"my_number", "name"}),
    ("名前や住所が書かれた紙を紛失したことが分かった。", {"name", "address"}),
    ("お客様の氏名、会社名、役職、メールアドレスが記載された名刺データが閲覧可能でした。",
     {"name", "affiliation", "email_address"}),
    ("不正アクセスを受けたサーバーには、顧客のメールアドレスとパスワードが保存されていました。",
     {"email_address", "password"}),
    ("カード名義人名、カード番号、有効期限、セキュリティコードが盗まれた可能性がある。", {"credit_card"}),
    ("流出した個人情報には、氏名のほか、一部の顧客については口座番号も含まれていた。",
     {"name", "bank_account"}),
    ("児童の顔写真と氏名を含む資料をSNSに誤って投稿した。", {"other", "name"}),
    ("ﾒｰﾙｱﾄﾞﾚｽ約300件を誤送信しました。", {"email_address"}),
    ("患者 ID とカナ氏名が記録された端末が流通した。", {"account_id", "name"}),
    ("学年、クラス、部屋番号が閲覧できる状態でした。", {"affiliation"}),
    ("購入履歴と口座番号が流出した可能性があります。", {"usage_history", "bank_account"}),
    ("会話の録音データが複数の生徒に共有され流出した。", {"other"}),
    ("送信先のメールアドレス計125件が、受信者全員に表示される形で送信されました。", {"email_address"}),
    ("個人情報の内訳は、氏名が1万件、メールアドレスが8千件です。", {"name", "email_address"}),
    ("漏洩したのは「氏名」「住所」「電話番号」の3項目。", {"name", "address", "phone_number"}),
    ("被害に遭ったのは、会員登録時に入力された氏名、生年月日、メールアドレスなど。",
     {"name", "birth_date", "email_address"}),
    ("ID、パスワードの組み合わせによる不正ログインが行われ、氏名、住所等が閲覧されました。", {"name", "address"}),
    ("当該ファイルには、従業員の氏名、所属、役職のほか、人事評価の結果が含まれていた。",
     {"name", "affiliation", "other"}),
    ("男は勤務先の病院で電子カルテを不正に閲覧し、知人の病状を第三者に漏らした。", {"health"}),
    ("総務省は、同社が通信の秘密を侵害したとして行政指導を行った。", {"communication"}),
])
def test_datatypes_list_shapes(make_ctx, text, leaked):
    assert _types(make_ctx(text)) == (leaked, set())


@pytest.mark.parametrize("text,leaked", [
    # bullets under a heading that introduces them
    ("流出した可能性のある情報は以下のとおりです。\n・氏名\n・住所\n・電話番号",
     {"name", "address", "phone_number"}),
    ("【漏えいの可能性がある個人情報】\n\n・会員ID\n\n・生年月日\n\n・性別", {"account_id", "birth_date", "gender"}),
    ("1.流出した個人情報\n(1)氏名\n(2)住所\n2.原因\n職員の確認不足", {"name", "address"}),
    ("漏えいのおそれのある情報\n①氏名 ②住所 ③クレジットカード番号", {"name", "address", "credit_card"}),
    # one list line under the heading, and a list line that is only items
    ("【閲覧できる状態であった情報】\nお客さまのご住所、お名前、お電話番号", {"address", "name", "phone_number"}),
    ("2 誤交付した個人情報\n 別世帯の方の氏名、住所", {"name", "address"}),
    # a sub-heading inside the list does not end it
    ("2. 漏えいしたおそれのある情報\n1)2021年のキャンペーン応募者の情報\nメールアドレス 120件\n"
     "2)店舗会員の情報\n氏名、電話番号 830件", {"email_address", "name", "phone_number"}),
    # a definition list from HTML, and the report form's wording (個人データの項目)
    ("流出した情報\n氏名、住所、電話番号\n流出件数\n1,234件", {"name", "address", "phone_number"}),
    ("(1)漏えい等が発生したおそれがある個人データの項目\n氏名、生年月日\n(2)本人の数\n52人",
     {"name", "birth_date"}),
    # the list ends at the next section; its bullets are measures, not data
    ("<漏えいした情報>\n・氏名\n・住所\n<今後の対応>\n・パスワードの変更をお願いする", {"name", "address"}),
    ("【流出した可能性のあるお客様の情報】\nお名前、ご住所\n【お問い合わせ先】\n電話番号:0120-000-111",
     {"name", "address"}),
])
def test_datatypes_lists_under_headings(make_ctx, text, leaked):
    assert _types(make_ctx(text)) == (leaked, set())


@pytest.mark.parametrize("text,leaked,not_leaked", [
    # a negation in one clause does not flip the list in the other clause
    ("氏名、住所が含まれていますが、クレジットカード情報や口座情報などの決済関連情報、各種パスワードは含まれておりません。",
     {"name", "address"}, {"credit_card", "bank_account", "billing", "password"}),
    ("流出したのは氏名と電話番号で、住所は含まれていない。", {"name", "phone_number"}, {"address"}),
    ("対象者の氏名と患者番号(住所や電話番号はありません。)が流出しました。",
     {"name", "account_id"}, {"address", "phone_number"}),
    ("なお、口座情報、クレジットカード情報、メール本文は含まれない。", set(),
     {"bank_account", "credit_card", "communication"}),
    ("なお、漏えいした情報にマイナンバーは含まれていません。", set(), {"my_number"}),
    ("ただし、クレジットカードやマイナンバーなどの情報の流出はないとしています。", set(),
     {"credit_card", "my_number"}),
    ("※上記以外の氏名やメールアドレス等の情報は公開しておりません", set(), {"name", "email_address"}),
    ("クレジットカード番号の漏えいはありません。", set(), {"credit_card"}),
    ("なお、住所、電話番号、クレジットカード情報等の流出はございません。", set(),
     {"address", "phone_number", "credit_card"}),
    ("クレジットカード情報やマイナンバーは保有しておらず、流出はないとしている。", set(),
     {"credit_card", "my_number"}),
    ("当社のサイトではクレジットカード情報を保存しておりません。", set(), {"credit_card"}),
    ("漏えいした情報に、要配慮個人情報は含まれておりません。", set(), {"health"}),
    ("お客様番号とメールアドレスが流出した可能性がございます。パスワードについては暗号化して保存しているため、"
     "流出のおそれはございません。", {"account_id", "email_address"}, {"password"}),
    # negated headings and labels, a note under a list, a value of なし
    ("なお、次の情報は流出しておりません。\n・クレジットカード情報\n・銀行口座の情報", set(),
     {"credit_card", "bank_account"}),
    ("【漏えいした可能性のある情報】\n・氏名\n・性別\n※クレジットカード情報は含まれておりません。",
     {"name", "gender"}, {"credit_card"}),
    ("流出していない情報:パスワード、クレジットカード番号", set(), {"password", "credit_card"}),
    ("■クレジットカード情報:なし", set(), {"credit_card"}),
    ("項目\t流出の有無\n氏名\tあり\n口座番号\tなし", {"name"}, {"bank_account"}),
    # negations that deny something else
    ("流出したクレジットカード情報の不正利用は現時点で確認されておりません。", {"credit_card"}, set()),
    ("氏名、住所が流出した可能性を否定できません。", {"name", "address"}, set()),
    ("なお、カード番号の流出や不正利用は確認されていません。", set(), {"credit_card"}),
    ("本件による、他のお客様の個人情報(氏名、住所など)への影響はございません。", set(), {"name", "address"}),
    ("口座番号が外部に漏れた事実はございません。", set(), {"bank_account"}),
    ("氏名と住所は流出していないが、メールアドレスが流出した。", {"email_address"}, {"name", "address"}),
    ("流出した可能性のある個人情報は、住所・氏名・電話番号の3点で、金融機関の情報等は含まれておりません。",
     {"address", "name", "phone_number"}, {"bank_account"}),
    ("今回の事案では、マイナンバーを含む特定個人情報の漏えいは発生していません。", set(), {"my_number"}),
    ("氏名が記載された書類は含まれておりません。", set(), {"name"}),
    ("会員番号が閲覧できる状態でした。氏名、住所等の個人を特定できる情報は含まれておりません。",
     {"account_id"}, {"name", "address"}),
    ("流出した情報にはお客様の電話番号が含まれていた可能性があるが、住所は含まれていなかった。",
     {"phone_number"}, {"address"}),
    # an exception: a denial of everything else names the word as involved
    ("氏名、住所以外の個人情報は含まれておりません。", {"name", "address"}, set()),
    ("メールアドレスを除き、個人情報の流出はありません。", {"email_address"}, set()),
    ("住所以外の情報が流出した。", set(), set()),
    # a bracketed remark in a heading speaks only for the words inside it
    ("漏えいした情報(クレジットカード情報、パスワードは含まれません)\n・氏名", {"name"},
     {"credit_card", "password"}),
])
def test_datatypes_negation_scoped_by_clause(make_ctx, text, leaked, not_leaked):
    assert _types(make_ctx(text)) == (leaked, not_leaked)


@pytest.mark.parametrize("text,leaked,not_leaked", [
    ("今回流出した可能性がある個人情報は、氏名、住所であり、クレジットカード情報は含まれて\nおりません。",
     {"name", "address"}, {"credit_card"}),
    ("誤送付した書類には、申請者の氏名と口座番号が記載されてい\nました。", {"name", "bank_account"}, set()),
    # a new sentence on the next line is not a continuation
    ("流出した情報は氏名、住所、電話番号となっております\nなお、クレジットカード情報は含まれておりません。",
     {"name", "address", "phone_number"}, {"credit_card"}),
])
def test_datatypes_sentences_wrapped_over_lines(make_ctx, text, leaked, not_leaked):
    assert _types(make_ctx(text)) == (leaked, not_leaked)


def test_datatypes_negation_does_not_cross_sentences(make_ctx):
    text = "氏名と住所が流出しました。なお、クレジットカード情報は含まれておりません。"
    assert _types(make_ctx(text)) == ({"name", "address"}, {"credit_card"})


def test_datatypes_same_type_in_both_lists(make_ctx):
    text = ("総務省は通信の秘密の漏えいがあったと認定した。\n"
            "一方、同社はトーク内容は含まれないと説明している。")
    assert _types(make_ctx(text)) == ({"communication"}, {"communication"})


@pytest.mark.parametrize("text", [
    # contact details, the organisation's own data, advice to readers
    "お問い合わせ窓口 電話番号:0120-000-000(受付時間 9時~17時)",
    "メールアドレス:support@example.co.jp",
    "当社の住所は東京都千代田区です。",
    "ご登録いただいたメールアドレス宛にお詫びのご連絡をお送りします。",
    "対象となるお客様には、ご登録の住所へ書面にて個別にご連絡いたします。",
    "不審な電話番号からの連絡にご注意ください。",
    "クレジットカードのご利用明細書に身に覚えのない請求がないか、ご確認をお願いいたします。",
    # means of access, login procedure, prevention
    "ログイン用のID及びパスワードがない限り閲覧できません。",
    "他人のIDとパスワードを使用してシステムにログインした。",
    "不正に入手されたID・パスワードによるログインが確認されました。",
    "再発防止策として、全社員のパスワードを変更しました。",
    "対象のお客様のパスワードを初期化いたしました。",
    "今後、氏名や住所などの個人情報の取り扱いには十分注意してまいります。",
    # look-alikes and descriptors
    "年間パスポート購入者に営業案内が届いた。",
    "氏名を騙った不審なメールが送信されている事案が確認されています。",
    "情報を流出させた委託先の会社名は公表していない。",
    "当該USBメモリにはパスワードが設定されておらず、暗号化もされていませんでした。",
    "担当者が送信先のメールアドレスを誤って入力したため、別の事業者に送信されました。",
    "FAX番号の押し間違いにより、書類が別の事業所に送信された。",
    "個人情報の漏えいが発生した場合、氏名や住所などが悪用されるおそれがあります。",
    "トップページ\nサービス内容\n会員ID・パスワードをお忘れの方\nよくある質問",
    "名前の出た生徒は登校できなくなっている。",
    "逮捕されたのは住所不定、無職の男。",
    "担任するクラスの生徒の答案が流出した。",
    "当社役職員の行動規範を見直す対象とした。",
    "マイナンバーカードの交付事務において書類を紛失した。",
    "カード情報の非保持化を実施しております。",
    "クレジットカード会社から漏えいの懸念について連絡を受けました。",
    # general statements: law, reporting duties
    "個人情報取扱事業者は、要配慮個人情報が含まれる個人データの漏えい等が発生したおそれがある事態が生じたときは、"
    "委員会に報告しなければならない。",
    "パスワードは8文字以上で設定し、定期的に変更してください。",
    "攻撃元のIPアドレスからのアクセスを遮断しました。",
    "通信の秘密の保護及び安全管理の確保を図るため下記内容の実施を指示した。",
    "流出した可能性がある情報の詳細については、現在調査中です。",
    # availability, not confidentiality
    "ランサムウェアの影響で電子カルテが閲覧できない状態が続いている。",
])
def test_datatypes_not_applicable(make_ctx, text):
    assert _types(make_ctx(text)) == (set(), set())


def test_datatypes_contact_block_under_a_leak_section(make_ctx):
    text = ("流出した情報:氏名、メールアドレス\n"
            "5.本件に関するお問い合わせ窓口\n"
            "電話番号:0120-123-456\n"
            "メールアドレス:info@example.jp")
    ctx = make_ctx(text)
    items = datatypes.extract(ctx)
    assert [i.text for i in items] == ["氏名", "メールアドレス"]
    assert all(i.start < text.index("5.") for i in items)


def test_datatypes_headlines_in_a_link_list_are_other_incidents(make_ctx):
    text = ("流出したのは会員の氏名とメールアドレスで、約1万件に上る。\n\n"
            "関連記事\n・A社、顧客の住所や電話番号が流出か\n・B市、マイナンバー記載の書類を誤送付")
    assert _types(make_ctx(text)) == ({"name", "email_address"}, set())


def test_datatypes_offsets_point_into_the_original_text(make_ctx):
    text = "漏えい情報:ﾒｰﾙｱﾄﾞﾚｽ、患者 ＩＤ、ご住所"
    ctx = make_ctx(text)
    items = datatypes.extract(ctx)
    assert [(i.text, i.category) for i in items] == [
        ("ﾒｰﾙｱﾄﾞﾚｽ", "email_address"), ("患者 ＩＤ", "account_id"), ("ご住所", "address")]
    assert [i.start for i in items] == sorted(i.start for i in items)


def test_datatypes_parses_only_sentences_with_a_negation_cue(nlp):
    from rouei.extract.nlp.model import parse_for_rules

    parsed: list[str] = []

    def parse(texts):
        parsed.extend(texts)
        return parse_for_rules(nlp, texts)

    text = ("当社サーバーが不正アクセスを受けました。流出した情報は氏名と住所です。"
            "なお、クレジットカード情報は含まれておりません。再発防止に努めます。")
    ctx = DocContext("t", text, parse_fn=parse)
    assert _types(ctx) == ({"name", "address"}, {"credit_card"})
    assert parsed == ["なお、クレジットカード情報は含まれておりません。"]


def test_datatypes_overlong_sentence_is_parsed_only_around_the_negation(nlp):
    from rouei.extract.nlp.model import parse_for_rules

    parsed: list[str] = []

    def parse(texts):
        parsed.extend(texts)
        return parse_for_rules(nlp, texts)

    # a PDF page with no 。: only the clauses near the negation are worth a parse
    text = "、".join(["会員の氏名と住所が流出した可能性があります"] * 200) + "、なお口座番号は含まれておりません\n"
    ctx = DocContext("t", text, parse_fn=parse)
    assert _types(ctx) == ({"name", "address"}, {"bank_account"})
    assert sum(map(len, parsed)) < 2_000


@pytest.mark.parametrize("text,leaked,not_leaked", [
    ("氏名、住所が含まれていますが、クレジットカード情報は含まれておりません。", {"name", "address"}, {"credit_card"}),
    ("氏名や電話番号が含まれており、口座情報は含まれていないという。", {"name", "phone_number"}, {"bank_account"}),
    ("会員番号及び氏名(住所や電話番号はありません。)、診療科", {"account_id", "name", "health"},
     {"address", "phone_number"}),
    ("録音データを消去し、外部への流出は確認されていない。", {"other"}, set()),
    ("住所以外の情報は含まれていません。", set(), set()),  # an exception needs the parse
])
def test_datatypes_without_a_model_falls_back_to_the_clause_text(text, leaked, not_leaked):
    assert _types(DocContext("t", text)) == (leaked, not_leaked)


# --- notices in numbered sections (the layout's section kinds) ---------------------------

_SECTIONED = [
    # the list has no leak verb: its section heading says the data leaked
    ("委託先におけるウイルス感染について\n\n1 流出の可能性がある個人情報\n\n"
     "会員12名及びその家族10名の個人情報(会員の氏名・学年、家族の住所・氏名等)\n\n"
     "2 経緯\n\n5月2日、委託先のサーバーがランサムウェアに感染した。\n\n"
     "3 再発防止策\n\n今後は氏名と住所の管理を徹底します。",
     {"name", "affiliation", "address"}, set()),
    ("検査結果の誤送付について\n2 漏えいした個人情報の内容\n外来を受診した方1名の氏名・受診日・受診科\n"
     "3 原因\n職員が封入物を確認しなかった。", {"name", "health"}, set()),
    ("名簿の流出について\n漏えいのおそれのある個人情報\n- 氏名\n- 生年月日\n- メールアドレス(一部)\n"
     "二次被害のおそれ\n- 市を名乗る不審な電話にご注意ください", {"name", "birth_date", "email_address"}, set()),
    # a note after the list denies some types
    ("メール誤送信について\n2 流出した保有個人情報の項目\n氏名、職業、年齢、性別\n"
     "※住所、電話番号の漏えいはありません。\n3 原因\n誤って別のファイルを添付した。",
     {"name", "affiliation", "age", "gender"}, {"address", "phone_number"}),
    # a section of counts lists the leaked records with their data
    ("不正アクセスについて\n1 概要\n委託先のサーバーが不正アクセスを受けた。\n2 対象者数\n"
     "会員(氏名、メールアドレス)1,024名\n3 原因\n設定の不備", {"name", "email_address"}, set()),
    # headings that name the leak by its act: taken out, posted, shown
    ("元社員による持ち出しについて\n2. 持ち出された情報\n顧客 計120件\n(氏名、住所、勤務先)\n"
     "3. 当社の対応\n警察に相談しました。", {"name", "address", "affiliation"}, set()),
    ("ホームページへの誤掲載について\n二、掲載されていた情報\n申込者 20名分\n(氏名、保護者の電話番号)\n"
     "三、今後の対応\n電話でお詫びします。", {"name", "phone_number"}, set()),
    # the heading itself denies them
    ("不正アクセスについて\n3 流出していない情報\nクレジットカード番号、パスワード\n4 原因\n設定の不備",
     set(), {"credit_card", "password"}),
]


@pytest.mark.parametrize("text,leaked,not_leaked", _SECTIONED)
def test_datatypes_section_of_leaked_data(make_ctx, text, leaked, not_leaked):
    assert _types(make_ctx(text)) == (leaked, not_leaked)


@pytest.mark.parametrize("text", [
    # data words in other sections: measures, causes, contacts, related articles
    "委託先におけるウイルス感染について\n\n1 経緯\n\n5月2日に判明した。\n\n2 再発防止策\n\n"
    "氏名、住所、電話番号の管理を徹底します。",
    "お知らせ\n1 原因\n担当者が氏名と住所の確認を怠った\n2 今後の対応\n名簿の管理方法を見直す",
    "お知らせ\n1 お問い合わせ先\n電話番号 0120-000-000\nメールアドレス info@example.jp",
    "お知らせ\n1 概要\n名簿を紛失した。\n2 対象者への対応\n電話番号が判明している方には電話で連絡しました\n3 原因\n確認不足",
])
def test_datatypes_other_sections_are_not_leaked_data(make_ctx, text):
    assert _types(make_ctx(text)) == (set(), set())


def test_datatypes_prose_further_down_a_section_speaks_for_itself(make_ctx):
    text = ("名簿の誤送付について\n1 漏えいした個人情報\n氏名、住所\n"
            "なお、当該名簿は毎年4月に更新しており、今年度から新たに生年月日の欄を設けています。\n2 原因\n確認不足")
    assert _types(make_ctx(text)) == ({"name", "address"}, set())



@pytest.mark.parametrize("text,leaked,not_leaked", [
    ("誤送付した書類は検査結果の通知です。※氏名、カルテ番号、住所、電話番号は含まれておりません。",
     {"health"}, {"name", "account_id", "address", "phone_number"}),
    ("流出した情報はメールアドレスのみで、パスワードやクレジットカード情報は含まれていないことを確認しております。",
     {"email_address"}, {"password", "credit_card"}),
    # a whole class denied, its first conjunct parsed inside the second's relative clause
    ("要配慮個人情報や財産的被害が発生するおそれがある個人データは含まれておりません。", set(), {"health"}),
    # 「…の流出は確認されておりません」 of a named type
    ("なお、メール本文の流出は確認されておりません。", set(), {"communication"}),
    # a contrast (一方で) is not a relative clause: the first half keeps its own verdict
    ("氏名や大学発行のメールアドレスが含まれている一方で、住所や生年月日は含まれておりません。",
     {"name", "email_address"}, {"address", "birth_date"}),
    # a denial about a system, or about what was done with the data, flips nothing
    ("患者の氏名と病名が記載された書類を紛失しました。カルテ管理システムへの不正アクセスはありません。",
     {"name", "health"}, set()),
    ("顧客の氏名と住所が流出しました。なお、決済は別会社のシステムで行っており、そちらへの不正アクセスは"
     "確認されておりません。", {"name", "address"}, set()),
    ("個人番号や電話番号は委託先に提供していないため、今回漏えいした情報には含まれません。",
     set(), {"my_number", "phone_number"}),
    # a negated reason clause that says nothing of the data: the main predicate decides
    ("カード番号等の決済情報については、当社のサーバーを経由しないため、漏えいの可能性はありません。",
     set(), {"credit_card", "billing"}),
    ("個人情報のうち、生年月日と性別は対象外です。", set(), {"birth_date", "gender"}),
    ("顧客の氏名が流出しました。※預金口座の情報は含まれておりません。", {"name"}, {"bank_account"}),
    # a topic before a て-clause is judged by a main predicate that denies the leak itself,
    # not by one about another word
    ("氏名と住所が漏えいした可能性がございます。なお、ログインパスワードは暗号化して保存しており、"
     "漏えいは確認されておりません。", {"name", "address"}, {"password"}),
    ("流出した書類について、氏名は記載されており、生年月日は記載されておりません。",
     {"name"}, {"birth_date"}),
    ("流出した情報:氏名、住所\nクレジットカード情報:流出なし\nパスワード:なし",
     {"name", "address"}, {"credit_card", "password"}),
    # a topic phrase (につきましては) reaches the main predicate, which may not deny anything
    ("なお、クレジットカード情報につきましては、流出の対象外となっております。", set(), {"credit_card"}),
    ("お客様の氏名につきましては、流出した可能性がございます。", {"name"}, set()),
])
def test_datatypes_negation_notes_and_classes(make_ctx, text, leaked, not_leaked):
    assert _types(make_ctx(text)) == (leaked, not_leaked)


@pytest.mark.parametrize("text,leaked", [
    # GOLD_NOTES folds: a type that fits a class goes into it
    ("過去に利用していた施設の名称と所得額が記載されていた。", {"usage_history", "billing"}),
    ("職業と被保険者番号が閲覧可能な状態でした。", {"affiliation", "id_document"}),
    ("患者番号と学籍番号が閲覧可能な状態でした。", {"account_id"}),
    ("病歴番号と疾患名が記載された手術予定表を紛失した。", {"account_id", "health"}),
    ("ワクチンの接種履歴と症状が閲覧できる状態でした。", {"health"}),
    # PDF text with a hyphen for the long vowel mark
    ("流出した項目はログインパスワ-ドとクレジットカ-ド情報です。", {"password", "credit_card"}),
    ("過去の送受信メールが漏洩した可能性があります。", {"communication"}),
    ("職員が業務と関係なく知人の住所情報を不正に収集した。", {"address"}),
    # income is billing (as 所得額), a work history is affiliation (as 職業)
    ("応募者の年収と職歴が閲覧可能な状態でした。", {"billing", "affiliation"}),
    ("予約履歴と証券番号が流出した可能性があります。", {"usage_history", "account_id"}),
    ("児童の氏名と給付予定額が記載されたはがきが届きました。", {"name", "billing"}),
    ("借入金額と勤務先が記載された書類を紛失しました。", {"billing", "affiliation"}),
    ("荷受人の氏名と品名が記載された伝票を紛失しました。", {"name", "other"}),
    ("お客様の氏名とご購入製品の型番が流出した可能性があります。", {"name", "usage_history"}),
    ("入居者の氏名と家賃の滞納状況が記録されたパソコンが盗まれました。", {"name", "billing"}),
])
def test_datatypes_folded_into_their_class(make_ctx, text, leaked):
    assert _types(make_ctx(text)) == (leaked, set())


@pytest.mark.parametrize("text", [
    # credentials used to log in, an address mail reached, a URL's query, protection, labels
    "調査の結果、不正なログインに使用されたID・パスワードは当社で発行したものではなく、"
    "他社サービスのID・パスワードが流用されたとみられます。",
    "本学の特定のメールアドレスに海外から大量の配信不能メールが届くようになったため調査した。",
    "詳細は https://example.jp/news/?id=71 をご覧ください。流出の経緯は調査中です。",
    "1.発生年月日\n令和6年6月25日",
    "メールアドレスのご登録のないお客様には書状にてご連絡いたします。",
    "対応窓口を設置し、その連絡先をお伝えして、お詫び申し上げる予定です。",
    "当該メールアドレスから送信された迷惑メールの件数は調査中です。",
    "紛失したUSBメモリにパスワードはかけられていなかった。",
    "紛失したUSBメモリ1個(パスワードによる暗号化なし)",
    "第三者がIDとパスワードを不正に使用してログインした。",
    # a general word (画像) under a headline is page furniture, not a list of leaked data
    "個人情報928万人分を漏えいさせた2社に勧告 | 例示株式会社\n記事の背景画像 雲の装飾\nの画像\n\n本文です。",
])
def test_datatypes_not_leaked_data(make_ctx, text):
    assert _types(make_ctx(text)) == (set(), set())


def test_datatypes_unprotected_file_is_not_a_password(make_ctx):
    text = "成績が記載されたファイル(一部パスワードなし)が添付されたメールが閲覧された可能性がある。"
    assert _types(make_ctx(text)) == ({"other"}, set())


def test_datatypes_delivery_recipients_data_is_not_an_address(make_ctx):
    text = "お客様のクレジットカード情報と、お届け先の個人情報が漏えいした可能性があります。"
    assert _types(make_ctx(text)) == ({"credit_card"}, set())
