"""Numbers that are not counts of leaked records or people."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import counts


@pytest.mark.parametrize("text", [
    # incidents
    "当社で発生した3件の個人情報漏えいの事案についてご報告します。",
    "下記2件の事故が発覚しました。",
    "昨年度は同様の誤送付が4件発生しました。",
    "2件の不祥事を受けて",
    # organisations and offices
    "取引先30社・自治体など12団体から委託を受けていた。",
    "全国21自治体が公表した。",
    "3営業所で保管していた",
    # staff, perpetrators, people in the story
    "職員1名が誤って送信した。",
    "340名の当社社員が閲覧していた。",
    "委託先の従業員数:1,200名",
    "看護師1名がUSBメモリを紛失した。",
    "教諭1人も出勤できなくなった。",
    "生徒の1人は登校できなくなっている。",
    "市内の男2人を逮捕した。",
    "関与した2名を懲戒処分とした。",
    "3人組の男が侵入した",
    "10名体制で対応します。",
    "院長ら3人が記者会見した。",
    "部員3人が名簿を持ち出した。",
    "アルバイト2名がSNSに投稿した。",
    "同社の利用者数は約1,200万人に上る。",
    "送信時は2名でダブルチェックする。",
    "担当者2名で各世帯を訪問し謝罪した。",
    "全校生徒520名の保護者に説明した。",
    "昨年も同様の誤送信が2件あった。",
    "利用者の10人に1人が被害を受けた計算になる。",
    # an audience, a town, a service, places
    "住民ら約40人を前に謝罪した。",
    "説明会には約60人が出席した。",
    "人口約8万人の市",
    "約3,000万人が利用するアプリ",
    "定員40名の講座",
    # inquiries, damage reports, accesses
    "お客様からの問い合わせが約50件寄せられている。",
    "お客様1名からのご連絡により判明しました。",
    "カードの不正利用が3件確認されています。",
    "不正アクセスが約2,000件確認された。",
    "約3,000件の不正アクセスを検知した。",
    "二次被害は1件も確認されておりません。",
    # devices and things that are not records
    "POSレジ端末2台を処分した。",
    "業務用パソコン1台が盗まれた。",
    "USBメモリ1個を紛失した。",
    "再発防止策として以下の3点を徹底します。",
    "12月19日時点の集計",
    "5人乗りの車",
    # accesses, shares, money, durations, ages, ordinals
    "システムに4回不正にアクセスした。",
    "約6割のシステムで対処を完了した。",
    "全体の40%が対象です。",
    "損害額は約1万円です。",
    "お詫びとして1人あたり500円分の商品券を送付します。",
    "5日間自宅で保管していた。",
    "31歳の男性職員",
    "直近11営業日のログ",
    "10分3秒の通話",
    "第2回目の指導",
    "2通目のメールで訂正した",
    "3人目の被害者",
    # law and article numbers, phone numbers, dates, addresses, URLs
    "個人情報保護法第26条に基づき報告した。",
    "平成15年法律第57号",
    "お問い合わせは0120-123-456まで(受付時間 9:00~17:00)。",
    "TEL:03-1234-5678",
    "2024年3月5日に公表しました。",
    "〒100-0001 東京都千代田区千代田1-1",
    "https://example.jp/news/2024/0301.html",
    # words that only start with a counter, vague numbers
    "件数は調査中です。",
    "1人ひとりに連絡します。",
    "該当件数の集計",
    "手順2 IDを入力",
    "数十万件に上るとみられる",
    "氏名前後の空白",
    # page furniture and link lists
    "この記事へのコメント(3件)",
    "新着記事20件を表示",
    "関連記事\n他社で顧客情報3万件が流出\nhttps://news.example.jp/article/123",
    "あわせて読みたい\n通販サイトで不正アクセス\n診療所で患者1,200人分の名簿紛失\n",
    "【人気記事】\n1位 会員情報5万件が閲覧可能に",
])
def test_counts_not_applicable(text):
    assert counts.extract(DocContext("t", text)) == []
