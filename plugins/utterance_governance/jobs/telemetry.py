"""What the long steps tell while they run (progress lines) and what they count (metrics).

Progress lines go to the step's log (the Airflow task log): counts, landing file names, partition
numbers, seconds and rows/s. Never transcript text, never a customer id: logs outlive deletions.

Metrics go to a sink the Airflow layer installs at the start of each task (``ug_airflow.metrics``:
Airflow's own Stats, so StatsD or OpenTelemetry as Airflow's ``[metrics]`` section configures);
without a sink (tests, the bench, the CLI) they go nowhere. The product never imports Airflow.

Names (Airflow adds its ``statsd_prefix`` / ``otel_prefix``, ``airflow.`` by default):

- ``ug.publish.decisions.<reason>`` — rows decided by a (non-dry) run, by reason; equal to the
  run report's counts. ``ug.publish.rows_read``, ``ug.publish.files_read`` — per landing file.
- ``ug.publish.gate.passed`` / ``ug.publish.gate.failed`` — one per run's gate;
  ``ug.publish.gate.failed_check.<check>`` — one per failing expectation.
- ``ug.publish.version_published`` — a new version went live; ``ug.publish.live_rows`` (gauge).
- ``ug.publish.process_file.rows_per_s`` (gauge), ``ug.publish.process_file.duration`` (timer).
- ``ug.privacy.requests.pending`` / ``.at_risk`` / ``.overdue`` (gauges, as ``ug status`` counts
  them); ``ug.privacy.rows_removed.<reason>`` — live rows a purge took out.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Protocol

log = logging.getLogger(__name__)


class MetricsSink(Protocol):
    def incr(self, name: str, count: int) -> None: ...

    def gauge(self, name: str, value: float) -> None: ...

    def timing(self, name: str, seconds: float) -> None: ...


_sink: MetricsSink | None = None


def set_sink(sink: MetricsSink | None) -> None:
    """Where metrics go from now on in this process (None: nowhere)."""
    global _sink
    _sink = sink


def metric_name(*parts: str) -> str:
    """``ug.<parts>``: a reason code like ``quality:too_short`` becomes ``quality_too_short`` (StatsD
    names take letters, digits, ``_``, ``.``, ``-``)."""
    return ".".join(["ug", *(re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in parts)])


def _emit(kind: str, name: str, value) -> None:
    if _sink is None:
        return
    try:
        getattr(_sink, kind)(name, value)
    except Exception:  # a metrics backend never fails a step
        log.warning("metric %s could not be sent", name, exc_info=True)


def incr(name: str, count: int = 1) -> None:
    if count:
        _emit("incr", name, int(count))


def gauge(name: str, value: float) -> None:
    _emit("gauge", name, value)


def timing(name: str, seconds: float) -> None:
    _emit("timing", name, seconds)


def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else float(rows)


class Progress:
    """Progress of a step through its items (files, partitions, shards): one log line per item with
    its rows, seconds and rows/s, and the step's running total."""

    def __init__(self, step: str, total: int | None = None, logger: logging.Logger = log) -> None:
        self.step, self.total, self.log = step, total, logger
        self.items = self.rows = 0
        self.started = self._last = time.perf_counter()

    def done(self, item: str, rows: int, detail: str = "") -> float:
        """One item finished (``item``: a file name or ``partition 3``); returns its rows/s. A step of
        one item (``total=1``: a task's own file) says no "i of n" and no running total."""
        now = time.perf_counter()
        seconds, self._last = now - self._last, now
        self.items += 1
        self.rows += rows
        per_s = rate(rows, seconds)
        place = so_far = ""
        if self.total != 1:
            place = f" ({self.items} of {self.total})" if self.total else f" ({self.items})"
            so_far = f"; so far {self.rows} rows, {rate(self.rows, now - self.started):.0f} rows/s"
        self.log.info("progress %s: %s%s: %d rows in %.2f s, %.0f rows/s%s%s", self.step, item, place, rows,
                      seconds, per_s, f"; {detail}" if detail else "", so_far)  # fmt: skip
        return per_s

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def finish(self, detail: str = "") -> float:
        """The step's summary line; returns its overall rows/s."""
        seconds = time.perf_counter() - self.started
        per_s = rate(self.rows, seconds)
        items = f"{self.items} item" + ("" if self.items == 1 else "s")
        self.log.info("progress %s: finished, %s, %d rows in %.2f s, %.0f rows/s%s", self.step, items,
                      self.rows, seconds, per_s, f"; {detail}" if detail else "")  # fmt: skip
        return per_s
