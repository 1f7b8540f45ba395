"""A finding shows a path as ``readers.shown_path`` shows it (``customer_id=[customer]``, docs/privacy.md), and
nothing else an edited ``current.json``, manifest or shard says as it is: a version, status, count or sha256 only
in the form a publish writes it, a locale only one the policy allows, a message's role only ``user`` or
``assistant``, a shard's own column names by their number, an exception by its type. The audit's report, its
failure message and its log lines outlive the deletion of whatever such a value names."""

from __future__ import annotations

import json

import pyarrow as pa
from tests.unit.audit.test_audit_checks import ctx, lake, run_steps, scan  # noqa: F401
from tests.unit.audit.test_audit_tampered_lake import verify
from tests.unit.lakes import (
    DATASET,
    _write_manifest,
    append_rows,
    live_manifest,
    rewrite_live_shard,
    shard_row,
)

from utterance_governance.audit.findings import Findings
from utterance_governance.audit.publication import verify_kept_versions
from utterance_governance.io.storage import Storage
from utterance_governance.publish.commit import DatasetPaths

CUS = "zed-4417"
ROOT = DatasetPaths(DATASET).root


def shown(findings: Findings) -> str:
    return json.dumps(findings.to_dict())


def test_a_missing_shard_under_a_customer_folder_is_named_without_the_customer(lake):  # noqa: F811
    """Before: ``shard_missing`` (its message and shard) and ``store_shards_mismatch`` named the path as the
    manifest wrote it, ``customer_id=zed-4417`` included, where the same path on disk unlisted was shown as
    ``customer_id=[customer]``."""
    storage, store = lake
    manifest = live_manifest(storage)
    folder = manifest["shards"][0]["path"].rsplit("/", 1)[0]
    manifest["shards"].append({"path": f"{folder}/customer_id={CUS}/part-00009.parquet", "rows": 0,
                               "bytes": 1, "sha256": "0" * 64})  # fmt: skip
    _write_manifest(storage, manifest)
    findings = verify(storage, store)
    assert {"shard_missing", "store_shards_mismatch"} <= findings.rules
    assert CUS not in shown(findings)
    (missing,) = [f for f in findings.items if f.rule == "shard_missing"]
    assert missing.shard == f"{folder}/customer_id=[customer]/part-00009.parquet"


def test_a_live_manifest_edited_to_hold_a_customer_id_is_named_without_it(lake):  # noqa: F811
    """Before: ``version_not_live`` printed the manifest's version and status with ``!r``, ``shard_path_invalid``
    the path, the mismatches the recorded bytes, rows and 16 characters of the sha256 as written; a row total or an
    entry that was no number or object crashed the check, the value in the exception's text."""
    storage, store = lake
    manifest = live_manifest(storage)
    manifest.update(version=f"customer_id={CUS}", status=CUS, rows=CUS)
    first, second = manifest["shards"][:2]
    first.update(bytes=CUS, rows=f"customer_id={CUS}", sha256=CUS)
    second.update(sha256="f" * 64)
    manifest["shards"] += [{"path": f"../customer_id={CUS}/x.parquet"}, {"path": 4417}, CUS]
    storage.write_bytes(DatasetPaths(DATASET).manifest(live_manifest(storage)["version"]),
                        json.dumps(manifest).encode())  # fmt: skip
    findings = verify(storage, store)
    assert {"version_not_live", "manifest_rows_mismatch", "shard_bytes_mismatch", "shard_rows_mismatch",
            "shard_sha256_mismatch", "shard_path_invalid"} <= findings.rules  # fmt: skip
    assert findings.counts["shard_path_invalid"] == 3 and findings.counts["shard_sha256_mismatch"] == 2
    assert CUS not in shown(findings)
    sha = {
        f.message.rsplit("manifest says ", 1)[1] for f in findings.items if f.rule == "shard_sha256_mismatch"
    }
    assert sha == {
        "a value that is no sha256",
        "ffffffffffffffff…",
    }  # (a sha256 as written: its first 16 digits)


def test_current_json_naming_a_customer_folder_is_named_without_it(ctx):  # noqa: F811
    """Before: the version ``current.json`` named was taken as it was: a folder ``customer_id=zed-4417`` holding a
    manifest was read as the live version, and its name went into the findings, the report's ``version`` and the
    run's failure message."""
    storage = ctx.storage
    manifest = live_manifest(storage)
    folder = f"customer_id={CUS}"
    _write_manifest(storage, {**manifest, "version": folder})
    storage.write_bytes(DatasetPaths(DATASET).current, json.dumps({"version": folder}).encode())
    result = run_steps(ctx)
    assert not result["passed"] and result["counts"]["current_unreadable"] == 1
    report = storage.read_bytes(f"reports/{ctx.run_key}/audit.json").decode()
    assert CUS not in report and CUS not in result["message"]
    assert json.loads(report)["version"] is None


def test_a_kept_versions_files_under_a_customer_folder_are_named_without_it(lake):  # noqa: F811
    """The kept-version checks (``verify_kept_versions``, ``_check_kept_file``). Before: a kept manifest's paths
    and recorded values were named as written, ``customer_id=zed-4417`` and all, and its status was not compared
    with the store's."""
    storage, store = lake
    live = live_manifest(storage)
    kept = "v000007"
    folder = f"{kept}/shards/customer_id={CUS}"
    present = f"{folder}/part-00001.parquet"
    storage.write_parquet(f"{ROOT}/{present}", shard_row("u-k1", "cus-kim", "2026-11-20T15:00:00Z"))
    storage.write_parquet(f"{ROOT}/{folder}/part-00002.parquet",
                          shard_row("u-k2", "cus-kim", "2026-11-20T16:00:00Z").append_column(
                              CUS, pa.array([CUS])))  # fmt: skip
    shards = [
        {"path": f"{folder}/part-00000.parquet", "rows": 1, "bytes": 1, "sha256": "0" * 64},  # missing
        {"path": present, "rows": CUS, "bytes": CUS, "sha256": CUS},
        {
            "path": f"{folder}/part-00002.parquet",
            "rows": 1,
            "bytes": 1,
            "sha256": "0" * 64,
        },  # a column named so
        {"path": f"../customer_id={CUS}/x.parquet"},
        {**live["shards"][0], "sha256": f"customer_id={CUS}"},  # the live check's file, recorded otherwise
    ]
    _write_manifest(storage, {"version": kept, "status": f"customer_id={CUS}", "rows": CUS, "shards": shards})
    versions = {v["version"]: v["status"] for v in store.versions(DATASET)} | {kept: "superseded"}
    check = verify_kept_versions(storage, DATASET, live["version"], live, versions,
                                 lambda version: [f"{folder}/gone.parquet"])  # fmt: skip
    assert check.versions == [kept]
    assert {"manifest_status_mismatch", "manifest_rows_mismatch", "store_shards_mismatch", "shard_missing",
            "shard_bytes_mismatch", "shard_rows_mismatch", "shard_sha256_mismatch", "shard_path_invalid",
            "shard_schema"} <= check.findings.rules  # fmt: skip
    assert CUS not in shown(check.findings)
    assert {f.shard for f in check.findings.items if f.rule == "shard_missing"} == {
        f"{kept}/shards/customer_id=[customer]/part-00000.parquet"
    }
    # the same manifest, the version recorded superseded: it vouches for its files (the kept check reads them)
    findings = verify(storage, store, {kept: "superseded"})
    assert "unlisted_shard_file" not in findings.rules and CUS not in shown(findings)


def test_a_planted_rows_locale_role_and_columns_are_not_shown(lake):  # noqa: F811
    """Before: ``no_consent`` named the row's locale as the shard said it, ``identifier_detected`` the role of the
    message, ``shard_schema`` every column name of the shard."""
    storage, store = lake
    row = shard_row(
        "u-zz", "cus-zed", "2026-11-20T15:00:00Z", locale=CUS, user="mail me at jo.smith@example.com"
    )
    messages = pa.array([[{"role": CUS, "content": "mail me at jo.smith@example.com"}]],
                        row.schema.field("messages").type)  # fmt: skip
    row = row.set_column(row.schema.get_field_index("messages"), "messages", messages)
    rewrite_live_shard(storage, append_rows(row))
    findings = scan(storage, store)
    assert {"no_consent", "identifier_detected"} <= findings.rules
    assert CUS not in shown(findings)
    identified = [f for f in findings.items if f.rule == "identifier_detected"]
    assert any("a message of another role" in f.message for f in identified)
    rewrite_live_shard(storage, lambda t: t.append_column(f"customer_id={CUS}", pa.array([CUS] * t.num_rows)))
    schema = verify(storage, store)
    assert "shard_schema" in schema.rules and CUS not in shown(schema)


def test_a_shard_that_cannot_be_re_read_is_named_by_the_errors_type(lake, monkeypatch):  # noqa: F811
    """Before: ``shard_unreadable`` of the row scan carried the exception's text, which a reader may fill with a
    value of the file."""
    storage, store = lake

    def refuse(self, rel, *args, **kwargs):
        raise ValueError(f"cannot convert {CUS!r} in column 'speaker_key'")

    monkeypatch.setattr(Storage, "read_parquet", refuse)
    findings = scan(storage, store)
    assert findings.counts["shard_unreadable"] == 2  # (both shards)
    assert CUS not in shown(findings)
    assert all(
        f.message == "rows cannot be re-read: ValueError"
        for f in findings.items
        if f.rule == "shard_unreadable"
    )
