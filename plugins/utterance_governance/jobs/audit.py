"""The steps of ``governance_audit`` (SPEC §7): prove, every day, that no live shard holds
what it must not — and, on request, show one customer everything the lake holds of theirs.

check_publication → scan_live_rows → check_deadlines → write_findings → fail_on_violations
(the three checks are independent; each writes its findings under
``reports/<run>/audit/<check>.json``, so ``write_findings`` can report whatever finished, even
when a check crashed). A manual run with an ``access_request`` reference (``ug access request``
registered it, with the customer id, in the governance store) runs ``access_report`` instead: it
writes to the access reports' own root (``UG_ACCESS_REPORT_ROOT``), never the lake. A raw
``customer_id`` param is refused, in every environment: the id would stay in ``dag_run.conf``.

What is checked, and the rule each finding names (``audit.findings.RULES``); the checks
themselves are in the ``utterance_governance.audit`` package:

- **the live version** (``check_publication``): ``current.json`` names a version whose manifest
  exists, says ``live`` and agrees with the governance store; every shard the manifest lists
  exists under the dataset folder with the recorded bytes, sha256 and row count; no shard has
  a column that must never be published (``customer_id``, ``device_id``, raw text), and each has the
  published shard schema exactly (no other column, nested field or metadata); no Parquet file under
  the dataset folder that no version but a revoked one lists.
- **every version kept beside it** (``check_publication`` and ``scan_live_rows`` too): a version the
  store records superseded, not revoked (a compaction's parent through its grace period), is one a
  training job may still load, whatever its manifest says of its status (one saying another is
  ``manifest_status_mismatch``): its manifest, its store shard list and every file it lists are checked
  as the live version's are, and every row of the files only kept versions list is re-read against
  the same rules (the privacy verdict, with the capture and landing times the live ledger records for
  a compaction's merged rows). A file several versions list is read once; a finding names the
  versions, the file, the rule and the row by a digest.
- **every row of every live shard** (``scan_live_rows``), re-read from the files, not taken
  from the ledger:

  - against the *current* privacy state — consent, deletions, held customers — by the privacy
    core's one verdict (``privacy.privacy_verdict``: the answer publishing and purging get).
    Shards hold ``speaker_key``, not ``customer_id``: the verdict matches the speaker keys of
    every customer a privacy record names (the deployment's pseudonym key); a speaker no record
    names falls to its locale's default. Capture and landing times come from the ledger; a row
    the ledger lacks has unknown times, which withdraw;
  - against the identifier detectors (``clean.patterns.detect_identifiers``) on every message;
  - against its own content: the messages are ``[user, assistant?]``, hash to the row's
    ``content_hash`` (text altered after publishing is caught even with a fixed-up manifest),
    and ``speaker_key`` is a pseudonym;
  - against the ledger of the live version: the shard rows and the ledger rows must be the
    same set of (shard path, utterance_id, content_hash), with the speaker key, locale and capture
    date the ledger recorded (the privacy verdict judges those), each utterance live once.
- **deletion deadlines** (``check_deadlines``): requests past their deadline without a completed
  receipt are violations; those within ``policy.deletion_at_risk_days`` are listed. A consent or
  deletion file waiting in landing, not taken in, for over two hours is a violation
  (``privacy_file_waiting``): the store, which every other check reads, knows nothing of it. An
  unreadable privacy record naming no customer, not acknowledged, is one too (``privacy_record_blocking``):
  publishing is blocked, but the live rows of whoever's opt-out or deletion it holds stay live.

Any violation fails the run, after the findings are written to ``reports/<run>/audit.json``
and ``reports/<run>/index.html``. Findings name the shard, the utterance_id, the rule and a
pseudonym prefix — never a customer id, a device id or transcript text: a path as ``shown_path``
shows it (``customer_id=[customer]``), and of what an edited ``current.json``, manifest or shard
says, only a version, status, count, sha256, locale or role of the form the pipeline writes.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from utterance_governance.audit.deadlines import (
    blocking_record_findings,
    deadline_findings,
    waiting_privacy_findings,
)
from utterance_governance.audit.findings import (
    MAX_FINDINGS_PER_RULE,
    RULES,
    VIOLATION,
    WARNING,
    Finding,
    Findings,
)
from utterance_governance.audit.publication import (
    is_version,
    kept_shards,
    verify_kept_versions,
    verify_publication,
)
from utterance_governance.audit.rows import scan_kept_rows, scan_rows
from utterance_governance.io.readers import MAX_CUSTOMER_ID_CHARS, shown_path
from utterance_governance.jobs.context import InvalidParams, RunContext
from utterance_governance.privacy import canonical_id, check_key, key_fingerprint, live_fingerprint
from utterance_governance.privacy.identity import is_placeholder
from utterance_governance.publish.commit import DatasetPaths, read_manifest
from utterance_governance.settings import Settings, load_settings

log = logging.getLogger(__name__)

DAG_ID = "governance_audit"
CHECKS = ("publication", "rows", "deadlines")
LOCK_TIMEOUT_S = 900.0  # a purge or publish in progress finishes first


class AuditFailed(RuntimeError):
    """The audit found violations (or could not finish a check); the message names each."""


# --- params ------------------------------------------------------------------------------------
def validate_customer_id(value: Any) -> str | None:
    """The ``customer_id`` param of an access-report run: None, or the id in its canonical form
    (SPEC §4.1: the same identity the publisher and the purge use, whatever its script)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParams(f"customer_id must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidParams(
            "customer_id is empty: give the customer's account id, or leave it unset to audit"
        )
    canonical = canonical_id(value)
    if canonical is None or len(canonical) > MAX_CUSTOMER_ID_CHARS:
        raise InvalidParams(
            "customer_id is not a usable id (at most 256 characters, no control, format or invisible "
            "characters); the value given is refused"
        )  # the value itself is not echoed: it may be anything, including someone's data
    if is_placeholder(pa.array([canonical], pa.string()))[0]:
        # ("null", "N/A", the nil UUID: what upstream writes when an id is lost, shared by every customer
        # whose id was; the reader takes such rows as malformed, and a report of them is no one's)
        raise InvalidParams(
            "customer_id is a word for a lost id, not an account id (every record whose id was lost carries "
            "it): the value given is refused"
        )
    return canonical


RAW_CUSTOMER_ID_REFUSED = (
    "customer_id is refused: a raw customer id in a run's params stays in dag_run.conf, its XComs and "
    "its run page. Register the access request with `ug access request --customer-id ID --by NAME` "
    "(the id goes into the governance store only) and trigger governance_audit with "
    '{"access_request": "<the reference it prints>"}'
)


def prepare(
    run_id: str, params: dict | None, settings: Settings | None = None, now: datetime | None = None
) -> dict:
    """Validate the run's params; the run context, with ``extra.mode`` ``audit`` or ``access``.

    An access report is asked for by ``access_request``, a reference ``ug access request`` made:
    it must be registered and unused (checked here, taken by ``access_report``). A ``customer_id``
    param is refused whatever its value (``None`` aside), in every environment, without echoing it.
    """
    params = dict(params or {})
    if params.pop("customer_id", None) is not None:
        raise InvalidParams(RAW_CUSTOMER_ID_REFUSED)
    reference = params.get("access_request")
    ctx = RunContext.create(run_id, DAG_ID, params, settings, now)
    if reference is not None:
        from utterance_governance.io.store import AccessRequestRefused

        try:
            ctx.store.check_access_request(reference, run_id)
        except AccessRequestRefused as exc:
            raise InvalidParams(str(exc)) from None
    for check in CHECKS:  # a cleared run checks afresh: no finding of an earlier attempt stands in
        ctx.storage.remove(_part_path(ctx, check))
    data = ctx.to_dict()
    data["extra"] = {**data["extra"], "mode": "access" if reference is not None else "audit"}
    return data


def mode(ctx: RunContext) -> str:
    return ctx.extra.get("mode", "audit")


# --- the steps ---------------------------------------------------------------------------------
def _part_path(ctx: RunContext, check: str) -> str:
    return f"reports/{ctx.run_key}/audit/{check}.json"


def _write_part(ctx: RunContext, check: str, findings: Findings, summary: dict) -> dict:
    path = _part_path(ctx, check)
    body = {"check": check, "summary": summary, **findings.to_dict()}
    ctx.storage.write_bytes(path, json.dumps(body, indent=2, default=str).encode())
    log.info("audit check %s: %s; findings %s", check, summary, dict(findings.counts) or "none")
    return {"check": check, "path": path, "counts": dict(findings.counts), "violations": findings.violations}


@contextmanager
def _consistent_view(ctx: RunContext) -> Iterator[None]:
    """Hold the dataset lock while reading: no publish or purge switches versions or removes
    shard files under the audit's feet (they wait; ``LockTimeout`` fails the check, not the data)."""
    with ctx.store.dataset_lock(ctx.dataset, owner=f"{ctx.run_id} ({DAG_ID})", timeout_s=LOCK_TIMEOUT_S):
        yield


def _clear_part(ctx: RunContext, check: str) -> None:
    """A check starting removes the findings of its earlier attempt (a cleared task): if it fails
    this time, ``write_findings`` finds none and reports it incomplete instead of passing on them."""
    ctx.storage.remove(_part_path(ctx, check))


def check_publication(ctx: RunContext) -> dict:
    """``current.json`` → a complete live version; every shard it lists intact (bytes, sha256, rows)."""
    _clear_part(ctx, "publication")
    with _consistent_view(ctx):
        return _check_publication(ctx)


def _check_publication(ctx: RunContext) -> dict:
    store_live = ctx.store.live_version(ctx.dataset)
    current = None
    paths = DatasetPaths(ctx.dataset)
    if ctx.storage.exists(paths.current):
        try:
            current = json.loads(ctx.storage.read_bytes(paths.current)).get("version")
        except Exception:
            current = None
    store_shards = ctx.store.version_shard_paths(ctx.dataset, current) if is_version(current) else None
    versions = {v["version"]: v["status"] for v in ctx.store.versions(ctx.dataset)}
    check = verify_publication(
        ctx.storage, ctx.dataset, store_live=store_live, store_shards=store_shards, store_versions=versions
    )
    # every version kept beside the live one (a compaction's parent in its grace period): a training job loads it
    kept = verify_kept_versions(ctx.storage, ctx.dataset, check.version, check.manifest, versions,
                                lambda version: ctx.store.version_shard_paths(ctx.dataset, version))  # fmt: skip
    for finding in kept.findings.items:
        check.findings.add(finding)
    for rule, n in kept.findings.counts.items():
        check.findings.count_more(rule, n - min(n, kept.findings.keep))
    # a dataset of another name still live (UG_DATASET changed): nothing purges or audits it any more
    for folder in ctx.storage.list_dirs("published"):
        other = folder.removeprefix("published/")
        if other != ctx.dataset and ctx.storage.exists(DatasetPaths(other).current):
            check.findings.flag("other_dataset_live", f"{shown_path(folder)}/current.json names a live version, but "
                                f"this deployment purges and audits {ctx.dataset} only: retire it (remove its "
                                "current.json) or audit it with UG_DATASET")  # fmt: skip
    # a key rotation stopped short (one under way holds the lock this check holds): copies hold keys that
    # no opt-out or deletion matches until `ug rekey` finishes it, so a clean audit would not be the truth
    from utterance_governance.jobs.in_flight import unfinished_rotations

    for rotation in sorted(unfinished_rotations(ctx.storage)):
        check.findings.flag("key_rotation_unfinished", f"{shown_path(f'staging/{rotation}')}: a key rotation stopped "
                            "short; opt-outs and deletions may miss rows until `ug rekey` is run again with its "
                            "keys")  # fmt: skip
    summary = {"version": check.version, "shards_checked": check.shards_checked, "bytes_checked": check.bytes_checked,
               "manifest_rows": _count((check.manifest or {}).get("rows")), "kept_versions": kept.versions,
               "kept_shards_checked": kept.shards_checked, "kept_bytes_checked": kept.bytes_checked}  # fmt: skip
    return _write_part(ctx, "publication", check.findings, summary)


def _count(value: Any) -> int | None:
    """A manifest's count for the summary, which is logged: a number, or None (an edited manifest may say anything)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def scan_live_rows(ctx: RunContext) -> dict:
    """Re-read every row of every live shard: privacy state, identifiers, content, ledger."""
    from utterance_governance.jobs.in_flight import mark_in_flight

    _clear_part(ctx, "rows")
    # its findings name live rows a deletion covers; write_findings reads them and writes the report
    # after a privacy run may have scrubbed them: until it has, deletions keep their receipts open
    mark_in_flight(ctx.storage, ctx.run_key, ctx.run_id, ctx.now_dt)
    with _consistent_view(ctx):
        return _scan_live_rows(ctx)


def _scan_live_rows(ctx: RunContext) -> dict:
    settings = load_settings()
    findings = Findings()
    paths = DatasetPaths(ctx.dataset)
    summary: dict[str, Any] = {"version": None, "shards_scanned": 0, "rows_checked": 0, "ledger_rows": 0}
    manifest = version = state = None
    try:
        version = json.loads(ctx.storage.read_bytes(paths.current))["version"]
        if not is_version(version):  # (an edited current.json may say anything: it goes into the report)
            raise ValueError("not a version")
        manifest = read_manifest(ctx.storage, ctx.dataset, version)
        if not isinstance(manifest, dict):
            raise ValueError("not a manifest")
    except Exception:  # no readable live version: check_publication names why
        manifest = version = None
        summary["note"] = "no readable live version: no rows to scan"
    if manifest is not None:
        check_key(
            live_fingerprint(manifest), key_fingerprint(settings.pseudonym_key), where="governance_audit"
        )
        state = ctx.store.privacy_state()
        scan = scan_rows(ctx.storage, ctx.store, ctx.dataset, version, manifest, state, ctx.policy, ctx.now_dt,
                         settings.pseudonym_key)  # fmt: skip
        findings = scan.findings
        summary = {"version": version, "shards_scanned": scan.shards_scanned, "rows_checked": scan.rows_checked,
                   "ledger_rows": scan.ledger_rows, "consent_events": scan.consent_events,
                   "deletion_requests": scan.deletion_requests, "seconds": round(scan.seconds, 2),
                   "rows_per_second": round(scan.rows_per_second)}  # fmt: skip
        log.info("scanned %d live rows in %d shards: %.0f rows/s", scan.rows_checked, scan.shards_scanned,
                 scan.rows_per_second)  # fmt: skip
    # the files only versions kept beside the live one list (a compaction's merged shards in their grace
    # period): a training job may load them, so their rows answer to the same rules
    versions = {v["version"]: v["status"] for v in ctx.store.versions(ctx.dataset)}
    kept_versions, shards = kept_shards(ctx.storage, ctx.dataset, version, manifest, versions)
    summary["kept_versions"] = kept_versions
    if shards:
        state = ctx.store.privacy_state() if state is None else state
        kept = scan_kept_rows(ctx.storage, ctx.store, ctx.dataset, version, shards, state, ctx.policy, ctx.now_dt,
                              settings.pseudonym_key, findings)  # fmt: skip
        findings = kept.findings
        summary.update(kept_shards_scanned=kept.shards_scanned, kept_rows_checked=kept.rows_checked,
                       kept_seconds=round(kept.seconds, 2))  # fmt: skip
        log.info("scanned %d rows of %d files kept for versions %s in %.1f s", kept.rows_checked,
                 kept.shards_scanned, kept_versions, kept.seconds)  # fmt: skip
    return _write_part(ctx, "rows", findings, summary)


def check_deadlines(ctx: RunContext) -> dict:
    """Deletion requests near or past their deadline (receipts of ``privacy_requests`` when issued)."""
    from utterance_governance.reports.deadlines import deadline_counts, load_deadlines

    _clear_part(ctx, "deadlines")
    deadlines = load_deadlines(ctx.store, ctx.policy, ctx.now_dt)
    findings = Findings()
    findings.extend(deadline_findings(deadlines))
    waiting = waiting_privacy_findings(ctx.storage, ctx.store, ctx.now_dt,
                                       clock_skew=timedelta(seconds=ctx.policy.capture_clock_skew_s))  # fmt: skip
    findings.extend(waiting)
    blocking = blocking_record_findings(ctx.store)
    findings.extend(blocking)
    summary = {
        "requests": len(deadlines),
        **deadline_counts(deadlines),
        "privacy_files_waiting": len(waiting),
        "privacy_records_blocking": len(blocking),
    }
    return _write_part(ctx, "deadlines", findings, summary)


def merge_ledger_eras(ctx: RunContext) -> dict:
    """The ledger's eras merged down to a few (``Ledger.merge_ledger_eras``): a night's insert goes into a
    young era of its own, so its cost does not grow with the dataset, and the daily audit merges eras so
    that every lookup, which probes each era, stays a few index seeks. Moves no row out of any version."""
    started = time.perf_counter()
    moves = ctx.store.merge_ledger_eras()
    seconds = time.perf_counter() - started
    log.info(
        "ledger eras: %d merged (%d rows moved) in %.2f s", len(moves), sum(m["rows"] for m in moves), seconds
    )
    return {"moves": moves, "seconds": round(seconds, 2)}


def _failure_message(audit: dict, findings: list[dict], report_url: str, html_url: str) -> str:
    counts = ", ".join(
        f"{rule} {n}" for rule, n in sorted(audit["counts"].items()) if RULES[rule].severity == VIOLATION
    )
    head = (
        f"governance audit of {audit['dataset']} {audit['version'] or '(nothing live)'} failed: "
        f"{audit['violations']} violation(s) ({counts or 'none'})"
    )
    if audit["incomplete"]:
        head += f"; checks that did not finish: {', '.join(audit['incomplete'])}"
    if len(audit["versions_seen"]) > 1:
        head += (f"; the checks read different live versions ({', '.join(audit['versions_seen'])}: a publish or "
                 "purge switched between them), so neither was checked whole: re-run the audit")  # fmt: skip
    # (the message becomes the exception, the alert, the run's record in the store and log lines, which a
    # deletion does not reach: rows are named in the findings report only, which the purge scrubs)
    lines = [Finding(**{k: f[k] for k in ("rule", "message", "shard", "utterance_id")}).line(row_id=False)
             for f in findings if f["severity"] == VIOLATION][:20]  # fmt: skip
    more = audit["violations"] - len(lines)
    tail = [f"... and {more} more"] if more > 0 else []
    return "\n".join([head + ":", *(f"  - {line}" for line in lines), *tail,
                      f"findings: {report_url}", f"report: {html_url}"])  # fmt: skip


def write_findings(ctx: RunContext, started_at: datetime | None = None) -> dict:
    """Merge the checks' findings into ``reports/<run>/audit.json`` and its page; record the run.

    Runs whatever the checks' outcome: a check that did not finish leaves no findings file
    and the audit is reported incomplete (and fails).
    """
    from utterance_governance.jobs.in_flight import no_longer_in_flight

    try:
        result = _write_findings(ctx, started_at)
    except BaseException:
        # recorded ended before its mark goes (a privacy run's receipts wait for one or the other)
        with suppress(Exception):
            ctx.store.mark_run_failed(ctx.run_id, ctx.dag_id, datetime.now(UTC))
            no_longer_in_flight(ctx.storage, ctx.run_key)
        raise
    no_longer_in_flight(ctx.storage, ctx.run_key)
    return result


def _write_findings(ctx: RunContext, started_at: datetime | None) -> dict:
    from utterance_governance.reports.site import write_audit_page

    parts: dict[str, dict] = {}
    for check in CHECKS:
        path = _part_path(ctx, check)
        if ctx.storage.exists(path):
            parts[check] = json.loads(ctx.storage.read_bytes(path))
    incomplete = [c for c in CHECKS if c not in parts]
    counts: Counter = Counter()
    findings: list[dict] = []
    for part in parts.values():
        counts.update(part["counts"])
        findings.extend(part["findings"])
    # one shard unreadable seen by two checks is one finding
    seen, unique = set(), []
    for f in findings:
        key = (
            f["rule"],
            f["shard"],
            f["utterance_id"],
            f["message"] if f["rule"] != "shard_unreadable" else "",
        )
        if key in seen:
            counts[f["rule"]] -= 1
            continue
        seen.add(key)
        unique.append(f)
    findings = sorted(
        unique,
        key=lambda f: (f["severity"] != VIOLATION, f["rule"], f["shard"] or "", f["utterance_id"] or ""),
    )
    publication = parts.get("publication", {}).get("summary", {})
    rows = parts.get("rows", {}).get("summary", {})
    violations = sum(n for rule, n in counts.items() if RULES[rule].severity == VIOLATION)
    seen = sorted({v for v in (publication.get("version"), rows.get("version")) if v})
    audit = {
        "run_id": ctx.run_id,
        "dag_id": ctx.dag_id,
        "dataset": ctx.dataset,
        "checked_at": ctx.now,
        "version": publication.get("version") or rows.get("version"),
        # checks that read different versions (a purge switched between them) proved neither whole
        "passed": violations == 0 and not incomplete and len(seen) <= 1,
        "violations": violations,
        "warnings": sum(n for rule, n in counts.items() if RULES[rule].severity == WARNING),
        "incomplete": incomplete,
        "counts": {k: v for k, v in sorted(counts.items()) if v},
        "shards_checked": publication.get("shards_checked", 0),
        "bytes_checked": publication.get("bytes_checked", 0),
        "rows_checked": rows.get("rows_checked", 0),
        # the versions kept beside the live one (a compaction's parent in its grace period): checked as it is
        "kept_versions": publication.get("kept_versions") or rows.get("kept_versions") or [],
        "kept_shards_checked": publication.get("kept_shards_checked", 0),
        "kept_rows_checked": rows.get("kept_rows_checked", 0),
        "ledger_rows": rows.get("ledger_rows", 0),
        "consent_events": rows.get("consent_events", 0),
        "deletion_requests": rows.get("deletion_requests", 0),
        "deadlines": parts.get("deadlines", {}).get("summary", {}),
        # each check reads one version under the dataset lock; a publish between checks shows here
        "versions_seen": seen,
        "rules": {name: {"severity": r.severity, "description": r.description} for name, r in RULES.items()},
        "findings": findings,
        "findings_kept_per_rule": MAX_FINDINGS_PER_RULE,
    }
    json_path = f"reports/{ctx.run_key}/audit.json"
    ctx.storage.write_bytes(json_path, json.dumps(audit, indent=2, default=str).encode())
    record_counts = {"rows_checked": audit["rows_checked"], "shards_checked": audit["shards_checked"],
                     **{f"finding:{rule}": n for rule, n in audit["counts"].items()}}  # fmt: skip

    def record() -> None:
        ctx.store.record_run(
            ctx.run_id, ctx.dag_id, started_at or ctx.now_dt, datetime.now(UTC),
            "success" if audit["passed"] else "failed", record_counts,
            {"report": json_path, "version": audit["version"], "violations": violations, "incomplete": incomplete},
        )  # fmt: skip

    record()  # (the page lists the run among the audit's history)
    html_path = write_audit_page(ctx.storage, ctx.store, audit, run_key=ctx.run_key, policy=ctx.policy,
                                 now=ctx.now_dt)  # fmt: skip
    record()  # ended after its last write: a privacy run's receipts wait for a run that ended after they searched
    report_url, html_url = ctx.storage.url(json_path), ctx.storage.url(html_path)
    log.info("audit findings: %s", report_url)
    log.info("audit report: %s", html_url)
    log.info("reports index: %s", ctx.storage.url("reports/index.html"))
    result = {"passed": audit["passed"], "violations": violations, "counts": audit["counts"],
              "incomplete": incomplete, "report": report_url, "html": html_url,
              "index": ctx.storage.url("reports/index.html")}  # fmt: skip
    if not audit["passed"]:
        result["message"] = _failure_message(audit, findings, report_url, html_url)
    return result


def fail_on_violations(result: dict) -> dict:
    """Fail the run when the audit found a violation (the report is already written)."""
    if not result.get("passed"):
        raise AuditFailed(result.get("message") or f"governance audit failed; see {result.get('html')}")
    log.info("governance audit passed; report: %s (index: %s)", result.get("html"), result.get("index"))
    return result


def _no_rotation_under_way(ctx: RunContext) -> None:
    """Refuse while a key rotation is under way or stopped short: past its switch the live key is the new one
    while copies (a held customer's withdrawn rows, quarantine) still hold the old, and the report would be
    delivered without them. (Marked in flight first, then looked: a rotation marks itself, then looks for runs
    under way, so one of the two always sees the other.)"""
    from utterance_governance.jobs.in_flight import unfinished_rotations
    from utterance_governance.privacy import KeyMismatch

    rotations = unfinished_rotations(ctx.storage)
    if rotations:
        raise KeyMismatch(
            f"a key rotation is under way or stopped short ({', '.join(sorted(rotations))} under staging/): no "
            "access report until it has finished (a stopped one: run `ug rekey` again with its keys); the access "
            "request stays open"
        )


def access_report(ctx: RunContext) -> dict:
    """Everything the lake holds of one customer, for that customer: the run's ``access_request``
    reference is taken (one-time), its customer id read from the store, the report written to the
    access reports' own root (``UG_ACCESS_REPORT_ROOT``, its own credentials) and the request marked
    done. Nothing returned or logged holds the customer id."""
    from utterance_governance.io.store import AccessRequestRefused
    from utterance_governance.reports.access import access_report_storage, write_access_report
    from utterance_governance.settings import load_access_report_target

    reference = ctx.extra.get("access_request")
    if reference is None:
        raise InvalidParams("an access report needs an access_request reference (`ug access request`)")
    out = access_report_storage(load_access_report_target())
    try:
        customer_id = ctx.store.take_access_request(reference, ctx.run_id)
    except AccessRequestRefused as exc:
        raise InvalidParams(str(exc)) from None
    from utterance_governance.jobs.in_flight import mark_in_flight, no_longer_in_flight

    # gathered before a purge and written after it, the report would be a copy the purge never saw: a
    # deletion taken in meanwhile keeps its receipt open, and the next privacy run purges the report
    mark_in_flight(ctx.storage, ctx.run_key, ctx.run_id, ctx.now_dt)
    try:
        customer_id = validate_customer_id(customer_id)
        settings = load_settings()
        ctx.check_key(settings)  # this worker's key finds the customer's rows (another finds none of them)
        _no_rotation_under_way(ctx)
        result = write_access_report(ctx.storage, ctx.store, ctx.dataset, customer_id, settings.pseudonym_key,
                                     out=out, run_key=ctx.run_key, run_id=ctx.run_id, now=ctx.now_dt)  # fmt: skip
        ctx.store.complete_access_request(reference, ctx.run_id, result["json"])
        ctx.store.record_run(
            ctx.run_id, ctx.dag_id, ctx.now_dt, datetime.now(UTC), "success",
            {"access_utterances": result["utterances"]}, {"mode": "access"},
        )  # fmt: skip
    except BaseException:  # failed or stopped before the report was written: the reference is not spent
        with suppress(Exception):  # the store itself may be what failed: the first error is the one raised
            if ctx.store.release_access_request(reference, ctx.run_id):
                log.warning("the access request is open again: a new run may use the same reference")
        # recorded ended before its mark goes (a privacy run's receipts wait for one or the other); the store
        # failing, the mark stays, and counts until IN_FLIGHT_HOURS after the run began
        with suppress(Exception):
            ctx.store.mark_run_failed(ctx.run_id, ctx.dag_id, datetime.now(UTC))
            no_longer_in_flight(ctx.storage, ctx.run_key)
        raise
    no_longer_in_flight(ctx.storage, ctx.run_key)  # recorded ended just above
    log.info("access report (protected: holds the customer's own transcripts): %s", result["json"])
    log.info("access report page: %s", result["html"])
    return result
