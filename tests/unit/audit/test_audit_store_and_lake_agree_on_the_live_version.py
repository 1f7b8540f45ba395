"""The daily audit fails when the governance store and the lake disagree about the
live version, and flags a Parquet file under the dataset folder that no version lists even when
nothing is live (SPEC §7, docs/privacy.md "What the guarantee covers": ``unlisted_shard_file``)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from tests.pipeline import Lake

from utterance_governance.jobs.audit import AuditFailed

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
T = "2026-11-20T10:00:00Z"
DS = "published/assistant-sft"


def line(uid: str, customer: str, said: str) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": T, "locale": "en-US",
           "transcript": said, "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def opt_out(customer: str) -> bytes:
    return json.dumps({"event_id": "e-1", "customer_id": customer, "purpose": "model_training",
                       "status": "opted_out", "effective_at": "2026-11-01T00:00:00Z",
                       "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}).encode() + b"\n"  # fmt: skip


def _lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    landing = tmp_path / "lake/landing/utterances/dt=2026-11-20"
    landing.mkdir(parents=True)
    landing.joinpath("a.jsonl").write_bytes(
        b"".join(
            line(f"u-{c}{i}", f"cust-{c}-0001", f"please play song {c} {i}") for c in "ab" for i in range(2)
        )
    )
    lake.publish(now=NOW)
    (tmp_path / "lake/landing/consent").mkdir(parents=True)
    (tmp_path / "lake/landing/consent/c.jsonl").write_bytes(opt_out("cust-a-0001"))
    lake.privacy(now=NOW)  # v000001 revoked, v000002 live (cust-b's rows)
    assert lake.live_ids() == {"u-b0", "u-b1"}
    assert lake.audit(now=NOW)["passed"]
    return lake


def _sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


@pytest.mark.parametrize(
    "store_change",
    [
        "UPDATE dataset_versions SET status = 'revoked' WHERE version = 'v000002'",
        "UPDATE dataset_versions SET status = 'superseded' WHERE version = 'v000002'",
        "DELETE FROM dataset_versions WHERE version = 'v000002'",
    ],
    ids=["store-says-revoked", "store-says-superseded", "store-never-recorded-it"],
)
def test_audit_fails_when_the_lake_serves_a_version_the_store_does_not_record_live(
    tmp_path, store_url, store_change
):
    """The lake's current.json (and its live manifest) name v000002 while the governance store records no
    live version at all (v000002 revoked, superseded, or unknown to it). Every purge finds the live rows
    through the store, so the lake is serving a version nothing purges; the store and the lake disagree.

    Expected: the audit fails (``version_not_live`` or another violation naming the disagreement).
    Before: the audit passed with no finding: ``verify_publication`` compares current.json with the store
    only when the store has a live version (``store_live is not None and store_live != version``,
    audit/publication.py), and never checks that the version current.json names is recorded live
    (``store_versions`` is consulted only for other manifests in ``_housekeeping``)."""
    lake = _lake(tmp_path, store_url)
    _sql(store_url, store_change)
    with pytest.raises(AuditFailed, match="version_not_live"):
        lake.audit(now=NOW)


def test_audit_flags_a_stray_shard_when_nothing_is_live(tmp_path):
    """A publish that crashed after writing its shards and before ``current.json`` (or an operator's copy)
    leaves a Parquet file under ``published/<dataset>/`` while no version is live anywhere. A loader given
    the dataset folder's glob loads it; docs/privacy.md: "no Parquet file under the dataset's folder may be listed by
    no version but a revoked one (``unlisted_shard_file``)".

    Expected: the audit fails with ``unlisted_shard_file``.
    Before: it passed: ``verify_publication`` returns as soon as ``current.json`` is missing (and the store
    records nothing live), before ``_housekeeping`` lists the dataset folder (audit/publication.py)."""
    source = Lake(str(tmp_path / "src"), f"sqlite:///{tmp_path / 'src.db'}")
    landing = tmp_path / "src/landing/utterances/dt=2026-11-20"
    landing.mkdir(parents=True)
    landing.joinpath("a.jsonl").write_bytes(line("u-a0", "cust-a-0001", "please play song a"))
    source.publish(now=NOW)
    shard = next((tmp_path / "src" / DS).glob("v*/shards/*.parquet"))

    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")  # nothing published
    stray = tmp_path / "lake" / DS / "v000001/shards/part-00000.parquet"
    stray.parent.mkdir(parents=True)
    shutil.copy(shard, stray)
    with pytest.raises(AuditFailed, match="unlisted_shard_file"):
        lake.audit(now=NOW)
