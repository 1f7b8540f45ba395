"""A turn that writes the account id of a customer first seen in another landing file of the same night is not
published (SPEC §3.1; ``quality:turn_names_customer``). The files are decided one by one, each knowing only the
store and itself; once every file is decided, each id partition's turns are read again against every customer the
night's files hold (``jobs.publish.gate_partition``), and the re-check under the lock withholds what they name.

Before: "invite cus-carol-7781 to dinner" was published when Carol's first rows were in another file that night."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

T1, T2 = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"


def bob_published(tmp_path, store_url) -> Lake:
    """Bob published on the first night; Carol and Erin never before."""
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        line("u-bob-1", "cus-bob-4417x", "what is the weather", captured_at=T1),
    )
    lake.publish()
    return lake


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return bob_published(tmp_path, store_url)


@pytest.mark.parametrize("naming_file_first", [True, False], ids=["naming-file-first", "naming-file-last"])
@pytest.mark.parametrize(
    ("customer", "said"),
    [
        ("cus-carol-7781", "invite cus-carol-7781 to dinner"),
        (
            "Carol-Acct-77x1",
            "invite carol-acct-77x1 to dinner",
        ),  # her id in mixed case, written in lower case
        ("cus-carol-7781", "share it with CUS-CAROL-7781."),
    ],
)
def test_a_customer_first_seen_in_another_file_of_the_night_is_known(lake, naming_file_first, customer, said):
    naming = line("u-al-1", "cus-alice-0001", said, captured_at=T2)
    carols = line("u-carol-1", customer, "play some jazz", captured_at=T2)
    first, last = (naming, carols) if naming_file_first else (carols, naming)
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b1.jsonl", first)
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b2.jsonl", last)
    published = lake.publish()
    assert "u-carol-1" in lake.live_ids()
    assert "u-al-1" not in lake.live_ids()
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1
    assert published["counts"].get("published") == 1


def test_a_customer_whose_rows_are_all_withheld_that_night_is_known_too(lake):
    """Erin's only row is too short to publish: her id in Alice's turn, from another file, is still hers."""
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b1.jsonl",
        line("u-al-1", "cus-alice-0001", "send the photos to cus-erin-5521", captured_at=T2),
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b2.jsonl", line("u-erin-1", "cus-erin-5521", "", captured_at=T2)
    )
    published = lake.publish()
    assert "u-al-1" not in lake.live_ids()
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


def test_an_id_shaped_word_of_no_customer_of_the_night_is_published(lake):
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b1.jsonl",
        line("u-al-1", "cus-alice-0001", "my flight is ba2490x7 tomorrow", captured_at=T2),
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b2.jsonl",
        line("u-carol-1", "cus-carol-7781", "play jazz", captured_at=T2),
    )
    published = lake.publish()
    assert {"u-al-1", "u-carol-1"} <= lake.live_ids()
    assert TURN_NAMES_CUSTOMER not in published["counts"]


def test_the_decisions_file_says_why(lake):
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b1.jsonl",
        line("u-al-1", "cus-alice-0001", "invite cus-carol-7781 to dinner", captured_at=T2),
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b2.jsonl",
        line("u-carol-1", "cus-carol-7781", "play jazz", captured_at=T2),
    )
    lake.publish()
    decisions = {
        row["utterance_id"]: row["reason"]
        for path in lake.storage.list_files("decisions", (".parquet",))
        for row in lake.storage.read_parquet(path.path).select(["utterance_id", "reason"]).to_pylist()
    }
    assert decisions["u-al-1"] == TURN_NAMES_CUSTOMER
    assert decisions["u-carol-1"] == "published"
