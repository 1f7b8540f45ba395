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
    assert released & live_ids(root), "a released, consented utterance is published"
    remaining = storage.list_files("quarantine/held", (".parquet",))
    still = {u for f in remaining for u in storage.read_parquet(f.path).column("utterance_id").to_pylist()}
    assert not still & released  # released rows no longer wait in the held set
    assert {u.utterance_id for u in held} - released <= still  # the others still wait
