"""The versions an opt-out's purge revoked, per withdrawn speaker: ``store_schema.withdrawn_speakers``.

An opt-out's purge revokes the versions that held the customer's rows and tells the training runs that consumed
them to stop using them, not to erase them (``erase_copies`` false: the customer withdrew consent, and deleted
nothing). A deletion of the same customer afterwards (a delete-all, a range, a listing) may find nothing live:
its purge makes no version, and nothing told those runs to erase what they hold. So the opt-out's purge records,
per speaker it withdrew, which versions it revoked (``record_withdrawn_speakers``: a range of version names and
the versions compaction merged into the replaced shards), and a later deletion of that speaker announces their
erasure (``purge.withdrawn``), after which the record goes (``forget_withdrawn_speakers``). Keyed digests and
version names only: no id, no text. A record keeps the keyed digest of the speaker's id's fold too, when that id is
not its own fold (``io.store.folds``): a deletion naming another spelling finds it by that, though its own purge
erased the case-fold pairs. A key rotation re-keys them (``rekey_withdrawn_speakers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import and_, delete, or_, select

from utterance_governance.io.store.base import StoreBase, _chunks, utcnow
from utterance_governance.io.store_schema import store_meta, withdrawn_speakers

WITHDRAWN_FIELDS = (
    "speaker_key", "first_version", "last_version", "merged", "recorded_at", "deletions_seen", "fold_key"
)  # fmt: skip
_NO_FOLDS = pa.schema(
    [("old_fold_key", pa.string()), ("fold_key", pa.string()), ("speaker_key", pa.string())]
)


# (as Alembic 0019 writes it) a dataset whose withdrawals before that revision are not recorded yet
_BACKFILL_KEY = "withdrawn_backfill:{dataset}"


def _record_is(speaker: str, first: str, last: str):
    w = withdrawn_speakers
    return and_(w.c.speaker_key == speaker, w.c.first_version == first, w.c.last_version == last)


class WithdrawnSpeakers(StoreBase):
    """Which versions each withdrawn speaker's rows were revoked from, until a deletion erases them."""

    def record_withdrawn_speakers(
        self,
        dataset: str,
        speaker_keys: Iterable[str],
        first_version: str,
        last_version: str,
        merged: Sequence[str],
        deletions_seen: int,
    ) -> int:
        """Record that ``speaker_keys``' rows were revoked from the versions ``first_version`` to ``last_version``
        and ``merged`` by a purge whose privacy state held the deletions of intake batches up to ``deletions_seen``
        (``deletion_batch_mark``: ``purge.withdrawn.erasures_due``), with each speaker's fold digest when the store
        pairs one with it; a record held already stays. The number of speakers given."""
        speakers = sorted({s for s in speaker_keys if s})
        if not speakers:
            return 0
        at = utcnow()
        pairs = self.folds_of_speakers(speakers)
        folds = dict(
            zip(pairs.column("speaker_key").to_pylist(), pairs.column("fold_key").to_pylist(), strict=True)
        )
        stmt = self._insert(withdrawn_speakers).on_conflict_do_nothing(
            index_elements=["dataset", "speaker_key", "first_version", "last_version"]
        )
        rows = [
            {"dataset": dataset, "speaker_key": s, "first_version": first_version, "last_version": last_version,
             "merged": sorted(set(merged)), "recorded_at": at, "deletions_seen": deletions_seen,
             "fold_key": folds.get(s)}
            for s in speakers
        ]  # fmt: skip
        with self._write() as conn:
            for chunk in _chunks(rows):
                conn.execute(stmt, list(chunk))
        return len(speakers)

    def withdrawn_speakers_of(
        self, dataset: str, speaker_keys: Iterable[str], fold_keys: Iterable[str] = ()
    ) -> list[dict]:
        """The records of ``speaker_keys``, and those whose fold digest is one of ``fold_keys``
        (``WITHDRAWN_FIELDS``), in key order."""
        w = withdrawn_speakers
        found: dict[tuple, dict] = {}
        with self._read() as conn:
            for column, values in ((w.c.speaker_key, speaker_keys), (w.c.fold_key, fold_keys)):
                for chunk in _chunks(sorted({v for v in values if v})):
                    stmt = select(*(w.c[f] for f in WITHDRAWN_FIELDS)).where(
                        w.c.dataset == dataset, column.in_(chunk)
                    )
                    for row in conn.execute(stmt).mappings():
                        found[(row["speaker_key"], row["first_version"], row["last_version"])] = dict(row)
        return [found[k] for k in sorted(found)]

    def withdrawals_to_backfill(self, dataset: str) -> bool:
        """Does ``dataset`` hold withdrawals made before Alembic 0019 with no record (``purge.withdrawn.backfill``)."""
        key = _BACKFILL_KEY.format(dataset=dataset)[:64]
        with self._read() as conn:
            return conn.scalar(select(store_meta.c.value).where(store_meta.c.key == key)) is not None

    def withdrawals_backfilled(self, dataset: str) -> None:
        key = _BACKFILL_KEY.format(dataset=dataset)[:64]
        with self._write() as conn:
            conn.execute(delete(store_meta).where(store_meta.c.key == key))

    def forget_withdrawn_speakers(self, dataset: str, records: Iterable[dict]) -> int:
        """Remove ``records`` (as ``withdrawn_speakers_of`` gives them: their erasure was announced); the number
        removed. A record made since (the same speaker withdrawn again) stays."""
        w = withdrawn_speakers
        keys = sorted({(r["speaker_key"], r["first_version"], r["last_version"]) for r in records})
        removed = 0
        with self._write() as conn:
            for chunk in _chunks(keys):
                removed += conn.execute(
                    delete(w).where(
                        w.c.dataset == dataset,
                        or_(*(_record_is(s, f, last) for s, f, last in chunk)),
                    )
                ).rowcount
        return removed

    def rekey_withdrawn_speakers(self, old: pa.Array, new: pa.Array, folds: pa.Table | None = None) -> int:
        """Each record's speaker key replaced by its key under a new pseudonym key (``old`` and ``new``, position
        for position: ``purge.rekey.key_map``), and its fold digest by the new key's (``folds``: ``old_fold_key``,
        ``fold_key`` and the fold's own ``speaker_key`` under the new key, of each known customer's fold). A record
        whose speaker no customer explains is kept under its fold's own speaker key when its fold is known, else it
        goes (no deletion could name it); one under the new key already stays (a rotation run again). In one
        transaction. The number kept."""
        w = withdrawn_speakers
        folds = _NO_FOLDS.empty_table() if folds is None else folds.select(_NO_FOLDS.names).cast(_NO_FOLDS)
        with self._write() as conn:
            held = conn.execute(select(w)).mappings().all()
            if not held:
                return 0
            speakers = pa.array([r["speaker_key"] for r in held], pa.string())
            done = pc.is_in(speakers, value_set=new.drop_null())
            mapped = pc.if_else(done, speakers, new.take(pc.index_in(speakers, value_set=old))).to_pylist()
            digests = pa.array([r["fold_key"] for r in held], pa.string())
            fold_done = pc.fill_null(pc.is_in(digests, value_set=folds.column("fold_key")), False)
            at = pc.index_in(digests, value_set=folds.column("old_fold_key"))
            new_folds = pc.if_else(fold_done, digests, folds.column("fold_key").take(at)).to_pylist()
            fold_speakers = folds.column("speaker_key").take(at).to_pylist()
            kept: dict[tuple, dict] = {}
            for r, key, fold, fold_speaker in zip(held, mapped, new_folds, fold_speakers, strict=True):
                key = key if key is not None else fold_speaker
                if key is not None:
                    kept[(r["dataset"], key, r["first_version"], r["last_version"])] = {
                        **r, "speaker_key": key, "fold_key": fold
                    }  # fmt: skip
            conn.execute(delete(w))
            for chunk in _chunks(list(kept.values())):
                conn.execute(self._insert(w), list(chunk))
        return len(kept)
