"""Metrics through Airflow's own StatsD settings, and progress lines in the task log.

A real StatsD receiver (a UDP socket of the test) and ``AIRFLOW__METRICS__STATSD_ON=True`` with
``statsd_host``/``statsd_port`` pointing at it; the DAGs run with ``dag.test()`` against a generated
lake; what arrived is compared with the run's own report and the store. A worker's task process
initializes the Task SDK's Stats from ``[metrics]`` when it starts (``task_runner.main``);
``dag.test()`` runs the tasks in this process, so the fixture does that once the settings are made.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from tests.integration.conftest import failed_with

from utterance_governance.io.readers import SUFFIXES, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.jobs.publish import GateFailed
from utterance_governance.purge.receipts import DeletionOverdue, PurgeIncomplete
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration
PREFIX = "airflow.ug."


class StatsdReceiver:
    """A StatsD server: every ``name:value|type`` datagram that arrives, in order."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            self.lines += data.decode().splitlines()

    def close(self) -> None:
        time.sleep(0.3)  # the last datagrams of the run
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def ours(self) -> list[tuple[str, float, str]]:
        """(name without ``airflow.``, value, type) of the pipeline's metrics (Airflow's own left out)."""
        out = []
        for line in self.lines:
            name, _, rest = line.partition(":")
            if name.startswith(PREFIX):
                value, _, kind = rest.partition("|")
                out.append((name.removeprefix("airflow."), float(value), kind.split("|")[0]))
        return out

    def counters(self) -> dict[str, float]:
        total: dict[str, float] = defaultdict(float)
        for name, value, kind in self.ours():
            if kind == "c":
                total[name] += value
        return dict(total)

    def gauges(self) -> dict[str, float]:
        return {name: value for name, value, kind in self.ours() if kind == "g"}  # the last one stands


@pytest.fixture
def statsd(monkeypatch):
    from airflow.sdk._shared.observability.metrics.base_stats_logger import NoStatsLogger
    from airflow.sdk.configuration import conf
    from airflow.sdk.observability import stats
    from airflow.sdk.observability.metrics import stats_utils

    from utterance_governance.jobs import telemetry

    receiver = StatsdReceiver()
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_ON", "True")
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_HOST", "127.0.0.1")
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_PORT", str(receiver.port))
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_PREFIX", "airflow")
    # what the task runner does at the start of every task process
    stats.initialize(factory=stats_utils.get_stats_factory(), export_legacy_names=conf.getboolean("metrics", "legacy_names_on"))  # fmt: skip
    try:
        yield receiver
    finally:
        receiver.close()
        stats.initialize(factory=NoStatsLogger, export_legacy_names=True)
        telemetry.set_sink(None)


def metric(*parts: str) -> str:
    from utterance_governance.jobs.telemetry import metric_name

    return metric_name(*parts)


@pytest.fixture
def generated(lake_env):
    return generate_landing(str(lake_env), 1500, seed=11, file_format="mixed", days=2, files_per_day=2)


def report_of(root, run_id: str) -> dict:
    storage = Storage(str(root))
    (path,) = [f.path for f in storage.list_files("reports", ("report.json",)) if "/report.json" in f.path]
    report = json.loads(storage.read_bytes(path))
    assert report["run_id"] == run_id
    return report


def test_counts_by_reason_and_the_gate_arrive_at_statsd(run_dag, lake_env, generated, statsd):
    run = run_dag("utterances_publish")
    assert run.state == "success"
    statsd.close()
    report = report_of(lake_env, run.run_id)
    counters, gauges = statsd.counters(), statsd.gauges()

    # counts by reason: exactly the report's, each under its reason's name
    decided = {k.removeprefix("ug.publish.decisions."): v for k, v in counters.items()
               if k.startswith("ug.publish.decisions.")}  # fmt: skip
    expected = {metric("x", r).removeprefix("ug.x."): n for r, n in report["counts"].items()}
    assert decided == expected and sum(decided.values()) == generated.utterances
    assert any(r.startswith("quality_") for r in decided) or "published" in decided

    # the gate passed once, failed never; one new version and its rows
    assert counters[metric("publish", "gate", "passed")] == 1
    assert metric("publish", "gate", "failed") not in counters
    assert counters[metric("publish", "version_published")] == 1
    assert gauges[metric("publish", "live_rows")] == report["published"]["rows"] > 0

    # per file: every landing file read, every row of it, its rows/s and duration
    landing = Storage(str(lake_env)).list_files("landing/utterances", SUFFIXES)
    assert counters[metric("publish", "files_read")] == len(landing) == 4
    assert counters[metric("publish", "rows_read")] == generated.utterances
    assert gauges[metric("publish", "process_file", "rows_per_s")] > 0
    timers = [
        v for n, v, k in statsd.ours() if n == metric("publish", "process_file", "duration") and k == "ms"
    ]
    assert len(timers) == 4 and all(v > 0 for v in timers)


def test_a_failed_gate_arrives_with_its_failing_checks(
    run_dag, lake_env, generated, statsd, monkeypatch, task_errors
):
    import utterance_governance.decide as decide

    monkeypatch.setattr(
        decide, "redact_array", lambda values, *args, **kwargs: values
    )  # a redaction regression
    run = run_dag("utterances_publish")
    assert run.state == "failed"
    failed_with(task_errors, "gate_batch", GateFailed)
    statsd.close()
    counters = statsd.counters()
    assert counters[metric("publish", "gate", "failed")] == 1
    assert metric("publish", "gate", "passed") not in counters
    storage = Storage(str(lake_env))
    (gate_file,) = storage.list_files("reports", ("gate.json",))
    failing = {f["check"] for f in json.loads(storage.read_bytes(gate_file.path))["failed"]}
    assert failing & {"user_text_no_identifier", "assistant_text_no_identifier"}
    sent = {k.removeprefix("ug.publish.gate.failed_check.") for k in counters if ".failed_check." in k}
    assert sent == failing
    assert not [k for k in counters if k.startswith("ug.publish.decisions.")]  # no run was completed


def deletion_request(storage: Storage, request_id: str, customer_id: str, days_ago: float) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")
    request = {"request_id": request_id, "customer_id": customer_id, "scope": "all", "requested_at": when}
    storage.write_bytes(f"landing/deletions/{request_id}.jsonl", json.dumps(request).encode() + b"\n")


def test_requests_pending_and_overdue_arrive_as_gauges(run_dag, lake_env, statsd, monkeypatch, task_errors):
    """Two deletion requests the purge cannot complete (the object store is down): one overdue, one new."""
    from utterance_governance.purge import published as purge_module

    storage = Storage(str(lake_env))
    deletion_request(storage, "late-1", "cust-late", days_ago=40)
    deletion_request(storage, "new-1", "cust-new", days_ago=0)

    def unavailable(*args, **kwargs):
        raise OSError("object store unavailable")

    monkeypatch.setattr(purge_module, "purge_published", unavailable)
    run = run_dag("privacy_requests")
    assert run.state == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {
        "purge_published": OSError, "check_deadlines": DeletionOverdue, "any_step_failed": PurgeIncomplete}  # fmt: skip
    statsd.close()
    gauges = statsd.gauges()
    assert gauges[metric("privacy", "requests", "pending")] == 2
    assert gauges[metric("privacy", "requests", "overdue")] == 1
    assert gauges[metric("privacy", "requests", "at_risk")] == 0
    # as `ug status` counts them
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.policy import load_policy
    from utterance_governance.reports.deadlines import COMPLETED, OVERDUE, load_deadlines

    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    table = load_deadlines(store, load_policy(None), datetime.now(UTC))
    store.dispose()
    assert sum(d.state != COMPLETED for d in table) == 2 and sum(d.state == OVERDUE for d in table) == 1


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_progress_lines_say_rows_per_second_and_never_text_or_customer_ids(
    run_dag, lake_env, generated, caplog
):
    collect = Collect()
    logger = logging.getLogger("utterance_governance")
    logger.addHandler(collect)
    try:
        with caplog.at_level(logging.INFO, logger="utterance_governance"):
            assert run_dag("utterances_publish").state == "success"
    finally:
        logger.removeHandler(collect)
    lines = collect.lines
    progress = [line for line in lines if line.startswith("progress ")]

    storage = Storage(str(lake_env))
    landing = [f.path for f in storage.list_files("landing/utterances", SUFFIXES)]
    for path in landing:  # one line per file: its name, rows and rows/s
        (line,) = [p for p in progress if p.startswith(f"progress process_file: {path}: ")]
        assert " rows in " in line and line.split(" rows/s")[0].rsplit(", ", 1)[1].replace(".", "").isdigit()
    assert [p for p in progress if p.startswith("progress gate_partition: id partition 0 of ")]
    assert [p for p in progress if p.startswith("progress publish: speaker partition ")]
    (finished,) = [p for p in progress if p.startswith("progress publish: finished")]
    assert "rows/s" in finished and "shards of version v000001" in finished

    # no transcript text, no customer id in any line the pipeline logged
    texts, customers = set(), set()
    for path in landing:
        records = read_landing_file(storage, path, "utterances").records.to_pylist()
        texts |= {r[k] for r in records for k in ("transcript", "response") if r.get(k) and len(r[k]) >= 12}
        customers |= {r["customer_id"] for r in records if r.get("customer_id")}
    assert texts and customers
    logged = "\n".join(lines)
    assert not [t for t in texts if t in logged]
    assert not [c for c in customers if c in logged]
    # the same lines reached Python's logging as the task log is fed
    assert [r for r in caplog.records if r.getMessage().startswith("progress process_file: ")]
