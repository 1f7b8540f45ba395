"""Retries only for what can heal: Airflow 3.3's ``retry_policy`` for every task of the DAGs.

A deterministic failure fails at once, whatever ``retries`` says: a quality gate that refused the
batch, publishing blocked by an unreadable privacy record, refused params or configuration, a
pseudonym key that does not match the lake, an overdue deletion, a corrupt shard, an audit
violation. Re-running them two minutes later gives the same answer (and runs GX again); a person
has to act first, and the run says what to do.

A transient failure keeps the task's retries: the object store or the file system (``OSError``,
which pyarrow's and s3fs's I/O errors are), the governance database going away
(SQLAlchemy's ``OperationalError``, a dropped connection, an exhausted pool), the dataset lock held
by another run (``LockTimeout``) or lost, and the task's own timeout.

Anything else — a bug, an unexpected value — fails at once too: it does not heal by itself, and a
retry only delays the alert. Exceptions are matched by the dotted names of their classes (and of
their bases), so parsing a DAG imports none of the product package (``tests/dags``).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import RetryDecision, RetryPolicy

# Checked first: some of them are OSError subclasses (PathRefused is a PermissionError).
DETERMINISTIC = frozenset(
    {
        "utterance_governance.jobs.publish.GateFailed",
        "utterance_governance.jobs.publish.PublishingBlocked",
        "utterance_governance.jobs.publish.RunAlreadyPublished",
        "utterance_governance.jobs.context.InvalidParams",
        "utterance_governance.settings.ConfigurationError",
        "utterance_governance.privacy.keys.KeyMismatch",
        "utterance_governance.purge.receipts.DeletionOverdue",
        "utterance_governance.purge.receipts.CopiesUnsearchable",
        "utterance_governance.purge.published.ShardCorrupt",
        "utterance_governance.jobs.audit.AuditFailed",
        "utterance_governance.io.store.base.StoreSchemaMismatch",
        "utterance_governance.io.storage.PathRefused",
        "utterance_governance.publish.lineage.VersionNotUsable",
    }
)
TRANSIENT = frozenset(
    {
        "builtins.OSError",  # ConnectionError, TimeoutError, pyarrow's ArrowIOError, s3fs
        "sqlalchemy.exc.OperationalError",  # the database went away, "database is locked"
        "sqlalchemy.exc.DisconnectionError",
        "sqlalchemy.exc.TimeoutError",  # the connection pool is exhausted
        "utterance_governance.io.store.locks.LockTimeout",
        "utterance_governance.io.store.locks.LockLost",
        "botocore.exceptions.BotoCoreError",  # endpoint unreachable, credentials not yet there
        "airflow.sdk.exceptions.AirflowTaskTimeout",
    }
)
TRANSIENT_DELAY = timedelta(minutes=2)
DETERMINISTIC_KIND, TRANSIENT_KIND, UNKNOWN_KIND = "deterministic", "transient", "unknown"


def _names(exc: BaseException) -> list[str]:
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__]


def classify(exc: BaseException) -> str:
    """``deterministic``, ``transient`` or ``unknown``: the exception itself first, then what it was
    raised from (a wrapper around a dropped connection heals as the connection does)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names = _names(current)
        if DETERMINISTIC.intersection(names):
            return DETERMINISTIC_KIND
        if TRANSIENT.intersection(names):
            return TRANSIENT_KIND
        current = current.__cause__ or current.__context__
    return UNKNOWN_KIND


class HealingRetryPolicy(RetryPolicy):
    """Retry transient failures (within the task's ``retries``); fail everything else at once."""

    def __init__(self, retry_delay: timedelta | None = None) -> None:
        self.retry_delay = retry_delay

    def evaluate(self, exception, try_number, max_tries, context=None) -> RetryDecision:
        kind = classify(exception)
        name = type(exception).__name__
        if kind == TRANSIENT_KIND:
            return RetryDecision.retry(self.retry_delay, f"{name} is transient (storage, database, lock)")
        if kind == DETERMINISTIC_KIND:
            return RetryDecision.fail(f"{name} is deterministic: a retry would fail the same way")
        return RetryDecision.fail(f"{name} is not known to be transient: failing at once")

    def serialize(self) -> dict:
        delay = self.retry_delay.total_seconds() if self.retry_delay is not None else None
        return {"__type": "HealingRetryPolicy", "retry_delay": delay}

    @classmethod
    def deserialize(cls, data: dict) -> HealingRetryPolicy:
        delay = data.get("retry_delay")
        return cls(timedelta(seconds=delay) if delay is not None else None)


RETRY_ONLY_WHAT_HEALS = HealingRetryPolicy()
