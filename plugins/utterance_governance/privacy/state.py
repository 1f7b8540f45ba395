"""The consent and deletion state a decision is taken against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.privacy.identity import canonical_ids
from utterance_governance.privacy.keys import speaker_keys


@dataclass(frozen=True)
class PrivacyState:
    """Every valid consent event and deletion request known to a run.

    ``held_customers``: customers with an unreadable privacy record and no valid record after
    it; nothing of theirs may be used (SPEC §4.1 "doubt withdraws"). ``blocked_reasons``:
    unreadable records that name no readable customer; while any is open nothing may be
    published (fail closed).

    Ids keep their case (``ABC`` and ``abc`` are two customers), but a record that takes something
    away and names ``6F1C…`` where the utterances say ``6f1c…`` (a support tool that upper-cases
    ids) would otherwise match nothing. So its customer's other-case spellings (``case_variants``:
    all lower, all upper, case folded, by Python's rules and Arrow's) are reached too:

    - a deletion request covers them (``deletion_requests``): a deletion can only remove more;
    - an opt-out counts against them where it is in force (``opt_out_spellings``, read by the
      ``OptedOut`` rule): the spelling's own history decides when, and its opt-ins never count for
      them (merged histories would let one spelling's later opt-in undo the other's opt-out);
    - a hold holds them (``doubted_customers``) as long as it holds the customer.

    A spelling is derived from the record's id, so an id whose upper case does not read back as it
    (``straße`` named as ``STRASSE``) is not reached; published rows carry only the speaker key of the
    exact id, and finding those would need a case-folded key beside it.
    """

    consent: pa.Table = field(default_factory=S.CONSENT.empty_table)
    deletions: pa.Table = field(default_factory=S.DELETION.empty_table)
    held_customers: frozenset[str] = frozenset()
    blocked_reasons: tuple[str, ...] = ()

    @property
    def publishing_blocked(self) -> bool:
        return bool(self.blocked_reasons)

    @cached_property
    def deletion_requests(self) -> pa.Table:
        """``deletions``, and for each request a copy naming each other-case spelling of its
        customer (same request id: what it removes is counted on the request)."""
        deletions = self.deletions
        variants = case_variants(deletions.column("customer_id"))
        if not variants:
            return deletions
        named = canonical_ids(deletions.column("customer_id")).to_pylist()
        rows = [(i, v) for i, c in enumerate(named) if c in variants for v in variants[c]]
        extra = deletions.take(pa.array([i for i, _ in rows], pa.int64()))
        at = extra.schema.get_field_index("customer_id")
        extra = extra.set_column(at, extra.schema.field(at), pa.array([v for _, v in rows], pa.string()))
        return pa.concat_tables([deletions, extra])

    @cached_property
    def doubted_customers(self) -> frozenset[str]:
        """``held_customers`` and their other-case spellings."""
        return frozenset(with_case_variants(self.held_customers))

    @cached_property
    def opt_out_spellings(self) -> dict[str, list[str]]:
        """Other-case spelling → the customers (as the records spell them) with an opt-out event (or
        one of unknown status) whose id it is a spelling of."""
        named = canonical_ids(self.consent.column("customer_id").filter(self._opt_outs))
        spellings: dict[str, list[str]] = {}
        for customer, variants in case_variants(named).items():
            for variant in variants:
                spellings.setdefault(variant, []).append(customer)
        return spellings

    @cached_property
    def _opt_outs(self) -> pa.Array:
        """Which consent events are opt-outs (a status that is unreadable counts as one)."""
        status = pc.utf8_lower(pc.utf8_trim_whitespace(self.consent.column("status")))
        return pc.fill_null(pc.equal(status, "opted_out"), True)

    def _named(self, consent_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``consent_ids`` and every customer a deletion, a hold or an other-case opt-out reaches
        (canonical, distinct)."""
        parts = [
            canonical_ids(consent_ids),
            canonical_ids(self.deletion_requests.column("customer_id")),
            canonical_ids(pa.array(sorted(self.doubted_customers), pa.string())),
            pa.array(sorted(self.opt_out_spellings), pa.string()),
        ]
        return pc.unique(pa.chunked_array(parts, type=pa.string())).drop_null()

    @cached_property
    def customers(self) -> pa.Array:
        """Every customer a privacy record names (canonical, distinct): codes index into this."""
        return self._named(self.consent.column("customer_id"))

    @cached_property
    def withdrawing_customers(self) -> pa.Array:
        """Customers whose records can withdraw rows already published: a deletion request, an
        opt-out event (in force or not: the verdict decides), or an unreadable record (held).

        Nobody else: a customer no such record names keeps what they had, unless the rules themselves
        changed (the policy's opt-in regions or clock skew, or the code's ``RULES_VERSION``), and then
        the purge judges every live row once (``purge.affected``)."""
        return self._named(self.consent.column("customer_id").filter(self._opt_outs))

    def speaker_index(self, key: bytes) -> pa.Array:
        """The speaker key of each of ``customers`` under ``key`` (same positions)."""
        cache = self.__dict__.setdefault("_speaker_index", {})
        if key not in cache:
            cache[key] = speaker_keys(self.customers, key)
        return cache[key]

    def customer_of_speaker(self, key: bytes) -> dict[str, str]:
        """speaker key → customer id, for the customers a privacy record names."""
        return dict(zip(self.speaker_index(key).to_pylist(), self.customers.to_pylist(), strict=True))


def case_variants(ids: pa.Array | pa.ChunkedArray) -> dict[str, list[str]]:
    """canonical id → its other-case spellings (canonical, distinct, each differing from it): all
    lower and all upper as Python writes them (``STRASSE`` for ``straße``, as ICU and Java do) and as
    Arrow does (``STRAẞE``), and case folded. ASCII ids (nearly all) in Arrow; the others once each."""
    distinct = pc.unique(canonical_ids(ids)).drop_null()
    out: dict[str, list[str]] = {}
    if len(distinct) == 0:
        return out
    ascii_ids = np.asarray(pc.string_is_ascii(distinct), dtype=bool)
    plain = distinct.filter(pa.array(ascii_ids))
    spelled = [plain.to_pylist(), *(fold(plain).to_pylist() for fold in (pc.ascii_lower, pc.ascii_upper))]
    for customer, lower, upper in zip(*spelled, strict=True):
        variants = [v for v in (lower, upper) if v != customer]
        if variants:
            out[customer] = variants
    others = distinct.filter(pa.array(~ascii_ids))
    if len(others) == 0:
        return out
    named = others.to_pylist()
    spelled = [
        pa.array([fold(c) for c in named], pa.string()) for fold in (str.lower, str.upper, str.casefold)
    ]
    spelled += [pc.utf8_lower(others), pc.utf8_upper(others)]
    # (a change of case adds no character an id may not hold: NFC is all its canonical form needs)
    columns = [pc.utf8_normalize(column, "NFC").to_pylist() for column in spelled]
    for i, customer in enumerate(named):
        variants = sorted({column[i] for column in columns} - {customer})
        if variants:
            out[customer] = variants
    return out


def with_case_variants(ids: Iterable[str]) -> set[str]:
    """``ids`` (canonical) and their other-case spellings (``case_variants``)."""
    ids = set(ids)
    spelled = case_variants(pa.array(sorted(ids), pa.string()))
    return ids | {v for variants in spelled.values() for v in variants}
