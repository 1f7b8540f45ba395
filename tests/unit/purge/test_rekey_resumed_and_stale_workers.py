"""A key rotation run again after it stopped past its switch, an access report while it is stopped, and a
receipt step on a worker still on the retired key.

Before: the rerun re-keyed every copy but the store's opt-out records (``rekey_withdrawn_speakers``), so a
deletion after it told no training run to erase the version the opt-out had revoked; an access report during
the stop was delivered without the customer's withdrawn (parked) rows, still under the old key; and
``issue_receipts`` on a stale worker wrote receipt files naming the customer by the retired key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.purge.test_erase_after_opt_out import _trained_then_opted_out, announce
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out, receipt
from tests.unit.purge.test_rekey_seams import NEW, _rotate_to, _stopped

from utterance_governance.privacy import KeyMismatch, speaker_key


@pytest.mark.parametrize("where", ["_rekey_copies", "_rekey_speaker_folds"])
def test_a_rotation_run_again_after_its_switch_keeps_the_opt_out_record_a_later_deletion_erases_by(
    lake, monkeypatch, where
):
    """zed opted out (a training run told to stop using the version); a rotation is lost after its switch and
    run again (finished); zed then deletes everything: the training run is told to erase its copy."""
    used = _trained_then_opted_out(lake)
    old = _stopped(lake, monkeypatch, where)
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0  # run again: finished
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    extra = announce(lake, lake.privacy(check_deadlines=False)["published"])
    assert extra is not None, "the deletion announced nothing: the training run keeps zed's recordings"
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in extra["training_runs"]}


def _published(lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me about quokkamarmalade")
                             + line("u-zed-2", "zed-4417", "zebra stripes", asr_confidence=0.01)
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed-1", "u-bob"}


def _parked(report_path: str) -> list[str]:
    report = json.loads(Path(report_path).read_text())
    return sorted(u["utterance_id"] for u in report["utterances"]
                  if any(loc["path"].startswith("quarantine/withdrawn/") for loc in u["locations"]))  # fmt: skip


def test_an_access_report_while_a_rotation_is_stopped_short_is_refused_and_finds_the_parked_rows_after(
    lake, monkeypatch
):
    """zed held (an unreadable consent record: rows parked in quarantine/withdrawn); a rotation is lost after its
    switch, before the copies were re-keyed: the access report is refused (as publishing and the audit are) and
    its request stays open; once the rotation is run again, the report lists the parked row."""
    _published(lake)
    lake.storage.write_bytes("landing/consent/c1.jsonl", opt_out("e1", "zed-4417", status="opted out?"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    assert _parked(lake.access_report("zed-4417")["json"]) == ["u-zed-1"]
    old = _stopped(lake, monkeypatch, "_rekey_copies")
    with pytest.raises(KeyMismatch, match="rotation"):
        lake.access_report("zed-4417")
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0
    assert _parked(lake.access_report("zed-4417")["json"]) == ["u-zed-1"]


def test_a_stale_worker_issuing_receipts_after_a_rotation_refuses_and_the_next_run_writes_the_new_key(
    lake, monkeypatch
):
    """After a full rotation, a privacy run whose issue_receipts lands on a worker still on the old key
    (UG_PSEUDONYM_KEY not updated there) refuses; the next run, on the new key, completes the receipt naming
    the customer by the new key's speaker key."""
    from utterance_governance.jobs import privacy

    _published(lake)
    old = lake.key
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0
    lake.key = NEW
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "bob"))
    with lake._environment():
        ctx = lake.context("privacy_requests")
        ingested = privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        copied = privacy.purge_copies(ctx)
        with monkeypatch.context() as m:
            m.setenv("UG_PSEUDONYM_KEY", old)  # the stale worker
            with pytest.raises(KeyMismatch):
                privacy.issue_receipts(ctx, purged, copied)
        privacy.write_report(
            ctx, ingested, purged, copied, None
        )  # (the run's report step: it runs on failure)
    assert not lake.storage.exists("reports/receipts/d1.json")  # no receipt file was written with the old key
    lake.privacy(check_deadlines=False)
    doc = receipt(lake, "d1")
    assert doc["status"] == "completed"
    assert doc["speaker_key"] == speaker_key("bob", NEW.encode()) != speaker_key("bob", old.encode())
