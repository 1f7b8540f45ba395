"""What the pipeline tells a person, and when: alerts as plain data, each about one subject in one
state, sent once (the store's ``alerts_sent`` remembers what went out).

- a run that failed: which step, which error, where its report is (``run_failed``);
- a run still not finished long after its schedule (``deadline_missed``: Airflow's DeadlineAlert);
- a deletion request at risk of missing its deadline, overdue, or completed after it
  (``deletion_alerts``): once per request and state — an at-risk request is told about once, not
  every hour, and again only when it becomes overdue.

An alert names steps, request ids, dates and report paths: never a customer id or any text a
customer said. Delivery (mail through ``smtp_default``, a webhook connection) is Airflow's and
lives in ``ug_airflow.alerts``; this package decides only what is due and what it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.reports.deadlines import AT_RISK, COMPLETED, OVERDUE, Deadline, load_deadlines

COMPLETED_LATE = "completed_late"
FAILED = "failed"
DEADLINE_MISSED = "deadline_missed"


@dataclass(frozen=True)
class Alert:
    """One thing to tell a person: ``(subject_key, state)`` is sent once."""

    subject_key: str
    state: str
    title: str
    body: str
    severity: str = "error"  # error | warning

    def to_dict(self) -> dict[str, Any]:
        return {"subject_key": self.subject_key, "state": self.state, "title": self.title,
                "body": self.body, "severity": self.severity}  # fmt: skip


def run_failed(
    dag_id: str, run_id: str, step: str, error: str, *, report: str | None = None, log_url: str | None = None
) -> Alert:
    """A step of a run failed for good (no retry left, or not worth one)."""
    lines = [f"DAG {dag_id}, run {run_id}: step {step} failed.", "", f"Error: {error}"]
    if report:
        lines.append(f"Run report: {report}")
    if log_url:
        lines.append(f"Task log: {log_url}")
    lines += ["", "Re-running is always safe; the DAG's documentation in Airflow says what to check first."]
    return Alert(f"run:{dag_id}:{run_id}:{step}", FAILED, f"[utterance-governance] {dag_id}: {step} failed",
                 "\n".join(lines))  # fmt: skip


def deadline_missed(dag_id: str, run_id: str, deadline_time: Any, interval: str) -> Alert:
    """A run of ``dag_id`` has not finished ``interval`` after its reference time (Airflow's DeadlineAlert)."""
    body = (
        f"DAG {dag_id}, run {run_id} has not finished {interval} after it was due "
        f"(deadline {deadline_time}). It may be stuck waiting for the dataset lock, a worker or a "
        "pool slot; a night without a new version delays training data, an hour without privacy_requests "
        "delays deletions. Check the run in Airflow."
    )
    return Alert(f"run:{dag_id}:{run_id}", DEADLINE_MISSED,
                 f"[utterance-governance] {dag_id} run not finished {interval} after its schedule", body)  # fmt: skip


def _deletion_alert(d: Deadline, state: str) -> Alert:
    if d.unreadable is not None:
        u = d.unreadable
        subject = f"unreadable:{u.quarantine_id}"
        name = f"unreadable deletion record #{u.quarantine_id} ({u.source_file} line {u.line})"
        act = ("It cannot be executed until it is fixed upstream or acknowledged "
               "(`ug privacy ack`); its customer's clock runs from when it was first seen.")  # fmt: skip
    else:
        subject, name = f"deletion:{d.request_id}", f"deletion request {d.request_id} ({d.scope})"
        act = "Run privacy_requests (or see why its last run failed); `ug receipts` shows what was removed."
    if state == OVERDUE:
        title = f"[utterance-governance] deletion OVERDUE: {name.split(' (')[0]}"
        body = (
            f"The {name} was due {d.deadline_at} and is not completed ({-d.days_left:.1f} days late). {act}"
        )
    elif state == AT_RISK:
        title = f"[utterance-governance] deletion at risk: {name.split(' (')[0]}"
        body = (
            f"The {name} is due {d.deadline_at}, in {d.days_left:.1f} days, and is not completed yet. {act}"
        )
    else:
        title = f"[utterance-governance] deletion completed LATE: {name.split(' (')[0]}"
        body = (f"The {name} was due {d.deadline_at} and was completed {d.completed_at}, after its deadline. "
                "The breach is on record in its receipt; it may have to be reported.")  # fmt: skip
    return Alert(subject, state, title, body, "warning" if state == AT_RISK else "error")


def deletion_alerts(deadlines: Iterable[Deadline]) -> list[Alert]:
    """Every deletion alert the deadline table calls for now (sent or not)."""
    out = []
    for d in deadlines:
        if d.state in (AT_RISK, OVERDUE):
            out.append(_deletion_alert(d, d.state))
        elif d.state == COMPLETED and d.completed_late:
            out.append(_deletion_alert(d, COMPLETED_LATE))
    return out


def due_deletion_alerts(store: GovernanceStore, policy: Policy, now: datetime) -> list[Alert]:
    """The deletion alerts not sent yet (each request and state once)."""
    return [a for a in deletion_alerts(load_deadlines(store, policy, now))
            if not store.alert_sent(a.subject_key, a.state)]  # fmt: skip


def summary(alerts: Iterable[Alert], sent: Mapping[str, list[str]]) -> dict[str, Any]:
    """What a run reports about the alerts it handled (no body text needed)."""
    alerts = list(alerts)
    return {
        "due": len(alerts),
        "sent": [
            {
                "subject_key": a.subject_key,
                "state": a.state,
                "channels": sent.get(a.subject_key + "|" + a.state, []),
            }
            for a in alerts
        ],
    }
