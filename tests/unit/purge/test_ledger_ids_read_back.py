"""On PostgreSQL the ledger is read through ``COPY … TO STDOUT (FORMAT csv)`` and parsed by Arrow, whose
default null spellings took an utterance id ``NA``, ``null``, ``N/A`` or ``nan`` for NULL: the purge named
no row, rewrote the shard with the row still in it, and the receipt said ``completed`` (review 13, F1).
Only PostgreSQL's unquoted empty field is NULL now; and a purge that cannot find in a shard every row the
ledger names there refuses, whatever the cause, rather than complete a receipt over a live row."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.purge.published import ShardCorrupt

OPT_OUT = {"event_id": "e1", "customer_id": "zed-4417", "purpose": "model_training", "status": "opted_out",
           "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip


def _published(lake: Lake, uid: str) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line(uid, "zed-4417", "remind me to buy tulips") + line("u-kept", "bob", "what is the weather"),
    )
    lake.publish()
    assert lake.live_ids() == {uid, "u-kept"}


@pytest.mark.parametrize("uid", ["NA", "null", "N/A", "nan", "NULL", "#N/A"])
def test_a_deleted_utterance_whose_id_reads_as_null_in_csv_leaves_the_live_dataset(
    tmp_path, postgres_url, uid
):
    lake = Lake(str(tmp_path / "lake"), postgres_url)
    _published(lake, uid)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-kept"}
    assert left_in_lake(lake, "tulips") == []


def test_an_opted_out_utterance_whose_id_reads_as_null_in_csv_is_withdrawn(tmp_path, postgres_url):
    lake = Lake(str(tmp_path / "lake"), postgres_url)
    _published(lake, "NA")
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(OPT_OUT).encode() + b"\n")
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


def test_a_purge_that_cannot_find_a_row_the_ledger_names_refuses_and_completes_nothing(lake):
    from utterance_governance.io.store_schema import ledger

    _published(lake, "u-zed")
    with lake.store() as store, store.engine.begin() as conn:  # the ledger names the row by another id
        conn.execute(update(ledger).where(ledger.c.utterance_id == "u-zed").values(utterance_id="u-ghost"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    with pytest.raises(ShardCorrupt, match="1 of them are not found"):
        lake.privacy()
    assert "u-zed" in lake.live_ids()  # still live, and no receipt says otherwise
    assert not lake.storage.exists("reports/receipts/d1.json") or receipt(lake, "d1")["status"] != "completed"
