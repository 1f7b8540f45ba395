"""Duplicate rule (SPEC §4 rule 5): not an exact duplicate of a record already live, or of
an earlier record in the same batch.

Records are compared by ``content_hash``: a 128-bit SipHash of the normalised user turn
and assistant turn (lower case, no punctuation, single spaces). Within a batch the
earliest capture (then the smallest utterance_id) stands and later copies are dropped.
"""

from __future__ import annotations

import binascii

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.clean.normalise import normalise_for_dedup
from utterance_governance.rules.base import Frame

_KEYS = ("ug-content-hash1", "ug-content-hash2")  # SipHash keys: 16 bytes each, fixed forever


# Joins the two normalised turns: a private-use character, which normalisation would keep and
# no turn holds, so "a b"+"c" differs from "a"+"b c".
_TURN_SEPARATOR = "\ue000"


def content_hashes(user_text: pa.Array, assistant_text: pa.Array) -> pa.Array:
    """32-hex-char content hash of each (user turn, assistant turn) pair, vectorised."""
    user = normalise_for_dedup(user_text)
    assistant = normalise_for_dedup(pc.fill_null(assistant_text, ""))
    joined = pc.binary_join_element_wise(user, assistant, _TURN_SEPARATOR).to_numpy(zero_copy_only=False)
    n = len(joined)
    if n == 0:
        return pa.array([], pa.string())
    halves = [pd.util.hash_array(joined, hash_key=key, categorize=False).astype(">u8") for key in _KEYS]
    digest = np.stack(halves, axis=1).tobytes()
    data = binascii.hexlify(digest)
    offsets = np.arange(0, 32 * (n + 1), 32, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)])


def capture_order(rows: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(order, rank) of rows by (captured_at, utterance_id): who came first stands. A tie (one id sent twice
    at one capture time) is broken by what the rows hold, where they have it (content hash, source file,
    line), never by where a row sits in its partition: which copy is published does not follow the batch's
    partitioning or the pseudonym key."""
    ties = [
        np.asarray(
            pc.fill_null(rows.column(name), "" if name != "line" else 0).to_numpy(zero_copy_only=False)
        )
        for name in ("line", "source_file", "content_hash")
        if name in rows.column_names
    ]
    order = np.lexsort(
        (
            *ties,
            rows.column("utterance_id").to_numpy(zero_copy_only=False),
            pc.cast(rows.column("captured_at"), pa.int64()).to_numpy(zero_copy_only=False),
        )
    )
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return order, rank


def duplicate_mask(hashes: pa.Array, order: np.ndarray, live_hashes: pa.Array | None = None) -> np.ndarray:
    """True for rows that repeat a live record or an earlier row (``order``: rank per row)."""
    if isinstance(hashes, pa.ChunkedArray):
        hashes = hashes.combine_chunks()
    n = len(hashes)
    dup = np.zeros(n, dtype=bool)
    if n == 0:
        return dup
    if live_hashes is not None and len(live_hashes):
        dup |= np.asarray(pc.fill_null(pc.is_in(hashes, value_set=live_hashes), False))
    codes = pc.dictionary_encode(hashes).indices.to_numpy(zero_copy_only=False)
    ranked = np.lexsort((order, codes))  # by hash, then by order
    first = np.ones(n, dtype=bool)
    first[1:] = codes[ranked][1:] != codes[ranked][:-1]
    dup[ranked[~first]] = True
    return dup


class Duplicate:
    """The same conversation turn is already live, or came earlier in this batch."""

    reason = S.DUPLICATE

    def excludes(self, frame: Frame) -> np.ndarray:
        order = frame.column("_order")
        return duplicate_mask(frame.column("content_hash"), order, frame.derived.get("live_hashes"))
