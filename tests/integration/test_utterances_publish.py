"""utterances_publish end to end with dag.test(): what goes live, what never does, and reruns."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.integration.conftest import failed_with

from utterance_governance import schema as S
from utterance_governance.clean.patterns import detect_identifiers
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.context import InvalidParams
from utterance_governance.jobs.publish import GateFailed
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.settings import ConfigurationError
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"


def live_rows(root) -> pa.Table:
    storage = Storage(str(root))
    current = read_current(storage, DATASET)
    if current is None:
        return S.SHARD.empty_table()
    manifest = read_manifest(storage, DATASET, current["version"])
    return pa.concat_tables(
        [storage.read_parquet(f"published/{DATASET}/{s['path']}") for s in manifest["shards"]]
    )


def decisions(root) -> dict[str, str]:
    storage = Storage(str(root))
    out = {}
    for info in storage.list_files("decisions", (".parquet",)):
        for row in storage.read_parquet(info.path, columns=["utterance_id", "reason"]).to_pylist():
            if row["utterance_id"] is not None:
                out.setdefault(row["utterance_id"], row["reason"])
    return out


def verify_manifest(root) -> dict:
    storage = Storage(str(root))
    current = read_current(storage, DATASET)
    manifest = read_manifest(storage, DATASET, current["version"])
    assert manifest["status"] == "live" and manifest["version"] == current["version"]
    for shard in manifest["shards"]:
        data = storage.read_bytes(f"published/{DATASET}/{shard['path']}")
        assert hashlib.sha256(data).hexdigest() == shard["sha256"]
        assert len(data) == shard["bytes"]
        assert storage.read_parquet(f"published/{DATASET}/{shard['path']}").num_rows == shard["rows"]
    return manifest


@pytest.fixture
def generated(lake_env):
    return generate_landing(str(lake_env), 3000, seed=5, file_format="mixed", days=3, files_per_day=2)


def test_first_run_publishes_exactly_what_may_be_used(run_dag, lake_env, generated):
    run = run_dag("utterances_publish")
    assert run.state == "success"
    live = live_rows(lake_env)
    live_ids = set(live.column("utterance_id").to_pylist())
    decided = decisions(lake_env)
    assert live_ids and live_ids == {u for u, r in decided.items() if r == S.PUBLISHED}

    # the scripted customers: every excluded one is excluded for its reason, and is not live
    for u in generated.cast_utterances:
        if u.expected == "published":
            assert decided[u.utterance_id] == S.PUBLISHED or decided[u.utterance_id] == S.DUPLICATE or \
                decided[u.utterance_id].startswith(S.QUALITY_PREFIX), (u.scenario, decided[u.utterance_id])  # fmt: skip
        elif u.expected == S.DELETION_REQUESTED:  # counted, and no decision row keeps its ids
            assert u.utterance_id not in decided and u.utterance_id not in live_ids, (
                u.scenario,
                u.utterance_id,
            )
        else:
            assert decided[u.utterance_id] == u.expected, (u.scenario, u.utterance_id)
            assert u.utterance_id not in live_ids
    assert any(u.expected == "published" and u.utterance_id in live_ids for u in generated.cast_utterances)

    # nothing malformed, nothing with an identifier left, no raw customer id in any shard
    quarantined = Storage(str(lake_env)).list_files("quarantine/utterances", (".parquet",))
    bad_ids = {
        r
        for q in quarantined
        for r in Storage(str(lake_env)).read_parquet(q.path).column("record_id").to_pylist()
    }
    assert not (bad_ids - {None}) & live_ids - set(generated.repeated_utterance_ids)
    contents = pc.list_flatten(live.column("messages").combine_chunks()).field("content")
    assert not pc.any(detect_identifiers(contents)).as_py()
    customers = {u.customer_id for u in generated.cast_utterances}
    flat = json.dumps(live.to_pylist(), default=str)
    assert not any(c in flat for c in customers)

    # every input row got exactly one decision, and the manifest's counts say so
    manifest = verify_manifest(lake_env)
    assert sum(manifest["counts"].values()) == generated.utterances
    assert manifest["counts"][S.PUBLISHED] == len(live_ids) == manifest["rows"]

    # downstream notice: one asset event for the new version, carrying the manifest's figures
    events = asset_events(run.run_id)
    assert [e["version"] for e in events] == [manifest["version"]]
    assert events[0]["rows"] == manifest["rows"] and events[0]["parent_version"] is None


def asset_events(run_id: str) -> list[dict]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return [
            e.extra for e in session.scalars(select(AssetEvent).where(AssetEvent.source_run_id == run_id))
        ]


def test_shards_load_with_hugging_face_datasets(run_dag, lake_env, generated):
    datasets = pytest.importorskip("datasets")
    assert run_dag("utterances_publish").state == "success"
    manifest = verify_manifest(lake_env)
    files = [str(lake_env / "published" / DATASET / s["path"]) for s in manifest["shards"]]
    loaded = datasets.load_dataset(
        "parquet", data_files=files, split="train", cache_dir=str(lake_env.parent / "hf")
    )
    assert len(loaded) == manifest["rows"]
    first = loaded[0]["messages"]
    assert first[0]["role"] == "user" and first[0]["content"]
    assert {m["role"] for row in loaded["messages"] for m in row} <= {"user", "assistant"}


def test_a_second_run_without_new_input_publishes_nothing_new(run_dag, lake_env, generated):
    assert run_dag("utterances_publish").state == "success"
    before = read_current(Storage(str(lake_env)), DATASET)
    second = run_dag("utterances_publish")
    assert second.state == "success"
    assert read_current(Storage(str(lake_env)), DATASET) == before
    assert asset_events(second.run_id) == []  # no new version, no event for training jobs


def test_a_late_file_for_an_old_partition_is_picked_up_exactly_once(run_dag, lake_env, generated, tmp_path):
    assert run_dag("utterances_publish").state == "success"
    first = verify_manifest(lake_env)
    late = generate_landing(
        str(tmp_path / "late"), 200, seed=99, file_format="jsonl", days=1, files_per_day=1
    )
    (rel,) = late.utterance_files
    target = f"landing/utterances/dt={generated.start}/late-arrival.jsonl"
    Storage(str(lake_env)).write_bytes(target, (tmp_path / "late" / rel).read_bytes())

    assert run_dag("utterances_publish").state == "success"
    second = verify_manifest(lake_env)
    assert second["parent_version"] == first["version"]
    assert second["rows"] > first["rows"]
    size = (lake_env / target).stat().st_size
    assert second["inputs"] == [
        {"partition": f"landing/utterances/dt={generated.start}", "files": 1, "bytes": size}
    ]
    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    try:  # the paths are the store's
        assert [i.path for i in store.version_inputs(DATASET, second["version"])] == [target]
    finally:
        store.dispose()
    carried = {s["path"] for s in first["shards"]}
    assert carried <= {s["path"] for s in second["shards"]}  # carried over by reference

    assert run_dag("utterances_publish").state == "success"
    assert verify_manifest(lake_env)["version"] == second["version"]


def test_dry_run_decides_and_reports_but_changes_nothing(run_dag, lake_env, generated):
    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    run = run_dag("utterances_publish", {"dry_run": True})
    assert run.state == "success"
    assert read_current(Storage(str(lake_env)), DATASET) is None
    store.create_schema()
    assert store.runs() == [] and store.consent_events().num_rows == 0
    reports = Storage(str(lake_env)).list_files("reports", ("report.json",))
    report = json.loads(Storage(str(lake_env)).read_bytes(reports[0].path))
    assert report["dry_run"] is True and report["counts"][S.PUBLISHED] > 0


def test_reprocess_never_publishes_twice(run_dag, lake_env, generated):
    assert run_dag("utterances_publish").state == "success"
    first = verify_manifest(lake_env)
    day = str(generated.start)
    assert run_dag("utterances_publish", {"dt_from": day, "dt_to": day, "reprocess": True}).state == "success"
    after = verify_manifest(lake_env)
    assert after["version"] == first["version"]
    ids = live_rows(lake_env).column("utterance_id")
    assert len(ids) == len(pc.unique(ids))


def test_a_failing_gate_publishes_nothing_and_keeps_the_evidence(
    run_dag, lake_env, generated, monkeypatch, task_errors
):
    # a redaction regression: the gate is the last line of defence and must stop it
    import utterance_governance.decide as decide

    monkeypatch.setattr(decide, "redact_array", lambda values, *args, **kwargs: values)
    run = run_dag("utterances_publish")
    assert run.state == "failed"
    failed_with(task_errors, "gate_batch", GateFailed)
    assert read_current(Storage(str(lake_env)), DATASET) is None
    storage = Storage(str(lake_env))
    (gate_file,) = storage.list_files("reports", ("gate.json",))
    gate = json.loads(storage.read_bytes(gate_file.path))
    assert gate["success"] is False
    assert {f["check"] for f in gate["failed"]} & {"user_text_no_identifier", "assistant_text_no_identifier"}
    # the gated partitions are kept (by speaker: what would have been published), for the inquiry
    assert [f for f in storage.list_files("staging", (".parquet",)) if "/speakers/p=" in f.path]
    # no transcript text in what the gate kept
    assert "@" not in json.dumps(gate["failed"])


def test_bad_params_are_refused(run_dag, lake_env, generated, task_errors):
    run = run_dag("utterances_publish", {"dt_from": "2026-11-30", "dt_to": "2026-11-01"})
    assert run.state == "failed"
    failed_with(task_errors, "prepare", InvalidParams)
    assert read_current(Storage(str(lake_env)), DATASET) is None


def test_production_without_a_pseudonym_key_refuses_to_start(
    run_dag, lake_env, generated, monkeypatch, task_errors
):
    monkeypatch.setenv("UG_ENV", "production")
    monkeypatch.delenv("UG_PSEUDONYM_KEY")
    assert run_dag("utterances_publish").state == "failed"
    failed_with(task_errors, "prepare", ConfigurationError)
    assert read_current(Storage(str(lake_env)), DATASET) is None


def test_more_files_than_airflow_maps_are_processed_in_groups(run_dag, lake_env, monkeypatch):
    """Airflow maps at most ``[core] max_map_length`` tasks from one list (1,024 by default): a night of
    more landing files failed ``discover_files`` (``unmappable_return_value_length``) on every run, and
    the backlog only grew. Here the limit is 3 and the night holds 7 files."""
    monkeypatch.setenv("AIRFLOW__CORE__MAX_MAP_LENGTH", "3")
    folder = lake_env / "landing" / "utterances" / "dt=2026-11-20"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(7):
        row = {"utterance_id": f"u-many-{i}", "customer_id": f"c-many-{i}", "captured_at": "2026-11-20T10:00:00Z",
               "locale": "en-US", "transcript": f"please tell me a long story about the river number {i}",
               "response": "Here is a story.", "asr_confidence": 0.95}  # fmt: skip
        (folder / f"part-{i:05d}.jsonl").write_text(json.dumps(row) + "\n")
    run = run_dag("utterances_publish", {"dt_from": "2026-11-20", "dt_to": "2026-11-20"})
    assert run.state == "success"
    published = set(live_rows(lake_env).column("utterance_id").to_pylist())
    assert {f"u-many-{i}" for i in range(7)} <= published
    assert verify_manifest(lake_env)["inputs"][0]["files"] == 7
