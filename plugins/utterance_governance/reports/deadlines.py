"""The deadline table of deletion requests (SPEC §1: a deletion reaches every copy within a deadline).

Each deletion request gets a deadline: ``policy.deletion_deadline_days`` after its clock started, the
earliest of its ``requested_at``, when the pipeline first took it in and when an unreadable version of it
was first seen (``GovernanceStore.deletion_clock_starts``: a clock upstream running ahead does not
postpone it); its receipt's ``deadline_at`` once ``privacy_requests`` has issued one. A deletion record
that could not be read counts from when it was first seen, until the same request sent again readable
stands for it. A request is ``completed`` when its receipt says so; otherwise ``overdue`` past the
deadline, ``at_risk`` within ``policy.deletion_at_risk_days`` of it, else ``open``. The table names
requests by ``request_id`` only: no customer id; an unreadable record's file as ``shown_path`` shows it
(a customer-partition folder as ``customer_id=[customer]``), as run reports, pages and messages do.

It is the one place deadlines are computed: the run and audit pages show it, the audit's
deadline check reads it, and ``purge.receipts.deadline_report`` (the check that fails a
``privacy_requests`` run) is a view of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from utterance_governance.io.readers import shown_path
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy

COMPLETED, OVERDUE, AT_RISK, OPEN = "completed", "overdue", "at_risk", "open"
STATE_ORDER = {OVERDUE: 0, AT_RISK: 1, OPEN: 2, COMPLETED: 3}


@dataclass(frozen=True)
class UnreadableRecord:
    """Where a deletion record that could not be read is kept (its privacy quarantine row)."""

    quarantine_id: int
    source_file: str  # as ``shown_path`` shows it: run reports, pages and messages report it
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
    """The deadline of a deletion whose clock started at ``start`` (``deletion_clock_starts``; or,
    unreadable, first seen then)."""
    return start + dt.timedelta(days=policy.deletion_deadline_days)


def _clock(deadline: dt.datetime, policy: Policy, now: dt.datetime) -> tuple[float, str]:
    """Days left until ``deadline`` and the state of a request not completed yet."""
    days_left = (deadline - now).total_seconds() / 86400.0
    state = OVERDUE if days_left < 0 else AT_RISK if days_left <= policy.deletion_at_risk_days else OPEN
    return days_left, state


def deletion_deadlines(
    requests: pa.Table,
    receipts: list[dict[str, Any]],
    policy: Policy,
    now: dt.datetime,
    starts: Mapping[str, dt.datetime] | None = None,
) -> list[Deadline]:
    """Every deletion request (``schema.DELETION`` rows) with its deadline and state, most urgent first.

    ``starts``: request id -> when its clock started (``GovernanceStore.deletion_clock_starts``; without
    it, its ``requested_at``). A receipt counted from a later time (a clock ahead, before receipts were
    counted so) is not trusted: the deadline counts from the start."""
    by_id = {r["request_id"]: r for r in receipts}
    out = []
    for row in requests.select(["request_id", "scope", "requested_at"]).to_pylist():
        receipt = by_id.get(row["request_id"])
        requested = row["requested_at"]
        start = min(requested, (starts or {}).get(row["request_id"], requested))
        counted_from = receipt.get("received_at") if receipt else None
        trusted = bool(receipt and receipt.get("deadline_at")) and (
            counted_from is None or counted_from <= start
        )
        deadline = receipt["deadline_at"] if trusted else deadline_from(start, policy)
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
    quarantined: list[dict[str, Any]], policy: Policy, now: dt.datetime, sent_again: Collection[int] = ()
) -> list[Deadline]:
    """Deletion records that could not be read (open privacy quarantine rows of kind ``deletion``).

    Nobody can execute them until they are fixed upstream, yet the customer's clock runs: the
    deadline counts from when the record was first seen. ``sent_again``: the quarantine ids of those the
    same request sent again readable released (``GovernanceStore.unreadable_deletions_sent_again``): that
    request stands for them, its deadline counted from when they were first seen, its receipt saying
    when it was done; they are left out here.
    """
    out = []
    for row in quarantined:
        if row.get("kind") != "deletion" or row.get("acknowledged_at") is not None:
            continue
        if row["id"] in sent_again:
            continue
        seen = row["recorded_at"]
        deadline = deadline_from(seen, policy)
        days_left, state = _clock(deadline, policy, now)
        out.append(
            Deadline(
                request_id=row.get("record_id") or f"unreadable record #{row['id']}",
                scope=f"unreadable ({shown_path(row.get('detail') or row.get('reason') or '')})",
                requested_at=seen.isoformat(),
                deadline_at=deadline.isoformat(),
                days_left=round(days_left, 2),
                state=state,
                receipt_status=None,
                unreadable=UnreadableRecord(
                    quarantine_id=row["id"],
                    source_file=shown_path(row["source_file"]),
                    line=row["line"],
                    detail=shown_path(row["detail"]) if row.get("detail") else row.get("detail"),
                    customer_readable=row.get("customer_id") is not None,
                ),
            )
        )
    return out


def load_deadlines(store: GovernanceStore, policy: Policy, now: dt.datetime) -> list[Deadline]:
    """The deadline table from the governance store: deletion requests, receipts, unreadable records."""
    starts = store.deletion_clock_starts()
    table = deletion_deadlines(store.deletion_requests(), store.receipts(), policy, now, starts)
    sent_again = store.unreadable_deletions_sent_again()
    table += unreadable_deadlines(store.privacy_quarantine(open_only=True), policy, now, sent_again)
    return sorted(table, key=lambda d: (STATE_ORDER[d.state], d.deadline_at, d.request_id))


def deadline_counts(deadlines: list[Deadline]) -> dict[str, int]:
    counts = dict.fromkeys((OVERDUE, AT_RISK, OPEN, COMPLETED), 0)
    for d in deadlines:
        counts[d.state] += 1
    return counts
