"""The gate's detector on the forms the review of 2026-12-07 found: Japanese phone numbers joined by "の" or mixing
kanji and written digits (read raw, so the gate is independent of redaction), a spelled mailbox's hyphen said
"minus" or by another of its names (raw, and what redaction would leave of it beside ``[EMAIL]``); and the
look-alikes it must leave alone (a finding blocks the night's publish)."""

from __future__ import annotations

import pytest

from utterance_governance.detect import find_in_text, flag_rows


def _flags(cases: list[tuple[str, str]]) -> list[bool]:
    return flag_rows([t for t, _ in cases], [loc for _, loc in cases], sample_rate=0).tolist()


_JAPANESE_PHONES = [
    "電話番号は090の1234の5678です",
    "090の1234の5678に電話して",
    "電話番号は〇九〇の１２３４の５６７８です",
    "〇九〇ー１２３４ー五六七八",
    "〇九〇ー1234ー五六七八に電話",
    "〇三の1234の5678までどうぞ",
]


@pytest.mark.parametrize("text", _JAPANESE_PHONES)
def test_a_japanese_phone_joined_by_no_or_mixing_numerals_is_flagged_raw(text: str) -> None:
    assert _flags([(text, "ja-JP")]) == [True]
    assert "phone" in {kind for kind, _ in find_in_text(text, "ja-JP")}


def test_the_japanese_phones_are_flagged_in_a_column() -> None:
    """Through the row scope and the RE2 prefilters together (the mixed form has four written digits only)."""
    assert _flags([(text, "ja-JP") for text in [*_JAPANESE_PHONES, "今日は晴れ"]]) == [True] * 6 + [False]


@pytest.mark.parametrize(
    "text",
    [
        "西新宿2の8の1のカフェ",
        "3の倍数と5の倍数",
        "1の2の3で始めます",
        "1000の2000の3000人",
        "二十の1234の5678",
        "10の3乗は1000です",
        "0の1の2",
    ],
)
def test_japanese_digits_joined_by_no_that_are_no_phone_are_not_flagged(text: str) -> None:
    assert _flags([(text, "ja-JP")]) == [False]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("hans strich peter at web punkt de", "de-DE"),
        ("hans minus peter at gmx punkt de", "de-DE"),
        ("john minus smith at gmail dot com", "en-US"),
        ("jean moins dupont arobase orange point fr", "fr-FR"),
        ("juan menos perez arroba gmail punto com", "es-ES"),
        ("juan raya perez arroba gmail punto com", "es-ES"),
        ("mario lineetta rossi chiocciola libero punto it", "it-IT"),
        ("jan koppelteken jansen apenstaartje ziggo punt nl", "nl-NL"),
    ],
)
def test_a_mailbox_with_a_hyphen_word_is_flagged_raw(text: str, locale: str) -> None:
    assert _flags([(text, locale)]) == [True]
    assert "email" in {kind for kind, _ in find_in_text(text, locale)}


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("hans strich [EMAIL]", "de-DE"),
        ("john minus [EMAIL]", "en-US"),
        ("juan menos [EMAIL]", "es-ES"),
        ("mario lineetta [EMAIL]", "it-IT"),
        ("jean moins [EMAIL]", "fr-FR"),
    ],
)
def test_a_mailbox_part_left_before_a_hyphen_word_is_flagged(text: str, locale: str) -> None:
    """What redaction would leave if it read the hyphen word as no joiner (the review's leak): rule ``mailbox_left``."""
    assert ("email", "mailbox_left") in find_in_text(text, locale)
    assert _flags([(text, locale)]) == [True]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("five minus two", "en-US"),
        ("what is ten minus three", "en-US"),
        ("zehn minus drei", "de-DE"),
        ("dix moins trois", "fr-FR"),
        ("son las cinco menos cuarto", "es-ES"),
        ("más o menos a las ocho", "es-ES"),
        ("dieci meno tre fa sette", "it-IT"),
        ("set the temperature to minus two", "en-US"),
        ("zeichne einen strich unter die summe", "de-DE"),
        ("the answer is [EMAIL]", "en-US"),
        ("minus [EMAIL]", "en-US"),
    ],
)
def test_hyphen_words_outside_a_mailbox_are_not_flagged(text: str, locale: str) -> None:
    assert _flags([(text, locale)]) == [False]


def test_a_sum_before_at_is_no_mailbox_joined_by_minus() -> None:
    """A hyphen word between two number words is arithmetic, no mailbox's joiner ("ten minus three at home dot
    com"); between names it is one ("hans minus peter at schule punkt de")."""
    assert _flags(
        [
            ("ten minus three at home dot com", "en-US"),
            ("zehn minus drei at arbeit punkt de", "de-DE"),
            ("acht minus zwei at schule punkt de", "de-DE"),
            ("hans minus peter at schule punkt de", "de-DE"),
        ]
    ) == [False, False, False, True]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("me acorda às seis e meia, sete e quinze e oito e meia", "pt-BR"),
        ("alarmes às seis e trinta, sete e quinze, oito e trinta", "pt-BR"),
        ("alarmas a las seis y treinta, siete y quince, ocho y treinta", "es-ES"),
    ],
)
def test_lists_of_clock_times_are_not_flagged(text: str, locale: str) -> None:
    assert _flags([(text, locale)]) == [False]
