"""Counts of leaked records and people: values, units as written, approximate flag, offsets."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import counts


def _counts(text):
    ctx = DocContext("t", text)
    items = counts.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return items


@pytest.mark.parametrize("text,expected", [
    # arabic, commas, full-width digits
    ("顧客情報1,234件が外部に流出した可能性があります。", [(1234, "件", False)]),
    ("会員情報１２，０００件が閲覧可能な状態でした。", [(12000, "件", False)]),
    ("誤って送信したメールは1件です。", [(1, "件", False)]),
    ("漏えい件数\n5,602件\n", [(5602, "件", False)]),
    # 万/億 with decimals and mixed notations
    ("約1.2万件の個人情報が漏えいしたおそれがあります。", [(12000, "件", True)]),
    ("対象は約0.5万件です。", [(5000, "件", True)]),
    ("最大で928万件の顧客データが持ち出されました。", [(9280000, "件", True)]),
    ("会員1万5,000件のメールアドレス", [(15000, "件", False)]),
    ("利用者3万2千人の登録情報", [(32000, "人", False)]),
    ("累計1億2千万件のログ", [(120000000, "件", False)]),
    ("流出したのは約 3 万件とみられる。", [(30000, "件", True)]),
    # kanji numerals
    ("漏えいした人数は三十二万五千人に上ります。", [(325000, "人", False)]),
    ("応募者四百名の履歴書データを誤送信した。", [(400, "名", False)]),
    ("卒業生二千五百人分の名簿", [(2500, "人分", False)]),
    # approximate prefixes, suffixes and 余
    ("およそ3千人分の名簿を紛失した。", [(3000, "人分", True)]),
    ("100名以上の個人情報が流出した。", [(100, "名", True)]),
    ("5万件超のメールアドレス", [(50000, "件", True)]),
    ("2,000件程度の顧客情報", [(2000, "件", True)]),
    ("少なくとも820人の患者情報", [(820, "人", True)]),
    ("推計で約4万件の閲覧履歴", [(40000, "件", True)]),
    ("概ね600名の会員情報", [(600, "名", True)]),
    ("150余名の受講者情報", [(150, "名", True)]),
    ("1万件弱のデータ", [(10000, "件", True)]),
    ("3千件未満と推定", [(3000, "件", True)]),
    ("業務委託分...約1.5万件", [(15000, "件", True)]),
    # 延べ and 計 are exact
    ("延べ3,427件(実人数2,567人)が閲覧可能でした。", [(3427, "件", False), (2567, "人", False)]),
    ("請求書など計26件を送付した。", [(26, "件", False)]),
    # pairs
    ("患者96件(88名)の検査結果", [(96, "件", False), (88, "名", False)]),
    ("漏えい件数:20回線、512通話", [(20, "回線", False), (512, "通話", False)]),
    ("法人12契約、メール340通が誤って配信されました。", [(12, "契約", False), (340, "通", False)]),
    ("影響は個人契約5顧客です。", [(5, "顧客", False)]),
    ("対象者1,234名のうち32名はメールアドレスのみ", [(1234, "名", False), (32, "名", False)]),
    ("個人データ2,400件(うち国内利用者610件)", [(2400, "件", False), (610, "件", False)]),
    # staff and employees are counted when they are the data subjects
    ("誤って送付した通知書は従業員計17人分でした。", [(17, "人分", False)]),
    ("委託先従業員約1,200名及び顧客約8万人の個人データが暗号化された",
     [(1200, "名", True), (80000, "人", True)]),
    ("職員3名の個人情報を含む名簿", [(3, "名", False)]),
    ("流出した会員数は約3万人です。", [(30000, "人", True)]),
    ("約2,000名が閲覧可能な状態でした。", [(2000, "名", True)]),
    # units with 分 are their own units
    ("生徒41名分の成績一覧", [(41, "名分", False)]),
    ("生徒41名の成績と41名分の住所", [(41, "名", False), (41, "名分", False)]),
    ("顧客データ2,100件分を削除せずに保管", [(2100, "件分", False)]),
    ("住民票7世帯分を誤って交付", [(7, "世帯分", False)]),
    ("法人450契約分の請求情報", [(450, "契約分", False)]),
    ("受信メール880通分が閲覧可能", [(880, "通分", False)]),
    ("約 120 万のユニークブラウザ分のデータ", [(1200000, "ユニークブラウザ分", True)]),
    # other counters of records or documents
    ("1,500アカウントに不正ログインがありました。", [(1500, "アカウント", False)]),
    ("約6万ユーザーのパスワード", [(60000, "ユーザー", True)]),
    ("会員約3万IDが流出", [(30000, "ID", True)]),
    ("約2万レコードが残っていた", [(20000, "レコード", True)]),
    ("対象は320世帯です", [(320, "世帯", False)]),
    ("88口座の口座番号", [(88, "口座", False)]),
    ("申込書35枚を紛失", [(35, "枚", False)]),
    ("顧客名簿3冊が所在不明", [(3, "冊", False)]),
    ("個人情報を記載した書類5点を誤送付", [(5, "点", False)]),
    ("4,500個のメールアドレスが見える状態で送信", [(4500, "個", False)]),
    ("3台の車両の情報を不正に照会した。", [(3, "台", False)]),
    # honorific 様 is not part of the counter
    ("お客様2,310名様の氏名", [(2310, "名", False)]),
])
def test_counts_forms(text, expected):
    got = [(c.value, c.unit, c.approximate) for c in _counts(text)]
    assert got == expected


@pytest.mark.parametrize("text,span", [
    ("流出したのは約１．５万件以上です。", "約１．５万件以上"),
    ("延べ１，２００人分", "延べ１，２００人分"),
    ("個人契約2顧客", "2顧客"),  # the 約 of 契約 is not "about"
    ("予約12件", "12件"),
    ("約 756 万のユニークブラウザ分", "約 756 万のユニークブラウザ分"),
])
def test_counts_span(text, span):
    (c,) = _counts(text)
    assert c.text == span


def test_counts_after_a_link_list_body_text_counts_again():
    body = "当社は本日、外部からの不正アクセスにより、通販サイトの会員情報が外部に流出した可能性があることを" \
           "確認いたしましたので、経緯と今後の対応についてご報告いたします。"
    text = f"関連記事\n他社のお知らせ\n\n{body}\n流出した可能性のある会員情報は2,870件です。"
    assert [(c.value, c.unit) for c in _counts(text)] == [(2870, "件")]


def test_counts_in_text_order_with_repeats():
    text = "概要:顧客300名の情報。\n詳細:顧客300名に個別に連絡します。"
    got = _counts(text)
    assert [(c.value, c.unit) for c in got] == [(300, "名"), (300, "名")]
    assert got[0].start < got[1].start


@pytest.mark.parametrize("text,expected", [
    # the leaked set and its parts, units as written (分 kept)
    ("患者13,400人分の診療データが閲覧可能な状態でした。", [(13400, "人分")]),
    ("誤送付した書類には1名分の氏名と住所が記載されていました。", [(1, "名分")]),
    ("約1,400件の個人データが外部から参照できた。", [(1400, "件")]),
    ("流出したのは会員250名分で、うち66名は氏名も含まれていた。", [(250, "名分"), (66, "名")]),
    # data subjects beside a staff word in brackets, and a sub-count after an unrelated figure
    ("ファイルに個人情報が含まれていた市民2名(本市職員の家族)に選挙はがきが届いていた。", [(2, "名")]),
    ("過去6年間に1,514件の市への「お問い合わせ」があり、うち1,426件の個人情報が閲覧可能だった。",
     [(1426, "件")]),
    ("申込児童111人の保護者89件のメールアドレスを宛先に入れて送信した。", [(89, "件")]),
    # recipients whose addresses were shown to one another (To instead of BCC) are the records
    ("会員250名にメールを送信した際、本来BCCとすべきところTOに入力しました。", [(250, "名")]),
    ("会員250名に一斉送信した際、メールアドレスが他の受信者に表示される状態となっていました。", [(250, "名")]),
    ("有志の方々のメールアドレス(406件)宛てにメールを送信した際に、宛先をBcc欄に入力すべきところ"
     "誤ってCc欄に入力し、送信先全てのメールアドレスが開示された。", [(406, "件")]),
    # being told about the leak is not being reached by the response
    ("対象となる1,200名の方には個別にご連絡いたします。", [(1200, "名")]),
    ("対象の58名の方にはお詫びのメールを送信しました。", [(58, "名")]),
    # people who saw others' data are not the records; the ones whose data was shown are
    ("他のお客様の情報を閲覧した可能性のあるお客様:2,418名\n"
     "ご自身の情報が他のお客様に表示された可能性のあるお客様:2,395名", [(2395, "名")]),
    # what the response got back is not the leaked set; data not yet deleted still is
    ("誤って届いた書面38通のうち、5月30日時点で31通を回収済みです。", [(38, "通")]),
    ("1つの封筒に2名分の書面が封入されていた。対象の書面は38通です。", [(38, "通")]),
    ("会員データ約8万レコードが削除されずに残っていた。", [(80000, "レコード")]),
    ("利用者約1.2万回線分の接続履歴が表示されていた。", [(12000, "回線分")]),
    ("メールマガジンの配信数は18,240通で、このうち別のお客様のお名前が表示されたメールは6,512通でございます。",
     [(6512, "通")]),
    # a product's model number is data, not a purchase; a form teacher is staff
    ("お客様の氏名、住所、ご購入製品の型番 計6,418件が流出した可能性があります。", [(6418, "件")]),
    ("生徒128名分の成績一覧表を配布した。確認は学級担任1名のみで行っていた。", [(128, "名分")]),
    # the whole mailing is not the leaked set; the letters that went astray are
    ("対象の312世帯にはがきを発送した際、うち46世帯に別の世帯の児童氏名が記載されたはがきが届きました。",
     [(46, "世帯")]),
])
def test_counts_leaked_set_kept(text, expected):
    assert [(c.value, c.unit) for c in _counts(text)] == expected


@pytest.mark.parametrize("text,expected", [
    # a table of bare numbers under a header that gives the unit: the total row counts
    ("1 漏えいした対象者数\n(単位:人)\n学年 児童 保護者\n1年 10 12\n2年 8 9\n合計 18 21\n2 原因",
     [(21, "人")]),
    ("対象件数 単位:件\n| 区分 | 件数 |\n|---|---|\n| 申請書 | 1,020 |\n| 届出書 | 380 |\n| 合計 | 1,400 |",
     [(1400, "件")]),
    # a total row with its counter is an ordinary count, found once
    ("(単位:人)\n合計 150人", [(150, "人")]),
])
def test_counts_table_total_under_a_unit_header(text, expected):
    assert [(c.value, c.unit) for c in _counts(text)] == expected


@pytest.mark.parametrize("text", [
    # no unit header: bare numbers are not counts
    "区分 件数\n申請書 1,020\n合計 1,400",
    # a unit header with no total row
    "(単位:人)\n学年 児童\n1年 10\n2年 8",
])
def test_counts_bare_numbers_without_a_total_under_a_unit(text):
    assert _counts(text) == []
