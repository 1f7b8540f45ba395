"""Access requests: a privacy officer registers one customer's access request and gets back a
random, one-time reference; ``governance_audit`` is triggered with that reference only.

The raw customer id goes into ``store_schema.access_requests`` and nowhere else (not
``dag_run.conf``, XCom, task logs or the run page). A reference is taken by one run
(``requested`` → ``running``; that run's retries may take it again), and is spent when the report
is written (``done``): another run with it is refused. Revision 0005 of ``io/migrations``.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from utterance_governance.io.store.base import StoreBase, utcnow
from utterance_governance.io.store_schema import access_requests

REFERENCE_PREFIX = "ar_"
FORGOTTEN = "[deleted]"  # a done request's customer id once they deleted everything
# the folder of an access report's location named by its customer's speaker key (``reports.access.access_dir``)
_KEYED_FOLDER = re.compile(r"(?<![^/])(reports/access/)[^/]+(?=/[^/]+/[^/]+$)")
REFERENCE_RE = re.compile(r"^ar_[0-9a-f]{32}$")  # 128 random bits


class AccessRequestRefused(ValueError):
    """An access request reference that is unknown, malformed or already used (the message says which)."""


def new_reference() -> str:
    return REFERENCE_PREFIX + secrets.token_hex(16)


def is_reference(value: object) -> bool:
    return isinstance(value, str) and REFERENCE_RE.fullmatch(value) is not None


def forgotten_url(url: str) -> str:
    """An access report's location without the folder its customer's speaker key names
    (``…/reports/access/[deleted]/<run>/access.json``), the rest of it kept."""
    return _KEYED_FOLDER.sub(lambda m: m.group(1) + FORGOTTEN, url)


def _shown(reference: str) -> str:
    """Enough of a reference to tell requests apart in a message, never the whole of it."""
    return reference[:9] + "…" if is_reference(reference) else "(not a reference)"


class AccessRequests(StoreBase):
    """Access requests by reference; the customer id is handed out only to the run that takes one."""

    def register_access_request(
        self, customer_id: str, requested_by: str, *, now: dt.datetime | None = None
    ) -> str:
        """Record a request for ``customer_id`` (canonical form); its new one-time reference."""
        if not customer_id or not requested_by:
            raise ValueError("an access request needs a customer id and who requests it")
        reference = new_reference()
        row = {"reference": reference, "customer_id": customer_id, "requested_at": now or utcnow(),
               "requested_by": requested_by, "status": "requested"}  # fmt: skip
        with self._write() as conn:
            conn.execute(access_requests.insert(), row)
        return reference

    def access_request(self, reference: str) -> dict[str, Any] | None:
        """The request's state, without its customer id (for checks and listings)."""
        if not is_reference(reference):
            return None
        t = access_requests
        columns = [c for c in t.c if c.name != "customer_id"]
        with self._read() as conn:
            row = conn.execute(select(*columns).where(t.c.reference == reference)).mappings().first()
        return dict(row) if row else None

    def access_requests(self, *, open_only: bool = False) -> list[dict[str, Any]]:
        """Every request, newest first, without customer ids."""
        t = access_requests
        stmt = select(*[c for c in t.c if c.name != "customer_id"]).order_by(t.c.requested_at.desc())
        if open_only:
            stmt = stmt.where(t.c.status != "done")
        with self._read() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def check_access_request(self, reference: object, run_id: str) -> dict[str, Any]:
        """The request ``run_id`` may take (it exists, and is unused or already this run's); else refused."""
        if not is_reference(reference):
            raise AccessRequestRefused(
                "access_request is not a reference made by `ug access request` (ar_ and 32 hex digits)"
            )
        request = self.access_request(reference)
        if request is None:
            raise AccessRequestRefused(
                f"access request {_shown(reference)} is not registered: register it with `ug access request`"
            )
        if request["status"] == "done":
            raise AccessRequestRefused(
                f"access request {_shown(reference)} was already used (report written "
                f"{request['completed_at']:%Y-%m-%d %H:%M} UTC by run {request['run_id']}): a reference is "
                "good for one report; register a new request with `ug access request`"
            )
        if request["status"] == "running" and request["run_id"] != run_id:
            raise AccessRequestRefused(
                f"access request {_shown(reference)} is taken by run {request['run_id']}: a reference is "
                "good for one run; register a new request with `ug access request`"
            )
        return request

    def take_access_request(self, reference: object, run_id: str) -> str:
        """Take the request for ``run_id`` (one-time; a retry of the same run may take it again) and
        return its customer id; ``AccessRequestRefused`` when it is unknown, used or another run's."""
        self.check_access_request(reference, run_id)
        t = access_requests
        with self._write() as conn:
            taken = conn.execute(
                update(t)
                .where(t.c.reference == reference)
                .where((t.c.status == "requested") | ((t.c.status == "running") & (t.c.run_id == run_id)))
                .values(status="running", run_id=run_id)
            ).rowcount
            if taken != 1:  # another run took it between the check and now
                raise AccessRequestRefused(f"access request {_shown(reference)} was taken by another run")
            return conn.execute(select(t.c.customer_id).where(t.c.reference == reference)).scalar_one()

    def release_access_request(self, reference: str, run_id: str) -> bool:
        """``run_id`` failed before its report was written: the request is open again (``requested``),
        for a new run with the same reference; False when that run did not hold it."""
        t = access_requests
        with self._write() as conn:
            released = conn.execute(
                update(t)
                .where(t.c.reference == reference, t.c.status == "running", t.c.run_id == run_id)
                .values(status="requested", run_id=None)
            ).rowcount
        return released == 1

    def forget_access_requests(self, customer_ids: Iterable[str]) -> int:
        """Customers who deleted everything: their done requests keep no id (``[deleted]``), nor the
        folder of their report's location (``reports/access/<speaker_key[:16]>/``: 16 digits of the
        customer's pseudonym, which run reports turn into ``[deleted]`` too), as the reports those led to
        are gone (``purge.traces``); the count changed. An open request keeps its id: the officer's
        report still answers it (with what is left: nothing). A request forgotten before its location
        was (an older release) loses the folder's name here too."""
        ids = sorted({c for c in customer_ids if c})
        if not ids:
            return 0
        t = access_requests
        with self._write() as conn:
            forgotten = conn.execute(
                update(t).where(t.c.customer_id.in_(ids), t.c.status == "done").values(customer_id=FORGOTTEN)
            ).rowcount
            located = conn.execute(
                select(t.c.reference, t.c.report_url).where(
                    t.c.customer_id == FORGOTTEN, t.c.report_url.is_not(None)
                )
            ).all()
            for reference, url in located:
                if forgotten_url(url) != url:
                    conn.execute(
                        update(t).where(t.c.reference == reference).values(report_url=forgotten_url(url))
                    )
        return forgotten

    def complete_access_request(self, reference: str, run_id: str, report_url: str, *,
                                now: dt.datetime | None = None) -> None:  # fmt: skip
        """The report is written: the reference is spent."""
        t = access_requests
        with self._write() as conn:
            done = conn.execute(
                update(t)
                .where(t.c.reference == reference, t.c.status == "running", t.c.run_id == run_id)
                .values(status="done", report_url=report_url, completed_at=now or utcnow())
            ).rowcount
        if done != 1:
            raise AccessRequestRefused(f"access request {_shown(reference)} is not taken by run {run_id}")
