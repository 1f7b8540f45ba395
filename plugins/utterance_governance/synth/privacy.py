"""Consent events (SPEC §3.2) and deletion requests (SPEC §3.3) as upstream privacy systems drop them.

Records are JSON Lines sorted by ``recorded_at`` / ``requested_at``; timestamps carry ``Z``, ``+00:00``
or the customer's local offset. Ids are UUIDs derived from the seed, so they are unique and stable.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from .. import schema

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAMESPACE = uuid.UUID("6f1c2b0e-6d5f-4a8e-9a51-3b1f0c7d2e44")
SOURCES = ("privacy_dashboard", "mobile_app", "voice_settings", "support_agent", "onboarding", "gdpr_portal")
OTHER_PURPOSES = ("personalised_ads", "voice_recordings_review", "marketing_emails")


def stable_id(seed: int, *parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in (seed, *parts))))


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(us))


def to_us(dt: datetime) -> int:
    return (dt - EPOCH) // timedelta(microseconds=1)


def iso(us: int, zone: str | None = None, style: int = 0) -> str:
    """An ISO 8601 timestamp with an offset: 0 ``Z``, 1 ``Z`` with millis, 2 ``+00:00``, 3 local offset."""
    dt = from_us(us)
    if style == 3 and zone:
        return dt.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    if style == 1:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    if style == 2:
        return dt.isoformat(timespec="seconds")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> int:
    return to_us(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass
class PrivacyBatch:
    """Records of one drop, kept as (sort key, JSON line) so a file can be written in time order."""

    seed: int
    batch: str
    consent_lines: list[tuple[int, bytes]] = field(default_factory=list)
    deletion_lines: list[tuple[int, bytes]] = field(default_factory=list)
    n_consent: int = 0
    n_deletions: int = 0

    def _style(self, key: int) -> int:
        return (key * 2654435761 >> 7) % 4

    def consent(self, customer_id: str, status: str, effective_us: int, as_of_us: int, *, zone: str | None = None,
                lag_us: int = 0, purpose: str = schema.TRAINING_PURPOSE, source: str | None = None) -> dict:  # fmt: skip
        self.n_consent += 1
        recorded = min(effective_us + max(lag_us, 0), as_of_us)
        style = self._style(self.n_consent)
        record = {
            "event_id": stable_id(self.seed, self.batch, "consent", self.n_consent),
            "customer_id": customer_id,
            "purpose": purpose,
            "status": status,
            "effective_at": iso(effective_us, zone, style),
            "recorded_at": iso(recorded, zone, style if style != 3 else 0),
            "source": source or SOURCES[self.n_consent % len(SOURCES)],
        }
        self.consent_lines.append((recorded, _dumps(record)))
        return record

    def deletion(self, customer_id: str, scope: str, requested_us: int, *, zone: str | None = None,
                 from_us_: int | None = None, to_us_: int | None = None,
                 utterance_ids: list[str] | None = None, explicit_nulls: bool = True) -> dict:  # fmt: skip
        self.n_deletions += 1
        style = self._style(self.n_deletions)
        record: dict = {"request_id": stable_id(self.seed, self.batch, "deletion", self.n_deletions),
                        "customer_id": customer_id, "scope": scope}  # fmt: skip
        if scope == "range":
            record["from"], record["to"] = iso(from_us_, zone, style), iso(to_us_, zone, style)
        elif explicit_nulls:
            record["from"] = record["to"] = None
        if scope == "utterances":
            record["utterance_ids"] = list(utterance_ids or [])
        elif explicit_nulls:
            record["utterance_ids"] = None
        record["requested_at"] = iso(requested_us, zone, style)
        self.deletion_lines.append((requested_us, _dumps(record)))
        return record

    def raw_consent(self, sort_us: int, line: bytes) -> None:
        self.consent_lines.append((sort_us, line))

    def raw_deletion(self, sort_us: int, line: bytes) -> None:
        self.deletion_lines.append((sort_us, line))

    def sorted_lines(self, which: str) -> list[bytes]:
        lines = self.consent_lines if which == "consent" else self.deletion_lines
        return [line for _, line in sorted(lines, key=lambda kv: kv[0])]


def _dumps(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def malformed_consent(
    batch: PrivacyBatch, customer_id: str, problem: str, at_us: int, zone: str | None
) -> None:
    """A consent record whose customer is readable but which cannot be used (holds the customer back)."""
    batch.n_consent += 1
    record = {
        "event_id": stable_id(batch.seed, batch.batch, "consent", batch.n_consent),
        "customer_id": customer_id,
        "purpose": schema.TRAINING_PURPOSE,
        "status": "paused" if problem == "bad_status" else "opted_out",
        "effective_at": iso(at_us, zone, 0),
        "recorded_at": iso(at_us + 60_000_000, zone, 0),
        "source": "support_agent",
    }
    if problem == "naive_timestamp":
        record["effective_at"] = from_us(at_us).strftime("%Y-%m-%d %H:%M:%S")
    batch.raw_consent(at_us + 60_000_000, _dumps(record))


def malformed_deletion(batch: PrivacyBatch, customer_id: str, at_us: int) -> None:
    """A deletion request naming its customer but with an impossible ``requested_at``."""
    batch.n_deletions += 1
    at = from_us(at_us)
    record = {
        "request_id": stable_id(batch.seed, batch.batch, "deletion", batch.n_deletions),
        "customer_id": customer_id,
        "scope": "all",
        "requested_at": f"{at.year}-02-30T{at:%H:%M:%S}Z",
    }
    batch.raw_deletion(at_us, _dumps(record))


def unreadable_lines(batch: PrivacyBatch, at_us: int) -> list[tuple[str, bytes]]:
    """One consent and one deletion line that no parser can read, customer id included."""
    event_id = stable_id(batch.seed, batch.batch, "consent", "unreadable")
    request_id = stable_id(batch.seed, batch.batch, "deletion", "unreadable")
    consent = f'{{"event_id": "{event_id}", "purpose": "model_training", "status": "opted_o\n'.encode()
    deletion = f'{{"request_id": "{request_id}", "scope": "all", "requested_at": "{iso(at_us)}"\n'.encode()
    deletion = deletion.replace(b'"scope"', b"\xff\xfe\x00scope")
    batch.raw_consent(at_us, consent)
    batch.raw_deletion(at_us, deletion)
    return [("consent", consent), ("deletions", deletion)]


def background_events(batch: PrivacyBatch, rng: np.random.Generator, customer_ids: list[str], eu: np.ndarray,
                      zones: list[str], window_start_us: int, window_end_us: int, as_of_us: int,
                      other_purposes: bool) -> dict[str, int]:  # fmt: skip
    """Consent traffic of the ordinary population: EU opt-ins (some mid-window), non-EU opt-outs,
    re-opt-ins, redundant onboarding opt-ins, and events for other purposes (to be ignored)."""
    day = 86_400_000_000
    window = window_end_us - window_start_us
    counts = {"opted_in": 0, "opted_out": 0, "other_purpose": 0}
    n = len(customer_ids)
    u = rng.random((n, 6))
    for i in range(n):
        cid, zone = customer_ids[i], zones[i]
        r = u[i]
        if eu[i]:
            if r[0] >= 0.55:
                continue
            at = (
                window_start_us + int(r[1] * window)
                if r[2] < 0.15
                else window_start_us - int((1 + r[1] * 400) * day)
            )
            batch.consent(cid, "opted_in", at, as_of_us, zone=zone, lag_us=int(r[3] * 3_600_000_000))
            counts["opted_in"] += 1
            if r[4] < 0.06:
                out = at + int((as_of_us - at) * (0.2 + 0.7 * r[5]))
                batch.consent(cid, "opted_out", out, as_of_us, zone=zone, lag_us=int(r[3] * 600_000_000))
                counts["opted_out"] += 1
        else:
            if r[0] < 0.03:
                at = (
                    window_start_us + int(r[1] * window)
                    if r[2] < 0.5
                    else window_start_us - int((1 + r[1] * 300) * day)
                )
                batch.consent(cid, "opted_out", at, as_of_us, zone=zone, lag_us=int(r[3] * 900_000_000))
                counts["opted_out"] += 1
                if r[4] < 0.2:
                    back = at + int((as_of_us - at) * (0.3 + 0.6 * r[5]))
                    batch.consent(cid, "opted_in", back, as_of_us, zone=zone, lag_us=int(r[3] * 60_000_000))
                    counts["opted_in"] += 1
            elif r[0] < 0.13:
                at = window_start_us - int((30 + r[1] * 700) * day)
                batch.consent(cid, "opted_in", at, as_of_us, zone=zone, source="onboarding")
                counts["opted_in"] += 1
        if other_purposes and r[5] < 0.02:
            at = window_start_us + int(r[2] * window)
            batch.consent(
                cid, "opted_out", at, as_of_us, zone=zone, purpose=OTHER_PURPOSES[i % len(OTHER_PURPOSES)]
            )
            counts["other_purpose"] += 1
    return counts


def background_deletions(batch: PrivacyBatch, rng: np.random.Generator, customer_ids: list[str], zones: list[str],
                         window_start_us: int, window_end_us: int, as_of_us: int,
                         targets: list[tuple[str, str, int]]) -> dict[str, int]:  # fmt: skip
    """Deletion requests of the ordinary population: ``all`` and ``range`` for a few customers, and
    ``utterances`` naming rows sampled while the files were written (``targets``)."""
    window = window_end_us - window_start_us
    counts = {"all": 0, "range": 0, "utterances": 0}
    n = len(customer_ids)
    u = rng.random((n, 4))
    for i in np.nonzero(u[:, 0] < 0.004)[0]:
        cid, zone, r = customer_ids[i], zones[i], u[i]
        if r[1] < 0.6:
            at = (
                window_end_us + int(r[2] * (as_of_us - window_end_us))
                if r[3] < 0.7
                else window_start_us + int(r[2] * window)
            )
            batch.deletion(cid, "all", at, zone=zone, explicit_nulls=bool(i % 2))
            counts["all"] += 1
        else:
            lo = window_start_us + int(r[2] * window * 0.8)
            hi = min(lo + int((0.05 + r[3]) * window / 2), window_end_us)
            batch.deletion(cid, "range", max(hi, window_end_us), zone=zone, from_us_=lo, to_us_=hi)
            counts["range"] += 1
    for uid, cid, t_us in targets:
        at = max(t_us, window_end_us) + int(rng.integers(1, 3 * 3_600_000_000))
        batch.deletion(cid, "utterances", min(at, as_of_us), utterance_ids=[uid])
        counts["utterances"] += 1
    return counts
