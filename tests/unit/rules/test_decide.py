"""The decision core on small inline batches: one decision per row, precedence, cleaning."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from test_record_rules import NOW, ts, utterances
from tests.unit.privacy.test_privacy_rules import consent, deletions

from utterance_governance import schema as S
from utterance_governance.decide import decide_records
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, speaker_keys
from utterance_governance.rules.duplicate import content_hashes

KEY = b"test-key"


def with_text(records: pa.Table, transcripts: list[str], responses: list[str | None]) -> pa.Table:
    records = records.set_column(
        records.schema.get_field_index("transcript"), "transcript", pa.array(transcripts)
    )
    records = records.set_column(records.schema.get_field_index("response"), "response", pa.array(responses))
    n = records.num_rows
    return records.append_column("source_file", pa.array(["f.jsonl"] * n)).append_column(
        "line", pa.array(range(1, n + 1), pa.int64())
    )


def reasons(decided) -> dict[str, str]:
    return dict(zip(decided.decisions.column("utterance_id").to_pylist(),
                    decided.decisions.column("reason").to_pylist(), strict=True))  # fmt: skip


def test_every_row_gets_one_reason_by_precedence():
    records = with_text(
        utterances(
            ("deleted", "c1", ts(1), "de-DE"),  # deleted AND no consent: deletion wins
            ("out", "c2", ts(1), "en-US"),
            ("eu", "c3", ts(1), "fr-FR"),
            ("sw", "c4", ts(1), "sw-KE"),
            ("ok", "c5", ts(2), "en-US"),
            ("dup", "c6", ts(3), "en-US"),
            ("empty", "c7", ts(1), "en-US"),
        ),
        ["hi there", "hi there", "bonjour", "jambo", "Set a timer, please!", "set a timer please", "   "],
        ["x", "x", "y", "z", "OK.", "ok", "fine"],
    )
    state = PrivacyState(
        consent=consent(("c2", "opted_out", ts(5))),
        deletions=deletions(dict(customer_id="c1", scope="all", requested_at=ts(9))),
    )
    decided = decide_records(records, state, Policy(), NOW, KEY)
    assert reasons(decided) == {
        "deleted": S.DELETION_REQUESTED,
        "out": S.OPTED_OUT,
        "eu": S.NO_CONSENT,
        "sw": "quality:locale_not_allowed",
        "ok": S.PUBLISHED,
        "dup": S.DUPLICATE,  # same turns as "ok" once normalised; "ok" was captured first
        "empty": "quality:empty_transcript",
    }
    assert sum(decided.counts.values()) == records.num_rows
    assert decided.publishable.column("utterance_id").to_pylist() == ["ok"]
    # decisions carry no text; the publishable row carries the speaker pseudonym, not the id
    assert "transcript" not in decided.decisions.column_names
    assert (
        decided.publishable.column("speaker_key")[0].as_py() == speaker_keys(pa.array(["c5"]), KEY)[0].as_py()
    )


def test_identifiers_are_redacted_before_publishing():
    records = with_text(
        utterances(("u1", "c1", ts(1), "en-US")),
        ["email me at jane.doe@example.com or call five five five one two three four"],
        ["Sure, I will call 415-555-0100."],
    )
    decided = decide_records(records, PrivacyState(), Policy(), NOW, KEY)
    row = decided.publishable.to_pylist()[0]
    assert row["user_text"] == "email me at [EMAIL] or call [PHONE]"
    assert row["assistant_text"] == "Sure, I will call [PHONE]."


def test_live_duplicates_are_not_published_again():
    records = with_text(utterances(("u1", "c1", ts(1), "en-US")), ["what time is it"], ["It is noon."])
    live = content_hashes(pa.array(["What time is it?"]), pa.array(["it is noon"]))
    decided = decide_records(records, PrivacyState(), Policy(), NOW, KEY, live_hashes=live)
    assert reasons(decided) == {"u1": S.DUPLICATE}


def test_the_turn_boundary_is_part_of_the_content():
    a = content_hashes(pa.array(["a b"]), pa.array(["c"]))
    b = content_hashes(pa.array(["a"]), pa.array(["b c"]))
    assert a.to_pylist() != b.to_pylist()


def test_speaker_keys_are_keyed_and_stable():
    ids = pa.array(["c1", "c2", "c1", None])
    keys = speaker_keys(ids, KEY).to_pylist()
    assert keys[0] == keys[2] != keys[1] and keys[3] is None and len(keys[0]) == 64
    assert speaker_keys(ids, b"other-key").to_pylist()[0] != keys[0]


def test_blocked_publishing_holds_everyone_back():
    records = with_text(utterances(("u1", "c1", ts(1), "en-US")), ["hello there"], ["hi"])
    state = PrivacyState(blocked_reasons=("consent file line 3 unreadable",))
    assert reasons(decide_records(records, state, Policy(), datetime(2026, 11, 26, tzinfo=UTC), KEY)) == {
        "u1": S.HELD_BACK
    }


@pytest.mark.parametrize(
    "said",
    ["...", "?!", "\u200b\u200b", "\ufeff\ufeff", "\x01\x02", "\u2800\u2800", "\u3164\u3164", "\u0301\u0301", "- -"],
    ids=["dots", "punctuation", "zero-width", "bom", "controls", "braille-blank", "hangul-filler", "lone-marks",
         "dashes"],
)  # fmt: skip
def test_a_transcript_with_no_letter_and_no_digit_is_empty(said):
    """Their length passed the empty rule, and a line of dots went into a training row."""
    records = with_text(utterances(("u1", "c1", ts(1), "en-US"), ("u2", "c2", ts(1), "en-US")), [said, "ok 2"],
                        ["Sorry?", "Done."])  # fmt: skip
    decided = decide_records(records, PrivacyState(), Policy(), NOW, KEY)
    assert reasons(decided) == {"u1": "quality:empty_transcript", "u2": S.PUBLISHED}
