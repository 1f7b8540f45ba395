"""The reports people read, written under ``reports/`` of the lake (SPEC §6).

- ``reports/<run>/index.html`` — one page per run of each DAG: counts by reason with a chart
  of recent runs, the quality gate and a link to its Great Expectations Data Docs
  (``gx/index.html`` beside the page), versions published or revoked, the deletion deadline
  table. For ``governance_audit`` runs, the findings.
- ``reports/index.html`` — recent runs of every DAG, linked to their pages.

Pages are self-contained (inline CSS and SVG) and hold no customer or device id and no
transcript text. Customer access reports (``reports.access``) live apart, under
``reports/access/``, and are never linked from here.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import live_version
from utterance_governance.reports.deadlines import load_deadlines
from utterance_governance.reports.render import HISTORY_RUNS, audit_page, index_page, run_page

log = logging.getLogger(__name__)

INDEX = "reports/index.html"
INDEX_RUNS = 50


def run_page_path(run_key: str) -> str:
    return f"reports/{run_key}/index.html"


def gx_docs_href(storage: Storage, run_key: str) -> str | None:
    """The Data Docs of the run's gate, relative to its page, when they were built."""
    return "gx/index.html" if storage.exists(f"reports/{run_key}/gx/index.html") else None


def write_run_page(
    storage: Storage,
    store: GovernanceStore,
    report: Mapping[str, Any],
    *,
    run_key: str,
    policy: Policy,
    now: datetime,
) -> str:
    """Render a run's ``report.json`` content as ``reports/<run>/index.html``; refresh the index.

    Any DAG may call it: ``report`` needs ``run_id``, ``dag_id``, ``dataset`` and ``counts``
    (see ``render.run_page`` for the rest). Returns the page's lake path.
    """
    html = run_page(
        report,
        history=store.runs(report.get("dag_id"), limit=HISTORY_RUNS),
        versions=store.versions(report.get("dataset", "")),
        deadlines=load_deadlines(store, policy, now),
        gx_docs_href=gx_docs_href(storage, run_key),
    )
    path = run_page_path(run_key)
    storage.write_bytes(path, html.encode("utf-8"))
    write_index(storage, store, report.get("dataset", ""))
    return path


def write_audit_page(
    storage: Storage,
    store: GovernanceStore,
    audit: Mapping[str, Any],
    *,
    run_key: str,
    policy: Policy,
    now: datetime,
) -> str:
    """Render an audit's findings (``audit.json`` content) as ``reports/<run>/index.html``; refresh the index."""
    rules = [
        {
            "rule": name,
            "severity": spec["severity"],
            "description": spec["description"],
            "count": audit["counts"].get(name, 0),
        }
        for name, spec in audit["rules"].items()
    ]
    html = audit_page(
        audit,
        rules=rules,
        history=store.runs(audit["dag_id"], limit=HISTORY_RUNS),
        versions=store.versions(audit["dataset"]),
        deadlines=load_deadlines(store, policy, now),
    )
    path = run_page_path(run_key)
    storage.write_bytes(path, html.encode("utf-8"))
    write_index(storage, store, audit["dataset"])
    return path


def write_index(storage: Storage, store: GovernanceStore, dataset: str, limit: int = INDEX_RUNS) -> str:
    """``reports/index.html``: the latest runs of every DAG, each linked to its page when it has one."""
    runs = store.runs(limit=limit)
    links = {}
    for run in runs:
        details = run.get("details") or {}
        report = details.get("report")
        if (
            details.get("mode") == "access"
            or not isinstance(report, str)
            or not report.startswith("reports/")
        ):
            continue
        page = posixpath.join(posixpath.dirname(report), "index.html")
        if page.startswith("reports/access/"):
            continue
        if storage.exists(page):
            links[(run["dag_id"], run["run_id"])] = posixpath.relpath(page, "reports")
    try:
        live = live_version(storage, dataset)
    except Exception:  # an unreadable current.json: the audit reports it; the index still renders
        live = None
    html = index_page(runs, links=links, dataset=dataset, live_version=live)
    storage.write_bytes(INDEX, html.encode("utf-8"))
    return INDEX
