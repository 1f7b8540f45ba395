"""``ug status``: exit 1 when the latest run of a DAG failed (cli.py's doc, README "Command line")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from utterance_governance.cli import main
from utterance_governance.io.store import GovernanceStore


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("UG_DATA_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("UG_DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "unit-test-key")
    monkeypatch.setenv("UG_ENV", "development")
    monkeypatch.delenv("UG_POLICY_FILE", raising=False)
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    store.create_schema()
    yield store
    store.dispose()


def test_a_failed_nightly_publish_still_needs_a_person_after_ten_hourly_privacy_runs(env, capsys):
    now = datetime.now(UTC)
    night = now - timedelta(hours=11)
    env.record_step_failure("scheduled__night", "utterances_publish", "gate_batch", "GateFailed: x", night)
    for hour in range(10):  # privacy_requests is hourly: ten runs since the night's failed publish
        at = night + timedelta(hours=hour + 1)
        env.record_run(f"scheduled__p{hour}", "privacy_requests", at, at, "success", {})
    # the latest (and only) utterances_publish run failed: nothing was published, a person is needed
    # Before: exit 0 and "all is well" - `status` takes the 10 newest runs of all DAGs together
    # (store.runs(limit=10)), so the failed publish falls out of the window by mid-morning.
    assert main(["status"]) == 1
    assert "latest run of utterances_publish failed" in capsys.readouterr().out


def test_an_access_report_run_does_not_hide_a_failed_audit(env, capsys):
    now = datetime.now(UTC)
    env.record_step_failure(
        "scheduled__audit",
        "governance_audit",
        "fail_on_violations",
        "AuditFailed: opted_out",
        now - timedelta(hours=2),
    )
    # a privacy officer then runs an access report (a manual governance_audit run with access_request),
    # which jobs/audit.access_report records as a successful governance_audit run
    env.record_run(
        "manual__access",
        "governance_audit",
        now - timedelta(hours=1),
        now,
        "success",
        {"access_utterances": 3},
        {"mode": "access"},
    )
    # the audit's finding is still unresolved: status must say so
    # Before: exit 0 "all is well" - the access run counts as the latest governance_audit run.
    assert main(["status"]) == 1
