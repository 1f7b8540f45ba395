"""OpenLineage events of a publish, with dag.test() and the OpenLineage provider's file transport:
the landing files read are the inputs, the dataset version the output, with its row count and the
quality gate's result as facets; nothing is sent when OpenLineage is not configured."""

from __future__ import annotations

import json

import pytest

from ug_airflow.openlineage import PRODUCER
from utterance_governance.io.storage import Storage
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"
NAMESPACE = "ug-test"


def _clear_openlineage_config() -> None:
    from airflow.providers.openlineage import conf as ol_conf

    for name in ("is_disabled", "transport", "namespace", "config_path"):
        cached = getattr(ol_conf, name)
        if hasattr(cached, "cache_clear"):  # the provider caches what it read of its configuration
            cached.cache_clear()


@pytest.fixture
def openlineage_file(tmp_path, monkeypatch):
    """OpenLineage configured the Airflow way, with the file transport: one JSON event per line."""
    path = tmp_path / "openlineage.jsonl"
    transport = {"type": "file", "log_file_path": str(path), "append": True}
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__NAMESPACE", NAMESPACE)
    _clear_openlineage_config()
    yield path
    monkeypatch.delenv("AIRFLOW__OPENLINEAGE__TRANSPORT")
    monkeypatch.delenv("AIRFLOW__OPENLINEAGE__NAMESPACE")
    _clear_openlineage_config()


def publish_events(path) -> list[dict]:
    if not path.exists():
        return []
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # the provider's own listener may send each task's START/COMPLETE too: ours are the publish's
    return [
        e for e in events if e["producer"] == PRODUCER and e["job"]["name"] == "utterances_publish.announce"
    ]


def test_a_publish_is_sent_as_openlineage_lineage(run_dag, lake_env, openlineage_file):
    generate_landing(str(lake_env), 1200, seed=17, file_format="mixed", days=2, files_per_day=2)
    run = run_dag("utterances_publish")
    assert run.state == "success"
    storage = Storage(str(lake_env))
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])

    (event,) = publish_events(openlineage_file)
    assert event["eventType"] == "COMPLETE" and event["job"]["namespace"] == NAMESPACE
    assert event["run"]["facets"]["parent"]["job"]["name"] == "utterances_publish"
    # inputs: the landing partitions the version's rows were read from, by absolute path (no file's:
    # it may name its customer), with their files and bytes
    assert sorted((i["namespace"], i["name"]) for i in event["inputs"]) == sorted(
        ("file", str(lake_env / i["partition"])) for i in manifest["inputs"]
    )
    assert len(event["inputs"]) == 2 and all("dt=" in i["name"] for i in event["inputs"])
    statistics = [i["inputFacets"]["inputStatistics"] for i in event["inputs"]]
    assert sum(s["fileCount"] for s in statistics) == 4 and all(s["size"] > 0 for s in statistics)
    # output: the dataset at the lake's URL (the Asset's URI), its version, rows and gate as facets
    (output,) = event["outputs"]
    assert (output["namespace"], output["name"]) == ("file", str(lake_env / "published" / DATASET))
    assert output["facets"]["version"]["datasetVersion"] == manifest["version"] == "v000001"
    stats = output["outputFacets"]["outputStatistics"]
    assert stats["rowCount"] == manifest["rows"] and stats["fileCount"] == len(manifest["shards"])
    assert stats["size"] == sum(s["bytes"] for s in manifest["shards"])
    (gate,) = output["facets"]["dataQualityAssertions"]["assertions"]
    assert gate["success"] is True and gate["expected"] == str(manifest["quality_gate"]["evaluated"])
    assert gate["assertion"] == manifest["quality_gate"]["suite_name"]
    # no customer id, no text: only paths, versions and counts
    assert "customer" not in json.dumps(event)


def test_nothing_is_sent_when_openlineage_is_not_configured(run_dag, lake_env, tmp_path, monkeypatch):
    monkeypatch.delenv("AIRFLOW__OPENLINEAGE__TRANSPORT", raising=False)
    _clear_openlineage_config()
    from ug_airflow.openlineage import emit_publish_lineage

    assert emit_publish_lineage({"version": "v000001"}, str(lake_env), DATASET) is False
