"""The store's record of runs: per run, its status, its decision counts by reason, the steps that
failed and why; and the log of alerts sent about runs and deletion requests (each once).

A run's record is written by its report step (``success``, or ``failed`` when a step it knows of
failed), by each failing task (``record_step_failure``: the step and its error, without text or
ids) and, last, by the DAG's failure callback (``mark_run_failed``), which has the final word
once every task is done. The failures a run met are kept in ``details["failures"]`` whoever
writes the record afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from utterance_governance.io.store.base import StoreBase
from utterance_governance.io.store_schema import alerts_sent, runs

FAILED = "failed"
MAX_FAILURES = 50  # a mapped step failing for each of many files is recorded this many times at most


def _merge_failures(*lists: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for items in lists:
        for item in items or ():
            key = (item.get("step"), item.get("error"), item.get("try_number"))
            if key not in seen:
                seen.add(key)
                out.append(dict(item))
    return out[-MAX_FAILURES:]


class Runs(StoreBase):
    """Runs, their decision counts by reason and their failures; alerts sent."""

    def run(self, dag_id: str, run_id: str) -> dict[str, Any] | None:
        """One run's record, or None."""
        stmt = select(runs).where(runs.c.dag_id == dag_id, runs.c.run_id == run_id)
        with self._read() as conn:
            row = conn.execute(stmt).mappings().first()
        return dict(row) if row is not None else None

    def _upsert_run(self, conn, row: dict[str, Any]) -> None:
        stmt = self._insert(runs)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dag_id", "run_id"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dag_id", "run_id")},
        )
        conn.execute(stmt, row)

    def _existing(self, conn, dag_id: str, run_id: str) -> dict[str, Any] | None:
        stmt = select(runs).where(runs.c.dag_id == dag_id, runs.c.run_id == run_id)
        row = conn.execute(stmt).mappings().first()
        return dict(row) if row is not None else None

    def record_run(
        self,
        run_id: str,
        dag_id: str,
        started_at: dt.datetime,
        finished_at: dt.datetime | None,
        status: str,
        counts: Mapping[str, int],
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a run and its decision counts by reason (idempotent: a re-run of ``(dag_id, run_id)``
        replaces it). Failures recorded for the run before (``details["failures"]``) are kept."""
        with self._write() as conn:
            existing = self._existing(conn, dag_id, run_id)
            details = dict(details) if details is not None else None
            earlier = ((existing or {}).get("details") or {}).get("failures")
            if earlier:
                details = details or {}
                details["failures"] = _merge_failures(earlier, details.get("failures"))
            self._upsert_run(conn, {
                "run_id": run_id, "dag_id": dag_id, "started_at": started_at, "finished_at": finished_at,
                "status": status, "counts": {str(k): int(v) for k, v in counts.items()}, "details": details,
            })  # fmt: skip

    def record_step_failure(
        self, run_id: str, dag_id: str, step: str, error: str, at: dt.datetime, try_number: int | None = None
    ) -> None:
        """A step of the run failed (no retry left): the run is ``failed``, the step and its error kept."""
        failure = {"step": step, "error": error, "at": at.isoformat(), "try_number": try_number}
        with self._write() as conn:
            existing = self._existing(conn, dag_id, run_id)
            details = dict((existing or {}).get("details") or {})
            details["failures"] = _merge_failures(details.get("failures"), [failure])
            self._upsert_run(conn, {
                "run_id": run_id, "dag_id": dag_id,
                "started_at": existing["started_at"] if existing else at,
                "finished_at": at, "status": FAILED,
                "counts": existing["counts"] if existing else {}, "details": details,
            })  # fmt: skip

    def mark_run_failed(
        self,
        run_id: str,
        dag_id: str,
        at: dt.datetime,
        *,
        started_at: dt.datetime | None = None,
        failed_steps: Iterable[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The run ended failed (its DAG's failure callback): status ``failed``, whatever a report step
        recorded before; ``failed_steps`` (task ids) and ``details`` are added. Returns the record."""
        with self._write() as conn:
            existing = self._existing(conn, dag_id, run_id)
            merged = dict((existing or {}).get("details") or {})
            merged.update(details or {})
            steps = {f.get("step") for f in merged.get("failures") or []} - {None}
            merged["failed_steps"] = sorted(set(merged.get("failed_steps") or []) | set(failed_steps) | steps)
            row = {
                "run_id": run_id,
                "dag_id": dag_id,
                "started_at": existing["started_at"] if existing else (started_at or at),
                "finished_at": at,
                "status": FAILED,
                "counts": existing["counts"] if existing else {},
                "details": merged,
            }
            self._upsert_run(conn, row)
        return row

    def runs_finished_since(self, since: dt.datetime, *, but: tuple[str, str]) -> list[tuple[str, str]]:
        """(dag_id, run_id) of every run recorded finished at ``since`` or after, but the run ``but``."""
        stmt = select(runs.c.dag_id, runs.c.run_id).where(runs.c.finished_at >= since)
        with self._read() as conn:
            return sorted((d, r) for d, r in conn.execute(stmt) if (d, r) != but)

    def runs(
        self, dag_id: str | None = None, limit: int = 50, status: str | None = None
    ) -> list[dict[str, Any]]:
        """The latest runs (newest first), of one DAG or all, of one status or any."""
        stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)
        if dag_id is not None:
            stmt = stmt.where(runs.c.dag_id == dag_id)
        if status is not None:
            stmt = stmt.where(runs.c.status == status)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]

    # -- alerts ---------------------------------------------------------------------------------
    def alert_sent(self, subject_key: str, state: str) -> bool:
        stmt = select(alerts_sent.c.sent_at).where(
            alerts_sent.c.subject_key == subject_key, alerts_sent.c.state == state
        )
        with self._read() as conn:
            return conn.execute(stmt).first() is not None

    def record_alert(
        self, subject_key: str, state: str, title: str, channels: Iterable[str], at: dt.datetime
    ) -> bool:
        """Note that the alert for ``(subject_key, state)`` went out; False if it already had."""
        stmt = self._insert(alerts_sent).on_conflict_do_nothing(index_elements=["subject_key", "state"])
        with self._write() as conn:
            result = conn.execute(stmt, {"subject_key": subject_key, "state": state, "sent_at": at,
                                         "title": title, "channels": list(channels)})  # fmt: skip
        return bool(result.rowcount)

    def alerts(self, subject_key: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Alerts sent (newest first)."""
        stmt = select(alerts_sent).order_by(alerts_sent.c.sent_at.desc()).limit(limit)
        if subject_key is not None:
            stmt = stmt.where(alerts_sent.c.subject_key == subject_key)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]
