"""The utterance id is published as it is (SPEC §6) and no redaction reads it: an id holding an e-mail
address, a phone number in international form or an IP address (an upstream keying utterances by a
login or a caller's number) keeps its record out (``quality:utterance_id_holds_identifier``), and the
daily audit fails on a live one, naming it by a digest. Ids made of dates, sequences and signs hold none."""

import json
from pathlib import Path

import pytest

DT = "landing/utterances/dt=2026-11-20"


@pytest.mark.parametrize(
    "uid",
    ["jane.doe@example.com-0001", "+1-415-555-0199-0001", "192.168.10.20-0001"],
    ids=["email", "phone", "ip"],
)
def test_an_utterance_id_holding_an_identifier_is_not_published(lake, uid):
    row = {
        "utterance_id": uid,
        "customer_id": "c1",
        "captured_at": "2026-11-20T10:00:00Z",
        "locale": "en-US",
        "transcript": "play some jazz in the kitchen",
        "response": "Done.",
        "asr_confidence": 0.9,
    }
    lake.storage.write_bytes(f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n")
    lake.publish()
    assert uid not in lake.live_ids()


@pytest.mark.parametrize(
    "uid",
    ["utt-20261120-000123", "6f1c2b7e-90aa-4c1e-8d23-1234567890ab", "run+20261120-000123", "batch+2-0001",
     "acct-1:dev-2:0001", "1829384756102938475", "x@y", "a+1b"],
)  # fmt: skip
def test_ids_made_of_dates_sequences_and_signs_hold_none(uid):
    from utterance_governance.rules.quality import identifier_in_id

    assert identifier_in_id(uid) is None


def test_the_audit_fails_on_a_live_one_and_names_it_by_a_digest(lake, monkeypatch):
    """Live from before the rule: the audit's own check finds it."""
    from utterance_governance import decide
    from utterance_governance.jobs.audit import AuditFailed
    from utterance_governance.rules.quality import UtteranceIdHoldsIdentifier

    uid = "jane.doe@example.com-0001"
    row = {"utterance_id": uid, "customer_id": "c1", "captured_at": "2026-11-20T10:00:00Z", "locale": "en-US",
           "transcript": "play some jazz in the kitchen", "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    lake.storage.write_bytes(f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n")
    before = [r for r in decide.RECORD_RULES if not isinstance(r, UtteranceIdHoldsIdentifier)]
    monkeypatch.setattr(decide, "RECORD_RULES", before)
    lake.publish()
    assert uid in lake.live_ids()
    monkeypatch.undo()
    with pytest.raises(AuditFailed, match="identifier_detected"):
        lake.audit()
    root = lake.storage.root_url.removeprefix("file://")
    reports = [p for p in Path(root, "reports").rglob("*") if p.is_file()]
    assert reports and not [p for p in reports if b"jane.doe" in p.read_bytes()]


def test_a_column_is_read_whole_or_by_its_hints_alike():
    """The bytes check that lets a column through whole reads only the ids of a slice of it."""
    import pyarrow as pa

    from utterance_governance.rules.quality import ids_holding_identifiers

    ids = pa.array(["jane.doe@example.com-0001", "utt-1", "utt-2", "+1-415-555-0199-7", "utt-3"])
    assert ids_holding_identifiers(ids).tolist() == [True, False, False, True, False]
    assert ids_holding_identifiers(ids.slice(1, 2)).tolist() == [False, False]
    chunked = pa.chunked_array([ids.slice(1, 2), ids.slice(3), pa.array([None], pa.string())])
    assert ids_holding_identifiers(chunked).tolist() == [False, False, True, False, False]
    assert ids_holding_identifiers(pa.array(["a", "b"], pa.large_string())).tolist() == [False, False]
