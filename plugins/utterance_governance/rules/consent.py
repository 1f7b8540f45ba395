"""Consent rules (SPEC §4 rule 2): in force at capture time AND in force now.

The state at an instant is the customer's last ``model_training`` event effective at or
before it (ties: the later ``recorded_at`` wins). With no event, the locale's regime
decides: opt-in regions (EU/EEA, from the policy) default to not consented, all others
to consented. So an opt-out applies retroactively (it is in force now), and a customer
who opted out and later back in keeps the gap excluded (not in force at capture).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.rules.base import Frame
from utterance_governance.rules.encoding import captured_micros, codes_of, customer_codes, micros

NONE, OUT, IN = -1, 0, 1


def _events(frame: Frame) -> pd.DataFrame:
    """The batch customers' training-consent events in force by now, sorted for as-of joins."""
    consent = frame.state.consent
    now_us = int(pd.Timestamp(frame.now).value // 1000)
    _, dictionary = customer_codes(frame)
    relevant = pc.equal(consent.column("purpose"), S.TRAINING_PURPOSE)
    consent = consent.filter(relevant)
    ev = pd.DataFrame(
        {
            "code": codes_of(consent.column("customer_id"), dictionary),
            "eff": micros(consent.column("effective_at")),
            "rec": micros(consent.column("recorded_at")),
            "event_id": consent.column("event_id").to_numpy(zero_copy_only=False),
            "status": np.where(np.asarray(pc.equal(consent.column("status"), "opted_in")), IN, OUT),
        }
    )
    ev = ev[(ev["code"] >= 0) & (ev["eff"] <= now_us)]
    return ev.sort_values(["eff", "rec", "event_id"], kind="stable")


def consent_status(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    """(status at capture, status now) per row: IN, OUT, or NONE (no event in force)."""

    def compute():
        n = len(frame)
        ev = _events(frame)
        codes, dictionary = customer_codes(frame)
        at_capture = np.full(n, NONE, dtype=np.int8)
        now = np.full(n, NONE, dtype=np.int8)
        if ev.empty:
            return at_capture, now
        latest = np.full(len(dictionary), NONE, dtype=np.int8)
        last = ev.groupby("code", sort=False)["status"].last()
        latest[last.index.to_numpy()] = last.to_numpy()
        now = latest[codes]
        with_events = np.isin(codes, ev["code"].unique())
        rows = np.flatnonzero(with_events)
        left = pd.DataFrame({"code": codes[rows], "t": captured_micros(frame)[rows], "row": rows})
        joined = pd.merge_asof(
            left.sort_values("t", kind="stable"),
            ev[["code", "eff", "status"]],
            left_on="t",
            right_on="eff",
            by="code",
            direction="backward",
            allow_exact_matches=True,
        )
        found = joined["status"].notna().to_numpy()
        at_capture[joined["row"].to_numpy()[found]] = joined["status"].to_numpy()[found].astype(np.int8)
        return at_capture, now

    return frame.cached("_consent_status", compute)


def default_consented(frame: Frame) -> np.ndarray:
    """Per row: does the utterance's locale default to consented (opt-out regime)?"""

    def compute():
        encoded = pc.dictionary_encode(frame.records.column("locale")).combine_chunks()
        per_locale = np.array([not frame.policy.is_opt_in_locale(v) for v in encoded.dictionary.to_pylist()])
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        return per_locale[idx] if len(per_locale) else np.zeros(len(frame), dtype=bool)

    return frame.cached("_default_consented", compute)


class OptedOut:
    """The customer's opt-out was in force when the utterance was captured, or is now."""

    reason = S.OPTED_OUT

    def excludes(self, frame: Frame) -> np.ndarray:
        at_capture, now = consent_status(frame)
        return (at_capture == OUT) | (now == OUT)


class NoConsent:
    """No consent in force at capture or now: in an opt-in region the customer never opted in
    (or opted in only after capture)."""

    reason = S.NO_CONSENT

    def excludes(self, frame: Frame) -> np.ndarray:
        at_capture, now = consent_status(frame)
        default = default_consented(frame)

        def consented(status: np.ndarray) -> np.ndarray:
            return (status == IN) | ((status == NONE) & default)

        opted_out = (at_capture == OUT) | (now == OUT)  # that is the OptedOut rule's reason
        return ~opted_out & (~consented(at_capture) | ~consented(now))
