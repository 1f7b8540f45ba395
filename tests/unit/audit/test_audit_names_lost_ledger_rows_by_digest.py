"""The audit names a row whose utterance id holds a deleted customer's id by a digest whatever finding names it,
a ledger row its shard lost included (review of 2026-12-07; ``audit.rows.hiding_deleted_ids``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line

from utterance_governance.jobs.audit import AuditFailed

NIGHT = "landing/utterances/dt=2026-11-20"
DELETED = "cust-abcdef12"
OTHER = "cust-zzzz9999"


def test_a_ledger_row_missing_from_its_shard_is_named_by_a_digest(lake):
    """zed (cust-abcdef12) asked to delete everything; before the purge runs, the audit finds the shard lost
    the row ``cust-abcdef12:0002`` the ledger records (a shard rewritten by hand, a half-done copy).
    docs/privacy.md: every finding of the audit on such a row names it by a digest, whatever rule found it."""
    lake.storage.write_bytes(
        f"{NIGHT}/a.jsonl",
        line("u-b1", OTHER, "turn off the kitchen lights")
        + line(f"{DELETED}:0002", OTHER, "turn on the kitchen lights"),
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.take_in()  # takes the delete-all in; its purge has not run yet
    shard = next(Path(lake.root, "published").rglob("part-*.parquet"))
    table = pq.read_table(shard)
    pq.write_table(table.filter(pc.invert(pc.equal(table.column("utterance_id"), f"{DELETED}:0002"))), shard)
    with pytest.raises(AuditFailed):
        lake.audit()
    reports = [
        p for p in Path(lake.root, "reports").rglob("*") if p.is_file() and "governance_audit" in str(p)
    ]
    assert reports
    # Before: audit.json, audit/rows.json and the page name the row "cust-abcdef12:0002" (rule ledger_row_missing)
    assert [str(p) for p in reports if DELETED in p.read_text(errors="replace")] == []
