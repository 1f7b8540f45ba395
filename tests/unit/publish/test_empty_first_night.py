"""A dataset's first night with nothing publishable still gives the lake its outward shape
(SPEC §6): a ``current.json`` naming a live manifest of no shard. A later night with nothing new
makes no version; one with rows builds on the empty version."""

from __future__ import annotations

import json

from tests.pipeline import Lake

from utterance_governance.publish.commit import read_current, read_manifest

DAY = "landing/utterances/dt=2026-11-20"


def _line(uid: str, locale: str) -> str:
    return json.dumps({"utterance_id": uid, "customer_id": f"cust-{uid}", "captured_at": "2026-11-20T10:00:00Z",
                       "locale": locale, "transcript": "what is the weather like tomorrow",
                       "assistant_response": "Sunny with a light breeze.", "asr_confidence": 0.95})  # fmt: skip


def test_an_empty_first_night_publishes_an_empty_live_version(tmp_path, store_url):
    lake = Lake(str(tmp_path / "lake"), store_url)
    storage = lake.storage
    # every row is excluded: a locale redaction cannot read
    storage.write_bytes(f"{DAY}/a.jsonl", "\n".join(_line(f"u-{i}", "ko-KR") for i in range(3)).encode())
    lake.publish()

    current = read_current(storage, "assistant-sft")
    assert current is not None and current["version"] == "v000001"
    manifest = read_manifest(storage, "assistant-sft", "v000001")
    assert manifest["status"] == "live" and manifest["shards"] == [] and manifest["rows"] == 0
    assert manifest["parent_version"] is None and manifest["quality_gate"]["success"] is True
    assert manifest["counts"] == {"quality:locale_not_allowed": 3}
    assert lake.audit()["violations"] == 0

    lake.publish()  # nothing new: no version
    assert read_current(storage, "assistant-sft")["version"] == "v000001"

    storage.write_bytes(f"{DAY}/b.jsonl", _line("u-9", "en-US").encode())
    lake.publish()
    second = read_manifest(storage, "assistant-sft", read_current(storage, "assistant-sft")["version"])
    assert second["version"] == "v000002" and second["parent_version"] == "v000001" and second["rows"] == 1
    assert lake.live_ids() == {"u-9"}


def test_an_empty_live_version_is_re_keyed_and_compaction_passes_it(tmp_path, store_url):
    """A re-key of a dataset holding no row crashed (its publication of nothing made no version), and the
    live manifest kept the old key's fingerprint: every publish with the new key was refused."""
    from utterance_governance.jobs import publish
    from utterance_governance.policy import Policy
    from utterance_governance.privacy.keys import key_fingerprint
    from utterance_governance.purge.rekey import rekey_dataset

    lake = Lake(str(tmp_path / "lake"), store_url, key="k" * 32)
    lake.storage.write_bytes(f"{DAY}/a.jsonl", _line("u-1", "xx-XX").encode())
    lake.publish()
    with lake._environment():
        assert publish.compact(lake.context("utterances_publish"))["new_version"] is False
    with lake.store() as store:
        result = rekey_dataset(lake.storage, store, "assistant-sft", b"k" * 32, b"n" * 32, run_id="rk",
                               policy=Policy())  # fmt: skip
    manifest = read_manifest(
        lake.storage, "assistant-sft", read_current(lake.storage, "assistant-sft")["version"]
    )
    assert result["version"] == manifest["version"] == "v000002" and manifest["rows"] == 0
    assert manifest["key_fingerprint"] == key_fingerprint(b"n" * 32)
    lake.key = "n" * 32
    lake.storage.write_bytes(f"{DAY}/b.jsonl", _line("u-2", "en-US").encode())
    lake.publish()
    assert lake.live_ids() == {"u-2"}
