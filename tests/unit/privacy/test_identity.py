"""One identity (SPEC §4.1): ids compared in one canonical form, whatever their spelling or encoding."""

from __future__ import annotations

import gzip
import json
import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.privacy.identity import canonical_enum, canonical_id, canonical_ids
from utterance_governance.privacy.keys import key_fingerprint, speaker_key, speaker_keys

KEY = b"identity-test-key"


@pytest.mark.parametrize(
    ("given_id", "canonical"),
    [
        ("c-1", "c-1"),
        (" c-1 ", "c-1"),
        ("c-1\n", "c-1"),
        ("\u00a0c-1\u3000", "c-1"),  # surrounding no-break / ideographic spaces are white space
        ("Ame\u0301lie", "Amélie"),  # NFD → NFC
        ("Amélie", "Amélie"),
        ("ABC", "ABC"),  # case is kept: ABC and abc are two customers
        ("abc", "abc"),
        ("a b", "a b"),  # an inner ASCII space is part of the id
    ],
)
def test_canonical_form(given_id, canonical):
    assert canonical_id(given_id) == canonical
    assert canonical_ids(pa.array([given_id])).to_pylist() == [canonical]


@pytest.mark.parametrize(
    "unusable",
    ["", "   ", "\t", "c\x001", "c\x1f", "c\u200b1", "c1\u200b", "\ufeffc1", "c\u00a01", "c\u202e1", "c\u2028d",
     "c1\u3164", "c1\u034f", "c1\u115f", "c1\uffa0", "c1\u2800", "c1\ufe0f", "c1\u180b", "c1\U000e0100"],
    ids=["empty", "spaces", "tab", "nul", "unit-separator", "zwsp-inside", "zwsp-after", "bom", "nbsp-inside",
         "bidi-override", "line-separator", "hangul-filler", "grapheme-joiner", "choseong-filler",
         "halfwidth-filler", "braille-blank", "variation-selector", "mongolian-selector", "variation-selector-17"],
)  # fmt: skip
def test_unusable_ids_are_refused(unusable):
    assert canonical_id(unusable) is None
    assert canonical_ids(pa.array([unusable])).to_pylist() == [None]


def test_every_default_ignorable_code_point_is_refused():
    """Checked against Unicode's own property (the ``regex`` module's tables), not our list of it."""
    import sys

    import regex

    ignorable = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    printable_nothing = [chr(c) for c in range(sys.maxunicode + 1) if ignorable.match(chr(c))]
    assert len(printable_nothing) > 4000
    kept = [f"U+{ord(ch):04X}" for ch in printable_nothing if canonical_id(f"c{ch}1") is not None]
    assert kept == []


@given(st.text(max_size=12))
def test_vectorised_equals_reference_and_is_idempotent(text):
    """The Arrow path (ASCII) and the Python path (the rest) agree; canonical of canonical is itself."""
    vectorised = canonical_ids(pa.array([text, text.encode("ascii", "ignore").decode()])).to_pylist()
    assert vectorised == [canonical_id(text), canonical_id(text.encode("ascii", "ignore").decode())]
    once = canonical_id(text)
    if once is not None:
        assert canonical_id(once) == once
        assert unicodedata.is_normalized("NFC", once)


def test_speaker_key_is_one_per_identity():
    spellings = ["Amélie", "Ame\u0301lie", " Amélie", "Amélie\t"]
    keys = set(speaker_keys(pa.array(spellings), KEY).to_pylist())
    assert len(keys) == 1
    assert speaker_key("amélie", KEY) not in keys  # case is kept
    assert speaker_keys(pa.array(["c\u200b1", None]), KEY).to_pylist() == [None, None]


def test_key_fingerprint_tells_keys_apart_and_hides_them():
    assert key_fingerprint(KEY) == key_fingerprint(KEY)
    assert key_fingerprint(KEY) != key_fingerprint(KEY + b"x")
    assert len(key_fingerprint(KEY)) == 16
    assert key_fingerprint(KEY) not in speaker_key("c-1", KEY)


def test_enumerations_match_case_insensitively_and_nothing_else():
    values = pa.array([" Model_Training", "MODEL_TRAINING\t", "model-training", "marketing", None])
    canonical, unknown = canonical_enum(values, ["model_training"])
    assert canonical.to_pylist() == ["model_training", "model_training", None, None, None]
    assert unknown.tolist() == [False, False, True, True, False]


# --- the readers settle identity once, whatever the file's encoding ----------------------------------
def _consent(customer: str, **changes) -> dict:
    return {"event_id": "e1", "customer_id": customer, "purpose": "model_training", "status": "opted_out",
            "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app",
            **changes}  # fmt: skip


@pytest.mark.parametrize("encoding", ["jsonl-escaped", "jsonl-utf8", "jsonl.gz", "parquet"])
def test_ids_read_the_same_from_every_encoding(tmp_path, encoding):
    lake = Storage(str(tmp_path))
    record = _consent("Ame\u0301lie ", purpose="Model_Training", status=" OPTED_OUT")
    if encoding == "parquet":
        rel = "landing/consent/a.parquet"
        table = pa.Table.from_pylist([record])
        lake.write_parquet(rel, table)
    else:
        line = json.dumps(record, ensure_ascii=encoding == "jsonl-escaped").encode() + b"\n"
        if encoding == "jsonl-escaped":
            assert b"\\u0301" in line
        rel = "landing/consent/a.jsonl" + (".gz" if encoding == "jsonl.gz" else "")
        lake.write_bytes(rel, gzip.compress(line) if encoding == "jsonl.gz" else line)
    read = read_landing_file(lake, rel, "consent")
    assert read.quarantine.num_rows == 0
    row = read.records.to_pylist()[0]
    assert (row["customer_id"], row["purpose"], row["status"]) == ("Amélie", "model_training", "opted_out")


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"customer_id": "c\u200b1"}, "invalid_id:customer_id"),
        ({"customer_id": "c\x001"}, "invalid_id:customer_id"),
        ({"event_id": "e\x00"}, "invalid_id:event_id"),
        ({"purpose": "marketing"}, "invalid_value:purpose"),
        ({"purpose": "model-training"}, "invalid_value:purpose"),
        ({"status": "opted-out"}, "invalid_value:status"),
    ],
)
def test_unreadable_privacy_records_are_quarantined(tmp_path, change, detail):
    lake = Storage(str(tmp_path))
    rel = "landing/consent/a.jsonl"
    lake.write_bytes(rel, json.dumps(_consent("c1", **change)).encode() + b"\n")
    read = read_landing_file(lake, rel, "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.column("detail").to_pylist() == [detail]
    # a readable customer is held back, and so is the one an unusable id prints as ("c\u200b1" is "c1":
    # no customer has an id with an invisible character, and the opt-out is theirs)
    assert read.quarantine.column("customer_id").to_pylist() == ["c1"]


def test_deletion_scope_and_listed_ids_are_canonical(tmp_path):
    lake = Storage(str(tmp_path))
    rel = "landing/deletions/a.jsonl"
    rows = [
        {"request_id": "r1", "customer_id": "c1", "scope": " Utterances", "utterance_ids": ["u\u0301", " u2"],
         "requested_at": "2026-11-01T00:00:00Z"},
        {"request_id": "r2", "customer_id": "c1", "scope": "everything", "requested_at": "2026-11-01T00:00:00Z"},
        {"request_id": "r3", "customer_id": "c1", "scope": "utterances", "utterance_ids": ["u\u200b"],
         "requested_at": "2026-11-01T00:00:00Z"},
    ]  # fmt: skip
    lake.write_bytes(rel, b"\n".join(json.dumps(r).encode() for r in rows) + b"\n")
    read = read_landing_file(lake, rel, "deletions")
    assert read.records.select(["request_id", "scope", "utterance_ids"]).to_pylist() == [
        {
            "request_id": "r1",
            "scope": "utterances",
            "utterance_ids": ["u\u0301".replace("u\u0301", "ú"), "u2"],
        }
    ]
    assert sorted(read.quarantine.column("detail").to_pylist()) == [
        "invalid_id:utterance_ids",
        "invalid_value:scope",
    ]


def test_a_lone_surrogate_escape_spoils_its_line_only(tmp_path):
    lake = Storage(str(tmp_path))
    rel = "landing/consent/a.jsonl"
    good = json.dumps(_consent("c2", event_id="e2")).encode()
    bad = json.dumps(_consent("c1")).encode().replace(b'"app"', b'"\\ud800"')
    lake.write_bytes(rel, bad + b"\n" + good + b"\n")
    read = read_landing_file(lake, rel, "consent")
    assert read.records.column("customer_id").to_pylist() == ["c2"]
    assert read.quarantine.select(["line", "detail", "customer_id"]).to_pylist() == [
        {"line": 1, "detail": "invalid_utf8", "customer_id": "c1"}
    ]


def test_a_broken_line_still_names_its_escaped_customer(tmp_path):
    """The salvaged id of an unparseable line is decoded like JSON and canonical: the hold is theirs."""
    lake = Storage(str(tmp_path))
    rel = "landing/consent/a.jsonl"
    lake.write_bytes(rel, b'{"event_id": "e1", "customer_id": "Ame\\u0301lie ", "status": \n')
    read = read_landing_file(lake, rel, "consent")
    assert read.quarantine.column("customer_id").to_pylist() == ["Amélie"]
