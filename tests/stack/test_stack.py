"""The production stack, natively: what a data engineer does, and what must then be true in S3.

Against the components of docker-compose.yaml (``harness.Stack``: api-server, scheduler,
dag-processor, triggerer, a Celery worker; PostgreSQL, Redis, an S3 server), through the REST API
only: generate a landing zone straight into S3, unpause the DAGs, trigger a ``utterances_publish``
backfill of two of three days with params, watch it succeed; drop opt-outs and deletions into S3,
trigger ``privacy_requests``, watch it; then read S3 and the governance database directly:

- ``current.json`` names a live version whose manifest verifies (every shard: bytes, sha256, rows);
- only the requested days were decided; every live row is keyed with the deployment's pseudonym key;
- no live row may be used now (no opt-out, no deletion covers it), and the purge had work to do;
- deleted utterances are in no object anywhere under the bucket (ids and words; gzip and Parquet read);
- every deletion request has a completed receipt, in the store and in S3;
- ``governance_audit`` passes on the result;
- an access report requested by reference (``ug access request``) lands in the access-reports
  bucket (written with the worker's ``UG_ACCESS_REPORT_*`` credentials: moto checks none), not in
  the lake; no conf, XCom or report in the lake names the customer; the reference is good for one run.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.privacy_oracle import DELETION, OPTED_OUT, oracle_deleted, oracle_reasons
from tests.stack.components import AIRFLOW_SERVICES, INIT
from tests.stack.harness import RunFailed
from utterance_governance import schema as S
from utterance_governance.io.readers import Arrival, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest
from utterance_governance.purge.receipts import receipt_path
from utterance_governance.synth.summary import read_summary

pytestmark = [pytest.mark.stack, pytest.mark.integration, pytest.mark.slow]
DATASET = "assistant-sft"
DAGS = ("utterances_publish", "privacy_requests", "governance_audit")
DAYS = 3
REQUEST_RECORDS = ("landing/deletions/", "quarantine/deletions/")  # requests name the ids they delete


def synth(stack, *args: str) -> None:
    """The project's generator, writing into the stack's S3 lake as a container would (env only)."""
    result = subprocess.run([sys.executable, "-m", "utterance_governance.synth", "--root", stack.lake_url, *args],
                            env=stack.environment("airflow-worker"), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, f"generator failed:\n{result.stderr[-3000:]}"


def live(storage: Storage) -> tuple[dict, pa.Table]:
    """The live version's manifest and rows, after verifying every shard against the manifest."""
    current = read_current(storage, DATASET)
    assert current is not None, "current.json is missing"
    manifest = read_manifest(storage, DATASET, current["version"])
    assert manifest["version"] == current["version"] and manifest["status"] == "live"
    parts = []
    for shard in manifest["shards"]:
        path = DatasetPaths(DATASET).shard(shard["path"])
        data = storage.read_bytes(path)
        assert len(data) == shard["bytes"], path
        assert hashlib.sha256(data).hexdigest() == shard["sha256"], path
        table = pq.read_table(pa.BufferReader(data))
        assert table.num_rows == shard["rows"], path
        parts.append(table)
    rows = pa.concat_tables(parts) if parts else S.SHARD.empty_table()
    assert rows.num_rows == manifest["rows"]
    return manifest, rows


def landed(info, arrivals: dict):
    """When a landing file landed, as the pipeline knows it: recorded when it was first read, else
    (not read yet) its modification time."""
    return arrivals[info.path][1] if info.path in arrivals else info.modified


def landing_records(storage: Storage, store: GovernanceStore) -> pa.Table:
    """Every landing row, with its file's landing time as the store recorded it (unknown: not read yet)."""
    files = storage.list_files("landing/utterances", (".jsonl", ".jsonl.gz", ".parquet"))
    assert files, "no landing files"
    arrivals = store.arrivals(f.path for f in files)
    tables = [read_landing_file(storage, f.path, "utterances", Arrival(landed_at=landed(f, arrivals))).records
              for f in files]  # fmt: skip
    return pa.concat_tables(tables).select(
        ["customer_id", "utterance_id", "captured_at", "landed_at", "transcript"]
    )


def unusable_now(records: pa.Table, store: GovernanceStore) -> np.ndarray:
    """Rows a deletion covers or an opt-out in force now excludes (the pipeline's invariant), by the
    test oracle: other code than the product's."""
    reasons = oracle_reasons(records.to_pylist(), store.privacy_state(), Policy(), datetime.now(UTC))
    return np.array([r in (DELETION, OPTED_OUT) for r in reasons], dtype=bool)


def of_ids(records: pa.Table, ids: set[str]) -> pa.Table:
    return records.filter(pa.array([u in ids for u in records.column("utterance_id").to_pylist()]))


def readable(path: str, data: bytes) -> bytes:
    """An object's content as searchable bytes: gzip decompressed, Parquet rows as JSON."""
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    if path.endswith(".parquet"):
        data = json.dumps(
            pq.read_table(pa.BufferReader(data)).to_pylist(), default=str, ensure_ascii=False
        ).encode()
    return data


def bucket_objects(stack) -> list[tuple[str, bytes]]:
    """Every object in the whole bucket, read once: (path relative to the lake, searchable content)."""
    bucket_url = f"s3://{stack.endpoints.bucket}"
    bucket = Storage(bucket_url, **stack.lake_storage_options())
    lake_prefix = stack.lake_url.removeprefix(bucket_url).strip("/") + "/"
    paths = [info.path for info in bucket.list_files("")]
    contents = bucket.fs.cat([bucket.full(path) for path in paths])  # s3fs: the GETs concurrently
    return [(path.removeprefix(lake_prefix), readable(path, contents[bucket.full(path)])) for path in paths]


def traces(
    objects: list[tuple[str, bytes]], needles: list[str], *, skip: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """Every object of ``objects`` (``bucket_objects``) holding one of ``needles``, by path relative to the lake."""
    found = {}
    for rel, text in objects:
        if rel.startswith(skip):
            continue
        hits = [n for n in needles if n.encode() in text]
        if hits:
            found[rel] = hits
    return found


@pytest.mark.timeout(900)
def test_backfill_then_privacy_requests_on_the_production_stack(stack, tmp_path):
    # the harness started exactly the compose services' commands (and the S3 stand-in)
    assert {name: argv for name, argv in stack.started.items() if name != "minio"} == AIRFLOW_SERVICES
    assert stack.procs[INIT].returncode == 0

    storage = Storage(stack.lake_url, **stack.lake_storage_options())
    store = GovernanceStore(stack.environment("airflow-worker")["UG_DATABASE_URL"])
    key = stack.secrets["UG_PSEUDONYM_KEY"].encode()
    start = datetime.now(UTC).date() - timedelta(days=DAYS + 1)  # every privacy record is in the past
    days = [str(start + timedelta(days=i)) for i in range(DAYS)]

    # 1. upstream drops a landing zone into S3
    summary_file = tmp_path / "generation.json"
    synth(stack, "--utterances", "2500", "--seed", "17", "--days", str(DAYS), "--files-per-day", "1",
          "--start", days[0], "--format", "mixed", "--summary", str(summary_file))  # fmt: skip
    generated = read_summary(str(summary_file))
    assert storage.list_files("landing/utterances"), "the generator wrote nothing to S3"

    # 2. a data engineer (role DataEngineer) unpauses utterances_publish and backfills the first two days
    #    through the REST API; the privacy officer unpauses the privacy and audit DAGs
    engineer, officer = stack.users["DataEngineer"], stack.users["PrivacyOfficer"]
    stack.unpause("utterances_publish", engineer)
    for dag_id in ("privacy_requests", "governance_audit"):
        stack.unpause(dag_id, officer)
    conf = {"dt_from": days[0], "dt_to": days[1], "dry_run": False, "reprocess": False}
    stack.run_dag("utterances_publish", conf, timeout=300, note="stack test: backfill two days", api=engineer)

    first, rows = live(storage)
    assert first["parent_version"] is None and rows.num_rows > 0
    in_range = {f: n for f, n in generated.rows_by_file.items() if any(f"/dt={d}/" in f for d in days[:2])}
    assert sum(first["counts"].values()) == sum(in_range.values()) < generated.utterances  # dt range honoured
    records = landing_records(storage, store)  # read before any purge
    customer_of = dict(zip(records.column("utterance_id").to_pylist(), records.column("customer_id").to_pylist(),
                           strict=True))  # fmt: skip
    for uid, speaker in zip(rows.column("utterance_id").to_pylist(), rows.column("speaker_key").to_pylist(),
                            strict=True):  # fmt: skip
        assert speaker == hmac.new(key, customer_of[uid].encode(), "sha256").hexdigest(), (
            "not the deployment's key"
        )
    first_ids = set(rows.column("utterance_id").to_pylist())
    assert not unusable_now(of_ids(records, first_ids), store).any()
    excluded = [u for u in generated.cast_utterances if u.expected != S.PUBLISHED and u.file in in_range]
    assert excluded and not [(u.scenario, u.expected) for u in excluded if u.utterance_id in first_ids]
    docs = first["quality_gate"].get("docs_index")  # GX Data Docs, built and put into S3
    assert docs and docs.startswith("s3://") and storage.exists(docs.removeprefix(storage.url("") + "/"))
    (publish_run,) = store.runs("utterances_publish")
    assert storage.exists(publish_run["details"]["report"])

    # 3. later, opt-outs and deletions of every scope arrive for published customers
    update_file = tmp_path / "privacy-update.json"
    synth(stack, "--seed", "17", "--privacy-updates", str(summary_file),
          "--at", datetime.now(UTC).replace(microsecond=0).isoformat(), "--summary", str(update_file))  # fmt: skip
    update = json.loads(update_file.read_text())
    stack.run_dag(
        "privacy_requests", {"dry_run": False}, timeout=240, note="stack test: privacy drop", api=officer
    )

    # 4. a new live version that verifies; nothing live may be used now, and the purge had work to do
    second, rows = live(storage)
    assert second["parent_version"] == first["version"]
    live_ids = set(rows.column("utterance_id").to_pylist())
    assert not unusable_now(of_ids(records, live_ids), store).any()
    assert unusable_now(of_ids(records, first_ids), store).any(), "the privacy drop touched nothing published"
    removed = {u for u, reason in update["expected"].items() if reason in (S.OPTED_OUT, S.DELETION_REQUESTED)}
    assert removed and not removed & live_ids

    # 5. deleted utterances are in no object under the bucket: neither their ids nor their words
    gone = np.array(oracle_deleted(records.to_pylist(), store.deletion_requests()), dtype=bool)
    deleted, kept = records.filter(pa.array(gone)), records.filter(pa.array(~gone))
    ids = deleted.column("utterance_id").to_pylist()
    others = [t for t in kept.column("transcript").to_pylist() if t]
    words = [t for t in deleted.column("transcript").to_pylist()
             if t and len(t) >= 25 and not any(t in o for o in others)]  # fmt: skip
    assert ids and words, "the scenario should delete some distinctive utterances"
    assert set(update["deleted_utterance_ids"]) <= set(ids)
    bucket = bucket_objects(stack)  # both searches in one read of the bucket: nothing writes to it meanwhile
    assert traces(bucket, ids, skip=REQUEST_RECORDS) == {}
    assert traces(bucket, words) == {}

    # 6. one completed receipt per deletion request: in the governance database and in S3
    requests = store.deletion_requests().column("request_id").to_pylist()
    assert requests
    for request_id in requests:
        receipt = store.receipt(request_id)
        assert receipt is not None and receipt["status"] == "completed", request_id
        document = json.loads(storage.read_bytes(receipt_path(request_id)))
        assert document["status"] == "completed" and document["removed"] == receipt["removed_counts"]

    # 7. the daily audit agrees
    stack.run_dag(
        "governance_audit", {"access_request": None}, timeout=240, note="stack test: audit", api=officer
    )

    # 8. a customer asks for their data: the officer registers the request (`ug access request`, in the
    #    worker's environment: `docker compose run --rm airflow-worker ug access request ...`) and
    #    triggers governance_audit with the reference alone; the report lands in the access-reports
    #    bucket, and nowhere in the lake
    customer = customer_of[sorted(live_ids)[0]]
    reference = access_request(stack, customer)
    run = stack.run_dag("governance_audit", {"access_request": reference}, timeout=240,
                        note="stack test: access report", api=officer)  # fmt: skip
    assert customer not in json.dumps(run)  # the run page's conf, note, ...
    request = store.access_request(reference)
    assert request["status"] == "done" and request["run_id"] == run["dag_run_id"]
    access_root = stack.environment("airflow-worker")["UG_ACCESS_REPORT_ROOT"]
    assert request["report_url"].startswith(f"{access_root}/reports/access/")
    reports = Storage(access_root, **stack.access_report_storage_options())
    report = json.loads(reports.read_bytes(request["report_url"].removeprefix(f"{access_root}/")))
    assert report["customer_id"] == customer and report["summary"]["live_in_dataset"] > 0
    assert not storage.list_files("reports/access", ()), "an access report in the lake"
    in_reports = {
        k: v for k, v in traces(bucket_objects(stack), [customer]).items() if k.startswith("reports/")
    }
    assert in_reports == {}  # nothing under the lake's reports/ names the customer
    xcoms = (
        f"/api/v2/dags/governance_audit/dagRuns/{run['dag_run_id']}/taskInstances/access_report/xcomEntries"
    )
    assert customer not in json.dumps(officer.get(xcoms))
    with pytest.raises(RunFailed):  # one-time: the same reference again is refused at prepare
        stack.run_dag("governance_audit", {"access_request": reference}, timeout=240, api=officer)
    store.dispose()


def access_request(stack, customer_id: str) -> str:
    """``ug access request`` as the privacy officer runs it, in the worker's environment; the reference."""
    result = subprocess.run([sys.executable, "-m", "utterance_governance.cli", "access", "request", "--customer-id",
                             "-", "--by", "stack-test-officer"], input=customer_id + "\n",
                            env=stack.environment("airflow-worker"), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert customer_id not in result.stdout + result.stderr
    return result.stdout.strip()


@pytest.mark.timeout(300)
def test_roles_are_enforced_through_the_rest_api(stack):
    """FAB roles of ug_airflow.roles, through the REST API: the viewer triggers nothing, the engineer
    neither triggers nor reads governance_audit (access reports: its runs, their XComs and logs)."""
    engineer, officer, viewer = (
        stack.users[r] for r in ("DataEngineer", "PrivacyOfficer", "GovernanceViewer")
    )
    audit_runs = "/api/v2/dags/governance_audit/dagRuns"
    body = {"logical_date": None, "conf": {"access_request": None}}
    assert viewer.status("POST", audit_runs, json=body) == 403
    assert engineer.status("POST", audit_runs, json=body) == 403
    assert (
        viewer.status("POST", "/api/v2/dags/utterances_publish/dagRuns", json={"logical_date": None}) == 403
    )
    assert viewer.status("GET", "/api/v2/dags/utterances_publish/dagRuns") == 200
    # a run of governance_audit the officer triggers: nobody but the officer (and admin) reads it
    run_id = stack.trigger("governance_audit", {"access_request": None}, "roles test", api=officer)
    run = f"{audit_runs}/{run_id}"
    assert officer.status("GET", run) == 200
    # (under the full suite beside it, the stack's scheduler took over 180 s to run the task: a wait, not a check)
    stack.wait_until("prepare to finish", lambda: any(
        t["task_id"] == "prepare" and t["state"] in ("success", "failed") for t in stack.task_instances("governance_audit", run_id)), 420)  # fmt: skip
    xcom = f"{run}/taskInstances/prepare/xcomEntries"
    logs = f"{run}/taskInstances/prepare/logs/1"
    assert officer.status("GET", xcom) == 200
    for api in (engineer, viewer):
        assert api.status("GET", run) == 403
        assert api.status("GET", xcom) == 403
        assert api.status("GET", logs) == 403
        assert api.status("GET", "/api/v2/dags/governance_audit") == 403
    # the engineer's own DAG: readable and triggerable, its XComs readable
    assert engineer.status("GET", "/api/v2/dags/utterances_publish/dagRuns") == 200
    assert (
        officer.status("POST", "/api/v2/dags/utterances_publish/dagRuns", json={"logical_date": None}) == 403
    )
    stack.wait_for_run("governance_audit", run_id, 240)
