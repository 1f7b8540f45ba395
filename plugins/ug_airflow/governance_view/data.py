"""What the governance view shows, read from the governance store and the lake (no Airflow here).

``governance_snapshot`` gathers, for the dataset of the settings: the live version (from
``current.json`` and its manifest), the version history with the training runs that consumed
each version, recent runs with their counts by reason and links to their report, gate result
and Data Docs, pending deletion requests with their deadlines, receipts, and the latest audit's
findings.

What it never returns: transcript or response text (the store holds none, and no shard is
read), customer ids (only request ids, versions, run ids, counts; audit findings without
their utterance id; unreadable privacy records by file, as ``shown_path`` shows it, and line),
speaker keys.

What the user's Airflow role may not read of a DAG is left out (``may_read``, asked of Airflow's
auth manager by the app): its runs and their reports, and for ``privacy_requests`` the pending
deletions and receipts, for ``governance_audit`` the latest audit. ``hidden`` names those DAGs.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from utterance_governance.jobs.run_keys import run_key

log = logging.getLogger(__name__)

RUNS_SHOWN = 30
VERSIONS_SHOWN = 30
RECEIPTS_SHOWN = 50
FINDINGS_SHOWN = 50
AUDIT_DAG = "governance_audit"
PRIVACY_DAG = "privacy_requests"
PIPELINE_DAGS = ("utterances_publish", PRIVACY_DAG, AUDIT_DAG)
_SCHEMA_READY: set[str] = set()  # store URLs whose schema this process has checked

# files of a run's report folder the view may serve (``reports/<run>/...``): the run page, the
# gate's result and its Data Docs. Never ``reports/access/`` (a customer's own transcripts).
_SERVABLE = re.compile(
    r"^reports/(?!access/|receipts/)[A-Za-z0-9._=-]+/(index\.html|gate\.json|report\.json|audit\.json|gx/[A-Za-z0-9._/=-]+)$"
)


# keys of a run's JSON results that name rows (the gate's samples and findings, the audit's findings)
_ROW_ID_KEY = re.compile(r"utterance_ids?$|^sample_utterance_ids$|^record_id$")
# the sample values of a check on a row id column (the gate's duplicate ids) are row ids too
_SAMPLE_KEY = re.compile(r"^samples?(_values)?$")
NOT_SHOWN = "(not shown)"


def _names_rows(key: Any, parent: Mapping[str, Any]) -> bool:
    return bool(_ROW_ID_KEY.search(str(key))) or (
        bool(_SAMPLE_KEY.match(str(key))) and bool(_ROW_ID_KEY.search(str(parent.get("column") or "")))
    )


def without_row_ids(data: bytes) -> bytes:
    """A run's JSON result as the view serves it: every value under a key naming rows (``utterance_id``,
    ``sample_utterance_ids``, the sample values of a check on the ``utterance_id`` column) replaced by
    ``"(not shown)"``, and a path naming a customer as reports show it (``readers.shown_path``). The file in
    the lake keeps them for the operator reading it there; the view shows no utterance id."""
    from utterance_governance.io.readers import shown_path

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: NOT_SHOWN if _names_rows(k, value) else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return shown_path(value) if isinstance(value, str) else value

    try:
        return json.dumps(scrub(json.loads(data)), indent=2, default=str).encode()
    except ValueError:  # not JSON after all: nothing of it is served
        return b"{}"


def row_ids_named(data: bytes) -> set[str]:
    """The row ids a run's JSON result names: every value ``without_row_ids`` hides. Raises
    ``ValueError`` for a file that is no JSON."""
    found: set[str] = set()

    def collect(value: Any, named: bool) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                collect(v, named or _names_rows(k, value))
        elif isinstance(value, list):
            for v in value:
                collect(v, named)
        elif named and value is not None and not isinstance(value, bool):
            found.add(str(value))

    collect(json.loads(data), False)
    return found


def html_without_row_ids(storage, rel: str, data: bytes) -> bytes | None:
    """A run's page or Data Docs page (``reports/<run>/index.html``, ``…/gx/**.html``) as the view serves it:
    every row id the run's JSON results name (``row_ids_named``: the audit's page lists its findings' ids,
    the Data Docs the failing rows' ids the gate's result samples) replaced by ``(not shown)``, as the page
    escapes it, and a path naming a customer as reports show it. None (not served) when a result of the run
    cannot be read: its ids could not be known."""
    from utterance_governance.io.readers import shown_path
    from utterance_governance.purge.traces import Scrubber

    folder = "/".join(rel.split("/")[:2])
    ids: set[str] = set()
    for info in storage.list_files(folder, (".json",)):
        if info.path.startswith(f"{folder}/gx/"):  # (GX's own, of no row)
            continue
        try:
            ids |= row_ids_named(storage.read_bytes(info.path))
        except (ValueError, UnicodeDecodeError):
            log.warning("%s is no JSON: the pages of its run are not served", shown_path(info.path))
            return None
    text = data.decode("utf-8", errors="replace")
    if ids:
        text = Scrubber(ids, html=True, replacement=NOT_SHOWN)(text)
    return shown_path(text).encode("utf-8")


def servable(rel: str) -> bool:
    """May the view serve this lake path (a run's page, gate result or Data Docs)?"""
    return bool(_SERVABLE.match(rel)) and ".." not in rel.split("/")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _ordered(counts: Mapping[str, int] | None) -> list[tuple[str, int]]:
    from utterance_governance.reports.render import ordered_counts

    return ordered_counts(counts or {})


def _live(storage, data_root: str, dataset: str) -> dict | None:
    from utterance_governance.publish.commit import read_current, read_manifest
    from utterance_governance.publish.lineage import dataset_url, manifest_url

    current = read_current(storage, dataset)
    if current is None:
        return None
    version = current["version"]
    manifest = read_manifest(storage, dataset, version)
    gate = manifest.get("quality_gate") or {}
    return {
        "version": version,
        "parent_version": manifest.get("parent_version"),
        "switched_at": current.get("switched_at"),
        "created_at": manifest.get("created_at"),
        "run_id": manifest.get("run_id"),
        "rows": manifest.get("rows", 0),
        "new_rows": manifest.get("new_rows", 0),
        "shards": len(manifest.get("shards", [])),
        "key_fingerprint": manifest.get("key_fingerprint"),
        "gate_success": gate.get("success"),
        "gate_skipped": bool(gate.get("skipped")),
        "counts": _ordered(manifest.get("counts")),
        "dataset_url": dataset_url(data_root, dataset),
        "manifest_url": manifest_url(data_root, dataset, version),
        "replaces": (manifest.get("replaces") or {}).get("version"),
        "replaces_reason": (manifest.get("replaces") or {}).get("reason") or [],
    }


def _links(storage, run: Mapping[str, Any]) -> dict[str, str]:
    """A run's report files by kind (lake paths the view serves; None where there is none)."""
    key = run_key(run["dag_id"], run["run_id"])
    candidates = {
        "page": f"reports/{key}/index.html",
        "gate": f"reports/{key}/gate.json",
        "docs": f"reports/{key}/gx/index.html",
        "audit": f"reports/{key}/audit.json",
    }
    return {kind: path if storage.exists(path) else None for kind, path in candidates.items()}


def _runs(store, storage, may_read: Callable[[str], bool]) -> list[dict]:
    out = []
    for run in store.runs(limit=RUNS_SHOWN):
        if not may_read(run["dag_id"]):
            continue
        details = run.get("details") or {}
        if details.get("mode") == "access":  # a customer's access report: named nowhere here
            links = dict.fromkeys(("page", "gate", "docs", "audit"))
        else:
            links = _links(storage, run)
        failures = details.get("failures") or []
        out.append(
            {
                "dag_id": run["dag_id"],
                "run_id": run["run_id"],
                "status": run["status"],
                "started_at": _iso(run["started_at"]),
                "finished_at": _iso(run.get("finished_at")),
                "counts": _ordered(run.get("counts")),
                "version": details.get("version"),
                "failed_steps": sorted(
                    {f.get("step") for f in failures if isinstance(f, dict) and f.get("step")}
                ),
                "links": links,
            }
        )
    return out


def _versions(store, dataset: str, may_read: Callable[[str], bool]) -> list[dict]:
    consumed: dict[str, list[dict]] = {}
    for run in store.training_runs(dataset, limit=500):
        if not may_read(run["dag_id"]):
            continue
        consumed.setdefault(run["version"], []).append(
            {"dag_id": run["dag_id"], "run_id": run["run_id"], "consumed_at": _iso(run["consumed_at"])}
        )
    out = []
    for v in reversed(store.versions(dataset)):
        if v["status"] == "abandoned":
            continue
        counts = v.get("counts") or {}
        out.append(
            {
                "version": v["version"],
                "status": v["status"],
                "parent_version": v.get("parent_version"),
                "created_at": _iso(v["created_at"]),
                "status_changed_at": _iso(v.get("status_changed_at")),
                "run_id": v.get("run_id"),
                "published": counts.get("published"),
                "training_runs": consumed.get(v["version"], []),
            }
        )
        if len(out) >= VERSIONS_SHOWN:
            break
    return out


def _deadlines(store, policy, now: datetime) -> tuple[list[dict], dict[str, int]]:
    from utterance_governance.io.readers import shown_path
    from utterance_governance.reports.deadlines import COMPLETED, deadline_counts, load_deadlines

    table = load_deadlines(store, policy, now)
    pending = []
    for d in table:
        if d.state == COMPLETED:
            continue
        row = {
            "request_id": d.request_id,
            "scope": d.scope,
            "requested_at": d.requested_at,
            "deadline_at": d.deadline_at,
            "days_left": d.days_left,
            "state": d.state,
            "receipt_status": d.receipt_status,
            "where": None,
        }
        if d.unreadable is not None:  # a record nobody could read: where it is, never what it says
            # (as reports show paths: a Hive segment naming the customer is ``customer_id=[customer]``)
            row["where"] = shown_path(f"{d.unreadable.source_file} line {d.unreadable.line}")
        pending.append(row)
    return pending, deadline_counts(table)


def _receipts(store) -> list[dict]:
    out = []
    receipts = sorted(store.receipts(), key=lambda r: r.get("updated_at") or r["received_at"], reverse=True)
    for r in receipts[:RECEIPTS_SHOWN]:
        removed = r.get("removed_counts") or {}
        out.append(
            {
                "request_id": r["request_id"],
                "status": r["status"],
                "received_at": _iso(r["received_at"]),
                "deadline_at": _iso(r["deadline_at"]),
                "completed_at": _iso(r.get("completed_at")),
                "completed_late": bool(r.get("completed_at") and r["completed_at"] > r["deadline_at"]),
                "removed": sorted(
                    (str(k), int(v)) for k, v in removed.items() if isinstance(v, int | float) and v
                ),
                "versions_rewritten": list(r.get("versions_rewritten") or []),
                "places_searched": len(r.get("searched") or []),
            }
        )
    return out


def _audit(store, storage) -> dict | None:
    for run in store.runs(AUDIT_DAG, limit=20):
        details = run.get("details") or {}
        report = details.get("report")
        if details.get("mode") == "access" or not report or not storage.exists(report):
            continue
        audit = json.loads(storage.read_bytes(report))
        findings = [
            {
                "rule": f["rule"],
                "severity": f.get("severity"),
                "shard": f.get("shard"),
                "message": f.get("message"),
            }
            for f in audit.get("findings", [])[:FINDINGS_SHOWN]
        ]  # the utterance id is left out: the view names rows by shard and rule only
        return {
            "run_id": run["run_id"],
            "checked_at": audit.get("checked_at"),
            "version": audit.get("version"),
            "passed": audit.get("passed"),
            "violations": audit.get("violations", 0),
            "warnings": audit.get("warnings", 0),
            "incomplete": audit.get("incomplete", []),
            "counts": sorted((audit.get("counts") or {}).items()),
            "rows_checked": audit.get("rows_checked", 0),
            "shards_checked": audit.get("shards_checked", 0),
            "findings": findings,
            "findings_total": sum((audit.get("counts") or {}).values()),
            "links": _links(storage, run),
        }
    return None


def report_dags(settings, rel: str) -> set[str] | None:
    """The DAGs whose runs wrote ``reports/<run>/…`` (the runs the store knows under that folder's
    name); None when no run the store knows wrote it (a dry run records none)."""
    from utterance_governance.io.store import GovernanceStore

    key = rel.split("/")[1]
    with GovernanceStore(settings.database_url) as store:
        dags = {
            run["dag_id"] for run in store.runs(limit=100_000) if run_key(run["dag_id"], run["run_id"]) == key
        }
    return dags or None


def may_serve(settings, rel: str, may_read: Callable[[str], bool]) -> bool:
    """May a user who may read the DAGs ``may_read`` says see this report file: every DAG whose run
    wrote it readable (a folder no run the store knows wrote: every pipeline DAG readable)."""
    dags = report_dags(settings, rel)
    return all(may_read(dag) for dag in (dags or PIPELINE_DAGS))


def governance_snapshot(
    settings, now: datetime, may_read: Callable[[str], bool] = lambda dag_id: True
) -> dict[str, Any]:
    """Everything the view shows, for ``settings`` (``utterance_governance.settings.Settings``), of the
    DAGs ``may_read`` lets the user read."""
    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.policy import load_policy
    from utterance_governance.reports.deadlines import deadline_counts as deadline_counts_of

    storage = Storage(settings.data_root)
    snapshot: dict[str, Any] = {
        "dataset": settings.dataset,
        "generated_at": now.isoformat(timespec="seconds"),
        "lake": settings.data_root,
        "live": _live(storage, settings.data_root, settings.dataset),
        "hidden": [dag for dag in PIPELINE_DAGS if not may_read(dag)],
    }
    with GovernanceStore(settings.database_url) as store:
        if settings.database_url not in _SCHEMA_READY:  # once per process: a store behind this code's
            store.require_schema(migrate_embedded=not settings.is_production)  # schema says what to run
            _SCHEMA_READY.add(settings.database_url)
        privacy = may_read(PRIVACY_DAG)
        pending, deadline_counts = (
            _deadlines(store, load_policy(settings.policy_file), now)
            if privacy
            else ([], deadline_counts_of([]))
        )
        snapshot.update(
            versions=_versions(store, settings.dataset, may_read),
            runs=_runs(store, storage, may_read),
            pending=pending,
            deadline_counts=deadline_counts,
            receipts=_receipts(store) if privacy else [],
            audit=_audit(store, storage) if may_read(AUDIT_DAG) else None,
        )
    return snapshot
