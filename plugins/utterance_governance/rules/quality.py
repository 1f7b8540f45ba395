"""Record-level quality rules (SPEC §4 rule 4), thresholds from the policy.

Each rule is one unit with reason ``quality:<rule>``. Locale and ASR confidence are
judged on the record as captured; text lengths on the cleaned (redacted) turns, in
the derived columns ``user_text`` / ``assistant_text``.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.clean.patterns import SPOKEN_RUN, TENS_WORDS, UNIT_WORDS
from utterance_governance.clean.patterns import read_run as read_english_run
from utterance_governance.clean.spoken import DIGIT_WORD_VALUES
from utterance_governance.rules.base import Frame
from utterance_governance.rules.id_numbers import ids_holding_numbers, number_in_id


def _mask(values) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False), dtype=bool)


class LocaleNotAllowed:
    """The locale is not one the model is trained on (policy ``allowed_locales``)."""

    reason = S.quality_reason("locale_not_allowed")

    def excludes(self, frame: Frame) -> np.ndarray:
        allowed = pa.array(frame.policy.allowed_locales, pa.string())
        return ~_mask(pc.is_in(frame.records.column("locale"), value_set=allowed))


class LowAsrConfidence:
    """The recogniser was unsure of what was said: the transcript may not be what the
    customer said. A missing confidence is not judged (upstream systems may not send one)."""

    reason = S.quality_reason("low_asr_confidence")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.less(frame.records.column("asr_confidence"), frame.policy.min_asr_confidence))


# What in an utterance id is a person's identifier, read narrowly (an id is a key, not speech: long digit
# runs, dates and sequence numbers are what ids are made of, so national phone formats are not read):
# an e-mail address, an IPv4 address, a phone number in international form (``+`` and a country code).
_ID_HINT = r"@|＠|\+\s*[0-9]|[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
_ID_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_ID_PHONE = re.compile(r"\+[\s(]*[0-9][0-9\s().-]{5,30}")
_ID_PHONE_GROUPS = re.compile(r"[0-9]+")
_ID_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def identifier_in_id(uid: str) -> str | None:
    """The kind of identifier an utterance id holds (``email``, ``ip``, ``phone``; a number of a person
    written without a ``+``: ``card``, ``iban``, ``ssn``, ``phone``, ``rules.id_numbers``), or None."""
    import ipaddress

    import phonenumbers

    text = unicodedata.normalize("NFKC", uid)
    if _ID_EMAIL.search(text):
        return "email"
    for match in _ID_IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(match.group())
            return "ip"
        except ValueError:
            continue
    for match in _ID_PHONE.finditer(text):  # the longest run of its groups that is a valid number
        groups = _ID_PHONE_GROUPS.findall(match.group())
        for n in range(len(groups), 0, -1):
            try:
                number = phonenumbers.parse("+" + "".join(groups[:n]), None)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return "phone"
    return number_in_id(uid)


# the bytes one of those forms needs: "@", "+", "." and the first byte of a full-width "＠"
_HINT_BYTES = (b"@", b"+", b".", b"\xef")


def _no_hint_byte(uids: pa.Array | pa.ChunkedArray) -> bool:
    """Whether no id of the column holds a byte any of those forms needs (UUIDs, dates and sequence
    numbers: nearly every night), searched in the column's bytes (an RE2 pass costs 0.1-0.25 s a
    million ids, this 0.03 s)."""
    for chunk in uids.chunks if isinstance(uids, pa.ChunkedArray) else [uids]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return False
        if len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = chunk.buffers()[2]
        if data is None:
            continue
        text = bytes(memoryview(data)[offsets[0] : offsets[-1]])
        if any(byte in text for byte in _HINT_BYTES):
            return False
    return True


def ids_holding_identifiers(uids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per utterance id, whether it holds an identifier (``identifier_in_id``): a person's number written
    without a ``+`` (``rules.id_numbers``: one RE2 pass picks the few ids that may hold one); then a
    column whose bytes hold none of what the other forms need is let through whole; else an RE2 pass
    picks the few ids with an ``@``, a ``+`` before a digit or four dotted numbers, and Python reads
    only those."""
    out = ids_holding_numbers(uids)  # a card, an IBAN, an SSN, a phone number without "+"
    if _no_hint_byte(uids):
        return out
    for i in np.flatnonzero(_mask(pc.match_substring_regex(uids, _ID_HINT)) & ~out):
        out[i] = identifier_in_id(uids[int(i)].as_py()) is not None
    return out


class UtteranceIdHoldsIdentifier:
    """The utterance id holds a person's identifier (``jane.doe@example.com-0001``, ``+1-415-555-0199-7``,
    ``192.168.10.20-3``, ``4111111111111111-0001``, ``ssn-123-45-6789``, ``415-555-0134-0001``: an upstream
    keying utterances by a login, a caller's number or what the customer said; ``rules.id_numbers``). The id is
    published as it is (SPEC §6), redaction reads the turns only: the record is not published."""

    reason = S.quality_reason("utterance_id_holds_identifier")

    def excludes(self, frame: Frame) -> np.ndarray:
        return ids_holding_identifiers(frame.records.column("utterance_id"))


# an utterance id that is a UUID (the usual form) names nobody; only the others are looked into
_UUID = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
SHORTEST_ID_LOOKED_FOR = 8  # a shorter id ("alice", "dev1") is found in other ids by chance
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")  # \w: what str.isalnum() holds (Unicode letters, digits), and _
_NEVER_FOUND = "\x00"  # a bare id holds letters and digits only


def bare_id(value: str) -> str:
    """An id in no notation: NFKC (full-width and compatibility forms read as the plain ones), case
    folded, everything but letters and digits removed."""
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", value).casefold())


def _names(uid: str, named: str) -> bool:
    """Whether ``uid`` holds ``named``, one row at a time: bare, or as written (case aside)."""
    shortest = SHORTEST_ID_LOOKED_FOR
    bare = bare_id(named)
    return (len(bare) >= shortest and bare in bare_id(uid)) or (
        len(named) >= shortest and named.lower() in uid.lower()
    )


def bare_ascii(values: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """``bare_id`` of each id, in NumPy over the column's bytes, right for the ASCII ids (NFKC leaves them
    as they are, and folding them is lower-casing them); with each one's length, and which are ASCII."""
    lower = pc.ascii_lower(values).cast(pa.large_string())  # the other rows are done again, by Python
    lower = lower.combine_chunks() if isinstance(lower, pa.ChunkedArray) else lower
    validity, offsets, data = lower.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[: lower.offset + len(lower) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    # the bytes dropped (an ASCII id's letters and digits are 0-9 and a-z once lower-cased), a few a
    # row: each row's new offset is its old one less the bytes dropped before it
    dropped = ((data - np.uint8(ord("0"))) > 9) & ((data - np.uint8(ord("a"))) > 25)
    offsets = offsets - np.searchsorted(np.flatnonzero(dropped), offsets)
    bare = pa.LargeStringArray.from_buffers(
        len(lower),
        pa.py_buffer(offsets),
        pa.py_buffer(data[~dropped]),
        validity,
        lower.null_count,
        lower.offset,
    )
    ascii_ = np.asarray(pc.fill_null(pc.string_is_ascii(lower), True), dtype=bool)
    return bare, np.diff(offsets[lower.offset :]), ascii_


class UtteranceIdNamesSpeaker:
    """The utterance id holds its customer's or its device's id (``acct-88231907:dev-4f2a91:0001``), in
    any notation: compared by their letters and digits only, case folded (after NFKC, so full-width forms
    read as the plain ones), so ``acct_88231907:0001``, ``ACCT88231907-0001`` and a UUID account id
    written without its hyphens (``6f1c2b7e90aa4d1eb0c42f9d1e7a55c3:0001``) are found too. The
    utterance id is published as it is, and a customer or device id never is (SPEC §3.1): the record is
    not published (its privacy decisions, opt-out and deletion, still apply).

    An id is looked for by its letters and digits when it has 8 or more of them: a shorter one ("alice",
    "dev1") is found in other ids by chance. An id with fewer letters and digits but 8 characters or more
    as written ("ab-12-cd", "a.b.c.d.") is looked for as before, as written (case aside): its bare form
    says too little. An id found as written is always found (the rule keeps out every row a plain
    substring test keeps out). An utterance id that is a UUID holds no other id: it is kept out only when
    it is the customer's or device's own, in any notation.

    It runs over every row of every night: ASCII ids are made bare in NumPy over the column's bytes, and
    only the rare rows with an id past ASCII, or too short bare, are compared by Python."""

    reason = S.quality_reason("utterance_id_names_speaker")

    def excludes(self, frame: Frame) -> np.ndarray:
        records = frame.records
        out = np.zeros(records.num_rows, dtype=bool)
        uids = records.column("utterance_id")
        is_uuid = _mask(pc.match_substring_regex(uids, _UUID))
        if is_uuid.any():  # a UUID holds no other id, but it may be the customer's or device's own
            out[is_uuid] = self._same_uuid(records, pa.array(np.flatnonzero(is_uuid), pa.int64()))
        look = np.flatnonzero(~is_uuid & _mask(pc.is_valid(uids)))
        if not len(look):
            return out
        at = pa.array(look, pa.int64())
        uids = uids.take(at)
        bare_uids, _, uid_ascii = bare_ascii(uids)
        bare_uids = bare_uids.to_pylist()
        shortest = SHORTEST_ID_LOOKED_FOR
        for column in ("customer_id", "device_id"):
            if column not in records.column_names:
                continue
            named = pc.utf8_trim_whitespace(records.column(column).take(at))
            bare_named, bare_length, named_ascii = bare_ascii(named)
            given = _mask(pc.is_valid(named))
            plain = uid_ascii & named_ascii
            looked_for = given & plain & (bare_length >= shortest)
            bare_named = pc.if_else(looked_for, bare_named, _NEVER_FOUND).to_pylist()
            hit = np.asarray([n in u for u, n in zip(bare_uids, bare_named, strict=True)], dtype=bool)
            # one row at a time: an id past ASCII on either side (NFKC and folding may lengthen an id, or
            # part its bare form from the one written), and one too short bare but not as written
            written_long = _mask(pc.greater_equal(pc.utf8_length(named), shortest))
            again = np.flatnonzero(given & (~plain | (written_long & (bare_length < shortest))))
            if len(again):
                rows = pa.array(again, pa.int64())
                pairs = zip(uids.take(rows).to_pylist(), named.take(rows).to_pylist(), strict=True)
                hit[again] = [_names(u, n) for u, n in pairs]
            out[look[hit]] = True
        return out

    @staticmethod
    def _same_uuid(records: pa.Table, at: pa.Array) -> np.ndarray:
        """For the rows ``at`` (their utterance id a UUID): is it the customer's or device's id, in
        any notation (braces, a URN, no hyphens, upper case)?"""

        def hexes(values):
            return pc.replace_substring_regex(pc.utf8_lower(values), "^urn:uuid:|[^0-9a-z]", "")

        uids = hexes(records.column("utterance_id").take(at))
        same = np.zeros(len(at), dtype=bool)
        for column in ("customer_id", "device_id"):
            if column in records.column_names:
                same |= _mask(pc.equal(uids, hexes(records.column(column).take(at))))
        return same


# letters that print as nothing (Hangul fillers): not speech, though Unicode files them as letters;
# speech is any other letter, or a digit (RE2; the gate reads it again)
_FILLER_LETTERS = "\u115f\u1160\u3164\uffa0"
SPEECH = rf"[^\P{{L}}{_FILLER_LETTERS}]|\p{{N}}"


# The characters NFKC makes an ASCII digit of (superscripts, fractions, circled and full-width digits,
# mathematical and segmented digits ...): none lies past plane 1 (a test holds this to ``unicodedata``)
COMPAT_DIGITS = (
    r"[\x{b2}-\x{b3}\x{b9}\x{bc}-\x{be}\x{2070}\x{2074}-\x{2079}\x{2080}-\x{2089}\x{2150}-\x{215f}\x{2189}"
    r"\x{2460}-\x{249b}\x{24ea}\x{3251}-\x{325f}\x{32b1}-\x{32cb}\x{3358}-\x{3370}\x{3378}-\x{3379}"
    r"\x{339f}-\x{33a6}\x{33a8}\x{33af}\x{33e0}-\x{33fe}\x{ff10}-\x{ff19}\x{1d7ce}-\x{1d7ff}\x{1f100}-\x{1f10a}"
    r"\x{1fbf0}-\x{1fbf9}]"
)


def ascii_digit_counts(values: pa.Array) -> np.ndarray:
    """Per row, how many ASCII digits it holds (0 for a null or empty row): NumPy over the column's bytes."""
    return reduced_per_row(
        values, lambda raw: ((raw - np.uint8(ord("0"))) <= 9).view(np.uint8), np.add, np.int64, np.int32
    )


def reduced_per_row(values: pa.Array, of_bytes, ufunc: np.ufunc, dtype, reduce_dtype=None) -> np.ndarray:
    """Per row, ``ufunc`` reduced over what ``of_bytes`` makes of each of its bytes (0 for a null or empty
    row): NumPy over the column's bytes, no row copied."""
    out = np.zeros(len(values), dtype=dtype)
    values = values.cast(pa.large_string())
    _, offsets_buffer, data = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[values.offset : values.offset + len(values) + 1]
    start, end = int(offsets[0]) if len(offsets) else 0, int(offsets[-1]) if len(offsets) else 0
    if data is None or end == start:
        return out
    per_byte = of_bytes(np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start))
    filled = offsets[1:] > offsets[:-1]  # (reduceat gives an empty row the next row's value)
    out[filled] = ufunc.reduceat(per_byte, offsets[:-1][filled] - start, dtype=reduce_dtype)
    if values.null_count:
        out[~np.asarray(values.is_valid())] = 0
    return out


def digits_only(values: pa.Array) -> pa.Array:
    """Each row's ASCII digits, in order, nothing else (NumPy over the column's bytes; nulls stay null)."""
    values = values.cast(pa.large_string())
    validity, offsets_buffer, data = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[: values.offset + len(values) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    kept = (raw - np.uint8(ord("0"))) <= 9
    offsets = np.searchsorted(np.flatnonzero(kept), offsets)  # each row's new offset: the digits before it
    return pa.LargeStringArray.from_buffers(
        len(values),
        pa.py_buffer(offsets),
        pa.py_buffer(raw[kept]),
        validity,
        values.null_count,
        values.offset,
    )


class TurnNamesSpeaker:
    """A turn says its customer's or device's id: the customer reads out their account ("log me in as
    ZX81QW55"), or the assistant reads it back ("It is cus_NffrFeUfNV2Hib."). Redaction reads the shapes
    of identifiers (numbers, e-mail addresses, UUIDs); an account id of letters and digits has none, and a
    customer id never appears in published output (SPEC §3.1): the record is not published.

    Read on the cleaned turns as ``UtteranceIdNamesSpeaker`` reads the utterance id: the id's letters and
    digits among the turn's, case folded after NFKC (``zx81 qw55``, ``ZX81-QW55``), or the id as written;
    an id with fewer than 8 letters and digits only as written with 8 characters or more ("bob" is said
    every night). It runs over every row of every night, so an ASCII id with digits is compared only with
    a turn whose digits, all else left out, hold the id's digits (a turn that holds the id holds them so),
    or that has a character NFKC makes a digit of; an id without digits, or past ASCII, is compared with
    every turn of its customer (by NumPy's bare forms where both are ASCII, by Python otherwise).

    Transcripts are speech, and numbers arrive spelled out (SPEC §5): an id with digits and 8 letters and
    digits or more is also looked for in the turn read out (``read_out``: "z x eight one q w double five"
    is ``zx81qw55``, "canary cust seven q four z" ``canarycust7q4z``), with the words for a digit the
    phone-number redaction reads (English runs with their tens and "double", one digit in every
    supported language), and the id read the same way. Only a turn that holds such a word (an RE2 pass,
    after NFKC for a turn past ASCII), that may say each of the id's digits (a word for it or the digit,
    one RE2 pass a digit over the turns still in question) and, bare, the id's runs of letters is read
    out, by Python (``_ReadOut``; a turn of an id without letters but o, when it may say as many digits):
    0.12 s to 0.43 s for 200k generated rows, whose turns say many numbers (1.7 s were every id digits
    only). On the bench's night, whose ids share their first letters (``cus-``, ``dev-``), 1 in 60 of the
    turns with such a word may say the digits of their id."""

    reason = S.quality_reason("turn_names_speaker")

    def excludes(self, frame: Frame) -> np.ndarray:
        records = frame.records
        out = np.zeros(records.num_rows, dtype=bool)
        turns = [_combined(frame.column(name)) for name in ("user_text", "assistant_text")]
        counts = [ascii_digit_counts(turn) for turn in turns]
        compat = [_past_ascii_matching(turn, COMPAT_DIGITS) for turn in turns]
        read = _ReadOut(turns)  # the turns with a word for a digit, read out (when asked)
        for column in ("customer_id", "device_id"):
            if column not in records.column_names:
                continue
            named = _combined(pc.utf8_trim_whitespace(records.column(column)))
            named_count = ascii_digit_counts(named)
            has_digits = named_count > 0
            looked_for = _mask(pc.greater_equal(pc.utf8_length(named), SHORTEST_ID_LOOKED_FOR))
            by_digits = looked_for & has_digits & _mask(pc.string_is_ascii(named))
            for turn, count, odd in zip(turns, counts, compat, strict=True):
                compare = looked_for & ~out & ~(by_digits & ~odd)
                quick = np.flatnonzero(by_digits & ~odd & ~out & (count >= named_count))
                if len(quick):
                    at = pa.array(quick, pa.int64())
                    in_turn, of_id = digits_only(turn.take(at)), digits_only(named.take(at))
                    pairs = zip(in_turn.to_pylist(), of_id.to_pylist(), strict=True)
                    compare[quick[[t is not None and n in t for t, n in pairs]]] = True
                rows = np.flatnonzero(compare)
                if len(rows):
                    at = pa.array(rows, pa.int64())
                    out[rows] = says_id(turn.take(at), named.take(at))
            # the id with its digits said as words (``_ReadOut``): an ASCII id with a digit and 8 letters and
            # digits or more, or an id past ASCII, in a turn with a word for a digit
            ascii_named = _mask(pc.string_is_ascii(named))
            long_bare = bare_ascii(named)[1] >= SHORTEST_ID_LOOKED_FOR
            by_words = _mask(pc.is_valid(named)) & ((has_digits & long_bare) | ~ascii_named)
            digits = _digit_bits(named) if by_words.any() else None
            for i in range(len(turns)):
                if not (by_words & ~out).any():
                    break
                rows = read.rows(i)
                wanted = rows[by_words[rows] & ~out[rows]]
                if len(wanted):
                    out[read.said(i, wanted, named, digits)] = True
        return out


def folded_texts(values: pa.Array) -> pa.LargeStringArray:
    """Each text as ``read_out`` reads it before its words: NFKC, then case folded (by Python)."""
    return pa.array(
        [None if t is None else unicodedata.normalize("NFKC", t).casefold() for t in values.to_pylist()],
        pa.large_string(),
    )


def _past_ascii_matching(values: pa.Array, pattern: str) -> np.ndarray:
    """``match_substring_regex`` of ``pattern`` (which reads no ASCII character) on the rows past ASCII."""
    found = np.zeros(len(values), dtype=bool)
    past = np.flatnonzero(~_mask(pc.string_is_ascii(values)) & _mask(pc.is_valid(values)))
    if len(past):
        found[past] = _mask(pc.match_substring_regex(values.take(pa.array(past, pa.int64())), pattern))
    return found


def says_id(texts: pa.Array, named: pa.Array) -> np.ndarray:
    """For each row: does ``texts`` hold ``named`` (``_names``)? Rows where both are ASCII by their NumPy
    bare forms and lower case; the others by Python."""
    bare_texts, _, text_ascii = bare_ascii(texts)
    bare_named, bare_length, named_ascii = bare_ascii(named)
    plain = text_ascii & named_ascii & _mask(pc.is_valid(texts))
    hit = np.zeros(len(texts), dtype=bool)
    rows = np.flatnonzero(plain)
    if len(rows):
        at = pa.array(rows, pa.int64())
        long_bare = bare_length[rows] >= SHORTEST_ID_LOOKED_FOR
        lower_texts, lower_named = pc.ascii_lower(texts.take(at)), pc.ascii_lower(named.take(at))
        hit[rows] = [
            (long and n in u) or (w in t)
            for u, n, t, w, long in zip(
                bare_texts.take(at).to_pylist(),
                bare_named.take(at).to_pylist(),
                lower_texts.to_pylist(),
                lower_named.to_pylist(),
                long_bare.tolist(),
                strict=True,
            )
        ]
    rest = np.flatnonzero(~plain & _mask(pc.is_valid(texts)))
    if len(rest):
        at = pa.array(rest, pa.int64())
        hit[rest] = [
            _names(t, n) for t, n in zip(texts.take(at).to_pylist(), named.take(at).to_pylist(), strict=True)
        ]
    return hit


# The words for a digit the phone-number redaction reads: English runs (``clean.patterns``: "eight one",
# "eighty one", "double five", "oh", "o" beside a number word) and one digit in every supported language
# (``clean.spoken``: "sieben", "quatre", "tres", "otto", "vijf", "oito")
_NUMBER_WORDS = sorted({*UNIT_WORDS, *TENS_WORDS, *DIGIT_WORD_VALUES}, key=len, reverse=True)
_NUMBER_WORD_SET = frozenset(_NUMBER_WORDS)  # (a text none of whose words is one reads out as it is bare)
# a row that holds one after a character that is no letter (RE2, case aside): every word ``read_out``
# reads is its letters between non-letters, and every English run holds one
NUMBER_WORD = rf"(?:^|\PL)(?i:{'|'.join(_NUMBER_WORDS)})"
# the characters NFKC or case folding may change into others (and a combining mark NFKC may join to the
# letter before it): past ASCII, all but the Latin-1 and Latin Extended-A letters that stay as they are
# (accented European text is read as it is; a test holds this to ``unicodedata``)
NFKC_MAY_CHANGE = r"[\x{a8}-\x{bf}\x{df}\x{130}\x{132}\x{133}\x{13f}\x{140}\x{149}\x{17f}-\x{10ffff}]"
# a word for a digit ``read_out`` may read, "double", "triple" and "treble" too, counted at least once each
# (a count takes the character before a word, never one of the next word's letters): after any character
# but an ASCII letter, as ``read_out`` reads an English run between ASCII word boundaries, so after a letter
# past ASCII too ("给triple seven", "custétriple five"; a text once case folded, ``folded_texts``): a loose
# condition, for a count that must never be short
COUNTED_AFTER_ANY = rf"(?:^|[^A-Za-z])(?i:{'|'.join([*_NUMBER_WORDS, 'double', 'triple', 'treble'])})"
# ... or a letter o standing for a 0 ("canary cust 7 Q O Z", "acct 1o2o3o4o": ``read_out`` reads a 0 and an
# o alike): an o beside a digit, or a lone o between two tokens of one letter or digit (an id spelled out;
# not "e o livro")
O_FOR_ZERO = (
    r"(?i)[0-9]o|o[0-9]|[0-9][^a-z0-9]+o(?:[^a-z0-9]|$)|(?:^|[^a-z0-9])o[^a-z0-9]+[0-9]"
    r"|(?:^|[^a-z0-9])[a-z][^a-z0-9]+o[^a-z0-9]+[a-z](?:[^a-z0-9]|$)"
)
_ENGLISH_RUN = re.compile(SPOKEN_RUN, re.ASCII)
# a word for one digit, its letters between characters that are no letters (a word of ``_WORD``)
_DIGIT_WORD = re.compile(
    rf"(?<![^\W\d_])(?:{'|'.join(sorted(DIGIT_WORD_VALUES, key=len, reverse=True))})(?![^\W\d_])"
)
_ENGLISH_WORDS = frozenset([*UNIT_WORDS, *TENS_WORDS, "double", "triple", "treble"])  # a run reads one
_WORD = re.compile(r"[^\W\d_]+")
_NOT_SEEN = object()
_DIGIT_OR_O = re.compile(r"[1-9o]+")  # what parts an id's runs of letters read out (a 0 reads as an o)
_ANY_DIGIT = re.compile(r"\d")
_SEARCHED_TOGETHER = 16  # rows of ids whose letters start alike: searched by Arrow, not by Python


def _says_digit(digit: str) -> str:
    """RE2 for a turn that may say ``digit`` (1-9) read out (``read_out``): the digit written, or a word
    whose value holds it ("seven", "seventeen", "seventy", "sieben", "sept"), case aside, with no ASCII
    letter beside it where its own letter there is ASCII ("één" and "tré" end in a letter that is not).

    A necessary condition, for a turn with no character of ``NFKC_MAY_CHANGE`` (NFKC and case folding
    change its ASCII letters in case only, and make no ASCII letter or digit of its other characters; the
    other turns are read out without it): every digit 1-9 of the turn read out is one of its ASCII digits
    (kept as written, the 0 made an o), or stands for a word ``read_out`` reads, whose value holds it.
    English runs read "twenty five" 25 (the 2 of "twenty", the 5 of "five"), "double five" 55 (of
    "five"), every other word its value. Such a word is read only with no ASCII letter beside it: the
    tokens of a run lie between ASCII word boundaries (``SPOKEN_RUN`` under ``re.ASCII``), and a word of
    ``_DIGIT_WORD`` between characters that are no letters once the runs are read as digits; a run read
    next to a word's ASCII letter would end or begin at that letter, where no ASCII word boundary is.
    ``test_a_turn_says_no_digit_read_out_that_says_digit_does_not_find`` holds this to ``read_out``."""
    words = sorted(
        (w for w, value in {**UNIT_WORDS, **TENS_WORDS, **DIGIT_WORD_VALUES}.items() if digit in value),
        key=len,
        reverse=True,
    )
    parts = [digit]
    for left in (True, False):
        for right in (True, False):
            chosen = [w for w in words if w[0].isascii() == left and w[-1].isascii() == right]
            if chosen:
                parts.append(
                    ("(?:^|[^A-Za-z])" if left else "")
                    + f"(?i:{'|'.join(chosen)})"
                    + ("(?:$|[^A-Za-z])" if right else "")
                )
    return "|".join(parts)


# in the order they are asked: the digits fewest turns may say first (the words for 1, "one", "un", "um",
# "ten" to "nineteen", are the most said), so that fewest turns are asked the next
_SAYS_DIGIT = {int(d): _says_digit(d) for d in "987643521"}


# a bit for each ASCII digit 1-9 (bit ``d`` for ``d``), and for each ASCII letter but o, case aside (the
# letters of an id's runs); any other byte (a UTF-8 byte past ASCII among them): none
_DIGIT_BIT, _LETTER_BIT = np.zeros(256, dtype=np.uint32), np.zeros(256, dtype=np.uint32)
_DIGIT_BIT[ord("1") : ord("9") + 1] = np.left_shift(1, np.arange(1, 10))
for _k, _letter in enumerate("abcdefghijklmnpqrstuvwxyz"):
    _LETTER_BIT[ord(_letter)] = _LETTER_BIT[ord(_letter.upper())] = 1 << _k


def _digit_bits(values: pa.Array) -> np.ndarray:
    """Per row, the ASCII digits 1-9 it holds, bit ``d`` for the digit ``d`` (0 for a null or empty row)."""
    return _bits(values, _DIGIT_BIT)


def _letter_bits(values: pa.Array) -> np.ndarray:
    """Per row, the ASCII letters but o it holds, case aside, a bit each (0 for a null or empty row)."""
    return _bits(values, _LETTER_BIT)


def _bits(values: pa.Array, table: np.ndarray) -> np.ndarray:
    """Per row, the bits ``table`` gives its bytes, or'ed: NumPy over the column's bytes."""
    return reduced_per_row(values, lambda raw: table[raw], np.bitwise_or, np.uint32)


def _english_digits(run: re.Match[str]) -> str:
    return read_english_run(run.group())[0] or run.group()  # (a list of clock times reads as nothing)


def _digit_of_word(word: re.Match[str]) -> str:
    return DIGIT_WORD_VALUES.get(word.group(), word.group())


def read_out(text: str) -> str:
    """``text`` bare (``bare_id``) with its numbers said as digits: NFKC, case folded, English runs of number
    words read as the phone-number redaction reads them (``clean.patterns.read_run``: "eight one" is 81,
    "eighty one" 81, "double five" 55, "oh" 0), then every other word for a digit of the supported
    languages (``clean.spoken.DIGIT_WORD_VALUES``: "sieben" 7, "quatre" 4). A spoken 0 and the letter o
    are one letter (``o``): "eight o five" and "eight zero five" both say ``8o5``, and an id said
    either way reads the same."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _ENGLISH_WORDS.intersection(_WORD.findall(text)):  # (else its runs are written digits and o's)
        text = _ENGLISH_RUN.sub(_english_digits, text)
    return _NOT_LETTER_OR_DIGIT.sub("", _DIGIT_WORD.sub(_digit_of_word, text)).replace("0", "o")


class _ReadOut:
    """The turns of one batch with a word for a digit, and its ids, read out (``read_out``), each once: a
    turn read for its customer may be read again for its device, a customer's id is said in many rows.

    A turn is read out (by Python, 20-40 µs) only when it may say every ASCII digit of the id (a word for
    it or the digit, ``_may_say_digits``: RE2 passes over the rows) and holds every ASCII letter of an id
    read as written (``_may_hold_letters``: NumPy), both before any id is read out, and when its letters,
    bare, hold every run of the id's letters but o (the ones a turn read out keeps as they are): NumPy's
    bare forms for the turns in ASCII or accented European letters (a letter past ASCII left out only
    joins more), Python's for the others."""

    def __init__(self, turns: list[pa.Array]) -> None:
        self.texts = turns
        self.spoken: list[tuple | None] = [None] * len(turns)  # rows, odd, Python's bare, digits asked, said
        self.ids: dict[str, tuple[str, list[str], int] | None] = {}
        self.read: dict[str, str] = {}

    def rows(self, i: int) -> np.ndarray:
        """The rows whose turn ``i`` holds a word for a digit ``read_out`` may read (``COUNTED_AFTER_ANY``: an
        English one after a letter past ASCII too), a turn NFKC or case folding may change as ``read_out``
        reads it (``folded_texts``: "İ" folds to an "i" and a mark that ends the word before a number word)."""
        if self.spoken[i] is None:
            values = self.texts[i]
            found = _mask(pc.match_substring_regex(values, COUNTED_AFTER_ANY))
            found |= _mask(pc.match_substring_regex(values, O_FOR_ZERO))
            odd = _past_ascii_matching(values, NFKC_MAY_CHANGE)
            at = np.flatnonzero(~found & odd)
            if len(at):  # (an o for a 0 in full width: read after NFKC too)
                folded = folded_texts(values.take(pa.array(at, pa.int64())))
                found[at] = _mask(pc.match_substring_regex(folded, COUNTED_AFTER_ANY)) | _mask(
                    pc.match_substring_regex(folded, O_FOR_ZERO)
                )
            rows = np.flatnonzero(found)
            # the digits each turn may say (``_says_digit``), learnt as they are asked: bits tried, bits found
            tried, able = np.zeros(len(rows), dtype=np.uint16), np.zeros(len(rows), dtype=np.uint16)
            self.spoken[i] = (rows, odd[rows], {}, tried, able)
        return self.spoken[i][0]

    def said(self, i: int, wanted: np.ndarray, named: pa.Array, digits: np.ndarray) -> np.ndarray:
        """The rows of ``wanted`` (of ``rows(i)``) whose turn ``i`` read out holds ``named`` read out (an
        id with a digit and 8 letters and digits or more, bare and read out); ``digits``: each id's ASCII
        digits 1-9 (``_digit_bits``).

        Only the rows whose turn may say every digit of their id (``_may_say_digits``) are looked at
        further: most turns with a word for a digit say a few digits, and an id holds several. The rows
        of the ids whose letters start alike (``cus_``, ``acct-``) are searched for that first run
        together, by Arrow; a few rows alike, by Python."""
        rows, odd, exact, _, _ = self.spoken[i]
        at = np.flatnonzero(np.isin(rows, wanted, assume_unique=True))
        at = at[self._may_say_digits(i, at, digits[rows[at]])]  # (``digits`` as ``at``)
        if len(at):
            at = at[self._may_hold_letters(i, at, named.take(pa.array(rows[at], pa.int64())))]
        if not len(at):
            return np.zeros(0, dtype=np.int64)
        bare, _, plain = bare_ascii(self.texts[i].take(pa.array(rows[at], pa.int64())))  # (indexed as ``at``)
        encoded = named.take(pa.array(rows[at], pa.int64())).dictionary_encode()
        ids = self._ids(encoded.dictionary)
        first: dict[str, int] = {}
        group_of_id = np.asarray(
            [first.setdefault(s[1][0], len(first)) if s and s[1] else (-1 if s else -2) for s in ids] + [-2],
            dtype=np.int64,
        )
        codes = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
        groups = group_of_id[codes]  # (a null id: the last, -2: not looked for)
        maybe = groups == -1  # an id without letters but o: the rows whose turn may say its digits
        if maybe.any():
            maybe[maybe] = self._may_say(i, rows[at[maybe]]) >= [ids[c][2] for c in codes[maybe]]
        runs = list(first)
        order = np.argsort(groups, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
        for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
            group = groups[order[start]]
            if group < 0:
                continue
            members, run = order[start:end], runs[group]
            if len(members) >= _SEARCHED_TOGETHER:
                found = _mask(pc.match_substring(bare.take(pa.array(members, pa.int64())), run))
            else:
                found = np.asarray([run in bare[int(j)].as_py() for j in members], dtype=bool)
            # (a turn past ASCII, its letters there left out of NumPy's bare form: by Python's, below)
            maybe[members] = found | odd[at[members]] | ~plain[members]
        hit = []
        for k in np.flatnonzero(maybe).tolist():
            row = int(rows[at[k]])
            said = ids[codes[k]]
            text = self.texts[i][row].as_py()
            if text not in exact:
                exact[text] = bare_id(text)
            if not all(run in exact[text] for run in said[1]):
                continue
            if text not in self.read:
                self.read[text] = read_out(text)
            if said[0] in self.read[text]:
                hit.append(row)
        return np.asarray(hit, dtype=np.int64)

    def _may_say_digits(self, i: int, at: np.ndarray, digits: np.ndarray) -> np.ndarray:
        """Which of the rows ``at`` (of ``rows(i)``) may say, in turn ``i`` read out, every digit of theirs
        in ``digits`` (bit ``d`` for the digit ``d``: an id's ASCII digits 1-9, each of which its said
        form holds, so a turn that says it holds them read out). A turn NFKC may change always may.

        Each digit is one RE2 pass (``_says_digit``) over the rows still in question that need it and
        were not asked it before (the device's id asks the turns the customer's asked): most turns say
        few digits, and an id of many digits drops out after its first two or three."""
        rows, odd, _, tried, able = self.spoken[i]
        keep = np.ones(len(at), dtype=bool)
        asked = np.flatnonzero(~odd[at])  # (of ``at``) the rows still in question
        for digit, pattern in _SAYS_DIGIT.items():
            bit = 1 << digit
            need = asked[(digits[asked] & bit) != 0]
            if not len(need):
                continue
            new = at[need][(tried[at[need]] & bit) == 0]
            if len(new):
                said = _mask(
                    pc.match_substring_regex(self.texts[i].take(pa.array(rows[new], pa.int64())), pattern)
                )
                tried[new] |= bit
                able[new[said]] |= bit
            lost = need[(able[at[need]] & bit) == 0]
            if len(lost):
                keep[lost] = False
                asked = asked[keep[asked]]
        return keep

    def _may_hold_letters(self, i: int, at: np.ndarray, named: pa.Array) -> np.ndarray:
        """Which of the rows ``at`` (of ``rows(i)``) hold in turn ``i`` every ASCII letter but o of their
        id ``named`` (as ``at``), case aside, where the id is read as it is written (ASCII, no word for a
        digit: ``_ids``) and NFKC leaves the turn as it is; the others all do. Such an id's runs of letters
        (``_DIGIT_OR_O``) are its letters but o, and a turn holds them bare (the test below) only if it
        holds each of their letters: NFKC and case folding make no ASCII letter of another character in
        it, nor another of an ASCII letter."""
        rows, odd = self.spoken[i][0], self.spoken[i][1]
        plain = _mask(pc.string_is_ascii(named)) & ~_mask(pc.match_substring_regex(named, NUMBER_WORD))
        letters = np.where(plain, _letter_bits(named), 0)
        held = _letter_bits(self.texts[i].take(pa.array(rows[at], pa.int64())))
        return odd[at] | ((letters & ~held) == 0)

    def _may_say(self, i: int, rows: np.ndarray) -> np.ndarray:
        """How many digits 1-9 turn ``i`` may say in each of ``rows`` read out: none without a word for a
        digit, else its ASCII digits and two for each such word (a word says two at most: "eleven",
        "twenty five", "triple five"), counted as ``read_out`` reads a row NFKC or case folding may change
        (``folded_texts``; ``COUNTED_AFTER_ANY``)."""
        texts = self.texts[i].take(pa.array(rows, pa.int64()))
        odd = np.flatnonzero(_past_ascii_matching(texts, NFKC_MAY_CHANGE))
        if len(odd):
            mask = np.zeros(len(texts), dtype=bool)
            mask[odd] = True
            texts = pc.replace_with_mask(texts.cast(pa.large_string()), pa.array(mask),
                                         folded_texts(texts.take(pa.array(odd, pa.int64()))))  # fmt: skip
        words = np.asarray(
            pc.fill_null(pc.count_substring_regex(texts, COUNTED_AFTER_ANY), 0), dtype=np.int64
        )
        return (
            ascii_digit_counts(texts) + 2 * words
        )  # (a turn of ``rows`` may say no number word: an o for a 0)

    def _ids(self, names: pa.Array) -> list[tuple[str, list[str], int] | None]:
        """``id_read_out`` of each of ``names`` (distinct): an ASCII id without a word for a digit is
        read out as NumPy makes it bare (its 0 an o), the others by Python."""
        bare, length, plain = bare_ascii(names)
        plain &= ~_mask(pc.match_substring_regex(names, NUMBER_WORD))
        # the ASCII ids read out in Arrow, each pass over them all (``_id_said``, by Python, per id: 10 µs)
        digits = ascii_digit_counts(bare)
        said = pc.replace_substring(bare, "0", "o")
        runs = pc.split_pattern_regex(said, _DIGIT_OR_O.pattern)
        nonzero = np.asarray(pc.fill_null(pc.count_substring_regex(said, "[1-9]"), 0), dtype=np.int64)
        looked_for = (length >= SHORTEST_ID_LOOKED_FOR) & (digits > 0)
        out: list[tuple[str, list[str], int] | None] = []
        for name, read, parts, count, simple, wanted in zip(
            names.to_pylist(), said.to_pylist(), runs.to_pylist(), nonzero.tolist(), plain.tolist(),
            looked_for.tolist(), strict=True,
        ):  # fmt: skip
            info = self.ids.get(name, _NOT_SEEN)
            if info is _NOT_SEEN:
                if not simple:
                    info = id_read_out(name)
                else:
                    info = (read, [part for part in parts if part], count) if wanted else None
                self.ids[name] = info
            out.append(info)
        return out


def id_read_out(name: str | None) -> tuple[str, list[str], int] | None:
    """An id read out (``read_out``), its runs of letters but o, in order, and how many digits 1-9 it
    holds; None when it is not looked for (no digit, or fewer than 8 letters and digits bare or read
    out)."""
    if name is None:
        return None
    folded = unicodedata.normalize("NFKC", name).casefold()
    bare = _NOT_LETTER_OR_DIGIT.sub("", folded)
    if len(bare) < SHORTEST_ID_LOOKED_FOR or not _ANY_DIGIT.search(bare):
        return None
    said = read_out(name) if _NUMBER_WORD_SET.intersection(_WORD.findall(folded)) else bare.replace("0", "o")
    if len(said) < SHORTEST_ID_LOOKED_FOR:
        return None
    return _id_said(said)


def _id_said(said: str) -> tuple[str, list[str], int]:
    return said, list(filter(None, _DIGIT_OR_O.split(said))), sum(c in "123456789" for c in said)


def _combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    return values


class EmptyTranscript:
    """Nothing said in the user turn after cleaning: no letter and no digit (``...``, zero-width or
    control characters, lone combining marks, a braille blank or a Hangul filler are no speech)."""

    reason = S.quality_reason("empty_transcript")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.invert(pc.match_substring_regex(frame.column("user_text"), SPEECH)))


class TranscriptTooShort:
    """The user turn is shorter than the policy minimum (noise, a cut-off recording)."""

    reason = S.quality_reason("transcript_too_short")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.less(pc.utf8_length(frame.column("user_text")), frame.policy.min_transcript_chars))


class TranscriptTooLong:
    """The user turn is longer than the policy maximum (runaway ASR, dictation)."""

    reason = S.quality_reason("transcript_too_long")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.greater(pc.utf8_length(frame.column("user_text")), frame.policy.max_transcript_chars))


class ResponseTooLong:
    """The assistant turn is longer than the policy maximum."""

    reason = S.quality_reason("response_too_long")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(
            pc.greater(pc.utf8_length(frame.column("assistant_text")), frame.policy.max_response_chars)
        )
