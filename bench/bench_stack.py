"""The nightly run on the production stack, run natively: one Celery worker against two.

Each configuration gets a stack of its own (``tests.stack.harness``: api-server, scheduler,
dag-processor, triggerer, Celery worker(s) with the CeleryExecutor on the machine's PostgreSQL
and Redis, the lake on S3 through ``moto_server``), the same generated landing zone, and one
``utterances_publish`` run triggered through the REST API. Every worker runs one task at a time
(``--concurrency 1``: one worker stands for one machine of one core), so two workers are two
machines sharing the batch work through the queue, the store, the lock and the lake.

Configurations:
    1 worker, warm   the compose setting: the worker imports the pipeline and GX once (celery_config)
    2 workers, warm  the same, scaled out
    1 worker, cold   without the warm-up: every task imports the pipeline (and the gate GX) itself

    python bench/bench_stack.py [--utterances 1000000] [--configs 1w,2w,1c]

Prints, per configuration, the run's wall time (the DAG run's start to end, Airflow's own
timestamps), the sum of its task instances' durations, and per step the summed duration.
Needs PostgreSQL and Redis on 127.0.0.1 (exits 2 if they are absent).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "plugins"))

from tests.stack.components import WORKER  # noqa: E402
from tests.stack.harness import Stack, StackUnavailable, free_ports  # noqa: E402

WARM_SETTING = "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"
CONFIGS = {"1w": (1, True), "2w": (2, True), "1c": (1, False)}
DAG_ID = "utterances_publish"


class BenchStack(Stack):
    """The harness's stack with one-task-at-a-time workers, optionally without the warm-up."""

    def __init__(self, warm: bool, **kwargs):
        super().__init__(**kwargs)
        self.warm = warm

    def environment(self, service: str) -> dict[str, str]:
        env = super().environment(service)
        env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = "1"
        if not self.warm:
            env.pop(WARM_SETTING, None)
        return env

    def add_worker(self, number: int) -> None:
        """Another Celery worker on this machine: its own hostname and log-server port."""
        env = self.environment(WORKER)
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_ports(1)[0])
        self._start(f"{WORKER}-{number}", ("airflow", "celery", "worker", "--celery-hostname",
                                           f"worker{number}@%h"), env)  # fmt: skip


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def one(config: str, utterances: int, days: int, files_per_day: int) -> dict:
    workers, warm = CONFIGS[config]
    stack = BenchStack(warm)
    try:
        stack.up()
        for number in range(2, workers + 1):
            stack.add_worker(number)
        generated = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "utterance_governance.synth", "--root", stack.lake_url, "--seed", "20261203",
             "--utterances", str(utterances), "--days", str(days), "--files-per-day", str(files_per_day),
             "--format", "parquet", "--start", "2026-11-20"],
            env=stack.environment(WORKER), check=True, capture_output=True, timeout=3600,
        )  # fmt: skip
        generated = time.perf_counter() - generated
        time.sleep(5)  # the added worker(s) up and consuming before the run is queued
        stack.unpause(DAG_ID)
        run = stack.run_dag(DAG_ID, {}, timeout=7200, note=f"bench_stack {config}")
        tis = stack.task_instances(DAG_ID, run["dag_run_id"])
        steps: dict[str, list[float]] = defaultdict(list)
        for ti in tis:
            steps[ti["task_id"]].append(_seconds(ti["start_date"], ti["end_date"]))
        per_worker = {  # tasks each Celery worker ran (its log: one "Workload finished" per task)
            log.stem: log.read_text(errors="replace").count("Workload finished")
            for log in sorted(stack.logs.glob(f"{WORKER}*.log"))
        }
        return {
            "config": config,
            "workers": workers,
            "warm": warm,
            "utterances": utterances,
            "generate_s": round(generated, 1),
            "run_s": round(_seconds(run["start_date"], run["end_date"]), 1),
            "task_sum_s": round(sum(sum(v) for v in steps.values()), 1),
            "tasks": len(tis),
            "tasks_per_worker": per_worker,
            "steps": {
                k: {"n": len(v), "sum_s": round(sum(v), 1), "median_s": round(statistics.median(v), 2)}
                for k, v in steps.items()
            },
        }
    finally:
        stack.down()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--utterances", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--files-per-day", type=int, default=2)
    ap.add_argument("--configs", default="1w,2w,1c")
    args = ap.parse_args()
    results = []
    for config in args.configs.split(","):
        try:
            result = one(config, args.utterances, args.days, args.files_per_day)
        except StackUnavailable as exc:
            print(f"bench_stack: {exc}", file=sys.stderr)
            return 2
        results.append(result)
        print(json.dumps(result), flush=True)
        steps = ", ".join(f"{k} {v['sum_s']}" for k, v in result["steps"].items())
        print(f"{config}: {result['workers']} worker(s), warm={result['warm']}: run {result['run_s']} s, "
              f"task time {result['task_sum_s']} s over {result['tasks']} tasks "
              f"(per worker {result['tasks_per_worker']}); steps (s): {steps}", flush=True)  # fmt: skip
    by = {r["config"]: r for r in results}
    if "1w" in by and "2w" in by:
        print(f"bench_stack: 2 workers / 1 worker run time {by['2w']['run_s'] / by['1w']['run_s']:.2f}")
    if "1w" in by and "1c" in by:
        print(
            f"bench_stack: cold / warm run time {by['1c']['run_s'] / by['1w']['run_s']:.2f}, "
            f"task time {by['1c']['task_sum_s'] / by['1w']['task_sum_s']:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
