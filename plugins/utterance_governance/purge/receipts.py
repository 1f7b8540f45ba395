"""Deletion receipts and deadlines (SPEC §1: a deletion reaches every copy within the deadline, with a receipt).

Every deletion request gets a receipt in the governance store as soon as it is known:
``received_at`` is when its deadline's clock started, ``deadline_at`` that +
``policy.deletion_deadline_days``. The clock starts when the customer asked (``requested_at``), not
when the file reached us; but no later than when the pipeline first took the request in, or first saw
an unreadable version of it (``GovernanceStore.deletion_clock_starts``): an upstream clock running
ahead, or a request sent again, does not postpone a deletion. A run that purged the published dataset and every other copy
completes the open receipts with what it removed, per location, and the versions it rewrote; a
run that could not finish leaves them ``in_progress`` with what was done so far. Copies found
later (a late landing file) are added to a completed receipt's counts.

Each receipt is also written as ``reports/receipts/<request_id>.json``: request id, scope,
dates, counts, versions and the customer's speaker key (a keyed pseudonym) — never the
customer id, an utterance id or any text. A file is rewritten only when its content changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime

import pyarrow as pa

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.privacy import speaker_keys
from utterance_governance.reports.deadlines import (
    AT_RISK,
    COMPLETED,
    OVERDUE,
    Deadline,
    deadline_from,
    load_deadlines,
)

log = logging.getLogger(__name__)

LOCATION_COUNTS = (
    "published_rows", "landing_rows", "staging_rows", "quarantine_rows", "decisions_rows",
    "published_files_rows", "access_report_utterances",
)  # fmt: skip
# Every place a deletion must reach (SPEC §4.1): a receipt is completed only by a run that searched all.
PLACES = (
    "published", "governance_store",  # purge.published: the live dataset and the ledger
    "landing", "quarantine", "staging", "decisions",  # purge.copies
    "published_files", "access_reports", "temporary", "run_reports",  # purge.traces
    "store_paths",  # purge.store_paths: the landing paths the store keeps
)  # fmt: skip
RECEIPTS_DIR = "reports/receipts"
# a request no run has receipted yet (taken in by the nightly publish): its clock runs all the same
NO_RECEIPT = "no_receipt"
RECEIPT_WRITERS = 8  # receipt files written at once


class PurgeIncomplete(RuntimeError):
    """A step of a privacy run failed: what it had to purge or record is not all done (its receipts stay open);
    the run fails with it, whatever the steps after it did."""


class DeletionOverdue(RuntimeError):
    """A deletion request is past its deadline without a completed receipt."""


class CopiesUnsearchable(RuntimeError):
    """A copy no search can read (another encoding, a row group that cannot be decoded) is in the lake
    while deletions are completed: that it holds none of their customers cannot be shown."""


def receipt_path(request_id: str) -> str:
    """``reports/receipts/<request_id>.json``; an id a path may not hold as it is ("req/1", "req 1", or
    longer than 150 characters) gets the digest of the id after its safe form, so two requests never
    share a file ("req_1")."""
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", request_id)
    if safe != request_id or safe.startswith(".") or len(safe) > 150:
        safe = f"{safe[:100]}.{hashlib.sha256(request_id.encode()).hexdigest()[:16]}"
    return f"{RECEIPTS_DIR}/{safe}.json"


def open_receipts(store: GovernanceStore, policy: Policy) -> list[str]:
    """Create the receipt of every deletion request that has none; return their request ids.

    A receipt counted from a later time than its clock started (a ``requested_at`` ahead of the request's
    intake, receipted before the clock was counted so) is counted from the start again."""
    have = {r["request_id"]: r["received_at"] for r in store.receipts()}
    starts = store.deletion_clock_starts()
    new = [request_id for request_id in sorted(starts) if request_id not in have]
    moved = [request_id for request_id in sorted(starts) if request_id in have and have[request_id] > starts[request_id]]  # fmt: skip
    if moved:
        log.warning("%d receipt(s) counted from a time after the request was taken in (a clock upstream "
                    "ahead): counted from its intake now", len(moved))  # fmt: skip
    store.upsert_receipts(  # one transaction: a burst of requests is not a burst of commits
        {"request_id": request_id, "received_at": starts[request_id],
         "deadline_at": deadline_from(starts[request_id], policy)}
        for request_id in (*new, *moved)
    )  # fmt: skip
    return new


def settle_receipts(
    store: GovernanceStore,
    now: datetime,
    *,
    complete: bool,
    removed: Mapping[str, Mapping[str, int]],
    versions_rewritten: list[str],
    searched: list[str] | None = None,
    run_id: str | None = None,
    decided: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """Record this run's removals on the receipts; complete the open ones if every purge step
    succeeded and searched every place of ``PLACES``.

    ``removed``: request_id -> location counts of this run. ``versions_rewritten``: versions the
    run's purge replaced (recorded on the receipts of requests whose rows they held). ``searched``:
    the places this run searched to the end; a receipt records them when it is completed.
    ``run_id``: the run settling; its task retried after the commit (or cleared after a step
    before it ran again) adds only the removals it had not counted, and settles the status anew.
    ``decided``: the requests the run's purges decided against (None: all); another open receipt stays
    open for the next run, however complete this one was.
    """
    counted = store.settled_by(run_id) if run_id else {}
    this_run = {request: dict(counts) for request, counts in removed.items()}
    removed = {
        request: {key: int(n) - int(counted.get(request, {}).get(key, 0)) for key, n in counts.items()}
        for request, counts in removed.items()
    }
    removed = {request: {k: n for k, n in counts.items() if n > 0} for request, counts in removed.items()}
    searched = sorted(set(searched or ()))
    complete = complete and set(PLACES) <= set(searched)
    changed: dict[str, list[str]] = {"completed": [], "in_progress": [], "late_copies": []}
    updates: list[dict] = []  # written in one transaction
    for receipt in store.receipts():
        request_id = receipt["request_id"]
        mine = removed.get(request_id, {})
        counts = {key: int((receipt.get("removed_counts") or {}).get(key, 0)) + int(mine.get(key, 0))
                  for key in LOCATION_COUNTS}  # fmt: skip
        versions = sorted(set(receipt.get("versions_rewritten") or [])
                          | (set(versions_rewritten) if mine.get("published_rows") else set()))  # fmt: skip
        if receipt["status"] == "completed":
            if any(mine.values()):
                updates.append(
                    {"request_id": request_id, "removed_counts": counts, "versions_rewritten": versions}
                )
                changed["late_copies"].append(request_id)
            continue
        if complete and (decided is None or request_id in decided):
            updates.append({"request_id": request_id, "status": "completed", "completed_at": now,
                            "removed_counts": counts, "versions_rewritten": versions, "searched": searched})  # fmt: skip
            changed["completed"].append(request_id)
        elif any(mine.values()):
            updates.append({"request_id": request_id, "status": "in_progress", "removed_counts": counts,
                            "versions_rewritten": versions})  # fmt: skip
            changed["in_progress"].append(request_id)
    if counted:
        log.warning(
            "run %s settled the receipts before (a retry): only what it had not counted is added", run_id
        )
    store.upsert_receipts(updates, settled=(run_id, this_run) if run_id else None)
    return changed


def write_receipt_files(
    storage: Storage, store: GovernanceStore, dataset: str, pseudonym_key: bytes
) -> list[str]:
    """Write ``reports/receipts/<request_id>.json`` for every receipt whose document changed.

    The files are compared and written by a few threads at once: each write is a durable one
    (an fsync, or a PUT on an object store), and a burst of requests is thousands of them.
    """
    requests = {r["request_id"]: r for r in store.deletion_requests().to_pylist()}
    customers = sorted({r["customer_id"] for r in requests.values()})
    speaker_of = dict(zip(customers, speaker_keys(pa.array(customers, pa.string()), pseudonym_key).to_pylist(), strict=True))  # fmt: skip

    def write(receipt: Mapping) -> str | None:
        request = requests.get(receipt["request_id"])
        document = receipt_document(receipt, request, speaker_of.get(request["customer_id"]) if request else None, dataset)  # fmt: skip
        data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
        path = receipt_path(receipt["request_id"])
        if storage.exists(path) and storage.read_bytes(path) == data:
            return None
        storage.write_bytes(path, data)
        return path

    with ThreadPoolExecutor(max_workers=RECEIPT_WRITERS) as pool:
        return [path for path in pool.map(write, store.receipts()) if path is not None]


def receipt_document(
    receipt: Mapping, request: Mapping | None, speaker_key: str | None, dataset: str
) -> dict:
    """A receipt as the customer's privacy team would file it: no customer id, no utterance id, no text."""

    def iso(value):
        return value.isoformat() if value is not None else None

    completed = receipt.get("completed_at")
    document = {
        "request_id": receipt["request_id"],
        "dataset": dataset,
        "speaker_key": speaker_key,
        "status": receipt["status"],
        "received_at": iso(receipt["received_at"]),
        "deadline_at": iso(receipt["deadline_at"]),
        "completed_at": iso(completed),
        "completed_late": bool(completed and completed > receipt["deadline_at"]),
        "removed": {key: int((receipt.get("removed_counts") or {}).get(key, 0)) for key in LOCATION_COUNTS},
        "versions_rewritten": list(receipt.get("versions_rewritten") or []),
        "searched": list(receipt.get("searched") or []),
    }
    if request is not None:
        document["scope"] = request["scope"]
        document["requested_at"] = iso(request["requested_at"])
        if request["scope"] == "range":
            document["range"] = {"from": iso(request["from"]), "to": iso(request["to"])}
        if request["scope"] == "utterances":
            document["utterances_listed"] = len(request["utterance_ids"] or [])
    return document


def deadline_report(store: GovernanceStore, now: datetime, policy: Policy) -> dict:
    """The deadline check of a run: deletion requests at risk (deadline within
    ``deletion_at_risk_days``) or overdue, unreadable deletion records, receipts completed late.

    A view of the deadline table (``reports.deadlines``). A request without a receipt yet (taken in by the
    nightly publish, which opens none) counts from when its clock started, as the table counts it: its deadline
    runs whether or not a run has receipted it (status ``no_receipt``). An unreadable deletion record
    cannot be executed; its deadline is counted from when it was first seen, and it is overdue like any
    other request.
    """

    def entry(d: Deadline) -> dict:
        return {"request_id": d.request_id, "status": d.receipt_status or NO_RECEIPT,
                "deadline_at": d.deadline_at, "days_left": d.days_left}  # fmt: skip

    table = load_deadlines(store, policy, now)
    requests = [d for d in table if not d.unreadable]
    unreadable = sorted((d for d in table if d.unreadable), key=lambda d: d.unreadable.quarantine_id)
    return {
        "checked_at": now.isoformat(),
        "at_risk": [entry(d) for d in requests if d.state == AT_RISK],
        "overdue": [entry(d) for d in requests if d.state == OVERDUE],
        "unreadable_deletion_records": [
            {**asdict(d.unreadable), "deadline_at": d.deadline_at, "overdue": d.state == OVERDUE}
            for d in unreadable
        ],
        "completed_late": [d.request_id for d in requests if d.completed_late],
        "open": sum(d.receipt_status != COMPLETED for d in requests),
    }


def raise_if_overdue(report: Mapping) -> None:
    overdue = list(report.get("overdue", []))
    unreadable = [u for u in report.get("unreadable_deletion_records", []) if u["overdue"]]
    if not overdue and not unreadable:
        return
    parts = [f"{len(overdue)} deletion request(s) past their deadline without a completed receipt: "
             + ", ".join(f"{o['request_id']} (due {o['deadline_at']}, {o['status']})" for o in overdue[:10])] if overdue else []  # fmt: skip
    if unreadable:
        parts.append(f"{len(unreadable)} unreadable deletion record(s) past their deadline: "
                     + ", ".join(f"{u['source_file']} line {u['line']}" for u in unreadable[:10]))  # fmt: skip
    raise DeletionOverdue(
        "; ".join(parts) + ". Everything that could be purged was purged; see the run report."
    )
