"""The run-report scrubber matched an id holding a separator ("zed ᾷ-7731") in its other cases by Python's case
folding only: "ZED ᾼ͂-7731" (the same id to the purge) stayed inside a longer text."""

from __future__ import annotations

from utterance_governance.privacy.identity import canonical_ids, key_of_canonical

DELETING = "zed ᾷ-7731"  # the delete-all's spelling
WRITTEN = "ZED \u1fbc\u0342-7731"  # the export's spelling: the same id upper/title-cased


def test_the_spellings_are_one_customer():
    assert canonical_ids([DELETING, WRITTEN]).null_count == 0
    keys = key_of_canonical(canonical_ids([DELETING, WRITTEN])).to_pylist()
    assert keys[0] == keys[1]


def test_the_scrubber_takes_another_case_of_an_id_inside_a_text():
    from utterance_governance.purge.traces import Scrubber

    s = Scrubber({DELETING})
    assert s(WRITTEN) == "[deleted]"  # a whole value: folded
    assert WRITTEN not in s(f"file {WRITTEN}.jsonl: 1 row")  # in text: missed
