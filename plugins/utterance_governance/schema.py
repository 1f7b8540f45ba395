"""Column names, Arrow schemas and decision reason codes shared by every stage.

Reason codes are part of the product's contract (SPEC §4): they are written to the
governance store, the manifests and the reports, so they never change spelling.
"""

from __future__ import annotations

import pyarrow as pa

# --- decision reason codes (SPEC §4) -------------------------------------------------
PUBLISHED = "published"
MALFORMED = "malformed"
OPTED_OUT = "opted_out"
NO_CONSENT = "no_consent"
DELETION_REQUESTED = "deletion_requested"
DUPLICATE = "duplicate"
# Not in SPEC §4's list: a customer whose consent or deletion record could not be read
# is held back (fail closed) until a valid record arrives. It is the only non-final code.
HELD_BACK = "held_back"
# why a row is held back: its decision's ``detail``, and its held set's (``quarantine/held``)
HELD_UNREADABLE_RECORD = "privacy_record_unreadable"  # an unreadable consent or deletion record of theirs
HELD_PUBLISHING_BLOCKED = "publishing_blocked"  # an unreadable record naming nobody: nobody is published
HELD_AT_PUBLISH = "held_at_publish"  # by the re-check under the dataset lock (a record arrived meanwhile)
HELD_WITHDRAWN = "withdrawn_while_held_back"  # live, then withdrawn by a purge (``quarantine/withdrawn``)
# a duplicate of a row that does not go live after all (``jobs.publish._twins_of``): decided again next run
HELD_TWIN_WITHDRAWN = "twin_withdrawn_at_publish"
HELD_COLUMNS = ("reason", "detail")  # what a held set adds to its rows
QUALITY_PREFIX = "quality:"

FINAL_EXCLUSIONS = (MALFORMED, OPTED_OUT, NO_CONSENT, DELETION_REQUESTED, DUPLICATE)


def quality_reason(rule: str) -> str:
    return f"{QUALITY_PREFIX}{rule}"


# --- timestamps ------------------------------------------------------------------------
TS = pa.timestamp("us", tz="UTC")

# --- utterances (SPEC §3.1) --------------------------------------------------------------
UTTERANCE = pa.schema(
    [
        pa.field("utterance_id", pa.string(), nullable=False),
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("device_id", pa.string()),
        pa.field("session_id", pa.string()),
        pa.field("turn_index", pa.int64()),
        pa.field("captured_at", TS, nullable=False),
        pa.field("locale", pa.string(), nullable=False),
        pa.field("transcript", pa.string(), nullable=False),
        pa.field("response", pa.string()),
        pa.field("asr_confidence", pa.float64()),
    ]
)
UTTERANCE_REQUIRED = ("utterance_id", "customer_id", "captured_at", "locale", "transcript")

# --- consent events (SPEC §3.2) ------------------------------------------------------------
CONSENT = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("purpose", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("effective_at", TS, nullable=False),
        pa.field("recorded_at", TS, nullable=False),
        pa.field("source", pa.string()),
    ]
)
CONSENT_REQUIRED = ("event_id", "customer_id", "purpose", "status", "effective_at", "recorded_at")
CONSENT_STATUSES = ("opted_in", "opted_out")
TRAINING_PURPOSE = "model_training"

# --- deletion requests (SPEC §3.3) -----------------------------------------------------------
DELETION = pa.schema(
    [
        pa.field("request_id", pa.string(), nullable=False),
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("scope", pa.string(), nullable=False),
        pa.field("from", TS),
        pa.field("to", TS),
        pa.field("utterance_ids", pa.list_(pa.string())),
        pa.field("requested_at", TS, nullable=False),
    ]
)
DELETION_REQUIRED = ("request_id", "customer_id", "scope", "requested_at")
DELETION_SCOPES = ("all", "range", "utterances")

# --- quarantine: one row per input row that did not become a typed record -----------------
QUARANTINE = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),  # 1-based line (JSONL) or row (Parquet)
        pa.field("record_id", pa.string()),  # utterance_id / event_id / request_id when readable
        pa.field("customer_id", pa.string()),  # when readable: drives hold-back (SPEC §4)
        pa.field("reason", pa.string(), nullable=False),  # always "malformed"
        pa.field("detail", pa.string(), nullable=False),  # e.g. "missing_field:transcript"
        pa.field("raw", pa.string()),  # the input as read (may hold PII: purged like landing)
    ]
)

# --- decisions: one row per utterance seen, never any transcript text ---------------------
DECISION = pa.schema(
    [
        pa.field("utterance_id", pa.string()),
        pa.field("speaker_key", pa.string()),
        pa.field("captured_at", TS),
        pa.field("locale", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("content_hash", pa.string()),
        pa.field("landed_at", TS),  # when its landing file arrived (null: unknown)
    ]
)

# --- published shard rows (SPEC §6) ---------------------------------------------------------
MESSAGE = pa.struct([pa.field("role", pa.string()), pa.field("content", pa.string())])
SHARD = pa.schema(
    [
        pa.field("utterance_id", pa.string(), nullable=False),
        pa.field("speaker_key", pa.string(), nullable=False),
        pa.field("locale", pa.string(), nullable=False),
        pa.field("captured_date", pa.date32(), nullable=False),
        pa.field("messages", pa.list_(MESSAGE), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("asr_confidence", pa.float64()),
    ]
)


def as_held(rows: pa.Table, detail: pa.Array | str) -> pa.Table:
    """``rows`` as a held set keeps them (``quarantine/held``, ``quarantine/withdrawn``): each with
    its reason, ``held_back``, and why (``detail``: one for all, or one per row)."""
    rows = without_held_columns(rows)
    n = rows.num_rows
    details = pa.array([detail] * n, pa.string()) if isinstance(detail, str) else detail
    return rows.append_column("reason", pa.array([HELD_BACK] * n, pa.string())).append_column(
        "detail", details
    )


def without_held_columns(rows: pa.Table) -> pa.Table:
    """A held set's rows as they were read (what ``as_held`` added taken off), to be decided again."""
    return rows.drop_columns([c for c in HELD_COLUMNS if c in rows.column_names])
