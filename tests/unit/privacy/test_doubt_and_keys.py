"""Doubt withdraws, and the key is part of the dataset (SPEC §4.1), run through the DAGs' steps.

- a customer whose privacy record cannot be read loses their live rows at the next
  ``privacy_requests`` run, and gets them back from a later publish once a valid record arrives;
- every manifest records the pseudonym key's fingerprint, and a run with another key refuses
  to start instead of matching nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.pipeline import Lake

from utterance_governance import schema as S
from utterance_governance.privacy import KeyMismatch, key_fingerprint
from utterance_governance.publish.commit import read_current, read_manifest

DATASET = "assistant-sft"
DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, text: str) -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
            "locale": "en-US", "transcript": text, "response": "Done.", "asr_confidence": 0.9}  # fmt: skip


def write_jsonl(lake: Lake, rel: str, rows: list[dict] | list[bytes]) -> None:
    lines = [r if isinstance(r, bytes) else json.dumps(r).encode() for r in rows]
    lake.storage.write_bytes(rel, b"\n".join(lines) + b"\n")


def live(lake: Lake) -> tuple[dict, set[str]]:
    storage = lake.storage
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    ids = {
        u
        for shard in manifest["shards"]
        for u in storage.read_parquet(f"published/{DATASET}/{shard['path']}", ["utterance_id"])
        .column(0)
        .to_pylist()
    }
    return manifest, ids


def forget_fingerprint(lake: Lake) -> None:
    """Make the live manifest look like one written before fingerprints were recorded."""
    storage = lake.storage
    path = f"published/{DATASET}/{read_current(storage, DATASET)['version']}/manifest.json"
    manifest = json.loads(storage.read_bytes(path))
    del manifest["key_fingerprint"]
    storage.write_bytes(path, json.dumps(manifest).encode())


def rekey_env(monkeypatch, lake: Lake, **env: str) -> None:
    for name, value in {**lake.env, **env}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    write_jsonl(lake, f"{DT}/a.jsonl", [
        utterance("u-doubt-1", "doubt", "please remind me to water the ferns on friday"),
        utterance("u-doubt-2", "doubt", "what is the capital of mongolia"),
        utterance("u-other", "other", "turn the kitchen lights down to twenty percent"),
    ])  # fmt: skip
    lake.publish()
    return lake


def test_a_held_customer_is_withdrawn_from_live_and_restored_once_released(lake):
    _, before = live(lake)
    assert before == {"u-doubt-1", "u-doubt-2", "u-other"}
    # an opt-out whose status nobody can read: the customer is held, their live rows withdrawn
    write_jsonl(lake, "landing/consent/c1.jsonl", [{
        "event_id": "e1", "customer_id": "doubt", "purpose": "model_training", "status": "opted out?",
        "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z"}])  # fmt: skip
    result = lake.privacy()
    assert result["published"]["rows_removed"] == {S.HELD_BACK: 2}
    manifest, ids = live(lake)
    assert ids == {"u-other"}
    assert manifest["replaces"]["reason"] == [S.HELD_BACK] and manifest["replaces"]["erase_copies"] is False
    parked = lake.storage.list_files("quarantine/withdrawn", (".parquet",))
    assert len(parked) == 1
    why = lake.storage.read_parquet(parked[0].path, columns=["reason", "detail"]).to_pylist()
    assert why == [{"reason": S.HELD_BACK, "detail": S.HELD_WITHDRAWN}] * 2  # quarantine says why
    lake.audit()  # passes: nothing doubtful is live

    lake.publish()  # still held: nothing comes back
    assert live(lake)[1] == {"u-other"}

    # a valid record arrives: the hold is released and the next publish restores the rows
    write_jsonl(lake, "landing/consent/c2.jsonl", [{
        "event_id": "e2", "customer_id": "doubt", "purpose": "model_training", "status": "opted_in",
        "effective_at": "2026-01-01T00:00:00Z", "recorded_at": "2026-11-22T00:00:00Z"}])  # fmt: skip
    lake.publish()
    assert live(lake)[1] == {"u-doubt-1", "u-doubt-2", "u-other"}
    assert lake.storage.list_files("quarantine/withdrawn", (".parquet",)) == []
    lake.audit()


def test_withdrawn_rows_of_a_customer_who_then_deletes_are_erased(lake):
    write_jsonl(lake, "landing/consent/c1.jsonl", [b'{"event_id": "e1", "customer_id": "doubt", "status": '])
    lake.privacy()
    assert lake.storage.list_files("quarantine/withdrawn", (".parquet",))
    write_jsonl(lake, "landing/deletions/d1.jsonl", [{
        "request_id": "d1", "customer_id": "doubt", "scope": "all", "requested_at": "2026-11-23T00:00:00Z"}])  # fmt: skip
    result = lake.privacy()
    assert result["copies"]["rows_removed"]["quarantine"] >= 2
    for info in lake.storage.list_files("quarantine/withdrawn", (".parquet",)):
        assert lake.storage.read_parquet(info.path).num_rows == 0


def test_every_manifest_records_the_key_fingerprint(lake):
    manifest, _ = live(lake)
    assert manifest["key_fingerprint"] == key_fingerprint(lake.key.encode())


@pytest.mark.parametrize("step", ["publish", "privacy", "audit"])
def test_a_run_with_another_key_refuses_to_start(lake, step):
    write_jsonl(lake, "landing/deletions/d1.jsonl", [{
        "request_id": "d1", "customer_id": "other", "scope": "all", "requested_at": "2026-11-23T00:00:00Z"}])  # fmt: skip
    rotated = Lake(lake.root, lake.database_url, key="a-rotated-key")
    with pytest.raises(KeyMismatch, match="fingerprint"):
        getattr(rotated, step)()
    # nothing was purged or published with the wrong key; with the right one the deletion goes through
    assert "u-other" in live(lake)[1]
    lake.privacy()
    assert "u-other" not in live(lake)[1]


def test_a_live_manifest_without_a_fingerprint_is_refused(lake):
    forget_fingerprint(lake)
    with pytest.raises(KeyMismatch, match="records no pseudonym-key fingerprint"):
        lake.privacy()


def test_rotating_the_key_rekeys_the_dataset_and_every_keyed_copy(lake, monkeypatch):
    """After ``cli rekey`` a run with the new key finds the customer's rows; the old key is refused."""
    from utterance_governance.cli import main
    from utterance_governance.privacy import speaker_key

    storage = lake.storage
    old_speaker = speaker_key("other", lake.key.encode())
    assert old_speaker in storage.read_parquet(storage.list_files("decisions", (".parquet",))[0].path).column("speaker_key").to_pylist()  # fmt: skip
    rekey_env(monkeypatch, lake, UG_PSEUDONYM_KEY="the-new-key", UG_OLD_KEY=lake.key)
    assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0

    rotated = Lake(lake.root, lake.database_url, key="the-new-key")
    manifest, ids = live(rotated)
    assert manifest["key_fingerprint"] == key_fingerprint(b"the-new-key") and ids == {
        "u-doubt-1",
        "u-doubt-2",
        "u-other",
    }
    new_speaker = speaker_key("other", b"the-new-key")
    every_key = {k for info in storage.list_files("", (".parquet",)) if "speaker_key" in storage.read_parquet(info.path).column_names
                 for k in storage.read_parquet(info.path, ["speaker_key"]).column(0).to_pylist()}  # fmt: skip
    assert old_speaker not in every_key and new_speaker in every_key  # no file anywhere holds an old key
    with pytest.raises(KeyMismatch):
        lake.publish()  # the old key is refused now
    write_jsonl(rotated, "landing/deletions/d1.jsonl", [{
        "request_id": "d1", "customer_id": "other", "scope": "all", "requested_at": "2026-11-23T00:00:00Z"}])  # fmt: skip
    rotated.privacy()
    assert live(rotated)[1] == {"u-doubt-1", "u-doubt-2"}
    rotated.audit()


def test_rekey_refuses_an_old_key_that_did_not_make_the_dataset(lake, monkeypatch):
    from utterance_governance.cli import main

    before = live(lake)
    rekey_env(monkeypatch, lake, UG_PSEUDONYM_KEY="the-new-key", UG_OLD_KEY="a-wrong-key")
    assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 1
    assert live(lake) == before


def test_rekey_with_the_same_key_records_the_fingerprint_of_an_old_manifest(lake, monkeypatch):
    from utterance_governance.cli import main

    forget_fingerprint(lake)
    rekey_env(monkeypatch, lake, UG_OLD_KEY=lake.key)
    assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0
    assert live(lake)[0]["key_fingerprint"] == key_fingerprint(lake.key.encode())
    lake.privacy()  # accepted again


def _held(lake: Lake) -> set[str]:
    with lake.store() as store:
        return store.held_customers()


def test_an_older_opt_in_delivered_late_does_not_release_a_hold(lake):
    """An unreadable opt-out (recorded 11-25) held its customer; an opt-in recorded a week before it,
    delivered late by another source, released the hold, and the customer's rows were published again."""
    write_jsonl(lake, "landing/consent/app.jsonl", [{
        "event_id": "e-out", "customer_id": "doubt", "purpose": "model_training", "status": "opted-out",
        "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    write_jsonl(lake, "landing/consent/web.jsonl", [{
        "event_id": "e-in-old", "customer_id": "doubt", "purpose": "model_training", "status": "opted_in",
        "effective_at": "2026-11-18T00:00:00Z", "recorded_at": "2026-11-18T00:00:00Z"}])  # fmt: skip
    lake.publish()
    assert _held(lake) == {"doubt"} and live(lake)[1] == {"u-other"}
    # the same event sent again, readable: it is the customer's word, and the hold is released
    write_jsonl(lake, "landing/consent/app-fixed.jsonl", [{
        "event_id": "e-out", "customer_id": "doubt", "purpose": "model_training", "status": "opted_out",
        "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}])  # fmt: skip
    lake.publish()
    assert _held(lake) == set() and live(lake)[1] == {"u-other"}  # opted out now, as the record says


def test_no_delete_all_releases_an_unreadable_deletion_only_the_same_request_or_an_acknowledgement(lake):
    """A delete-all requested after an unreadable deletion released its hold; but it covers what was
    captured until it, and the unreadable one may be a range reaching past it (its ``to`` has no offset):
    the customer's December utterance was published (review 11, F2). Only the same request read again,
    or an acknowledgement, releases a deletion's hold."""
    write_jsonl(lake, "landing/deletions/a.jsonl", [{
        "request_id": "d-range", "customer_id": "doubt", "scope": "range", "from": "2026-11-01T00:00:00Z",
        "to": "2026-12-31T23:59:59", "requested_at": "2026-11-25T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    assert _held(lake) == {"doubt"}
    write_jsonl(lake, "landing/deletions/b.jsonl", [{
        "request_id": "d-all", "customer_id": "doubt", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    assert _held(lake) == {"doubt"} and live(lake)[1] == {"u-other"}
    december = {
        **utterance("u-doubt-dec", "doubt", "what is the weather tomorrow"),
        "captured_at": "2026-12-02T10:00:00Z",
    }
    write_jsonl(lake, "landing/utterances/dt=2026-12-02/later.jsonl", [december])
    lake.publish()
    assert live(lake)[1] == {"u-other"}  # the range may reach it: held still
    with lake.store() as store:
        (record,) = store.privacy_quarantine()
        store.acknowledge_privacy_quarantine([record["id"]], by="data engineer on call")
    assert _held(lake) == set()


def test_a_deletion_hold_is_released_only_by_the_same_request(lake):
    """An unreadable delete-all ("everything") held its customer; any later deletion of theirs, of one
    utterance only, released the hold and the rest was published again, never erased. The same request
    read (or a delete-all) releases it."""
    write_jsonl(lake, "landing/deletions/a.jsonl", [{
        "request_id": "d-all", "customer_id": "doubt", "scope": "everything",
        "requested_at": "2026-11-25T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    write_jsonl(lake, "landing/deletions/b.jsonl", [{
        "request_id": "d-one", "customer_id": "doubt", "scope": "utterances", "utterance_ids": ["u-doubt-1"],
        "requested_at": "2026-11-26T00:00:00Z"}])  # fmt: skip
    lake.publish()
    assert _held(lake) == {"doubt"} and live(lake)[1] == {"u-other"}
    write_jsonl(lake, "landing/deletions/a-fixed.jsonl", [{
        "request_id": "d-all", "customer_id": "doubt", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    assert _held(lake) == set() and live(lake)[1] == {"u-other"}


def test_the_access_report_lists_a_withdrawn_copy_and_why_it_waits(lake):
    """A held customer's live rows, withdrawn, wait in ``quarantine/withdrawn/`` by speaker key with
    their cleaned text: a copy the customer's access report lists, with why it waits."""
    write_jsonl(lake, "landing/consent/c1.jsonl", [{
        "event_id": "e1", "customer_id": "doubt", "purpose": "model_training", "status": "opted out?",
        "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z"}])  # fmt: skip
    lake.privacy()
    report = json.loads(Path(lake.access_report("doubt")["json"]).read_text())
    withdrawn = [
        (u["utterance_id"], loc["note"])
        for u in report["utterances"]
        for loc in u["locations"]
        if loc["path"].startswith("quarantine/withdrawn/")
    ]
    assert sorted(withdrawn) == [
        (
            f"u-doubt-{i}",
            f"held back until a readable consent or deletion record arrives ({S.HELD_WITHDRAWN})",
        )
        for i in (1, 2)
    ]
