"""One identity (SPEC §4.1): every id is compared in one canonical form, everywhere.

An id's canonical form is its Unicode NFC form with surrounding white space (Unicode's ``White_Space``) removed;
case is kept. Publishing, purging, the re-check under the lock, the audit, the access report and the
speaker keys all compare ids through ``canonical_ids``, so an opt-out whose ``customer_id``
carries a trailing space, or a deletion request that spells an id in NFD, names the same
customer as the utterances do. The readers canonicalise every id they read (JSON ``\\u``
escapes are decoded first, gzip and Parquet alike), so the store and the lake hold canonical ids.

An id that is empty after that, or that holds a character which cannot be told apart from
nothing or from another id when printed, makes its record malformed (``None`` here):

- control characters (``Cc``: NUL, tab, newline inside the id, ...),
- format characters (``Cf``: zero-width spaces and joiners, byte-order marks, bidi overrides),
- surrogates, private-use characters, line and paragraph separators,
- any space other than U+0020 inside the id (a no-break space would make a second identity),
- the rest of Unicode's ``Default_Ignorable_Code_Point`` (the combining grapheme joiner, Hangul
  fillers, variation selectors, Mongolian free variation selectors: letters and marks that print as
  nothing) and U+2800 BRAILLE PATTERN BLANK.

The SPEC names control characters; the other classes are refused for the same reason: an id
that differs from another only by an invisible character would match nothing, and a privacy
record that matches nothing must never count as honoured.

An utterance's ``customer_id`` that is a serialiser's word for no value (``PLACEHOLDERS``, any
case: ``null``, ``None``, ``NaN``, ``undefined``, ``N/A``, ``-``, ``0``, ``[object Object]``, Hive's
``__HIVE_DEFAULT_PARTITION__`` ..., each also in quotes: '"null"'), or the nil UUID in any notation
(``NIL_UUID``), is refused by the reader (``is_placeholder``): every customer whose id was lost upstream would share it, one identity no
opt-out or deletion of the real id can reach. It stays a canonical id everywhere else: a consent or
deletion record naming it still reaches the rows published under it before, and other ids ("0" as an
utterance id) are not refused.

Where a record takes something away, the canonical form is not all it reaches: a deletion's listed
utterance ids are matched case-folded, a UUID in any of its notations (``listed_key``), and a
deletion, an opt-out or a hold reaches its customer's other spellings (``PrivacyState``,
``state.other_spellings``): its other cases; its compatibility spellings both ways, the NFKC form
(``zed-7f`` for the full-width ``ｚｅｄ－７ｆ``) and, for an ASCII id, the full-width form
(``full_width``); and for a UUID, every notation of it (``uuid_notations``: ``6f1c…-…``, ``{6F1C…}``,
``urn:uuid:6f1c…``, the 32 digits bare). A request must not match nothing because a tool changed case,
wrote a UUID its own way or typed the id through an East Asian input method. Beyond that fixed list, such
a record reaches every id whose fold (``key_of_canonical``: NFKC, then case folded) is its own: one
customer's two devices writing ``zed-cust-77`` and ``Zed-Cust-77``, or ``STRASSE-9`` and ``Straße-9``
(``PrivacyState.folds``; published rows through the store's keyed digests of the folds,
``privacy.keys.fold_keys``; raw lines through ``AnyCase``). This is a deliberate widening of SPEC §4.1's
"case is kept" for what withdraws only: a consent opt-in reaches its exact id (granting by a looser match
would fail open), and ids keep their case wherever they are written. The canonical form itself stays NFC:
the speaker keys of the data do not change.

Enumerations (``purpose``, ``status``, ``scope``) match case-insensitively after trimming
(``canonical_enum``); any other value is unreadable.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# Unicode's White_Space property (not Python's isspace, which also strips \x1c-\x1f: control characters)
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_CONTROL = r"[\x00-\x1f\x7f]"
_ASCII_OR_FULL_WIDTH = r"^[\x00-\x7f\x{FF01}-\x{FF5E}]*$"
# what writers put where a value was lost (str(None), a pandas NaN, JavaScript's undefined, ...), folded
# (pandas' "<NA>" and "NaT", PostgreSQL's and MySQL's text-format null "\\N", Go's "<nil>", a spreadsheet's
# "#N/A", an empty string quoted twice, JavaScript's String({}), Hive's and Spark's null partition value);
# each also in one pair of quotes ('"null"': a placeholder serialised twice), and the nil UUID (``NIL_UUID``)
PLACEHOLDERS = frozenset(
    {"null", "none", "nan", "undefined", "nil", "n/a", "na", "-", "0", "(null)", "<null>", "unknown",
     "<na>", "nat", "\\n", "<nil>", "#n/a", "#null!", "(none)", "<none>", "[null]", '""', "''", "n.a.",
     "[object object]", "__hive_default_partition__"}
)  # fmt: skip
# RFC 4122's "all bits zero" (.NET Guid.Empty, Go uuid.Nil, Java new UUID(0, 0)), as ``listed_key`` writes it
NIL_UUID = "00000000-0000-0000-0000-000000000000"


# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties) outside the categories refused above,
# and the braille blank: each prints as nothing, so an id holding one looks like another id
_INVISIBLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065),
    (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)  # fmt: skip


_PLACEHOLDER_VALUES = pa.array(sorted(PLACEHOLDERS | {NIL_UUID}), pa.string())
# one pair of matching quotes around a value (and the white space inside them)
_QUOTED = r"^(?:\"\s*(.*?)\s*\"|'\s*(.*?)\s*')$"


def _refused(ch: str) -> bool:
    if ch == "\ufffd":  # the replacement character: bytes a decoder could not read ("Am\ufffdlie")
        return True
    category = unicodedata.category(ch)
    if category in _REFUSED_CATEGORIES or (category == "Zs" and ch != " "):
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _INVISIBLE)


# the spaces an id may not hold that print as a space (``Zs`` other than U+0020)
_OTHER_SPACES = frozenset(ch for ch in WHITE_SPACE if unicodedata.category(ch) == "Zs" and ch != " ")


def without_refused(value: str) -> str:
    """``value`` without the characters an id may not hold (the classes above): the id it prints as.
    For erasure and holds only, where matching more can only erase or withhold more (``purge.copies``,
    ``readers.customers_in_raw``): a malformed row or opt-out whose id is ``zed-7f`` and a zero-width space
    is still ``zed-7f``'s. A space other than U+0020 prints as a space, and is read as one: a broken
    delete-all naming ``zed\u00a0cust 77`` (a no-break or an ideographic space typed for the space of
    ``zed cust 77``) held ``zedcust77``, nobody, and the customer's rows stayed live. Between two digits
    it is a digit group's (``88\u202f231\u202f907``: French number formatting groups thousands with a
    narrow no-break space), and the number is read without it."""
    kept = [ch for ch in value if ch in _OTHER_SPACES or not _refused(ch)]
    out = []
    for i, ch in enumerate(kept):
        if ch in _OTHER_SPACES:
            if 0 < i < len(kept) - 1 and kept[i - 1].isdigit() and kept[i + 1].isdigit():
                continue
            ch = " "
        out.append(ch)
    return "".join(out)


def canonical_id(value: object) -> str | None:
    """The canonical form of one id, or ``None`` when it is not a usable id (see the module doc)."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value).strip(WHITE_SPACE)
    if not text or any(_refused(ch) for ch in text):
        return None
    return text


def listed_key(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Utterance ids as a deletion request's list is matched against them: canonical, then case
    folded (``fold_case``). Ids keep their case everywhere else, but a request listing ``6F1C…``
    where the utterance is ``6f1c…`` (a support tool that upper-cases UUIDs) would match nothing and
    complete with nothing deleted. Folding can only delete more: a listing reaches the requesting
    customer's rows (and those of its other-case spellings, ``PrivacyState.deletion_requests``) and
    rows whose customer is unknown.

    A UUID is one id however it is written: ``{6f1c…}``, ``urn:uuid:6f1c…`` and its 32 digits without
    hyphens all read as ``6f1c…-…`` (a listing that matched nothing completed its receipt with nothing
    deleted)."""
    return key_of_canonical(canonical_ids(ids))


# a UUID in braces, as a URN, or without its hyphens (case folded already): its canonical form
_UUID_FORMS = [
    rf"^(?:urn:uuid:)?\{{?{hyphen.join(f'([0-9a-f]{{{n}}})' for n in (8, 4, 4, 4, 12))}\}}?$"
    for hyphen in ("-", "")
]


# ... the values a form may rewrite (one pass; a UUID written as UUIDs are, the many, is left alone)
_UUID_ODD = r"^(?:urn:uuid:|\{)|^[0-9a-f]{32}\}?$"


def key_of_canonical(ids: pa.Array | pa.ChunkedArray, *, numbers: bool = True) -> pa.Array:
    """``listed_key`` of ids that are canonical already. Compatibility spellings fold too (NFKC: a
    listing typed through an East Asian input method, ``６ｆ１ｃ…``, is the utterance ``6f1c…``; the ASCII
    ids, nearly all, are not read for it), and so do the spellings of tools that write ids otherwise than
    Unicode's case rules (``_caseless``: Turkish case, dashes) or percent-encode them (``acct%2F42`` is
    ``acct/42``: ``_percent_decoded``). An id of digits only is the number they write, whatever zeros
    lead it: a CRM or a spreadsheet that keeps account ids as numbers sends ``88231907`` for the
    account ``0088231907`` (no JSON number keeps a leading zero), and an opt-out or a deletion so
    written matched nobody (``numbers=False``: the digits as written, where a value is compared with the
    words writers put for a lost one: ``0`` is one, ``00`` none)."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    plain = pc.fill_null(pc.string_is_ascii(ids), True)
    if not pc.all(plain).as_py():
        ids = pc.if_else(plain, ids, pc.utf8_normalize(ids, "NFKC"))
    # (after NFKC: ``ａｃｃｔ％２Ｆ４２`` is ``acct%2F42``, which is ``acct/42``)
    key = fold_case(_percent_decoded(ids))
    if numbers:
        key = pc.replace_substring_regex(key, _LEADING_ZEROS, r"\1")
    odd = pc.fill_null(pc.match_substring_regex(key, _UUID_ODD), False)
    if not pc.any(odd).as_py():
        return key
    fixed = key.filter(odd)
    for form in _UUID_FORMS:
        fixed = pc.replace_substring_regex(fixed, form, r"\1-\2-\3-\4-\5")
    return pc.replace_with_mask(key, odd, fixed)


# the zeros before the digits of an id of digits only (one digit stays: ``000`` is ``0``)
_LEADING_ZEROS = r"^0+([0-9]+)$"
# a UUID as ``key_of_canonical`` writes every notation of it, and what may be one (a cheap first look, any case)
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_UUID_LIKE = r"^(?:urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$"


def may_be_uuid(ids: pa.Array) -> np.ndarray:
    """Rows that may be a UUID in one of its notations (a cheap first look: ``uuid_notations`` tells)."""
    return np.asarray(
        pc.fill_null(pc.match_substring_regex(ids, _UUID_LIKE, ignore_case=True), False), dtype=bool
    )


def uuid_notations(ids: pa.Array) -> tuple[np.ndarray, list[pa.Array]]:
    """(the positions of the ``ids`` (canonical) that are a UUID in one of its notations, and for those
    the notations of that UUID, a column each): hyphenated, in braces, as a URN (``urn:uuid:`` with
    lower- and upper-case digits, ``URN:UUID:``) and its 32 digits bare, in lower and in upper case.
    A notation is one ``listed_key`` reads as the UUID (``{6F1C…}``, ``urn:uuid:6f1c…``, ``6f1c2b7e90aa…``)."""
    rows = np.flatnonzero(may_be_uuid(ids))
    if not len(rows):
        return rows, []
    key = key_of_canonical(ids.take(pa.array(rows, pa.int64())))
    uuid = pc.fill_null(pc.match_substring_regex(key, _UUID), False)
    rows, lower = rows[np.asarray(uuid, dtype=bool)], key.filter(uuid)
    upper = pc.ascii_upper(lower)
    bare = [pc.replace_substring(digits, "-", "") for digits in (lower, upper)]
    wrapped = [
        pc.binary_join_element_wise(before, digits, after, "")
        for before, digits, after in (
            ("{", lower, "}"), ("{", upper, "}"), ("urn:uuid:", lower, ""), ("urn:uuid:", upper, ""),
            ("URN:UUID:", upper, ""),
        )
    ]  # fmt: skip
    return rows, [lower, upper, *bare, *wrapped]


def full_width(values: pa.Array) -> pa.Array:
    """Each ASCII value with its characters ``!``..``~`` written in their full-width forms (U+FF01..U+FF5E,
    as an East Asian input method types them: ``ｚｅｄ－７ｆ`` for ``zed-7f``; the space stays); null for a
    value that is not ASCII. Vectorised: the UTF-8 bytes are rewritten at once."""
    if len(values) == 0:
        return pa.array([], pa.string())
    ascii_values = pc.fill_null(pc.string_is_ascii(values), False)
    values = pc.if_else(ascii_values, values, pa.scalar(None, pa.string())).cast(pa.large_string())
    _, offsets, data = values.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[values.offset : values.offset + len(values) + 1]
    raw = (
        np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data is not None
        else np.zeros(0, np.uint8)
    )
    wide = (raw >= 0x21) & (raw <= 0x7E)
    ends = np.cumsum(np.where(wide, 3, 1))  # where each character's bytes end in the output
    out = np.empty(ends[-1] if len(ends) else 0, dtype=np.uint8)
    code = raw.astype(np.int64) + 0xFEE0  # U+FF01.. for "!"..: three bytes in UTF-8
    out[ends[~wide] - 1] = raw[~wide]
    at = ends[wide] - 3
    out[at], out[at + 1], out[at + 2] = 0xEF, 0x80 | ((code[wide] >> 6) & 0x3F), 0x80 | (code[wide] & 0x3F)
    starts = np.concatenate([[0], ends])[offsets - offsets[0]]
    wide_values = pa.Array.from_buffers(
        pa.large_string(), len(values), [None, pa.py_buffer(starts.astype(np.int64)), pa.py_buffer(out)]
    )
    return pc.if_else(pc.is_valid(values), wide_values, pa.scalar(None, pa.large_string())).cast(pa.string())


def _caseless(value: str) -> str:
    """Unicode's compatibility caseless form (D146: NFKD(casefold(NFKD(casefold(NFD(x)))))), composed
    (NFKC). Python's ``casefold`` alone leaves some letters decomposed and others not: ``ΐ`` (U+0390) folds
    to ι and two marks, its upper-case spelling ``Ϊ́`` to ``ϊ`` and one mark, and an opt-out naming the one
    missed the other's recordings (so did 25 more Greek and Latin letters with marks: ``ǰ``, ``ẖ``, ``ᾷ``).

    Then the letters and marks tools write otherwise than Unicode's case rules fold alike: the dotless ``ı``
    and the dotted ``İ`` (which folds to ``i`` and a combining dot) are ``i`` (to a Turkish tool ``KIZ-7`` is
    ``kız-7`` and ``istanbul-7`` is ``İSTANBUL-7``; Unicode folds them apart), and every dash a word processor
    or a CRM writes for a hyphen-minus is one (``zed‐cust-1``, U+2010; an en dash, a minus sign)."""
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKD", unicodedata.normalize("NFD", value).casefold()).casefold()
    )
    return _DASHES.sub("-", folded.replace("\u0131", "i").replace("i\u0307", "i"))


# the dashes a word processor or a CRM writes for a hyphen-minus (hyphen, non-breaking hyphen, figure dash, en
# and em dash, horizontal bar, minus sign, small hyphen-minus; NFKC makes the full-width one ASCII already)
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63]")
_PERCENT = r"%[0-9A-Fa-f]{2}"


def _percent_decoded(ids: pa.Array) -> pa.Array:
    """``ids``, each holding a percent-encoded byte (``acct%2F42``, a tool that encodes ids for a URL) decoded
    (``acct/42``; bytes that are no UTF-8 as U+FFFD): a record and the data that write an id so and plainly
    are one customer."""
    encoded = pc.fill_null(pc.match_substring_regex(ids, _PERCENT), False)
    if not pc.any(encoded).as_py():
        return ids
    decoded = pa.array([urllib.parse.unquote(v) for v in ids.filter(encoded).to_pylist()], ids.type)
    return pc.replace_with_mask(ids, encoded, decoded)


def caseless(value: str) -> str:
    """One text case folded as ids are (``_caseless``; ASCII by ``lower``, which is the same for it): for code
    that compares a customer's spellings one by one (the store paths a delete-all seals, the run reports it
    scrubs), so that it agrees with ``key_of_canonical``."""
    folded = value.lower() if value.isascii() else _caseless(value)
    if not re.search(_PERCENT, folded):
        return _number_of(folded)
    decoded = urllib.parse.unquote(folded)  # (as ``key_of_canonical`` decodes an id, after NFKC)
    return _number_of(decoded.lower() if decoded.isascii() else _caseless(decoded))


def _number_of(folded: str) -> str:
    """An id of ASCII digits only as the number it writes (``_LEADING_ZEROS``), any other as it is."""
    return (folded.lstrip("0") or "0") if folded.isascii() and folded.isdigit() else folded


def fold_case(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Every value case folded (``_caseless``: ``STRASSE`` and ``straße``, ``İD`` and ``i̇d``, ``ΐ`` and
    ``Ϊ́`` fold alike), vectorised: ASCII values in Arrow, the others once per distinct value."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    folded = pc.ascii_lower(values)
    other = np.flatnonzero(~np.asarray(pc.fill_null(pc.string_is_ascii(values), True), dtype=bool))
    if not len(other):
        return folded
    encoded = pc.dictionary_encode(values.take(pa.array(other, pa.int64())))
    table = pa.array([_caseless(v) for v in encoded.dictionary.to_pylist()], values.type)
    mask = np.zeros(len(values), dtype=bool)
    mask[other] = True
    return pc.replace_with_mask(folded, pa.array(mask), table.take(encoded.indices))


def canonical_ids(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """``canonical_id`` of every value, vectorised; nulls and unusable ids become null.

    ASCII values (nearly all) are trimmed and checked in Arrow, and so are those whose other characters
    are all full-width forms of ASCII (U+FF01..U+FF5E: no white space, nothing refused, nothing NFC
    changes; every ASCII id's ``full_width`` spelling is one); the few others go through Python's
    ``unicodedata``, once per distinct value.
    """
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(list(values), pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    if len(values) == 0:
        return pa.array([], pa.string())
    if _canonical_as_they_are(values):
        return values
    plain = np.asarray(pc.fill_null(pc.string_is_ascii(values), True), dtype=bool)
    if not plain.all():
        widened = pc.fill_null(pc.match_substring_regex(values, _ASCII_OR_FULL_WIDTH), True)
        plain |= np.asarray(widened, dtype=bool)
    trimmed = pc.utf8_trim(values, WHITE_SPACE)
    bad = pc.or_kleene(
        pc.equal(pc.utf8_length(trimmed), 0), pc.match_substring_regex(trimmed, _ASCII_CONTROL)
    )
    out = pc.if_else(pc.fill_null(bad, False), pa.scalar(None, pa.string()), trimmed)
    if plain.all():
        return out
    others = np.flatnonzero(~plain)
    encoded = pc.dictionary_encode(values.take(pa.array(others, pa.int64())))
    canonical = pa.array([canonical_id(v) for v in encoded.dictionary.to_pylist()], pa.string())
    fixed = canonical.take(encoded.indices)
    merged = np.asarray(out.to_numpy(zero_copy_only=False), dtype=object)
    merged[others] = fixed.to_numpy(zero_copy_only=False)
    return pa.array(merged, pa.string())


def _canonical_as_they_are(values: pa.StringArray) -> bool:
    """Whether every value given is printable ASCII (U+0020..U+007E), not empty, and neither starts nor
    ends with a space: canonical as it is (NFC and trimming change nothing, nothing is refused), as
    nearly every id of every night is. Read in NumPy over the column's bytes, once; a value with
    anything else (or a null spanning bytes) sends the column through ``canonical_ids``' other path."""
    _, offsets, data = values.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]] if data is not None else None
    if raw is not None and ((raw - np.uint8(0x20)) > np.uint8(0x7E - 0x20)).any():
        return False
    lengths = np.diff(offsets)
    given = lengths > 0
    if values.null_count:
        valid = np.asarray(pc.is_valid(values), dtype=bool)
        if (valid & ~given).any():  # an empty id
            return False
    elif not given.all():
        return False
    if raw is None:
        return True
    starts = offsets[:-1][given] - offsets[0]
    ends = offsets[1:][given] - offsets[0] - 1
    return not ((raw[starts] == 0x20).any() or (raw[ends] == 0x20).any())


class AnyCase(frozenset):
    """Ids (canonical) for erasure, that also hold every id of the same fold (``key_of_canonical``: NFKC,
    then case folded): ``"Zed-Cust-77" in AnyCase({"zed-cust-77"})``. For a raw line searched for a deleted
    customer (``purge.copies``), where matching more can only erase more; iterating gives the ids given."""

    def __new__(cls, ids: Iterable[str], folds: Iterable[str] | None = None) -> AnyCase:
        self = super().__new__(cls, ids)
        if folds is None:
            folds = key_of_canonical(pa.array(sorted(self), pa.string())).drop_null().to_pylist()
        self.folds = frozenset(folds)
        return self

    def __contains__(self, value: object) -> bool:
        if frozenset.__contains__(self, value):
            return True
        return bool(self.folds) and isinstance(value, str) and fold_of(value) in self.folds


@functools.lru_cache(maxsize=65_536)
def fold_of(value: str) -> str | None:
    """``key_of_canonical`` of one id (canonicalised first; None when it is not a usable id)."""
    canonical = canonical_id(value)
    if canonical is None:
        return None
    if canonical.isascii() and "%" not in canonical and not re.search(_UUID_ODD, canonical.lower()):
        return _number_of(canonical.lower())  # (Python's casefold of ASCII, and no UUID notation to rewrite)
    return key_of_canonical(pa.array([canonical], pa.string()))[0].as_py()


def is_placeholder(canonical: pa.Array) -> np.ndarray:
    """Rows whose canonical id is a writer's word for a lost value (``PLACEHOLDERS``) or the nil UUID: read
    as ``listed_key`` reads an id (any case, NFKC: ``{00000000-…}``, ``urn:uuid:0…0``, the 32 zeros bare or
    full-width), as it is and without one pair of matching quotes around it ('"null"', "'None'")."""
    if isinstance(canonical, pa.ChunkedArray):
        canonical = canonical.combine_chunks()
    # each distinct id read once (a night's utterances name far fewer customers than they are rows)
    encoded = pc.dictionary_encode(canonical)
    distinct = encoded.dictionary
    unquoted = pc.replace_substring_regex(distinct, _QUOTED, r"\1\2")
    lost = [
        pc.is_in(key_of_canonical(ids, numbers=False), value_set=_PLACEHOLDER_VALUES)
        for ids in (distinct, unquoted)
    ]
    lost_distinct = np.append(np.asarray(pc.fill_null(pc.or_(*lost), False), dtype=bool), False)
    # a null id (no customer: flagged as missing elsewhere) reads the appended False
    indices = pc.fill_null(encoded.indices, len(distinct)).to_numpy(zero_copy_only=False)
    return lost_distinct[indices]


def unusable_ids(values: pa.Array | pa.ChunkedArray, canonical: pa.Array) -> np.ndarray:
    """Rows where a value was given but is not a usable id (``canonical`` = ``canonical_ids(values)``)."""
    return np.asarray(pc.is_valid(values), dtype=bool) & ~np.asarray(pc.is_valid(canonical), dtype=bool)


def canonical_enum(values: pa.Array | pa.ChunkedArray, allowed: Iterable[str]) -> tuple[pa.Array, np.ndarray]:
    """(each value trimmed and lower-cased when it is one of ``allowed``, else null; rows given a
    value that matches none). Matching is case-insensitive after trimming white space."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    allowed = pa.array(sorted(set(allowed)), pa.string())
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    known = pc.fill_null(pc.is_in(folded, value_set=allowed), False)
    out = pc.if_else(known, folded, pa.scalar(None, pa.string()))
    unknown = np.asarray(pc.is_valid(values), dtype=bool) & ~np.asarray(known, dtype=bool)
    return out, unknown
