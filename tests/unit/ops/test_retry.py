"""Retries only for what can heal: the retry policy every task of the DAGs carries."""

from __future__ import annotations

import pytest
import sqlalchemy.exc
from airflow.sdk import RetryAction

from ug_airflow.retry import RETRY_ONLY_WHAT_HEALS, HealingRetryPolicy, classify
from utterance_governance.io.storage import PathRefused
from utterance_governance.io.store import LockTimeout
from utterance_governance.jobs.context import InvalidParams
from utterance_governance.jobs.publish import GateFailed, PublishingBlocked
from utterance_governance.privacy.keys import KeyMismatch
from utterance_governance.purge.receipts import DeletionOverdue
from utterance_governance.settings import ConfigurationError


def _operational() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))


@pytest.mark.parametrize(
    "exc",
    [GateFailed("gate"), PublishingBlocked("blocked"), InvalidParams("dt_from"), KeyMismatch("key"),
     DeletionOverdue("late"), ConfigurationError("no key"), PathRefused("symlink")],
    ids=lambda e: type(e).__name__,
)  # fmt: skip
def test_deterministic_failures_fail_at_once(exc):
    decision = RETRY_ONLY_WHAT_HEALS.evaluate(exc, try_number=1, max_tries=3)
    assert decision.action == RetryAction.FAIL
    assert "deterministic" in decision.reason


@pytest.mark.parametrize(
    "exc",
    [OSError("object store unavailable"), ConnectionResetError(), TimeoutError(), FileNotFoundError("x"),
     _operational(), LockTimeout("dataset lock held by another run")],
    ids=lambda e: type(e).__name__,
)  # fmt: skip
def test_transient_failures_keep_their_retries(exc):
    decision = RETRY_ONLY_WHAT_HEALS.evaluate(exc, try_number=1, max_tries=3)
    assert decision.action == RetryAction.RETRY


def test_a_wrapper_heals_as_its_cause_does_and_a_bug_fails_at_once():
    try:
        try:
            raise _operational()
        except sqlalchemy.exc.OperationalError as exc:
            raise RuntimeError("could not record the run") from exc
    except RuntimeError as wrapped:
        assert classify(wrapped) == "transient"
    assert RETRY_ONLY_WHAT_HEALS.evaluate(KeyError("speaker_key"), 1, 3).action == RetryAction.FAIL
    # a deterministic error raised while handling a transient one is still deterministic
    try:
        try:
            raise OSError("disk")
        except OSError:
            raise GateFailed("gate") from None
    except GateFailed as exc:
        assert classify(exc) == "deterministic"


def test_the_policy_round_trips_through_serialisation():
    from datetime import timedelta

    policy = HealingRetryPolicy(timedelta(seconds=30))
    again = HealingRetryPolicy.deserialize(policy.serialize())
    assert again.retry_delay == timedelta(seconds=30)
    assert again.evaluate(OSError(), 1, 3).retry_delay == timedelta(seconds=30)
