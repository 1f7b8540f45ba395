"""A privacy file that could not be read was named by its raw landing path (review 13, F4: the intake's
part). ``jobs.publish.ingest_privacy`` logged ``could not read %s`` and raised ``PrivacyIntakeFailed`` listing
the raw paths; ``jobs.failures`` keeps that message in the store's run record and ``failure.json``. A consent
export partitioned by customer (``landing/consent/customer_id=zed-4417/c.jsonl``, read as zed's) put the
customer id in all of them. They name the file as reports do (``readers.shown_path``)."""

from __future__ import annotations

import json
import logging

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

CONSENT = "landing/consent/customer_id=zed-4417/c.jsonl"


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")


def test_an_unreadable_privacy_file_is_logged_and_raised_without_the_customer_its_path_names(
    lake, monkeypatch, caplog
):
    from utterance_governance.jobs import failures, privacy, publish

    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed-4417", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    event = {"event_id": "e1", "purpose": "model_training", "status": "opted_out",
             "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes(CONSENT, json.dumps(event).encode() + b"\n")
    read = publish.read_landing_file

    def flaky(storage, rel, *args, **kwargs):
        if rel == CONSENT:
            raise ConnectionResetError("connection reset by peer")
        return read(storage, rel, *args, **kwargs)

    monkeypatch.setattr(publish, "read_landing_file", flaky)
    caplog.set_level(logging.INFO)
    with lake._environment():
        ctx = lake.context("privacy_requests")
        with pytest.raises(publish.PrivacyIntakeFailed) as caught:
            privacy.ingest(ctx)
        failures.record_step_failure("privacy_requests", ctx.run_id, "ingest", caught.value)
        failures.record_failed_run("privacy_requests", ctx.run_id, ["ingest"])
    assert "zed-4417" not in str(caught.value) and "customer_id=[customer]" in str(caught.value)
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("utterance_governance.jobs")]
    assert not [m for m in logged if "zed-4417" in m], logged
    assert any("could not read landing/consent/customer_id=[customer]/c.jsonl" in m for m in logged), logged
    with lake.store() as store:
        assert "zed-4417" not in repr(store.runs()), "the store's run record names the customer"
    assert not [p for p in lake.storage.list_files("reports", (".json", ".html"))
                if b"zed-4417" in lake.storage.read_bytes(p.path)]  # fmt: skip
