"""A deletion reaches every copy (SPEC §4.1), not only the rows: published files the live version
no longer lists, access reports, temporary files left by an interrupted write, run reports — and a
receipt says ``completed`` only when each place was searched."""

from __future__ import annotations

import json
import os
import time

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.jobs.privacy import PURGE_STAGES
from utterance_governance.privacy import speaker_key
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.purge.receipts import PLACES, receipt_path

DATASET = "assistant-sft"
DT = "landing/utterances/dt=2026-11-20"
SECRET = "the access code to my garage is hidden under the blue flowerpot"


def utterance(uid: str, customer: str, text: str) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z", "locale": "en-US",
           "transcript": text, "response": "Noted.", "asr_confidence": 0.9}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def everything(lake: Lake) -> bytes:
    """Every file under the lake, decoded where it is Parquet (row values as JSON)."""
    storage, out = lake.storage, []
    for info in storage.list_files("", ()):
        data = storage.read_bytes(info.path)
        if info.path.endswith(".parquet"):
            data = json.dumps(
                storage.read_parquet(info.path).to_pylist(), default=str, ensure_ascii=False
            ).encode()
        out.append(data)
    return b"\n".join(out)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-gone", "Zoë", SECRET)
                             + utterance("u-kept", "keeper", "set a timer for the pasta please"))  # fmt: skip
    lake.publish()
    return lake


def test_a_deletion_reaches_every_place_and_its_receipt_lists_them(lake):
    storage = lake.storage
    # an access report of the customer, a stray copy of a live shard, an old temporary file, a run report naming them
    # an access report left in the lake by code before access reports had a root of their own
    report = lake.access_report("Zoë")
    for name in ("access.json", "access.html"):
        storage.write_bytes(
            f"{report['folder']}/{name}", lake.access_storage.read_bytes(f"{report['folder']}/{name}")
        )
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    shard = f"published/{DATASET}/{manifest['shards'][0]['path']}"
    storage.write_bytes(f"published/{DATASET}/v999999/shards/part-00000.parquet", storage.read_bytes(shard))
    storage.write_bytes(f"{shard}.tmp-0123abcd", storage.read_bytes(shard))
    os.utime(storage.full(f"{shard}.tmp-0123abcd"), (time.time() - 7200, time.time() - 7200))
    speaker = speaker_key("Zoë", lake.key.encode())
    storage.write_bytes("reports/some-run/audit.json",
                        json.dumps({"findings": [{"utterance_id": "u-gone", "detail": {"speaker_key_prefix": speaker[:16]}},
                                                 {"utterance_id": "u-kept"}]}).encode())  # fmt: skip
    assert SECRET.encode() in everything(lake) and b"u-gone" in everything(lake)

    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "d1", "customer_id": "Zoe\u0308", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}).encode())  # fmt: skip
    result = lake.privacy()
    traces = result["copies"]["traces"]
    # the report in the access reports' own root and its copy left in the lake
    assert traces["removed"]["published_files"] == 1 and traces["removed"]["access_reports"] == 2
    assert lake.access_storage.list_files("reports/access", ()) == []
    assert traces["removed"]["temporary"] == 1 and traces["removed"]["run_reports"] == 1

    text = everything(lake)
    assert (
        SECRET.encode() not in text
        and b"u-gone" not in text
        and speaker[:16].encode() not in text.replace(storage.read_bytes(receipt_path("d1")), b"")
    )  # only the receipt keeps the requester's pseudonym
    assert b"u-kept" in text
    receipt = json.loads(storage.read_bytes(receipt_path("d1")))
    assert receipt["status"] == "completed" and sorted(receipt["searched"]) == sorted(PLACES)
    assert receipt["removed"]["published_rows"] == 1 and receipt["removed"]["access_report_utterances"] == 2
    # the stray copy (the kept customer's rows in it) is listed by no version: the audit names it
    with pytest.raises(AuditFailed, match=r"\(unlisted_shard_file 1\)"):
        lake.audit()


def test_a_place_that_cannot_be_searched_keeps_the_receipt_open(lake, monkeypatch):
    from utterance_governance.purge import traces

    def broken(*_args, **_kwargs):
        raise OSError("the reports volume is not mounted")

    monkeypatch.setattr(traces, "_access_reports", broken)
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "d1", "customer_id": "Zoë", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}).encode())  # fmt: skip
    result = lake.privacy(check_deadlines=False)
    assert "access_reports" not in result["copies"]["searched"]
    receipt = json.loads(lake.storage.read_bytes(receipt_path("d1")))
    assert receipt["status"] == "in_progress"  # the live row is gone, but not every place was searched
    monkeypatch.undo()
    lake.privacy()
    assert json.loads(lake.storage.read_bytes(receipt_path("d1")))["status"] == "completed"


def test_an_access_report_root_that_cannot_be_opened_keeps_the_receipt_open(lake, monkeypatch):
    from utterance_governance.settings import ConfigurationError

    lake.access_report("Zoë")
    reports = lake.access_storage  # opened before the settings break

    def unconfigured(*_args, **_kwargs):
        raise ConfigurationError("UG_ACCESS_REPORT_ROOT is required")

    monkeypatch.setattr("utterance_governance.settings.load_access_report_target", unconfigured)
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "d1", "customer_id": "Zoë", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}).encode())  # fmt: skip
    result = lake.privacy(check_deadlines=False)
    assert "access_reports" not in result["copies"]["searched"]
    assert any("UG_ACCESS_REPORT_ROOT" in p for p in result["copies"]["problems"])
    assert json.loads(lake.storage.read_bytes(receipt_path("d1")))["status"] == "in_progress"
    assert reports.list_files("reports/access", ())  # not reached: still there
    monkeypatch.undo()
    lake.privacy()
    assert json.loads(lake.storage.read_bytes(receipt_path("d1")))["status"] == "completed"
    assert lake.access_storage.list_files("reports/access", ()) == []


def test_a_purge_says_where_it_is_stage_by_stage_and_names_nobody(lake, caplog):
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "d1", "customer_id": "Zoë", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}).encode())  # fmt: skip
    caplog.set_level("INFO", logger="utterance_governance.jobs.privacy")
    lake.privacy()
    lines = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("progress purge_published: ")
    ]
    stages = [line.removeprefix("progress purge_published: ").rsplit(" (", 1)[0] for line in lines]
    assert stages == list(PURGE_STAGES.values())  # every stage, in the order the purge reaches them
    seconds = [float(line.rsplit(" (", 1)[1].removesuffix(" s)")) for line in lines]
    assert seconds == sorted(seconds)
    assert "Zoë" not in caplog.text and "u-gone" not in caplog.text and SECRET not in caplog.text
