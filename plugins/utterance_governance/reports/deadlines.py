"""The deadline table of deletion requests (SPEC §1: a deletion reaches every copy within a deadline).

Each deletion request gets a deadline: its receipt's ``deadline_at`` when ``privacy_requests``
has issued one, else ``requested_at + policy.deletion_deadline_days``; a deletion record that could not be read
counts from when it was first seen. A request is
``completed`` when its receipt says so; otherwise ``overdue`` past the deadline, ``at_risk``
within ``policy.deletion_at_risk_days`` of it, else ``open``. The table names requests by
``request_id`` only: no customer id.

It is the one place deadlines are computed: the run and audit pages show it, the audit's
deadline check reads it, and ``purge.receipts.deadline_report`` (the check that fails a
``privacy_requests`` run) is a view of it.
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
class UnreadableRecord:
    """Where a deletion record that could not be read is kept (its privacy quarantine row)."""

    quarantine_id: int
    source_file: str
    line: int
    detail: str | None
    customer_readable: bool


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
    completed_late: bool = False  # completed after its deadline
    unreadable: UnreadableRecord | None = None  # set for a deletion record that could not be read

    @property
    def needs_attention(self) -> bool:
        return self.state in (OVERDUE, AT_RISK)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deadline_from(start: dt.datetime, policy: Policy) -> dt.datetime:
    """The deadline of a deletion asked for (or, unreadable, first seen) at ``start``."""
    return start + dt.timedelta(days=policy.deletion_deadline_days)


def _clock(deadline: dt.datetime, policy: Policy, now: dt.datetime) -> tuple[float, str]:
    """Days left until ``deadline`` and the state of a request not completed yet."""
    days_left = (deadline - now).total_seconds() / 86400.0
    state = OVERDUE if days_left < 0 else AT_RISK if days_left <= policy.deletion_at_risk_days else OPEN
    return days_left, state


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
            else deadline_from(requested, policy)
        )
        days_left, state = _clock(deadline, policy, now)
        if receipt and receipt.get("status") == COMPLETED:
            state = COMPLETED
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
                completed_late=bool(completed_at and completed_at > deadline),
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
        deadline = deadline_from(seen, policy)
        days_left, state = _clock(deadline, policy, now)
        out.append(
            Deadline(
                request_id=row.get("record_id") or f"unreadable record #{row['id']}",
                scope=f"unreadable ({row.get('detail') or row.get('reason')})",
                requested_at=seen.isoformat(),
                deadline_at=deadline.isoformat(),
                days_left=round(days_left, 2),
                state=state,
                receipt_status=None,
                unreadable=UnreadableRecord(
                    quarantine_id=row["id"],
                    source_file=row["source_file"],
                    line=row["line"],
                    detail=row.get("detail"),
                    customer_readable=row.get("customer_id") is not None,
                ),
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
