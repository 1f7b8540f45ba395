"""With task logging at DEBUG, fsspec's local file system logs every file it opens: a landing path partitioned
by customer (``dt=…/customer_id=zed-4417/part-0.jsonl``) named the customer in the task log, which outlives
their deletion. The file systems' own log lines are shown as the pipeline's are (``customer_id=[customer]``)."""

from __future__ import annotations

import logging

from tests.unit.purge.test_every_copy_edges import DT, line


def test_debug_logs_of_the_file_system_name_no_customer_of_a_partitioned_path(lake, caplog):
    caplog.set_level(logging.DEBUG)  # every logger: a deployment with logging_level = DEBUG
    lake.storage.write_bytes(
        f"{DT}/customer_id=zed-4417/part-0.jsonl", line("u-z1", "zed-4417", "please water the garden")
    )
    lake.publish()
    opened = [r for r in caplog.records if r.name.startswith("fsspec") and "part-0.jsonl" in r.getMessage()]
    assert opened  # (fsspec does log the file: the check below reads its lines)
    assert all("customer_id=[customer]" in r.getMessage() for r in opened)
    assert not [r.getMessage() for r in caplog.records if "zed-4417" in r.getMessage()]
