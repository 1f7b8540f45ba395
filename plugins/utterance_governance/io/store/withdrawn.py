"""The versions an opt-out's purge revoked, per withdrawn speaker: ``store_schema.withdrawn_speakers``.

An opt-out's purge revokes the versions that held the customer's rows and tells the training runs that consumed
them to stop using them, not to erase them (``erase_copies`` false: the customer withdrew consent, and deleted
nothing). A deletion of the same customer afterwards (a delete-all, a range, a listing) may find nothing live:
its purge makes no version, and nothing told those runs to erase what they hold. So the opt-out's purge records,
per speaker it withdrew, which versions it revoked (``record_withdrawn_speakers``: a range of version names and
the versions compaction merged into the replaced shards), and a later deletion of that speaker announces their
erasure (``purge.withdrawn``), after which the record goes (``forget_withdrawn_speakers``). Keyed digests and
version names only: no id, no text. A key rotation re-keys them (``rekey_withdrawn_speakers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import and_, delete, or_, select

from utterance_governance.io.store.base import StoreBase, _chunks, utcnow
from utterance_governance.io.store_schema import withdrawn_speakers

WITHDRAWN_FIELDS = ("speaker_key", "first_version", "last_version", "merged", "recorded_at")


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
    ) -> int:
        """Record that ``speaker_keys``' rows were revoked from the versions ``first_version`` to ``last_version``
        and ``merged``, now (the store's clock, as deletions' intake times: ``purge.withdrawn.erasures_due``); a
        record held already stays. The number of speakers given."""
        speakers = sorted({s for s in speaker_keys if s})
        if not speakers:
            return 0
        at = utcnow()
        stmt = self._insert(withdrawn_speakers).on_conflict_do_nothing(
            index_elements=["dataset", "speaker_key", "first_version", "last_version"]
        )
        rows = [
            {"dataset": dataset, "speaker_key": s, "first_version": first_version, "last_version": last_version,
             "merged": sorted(set(merged)), "recorded_at": at}
            for s in speakers
        ]  # fmt: skip
        with self._write() as conn:
            for chunk in _chunks(rows):
                conn.execute(stmt, list(chunk))
        return len(speakers)

    def withdrawn_speakers_of(self, dataset: str, speaker_keys: Iterable[str]) -> list[dict]:
        """The records of ``speaker_keys`` (``WITHDRAWN_FIELDS``), in key order."""
        w = withdrawn_speakers
        found: list[dict] = []
        with self._read() as conn:
            for chunk in _chunks(sorted({s for s in speaker_keys if s})):
                rows = conn.execute(
                    select(*(w.c[f] for f in WITHDRAWN_FIELDS)).where(
                        w.c.dataset == dataset, w.c.speaker_key.in_(chunk)
                    )
                )
                found += [dict(row._mapping) for row in rows]
        return sorted(found, key=lambda r: (r["speaker_key"], r["first_version"], r["last_version"]))

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

    def rekey_withdrawn_speakers(self, old: pa.Array, new: pa.Array) -> int:
        """Each record's speaker key replaced by its key under a new pseudonym key (``old`` and ``new``, position
        for position: ``purge.rekey.key_map``); a record whose speaker no customer explains goes (no deletion
        could name it), one already under a new key stays (a rotation run again). In one transaction. The
        number kept."""
        w = withdrawn_speakers
        with self._write() as conn:
            held = conn.execute(select(w)).mappings().all()
            if not held:
                return 0
            speakers = pa.array([r["speaker_key"] for r in held], pa.string())
            done = pc.is_in(speakers, value_set=new.drop_null())
            mapped = pc.if_else(done, speakers, new.take(pc.index_in(speakers, value_set=old))).to_pylist()
            kept = {
                (r["dataset"], key, r["first_version"], r["last_version"]): {**r, "speaker_key": key}
                for r, key in zip(held, mapped, strict=True)
                if key is not None
            }
            conn.execute(delete(w))
            for chunk in _chunks(list(kept.values())):
                conn.execute(self._insert(w), list(chunk))
        return len(kept)
