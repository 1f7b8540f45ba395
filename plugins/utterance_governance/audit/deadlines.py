"""Deletion deadlines: requests past their deadline without a completed receipt, and those near it;
and privacy files waiting in landing that no run has taken in."""

from __future__ import annotations

from datetime import datetime, timedelta

from utterance_governance.audit.findings import Finding
from utterance_governance.io.readers import SUFFIXES
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore

# ``privacy_requests`` runs hourly: a privacy file that waited this long missed a run
PRIVACY_FILE_GRACE = timedelta(hours=2)


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


def waiting_privacy_findings(storage: Storage, store: GovernanceStore, now: datetime) -> list[Finding]:
    """``privacy_file_waiting`` for each consent or deletion file in landing, new or changed since it was
    read, that waited longer than ``PRIVACY_FILE_GRACE``: the store knows nothing of the opt-outs and
    deletions it holds (``privacy_requests`` paused or failing), so the rest of the audit cannot see the
    rows they withdraw, nor their deadlines. The file is not read here: its age says enough. A file
    that cannot be read and whose quarantine row an operator acknowledged is settled (it is read again
    on every run, and never taken in)."""
    rows = store.privacy_quarantine(open_only=False)
    acknowledged = {r["source_file"] for r in rows if r.get("acknowledged_at")} - {
        r["source_file"] for r in rows if not r.get("acknowledged_at")
    }
    out = []
    for folder in ("consent", "deletions"):
        for info in store.select_new_files(storage.list_files(f"landing/{folder}", SUFFIXES)):
            if info.path in acknowledged:
                continue
            if info.modified is None or now - info.modified > PRIVACY_FILE_GRACE:
                waited = (
                    "unknown"
                    if info.modified is None
                    else f"{(now - info.modified).total_seconds() / 3600:.1f} h"
                )
                out.append(Finding("privacy_file_waiting", f"{info.path} has waited {waited} without being taken in: "
                                   "is privacy_requests running? Its opt-outs and deletions are in force, unseen"))  # fmt: skip
    return out
