"""The policy changes while a nightly publish runs (reviewer finding 6).

A publish decides its batch, and re-checks it under the dataset lock, by the policy its run started
with (``RunContext.policy_file``). A privacy run started after the change judges every live row by
the new rules and records them as the rules the live rows were judged by. Switched under that
record, the publish's rows decided by the old rules would never be judged again: the publish
forgets the record when its rules differ from it, and the next privacy run judges every live row.
"""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

from utterance_governance.policy import Policy
from utterance_governance.purge.affected import rules_in_force

DT = "landing/utterances/dt=2026-11-20"
NEXT_DT = "landing/utterances/dt=2026-11-21"
DATASET = "assistant-sft"


def utterance(uid: str, customer: str, locale: str = "en-US") -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                       "locale": locale, "transcript": f"set a timer for ten minutes {uid}",
                       "response": "Done.", "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


OLD = Policy()  # the built-in policy: the UK is not an opt-in region
NEW = Policy(opt_in_regions=(*OLD.opt_in_regions, "GB"))


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    """A deployment under the old policy (policy-a.json); policy-b.json adds "GB" to the opt-in regions."""
    (tmp_path / "policy-a.json").write_text("{}")
    (tmp_path / "policy-b.json").write_text(json.dumps({"opt_in_regions": list(NEW.opt_in_regions)}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(tmp_path / "policy-a.json"))


def switch_policy(lake: Lake, name: str) -> None:
    """The operator points ``ug_policy_file`` / ``UG_POLICY_FILE`` at another file: runs started from
    now read it; a run under way keeps the path it started with."""
    lake.policy_file = str(lake.policy_file).rsplit("/", 1)[0] + f"/{name}"


def judged_by(lake: Lake) -> str | None:
    with lake.store() as store:
        return store.live_rows_judged_by(DATASET)


def test_rows_a_publish_decided_by_the_old_rules_are_judged_after_a_privacy_run_recorded_the_new_ones(lake):
    """The reproduction: before, the privacy run in between recorded "judged by the new rules", the
    publish switched its en-GB row without consent in, and every later privacy run saw the rules
    unchanged: the row stayed live for good and the audit failed every day."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-us", "bob"))
    lake.publish()  # a first night: something live
    lake.storage.write_bytes(f"{NEXT_DT}/b.jsonl", utterance("u-gb", "gina", "en-GB"))

    def policy_changes_and_a_privacy_run():
        switch_policy(lake, "policy-b.json")
        lake.privacy()  # judges every live row by the new rules and records them
        assert judged_by(lake) == rules_in_force(NEW)

    lake.publish(between=policy_changes_and_a_privacy_run)  # started under the old policy
    assert lake.live_ids() == {"u-us", "u-gb"}
    # the publish's rows were not judged by the recorded rules (its own purge judged by its run's old ones)
    assert judged_by(lake) != rules_in_force(NEW)
    purged = lake.privacy()["published"]
    assert purged["judged_every_row"] is True
    assert purged["rows_removed"] == {"no_consent": 1}
    assert lake.live_ids() == {"u-us"}
    assert judged_by(lake) == rules_in_force(NEW)
    lake.audit()  # by the new rules: nothing left to fail on
    assert lake.privacy()["published"]["judged_every_row"] is False  # judged once


def test_a_first_publish_onto_an_empty_dataset_a_privacy_run_judged_by_the_new_rules_meanwhile(lake):
    """Nothing live yet: the privacy run records the new rules for the empty dataset, then the first
    publish puts rows decided by the old ones live."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-us", "bob") + utterance("u-gb", "gina", "en-GB"))

    def policy_changes_and_a_privacy_run():
        switch_policy(lake, "policy-b.json")
        lake.privacy()
        assert judged_by(lake) == rules_in_force(NEW)

    lake.publish(between=policy_changes_and_a_privacy_run)
    assert lake.live_ids() == {"u-us", "u-gb"}
    assert judged_by(lake) != rules_in_force(NEW)
    assert lake.privacy()["published"]["judged_every_row"] is True
    assert lake.live_ids() == {"u-us"}
    lake.audit()


def test_control_a_policy_change_during_a_publish_without_a_privacy_run_in_between(lake):
    """No privacy run while the publish runs: the record still names the old rules, and the next
    privacy run (new rules) judges every row and withdraws the British one."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-us", "bob"))
    lake.publish()
    lake.privacy()
    assert judged_by(lake) == rules_in_force(OLD)
    lake.storage.write_bytes(f"{NEXT_DT}/b.jsonl", utterance("u-gb", "gina", "en-GB"))
    lake.publish(between=lambda: switch_policy(lake, "policy-b.json"))
    assert lake.live_ids() == {"u-us", "u-gb"}
    purged = lake.privacy()["published"]
    assert purged["judged_every_row"] is True
    assert purged["rows_removed"] == {"no_consent": 1}
    assert lake.live_ids() == {"u-us"}
    lake.audit()


def test_a_publish_by_newer_rules_than_the_record_never_claims_the_older_rows_judged_by_them(lake):
    """The other order: the policy changed before the publish started, no privacy run since. The
    publish decided its own rows by the new rules, and its purge judged the rows live before by them
    too (the British row published under the old rules is withdrawn before the version goes live):
    the record becomes the new rules only once every live row was judged by them."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-us", "bob") + utterance("u-gb", "gina", "en-GB"))
    lake.publish()
    lake.privacy()
    assert lake.live_ids() == {"u-us", "u-gb"}
    assert judged_by(lake) == rules_in_force(OLD)
    switch_policy(lake, "policy-b.json")
    lake.storage.write_bytes(
        f"{NEXT_DT}/b.jsonl", utterance("u-us-2", "bob") + utterance("u-gb-2", "gina", "en-GB")
    )
    published = lake.publish()  # started under the new policy: its own British row is not published
    assert published["counts"]["no_consent"] == 1
    assert lake.live_ids() == {"u-us", "u-us-2"}  # nor the one published under the old rules
    assert judged_by(lake) == rules_in_force(NEW)
    purged = lake.privacy()["published"]
    assert (purged["judged_every_row"], purged["rows_removed"]) == (False, {})
    lake.audit()


def test_a_publish_by_the_recorded_rules_keeps_the_record(lake):
    """The usual night (the rules unchanged): the publish leaves the record as it is, and the next
    privacy run looks only at the customers a record names."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-us", "bob"))
    lake.publish()
    lake.privacy()
    lake.storage.write_bytes(f"{NEXT_DT}/b.jsonl", utterance("u-us-2", "bob"))
    lake.publish()
    assert judged_by(lake) == rules_in_force(OLD)
    assert lake.privacy()["published"]["judged_every_row"] is False
    assert lake.live_ids() == {"u-us", "u-us-2"}
