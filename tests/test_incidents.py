"""Cutting notices into incidents (extract/fields/incidents.py), on the real model."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("mark", ["①", "❶", "➀", "⑴", "⒈", "㉑"])
def test_incidents_circled_numbers_do_not_fail_the_notice(pipeline, mark):
    # a line that opens with a numbering character once made the whole notice an error record
    text = (f"テスト商事株式会社\n個人情報の漏えいについて\n\n{mark}顧客情報の漏えい\n"
            "2024年1月5日、顧客120名の氏名が記載された名簿を紛失したことが判明しました。\n"
            f"{mark}今後の対応\nお客様にはお詫びのご連絡をしております。\n")
    rec = pipeline.process("t", text)
    assert "error" not in rec
    assert len(rec["incidents"]) == 1
    assert rec["incidents"][0]["causes"][0]["category"] == "loss"


CASES = (
    "テスト大学への不正アクセスによる個人情報の漏えいについて\n\n"
    "この度、本学の教職員のメールアカウントが不正にアクセスされた事案が2件確認されました。\n\n"
    "(事案1)2023年3月17日、理学部の教員のアカウントから大量のメール送信が確認されました。"
    "受講者311名の氏名が記載されたファイルが閲覧された可能性があります。\n\n"
    "(事案2)2023年3月15日、工学部の職員のアカウントから不審なメールが送信されました。"
    "取引先120名のメールアドレスが閲覧された可能性があります。\n\n"
    "本件に関するお問い合わせ先:情報企画課\n")

BRACKETED = (
    "個人情報漏えい2件のお詫び\n\n"
    "【事案1】\n1 事案の概要\n2024年5月10日、患者1名の書類を別の医療機関へ誤送付しました。\n"
    "2 発生原因\n医療機関を誤認して登録したためです。\n\n"
    "【事案2】\n1 事案の概要\n2024年6月2日、職員が患者12名の名簿を紛失したことが判明しました。\n"
    "2 発生原因\n保管庫の施錠を怠っていたためです。\n")

SECOND_REPORT = (
    "お知らせ\n\n2024年4月22日\n\n"
    "システム不具合による個人情報漏洩に関するお詫びとご報告(第2報)\n\n"
    "2024年3月27日に発生いたしました個人情報漏洩に関しまして、3月29日に第一報を掲載しておりました。\n\n"
    "調査が完了しましたので、以下の通りご報告いたします。\n\n"
    "【調査結果】最大で344名のお客さまの氏名が他のお客さまに表示されました\n\n"
    "※該当するお客さまには、既にメールでご案内を差し上げております。\n\n"
    "【調査結果】購入3件、解約5件の合計8件の意図しない手続きが行われました\n\n"
    "該当するお客さまへは、既にご連絡しております。\n")


def test_incidents_case_labels_cut_a_notice(pipeline):
    rec = pipeline.process("t", CASES)
    assert len(rec["incidents"]) == 2
    assert [inc["dates"][0]["value"] for inc in rec["incidents"]] == ["2023-03-17", "2023-03-15"]


def test_incidents_bracketed_case_labels(pipeline):
    rec = pipeline.process("t", BRACKETED)
    assert len(rec["incidents"]) == 2
    causes = [{c["category"] for c in inc["causes"]} for inc in rec["incidents"]]
    assert causes == [{"misoperation", "mismanagement"}, {"loss"}]


def test_incidents_a_second_report_is_one_incident(pipeline):
    # a field label repeated by one notice (【調査結果】) is no series of archived posts
    rec = pipeline.process("t", SECOND_REPORT)
    assert len(rec["incidents"]) == 1


@pytest.mark.parametrize("line", ["【事案1】", "(事案2)令和5年", "事例3:メール", "【1件目】", "(2件目)窓口で",
                                  "■事案1 診療情報提供書の誤送信", "●事案2 名簿の紛失"])
def test_incidents_case_label_applies(line):
    from rouei.extract.core import rules

    label = rules.compile_pattern(rules.load("incidents")["case_label"]["regex"])
    assert label.match(line) is not None


@pytest.mark.parametrize("line", ["事案の概要", "事案は1件です。", "事案1件目の報告", "第2報", "2件目以降は"])
def test_incidents_case_label_not_applicable(line):
    from rouei.extract.core import rules

    label = rules.compile_pattern(rules.load("incidents")["case_label"]["regex"])
    assert label.match(line) is None


def test_incidents_circled_numbers_count_as_a_numbered_list(pipeline):
    text = ("テスト市 個人情報の漏えいについて\n\n"
            "①住民票の写しの誤交付\n2024年4月3日、窓口で別の方の住民票の写しを誤って交付しました。\n"
            "②申請書の紛失\n2024年5月20日、申請書12件を紛失したことが判明しました。\n")
    rec = pipeline.process("t", text)
    assert [{c["category"] for c in inc["causes"]} for inc in rec["incidents"]] == [{"misoperation"}, {"loss"}]


DIGEST = (
    "今週のセキュリティニュース\n\n"
    "■株式会社テスト商事\n2024年6月3日、同社の通販サイトが不正アクセスを受け、顧客1,200名のカード情報が流出した可能性があると発表した。\n"
    "■北山市\n2024年6月4日、市の職員が住民50名分の名簿を紛失したことが判明した。\n"
    "■南川大学\n2024年6月5日、教員が学生の成績を記載したファイルをメールで誤送信した。\n")


def test_incidents_digest_of_several_organisations(pipeline):
    rec = pipeline.process("t", DIGEST)
    assert [inc["organization"] for inc in rec["incidents"]] == ["株式会社テスト商事", "北山市", "南川大学"]
    assert [{c["category"] for c in inc["causes"]} for inc in rec["incidents"]] == [
        {"unauthorized_access"}, {"loss"}, {"misoperation"}]


def test_incidents_one_organisation_under_several_headings_is_no_digest(pipeline):
    text = ("北山市 個人情報の紛失について\n\n■北山市\n2024年6月4日、職員が住民50名分の名簿を紛失しました。\n"
            "■北山市の対応\n2024年6月5日、対象の方に連絡しました。\n")
    assert len(pipeline.process("t", text)["incidents"]) == 1


def test_incidents_second_report_with_the_first_below_is_one_incident(pipeline):
    text = ("個人情報の漏えいに関するお詫びとご報告(第2報)\n\n\n2024年6月10日\nテスト電機株式会社\n\n"
            "2024年5月20日にお知らせいたしました当社サーバーへの不正アクセスについて、調査が完了しました。\n\n"
            "1. 概要\n2024年5月12日、当社サーバーが不正アクセスを受け、顧客1,200名の氏名が流出した可能性があることが判明しました。\n\n"
            "2. 原因\nVPN機器の脆弱性を突かれたことによるものです。\n\n\n"
            "【第1報】(2024年5月20日掲載)\n\n\n個人情報の漏えいに関するお詫び\n\n\n"
            "2024年5月12日、当社サーバーが不正アクセスを受けたことが判明しました。\n")
    rec = pipeline.process("t", text)
    assert len(rec["incidents"]) == 1
    assert {c["category"] for c in rec["incidents"][0]["causes"]} == {"unauthorized_access", "bug_vulnerability"}


def test_incidents_split_cues_skipped_without_their_word(monkeypatch):
    """split_cues says no at once when the part holds no word every cue holds (別): the same
    cuts as the search, for parts with and without the cues."""
    import random

    from rouei.extract.core import rules
    from rouei.extract.doc.context import DocContext
    from rouei.extract.fields import incidents

    pat = rules.compile_pattern(incidents._cfg()["split_cues"]["regex"])
    assert incidents._needed(pat) == ("別",)
    assert incidents._needed(rules.compile_pattern("ab|cd")) == ("ab", "cd")
    assert incidents._needed(rules.compile_pattern("a*")) is None
    pieces = ["これとは別に", "これとは別件で", "別の事案として", "また、別件で", "別", "これとは", "市は",
              "漏えいしました。", "\n", "。", " ", "また、", "別件", "Ａ"]
    rng = random.Random(8)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 20))) for _ in range(500)]
    for text in texts:
        ctx = DocContext("t", text)
        cuts = [(0, len(text))] + [(a, rng.randrange(a, len(text) + 1)) for a in
                                   (rng.randrange(len(text) + 1) for _ in range(3))]
        got = [incidents.split_cues(ctx, a, b) for a, b in cuts]
        with monkeypatch.context() as m:
            m.setattr(incidents, "_needed", lambda pat: None)  # the plain search
            want = [incidents.split_cues(ctx, a, b) for a, b in cuts]
        assert got == want, text
