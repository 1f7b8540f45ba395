"""Each record-quality rule on tiny inline frames: which rows it excludes, under which reason.

(The privacy rules are tested in ``tests/unit/privacy/test_rules.py``.)
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.rules.base import Frame
from utterance_governance.rules.quality import LocaleNotAllowed, LowAsrConfidence

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def ts(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def utterances(*rows: tuple) -> pa.Table:
    """rows of (utterance_id, customer_id, captured_at, locale[, asr_confidence])."""
    cols = {f.name: [] for f in S.UTTERANCE}
    for row in rows:
        uid, cid, at, locale, *rest = row
        values = dict(utterance_id=uid, customer_id=cid, device_id="d", session_id="s", turn_index=0,
                      captured_at=at, locale=locale, transcript="hello there", response="hi",
                      asr_confidence=rest[0] if rest else 0.9)  # fmt: skip
        for k in cols:
            cols[k].append(values[k])
    return pa.table(cols, schema=S.UTTERANCE)


def excluded(rule, records, policy=Policy()) -> list[str]:
    mask = rule.excludes(Frame(records, policy, NOW))
    return [u for u, m in zip(records.column("utterance_id").to_pylist(), mask, strict=True) if m]


def test_reason_codes_are_the_contracts():
    assert LocaleNotAllowed.reason == "quality:locale_not_allowed"
    assert LowAsrConfidence.reason == "quality:low_asr_confidence"


class TestRecordQuality:
    def test_locale_must_be_allowed(self):
        records = utterances(("ok", "c1", ts(1), "en-US"), ("no", "c1", ts(1), "sw-KE"))
        assert excluded(LocaleNotAllowed(), records) == ["no"]

    @pytest.mark.parametrize("threshold, expected", [(0.5, ["low"]), (0.95, ["low", "mid"])])
    def test_asr_confidence_threshold_is_configurable(self, threshold, expected):
        records = utterances(("low", "c1", ts(1), "en-US", 0.2), ("mid", "c1", ts(1), "en-US", 0.9),
                             ("none", "c1", ts(1), "en-US", None))  # fmt: skip
        assert excluded(LowAsrConfidence(), records, policy=Policy(min_asr_confidence=threshold)) == expected


def test_empty_frames_exclude_nothing():
    records = utterances()
    for rule in (LocaleNotAllowed(), LowAsrConfidence()):
        assert np.asarray(rule.excludes(Frame(records, Policy(), NOW))).sum() == 0
