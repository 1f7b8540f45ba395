"""A training run's ``consume_version`` looked at the version's status, then recorded the run: a purge revoking
the version in between (and its announcement, which names the training runs recorded by then) left a run
that trained on the revoked version, recorded as having consumed a live one, named by no revocation."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, line, opt_out

from utterance_governance.io.store import GovernanceStore
from utterance_governance.publish.lineage import VersionNotUsable, consume_version

DATASET = "assistant-sft"


def consume(lake, run_id: str) -> dict:
    with lake.store() as store:
        return consume_version(store, lake.root, DATASET, dag_id="train", run_id=run_id, announced=None)


def test_a_version_revoked_while_a_run_consumes_it_is_refused(lake, monkeypatch):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me about quokkamarmalade")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    record = GovernanceStore.record_training_run

    def a_purge_runs_first(self, *args, **kwargs):  # the run stalls between its look and its record
        lake.privacy(check_deadlines=False)
        return record(self, *args, **kwargs)

    monkeypatch.setattr(GovernanceStore, "record_training_run", a_purge_runs_first)
    with pytest.raises(VersionNotUsable, match="became revoked while this run consumed it"):
        consume(lake, "t1")
    monkeypatch.setattr(GovernanceStore, "record_training_run", record)
    with (
        lake.store() as store
    ):  # recorded all the same: the governance view lists it under the revoked version
        assert [r["run_id"] for r in store.training_runs(DATASET)] == ["t1"]
    assert consume(lake, "t2")["version"] != "v000001"  # the live version, the purge's, is usable
