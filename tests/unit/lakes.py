"""Small lakes built by hand for the audit, report and purge tests, and ways to tamper with them.

``publish_records`` publishes rows through the real commit protocol (``publish_version``:
shards, manifest, ledger, switch) without the decision pipeline or GX, so a test lake costs
milliseconds. Privacy records go into the governance store as they would from landing files.
Times are given as ISO strings or as hours after ``T0`` (``ts``). The tamper helpers change a
live shard the way an accident or an attacker would, optionally fixing up the manifest so only
a row-level check can see it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from utterance_governance import schema as S
from utterance_governance.decide import PUBLISHABLE
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import PrivacyState, key_fingerprint, speaker_keys
from utterance_governance.publish.commit import (
    DatasetPaths,
    Publication,
    publish_version,
    read_current,
    read_manifest,
)
from utterance_governance.publish.shards import SORT_KEYS, shard_rows
from utterance_governance.rules.duplicate import content_hashes

KEY = b"unit-test-key"
DATASET = "assistant-sft"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)

Moment = str | float  # an ISO timestamp, or hours after T0


def ts(when: Moment) -> datetime:
    """An ISO timestamp, or a number of hours after ``T0``, as a UTC datetime."""
    if isinstance(when, str):
        return datetime.fromisoformat(when).astimezone(UTC)
    return T0 + timedelta(hours=when)


def speaker(customer: str, key: bytes = KEY) -> str:
    return speaker_keys(pa.array([customer]), key)[0].as_py()


# --- published rows -------------------------------------------------------------------------------
def record(uid: str, customer: str, captured: Moment, *, locale: str = "en-US",
           user: str = "what is the weather like today", reply: str | None = "It is sunny.") -> dict:  # fmt: skip
    return {"utterance_id": uid, "customer_id": customer, "captured_at": ts(captured), "locale": locale,
            "user_text": user, "assistant_text": reply}  # fmt: skip


def utterance(uid: str, customer: str, hours: float, text: str | None = None, locale: str = "en-US") -> dict:
    """A record whose text is its own (no two utterances share a content hash), answered "Done."."""
    return record(uid, customer, hours, locale=locale, user=text or f"please remember the secret phrase of {uid}",
                  reply="Done.")  # fmt: skip


def publishable(records: list[dict], key: bytes = KEY) -> pa.Table:
    """``decide.PUBLISHABLE`` rows for hand-written records (speaker keys, hashes, dates computed)."""
    n = len(records)
    customers = pa.array([r["customer_id"] for r in records], pa.string())
    captured = pa.array([r["captured_at"] for r in records], S.TS)
    user = pa.array([r["user_text"] for r in records], pa.string())
    reply = pa.array([r["assistant_text"] for r in records], pa.string())
    return pa.table(
        {
            "utterance_id": pa.array([r["utterance_id"] for r in records], pa.string()),
            "speaker_key": speaker_keys(customers, key),
            "locale": pa.array([r["locale"] for r in records], pa.string()),
            "captured_at": captured,
            "captured_date": captured.cast(pa.date32()),
            "user_text": user,
            "assistant_text": reply,
            "asr_confidence": pa.array([0.9] * n, pa.float64()),
            "content_hash": content_hashes(user, reply),
            "source_file": pa.array(["landing/utterances/dt=2026-11-20/x.jsonl"] * n, pa.string()),
            "line": pa.array(range(1, n + 1), pa.int64()),
            # a row lands when it is captured, unless a record says otherwise
            "landed_at": pa.array([r.get("landed_at", r["captured_at"]) for r in records], S.TS),
        },
        schema=PUBLISHABLE,
    )


def shard_row(uid: str, customer: str, captured: Moment, *, key: bytes = KEY, **kwargs) -> pa.Table:
    """One published row (``schema.SHARD``) with a correct content_hash, as a table."""
    return shard_rows(publishable([record(uid, customer, captured, **kwargs)], key))


def publication_rows(records: list[dict]) -> pa.Table:
    """Shard rows (``schema.SHARD`` + ``captured_at``, ``landed_at``) of hand-written records, sorted like a publish."""
    rows = publishable(records).sort_by(SORT_KEYS)
    return (
        shard_rows(rows)
        .append_column("captured_at", rows.column("captured_at"))
        .append_column("landed_at", rows.column("landed_at"))
    )


def publish_records(storage: Storage, store: GovernanceStore, records: list[dict], run_id: str = "run-1",
                    target_rows: int = 1000) -> dict:  # fmt: skip
    publication = Publication(
        run_id=run_id,
        rows=publication_rows(records),
        counts={"published": len(records)},
        gate={"success": True},
        privacy_snapshot=store.privacy_snapshot(),
        inputs=[],
        target_rows=target_rows,
        key_fingerprint=key_fingerprint(KEY),
    )
    return publish_version(storage, store, DATASET, publication)


# --- privacy records ------------------------------------------------------------------------------
def consent_event(event_id: str, customer: str, status: str, effective: Moment) -> dict:
    return {"event_id": event_id, "customer_id": customer, "purpose": S.TRAINING_PURPOSE, "status": status,
            "effective_at": ts(effective), "recorded_at": ts(effective), "source": "app"}  # fmt: skip


def deletion(request_id: str, customer: str, scope: str = "all", at: Moment = 1000, *,
             start: datetime | None = None, end: datetime | None = None, ids: list[str] | None = None) -> dict:  # fmt: skip
    """A deletion request (``schema.DELETION``) made ``at``: all, a ``start``-``end`` range, or ``ids``."""
    return {"request_id": request_id, "customer_id": customer, "scope": scope, "from": start, "to": end,
            "utterance_ids": ids, "requested_at": ts(at)}  # fmt: skip


def add_privacy(
    store: GovernanceStore, consent: Sequence[dict] = (), deletions: Sequence[dict] = (), source: str = "x"
) -> None:
    """Ingest consent events and deletion requests as if from ``landing/<kind>/<source>.jsonl``."""
    if consent:
        store.ingest_consent_events(
            pa.Table.from_pylist(list(consent), schema=S.CONSENT), f"landing/consent/{source}.jsonl"
        )
    if deletions:
        store.ingest_deletion_requests(
            pa.Table.from_pylist(list(deletions), schema=S.DELETION), f"landing/deletions/{source}.jsonl"
        )


def add_consent(store: GovernanceStore, event_id: str, customer: str, status: str, effective: Moment) -> None:
    add_privacy(store, consent=[consent_event(event_id, customer, status, effective)], source=event_id)


def add_deletion(store: GovernanceStore, request_id: str, customer: str, at: Moment, **kwargs) -> None:
    add_privacy(store, deletions=[deletion(request_id, customer, at=at, **kwargs)], source=request_id)


def store_state(store: GovernanceStore) -> PrivacyState:
    return PrivacyState(store.consent_events(), store.deletion_requests(), frozenset(store.held_customers()),
                        tuple(store.privacy_blocked_reasons()))  # fmt: skip


# --- the live version -----------------------------------------------------------------------------
def live_manifest(storage: Storage, dataset: str = DATASET) -> dict:
    return read_manifest(storage, dataset, read_current(storage, dataset)["version"])


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


# --- tampering ------------------------------------------------------------------------------------
def _write_manifest(storage: Storage, manifest: dict, dataset: str = DATASET) -> None:
    path = DatasetPaths(dataset).manifest(manifest["version"])
    storage.write_bytes(path, (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode())


def rewrite_live_shard(storage: Storage, mutate, *, index: int = 0, fix_manifest: bool = True,
                       dataset: str = DATASET) -> str:  # fmt: skip
    """Rewrite a live shard with ``mutate(table) -> table``; fix its manifest entry so checksums,
    bytes and row counts agree (only a row-level check can then see the change). Returns its path."""
    manifest = live_manifest(storage, dataset)
    shard = manifest["shards"][index]
    rel = DatasetPaths(dataset).shard(shard["path"])
    table = mutate(storage.read_parquet(rel))
    size, digest = storage.write_parquet(rel, table, row_group_size=64_000)
    if fix_manifest:
        manifest["rows"] += table.num_rows - shard["rows"]
        shard.update(rows=table.num_rows, bytes=size, sha256=digest)
        _write_manifest(storage, manifest, dataset)
    return shard["path"]


def append_rows(extra: pa.Table):
    def mutate(table: pa.Table) -> pa.Table:
        return pa.concat_tables([table, extra.cast(table.schema)])

    return mutate


def flip_byte(storage: Storage, *, index: int = 0, offset: int | None = None, dataset: str = DATASET) -> str:
    """Flip one byte of a live shard without touching its manifest. Returns the shard's path."""
    shard = live_manifest(storage, dataset)["shards"][index]
    rel = DatasetPaths(dataset).shard(shard["path"])
    data = bytearray(storage.read_bytes(rel))
    at = len(data) // 2 if offset is None else offset
    data[at] ^= 0xFF
    storage.write_bytes(rel, bytes(data))
    return shard["path"]
