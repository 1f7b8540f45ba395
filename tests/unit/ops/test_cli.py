"""``ug``, the runbook's command line: what each command shows, its exit status, and that nothing it
prints names a customer."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from tests.unit.lakes import add_deletion

from utterance_governance import schema as S
from utterance_governance.cli import main
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import load_policy
from utterance_governance.purge import receipts

CUSTOMER = "cust-RAW-0042"


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


def _hours_ago(hours: float) -> float:
    """``lakes.ts`` takes hours after its T0: the moment ``hours`` before now."""
    from tests.unit.lakes import T0

    return (datetime.now(UTC) - timedelta(hours=hours) - T0).total_seconds() / 3600


def test_help_of_every_command_exits_zero_through_the_console_script():
    script = Path(sys.executable).with_name("ug")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "utterance_governance.cli"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[3] / "plugins"), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    for args in ([], ["status"], ["requests"], ["receipt"], ["privacy"], ["privacy", "ack"], ["rekey"]):
        out = subprocess.run([*command, *args, "--help"], capture_output=True, text=True, env=env)
        assert out.returncode == 0, (args, out.stderr)
        assert "usage: ug" in out.stdout
    wrong = subprocess.run([*command, "no-such-command"], capture_output=True, text=True, env=env)
    assert wrong.returncode == 2


def test_status_is_well_on_an_empty_lake_and_needs_a_person_when_a_run_failed(env, capsys):
    assert main(["status"]) == 0
    assert "all is well" in capsys.readouterr().out
    now = datetime.now(UTC)
    env.record_run("r1", "utterances_publish", now, now, "success", {"published": 3})
    env.record_step_failure(
        "r2", "utterances_publish", "gate_batch", "GateFailed: user_text_no_identifier", now
    )
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert (
        "[failed]" in out
        and "gate_batch: GateFailed" in out
        and "latest run of utterances_publish failed" in out
    )


def test_requests_and_receipt_name_requests_never_customers(env, capsys):
    add_deletion(env, "d-late", CUSTOMER, _hours_ago(24 * 31))  # past the 30-day deadline
    add_deletion(env, "d-new", CUSTOMER, _hours_ago(1))
    receipts.open_receipts(env, load_policy(None))
    assert main(["requests"]) == 1  # one is overdue
    out = capsys.readouterr().out
    assert "overdue" in out and "d-late" in out and "d-new" in out and CUSTOMER not in out
    assert main(["status"]) == 1
    assert "1 overdue" in capsys.readouterr().out
    assert main(["receipt", "d-new"]) == 0
    out = capsys.readouterr().out
    assert '"request_id": "d-new"' in out and '"status": "open"' in out and CUSTOMER not in out
    assert main(["receipt", "nope"]) == 1
    assert "unknown" in capsys.readouterr().err


def test_privacy_ack_releases_a_blocking_record_and_reports_ids_that_were_not_open(env, capsys):
    broken = pa.Table.from_pylist(
        [{"source_file": "landing/deletions/broken.jsonl", "line": 3, "record_id": None, "customer_id": None,
          "reason": S.MALFORMED, "detail": "missing_field:customer_id", "raw": '{"x": 1}'}],
        schema=S.QUARANTINE,
    )  # fmt: skip
    env.record_privacy_quarantine("deletion", broken)
    assert main(["status"]) == 1
    assert "PUBLISHING BLOCKED" in capsys.readouterr().out
    assert main(["privacy", "list"]) == 0
    out = capsys.readouterr().out
    (line,) = [t for t in out.splitlines() if "broken.jsonl line 3" in t]
    record_id = int(line.split()[0].lstrip("#"))
    assert "BLOCKS PUBLISHING" in line
    assert main(["privacy", "ack", str(record_id), "--by", "oncall"]) == 0
    assert "publishing is not blocked" in capsys.readouterr().out
    assert env.privacy_blocked_reasons() == []
    assert main(["privacy", "ack", str(record_id), "--by", "oncall"]) == 1  # already acknowledged
    assert main(["status"]) == 0
    with pytest.raises(SystemExit) as exc:
        main(["privacy", "ack", str(record_id)])  # --by is required
    assert exc.value.code == 2


def test_privacy_list_shows_a_customer_partition_of_a_records_path_not_the_customers_id(env, capsys):
    """An unreadable record in a customer-partitioned landing path (``customer_id=<id>/``): the store keeps
    the path; the listing shows it as every other surface does (``readers.shown_path``), its detail too
    (review 15b, F01)."""
    broken = pa.Table.from_pylist(
        [{"source_file": f"landing/deletions/customer_id={CUSTOMER}/req.jsonl", "line": 1, "record_id": None,
          "customer_id": None, "reason": S.MALFORMED,
          "detail": f"unsupported_name: landing/utterances/dt=2026-11-20/customer_id={CUSTOMER}/part-1.JSONL",
          "raw": '{"x": 1}'}],
        schema=S.QUARANTINE,
    )  # fmt: skip
    env.record_privacy_quarantine("deletion", broken)
    assert main(["privacy", "list", "--all"]) == 0
    printed = capsys.readouterr()
    assert "landing/deletions/customer_id=[customer]/req.jsonl line 1" in printed.out
    assert "customer_id=[customer]/part-1.JSONL" in printed.out
    assert CUSTOMER not in printed.out + printed.err


def test_settings_mask_a_password_given_in_the_url_or_its_query(env, capsys, monkeypatch):
    monkeypatch.setenv(
        "UG_DATABASE_URL", "postgresql+psycopg2://gov:userpw@db.internal/gov?password=querypw&sslmode=require"
    )
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "userpw" not in out and "querypw" not in out
    assert "db.internal/gov" in out and "sslmode=require" in out


def test_operator_errors_are_one_line_not_a_traceback(env, capsys, monkeypatch, tmp_path):
    assert main(["privacy", "ack", "1", "--by", "  "]) == 2
    err = capsys.readouterr().err
    assert "--by must name" in err and "Traceback" not in err
    monkeypatch.setenv("UG_DATABASE_URL", "postgresql+psycopg2://gov:secretpw@127.0.0.1:1/nowhere")
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert "unreachable" in err and "secretpw" not in err and "Traceback" not in err


# ``ug status`` reads the latest run of each DAG on its own (review of 2026-12-07)
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
