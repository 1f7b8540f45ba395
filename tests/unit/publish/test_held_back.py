"""Held-back utterances wait, with their text, until a valid privacy record arrives; then a
later run decides them like any other (SPEC §4: fail closed, but nothing is lost)."""

from __future__ import annotations

import json

from test_crash_safety import live_ids, run_job

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.synth.generator import generate_landing


def test_held_rows_are_decided_once_their_customer_is_released(tmp_path, monkeypatch):
    root, url = tmp_path / "lake", f"sqlite:///{tmp_path / 'g.db'}"
    summary = generate_landing(str(root), 800, seed=31, file_format="jsonl", days=1, files_per_day=1)
    held = [u for u in summary.cast_utterances if u.expected == S.HELD_BACK]
    held_consent = {u.customer_id for u in held if u.scenario.startswith("held_back_consent")}
    assert held_consent, "the generator scripts customers with an unreadable consent record"

    run_job(root, url, "run-1", monkeypatch=monkeypatch)
    storage = Storage(str(root))
    (held_file,) = storage.list_files("quarantine/held", (".parquet",))
    waiting = set(storage.read_parquet(held_file.path).column("utterance_id").to_pylist())
    assert {u.utterance_id for u in held} <= waiting
    # quarantine holds its rows with reasons (SPEC §5): why each waits
    reasons = storage.read_parquet(held_file.path, columns=["reason", "detail"]).to_pylist()
    assert reasons and all(r == {"reason": S.HELD_BACK, "detail": S.HELD_UNREADABLE_RECORD} for r in reasons)
    assert not waiting & live_ids(root)

    # a valid consent event (opted in, effective before their utterances) releases the hold
    events = [
        {"event_id": f"release-{i}", "customer_id": c, "purpose": "model_training", "status": "opted_in",
         "effective_at": "2026-01-01T00:00:00Z", "recorded_at": "2026-11-26T00:00:00Z", "source": "support"}
        for i, c in enumerate(sorted(held_consent))
    ]  # fmt: skip
    storage.write_bytes("landing/consent/release.jsonl", "\n".join(json.dumps(e) for e in events).encode())
    run_job(root, url, "run-2", monkeypatch=monkeypatch)

    released = {u.utterance_id for u in held if u.customer_id in held_consent}
    decided = {}
    for info in storage.list_files("decisions", (".parquet",)):
        if "run-2" in info.path:
            for row in storage.read_parquet(info.path, columns=["utterance_id", "reason"]).to_pylist():
                decided[row["utterance_id"]] = row["reason"]
    assert released <= set(decided) and all(decided[u] != S.HELD_BACK for u in released)
    # released by another event, an unreadable record still counts as the opt-out it may be: from the
    # time it states (a "paused" status: its own capture time, the customer's last), from the earliest
    # capture when it states none readably (a naive effective_at). Read, such an opt-out would keep those
    # captures out whatever opt-in came after it (the gap stays out); an acknowledgement lifts it.
    assert all(decided[u] in (S.OPTED_OUT, S.PUBLISHED) for u in released)
    undated = {u.utterance_id for u in held if u.scenario == "held_back_consent_timestamp"}
    assert undated and all(decided[u] == S.OPTED_OUT for u in undated)
    assert not released & live_ids(root) - {u for u in released if decided[u] == S.PUBLISHED}
    remaining = storage.list_files("quarantine/held", (".parquet",))
    still = {u for f in remaining for u in storage.read_parquet(f.path).column("utterance_id").to_pylist()}
    assert not still & released  # released rows no longer wait in the held set
    assert {u.utterance_id for u in held} - released <= still  # the others still wait


def test_rows_the_recheck_under_the_lock_holds_back_wait_with_the_held_rows(tmp_path, store_url):
    """A customer's unreadable record arrives while a publish decides: the re-check under the lock holds
    their rows back. They wait in ``quarantine/held`` like rows held when first decided (they were
    dropped: a released hold never brought them back), and a released hold publishes them."""
    from tests.pipeline import Lake

    lake = Lake(str(tmp_path / "lake"), store_url)
    day = "landing/utterances/dt=2026-11-20"
    lines = [{"utterance_id": f"u-{c}", "customer_id": c, "captured_at": "2026-11-20T10:00:00Z", "locale": "en-US",
              "transcript": f"play some jazz in the kitchen {c}", "response": "Done.", "asr_confidence": 0.9}
             for c in ("ann", "bob")]  # fmt: skip
    lake.storage.write_bytes(f"{day}/a.jsonl", "\n".join(json.dumps(line) for line in lines).encode())
    event = {"event_id": "e-bob", "customer_id": "bob", "purpose": "model_training", "status": "opted_in",
             "effective_at": "not a time", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip

    def unreadable_record_arrives() -> None:
        lake.storage.write_bytes("landing/consent/late.jsonl", json.dumps(event).encode())
        lake.privacy(check_deadlines=False)

    result = lake.publish(between=unreadable_record_arrives)
    assert result["counts"][S.HELD_BACK] == 1
    assert lake.live_ids() == {"u-ann"}
    (held,) = lake.storage.list_files("quarantine/held", (".parquet",))
    kept = lake.storage.read_parquet(held.path)
    assert kept.column("utterance_id").to_pylist() == ["u-bob"]
    assert kept.column("transcript").to_pylist() == ["play some jazz in the kitchen bob"]
    assert kept.select(["reason", "detail"]).to_pylist() == [
        {"reason": S.HELD_BACK, "detail": S.HELD_AT_PUBLISH}
    ]

    # the same event sent again readable (what the broken line readably stated unchanged) releases the hold
    fixed = {**event, "effective_at": "2026-11-01T00:00:00Z"}
    lake.storage.write_bytes("landing/consent/fixed.jsonl", json.dumps(fixed).encode())
    lake.publish()
    assert lake.live_ids() == {"u-ann", "u-bob"}
    assert not lake.storage.list_files("quarantine/held", (".parquet",))
