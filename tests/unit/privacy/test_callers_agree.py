"""Every caller of the privacy decision gives the same answer, row for row (property-based).

Hypothesis generates customers with random consent histories (opt-ins, opt-outs, dates in the
future, other purposes), deletions of every scope, unreadable records (held customers), and ids
spelled every way a record may spell them (surrounding white space, NFD, other case of an
enumeration). The same rows are then judged by

- ``decide.decide_records`` (publishing a landing file: rows with ``customer_id``),
- ``purge.recheck.recheck_rows`` (the re-check under the lock: shard rows with ``speaker_key``),
- ``purge.affected.find_affected`` (the purge: the ledger of a published version, in a real store),
- ``audit.rows.privacy_findings`` (the audit: live shard rows and the ledger's times),

and by the test oracle (``tests/privacy_oracle.py``: the SPEC's rules, row by row, in other code).
"""

from __future__ import annotations

import dataclasses
import tempfile
import unicodedata
from datetime import UTC, datetime, timedelta

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.privacy_oracle import NO_CONSENT, any_case, oracle_reason

from utterance_governance import schema as S
from utterance_governance.audit.rows import privacy_findings
from utterance_governance.decide import decide_records
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, canonical_id, key_fingerprint, speaker_keys
from utterance_governance.privacy.keys import fold_pairs
from utterance_governance.publish.commit import Publication, publish_version
from utterance_governance.publish.shards import SORT_KEYS, shard_rows
from utterance_governance.purge.affected import find_affected
from utterance_governance.purge.recheck import recheck_rows

KEY = b"callers-agree-key"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
NOW = T0 + timedelta(hours=500)
PRIVACY = {S.DELETION_REQUESTED, S.HELD_BACK, S.OPTED_OUT, S.NO_CONSENT}
# (ids that differ only in case: other customers, or one customer's id mis-cased)
CUSTOMERS = ["c-1", "C-1", "Zoë", "Amélie", "ACCT-9", "a b", "straße", "STRASSE", "STRAẞE", "İd", "id",
             "zed-q", "Zed-Q", "ZoË"]  # fmt: skip
LOCALES = ["en-US", "de-DE", "fr-FR", "en-GB"]


def hours(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def spelling(canonical: str):
    """Ways a record may spell the same id: as is, NFD, with white space around it."""
    return st.sampled_from(
        [
            canonical,
            unicodedata.normalize("NFD", canonical),
            f" {canonical}",
            f"{canonical}\t",
            f"\u00a0{canonical}",
        ]
    )


def enum_spelling(value: str):
    return st.sampled_from([value, value.upper(), f" {value} ", value.title()])


when = st.integers(min_value=-50, max_value=700)  # hours after T0; NOW is 500: some are in the future


@st.composite
def populations(draw):
    customers = draw(st.lists(st.sampled_from(CUSTOMERS), min_size=1, max_size=4, unique=True))
    rows, consent, deletions = [], [], []
    for c in customers:
        for k in range(draw(st.integers(1, 4))):
            captured = draw(st.integers(0, 480))
            rows.append({"utterance_id": f"{c}/u{k}", "customer_id": draw(spelling(c)), "locale": draw(st.sampled_from(LOCALES)),
                         "captured_at": hours(captured), "landed_at": hours(captured + draw(st.integers(-30, 20)))})  # fmt: skip
        for _ in range(draw(st.integers(0, 3))):
            out = draw(st.booleans())
            consent.append({
                "event_id": f"e{len(consent)}", "customer_id": draw(spelling(c)),
                "purpose": draw(enum_spelling("model_training") if draw(st.integers(0, 5)) else st.just("marketing")),
                "status": draw(enum_spelling("opted_out" if out else "opted_in")),
                "effective_at": hours(draw(when)), "recorded_at": hours(draw(when)), "source": "app"})  # fmt: skip
        for _ in range(draw(st.integers(0, 2))):
            scope = draw(st.sampled_from(["all", "range", "utterances"]))
            lo, hi = sorted([draw(when), draw(when)])
            listed = draw(
                st.lists(st.sampled_from([f"{o}/u{k}" for o in CUSTOMERS for k in range(4)]), max_size=3)
            )
            deletions.append({
                "request_id": f"d{len(deletions)}", "customer_id": draw(spelling(c)), "scope": draw(enum_spelling(scope)),
                "from": hours(lo) if scope == "range" else None, "to": hours(hi) if scope == "range" else None,
                "utterance_ids": listed if scope == "utterances" else None, "requested_at": hours(draw(when))})  # fmt: skip
    held = draw(st.lists(st.sampled_from(customers), max_size=2, unique=True))
    state = PrivacyState(pa.Table.from_pylist(consent, schema=S.CONSENT), pa.Table.from_pylist(deletions, schema=S.DELETION),
                         frozenset(draw(spelling(h)) for h in held))  # fmt: skip
    return rows, state


def as_records(rows: list[dict]) -> pa.Table:
    """Landing records (``schema.UTTERANCE`` + source_file, line, landed_at) with distinct, clean text."""
    n = len(rows)
    return pa.table(
        {
            "utterance_id": [r["utterance_id"] for r in rows],
            "customer_id": [r["customer_id"] for r in rows],
            "device_id": ["d"] * n,
            "session_id": ["s"] * n,
            "turn_index": pa.array([0] * n, pa.int64()),
            "captured_at": pa.array([r["captured_at"] for r in rows], S.TS),
            "locale": [r["locale"] for r in rows],
            "transcript": [f"please add item number {i} to the shopping list" for i in range(n)],
            "response": ["Added."] * n,
            "asr_confidence": [0.9] * n,
            "source_file": ["landing/utterances/dt=2026-11-01/a.jsonl"] * n,
            "line": pa.array(range(1, n + 1), pa.int64()),
            "landed_at": pa.array([r["landed_at"] for r in rows], S.TS),
        }
    )


def published_rows(records: pa.Table) -> pa.Table:
    """The same rows as shard rows (speaker keys, no customer id) with their capture and landing times."""
    decided = decide_records(records, PrivacyState(), Policy(opt_in_regions=()), NOW, KEY)
    batch = decided.publishable.sort_by(SORT_KEYS)  # shard_rows keeps this order
    assert batch.num_rows == records.num_rows  # nothing but privacy could exclude these rows
    return (
        shard_rows(batch)
        .append_column("captured_at", batch.column("captured_at"))
        .append_column("landed_at", batch.column("landed_at"))
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_every_caller_agrees_with_the_oracle_row_for_row(population):
    rows, state = population
    policy = Policy()
    records = as_records(rows)
    ids = records.column("utterance_id").to_pylist()
    oracle = {r["utterance_id"]: oracle_reason(r, state.consent.to_pylist(), state.deletions.to_pylist(),
                                               state.held_customers, policy, NOW) for r in rows}  # fmt: skip

    # publishing: the decision of each landing row
    decided = decide_records(records, state, policy, NOW, KEY)
    by_decide = {u: (r if r in PRIVACY else None) for u, r in zip(ids, decided.decisions.column("reason").to_pylist(), strict=True)}  # fmt: skip
    assert by_decide == oracle

    # the re-check under the lock: the same rows as shard rows, keyed by speaker only
    shard = published_rows(records)
    rechecked = recheck_rows(shard, state, policy, NOW, KEY)
    by_recheck = dict.fromkeys(shard.column("utterance_id").to_pylist())
    by_recheck.update(zip(rechecked.excluded.column("utterance_id").to_pylist(), rechecked.excluded.column("reason").to_pylist(), strict=True))  # fmt: skip
    assert by_recheck == oracle

    # the audit: live shard rows with the ledger's times
    live = shard.append_column("shard_path", pa.array(["s0"] * shard.num_rows))
    findings = privacy_findings(live, shard.select(["captured_at", "landed_at"]), state, policy, NOW, KEY)
    by_audit = dict.fromkeys(ids)
    by_audit.update({f.utterance_id: f.rule for f in findings})
    assert by_audit == oracle

    # the purge: the ledger of a published version in a real store
    with tempfile.TemporaryDirectory() as folder:
        storage, store = Storage(f"{folder}/lake"), GovernanceStore(f"sqlite:///{folder}/g.db")
        store.create_schema()
        try:
            manifest = publish_version(
                storage, store, "ds", Publication("p", shard, {}, {}, {}, [], 1000, key_fingerprint(KEY))
            )
            # (as the publish's decisions record them: which speaker keys are one id in other cases)
            customers = records.column("customer_id")
            store.record_speaker_folds(fold_pairs(customers, speaker_keys(customers, KEY), KEY))
            # (the purge's state reaches published rows through the store's pairs, as every run's does)
            looked_up = dataclasses.replace(state, speakers_of_folds=store.speakers_of_folds)
            affected = find_affected(store, "ds", manifest["version"], looked_up, policy, NOW, KEY)
        finally:
            store.dispose()
    by_purge = dict.fromkeys(ids)
    by_purge.update(zip(affected.rows.column("utterance_id").to_pylist(), affected.rows.column("reason").to_pylist(), strict=True))  # fmt: skip
    withdrawing = set(state.withdrawing_customers.to_pylist())
    withdrawing_folds = {any_case(c) for c in withdrawing}
    for row in rows:
        uid, customer = row["utterance_id"], canonical_id(row["customer_id"])
        if customer in withdrawing or any_case(customer) in withdrawing_folds:
            assert by_purge[uid] == oracle[uid], uid
        else:  # no record of theirs can withdraw a published row; only a default could exclude it
            assert by_purge[uid] is None and oracle[uid] in (None, NO_CONSENT), uid


def test_speaker_keys_do_not_depend_on_spelling():
    spelled = ["Amélie", unicodedata.normalize("NFD", "Amélie"), " Amélie", "Amélie\u3000"]
    assert len(set(speaker_keys(pa.array(spelled), KEY).to_pylist())) == 1
