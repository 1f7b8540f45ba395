"""A publish task that fails after its version went live (writing the decisions, removing the
staging) is cleared and runs again on the same staged batch: it must not put the rows live twice."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs import publish

DT = "landing/utterances/dt=2026-11-20"


def line(uid: str, text: str) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": f"c-{uid}", "captured_at": "2026-11-20T10:00:00Z",
                       "locale": "en-US", "transcript": text, "response": "Done.", "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


def live_rows(lake: Lake) -> list[str]:
    from utterance_governance.publish.commit import read_current, read_manifest

    current = read_current(lake.storage, "assistant-sft")
    manifest = read_manifest(lake.storage, "assistant-sft", current["version"])
    return sorted(
        uid
        for shard in manifest["shards"]
        for uid in lake.storage.read_parquet(f"published/assistant-sft/{shard['path']}", ["utterance_id"])
        .column(0)
        .to_pylist()
    )


def _decisions_fail_once(monkeypatch) -> None:
    """Writing the decisions (after the switch) fails once, as an object store may."""
    write_decisions, failures = publish._write_decisions, []

    def fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OSError("the object store hiccuped writing the decisions")
        return write_decisions(*args, **kwargs)

    monkeypatch.setattr(publish, "_write_decisions", fails_once)


def test_a_publish_retried_after_its_switch_publishes_nothing_twice(tmp_path, store_url, monkeypatch):
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open")
                             + line("u2", "play some jazz in the kitchen"))  # fmt: skip
    _decisions_fail_once(monkeypatch)
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        with pytest.raises(OSError):
            publish.publish(ctx, staged, gated)  # the version went live, then the task failed
        assert live_rows(lake) == ["u1", "u2"]
        retried = publish.publish(ctx, staged, gated)  # the operator clears the task
    assert live_rows(lake) == ["u1", "u2"]
    assert retried["version"] == "v000001" and retried["counts"]["published"] == 2
    with lake.store() as store:
        assert [v["version"] for v in store.versions("assistant-sft")] == ["v000001"]
    lake.audit()  # no duplicate row, nothing else wrong


def test_two_publish_runs_at_once_publish_a_row_once(tmp_path, store_url):
    """Both looked the batch up against the live version before taking the lock; the second to take
    it re-checks against the version the first switched meanwhile."""
    import itertools

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open"))
    other = Lake(str(tmp_path / "lake"), store_url)  # e.g. `airflow dags test` beside the scheduled run
    other._runs = itertools.count(100)
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)  # its duplicate lookups: nothing live yet
        other.publish()  # the other run publishes the same file meanwhile
        result = publish.publish(ctx, staged, gated)
    assert live_rows(lake) == ["u1"]
    assert result["new_version"] is False and result["counts"].get("duplicate") == 1


@pytest.mark.parametrize("stage", ["stage", "shards", "manifest", "ledger"])
def test_a_publish_cleared_after_a_crash_before_its_switch_publishes_the_batch(
    tmp_path, store_url, monkeypatch, stage
):
    """The crash leaves the run's version staged; the retry's reconciliation abandons it (and
    removes its files). That version never went live: the retry publishes the batch, not nothing."""
    import functools

    from utterance_governance.publish import commit

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open")
                             + line("u2", "play some jazz in the kitchen"))  # fmt: skip

    def crash(at: str) -> None:
        if at == stage:
            raise OSError(f"the store went away at {at}")

    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        monkeypatch.setattr(
            publish, "publish_version", functools.partial(commit.publish_version, on_stage=crash)
        )
        with pytest.raises(OSError):
            publish.publish(ctx, staged, gated)
        monkeypatch.setattr(publish, "publish_version", commit.publish_version)
        retried = publish.publish(ctx, staged, gated)  # the operator clears the task: same run
    assert live_rows(lake) == ["u1", "u2"]
    assert retried["new_version"] is True and retried["counts"]["published"] == 2
    with lake.store() as store:
        statuses = {v["version"]: v["status"] for v in store.versions("assistant-sft")}
    assert statuses == {"v000001": "abandoned", "v000002": "live"}
    assert lake.publish()["counts"] == {}  # and the next night has nothing left over


def test_a_deletion_completed_while_a_publish_was_deciding_leaves_no_copy_behind(
    tmp_path, store_url, monkeypatch
):
    """The hourly privacy run completes a delete-all between a publish deciding a file and writing
    what it decided: the publish's re-check keeps the row out, and no decision row keeps its ids."""
    from datetime import UTC, datetime, timedelta

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open")
                             + line("u2", "play some jazz in the kitchen"))  # fmt: skip
    asked = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    decide = publish.decide_file

    def decide_then_the_privacy_run(*args, **kwargs):
        decided = decide(*args, **kwargs)
        lake.storage.write_bytes(
            "landing/deletions/d.jsonl",
            json.dumps(
                {"request_id": "req-1", "customer_id": "c-u1", "scope": "all", "requested_at": asked}
            ).encode()
            + b"\n",
        )
        lake.privacy()
        return decided

    monkeypatch.setattr(publish, "decide_file", decide_then_the_privacy_run)
    result = lake.publish()
    with lake.store() as store:  # the publish was in flight: its late copies are the next run's to purge
        assert store.receipt("req-1")["status"] != "completed"
    monkeypatch.setattr(publish, "decide_file", decide)
    lake.privacy()
    with lake.store() as store:
        assert store.receipt("req-1")["status"] == "completed"
    assert live_rows(lake) == ["u2"] and result["counts"]["deletion_requested"] == 1
    kept = [
        uid
        for folder in ("staging", "decisions")
        for f in lake.storage.list_files(folder, (".parquet",))
        for uid in lake.storage.read_parquet(f.path, ["utterance_id"]).column(0).to_pylist()
    ]
    assert "u2" in kept and "u1" not in kept


def test_a_crash_inside_finalize_leaves_no_input_to_process_again(tmp_path, store_url, monkeypatch):
    """current.json switched; registering the inputs failed. The next run's reconciliation finishes
    the finalize (inputs processed, parent superseded, version live): no row is taken twice."""
    from utterance_governance.io.store.files import ProcessedFiles

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open")
                             + line("u2", "play some jazz in the kitchen"))  # fmt: skip
    mark, failures = ProcessedFiles.mark_files_processed, []

    def dies_once(self, files, run_id, *args, **kwargs):
        files = list(files)
        if not failures and any(f.path.startswith("landing/utterances/") for f in files):
            failures.append(1)
            raise OSError("the database connection dropped")
        return mark(self, files, run_id, *args, **kwargs)

    monkeypatch.setattr(ProcessedFiles, "mark_files_processed", dies_once)
    with pytest.raises(OSError):
        lake.publish()
    assert live_rows(lake) == ["u1", "u2"]
    assert lake.publish()["counts"] == {}  # the next night: nothing taken again
    with lake.store() as store:
        assert store.live_version("assistant-sft") == "v000001"


def _decided(lake: Lake, run_key: str) -> dict[str, str]:
    decisions = [
        lake.storage.read_parquet(f.path)
        for f in lake.storage.list_files(f"decisions/{run_key}", (".parquet",))
    ]
    return {u: r for d in decisions for u, r in zip(d.column("utterance_id").to_pylist(), d.column("reason").to_pylist(), strict=True)}  # fmt: skip


def test_a_publish_retried_past_its_switch_records_what_its_recheck_took_out(
    tmp_path, store_url, monkeypatch
):
    from datetime import UTC, datetime, timedelta

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open")
                             + line("u2", "play some jazz in the kitchen"))  # fmt: skip
    _decisions_fail_once(monkeypatch)
    at = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        lake.storage.write_bytes("landing/consent/o.jsonl", json.dumps(
            {"event_id": "e1", "customer_id": "c-u1", "purpose": "model_training", "status": "opted_out",
             "effective_at": at, "recorded_at": at, "source": "app"}).encode() + b"\n")  # fmt: skip
        lake.privacy()  # the hourly run ingests an opt-out while the publish runs
        with pytest.raises(OSError):
            publish.publish(ctx, staged, gated)  # the re-check took u1 out; writing the decisions failed
        result = publish.publish(ctx, staged, gated)  # the operator clears the task
    assert live_rows(lake) == ["u2"]
    assert _decided(lake, ctx.run_key) == {"u1": "opted_out", "u2": "published"}
    assert result["counts"] == {"opted_out": 1, "published": 1}


def test_a_publish_retried_after_its_staging_was_removed_converges(tmp_path, store_url, monkeypatch):
    from utterance_governance.io.storage import Storage

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open"))
    remove, armed = Storage.remove, []

    def remove_then_die(self, rel):
        done = remove(self, rel)
        if armed and rel.startswith("staging/"):
            armed.clear()
            raise OSError("the worker was lost right after removing the staging folder")
        return done

    monkeypatch.setattr(Storage, "remove", remove_then_die)
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        armed.append(1)
        with pytest.raises(OSError):
            publish.publish(ctx, staged, gated)
        result = publish.publish(ctx, staged, gated)  # the operator clears the task
    assert result["version"] == "v000001" and live_rows(lake) == ["u1"]
    assert _decided(lake, ctx.run_key) == {"u1": "published"}


def test_a_purge_that_shares_the_publish_run_id_is_no_publish_of_it(tmp_path, store_url):
    """Airflow names both DAGs' scheduled runs after their time: the hourly purge at 02:00 and the
    nightly publish at 02:00 are both 'scheduled__<D>T02:00:00+00:00'. The purge's version is not
    the publish's: the night is published, not skipped as 'already published'."""
    from dataclasses import replace as with_run
    from datetime import UTC, datetime, timedelta

    from utterance_governance.jobs import privacy

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "what time does the bakery open"))
    lake.publish()
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u2", "play some jazz in the kitchen"))
    asked = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "req-1", "customer_id": "c-u1", "scope": "all", "requested_at": asked}).encode() + b"\n")  # fmt: skip
    shared = "scheduled__2026-12-04T02:00:00+00:00"
    with lake._environment():
        purge = with_run(lake.context("privacy_requests"), run_id=shared)
        privacy.ingest(purge)
        assert privacy.purge_published(purge)["new_version"] is True
        ctx = with_run(lake.context("utterances_publish"), run_id=shared)
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        result = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
    assert result["new_version"] is True and live_rows(lake) == ["u2"]


@pytest.mark.parametrize("second_attempt_on", ["the same file", "a file rewritten to fewer rows"])
def test_a_retried_file_step_publishes_only_what_its_last_attempt_read(
    tmp_path, store_url, monkeypatch, second_attempt_on
):
    """``process_file`` staged a file's pieces, then failed; the retry reads the file again. A piece
    the first attempt left (the file holds fewer rows now, or they fall in other partitions) must not
    join the batch: only what the last attempt read is published."""
    from utterance_governance.io import readers

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", b"".join(line(f"u{i}", f"what is the weather on day {i}") for i in range(40))
    )
    monkeypatch.setattr(readers, "PIECE_BYTES", 1_000)
    with lake._environment():
        ctx = lake.context("utterances_publish")
        publish.ingest_privacy(ctx)
        files = [{**f, "partitions": 3} for f in publish.discover_files(ctx)]
        first = publish.process_file(ctx, files[0])  # (its task failed after staging: Airflow retries it)
        assert first["publishable_rows"] == 40
        if second_attempt_on != "the same file":  # the upstream replaced it meanwhile
            lake.storage.write_bytes(f"{DT}/a.jsonl", line("u0", "what is the weather on day 0"))
        staged = [publish.process_file(ctx, files[0])]
        gated = publish.gate_batch(ctx, staged)
        publish.publish(ctx, staged, gated)
    expected = ["u0"] if second_attempt_on != "the same file" else sorted(f"u{i}" for i in range(40))
    assert live_rows(lake) == expected
