"""The audit's checks, each on a small hand-built lake: what passes, and what each rule catches."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.unit.lakes import (
    DATASET,
    KEY,
    NOW,
    add_consent,
    add_deletion,
    append_rows,
    flip_byte,
    live_manifest,
    publish_records,
    record,
    rewrite_live_shard,
    shard_row,
    ts,
)

from utterance_governance import schema as S
from utterance_governance.audit.deadlines import deadline_findings
from utterance_governance.audit.findings import RULES, Finding, Findings
from utterance_governance.audit.publication import verify_publication
from utterance_governance.audit.rows import identifier_findings, scan_rows
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs import audit
from utterance_governance.jobs.context import InvalidParams, RunContext
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState
from utterance_governance.publish.commit import DatasetPaths
from utterance_governance.publish.shards import split_turns
from utterance_governance.reports.deadlines import deletion_deadlines
from utterance_governance.settings import load_settings

RECORDS = [
    record("u-a1", "cus-alice", "2026-11-20T08:00:00Z"),
    record("u-a2", "cus-alice", "2026-11-21T09:00:00Z", user="play some jazz please", reply="Playing jazz."),
    record("u-a3", "cus-alice", "2026-11-22T10:00:00Z", user="set a timer for ten minutes", reply=None),
    record("u-b1", "cus-bob", "2026-11-20T12:00:00Z", user="turn off the lights", reply="Done."),
    record("u-b2", "cus-bob", "2026-11-21T12:00:00Z", user="how tall is everest", reply="8,849 metres."),
    record(
        "u-e1", "cus-eve", "2026-11-21T13:00:00Z", locale="de-DE", user="wie spät ist es", reply="Zehn Uhr."
    ),
]


@pytest.fixture
def lake(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    store.create_schema()
    add_consent(store, "ev-eve-in", "cus-eve", "opted_in", "2026-11-01T00:00:00Z")
    publish_records(storage, store, RECORDS, target_rows=4)  # two shards
    return storage, store


def scan(storage: Storage, store: GovernanceStore, now=NOW) -> Findings:
    version = json.loads(storage.read_bytes(DatasetPaths(DATASET).current))["version"]
    manifest = live_manifest(storage)
    state = PrivacyState(store.consent_events(), store.deletion_requests())
    return scan_rows(storage, store, DATASET, version, manifest, state, Policy(), now, KEY).findings


def verify(storage: Storage, store: GovernanceStore) -> Findings:
    live = store.live_version(DATASET)
    return verify_publication(
        storage, DATASET, store_live=live, store_shards=store.version_shard_paths(DATASET, live)
    ).findings


def by_rule(findings: Findings, rule: str) -> list[Finding]:
    return [f for f in findings.items if f.rule == rule]


# --- an untouched lake passes ----------------------------------------------------------------------
def test_an_untouched_lake_passes_every_check(lake):
    storage, store = lake
    assert verify(storage, store).counts == {}
    assert scan(storage, store).counts == {}
    result = verify_publication(storage, DATASET)
    assert result.version == "v000001" and result.shards_checked == 2


def test_nothing_published_yet_is_not_a_violation(tmp_path):
    storage = Storage(str(tmp_path / "empty"))
    assert verify_publication(storage, DATASET, store_live=None).findings.counts == {}


# --- the current consent and deletion state ---------------------------------------------------------
def test_a_deletion_after_publishing_is_found_row_by_row(lake):
    storage, store = lake
    add_deletion(store, "del-alice", "cus-alice", "2026-11-21T23:00:00Z")  # covers u-a1, u-a2 only
    findings = scan(storage, store)
    hits = by_rule(findings, "deletion_requested")
    assert sorted(f.utterance_id for f in hits) == ["u-a1", "u-a2"]
    assert all("del-alice" in f.message and f.shard.endswith(".parquet") for f in hits)
    assert set(findings.counts) == {"deletion_requested"}
    assert "cus-alice" not in json.dumps(findings.to_dict())  # named by pseudonym prefix only


def test_range_and_utterance_scopes_use_the_deletion_rule_itself(lake):
    storage, store = lake
    add_deletion(store, "del-bob-range", "cus-bob", "2026-11-25T00:00:00Z", scope="range",
                 start=ts("2026-11-21T00:00:00Z"), end=ts("2026-11-21T23:59:59Z"))  # fmt: skip
    # a request naming someone else's utterance deletes nothing of theirs
    add_deletion(store, "del-eve-list", "cus-eve", "2026-11-25T00:00:00Z", scope="utterances",
                 ids=["u-b1", "u-e1"])  # fmt: skip
    hits = by_rule(scan(storage, store), "deletion_requested")
    assert sorted((f.utterance_id, f.detail["requests"][0]) for f in hits) == [
        ("u-b2", "del-bob-range"), ("u-e1", "del-eve-list")]  # fmt: skip


def test_an_opt_out_applies_retroactively(lake):
    storage, store = lake
    add_consent(store, "ev-bob-out", "cus-bob", "opted_out", "2026-11-25T00:00:00Z")
    hits = by_rule(scan(storage, store), "opted_out")
    assert sorted(f.utterance_id for f in hits) == ["u-b1", "u-b2"]
    assert "now" in hits[0].message


def test_a_shard_rewritten_to_name_another_speaker_or_locale_is_judged_as_the_ledger_recorded(lake):
    """The verdict judged the shard's own speaker_key and locale: an opted-out customer's rows given an
    unkeyed digest as speaker key, and a German row relabelled en-US (checksums fixed up), passed."""
    import hashlib

    storage, store = lake
    add_consent(store, "ev-bob-out", "cus-bob", "opted_out", "2026-11-25T00:00:00Z")
    add_consent(store, "ev-eve-out", "cus-eve", "opted_out", "2026-11-25T00:00:00Z")  # eve: no consent now

    def disguise(table: pa.Table) -> pa.Table:
        rows = table.to_pylist()
        for row in rows:
            row["speaker_key"] = hashlib.sha256(row["utterance_id"].encode()).hexdigest()
            row["locale"] = "en-US"
        return pa.Table.from_pylist(rows, schema=table.schema)

    for index in range(len(live_manifest(storage)["shards"])):
        rewrite_live_shard(storage, disguise, index=index)
    findings = scan(storage, store)
    assert {f.utterance_id for f in by_rule(findings, "opted_out")} == {"u-b1", "u-b2", "u-e1"}
    assert len(by_rule(findings, "ledger_field_mismatch")) == len(RECORDS)


def test_an_opt_out_dated_in_the_future_is_in_force_from_when_it_is_held(lake):
    """An upstream clock cannot postpone an opt-out: it counts from the earliest of its dates and now."""
    storage, store = lake
    add_consent(store, "ev-bob-out", "cus-bob", "opted_out", "2026-12-25T00:00:00Z")
    assert scan(storage, store).counts == {"opted_out": 2}


def test_opt_in_regions_need_consent_in_force(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}")
    store.create_schema()
    publish_records(storage, store, [record("u-f1", "cus-fr", "2026-11-20T08:00:00Z", locale="fr-FR")])
    hits = by_rule(scan(storage, store), "no_consent")
    assert [f.utterance_id for f in hits] == ["u-f1"] and "fr-FR" in hits[0].message


# --- row content ------------------------------------------------------------------------------------
def test_a_leaked_email_is_found_without_being_reported(lake):
    storage, store = lake
    leaked = shard_row("u-x1", "cus-bob", "2026-11-20T15:00:00Z", user="mail me at jo.smith@example.com")
    shard = rewrite_live_shard(storage, append_rows(leaked))
    findings = scan(storage, store)
    (hit,) = by_rule(findings, "identifier_detected")
    assert (hit.shard, hit.utterance_id) == (shard, "u-x1")
    assert "email" in hit.detail["kinds"] and hit.detail["role"] == "user"
    assert "jo.smith" not in json.dumps(findings.to_dict())
    assert verify(storage, store).counts == {}  # the manifest was fixed up: only rows show it


def test_spoken_numbers_are_identifiers_too(lake):
    storage, store = lake
    leaked = shard_row("u-x2", "cus-bob", "2026-11-20T15:00:00Z", user="call me on",
                       reply="Calling five five five one two three four.")  # fmt: skip
    rewrite_live_shard(storage, append_rows(leaked))
    (hit,) = by_rule(scan(storage, store), "identifier_detected")
    assert hit.detail["role"] == "assistant" and "spoken_number" in hit.detail["kinds"]


def test_a_live_row_no_decision_published_is_not_in_the_ledger(lake):
    storage, store = lake
    rewrite_live_shard(storage, append_rows(shard_row("u-new", "cus-bob", "2026-11-20T16:00:00Z")))
    findings = scan(storage, store)
    assert set(findings.counts) == {"not_in_ledger"}
    assert by_rule(findings, "not_in_ledger")[0].utterance_id == "u-new"


def test_text_changed_after_publishing_no_longer_matches_its_hash(lake):
    storage, store = lake

    def change_text(table: pa.Table) -> pa.Table:
        other = shard_row("u-a1", "cus-alice", "2026-11-20T08:00:00Z", user="something else entirely")
        rows = table.to_pylist()
        for row in rows:
            if row["utterance_id"] == "u-a1":
                row["messages"] = other.column("messages")[0].as_py()
        return pa.Table.from_pylist(rows, schema=table.schema)

    rewrite_live_shard(storage, change_text)
    findings = scan(storage, store)
    assert set(findings.counts) == {"content_hash_mismatch"}


def test_a_row_removed_from_a_shard_leaves_its_ledger_row_unmatched(lake):
    storage, store = lake
    shard = rewrite_live_shard(storage, lambda t: t.slice(1))
    (hit,) = by_rule(scan(storage, store), "ledger_row_missing")
    assert hit.shard == shard


def test_an_utterance_copied_into_another_shard_is_caught_shard_by_shard(lake):
    """The scan holds one shard at a time: a row copied into a second shard is not in that shard's
    ledger; a row the ledger records in two shards is a duplicate the store reports."""
    storage, store = lake
    manifest = live_manifest(storage)
    first, second = (s["path"] for s in manifest["shards"][:2])
    row = storage.read_parquet(DatasetPaths(DATASET).shard(first)).slice(0, 1)
    rewrite_live_shard(storage, append_rows(row), index=1)
    findings = scan(storage, store)
    (copied,) = by_rule(findings, "not_in_ledger")
    assert (copied.shard, copied.utterance_id) == (second, row.column("utterance_id")[0].as_py())
    ledger = store.ledger_rows(DATASET, None, shard_paths=[first]).slice(0, 1)
    version = json.loads(storage.read_bytes(DatasetPaths(DATASET).current))["version"]
    store.insert_ledger_rows(
        DATASET, version, ledger.set_column(2, "shard_path", pa.array([f"{second}-twin"]))
    )
    (twice,) = by_rule(scan(storage, store), "duplicate_row")
    assert twice.utterance_id == row.column("utterance_id")[0].as_py()


def test_an_utterance_live_twice_is_a_duplicate(lake):
    storage, store = lake
    rewrite_live_shard(storage, lambda t: pa.concat_tables([t, t.slice(0, 1)]))
    findings = scan(storage, store)
    assert set(findings.counts) == {"duplicate_row"}


def test_a_raw_id_as_speaker_key_is_caught(lake):
    storage, store = lake

    def raw_key(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("speaker_key")
        return table.set_column(i, "speaker_key", pa.array(["cus-alice"] * table.num_rows))

    rewrite_live_shard(storage, raw_key)
    findings = scan(storage, store)
    assert findings.counts["speaker_key_not_pseudonym"] == live_manifest(storage)["shards"][0]["rows"]
    assert "cus-alice" not in json.dumps(findings.to_dict())


def test_malformed_messages_are_caught():
    rows = pa.table({
        "utterance_id": ["u1", "u2"],
        "messages": pa.array([[{"role": "assistant", "content": "hi"}], []],
                             pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
    })  # fmt: skip
    _, _, well_formed = split_turns(rows)
    assert well_formed.tolist() == [False, False]


# --- files, manifests, current.json -----------------------------------------------------------------
def test_a_flipped_byte_fails_the_checksum(lake):
    storage, store = lake
    shard = flip_byte(storage, index=1)
    findings = verify(storage, store)
    (hit,) = by_rule(findings, "shard_sha256_mismatch")
    assert hit.shard == shard


def test_a_rewritten_shard_without_a_fixed_manifest_shows_in_bytes_checksum_and_rows(lake):
    storage, store = lake
    rewrite_live_shard(storage, lambda t: t.slice(1), fix_manifest=False)
    assert {"shard_sha256_mismatch", "shard_bytes_mismatch", "shard_rows_mismatch"} <= verify(
        storage, store
    ).rules


def test_missing_files_and_a_version_that_is_not_live(lake):
    storage, store = lake
    manifest = live_manifest(storage)
    storage.remove(DatasetPaths(DATASET).shard(manifest["shards"][0]["path"]))
    assert by_rule(verify(storage, store), "shard_missing")
    manifest["status"] = "superseded"
    storage.write_bytes(DatasetPaths(DATASET).manifest("v000001"), json.dumps(manifest).encode())
    assert by_rule(verify(storage, store), "version_not_live")
    storage.remove(DatasetPaths(DATASET).manifest("v000001"))
    assert verify(storage, store).rules == {"manifest_missing"}
    storage.write_bytes(DatasetPaths(DATASET).current, b"{not json")
    assert verify(storage, store).rules == {"current_unreadable"}
    storage.remove(DatasetPaths(DATASET).current)
    # (nothing is live, and the shards no manifest lists are still in the dataset's folder: a glob loads them)
    assert verify(storage, store).rules == {"current_missing", "unlisted_shard_file"}


def test_the_store_and_the_manifest_must_agree(lake):
    storage, _ = lake
    findings = verify_publication(
        storage, DATASET, store_live="v000009", store_shards=["v000001/x.parquet"]
    ).findings
    assert {"version_not_live", "store_shards_mismatch"} <= findings.rules


def test_paths_outside_the_dataset_and_forbidden_columns(lake):
    storage, store = lake
    manifest = live_manifest(storage)
    manifest["shards"][0]["path"] = "../../landing/utterances/x.parquet"
    storage.write_bytes(DatasetPaths(DATASET).manifest("v000001"), json.dumps(manifest).encode())
    assert by_rule(verify(storage, store), "shard_path_invalid")

    def add_customer(table: pa.Table) -> pa.Table:
        return table.append_column("customer_id", pa.array(["cus-x"] * table.num_rows))

    manifest["shards"][0]["path"] = "v000001/shards/part-00000.parquet"
    storage.write_bytes(DatasetPaths(DATASET).manifest("v000001"), json.dumps(manifest).encode())
    rewrite_live_shard(storage, add_customer, index=1)
    assert verify(storage, store).rules == {"forbidden_column", "shard_schema"}


def _with_original_text(table: pa.Table) -> pa.Table:
    messages = [
        [{**m, "original": "call me on 555 123 4567"} for m in row]
        for row in table.column("messages").to_pylist()
    ]
    return table.set_column(table.schema.get_field_index("messages"), "messages", pa.array(messages))


BEYOND_THE_SCHEMA = {
    "another column": lambda t: t.append_column("customerId", pa.array(["cus-alice"] * t.num_rows)),
    "raw text": lambda t: t.append_column("raw_transcript", pa.array(["mail jo@example.com"] * t.num_rows)),
    "a nested field": _with_original_text,
    "metadata": lambda t: t.replace_schema_metadata({"customers": "cus-alice,cus-bob"}),
    "another type": lambda t: t.set_column(t.schema.get_field_index("asr_confidence"), "asr_confidence",
                                           pc.cast(t.column("asr_confidence"), pa.string())),
    "columns reordered": lambda t: t.select(list(reversed(t.column_names))),
}  # fmt: skip


@pytest.mark.parametrize("change", sorted(BEYOND_THE_SCHEMA))
def test_a_shard_beyond_the_published_schema_is_a_violation(lake, change):
    """The column check was a deny-list of five names: a training job loads whatever else a shard holds
    ("customerId", raw text, a field nested in the messages, metadata) and the audit passed it."""
    storage, store = lake
    rewrite_live_shard(storage, BEYOND_THE_SCHEMA[change], index=1)
    findings = verify(storage, store)
    assert "shard_schema" in findings.rules and findings.violations >= 1


def test_parquet_files_no_version_lists_are_violations(lake):
    """A glob over a version's folder loads a stray file (it was a warning), and one in another version's
    folder was not looked at at all."""
    storage, store = lake
    root = DatasetPaths(DATASET).root
    storage.write_bytes(f"{root}/v000001/shards/stray.parquet", b"x")
    storage.write_bytes(f"{root}/v000000/shards/part-00000.parquet", b"y")
    findings = verify(storage, store)
    assert findings.rules == {"unlisted_shard_file"} and findings.violations == 2
    assert {f.shard for f in findings.items} == {
        "v000001/shards/stray.parquet",
        "v000000/shards/part-00000.parquet",
    }


# --- deadlines --------------------------------------------------------------------------------------
def test_deadlines_from_receipts_or_from_the_policy():
    requests = pa.Table.from_pylist(
        [{"request_id": rid, "customer_id": "c", "scope": "all", "from": None, "to": None, "utterance_ids": None,
          "requested_at": ts(at)} for rid, at in
         [("r-done", "2026-10-01T00:00:00Z"), ("r-late", "2026-10-20T00:00:00Z"),
          ("r-soon", "2026-11-01T00:00:00Z"), ("r-new", "2026-11-25T00:00:00Z"), ("r-receipt", "2026-11-25T00:00:00Z")]],
        schema=S.DELETION,
    )  # fmt: skip
    receipts = [
        {"request_id": "r-done", "status": "completed", "deadline_at": ts("2026-10-31T00:00:00Z"),
         "completed_at": ts("2026-10-05T00:00:00Z")},
        {"request_id": "r-receipt", "status": "open", "deadline_at": ts("2026-11-28T00:00:00Z"), "completed_at": None},
    ]  # fmt: skip
    deadlines = {d.request_id: d for d in deletion_deadlines(requests, receipts, Policy(), NOW)}
    assert {k: d.state for k, d in deadlines.items()} == {
        "r-done": "completed", "r-late": "overdue", "r-soon": "at_risk", "r-new": "open", "r-receipt": "at_risk"}  # fmt: skip
    assert deadlines["r-late"].receipt_status is None and deadlines["r-receipt"].receipt_status == "open"
    findings = deadline_findings(list(deadlines.values()))
    assert sorted((f.rule, f.detail["request_id"]) for f in findings) == [
        ("deletion_at_risk", "r-receipt"), ("deletion_at_risk", "r-soon"), ("deletion_overdue", "r-late")]  # fmt: skip
    assert RULES["deletion_overdue"].severity == "violation"
    assert RULES["deletion_at_risk"].severity == "warning"


# --- params -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", ["cus-462aa79a0e51", "A1", "user@example.com", "acct:42+x", "ü", "Zoë-7", "a b"]
)
def test_sane_customer_ids_are_accepted(value):
    assert audit.validate_customer_id(value) == value


def test_the_customer_id_is_taken_in_its_canonical_form():
    """The id the publisher accepted (any script, any spelling) is the id an access report finds."""
    assert audit.validate_customer_id(" Ame\u0301lie\t") == "Amélie"


@pytest.mark.parametrize("value", ["", "   ", "x" * 257, "c\u200b1", "a\x00b", "a\u00a0b", 42, ["a"]])
def test_other_customer_ids_are_refused_clearly(value):
    with pytest.raises(InvalidParams, match="customer_id"):
        audit.validate_customer_id(value)


def test_prepare_refuses_a_customer_id_and_keeps_it_out_of_the_context():
    settings = load_settings({"UG_DATA_ROOT": "/tmp/x", "UG_PSEUDONYM_KEY": "k", "UG_ENV": "development"})
    with pytest.raises(InvalidParams, match="ug access request") as refused:
        audit.prepare("r1", {"customer_id": "cus-1"}, settings)
    assert "cus-1" not in str(refused.value)
    assert audit.prepare("r1", {"customer_id": None}, settings)["extra"] == {"mode": "audit"}


def test_findings_keep_exact_counts_but_a_bounded_list():
    findings = Findings(keep=3)
    findings.extend(Finding("not_in_ledger", "x", utterance_id=str(i)) for i in range(10))
    assert findings.counts["not_in_ledger"] == 10 and len(findings.items) == 3
    with pytest.raises(KeyError):
        findings.add(Finding("no_such_rule", "x"))


# --- the steps: findings written before the run fails --------------------------------------------------
@pytest.fixture
def ctx(lake, tmp_path, monkeypatch):
    env = {"UG_DATA_ROOT": str(tmp_path / "lake"), "UG_DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
           "UG_PSEUDONYM_KEY": KEY.decode(), "UG_ENV": "development"}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return RunContext.from_dict(
        audit.prepare("scheduled__2026-11-26T06:00:00+00:00", {}, load_settings(env), NOW)
    )


def run_steps(ctx: RunContext) -> dict:
    for step in (audit.check_publication, audit.scan_live_rows, audit.check_deadlines):
        step(ctx)
    return audit.write_findings(ctx)


def test_a_clean_audit_passes_and_writes_its_report(ctx):
    result = run_steps(ctx)
    assert result["passed"] and audit.fail_on_violations(result) is result
    report = json.loads(ctx.storage.read_bytes(f"reports/{ctx.run_key}/audit.json"))
    assert report["rows_checked"] == len(RECORDS) and report["shards_checked"] == 2
    assert report["violations"] == 0 and report["version"] == "v000001"
    assert ctx.storage.exists(f"reports/{ctx.run_key}/index.html") and ctx.storage.exists(
        "reports/index.html"
    )
    (run,) = ctx.store.runs("governance_audit")
    assert run["status"] == "success" and run["counts"]["rows_checked"] == len(RECORDS)


def test_violations_are_reported_then_fail_the_run_naming_shard_and_rule(ctx):
    """The failure names rule and shard; row ids only in the findings report: the message becomes the
    exception, the alert, the run's record in the store and log lines, which no deletion reaches."""
    add_deletion(ctx.store, "del-bob", "cus-bob", "2026-11-25T00:00:00Z")
    flipped = flip_byte(ctx.storage, index=1)
    result = run_steps(ctx)
    assert not result["passed"]
    report = json.loads(ctx.storage.read_bytes(f"reports/{ctx.run_key}/audit.json"))  # written before failing
    assert report["counts"]["deletion_requested"] == 2 and report["counts"]["shard_sha256_mismatch"] == 1
    with pytest.raises(audit.AuditFailed) as failed:
        audit.fail_on_violations(result)
    message = str(failed.value)
    assert "deletion_requested: shard v000001/shards/part-0000" in message and "a row: " in message
    assert "u-b1" not in message and "u-b1" in json.dumps(report)
    assert f"shard_sha256_mismatch: shard {flipped}" in message
    assert "audit.json" in message and "index.html" in message
    page = ctx.storage.read_bytes(f"reports/{ctx.run_key}/index.html").decode()
    assert "FAILED" in page and "deletion_requested" in page and "u-b1" in page
    for raw in ("cus-bob", "cus-alice"):
        assert raw not in page and raw not in json.dumps(report)
    (run,) = ctx.store.runs("governance_audit")
    assert run["status"] == "failed" and run["counts"]["finding:deletion_requested"] == 2


def test_a_check_that_did_not_finish_makes_the_audit_incomplete(ctx):
    audit.check_publication(ctx)
    audit.check_deadlines(ctx)
    result = audit.write_findings(ctx)
    assert result["incomplete"] == ["rows"] and not result["passed"]
    with pytest.raises(audit.AuditFailed, match="did not finish: rows"):
        audit.fail_on_violations(result)


def test_overdue_deletions_fail_the_audit(ctx, monkeypatch):
    add_deletion(ctx.store, "del-old", "cus-nobody", "2026-09-01T00:00:00Z")
    result = run_steps(ctx)
    assert result["counts"] == {"deletion_overdue": 1} and not result["passed"]
    ctx.store.upsert_receipt("del-old", status="completed", received_at=ts("2026-09-01T00:00:00Z"),
                             deadline_at=ts("2026-10-01T00:00:00Z"), completed_at=ts("2026-09-02T00:00:00Z"))  # fmt: skip
    assert run_steps(ctx)["passed"]


def test_the_scan_reads_the_files_not_the_ledger(ctx):
    # the ledger says nothing changed; the file holds a deleted customer's row: only re-reading finds it
    add_deletion(ctx.store, "del-gone", "cus-gone", "2026-11-25T00:00:00Z")
    row = shard_row("u-gone", "cus-gone", "2026-11-21T08:00:00Z")
    rewrite_live_shard(ctx.storage, append_rows(row))
    result = run_steps(ctx)
    assert {"deletion_requested", "not_in_ledger"} <= set(result["counts"])


def test_a_check_waits_for_a_publish_or_purge_and_gives_up_as_incomplete(ctx, monkeypatch):
    from utterance_governance.io.store import LockTimeout

    monkeypatch.setattr(audit, "LOCK_TIMEOUT_S", 0.2)
    with ctx.store.dataset_lock(DATASET, owner="a purge", heartbeat=False), pytest.raises(LockTimeout):
        audit.scan_live_rows(ctx)
    audit.check_publication(ctx)  # the lock is free again
    audit.check_deadlines(ctx)
    result = audit.write_findings(ctx)
    assert result["incomplete"] == ["rows"] and not result["passed"]
    assert json.loads(ctx.storage.read_bytes(f"reports/{ctx.run_key}/audit.json"))["versions_seen"] == [
        "v000001"
    ]


def test_turns_and_identifiers_of_sliced_tables():
    rows = pa.concat_tables(
        [shard_row(f"u{i}", "c", "2026-11-20T08:00:00Z", user=f"hello number {i}", reply=None if i % 2 else "hi")
         for i in range(6)]
    ).combine_chunks().slice(3)  # fmt: skip
    user, reply, well_formed = split_turns(rows)
    assert user.to_pylist() == ["hello number 3", "hello number 4", "hello number 5"]
    assert reply.to_pylist() == [None, "hi", None] and well_formed.all()
    leaky = pa.concat_tables([rows, shard_row("u9", "c", "2026-11-20T08:00:00Z", user="jo@example.com")])
    leaky = leaky.append_column("shard_path", pa.repeat(pa.scalar("s.parquet"), leaky.num_rows)).slice(1)
    assert [f.utterance_id for f in identifier_findings(leaky.combine_chunks())] == ["u9"]
    assert [f.utterance_id for f in identifier_findings(leaky)] == ["u9"]


def test_an_unreadable_deletion_record_has_a_deadline_too(ctx):
    bad = pa.Table.from_pylist(
        [{"source_file": "landing/deletions/bad.jsonl", "line": 3, "record_id": "del-garbled", "customer_id": None,
          "reason": "malformed", "detail": "invalid_timestamp:requested_at", "raw": "{...}"}], schema=S.QUARANTINE)  # fmt: skip
    ctx.store.record_privacy_quarantine("deletion", bad)
    from utterance_governance.reports.deadlines import load_deadlines

    # its clock starts when the store took it in (the wall clock), not at the lake's fixed NOW
    (row,) = load_deadlines(ctx.store, ctx.policy, datetime.now(UTC) + timedelta(days=40))
    assert row.request_id == "del-garbled" and row.state == "overdue" and "unreadable" in row.scope


@pytest.mark.parametrize(
    ("locale", "text", "kind"),
    [
        ("de-DE", "meine IBAN ist DE89 3704 0044 0532 0130 00", "iban"),
        ("en-AU", "ring me on (03) 5342 5757 tonight", "phone"),
        ("fr-FR", "appelle le zéro six un deux trois quatre cinq six sept", "spoken_number"),
    ],
)
def test_the_audit_asks_the_independent_detector(locale, text, kind):
    """Identifiers the old redaction patterns never knew (national formats, other languages) are
    violations when found live: the audit does not grade redaction with redaction's own rules."""
    row = shard_row("u1", "c", "2026-11-20T08:00:00Z", user=text, locale=locale)
    row = row.append_column("shard_path", pa.array(["s.parquet"]))
    [finding] = identifier_findings(row)
    assert finding.rule == "identifier_detected" and kind in finding.detail["kinds"]
    assert text not in json.dumps(finding.to_dict())


def _purged(storage: Storage, store: GovernanceStore) -> str:
    """Bob deleted everything: a purge revokes the live version. Returns the revoked one."""
    from utterance_governance.purge.published import purge_published

    revoked = store.live_version(DATASET)
    add_deletion(store, "del-bob", "cus-bob", "2026-11-25T00:00:00Z")
    purge_published(storage, store, DATASET, run_id="purge-1", policy=Policy(), pseudonym_key=KEY,
                    state=lambda: PrivacyState(store.consent_events(), store.deletion_requests()),
                    now=lambda: NOW)  # fmt: skip
    assert store.live_version(DATASET) != revoked
    return revoked


def test_a_revoked_manifest_is_known_from_its_last_bytes(lake, monkeypatch):
    """A version a day and one per purge: the audit read every manifest of the dataset's history whole,
    daily. A revoked one is now known from its ending (one ranged read)."""
    storage, store = lake
    revoked = _purged(storage, store)
    path = DatasetPaths(DATASET).manifest(revoked)
    assert json.loads(storage.read_bytes(path))["status"] == "revoked"
    whole = []
    read_bytes = Storage.read_bytes
    monkeypatch.setattr(Storage, "read_bytes", lambda self, rel: whole.append(rel) or read_bytes(self, rel))
    findings = verify(storage, store)
    assert findings.violations == 0 and path not in whole


@pytest.mark.parametrize("tamper", ["live again", "status earlier", "another writer"])
def test_a_manifest_not_ending_revoked_is_read_whole(lake, tamper):
    storage, store = lake
    revoked = _purged(storage, store)
    path = DatasetPaths(DATASET).manifest(revoked)
    manifest = json.loads(storage.read_bytes(path))
    if tamper == "live again":
        data = json.dumps({**manifest, "status": "live"}, indent=2, sort_keys=True).encode()
    elif tamper == "status earlier":  # a revoked ending, but a later key says live
        text = json.dumps({**manifest, "status": "revoked"}, indent=2, sort_keys=True)
        data = (text.removesuffix("\n}") + ',\n  "zz": 1,\n  "status": "live"\n}').encode()
    else:  # compact JSON: never taken for revoked from its ending, read whole (it says live)
        data = json.dumps({**manifest, "status": "live"}).encode()
    storage.write_bytes(path, data)
    findings = verify(storage, store)
    assert findings.rules == {"other_manifest_live"} and findings.violations == 0  # a warning
