"""Which speaker keys are one customer's id in other cases: ``store_schema.speaker_folds``.

A speaker key is the keyed pseudonym of the exact id, so ``zed-cust-77`` and ``Zed-Cust-77`` (one customer,
two devices) publish under two keys. Whoever decides rows records, for each distinct id it decided, the
keyed digest of the id's fold (``privacy.keys.fold_keys``) beside its speaker key (``fold_pairs``: each
landing file's, ``jobs.publish.process_file``); a record that withdraws
(a deletion, an opt-out, a hold) finds every spelling's speaker keys through the digest of its own id's
fold (``PrivacyState.speaker_folds``). Keyed digests only: the table names no customer.

A delete-all's purge erases the pairs of its customer's fold whose speaker has no published row left and
no row in a copy it searched (``erase_speaker_folds``, after every copy was searched: the pairs found the
copies keyed by speaker; a decision it does not cover keeps its speaker's pair, for a later request), so
no speaker key of theirs stays in the store; a speaker still live (rows captured after the request) keeps
its pair, which a later request needs. A row decided before that erasure and published after it (captured
and landed after the request, so not covered) gets its pair again from the publish, after its switch: each
decided file stages its pairs with their speakers' latest capture and landing (which the purge judges them
by), and the publish records those of the speakers it published (``jobs.publish._record_published_folds``).
A key rotation (``purge.rekey``) replaces every
pair with its customer's pair under the new key (``replace_speaker_folds``): a pair made under the old key
would match nothing under the new one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pyarrow as pa
from sqlalchemy import delete, select

from utterance_governance.io.store.base import StoreBase, _chunks
from utterance_governance.io.store_schema import ledger_speakers, speaker_folds
from utterance_governance.privacy.keys import FOLD_PAIRS

_INSERT_BATCH = 50_000


class SpeakerFolds(StoreBase):
    """Fold digests and the speaker keys of the ids that have them."""

    def record_speaker_folds(self, pairs: pa.Table) -> int:
        """Record the (``fold_key``, ``speaker_key``) pairs of ``pairs`` the store does not hold yet (a pair
        held already is left as it is); the number of pairs given."""
        pairs = pairs.select(FOLD_PAIRS.names).drop_null()
        pairs = pairs.group_by(FOLD_PAIRS.names, use_threads=False).aggregate([]).select(FOLD_PAIRS.names)
        if not pairs.num_rows:
            return 0
        pairs = pairs.sort_by([("fold_key", "ascending"), ("speaker_key", "ascending")])
        stmt = self._insert(speaker_folds).on_conflict_do_nothing(index_elements=["fold_key", "speaker_key"])
        with self._write() as conn:
            for start in range(0, pairs.num_rows, _INSERT_BATCH):
                conn.execute(stmt, pairs.slice(start, _INSERT_BATCH).to_pylist())
        return pairs.num_rows

    def speakers_of_folds(self, fold_keys: Sequence[str]) -> pa.Table:
        """The (``fold_key``, ``speaker_key``) pairs of ``fold_keys`` (``FOLD_PAIRS``)."""
        return self._pairs_by("fold_key", fold_keys)

    def folds_of_speakers(self, speaker_keys: Sequence[str]) -> pa.Table:
        """The (``fold_key``, ``speaker_key``) pairs of ``speaker_keys`` (``FOLD_PAIRS``): the fold of each id
        in another case than its fold (an id that is its own fold has none)."""
        return self._pairs_by("speaker_key", speaker_keys)

    def _pairs_by(self, column: str, values: Sequence[str]) -> pa.Table:
        found: list[tuple[str, str]] = []
        with self._read() as conn:
            for chunk in _chunks(sorted(set(values))):
                stmt = select(speaker_folds.c.fold_key, speaker_folds.c.speaker_key).where(
                    speaker_folds.c[column].in_(chunk)
                )
                found.extend(conn.execute(stmt).tuples())
        return pa.table(
            {"fold_key": [f for f, _ in found], "speaker_key": [s for _, s in found]}, schema=FOLD_PAIRS
        )

    def all_speaker_folds(self) -> pa.Table:
        """Every pair the store holds (``FOLD_PAIRS``)."""
        with self._read() as conn:
            found = conn.execute(select(speaker_folds.c.fold_key, speaker_folds.c.speaker_key)).tuples().all()
        return pa.table(
            {"fold_key": [f for f, _ in found], "speaker_key": [s for _, s in found]}, schema=FOLD_PAIRS
        )

    def published_speakers(self, dataset: str, speaker_keys: Sequence[str]) -> set[str]:
        """Which of ``speaker_keys`` have published rows in ``dataset`` (a lineage in ``ledger_speakers``)."""
        ls = ledger_speakers
        found: set[str] = set()
        with self._read() as conn:
            for chunk in _chunks(sorted(set(speaker_keys))):
                stmt = (
                    select(ls.c.speaker_key)
                    .where(ls.c.dataset == dataset, ls.c.speaker_key.in_(chunk))
                    .distinct()
                )
                found.update(conn.execute(stmt).scalars())
        return found

    def replace_speaker_folds(self, pairs: pa.Table) -> int:
        """The store's pairs become ``pairs`` (``FOLD_PAIRS``), in one transaction: a key rotation's."""
        pairs = pairs.select(FOLD_PAIRS.names).drop_null()
        pairs = pairs.group_by(FOLD_PAIRS.names, use_threads=False).aggregate([]).select(FOLD_PAIRS.names)
        pairs = pairs.sort_by([("fold_key", "ascending"), ("speaker_key", "ascending")])
        with self._write() as conn:
            conn.execute(delete(speaker_folds))
            for start in range(0, pairs.num_rows, _INSERT_BATCH):
                conn.execute(speaker_folds.insert(), pairs.slice(start, _INSERT_BATCH).to_pylist())
        return pairs.num_rows

    def erase_speaker_folds(self, dataset: str, fold_keys: Sequence[str], keep: Collection[str] = ()) -> int:
        """Erase the pairs of ``fold_keys`` whose speaker has no lineage left in ``dataset``'s ledger
        (``ledger_speakers``: its published rows are all erased) and is none of ``keep`` (speakers a copy of
        the lake still holds rows of); the number erased."""
        sf, ls = speaker_folds, ledger_speakers
        still_published = (
            select(ls.c.speaker_key)
            .where(ls.c.dataset == dataset, ls.c.speaker_key == sf.c.speaker_key)
            .exists()
        )
        erased = 0
        with self._write() as conn:
            for chunk in _chunks(sorted(set(fold_keys))):
                stmt = delete(sf).where(sf.c.fold_key.in_(chunk), ~still_published)
                if keep:
                    stmt = stmt.where(sf.c.speaker_key.not_in(sorted(keep)))
                erased += conn.execute(stmt).rowcount
        return erased
