"""Shared vectorised helpers: customers as integer codes, timestamps as integers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.rules.base import Frame


def customer_codes(frame: Frame) -> tuple[np.ndarray, pa.Array]:
    """Each row's customer as an integer code into the batch's unique customers."""

    def compute():
        encoded = pc.dictionary_encode(frame.records.column("customer_id")).combine_chunks()
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary

    return frame.cached("_customer_codes", compute)


def codes_of(values: pa.Array | pa.ChunkedArray, dictionary: pa.Array) -> np.ndarray:
    """Codes of ``values`` in ``dictionary``; -1 where a value is not in it."""
    found = pc.index_in(values, value_set=dictionary)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def micros(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """UTC timestamps as int64 microseconds (nulls never reach here: readers reject them)."""
    return pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)


def captured_micros(frame: Frame) -> np.ndarray:
    return frame.cached("_captured_us", lambda: micros(frame.records.column("captured_at")))
