"""Small operator commands: ``python -m utterance_governance.cli summary | settings | migrate-store | rekey``.

``summary`` prints what a person checks after a run: the latest runs' counts by reason,
the live version, its shards, and where the reports are. No identifiers, no text.
``rekey`` rotates the pseudonym key (``purge.rekey``): the new key is ``UG_PSEUDONYM_KEY``, the
old one is read from the environment variable ``--old-key-env`` names (never from the command
line, where it would be seen in process lists and shell history).
"""

from __future__ import annotations

import argparse
import json
import sys

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.settings import load_settings


def summary(limit: int = 5) -> int:
    settings = load_settings()
    storage = Storage(settings.data_root)
    store = GovernanceStore(settings.database_url)
    store.create_schema()
    print(f"lake: {storage.url('')}")
    print(f"governance store: {store!r}")
    runs = store.runs(limit=limit)
    for run in reversed(runs):
        counts = ", ".join(f"{k}={v}" for k, v in sorted(run["counts"].items()) if v)
        print(f"run {run['dag_id']} {run['run_id']} [{run['status']}]: {counts or 'nothing decided'}")
        report = (run.get("details") or {}).get("report")
        if report:
            print(f"    report: {storage.url(report)}")
    current = read_current(storage, settings.dataset)
    if not current:
        print(f"dataset {settings.dataset}: nothing published yet")
        return 0
    manifest = read_manifest(storage, settings.dataset, current["version"])
    print(
        f"dataset {settings.dataset}: live version {manifest['version']} "
        f"(parent {manifest['parent_version']}), {manifest['rows']:,} rows in {len(manifest['shards'])} shards"
    )
    for shard in manifest["shards"]:
        print(f"    {shard['path']}  rows={shard['rows']:,}  sha256={shard['sha256'][:16]}…")
    manifest_path = f"published/{settings.dataset}/{manifest['version']}/manifest.json"
    print(f"    manifest: {storage.url(manifest_path)}")
    gate = manifest.get("quality_gate") or {}
    print(
        f"    quality gate: {'passed' if gate.get('success') else 'FAILED'}; data docs: {gate.get('docs_index')}"
    )
    return 0


def migrate_store() -> int:
    """Bring the governance store at ``UG_DATABASE_URL`` to this code's schema version (or create it)."""
    settings = load_settings()
    store = GovernanceStore(settings.database_url)
    try:
        store.create_schema(migrate=True)
    finally:
        store.dispose()
    print(f"governance store {store!r}: schema up to date")
    return 0


def rekey(old_key_env: str) -> int:
    """Re-key the live dataset and every keyed copy from the key in ``$old_key_env`` to ``UG_PSEUDONYM_KEY``."""
    import os

    from utterance_governance.privacy import KeyMismatch
    from utterance_governance.purge.rekey import rekey as rekey_deployment

    old = os.environ.get(old_key_env)
    if not old:
        print(f"rekey: the environment variable {old_key_env} (the old key) is not set", file=sys.stderr)
        return 2
    try:
        result = rekey_deployment(old.encode("utf-8"), load_settings())
    except KeyMismatch as exc:
        print(f"rekey refused: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utterance_governance.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("summary", help="runs, live version, shards, report locations")
    sub.add_parser("migrate-store", help="bring the governance store to this code's schema version")
    rekey_cmd = sub.add_parser(
        "rekey",
        help="rotate the pseudonym key: re-key the live dataset and every keyed copy to UG_PSEUDONYM_KEY",
    )
    rekey_cmd.add_argument(
        "--old-key-env",
        required=True,
        help="name of the environment variable holding the old key (the same as UG_PSEUDONYM_KEY: verify "
        "the key against the lake and record its fingerprint)",
    )
    settings_cmd = sub.add_parser("settings", help="the effective settings (secrets masked)")
    settings_cmd.set_defaults(mask=True)
    args = parser.parse_args(argv)
    if args.command == "summary":
        return summary()
    if args.command == "migrate-store":
        return migrate_store()
    if args.command == "rekey":
        return rekey(args.old_key_env)
    settings = load_settings()
    print(json.dumps({"data_root": settings.data_root, "dataset": settings.dataset, "env": settings.env,
                      "database": settings.database_url.split("@")[-1]}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
