"""The access report: everything the lake holds of one customer, and nothing of anyone else."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from tests.unit.lakes import KEY, add_consent, add_deletion, publish_records, record, ts

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import speaker_keys
from utterance_governance.reports.access import access_dir, gather_access, speaker_key_of, write_access_report

DATASET = "assistant-sft"
ALICE, BOB = "cus-alice", "cus-bob"
LANDING = "landing/utterances/dt=2026-11-20/part-000.jsonl"


def landing_line(uid: str, customer: str, captured: str, transcript: str | None) -> str:
    row = {"utterance_id": uid, "customer_id": customer, "device_id": "dev-1", "captured_at": captured,
           "locale": "en-US", "transcript": transcript, "response": "Sure.", "asr_confidence": 0.9}  # fmt: skip
    if transcript is None:
        del row["transcript"]
    return json.dumps(row)


@pytest.fixture
def lake(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}")
    store.create_schema()
    lines = [
        landing_line("u-a1", ALICE, "2026-11-20T08:00:00Z", "what is the weather like today"),
        landing_line("u-a2", ALICE, "2026-11-20T09:00:00Z", "play some jazz please"),
        landing_line("u-b1", BOB, "2026-11-20T10:00:00Z", "bob's secret question"),
        landing_line("u-a9", ALICE, "2026-11-20T11:00:00Z", None),  # malformed: no transcript
    ]
    storage.write_bytes(LANDING, ("\n".join(lines) + "\n").encode())
    storage.write_parquet("quarantine/utterances/utterances__dt=2026-11-20__part-000.jsonl.parquet", pa.Table.from_pylist(
        [{"source_file": LANDING, "line": 4, "record_id": "u-a9", "customer_id": ALICE, "reason": "malformed",
          "detail": "missing_field:transcript", "raw": lines[3]}], schema=S.QUARANTINE))  # fmt: skip
    held = pa.Table.from_pylist(
        [{"utterance_id": "u-a5", "customer_id": ALICE, "device_id": "dev-1", "session_id": None, "turn_index": 0,
          "captured_at": ts("2026-11-22T08:00:00Z"), "locale": "en-US", "transcript": "turn up the heat",
          "response": None, "asr_confidence": 0.9, "source_file": "landing/late.jsonl", "line": 7}],
        schema=S.UTTERANCE.append(pa.field("source_file", pa.string())).append(pa.field("line", pa.int64())),
    )  # fmt: skip
    storage.write_parquet("quarantine/held/utterances__late.jsonl.parquet", held)
    alice_key = speaker_key_of(ALICE, KEY)
    storage.write_parquet("decisions/run-1/x.parquet", pa.Table.from_pylist(
        [{"utterance_id": u, "speaker_key": k, "captured_at": None, "locale": "en-US", "reason": r, "detail": None,
          "source_file": LANDING, "line": n, "content_hash": None}
         for u, k, r, n in [("u-a1", alice_key, "published", 1), ("u-a2", alice_key, "opted_out", 2),
                            ("u-b1", speaker_key_of(BOB, KEY), "published", 3)]], schema=S.DECISION))  # fmt: skip
    storage.write_parquet("staging/run-2/files/y.decisions.parquet", pa.Table.from_pylist(
        [{"utterance_id": "u-a3", "speaker_key": alice_key, "captured_at": ts("2026-11-21T08:00:00Z"),
          "locale": "en-US", "reason": "published", "detail": None, "source_file": "landing/late.jsonl", "line": 1,
          "content_hash": "0" * 32}], schema=S.DECISION))  # fmt: skip
    publish_records(storage, store, [record("u-a1", ALICE, "2026-11-20T08:00:00Z", user="what is the weather like today"),
                                     record("u-b1", BOB, "2026-11-20T10:00:00Z", user="bob's secret question")])  # fmt: skip
    publish_records(storage, store, [record("u-b2", BOB, "2026-11-21T10:00:00Z")], run_id="run-2")
    add_consent(store, "ev-a", ALICE, "opted_in", "2026-11-01T00:00:00Z")
    add_deletion(store, "del-a", ALICE, "2026-11-25T00:00:00Z", scope="utterances", ids=["u-a2"])
    return storage, store


def test_the_speaker_key_is_the_pipelines_pseudonym():
    assert speaker_key_of(ALICE, KEY) == speaker_keys(pa.array([ALICE]), KEY)[0].as_py()


def test_every_place_that_holds_the_customers_utterances_is_listed(lake):
    storage, store = lake
    access = gather_access(storage, store, DATASET, ALICE, KEY)
    by_id = {u["utterance_id"]: u for u in access["utterances"]}
    assert set(by_id) == {"u-a1", "u-a2", "u-a3", "u-a5", "u-a9"}
    assert by_id["u-a1"]["areas"] == ["landing", "decisions", "published"]
    assert by_id["u-a1"]["transcript"] == "what is the weather like today"
    assert by_id["u-a1"]["published_messages"][0]["content"] == "what is the weather like today"
    assert [(v["version"], v["status"]) for v in by_id["u-a1"]["versions"]] == [("v000001", "superseded"),
                                                                                 ("v000002", "live")]  # fmt: skip
    assert by_id["u-a1"]["live"] and not by_id["u-a2"]["live"]
    assert [d["reason"] for d in by_id["u-a2"]["decisions"]] == ["opted_out"]
    assert by_id["u-a3"]["areas"] == ["staging"]
    assert by_id["u-a5"]["areas"] == ["quarantine"] and by_id["u-a5"]["transcript"] == "turn up the heat"
    assert "held back" in by_id["u-a5"]["locations"][0]["note"]
    assert by_id["u-a9"]["areas"] == ["landing", "quarantine"]
    landing = next(loc for loc in by_id["u-a9"]["locations"] if loc["area"] == "landing")
    assert (
        landing["path"] == LANDING and landing["line"] == 4 and "missing_field:transcript" in landing["note"]
    )
    assert access["summary"]["utterances"] == 5 and access["summary"]["live_in_dataset"] == 1
    assert [v["version"] for v in access["versions"]] == ["v000001", "v000002"]
    assert [e["event_id"] for e in access["privacy_records"]["consent_events"]] == ["ev-a"]
    assert access["privacy_records"]["deletion_requests"][0]["request_id"] == "del-a"


def test_nothing_of_anyone_else(lake):
    storage, store = lake
    dumped = json.dumps(gather_access(storage, store, DATASET, ALICE, KEY), default=str)
    assert BOB not in dumped and "u-b1" not in dumped and "bob's secret" not in dumped
    assert speaker_key_of(BOB, KEY) not in dumped


def test_a_customer_the_lake_does_not_know_gets_an_empty_report(lake):
    storage, store = lake
    access = gather_access(storage, store, DATASET, "cus-stranger", KEY)
    assert access["utterances"] == [] and access["summary"]["utterances"] == 0


def test_the_report_is_written_under_a_pseudonym_folder_of_its_own_root(lake, tmp_path):
    storage, store = lake
    out = Storage(str(tmp_path / "access-reports"))
    result = write_access_report(storage, store, DATASET, ALICE, KEY, out=out, run_key="manual__1",
                                 run_id="manual__1", now=datetime(2026, 11, 26, tzinfo=UTC))  # fmt: skip
    folder = access_dir(speaker_key_of(ALICE, KEY), "manual__1")
    assert result["folder"] == folder and folder.startswith("reports/access/") and ALICE not in folder
    assert result["json"] == out.url(f"{folder}/access.json")
    assert not storage.list_files("reports/access") and not storage.exists(f"{folder}/access.json")
    assert all(ALICE not in info.path for info in out.list_files("reports"))
    html = out.read_bytes(f"{folder}/access.html").decode()
    assert "what is the weather like today" in html and "protected" in html and ALICE in html
    assert "bob" not in html.lower() and "<script" not in html
    data = json.loads(out.read_bytes(f"{folder}/access.json"))
    assert data["customer_id"] == ALICE and data["summary"]["utterances"] == 5


def test_the_report_is_never_written_into_the_lake(lake):
    storage, store = lake
    with pytest.raises(ValueError, match="apart from the lake"):
        write_access_report(storage, store, DATASET, ALICE, KEY, out=Storage(storage.root_url), run_key="r",
                            run_id="r", now=datetime(2026, 11, 26, tzinfo=UTC))  # fmt: skip
    assert not storage.list_files("reports/access")
