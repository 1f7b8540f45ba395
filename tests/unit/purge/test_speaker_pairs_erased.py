"""A delete-all leaves the customer's speaker key nowhere in the governance store: a purge that rewrites
a shard keeps its lineage, and the (speaker, lineage) pair of a speaker with no row left in it goes with
the erased rows (review 10, F5). The other speakers' pairs stay: a later purge finds their rows by them."""

from __future__ import annotations

import sqlite3

import pyarrow as pa
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.privacy import speaker_keys


def test_a_delete_all_leaves_no_speaker_key_of_the_customer_in_the_store(tmp_path):
    db = tmp_path / "governance.db"
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{db}")
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-gone-4417", "zed", "what is the weather") + line("u-kept-1", "bob", "set a timer"),
    )
    lake.publish()
    key, kept = speaker_keys(pa.array(["zed", "bob"]), lake.key.encode()).to_pylist()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    con = sqlite3.connect(db)
    try:
        where = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            cols = [c[1] for c in con.execute(f'PRAGMA table_info("{table}")').fetchall()]
            for col in cols:
                n = con.execute(
                    f'SELECT count(*) FROM "{table}" WHERE CAST("{col}" AS TEXT) LIKE ?', (f"%{key[:16]}%",)
                ).fetchone()[0]
                if n:
                    where[f"{table}.{col}"] = n
        bobs = con.execute("SELECT count(*) FROM ledger_speakers WHERE speaker_key = ?", (kept,)).fetchone()[
            0
        ]
    finally:
        con.close()
    assert bobs == 1
    assert where == {}, (
        f"receipt completed, the deleted customer's speaker key is still in the store: {where}"
    )
