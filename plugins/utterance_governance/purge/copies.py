"""Purge every other copy of deleted utterances under ``UG_DATA_ROOT`` (SPEC §7).

A deletion, unlike an opt-out, reaches the raw input and everything derived from it:

| location | files | what identifies a row |
|---|---|---|
| ``landing/utterances/`` | JSONL, JSONL.gz, Parquet as dropped upstream | customer_id, utterance_id, captured_at (read with the landing reader) |
| ``quarantine/utterances/`` | Parquet of malformed rows (``schema.QUARANTINE``: the raw line) | customer_id (salvaged), record_id, captured_at read off the raw line |
| ``quarantine/held/`` | Parquet of held-back rows (their text, waiting for a readable privacy record) | customer_id, utterance_id, captured_at |
| ``quarantine/withdrawn/`` | Parquet of live rows withdrawn while their customer was held back (cleaned text) | speaker_key, utterance_id, captured_at, landed_at |
| ``staging/`` | Parquet: staged publishable rows (cleaned text), decisions, dry-run quarantine, id lists | speaker_key or customer_id, utterance_id, captured_at |
| ``decisions/`` | Parquet: per-record decisions (no text) | speaker_key, utterance_id, captured_at |

Which rows a deletion covers is decided by the privacy core (``privacy.privacy_verdict``, its
deletion rule: unknown capture or landing times and unknown customers fail closed), on the ids
as the files hold them once decoded — JSON ``\\u`` escapes, gzip and Parquet alike. A file holding none is not touched. Otherwise it is rewritten
without those rows, atomically through ``Storage``: JSONL keeps every other line byte for byte
(a ``.gz`` is recompressed; a truncated one keeps only its readable lines, as the reader does),
Parquet keeps every other row and its schema and compression. A file left without rows stays
as an empty file of its format, so readers of an in-flight run never miss it. A rewritten
landing file is re-registered (``store.update_file_fingerprint``) so it is not taken as new
input. Files of unknown shape are not guessed at: they keep the receipts open, named
among the run's problems (``_unrecognised``), until someone moves or removes them.

Every run looks at every file, against every deletion request ever received, so a late file
(an old ``dt=`` partition arriving after the request was completed) is caught by the next run.
Reading is cheap where it can be: a landing file's ids are first decoded by Arrow's JSON or
Parquet reader (never searched as raw bytes: an escape or a compression hides them), and the file
is read fully only if a deleted customer or a listed utterance id is among them. Both readings, and
the rewrite, go piece by piece, as the landing reader reads (its line numbers are the rewrite's): a
file's size is not the purge's memory. What the reader cannot read of a file (another encoding, a
row group that cannot be decoded, a gzip cut short) cannot be shown free of a deleted customer: it
is a problem of the run, and the receipts stay open. A line too long to read is searched whole
(``_long_lines_named``). The consent and deletion records themselves
(``landing/consent``, ``landing/deletions`` and their quarantine) are kept: they are the
requests, and the governance store needs them to keep honouring them; a line there that is no
record and names a deleted customer is not (``_purge_privacy_folders``).
"""

from __future__ import annotations

import codecs
import functools
import gzip
import hashlib
import io
import itertools
import json
import logging
import math
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from utterance_governance import schema as S
from utterance_governance.decide import listed_recordings
from utterance_governance.io import readers
from utterance_governance.io.readers import (
    EARLIEST_CAPTURE,
    MAX_LINE_BYTES,
    PIECE_BYTES,
    PIECE_ROWS,
    SUFFIXES,
    Arrival,
    FileChangedWhileRead,
    FileProblem,
    LandingText,
    customer_of_path,
    customers_in_raw,
    integral_digits,
    parse_instants,
    read_landing_pieces,
    shown_path,
    sorted_unique,
    stated_capture_texts,
)
from utterance_governance.io.storage import (
    ObjectInfo,
    ParquetSink,
    Refused,
    Storage,
    UnreadableRows,
    without_dictionaries,
)
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store.deleted import as_deleted_recordings, listings_a_delete_all_covers
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, Verdict, canonical_ids, privacy_verdict
from utterance_governance.privacy.identity import AnyCase, canonical_id, listed_key, without_refused
from utterance_governance.privacy.keys import fold_keys
from utterance_governance.publish.commit import DatasetPaths, live_version, read_manifest
from utterance_governance.purge.affected import count_by_request, merge_counts
from utterance_governance.purge.traces import PLACES, ScrubJournal, name_digest, purge_traces, scrub_digest

log = logging.getLogger(__name__)

LOCATIONS = {  # location name -> folders under the lake root
    "landing": ("landing/utterances",),
    "quarantine": ("quarantine/utterances", "quarantine/held", "quarantine/withdrawn"),
    "staging": ("staging",),
    "decisions": ("decisions",),
}
_ROW_COLUMNS = ("customer_id", "speaker_key", "utterance_id", "captured_at", "landed_at")
_PROBE = pa.schema([("customer_id", pa.string()), ("utterance_id", pa.string())])


@dataclass
class Deleted:
    """What the deletion requests name, and the privacy core's verdict on any rows."""

    state: PrivacyState  # the deletion requests only: a copy is erased for a deletion, not an opt-out
    customers: set[str]  # canonical (``AnyCase``: also every id of their fold)
    listed_ids: set[str]  # canonical
    pseudonym_key: bytes
    now: datetime
    policy: Policy = field(default_factory=Policy)  # the run's: the published purge judges with it too
    # where the recordings a listing covers go as their copies are erased (``io.store.deleted``); None: a dry run
    keep_listed: Callable[[pa.Table], object] | None = None
    # where the recordings a delete-all or a range covers go (``io.store.erased``); None: a dry run
    keep_erased: Callable[[pa.Table], object] | None = None
    # the ids of rows remembered so for the first time, each with the requests covering it
    newly_erased: dict[str, set[str]] = field(default_factory=dict)
    # the speakers of the delete-all customers' case-fold pairs, and those of them a copy still holds rows of
    paired: frozenset[str] = frozenset()
    kept: set[str] = field(default_factory=set)

    def note_kept(self, speakers: pa.Array | pa.ChunkedArray) -> None:
        """The speaker keys of rows a copy keeps: a paired one keeps its pair (``io.store.folds``)."""
        if self.paired:
            found = pc.is_in(speakers, value_set=pa.array(sorted(self.paired), pa.string()))
            self.kept.update(speakers.filter(pc.fill_null(found, False)).to_pylist())

    @classmethod
    def of(
        cls,
        deletions: pa.Table,
        pseudonym_key: bytes,
        now: datetime | None = None,
        policy: Policy | None = None,
        speakers_of_folds: Callable[[Sequence[str]], pa.Table] | None = None,
        erased_among: Callable[[Sequence[str]], Collection[str]] | None = None,
    ) -> Deleted:
        # (a copy keyed by speaker is found in any case of its id: ``PrivacyState.folds``)
        state = PrivacyState(
            deletions=deletions, speakers_of_folds=speakers_of_folds, erased_among=erased_among
        )
        listing = deletions.filter(pc.equal(deletions.column("scope"), "utterances"))
        listed = canonical_ids(pc.list_flatten(listing.column("utterance_ids").combine_chunks())) if listing.num_rows else pa.array([], pa.string())  # fmt: skip
        return cls(state, AnyCase(state.customers.to_pylist(), state.folds.values.to_pylist()),
                   set(listed.drop_null().to_pylist()), pseudonym_key,
                   now or datetime.now(UTC), policy or Policy())  # fmt: skip

    @property
    def everything_of(self) -> list[str]:
        """The customers (canonical) who asked to delete everything."""
        requests = self.state.deletion_requests
        everything = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(requests.column("scope"))), "all")
        return (
            canonical_ids(requests.column("customer_id").filter(pc.fill_null(everything, False)))
            .drop_null()
            .to_pylist()
        )

    @cached_property
    def _customer_set(self) -> pa.Array:
        return pa.array(sorted(self.customers), pa.string())

    @cached_property
    def _listed_set(self) -> pa.Array:
        """The listed ids as ``listed_key`` compares them (once, not per file searched)."""
        return listed_key(pa.array(sorted(self.listed_ids), pa.string()))

    def judge(self, rows: pa.Table) -> Verdict:
        return privacy_verdict(rows, self.state, self.policy, self.now, self.pseudonym_key)

    def keep_listed_recordings(self, table: pa.Table, verdict: Verdict) -> None:
        """Before a copy is written again without them: the recordings among ``table``'s rows (``verdict``, on
        them) a listing covers, kept in the store (``keep_listed``), so their redelivery under another id is a
        duplicate whenever the listing was carried out: a staged, decided or withdrawn row by its speaker key
        and content hash, a landing or held row by its text, hashed as a publishable row's is."""
        self.keep_erased_recordings(
            verdict
        )  # (every row judged: a quarantined line has its id, and its time)
        listed, listings = verdict.listed()
        within = (
            listed < table.num_rows
        )  # (rows judged after the table's own: a landing file's quarantined lines)
        listed, listings = listed[within], listings.filter(pa.array(within))
        if self.keep_listed is None or not len(listed):
            return
        names = set(table.column_names)
        if {"speaker_key", "content_hash"} <= names:
            at = pa.array(listed, pa.int64())
            rows = as_deleted_recordings(
                table.column("speaker_key").take(at), table.column("content_hash").take(at), listings
            )
        elif {"customer_id", "transcript", "response", "locale"} <= names:
            rows = listed_recordings(table, listed, listings, self.pseudonym_key)
        else:  # (a quarantined line: never published, nothing to repeat)
            return
        if rows.num_rows:
            self.keep_listed(rows)

    def keep_erased_recordings(self, verdict: Verdict) -> None:
        """Before a copy is written again without them: the recordings judged that a delete-all or a range
        covers by what is known of them (``Verdict.erased``), kept in the store (``keep_erased``), so that one
        sent again under its id with another time is covered still."""
        if self.keep_erased is None:
            return
        erased = verdict.erased(np.flatnonzero(verdict.deleted))
        if not erased.num_rows:
            return
        digests = erased.column("id_digest").to_pylist()
        known = set(self.state.erased_among(digests)) if self.state.erased_among else set()
        # (remembered for the first time: a live copy may be left, ``_newly_erased_live``)
        if set(digests) - known:
            at = np.flatnonzero(verdict.deleted)
            ids = verdict.subjects.utterance_id.take(pa.array(at, pa.int64())).to_pylist()
            for uid, requests in zip(ids, verdict.covering_requests(at), strict=True):
                if uid is not None:
                    self.newly_erased.setdefault(uid, set()).update(requests)
        self.keep_erased(erased)

    def mentioned(
        self, customers: pa.Array | pa.ChunkedArray | None, ids: pa.Array | pa.ChunkedArray | None
    ) -> bool:
        """Does a deleted customer or a listed utterance id occur among these (decoded) values?"""
        for values, wanted, key in (
            (customers, self._customer_set, canonical_ids),
            (customers, self.state.folds.values, listed_key),  # any case: the fold of each (``AnyCase``)
            (ids, self._listed_set, listed_key),
        ):
            if values is None or len(wanted) == 0 or len(values) == 0:
                continue
            keys = key(values)
            if keys.null_count > values.null_count:
                return True  # an id holding an invisible character: the full reader reads it for erasure
            found = pc.is_in(keys, value_set=wanted)
            if pc.any(pc.fill_null(found, False)).as_py():
                return True
        return False


@dataclass
class CopiesPurge:
    dry_run: bool
    rows_removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    files_rewritten: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    files_scanned: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    by_request: dict[str, dict[str, int]] = field(default_factory=dict)
    registry_updated: int = 0
    unrecognised_files: list[str] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unsearchable: list[str] = field(default_factory=list)  # files no search can read (among the problems)
    searched: list[str] = field(default_factory=list)  # the places searched to the end
    traces: dict = field(default_factory=dict)  # purge.traces: published files, access reports, ...
    decided_requests: list[str] = field(default_factory=list)  # the requests this purge searched for
    file_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # by request, the file at hand

    def to_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows_removed": self.rows_removed,
            "files_rewritten": self.files_rewritten,
            "files_scanned": self.files_scanned,
            "by_request": self.by_request,
            "registry_updated": self.registry_updated,
            "unrecognised_files": [shown_path(p) for p in self.unrecognised_files[:50]],
            "refused_files": [shown_path(p) for p in self.refused_files[:50]],
            "searched": self.searched,
            "traces": self.traces,
            "problems": [shown_path(p) for p in self.problems[:50]],
            "unsearchable": [shown_path(p) for p in self.unsearchable[:50]],
            "decided_requests": self.decided_requests,
        }


def _could_not_purge(result, path: str, exc: Exception) -> None:
    """One file the purge could not search or rewrite: a problem of the run (its receipts stay open), named
    as logs and reports name paths (``shown_path``: a Hive segment's customer is not shown, nor in the
    error's text, so no traceback)."""
    said = shown_path(f"{path}: {type(exc).__name__}: {exc}")
    log.error("could not purge %s", said)
    result.problems.append(said)


def purge_copies(
    storage: Storage,
    store: GovernanceStore,
    deletions: pa.Table,
    pseudonym_key: bytes,
    *,
    dataset: str = "assistant-sft",
    dry_run: bool = False,
    now: datetime | None = None,
    access_reports: Callable[[], Storage] | None = None,
    policy: Policy | None = None,
    removals: Removals | None = None,
    keep_notes: bool = False,
) -> CopiesPurge:
    """Rewrite every copy under the lake root without the utterances ``deletions`` cover; then the
    other places a deleted customer can be left (``purge.traces``; ``access_reports`` opens the
    access reports' own root).

    ``removals`` keeps what each rewritten file removed, per request, as the purge goes: the
    result's ``by_request`` then also counts what an earlier attempt of the run removed.
    ``keep_notes``: the scrub journal keeps what it notes, for the next run to scrub again (a run in
    flight may write a report naming the utterances found here after this purge scrubbed them)."""
    result = CopiesPurge(dry_run)
    result.decided_requests = sorted(set(deletions.column("request_id").to_pylist()) - {None})
    if deletions.num_rows == 0:
        result.searched = [*LOCATIONS, *PLACES]  # nothing to look for: every place is clean of it
        return result
    if not dry_run:
        finish_rewrites(storage, store)
        _name_by_digest_alone(storage, pseudonym_key, now, result)  # (before the files are listed)
    deleted = Deleted.of(deletions, pseudonym_key, now, policy, store.speakers_of_folds, store.erased_among)
    if not dry_run:
        deleted.keep_listed = functools.partial(store.record_deleted_recordings, dataset)
        deleted.keep_erased = store.record_erased_utterances
    # the speakers of the delete-all customers' case-fold pairs: a copy that keeps a row of one (not covered)
    # keeps its pair, which a later request needs to find that row (``Deleted.note_kept``)
    everyone = pa.array(deleted.everything_of, pa.string())
    folds = fold_keys(everyone, pseudonym_key).drop_null().to_pylist()
    deleted.paired = frozenset(store.speakers_of_folds(folds).column("speaker_key").to_pylist())
    journal = ScrubJournal(storage, pseudonym_key, dry_run=dry_run)
    found_ids = FoundIds(journal)
    id_only: list[tuple[str, str]] = []
    failed: set[str] = set()
    refused: list[Refused] = []
    unlisted: list[Refused] = []
    listed = {location: [i for folder in folders for i in storage.list_files(folder, SUFFIXES, refused, unlisted)]
              for location, folders in LOCATIONS.items()}  # fmt: skip
    # never read, so nothing of them entered the pipeline: reported, not purged
    result.refused_files = [f"{r.path} ({r.reason})" for r in refused]
    for path in _unsearchable(unlisted):
        result.unrecognised_files.append(path)
        result.unsearchable.append(path)
        result.problems.append(f"{path}: a name no reader takes ({', '.join(SUFFIXES)}), so not searched: "
                               "rename or remove it")  # fmt: skip
    arrivals = store.arrivals(i.path for i in listed["landing"])
    twice = _given_twice(storage, listed["quarantine"])
    # A run that was deciding or publishing while this purge searched may write a copy after its
    # folder was listed (the cleaned text it stages, the decisions it keeps). What appeared is
    # searched once more; what appears after that keeps the receipts open for the next run.
    seen: set[str] = set()
    for attempt in range(_SEARCHES):
        seen |= {i.path for files in listed.values() for i in files}
        if attempt:
            listed = {location: [i for folder in folders for i in storage.list_files(folder, SUFFIXES)
                                 if i.path not in seen] for location, folders in LOCATIONS.items()}  # fmt: skip
            if not any(listed.values()):
                break
            if attempt == _SEARCHES - 1:
                written = sorted(i.path for files in listed.values() for i in files)
                result.problems.append(f"{len(written)} file(s) written while the purge searched (e.g. "
                                       f"{written[0]}): searched by the next run")  # fmt: skip
                break
            arrivals = store.arrivals(i.path for i in listed["landing"])
        _search(
            storage, store, listed, deleted, result, found_ids, arrivals, id_only, failed, removals, twice
        )
    _purge_privacy_folders(storage, store, deleted, result)
    for location, path in id_only:  # lists of ids only: drop the ids found deleted anywhere
        try:
            _purge_id_list(storage, location, path, found_ids | deleted.listed_ids, result, journal)
        except Exception as exc:
            _could_not_purge(result, path, exc)
            failed.add(location)
    revoked: list[str] = []
    traces = purge_traces(
        storage,
        deleted,
        _live_shards(storage, dataset),
        found_ids,
        dry_run=dry_run,
        now=now,
        access_reports=access_reports,
        journal=journal,
        before_rewrite=_revoking_its_versions(storage, store, dataset, revoked),
    )
    if "run_reports" in traces.searched and not failed and not keep_notes:
        journal.done()  # every report and id list is clean of what the notes name
    result.traces = traces.to_dict()
    result.traces["revoked_versions"] = sorted(set(revoked))
    if not dry_run:
        result.traces["access_requests_forgotten"] = store.forget_access_requests(deleted.everything_of)
        # the recordings a listing of theirs made before it erased: its own rule covers every one of them
        covered = listings_a_delete_all_covers(
            deleted.state.deletions, timedelta(seconds=deleted.policy.capture_clock_skew_s)
        )
        result.traces["deleted_recordings_erased"] = store.erase_deleted_recordings(dataset, covered)
        # (after every copy was searched, by speaker key too: the pairs found them)
        result.traces["speaker_folds_erased"] = store.erase_speaker_folds(dataset, folds, keep=deleted.kept)
    result.problems += traces.problems
    if not dry_run:  # (their receipts stay open: the next run's purge of the live data removes the copy)
        held = _newly_erased_live(storage, store, dataset, deleted)
        result.decided_requests = [r for r in result.decided_requests if r not in held]
    result.unsearchable += traces.unsearchable  # (a symlink under published/: a loader follows it)
    if removals is None:
        result.by_request = merge_counts(result.by_request, traces.by_request)
    else:  # this attempt's, and what an earlier attempt of the run removed
        removals.add("traces", traces.by_request, pseudonym_key)
        result.by_request = removals.by_request()
    result.searched = [location for location in LOCATIONS if location not in failed] + traces.searched
    return result


def _newly_erased_live(storage: Storage, store: GovernanceStore, dataset: str, deleted: Deleted) -> set[str]:
    """The requests covering a recording this purge remembered as erased for the first time (a quarantined
    line of a night before the request: ``io.store.erased``) that has a live row under its id: the purge of
    the live data ran before this one, without the memory, and the next run's removes it; until then their
    receipts stay open."""
    live = live_version(storage, dataset)
    if not deleted.newly_erased or live is None:
        return set()
    ids = pa.array(sorted(deleted.newly_erased), pa.string())
    _, found = store.live_matches(dataset, live, pa.array([], pa.string()), ids)
    held = {request for uid in found for request in deleted.newly_erased.get(uid, ())}
    if held:
        log.warning("%d live row(s) hold a recording this purge remembered as erased for the first time: %d "
                    "request(s) stay open, the next run's purge of the live data removes them", len(found),
                    len(held))  # fmt: skip
    return held


def _name_by_digest_alone(storage: Storage, key: bytes, now: datetime | None, result: CopiesPurge) -> None:
    """The lake's own files an older release named after a landing path with the path in the name (a file
    named after its customer, ``dt=…/zed-4417.jsonl``, gave ``…__zed-4417.jsonl.<digest>.parquet``) renamed to
    the digest alone (``rekey.name_by_digest_alone``): an emptied file stays, and its name would keep the id.
    Staged files of runs under way wait for the next purge; a failure keeps the receipts open."""
    from utterance_governance.jobs.in_flight import runs_in_flight
    from utterance_governance.purge.rekey import name_by_digest_alone

    try:
        renamed = name_by_digest_alone(
            storage, key, but=tuple(runs_in_flight(storage, now or datetime.now(UTC)))
        )
    except Exception as exc:
        _could_not_purge(result, "the lake's own file names", exc)
        return
    if renamed:
        log.info(
            "renamed %d file(s) an older release named after a landing path to its digest alone", renamed
        )


# --- privacy folders -------------------------------------------------------------------------
# The consent events and deletion requests are kept: they are what the pipeline keeps honouring. A line
# there that is no record of its kind (an utterance export written under the wrong prefix) is no
# request, yet it may hold a customer's words: kept, it would outlive their deletion.
PRIVACY_FOLDERS = {"consent": "consent", "deletions": "deletions"}  # landing folder -> reader kind


def _purge_privacy_folders(
    storage: Storage, store: GovernanceStore, deleted: Deleted, result: CopiesPurge
) -> None:
    """The unreadable lines of ``landing/consent`` and ``landing/deletions`` that name a deleted customer
    left empty (the lines after keep their numbers: the store knows a privacy record by its position),
    and their copies in ``quarantine/<folder>/`` removed. The store's record of each unreadable line
    stays (its hold is the store's, not the file's). A Parquet privacy file's rows are emptied the same
    way, each value null, every row kept in its place: skipped, an utterance export saved as Parquet
    there kept a deleted customer's words under a receipt that said ``completed``."""
    unreadable = {q["source_file"] for q in store.privacy_quarantine(open_only=False)}  # (the files to read)
    for folder, kind in PRIVACY_FOLDERS.items():
        for info in storage.list_files(f"landing/{folder}", SUFFIXES):
            if info.path not in unreadable:
                continue
            try:
                _blank_privacy_lines(storage, store, info, kind, deleted, result)
            except Exception as exc:  # one file that fails is a problem; the others go on
                _could_not_purge(result, info.path, exc)
        for info in storage.list_files(f"quarantine/{folder}", (".parquet",)):
            try:
                table = storage.read_parquet(info.path)
                if not {"raw", "record_id", "customer_id", "line"} <= set(table.column_names):
                    continue
                verdict = deleted.judge(_quarantine_records(table, None, deleted))
                if verdict.deleted.any() and not result.dry_run:
                    _write_parquet_like(storage, info.path, table.filter(pa.array(~verdict.deleted)))
            except Exception as exc:
                _could_not_purge(result, info.path, exc)


def _blank_privacy_lines(
    storage: Storage,
    store: GovernanceStore,
    info: ObjectInfo,
    kind: str,
    deleted: Deleted,
    result: CopiesPurge,
) -> None:
    """Empty the lines (JSON Lines) or rows (Parquet) of one privacy file that are no record of ``kind``
    and name a deleted customer, as the reader numbers them. What the reader cannot read of the file (it
    as a whole, a row group) cannot be shown free of a deleted customer: it keeps the receipts open
    (``result.unsearchable``), never counted as searched."""
    parquet = info.path.endswith(".parquet")
    text = None if parquet else LandingText(storage, info.path)
    blank: list[np.ndarray] = []
    unsearched: list[str] = []
    for read in read_landing_pieces(storage, info.path, kind, Arrival()):
        unsearched += _unread_of_privacy_file(read.quarantine)
        quarantined = read.quarantine.filter(pc.greater(read.quarantine.column("line"), 0))
        if not quarantined.num_rows:
            continue
        verdict = deleted.judge(_quarantine_records(quarantined, None, deleted))
        if verdict.deleted.any():
            blank.append(quarantined.column("line").to_numpy()[verdict.deleted])
    if unsearched:
        result.unsearchable.append(info.path)
        result.problems.append(f"{info.path}: {', '.join(unsearched[:3])} cannot be read, so it cannot be "
                               "searched for deleted customers: repair or remove it")  # fmt: skip
    if not blank or result.dry_run:
        return
    drop = sorted_unique(np.concatenate(blank))
    with storage.staged(info.path) as staged:
        if parquet:
            _parquet_with_rows_emptied(storage, info.path, drop, staged.path)
        else:
            _text_without_lines(storage, text, drop, staged.path, blank=True)
        if storage.info(info.path).fingerprint != info.fingerprint:
            raise FileChangedWhileRead(shown_path(info.path))
        store.note_rewrite(info.path, staged.sha256())
        staged.put()
    after = storage.info(info.path)
    result.registry_updated += int(store.update_file_fingerprint(info.path, after.size, after.fingerprint))


def _unread_of_privacy_file(quarantine: pa.Table) -> list[str]:
    """What the reader could not read of a privacy file (its quarantine rows of the file as a whole,
    ``line = 0``, and of a row group it could not decode), as detail codes; an empty file holds nothing."""
    out = []
    for line, detail in _first_lines_of_groups(quarantine):
        if (line == 0 and detail != "unreadable_file:empty_file") or (detail or "").startswith(
            "unreadable_row_group:"
        ):
            out.append(detail or "the file")
    return out


def _first_lines_of_groups(quarantine: pa.Table) -> list[tuple[int, str | None]]:
    """(line, detail) of each quarantine row, a row group that could not be decoded once, at its first
    line (the reader quarantines each of its lines)."""
    out: list[tuple[int, str | None]] = []
    previous = None
    for line, detail in zip(
        quarantine.column("line").to_pylist(), quarantine.column("detail").to_pylist(), strict=True
    ):
        group = (detail or "").startswith("unreadable_row_group:")
        if not (group and previous == (line - 1, detail)):
            out.append((line, detail))
        previous = (line, detail)
    return out


def _parquet_with_rows_emptied(storage: Storage, path: str, rows: np.ndarray, out: str) -> None:
    """The Parquet file at ``path`` with every value of the rows ``rows`` numbers (sorted; the first is 1)
    null, at ``out``: the rows stay, so the store's record of each later one keeps its number, as an
    emptied JSON Lines line does (``LandingText.without_lines``). Its columns become nullable (a required
    column cannot hold the null) and its metadata goes (``_without_metadata``); a row group that cannot
    be read cannot be written again: the file is left as it is (and the receipt open)."""

    def emptied(piece: pa.Table, hit: np.ndarray) -> pa.Table:
        # ``take`` at a null index gives a null of any type (a struct, a list, a dictionary)
        take = pa.array(np.arange(piece.num_rows), mask=hit)
        schema = pa.schema([f.with_nullable(True) for f in piece.schema])
        return pa.Table.from_arrays([c.take(take) for c in piece.columns], schema=schema)

    _parquet_rewritten(storage, path, rows, out, emptied)


# How often the lake is listed for copies written while the purge searched (see ``purge_copies``).
_SEARCHES = 3


def _search(
    storage: Storage,
    store: GovernanceStore,
    listed: dict[str, list],
    deleted: Deleted,
    result: CopiesPurge,
    found_ids: set[str],
    arrivals: dict,
    id_only: list[tuple[str, str]],
    failed: set[str],
    removals: Removals | None,
    twice: set[str],
) -> None:
    """Purge every listed file; a file that fails is a problem of its location, the others go on.
    ``twice``: the landing files to read whole (``_given_twice``)."""
    for location, files in listed.items():
        for info in files:
            result.files_scanned[location] += 1
            result.file_counts = {}
            try:
                if location == "landing":
                    _purge_landing_file(storage, store, info, deleted, result, found_ids, arrivals, twice)
                elif info.path.endswith(".parquet"):
                    if not _purge_derived_file(
                        storage, store, location, info.path, deleted, result, found_ids
                    ):
                        id_only.append((location, info.path))
                else:
                    _unrecognised(result, info.path, "a file the pipeline does not write there")
            except Exception as exc:  # one bad file must not stop the others being purged
                _could_not_purge(result, info.path, exc)
                failed.add(location)
                continue
            # counted once the file is written again (one that failed half-way is purged by the next run)
            result.by_request = merge_counts(result.by_request, result.file_counts)
            if removals is not None and not result.dry_run:
                removals.add(info.path, result.file_counts, deleted.pseudonym_key)


def _revoking_its_versions(
    storage: Storage, store: GovernanceStore, dataset: str, revoked: list[str]
) -> Callable[[str], None]:
    """What runs before a published file that is no live shard is written again without deleted rows: every
    version listing it that is not revoked yet (one a compaction superseded, in its grace period: training jobs
    may still read it) is revoked first, in the store and its manifest, so that no usable version lists a file
    its manifest no longer describes (its checksum and row count). The training runs that consumed one are
    named in the log (``lineage.consumers``); ``revoked`` gets the versions."""
    from utterance_governance.publish.commit import revoke_version
    from utterance_governance.publish.lineage import consumers

    root = DatasetPaths(dataset).root + "/"

    def revoke(path: str) -> None:
        if not path.startswith(root):
            return
        shard = path.removeprefix(root)
        live = live_version(storage, dataset)
        usable = {
            v["version"] for v in store.versions(dataset) if v["status"] not in ("revoked", "abandoned")
        }
        listing = [
            v for v in store.versions_listing(dataset, [shard]).get(shard, []) if v in usable and v != live
        ]
        at = datetime.now(UTC).isoformat()
        for version in listing:
            revoke_version(storage, store, dataset, version, {
                "revoked_reason": "a privacy run erased deleted rows from its shard files, kept for a compaction's "
                                  "grace period; the files it lists no longer match its manifest",
                "purged_shards": [shard],
                "purged_at": at,
                "live_version_at_purge": live,
            })  # fmt: skip
            revoked.append(version)
        if listing:
            runs = consumers(store, dataset, listing)
            log.warning("revoked %s (a shard of theirs kept for a compaction's grace period held deleted rows); "
                        "training runs that consumed them: %s", listing,
                        [f"{r['dag_id']}/{r['run_id']}" for r in runs])  # fmt: skip

    return revoke


def _unrecognised(result: CopiesPurge, path: str, what: str) -> None:
    """A file under the purge's locations of no shape the purge knows (an operator's copy beside the
    quarantine, a debugging sample in staging, a file an older release wrote): searched by nothing, it
    cannot be shown free of a deleted customer, so it keeps the receipts open, named, as a landing file
    no reader takes does (``_unsearchable``). Not removed: it is not the pipeline's to delete."""
    result.unrecognised_files.append(path)
    result.unsearchable.append(path)
    result.problems.append(f"{path}: {what}, so not searched for deleted customers: move or remove it")


class Removals:
    """What a run's copies purge removed, per deletion request, one small JSON file per rewritten file
    under ``folder`` (no path, no id: a digest keyed with the pseudonym key names the file, ``name_digest``:
    a landing path may name its customer). Airflow's retry of a copies purge whose first attempt rewrote
    files and then failed finds those files clean: without these, the receipts said 0 rows removed from
    them."""

    def __init__(self, storage: Storage, folder: str, attempt: str):
        self.storage, self.folder, self.attempt = storage, folder, attempt

    def add(self, where: str, counts: dict[str, dict[str, int]], key: bytes) -> None:
        if counts:
            digest = name_digest(key, where)
            self.storage.write_bytes(
                f"{self.folder}/{self.attempt}-{digest}.json", json.dumps(counts, sort_keys=True).encode()
            )

    def by_request(self) -> dict[str, dict[str, int]]:
        """Every attempt's counts, summed."""
        return merge_counts(
            *(
                json.loads(self.storage.read_bytes(i.path))
                for i in self.storage.list_files(self.folder, (".json",))
            )
        )


def _unsearchable(unlisted: list[Refused]) -> list[str]:
    """Files left out of the listing by their name that no other place searches (the JSON or HTML a
    run keeps is ``run_reports``'). A landing file named ``x.JSONL`` or ``part-0.ndjson`` may hold
    anyone's words; a receipt cannot say it was searched."""
    return [
        r.path for r in unlisted if r.path.startswith("landing/") or not r.path.endswith((".json", ".html"))
    ]


def _live_shards(storage: Storage, dataset: str) -> set[str]:
    """The lake paths of the live version's shards (``purge.published`` rewrites those, not this module)."""
    live = live_version(storage, dataset)
    if live is None:
        return set()
    paths = DatasetPaths(dataset)
    return {paths.shard(s["path"]) for s in read_manifest(storage, dataset, live)["shards"]}


# --- landing files: rewrite keeping every other line or row --------------------------------------
def _given_twice(storage: Storage, quarantined: list[ObjectInfo]) -> set[str]:
    """The landing files a line of which gave a field twice under two spellings (``"customer_id": "bob",
    "Customer_ID": "zed"``; the reader quarantined it, ``duplicate_key:<field>``): Arrow's probe reads the
    exact key only and would pass the line for the first customer's, so these are read whole."""
    out: set[str] = set()
    for info in quarantined:
        if not info.path.startswith("quarantine/utterances/") or not info.path.endswith(".parquet"):
            continue
        try:
            if not {"source_file", "detail"} <= set(_column_names(storage, info.path)):
                continue
            table = storage.read_parquet(info.path, columns=["source_file", "detail"])
        except Exception:  # (its own search fails and keeps the receipts open)
            continue
        twice = pc.starts_with(pc.fill_null(table.column("detail"), ""), "duplicate_key:")
        out.update(p for p in table.column("source_file").filter(twice).to_pylist() if p)
    return out


def _landing_mentions(storage: Storage, path: str, deleted: Deleted, text: LandingText | None) -> bool:
    """Does the file hold a deleted customer or a listed id? Decided on decoded values, never on
    raw bytes (a JSON \\u escape, gzip or Parquet encoding hides an id from a byte search), piece by
    piece: the file is never held whole. ``text``: a JSON Lines file's (None for Parquet). A file in a
    deleted customer's ``customer_id=`` folder is theirs whatever its rows name (a row naming another
    customer there is malformed, and either one's deletion reaches it)."""
    folder = customer_of_path(path)
    if folder is not None and deleted.mentioned(pa.array([folder], pa.string()), None):
        return True
    if path.endswith(".parquet"):
        names = _column_names(storage, path)
        wanted = [c for c in ("customer_id", "utterance_id") if c in names]
        for probe in storage.iter_parquet(path, PIECE_ROWS, columns=wanted):
            if isinstance(probe, UnreadableRows):
                return True  # rows no one can read: the full reader says so
            columns = [probe.column(c) if c in wanted else None for c in ("customer_id", "utterance_id")]
            if columns[0] is None or columns[0].null_count:
                return True  # rows that name no customer in customer_id: the full reader reads whose they are
            if not all(
                c is None or pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in columns
            ):
                return True  # an odd column: let the full reader decide
            if deleted.mentioned(*columns):
                return True
        return False
    if text.problem:
        return True  # a broken gzip: the landing reader reads what it can, line by line
    options = pa_json.ParseOptions(explicit_schema=_PROBE, unexpected_field_behavior="ignore")
    try:
        for piece in text.pieces():
            probe = pa_json.read_json(io.BytesIO(piece), parse_options=options)
            if probe.column("customer_id").null_count:
                return True  # lines without a customer_id: the full reader reads whose they are
            if deleted.mentioned(probe.column("customer_id"), probe.column("utterance_id")):
                return True
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, FileProblem):
        return True  # a line Arrow cannot parse, another encoding: the landing reader reads it line by line
    return False


def _purge_landing_file(
    storage: Storage,
    store: GovernanceStore,
    info: ObjectInfo,
    deleted: Deleted,
    result: CopiesPurge,
    found: set[str],
    arrivals: dict,
    twice: set[str],
) -> None:
    """Rewrite one landing file without the lines or rows a deletion covers, read and written piece
    by piece (its size is not the purge's memory). The file must not change while it is read: one
    replaced meanwhile is left for the next run (``FileChangedWhileRead``)."""
    path = info.path
    text = None if path.endswith(".parquet") else LandingText(storage, path)
    if path not in twice and not _landing_mentions(storage, path, deleted, text):
        return
    if path not in arrivals:
        # a file no publish has seen yet: its arrival is noted before the rewrite gives it a new
        # modification time, which the publish would take as its landing time (a delete-all covers
        # what landed before it was requested, and a later one would no longer cover these rows)
        arrivals.update(store.record_arrivals([info], deleted.now))
    landed = arrivals[path][1]
    dropped: list[np.ndarray] = []  # the lines to drop, piece by piece (8 bytes a line)
    taken: dict[str, dict[str, int]] = {}  # rows to drop by request: counted once the file is written
    unsearched: list[str] = []  # what of the file cannot be searched: the receipt stays open
    columns = ["customer_id", "utterance_id", "captured_at", "landed_at", "line"]
    # a record broken over lines where a piece ended: judged with the next piece
    carried = S.QUARANTINE.empty_table()

    long_lines: dict[int, str] = {}  # the lines too long to read, searched whole (once, when one is met)
    searched_long = False

    def judge(read: pa.Table, quarantined: pa.Table) -> np.ndarray:
        nonlocal searched_long
        records = read.select(columns)
        too_long = pc.equal(quarantined.column("detail"), "line_too_long")
        if text is not None and not searched_long and pc.any(too_long).as_py():
            long_lines.update(_long_lines_named(text, deleted))
            searched_long = True
        quarantine = _quarantine_records(quarantined, landed, deleted, long_lines)
        at = records.schema.get_field_index("captured_at")  # (the reader judged them against another instant)
        records = records.set_column(
            at, "captured_at", _possible(records.column("captured_at"), records.column("landed_at"), deleted)
        )
        rows = pa.concat_tables(
            [records, quarantine.filter(pc.greater(quarantine.column("line"), 0))],
            promote_options="permissive",
        )
        verdict = deleted.judge(rows)
        hit = np.flatnonzero(verdict.deleted)
        lines = rows.column("line").take(pa.array(hit)).to_numpy()
        if len(hit):
            if not result.dry_run:  # (the typed records come first: a quarantined line is never published)
                deleted.keep_listed_recordings(read, verdict)
            dropped.append(lines)
            count_by_request(verdict.covering_requests(hit), "landing_rows", taken)
            found.update(_found_ids(rows, hit))  # (noted in the scrub journal before the rewrite)
            cut = quarantined.filter(pc.and_(too_long, pc.is_in(quarantined.column("line"), pa.array(lines))))
            found.update(_long_line_id(raw) for raw in cut.column("raw").to_pylist() if raw is not None)
        return lines

    for read in read_landing_pieces(storage, path, "utterances", Arrival(landed_at=landed)):
        quarantined, carried = _until_an_open_record(
            pa.concat_tables([carried, read.quarantine]), read.records
        )
        lines = judge(read.records, quarantined)
        if read.quarantine.num_rows:
            unsearched += _unsearched(read.quarantine, lines, long_lines)
    # the file ends inside a record broken over lines (a piece was read, so ``read`` is set)
    if carried.num_rows:
        judge(read.records.slice(0, 0), carried)
    drop = sorted_unique(np.concatenate(dropped)) if dropped else np.array([], np.int64)
    if text is not None and text.problem and not (len(drop) and text.unread_from is None):
        # (a rewrite keeps a cut member's complete lines only: what could not be read goes with it)
        size = info.size - text.unread_from if text.unread_from is not None else None
        unsearched.append(
            f"{size} bytes after its last gzip member ({text.problem})"
            if size is not None
            else f"the end of a gzip member cut short ({text.problem})"
        )
    said = {"unreadable_file:empty_file", f"unreadable_file:{text.problem}" if text is not None else ""}
    unsearched = [u for u in unsearched if u not in said]  # (nothing in it; the gzip's end, said above)
    if unsearched:
        result.unsearchable.append(path)
        result.problems.append(f"{path}: {', '.join(sorted(set(unsearched))[:5])} cannot be searched for a deleted "
                               "customer: repair or remove the file upstream")  # fmt: skip
    if not len(drop):
        return
    if result.dry_run:
        _account_taken(result, len(drop), taken)
        return
    with storage.staged(path) as staged:
        if text is None:
            _parquet_without_rows(storage, path, drop, staged.path)
        else:
            _text_without_lines(storage, text, drop, staged.path)
        if storage.info(path).fingerprint != info.fingerprint:
            raise FileChangedWhileRead(shown_path(path))
        # the registry notes the rewrite first: a crash before it is re-registered below is finished by
        # ``finish_rewrites`` (the next purge or publish), not taken for new input
        store.note_rewrite(path, staged.sha256())
        staged.put()
    _account_taken(result, len(drop), taken)
    after = storage.info(path)
    result.registry_updated += int(store.update_file_fingerprint(path, after.size, after.fingerprint))
    result.files_rewritten["landing"] += 1


# what the reader says of a line that is a piece of a record broken over lines ("}", "4471 swordfish\"}")
_FRAGMENT_DETAILS = ("unparseable_json", "not_an_object")


# a line that holds a record's key: the start of a record, whatever the line before left open
_RECORD_KEY = re.compile(r'"(?:utterance_id|customer_id)"\s*:')


def _after(text: str, state: tuple[bool, int]) -> tuple[bool, int]:
    """(inside a string, brackets open) after ``text`` read on from ``state``, as JSON counts them."""
    in_string, depth = state
    for mark in _JSON_MARKS.finditer(
        text
    ):  # (the marks only: a long fragment is not read a character at a time)
        token = mark.group()
        if in_string:
            in_string = token != '"'  # (an escape, ``\"`` included, is one token: it ends nothing)
        elif token == '"':
            in_string = True
        elif token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
    return in_string, depth


# what JSON's strings and brackets are read by: an escape (a backslash and the character after it), a
# quote, a bracket
_JSON_MARKS = re.compile(r'\\.|["{}\[\]]', re.S)


def _is_open(state: tuple[bool, int]) -> bool:
    return state[0] or state[1] > 0


def _carries_on(raw: str | None, state: tuple[bool, int], next_line: bool) -> bool:
    """Whether a quarantined fragment carries on the record read so far (``state``, ``_after``): on the
    next line, unless it starts a record (``{`` or ``[`` after a record that is closed, or a line holding
    a record's key); after lines the reader skipped (blank: a paragraph break left unescaped), while the
    record is open and the line holds no record's key. A brace or bracket inside an open string ("call
    ⏎{the dentist}") or list carries on: the fragment holding the words goes with its customer."""
    if raw is None:
        return False
    if _RECORD_KEY.search(raw) and raw.lstrip().startswith(("{", "[")):
        return False
    if not next_line:
        return _is_open(state)
    return _is_open(state) or not raw.lstrip().startswith(("{", "["))


def _record_groups(quarantine: pa.Table) -> tuple[list[list[int]], list[bool]]:
    """The quarantined rows (positions) grouped by record, in file order (source file, then line): the
    line that starts a record broken over lines (a line break left unescaped in a transcript,
    pretty-printed JSON) and the fragments of it after it (``_carries_on``), other rows alone; and for
    each group whether its record is still open after its last line."""
    raws = quarantine.column("raw").to_pylist()
    sources = (
        quarantine.column("source_file").to_pylist()
        if "source_file" in quarantine.column_names
        else [None] * quarantine.num_rows
    )
    lines = quarantine.column("line").to_pylist()
    details = quarantine.column("detail").to_pylist()
    order = sorted(range(len(raws)), key=lambda i: (sources[i] or "", lines[i] or 0))
    groups: list[list[int]] = []
    opened: list[bool] = []
    state = (False, 0)
    for before, i in zip([None, *order], order, strict=False):
        fragment = details[i] in _FRAGMENT_DETAILS
        # inside an open record any line may carry on (a nested object of pretty-printed JSON is a
        # complete object to the reader: ``{"text": "alt one"}``); after a closed one, fragments only
        joined = (
            before is not None
            and sources[i] == sources[before]
            and (_is_open(state) or (fragment and details[before] in _FRAGMENT_DETAILS))
            and _carries_on(raws[i], state, lines[i] == (lines[before] or 0) + 1)
        )
        if joined:
            groups[-1].append(i)
        else:
            groups.append([i])
            state = (False, 0)
        state = _after(raws[i] or "", state) if fragment or joined else (False, 0)
        opened[len(groups) - 1 :] = [_is_open(state)]
    return groups, opened


def _until_an_open_record(quarantine: pa.Table, records: pa.Table) -> tuple[pa.Table, pa.Table]:
    """``quarantine`` split where a record broken over lines may go on into the next piece: the rows up
    to it, and the fragments of the piece's last record (``_record_groups``) when it runs to the piece's
    last line or is still open, carried over."""
    if quarantine.num_rows == 0:
        return quarantine, quarantine
    groups, opened = _record_groups(quarantine)
    lines = quarantine.column("line").to_numpy()
    last = max(int(lines.max()), int(pc.max(records.column("line")).as_py() or 0) if records.num_rows else 0)
    details = quarantine.column("detail").to_pylist()
    group = groups[-1]
    if details[group[0]] not in _FRAGMENT_DETAILS or not (lines[group[-1]] == last or opened[-1]):
        return quarantine, quarantine.slice(0, 0)
    keep = np.asarray(lines) < lines[group[0]]
    return quarantine.filter(pa.array(keep)), quarantine.filter(pa.array(~keep))


def _whole_records(quarantine: pa.Table) -> list[str | None]:
    """Each quarantined line's raw text, where a record was broken over lines the whole record's
    (``_record_groups``). Every line of it is then judged as the record is: the fragment holding the
    words goes with the fragment naming the customer."""
    raws = quarantine.column("raw").to_pylist()
    if quarantine.num_rows < 2:
        return raws
    out = list(raws)
    for group in _record_groups(quarantine)[0]:
        if len(group) > 1:
            whole = "\n".join(raws[i] or "" for i in group)
            for i in group:
                out[i] = whole
    return out


def _unsearched(quarantine: pa.Table, dropped: np.ndarray, searched: dict[int, str]) -> list[str]:
    """What of a landing file the reader could not read whole, so no search can clear: the file as a
    whole (``line = 0``: another encoding, a column twice ...), and a line too long to be read that
    neither its first bytes nor the search of the whole line (``searched``) cleared. ``dropped``:
    this piece's lines to drop."""
    out = []
    for line, detail in _first_lines_of_groups(quarantine):
        if line == 0:
            out.append(detail or "the file")
        elif (detail or "").startswith("unreadable_row_group:"):
            out.append(f"the rows from line {line} ({detail})")
        elif detail == "line_too_long" and not np.isin(line, dropped) and line not in searched:
            out.append(f"line {line} (longer than {MAX_LINE_BYTES} bytes)")
    return out


# A line too long to read (records glued by lost line breaks, a transcript of megabytes) is searched
# whole for what it names, a window at a time: each window starts outside any JSON string, so every
# string is read as JSON reads it. What a window cuts short is the next window's: a string left open
# (the line's longest strings, past ``_TOKEN_CHARS``, are skipped to their end: no id is that long)
# and a key whose value it cut.
_WINDOW_CHARS = 1 << 20
_TOKEN_CHARS = 8_192  # more than an id's longest JSON string (600 characters, each an escape of 6)
_STRING_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.S)  # a JSON string's text, to its end or the window's


def _long_lines_named(text: LandingText, deleted: Deleted, window: int = _WINDOW_CHARS) -> dict[int, str]:
    """Each line of ``text`` the reader finds too long to read, searched whole: what it names for
    erasure (a deleted customer, a listed utterance id) as a few JSON pairs that ``_deleted_named_in``
    and ``_listed_named_in`` read as they read any line, or ``""`` when it names none of them."""
    named: dict[int, str] = {}
    lines = text.long_lines(readers.MAX_LINE_BYTES - 8)  # (the reader's limit as it is now)
    for number, pieces in itertools.groupby(lines, key=lambda p: p[0]):
        customer, listed = _named_in_windows((piece for _, piece in pieces), deleted, window)
        pairs = {k: v for k, v in (("customer_id", customer), ("utterance_id", listed)) if v is not None}
        named[number] = json.dumps(pairs) if pairs else ""
    return named


def _named_in_windows(
    pieces: Iterable[bytes], deleted: Deleted, window: int
) -> tuple[str | None, str | None]:
    """The first deleted customer and the first listed utterance id a long line names, its bytes
    given in ``pieces`` (see ``_long_lines_named``)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="backslashreplace")  # (as the reader keeps them)
    customer = listed = None
    buffer, in_string = "", False  # ``in_string``: inside a string too long to be an id
    for piece in itertools.chain(pieces, [None]):
        buffer += decoder.decode(piece or b"", final=piece is None)
        if in_string:
            end = _STRING_BODY.match(buffer).end()
            if end >= len(buffer) - 1 and not buffer[end:].startswith('"'):
                buffer = buffer[end:]  # still inside it (a lone backslash waits for what it escapes)
                continue
            buffer, in_string = buffer[end + 1 :], False
        if len(buffer) < window and piece is not None:
            continue
        if customer is None and deleted.customers:
            customer = _deleted_named_in(buffer, deleted.customers)
        if listed is None and deleted.listed_ids:
            listed = _listed_named_in(buffer, deleted)
        buffer, in_string = _rest_of_window(buffer)
    return customer, listed


def _rest_of_window(buffer: str) -> tuple[str, bool]:
    """What of a searched window the next one must read again, and whether it ends inside a string too
    long to be an id (its text then skipped): from the last key on (its value may be cut), else
    from the string left open, else nothing."""
    last = None
    for last in _JSON_STRING.finditer(buffer):  # noqa: B007 (the last one is wanted)
        pass
    after = 0 if last is None else last.end()
    key = last is not None and last.group(2) is not None and len(buffer) - last.start() <= _TOKEN_CHARS
    keep = last.start() if key else after
    opened = buffer.find('"', after)
    if opened < 0:
        return buffer[keep:] if key else "", False
    if len(buffer) - opened <= _TOKEN_CHARS:
        return buffer[keep if key else opened :], False
    end = _STRING_BODY.match(buffer, opened + 1).end()  # (the window's end: the string is left open)
    return buffer[end:], True


def _long_line_id(raw: str) -> str:
    """What names a line too long to read among the ids found deleted: its quarantined copy keeps the
    line's first bytes only, which may hold the words of a customer named further on."""
    return "line_too_long:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _found_ids(rows: pa.Table, hit: np.ndarray) -> list[str]:
    if "utterance_id" not in rows.column_names:  # (rows keyed by speaker alone: a run's staged keyed digests)
        return []
    return [i for i in canonical_ids(rows.column("utterance_id").take(pa.array(hit))).to_pylist() if i]


def _account_taken(result: CopiesPurge, rows: int, by_request: dict[str, dict[str, int]]) -> None:
    result.rows_removed["landing"] += rows
    result.file_counts = merge_counts(result.file_counts, by_request)


def _text_without_lines(
    storage: Storage, text: LandingText, drop: np.ndarray, out: str, *, blank: bool = False
) -> None:
    """``text``'s file without the lines ``drop`` numbers (``blank``: left empty), at ``out``: a ``.gz``
    recompressed, and what could not be read of it kept as it was (a cut line is no record)."""
    with open(out, "wb") as fh:
        if text.gzip is None:
            fh.writelines(text.without_lines(drop, blank=blank))
            return
        with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=fh, mtime=0) as packed:
            packed.writelines(text.without_lines(drop, blank=blank))
        if text.unread_from is not None:
            with storage.open(text.rel, "rb") as original:
                original.seek(text.unread_from)
                shutil.copyfileobj(original, fh, 1 << 20)


def _parquet_without_rows(storage: Storage, path: str, drop: np.ndarray, out: str) -> None:
    """The Parquet file at ``path`` without the rows ``drop`` numbers (sorted; the first is 1), at
    ``out``, row group by row group, in its schema and compression codec. A row group that cannot be
    read cannot be written again: the file is left as it is (and the receipt open)."""
    _parquet_rewritten(storage, path, drop, out, lambda piece, hit: piece.filter(pa.array(~hit)))


def _parquet_rewritten(
    storage: Storage,
    path: str,
    rows: np.ndarray,
    out: str,
    rewrite: Callable[[pa.Table, np.ndarray], pa.Table],
) -> None:
    """The Parquet file at ``path``, row group by row group, each as ``rewrite`` makes it of its rows and
    which of them ``rows`` numbers (sorted; the first is 1), without metadata (``_without_metadata``), at
    ``out`` in its compression codec; a row group that cannot be read raises (the file cannot be written
    again whole)."""
    wanted = rows - 1
    sink = ParquetSink(out, storage.row_group_rows, _codec(storage, path))
    first = 0
    try:
        for piece in storage.iter_parquet(path, storage.row_group_rows, PIECE_BYTES):
            if isinstance(piece, UnreadableRows):
                raise ValueError(f"a row group of {piece.rows} rows cannot be read, so the file cannot be "
                                 f"rewritten ({type(piece.error).__name__})")  # fmt: skip
            hit = np.isin(np.arange(first, first + piece.num_rows), wanted)
            sink.write(rewrite(_without_metadata(piece), hit))
            first += piece.num_rows
    finally:
        sink.close()


def _without_metadata(rows: pa.Table) -> pa.Table:
    """``rows`` without the key-value metadata of their schema and fields, which the rewritten file would
    carry over unsearched (an exporter may write an account list or a sample row there): no reader of the
    pipeline reads it."""
    schema = pa.schema([f.remove_metadata() for f in rows.schema])
    return pa.Table.from_arrays(rows.columns, schema=schema)


def _column_names(storage: Storage, path: str) -> list[str]:
    with storage.open(path) as fh:
        return list(pq.ParquetFile(fh).schema_arrow.names)


def _quarantine_records(
    quarantine: pa.Table,
    landed: datetime | list | None,
    deleted: Deleted,
    long_lines: dict[int, str] | None = None,
) -> pa.Table:
    """Quarantined rows as (customer_id, utterance_id, captured_at, landed_at, line): the capture time
    read off the raw line; ``landed``: one instant for every row, or one per row; ``long_lines``: what
    the lines too long to read name further on than their raw text's first bytes (``_long_lines_named``).

    A row's customer is a ``deleted`` one whenever its raw line names one, whatever the reader
    salvaged: a line that glues several records (a lost line break, a JSON array) is no one's to the
    reader, and an id sent as a number is not a string, yet the line holds that customer's words. Its
    utterance id is a listed one whenever the line names one under ``utterance_id`` the same way (a
    number, an id holding an invisible character: malformed, yet the utterance a customer asked to
    delete)."""
    raws = _whole_records(quarantine)
    if long_lines:
        for i, (line, detail) in enumerate(
            zip(quarantine.column("line").to_pylist(), quarantine.column("detail").to_pylist(), strict=True)
        ):
            if detail == "line_too_long" and long_lines.get(line):
                raws[i] = f"{raws[i] or ''}\n{long_lines[line]}"
    raw = pa.array(raws, pa.string())
    # The capture time is unknown (a range deletion covers the row, a delete-all too) where the line's
    # cannot be trusted: records glued by a lost line break carry one each (``stated_capture_texts``: none),
    # a line too long to read was read for its first bytes' only, and a row refused for its capture time
    # (a clock years ahead or reset to 1970) was not captured then.
    text = stated_capture_texts(raws)
    unknown = pa.array(np.zeros(quarantine.num_rows, dtype=bool))
    if "detail" in quarantine.column_names:
        detail = pc.fill_null(quarantine.column("detail"), "")
        unknown = pc.or_(pc.equal(detail, "line_too_long"), pc.ends_with(detail, ":captured_at"))
    text = pc.if_else(unknown, pa.scalar(None, pa.string()), text)
    n = quarantine.num_rows
    landed_at = pa.array(landed if isinstance(landed, list) else [landed] * n, S.TS)
    customers = canonical_ids(quarantine.column("customer_id"))
    utterances = quarantine.column("record_id")
    lines = raw.to_pylist() if deleted.customers or deleted.listed_ids else []
    if deleted.customers:
        named = [_deleted_named_in(line, deleted.customers) if line else None for line in lines]
        customers = pc.coalesce(pa.array(named, pa.string()), customers)
    if deleted.listed_ids:
        listed = [_listed_named_in(line, deleted) if line else None for line in lines]
        utterances = pc.coalesce(pa.array(listed, pa.string()), utterances)
    return pa.table(
        {
            "customer_id": customers,
            "utterance_id": utterances,
            "captured_at": _possible(_parse_instants(text), landed_at, deleted),
            "landed_at": landed_at,
            "line": quarantine.column("line"),
        }
    )


def _possible(captured: pa.Array, landed: pa.Array, deleted: Deleted) -> pa.Array:
    """Capture times read off raw lines, unknown where they cannot be true whatever the line's reason
    code says (a row refused for its locale may have a clock years ahead too): before 2000, or after
    its file landed or after now, give or take the devices' clock skew."""
    skew = timedelta(seconds=deleted.policy.capture_clock_skew_s)
    after_landing = pc.greater(captured, pc.add(landed, pa.scalar(skew)))  # (null where unknown)
    bad = pc.or_(
        pc.or_(pc.less(captured, pa.scalar(EARLIEST_CAPTURE, S.TS)), pc.fill_null(after_landing, False)),
        pc.greater(captured, pa.scalar(deleted.now + skew, S.TS)),
    )
    return pc.if_else(pc.fill_null(bad, False), pa.scalar(None, S.TS), captured)


# every JSON string of a line, in order (a key is one followed by a colon)
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')


def _deleted_named_in(raw: str, deleted: frozenset[str] | set[str]) -> str | None:
    """The deleted customer a raw line names: under ``customer_id`` (``readers.customers_in_raw``), or
    as any string value of the line (an id under another key — ``customerId``, a Parquet column
    ``Customer_ID`` — is still the customer's: the line holds their words), read as it prints
    (``erasure_id``: an id made malformed by a zero-width space is still theirs), or as any word of it.
    A broken line is never published: erasing one that names a deleted customer only by chance (their
    id said in another's words) costs a line no one can use."""
    for customer in customers_in_raw(raw):
        if customer in deleted:
            return customer
    for match in _JSON_STRING.finditer(raw):
        if match.group(2) is not None or len(match.group(1)) > 400:
            continue
        customer = erasure_id(match.group(1))
        if customer in deleted:
            return customer
    # ... or as a word of the line: in a longer string (a resource name, "customers/zed-4417/utterances/1"),
    # a line in another notation (Python's repr, single quotes), a record JSON-encoded in a string
    for word in _ID_WORDS.findall(raw):
        if word in deleted or word.rstrip(".") in deleted:
            return word if word in deleted else word.rstrip(".")
    return _rounded_to(raw, deleted)


# a run of the characters ids are written with (letters, digits and _ - . @ +): the words of a raw line
_ID_WORDS = re.compile(r"[\w.@+\-]+")


# a customer id sent as a number that is no integer as written (``1.152921504606847e+18``, ``2**60.0``)
_CUSTOMER_NUMBER = re.compile(
    r'"customer_id"\s*:\s*(-?[0-9]{1,40}(?:\.[0-9]{1,40})?(?:[eE][+-]?[0-9]{1,3})?)(?![0-9])'
)


def _rounded_to(raw: str, deleted: frozenset[str] | set[str]) -> str | None:
    """The deleted customer whose id a float past the integers a float64 holds exactly (2**53 and up: a
    64-bit account id that passed through a float column) may have been made from: whose the row is
    cannot be read (``readers.integral_digits`` names no one, and holds no one), yet for erasure it names
    every deleted customer whose integer id rounds to that float; matching more only erases more."""
    for match in _CUSTOMER_NUMBER.finditer(raw):
        number = match.group(1)
        if number.lstrip("-").isdigit():
            continue  # an integer as written: its digits are read as they stand
        try:
            value = float(number)
        except ValueError:
            continue
        if not math.isfinite(value) or abs(value) < 2**53:
            continue
        for customer in sorted(deleted):
            if customer.lstrip("-").isdigit() and len(customer) <= 310 and _as_float(customer) == value:
                return customer
    return None


def _as_float(digits: str) -> float | None:
    """An integer's nearest float; None past the floats (``1e309`` and up)."""
    try:
        return float(int(digits))
    except OverflowError:
        return None


# an utterance id as a JSON string or number (``readers.integral_digits``)
_UTTERANCE_VALUE = re.compile(
    r'"utterance_id"\s*:\s*(?:"((?:[^"\\]|\\.){1,600})"|(-?[0-9]{1,40}(?:\.[0-9]{1,40})?(?:[eE][+-]?[0-9]{1,3})?)(?![0-9.eE]))'
)


def _listed_named_in(raw: str, deleted: Deleted) -> str | None:
    """The listed utterance id a raw line names under ``utterance_id``, read as it prints: a number as
    its digits, an id with an invisible character without it (the reader refuses both, so the row has
    no id, yet it is the utterance a listing names)."""
    for match in _UTTERANCE_VALUE.finditer(raw):
        value = erasure_id(match.group(1)) if match.group(1) is not None else integral_digits(match.group(2))
        if value is not None and listed_key(pa.array([value], pa.string()))[0] in deleted._listed_set:
            return value
    return None


def erasure_id(escaped: str) -> str | None:
    """A JSON string's value (its text between the quotes) as an id for erasure: canonical, or, when an
    invisible or control character makes it malformed, canonical without them. Matching more here
    can only erase more: a malformed row's words go with the customer its id prints as."""
    try:
        value = json.loads(f'"{escaped}"')
    except ValueError:
        return None
    return canonical_id(value) or canonical_id(without_refused(value))


def _parse_instants(text: pa.Array) -> pa.Array:
    """ISO instants with an offset as ``schema.TS``, read as the landing reader reads a record's
    (``readers.parse_instants``: a lower-case "t" or "z", 7 to 9 fractional digits, an offset of hours
    only); anything else (no offset, not a date) null."""
    return parse_instants(text)


# --- derived Parquet files (staging, quarantine, decisions) ---------------------------------------
def _purge_derived_file(
    storage: Storage,
    store: GovernanceStore,
    location: str,
    path: str,
    deleted: Deleted,
    result: CopiesPurge,
    found: set[str],
) -> bool:
    """Purge one derived Parquet file by what its columns say; False when it (also) needs the ids found
    deleted anywhere: it holds ids only, or rows of no known customer (the decision of a malformed
    record whose customer only its raw line names, which the quarantine purge recognised)."""
    table = storage.read_parquet(path)
    names = set(table.column_names)
    if not names & {"utterance_id", "record_id", "speaker_key"}:
        _unrecognised(result, path, "a Parquet file with no utterance_id, record_id or speaker_key")
        return True
    if {"raw", "record_id", "customer_id"} <= names:  # quarantined input rows
        sources = (
            table.column("source_file").to_pylist() if "source_file" in names else [None] * table.num_rows
        )
        arrivals = store.arrivals(p for p in set(sources) if p)
        rows = _quarantine_records(table, [arrivals.get(p, (None, None))[1] for p in sources], deleted)
    elif names & {"customer_id", "speaker_key"}:
        rows = pa.table({c: _as_row_column(table.column(c), c) for c in _ROW_COLUMNS if c in names})
    else:
        return False
    whose = [rows.column(c) for c in ("customer_id", "speaker_key") if c in rows.column_names]
    nobodys = (
        bool(np.logical_and.reduce([np.asarray(pc.is_null(c)) for c in whose]).any()) if whose else False
    )
    verdict = deleted.judge(rows)
    if "speaker_key" in names:  # (rows of a delete-all's customer it does not cover keep their pairs)
        deleted.note_kept(table.column("speaker_key").filter(pa.array(~verdict.deleted)))
    if not verdict.deleted.any():
        return not nobodys
    hit = np.flatnonzero(verdict.deleted)
    _account(result, location, rows, verdict, hit, found)
    if not result.dry_run:
        deleted.keep_listed_recordings(table, verdict)
        _write_parquet_like(storage, path, table.filter(pa.array(~verdict.deleted)))
        result.files_rewritten[location] += 1
    return not nobodys


def _as_row_column(values: pa.ChunkedArray, name: str) -> pa.ChunkedArray | pa.Array:
    """A column as the privacy core reads it (timestamps as UTC instants; a column of another type: unknown)."""
    if name in ("captured_at", "landed_at"):
        return pc.cast(values, S.TS) if pa.types.is_timestamp(values.type) else pa.nulls(len(values), S.TS)
    return values if pa.types.is_string(values.type) else pa.nulls(len(values), pa.string())


def _purge_id_list(
    storage: Storage, location: str, path: str, ids: set[str], result: CopiesPurge, journal: ScrubJournal
) -> None:
    table = storage.read_parquet(path)
    pending = journal.pending(ids)  # ids an earlier run found (it rewrote their copies, then stopped)
    if (not ids and not pending) or table.num_rows == 0:
        return
    column = "utterance_id" if "utterance_id" in table.column_names else "record_id"  # quarantined rows
    hit = np.asarray(
        pc.fill_null(
            pc.is_in(
                listed_key(table.column(column)),
                value_set=listed_key(pa.array(sorted(ids), pa.string())),
            ),
            False,
        )
    )
    if pending:
        listed = canonical_ids(table.column(column)).to_pylist()
        hit |= np.array(
            [i is not None and scrub_digest(journal.key, i) in pending for i in listed], dtype=bool
        )
    if {"raw", "detail"} <= set(table.column_names):  # a line too long to read, its landing copy erased
        for i, (raw, detail) in enumerate(
            zip(table.column("raw").to_pylist(), table.column("detail").to_pylist(), strict=True)
        ):
            if detail == "line_too_long" and raw is not None and not hit[i]:
                key = _long_line_id(raw)
                hit[i] = key in ids or scrub_digest(journal.key, key) in pending
    if not hit.any():
        return
    result.rows_removed[location] += int(hit.sum())
    if not result.dry_run:
        _write_parquet_like(storage, path, table.filter(pa.array(~hit)))
        result.files_rewritten[location] += 1


# --- shared ------------------------------------------------------------------------------------
class FoundIds(set):
    """The utterance ids found deleted this run; each new one is noted in the scrub journal as it is
    found, before the copy that held it is rewritten (``traces.ScrubJournal``)."""

    def __init__(self, journal: ScrubJournal):
        super().__init__()
        self.journal = journal

    def update(self, *others: Iterable[str]) -> None:
        new = {i for other in others for i in other} - self
        self.journal.note(new)
        super().update(new)


def _account(
    result: CopiesPurge, location: str, rows: pa.Table, verdict: Verdict, hit: np.ndarray, found: set[str]
) -> None:
    result.rows_removed[location] += len(hit)
    found.update(_found_ids(rows, hit))
    count_by_request(verdict.covering_requests(hit), f"{location}_rows", result.file_counts)


def _write_parquet_like(storage: Storage, path: str, table: pa.Table) -> None:
    """Rewrite ``path`` with ``table``, keeping the file's compression codec."""
    storage.write_bytes(path, _parquet_like(storage, path, table))


def _parquet_like(storage: Storage, path: str, table: pa.Table) -> bytes:
    """``table`` as Parquet bytes with the compression codec of the file at ``path``."""
    sink = io.BytesIO()
    pq.write_table(without_dictionaries(table), sink, compression=_codec(storage, path),
                   row_group_size=storage.row_group_rows)  # fmt: skip
    return sink.getvalue()


def _codec(storage: Storage, path: str) -> str:
    """The compression codec of the Parquet file at ``path`` (zstd for a file of no row group)."""
    with storage.open(path) as fh:
        meta = pq.ParquetFile(fh).metadata
    codec = "zstd"
    if meta.num_row_groups and meta.row_group(0).num_columns:
        codec = meta.row_group(0).column(0).compression.lower()
    return "none" if codec == "uncompressed" else codec


def finish_rewrites(storage: Storage, store: GovernanceStore) -> dict[str, list[str]]:
    """Finish the registry entries of landing rewrites a crash cut short (``note_rewrite``): a file
    holding the rewritten bytes is re-registered; one still as it was processed gets its entry
    back (the purge rewrites it again); one changed otherwise keeps a mismatch (new input)."""
    done: dict[str, list[str]] = {"registered": [], "restored": [], "changed": []}
    for path, (sha, size, fingerprint) in store.pending_rewrites().items():
        if not storage.exists(path):
            done["changed"].append(path)
            continue
        info = storage.info(path)
        if (info.size, info.fingerprint) == (size, fingerprint):
            store.restore_fingerprint(path, size, fingerprint)
            done["restored"].append(path)
        elif storage.sha256(path) == sha:
            store.update_file_fingerprint(path, info.size, info.fingerprint)
            done["registered"].append(path)
        else:
            done["changed"].append(path)
    if any(done.values()):
        log.warning(
            "finished the registry of interrupted landing rewrites: %s", {k: len(v) for k, v in done.items()}
        )
    return done
