"""Small lakes built by hand for the audit and report tests, and ways to tamper with them.

``publish_records`` publishes rows through the real commit protocol (``publish_version``:
shards, manifest, ledger, switch) without the decision pipeline or GX, so a test lake costs
milliseconds. The tamper helpers change a live shard the way an accident or an attacker
would, optionally fixing up the manifest so only a row-level check can see it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
from utterance_governance.publish.shards import chat_messages, shard_rows
from utterance_governance.rules.duplicate import content_hashes

KEY = b"unit-test-key"
DATASET = "assistant-sft"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def record(uid: str, customer: str, captured: str, *, locale: str = "en-US",
           user: str = "what is the weather like today", reply: str | None = "It is sunny.") -> dict:  # fmt: skip
    return {"utterance_id": uid, "customer_id": customer, "captured_at": ts(captured), "locale": locale,
            "user_text": user, "assistant_text": reply}  # fmt: skip


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
        },
        schema=PUBLISHABLE,
    )


def shard_row(uid: str, customer: str, captured: str, *, key: bytes = KEY, **kwargs) -> pa.Table:
    """One published row (``schema.SHARD``) with a correct content_hash, as a table."""
    return shard_rows(publishable([record(uid, customer, captured, **kwargs)], key))


def publish_records(storage: Storage, store: GovernanceStore, records: list[dict], run_id: str = "run-1",
                    target_rows: int = 1000) -> dict:  # fmt: skip
    rows = publishable(records).sort_by([("captured_date", "ascending"), ("locale", "ascending"),
                                         ("utterance_id", "ascending")])  # fmt: skip
    publication = Publication(
        run_id=run_id,
        rows=shard_rows(rows).append_column("captured_at", rows.column("captured_at")),
        counts={"published": rows.num_rows},
        gate={"success": True},
        privacy_snapshot=store.privacy_snapshot(),
        inputs=[],
        target_rows=target_rows,
    )
    return publish_version(storage, store, DATASET, publication)


def add_consent(store: GovernanceStore, event_id: str, customer: str, status: str, effective: str) -> None:
    events = pa.Table.from_pylist(
        [{"event_id": event_id, "customer_id": customer, "purpose": S.TRAINING_PURPOSE, "status": status,
          "effective_at": ts(effective), "recorded_at": ts(effective), "source": "test"}],
        schema=S.CONSENT,
    )  # fmt: skip
    store.ingest_consent_events(events, f"landing/consent/{event_id}.jsonl")


def add_deletion(store: GovernanceStore, request_id: str, customer: str, requested: str, *, scope: str = "all",
                 utterance_ids: list[str] | None = None, range_: tuple[str, str] | None = None) -> None:  # fmt: skip
    requests = pa.Table.from_pylist(
        [{"request_id": request_id, "customer_id": customer, "scope": scope,
          "from": ts(range_[0]) if range_ else None, "to": ts(range_[1]) if range_ else None,
          "utterance_ids": utterance_ids, "requested_at": ts(requested)}],
        schema=S.DELETION,
    )  # fmt: skip
    store.ingest_deletion_requests(requests, f"landing/deletions/{request_id}.jsonl")


# --- tampering ----------------------------------------------------------------------------------
def live_manifest(storage: Storage, dataset: str = DATASET) -> dict:
    return read_manifest(storage, dataset, read_current(storage, dataset)["version"])


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


def messages(user: str, reply: str | None = None) -> pa.Array:
    return chat_messages(pa.array([user]), pa.array([reply], pa.string()))
