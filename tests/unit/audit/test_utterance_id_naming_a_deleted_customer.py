"""Another customer's row whose utterance id holds the id of a customer who asked to delete everything (an
upstream that keys a household's utterances by its owner's account, a shared device): the utterance id is
published as it is, so it is published output holding that customer's id (SPEC §3.1). The nightly publish
withholds such a row, the purge withdraws it, the audit fails on one left live, and its report names the
row by a digest (review of 2026-12-07).

Before: the purge and the audit read the messages only; ``cust-abcdef12:0002`` stayed live after the
delete-all's receipt was completed, the audit passed, and a finding on the row wrote the id into the
audit's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.jobs.audit import AuditFailed

NIGHT = "landing/utterances/dt=2026-11-20"
DELETED = "cust-abcdef12"  # 12 characters: an id the purge and the audit look for
OTHER = "cust-zzzz9999"


def _night(lake, day: str = NIGHT, suffix: str = "0002") -> None:
    lake.storage.write_bytes(
        f"{day}/a.jsonl",
        line("u-a1", DELETED, "what is the weather in paris")
        + line("u-b1", OTHER, "turn off the kitchen lights")
        + line(f"{DELETED}:{suffix}", OTHER, "turn on the kitchen lights"),
    )


def test_the_purge_withdraws_a_live_row_whose_utterance_id_names_a_deleted_customer(lake):
    _night(lake)
    lake.publish()
    assert f"{DELETED}:0002" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.privacy()
    assert lake.live_ids() == {"u-b1"}
    assert receipt(lake, "d1")["status"] == "completed"
    lake.audit()  # passes: nothing live says the id


def test_a_night_after_the_delete_all_withholds_a_row_whose_utterance_id_names_the_customer(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.privacy()
    _night(lake, "landing/utterances/dt=2026-11-21", "0003")
    counts = lake.publish()["counts"]
    assert lake.live_ids() == {"u-b1"}
    assert counts["deletion_requested"] == 2  # the customer's own row and the one naming them
    decided = [p for p in Path(lake.root, "decisions").rglob("*.parquet")]
    assert decided and not [p for p in decided if DELETED.encode() in p.read_bytes()]


def test_the_audit_fails_on_such_a_live_row_and_names_it_by_a_digest(lake):
    _night(lake)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.take_in()  # takes the delete-all in; no purge has run: the audit must fail on both rows
    with pytest.raises(AuditFailed):
        lake.audit()
    reports = [
        p for p in Path(lake.root, "reports").rglob("*") if p.is_file() and "governance_audit" in str(p)
    ]
    audit = json.loads(next(p for p in reports if p.name == "audit.json").read_text())
    named = [f for f in audit["findings"] if f["rule"] == "names_deleted_customer"]
    assert [f["utterance_id"].startswith("sha256:") for f in named] == [True]
    assert [str(p) for p in reports if DELETED in p.read_text(errors="replace")] == []


def test_another_rules_finding_on_such_a_row_names_it_by_a_digest(lake):
    """The row withdrawn with the delete-all is gone; a row of the same shape published before the rule (or
    left by a purge that failed) found by another rule (its customer opted out since) is named by a digest
    too. Before: ``audit.json``, ``audit/rows.json`` and the page held ``cust-abcdef12``."""
    from tests.unit.purge.test_every_copy_edges import opt_out

    _night(lake)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", DELETED))
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", OTHER))
    lake.take_in()  # takes both in; their purge has not run yet
    with pytest.raises(AuditFailed, match="opted_out"):
        lake.audit()
    reports = [
        p for p in Path(lake.root, "reports").rglob("*") if p.is_file() and "governance_audit" in str(p)
    ]
    assert reports
    assert [str(p) for p in reports if DELETED in p.read_text(errors="replace")] == []
