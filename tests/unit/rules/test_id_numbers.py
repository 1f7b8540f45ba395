"""A person's number inside an utterance id (``rules.id_numbers``): a card, an IBAN, an SSN, a phone number
without its "+" keep the row out, as an e-mail address does (review 16, F4); counters, dates, hashes and
UUIDs, the ids of nearly every night, do not."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.rules.id_numbers import ids_holding_numbers, number_in_id
from utterance_governance.rules.quality import ids_holding_identifiers

HOLDING = {
    "4111111111111111-0001": "card",  # Luhn-valid, a Visa number
    "4111 1111 1111 1111": "card",
    "378282246310005#3": "card",  # American Express
    "DE89370400440532013000-1": "iban",
    "de89 3704 0044 0532 0130 00": "iban",
    "ssn-123-45-6789": "ssn",
    "415-555-0134-0001": "phone",  # a caller's number without its "+"
    "(415) 555-0134#2": "phone",
    "０６６４ ３１３ ０６ ３４-x": "phone",  # an Austrian number in full width
    "call.030-1234567.1": "phone",  # a Berlin number
}
COUNTERS = [
    "utt-7-2026112000-0003218",  # the generator's ids
    "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3",
    "acct-88231907:dev-4f2a91:0001",
    "u-20261120-000123",
    "evt_1700000000123",  # 13 digits, fails Luhn's network digits
    "2026-11-20T08:00:00Z-0001",
    "2026-11-20-0001",
    "20261120-0001-0002",
    "utt-0000000001",
    "0000123-0002",  # zero-padded counters
    "4155550134",  # ten digits in one piece: a counter as often as a number
    "4111111111111112-0001",  # Luhn fails
    "000-12-3456",  # never issued
    "1234567890123456",  # no card network begins so
]


@pytest.mark.parametrize("uid", sorted(HOLDING))
def test_a_persons_number_in_an_id_is_found(uid):
    assert number_in_id(uid) == HOLDING[uid]
    assert ids_holding_numbers(pa.array([uid, "utt-1"])).tolist() == [True, False]
    assert ids_holding_identifiers(pa.array(["utt-1", uid])).tolist() == [
        False,
        True,
    ]  # (the rule's own reading)


@pytest.mark.parametrize("uid", COUNTERS)
def test_counters_dates_and_hashes_are_no_number_of_a_person(uid):
    assert number_in_id(uid) is None
    assert not ids_holding_numbers(pa.array([uid])).any()


def test_generated_counter_ids_stay():
    """Ids an upstream mints (prefix, date, zero-padded counter, run and shard numbers): none kept out."""
    rng = random.Random(11)
    ids = [
        f"{rng.choice(['utt', 'u', 'evt', 'rec'])}-{rng.randrange(1, 99)}-2026{rng.randrange(1, 13):02d}"
        f"{rng.randrange(1, 29):02d}{rng.randrange(24):02d}-{rng.randrange(10**7):07d}"
        for _ in range(20_000)
    ]
    assert ids_holding_numbers(pa.array(ids)).sum() == 0


@pytest.mark.parametrize("uid", ["4111111111111111-0001", "DE89370400440532013000-1", "415-555-0134-0001",
                                 "ssn-123-45-6789", "zed.person@example.com#0001"])  # fmt: skip
def test_such_a_row_is_not_published_and_the_audit_passes(lake, uid):
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        line(uid, "zed-cust-77", "please turn on the kitchen lights now")
        + line("u-bob-0001", "bob-cust-11", "what is the weather in paris"),
    )
    result = lake.publish()
    assert lake.live_ids() == {"u-bob-0001"}
    assert result["counts"]["quality:utterance_id_holds_identifier"] == 1
    lake.audit()
