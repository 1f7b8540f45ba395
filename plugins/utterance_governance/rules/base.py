"""What a rule is: a named unit that says which rows it excludes, and why.

A rule sees a ``Frame`` (the typed records of one stage plus derived columns) and
returns a boolean mask of the rows it excludes; its ``reason`` is the stable code
recorded for them. Rules are applied in precedence order and the first one that
excludes a row decides it, so every row gets exactly one reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import pyarrow as pa

from utterance_governance.policy import Policy


@dataclass
class Frame:
    """The rows a stage decides on, with the columns rules share (computed once)."""

    records: pa.Table
    policy: Policy
    now: datetime
    derived: dict[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.records.num_rows

    def column(self, name: str):
        if name in self.derived:
            return self.derived[name]
        return self.records.column(name)

    def cached(self, name: str, compute):
        if name not in self.derived:
            self.derived[name] = compute()
        return self.derived[name]


class Rule(Protocol):
    reason: str

    def excludes(self, frame: Frame) -> np.ndarray: ...


def apply_rules(rules: list[Rule], frame: Frame, reasons: np.ndarray, stats: Counter) -> None:
    """Set ``reasons[i]`` for every still-open row that a rule excludes (first rule wins)."""
    for rule in rules:
        open_rows = np.equal(reasons, None)
        if not open_rows.any():
            return
        hit = np.asarray(rule.excludes(frame), dtype=bool) & open_rows
        if hit.any():
            reasons[hit] = rule.reason
            stats[rule.reason] += int(hit.sum())
