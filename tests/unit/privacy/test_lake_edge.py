"""The lake's edge (SPEC §4.1): landing inputs are regular files inside ``UG_DATA_ROOT``. A symlink,
or a path that resolves outside the root, is refused and reported, never read; two landing files
never share a staging, decision, quarantine or held name."""

from __future__ import annotations

import json
import os

import pytest

from utterance_governance.io.storage import PathRefused, Storage
from utterance_governance.jobs.publish import PublishingBlocked

DATASET = "assistant-sft"
DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, text: str, **changes) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z", "locale": "en-US",
           "transcript": text, "response": "Done.", "asr_confidence": 0.9, **changes}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def test_a_landing_symlink_to_a_file_outside_the_lake_is_refused_and_reported(lake, tmp_path):
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(utterance("u-outside", "c1", "this came from outside the lake entirely"))
    storage = lake.storage
    storage.write_bytes(
        f"{DT}/inside.jsonl", utterance("u-inside", "c2", "a perfectly ordinary request for music")
    )
    os.symlink(outside, storage.full(f"{DT}/link.jsonl"))
    os.symlink(tmp_path, storage.full(f"{DT}/linked-folder"))
    lake.publish()
    assert lake.live_ids() == {"u-inside"}
    reports = [f.path for f in storage.list_files("reports", ("refused_inputs.json",))]
    refused = json.loads(storage.read_bytes(reports[0]))
    assert {(r["path"], r["reason"]) for r in refused} == {(f"{DT}/link.jsonl", "symlink"),
                                                         (f"{DT}/linked-folder", "symlink")}  # fmt: skip
    report = json.loads(storage.read_bytes(reports[0].replace("refused_inputs.json", "report.json")))
    assert report["refused_inputs"] == refused


def test_a_symlinked_privacy_file_blocks_publishing_until_acknowledged(lake, tmp_path):
    storage = lake.storage
    storage.write_bytes(f"{DT}/a.jsonl", utterance("u1", "c1", "what is the weather like in lisbon"))
    outside = tmp_path / "optouts.jsonl"
    outside.write_bytes(b'{"event_id": "e1", "customer_id": "c1", "status": "opted_out"}\n')
    os.makedirs(storage.full("landing/consent"), exist_ok=True)
    os.symlink(outside, storage.full("landing/consent/optouts.jsonl"))
    from utterance_governance.jobs.publish import PublishingBlocked

    with pytest.raises(PublishingBlocked, match="refused_path:symlink"):
        lake.publish()
    assert lake.live_ids() == set()


def test_reads_through_a_symlink_or_out_of_the_root_raise(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    storage.write_bytes("landing/x.jsonl", b"{}\n")
    (tmp_path / "secret").write_bytes(b"not the lake's")
    os.symlink(tmp_path / "secret", storage.full("landing/y.jsonl"))
    for rel in ("landing/y.jsonl", "landing/../../secret", "../secret"):
        with pytest.raises(PathRefused):
            storage.read_bytes(rel)
    assert storage.read_bytes("landing/x.jsonl") == b"{}\n"


def test_files_that_flatten_alike_keep_their_own_names_everywhere(lake):
    storage = lake.storage
    storage.write_bytes(f"{DT}/eu__a.jsonl", utterance("u-flat", "c1", "remind me to call the dentist tomorrow")
                        + utterance("bad-flat", "c1", "x", captured_at="2026-11-20T10:00:00"))  # fmt: skip
    storage.write_bytes(f"{DT}/eu/a.jsonl", utterance("u-nested", "c2", "how tall is the eiffel tower")
                        + utterance("bad-nested", "c2", "y", captured_at="2026-11-20T10:00:00"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-flat", "u-nested"}
    quarantined = [
        storage.read_parquet(f.path) for f in storage.list_files("quarantine/utterances", (".parquet",))
    ]
    assert sorted(q.column("record_id")[0].as_py() for q in quarantined) == ["bad-flat", "bad-nested"]
    decisions = [f.path for f in storage.list_files("decisions", (".parquet",))]
    assert len(decisions) == 2


def test_a_landing_file_outside_a_dt_partition_is_reported_as_refused(lake):
    """Files under landing/utterances/ but in no dt= folder were skipped every night with a log line
    only: no decision, no quarantine row, not in refused_inputs.json. Such a file may be anyone's
    deletion exported under the wrong prefix: it blocks publishing until moved and acknowledged."""
    storage = lake.storage
    storage.write_bytes(f"{DT}/a.jsonl", utterance("u1", "c1", "what is the weather like in lisbon"))
    storage.write_bytes(
        "landing/utterances/2026-11-20/b.jsonl", utterance("u2", "c2", "play some jazz please")
    )
    with pytest.raises(PublishingBlocked, match="refused_path:outside_partition"):
        lake.publish()
    with lake.store() as store:
        store.acknowledge_privacy_quarantine([q["id"] for q in store.privacy_quarantine()], by="on call")
    lake.publish()
    assert lake.live_ids() == {"u1"}
    reports = [f.path for f in storage.list_files("reports", ("refused_inputs.json",))]
    refused = json.loads(storage.read_bytes(reports[0]))
    assert refused == [{"path": "landing/utterances/2026-11-20/b.jsonl", "reason": "outside_partition"}]
