"""The store's dataset versions and their status: staged, live (one per dataset), superseded, revoked, abandoned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Text, and_, bindparam, or_, select, type_coerce, update

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store.base import StoreBase, utcnow
from utterance_governance.io.store.registry_paths import customers_of_paths, sealed_path
from utterance_governance.io.store_schema import VERSION_STATUSES, dataset_versions, store_meta

# ``store_meta``'s key of the pseudonym key's fingerprint
KEY_FINGERPRINT = "pseudonym_key_fingerprint"


class DatasetVersions(StoreBase):
    """Versions of each dataset; at most one is live."""

    def record_version(
        self,
        dataset: str,
        version: str,
        parent_version: str | None,
        run_id: str | None,
        created_at: dt.datetime,
        manifest_path: str | None,
        status: str,
        counts: Mapping[str, int] | None = None,
        inputs: Sequence[ObjectInfo] | None = None,
        purge: bool = False,
    ) -> None:
        """Record (or re-record, idempotently) a version; recording it ``live`` supersedes the live one.

        ``inputs``: the landing files its new rows were read from (``version_inputs``). ``purge``: a
        purge's version, unreported until ``mark_reported`` (``unreported_purges``)."""
        _check_version_status(status)
        now = utcnow()
        row = {
            "dataset": dataset,
            "version": version,
            "parent_version": parent_version,
            "run_id": run_id,
            "created_at": created_at,
            "manifest_path": manifest_path,
            "status": status,
            "counts": dict(counts or {}),
            "status_changed_at": now,
        }
        if purge:  # (re-recorded without it: its mark is kept)
            row["reported"] = False
        if inputs is not None:  # re-recorded without them: kept
            row["inputs"] = [{"path": f.path, "size": f.size, "fingerprint": f.fingerprint} for f in inputs]
        stmt = self._insert(dataset_versions)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dataset", "version"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dataset", "version")},
        )
        with self._write() as conn:
            current = self._version_status(conn, dataset, version)
            _check_transition(dataset, version, current, status)
            if status == "live":
                self._supersede_live(conn, dataset, keep=version, now=now)
            conn.execute(stmt, row)

    def set_version_status(self, dataset: str, version: str, status: str) -> None:
        """Change a version's status. ``live`` supersedes the live version; ``revoked`` is final."""
        _check_version_status(status)
        v = dataset_versions
        now = utcnow()
        with self._write() as conn:
            current = self._version_status(conn, dataset, version)
            if current is None:
                raise KeyError(f"dataset {dataset!r} has no version {version!r}")
            _check_transition(dataset, version, current, status)
            if current == status:
                return
            if status == "live":
                self._supersede_live(conn, dataset, keep=version, now=now)
            conn.execute(
                update(v)
                .where(v.c.dataset == dataset, v.c.version == version)
                .values(status=status, status_changed_at=now)
            )

    @staticmethod
    def _version_status(conn: Connection, dataset: str, version: str) -> str | None:
        v = dataset_versions
        return conn.scalar(select(v.c.status).where(v.c.dataset == dataset, v.c.version == version))

    @staticmethod
    def _supersede_live(conn: Connection, dataset: str, *, keep: str, now: dt.datetime) -> None:
        v = dataset_versions
        conn.execute(
            update(v)
            .where(v.c.dataset == dataset, v.c.status == "live", v.c.version != keep)
            .values(status="superseded", status_changed_at=now)
        )

    def unreported_purges(self, dataset: str, statuses: Sequence[str]) -> list[str]:
        """Versions a purge recorded with a status of ``statuses`` whose run never handed them on, oldest
        first (a run that failed for good past its switch)."""
        v = dataset_versions
        stmt = (
            select(v.c.version)
            .where(v.c.dataset == dataset, v.c.reported.is_(False), v.c.status.in_(list(statuses)))
            .order_by(v.c.created_at, v.c.version)
        )
        with self._read() as conn:
            return list(conn.execute(stmt).scalars())

    def mark_reported(self, dataset: str, version: str) -> None:
        """A purge's version was handed on: its receipts and revocation event have it."""
        v = dataset_versions
        with self._write() as conn:
            conn.execute(
                update(v).where(v.c.dataset == dataset, v.c.version == version, v.c.reported.is_(False))
                .values(reported=True)
            )  # fmt: skip

    def version_inputs(self, dataset: str, version: str) -> list[ObjectInfo] | None:
        """The landing files ``version``'s new rows were read from; None: not recorded (a version
        written before revision 0009 lists them in its manifest)."""
        v = dataset_versions
        with self._read() as conn:
            inputs = conn.scalar(select(v.c.inputs).where(v.c.dataset == dataset, v.c.version == version))
        if inputs is None:
            return None
        return [ObjectInfo(i["path"], i["size"], i["fingerprint"]) for i in inputs]

    def seal_version_inputs(
        self, deleted: Callable[[str], bool], key: bytes, *, dry_run: bool = False, page: int = 200
    ) -> int:
        """Every version's ``inputs`` with the path of each file whose folder names a customer ``deleted``
        says asked to delete everything sealed (``registry_paths.sealed_path``: what the registry keeps);
        how many paths."""

        def seal(paths: list[str]) -> list[str | None]:
            named = customers_of_paths(paths)
            return [
                sealed_path(p, key) if any(deleted(c) for c in cs) else None
                for p, cs in zip(paths, named, strict=True)
            ]

        return self._rewrite_version_inputs("%=%", seal, dry_run=dry_run, page=page)

    def rename_version_inputs(self, renamed: Mapping[str, str], *, page: int = 200) -> int:
        """Every version's ``inputs`` with each path that is a key of ``renamed`` (a sealed path under the
        old key of a rotation, ``purge.store_paths.reseal_store_paths``) replaced by its value; how many."""
        if not renamed:
            return 0
        return self._rewrite_version_inputs(
            "%[customer:%", lambda paths: [renamed.get(p) for p in paths], dry_run=False, page=page
        )

    def _rewrite_version_inputs(
        self, like: str, rewrite: Callable[[list[str]], list[str | None]], *, dry_run: bool, page: int
    ) -> int:
        """The versions whose inputs' text is ``like`` a page at a time (by dataset and version), each page's
        paths given to ``rewrite`` (a new path, or None: as it is); the versions changed written in one
        statement of many parameter sets. How many paths changed."""
        v = dataset_versions
        count = 0
        last: tuple[str, str] = ("", "")
        while True:
            after = or_(v.c.dataset > last[0], and_(v.c.dataset == last[0], v.c.version > last[1]))
            with self._read() as conn:
                rows = conn.execute(
                    select(v.c.dataset, v.c.version, v.c.inputs)
                    .where(after, v.c.inputs.is_not(None), type_coerce(v.c.inputs, Text).like(like))
                    .order_by(v.c.dataset, v.c.version)
                    .limit(page)
                ).all()
            if not rows:
                return count
            last = (rows[-1][0], rows[-1][1])
            changed = []
            for dataset, version, inputs in rows:
                paths = [item.get("path") if isinstance(item.get("path"), str) else "" for item in inputs]
                n = 0
                for item, new in zip(inputs, rewrite(paths), strict=True):
                    if new is not None and new != item.get("path"):
                        item["path"] = new
                        n += 1
                if n:
                    count += n
                    changed.append({"d": dataset, "v": version, "inputs": inputs})
            if changed and not dry_run:
                with self._write() as conn:
                    conn.execute(
                        update(v)
                        .where(v.c.dataset == bindparam("d"), v.c.version == bindparam("v"))
                        .values(inputs=bindparam("inputs", type_=v.c.inputs.type)),
                        changed,
                    )

    def move_version_inputs(
        self, dataset: str, version: str, inputs: Sequence[ObjectInfo], then: Callable[[], object]
    ) -> bool:
        """Record the landing files of a version written before revision 0009 (its manifest lists them),
        if none are recorded yet, and call ``then`` (the manifest's rewrite) before the change commits: a
        crash in between leaves them unrecorded, to be moved again. False: already recorded."""
        v = dataset_versions
        listed = [{"path": f.path, "size": f.size, "fingerprint": f.fingerprint} for f in inputs]
        with self._write() as conn:
            done = conn.execute(
                update(v)
                .where(v.c.dataset == dataset, v.c.version == version, v.c.inputs.is_(None))
                .values(inputs=listed)
            )
            if not done.rowcount:
                return False
            then()
        return True

    def key_fingerprint(self) -> str | None:
        """The fingerprint of the pseudonym key the deployment's keyed copies are made with (None: no run
        has started yet). A live manifest records its own; this one counts while nothing is live."""
        with self._read() as conn:
            return conn.scalar(select(store_meta.c.value).where(store_meta.c.key == KEY_FINGERPRINT))

    def claim_key_fingerprint(self, fingerprint: str) -> str:
        """``key_fingerprint``, recorded as ``fingerprint`` if none is (the first run's key makes the copies)."""
        stmt = self._insert(store_meta).values(key=KEY_FINGERPRINT, value=fingerprint)
        with self._write() as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
            return conn.scalar(select(store_meta.c.value).where(store_meta.c.key == KEY_FINGERPRINT))

    def set_key_fingerprint(self, fingerprint: str) -> None:
        """A rotation's new key makes the copies from now on."""
        stmt = self._insert(store_meta).values(key=KEY_FINGERPRINT, value=fingerprint)
        with self._write() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": fingerprint}))

    def live_version(self, dataset: str) -> str | None:
        v = dataset_versions
        with self._read() as conn:
            return conn.scalar(select(v.c.version).where(v.c.dataset == dataset, v.c.status == "live"))

    def versions(self, dataset: str) -> list[dict[str, Any]]:
        """Every version of ``dataset``, oldest first."""
        v = dataset_versions
        stmt = select(v).where(v.c.dataset == dataset).order_by(v.c.created_at, v.c.version)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]


def _check_version_status(status: str) -> None:
    if status not in VERSION_STATUSES:
        raise ValueError(f"version status must be one of {VERSION_STATUSES}, got {status!r}")


def _check_transition(dataset: str, version: str, current: str | None, status: str) -> None:
    if current == "revoked" and status != "revoked":
        raise ValueError(
            f"version {version!r} of {dataset!r} is revoked (it held data that had to be removed) and "
            f"cannot become {status!r}"
        )
