"""Each decision rule on tiny inline frames: which rows it excludes, under which reason."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.rules.base import Frame
from utterance_governance.rules.consent import NoConsent, OptedOut
from utterance_governance.rules.deletion import DeletionRequested
from utterance_governance.rules.hold import HeldBack
from utterance_governance.rules.privacy_state import PrivacyState
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


def consent(*events: tuple) -> pa.Table:
    """events of (customer_id, status, effective_at[, recorded_at])."""
    rows = [
        dict(
            event_id=f"e{i}",
            customer_id=c,
            purpose=S.TRAINING_PURPOSE,
            status=s,
            effective_at=at,
            recorded_at=rest[0] if rest else at,
            source="app",
        )
        for i, (c, s, at, *rest) in enumerate(events)
    ]
    return pa.Table.from_pylist(rows, schema=S.CONSENT)


def deletions(*requests: dict) -> pa.Table:
    base = {"from": None, "to": None, "utterance_ids": None}
    rows = [{**base, "request_id": f"r{i}", **r} for i, r in enumerate(requests)]
    return pa.Table.from_pylist(rows, schema=S.DELETION)


def excluded(rule, records, state=PrivacyState(), policy=Policy()) -> list[str]:
    mask = rule.excludes(Frame(records, state, policy, NOW))
    return [u for u, m in zip(records.column("utterance_id").to_pylist(), mask, strict=True) if m]


def test_reason_codes_are_the_contracts():
    assert OptedOut.reason == "opted_out"
    assert NoConsent.reason == "no_consent"
    assert DeletionRequested.reason == "deletion_requested"
    assert HeldBack.reason == "held_back"
    assert LocaleNotAllowed.reason == "quality:locale_not_allowed"


class TestConsent:
    def test_retroactive_opt_out_excludes_everything_captured_before(self):
        records = utterances(
            ("u1", "c1", ts(1), "en-US"), ("u2", "c1", ts(20), "en-US"), ("u3", "c2", ts(1), "en-US")
        )
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(25))))
        assert excluded(OptedOut(), records, state) == ["u1", "u2"]

    def test_opt_out_then_back_in_keeps_the_gap_excluded(self):
        records = utterances(
            ("before", "c1", ts(1), "en-US"), ("gap", "c1", ts(10), "en-US"), ("after", "c1", ts(20), "en-US")
        )
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(5)), ("c1", "opted_in", ts(15))))
        assert excluded(OptedOut(), records, state) == ["gap"]
        assert excluded(NoConsent(), records, state) == []

    def test_opt_out_effective_at_the_capture_instant_is_in_force(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(10)), ("c1", "opted_in", ts(11))))
        assert excluded(OptedOut(), records, state) == ["u1"]

    def test_same_effective_time_later_recorded_event_wins(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        state = PrivacyState(
            consent=consent(("c1", "opted_in", ts(5), ts(6)), ("c1", "opted_out", ts(5), ts(7)))
        )
        assert excluded(OptedOut(), records, state) == ["u1"]

    def test_future_effective_events_are_not_in_force_yet(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        state = PrivacyState(consent=consent(("c1", "opted_out", datetime(2027, 1, 1, tzinfo=UTC))))
        assert excluded(OptedOut(), records, state) == []

    def test_eu_locale_without_events_has_no_consent_us_locale_has(self):
        records = utterances(
            ("de", "c1", ts(1), "de-DE"), ("ie", "c2", ts(1), "en-IE"), ("us", "c3", ts(1), "en-US")
        )
        assert excluded(NoConsent(), records) == ["de", "ie"]

    def test_eu_opt_in_after_capture_does_not_cover_earlier_utterances(self):
        records = utterances(("early", "c1", ts(1), "fr-FR"), ("late", "c1", ts(20), "fr-FR"))
        state = PrivacyState(consent=consent(("c1", "opted_in", ts(10))))
        assert excluded(NoConsent(), records, state) == ["early"]

    def test_regional_defaults_are_configuration(self):
        records = utterances(("us", "c1", ts(1), "en-US"), ("de", "c2", ts(1), "de-DE"))
        policy = Policy(opt_in_regions=("US",))
        assert excluded(NoConsent(), records, policy=policy) == ["us"]

    def test_other_purposes_are_ignored(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        events = consent(("c1", "opted_out", ts(1)))
        events = events.set_column(2, "purpose", pa.array(["marketing"]))
        assert excluded(OptedOut(), records, PrivacyState(consent=events)) == []


class TestDeletion:
    def test_scope_all_covers_everything_captured_until_the_request(self):
        records = utterances(
            ("old", "c1", ts(1), "en-US"), ("new", "c1", ts(20), "en-US"), ("x", "c2", ts(1), "en-US")
        )
        state = PrivacyState(deletions=deletions(dict(customer_id="c1", scope="all", requested_at=ts(10))))
        assert excluded(DeletionRequested(), records, state) == ["old"]

    def test_scope_range_is_inclusive(self):
        records = utterances(
            ("before", "c1", ts(1), "en-US"), ("lo", "c1", ts(5), "en-US"), ("hi", "c1", ts(9), "en-US"),
            ("after", "c1", ts(12), "en-US"), ("other", "c2", ts(6), "en-US"),
        )  # fmt: skip
        req = dict(customer_id="c1", scope="range", requested_at=ts(25), **{"from": ts(5), "to": ts(9)})
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == ["lo", "hi"]

    def test_scope_utterances_deletes_only_the_requesters_own(self):
        records = utterances(
            ("mine", "c1", ts(1), "en-US"), ("keep", "c1", ts(2), "en-US"), ("theirs", "c2", ts(1), "en-US")
        )
        req = dict(
            customer_id="c1", scope="utterances", utterance_ids=["mine", "theirs"], requested_at=ts(25)
        )
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == ["mine"]

    def test_several_scopes_together(self):
        records = utterances(
            ("a", "c1", ts(1), "en-US"), ("b", "c2", ts(7), "en-US"), ("c", "c3", ts(3), "en-US")
        )
        state = PrivacyState(
            deletions=deletions(
                dict(customer_id="c1", scope="all", requested_at=ts(2)),
                dict(customer_id="c2", scope="range", requested_at=ts(25), **{"from": ts(6), "to": ts(8)}),
                dict(customer_id="c3", scope="utterances", utterance_ids=["c"], requested_at=ts(25)),
            )
        )
        assert excluded(DeletionRequested(), records, state) == ["a", "b", "c"]


class TestHoldBack:
    def test_customer_with_unreadable_record_is_held(self):
        records = utterances(("u1", "c1", ts(1), "en-US"), ("u2", "c2", ts(1), "en-US"))
        assert excluded(HeldBack(), records, PrivacyState(held_customers=frozenset({"c2"}))) == ["u2"]

    def test_unreadable_record_without_customer_blocks_everyone(self):
        records = utterances(("u1", "c1", ts(1), "en-US"), ("u2", "c2", ts(1), "en-US"))
        state = PrivacyState(blocked_reasons=("consent file x.jsonl line 3: unparseable_json",))
        assert excluded(HeldBack(), records, state) == ["u1", "u2"]


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
    for rule in (OptedOut(), NoConsent(), DeletionRequested(), HeldBack(), LocaleNotAllowed()):
        assert np.asarray(rule.excludes(Frame(records, PrivacyState(), Policy(), NOW))).sum() == 0
