"""What a run of Airflow's Backfill of utterances_publish covers: the dt= day(s) of its data interval.

The schedule is a data-interval timetable whose interval is the previous day: the run at 02:00 on D
covers dt=D-1, and its logical date is D-1 02:00, so a backfill "from D1 to D2" covers dt=D1..D2.
Explicit dt params win; scheduled and manual runs keep taking whatever is new.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from ug_airflow.backfill import interval_dt_range, run_params
from utterance_governance.jobs.context import InvalidParams


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (at(20), at(21), ("2026-11-20", "2026-11-20")),  # the night run at 02:00 on the 21st
        (at(20, 0), at(21, 0), ("2026-11-20", "2026-11-20")),  # a midnight-aligned day
        (at(18), at(21), ("2026-11-18", "2026-11-20")),  # several days in one interval
        (at(21), at(21), ("2026-11-20", "2026-11-20")),  # zero-length (trigger timetable): the day before
        # in another zone, the same instants: dt= days are UTC days
        (at(20).astimezone(timezone(timedelta(hours=-8))), at(21).astimezone(timezone(timedelta(hours=-8))),
         ("2026-11-20", "2026-11-20")),
    ],
)  # fmt: skip
def test_a_data_interval_covers_the_days_it_closes(start, end, expected):
    assert interval_dt_range(start, end) == expected


def test_the_dags_timetable_gives_each_run_the_previous_day():
    """The real timetable of the DAG: the runs a backfill from the 20th to the 22nd creates, and what
    each covers."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization
    from tests.airflow_env import ROOT

    dag = DagBag(dag_folder=str(ROOT / "dags" / "utterances_publish.py")).dags["utterances_publish"]
    timetable = DagSerialization.from_dict(DagSerialization.to_dict(dag)).timetable
    assert type(timetable).__name__ == "CronDataIntervalTimetable" and timetable.periodic
    infos = list(
        DagSerialization.from_dict(DagSerialization.to_dict(dag)).iter_dagrun_infos_between(
            at(20, 0), at(22, 23)
        )
    )
    assert [i.logical_date for i in infos] == [at(20), at(21), at(22)]
    assert [i.run_after for i in infos] == [at(21), at(22), at(23)]  # each night at 02:00 the next day
    covered = [interval_dt_range(i.data_interval.start, i.data_interval.end) for i in infos]
    assert covered == [("2026-11-20",) * 2, ("2026-11-21",) * 2, ("2026-11-22",) * 2]


def context(run_type: str, start: datetime | None = at(20), end: datetime | None = at(21)) -> dict:
    return {"run_id": f"{run_type}__x", "dag_run": SimpleNamespace(run_type=SimpleNamespace(value=run_type)),
            "data_interval_start": start, "data_interval_end": end}  # fmt: skip


PARAMS = {"dt_from": None, "dt_to": None, "dry_run": False, "reprocess": False}


def test_a_backfill_run_takes_its_interval_as_its_dt_range():
    assert run_params(context("backfill"), dict(PARAMS)) == {
        **PARAMS,
        "dt_from": "2026-11-20",
        "dt_to": "2026-11-20",
    }
    # reprocess in the backfill's params re-reads its day
    assert run_params(context("backfill"), {**PARAMS, "reprocess": True})["dt_to"] == "2026-11-20"


@pytest.mark.parametrize(
    "given", [{"dt_from": "2026-11-01", "dt_to": "2026-11-03"}, {"dt_from": "2026-11-01"}]
)
def test_explicit_dt_params_win_over_the_interval(given):
    assert run_params(context("backfill"), {**PARAMS, **given}) == {**PARAMS, **given}


@pytest.mark.parametrize("run_type", ["scheduled", "manual", "asset_triggered"])
def test_other_runs_take_whatever_is_new(run_type):
    assert run_params(context(run_type), dict(PARAMS)) == PARAMS


def test_a_backfill_run_without_an_interval_is_refused_pointing_to_the_params():
    with pytest.raises(InvalidParams, match="dt_from / dt_to params"):
        run_params(context("backfill", None, None), dict(PARAMS))
