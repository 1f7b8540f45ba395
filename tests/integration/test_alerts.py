"""Alerts reach a person: mail through ``smtp_default`` to ``ug_alert_recipients`` and a JSON POST to the
``ug_alert_webhook`` connection, against a real local SMTP server (aiosmtpd) and a local HTTP receiver.
Each alert arrives once, names no customer, and nothing configured means logged, not failed."""

from __future__ import annotations

import asyncio
import email
import json
import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import load_policy
from utterance_governance.purge import receipts

pytestmark = pytest.mark.integration
CUSTOMER = "cust-RAW-7731"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted for delivery"

    def texts(self) -> list[str]:
        out = []
        for message in self.messages:
            parts = [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
            out.append(f"{message['Subject']}\n" + "\n".join(parts))
        return out


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()


@pytest.fixture
def webhook_server():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append({"path": self.path, "json": json.loads(body)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


@pytest.fixture
def alerting(monkeypatch, smtp_server, webhook_server):
    """Alerts configured the Airflow way, through the environment (as a deployment's secrets backend would)."""
    smtp_port, mailbox = smtp_server
    hook_port, posts = webhook_server
    monkeypatch.setenv("AIRFLOW_VAR_UG_ALERT_RECIPIENTS", "oncall@example.org, privacy-team@example.org")
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "ug-alerts@example.org",
                  "retry_limit": 0, "timeout": 10}}))  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_UG_ALERT_WEBHOOK", json.dumps({
        "conn_type": "http", "host": f"http://127.0.0.1:{hook_port}/hooks/ug"}))  # fmt: skip
    return SimpleNamespace(mailbox=mailbox, posts=posts)


@pytest.fixture
def governance(lake_env, tmp_path):
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    store.create_schema()
    yield store
    store.dispose()


def _ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _deletions(store: GovernanceStore, **requested_days_ago: float) -> None:
    import pyarrow as pa

    from utterance_governance import schema as S

    rows = [{"request_id": rid, "customer_id": CUSTOMER, "scope": "all", "from": None, "to": None,
             "utterance_ids": None, "requested_at": _ago(days)} for rid, days in requested_days_ago.items()]  # fmt: skip
    store.ingest_deletion_requests(pa.Table.from_pylist(rows, schema=S.DELETION), "landing/deletions/x.jsonl")
    receipts.open_receipts(store, load_policy(None))


def test_deletion_alerts_arrive_by_mail_and_webhook_once_per_request_and_state(alerting, governance):
    from ug_airflow.alerts import send_deletion_alerts

    # default policy: 30-day deadline, at risk within 7 days of it
    _deletions(governance, **{"d-risk": 25, "d-late": 31, "d-fine": 1})
    ctx = SimpleNamespace(store=governance, policy=load_policy(None), dry_run=False)
    result = send_deletion_alerts(ctx)
    assert {(s["subject_key"], s["state"]) for s in result["sent"]} == {
        ("deletion:d-risk", "at_risk"), ("deletion:d-late", "overdue")}  # fmt: skip
    assert all(sorted(s["channels"]) == ["smtp", "webhook"] for s in result["sent"])

    mails = alerting.mailbox.texts()
    assert len(mails) == 2
    assert {tuple(sorted(e.rcpt_tos)) for e in alerting.mailbox.envelopes} == {
        ("oncall@example.org", "privacy-team@example.org")}  # fmt: skip
    assert any("deletion OVERDUE: deletion request d-late" in m for m in mails)
    assert any("deletion at risk: deletion request d-risk" in m for m in mails)
    assert {p["json"]["state"] for p in alerting.posts} == {"at_risk", "overdue"}
    assert all(p["path"] == "/hooks/ug" and p["json"]["text"] for p in alerting.posts)
    everything = json.dumps(mails) + json.dumps(alerting.posts)
    assert CUSTOMER not in everything and "d-fine" not in everything

    # the next hourly run tells nobody again
    assert send_deletion_alerts(ctx)["due"] == 0
    assert len(alerting.mailbox.messages) == 2 and len(alerting.posts) == 2
    assert {(a["subject_key"], a["state"]) for a in governance.alerts()} == {
        ("deletion:d-risk", "at_risk"), ("deletion:d-late", "overdue")}  # fmt: skip

    # completed after its deadline: told once more, as a breach
    governance.upsert_receipt("d-late", status="completed", completed_at=datetime.now(UTC))
    result = send_deletion_alerts(ctx)
    assert [(s["subject_key"], s["state"]) for s in result["sent"]] == [("deletion:d-late", "completed_late")]
    assert "completed LATE" in alerting.mailbox.texts()[-1] and CUSTOMER not in alerting.mailbox.texts()[-1]


def test_a_mail_server_that_is_down_leaves_the_alert_due_for_the_next_run(alerting, governance, monkeypatch):
    from ug_airflow.alerts import send_deletion_alerts

    _deletions(governance, **{"d-late": 40})
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": _free_port(),
        "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 2}}))  # fmt: skip
    monkeypatch.delenv("AIRFLOW_CONN_UG_ALERT_WEBHOOK")
    ctx = SimpleNamespace(store=governance, policy=load_policy(None), dry_run=False)
    result = send_deletion_alerts(ctx)  # does not raise
    assert result["sent"][0]["channels"] == []
    assert governance.alerts() == []  # not recorded: the next run tries again
    monkeypatch.undo()


def test_no_channel_configured_means_logged_once_not_failed(lake_env, governance, monkeypatch, caplog):
    from ug_airflow.alerts import send_deletion_alerts

    for name in (
        "AIRFLOW_VAR_UG_ALERT_RECIPIENTS",
        "AIRFLOW_CONN_SMTP_DEFAULT",
        "AIRFLOW_CONN_UG_ALERT_WEBHOOK",
    ):
        monkeypatch.delenv(name, raising=False)
    _deletions(governance, **{"d-late": 40})
    ctx = SimpleNamespace(store=governance, policy=load_policy(None), dry_run=False)
    with caplog.at_level(logging.ERROR, logger="ug_airflow.alerts"):
        result = send_deletion_alerts(ctx)
    assert result["due"] == 1 and result["sent"][0]["channels"] == []
    assert "no alert channel configured" in caplog.text and "d-late" in caplog.text
    assert [a["channels"] for a in governance.alerts()] == [[]]  # logged once, not every hour
    assert send_deletion_alerts(ctx)["due"] == 0


def test_the_deadline_alert_callback_mails_once_per_run(alerting, governance):
    from ug_airflow.alerts import deadline_missed

    context = {"dag_run": {"dag_id": "utterances_publish", "run_id": "scheduled__2026-12-03T02:00:00+00:00"},
               "deadline": {"id": "x", "deadline_time": "2026-12-03T08:00:00+00:00"}}  # fmt: skip
    took = asyncio.run(deadline_missed(dag_id="utterances_publish", interval="6 hours", context=context))
    assert sorted(took) == ["smtp", "webhook"]
    (mail,) = alerting.mailbox.texts()
    assert "utterances_publish run not finished 6 hours after its schedule" in mail
    assert "scheduled__2026-12-03T02:00:00+00:00" in mail
    assert (
        asyncio.run(deadline_missed(dag_id="utterances_publish", interval="6 hours", context=context)) == []
    )
    assert len(alerting.mailbox.messages) == 1
