"""The steps of ``privacy_requests`` (SPEC §7), each a function a DAG task calls.

ingest → purge_published → purge_copies → issue_receipts → check_deadlines, and write_report.
The purge steps run even when an earlier step failed: fail closed means never publish more,
but always delete. Receipts are completed only by a run whose purge steps all succeeded; the
deadline check runs last and fails the run when a request is overdue, after everything that
could be purged was purged. Steps pass small dicts of counts (no customer id, no text).

What a run decides against is the whole privacy state, not only what arrived since the last
run: every live row is checked against every deletion request and opt-out, and every copy
under the lake root against every deletion request, so a late landing file or a run that
failed half-way is caught by the next one. A customer held back by an unreadable record of
theirs has their live rows withdrawn (kept in ``quarantine/withdrawn/``, doubt withdraws) until a
readable record releases the hold; the record cannot say what to delete, so nothing is erased for it.
The deadline check also fails the run when a copy no search can read came after deletions were
completed.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import Storage
from utterance_governance.jobs import publish, telemetry
from utterance_governance.jobs.context import RunContext
from utterance_governance.jobs.in_flight import in_flight_since, no_longer_in_flight, unfinished_rotations
from utterance_governance.privacy.keys import KeyMismatch
from utterance_governance.publish.commit import PRIVACY_DAG
from utterance_governance.purge import copies, published, receipts, store_paths
from utterance_governance.purge.affected import merge_counts
from utterance_governance.settings import load_settings

log = logging.getLogger(__name__)

DAG_ID = "privacy_requests"
LOCK_TIMEOUT_S = 600.0  # how long a purge waits for a publish holding the dataset lock


def _now() -> datetime:
    return datetime.now(UTC)


def ingest(ctx: RunContext) -> dict:
    """Take in new consent events and deletion requests (idempotent; unreadable ones quarantined);
    open a receipt, with its deadline, for every deletion request that has none.

    A file that could not be read fails the step after the others were taken in: the requests they
    held get their receipts all the same (one unreadable file never keeps another customer's deletion
    from its receipt, nor its deadline from the run's check), then the step fails."""
    try:
        summary = dict(publish.ingest_privacy(ctx))
    except publish.PrivacyIntakeFailed:
        if not ctx.dry_run:
            receipts.open_receipts(ctx.store, ctx.policy)
        raise
    state = publish.privacy_state(ctx)
    summary.update(
        consent_events=state.consent.num_rows,
        deletion_requests=state.deletions.num_rows,
        held_customers=len(state.held_customers),
        publishing_blocked=list(state.blocked_reasons),
    )
    if state.blocked_reasons:
        log.error("publishing is blocked (fail closed) until these are fixed or acknowledged: %s",
                  state.blocked_reasons[:5])  # fmt: skip
    if not ctx.dry_run:
        summary["receipts_opened"] = len(receipts.open_receipts(ctx.store, ctx.policy))
    return summary


# what each of the purge's stages has done when it is reached (purge.published, publish.commit)
PURGE_STAGES = {
    "affected": "the rows to remove found in the ledger",
    "read": "the shards holding them read and checked against their checksums",
    "stage": "the new version recorded as staged",
    "shards": "the shards without those rows written",
    "manifest": "the new version's manifest written",
    "ledger": "the ledger moved to the new version",
    "switch": "the new version live",
    "purged": "the purge's version published",
}


def _purge_progress() -> Callable[[str], None]:
    """The purge's stages as progress lines, each with the seconds since the purge started (a burst
    of requests takes minutes; the operator sees where it is)."""
    started = time.perf_counter()

    def on_stage(stage: str) -> None:
        log.info("progress purge_published: %s (%.1f s)", PURGE_STAGES.get(stage, stage),
                 time.perf_counter() - started)  # fmt: skip

    return on_stage


def purge_published(ctx: RunContext) -> dict:
    """Rewrite every live shard holding a deleted or opted-out utterance into a new version (the first
    purge after the privacy rules changed judges every live row: ``purge.affected``)."""
    return published.purge_published(
        ctx.storage,
        ctx.store,
        ctx.dataset,
        run_id=ctx.run_id,
        dag_id=ctx.dag_id,
        policy=ctx.policy,
        pseudonym_key=load_settings().pseudonym_key,
        state=lambda: publish.privacy_state(ctx),
        now=_now,
        dry_run=ctx.dry_run,
        lock_timeout_s=LOCK_TIMEOUT_S,
        on_stage=_purge_progress(),
    )


def withdraw_live(ctx: RunContext) -> dict:
    """``utterances_publish``'s purge of the live version, right before it publishes: what its own intake took
    in (or a privacy run has not purged yet) is not carried over by reference into the version it puts live,
    announces, and records as decided against that very privacy state. The receipts record what it removed
    (in progress); the next privacy run searches every other copy and completes them.

    When another run's purge went live and was never handed on (it failed past its switch), the purge reports
    that one and purges nothing more: its removals are settled as that run would have (under its own run),
    then this run purges for its own intake on top, and the two are announced as one revocation."""
    purged = purge_published(ctx)
    other = purged.get("reported_for")
    if ctx.dry_run or not other:
        _settle_withdrawal(ctx, purged, f"{ctx.dag_id}/{ctx.run_id}")
        return purged
    owner = other["run_id"] if other["dag_id"] == PRIVACY_DAG else f"{other['dag_id']}/{other['run_id']}"
    _settle_withdrawal(ctx, purged, owner)
    own = purge_published(ctx)
    _settle_withdrawal(ctx, own, f"{ctx.dag_id}/{ctx.run_id}")
    return _one_revocation(purged, own)


def _settle_withdrawal(ctx: RunContext, purged: dict, run_key: str) -> None:
    if ctx.dry_run or not purged.get("by_request"):
        return
    receipts.open_receipts(ctx.store, ctx.policy)  # (the publish's intake opens none: the privacy run does)
    purged["receipts"] = receipts.settle_receipts(
        ctx.store,
        _now(),
        complete=False,
        removed=purged["by_request"],
        versions_rewritten=_versions_rewritten(purged),
        # (Airflow may give the nightly publish and the hourly privacy run one run id: a retry of either must
        # not take the other's counts for its own)
        run_id=run_key,
        decided=(),
    )


def _one_revocation(reported: dict, own: dict) -> dict:
    """What ``announce_withdrawal`` announces after reporting another run's purge (``reported``) and purging on
    top of it (``own``): the version live now, every version either revoked, every row either removed."""
    if not own.get("new_version"):
        return {**reported, "erase_withdrawn": own.get("erase_withdrawn") or reported.get("erase_withdrawn")}
    rows_removed = dict(own.get("rows_removed") or {})
    for reason, rows in (reported.get("rows_removed") or {}).items():
        rows_removed[reason] = rows_removed.get(reason, 0) + rows
    cleanup = dict(own.get("cleanup") or {})
    cleanup["revoked_versions"] = sorted(
        {*cleanup.get("revoked_versions", []), *_versions_rewritten(reported)}
    )
    return {
        **own,
        "cleanup": cleanup,
        "rows_removed": rows_removed,
        "reason": sorted({*own.get("reason", []), *reported.get("reason", [])}),
        "erase_copies": bool(own.get("erase_copies") or reported.get("erase_copies")),
        "reported_for": reported["reported_for"],
    }


def _versions_rewritten(purged: dict | None) -> list[str]:
    """The versions a purge replaced or revoked (recorded on the receipts of the requests it removed rows of)."""
    if not (purged and purged.get("new_version")):
        return []
    return sorted({purged["live_before"], *purged.get("cleanup", {}).get("revoked_versions", [])})


def purge_copies(ctx: RunContext) -> dict:
    """Rewrite landing, staging, quarantine and decisions files without deleted utterances (a listing's
    recording twins too: ``PrivacyState.deletions_with_twins``)."""
    # from now on a run that ends may have written, after this search, a copy of what it read before it
    # (``issue_receipts``; the workers' clocks are taken as synchronised, as the lock's lease does)
    searched_from = _now()
    deletions = publish.privacy_state(ctx).deletions_with_twins
    settings = load_settings()
    # under the dataset lock: a publish finishing meanwhile would re-register landing files
    with ctx.store.dataset_lock(ctx.dataset, owner=f"{ctx.run_id}/copies", timeout_s=LOCK_TIMEOUT_S) as lock:
        # this worker's key made the copies' speaker keys (another's would match none of them, and the
        # receipts would complete): the run's first task checked its own worker's key, not this one's
        ctx.check_key(settings)
        result = copies.purge_copies(
            ctx.storage,
            ctx.store,
            deletions,
            settings.pseudonym_key,
            dataset=ctx.dataset,
            dry_run=ctx.dry_run,
            now=ctx.now_dt,
            access_reports=_access_report_storage,
            policy=ctx.policy,
            # what each attempt removed: a retry's receipts count what the failed attempt removed too
            removals=None if ctx.dry_run else _removals(ctx, attempt=uuid.uuid4().hex[:12]),
            # a run under way may write a report naming what this purge found (an audit's findings, read
            # before the purge): the next privacy run scrubs the reports of it again
            keep_notes=bool(in_flight_since(ctx.storage, ctx.now_dt, own=ctx.run_key)),
        )
        # the store's landing paths naming a customer who deleted everything, sealed once their landing
        # copies are purged (a publish finishing meanwhile would register them again: under the lock too)
        sealed = _seal_store_paths(ctx, deletions, settings.pseudonym_key)
        # a lease lost meanwhile (the heartbeat could not write for longer than the lease) let a publish
        # take the lock and register landing files this purge was rewriting: no receipt from this attempt,
        # its retry searches again (what it removed is counted, ``copies.Removals``)
        lock.assert_held()
    out = result.to_dict()  # (its paths as logs show them: ``readers.shown_path``)
    out["searched_from"] = searched_from.isoformat()
    out["store_paths"] = sealed.to_dict()
    out["problems"] = [*out["problems"], *sealed.problems]
    if not sealed.problems:
        out["searched"] = [*out["searched"], store_paths.PLACE]
    result.problems += sealed.problems
    if result.problems:
        log.error("%d copies could not be purged: %s", len(result.problems), out["problems"][:5])
    return out


def _removals(ctx: RunContext, attempt: str = "") -> copies.Removals:
    """Where this run's copies purge keeps what each attempt removed (read back by its receipts)."""
    return copies.Removals(ctx.storage, f"reports/{ctx.run_key}/copies_removed", attempt)


def _seal_store_paths(ctx: RunContext, deletions, key: bytes) -> store_paths.StorePathsPurge:
    """``purge.store_paths``; a failure is a problem of the run (the receipts stay open), said as logs say
    paths (a database error quotes its statement's parameters: the raw paths)."""
    try:
        return store_paths.seal_store_paths(ctx.store, deletions, key, dry_run=ctx.dry_run)
    except Exception as exc:
        said = shown_path(f"{store_paths.PLACE}: {type(exc).__name__}: {str(exc)[:300]}")
        log.error("could not seal the store's landing paths: %s", said)
        return store_paths.StorePathsPurge(ctx.dry_run, problems=[said])


def _access_report_storage() -> Storage:
    """The access reports' own root, with their own credentials (a customer's report is a copy too)."""
    from utterance_governance.reports.access import access_report_storage
    from utterance_governance.settings import load_access_report_target

    return access_report_storage(load_access_report_target())


def issue_receipts(ctx: RunContext, purged: dict | None, copied: dict | None) -> dict:
    """Record what each deletion request removed; complete the receipts if every purge step succeeded.

    ``purged`` / ``copied`` are None when that step failed: the receipts then stay open (or
    ``in_progress`` with what was removed) and the next run completes them.
    """
    now = _now()
    complete = purged is not None and copied is not None and not copied.get("problems")
    searched = [*(purged or {}).get("searched", []), *(copied or {}).get("searched", [])]
    # a receipt completes only for a request both purges decided against: one taken in after the
    # published purge decided (an overlapping run's intake, a cleared run's retry past its switch) was
    # searched for by neither, whatever the copies purge found
    decided = set((purged or {}).get("decided_requests") or ()) & set(
        (copied or {}).get("decided_requests") or ()
    )
    # ... nor while another run is in flight (a publish, a dry run too, another privacy run's intake, an
    # audit, an access report): it may write a copy of what it read before this run's purges (decisions and
    # quarantine rows of a landing file it read before the purge rewrote it, the quarantine copy of a privacy
    # file's unreadable line, staged rows, an audit's findings, a report gathered before the purge), once
    # they searched. That holds whenever its request was taken in, before the run started too (a publish
    # decides against the customer, yet writes their malformed lines and its decisions on their utterance
    # ids); the first privacy run after it purges those. This run's own mark does not count: what its intake
    # wrote, its purges searched after
    if in_flight_since(ctx.storage, now, own=ctx.run_key) and not ctx.dry_run and decided:
        log.info("%d deletion request(s) stay open until the run(s) under way finish", len(decided))
        decided = set()
    # ... nor when such a run ended since the copies purge began searching (its mark gone by now: this step
    # retried minutes later, or a run finishing in between): what it wrote after the search, no search read
    if decided and not ctx.dry_run and _ended_since_the_search(ctx, copied):
        log.info("%d deletion request(s) stay open: a run ended while the copies were searched, the next "
                 "privacy run searches what it wrote", len(decided))  # fmt: skip
        decided = set()
    summary: dict = {"dry_run": ctx.dry_run, "complete": complete}
    settings = load_settings()
    if not ctx.dry_run:
        # the receipt files name each customer by a speaker key made with this worker's key: one left on a
        # retired key (a rotation since) would write a key no row and no later scrub matches
        ctx.check_key(settings)
        # the embedded store's write-ahead log still holds the purged ledger rows as they were written:
        # until it is cut back nothing completes (the next run cuts it back and completes them)
        summary["journal_cut_back"] = ctx.store.cut_back_journal()
        if not summary["journal_cut_back"]:
            complete = summary["complete"] = False
            log.warning("the governance store's write-ahead log could not be cut back (a reader is open): the "
                        "receipts stay open, the next privacy run cuts it back and completes them")  # fmt: skip
    if not ctx.dry_run:
        # a copies purge that failed after it rewrote files kept what it removed: the receipts count it
        # now (in progress), or the run that completes them would find those files clean and count 0
        copies_removed = copied.get("by_request") if copied is not None else _removals(ctx).by_request()
        removed = merge_counts((purged or {}).get("by_request"), copies_removed)
        versions = _versions_rewritten(purged)
        summary["receipts"] = receipts.settle_receipts(
            ctx.store,
            now,
            complete=complete,
            removed=removed,
            versions_rewritten=versions,
            searched=searched,
            run_id=ctx.run_id,
            decided=decided,
        )
        # a listing carried out erased every copy of the recordings it named, twins too: their pairs go
        summary["twins_forgotten"] = ctx.store.forget_twins_of_requests(summary["receipts"]["completed"])
        summary["receipt_files_written"] = len(
            receipts.write_receipt_files(ctx.storage, ctx.store, ctx.dataset, settings.pseudonym_key)
        )
    # A copy no search can read, with receipts already completed: whether it holds the words of a
    # customer told their deletion is complete cannot be shown (a late file in another encoding). Open
    # receipts stay open for it; a completed one cannot be taken back, so the run fails at its end.
    unsearched = (copied or {}).get("unsearchable") or []
    if unsearched and not ctx.dry_run and any(r["status"] == "completed" for r in ctx.store.receipts()):
        summary["unsearched_after_completion"] = unsearched
    summary["deadlines"] = receipts.deadline_report(ctx.store, now, ctx.policy)
    deadlines = summary["deadlines"]
    if deadlines["at_risk"]:
        log.warning("%d deletion request(s) at risk of missing their deadline: %s", len(deadlines["at_risk"]),
                    [d["request_id"] for d in deadlines["at_risk"][:10]])  # fmt: skip
    return summary


def _ended_since_the_search(ctx: RunContext, copied: dict | None) -> bool:
    """Whether a run other than this one ended since the copies purge began (``searched_from``), as the
    store records runs (each records its end after its last write); not known: taken as yes."""
    searched_from = (copied or {}).get("searched_from")
    if not searched_from:
        return True
    return bool(
        ctx.store.runs_finished_since(datetime.fromisoformat(searched_from), but=(DAG_ID, ctx.run_id))
    )


def check_deadlines(ctx: RunContext, issued: dict | None) -> dict:
    """Fail the run loudly when a deletion request is past its deadline without a completed receipt, or
    when a copy no search can read came after deletions were completed (``issue_receipts``)."""
    deadlines = (issued or {}).get("deadlines") or receipts.deadline_report(ctx.store, _now(), ctx.policy)
    receipts.raise_if_overdue(deadlines)
    # a key rotation stopped short: the case-fold pairs and copies may hold the old key, so an opt-out or a
    # deletion may have missed a spelling's rows (its receipts stay open: ``in_flight``). The purges did what
    # they could; the run fails, and alerts, until `ug rekey` is run again
    rotations = unfinished_rotations(ctx.storage)
    if rotations:
        raise KeyMismatch(
            f"a key rotation is under way or stopped short ({', '.join(sorted(rotations))} under staging/): "
            "opt-outs and deletions may miss rows of another spelling of their customer's id until it has "
            "finished (a stopped one: run `ug rekey` again with its keys)"
        )
    unsearched = (issued or {}).get("unsearched_after_completion") or []
    if unsearched:
        raise receipts.CopiesUnsearchable(
            f"{len(unsearched)} file(s) came after deletions were completed, and {', '.join(unsearched[:5])} "
            "cannot be searched for deleted customers. Repair or remove them upstream; the next run "
            "searches them."
        )
    return {"overdue": 0, "at_risk": len(deadlines["at_risk"])}


def _count_requests(ctx: RunContext, purged: dict | None) -> None:
    """Deletion requests pending, at risk and overdue (as ``ug status`` counts them) as gauges, and the
    live rows a purge took out, by reason. Counting never fails the run."""
    from utterance_governance.reports.deadlines import AT_RISK, COMPLETED, OVERDUE, load_deadlines

    if not ctx.dry_run:
        for reason, n in ((purged or {}).get("rows_removed") or {}).items():
            telemetry.incr(telemetry.metric_name("privacy", "rows_removed", reason), n)
    try:
        states = [d.state for d in load_deadlines(ctx.store, ctx.policy, _now())]
    except Exception:
        log.warning("deletion requests could not be counted for the metrics", exc_info=True)
        return
    telemetry.gauge(
        telemetry.metric_name("privacy", "requests", "pending"), sum(s != COMPLETED for s in states)
    )
    telemetry.gauge(telemetry.metric_name("privacy", "requests", "at_risk"), states.count(AT_RISK))
    telemetry.gauge(telemetry.metric_name("privacy", "requests", "overdue"), states.count(OVERDUE))


def write_report(
    ctx: RunContext,
    ingested: dict | None,
    purged: dict | None,
    copied: dict | None,
    issued: dict | None,
    started_at: datetime | None = None,
) -> dict:
    """The run's report (``reports/<run>/privacy_requests.json``) and the store's run record."""
    failed = [name for name, value in (("ingest", ingested), ("purge_published", purged),
                                       ("purge_copies", copied), ("issue_receipts", issued)) if value is None]  # fmt: skip
    deadlines = (issued or {}).get("deadlines") or receipts.deadline_report(ctx.store, _now(), ctx.policy)
    report = {
        "run_id": ctx.run_id,
        "dag_id": DAG_ID,
        "dataset": ctx.dataset,
        "dry_run": ctx.dry_run,
        "decided_at": ctx.now,
        "failed_steps": failed,
        "privacy_ingest": ingested,
        "published": purged,
        "copies": copied,
        "receipts": issued,
        "deadlines": deadlines,
    }
    path = f"reports/{ctx.run_key}/privacy_requests.json"
    ctx.storage.write_bytes(path, json.dumps(report, indent=2, sort_keys=True, default=str).encode())
    overdue = bool(deadlines["overdue"]) or any(
        u["overdue"] for u in deadlines["unreadable_deletion_records"]
    )
    if not ctx.dry_run:
        ctx.store.record_run(
            ctx.run_id, DAG_ID, started_at or ctx.now_dt, _now(),
            # a failed step or an overdue request fails the Airflow run too (check_deadlines)
            "success" if not failed and not overdue else "failed",
            (purged or {}).get("rows_removed", {}),
            {"version": (purged or {}).get("version"), "report": path, "failed_steps": failed,
             "copies_rows_removed": (copied or {}).get("rows_removed")},
        )  # fmt: skip
    # the run writes no more copies: recorded ended (above) before its intake's mark goes (a failed run's: the
    # DAG's failure callback, the same way), and its staging folder with it (a privacy run stages nothing else)
    no_longer_in_flight(ctx.storage, ctx.run_key)
    ctx.storage.remove(f"staging/{ctx.run_key}")
    _count_requests(ctx, purged)
    return {"report": ctx.storage.url(path), "failed_steps": failed, "version": (purged or {}).get("version")}
