"""A Japanese e-mail address read out in kana: "たなかドットたろうアットマークドコモドットネット"
(tanaka.taro@docomo.net), a mailbox or a domain in kana beside an "@". The gate's detector read
them and redaction did not: one such utterance blocked the night. Ordinary Japanese with "ドット"
(a dot, dot art, .com) or "アット" (at home, @cosme) keeps its bytes, and the detector leaves it."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("たなかドットたろうアットマークドコモドットネット", "[EMAIL]"),
        ("メールはたなかドットたろうアットマークドコモドットネットです", "メールは[EMAIL]です"),
        ("私のメールアドレスはタナカアットジーメールドットコムです", "私のメールアドレスは[EMAIL]です"),
        ("連絡先はやまだアットマークヤフードットシーオードットジェーピーまで", "連絡先は[EMAIL]まで"),
        ("tanakaアットマークドコモドットネットに送って", "[EMAIL]に送って"),
        ("メールはたなかアットマークdocomo dot ne dot jpです", "メールは[EMAIL]です"),
        ("メールはたなか.たろう@docomo.ne.jpです", "メールは[EMAIL]です"),
        ("たなかたろうアット ドコモ ドット ネット", "[EMAIL]"),
    ],
)
def test_a_japanese_e_mail_in_kana_is_redacted(text: str, expected: str) -> None:
    assert flag_rows([text], ["ja-JP"], sample_rate=0).tolist() == [True]
    assert both(text, "ja-JP") == expected
    assert flag_rows([expected], ["ja-JP"], sample_rate=0).tolist() == [False]


KEPT = [
    "ドットコムバブルの時代",
    "水玉のドット柄とアットホームな雰囲気",
    "アットホームな会社はドットコム企業です",
    "このアットホームなカフェのドットネット",
    "このアットホームなお店ドットコム",
    "アットマークとドットの違いは何ですか",
    "メールアドレスにはアットマークとドットが入ります",
    "アットコスメでドットネットの本を買った",
    "ドット絵のゲームとアットホームなカフェ",
    "アットマークの打ち方ドットの打ち方",
    ".NETはドットネットと読みます",
    "ネットでアットマークを検索したらドット絵が出た",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_japanese_with_dot_or_at_keeps_its_bytes(text: str) -> None:
    assert both(text, "ja-JP") == text
    assert flag_rows([text], ["ja-JP"], sample_rate=0).tolist() == [False]
