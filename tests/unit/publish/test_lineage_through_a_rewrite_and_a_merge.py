"""A deletion names the training runs of every version that held the customer's rows, also when their shard
was first written again by another customer's opt-out and then merged by a compaction (``merged_versions``:
every version from the first merged batch to the merge's parent; before, only the versions that listed the
merged files at merge time, which after the opt-out's rewrite were none of the first ones)."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.lakes import (
    DATASET,
    KEY,
    add_privacy,
    consent_event,
    deletion,
    publish_records,
    store_state,
    utterance,
)
from tests.unit.publish.test_compact import AT, POLICY, run_compact

from utterance_governance.io.storage import Storage
from utterance_governance.publish.commit import read_current
from utterance_governance.publish.lineage import consume_version, privacy_announcement
from utterance_governance.purge import published


def two_speaker_night(n: int) -> list[dict]:
    """Night ``n``: only c0 and c1 speak; the night is one shard holding both."""
    return [
        utterance(f"n{n}-{c}-{k}", c, n * 24 + i + k / 10)
        for i, c in enumerate(("c0", "c1"))
        for k in range(2)
    ]


def purge(storage, store, run_id, at):
    return published.purge_published(storage, store, DATASET, run_id=run_id, policy=POLICY, pseudonym_key=KEY,
                                      state=lambda: store_state(store), now=lambda: at)  # fmt: skip


def runs(announcement) -> set[tuple[str, str]]:
    return {(r["run_id"], r["version"]) for r in (announcement or {}).get("training_runs", [])}


def test_a_deletion_names_the_run_that_trained_on_a_version_before_an_opt_out_rewrote_and_a_merge_moved_the_shard(
    tmp_path, store
):
    """A training run t1 consumed v1 (one shard: c0's and c1's rows). c1 opts out: the purge writes every
    night's shard again without c1 and revokes v1..v3 with erase_copies false (t1 may keep its copy, c0's rows
    in it). A compaction then merges the three nights' rewritten shards. c0 then deletes
    everything.

    Expected (README "Lineage to training": the versions named include those whose rows a compaction merged,
    and the runs of every version since the replaced shards' batch first wrote them): the deletion's
    announcement tells t1 (v1) to erase its copy, which holds c0's rows - as it does without the compaction (the same steps without
    ``run_compact`` name t1 through carried_versions: checked, passes).
    Actual with the compaction: the merge's notes.merged_from lists only the versions listing the rewritten
    files (the opt-out's purge onwards), and merged_versions stops at the nightly batches' own manifests, so
    v1..v3 and t1 are named nowhere: t1 keeps the deleted customer's rows."""
    storage = Storage(str(tmp_path / "lake"))
    for n in range(3):
        publish_records(storage, store, two_speaker_night(n), f"night-{n}")
    v1 = min(v["version"] for v in store.versions(DATASET))
    from utterance_governance.publish.lineage import manifest_url

    used = consume_version(store, storage.root_url, DATASET, dag_id="train", run_id="t1",
                           announced={"manifest": manifest_url(storage.root_url, DATASET, v1)})  # fmt: skip
    assert used["version"] == v1

    add_privacy(store, consent=[consent_event("e1", "c1", "opted_out", 2900)], source="optout")
    opted = purge(storage, store, "purge-1", AT)
    assert opted["rows_removed"] == {"opted_out": 6} and not opted["erase_copies"]
    merged = run_compact(storage, store, run_id="compact-1", at=AT + timedelta(hours=1))
    assert merged["new_version"], merged

    add_privacy(store, deletions=[deletion("r1", "c0", at=2950)], source="deletion")
    deleted = purge(storage, store, "purge-2", AT + timedelta(hours=2))
    assert deleted["rows_removed"] == {"deletion_requested": 6}
    announced = privacy_announcement(storage, store, storage.root_url, DATASET, deleted)
    assert announced["erase_copies"]
    assert ("t1", v1) in runs(announced), (
        read_current(storage, DATASET),
        {k: announced[k] for k in ("revoked_versions", "merged_versions", "carried_versions")},
    )
