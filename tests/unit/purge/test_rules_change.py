"""A change of the rules themselves — the policy's opt-in regions or clock skew, or the code's
``RULES_VERSION`` — is applied to the rows already live: the next purge judges every one of them."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.policy import Policy
from utterance_governance.purge.affected import rules_in_force

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, locale: str) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                       "locale": locale, "transcript": f"play some jazz in the kitchen {uid}",
                       "response": "Done.", "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


def opted_in(customer: str) -> bytes:
    return json.dumps({"event_id": f"in-{customer}", "customer_id": customer, "purpose": "model_training", "status": "opted_in", "source": "app",
                       "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z"}).encode() + b"\n"  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    """Three customers published under the built-in policy (the UK is not an opt-in region): two in
    Britain, one of whom opted in, and one in the US."""
    policy = tmp_path / "policy.json"
    policy.write_text("{}")
    lake = Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))
    lake.storage.write_bytes("landing/consent/2026-11-01.jsonl", opted_in("gb-in"))
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        utterance("u-gb", "gb-silent", "en-GB") + utterance("u-gb-in", "gb-in", "en-GB")
        + utterance("u-us", "us", "en-US"),
    )  # fmt: skip
    lake.publish()
    lake.privacy()
    assert lake.live_ids() == {"u-gb", "u-gb-in", "u-us"}
    return lake


def test_a_region_added_to_the_opt_in_regions_withdraws_its_live_rows_without_consent(lake):
    """No record names the silent British customer: before, the purge never looked at their rows and
    the audit failed every day, with nothing to repair it."""
    with open(lake.policy_file, "w") as fh:
        json.dump({"opt_in_regions": [*Policy().opt_in_regions, "GB"]}, fh)
    with pytest.raises(AuditFailed):
        lake.audit()  # the audit judges by the new rules at once
    first = lake.privacy()["published"]
    assert first["judged_every_row"] is True
    assert first["rows_removed"] == {"no_consent": 1}
    assert lake.live_ids() == {"u-gb-in", "u-us"}
    lake.audit()
    # judged once: the next purge looks at the withdrawing customers only
    assert lake.privacy()["published"]["judged_every_row"] is False


def test_the_rules_judged_by_are_recorded_per_dataset_and_change_with_each_field_the_verdict_reads(lake):
    with lake.store() as store:
        assert store.live_rows_judged_by("assistant-sft") == rules_in_force(Policy())
        assert store.live_rows_judged_by("another-dataset") is None
    base = Policy()
    changed = {
        rules_in_force(Policy(opt_in_regions=(*base.opt_in_regions, "GB"))),
        rules_in_force(Policy(capture_clock_skew_s=base.capture_clock_skew_s + 1)),
    }
    assert rules_in_force(base) not in changed and len(changed) == 2
    # the same regions in another order or spelling are the same rules; a quality threshold is not a privacy rule
    assert rules_in_force(Policy(opt_in_regions=tuple(reversed(base.opt_in_regions)))) == rules_in_force(base)
    assert rules_in_force(Policy(min_asr_confidence=0.9)) == rules_in_force(base)


def test_a_new_version_of_the_rules_in_the_code_judges_every_row_once(lake, monkeypatch):
    from utterance_governance.purge import affected

    monkeypatch.setattr(affected, "RULES_VERSION", affected.RULES_VERSION + "-next")
    assert lake.privacy()["published"]["judged_every_row"] is True
    assert lake.privacy()["published"]["judged_every_row"] is False
    assert lake.live_ids() == {"u-gb", "u-gb-in", "u-us"}  # nothing changed for these rows


def test_a_dry_run_judges_but_does_not_record(lake):
    with open(lake.policy_file, "w") as fh:
        json.dump({"opt_in_regions": [*Policy().opt_in_regions, "GB"]}, fh)
    from utterance_governance.jobs import privacy

    with lake._environment():
        ctx = lake.context("privacy_requests", {"dry_run": True})
        result = privacy.purge_published(ctx)
    assert result["judged_every_row"] is True and result["rows_removed"] == {"no_consent": 1}
    assert lake.live_ids() == {"u-gb", "u-gb-in", "u-us"}
    with lake.store() as store:
        assert store.live_rows_judged_by("assistant-sft") == rules_in_force(Policy())
