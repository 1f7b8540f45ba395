"""The one storage layer of the lake: local paths and ``s3://`` URLs alike (fsspec).

Every read and write under ``UG_DATA_ROOT`` goes through a ``Storage``. Paths given to
it are relative to the lake root and always use ``/``. Writes are atomic per object:
locally through a temporary file and ``os.replace``; on object stores a PUT is already
all-or-nothing, so a reader sees either the old object or the whole new one.

Object stores have no rename, so nothing here relies on one: a version's objects are
written once under a new name and the pointer that makes them visible (``current.json``)
is written last, in one PUT. Directory listings are never cached for remote roots: several
Airflow workers write the same lake, and a listing must show what is there now.

The lake has an edge (SPEC §4.1): locally, a symlink — to a file or a folder — and a path that
resolves outside the root are refused and reported, never read (``list_files`` leaves them out
and hands them to its ``refused`` list; a direct read raises ``PathRefused``). On object stores a
key is a name, not a path: a relative path with ``..`` segments is refused there too.

Remote storage options come from the environment as fsspec and the AWS SDK read them
(``FSSPEC_S3_ENDPOINT_URL`` or ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ...), or as
keyword arguments.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import posixpath
import stat
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

log = logging.getLogger(__name__)


class _ShownPaths(logging.Filter):
    """A file-system library's own log line as the pipeline's are (``readers.shown_path``): fsspec's local
    file system logs every file it opens at DEBUG, and a landing path partitioned by customer
    (``dt=…/customer_id=zed-4417/part-0.jsonl``) would name its customer in a task log that outlives the
    customer's deletion."""

    def filter(self, record: logging.LogRecord) -> bool:
        from utterance_governance.io.readers import shown_path  # (readers imports this module)

        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = shown_path(message), ()
        return True


# the loggers of the file systems the lake is reached through (a filter holds for its own logger only)
_FILE_SYSTEM_LOGGERS = ("fsspec", "fsspec.asyn", "fsspec.cached", "fsspec.caching", "fsspec.generic", "fsspec.http",
                        "fsspec.local", "fsspec.mapping", "fsspec.reference", "fsspec.prefetcher", "s3fs")  # fmt: skip
for _name in _FILE_SYSTEM_LOGGERS:
    logging.getLogger(_name).addFilter(_ShownPaths())


# A lake path of more UTF-8 bytes than this is refused (``path_too_long``), never read: S3 takes no longer key,
# and the store keeps the path of each file it reads in an index, which PostgreSQL cannot hold past about 2,700
# bytes (a local lake's nested folders reach 4,096)
MAX_PATH_BYTES = 1024


class PathRefused(PermissionError):
    """A path outside the lake, or reached through a symlink: never read or written."""


# what names the storage's own atomic writes while they are under way (``<name>.tmp-<hex>``)
TEMPORARY_MARK = ".tmp-"


@dataclass(frozen=True)
class Refused:
    path: str  # relative to the lake root, as listed
    reason: str  # "symlink" | "outside_root" | "not_regular_file" | "undecodable_name" | "path_too_long" | …


def is_parquet_name(path: str) -> bool:
    """Whether a loader globbing ``*.parquet`` may take ``path`` (whatever its case, hidden or not)."""
    return path.lower().endswith(".parquet")


@dataclass(frozen=True)
class ObjectInfo:
    path: str  # relative to the lake root
    size: int
    fingerprint: str  # changes when the content changes (mtime+size locally, ETag on S3)
    modified: dt.datetime | None = None  # last modification (UTC), when the store says


# What a file's bytes can make a reader raise (Arrow reports undecodable Parquet as a plain OSError
# without an errno; an OS error has one). Anything else (a connection or permission error, a timeout, no
# memory, a bug) is no verdict on the file: the reading fails, to be retried, and the file stays new.
# Taken for malformed, a file read during a network fault was never read again: its opt-outs were lost
# once someone acknowledged the "unreadable" record.
_BYTES_ERRORS = (
    pa.ArrowException,
    zlib.error,
    UnicodeError,
    ValueError,
    OverflowError,
    RecursionError,
    EOFError,
)
_NOT_BYTES_ERRORS = (
    ConnectionError,
    TimeoutError,
    PermissionError,
    FileNotFoundError,
    InterruptedError,
    MemoryError,
)


def printable(path: str) -> str:
    """``path`` as UTF-8 can hold it: a local name that is no UTF-8 (Python keeps its bytes as lone
    surrogates) with those bytes as ``\\x..`` escapes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system byte gives
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def caused_by_the_bytes(exc: BaseException) -> bool:
    """Whether reading a file raised ``exc`` because of what the file holds."""
    if isinstance(exc, _NOT_BYTES_ERRORS):
        return False
    # (not a subclass: botocore's and urllib3's timeouts are OSErrors without an errno too)
    return isinstance(exc, _BYTES_ERRORS) or (type(exc) is OSError and exc.errno is None)


@dataclass(frozen=True)
class UnreadableRows:
    """Rows of a Parquet file that cannot be decoded (a row group): how many, and the error."""

    rows: int
    error: Exception


class ParquetSink:
    """One Parquet file written table by table (``Storage.parquet_writer``)."""

    def __init__(self, path: str, row_group_rows: int, compression: str = "zstd") -> None:
        self.path, self.row_group_rows, self.compression = path, row_group_rows, compression
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        table = without_dictionaries(table)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema, compression=self.compression)
        self.writer.write_table(table.cast(self.schema), row_group_size=self.row_group_rows)
        self.rows += table.num_rows

    def close(self) -> bool:
        """Close the file; whether there is one (a table was written)."""
        if self.writer is None:
            return False
        self.writer.close()
        self.writer = None
        return True


# A row group is decoded in batches of at most this many rows (fewer where its rows are large), and
# its column chunks read through a buffer of this size: a landing file's writer sizes its row groups.
_BATCH_ROWS = 8192
_COLUMN_BUFFER_BYTES = 8 << 20


def _batch_rows(
    group: pq.RowGroupMetaData, columns: list[str] | None, rows: int, max_bytes: int | None
) -> int:
    """How many rows of ``group`` to decode at once: within ``rows`` and ``_BATCH_ROWS``, and, by the
    size its writer recorded for the (wanted) columns, within about ``max_bytes``."""
    step = min(rows, _BATCH_ROWS)
    if not max_bytes or not group.num_rows:
        return max(1, step)
    wanted = None if columns is None else set(columns)
    size = sum(
        group.column(c).total_uncompressed_size
        for c in range(group.num_columns)
        if wanted is None or group.column(c).path_in_schema.split(".", 1)[0] in wanted
    )
    return max(1, min(step, max_bytes // 4 * group.num_rows // max(size, 1)))  # (a piece: about 4 batches)


def _row_group_pieces(
    parquet: pq.ParquetFile, index: int, columns: list[str] | None, rows: int, max_bytes: int | None
) -> Iterator[pa.Table | UnreadableRows]:
    """One row group's rows in tables of at most ``rows`` rows and about ``max_bytes``, decoded batch
    by batch; what cannot be decoded, an ``UnreadableRows`` of the rows left."""
    group = parquet.metadata.row_group(index)
    pending: list[pa.RecordBatch] = []
    held = count = 0
    left = group.num_rows
    try:
        for batch in parquet.iter_batches(
            _batch_rows(group, columns, rows, max_bytes), row_groups=[index], columns=columns
        ):
            pending.append(batch)
            held, count, left = held + batch.nbytes, count + batch.num_rows, left - batch.num_rows
            if count >= rows or (max_bytes and held >= max_bytes):
                yield pa.Table.from_batches(pending).combine_chunks()
                pending, held, count = [], 0, 0
    except Exception as exc:
        if not caused_by_the_bytes(exc):
            raise
        if pending:
            yield pa.Table.from_batches(pending).combine_chunks()
        yield UnreadableRows(left, exc)
        return
    if pending:
        yield pa.Table.from_batches(pending).combine_chunks()


class Staged:
    """A file written at a local ``path`` first, then put in place whole (``Storage.staged``)."""

    def __init__(self, storage: Storage, full: str, path: str) -> None:
        self.storage, self.full, self.path = storage, full, path

    def sha256(self) -> str:
        with open(self.path, "rb") as fh:
            return _sha256_of(fh)

    def put(self) -> None:
        """The written file in place, atomically: a local rename, or one upload."""
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())
        if self.storage.is_local:
            os.replace(self.path, self.full)
        else:
            self.storage.fs.put_file(self.path, self.full)


class Storage:
    # Rows per Parquet row group of what the pipeline writes. A reader gets one Arrow chunk per row
    # group, so every step handles multi-chunk columns (and no chunk's text nears Arrow's 2 GiB per
    # array); tests lower it to make every file many chunks.
    row_group_rows: int = 1_000_000

    def __init__(self, root: str, **storage_options):
        self.root_url = root.rstrip("/")
        if "://" in self.root_url and not self.root_url.startswith("file://"):
            storage_options.setdefault("use_listings_cache", False)  # other workers write too
        self.fs, self._root = fsspec.core.url_to_fs(self.root_url, **storage_options)
        self._root = self._root.rstrip("/")
        self.is_local = self.fs.protocol in ("file", ("file", "local")) or "file" in self.fs.protocol
        self._real_root = os.path.realpath(self._root) if self.is_local else None

    # -- paths --------------------------------------------------------------------------
    def full(self, rel: str) -> str:
        """The filesystem path of ``rel`` (no protocol), as the fsspec filesystem wants it.

        Raises ``PathRefused`` for a path that leaves the lake (``..``, or locally a symlink or a
        location outside the root)."""
        from utterance_governance.io.readers import shown_path  # (readers imports this module)

        rel = rel.lstrip("/")
        if ".." in rel.split("/"):  # (the path as logs show it: a Hive segment may name a customer)
            raise PathRefused(f"{shown_path(rel)!r} leaves the lake root")
        full = f"{self._root}/{rel}" if rel else self._root
        reason = self.refusal(full)
        if reason:
            raise PathRefused(
                f"{shown_path(rel)!r} is refused ({reason}): landing inputs are regular files inside the lake"
            )
        return full

    def refusal(self, full: str) -> str | None:
        """Why a local path must not be read (``symlink``, ``outside_root``, ``not_regular_file``: a
        named pipe would hang the reader, a device or socket is no file; ``undecodable_name``: a name
        that is no UTF-8, which no store, report or log line can hold as it is), or None."""
        if printable(full) != full:
            return "undecodable_name"
        if len(self.rel(full).encode("utf-8")) > MAX_PATH_BYTES:
            return "path_too_long"
        if not self.is_local:
            return None
        path = full
        while len(path) > len(self._root):
            if os.path.islink(path):
                return "symlink"
            path = os.path.dirname(path)
        try:
            mode = os.lstat(full).st_mode
        except OSError:
            mode = None
        if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return "not_regular_file"
        real = os.path.realpath(full)
        if real != self._real_root and not real.startswith(self._real_root.rstrip(os.sep) + os.sep):
            return "outside_root"
        return None

    def url(self, rel: str) -> str:
        """A user-facing location (local path or ``s3://`` URL) for messages and reports."""
        rel = rel.lstrip("/")
        return f"{self.root_url}/{rel}" if rel else self.root_url

    def rel(self, full: str) -> str:
        full = full.split("://", 1)[-1] if "://" in full and not self.is_local else full
        return posixpath.relpath(full, self._root)

    # -- reads --------------------------------------------------------------------------
    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.full(rel))

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open(self.full(rel), "rb") as fh:
            return fh.read()

    def read_tail(self, rel: str, size: int) -> bytes:
        """The last ``size`` bytes of a file (all of it when shorter): one ranged read."""
        with self.fs.open(self.full(rel), "rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - size))
            return fh.read()

    def open(self, rel: str, mode: str = "rb"):
        if "w" in mode and self.is_local:
            os.makedirs(os.path.dirname(self.full(rel)), exist_ok=True)
        return self.fs.open(self.full(rel), mode)

    def list_files(
        self,
        prefix: str,
        suffixes: tuple[str, ...] = (),
        refused: list[Refused] | None = None,
        unlisted: list[Refused] | None = None,
    ) -> list[ObjectInfo]:
        """Every file below ``prefix`` (recursively), sorted by path; hidden/temp files skipped.

        Symlinks and paths resolving outside the root are left out, logged, and added to ``refused``.
        Files left out by their name (hidden, another suffix) that hold any byte are added to
        ``unlisted`` (reason ``unsupported_name``): where a file may hold a privacy record, one the
        reader does not take must not pass unseen. An atomic write under way (``TEMPORARY_MARK``) is
        not: it becomes a listed file, or a leftover the purge's ``temporary`` place removes.
        """
        base = self.full(prefix)
        if not self.fs.exists(base):
            return []
        out = []
        for full, info in sorted(self.fs.find(base, detail=True, withdirs=False).items()):
            name = posixpath.basename(full)
            reason = self.refusal(full)
            if reason:
                from utterance_governance.io.readers import shown_path  # readers reads through this module

                log.warning("refused %s (%s): never read", shown_path(printable(self.rel(full))), reason)
                if refused is not None:
                    refused.append(Refused(printable(self.rel(full)), reason))
                continue
            if info.get("type") == "directory":
                continue
            if name.startswith((".", "_")) or (suffixes and not name.endswith(suffixes)):
                if unlisted is not None and int(info.get("size") or 0) > 0 and TEMPORARY_MARK not in name:
                    unlisted.append(Refused(self.rel(full), "unsupported_name"))
                continue
            out.append(
                ObjectInfo(self.rel(full), int(info.get("size") or 0), _fingerprint(info), _modified(info))
            )
        return out

    def info(self, rel: str) -> ObjectInfo:
        info = self.fs.info(self.full(rel))
        return ObjectInfo(rel, int(info.get("size") or 0), _fingerprint(info), _modified(info))

    def version_of_refused(self, rel: str) -> str:
        """The fingerprint of a file the lake refuses only for its path's length (``path_too_long``), never read:
        an acknowledged one replaced by new content blocks again. Raises ``PathRefused`` for any other refusal."""
        rel = rel.lstrip("/")
        full = f"{self._root}/{rel}"
        if ".." in rel.split("/") or self.refusal(full) != "path_too_long":
            return self.info(rel).fingerprint
        path = full
        while len(path) > len(
            self._root
        ):  # (no symlink on the way: what ``refusal`` checks after the length)
            if self.is_local and os.path.islink(path):
                raise PathRefused("a symlink on the way")
            path = os.path.dirname(path)
        return _fingerprint(self.fs.info(full))

    def sha256(self, rel: str) -> str:
        with self.fs.open(self.full(rel), "rb") as fh:
            return _sha256_of(fh)

    def read_parquet(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        if self.is_local:
            return pq.read_table(self.full(rel), columns=columns)
        with self.fs.open(self.full(rel), "rb") as fh:
            return pq.read_table(fh, columns=columns)

    def iter_parquet(
        self, rel: str, rows: int, max_bytes: int | None = None, columns: list[str] | None = None
    ) -> Iterator[pa.Table | UnreadableRows]:
        """``rel``'s rows in order, in tables of at most ``rows`` rows and about ``max_bytes``
        (``columns`` of them, or every one), each within one row group. Neither the file nor a row
        group is read whole: a row group is decoded in batches of at most ``_BATCH_ROWS`` rows (fewer
        where its rows are large), its column chunks read through a buffer. What of a row group
        cannot be decoded is an ``UnreadableRows`` (the rows it had left), and the next row group is
        read. A file of no row gives one empty table of its schema."""
        with contextlib.ExitStack() as stack:
            full = self.full(rel)
            source = full if self.is_local else stack.enter_context(self.fs.open(full, "rb"))
            parquet = pq.ParquetFile(source, buffer_size=_COLUMN_BUFFER_BYTES, pre_buffer=False)
            given = False
            for index in range(parquet.metadata.num_row_groups):
                for piece in _row_group_pieces(parquet, index, columns, rows, max_bytes):
                    given = given or isinstance(piece, pa.Table)
                    yield _without_views(piece) if isinstance(piece, pa.Table) else piece
            if not given:
                empty = parquet.schema_arrow.empty_table()
                yield _without_views(empty.select(columns) if columns else empty)

    def read_parquet_where_in(self, rel: str, column: str, values: pa.Array, columns: list[str]) -> pa.Table:
        """The rows of ``rel`` whose ``column`` is one of ``values`` (``columns`` of them), reading only
        the row groups whose statistics of ``column`` may hold one: a file written sorted by ``column``
        in small row groups gives up a value's rows without being read whole. A file without
        statistics is read whole; the rows are filtered either way."""
        wanted = sorted(v for v in values.to_pylist() if v is not None)
        with contextlib.ExitStack() as stack:
            full = self.full(rel)
            parquet = pq.ParquetFile(full if self.is_local else stack.enter_context(self.fs.open(full, "rb")))
            index = parquet.schema_arrow.get_field_index(column)
            groups = []
            for group in range(parquet.metadata.num_row_groups):
                stats = parquet.metadata.row_group(group).column(index).statistics
                known = stats is not None and stats.has_min_max
                low, high = (stats.min, stats.max) if known else (None, None)
                at = bisect.bisect_left(wanted, low) if low is not None else 0
                if values.null_count or (at < len(wanted) and (high is None or wanted[at] <= high)):
                    groups.append(group)  # (statistics do not tell where nulls are)
            table = parquet.read_row_groups(groups, columns=list(dict.fromkeys([*columns, column])))
        return table.filter(pc.is_in(table.column(column), value_set=values)).select(columns)

    # -- writes -------------------------------------------------------------------------
    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` at ``rel`` atomically: readers never see a partial object."""
        full = self.full(rel)
        if self.is_local:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            tmp = f"{full}{TEMPORARY_MARK}{uuid.uuid4().hex}"
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, full)
        else:
            self.fs.pipe_file(full, data)

    def write_parquet(self, rel: str, table: pa.Table, **kwargs) -> tuple[int, str]:
        """Write ``table`` as Parquet at ``rel`` atomically; return (bytes, sha256).

        Dictionary-encoded columns are decoded first (``without_dictionaries``): the file holds the
        values of its rows and nothing else."""
        sink = io.BytesIO()
        kwargs.setdefault("compression", "zstd")
        kwargs.setdefault("row_group_size", self.row_group_rows)
        pq.write_table(without_dictionaries(table), sink, **kwargs)
        data = sink.getvalue()
        self.write_bytes(rel, data)
        return len(data), hashlib.sha256(data).hexdigest()

    @contextlib.contextmanager
    def staged(self, rel: str) -> Iterator[Staged]:
        """A file for ``rel`` written locally (at ``path``) and put in place by ``put``: atomically,
        however it is written, and after what the caller checks of it (its digest). Without ``put``
        nothing is written. Locally the temporary file sits beside ``rel`` (``TEMPORARY_MARK``); for
        an object store it is a local temporary file, uploaded whole."""
        full = self.full(rel)
        if self.is_local:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            tmp = f"{full}{TEMPORARY_MARK}{uuid.uuid4().hex}"
            open(tmp, "wb").close()
        else:
            fd, tmp = tempfile.mkstemp(suffix=posixpath.basename(rel)[-16:])
            os.close(fd)
        try:
            yield Staged(self, full, tmp)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    @contextlib.contextmanager
    def parquet_writer(self, rel: str, compression: str = "zstd") -> Iterator[ParquetSink]:
        """A Parquet file at ``rel`` written table by table (``write``), in place at the end, atomically
        (as ``write_parquet``; ``staged``); nothing is written when no table was given, or when the
        block raises. Every table takes the first one's schema."""
        with self.staged(rel) as staged:
            sink = ParquetSink(staged.path, self.row_group_rows, compression)
            try:
                yield sink
                if sink.close():
                    staged.put()
            finally:
                sink.close()

    def ensure_root(self) -> None:
        """Create the lake root if missing: a directory locally, the bucket on an object store."""
        if self.is_local:
            os.makedirs(self._root, exist_ok=True)
            return
        bucket = self._root.split("/", 1)[0]
        if not self.fs.exists(bucket):
            self.fs.mkdir(bucket)

    def put_tree(self, local_dir: str, prefix: str) -> list[str]:
        """Copy every file below the local folder ``local_dir`` to ``prefix`` (each write atomic).

        For tools that can only write to a local folder (GX Data Docs): build there, then put.
        Returns the lake paths written, sorted.
        """
        written = []
        for folder, _, names in os.walk(local_dir):
            for name in names:
                path = os.path.join(folder, name)
                rel = posixpath.join(prefix, os.path.relpath(path, local_dir).replace(os.sep, "/"))
                with open(path, "rb") as fh:
                    self.write_bytes(rel, fh.read())
                written.append(rel)
        return sorted(written)

    def list_dirs(self, prefix: str) -> list[str]:
        """The folders right below ``prefix`` (paths relative to the root), sorted; none if it is absent."""
        base = self.full(prefix)
        if not self.fs.exists(base):
            return []
        entries = self.fs.ls(base, detail=True)
        return sorted(self.rel(e["name"]) for e in entries if e.get("type") == "directory")

    def list_files_here(self, prefix: str) -> list[str]:
        """The files right below ``prefix`` (not in its folders) that hold a byte, hidden ones aside."""
        base = self.full(prefix)
        if not self.fs.exists(base):
            return []
        entries = self.fs.ls(base, detail=True)
        return sorted(
            self.rel(e["name"])
            for e in entries
            if e.get("type") == "file" and e.get("size") and not posixpath.basename(e["name"]).startswith(".")
        )

    def remove(self, rel: str) -> bool:
        full = self.full(rel)
        if not self.fs.exists(full):
            return False
        self.fs.rm(full, recursive=True)
        return True

    def remove_empty_folder(self, rel: str) -> bool:
        """Remove the folder ``rel`` if it holds nothing (locally; an object store has no empty folders,
        a folder there is only a prefix of the keys below it); whether it was removed."""
        if not self.is_local:
            return False
        try:
            os.rmdir(self.full(rel))
        except OSError:  # not empty, or not there
            return False
        return True

    def walk_files(self, prefix: str = "") -> Iterator[str]:
        for info in self.list_files(prefix):
            yield info.path


def _sha256_of(fh) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _fingerprint(info: dict) -> str:
    for key in ("ETag", "etag", "md5"):
        if info.get(key):
            return str(info[key]).strip('"')
    mtime = info.get("mtime") or info.get("LastModified") or info.get("created") or ""
    if "ino" in info:
        # a local file: its status change time too. A file rewritten in place to the same size with
        # its modification time kept (``cp -p``, ``rsync -t``, ``tar x``) keeps size and mtime; the
        # kernel sets ctime on every write, and no tool can set it back. (fsspec's "created" is the
        # birth time where the platform has one, which a rewrite keeps.)
        try:
            changed = os.stat(info["name"], follow_symlinks=False).st_ctime_ns
        except (OSError, KeyError, TypeError):
            changed = info.get("created")
        return f"{info.get('size')}:{mtime}:{changed}"
    return f"{info.get('size')}:{mtime}"


def _modified(info: dict) -> dt.datetime | None:
    value = info.get("mtime") or info.get("LastModified") or info.get("last_modified")
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _plain_type(type_: pa.DataType) -> pa.DataType:
    """``type_`` with every dictionary type in it replaced by its value type."""
    if pa.types.is_dictionary(type_):
        return _plain_type(type_.value_type)
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        item = type_.value_field
        plain = item.with_type(_plain_type(item.type))
        return pa.list_(plain) if pa.types.is_list(type_) else pa.large_list(plain)
    if pa.types.is_struct(type_):
        return pa.struct([f.with_type(_plain_type(f.type)) for f in type_])
    if pa.types.is_map(type_):
        return pa.map_(_plain_type(type_.key_type), type_.item_field.with_type(_plain_type(type_.item_type)))
    return type_


def without_dictionaries(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-encoded columns decoded.

    A filtered dictionary column keeps its whole dictionary, and Parquet writes it as is: a file
    rewritten without a deleted customer's rows (a landing file pandas wrote with ``category``
    columns) would still hold their words and ids in its dictionary pages."""
    plain = pa.schema(
        [f.with_type(_plain_type(f.type)) for f in table.schema], metadata=table.schema.metadata
    )
    return table if plain.equals(table.schema) else table.cast(plain)


_VIEWS = {pa.string_view(): pa.large_string(), pa.binary_view(): pa.large_binary()}


def _without_views(table: pa.Table) -> pa.Table:
    """``table`` with its string and binary view columns as large strings and binaries: Arrow's kernels
    (take, filter) have none for views, and a file written with them would stop every purge of it."""
    if not any(field.type in _VIEWS for field in table.schema):
        return table
    return table.cast(
        pa.schema([field.with_type(_VIEWS.get(field.type, field.type)) for field in table.schema])
    )
