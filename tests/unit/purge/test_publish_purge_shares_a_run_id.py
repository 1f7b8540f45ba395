"""The nightly publish's purge (``withdraw_live``) beside the hourly privacy run's purges: Airflow may give
both runs one run id, and a privacy run may have failed past its switch.

Before: a purge found "its own" version by the run id alone, so the publish took the privacy run's purge of
the same id for its own retry: it purged nothing of its intake, published the deleted row and counted the
old receipt's removal twice; and after a privacy run failed past its switch, the publish's purge reported
that one and purged nothing of its own intake (both published a row a deletion it had taken in withdraws).
Now a purge's manifest names its DAG (``notes.dag_id``), and ``withdraw_live`` purges again after reporting
another run's purge, settling that one's removals under that run."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, line
from tests.unit.purge.test_receipts_timing import steps

from utterance_governance.jobs import privacy, publish

DT = "landing/utterances/dt=2026-11-20"
SHARED = "scheduled__2026-12-07T02:00:00+00:00"  # the hourly privacy run's id and the nightly publish's


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed", "remind me to water the ferns")
        + line("u-amy-1", "amy", "call my sister")
        + line("u-bob-1", "bob", "play some jazz"),
    )
    lake.publish()
    return lake


@contextmanager
def _run(lake: Lake, dag_id: str, run_id: str, params: dict | None = None):
    with lake._environment():
        ctx = dataclasses.replace(lake.context(dag_id, params), run_id=run_id)
        yield ctx


def _privacy_run(lake: Lake, run_id: str) -> dict:
    with _run(lake, "privacy_requests", run_id) as ctx:
        return steps(ctx)


def _publish_run(lake: Lake, run_id: str) -> tuple[dict, dict]:
    with _run(lake, "utterances_publish", run_id) as ctx:
        ingested = publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        withdrawn = privacy.withdraw_live(ctx)
        published = publish.publish(ctx, staged, gated)
        publish.write_report(ctx, ingested, published)
        return withdrawn, published


def _receipt(lake: Lake, request_id: str) -> dict:
    with lake.store() as store:
        return store.receipt(request_id)


def test_publish_sharing_its_run_id_with_an_earlier_privacy_run_still_withdraws_its_intake(lake):
    """Airflow names the hourly privacy run of D-1 02:00 and the nightly publish of D (its data interval
    starts D-1 02:00) alike: ``scheduled__<D-1>T02:00:00+00:00`` (commit.put_live_by says so). The publish's
    withdraw_live must not take the privacy run's purge version for its own retry past the switch."""
    lake.storage.write_bytes("landing/deletions/d1.jsonl", deletion("d1", "zed"))
    first = _privacy_run(lake, SHARED)  # purges zed's row, completes d1
    assert first["new_version"]
    assert _receipt(lake, "d1")["status"] == "completed"
    assert _receipt(lake, "d1")["removed_counts"]["published_rows"] == 1

    # the next night: amy deletes everything; the publish (same run id) takes it in and withdraws
    lake.storage.write_bytes("landing/deletions/d2.jsonl", deletion("d2", "amy"))
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        line("u-bob-2", "bob", "what is the weather", captured_at="2026-11-21T10:00:00Z"),
    )
    withdrawn, published = _publish_run(lake, SHARED)
    assert published["new_version"]
    # the version the publish put live and announced carries none of amy's rows
    assert "u-amy-1" not in lake.live_ids(), withdrawn


def test_publish_sharing_its_run_id_with_an_earlier_privacy_run_counts_no_removal_twice(lake):
    """The same collision: the publish's withdraw_live reports the privacy run's purge as its own and
    settles its removals again (under ``utterances_publish/<run>``): d1's completed receipt says 2 rows."""
    lake.storage.write_bytes("landing/deletions/d1.jsonl", deletion("d1", "zed"))
    _privacy_run(lake, SHARED)
    assert _receipt(lake, "d1")["removed_counts"]["published_rows"] == 1
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        line("u-bob-2", "bob", "what is the weather", captured_at="2026-11-21T10:00:00Z"),
    )
    withdrawn, _ = _publish_run(lake, SHARED)
    receipt = _receipt(lake, "d1")
    assert receipt["removed_counts"]["published_rows"] == 1, (withdrawn.get("by_request"), receipt)


def test_publish_after_a_privacy_run_failed_past_its_switch_still_withdraws_its_own_intake(lake, monkeypatch):
    """A privacy run's purge switched, then failed before it was handed on (``_unreported_purge``: the next
    purge reports it and "purges nothing more"). When the next purge is the nightly publish's withdraw_live,
    the deletion the publish itself took in is not purged and the version it announces carries the row."""
    from utterance_governance.purge import published as published_mod

    lake.storage.write_bytes("landing/deletions/d1.jsonl", deletion("d1", "zed"))
    real = published_mod._reported
    calls = {"n": 0}

    def crash_once(store, dataset, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("worker lost after the switch")
        return real(store, dataset, result)

    monkeypatch.setattr(published_mod, "_reported", crash_once)
    with _run(lake, "privacy_requests", "scheduled__2026-12-07T05:00:00+00:00") as ctx:
        privacy.ingest(ctx)
        with pytest.raises(ConnectionError):
            privacy.purge_published(ctx)
        privacy.write_report(ctx, {}, None, None, None)
    assert "u-zed-1" not in lake.live_ids()

    lake.storage.write_bytes("landing/deletions/d2.jsonl", deletion("d2", "amy"))
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        line("u-bob-2", "bob", "what is the weather", captured_at="2026-11-21T10:00:00Z"),
    )
    published = lake.publish()
    assert published["new_version"]
    assert "u-amy-1" not in lake.live_ids()
    # each removal counted once: the failed run's (settled under its run) and the publish's own
    assert _receipt(lake, "d1")["removed_counts"]["published_rows"] == 1
    assert _receipt(lake, "d2")["removed_counts"]["published_rows"] == 1
    lake.privacy()
    assert {_receipt(lake, r)["status"] for r in ("d1", "d2")} == {"completed"}
    assert _receipt(lake, "d2")["removed_counts"]["published_rows"] == 1
    assert lake.audit()["passed"]  # (raises AuditFailed on a violation)
