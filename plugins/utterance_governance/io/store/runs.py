"""The store's record of runs: per run, its status and decision counts by reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from utterance_governance.io.store.base import StoreBase
from utterance_governance.io.store_schema import runs


class Runs(StoreBase):
    """Runs and their decision counts by reason."""

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
        """Record a run and its decision counts by reason (idempotent: a re-run of ``(dag_id, run_id)`` replaces it)."""
        row = {
            "run_id": run_id,
            "dag_id": dag_id,
            "started_at": started_at,
            "finished_at": finished_at,
            "status": status,
            "counts": {str(k): int(v) for k, v in counts.items()},
            "details": dict(details) if details is not None else None,
        }
        stmt = self._insert(runs)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dag_id", "run_id"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dag_id", "run_id")},
        )
        with self._write() as conn:
            conn.execute(stmt, row)

    def runs(self, dag_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs (newest first), of one DAG or all."""
        stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)
        if dag_id is not None:
            stmt = stmt.where(runs.c.dag_id == dag_id)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]
