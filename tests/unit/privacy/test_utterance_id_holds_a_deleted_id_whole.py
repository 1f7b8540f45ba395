"""An utterance id holds a deleted customer's id only whole (bounded by no letter or digit), never as a bare
substring: another household whose account id merely starts with the deleted account's id keeps its rows
(review of 2026-12-07; ``SaidIds.found_whole``)."""

from __future__ import annotations

from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

NIGHT = "landing/utterances/dt=2026-11-20"
DELETED = "12345678"  # a numeric account id (8 digits: looked for)
OTHER = "123456789"  # another household's owner account: its members' utterances are keyed by it (docs/privacy.md)


def test_an_other_households_utterance_ids_are_not_withdrawn_for_a_prefix_of_their_account(lake):
    """docs/privacy.md: a row "whose utterance id holds that id (``cust-abcdef12:0002`` of another customer:
    an upstream that keys a household's utterances by its owner's account)" goes. Account 123456789's own
    household ids ``123456789:0001`` do not hold account 12345678: no deletion request covers them (SPEC §4
    rule 3) and nothing of customer 12345678 is in them."""
    lake.storage.write_bytes(
        f"{NIGHT}/a.jsonl",
        line("u-del", DELETED, "what is the weather in paris")
        + b"".join(
            line(f"{OTHER}:{i:04d}", f"member-{i}", f"play song number {i} in the kitchen")
            for i in range(1, 6)
        ),
    )
    lake.publish()
    mine = {f"{OTHER}:{i:04d}" for i in range(1, 6)}
    assert mine <= lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    # Before: the purge withdraws all five rows of household 123456789 (bare "1234567890001" holds
    # "12345678"); live_ids() == set()
    assert lake.live_ids() == mine


def test_a_later_night_publishes_the_other_households_rows(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.privacy()
    lake.storage.write_bytes(
        f"{NIGHT}/b.jsonl",
        b"".join(
            line(f"{OTHER}:{i:04d}", f"member-{i}", f"play song number {i} in the kitchen")
            for i in range(1, 6)
        ),
    )
    counts = lake.publish()["counts"]
    # Before: every row decided deletion_requested, nothing published
    assert counts.get("deletion_requested", 0) == 0, counts
    assert len(lake.live_ids()) == 5
