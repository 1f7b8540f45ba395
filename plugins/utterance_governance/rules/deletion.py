"""Deletion rule (SPEC §3.3, §4 rule 3): no deletion request covers the utterance.

Scopes: ``all`` covers every utterance the customer had captured at or before
``requested_at``; ``range`` covers ``from <= captured_at <= to``; ``utterances`` covers the
listed ids, and only the requesting customer's own (a request naming someone else's
utterance deletes nothing of theirs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.rules.base import Frame
from utterance_governance.rules.encoding import captured_micros, codes_of, customer_codes, micros


class DeletionRequested:
    """A deletion request of any scope covers the utterance."""

    reason = S.DELETION_REQUESTED

    def excludes(self, frame: Frame) -> np.ndarray:
        return deleted_mask(frame.records, frame.state.deletions, frame)


def deleted_mask(records: pa.Table, deletions: pa.Table, frame: Frame | None = None) -> np.ndarray:
    """Rows of ``records`` (customer_id, utterance_id, captured_at) covered by ``deletions``."""
    n = records.num_rows
    covered = np.zeros(n, dtype=bool)
    if n == 0 or deletions.num_rows == 0:
        return covered
    if frame is not None:
        codes, dictionary = customer_codes(frame)
        captured = captured_micros(frame)
    else:
        encoded = pc.dictionary_encode(records.column("customer_id")).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        dictionary = encoded.dictionary
        captured = micros(records.column("captured_at"))
    req_codes = codes_of(deletions.column("customer_id"), dictionary)
    scope = np.asarray(deletions.column("scope").to_numpy(zero_copy_only=False))
    mine = req_codes >= 0

    # scope "all": captured at or before the latest such request of the customer
    is_all = mine & (scope == "all")
    if is_all.any():
        cutoff = np.full(len(dictionary), np.iinfo(np.int64).min, dtype=np.int64)
        requested = micros(deletions.column("requested_at"))
        np.maximum.at(cutoff, req_codes[is_all], requested[is_all])
        covered |= captured <= cutoff[codes]

    # scope "range": inclusive window, joined by customer
    is_range = mine & (scope == "range")
    if is_range.any():
        ranges = pd.DataFrame(
            {
                "code": req_codes[is_range],
                "lo": micros(deletions.column("from"))[is_range],
                "hi": micros(deletions.column("to"))[is_range],
            }
        )
        rows = np.flatnonzero(np.isin(codes, ranges["code"].unique()))
        pairs = pd.DataFrame({"code": codes[rows], "t": captured[rows], "row": rows}).merge(ranges, on="code")
        hit = pairs.loc[(pairs["t"] >= pairs["lo"]) & (pairs["t"] <= pairs["hi"]), "row"].to_numpy()
        covered[hit] = True

    # scope "utterances": the listed ids, when they belong to the requesting customer
    is_list = mine & (scope == "utterances")
    if is_list.any():
        listed = deletions.filter(pa.array(is_list)).select(["customer_id", "utterance_ids"])
        flat = pa.table(
            {
                "customer_id": pc.list_parent_indices(listed.column("utterance_ids")).combine_chunks(),
                "utterance_id": pc.list_flatten(listed.column("utterance_ids")),
            }
        )
        owners = listed.column("customer_id").combine_chunks().take(flat.column("customer_id"))
        wanted = set(zip(owners.to_pylist(), flat.column("utterance_id").to_pylist(), strict=True))
        ids = records.column("utterance_id")
        candidates = np.flatnonzero(
            np.asarray(pc.fill_null(pc.is_in(ids, value_set=flat.column("utterance_id")), False))
        )
        if len(candidates):
            cand = records.select(["customer_id", "utterance_id"]).take(candidates).to_pylist()
            covered[candidates] = [(r["customer_id"], r["utterance_id"]) in wanted for r in cand]
    return covered
