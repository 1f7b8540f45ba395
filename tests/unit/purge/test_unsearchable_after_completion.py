"""A copy no search can read (a landing file in UTF-16: the reader refuses it whole) that lands after a
deletion completed: open receipts stay open for it, and a completed one cannot be taken back, so the
run fails at its end naming the file, until it is repaired or removed upstream."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.purge.receipts import CopiesUnsearchable

DT = "landing/utterances/dt=2026-11-20"


def test_a_late_unsearchable_file_fails_the_run_while_a_receipt_is_completed(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "play jazz") + line("u-bob", "bob", "hi")
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    late = line("u-zed-2", "zed-4417", "my locker code is zebracornflakes").decode().encode("utf-16")
    lake.storage.write_bytes(f"{DT}/late.jsonl", late)
    with pytest.raises(CopiesUnsearchable, match=r"late\.jsonl.*cannot be searched"):
        lake.privacy()
    lake.storage.remove(f"{DT}/late.jsonl")  # removed upstream: the next run passes
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"


def test_an_unsearchable_file_with_no_receipt_completed_keeps_the_receipts_open_and_passes(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/late.jsonl", line("u-zed-2", "zed-4417", "my code").decode().encode("utf-16")
    )
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] != "completed"
