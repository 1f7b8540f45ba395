"""The runbook's command line: ``ug`` (a console script of this project; also
``python -m utterance_governance.cli``).

    ug status                 the dataset: live version, shards, gate, latest runs (failed ones with their
                              failing step), deletion requests pending/overdue, publishing blocked or not
    ug requests [--all]       deletion requests not completed, with their deadlines (--all: completed too)
    ug receipt REQUEST_ID     the receipt of one deletion request (what was removed where, when)
    ug privacy list           unreadable privacy records still open (quarantined consent/deletion records)
    ug privacy ack ID... --by NAME
                              acknowledge unreadable records a person checked: they no longer block
                              publishing nor hold their customer back
    ug rekey --old-key-env VAR
                              rotate the pseudonym key (``purge.rekey``): the new key is ``UG_PSEUDONYM_KEY``, the
                              old one is read from the environment variable VAR (never from the command line,
                              where it would be seen in process lists and shell history)
    ug access request --customer-id ID --by NAME
                              register one customer's access request (the id goes into the governance
                              store only) and print its one-time reference: trigger governance_audit
                              with {"access_request": "<reference>"}; --customer-id - reads the id from
                              standard input (kept out of shell history and process lists)
    ug access list [--all]    access requests not yet done (--all: done too), by reference, no customer id
    ug migrate-store [--check]
                              bring the governance store to this code's head revision (Alembic), or create
                              it (the deployment's init step runs it); --check: exit 1 when it is not at head
    ug summary | settings

Exit status: 0 all is well (or the command did what it was asked); 1 something needs a person
(``status``: the latest run of a DAG failed, a deletion request is overdue, or publishing is
blocked; ``requests``: one is overdue; ``receipt``: no such request; ``privacy ack``: an id was
not open; ``rekey``: refused); 2 the command was used wrongly (argparse) or is missing its
configuration. Nothing prints a customer id or any text a customer said: requests are named by
request id, unreadable records by their position in a landing file.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from utterance_governance.settings import load_settings

if TYPE_CHECKING:  # the store, the lake and their libraries load when a command runs: --help is instant
    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore

EXIT_OK, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2


def _open_store() -> GovernanceStore:
    from utterance_governance.io.store import GovernanceStore

    return GovernanceStore.from_settings(load_settings())  # at the schema's head, or refused


def _print_runs(storage: Storage, runs: list[dict]) -> None:
    for run in reversed(runs):
        counts = ", ".join(f"{k}={v}" for k, v in sorted(run["counts"].items()) if v)
        print(f"run {run['dag_id']} {run['run_id']} [{run['status']}]: {counts or 'nothing decided'}")
        details = run.get("details") or {}
        if run["status"] == "failed":
            steps = details.get("failed_steps") or sorted({f["step"] for f in details.get("failures") or []})
            print(f"    failed in: {', '.join(steps) or 'unknown step (see the Airflow run)'}")
            for failure in (details.get("failures") or [])[-3:]:
                print(f"    {failure['step']}: {failure['error'][:300]}")
        report = details.get("report")
        if report:
            print(f"    report: {storage.url(report)}")


def summary(limit: int = 5) -> int:
    from utterance_governance.io.storage import Storage

    settings = load_settings()
    storage = Storage(settings.data_root)
    store = _open_store()
    print(f"lake: {storage.url('')}")
    print(f"governance store: {store!r}")
    _print_runs(storage, store.runs(limit=limit))
    _print_live(storage, settings.dataset)
    store.dispose()
    return EXIT_OK


def _print_live(storage: Storage, dataset: str) -> dict | None:
    from utterance_governance.publish.commit import read_current, read_manifest

    current = read_current(storage, dataset)
    if not current:
        print(f"dataset {dataset}: nothing published yet")
        return None
    manifest = read_manifest(storage, dataset, current["version"])
    print(
        f"dataset {dataset}: live version {manifest['version']} "
        f"(parent {manifest['parent_version']}), {manifest['rows']:,} rows in {len(manifest['shards'])} shards"
    )
    for shard in manifest["shards"]:
        print(f"    {shard['path']}  rows={shard['rows']:,}  sha256={shard['sha256'][:16]}…")
    manifest_path = f"published/{dataset}/{manifest['version']}/manifest.json"
    print(f"    manifest: {storage.url(manifest_path)}")
    gate = manifest.get("quality_gate") or {}
    print(
        f"    quality gate: {'passed' if gate.get('success') else 'FAILED'}; "
        f"data docs: {gate.get('docs_index') or '— (none for this version: a purge makes no batch to check)'}"
    )
    return manifest


def _deadlines(store: GovernanceStore):
    from datetime import UTC, datetime

    from utterance_governance.policy import load_policy
    from utterance_governance.reports.deadlines import load_deadlines

    return load_deadlines(store, load_policy(load_settings().policy_file), datetime.now(UTC))


PIPELINE_DAGS = ("governance_audit", "privacy_requests", "utterances_publish")


def _latest_run(store, dag_id: str) -> dict | None:
    """The latest run of ``dag_id`` that stands for it (looked up per DAG: the hourly privacy runs never push a
    failed nightly publish out of sight); an access report (a ``governance_audit`` run with
    ``access_request``) is no audit, and says nothing of the latest audit's findings."""
    for run in store.runs(dag_id, limit=50):
        if (run.get("details") or {}).get("mode") != "access":
            return run
    return None


def status(limit: int = 10) -> int:
    """The dataset and what needs a person; exit 1 when something does."""
    from utterance_governance.io.storage import Storage
    from utterance_governance.reports.deadlines import AT_RISK, COMPLETED, OVERDUE

    settings = load_settings()
    storage = Storage(settings.data_root)
    store = _open_store()
    try:
        print(f"lake: {storage.url('')}")
        _print_live(storage, settings.dataset)
        runs = store.runs(limit=limit)
        print(f"latest runs ({len(runs)}):")
        _print_runs(storage, runs)
        failed = [dag for dag in PIPELINE_DAGS if (_latest_run(store, dag) or {}).get("status") == "failed"]
        deadlines = _deadlines(store)
        pending = [d for d in deadlines if d.state != COMPLETED]
        overdue = [d for d in deadlines if d.state == OVERDUE]
        at_risk = [d for d in deadlines if d.state == AT_RISK]
        print(f"deletion requests: {len(pending)} pending, {len(at_risk)} at risk, {len(overdue)} overdue")
        blocked = store.privacy_blocked_reasons()
        quarantined = store.privacy_quarantine(open_only=True)
        print(f"unreadable privacy records open: {len(quarantined)}"
              + (f"; PUBLISHING BLOCKED by {len(blocked)} naming no customer (`ug privacy list`)" if blocked else ""))  # fmt: skip
        problems = [f"latest run of {dag} failed" for dag in failed]
        problems += [f"{len(overdue)} deletion request(s) overdue (`ug requests`)"] if overdue else []
        problems += ["publishing is blocked"] if blocked else []
        print("needs attention: " + "; ".join(problems) if problems else "all is well")
        return EXIT_ATTENTION if problems else EXIT_OK
    finally:
        store.dispose()


def requests(show_all: bool = False) -> int:
    """Deletion requests with their deadlines, most urgent first; exit 1 when one is overdue."""
    from utterance_governance.reports.deadlines import COMPLETED, OVERDUE

    store = _open_store()
    try:
        deadlines = _deadlines(store)
    finally:
        store.dispose()
    shown = [d for d in deadlines if show_all or d.state != COMPLETED]
    print(f"{'state':<10} {'request':<28} {'scope':<12} {'deadline':<26} {'days left':>9}  receipt")
    for d in shown:
        late = " (completed late)" if d.completed_late else ""
        print(f"{d.state:<10} {d.request_id:<28} {d.scope[:12]:<12} {d.deadline_at:<26} {d.days_left:>9.1f}  "
              f"{d.receipt_status or 'none yet'}{late}")  # fmt: skip
    if not shown:
        print("no deletion request pending" if not show_all else "no deletion request")
    return EXIT_ATTENTION if any(d.state == OVERDUE for d in deadlines) else EXIT_OK


def receipt(request_id: str) -> int:
    """The receipt of one deletion request, as filed (no customer id, no utterance id, no text)."""
    import pyarrow.compute as pc

    from utterance_governance.purge.receipts import receipt_document

    settings = load_settings()
    store = _open_store()
    try:
        found = store.receipt(request_id)
        requests_ = store.deletion_requests()
        rows = requests_.filter(pc.equal(requests_.column("request_id"), request_id)).to_pylist()
    finally:
        store.dispose()
    if found is None:
        known = (
            "it is known but has no receipt yet (the next privacy_requests run opens one)"
            if rows
            else "unknown"
        )
        print(f"no receipt for deletion request {request_id!r}: {known}", file=sys.stderr)
        return EXIT_ATTENTION
    document = receipt_document(found, rows[0] if rows else None, None, settings.dataset)
    document.pop("speaker_key", None)
    print(json.dumps(document, indent=2, sort_keys=True, default=str))
    return EXIT_OK


def privacy_list(show_all: bool = False) -> int:
    """Unreadable privacy records (open ones, or all): where they are and why, never their content; a path
    as every report shows it (``readers.shown_path``: ``customer_id=[customer]``), the store keeps it whole."""
    from utterance_governance.io.readers import shown_path

    store = _open_store()
    try:
        rows = store.privacy_quarantine(open_only=not show_all)
    finally:
        store.dispose()
    for row in rows:
        who = "customer held back" if row.get("customer_id") else "names no customer: BLOCKS PUBLISHING"
        ack = (
            f"; acknowledged by {row['acknowledged_by']} at {row['acknowledged_at']}"
            if row.get("acknowledged_at")
            else ""
        )
        print(f"#{row['id']} {row['kind']} {shown_path(str(row['source_file']))} line {row['line']}: "
              f"{row['reason']} ({shown_path(str(row['detail']))}); {who}{ack}")  # fmt: skip
    if not rows:
        print("no unreadable privacy record open")
    return EXIT_OK


def privacy_ack(ids: list[int], by: str) -> int:
    """Acknowledge unreadable privacy records by id (a person checked them); exit 1 if one was not open."""
    store = _open_store()
    try:
        open_ids = {row["id"] for row in store.privacy_quarantine(open_only=True)}
        missing = sorted(set(ids) - open_ids)
        changed = (
            store.acknowledge_privacy_quarantine(sorted(set(ids) & open_ids), by)
            if set(ids) & open_ids
            else 0
        )
        blocked = store.privacy_blocked_reasons()
    finally:
        store.dispose()
    print(f"acknowledged {changed} unreadable privacy record(s) as {by}")
    if missing:
        print(
            f"not open (unknown or already acknowledged): {', '.join(f'#{i}' for i in missing)}",
            file=sys.stderr,
        )
    print(
        "publishing is still blocked by: " + "; ".join(blocked[:5])
        if blocked
        else "publishing is not blocked"
    )
    print("the next utterances_publish / privacy_requests run takes the change into account")
    return EXIT_ATTENTION if missing else EXIT_OK


def access_request(customer_id: str, requested_by: str) -> int:
    """Register an access request; print its reference and how to trigger the report."""
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.jobs.audit import validate_customer_id
    from utterance_governance.jobs.context import InvalidParams

    if customer_id == "-":
        customer_id = sys.stdin.readline().rstrip("\r\n")
    try:
        canonical = validate_customer_id(customer_id)
    except InvalidParams as exc:
        print(f"access request refused: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if canonical is None or not requested_by.strip():
        print("access request refused: give --customer-id and --by", file=sys.stderr)
        return EXIT_USAGE
    # the store's owner URL is all this needs: no pseudonym key (the run computes the speaker key)
    store = GovernanceStore.from_settings(load_settings(pseudonym_key=False))
    try:
        reference = store.register_access_request(canonical, requested_by.strip())
    finally:
        store.dispose()
    print(reference)
    print("trigger governance_audit with this conf (nothing else; good for one report):", file=sys.stderr)
    print(json.dumps({"access_request": reference}), file=sys.stderr)
    return EXIT_OK


def access_list(show_all: bool = False) -> int:
    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore.from_settings(load_settings(pseudonym_key=False))
    try:
        rows = store.access_requests(open_only=not show_all)
    finally:
        store.dispose()
    if not rows:
        print("no access requests" + ("" if show_all else " open"))
    for r in rows:
        done = (
            f" done {r['completed_at']:%Y-%m-%d %H:%M} -> {r['report_url']}" if r["status"] == "done" else ""
        )
        run = f" run {r['run_id']}" if r["run_id"] else ""
        print(f"{r['reference']}  {r['status']}  requested {r['requested_at']:%Y-%m-%d %H:%M} UTC by "
              f"{r['requested_by']}{run}{done}")  # fmt: skip
    return EXIT_OK


def migrate_store(check: bool = False) -> int:
    """Bring the governance store at ``UG_DATABASE_URL`` to this code's head revision (or create it);
    ``check``: change nothing, exit 1 when it is not at head."""
    from utterance_governance.io import migrations
    from utterance_governance.io.store import GovernanceStore, StoreSchemaMismatch
    from utterance_governance.settings import load_database_url

    store = GovernanceStore(load_database_url())  # the store's URL only: migrating needs no pseudonym key
    try:
        if check:
            try:
                store.require_schema()
            except StoreSchemaMismatch as exc:
                print(f"migrate-store --check: {exc}", file=sys.stderr)
                return EXIT_ATTENTION
            print(f"{store!r} is at revision {migrations.head()} (head)")
            return EXIT_OK
        try:
            applied = store.migrate()
        except StoreSchemaMismatch as exc:
            print(f"migrate-store refused: {exc}", file=sys.stderr)
            return EXIT_ATTENTION
    finally:
        store.dispose()
    done = f"applied {', '.join(applied)}" if applied else "nothing to apply"
    print(f"{store!r}: at revision {migrations.head()} (head); {done}")
    return EXIT_OK


def rekey(old_key_env: str) -> int:
    """Re-key the live dataset and every keyed copy from the key in ``$old_key_env`` to ``UG_PSEUDONYM_KEY``."""
    import os

    from utterance_governance.privacy import KeyMismatch
    from utterance_governance.purge.rekey import rekey as rekey_deployment

    old = os.environ.get(old_key_env)
    if not old:
        print(f"rekey: the environment variable {old_key_env} (the old key) is not set", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = rekey_deployment(old.encode("utf-8"), load_settings())
    except KeyMismatch as exc:
        print(f"rekey refused: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ug",
        description="Utterance Governance: the runbook's commands. Exit status: 0 all well, "
        "1 something needs a person, 2 wrong use or missing configuration.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    status_cmd = sub.add_parser(
        "status",
        help="the dataset, latest runs, deletion requests pending/overdue; exit 1 when something needs a person",
    )
    status_cmd.add_argument("--runs", type=int, default=10, help="how many recent runs to show (default 10)")
    requests_cmd = sub.add_parser(
        "requests", help="deletion requests not completed, with deadlines; exit 1 when one is overdue"
    )
    requests_cmd.add_argument("--all", action="store_true", help="completed requests too")
    receipt_cmd = sub.add_parser("receipt", aliases=["receipts"], help="the receipt of one deletion request")
    receipt_cmd.add_argument("request_id", help="the deletion request's id")
    privacy = sub.add_parser("privacy", help="unreadable privacy records: list them, acknowledge them")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    plist = privacy_sub.add_parser(
        "list", help="unreadable privacy records still open (--all: acknowledged too)"
    )
    plist.add_argument("--all", action="store_true", help="acknowledged records too")
    ack = privacy_sub.add_parser(
        "ack",
        help="acknowledge unreadable privacy records a person checked (they no longer block publishing "
        "nor hold their customer back)",
    )
    ack.add_argument(
        "ids", nargs="+", type=int, help="record ids, as `ug privacy list` shows them (#12 → 12)"
    )
    ack.add_argument("--by", required=True, help="who acknowledges (recorded in the governance store)")
    access = sub.add_parser("access", help="access requests: register one (a one-time reference), list them")
    access_sub = access.add_subparsers(dest="access_command", required=True, metavar="ACTION")
    areq = access_sub.add_parser(
        "request",
        help="register one customer's access request; prints the one-time reference to trigger "
        "governance_audit with",
    )
    areq.add_argument(
        "--customer-id", required=True, help="the customer's account id; - reads it from standard input"
    )
    areq.add_argument("--by", required=True, help="who requests it (recorded in the governance store)")
    alist = access_sub.add_parser("list", help="access requests not yet done (--all: done too)")
    alist.add_argument("--all", action="store_true", help="done requests too")
    sub.add_parser("summary", help="runs, live version, shards, report locations")
    migrate_cmd = sub.add_parser(
        "migrate-store",
        help="bring the governance store (UG_DATABASE_URL) to this code's head revision (Alembic), or create it; "
        "tasks refuse a store that is not at head",
    )
    migrate_cmd.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when the store is not at head"
    )
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
    sub.add_parser("settings", help="the effective settings (secrets masked)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. An operator's error (wrong use, configuration refused) exits 2 and a store that
    needs attention (behind this code's schema, unreachable) exits 1: each with its message on one
    line, never a traceback that buries it."""
    args = build_parser().parse_args(argv)  # (--help exits here, before the store's libraries load)

    from sqlalchemy.exc import OperationalError

    from utterance_governance.io.store import StoreSchemaMismatch
    from utterance_governance.settings import ConfigurationError

    if args.command == "privacy" and getattr(args, "by", None) is not None and not args.by.strip():
        print("privacy ack: --by must name the person who checked the records", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args)
    except ConfigurationError as exc:
        print(f"{args.command}: configuration refused: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreSchemaMismatch as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return EXIT_ATTENTION
    except OperationalError as exc:  # (its text may hold the URL: the store's display form instead)
        from utterance_governance.io.store.base import display_url
        from utterance_governance.settings import load_database_url

        print(f"{args.command}: the governance store at {display_url(load_database_url())} is unreachable "
              f"({type(exc.orig).__name__})", file=sys.stderr)  # fmt: skip
        return EXIT_ATTENTION


def _run(args: argparse.Namespace) -> int:
    if args.command == "status":
        return status(args.runs)
    if args.command == "requests":
        return requests(args.all)
    if args.command in ("receipt", "receipts"):
        return receipt(args.request_id)
    if args.command == "privacy":
        return privacy_list(args.all) if args.privacy_command == "list" else privacy_ack(args.ids, args.by)
    if args.command == "access":
        if args.access_command == "request":
            return access_request(args.customer_id, args.by)
        return access_list(args.all)
    if args.command == "summary":
        return summary()
    if args.command == "migrate-store":
        return migrate_store(args.check)
    if args.command == "rekey":
        return rekey(args.old_key_env)
    from utterance_governance.io.store.base import display_url

    settings = load_settings()
    print(json.dumps({"data_root": settings.data_root, "dataset": settings.dataset, "env": settings.env,
                      "database": display_url(settings.database_url)}, indent=2))  # fmt: skip
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
