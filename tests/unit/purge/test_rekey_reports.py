"""Run reports written before a pseudonym-key rotation name speaker keys under the old key (an audit's
findings show 16 digits of one): the rotation writes them under the new key, so a later delete-all's
scrub, which makes keys with the key in use, finds them."""

import os
from pathlib import Path

import pyarrow as pa
import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line, opt_out, receipt

from utterance_governance.privacy import speaker_keys

DT = "landing/utterances/dt=2026-11-20"


def _files_holding(lake, needle):
    root = Path(lake.root)
    return sorted(
        str(Path(d, n).relative_to(root))
        for d, _, names in os.walk(root)
        for n in names
        if Path(d, n).suffix in (".json", ".html") and needle in Path(d, n).read_text(errors="replace")
    )


def test_a_delete_all_after_a_key_rotation_scrubs_the_old_keys_pseudonym_from_reports(lake, monkeypatch):
    from utterance_governance.cli import main
    from utterance_governance.jobs.audit import AuditFailed

    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed", "play some jazz") + line("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    # an opt-out taken in by a publish's intake, not purged yet: the audit names zed's live row
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed"))
    lake.take_in()
    with pytest.raises(AuditFailed):
        lake.audit()
    old = speaker_keys(pa.array(["zed"]), lake.key.encode()).to_pylist()[0][:16]
    assert _files_holding(lake, old)  # the audit's findings name it

    lake.privacy(check_deadlines=False)
    for name, value in {**lake.env, "UG_PSEUDONYM_KEY": "the-new-key", "UG_OLD_KEY": lake.key}.items():
        monkeypatch.setenv(name, value)
    assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0
    lake.key = "the-new-key"

    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert _files_holding(lake, old) == []
