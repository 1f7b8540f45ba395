"""Three seams of a key rotation where a deletion later matched nothing, and its receipt said ``completed``
while the customer's copies remained (review 11):

- F1: a customer whose landing files were gone (an upstream retention) was unknown to the rotation: their
  live rows were withdrawn as ``unkeyable``, but their other copies (decisions, a failed gate's staging)
  were kept with a null key no deletion reaches. Such rows are removed with the rotation now.
- F5: a rotation while a publish was under way: the publish's next steps staged rows with the old key.
  A rotation is refused while any run is in flight, and a file step refuses a key that is not the live
  dataset's before it stages anything.
- F6: a rotation stopped after its switch could not be run again (the live key was the new one), and the
  copies kept old keys. It marks itself in flight until finished (receipts wait), and run again with the
  same keys it finishes."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, opt_out, receipt

from utterance_governance.privacy import KeyMismatch

NEW = "the-new-key"


def _rotate(lake, monkeypatch, old: str | None = None) -> int:
    return _rotate_to(lake, monkeypatch, old or lake.key, NEW)


def failed_gate(lake, monkeypatch) -> None:
    """A night of zed's that fails its gate (a redaction regression): its staging and its report are kept as
    evidence."""
    import utterance_governance.decide as decide
    from utterance_governance.jobs.publish import GateFailed

    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/c.jsonl",
                             line("u-zed-3", "zed-4417", "mail zed.person@example.com about quokkamarmalade"))  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(decide, "redact_array", lambda values, *a, **k: values)
        with pytest.raises(GateFailed):
            lake.publish()


def _failed_gate_kept(lake, monkeypatch) -> None:
    """``failed_gate``; then upstream's retention removes the raw export (no landing file says whose they are)."""
    failed_gate(lake, monkeypatch)
    os.remove(Path(lake.root, "landing/utterances/dt=2026-11-21/c.jsonl"))


def test_a_customer_whose_landing_files_are_gone_leaves_no_copy_a_rotation_cannot_key(lake, monkeypatch):
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-bob", "bob", "what is the weather")
                             + line("u-bob2", "bob", "what is the time") + line("u-al", "al", "lights on"))  # fmt: skip
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me zebracornflakes")
                             + line("u-zed-2", "zed-4417", "zebra stripes", asr_confidence=0.01))  # fmt: skip
    lake.publish()
    _failed_gate_kept(lake, monkeypatch)
    os.remove(Path(lake.root, DT, "a.jsonl"))  # upstream's retention removes the raw exports too
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert lake.live_ids() == {"u-bob", "u-bob2", "u-al"}  # zed's live row: withdrawn as unkeyable
    for uid in ("u-zed-1", "u-zed-2", "u-zed-3", "quokkamarmalade"):
        assert left_in_lake(lake, uid) == []  # nor in any copy: no deletion could reach it
    assert left_in_lake(lake, "u-bob2")  # the customers it knows keep their copies, re-keyed
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "bob"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed" and left_in_lake(lake, "u-bob2") == []


def test_a_rotation_waits_for_a_publish_under_way(lake, monkeypatch):
    from utterance_governance.jobs import publish

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             line("u-zed-1", "zed-4417", "remind me about quokkamarmalade"))  # fmt: skip
    with lake._environment():  # the nightly publish, its workers on the old key
        ctx = lake.context("utterances_publish")
        ingested = publish.ingest_privacy(ctx)
        files = publish.discover_files(ctx)
        assert _rotate(lake, monkeypatch) == 1  # refused: the publish is under way
        staged = [publish.process_file(ctx, f) for f in files]
        published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
        assert _rotate(lake, monkeypatch) == 1  # still under way until its report records its end
        publish.write_report(ctx, ingested, published)
    assert _rotate(lake, monkeypatch) == 0  # once it has finished
    lake.key = NEW
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "quokkamarmalade") == [] and left_in_lake(lake, "u-zed-1") == []


def test_a_file_step_on_another_key_than_the_live_datasets_stages_nothing(lake, monkeypatch):
    from utterance_governance.jobs import publish

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             line("u-zed-1", "zed-4417", "remind me about quokkamarmalade"))  # fmt: skip
    with lake._environment():  # a run of workers the rotation did not reach: still on the old key
        ctx = lake.context("utterances_publish")
        assert _rotate(lake, monkeypatch) == 0  # before the run marked itself under way (its intake marks it)
        publish.ingest_privacy(ctx)
        (file,) = publish.discover_files(ctx)
        with pytest.raises(KeyMismatch, match=r"processing landing/utterances/dt=2026-11-21/b\.jsonl"):
            publish.process_file(ctx, file)
    assert left_in_lake(lake, "quokkamarmalade") == ["landing/utterances/dt=2026-11-21/b.jsonl"]


def test_a_rotation_stopped_after_its_switch_holds_receipts_and_is_finished_by_running_it_again(
    lake, monkeypatch
):
    import utterance_governance.purge.rekey as rekey

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather")
                             + line("u-zed-1", "zed-4417", "remind me zebracornflakes")
                             + line("u-zed-2", "zed-4417", "zebra", asr_confidence=0.01))  # fmt: skip
    lake.publish()
    old = lake.key

    def lost(*args, **kwargs):  # the worker is lost here: after the switch, before the copies
        raise KeyboardInterrupt("worker lost")

    with monkeypatch.context() as m:
        m.setattr(rekey, "_rekey_copies", lost)
        with pytest.raises(KeyboardInterrupt):
            _rotate(lake, monkeypatch, old)
    lake.key = NEW  # the live dataset is on the new key: runs go on with it
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] != "completed"  # the decisions still hold old keys
    assert left_in_lake(lake, "u-zed-2")
    assert _rotate(lake, monkeypatch, old) == 0  # run again: finished
    assert lake.storage.list_dirs("staging") == []  # its in-flight mark gone
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-zed-1") == [] and left_in_lake(lake, "u-zed-2") == []


# --- review 12: the rotation's own seams -----------------------------------------------------------------


def _stopped(lake, monkeypatch, where: str, new: str = NEW) -> str:
    """A rotation to ``new`` whose worker is lost at ``where`` (after its switch); returns the old key."""
    import utterance_governance.purge.rekey as rekey

    def lost(*args, **kwargs):
        raise KeyboardInterrupt("worker lost")

    old = lake.key
    with monkeypatch.context() as m:
        m.setattr(rekey, where, lost)
        with pytest.raises(KeyboardInterrupt):
            _rotate_to(lake, monkeypatch, old, new)
    lake.key = new
    return old


def _rotate_to(lake, monkeypatch, old: str, new: str) -> int:
    from utterance_governance.cli import main

    with monkeypatch.context() as m:
        for name, value in {**lake.env, "UG_PSEUDONYM_KEY": new, "UG_OLD_KEY": old}.items():
            m.setenv(name, value)
        return main(["rekey", "--old-key-env", "UG_OLD_KEY"])


def test_nothing_is_published_while_a_rotation_is_unfinished(lake, monkeypatch):
    """A stopped rotation left a held customer's withdrawn rows under the old key: the next publish judged
    them by the new key, found no customer, and published them while the customer was held (F10)."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me zebracornflakes")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c1.jsonl", b'{"event_id": "e1", "customer_id": "zed", "status": "opted out?", '
                             b'"purpose": "model_training", "effective_at": "2026-11-01T00:00:00Z", '
                             b'"recorded_at": "2026-11-21T00:00:00Z"}\n')  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"} and lake.storage.list_files("quarantine/withdrawn", (".parquet",))
    old = _stopped(lake, monkeypatch, "_rekey_copies")
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-al", "al", "lights on", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    with pytest.raises(KeyMismatch, match="key rotation is under way or stopped short"):
        lake.publish()
    marks = [d for d in lake.storage.list_dirs("staging") if lake.storage.exists(f"{d}/_in_flight.json")]
    assert all("rekey__" in d for d in marks)  # the refused publish's own mark went
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0  # finished
    assert not [d for d in lake.storage.list_dirs("staging") if "rekey__" in d]
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-al"}  # zed still held
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and left_in_lake(lake, "zebracornflakes") == []


def test_a_second_rotation_waits_for_a_stopped_one(lake, monkeypatch):
    """A rotation B→C over a stopped A→B re-keyed the reports from B only and cleared A→B's mark: a report
    kept a speaker key under A, no deletion ever matches (F6)."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    key_a = _stopped(lake, monkeypatch, "_rekey_copies", "key-b")
    assert _rotate_to(lake, monkeypatch, "key-b", "key-c") == 1  # refused: A→B is not finished
    assert _rotate_to(lake, monkeypatch, key_a, "key-b") == 0
    assert _rotate_to(lake, monkeypatch, "key-b", "key-c") == 0


def test_a_rotation_resumed_after_its_copies_scrubs_the_ids_it_removed_from_the_reports(lake, monkeypatch):
    """Stopped between the copies and the reports, the resumed rotation found nothing left to remove, and the
    removed rows' ids stayed in a failed gate's report (F7): they are noted beside its mark first."""
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-bob", "bob", "what is the weather")
                             + line("u-bob2", "bob", "what is the time") + line("u-al", "al", "lights on"))  # fmt: skip
    lake.publish()
    _failed_gate_kept(lake, monkeypatch)
    assert left_in_lake(lake, "u-zed-3")
    old = _stopped(lake, monkeypatch, "_rekey_reports")
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0
    assert left_in_lake(lake, "u-zed-3") == [] and left_in_lake(lake, "quokkamarmalade") == []
    assert not [d for d in lake.storage.list_dirs("staging") if "rekey__" in d]  # its marks and notes, gone


def test_a_publish_marked_before_a_rotation_makes_it_wait_and_one_marked_after_waits_for_it(
    lake, monkeypatch
):
    """Each side marks itself, then looks for the other, so one of the two always sees the other (F9)."""
    from utterance_governance.jobs import in_flight, publish

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    in_flight.mark_in_flight(lake.storage, "rekey__r1", "r1", datetime.now(UTC), until_removed=True,
                             details={"from": "a", "to": "b"})  # fmt: skip
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl", line("u-zed-1", "zed", "quokkamarmalade")
    )
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        with pytest.raises(KeyMismatch, match=r"rekey__r1"):
            publish.discover_files(ctx)
    assert left_in_lake(lake, "quokkamarmalade") == ["landing/utterances/dt=2026-11-21/b.jsonl"]
    marks = [d for d in lake.storage.list_dirs("staging") if lake.storage.exists(f"{d}/_in_flight.json")]
    assert marks == ["staging/rekey__r1"]  # the publish's own mark went


@pytest.mark.parametrize("record", ["opt-out", "unreadable"])
def test_no_purge_and_no_clean_audit_while_a_rotation_is_stopped_after_its_switch(lake, monkeypatch, record):
    """A rotation lost after its switch, before the case-fold pairs were re-keyed: an opt-out (or an
    unreadable record, doubt withdrawing) naming zed-cust-77 withdrew that spelling's row, left
    Zed-Cust-77's live, said nothing, and the audit passed clean. Now the privacy run fails at its end (the
    purges did what they could), the audit says why, and once the rotation is run again the next privacy
    run withdraws both spellings."""
    from utterance_governance.jobs.audit import AuditFailed

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-cust-77", "remind me about quokkamarmalade")
                             + line("u-zed-2", "Zed-Cust-77", "play the zebracornflakes song")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    old = _stopped(lake, monkeypatch, "_rekey_copies")
    unreadable = (b'{"event_id": "e9", "customer_id": "zed-cust-77", "status": "opted out?", '
                  b'"purpose": "model_training", "effective_at": "2026-11-01T00:00:00Z", '
                  b'"recorded_at": "2026-11-21T00:00:00Z"}\n')  # fmt: skip
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", opt_out("e1", "zed-cust-77") if record == "opt-out" else unreadable
    )
    with pytest.raises(KeyMismatch, match="key rotation is under way or stopped short"):
        lake.privacy()
    with pytest.raises(AuditFailed, match="key_rotation_unfinished"):
        lake.audit()
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0  # the operator runs it again
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    lake.audit()
