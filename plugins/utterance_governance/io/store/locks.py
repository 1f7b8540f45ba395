"""The store's dataset locks: a lease per dataset that serialises publishing and purging (SPEC §7).

A holder renews its lease with a heartbeat; a holder that died loses it when the lease ends
and the next run takes it over.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, select, update

from utterance_governance.io.store.base import StoreBase, _iso, utcnow
from utterance_governance.io.store_schema import dataset_locks

log = logging.getLogger(__name__)


class LockTimeout(TimeoutError):
    """The dataset lock could not be taken before the timeout: another run holds it."""


class LockLost(RuntimeError):
    """The dataset lock is no longer held by this holder (its lease expired and was taken over)."""


class DatasetLock:
    """One holding of a dataset lock. A heartbeat thread renews the lease while it is held."""

    def __init__(self, store: DatasetLocks, dataset: str, owner: str, token: str, lease_s: float):
        self.store = store
        self.dataset = dataset
        self.owner = owner
        self.token = token
        self.lease_s = lease_s
        self.lost = False
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start_heartbeat(self) -> None:
        interval = max(self.lease_s / 3.0, 0.05)

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    self.renew()
                except LockLost:
                    log.error(
                        "lock on dataset %r for %r was lost: lease taken over", self.dataset, self.owner
                    )
                    return
                except Exception:  # a transient database error: try again at the next beat
                    log.exception("could not renew the lock on dataset %r", self.dataset)

        self._heartbeat = threading.Thread(target=beat, name=f"ug-lock-{self.dataset}", daemon=True)
        self._heartbeat.start()

    def renew(self) -> None:
        """Extend the lease from now; raise ``LockLost`` if another holder has taken it."""
        with self.store._lock_transaction() as conn:
            result = conn.execute(
                update(dataset_locks)
                .where(dataset_locks.c.dataset == self.dataset, dataset_locks.c.token == self.token)
                .values(expires_at=utcnow() + dt.timedelta(seconds=self.lease_s))
            )
        if result.rowcount != 1:
            self.lost = True
            raise LockLost(f"the lock on dataset {self.dataset!r} held by {self.owner!r} was taken over")

    def assert_held(self) -> None:
        """Raise ``LockLost`` unless this holder still holds an unexpired lease (check before a switch)."""
        holder = self.store.lock_holder(self.dataset)
        if self.lost or holder is None or holder["token"] != self.token or holder["expires_at"] <= utcnow():
            self.lost = True
            raise LockLost(f"the lock on dataset {self.dataset!r} is no longer held by {self.owner!r}")

    def release(self) -> bool:
        """Give the lock up; only this holding's row is deleted. False if it had been taken over."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        with self.store._lock_transaction() as conn:
            result = conn.execute(
                delete(dataset_locks).where(
                    dataset_locks.c.dataset == self.dataset, dataset_locks.c.token == self.token
                )
            )
        if result.rowcount != 1:
            log.warning(
                "lock on dataset %r for %r had been taken over before release", self.dataset, self.owner
            )
            return False
        return True


class DatasetLocks(StoreBase):
    """A lease-based lock per dataset."""

    @contextmanager
    def dataset_lock(
        self,
        dataset: str,
        owner: str,
        *,
        timeout_s: float = 600.0,
        lease_s: float = 300.0,
        heartbeat: bool = True,
        poll_s: float = 0.05,
    ) -> Iterator[DatasetLock]:
        """Hold the lock on ``dataset`` for the ``with`` block; raise ``LockTimeout`` after ``timeout_s``.

        The lease is renewed by a heartbeat while held; a holder that died loses it after
        ``lease_s`` and the next run takes it over. Check ``lock.assert_held()`` before an
        irreversible step (e.g. switching the live version).
        """
        lock = self.acquire_dataset_lock(
            dataset, owner, timeout_s=timeout_s, lease_s=lease_s, heartbeat=heartbeat, poll_s=poll_s
        )
        try:
            yield lock
        finally:
            lock.release()

    def acquire_dataset_lock(
        self,
        dataset: str,
        owner: str,
        *,
        timeout_s: float = 600.0,
        lease_s: float = 300.0,
        heartbeat: bool = True,
        poll_s: float = 0.05,
    ) -> DatasetLock:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout_s
        delay = poll_s
        while True:
            if self._try_lock(dataset, owner, token, lease_s):
                lock = DatasetLock(self, dataset, owner, token, lease_s)
                if heartbeat:
                    lock.start_heartbeat()
                return lock
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = self.lock_holder(dataset)
                held_by = (
                    f"held by {holder['owner']!r} since {_iso(holder['acquired_at'])}, "
                    f"lease until {_iso(holder['expires_at'])}"
                    if holder
                    else "released just now"
                )
                raise LockTimeout(
                    f"could not lock dataset {dataset!r} for {owner!r} within {timeout_s:g}s: {held_by}"
                )
            time.sleep(min(remaining, delay * (0.5 + random.random())))
            delay = min(delay * 1.5, 1.0)

    def _try_lock(self, dataset: str, owner: str, token: str, lease_s: float) -> bool:
        now = utcnow()
        values = {
            "owner": owner,
            "token": token,
            "acquired_at": now,
            "expires_at": now + dt.timedelta(seconds=lease_s),
        }
        with self._lock_transaction() as conn:
            inserted = conn.execute(
                self._insert(dataset_locks)
                .values(dataset=dataset, **values)
                .on_conflict_do_nothing(index_elements=["dataset"])
            ).rowcount
            if inserted == 1:
                return True
            previous = (
                conn.execute(select(dataset_locks).where(dataset_locks.c.dataset == dataset))
                .mappings()
                .first()
            )
            taken = conn.execute(
                update(dataset_locks)
                .where(dataset_locks.c.dataset == dataset, dataset_locks.c.expires_at < now)
                .values(**values)
            ).rowcount
        if taken == 1:
            log.warning(
                "took over the expired lock on dataset %r from %r (lease ended %s)",
                dataset,
                previous["owner"] if previous else None,
                _iso(previous["expires_at"]) if previous else None,
            )
            return True
        return False

    def lock_holder(self, dataset: str) -> dict[str, Any] | None:
        with self._lock_transaction(write=False) as conn:
            row = (
                conn.execute(select(dataset_locks).where(dataset_locks.c.dataset == dataset))
                .mappings()
                .first()
            )
        return dict(row) if row else None
