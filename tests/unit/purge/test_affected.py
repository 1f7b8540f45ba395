"""Which rows a purge removes: the deletion and opt-out rules on customer- and speaker-keyed rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from tests.unit.lakes import KEY, T0, consent_event, deletion, speaker, ts

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.purge.affected import (
    covering_requests,
    deleted_rows,
    privacy_speakers,
    removal_reasons,
    speaker_removal_reasons,
)
from utterance_governance.rules.privacy_state import PrivacyState

NOW = ts(2000)


def records(*rows: tuple) -> pa.Table:
    """rows: (customer_id, utterance_id, captured_at hours or None)."""
    return pa.table(
        {
            "customer_id": pa.array([r[0] for r in rows], pa.string()),
            "utterance_id": pa.array([r[1] for r in rows], pa.string()),
            "captured_at": pa.array([None if r[2] is None else ts(r[2]) for r in rows], S.TS),
        }
    )


def state(consent=(), deletions=()) -> PrivacyState:
    return PrivacyState(
        pa.Table.from_pylist(list(consent), schema=S.CONSENT),
        pa.Table.from_pylist(list(deletions), schema=S.DELETION),
    )


def test_deletion_of_every_scope_and_opt_outs_in_force_now():
    s = state(
        consent=[
            consent_event("e1", "out", "opted_out", 50),  # retroactive: everything of theirs
            consent_event("e2", "gap", "opted_out", 10),
            consent_event("e3", "gap", "opted_in", 20),  # back in: only the gap stays out
            consent_event("e4", "later", "opted_out", 5000),  # not in force yet
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
    reasons = removal_reasons(rows, s, Policy(), NOW)
    assert dict(zip(rows.column("utterance_id").to_pylist(), reasons.tolist(), strict=True)) == {
        "u-all-1": S.DELETION_REQUESTED, "u-all-2": None,
        "u-rng-1": S.DELETION_REQUESTED, "u-rng-2": None,
        "u-ids-1": S.DELETION_REQUESTED, "u-ids-2": None, "u-other": None,  # not the requester's
        "u-out-1": S.DELETION_REQUESTED, "u-out-2": S.OPTED_OUT,
        "u-gap-1": S.OPTED_OUT, "u-gap-2": None,
        "u-later": None, "u-nobody": None,
    }  # fmt: skip


def test_speaker_keyed_rows_are_matched_through_the_pseudonym():
    s = state(consent=[consent_event("e1", "c1", "opted_out", 0)], deletions=[deletion("d1", "c2", "all")])
    rows = pa.table(
        {
            "speaker_key": [speaker("c1"), speaker("c2"), speaker("c3")],
            "utterance_id": ["a", "b", "c"],
            "captured_at": pa.array([ts(1)] * 3, S.TS),
        }
    )
    index = privacy_speakers(s, KEY)
    assert set(index.column("customer_id").to_pylist()) == {"c1", "c2"}
    reasons = speaker_removal_reasons(rows, s, Policy(), NOW, index)
    assert reasons.tolist() == [S.OPTED_OUT, S.DELETION_REQUESTED, None]


def test_incomplete_copies_fail_closed():
    deletions = pa.Table.from_pylist(
        [
            deletion("d1", "c1", "range", start=ts(10), end=ts(20)),
            deletion("d2", "c2", "utterances", ids=["x"]),
        ],
        schema=S.DELETION,
    )
    rows = records(
        ("c1", "a", None),  # capture time unreadable, customer has a range request: covered
        ("c1", "b", 30),  # outside the range
        (None, "x", None),  # whose it is cannot be told, but its id is listed: covered
        ("c3", "x", None),  # someone else's row with a listed id: not theirs to delete
        ("c2", "x", None),  # the requester's own listed id
        (None, None, None),
    )
    assert deleted_rows(rows, deletions).tolist() == [True, False, True, False, True, False]


def test_each_covered_row_names_the_requests_covering_it():
    deletions = pa.Table.from_pylist(
        [deletion("d1", "c1", "all", at=100), deletion("d2", "c1", "utterances", ids=["a"]),
         deletion("d3", "c2", "all", at=100)],
        schema=S.DELETION,
    )  # fmt: skip
    rows = records(("c1", "a", 1), ("c1", "b", 1), ("c2", "c", 1))
    assert covering_requests(rows, deletions) == [["d1", "d2"], ["d1"], ["d3"]]
    assert np.all(deleted_rows(rows, deletions))
    assert T0 < NOW
