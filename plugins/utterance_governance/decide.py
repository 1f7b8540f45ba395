"""The decision core: one reasoned decision per utterance (SPEC §4), cleaning in between.

Stages, each applied in precedence order (first exclusion wins):

1. privacy — deletion requested, held back, opted out, no consent: the privacy core's one
   verdict (``privacy.privacy_verdict``), with every row held back while an unreadable record
   that names nobody blocks publishing — then the quality rules that need no text (locale,
   ASR confidence), all on the records as read;
2. cleaning — redaction of both turns, only for the rows still open;
3. on the cleaned turns: a row saying the id of a customer with a delete-all request, whoever
   spoke (``privacy.said``), is ``deletion_requested``; then the text quality rules, then duplicates.

Rows no rule excludes are ``published``. The result carries no transcript text in its
decisions, only in the cleaned publishable rows.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.clean.redact import redact_array
from utterance_governance.io.readers import EARLIEST_CAPTURE, ReadResult, parse_instants, stated_capture_texts
from utterance_governance.io.store.deleted import DELETED_RECORDINGS, as_deleted_recordings
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict, speaker_keys
from utterance_governance.privacy.keys import ERASED
from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER, KnownCustomers, rows_naming_customers
from utterance_governance.publish.shards import split_turns
from utterance_governance.rules.base import Frame, Rule, apply_rules
from utterance_governance.rules.duplicate import Duplicate, capture_order, content_hashes
from utterance_governance.rules.quality import (
    EmptyTranscript,
    LocaleNotAllowed,
    LowAsrConfidence,
    ResponseTooLong,
    TranscriptTooLong,
    TranscriptTooShort,
    TurnNamesSpeaker,
    UtteranceIdHoldsIdentifier,
    UtteranceIdNamesSpeaker,
)

RECORD_RULES: list[Rule] = [
    LocaleNotAllowed(),
    LowAsrConfidence(),
    UtteranceIdNamesSpeaker(),
    UtteranceIdHoldsIdentifier(),
]
TEXT_RULES: list[Rule] = [
    EmptyTranscript(),
    TranscriptTooShort(),
    TranscriptTooLong(),
    ResponseTooLong(),
    TurnNamesSpeaker(),
    Duplicate(),
]

PUBLISHABLE = pa.schema(
    [
        pa.field("utterance_id", pa.string()),
        pa.field("speaker_key", pa.string()),
        pa.field("locale", pa.string()),
        pa.field("captured_at", S.TS),
        pa.field("captured_date", pa.date32()),
        pa.field("user_text", pa.string()),
        pa.field("assistant_text", pa.string()),
        pa.field("asr_confidence", pa.float64()),
        pa.field("content_hash", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("line", pa.int64()),
        pa.field("landed_at", S.TS),
    ]
)


@dataclass
class Decided:
    """Decisions for every row of a batch, and its cleaned publishable rows."""

    decisions: pa.Table  # schema.DECISION, one row per input row
    publishable: pa.Table  # PUBLISHABLE
    counts: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)  # wall time per stage: decide, redact
    # the recordings a listing deleted (``io.store.deleted.DELETED_RECORDINGS``): a redelivery never publishes
    deleted: pa.Table = field(default_factory=DELETED_RECORDINGS.empty_table)
    # the recordings a delete-all or a range covers (``io.store.erased``): sent again with another time, never
    erased: pa.Table = field(default_factory=ERASED.empty_table)


def decide_records(
    records: pa.Table,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
    live_hashes: pa.Array | None = None,
    known: KnownCustomers | None = None,
) -> Decided:
    """Decide every typed record; clean and return the ones that may be published. ``known``: which
    customers the store knows, for the turns that write another customer's id (``privacy.named``; without
    it, those of the records' own customers only)."""
    n = records.num_rows
    counts: Counter = Counter()
    seconds: Counter = Counter()
    started = time.perf_counter()
    verdict = privacy_verdict(records, state, policy, now, pseudonym_key)
    reasons = verdict.reasons
    details = np.where(np.equal(reasons, S.HELD_BACK), S.HELD_UNREADABLE_RECORD, None).astype(object)
    if state.publishing_blocked:  # an unreadable record naming nobody: nobody is published
        blocked = np.equal(reasons, None)
        reasons[blocked], details[blocked] = S.HELD_BACK, S.HELD_PUBLISHING_BLOCKED
    counts.update(r for r in reasons if r is not None)
    frame = Frame(records, policy, now)
    apply_rules(RECORD_RULES, frame, reasons, counts)

    open_idx = np.flatnonzero(np.equal(reasons, None))
    survivors = records.take(pa.array(open_idx, pa.int64()))
    # the records a listing covers are cleaned with them (one pass: redaction's cost is mostly per pass),
    # to hash them as a publishable row is hashed (``_deleted_recordings``)
    listed_idx, listings = verdict.listed()
    cleaned = records.take(pa.array(np.concatenate([open_idx, listed_idx]), pa.int64()))
    redact_started = time.perf_counter()
    user_all = pc.utf8_trim_whitespace(redact_array(cleaned.column("transcript"), cleaned.column("locale")))
    assistant_all = pc.utf8_trim_whitespace(
        redact_array(cleaned.column("response"), cleaned.column("locale"))
    )
    seconds["redact"] += time.perf_counter() - redact_started
    user_text, assistant_text = user_all.slice(0, len(open_idx)), assistant_all.slice(0, len(open_idx))
    if len(listed_idx):
        user_all, assistant_all = user_all.slice(len(open_idx)), assistant_all.slice(len(open_idx))
    hashes = content_hashes(user_text, assistant_text)
    _, rank = capture_order(survivors)
    text_frame = Frame(
        survivors,
        policy,
        now,
        derived={
            "user_text": user_text,
            "assistant_text": assistant_text,
            "content_hash": hashes,
            "_order": rank,
            "live_hashes": live_hashes,
        },
    )
    text_reasons = np.full(len(open_idx), None, dtype=object)
    naming = _naming_deleted_customers(state, [user_text, assistant_text], survivors.column("utterance_id"))
    text_reasons[naming] = S.DELETION_REQUESTED
    counts[S.DELETION_REQUESTED] += len(naming)
    speakers = speaker_keys(records.column("customer_id"), pseudonym_key)
    own = speakers.take(pa.array(open_idx, pa.int64()))
    named = rows_naming_customers(
        [user_text, assistant_text],
        own,
        pseudonym_key,
        set(pc.unique(speakers).drop_null().to_pylist()) | state.named_customer_keys(pseudonym_key),
        known,
    )
    named = named[np.equal(text_reasons[named], None)]
    text_reasons[named] = TURN_NAMES_CUSTOMER
    counts[TURN_NAMES_CUSTOMER] += len(named)
    apply_rules(TEXT_RULES, text_frame, text_reasons, counts)
    reasons[open_idx] = text_reasons
    published = np.equal(text_reasons, None)
    reasons[open_idx[published]] = S.PUBLISHED
    counts[S.PUBLISHED] += int(published.sum())

    row_hashes = np.full(n, None, dtype=object)
    row_hashes[open_idx] = hashes.to_numpy(zero_copy_only=False)
    decisions = pa.table(
        {
            "utterance_id": records.column("utterance_id"),
            "speaker_key": speakers,
            "captured_at": records.column("captured_at"),
            "locale": records.column("locale"),
            "reason": pa.array(reasons, pa.string()),
            "detail": pa.array(details, pa.string()),
            "source_file": records.column("source_file"),
            "line": records.column("line"),
            "content_hash": pa.array(row_hashes, pa.string()),
            "landed_at": _landed_at(records),
        },
        schema=S.DECISION,
    )
    keep = pa.array(published)
    captured = survivors.column("captured_at").filter(keep)
    publishable = pa.table(
        {
            "utterance_id": survivors.column("utterance_id").filter(keep),
            "speaker_key": speakers.take(pa.array(open_idx, pa.int64())).filter(keep),
            "locale": survivors.column("locale").filter(keep),
            "captured_at": captured,
            "captured_date": pc.cast(captured, pa.date32()),
            "user_text": user_text.filter(keep),
            "assistant_text": assistant_text.filter(keep),
            "asr_confidence": survivors.column("asr_confidence").filter(keep),
            "content_hash": hashes.filter(keep),
            "source_file": survivors.column("source_file").filter(keep),
            "line": survivors.column("line").filter(keep),
            "landed_at": _landed_at(survivors).filter(keep),
        },
        schema=PUBLISHABLE,
    )
    deleted = DELETED_RECORDINGS.empty_table()
    if len(listed_idx):  # a redelivery's content hash is theirs: hashed as a publishable row's is
        at = pa.array(listed_idx, pa.int64())
        deleted = _as_deleted(speakers.take(at), user_all, assistant_all, listings,
                              records.column("captured_at").take(at), _landed_at(records).take(at))  # fmt: skip
    seconds["decide"] += time.perf_counter() - started - seconds["redact"]
    return Decided(decisions, publishable, counts, seconds, deleted, verdict.erased())


def listed_recordings(
    records: pa.Table, listed: np.ndarray, listings: pa.Array, pseudonym_key: bytes
) -> pa.Table:
    """The recordings a listing covers (rows ``listed`` of typed ``records``, each with its listing's request id,
    ``Verdict.listed``) as the store keeps them (``io.store.deleted``): cleaned and hashed as ``decide_records``
    hashes a publishable row, so a redelivery's content hash is theirs."""
    rows = records.take(pa.array(listed, pa.int64()))
    user = pc.utf8_trim_whitespace(redact_array(rows.column("transcript"), rows.column("locale")))
    assistant = pc.utf8_trim_whitespace(redact_array(rows.column("response"), rows.column("locale")))
    return _as_deleted(speaker_keys(rows.column("customer_id"), pseudonym_key), user, assistant, listings)


def _as_deleted(
    speakers: pa.Array, user: pa.Array, assistant: pa.Array, listings: pa.Array, captured=None, landed=None
) -> pa.Table:
    return as_deleted_recordings(
        speakers, content_hashes(pc.fill_null(user, ""), assistant), listings, captured, landed
    )


def _naming_deleted_customers(
    state: PrivacyState, turns: list[pa.Array | pa.ChunkedArray], utterance_ids: pa.Array | pa.ChunkedArray
) -> np.ndarray:
    """The rows (positions) whose cleaned turns, either one, say the id of a customer with a delete-all request,
    whoever spoke (``privacy.said``), or whose utterance id (published as it is) holds it whole
    (``SaidIds.found_whole``): never published (SPEC §3.1; §4 rule 3)."""
    said = state.deleted_ids
    if not said:
        return np.zeros(0, dtype=np.int64)
    rows = {row for turn in turns for row in said.found(turn)} | set(said.found_whole(utterance_ids))
    return np.asarray(sorted(rows), dtype=np.int64)


def _landed_at(records: pa.Table) -> pa.Array:
    if "landed_at" in records.column_names:
        return records.column("landed_at").combine_chunks().cast(S.TS)
    return pa.nulls(records.num_rows, S.TS)


def malformed_decisions(quarantine: pa.Table, pseudonym_key: bytes) -> pa.Table:
    """The ``malformed`` decision of each quarantined row (no raw content, only the reason)."""
    n = quarantine.num_rows
    return pa.table(
        {
            "utterance_id": quarantine.column("record_id"),
            "speaker_key": speaker_keys(quarantine.column("customer_id"), pseudonym_key),
            "captured_at": pa.nulls(n, S.TS),
            "locale": pa.nulls(n, pa.string()),
            "reason": quarantine.column("reason"),
            "detail": quarantine.column("detail"),
            "source_file": quarantine.column("source_file"),
            "line": quarantine.column("line"),
            "content_hash": pa.nulls(n, pa.string()),
            "landed_at": pa.nulls(n, S.TS),
        },
        schema=S.DECISION,
    )


def decide_withdrawn(
    rows: pa.Table,
    source: str,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
    known: KnownCustomers | None = None,
) -> Decided:
    """Published rows a purge withdrew while their customer was held back (``schema.SHARD`` columns
    plus ``captured_at`` and ``landed_at``), judged again by the privacy core: the usable ones are
    publishable as they were cleaned and gated then; the rest keep their reason (``held_back``:
    still waiting)."""
    n = rows.num_rows
    verdict = privacy_verdict(rows, state, policy, now, pseudonym_key)
    reasons = verdict.reasons
    if state.publishing_blocked:
        reasons[np.equal(reasons, None)] = S.HELD_BACK
    user, reply, _ = split_turns(rows)
    naming = _naming_deleted_customers(state, [user, reply], rows.column("utterance_id"))
    reasons[naming[np.equal(reasons[naming], None)]] = S.DELETION_REQUESTED
    # (a customer it names may have become one since it was published)
    speakers = rows.column("speaker_key").combine_chunks()
    named = rows_naming_customers(
        [user, reply],
        speakers,
        pseudonym_key,
        set(pc.unique(speakers).drop_null().to_pylist()) | state.named_customer_keys(pseudonym_key),
        known,
    )
    reasons[named[np.equal(reasons[named], None)]] = TURN_NAMES_CUSTOMER
    usable = np.equal(reasons, None)
    reasons[usable] = S.PUBLISHED
    counts = Counter(reasons.tolist())
    decisions = pa.table(
        {
            "utterance_id": rows.column("utterance_id"),
            "speaker_key": rows.column("speaker_key"),
            "captured_at": rows.column("captured_at"),
            "locale": rows.column("locale"),
            "reason": pa.array(reasons, pa.string()),
            "detail": pa.array([S.HELD_WITHDRAWN] * n, pa.string()),
            "source_file": pa.array([source] * n, pa.string()),
            "line": pa.array(np.arange(1, n + 1), pa.int64()),
            "content_hash": rows.column("content_hash"),
            "landed_at": _landed_at(rows),
        },
        schema=S.DECISION,
    )
    keep = pa.array(usable)
    publishable = pa.table(
        {
            "utterance_id": rows.column("utterance_id").filter(keep),
            "speaker_key": rows.column("speaker_key").filter(keep),
            "locale": rows.column("locale").filter(keep),
            "captured_at": rows.column("captured_at").filter(keep),
            "captured_date": rows.column("captured_date").filter(keep),
            "user_text": user.filter(keep),
            "assistant_text": reply.filter(keep),
            "asr_confidence": rows.column("asr_confidence").filter(keep),
            "content_hash": rows.column("content_hash").filter(keep),
            "source_file": decisions.column("source_file").filter(keep),
            "line": decisions.column("line").filter(keep),
            "landed_at": _landed_at(rows).filter(keep),
        },
        schema=PUBLISHABLE,
    )
    listed, listings = verdict.listed()
    at = pa.array(listed, pa.int64())
    deleted = as_deleted_recordings(
        rows.column("speaker_key").take(at), rows.column("content_hash").take(at), listings,
        rows.column("captured_at").take(at), _landed_at(rows).take(at),
    )  # fmt: skip
    return Decided(decisions, publishable, counts, deleted=deleted, erased=verdict.erased())


def _quarantined_erased(
    quarantine: pa.Table, state: PrivacyState, policy: Policy, now: datetime, pseudonym_key: bytes
) -> pa.Table:
    """``ERASED`` of the quarantined lines of a landing file (a recording sent twice in one file: the
    reader keeps the first, restamped, and quarantines its original as ``duplicate_id``) that a delete-all
    or a range covers by the capture time the line states: once, readably (not a line too long to read,
    nor one refused for its capture time)."""
    if not quarantine.num_rows or not state.deletions.num_rows:
        return ERASED.empty_table()
    detail = pc.fill_null(quarantine.column("detail"), "")
    trusted = pc.invert(pc.or_(pc.equal(detail, "line_too_long"), pc.ends_with(detail, ":captured_at")))
    captured = parse_instants(stated_capture_texts(quarantine.column("raw").to_pylist()))
    # (a time no capture can have, before 2000 or after now give or take the clock skew: a clock reset to
    # 1970 refused behind another problem of the line, which its detail does not name)
    skew = timedelta(seconds=policy.capture_clock_skew_s)
    possible = pc.and_(pc.greater_equal(captured, pa.scalar(EARLIEST_CAPTURE, S.TS)),
                       pc.less_equal(captured, pa.scalar(now + skew, S.TS)))  # fmt: skip
    rows = pa.table(
        {
            "customer_id": quarantine.column("customer_id"),
            "utterance_id": quarantine.column("record_id"),
            "captured_at": pc.if_else(
                pc.and_(trusted, pc.fill_null(possible, False)), captured, pa.scalar(None, S.TS)
            ),
        }
    )
    verdict = privacy_verdict(rows, state, policy, now, pseudonym_key)
    return verdict.erased(np.flatnonzero(verdict.deleted))


def decide_file(
    read: ReadResult,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
    live_hashes: pa.Array | None = None,
    known: KnownCustomers | None = None,
) -> Decided:
    """Every row of one read landing file decided: typed records and quarantined ones."""
    decided = decide_records(read.records, state, policy, now, pseudonym_key, live_hashes, known)
    # (a quarantined line a delete-all or a range covers by its capture time: remembered, so that a copy of
    # the recording under its id is withheld, this night by the re-check under the lock; ``io.store.erased``)
    decided.erased = pa.concat_tables([decided.erased, _quarantined_erased(read.quarantine, state, policy, now,
                                                                           pseudonym_key)])  # fmt: skip
    malformed = malformed_decisions(read.quarantine, pseudonym_key)
    decided.counts[S.MALFORMED] += malformed.num_rows
    decided.decisions = pa.concat_tables([decided.decisions, malformed])
    return decided
