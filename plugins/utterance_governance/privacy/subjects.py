"""The rows a privacy decision judges, resolved once: whose they are, when they were captured and landed.

Rows come in three shapes, and every caller of the privacy decision hands them in as they are:

- records read from landing (``customer_id``): the customer id is canonicalised;
- published or staged rows (``speaker_key`` only): the key is looked up among the speaker keys
  of every customer a privacy record names (``PrivacyState.speaker_index``). A key no record
  names is a customer with no record: known, but governed by the locale's default;
- copies made of malformed input: the customer may be unknown altogether.

Each row also gets the fold of its customer's id (``fold``: a position in ``PrivacyState.folds``, -1 for
none) where that fold is one a record that withdraws reaches: by the id's ``key_of_canonical`` for rows
naming their customer, by the store's pairs of fold digests and speaker keys for rows that carry a speaker
key only (``PrivacyState.speaker_folds``). The withdrawing rules judge the row as each customer of that fold
too; consent stays the exact id's.

Times that are missing (a copy of malformed input, a ledger row written before landing times
were recorded) are *unknown*, and each rule decides what unknown means for it — always the
answer that withdraws (SPEC §4.1 "doubt withdraws").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.privacy.identity import canonical_ids, key_of_canonical
from utterance_governance.privacy.state import PrivacyState


def micros(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(UTC µs since the epoch, known mask) of a timestamp column; unknown values read as 0."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_timestamp(values.type):
        values = pc.cast(values, S.TS)
    as_int = pc.cast(pc.cast(values, S.TS), pa.int64())
    known = np.asarray(pc.is_valid(as_int), dtype=bool)
    return np.asarray(pc.fill_null(as_int, 0).to_numpy(zero_copy_only=False), dtype=np.int64), known


def instant(value: datetime) -> int:
    """A datetime as UTC µs since the epoch."""
    return int(pd.Timestamp(value).value // 1000)


@dataclass(frozen=True)
class Subjects:
    """Rows resolved for the privacy rules (positions as in the rows given)."""

    state: PrivacyState
    now_us: int
    code: np.ndarray  # int64 index into state.customers; -1: no privacy record names the customer
    identified: np.ndarray  # bool: whose row it is is known (by customer id or speaker key)
    utterance_id: pa.Array  # canonical; null where unusable
    captured: np.ndarray  # int64 µs
    captured_known: np.ndarray
    landed: np.ndarray  # int64 µs: when the row's landing file arrived (at the latest)
    landed_known: np.ndarray
    locale: pa.Array  # null where unknown
    skew_us: int = 0  # how far a device's clock may run ahead of ours (``policy.capture_clock_skew_s``)
    fold: np.ndarray | None = None  # int64 index into state.folds.values; -1 (or None: every row): none

    def __len__(self) -> int:
        return len(self.code)

    def take(self, rows: np.ndarray, code: np.ndarray) -> Subjects:
        """The subjects at ``rows`` (positions), judged as the customers ``code`` (same length) names."""
        at = pa.array(rows, pa.int64())
        return Subjects(self.state, self.now_us, code, self.identified[rows], self.utterance_id.take(at),
                        self.captured[rows], self.captured_known[rows], self.landed[rows],
                        self.landed_known[rows], self.locale.take(at), self.skew_us)  # fmt: skip

    @classmethod
    def resolve(
        cls, rows: pa.Table, state: PrivacyState, now: datetime, key: bytes, skew_s: float = 0
    ) -> Subjects:
        n = rows.num_rows
        names = set(rows.column_names)
        customers = state.customers
        code = np.full(n, -1, dtype=np.int64)
        identified = np.zeros(n, dtype=bool)
        folds = state.folds.values
        fold = np.full(n, -1, dtype=np.int64)
        if "customer_id" in names:
            canonical = canonical_ids(rows.column("customer_id"))
            identified = np.asarray(pc.is_valid(canonical), dtype=bool)
            code = _codes(canonical, customers)
            if len(folds):
                fold = _folds_of(canonical, folds)
        if "speaker_key" in names:
            speakers = rows.column("speaker_key")
            by_key = ~identified & np.asarray(pc.is_valid(speakers), dtype=bool)
            if by_key.any():
                code = np.where(by_key, _codes(speakers, state.speaker_index(key)), code)
                identified |= by_key
                folded_speakers, at = state.speaker_folds(key)
                if len(folded_speakers):
                    found = _codes(speakers, folded_speakers)
                    fold = np.where(by_key & (found >= 0), at[np.maximum(found, 0)], fold)
        uid = rows.column("utterance_id") if "utterance_id" in names else pa.nulls(n, pa.string())
        captured, captured_known = _times(rows, "captured_at", n)
        landed, landed_known = _times(rows, "landed_at", n)
        locale = rows.column("locale") if "locale" in names else pa.nulls(n, pa.string())
        if isinstance(locale, pa.ChunkedArray):
            locale = locale.combine_chunks()
        return cls(state, instant(now), code, identified, canonical_ids(uid), captured, captured_known,
                   landed, landed_known, locale, int(skew_s * 1_000_000), fold)  # fmt: skip


def _folds_of(canonical: pa.Array, folds: pa.Array) -> np.ndarray:
    """Per row, the position in ``folds`` of its id's fold (``key_of_canonical``), -1 for none. Each distinct
    id is folded once (a night's rows name far fewer customers than they are rows)."""
    encoded = pc.dictionary_encode(canonical)
    at = np.append(_codes(key_of_canonical(encoded.dictionary), folds), -1)
    return at[pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)]


def _codes(values: pa.Array | pa.ChunkedArray, dictionary: pa.Array) -> np.ndarray:
    if len(dictionary) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    found = pc.index_in(values, value_set=dictionary)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _times(rows: pa.Table, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if name not in rows.column_names:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    return micros(rows.column(name))
