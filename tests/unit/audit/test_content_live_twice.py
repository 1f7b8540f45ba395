"""The daily audit proves each content live once (SPEC §4 rule 5): a publish that let a duplicate
through (here: the dedup switched off for one night, as a bug would) is a violation naming the later
row and the earliest capture, counted exactly, on SQLite and PostgreSQL. A night whose dedup worked
passes."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, line

from utterance_governance.jobs import publish
from utterance_governance.jobs.audit import AuditFailed

DATASET = "assistant-sft"  # the embedded defaults' dataset
WEATHER = "what is the weather in Lisbon"
LATER = "2026-11-20T11:00:00Z"  # captured after night one's rows (``T``, 10:00)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _night_one(lake: Lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-first", "ana", WEATHER) + line("u-other", "bob", "set a timer")
    )
    lake.publish()


def _findings(lake: Lake) -> dict:
    (latest,) = sorted(p.path for p in lake.storage.list_files("reports") if p.path.endswith("/audit.json"))[
        -1:
    ]
    return json.loads(lake.storage.read_bytes(latest))


def test_a_night_whose_dedup_worked_passes_and_one_that_let_copies_through_fails(lake, monkeypatch):
    _night_one(lake)
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-again", "cy", WEATHER))
    lake.publish()
    assert lake.live_ids() == {"u-first", "u-other"}  # the dedup held the copy back
    lake.audit()  # passes: no content is live twice

    monkeypatch.setattr(publish, "duplicate_mask", lambda hashes, rank, live: [False] * len(hashes))
    # one copy per landing file: a copy within one file is a duplicate the per-file decision finds
    lake.storage.write_bytes(
        f"{DT}/c.jsonl",
        line("u-copy-1", "dee", WEATHER, captured_at=LATER) + line("u-new", "fay", "play jazz"),
    )
    lake.storage.write_bytes(f"{DT}/d.jsonl", line("u-copy-2", "eve", WEATHER, captured_at=LATER))
    lake.publish()
    assert {"u-copy-1", "u-copy-2"} <= lake.live_ids()  # the bug: both copies went live
    with pytest.raises(AuditFailed):
        lake.audit()
    report = _findings(lake)
    assert report["counts"]["duplicate_content"] == 2
    named = [f for f in report["findings"] if f["rule"] == "duplicate_content"]
    assert sorted(f["utterance_id"] for f in named) == ["u-copy-1", "u-copy-2"]
    assert [f["detail"] for f in named] == [{"earliest_utterance_id": "u-first"}] * 2  # the earliest stands
    assert not any("u-first" in f["message"] for f in named)  # (a field of its own: the view hides it)
    assert WEATHER not in json.dumps(report)  # never the text


def test_the_count_is_exact_beyond_the_rows_the_store_names(lake, monkeypatch):
    _night_one(lake)
    monkeypatch.setattr(publish, "duplicate_mask", lambda hashes, rank, live: [False] * len(hashes))
    for i in range(3):  # each file: one copy of each of the two contents
        lake.storage.write_bytes(f"{DT}/b{i}.jsonl", line(f"u-copy-{i}-w", f"c{i}", WEATHER, captured_at=LATER)
                                 + line(f"u-copy-{i}-t", f"c{i}", "set a timer", captured_at=LATER))  # fmt: skip
    lake.publish()
    with lake.store() as store:
        version = store.live_version(DATASET)
        total, rows = store.ledger_content_repeats(DATASET, version, detail=1)
        assert total == 6  # three copies of each of two contents
        assert len(rows) == 3 and {earliest for _, _, earliest in rows} <= {"u-first", "u-other"}
        total_all, rows_all = store.ledger_content_repeats(DATASET, version, detail=10)
    assert total_all == 6
    assert sorted(uid for uid, _, _ in rows_all) == sorted(f"u-copy-{i}-{k}" for i in range(3) for k in "wt")
