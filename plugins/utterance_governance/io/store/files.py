"""The store's registry of landing files already processed (SPEC §3.1), when they arrived, and since when
the audit has seen privacy files waiting to be taken in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store.base import StoreBase, _chunks, utcnow
from utterance_governance.io.store.registry_paths import customers_of_paths, sealed_aliases, sealed_path
from utterance_governance.io.store_schema import landing_arrivals, processed_files, store_meta

Arrivals = dict[str, tuple[dt.datetime, dt.datetime]]  # path -> (first_read_at, landed_at)

# store_meta: path -> when the audit first saw it waiting, for the privacy files waiting now
_WAITING_KEY = "privacy_files_waiting"


# the registry entry of a landing file a purge is rewriting (see ``note_rewrite``)
REWRITING = "rewriting:"


class ProcessedFiles(StoreBase):
    """The landing files already processed, with their size and fingerprint.

    A path whose folder names a customer who deleted everything is kept sealed (``registry_paths``:
    ``customer_id=[customer:<keyed digest>]``, ``seal_customer_paths``): every method here takes the raw
    path the lake lists and finds its entry under either form, with ``path_key`` (the pseudonym key,
    set by ``from_settings``); without it a sealed entry is not found (its file looks new)."""

    path_key: bytes | None = None

    def _entries(self, conn, table, paths: Iterable[str]) -> dict[str, str]:
        """raw path -> the path its entry in ``table`` is kept under (itself, or sealed); others left out."""
        paths = sorted(set(paths))
        aliases = sealed_aliases(paths, self.path_key)
        found: set[str] = set()
        for chunk in _chunks(sorted({*paths, *aliases.values()})):
            found.update(conn.scalars(select(table.c.path).where(table.c.path.in_(chunk))))
        out = {}
        for path in paths:
            if path in found:
                out[path] = path
            elif aliases.get(path) in found:
                out[path] = aliases[path]
        return out

    def _entry(self, conn, table, path: str) -> str:
        return self._entries(conn, table, [path]).get(path, path)

    def select_new_files(self, files: Iterable[ObjectInfo], *, reprocess: bool = False) -> list[ObjectInfo]:
        """The files not processed yet, or whose content changed since (size or fingerprint); all if ``reprocess``."""
        files = list(files)
        if reprocess:
            return files
        known = self.processed_versions(f.path for f in files)
        return [f for f in files if known.get(f.path) != (f.size, f.fingerprint)]

    def processed_versions(self, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(size, fingerprint) each of ``paths`` had when it was last processed (others left out)."""
        paths = sorted(set(paths))
        aliases = sealed_aliases(paths, self.path_key)
        rows: dict[str, tuple[int, str]] = {}
        pf = processed_files
        with self._read() as conn:
            for chunk in _chunks(sorted({*paths, *aliases.values()})):
                for path, size, fingerprint in conn.execute(
                    select(pf.c.path, pf.c.size, pf.c.fingerprint).where(pf.c.path.in_(chunk))
                ):
                    rows[path] = (int(size), fingerprint)
        known = {}
        for path in paths:
            entry = rows.get(path) or rows.get(aliases.get(path, path))
            if entry is not None:
                known[path] = entry
        return known

    def mark_files_processed(
        self, files: Iterable[ObjectInfo], run_id: str, stats: Mapping[str, Any] | None = None
    ) -> int:
        """Register ``files`` as processed by ``run_id`` (idempotent: re-marking updates the entry).

        ``stats`` is either per file (a mapping whose keys are the files' paths) or one
        mapping recorded for every file (e.g. the run's counts).
        """
        files = list({f.path: f for f in files}.values())
        if not files:
            return 0
        per_file = bool(stats) and all(f.path in stats for f in files) and len(stats) == len(files)
        now = utcnow()
        with self._read() as conn:  # a sealed entry stays sealed: the customer's path never comes back
            entries = self._entries(conn, processed_files, (f.path for f in files))
        rows = [
            {
                "path": entries.get(f.path, f.path),
                "size": int(f.size),
                "fingerprint": f.fingerprint,
                "run_id": run_id,
                "processed_at": now,
                "stats": (stats.get(f.path) if per_file else stats) if stats else None,
                "rewritten_at": None,
            }
            for f in files
        ]
        stmt = self._insert(processed_files)
        stmt = stmt.on_conflict_do_update(
            index_elements=["path"],
            set_={name: stmt.excluded[name] for name in rows[0] if name != "path"},
        )
        with self._write() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def forget_files(self, paths: Iterable[str]) -> int:
        """Drop files from the registry (they will be taken as new); return how many were registered."""
        paths = sorted(set(paths))
        paths = sorted({*paths, *sealed_aliases(paths, self.path_key).values()})
        removed = 0
        with self._write() as conn:
            for chunk in _chunks(paths):
                removed += conn.execute(
                    delete(processed_files).where(processed_files.c.path.in_(chunk))
                ).rowcount
        return removed

    def update_file_fingerprint(self, path: str, size: int, fingerprint: str) -> bool:
        """Re-register a landing file a purge rewrote, so its new fingerprint is not taken as new input.

        Only a registered file is updated (an unprocessed file stays new input); returns
        whether it was registered.
        """
        with self._write() as conn:
            result = conn.execute(
                update(processed_files)
                .where(processed_files.c.path == self._entry(conn, processed_files, path))
                .values(size=int(size), fingerprint=fingerprint, rewritten_at=utcnow())
            )
        return result.rowcount == 1

    def note_rewrite(self, path: str, sha256: str) -> bool:
        """Before a purge rewrites a registered landing file: its registry entry says so
        (``REWRITING`` + the new content's sha256 + the old size and fingerprint), so a crash
        between the rewrite and ``update_file_fingerprint`` is finished by ``pending_rewrites``'
        reader instead of leaving a processed file to be taken as new input. False when the file
        is not registered."""
        pf = processed_files
        with self._write() as conn:
            path = self._entry(conn, pf, path)
            row = conn.execute(select(pf.c.size, pf.c.fingerprint).where(pf.c.path == path)).first()
            if row is None:
                return False
            size, fingerprint = int(row[0]), row[1]
            if fingerprint.startswith(REWRITING):  # an earlier rewrite of it never finished
                _, _, size_text, fingerprint = fingerprint.split(":", 3)
                size = int(size_text)
            conn.execute(
                update(pf)
                .where(pf.c.path == path)
                .values(fingerprint=f"{REWRITING}{sha256}:{size}:{fingerprint}")
            )
        return True

    def pending_rewrites(self) -> dict[str, tuple[str, int, str]]:
        """path -> (new sha256, old size, old fingerprint) of the rewrites noted and not finished."""
        pf = processed_files
        with self._read() as conn:
            rows = conn.execute(
                select(pf.c.path, pf.c.fingerprint).where(pf.c.fingerprint.startswith(REWRITING))
            )
            out = {}
            for path, fingerprint in rows:
                sha, size, old = fingerprint.removeprefix(REWRITING).split(":", 2)
                out[path] = (sha, int(size), old)
        return out

    def restore_fingerprint(self, path: str, size: int, fingerprint: str) -> None:
        """A noted rewrite that never happened: the entry is the file's as it was processed."""
        with self._write() as conn:
            conn.execute(
                update(processed_files)
                .where(processed_files.c.path == self._entry(conn, processed_files, path))
                .values(size=int(size), fingerprint=fingerprint)
            )

    def processed_file(self, path: str) -> dict[str, Any] | None:
        with self._read() as conn:
            path = self._entry(conn, processed_files, path)
            row = (
                conn.execute(select(processed_files).where(processed_files.c.path == path)).mappings().first()
            )
        return dict(row) if row else None

    def seal_customer_paths(
        self, deleted: Callable[[str], bool], *, dry_run: bool = False, page: int = 5000
    ) -> dict[str, int]:
        """Keep every registry entry (``processed_files``, ``landing_arrivals``) whose path has a folder
        naming a customer ``deleted`` says asked to delete everything under its sealed path
        (``registry_paths.sealed_path``); how many of each, and ``rewriting``: entries of a rewrite a
        crash cut short (``note_rewrite``), left until ``finish_rewrites`` settles them (the caller's
        receipts wait). Read a page of paths holding ``=`` at a time (by path, after the last page's),
        each page's entries renamed in one transaction with one statement of many parameter sets. An
        entry already kept sealed beside the raw one: the registry keeps the later processing and the
        first arrival."""
        if not self.path_key:
            raise ValueError(
                "sealing the registry's paths needs the pseudonym key (GovernanceStore.path_key)"
            )
        counts = {"processed_files": 0, "landing_arrivals": 0, "rewriting": 0}
        for table in (processed_files, landing_arrivals):
            name = table.name
            last = ""
            while True:
                fingerprint = table.c.fingerprint if table is processed_files else table.c.path
                with self._read() as conn:
                    rows = conn.execute(
                        select(table.c.path, fingerprint)
                        .where(table.c.path > last, table.c.path.like("%=%"))
                        .order_by(table.c.path)
                        .limit(page)
                    ).all()
                if not rows:
                    break
                last = rows[-1][0]
                raws = []
                named = customers_of_paths([path for path, _ in rows])
                for (path, mark), customers in zip(rows, named, strict=True):
                    if not any(deleted(c) for c in customers):
                        continue
                    if table is processed_files and mark.startswith(REWRITING):
                        counts["rewriting"] += 1
                        continue
                    raws.append(path)
                counts[name] += len(raws)
                if raws and not dry_run:
                    self._seal(table, {raw: sealed_path(raw, self.path_key) for raw in raws})
        return counts

    def rename_registry_paths(self, renamed: Mapping[str, str]) -> int:
        """Every registry entry kept under a key of ``renamed`` moved to its value (a sealed path under the
        old key of a rotation to its seal under the new one: ``purge.store_paths.reseal_store_paths``), a
        chunk of paths a transaction; where an entry is kept there already, that one stays. How many."""
        moved = 0
        for table in (processed_files, landing_arrivals):
            for chunk in _chunks(sorted(renamed)):
                with self._write() as conn:
                    present = sorted(conn.scalars(select(table.c.path).where(table.c.path.in_(chunk))))
                    if not present:
                        continue
                    wanted = sorted({renamed[p] for p in present})
                    taken = set(conn.scalars(select(table.c.path).where(table.c.path.in_(wanted))))
                    gone = [p for p in present if renamed[p] in taken]
                    if gone:
                        conn.execute(delete(table).where(table.c.path.in_(gone)))
                    moves = [{"raw": p, "to": renamed[p]} for p in present if renamed[p] not in taken]
                    if moves:
                        conn.execute(
                            update(table)
                            .where(table.c.path == bindparam("raw"))
                            .values(path=bindparam("to")),
                            moves,
                        )
                    moved += len(present)
        return moved

    def _seal(self, table, sealed: dict[str, str]) -> None:
        with self._write() as conn:
            taken = set(conn.scalars(select(table.c.path).where(table.c.path.in_(sorted(sealed.values())))))
            if table is processed_files:  # the raw entry is the later processing: the sealed one goes
                conn.execute(delete(table).where(table.c.path.in_(sorted(taken))))
                renamed = sealed
            else:  # the sealed entry is the first arrival: the raw one goes
                gone = sorted(raw for raw, to in sealed.items() if to in taken)
                if gone:
                    conn.execute(delete(table).where(table.c.path.in_(gone)))
                renamed = {raw: to for raw, to in sealed.items() if to not in taken}
            if renamed:
                conn.execute(
                    update(table).where(table.c.path == bindparam("raw")).values(path=bindparam("to")),
                    [{"raw": raw, "to": to} for raw, to in renamed.items()],
                )

    def record_arrivals(
        self, files: Iterable[ObjectInfo], now: dt.datetime, first_read: dt.datetime | None = None
    ) -> Arrivals:
        """Note ``files`` as seen (first reading ``first_read``, or ``now``; landed at the earlier of
        ``now`` and their modification time) unless already noted; return what is recorded for each
        (first wins)."""
        files = list({f.path: f for f in files}.values())
        if not files:
            return {}
        with self._read() as conn:  # (a sealed entry is the file's: its first arrival)
            noted = self._entries(conn, landing_arrivals, (f.path for f in files))
        files = [f for f in files if f.path not in noted]
        if not files:
            return self.arrivals(noted)
        rows = [
            {"path": f.path, "first_read_at": max(now, first_read or now),
             "landed_at": min(now, f.modified) if f.modified is not None else now}
            for f in files
        ]  # fmt: skip
        with self._write() as conn:
            conn.execute(self._insert(landing_arrivals).on_conflict_do_nothing(index_elements=["path"]), rows)
        return self.arrivals([*noted, *(f.path for f in files)])

    def arrivals(self, paths: Iterable[str]) -> Arrivals:
        """(first_read_at, landed_at) of each of ``paths`` that was noted; others are left out."""
        a = landing_arrivals
        paths = sorted(set(paths))
        aliases = sealed_aliases(paths, self.path_key)
        rows: Arrivals = {}
        with self._read() as conn:
            for chunk in _chunks(sorted({*paths, *aliases.values()})):
                for path, first, landed in conn.execute(
                    select(a.c.path, a.c.first_read_at, a.c.landed_at).where(a.c.path.in_(chunk))
                ):
                    rows[path] = (first, landed)
        out: Arrivals = {}
        for path in paths:
            entry = rows.get(path) or rows.get(aliases.get(path, path))
            if entry is not None:
                out[path] = entry
        return out

    def note_waiting_files(self, paths: Iterable[str], now: dt.datetime) -> dict[str, dt.datetime]:
        """Since when each of ``paths`` (privacy files in landing not taken in) has been seen waiting: noted
        ``now`` unless noted before and not taken in since (a version written over one taken in waits
        from when it is seen); the notes of other paths (taken in, removed) are dropped. What the audit
        measures a wait by when a file's modification time cannot be trusted (stamped ahead)."""
        paths = sorted(set(paths))
        pf = processed_files
        with self._write() as conn:
            value = conn.scalar(select(store_meta.c.value).where(store_meta.c.key == _WAITING_KEY))
            noted = {path: dt.datetime.fromisoformat(t) for path, t in json.loads(value or "{}").items()}
            taken_in: dict[str, dt.datetime] = {}
            for chunk in _chunks(paths):
                for path, processed_at in conn.execute(
                    select(pf.c.path, pf.c.processed_at).where(pf.c.path.in_(chunk))
                ):
                    taken_in[path] = processed_at
            since = {}
            for path in paths:
                first = noted.get(path)
                since[path] = now if first is None or taken_in.get(path, first) > first else first
            conn.execute(delete(store_meta).where(store_meta.c.key == _WAITING_KEY))
            if since:
                notes = json.dumps({path: t.isoformat() for path, t in since.items()}, sort_keys=True)
                conn.execute(insert(store_meta).values(key=_WAITING_KEY, value=notes))
        return since
