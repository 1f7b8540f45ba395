"""The second review of 2026-12-07 (of 29815ea): spoken forms where redaction and the gate's detector disagreed.

The gate (quality/gate.py) runs the detector over the redacted text and blocks the night's publish on any finding:
an identifier redaction keeps and the detector flags blocks it, and so does a benign text the detector flags."""

from __future__ import annotations

import pytest
from tests.unit.clean.test_spoken_forms_review_2026_12_07 import _gate_flags, _redacted

from utterance_governance.detect.detector import find_in_text


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Nadal mène 6-4 6-3 trente-quinze", "fr-FR"),
        ("Nadal gagne 6-4 6-3 7-6 vingt-deux minutes plus tard", "fr-FR"),
        ("Nadal führt 6-4 6-3 dreißig-fünfzehn", "de-DE"),
        ("Nadal gana 6-4 6-3 treinta-quince", "es-ES"),
        ("Sinner vince 6-4 6-3 trenta-quindici", "it-IT"),
        ("Nadal vence 6-4 6-3 trinta-quinze", "pt-BR"),
        ("Nadal leidt 6-4 6-3 dertig-vijftien", "nl-NL"),
        ("ganó 6-4 6-3 7-6 veintidós minutos después", "es-ES"),
        ("vince 6-4 6-3 7-6 ventidue minuti dopo", "it-IT"),
    ],
)
def test_a_tennis_score_is_not_flagged(text, locale):
    """Expected: a tennis score (one-digit groups joined by hyphens, then the game's points as words) is no
    phone number to the detector (redaction keeps it). Before: detector ``_groups_with_a_pair`` flagged
    spoken_number/groups_with_a_pair, and the gate blocked the night's publish."""
    assert find_in_text(text, locale) == []


@pytest.mark.parametrize(
    "text", ["Nadal mène 6-4 6-3 trente-quinze", "Nadal gagne 6-4 6-3 7-6 vingt-deux minutes plus tard"]
)
def test_a_french_tennis_score_keeps_its_bytes_and_passes_the_gate(text):
    """Expected: kept byte for byte, the gate passes. Before: kept, but the gate flagged it."""
    out = _redacted(text, "fr-FR")
    assert out == text
    assert not _gate_flags(out, "fr-FR")


@pytest.mark.parametrize(
    ("text", "locale"),
    [("06 12 trente-quatre 56 78", "fr-FR"), ("+33 6 12 trente-quatre 56 78", "fr-FR")],
)
def test_groups_with_a_pair_still_read(text, locale):
    """Expected: a phone number said in groups, one of them as words, is still [PHONE] and flagged raw.
    Before: the same (the score fix must not lose it)."""
    assert "[PHONE]" in _redacted(text, locale)
    assert ("spoken_number", "groups_with_a_pair") in find_in_text(text, locale)


@pytest.mark.parametrize(
    "text",
    [
        "il mio codice fiscale è RSS-MRA-85-T-10-A-562-S",
        "il mio codice fiscale è rss, mra, 85, t, 10, a, 562, s",
    ],
)
def test_codice_fiscale_in_hyphen_or_comma_groups_is_redacted(text):
    """Expected: [NATIONAL_ID], the gate passes. Before: kept byte for byte (``_ALNUM_ID`` joined the groups
    by spaces only), the detector flagged it and the gate blocked."""
    out = _redacted(text, "it-IT")
    assert "[NATIONAL_ID]" in out, out
    assert not _gate_flags(out, "it-IT")


@pytest.mark.parametrize(
    "text",
    [
        "my national insurance number is ab 12 three four 56 c",
        "my national insurance number is ab one two 34 five six c",
        "my national insurance number is ab double one two three four five c",
        "my ni number is ab triple one two three four c",
    ],
)
def test_named_nino_with_digits_partly_written_or_doubled_is_redacted(text):
    """Expected: [NATIONAL_ID], the gate passes; the detector flags the raw form. Before: kept (redaction
    needed three digit words in a row and knew no "double"); the detector flagged the partly written ones
    (gate blocked) and not the doubled one (published)."""
    out = _redacted(text, "en-GB")
    assert "[NATIONAL_ID]" in out, out
    assert not _gate_flags(out, "en-GB")
    assert ("national_id", "nino_spoken") in find_in_text(text, "en-GB")


@pytest.mark.parametrize(
    "text", ["ab 12 three four 56 c", "ab double one two three four five c", "qq 12 three four 56 c"]
)
def test_unnamed_or_specimen_nino_keeps_its_bytes(text):
    """Expected: kept (a NINO not named, or HMRC's specimen prefix). Before: the same."""
    assert _redacted(f"call me {text}", "en-GB") == f"call me {text}"


def test_full_name_with_a_particle_before_a_mailbox():
    """Expected: "[NAME] [EMAIL]", the gate passes. Before: "stuur naar jan de vries [EMAIL]" (a given name and
    a surname only, no particle), the detector flagged called_full_name and the gate blocked."""
    out = _redacted("stuur naar jan de vries zevenentachtig at gmail punt com", "nl-NL")
    assert out == "stuur naar [NAME] [EMAIL]", out
    assert not _gate_flags(out, "nl-NL")
