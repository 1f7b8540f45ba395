"""The one answer to "may this row be used now, and if not, why" (SPEC §4 rules 2-3, §4.1).

``privacy_verdict`` applies ``privacy.rules.PRIVACY_RULES`` in precedence order —
``deletion_requested`` → ``held_back`` → ``opted_out`` → ``no_consent`` — to a frame of rows of
any shape (``privacy.subjects``). Every caller asks it: the decision of a landing file
(``decide``), the re-check of a batch under the dataset lock (``purge.recheck``), the purge of
the live dataset (``purge.published``), the purge of every other copy (``purge.copies``, which
acts on ``deleted`` only: an opt-out withdraws data from training, a deletion erases it), the
daily audit and the access report. A property test holds them to the same answer row for row.

Publishing blocked by an unreadable record that names nobody is not a row verdict: it stops
publishing (``decide`` holds every row back) but does not withdraw live data, which was decided
against a state that was whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.privacy.keys import ERASED, erased_digests
from utterance_governance.privacy.rules import PRIVACY_RULES, consent_status, deletion_pairs
from utterance_governance.privacy.state import PrivacyState
from utterance_governance.privacy.subjects import Subjects, micros


@dataclass(frozen=True)
class Verdict:
    """Per row: the privacy reason it may not be used for (None: usable), with the evidence."""

    subjects: Subjects
    reasons: np.ndarray  # object: reason code or None

    @property
    def usable(self) -> np.ndarray:
        return np.equal(self.reasons, None)

    @property
    def excluded(self) -> np.ndarray:
        return ~self.usable

    @cached_property
    def deleted(self) -> np.ndarray:
        """Rows a deletion request covers (whatever else excludes them): to be erased from every copy."""
        return self.reasons == S.DELETION_REQUESTED

    @cached_property
    def pairs(self) -> pd.DataFrame:
        """(row, request_id) of every deletion request covering a row."""
        return deletion_pairs(self.subjects)

    def listed(self) -> tuple[np.ndarray, pa.Array]:
        """(rows, request ids), by row: the rows a listing (a deletion request of scope ``utterances``) covers,
        each with the first such request's id: the recordings a customer deleted one by one
        (``io.store.deleted``)."""
        deletions = self.subjects.state.deletion_requests
        scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope")))
        listings = deletions.column("request_id").filter(pc.fill_null(pc.equal(scope, "utterances"), False))
        pairs = self.pairs
        first = (
            pairs[pairs["request_id"].isin(set(listings.to_pylist()))]
            .groupby("row", sort=True)["request_id"]
            .min()
        )
        return first.index.to_numpy(dtype=np.int64), pa.array(first.to_numpy(dtype=object), pa.string())

    def erased(self, rows: np.ndarray | None = None) -> pa.Table:
        """``io.store.erased.ERASED`` of the rows (of ``rows``, default every row) a delete-all or a range
        covers by its capture time, one per such request: what the store remembers once they are withheld
        or erased, so that their recordings sent again with another time stay covered. A row covered for
        what is not known of it (no capture time: a shard's copy, a line whose time cannot be trusted), or
        by its landing time alone (a landing file changed after the request keeps its path's first landing
        time: words appended to it are withheld that night), is erased, and not remembered: the memory
        covers a row whatever its time, and would take for good the copies of recordings the request does
        not cover."""
        s = self.subjects
        if not len(self.pairs):
            return ERASED.empty_table()
        deletions = s.state.deletion_requests
        scope = np.asarray(pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope"))).to_numpy(zero_copy_only=False), dtype=object)  # fmt: skip
        requested, requested_known = micros(deletions.column("requested_at"))
        lo, lo_known = micros(deletions.column("from"))
        hi, hi_known = micros(deletions.column("to"))
        requests = pd.DataFrame({
            "request_id": deletions.column("request_id").to_numpy(zero_copy_only=False), "scope": scope,
            "requested": np.where(requested_known, requested, np.iinfo(np.int64).min),
            "lo": np.where(lo_known, lo, np.iinfo(np.int64).max), "hi": np.where(hi_known, hi, np.iinfo(np.int64).min),
        })  # fmt: skip
        requests = requests[requests["scope"].isin(["all", "range"])].drop_duplicates("request_id")
        pairs = self.pairs.merge(requests, on="request_id")
        if rows is not None:
            pairs = pairs[pairs["row"].isin(set(np.asarray(rows, dtype=np.int64).tolist()))]
        row = pairs["row"].to_numpy(dtype=np.int64)
        t, t_known = s.captured[row], s.captured_known[row]
        when, is_all = pairs["requested"].to_numpy(dtype=np.int64), pairs["scope"].to_numpy() == "all"
        # (by its capture time only: a changed landing file keeps its path's first landing time, and words
        # appended after the request would be remembered for good)
        by_all = is_all & t_known & (t <= when + s.skew_us)
        lo, hi = (
            pairs["lo"].to_numpy(dtype=np.int64) - s.skew_us,
            pairs["hi"].to_numpy(dtype=np.int64) + s.skew_us,
        )
        by_range = ~is_all & t_known & (lo <= t) & (t <= hi)
        known = pairs[by_all | by_range]
        at = pa.array(known["row"].to_numpy(dtype=np.int64))
        ids = pa.array(known["request_id"].to_numpy(dtype=object), pa.string())
        digests = erased_digests(ids, s.utterance_id.take(at))
        return pa.table({"id_digest": digests, "request_id": ids}, schema=ERASED).drop_null()

    def covering_requests(self, rows: np.ndarray | None = None) -> list[list[str]]:
        """The ids of the deletion requests covering each row (of ``rows``, default every row)."""
        rows = np.arange(len(self.reasons)) if rows is None else np.asarray(rows, dtype=np.int64)
        by_row: dict[int, list[str]] = {}
        for row, request_id in zip(
            self.pairs["row"].tolist(), self.pairs["request_id"].tolist(), strict=True
        ):
            by_row.setdefault(int(row), []).append(request_id)
        return [sorted(by_row.get(int(r), [])) for r in rows]

    def consent(self) -> tuple[np.ndarray, np.ndarray]:
        """(status at capture, status now) per row, as ``privacy.rules.consent_status``."""
        return consent_status(self.subjects)


def privacy_verdict(
    rows: pa.Table, state: PrivacyState, policy: Policy, now: datetime, key: bytes
) -> Verdict:
    """Judge ``rows`` (any of ``customer_id`` / ``speaker_key``, ``utterance_id``, ``captured_at``,
    ``landed_at``, ``locale``) against ``state`` as of ``now``; speaker keys are made with ``key``."""
    subjects = Subjects.resolve(rows, state, now, key, policy.capture_clock_skew_s)
    reasons = np.full(len(subjects), None, dtype=object)
    for rule in PRIVACY_RULES:
        open_rows = np.equal(reasons, None)
        if not open_rows.any():
            break
        hit = np.asarray(rule.excludes(subjects, policy), dtype=bool) & open_rows
        reasons[hit] = rule.reason
    return Verdict(subjects, reasons)
