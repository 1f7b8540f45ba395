"""Landing-file readers that never crash on bad input (SPEC §3, §4 rule 1).

Every input row ends as exactly one of: a typed record (the schema of ``schema.py`` plus
``source_file`` and ``line``), or a quarantined row with reason ``malformed``, a detail
code (``missing_field:transcript``, ``invalid_timestamp:captured_at``, ...), its source
file and line, and the raw input. A file that cannot be read at all yields one
quarantined row with ``line = 0``; a Parquet row group that cannot be decoded, one at its first line.

A file is read in pieces (``read_landing_pieces``: a file of any size, in the memory of a piece).
Both formats converge on the same typed columns and then share one vectorised validation: JSON
Lines are decoded line by line (they must be), Parquet columns are checked and cast a piece whole.

Identity is settled here, once (SPEC §4.1, ``privacy.identity``): every id (``customer_id``,
the record's own id, the ids a deletion request lists) is canonicalised, and an id that is not
usable makes its record malformed (``invalid_id:<field>``); enumerations (``purpose``,
``status``, ``scope``) are matched case-insensitively after trimming and stored in their
canonical spelling, anything else is ``invalid_value:<field>``. A JSON ``\\u`` escape that is
no character (a lone surrogate) is ``invalid_utf8`` for its line only. With ``not_after``
(the moment the file was first read, plus the clock skew the policy allows), an utterance
captured later than that is ``future_timestamp:captured_at``. Typed records carry
``landed_at``: when their file landed, as the caller knows it (null: unknown).
"""

from __future__ import annotations

import bisect
import codecs
import itertools
import json
import re
import unicodedata
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage, UnreadableRows, caused_by_the_bytes
from utterance_governance.privacy.identity import (
    canonical_enum,
    canonical_id,
    canonical_ids,
    is_placeholder,
    unusable_ids,
    without_refused,
)

KINDS: dict[str, tuple[pa.Schema, tuple[str, ...], str]] = {
    "utterances": (S.UTTERANCE, S.UTTERANCE_REQUIRED, "utterance_id"),
    "consent": (S.CONSENT, S.CONSENT_REQUIRED, "event_id"),
    "deletions": (S.DELETION, S.DELETION_REQUIRED, "request_id"),
}
SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet")
ENUMERATIONS = {"purpose": (S.TRAINING_PURPOSE,), "status": S.CONSENT_STATUSES, "scope": S.DELETION_SCOPES}
ID_FIELDS = ("customer_id", "utterance_id", "event_id", "request_id")
# A customer id longer than this is not an id (``invalid_id:customer_id``): an utterance of it is malformed,
# never published, and a consent or deletion record of it is unreadable. PostgreSQL cannot index a value of
# more than about 2,700 bytes: a privacy record naming a longer id could not be stored with it, and the
# customer's published rows stayed live (SQLite took it). Access requests refuse the same (``jobs.audit``).
MAX_CUSTOMER_ID_CHARS = 256
# ... and so is a consent event's or a deletion request's id: a request longer than this is an unreadable record
# (``invalid_id:request_id``) on every backend, where PostgreSQL could not store it and SQLite carried it out
MAX_RECORD_ID_CHARS = 256
# An utterance id of more UTF-8 bytes than this is no id either (``invalid_id:utterance_id``): a recording sent
# twice is kept as the pair of its ids (``recording_twins``), and a pair of longer ones is more than PostgreSQL can
# index (512 characters of CJK are 1,536 bytes)
MAX_UTTERANCE_ID_BYTES = 1024

_ISO_WITH_OFFSET = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
)
MAX_UTTERANCE_ID_CHARS = 512  # an utterance id is published as it is: longer is no id (quality.suite)
_BCP47 = r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?$"


@dataclass(frozen=True)
class ReadResult:
    records: pa.Table  # kind schema + source_file, line, landed_at
    quarantine: pa.Table  # schema.QUARANTINE

    @property
    def rows_seen(self) -> int:
        return self.records.num_rows + self.quarantine.num_rows


@dataclass(frozen=True)
class Arrival:
    """When a landing file arrived, as far as the pipeline knows (``None``: unknown)."""

    landed_at: datetime | None = None  # at the latest: the earliest of its first reading and its mtime
    not_after: datetime | None = None  # the latest credible capture time: first reading + clock skew


# A landing file is read in pieces of at most this many rows and about this many bytes (of text, or of a
# Parquet row group's columns): what a reading holds follows the piece, not the file. A file of any size
# is read (one over 2 GB of text overflowed Arrow's string offsets, and its every night failed). Deciding
# a piece takes about 25 times its text (4 KB transcripts, every row redacted): 16 MiB pieces peaked at
# 577 MiB, 32 MiB at 915 MiB and 64 MiB at 1,497 MiB, 151 MiB of it the process before reading.
PIECE_ROWS = 250_000
PIECE_BYTES = 16 << 20
_BLOCK_BYTES = 8 << 20  # one read of the file


def read_landing_pieces(
    storage: Storage,
    rel: str,
    kind: str,
    arrival: Arrival | None = None,
    *,
    piece_rows: int | None = None,
    piece_bytes: int | None = None,
) -> Iterator[ReadResult]:
    """Read one landing file of ``kind`` (utterances, consent, deletions) piece by piece: at least one
    piece, line numbers the file's own. What the file's bytes make unreadable is quarantined, never
    raised: a file that cannot be opened or read on gives one row with ``line = 0`` saying why, after
    what was read; a part that cannot be (a Parquet row group), one row at its first line. An error
    that is no verdict on the file (``storage.caused_by_the_bytes``: a connection reset ...) is raised.

    An utterance id seen twice in one piece is ``duplicate_id``; one seen in two pieces of a file is left
    to the night's deduplication by id, as one seen in two files is (a file's ids are not held: memory
    follows the piece). A consent or deletion id a file gives twice is read twice: the store takes the
    pair in as it takes the same pair from two files (``PrivacyRecords._ingest_privacy``: an exact repeat
    is the same record, another version of a deletion a request of its own, of a consent event doubt)."""
    schema, required, id_field = KINDS[kind]
    arrival = arrival or Arrival()
    pieces = (
        _parquet_pieces(storage, rel, schema, piece_rows or PIECE_ROWS)
        if rel.endswith(".parquet")
        else _jsonl_pieces(storage, rel, schema, piece_bytes or PIECE_BYTES)
    )
    given = False
    from_path = customer_of_path(rel)
    while True:
        try:
            piece = next(pieces)
        except StopIteration:
            break
        except Exception as exc:  # a file we cannot open, or read on: one quarantine row says why
            yield ReadResult(_empty(schema, rel), _file_problem(rel, _unreadable(exc)))
            return
        given = True
        if isinstance(piece, Unreadable):  # a part of the file (a Parquet row group); the rest is read
            # (each utterance in it gets its decision; a privacy file's part is one unreadable record to
            # acknowledge, as a file is: ten thousand would each need their own)
            rows = piece.rows if schema is S.UTTERANCE else 1
            yield ReadResult(_empty(schema, rel), _file_problem(rel, piece.detail, piece.line, rows))
            continue
        # the rows that give no customer_id are the folder's; an utterance naming another is malformed
        if from_path is not None and "customer_id" in piece[0]:
            piece[0]["customer_id"] = pc.fill_null(piece[0]["customer_id"], from_path)
        try:
            read = _finish(schema, required, id_field, rel, *piece, arrival)
        except Exception as exc:  # a value nothing here can hold (a date past year 9999 ...): this piece
            first = int(piece[2][0]) if len(piece[2]) else 0
            read = ReadResult(_empty(schema, rel), _file_problem(rel, _unreadable(exc), first))
        yield read
    if not given:
        yield ReadResult(_empty(schema, rel), S.QUARANTINE.empty_table())


# an utterance row naming another customer than its file's Hive folder (``customer_of_path``)
NOT_OF_ITS_FOLDER = "invalid_id:customer_id_not_of_its_folder"


def customer_of_path(rel: str) -> str | None:
    """The customer a landing path names Hive-style (``…/customer_id=zed-4417/part-0.jsonl``: Spark's
    ``partitionBy("customer_id")`` writes the id there and drops the column from the rows), key spelled in
    any case or separators, value URL-decoded; None when no segment (or two that differ) names one. The
    rows of such a file that give no customer_id are that customer's: read as no one's, a delete-all would
    never reach them. An utterance that names another customer is malformed (``NOT_OF_ITS_FOLDER``: whose
    words they are cannot be told, an account merge, a stale partition key; read as the row's alone, the
    folder's customer's opt-out and delete-all never reached it), quarantined as the folder's customer's
    and found named in its raw line by the other's deletion. Hive's null partition (``customer_id=__HIVE_DEFAULT_PARTITION__``: the rows' customer
    was null) names nobody: read as one customer, every lost id would share one identity, and a deletion
    there would be a valid request that matches no one (naming nobody, it blocks publishing)."""
    named = {
        canonical_id(unquote(value))
        for key, _, value in (part.partition("=") for part in rel.split("/")[:-1] if "=" in part)
        if fold_key(key) == _CUSTOMER_KEY_FOLDED
    }
    customer = named.pop() if len(named) == 1 else None
    return None if customer is not None and customer.casefold() == _HIVE_NULL_PARTITION else customer


_HIVE_NULL_PARTITION = "__hive_default_partition__"


def shown_path(text: str) -> str:
    """``text`` (a path, or a message naming one) as logs, reports and the lake's own file names show it:
    the value of each Hive segment naming a customer replaced by ``[customer]``, as ``customer_of_path``
    reads one (a ``/``-separated segment whose key, any spelling ``fold_key`` reads as ``customer_id``, or
    the end of it after a space or a quote in a message, comes before its first ``=``); the rest as it is,
    as the operator needs it to find the file."""
    if "=" not in text:
        return text
    pieces = text.split("/")
    for i, piece in enumerate(pieces):
        key, sep, _ = piece.partition("=")
        if sep and any(fold_key(key[start:]) == _CUSTOMER_KEY_FOLDED for start in _key_starts(key)):
            pieces[i] = f"{key}=[customer]"
    return "/".join(pieces)


def _key_starts(key: str) -> list[int]:
    """Where a key may start in the text before a segment's ``=``: its start, and after each space or quote."""
    return [0, *(i + 1 for i, ch in enumerate(key) if ch.isspace() or ch in "'\"`([{,;:")]


@dataclass(frozen=True)
class Unreadable:
    """A part of a file that cannot be read (its first line, why); the parts after it are read."""

    line: int
    detail: str
    rows: int = 1  # the lines it holds (a row group's, from the file's footer): one decision each


def _unreadable(exc: Exception) -> str:
    """The detail code of an error its bytes caused reading a file (not its message: Arrow's may
    quote a cell); any other error is raised again (``storage.caused_by_the_bytes``)."""
    if isinstance(exc, FileProblem):
        return f"unreadable_file:{exc.code}"
    if not caused_by_the_bytes(exc):
        raise without_customer_paths(exc)
    return f"unreadable_file:{type(exc).__name__}"


def without_customer_paths(exc: BaseException) -> BaseException:
    """``exc`` with the paths its message names as logs show them (``shown_path``): a file that vanished or
    turned into a symlink between its listing and its reading is named in the error Airflow logs."""
    if isinstance(exc, OSError):
        for attr in ("filename", "filename2"):
            if isinstance(getattr(exc, attr, None), str):
                setattr(exc, attr, shown_path(getattr(exc, attr)))
    exc.args = tuple(shown_path(a) if isinstance(a, str) else a for a in exc.args)
    return exc


class FileProblem(ValueError):
    """What makes a whole file unreadable, as a stable code (``empty_file``, ``not_parquet``,
    ``duplicate_column:<name>``, ``encoding_utf16`` ...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def read_landing_file(storage: Storage, rel: str, kind: str, arrival: Arrival | None = None) -> ReadResult:
    """Read one landing file of ``kind`` (utterances, consent, deletions): its pieces
    (``read_landing_pieces``) together."""
    pieces = list(read_landing_pieces(storage, rel, kind, arrival))
    if len(pieces) == 1:
        return pieces[0]
    return ReadResult(
        pa.concat_tables([p.records for p in pieces]), pa.concat_tables([p.quarantine for p in pieces])
    )


# captures before this are malformed (``implausible_timestamp:captured_at``): a shard's captured_date
# of year 0 is one Python's ``date`` (and so Hugging Face ``datasets``) cannot read
EARLIEST_CAPTURE = datetime(2000, 1, 1, tzinfo=UTC)
# the times that must not be earlier (a range's start may: "from the beginning")
_PLAUSIBLE_SINCE_2000 = ("captured_at", "effective_at", "recorded_at", "requested_at", "to")
# ... and none after 2200: "9999-12-31T23:59:59-08:00" is past year 9999 in UTC, which no Python
# datetime holds (a deadline 30 days after a request in December 9999 neither). A range's ``to`` that
# late means "until further notice": it ends at LATEST_INSTANT, which covers every capture there is.
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
_PLAUSIBLE_UNTIL_2200 = ("captured_at", "effective_at", "recorded_at", "requested_at", "from")


# --- JSON Lines -------------------------------------------------------------------------
class _GunzipStream:
    """A gzip file's text block by block, member after member (writers append members;
    ``gzip.decompress`` refuses a file whose last member is cut or followed by other bytes).

    The text is given only as far as it can be trusted, which a first pass finds: every complete
    member's (each checked against its CRC), and of a member the file cuts off, its complete lines.
    A member that fails its check gives none of its text, so the file is decompressed twice."""

    def __init__(self, storage: Storage, rel: str) -> None:
        self.storage, self.rel = storage, rel
        self.ended: str | None = None
        self.problem: str | None = None
        self.unread_from: int | None = None  # where the bytes after the last member start
        self.version = storage.info(rel).fingerprint
        self.trusted = self._trusted_bytes()

    def _members(self) -> Iterator[tuple[bytes, bool]]:
        """(text, whether it completes its member), at most a block of text at a time (a small file
        may inflate a thousandfold); ``ended`` says how it ended. Zero bytes after the last member are
        padding; followed by anything, they are where the gzip ends."""
        self.ended, self.member_end = None, 0
        members, member, zeros, read = 0, None, False, 0
        with self.storage.open(self.rel, "rb") as fh:
            pending, full = b"", False
            while True:
                if not pending and not full:
                    pending = fh.read(_BLOCK_BYTES)
                    read += len(pending)
                    if not pending:
                        break
                if member is None:
                    if not pending.strip(b"\0"):
                        pending, zeros = b"", True
                        continue
                    if zeros:  # zeros, then more: no member starts with a zero byte
                        self.ended = "trailing_bytes" if members else "corrupt_gzip"
                        return
                    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
                try:
                    text = member.decompress(pending, _BLOCK_BYTES)
                except zlib.error:
                    self.ended = "trailing_bytes" if members else "corrupt_gzip"
                    return
                if member.eof:  # (the bytes after it are those the last call did not use)
                    self.member_end = read - len(member.unused_data)
                yield text, member.eof
                if member.eof:
                    pending, member, members, full = member.unused_data, None, members + 1, False
                else:  # (a full block of text: more may wait inside the decompressor)
                    pending, full = member.unconsumed_tail, len(text) == _BLOCK_BYTES
        if member is not None:
            self.ended = "truncated_gzip"
        elif (
            not members
        ):  # no member at all: a gzip of nothing is 20 bytes (an upload that never wrote, a crash's NULs)
            self.ended = "corrupt_gzip" if read else "empty_file"

    def _trusted_bytes(self) -> int:
        complete = seen = 0
        head = b""
        line_end = carriage_return = -1  # the last line feed and carriage return seen, in the text so far
        for text, completes in self._members():
            if len(head) < _HEAD_BYTES:
                head += text[: _HEAD_BYTES - len(head)]
            at, cr = text.rfind(b"\n"), text.rfind(b"\r")
            line_end = seen + at if at >= 0 else line_end
            carriage_return = seen + cr if cr >= 0 else carriage_return
            seen += len(text)
            if completes:
                complete = seen
        self.problem = self.ended
        if self.problem in ("trailing_bytes", "corrupt_gzip"):  # from where the bytes are no gzip
            self.unread_from = self.member_end
        if self.problem == "truncated_gzip":  # and the complete lines of the member cut off
            try:
                lone_crs = _lone_crs_end_lines(head)
            except FileProblem:  # (another encoding: the reader refuses the file whole)
                lone_crs = False
            return max(complete, (max(line_end, carriage_return) if lone_crs else line_end) + 1)
        return complete

    def blocks(self) -> Iterator[bytes]:
        if self.storage.info(self.rel).fingerprint != self.version:  # replaced since the first pass
            raise FileChangedWhileRead(shown_path(self.rel))  # (a message naming no customer)
        left = self.trusted
        for text, _ in self._members():
            if left <= 0:
                return
            yield text[:left]
            left -= len(text)


class FileChangedWhileRead(RuntimeError):
    """A file was replaced while it was read: no verdict on it (the step fails and reads it again)."""


def _plain_blocks(storage: Storage, rel: str) -> Iterator[bytes]:
    with storage.open(rel, "rb") as fh:
        while block := fh.read(_BLOCK_BYTES):
            yield block


def _text_pieces(blocks: Iterator[bytes], piece_bytes: int) -> Iterator[bytes]:
    """Pieces of about ``piece_bytes``, each cut just after a line end (the last: what is left). Of a
    line over ``MAX_LINE_BYTES`` the first ``MAX_LINE_BYTES + 1`` bytes are kept, enough to refuse it
    as too long: a file that is one long line never sits in memory whole."""
    buffer = bytearray()
    skipping = False
    for block in blocks:
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end:], False
        buffer += block
        while len(buffer) >= piece_bytes:  # cut after the last line end within the piece, else the first
            cut = (buffer.rfind(b"\n", 0, piece_bytes) + 1) or (buffer.find(b"\n", piece_bytes) + 1)
            if not cut:
                break
            yield bytes(buffer[:cut])
            del buffer[:cut]
        cut = buffer.rfind(b"\n") + 1
        if len(buffer) - cut > MAX_LINE_BYTES:
            del buffer[cut + MAX_LINE_BYTES + 1 :]
            skipping = True
    if buffer:
        yield bytes(buffer)


_OTHER_ENCODINGS = (  # JSON Lines are UTF-8 (SPEC §4): a file in another is refused whole, as such
    (codecs.BOM_UTF32_LE, "utf32"), (codecs.BOM_UTF32_BE, "utf32"), (codecs.BOM_UTF16_LE, "utf16"),
    (codecs.BOM_UTF16_BE, "utf16"),
)  # fmt: skip
# UTF-16 without its mark: four characters in a row, each a zero byte beside another (one NUL first
# is a broken line, not an encoding)
_UTF16_UNMARKED = re.compile(rb"(?:\x00[^\x00]){4}|(?:[^\x00]\x00){4}")
_LONE_CR = re.compile(rb"\r(?!\n)")
_HEAD_BYTES = 1 << 16  # what decides how a file's lines end


def _lone_crs_end_lines(head: bytes) -> bool:
    """Whether a text whose first bytes are ``head`` ends its lines with carriage returns alone (an old
    Mac export: a CR in its first 64 KiB, no line feed). Elsewhere a CR is left alone: a JSON line may
    hold one as white space. Raises ``FileProblem`` for a text in another encoding than UTF-8."""
    for mark, name in _OTHER_ENCODINGS:
        if head.startswith(mark):
            raise FileProblem(f"encoding_{name}")
    if _UTF16_UNMARKED.match(head):
        raise FileProblem("encoding_utf16")
    head = head[:_HEAD_BYTES]
    return b"\r" in head and b"\n" not in head


def _line_ends(blocks: Iterator[bytes]) -> tuple[bool, Iterator[bytes]]:
    """Whether lone carriage returns end the lines of the text ``blocks`` give (decided on its head:
    ``_lone_crs_end_lines``), and the same blocks."""
    head = b""
    for block in blocks:
        head += block
        if len(head) >= _HEAD_BYTES:
            break
    return _lone_crs_end_lines(head), itertools.chain([head], blocks)


def _utf8_lines(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """``blocks`` checked for their encoding, with lone carriage returns as line feeds where they end
    the lines (``_lone_crs_end_lines``)."""
    lone_crs, blocks = _line_ends(blocks)
    if not lone_crs:
        yield from blocks
        return
    held = b""
    for block in blocks:
        block = held + block
        block, held = (block[:-1], b"\r") if block.endswith(b"\r") else (block, b"")  # a CRLF cut in two
        yield _LONE_CR.sub(b"\n", block)
    yield _LONE_CR.sub(b"\n", held)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``values`` sorted, each once (``np.unique`` hashes since numpy 2.3: 3.4 s for 3M lines, this 0.2)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


_LINE_END = re.compile(rb"\n")
_LINE_END_OR_LONE_CR = re.compile(rb"\n|\r(?!\n)")


class LandingText:
    """A JSON Lines landing file's text, read as the readers read it: a ``.gz`` decompressed as far as
    it can be trusted (``_GunzipStream``: ``problem`` says why not further, and ``unread_from`` where
    the bytes that are no gzip start, if some are), never held whole."""

    def __init__(self, storage: Storage, rel: str) -> None:
        self.storage, self.rel = storage, rel
        self.gzip = _GunzipStream(storage, rel) if rel.endswith(".gz") else None
        self.problem = self.gzip.problem if self.gzip is not None else None
        self.unread_from = self.gzip.unread_from if self.gzip is not None else None

    def blocks(self) -> Iterator[bytes]:
        """The text as the file holds it."""
        return self.gzip.blocks() if self.gzip is not None else _plain_blocks(self.storage, self.rel)

    def pieces(self, piece_bytes: int | None = None) -> Iterator[bytes]:
        """The text in pieces cut at line ends (``_text_pieces``), lone carriage returns that end lines
        as line feeds, without the byte order mark some writers put first."""
        first = True
        for piece in _text_pieces(_utf8_lines(self.blocks()), piece_bytes or PIECE_BYTES):
            if first and piece.startswith(codecs.BOM_UTF8):  # a mark, not the record's
                piece = piece[len(codecs.BOM_UTF8) :]
            first = False
            yield piece

    def long_lines(self, limit: int) -> Iterator[tuple[int, bytes]]:
        """The lines over ``limit`` bytes (numbered as ``pieces`` numbers them), each as a run of
        ``(number, bytes)`` pieces in order: a line of any length is read whole without being held
        whole (``limit`` bytes of the line at hand at most, and a block)."""
        number, held = 1, bytearray()  # the line at hand's first bytes, until it is found long
        long = False
        for block in _utf8_lines(self.blocks()):
            start = 0
            while True:
                end = block.find(b"\n", start)
                part = block[start:] if end < 0 else block[start:end]
                if long:
                    yield number, part
                elif len(held) + len(part) > limit:
                    yield number, bytes(held) + part
                    held, long = bytearray(), True
                else:
                    held += part
                if end < 0:
                    break
                start, number, held, long = end + 1, number + 1, bytearray(), False

    def without_lines(self, drop: Iterable[int], *, blank: bool = False) -> Iterator[bytes]:
        """The text as the file holds it without the lines numbered in ``drop`` (the first is line 1,
        numbered as ``pieces`` numbers them): what a rewrite of the file keeps, every other byte as it
        was. A block holding none of them passes whole. ``blank``: each such line is left empty, its
        line end kept, so the lines after it keep their numbers (a privacy file's positions are its
        records' identity in the store)."""
        lone_crs, blocks = _line_ends(self.blocks())
        ends = _LINE_END_OR_LONE_CR if lone_crs else _LINE_END
        wanted = sorted_unique(
            np.fromiter(drop, dtype=np.int64)
        )  # (8 bytes a line: a set takes 10 times that)
        number, held = 1, b""
        for block in blocks:
            block, held = held + block, b""
            if lone_crs and block.endswith(b"\r"):  # a CRLF cut in two: its CR waits for the next block
                block, held = block[:-1], b"\r"
            lines = block.count(b"\n") + (len(_LONE_CR.findall(block)) if lone_crs else 0)
            at, past = np.searchsorted(wanted, [number, number + lines], side="right")
            if wanted[at - 1 : at].tolist() != [number] and at == past:  # none of the block's lines
                yield block
                number += lines
                continue
            dropped = set(wanted[max(at - 1, 0) : past].tolist())  # the block's lines to drop, and a few
            start = 0
            for end in ends.finditer(block):
                if number not in dropped:
                    yield block[start : end.end()]
                elif blank:
                    yield block[end.start() : end.end()]
                start, number = end.end(), number + 1
            if start < len(block) and number not in dropped:
                yield block[start:]
        if held and not np.isin(number, wanted):
            yield held


def _jsonl_pieces(storage: Storage, rel: str, schema: pa.Schema, piece_bytes: int):
    text = LandingText(storage, rel)
    first = 1
    for piece in text.pieces(piece_bytes):
        columns, raw_of, lines, details = _jsonl_columns(piece, schema, first)
        first += piece.count(b"\n")
        yield columns, raw_of, lines, details, None
    if text.problem:
        columns, raw_of, lines, details = _jsonl_columns(b"", schema, first)
        yield columns, raw_of, lines, details, f"unreadable_file:{text.problem}"


def _jsonl_columns(data: bytes, schema: pa.Schema, first_line: int):
    values: dict[str, list] = {f.name: [] for f in schema}
    raws: list[str] = []
    lines: list[int] = []
    details: list[str | None] = []
    checkers = {f.name: _PY_CHECKS[_kind_of(f.type)] for f in schema}
    for number, line in enumerate(_lines(data), start=first_line):
        if not line.strip():
            continue
        lines.append(number)
        detail = None
        obj: dict = {}
        if len(line) > MAX_LINE_BYTES:  # never decoded, parsed or redacted: its first bytes say what it was
            text, detail = (
                line[:RAW_KEPT_BYTES].decode("utf-8", errors="backslashreplace") + "…",
                "line_too_long",
            )
        else:
            if line.startswith(codecs.BOM_UTF8):  # the mark of an export concatenated after another
                line = line[len(codecs.BOM_UTF8) :]
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                text, detail = line.decode("utf-8", errors="backslashreplace"), "invalid_utf8"
        raws.append(text)
        if detail is None:
            try:
                parsed = json.loads(text, object_pairs_hook=_no_repeated_key)
            except _RepeatedKey as repeated:  # (a field of the record by name; any other key, e.g. an
                # e-mail address keying a map, is no reason code and may be an identifier)
                key = repeated.key if repeated.key in checkers else "other"
                parsed, detail = None, f"duplicate_key:{key}"
            except (ValueError, RecursionError):  # (nested too deep for the parser: this line only)
                parsed, detail = None, "unparseable_json"
            if detail is None and not isinstance(parsed, dict):
                detail = "not_an_object"
            elif detail is None and _LONE_SURROGATE.search(line) and not _encodable(parsed):
                detail = "invalid_utf8"  # a \\uD800-style escape decodes to no character
            elif (
                detail is None
                and not parsed.keys() <= checkers.keys()
                and (twice := _folded_twice(parsed, checkers))
            ):
                detail = f"duplicate_key:{twice}"
            elif detail is None:
                obj = parsed
        for name, check in checkers.items():
            value = obj.get(name)
            ok, value = check(value)
            if not ok:
                detail = detail or f"wrong_type:{name}"
                value = None
            values[name].append(value)
        details.append(detail)
    columns = {f.name: pa.array(values[f.name], type=_loose_type(f.type)) for f in schema}
    return (
        columns,
        (lambda idx: [raws[i] for i in idx]),
        np.asarray(lines, dtype=np.int64),
        np.asarray(details, dtype=object),
    )


# A record of a voice assistant is a few kilobytes; a line a thousand times that is none of ours (a file
# cut without its line breaks, a hostile upload). It is quarantined without being decoded or parsed, and
# its quarantine row keeps its first bytes only: a 200 MB line cost a gigabyte of memory to refuse.
MAX_LINE_BYTES = 1 << 20
RAW_KEPT_BYTES = 2_000


def _lines(data: bytes):
    """``data.split(b"\\n")`` one line at a time (the list of every line was a second copy of the file)."""
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            yield data[start:]
            return
        yield data[start:end]
        start = end + 1


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeated_key(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are all different. ``{"customer_id": "a", "customer_id": "b"}`` is
    valid JSON, and Python keeps the last value: a record that says two things is not read as one."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        raise _RepeatedKey(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


def fold_key(key: str) -> str:
    """A key as a person reads it: compatibility forms, case, and separators (``Customer-ID``,
    ``customerId``, ``ＳＴＡＴＵＳ`` are all ``customerid`` or ``status``)."""
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", key).casefold())


_CUSTOMER_KEY_FOLDED = fold_key("customer_id")


def _folded_twice(obj: dict, fields: Iterable[str]) -> str | None:
    """The field a record gives twice under keys that differ in case or separators only
    (``"status": "opted_in", "Status": "opted_out"``): which one is the record's is not for the reader to
    choose (None when there is none)."""
    wanted = {fold_key(name): name for name in fields}
    seen: dict[str, str] = {}
    for key in obj:
        folded = fold_key(key)
        if folded in wanted:
            if folded in seen:
                return wanted[folded]
            seen[folded] = key
    return None


_LONE_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def _encodable(parsed: dict) -> bool:
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):  # (nested just short of the parser's limit: this line)
        return False
    return True


def _kind_of(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_list(t):
        return "list"
    return "string"


def _loose_type(t: pa.DataType) -> pa.DataType:
    """Timestamps travel as strings until validated; everything else as its own type."""
    return pa.string() if pa.types.is_timestamp(t) else t


def _check_str(v):
    return (v is None or isinstance(v, str)), v


_INT64 = (-(2**63), 2**63 - 1)


def _check_int(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    ok = v is None or (isinstance(v, int) and not isinstance(v, bool) and _INT64[0] <= v <= _INT64[1])
    return ok, v


def _check_float(v):
    ok = v is None or (isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 1e308)
    return ok, (float(v) if ok and v is not None else v)


def _check_list(v):
    return (v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))), v


_PY_CHECKS: dict[str, Callable] = {
    "string": _check_str,
    "timestamp": _check_str,
    "int": _check_int,
    "float": _check_float,
    "list": _check_list,
}


# --- Parquet ----------------------------------------------------------------------------
def _parquet_pieces(storage: Storage, rel: str, schema: pa.Schema, piece_rows: int):
    """Row group by row group, in pieces of at most ``piece_rows``: a row group that cannot be decoded
    is one ``Unreadable`` (``unreadable_row_group:<error>``, its first line), and the next is read."""
    if storage.info(rel).size == 0:
        raise FileProblem("empty_file")
    if storage.read_tail(rel, 4) != b"PAR1":
        raise FileProblem("not_parquet")  # (or cut short: the footer ends a Parquet file)
    first = 1
    for group in storage.iter_parquet(rel, piece_rows, PIECE_BYTES):
        if isinstance(group, UnreadableRows):
            detail = "unreadable_row_group:" + _unreadable(group.error).split(":", 1)[1]
            yield Unreadable(first, detail, max(group.rows, 1))
            first += group.rows
            continue
        columns, raw_of, n, lines = _parquet_columns(group, schema, first)
        first += n
        yield columns, raw_of, lines, np.full(n, None, dtype=object), None


def _parquet_columns(table: pa.Table, schema: pa.Schema, first_line: int):
    twice = [name for name in schema.names if len(table.schema.get_all_field_indices(name)) > 1]
    twice = twice or [
        name for name in [_folded_twice(dict.fromkeys(table.column_names), schema.names)] if name
    ]
    if twice:  # which of the two is the record's?
        raise FileProblem(f"duplicate_column:{twice[0]}")
    n = table.num_rows
    columns: dict[str, pa.Array] = {}
    wrong: dict[str, pa.Array] = {}
    finer: dict[str, np.ndarray] = {}
    for field in schema:
        if field.name not in table.column_names:
            columns[field.name] = pa.nulls(n, _loose_type(field.type))
            continue
        col = table.column(field.name).combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if field.name in _ROUNDED_UP:
            finer[field.name] = _finer_than_microseconds(col)
        columns[field.name], wrong[field.name] = _coerce_column(col, field.type)

    def raw_of(idx):
        taken = table.take(pa.array(idx, type=pa.int64()))
        # by position: a name the file gives two columns is both of them (an object with that key twice)
        names = [json.dumps(name, ensure_ascii=False) for name in taken.column_names]
        cells = [_cells(column) for column in taken.columns]
        return [
            "{" + ", ".join(f"{name}: {json.dumps(value, default=str, ensure_ascii=False)}"
                            for name, value in zip(names, values, strict=True)) + "}"
            for values in zip(*cells, strict=True)
        ] if cells else ["{}"] * len(idx)  # fmt: skip

    lines = np.arange(first_line, first_line + n, dtype=np.int64)
    # wrong-type cells become null and are reported through the wrong_type detail
    columns["__wrong__"] = wrong
    columns["__finer__"] = finer
    columns["__customers__"] = _customers_of_column(table, n)
    return columns, raw_of, n, lines


def _customers_of_column(table: pa.Table, n: int) -> pa.Array:
    """The customer a Parquet row names when its ``customer_id`` cell is no string: an integer's
    digits, or a float's with an integral value its width holds exactly (below 2**53 for a float64, which
    pandas writes for an integer column with a gap, as JSON Lines read an id sent as a number; below
    2**24 for a float32); null for anything else. A quarantined
    row's raw text is made by the reader here (``raw_of``), so it is never read back for an id:
    bytes that are no UTF-8, a date or a decimal would read as an id no customer has, held in the
    real customer's place."""
    if "customer_id" not in table.column_names:
        return pa.nulls(n, pa.string())
    col = table.column("customer_id").combine_chunks()
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if pa.types.is_fixed_size_binary(col.type):  # (a UUID column: Parquet's FIXED_LEN_BYTE_ARRAY(16))
        return canonical_ids(pa.array([_fixed_width_id(v) for v in col.to_pylist()], pa.string()))
    if pa.types.is_decimal(col.type):  # a database NUMBER exported with a scale: 88231907.00
        return canonical_ids(pa.array([_integral_decimal(v) for v in col.to_pylist()], pa.string()))
    if pa.types.is_floating(col.type):
        values = pc.cast(col, pa.float64())
        # below the integers its width holds exactly: 2**24 for a float32 (16777217 is stored 16777216)
        bound = float(_EXACT_FLOAT_INTEGERS_OF_WIDTH[col.type.bit_width])
        exact = pc.and_(pc.equal(pc.floor(values), values), pc.less(pc.abs(values), bound))
        integral = pc.if_else(pc.fill_null(exact, False), values, pa.scalar(None, pa.float64()))
        return canonical_ids(pc.cast(pc.cast(integral, pa.int64()), pa.string()))
    if not pa.types.is_integer(col.type):
        return pa.nulls(n, pa.string())
    return canonical_ids(pc.cast(col, pa.string()))


def _fixed_width_id(value: bytes | None) -> str | None:
    """A customer id stored in a fixed-width binary cell: its text when it is UTF-8 (an id padded to a
    width), else, in 16 bytes, the UUID they are in its usual notation (how a deletion names it)."""
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return str(uuid.UUID(bytes=value)) if len(value) == 16 else None


def _integral_decimal(value: Decimal | None) -> str | None:
    """A decimal cell's integer digits when its value is integral (``88231907.00``), else None."""
    if value is None or not value.is_finite() or value != value.to_integral_value():
        return None
    return str(int(value))


def _cells(col: pa.ChunkedArray) -> list:
    """A column's values for a quarantined row's raw text; bytes that are no UTF-8 are kept as
    ``\\x..`` escapes (Arrow's ``to_pylist`` raises on them)."""
    try:
        return col.to_pylist()
    except (UnicodeDecodeError, pa.ArrowException, OverflowError, ValueError):
        pass
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        raw = col.cast(pa.large_binary()).to_pylist()
        return [None if v is None else v.decode("utf-8", errors="backslashreplace") for v in raw]
    try:  # a date or time past year 9999 has no Python value: Arrow writes it
        return pc.cast(col, pa.string()).to_pylist()
    except (pa.ArrowException, UnicodeDecodeError):
        return ["<undecodable>"] * len(col)


def _is_text_type(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


_MICROS_PER_UNIT = {"s": 1_000_000, "ms": 1_000}


def _coerce_column(col: pa.Array, target: pa.DataType) -> tuple[pa.Array, tuple[pa.Array, str] | None]:
    """Cast a Parquet column to its loose target type (timestamps: UTC timestamps when the
    column already is one, else strings). Cells that cannot be cast become null and are
    flagged by the returned (mask, detail code) (``None`` when every cell cast)."""
    kind = _kind_of(target)
    loose = _loose_type(target)
    if kind == "timestamp" and pa.types.is_timestamp(col.type):
        if col.type.tz is None:  # a naive timestamp column: every value lacks its offset
            return pa.nulls(len(col), pa.string()), (pc.is_valid(col), "timestamp_without_offset")
        # to microseconds: a nanosecond column (pandas' default) loses its sub-microsecond part, it
        # does not make the whole file unreadable. A coarser unit is multiplied up, which an unchecked cast
        # lets wrap round: a value past microseconds' range (a nanosecond epoch written as milliseconds)
        # read as another instant, often a plausible one. It is no time at all.
        factor = _MICROS_PER_UNIT.get(col.type.unit, 1)
        if factor == 1:
            return pc.cast(col, S.TS, safe=False), None
        ticks = pc.cast(col, pa.int64())
        limit = np.iinfo(np.int64).max // factor
        past = pc.fill_null(pc.or_(pc.greater(ticks, limit), pc.less(ticks, -limit)), False)
        if not pc.any(past).as_py():
            return pc.cast(col, S.TS, safe=False), None
        kept = pc.if_else(past, pa.scalar(None, ticks.type), ticks)
        return pc.cast(pc.cast(kept, pa.timestamp(col.type.unit, tz="UTC")), S.TS), (
            past,
            "implausible_timestamp",
        )
    is_text = pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
    is_number = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
    try:
        if kind in ("string", "timestamp") and is_text:
            col.validate(full=True)  # invalid UTF-8 raises here
            return col.cast(loose), None
        if kind in ("int", "float") and is_number:
            return col.cast(loose, safe=True), None
        if kind == "list" and pa.types.is_list(col.type) and _is_text_type(col.type.value_type):
            return col.cast(loose), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        pass
    # slow path, only for an odd column: check cell by cell
    if kind in ("string", "timestamp") and (
        is_text or pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type)
    ):
        cells = [_decode(v) for v in col.cast(pa.large_binary()).to_pylist()]
        code = "invalid_utf8"
    else:
        code = "wrong_type"
        check = _PY_CHECKS[kind]
        cells = [check(v) for v in col.to_pylist()]
    bad = pa.array([not ok for ok, _ in cells])
    return pa.array([v if ok else None for ok, v in cells], type=loose), (bad, code)


def _decode(v: bytes | None) -> tuple[bool, str | None]:
    if v is None:
        return True, None
    try:
        return True, v.decode("utf-8")
    except UnicodeDecodeError:
        return False, None


# --- shared validation ------------------------------------------------------------------
class _Details:
    """Per-row first problem, set by vectorised masks (first problem wins)."""

    def __init__(self, initial: np.ndarray):
        self.values = initial

    def flag(self, mask, code: str) -> None:
        mask = np.asarray(pc.fill_null(mask, False) if isinstance(mask, pa.Array | pa.ChunkedArray) else mask)
        hit = mask & np.equal(self.values, None)
        if hit.any():
            self.values[hit] = code


def _finish(
    schema, required, id_field, rel, columns, raw_of, lines, details, tail_problem, arrival
) -> ReadResult:
    n = len(lines)
    d = _Details(details)
    wrong = columns.pop("__wrong__", {})
    named = columns.pop("__customers__", None)  # Parquet: the ids its cells name (None: read the raw line)
    for name in (f.name for f in schema):
        if wrong.get(name) is not None:
            mask, code = wrong[name]
            d.flag(mask, f"{code}:{name}")
    typed: dict[str, pa.Array] = {}
    finer = columns.pop("__finer__", None)  # Parquet: taken before the cast to microseconds
    if finer is None:
        finer = {name: _finer_than_microseconds(columns[name]) for name in _ROUNDED_UP if name in columns}
    for field in schema:
        col = columns[field.name]
        if field.name in required:
            missing = pc.is_null(col)
            # an empty transcript is well-formed (a quality rule judges it); an empty id is not
            if pa.types.is_string(col.type) and field.name != "transcript":
                missing = pc.or_kleene(missing, pc.equal(pc.utf8_trim_whitespace(col), ""))
            d.flag(missing, f"missing_field:{field.name}")
        if pa.types.is_timestamp(field.type) and not pa.types.is_timestamp(col.type):
            col = _parse_timestamps(col, field.name, d)
        typed[field.name] = col
    _canonical_identity(schema, typed, d)
    folder = customer_of_path(rel) if schema is S.UTTERANCE else None
    if folder is not None:  # whose words they are cannot be told: neither customer's to publish
        d.flag(pc.not_equal(typed["customer_id"], folder), NOT_OF_ITS_FOLDER)
    _round_up(typed, finer)
    _semantic_checks(schema, typed, d)
    if arrival.not_after is not None and "captured_at" in typed:
        late = pc.greater(typed["captured_at"], pa.scalar(arrival.not_after, S.TS))
        d.flag(late, "future_timestamp:captured_at")
    # no assistant listened, and no customer chose, before 2000: a year-0 date is no date to readers,
    # and a zero time (0001-01-01, 1970-01-01) from an upstream bug would date an opt-out before the
    # opt-in it answers, or a deletion before everything it must delete
    for name in _PLAUSIBLE_SINCE_2000:
        if name in typed:
            d.flag(pc.less(typed[name], pa.scalar(EARLIEST_CAPTURE, S.TS)), f"implausible_timestamp:{name}")
    latest = pa.scalar(LATEST_INSTANT, S.TS)
    for name in _PLAUSIBLE_UNTIL_2200:
        if name in typed:
            d.flag(pc.greater(typed[name], latest), f"implausible_timestamp:{name}")
    if "to" in typed:
        typed["to"] = pc.if_else(pc.fill_null(pc.greater(typed["to"], latest), False), latest, typed["to"])
    if arrival.not_after is not None and "recorded_at" in typed:
        # a consent event recorded later than it was read: the event recorded last decides, so one
        # dated ahead by a fast clock would outrank the customer's next choice until that date
        late = pc.greater(typed["recorded_at"], pa.scalar(arrival.not_after, S.TS))
        d.flag(late, "future_timestamp:recorded_at")
    # an utterance id seen twice in one piece: the first occurrence stands, later ones are quarantined (a
    # consent or deletion id given twice is the store's to judge: an exact repeat, or another version)
    ids = typed[id_field]
    ok_so_far = np.equal(d.values, None)
    if n and schema is S.UTTERANCE:
        seen = pa.table({"id": ids, "i": np.arange(n)}).filter(pa.array(ok_so_far))
        first = seen.group_by("id").aggregate([("i", "min")]).column("i_min").to_numpy()
        dup = ok_so_far.copy()
        dup[first] = False
        d.flag(dup, f"duplicate_id:{id_field}")
    bad = ~np.equal(d.values, None)
    good_idx = np.flatnonzero(~bad)
    bad_idx = np.flatnonzero(bad)
    records = pa.table({f.name: typed[f.name] for f in schema}, schema=schema).take(good_idx)
    records = records.append_column("source_file", pa.array([rel] * len(good_idx), pa.string()))
    records = records.append_column("line", pa.array(lines[good_idx], pa.int64()))
    records = records.append_column("landed_at", pa.array([arrival.landed_at] * len(good_idx), S.TS))
    quarantine = _quarantine(rel, lines, bad_idx, d.values, columns, typed, id_field, raw_of, named)
    if tail_problem:
        quarantine = pa.concat_tables([quarantine, _file_problem(rel, tail_problem)])
    return ReadResult(records, quarantine)


# the instants a Python datetime holds, in UTC (as microseconds since the epoch): a stated time outside
# them (``0001-01-01T00:00:00+01:00`` is in year 0 in UTC) cannot be a record's time, and the store, which
# reads times as Python datetimes, would fail on the whole file
_PYTHON_INSTANTS = tuple(
    int((t - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    for t in (
        datetime(1, 1, 2, tzinfo=UTC),
        datetime(9999, 12, 30, tzinfo=UTC),
    )  # (a day in: any offset holds)
)


# a capture time as a raw line states it (a quarantined line's: code that reads it off the raw text), and its key
CAPTURED_IN_RAW = r'"captured_at"\s*:\s*"(?P<captured_at>[^"\\]{1,64})"'
CAPTURED_KEY_IN_RAW = r'"captured_at"\s*:'


def stated_capture_texts(raws: Sequence[str | None]) -> pa.Array:
    """The capture time each raw line (a quarantined line, as read) states for itself, as text: its top-level
    ``captured_at`` when it is a JSON object holding that key once, as a string (JSON's escapes read; a
    ``captured_at`` nested in another field is not the line's); when it is no JSON at all, the one
    ``captured_at`` the text holds (two or more: records glued by a lost line break, none trusted). Null
    otherwise."""
    out: list[str | None] = []
    for raw in raws:
        value = None
        if raw:
            try:
                pairs = json.loads(raw, object_pairs_hook=lambda items: items)
            except (ValueError, RecursionError):
                pairs = None
                if len(re.findall(CAPTURED_KEY_IN_RAW, raw)) == 1:
                    found = re.search(CAPTURED_IN_RAW, raw)
                    value = found.group("captured_at") if found else None
            if isinstance(pairs, list) and all(isinstance(p, tuple) for p in pairs):
                stated = [v for k, v in pairs if k == "captured_at"]
                value = stated[0] if len(stated) == 1 and isinstance(stated[0], str) else None
        out.append(value)
    return pa.array(out, pa.string())


def parse_instants(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """RFC 3339 times as the readers read a record's (``schema.TS``; a value that is none, or has no
    offset, null): for code that reads a time off a raw line (a quarantined line's, by the copies purge)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    values = values.cast(pa.string())
    return _parse_timestamps(values, "time", _Details(np.full(len(values), None, dtype=object)))


def _parse_timestamps(col: pa.Array, name: str, d: _Details) -> pa.Array:
    """A column of RFC 3339 times as timestamps; a value that is not one (no offset, not a real instant) is
    null and flagged. One outside the instants Python holds (``0001-01-01T00:00:00+01:00`` is in year 0 in
    UTC) is brought to the nearest it holds: as far before or after any plausible time as it was, it is
    judged as such a time is (``implausible_timestamp``, a range's end capped), and nothing converting it
    to a Python datetime fails on the whole file."""
    parsed = _parse_timestamps_of_any_year(col, name, d)
    low, high = (pa.scalar(v, pa.int64()) for v in _PYTHON_INSTANTS)
    micros = pc.max_element_wise(parsed.cast(pa.int64()), low, skip_nulls=False)
    return pc.min_element_wise(micros, high, skip_nulls=False).cast(S.TS)


def _parse_timestamps_of_any_year(col: pa.Array, name: str, d: _Details) -> pa.Array:
    # RFC 3339 forms Arrow's cast does not take: a lower-case "t", and 7 to 9 fractional digits (Java's
    # Instant, Go's RFC3339Nano), cut to the microseconds a timestamp keeps
    # (each rewrite only where a value may need it: a "t" eleventh, a "z" last; most nights none does)
    if _any_byte(col, b"t", 10):
        col = pc.replace_substring_regex(col, r"^(\d{4}-\d{2}-\d{2})t", r"\1T")
    if _any_byte(col, b"z", -1):
        col = pc.replace_substring_regex(col, r"z$", "Z")
    col = pc.replace_substring_regex(col, r"(:\d{2}\.\d{6})\d{1,3}([Zz+-]|$)", r"\1\2")
    present = pc.is_valid(col)
    shaped = pc.fill_null(pc.match_substring_regex(col, _ISO_WITH_OFFSET), False)
    naive = pc.and_(present, pc.invert(shaped))
    if pc.any(naive).as_py():
        d.flag(pc.and_(naive, pc.invert(pc.match_substring_regex(col, r"[+-]\d{2}:?\d{2}$|[Zz]$"))),
               f"timestamp_without_offset:{name}")  # fmt: skip
    d.flag(naive, f"invalid_timestamp:{name}")
    candidates = pc.if_else(shaped, col, pa.scalar(None, pa.string()))
    try:
        return pc.cast(candidates, S.TS)
    except pa.ArrowInvalid:
        pass

    # some well-shaped value is not a real instant (2026-02-30, 25:00). The shape is known, so
    # the fields sit at fixed positions: check the calendar on all rows at once, vectorised.
    number = _fixed_numbers(pc.fill_null(candidates, "0000-01-01T00:00:00Z"))
    y, m, day, hh, mm, ss = (number(a, b) for a, b in ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    days_in_month = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 1, 12) - 1] + (
        (m == 2) & leap
    )
    impossible = np.asarray(shaped) & (
        (m < 1) | (m > 12) | (day < 1) | (day > days_in_month) | (hh > 23) | (mm > 59) | (ss > 60)
    )
    d.flag(impossible, f"invalid_timestamp:{name}")
    candidates = pc.if_else(pa.array(impossible), pa.scalar(None, pa.string()), candidates)
    try:
        return pc.cast(candidates, S.TS)
    except pa.ArrowInvalid:  # anything stranger still: per cell, only for this column, kept in Arrow
        cells = []  # (a year-0 instant has no Python datetime: it must not crash the file)
        failed = np.zeros(len(candidates), dtype=bool)
        for i, v in enumerate(candidates.to_pylist()):
            try:
                cells.append(pa.nulls(1, S.TS) if v is None else pc.cast(pa.array([v]), S.TS))
            except (pa.ArrowInvalid, OverflowError, ValueError):
                cells.append(pa.nulls(1, S.TS))
                failed[i] = True
        d.flag(failed, f"invalid_timestamp:{name}")
        return pa.concat_arrays(cells) if cells else pa.array([], S.TS)


def _any_byte(col: pa.Array, byte: bytes, at: int) -> bool:
    """Whether some value of a string column has ``byte`` at byte ``at`` (``-1``: its last byte). A
    null's bytes, if any, count too (it can only send a column through a rewrite that changes nothing)."""
    col = col.cast(pa.large_string())
    _, offsets, data = col.buffers()
    if data is None:
        return False
    offsets = np.frombuffer(offsets, dtype=np.int64)[col.offset : col.offset + len(col) + 1]
    data = np.frombuffer(data, dtype=np.uint8)
    lengths = np.diff(offsets)
    positions = offsets[1:][lengths >= -at] + at if at < 0 else offsets[:-1][lengths > at] + at
    return bool((data[positions] == byte[0]).any())


def _fixed_numbers(texts: pa.Array) -> Callable[[int, int], np.ndarray]:
    """``number(start, stop)``: per value (no nulls), the number its characters ``start:stop`` spell when
    they are one or more digits (0-9), else 0. ASCII values (those shaped as ``_ISO_WITH_OFFSET`` and
    the placeholder: all of them) are read in NumPy over their bytes, a position at a time; any other
    column is sliced and matched in Arrow."""
    if not pc.all(pc.string_is_ascii(texts)).as_py():

        def sliced(start: int, stop: int) -> np.ndarray:
            text = pc.utf8_slice_codeunits(texts, start, stop)
            digits = pc.if_else(pc.match_substring_regex(text, r"^\d+$"), text, "0")
            return pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)

        return sliced
    texts = texts.cast(pa.large_string())
    _, offsets, data = texts.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[texts.offset : texts.offset + len(texts) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    padded = np.concatenate([data, np.zeros(32, dtype=np.uint8)])

    def number(start: int, stop: int) -> np.ndarray:
        value = np.zeros(len(texts), dtype=np.int64)
        digits = lengths > start  # the slice is not empty
        for position in range(start, stop):
            inside = lengths > position
            byte = padded[starts + position].astype(np.int64) - ord("0")
            digit = (byte >= 0) & (byte <= 9)
            digits &= ~inside | digit
            value = np.where(inside, value * 10 + np.where(digit, byte, 0), value)
        return np.where(digits, value, 0)

    return number


# A timestamp keeps microseconds; a finer one is cut to them (floored). Floored, an opt-in effective or
# recorded 800 ns after a capture would count from the capture's microsecond (an opt-in counts from the
# later of the two), and a range's end would stop short of a capture it covers: these are rounded up
# instead, the way that publishes less. (Every other floor already errs that way: an earlier capture,
# opt-out or range start excludes more.)
_ROUNDED_UP = ("effective_at", "recorded_at", "to")
_FINER_THAN_MICROSECONDS = r":\d{2}\.\d{6}(?:[1-9]\d{0,2}|0[1-9]\d?|00[1-9])(?:[Zz+-]|$)"
_MICROSECOND = np.timedelta64(1, "us")


def _finer_than_microseconds(col: pa.Array) -> np.ndarray:
    """Per row: does the value carry a non-zero part finer than a microsecond (text or timestamp)."""
    if pa.types.is_timestamp(col.type) and col.type.unit == "ns":
        return pc.fill_null(pc.cast(col, pa.int64()), 0).to_numpy(zero_copy_only=False) % 1000 != 0
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return np.asarray(pc.fill_null(pc.match_substring_regex(col, _FINER_THAN_MICROSECONDS), False))
    return np.zeros(len(col), dtype=bool)


def _round_up(typed: dict[str, pa.Array], finer: dict[str, np.ndarray]) -> None:
    """An opt-in's times and a range's end, floored to microseconds, rounded up instead (above)."""
    if "status" in typed:  # an opt-in's times; an opt-out's floored start already withdraws more
        opt_in = np.asarray(pc.fill_null(pc.equal(typed["status"], "opted_in"), False))
        for name in ("effective_at", "recorded_at"):
            if name in finer:
                finer[name] &= opt_in
    for name, mask in finer.items():
        if mask.any():
            later = pc.add(typed[name], pa.scalar(_MICROSECOND, pa.duration("us")))
            typed[name] = pc.if_else(pa.array(mask), later, typed[name])


def _canonical_identity(schema: pa.Schema, typed: dict[str, pa.Array], d: _Details) -> None:
    """Ids in their canonical form (unusable ones flagged); enumerations in their canonical spelling."""
    for name in ID_FIELDS:
        if name in typed:
            canonical = canonical_ids(typed[name])
            if name != "utterance_id":  # longer than an id is: not one the store can look up on every backend
                most = MAX_CUSTOMER_ID_CHARS if name == "customer_id" else MAX_RECORD_ID_CHARS
                long = pc.fill_null(pc.greater(pc.utf8_length(canonical), most), False)
                canonical = pc.if_else(long, pa.scalar(None, pa.string()), canonical)
            d.flag(unusable_ids(typed[name], canonical), f"invalid_id:{name}")
            typed[name] = canonical
    if schema is S.UTTERANCE:  # a new utterance under "null", "None", "0" ...: whose it is was lost upstream
        d.flag(is_placeholder(typed["customer_id"]), "invalid_id:customer_id")
    if "utterance_ids" in typed:
        lists = typed["utterance_ids"]
        flat = pc.list_flatten(lists)
        canonical = canonical_ids(flat)
        bad_element = unusable_ids(flat, canonical) | ~np.asarray(pc.is_valid(flat), dtype=bool)
        parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        bad = np.zeros(len(lists), dtype=bool)
        bad[parents[bad_element]] = True
        d.flag(bad, "invalid_id:utterance_ids")
        lengths = np.asarray(pc.fill_null(pc.list_value_length(lists), 0), dtype=np.int32)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
        typed["utterance_ids"] = pa.ListArray.from_arrays(offsets, canonical, mask=pc.is_null(lists))
    for name, allowed in ENUMERATIONS.items():
        if name in typed:
            canonical, unknown = canonical_enum(typed[name], allowed)
            d.flag(unknown, f"invalid_value:{name}")
            typed[name] = canonical


def _locale_case(locales: pa.Array) -> pa.Array:
    """BCP 47 tags in their conventional case (RFC 5646 §2.1.1: case carries no meaning): language lower,
    script title, region upper ("EN-us" is en-US, which the allowed locales name). Each distinct tag once."""
    if isinstance(locales, pa.ChunkedArray):
        locales = locales.combine_chunks()
    encoded = pc.dictionary_encode(locales)
    tags = encoded.dictionary.to_pylist()
    cased = [conventional_case(tag) if tag is not None and re.fullmatch(_BCP47, tag) else tag for tag in tags]
    if cased == tags:
        return locales
    return pa.array(cased, pa.string()).take(encoded.indices)


def conventional_case(tag: str) -> str:
    """A BCP 47 tag in its conventional case: language lower, script title, region upper (``EN-us``: ``en-US``)."""
    language, *subtags = tag.split("-")
    return "-".join([language.lower(), *(s.title() if len(s) == 4 else s.upper() for s in subtags)])


def _semantic_checks(schema: pa.Schema, typed: dict[str, pa.Array], d: _Details) -> None:
    names = set(schema.names)
    if "asr_confidence" in names:
        c = typed["asr_confidence"]
        d.flag(
            pc.or_(pc.is_nan(c), pc.or_(pc.less(c, 0.0), pc.greater(c, 1.0))), "out_of_range:asr_confidence"
        )
    if "turn_index" in names:
        d.flag(pc.less(typed["turn_index"], 0), "out_of_range:turn_index")
    if "utterance_id" in names:  # (the gate holds a batch to this: one such id stopped every publish)
        ids = typed["utterance_id"]
        d.flag(
            pc.or_(
                pc.greater(pc.utf8_length(ids), MAX_UTTERANCE_ID_CHARS),
                pc.greater(pc.binary_length(ids), MAX_UTTERANCE_ID_BYTES),
            ),
            "invalid_id:utterance_id",
        )
    if "locale" in names:
        d.flag(pc.invert(pc.match_substring_regex(typed["locale"], _BCP47)), "invalid_locale")
        typed["locale"] = _locale_case(typed["locale"])
    if "scope" in names:
        scope = typed["scope"]
        is_range = pc.equal(scope, "range")
        d.flag(
            pc.and_(is_range, pc.or_(pc.is_null(typed["from"]), pc.is_null(typed["to"]))),
            "missing_field:from_to",
        )
        d.flag(pc.and_(is_range, pc.greater(typed["from"], typed["to"])), "invalid_value:from_after_to")
        is_list = pc.equal(scope, "utterances")
        # Kleene's or: a missing list's length is null, and null OR anything was null, a mask no row took
        empty = pc.or_kleene(
            pc.is_null(typed["utterance_ids"]), pc.equal(pc.list_value_length(typed["utterance_ids"]), 0)
        )
        d.flag(pc.and_kleene(is_list, empty), "missing_field:utterance_ids")


def _quarantine(rel, lines, bad_idx, details, columns, typed, id_field, raw_of, named=None) -> pa.Table:
    if len(bad_idx) == 0:
        return S.QUARANTINE.empty_table()
    take = pa.array(bad_idx, type=pa.int64())
    customer = typed.get("customer_id")
    raw = pa.array(raw_of(bad_idx.tolist()), pa.string())
    if customer is not None and named is not None:
        customer = pc.coalesce(pc.take(customer, take), pc.take(named, take))
    elif customer is not None:
        customer = _salvage_customer_ids(pc.take(customer, take), raw, details[bad_idx])
        # a line too long to read names nobody it could be sure of: only its first bytes were kept
        cut = pa.array(details[bad_idx] == "line_too_long")
        customer = pc.if_else(cut, pa.scalar(None, pa.string()), customer)
    folder = customer_of_path(rel) if id_field == "utterance_id" else None
    if folder is not None and customer is not None:
        # an utterance file in a customer's folder: its malformed rows are that customer's (their deletion
        # reaches them), whoever else a row names (that one's deletion finds them named in the raw line)
        customer = pa.array([folder] * len(bad_idx), pa.string())
    return pa.table(
        {
            "source_file": pa.array([rel] * len(bad_idx), pa.string()),
            "line": pa.array(lines[bad_idx], pa.int64()),
            "record_id": pc.take(columns[id_field], take),
            "customer_id": customer if customer is not None else pa.nulls(len(bad_idx), pa.string()),
            "reason": pa.array([S.MALFORMED] * len(bad_idx), pa.string()),
            "detail": pa.array(details[bad_idx].tolist(), pa.string()),
            "raw": raw,
        },
        schema=S.QUARANTINE,
    )


# every key of a line: the customer's is any spelling ``fold_key`` reads as ``customer_id``
_ANY_KEY = re.compile(r'"((?:[^"\\]|\\.){1,80})"\s*:')
# the keys that open a record of each kind, folded: a line with more of them than customers holds a record cut
# before its customer (a writer that spells them ``eventId`` or ``Request-ID`` included: the reader folds them)
_RECORD_KEYS_FOLDED = frozenset(fold_key(k) for k in ("event_id", "request_id", "utterance_id"))
# the value after the key: a JSON string (escapes decoded when read) or an integer, alone or wrapped in a
# list of one or an object of one key (an array-typed export column, a nested serialiser: ["zed-4417"],
# {"id": "zed-4417"}), the wrapper closed right after it
_CUSTOMER_VALUE = re.compile(
    r'\s*(?P<wrap>\[\s*|\{\s*"(?:[^"\\]|\\.){1,40}"\s*:\s*)?'
    r'(?:"(?P<string>(?:[^"\\]|\\.){1,400})"|(?P<number>-?[0-9]{1,40}(?:\.[0-9]{1,40})?(?:[eE][+-]?[0-9]{1,3})?)(?![0-9.eE]))'
    r"(?P<close>\s*[\]}])?"
    # ... and nothing after it but the next key's comma or the record's end (or, the comma lost, white space
    # and the next key's quote; a comment): an id with an unescaped quote in it (``"4417"zed"``) or left
    # unquoted (``4417-zed``) read only in part held ``4417``, and the customer it was kept publishing
    r"(?=\s*(?:[,}\]]|$|/[*/])|\s+\")"
)
# the integers a float64 holds exactly: a float id of this size or more may not be the id its writer had
_EXACT_FLOAT_INTEGERS = 2**53
# the integers a float of each width (bits) holds exactly: those below 2 ** (its mantissa's bits + 1)
_EXACT_FLOAT_INTEGERS_OF_WIDTH = {16: 2**11, 32: 2**24, 64: _EXACT_FLOAT_INTEGERS}


def integral_digits(number: str) -> str | None:
    """A JSON number that names a customer: an integer as written (``007`` stays ``007``), a float
    with an integral value as its integer's digits (``12345.0``, ``1.2345e4``: what a writer that
    stores ids in floats, pandas among them, sends for ``12345``); None for a fraction, or a float
    past the integers a float64 holds exactly (its digits may not be the id it was made from)."""
    if number.lstrip("-").isdigit():
        return number
    try:
        value = Decimal(number)
    except ArithmeticError:
        return None
    if not value.is_finite() or value != value.to_integral_value() or abs(value) >= _EXACT_FLOAT_INTEGERS:
        return None
    return str(int(value))


def customers_in_raw(text: str, _encodings: int = 2) -> list[str | None]:
    """Every customer id a raw line names, in its canonical form, in order: a JSON string as JSON
    reads it, or a number as its integer's digits (``integral_digits``: an id sent as a number is still
    that customer's), alone or as the one value of a list or an object (``["zed-4417"]``, ``{"id": …}``);
    and the customers of the records the line holds JSON-encoded in its strings, two encodings deep (an
    envelope's ``"message": "{\\"customer_id\\": …}"``). The key is any spelling of ``customer_id``
    the reader refuses a record for giving twice (``customerId``, ``Customer-ID``, full-width forms, an
    escape such as ``"customer\u005fid"``: ``fold_key``), so a record that names two customers under two
    spellings names both. None for an occurrence that cannot be read (another kind of value, a wrapper of
    more than one value, an id that prints as none, a key whose escapes do not decode)."""
    named: list[str | None] = []
    for key, spelled in _keys(text):
        # (a key whose escapes do not decode may be the customer's: whose id it holds cannot be told)
        if spelled is not None and fold_key(spelled) != _CUSTOMER_KEY_FOLDED:
            continue
        match = _CUSTOMER_VALUE.match(text, key.end()) if spelled is not None else None
        value = None
        if (
            match
            and match["wrap"]
            and (not match["close"] or (match["wrap"][0] == "[") != (match["close"].strip() == "]"))
        ):
            match = None  # a wrapper holding more than the one value: whose it is cannot be told
        if match and match["number"] is not None:
            value = integral_digits(match["number"])
        elif match:
            try:  # (a raw control character in the string, which strict JSON refuses: the id it prints as)
                value = json.loads(f'"{match["string"]}"', strict=False)
            except ValueError:
                value = None
        # an id an invisible or control character makes unusable names the customer it prints as: a broken
        # opt-out holds them (their rows withdrawn), and erasure reads it so (matching more only takes more)
        named.append(
            canonical_id(value) or (canonical_id(without_refused(value)) if isinstance(value, str) else None)
        )
    for inner in _encoded_records(text) if _encodings else ():
        named += customers_in_raw(inner, _encodings - 1)
    return named


# a key's closing quote: a quote the colon follows; its opening quote is at most 161 characters before it
# (80 units of ``_ANY_KEY``, an escape two characters each)
_KEY_END = re.compile(r'"(?=\s*:)')
_QUOTE = re.compile('"')
_KEY_REACH = 161


def _key_matches(text: str) -> Iterator[re.Match[str]]:
    """``_ANY_KEY.finditer(text)``, the same matches, tried only at the quotes a key's closing quote can
    follow: a line of escaped quotes (an envelope's message, ``\\"`` after ``\\"``) made every quote a start
    80 steps long, 1.4 s for a line of 1 MiB."""
    ends = [m.start() for m in _KEY_END.finditer(text)]
    if not ends:
        return
    quotes = [m.start() for m in _QUOTE.finditer(text)]
    if len(quotes) < 8 * len(ends):  # quotes mostly of keys and their values: every quote is worth trying
        yield from _ANY_KEY.finditer(text)
        return
    starts: set[int] = set()
    for end in ends:
        starts.update(quotes[bisect.bisect_left(quotes, end - _KEY_REACH) : bisect.bisect_left(quotes, end)])
    reached = 0
    for start in sorted(starts):
        if start >= reached and (key := _ANY_KEY.match(text, start)):
            reached = key.end()
            yield key


def _keys(text: str) -> Iterator[tuple[re.Match[str], str | None]]:
    """Every key of a raw line, with its spelling as JSON reads it (None: its escapes do not decode)."""
    for key in _key_matches(text):
        spelled = key.group(1)
        if "\\" in spelled:
            try:
                spelled = json.loads(f'"{spelled}"')
            except ValueError:
                spelled = None
        yield key, spelled


def _record_keys(text: str) -> int:
    """How many keys of the line open a record (``event_id``, ``request_id``, ``utterance_id`` in any
    spelling ``fold_key`` reads alike); a key whose escapes do not decode counts as one."""
    return sum(spelled is None or fold_key(spelled) in _RECORD_KEYS_FOLDED for _, spelled in _keys(text))


def _encoded_records(text: str) -> list[str]:
    """The records a JSON line holds as strings (a log shipper's or a queue sink's envelope:
    ``{"topic": …, "message": "{\\"customer_id\\": …}"}``), each as its own JSON text. Only a line
    that parses is looked into, and only when it holds an escaped quote."""
    if '\\"' not in text:
        return []
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return []
    out: list[str] = []
    stack = [parsed]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            out.append(value)
    return out


def _salvage_customer_ids(customer: pa.Array, raw: pa.Array, details=None) -> pa.Array:
    """Where a broken row's customer_id was not parsed, read it off the raw text if it is there.

    A consent or deletion record that does not parse still says whose it is often enough;
    knowing the customer lets the run hold back only them instead of blocking everyone. The id
    is read as JSON reads it (escapes decoded) and must be usable in its canonical form. A line
    that names more than one customer (records glued by a lost line break, a JSON array) or an id
    that cannot be read stays unknown, which blocks publishing (fail closed): holding the first
    customer alone would drop the others' opt-outs and deletions without a trace.
    """
    salvaged = []
    details = [None] * len(customer) if details is None else list(details)
    for known, text, detail in zip(customer.to_pylist(), raw.to_pylist(), details, strict=True):
        if known is not None or text is None:
            salvaged.append(known)
            continue
        named = customers_in_raw(text)
        if detail == "duplicate_key:customer_id" and len(named) < 2:
            # the reader found the key twice where the salvage reads fewer (a spelling of the key longer
            # than it reads): whose it is cannot be told
            salvaged.append(None)
            continue
        # (more records' keys than customers named: records glued where a writer crashed mid-record, the
        # first cut before its customer_id: "{"event_id": "e-1", "custo{"event_id": "e-2", "customer_id": …}")
        glued = _record_keys(text) > len(named)
        salvaged.append(
            named[0] if named and None not in named and len(set(named)) == 1 and not glued else None
        )
    return pa.array(salvaged, pa.string())


# the keys that make a line a privacy record of its kind, as ``fold_key`` reads keys: a deletion request
# is known by its ``request_id`` (or a ``scope`` with its ``requested_at``), a consent event by its
# ``event_id`` (or a ``status`` with its ``purpose``); no utterance has any of them
_PRIVACY_RECORD_KEYS = {
    "deletion": ({"requestid"}, {"scope", "requestedat"}),
    "consent": ({"eventid"}, {"status", "purpose"}),
}
MISPLACED_PRIVACY_RECORD = "misplaced_record:landing/utterances"


def misplaced_privacy_records(quarantined: pa.Table) -> dict[str, pa.Table]:
    """The malformed lines of an utterance file that are consent events or deletion requests (their keys
    say so), by kind: a deletion exported into a ``dt=`` folder is read as an utterance that lacks every
    field, and held nobody. Each is an unreadable record of its kind at its file and line: the customer it
    names (as ``_salvage_customer_ids`` reads a broken privacy line) is held back until the same record
    arrives readable where it belongs, and one naming no customer it can be sure of blocks publishing.
    A line that holds both kinds is a deletion (the one that withdraws more)."""
    raw = quarantined.column("raw").to_pylist() if quarantined.num_rows else []
    kinds: list[str | None] = []
    for text in raw:
        keys = {fold_key(spelled) for _, spelled in _keys(text or "") if spelled is not None}
        kinds.append(
            next(
                (kind for kind, shapes in _PRIVACY_RECORD_KEYS.items() if any(s <= keys for s in shapes)),
                None,
            )
        )
    out = {}
    for kind in _PRIVACY_RECORD_KEYS:
        rows = [i for i, found in enumerate(kinds) if found == kind]
        if not rows:
            continue
        records = quarantined.take(pa.array(rows, pa.int64()))
        texts = records.column("raw").combine_chunks()
        columns = {
            # the record's own id (the same record sent again where it belongs releases its hold)
            "record_id": pa.array([_record_id(t, kind) for t in texts.to_pylist()], pa.string()),
            "customer_id": _salvage_customer_ids(pa.nulls(len(rows), pa.string()), texts),
            "detail": pa.array([MISPLACED_PRIVACY_RECORD] * len(rows), pa.string()),
        }
        for name, values in columns.items():
            records = records.set_column(records.schema.get_field_index(name), name, values)
        out[kind] = records
    return out


def _record_id(text: str | None, kind: str) -> str | None:
    """A privacy line's ``request_id`` or ``event_id`` when it parses as one JSON object giving it as a
    string (any spelling of the key ``fold_key`` reads), else None."""
    try:
        record = json.loads(text or "")
    except (ValueError, RecursionError):
        return None
    wanted = fold_key("request_id" if kind == "deletion" else "event_id")
    if not isinstance(record, dict):
        return None
    ids = [v for k, v in record.items() if fold_key(k) == wanted]
    return ids[0] if len(ids) == 1 and isinstance(ids[0], str) else None


def _file_problem(rel: str, detail: str, line: int = 0, rows: int = 1) -> pa.Table:
    """The quarantine rows of a part of a file that cannot be read: one, or one for each of the ``rows``
    lines from ``line`` (a row group the footer counts: each utterance in it gets its decision, and the
    run's counts add up to what it read)."""
    return pa.table(
        {
            "source_file": [rel] * rows,
            "line": pa.array(range(line, line + rows), pa.int64()),
            "record_id": pa.nulls(rows, pa.string()),
            "customer_id": pa.nulls(rows, pa.string()),
            "reason": [S.MALFORMED] * rows,
            "detail": [detail] * rows,
            "raw": pa.nulls(rows, pa.string()),
        },
        schema=S.QUARANTINE,
    )


def _empty(schema: pa.Schema, rel: str) -> pa.Table:
    """No records, in the columns ``_finish`` gives records (an unreadable file's callers drop them alike)."""
    return (
        schema.empty_table()
        .append_column("source_file", pa.array([], pa.string()))
        .append_column("line", pa.array([], pa.int64()))
        .append_column("landed_at", pa.array([], S.TS))
    )
