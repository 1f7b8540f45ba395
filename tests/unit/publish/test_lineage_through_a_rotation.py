"""A key rotation writes every live row again into shards of its own and revokes the version before it.
A later deletion's announcement named the training runs of the versions it revoked and of those a compaction
merged, never of the versions before the rotation: a run that trained on the deleted rows under the old key
was never told to erase them."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out
from tests.unit.purge.test_rekey_seams import NEW, _rotate_to

from utterance_governance.publish.lineage import consume_version, revocation_announcement

DATASET = "assistant-sft"


@pytest.mark.parametrize("withdrawing", ["delete-all", "opt-out"])
def test_a_withdrawal_after_a_rotation_names_the_training_runs_of_the_versions_before_it(
    lake, monkeypatch, withdrawing
):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me about quokkamarmalade")
                             + b"".join(line(f"u-bob-{i}", "bob", f"what is the weather on day {i}") for i in range(4)))  # fmt: skip
    lake.publish()
    with lake.store() as store:
        used = consume_version(store, lake.root, DATASET, dag_id="train", run_id="t1", announced=None)
    assert _rotate_to(lake, monkeypatch, lake.key, NEW) == 0
    lake.key = NEW
    if withdrawing == "delete-all":
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    else:
        lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and purged["erase_copies"] == (withdrawing == "delete-all")
    with lake.store() as store:
        extra = revocation_announcement(lake.storage, store, lake.root, DATASET, purged)
    assert used["version"] in extra["merged_versions"]
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in extra["training_runs"]}


def test_a_deletion_after_another_customers_opt_out_in_the_same_shard_names_the_earlier_training_runs(lake):
    """An opt-out's purge wrote a shard again (its batch stays the first version's) and revoked the version a
    training run used, telling it to stop using it; a later delete-all of another customer of that shard named
    only the versions listing the rewritten file, not the first one, whose run holds the deleted rows."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-amy-1", "amy-5521", "remind me about dentist")
        + line("u-zed-1", "zed-4417", "remind me about quokkamarmalade")
        + b"".join(line(f"u-bob-{i}", "bob", f"what is the weather on day {i}") for i in range(4)),
    )
    lake.publish()
    with lake.store() as store:
        used = consume_version(store, lake.root, DATASET, dag_id="train", run_id="t1", announced=None)
    # an opt-out of amy: her shard (zed's too) written again, the version t1 used revoked, erase_copies false
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "amy-5521"))
    first = lake.privacy(check_deadlines=False)["published"]
    assert first["new_version"] and not first["erase_copies"]
    with lake.store() as store:
        one = revocation_announcement(lake.storage, store, lake.root, DATASET, first)
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in one["training_runs"]}
    # zed's rows were in t1's copy and are in the shard the opt-out rewrote
    assert "u-zed-1" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and purged["erase_copies"]
    with lake.store() as store:
        extra = revocation_announcement(lake.storage, store, lake.root, DATASET, purged)
    named = {(r["run_id"], r["version"]) for r in extra["training_runs"]}
    assert ("t1", used["version"]) in named, (extra["revoked_versions"], extra["merged_versions"], named)
