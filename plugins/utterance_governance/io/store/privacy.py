"""The store's privacy records: consent events and deletion requests (idempotent by id), the
records that could not be read — which hold a customer back or block publishing (SPEC §4) —
and the snapshot of that state a decision is taken against.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import StatementError

from utterance_governance.io.readers import (
    EARLIEST_CAPTURE,
    LATEST_INSTANT,
    MISPLACED_PRIVACY_RECORD,
    fold_key,
    shown_path,
)
from utterance_governance.io.store.base import (
    _PRIVACY_INTAKE_LOCK_KEY,
    StoreBase,
    _chunks,
    _conform,
    _iso,
    utcnow,
)
from utterance_governance.io.store_schema import (
    consent_events,
    deletion_requests,
    dumps_canonical,
    privacy_batches,
    privacy_quarantine,
    store_meta,
)
from utterance_governance.privacy.identity import canonical_enum, canonical_ids
from utterance_governance.privacy.state import PrivacyState
from utterance_governance.schema import (
    CONSENT,
    CONSENT_STATUSES,
    DELETION,
    DELETION_SCOPES,
    TRAINING_PURPOSE,
)

log = logging.getLogger(__name__)

PRIVACY_KINDS = ("consent", "deletion")


def _judged_key(dataset: str) -> str:
    """store_meta's key (64 characters at most) for the rules (``purge.affected.rules_in_force``) every
    live row of ``dataset`` was last judged by."""
    return "live_rows_judged_by:" + hashlib.sha256(dataset.encode()).hexdigest()[:32]


def sent_again_readable(kind: str = "deletion"):
    """An unreadable record of ``kind`` (``privacy_quarantine``) and a readable record under its id sent after
    it (``deletion_requests`` / ``consent_events``): its id, its customer, a later intake. The candidates
    ``sent_again`` keeps those of that agree with what the unreadable line readably states."""
    q = privacy_quarantine
    target, key = (consent_events, "event_id") if kind == "consent" else (deletion_requests, "request_id")
    return and_(
        q.c.kind == kind,
        q.c.record_id == target.c[key],
        q.c.customer_id == target.c.customer_id,
        q.c.batch_id < target.c.batch_id,
    )


def sent_again(conn: Connection, kind: str, *, open_only: bool = True) -> dict[int, tuple[str, datetime]]:
    """The unreadable records of ``kind`` the same record sent again readable answered: privacy quarantine
    id -> (the readable record's id, when the unreadable one was taken in). The same record: its id, its
    customer, taken in later (``sent_again_readable``), and saying the same in every field the unreadable
    line readably states (``record_states``). A resend that says otherwise (an id reused upstream, a
    narrower "correction": a listing of one utterance under a delete-all's id, an opt-in under an opt-out's
    event id) is a record of its own: the unreadable one still holds its customer (and, consent, still
    counts as the opt-out it may be) until acknowledged. What alone releases a deletion's hold, what ends
    a consent record's doubt, and what makes a request stand for the record in the deadline table
    (``Receipts``)."""
    q = privacy_quarantine
    target, key = (consent_events, "event_id") if kind == "consent" else (deletion_requests, "request_id")
    content = [target.c[name] for name in _COMPARED_COLUMNS[kind]]
    stmt = select(
        q.c.id.label("quarantine_id"),
        q.c.recorded_at.label("taken_in"),
        q.c.record_states,
        target.c[key],
        *content,
    ).select_from(q.join(target, sent_again_readable(kind)))
    if open_only:
        stmt = stmt.where(q.c.acknowledged_at.is_(None))
    answered: dict[int, tuple[str, datetime]] = {}
    for row in conn.execute(stmt).mappings():
        readable = _readable_content(kind, row)
        if all(readable.get(name) == value for name, value in (row["record_states"] or {}).items()):
            answered.setdefault(row["quarantine_id"], (row[key], row["taken_in"]))
    return answered


class PrivacyRecords(StoreBase):
    """Consent events, deletion requests and the privacy quarantine."""

    def ingest_consent_events(
        self, events: pa.Table, source_file: str, *, quarantined: pa.Table | None = None
    ) -> int:
        """Take in consent events (``schema.CONSENT``) read from ``source_file``; return how many were new.

        Idempotent by ``event_id``. ``quarantined`` (``schema.QUARANTINE`` rows) are the
        file's unreadable records: they are recorded in the same ingest, so a valid record of
        the same file does not release the hold they put on their customer.
        """
        return self._ingest_privacy("consent", events, source_file, quarantined)[0]

    def ingest_deletion_requests(
        self, requests: pa.Table, source_file: str, *, quarantined: pa.Table | None = None
    ) -> int:
        """Take in deletion requests (``schema.DELETION``); idempotent by ``request_id``; return how many were new."""
        return self._ingest_privacy("deletion", requests, source_file, quarantined)[0]

    def record_privacy_quarantine(self, kind: str, quarantined: pa.Table) -> int:
        """Record unreadable consent/deletion records (``schema.QUARANTINE`` rows); return how many were new.

        Idempotent by (kind, source_file, line). A row with a readable ``customer_id`` holds
        that customer back until a valid record of the same kind is ingested later; a row
        without one blocks publishing until acknowledged. These rows (files refused or unreadable as a
        whole) are recorded each time the file is listed: one that says something else than the row
        stored at its place (another detail: the file changed) takes its place, unacknowledged.
        """
        by_file: dict[str, list[int]] = {}
        for index, path in enumerate(quarantined.column("source_file").to_pylist()):
            by_file.setdefault(path, []).append(index)
        added = 0
        for path, indices in by_file.items():
            added += self._ingest_privacy(kind, None, path, quarantined.take(indices), relisted=True)[1]
        return added

    def _ingest_privacy(
        self,
        kind: str,
        records: pa.Table | None,
        source_file: str,
        quarantined: pa.Table | None,
        *,
        relisted: bool = False,
    ) -> tuple[int, int]:
        """``relisted``: the quarantine rows come again each run (``record_privacy_quarantine``); else they
        were read from a file new or changed since it was last read, so a row at a place already taken
        (a file rewritten in place: ``latest.jsonl``) is a new unreadable record: the old one is set aside
        (``_set_aside_earlier_versions``) and both hold their customers."""
        if kind not in PRIVACY_KINDS:
            raise ValueError(f"privacy record kind must be one of {PRIVACY_KINDS}, got {kind!r}")
        target, key = (consent_events, "event_id") if kind == "consent" else (deletion_requests, "request_id")
        lines = _lines(records)
        rows = _consent_rows(records) if kind == "consent" else _deletion_rows(records)
        held_rows = _quarantine_rows(kind, quarantined)
        if not rows and not held_rows:
            return 0, 0
        now = utcnow()
        with self._write() as conn:
            if self.backend == "postgresql":  # one intake at a time (SQLite's write lock does it there)
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PRIVACY_INTAKE_LOCK_KEY})
            batch_id = conn.execute(
                insert(privacy_batches).values(
                    kind=kind, source_file=source_file, ingested_at=now, new_records=0, new_quarantined=0
                )
            ).inserted_primary_key[0]
            if rows:
                rows, lines, conflicts = _without_conflicts(conn, kind, target, key, rows, lines)
                if kind == "deletion" and conflicts:  # deletions add up: each version is honoured
                    rows += [_another_version(row) for row, _, _ in conflicts]
                    lines += [line for _, line, _ in conflicts]
                    log.warning("%d deletion request(s) sent again under their id with other content: each "
                                "version is a request of its own (id~<digest of its content>)", len(conflicts))  # fmt: skip
                    conflicts = []
                # the conflicting record is readable: the time it states decides what releases its hold
                # (without one, any valid record ingested later did: an old opt-in delivered late)
                held_rows += [
                    {"kind": kind, "source_file": source_file, "line": line, "record_id": _printable(row[key]),
                     "customer_id": row["customer_id"], "reason": "malformed", "detail": f"conflicting_record:{key}",
                     "record_time": _record_time(kind, row), "record_effective": _record_effective(kind, row)}
                    for row, line, _ in conflicts
                ]  # fmt: skip
                # an event id sent again for another customer: the stored version's consent is in doubt
                # too (its hold at the line's negative: one position per record in the store). The worst
                # reading is that it was never theirs: until acknowledged it counts as an opt-out since the
                # earliest capture, recorded when the stored one was (it outranks that one's opt-in)
                held_rows += [
                    {"kind": kind, "source_file": source_file, "line": -line, "record_id": _printable(row[key]),
                     "customer_id": stored["customer_id"], "reason": "malformed",
                     "detail": f"conflicting_record:{key}", "record_time": _record_time(kind, stored),
                     "record_effective": None}
                    for row, line, stored in conflicts if stored["customer_id"] != row["customer_id"] and line
                ]  # fmt: skip
            if rows:
                for row in rows:
                    row.update(source_file=source_file, batch_id=batch_id, ingested_at=now)
                statement = self._insert(target).on_conflict_do_nothing(index_elements=[key])
                for index, error in _insert_each_storable(conn, statement, rows):
                    # one record the database cannot take is one unreadable record (SPEC §4.1)
                    held_rows.append(_unstorable(kind, source_file, lines[index], rows[index], key, error))
            if held_rows:
                for row in held_rows:
                    row.update(batch_id=batch_id, recorded_at=now)
                q = privacy_quarantine
                statement = self._insert(q)
                if relisted:  # the file changed (its version is in the detail): the row takes the old's place
                    # ... but a misplaced record names a customer: one at the line before stays beside it, and
                    # holds (a re-export with another customer's record there withdrew no one's)
                    misplaced = [
                        r for r in held_rows if str(r.get("detail")).startswith(MISPLACED_PRIVACY_RECORD)
                    ]
                    if misplaced:
                        _set_aside_earlier_versions(conn, kind, source_file, misplaced)
                    # ... and so does a failed reading of a version nobody read since: what it held no reading
                    # will see (the file was replaced), so only an acknowledgement settles it, not the reading
                    # of the version that replaced it (``settle_read_failures``)
                    _set_aside_unread_versions(conn, kind, source_file, held_rows)
                    replaced = ("record_id", "customer_id", "reason", "detail", "batch_id", "recorded_at",
                                "record_time", "record_effective", "record_states")  # fmt: skip
                    statement = statement.on_conflict_do_update(
                        index_elements=["kind", "source_file", "line"],
                        set_={**{c: statement.excluded[c] for c in replaced}, "acknowledged_at": None,
                              "acknowledged_by": None},
                        where=q.c.detail != statement.excluded.detail,
                    )  # fmt: skip
                else:
                    _set_aside_earlier_versions(conn, kind, source_file, held_rows)
                    statement = statement.on_conflict_do_nothing(
                        index_elements=["kind", "source_file", "line"]
                    )
                for index, error in _insert_each_storable(conn, statement, held_rows):
                    position = {k: held_rows[index][k] for k in ("kind", "source_file", "line")}
                    position["source_file"] = shown_path(position["source_file"])  # (a customer's folder)
                    log.error("privacy quarantine row %s cannot be stored as is (%s): stored without its ids",
                              position, type(error).__name__)  # fmt: skip
                    bare = {**held_rows[index], "record_id": None, "customer_id": None,
                            "detail": f"unstorable:{type(error).__name__}"}  # fmt: skip
                    conn.execute(statement, [bare])
            new = conn.scalar(select(func.count()).select_from(target).where(target.c.batch_id == batch_id))
            new_held = conn.scalar(
                select(func.count())
                .select_from(privacy_quarantine)
                .where(privacy_quarantine.c.batch_id == batch_id)
            )
            if new or new_held:
                conn.execute(
                    update(privacy_batches)
                    .where(privacy_batches.c.batch_id == batch_id)
                    .values(new_records=new, new_quarantined=new_held)
                )
            else:  # nothing new: leave no trace, so re-ingesting a file changes nothing
                conn.execute(delete(privacy_batches).where(privacy_batches.c.batch_id == batch_id))
        log.info(
            "%s ingest of %s: %d new of %d records, %d new unreadable",
            kind,
            shown_path(source_file),
            new,
            len(rows),
            new_held,
        )
        return int(new), int(new_held)

    def _held_query(self, kind: str):
        """The customers an open unreadable record of ``kind`` holds. What releases a hold, besides an
        acknowledgement: a consent event of the customer ingested after it that is the same event sent
        again readable (``sent_again``: saying the same in every field the unreadable line readably
        states), or is another event recorded after the time the unreadable one states (when it states no
        readable time, the time it was taken in stands for it: a record older than that, delivered late,
        says nothing of it); until acknowledged, a released consent record still counts as the opt-out
        it may be (``doubt_opt_outs``). A deletion's hold, only the same request sent again readable: no
        other request covers all an unreadable one might (deletions add up; a delete-all covers what was
        captured until it, an unreadable range may reach past it). Rows (quarantine id, customer) still
        to be checked against ``sent_again``."""
        q = privacy_quarantine
        stmt = select(q.c.id, q.c.customer_id).where(
            q.c.kind == kind, q.c.customer_id.is_not(None), q.c.acknowledged_at.is_(None)
        )
        if kind == "consent":  # a later event under another id, recorded after it, supersedes it
            c, stated = consent_events, func.coalesce(q.c.record_time, q.c.recorded_at)
            later_valid = exists().where(
                c.c.customer_id == q.c.customer_id,
                c.c.batch_id > q.c.batch_id,
                or_(q.c.record_id.is_(None), c.c.event_id != q.c.record_id),
                c.c.recorded_at > stated,
            )
            stmt = stmt.where(~later_valid)
        return stmt

    def held_customers(self) -> set[str]:
        """Customers with an unreadable privacy record and no valid record of that kind ingested after it."""
        with self._read() as conn:
            return self._held_customers(conn)

    def _held_customers(self, conn: Connection) -> set[str]:
        held = set()
        for kind in PRIVACY_KINDS:
            answered = sent_again(conn, kind)
            held.update(
                row.customer_id for row in conn.execute(self._held_query(kind)) if row.id not in answered
            )
        return held

    def privacy_quarantine(self, *, open_only: bool = True) -> list[dict[str, Any]]:
        """Quarantined privacy records (open ones: not acknowledged), oldest first."""
        q = privacy_quarantine
        stmt = select(q).order_by(q.c.id)
        if open_only:
            stmt = stmt.where(q.c.acknowledged_at.is_(None))
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]

    def privacy_blocked_reasons(self) -> list[str]:
        """Why publishing is blocked: unreadable privacy records without a readable customer_id, unacknowledged.
        Each is named by its file as logs show it (``shown_path``: a folder naming a customer is
        ``customer_id=[customer]``), for these reasons go into every run's report while they block."""
        with self._read() as conn:
            return self._blocked_reasons(conn)

    @staticmethod
    def _blocked_reasons(conn: Connection) -> list[str]:
        q = privacy_quarantine
        stmt = select(q).where(q.c.customer_id.is_(None), q.c.acknowledged_at.is_(None)).order_by(q.c.id)
        return [
            f"unreadable {row.kind} record at {shown_path(row.source_file)}:{row.line} ({row.detail}) has no "
            f"readable customer_id; publishing is blocked until it is fixed upstream or "
            f"acknowledged (privacy quarantine id {row.id})"
            for row in conn.execute(stmt)
        ]

    def acknowledge_privacy_quarantine(self, ids: Iterable[int], by: str) -> int:
        """Resolve quarantined privacy records by id (a data engineer checked them); return how many changed.

        An acknowledged record no longer blocks publishing nor holds its customer back.
        """
        if not by or not by.strip():
            raise ValueError("acknowledge_privacy_quarantine needs the name of who acknowledges")
        ids = sorted({int(i) for i in ids})
        changed = 0
        now = utcnow()
        with self._write() as conn:
            for chunk in _chunks(ids):
                changed += conn.execute(
                    update(privacy_quarantine)
                    .where(privacy_quarantine.c.id.in_(chunk), privacy_quarantine.c.acknowledged_at.is_(None))
                    .values(acknowledged_at=now, acknowledged_by=by)
                ).rowcount
        return changed

    def settle_read_failures(self, source_file: str, fingerprint: str) -> int:
        """The file was read after all, in its version ``fingerprint``: the blocking rows its failed
        readings of that version left (``read_failed:… (file version …)``) are settled; return how many.
        (Whatever unreadable records the file holds, its reading records.) A failed reading of another
        version stays: the file was replaced since (an export written over one name each day), and what
        the unread version held no reading will ever see, so only an acknowledgement settles it."""
        q = privacy_quarantine
        with self._write() as conn:
            return conn.execute(
                update(q)
                .where(
                    q.c.source_file == source_file,
                    q.c.detail.like("read_failed:%"),
                    q.c.detail.endswith(f" (file version {fingerprint})", autoescape=True),
                    q.c.acknowledged_at.is_(None),
                )
                .values(acknowledged_at=utcnow(), acknowledged_by="pipeline: the file was read")
            ).rowcount

    def privacy_state(self) -> PrivacyState:
        """Every valid consent event and deletion request, the held customers and the blocking records:
        what the privacy core decides against. The consent events include the opt-out each open unreadable
        consent record may be (``doubt_opt_outs``).

        One read transaction, a snapshot (``_read``): read part by part, a record taken in between two
        reads that released a hold (the same delete-all sent again readable) was seen by the later read
        and missed by the earlier, and the customer was neither held nor covered. The holds, the blocking
        records and the doubt are read before the records, so that were the reads ever no snapshot, a
        release would only withhold more (its hold seen, and the record that released it too)."""
        with self._read() as conn:
            held = frozenset(self._held_customers(conn))
            blocked = tuple(self._blocked_reasons(conn))
            doubt = self._doubt_opt_outs(conn)
            consent = self._consent_events(conn)
            deletions = self._deletion_requests(conn)
            # the other ids of the recordings the open listings name (``io.store.twins``)
            twins = self._twins_of_listed(conn, self._open_listed_ids(conn))
        # (the store's pairs of fold digests and speaker keys: what withdraws reaches every case's published rows)
        speakers_of_folds = getattr(self, "speakers_of_folds", None)
        return PrivacyState(
            pa.concat_tables([consent, doubt]),
            deletions,
            held,
            blocked,
            speakers_of_folds=speakers_of_folds,
            twins=twins,
            erased_among=getattr(self, "erased_among", None),
        )

    def doubt_opt_outs(self) -> pa.Table:
        """The opt-out each open (unacknowledged) unreadable consent record of a known customer may be, as
        ``schema.CONSENT``: in force from the ``effective_at`` it states (from the earliest capture when it
        states it or its ``recorded_at`` not readably: an opt-out counts from the earlier of the two), recorded
        when it states (or when it was taken in). While the record holds its
        customer nothing of theirs is used anyway; once a later valid event released the hold, the verdict
        judges the customer as if the record were an opt-out: an opt-in does not bring back the captures
        between it and the record (an opt-out's gap stays out), nor outrank it when recorded within the
        clock skew after it. Not once the same event was sent again readable (it is what the record said:
        ``sent_again``; an event reusing its id that says otherwise is no answer), nor once acknowledged. Event ids ``unreadable:<quarantine id>``, source ``unreadable_record``."""
        with self._read() as conn:
            return self._doubt_opt_outs(conn)

    def _doubt_opt_outs(self, conn: Connection) -> pa.Table:
        rows = self._doubt_rows(conn)
        return pa.Table.from_pylist(
            [
                {
                    "event_id": f"unreadable:{row.id}",
                    "customer_id": row.customer_id,
                    "purpose": TRAINING_PURPOSE,
                    "status": "opted_out",
                    # an opt-out is in force from the earlier of its two times (``consent_status``): with
                    # either unknown, it may have been in force from the earliest capture on
                    "effective_at": (row.record_effective if row.record_time else None) or EARLIEST_CAPTURE,
                    "recorded_at": row.record_time or row.recorded_at,
                    "source": "unreadable_record",
                }
                for row in rows
            ],
            schema=CONSENT,
        )

    @staticmethod
    def _doubt_rows(conn: Connection) -> list:
        """The open unreadable consent records of known customers no readable resend answered."""
        q = privacy_quarantine
        # the same event sent again readable, later, is what the record said: no doubt is left of it
        answered = sent_again(conn, "consent")
        stmt = (
            select(q.c.id, q.c.customer_id, q.c.record_effective, q.c.record_time, q.c.recorded_at)
            .where(q.c.kind == "consent", q.c.customer_id.is_not(None), q.c.acknowledged_at.is_(None))
            .order_by(q.c.id)
        )
        return [row for row in conn.execute(stmt).all() if row.id not in answered]

    def live_rows_judged_by(self, dataset: str) -> str | None:
        """The rules every live row of ``dataset`` was last judged by (None: never, or not since this
        store's code could say)."""
        with self._read() as conn:
            key = _judged_key(dataset)
            return conn.scalar(select(store_meta.c.value).where(store_meta.c.key == key))

    def mark_live_rows_judged(self, dataset: str, rules: str) -> None:
        key = _judged_key(dataset)
        with self._write() as conn:
            conn.execute(delete(store_meta).where(store_meta.c.key == key))
            conn.execute(insert(store_meta).values(key=key, value=rules))

    def forget_live_rows_judged(self, dataset: str) -> None:
        """Record that no rules judged every live row of ``dataset`` (``live_rows_judged_by`` is None):
        the next purge judges every one. For a publish whose rows were decided by other rules than
        the recorded ones (a policy change while it ran); call under the dataset lock."""
        with self._write() as conn:
            conn.execute(delete(store_meta).where(store_meta.c.key == _judged_key(dataset)))

    def consent_events(self) -> pa.Table:
        """Every consent event, as ``schema.CONSENT``, ordered by (recorded_at, event_id)."""
        with self._read() as conn:
            return self._consent_events(conn)

    @staticmethod
    def _consent_events(conn: Connection) -> pa.Table:
        c = consent_events
        stmt = select(*(c.c[name] for name in CONSENT.names)).order_by(c.c.recorded_at, c.c.event_id)
        rows = [dict(row) for row in conn.execute(stmt).mappings()]
        return pa.Table.from_pylist(rows, schema=CONSENT)

    def deletion_requests(self) -> pa.Table:
        """Every deletion request, as ``schema.DELETION``, ordered by (requested_at, request_id)."""
        with self._read() as conn:
            return self._deletion_requests(conn)

    def deletion_batches(self) -> dict[str, int]:
        """The intake batch of each deletion request (by request id). Intakes run one at a time (PostgreSQL: an
        advisory lock; SQLite: its write lock), so a batch taken in later has a larger id, whatever the clocks of
        the workers that took them in."""
        d = deletion_requests
        with self._read() as conn:
            return {r.request_id: r.batch_id for r in conn.execute(select(d.c.request_id, d.c.batch_id))}

    def deletion_batch_mark(self) -> int:
        """The largest intake batch of a deletion request (0: none yet): read before a privacy state, every
        deletion of a batch above it was taken in after that state."""
        d = deletion_requests
        with self._read() as conn:
            return int(conn.execute(select(func.max(d.c.batch_id))).scalar() or 0)

    @staticmethod
    def _deletion_requests(conn: Connection) -> pa.Table:
        d = deletion_requests
        stmt = select(
            d.c.request_id,
            d.c.customer_id,
            d.c.scope,
            d.c.range_from.label("from"),
            d.c.range_to.label("to"),
            d.c.utterance_ids,
            d.c.requested_at,
        ).order_by(d.c.requested_at, d.c.request_id)
        rows = [dict(row) for row in conn.execute(stmt).mappings()]
        return pa.Table.from_pylist(rows, schema=DELETION)

    def privacy_snapshot(self) -> dict[str, Any]:
        """The consent/deletion state a decision is taken against: counts, high-water marks, a hash.

        ``sha256`` covers every consent event and deletion request (by content, not by file),
        the held customers and the open blocking records; it is the same on SQLite and
        PostgreSQL for the same state, and changes whenever a decision could change. Read in one
        snapshot (``_read``), as ``privacy_state`` is: a hash of one state that was.
        """
        c, d, q = consent_events, deletion_requests, privacy_quarantine
        with self._read() as conn:
            consent_count, max_recorded = conn.execute(select(func.count(), func.max(c.c.recorded_at))).one()
            deletion_count, max_requested = conn.execute(
                select(func.count(), func.max(d.c.requested_at))
            ).one()
            consent_state = conn.execute(
                select(
                    c.c.event_id,
                    c.c.customer_id,
                    c.c.purpose,
                    c.c.status,
                    c.c.effective_at,
                    c.c.recorded_at,
                    c.c.source,
                )
            ).all()
            deletion_state = conn.execute(
                select(
                    d.c.request_id,
                    d.c.customer_id,
                    d.c.scope,
                    d.c.range_from,
                    d.c.range_to,
                    d.c.utterance_ids,
                    d.c.requested_at,
                )
            ).all()
            blocked = conn.execute(
                select(q.c.kind, q.c.source_file, q.c.line).where(
                    q.c.customer_id.is_(None), q.c.acknowledged_at.is_(None)
                )
            ).all()
            held = self._held_customers(conn)
            doubt = self._doubt_rows(conn)
        # sorted here, not by the database: collations differ between backends
        digest = hashlib.sha256()
        digest.update(b"consent\n")
        for row in sorted(consent_state, key=lambda r: r.event_id):
            digest.update(dumps_canonical([*row[:4], _iso(row[4]), _iso(row[5]), row[6]]).encode() + b"\n")
        digest.update(b"deletion\n")
        for row in sorted(deletion_state, key=lambda r: r.request_id):
            values = [*row[:3], _iso(row[3]), _iso(row[4]), row[5], _iso(row[6])]
            digest.update(dumps_canonical(values).encode() + b"\n")
        digest.update(b"held\n" + dumps_canonical(sorted(held)).encode() + b"\n")
        # the opt-outs open unreadable consent records may be, by what they state (as the events, by content:
        # the quarantine's row ids and times of intake are the database's own)
        digest.update(b"doubt\n")
        for values in sorted(
            [r.customer_id, _iso(r.record_effective) or "", _iso(r.record_time) or ""] for r in doubt
        ):
            digest.update(dumps_canonical(values).encode() + b"\n")
        digest.update(b"blocked\n" + dumps_canonical(sorted(list(row) for row in blocked)).encode())
        return {
            "consent_events": int(consent_count),
            "deletion_requests": int(deletion_count),
            "max_consent_recorded_at": _iso(max_recorded),
            "max_deletion_requested_at": _iso(max_requested),
            "held_customers": len(held),
            "blocking_records": len(blocked),
            "sha256": digest.hexdigest(),
        }


def _consent_rows(events: pa.Table | None) -> list[dict[str, Any]]:
    if events is None or events.num_rows == 0:
        return []
    return _conform(events, CONSENT).to_pylist()


# What a record says, beyond its id: a record received again under its id must say the same
CONTENT = {
    "consent": ("customer_id", "purpose", "status", "effective_at", "recorded_at"),
    "deletion": ("customer_id", "scope", "range_from", "range_to", "utterance_ids", "requested_at"),
}


def _without_conflicts(
    conn: Connection, kind: str, target, key: str, rows: list[dict[str, Any]], lines: list[int]
) -> tuple[list[dict[str, Any]], list[int], list[tuple[dict[str, Any], int, dict[str, Any]]]]:
    """(rows to insert, their lines, (row, line, the stored version) of each row whose id is stored with
    other content).

    A record is idempotent by its id, so one sent again is ignored; but one whose id is stored
    with different content — a correction, or an id reused upstream — cannot be taken as either
    version: it is doubt, and holds its customer back (SPEC §4.1) until a valid record follows.
    A record earlier in the same batch (one file giving an id twice) counts as stored: the same pair
    is judged alike within one file and across two (a file's later version was quarantined as a
    ``duplicate_id`` and only held: a delete-all appended to a listing under its id was never carried
    out, an event id reused for another customer left the first one's opt-in unquestioned). An exact
    repeat is the same record: taken in once.
    """
    stored: dict[str, Any] = {}
    for chunk in _chunks(sorted({r[key] for r in rows})):
        for row in conn.execute(select(target).where(target.c[key].in_(chunk))).mappings():
            stored[row[key]] = dict(row)
    keep, kept_lines, conflicts, taken = [], [], [], set()
    for index, row in enumerate(rows):
        old = stored.get(row[key])
        if old is not None and any(old[c] != row[c] for c in CONTENT[kind]):
            conflicts.append((row, lines[index], old))
            continue
        if row[key] in taken:  # the same record again in this batch
            continue
        stored.setdefault(row[key], row)  # the batch's first version under its id stands for it
        taken.add(row[key])
        keep.append(row)
        kept_lines.append(lines[index])
    return keep, kept_lines, conflicts


def _another_version(row: dict[str, Any]) -> dict[str, Any]:
    """A deletion request sent again under its id with other content (a correction upstream: a listing
    widened to everything, or an id reused) as a request of its own, ``<id>~<digest of its content>``:
    deleting what either version asks is the side to err on, and each version gets its receipt. The same
    version sent again is the same request."""
    content = json.dumps([str(row[c]) for c in CONTENT["deletion"]]).encode()
    return {**row, "request_id": f"{row['request_id']}~{hashlib.sha256(content).hexdigest()[:8]}"}


def _lines(records: pa.Table | None) -> list[int]:
    """The input line of each record (0 when the caller did not say)."""
    if records is None or "line" not in records.column_names:
        return [0] * (records.num_rows if records is not None else 0)
    return [int(v or 0) for v in records.column("line").to_pylist()]


def _insert_each_storable(
    conn: Connection, statement, rows: list[dict[str, Any]]
) -> list[tuple[int, Exception]]:
    """Insert ``rows``; return (index, error) of each row the database refused, the others inserted.

    All rows at once in a savepoint; if the database refuses any (a NUL byte on PostgreSQL, a
    value its encoding cannot hold), the batch is rolled back and each row is tried on its own.
    """
    try:
        with conn.begin_nested():
            conn.execute(statement, rows)
        return []
    except (StatementError, ValueError):
        pass
    refused = []
    for index, row in enumerate(rows):
        try:
            with conn.begin_nested():
                conn.execute(statement, [row])
        except (StatementError, ValueError) as error:
            refused.append((index, error))
    return refused


def _unstorable(
    kind: str, source_file: str, line: int, row: dict[str, Any], key: str, error: Exception
) -> dict:
    """The quarantine row of a valid-looking record the database would not take: it holds its customer."""
    customer = row.get("customer_id")
    return {
        "kind": kind,
        "source_file": source_file,
        "line": line,
        "record_id": _printable(row.get(key)),
        "customer_id": customer if _printable(customer) == customer else None,
        "reason": "malformed",
        "detail": f"unstorable:{type(error).__name__}",
        "record_time": _record_time(kind, row),
        "record_effective": _record_effective(kind, row),
        "record_states": _readable_content(kind, row) or None,
    }


# a raw line longer than this states no time (the reader's own line cap is larger; this one bounds a parse)
_STATED_LINE_CHARS = 1_000_000
# the time a record of each kind states, which decides what releases the hold of an unreadable one
_STATED_TIME = {"consent": "recorded_at", "deletion": "requested_at"}


def _record_time(kind: str, row: dict[str, Any]) -> datetime | None:
    """The time a readable record states (``_STATED_TIME``)."""
    value = row.get(_STATED_TIME[kind])
    return value if isinstance(value, datetime) else None


def _record_effective(kind: str, row: dict[str, Any]) -> datetime | None:
    """The ``effective_at`` a readable consent record states."""
    value = row.get("effective_at") if kind == "consent" else None
    return value if isinstance(value, datetime) else None


def _printable(value: Any) -> str | None:
    """``value`` with control characters escaped (a NUL cannot be stored on PostgreSQL)."""
    if value is None:
        return None
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in str(value))


def _deletion_rows(requests: pa.Table | None) -> list[dict[str, Any]]:
    if requests is None or requests.num_rows == 0:
        return []
    rows = _conform(requests, DELETION).to_pylist()
    for row in rows:
        row["range_from"] = row.pop("from")
        row["range_to"] = row.pop("to")
    return rows


def _quarantine_rows(kind: str, quarantined: pa.Table | None) -> list[dict[str, Any]]:
    """Quarantine rows to store: position, reason and readable ids — never the raw input."""
    if quarantined is None or quarantined.num_rows == 0:
        return []
    missing = {"source_file", "line"} - set(quarantined.column_names)
    if missing:
        raise ValueError(f"quarantined privacy records need columns {sorted(missing)}")
    n = quarantined.num_rows

    def column(name: str) -> list[Any]:
        return quarantined.column(name).to_pylist() if name in quarantined.column_names else [None] * n

    rows = []
    for source_file, line, record_id, customer, reason, detail, raw in zip(
        column("source_file"),
        column("line"),
        column("record_id"),
        column("customer_id"),
        column("reason"),
        column("detail"),
        column("raw"),
        strict=True,
    ):
        readable = isinstance(customer, str) and customer.strip() != ""
        rows.append(
            {
                "kind": kind,
                "source_file": source_file,
                "line": int(line),
                "record_id": _printable(record_id),
                "customer_id": customer if readable else None,
                "reason": reason or "malformed",
                "detail": _printable(detail) or "",
                "record_time": _stated_time(raw, _STATED_TIME[kind]),
                "record_effective": _stated_time(raw, "effective_at") if kind == "consent" else None,
                "record_states": _stated_content(raw, kind),
            }
        )
    return rows


_CUSTOMER_KEY = fold_key("customer_id")


class _Pairs(list):
    """A JSON object's (key, value) pairs, every one kept (a key given twice included)."""


def _stated_time(raw: Any, field: str) -> datetime | None:
    """The time an unreadable record's raw line states in ``field`` (RFC 3339 with an offset, within the
    times the reader finds plausible), or None. Only a line that parses as one JSON object states it, under
    one key of the object itself that reads as ``field`` (``fold_key``): a nested object's
    (``"meta": {"recorded_at": …}``) or one of two (``"recorded_at"`` and ``"RecordedAt"``) is not the
    record's, and a time read off it would release a hold the record's own time would not."""
    pairs = _record_pairs(raw)
    return None if pairs is None else _time_of(_stated_value(pairs, field))


def _record_pairs(raw: Any) -> _Pairs | None:
    """The (key, value) pairs of the one record an unreadable raw line is, or None (``_stated_time``)."""
    if not isinstance(raw, str) or len(raw) > _STATED_LINE_CHARS:
        return None
    try:
        pairs = json.loads(raw, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):
        return None
    if not isinstance(pairs, _Pairs):  # an array, a string: no one record's
        return None
    # an envelope around the record (its customer read inside): its fields are not the record's
    if not any(fold_key(key) == _CUSTOMER_KEY for key, _ in pairs):
        return None
    return pairs


_UNSTATED = object()


def _stated_value(pairs: _Pairs, field: str) -> Any:
    """The value of the one key of ``pairs`` that reads as ``field`` (``_UNSTATED``: none, or two)."""
    folded = fold_key(field)
    values = [value for key, value in pairs if fold_key(key) == folded]
    return values[0] if len(values) == 1 else _UNSTATED


def _time_of(value: Any) -> datetime | None:
    """A time as the reader reads one (RFC 3339 with an offset, plausible), in UTC; else None."""
    try:  # (a time at the ends of the calendar may have no UTC instant Python holds: none, not a crash)
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        if not isinstance(value, str) or not 10 <= len(value) <= 40:
            return None
        stated = datetime.fromisoformat(value.replace("z", "Z"))
        if stated.tzinfo is None:
            return None
        stated = stated.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return stated if EARLIEST_CAPTURE <= stated <= LATEST_INSTANT else None  # the reader's plausible times


# What a resend under an unreadable record's id must say the same in, where the unreadable line states it
# readably: the raw line's field -> the stored record's column (its customer and id are compared as columns)
_COMPARED = {
    "consent": {"purpose": "purpose", "status": "status", "effective_at": "effective_at",
                "recorded_at": "recorded_at"},
    "deletion": {"scope": "scope", "from": "range_from", "to": "range_to", "utterance_ids": "utterance_ids",
                 "requested_at": "requested_at"},
}  # fmt: skip
_COMPARED_COLUMNS = {kind: tuple(fields.values()) for kind, fields in _COMPARED.items()}
_ENUMERATIONS = {"purpose": (TRAINING_PURPOSE,), "status": CONSENT_STATUSES, "scope": DELETION_SCOPES}


# what a listing states when one of its ids cannot be read: no readable record's listing equals it
_PARTLY_UNREADABLE = "partly unreadable"


def _comparable(column: str, value: Any) -> Any:
    """``value`` of ``column`` as the reader would read it, in a form to compare and store as JSON (a
    listing as a digest of its sorted canonical ids: the quarantine keeps no utterance id); None when the
    reader would not read it."""
    if value is None or value is _UNSTATED:
        return None
    if column in _ENUMERATIONS:
        if not isinstance(value, str):
            return None
        canonical, _ = canonical_enum(pa.array([value], pa.string()), _ENUMERATIONS[column])
        return canonical[0].as_py()
    if column == "utterance_ids":
        if not isinstance(value, list) or not value:
            return None
        ids = canonical_ids([v if isinstance(v, str) else None for v in value]).to_pylist()
        if (
            None in ids
        ):  # a listing one of whose ids cannot be read: which utterances it asks for is not known
            return _PARTLY_UNREADABLE  # (no resend answers it: a narrower one would bring the others back)
        return hashlib.sha256(dumps_canonical(sorted(set(ids))).encode()).hexdigest()
    stated = _time_of(value)
    return None if stated is None else stated.isoformat()


def _stated_content(raw: Any, kind: str) -> dict[str, Any] | None:
    """What an unreadable record's raw line readably states of its content (``_COMPARED``), by column;
    None when nothing (a line that is no one record: ``_record_pairs``)."""
    pairs = _record_pairs(raw)
    if pairs is None:
        return None
    stated = {
        column: _comparable(column, _stated_value(pairs, field)) for field, column in _COMPARED[kind].items()
    }
    return {column: value for column, value in stated.items() if value is not None} or None


def _readable_content(kind: str, row: Any) -> dict[str, Any]:
    """What a readable record (a stored row, by column) says of its content, as ``_stated_content`` reads it."""
    return {
        column: value
        for column in _COMPARED_COLUMNS[kind]
        if (value := _comparable(column, row.get(column))) is not None
    }


# what makes an unreadable record at a line of a file the same record as the one stored there (the store keeps
# no raw line: a line that changed in nothing of these, its unreadable parts only, is taken for the same)
_SAME_RECORD = ("record_id", "customer_id", "detail", "record_time", "record_effective", "record_states")


def _same(stored: Any, new: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(new, datetime):
        return stored.astimezone(UTC) == new.astimezone(UTC)
    return stored == new


_FILE_VERSION = re.compile(r" \(file version ([^()]*)\)$")


def _set_aside_unread_versions(conn: Connection, kind: str, source_file: str, held_rows: list[dict]) -> None:
    """The open ``read_failed`` rows of ``source_file`` at the lines of ``held_rows`` whose file version
    is not the version a new row names are renamed "<file> (earlier version, batch <n>)": the version
    failed to read and was replaced before any reading, so it still blocks until acknowledged. A failure of
    the same version again (a retry, another error) takes its place, and the version's reading settles it."""
    q = privacy_quarantine
    version_of = {row["line"]: _FILE_VERSION.search(str(row.get("detail") or "")) for row in held_rows}
    stored = conn.execute(
        select(q.c.id, q.c.line, q.c.batch_id, q.c.detail).where(
            q.c.kind == kind,
            q.c.source_file == source_file,
            q.c.line.in_(sorted(version_of)),
            q.c.detail.like("read_failed:%"),
            q.c.acknowledged_at.is_(None),
        )
    ).all()
    for row in stored:
        was, now = _FILE_VERSION.search(row.detail or ""), version_of[row.line]
        if was is None or (now is not None and now.group(1) == was.group(1)):
            continue
        conn.execute(
            update(q)
            .where(q.c.id == row.id)
            .values(source_file=f"{source_file} (earlier version, batch {row.batch_id})")
        )


def _set_aside_earlier_versions(conn: Connection, kind: str, source_file: str, held_rows: list[dict]) -> None:
    """Rows of an earlier version of ``source_file`` (a file rewritten in place, ``latest.jsonl``) at the
    lines where this version has an unreadable record of its own are renamed "<file> (earlier version,
    batch <n>)": both stay, and both hold their customers (the earlier record was not withdrawn by
    being overwritten). The same record read again (a retry) is left as it is."""
    q = privacy_quarantine
    new = {row["line"]: row for row in held_rows}
    lines = sorted(new)
    for start in range(0, len(lines), 500):
        stored = conn.execute(
            select(q.c.id, q.c.line, q.c.batch_id, *(q.c[c] for c in _SAME_RECORD)).where(
                q.c.kind == kind, q.c.source_file == source_file, q.c.line.in_(lines[start : start + 500])
            )
        ).all()
        for row in stored:
            mine = new[row.line]
            # the same record read again: the same ids and detail, and the same readable content and times (an
            # opt-in rewritten as an opt-out under its event id is another record: not acknowledged, and held)
            if all(_same(getattr(row, c), mine.get(c)) for c in _SAME_RECORD):
                continue
            conn.execute(
                update(q)
                .where(q.c.id == row.id)
                .values(source_file=f"{source_file} (earlier version, batch {row.batch_id})")
            )
