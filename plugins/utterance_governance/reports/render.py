"""HTML pages from the Jinja2 templates under ``reports/templates/`` (autoescaped, no JavaScript).

Each ``*_page`` function takes plain data and returns the page. It picks the fields it shows
one by one (counts, check names, versions, request ids): whatever else a run record carries
never reaches a page, so no customer id, device id or transcript can slip into one by accident.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from utterance_governance.reports.charts import Chart, stacked_bars
from utterance_governance.reports.deadlines import Deadline, deadline_counts

TEMPLATES = Path(__file__).resolve().parent / "templates"
HISTORY_RUNS = 20


def _num(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _pct(value: int, total: int) -> str:
    return f"{100.0 * value / total:.1f}%" if total else "—"


def _barwidth(value: int, total: int) -> str:
    return f"{100.0 * value / total:.1f}" if total else "0"


def _when(value: Any) -> str:
    """An instant as ``YYYY-MM-DD HH:MM UTC``; anything else as given."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_num, pct=_pct, barwidth=_barwidth, when=_when)
    return env


def render(template: str, **context: Any) -> str:
    context.setdefault("generated_at", _when(dt.datetime.now(dt.UTC)))
    return environment().get_template(template).render(**context)


# --- pieces shared by the pages -------------------------------------------------------------
def ordered_counts(counts: Mapping[str, int] | None) -> list[tuple[str, int]]:
    """Counts as rows: ``published`` first, then largest first; zeros dropped."""
    items = [(str(k), int(v)) for k, v in (counts or {}).items() if isinstance(v, int | float) and v]
    return sorted(items, key=lambda kv: (kv[0] != "published", -kv[1], kv[0]))


def _run_label(run: Mapping[str, Any]) -> str:
    started = run.get("started_at")
    if isinstance(started, str):
        try:
            started = dt.datetime.fromisoformat(started)
        except ValueError:
            return started[:16]
    if isinstance(started, dt.datetime):
        return started.astimezone(dt.UTC).strftime("%m-%d %H:%M")
    return str(run.get("run_id", ""))[:12]


def history_chart(runs: Sequence[Mapping[str, Any]], *, title: str, key_filter=None, rename=None) -> Chart:
    """Stacked bars of ``runs`` (store ``runs()`` rows, newest first) counts, oldest on the left."""
    series = []
    for run in list(runs)[:HISTORY_RUNS][::-1]:
        counts = {}
        for key, value in (run.get("counts") or {}).items():
            if key_filter is not None and not key_filter(key):
                continue
            counts[rename(key) if rename else key] = int(value or 0)
        series.append((_run_label(run), counts))
    return stacked_bars(series, title=title)


def version_rows(versions: Sequence[Mapping[str, Any]], limit: int = 20) -> list[dict[str, Any]]:
    """Store ``versions()`` rows (oldest first) as table rows, newest first."""
    rows = []
    for v in list(versions)[::-1][:limit]:
        rows.append(
            {
                "version": v["version"],
                "parent_version": v.get("parent_version"),
                "status": v.get("status"),
                "created_at": v.get("created_at"),
                "run_id": v.get("run_id"),
                "published": (v.get("counts") or {}).get("published"),
            }
        )
    return rows


def _gate_view(gate: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not gate:
        return None
    return {
        "success": bool(gate.get("success")),
        "rows": gate.get("rows") or 0,
        "evaluated": gate.get("evaluated") or 0,
        "suite_name": gate.get("suite_name") or "",
        "failed": [
            {
                "check": f.get("check"),
                "column": f.get("column"),
                "unexpected_count": f.get("unexpected_count"),
                "message": f.get("message") or "",
            }
            for f in gate.get("failed") or []
        ],
    }


# --- pages -------------------------------------------------------------------------------------
def run_page(
    report: Mapping[str, Any],
    *,
    history: Sequence[Mapping[str, Any]] = (),
    versions: Sequence[Mapping[str, Any]] = (),
    deadlines: Sequence[Deadline] = (),
    gx_docs_href: str | None = None,
) -> str:
    """The page of one run (``reports/<run>/index.html``) from its ``report.json`` content.

    Reads ``run_id``, ``dag_id``, ``dataset``, ``dry_run``, ``params``, ``decided_at``,
    ``counts``, ``version``, ``new_version``, ``published.rows/new_rows`` and ``quality_gate``
    (a ``GateResult.to_dict()``); ``summary`` (a flat mapping of numbers or short strings)
    is shown as is, for DAGs other than ``utterances_publish``.
    """
    counts = ordered_counts(report.get("counts"))
    published = report.get("published") or {}
    params = [(k, v) for k, v in sorted((report.get("params") or {}).items()) if v not in (None, False, "")]
    extra = [
        (str(k), v)
        for k, v in sorted((report.get("summary") or {}).items())
        if isinstance(v, int | float | str | bool)
    ]
    run = {
        "run_id": report.get("run_id", ""),
        "dag_id": report.get("dag_id", ""),
        "dataset": report.get("dataset", ""),
        "dry_run": bool(report.get("dry_run")),
        "decided_at": report.get("decided_at"),
        "params": params,
        "version": report.get("version"),
        "new_version": bool(report.get("new_version")),
        "published_rows": published.get("rows") if report.get("new_version") else None,
        "new_rows": published.get("new_rows"),
        "counts": counts,
        "total": sum(v for _, v in counts),
        "extra": extra,
    }
    return render(
        "run.html.j2",
        run=run,
        counts_heading="Decisions by reason" if run["dag_id"] == "utterances_publish" else "Counts",
        chart=history_chart(history, title=f"counts by reason, recent runs of {run['dag_id']}"),
        gate=_gate_view(report.get("quality_gate")),
        gx_docs_href=gx_docs_href,
        versions=version_rows(versions),
        deadlines=list(deadlines),
        deadline_counts=deadline_counts(list(deadlines)),
    )


def audit_page(
    audit: Mapping[str, Any],
    *,
    rules: Sequence[Mapping[str, Any]],
    history: Sequence[Mapping[str, Any]] = (),
    versions: Sequence[Mapping[str, Any]] = (),
    deadlines: Sequence[Deadline] = (),
    max_findings: int = 500,
) -> str:
    """The findings page of a ``governance_audit`` run from its ``audit.json`` content."""
    findings = list(audit.get("findings") or [])
    shown = findings[:max_findings]
    omitted = max(0, sum((audit.get("counts") or {}).values()) - len(shown))
    view = {key: audit.get(key) for key in ("run_id", "dataset", "version", "checked_at")} | {
        "violations": int(audit.get("violations") or 0),
        "warnings": int(audit.get("warnings") or 0),
        "incomplete": list(audit.get("incomplete") or []),
        "shards_checked": int(audit.get("shards_checked") or 0),
        "rows_checked": int(audit.get("rows_checked") or 0),
        "ledger_rows": int(audit.get("ledger_rows") or 0),
        "consent_events": int(audit.get("consent_events") or 0),
        "deletion_requests": int(audit.get("deletion_requests") or 0),
    }
    finding_rows = [
        {k: f.get(k) for k in ("rule", "severity", "shard", "utterance_id", "message")} for f in shown
    ]
    return render(
        "audit.html.j2",
        audit=view,
        rules=list(rules),
        findings=finding_rows,
        findings_omitted=omitted,
        chart=history_chart(
            history,
            title="findings by rule, recent audits",
            key_filter=lambda k: k.startswith("finding:"),
            rename=lambda k: k.split(":", 1)[1],
        ),
        versions=version_rows(versions),
        deadlines=list(deadlines),
        deadline_counts=deadline_counts(list(deadlines)),
    )


def run_summary(run: Mapping[str, Any]) -> str:
    """One line for the index: a run's main counts, no identifiers."""
    counts = run.get("counts") or {}
    details = run.get("details") or {}
    if details.get("mode") == "access":
        return "customer access report (kept under reports/access/, not linked)"
    if run.get("dag_id") == "governance_audit":
        findings = sum(v for k, v in counts.items() if k.startswith("finding:"))
        rows = counts.get("rows_checked", 0)
        return f"{rows:,} live rows re-read; {findings:,} findings"
    ordered = ordered_counts(counts)
    head = ", ".join(f"{k} {v:,}" for k, v in ordered[:4])
    if run.get("dag_id") != "utterances_publish":
        return head or "nothing counted"
    total = sum(v for _, v in ordered)
    return f"{total:,} decided: {head}" if ordered else "nothing decided"


def index_page(
    runs: Sequence[Mapping[str, Any]],
    *,
    links: Mapping[tuple[str, str], str],
    dataset: str,
    live_version: str | None,
) -> str:
    """``reports/index.html``: recent runs of every DAG (store ``runs()``), linked to their pages."""
    rows = [
        {
            "run_id": r["run_id"],
            "dag_id": r["dag_id"],
            "started_at": r.get("started_at"),
            "status": r.get("status"),
            "summary": run_summary(r),
            "href": links.get((r["dag_id"], r["run_id"])),
        }
        for r in runs
    ]
    audits = [r for r in rows if r["dag_id"] == "governance_audit" and "access" not in r["summary"]]
    return render(
        "index.html.j2", runs=rows, latest_audit=audits[0] if audits else None, dataset=dataset,
        live_version=live_version,
    )  # fmt: skip


def access_page(access: Mapping[str, Any]) -> str:
    """The customer-facing access report (their own utterances, transcripts included)."""
    return render("access.html.j2", access=access)
