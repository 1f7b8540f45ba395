"""The store's record of training runs: which run of which training DAG consumed which dataset version.

Lineage to training: a training DAG scheduled on the dataset's Asset records the
version it read (``record_training_run``); when a purge revokes versions, ``training_runs``
answers "which training runs used v000042", so the asset event and the governance view can
name them and a model owner can act. No customer id, no text: versions, run ids and counts.

The table is ``store_schema.training_runs`` (revision 0004 of ``io/migrations``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from utterance_governance.io.store.base import StoreBase
from utterance_governance.io.store_schema import training_runs


class TrainingRuns(StoreBase):
    """Training runs and the dataset versions they consumed."""

    def record_training_run(
        self,
        dataset: str,
        version: str,
        *,
        dag_id: str,
        run_id: str,
        consumed_at: dt.datetime,
        manifest_url: str | None = None,
        key_fingerprint: str | None = None,
        rows: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record that ``dag_id``/``run_id`` consumed ``version`` (idempotent: a retry replaces it)."""
        row = {
            "dataset": dataset,
            "dag_id": dag_id,
            "run_id": run_id,
            "version": version,
            "consumed_at": consumed_at,
            "manifest_url": manifest_url,
            "key_fingerprint": key_fingerprint,
            "rows": rows,
            "details": dict(details) if details is not None else None,
        }
        stmt = self._insert(training_runs)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dataset", "dag_id", "run_id"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dataset", "dag_id", "run_id")},
        )
        with self._write() as conn:
            conn.execute(stmt, row)

    def training_runs(
        self, dataset: str, versions: Iterable[str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Training runs of ``dataset`` (of ``versions`` only, when given), newest first."""
        t = training_runs
        stmt = select(t).where(t.c.dataset == dataset)
        if versions is not None:
            wanted = sorted(set(versions))
            if not wanted:
                return []
            stmt = stmt.where(t.c.version.in_(wanted))
        stmt = stmt.order_by(t.c.consumed_at.desc(), t.c.dag_id, t.c.run_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]
