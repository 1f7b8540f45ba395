""" "my name is" and an ordinary word: no name stated, as redaction reads it (it replaces any word
after the cue but function words, and leaves these as they are); one such row blocked the night."""

from __future__ import annotations

from utterance_governance.clean.redact import redact_text
from utterance_governance.detect import find_in_text, flag_rows

NO_NAME_STATED = [
    "my name is on the list",
    "my name is not on the list",
    "my name is not on the reservation",
    "my name is in the system",
    "my name is too long for the form",
    "my name is on the account",
    "my name is all caps on the ticket",
    "my name is not showing up",
    "my name is Mr. on the list",
]
NAMES_STATED = [
    "my name is Ornella",
    "my name is Dr. Okafor",
    "my name is dr smith",
    "my name is spelled wrong",
    "my name is Will",
    "je m'appelle Amélie",
    "mein name ist Lukas",
    "me llamo Íñigo",
]


def test_my_name_is_and_a_function_word_is_no_name_statement() -> None:
    assert [redact_text(text, "en-US") for text in NO_NAME_STATED] == NO_NAME_STATED
    assert flag_rows(NO_NAME_STATED, ["en-US"] * len(NO_NAME_STATED), sample_rate=0).tolist() == [
        False
    ] * len(NO_NAME_STATED)


def test_stated_names_are_still_found_and_redacted() -> None:
    assert all(("name", "name_statement") in find_in_text(text, "en-US") for text in NAMES_STATED)
    redacted = [redact_text(text, "en-US") for text in NAMES_STATED]
    assert all("[NAME]" in text for text in redacted)
    assert not flag_rows(redacted, ["en-US"] * len(redacted), sample_rate=0).any()


def test_the_detector_agrees_with_redaction_on_every_word_it_keeps_after_my_name_is() -> None:
    from utterance_governance.clean import names

    words = sorted(names._NOT_A_NAME | names._STRONG_CUES | names._TITLES)
    texts = [f"my name is {word} on the list" for word in words]
    redacted = [redact_text(text, "en-US") for text in texts]
    flags = flag_rows(redacted, ["en-US"] * len(texts), sample_rate=0).tolist()
    assert [text for text, flagged in zip(redacted, flags, strict=True) if flagged] == []
