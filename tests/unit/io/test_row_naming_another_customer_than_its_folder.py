"""An utterance naming another customer than its file's Hive folder is malformed (review 14a, F05).

``…/customer_id=zed-4417/part-0.jsonl`` holding ``"customer_id": "bob"`` was bob's alone: published under
bob's speaker key, zed-4417's opt-out never withheld it and zed-4417's delete-all completed with the row
live and its words still in zed-4417's folder. Whose words they are cannot be told (an account merge, a
stale partition key, a writer bug), so neither customer's is published: the row is malformed
(``invalid_id:customer_id_not_of_its_folder``), quarantined as the folder's customer's, and either
customer's deletion reaches it (the folder's by the quarantine row, the other's named in the raw line)."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, opt_out, receipt

from utterance_governance.io.readers import NOT_OF_ITS_FOLDER, read_landing_file
from utterance_governance.io.storage import Storage

FOLDER = "landing/utterances/dt=2026-11-20/customer_id=zed-4417"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def test_a_row_naming_another_customer_is_malformed_and_the_folders(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    rel = f"{FOLDER}/part-0.jsonl"
    storage.write_bytes(rel, line("u1", "bob", "a") + line("u2", "zed-4417", "b") + line("u3", None, "c")
                        + line("u4", " zed-4417", "d") + line("u5", "ZED-4417", "e"))  # fmt: skip
    read = read_landing_file(storage, rel, "utterances")
    assert read.records.column("utterance_id").to_pylist() == ["u2", "u3", "u4"]
    assert set(read.records.column("customer_id").to_pylist()) == {"zed-4417"}
    quarantined = [(q["record_id"], q["customer_id"], q["detail"]) for q in read.quarantine.to_pylist()]
    assert quarantined == [("u1", "zed-4417", NOT_OF_ITS_FOLDER), ("u5", "zed-4417", NOT_OF_ITS_FOLDER)]


def test_a_row_malformed_otherwise_in_a_customers_folder_is_the_folders(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    rel = f"{FOLDER}/part-0.jsonl"
    storage.write_bytes(rel, line("u1", "bob", "a", captured_at="2026-11-20") + line("u2", 17, "b"))
    read = read_landing_file(storage, rel, "utterances")
    assert read.records.num_rows == 0
    assert read.quarantine.column("customer_id").to_pylist() == ["zed-4417", "zed-4417"]


def test_the_folders_customers_delete_all_reaches_a_row_naming_another(lake):
    lake.storage.write_bytes(f"{FOLDER}/part-0.jsonl", line("u1", "bob", "the zebracornflakes recipe"))
    lake.publish()
    assert "u1" not in lake.live_ids()  # neither customer's to publish
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert "u1" not in lake.live_ids(), "a row in zed-4417's folder stayed live after zed-4417's delete-all"
    # every copy the pipeline wrote (quarantine, decisions) is reached, and the landing file
    assert left_in_lake(lake, "zebracornflakes") == []


def test_the_row_named_customers_delete_all_reaches_it_too(lake):
    lake.storage.write_bytes(f"{FOLDER}/part-0.jsonl", line("u1", "bob", "the zebracornflakes recipe"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "bob"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []


def test_the_folders_customers_opt_out_reaches_a_row_naming_another(lake):
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    lake.storage.write_bytes(f"{FOLDER}/part-0.jsonl", line("u1", "bob", "play some jazz"))
    lake.publish()
    assert "u1" not in lake.live_ids(), "a row in an opted-out customer's folder was published"
