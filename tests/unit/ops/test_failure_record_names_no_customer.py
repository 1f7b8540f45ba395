"""A failed step's record named the customer of a customer-partitioned landing path (review 13, F3).

``jobs.failures.describe_error`` kept the message of this package's exceptions and of OS errors whole, and
those raised on a landing file carry its path as it is: ``readers.FileChangedWhileRead`` (a gzip replaced
between the reader's two passes) and the ``FileNotFoundError`` of a file removed between discovery and
reading. With ``dt=…/customer_id=zed-4417/part-0.jsonl.gz`` the customer id went into the store's run record,
``reports/<run>/failure.json``, its page and the alerts, and outlived the customer's delete-all. The message
is now kept as ``readers.shown_path`` shows paths (``customer_id=[customer]``)."""

from __future__ import annotations

import gzip

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt

from utterance_governance.io import readers

HIVE = "landing/utterances/dt=2026-11-20/customer_id=zed-4417"


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")


def _fail_a_publish(lake: Lake, monkeypatch, how: str) -> BaseException:
    from utterance_governance.jobs import publish

    if how == "replaced_while_read":  # a gzip replaced upstream between the reader's two passes
        lake.storage.write_bytes(
            f"{HIVE}/part-0.jsonl.gz", gzip.compress(line("u-zed-1", "zed-4417", "call me"))
        )
        trusted = readers._GunzipStream._trusted_bytes

        def replaced(self):
            out = trusted(self)
            self.storage.write_bytes(self.rel, gzip.compress(line("u-zed-1", "zed-4417", "call me") * 2))
            return out

        monkeypatch.setattr(readers._GunzipStream, "_trusted_bytes", replaced)
    else:  # the file removed upstream (a retention job) between discovery and reading
        lake.storage.write_bytes(f"{HIVE}/part-0.jsonl", line("u-zed-1", "zed-4417", "call me"))
        discover = publish.discover_files

        def discovered(ctx):
            files = discover(ctx)
            lake.storage.remove(f"{HIVE}/part-0.jsonl")
            return files

        monkeypatch.setattr(publish, "discover_files", discovered)
    with pytest.raises(Exception) as caught:
        lake.publish()
    monkeypatch.undo()
    return caught.value


@pytest.mark.parametrize("how", ["replaced_while_read", "removed_before_read"])
def test_a_failed_steps_record_names_no_customer_and_survives_no_deletion(lake, monkeypatch, how):
    from utterance_governance.jobs import failures

    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/base.jsonl", line("u-bob", "bob", "what time is it")
    )
    exc = _fail_a_publish(lake, monkeypatch, how)
    # what the Airflow callbacks do for the failed task and run (``ug_airflow.alerts``)
    with lake._environment():
        failures.record_step_failure("utterances_publish", "utterances_publish-001", "process_file", exc)
        failures.record_failed_run("utterances_publish", "utterances_publish-001", ["process_file"])
    with lake.store() as store:
        recorded = repr(store.runs())
    assert "zed-4417" not in recorded, "the store's run record names the customer"
    assert [p for p in left_in_lake(lake, "zed-4417") if p.startswith("reports/")] == []

    # and after the customer's delete-all, nothing the pipeline wrote keeps their id
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert [
        p for p in left_in_lake(lake, "zed-4417") if not p.startswith(("landing/deletions/", "governance.db"))
    ] == []
    with lake.store() as store:
        assert "zed-4417" not in repr(store.runs())


@pytest.mark.parametrize(
    "exc",
    [
        FileNotFoundError(
            2, "No such file or directory", "/lake/landing/utterances/customer_id=zed-4417/a.jsonl"
        ),
        readers.FileChangedWhileRead("landing/utterances/Customer-ID=zed-4417/part-0.jsonl.gz"),
        PermissionError("cannot open 'landing/consent/customer_id=zed-4417/c.jsonl'"),
    ],
)
def test_an_error_naming_a_customer_partition_is_kept_as_paths_are_shown(exc):
    """What the store, ``failure.json`` and the alerts' bodies keep of an error on a landing file."""
    from utterance_governance.jobs import failures

    described = failures.describe_error(exc)
    assert "zed-4417" not in described and "=[customer]" in described, described


def test_a_report_an_older_release_wrote_with_the_raw_path_loses_the_deleted_customers_folder(lake):
    """The run-report scrub of a delete-all shows a path's folder naming that customer as ``shown_path`` does,
    in any spelling of the key, in JSON and in HTML; a folder naming another customer stays as it is."""
    import json

    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/base.jsonl", line("u-zed", "zed-4417", "call me")
    )
    lake.publish()
    error = (
        "FileNotFoundError: [Errno 2] No such file or directory: '/lake/landing/utterances/{}/part-0.jsonl'"
    )
    failure = {"failures": [{"step": "process_file", "error": error.format("customer_id=zed-4417")},
                            {"step": "process_file", "error": error.format("Customer-ID=bob")}]}  # fmt: skip
    lake.storage.write_bytes("reports/utterances_publish__old/failure.json", json.dumps(failure).encode())
    lake.storage.write_bytes("reports/utterances_publish__old/index.html",
                             f"<td>{error.format('customerId=zed-4417')}</td>".encode())  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    kept = lake.storage.read_bytes("reports/utterances_publish__old/failure.json").decode()
    page = lake.storage.read_bytes("reports/utterances_publish__old/index.html").decode()
    assert "zed-4417" not in kept + page
    assert "customer_id=[customer]/part-0.jsonl" in kept and "customerId=[customer]/part-0.jsonl" in page
    assert "Customer-ID=bob/part-0.jsonl" in kept
