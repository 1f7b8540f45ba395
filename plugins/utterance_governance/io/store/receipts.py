"""The store's deletion receipts: per deletion request, its status, deadline and what was removed; and
when each request's deadline clock started."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from utterance_governance.io.store.base import StoreBase, _chunks, utcnow
from utterance_governance.io.store.privacy import sent_again
from utterance_governance.io.store_schema import (
    RECEIPT_STATUSES,
    deletion_receipts,
    deletion_requests,
    store_meta,
)

# store_meta: the run whose removals the receipts counted last (a digest), and those removals
_SETTLED_KEY = "receipts_settled_by"


def _run_digest(run_id: str) -> str:
    return hashlib.sha256(run_id.encode()).hexdigest()


_RECEIPT_FIELDS = ("status", "received_at", "deadline_at", "completed_at", "removed_counts",
                   "versions_rewritten", "searched")  # fmt: skip


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
        self.upsert_receipts([{
            "request_id": request_id, "status": status, "received_at": received_at, "deadline_at": deadline_at,
            "completed_at": completed_at, "removed_counts": removed_counts,
            "versions_rewritten": versions_rewritten, "searched": searched,
        }])  # fmt: skip

    def upsert_receipts(
        self, receipts: Iterable[Mapping[str, Any]], *, settled: tuple[str, Mapping[str, Any]] | None = None
    ) -> None:
        """``upsert_receipt`` for many receipts (each a mapping of its arguments, ``request_id``
        included), in one transaction: all of them or none. Receipts in a row that change the same
        fields go in one statement executed for all of them (a burst of requests is not a burst of
        statements and commits).

        ``settled``: (run id, the removals of that run now on the receipts), kept in the same
        transaction for ``settled_by`` (a retry of the run adds only what it had not)."""
        now = utcnow()
        batches: list[tuple[bool, tuple[str, ...], list[dict[str, Any]]]] = []
        for receipt in receipts:
            fields = {name: receipt.get(name) for name in _RECEIPT_FIELDS}
            if fields["status"] is not None and fields["status"] not in RECEIPT_STATUSES:
                raise ValueError(
                    f"receipt status must be one of {RECEIPT_STATUSES}, got {fields['status']!r}"
                )
            for name in ("removed_counts", "versions_rewritten", "searched"):
                if fields[name] is not None:
                    fields[name] = dict(fields[name]) if name == "removed_counts" else list(fields[name])
            changes = {name: value for name, value in fields.items() if value is not None}
            changes["updated_at"] = now
            create = fields["received_at"] is not None and fields["deadline_at"] is not None
            shape = (create, tuple(sorted(changes)))
            if not batches or batches[-1][:2] != shape:
                batches.append((*shape, []))
            batches[-1][2].append({"request_id": receipt["request_id"], **changes})
        r = deletion_receipts
        with self._write() as conn:
            if settled is not None:
                value = json.dumps({"run": _run_digest(settled[0]), "removed": settled[1]}, sort_keys=True)
                conn.execute(delete(store_meta).where(store_meta.c.key == _SETTLED_KEY))
                conn.execute(insert(store_meta).values(key=_SETTLED_KEY, value=value))
            for create, columns, rows in batches:
                if create:
                    stmt = self._insert(r)
                    stmt = stmt.on_conflict_do_update(
                        index_elements=["request_id"], set_={c: stmt.excluded[c] for c in columns}
                    )
                    conn.execute(stmt, [{"status": "open", **row} for row in rows])
                    continue
                wanted = {row["request_id"] for row in rows}
                found: set[str] = set()
                for chunk in _chunks(sorted(wanted)):
                    found.update(
                        conn.execute(select(r.c.request_id).where(r.c.request_id.in_(chunk))).scalars()
                    )
                if missing := sorted(wanted - found):
                    raise KeyError(
                        f"no receipt for deletion request {missing[0]!r}: create it with received_at and deadline_at"
                    )
                stmt = (
                    update(r)
                    .where(r.c.request_id == bindparam("key"))
                    .values({c: bindparam(c) for c in columns})
                )
                conn.execute(stmt, [{"key": row.pop("request_id"), **row} for row in rows])

    def settled_by(self, run_id: str) -> dict[str, dict[str, int]]:
        """The removals of ``run_id`` already on the receipts, if it is the run that settled last."""
        with self._read() as conn:
            value = conn.scalar(select(store_meta.c.value).where(store_meta.c.key == _SETTLED_KEY))
        if not value:
            return {}
        record = json.loads(value)
        return record["removed"] if record.get("run") == _run_digest(run_id) else {}

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

    def deletion_clock_starts(self) -> dict[str, dt.datetime]:
        """When each deletion request's deadline clock started: the earliest of the time it states
        (``requested_at``), when the pipeline first took it in, and when an unreadable version of it (the
        same request sent again readable released it) was first seen. An upstream clock running ahead
        (a request stamped years ahead) and a request sent again do not postpone its deadline. An unreadable
        record is a version of the request only when the request says the same as it readably states
        (``privacy.sent_again``); one it contradicts keeps a deadline of its own."""
        d = deletion_requests
        with self._read() as conn:
            starts = {
                row.request_id: min(t for t in (row.requested_at, row.ingested_at) if t is not None)
                for row in conn.execute(select(d.c.request_id, d.c.requested_at, d.c.ingested_at))
            }
            for request_id, seen in sent_again(conn, "deletion", open_only=False).values():
                starts[request_id] = min(starts[request_id], seen)
        return starts

    def unreadable_deletions_sent_again(self) -> dict[int, str]:
        """Open unreadable deletion records the same request sent again readable released (``privacy.sent_again``:
        one saying the same as each record readably states): privacy quarantine id -> the request id. That
        request stands for the record in the deadline table."""
        with self._read() as conn:
            return {
                quarantine_id: request for quarantine_id, (request, _) in sent_again(conn, "deletion").items()
            }
