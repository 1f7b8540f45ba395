"""Leaks and over-redactions read in the fifth pass over the leftovers (2026-12-05), found by writing
requests and answers as a voice assistant's users and answers say them, in every allowed language. Each
on both sides: redaction (``clean/``) takes the form and the gate's detector (``detect/``, its own code)
flags the raw text and nothing of what redaction left; the look-alikes keep their bytes and are not
flagged (for an over-redaction: the text keeps its bytes, and the detector flagged it neither before nor
after)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import flag_rows


def _flagged(text: str, locale: str = "en-US") -> bool:
    return flag_rows([text], [locale], sample_rate=0).tolist() == [True]


def _kept(text: str, locale: str = "en-US") -> None:
    assert both(text, locale) == text
    assert not _flagged(text, locale)


# --- a day, a month or a numbered thing after "is on", "is at" is no address ------------------


@pytest.mark.parametrize(
    "text",
    [
        "Christmas is on December 25.",
        "Thanksgiving is on November 27 this year.",
        "Halloween is on October 31.",
        "Mother's Day is on May 10.",
        "Your appointment is on Monday 12 at noon.",
        "The concert is on Saturday 14.",
        "The show is on Channel 5 tonight.",
        "Your flight is at Gate 12.",
        "Your train is on Platform 9.",
        "The meeting is at Room 204.",
        "That song is on Track 7.",
        "The answer is on Chapter 3.",
        "The recipe is on Season 2 of the show.",
        "The game is on ESPN 2.",
    ],
)
def test_a_date_or_a_numbered_thing_after_is_on_is_no_address(text: str) -> None:
    _kept(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the office is on Baker Street 221", "the office is on [ADDRESS]"),
        ("the restaurant is at Elm 45", "the restaurant is at [ADDRESS]"),
        ("she lives on Maple Avenue 12", "she lives on [ADDRESS]"),
        ("my address is Mayfield 12", "my address is [ADDRESS]"),
    ],
)
def test_a_cued_street_is_still_one(text: str, expected: str) -> None:
    assert redacted_unflagged(text, "en-US") == expected


# --- thousands set apart by spaces are a count in an answer -----------------------------------


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Paris compte 2 165 423 habitants.", "fr-FR"),
        ("Paris compte 2\u202f165\u202f423 habitants.", "fr-FR"),  # French typography's narrow space
        ("Paris compte 2\u00a0165\u00a0423 habitants.", "fr-FR"),
        ("La France compte 68 042 591 habitants.", "fr-FR"),
        ("Montréal compte 1 762 949 habitants.", "fr-CA"),
        ("Le record est de 2 345 678 vues.", "fr-FR"),
        ("Deutschland hat 84 482 267 Einwohner.", "de-DE"),
        ("Das kostet 1 299 999 Euro.", "de-DE"),
        ("España tiene 48 345 223 habitantes.", "es-ES"),
        ("L'Italia ha 58 850 717 abitanti.", "it-IT"),
        ("Nederland heeft 17 811 291 inwoners.", "nl-NL"),
        ("Portugal tem 10 467 366 habitantes.", "pt-PT"),
        ("Texas has 29 145 505 people.", "en-US"),
    ],
)
def test_spaced_thousands_in_an_answer_are_a_count(text: str, locale: str) -> None:
    _kept(text, locale)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("llámame al 612 345 678", "es-ES", "llámame al [PHONE]"),
        ("son 612 345 678 euros", "es-ES", "son [PHONE] euros"),  # a valid Spanish mobile, whatever follows
        ("call me at 78 540 805 tomorrow", "en-US", "call me at [PHONE] tomorrow"),
        ("Phone: 78 660 058 E-mail", "en-US", "Phone: [PHONE] E-mail"),
        ("They're not answering at 76 282 792 today", "en-US", "They're not answering at [PHONE] today"),
        ("ruf 30 123 456 Handy an", "de-DE", "ruf [PHONE] Handy an"),
        ("78 171 120 office", "en-US", "[PHONE] office"),
        ("the number on my card is 577 982 915", "en-CA", "the number on my card is [PHONE]"),  # nine: an id
        ("mon numéro est le 06 12 34 56 78", "fr-FR", "mon numéro est le [PHONE]"),
    ],
)
def test_spaced_digit_groups_that_are_phones_stay_phones(text: str, locale: str, expected: str) -> None:
    assert redacted_unflagged(text, locale) == expected
