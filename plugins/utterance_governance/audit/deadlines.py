"""Deletion deadlines: requests past their deadline without a completed receipt, and those near it."""

from __future__ import annotations

from utterance_governance.audit.findings import Finding


def deadline_findings(deadlines: list) -> list[Finding]:
    """``deletion_overdue`` for requests past their deadline, ``deletion_at_risk`` for those near it."""
    from utterance_governance.reports.deadlines import AT_RISK, OVERDUE

    out = []
    for d in deadlines:
        receipt = f"receipt {d.receipt_status}" if d.receipt_status else "no receipt issued"
        if d.state == OVERDUE:
            out.append(Finding("deletion_overdue", f"request {d.request_id} ({d.scope}) was due {d.deadline_at}, "
                                                   f"{-d.days_left:.1f} days ago; {receipt}",
                               detail={"request_id": d.request_id}))  # fmt: skip
        elif d.state == AT_RISK:
            out.append(Finding("deletion_at_risk", f"request {d.request_id} ({d.scope}) is due {d.deadline_at}, "
                                                   f"in {d.days_left:.1f} days; {receipt}",
                               detail={"request_id": d.request_id}))  # fmt: skip
    return out
