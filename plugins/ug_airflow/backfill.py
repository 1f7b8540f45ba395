"""What a run of ``utterances_publish`` created by Airflow's own Backfill covers.

The DAG is scheduled by ``CronDataIntervalTimetable("0 2 * * *")``: the run that starts at 02:00 UTC
on day D has the data interval [D-1 02:00, D 02:00) and the logical date D-1 02:00, and it is the
night of the landing partition ``dt=D-1`` (the previous day's, complete by then). A backfill from
2026-11-20 to 2026-11-22 therefore makes three runs, for ``dt=2026-11-20``, ``2026-11-21`` and
``2026-11-22``: each processes exactly the ``dt=`` partitions of its interval, as the ``dt_from`` /
``dt_to`` params would (files of the range already processed are skipped unless ``reprocess``).

- A backfill run given ``dt_from`` or ``dt_to`` (the backfill's run conf): the params win.
- Scheduled and manual runs: unchanged — whatever landing files are new (late ones for old
  partitions too), or the range their params give.
- A backfill run whose interval cannot be read is refused at once, pointing to the params.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from utterance_governance.jobs.context import InvalidParams

log = logging.getLogger(__name__)

BACKFILL = "backfill"  # DagRun.run_type of a run created by a backfill (REST API, UI, CLI)


def interval_dt_range(start: datetime, end: datetime) -> tuple[str, str]:
    """The ``dt=`` partitions (UTC days) a data interval covers: from its start's day to the day
    before its end's day. [D-1 02:00, D 02:00) → (D-1, D-1); [D-3 02:00, D 02:00) → (D-3, D-1);
    a zero-length interval at T (a trigger timetable) → the day before T's, like the night run."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("a data interval's bounds must be timezone-aware")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    last = (end - timedelta(days=1)).date()
    first = min(start.date(), last)
    return first.isoformat(), last.isoformat()


def run_params(context, params: dict) -> dict:
    """The params ``RunContext.create`` validates for this run: a backfill run's interval as its
    ``dt_from`` / ``dt_to`` (unless it was given either), everything else unchanged."""
    dag_run = context.get("dag_run")
    run_type = getattr(getattr(dag_run, "run_type", None), "value", getattr(dag_run, "run_type", None))
    if run_type != BACKFILL:
        return params
    if params.get("dt_from") or params.get("dt_to"):
        log.info("backfill run %s: the params' dt range (%s to %s) stands, not its data interval",
                 context.get("run_id"), params.get("dt_from"), params.get("dt_to"))  # fmt: skip
        return params
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None:
        raise InvalidParams(
            f"backfill run {context.get('run_id')} has no data interval, so which dt= partitions it covers "
            "is unknown: trigger the DAG with the dt_from / dt_to params (YYYY-MM-DD) instead"
        )
    dt_from, dt_to = interval_dt_range(start, end)
    log.info("backfill run %s: data interval %s to %s covers dt=%s to dt=%s", context.get("run_id"),
             start.isoformat(), end.isoformat(), dt_from, dt_to)  # fmt: skip
    return {**params, "dt_from": dt_from, "dt_to": dt_to}
