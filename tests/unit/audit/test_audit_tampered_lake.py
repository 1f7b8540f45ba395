"""A live dataset tampered with so that an earlier audit found it clean: a field's own metadata holding raw
ids, a Parquet file in the live folder named so no ``*.parquet`` glob takes it (a ``data_files`` glob of the
folder's every file loads it), a manifest written by hand in a version folder the store never recorded
vouching for a stray file; and an utterance id holding an e-mail, which a row rule's finding named as it is."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.lakes import (
    DATASET,
    KEY,
    NOW,
    append_rows,
    live_manifest,
    publish_records,
    record,
    rewrite_live_shard,
    shard_row,
)

from utterance_governance.audit.publication import verify_publication
from utterance_governance.audit.rows import scan_rows
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState
from utterance_governance.publish.commit import DatasetPaths

RECORDS = [
    record("u-a1", "cus-alice", "2026-11-20T08:00:00Z"),
    record("u-a2", "cus-alice", "2026-11-21T09:00:00Z", user="play some jazz please", reply="Playing jazz."),
    record("u-b1", "cus-bob", "2026-11-20T12:00:00Z", user="turn off the lights", reply="Done."),
]


@pytest.fixture
def lake(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    store.create_schema()
    publish_records(storage, store, RECORDS, target_rows=2)
    yield storage, store
    store.dispose()


def verify(storage, store, extra: dict[str, str] | None = None):
    """The live version checked against the store (``extra``: statuses the store is taken to record too)."""
    live = store.live_version(DATASET)
    return verify_publication(
        storage,
        DATASET,
        store_live=live,
        store_shards=store.version_shard_paths(DATASET, live),
        store_versions={v["version"]: v["status"] for v in store.versions(DATASET)} | (extra or {}),
    ).findings


def test_the_untouched_lake_is_clean(lake):
    assert verify(*lake).counts == {}


def _field_metadata(table: pa.Table) -> pa.Table:
    i = table.schema.get_field_index("utterance_id")
    return table.cast(table.schema.set(i, table.schema.field(i).with_metadata({"ids": "cus-alice,cus-bob"})))


def _nested_field_metadata(table: pa.Table) -> pa.Table:
    i = table.schema.get_field_index("messages")
    listed = table.schema.field(i).type
    struct = listed.value_type
    j = struct.get_field_index("content")
    content = struct.field(j).with_metadata({"raw": "mail jo.smith@example.com"})
    fields = [content if k == j else struct.field(k) for k in range(struct.num_fields)]
    kind = pa.list_(pa.field(listed.value_field.name, pa.struct(fields), listed.value_field.nullable))
    return table.cast(table.schema.set(i, table.schema.field(i).with_type(kind)))


@pytest.mark.parametrize("change", [_field_metadata, _nested_field_metadata], ids=["field", "nested-field"])
def test_a_fields_own_metadata_is_not_the_shard_schema(lake, change):
    storage, store = lake
    shard = rewrite_live_shard(storage, change)
    written = repr(pq.read_schema(storage.full(DatasetPaths(DATASET).shard(shard))))
    assert "cus-alice" in written or "jo.smith" in written
    assert "shard_schema" in verify(storage, store).rules


@pytest.mark.parametrize("name", ["part-99999", "part-99999.parq", "part-99999.pq"])
def test_a_parquet_file_in_the_live_folder_is_flagged_whatever_its_name(lake, tmp_path, name):
    import datasets

    storage, store = lake
    root = DatasetPaths(DATASET).root
    folder = live_manifest(storage)["shards"][0]["path"].rsplit("/", 1)[0]
    storage.write_parquet(f"{root}/{folder}/{name}", shard_row("u-zz", "cus-zed", "2026-11-20T15:00:00Z"))
    storage.write_bytes(
        f"{root}/{folder}/notes.txt", b"not a shard"
    )  # (a file that is no Parquet: not flagged)
    loaded = datasets.load_dataset(
        "parquet",
        data_files=f"{storage.full(root)}/{folder}/part-*",
        split="train",
        cache_dir=str(tmp_path / "hf"),
    )
    assert "u-zz" in loaded["utterance_id"]  # what a training job's glob of the folder loads
    findings = verify(storage, store)
    assert findings.counts["hidden_shard_file"] == 1, findings.to_dict()


def test_a_manifest_of_a_version_the_store_never_recorded_vouches_for_no_file(lake):
    storage, store = lake
    root = DatasetPaths(DATASET).root
    folder = live_manifest(storage)["shards"][0]["path"].rsplit("/", 1)[0]
    extra = f"{folder}/part-99999.parquet"
    storage.write_parquet(f"{root}/{extra}", shard_row("u-zz", "cus-zed", "2026-11-20T15:00:00Z"))
    forged = {"version": "v000000", "status": "superseded", "shards": [{"path": extra}]}
    storage.write_bytes(f"{root}/v000000/manifest.json", json.dumps(forged).encode())
    assert "unlisted_shard_file" in verify(storage, store).rules


def test_an_utterance_id_holding_an_email_is_never_reported_as_it_is(lake):
    storage, store = lake
    row = shard_row("jo.smith@example.com", "cus-bob", "2026-11-20T15:00:00Z", user="what time is it")
    rewrite_live_shard(storage, append_rows(row))
    version = json.loads(storage.read_bytes(DatasetPaths(DATASET).current))["version"]
    state = PrivacyState(store.consent_events(), store.deletion_requests())
    findings = scan_rows(
        storage, store, DATASET, version, live_manifest(storage), state, Policy(), NOW, KEY
    ).findings
    assert {"not_in_ledger", "identifier_detected"} <= findings.rules
    assert "jo.smith@example.com" not in json.dumps(findings.to_dict())
