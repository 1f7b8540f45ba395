"""A gzip of nothing is 20 bytes: a privacy file named ``.gz`` of zero bytes (an upload that never wrote) or of
NUL bytes only (what a crash leaves) is no gzip, never a file of no records. It was read as empty, processed,
and the customers it may name were published; it is unreadable now (``unreadable_file:empty_file``,
``unreadable_file:corrupt_gzip``), which names nobody and so blocks publishing until it is acknowledged."""

from __future__ import annotations

import gzip

import pytest
from tests.unit.purge.test_every_copy_edges import DT, line

from utterance_governance.io.readers import read_landing_file
from utterance_governance.jobs.publish import PublishingBlocked


@pytest.mark.parametrize(
    ("data", "detail"),
    [(b"", "unreadable_file:empty_file"), (b"\0" * 100, "unreadable_file:corrupt_gzip")],
    ids=["zero-bytes", "nul-bytes"],
)
def test_a_gzip_of_no_member_is_unreadable(lake, data, detail):
    lake.storage.write_bytes("landing/deletions/d.jsonl.gz", data)
    read = read_landing_file(lake.storage, "landing/deletions/d.jsonl.gz", "deletions")
    assert read.records.num_rows == 0
    assert read.quarantine.column("detail").to_pylist() == [detail]


def test_a_gzip_of_nothing_is_a_file_of_no_records(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl.gz", gzip.compress(b""))
    read = read_landing_file(lake.storage, "landing/deletions/d.jsonl.gz", "deletions")
    assert (read.records.num_rows, read.quarantine.num_rows) == (0, 0)


@pytest.mark.parametrize("folder", ["deletions", "consent"])
def test_an_empty_gzip_privacy_file_publishes_nobody(lake, folder):
    lake.storage.write_bytes(f"landing/{folder}/x.jsonl.gz", b"")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "please water the garden"))
    lake.privacy(check_deadlines=False)
    with pytest.raises(PublishingBlocked):
        lake.publish()
    assert lake.live_ids() == set()
