"""A record that withdraws reaches every spelling of its id in any case (docs/notes.md "Known gaps in the privacy
core", the sixteenth review's first gap): one customer, two devices, one writing ``zed-cust-77`` and the
other ``Zed-Cust-77``. A deletion, an opt-out or a hold naming one reaches the rows of every id whose
case-folded NFKC form (``identity.key_of_canonical``) is its own: when a file is decided, in the live
dataset (through the store's ``speaker_folds``: keyed digests only), and in the lake's copies. A consent
opt-in stays exact: granting by a looser match would fail open."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, opt_out, receipt

from utterance_governance.io import migrations
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store_schema import speaker_folds
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict
from utterance_governance.privacy.keys import fold_keys, speaker_keys

DT = "landing/utterances/dt=2026-11-20"
WORDS = "please turn on the kitchen lights now"
KEY = b"k" * 32
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def opt_in(event_id: str, customer: str) -> bytes:
    """An opt-in in force since 2026-11-01 (recorded then too)."""
    return opt_out(event_id, customer, status="opted_in", recorded_at="2026-11-01T00:00:00Z")


def two_devices(lake, *, also_lower: bool = True) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        (line("u-zed-phone", "zed-cust-77", "what time is it in tokyo") if also_lower else b"")
        + line("u-zed-speaker", "Zed-Cust-77", WORDS)
        + line("u-bob", "bob-cust-11", "what is the weather in paris"),
    )


# --- the live dataset ----------------------------------------------------------------------------
@pytest.mark.parametrize("also_lower", [True, False], ids=["both-spellings-live", "only-the-other-live"])
def test_a_delete_all_reaches_the_published_rows_of_the_id_in_mixed_case(lake, also_lower):
    two_devices(lake, also_lower=also_lower)
    lake.publish()
    assert "u-zed-speaker" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert receipt(lake, "req-1")["removed"]["published_rows"] == (2 if also_lower else 1)
    assert lake.live_ids() == {"u-bob"}
    lake.audit()  # nothing live the verdict excludes


def test_a_delete_all_leaves_no_copy_of_the_rows_of_the_id_in_mixed_case(lake):
    """Landing, the decisions (keyed by speaker only) and every other copy under the lake root."""
    two_devices(lake, also_lower=False)
    lake.publish()
    assert left_in_lake(lake, "u-zed-speaker")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert left_in_lake(lake, "u-zed-speaker") == [] and left_in_lake(lake, WORDS) == []


def test_an_opt_out_withdraws_the_published_rows_of_the_id_in_mixed_case(lake):
    two_devices(lake)
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    lake.audit()


@pytest.mark.parametrize(
    ("named", "written"),
    [("ZOË-CUST-7", "Zoë-Cust-7"), ("zoë-cust-7", "ZOË-Cust-7"), ("STRASSE-7", "Straße-7"),
     ("straße-7", "STRASSE-7"), ("ｚｅｄ－ｃｕｓｔ－７７", "Zed-Cust-77"), ("acct-88231907", "Acct-８８２３１９０７")],
    ids=["zoe-upper-named", "zoe-lower-named", "sharp-s-written", "sharp-s-named", "full-width-named",
         "partly-full-width-written"],
)  # fmt: skip
def test_a_delete_all_reaches_a_non_ascii_id_in_any_case(lake, named, written):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-theirs", written, WORDS) + line("u-bob", "bob-cust-11", "hello there")
    )
    lake.publish()
    assert lake.live_ids() == {"u-theirs", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", named))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}
    assert left_in_lake(lake, WORDS) == []


# --- when a file is decided ----------------------------------------------------------------------
def test_a_delete_all_read_the_same_night_holds_back_the_id_in_mixed_case(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    two_devices(lake)
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_a_delete_all_read_before_keeps_later_rows_of_the_id_in_mixed_case_out(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    two_devices(lake)  # captured before the request, landed after it
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_an_opt_out_keeps_the_id_in_mixed_case_out_when_decided(lake):
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "ZED-CUST-77"))
    two_devices(lake)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/b.jsonl", line("u-zed-tv", "zEd-CuSt-77", "play the news")
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_an_opt_in_grants_the_id_as_written_only(lake):
    """In an opt-in region an opt-in of ``Zed-Cust-77`` is not ``zed-cust-77``'s: granting by a looser match
    would fail open."""
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_in("ev-1", "Zed-Cust-77"))
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-phone", "zed-cust-77", "what time is it in tokyo", locale="de-DE")
        + line("u-zed-speaker", "Zed-Cust-77", WORDS, locale="de-DE"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-zed-speaker"}


def test_an_opt_out_of_one_spelling_is_not_undone_by_the_opt_in_of_another(lake):
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-77") + opt_in("ev-2", "Zed-Cust-77")
    )
    two_devices(lake)
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_a_hold_holds_the_id_in_mixed_case(lake):
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-77", effective_at="not a time")
    )
    two_devices(lake)
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_the_verdict_matches_by_fold_at_decide_time_and_keeps_ids_as_written():
    state = PrivacyState(
        deletions=pa.table(
            {
                "request_id": ["req-1"],
                "customer_id": ["Straße-9"],
                "scope": ["all"],
                "from": pa.nulls(1, pa.timestamp("us", "UTC")),
                "to": pa.nulls(1, pa.timestamp("us", "UTC")),
                "utterance_ids": pa.nulls(1, pa.list_(pa.string())),
                "requested_at": pa.array([NOW], pa.timestamp("us", "UTC")),
            }
        )
    )
    ids = ["STRASSE-9", "strasse-9", "Strasse-9", "straße-9", "STRAẞE-9", "Straße-9", "strasse-99", "bob"]
    rows = pa.table(
        {
            "customer_id": ids,
            "utterance_id": [f"u-{i}" for i in range(len(ids))],
            "captured_at": pa.array([NOW - dt.timedelta(days=1)] * len(ids), pa.timestamp("us", "UTC")),
            "locale": ["en-US"] * len(ids),
        }
    )
    verdict = privacy_verdict(rows, state, Policy(), NOW, KEY)
    assert verdict.reasons.tolist() == ["deletion_requested"] * 6 + [None, None]
    assert verdict.covering_requests() == [["req-1"]] * 6 + [[], []]
    assert rows.column("customer_id").to_pylist() == ids


# --- the store: keyed digests only ---------------------------------------------------------------
def test_the_store_maps_folds_to_speakers_by_keyed_digests_only(lake):
    two_devices(lake)
    lake.publish()
    key = lake.key.encode()
    with lake.store() as store, store.engine.connect() as conn:
        rows = conn.execute(select(speaker_folds.c.fold_key, speaker_folds.c.speaker_key)).all()
    hexes = re.compile(r"^[0-9a-f]{64}$")
    assert rows and all(hexes.match(f) and hexes.match(s) for f, s in rows)
    (zed_fold,) = fold_keys(pa.array(["ZED-CUST-77"]), key).to_pylist()
    # (``zed-cust-77`` and ``bob-cust-11`` are their own folds: their speaker keys are those of the folds)
    assert rows == [(zed_fold, speaker_keys(pa.array(["Zed-Cust-77"]), key)[0].as_py())]
    assert zed_fold not in set(speaker_keys(pa.array(["zed-cust-77", "ZED-CUST-77"]), key).to_pylist())


def test_a_delete_all_erases_its_customers_fold_pairs_and_keeps_the_others(lake):
    two_devices(lake)
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-amy", "Amy-Cust-5", "what is on my calendar"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    with lake.store() as store, store.engine.connect() as conn:
        left = set(conn.execute(select(speaker_folds.c.speaker_key)).scalars())
    (amy,) = speaker_keys(pa.array(["Amy-Cust-5"]), lake.key.encode()).to_pylist()
    assert left == {amy}


def test_a_store_at_0012_upgrades_to_head_with_the_fold_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = GovernanceStore(url)
    try:
        with store._write() as conn:
            command.upgrade(migrations.config(conn), "0012")
        engine = create_engine(url)
        assert "speaker_folds" not in inspect(engine).get_table_names()
        with store._write() as conn:
            command.upgrade(migrations.config(conn), "head")
        assert "speaker_folds" in inspect(engine).get_table_names()
        engine.dispose()
        with store._write() as conn, pytest.raises(NotImplementedError, match="forward only"):
            command.downgrade(migrations.config(conn), "0012")
    finally:
        store.dispose()


# --- a delete-all carried out while a publish runs ------------------------------------------------------
LATER = "landing/utterances/dt=2026-11-26"


def _a_night_with_a_delete_all_carried_out_midway(lake, captured_at: str) -> None:
    lake.storage.write_bytes(
        f"{LATER}/a.jsonl",
        line("u-zed-later", "Zed-Cust-77", "play some jazz", captured_at=captured_at)
        + line("u-bob", "bob-cust-11", "what is the weather in paris", captured_at="2026-11-26T10:00:00Z"),
    )

    def the_delete_all_is_carried_out():  # (requested 2026-11-25)
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
        lake.privacy(check_deadlines=False)

    lake.publish(between=the_delete_all_is_carried_out)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"


def test_an_opt_out_reaches_a_row_a_delete_all_carried_out_midway_does_not_cover(lake):
    """The night decided ``Zed-Cust-77``'s row (captured after the request) and recorded its pair; the purge
    erased the pairs of the speakers with nothing published then; the row went live after. The publish records
    the pairs of what it published again, so an opt-out naming ``zed-cust-77`` reaches it."""
    _a_night_with_a_delete_all_carried_out_midway(lake, "2026-11-26T10:00:00Z")
    assert lake.live_ids() == {"u-zed-later", "u-bob"}
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}


def test_a_delete_all_carried_out_midway_leaves_no_pair_of_the_rows_it_covers(lake):
    _a_night_with_a_delete_all_carried_out_midway(lake, "2026-11-20T10:00:00Z")
    assert lake.live_ids() == {"u-bob"}
    with lake.store() as store, store.engine.connect() as conn:
        assert set(conn.execute(select(speaker_folds.c.speaker_key)).scalars()) == set()


@pytest.mark.parametrize("scope", ["range", "all"])
def test_a_later_deletion_reaches_a_decision_a_delete_all_left_of_the_id_in_mixed_case(lake, scope):
    """A delete-all kept the decision of a row of ``Zed-Cust-77`` it does not cover (captured after it, never
    published: a quality rule). The decision is keyed by speaker alone: the copies purge keeps the pair while a
    copy holds that speaker's rows, so a later deletion naming ``zed-cust-77`` finds it."""
    import json

    now = dt.datetime.now(dt.UTC)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "Zed-Cust-77", WORDS))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.storage.write_bytes(
        f"landing/utterances/dt={now:%Y-%m-%d}/b.jsonl",
        line("u-zed-3", "Zed-Cust-77", "play some jazz", captured_at=stamp(now - dt.timedelta(hours=1)),
             asr_confidence=0.05),
    )  # fmt: skip
    lake.publish()
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == set()
    assert left_in_lake(lake, "u-zed-3")  # (its decision: not covered, rightly kept)
    extra = {"from": stamp(now - dt.timedelta(hours=2)), "to": stamp(now)} if scope == "range" else {}
    lake.storage.write_bytes(
        "landing/deletions/e.jsonl",
        json.dumps({"request_id": "req-2", "customer_id": "zed-cust-77", "scope": scope,
                    "requested_at": stamp(now), **extra}).encode() + b"\n",
    )  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-2")["status"] == "completed"
    assert left_in_lake(lake, "u-zed-3") == []
