"""The privacy rules (SPEC §4 rules 2 and 3, §4.1), one unit each, in precedence order.

Each rule says which rows of ``Subjects`` it excludes and gives its reason code. They run in
``PRIVACY_RULES`` order and the first that excludes a row decides it
(``privacy.verdict.privacy_verdict``); every caller — publish, the re-check under the lock,
purge, audit — gets its answer from there.

Unknown facts withdraw: a row whose capture time is unknown is inside every range and before
every cut-off; a row whose landing time is unknown landed before every ``all`` request; a row
whose customer is unknown is covered by any request listing its utterance id.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.privacy.identity import canonical_ids, key_of_canonical, listed_key
from utterance_governance.privacy.keys import erased_digests
from utterance_governance.privacy.subjects import Subjects, _codes, micros

NONE, OUT, IN = -1, 0, 1  # consent status of a customer at an instant

# Raised whenever a rule here comes to withdraw a row it kept before, so that the next purge judges every
# live row once (``purge.affected.rules_in_force``). 7: an opt-out outranks an opt-in recorded within a
# microsecond of it, and ids fold to Unicode's compatibility caseless form (``identity._caseless``: an opt-out
# written ``Ϊ́`` reaches the recordings of ``ΐ``); 6: an opt-out counts from the clock skew before it;
# 5: a range deletion covers the clock skew on either side of it; 4: an opt-in counts from the clock skew after it,
# and an open unreadable consent record counts as the opt-out it may be (``doubt_opt_outs``) once released;
# 3: an opt-in counts from when it was recorded (2: the word recorded last decides; 1: an opt-in counted
# from the date it named).
RULES_VERSION = "7"


# --- rule 3: deletion requests ------------------------------------------------------------------
def deletion_pairs(s: Subjects) -> pd.DataFrame:
    """Every (row, request_id) such that the deletion request covers the row.

    Scopes: ``all`` covers what was captured at or before ``requested_at`` (give or take the devices'
    clock skew: words spoken just before the request on a device whose clock runs ahead carry a
    capture time just after it) and everything that landed before it, whatever its capture time;
    ``range`` covers ``from <= captured_at <= to``; either covers a recording of its customer it erased
    before, whatever its time now (``io.store.erased``: sent again stamped otherwise);
    ``utterances`` covers the listed ids of the requesting customer only, compared case-folded, and the
    other ids of the recordings they name (one recording an upstream delivered twice under two ids, one
    published, one dropped as its duplicate: ``PrivacyState.deletions_with_twins``).
    A request covers the rows of every id of its customer's fold too (``as_folded``).
    """
    cache = s.__dict__.setdefault("_deletion", {})
    if "pairs" not in cache:
        cache["pairs"] = _deletion_pairs(s)
    return cache["pairs"]


def _deletion_pairs(s: Subjects) -> pd.DataFrame:
    """The pairs of the requests naming each row's customer, and of those naming an id of the same fold
    (``PrivacyState.folds``: ``Zed-Cust-77``'s rows for a request naming ``zed-cust-77``)."""
    parts = [_exact_deletion_pairs(s)]
    for rows, spelled in as_folded(s, s.state.folds.deleting):
        pairs = _exact_deletion_pairs(spelled)
        parts.append(pairs.assign(row=rows[pairs["row"].to_numpy(dtype=np.int64)]))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def as_folded(s: Subjects, members: tuple[np.ndarray, np.ndarray]) -> list[tuple[np.ndarray, Subjects]]:
    """For the rows whose customer's id has the fold of a withdrawing record's id (``s.fold``;
    ``members``: ``Folds.deleting`` or ``Folds.opting_out``) and is not that id: (those rows, ``s`` at them
    judged as that record's customer), one pair per round when several customers share a fold."""
    positions, codes = members
    if s.fold is None or not len(positions) or not (s.fold >= 0).any():
        return []
    order = np.lexsort((codes, positions))
    positions, codes = positions[order], codes[order]
    rank = np.arange(len(positions)) - np.searchsorted(positions, positions, side="left")
    out = []
    for k in range(int(rank.max()) + 1):
        mapping = np.full(len(s.state.folds.values), -1, dtype=np.int64)
        mapping[positions[rank == k]] = codes[rank == k]
        code = np.where(s.fold >= 0, mapping[np.maximum(s.fold, 0)], -1)
        rows = np.flatnonzero((code >= 0) & (code != s.code))
        if len(rows):
            out.append((rows, s.take(rows, code[rows])))
    return out


def _exact_deletion_pairs(s: Subjects) -> pd.DataFrame:
    empty = pd.DataFrame({"row": pd.Series([], dtype=np.int64), "request_id": pd.Series([], dtype=object)})
    deletions = s.state.deletion_requests
    if len(s) == 0 or deletions.num_rows == 0:
        return empty
    req_code = _codes(canonical_ids(deletions.column("customer_id")), s.state.customers)
    scope = np.asarray(
        pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope"))).to_numpy(zero_copy_only=False)
    )
    request_id = np.asarray(deletions.column("request_id").to_numpy(zero_copy_only=False), dtype=object)
    requested, _ = micros(deletions.column("requested_at"))
    lo, lo_known = micros(deletions.column("from"))
    hi, hi_known = micros(deletions.column("to"))
    parts = [empty]

    timed = (req_code >= 0) & np.isin(scope, ["all", "range"])
    candidates = np.flatnonzero((s.code >= 0) & np.isin(s.code, req_code[timed]))
    if timed.any() and len(candidates):
        rows = pd.DataFrame({"row": candidates, "code": s.code[candidates], "t": s.captured[candidates],
                             "t_known": s.captured_known[candidates], "l": s.landed[candidates],
                             "l_known": s.landed_known[candidates]})  # fmt: skip
        requests = pd.DataFrame({"code": req_code[timed], "scope": scope[timed], "requested": requested[timed],
                                 "lo": np.where(lo_known, lo, np.iinfo(np.int64).max)[timed],
                                 "hi": np.where(hi_known, hi, np.iinfo(np.int64).min)[timed],
                                 "request_id": request_id[timed]})  # fmt: skip
        pairs = rows.merge(requests, on="code")
        is_all = pairs["scope"].to_numpy() == "all"
        t, t_known = pairs["t"].to_numpy(), pairs["t_known"].to_numpy()
        landed, l_known = pairs["l"].to_numpy(), pairs["l_known"].to_numpy()
        when = pairs["requested"].to_numpy()
        hit_all = is_all & (~t_known | (t <= when + s.skew_us) | ~l_known | (landed < when))
        # a range, give or take the clock skew on either side: a device clock ahead puts words said just before
        # its end after it, one behind puts words said just after its start before it
        lo_skewed, hi_skewed = pairs["lo"].to_numpy() - s.skew_us, pairs["hi"].to_numpy() + s.skew_us
        hit_range = ~is_all & (~t_known | ((lo_skewed <= t) & (t <= hi_skewed)))
        hit = hit_all | hit_range
        hit[np.flatnonzero(~hit)] = _erased(s, pairs.loc[~hit])
        parts.append(pairs.loc[hit, ["row", "request_id"]])

    listing = (scope == "utterances") & (req_code >= 0)
    if listing.any():
        lists = deletions.column("utterance_ids").combine_chunks().filter(pa.array(listing))
        parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        listed = pd.DataFrame({
            "code": req_code[listing][parent],
            "uid": listed_key(pc.list_flatten(lists)).to_numpy(zero_copy_only=False),
            "request_id": request_id[listing][parent],
        }).dropna(subset=["uid"])  # fmt: skip
        folded = key_of_canonical(s.utterance_id)  # canonical already: ``listed_key`` without its first step
        uid = np.asarray(folded.to_numpy(zero_copy_only=False), dtype=object)
        in_list = np.flatnonzero(np.asarray(pc.fill_null(pc.is_in(folded, value_set=pa.array(
            listed["uid"].unique(), pa.string())), False)))  # fmt: skip
        if len(in_list):
            rows = pd.DataFrame({"row": in_list, "code": s.code[in_list], "uid": uid[in_list],
                                 "identified": s.identified[in_list]})  # fmt: skip
            mine = rows[rows["identified"]].merge(listed, on=["code", "uid"])
            whose_unknown = rows[~rows["identified"]].merge(listed.drop(columns="code"), on="uid")
            parts += [mine[["row", "request_id"]], whose_unknown[["row", "request_id"]]]
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _erased(s: Subjects, pairs: pd.DataFrame) -> np.ndarray:
    """Per (row, request) pair no time rule covers: whether the store remembers the request erasing the row's
    recording (``io.store.erased``): an erased recording sent again under its id with another capture time."""
    if s.state.erased_among is None or not len(pairs):
        return np.zeros(len(pairs), dtype=bool)
    rows = pa.array(pairs["row"].to_numpy(dtype=np.int64))
    digests = erased_digests(pa.array(pairs["request_id"].to_numpy(dtype=object), pa.string()),
                             s.utterance_id.take(rows))  # fmt: skip
    known = s.state.erased_among(digests.drop_null().to_pylist())
    if not known:
        return np.zeros(len(pairs), dtype=bool)
    return np.asarray(pc.fill_null(pc.is_in(digests, value_set=pa.array(sorted(known), pa.string())), False))


@dataclass(frozen=True)
class DeletionRequested:
    """A deletion request of any scope covers the utterance: it must not be used, nor kept."""

    reason: str = S.DELETION_REQUESTED

    def excludes(self, s: Subjects, policy: Policy) -> np.ndarray:
        hit = np.zeros(len(s), dtype=bool)
        hit[deletion_pairs(s)["row"].to_numpy(dtype=np.int64)] = True
        return hit


# --- doubt: unreadable privacy records ------------------------------------------------------------
@dataclass(frozen=True)
class HeldBack:
    """The customer has an unreadable consent or deletion record and no valid record after it:
    whether their data may be used cannot be told, so it is not used (and live rows are withdrawn).
    So is a customer whose id, spelled otherwise, is held (``PrivacyState.doubted_customers``), in any case
    (an id of the same fold: ``PrivacyState.folds``)."""

    reason: str = S.HELD_BACK

    def excludes(self, s: Subjects, policy: Policy) -> np.ndarray:
        held = s.state.doubted_customers
        if not held:
            return np.zeros(len(s), dtype=bool)
        codes = _codes(canonical_ids(pa.array(sorted(held), pa.string())), s.state.customers)
        hit = s.identified & (s.code >= 0) & np.isin(s.code, codes[codes >= 0])
        if s.fold is not None:
            hit |= s.identified & (s.fold >= 0) & np.isin(s.fold, s.state.folds.holding)
        return hit


# --- rule 2: consent at capture and now ------------------------------------------------------------
def consent_status(s: Subjects) -> tuple[np.ndarray, np.ndarray]:
    """(status at capture, status now) per row: IN, OUT, or NONE (no event in force).

    Each ``model_training`` event is the customer's word from an instant on, and a later word
    overrides an earlier one: the status at an instant is that of the event *recorded* last among
    those in force at it. An opt-out is in force from the earliest of its ``effective_at``, its
    ``recorded_at`` and now, less the devices' clock skew the policy allows: an opt-out we hold is never
    postponed to a date the customer's clock or an upstream system chose. An opt-in is in force from the later of its ``effective_at`` and
    its ``recorded_at``, plus the devices' clock skew the policy allows: never before it was given (a backdated opt-in does not make consent at an
    earlier capture), nor before the date it names (a future opt-in is not consent yet). So an
    opt-in dated ahead by a fast clock does not override an opt-out the customer gave after it.
    Recorded at the same instant, an opt-out outranks an opt-in. A row whose capture time is
    unknown counts as captured under any opt-out the customer ever had.
    """
    cache = s.__dict__.setdefault("_consent", {})
    if "status" in cache:
        return cache["status"]
    n = len(s)
    at_capture = np.full(n, NONE, dtype=np.int8)
    now = np.full(n, NONE, dtype=np.int8)
    consent = s.state.consent
    purpose = pc.utf8_lower(pc.utf8_trim_whitespace(consent.column("purpose")))
    consent = consent.filter(pc.fill_null(pc.equal(purpose, S.TRAINING_PURPOSE), False))
    codes = _codes(canonical_ids(consent.column("customer_id")), s.state.customers)
    status = pc.utf8_lower(pc.utf8_trim_whitespace(consent.column("status")))
    is_out = ~np.asarray(pc.fill_null(pc.equal(status, "opted_in"), False), dtype=bool)
    effective, _ = micros(consent.column("effective_at"))
    recorded, _ = micros(consent.column("recorded_at"))
    # an opt-in counts from the clock skew after it: words said just before it on a device whose clock
    # runs ahead carry a capture time just after it (as a delete-all covers them); an opt-out from the
    # clock skew before it: words said just after it on a device whose clock runs behind carry a capture
    # time just before it (as a range deletion covers them), so an opt-out-then-in gap is widened at
    # both ends
    start = np.where(
        is_out,
        np.minimum(np.minimum(effective, recorded), s.now_us) - s.skew_us,
        np.maximum(effective, recorded) + s.skew_us,
    )
    # which word is later: recorded later, an opt-out first among words recorded within the clock skew
    # the policy allows of each other (odd keys are opt-outs): an opt-in stamped by a clock running
    # ahead would otherwise outrank the opt-out the customer gave seconds after it, for good. One
    # microsecond at least, with no skew allowed: a time finer than a microsecond is floored for an
    # opt-out and rounded up for an opt-in (``io.readers``), and an opt-in recorded in the same
    # nanosecond as an opt-out, or 400 ns before it, outranked it
    word = (recorded + np.where(is_out, max(s.skew_us, 1), 0)) * 2 + is_out
    events = pd.DataFrame({"code": codes, "start": start, "word": word})
    events = events[(events["code"] >= 0) & (events["start"] <= s.now_us)]
    if events.empty or n == 0:
        cache["status"] = (at_capture, now)
        return cache["status"]
    # from each event's start on, the latest word among the customer's events in force by then
    events = events.sort_values("start", kind="stable")  # each customer's events in start order
    latest_word = events.groupby("code", sort=False)["word"].cummax().to_numpy()
    events["status"] = np.where(latest_word % 2 == 1, OUT, IN).astype(np.int8)
    latest = np.full(len(s.state.customers), NONE, dtype=np.int8)
    last = events.groupby("code", sort=False)["status"].last()
    latest[last.index.to_numpy()] = last.to_numpy()
    known = s.identified & (s.code >= 0)
    now[known] = latest[s.code[known]]

    rows = np.flatnonzero(known & np.isin(s.code, events["code"].unique()))
    timed = rows[s.captured_known[rows]]
    left = pd.DataFrame({"code": s.code[timed], "t": s.captured[timed], "row": timed})
    joined = pd.merge_asof(left.sort_values("t", kind="stable"), events[["code", "start", "status"]],
                           left_on="t", right_on="start", by="code", direction="backward")  # fmt: skip
    found = joined["status"].notna().to_numpy()
    at_capture[joined["row"].to_numpy()[found]] = joined["status"].to_numpy()[found].astype(np.int8)
    untimed = rows[~s.captured_known[rows]]
    ever_out = np.isin(s.code[untimed], events.loc[events["status"] == OUT, "code"].unique())
    at_capture[untimed[ever_out]] = OUT
    cache["status"] = (at_capture, now)
    return cache["status"]


def default_consented(s: Subjects, policy: Policy) -> np.ndarray:
    """Per row: does its locale default to consented (opt-out regime)? An unknown locale does not."""
    encoded = pc.dictionary_encode(s.locale)
    per_locale = np.array([v is not None and not policy.is_opt_in_locale(v) for v in encoded.dictionary.to_pylist()],
                          dtype=bool)  # fmt: skip
    if len(per_locale) == 0:
        return np.zeros(len(s), dtype=bool)
    idx = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False))
    return per_locale[idx] & np.asarray(pc.is_valid(s.locale), dtype=bool)


@dataclass(frozen=True)
class OptedOut:
    """The customer's opt-out was in force when the utterance was captured, or is now (an
    opt-out applies retroactively; opting in again does not bring back the gap).

    The opt-outs of the customer's id spelled otherwise count too (``PrivacyState.opt_out_spellings``):
    a row is excluded where that spelling's own history says opted out, at capture or now. Its
    opt-ins never count for the row (merged histories would let one spelling's opt-in undo the
    other's opt-out), but they end its opt-outs for the row as they do for that spelling. So do the
    opt-outs of an id of the same fold, in any case (``PrivacyState.folds``: ``zed-cust-77``'s for
    ``Zed-Cust-77``'s rows), the same way.
    """

    reason: str = S.OPTED_OUT

    def excludes(self, s: Subjects, policy: Policy) -> np.ndarray:
        at_capture, now = consent_status(s)
        out = (at_capture == OUT) | (now == OUT)
        for spelled in _as_other_spellings(s):
            at_capture, now = consent_status(spelled)
            out |= (at_capture == OUT) | (now == OUT)
        for rows, folded in as_folded(s, s.state.folds.opting_out):
            at_capture, now = consent_status(folded)
            out[rows] |= (at_capture == OUT) | (now == OUT)
        return out


def _as_other_spellings(s: Subjects) -> list[Subjects]:
    """``s`` with the rows of a customer whose id, spelled otherwise, opted out given that
    spelling's code instead (one ``Subjects`` per spelling when several fold to one id)."""
    spellings = s.state.opt_out_spellings
    if not spellings or len(s) == 0:
        return []
    customers = s.state.customers
    variants = list(spellings)
    of_variant = _codes(pa.array(variants, pa.string()), customers)
    rounds = max(len(v) for v in spellings.values())
    out = []
    for k in range(rounds):
        spelled = [spellings[v][k] if k < len(spellings[v]) else None for v in variants]
        to = _codes(pa.array(spelled, pa.string()), customers)
        mapping = np.full(len(customers), -1, dtype=np.int64)
        ok = (of_variant >= 0) & (to >= 0)
        mapping[of_variant[ok]] = to[ok]
        code = np.where(s.code >= 0, mapping[np.maximum(s.code, 0)], -1)
        if (code >= 0).any():
            out.append(dataclasses.replace(s, code=code))
    return out


@dataclass(frozen=True)
class NoConsent:
    """No consent in force at capture or now: in an opt-in region the customer never opted in
    (or only after the capture)."""

    reason: str = S.NO_CONSENT

    def excludes(self, s: Subjects, policy: Policy) -> np.ndarray:
        at_capture, now = consent_status(s)
        default = default_consented(s, policy)

        def consented(status: np.ndarray) -> np.ndarray:
            return (status == IN) | ((status == NONE) & default)

        opted_out = (at_capture == OUT) | (now == OUT)  # that is OptedOut's reason
        return ~opted_out & (~consented(at_capture) | ~consented(now))


PRIVACY_RULES = (DeletionRequested(), HeldBack(), OptedOut(), NoConsent())
