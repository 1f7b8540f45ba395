"""A landing file is read in pieces (``read_landing_pieces``): what a reading holds follows the piece,
not the file. Read in pieces of a few rows or bytes, every file gives the very records and quarantine
rows, line numbers included, that it gives read in one piece; gzip text is given only as far as it
can be trusted."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import re
import struct
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utterance_governance.io import readers
from utterance_governance.io.readers import MAX_LINE_BYTES, read_landing_file, read_landing_pieces
from utterance_governance.io.storage import Storage

DAY = "landing/utterances/dt=2026-11-25"


def row(i: int, **changes) -> dict:
    return {"utterance_id": f"u{i}", "customer_id": f"c{i % 7}", "captured_at": "2026-11-25T13:45:12Z",
            "locale": "en-US", "transcript": f"what is the weather on day {i}", "response": "Sunny.",
            "asr_confidence": 0.9, **changes}  # fmt: skip


def lines_of(n: int) -> list[bytes]:
    """``n`` lines: records, and among them blank, malformed and too-long lines."""
    out = []
    for i in range(n):
        if i % 11 == 3:
            out.append(b"")
        elif i % 13 == 5:
            out.append(b'{"utterance_id": "broken", ')
        elif i == n // 2:
            out.append(json.dumps(row(i, transcript="x" * (MAX_LINE_BYTES + 10))).encode())
        else:
            out.append(json.dumps(row(i)).encode())
    return out


@pytest.fixture
def lake(tmp_path) -> Storage:
    return Storage(str(tmp_path))


def together(pieces) -> tuple[list[dict], list[dict]]:
    pieces = list(pieces)
    records = [r for p in pieces for r in p.records.to_pylist()]
    quarantine = [r for p in pieces for r in p.quarantine.to_pylist()]
    return records, quarantine


def assert_same_as_whole(lake: Storage, rel: str, monkeypatch, **pieces) -> int:
    whole = read_landing_file(lake, rel, "utterances")
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 1000)
    read = list(read_landing_pieces(lake, rel, "utterances", **pieces))
    assert len(read) > 3, "the file was not read in pieces"
    assert together(read) == (whole.records.to_pylist(), whole.quarantine.to_pylist())
    return len(read)


@pytest.mark.parametrize("name", ["f.jsonl", "f.jsonl.gz"])
def test_json_lines_in_pieces_read_as_the_whole_file(lake, monkeypatch, name):
    data = b"\xef\xbb\xbf" + b"\n".join(lines_of(300))  # a byte-order mark first, no line end last
    lake.write_bytes(f"{DAY}/{name}", gzip.compress(data) if name.endswith(".gz") else data)
    assert_same_as_whole(lake, f"{DAY}/{name}", monkeypatch, piece_bytes=2_000)
    whole = read_landing_file(lake, f"{DAY}/{name}", "utterances")
    details = dict(zip(whole.quarantine.column("line").to_pylist(), whole.quarantine.column("detail").to_pylist(),
                       strict=True))  # fmt: skip
    assert details[151] == "line_too_long" and details[6] == "unparseable_json"
    assert whole.records.column("line").to_pylist()[-1] == 300  # the file's own line numbers


def test_parquet_in_pieces_reads_as_the_whole_file(lake, monkeypatch):
    rows = [row(i) for i in range(200)]
    rows[17]["asr_confidence"] = 7.0  # out of range
    rows[150]["captured_at"] = "yesterday"
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer, row_group_size=64)
    lake.write_bytes(f"{DAY}/f.parquet", buffer.getvalue())
    assert (
        assert_same_as_whole(lake, f"{DAY}/f.parquet", monkeypatch, piece_rows=25) == 10
    )  # 3 x (25, 25, 14), 8
    quarantined = read_landing_file(lake, f"{DAY}/f.parquet", "utterances").quarantine
    assert quarantined.column("line").to_pylist() == [18, 151]


def test_a_file_of_one_endless_line_is_never_held_whole(lake, monkeypatch):
    """A file without line breaks: one line too long, of which only the first bytes are kept."""
    lake.write_bytes(
        f"{DAY}/f.jsonl",
        b'{"utterance_id": "' + b"a" * (3 * MAX_LINE_BYTES) + b'"}\n' + json.dumps(row(1)).encode(),
    )
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 64 << 10)
    kept = []
    real = readers._jsonl_columns
    monkeypatch.setattr(readers, "_jsonl_columns", lambda data, *a: kept.append(len(data)) or real(data, *a))
    records, quarantine = together(read_landing_pieces(lake, f"{DAY}/f.jsonl", "utterances"))
    assert max(kept) < MAX_LINE_BYTES + (64 << 10) + 1_000
    assert [(q["line"], q["detail"]) for q in quarantine] == [(1, "line_too_long")]
    assert [(r["utterance_id"], r["line"]) for r in records] == [("u1", 2)]


def _members(*texts: bytes) -> bytes:
    return b"".join(gzip.compress(t) for t in texts)


def _with_bad_crc(member: bytes) -> bytes:
    """The member with its CRC-32 wrong (its text inflates, and is not what was written)."""
    crc = struct.unpack("<I", member[-8:-4])[0]
    return member[:-8] + struct.pack("<I", crc ^ 1) + member[-4:]


def _text(i: int, n: int) -> bytes:
    return b"\n".join(json.dumps(row(j)).encode() for j in range(i, i + n)) + b"\n"


GZIP_CASES = {
    # name: (file bytes, utterance ids read, the file's problem)
    "two members": (_members(_text(0, 50), _text(50, 50)), 100, None),
    "zero padding": (_members(_text(0, 50)) + b"\0" * 5000, 50, None),
    "cut inside the second member": (_members(_text(0, 50), _text(50, 50))[:-300], None, "truncated_gzip"),
    "bytes after the members": (_members(_text(0, 50)) + b"not gzip", 50, "trailing_bytes"),
    "a second member failing its CRC": (
        _members(_text(0, 50)) + _with_bad_crc(gzip.compress(_text(50, 50))),
        50,
        "trailing_bytes",
    ),
    "its only member failing its CRC": (_with_bad_crc(gzip.compress(_text(0, 50))), 0, "corrupt_gzip"),
}


@pytest.mark.parametrize("case", sorted(GZIP_CASES))
def test_gzip_text_is_given_only_as_far_as_it_can_be_trusted(lake, monkeypatch, case):
    data, expected, problem = GZIP_CASES[case]
    lake.write_bytes(f"{DAY}/f.jsonl.gz", data)
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 500)  # the CRC fails long after the text was inflated
    records, quarantine = together(
        read_landing_pieces(lake, f"{DAY}/f.jsonl.gz", "utterances", piece_bytes=900)
    )
    ids = [r["utterance_id"] for r in records]
    assert ids == [f"u{i}" for i in range(len(ids))]  # in order, each once, none after a gap
    if expected is not None:
        assert len(ids) == expected
    else:  # cut off: the complete lines of the member cut, none beyond
        assert 50 < len(ids) < 100
    problems = [q["detail"] for q in quarantine if q["line"] == 0]
    assert problems == ([f"unreadable_file:{problem}"] if problem else [])
    assert not [q for q in quarantine if q["line"] != 0], "no partial line is read as a record"


def _padded_to_the_block_edge(block: int) -> bytes:
    """A member, zeros up to the block's edge, then another member: the zeros are where the gzip ends."""
    first = gzip.compress(_text(0, 50))
    return first + b"\0" * (block - len(first)) + gzip.compress(_text(50, 50))


def _cut_after_an_unterminated_member() -> bytes:
    """A complete member whose text has no final line end, then a member cut before its first."""
    return gzip.compress(_text(0, 50)[:-1]) + gzip.compress(_text(50, 50))[:40]


AGREEING = {
    **{name: data for name, (data, _, _) in GZIP_CASES.items()},
    "zero padding ending on a block's edge": _padded_to_the_block_edge(4096),
    "a complete member without a final line end, then one cut": _cut_after_an_unterminated_member(),
    "zeros first": b"\0" * 10 + gzip.compress(_text(0, 5)),
}


@pytest.mark.parametrize("case", sorted(AGREEING))
def test_a_gzip_file_rewritten_without_lines_keeps_the_others_and_what_cannot_be_read(
    lake, monkeypatch, case
):
    """The purge rewrites a gzip file from the reader's own stream by the reader's line numbers: the
    rewritten file reads as the records read before less those dropped (a cut member's last complete
    lines kept, padding on a block's edge read on), and bytes that are no gzip stay as they were."""
    from utterance_governance.purge.copies import _text_without_lines

    monkeypatch.setattr(readers, "_BLOCK_BYTES", 4096)
    rel = f"{DAY}/f.jsonl.gz"
    lake.write_bytes(rel, AGREEING[case])
    before = read_landing_file(lake, rel, "utterances").records
    drop = {n for n in before.column("line").to_pylist() if n % 3 == 0}
    text = readers.LandingText(lake, rel)
    out = lake.full(f"{DAY}/g.jsonl.gz")
    _text_without_lines(lake, text, drop, out)
    after = read_landing_file(lake, f"{DAY}/g.jsonl.gz", "utterances")
    kept = [r["utterance_id"] for r in before.to_pylist() if r["line"] not in drop]
    assert after.records.column("utterance_id").to_pylist() == kept
    if text.unread_from is not None:  # what is no gzip is kept, byte for byte, and still said
        assert lake.read_bytes(f"{DAY}/g.jsonl.gz").endswith(AGREEING[case][text.unread_from :])
        # (a file of no member read is one empty member now, before the same bytes)
        problem = "trailing_bytes" if text.unread_from == 0 else text.problem
        assert after.quarantine.column("detail").to_pylist() == [f"unreadable_file:{problem}"]
    else:
        assert after.quarantine.num_rows == 0


def _lines_split(text: bytes) -> list[bytes]:
    """A JSON Lines text's lines as the reader numbers them, each with its end (a lone CR ends a line
    in a file whose first 64 KiB hold a CR and no line feed)."""
    head = text[: 1 << 16]
    lone = b"\r" in head and b"\n" not in head
    parts = re.split(rb"(\n|\r(?!\n))" if lone else rb"(\n)", text)
    return [a + b for a, b in zip(parts[0::2], [*parts[1::2], b""], strict=True)]


@pytest.mark.parametrize("seed", range(40))
def test_a_text_without_some_lines_drops_those_the_reader_numbers_and_no_byte_else(lake, monkeypatch, seed):
    """Random texts (line feeds, CRLF, lone CRs, blank lines, a BOM, no final line end), random
    blocks and lines to drop: exactly those lines go, numbered as the reader numbers them."""
    rng = random.Random(seed)
    ends = rng.choice([[b"\n"], [b"\r\n"], [b"\r"], [b"\r", b"\r\n"], [b"\n", b"\r\n"]])
    n = rng.randint(1, 60)
    lines = [b"" if rng.random() < 0.1 else json.dumps(row(i)).encode() for i in range(n)]
    text = (codecs.BOM_UTF8 if rng.random() < 0.3 else b"") + b"".join(
        line + (rng.choice(ends) if k < n - 1 or rng.random() < 0.5 else b"") for k, line in enumerate(lines)
    )
    monkeypatch.setattr(readers, "_BLOCK_BYTES", rng.randint(1, 300))
    lake.write_bytes(f"{DAY}/f.jsonl", text)
    drop = {k for k in range(1, n + 2) if rng.random() < 0.3}
    kept = b"".join(readers.LandingText(lake, f"{DAY}/f.jsonl").without_lines(drop))
    assert kept == b"".join(part for k, part in enumerate(_lines_split(text), start=1) if k not in drop)
    records = read_landing_file(lake, f"{DAY}/f.jsonl", "utterances").records
    dropped_ids = {r["utterance_id"] for r in records.to_pylist() if r["line"] in drop}
    lake.write_bytes(f"{DAY}/g.jsonl", kept)
    left = set(
        read_landing_file(lake, f"{DAY}/g.jsonl", "utterances").records.column("utterance_id").to_pylist()
    )
    assert left == set(records.column("utterance_id").to_pylist()) - dropped_ids


@pytest.mark.parametrize("block", [7, 61, 4096])
def test_lines_ending_in_crlf_after_a_head_of_lone_crs_are_dropped_by_their_number(lake, monkeypatch, block):
    """A file whose first 64 KiB end lines in lone CRs, and later lines in CRLF: a CRLF cut between two
    blocks is one line end, not two."""
    head = b"\r".join(json.dumps(row(i)).encode() for i in range(700)) + b"\r"
    text = head + b"\r\n".join(json.dumps(row(i)).encode() for i in range(700, 900))
    assert len(head) > 1 << 16
    monkeypatch.setattr(readers, "_BLOCK_BYTES", block)
    lake.write_bytes(f"{DAY}/f.jsonl", text)
    drop = set(range(650, 900, 7))
    kept = b"".join(readers.LandingText(lake, f"{DAY}/f.jsonl").without_lines(drop))
    assert kept == b"".join(part for k, part in enumerate(_lines_split(text), start=1) if k not in drop)


def test_a_small_gzip_inflating_a_thousandfold_is_read_a_block_at_a_time(lake, monkeypatch):
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 64 << 10)
    text = (json.dumps(row(1, transcript=" " * 5000)).encode() + b"\n") * 2000  # 10 MB, a few KB zipped
    lake.write_bytes(f"{DAY}/f.jsonl.gz", gzip.compress(text))
    stream = readers._GunzipStream(lake, f"{DAY}/f.jsonl.gz")
    blocks = list(stream.blocks())
    assert b"".join(blocks) == text and max(map(len, blocks)) <= 64 << 10


def test_a_gzip_file_replaced_between_its_two_readings_is_read_again(lake):
    lake.write_bytes(f"{DAY}/f.jsonl.gz", gzip.compress(_text(0, 5)))
    stream = readers._GunzipStream(lake, f"{DAY}/f.jsonl.gz")
    lake.write_bytes(f"{DAY}/f.jsonl.gz", gzip.compress(_text(0, 50)))
    with pytest.raises(readers.FileChangedWhileRead):
        list(stream.blocks())


def _with_a_corrupt_row_group(table: pa.Table, group: int, rows: int) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=rows)
    data = bytearray(buffer.getvalue())
    column = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(group).column(1)
    for at in range(column.data_page_offset + 20, column.data_page_offset + column.total_compressed_size - 2):
        data[at] = 0xAB
    return bytes(data)


@pytest.mark.parametrize("kind", ["utterances", "deletions"])
def test_a_row_group_that_cannot_be_decoded_is_a_quarantine_row_per_line_and_the_others_are_read(lake, kind):
    """It made the whole file one ``unreadable_file`` row: a deletions file's readable requests were
    not honoured (a cut gzip keeps its complete lines). Each of an utterance file's lines is a quarantine
    row (it was one row for the group: the run's counts said one malformed utterance for the group's ten); a
    privacy file's group stays one unreadable record, acknowledged once."""
    if kind == "utterances":
        rows = [row(i) for i in range(30)]
    else:
        rows = [{"request_id": f"r{i}", "customer_id": f"c{i}", "scope": "all",
                 "requested_at": "2026-11-25T10:00:00Z"} for i in range(30)]  # fmt: skip
    rel = f"{DAY}/f.parquet" if kind == "utterances" else "landing/deletions/f.parquet"
    lake.write_bytes(rel, _with_a_corrupt_row_group(pa.Table.from_pylist(rows), group=1, rows=10))
    read = read_landing_file(lake, rel, kind)
    assert read.records.column("line").to_pylist() == [*range(1, 11), *range(21, 31)]
    assert [(q["line"], q["detail"], q["customer_id"]) for q in read.quarantine.to_pylist()] == [
        (line, "unreadable_row_group:OSError", None)  # naming nobody: a deletion file's blocks publishing
        for line in (
            range(11, 21) if kind == "utterances" else [11]
        )  # (a privacy file's: one record to acknowledge)
    ]


def test_a_read_that_fails_for_another_reason_than_the_files_bytes_raises(lake, monkeypatch):
    """A connection reset, a timeout, a refused permission, a bug: no verdict on the file. Taken for
    malformed, the file was marked read and never read again."""
    lake.write_bytes(f"{DAY}/f.jsonl", json.dumps(row(1)).encode())
    read_timeout = type("ReadTimeoutError", (OSError,), {})  # botocore's: an OSError without an errno
    for error in (ConnectionResetError("reset"), TimeoutError(), PermissionError(13, "denied"),
                  OSError(5, "I/O error"), read_timeout("read timed out"), AttributeError("a bug")):  # fmt: skip

        def failing(self, rel, mode="rb", error=error):
            raise error

        monkeypatch.setattr(Storage, "open", failing)
        with pytest.raises(type(error)):
            read_landing_file(lake, f"{DAY}/f.jsonl", "utterances")


@pytest.mark.parametrize(
    ("data", "detail"),
    [(b"", "unreadable_file:empty_file"), (b'{"utterance_id": "u1"}', "unreadable_file:not_parquet")],
)
def test_a_parquet_file_that_is_none_says_so(lake, data, detail):
    lake.write_bytes(f"{DAY}/f.parquet", data)
    assert read_landing_file(lake, f"{DAY}/f.parquet", "utterances").quarantine.column(
        "detail"
    ).to_pylist() == [detail]


def test_zlib_reads_a_bad_crc_only_at_the_members_end():
    """Why the stream needs its first pass: the text of a member whose CRC fails is inflated first."""
    member = _with_bad_crc(gzip.compress(_text(0, 50)))
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflate.decompress(member[:-8]) == _text(0, 50)
    with pytest.raises(zlib.error):
        inflate.decompress(member[-8:])


@pytest.mark.parametrize("kind", ["consent", "deletions"])
def test_a_privacy_id_repeated_in_a_later_piece_is_read_as_within_one(lake, monkeypatch, kind):
    """A consent or deletion id a file gives twice is read twice, in one piece or two: the store takes
    the pair in as it takes the same pair from two files (an exact repeat is one record, another version
    of a deletion a request of its own, of a consent event doubt). Quarantined as ``duplicate_id``, a
    delete-all appended under a listing's id was only held, never carried out."""
    if kind == "consent":
        first = {"event_id": "e-1", "customer_id": "alice", "purpose": "model_training", "status": "opted_in",
                 "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z"}  # fmt: skip
        again = {**first, "status": "opted_out", "recorded_at": "2026-11-02T00:00:00Z"}
        filler = [{**first, "event_id": f"f-{i}", "customer_id": f"c{i}"} for i in range(40)]
    else:
        first = {"request_id": "r-1", "customer_id": "alice", "scope": "utterances", "utterance_ids": ["u1"],
                 "requested_at": "2026-11-01T00:00:00Z"}  # fmt: skip
        again = {**first, "scope": "all", "utterance_ids": None}
        filler = [{**first, "request_id": f"f-{i}", "customer_id": f"c{i}"} for i in range(40)]
    rel = f"landing/{kind}/f.jsonl"
    lake.write_bytes(rel, b"\n".join(json.dumps(r).encode() for r in [first, *filler, again]) + b"\n")
    whole = read_landing_file(lake, rel, kind)
    monkeypatch.setattr(readers, "PIECE_BYTES", 1_000)
    pieces = list(read_landing_pieces(lake, rel, kind))
    assert len(pieces) > 3
    assert [r for p in pieces for r in p.records.to_pylist()] == whole.records.to_pylist()
    assert whole.records.num_rows == 42 and whole.records.column("line").to_pylist()[-1] == 42
    assert [p.quarantine.num_rows for p in pieces] == [0] * len(pieces)
    assert whole.quarantine.num_rows == 0


def test_a_parquet_file_of_no_row_gives_one_empty_table_of_its_schema(lake):
    """Nothing came of it: a landing file of blank lines left no decisions file for its run."""
    lake.write_parquet("staging/x.parquet", pa.table({"utterance_id": pa.array([], pa.string())}))
    (table,) = list(lake.iter_parquet("staging/x.parquet", 10))
    assert table.num_rows == 0 and table.column_names == ["utterance_id"]


def test_a_parquet_row_group_is_decoded_a_batch_at_a_time(lake, monkeypatch):
    """A landing file's writer sizes its row groups: one of 1.2 GB must not be decoded whole. Pieces
    of about ``max_bytes`` come of a single row group, and ``read_row_group`` is never called."""
    texts = pa.array([f"{i:05d} " + "x" * 2000 for i in range(3000)])
    buffer = io.BytesIO()
    pq.write_table(pa.table({"utterance_id": [f"u{i}" for i in range(3000)], "transcript": texts}), buffer,
                   row_group_size=3000)  # fmt: skip
    lake.write_bytes("staging/one-group.parquet", buffer.getvalue())

    def whole(*args, **kwargs):
        raise AssertionError("a row group was read whole")

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", whole)
    pieces = list(lake.iter_parquet("staging/one-group.parquet", 1000, max_bytes=200_000))
    assert all(isinstance(p, pa.Table) for p in pieces)
    assert [r for p in pieces for r in p.column("utterance_id").to_pylist()] == [f"u{i}" for i in range(3000)]
    assert len(pieces) >= 25 and max(p.nbytes for p in pieces) < 200_000 * 1.5
    by_rows = list(lake.iter_parquet("staging/one-group.parquet", 700, columns=["utterance_id"]))
    assert [p.num_rows for p in by_rows] == [700, 700, 700, 700, 200]  # no byte bound: by rows alone


def test_rows_of_a_row_group_before_a_corrupt_page_are_read_and_the_rest_counted(lake):
    """Corruption late in a row group: its rows before it are given, then an ``UnreadableRows`` of
    the rows left, then the next row group; the reader's quarantine row stands at its first line."""
    table = pa.table({"utterance_id": [f"u{i}" for i in range(4000)],
                      "transcript": [f"text {i} " + "y" * (i % 97) for i in range(4000)]})  # fmt: skip
    buffer = io.BytesIO()
    pq.write_table(
        table, buffer, row_group_size=3000, data_page_size=2048, compression="none", use_dictionary=False
    )
    data = bytearray(buffer.getvalue())
    column = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(1)
    end = column.data_page_offset + column.total_compressed_size
    for at in range(end - 3000, end - 100):  # the last pages of the first row group's text
        data[at] = 0xAB
    lake.write_bytes("staging/late.parquet", bytes(data))
    pieces = list(lake.iter_parquet("staging/late.parquet", 500))
    unreadable = [p for p in pieces if not isinstance(p, pa.Table)]
    read = [p for p in pieces if isinstance(p, pa.Table)]
    assert len(unreadable) == 1
    given_first = sum(p.num_rows for p in pieces[: pieces.index(unreadable[0])])
    assert 0 < given_first < 3000 and given_first + unreadable[0].rows == 3000
    assert [r for p in read for r in p.column("utterance_id").to_pylist()][given_first:] == [
        f"u{i}" for i in range(3000, 4000)
    ]


def test_a_gzip_of_lone_cr_lines_cut_short_gives_the_complete_lines_of_its_cut_member(lake):
    """Lines that end in lone carriage returns: a member cut short gives its complete lines, as one
    of line feeds does (they were not trusted, so neither read nor kept by a purge's rewrite)."""
    text = b"\r".join(json.dumps(row(i)).encode() for i in range(40)) + b"\r"
    lake.write_bytes(f"{DAY}/f.jsonl.gz", gzip.compress(text)[:-30])
    records, quarantine = together(read_landing_pieces(lake, f"{DAY}/f.jsonl.gz", "utterances"))
    ids = [r["utterance_id"] for r in records]
    assert 30 < len(ids) < 40 and ids == [f"u{i}" for i in range(len(ids))]
    assert [q["detail"] for q in quarantine] == ["unreadable_file:truncated_gzip"]
