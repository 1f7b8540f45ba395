"""A privacy file whose reading failed (a connection reset, a timeout) blocks publishing until it is read.
Reading the file settled every failed reading of its path, whatever version had failed: an upstream that
writes each export over one name (``landing/consent/latest.jsonl``, a delta of the day's events) replaced
the version nobody read, the next run read the new one and settled the block, and the opt-out or the
delete-all the unread version held was lost without a trace (review 13, F8). Only a reading of the version
that failed settles it now; another version's failure stays until an operator acknowledges it."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import line

CONSENT, DELETIONS = "landing/consent/latest.jsonl", "landing/deletions/latest.jsonl"


def _opt(event_id: str, customer: str, status: str) -> bytes:
    return json.dumps({"event_id": event_id, "customer_id": customer, "purpose": "model_training", "status": status,
                       "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z",
                       "source": "app"}).encode() + b"\n"  # fmt: skip


def _delete(request_id: str, customer: str) -> bytes:
    return json.dumps({"request_id": request_id, "customer_id": customer, "scope": "all",
                       "requested_at": "2026-11-25T00:00:00Z"}).encode() + b"\n"  # fmt: skip


def _fails_once(lake, monkeypatch, path: str) -> None:
    """The privacy intake's reading of ``path`` fails (the object store resets the connection)."""
    from utterance_governance.jobs import publish

    read = publish.read_landing_file

    def flaky(storage, rel, *args, **kwargs):
        if rel == path:
            raise ConnectionResetError("connection reset by peer")
        return read(storage, rel, *args, **kwargs)

    with monkeypatch.context() as m, lake._environment():
        m.setattr(publish, "read_landing_file", flaky)
        with pytest.raises(publish.PrivacyIntakeFailed):
            publish.ingest_privacy(lake.context("privacy_requests"))


def _published(lake) -> None:
    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-bob"}


@pytest.mark.parametrize(
    "path, unread, next_version",
    [(CONSENT, _opt("e1", "zed", "opted_out"), _opt("e2", "bob", "opted_in")),
     (DELETIONS, _delete("d1", "zed"), _delete("d2", "bob"))],
    ids=["consent", "deletion"],
)  # fmt: skip
def test_a_version_nobody_read_keeps_blocking_when_another_replaces_it(
    lake, monkeypatch, path, unread, next_version
):
    from utterance_governance.jobs.publish import PublishingBlocked

    _published(lake)
    lake.storage.write_bytes(path, unread)
    _fails_once(lake, monkeypatch, path)
    lake.storage.write_bytes(path, next_version)  # the next export, over the same name
    lake.privacy()
    with lake.store() as store:
        reasons = store.privacy_blocked_reasons()
    assert any("read_failed:ConnectionResetError" in r for r in reasons), reasons
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-zed-2", "zed", "call me later", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    with pytest.raises(PublishingBlocked, match="read_failed"):
        lake.publish()
    assert "u-zed-2" not in lake.live_ids()


def test_the_version_that_failed_read_again_settles_its_block(lake, monkeypatch):
    _published(lake)
    lake.storage.write_bytes(CONSENT, _opt("e1", "zed", "opted_out"))
    _fails_once(lake, monkeypatch, CONSENT)
    lake.privacy()  # the same version, read this time
    with lake.store() as store:
        assert store.privacy_blocked_reasons() == []
    assert lake.live_ids() == {"u-bob"}
