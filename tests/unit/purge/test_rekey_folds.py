"""A key rotation re-keys the store's case-fold pairs (``speaker_folds``): one customer, two devices
(``zed-cust-77`` and ``Zed-Cust-77``). Before, the pairs kept their old-key digests, which match nothing
under the new key: after a rotation an opt-out or a delete-all naming ``zed-cust-77`` left the live rows
of ``Zed-Cust-77`` published until the customer's next decided file made the pair again."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import create_engine, select
from tests.unit.privacy.test_any_case_reaches import two_devices
from tests.unit.purge.test_every_copy_edges import deletion, line, opt_out, receipt
from tests.unit.purge.test_rekey_seams import NEW, _rotate, _rotate_to, _stopped

from utterance_governance.io.store_schema import speaker_folds
from utterance_governance.privacy.keys import fold_keys, speaker_keys


def _pairs(lake) -> set[tuple[str, str]]:
    engine = create_engine(lake.database_url)
    try:
        with engine.connect() as conn:
            return {
                tuple(r) for r in conn.execute(select(speaker_folds.c.fold_key, speaker_folds.c.speaker_key))
            }
    finally:
        engine.dispose()


def _pair_of(customer: str, key: str) -> tuple[str, str]:
    ids = pa.array([customer])
    return fold_keys(ids, key.encode())[0].as_py(), speaker_keys(ids, key.encode())[0].as_py()


@pytest.mark.parametrize("withdrawing", ["opt-out", "delete-all"])
def test_after_a_rotation_a_withdrawal_still_reaches_the_id_in_mixed_case(lake, monkeypatch, withdrawing):
    two_devices(lake)
    lake.publish()
    old = lake.key
    assert _pairs(lake) == {_pair_of("Zed-Cust-77", old)}
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert _pairs(lake) == {_pair_of("Zed-Cust-77", NEW)}  # re-keyed: nothing of the old key left
    assert lake.live_ids() == {"u-zed-phone", "u-zed-speaker", "u-bob"}
    if withdrawing == "opt-out":
        lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-77"))
    else:
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    if withdrawing == "delete-all":
        assert receipt(lake, "req-1")["removed"]["published_rows"] == 2
        assert _pairs(lake) == set()  # erased with the customer's last published row
    lake.audit()


def test_a_rotation_leaves_the_pairs_of_a_customer_it_cannot_key_out(lake, monkeypatch):
    """A pair whose customer no landing file, held row or privacy record names any more (its rows were
    withdrawn as unkeyable) has no new key to take: it goes, as the rows did."""
    import os
    from pathlib import Path

    from tests.unit.privacy.test_any_case_reaches import DT, WORDS

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-phone", "zed-cust-77", "what time is it in tokyo")
                             + line("u-zed-speaker", "Zed-Cust-77", WORDS))  # fmt: skip
    lake.storage.write_bytes(f"{DT}/b.jsonl", b"".join(line(f"u-bob-{i}", "Bob-Cust-11", f"what is the weather on day {i}")
                                                       for i in range(8)))  # fmt: skip
    lake.publish()
    assert _pairs(lake) == {_pair_of("Zed-Cust-77", lake.key), _pair_of("Bob-Cust-11", lake.key)}
    os.remove(Path(lake.root, DT, "a.jsonl"))  # upstream's retention: nothing names zed any more
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert lake.live_ids() == {f"u-bob-{i}" for i in range(8)}  # zed's rows: withdrawn as unkeyable
    assert _pairs(lake) == {_pair_of("Bob-Cust-11", NEW)}


@pytest.mark.parametrize("lost_at", ["_rekey_speaker_folds", "_rekey_reports"])
def test_a_rotation_stopped_after_its_switch_re_keys_the_pairs_when_run_again(lake, monkeypatch, lost_at):
    """Lost before its pairs were made again, or after (run again, a pair already under the new key stays)."""
    two_devices(lake)
    lake.publish()
    old = _stopped(lake, monkeypatch, lost_at)
    assert _rotate_to(lake, monkeypatch, old, NEW) == 0
    assert _pairs(lake) == {_pair_of("Zed-Cust-77", NEW)}
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "ZED-CUST-77"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}


def test_the_store_replaces_its_pairs_in_one_go(store):
    """(SQLite and PostgreSQL) what a rotation writes: the given pairs, once each, and nothing else."""
    from utterance_governance.privacy.keys import FOLD_PAIRS

    def table(*pairs: tuple[str, str]) -> pa.Table:
        return pa.table(
            {"fold_key": [f for f, _ in pairs], "speaker_key": [s for _, s in pairs]}, schema=FOLD_PAIRS
        )

    store.record_speaker_folds(table(("f1", "s1"), ("f1", "s2"), ("f2", "s3")))
    assert store.replace_speaker_folds(table(("g1", "t1"), ("g1", "t1"), ("f2", "s3"))) == 2
    held = store.all_speaker_folds()
    assert sorted(
        zip(held.column("fold_key").to_pylist(), held.column("speaker_key").to_pylist(), strict=True)
    ) == [
        ("f2", "s3"),
        ("g1", "t1"),
    ]


def test_a_rotation_makes_the_pairs_of_rows_published_before_the_store_kept_them(lake, monkeypatch):
    """Rows of ``Zed-Cust-77`` published before Alembic 0013 have no pair (here: the table emptied). The
    rotation knows the raw ids: the customer's rows are published, so the pair is made."""
    two_devices(lake)
    lake.publish()
    engine = create_engine(lake.database_url)
    with engine.begin() as conn:
        conn.execute(speaker_folds.delete())
    engine.dispose()
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert _pairs(lake) == {_pair_of("Zed-Cust-77", NEW)}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    assert _pairs(lake) == set()
