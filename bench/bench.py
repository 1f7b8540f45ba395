"""`make bench`: 1M generated utterances through read → decide → redact → GX gate → write.

Measured beside the I/O floor (a plain pyarrow read + write of the same landing files,
same compression as our shards) in the same run, each as the median of several runs in
a fresh subprocess (so peak RSS is the pipeline's own). The machine is shared and noisy:
quote the ratio, not only the absolute figures.

    python bench/bench.py [--utterances 1000000] [--runs 3] [--workers 1]

The last line reads exactly:
    bench: <N> rows/s overall, floor <F> rows/s, ratio <pipeline/floor>, peak_rss <M> MiB
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

SEED = 20261126


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_lake(root: Path, utterances: int) -> dict:
    """Generate the landing zone once per (size, seed); reuse it across bench runs."""
    marker = root / "_bench.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("utterances") == utterances and info.get("seed") == SEED:
            return info
    from utterance_governance.synth.generator import generate_landing

    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    summary = generate_landing(
        str(root), utterances, SEED, file_format="parquet", days=5, files_per_day=2, chunk_size=100_000
    )
    info = {
        "utterances": utterances,
        "seed": SEED,
        "files": summary.landing_files,
        "generate_s": round(time.perf_counter() - started, 2),
    }
    marker.write_text(json.dumps(info))
    return info


def _landing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "landing" / "utterances").rglob("*.parquet"))


def run_floor(root: Path) -> dict:
    """The I/O floor: read every landing file and write it back, nothing else."""
    import pyarrow.parquet as pq

    files = _landing(root)
    out = Path(tempfile.mkdtemp(prefix="ug-floor-"))
    try:
        started = time.perf_counter()
        rows = 0
        for i, rel in enumerate(files):
            table = pq.read_table(root / rel)
            rows += table.num_rows
            pq.write_table(table, out / f"part-{i:05d}.parquet", compression="zstd", row_group_size=64_000)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)  # nothing left behind in the temporary folder
    return {"rows": rows, "seconds": seconds, "peak_rss_mib": _peak_rss_mib()}


def _privacy_state(root: Path):
    import pyarrow as pa

    from utterance_governance.io.readers import SUFFIXES, read_landing_file
    from utterance_governance.io.storage import Storage
    from utterance_governance.privacy import PrivacyState

    storage = Storage(str(root))
    parts: dict[str, list] = {"consent": [], "deletions": []}
    held: set[str] = set()
    blocked: list[str] = []
    for folder in parts:
        for info in storage.list_files(f"landing/{folder}", SUFFIXES):
            read = read_landing_file(storage, info.path, folder)
            parts[folder].append(read.records.drop_columns(["source_file", "line"]))
            for row in read.quarantine.select(["customer_id"]).to_pylist():
                if row["customer_id"]:
                    held.add(row["customer_id"])
                else:
                    blocked.append("unreadable record without customer")
    # the bench measures the decision core, so a blocking record would make it decide nothing
    return PrivacyState(
        pa.concat_tables(parts["consent"]), pa.concat_tables(parts["deletions"]), frozenset(held)
    ), blocked


def _decide_one(args: tuple[str, str, object]) -> tuple[object, dict, dict, int]:
    """One landing file: read → decide → redact (what one mapped Airflow task does)."""
    from utterance_governance.decide import decide_file
    from utterance_governance.io.readers import read_landing_file
    from utterance_governance.io.storage import Storage
    from utterance_governance.policy import Policy
    from utterance_governance.settings import DEV_PSEUDONYM_KEY

    root, rel, state = args
    started = time.perf_counter()
    read = read_landing_file(Storage(root), rel, "utterances")
    seconds = Counter({"read": time.perf_counter() - started})
    decided = decide_file(
        read, state, Policy(), datetime(2026, 11, 26, tzinfo=UTC), DEV_PSEUDONYM_KEY.encode()
    )
    seconds.update(decided.seconds)
    return decided.publishable, dict(decided.counts), dict(seconds), read.rows_seen


def run_pipeline(root: Path, workers: int) -> dict:
    """read → decide → redact (per file, over ``workers`` processes) → GX gate → write shards."""
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np
    import pyarrow as pa

    from utterance_governance.io.storage import Storage
    from utterance_governance.policy import Policy
    from utterance_governance.publish.shards import shard_rows, write_shards
    from utterance_governance.quality.gate import run_gate
    from utterance_governance.rules.duplicate import duplicate_mask

    out = Storage(tempfile.mkdtemp(prefix="ug-bench-"))
    policy = Policy()
    _warm_up(run_gate, policy)  # GX's ~5 s import is a once-per-process cost, not per row
    seconds: Counter = Counter()
    counts: Counter = Counter()
    stage_cpu: Counter = Counter()  # summed over workers

    started = time.perf_counter()
    state, _ = _privacy_state(root)
    seconds["privacy_state"] = time.perf_counter() - started
    t = time.perf_counter()
    jobs = [(str(root), rel, state) for rel in _landing(root)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_decide_one, jobs))
    else:
        results = [_decide_one(job) for job in jobs]
    seconds["per_file"] = time.perf_counter() - t
    rows = sum(r[3] for r in results)
    for _, c, s, _ in results:
        counts.update(c)
        stage_cpu.update(s)

    t = time.perf_counter()
    batch = pa.concat_tables([r[0] for r in results])
    dup = duplicate_mask(batch.column("content_hash"), np.arange(batch.num_rows))
    counts["duplicate"] += int(dup.sum())
    counts["published"] -= int(dup.sum())
    batch = batch.filter(pa.array(~dup))
    seconds["dedup_batch"] = time.perf_counter() - t

    t = time.perf_counter()
    gate = run_gate(batch.select(_GATE_COLUMNS), policy)
    seconds["gate"] = time.perf_counter() - t

    t = time.perf_counter()
    shards = write_shards(out, "published/bench", "v000001", shard_rows(batch), policy.shard_target_rows)
    seconds["write"] = time.perf_counter() - t
    shutil.rmtree(out.root_url, ignore_errors=True)  # the shards were written to be timed, not kept
    total = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": total,
        "stages": dict(seconds),
        "per_file_stages": dict(stage_cpu),
        "published": batch.num_rows,
        "shards": len(shards),
        "gate_success": gate.success,
        "counts": dict(counts),
        # total memory, conservatively: the main process's peak plus each worker at the largest
        # worker's peak (they run side by side)
        "peak_rss_mib": _peak_rss_mib() + (workers if workers > 1 else 0) * _children_peak_rss_mib(),
        "main_rss_mib": _peak_rss_mib(),
        "worker_rss_mib": _children_peak_rss_mib(),
    }


def _children_peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


_GATE_COLUMNS = ["utterance_id", "speaker_key", "locale", "captured_date", "user_text", "assistant_text",
                 "content_hash", "asr_confidence"]  # fmt: skip


def _warm_up(run_gate, policy) -> None:
    import pyarrow as pa

    from utterance_governance.decide import PUBLISHABLE

    run_gate(PUBLISHABLE.empty_table().select(_GATE_COLUMNS), policy)
    del pa


def _child(kind: str, root: Path, workers: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--root", str(root), "--workers", str(workers)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "plugins")},
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--utterances", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, default=HERE / "out" / "lake")
    ap.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes for the per-file stage, as Airflow workers would run mapped tasks",
    )
    ap.add_argument("--child", choices=["floor", "pipeline"])
    args = ap.parse_args()
    if args.child:
        result = run_floor(args.root) if args.child == "floor" else run_pipeline(args.root, args.workers)
        print(json.dumps(result))
        return 0

    info = ensure_lake(args.root, args.utterances)
    print(f"lake: {args.utterances:,} utterances in {len(_landing(args.root))} Parquet files "
          f"(generated in {info.get('generate_s', '?')} s, cached)")  # fmt: skip
    floors, pipelines = [], []
    for i in range(args.runs):  # interleaved, so both see the same machine load
        floors.append(_child("floor", args.root, args.workers))
        pipelines.append(_child("pipeline", args.root, args.workers))
        p, f = pipelines[-1], floors[-1]
        print(f"run {i + 1}: pipeline {p['seconds']:.2f} s, floor {f['seconds']:.2f} s, "
              f"ratio {p['seconds'] / f['seconds']:.2f}, peak_rss {p['peak_rss_mib']:.0f} MiB "
              f"(main {p['main_rss_mib']:.0f} + {args.workers} x worker {p['worker_rss_mib']:.0f})")  # fmt: skip
    rows = pipelines[0]["rows"]
    p_med = statistics.median(p["seconds"] for p in pipelines)
    f_med = statistics.median(f["seconds"] for f in floors)
    ratio_med = statistics.median(p["seconds"] / f["seconds"] for p, f in zip(pipelines, floors, strict=True))
    rss = max(p["peak_rss_mib"] for p in pipelines)
    stages = {
        k: statistics.median(p["stages"].get(k, 0.0) for p in pipelines) for k in pipelines[0]["stages"]
    }
    print(f"stage medians, wall time ({args.workers} worker process(es) for the per-file stage):")
    for name, secs in stages.items():
        print(f"  {name:<14} {secs:7.3f} s  {rows / secs if secs else float('inf'):>14,.0f} rows/s")
    cpu = {
        k: statistics.median(p["per_file_stages"].get(k, 0.0) for p in pipelines)
        for k in pipelines[0]["per_file_stages"]
    }
    print("  per-file stage, summed over workers:")
    for name, secs in cpu.items():
        print(
            f"    {name:<12} {secs:7.3f} s  {rows / secs if secs else float('inf'):>14,.0f} rows/s per worker"
        )
    last = pipelines[-1]
    print(
        f"published {last['published']:,} rows in {last['shards']} shards; gate passed: {last['gate_success']}"
    )
    print("decisions:", json.dumps(dict(sorted(last["counts"].items()))))
    print(f"bench: {rows / p_med:.0f} rows/s overall, floor {rows / f_med:.0f} rows/s, "
          f"ratio {ratio_med:.2f}, peak_rss {rss:.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
