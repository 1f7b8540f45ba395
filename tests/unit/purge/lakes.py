"""Small hand-built lakes for the purge tests: rows published through the real commit protocol
(``publish_version``) without the decision pipeline or GX, and privacy records in the store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from utterance_governance import schema as S
from utterance_governance.decide import PUBLISHABLE, speaker_keys
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.publish.commit import (
    DatasetPaths,
    Publication,
    publish_version,
    read_current,
    read_manifest,
)
from utterance_governance.publish.shards import SORT_KEYS, shard_rows
from utterance_governance.rules.privacy_state import PrivacyState

KEY = b"purge-unit-test-key"
DATASET = "assistant-sft"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ts(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def speaker(customer: str) -> str:
    return speaker_keys(pa.array([customer]), KEY)[0].as_py()


def utterance(uid: str, customer: str, hours: float, text: str | None = None, locale: str = "en-US") -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": ts(hours), "locale": locale,
            "text": text or f"please remember the secret phrase of {uid}"}  # fmt: skip


def publication_rows(rows: list[dict]) -> pa.Table:
    """Shard rows (``schema.SHARD`` + ``captured_at``) of hand-written utterances, sorted like a publish."""
    table = pa.Table.from_pylist(
        [
            {
                "utterance_id": r["utterance_id"],
                "speaker_key": speaker(r["customer_id"]),
                "locale": r["locale"],
                "captured_at": r["captured_at"],
                "captured_date": r["captured_at"].date(),
                "user_text": r["text"],
                "assistant_text": "Done.",
                "asr_confidence": 0.9,
                "content_hash": hashlib.sha256(r["text"].encode()).hexdigest(),
                "source_file": "landing/utterances/dt=2026-11-01/x.jsonl",
                "line": i + 1,
            }
            for i, r in enumerate(rows)
        ],
        schema=PUBLISHABLE,
    ).sort_by(SORT_KEYS)
    return shard_rows(table).append_column("captured_at", table.column("captured_at"))


def publish_rows(
    storage: Storage, store: GovernanceStore, rows: list[dict], run_id: str, target_rows: int = 4
):
    publication = Publication(run_id, publication_rows(rows), {"published": len(rows)}, {"success": True}, {}, [],
                              target_rows)  # fmt: skip
    return publish_version(storage, store, DATASET, publication)


def consent_event(event_id: str, customer: str, status: str, hours: float) -> dict:
    return {"event_id": event_id, "customer_id": customer, "purpose": S.TRAINING_PURPOSE, "status": status,
            "effective_at": ts(hours), "recorded_at": ts(hours), "source": "app"}  # fmt: skip


def deletion(request_id: str, customer: str, scope: str = "all", hours: float = 1000, **kw) -> dict:
    return {"request_id": request_id, "customer_id": customer, "scope": scope, "from": kw.get("start"),
            "to": kw.get("end"), "utterance_ids": kw.get("ids"), "requested_at": ts(hours)}  # fmt: skip


def add_privacy(
    store: GovernanceStore, consent: list[dict] = (), deletions: list[dict] = (), source="x"
) -> None:
    if consent:
        store.ingest_consent_events(
            pa.Table.from_pylist(list(consent), schema=S.CONSENT), f"landing/consent/{source}.jsonl"
        )
    if deletions:
        store.ingest_deletion_requests(
            pa.Table.from_pylist(list(deletions), schema=S.DELETION), f"landing/deletions/{source}.jsonl"
        )


def store_state(store: GovernanceStore) -> PrivacyState:
    return PrivacyState(store.consent_events(), store.deletion_requests(), frozenset(store.held_customers()),
                        tuple(store.privacy_blocked_reasons()))  # fmt: skip


def live_manifest(storage: Storage) -> dict:
    return read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])


def live_table(storage: Storage) -> pa.Table:
    """Every row of the live version, each shard verified against the manifest (sha256, bytes, rows)."""
    manifest = live_manifest(storage)
    parts = []
    for shard in manifest["shards"]:
        path = DatasetPaths(DATASET).shard(shard["path"])
        data = storage.read_bytes(path)
        assert hashlib.sha256(data).hexdigest() == shard["sha256"] and len(data) == shard["bytes"], path
        table = storage.read_parquet(path)
        assert table.num_rows == shard["rows"], path
        parts.append(table)
    return pa.concat_tables(parts) if parts else S.SHARD.empty_table()


def live_ids(storage: Storage) -> set[str]:
    return set(live_table(storage).column("utterance_id").to_pylist())


def assert_ledger_matches_live(storage: Storage, store: GovernanceStore) -> None:
    live = read_current(storage, DATASET)["version"]
    rows = live_table(storage)
    ledger = store.ledger_rows(DATASET, live)
    assert sorted(ledger.column("utterance_id").to_pylist()) == sorted(
        rows.column("utterance_id").to_pylist()
    )
    assert sorted(store.version_shard_paths(DATASET, live)) == sorted(
        s["path"] for s in live_manifest(storage)["shards"]
    )
    assert store.live_version(DATASET) == live
