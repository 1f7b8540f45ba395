"""Purge every other copy of deleted utterances under ``UG_DATA_ROOT`` (SPEC §7).

A deletion, unlike an opt-out, reaches the raw input and everything derived from it:

| location | files | what identifies a row |
|---|---|---|
| ``landing/utterances/`` | JSONL, JSONL.gz, Parquet as dropped upstream | customer_id, utterance_id, captured_at (read with the landing reader) |
| ``quarantine/utterances/`` | Parquet of malformed rows (``schema.QUARANTINE``: the raw line) | customer_id (salvaged), record_id, captured_at read off the raw line |
| ``quarantine/held/`` | Parquet of held-back rows (their text, waiting for a readable privacy record) | customer_id, utterance_id, captured_at |
| ``staging/`` | Parquet: staged publishable rows (cleaned text), decisions, dry-run quarantine, id lists | speaker_key or customer_id, utterance_id, captured_at |
| ``decisions/`` | Parquet: per-record decisions (no text) | speaker_key, utterance_id, captured_at |

Which rows a deletion covers is decided by ``purge.affected.deleted_rows`` (the deletion rule,
failing closed on malformed rows). A file holding none is not touched. Otherwise it is rewritten
without those rows, atomically through ``Storage``: JSONL keeps every other line byte for byte
(a ``.gz`` is recompressed; a truncated one keeps only its readable lines, as the reader does),
Parquet keeps every other row and its schema and compression. A file left without rows stays
as an empty file of its format, so readers of an in-flight run never miss it. A rewritten
landing file is re-registered (``store.update_file_fingerprint``) so it is not taken as new
input. Files of unknown shape are counted, not guessed at.

Every run looks at every file, against every deletion request ever received, so a late file
(an old ``dt=`` partition arriving after the request was completed) is caught by the next run.
Reading is cheap where it can be: a file is parsed fully only if a deleted customer's id,
speaker key or a listed utterance id occurs in it. The consent and deletion records themselves
(``landing/consent``, ``landing/deletions`` and their quarantine) are kept: they are the
requests, and the governance store needs them to keep honouring them.
"""

from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from utterance_governance import schema as S
from utterance_governance.io.readers import SUFFIXES, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.purge.affected import (
    _listed,
    count_by_request,
    covering_requests,
    deleted_rows,
    speaker_index,
    unique,
)

log = logging.getLogger(__name__)

LOCATIONS = {  # location name -> folders under the lake root
    "landing": ("landing/utterances",),
    "quarantine": ("quarantine/utterances", "quarantine/held"),
    "staging": ("staging",),
    "decisions": ("decisions",),
}
_CUSTOMER = re.compile(rb'"customer_id"\s*:\s*"([^"\\]{1,200})"')
_UTTERANCE = re.compile(rb'"utterance_id"\s*:\s*"([^"\\]{1,200})"')
_CAPTURED = r'"captured_at"\s*:\s*"(?P<captured_at>[^"\\]{1,64})"'
_OFFSET = r"(?:[Zz]|[+-]\d{2}:?\d{2})$"
_SOMEONE_ELSE = "\x00not-a-requester"  # stands for a customer no deletion request names
_RECORDS = pa.schema(
    [("customer_id", pa.string()), ("utterance_id", pa.string()), ("captured_at", S.TS), ("line", pa.int64())]
)


@dataclass
class Deleted:
    """What the deletion requests name, in the forms the copies carry."""

    requests: pa.Table  # schema.DELETION
    customers: set[str]
    speakers: pa.Table  # speaker_key -> customer_id
    listed_ids: set[str]

    @classmethod
    def of(cls, deletions: pa.Table, pseudonym_key: bytes) -> Deleted:
        customers = unique(deletions.column("customer_id"))
        return cls(
            deletions,
            set(customers.to_pylist()),
            speaker_index(customers, pseudonym_key),
            set(_listed(deletions).column("utterance_id").to_pylist()),
        )

    def mentioned_in(self, data: bytes) -> bool:
        """Cheap test on raw JSONL bytes: does a deleted customer or a listed utterance id occur?"""
        if any(m.decode("utf-8", "replace") in self.customers for m in _CUSTOMER.findall(data)):
            return True
        return bool(self.listed_ids) and any(
            m.decode("utf-8", "replace") in self.listed_ids for m in _UTTERANCE.findall(data)
        )


@dataclass
class CopiesPurge:
    dry_run: bool
    rows_removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    files_rewritten: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    files_scanned: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    by_request: dict[str, dict[str, int]] = field(default_factory=dict)
    registry_updated: int = 0
    unrecognised_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows_removed": self.rows_removed,
            "files_rewritten": self.files_rewritten,
            "files_scanned": self.files_scanned,
            "by_request": self.by_request,
            "registry_updated": self.registry_updated,
            "unrecognised_files": self.unrecognised_files[:50],
            "problems": self.problems[:50],
        }


def purge_copies(
    storage: Storage,
    store: GovernanceStore,
    deletions: pa.Table,
    pseudonym_key: bytes,
    *,
    dry_run: bool = False,
) -> CopiesPurge:
    """Rewrite every copy under the lake root without the utterances ``deletions`` cover."""
    result = CopiesPurge(dry_run)
    if deletions.num_rows == 0:
        return result
    deleted = Deleted.of(deletions, pseudonym_key)
    found_ids: set[str] = set()
    id_only: list[tuple[str, str]] = []
    for location, folders in LOCATIONS.items():
        for info in (i for folder in folders for i in storage.list_files(folder, SUFFIXES)):
            result.files_scanned[location] += 1
            try:
                if location == "landing":
                    _purge_landing_file(storage, store, info.path, deleted, result, found_ids)
                elif info.path.endswith(".parquet"):
                    if not _purge_derived_file(storage, location, info.path, deleted, result, found_ids):
                        id_only.append((location, info.path))
                else:
                    result.unrecognised_files.append(info.path)
            except Exception as exc:  # one bad file must not stop the others being purged
                log.exception("could not purge %s", info.path)
                result.problems.append(f"{info.path}: {type(exc).__name__}: {exc}")
    for location, path in id_only:  # lists of ids only: drop the ids found deleted anywhere
        try:
            _purge_id_list(storage, location, path, found_ids | deleted.listed_ids, result)
        except Exception as exc:
            log.exception("could not purge %s", path)
            result.problems.append(f"{path}: {type(exc).__name__}: {exc}")
    return result


# --- landing files: rewrite keeping every other line or row --------------------------------------
def _purge_landing_file(
    storage: Storage,
    store: GovernanceStore,
    path: str,
    deleted: Deleted,
    result: CopiesPurge,
    found: set[str],
) -> None:
    is_parquet = path.endswith(".parquet")
    raw = None
    if is_parquet:
        probe = storage.read_parquet(
            path, columns=_present_columns(storage, path, ["customer_id", "utterance_id"])
        )
        if not _parquet_mentions(probe, deleted):
            return
    else:
        raw = storage.read_bytes(path)
        text = _gunzip(raw) if path.endswith(".gz") else raw
        if not deleted.mentioned_in(text):
            return
    read = read_landing_file(storage, path, "utterances")
    records = read.records.select(["customer_id", "utterance_id", "captured_at", "line"])
    quarantine = _quarantine_records(read.quarantine)
    rec_hit = deleted_rows(records, deleted.requests)
    q_hit = deleted_rows(quarantine, deleted.requests) & (np.asarray(quarantine.column("line")) > 0)
    covered = pa.concat_tables(
        [records.filter(pa.array(rec_hit)).cast(_RECORDS), quarantine.filter(pa.array(q_hit)).cast(_RECORDS)]
    )
    if covered.num_rows == 0:
        return
    drop_lines = set(covered.column("line").to_pylist())
    _account(result, "landing", covered, deleted, found)
    if result.dry_run:
        return
    if is_parquet:
        table = pq.read_table(pa.BufferReader(storage.read_bytes(path)))
        keep = np.ones(table.num_rows, dtype=bool)
        keep[[line - 1 for line in drop_lines]] = False
        _write_parquet_like(storage, path, table.filter(pa.array(keep)))
    else:
        gz = path.endswith(".gz")
        text = _gunzip(raw) if gz else raw
        lines = text.split(b"\n")
        kept = b"\n".join(line for number, line in enumerate(lines, start=1) if number not in drop_lines)
        storage.write_bytes(path, gzip.compress(kept, compresslevel=6, mtime=0) if gz else kept)
    info = storage.info(path)
    result.registry_updated += int(store.update_file_fingerprint(path, info.size, info.fingerprint))
    result.files_rewritten["landing"] += 1


def _gunzip(data: bytes) -> bytes:
    """What the landing reader reads of a gzip file: all of it, or its complete lines if it is cut short."""
    import zlib

    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        try:
            out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
        except zlib.error:
            return b""
        cut = out.rfind(b"\n")
        return out[: cut + 1] if cut >= 0 else b""


def _present_columns(storage: Storage, path: str, wanted: list[str]) -> list[str]:
    with storage.open(path) as fh:
        names = pq.ParquetFile(fh).schema_arrow.names
    return [c for c in wanted if c in names]


def _parquet_mentions(probe: pa.Table, deleted: Deleted) -> bool:
    if "customer_id" in probe.column_names:
        customers = probe.column("customer_id")
        if not pa.types.is_string(customers.type) and not pa.types.is_large_string(customers.type):
            return True  # an odd column: let the full reader decide
        if pc.any(pc.is_in(customers, value_set=pa.array(sorted(deleted.customers), customers.type))).as_py():
            return True
    if deleted.listed_ids and "utterance_id" in probe.column_names:
        ids = probe.column("utterance_id")
        if pa.types.is_string(ids.type) and pc.any(pc.is_in(ids, value_set=pa.array(sorted(deleted.listed_ids)))).as_py():  # fmt: skip
            return True
    return False


def _quarantine_records(quarantine: pa.Table) -> pa.Table:
    """Quarantined rows as (customer_id, utterance_id, captured_at, line): the time read off the raw line."""
    raw = quarantine.column("raw")
    text = pc.struct_field(pc.extract_regex(pc.fill_null(raw, ""), _CAPTURED), [0])
    return pa.table(
        {
            "customer_id": quarantine.column("customer_id"),
            "utterance_id": quarantine.column("record_id"),
            "captured_at": _parse_instants(text),
            "line": quarantine.column("line"),
        }
    )


def _parse_instants(text: pa.Array) -> pa.Array:
    """ISO instants with an offset as ``schema.TS``; anything else (no offset, not a date) null."""
    shaped = pc.if_else(
        pc.fill_null(pc.match_substring_regex(text, _OFFSET), False), text, pa.scalar(None, pa.string())
    )
    try:
        return pc.cast(shaped, S.TS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    out = []
    for value in shaped.to_pylist():  # some value is no real instant: one by one (quarantine rows are few)
        try:
            out.append(None if value is None else pc.cast(pa.array([value]), S.TS)[0].as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            out.append(None)
    return pa.array(out, S.TS)


# --- derived Parquet files (staging, quarantine, decisions) ---------------------------------------
def _purge_derived_file(
    storage: Storage, location: str, path: str, deleted: Deleted, result: CopiesPurge, found: set[str]
) -> bool:
    """Purge one derived Parquet file by what its columns say; False when it holds ids only."""
    table = storage.read_parquet(path)
    names = set(table.column_names)
    if "utterance_id" not in names and "record_id" not in names:
        result.unrecognised_files.append(path)
        return True
    if {"raw", "record_id", "customer_id"} <= names:
        records = _quarantine_records(table)
    elif "customer_id" in names:
        records = _records(table, table.column("customer_id"))
    elif "speaker_key" in names:
        speakers = deleted.speakers
        speaker = table.column("speaker_key")
        position = pc.index_in(speaker, value_set=speakers.column("speaker_key"))
        customer = speakers.column("customer_id").combine_chunks().take(position)
        # a known speaker no request names is someone else: never "unknown", which fails closed
        someone_else = pc.and_(pc.is_valid(speaker), pc.is_null(customer))
        records = _records(table, pc.if_else(someone_else, _SOMEONE_ELSE, customer))
    else:
        return False
    hit = deleted_rows(records, deleted.requests)
    if not hit.any():
        return True
    _account(result, location, records.filter(pa.array(hit)), deleted, found)
    if not result.dry_run:
        kept = table.filter(pa.array(~hit))
        _write_parquet_like(storage, path, kept)
        result.files_rewritten[location] += 1
    return True


def _records(table: pa.Table, customer: pa.Array) -> pa.Table:
    n = table.num_rows
    captured = table.column("captured_at") if "captured_at" in table.column_names else pa.nulls(n, S.TS)
    return pa.table(
        {
            "customer_id": customer,
            "utterance_id": table.column("utterance_id"),
            "captured_at": pc.cast(captured, S.TS)
            if pa.types.is_timestamp(captured.type)
            else pa.nulls(n, S.TS),
        }
    )


def _purge_id_list(storage: Storage, location: str, path: str, ids: set[str], result: CopiesPurge) -> None:
    table = storage.read_parquet(path)
    if not ids or table.num_rows == 0:
        return
    hit = np.asarray(
        pc.fill_null(pc.is_in(table.column("utterance_id"), value_set=pa.array(sorted(ids))), False)
    )
    if not hit.any():
        return
    result.rows_removed[location] += int(hit.sum())
    if not result.dry_run:
        _write_parquet_like(storage, path, table.filter(pa.array(~hit)))
        result.files_rewritten[location] += 1


# --- shared ------------------------------------------------------------------------------------
def _account(
    result: CopiesPurge, location: str, covered: pa.Table, deleted: Deleted, found: set[str]
) -> None:
    result.rows_removed[location] += covered.num_rows
    found.update(i for i in covered.column("utterance_id").to_pylist() if i is not None)
    records = covered.select(["customer_id", "utterance_id", "captured_at"])
    count_by_request(covering_requests(records, deleted.requests), f"{location}_rows", result.by_request)


def _write_parquet_like(storage: Storage, path: str, table: pa.Table) -> None:
    """Rewrite ``path`` with ``table``, keeping the file's compression codec."""
    with storage.open(path) as fh:
        meta = pq.ParquetFile(fh).metadata
    codec = "zstd"
    if meta.num_row_groups and meta.row_group(0).num_columns:
        codec = meta.row_group(0).column(0).compression.lower()
    storage.write_parquet(path, table, compression="none" if codec == "uncompressed" else codec)
