"""The nightly path as the DAG runs it: every step of ``utterances_publish``, timed, with peak memory.

Each step is the very function a DAG task calls (``jobs.publish``), run in a pool of worker
processes as Airflow workers would run the tasks: the mapped steps (``process_file`` per landing
file, ``dedup_content`` and ``gate_partition`` per partition) side by side, the others alone.
Workers import the pipeline and Great Expectations once when they start (what a long-lived
worker pays once, not per task); that start-up is reported apart. Beside it, in the same run, the
I/O floor: a plain pyarrow read + write of the same landing files.

The lake is generated once per (size, seed) under ``--root`` and each run works on a fresh copy
of its landing zone (hard links) with a fresh SQLite store, in a temporary folder removed after
the run.

    python bench/bench_dag.py [--utterances 1000000] [--runs 3] [--workers 2]
        [--onto N]   publish onto a live dataset of N utterances published first (its own lake)
        [--postgresql SERVER]   the governance store on PostgreSQL (a new database each run; not with --onto)

The last line reads exactly:
    bench: <N> rows/s overall, floor <F> rows/s, ratio <pipeline/floor>, peak_rss <M> MiB
(peak_rss: the largest worker or main process, i.e. the most any one task held.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

from bench import generator_version  # noqa: E402  (bench/bench.py, beside this file)
from bench_purge import PostgresStores  # noqa: E402

SEED = 20261203
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


GENERATED_AT_MOST = 2_000_000  # larger lakes: this many generated, then re-spoken (see _respeak)
RESPOKEN = (" please", " now", " thanks", " for me", " right now", " okay", " again", " today", " then",
            " if you can", " real quick", " thank you")  # fmt: skip


def ensure_lake(
    root: Path, utterances: int, days: int = 5, seed: int = SEED, start: date | None = None
) -> Path:
    """Generate the landing zone once per (size, seed); reused across runs."""
    marker = root / "_bench.json"
    key = {"utterances": utterances, "seed": seed, "generator": generator_version()}
    if marker.exists() and json.loads(marker.read_text()) == key:
        return root
    from utterance_governance.synth.generator import generate_landing

    shutil.rmtree(root, ignore_errors=True)
    if utterances > GENERATED_AT_MOST:
        copies = -(-utterances // GENERATED_AT_MOST)
        if copies > len(RESPOKEN) + 1:
            raise SystemExit(f"at most {(len(RESPOKEN) + 1) * GENERATED_AT_MOST:,} utterances")
        ensure_lake(root, utterances // copies, days, seed, start)
        _respeak(root, copies)
        marker.write_text(json.dumps(key))
        return root
    files_per_day = max(2, utterances // (days * 200_000))  # landing files of ~200k rows
    extra = {"start": start} if start else {}
    generate_landing(str(root), utterances, seed, file_format="parquet", days=days,
                     files_per_day=files_per_day, chunk_size=100_000, **extra)  # fmt: skip
    marker.write_text(json.dumps(key))
    return root


def _respeak(root: Path, copies: int) -> None:
    """A generated night, ``copies`` times over: each copy's utterances with ids of their own and
    the customer's words ending another way (" please", " now", ...), so they are distinct exchanges
    of the same customers, not duplicates (generating 20M utterances takes the generator ~30 min)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    files = sorted((root / "landing" / "utterances").rglob("*.parquet"))
    for copy in range(1, copies):
        for path in files:
            table = pq.read_table(path)
            ids = pc.binary_join_element_wise(table.column("utterance_id"), f"r{copy}", "-")
            words = pc.binary_join_element_wise(table.column("transcript"), RESPOKEN[copy - 1], "")
            table = table.set_column(0, "utterance_id", ids)
            table = table.set_column(table.schema.get_field_index("transcript"), "transcript", words)
            pq.write_table(table, path.with_name(f"{path.stem}-r{copy}.parquet"), compression="zstd")


def _copy_landing(source: Path, target: Path) -> None:
    for path in (source / "landing").rglob("*"):
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest)


# --- the workers ------------------------------------------------------------------------------
def _start_worker(env: dict) -> None:
    os.environ.update(env)
    import utterance_governance.jobs.publish
    import utterance_governance.quality.gate  # noqa: F401
    from utterance_governance.policy import Policy
    from utterance_governance.quality.suite import build_suite

    build_suite(Policy())  # Great Expectations imported and its suite built: once per worker


def _step(name: str, ctx_dict: dict, *args) -> tuple[object, float, float]:
    """Run one DAG step in this worker; (result, seconds, this worker's peak RSS MiB so far)."""
    from utterance_governance.jobs import privacy, publish
    from utterance_governance.jobs.context import RunContext

    started = time.perf_counter()
    ctx = RunContext.from_dict(ctx_dict)
    function = getattr(privacy if name == "withdraw_live" else publish, name)
    if os.environ.get("UG_BENCH_PROFILE") == name:  # where a step's time goes: cProfile to a file
        import cProfile

        profile = cProfile.Profile()
        result = profile.runcall(function, ctx, *args)
        profile.dump_stats(f"{tempfile.gettempdir()}/ug-bench-{name}-{os.getpid()}.prof")
    else:
        result = function(ctx, *args)
    return result, time.perf_counter() - started, _peak_rss_mib()


def run_pipeline(lake: Path, workers: int, store_url: str | None = None) -> dict:
    """All steps of utterances_publish on ``lake`` (landing zone and store already there); the store
    is ``store_url`` (migrated), by default the embedded SQLite file in the lake."""
    from utterance_governance.jobs.context import RunContext
    from utterance_governance.settings import load_settings

    env = {"UG_DATA_ROOT": str(lake), "UG_DATABASE_URL": store_url or f"sqlite:///{lake}/governance.db",
           "UG_PSEUDONYM_KEY": "bench-pseudonym-key", "UG_ENV": "development"}  # fmt: skip
    os.environ.update(env)
    steps: dict[str, float] = defaultdict(float)
    step_rss: dict[str, float] = defaultdict(float)
    t = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(env,)) as pool:
        list(pool.map(time.sleep, [0.2] * workers))  # every worker started before the clock runs
        startup = time.perf_counter() - t
        started = time.perf_counter()
        ctx = RunContext.create(f"bench-{time.time_ns()}", "utterances_publish", {}, load_settings(env), NOW)
        c = ctx.to_dict()

        def one(name: str, *args):
            result, seconds, rss = pool.submit(_step, name, c, *args).result()
            steps[name] += seconds
            step_rss[name] = max(step_rss[name], rss)
            return result

        def mapped(name: str, items: list) -> list:
            t0 = time.perf_counter()
            futures = [pool.submit(_step, name, c, item) for item in items]
            results = []
            for future in futures:
                result, _, rss = future.result()
                step_rss[name] = max(step_rss[name], rss)
                results.append(result)
            steps[name] += time.perf_counter() - t0  # wall time of the mapped step
            return results

        try:
            files, staged, parts, published = _steps(one, mapped)
        except Exception:
            print(f"failed after {time.perf_counter() - started:.1f} s; steps so far (s): {dict(steps)}, "
                  f"peak (MiB): {dict(step_rss)}", flush=True)  # fmt: skip
            raise
        total = time.perf_counter() - started
    rows = sum(sum(item["counts"].values()) for item in staged)
    return {
        "rows": rows,
        "seconds": total,
        "startup_s": startup,
        "steps": {k: round(v, 2) for k, v in steps.items()},
        "step_peak_rss_mib": {k: round(v) for k, v in step_rss.items()},
        "partitions": len(parts),
        "files": len(files),
        "published": published.get("new_rows", 0),
        "counts": published.get("counts", {}),
        "peak_rss_mib": max([_peak_rss_mib(), *step_rss.values()]),
    }


def _steps(one, mapped) -> tuple:
    """utterances_publish's steps in the DAG's order."""
    from utterance_governance.jobs.publish import batch_partitions

    privacy = one("ingest_privacy")
    files = one("discover_files")
    staged = mapped("process_file", files)
    parts = batch_partitions(staged)
    mapped("dedup_content", parts)
    partials = mapped("gate_partition", parts)
    gated = one("gate_batch", staged, partials)
    one("withdraw_live")
    published = one("publish", staged, gated)
    one("write_report", privacy, published)
    return files, staged, parts, published


def run_floor(lake: Path) -> dict:
    """The I/O floor: read every landing file and write it back, nothing else."""
    import pyarrow.parquet as pq

    files = sorted((lake / "landing" / "utterances").rglob("*.parquet"))
    out = Path(tempfile.mkdtemp(prefix="ug-floor-"))
    try:
        started = time.perf_counter()
        rows = 0
        for i, path in enumerate(files):
            table = pq.read_table(path)
            rows += table.num_rows
            pq.write_table(table, out / f"part-{i:05d}.parquet", compression="zstd", row_group_size=64_000)
        return {"rows": rows, "seconds": time.perf_counter() - started}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def one_run(
    source: Path, workers: int, onto: Path | None, postgresql: str | None = None
) -> tuple[dict, dict]:
    work = Path(tempfile.mkdtemp(prefix="ug-bench-dag-"))
    stores = PostgresStores(postgresql, prefix="ug_bench_dag") if postgresql else None
    try:
        if onto is not None:  # a live dataset first: its lake and published versions (hard links:
            # every write of the pipeline replaces a file, never changes one) and its store (a copy)
            shutil.copytree(onto, work, copy_function=_link_or_copy, dirs_exist_ok=True)
            _registered_as_copied(work)
            # a dataset built by an older release, migrated once, as deployed
            _migrated(f"sqlite:///{work}/governance.db")
            # the copy's dirty pages to disk now: else the first fsync of the timed run writes them
            # (ext4 flushes them with its journal), 3.9 s of ingest_privacy's commits onto the 20M store
            os.sync()
        _copy_landing(source, work)
        store_url = None
        if stores is not None:  # production's backend: a new database, migrated before the clock runs
            store_url = stores.empty_url()
            _migrated(store_url)
        floor = run_floor(source)
        pipeline = run_pipeline(work, workers, store_url)
        return pipeline, floor
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if stores is not None:
            stores.cleanup()


def _migrated(url: str) -> None:
    """The store at ``url`` migrated to head before the clock runs (``ug migrate-store``, once a release)."""
    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore(url)
    try:
        store.migrate()
    finally:
        store.dispose()


def _registered_as_copied(work: Path) -> None:
    """The copied dataset's landing files, as its store registered them, take the copies' fingerprints.

    A local file's fingerprint reads its status change time (a file rewritten in place keeps its size
    and modification time), and a hard link changes that time: without this, the night onto the copy
    reads every landing file of the live dataset again as rewritten (from 2026-12-04 to 2026-12-06 the
    2M night onto 20M read 22M rows, 460.9 s of process_file). Only a registered file of the same size
    is updated: the same bytes, linked."""
    import sqlite3

    from utterance_governance.io.storage import Storage

    storage = Storage(str(work))
    files = storage.list_files("landing")
    db = sqlite3.connect(work / "governance.db")
    try:
        with db:
            db.executemany(
                "UPDATE processed_files SET fingerprint = ? WHERE path = ? AND size = ?",
                [(f.fingerprint, f.path, f.size) for f in files],
            )
    finally:
        db.close()


def _link_or_copy(src: str, dst: str) -> None:
    if Path(src).name.startswith("governance.db"):
        shutil.copy2(src, dst)  # SQLite writes in place
    else:
        os.link(src, dst)


def build_base(source_rows: int, root: Path, workers: int) -> Path:
    """A lake with ``source_rows`` utterances published (for --onto), built once."""
    base = root / f"base-{source_rows}"
    marker = base / "_base.json"
    if marker.exists() and json.loads(marker.read_text()).get("generator") == generator_version():
        return base
    shutil.rmtree(base, ignore_errors=True)
    # other customers and exchanges than the night published onto it, on the days before it
    src = ensure_lake(root / f"lake-{source_rows}-base", source_rows, 5, SEED + 1, date(2026, 11, 10))
    base.mkdir(parents=True)
    _copy_landing(src, base)
    figures = run_pipeline(base, workers)
    _print_run("base", figures, run_floor(src))
    kept = {k: figures[k] for k in ("rows", "seconds", "peak_rss_mib", "published")}
    marker.write_text(json.dumps({**kept, "generator": generator_version()}))
    return base


def _print_run(label: str, pipeline: dict, floor: dict) -> float:
    ratio = pipeline["seconds"] / floor["seconds"]
    print(f"{label}: pipeline {pipeline['seconds']:.2f} s, floor {floor['seconds']:.2f} s, "
          f"ratio {ratio:.2f}, peak_rss {pipeline['peak_rss_mib']:.0f} MiB, "
          f"{pipeline['partitions']} partitions, {pipeline['files']} files, "
          f"worker start {pipeline['startup_s']:.1f} s", flush=True)  # fmt: skip
    print("  steps (s):       ", json.dumps(pipeline["steps"]), flush=True)
    print("  step peak (MiB): ", json.dumps(pipeline["step_peak_rss_mib"]), flush=True)
    return ratio


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--utterances", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--onto", type=int, default=0)
    ap.add_argument("--root", type=Path, default=HERE / "out" / "dag")
    ap.add_argument("--postgresql", metavar="SERVER",
                    help="the governance store on this PostgreSQL server (production's backend), a new "
                         "database each run, e.g. postgresql+psycopg2://postgres@127.0.0.1:5432")  # fmt: skip
    args = ap.parse_args()
    if args.postgresql and args.onto:
        ap.error("--onto builds its live dataset on SQLite only")

    source = ensure_lake(args.root / f"lake-{args.utterances}", args.utterances)
    onto = build_base(args.onto, args.root, args.workers) if args.onto else None
    results = []
    for i in range(args.runs):
        pipeline, floor = one_run(source, args.workers, onto, args.postgresql)
        ratio = _print_run(f"run {i + 1}", pipeline, floor)
        results.append((pipeline, floor, ratio))
    pipeline, floor, ratio = sorted(results, key=lambda r: r[2])[len(results) // 2]
    print(f"published {pipeline['published']:,} of {pipeline['rows']:,} rows; decisions: "
          f"{json.dumps(pipeline['counts'], sort_keys=True)}")  # fmt: skip
    rows = pipeline["rows"]
    print(
        f"bench: {rows / statistics.median(r[0]['seconds'] for r in results):.0f} rows/s overall, "
        f"floor {rows / statistics.median(r[1]['seconds'] for r in results):.0f} rows/s, "
        f"ratio {statistics.median(r[2] for r in results):.2f}, "
        f"peak_rss {max(r[0]['peak_rss_mib'] for r in results):.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
