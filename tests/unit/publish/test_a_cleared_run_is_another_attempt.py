"""A run cleared whole (every step again under its run id, as Airflow clears one; an Airflow Backfill over
a day that has a run clears it too) is another attempt of it, not a retry past its switch: it finishes the
writes after the switch an earlier attempt died before, then decides and publishes its own batch (review of
2026-12-07)."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.jobs import publish
from utterance_governance.jobs.context import RunContext
from utterance_governance.settings import load_settings

D20 = "landing/utterances/dt=2026-11-20"
RUN = "scheduled__2026-11-21T02:00:00+00:00"
UNREADABLE = {
    "event_id": "e1",
    "customer_id": "zed-cust-77",
    "purpose": "model_training",
    "status": "maybe",
    "effective_at": "2026-11-01T00:00:00Z",
    "recorded_at": "2026-11-21T00:00:00Z",
    "source": "app",
}


def _ctx(lake, run_id: str = RUN, params: dict | None = None) -> RunContext:
    return RunContext.create(run_id, "utterances_publish", params or {}, load_settings(lake.env))


def _attempt(lake, ctx: RunContext) -> dict:
    """One attempt of the whole DAG run (Airflow: a cleared run keeps its run id)."""
    ingested = publish.ingest_privacy(ctx)
    staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
    published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
    publish.write_report(ctx, ingested, published)
    return published


def _held_ids(lake) -> set[str]:
    return {
        u
        for f in lake.storage.list_files("quarantine/held", (".parquet",))
        for u in lake.storage.read_parquet(f.path, ["utterance_id"]).column(0).to_pylist()
    }


def _decided(lake, ctx) -> dict[str, str]:
    out = {}
    for f in lake.storage.list_files(f"decisions/{ctx.run_key}", (".parquet",)):
        t = lake.storage.read_parquet(f.path, ["utterance_id", "reason"])
        out.update(zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True))
    return out


def test_run_cleared_after_a_crash_past_the_switch_keeps_held_rows_and_decisions(lake, monkeypatch):
    """The publish dies after current.json switched, before the decisions and held rows are written
    (an object-store error in ``_write_decisions``). Following the README ("Any other failure: re-run"),
    the on-call engineer clears the whole run (same run id). The README promises convergence."""
    lake.storage.write_bytes("landing/consent/bad.jsonl", json.dumps(UNREADABLE).encode() + b"\n")
    lake.privacy(check_deadlines=False)  # zed is held back by the unreadable record
    lake.storage.write_bytes(
        f"{D20}/a.jsonl",
        line("u-zed", "zed-cust-77", "please turn on the kitchen lights")
        + line("u-al", "al-cust-3", "play some jazz in the kitchen"),
    )
    write_decisions = publish._write_decisions

    def dies(*a, **k):
        raise OSError("worker lost after the switch")

    with lake._environment():
        ctx = _ctx(lake)
        monkeypatch.setattr(publish, "_write_decisions", dies)
        with pytest.raises(OSError):
            _attempt(lake, ctx)
        monkeypatch.setattr(publish, "_write_decisions", write_decisions)
        assert lake.live_ids() == {"u-al"}
        _attempt(lake, _ctx(lake))  # the run cleared: every task again, same run id
    # Before: the cleared run starts its staging afresh (removing the first attempt's staged decisions and
    # held rows), finds a.jsonl processed (finalize), and writes nothing: zed's held row is lost for good
    # (never published once the hold is released) and the run's decisions/ holds neither row.
    assert "u-zed" in _held_ids(lake)
    assert _decided(lake, ctx) == {"u-zed": "held_back", "u-al": "published"}


def test_backfill_with_reprocess_over_a_published_night_re_decides_it(lake, tmp_path):
    """Airflow 3's Backfill over a date that already has a run clears that run (``models.backfill.
    _handle_clear_run``: same run id, the backfill's conf, here ``reprocess: true``). The README: ``reprocess``
    re-reads the range, nothing already live is published again. The policy now allows en-NZ, so a row of that
    night refused as ``quality:locale_not_allowed`` is publishable. (The same reprocess under a new run id,
    e.g. "manual__x", published u-zed before too.)"""
    from tests.pipeline import Lake

    from utterance_governance.policy import DEFAULT_ALLOWED_LOCALES

    lake.storage.write_bytes(
        f"{D20}/a.jsonl",
        line("u-zed", "zed-cust-77", "please turn on the kitchen lights", locale="en-NZ")
        + line("u-al", "al-cust-3", "play some jazz in the kitchen"),
    )
    with lake._environment():
        _attempt(lake, _ctx(lake, RUN, {"dt_from": "2026-11-20", "dt_to": "2026-11-20"}))
    assert lake.live_ids() == {"u-al"}
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"allowed_locales": [*DEFAULT_ALLOWED_LOCALES, "en-NZ"]}))
    lake = Lake(lake.root, lake.database_url, policy_file=str(policy))
    with lake._environment():
        ctx = _ctx(lake, RUN, {"dt_from": "2026-11-20", "dt_to": "2026-11-20", "reprocess": True})
        result = _attempt(lake, ctx)
    # Before (same run id): _recheck takes the reprocess for "a retry past its switch" (every input file was
    # published by this run id already) and publishes nothing; the result says new_version True, version
    # v000001 (the first attempt's), and the decisions still say quality:locale_not_allowed. u-zed is never
    # published, and the report presents the old version as this run's new one.
    assert lake.live_ids() == {"u-al", "u-zed"}
    assert _decided(lake, ctx)["u-zed"] == "published"
    assert (result["new_version"], result["version"], result["new_rows"]) == (True, "v000002", 1)


def test_run_cleared_after_a_crash_past_the_switch_remembers_a_listed_recording(lake, monkeypatch):
    """As above, with a deletion listing: zed asked to delete recording u-zed-0001 before it landed. The night
    withholds it; after its switch the run records the recording (``deleted_recordings``), so a redelivery
    under a new id is a duplicate. The publish dies past its switch and the engineer clears the run."""
    from tests.unit.purge.test_every_copy_edges import deletion

    same = {"session_id": "s-42", "turn_index": 1, "captured_at": "2026-11-20T10:00:00Z"}
    words = "please turn on the kitchen lights now"
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("req-1", "zed-cust-77", "utterances", utterance_ids=["u-zed-0001"]),
    )
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(
        f"{D20}/a.jsonl",
        line("u-zed-0001", "zed-cust-77", words, **same)
        + line("u-al", "al-cust-3", "play some jazz in the kitchen"),
    )
    write_decisions = publish._write_decisions

    def dies(*a, **k):
        raise OSError("worker lost after the switch")

    with lake._environment():
        monkeypatch.setattr(publish, "_write_decisions", dies)
        with pytest.raises(OSError):
            _attempt(lake, _ctx(lake))
        monkeypatch.setattr(publish, "_write_decisions", write_decisions)
        _attempt(lake, _ctx(lake))  # the run cleared: same run id
    # the same recording delivered again under a new id on a later night
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-22/r.jsonl", line("u-zed-again", "zed-cust-77", words, **same)
    )
    lake.publish()
    # Before: {'u-al', 'u-zed-again'}: the cleared run skipped every write after the switch (its staging was
    # started afresh and its file is processed), so the listed recording was never remembered and comes back.
    assert lake.live_ids() == {"u-al"}


def test_a_retry_of_an_attempt_that_died_just_before_its_switch_publishes_its_batch(
    lake, tmp_path, monkeypatch
):
    """A backfill with ``reprocess`` (another attempt of a run that published the night) names its version in
    ``_switched.json`` and dies before ``current.json`` switches to it. Airflow retries the publish task (the
    same attempt): the run's latest version live is the first attempt's, not the one this attempt named, so
    this is no retry past its switch, and the batch is published. Before: the retry took the first attempt's
    version for its own and published nothing."""
    from tests.pipeline import Lake

    from utterance_governance.io.storage import Storage
    from utterance_governance.policy import DEFAULT_ALLOWED_LOCALES

    lake.storage.write_bytes(
        f"{D20}/a.jsonl",
        line("u-zed", "zed-cust-77", "please turn on the kitchen lights", locale="en-NZ")
        + line("u-al", "al-cust-3", "play some jazz in the kitchen"),
    )
    params = {"dt_from": "2026-11-20", "dt_to": "2026-11-20"}
    with lake._environment():
        _attempt(lake, _ctx(lake, RUN, params))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"allowed_locales": [*DEFAULT_ALLOWED_LOCALES, "en-NZ"]}))
    lake = Lake(lake.root, lake.database_url, policy_file=str(policy))
    write_bytes = Storage.write_bytes

    def dies_at_the_switch(self, rel, data, *args, **kwargs):
        if rel.endswith("/current.json"):
            raise OSError("worker lost at the switch")
        return write_bytes(self, rel, data, *args, **kwargs)

    with lake._environment():
        ctx = _ctx(lake, RUN, {**params, "reprocess": True})
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        with monkeypatch.context() as m:
            m.setattr(Storage, "write_bytes", dies_at_the_switch)
            with pytest.raises(OSError, match="at the switch"):
                publish.publish(ctx, staged, gated)
        assert lake.live_ids() == {"u-al"}
        result = publish.publish(ctx, staged, gated)  # the task retried: the same attempt
    assert lake.live_ids() == {"u-al", "u-zed"}
    assert result["new_version"] is True and result["new_rows"] == 1
