"""Which rows a purge removes: the privacy core's verdict on customer- and speaker-keyed rows,
and on the ledger of the live version."""

from __future__ import annotations

import pyarrow as pa
from tests.unit.lakes import (
    DATASET,
    KEY,
    add_privacy,
    consent_event,
    deletion,
    publish_records,
    speaker,
    store_state,
    ts,
    utterance,
)

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict
from utterance_governance.purge.affected import find_affected

NOW = ts(2000)


def records(*rows: tuple) -> pa.Table:
    """rows: (customer_id, utterance_id, captured_at hours or None); landed when captured (unknown when None)."""
    captured = pa.array([None if r[2] is None else ts(r[2]) for r in rows], S.TS)
    return pa.table(
        {
            "customer_id": pa.array([r[0] for r in rows], pa.string()),
            "utterance_id": pa.array([r[1] for r in rows], pa.string()),
            "captured_at": captured,
            "landed_at": captured,
            "locale": pa.array(["en-US"] * len(rows), pa.string()),
        }
    )


def state(consent=(), deletions=()) -> PrivacyState:
    return PrivacyState(
        pa.Table.from_pylist(list(consent), schema=S.CONSENT),
        pa.Table.from_pylist(list(deletions), schema=S.DELETION),
    )


def reasons(rows: pa.Table, s: PrivacyState) -> list:
    return privacy_verdict(rows, s, Policy(), NOW, KEY).reasons.tolist()


def test_deletion_of_every_scope_and_opt_outs():
    s = state(
        consent=[
            consent_event("e1", "out", "opted_out", 50),  # retroactive: everything of theirs
            consent_event("e2", "gap", "opted_out", 10),
            consent_event("e3", "gap", "opted_in", 20),  # back in: only the gap stays out
            consent_event("e4", "later", "opted_out", 5000),  # dated after now: in force from now
        ],
        deletions=[
            deletion("d1", "all", "all", at=100),
            deletion("d2", "rng", "range", start=ts(10), end=ts(20)),
            deletion("d3", "ids", "utterances", ids=["u-ids-1", "u-other"]),
            deletion("d4", "out", "all", at=5),  # a deletion also covers the opted-out customer
        ],
    )
    rows = records(
        ("all", "u-all-1", 99), ("all", "u-all-2", 101),
        ("rng", "u-rng-1", 15), ("rng", "u-rng-2", 25),
        ("ids", "u-ids-1", 1), ("ids", "u-ids-2", 1), ("someone", "u-other", 1),
        ("out", "u-out-1", 1), ("out", "u-out-2", 80),
        ("gap", "u-gap-1", 15), ("gap", "u-gap-2", 25),
        ("later", "u-later", 1), ("nobody", "u-nobody", 1),
    )  # fmt: skip
    assert dict(zip(rows.column("utterance_id").to_pylist(), reasons(rows, s), strict=True)) == {
        "u-all-1": S.DELETION_REQUESTED, "u-all-2": None,
        "u-rng-1": S.DELETION_REQUESTED, "u-rng-2": None,
        "u-ids-1": S.DELETION_REQUESTED, "u-ids-2": None, "u-other": None,  # not the requester's
        "u-out-1": S.DELETION_REQUESTED, "u-out-2": S.OPTED_OUT,
        "u-gap-1": S.OPTED_OUT, "u-gap-2": None,
        "u-later": S.OPTED_OUT, "u-nobody": None,
    }  # fmt: skip


def test_speaker_keyed_rows_are_matched_through_the_pseudonym():
    s = state(consent=[consent_event("e1", "c1", "opted_out", 0)], deletions=[deletion("d1", "c2", "all")])
    rows = pa.table(
        {
            "speaker_key": [speaker("c1"), speaker("c2"), speaker("c3")],
            "utterance_id": ["a", "b", "c"],
            "captured_at": pa.array([ts(1)] * 3, S.TS),
            "landed_at": pa.array([ts(1)] * 3, S.TS),
            "locale": ["en-US"] * 3,
        }
    )
    assert reasons(rows, s) == [S.OPTED_OUT, S.DELETION_REQUESTED, None]


def test_incomplete_copies_fail_closed():
    s = state(
        deletions=[
            deletion("d1", "c1", "range", start=ts(10), end=ts(20)),
            deletion("d2", "c2", "utterances", ids=["x"]),
        ]
    )
    rows = records(
        ("c1", "a", None),  # capture time unreadable, customer has a range request: covered
        ("c1", "b", 30),  # outside the range
        (None, "x", None),  # whose it is cannot be told, but its id is listed: covered
        ("c3", "x", None),  # someone else's row with a listed id: not theirs to delete
        ("c2", "x", None),  # the requester's own listed id
        (None, None, None),
    )
    assert privacy_verdict(rows, s, Policy(), NOW, KEY).deleted.tolist() == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]


def test_each_covered_row_names_the_requests_covering_it():
    s = state(
        deletions=[
            deletion("d1", "c1", "all", at=100),
            deletion("d2", "c1", "utterances", ids=["a"]),
            deletion("d3", "c2", "all", at=100),
        ]
    )
    rows = records(("c1", "a", 1), ("c1", "b", 1), ("c2", "c", 1))
    verdict = privacy_verdict(rows, s, Policy(), NOW, KEY)
    assert verdict.covering_requests() == [["d1", "d2"], ["d1"], ["d3"]]
    assert verdict.deleted.all()


def test_find_affected_reads_the_ledger_of_the_withdrawing_customers_only(store, tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    publish_records(storage, store, [utterance("u1", "gone", 1), utterance("u2", "out", 1),
                                     utterance("u3", "kept", 1), utterance("u4", "held", 1)])  # fmt: skip
    add_privacy(store, consent=[consent_event("e1", "out", "opted_out", 5)],
                deletions=[deletion("d1", " gone", "all", at=100)])  # fmt: skip
    held = PrivacyState(store.consent_events(), store.deletion_requests(), frozenset({"held"}))
    version = store.live_version(DATASET)
    affected = find_affected(store, DATASET, version, held, Policy(), NOW, KEY)
    assert dict(zip(affected.rows.column("utterance_id").to_pylist(), affected.rows.column("reason").to_pylist(),
                    strict=True)) == {"u1": S.DELETION_REQUESTED, "u2": S.OPTED_OUT, "u4": S.HELD_BACK}  # fmt: skip
    assert affected.by_request == {"d1": {"published_rows": 1}}
    assert (
        find_affected(
            store, DATASET, version, store_state(store).__class__(), Policy(), NOW, KEY
        ).rows.num_rows
        == 0
    )


def test_live_rows_captured_before_a_backdated_opt_in_was_given_are_withdrawn_when_every_row_is_judged(
    store, tmp_path
):
    """A store that published under an earlier rule (an opt-in in force from the date it named) holds
    rows of an opt-in region captured before the customer's consent was recorded: judging every row
    (the first purge under the new ``RULES_VERSION``) withdraws those rows, not the ones after it."""
    storage = Storage(str(tmp_path / "lake"))
    publish_records(storage, store, [utterance("early", "eu", 10, locale="de-DE"),
                                     utterance("late", "eu", 60, locale="de-DE")])  # fmt: skip
    backdated = {**consent_event("e1", "eu", "opted_in", 1), "recorded_at": ts(50)}
    add_privacy(store, consent=[backdated])
    s = PrivacyState(store.consent_events(), store.deletion_requests())
    version = store.live_version(DATASET)
    affected = find_affected(store, DATASET, version, s, Policy(), NOW, KEY, every_row=True)
    assert dict(zip(affected.rows.column("utterance_id").to_pylist(), affected.rows.column("reason").to_pylist(),
                    strict=True)) == {"early": S.NO_CONSENT}  # fmt: skip
    # an opted-in customer is no withdrawing one: under unchanged rules not looked up every hour
    assert "eu" not in s.withdrawing_customers.to_pylist()
    assert find_affected(store, DATASET, version, s, Policy(), NOW, KEY).rows.num_rows == 0


def test_judging_every_row_reads_the_ledger_a_group_of_shards_at_a_time(store, tmp_path, monkeypatch):
    from utterance_governance.purge import affected as module

    storage = Storage(str(tmp_path / "lake"))
    for day in range(3):  # three publishes: three shards
        publish_records(
            storage, store, [utterance(f"u{day}", f"c{day}", 10 + day, locale="de-DE")], f"run-{day}"
        )
    read: list[int] = []
    ledger_rows = store.ledger_rows

    def counting(*args, **kwargs):
        rows = ledger_rows(*args, **kwargs)
        read.append(rows.num_rows)
        return rows

    monkeypatch.setattr(store, "ledger_rows", counting)
    monkeypatch.setattr(module, "SHARDS_JUDGED_AT_ONCE", 2)
    version = store.live_version(DATASET)
    assert len(store.version_shard_paths(DATASET, version)) == 3
    affected = find_affected(store, DATASET, version, PrivacyState(), Policy(), NOW, KEY, every_row=True)
    assert read == [2, 1]
    # nobody opted in, and Germany is an opt-in region: every row falls
    assert sorted(affected.rows.column("utterance_id").to_pylist()) == ["u0", "u1", "u2"]
    assert affected.ledger.num_rows == 3
