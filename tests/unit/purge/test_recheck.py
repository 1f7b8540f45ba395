"""The publish path's re-check under the dataset lock: rows decided against an older privacy state."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest
from tests.unit.lakes import (
    DATASET,
    KEY,
    consent_event,
    deletion,
    live_ids,
    publication_rows,
    publish_records,
    ts,
    utterance,
)

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, key_fingerprint
from utterance_governance.publish.commit import Publication, publish_version, read_current
from utterance_governance.purge.recheck import recheck_rows

ROWS = [utterance("a1", "a", 1), utterance("b1", "b", 1), utterance("c1", "c", 1), utterance("d1", "d", 1)]


def test_recheck_takes_out_deleted_opted_out_and_held_rows():
    state = PrivacyState(
        pa.Table.from_pylist([consent_event("e1", "a", "opted_out", 0)], schema=S.CONSENT),
        pa.Table.from_pylist([deletion("r1", "b", "all")], schema=S.DELETION),
        held_customers=frozenset({"c"}),
    )
    result = recheck_rows(publication_rows(ROWS), state, Policy(), ts(5000), KEY)
    assert result.rows.column("utterance_id").to_pylist() == ["d1"]
    assert dict(zip(*result.excluded.to_pydict().values(), strict=True)) == {
        "a1": S.OPTED_OUT, "b1": S.DELETION_REQUESTED, "c1": S.HELD_BACK}  # fmt: skip
    assert result.blocked_reasons == ()


def test_a_recheck_that_refuses_publishes_nothing(tmp_path, store):
    storage = Storage(str(tmp_path / "lake"))
    publish_records(storage, store, ROWS[:2], "run-1", target_rows=4)

    def refuse(publication: Publication) -> Publication:
        raise RuntimeError("publishing is blocked")

    later = Publication("run-2", publication_rows(ROWS[2:]), {}, {}, {}, [], 4, key_fingerprint(KEY))
    with pytest.raises(RuntimeError, match="blocked"):
        publish_version(storage, store, DATASET, later, recheck=refuse)
    assert read_current(storage, DATASET)["version"] == "v000001"
    assert [v["status"] for v in store.versions(DATASET)] == ["live"]  # nothing was even staged

    def drop_c(publication: Publication) -> Publication:
        rows = publication.rows.filter(pa.compute.not_equal(publication.rows.column("utterance_id"), "c1"))
        return dataclasses.replace(publication, rows=rows)

    publish_version(storage, store, DATASET, later, recheck=drop_c)
    assert live_ids(storage) == {"a1", "b1", "d1"}
