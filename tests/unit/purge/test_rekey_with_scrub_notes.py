"""The scrub journal notes the ids a purge found deleted as digests made with the pseudonym key, until
every report is scrubbed of them. A key rotation while it holds notes would lose them (no report's word
matches them under the new key, and the next run would drop them as done): the rotation is refused until
a privacy run has scrubbed the reports (review 10, F3)."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import (
    DT,
    deletion,
    left_in_lake,
    line,
    receipt,
    the_failure_callback,
)


def _rotate(lake, monkeypatch, capsys) -> tuple[int, str]:
    from utterance_governance.cli import main

    with monkeypatch.context() as m:
        for name, value in {**lake.env, "UG_PSEUDONYM_KEY": "the-new-key", "UG_OLD_KEY": lake.key}.items():
            m.setenv(name, value)
        code = main(["rekey", "--old-key-env", "UG_OLD_KEY"])
    return code, capsys.readouterr().err


def test_a_rotation_waits_for_the_reports_to_be_scrubbed_of_what_a_killed_purge_found(
    lake, monkeypatch, capsys
):
    import utterance_governance.purge.copies as copies

    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-gone-5", "zed", "remind me zebracornflakes") + line("u-kept", "bob", "what is the weather"),
    )
    lake.publish()
    lake.storage.write_bytes(
        "reports/governance_audit-001/audit.json",
        json.dumps({"findings": [{"row": "u-gone-5", "rule": "x"}]}).encode(),
    )
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as m:  # the worker dies after the copies, before the reports
        m.setattr(copies, "purge_traces", killed)
        with pytest.raises(Killed):
            lake.privacy()
    the_failure_callback(lake)  # the run ended failed: its in-flight mark goes
    assert lake.storage.list_files("_purge", (".json",))  # the note of what was found
    code, err = _rotate(lake, monkeypatch, capsys)
    assert code == 1 and "scrub journal" in err
    assert "u-gone-5" not in err
    lake.privacy(check_deadlines=False)  # scrubs the reports of the note, under the key it was made with
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-gone-5") == []
    code, err = _rotate(lake, monkeypatch, capsys)
    assert code == 0, err
