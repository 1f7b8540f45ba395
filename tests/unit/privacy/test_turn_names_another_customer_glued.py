"""Another customer's id written glued to punctuation (a link, ``id:``, ``@``, a list's comma, a dash of prose) or
inside other marks (``_x_``, ``「x」``, ``x.json``, ``x+work``, ``~~x~~``) is withheld as ``quality:turn_names_customer``, as the same forms of the speaker's own id are withheld by
``quality:turn_names_speaker``."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

T1, T2 = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"
BOB = "cus-123abc45"


def _line(uid: str, customer: str, text: str, at: str) -> bytes:
    return line(uid, customer, text, captured_at=at)


@pytest.fixture
def lake(tmp_path) -> Lake:
    """Bob published on the first night."""
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", _line("u-bob-1", BOB, "what is the weather", T1)
    )
    lake.publish()
    return lake


FORMS = [
    f"open https://x.com/u/{BOB} now",  # in a URL
    f"my friend's id:{BOB}",  # after a label and a colon
    f"add {BOB},cus-99999zzz to the plan",  # a list without spaces
    f"ping @{BOB} about it",  # a mention
    f"send to {BOB}—thanks",  # an em dash
    f"the note says _{BOB}_ in italics",  # markdown emphasis with underscores
    f"the label reads 「{BOB}」",  # corner brackets
    f"download https://x.com/u/{BOB}.json please",  # a link to a file named by the id
    f"email {BOB}+work at the office",  # a plus-tag
    f"see ~~{BOB}~~ struck out",  # markdown strikethrough
]


@pytest.mark.parametrize("text", FORMS)
def test_another_customers_id_glued_to_punctuation_is_not_published(lake, text):
    """Expected: Alice's row writing Bob's (a published customer's) account id is withheld,
    ``quality:turn_names_customer`` — as the same forms of the speaker's own id are by
    ``quality:turn_names_speaker`` (checked below). Before: ``privacy.named.id_words`` split on whitespace
    and stripped only sentence punctuation at the ends, so the word keyed was the whole token
    ("https://x.com/u/cus-123abc45", "_cus-123abc45_", …), no customer's key: the row was published with Bob's id."""
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        _line("u-al-1", "cus-alice-0001", text, T2) + _line("u-bob-2", BOB, text, T2),
    )
    published = lake.publish()
    live = lake.live_ids()
    assert "u-bob-2" not in live  # the speaker's own id in this form: withheld (holds today)
    assert "u-al-1" not in live, f"another customer's id published in {text!r}"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1
