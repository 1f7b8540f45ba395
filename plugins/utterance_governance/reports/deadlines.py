"""The deadline table of deletion requests (SPEC §1: a deletion reaches every copy within a deadline).

Each deletion request gets a deadline: its receipt's ``deadline_at`` when ``privacy_requests``
has issued one, else ``requested_at + policy.deletion_deadline_days``; a deletion record that could not be read
counts from when it was first seen. A request is
``completed`` when its receipt says so; otherwise ``overdue`` past the deadline, ``at_risk``
within ``policy.deletion_at_risk_days`` of it, else ``open``. The table names requests by
``request_id`` only: no customer id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy

COMPLETED, OVERDUE, AT_RISK, OPEN = "completed", "overdue", "at_risk", "open"
STATE_ORDER = {OVERDUE: 0, AT_RISK: 1, OPEN: 2, COMPLETED: 3}


@dataclass(frozen=True)
class Deadline:
    request_id: str
    scope: str
    requested_at: str
    deadline_at: str
    days_left: float
    state: str  # completed | overdue | at_risk | open
    receipt_status: str | None  # the receipt's status, None when no receipt was issued yet
    completed_at: str | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state in (OVERDUE, AT_RISK)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deletion_deadlines(
    requests: pa.Table, receipts: list[dict[str, Any]], policy: Policy, now: dt.datetime
) -> list[Deadline]:
    """Every deletion request (``schema.DELETION`` rows) with its deadline and state, most urgent first."""
    by_id = {r["request_id"]: r for r in receipts}
    out = []
    for row in requests.select(["request_id", "scope", "requested_at"]).to_pylist():
        receipt = by_id.get(row["request_id"])
        requested = row["requested_at"]
        deadline = (
            receipt["deadline_at"]
            if receipt and receipt.get("deadline_at")
            else requested + dt.timedelta(days=policy.deletion_deadline_days)
        )
        days_left = (deadline - now).total_seconds() / 86400.0
        if receipt and receipt.get("status") == COMPLETED:
            state = COMPLETED
        elif days_left < 0:
            state = OVERDUE
        elif days_left <= policy.deletion_at_risk_days:
            state = AT_RISK
        else:
            state = OPEN
        completed_at = receipt.get("completed_at") if receipt else None
        out.append(
            Deadline(
                request_id=row["request_id"],
                scope=row["scope"],
                requested_at=requested.isoformat(),
                deadline_at=deadline.isoformat(),
                days_left=round(days_left, 2),
                state=state,
                receipt_status=receipt.get("status") if receipt else None,
                completed_at=completed_at.isoformat() if completed_at else None,
            )
        )
    return sorted(out, key=lambda d: (STATE_ORDER[d.state], d.deadline_at, d.request_id))


def unreadable_deadlines(
    quarantined: list[dict[str, Any]], policy: Policy, now: dt.datetime
) -> list[Deadline]:
    """Deletion records that could not be read (open privacy quarantine rows of kind ``deletion``).

    Nobody can execute them until they are fixed upstream, yet the customer's clock runs: the
    deadline counts from when the record was first seen.
    """
    out = []
    for row in quarantined:
        if row.get("kind") != "deletion" or row.get("acknowledged_at") is not None:
            continue
        seen = row["recorded_at"]
        deadline = seen + dt.timedelta(days=policy.deletion_deadline_days)
        days_left = (deadline - now).total_seconds() / 86400.0
        state = OVERDUE if days_left < 0 else AT_RISK if days_left <= policy.deletion_at_risk_days else OPEN
        out.append(
            Deadline(
                request_id=row.get("record_id") or f"unreadable record #{row['id']}",
                scope=f"unreadable ({row.get('detail') or row.get('reason')})",
                requested_at=seen.isoformat(),
                deadline_at=deadline.isoformat(),
                days_left=round(days_left, 2),
                state=state,
                receipt_status=None,
            )
        )
    return out


def load_deadlines(store: GovernanceStore, policy: Policy, now: dt.datetime) -> list[Deadline]:
    """The deadline table from the governance store: deletion requests, receipts, unreadable records."""
    table = deletion_deadlines(store.deletion_requests(), store.receipts(), policy, now)
    table += unreadable_deadlines(store.privacy_quarantine(open_only=True), policy, now)
    return sorted(table, key=lambda d: (STATE_ORDER[d.state], d.deadline_at, d.request_id))


def deadline_counts(deadlines: list[Deadline]) -> dict[str, int]:
    counts = dict.fromkeys((OVERDUE, AT_RISK, OPEN, COMPLETED), 0)
    for d in deadlines:
        counts[d.state] += 1
    return counts
