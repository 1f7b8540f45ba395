"""Which utterances may no longer be used, under the privacy state of now (SPEC §4 rules 2 and 3).

The rule code that decides when publishing decides here too: ``rules.deletion.deleted_mask``
(every scope) and ``rules.consent.OptedOut`` (an opt-out in force at capture or now). Only
these two can newly exclude a row that was published once: consent is withdrawn only by an
``opted_out`` event, and a locale's no-consent default never changes with new events.

Published copies (shards, the ledger, staged rows, decisions) carry a ``speaker_key``, not the
customer id: the speaker keys of every customer named by a deletion request or an opt-out
are computed with the deployment's pseudonym key (``decide.speaker_keys``) and matched.

Copies made of malformed input may lack a capture time or a customer. They fail closed: a
row of a customer with an ``all`` or ``range`` request whose capture time is unknown is
covered, and so is any row whose utterance id an ``utterances`` request lists when its
customer is unknown. Such rows never reach training, so erring towards deletion costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.decide import speaker_keys
from utterance_governance.policy import Policy
from utterance_governance.rules.base import Frame
from utterance_governance.rules.consent import OptedOut
from utterance_governance.rules.deletion import deleted_mask
from utterance_governance.rules.privacy_state import PrivacyState

REMOVAL_REASONS = (S.DELETION_REQUESTED, S.OPTED_OUT)  # precedence as in decide.PRIVACY_AND_RECORD_RULES
RECORD_COLUMNS = ("customer_id", "utterance_id", "captured_at")


def unique(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The distinct non-null values, as one array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.unique(values).drop_null()


def opted_out_customers(consent: pa.Table) -> pa.Array:
    """Customers with any ``model_training`` opt-out event (in force or not: the rule decides)."""
    out = pc.and_(
        pc.equal(consent.column("purpose"), S.TRAINING_PURPOSE),
        pc.equal(consent.column("status"), "opted_out"),
    )
    return unique(consent.column("customer_id").filter(out))


def deletion_customers(deletions: pa.Table) -> pa.Array:
    return unique(deletions.column("customer_id"))


def speaker_index(customers: pa.Array, pseudonym_key: bytes) -> pa.Table:
    """``speaker_key`` → ``customer_id`` for the given customers."""
    customers = unique(customers.cast(pa.string()))
    return pa.table({"speaker_key": speaker_keys(customers, pseudonym_key), "customer_id": customers})


def privacy_speakers(state: PrivacyState, pseudonym_key: bytes) -> pa.Table:
    """The speaker index of every customer a deletion request or an opt-out names."""
    customers = pa.concat_arrays(
        [deletion_customers(state.deletions), opted_out_customers(state.consent)]
    ).cast(pa.string())
    return speaker_index(customers, pseudonym_key)


def attach_customers(rows: pa.Table, index: pa.Table) -> pa.Table:
    """``rows`` (with ``speaker_key``) plus ``customer_id`` from ``index`` (null where unknown)."""
    position = pc.index_in(rows.column("speaker_key"), value_set=index.column("speaker_key"))
    customer = index.column("customer_id").combine_chunks().take(position)
    if "customer_id" in rows.column_names:
        return rows.set_column(rows.schema.get_field_index("customer_id"), "customer_id", customer)
    return rows.append_column("customer_id", customer)


def removal_reasons(records: pa.Table, state: PrivacyState, policy: Policy, now: datetime) -> np.ndarray:
    """Per row of ``records`` (customer_id, utterance_id, captured_at; none null): the reason it
    may no longer be used (``deletion_requested`` before ``opted_out``), or None."""
    n = records.num_rows
    reasons = np.full(n, None, dtype=object)
    if n == 0:
        return reasons
    records = records.select(list(RECORD_COLUMNS))
    opted = np.asarray(OptedOut().excludes(Frame(records, state, policy, now)), dtype=bool)
    reasons[opted] = S.OPTED_OUT
    reasons[deleted_mask(records, state.deletions)] = S.DELETION_REQUESTED
    return reasons


def speaker_removal_reasons(
    rows: pa.Table, state: PrivacyState, policy: Policy, now: datetime, index: pa.Table
) -> np.ndarray:
    """``removal_reasons`` for rows keyed by ``speaker_key`` (shards, the ledger, staged rows)."""
    reasons = np.full(rows.num_rows, None, dtype=object)
    if rows.num_rows == 0 or index.num_rows == 0:
        return reasons
    with_customer = attach_customers(rows.select(["speaker_key", "utterance_id", "captured_at"]), index)
    known = np.flatnonzero(np.asarray(pc.is_valid(with_customer.column("customer_id"))))
    if len(known):
        subset = with_customer.take(pa.array(known, pa.int64()))
        reasons[known] = removal_reasons(subset, state, policy, now)
    return reasons


# --- deletions over copies that may be incomplete (fail closed) -------------------------------
def deleted_rows(records: pa.Table, deletions: pa.Table) -> np.ndarray:
    """Rows of ``records`` (customer_id, utterance_id, captured_at; any may be null) a deletion covers.

    Complete rows are decided by ``deleted_mask``; incomplete ones fail closed (module docstring).
    """
    n = records.num_rows
    covered = np.zeros(n, dtype=bool)
    if n == 0 or deletions.num_rows == 0:
        return covered
    customer = records.column("customer_id")
    captured = records.column("captured_at")
    has_customer = np.asarray(pc.is_valid(customer))
    complete = has_customer & np.asarray(pc.is_valid(captured))
    if complete.any():
        idx = np.flatnonzero(complete)
        subset = records.select(list(RECORD_COLUMNS)).take(pa.array(idx, pa.int64()))
        covered[idx] = deleted_mask(subset, deletions)
    scope = deletions.column("scope")
    wide = deletions.filter(pc.is_in(scope, pa.array(["all", "range"]))).column("customer_id")
    untimed = has_customer & ~complete
    if untimed.any() and len(wide):
        covered |= untimed & np.asarray(
            pc.fill_null(pc.is_in(customer, value_set=wide.combine_chunks()), False)
        )
    listed = _listed(deletions)
    if listed.num_rows:
        ids = records.column("utterance_id")
        in_list = np.asarray(pc.fill_null(pc.is_in(ids, value_set=listed.column("utterance_id")), False))
        if (in_list & ~has_customer).any():  # whose it is cannot be told: delete it
            covered |= in_list & ~has_customer
        mine = in_list & untimed  # the customer is known: only their own listed ids
        if mine.any():
            wanted = set(zip(listed.column("customer_id").to_pylist(), listed.column("utterance_id").to_pylist(), strict=True))  # fmt: skip
            for i in np.flatnonzero(mine):
                covered[i] |= (customer[int(i)].as_py(), ids[int(i)].as_py()) in wanted
    return covered


def _listed(deletions: pa.Table) -> pa.Table:
    """(customer_id, utterance_id) of every id an ``utterances`` request lists."""
    listing = deletions.filter(pc.equal(deletions.column("scope"), "utterances"))
    if listing.num_rows == 0:
        return pa.table({"customer_id": pa.array([], pa.string()), "utterance_id": pa.array([], pa.string())})
    lists = listing.column("utterance_ids").combine_chunks()
    owners = listing.column("customer_id").combine_chunks().take(pc.list_parent_indices(lists))
    return pa.table({"customer_id": owners, "utterance_id": pc.list_flatten(lists)})


def covering_requests(records: pa.Table, deletions: pa.Table) -> list[list[str]]:
    """For each row of ``records`` (rows already known to be covered: few), the requests covering it."""
    out: list[list[str]] = [[] for _ in range(records.num_rows)]
    if records.num_rows == 0 or deletions.num_rows == 0:
        return out
    relevant = pc.is_in(deletions.column("customer_id"), value_set=unique(records.column("customer_id")))
    if pc.any(pc.is_null(records.column("customer_id"))).as_py():
        relevant = pc.or_(relevant, pc.equal(deletions.column("scope"), "utterances"))
    candidates = deletions.filter(relevant)
    for i, request_id in enumerate(candidates.column("request_id").to_pylist()):
        hit = deleted_rows(records, candidates.slice(i, 1))
        for row in np.flatnonzero(hit):
            out[int(row)].append(request_id)
    return out


def count_by_request(covering: Iterable[list[str]], location: str, into: dict[str, dict[str, int]]) -> None:
    """Add one to ``into[request][location]`` for every (row, request) pair."""
    for requests in covering:
        for request_id in requests:
            counts = into.setdefault(request_id, {})
            counts[location] = counts.get(location, 0) + 1
