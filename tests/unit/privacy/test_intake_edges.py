"""Privacy intake at its edges: inputs that parsed but said two things, could not be parsed at all,
or carried a value no writer means, each run end to end through the DAGs' steps (SQLite and
PostgreSQL) or through the reader. Each of these once let an opt-out or a deletion miss its customer,
or stopped other customers' records from being taken in."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.readers import Arrival, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.policy import OPT_IN_REGIONS, Policy, locale_region, region_subtags
from utterance_governance.privacy.identity import canonical_id, canonical_ids

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, text: str = "what is the weather in boston") -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
            "locale": "en-US", "transcript": text, "response": "Sunny.", "asr_confidence": 0.9}  # fmt: skip


def opt_out(customer: str, event: str = "e-1", recorded: str = "2026-11-25T00:00:00Z") -> dict:
    return {"event_id": event, "customer_id": customer, "purpose": "model_training", "status": "opted_out",
            "effective_at": "2026-11-25T00:00:00Z", "recorded_at": recorded}  # fmt: skip


def jsonl(*rows: dict | str) -> bytes:
    return b"".join((r if isinstance(r, str) else json.dumps(r)).encode() + b"\n" for r in rows)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        jsonl(utterance("u-2", "c-2"), utterance("u-9", "bystander", "set a timer for the pasta")),
    )
    lake.publish()
    assert lake.live_ids() == {"u-2", "u-9"}
    return lake


def test_an_unreadable_privacy_file_stops_no_other_file_and_blocks_publishing(lake):
    """A truncated Parquet consent file crashed the intake (KeyError) on every run: the opt-out in the
    next file and the deletion after it were never taken in."""
    lake.storage.write_bytes("landing/consent/2026-11-25-a.parquet", b"PAR1\x00\x00 truncated upload")
    lake.storage.write_bytes("landing/consent/2026-11-25-b.jsonl", jsonl(opt_out("c-2")))
    lake.storage.write_bytes(
        "landing/deletions/2026-11-26.jsonl",
        jsonl({"request_id": "r-9", "customer_id": "bystander", "scope": "all",
               "requested_at": "2026-11-26T00:00:00Z"}),
    )  # fmt: skip
    lake.privacy()
    assert lake.live_ids() == set()  # c-2's opt-out and the bystander's deletion both carried out
    with lake.store() as store:
        blocked = store.privacy_blocked_reasons()
    assert any("2026-11-25-a.parquet" in reason and "unreadable_file" in reason for reason in blocked)


def test_a_privacy_file_whose_reading_fails_is_read_again_and_its_block_settled(lake, monkeypatch):
    """A connection reset while reading an opt-out file made it one ``unreadable_file`` record and
    marked it read: never read again, the opt-out was lost once someone acknowledged the record. The
    file is now read again next run, publishing blocked meanwhile, and its block settled once read."""
    from utterance_governance.jobs.publish import PrivacyIntakeFailed

    path = "landing/consent/2026-11-25.jsonl"
    lake.storage.write_bytes(path, jsonl(opt_out("c-2")))
    real, failures = Storage.open, []

    def reset_once(self, rel, mode="rb"):
        if rel == path and not failures:
            failures.append(rel)
            raise ConnectionResetError("connection reset by peer")
        return real(self, rel, mode)

    monkeypatch.setattr(Storage, "open", reset_once)
    with pytest.raises(PrivacyIntakeFailed):
        lake.privacy()
    with lake.store() as store:
        assert store.consent_events().num_rows == 0
        assert [r for r in store.privacy_blocked_reasons() if "read_failed:ConnectionResetError" in r]
    lake.privacy()
    with lake.store() as store:
        assert store.consent_events().num_rows == 1 and store.privacy_blocked_reasons() == []
    assert lake.live_ids() == {"u-9"}  # c-2's opt-out carried out


def test_a_file_name_that_is_no_utf8_is_refused_and_stops_nothing(lake):
    """``opt-out_\xe9t\xe9.jsonl`` (a Latin-1 tool's name) crashed every publish, privacy and audit run:
    a valid deletion in another file was never taken in."""
    import os

    root = os.fsencode(lake.root)
    for folder in (b"landing/deletions", b"landing/utterances/dt=2026-11-20"):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        with open(os.path.join(root, folder, b"export_\xe9t\xe9.jsonl"), "wb") as fh:
            fh.write(jsonl(utterance("u-5", "c-5")))
    lake.storage.write_bytes(
        "landing/deletions/2026-11-26.jsonl",
        jsonl(
            {
                "request_id": "r-9",
                "customer_id": "bystander",
                "scope": "all",
                "requested_at": "2026-11-26T00:00:00Z",
            }
        ),
    )
    lake.privacy()
    assert lake.live_ids() == {"u-2"}  # the bystander's deletion carried out
    with lake.store() as store:
        (blocked,) = store.privacy_blocked_reasons()
    assert "export_\\xe9t\\xe9.jsonl" in blocked and "undecodable_name" in blocked
    # reads every file name of the lake without a crash; its one violation is the record that blocks
    with pytest.raises(AuditFailed, match="privacy_record_blocking") as failed:
        lake.audit()
    assert "1 violation(s) (privacy_record_blocking 1)" in str(failed.value)


def test_a_line_giving_the_customer_twice_names_nobody_and_blocks_publishing(lake):
    """``{"customer_id": "c-2", "customer_id": "c-3"}`` is valid JSON, and Python keeps the last value:
    the opt-out went to c-3 and c-2's rows stayed live."""
    text = json.dumps(opt_out("c-2")).replace(
        '"customer_id": "c-2"', '"customer_id": "c-2", "customer_id": "c-3"'
    )
    lake.storage.write_bytes("landing/consent/dup.jsonl", jsonl(text))
    lake.privacy()
    with lake.store() as store:
        quarantined = store.privacy_quarantine()
        assert store.consent_events().num_rows == 0
        assert any("duplicate_key:customer_id" in reason for reason in store.privacy_blocked_reasons())
    assert [q["detail"] for q in quarantined] == ["duplicate_key:customer_id"]


def test_a_status_given_twice_holds_its_customer(tmp_path):
    storage = Storage(str(tmp_path))
    text = json.dumps(opt_out("c-A")).replace(
        '"status": "opted_out"', '"status": "opted_out", "status": "opted_in"'
    )
    storage.write_bytes("landing/consent/x.jsonl", jsonl(text))
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.select(["customer_id", "detail"]).to_pylist() == [
        {"customer_id": "c-A", "detail": "duplicate_key:status"}
    ]


def test_a_line_nested_too_deep_to_parse_loses_only_itself(tmp_path):
    storage = Storage(str(tmp_path))
    deep = '{"request_id": "r-3", "customer_id": "c-3", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    rows = [{"request_id": f"r-{i}", "customer_id": f"c-{i}", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}
            for i in (1, 2)]  # fmt: skip
    storage.write_bytes("landing/deletions/deep.jsonl", jsonl(*rows, deep))
    read = read_landing_file(storage, "landing/deletions/deep.jsonl", "deletions")
    assert read.records.column("request_id").to_pylist() == ["r-1", "r-2"]
    assert read.quarantine.select(["line", "customer_id", "detail"]).to_pylist() == [
        {"line": 3, "customer_id": "c-3", "detail": "unparseable_json"}
    ]


def _strings(values: list[bytes]) -> pa.Array:
    """A string array holding these bytes as they are, UTF-8 or not (as older Spark or Hive write them)."""
    offsets = np.cumsum([0, *map(len, values)]).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(values), [None, pa.py_buffer(offsets.tobytes()),
                                                             pa.py_buffer(b"".join(values))])  # fmt: skip


@pytest.mark.parametrize(("kind", "column"), [("consent", "source"), ("utterances", "transcript")])
def test_invalid_utf8_in_a_parquet_string_column_quarantines_its_row(tmp_path, kind, column):
    """The reader flagged the cell, then raised (UnicodeDecodeError) writing the row's raw text: every
    run failed, and the opt-out in the next file was never taken in."""
    storage = Storage(str(tmp_path))
    rows = (
        [opt_out("c-1", "e-1"), opt_out("c-2", "e-2")]
        if kind == "consent"
        else [utterance("u-1", "c-1"), utterance("u-2", "c-2")]
    )
    table = pa.Table.from_pylist(rows)
    if column in table.column_names:
        table = table.drop_columns([column])
    table = table.append_column(column, _strings([b"caf\xe9 au lait", b"fine words"]))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    storage.write_bytes(f"landing/{kind}/x.parquet", buffer.getvalue())
    read = read_landing_file(storage, f"landing/{kind}/x.parquet", kind)
    assert read.records.column("customer_id").to_pylist() == ["c-2"]
    quarantined = read.quarantine.to_pylist()
    assert [(q["customer_id"], q["detail"]) for q in quarantined] == [("c-1", f"invalid_utf8:{column}")]
    assert "\\xe9" in quarantined[0]["raw"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("recorded_at", "0001-01-01T00:00:00Z"), ("recorded_at", "1970-01-01T00:00:00Z"),
     ("effective_at", "1970-01-01T00:00:00Z")],
)  # fmt: skip
def test_a_consent_time_from_a_zero_clock_holds_its_customer(tmp_path, field, value):
    """An opt-out recorded at 0001-01-01 was outranked by the opt-in before it (the event recorded
    last decides), and the customer's rows stayed live."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/consent/x.jsonl", jsonl({**opt_out("c-1"), field: value}))
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.select(["customer_id", "detail"]).to_pylist() == [
        {"customer_id": "c-1", "detail": f"implausible_timestamp:{field}"}
    ]


@pytest.mark.parametrize("field", ["requested_at", "to"])
def test_a_deletion_dated_by_a_zero_clock_holds_its_customer(tmp_path, field):
    """A delete-all requested at 1970 covered nothing, and its receipt completed."""
    storage = Storage(str(tmp_path))
    row = {"request_id": "r-1", "customer_id": "c-1", "scope": "range", "from": "2026-11-01T00:00:00Z",
           "to": "2026-11-30T00:00:00Z", "requested_at": "2026-11-30T00:00:00Z"}  # fmt: skip
    row[field] = "1970-01-01T00:00:00Z"
    if field == "to":
        row["from"] = "1969-01-01T00:00:00Z"
    storage.write_bytes("landing/deletions/x.jsonl", jsonl(row))
    read = read_landing_file(storage, "landing/deletions/x.jsonl", "deletions")
    assert read.records.num_rows == 0
    assert read.quarantine.column("detail").to_pylist() == [f"implausible_timestamp:{field}"]
    assert read.quarantine.column("customer_id").to_pylist() == ["c-1"]


def test_an_open_range_may_start_before_2000(tmp_path):
    storage = Storage(str(tmp_path))
    row = {"request_id": "r-1", "customer_id": "c-1", "scope": "range", "from": "1990-01-01T00:00:00Z",
           "to": "2026-11-30T00:00:00Z", "requested_at": "2026-11-30T00:00:00Z"}  # fmt: skip
    storage.write_bytes("landing/deletions/x.jsonl", jsonl(row))
    assert read_landing_file(storage, "landing/deletions/x.jsonl", "deletions").records.num_rows == 1


def test_a_consent_event_recorded_after_it_was_read_holds_its_customer(tmp_path):
    """An opt-in recorded "2027-01-01" by a fast clock would outrank, once that date passed, the
    opt-out the customer gave after it."""
    storage = Storage(str(tmp_path))
    ahead = {**opt_out("c-1"), "status": "opted_in", "recorded_at": "2027-01-01T00:00:00Z"}
    storage.write_bytes("landing/consent/x.jsonl", jsonl(ahead))
    read_at = Arrival(not_after=datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent", read_at)
    assert read.records.num_rows == 0
    assert read.quarantine.column("detail").to_pylist() == ["future_timestamp:recorded_at"]
    # the intake reads privacy files so (a run's now plus the clock skew)
    on_time = read_landing_file(storage, "landing/consent/x.jsonl", "consent",
                                Arrival(not_after=datetime(2027, 1, 1, 0, 5, tzinfo=UTC)))  # fmt: skip
    assert on_time.records.num_rows == 1


def test_the_intake_reads_privacy_files_against_the_runs_now(lake):
    lake.storage.write_bytes(
        "landing/consent/x.jsonl",
        jsonl({**opt_out("c-2"), "status": "opted_in", "recorded_at": "2099-01-01T00:00:00Z"}),
    )
    lake.privacy()
    with lake.store() as store:
        assert [q["detail"] for q in store.privacy_quarantine()] == ["future_timestamp:recorded_at"]
        assert store.held_customers() == {"c-2"}


def test_a_consent_event_recorded_after_the_run_started_but_before_it_was_read_is_taken_in(lake):
    """The intake judges "recorded in the future" against when it reads the file, not the run's now (fixed
    when the run started: a queued or retried task reads later)."""
    started = datetime.now(UTC) - timedelta(hours=1)
    recorded = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    lake.storage.write_bytes("landing/consent/x.jsonl", jsonl(opt_out("c-2", recorded=recorded)))
    lake.privacy(now=started)
    with lake.store() as store:
        assert store.consent_events().num_rows == 1 and store.privacy_quarantine() == []


def test_a_store_error_while_taking_in_is_retried_not_turned_into_a_block(lake, monkeypatch):
    """A transient store error is the run's, not the file's: it fails the step (Airflow retries it) and
    leaves no blocking row behind; the file is read again."""
    from sqlalchemy.exc import OperationalError

    from utterance_governance.io.store import GovernanceStore

    lake.storage.write_bytes("landing/consent/x.jsonl", jsonl(opt_out("c-2")))
    calls = {"n": 0}
    real = GovernanceStore.ingest_consent_events

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(GovernanceStore, "ingest_consent_events", flaky)
    with pytest.raises(OperationalError):
        lake.privacy()
    lake.privacy()
    assert lake.live_ids() == {"u-9"}
    with lake.store() as store:
        assert store.privacy_blocked_reasons() == []


@pytest.mark.parametrize(
    "placeholder",
    ["null", "None", "NaN", "undefined", "NULL", "nil", "N/A", "-", "0",
     # pandas, PostgreSQL's text null, Go, a spreadsheet, a quoted empty string: published under one shared
     # identity no deletion of the real id reaches
     "<NA>", "NaT", "\\N", "<nil>", "#N/A", "(none)", '""'],
)  # fmt: skip
def test_a_placeholder_is_no_customer_of_a_new_utterance(tmp_path, placeholder):
    storage = Storage(str(tmp_path))
    storage.write_bytes(
        f"{DT}/x.jsonl", jsonl(utterance("u-1", placeholder), utterance("u-2", "c-2", "dim the lights"))
    )
    read = read_landing_file(storage, f"{DT}/x.jsonl", "utterances")
    assert read.records.column("customer_id").to_pylist() == ["c-2"]
    assert read.quarantine.column("detail").to_pylist() == ["invalid_id:customer_id"]


def test_an_id_a_decoder_could_not_read_is_refused(tmp_path):
    """ "Am\ufffdlie" (bytes decoded with the wrong codec) is no customer's id: a deletion for "Amélie" never
    reaches it."""
    storage = Storage(str(tmp_path))
    storage.write_bytes(f"{DT}/x.jsonl", jsonl(utterance("u-1", "Am\ufffdlie"), utterance("u-2", "c-2")))
    read = read_landing_file(storage, f"{DT}/x.jsonl", "utterances")
    assert read.records.column("customer_id").to_pylist() == ["c-2"]
    assert read.quarantine.column("detail").to_pylist() == ["invalid_id:customer_id"]


def test_a_placeholder_stays_an_id_elsewhere(tmp_path):
    """Rows published under "0" before the rule must stay reachable by a deletion naming "0", and "0"
    or "NA" are fine utterance ids."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/deletions/x.jsonl", jsonl(
        {"request_id": "0", "customer_id": "0", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}))  # fmt: skip
    assert read_landing_file(storage, "landing/deletions/x.jsonl", "deletions").records.num_rows == 1
    storage.write_bytes(
        f"{DT}/y.jsonl", jsonl(utterance("0", "c-1"), utterance("NA", "c-2", "dim the lights"))
    )
    assert read_landing_file(storage, f"{DT}/y.jsonl", "utterances").records.num_rows == 2
    assert canonical_id("null") == "null" and canonical_ids(pa.array([" None "])).to_pylist() == ["None"]


def test_an_utterance_whose_customer_id_is_a_placeholder_is_not_published(lake):
    lake.storage.write_bytes(
        f"{DT}/b.jsonl",
        jsonl(utterance("u-3", "None", "play the news"), utterance("u-4", "null", "dim the lights")),
    )
    lake.publish()
    assert lake.live_ids() == {"u-2", "u-9"}


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [("2026-11-25T10:00:00.1234567Z", datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)),
     ("2026-11-25T10:00:00.123456789Z", datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)),
     ("2026-11-25T10:00:00.123456789+01:00", datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC)),
     ("2026-11-25t10:00:00Z", datetime(2026, 11, 25, 10, 0, tzinfo=UTC))],
)  # fmt: skip
def test_rfc3339_timestamps_with_nanoseconds_or_a_lower_case_t_are_read(tmp_path, stamp, expected):
    """Java's Instant and Go's RFC3339Nano write 9 fractional digits: such opt-outs held their customer
    for ever, and such utterances were lost."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/consent/x.jsonl", jsonl({**opt_out("c-1"), "recorded_at": stamp}))
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent")
    assert read.quarantine.num_rows == 0
    assert read.records.column("recorded_at")[0].as_py() == expected


def _opt_in(at: str, event: str) -> dict:
    return {**opt_out("c-1", event), "status": "opted_in", "effective_at": at}


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_an_opt_in_finer_than_a_microsecond_counts_from_the_next_one(tmp_path, file_format):
    """A timestamp keeps microseconds. Floored, an opt-in 800 ns after a capture counted from the
    capture's own microsecond (consented at capture); rounded up, it does not. An opt-out is floored
    (it covers more), an exact microsecond kept."""
    storage = Storage(str(tmp_path))
    stamps = ["2026-11-25T10:00:00.000000800Z", "2026-11-25T10:00:00.000001000Z", "2026-11-25T10:00:00.5Z"]
    rows = [_opt_in(s, f"e-{i}") for i, s in enumerate(stamps)]
    rows.append({**opt_out("c-1", "e-9"), "effective_at": stamps[0]})
    if file_format == "jsonl":
        storage.write_bytes("landing/consent/x.jsonl", jsonl(*rows))
    else:  # pandas' default: nanosecond timestamps
        table = pa.Table.from_pylist(rows)
        for name in ("effective_at", "recorded_at"):
            ns = pa.array([np.datetime64(v.removesuffix("Z"), "ns") for v in table.column(name).to_pylist()])
            table = table.set_column(
                table.schema.get_field_index(name), name, ns.cast(pa.timestamp("ns", tz="UTC"))
            )
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        storage.write_bytes("landing/consent/x.parquet", buffer.getvalue())
    read = read_landing_file(storage, f"landing/consent/x.{file_format}", "consent")
    assert read.quarantine.num_rows == 0
    at = datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert read.records.column("effective_at").to_pylist() == [
        at + timedelta(microseconds=1),
        at + timedelta(microseconds=1),
        at + timedelta(microseconds=500_000),
        at,
    ]


def test_a_deletion_range_ending_finer_than_a_microsecond_covers_that_microsecond(tmp_path):
    storage = Storage(str(tmp_path))
    request = {"request_id": "r-1", "customer_id": "c-1", "scope": "range", "from": "2026-11-25T09:00:00Z",
               "to": "2026-11-25T10:00:00.000000200Z", "requested_at": "2026-11-25T11:00:00Z"}  # fmt: skip
    storage.write_bytes("landing/deletions/x.jsonl", jsonl(request))
    read = read_landing_file(storage, "landing/deletions/x.jsonl", "deletions")
    assert read.quarantine.num_rows == 0
    end = datetime(2026, 11, 25, 10, 0, 0, 1, tzinfo=UTC)
    assert read.records.column("to")[0].as_py() == end
    assert read.records.column("from")[0].as_py() == datetime(2026, 11, 25, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "region"),
    [("de-DE", "DE"), ("es-419", "419"), ("sr-Latn-RS", "RS"), ("en-us", "US"), ("de", None), ("de-Latn", None)],
)  # fmt: skip
def test_a_locales_region(locale, region):
    assert locale_region(locale) == region


def test_a_locale_naming_no_region_defaults_to_no_consent():
    policy = Policy(allowed_locales=("de", "fr", "de-Latn", "en-US"))
    assert policy.is_opt_in_locale("de") and policy.is_opt_in_locale("de-Latn")
    assert not policy.is_opt_in_locale("en-US") and policy.is_opt_in_locale("de-DE")


@pytest.mark.parametrize("locale", ["fr-RE", "fr-GP", "fr-MQ", "fr-GF", "fr-YT", "fr-MF", "sv-AX", "es-IC",
                                    "es-EA", "en-EU", "en-150", "de-EZ"])  # fmt: skip
def test_eu_territory_with_a_region_subtag_of_its_own_is_in_the_opt_in_regime(locale):
    """Réunion is in the EU as France is; "fr-RE" named no listed region and defaulted to consented."""
    assert Policy().is_opt_in_locale(locale)


@pytest.mark.parametrize("regions", [("de-DE", "FR"), ("Germany",), ("D",)])
def test_opt_in_regions_spelled_as_no_region_are_refused(regions):
    with pytest.raises(ValueError, match="opt_in_regions"):
        Policy(opt_in_regions=regions)


def test_opt_in_regions_are_read_in_any_case():
    assert Policy(opt_in_regions=("de ", "Fr", "419")).opt_in_regions == ("DE", "FR", "419")


# --- an opt-in region no locale carries ----------------------------------------------------------
def test_uk_as_an_opt_in_region_is_refused_naming_gb():
    """How most people write the United Kingdom, "UK", is no region a locale carries (ISO 3166-1's "GB":
    en-GB): it was accepted, matched no locale, and en-GB customers without consent were published under
    the opt-out regime. It is refused, not read as GB: a policy file says what it means."""
    with pytest.raises(
        ValueError, match=r"opt_in_regions: 'UK' matches no locale.*'GB' \(en-GB\); write 'GB'"
    ):
        Policy(opt_in_regions=(*OPT_IN_REGIONS, "UK"))
    with pytest.raises(ValueError, match="write 'GB'"):
        Policy(opt_in_regions=("uk ",))  # read in any case, as every region is


@pytest.mark.parametrize(
    ("region", "says"),
    [("EL", r"'EL' matches no locale.*'GR' \(el-GR\)"),  # Greece, as the EU's documents write it
     ("ZZ", "'ZZ' is no ISO 3166-1 alpha-2 region"), ("QX", "'QX' is no ISO 3166-1"),
     ("XA", "'XA' is no ISO 3166-1"), ("YU", "'YU' is no ISO 3166-1"),  # pseudo-locale; Yugoslavia, gone
     ("276", "'276' is no UN M.49 area.*'DE' not '276'"), ("999", "'999' is no UN M.49 area")],
)  # fmt: skip
def test_a_region_subtag_no_locale_carries_is_refused(region, says):
    with pytest.raises(ValueError, match=f"opt_in_regions: {says}"):
        Policy(opt_in_regions=("DE", region))


def test_gb_the_built_in_regions_and_m49_areas_are_accepted():
    """The look-alikes of what is refused: every region a locale carries, in any case."""
    policy = Policy(opt_in_regions=(*OPT_IN_REGIONS, "GB"))
    assert policy.is_opt_in_locale("en-GB") and not Policy().is_opt_in_locale("en-GB")
    assert Policy(opt_in_regions=("gb", "ch", "US", "XK", "AQ", "001", "419", "150", "EU", "EZ", "IC", "EA"))
    assert set(OPT_IN_REGIONS) <= region_subtags() and "UK" not in region_subtags()


def test_the_regions_a_locale_carries_are_cldrs_territories():
    """``region_subtags`` (phonenumbers' regions and the few codes with no numbering plan) is CLDR's
    list of territories, less its private-use and unknown codes (QO, XA, XB, ZZ)."""
    babel = pytest.importorskip("babel")
    cldr = set(babel.Locale("en").territories) - {"QO", "XA", "XB", "ZZ"}
    assert region_subtags() == cldr, (sorted(cldr - region_subtags()), sorted(region_subtags() - cldr))


def test_a_policy_file_naming_uk_publishes_nothing(tmp_path):
    """The night stops on the policy, naming GB, before an en-GB row without consent is published; with
    GB the row is held back for its missing opt-in."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"opt_in_regions": [*OPT_IN_REGIONS, "UK"]}))
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'g.db'}", policy_file=str(policy))
    gb = {**utterance("u-gb", "gina", "set a timer for ten minutes"), "locale": "en-GB"}
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(gb, utterance("u-us", "ursula")))
    with pytest.raises(ValueError, match="write 'GB'"):
        lake.publish()
    assert lake.live_ids() == set()
    policy.write_text(json.dumps({"opt_in_regions": [*OPT_IN_REGIONS, "GB"]}))
    lake.publish()
    assert lake.live_ids() == {"u-us"}


# --- times past year 9999 in UTC ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "row", "field"),
    [("consent", {**opt_out("c-1"), "effective_at": "9999-12-31T23:59:59-05:00"}, "effective_at"),
     ("deletions", {"request_id": "r-1", "customer_id": "c-1", "scope": "all",
                    "requested_at": "9999-12-31T00:00:00Z"}, "requested_at"),
     ("deletions", {"request_id": "r-1", "customer_id": "c-1", "scope": "range", "to": "9999-12-31T23:59:59-08:00",
                    "from": "9999-12-31T23:59:59-08:00", "requested_at": "2026-11-30T00:00:00Z"}, "from")],
)  # fmt: skip
def test_a_time_after_2200_holds_its_customer(tmp_path, kind, row, field):
    """A time past year 9999 once it is in UTC has no Python datetime: the store's intake raised
    OverflowError on every run (no other customer's record was taken in), and a delete-all requested
    in December 9999 made every later run's receipts crash on its deadline."""
    storage = Storage(str(tmp_path))
    storage.write_bytes(f"landing/{kind}/x.jsonl", jsonl(row))
    read = read_landing_file(storage, f"landing/{kind}/x.jsonl", kind)
    assert read.records.num_rows == 0
    assert read.quarantine.select(["customer_id", "detail"]).to_pylist() == [
        {"customer_id": "c-1", "detail": f"implausible_timestamp:{field}"}
    ]


def test_a_range_until_the_end_of_time_ends_in_2200_and_the_other_records_are_taken_in(lake):
    """A range "until forever" in local time (9999-12-31T23:59:59-08:00, past 9999 in UTC) stopped
    every privacy run, and the other customer's delete-all in the next file was never applied."""
    lake.storage.write_bytes(
        "landing/deletions/a-forever.jsonl",
        jsonl({"request_id": "r-1", "customer_id": "c-2", "scope": "range", "from": "2026-01-01T00:00:00-08:00",
               "to": "9999-12-31T23:59:59-08:00", "requested_at": "2026-11-25T00:00:00Z"}),
    )  # fmt: skip
    lake.storage.write_bytes(
        "landing/deletions/b.jsonl",
        jsonl({"request_id": "r-2", "customer_id": "bystander", "scope": "all",
               "requested_at": "2026-11-25T00:00:00Z"}),
    )  # fmt: skip
    lake.privacy()
    assert lake.live_ids() == set()
    read = read_landing_file(lake.storage, "landing/deletions/a-forever.jsonl", "deletions")
    assert read.records.column("to").to_pylist() == [datetime(2200, 1, 1, tzinfo=UTC)]


# --- a privacy file rewritten in place -------------------------------------------------------------


def _unreadable_opt_out(customer: str, event: str) -> bytes:
    return jsonl({**opt_out(customer, event), "status": "opted out"})  # a status no reader takes


def test_a_file_rewritten_in_place_holds_the_customer_of_its_new_unreadable_record(lake):
    """An export rewritten in place (``latest.jsonl``) with an unreadable opt-out on a line where its
    earlier version had one: the store kept the first row for that place and dropped the new one, so the
    new customer was neither held nor blocked, and their rows were published."""
    lake.storage.write_bytes("landing/consent/latest.jsonl", _unreadable_opt_out("bystander", "e-9"))
    lake.privacy()
    with lake.store() as store:
        assert store.held_customers() == {"bystander"}
    lake.storage.write_bytes("landing/consent/latest.jsonl", _unreadable_opt_out("c-2", "e-2") + b"\n")
    lake.privacy()
    with lake.store() as store:
        assert store.held_customers() == {"bystander", "c-2"}  # the earlier record still holds its customer
        files = sorted(q["source_file"] for q in store.privacy_quarantine(open_only=False))
    assert files[0] == "landing/consent/latest.jsonl" and files[1].startswith(
        "landing/consent/latest.jsonl (earlier"
    )
    lake.storage.write_bytes(f"{DT}/b.jsonl", jsonl(utterance("u-3", "c-2", "turn on the kitchen lights")))
    lake.publish()
    assert lake.live_ids() == set()
    lake.storage.write_bytes("landing/consent/latest.jsonl", _unreadable_opt_out("c-2", "e-2") + b"\n\n")
    lake.privacy()  # the same record read again (the file changed elsewhere): no new row
    with lake.store() as store:
        assert len(store.privacy_quarantine(open_only=False)) == 2


def test_a_refused_file_acknowledged_then_replaced_blocks_again(lake):
    """``optouts.json`` (a name the reader does not take) blocks publishing until acknowledged; the next
    export written to the same path was never read and blocked nothing: its refusal had the same place."""
    import time

    lake.storage.write_bytes("landing/consent/optouts.json", jsonl(opt_out("bystander")))
    lake.privacy()
    with lake.store() as store:
        assert store.privacy_blocked_reasons()
        store.acknowledge_privacy_quarantine([q["id"] for q in store.privacy_quarantine()], by="tester")
        assert store.privacy_blocked_reasons() == []
    lake.privacy()  # listed again, unchanged: still acknowledged
    with lake.store() as store:
        assert store.privacy_blocked_reasons() == []
    time.sleep(0.01)
    lake.storage.write_bytes("landing/consent/optouts.json", jsonl(opt_out("c-2"), opt_out("c-3", "e-3")))
    lake.privacy()
    with lake.store() as store:
        assert store.privacy_blocked_reasons()


def test_a_record_cut_before_its_customer_and_glued_to_the_next_blocks_publishing(tmp_path):
    """A writer crashed mid-record and appended the next record to the same line: the line names one
    customer (the second record's), so only they were held and the first record's customer, unknown,
    neither blocked publishing nor was held: their opt-out was lost without a trace."""
    storage = Storage(str(tmp_path))
    storage.write_bytes(
        "landing/consent/x.jsonl", b'{"event_id": "e-1", "custo' + jsonl(opt_out("c-2", "e-2"))
    )
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.column("customer_id").to_pylist() == [None]  # names nobody: blocks publishing


@pytest.mark.parametrize(
    "cut", ['{"eventId": "e-1", "custo', '{"Request-ID": "d-1", "custo', '{"EVENT_ID": "e-1", "cu']
)
def test_a_record_cut_before_its_customer_is_seen_under_any_spelling_of_its_id_key(tmp_path, cut):
    """The count of records on a line read only the keys spelled ``event_id``, ``request_id`` and
    ``utterance_id``: a writer that spells them ``eventId`` (which the reader folds alike) glued a record
    cut before its customer to the next one, and the line was salvaged as the second customer's alone."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/consent/x.jsonl", cut.encode() + jsonl(opt_out("c-2", "e-2")))
    read = read_landing_file(storage, "landing/consent/x.jsonl", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.column("customer_id").to_pylist() == [None]  # names nobody: blocks publishing


def test_a_landing_file_rewritten_with_later_rows_bounds_them_by_when_they_were_first_read(
    tmp_path, store_url
):
    """An upstream re-export appends a row captured after the path was first read: it was malformed
    (future_timestamp:captured_at), measured against the path's first reading, not its own (SPEC §4.1)."""
    import os

    lake = Lake(str(tmp_path / "lake"), store_url)
    first = utterance("u-1", "c-1")
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(first))
    lake.publish(now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    later = {**utterance("u-2", "c-2", "play the news"), "captured_at": "2026-11-21T10:00:00Z"}
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(first, later))
    path = os.path.join(lake.root, f"{DT}/a.jsonl")
    os.utime(path, (datetime(2026, 11, 21, 11, tzinfo=UTC).timestamp(),) * 2)
    result = lake.publish(now=datetime(2026, 11, 22, 12, tzinfo=UTC))
    assert result["counts"].get("malformed", 0) == 0
    assert lake.live_ids() == {"u-1", "u-2"}
    # a row the rewrite claims was captured after it was read is still in the future
    future = {**utterance("u-3", "c-3", "play jazz"), "captured_at": "2026-11-24T10:00:00Z"}
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(first, later, future))
    result = lake.publish(now=datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert result["counts"]["malformed"] == 1 and "u-3" not in lake.live_ids()


def test_a_locale_in_another_case_is_read_in_its_conventional_case(tmp_path, store_url):
    """BCP 47 tags are case-insensitive: "EN-us" and "en-us" were quality:locale_not_allowed."""
    lake = Lake(str(tmp_path / "lake"), store_url)
    rows = [
        {**utterance(f"u-{i}", f"c-{i}", f"what is the weather in boston on day {i}"), "locale": locale}
        for i, locale in enumerate(["EN-us", "en-us", "en-US"])
    ]
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(*rows))
    result = lake.publish()
    assert result["counts"] == {"published": 3}
    live = lake.storage.read_parquet(f"published/assistant-sft/{read_manifest_shard(lake)}", ["locale"])
    assert set(live.column("locale").to_pylist()) == {"en-US"}


def read_manifest_shard(lake: Lake) -> str:
    from utterance_governance.publish.commit import read_current, read_manifest

    manifest = read_manifest(
        lake.storage, "assistant-sft", read_current(lake.storage, "assistant-sft")["version"]
    )
    return manifest["shards"][0]["path"]


def test_an_utterance_id_longer_than_the_gate_allows_is_malformed_where_it_is_read(lake):
    """The gate holds a batch to 512 characters of utterance id and no reader did: one such record failed
    the gate, and with it every publish, run after run."""
    lake.storage.write_bytes(f"{DT}/b.jsonl", jsonl(utterance("u" * 600, "c-3", "play the radio"),
                                                     utterance("u-4", "c-4", "play the news")))  # fmt: skip
    result = lake.publish()
    assert result["counts"] == {"malformed": 1, "published": 1}
    assert "u-4" in lake.live_ids()
