"""The Japanese full stop (``。``, half-width ``｡``), which a Japanese keyboard types for ".", inside
an e-mail address or between the digit groups of a phone number: neither redaction nor the gate read
it, and the identifier was published."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("メールアドレスはtanaka.taro@gmail。comです", "ja-JP", "メールアドレスは[EMAIL]です"),
        ("メールはtanaka_taro＠yahoo。co。jpです", "ja-JP", "メールは[EMAIL]です"),
        ("電話番号は090。1234。5678です", "ja-JP", "電話番号は[PHONE]です"),
        ("my number is 415。555。0123", "en-US", "my number is [PHONE]"),
        ("my email is john.smith@example｡com", "en-US", "my email is [EMAIL]"),
    ],
)
def test_a_japanese_full_stop_inside_an_identifier(text: str, locale: str, expected: str) -> None:
    assert both(text, locale) == expected
    assert flag_rows([expected], [locale], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    "text",
    [
        "今日はOK。明日は晴れ。",
        "価格は5。99ドルです。",
        "2026。12。05に会議",
        "会議はiPhone。ありがとう",
        "バージョン1。2。3です",
    ],
)
def test_sentences_with_a_full_stop_keep_their_bytes(text: str) -> None:
    assert both(text, "ja-JP") == text
