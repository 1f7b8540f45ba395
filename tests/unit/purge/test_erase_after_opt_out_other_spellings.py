"""A deletion after an opt-out, naming the customer in another spelling than the rows' own ("zed-4417" for rows of
"Zed-4417"), when the deletion's own run did not announce (its announce step or its purge failed): the copies
purge of that run erased the case-fold pairs, and the next run could no longer reach the withdrawn speaker's
record; the record keeps the fold's digest now. And a hold (an unreadable record withdraws as an opt-out would)
followed by a delete-all: the hold's purge recorded nothing, and no training run was told to erase."""

from __future__ import annotations

import pyarrow as pa
from tests.unit.purge.test_erase_after_opt_out import announce, published_and_trained, speakers
from tests.unit.purge.test_every_copy_edges import deletion, opt_out, receipt

DATASET = "assistant-sft"


def _published_trained_opted_out(lake, row_id="Zed-4417", opt_id="zed-4417"):
    used = published_and_trained(lake, row_id)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", opt_id))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and not purged["erase_copies"]
    assert "u-zed-1" not in lake.live_ids()
    announce(lake, purged)
    with lake.store() as store:
        assert store.withdrawn_speakers_of(DATASET, speakers(lake, [row_id]))  # recorded under the row's key
    return used


def test_control_same_run_announce_reaches_the_other_spelling(lake):
    """Control: when the deletion's own run announces, the other spelling is reached (pairs still there)."""
    used = _published_trained_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    extra = announce(lake, lake.privacy(check_deadlines=False)["published"])
    assert extra is not None and used["version"] in extra["revoked_versions"]


def test_announce_failed_then_the_next_run_reaches_the_other_spelling(lake):
    """The deletion's run: its announce step failed (as the module's own test allows: 'the record stays until
    announced'; the next run makes it). Its copies purge erased the fold pairs of zed's fold, so the next run
    no longer reaches Zed-4417's speaker key: no erasure is ever announced, and the speaker key stays in the
    store after the completed delete-all."""
    used = _published_trained_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    first = lake.privacy(check_deadlines=False)
    assert first["published"]["erase_withdrawn"]  # due in that run (its announce step never ran)
    assert receipt(lake, "d1")["status"] == "completed"
    again = lake.privacy(check_deadlines=False)["published"]
    extra = announce(lake, again)
    with lake.store() as store:
        left = store.withdrawn_speakers_of(DATASET, speakers(lake, ["Zed-4417"]))
    assert extra is not None and used["version"] in extra["revoked_versions"], (
        f"next run announces nothing (erase_withdrawn={again.get('erase_withdrawn')}); records left: {len(left)}"
    )


def test_purge_published_failed_in_the_deletions_run_then_the_next_run_announces(lake, monkeypatch):
    """The deletion's run: purge_published fails (any transient error; the DAG runs purge_copies anyway,
    trigger rule ALL_DONE). The copies purge erases the pairs; the next run's purge_published cannot reach
    Zed-4417's record."""
    from utterance_governance.jobs import privacy

    used = _published_trained_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    with lake._environment():
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        # purge_published failed (e.g. the lock timed out); purge_copies runs (ALL_DONE), and the rest
        copied = privacy.purge_copies(ctx)
        issued = privacy.issue_receipts(ctx, None, copied)
        privacy.write_report(ctx, None, None, copied, issued)
    with lake.store() as store:
        from utterance_governance.privacy.keys import fold_digests

        pairs = store.speakers_of_folds(fold_digests(pa.array(["zed-4417"]), lake.key.encode()).to_pylist())
    assert pairs.num_rows == 0  # the copies purge erased zed's case-fold pair: Zed-4417 is out of reach
    again = lake.privacy(check_deadlines=False)["published"]
    extra = announce(lake, again)
    assert extra is not None and used["version"] in extra["revoked_versions"], (
        f"nothing announced: erase_withdrawn={again.get('erase_withdrawn')}"
    )


def test_a_delete_all_after_a_hold_withdrew_the_rows_tells_the_training_runs_to_erase(lake):
    """SPEC §4.1 'Doubt withdraws': an unreadable consent record naming zed holds zed back, and the next privacy
    run withdraws zed's live rows 'as an opt-out would' (erase_copies false: stop using, keep). zed's delete-all
    afterwards finds nothing live and announces nothing: the training run keeps its copy."""
    used = published_and_trained(lake)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417", status="maybe"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and not purged["erase_copies"], purged
    print(purged["rows_removed"])
    told = announce(lake, purged)
    assert told is not None and not told["erase_copies"]
    assert "u-zed-1" not in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert receipt(lake, "d1")["status"] == "completed"
    extra = announce(lake, purged)
    assert extra is not None and extra["erase_copies"] and used["version"] in extra["revoked_versions"], (
        f"nothing announced (withdrawn for {told['reason']}); training run t1 keeps zed's rows"
    )
