"""Run reports lose a deleted utterance's id in whatever case it is written (``purge.traces.Scrubber``)."""

from __future__ import annotations

import pytest

from utterance_governance.purge.traces import SCRUBBED, Scrubber


@pytest.mark.parametrize(
    ("token", "written"),
    [
        ("6f1c-ab", "6F1C-AB"),  # a plain id, upper-cased by the report's writer
        ("utt/İD-7", "utt/İD-7"),  # an id holding "/" as listed: "İ" lower-cases to two characters
        ("utt/İD-7", "utt/i\u0307d-7"),
        ("straße-1", "STRASSE-1"),
    ],
)
def test_a_deleted_id_is_scrubbed_in_any_case(token: str, written: str) -> None:
    for html in (False, True):
        scrub = Scrubber({token}, html=html)
        assert scrub(f"row {written} failed") == f"row {SCRUBBED} failed"
        assert scrub.hits == 1


def test_other_ids_are_kept() -> None:
    scrub = Scrubber({"utt/İD-7", "6f1c-ab"})
    assert scrub("utt/İD-70 and 6f1c-abc") == "utt/İD-70 and 6f1c-abc"
    assert scrub.hits == 0


def test_a_json_value_that_is_a_deleted_id_in_other_case_is_scrubbed() -> None:
    """``utt/straße`` for ``utt/STRASSE``: an id holding "/" is matched by a regular expression, whose
    case-insensitivity does not take "ß" for "SS"; a value that is the id is compared case-folded."""
    scrub = Scrubber({"utt/STRASSE"})
    assert (
        scrub.json('{"failing": ["utt/straße", "utt/other"]}')
        == '{\n  "failing": [\n    "[deleted]",\n    "utt/other"\n  ]\n}'
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("row utt-ZQX-0001: covered", f"row {SCRUBBED}: covered"),  # the audit's finding lines
        ("see utt-ZQX-0001.", f"see {SCRUBBED}."),
        ("ids: utt-ZQX-0001|u2", f"ids: {SCRUBBED}|u2"),
        ("`utt-ZQX-0001`", f"`{SCRUBBED}`"),
        ("**utt-ZQX-0001**", f"**{SCRUBBED}**"),
        ("#utt-ZQX-0001", f"#{SCRUBBED}"),
        ("utt-ZQX-0001!", f"{SCRUBBED}!"),
        ("utt.2026.1|utt-ZQX-0001%", f"{SCRUBBED}|{SCRUBBED}%"),  # an id holding a dot, beside another
    ],
)
def test_a_deleted_id_beside_punctuation_is_scrubbed(written: str, expected: str) -> None:
    """The words of a report were split at spaces and brackets only: "row <id>: …" kept the id."""
    scrub = Scrubber({"utt-zqx-0001", "utt.2026.1"})
    assert scrub(written) == expected


def test_an_id_inside_a_longer_word_is_kept() -> None:
    scrub = Scrubber({"utt.2026.1", "u-2"})
    assert scrub("utt.2026.10 u-2u-2 a.u-20") == "utt.2026.10 u-2u-2 a.u-20"
    assert scrub.hits == 0
