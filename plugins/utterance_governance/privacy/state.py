"""The consent and deletion state a decision is taken against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.privacy.identity import canonical_ids, full_width, uuid_notations
from utterance_governance.privacy.keys import speaker_keys


@dataclass(frozen=True)
class PrivacyState:
    """Every valid consent event and deletion request known to a run.

    ``held_customers``: customers with an unreadable privacy record and no valid record after
    it; nothing of theirs may be used (SPEC §4.1 "doubt withdraws"). ``blocked_reasons``:
    unreadable records that name no readable customer; while any is open nothing may be
    published (fail closed).

    Ids keep their case (``ABC`` and ``abc`` are two customers) and their notation, but a record that
    takes something away and names ``6F1C…`` or ``{6f1c…}`` where the utterances say ``6f1c…`` (a
    support tool that upper-cases ids, or writes UUIDs its own way), or ``ｚｅｄ－７ｆ`` where they say
    ``zed-7f`` (typed through an East Asian input method), would otherwise match nothing. So its
    customer's other spellings (``other_spellings``: other cases, compatibility spellings both ways, every
    notation of a UUID) are reached too:

    - a deletion request covers them (``deletion_requests``): a deletion can only remove more;
    - an opt-out counts against them where it is in force (``opt_out_spellings``, read by the
      ``OptedOut`` rule): the spelling's own history decides when, and its opt-ins never count for
      them (merged histories would let one spelling's later opt-in undo the other's opt-out);
    - a hold holds them (``doubted_customers``) as long as it holds the customer.

    A spelling is derived from the record's id, so an id whose upper case does not read back as it
    (``straße`` named as ``STRASSE``) is not reached; published rows carry only the speaker key of the
    exact id, and finding those would need a case-folded key beside it. The canonical id itself never
    changes: the speaker keys of the data stay what they are.
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
        """``deletions``, and for each request a copy naming each other spelling of its customer
        (``other_spellings``; same request id: what it removes is counted on the request)."""
        deletions = self.deletions
        spelled = other_spellings(deletions.column("customer_id"))
        if not spelled.num_rows:
            return deletions
        named = pa.table(
            {"row": np.arange(deletions.num_rows), "customer": canonical_ids(deletions.column("customer_id"))}
        )
        copies = named.join(spelled, "customer", join_type="inner")
        copies = copies.sort_by([("row", "ascending"), ("spelling", "ascending")])
        extra = deletions.take(copies.column("row"))
        at = extra.schema.get_field_index("customer_id")
        extra = extra.set_column(at, extra.schema.field(at), copies.column("spelling"))
        return pa.concat_tables([deletions, extra])

    @cached_property
    def doubted_customers(self) -> frozenset[str]:
        """``held_customers`` and their other spellings (``other_spellings``)."""
        return frozenset(with_other_spellings(self.held_customers))

    @cached_property
    def opt_out_spellings(self) -> dict[str, list[str]]:
        """Other spelling (``other_spellings``) → the customers (as the records spell them) with an
        opt-out event (or one of unknown status) whose id it is a spelling of."""
        spelled = other_spellings(self.consent.column("customer_id").filter(self._opt_outs))
        by_spelling = spelled.group_by("spelling", use_threads=False).aggregate([("customer", "list")])
        return dict(
            zip(
                by_spelling.column("spelling").to_pylist(),
                by_spelling.column("customer_list").to_pylist(),
                strict=True,
            )
        )

    @cached_property
    def _opt_outs(self) -> pa.Array:
        """Which consent events are opt-outs (a status that is unreadable counts as one)."""
        status = pc.utf8_lower(pc.utf8_trim_whitespace(self.consent.column("status")))
        return pc.fill_null(pc.equal(status, "opted_out"), True)

    def _named(self, consent_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``consent_ids`` and every customer a deletion, a hold or an opt-out of another spelling reaches
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


SPELLINGS = pa.schema([("customer", pa.string()), ("spelling", pa.string())])


def other_spellings(ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """(customer, spelling) pairs (``SPELLINGS``): each distinct canonical id of ``ids`` and each of its
    other spellings, the ids a tool may write for it (canonical, distinct, each differing from it):

    - its other cases: all lower and all upper as Python writes them (``STRASSE`` for ``straße``, as ICU
      and Java do) and as Arrow does (``STRAẞE``), and case folded;
    - its compatibility spellings, both ways: the NFKC form of it and of its other cases (``zed-7f`` for
      ``ｚｅｄ－７ｆ``, ``acct-88231907`` for ``acct-８８２３１９０７``), and the full-width form of each of
      those that is ASCII (``ｚｅｄ－７ｆ`` and ``ＺＥＤ－７Ｆ`` for ``zed-7f``);
    - for a UUID in any notation ``listed_key`` reads (of it or of its NFKC form), every notation of that
      UUID (``identity.uuid_notations``: hyphenated, braces, ``urn:uuid:``, 32 digits bare; lower and
      upper case).

    So a record reaches the data's spelling whichever of these either uses. Not reached from another
    spelling: an id the data holds partly in full-width forms (``acct-８８…``; a record naming it so
    reaches ``acct-88…``), and a UUID the data writes in a notation ``uuid_notations`` does not (mixed
    case, ``{urn:uuid:…}``, the bare digits in braces or as a URN; a record naming it so reaches the
    others).

    ASCII ids (nearly all; UUIDs too) are spelled in Arrow, without a pass over them in Python; the
    others once each."""
    distinct = pc.unique(canonical_ids(ids)).drop_null()
    if len(distinct) == 0:
        return SPELLINGS.empty_table()
    is_ascii = np.asarray(pc.string_is_ascii(distinct), dtype=bool)
    plain = distinct.filter(pa.array(is_ascii))
    # an ASCII id: its lower and upper case where they differ from it (and each other), the full-width
    # forms of the three (the full-width form of an ASCII id differs from every ASCII spelling)
    lower, upper = pc.ascii_lower(plain), pc.ascii_upper(plain)
    lower_differs = pc.not_equal(lower, plain)
    upper_differs = pc.and_(pc.not_equal(upper, plain), pc.not_equal(upper, lower))
    customers, spellings = [plain], [full_width(plain)]
    for spelled, differs in ((lower, lower_differs), (upper, upper_differs)):
        customers += [plain.filter(differs)] * 2
        spellings += [spelled.filter(differs), full_width(spelled.filter(differs))]
    # ... and a UUID, its notations that are none of those
    rows, notations = uuid_notations(plain)
    if len(rows):
        taken = pa.array(rows, pa.int64())
        spelled = [plain.take(taken), lower.take(taken), upper.take(taken), *notations]
        for notation in _new_in_row(spelled)[3:]:
            customers.append(plain.take(taken).filter(pc.is_valid(notation)))
            spellings.append(notation.drop_null())
    pairs = pa.Table.from_arrays(
        [pa.chunked_array(customers, pa.string()), pa.chunked_array(spellings, pa.string())], schema=SPELLINGS
    )
    if is_ascii.all():
        return pairs
    return pa.concat_tables([pairs, _non_ascii_spellings(distinct.filter(pa.array(~is_ascii)))])


def _new_in_row(columns: list[pa.Array]) -> list[pa.Array]:
    """``columns`` (same rows) with null where a value repeats one of an earlier column's in its row."""
    out = []
    for i, column in enumerate(columns):
        repeated = pa.array(np.zeros(len(column), dtype=bool))
        for earlier in columns[:i]:
            repeated = pc.or_(repeated, pc.fill_null(pc.equal(column, earlier), False))
        out.append(pc.if_else(repeated, pa.scalar(None, pa.string()), column))
    return out


def _non_ascii_spellings(ids: pa.Array) -> pa.Table:
    """``other_spellings`` of non-ASCII ids (distinct, canonical): Python's case rules and NFKC, once each."""
    named = ids.to_pylist()
    cases = [pa.array([fold(c) for c in named], pa.string()) for fold in (str.lower, str.upper, str.casefold)]
    cases += [pc.utf8_lower(ids), pc.utf8_upper(ids)]
    # (a change of case adds no character an id may not hold: NFC is all its canonical form needs; NFKC
    # may leave white space at an end, "´" is " ́", or a character an id may not hold)
    cases = [pc.utf8_normalize(column, "NFC") for column in cases]
    compatible = [canonical_ids(pc.utf8_normalize(column, "NFKC")) for column in (ids, *cases)]
    # (an ASCII case spelling is its own NFKC form: the full-width forms of those are all there are)
    spelled = [*cases, *compatible, *map(full_width, compatible)]
    customers = [ids] * len(spelled)
    for column in compatible:  # (a UUID's notations are ASCII: a full-width UUID's NFKC form is one)
        rows, notations = uuid_notations(column)
        customers += [ids.take(pa.array(rows, pa.int64()))] * len(notations)
        spelled += notations
    pairs = pa.Table.from_arrays(
        [pa.chunked_array(customers, pa.string()), pa.chunked_array(spelled, pa.string())], schema=SPELLINGS
    )
    other = pc.fill_null(pc.not_equal(pairs.column("customer"), pairs.column("spelling")), False)
    return (
        pairs.filter(other)
        .group_by(["customer", "spelling"], use_threads=False)
        .aggregate([])
        .select(SPELLINGS.names)
    )


def with_other_spellings(ids: Iterable[str]) -> set[str]:
    """``ids`` (canonical) and their other spellings (``other_spellings``)."""
    ids = set(ids)
    return ids | set(other_spellings(pa.array(sorted(ids), pa.string())).column("spelling").to_pylist())
