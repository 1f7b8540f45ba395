"""A delete-all removes the customer's access report folder ``reports/access/<speaker_key[:16]>/<run>/``,
and then its parent once empty: a folder named with the 16 digits of the deleted customer's speaker key
(the token the run-report scrub replaces by ``[deleted]``) must not stay in the access root's listing."""

from __future__ import annotations

import os

import pyarrow as pa
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.privacy import speaker_keys


def test_a_delete_all_leaves_no_folder_named_by_the_customers_speaker_key(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "what is the weather")
                             + line("u-bob", "bob", "set a timer"))  # fmt: skip
    lake.publish()
    lake.access_report("zed-4417")
    lake.access_report("bob")
    keys = speaker_keys(pa.array(["zed-4417", "bob"]), lake.key.encode()).to_pylist()
    root = lake.access_storage.root_url.removeprefix("file://")

    def named(prefix: str) -> list[str]:
        return [os.path.join(d, n) for d, dirs, files in os.walk(root) for n in dirs + files if prefix in n]

    assert named(keys[0][:16]) and named(keys[1][:16])
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert named(keys[0][:16]) == []
    assert named(keys[1][:16])  # another customer's report stays
    assert os.path.isdir(os.path.join(root, "reports", "access"))
