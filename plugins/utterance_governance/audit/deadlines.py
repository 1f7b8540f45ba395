"""Deletion deadlines: requests past their deadline without a completed receipt, and those near it;
privacy files waiting in landing that no run has taken in; unreadable privacy records that block."""

from __future__ import annotations

from datetime import datetime, timedelta

from utterance_governance.audit.findings import Finding
from utterance_governance.io.readers import SUFFIXES, shown_path
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy

# ``privacy_requests`` runs hourly: a privacy file that waited this long missed a run
PRIVACY_FILE_GRACE = timedelta(hours=2)
# a modification time further ahead of the audit's clock than this is a clock upstream gone wrong
CLOCK_SKEW = timedelta(seconds=Policy.capture_clock_skew_s)


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


def waiting_privacy_findings(
    storage: Storage, store: GovernanceStore, now: datetime, *, clock_skew: timedelta = CLOCK_SKEW
) -> list[Finding]:
    """``privacy_file_waiting`` for each consent or deletion file in landing, new or changed since it was
    read, that waited longer than ``PRIVACY_FILE_GRACE``: the store knows nothing of the opt-outs and
    deletions it holds (``privacy_requests`` paused or failing), so the rest of the audit cannot see the
    rows they withdraw, nor their deadlines. The file is not read here: its age says enough. A file
    that cannot be read and whose quarantine row an operator acknowledged is settled (it is read again
    on every run, and never taken in).

    The wait counts from the file's modification time, but from no later than when an audit first saw it
    waiting (``note_waiting_files``; a file without one, from then): a file stamped ahead (a clock upstream ahead, a copy that keeps its
    timestamps) would never wait. A modification time ahead of now by more than ``clock_skew`` is named too
    (``privacy_file_time_ahead``). Files are named as ``shown_path`` shows them."""
    rows = store.privacy_quarantine(open_only=False)
    acknowledged = {r["source_file"] for r in rows if r.get("acknowledged_at")} - {
        r["source_file"] for r in rows if not r.get("acknowledged_at")
    }
    waiting = [
        info
        for folder in ("consent", "deletions")
        for info in store.select_new_files(storage.list_files(f"landing/{folder}", SUFFIXES))
    ]
    seen = store.note_waiting_files((info.path for info in waiting), now)
    out = []
    for info in waiting:
        if info.path in acknowledged:
            continue
        shown = shown_path(info.path)
        if info.modified is not None and info.modified > now + clock_skew:
            out.append(Finding("privacy_file_time_ahead", f"{shown} is stamped {info.modified.isoformat()}, "
                               f"ahead of the pipeline's clock ({now.isoformat()}): a clock upstream is wrong; "
                               f"its wait counts from {seen[info.path].isoformat()}, when an audit first saw it"))  # fmt: skip
        since = seen[info.path] if info.modified is None else min(info.modified, seen[info.path])
        if now - since > PRIVACY_FILE_GRACE:
            out.append(Finding("privacy_file_waiting", f"{shown} has waited {(now - since).total_seconds() / 3600:.1f} h "
                               "without being taken in: is privacy_requests running? Its opt-outs and deletions "
                               "are in force, unseen"))  # fmt: skip
    return out


def blocking_record_findings(store: GovernanceStore) -> list[Finding]:
    """``privacy_record_blocking`` for each unreadable privacy record that names no customer and is not
    acknowledged: publishing is blocked, but the rows already live of the customers whose opt-outs and
    deletions it may hold (two records glued on one line, a file that cannot be read) stay live, and no
    receipt or deadline names them. The audit says so every day until the record is fixed upstream or
    acknowledged, as it says ``privacy_file_waiting`` for a file not taken in. Named as the store names
    them (``privacy_blocked_reasons``: files as ``shown_path`` shows them)."""
    return [Finding("privacy_record_blocking", reason) for reason in store.privacy_blocked_reasons()]
