"""Lineage to training with dag.test(): the asset event's real URLs and key fingerprint, a training
DAG that records the version it consumed, and a revocation that names the training runs it concerns."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import key_fingerprint
from utterance_governance.publish.lineage import VersionNotUsable, consume_version, lake_url
from utterance_governance.synth.generator import generate_landing, generate_privacy_updates

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"
KEY = b"integration-test-key"  # tests/integration/conftest.py: lake_env


def events_of(dag_id: str, run_id: str) -> list[dict]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        stmt = select(AssetEvent).where(
            AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == run_id
        )
        return [dict(e.extra) for e in session.scalars(stmt)]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "file" and parts.netloc == "", url
    return url2pathname(parts.path)


def test_dataset_asset_uri_is_the_lakes_url(monkeypatch, tmp_path):
    from ug_airflow import dataset_asset

    monkeypatch.setenv("UG_DATA_ROOT", str(tmp_path / "lake"))
    asset = dataset_asset("assistant-sft")
    assert asset.uri == (tmp_path / "lake" / "published" / "assistant-sft").as_uri()
    assert asset.uri == lake_url(str(tmp_path / "lake"), "published/assistant-sft")
    assert asset.name == "utterance-governance/assistant-sft"
    monkeypatch.setenv("UG_DATA_ROOT", "s3://lake/utterance-governance/")
    assert dataset_asset("assistant-sft").uri == "s3://lake/utterance-governance/published/assistant-sft"
    assert (
        lake_url("s3://lake/utterance-governance", "published/x")
        == "s3://lake/utterance-governance/published/x"
    )


def test_training_runs_are_named_when_their_version_is_revoked(run_dag, lake_env):
    generated = generate_landing(str(lake_env), 1500, seed=13, file_format="mixed", days=2, files_per_day=2)
    publish = run_dag("utterances_publish")
    assert publish.state == "success"

    # 1. the asset event: absolute manifest URL, the dataset's URL, the key's fingerprint, the gate
    (announced,) = events_of("utterances_publish", publish.run_id)
    manifest = json.loads(Path(local_path(announced["manifest"])).read_text(encoding="utf-8"))
    assert manifest["version"] == announced["version"] == "v000001"
    assert announced["dataset_url"] == (lake_env / "published" / DATASET).as_uri()
    assert announced["key_fingerprint"] == manifest["key_fingerprint"] == key_fingerprint(KEY)
    assert announced["rows"] == manifest["rows"] and announced["quality_gate"]["success"] is True
    assert announced["manifest_path"] == f"published/{DATASET}/v000001/manifest.json"

    # 2. the example training DAG consumes the live version and records it
    training = run_dag("assistant_sft_training")
    assert training.state == "success"
    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    (consumed,) = store.training_runs(DATASET)
    assert consumed["version"] == "v000001" and consumed["run_id"] == training.run_id
    assert consumed["dag_id"] == "assistant_sft_training" and consumed["rows"] == manifest["rows"]
    assert consumed["manifest_url"] == announced["manifest"]
    assert consumed["key_fingerprint"] == key_fingerprint(KEY)
    # a second consumer, from the announcement itself (as the scheduled run would get it)
    used = consume_version(
        store, str(lake_env), DATASET, dag_id="other_trainer", run_id="r-1", announced=announced
    )
    assert used["version"] == "v000001" and len(used["shards"]) == manifest_shards(manifest)
    assert all(u.startswith(announced["dataset_url"] + "/v000001/shards/") for u in used["shards"])

    # 3. a purge revokes v000001: its event names the revoked version and both training runs
    generate_privacy_updates(str(lake_env), generated, seed=13)
    purge = run_dag("privacy_requests")
    assert purge.state == "success"
    (revocation,) = events_of("privacy_requests", purge.run_id)
    assert revocation["replaces"] == "v000001" and "v000001" in revocation["revoked_versions"]
    assert revocation["version"] == "v000002" and revocation["manifest"].startswith("file:///")
    assert revocation["key_fingerprint"] == key_fingerprint(KEY)
    named = {(r["dag_id"], r["run_id"], r["version"]) for r in revocation["training_runs"]}
    assert named == {
        ("assistant_sft_training", training.run_id, "v000001"),
        ("other_trainer", "r-1", "v000001"),
    }
    assert revocation["erase_copies"] is True

    # 4. the revoked version can no longer be consumed; the new one can
    with pytest.raises(VersionNotUsable, match="revoked"):
        consume_version(
            store, str(lake_env), DATASET, dag_id="late_trainer", run_id="r-2", announced=announced
        )
    again = consume_version(
        store, str(lake_env), DATASET, dag_id="late_trainer", run_id="r-3", announced=revocation
    )
    assert again["version"] == "v000002"
    assert {r["run_id"] for r in store.training_runs(DATASET, versions=["v000002"])} == {"r-3"}
    store.dispose()


def manifest_shards(manifest: dict) -> int:
    return len(manifest["shards"])
