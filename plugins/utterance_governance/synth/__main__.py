"""Command line: write a synthetic landing zone, or a later privacy drop.

    python -m utterance_governance.synth --root DIR --utterances N --seed S \\
        [--format parquet|jsonl|jsonl.gz|mixed] [--days D] [--files-per-day F] [--summary PATH]
    python -m utterance_governance.synth --root DIR --seed S --privacy-updates SUMMARY.json [--at ISO]

``--root`` is a local path or an ``s3://`` URL (storage options from the environment, as fsspec
reads them). Counts go to stdout as JSON; ``--summary`` writes the full summary (scenario
customers, expected decisions) to a path outside ``landing/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime

from .generator import DEFAULT_START, FILE_FORMATS, generate_landing, generate_privacy_updates, read_summary


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m utterance_governance.synth", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--root", required=True, help="lake root (UG_DATA_ROOT): local path or s3:// URL")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--utterances", type=int, help="number of utterance rows to write (100 .. 10,000,000)")
    p.add_argument("--format", dest="file_format", choices=FILE_FORMATS, default="mixed")
    p.add_argument("--days", type=int, default=3, help="number of dt= partitions")
    p.add_argument("--files-per-day", type=int, default=2)
    p.add_argument(
        "--start", type=date.fromisoformat, default=DEFAULT_START, help="first dt= day (YYYY-MM-DD)"
    )
    p.add_argument("--chunk-size", type=int, default=100_000, help="rows generated and written at a time")
    p.add_argument("--customers", type=int, help="ordinary customers (default: utterances / 30)")
    p.add_argument("--malformed-rate", type=float, default=0.01)
    p.add_argument("--identifier-rate", type=float, default=0.03)
    p.add_argument("--quality-rate", type=float, default=0.03)
    p.add_argument("--parquet-timestamps", choices=("string", "timestamp"), default="string",
                   help="captured_at in Parquet as ISO text (default) or a tz-aware timestamp column")  # fmt: skip
    p.add_argument("--blocking-privacy-records", action="store_true",
                   help="add consent/deletion lines nobody can parse, naming no customer: they block "
                        "all publishing until acknowledged (SPEC §4, fail closed)")  # fmt: skip
    p.add_argument("--no-other-purposes", action="store_true", help="only model_training consent events")
    p.add_argument("--summary", help="write the full summary JSON here (outside landing/)")
    p.add_argument("--privacy-updates", metavar="SUMMARY_JSON",
                   help="instead of a landing zone, write a later consent/deletion drop for this summary")  # fmt: skip
    p.add_argument("--at", type=datetime.fromisoformat, help="time of the privacy drop (ISO, with offset)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    if args.privacy_updates:
        summary = read_summary(args.privacy_updates)
        update = generate_privacy_updates(args.root, summary, args.seed, at=args.at)
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as fh:
                json.dump(update.to_dict(), fh, indent=1)
        print(json.dumps({**update.to_dict(), "seconds": round(time.perf_counter() - started, 2)}, indent=1))
        return 0
    if args.utterances is None:
        print("--utterances is required (or --privacy-updates)", file=sys.stderr)
        return 2
    summary = generate_landing(
        args.root, args.utterances, args.seed, file_format=args.file_format, days=args.days,
        files_per_day=args.files_per_day, start=args.start, chunk_size=args.chunk_size, customers=args.customers,
        malformed_rate=args.malformed_rate, identifier_rate=args.identifier_rate, quality_rate=args.quality_rate,
        parquet_timestamps=args.parquet_timestamps, unreadable_privacy_records=args.blocking_privacy_records,
        other_purposes=not args.no_other_purposes,
    )  # fmt: skip
    if args.summary:
        summary.write_summary(args.summary)
    counts = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows_by_format": summary.rows_by_format,
        "files": len(summary.utterance_files),
        "malformed_by_kind": summary.malformed_by_kind,
        "quality_by_kind": summary.quality_by_kind,
        "identifiers_by_kind": summary.identifiers_by_kind,
        "consent_events": summary.consent_events,
        "deletion_requests": summary.deletion_requests,
        "held_back": summary.held_back,
        "unreadable_privacy_records": summary.unreadable_privacy_records,
        "summary": args.summary,
    }
    print(json.dumps(counts, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
