"""Raw identifiers and another customer's words where a review found them: an access report showing another
customer's malformed line because a nested object in it names the requester; the re-check under the lock
logging a landing path with its `customer_id=` segment; a privacy file removed, or a landing file turned into a
symlink, between its listing and its reading, named as it is in a traceback and an exception Airflow logs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import DT, T


def utt(uid, customer, text, **extra) -> bytes:
    row = {
        "utterance_id": uid,
        "customer_id": customer,
        "captured_at": T,
        "locale": "en-US",
        "transcript": text,
        "response": "Done.",
        "asr_confidence": 0.9,
        **extra,
    }
    return json.dumps(row).encode() + b"\n"


def _access_json(lake, customer_id: str) -> str:
    return Path(lake.access_report(customer_id)["json"].removeprefix("file://")).read_text()


# --- F1: an access report shows another customer's malformed line when it names the requester in a nested object
def test_access_report_does_not_show_another_customers_line_naming_the_requester_in_a_nested_object(lake):
    """Bob's own line (top-level customer_id bob-0002) is malformed (asr_confidence a string) and carries a
    context object naming his linked household account, alice-0001. docs/privacy.md: an access report shows 'never
    another customer's words ... a malformed line to the customer its own line names under its customer key'."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        utt("a1", "alice-0001", "hello from alice")
        + utt(
            "b1",
            "bob-0002",
            "bobs secret pancake recipe",
            asr_confidence="high",
            context={"customer_id": "alice-0001"},
        ),
    )
    lake.publish()
    alice = _access_json(lake, "alice-0001")
    assert "a1" in alice
    assert "pancake" not in alice, "Bob's transcript is in Alice's access report"
    assert "bob-0002" not in alice, "Bob's customer id is in Alice's access report"


# --- F2: the re-check under the lock logs the raw landing path of a customer-partitioned export --------------
def test_rows_held_at_publish_log_no_customer_id_from_a_hive_partition_path(lake, caplog):
    """README (Metrics and progress): the one id a path is known to hold, `…/customer_id=zed-4417/…`, is shown
    in logs as `customer_id=[customer]` (readers.shown_path); 'never … a customer id (logs outlive deletions)'.
    An unreadable opt-out of zed-4417 is taken in while the night is gated: the re-check under the lock holds
    zed's rows back (held_at_publish) and jobs/publish.py:_with_held_later logs item['path'] as it is."""
    import logging

    lake.storage.write_bytes(
        f"{DT}/customer_id=zed-4417/part-0.jsonl", utt("u-zed-1", None, "remind me about the kitchen lights")
    )
    lake.storage.write_bytes(f"{DT}/base.jsonl", utt("u-bob-1", "bob-11", "what time is it"))

    def an_unreadable_opt_out_arrives():
        lake.storage.write_bytes(
            "landing/consent/c.jsonl",
            json.dumps(
                {
                    "event_id": "e1",
                    "customer_id": "zed-4417",
                    "purpose": "model_training",
                    "status": "opted_out",
                    "effective_at": "not a time",
                    "recorded_at": "2026-11-21T00:00:00Z",
                    "source": "app",
                }
            ).encode()
            + b"\n",
        )
        lake.privacy(check_deadlines=False)

    caplog.set_level(logging.DEBUG)
    lake.publish(between=an_unreadable_opt_out_arrives)
    assert "u-zed-1" not in lake.live_ids()
    leaked = [r.getMessage() for r in caplog.records if "zed-4417" in r.getMessage()]
    assert leaked == [], leaked


# --- F3: a landing file of a customer partition that vanishes (or turns into a symlink) between listing and
# reading: the raw `customer_id=` path is logged in a traceback / carried by the exception Airflow logs ---------
HIVE_CONSENT = "landing/consent/customer_id=zed-4417"


def _opt_out_line() -> bytes:
    return (
        json.dumps(
            {
                "event_id": "e1",
                "purpose": "model_training",
                "status": "opted_out",
                "effective_at": "2026-11-01T00:00:00Z",
                "recorded_at": "2026-11-21T00:00:00Z",
                "source": "app",
            }
        ).encode()
        + b"\n"
    )


def test_a_privacy_file_removed_after_listing_logs_no_customer_id(lake, monkeypatch, caplog):
    """jobs/publish.py ingest_privacy: `log.exception("could not read %s", shown_path(...))` shows the path as
    `customer_id=[customer]` but the traceback it appends repeats the raw path (FileNotFoundError's text), and
    PrivacyIntakeFailed is raised `from` that error (Airflow prints the chained cause in the task log too).
    docs/privacy.md: logs show that path as `customer_id=[customer]`; 'the purge logs them without a traceback'."""
    import logging
    import traceback

    from utterance_governance.jobs import publish

    lake.storage.write_bytes(f"{HIVE_CONSENT}/c.jsonl", _opt_out_line())
    listed = publish._new_privacy_files

    def listed_then_removed(ctx, folder, refused=None):  # (a retention job upstream, between list and read)
        files = listed(ctx, folder, refused)
        for f in files:
            lake.storage.remove(f.path)
        return files

    monkeypatch.setattr(publish, "_new_privacy_files", listed_then_removed)
    caplog.set_level(logging.DEBUG)
    with lake._environment():
        ctx = lake.context("privacy_requests")
        try:
            publish.ingest_privacy(ctx)
            raised = ""
        except Exception as exc:  # what Airflow writes to the task log for the failed task
            raised = "".join(traceback.format_exception(exc))
    assert "zed-4417" not in caplog.text, [line for line in caplog.text.splitlines() if "zed-4417" in line]
    assert "zed-4417" not in raised, [line for line in raised.splitlines() if "zed-4417" in line]


def test_a_landing_file_turned_symlink_after_discovery_raises_no_customer_id(lake):
    """storage.PathRefused (this package's own exception) quotes the raw path: process_file lets it out
    (PermissionError is not 'caused by the bytes'), and Airflow logs its message in the task log. Its sibling
    readers.FileChangedWhileRead is built with shown_path for exactly this reason ('a message naming no
    customer'). Same for a file removed between discovery and process_file (FileNotFoundError)."""
    import os
    import traceback

    from utterance_governance.jobs import file_handles

    folder = f"{DT}/customer_id=zed-4417"
    lake.storage.write_bytes(f"{folder}/part-0.jsonl", utt("u-zed-1", None, "hello there friend"))
    root = Path(lake.storage.root_url.removeprefix("file://"))
    with lake._environment():
        ctx = lake.context("utterances_publish")
        (unit,) = file_handles.discover(ctx, 8)
        target = root / folder / "part-0.jsonl"
        target.unlink()
        (root.parent / "elsewhere.jsonl").write_bytes(utt("x", "y", "z"))
        os.symlink(root.parent / "elsewhere.jsonl", target)
        try:
            file_handles.process(ctx, unit)
            raised = ""
        except Exception as exc:
            raised = "".join(traceback.format_exception(exc))
    assert raised, "expected the step to fail"
    assert "zed-4417" not in raised, [line for line in raised.splitlines() if "zed-4417" in line]
