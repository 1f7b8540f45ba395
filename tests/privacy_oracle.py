"""A reference for SPEC §4 rules 2-3 and §4.1, written row by row in plain Python.

The product decides with vectorised Arrow/pandas code (``privacy.privacy_verdict``); the tests
hold it, and every caller of it, to this oracle: other code, written straight from the SPEC's
words, so a shared mistake is unlikely. Rows and records are dicts; ids are compared through
``canonical_id`` (the one piece of the product the oracle trusts: identity itself is tested on
its own in ``tests/unit/privacy/test_identity.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache, wraps
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.io.readers import EARLIEST_CAPTURE as EARLIEST
from utterance_governance.policy import Policy
from utterance_governance.privacy.identity import canonical_id as _canonical_id


def _memo(function):
    """``function`` (pure, of one id) remembered by argument, type included: the oracle asks the same
    ids again for every row and record (a stack test's few thousand rows took 10 s and more a call). An
    argument that cannot be a key is computed afresh."""
    remembered = lru_cache(maxsize=None, typed=True)(function)

    @wraps(function)
    def call(value):
        try:
            return remembered(value)
        except TypeError:  # unhashable
            return function(value)

    return call


canonical_id = _memo(_canonical_id)

DELETION, HELD, OPTED_OUT, NO_CONSENT = "deletion_requested", "held_back", "opted_out", "no_consent"


def _fold(value: object) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


@_memo
def _other_case(value: object) -> frozenset[str]:
    """The other-case spellings of an id (all lower, all upper, case folded, by Python's rules and
    Arrow's) that differ from it: a record taking something away reaches them too."""
    canonical = canonical_id(value)
    if canonical is None:
        return frozenset()
    arrow = pa.array([canonical], pa.string())  # Arrow's kernels write some cases otherwise ("STRAẞE")
    spelled = (canonical.lower(), canonical.upper(), canonical.casefold(),
               pc.utf8_lower(arrow)[0].as_py(), pc.utf8_upper(arrow)[0].as_py())  # fmt: skip
    return frozenset(s for s in map(canonical_id, spelled) if s and s != canonical)


@_memo
def any_case(value: object) -> str | None:
    """An id's fold: its compatibility form (NFKC) case folded, a UUID in its hyphenated form however it is
    written. A record that takes something away reaches every id of its id's fold."""
    canonical = canonical_id(value)
    return None if canonical is None else _id_key(unicodedata.normalize("NFKC", canonical))


def _reaches(named: object, customer: str) -> bool:
    """Does a record taking something away that names ``named`` reach ``customer`` (canonical)? Its id, its
    other-case spellings, and every id of the fold of either."""
    spelled = {canonical_id(named), *_other_case(named)} - {None}
    return customer in spelled or any_case(customer) in {any_case(s) for s in spelled}


@_memo
def _id_key(value: object) -> str | None:
    """A listed utterance id as a deletion matches it: canonical, case ignored, a UUID in its hyphenated
    form however it is written (braces, a URN, no hyphens)."""
    canonical = canonical_id(value)
    if canonical is None:
        return None
    # a percent-encoded id is the id (``acct%2F42``), the Turkish i's are one letter (``KIZ-7``, ``kız-7``; the
    # dotted capital folds to an i and a combining dot), a typeset dash is a hyphen-minus
    canonical = unquote(canonical) if re.search("%[0-9A-Fa-f]{2}", canonical) else canonical
    folded = unicodedata.normalize("NFKC", canonical).casefold().replace("ı", "i").replace("i\u0307", "i")
    folded = re.sub("[\u2010-\u2015\u2212\ufe58\ufe63]", "-", folded)
    bare = folded.removeprefix("urn:uuid:").removeprefix("{").removesuffix("}")
    digits = bare.replace("-", "")
    hyphenated = len(bare) == 36 and [len(part) for part in bare.split("-")] == [8, 4, 4, 4, 12]
    if len(digits) == 32 and all(c in "0123456789abcdef" for c in digits) and (hyphenated or bare == digits):
        return "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))
    return folded


def _covered(row: Mapping, request: Mapping, skew: timedelta = timedelta(0)) -> bool:
    scope = _fold(request["scope"])
    captured, landed = row.get("captured_at"), row.get("landed_at")
    if scope == "all":  # captured by then on a device clock up to ``skew`` ahead, or landed before it
        at = request["requested_at"]
        return captured is None or captured <= at + skew or landed is None or landed < at
    if scope == "range":
        return captured is None or request["from"] - skew <= captured <= request["to"] + skew
    if scope == "utterances":
        listed = {_id_key(u) for u in request["utterance_ids"] or []} - {None}
        return _id_key(row.get("utterance_id")) in listed
    return False


def _status_at(events: list[tuple[datetime, datetime, str]], when: datetime | None) -> str | None:
    """The status in force at ``when``: of the events (start, recorded, status) in force by then,
    the one recorded last, an opt-out first among those recorded at one instant (None: unknown
    time → "out" if any opt-out)."""
    if when is None:
        return "out" if any(status == "out" for _, _, status in events) else None
    in_force = [(recorded, status == "out", status) for start, recorded, status in events if start <= when]
    return max(in_force)[2] if in_force else None


def oracle_reason(
    row: Mapping,
    consent: Iterable[Mapping],
    deletions: Iterable[Mapping],
    held: Iterable[str],
    policy: Policy,
    now: datetime,
) -> str | None:
    """The privacy reason ``row`` (customer_id — canonical or not, None: unknown —, utterance_id,
    captured_at, landed_at, locale) may not be used for, or None."""
    customer = canonical_id(row.get("customer_id"))
    if deleted(row, list(deletions), policy):
        return DELETION
    if customer is None:
        return None if _default_consented(row, policy) else NO_CONSENT
    if any(_reaches(h, customer) for h in held):
        return HELD
    skew = timedelta(seconds=policy.capture_clock_skew_s)
    at_capture, in_force = _statuses(customer, consent, row.get("captured_at"), now, skew)
    if "out" in (at_capture, in_force):
        return OPTED_OUT
    # an opt-out of the customer's id spelled in other case, where that spelling's history has it in force
    spellings = {canonical_id(e["customer_id"]) for e in consent if _reaches(e["customer_id"], customer)}
    spellings.discard(customer)
    if any("out" in _statuses(spelled, consent, row.get("captured_at"), now, skew) for spelled in spellings):
        return OPTED_OUT
    default = _default_consented(row, policy)
    if any(status == "in" or (status is None and default) for status in (at_capture,)) and (
        in_force == "in" or (in_force is None and default)
    ):
        return None
    return NO_CONSENT


def _statuses(
    customer: str, consent, captured: datetime | None, now: datetime, skew: timedelta
) -> tuple[str | None, str | None]:
    """(status at capture, status now) of ``customer`` from its own consent events. Which word came last
    is read from the recording times, an opt-out first among those within the clock ``skew`` of
    each other (a clock running ahead cannot make an opt-in outrank the opt-out after it)."""
    events = []
    for event in consent:
        if canonical_id(event["customer_id"]) != customer or _fold(event["purpose"]) != "model_training":
            continue
        out = _fold(event["status"]) != "opted_in"
        effective, recorded = event["effective_at"], event["recorded_at"]
        # an opt-out from the earliest moment we could know of it (less the clock skew: words said just after
        # it on a device whose clock runs behind), an opt-in never before it was given (nor within the clock
        # skew after it: words said just before it on a device whose clock runs ahead)
        start = min(effective, recorded, now) - skew if out else max(effective, recorded) + skew
        if start <= now:
            events.append((start, recorded + skew if out else recorded, "out" if out else "in"))
    return _status_at(events, captured), _status_at(events, now)


def _default_consented(row: Mapping, policy: Policy) -> bool:
    locale = row.get("locale")
    return isinstance(locale, str) and not policy.is_opt_in_locale(locale)


def oracle_reasons(rows: Iterable[Mapping], state, policy: Policy, now: datetime) -> list[str | None]:
    """``oracle_reason`` of each row against a ``PrivacyState`` (its tables read as dicts)."""
    consent = state.consent.to_pylist()
    deletions = state.deletions.to_pylist()
    return [oracle_reason(row, consent, deletions, state.held_customers, policy, now) for row in rows]


def oracle_deleted(rows: Iterable[Mapping], deletions, policy: Policy | None = None) -> list[bool]:
    """Per row of a copy (a landing file's): does a deletion request (``deletions``: a
    ``schema.DELETION`` table) cover it?"""
    requests = deletions.to_pylist()
    return [deleted(row, requests, policy, copy=True) for row in rows]


def deleted(
    row: Mapping, requests: list[Mapping], policy: Policy | None = None, *, copy: bool = False
) -> bool:
    """``copy``: the row is a copy's (landing, quarantine), which the copies purge judges: a capture time
    that cannot be true there (before 2000, after its file landed) is unknown. A live row's passed the
    reader, which refuses such times."""
    customer = canonical_id(row.get("customer_id"))
    skew = timedelta(seconds=(policy or Policy()).capture_clock_skew_s)
    captured, landed = row.get("captured_at"), row.get("landed_at")
    if (
        copy
        and captured is not None
        and (captured < EARLIEST or (landed is not None and captured > landed + skew))
    ):
        row = {**row, "captured_at": None}
    for request in requests:
        if customer is None:
            if _fold(request["scope"]) == "utterances" and _covered(row, request):
                return True
        elif _reaches(request["customer_id"], customer) and _covered(row, request, skew):
            return True
    return False
