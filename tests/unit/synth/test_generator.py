"""The synthetic landing zone: deterministic, chunked, every defect and scenario present and findable.

The readers below are deliberately independent of the generator: they classify what is in the
files the way a strict ingest would, and the tests compare that with the generator's summary.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utterance_governance import schema
from utterance_governance.policy import Policy
from utterance_governance.synth.__main__ import main
from utterance_governance.synth.generator import (
    IDENTIFIER_KINDS,
    MALFORMED_KINDS,
    QUALITY_KINDS,
    GenerationSummary,
    generate_landing,
    generate_privacy_updates,
    malformed_kinds_for,
    read_summary,
)
from utterance_governance.synth.identifiers import luhn_valid, spoken_digits
from utterance_governance.synth.templates import number_words

OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
LOCALE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")
CARD = re.compile(r"\b(?:\d[ -]?){14,15}\d\b")


# -- independent readers ----------------------------------------------------------------------------
def parse_ts(value) -> datetime | None:
    """A timestamp with an offset, or None when it has none or is not a date."""
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if not isinstance(value, str) or not OFFSET.search(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def classify(rec: dict, seen: set[str]) -> str | None:
    """The malformed kind of one decoded record (None when well-formed); updates ``seen`` ids."""
    for name in ("utterance_id", "customer_id", "captured_at", "locale"):
        if rec.get(name) is None:
            return f"missing_{name}"
    if "transcript" not in rec:
        return "missing_transcript"
    if rec["transcript"] is None:
        return "null_transcript"
    if rec.get("turn_index") is not None and not isinstance(rec["turn_index"], int):
        return "wrong_type_turn_index"
    conf = rec.get("asr_confidence")
    if isinstance(conf, str):
        return "wrong_type_asr_confidence"
    if conf is not None and not 0 <= conf <= 1:
        return "asr_confidence_out_of_range"
    if not LOCALE.match(rec["locale"]):
        return "bad_locale"
    captured = rec["captured_at"]
    if isinstance(captured, str) and not OFFSET.search(captured):
        return "timestamp_without_offset"
    if parse_ts(captured) is None:
        return "impossible_date"
    if rec["utterance_id"] in seen:
        return "duplicate_utterance_id"
    seen.add(rec["utterance_id"])
    return None


def read_utterance_file(root: str, rel: str) -> tuple[list[dict], Counter]:
    """(well-formed records, malformed kinds) of one landing file."""
    path = os.path.join(root, rel)
    good, bad, seen = [], Counter(), set()
    if rel.endswith(".parquet"):
        for rec in pq.read_table(path).to_pylist():
            kind = classify(rec, seen)
            (bad.update([kind]) if kind else good.append(rec))
        return good, bad
    opener = gzip.open if rel.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for raw in fh:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                bad["invalid_utf8"] += 1
                continue
            try:
                rec = json.loads(text)
            except ValueError:
                bad["unparseable_json"] += 1
                continue
            kind = classify(rec, seen)
            (bad.update([kind]) if kind else good.append(rec))
    return good, bad


def read_privacy(root: str, rel: str) -> tuple[list[dict], list[int]]:
    """(records that parse as JSON, 1-based numbers of lines that do not)."""
    records, unreadable = [], []
    with open(os.path.join(root, rel), "rb") as fh:
        for no, raw in enumerate(fh, 1):
            try:
                records.append(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, ValueError):
                unreadable.append(no)
    return records, unreadable


def valid_consent(r: dict) -> bool:
    return r.get("status") in schema.CONSENT_STATUSES and all(
        parse_ts(r.get(k)) for k in ("effective_at", "recorded_at")
    )


def valid_deletion(r: dict) -> bool:
    if r.get("scope") not in schema.DELETION_SCOPES or parse_ts(r.get("requested_at")) is None:
        return False
    return r["scope"] != "range" or (
        parse_ts(r.get("from")) is not None and parse_ts(r.get("to")) is not None
    )


def reference_decision(u, consent: dict, deletions: dict, held: set, eu: bool, now: datetime) -> str:
    """SPEC §4 rules 2 and 3 (plus hold-back), written from the spec, for scenario utterances."""
    t = parse_ts(u.captured_at)
    if u.customer_id in held:
        return schema.HELD_BACK
    events = sorted(
        (parse_ts(e["effective_at"]), e["status"])
        for e in consent.get(u.customer_id, [])
        if e["purpose"] == schema.TRAINING_PURPOSE
    )
    at_capture = [s for when, s in events if when <= t]
    in_force = [s for when, s in events if when <= now]
    consented_then = at_capture[-1] == "opted_in" if at_capture else not eu
    consented_now = in_force[-1] == "opted_in" if in_force else not eu
    if not (consented_then and consented_now):
        return schema.NO_CONSENT if eu and not at_capture else schema.OPTED_OUT
    for d in deletions.get(u.customer_id, []):
        if d["scope"] == "all" and t <= parse_ts(d["requested_at"]):
            return schema.DELETION_REQUESTED
        if d["scope"] == "range" and parse_ts(d["from"]) <= t <= parse_ts(d["to"]):
            return schema.DELETION_REQUESTED
        if d["scope"] == "utterances" and u.utterance_id in d["utterance_ids"]:
            return schema.DELETION_REQUESTED
    return schema.PUBLISHED


def tree(root) -> dict[str, str]:
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


# -- fixtures -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[str, GenerationSummary]:
    root = str(tmp_path_factory.mktemp("small"))
    return root, generate_landing(root, 100, seed=11, unreadable_privacy_records=True)


@pytest.fixture(scope="module")
def small_read(small):
    root, summary = small
    return {rel: read_utterance_file(root, rel) for rel in summary.utterance_files}


# -- tests ------------------------------------------------------------------------------------------------
def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a, b, c = (str(tmp_path / n) for n in "abc")
    for root in (a, b):
        generate_landing(root, 300, seed=5, file_format="mixed", days=2, files_per_day=3)
    generate_landing(c, 300, seed=6, file_format="mixed", days=2, files_per_day=3)
    assert tree(a) == tree(b)
    assert any(rel.endswith(".jsonl.gz") for rel in tree(a)) and any(
        rel.endswith(".parquet") for rel in tree(a)
    )
    assert len(tree(a)) == len(tree(c)) and set(tree(a).values()).isdisjoint(tree(c).values())


def test_n100_row_counts_partitions_and_offsets(small, small_read):
    _, summary = small
    assert sum(summary.rows_by_file.values()) == 100 == summary.utterances
    assert set(summary.rows_by_format) == {"parquet", "jsonl", "jsonl.gz"}
    for rel, (good, bad) in small_read.items():
        assert len(good) + sum(bad.values()) == summary.rows_by_file[rel]
        day = date.fromisoformat(re.search(r"dt=(\d{4}-\d{2}-\d{2})/", rel).group(1))
        for rec in good:
            assert OFFSET.search(rec["captured_at"]), rec["captured_at"]
            assert parse_ts(rec["captured_at"]).astimezone(UTC).date() == day


def test_n100_every_malformed_kind_present_and_counted(small, small_read):
    _, summary = small
    found = Counter()
    for _, bad in small_read.values():
        found.update(bad)
    assert set(found) == set(MALFORMED_KINDS)
    assert found == Counter(summary.malformed_by_kind)
    per_file = {rel: dict(bad) for rel, (_, bad) in small_read.items() if bad}
    assert per_file == summary.malformed_by_file
    assert summary.repeated_utterance_ids


def test_parquet_files_carry_only_parquet_kinds(small_read):
    for rel, (_, bad) in small_read.items():
        if rel.endswith(".parquet"):
            assert set(bad) <= set(malformed_kinds_for("parquet"))
    assert "unparseable_json" not in malformed_kinds_for("parquet")
    assert "impossible_date" not in malformed_kinds_for("parquet", "timestamp")


def test_n100_quality_identifier_and_duplicate_rows(small, small_read):
    _, summary = small
    assert set(summary.quality_by_kind) == set(QUALITY_KINDS)
    assert set(summary.identifiers_by_kind) == set(IDENTIFIER_KINDS)
    good = [rec for recs, _ in small_read.values() for rec in recs]
    texts = [f"{r['transcript']} || {r['response']}" for r in good]
    assert any("@" in t for t in texts)
    assert any(re.search(r"\(\d{3}\) ?\d{3}[- ]\d{4}", t) for t in texts)
    assert any(re.search(r"\+\d{1,3}[ -]\(?\d", t) for t in texts)
    assert any(re.search(r"\b\d{3}-\d{2}-\d{4}\b", t) for t in texts)
    assert any(re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", t) for t in texts)
    assert any(luhn_valid(m.group(0)) for t in texts for m in CARD.finditer(t))
    assert any(
        re.search(r"\b(five|oh|one|two|three|four|six|seven|eight|nine|zero)( \w+){6,}", t) for t in texts
    )
    assert any(re.search(r"\b(double|triple) \w+", t) for t in texts)
    assert any(not r["transcript"].strip() for r in good)
    assert any(len(r["transcript"]) > Policy().max_transcript_chars for r in good)
    assert any(r["asr_confidence"] is not None and r["asr_confidence"] < 0.5 for r in good)
    assert any(r["locale"] not in Policy().allowed_locales for r in good)
    pairs = defaultdict(set)
    for r in good:
        pairs[(" ".join(r["transcript"].lower().split()), r["response"])].add(r["customer_id"])
    assert any(len(customers) >= 2 for customers in pairs.values())
    assert summary.duplicates_planted >= 2


def test_text_is_in_the_locale_language(tmp_path):
    root = str(tmp_path)
    summary = generate_landing(root, 3000, seed=3, file_format="jsonl", days=1, files_per_day=1)
    good, _ = read_utterance_file(root, summary.utterance_files[0])
    by_lang = defaultdict(list)
    for r in good:
        by_lang[r["locale"].split("-")[0]].append(r["transcript"].lower())
    markers = {"de": r"\b(wie|spiel|stell|mach|ruf|setz|erinnere|danke|was)\b",
               "fr": r"\b(quel|mets|ajoute|appelle|rappelle|merci|allume|combien)\b",
               "es": r"\b(qué|pon|añade|llama|recuérdame|gracias|enciende|cuánto)\b",
               "en": r"\b(what|set|play|add|call|remind|turn|thank)\b"}  # fmt: skip
    for lang, pattern in markers.items():
        hits = sum(bool(re.search(pattern, t)) for t in by_lang[lang])
        assert hits > 0.6 * len(by_lang[lang]), lang
    assert any(re.search(r"\b(ten minutes|two dozen|degrees)\b", t) for t in by_lang["en"])


def test_every_scenario_present_and_decidable(small):
    root, summary = small
    for name in ("retroactive_opt_out", "opt_out_then_in", "eu_no_consent", "eu_opted_in", "eu_late_opt_in",
                 "us_untouched", "deleted_all", "deleted_all_partial", "deleted_range", "deleted_utterance_ids",
                 "held_back", "ghost_customers"):  # fmt: skip
        assert getattr(summary, name), name
    consent_records, _ = read_privacy(root, summary.consent_files[0])
    deletion_records, _ = read_privacy(root, summary.deletion_files[0])
    consent, deletions, held = defaultdict(list), defaultdict(list), set()
    for r in consent_records:
        (consent[r["customer_id"]].append(r) if valid_consent(r) else held.add(r["customer_id"]))
    for r in deletion_records:
        (deletions[r["customer_id"]].append(r) if valid_deletion(r) else held.add(r["customer_id"]))
    assert held == set(summary.held_back)
    now = parse_ts(summary.as_of)
    policy = Policy()
    cast = summary.cast_utterances
    locale_of = {}
    for rel in summary.utterance_files:
        for rec in read_utterance_file(root, rel)[0]:
            locale_of[rec["utterance_id"]] = rec["locale"]
    assert {u.utterance_id for u in cast} <= set(locale_of)
    for u in cast:
        eu = policy.is_opt_in_locale(locale_of[u.utterance_id])
        assert reference_decision(u, consent, deletions, held, eu, now) == u.expected, u
    expected = Counter(u.expected for u in cast)
    assert set(expected) == {schema.PUBLISHED, schema.OPTED_OUT, schema.NO_CONSENT, schema.DELETION_REQUESTED,
                             schema.HELD_BACK}  # fmt: skip
    # consent at capture time and now differ for the scripted customers
    gap = {w.customer_id for w in summary.opt_out_then_in}
    late = {w.customer_id for w in summary.eu_late_opt_in}
    assert {u.expected for u in cast if u.customer_id in gap} == {schema.PUBLISHED, schema.OPTED_OUT}
    assert {u.expected for u in cast if u.customer_id in late} == {schema.PUBLISHED, schema.NO_CONSENT}
    assert {u.expected for u in cast if u.customer_id in summary.retroactive_opt_out} == {schema.OPTED_OUT}
    partial = {w.customer_id for w in summary.deleted_all_partial}
    assert {u.expected for u in cast if u.customer_id in partial} == {
        schema.PUBLISHED,
        schema.DELETION_REQUESTED,
    }


def test_privacy_records_unreadable_ghosts_and_ids(small):
    root, summary = small
    unreadable = []
    ids = []
    for rel in summary.consent_files + summary.deletion_files:
        records, bad = read_privacy(root, rel)
        unreadable += [{"file": rel, "line": no} for no in bad]
        ids += [r.get("event_id") or r.get("request_id") for r in records]
    assert unreadable == summary.unreadable_privacy_records and len(unreadable) == 2
    assert len(ids) == len(set(ids))
    customers = {
        rec["customer_id"] for rel in summary.utterance_files for rec in read_utterance_file(root, rel)[0]
    }
    assert not set(summary.ghost_customers) & customers
    scopes = {r["scope"] for r in read_privacy(root, summary.deletion_files[0])[0]}
    assert scopes >= set(schema.DELETION_SCOPES)


def test_nothing_else_under_landing_and_summary_round_trip(small, tmp_path):
    root, summary = small
    on_disk = sorted(os.path.relpath(os.path.join(d, n), root) for d, _, ns in os.walk(root) for n in ns)
    assert on_disk == sorted(summary.landing_files)
    path = str(tmp_path / "summary.json")
    summary.write_summary(path)
    assert read_summary(path) == summary
    with pytest.raises(ValueError):
        summary.write_summary(os.path.join(root, "landing", "truth.json"))


@pytest.mark.slow
def test_chunked_generation_keeps_exact_counts(tmp_path):
    root = str(tmp_path)
    summary = generate_landing(root, 250_000, seed=2, days=2, files_per_day=2, chunk_size=20_000)
    assert sum(summary.rows_by_file.values()) == 250_000
    for rel in summary.utterance_files:
        path = os.path.join(root, rel)
        if rel.endswith(".parquet"):
            meta = pq.ParquetFile(path).metadata
            assert meta.num_rows == summary.rows_by_file[rel]
            assert meta.num_row_groups >= summary.rows_by_file[rel] // 20_000  # written chunk by chunk
        else:
            with (gzip.open if rel.endswith(".gz") else open)(path, "rb") as fh:
                assert sum(1 for _ in fh) == summary.rows_by_file[rel]
    share = summary.malformed_rows / 250_000
    assert 0.008 < share < 0.013
    assert set(summary.malformed_by_kind) == set(MALFORMED_KINDS)


def test_parquet_timestamp_column_option(tmp_path):
    root = str(tmp_path)
    summary = generate_landing(root, 400, seed=4, file_format="parquet", parquet_timestamps="timestamp")
    table = pq.read_table(os.path.join(root, summary.utterance_files[0]))
    assert table.schema.field("captured_at").type == pa.timestamp("us", tz="UTC")
    assert set(summary.malformed_by_kind) == set(malformed_kinds_for("parquet", "timestamp"))
    good, bad = read_utterance_file(root, summary.utterance_files[0])
    assert good and "impossible_date" not in bad


def test_privacy_updates_second_drop(small, tmp_path):
    root, summary = small
    before = set(summary.landing_files)
    update = generate_privacy_updates(root, summary, seed=11)
    assert update.consent_file not in before and update.deletion_file not in before
    records, bad = read_privacy(root, update.deletion_file)
    assert not bad and {r["scope"] for r in records} == set(schema.DELETION_SCOPES)
    consent, _ = read_privacy(root, update.consent_file)
    assert all(valid_consent(r) for r in consent) and all(valid_deletion(r) for r in records)
    published_before = {u.utterance_id for u in summary.cast_utterances if u.expected == schema.PUBLISHED}
    assert update.expected and set(update.expected) <= published_before
    assert set(update.expected.values()) == {schema.OPTED_OUT, schema.DELETION_REQUESTED}
    assert update.opted_out and update.deleted_all and update.deleted_range and update.deleted_utterance_ids
    again = generate_privacy_updates(str(tmp_path), summary, seed=11)
    assert again.to_dict() == update.to_dict()
    with (
        open(os.path.join(root, update.consent_file), "rb") as a,
        open(tmp_path / update.consent_file, "rb") as b,
    ):
        assert a.read() == b.read()


def test_cli_writes_landing_and_summary(tmp_path, capsys):
    root, out = str(tmp_path / "lake"), str(tmp_path / "summary.json")
    assert main(["--root", root, "--utterances", "150", "--seed", "9", "--format", "jsonl.gz", "--days", "1",
                 "--files-per-day", "2", "--summary", out]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["rows_by_format"] == {"jsonl.gz": 150}
    summary = read_summary(out)
    assert len(summary.utterance_files) == 2 and all(f.endswith(".jsonl.gz") for f in summary.utterance_files)
    assert main(["--root", root, "--seed", "9", "--privacy-updates", out]) == 0


def test_helpers():
    assert luhn_valid("4111 1111 1111 1111") and not luhn_valid("4111 1111 1111 1112")
    assert number_words(72, "en") == "seventy-two" and number_words(21, "de") == "einundzwanzig"
    assert number_words(71, "fr") == "soixante et onze" and number_words(35, "es") == "treinta y cinco"

    class Fixed:
        def random(self):
            return 0.0

    assert (
        spoken_digits("07700900123", "en", Fixed(), british=True)
        == "oh double seven double oh nine double oh one two three"
    )
    with pytest.raises(ValueError):
        generate_landing("/nonexistent-never-written", 100, seed=1, file_format="csv")


def test_object_store_root_streams_chunks_and_matches_local(tmp_path, monkeypatch):
    """An ``s3://`` root (moto's S3 server) gets the same bytes as a local root, and nothing else."""
    moto_server = pytest.importorskip("moto.server")
    import socket

    import fsspec

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        options = {"client_kwargs": {"endpoint_url": f"http://127.0.0.1:{port}"}}
        fs = fsspec.filesystem("s3", skip_instance_cache=True, **options)
        fs.mkdir("lake")
        remote = generate_landing("s3://lake/ug", 300, seed=3, chunk_size=40, storage_options=options)
        local = generate_landing(str(tmp_path), 300, seed=3, chunk_size=40)
        assert sorted(fs.find("lake/ug")) == sorted(f"lake/ug/{rel}" for rel in remote.landing_files)
        for rel in local.landing_files:
            assert fs.cat(f"lake/ug/{rel}") == (tmp_path / rel).read_bytes(), rel
    finally:
        server.stop()


def test_traffic_is_mostly_distinct_exchanges_with_a_few_percent_identifiers(tmp_path):
    """Realistic traffic: most (transcript, response) pairs differ (the long tail), short commands
    repeat, and a few percent of the rows carry a planted identifier, in every allowed language
    the identifier kinds are written for."""
    root = str(tmp_path)
    summary = generate_landing(root, 20_000, seed=11, file_format="parquet", days=1, files_per_day=1)
    table = pq.read_table(os.path.join(root, summary.utterance_files[0]))
    allowed = set(Policy().allowed_locales)
    rows = [
        r for r in table.select(["transcript", "response", "locale"]).to_pylist() if r["locale"] in allowed
    ]
    pairs = Counter((" ".join((r["transcript"] or "").lower().split()), r["response"]) for r in rows)
    repeated = sum(count - 1 for count in pairs.values())
    assert 0.02 < repeated / len(rows) < 0.35
    planted = sum(summary.identifiers_by_kind.values())
    assert 0.02 < planted / summary.utterances < 0.06
    assert summary.identifiers_by_kind["address"] > 0
