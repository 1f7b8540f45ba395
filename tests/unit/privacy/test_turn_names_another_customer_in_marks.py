"""Another customer's id in forms the speaker's own id is already withheld in (quality:turn_names_speaker)."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

T1, T2 = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"
BOB = "cus-123abc45"


def _line(uid: str, customer: str, text: str, at: str) -> bytes:
    return line(uid, customer, text, captured_at=at)  # (``test_every_copy_edges.line``)


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", _line("u-bob-1", BOB, "what is the weather", T1)
    )
    lake.publish()
    return lake


FORMS = [
    f"the note says _{BOB}_ in italics",  # markdown emphasis with underscores
    f"the label reads 「{BOB}」",  # corner brackets
    f"download https://x.com/u/{BOB}.json please",  # a link to a file named by the id
    f"email {BOB}+work at the office",  # a plus-tag
    f"see ~~{BOB}~~ struck out",  # markdown strikethrough
]


@pytest.mark.parametrize("text", FORMS)
def test_another_customers_id_in_other_punctuation_is_not_published(lake, text):
    """Expected (SPEC §3.1: a customer_id never appears in published output; f0610a9: another customer's id
    is read inside a word its punctuation joins): Alice's row writing Bob's (a published customer's) id is
    withheld as quality:turn_names_customer, as Bob's own row in the same text is withheld as
    quality:turn_names_speaker. Actual: ``privacy.named.id_words`` strips only ``_EDGES`` and splits only on
    ``_JOINERS``; "_", "「」", ".json", "+", "~" are neither, so the keyed word is "_cus-123abc45_" etc., no
    customer's key: Alice's row is published with Bob's id."""
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        _line("u-al-1", "cus-alice-0001", text, T2) + _line("u-bob-2", BOB, text, T2),
    )
    published = lake.publish()
    live = lake.live_ids()
    assert "u-bob-2" not in live  # the speaker's own id in this form: withheld
    assert "u-al-1" not in live, f"another customer's id published in {text!r}"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1
