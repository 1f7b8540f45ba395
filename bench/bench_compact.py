"""`make bench` (compaction): what purging one customer costs as the dataset ages, with and without
compaction by speaker.

Two lakes are published night after night from the same synthetic traffic (``--customers``
customers, each speaking on most nights; ``--rows`` utterances a night, so a night is a few shards
of the policy's 20k target rows), through the real commit protocol (``publish_version``: shards,
manifest, ledger, switch; no decisions, no GX: this measures where rows sit, not how they are
decided). One lake runs ``publish.compact`` after every night, as ``utterances_publish``'s
``compact_shards`` step does with ``compaction_fanout: 8`` (``--fanout``); the other never compacts,
as the default policy (compaction off) does.

At each checkpoint (``--checkpoints``, in nights) both lakes are copied and the median customer
(by utterances so far) is purged from each copy with a delete-all request
(``purge.published.purge_published``): the shards it rewrites and its seconds. Publishing and
compaction are timed throughout: compaction's share is what keeping purges cheap costs a night.
Local lake, governance store on SQLite; everything under a temporary folder, removed afterwards.

    python bench/bench_compact.py [--nights 64] [--rows 40000] [--customers 10000]

The last line reads exactly:
    bench_compact: <N> nights, purge <s> s compacted, <s> s not, ratio <compacted/not>, compaction <p>% of publishing
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

DATASET = "assistant-sft"
KEY = b"bench-compact-key"
T0 = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)


def night_rows(night: int, rows: int, customers: list[str], rng):
    """Night ``night``'s publishable rows: every customer is active with a probability of their own (so
    some speak every night and some rarely), the night's rows spread over the active ones."""
    import numpy as np
    import pyarrow as pa

    from utterance_governance import schema as S
    from utterance_governance.privacy import speaker_keys
    from utterance_governance.publish.shards import SORT_KEYS, chat_messages

    activity = np.linspace(0.05, 1.0, len(customers))  # customer i is active on that share of nights
    active = np.flatnonzero(rng.random(len(customers)) < activity)
    who = active[rng.integers(0, len(active), rows)]
    ids = [f"utt-{night:04d}-{i:07d}" for i in range(rows)]
    captured = pa.array(
        [T0 + timedelta(days=night, seconds=int(s)) for s in rng.integers(0, 3600 * 3, rows)], S.TS
    )
    user = pa.array([f"remind me to water the plants number {i % 997} at night {night}" for i in range(rows)])
    reply = pa.array(["Okay."] * rows)
    table = pa.table(
        {
            "utterance_id": pa.array(ids),
            "speaker_key": speaker_keys(pa.array([customers[i] for i in who]), KEY),
            "locale": pa.array(["en-US"] * rows),
            "captured_date": captured.cast(pa.date32()),
            "messages": chat_messages(user, reply),
            "content_hash": pa.array([hashlib.sha256(i.encode()).hexdigest() for i in ids]),
            "asr_confidence": pa.array(np.full(rows, 0.9)),
            "captured_at": captured,
            "landed_at": captured,
        }
    )
    return table.sort_by(SORT_KEYS), [customers[i] for i in who]


def publish_night(storage, store, rows, night: int, policy) -> float:
    from utterance_governance.privacy import key_fingerprint
    from utterance_governance.publish.commit import Publication, publish_version

    publication = Publication(f"night-{night}", rows, {"published": rows.num_rows}, {"success": True}, {}, [],
                              policy.shard_target_rows, key_fingerprint(KEY))  # fmt: skip
    started = time.perf_counter()
    publish_version(storage, store, DATASET, publication)
    return time.perf_counter() - started


def purge_copy(work: Path, name: str, customer: str) -> dict:
    """Purge ``customer`` (delete all) from a copy of the lake and store under ``work/name``."""
    import pyarrow as pa

    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.policy import Policy
    from utterance_governance.privacy import PrivacyState
    from utterance_governance.purge.published import purge_published
    from utterance_governance.schema import DELETION

    copy = work / f"{name}-purge"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(work / name, copy)
    store = GovernanceStore(f"sqlite:///{copy / 'governance.db'}")
    storage = Storage(str(copy / "lake"))
    request = {"request_id": f"bench-{customer}", "customer_id": customer, "scope": "all", "from": None,
               "to": None, "utterance_ids": None, "requested_at": datetime.now(UTC)}  # fmt: skip
    store.ingest_deletion_requests(
        pa.Table.from_pylist([request], schema=DELETION), "landing/deletions/b.jsonl"
    )
    started = time.perf_counter()
    result = purge_published(storage, store, DATASET, run_id="bench-purge", policy=Policy(), pseudonym_key=KEY,
                             state=lambda: PrivacyState(store.consent_events(), store.deletion_requests()))  # fmt: skip
    seconds = time.perf_counter() - started
    store.dispose()
    shutil.rmtree(copy, ignore_errors=True)
    return {
        "seconds": seconds,
        "shards": len(result["shards_replaced"]),
        "rows": result.get("rows_rewritten", 0),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nights", type=int, default=64)
    ap.add_argument("--rows", type=int, default=40_000, help="utterances a night")
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--checkpoints", type=str, default="8,16,32,64")
    ap.add_argument("--fanout", type=int, default=8, help="compaction_fanout of the compacted lake")
    args = ap.parse_args()
    import numpy as np

    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.policy import Policy
    from utterance_governance.publish.commit import live_version, read_manifest
    from utterance_governance.publish.compact import batches_by_level, compact

    checkpoints = sorted(
        {int(c) for c in args.checkpoints.split(",") if int(c) <= args.nights} | {args.nights}
    )
    policy = Policy(compaction_fanout=args.fanout)
    customers = [f"cus-{i:06d}" for i in range(args.customers)]
    work = Path(tempfile.mkdtemp(prefix="ug-bench-compact-"))
    lakes = {}
    for name in ("compacted", "not"):
        (work / name).mkdir()
        store = GovernanceStore(f"sqlite:///{work / name / 'governance.db'}")
        store.create_schema()
        lakes[name] = (Storage(str(work / name / "lake")), store)
    spoken: dict[str, int] = {}
    seconds = {"publish_compacted": 0.0, "publish_not": 0.0, "compact": 0.0}
    rng = np.random.default_rng(7)
    print(f"bench_compact: {args.nights} nights of {args.rows:,} utterances, {args.customers:,} customers, "
          f"shard target {policy.shard_target_rows:,} rows, fanout {policy.compaction_fanout}; in {work}")  # fmt: skip
    lines, last = [], {}
    try:
        for night in range(1, args.nights + 1):
            rows, who = night_rows(night, args.rows, customers, rng)
            for c in who:
                spoken[c] = spoken.get(c, 0) + 1
            for name, (storage, store) in lakes.items():
                seconds[f"publish_{name}"] += publish_night(storage, store, rows, night, policy)
            storage, store = lakes["compacted"]
            started = time.perf_counter()
            compact(storage, store, DATASET, run_id=f"night-{night}", policy=policy,
                    now=lambda n=night: T0 + timedelta(days=n))  # fmt: skip
            seconds["compact"] += time.perf_counter() - started
            if night not in checkpoints:
                continue
            ranked = sorted(spoken, key=lambda c: (spoken[c], c))
            median = ranked[len(ranked) // 2]
            for _, store in lakes.values():
                store.dispose()
            figures = {name: purge_copy(work, name, median) for name in lakes}
            storage, store = lakes["compacted"]
            levels = batches_by_level(read_manifest(storage, DATASET, live_version(storage, DATASET)))
            c, n = figures["compacted"], figures["not"]
            line = (f"night {night:3d} ({night * args.rows:,} rows): median customer ({spoken[median]} utterances) "
                    f"purged from {c['shards']} shards in {c['seconds']:.2f} s compacted, {n['shards']} shards in "
                    f"{n['seconds']:.2f} s not (rows rewritten {c['rows']:,} / {n['rows']:,}); batches {levels}")  # fmt: skip
            print(line, flush=True)
            lines.append(line)
            last = figures
        share = 100 * seconds["compact"] / seconds["publish_compacted"]
        print(f"publishing {seconds['publish_compacted']:.1f} s (compacted lake), {seconds['publish_not']:.1f} s "
              f"(the other); compaction {seconds['compact']:.1f} s in all, {share:.0f}% of publishing")  # fmt: skip
        ratio = last["compacted"]["seconds"] / last["not"]["seconds"]
        print(f"bench_compact: {args.nights} nights, purge {last['compacted']['seconds']:.2f} s compacted, "
              f"{last['not']['seconds']:.2f} s not, ratio {ratio:.2f}, compaction {share:.0f}% of publishing")  # fmt: skip
    finally:
        for _, store in lakes.values():
            store.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
