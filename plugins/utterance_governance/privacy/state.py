"""The consent and deletion state a decision is taken against."""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.privacy.identity import (
    canonical_id,
    canonical_ids,
    full_width,
    key_of_canonical,
    listed_key,
    uuid_notations,
)
from utterance_governance.privacy.keys import fold_digests, speaker_keys

log = logging.getLogger(__name__)


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
    ``zed-7f`` (typed through an East Asian input method), or names it in quotes (``"zed-7f"``: an id
    serialised twice) or with a Cyrillic or Greek look-alike letter (``zеd-7f``, U+0435), would otherwise
    match nothing. So its customer's other spellings (``other_spellings``: other cases, compatibility
    spellings both ways, every notation of a UUID, the id written plainly) are reached too:

    - a deletion request covers them (``deletion_requests``): a deletion can only remove more;
    - an opt-out counts against them where it is in force (``opt_out_spellings``, read by the
      ``OptedOut`` rule): the spelling's own history decides when, and its opt-ins never count for
      them (merged histories would let one spelling's later opt-in undo the other's opt-out);
    - a hold holds them (``doubted_customers``) as long as it holds the customer.

    A spelling is derived from the record's id, so a list of them cannot hold every case of it
    (``Zed-Cust-77`` for ``zed-cust-77``, ``Straße-9`` for ``STRASSE-9``). So a record that withdraws also
    reaches every id whose fold (NFKC, then case folded: ``identity.key_of_canonical``) is the fold of its
    id or of one of those spellings (``folds``): a row naming its customer is matched by the fold of its
    id; a published row, by its speaker key, among those the store pairs with the digest of that fold
    (``speakers_of_folds``, ``speaker_folds``; none for rows published before the store kept the pairs).
    A consent opt-in reaches its exact id only: granting by a looser match would fail open. The canonical
    id itself never changes: the speaker keys of the data stay what they are, and ids keep their case
    wherever they are written.
    """

    consent: pa.Table = field(default_factory=S.CONSENT.empty_table)
    deletions: pa.Table = field(default_factory=S.DELETION.empty_table)
    held_customers: frozenset[str] = frozenset()
    blocked_reasons: tuple[str, ...] = ()
    # the store's (``fold_key``, ``speaker_key``) pairs of some fold digests (``GovernanceStore.speakers_of_folds``);
    # None: no store, published rows are reached by their exact speaker key and the other spellings only
    speakers_of_folds: Callable[[Sequence[str]], pa.Table] | None = field(
        default=None, compare=False, repr=False
    )
    # (``TWINS``) an id a listing names (as the store keeps it) and another id of its recording: a
    # recording delivered twice under two ids, one published, one dropped as its duplicate
    twins: pa.Table = field(default_factory=lambda: TWINS.empty_table())
    # those of some digests (``privacy.keys.erased_digests``) the store holds: the recordings a delete-all or a
    # range erased (``io.store.erased``), covered by it whatever their time; None: no store, none known
    erased_among: Callable[[Sequence[str]], Collection[str]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def publishing_blocked(self) -> bool:
        return bool(self.blocked_reasons)

    @cached_property
    def deletions_with_twins(self) -> pa.Table:
        """``deletions``, each listing (scope ``utterances``) widened by the other ids of the recordings it
        names (``twins``: the store's recording twins): a customer deletes the id their app shows, and the
        recording is live under the id of its redelivery; or deletes the live id, and the redelivery must
        never be published in its place. The ids are appended to the request's own list (compared as
        ``listed_key`` compares them), so what they remove is counted on the request."""
        deletions = self.deletions
        if not self.twins.num_rows or not deletions.num_rows:
            return deletions
        twin_ids: dict[str, list[str]] = {}
        for named, twin in zip(
            listed_key(self.twins.column("utterance_id")).to_pylist(),
            self.twins.column("twin_id").to_pylist(),
            strict=True,
        ):
            if named is not None and twin is not None:
                twin_ids.setdefault(named, []).append(twin)
        scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope"))).to_pylist()
        lists = []
        for kind, ids in zip(scope, deletions.column("utterance_ids").to_pylist(), strict=True):
            if kind == "utterances" and ids:
                keys = listed_key(pa.array(ids, pa.string())).to_pylist()
                extra = [t for k in keys if k is not None for t in twin_ids.get(k, ())]
                ids = ids + [t for t in dict.fromkeys(extra) if t not in ids]
            lists.append(ids)
        at = deletions.schema.get_field_index("utterance_ids")
        return deletions.set_column(
            at, deletions.schema.field(at), pa.array(lists, deletions.schema.field(at).type)
        )

    @cached_property
    def deletion_requests(self) -> pa.Table:
        """``deletions`` (their listings widened by ``twins``: ``deletions_with_twins``), and for each
        request a copy naming each other spelling of its customer (``other_spellings``; same request id:
        what it removes is counted on the request)."""
        deletions = self.deletions_with_twins
        _say_read_plainly("deletion request", deletions, "request_id")
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
    def deleted_ids(self):
        """The ids of the customers with a delete-all, in every spelling, made ready to be looked for in
        text (``privacy.said.SaidIds``): a row saying one is never published, whoever spoke."""
        from utterance_governance.privacy.said import said_ids_of

        return said_ids_of(self.deletions)

    @cached_property
    def named_customers(self) -> tuple[str, ...]:
        """Every customer a privacy record names (consent events, deletion requests, unreadable records): customers
        whether or not a row of theirs is live, whose id a turn must not write (``privacy.named``)."""
        ids = {
            *self.consent.column("customer_id").to_pylist(),
            *self.deletions.column("customer_id").to_pylist(),
            *self.held_customers,
        }
        return tuple(sorted(i for i in ids if i))

    def named_customer_keys(self, key: bytes) -> frozenset[str]:
        """The speaker keys of ``named_customers`` under ``key``, as written and as folded; made once."""
        from utterance_governance.privacy.identity import canonical_ids, key_of_canonical

        cache = self.__dict__.setdefault("_named_customer_keys", {})
        if key not in cache:
            canonical = canonical_ids(pa.array(self.named_customers, pa.string()))
            cache[key] = frozenset(
                k
                for ids in (canonical, key_of_canonical(canonical))
                for k in speaker_keys(ids, key).to_pylist()
                if k
            )
        return cache[key]

    @cached_property
    def doubted_customers(self) -> frozenset[str]:
        """``held_customers`` and their other spellings (``other_spellings``)."""
        return frozenset(with_other_spellings(self.held_customers))

    @cached_property
    def opt_out_spellings(self) -> dict[str, list[str]]:
        """Other spelling (``other_spellings``) → the customers (as the records spell them) with an
        opt-out event (or one of unknown status) whose id it is a spelling of."""
        opt_outs = self.consent.filter(self._opt_outs)
        _say_read_plainly("opt-out", opt_outs, "event_id")
        spelled = other_spellings(opt_outs.column("customer_id"))
        by_spelling = spelled.group_by("spelling", use_threads=False).aggregate([("customer", "list")])
        return dict(
            zip(
                by_spelling.column("spelling").to_pylist(),
                by_spelling.column("customer_list").to_pylist(),
                strict=True,
            )
        )

    @property
    def read_plainly(self) -> tuple[str, ...]:
        """The deletion requests and opt-out events (their ids) naming their customer in quotes or with a
        look-alike letter (``plain_readings``): they reach the id written plainly too."""
        opt_outs = self.consent.filter(self._opt_outs)
        return _read_plainly(self.deletions, "request_id") + _read_plainly(opt_outs, "event_id")

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

    @cached_property
    def folds(self) -> Folds:
        """The folds (``identity.key_of_canonical``) of the ids records that withdraw name and of the ids they
        may have meant (``plain_readings``; a hold's, of its other spellings too), with the customers each
        withdraws for (``Folds``). Computed once per state: 1,780 folds of 9,095 consent events and 155
        deletions in some 30 ms."""
        customers = self.customers
        requested = pc.unique(canonical_ids(self.deletions.column("customer_id"))).drop_null()
        deleting = pa.concat_tables([
            pa.table({"customer": requested, "spelling": requested}, schema=SPELLINGS),
            plain_readings(requested),
        ])  # fmt: skip
        opt_outs = pc.unique(
            canonical_ids(self.consent.filter(self._opt_outs).column("customer_id"))
        ).drop_null()
        opting_out = pa.concat_tables([
            pa.table({"customer": opt_outs, "spelling": opt_outs}, schema=SPELLINGS),
            plain_readings(opt_outs),
        ])  # fmt: skip
        # (an id's other spellings, ``spellings_of``, fold as it does, Turkish cases, other dashes and its
        # percent-encoding included: ``identity._caseless``; its plain readings are all that add a fold)
        holding = pa.array(sorted(self.doubted_customers), pa.string())
        folded = [key_of_canonical(t.column("spelling").combine_chunks()) for t in (deleting, opting_out)]
        held = key_of_canonical(holding)
        values = pc.unique(pa.chunked_array([*folded, held], pa.string())).drop_null()

        def members(pairs: pa.Table, fold: pa.Array) -> tuple[np.ndarray, np.ndarray]:
            at = _positions(fold, values)
            code = _positions(pairs.column("customer"), customers)
            ok = (at >= 0) & (code >= 0)
            both = np.unique(np.stack([at[ok], code[ok]]), axis=1) if ok.any() else np.zeros((2, 0), np.int64)
            return both[0], both[1]

        held_at = _positions(held, values)
        return Folds(values, members(deleting, folded[0]), members(opting_out, folded[1]),
                     np.unique(held_at[held_at >= 0]))  # fmt: skip

    def speaker_folds(self, key: bytes) -> tuple[pa.Array, np.ndarray]:
        """(speaker keys of ids of one of ``folds``, the position of that fold in ``folds.values``), once per
        key: the speaker key of each fold itself (an id that is its own fold: the store keeps no pair for
        it, ``keys.fold_pairs``) and those the store pairs with the fold's digest (none without a store)."""
        cache = self.__dict__.setdefault("_speaker_folds", {})
        if key not in cache:
            values = self.folds.values
            speakers, at = [speaker_keys(values, key)], [np.arange(len(values), dtype=np.int64)]
            if self.speakers_of_folds is not None and len(values):
                digests = fold_digests(values, key)
                pairs = self.speakers_of_folds(digests.to_pylist())
                speakers.append(pairs.column("speaker_key").combine_chunks())
                at.append(_positions(pairs.column("fold_key"), digests))
            speakers, at = pa.concat_arrays([s.cast(pa.string()) for s in speakers]), np.concatenate(at)
            known = pc.is_valid(speakers)  # (a fold that is no usable id has no speaker key)
            cache[key] = (speakers.filter(known), at[np.asarray(known, dtype=bool)])
        return cache[key]

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
TWINS = pa.schema([("utterance_id", pa.string()), ("twin_id", pa.string())])  # (``PrivacyState.twins``)


@dataclass(frozen=True)
class Folds:
    """``PrivacyState.folds``: ``values``, the distinct folds; for deletions and for opt-outs, (fold position,
    customer code) pairs: a row whose id has that fold is judged as that customer's too (the code indexes
    ``PrivacyState.customers``: the record's customer as it spells it); ``holding``: the folds of the held
    customers and their other spellings (positions)."""

    values: pa.Array
    deleting: tuple[np.ndarray, np.ndarray]
    opting_out: tuple[np.ndarray, np.ndarray]
    holding: np.ndarray


def _positions(values: pa.Array | pa.ChunkedArray, dictionary: pa.Array) -> np.ndarray:
    """The position of each value in ``dictionary`` (-1: not there, or null)."""
    if len(dictionary) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    found = pc.index_in(values, value_set=dictionary)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def other_spellings(ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """(customer, spelling) pairs (``SPELLINGS``): each distinct canonical id of ``ids`` and each of its
    other spellings, the ids a tool may write for it (canonical, distinct, each differing from it):
    ``spellings_of`` it, and for an id a record names in quotes or with a look-alike letter
    (``plain_readings``: ``"zed-4417"``, ``zеd-4417`` with a Cyrillic е) the id written plainly and its own
    ``spellings_of``. Every caller reads them for a record that takes something away (a deletion, an
    opt-out, a hold): reaching more can only take more away."""
    distinct = pc.unique(canonical_ids(ids)).drop_null()
    spelled = spellings_of(distinct)
    readings = plain_readings(distinct)
    if not readings.num_rows:
        return spelled
    of_reading = spellings_of(readings.column("spelling")).rename_columns(["reading", "spelling"])
    via = readings.rename_columns(["customer", "reading"]).join(of_reading, "reading", join_type="inner")
    # (only the few ids read otherwise get pairs twice: the others' pairs are distinct already)
    read = pc.is_in(spelled.column("customer"), value_set=readings.column("customer"))
    pairs = pa.concat_tables([spelled.filter(read), readings, via.select(SPELLINGS.names).cast(SPELLINGS)])
    pairs = pairs.filter(pc.not_equal(pairs.column("customer"), pairs.column("spelling")))
    pairs = pairs.group_by(SPELLINGS.names, use_threads=False).aggregate([]).select(SPELLINGS.names)
    return pa.concat_tables([spelled.filter(pc.invert(read)), pairs])


def spellings_of(ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """(customer, spelling) pairs (``SPELLINGS``): each distinct canonical id of ``ids`` and each of its
    other spellings as written (canonical, distinct, each differing from it):

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


# The Latin letter or digit a Cyrillic or Greek letter is drawn as (Unicode's confusables, UTS #39:
# confusables.txt, as confusable_homoglyphs 3.3.1 carries it; its letters alone, each to the Latin
# prototype: the iotas and the palochka to I as a layout types it, where the skeleton says l)
_LATIN_LOOKALIKES = {
    # Greek
    "\u037f": "J", "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H", "\u0399": "I",
    "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y",
    "\u03a7": "X", "\u03b1": "a", "\u03b3": "y", "\u03b9": "i", "\u03bd": "v", "\u03bf": "o", "\u03c1": "p",
    "\u03c3": "o", "\u03c5": "u", "\u03d2": "Y", "\u03dc": "F", "\u03f1": "p", "\u03f2": "c", "\u03f3": "j",
    "\u03f9": "C", "\u03fa": "M", "\u1d26": "r",
    # Cyrillic
    "\u0405": "S", "\u0406": "I", "\u0408": "J", "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u0417": "3",
    "\u041a": "K", "\u041c": "M", "\u041d": "H", "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T",
    "\u0423": "Y", "\u0425": "X", "\u042c": "b", "\u0430": "a", "\u0431": "6", "\u0433": "r", "\u0435": "e",
    "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i",
    "\u0458": "j", "\u0461": "w", "\u0474": "V", "\u0475": "v", "\u04ae": "Y", "\u04af": "y", "\u04bb": "h",
    "\u04bd": "e", "\u04c0": "I", "\u04cf": "i", "\u04e0": "3", "\u0501": "d", "\u050c": "G", "\u051b": "q",
    "\u051c": "W", "\u051d": "w", "\ua644": "2", "\ua647": "i",
}  # fmt: skip
_AS_LATIN = str.maketrans(_LATIN_LOOKALIKES)
# an id that may be in quotes (either kind) or hold a letter of another script (a cheap first look)
_MAY_READ_OTHERWISE = r"^[\"'].*[\"']$|[^\x00-\x7f]"


def plain_readings(ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """(customer, spelling) pairs (``SPELLINGS``) for the distinct canonical ids of ``ids`` that a record
    may have named otherwise than it meant, with the id it meant:

    - in one pair of matching quotes, ``"zed-4417"`` or ``'zed-4417'`` (a JSON string encoded twice, a CSV
      cell's quotes kept): the id inside them, JSON-decoded where it reads as a JSON string;
    - with Cyrillic or Greek letters that look like Latin ones, every such letter of the id being one
      (``zеd-4417`` with U+0435, typed with a Cyrillic layout active; ``АВС`` in Cyrillic): the id with
      each written in Latin (``_LATIN_LOOKALIKES``). An id holding another Cyrillic or Greek letter is
      one of that script and has no such reading (``иван-1``, ``Αθήνα``).

    Both again where the result reads otherwise once more (``"zеd-4417"``; ``"\\"zed\\""``), canonical;
    the ids written plainly (nearly all) are passed over in Arrow."""
    distinct = pc.unique(canonical_ids(ids)).drop_null()
    maybe = distinct.filter(pc.match_substring_regex(distinct, _MAY_READ_OTHERWISE))
    customers, readings = [], []
    for customer in maybe.to_pylist():
        for reading in _read_otherwise(customer):
            customers.append(customer)
            readings.append(reading)
    return pa.table(
        {"customer": pa.array(customers, pa.string()), "spelling": pa.array(readings, pa.string())},
        schema=SPELLINGS,
    )


def _read_otherwise(value: str) -> list[str]:
    """The ids ``value`` (canonical) may have meant (``plain_readings``), in the order found."""
    found: list[str] = []
    todo = [value]
    while todo:
        named = todo.pop()
        for meant in (_unquoted(named), _as_latin(named)):
            meant = canonical_id(meant)
            if meant is not None and meant != value and meant not in found:
                found.append(meant)
                todo.append(meant)
    return found


def _unquoted(value: str) -> str | None:
    """``value`` without one pair of matching quotes around it (JSON-decoded when it reads as a JSON string)."""
    if len(value) < 2 or value[0] != value[-1] or value[0] not in "\"'":
        return None
    if value[0] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            return decoded
    return value[1:-1]


def _as_latin(value: str) -> str | None:
    """``value`` with its Cyrillic and Greek letters written as the Latin ones they look like, when each
    of them looks like one; else None."""
    latin = value.translate(_AS_LATIN)
    if latin == value or any(_is_cyrillic_or_greek(ch) for ch in latin):
        return None
    return latin


def _is_cyrillic_or_greek(ch: str) -> bool:
    return not ch.isascii() and unicodedata.name(ch, "").startswith(("CYRILLIC", "GREEK"))


def _read_plainly(records: pa.Table, id_column: str) -> tuple[str, ...]:
    """The ids (``id_column``) of ``records`` whose customer has a plain reading (``plain_readings``)."""
    readings = plain_readings(records.column("customer_id"))
    if not readings.num_rows:
        return ()
    named = pc.is_in(canonical_ids(records.column("customer_id")), value_set=readings.column("customer"))
    return tuple(sorted(set(records.column(id_column).filter(pc.fill_null(named, False)).to_pylist())))


def _say_read_plainly(kind: str, records: pa.Table, id_column: str) -> None:
    """Log the records (by their own id, never the customer's) that name their customer otherwise than
    plainly: each also reaches the id written plainly."""
    named = _read_plainly(records, id_column)
    if named:
        log.warning(
            "%d %s(s) name their customer in quotes or with a look-alike letter, and reach the id written "
            "plainly too: %s",
            len(named), kind, ", ".join(named[:20]),
        )  # fmt: skip
