"""The pipeline's metrics through Airflow's own Stats: StatsD or OpenTelemetry, as Airflow's
``[metrics]`` section says (``statsd_on`` + ``statsd_host``/``statsd_port``/``statsd_prefix``, or
``otel_on`` + the OTLP endpoint); neither on, nothing is sent.

In Airflow 3 task code reaches Stats through the Task SDK (``airflow.sdk.observability.stats``), which
each task process initializes from ``[metrics]`` when it starts (``task_runner.main``). The names are
listed in ``utterance_governance.jobs.telemetry``; Airflow prefixes them (``airflow.ug.…``).
"""

from __future__ import annotations

from datetime import timedelta


class AirflowStats:
    """``telemetry.MetricsSink`` over the Task SDK's Stats."""

    def incr(self, name: str, count: int) -> None:
        from airflow.sdk.observability import stats

        stats.incr(name, count=count)

    def gauge(self, name: str, value: float) -> None:
        from airflow.sdk.observability import stats

        stats.gauge(name, value)

    def timing(self, name: str, seconds: float) -> None:
        from airflow.sdk.observability import stats

        stats.timing(name, timedelta(seconds=seconds))


def install() -> None:
    """Send this task's metrics through Airflow's Stats (called at the start of every task)."""
    from utterance_governance.jobs import telemetry

    telemetry.set_sink(AirflowStats())
