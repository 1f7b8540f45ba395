"""The steps of ``utterances_publish`` (SPEC §7), each a function a DAG task calls.

ingest_privacy → discover_files → process_file (one per landing file, in parallel) →
gate_batch → publish → write_report. Steps pass small dicts (paths, counts), never frames.
Staged results live under ``staging/<run>/``; nothing is visible to readers until the
publish step switches ``current.json``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import posixpath
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.decide import PUBLISHABLE, Decided, decide_file, decide_withdrawn
from utterance_governance.io.readers import (
    PIECE_ROWS,
    SUFFIXES,
    Arrival,
    ReadResult,
    misplaced_privacy_records,
    read_landing_file,
    read_landing_pieces,
    shown_path,
)
from utterance_governance.io.storage import (
    MAX_PATH_BYTES,
    ObjectInfo,
    ParquetSink,
    Refused,
    Storage,
    UnreadableRows,
)
from utterance_governance.io.store.deleted import DELETED_RECORDINGS, repeats_by_fold
from utterance_governance.io.store.registry_paths import sealed_path
from utterance_governance.io.store.twins import twin_pairs
from utterance_governance.jobs import telemetry
from utterance_governance.jobs.context import RunContext
from utterance_governance.jobs.in_flight import (
    IN_FLIGHT,
    mark_in_flight,
    no_longer_in_flight,
    still_in_flight,
    unfinished_rotations,
)
from utterance_governance.privacy import PrivacyState, key_fingerprint, speaker_keys
from utterance_governance.privacy.identity import AnyCase, key_of_canonical
from utterance_governance.privacy.keys import (
    FOLD_PAIRS,
    KeyMismatch,
    check_key,
    fold_keys,
    fold_pairs,
    live_fingerprint,
)
from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER, KnownCustomers, rows_naming_customers
from utterance_governance.privacy.said import SaidIds
from utterance_governance.privacy.state import with_other_spellings
from utterance_governance.publish.commit import (
    Publication,
    live_version,
    publish_version,
    put_live_by,
    read_manifest,
    reconcile,
    version_inputs,
)
from utterance_governance.publish.partitions import (
    hex_prefix_values,
    partition_count,
    partition_dir,
    partition_of,
    read_partition,
    write_partitioned,
)
from utterance_governance.publish.shards import SORT_KEYS, shard_rows
from utterance_governance.purge.affected import rules_in_force
from utterance_governance.purge.published import WITHDRAWN
from utterance_governance.purge.recheck import recheck_rows
from utterance_governance.purge.traces import name_digest, unkeyed_name_digest
from utterance_governance.rules.duplicate import capture_order, duplicate_mask
from utterance_governance.settings import load_settings

if TYPE_CHECKING:
    from utterance_governance.quality.gate import GateResult

log = logging.getLogger(__name__)

PRIVACY_KINDS = {"consent": "consent", "deletions": "deletion"}  # landing folder -> store kind


class RunAlreadyPublished(RuntimeError):
    """A run that published already was run again with new input: a new run publishes it."""


class GateFailed(RuntimeError):
    """The quality gate refused the batch: nothing was published."""


class PublishingBlocked(RuntimeError):
    """An unreadable privacy record names no customer: nothing may be published (fail closed)."""


class StagingReplaced(RuntimeError):
    """Another attempt of the run started its staging afresh (the run was cleared while this attempt still
    ran): this attempt's staged rows are gone or are the other's, and it stops, publishing nothing."""


# --- privacy inputs -------------------------------------------------------------------------
def _new_privacy_files(
    ctx: RunContext, folder: str, refused: list[Refused] | None = None
) -> list[ObjectInfo]:
    """The privacy files not read yet; ``refused`` gets those the lake will not read, and every file
    with a name the reader does not take (``optouts.json``, ``part-0.ndjson``, ``.JSONL``): each
    time it is listed, until it is renamed or removed upstream."""
    unlisted: list[Refused] = []
    files = ctx.storage.list_files(f"landing/{folder}", SUFFIXES, refused, unlisted)
    if unlisted:
        log.error("%d files in landing/%s have a name the reader does not take (%s), never read: %s",
                  len(unlisted), folder, ", ".join(SUFFIXES), [shown_path(r.path) for r in unlisted[:10]])  # fmt: skip
        if refused is not None:
            refused.extend(unlisted)
    return ctx.store.select_new_files(files)


LANDING_FOLDERS = ("utterances", *PRIVACY_KINDS)


def _stray_landing_files(storage: Storage) -> list[str]:
    """Files under ``landing/`` outside the folders the pipeline reads (``landing/deletion/``,
    ``landing/Deletions/``, a file at ``landing/`` itself): one may be anyone's deletion or opt-out,
    never read, so each blocks publishing as a refused privacy file does, until it is moved where it
    belongs (or removed) and acknowledged."""
    out = []
    for folder in storage.list_dirs("landing"):
        if posixpath.basename(folder) not in LANDING_FOLDERS:
            out += [info.path for info in storage.list_files(folder, ())]
    return sorted(out + storage.list_files_here("landing"))


def _unread_utterance_files(storage: Storage) -> list[Refused]:
    """Files under ``landing/utterances/`` no night reads: outside a ``dt=`` partition
    (``landing/utterances/deletions.jsonl``, ``…/2026-11-25/d.jsonl``), a name the reader does not take
    (``dt=…/deletions.json``). One may be anyone's deletion or opt-out exported under the wrong prefix: each
    blocks publishing as a stray file elsewhere under ``landing/`` does. Hidden and ``_``-named files
    (``_SUCCESS``, a writer's ``.crc`` checksums) and paths the lake refuses (a symlink, a name that is no
    UTF-8: ``discover_files`` reports them) block nothing."""
    unlisted: list[Refused] = []
    listed = storage.list_files("landing/utterances", SUFFIXES, [], unlisted)
    visible = [r for r in unlisted if not posixpath.basename(r.path).startswith((".", "_"))]
    return visible + [Refused(f.path, "outside_partition") for f in listed if not _dt_of(f.path)]


def _refused_privacy_files(storage: Storage, refused: list[Refused]) -> pa.Table:
    """A privacy file the lake refuses to read (a symlink, a path outside the root, a name the reader
    does not take) may hold anyone's opt-out or deletion: it is an unreadable record naming nobody,
    which blocks publishing until it is fixed upstream or acknowledged."""
    return _blocking_rows(
        [(_storable(r.path), _versioned(storage, r.path, f"refused_path:{r.reason}")) for r in refused]
    )


def _storable(path: str) -> str:
    """A refused path as the store keeps it: as it is, or one too long to keep (``path_too_long``) cut short and
    named by a digest of the whole (the operator finds it by its start; the digest tells two apart)."""
    if len(path.encode("utf-8")) <= MAX_PATH_BYTES:
        return path
    return f"{path[:200]}…sha256:{hashlib.sha256(path.encode()).hexdigest()[:16]}"


def _versioned(storage: Storage, path: str, detail: str) -> str:
    """``detail`` with the version of the file at ``path``: a file acknowledged once and replaced by new
    content at the same path (the next export) blocks again."""
    try:
        return f"{detail} (file version {storage.version_of_refused(path)})"
    except (OSError, ValueError):  # a dangling symlink, a path outside the root
        return detail


def _blocking_rows(files: list[tuple[str, str]]) -> pa.Table:
    """Quarantine rows naming no customer (they block publishing), one per (file, detail)."""
    n = len(files)
    return pa.table(
        {
            "source_file": [path for path, _ in files],
            "line": pa.array([0] * n, pa.int64()),
            "record_id": pa.nulls(n, pa.string()),
            "customer_id": pa.nulls(n, pa.string()),
            "reason": [S.MALFORMED] * n,
            "detail": [detail for _, detail in files],
            "raw": pa.nulls(n, pa.string()),
        },
        schema=S.QUARANTINE,
    )


def ingest_privacy(ctx: RunContext) -> dict:
    """Take in new consent events and deletion requests (idempotent); quarantine unreadable ones.

    In a dry run nothing is written: the pending records are read again by each step.

    The run is marked in flight before it reads (a publish's mark stands until its staging goes, a privacy
    run's until its report): it writes a file's unreadable lines to the quarantine after reading them, and a
    privacy run purging in between must not complete a receipt before the copy is purged.
    """
    summary: Counter = Counter()
    if ctx.dry_run:
        return {"dry_run": True}
    mark_in_flight(ctx.storage, ctx.run_key, ctx.run_id, ctx.now_dt)
    failed: list[tuple[str, Exception]] = []
    key = load_settings().pseudonym_key  # (the lake's file names are keyed: ``_file_key``)
    strays = _stray_landing_files(ctx.storage)
    if strays:
        ctx.store.record_privacy_quarantine("deletion", _blocking_rows(
            [(path, _versioned(ctx.storage, path, "refused_path:unknown_folder")) for path in strays]))  # fmt: skip
        summary["stray_landing_files"] += len(strays)
    unread = _unread_utterance_files(ctx.storage)
    if unread:
        ctx.store.record_privacy_quarantine("deletion", _refused_privacy_files(ctx.storage, unread))
        summary["unread_utterance_files"] += len(unread)
    for folder, kind in PRIVACY_KINDS.items():
        refused: list[Refused] = []
        files = _new_privacy_files(ctx, folder, refused)
        if refused:
            ctx.store.record_privacy_quarantine(kind, _refused_privacy_files(ctx.storage, refused))
            summary[f"{folder}_refused_files"] += len(refused)
        taken = []
        for info in files:
            try:  # the file's own content: a failure here is this file's, never the store's or the lake's
                read = read_landing_file(ctx.storage, info.path, folder, _privacy_arrival(ctx))
                records = read.records.drop_columns(["source_file", "landed_at"])
                if read.quarantine.num_rows:  # (its copy in the lake: a name the lake refuses is this file's)
                    ctx.storage.write_parquet(
                        f"quarantine/{folder}/{_file_key(info.path, key)}.parquet", read.quarantine
                    )
                    for older in _older_file_keys(info.path, key):
                        ctx.storage.remove(f"quarantine/{folder}/{older}.parquet")
            except Exception as exc:  # one file that cannot be read now never stops the others
                # (a path as reports show it: a Hive segment may name the customer; no traceback, whose
                # messages would repeat the path as it is)
                log.error(
                    "could not read %s (%s: %s); it blocks publishing until it is read (next run)",
                    shown_path(info.path),
                    type(exc).__name__,
                    shown_path(str(exc)),
                )
                ctx.store.record_privacy_quarantine(
                    kind,
                    _blocking_rows(
                        [
                            (
                                info.path,
                                _versioned(ctx.storage, info.path, f"read_failed:{type(exc).__name__}"),
                            )
                        ]
                    ),
                )
                failed.append((info.path, exc))
                continue
            ingest = (
                ctx.store.ingest_consent_events if kind == "consent" else ctx.store.ingest_deletion_requests
            )
            summary[f"{folder}_new"] += ingest(records, info.path, quarantined=read.quarantine)
            summary[f"{folder}_quarantined"] += read.quarantine.num_rows
            if ctx.storage.info(info.path).fingerprint == info.fingerprint:  # (the version listed was read)
                ctx.store.settle_read_failures(info.path, info.fingerprint)
            taken.append(info)
        ctx.store.mark_files_processed(taken, ctx.run_id)
        summary[f"{folder}_files"] += len(taken)
    if failed:
        raise PrivacyIntakeFailed(
            f"{len(failed)} privacy file(s) could not be read (the others were taken in): "
            f"{[(shown_path(path), type(exc).__name__) for path, exc in failed[:5]]}; each blocks publishing until "
            "it is read or acknowledged"
        ) from None  # (the causes' messages name their paths as they are)
    return dict(summary)


class PrivacyIntakeFailed(RuntimeError):
    """Some consent or deletion files could not be taken in at all (the rest were)."""


def _privacy_arrival(ctx: RunContext) -> Arrival:
    """Privacy records are read against the moment they are read (not the run's ``now``, fixed when it
    started: a task queued or retried reads later): a consent event recorded after that, plus the clock
    skew the policy allows, is ``future_timestamp:recorded_at``."""
    return Arrival(not_after=datetime.now(UTC) + timedelta(seconds=ctx.policy.capture_clock_skew_s))


def privacy_state(ctx: RunContext) -> PrivacyState:
    """The consent and deletion state this run decides against (plus pending files in a dry run)."""
    state = ctx.store.privacy_state()
    if not ctx.dry_run:
        return state
    consent, deletions = state.consent, state.deletions
    held, blocked = set(state.held_customers), list(state.blocked_reasons)
    for folder in PRIVACY_KINDS:
        for info in _new_privacy_files(ctx, folder):
            read = read_landing_file(ctx.storage, info.path, folder, _privacy_arrival(ctx))
            records = read.records.drop_columns(["source_file", "line", "landed_at"])
            if folder == "consent":
                consent = pa.concat_tables([consent, records.cast(consent.schema)])
            else:
                deletions = pa.concat_tables([deletions, records.cast(deletions.schema)])
            for row in read.quarantine.to_pylist():
                if row["customer_id"]:
                    held.add(row["customer_id"])
                else:
                    blocked.append(f"{row['source_file']} line {row['line']}: {row['detail']}")
    return PrivacyState(
        consent,
        deletions,
        frozenset(held),
        tuple(blocked),
        speakers_of_folds=state.speakers_of_folds,
        twins=state.twins,
        erased_among=state.erased_among,
    )


# --- discovery --------------------------------------------------------------------------------
def _dt_of(path: str) -> str | None:
    for part in path.split("/"):
        if part.startswith("dt="):
            return part[3:]
    return None


def discover_files(ctx: RunContext) -> list[dict]:
    """New landing files of utterances in the run's dt range (all of them with ``reprocess``)."""
    refused: list[Refused] = []
    unlisted: list[Refused] = []
    listed = ctx.storage.list_files("landing/utterances", SUFFIXES, refused, unlisted)
    refused += unlisted  # a name the reader does not take: reported
    # a file outside a dt= partition belongs to no night: reported (never read) until it is moved into one
    refused += [Refused(f.path, "outside_partition") for f in listed if not _dt_of(f.path)]
    if refused:
        log.error("refused %d landing paths (symlinks, outside the lake root or a dt= partition, or a name the "
                  "reader does not take), never read: %s",
                  len(refused), [f"{shown_path(r.path)} ({r.reason})" for r in refused[:10]])  # fmt: skip
        ctx.storage.write_bytes(f"reports/{ctx.run_key}/refused_inputs.json",
                                json.dumps([{**asdict(r), "path": shown_path(r.path)} for r in refused],
                                           indent=2).encode())  # fmt: skip
    in_range = [f for f in listed if (dt := _dt_of(f.path)) and ctx.in_range(dt)]
    _finish_an_interrupted_switch(ctx)
    if not ctx.dry_run:  # a purge that died rewriting a processed file: not new input
        from utterance_governance.purge.copies import finish_rewrites

        finish_rewrites(ctx.storage, ctx.store)  # (the registry only: the listing above stands)
    # until its staging goes (published, or the run left it), the run is in flight: a dry run too, whose
    # steps stage the customers' cleaned text as a real run's do (its report removes its staging)
    mark_in_flight(ctx.storage, ctx.run_key, ctx.run_id, ctx.now_dt)
    # a run cleared and run again starts its staging afresh: an earlier attempt's partitions (of files
    # retracted since, or decided against an older privacy state) would join this attempt's batch. The
    # mark stays (set by the intake, or just now): without it for a moment, a purge's receipts could
    # complete before the copies the intake wrote were searched
    _finish_an_earlier_attempts_writes(ctx)
    if _start_staging_afresh(ctx):
        log.warning("removed the staging an earlier attempt of this run left (%s)", _staging(ctx))
    attempt = _begin_attempt(ctx)
    # marked first, then looked: a rotation marks itself, then looks for runs under way, so one of the
    # two always sees the other. Under a rotation (or one stopped short) copies hold old keys: a held set
    # would be decided by keys no customer of this run's key explains, and staged rows be re-keyed never
    rotations = unfinished_rotations(ctx.storage)
    if rotations:
        _writes_no_more(ctx)
        raise KeyMismatch(
            f"a key rotation is under way or stopped short ({', '.join(sorted(rotations))} under staging/): "
            "nothing is published until it has finished (a stopped one: run `ug rekey` again with its keys)"
        )
    chosen = ctx.store.select_new_files(in_range, reprocess=ctx.reprocess)
    log.info(
        "discovered %d new landing files (%d in range, %d listed)", len(chosen), len(in_range), len(listed)
    )
    arrivals = _arrivals(ctx, chosen)
    # a file rewritten upstream since it was processed (a re-export with rows appended) is read for the
    # first time as it is now: its rows may have been captured after the path was first read (SPEC §4.1
    # bounds a capture by when *the utterance* was first read); it still landed when the path did
    known = ctx.store.processed_versions(f.path for f in chosen)
    changed = {f.path for f in chosen if f.path in known and known[f.path] != (f.size, f.fingerprint)}
    files = []
    for f in chosen:
        first_read, landed = arrivals[f.path]
        if f.path in changed:
            first_read = max(first_read, ctx.read_at())
        files.append({"path": f.path, "size": f.size, "fingerprint": f.fingerprint,
                      "first_read_at": first_read.isoformat(), "landed_at": landed.isoformat()})  # fmt: skip
    key = load_settings().pseudonym_key
    files += _releasable_held_sets(
        ctx, {name for f in chosen for name in (_file_key(f.path, key), *_older_file_keys(f.path, key))}
    )
    partitions = partition_count(((f["path"], f["size"]) for f in files), ctx.policy.partition_bytes)
    if partitions > 1:
        log.info("the batch is cut into %d partitions", partitions)
    # the version the night's duplicate lookups will see unless another run switches one meanwhile
    live = live_version(ctx.storage, ctx.dataset)
    return [{**f, "partitions": partitions, "live_at_discovery": live, "attempt": attempt} for f in files]


def _writes_no_more(ctx: RunContext) -> None:
    """The run stops here (it raises next) and writes no more copies: the store records its end first, then
    its in-flight mark goes. Between the two a privacy run's receipts wait for it either way: for its mark,
    or for a run that ended since its copies purge searched (``jobs.privacy.issue_receipts``)."""
    ctx.store.mark_run_failed(ctx.run_id, ctx.dag_id, datetime.now(UTC))
    no_longer_in_flight(ctx.storage, ctx.run_key)


# the attempt of the run whose staging this is (``_begin_attempt``)
_ATTEMPT = "_attempt.json"


def _begin_attempt(ctx: RunContext) -> str:
    """A new attempt of the run, named in its staging (after an earlier attempt's was removed) and carried by
    every item its steps hand on: a step of another attempt still running (a zombie: its worker lost, its
    process not) finds the staging no longer its own (``_check_attempt``) instead of taking the new attempt's
    staged rows, or their absence, for its own."""
    attempt = uuid.uuid4().hex
    ctx.storage.write_bytes(f"{_staging(ctx)}/{_ATTEMPT}", json.dumps({"attempt": attempt}).encode())
    return attempt


def _check_attempt(ctx: RunContext, items: list[dict]) -> None:
    """Raise ``StagingReplaced`` when the run's staging is no longer that of the attempt ``items`` (the
    files discovered, or what the steps made of them) belong to. Items without an attempt (handed on by a
    release before attempts were named) are not checked."""
    mine = {item["attempt"] for item in items if item.get("attempt")}
    if not mine:
        return
    try:
        current = json.loads(ctx.storage.read_bytes(f"{_staging(ctx)}/{_ATTEMPT}")).get("attempt")
    except FileNotFoundError:
        current = None
    except ValueError:  # half written by the attempt that replaces this one
        current = "?"
    if {current} != mine:
        raise StagingReplaced(
            f"the staging of run {ctx.run_id} belongs to another attempt of it now (the run was cleared while "
            "this attempt still ran): this attempt stops here and publishes nothing; the newer attempt "
            "publishes the night"
        )


def _staging_left(ctx: RunContext) -> bool:
    """Whether the run's staging holds anything but its in-flight mark and attempt (a publish removes the
    rest)."""
    return any(
        posixpath.basename(path) not in (IN_FLIGHT, _ATTEMPT)
        for path in [*ctx.storage.list_dirs(_staging(ctx)), *ctx.storage.list_files_here(_staging(ctx))]
    )


def _remove_staging_but_its_mark(ctx: RunContext) -> list[str]:
    """Remove everything under the run's staging but its in-flight mark; what was removed."""
    left = [
        path
        for path in [*ctx.storage.list_dirs(_staging(ctx)), *ctx.storage.list_files_here(_staging(ctx))]
        if posixpath.basename(path) != IN_FLIGHT
    ]
    for path in left:
        ctx.storage.remove(path)
    return left


def _start_staging_afresh(ctx: RunContext) -> bool:
    """Remove what an earlier attempt of this run left under its staging, all but its in-flight mark;
    True when there was any."""
    left = _remove_staging_but_its_mark(ctx)
    # the mark of an earlier attempt's writes after its switch (``publish``) speaks for that attempt only: one
    # that put no version live (nothing new, all duplicates or held) left it, and this attempt's decisions, held
    # rows, twins and deleted recordings were never written (a run cleared after late files, a backfill over a
    # day already run, two hand-named runs of one key). An attempt that did put a version live keeps it: its
    # retry past the switch refuses new input (``RunAlreadyPublished``) and writes nothing twice
    for written in (
        f"decisions/{ctx.run_key}/{name}" for name in (_AFTER_THE_SWITCH_WRITTEN, _WRITTEN_UNNAMED)
    ):
        if ctx.storage.exists(written) and _published_by(ctx, ctx.run_id) is None:
            ctx.storage.remove(written)
            left.append(written)
    return bool(left)


def _finish_an_interrupted_switch(ctx: RunContext) -> None:
    """A run that died between its switch and registering its inputs left the store's live version
    behind ``current.json``: that finalize is finished (under the lock) before files are chosen,
    or its inputs would be taken as new and every row of them decided again."""
    if ctx.dry_run or ctx.store.live_version(ctx.dataset) == live_version(ctx.storage, ctx.dataset):
        return
    with ctx.store.dataset_lock(ctx.dataset, owner=f"{ctx.run_id}/discover", timeout_s=600.0):
        reconcile(ctx.storage, ctx.store, ctx.dataset)


def _arrivals(ctx: RunContext, files: list[ObjectInfo]) -> dict[str, tuple[datetime, datetime]]:
    """When each file was first read and when it landed (SPEC §4.1); noted now for new files.

    The first reading is this moment (``RunContext.read_at``), not the run's start: a file that landed
    after the run started, holding a recording captured meanwhile, was not read before it was said. It
    landed at its modification time, or at the run's start if that is earlier (a deletion requested
    meanwhile covers it, SPEC §4.1). A dry run notes nothing: it reads as if this were the first reading.
    """
    read_at = ctx.read_at()
    if ctx.dry_run:
        known = ctx.store.arrivals(f.path for f in files)
        now = ctx.now_dt
        return {f.path: known.get(f.path) or (read_at, min(now, f.modified or now)) for f in files}
    return ctx.store.record_arrivals(files, ctx.now_dt, first_read=read_at)


def arrival_of(ctx: RunContext, file: dict) -> Arrival:
    """What the reader is told of a file's arrival: its landing time and the latest credible capture."""
    first_read = datetime.fromisoformat(file["first_read_at"])
    skew = timedelta(seconds=ctx.policy.capture_clock_skew_s)
    return Arrival(landed_at=datetime.fromisoformat(file["landed_at"]), not_after=first_read + skew)


HELD = "quarantine/held"


def _releasable_held_sets(ctx: RunContext, rereading: set[str]) -> list[dict]:
    """Held-back rows whose customers can be decided now (their hold was released): rows held
    when they were first decided (``quarantine/held``), and live rows a purge withdrew while their
    customer was held (``quarantine/withdrawn``)."""
    if ctx.store.privacy_blocked_reasons():
        return []
    # a hold holds the other spellings, and every id of their fold (``AnyCase``; the speaker keys the store pairs
    # with the folds' digests: ``io.store.folds``)
    still_held = AnyCase(with_other_spellings(ctx.store.held_customers()))
    key = load_settings().pseudonym_key
    held = pa.array(sorted(still_held), pa.string())
    held_speakers = set(speaker_keys(held, key).to_pylist()) | set(
        speaker_keys(key_of_canonical(held), key).to_pylist()
    )
    if len(held):
        held_speakers |= set(
            ctx.store.speakers_of_folds(fold_keys(held, key).to_pylist()).column(1).to_pylist()
        )
    out = []
    for info in ctx.storage.list_files(HELD, (".parquet",)):
        if info.path.removeprefix(f"{HELD}/").removesuffix(".parquet") in rereading:
            continue  # its landing file is read again this run: that decides the rows
        customers = set(ctx.storage.read_parquet(info.path, columns=["customer_id"]).column(0).to_pylist())
        if any(customer not in still_held for customer in customers):
            out.append({"path": info.path, "size": info.size, "fingerprint": info.fingerprint, "held": True})
    for info in ctx.storage.list_files(WITHDRAWN, (".parquet",)):
        speakers = set(ctx.storage.read_parquet(info.path, columns=["speaker_key"]).column(0).to_pylist())
        if speakers - held_speakers:
            out.append(
                {"path": info.path, "size": info.size, "fingerprint": info.fingerprint, "withdrawn": True}
            )
    if out:
        log.info("%d held-back sets can be decided now", len(out))
    return out


# --- one file ---------------------------------------------------------------------------------
# the readable part of the names older releases gave (``_older_file_keys``), in UTF-8 bytes: a landing name
# may be 255 bytes, and the names made of its key add a folder prefix and suffixes to it
_FILE_KEY_READABLE_BYTES = 150


def work_units(files: list[dict], limit: int) -> list[dict | list[dict]]:
    """``discover_files``'s files as at most ``limit`` units of work for the mapped ``process_file``:
    each file a unit of its own while there are no more than ``limit``, else consecutive files in
    groups (a list), as many in each as it takes. Airflow maps at most ``[core] max_map_length``
    tasks (1,024 by default) from one list: a backlog of more files failed discovery on every run."""
    if len(files) <= limit:
        return list(files)
    per_unit = -(-len(files) // limit)
    return [files[i : i + per_unit] for i in range(0, len(files), per_unit)]


def process_unit(ctx: RunContext, unit: dict | list[dict]) -> list[dict]:
    """``process_file`` of each file of a unit of ``work_units``."""
    still_in_flight(ctx.storage, ctx.run_key, datetime.now(UTC))  # (a run of days: its mark renewed)
    return [process_file(ctx, file) for file in (unit if isinstance(unit, list) else [unit])]


def _file_key(path: str, key: bytes | None = None) -> str:
    """A file's name in the flat staging, decisions, quarantine and held folders: a digest of the whole
    path keyed with the pseudonym ``key`` (the settings' when None: ``traces.name_digest``), and nothing
    else. Unique, short, and naming no customer: a path names one in a ``customer_id=`` folder or in the
    file's own name (an export per customer, ``dt=…/zed-4417.jsonl``), and a file of the lake named after it
    would keep their id after their delete-all. Which landing file a copy came from is in its rows
    (``source_file``), which the purge scrubs."""
    key = load_settings().pseudonym_key if key is None else key
    return name_digest(key, path)


def _older_file_keys(path: str, key: bytes | None = None) -> tuple[str, str]:
    """The names older releases gave the file: the shown path flattened, then its keyed digest; before
    that, its unkeyed digest. A lake's older files are still found by them (a landing file read again
    replaces them), never written; the copies purge renames them to ``_file_key``'s
    (``rekey.name_by_digest_alone``)."""
    key = load_settings().pseudonym_key if key is None else key
    flat = _flat_name(path)
    return f"{flat}.{name_digest(key, path)}", f"{flat}.{unkeyed_name_digest(path)}"


def _flat_name(path: str) -> str:
    flat = shown_path(path).replace("landing/", "", 1).replace("/", "__")
    encoded = flat.encode("utf-8")
    if len(encoded) > _FILE_KEY_READABLE_BYTES:
        flat = encoded[:_FILE_KEY_READABLE_BYTES].decode("utf-8", errors="ignore")
    return flat


def _staging(ctx: RunContext) -> str:
    return f"staging/{ctx.run_key}"


def process_file(ctx: RunContext, file: dict) -> dict:
    """Read, decide and clean one landing file (or a held-back set); stage the results.

    The file is read piece by piece (``read_landing_pieces``), each decided and staged before the
    next is read: what the task holds follows the piece, not the file. Rows held back (an
    unreadable privacy record of their customer) are kept, with their text, in
    ``quarantine/held/<file>.parquet`` until a later run can decide them.
    """
    settings = load_settings()
    # before anything is staged: a worker on another key than the live dataset's (a rotation since the run
    # started) would write copies whose speaker keys no deletion matches
    live = live_version(ctx.storage, ctx.dataset)
    if live is not None:
        check_key(live_fingerprint(read_manifest(ctx.storage, ctx.dataset, live)),
                  key_fingerprint(settings.pseudonym_key), where=f"processing {shown_path(file['path'])}")  # fmt: skip
    _check_attempt(ctx, [file])  # (a zombie's rows staged into a newer attempt's batch)
    progress = telemetry.Progress("process_file", total=1, logger=log)
    state = privacy_state(ctx)
    if file.get("withdrawn"):
        return _process_withdrawn(ctx, file, state, settings.pseudonym_key)
    if file.get("held"):
        held_rows = S.without_held_columns(ctx.storage.read_parquet(file["path"]))
        pieces = iter([ReadResult(held_rows, S.QUARANTINE.empty_table())])
        named = file["path"].removeprefix(f"{HELD}/")
        key = f"held__{_file_key(named, settings.pseudonym_key)}"
        older = tuple(f"held__{k}" for k in _older_file_keys(named, settings.pseudonym_key))
    else:
        pieces = read_landing_pieces(ctx.storage, file["path"], "utterances", arrival_of(ctx, file))
        key = _file_key(file["path"], settings.pseudonym_key)
        older = _older_file_keys(file["path"], settings.pseudonym_key)
    base = f"{_staging(ctx)}/files/{key}"
    _forget_an_earlier_attempt(ctx, base, key, file.get("partitions", 1), older)
    # keyed by the landing file: a re-read of the file replaces it, never duplicates it (nor its copy under
    # a name an older release gave it)
    quarantine = f"{base}.quarantine.parquet" if ctx.dry_run else f"quarantine/utterances/{key}.parquet"
    if not ctx.dry_run and not file.get("held"):
        for name in older:
            ctx.storage.remove(f"quarantine/utterances/{name}.parquet")
    counts: Counter = Counter()
    rows_seen = publishable_rows = 0
    speakers: set[str] = set()
    misplaced: dict[str, list[pa.Table]] = {}
    folds: list[pa.Table] = []
    timed_folds: list[pa.Table] = []
    with (
        ctx.storage.parquet_writer(f"{base}.decisions.parquet") as decisions,
        ctx.storage.parquet_writer(f"{base}.held.parquet") as held,
        ctx.storage.parquet_writer(quarantine) as quarantined,
    ):
        for index, read in enumerate(pieces):
            decided = decide_file(read, state, ctx.policy, ctx.now_dt, settings.pseudonym_key,
                                  known=_known_customers(ctx))  # fmt: skip
            # each piece's rows in files of their own in the partitions ("<key>~00001" after "<key>")
            staged = _stage_publishable(ctx, file, f"{key}~{index:05d}" if index else key, decided)
            publishable_rows += staged["publishable_rows"]
            decisions.write(decided.decisions)
            mine = decided.decisions.slice(0, read.records.num_rows)
            kept = pc.equal(mine.column("reason"), S.HELD_BACK)
            held.write(
                S.as_held(read.records.filter(kept), mine.column("detail").filter(kept).combine_chunks())
            )
            if read.quarantine.num_rows:
                quarantined.write(read.quarantine)
                for kind, records in misplaced_privacy_records(read.quarantine).items():
                    misplaced.setdefault(kind, []).append(records)
            counts.update(decided.counts)
            rows_seen += read.rows_seen
            speakers.update(pc.unique(mine.column("speaker_key")).drop_null().to_pylist())
            # every row decided, published or not: a decision's copy (``decisions/``) is found by its speaker key
            folds.append(fold_pairs(read.records.column("customer_id"), mine.column("speaker_key"),
                                    settings.pseudonym_key))  # fmt: skip
            if folds[-1].num_rows:
                timed_folds.append(_with_latest_times(folds[-1], mine))
    if not ctx.dry_run:
        ctx.store.record_speaker_folds(pa.concat_tables(folds) if folds else FOLD_PAIRS.empty_table())
        if timed_folds:  # again after the switch, for those published (``_record_published_folds``)
            ctx.storage.write_parquet(
                f"{_stage_dir(ctx, 'folds')}/{key}.parquet", pa.concat_tables(timed_folds)
            )
    # every customer of the file, published or not: another file's turns that write one of their ids are
    # read against them once the night is decided (``_rows_naming_the_nights_customers``)
    ctx.storage.write_parquet(
        f"{_stage_dir(ctx, 'night_speakers')}/{key}.parquet",
        pa.table({"speaker_key": pa.array(sorted(speakers), pa.string())}),
    )
    _record_misplaced_privacy_records(ctx, file["path"], misplaced, file.get("fingerprint"))
    # (a run cleared since its last piece: the fresh staging holds nothing of this attempt, the newer one's only)
    _check_attempt(ctx, [file])
    _file_progress(ctx, progress, file["path"], rows_seen, counts)
    return {
        **file,
        "partitions": file.get("partitions", 1),
        "publishable_rows": publishable_rows,
        "decisions": f"{base}.decisions.parquet",
        "held_rows": f"{base}.held.parquet",
        "held_target": file["path"] if file.get("held") else f"{HELD}/{key}.parquet",
        "quarantine": quarantine if quarantined.rows else None,
        "counts": dict(counts),
        "publishing_blocked": list(state.blocked_reasons),
        "key_fingerprint": key_fingerprint(settings.pseudonym_key),  # the key its speaker keys were made with
        "delete_alls": state.deleted_ids.fingerprint,  # whose ids its rows' text was searched for
    }


def _record_misplaced_privacy_records(
    ctx: RunContext, path: str, misplaced: dict[str, list[pa.Table]], fingerprint: str | None = None
) -> None:
    """Consent events and deletion requests found among an utterance file's lines (``misplaced_privacy_records``)
    go to the privacy quarantine as unreadable records of their kind: each holds back the customer it names
    (the next ``privacy_requests`` run withdraws their live rows, the re-check under the lock this run's) or,
    naming nobody it can be sure of, blocks publishing, until the record arrives where it belongs or is
    acknowledged. A dry run records nothing."""
    if ctx.dry_run or not misplaced:
        return
    for kind, tables in misplaced.items():
        found = pa.concat_tables(tables)
        if (
            fingerprint
        ):  # with the file's version, as a refused file's: a re-export's record at a line is another
            at = found.schema.get_field_index("detail")
            details = pc.binary_join_element_wise(
                found.column("detail"), f" (file version {fingerprint})", ""
            )
            found = found.set_column(at, "detail", details)
        ctx.store.record_privacy_quarantine(kind, found)
        log.warning("%s holds %d %s record(s) among its utterances: each holds back its customer (or blocks "
                    "publishing) until it arrives under landing/%s or is acknowledged", shown_path(path),
                    found.num_rows, kind, "consent" if kind == "consent" else "deletions")  # fmt: skip


def _forget_an_earlier_attempt(
    ctx: RunContext, base: str, key: str, partitions: int, older: tuple[str, ...] = ()
) -> None:
    """A retried ``process_file`` first removes the pieces its earlier attempt staged: a file read
    again may give fewer pieces, or rows in other partitions (rewritten upstream meanwhile), and a
    piece left behind would publish rows the file no longer holds. The first attempt leaves a mark
    (``<base>.started``), so only a retry lists the partitions. ``older``: the names older releases gave
    the file (an attempt of an older release)."""
    started = f"{base}.started"
    earlier = any(ctx.storage.exists(f"{posixpath.dirname(base)}/{name}.started") for name in older)
    if not ctx.storage.exists(started) and not earlier:
        ctx.storage.write_bytes(started, b"")
        return
    removed = _remove_staged_pieces(ctx, [key, *older], partitions)
    if removed:
        log.warning("removed %d staged piece(s) an earlier attempt of this step left", removed)


def _remove_staged_pieces(ctx: RunContext, names: list[str], partitions: int) -> int:
    """Remove a file's staged pieces (``names``: its keys) from the run's content and deleted partitions; how many."""
    mine = re.compile("(?:" + "|".join(map(re.escape, names)) + r")(?:~\d+)?\.parquet")
    removed = 0
    for stage in ("content", "deleted"):
        for partition in range(partitions):
            for info in ctx.storage.list_files(
                partition_dir(_stage_dir(ctx, stage), partition), (".parquet",)
            ):
                if mine.fullmatch(posixpath.basename(info.path)):
                    removed += ctx.storage.remove(info.path)
    return removed


def _file_progress(ctx: RunContext, progress: telemetry.Progress, path: str, rows: int, counts: dict) -> None:
    """The file's progress line (its name, rows, rows/s, counts by reason: no text, no customer id)."""
    per_s = progress.done(shown_path(path), rows, ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if not ctx.dry_run:
        telemetry.incr(telemetry.metric_name("publish", "files_read"))
        telemetry.incr(telemetry.metric_name("publish", "rows_read"), rows)
        telemetry.gauge(telemetry.metric_name("publish", "process_file", "rows_per_s"), round(per_s, 1))
        telemetry.timing(telemetry.metric_name("publish", "process_file", "duration"), progress.elapsed)


def _process_withdrawn(ctx: RunContext, file: dict, state: PrivacyState, key: bytes) -> dict:
    """Live rows a purge withdrew while their customer was held back: judged again; the usable
    ones rejoin the batch (dedup and gate included), the still-held ones stay withdrawn."""
    rows = ctx.storage.read_parquet(file["path"])
    decided = decide_withdrawn(rows, file["path"], state, ctx.policy, ctx.now_dt, key, _known_customers(ctx))
    made_with = key_fingerprint(key)
    key = f"withdrawn__{_file_key(file['path'], key)}"
    base = f"{_staging(ctx)}/files/{key}"
    _forget_an_earlier_attempt(ctx, base, key, file.get("partitions", 1))
    staged = _stage_publishable(ctx, file, key, decided)
    ctx.storage.write_parquet(f"{base}.decisions.parquet", decided.decisions)
    still_held = pc.equal(decided.decisions.column("reason"), S.HELD_BACK)
    ctx.storage.write_parquet(f"{base}.held.parquet", rows.filter(still_held))
    log.info(
        "%s: %d withdrawn rows judged again, %s",
        shown_path(file["path"]),
        rows.num_rows,
        dict(decided.counts),
    )
    return {
        **file,
        **staged,
        "key_fingerprint": made_with,
        "decisions": f"{base}.decisions.parquet",
        "held_rows": f"{base}.held.parquet",
        "held_target": file["path"],
        "quarantine": None,
        "counts": dict(decided.counts),
        "publishing_blocked": list(state.blocked_reasons),
        "delete_alls": state.deleted_ids.fingerprint,
    }


def _keep_held_rows(
    ctx: RunContext, staged: list[dict], rechecked: pa.Table | None = None, twins: pa.Table | None = None
) -> None:
    """After a publish: each file's still-held rows replace its held set (none left: removed).

    Rows the re-check under the lock held back (their customer's unreadable record arrived while the
    run decided), and the duplicates of what does not go live (``_twins_of``), join them, read again from
    where they came from: a released hold brings them back as it brings back the rest; twins are
    released by the next run."""
    held_later = {S.HELD_AT_PUBLISH: _rechecked_as(rechecked, S.HELD_BACK)}
    for item in staged:
        held = ctx.storage.read_parquet(item["held_rows"])
        if twins is not None and twins.num_rows:
            held_later[S.HELD_TWIN_WITHDRAWN] = _of_sources(twins, _sources(ctx, item)).column("utterance_id")
        if any(len(ids) for ids in held_later.values()):
            held = _with_held_later(ctx, item, held, held_later)
        if held.num_rows:
            ctx.storage.write_parquet(item["held_target"], held)
        else:
            ctx.storage.remove(item["held_target"])
        # the landing file's held set under the names older releases gave it goes too (made here, not handed
        # between the steps: such a name holds the path; ``held_unkeyed``, a step of an older release handed)
        if not item.get("held") and not item.get("withdrawn"):
            for name in _older_file_keys(item["path"]):
                ctx.storage.remove(f"{HELD}/{name}.parquet")
        if item.get("held_unkeyed"):
            ctx.storage.remove(item["held_unkeyed"])


def _rechecked_as(rechecked: pa.Table | None, reason: str) -> pa.Array:
    """The utterance ids the re-check under the lock took out for ``reason``."""
    if rechecked is None or not rechecked.num_rows:
        return pa.array([], pa.string())
    return (
        rechecked.column("utterance_id").filter(pc.equal(rechecked.column("reason"), reason)).combine_chunks()
    )


def _sources(ctx: RunContext, item: dict) -> pa.Array:
    """The ``source_file`` values of a staged item's decisions (a landing file's: itself; a held or
    withdrawn set's: the files its rows came from)."""
    return pc.unique(
        pa.chunked_array(
            [pc.unique(piece.column(0)) for piece in _pieces(ctx, item["decisions"], ["source_file"])],
            pa.string(),
        )
    )


def _of_sources(rows: pa.Table, sources: pa.Array) -> pa.Table:
    return rows.filter(pc.is_in(rows.column("source_file"), value_set=sources))


def _with_held_later(
    ctx: RunContext, item: dict, held: pa.Table, held_later: dict[str, pa.Array]
) -> pa.Table:
    """``held`` and the records of ``item``'s source (its landing file, held set or withdrawn set) that
    the re-check held back, as that source's held rows are kept: ``held_later`` gives the utterance
    ids for each detail (why they wait)."""
    mine = ctx.storage.read_parquet(item["decisions"], ["utterance_id"]).column(0)
    wanted = {
        detail: pc.filter(mine, pc.is_in(mine, value_set=ids)).combine_chunks()
        for detail, ids in held_later.items()
        if len(ids)
    }
    wanted = {detail: ids for detail, ids in wanted.items() if len(ids)}
    if not wanted:
        return held
    if item.get("held") or item.get("withdrawn"):
        sources = [S.without_held_columns(ctx.storage.read_parquet(item["path"]))]
    else:
        pieces = read_landing_pieces(ctx.storage, item["path"], "utterances", arrival_of(ctx, item))
        sources = (piece.records for piece in pieces)
    late = []
    for source in sources:
        ids = source.column("utterance_id")
        for detail, held_ids in wanted.items():
            rows = source.filter(pc.fill_null(pc.is_in(ids, value_set=held_ids), False))
            late.append(S.as_held(rows, detail).select(held.schema.names).cast(held.schema))
    log.info(
        "%s: %d rows the re-check under the lock held back kept with its held rows",
        shown_path(item["path"]),
        sum(t.num_rows for t in late),
    )
    return pa.concat_tables([held, *late])


# --- the night's batch, partition by partition (publish.partitions) ----------------------------
def _stage_dir(ctx: RunContext, stage: str) -> str:
    return f"{_staging(ctx)}/{stage}"


def _rechecked_path(ctx: RunContext) -> str:
    """The ids (and reasons) the re-check under the lock took out of the batch."""
    return f"{_staging(ctx)}/rechecked.parquet"


def _twins_path(ctx: RunContext) -> str:
    """The batch's duplicates of what does not go live, as the re-check under the lock found them (``_twins_of``)."""
    return f"{_staging(ctx)}/twins.parquet"


def _duplicates_dir(ctx: RunContext) -> str:
    return f"{_staging(ctx)}/duplicates"


def _known_customers(ctx: RunContext) -> KnownCustomers:
    """The store's answer to which customers a turn's id-shaped words name (``privacy.named``): the speaker keys
    among them with published rows, and the speakers of the fold digests (ids in mixed case)."""

    def known(speakers: Sequence[str], folds: Sequence[str]) -> tuple[set[str], dict[str, set[str]]]:
        published = ctx.store.published_speakers(ctx.dataset, speakers) if speakers else set()
        pairs = ctx.store.speakers_of_folds(folds) if folds else None
        by_fold: dict[str, set[str]] = {}
        if pairs is not None:
            for fold, speaker in zip(
                *(pairs.column(c).to_pylist() for c in ("fold_key", "speaker_key")), strict=True
            ):
                by_fold.setdefault(fold, set()).add(speaker)
        return published, by_fold

    return known


def _stage_publishable(ctx: RunContext, file: dict, key: str, decided: Decided) -> dict:
    """A file's publishable rows into the content partitions (by ``content_hash``), and beside them the
    recordings a listing deleted (``Decided.deleted``: ``dedup_content`` drops their redeliveries). The
    recordings a delete-all or a range covers go to the store at once (``Decided.erased``): the re-check
    under the lock then withholds this night's copy of one sent again with another time."""
    partitions = file.get("partitions", 1)
    # a run cleared while this attempt decided the piece started its staging afresh: nothing of this attempt's
    # goes into it (and what the newer attempt staged of the same file stays)
    _check_attempt(ctx, [file])
    if decided.erased.num_rows and not ctx.dry_run:
        ctx.store.record_erased_utterances(decided.erased)
    written = write_partitioned(
        ctx.storage, _stage_dir(ctx, "content"), key, decided.publishable, "content_hash", partitions
    )
    write_partitioned(
        ctx.storage, _stage_dir(ctx, "deleted"), key, decided.deleted, "content_hash", partitions
    )
    _still_its_attempt(ctx, file, key, partitions)
    return {"partitions": partitions, "publishable_rows": sum(written.values())}


def _still_its_attempt(ctx: RunContext, file: dict, key: str, partitions: int) -> None:
    """Just after a file's piece is staged (the attempt checked just before): a run cleared in between started its
    staging afresh, and the piece, written into the fresh staging, goes before this attempt stops
    (``StagingReplaced``)."""
    try:
        _check_attempt(ctx, [file])
    except StagingReplaced:
        _remove_staged_pieces(ctx, [key.split("~")[0]], partitions)
        raise


def batch_partitions(staged: list[dict]) -> list[dict]:
    """The partitions of the run's batch, one mapped task each (``{"partition": p, "partitions": n}``):
    all of them, empty ones included (cheap), so every task's place is known before any runs."""
    counts = {item.get("partitions", 1) for item in staged}
    if len(counts) > 1:
        raise RuntimeError(f"the run's files were cut into different partition counts: {sorted(counts)}")
    n = counts.pop() if counts else 0
    attempts = {item.get("attempt") for item in staged}
    attempt = {"attempt": attempts.pop()} if len(attempts) == 1 else {}
    return [{"partition": p, "partitions": n, **attempt} for p in range(n)]


def _live_keys(ctx: RunContext, column: str, values: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """Which of ``values`` (content hashes or utterance ids) are live: looked up by the batch's own
    keys, so the cost follows the partition, not the dataset's age."""
    live = live_version(ctx.storage, ctx.dataset)
    if not live or len(values) == 0:
        return None
    none = pa.array([], pa.string())
    hashes, ids = ctx.store.live_matches(
        ctx.dataset,
        live,
        values if column == "content_hash" else none,
        values if column == "utterance_id" else none,
    )
    return pa.array(sorted(hashes if column == "content_hash" else ids), pa.string())


def _first_per_key(keys: pa.Array | pa.ChunkedArray, rank: np.ndarray) -> np.ndarray:
    """True for the row of each key that comes first in ``rank`` (capture order)."""
    codes = pc.dictionary_encode(keys).combine_chunks().indices.to_numpy(zero_copy_only=False)
    first = np.zeros(len(codes), dtype=bool)
    if len(codes):
        order = np.argsort(rank, kind="stable")
        _, first_idx = np.unique(codes[order], return_index=True)
        first[order[first_idx]] = True
    return first


# a duplicates file's row groups: a landing file's duplicates in a partition are a few hundred rows
# (the night's duplicates spread over partitions x files), read by row-group statistics
_DUPLICATES_ROW_GROUP = 4096


DUPLICATE_COLUMNS = ["utterance_id", "source_file", "line", "content_hash"]
TWINS = pa.schema([(c, PUBLISHABLE.field(c).type) for c in DUPLICATE_COLUMNS])  # (``_twins_of``)


def _write_duplicates(ctx: RunContext, name: str, rows: pa.Table, dup: np.ndarray) -> int:
    """The rows turned duplicate at batch level (ids, source files and content hashes, no text): their
    decisions change from published to duplicate. Sorted by source file in small row groups, so each
    file's decisions read only their own (``_write_decisions``)."""
    if dup.any():
        ctx.storage.write_parquet(
            f"{_duplicates_dir(ctx)}/{name}.parquet",
            rows.select(DUPLICATE_COLUMNS).filter(pa.array(dup)).sort_by("source_file"),
            row_group_size=min(_DUPLICATES_ROW_GROUP, ctx.storage.row_group_rows),
        )
    return int(dup.sum())


def dedup_content(ctx: RunContext, part: dict) -> dict:
    """One content partition: a row whose content is live, or repeats an earlier capture of this
    night, is a duplicate (SPEC §4 rule 5). The rest go on to the id partitions."""
    _check_attempt(ctx, [part])
    partition, partitions = part["partition"], part["partitions"]
    rows = read_partition(ctx.storage, _stage_dir(ctx, "content"), partition, PUBLISHABLE)
    _, rank = capture_order(rows)
    # a redelivery of a recording a listing deleted first (``io.store.deleted``): it stands for no content,
    # so another speaker's same words after it are judged without it
    dup = _repeats_a_deleted_recording(ctx, partition, rows)
    others = np.flatnonzero(~dup)
    hashes = rows.column("content_hash").take(pa.array(others))
    dup[others] = duplicate_mask(hashes, rank[others], _live_keys(ctx, "content_hash", hashes))
    duplicates = _write_duplicates(ctx, f"content-{partition:05d}", rows, dup)
    write_partitioned(ctx.storage, _stage_dir(ctx, "ids"), f"c-{partition:05d}", rows.filter(pa.array(~dup)),
                      "utterance_id", partitions)  # fmt: skip
    log.info(
        "content partition %d of %d: %d rows, %d duplicates", partition, partitions, rows.num_rows, duplicates
    )
    return {"partition": partition, "rows": rows.num_rows, "duplicates": duplicates}


def _repeats_a_deleted_recording(ctx: RunContext, partition: int, rows: pa.Table) -> np.ndarray:
    """Per row of a content partition: whether its speaker key and content hash are a recording's a listing
    deleted (``io.store.deleted``): one this night's decisions withheld for a listing (staged beside the
    partition by ``process_file``), or one the store recorded on an earlier night."""
    if not rows.num_rows:
        return np.zeros(0, dtype=bool)
    staged = read_partition(
        ctx.storage, _stage_dir(ctx, "deleted"), partition, DELETED_RECORDINGS, DELETED_RECORDINGS.names
    )
    stored = ctx.store.deleted_recordings_of(ctx.dataset, rows.column("content_hash"))
    deleted = pa.concat_arrays(
        [_recording_keys(staged).cast(pa.string()), _recording_keys(stored).cast(pa.string())]
    )
    if not len(deleted):
        return np.zeros(rows.num_rows, dtype=bool)
    found = np.asarray(pc.fill_null(pc.is_in(_recording_keys(rows), value_set=deleted), False), dtype=bool)
    by_fold = stored.filter(pc.is_valid(stored.column("fold_key")))
    if by_fold.num_rows:  # kept by their customer's fold (a key rotation): a row in any spelling, by its pair
        maybe = pc.is_in(rows.column("content_hash"), value_set=by_fold.column("content_hash"))
        candidates = rows.select(["speaker_key", "content_hash"]).filter(pc.fill_null(maybe, False))
        pairs = ctx.store.folds_of_speakers(
            pc.unique(candidates.column("speaker_key")).drop_null().to_pylist()
        )
        found[np.flatnonzero(np.asarray(pc.fill_null(maybe, False)))] |= repeats_by_fold(
            candidates, by_fold, pairs
        )
    if found.any():
        log.info("content partition %d: %d rows repeat a recording a deletion listing erased (duplicates)",
                 partition, int(found.sum()))  # fmt: skip
    return found


def _recording_keys(rows: pa.Table) -> pa.Array:
    """One key per row: its speaker key and content hash."""
    key = pc.binary_join_element_wise(rows.column("speaker_key"), rows.column("content_hash"), " ")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


GATE_COLUMNS = ["utterance_id", "speaker_key", "locale", "captured_date", "user_text", "assistant_text",
                "content_hash", "asr_confidence"]  # fmt: skip


def gate_partition(ctx: RunContext, part: dict) -> dict:
    """One id partition: an utterance already live (a re-sent or reprocessed file) is never published
    twice, and of one id sent twice this night the first capture stands; then the Great Expectations
    gate on what is left, and the survivors on to the speaker partitions the shards are cut from.

    The gate's result is kept (``staging/<run>/gates/``); ``gate_batch`` combines the partitions'
    and fails the run if any failed, so every partition is judged and reported.
    """
    still_in_flight(ctx.storage, ctx.run_key, datetime.now(UTC))
    from utterance_governance.quality.gate import run_gate  # GX is heavy: import on use

    _check_attempt(ctx, [part])
    partition, partitions = part["partition"], part["partitions"]
    progress = telemetry.Progress("gate_partition", total=1, logger=log)
    rows = read_partition(ctx.storage, _stage_dir(ctx, "ids"), partition, PUBLISHABLE)
    live_ids = _live_keys(ctx, "utterance_id", rows.column("utterance_id"))
    live = (
        np.asarray(pc.fill_null(pc.is_in(rows.column("utterance_id"), value_set=live_ids), False))
        if live_ids is not None
        else np.zeros(rows.num_rows, dtype=bool)
    )
    # before the id dedup: another copy of a withheld row's id is judged without it, as within one file. An id
    # live already (a re-sent file, a reprocess) is a duplicate, whatever its turns say: this run withholds
    # nothing of it (its live row is judged as every live row is)
    rows, named = _without_rows_naming_the_nights_customers(ctx, partition, rows, live)
    _, rank = capture_order(rows)
    dup = ~_first_per_key(rows.column("utterance_id"), rank)
    if live_ids is not None:
        dup |= np.asarray(pc.fill_null(pc.is_in(rows.column("utterance_id"), value_set=live_ids), False))
    duplicates = _write_duplicates(ctx, f"ids-{partition:05d}", rows, dup)
    rows = rows.filter(pa.array(~dup))
    docs = f"reports/{ctx.run_key}/gx" + (f"/p={partition:05d}" if partitions > 1 else "")
    run_name = ctx.run_id if partitions == 1 else f"{ctx.run_id}-p{partition:05d}"
    result = run_gate(
        rows.select(GATE_COLUMNS), ctx.policy, docs_dir=ctx.storage.url(docs), run_name=run_name
    )
    gate = {"partition": partition, **result.to_dict()}
    ctx.storage.write_bytes(
        f"{_staging(ctx)}/gates/p={partition:05d}.json", json.dumps(gate, default=str).encode()
    )
    write_partitioned(
        ctx.storage, _stage_dir(ctx, "speakers"), f"i-{partition:05d}", rows, "speaker_key", partitions
    )
    progress.done(f"id partition {partition} of {partitions}", rows.num_rows + duplicates,
                  f"{rows.num_rows} gated ({'passed' if result.success else 'FAILED'}), {duplicates} duplicates")  # fmt: skip
    return {
        "partition": partition,
        "rows": rows.num_rows,
        "duplicates": duplicates,
        "named": named,
        "success": result.success,
    }


def _without_rows_naming_the_nights_customers(
    ctx: RunContext, partition: int, rows: pa.Table, live: np.ndarray
) -> tuple[pa.Table, int]:
    """An id partition's rows less those whose turns write the id of another customer of this night
    (``quality:turn_names_customer``), and how many those were. Each file was decided knowing the store's
    customers and its own; a customer first seen in another file of the night is known only now, when every
    file has written its customers (``process_file``). The rows taken out are kept by file and line
    (``_named_dir``, as duplicates are): their decisions say why, and their content's duplicates stay
    duplicates (``_twins_of``), never published."""
    night = {
        key
        for info in ctx.storage.list_files(_stage_dir(ctx, "night_speakers"), (".parquet",))
        for key in ctx.storage.read_parquet(info.path).column("speaker_key").to_pylist()
    }
    hit = rows_naming_customers(
        [rows.column("user_text"), rows.column("assistant_text")],
        rows.column("speaker_key").combine_chunks(),
        load_settings().pseudonym_key,
        night,
        _known_customers(ctx),
    )
    named = np.zeros(rows.num_rows, dtype=bool)
    named[hit] = True
    named &= ~live  # (``live``: the rows whose id is live already, duplicates)
    # (written when none is found too: a retry's file replaces an earlier attempt's)
    ctx.storage.write_parquet(
        f"{_named_dir(ctx)}/p={partition:05d}.parquet", rows.select(DUPLICATE_COLUMNS).filter(pa.array(named))
    )
    found = int(named.sum())
    if found:
        log.warning("id partition %d: %d rows write the id of a customer of another landing file of this night: "
                    "not published (%s)", partition, found, TURN_NAMES_CUSTOMER)  # fmt: skip
    return rows.filter(pa.array(~named)), found


def _named_dir(ctx: RunContext) -> str:
    return f"{_staging(ctx)}/named"


def _named_rows(ctx: RunContext, columns: list[str]) -> pa.Table:
    """``columns`` of the rows the id partitions took out for writing the id of another customer of the night."""
    empty = TWINS.empty_table().select(columns)
    found = [
        ctx.storage.read_parquet(f.path, columns)
        for f in ctx.storage.list_files(_named_dir(ctx), (".parquet",))
    ]
    return pa.concat_tables([empty, *(f.cast(empty.schema) for f in found)])


def combine_gates(gates: list[dict]) -> dict:
    """One gate result for the night from its partitions': passed only if every partition passed."""
    failed: dict[str, dict] = {}
    for gate in gates:
        for failure in gate["failed"]:
            merged = failed.setdefault(
                failure["check"], {**failure, "unexpected_count": 0, "sample_utterance_ids": []}
            )
            merged["unexpected_count"] += failure.get("unexpected_count") or 0
            merged["message"] = (
                f"{failure['check']}: {merged['unexpected_count']} rows fail ({failure['column']})"
            )
            merged["sample_utterance_ids"] = (
                merged["sample_utterance_ids"] + failure["sample_utterance_ids"]
            )[:20]
    findings = [f for gate in gates for f in gate["statistics"].get("identifier_findings", [])]
    first_failing = next((g for g in gates if not g["success"]), gates[0] if gates else {})
    return {
        "success": all(g["success"] for g in gates),
        "rows": sum(g["rows"] for g in gates),
        "evaluated": max((g["evaluated"] for g in gates), default=0),
        "failed": list(failed.values()),
        "statistics": {
            "partitions": len(gates),
            "identifier_findings": findings[:50],
            "identifier_findings_count": sum(g["statistics"].get("identifier_findings_count", 0) for g in gates),
            "seconds": {"total": round(sum(g["statistics"].get("seconds", {}).get("total", 0) for g in gates), 4)},
        },
        "suite_name": first_failing.get("suite_name"),
        "run_name": first_failing.get("run_name"),
        "docs_index": first_failing.get("docs_index"),
        "partitions": [
            {"partition": g["partition"], "success": g["success"], "rows": g["rows"], "docs_index": g["docs_index"],
             "failed": [f["check"] for f in g["failed"]]}
            for g in gates
        ],
    }  # fmt: skip


def gate_batch(ctx: RunContext, staged: list[dict], partials: list[dict] | None = None) -> dict:
    """The night's gate: the partitions' results combined (``reports/<run>/gate.json``).

    ``partials``: what the DAG's mapped ``gate_partition`` tasks returned; None runs the partition
    steps here, one after another (the DAG's steps without Airflow: tests, the bench).
    On failure nothing is published: the partitions are kept under ``staging/<run>/`` and the GX
    results under ``reports/<run>/``, and ``GateFailed`` names the expectations.
    """
    if partials is None:
        parts = batch_partitions(staged)
        for part in parts:
            dedup_content(ctx, part)
        partials = [gate_partition(ctx, part) for part in parts]
    blocked = sorted({reason for item in staged for reason in item.get("publishing_blocked", [])})
    counts: Counter = Counter()
    for item in staged:
        counts.update(item["counts"])
    # both dedup stages' duplicates (content, then ids), as their files record them
    duplicates = sum(
        ctx.storage.read_parquet(f.path, ["utterance_id"]).num_rows
        for f in ctx.storage.list_files(_duplicates_dir(ctx), (".parquet",))
    )
    counts[S.PUBLISHED] -= duplicates
    counts[S.DUPLICATE] += duplicates
    named = _named_rows(ctx, ["utterance_id"]).num_rows
    counts[S.PUBLISHED] -= named
    counts[TURN_NAMES_CUSTOMER] += named
    # rows a deletion purged from the staging while the run went on (a copy is erased for a deletion only)
    purged = counts[S.PUBLISHED] - sum(p["rows"] for p in partials)
    if purged > 0:
        counts[S.PUBLISHED] -= purged
        counts[S.DELETION_REQUESTED] += purged
    gates = [json.loads(ctx.storage.read_bytes(f"{_staging(ctx)}/gates/p={p['partition']:05d}.json"))
             for p in sorted(partials, key=lambda p: p["partition"])]  # fmt: skip
    if not gates:  # nothing new tonight: the (empty) batch is still gated, as every night
        from utterance_governance.quality.gate import run_gate

        empty = PUBLISHABLE.empty_table().select(GATE_COLUMNS)
        result = run_gate(
            empty, ctx.policy, docs_dir=ctx.storage.url(f"reports/{ctx.run_key}/gx"), run_name=ctx.run_id
        )
        gates = [{"partition": 0, **result.to_dict()}]
    gate = combine_gates(gates)
    ctx.storage.write_bytes(
        f"reports/{ctx.run_key}/gate.json", json.dumps(gate, indent=2, default=str).encode()
    )
    summary = {
        "partitions": len(partials),
        "speakers": _stage_dir(ctx, "speakers"),
        "rows": sum(p["rows"] for p in partials),
        "counts": {k: v for k, v in counts.items() if v},
        "gate": gate,
        "publishing_blocked": blocked,
    }
    ctx.storage.write_bytes(f"{_staging(ctx)}/gate_summary.json", json.dumps(summary, default=str).encode())
    _count_gate(ctx, gate)
    if not gate["success"]:
        _writes_no_more(ctx)  # its staging stays as evidence; it writes no more
        raise GateFailed(
            _gate_failure_message(
                gate["failed"],
                ctx.run_id,
                ctx.storage.url(_staging(ctx)),
                ctx.storage.url(f"reports/{ctx.run_key}/gate.json"),
            )
        )
    return summary


def _count_gate(ctx: RunContext, gate: dict) -> None:
    """The gate's verdict as metrics: passed or failed, and each failing expectation by name."""
    if ctx.dry_run:
        return
    telemetry.incr(telemetry.metric_name("publish", "gate", "passed" if gate["success"] else "failed"))
    for failure in gate["failed"]:
        telemetry.incr(telemetry.metric_name("publish", "gate", "failed_check", failure["check"]))


def gate_failure_message(result: GateResult, run_id: str, batch_url: str, result_url: str) -> str:
    """What a failed gate says at 2 a.m.: each failing check, where the evidence is (no text, no ids)."""
    return _gate_failure_message([asdict(f) for f in result.failed], run_id, batch_url, result_url)


def _gate_failure_message(failed: list[dict], run_id: str, batch_url: str, result_url: str) -> str:
    listed = "; ".join(
        f"{f['check']} ({f['expectation_type']}) on {f['column']}: {f['message']}" for f in failed
    )
    return (
        f"quality gate failed for run {run_id}: {listed}. Nothing was published; "
        f"the batch is kept at {batch_url} and the result at {result_url}"
    )


def _speaker_parts(
    ctx: RunContext, gated: dict, progress: telemetry.Progress
) -> list[Callable[[], pa.Table]]:
    """Loaders of the gated rows, one speaker partition each, in the published form (sorted); each
    load is a progress line (timed from the previous one: its shards and ledger rows written)."""

    def load(partition: int) -> pa.Table:
        rows = read_partition(ctx.storage, gated["speakers"], partition, PUBLISHABLE).sort_by(SORT_KEYS)
        progress.done(f"speaker partition {partition} read for its shards", rows.num_rows)
        # shard_rows keeps this order (its sort is stable); captured_at and landed_at feed the ledger only
        return (
            shard_rows(rows)
            .append_column("captured_at", rows.column("captured_at"))
            .append_column("landed_at", rows.column("landed_at"))
        )

    return [functools.partial(load, p) for p in range(gated["partitions"])]


# written in the run's decisions once its decisions and held sets are (after the switch), before its
# staging is removed, naming the attempt they are of: a retry of that attempt that finds it writes neither
# again from what is left of the staging. (``_written``, empty: written so before attempts were named.)
_AFTER_THE_SWITCH_WRITTEN = "_written.json"
_WRITTEN_UNNAMED = "_written"
# written in the run's decisions under the lock just before the switch, naming the attempt and the version
# it switches to: once that version went live, a later step of that attempt is a retry past its switch;
# another attempt of the run (the run cleared, a backfill over the night with ``reprocess``) decides and
# publishes a batch of its own
_SWITCHED = "_switched.json"
# what the publish step was handed (the staged items), kept in the staging before the switch: an attempt
# that dies after its switch has its writes after the switch finished from it by the next attempt
_STAGED = "_staged.json"


def _run_marker(ctx: RunContext, name: str, field: str = "attempt") -> str | None:
    """What the run's marker ``name`` under its decisions names (``field``: the attempt, or the version it
    switched to; None: there is no marker; "": the attempt that switched, for the mark of writes made before
    attempts were named)."""
    try:
        return str(json.loads(ctx.storage.read_bytes(f"decisions/{ctx.run_key}/{name}")).get(field) or "")
    except FileNotFoundError:
        if name == _AFTER_THE_SWITCH_WRITTEN and ctx.storage.exists(
            f"decisions/{ctx.run_key}/{_WRITTEN_UNNAMED}"
        ):
            return ""
        return None
    except ValueError:  # half written: the writes it marks may be too
        return None


def _mark_run(ctx: RunContext, name: str, staged: list[dict], **fields: str) -> None:
    ctx.storage.write_bytes(
        f"decisions/{ctx.run_key}/{name}", json.dumps({"attempt": _attempt_of(staged), **fields}).encode()
    )


def _attempt_of(items: list[dict]) -> str | None:
    """The attempt the items handed on belong to (None: handed on before attempts were named)."""
    attempts = {item.get("attempt") for item in items} - {None}
    return next(iter(attempts)) if len(attempts) == 1 else None


def _retry_past_the_switch(ctx: RunContext, staged: list[dict], done: str) -> bool:
    """Whether ``done``, the latest version this run put live, is this attempt's: the attempt that switched to
    it is the one ``staged`` belongs to, or is not known (a version switched before attempts were recorded).
    An attempt that died under the lock before its switch named its version, which never went live: not
    ``done``, so its retry publishes its batch."""
    switched = _run_marker(ctx, _SWITCHED)
    if not switched:
        return True
    version = _run_marker(ctx, _SWITCHED, "version")
    return switched == (_attempt_of(staged) or switched) and version in ("", done)


def _write_after_the_switch(ctx: RunContext, staged: list[dict], rechecked: dict) -> None:
    """The run's decisions, held rows, recording twins, deleted recordings and case folds, from its staging,
    then the mark that they are written (with the attempt they are of)."""
    partitions = _write_decisions(ctx, staged, rechecked.get("excluded"), rechecked.get("twins"))
    _keep_held_rows(ctx, staged, rechecked.get("excluded"), rechecked.get("twins"))
    _record_recording_twins(ctx, partitions)
    _record_deleted_recordings(ctx, partitions)
    _record_published_folds(ctx)
    _mark_run(ctx, _AFTER_THE_SWITCH_WRITTEN, staged)


def _finish_an_earlier_attempts_writes(ctx: RunContext) -> None:
    """An earlier attempt of this run that put its version live and died before its writes after the
    switch (the whole run then cleared: every step again, the same run id): they are finished now, from the
    staging it left, before this attempt starts its staging afresh. Without them, the night's held rows,
    decisions and deleted recordings were lost: its files are processed, so no attempt decides them again."""
    switched = _run_marker(ctx, _SWITCHED)
    if ctx.dry_run or not switched or _run_marker(ctx, _AFTER_THE_SWITCH_WRITTEN) in ("", switched):
        return
    # (its version never went live, the attempt dying before its switch: its staging just goes)
    if _published_by(ctx, ctx.run_id) != _run_marker(ctx, _SWITCHED, "version"):
        return
    try:
        staged = json.loads(ctx.storage.read_bytes(f"{_staging(ctx)}/{_STAGED}"))
    except FileNotFoundError:
        return
    if _attempt_of(staged) != switched:  # (the staging is another attempt's by now)
        return
    log.warning("the attempt of run %s that put its version live stopped before its writes after the switch: "
                "they are finished now, from its staging", ctx.run_id)  # fmt: skip
    rechecked = {
        name: ctx.storage.read_parquet(path)
        for name, path in (("excluded", _rechecked_path(ctx)), ("twins", _twins_path(ctx)))
        if ctx.storage.exists(path)
    }
    _write_after_the_switch(ctx, staged, rechecked)


def publish(ctx: RunContext, staged: list[dict], gated: dict) -> dict:
    """Publish the gated batch as a new version (atomic switch) and record the run's decisions.

    The version is written one speaker partition at a time (shards and ledger rows), so the
    publish holds one partition, never the night."""
    still_in_flight(ctx.storage, ctx.run_key, datetime.now(UTC))
    inputs = [
        ObjectInfo(item["path"], item["size"], item["fingerprint"])
        for item in staged
        if not item.get("held") and not item.get("withdrawn")
    ]
    if gated["publishing_blocked"]:
        _writes_no_more(ctx)
        raise PublishingBlocked(
            "publishing is blocked: unreadable privacy records name no customer, so nobody's consent "
            f"can be trusted: {gated['publishing_blocked'][:5]}. Fix or acknowledge them, then re-run."
        )
    if ctx.dry_run:
        return {"dry_run": True, "version": None, "rows": gated["rows"], "counts": gated["counts"]}
    mine = key_fingerprint(load_settings().pseudonym_key)
    for made_with in sorted({item.get("key_fingerprint") for item in staged} - {mine}):
        # a worker still on the old key during a key rotation: its speaker keys are no deletion's
        _writes_no_more(ctx)
        raise KeyMismatch(
            f"publishing {ctx.dataset}: part of the batch was decided with another pseudonym key (fingerprint "
            f"{made_with}) than this worker's ({mine}): no later opt-out or deletion would find those rows. "
            "Give every worker the deployment's key, then clear the run."
        )
    progress = telemetry.Progress("publish", total=gated["partitions"], logger=log)
    publication = Publication(
        run_id=ctx.run_id,
        rows=None,
        parts=tuple(_speaker_parts(ctx, gated, progress)),
        part_rows=gated["rows"],
        counts=gated["counts"],
        gate=gated["gate"],
        privacy_snapshot=ctx.store.privacy_snapshot(),
        inputs=inputs,
        target_rows=ctx.policy.shard_target_rows,
        key_fingerprint=mine,
    )
    rechecked: dict = {}
    ctx.storage.write_bytes(f"{_staging(ctx)}/{_STAGED}", json.dumps(staged).encode())

    def before_switch(version: str) -> None:
        # the version written, the staging read: still this attempt's, or another's rows were taken (or none)
        _check_attempt(ctx, staged)
        _mark_run(ctx, _SWITCHED, staged, version=version)

    manifest = publish_version(
        ctx.storage,
        ctx.store,
        ctx.dataset,
        publication,
        recheck=lambda p: _recheck(
            ctx, staged, p, rechecked, seen={item.get("live_at_discovery", "?") for item in staged}
        ),
        before_switch=before_switch,
    )
    counts = rechecked.get("counts", gated["counts"])
    if manifest is None and rechecked.get("already"):  # the retry reports what the run published
        manifest = read_manifest(ctx.storage, ctx.dataset, rechecked["already"])
    progress.finish(
        f"{len(manifest['shards'])} shards of version {manifest['version']}" if manifest else "no new version"
    )
    written = _run_marker(ctx, _AFTER_THE_SWITCH_WRITTEN)
    done = written is not None and written in ("", _attempt_of(staged) or "")
    if not done and not (rechecked.get("already") and not _staging_left(ctx)):
        # (a retry past the switch whose staging is gone, or going, wrote both before removing it: the
        # mark says so, as a staging left half removed by a crash could not)
        _write_after_the_switch(ctx, staged, rechecked)
    # the staged batch is a copy of cleaned text: once published, nothing needs it any more. The run's mark
    # stays until its report records its end (``write_report``): a privacy run's receipts wait for it
    _remove_staging_but_its_mark(ctx)
    if manifest is None:
        return {"version": live_version(ctx.storage, ctx.dataset), "new_version": False, "rows": 0,
                "counts": counts}  # fmt: skip
    return {
        "version": manifest["version"],
        "new_version": True,
        "parent_version": manifest["parent_version"],
        "rows": manifest["rows"],
        "new_rows": manifest["new_rows"],
        "shards": len(manifest["shards"]),
        "counts": counts,
        "manifest": f"published/{ctx.dataset}/{manifest['version']}/manifest.json",
    }


def compact(ctx: RunContext) -> dict:
    """After the night's publish: merge the live version's batches by speaker when they are due
    (``publish.compact``), and remove the files of earlier merges whose grace period is over."""
    from utterance_governance.publish.compact import compact as compact_dataset

    progress = telemetry.Progress("compact", total=1, logger=log)
    result = compact_dataset(ctx.storage, ctx.store, ctx.dataset, run_id=ctx.run_id, policy=ctx.policy,
                             dry_run=ctx.dry_run, run_key=ctx.run_key)  # fmt: skip
    progress.finish(
        f"merged {result['batches_merged']} batches into version {result['version']}"
        if result.get("new_version")
        else f"nothing due ({result.get('batches_by_level', {})})"
    )
    return result


RECHECK_COLUMNS = ["utterance_id", "speaker_key", "captured_at", "landed_at", "locale"]


def _naming_deleted(rows: pa.Table, said: SaidIds, excluded: pa.ChunkedArray) -> pa.Table:
    """The rows (``utterance_id``, ``reason``) of ``rows`` not in ``excluded`` whose turns or utterance id say
    an id of ``said``: ``deletion_requested``."""
    hit = sorted(
        {row for column in ("user_text", "assistant_text") for row in said.found(rows.column(column))}
        | set(said.found_whole(rows.column("utterance_id")))
    )
    ids = rows.column("utterance_id").take(pa.array(hit, pa.int64()))
    ids = ids.filter(pc.invert(pc.fill_null(pc.is_in(ids, value_set=excluded.combine_chunks()), False)))
    if len(ids):
        log.warning("%d rows of the batch say the id of a customer whose delete-all arrived after they were "
                    "decided: not published", len(ids))  # fmt: skip
    return pa.table(
        {"utterance_id": ids.combine_chunks(), "reason": pa.repeat(pa.scalar(S.DELETION_REQUESTED), len(ids))}
    )


def _live_now(ctx: RunContext, live: str, rows: pa.Table, excluded: pa.Array) -> pa.Table:
    """(utterance_id, reason) of the rows whose id or content is live in ``live``: duplicates."""
    hashes, ids = ctx.store.live_matches(
        ctx.dataset, live, rows.column("content_hash"), rows.column("utterance_id")
    )
    dup = pc.or_(
        pc.is_in(rows.column("content_hash"), value_set=pa.array(sorted(hashes), pa.string())),
        pc.is_in(rows.column("utterance_id"), value_set=pa.array(sorted(ids), pa.string())),
    )
    dup = pc.and_(
        pc.fill_null(dup, False), pc.invert(pc.is_in(rows.column("utterance_id"), value_set=excluded))
    )
    gone = rows.column("utterance_id").filter(dup)
    if len(gone):
        log.warning("%d rows went live by another run since this one looked them up: duplicates", len(gone))
    return pa.table({"utterance_id": gone, "reason": pa.array([S.DUPLICATE] * len(gone), pa.string())})


def _id_dedup_took_rows(ctx: RunContext) -> bool:
    """Whether the night's id dedup (``gate_partition``) took a row out: one whose content the content dedup
    may have kept over its duplicates (``_twins_of`` finds whether that content goes live some other way)."""
    return any(
        posixpath.basename(f.path).startswith("ids-") and f.size
        for f in ctx.storage.list_files(_duplicates_dir(ctx), (".parquet",))
    )


def _twins_of(
    ctx: RunContext, staged: list[dict], partitions: int, live: str | None, gone: pa.Array
) -> pa.Table:
    """The night's content duplicates whose content will not be live after this publish: the row each
    repeated was taken out under the lock (an opt-out or an unreadable record arrived while the run
    decided: ``gone``, the ids the re-check excludes), purged from the staging by a deletion meanwhile,
    or was live and withdrawn by a privacy run meanwhile. ``DUPLICATE_COLUMNS`` of each, from the
    batch's dedup (its duplicates files) and from each file's own (its decisions). They are
    duplicates of nothing, so not final: they wait with the held rows and the next run decides them
    afresh (its first capture published, if its customer may be). Kept as duplicates, a consented
    utterance would be lost for good, its file processed. Read only when something was taken out."""
    dup_files = [
        f.path
        for f in ctx.storage.list_files(_duplicates_dir(ctx), (".parquet",))
        if posixpath.basename(f.path).startswith("content-")
    ]

    def file_duplicates(columns: list[str]) -> Iterator[pa.Table]:
        """Each file's own duplicates (its decisions), a piece at a time."""
        for item in staged:
            for piece in _pieces(ctx, item["decisions"], [*columns, "reason"]):
                yield piece.filter(pc.fill_null(pc.equal(piece.column("reason"), S.DUPLICATE), False))

    # first the duplicates' content hashes only (a night's duplicates may be millions of rows) ...
    hashes = pc.unique(
        pa.chunked_array(
            [ctx.storage.read_parquet(path, ["content_hash"]).column(0) for path in dup_files]
            + [piece.column("content_hash") for piece in file_duplicates(["content_hash"])],
            pa.string(),
        )
    ).drop_null()
    going = np.zeros(len(hashes), dtype=bool)  # live after this publish: published by it, or live now
    for partition in range(partitions):
        rows = read_partition(ctx.storage, _stage_dir(ctx, "speakers"), partition, PUBLISHABLE,
                              ["utterance_id", "content_hash"])  # fmt: skip
        staying = pc.invert(pc.fill_null(pc.is_in(rows.column("utterance_id"), value_set=gone), False))
        going |= np.asarray(
            pc.fill_null(pc.is_in(hashes, value_set=rows.column("content_hash").filter(staying)), False)
        )
    # the content of a row that writes the id of another customer of the night: its duplicates write it too
    going |= np.asarray(
        pc.fill_null(
            pc.is_in(hashes, value_set=_named_rows(ctx, ["content_hash"]).column(0).combine_chunks()), False
        )
    )
    if live is not None and not going.all():
        live_hashes, _ = ctx.store.live_matches(
            ctx.dataset, live, hashes.filter(pa.array(~going)), pa.array([], pa.string())
        )
        going |= np.asarray(
            pc.fill_null(pc.is_in(hashes, value_set=pa.array(sorted(live_hashes), pa.string())), False)
        )
    orphaned = hashes.filter(pa.array(~going))
    if not len(orphaned):
        return TWINS.empty_table()
    # ... then the rows of the few whose content goes live nowhere
    found = [
        ctx.storage.read_parquet_where_in(path, "content_hash", orphaned, DUPLICATE_COLUMNS)
        for path in dup_files
    ]
    found += [
        piece.filter(pc.fill_null(pc.is_in(piece.column("content_hash"), value_set=orphaned), False))
        for piece in file_duplicates(DUPLICATE_COLUMNS)
    ]
    return pa.concat_tables([TWINS.empty_table(), *(t.select(DUPLICATE_COLUMNS).cast(TWINS) for t in found)])


def _published_by(ctx: RunContext, run_id: str) -> str | None:
    """The version ``run_id``'s publish put live, if it did; a version it only staged (a crash
    before the switch: ``staged``, or ``abandoned`` once the retry's reconciliation removed it)
    does not count, and the retry publishes the batch."""
    manifest = put_live_by(ctx.storage, ctx.store, ctx.dataset, run_id, purge=False)
    return manifest["version"] if manifest else None


def _forget_judgement_by_other_rules(ctx: RunContext) -> None:
    """Under the dataset lock, before the switch: when the rules this publish decides by (the code's
    and the policy file its run named when it started, ``RunContext.policy_file``) are not those the
    store records every live row was judged by (``store.live_rows_judged_by``), forget that record,
    so the next privacy run judges every live row (``purge.published``).

    The policy can change while a publish runs. A privacy run started after the change judges the
    live rows by the new rules and records them; this publish decided its batch, and re-checks it
    below, by the rules of its start (an en-GB row without consent, "GB" added meanwhile): switched
    under that record, its rows would never be judged again. In the other order (this publish's
    rules the newer ones, no privacy run since) the record must not become this publish's rules
    either: the rows live before were judged by the older ones. Forgetting is right in both orders
    and fails closed: a row decided by rules no longer in force stays live only until the next
    privacy run, which judges every row by the rules in force then — the window any change of the
    rules has ("When the rules change", docs/privacy.md). Re-checking the batch by the policy in force now
    instead would close that window, but would need the policy's path (the Airflow variable
    ``ug_policy_file``, read when the run starts) resolved again in this Airflow-free task, and the
    tasks of one run would no longer name one policy file; the comparison needs nothing but the store.
    It is done before the switch: a crash in between costs one more judgement of every row, never a
    row left unjudged.
    A first publish onto a store with no record has nothing to forget (the next run judges every
    row); onto an empty dataset a privacy run recorded other rules for, it forgets them.
    """
    rules = rules_in_force(ctx.policy)
    judged_by = ctx.store.live_rows_judged_by(ctx.dataset)
    if judged_by is not None and judged_by != rules:
        log.warning(
            "%s: this run decides by other privacy rules (%s) than the live rows were last judged by (%s), "
            "the policy changed: the next privacy run judges every live row",
            ctx.dataset, rules, judged_by,
        )  # fmt: skip
        ctx.store.forget_live_rows_judged(ctx.dataset)


def _recheck(
    ctx: RunContext, staged: list[dict], publication: Publication, out: dict, seen: set
) -> Publication:
    """Under the dataset lock: re-decide the batch against the privacy state of this moment.

    The batch was decided when its files were processed; an opt-out, a deletion or an
    unreadable record may have arrived since, and a purge may already have removed the
    customer from the live dataset. Their rows are taken out here (``purge.recheck``), so a
    publish never brings back what a purge removed; a new blocking record stops the publish.
    The privacy columns of each speaker partition are read (no text), and the partitions'
    loaders then leave out what the re-check excluded. Rules that changed while the run went on
    make the next privacy run judge every live row (``_forget_judgement_by_other_rules``).
    """
    # first, for a retry past its switch too (its first attempt may predate this): whatever this
    # run puts or has put live was decided by its rules
    _forget_judgement_by_other_rules(ctx)
    done = _published_by(ctx, ctx.run_id)
    if done is not None and _retry_past_the_switch(
        ctx, staged, done
    ):  # a retry after its switch: never twice
        done_manifest = read_manifest(ctx.storage, ctx.dataset, done)
        published = {
            (i.path, i.fingerprint) for i in version_inputs(ctx.store, ctx.dataset, done, done_manifest)
        }
        # a delete-all purge since may have sealed the version's paths naming its customer (``registry_paths``)
        key = load_settings().pseudonym_key
        new = sorted(
            i.path
            for i in publication.inputs
            if (i.path, i.fingerprint) not in published
            and (sealed_path(i.path, key), i.fingerprint) not in published
        )
        if new:  # the run cleared (or backfilled again) after input arrived for its dates: not a retry
            raise RunAlreadyPublished(
                f"run {ctx.run_id} published {done} already; {len(new)} landing file(s) arrived since for its "
                f"dates (e.g. {shown_path(new[0])}): they are left new for the next run (trigger one, or wait for the "
                "schedule), never recorded as published by this one"
            )
        log.warning("run %s already published version %s (this is a retry past its switch): nothing is "
                    "published again", ctx.run_id, done)  # fmt: skip
        # what its re-check took out then (kept in the staging) is what the decisions record
        out.update(already=done, counts=done_manifest.get("counts") or {})
        if ctx.storage.exists(_rechecked_path(ctx)):
            out["excluded"] = ctx.storage.read_parquet(_rechecked_path(ctx))
        if ctx.storage.exists(_twins_path(ctx)):
            out["twins"] = ctx.storage.read_parquet(_twins_path(ctx))
        return replace(publication, rows=None, parts=(), part_rows=0)
    _check_attempt(ctx, staged)  # (a partition read as missing would be counted purged by a deletion below)
    state = privacy_state(ctx)
    if state.blocked_reasons:
        raise PublishingBlocked(
            "publishing is blocked: an unreadable privacy record naming no customer arrived while this run "
            f"was deciding: {list(state.blocked_reasons)[:5]}. Fix or acknowledge it, then re-run."
        )
    now, key = datetime.now(UTC), load_settings().pseudonym_key
    gated_dir = _stage_dir(ctx, "speakers")
    live = live_version(ctx.storage, ctx.dataset)
    # another run switched a version since this one looked its batch up (two runs at once): what that
    # version holds now is a duplicate here (the usual night looked at this very version: no lookup)
    changed = live is not None and live not in seen
    # a delete-all that arrived after (some of) the batch was decided: its rows' text is searched again
    # for the ids of every delete-all (``privacy.said``; a purge that ran meanwhile searched only the live
    # rows, and may have completed the request's receipt)
    said = state.deleted_ids
    texts = (
        ["user_text", "assistant_text"]
        if said and {i.get("delete_alls") for i in staged} != {said.fingerprint}
        else []
    )
    excluded_parts, rows_now, listed = [], 0, []
    for partition in range(len(publication.parts)):
        rows = read_partition(
            ctx.storage, gated_dir, partition, PUBLISHABLE, [*RECHECK_COLUMNS, "content_hash", *texts]
        )
        rechecked = recheck_rows(rows, state, ctx.policy, now, key)
        excluded = rechecked.excluded
        listed.append(rechecked.deleted)
        if rechecked.erased.num_rows:
            ctx.store.record_erased_utterances(rechecked.erased)
        if texts:
            excluded = pa.concat_tables(
                [excluded, _naming_deleted(rows, said, excluded.column("utterance_id"))]
            )
        if changed:
            excluded = pa.concat_tables(
                [excluded, _live_now(ctx, live, rows, excluded.column("utterance_id").combine_chunks())]
            )
        excluded_parts.append(excluded)
        rows_now += rows.num_rows
    excluded = (
        pa.concat_tables(excluded_parts)
        if excluded_parts
        else pa.table({"utterance_id": pa.array([], pa.string()), "reason": pa.array([], pa.string())})
    )
    # the recordings a listing that arrived since covers: a redelivery of one, here (held as a twin) or on a
    # later night, is their duplicate (``io.store.deleted``)
    if listed and (deleted := pa.concat_tables(listed)).num_rows:
        ctx.store.record_deleted_recordings(ctx.dataset, deleted)
    # rows taken out here, purged from the staging by a deletion meanwhile (fewer than were gated), live rows
    # withdrawn meanwhile (another version), or rows the id dedup took out after the content dedup had kept them
    # over their duplicates (another copy of the id captured first): the duplicates of what does not go live wait
    if excluded.num_rows or rows_now < publication.part_rows or changed or _id_dedup_took_rows(ctx):
        twins = _twins_of(
            ctx, staged, len(publication.parts), live, excluded.column("utterance_id").combine_chunks()
        )
    else:
        twins = TWINS.empty_table()
    counts = Counter(publication.counts)
    for reason, n in Counter(excluded.column("reason").to_pylist()).items():
        counts[S.PUBLISHED] -= n
        counts[reason] += n
    counts[S.DUPLICATE] -= twins.num_rows
    counts[S.HELD_BACK] += twins.num_rows
    # rows a deletion purged from the staging while the run went on (a copy is erased for a deletion only)
    counts[S.PUBLISHED] -= publication.part_rows - rows_now
    counts[S.DELETION_REQUESTED] += publication.part_rows - rows_now
    out.update(excluded=excluded, twins=twins, counts={k: v for k, v in counts.items() if v})
    # for a retry past the switch: what this re-check decided
    ctx.storage.write_parquet(_rechecked_path(ctx), excluded)
    ctx.storage.write_parquet(_twins_path(ctx), twins)
    if excluded.num_rows:
        log.warning("re-check under the dataset lock took out %d rows decided before newer privacy records: %s",
                    excluded.num_rows, dict(Counter(excluded.column("reason").to_pylist())))  # fmt: skip
    if twins.num_rows:
        log.warning("%d duplicates of rows that do not go live wait in %s: the next run decides them",
                    twins.num_rows, HELD)  # fmt: skip
    gone = excluded.column("utterance_id")

    def without_excluded(load: Callable[[], pa.Table]) -> Callable[[], pa.Table]:
        def loader() -> pa.Table:
            rows = load()
            if len(gone) == 0:
                return rows
            return rows.filter(
                pc.invert(pc.fill_null(pc.is_in(rows.column("utterance_id"), value_set=gone), False))
            )

        return loader

    return replace(
        publication,
        parts=tuple(without_excluded(load) for load in publication.parts),
        part_rows=publication.part_rows - excluded.num_rows,
        counts=out["counts"],
        privacy_snapshot=ctx.store.privacy_snapshot(),
        notes={
            **(publication.notes or {}),
            "decided_against": dict(publication.privacy_snapshot),
            "rechecked": dict(Counter(excluded.column("reason").to_pylist())),
            "twins_held": twins.num_rows,
        },
    )


def _write_decisions(
    ctx: RunContext, staged: list[dict], rechecked: pa.Table | None = None, twins: pa.Table | None = None
) -> int:
    """Keep every decision of the run (no text) under ``decisions/<run>/``, batch duplicates and the
    re-check under the lock applied. One file at a time, reading of each dedup partition's
    duplicates only that file's row groups (no task holds the night's duplicates, and no file's
    decisions read every partition's whole: files x partitions reads of them took 3.2 s of a 2M
    night's publish and grew with the square of the night), and of its decisions a piece at a time
    (a landing file of any size).

    On the way, the candidates of ``_record_recording_twins`` (``TWIN_CANDIDATES``: reason, id, speaker
    key and content hash) go into the run's content partitions (``_twin_candidates_dir``): the rows decided
    ``duplicate`` in the end, and the rows published whose content one of them may repeat (a content the
    batch's dedup found twice, known here by the 32-bit key of its hash, 8 bytes each; or one of the same
    piece). A partition holds every candidate of its contents. Returns the partition count."""
    dup_files = sorted(f.path for f in ctx.storage.list_files(_duplicates_dir(ctx), (".parquet",)))
    named_files = sorted(f.path for f in ctx.storage.list_files(_named_dir(ctx), (".parquet",)))
    key = load_settings().pseudonym_key
    partitions = max([item.get("partitions", 1) for item in staged] or [1])
    ctx.storage.remove(_twin_candidates_dir(ctx))  # an earlier attempt's, if any
    repeated = _repeated_content_keys(ctx, dup_files)
    with contextlib.ExitStack() as stack:
        sinks: dict[int, ParquetSink] = {}

        def candidates_of(partition: int) -> ParquetSink:
            if partition not in sinks:
                path = f"{partition_dir(_twin_candidates_dir(ctx), partition)}/candidates.parquet"
                sinks[partition] = stack.enter_context(ctx.storage.parquet_writer(path))
            return sinks[partition]

        for item in staged:
            sources = _sources(ctx, item)
            # by id and line: an id a file repeats in two pieces is one row published, one duplicate
            mine = [
                _row_keys(
                    ctx.storage.read_parquet_where_in(path, "source_file", sources, ["utterance_id", "line"])
                )
                for path in dup_files
            ]
            duplicated = (
                pa.chunked_array(mine, pa.string()).combine_chunks() if mine else pa.array([], pa.string())
            )
            named = pa.chunked_array(
                [
                    _row_keys(
                        ctx.storage.read_parquet_where_in(
                            path, "source_file", sources, ["utterance_id", "line"]
                        )
                    )
                    for path in named_files
                ],
                pa.string(),
            ).combine_chunks()
            held_twins = (
                _row_keys(_of_sources(twins, sources)) if twins is not None else pa.array([], pa.string())
            )
            with ctx.storage.parquet_writer(
                f"decisions/{ctx.run_key}/{_file_key(item['path'], key)}.parquet"
            ) as out:
                for decisions in _pieces(ctx, item["decisions"]):
                    decided = _decided_finally(decisions, duplicated, rechecked, held_twins, named)
                    out.write(decided)
                    candidates = _twin_candidates(decided, repeated)
                    if not candidates.num_rows:
                        continue
                    parts = partition_of(candidates.column("content_hash"), "content_hash", partitions)
                    for partition in np.unique(parts).tolist():
                        candidates_of(partition).write(candidates.filter(pa.array(parts == partition)))
    return partitions


def _repeated_content_keys(ctx: RunContext, dup_files: list[str]) -> np.ndarray:
    """The sorted 32-bit keys (``hex_prefix_values``) of the contents the batch's dedup found more than
    once (its ``content-`` files), read a file at a time."""
    keys = [
        np.unique(hex_prefix_values(ctx.storage.read_parquet(path, ["content_hash"]).column(0)))
        for path in dup_files
        if posixpath.basename(path).startswith("content-")
    ]
    return np.unique(np.concatenate(keys)) if keys else np.array([], np.uint64)


def _twin_candidates(decided: pa.Table, repeated: np.ndarray) -> pa.Table:
    """Of a piece's final decisions, the duplicates and the published rows whose content may repeat
    one (its key among ``repeated``, or a duplicate's content of the same piece)."""
    reasons, hashes = decided.column("reason"), decided.column("content_hash")
    is_dup = pc.fill_null(pc.equal(reasons, S.DUPLICATE), False)
    keys = hex_prefix_values(hashes)
    at = np.minimum(np.searchsorted(repeated, keys), max(len(repeated) - 1, 0))
    maybe = pa.array(repeated[at] == keys if len(repeated) else np.zeros(len(keys), bool))
    repeats = pc.or_(maybe, pc.is_in(hashes, value_set=hashes.filter(is_dup).combine_chunks()))
    went = pc.or_(is_dup, pc.and_(pc.equal(reasons, S.PUBLISHED), pc.fill_null(repeats, False)))
    return decided.filter(pc.fill_null(went, False)).select(TWIN_CANDIDATES.names).cast(TWIN_CANDIDATES)


def _twin_candidates_dir(ctx: RunContext) -> str:
    return f"{_staging(ctx)}/twin_candidates"


# a night's duplicates as ``_record_recording_twins`` reads them
TWIN_CANDIDATES = pa.schema(
    [(c, pa.string()) for c in ("reason", "utterance_id", "speaker_key", "content_hash")]
)


def _record_recording_twins(ctx: RunContext, partitions: int) -> int:
    """Record in the store each of the night's duplicates whose content is live, after the switch, under
    the same speaker key and another id (``io.store.twins``): one recording an upstream delivered twice,
    whichever of the two went live, this night or before. A deletion listing either id then reaches the
    other. A duplicate of another speaker's words is someone else's recording: not recorded.

    Content partition by content partition (``_write_decisions`` wrote their candidates: the night's
    rows decided ``duplicate`` in the end, and the published rows they may repeat), so no more than a
    partition's candidates are held. A content is live once: a duplicate whose content this night
    published repeats that row (matched here); only the others, whose content went live on an earlier
    night, are looked up by the ledger's content index."""
    live = live_version(ctx.storage, ctx.dataset)
    if live is None:
        return 0
    started = time.perf_counter()
    recorded = duplicates = looked_up = 0
    for partition in range(partitions):
        decided = read_partition(ctx.storage, _twin_candidates_dir(ctx), partition, TWIN_CANDIDATES)
        is_dup = pc.equal(decided.column("reason"), S.DUPLICATE)
        dups = decided.filter(is_dup)
        if not dups.num_rows:
            continue
        hashes = dups.column("content_hash")
        tonight = decided.filter(
            pc.and_(pc.invert(is_dup), pc.is_in(decided.column("content_hash"), value_set=hashes))
        )
        earlier = dups.filter(
            pc.invert(pc.is_in(hashes, value_set=tonight.column("content_hash").combine_chunks()))
        )
        repeated = ctx.store.live_rows_of_content(ctx.dataset, live, earlier.column("content_hash"))
        pairs = pa.concat_tables([twin_pairs(dups, tonight), twin_pairs(earlier, repeated)])
        recorded += ctx.store.record_twins(ctx.dataset, pairs)
        duplicates, looked_up = duplicates + dups.num_rows, looked_up + earlier.num_rows
    log.info("%d of the night's %d duplicates repeat a live row of their own speaker (recording twins; %d "
             "looked up in the ledger): recorded in %.2f s", recorded, duplicates, looked_up,
             time.perf_counter() - started)  # fmt: skip
    return recorded


def _with_latest_times(pairs: pa.Table, decisions: pa.Table) -> pa.Table:
    """Case-fold ``pairs`` with their speakers' latest capture and landing among ``decisions``: what a
    deletion's purge judges them by while they are staged (a delete-all covers a pair whose speaker's rows it
    all covers; one with a row captured after it stays, for that row)."""
    mine = pc.is_in(decisions.column("speaker_key"), value_set=pairs.column("speaker_key"))
    latest = (
        decisions.select(["speaker_key", "captured_at", "landed_at"])
        .filter(pc.fill_null(mine, False))
        .group_by("speaker_key", use_threads=False)
        .aggregate([("captured_at", "max"), ("landed_at", "max")])
    )
    times = pa.table(
        {
            "speaker_key": latest.column("speaker_key"),
            "captured_at": latest.column("captured_at_max"),
            "landed_at": latest.column("landed_at_max"),
        }
    )
    return pairs.join(times, "speaker_key", join_type="left outer")


def _record_published_folds(ctx: RunContext) -> int:
    """The case-fold pairs this run's files recorded (``process_file``), again for the speakers it published:
    a delete-all's purge that ran while the run went on erased the pairs of its customer's speakers with no
    row published then (``io.store.folds``), and a row of theirs the request does not cover (captured and
    landed after it) went live after: without its pair, an opt-out or deletion naming another spelling would
    not reach it. The number of pairs recorded."""
    folder = _stage_dir(ctx, "folds")
    files = ctx.storage.list_files(folder, (".parquet",))
    if not files:
        return 0
    pairs = pa.concat_tables(
        [ctx.storage.read_parquet(info.path, FOLD_PAIRS.names).cast(FOLD_PAIRS) for info in files]
    )
    published = ctx.store.published_speakers(
        ctx.dataset, pc.unique(pairs.column("speaker_key")).drop_null().to_pylist()
    )
    live = pc.is_in(pairs.column("speaker_key"), value_set=pa.array(sorted(published), pa.string()))
    return ctx.store.record_speaker_folds(pairs.filter(pc.fill_null(live, False)))


def _record_deleted_recordings(ctx: RunContext, partitions: int) -> int:
    """Record in the store the recordings this night's decisions withheld for a deletion listing
    (``io.store.deleted``), a content partition at a time: a redelivery on a later night is a duplicate."""
    recorded = 0
    for partition in range(partitions):
        staged = read_partition(
            ctx.storage, _stage_dir(ctx, "deleted"), partition, DELETED_RECORDINGS, DELETED_RECORDINGS.names
        )
        recorded += ctx.store.record_deleted_recordings(ctx.dataset, staged)
    if recorded:
        log.info("%d recordings a deletion listing covers recorded: a redelivery under another id is a duplicate",
                 recorded)  # fmt: skip
    return recorded


def _pieces(ctx: RunContext, path: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """A staged file of the run, a piece at a time (row group by row group)."""
    for piece in ctx.storage.iter_parquet(path, PIECE_ROWS, columns=columns):
        if isinstance(piece, UnreadableRows):  # the run's own file: no malformed input
            raise piece.error
        yield piece


def _row_keys(rows: pa.Table) -> pa.Array:
    """One key per row of a file: its utterance id and line."""
    key = pc.binary_join_element_wise(
        rows.column("utterance_id"), pc.cast(rows.column("line"), pa.string()), "\n"
    )
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def _decided_finally(
    decisions: pa.Table,
    duplicated: pa.Array,
    rechecked: pa.Table | None,
    held_twins: pa.Array,
    named: pa.Array | None = None,
) -> pa.Table:
    """Decisions with the batch's duplicates and the re-check's reasons, the rows of records a deletion
    request covers left out. ``held_twins`` (row keys): duplicates of what does not go live, held (``_twins_of``);
    ``named`` (row keys): rows writing the id of another customer of the night (``gate_partition``)."""
    reasons = decisions.column("reason")
    if named is not None and len(named):
        is_named = pc.and_(pc.is_in(_row_keys(decisions), value_set=named), pc.equal(reasons, S.PUBLISHED))
        reasons = pc.if_else(is_named, TURN_NAMES_CUSTOMER, reasons)
    if len(held_twins):
        is_twin = pc.and_(
            pc.is_in(_row_keys(decisions), value_set=held_twins),
            pc.is_in(reasons, value_set=pa.array([S.PUBLISHED, S.DUPLICATE])),
        )
        reasons = pc.if_else(is_twin, S.HELD_BACK, reasons)
        at = decisions.schema.get_field_index("detail")
        decisions = decisions.set_column(
            at, "detail", pc.if_else(is_twin, S.HELD_TWIN_WITHDRAWN, decisions.column("detail"))
        )
    if len(duplicated):
        is_dup = pc.and_(pc.is_in(_row_keys(decisions), value_set=duplicated), pc.equal(reasons, S.PUBLISHED))
        reasons = pc.if_else(is_dup, S.DUPLICATE, reasons)
    if rechecked is not None and rechecked.num_rows:
        position = pc.index_in(decisions.column("utterance_id"), value_set=rechecked.column("utterance_id"))
        later = rechecked.column("reason").combine_chunks().take(position)
        reasons = pc.if_else(pc.and_(pc.is_valid(later), pc.equal(reasons, S.PUBLISHED)), later, reasons)
    decisions = decisions.set_column(decisions.schema.get_field_index("reason"), "reason", reasons)
    # a record a deletion request covers leaves no decision row (ids, speaker key) behind: the
    # purge removes such rows, and its receipt may be completed already (the request arrived
    # while this run was deciding); the run's counts still say how many there were
    return decisions.filter(pc.invert(pc.fill_null(pc.equal(reasons, S.DELETION_REQUESTED), False)))


def write_report(ctx: RunContext, privacy: dict, published: dict, started_at: datetime | None = None) -> dict:
    """The per-run report (counts by reason, gate result, version) and the store's run record."""
    gate_path = f"reports/{ctx.run_key}/gate.json"
    gate = json.loads(ctx.storage.read_bytes(gate_path)) if ctx.storage.exists(gate_path) else None
    refused_path = f"reports/{ctx.run_key}/refused_inputs.json"
    refused = json.loads(ctx.storage.read_bytes(refused_path)) if ctx.storage.exists(refused_path) else []
    report = {
        "run_id": ctx.run_id,
        "dag_id": ctx.dag_id,
        "refused_inputs": refused,
        "dataset": ctx.dataset,
        "dry_run": ctx.dry_run,
        "params": {"dt_from": ctx.dt_from, "dt_to": ctx.dt_to, "reprocess": ctx.reprocess},
        "decided_at": ctx.now,
        "privacy_ingest": privacy,
        "counts": published.get("counts", {}),
        "version": published.get("version"),
        "new_version": published.get("new_version", False),
        "published": published,
        "quality_gate": gate,
    }
    path = f"reports/{ctx.run_key}/report.json"
    ctx.storage.write_bytes(path, json.dumps(report, indent=2, default=str).encode())
    if ctx.dry_run:  # a dry run leaves nothing behind but its report
        ctx.storage.remove(_staging(ctx))
    _write_run_page(ctx, report)
    if not ctx.dry_run:
        ctx.store.record_run(
            ctx.run_id, ctx.dag_id, started_at or ctx.now_dt, datetime.now(UTC), "success",
            report["counts"], {"version": report["version"], "report": path},
        )  # fmt: skip
        _count_run(report)
        # recorded ended (after its last write), then no longer in flight: never neither (``issue_receipts``).
        # Its staging folder goes once empty: the compaction beside this step stages there meanwhile
        no_longer_in_flight(ctx.storage, ctx.run_key)
        if not _staging_left(ctx):
            ctx.storage.remove(_staging(ctx))
    return {"report": ctx.storage.url(path), **{k: report[k] for k in ("version", "counts")}}


def _count_run(report: dict) -> None:
    """The run's counts by reason (the report's own), and the version it put live, as metrics."""
    for reason, n in report["counts"].items():
        telemetry.incr(telemetry.metric_name("publish", "decisions", reason), n)
    published = report["published"]
    if report["new_version"]:
        telemetry.incr(telemetry.metric_name("publish", "version_published"))
        telemetry.gauge(telemetry.metric_name("publish", "live_rows"), published.get("rows", 0))


def _write_run_page(ctx: RunContext, report: dict) -> None:
    """The run's HTML page beside report.json; a page that fails to render never fails the run."""
    try:
        from utterance_governance.reports.site import write_run_page

        page = write_run_page(
            ctx.storage, ctx.store, report, run_key=ctx.run_key, policy=ctx.policy, now=ctx.now_dt
        )
        log.info(
            "run report: %s (all runs: %s)", ctx.storage.url(page), ctx.storage.url("reports/index.html")
        )
    except Exception:
        log.exception("could not render the HTML page of run %s; its report.json is complete", ctx.run_id)
