"""Published shards (SPEC §6): Parquet files a fine-tuning job loads without custom code.

One row per published utterance: ``utterance_id``, ``speaker_key``, ``locale``,
``captured_date``, ``messages`` (a chat: ``user`` = cleaned transcript, then ``assistant``
= cleaned response when there is one), plus ``content_hash`` and ``asr_confidence``.
Rows are sorted, so the same rows always make the same bytes and checksum.

A publish of N rows makes ceil(N / target_rows) shards, and each speaker's rows of that
publish sit in one of them (buckets by a hash of ``speaker_key``). So when a customer opts
out or asks for deletion, a purge rewrites one shard per publish they appear in, not every
shard that overlaps their dates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage

SORT_KEYS = [("captured_date", "ascending"), ("locale", "ascending"), ("utterance_id", "ascending")]


@dataclass(frozen=True)
class ShardInfo:
    path: str  # relative to the dataset folder, e.g. "v000002/shards/part-00000.parquet"
    rows: int
    bytes: int
    sha256: str

    def to_dict(self) -> dict:
        return asdict(self)


def chat_messages(user_text: pa.Array | pa.ChunkedArray, assistant_text: pa.Array | pa.ChunkedArray):
    """``[{role: user, content}, {role: assistant, content}?]`` per row, built vectorised.

    A chunked input gives a chunked result, chunk for chunk: no column is concatenated, so the
    2 GiB of text an Arrow string array holds limits a chunk (a row group), never a night.
    """
    if isinstance(user_text, pa.ChunkedArray) or isinstance(assistant_text, pa.ChunkedArray):
        user_text, assistant_text = _aligned(user_text, assistant_text)
        chunks = [_chat_messages(u, a) for u, a in zip(user_text.chunks, assistant_text.chunks, strict=True)]
        return pa.chunked_array(chunks, type=pa.list_(S.MESSAGE))
    return _chat_messages(user_text, assistant_text)


def _aligned(*columns) -> list[pa.ChunkedArray]:
    """The columns as chunked arrays cut at the same rows (those of the first chunked one)."""
    chunked = [c if isinstance(c, pa.ChunkedArray) else pa.chunked_array([c]) for c in columns]
    lengths = [len(chunk) for chunk in chunked[0].chunks] or [0]
    if all([len(chunk) for chunk in c.chunks] in (lengths, []) for c in chunked):
        return chunked
    table = pa.table({str(i): c for i, c in enumerate(chunked)})
    batches = table.to_batches(max_chunksize=max(lengths))  # re-cut at common boundaries
    return [pa.chunked_array([b.column(i) for b in batches], c.type) for i, c in enumerate(chunked)]


def _chat_messages(user_text: pa.Array, assistant_text: pa.Array) -> pa.ListArray:
    n = len(user_text)
    has_reply = np.asarray(pc.fill_null(pc.greater(pc.utf8_length(assistant_text), 0), False), dtype=bool)
    sizes = 1 + has_reply.astype(np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    total = int(offsets[-1])
    # positions 0..n-1 of ``both`` are user turns, n..2n-1 assistant turns
    pick = np.empty(total, dtype=np.int64)
    pick[offsets[:-1]] = np.arange(n)
    pick[offsets[:-1][has_reply] + 1] = n + np.flatnonzero(has_reply)
    both = pa.concat_arrays([user_text.cast(pa.string()), assistant_text.cast(pa.string())])
    roles = np.where(pick < n, "user", "assistant")
    values = pa.StructArray.from_arrays(
        [pa.array(roles, pa.string()), both.take(pa.array(pick))], fields=list(S.MESSAGE)
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=pa.list_(S.MESSAGE))


def split_turns(rows: pa.Table) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """(user text, assistant text or null, well-formed mask) of each row's ``messages``.

    Well formed: ``[user]`` or ``[user, assistant]``, the user turn not null. Read chunk by chunk
    (a multi-chunk table gives chunked texts, cut where its chunks are).
    """
    batches = rows.select(["messages", "utterance_id"]).to_batches()
    if len(batches) == 1:
        return _split_turns(batches[0].column(0), batches[0].column(1))
    parts = [_split_turns(b.column(0), b.column(1)) for b in batches if b.num_rows]
    if not parts:
        empty = pa.array([], pa.string())
        return empty, empty, np.zeros(0, dtype=bool)
    return (
        pa.chunked_array([p[0] for p in parts], pa.string()),
        pa.chunked_array([p[1] for p in parts], pa.string()),
        np.concatenate([p[2] for p in parts]),
    )


def _split_turns(messages: pa.ListArray, utterance_id: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    n = len(messages)
    lengths = np.asarray(pc.fill_null(pc.list_value_length(messages), 0), dtype=np.int64)
    first = messages.offsets.to_numpy(zero_copy_only=False)[:-1].astype(np.int64)
    values = messages.values
    if len(values) == 0:
        empty = pa.nulls(n, pa.string())
        return empty, empty, np.zeros(n, dtype=bool)
    roles, contents = pc.struct_field(values, "role"), pc.struct_field(values, "content")
    has_user = lengths >= 1
    has_reply = lengths == 2
    user_at = np.where(has_user, first, 0)
    reply_at = np.where(has_reply, first + 1, 0)
    user = pc.if_else(pa.array(has_user), contents.take(pa.array(user_at)), None)
    reply = pc.if_else(pa.array(has_reply), contents.take(pa.array(reply_at)), None)
    first_role = np.asarray(pc.fill_null(pc.equal(roles.take(pa.array(user_at)), "user"), False))
    second_role = np.asarray(pc.fill_null(pc.equal(roles.take(pa.array(reply_at)), "assistant"), False))
    well_formed = (
        has_user
        & (lengths <= 2)
        & first_role
        & (~has_reply | second_role)
        & np.asarray(pc.is_valid(user))
        & np.asarray(pc.is_valid(utterance_id))
    )
    return user, reply, well_formed


def shard_rows(publishable: pa.Table) -> pa.Table:
    """The published form of publishable rows (``decide.PUBLISHABLE``), sorted."""
    table = publishable.sort_by(SORT_KEYS)
    return pa.table(
        {
            "utterance_id": table.column("utterance_id"),
            "speaker_key": table.column("speaker_key"),
            "locale": table.column("locale"),
            "captured_date": table.column("captured_date"),
            "messages": chat_messages(table.column("user_text"), table.column("assistant_text")),
            "content_hash": table.column("content_hash"),
            "asr_confidence": table.column("asr_confidence"),
        },
        schema=S.SHARD,
    )


def _buckets(rows: pa.Table, target_rows: int) -> np.ndarray:
    n = max(1, -(-rows.num_rows // max(1, int(target_rows))))
    if n == 1:
        return np.zeros(rows.num_rows, dtype=np.int64)
    keys = rows.column("speaker_key").to_numpy(zero_copy_only=False)
    return (pd.util.hash_array(keys, hash_key="ug-shard-bucket1", categorize=True) % np.uint64(n)).astype(
        np.int64
    )


def order_for_shards(rows: pa.Table, target_rows: int) -> pa.Table:
    """``rows`` grouped by speaker bucket (stable: the sort order holds within a bucket).

    Applying it twice changes nothing, so callers that need the written order (the ledger)
    order first and hand the result to ``write_shards``.
    """
    buckets = _buckets(rows, target_rows)
    return rows.take(pa.array(np.argsort(buckets, kind="stable")))


def write_shards(
    storage: Storage, dataset_dir: str, version: str, rows: pa.Table, target_rows: int, first_index: int = 0
) -> list[ShardInfo]:
    """Write ``rows`` (``S.SHARD``) as about ceil(rows / ``target_rows``) speaker-bucketed shards
    under ``<version>/shards/``, in the order of ``order_for_shards(rows)``.

    Each write is atomic; the caller makes them visible only through a manifest and the
    ``current.json`` switch. Returns each shard's path, rows, bytes and sha256.
    """
    rows = order_for_shards(rows, target_rows)
    buckets = _buckets(rows, target_rows)
    bounds = np.flatnonzero(np.diff(buckets)) + 1
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), rows.num_rows]
    parts = [rows.slice(s, e - s) for s, e in zip(starts, ends, strict=True) if e > s]
    return [
        write_shard(storage, dataset_dir, f"{version}/shards/part-{index:05d}.parquet", part)
        for index, part in enumerate(parts, start=first_index)
    ]


def as_shard(rows: pa.Table) -> pa.Table:
    """``rows``' ``S.SHARD`` columns with ``S.SHARD``'s schema, its fields' nullability included: a column set by
    name (a rotation's new speaker keys) is nullable, and a shard written so could not be concatenated with a
    night's (a compaction, a second rotation failed on it)."""
    return rows.select(S.SHARD.names).cast(S.SHARD)


def write_shard(storage: Storage, dataset_dir: str, path: str, rows: pa.Table) -> ShardInfo:
    """Write ``rows`` (``S.SHARD`` columns, in the order given) as the shard at ``path`` (atomic), with
    ``S.SHARD``'s schema (``as_shard``)."""
    part = as_shard(rows)
    size, digest = storage.write_parquet(f"{dataset_dir}/{path}", part, row_group_size=64_000)
    return ShardInfo(path, part.num_rows, size, digest)
