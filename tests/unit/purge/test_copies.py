"""Purging every other copy of deleted utterances: landing files in each format, quarantine,
staging and decisions — other rows kept byte for byte, the processed-file registry kept right."""

from __future__ import annotations

import gzip
import json
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.lakes import KEY, deletion, speaker, ts

from utterance_governance import schema as S
from utterance_governance.decide import PUBLISHABLE
from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.purge.copies import purge_copies

DT = "landing/utterances/dt=2026-11-01"


def line(uid: str, customer: str, hours: float, text: str, **extra) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": ts(hours).isoformat().replace("+00:00", "Z"),
           "locale": "en-US", "transcript": text, "response": "ok", "asr_confidence": 0.9, **extra}  # fmt: skip
    return json.dumps(row).encode()


LINES = [
    line("u1", "gone", 1, "first secret of gone"),
    line("u2", "kept", 1, "a line that must stay exactly as it is  "),
    b"",
    line("u3", "gone", 2, "malformed secret of gone", captured_at="2026-11-01T12:00:00"),  # no offset
    b'{"utterance_id": "u4", "customer_id": "gone", "transcript": "cut off secret of gone',  # unparseable
    line("u5", "other", 3, "not gone's utterance though its id is listed"),
    line("u6", "part", 5, "inside the range"),
    line("u7", "part", 50, "outside the range"),
    b"",
]
DELETIONS = pa.Table.from_pylist(
    [
        deletion("d-all", "gone", "all", at=100),
        deletion("d-list", "gone", "utterances", ids=["u5"]),
        deletion("d-range", "part", "range", start=ts(4), end=ts(6)),
    ],
    schema=S.DELETION,
)
# 1-based: u1, u3 (malformed: fails closed), u4 (unparseable: its customer read off the raw line), u6
GONE_LINES = {1, 4, 5, 7}


@pytest.fixture
def lake(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}")
    store.create_schema()
    text = b"\n".join(LINES)
    storage.write_bytes(f"{DT}/a.jsonl", text)
    storage.write_bytes(f"{DT}/b.jsonl.gz", gzip.compress(text))
    read = read_landing_file(storage, f"{DT}/a.jsonl", "utterances")
    storage.write_parquet(
        f"{DT}/c.parquet", read.records.drop_columns(["source_file", "line"]), compression="snappy"
    )
    store.mark_files_processed([storage.info(f"{DT}/a.jsonl"), storage.info(f"{DT}/b.jsonl.gz")], "run-1")
    storage.write_parquet("quarantine/utterances/dt=2026-11-01__a.jsonl.parquet", read.quarantine)
    storage.write_parquet("quarantine/held/dt=2026-11-01__a.jsonl.parquet", read.records)
    publishable = pa.Table.from_pylist(
        [{"utterance_id": r["utterance_id"], "speaker_key": speaker(r["customer_id"]), "locale": "en-US",
          "captured_at": r["captured_at"], "captured_date": r["captured_at"].date(), "user_text": r["transcript"],
          "assistant_text": "ok", "asr_confidence": 0.9, "content_hash": "h", "source_file": r["source_file"],
          "line": r["line"], "landed_at": r["landed_at"]} for r in read.records.to_pylist()],
        schema=PUBLISHABLE,
    )  # fmt: skip
    storage.write_parquet("staging/run-2/files/a.publishable.parquet", publishable)
    decisions = pa.table(
        {
            "utterance_id": publishable.column("utterance_id"),
            "speaker_key": publishable.column("speaker_key"),
            "captured_at": publishable.column("captured_at"),
            "locale": publishable.column("locale"),
            "reason": pa.array([S.PUBLISHED] * publishable.num_rows),
            "detail": pa.nulls(publishable.num_rows, pa.string()),
            "source_file": publishable.column("source_file"),
            "line": publishable.column("line"),
            "content_hash": publishable.column("content_hash"),
            "landed_at": publishable.column("landed_at"),
        },
        schema=S.DECISION,
    )
    storage.write_parquet("decisions/run-1/a.parquet", decisions)
    storage.write_parquet("staging/run-2/batch_duplicates.parquet", pa.table({"utterance_id": ["u1", "u2"]}))
    storage.write_bytes("landing/deletions/d.jsonl", b'{"request_id": "d-list", "utterance_ids": ["u5"]}\n')
    yield storage, store, read
    store.dispose()


def snapshot(storage: Storage) -> dict[str, bytes]:
    return {f.path: storage.read_bytes(f.path) for f in storage.list_files("")}


def test_deleted_utterances_leave_every_copy_and_nothing_else_changes(lake):
    storage, store, _ = lake
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert result.problems == [] and result.unrecognised_files == []

    kept_lines = [raw for n, raw in enumerate(LINES, start=1) if n not in GONE_LINES]
    assert storage.read_bytes(f"{DT}/a.jsonl").split(b"\n") == kept_lines  # byte for byte, blank lines too
    assert gzip.decompress(storage.read_bytes(f"{DT}/b.jsonl.gz")).split(b"\n") == kept_lines
    parquet = pq.ParquetFile(storage.full(f"{DT}/c.parquet"))
    assert parquet.metadata.row_group(0).column(0).compression == "SNAPPY"  # the file's own codec kept
    assert parquet.read().column("utterance_id").to_pylist() == ["u2", "u5", "u7"]

    for path in ("quarantine/held/dt=2026-11-01__a.jsonl.parquet", "staging/run-2/files/a.publishable.parquet",
                 "decisions/run-1/a.parquet"):  # fmt: skip
        assert storage.read_parquet(path).column("utterance_id").to_pylist() == ["u2", "u5", "u7"], path
    assert storage.read_parquet("quarantine/utterances/dt=2026-11-01__a.jsonl.parquet").num_rows == 0
    assert storage.read_parquet("staging/run-2/batch_duplicates.parquet").column(0).to_pylist() == ["u2"]
    assert storage.read_bytes("landing/deletions/d.jsonl").count(b"u5") == 1  # the request itself stays

    assert result.rows_removed == {
        "landing": 4 + 4 + 2,
        "quarantine": 2 + 2,
        "staging": 2 + 1,
        "decisions": 2,
    }
    # u1, u3, u4 in each JSONL file; u1 in the Parquet file
    assert result.by_request["d-all"]["landing_rows"] == 3 + 3 + 1
    assert result.by_request["d-range"] == {"landing_rows": 3, "quarantine_rows": 1, "staging_rows": 1,
                                            "decisions_rows": 1}  # fmt: skip
    assert "d-list" not in result.by_request  # u5 is not the requester's

    # the registry follows the rewritten files: they are not new input
    for path in (f"{DT}/a.jsonl", f"{DT}/b.jsonl.gz"):
        entry = store.processed_file(path)
        assert entry["fingerprint"] == storage.info(path).fingerprint and entry["rewritten_at"] is not None
    new = {f.path for f in store.select_new_files(storage.list_files("landing/utterances"))}
    assert new == {f"{DT}/c.parquet"}  # never processed: still new input (now without the deleted rows)
    assert result.registry_updated == 2


def test_a_repeat_run_changes_nothing(lake):
    storage, store, _ = lake
    purge_copies(storage, store, DELETIONS, KEY)
    before = snapshot(storage)
    infos = {f.path: f.fingerprint for f in storage.list_files("")}
    again = purge_copies(storage, store, DELETIONS, KEY)
    assert sum(again.rows_removed.values()) == 0 and sum(again.files_rewritten.values()) == 0
    assert snapshot(storage) == before
    assert {f.path: f.fingerprint for f in storage.list_files("")} == infos


def test_a_dry_run_reports_and_changes_nothing(lake):
    storage, store, _ = lake
    before = snapshot(storage)
    dry = purge_copies(storage, store, DELETIONS, KEY, dry_run=True)
    assert dry.rows_removed["landing"] == 10 and sum(dry.files_rewritten.values()) == 0
    assert snapshot(storage) == before


def test_a_file_left_without_rows_stays_as_an_empty_file(lake):
    storage, store, _ = lake
    storage.write_bytes(f"{DT}/only-gone.jsonl", LINES[0] + b"\n")
    purge_copies(storage, store, DELETIONS, KEY)
    assert storage.read_bytes(f"{DT}/only-gone.jsonl") == b""
    assert read_landing_file(storage, f"{DT}/only-gone.jsonl", "utterances").rows_seen == 0


def test_no_deletion_requests_touch_nothing(lake):
    storage, store, _ = lake
    before = snapshot(storage)
    result = purge_copies(storage, store, S.DELETION.empty_table(), KEY)
    assert sum(result.rows_removed.values()) == 0 and snapshot(storage) == before


def _staged_copy_of_gone(storage: Storage, name: str) -> str:
    """A staged file a publish running beside the purge writes: the deleted customer's cleaned text."""
    path = f"staging/run-beside/{name}.parquet"
    storage.write_parquet(path, pa.table({
        "utterance_id": ["u1"], "speaker_key": [speaker("gone")], "captured_at": pa.array([ts(1)], S.TS),
        "transcript": ["first secret of gone"],
    }))  # fmt: skip
    return path


@pytest.mark.parametrize("written", [1, 5])
def test_a_copy_written_while_the_purge_searched_is_searched_or_keeps_the_receipt_open(
    lake, monkeypatch, written
):
    """A run deciding or publishing beside the purge writes a copy after its folder was listed: it is
    searched once more; copies that keep appearing keep the receipts open (a problem) for the next run."""
    from utterance_governance.purge import copies

    storage, store, _ = lake
    search, paths = copies._search, []

    def search_while_a_publish_writes(*args, **kwargs):
        search(*args, **kwargs)
        if len(paths) < written:
            paths.append(_staged_copy_of_gone(storage, f"part-{len(paths)}"))

    monkeypatch.setattr(copies, "_search", search_while_a_publish_writes)
    result = purge_copies(storage, store, DELETIONS, KEY, now=ts(200))
    left = [p for p in paths if storage.exists(p) and storage.read_parquet(p).num_rows]
    if written == 1:  # written during the first search: found by the second
        assert not left and not result.problems
    else:  # written during every search: the receipts cannot say every copy was searched
        assert left and any("written while the purge searched" in p for p in result.problems)


@pytest.mark.parametrize("crash", ["before_write", "after_write"])
def test_a_landing_rewrite_cut_short_leaves_no_processed_file_to_take_again(lake, monkeypatch, crash):
    """The registry notes a rewrite before the file is written: whether the crash came before the
    write or after it (before the re-registration), the next purge or publish finishes the entry."""
    from utterance_governance.io.storage import Staged
    from utterance_governance.purge import copies

    storage, store, _ = lake
    path = f"{DT}/a.jsonl"
    before = storage.info(path)
    write, put, update = storage.write_bytes, Staged.put, store.update_file_fingerprint

    def put_or_die(staged):
        if staged.full == storage.full(path) and crash == "before_write":
            raise OSError("the worker was lost before writing")
        return put(staged)

    def die(*args, **kwargs):
        raise OSError("the worker was lost after writing")

    monkeypatch.setattr(Staged, "put", put_or_die)
    monkeypatch.setattr(store, "update_file_fingerprint", die if crash == "after_write" else update)
    result = purge_copies(storage, store, DELETIONS, KEY, now=ts(200))
    assert any(path in problem for problem in result.problems)
    monkeypatch.setattr(Staged, "put", put)
    monkeypatch.setattr(store, "update_file_fingerprint", update)
    finished = copies.finish_rewrites(storage, store)
    assert path in finished[{"before_write": "restored", "after_write": "registered"}[crash]]
    assert store.select_new_files([storage.info(path)]) == []  # not new input
    if crash == "before_write":  # still as processed: the next purge rewrites it
        assert storage.info(path) == before
        purge_copies(storage, store, DELETIONS, KEY, now=ts(200))
        assert b"first secret of gone" not in storage.read_bytes(path)
        assert store.select_new_files([storage.info(path)]) == []
    # a file changed upstream meanwhile stays new input
    store.note_rewrite(path, "0" * 64)
    write(path, storage.read_bytes(path) + b"\n")
    assert copies.finish_rewrites(storage, store)["changed"] == [path]
    assert store.select_new_files([storage.info(path)]) != []


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz", "big.parquet"])
def test_a_large_landing_file_is_purged_piece_by_piece_never_held_whole(lake, monkeypatch, name):
    """The purge reads and rewrites a landing file in pieces, as the reader reads it: no call reads the
    file whole, and what it keeps is every other line byte for byte (every other row, in Parquet)."""
    from utterance_governance.io import readers

    storage, store, _ = lake
    rows = [
        line(f"big{i}", "gone" if i % 5 == 2 else f"k{i % 3}", 1, f"utterance number {i}")
        for i in range(3000)
    ]
    text = b"\n".join(rows) + b"\n"
    path = f"{DT}/{name}"
    storage.row_group_rows = 256
    if name.endswith(".parquet"):
        table = pa.Table.from_pylist([json.loads(r) for r in rows])
        pq.write_table(table, storage.full(path), row_group_size=256, compression="gzip")
    else:
        storage.write_bytes(path, gzip.compress(text) if name.endswith(".gz") else text)
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 4096)
    monkeypatch.setattr(readers, "PIECE_BYTES", 20_000)
    monkeypatch.setattr(readers, "PIECE_ROWS", 300)
    whole_reads = []
    read_bytes, read_parquet = storage.read_bytes, storage.read_parquet
    monkeypatch.setattr(storage, "read_bytes", lambda rel: whole_reads.append(rel) or read_bytes(rel))
    monkeypatch.setattr(
        storage, "read_parquet", lambda rel, **k: whole_reads.append(rel) or read_parquet(rel, **k)
    )
    pieces = []
    real = readers._finish
    monkeypatch.setattr(readers, "_finish", lambda *a: pieces.append(a[3]) or real(*a))

    result = purge_copies(storage, store, DELETIONS, KEY)

    assert not [p for p in whole_reads if p.startswith("landing/utterances")]
    assert len([p for p in pieces if p == path]) > 5  # (the reader's source_file argument: read in pieces)
    kept = [r for i, r in enumerate(rows) if i % 5 != 2]
    if name.endswith(".parquet"):
        rewritten = pq.ParquetFile(storage.full(path))
        assert rewritten.metadata.num_row_groups > 1
        assert rewritten.metadata.row_group(0).column(0).compression == "GZIP"
        assert rewritten.read().to_pylist() == [json.loads(r) for r in kept]
    else:
        data = storage.read_bytes(path)
        assert (gzip.decompress(data) if name.endswith(".gz") else data) == b"\n".join(kept) + b"\n"
    assert result.by_request["d-all"]["landing_rows"] == 3 + 3 + 1 + 600  # the fixture's files, and 600 here


def test_a_landing_file_replaced_while_the_purge_read_it_is_not_overwritten(lake, monkeypatch):
    """The purge reads a landing file several times (its ids, its pieces, its rewrite): one replaced
    upstream meanwhile is left as the upstream wrote it, and the receipt stays open (a problem)."""
    from utterance_governance.purge import copies

    storage, store, _ = lake
    path = f"{DT}/a.jsonl"
    replaced = b"\n".join([*LINES, line("u9", "gone", 1, "a later secret of gone")])
    real = copies._text_without_lines

    def replaced_meanwhile(storage_, text, drop, out):
        real(storage_, text, drop, out)
        storage.write_bytes(path, replaced)

    monkeypatch.setattr(copies, "_text_without_lines", replaced_meanwhile)
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert storage.read_bytes(path) == replaced
    assert any(path in p and "FileChangedWhileRead" in p for p in result.problems)


def _cut_inside_the_last_line(text: bytes) -> bytes:
    """``text`` gzipped and cut inside its last line (its first bytes still inflate)."""
    whole = gzip.compress(text)
    for cut in range(len(whole) - 1, 10, -1):
        inflated = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(whole[:cut])
        if b"secret of gone" in inflated.rsplit(b"\n", 1)[-1]:
            return whole[:cut]
    raise AssertionError("no cut found")


def _glued_long_line(monkeypatch) -> bytes:
    """Records that lost their line breaks: one line over the reader's limit, gone's words late in it."""
    from utterance_governance.io import readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 3_000)
    return (
        b"["
        + b", ".join([line("k1", "kept", 1, "x" * 3_000), line("u9", "gone", 1, "late secret of gone")])
        + b"]"
    )


def _twice_a_column() -> bytes:
    buffer = pa.BufferOutputStream()
    table = pa.Table.from_arrays(
        [pa.array(["u1"]), pa.array(["gone"]), pa.array(["secret of gone"]), pa.array(["again"])],
        names=["utterance_id", "customer_id", "transcript", "transcript"],
    )
    pq.write_table(table, buffer)
    return buffer.getvalue().to_pybytes()


UNSEARCHABLE = {  # name: (file name, bytes or a maker of them)
    "another encoding": (
        "u.jsonl",
        (line("k1", "kept", 1, "hi") + b"\n" + LINES[0] + b"\n").decode().encode("utf-16"),
    ),
    "a column twice": ("p.parquet", _twice_a_column),
    "a gzip cut inside gone's only line": (
        "t.jsonl.gz",
        lambda: _cut_inside_the_last_line(LINES[1] + b"\n" + LINES[0] + b"\n"),
    ),
}


@pytest.mark.parametrize("case", sorted(UNSEARCHABLE))
def test_what_the_reader_cannot_read_keeps_the_receipt_open(lake, monkeypatch, case):
    """A landing file, or a part of one, that the reader refuses is no proof the deleted customer is
    not in it: the purge says so (a problem: the receipts stay open), it never passes it as searched."""
    storage, store, _ = lake
    name, data = UNSEARCHABLE[case]
    storage.write_bytes(f"{DT}/{name}", data() if callable(data) else data)
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert [p for p in result.problems if f"{DT}/{name}" in p and "cannot be searched" in p], result.problems


def test_a_line_too_long_to_read_is_searched_whole(lake, monkeypatch):
    """Records that lost their line breaks, gone's words past the first bytes the reader keeps: the
    purge reads the whole line for the customers it names (``test_long_lines``), so the line goes and
    nothing is left unsearched."""
    storage, store, _ = lake
    name = f"{DT}/g.jsonl"
    storage.write_bytes(name, _glued_long_line(monkeypatch) + b"\n" + LINES[1])
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert not [p for p in result.problems if name in p], result.problems
    assert storage.read_bytes(name) == LINES[1]


def test_a_gzip_cut_short_is_rewritten_whole_when_gone_has_a_complete_line(lake):
    """A rewrite keeps the complete lines of a member cut short, not its cut end: the file is whole
    gzip after it, and nothing is left unsearched."""
    storage, store, _ = lake
    name = f"{DT}/t.jsonl.gz"
    storage.write_bytes(
        name,
        _cut_inside_the_last_line(
            LINES[0] + b"\n" + LINES[1] + b"\n" + line("u8", "kept", 1, "secret of gone's neighbour") + b"\n"
        ),
    )
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert not [p for p in result.problems if name in p]
    assert gzip.decompress(storage.read_bytes(name)) == LINES[1] + b"\n"


def test_rows_are_counted_removed_only_once_their_file_is_written_again(lake):
    """A Parquet landing file with an unreadable row group cannot be written again: its deleted rows
    are not counted removed, and the problem keeps the receipt open."""
    storage, store, _ = lake
    rows = [json.loads(line(f"u{i}", "gone" if i < 3 else "kept", 1, f"text {i}")) for i in range(6)]
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows), buffer, row_group_size=3, compression="none")
    data = bytearray(buffer.getvalue().to_pybytes())
    column = pq.ParquetFile(pa.BufferReader(bytes(data))).metadata.row_group(1).column(4)
    for at in range(column.data_page_offset + 10, column.data_page_offset + column.total_compressed_size - 2):
        data[at] = 0xAB
    storage.write_bytes(f"{DT}/broken.parquet", bytes(data))
    clean = purge_copies(storage, store, DELETIONS, KEY, dry_run=True)
    result = purge_copies(storage, store, DELETIONS, KEY)
    assert [p for p in result.problems if "broken.parquet" in p]
    assert result.rows_removed["landing"] == clean.rows_removed["landing"] - 3  # its 3 rows not written away
