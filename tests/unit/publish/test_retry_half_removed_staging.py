"""A publish that crashed while removing its staging (its last step: on S3 a prefix delete is many
requests; locally a worker killed half way through): Airflow's retry finds the version live and
must neither write the run's decisions and held sets again from what is left of the staging (a twin
or a row held at publish lost, an opted-out row recorded ``published``) nor fail on a file gone."""

from __future__ import annotations

import json
import os

import pytest
from tests.pipeline import Lake
from tests.unit.publish.test_twin_withdrawn import DAY, _arrives, _consent, _decisions, _lines, _opt_out

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage


@pytest.fixture
def lake(tmp_path) -> Lake:
    """On SQLite only: what is at stake is the lake's files."""
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")


def _write(lake: Lake, name: str, rows: list[dict]) -> None:
    lake.storage.write_bytes(f"{DAY}/{name}", "\n".join(json.dumps(r) for r in rows).encode())


def _publish_crashing_in_the_staging_removal(lake: Lake, monkeypatch, gone: str, between) -> None:
    """A publish whose removal of its staging takes the files whose names end in ``gone``, then dies;
    then the retry."""
    from utterance_governance.jobs import publish as job

    remove = Storage.remove
    crashed = []

    def half_way(self, rel: str) -> int:
        # (the run's staging once its writes after the switch are done, once: its partitions go, its in-flight
        # mark stays until the run's report)
        done = os.path.exists(
            os.path.join(lake.root, f"decisions/{ctx.run_key}/{job._AFTER_THE_SWITCH_WRITTEN}")
        )
        if rel.startswith(f"{job._staging(ctx)}/") and done and not crashed:
            for folder, _, names in os.walk(os.path.join(lake.root, job._staging(ctx))):
                for name in names:
                    if name.endswith(gone):
                        os.remove(os.path.join(folder, name))
            crashed.append(rel)
            raise OSError("the worker died half way through removing its staging")
        return remove(self, rel)

    with lake._environment():
        ctx = lake.context("utterances_publish")
        job.ingest_privacy(ctx)
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        between()
        gated = job.gate_batch(ctx, staged)
        monkeypatch.setattr(Storage, "remove", half_way)
        with pytest.raises(OSError, match="half way"):
            job.publish(ctx, staged, gated)
        job.publish(ctx, staged, gated)  # Airflow's retry
    monkeypatch.setattr(Storage, "remove", remove)
    assert crashed and not lake.storage.exists(crashed[0])


def test_a_twin_held_by_the_first_attempt_stays_held(lake, monkeypatch):
    rows = _lines(["ann", "bob"]) + _lines(["dan"], "what is the weather tomorrow")
    _write(lake, "a.jsonl", rows[0::2])
    _write(lake, "b.jsonl", rows[1:2])
    _publish_crashing_in_the_staging_removal(
        lake, monkeypatch, "twins.parquet", lambda: _opt_out(lake, "ann")
    )
    assert _decisions(lake)["u-bob"]["reason"] == S.HELD_BACK
    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}


def test_a_row_held_at_publish_stays_held_and_an_opted_out_one_is_not_recorded_published(lake, monkeypatch):
    _write(
        lake,
        "a.jsonl",
        _lines(["ann"]) + _lines(["cy"], "turn on the lights") + _lines(["dan"], "what time is it"),
    )
    broken = _consent("ann", "opted_in", "not a time")

    def meanwhile() -> None:
        _arrives(lake, broken, privacy_run=False)
        _opt_out(lake, "cy", "cy")

    _publish_crashing_in_the_staging_removal(lake, monkeypatch, "rechecked.parquet", meanwhile)
    decided = _decisions(lake)
    assert (decided["u-ann"]["reason"], decided["u-cy"]["reason"]) == (S.HELD_BACK, S.OPTED_OUT)
    # the same event sent again readable: what the broken line readably stated (its recorded_at) unchanged
    fixed = {**broken, "effective_at": "2026-11-01T00:00:00Z"}
    _arrives(lake, fixed, "fixed", privacy_run=False)
    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-ann"}


def test_the_retry_succeeds_when_a_files_decisions_are_gone(lake, monkeypatch):
    _write(lake, "a.jsonl", _lines(["ann"]))
    _publish_crashing_in_the_staging_removal(lake, monkeypatch, "decisions.parquet", lambda: None)
    assert lake.live_ids() == {"u-ann"}
    assert _decisions(lake)["u-ann"]["reason"] == S.PUBLISHED
