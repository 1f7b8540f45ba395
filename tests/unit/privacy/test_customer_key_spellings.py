"""A record the reader refuses for giving its customer twice under two spellings of the key
(``"customer_id": "bob"`` and ``"customerId": "zed"``: ``duplicate_key:customer_id``) was salvaged as
bob's: the salvage read only the key spelled ``customer_id``. Bob was held; zed's opt-out was lost, and
zed's next utterance published (review 11, F7). The salvage reads every spelling the reader folds to
``customer_id`` now: two customers named, the record is nobody's it could tell, and publishing stops
(fail closed, as for records glued by a lost line break); one customer under two spellings holds them."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, line

from utterance_governance.io.readers import customers_in_raw
from utterance_governance.jobs.publish import PublishingBlocked

EVENT = (
    '{{"event_id": "e1", {first}, {second}, "purpose": "model_training", "status": "opted_out", '
    '"effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "support"}}\n'
)


@pytest.mark.parametrize(
    "text, named",
    [
        ('{"customer_id": "bob", "customerId": "zed"}', ["bob", "zed"]),
        ('{"Customer-ID": "zed", "x": 1}', ["zed"]),
        ('{"ＣＵＳＴＯＭＥＲ＿ＩＤ": "zed"}', ["zed"]),  # full-width: NFKC folds it
        ('{"customer\\u005fid": "zed"}', ["zed"]),  # an escape: read as JSON reads it
        ('{"customer id": ["zed"]}', ["zed"]),
        ('{"customer\\u00": "zed"}', [None]),  # an escape that does not decode: whose it is cannot be told
        ('{"customer": "zed", "id": "e-1", "customer_ids": "x"}', []),  # no spelling of the key
        ('{"text": "my customer_id is zed"}', []),
    ],
)
def test_every_spelling_of_the_key_names_its_customer(text, named):
    assert customers_in_raw(text) == named


@pytest.mark.parametrize(
    "first, second",
    [('"customer_id": "bob"', '"customerId": "zed"'), ('"Customer_ID": "zed"', '"customer_id": "bob"')],
    ids=["customerId-second", "Customer_ID-first"],
)
def test_a_record_naming_two_customers_under_two_spellings_stops_publishing(lake, first, second):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", EVENT.format(first=first, second=second).encode())
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == set()  # not bob alone
        assert any("duplicate_key:customer_id" in r for r in store.privacy_blocked_reasons())
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-zed-2", "zed", "play more jazz", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    with pytest.raises(PublishingBlocked, match="duplicate_key:customer_id"):
        lake.publish()
    assert "u-zed-2" not in lake.live_ids()


def test_one_customer_under_two_spellings_is_held(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/consent/c.jsonl",
        EVENT.format(first='"customer_id": "zed"', second='"customerId": "zed"').encode(),
    )
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == {"zed"} and not store.privacy_blocked_reasons()
    assert lake.live_ids() == {"u-bob"}


def test_a_spelling_of_the_key_longer_than_the_salvage_reads_names_nobody(lake):
    """``"customer_id" + 80 dashes`` folds to the key the reader refuses a record for giving twice, but the
    salvage reads keys of 80 characters: it named bob alone, and zed's opt-out was lost (review 12, F1)."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", EVENT.format(first='"customer_id": "bob"',
                                                                     second=f'"customer_id{"-" * 80}": "zed"').encode())  # fmt: skip
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == set()
        assert any("duplicate_key:customer_id" in r for r in store.privacy_blocked_reasons())


@pytest.mark.parametrize("quotes", [0, 1, 12], ids=["few-quotes", "some-quotes", "escaped-quotes"])
def test_the_salvage_finds_the_keys_every_quote_would_find(quotes):
    """The salvage tries a key only at the quotes a key's closing quote can follow (a line of 1 MiB of
    escaped quotes took 1.4 s, 0.06 s now); it finds the very keys trying every quote finds, in order."""
    import random

    from utterance_governance.io.readers import _ANY_KEY, _key_matches

    rng = random.Random(quotes)
    pieces = ['"', "\\", ":", " ", "a", "_", "{", "}", ",", "\u3000", "customer_id", '"customer_id":',
              '\\"customer_id\\":', '"' + "x" * 79, '"' + "y" * 81]  # fmt: skip
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) + '\\"' * rng.randint(
            0, quotes * 20
        )
        text = text[: rng.randint(0, len(text))] + text[len(text) // 2 :]
        expected = [m.span() for m in _ANY_KEY.finditer(text)]
        assert [m.span() for m in _key_matches(text)] == expected, text
