"""A deletion after an opt-out tells the training runs told to stop using a version to erase it.

An opt-out's purge revoked the version a training run used, with ``erase_copies`` false (stop using, keep). The
same customer's delete-all afterwards found nothing live: it made no version and announced nothing, and the
training run kept its copy of the deleted customer's recordings for good."""

from __future__ import annotations

import pyarrow as pa
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out, receipt
from tests.unit.purge.test_rekey_seams import NEW, _rotate_to

from utterance_governance.publish.lineage import consume_version

DATASET = "assistant-sft"


def announce(lake, purged: dict) -> dict | None:
    """The privacy DAG's ``announce`` step: the asset event's extra (None: it skips), the records it announced
    forgotten."""
    from ug_airflow.lineage import revocation_extra

    with lake._environment():
        return revocation_extra(purged)


def told_to_erase(announcements: list[dict | None]) -> list[tuple[str, str]]:
    """(training run, version) of every run ``announcements`` told to erase its copy."""
    return [
        (r["run_id"], r["version"])
        for extra in announcements
        if extra is not None and extra["erase_copies"]
        for r in extra["training_runs"]
    ]


def published_and_trained(lake, customer: str = "zed-4417", other: str = "bob") -> dict:
    """``customer``'s row and three of ``other``'s published; a training run ("t1") uses that version. Its
    consumption."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", customer, "remind me about quokkamarmalade")
        + b"".join(line(f"u-bob-{i}", other, f"what is the weather on day {i}") for i in range(3)),
    )
    lake.publish()
    with lake.store() as store:
        return consume_version(store, lake.root, DATASET, dag_id="train", run_id="t1", announced=None)


def _trained_then_opted_out(lake) -> dict:
    """zed's and bob's rows published; a training run uses that version; zed opts out (the version revoked,
    erase_copies false). The training run's consumption."""
    used = published_and_trained(lake)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and not purged["erase_copies"]
    told = announce(lake, purged)
    assert told is not None and not told["erase_copies"]
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in told["training_runs"]}
    return used


def test_a_delete_all_after_an_opt_out_tells_the_training_runs_to_erase(lake):
    used = _trained_then_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert not purged["new_version"]  # nothing of zed's is live any more
    extra = announce(lake, purged)
    assert extra is not None, "the deletion announced nothing: the training run keeps its copy"
    assert extra["erase_only"] and extra["erase_copies"]
    assert used["version"] in extra["revoked_versions"]
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in extra["training_runs"]}
    assert "zed-4417" not in str(extra) and "quokka" not in str(extra)
    # announced once: the next run has nothing more to say
    again = lake.privacy(check_deadlines=False)["published"]
    assert not again.get("erase_withdrawn") and announce(lake, again) is None


def test_a_deletion_with_rows_live_again_erases_the_withdrawn_versions_with_its_own(lake):
    """zed opted in again and was published again: the delete-all's purge makes a version, and its announcement
    names the versions the opt-out revoked too, to be erased."""
    used = _trained_then_opted_out(lake)
    opt_in = (
        b'{"event_id": "e2", "customer_id": "zed-4417", "purpose": "model_training", "status": "opted_in", '
        b'"effective_at": "2026-11-22T00:00:00Z", "recorded_at": "2026-11-22T00:00:00Z", "source": "app"}\n'
    )
    lake.storage.write_bytes("landing/consent/c2.jsonl", opt_in)
    later = "landing/utterances/dt=2026-11-23"
    lake.storage.write_bytes(
        f"{later}/b.jsonl", line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-23T10:00:00Z")
    )
    lake.publish()
    assert "u-zed-2" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and purged["erase_copies"]
    extra = announce(lake, purged)
    assert used["version"] in extra["erased_versions"]
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in extra["training_runs"]}


def test_another_customers_deletion_erases_nothing_of_the_opted_out(lake):
    _trained_then_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "someone-else"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert not purged.get("erase_withdrawn") and announce(lake, purged) is None
    with lake.store() as store:
        assert len(store.withdrawn_speakers_of(DATASET, speakers(lake, ["zed-4417"]))) == 1


def test_a_deletion_naming_the_customer_in_another_case_erases(lake):
    used = _trained_then_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "ZED-4417"))
    extra = announce(lake, lake.privacy(check_deadlines=False)["published"])
    assert extra is not None and used["version"] in extra["revoked_versions"]


def test_a_dry_run_announces_nothing_and_keeps_the_record(lake):
    _trained_then_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.take_in()  # (its intake takes the deletion in)
    with lake._environment():
        from utterance_governance.jobs import privacy

        purged = privacy.purge_published(lake.context("privacy_requests", {"dry_run": True}))
    assert purged["dry_run"] and purged["erase_withdrawn"]
    assert announce(lake, purged) is None
    with lake.store() as store:
        assert store.withdrawn_speakers_of(DATASET, speakers(lake, ["zed-4417"]))


def test_a_key_rotation_between_the_opt_out_and_the_deletion_keeps_the_record(lake, monkeypatch):
    used = _trained_then_opted_out(lake)
    assert _rotate_to(lake, monkeypatch, lake.key, NEW) == 0
    lake.key = NEW
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    extra = announce(lake, lake.privacy(check_deadlines=False)["published"])
    assert extra is not None and used["version"] in extra["revoked_versions"]
    assert ("t1", used["version"]) in {(r["run_id"], r["version"]) for r in extra["training_runs"]}


def speakers(lake, customers: list[str]) -> list[str]:
    from utterance_governance.privacy import speaker_keys

    return speaker_keys(pa.array(customers), lake.key.encode()).to_pylist()


def test_the_store_records_finds_forgets_and_rekeys(store):
    assert (
        store.record_withdrawn_speakers(DATASET, ["s1", "s2", "s1"], "v000001", "v000003", ["v000000"], 0)
        == 2
    )
    store.record_withdrawn_speakers(DATASET, ["s1"], "v000001", "v000003", ["v000000"], 0)  # again: kept once
    store.record_withdrawn_speakers(DATASET, ["s1"], "v000005", "v000006", [], 3)
    found = store.withdrawn_speakers_of(DATASET, ["s1", "nobody"])
    assert [(r["first_version"], r["last_version"], r["merged"]) for r in found] == [
        ("v000001", "v000003", ["v000000"]), ("v000005", "v000006", [])
    ]  # fmt: skip
    assert store.forget_withdrawn_speakers(DATASET, found[:1]) == 1
    assert len(store.withdrawn_speakers_of(DATASET, ["s1"])) == 1
    # a rotation: s1 -> n1; s2 explained by no customer: gone
    assert store.rekey_withdrawn_speakers(pa.array(["s1"]), pa.array(["n1"])) == 1
    assert store.withdrawn_speakers_of(DATASET, ["s1", "s2"]) == []
    assert [r["first_version"] for r in store.withdrawn_speakers_of(DATASET, ["n1"])] == ["v000005"]


def test_an_announcement_that_failed_is_made_by_the_next_run(lake):
    """The run's ``announce`` step failed for good; the deletion's receipt completed all the same (the step runs
    beside ``issue_receipts``). The next run still announces the erasure: the record stays until announced."""
    used = _trained_then_opted_out(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    first = lake.privacy(check_deadlines=False)
    assert first["published"]["erase_withdrawn"]  # (its announce step never ran)
    assert receipt(lake, "d1")["status"] == "completed"
    extra = announce(lake, lake.privacy(check_deadlines=False)["published"])
    assert extra is not None and used["version"] in extra["revoked_versions"]


def test_a_delete_all_taken_in_before_the_opt_out_erases_nothing_it_withdrew(lake):
    """zed deleted everything, used the assistant again, then opted out: the opt-out withdrew rows captured after
    the delete-all, which it does not cover. No erasure is announced for them."""
    from datetime import UTC, datetime

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me about quokkamarmalade"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    later = "landing/utterances/dt=2026-11-26"
    lake.storage.write_bytes(
        f"{later}/b.jsonl", line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-26T10:00:00Z")
    )
    lake.publish(now=datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    assert "u-zed-2" in lake.live_ids()
    opt_out_later = (
        b'{"event_id": "e9", "customer_id": "zed-4417", "purpose": "model_training", "status": "opted_out", '
        b'"effective_at": "2026-11-28T00:00:00Z", "recorded_at": "2026-11-28T00:00:00Z", "source": "app"}\n'
    )
    lake.storage.write_bytes("landing/consent/c9.jsonl", opt_out_later)
    purged = lake.privacy(now=datetime(2026, 11, 29, 3, 0, tzinfo=UTC), check_deadlines=False)["published"]
    assert purged["new_version"] and not purged["erase_copies"] and not purged["erase_withdrawn"]
    assert "u-zed-2" not in lake.live_ids()
