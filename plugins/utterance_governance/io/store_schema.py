"""Tables of the governance store (SQLAlchemy 2 Core), portable between SQLite and PostgreSQL.

The store keeps what the pipeline decided and published, never what customers said: no
column holds transcript or response text, and quarantined privacy records are kept
by position and reason, without their raw input.

Timestamps are ``UTCDateTime``: tz-aware UTC in and out on both backends (SQLite keeps no
zone, so values are normalised to UTC before they are written and marked UTC when read).
JSON values are ``JSONText``: canonical JSON (sorted keys) in a text column.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.types import TypeDecorator

from utterance_governance.schema import TS

UTC = dt.UTC


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the governance store: add a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONText(TypeDecorator):
    """JSON stored as canonical text (sorted keys, no whitespace) so both backends hold the same bytes."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        return None if value is None else dumps_canonical(value)

    def process_result_value(self, value: str | None, dialect) -> Any:
        return None if value is None else json.loads(value)


# Identifiers and hashes compared byte-wise: on PostgreSQL a "C" collation keeps the ledger's
# indexes cheap to maintain (a locale collation costs several times more per comparison).
KEY = String().with_variant(String(collation="C"), "postgresql")


def dumps_canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


metadata = MetaData()

# --- privacy records (SPEC §3.2, §3.3) -------------------------------------------------------
# Every ingest call that adds something gets a batch; its increasing id orders ingests, which is
# what "a valid record arriving after the unreadable one" means for holds.
privacy_batches = Table(
    "privacy_batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # consent | deletion
    Column("source_file", Text, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("new_records", Integer, nullable=False, default=0),
    Column("new_quarantined", Integer, nullable=False, default=0),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("customer_id", String, nullable=False, index=True),
    Column("purpose", String, nullable=False),
    Column("status", String, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("source", String),
    Column("source_file", Text, nullable=False),
    Column("batch_id", Integer, ForeignKey("privacy_batches.batch_id"), nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
)

deletion_requests = Table(
    "deletion_requests",
    metadata,
    Column("request_id", String, primary_key=True),
    Column("customer_id", String, nullable=False, index=True),
    Column("scope", String, nullable=False),
    Column("range_from", UTCDateTime),  # "from" in the input
    Column("range_to", UTCDateTime),  # "to" in the input
    Column("utterance_ids", JSONText),  # JSON list of strings, for scope "utterances"
    Column("requested_at", UTCDateTime, nullable=False),
    Column("source_file", Text, nullable=False),
    Column("batch_id", Integer, ForeignKey("privacy_batches.batch_id"), nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
)

# An unreadable consent/deletion record: where it was and why, never its raw text.
privacy_quarantine = Table(
    "privacy_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # consent | deletion
    Column("source_file", Text, nullable=False),
    Column("line", BigInteger, nullable=False),
    Column("record_id", String),
    Column("customer_id", String, index=True),  # when readable: the customer is held back
    Column("reason", String, nullable=False),
    Column("detail", Text, nullable=False),
    Column("batch_id", Integer, ForeignKey("privacy_batches.batch_id"), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String),
    # the time the record states (recorded_at / requested_at), when readable: what releases its hold
    Column("record_time", UTCDateTime),
    # the effective_at an unreadable consent record states, when readable: from when the opt-out it may be
    # counts (``PrivacyStore.doubt_opt_outs``; unknown: from the earliest capture)
    Column("record_effective", UTCDateTime),
    # what the record's raw line readably states of its content (``privacy._stated_content``): a resend
    # under its id answers it only when it says the same in each (NULL: nothing stated readably)
    Column("record_states", JSONText),
    UniqueConstraint("kind", "source_file", "line", name="uq_privacy_quarantine_position"),
)

# --- landing files processed once (SPEC §3.1) ----------------------------------------------------
processed_files = Table(
    "processed_files",
    metadata,
    Column("path", Text, primary_key=True),  # relative to the lake root
    Column("size", BigInteger, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("run_id", String, nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
    Column("stats", JSONText),
    Column("rewritten_at", UTCDateTime),  # set when a purge re-registered a rewritten file
)

# When each landing file was first seen by the pipeline (recorded on discovery, once, never
# changed: a purge rewriting the file keeps it). ``first_read_at``: its rows may not claim a
# capture time later than this, plus the clock skew the policy allows; ``landed_at``: when it
# landed at the latest — the earlier of its first reading and its modification time — since a
# delete-all covers every row that landed before the request (SPEC §4.1).
landing_arrivals = Table(
    "landing_arrivals",
    metadata,
    Column("path", Text, primary_key=True),  # relative to the lake root
    Column("first_read_at", UTCDateTime, nullable=False),
    Column("landed_at", UTCDateTime, nullable=False),
)

# --- dataset versions (SPEC §6) ----------------------------------------------------------------
# staged: written, not yet switched live; abandoned: a staged version a crash left behind, cleaned up
VERSION_STATUSES = ("staged", "live", "superseded", "revoked", "abandoned")

dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("dataset", String, primary_key=True),
    Column("version", String, primary_key=True),
    Column("parent_version", String),
    Column("run_id", String),
    Column("created_at", UTCDateTime, nullable=False),
    Column("manifest_path", Text),
    Column("status", String(16), nullable=False),
    Column("counts", JSONText),
    Column("status_changed_at", UTCDateTime, nullable=False),
    # the landing files its new rows were read from ([{path, size, fingerprint}]), recorded before the
    # switch: a finalize after a crash marks them processed. Kept here, not in the published manifest:
    # a file's path may name its customer (``dt=…/customer_id=zed-4417/part-0.jsonl``)
    Column("inputs", JSONText),
    # a purge's version: False until the run returning it hands it on (receipts, the revocation event);
    # NULL for a publish's version and those made before revision 0011
    Column("reported", Boolean),
    # at most one live version per dataset, enforced by the database itself
    Index(
        "uq_dataset_versions_one_live",
        "dataset",
        unique=True,
        sqlite_where=text("status = 'live'"),
        postgresql_where=text("status = 'live'"),
    ),
)

# --- ledger of published utterances ------------------------------------------------------------
# Shards are immutable and keep their path when a version carries them over, so the ledger
# holds each shard's rows once (``ledger``) and each version lists its shards
# (``version_shards``): carrying a 1M-row version over costs one row per shard, not per utterance.
#
# Ledger rows belong to a shard *lineage* (``shard_id``: the path the shard was first written
# at). A purge that rewrites a shard without some rows gives the new file the old lineage, so
# the kept rows are not recorded again; the removed rows are marked ``ended_in`` the purge's
# version and stay visible to older versions until the old file is gone, then are erased.
# A version sees a lineage's rows that were not ended in it or before it (version names are
# fixed-width, so they compare as text).
#
# The ledger has no primary key: a key of (dataset, utterance id, lineage) is an index of ids, paths
# and names in random order, larger than a night's page cache, and it was half a night's insert (2M
# rows: 54 s with it, 22 s without, in the order below). Rows go in in lineage order (each night's new
# lineages: the table and ``ix_ledger_shard`` take them at their ends); ids are found by
# ``utterance_key`` (``ix_ledger_utterance``), a 64-bit hash of the id a fifth of the size, and the full
# id is compared on the row. A retried publish removes its shards' rows before it inserts them again
# (``_replace_shard_rows``), so a row is never there twice.
#
# The two indexes keyed by hashes (ids, contents) take a night's rows on random pages: once they outgrow
# the insert's page cache, each page is read from disk, and a night onto an old dataset costs more than
# onto a new one (1.1M rows: 11.3 s onto an 11.1M-row ledger, 3.3 s onto an empty one). So both lead with
# ``era``: a part of the ledger small enough for the cache. A night's rows go into the youngest era while
# it holds fewer than ``LEDGER_ERA_ROWS`` rows, else into a new one, so a night's insert touches the pages
# of one era, never of the whole dataset. A lookup probes each era (``Ledger.ledger_eras``: one index
# seek each); the daily audit merges eras beyond ``LEDGER_MAX_ERAS`` (``Ledger.merge_ledger_eras``: the
# younger into the older). Which era a row is in never changes what any query finds: every lookup reads
# every era.
LEDGER_ERA_ROWS = 8_000_000
LEDGER_MAX_ERAS = 4
ledger = Table(
    "ledger",
    metadata,
    Column("dataset", KEY, nullable=False),
    Column("utterance_id", KEY, nullable=False),
    Column("shard_id", KEY, nullable=False),  # the lineage: the shard's first path
    Column("utterance_key", BigInteger, nullable=False),  # utterance_keys(utterance_id)
    Column("speaker_key", KEY, nullable=False),
    Column("content_hash", KEY, nullable=False),
    Column("captured_at", UTCDateTime, nullable=False),
    Column("landed_at", UTCDateTime),  # when its landing file arrived; null: unknown (before v3)
    Column("locale", KEY),  # null: unknown (before v3)
    Column("ended_in", KEY),  # the version whose rewrite of the shard removed this row
    Column("era", Integer, nullable=False, server_default=text("0")),  # the part of the indexes below
    # a lineage's rows, and a speaker's rows within a lineage (``ledger_speakers`` names the lineages)
    Index("ix_ledger_shard", "dataset", "shard_id", "speaker_key"),
    # an utterance id's rows, era by era (compare the id on the row)
    Index("ix_ledger_utterance", "era", "utterance_key"),
    Index(  # only the few rows a purge ended, waiting to be erased
        "ix_ledger_ended",
        "dataset",
        "ended_in",
        sqlite_where=text("ended_in IS NOT NULL"),
        postgresql_where=text("ended_in IS NOT NULL"),
    ),
)

# The duplicate rule's lookup of a night's batch: by the first CONTENT_KEY_CHARS hex characters of the
# hash (the full hash is compared on the row). A night's rows go in in hash order, so the insert sweeps
# this index end to end: an index of 32-bit keys is a third of one of full hashes (and the dataset),
# and the sweep that much shorter (1M rows onto a 20M-row store: 21.5 s instead of 44.1; 13.5 s onto
# an empty one). A key matches by chance one row in 4 billion, then the row's full hash decides.
CONTENT_KEY_CHARS = 8


def content_key(column):
    """The expression ``ix_ledger_content`` is keyed by; a query matches the index with this very one
    (its numbers written in the SQL, not bound: PostgreSQL matches an index expression as written)."""
    return func.substr(column, literal_column("1"), literal_column(str(CONTENT_KEY_CHARS)))


Index("ix_ledger_content", ledger.c.era, content_key(ledger.c.content_hash))


# ``utterance_key``: FNV-1a (Fowler-Noll-Vo), 64 bits, of the id's UTF-8 bytes, as a signed integer
# (the tests hold it to the published test vectors); fixed for good, since every stored row is found
# by it. SQL has no hash common to SQLite and PostgreSQL, so the pipeline computes it as rows go in.
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3


def utterance_keys(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``ledger.utterance_key`` of each id (int64; a null id has a null key), vectorised: NumPy passes
    over blocks of rows small enough to stay in the CPU's cache (2.4x faster than over the column)."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks() if ids.num_chunks else pa.array([], pa.string())
    ids = ids.cast(pa.large_string())
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int64)[ids.offset : ids.offset + len(ids) + 1]
    data = ids.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    keys = np.empty(len(ids), dtype=np.uint64)
    for first in range(0, len(ids), _KEY_BLOCK_ROWS):
        block = offsets[first : first + _KEY_BLOCK_ROWS + 1]
        keys[first : first + len(block) - 1] = _fnv1a(data, block[:-1], np.diff(block))
    return pa.array(keys.view(np.int64), mask=np.asarray(ids.is_null()) if ids.null_count else None)


_KEY_BLOCK_ROWS = 65_536


def _fnv1a(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """FNV-1a of the byte strings ``data[start : start + length]``, one NumPy pass per byte position."""
    keys = np.full(len(starts), _FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    shortest = int(lengths.min())
    at = starts.copy()  # each string's next byte
    for _ in range(shortest):  # every string has this byte: all at once, in place
        np.bitwise_xor(keys, data.take(at), out=keys)
        np.multiply(keys, prime, out=keys)
        at += 1
    for position in range(shortest, int(lengths.max())):
        rows = np.flatnonzero(lengths > position)
        keys[rows] = (keys[rows] ^ data.take(at[rows])) * prime
        at[rows] += 1
    return keys


def utterance_key(utterance_id: str) -> int:
    """``utterance_keys`` of one id, in plain Python (the store's migration keys existing rows with it)."""
    key = _FNV_OFFSET
    for byte in utterance_id.encode("utf-8"):
        key = ((key ^ byte) * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return key - (1 << 64) if key >= 1 << 63 else key


# Which lineages hold a speaker's rows: a purge looks a customer up here, then reads those lineages'
# rows by ``ix_ledger_shard``. One row per (speaker, lineage), not per utterance, so no index of the
# ledger is keyed by the speaker alone: a night's rows go into the shard index beside each other (new
# lineages), where a speaker index as large as the dataset took them on random pages, and a night onto
# an old dataset cost more than onto a new one. A purge that ends rows keeps the pair (the lookup
# matches rows, so a pair with no row left finds nothing); erasing a speaker or a lineage removes it.
ledger_speakers = Table(
    "ledger_speakers",
    metadata,
    Column("dataset", KEY, primary_key=True),
    Column("speaker_key", KEY, primary_key=True),
    Column("shard_id", KEY, primary_key=True),
    Index("ix_ledger_speakers_shard", "dataset", "shard_id"),
)

# Which speaker keys are one customer's id in other cases (SPEC §4.1's "case is kept", widened for what
# withdraws): a keyed digest of the id's fold (``privacy.keys.fold_keys``: NFKC, case folded, under the
# pseudonym key) beside the speaker key of each spelling of it a publish decided rows of. A deletion, an
# opt-out or a hold naming ``zed-cust-77`` finds ``Zed-Cust-77``'s published rows through it
# (``PrivacyState.folds``, ``GovernanceStore.speakers_of_folds``). Digests only, never an id: rows published before revision 0013 have no
# pair (the store holds no raw id to make one from), and are reached by the fixed list of other spellings.
speaker_folds = Table(
    "speaker_folds",
    metadata,
    Column("fold_key", KEY, primary_key=True),
    Column("speaker_key", KEY, primary_key=True),
)

version_shards = Table(
    "version_shards",
    metadata,
    Column("dataset", KEY, primary_key=True),
    Column("version", KEY, primary_key=True),
    Column("shard_path", KEY, primary_key=True),  # relative to the dataset folder
    Column("shard_id", KEY, nullable=False),  # its lineage in ``ledger``
    Index("ix_version_shards_shard", "dataset", "shard_path"),
    Index("ix_version_shards_lineage", "dataset", "shard_id"),
)

# A dropped duplicate (``utterance_id``) whose content is live under the same speaker key as another row
# (``twin_of``): one recording an at-least-once upstream delivered twice under two ids. A deletion listing
# either id reaches the other (``PrivacyState.twins``). Recorded by the publish for the night's duplicates
# only (none for a duplicate of another speaker's words); erased when the listing that reaches a pair is
# carried out (its receipt completed), or with the live row's ledger rows. Ids as the ledger keeps them: no
# speaker key (a key rotation would leave it stale), no text.
recording_twins = Table(
    "recording_twins",
    metadata,
    Column("utterance_id", KEY, primary_key=True),
    Column("twin_of", KEY, primary_key=True),
    Column("dataset", KEY, primary_key=True),
    Index("ix_recording_twins_twin_of", "twin_of"),
)

# Recordings a deletion listing erased, by speaker key and content hash (``io.store.deleted``): a
# redelivery of one under a new id is never published (no text, no id; re-keyed by a key rotation).
deleted_recordings = Table(
    "deleted_recordings",
    metadata,
    Column("dataset", KEY, primary_key=True),
    Column("content_hash", KEY, primary_key=True),
    Column("speaker_key", KEY, primary_key=True),
    Column("request_id", KEY, nullable=False),  # the listing that erased it
    # a row kept under its listing's customer after a key rotation (Alembic 0017): the fold digest of that
    # customer, whose ``speaker_folds`` pairs name every spelling's speaker key; null: the exact speaker key
    Column("fold_key", KEY, nullable=True),
)

# Recordings a delete-all or a range deletion erased (``io.store.erased``, Alembic 0020): the digest of the
# request id and the utterance id (``privacy.keys.erased_digests``). Upstream may send an erased recording
# again under its id, stamped with the time it was sent again or written with a wrong offset: no time rule
# of the request covers it, this does. No speaker key, no text; a key rotation leaves it valid.
erased_utterances = Table(
    "erased_utterances",
    metadata,
    Column("id_digest", KEY, primary_key=True),
    Column("request_id", KEY, nullable=False),
)

# The versions a purge revoked for an opt-out alone (``erase_copies`` false: training runs were told to stop using
# them, not to erase them), per withdrawn speaker: a later deletion of that customer tells those runs to erase
# their copies (``purge.withdrawn``). The versions from ``first_version`` to ``last_version`` (names sort), and
# those compaction merged into the replaced shards (``merged``, a JSON list). Keyed digests and version names only.
withdrawn_speakers = Table(
    "withdrawn_speakers",
    metadata,
    Column("dataset", KEY, primary_key=True),
    Column("speaker_key", KEY, primary_key=True),
    Column("first_version", KEY, primary_key=True),
    Column("last_version", KEY, primary_key=True),
    Column("merged", JSONText, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    # the largest deletion intake batch the purge's privacy state could hold (``deletion_batch_mark``, read before
    # it): a deletion of a batch above it was taken in after, and announces the erasure
    Column("deletions_seen", BigInteger, nullable=False),
    # the keyed digest of the speaker's id's fold, when that id is not its own fold (``io.store.folds``): a
    # deletion naming another spelling finds the record by it, though its purge erased the case-fold pairs
    Column("fold_key", KEY, nullable=True),
)

# How many rows each era of the ledger has taken (``ledger.era``): what the next night's insert reads to
# pick its era, and the audit to merge eras. Rows erased later are not taken off (a count of rows put in,
# an upper bound); the merge counts the eras it moves. Which era a row is in is the ledger's own (its
# indexes), never this table's.
ledger_eras = Table(
    "ledger_eras",
    metadata,
    Column("era", Integer, primary_key=True, autoincrement=False),
    Column("rows", BigInteger, nullable=False),
)

# --- the store's schema version ------------------------------------------------------------------
# The schema's history is Alembic's (``io/migrations``: a table that changes shape gets a revision;
# ``alembic_version`` holds the store's). ``store_meta.schema_version`` stays at 4, the first
# version under Alembic, so code from before Alembic (which knew versions 1 to 3) refuses the store
# as "newer than the code" instead of misreading it.
SCHEMA_VERSION = 4
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String, nullable=False),
)

# What callers hand to ``insert_ledger_rows`` (extra columns are ignored).
LEDGER_INPUT = pa.schema(
    [
        pa.field("shard_path", pa.string(), nullable=False),
        pa.field("utterance_id", pa.string(), nullable=False),
        pa.field("speaker_key", pa.string(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("captured_at", TS, nullable=False),
        pa.field("landed_at", TS),
        pa.field("locale", pa.string()),
    ]
)
# What ``ledger_rows`` returns.
LEDGER = pa.schema(
    [
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("version", pa.string(), nullable=False),
        *LEDGER_INPUT,
    ]
)

# --- runs and their decision counts by reason (SPEC §4) ---------------------------------------
runs = Table(
    "runs",
    metadata,
    # scheduled runs of different DAGs at the same instant share a run_id: key by both
    Column("dag_id", String, primary_key=True),
    Column("run_id", String, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(32), nullable=False),
    Column("counts", JSONText, nullable=False),  # reason code -> count
    Column("details", JSONText),
)

# --- deletion receipts and deadlines (SPEC §7 privacy_requests) --------------------------------
RECEIPT_STATUSES = ("open", "in_progress", "completed")

deletion_receipts = Table(
    "deletion_receipts",
    metadata,
    Column("request_id", String, primary_key=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("deadline_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("removed_counts", JSONText),
    Column("versions_rewritten", JSONText),
    Column("searched", JSONText),  # the places the completing run searched (SPEC §4.1 "every copy")
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_deletion_receipts_open", "status", "deadline_at"),
)

# --- dataset lock: serialises publishing and purging of one dataset (SPEC §7) -----------------
dataset_locks = Table(
    "dataset_locks",
    metadata,
    Column("dataset", String, primary_key=True),
    Column("owner", String, nullable=False),  # who holds it, for people reading the table
    Column("token", String(64), nullable=False),  # which acquisition holds it: release/renew by token
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Alerts sent, one row per subject and state: an at-risk deletion request is told about once, then
# once more when it becomes overdue, not every hour (revision 0004).
alerts_sent = Table(
    "alerts_sent",
    metadata,
    Column("subject_key", String, primary_key=True),  # e.g. deletion:<request_id>, run:<dag>:<run>:<step>
    Column("state", String(32), primary_key=True),  # at_risk | overdue | completed_late | failed | ...
    Column("sent_at", UTCDateTime, nullable=False),
    Column("title", String, nullable=False),  # the alert's subject line (no customer id, no text)
    Column("channels", JSONText, nullable=False),  # where it went: ["smtp", "webhook"]; [] = logged only
)

# --- training runs and the dataset versions they consumed (io.store.training) -------------------
training_runs = Table(
    "training_runs",
    metadata,
    Column("dataset", KEY, primary_key=True),
    Column("dag_id", KEY, primary_key=True),
    Column("run_id", KEY, primary_key=True),
    Column("version", KEY, nullable=False),  # the dataset version the run consumed
    Column("consumed_at", UTCDateTime, nullable=False),
    Column("manifest_url", Text),  # absolute URL of the version's manifest (file:// or s3://)
    Column("key_fingerprint", KEY),  # of the pseudonym key the version's speaker keys were made with
    Column("rows", BigInteger),
    Column("details", JSONText),
    Index("ix_training_runs_version", "dataset", "version"),
)

# --- access requests: a customer's access report, asked for by a one-time reference -------------
# The raw customer id of an access request lives here and nowhere in Airflow: the privacy officer
# registers it (``ug access request``) and triggers ``governance_audit`` with the reference only
# (io.store.access; revision 0005). The api-server's SELECT-only role is refused this table.
ACCESS_REQUEST_STATUSES = ("requested", "running", "done")
access_requests = Table(
    "access_requests",
    metadata,
    Column("reference", KEY, primary_key=True),  # random, unguessable: what dag_run.conf carries
    Column("customer_id", String, nullable=False),  # canonical form (privacy.canonical_id)
    Column("requested_at", UTCDateTime, nullable=False),
    Column("requested_by", String, nullable=False),
    Column("status", String(16), nullable=False),
    Column("run_id", String),  # the governance_audit run that took it (its retries may take it again)
    Column("report_url", Text),  # access.json, under UG_ACCESS_REPORT_ROOT
    Column("completed_at", UTCDateTime),
)
