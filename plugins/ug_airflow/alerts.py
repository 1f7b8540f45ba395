"""Alerts that reach a person, configured the Airflow way.

- **Mail**: through the standard ``smtp_default`` connection (``SmtpNotifier`` of
  apache-airflow-providers-smtp) to the addresses in the Airflow Variable ``ug_alert_recipients``
  (comma-separated). The sender is the connection's ``from_email`` extra, else
  ``utterance-governance@localhost``.
- **Webhook or Slack**: when the connection ``ug_alert_webhook`` exists (an HTTP connection whose
  host is the URL, e.g. a Slack incoming webhook), a JSON POST through ``HttpNotifier``
  (apache-airflow-providers-http): ``{"text": ..., "title": ..., "state": ..., "subject_key": ...}``.

Nothing configured: the alert is logged (as an error), and nothing fails. A channel that does not
take the alert (the mail server down) is logged too; the task it runs in never fails for it.

What is wired, and where:

- ``task_failure_notifier()`` — every task's ``on_failure_callback``: the failure is recorded in
  the governance store (step, error; ``jobs.failures``) and one alert per run and step is sent;
- ``on_run_failed`` — the DAG's ``on_failure_callback``: the run is recorded ``failed`` with a
  report page, once every task is done;
- ``run_deadline()`` — a ``DeadlineAlert`` (the run has not finished N hours after its schedule:
  ``UG_PUBLISH_DEADLINE_HOURS``, ``UG_PRIVACY_DEADLINE_HOURS``) whose callback, ``deadline_missed``,
  runs in the triggerer;
- ``send_deletion_alerts`` — the ``alert_deadlines`` task of ``privacy_requests``: deletion
  requests at risk, overdue or completed late, each request and state once.

Nothing here reads a Variable or a Connection at import or parse time.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

RECIPIENTS_VARIABLE = "ug_alert_recipients"
SMTP_CONN_ID = "smtp_default"
WEBHOOK_CONN_ID = "ug_alert_webhook"
DEFAULT_SENDER = "utterance-governance@localhost"


# --- configuration (read when an alert is sent, never at parse time) ---------------------------
def _variable(key: str) -> str | None:
    from airflow.sdk import Variable

    try:
        return Variable.get(key, default=None)
    except Exception:  # no variable backend reachable here: as if unset
        log.debug("variable %s could not be read", key, exc_info=True)
        return None


def _connection(conn_id: str):
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except Exception:  # not defined
        return None


def recipients() -> list[str]:
    """The addresses of ``ug_alert_recipients`` (comma- or semicolon-separated, blanks dropped)."""
    raw = _variable(RECIPIENTS_VARIABLE) or ""
    return [a.strip() for a in raw.replace(";", ",").split(",") if a.strip()]


def channels() -> dict[str, Any]:
    """The configured channels: ``{"smtp": (recipients, sender), "webhook": conn_id}`` (either may be absent)."""
    out: dict[str, Any] = {}
    to = recipients()
    smtp = _connection(SMTP_CONN_ID) if to else None
    if to and smtp is None:
        log.error("alert recipients are set (%s) but the connection %s is not: no mail can be sent",
                  RECIPIENTS_VARIABLE, SMTP_CONN_ID)  # fmt: skip
    if to and smtp is not None:
        sender = (smtp.extra_dejson or {}).get("from_email") or DEFAULT_SENDER
        out["smtp"] = (to, sender)
    if _connection(WEBHOOK_CONN_ID) is not None:
        out["webhook"] = WEBHOOK_CONN_ID
    return out


def _mail_notifier(alert, to: list[str], sender: str) -> BaseNotifier:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    body = f"<pre style='font-family: sans-serif; white-space: pre-wrap'>{html.escape(alert.body)}</pre>"
    return SmtpNotifier(to=to, from_email=sender, subject=alert.title, html_content=body,
                        smtp_conn_id=SMTP_CONN_ID)  # fmt: skip


def _webhook_notifier(alert) -> BaseNotifier:
    from airflow.providers.http.notifications.http import HttpNotifier

    payload = {"text": f"{alert.title}\n{alert.body}", **alert.to_dict()}
    return HttpNotifier(http_conn_id=WEBHOOK_CONN_ID, json=payload,
                        headers={"Content-Type": "application/json"})  # fmt: skip


def deliver(alert, context: dict | None = None) -> list[str]:
    """Send ``alert`` through every configured channel; the channels that took it.

    Calls each notifier's ``notify`` directly (no Jinja rendering of the alert's text). Never raises.
    """
    configured = channels()
    if not configured:
        log.error("ALERT (no alert channel configured: set the Variable %s and the connection %s, or the "
                  "connection %s): %s\n%s", RECIPIENTS_VARIABLE, SMTP_CONN_ID, WEBHOOK_CONN_ID,
                  alert.title, alert.body)  # fmt: skip
        return []
    took = []
    for name, config in configured.items():
        try:
            notifier = _mail_notifier(alert, *config) if name == "smtp" else _webhook_notifier(alert)
            notifier.notify(context or {})
            took.append(name)
        except Exception:
            log.exception("alert channel %s did not take the alert %r", name, alert.title)
    if took:
        log.warning("alert sent through %s: %s", ", ".join(took), alert.title)
    return took


def deliver_once(store, alert, context: dict | None = None) -> list[str] | None:
    """Send ``alert`` unless the store says it went out already; record it when a channel took it, or
    when none is configured (logged once, not every hour). ``None``: it had been sent before."""
    if store.alert_sent(alert.subject_key, alert.state):
        return None
    configured = bool(channels())
    took = deliver(alert, context)
    if took or not configured:
        store.record_alert(alert.subject_key, alert.state, alert.title, took, datetime.now(UTC))
    return took


# --- task and run failures ----------------------------------------------------------------------
def _store():
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.settings import load_settings

    # (the dag-processor and the triggerer alert too: they have the store, never the pseudonym key)
    return GovernanceStore.from_settings(load_settings(pseudonym_key=False))  # at head, or refused


class GovernanceFailureNotifier(BaseNotifier):
    """A task's ``on_failure_callback``: record the failing step and its error in the governance
    store, then alert once per run and step (a mapped task failing on fifty files sends one mail)."""

    template_fields = ()

    def notify(self, context) -> None:
        from ug_airflow import apply_airflow_overrides
        from utterance_governance import alerts
        from utterance_governance.jobs import failures

        ti = context["ti"]
        try:
            apply_airflow_overrides()
            failure = failures.record_step_failure(
                ti.dag_id, ti.run_id, ti.task_id, context.get("exception"), getattr(ti, "try_number", None)
            )
        except Exception:
            log.exception("could not record the failure of %s in the governance store", ti.task_id)
            failure = {"error": failures.describe_error(context.get("exception"))}
        alert = alerts.run_failed(ti.dag_id, ti.run_id, ti.task_id, failure["error"],
                                  log_url=getattr(ti, "log_url", None))  # fmt: skip
        try:
            store = _store()
        except Exception:
            log.exception("governance store unreachable: alerting without the once-only check")
            deliver(alert, context)
            return
        try:
            deliver_once(store, alert, context)
        finally:
            store.dispose()


def task_failure_notifier() -> GovernanceFailureNotifier:
    return GovernanceFailureNotifier()


def on_run_failed(context) -> None:
    """The DAG's ``on_failure_callback``: the run is recorded ``failed`` (every failed step), with
    ``reports/<run>/failure.json`` and its page. Runs once every task is done; never raises."""
    try:
        from ug_airflow import apply_airflow_overrides
        from utterance_governance.jobs import failures

        apply_airflow_overrides()
        dag_run = context.get("dag_run")
        dag_id = context["dag"].dag_id if context.get("dag") else dag_run.dag_id
        run_id = context.get("run_id") or dag_run.run_id
        failed = _failed_task_ids(dag_run)
        failures.record_failed_run(
            dag_id,
            run_id,
            failed,
            reason=context.get("reason"),
            started_at=getattr(dag_run, "start_date", None),
        )
    except Exception:
        log.exception("could not record the failed run in the governance store")


def _failed_task_ids(dag_run) -> list[str]:
    if dag_run is None:
        return []
    try:
        tis = dag_run.get_task_instances(state=["failed"])
    except Exception:  # the Task SDK's DagRun has no access to task instances
        return []
    return sorted({ti.task_id for ti in tis})


# --- deadlines ----------------------------------------------------------------------------------
def _hours(env: str) -> float:
    try:
        return float(os.environ.get(env) or 0)
    except ValueError:
        log.error("%s=%r is not a number of hours: no deadline alert", env, os.environ.get(env))
        return 0.0


TASK_TIMEOUT_HOURS = 6.0


def task_timeout(env: str = "UG_TASK_TIMEOUT_HOURS") -> timedelta | None:
    """A task's ``execution_timeout``: ``$env`` hours (6 when unset; 0: none). A task that hangs (a read
    that never returns) fails after it, is alerted, and stops holding up the runs queued behind it."""
    raw = os.environ.get(env)
    hours = TASK_TIMEOUT_HOURS if raw in (None, "") else _hours(env)
    return timedelta(hours=hours) if hours > 0 else None


def run_deadline(dag_id: str, env: str):
    """A ``DeadlineAlert``: the run has not finished ``$env`` hours after it was queued (a scheduled run
    at its schedule, a manual or backfill run when it was triggered or its turn came; not its logical
    date, which a data-interval timetable puts a day earlier and a backfill in the past). Its
    callback, ``deadline_missed``, runs in the triggerer.

    Opt-in (``$env`` unset or 0: none), because Airflow 3.3.2's ``dag.test()`` — and so
    ``airflow dags test``, the embedded default of SPEC §7 — crashes when a run of a DAG with a
    DeadlineAlert succeeds (it looks the alert up by id, but holds it unserialised). A deployment
    sets it (README, "Alerts"); the scheduler handles it as documented.
    """
    hours = _hours(env)
    if hours <= 0:
        return None
    from airflow.sdk import AsyncCallback
    from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=hours),
        callback=AsyncCallback(deadline_missed, kwargs={"dag_id": dag_id, "interval": f"{hours:g} hours"}),
        name=f"{dag_id} not finished {hours:g} hours after its schedule",
    )


async def deadline_missed(dag_id: str, interval: str, context: dict | None = None) -> list[str]:
    """The DeadlineAlert's callback (in the triggerer): tell a person once per run."""
    from utterance_governance import alerts

    dag_run = (context or {}).get("dag_run") or {}
    deadline = (context or {}).get("deadline") or {}
    alert = alerts.deadline_missed(
        dag_id, dag_run.get("run_id", "?"), deadline.get("deadline_time"), interval
    )
    return await asyncio.to_thread(_deliver_once_with_store, alert)


def _deliver_once_with_store(alert) -> list[str]:
    try:
        store = _store()
    except Exception:
        log.exception("governance store unreachable: alerting without the once-only check")
        return deliver(alert)
    try:
        return deliver_once(store, alert) or []
    finally:
        store.dispose()


def send_deletion_alerts(ctx) -> dict:
    """Deletion requests at risk, overdue or completed after their deadline: each request and state
    told once (``alerts_sent``). A channel that fails leaves the alert due for the next run."""
    from utterance_governance import alerts

    due = alerts.due_deletion_alerts(ctx.store, ctx.policy, datetime.now(UTC))
    if ctx.dry_run:
        return {"dry_run": True, "due": [a.to_dict() for a in due]}
    sent = {}
    for alert in due:
        took = deliver_once(ctx.store, alert)
        sent[f"{alert.subject_key}|{alert.state}"] = took or []
    return alerts.summary(due, sent)
