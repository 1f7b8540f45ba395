"""A dry run "decides and reports, changes no state" (README, Configuration; SPEC §7)."""

from __future__ import annotations

import pytest

from utterance_governance.io.store import GovernanceStore
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration


def test_a_dry_run_on_a_new_lake_claims_no_pseudonym_key(run_dag, lake_env, monkeypatch, task_errors):
    """Expected: a dry run of utterances_publish on a new lake leaves the governance store without a key
    fingerprint, so the first real run (with the deployment's real key) publishes.
    Before: RunContext.create -> check_key -> store.claim_key_fingerprint records the dry run's key in
    store_meta (jobs/context.py, no dry_run check); the real run with the real key is then refused at
    prepare with KeyMismatch ("not the key the live dataset was made with") though nothing was ever made."""
    generate_landing(str(lake_env), 300, seed=5, file_format="jsonl", days=1, files_per_day=1)
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "a-key-tried-in-a-dry-run-before-the-real-one")
    assert run_dag("utterances_publish", {"dry_run": True}).state == "success"
    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    claimed = store.key_fingerprint()
    store.dispose()

    monkeypatch.setenv("UG_PSEUDONYM_KEY", "the-deployments-real-pseudonym-key-0123456789")
    run = run_dag("utterances_publish")
    assert claimed is None, "a dry run recorded its pseudonym key's fingerprint in the store"
    assert run.state == "success", {t: repr(e)[:200] for t, e in task_errors.items()}
