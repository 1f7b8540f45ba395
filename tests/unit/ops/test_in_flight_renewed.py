"""A publish run's in-flight mark holds back the receipts of deletions taken in after it started. A run
longer than IN_FLIGHT_HOURS (a backfill of days, a task retried hours later) renews it at each step:
it is still taken as running, and a removed mark is not brought back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from utterance_governance.io.storage import Storage
from utterance_governance.jobs.in_flight import (
    IN_FLIGHT_HOURS,
    in_flight_since,
    mark_in_flight,
    no_longer_in_flight,
    still_in_flight,
)

START = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_a_run_whose_steps_go_on_is_in_flight_past_the_hours(tmp_path) -> None:
    storage = Storage(str(tmp_path))
    mark_in_flight(storage, "run-a", "run a", START)
    later = START + timedelta(hours=IN_FLIGHT_HOURS + 6)
    assert in_flight_since(storage, later) == []  # no step since it started: a run that stopped
    still_in_flight(storage, "run-a", later - timedelta(hours=1))
    assert in_flight_since(storage, later) == [START]  # its start, which decides the receipts held
    assert in_flight_since(storage, later + timedelta(hours=IN_FLIGHT_HOURS)) == []


def test_a_removed_mark_is_not_renewed(tmp_path) -> None:
    storage = Storage(str(tmp_path))
    mark_in_flight(storage, "run-a", "run a", START)
    no_longer_in_flight(storage, "run-a")
    still_in_flight(storage, "run-a", START + timedelta(hours=1))
    assert in_flight_since(storage, START + timedelta(hours=2)) == []
