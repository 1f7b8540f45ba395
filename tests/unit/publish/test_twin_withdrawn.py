"""Two customers say the same words the same night: the first capture is kept, the others are
``duplicate`` of it (SPEC §4 rule 5). When the re-check under the dataset lock withdraws the kept
row (its customer opted out while the publish ran), its twins are no longer duplicates of anything
live: they wait in ``quarantine/held`` and the next run decides them, never lost as duplicates of a
row that was not published."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from utterance_governance import schema as S

DAY = "landing/utterances/dt=2026-11-20"


def _lines(customers: list[str], words: str = "play some jazz in the kitchen") -> list[dict]:
    return [
        {"utterance_id": f"u-{c}", "customer_id": c, "captured_at": f"2026-11-20T10:0{i}:00Z", "locale": "en-US",
         "transcript": words, "response": "Done.", "asr_confidence": 0.9}
        for i, c in enumerate(customers)
    ]  # fmt: skip


def _consent(customer: str, status: str = "opted_out", effective_at: str = "2026-11-01T00:00:00Z") -> dict:
    """A consent event of ``customer``'s (``effective_at="not a time"``: an unreadable one, holding them)."""
    return {"event_id": f"e-{customer}", "customer_id": customer, "purpose": "model_training", "status": status,
            "effective_at": effective_at, "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip


def _arrives(lake, event: dict, name: str = "late", *, privacy_run: bool = True) -> None:
    """``event`` lands (as ``landing/consent/<name>.jsonl``), then a privacy run, as while a publish runs."""
    lake.storage.write_bytes(f"landing/consent/{name}.jsonl", json.dumps(event).encode())
    if privacy_run:
        lake.privacy(check_deadlines=False)


def _opt_out(lake, customer: str, name: str = "late") -> None:
    _arrives(lake, _consent(customer), name)


def _decisions(lake) -> dict[str, dict]:
    out = {}
    for info in lake.storage.list_files("decisions", (".parquet",)):
        for row in lake.storage.read_parquet(
            info.path, columns=["utterance_id", "reason", "detail"]
        ).to_pylist():
            out[row["utterance_id"]] = row
    return out


def _lake(tmp_path, store_url, customers: list[str], files: int = 1):
    """``customers`` say the same words, in this order; dan something else. ``files``: the rows dealt
    over that many landing files (one: the file's own dedup finds the twins; more: the batch's)."""
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    rows = _lines(customers) + _lines(["dan"], "what is the weather tomorrow")
    for f in range(files):
        mine = rows[f::files]
        lake.storage.write_bytes(f"{DAY}/{f}.jsonl", "\n".join(json.dumps(r) for r in mine).encode())
    return lake


@pytest.mark.parametrize("files", [1, 3])
def test_the_twins_of_a_row_withdrawn_at_publish_wait_and_the_next_run_publishes_the_first(
    tmp_path, store_url, files
):
    lake = _lake(tmp_path, store_url, ["ann", "bob", "cat"], files)

    result = lake.publish(between=lambda: _opt_out(lake, "ann"))

    assert lake.live_ids() == {"u-dan"}
    assert result["counts"] == {S.PUBLISHED: 1, S.OPTED_OUT: 1, S.HELD_BACK: 2}
    decided = _decisions(lake)
    assert decided["u-ann"]["reason"] == S.OPTED_OUT
    for twin in ("u-bob", "u-cat"):
        assert decided[twin] == {"utterance_id": twin, "reason": S.HELD_BACK, "detail": S.HELD_TWIN_WITHDRAWN}
    kept = pa.concat_tables(
        lake.storage.read_parquet(f.path) for f in lake.storage.list_files("quarantine/held", (".parquet",))
    )
    assert sorted(kept.column("utterance_id").to_pylist()) == ["u-bob", "u-cat"]
    assert set(kept.column("detail").to_pylist()) == {S.HELD_TWIN_WITHDRAWN}
    assert set(kept.column("transcript").to_pylist()) == {"play some jazz in the kitchen"}

    # the next run decides them afresh: the earlier capture is published, the later one its duplicate
    again = lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}
    assert again["counts"] == {S.PUBLISHED: 1, S.DUPLICATE: 1}
    assert _decisions(lake)["u-cat"]["reason"] == S.DUPLICATE
    assert not lake.storage.list_files("quarantine/held", (".parquet",))


def test_a_twin_whose_own_customer_opts_out_too_is_decided_opted_out_by_the_next_run(tmp_path, store_url):
    lake = _lake(tmp_path, store_url, ["ann", "bob"])

    def both_opt_out() -> None:
        _opt_out(lake, "ann", "late-ann")
        _opt_out(lake, "bob", "late-bob")

    lake.publish(between=both_opt_out)
    assert _decisions(lake)["u-bob"]["reason"] == S.HELD_BACK
    again = lake.publish()
    assert again["counts"] == {S.OPTED_OUT: 1}
    assert lake.live_ids() == {"u-dan"}


def test_twins_of_a_row_that_stays_live_stay_duplicates(tmp_path, store_url):
    """The control: nobody withdrawn, nothing held (an unrelated customer opting out changes nothing)."""
    lake = _lake(tmp_path, store_url, ["ann", "bob"])

    result = lake.publish(between=lambda: _opt_out(lake, "dan"))

    assert lake.live_ids() == {"u-ann"}
    assert result["counts"] == {S.PUBLISHED: 1, S.DUPLICATE: 1, S.OPTED_OUT: 1}
    assert _decisions(lake)["u-bob"]["reason"] == S.DUPLICATE
    assert not lake.storage.list_files("quarantine/held", (".parquet",))


def test_a_retry_past_the_switch_holds_the_twins_its_first_attempt_found(tmp_path, store_url, monkeypatch):
    """The publish fails after its switch, before the held sets are written: Airflow's retry finds the
    run published and re-checks nothing; what the first attempt's re-check decided is what it keeps."""
    from utterance_governance.jobs import publish as job

    lake = _lake(tmp_path, store_url, ["ann", "bob"])
    keep = job._keep_held_rows
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the lake went away")
        return keep(*args, **kwargs)

    monkeypatch.setattr(job, "_keep_held_rows", fails_once)
    with lake._environment():
        ctx = lake.context("utterances_publish")
        job.ingest_privacy(ctx)
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        _opt_out(lake, "ann")
        gated = job.gate_batch(ctx, staged)
        with pytest.raises(OSError):
            job.publish(ctx, staged, gated)
        result = job.publish(ctx, staged, gated)  # the retry
    assert result["counts"] == {S.PUBLISHED: 1, S.OPTED_OUT: 1, S.HELD_BACK: 1}
    assert _decisions(lake)["u-bob"]["reason"] == S.HELD_BACK
    (held,) = lake.storage.list_files("quarantine/held", (".parquet",))
    assert lake.storage.read_parquet(held.path).column("utterance_id").to_pylist() == ["u-bob"]
    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}


def test_the_twin_of_a_row_held_at_publish_waits_beside_it_and_goes_live_before_it(tmp_path, store_url):
    """ann's unreadable record arrives while the run decides: her row is held at publish and bob's
    twin beside it, each with its own detail. The next run publishes bob's (ann is still held); ann's,
    released later, is a duplicate of bob's."""
    lake = _lake(tmp_path, store_url, ["ann", "bob"])
    broken = _consent("ann", "opted_in", "not a time")

    result = lake.publish(between=lambda: _arrives(lake, broken))
    assert result["counts"] == {S.PUBLISHED: 1, S.HELD_BACK: 2}
    (held,) = lake.storage.list_files("quarantine/held", (".parquet",))
    waiting = lake.storage.read_parquet(held.path, columns=["utterance_id", "detail"]).to_pylist()
    assert sorted(waiting, key=lambda r: r["utterance_id"]) == [
        {"utterance_id": "u-ann", "detail": S.HELD_AT_PUBLISH},
        {"utterance_id": "u-bob", "detail": S.HELD_TWIN_WITHDRAWN},
    ]

    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}
    # the same event sent again readable: what the broken line readably stated (its recorded_at) unchanged
    fixed = {**broken, "effective_at": "2026-11-01T00:00:00Z"}
    _arrives(lake, fixed, "fixed", privacy_run=False)
    again = lake.publish()
    assert again["counts"] == {S.DUPLICATE: 1}
    assert lake.live_ids() == {"u-dan", "u-bob"}
    assert not lake.storage.list_files("quarantine/held", (".parquet",))


def _publish_with(lake, while_gated) -> dict:
    """A publish whose batch is gated (its duplicates decided) when ``while_gated`` runs."""
    from utterance_governance.jobs import publish as job

    with lake._environment():
        ctx = lake.context("utterances_publish")
        job.ingest_privacy(ctx)
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        gated = job.gate_batch(ctx, staged)
        while_gated()
        return job.publish(ctx, staged, gated)


def _deletion(lake, customer: str) -> None:
    request = {"request_id": f"d-{customer}", "customer_id": customer, "scope": "all",
               "requested_at": "2026-11-21T00:00:00Z"}  # fmt: skip
    lake.storage.write_bytes(f"landing/deletions/{customer}.jsonl", json.dumps(request).encode())
    lake.privacy(check_deadlines=False)


def test_the_twin_of_a_row_a_deletion_purged_from_the_staging_waits(tmp_path, store_url):
    """ann's delete-all arrives while the batch is gated: the privacy run purges her row from the
    publish's staging, so the re-check has nothing to take out; bob's twin (another file) waits all
    the same, and the next run publishes it."""
    lake = _lake(tmp_path, store_url, ["ann", "bob"], files=2)

    result = _publish_with(lake, lambda: _deletion(lake, "ann"))

    assert lake.live_ids() == {"u-dan"}
    assert result["counts"][S.HELD_BACK] == 1 and S.DUPLICATE not in result["counts"]
    assert _decisions(lake)["u-bob"]["detail"] == S.HELD_TWIN_WITHDRAWN
    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}


def test_the_duplicate_of_a_live_row_withdrawn_while_the_batch_is_gated_waits(tmp_path, store_url):
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    (ann,) = _lines(["ann"])
    lake.storage.write_bytes("landing/utterances/dt=2026-11-19/a.jsonl", json.dumps(ann).encode())
    lake.publish()
    rows = _lines(["bob"]) + _lines(["dan"], "what is the weather tomorrow")
    lake.storage.write_bytes(f"{DAY}/b.jsonl", "\n".join(json.dumps(r) for r in rows).encode())

    _publish_with(lake, lambda: _opt_out(lake, "ann"))

    assert lake.live_ids() == {"u-dan"}
    assert _decisions(lake)["u-bob"]["detail"] == S.HELD_TWIN_WITHDRAWN
    lake.publish()
    assert lake.live_ids() == {"u-dan", "u-bob"}


def test_the_duplicate_of_a_row_that_stays_live_stays_a_duplicate_when_the_live_version_changes(
    tmp_path, store_url
):
    """The control: another customer's opt-out changes the live version while the batch is gated; bob's
    row repeats ann's, still live: a duplicate, nothing held."""
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    ann, cy = _lines(["ann"]) + _lines(["cy"], "turn on the lights")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-19/a.jsonl", f"{json.dumps(ann)}\n{json.dumps(cy)}".encode()
    )
    lake.publish()
    lake.storage.write_bytes(f"{DAY}/b.jsonl", json.dumps(_lines(["bob"])[0]).encode())

    result = _publish_with(lake, lambda: _opt_out(lake, "cy"))

    assert lake.live_ids() == {"u-ann"}
    assert result["counts"] == {S.DUPLICATE: 1}
    assert not lake.storage.list_files("quarantine/held", (".parquet",))


@pytest.mark.parametrize("when", ["before the gate", "while gated"])
def test_the_runs_counts_say_deletion_requested_for_rows_a_deletion_purged_from_its_staging(
    tmp_path, store_url, when
):
    """A deletion's privacy run purges the running publish's staging: the run counted the rows
    ``published`` (its files were decided before), though they never went live."""
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    rows = _lines(["ann"]) + _lines(["dan"], "what is the weather tomorrow")
    lake.storage.write_bytes(f"{DAY}/a.jsonl", "\n".join(json.dumps(r) for r in rows).encode())
    if when == "before the gate":
        result = lake.publish(between=lambda: _deletion(lake, "ann"))
    else:
        result = _publish_with(lake, lambda: _deletion(lake, "ann"))
    assert lake.live_ids() == {"u-dan"}
    assert result["counts"] == {S.PUBLISHED: 1, S.DELETION_REQUESTED: 1}
