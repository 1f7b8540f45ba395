"""A run refuses a pseudonym key that did not make the live dataset (SPEC §4.1), but while nothing was live
any key started: a first night whose gate failed left decisions, staging and quarantine keyed with the
deployment's key; a worker configured with another key then judged a delete-all against them with keys none
of them holds, found nothing, and completed the receipt (review 13's suspicion). The first run's key is
recorded in the store, and while nothing is live a run on another key refuses to start."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt
from tests.unit.purge.test_rekey_seams import NEW, _rotate_to, failed_gate

from utterance_governance.privacy import KeyMismatch, key_fingerprint


def _first_night_failed(lake, monkeypatch) -> None:
    failed_gate(lake, monkeypatch)
    assert lake.live_ids() == set() and left_in_lake(lake, "quokkamarmalade")


def test_a_run_on_another_key_refuses_while_nothing_is_live(lake, monkeypatch):
    _first_night_failed(lake, monkeypatch)
    made_with = lake.key
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.key = "another-key"
    with pytest.raises(KeyMismatch, match="nothing is live"):
        lake.privacy()
    lake.key = made_with
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert [p for p in left_in_lake(lake, "quokkamarmalade") if not p.startswith("landing/")] == []


def test_the_first_runs_key_is_recorded(lake):
    with lake.store() as store:
        assert store.key_fingerprint() is None
    lake.privacy()
    with lake.store() as store:
        assert store.key_fingerprint() == key_fingerprint(lake.key.encode())


def test_a_rotation_while_nothing_is_live_moves_the_recorded_key(lake, monkeypatch):
    _first_night_failed(lake, monkeypatch)
    assert _rotate_to(lake, monkeypatch, "not-the-key", NEW) != 0  # refused: not the key the copies hold
    assert _rotate_to(lake, monkeypatch, lake.key, NEW) == 0
    old, lake.key = lake.key, NEW
    with lake.store() as store:
        assert store.key_fingerprint() == key_fingerprint(NEW.encode())
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()  # on the new key: the copies were re-keyed, the delete-all reaches them
    assert receipt(lake, "d1")["status"] == "completed"
    assert [p for p in left_in_lake(lake, "quokkamarmalade") if not p.startswith("landing/")] == []
    lake.key = old
    with pytest.raises(KeyMismatch, match="nothing is live"):
        lake.privacy()


@pytest.mark.parametrize("live", [True, False], ids=["live", "nothing-live"])
def test_the_copies_purge_refuses_a_workers_other_key(lake, monkeypatch, live):
    """The run's first task checks its worker's key; the copies purge ran on whichever worker took it, with
    that worker's key, unchecked: a worker configured with another key judged every copy by speaker keys
    none of them holds, found nothing, and the receipts completed (review 13's suspicion)."""
    from utterance_governance.jobs import privacy

    if live:
        lake.storage.write_bytes(
            "landing/utterances/dt=2026-11-20/a.jsonl", line("u-zed", "zed-4417", "call me")
        )
        lake.publish()
    else:
        _first_night_failed(lake, monkeypatch)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    with lake._environment():
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        privacy.purge_published(ctx)
        monkeypatch.setenv("UG_PSEUDONYM_KEY", "another-key")  # the worker that takes the next task
        with pytest.raises(KeyMismatch):
            privacy.purge_copies(ctx)


def test_an_access_report_refuses_a_workers_other_key_and_keeps_its_reference(lake, monkeypatch):
    """An access report found the customer's rows by speaker key with its worker's key, unchecked: on a
    worker configured with another key it found none and told the customer they had no recordings."""
    from utterance_governance.jobs import audit
    from utterance_governance.jobs.context import RunContext
    from utterance_governance.settings import load_settings

    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl", line("u-zed", "zed-4417", "call me"))
    lake.publish()
    with lake.store() as store:
        reference = store.register_access_request("zed-4417", "tests")
    with lake._environment():
        data = audit.prepare("governance_audit-900", {"access_request": reference}, load_settings(lake.env))
        monkeypatch.setenv("UG_PSEUDONYM_KEY", "another-key")  # the worker that takes the report's task
        with pytest.raises(KeyMismatch):
            audit.access_report(RunContext.from_dict(data))
    report = lake.access_report("zed-4417")  # on the deployment's key: the same customer's rows are there
    assert report["utterances"] == 1, report
