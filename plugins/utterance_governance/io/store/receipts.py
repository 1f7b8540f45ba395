"""The store's deletion receipts: per deletion request, its status, deadline and what was removed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update

from utterance_governance.io.store.base import StoreBase, utcnow
from utterance_governance.io.store_schema import RECEIPT_STATUSES, deletion_receipts


class Receipts(StoreBase):
    """Deletion receipts and their deadlines."""

    def upsert_receipt(
        self,
        request_id: str,
        *,
        status: str | None = None,
        received_at: dt.datetime | None = None,
        deadline_at: dt.datetime | None = None,
        completed_at: dt.datetime | None = None,
        removed_counts: Mapping[str, int] | None = None,
        versions_rewritten: Sequence[str] | None = None,
        searched: Sequence[str] | None = None,
    ) -> None:
        """Create or update a deletion receipt; only the fields given are changed.

        Creating one needs ``received_at`` and ``deadline_at`` (status defaults to ``open``).
        """
        if status is not None and status not in RECEIPT_STATUSES:
            raise ValueError(f"receipt status must be one of {RECEIPT_STATUSES}, got {status!r}")
        changes: dict[str, Any] = {
            name: value
            for name, value in {
                "status": status,
                "received_at": received_at,
                "deadline_at": deadline_at,
                "completed_at": completed_at,
                "removed_counts": dict(removed_counts) if removed_counts is not None else None,
                "versions_rewritten": list(versions_rewritten) if versions_rewritten is not None else None,
                "searched": list(searched) if searched is not None else None,
            }.items()
            if value is not None
        }
        changes["updated_at"] = utcnow()
        r = deletion_receipts
        with self._write() as conn:
            if received_at is not None and deadline_at is not None:
                stmt = self._insert(r).values(request_id=request_id, **{"status": "open", **changes})
                stmt = stmt.on_conflict_do_update(index_elements=["request_id"], set_=changes)
                conn.execute(stmt)
                return
            result = conn.execute(update(r).where(r.c.request_id == request_id).values(**changes))
            if result.rowcount != 1:
                raise KeyError(
                    f"no receipt for deletion request {request_id!r}: create it with received_at and deadline_at"
                )

    def receipt(self, request_id: str) -> dict[str, Any] | None:
        r = deletion_receipts
        with self._read() as conn:
            row = conn.execute(select(r).where(r.c.request_id == request_id)).mappings().first()
        return dict(row) if row else None

    def receipts(self) -> list[dict[str, Any]]:
        """Every deletion receipt, earliest deadline first."""
        r = deletion_receipts
        with self._read() as conn:
            return [
                dict(row)
                for row in conn.execute(select(r).order_by(r.c.deadline_at, r.c.request_id)).mappings()
            ]
