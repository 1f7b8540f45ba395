"""Two places that matched ids by Python's case folding (or by lower and upper case alone) after ids came to fold
to Unicode's compatibility caseless form (``identity._caseless``): a listing naming a recording's id in another
case ("ΤΑΪ́ΖΩ-0001" for "ταΐζω-0001") reached the recording but not its live redelivery (the store's twin
lookup), and its receipt completed; a delete-all of "c-ᾷ-7" withdrew the rows of "c-ᾼ͂-7" (its title case) but
left that customer's landing path unsealed in the store's registry."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt
from tests.unit.purge.test_recording_twins import DT, REDELIVERED, SAME, WORDS, twins
from tests.unit.purge.test_store_paths import BOB, _naming, _partitioned, _paths

from utterance_governance.privacy.identity import key_of_canonical, listed_key
from utterance_governance.purge.store_paths import deleted_customer

SHOWN = "ταΐζω-0001"  # the id the customer's app shows (U+0390 in NFC); dropped as the duplicate


def _delivered_twice(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line(SHOWN, "zed-cust-77", WORDS, **SAME)
        + line(REDELIVERED, "zed-cust-77", WORDS, **SAME)
        + line("u-bob", "bob-cust-11", "what is the weather in paris"),
    )


def _listed_after_delivered_twice(lake, listed: str) -> None:
    """The recording delivered twice and published once; then a listing of ``listed`` carried out."""
    _delivered_twice(lake)
    lake.publish()
    assert lake.live_ids() == {REDELIVERED, "u-bob"}
    assert twins(lake) == [(SHOWN, REDELIVERED)]
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("req-1", "zed-cust-77", "utterances", utterance_ids=[listed]),
    )
    lake.privacy(check_deadlines=False)


def test_control_listing_the_shown_id_as_written_takes_the_live_twin(lake):
    _listed_after_delivered_twice(lake, SHOWN)
    assert lake.live_ids() == {"u-bob"}


def test_listing_the_shown_id_upper_cased_takes_the_live_twin(lake):
    upper = SHOWN.upper()  # "ΤΑΪ́ΖΩ-0001": the listing folds to the shown id now (3ce95c1)
    assert listed_key(pa.array([upper])).to_pylist() == listed_key(pa.array([SHOWN])).to_pylist()
    _listed_after_delivered_twice(lake, upper)
    done = receipt(lake, "req-1")
    # observed: the receipt completes (published_rows 0) and the redelivery of the listed recording stays live
    assert lake.live_ids() == {"u-bob"}, (done["status"], done["removed"])  # as it goes for SHOWN


DELETING = "c-ᾷ-7"  # the delete-all's spelling
WRITTEN = "c-\u1fbc\u0342-7"  # the export's spelling: the same id in title case ("ᾷ".title())
PATH = f"{DT}/customer_id={WRITTEN}/part-0.jsonl"


def test_the_two_spellings_are_one_customer_to_the_fold():
    assert unicodedata.normalize("NFC", "ᾷ".title()) == "\u1fbc\u0342"
    keys = key_of_canonical(pa.array([DELETING, WRITTEN])).to_pylist()
    assert keys[0] == keys[1]


def test_store_paths_folds_as_the_purge_does():
    assert deleted_customer([DELETING])(WRITTEN)  # "any letter case" (purge.store_paths)


def test_a_delete_all_seals_the_path_of_its_title_case_spelling(lake):
    _partitioned(lake, PATH, "u-c7", WRITTEN, "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    assert lake.live_ids() == {"u-c7", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", DELETING))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}  # the delete-all reached the rows of WRITTEN (same fold)
    assert receipt(lake, "req-1")["status"] == "completed"
    # ... but the store's registry still names WRITTEN raw
    assert [p for p in _paths(lake, "processed_files") if WRITTEN in p] == []
    assert _naming(lake, WRITTEN) == set()
