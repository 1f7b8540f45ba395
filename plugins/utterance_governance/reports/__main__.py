"""``python -m utterance_governance.reports``: refresh ``reports/index.html`` and print where the
latest report of each DAG is (for ``make demo`` and for people at a terminal).

Prints paths and statuses only: no identifiers. Access reports are never listed.
"""

from __future__ import annotations

import argparse
import posixpath
import sys

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.reports.site import write_index
from utterance_governance.settings import load_settings

DAGS = ("utterances_publish", "privacy_requests", "governance_audit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utterance_governance.reports", description=__doc__)
    parser.parse_args(argv)
    settings = load_settings()
    storage = Storage(settings.data_root)
    store = GovernanceStore.from_settings(settings)
    index = write_index(storage, store, settings.dataset)
    print(f"reports index: {storage.url(index)}")
    for dag_id in DAGS:
        runs = [r for r in store.runs(dag_id, limit=20) if (r.get("details") or {}).get("mode") != "access"]
        if not runs:
            continue
        latest = runs[0]
        report = (latest.get("details") or {}).get("report")
        page = posixpath.join(posixpath.dirname(report), "index.html") if isinstance(report, str) else None
        where = (
            storage.url(page) if page and storage.exists(page) else (storage.url(report) if report else "-")
        )
        print(f"{dag_id}: {latest['status']} ({latest['run_id']}) {where}")
        if dag_id == "governance_audit" and isinstance(report, str) and storage.exists(report):
            print(f"    findings: {storage.url(report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
