"""Causes in the JNSA classes: each class, several per incident, sections, and what is not a cause."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import causes


@pytest.fixture
def found(make_ctx):
    def run(text: str, resolve: bool = True) -> set[str]:
        ctx = make_ctx(text)
        items = causes.extract(ctx)
        for it in items:
            assert ctx.text[it.start:it.end] == it.text
        if resolve:
            items = causes.resolve(items)
        return {it.category for it in items}

    return run


@pytest.mark.parametrize("text,expected", [
    # loss
    ("営業担当者が顧客リストを入れた鞄を電車内に置き忘れました。", {"loss"}),
    ("保管していた申込書の所在が確認できず、所在不明となっています。", {"loss"}),
    ("社員が帰宅途中に立ち寄った飲食店で、顧客情報を含む書類を紛失しました。", {"loss"}),
    # misoperation
    ("担当者がメールを誤送信し、他のお客様のアドレスが表示されました。", {"misoperation"}),
    ("案内メールをBCCとすべきところTOで送信したことが原因です。", {"misoperation"}),
    ("保護者あてのメールをBCCではなくCCで送信したため、アドレスが他の受信者に表示されました。", {"misoperation"}),
    ("別の利用者宛ての通知書を誤って送付しました。", {"misoperation"}),
    ("市民課の窓口で住民票の写しを別の方に誤交付する事案が発生しました。", {"misoperation"}),
    ("納税通知書の封入作業で、他の方の通知書を誤封入していました。", {"misoperation"}),
    ("学校のホームページに生徒の名簿ファイルを誤って掲載していました。", {"misoperation"}),
    ("研修動画に受講者の名簿が映り込んでいました。", {"misoperation"}),
    ("原因は、公開前の確認で個人名が写っていることを見落としたことです。", {"misoperation"}),
    ("担当職員の人為的なミスにより、別人の通知書が送付されました。", {"misoperation"}),
    ("窓口で、誤って別のお客さまに帳票をお渡ししていました。", {"misoperation"}),
    ("FAXを送信する際に番号を誤り、別の事業者に送信しました。", {"misoperation"}),
    ("ホームページに掲載した表計算ファイルの非表示シートに、申込者の住所が残っていました。", {"misoperation"}),
    # unauthorized access
    ("当社サーバーが外部からの不正アクセスを受けました。", {"unauthorized_access"}),
    ("リスト型攻撃による不正ログインが確認されました。", {"unauthorized_access"}),
    ("当社の業務システムがサイバー攻撃を受け、一部のデータが外部に送信されました。", {"unauthorized_access"}),
    ("元職員が他人のIDとパスワードを使用してシステムにログインしていた。", {"unauthorized_access"}),
    ("調査の結果、ファイルサーバーに外部からの侵入の痕跡が見つかりました。", {"unauthorized_access"}),
    ("職員のメールアカウントが乗っ取られ、外部に大量のメールが送信されました。", {"unauthorized_access"}),
    # mismanagement
    ("委託先が契約終了後もデータを回収せず、保管していた。", {"mismanagement"}),
    ("リース返却時にハードディスクのデータを消去せずに返却していた。", {"mismanagement"}),
    ("保存期間内の個人番号関係書類を誤廃棄していたことが判明しました。", {"mismanagement"}),
    ("原因:作業時の誤認によるデータ不整合", {"mismanagement"}),
    ("情報公開請求への対応で、個人名を黒塗りせずに文書を開示していました。", {"mismanagement"}),
    # unauthorized takeout
    ("職員が内規に反して名簿を無断で持ち出していた。", {"unauthorized_takeout"}),
    ("教員が生徒の成績データを自宅に持ち帰り、私物のパソコンで作業していました。", {"unauthorized_takeout"}),
    ("職員が業務用パソコンから私用のメールアドレスに住民情報を送信していました。", {"unauthorized_takeout"}),
    # theft
    ("駐車中の車両で車上荒らしに遭い、書類が盗まれました。", {"theft"}),
    ("自転車のかごに入れていた鞄をひったくりに遭い、訪問記録を奪われました。", {"theft"}),
    ("営業所が事務所荒らしに遭い、顧客台帳を保存したパソコンが持ち去られました。", {"theft"}),
    # insider fraud
    ("元社員が顧客データを名簿業者に売却していた。", {"insider_fraud"}),
    ("派遣社員が管理者権限を悪用して顧客情報を不正に持ち出し、転売していた。", {"insider_fraud"}),
    ("コンサルティング会社が機密保持契約に反して資料を競合他社に提供していました。", {"insider_fraud"}),
    # misconfiguration
    ("ファイルの公開設定の誤りにより、外部から閲覧可能な状態でした。", {"misconfiguration"}),
    ("クラウドストレージのアクセス制限の不備により、名簿が公開されていました。", {"misconfiguration"}),
    ("管理画面が認証なしでアクセスできる状態になっていました。", {"misconfiguration"}),
    # bugs and vulnerabilities
    ("予約システムのプログラムの不具合により他人の情報が表示された。", {"bug_vulnerability"}),
    ("システム改修の不備により、ログインした会員に他の会員の情報が表示されました。", {"bug_vulnerability"}),
    ("VPN機器の脆弱性を悪用されました。", {"bug_vulnerability"}),
    ("第三者が本学のネットワークに不正にアクセスし、データを閲覧しました。", {"unauthorized_access"}),
    ("原因は、接続機器に初期設定のパスワードが設定されたままとなっていたことです。", {"misconfiguration"}),
    ("システム更新作業の不備により、接続履歴を別の利用者の画面に表示させていた。", {"mismanagement"}),
    ("書庫整理の際に、誤って不要書類と一緒に廃棄したものと判断しております。", {"mismanagement"}),
    ("アプリ更新の際、キャッシュの設定に誤りがあり、他の利用者の画面が表示されました。", {"misconfiguration"}),
    ("原因:ソフトウェア不良", {"bug_vulnerability"}),
    # malware
    ("従業員のパソコンがEmotetに感染しました。", {"malware"}),
    ("不審なメールの添付ファイルを開いたことで、端末がウイルスに感染しました。", {"malware"}),
    # misuse
    ("店員が顧客の連絡先を私的に利用して連絡していた。", {"misuse"}),
    ("取得した個人情報を目的外利用していたことが判明した。", {"misuse"}),
    ("職員が住民の課税情報を業務外で閲覧していました。", {"misuse"}),
    ("アルバイト店員が来店した客の個人情報をSNSに投稿していました。", {"misuse"}),
    ("元指定管理者が在任中に入手した名簿を不正使用し、営業はがきを送付しました。", {"misuse"}),
])
def test_causes_classes(found, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("ランサムウェアによる不正アクセスを受け、サーバーが暗号化された。", {"malware", "unauthorized_access"}),
    ("ウェブサイトの脆弱性を突いた不正アクセスにより、決済画面が改ざんされました。",
     {"bug_vulnerability", "unauthorized_access"}),
    ("委託先の従業員のパソコンがマルウェアに感染し、そこを起点に当社システムへ不正アクセスされました。",
     {"malware", "unauthorized_access"}),
    ("机上に置かれたパスワードのメモを使われて不正アクセスされたもので、管理の甘さが原因です。",
     {"unauthorized_access", "mismanagement"}),
    ("プログラム設計および設定の不備により、個人情報が閲覧できる状態でした。",
     {"bug_vulnerability", "misconfiguration"}),
    ("指定管理者が名簿を不正使用しました。原因は、県が名簿を回収していなかったことです。", {"misuse", "mismanagement"}),
    ("被処分者は、業務上の必要がないにもかかわらず照会システムで知人の交際相手の住所を照会し、"
     "その結果を知人に漏らしたものである。", {"misuse", "insider_fraud"}),
    ("USBメモリを紛失しました。\n原因:暗号化機能のないUSBメモリを管理簿に登録せずに使用していたこと\n",
     {"loss", "mismanagement"}),
])
def test_causes_several_per_incident(found, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    # denials
    "本件は不正アクセスによるものではありません。",
    "今回の事案は、サイバー攻撃ではなく、社内の手続き上の問題です。",
    "現時点で第三者による不正使用等の事実は確認されていません。",
    "個人情報の不正利用等の二次被害は確認されておりません。",
    "調査の結果、マルウェア感染の痕跡は確認されませんでした。",
    "専門機関の調査により、ランサムウェアが残存していないことを確認しました。",
    "情報の紛失や外部への漏えいはないということです。",
    # prevention, plans and advice
    "再発防止策として、全社員のパスワードを変更し、不正アクセス対策を強化してまいります。",
    "ウイルス対策ソフトを最新の状態に更新しました。",
    "なお、本件に関して、不正アクセスやウイルス感染の事実は確認されておりません。",
    "当社公式Xでお知らせを発信しています。",
    # a lost USB memory without a password: the loss is the cause, the password a detail
    "同USBメモリにはパスワードが設定されていませんでした。",
    "今後も情報の取扱いに関する教育を徹底してまいります。",
    "今後、同様の誤送信が発生しないよう、送信前のダブルチェックを徹底いたします。",
    "当社を装ったなりすましログインの誘導メールにご注意ください。",
    "当社は脆弱性診断を年に一度実施しております。",
    # laws and charges
    "不正アクセス禁止法違反の疑いで書類送検された。",
    "警察は不正競争防止法違反の容疑で関係先を捜索した。",
    # hypotheticals and open questions
    "万が一パソコンを紛失した場合に備え、全端末のデータを暗号化しています。",
    "現在、不正アクセスの有無について調査を進めております。",
    # not a computer virus; a card used by a fraudster is not 目的外使用 by the organisation
    "職員が新型コロナウイルスに感染したため、窓口を休止しました。",
    "お客様のクレジットカードが不正利用された可能性がありますので、明細をご確認ください。",
    # a risk to the people affected, not what happened
    "流出した個人情報が第三者に不正利用されるおそれがあります。",
    "不正アクセスがあったかどうかは現在調査中です。",
    # ambiguous words with no cause stated
    "不具合のお問い合わせは下記窓口までご連絡ください。",
    # numbers, addresses, headings and page chrome
    "お問い合わせ窓口 電話番号 0120-123-456(受付時間 9:00~17:00)",
    "〒100-0001 東京都千代田区千代田1-1 株式会社サンプル 情報セキュリティ室",
    "2. 原因",
    "ラベル インシデント:不正アクセス の投稿を表示しています。",
])
def test_causes_not_applicable(found, text):
    assert found(text) == set()


def test_causes_measure_section_yields_nothing(found):
    text = ("1. 概要\nお客様情報を含むメールを誤送信しました。\n"
            "2. 再発防止策\n・送信前に宛先を複数人で確認します。\n"
            "・ウイルスに感染したパソコンを想定した訓練を行います。\n"
            "・誤送付を防ぐため、封入物を照合します。\n"
            "3. お問い合わせ\n担当:情報管理課\n")
    assert found(text) == {"misoperation"}


def test_causes_related_articles_yield_nothing(found):
    text = ("当社のサーバーが不正アクセスを受けました。\n関連記事\n"
            "大手通販サイトでランサムウェア被害、顧客情報流出か\n市役所でUSBメモリ紛失、住民情報\n"
            "病院で電子カルテ情報を誤って掲載\n")
    assert found(text) == {"unauthorized_access"}


def test_causes_cause_section_lets_ambiguous_cues_count(found):
    text = "【原因】\nシステム改修後の不具合が発覚しました。\n【対応】\n修正版を適用しました。\n"
    assert found(text) == {"bug_vulnerability"}
    assert found("システム改修後の不具合が発覚しました。") == set()


def test_causes_section_use_follows_the_layout():
    text = ("1 概要\n本文です。\n2 再発防止策\n(1) 研修\n対策です。\n3 お問い合わせ\n窓口です。\n"
            "【事件簿#2】別の投稿のタイトルは長いので見出しではなく、別の投稿の題として読まれることになります\n別の投稿です。\n")
    ctx = DocContext("t", text)
    at = {word: causes.section_use(ctx, text.index(word)) for word in ("本文", "対策", "窓口", "別の投稿です", "1 概要")}
    assert at == {"本文": "stated", "対策": "silent", "窓口": "silent", "別の投稿です": None,
                  "1 概要": "heading"}


def test_causes_heading_names_a_topic_not_the_cause(found):
    # 紛失した資料 heads the list of what was lost after a wrongful disposal
    text = ("1.概要\n申請書を誤廃棄したと思われることが判明しました。\n\n2.紛失した資料\n\n"
            "2021年3月に受け付けた申請書1箱分\n")
    assert found(text) == {"mismanagement"}


def test_causes_consequence_yields_to_the_mechanism(found):
    # 閲覧可能な状態 after an intrusion is its result, not a misconfiguration
    assert found("不正アクセスにより、会員情報が第三者から閲覧可能な状態となっていました。") == {"unauthorized_access"}
    assert found("共有リンクの設定により、会員情報が第三者から閲覧可能な状態となっていました。") == {"misconfiguration"}


def test_causes_takeout_and_insider_fraud(found):
    # a takeout against the rules is 不正な情報持ち出し; with a sale or provision it is 内部犯罪
    assert found("業務委託先の作業員が顧客情報を不正に持ち出していた。") == {"unauthorized_takeout"}
    assert found("業務委託先の作業員が顧客情報を不正に持ち出し、名簿業者に売却していた。") == {"insider_fraud"}
    assert found("元社員が顧客リストを競合他社に不正に提供していた。") == {"insider_fraud"}
    # an intruder's theft of data is unauthorized access, and "不正に取得" needs an insider
    assert found("攻撃者により顧客情報が不正に取得されました。") == {"unauthorized_access"}
    assert found("不正アクセスにより顧客情報が不正に持ち出されました。") == {"unauthorized_access"}


def test_causes_insider_fraud_suppresses_takeout_within_an_incident(found):
    text = "元派遣社員が顧客情報を無断で持ち出し、名簿業者に転売していた。"
    assert found(text) == {"insider_fraud"}
    assert found(text, resolve=False) == {"insider_fraud", "unauthorized_takeout"}
    # takeout without malicious use stays
    assert found("社員が核セキュリティ文書を無断で印刷し、自宅に持ち帰っていた。") == {"unauthorized_takeout"}


def test_causes_offsets_map_to_original_text(make_ctx):
    text = "原因：ＢＣＣとすべきところＴＯで送信したため。\n第三者による不正アクセス（外部）を受けました。"
    ctx = make_ctx(text)
    items = causes.extract(ctx)
    assert [it.category for it in items] == ["misoperation", "unauthorized_access"]
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    assert items[0].text.startswith("ＢＣＣ")


def test_causes_without_model_gives_the_same_answer(make_ctx):
    text = "委託先のサーバーがランサムウェアに感染し、不正アクセスを受けました。"
    assert causes.extract(make_ctx(text)) == causes.extract(DocContext("t", text))


# -- issue 12: classes of real notices -------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    # a 原因 section whose sentence has no cue verb (により, ため): the handling itself failed
    ("3 発生原因\n使用管理簿による管理が行われていなかったことや、鍵のかからない引き出しに保管するなど、"
     "適正な管理がなされていなかったことによる。\n4 再発防止策\n管理簿で管理します。\n", {"mismanagement"}),
    ("原因\n職員が別の事業所を送付先と誤認して登録し、その情報で書類を発送しました。\n", {"mismanagement"}),
    # support scams: a fake warning, then remote control by a stranger
    ("検索したところ、トロイの木馬への感染を示す警告画面が表示された。表示された番号に電話をかけ、"
     "指示に従ったところ、パソコンの遠隔操作が行われてしまった。", {"unauthorized_access"}),
    ("画面に表示された偽のウイルス警告を契機として、端末が外部と不正に接続されました。", {"unauthorized_access"}),
    # snooping for private reasons: misuse, and collecting the data is 内部不正
    ("係長が業務とは関係ない私的な理由から、住民情報システムを用いて、知人の住所情報を不正に収集したもの。",
     {"misuse", "insider_fraud"}),
    ("市の職員が業務に関係がないのに、知り合いの納税情報を無断で盗み見ていました。", {"misuse"}),
    # an account taken over (list attack, phishing) is unauthorized access, not misuse
    ("本件は、リスト型攻撃によりメールアカウントが不正使用されたとみられており、今後は監視の強化に努めてまいります。",
     {"unauthorized_access"}),
    ("病院職員のメールアカウントが第三者により不正使用され、約3万件のフィッシングメールが送信されました。",
     {"unauthorized_access"}),
    ("本学のメールアカウントが何者かに不正に利用され、迷惑メールが送信されました。", {"unauthorized_access"}),
    # takeout and use by a former insider: 内部犯罪 (+ 目的外使用)
    ("元職員による個人情報等の持ち出しについて", {"insider_fraud"}),
    ("元職員が在職中にコピーした名簿を持ち出し、利用した恐れがあります。", {"insider_fraud", "misuse"}),
    # ransomware is malware alone, unless an attack or intrusion is also written
    ("委託先のサーバーがランサムウェアに感染し、データが暗号化されました。", {"malware"}),
    ("委託先がランサムウェアによるサイバー攻撃を受けました。", {"malware", "unauthorized_access"}),
    # dropped without noticing is a loss
    ("面談で使った成績の資料が椅子の上に落ちたことに気付かず、そのまま放置されていました。", {"loss"}),
])
def test_causes_real_notice_classes(found, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a remark that checks were insufficient beside a misdirected e-mail adds nothing
    ("宛先の確認不足により、保護者あてのメールを誤送信しました。", {"misoperation"}),
    # a weak password is not a hole in software
    ("原因は、メールアドレスに設定されていたパスワードの脆弱性によるものです。", set()),
    ("ウェブサイトの脆弱性を突いた攻撃を受けました。", {"bug_vulnerability"}),
    # remote-control software named in a rule is no cause
    ("今後、遠隔操作ソフトの利用は禁止とします。", set()),
    # no insider: a lookup rule or an intruder's collection is not misuse
    ("業務に関係のない書類は机の上に置かないでください。", set()),
    # an insider who misuses data through the system stays misuse
    ("従業員が顧客の連絡先を不正利用していました。", {"misuse"}),
    # a genuine infection stays malware
    ("職員のパソコンがウイルスに感染していたことが判明しました。", {"malware"}),
])
def test_causes_real_notice_not_applicable(found, text, expected):
    assert found(text) == expected


def test_causes_stolen_data_after_a_hack_is_no_theft(found):
    # 盗まれた said of card data taken through a tampered page yields to the attack in the incident
    text = ("通販サイトが外部から不正アクセスを受けました。\n"
            "決済した利用者のカード番号や有効期限が盗まれた恐れがあります。\n")
    assert found(text) == {"unauthorized_access"}
    assert found("出張先のホテルで業務用のノートパソコンを盗まれました。") == {"theft"}


def test_causes_wrong_display_yields_to_its_stated_setting(found):
    text = ("メールマガジンにおける個人情報の誤表示について\n"
            "原因は、配信システムの設定変更時に、データの参照先を誤って設定したことによるものです。\n")
    assert found(text) == {"misconfiguration"}
    assert found("メールマガジンにおける個人情報の誤表示について") == {"misoperation"}


def test_causes_visible_through_a_bug_is_no_misconfiguration(found):
    # data visible because of a program fault: the fault is the cause, not a setting
    text = ("会員の情報が他の会員から閲覧可能な状態となっていました。\n"
            "原因:アプリの機能改修において、プログラムに不具合があったことによるものです。\n")
    assert found(text) == {"bug_vulnerability"}


def test_causes_consequence_yields_within_the_incident(found):
    # data on the internet after a ransomware attack is where it ended up, not a setting
    text = ("委託先のサーバーがランサムウェアに感染しました。\n"
            "提供していたデータが、一時、インターネット上で閲覧可能な状態になっていました。\n")
    assert found(text) == {"malware"}
    assert found(text, resolve=False) == {"malware", "misconfiguration"}
    assert found("共有フォルダが外部から閲覧できる状態になっていました。") == {"misconfiguration"}


@pytest.mark.parametrize("text,expected", [
    # weak checks beside a misdirected mailing add nothing; alone they are the cause
    ("宛先の確認体制の不備により、通知書を別の方に誤送付しました。", {"misoperation"}),
    ("原因\n申請書の確認体制の不備があり、受付処理が滞っていました。", {"mismanagement"}),
    # an attacker in a ransomware notice is the malware's operator
    ("サーバーがランサムウェアに感染しました。\n攻撃者はデータの公開を示唆しています。\n", {"malware"}),
    ("攻撃者がVPN機器を経由して社内ネットワークに侵入しました。", {"unauthorized_access"}),
])
def test_causes_remarks_that_add_nothing(found, text, expected):
    assert found(text) == expected
