"""The governance store: what the pipeline took in, decided and published, on SQLite or PostgreSQL.

One class, ``GovernanceStore``, over SQLAlchemy 2 Core, made of one part per concern. It keeps

- consent events and deletion requests (idempotent by id), and the privacy records that
  could not be read, which hold a customer back or block publishing (SPEC §4) — ``privacy``;
- the registry of landing files already processed (SPEC §3.1) — ``files``;
- dataset versions and their status, and a ledger of every published utterance —
  ``versions``, ``ledger``; which speaker keys are one id in other cases (keyed digests) — ``folds``;
- per-run decision counts by reason; deletion receipts and their deadlines — ``runs``,
  ``receipts``;
- which dropped duplicates repeat a live row of their speaker (recording twins) — ``twins``; the recordings a
  deletion erased, so that a redelivery stays erased (digests only) — ``deleted``, ``erased``;
- which training runs consumed which version (lineage to training) — ``training``; which versions an
  opt-out's purge revoked per withdrawn speaker, until a deletion announces their erasure — ``withdrawn``;
- access requests: a customer id behind a one-time reference (access reports) — ``access``;
- a lease-based lock per dataset that serialises publishing and purging (SPEC §7) — ``locks``.

It never stores transcript or response text. The engine, transactions, schema creation and
migrations are in ``base``; the tables themselves in ``io.store_schema``.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE``, so concurrent Airflow tasks queue for the write
lock instead of failing with "database is locked". On PostgreSQL, bulk ledger inserts use
``COPY``.
"""

from __future__ import annotations

from utterance_governance.io.store.access import AccessRequestRefused, AccessRequests
from utterance_governance.io.store.base import StoreSchemaMismatch, utcnow
from utterance_governance.io.store.deleted import DeletedRecordings
from utterance_governance.io.store.erased import ErasedUtterances
from utterance_governance.io.store.files import ProcessedFiles
from utterance_governance.io.store.folds import SpeakerFolds
from utterance_governance.io.store.ledger import Ledger, LedgerMismatch
from utterance_governance.io.store.locks import DatasetLock, DatasetLocks, LockLost, LockTimeout
from utterance_governance.io.store.privacy import PRIVACY_KINDS, PrivacyRecords
from utterance_governance.io.store.receipts import Receipts
from utterance_governance.io.store.runs import Runs
from utterance_governance.io.store.training import TrainingRuns
from utterance_governance.io.store.twins import RecordingTwins
from utterance_governance.io.store.versions import DatasetVersions
from utterance_governance.io.store.withdrawn import WithdrawnSpeakers

__all__ = [
    "PRIVACY_KINDS",
    "AccessRequestRefused",
    "DatasetLock",
    "GovernanceStore",
    "LedgerMismatch",
    "LockLost",
    "LockTimeout",
    "StoreSchemaMismatch",
    "utcnow",
]


class GovernanceStore(
    PrivacyRecords,
    ProcessedFiles,
    Ledger,
    SpeakerFolds,
    RecordingTwins,
    WithdrawnSpeakers,
    DeletedRecordings,
    ErasedUtterances,
    DatasetVersions,
    Runs,
    Receipts,
    TrainingRuns,
    AccessRequests,
    DatasetLocks,
):
    """The governance store at a SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg2://...``)."""
