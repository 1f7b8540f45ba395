"""Two privacy intakes at once (the nightly publish's ``ingest_privacy`` and the hourly privacy run's
``ingest``), each taking in one file, where the files give one record id two contents (an opt-in and its
correction to an opt-out; a listing and a delete-all under one request id). One after the other, the second
is doubt that holds its customer (a consent event) or a request of its own (a deletion). At once on
PostgreSQL, each intake's check of what is stored saw nothing of the other's, both inserted, and ON CONFLICT
dropped the second with no word: the opt-out or the delete-all was lost. Intakes now take turns (an advisory
lock; SQLite's write lock does it there). Both backends."""

from __future__ import annotations

import contextlib
import threading

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out

import utterance_governance.io.store.privacy as store_privacy
from utterance_governance.jobs import publish as publish_job


@pytest.fixture
def lake(store_url, tmp_path):
    return Lake(str(tmp_path / "lake"), store_url)


def _two_intakes_at_once(lake, monkeypatch, folder: str) -> None:
    """``x.jsonl`` and ``y.jsonl`` of ``folder`` taken in by two intakes at once, each listing one: both check
    what is stored before either inserts, where the store lets them (``x`` inserts first)."""
    mine = threading.local()
    real_new, real_check = publish_job._new_privacy_files, store_privacy._without_conflicts

    def new_files(ctx, kind, refused=None):
        files = real_new(ctx, kind, refused)
        return [f for f in files if f.path.endswith(mine.name)] if kind == folder else files

    checked, x_inserted = threading.Barrier(2, timeout=3), threading.Event()

    def check(*args, **kwargs):
        out = real_check(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()  # (with the lock, the other intake waits for this one's commit: no meeting)
        if mine.name == "y.jsonl":
            x_inserted.wait(3)
        return out

    monkeypatch.setattr(publish_job, "_new_privacy_files", new_files)
    monkeypatch.setattr(store_privacy, "_without_conflicts", check)
    errors: list[Exception] = []

    def intake(name: str) -> None:
        mine.name = name
        try:
            with lake._environment():
                publish_job.ingest_privacy(lake.context("privacy_requests"))
        except Exception as exc:  # (reported below)
            errors.append(exc)
        finally:
            if name == "x.jsonl":
                x_inserted.set()

    threads = [threading.Thread(target=intake, args=(name,)) for name in ("x.jsonl", "y.jsonl")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    monkeypatch.undo()
    assert not errors, errors


def _published(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u1", "cust-a", "please water the garden") + line("u2", "cust-b", "hello there")
    )
    lake.publish()
    assert lake.live_ids() == {"u1", "u2"}


def test_one_event_id_with_two_contents_taken_in_at_once_holds_its_customer(lake, monkeypatch):
    _published(lake)
    lake.storage.write_bytes("landing/consent/x.jsonl", opt_out("e1", "cust-a", status="opted_in"))
    lake.storage.write_bytes("landing/consent/y.jsonl", opt_out("e1", "cust-a"))
    _two_intakes_at_once(lake, monkeypatch, "consent")
    with lake.store() as store:
        assert "cust-a" in store.held_customers()
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u2"}


def test_one_request_id_with_two_contents_taken_in_at_once_keeps_both(lake, monkeypatch):
    _published(lake)
    lake.storage.write_bytes(
        "landing/deletions/x.jsonl", deletion("r1", "cust-a", "utterances", utterance_ids=["u-other"])
    )
    lake.storage.write_bytes("landing/deletions/y.jsonl", deletion("r1", "cust-a"))
    _two_intakes_at_once(lake, monkeypatch, "deletions")
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u2"}
