"""How long a consent or deletion file has waited in landing without being taken in: from its modification
time, but from no later than when the audit first saw it waiting; a file stamped ahead of the pipeline's
clock is a finding of its own. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.audit import AuditFailed

CONSENT = "landing/consent/c.jsonl"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    lake.audit()  # clean
    return lake


def _opt_out(lake: Lake, event_id: str = "e1", path: str = CONSENT) -> None:
    event = {"event_id": event_id, "customer_id": "zed", "purpose": "model_training", "status": "opted_out",
             "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes(path, json.dumps(event).encode() + b"\n")


def _stamp(lake: Lake, path: str, when: datetime) -> None:
    os.utime(Path(lake.root, path), (when.timestamp(), when.timestamp()))


def _findings(lake: Lake) -> dict[str, list[str]]:
    from utterance_governance.audit.deadlines import waiting_privacy_findings

    out: dict[str, list[str]] = {}
    with lake.store() as store:
        for finding in waiting_privacy_findings(lake.storage, store, datetime.now(UTC)):
            out.setdefault(finding.rule, []).append(finding.message)
    return out


def test_an_opt_out_file_stamped_ahead_still_fails_the_audit_once_it_waited(lake):
    """The wait was measured by the file's own modification time: a file stamped ahead (an upstream host's
    clock ahead, a copy keeping timestamps) never waited, and the daily audit passed while privacy_requests
    was paused and the customer's rows stayed live (review 13, F7)."""
    _opt_out(lake)
    _stamp(lake, CONSENT, datetime.now(UTC) + timedelta(days=365))
    lake.audit()  # the first audit sees it arrive; privacy_requests is paused
    with pytest.raises(AuditFailed, match="privacy_file_waiting"):
        lake.audit(now=datetime.now(UTC) + timedelta(days=1))
    lake.privacy()
    lake.audit(now=datetime.now(UTC) + timedelta(days=1))  # taken in: nothing waits


def test_a_file_stamped_ahead_is_a_warning_of_its_own(lake):
    """(review 13, F7) A modification time ahead of now by more than the clock skew says a clock upstream is
    wrong: the audit names it (a warning; the wait counts from when the audit first saw the file)."""
    _opt_out(lake, path="landing/consent/customer_id=zed/c.jsonl")
    _stamp(lake, "landing/consent/customer_id=zed/c.jsonl", datetime.now(UTC) + timedelta(days=365))
    _opt_out(lake, "e2", "landing/consent/near.jsonl")
    _stamp(lake, "landing/consent/near.jsonl", datetime.now(UTC) + timedelta(seconds=60))  # within the skew
    found = _findings(lake)
    assert "privacy_file_waiting" not in found
    (ahead,) = found["privacy_file_time_ahead"]
    assert "landing/consent/customer_id=[customer]/c.jsonl" in ahead and "customer_id=zed" not in ahead


def test_a_file_taken_in_and_replaced_at_its_path_waits_from_its_new_sighting(lake):
    """(review 13, F7) The audit's sighting of a path counts until the path is taken in: a new version
    written over it later (an export under one name each day), stamped ahead too, waits from when the
    audit saw that version, not from the first one's sighting."""
    start = datetime.now(UTC)
    _opt_out(lake)
    _stamp(lake, CONSENT, start + timedelta(days=365))
    lake.audit(now=start)
    lake.privacy()
    _opt_out(lake, "e2")
    _stamp(lake, CONSENT, start + timedelta(days=366))
    lake.audit(now=start + timedelta(days=1))  # seen first now: not waiting yet
    with pytest.raises(AuditFailed, match="privacy_file_waiting"):
        lake.audit(now=start + timedelta(days=1, hours=3))


def test_an_unreadable_record_naming_nobody_fails_the_audit_until_acknowledged(tmp_path):
    """Two consent records glued on one line (customer X's opt-out, Y's opt-in) name two customers, so
    the line is nobody's: publishing is blocked, X's live row stays live (nobody is named to withdraw),
    and the audit said nothing. It fails now, naming the record as the store does, until acknowledged."""
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        json.dumps({"utterance_id": "u-x", "customer_id": "cust-x", "captured_at": "2026-11-20T10:00:00Z",
                    "locale": "en-US", "transcript": "remind me about the garden party", "response": "Sure.",
                    "asr_confidence": 0.9}).encode() + b"\n",
    )  # fmt: skip
    lake.publish()
    glued = "".join(
        json.dumps({"event_id": event, "customer_id": customer, "purpose": "model_training", "status": status,
                    "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"})
        for event, customer, status in (("e1", "cust-x", "opted_out"), ("e2", "cust-y", "opted_in"))
    )  # fmt: skip
    lake.storage.write_bytes("landing/consent/c.jsonl", glued.encode() + b"\n")
    lake.privacy()
    assert "u-x" in lake.live_ids()  # nobody named: the live dataset is not withdrawn
    with pytest.raises(AuditFailed, match="privacy_record_blocking") as failed:
        lake.audit()
    assert "cust-x" not in str(failed.value) and "cust-y" not in str(failed.value)
    store = GovernanceStore(lake.database_url)
    store.acknowledge_privacy_quarantine([r["id"] for r in store.privacy_quarantine()], by="on-call")
    store.dispose()
    lake.audit()
