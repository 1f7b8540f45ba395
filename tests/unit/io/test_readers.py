"""Landing readers: every input row ends as a typed record or a quarantined row with a reason."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from utterance_governance import schema as S
from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage

GOOD = {
    "utterance_id": "u1", "customer_id": "c1", "device_id": "d1", "session_id": "s1", "turn_index": 0,
    "captured_at": "2026-11-25T13:45:12Z", "locale": "en-US", "transcript": "what's the weather",
    "response": "Sunny, 21 degrees.", "asr_confidence": 0.93,
}  # fmt: skip


@pytest.fixture
def lake(tmp_path) -> Storage:
    return Storage(str(tmp_path))


def read_lines(lake: Storage, lines: list[bytes], name="f.jsonl", kind="utterances"):
    rel = f"landing/{kind}/dt=2026-11-25/{name}" if kind == "utterances" else f"landing/{kind}/{name}"
    data = b"\n".join(lines) + b"\n"
    lake.write_bytes(rel, gzip.compress(data) if name.endswith(".gz") else data)
    return read_landing_file(lake, rel, kind)


def row(**changes) -> bytes:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


MALFORMED_CASES = {
    "unparseable_json": b'{"utterance_id": "u9", ',
    "invalid_utf8": b'{"utterance_id": "u\xff\xfe"}',
    "not_an_object": b"[1, 2, 3]",
    "wrong_type:turn_index": row(turn_index="three"),
    "wrong_type:asr_confidence": row(asr_confidence="high"),
    "wrong_type:transcript": row(transcript=["a", "b"]),
    "missing_field:utterance_id": row(utterance_id=...),
    "missing_field:customer_id": row(customer_id=""),
    "missing_field:captured_at": row(captured_at=None),
    "missing_field:locale": row(locale=...),
    "missing_field:transcript": row(transcript=None),
    "timestamp_without_offset:captured_at": row(captured_at="2026-11-25T13:45:12"),
    "invalid_timestamp:captured_at": row(captured_at="2026-02-30T10:00:00Z"),
    "out_of_range:asr_confidence": row(asr_confidence=1.7),
    "out_of_range:turn_index": row(turn_index=-1),
    "invalid_locale": row(locale="english please"),
    "implausible_timestamp:captured_at": row(captured_at="1999-12-31T23:59:59Z"),
}


@pytest.mark.parametrize("detail", sorted(MALFORMED_CASES))
def test_each_malformed_kind_is_quarantined_with_its_reason(lake, detail):
    result = read_lines(lake, [row(utterance_id="ok"), MALFORMED_CASES[detail]])
    assert result.records.column("utterance_id").to_pylist() == ["ok"]
    q = result.quarantine.to_pylist()
    assert [(r["line"], r["reason"], r["detail"]) for r in q] == [(2, "malformed", detail)]
    assert q[0]["source_file"].endswith("f.jsonl")
    assert q[0]["raw"]  # the input is kept, nothing is lost


def test_an_utterance_id_seen_twice_keeps_the_first(lake):
    result = read_lines(lake, [row(), row(transcript="other"), row(utterance_id="u2")])
    assert result.records.column("line").to_pylist() == [1, 3]
    assert result.quarantine.column("detail").to_pylist() == ["duplicate_id:utterance_id"]


def test_offsets_are_normalised_to_utc(lake):
    result = read_lines(
        lake,
        [
            row(captured_at="2026-11-25T13:45:12+01:00"),
            row(utterance_id="u2", captured_at="2026-11-25T08:00:00.5-05:30"),
        ],
    )
    got = [t.isoformat() for t in result.records.column("captured_at").to_pylist()]
    assert got == ["2026-11-25T12:45:12+00:00", "2026-11-25T13:30:00.500000+00:00"]


def test_an_empty_transcript_is_well_formed(lake):
    # emptiness is a quality rule (after cleaning), not malformation
    assert read_lines(lake, [row(transcript="  ")]).records.num_rows == 1


def test_gzip_lines_and_a_truncated_gzip(lake):
    full = read_lines(lake, [row(), row(utterance_id="u2")], name="f.jsonl.gz")
    assert full.records.num_rows == 2 and full.quarantine.num_rows == 0
    rel = "landing/utterances/dt=2026-11-25/cut.jsonl.gz"
    lake.write_bytes(rel, gzip.compress(b"\n".join(row(utterance_id=f"u{i}") for i in range(200)))[:-40])
    cut = read_landing_file(lake, rel, "utterances")
    assert cut.quarantine.column("detail").to_pylist()[-1] == "unreadable_file:truncated_gzip"
    assert 0 < cut.records.num_rows < 200


def test_unreadable_files_give_one_quarantine_row(lake):
    for name, data in [("x.parquet", b"not parquet"), ("y.jsonl.gz", b"not gzip at all")]:
        rel = f"landing/utterances/dt=2026-11-25/{name}"
        lake.write_bytes(rel, data)
        result = read_landing_file(lake, rel, "utterances")
        assert result.records.num_rows == 0
        assert result.quarantine.column("line").to_pylist() == [0]
        assert result.quarantine.column("detail")[0].as_py().startswith("unreadable_file:")


def test_parquet_with_bad_cells(lake):
    table = pa.table(
        {
            "utterance_id": ["a", "b", "a", "c", "d"],
            "customer_id": ["c1", None, "c1", "c2", "c3"],
            "captured_at": ["2026-11-25T13:45:12Z", "2026-11-25T13:45:12Z", "2026-11-25T13:45:12Z",
                            "2026-13-01T00:00:00Z", "2026-11-25T13:45:12+02:00"],
            "locale": ["en-US"] * 5,
            "transcript": ["x"] * 5,
            "asr_confidence": [0.5, 0.2, 0.1, 0.9, 1.5],
            "turn_index": pa.array([1, 2, 3, 4, 5], pa.int32()),
        }
    )  # fmt: skip
    lake.write_parquet("landing/utterances/dt=2026-11-25/p.parquet", table)
    result = read_landing_file(lake, "landing/utterances/dt=2026-11-25/p.parquet", "utterances")
    assert result.records.column("utterance_id").to_pylist() == ["a"]
    assert result.records.schema.field("turn_index").type == pa.int64()
    details = {r["line"]: r["detail"] for r in result.quarantine.to_pylist()}
    assert details == {
        2: "missing_field:customer_id",
        3: "duplicate_id:utterance_id",
        4: "invalid_timestamp:captured_at",
        5: "out_of_range:asr_confidence",
    }


def test_parquet_timestamp_columns(lake):
    aware = pa.array([1_700_000_000_000_000], pa.timestamp("us", tz="Europe/Berlin"))
    naive = pa.array([1_700_000_000_000_000], pa.timestamp("us"))
    base = {k: [v] for k, v in GOOD.items() if k != "captured_at"}
    for name, col, ok in [("aware", aware, True), ("naive", naive, False)]:
        rel = f"landing/utterances/dt=2026-11-25/{name}.parquet"
        lake.write_parquet(rel, pa.table({**base, "captured_at": col}))
        result = read_landing_file(lake, rel, "utterances")
        assert result.records.num_rows == int(ok)
        if not ok:
            assert result.quarantine.column("detail").to_pylist() == ["timestamp_without_offset:captured_at"]


def test_parquet_invalid_utf8_in_a_binary_column(lake):
    base = {k: [v, v] for k, v in GOOD.items() if k != "transcript"}
    base["utterance_id"] = ["u1", "u2"]
    rel = "landing/utterances/dt=2026-11-25/bin.parquet"
    lake.write_parquet(rel, pa.table({**base, "transcript": pa.array([b"fine", b"bad \xff"], pa.binary())}))
    result = read_landing_file(lake, rel, "utterances")
    assert result.records.column("transcript").to_pylist() == ["fine"]
    assert result.quarantine.column("detail").to_pylist() == ["invalid_utf8:transcript"]


def test_consent_and_deletion_records(lake):
    consent = [
        json.dumps({"event_id": "e1", "customer_id": "c1", "purpose": "model_training", "status": "opted_out",
                    "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:01Z", "source": "app"}).encode(),
        json.dumps({"event_id": "e2", "customer_id": "c2", "purpose": "model_training", "status": "maybe",
                    "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:01Z"}).encode(),
    ]  # fmt: skip
    result = read_lines(lake, consent, kind="consent")
    assert result.records.column("event_id").to_pylist() == ["e1"]
    assert [(r["customer_id"], r["detail"]) for r in result.quarantine.to_pylist()] == [
        ("c2", "invalid_value:status")
    ]

    deletions = [
        json.dumps({"request_id": "r1", "customer_id": "c1", "scope": "range", "from": "2026-11-02T00:00:00Z",
                    "to": "2026-11-01T00:00:00Z", "requested_at": "2026-11-20T00:00:00Z"}).encode(),
        json.dumps({"request_id": "r2", "customer_id": "c1", "scope": "utterances", "utterance_ids": [],
                    "requested_at": "2026-11-20T00:00:00Z"}).encode(),
        json.dumps({"request_id": "r3", "customer_id": "c1", "scope": "utterances", "utterance_ids": ["u1"],
                    "requested_at": "2026-11-20T00:00:00Z"}).encode(),
        json.dumps({"request_id": "r4", "customer_id": "c1", "scope": "everything",
                    "requested_at": "2026-11-20T00:00:00Z"}).encode(),
    ]  # fmt: skip
    result = read_lines(lake, deletions, kind="deletions")
    assert result.records.column("request_id").to_pylist() == ["r3"]
    assert result.quarantine.column("detail").to_pylist() == [
        "invalid_value:from_after_to", "missing_field:utterance_ids", "invalid_value:scope"
    ]  # fmt: skip


def _outcomes(result) -> int:
    return result.records.num_rows + result.quarantine.num_rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), gz=st.booleans())
def test_arbitrary_bytes_never_raise(lake, data, gz):
    name = "h.jsonl.gz" if gz else "h.jsonl"
    lake.write_bytes(f"landing/utterances/dt=2026-11-25/{name}", gzip.compress(data) if gz else data)
    result = read_landing_file(lake, f"landing/utterances/dt=2026-11-25/{name}", "utterances")
    assert _outcomes(result) == _lines_in(data)
    assert result.records.schema.names[: len(S.UTTERANCE)] == S.UTTERANCE.names


def _lines_in(data: bytes) -> int:
    """The rows a file of ``data`` makes: one for a file in another encoding than UTF-8 (a BOM of
    UTF-16 or 32, or ASCII with NULs between); else one per line that is not blank, lines ended by
    line feeds, or by carriage returns in a file with none."""
    marks = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if data.startswith(marks) or re.match(rb"(?:\x00[^\x00]){4}|(?:[^\x00]\x00){4}", data):
        return 1
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")
    return sum(1 for line in data.split(b"\n") if line.strip())


_json_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["2026-11-25T13:45:12Z", "2026-11-25T13:45:12", "2026-02-30T00:00:00+01:00", "en-US", "u1"]),
    st.lists(st.text(max_size=3), max_size=2),
)  # fmt: skip
_records = st.dictionaries(st.sampled_from(list(GOOD)), _json_values, max_size=len(GOOD)).map(
    lambda d: {**GOOD, **d}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(_records, max_size=12), junk=st.lists(st.binary(max_size=30), max_size=3))
def test_every_row_gets_exactly_one_outcome(lake, records, junk):
    lines = [json.dumps(r, allow_nan=True).encode() for r in records] + [j for j in junk if j.strip()]
    lines = [line.replace(b"\n", b" ") for line in lines]
    result = read_lines(lake, lines, name="p.jsonl")
    assert _outcomes(result) == sum(1 for line in lines if line.strip())
    kept = result.records.column("line").to_pylist()
    quarantined = result.quarantine.column("line").to_pylist()
    assert not set(kept) & set(quarantined)
    assert all(d for d in result.quarantine.column("detail").to_pylist())
    assert all(t.tzinfo is not None for t in result.records.column("captured_at").to_pylist())


def test_a_broken_privacy_record_still_names_its_customer_when_it_can(lake):
    lines = [
        b'{"event_id": "e1", "customer_id": "c-77", "status": "opted_out", "effective_at": ',  # cut off
        b'{"event_id": "e2", "status": "opted_out"',  # no customer at all
    ]
    result = read_lines(lake, lines, kind="consent")
    assert [(r["customer_id"], r["detail"]) for r in result.quarantine.to_pylist()] == [
        ("c-77", "unparseable_json"),
        (None, "unparseable_json"),
    ]


def test_a_year_zero_capture_beside_an_odd_timestamp_is_quarantined_not_a_crash(lake):
    """The odd one (an offset of 99 hours) sends the column cell by cell; a year-0 instant has no Python
    datetime, and its OverflowError used to fail the whole file on every retry."""
    read = read_lines(lake, [row(utterance_id="ok"), row(utterance_id="y0", captured_at="0000-01-01T00:00:00Z"),
                             row(utterance_id="z", captured_at="2026-11-25T13:45:12+99:99"),
                             row(utterance_id="y1", captured_at="0001-01-01T00:00:00+01:00")])  # fmt: skip
    assert read.records.column("utterance_id").to_pylist() == ["ok"]
    details = dict(zip(read.quarantine.column("record_id").to_pylist(), read.quarantine.column("detail").to_pylist(),
                       strict=True))  # fmt: skip
    assert details == {"y0": "implausible_timestamp:captured_at", "z": "invalid_timestamp:captured_at",
                       "y1": "implausible_timestamp:captured_at"}  # fmt: skip


def test_a_nanosecond_parquet_column_is_read_to_the_microsecond(lake):
    """pandas writes timestamp[ns]: one sub-microsecond value made the whole file unreadable."""
    rel = "landing/utterances/dt=2026-11-25/ns.parquet"
    ns = pa.array([1_764_078_312_000_000_123, 1_764_078_313_000_000_000], pa.timestamp("ns", "UTC"))
    table = pa.table({k: [v, v] for k, v in GOOD.items() if k != "captured_at"})
    lake.write_parquet(
        rel, table.set_column(0, "utterance_id", pa.array(["a", "b"])).append_column("captured_at", ns)
    )
    read = read_landing_file(lake, rel, "utterances")
    assert read.quarantine.num_rows == 0
    assert pc.cast(read.records.column("captured_at"), pa.int64()).to_pylist() == [
        1_764_078_312_000_000,
        1_764_078_313_000_000,
    ]


def _deletions(n: int) -> list[bytes]:
    return [json.dumps({"request_id": f"r{i}", "customer_id": f"c{i}", "scope": "all",
                        "requested_at": "2026-11-25T10:00:00Z"}).encode() for i in range(n)]  # fmt: skip


def test_lines_ended_by_carriage_returns_alone_are_lines(lake):
    """An old Mac export: 10,000 utterances read as one line, one malformed decision, 2 KB kept."""
    rel = "landing/deletions/cr.jsonl"
    lake.write_bytes(rel, b"\r".join(_deletions(3)) + b"\r")
    read = read_landing_file(lake, rel, "deletions")
    assert read.records.column("line").to_pylist() == [1, 2, 3] and read.quarantine.num_rows == 0


def test_a_carriage_return_in_a_file_of_line_feeds_stays_white_space(lake):
    line = row().replace(b", ", b",\r ", 1)
    assert b"\r" in line and read_lines(lake, [line, row(utterance_id="u2")]).records.num_rows == 2


def test_one_nul_byte_first_is_a_broken_line_not_another_encoding(lake):
    read = read_lines(lake, [b"\x00" + row(), row(utterance_id="u2")])
    assert read.records.column("utterance_id").to_pylist() == ["u2"]
    assert read.quarantine.column("line").to_pylist() == [1]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_file_in_another_encoding_than_utf8_is_refused_as_such(lake, encoding):
    """UTF-16 (PowerShell's default) was read line by line: a phantom record, and `unparseable_json`."""
    rel = "landing/deletions/u16.jsonl"
    lake.write_bytes(rel, b"\n".join(_deletions(3)).decode().encode(encoding) + "\n".encode(encoding))
    read = read_landing_file(lake, rel, "deletions")
    assert read.records.num_rows == 0
    expected = "encoding_utf32" if "32" in encoding else "encoding_utf16"
    assert read.quarantine.select(["line", "customer_id", "detail"]).to_pylist() == [
        {"line": 0, "customer_id": None, "detail": f"unreadable_file:{expected}"}
    ]


def test_a_byte_order_mark_starting_a_later_line_is_not_the_records(lake):
    """Two exports concatenated, each with its mark."""
    read = read_lines(lake, [b"\xef\xbb\xbf" + row(), b"\xef\xbb\xbf" + row(utterance_id="u2")])
    assert read.records.column("utterance_id").to_pylist() == ["u1", "u2"]


def test_a_repeated_key_is_named_only_when_it_is_a_field_of_the_record(lake):
    """A map keyed by a contact repeated its key verbatim into decisions, reports and the error log."""
    repeated = row()[:-1] + b', "slots": {"jane.doe@example.com": 1, "jane.doe@example.com": 2}}'
    twice = row()[:-1] + b', "locale": "de-DE"}'
    read = read_lines(lake, [repeated, twice])
    assert read.quarantine.column("detail").to_pylist() == ["duplicate_key:other", "duplicate_key:locale"]


def test_a_line_nested_just_short_of_the_parsers_limit_with_a_lone_surrogate_loses_only_itself(lake):
    lines = [row()]
    for depth in range(600, 1000):  # one of them nears the limit at any depth of the call stack
        lines.append(b'{"utterance_id": "d", "x": ' + b"[" * depth + b'"\\ud800"' + b"]" * depth + b"}")
    read = read_lines(lake, lines)
    assert read.records.column("utterance_id").to_pylist() == ["u1"]
    assert read.quarantine.num_rows == len(lines) - 1 and 0 not in read.quarantine.column("line").to_pylist()


def test_a_parquet_list_of_numbers_is_no_list_of_utterance_ids(lake):
    """Cast to strings, ``[1, 2]`` was taken as two utterance ids; the same request in JSON Lines is
    ``wrong_type``."""
    table = pa.table({"request_id": ["r1"], "customer_id": ["c1"], "scope": ["utterances"],
                      "utterance_ids": pa.array([[1, 2]], pa.list_(pa.int64())),
                      "requested_at": ["2026-11-25T10:00:00Z"]})  # fmt: skip
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    lake.write_bytes("landing/deletions/ids.parquet", buffer.getvalue())
    read = read_landing_file(lake, "landing/deletions/ids.parquet", "deletions")
    assert read.records.num_rows == 0
    assert read.quarantine.select(["customer_id", "detail"]).to_pylist() == [
        {"customer_id": "c1", "detail": "wrong_type:utterance_ids"}
    ]
