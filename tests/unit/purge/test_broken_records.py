"""A deletion reaches a customer's malformed input however it is broken: a record split over lines
(a line break left unescaped in a transcript, pretty-printed JSON), a customer id sent as a float, an
id made malformed by an invisible character, a listed utterance whose id is a number. Each such row is
quarantined with its words; a receipt that says ``completed`` must leave none of them in the lake."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt

from utterance_governance.io import readers
from utterance_governance.io.readers import integral_digits
from utterance_governance.jobs.publish import PublishingBlocked

DT = "landing/utterances/dt=2026-11-20"


@pytest.fixture
def lake(tmp_path) -> Lake:
    """On SQLite only: what is read here is the lake's files; the store's backends are held to one
    another by the purge's other tests."""
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")


def _erased(lake: Lake, request_id: str, secret: str) -> None:
    assert receipt(lake, request_id)["status"] == "completed"
    assert left_in_lake(lake, secret) == []


def _landing_lines(lake: Lake, rel: str) -> list[str]:
    """The file's lines that hold anything (a blank line of a record the purge took out may stay: the
    reader skips it, and it holds nothing)."""
    return [text for text in lake.storage.read_bytes(rel).decode().splitlines() if text.strip()]


def _unescaped_newline(uid: str, customer: str, secret: str) -> bytes:
    return line(uid, customer, f"remind me my pin is XNLX{secret}").replace(b"XNLX", b"\n")


def _pretty(uid: str, customer: str, secret: str) -> bytes:
    return (
        json.dumps(json.loads(line(uid, customer, f"my gym locker code is {secret}")), indent=2).encode()
        + b"\n"
    )


def _brace_after_the_break(uid: str, customer: str, secret: str) -> bytes:
    """A line break left unescaped before a brace or bracket in the transcript: the fragment holding the
    words starts as a record would."""
    return line(uid, customer, f"call XNLX{{the dentist}} [private] {secret}").replace(b"XNLX", b"\n")


def _paragraph_break(uid: str, customer: str, secret: str, newline: bytes = b"\n") -> bytes:
    """A paragraph break left unescaped: a blank line inside the record, which the reader skips."""
    return line(uid, customer, f"note one XNLXXNLX{secret} note two").replace(b"XNLX", newline)


def _paragraph_break_crlf(uid: str, customer: str, secret: str) -> bytes:
    return _paragraph_break(uid, customer, secret, b"\r\n")


def _pretty_with_a_list_of_objects(uid: str, customer: str, secret: str) -> bytes:
    """Pretty-printed with an n-best list before the words: its objects are whole JSON lines of their own."""
    record = json.loads(line(uid, customer, f"my gym locker code is {secret}"))
    record = {"utterance_id": record.pop("utterance_id"), "customer_id": record.pop("customer_id"),
              "alternatives": [{"text": "alt one", "score": 0.4}, {"text": "alt two", "score": 0.1}], **record}  # fmt: skip
    text = (
        json.dumps(record, indent=2)
        .replace('{\n      "text"', '{"text"')
        .replace(',\n      "score"', ', "score"')
    )
    return text.replace("\n    }", "}").encode() + b"\n"


BROKEN_SHAPES = {
    "unescaped-newline": _unescaped_newline,
    "pretty-printed": _pretty,
    "brace-after-the-break": _brace_after_the_break,
    "paragraph-break": _paragraph_break,
    "paragraph-break-crlf": _paragraph_break_crlf,
    "pretty-printed-list-of-objects": _pretty_with_a_list_of_objects,
}


@pytest.mark.parametrize("broken", BROKEN_SHAPES.values(), ids=BROKEN_SHAPES.keys())
def test_every_fragment_of_a_record_broken_over_lines_goes_with_its_customer(lake, broken) -> None:
    rel = f"{DT}/a.jsonl"
    kept = broken("u-bob-2", "bob", "marigold")
    lake.storage.write_bytes(
        rel, line("u-zed-1", "zed-7f", "buy tulips") + broken("u-zed-2", "zed-7f", "swordfish") + kept
        + line("u-bob-1", "bob", "what is the weather"),
    )  # fmt: skip
    lake.publish()
    assert left_in_lake(lake, "swordfish")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-7f"))
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    # the other customer's broken record beside it is whole: every one of its lines is kept
    assert _landing_lines(lake, rel) == [
        *(text for text in kept.decode().splitlines() if text.strip()),
        line("u-bob-1", "bob", "what is the weather").decode().strip(),
    ]
    assert lake.live_ids() == {"u-bob-1"}


def test_a_record_broken_over_lines_across_the_readers_pieces(lake, monkeypatch) -> None:
    """Pieces of a few hundred bytes: most pretty-printed records start in one piece and end in the next."""
    monkeypatch.setattr(readers, "_BLOCK_BYTES", 256)
    monkeypatch.setattr(readers, "PIECE_BYTES", 300)
    rel = f"{DT}/a.jsonl"
    body = b"".join(
        _pretty(f"u-{who}-{i}", who, f"{who}secret{i}") for i in range(12) for who in ("zed-7f", "bob")
    ) + _pretty(
        "u-zed-last", "zed-7f", "zed-7fsecretlast"
    )  # the file ends inside it: judged after the pieces
    lake.storage.write_bytes(rel, body)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-7f"))
    lake.privacy()
    _erased(lake, "d1", "zed-7fsecret")
    assert _landing_lines(lake, rel) == [
        text
        for i in range(12)
        for text in _pretty(f"u-bob-{i}", "bob", f"bobsecret{i}").decode().splitlines()
    ]


@pytest.mark.parametrize("literal", [b"12345.0", b"1.2345e4", b"12345.000e0"])
def test_a_customer_id_sent_as_a_float_is_its_integers(lake, literal) -> None:
    row = line("u1", "X", "my gym locker code is swordfish").replace(b'"X"', literal)
    lake.storage.write_bytes(f"{DT}/n.jsonl", row + line("u-kept", "bob", "what is the weather"))
    lake.publish()
    assert left_in_lake(lake, "swordfish")  # quarantined: an id is a string
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("d1", "12345"))
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert lake.live_ids() == {"u-kept"}


def test_a_parquet_float_customer_column_is_read_as_its_integers(lake) -> None:
    table = pa.table(
        {
            "utterance_id": ["u1", "u2", "u3"],
            "customer_id": pa.array(
                [12345.0, None, 12345.5], pa.float64()
            ),  # pandas: an int column with a gap
            "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)] * 3, pa.timestamp("us", "UTC")),
            "locale": ["en-US"] * 3,
            "transcript": ["my gym locker code is swordfish", "what is the weather", "a fraction's words"],
            "response": ["Done."] * 3,
            "asr_confidence": [0.9] * 3,
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    lake.storage.write_bytes(f"{DT}/n.parquet", buf.getvalue())
    lake.publish()
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("d1", "12345"))
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert left_in_lake(lake, "a fraction's words")  # 12345.5 names no customer 12345


BIG = 2**60  # a 64-bit account id past 2**53 that a float64 holds exactly


def _parquet_of(customer_ids: pa.Array, transcripts: list[str]) -> bytes:
    n = len(transcripts)
    table = pa.table(
        {
            "utterance_id": [f"u{i}" for i in range(n)],
            "customer_id": customer_ids,
            "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)] * n, pa.timestamp("us", "UTC")),
            "locale": ["en-US"] * n,
            "transcript": transcripts,
            "response": ["Done."] * n,
            "asr_confidence": [0.9] * n,
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


@pytest.mark.parametrize("written", ["parquet-float64", "json-float"])
def test_a_customer_id_past_2_53_sent_as_a_float_is_erased_with_the_customer_it_rounds_from(lake, written):
    """Whose the row is cannot be read (the float may have been made from another integer nearby, so it
    holds no one), yet a delete-all of an id it rounds from erases it; another customer's does not."""
    if written == "parquet-float64":
        body = _parquet_of(pa.array([float(BIG), 7.0], pa.float64()), ["my pin is swordfish", "the weather"])
        lake.storage.write_bytes(f"{DT}/n.parquet", body)
    else:
        row = line("u0", "X", "my pin is swordfish").replace(b'"X"', f"{BIG}.0".encode())
        lake.storage.write_bytes(f"{DT}/n.jsonl", row + line("u1", "7", "the weather"))
    lake.publish()
    assert left_in_lake(lake, "swordfish")  # quarantined: no customer can be read
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("d0", str(BIG + 10**6)))
    lake.privacy()
    assert receipt(lake, "d0")["status"] == "completed"
    assert left_in_lake(lake, "swordfish")  # 2**60 + 10**6 is another float
    lake.storage.write_bytes("landing/deletions/b.jsonl", deletion("d1", str(BIG + 1)))  # rounds to 2**60
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert left_in_lake(lake, "the weather")  # customer 7's row beside it stays


def test_a_float32_customer_column_names_only_the_integers_it_holds_exactly(lake) -> None:
    """A float32 holds the integers below 2**24 exactly: 16777217 is stored as 16777216.0, so an id
    there names no one (an unreadable opt-out blocks publishing, never holds the stranger 16777216)."""
    event = pa.table(
        {
            "event_id": ["e-1", "e-2"],
            "customer_id": pa.array([16777217.0, 4242.0], pa.float32()),  # stored 16777216.0 and 4242.0
            "purpose": ["model_training"] * 2,
            "status": ["opted_out"] * 2,
            "effective_at": ["2026-11-01T00:00:00Z"] * 2,
            "recorded_at": ["2026-11-21T00:00:00Z"] * 2,
            "source": ["app"] * 2,
        }
    )
    buf = io.BytesIO()
    pq.write_table(event, buf)
    lake.storage.write_bytes("landing/consent/events.parquet", buf.getvalue())
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-real", "16777217", "play some jazz"))
    with pytest.raises(PublishingBlocked, match="has no readable customer_id"):
        lake.publish()
    with lake.store() as store:
        assert store.held_customers() == {"4242"}  # below 2**24: read as the customer it names
    assert lake.live_ids() == set()


def test_which_numbers_name_a_customer() -> None:
    assert [integral_digits(n) for n in ("007", "-12", "12345.0", "1.2345e4", "1e3", "12.5", "1e-2")] == [
        "007", "-12", "12345", "12345", "1000", None, None,
    ]  # fmt: skip
    # a float64 holds every integer below 2**53 exactly; past it, the digits may not be the id sent
    assert integral_digits("9007199254740991.0") == "9007199254740991"
    assert integral_digits("9007199254740993.0") is None
    assert integral_digits("1.2345678901234567e19") is None


@pytest.mark.parametrize("spelled", ["zed-7f\u200b", "\ufeffzed-7f", "zed\u200d-7f", "zed-7f\x00"])
def test_a_malformed_id_holding_an_invisible_character_is_its_customers(lake, spelled) -> None:
    rel = f"{DT}/a.jsonl"
    lake.storage.write_bytes(
        rel, line("u-zed-1", "zed-7f", "buy tulips") + line("u-zed-2", spelled, "my gym locker code is swordfish")
        + line("u-kept", "bob", "what is the weather"),
    )  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed-1", "u-kept"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-7f"))
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert lake.live_ids() == {"u-kept"}


def test_a_file_whose_only_mention_is_an_invisibly_spelled_id_is_searched(lake) -> None:
    """The cheap probe reads ids in their canonical form: one that has none sends the file to the full read."""
    rel = f"{DT}/b.jsonl"
    lake.storage.write_bytes(
        rel, line("u-zed", "zed-7f\u200b", "swordfish") + line("u-kept", "bob", "hello there")
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-7f"))
    lake.privacy()
    _erased(lake, "d1", "swordfish")


@pytest.mark.parametrize(("uid", "listed"), [(12345, "12345"), (12345.0, "12345"), ("u-77\u200b", "u-77")])
def test_a_listing_reaches_a_listed_utterance_whose_id_is_malformed(lake, uid, listed) -> None:
    row = json.loads(line("x", "zed-7f", "my gym locker code is swordfish"))
    row["utterance_id"] = uid
    other = json.loads(line("x", "zed-7f", "a recording not listed"))
    other["utterance_id"] = 777
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n" + json.dumps(other).encode() + b"\n"
        + line("u-zed-1", "zed-7f", "remind me to buy tulips"),
    )  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed-7f", scope="utterances", utterance_ids=[listed])
    )
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert left_in_lake(lake, "a recording not listed")  # a listing takes what it lists, no more
    assert lake.live_ids() == {"u-zed-1"}


def test_a_listing_reaches_a_parquet_row_whose_utterance_id_is_an_integer(lake) -> None:
    table = pa.table(
        {
            "utterance_id": pa.array([12345, 12346], pa.int64()),
            "customer_id": ["zed-7f", "bob"],
            "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)] * 2, pa.timestamp("us", "UTC")),
            "locale": ["en-US"] * 2,
            "transcript": ["my gym locker code is swordfish", "what is the weather"],
            "response": ["Done."] * 2,
            "asr_confidence": [0.9, 0.9],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    lake.storage.write_bytes(f"{DT}/n.parquet", buf.getvalue())
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed-7f", scope="utterances", utterance_ids=["12345"])
    )
    lake.privacy()
    _erased(lake, "d1", "swordfish")
    assert left_in_lake(lake, "what is the weather")


@pytest.mark.parametrize("too_long", [False, True], ids=["glued", "glued-past-the-line-limit"])
def test_glued_records_are_erased_by_a_range_their_first_capture_time_is_outside(lake, monkeypatch, too_long):
    """Records glued by a lost line break carry a capture time each: the line's first is another
    customer's, so the line's capture time is unknown, and a range deletion of the customer it names
    erases it."""
    if too_long:
        monkeypatch.setattr(readers, "MAX_LINE_BYTES", 3_000)
    early = line("u-bob-1", "bob", "remind me about marigold " + "la " * (1_000 if too_long else 0))
    late = line("u-zed-1", "zed-7f", "my locker code is swordfish")
    early = early.replace(b"2026-11-20T10:00:00Z", b"2026-11-01T10:00:00Z")
    lake.storage.write_bytes(f"{DT}/a.jsonl", early.rstrip(b"\n") + late)
    lake.publish()
    assert left_in_lake(lake, "swordfish")
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("d1", "zed-7f", "range", **{"from": "2026-11-15T00:00:00Z", "to": "2026-11-25T00:00:00Z"}),
    )
    lake.privacy()
    _erased(lake, "d1", "swordfish")
