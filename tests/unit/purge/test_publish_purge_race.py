"""Publishing and purging one dataset never interleave destructively (SPEC §7).

``utterances_publish`` and ``privacy_requests`` run their real job steps in two threads, with
random pauses at every step and at every stage of the commit protocol, while opt-outs and
deletions arrive during the publish. After both finish: no live row belongs to an opted-out or
deleted customer, every live shard verifies, and the ledger is exactly the live shards.

The dangerous schedule is forced too: the purge runs to completion after the publish decided
its batch and before it takes the lock. The publish's re-check under the lock (``purge.recheck``)
is what keeps the purged customers out; without it the same schedule brings them back.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from tests.privacy_oracle import DELETION, OPTED_OUT, oracle_reasons

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs import privacy
from utterance_governance.jobs import publish as job
from utterance_governance.jobs.context import RunContext
from utterance_governance.policy import Policy
from utterance_governance.publish import commit
from utterance_governance.purge import published
from utterance_governance.settings import load_settings
from utterance_governance.synth.generator import generate_landing

KEY = "race-test-key"
DATASET = "assistant-sft"
RANDOM_ROUNDS = {"sqlite": 8, "postgresql": 4}


class _Gate:
    success = True
    failed = ()

    def to_dict(self) -> dict:
        return {"success": True, "rows": 0, "evaluated": 0, "failed": [], "statistics": {}, "docs_index": None,
                "stubbed": "the race test is about the commit, not the gate"}  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url, monkeypatch):
    """A published first version; the environment every job step reads."""
    root = tmp_path / "lake"
    for name, value in {
        "UG_DATA_ROOT": str(root),
        "UG_DATABASE_URL": store_url,
        "UG_PSEUDONYM_KEY": KEY,
    }.items():
        monkeypatch.setenv(name, value)
    with GovernanceStore(store_url) as store:  # the deployment's init step (`ug migrate-store`)
        store.migrate()
    monkeypatch.setattr("utterance_governance.quality.gate.run_gate", lambda *a, **k: _Gate())
    generate_landing(str(root), 300, seed=31, file_format="jsonl", days=1, files_per_day=1)
    run_publish("base")
    return root


def ctx_for(run_id: str, dag_id: str) -> RunContext:
    return RunContext.create(run_id, dag_id, {}, load_settings())


def run_publish(run_id: str, pause=lambda _: None) -> dict:
    ctx = ctx_for(run_id, "utterances_publish")
    job.ingest_privacy(ctx)
    pause("ingested")
    files = job.discover_files(ctx)
    staged = []
    for file in files:
        staged.append(job.process_file(ctx, file))
        pause("processed")
    gated = job.gate_batch(ctx, staged)
    pause("gated")
    return job.publish(ctx, staged, gated)


def run_privacy(run_id: str, pause=lambda _: None) -> dict:
    ctx = ctx_for(run_id, "privacy_requests")
    privacy.ingest(ctx)
    pause("ingested")
    purged = privacy.purge_published(ctx)
    pause("purged")
    privacy.purge_copies(ctx)
    return purged


def add_late_file(root, tmp_path, round_: int) -> list[str]:
    """A new landing file (new customers) for the next publish; returns its busiest customers."""
    source = tmp_path / f"gen-{round_}"
    summary = generate_landing(str(source), 160, seed=500 + round_, file_format="jsonl", days=1, files_per_day=1,
                               malformed_rate=0.0, quality_rate=0.0)  # fmt: skip
    (rel,) = summary.utterance_files
    target = f"landing/utterances/dt=2026-11-2{round_ % 8}/late-{round_}.jsonl"
    Storage(str(root)).write_bytes(target, (source / rel).read_bytes())
    records = read_landing_file(Storage(str(root)), target, "utterances").records
    busiest = Counter(c for c, loc in zip(records.column("customer_id").to_pylist(),
                                          records.column("locale").to_pylist(), strict=True)
                      if loc.startswith("en-"))  # fmt: skip
    return [c for c, _ in busiest.most_common(6)]


def write_privacy_drop(root, round_: int, opt_out: list[str], delete: list[str]) -> None:
    now = datetime.now(UTC)
    early = datetime(2026, 1, 1, tzinfo=UTC)

    def iso(t: datetime) -> str:
        return t.isoformat().replace("+00:00", "Z")

    storage = Storage(str(root))
    consent = [{"event_id": f"race-{round_}-{c}", "customer_id": c, "purpose": "model_training",
                "status": "opted_out", "effective_at": iso(early), "recorded_at": iso(now), "source": "app"}
               for c in opt_out]  # fmt: skip
    deletions = [{"request_id": f"race-{round_}-{c}", "customer_id": c, "scope": "all",
                  "requested_at": iso(now)} for c in delete]  # fmt: skip
    storage.write_bytes(
        f"landing/consent/race-{round_}.jsonl", "".join(json.dumps(r) + "\n" for r in consent).encode()
    )
    storage.write_bytes(
        f"landing/deletions/race-{round_}.jsonl", "".join(json.dumps(r) + "\n" for r in deletions).encode()
    )


def assert_invariant(root, store_url) -> int:
    """No live row may be used now; every live shard verifies; ledger == live shards. Returns live rows."""
    storage = Storage(str(root))
    store = GovernanceStore(store_url)
    try:
        live = commit.live_version(storage, DATASET)
        manifest = commit.read_manifest(storage, DATASET, live)
        ids: list[str] = []
        for shard in manifest["shards"]:
            path = commit.DatasetPaths(DATASET).shard(shard["path"])
            data = storage.read_bytes(path)
            assert len(data) == shard["bytes"] and hashlib.sha256(data).hexdigest() == shard["sha256"], path
            table = storage.read_parquet(path)
            assert table.num_rows == shard["rows"], path
            ids += table.column("utterance_id").to_pylist()
        assert len(ids) == len(set(ids)), "an utterance is live twice"
        ledger = store.ledger_rows(DATASET, live)
        assert sorted(ledger.column("utterance_id").to_pylist()) == sorted(ids), "ledger != live shards"
        assert store.live_version(DATASET) == live
        assert all(v["status"] != "staged" for v in store.versions(DATASET))

        state = store.privacy_state()
        customers = set(state.consent.column("customer_id").to_pylist()) | set(state.deletions.column("customer_id").to_pylist())  # fmt: skip
        by_speaker = {hmac.new(KEY.encode(), c.encode(), "sha256").hexdigest(): c for c in customers}
        rows = [
            {**row, "customer_id": by_speaker[row["speaker_key"]], "locale": "en-US"}
            for row in ledger.to_pylist()
            if row["speaker_key"] in by_speaker
        ]
        reasons = oracle_reasons(rows, state, Policy(), datetime.now(UTC) + timedelta(seconds=1))
        bad = np.array([r in (DELETION, OPTED_OUT) for r in reasons], dtype=bool)
        assert not bad.any(), f"{int(bad.sum())} live rows of deleted or opted-out customers"
        return len(ids)
    finally:
        store.dispose()


def pauses(seed: int, scale: float):
    rng = random.Random(seed)
    return lambda _stage: time.sleep(rng.random() * scale)


def run_concurrently(publish_pause, privacy_pause, privacy_delay: float, gate: threading.Event | None = None,
                     round_: int = 0, arrive=lambda: None) -> None:  # fmt: skip
    errors: list[BaseException] = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # surfaced in the main thread
                errors.append(exc)

        return run

    def privacy_side():
        if gate is not None:
            gate.wait(timeout=60)
        time.sleep(privacy_delay)
        arrive()  # the privacy drop lands while the publish runs
        run_privacy(f"privacy-{round_}", privacy_pause)

    threads = [threading.Thread(target=guarded(lambda: run_publish(f"publish-{round_}", publish_pause))),
               threading.Thread(target=guarded(privacy_side))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors


def _with_stage_pauses(monkeypatch, publish_pause, purge_pause) -> None:
    monkeypatch.setattr(
        job, "publish_version", functools.partial(commit.publish_version, on_stage=publish_pause)
    )
    monkeypatch.setattr(
        published, "publish_version", functools.partial(commit.publish_version, on_stage=purge_pause)
    )


def test_random_interleavings_keep_the_invariant(lake, tmp_path, store_url, monkeypatch):
    backend = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    pool: list[str] = []
    for round_ in range(1, RANDOM_ROUNDS[backend] + 1):
        fresh = add_late_file(lake, tmp_path, round_)
        opt_out = [fresh[0], *(pool[:1])]
        delete = [fresh[1], *(pool[1:2])]
        pool = pool[2:] + fresh[2:]
        publish_pause, privacy_pause = pauses(round_, 0.05), pauses(1000 + round_, 0.05)
        _with_stage_pauses(monkeypatch, publish_pause, privacy_pause)
        run_concurrently(publish_pause, privacy_pause, privacy_delay=random.Random(round_).random() * 0.5,
                         round_=round_, arrive=functools.partial(write_privacy_drop, lake, round_, opt_out, delete))  # fmt: skip
        assert assert_invariant(lake, store_url) > 0


def _purge_between_decide_and_publish(lake, tmp_path, monkeypatch) -> list[str]:
    """The publish decides its batch, then a purge for its customers runs to completion, then it publishes."""
    fresh = add_late_file(lake, tmp_path, 1)
    write_privacy_drop(lake, 1, opt_out=[fresh[0]], delete=[fresh[1]])
    decided, purged = threading.Event(), threading.Event()

    def publish_pause(stage: str) -> None:
        if stage == "gated":
            decided.set()
            assert purged.wait(timeout=60)

    def privacy_pause(stage: str) -> None:
        if stage == "purged":
            purged.set()

    # the publish must not have ingested the drop itself: hide it until the batch is decided
    real_ingest = job.ingest_privacy
    monkeypatch.setattr(
        job, "ingest_privacy", lambda ctx: {} if ctx.dag_id == "utterances_publish" else real_ingest(ctx)
    )
    run_concurrently(publish_pause, privacy_pause, privacy_delay=0.0, gate=decided)
    return fresh[:2]


def test_a_purge_between_decide_and_publish_is_not_undone(lake, tmp_path, store_url, monkeypatch):
    victims = _purge_between_decide_and_publish(lake, tmp_path, monkeypatch)
    assert assert_invariant(lake, store_url) > 0
    store = GovernanceStore(store_url)
    keys = [hmac.new(KEY.encode(), c.encode(), "sha256").hexdigest() for c in victims]
    assert store.ledger_rows(DATASET, None, speaker_keys=keys).num_rows == 0
    manifest = commit.read_manifest(
        Storage(str(lake)), DATASET, commit.live_version(Storage(str(lake)), DATASET)
    )
    assert manifest["notes"]["rechecked"]  # the publish took the victims' rows out under the lock
    store.dispose()


def test_without_the_recheck_the_same_schedule_brings_purged_customers_back(
    lake, tmp_path, store_url, monkeypatch
):
    monkeypatch.setattr(job, "_recheck", lambda ctx, staged, publication, out, seen=None: publication)
    _purge_between_decide_and_publish(lake, tmp_path, monkeypatch)
    with pytest.raises(AssertionError, match="live rows of deleted or opted-out customers"):
        assert_invariant(lake, store_url)
