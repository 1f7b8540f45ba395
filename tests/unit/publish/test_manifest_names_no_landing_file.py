"""The published manifest listed the landing files a version's rows were read from by path, and a path
may name its customer: Spark's ``partitionBy("customer_id")`` writes ``…/customer_id=zed-4417/part-0.jsonl``
(review 10, F2). The manifest is published output, and an OpenLineage event carries what it lists. It
now gives each landing partition's files and bytes; the paths are the store's, recorded with the staged
version, from which a finalize after a crash marks them processed."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import ObjectInfo
from utterance_governance.publish.commit import landing_partitions, read_current, version_inputs


def _without_customer(uid: str, text: str) -> bytes:
    row = json.loads(line(uid, "zed-4417", text))
    row.pop("customer_id")  # in the path, not in the rows
    return json.dumps(row).encode() + b"\n"


def _manifest_text(lake) -> str:
    version = read_current(lake.storage, "assistant-sft")["version"]
    return lake.storage.read_bytes(f"published/assistant-sft/{version}/manifest.json").decode()


def test_the_manifest_names_landing_partitions_not_files(lake):
    hive = f"{DT}/customer_id=zed-4417/export-7.jsonl"
    lake.storage.write_bytes(hive, _without_customer("u-1", "remind me about the tulips"))
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-3", "bob", "what is the weather"))
    lake.publish()
    assert {"u-1", "u-3"} <= set(lake.live_ids())
    text = _manifest_text(lake)
    assert "zed-4417" not in text and "export-7" not in text and "b.jsonl" not in text
    sizes = sum(lake.storage.info(p).size for p in (hive, f"{DT}/b.jsonl"))
    assert json.loads(text)["inputs"] == [{"partition": DT, "files": 2, "bytes": sizes}]
    with lake.store() as store:  # the paths: the store's, for finalize and the retry check
        version = json.loads(text)["version"]
        assert sorted(i.path for i in store.version_inputs("assistant-sft", version)) == [
            f"{DT}/b.jsonl",
            hive,
        ]
        assert store.processed_file(hive) is not None

    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert "zed-4417" not in _manifest_text(lake)  # nor in the version the purge wrote


def test_partitions_are_the_date_folders_whatever_lies_below_them():
    files = [
        ObjectInfo("landing/utterances/dt=2026-11-20/customer_id=zed-4417/part-0.jsonl", 10, "f1"),
        ObjectInfo("landing/utterances/dt=2026-11-20/region=eu/a.parquet", 5, "f2"),
        ObjectInfo("landing/utterances/dt=2026-11-21/a.jsonl", 7, "f3"),
        ObjectInfo("landing/utterances/stray.jsonl", 1, "f4"),  # no date folder: the prefix's own
        ObjectInfo("landing/utterances/dt=not-a-date/zed-4417.jsonl", 2, "f5"),  # no date: not a partition
        ObjectInfo("landing/utterances/acct=zed-4417/dt=2026-11-20/a.jsonl", 4, "f6"),  # the date below
    ]
    assert landing_partitions(files) == [
        {"partition": "landing/utterances", "files": 2, "bytes": 3},
        {"partition": "landing/utterances/*/dt=2026-11-20", "files": 1, "bytes": 4},
        {"partition": "landing/utterances/dt=2026-11-20", "files": 2, "bytes": 15},
        {"partition": "landing/utterances/dt=2026-11-21", "files": 1, "bytes": 7},
    ]


def test_a_version_published_before_the_store_kept_its_inputs_is_finalized_from_its_manifest(lake):
    manifest = {"inputs": [{"path": f"{DT}/a.jsonl", "size": 3, "fingerprint": "x"},
                           {"partition": DT, "files": 1, "bytes": 3}]}  # fmt: skip
    with lake.store() as store:
        store.create_schema()
        # recorded as before revision 0009: no inputs
        store.record_version("assistant-sft", "v000001", None, "r1", datetime.now(UTC), "m.json", "staged")
        assert store.version_inputs("assistant-sft", "v000001") is None
        assert version_inputs(store, "assistant-sft", "v000001", manifest) == [
            ObjectInfo(f"{DT}/a.jsonl", 3, "x")
        ]
        store.record_version(
            "assistant-sft", "v000002", None, "r2", datetime.now(UTC), "m.json", "staged", inputs=[]
        )
        assert version_inputs(store, "assistant-sft", "v000002", manifest) == []  # the store's record wins


def test_logs_and_the_lakes_own_file_names_name_no_customer_of_a_path(lake, caplog):
    """Task logs outlive deletions: a Hive segment naming a customer is shown as ``customer_id=[customer]``;
    the quarantine and decisions files are named by a digest, never by the landing file's name."""
    hive = f"{DT}/Customer_ID=zed-4417/export-7.jsonl"
    lake.storage.write_bytes(hive, _without_customer("u-1", "remind me about the tulips") + b"{broken\n")
    caplog.set_level(logging.INFO)
    lake.publish()
    assert "u-1" in lake.live_ids()
    # the progress line, as the operator finds the file
    assert "Customer_ID=[customer]/export-7.jsonl" in caplog.text
    assert "zed-4417" not in caplog.text
    derived = [
        f.path
        for folder in ("quarantine", "decisions", "staging", "reports")
        for f in lake.storage.list_files(folder)
    ]
    # the broken line's quarantine and the decisions: named by a keyed digest of the landing path alone
    assert any(path.startswith("quarantine/utterances/") for path in derived)
    assert any(path.startswith("decisions/") for path in derived)
    assert not [path for path in derived if "zed-4417" in path]


@pytest.mark.parametrize(
    "text, shown",
    [
        (
            "landing/utterances/dt=2026-11-20/customer id=zed-4417/a.jsonl",
            "landing/utterances/dt=2026-11-20/customer id=[customer]/a.jsonl",
        ),
        ("dt=x/Customer ID=zed/a", "dt=x/Customer ID=[customer]/a"),
        ("dt=x/customer_id=o'brien 4417/a", "dt=x/customer_id=[customer]/a"),
        (
            "a.gz: OSError: '/lake/dt=x/customerId=zed/a.gz'",
            "a.gz: OSError: '/lake/dt=x/customerId=[customer]/a.gz'",
        ),
        ("dt=2026-11-20/region=eu/a.jsonl", "dt=2026-11-20/region=eu/a.jsonl"),
    ],
)
def test_a_customer_segment_is_shown_in_every_spelling_customer_of_path_reads(text, shown):
    """(review 12, F3: a key with a space, or a value with a quote or a space, was shown whole)"""
    assert shown_path(text) == shown


def _as_before_revision_0009(lake, version: str) -> None:
    """The version as a store and a manifest written before revision 0009 hold it: no inputs in the
    store, the landing files' paths in the manifest."""
    from sqlalchemy import update

    from utterance_governance.io.store_schema import dataset_versions as v

    path = f"published/assistant-sft/{version}/manifest.json"
    manifest = json.loads(lake.storage.read_bytes(path))
    with lake.store() as store:
        listed = store.version_inputs("assistant-sft", version)
        with store.engine.begin() as conn:
            conn.execute(
                update(v).where(v.c.dataset == "assistant-sft", v.c.version == version).values(inputs=None)
            )
    manifest["inputs"] = [{"path": f.path, "size": f.size, "fingerprint": f.fingerprint} for f in listed]
    lake.storage.write_bytes(path, json.dumps(manifest).encode())


@pytest.mark.parametrize("then", ["publish", "privacy"])
def test_a_manifest_written_before_the_store_kept_its_inputs_is_rewritten_once(tmp_path, store_url, then):
    """A manifest published before revision 0009 listed the landing files by path; nothing rewrote it, and
    an export partitioned by customer stayed named in published output until an operator did. The next
    run that holds the dataset lock moves the paths into the store and the manifest names partitions."""
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    hive = f"{DT}/customer_id=zed-4417/export-7.jsonl"
    lake.storage.write_bytes(hive, _without_customer("u-1", "remind me about the tulips"))
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-3", "bob", "what is the weather"))
    lake.publish()
    version = read_current(lake.storage, "assistant-sft")["version"]
    _as_before_revision_0009(lake, version)
    assert "zed-4417" in lake.storage.read_bytes(f"published/assistant-sft/{version}/manifest.json").decode()

    getattr(lake, then)()
    old = lake.storage.read_bytes(f"published/assistant-sft/{version}/manifest.json").decode()
    assert "zed-4417" not in old and "export-7" not in old
    sizes = sum(lake.storage.info(p).size for p in (hive, f"{DT}/b.jsonl"))
    assert json.loads(old)["inputs"] == [{"partition": DT, "files": 2, "bytes": sizes}]
    with lake.store() as store:  # the paths kept where the finalize and the retry check read them
        assert sorted(i.path for i in store.version_inputs("assistant-sft", version)) == [
            f"{DT}/b.jsonl",
            hive,
        ]
    assert {"u-1", "u-3"} <= lake.live_ids()
