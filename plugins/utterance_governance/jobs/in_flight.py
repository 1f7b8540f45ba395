"""Runs that may still write a copy of what they read: a publish, dry runs included (the quarantine copies
of its privacy intake, its staging, decisions and held rows), a privacy run (the quarantine copies of its
intake), an audit (its findings name live rows) and an access report. Each marks itself under
``staging/<run>/`` before it reads, until it ends, so no deletion's receipt completes until the first privacy
run after it purged what it wrote (a privacy run's receipts wait for every mark but its own: its own purge
comes after its intake). Light on purpose: the dag-processor's failure callback drops a failed run's mark."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from utterance_governance.io.storage import Storage

log = logging.getLogger(__name__)

# A publish run's mark, while its staging is there: the copies it writes from what it read before a purge
# (decisions, quarantine, held rows) are purged by the next privacy run, so deletions keep their receipts
# open until then (``in_flight_since``). An access report's run marks
# itself the same way while it gathers and writes the customer's report. A run that stopped leaves its
# mark: after IN_FLIGHT_HOURS without a step of it renewing its mark (``still_in_flight``: a backfill
# of days, a task retried hours later renews it) it is no longer taken as running.
IN_FLIGHT = "_in_flight.json"
IN_FLIGHT_HOURS = 24


def mark_in_flight(
    storage: Storage,
    run_key: str,
    run_id: str,
    started_at: datetime,
    *,
    until_removed: bool = False,
    details: dict | None = None,
) -> None:
    """Mark a run that may write copies of what it reads (a publish, a privacy intake, an access report)
    as under way, before it reads.
    ``until_removed``: the mark stands however old it is (a key rotation left half done: until it is
    finished, copies hold keys no deletion matches); ``details``: more of what the run is."""
    mark = {
        **(details or {}),
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "until_removed": until_removed,
    }
    storage.write_bytes(f"staging/{run_key}/{IN_FLIGHT}", json.dumps(mark).encode())


def no_longer_in_flight(storage: Storage, run_key: str) -> None:
    """A run that ended without publishing (a failed gate, a refusal, a failed task's run) writes no
    more copies: its mark goes, its staging (evidence) stays."""
    try:
        storage.remove(f"staging/{run_key}/{IN_FLIGHT}")
    except OSError:  # (a mark left is no longer taken as running after IN_FLIGHT_HOURS)
        log.warning("could not remove the in-flight mark of %s", run_key)


def still_in_flight(storage: Storage, run_key: str, now: datetime) -> None:
    """A step of a marked run renews its mark (a mark removed stays removed): a run longer than
    IN_FLIGHT_HOURS is still taken as running while its steps go on."""
    path = f"staging/{run_key}/{IN_FLIGHT}"
    try:
        mark = json.loads(storage.read_bytes(path))
    except (OSError, ValueError):  # gone, or rewritten while read (s3fs: FileExpired) by a step renewing it
        return
    storage.write_bytes(path, json.dumps({**mark, "renewed_at": now.isoformat()}).encode())


def in_flight_since(
    storage: Storage, now: datetime, *, but: str | None = None, own: str | None = None
) -> list[datetime]:
    """When each run that may still be writing copies started (``IN_FLIGHT``); ``but``: leave out the
    marks of runs whose key starts so; ``own``: leave out the mark of the run with this key (a privacy
    run's own: what its intake wrote, its own purge searches after)."""
    return [
        started
        for key, started in _marks(storage, now)
        if not ((but is not None and key.startswith(but)) or key == own)
    ]


def runs_in_flight(storage: Storage, now: datetime) -> list[str]:
    """The keys of the runs that may still be writing copies (their steps find their staged files by name)."""
    return [key for key, _ in _marks(storage, now)]


def _marks(storage: Storage, now: datetime) -> list[tuple[str, datetime]]:
    """Each run's key and when it started, for every mark that still stands (``IN_FLIGHT_HOURS``)."""
    marks = []
    for folder in storage.list_dirs("staging"):
        try:
            mark = json.loads(storage.read_bytes(f"{folder}/{IN_FLIGHT}"))
            at = datetime.fromisoformat(mark["started_at"])
            seen = max(at, datetime.fromisoformat(mark.get("renewed_at") or mark["started_at"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            continue
        if mark.get("until_removed") is True or now - seen < timedelta(hours=IN_FLIGHT_HOURS):
            marks.append((folder.removeprefix("staging/"), at))
    return marks


# the in-flight marks of key rotations (``staging/<ROTATION_RUNS><run id>/``): they stand until the rotation
# has finished, and name the fingerprints of its two keys
ROTATION_RUNS = "rekey__"


def unfinished_rotations(storage: Storage) -> dict[str, tuple[str, str]]:
    """Each key rotation whose mark is left (one under way, or stopped short): its run key, and the (from, to)
    fingerprints of its keys ((``?``, ``?``) for a mark that cannot be read: still a rotation not finished)."""
    out = {}
    for folder in storage.list_dirs("staging"):
        key = folder.removeprefix("staging/")
        if key.startswith(ROTATION_RUNS):
            try:
                mark = json.loads(storage.read_bytes(f"{folder}/{IN_FLIGHT}"))
                out[key] = (str(mark["from"]), str(mark["to"]))
            except FileNotFoundError:  # no mark (a folder a rotation's notes were left in): none under way
                continue
            except (OSError, ValueError, KeyError, TypeError):
                out[key] = ("?", "?")
    return out
