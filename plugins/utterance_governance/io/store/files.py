"""The store's registry of landing files already processed (SPEC §3.1), when they arrived, and since when
the audit has seen privacy files waiting to be taken in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store.base import StoreBase, _chunks, utcnow
from utterance_governance.io.store_schema import landing_arrivals, processed_files, store_meta

Arrivals = dict[str, tuple[dt.datetime, dt.datetime]]  # path -> (first_read_at, landed_at)

# store_meta: path -> when the audit first saw it waiting, for the privacy files waiting now
_WAITING_KEY = "privacy_files_waiting"


# the registry entry of a landing file a purge is rewriting (see ``note_rewrite``)
REWRITING = "rewriting:"


class ProcessedFiles(StoreBase):
    """The landing files already processed, with their size and fingerprint."""

    def select_new_files(self, files: Iterable[ObjectInfo], *, reprocess: bool = False) -> list[ObjectInfo]:
        """The files not processed yet, or whose content changed since (size or fingerprint); all if ``reprocess``."""
        files = list(files)
        if reprocess:
            return files
        known = self.processed_versions(f.path for f in files)
        return [f for f in files if known.get(f.path) != (f.size, f.fingerprint)]

    def processed_versions(self, paths: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(size, fingerprint) each of ``paths`` had when it was last processed (others left out)."""
        known: dict[str, tuple[int, str]] = {}
        pf = processed_files
        with self._read() as conn:
            for chunk in _chunks(sorted(set(paths))):
                for path, size, fingerprint in conn.execute(
                    select(pf.c.path, pf.c.size, pf.c.fingerprint).where(pf.c.path.in_(chunk))
                ):
                    known[path] = (int(size), fingerprint)
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
        rows = [
            {
                "path": f.path,
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
                .where(processed_files.c.path == path)
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
                .where(processed_files.c.path == path)
                .values(size=int(size), fingerprint=fingerprint)
            )

    def processed_file(self, path: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(select(processed_files).where(processed_files.c.path == path)).mappings().first()
            )
        return dict(row) if row else None

    def record_arrivals(self, files: Iterable[ObjectInfo], now: dt.datetime) -> Arrivals:
        """Note ``files`` as seen (first reading ``now``, landed at the earlier of ``now`` and their
        modification time) unless already noted; return what is recorded for each (first wins)."""
        files = list({f.path: f for f in files}.values())
        if not files:
            return {}
        rows = [
            {"path": f.path, "first_read_at": now,
             "landed_at": min(now, f.modified) if f.modified is not None else now}
            for f in files
        ]  # fmt: skip
        with self._write() as conn:
            conn.execute(self._insert(landing_arrivals).on_conflict_do_nothing(index_elements=["path"]), rows)
        return self.arrivals(f.path for f in files)

    def arrivals(self, paths: Iterable[str]) -> Arrivals:
        """(first_read_at, landed_at) of each of ``paths`` that was noted; others are left out."""
        a = landing_arrivals
        out: Arrivals = {}
        with self._read() as conn:
            for chunk in _chunks(sorted(set(paths))):
                for path, first, landed in conn.execute(
                    select(a.c.path, a.c.first_read_at, a.c.landed_at).where(a.c.path.in_(chunk))
                ):
                    out[path] = (first, landed)
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
