"""Hold-back rule (SPEC §4, last paragraph): fail closed on unreadable privacy records.

A customer whose consent or deletion record could not be parsed is held back until a
valid record arrives: we cannot tell whether their data may be used. If an unreadable
record names no customer at all, nobody can be published (the run says why).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.rules.base import Frame


class HeldBack:
    """The customer has an unreadable privacy record, or publishing is blocked outright."""

    reason = S.HELD_BACK

    def excludes(self, frame: Frame) -> np.ndarray:
        if frame.state.publishing_blocked:
            return np.ones(len(frame), dtype=bool)
        held = frame.state.held_customers
        if not held:
            return np.zeros(len(frame), dtype=bool)
        mask = pc.is_in(frame.records.column("customer_id"), value_set=pa.array(sorted(held), pa.string()))
        return np.asarray(pc.fill_null(mask, False))
