"""Redaction (SPEC §5): personal identifiers in a turn become typed placeholders.

``redact_text`` is the reference, one string at a time in Python ``re``; ``redact_array`` is
the vectorised path the pipeline runs, and gives exactly the same strings. Both apply the
detectors of ``clean.patterns`` in their order, one pass each, spoken numbers last:

- emails, IP addresses, SSNs and written phone numbers get a fixed placeholder;
- cards, long digit strings and spoken numbers are *classified* from the digits they stand
  for (``classify_digits``): a Luhn-valid number of 13-19 digits is a ``[CARD]``, nine digits
  an ``[SSN]``, 7-12 digits a ``[PHONE]``, any other number of seven digits or more a
  ``[NUMBER]`` (an account or order number, a card number with a typo: never published, never
  called a card).

Why one pass of each is enough: a placeholder starts and ends with a bracket, which no
detector matches and which is not a word character, and every match starts and ends at a
word boundary (or with a non-word character); so a substitution neither creates a match nor
moves a word boundary, and the result holds nothing ``detect_identifiers`` finds. The tests
check this invariant, and that both paths agree, on generated text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.clean.addresses import ADDRESS_CANDIDATES, ADDRESS_WITHOUT_DIGITS, redact_addresses
from utterance_governance.clean.ips import IP_CANDIDATES, redact_spoken_ips
from utterance_governance.clean.languages import KNOWN_REGIONS, language_of, region_of
from utterance_governance.clean.names import candidate_rows as name_rows
from utterance_governance.clean.names import candidate_rows_digit_blind, english_words, redact_names
from utterance_governance.clean.normalise import fold_rows, normalise_for_detection
from utterance_governance.clean.numbers import (
    GLUED_CANDIDATES,
    GROUP_CANDIDATES,
    ID_CANDIDATES_ANY_REGION,
    NATIONAL_IDS,
    PRE_CANDIDATES,
    redact_digit_groups,
    redact_glued_numbers,
    redact_ids,
)
from utterance_governance.clean.patterns import (
    _AT_WORDS,
    AT_SIGN,
    CLASSIFIED_KINDS,
    COLON,
    DETECTORS,
    DIGIT,
    EMAIL_PLAIN_BOX,
    EMAIL_WITHOUT_TLD,
    JAPANESE_EMAIL,
    JAPANESE_EMAIL_CANDIDATES,
    MIN_RUN_DIGITS,
    RUN_MARKER,
    RUN_START,
    SPELLED_EMAIL_CANDIDATES,
    SPOKEN_TOKEN,
    SPOKEN_TOKEN_AFTER,
    TENS_WORDS,
    THREE_DIGITS,
    TOKEN_SEPARATOR,
    TWO_DIGITS,
    UNIT_WORDS,
    DigitBlind,
    _words,
    byte_classes,
    candidate_mask,
    compile_python,
    match_rows,
    read_run,
    spoken_number_spans,
)
from utterance_governance.clean.spoken import (
    DIGIT_WORD_RUN_CANDIDATES,
    SPOKEN_CANDIDATES,
    redact_digit_word_runs,
    redact_spoken_ids,
    redact_spoken_runs,
)
from utterance_governance.clean.spoken import LANGUAGES as SPOKEN_LANGUAGES

Replacement = str | Callable[[re.Match[str]], str]


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def classify_digits(digits: str) -> str:
    """The placeholder for a number of seven digits or more, written or spoken."""
    n = len(digits)
    if 13 <= n <= 19 and luhn_valid(digits):
        return "[CARD]"
    if n == 9:
        return "[SSN]"
    if n <= 12:
        return "[PHONE]"
    return "[NUMBER]"


_NON_DIGIT = re.compile(r"[^0-9]+")


def _by_digits(match: re.Match[str]) -> str:
    return classify_digits(_NON_DIGIT.sub("", match.group()))


def _redact_spoken(text: str) -> str:
    parts, last = [], 0
    for span in spoken_number_spans(text):
        parts += [text[last : span.start], classify_digits(span.digits)]
        last = span.end
    return "".join([*parts, text[last:]]) if parts else text


# (pattern, replacement) in redaction order, spoken numbers aside (they come last); an e-mail at a
# well-known provider without a top-level domain right after the spelled-out ones, on their rows
def _written() -> list[tuple[str, Replacement]]:
    passes: list[tuple[str, Replacement]] = []
    for kind, (placeholder, pattern) in DETECTORS.items():
        if kind == "email_spoken":
            passes += [
                (pattern, _spelled_email),
                (EMAIL_WITHOUT_TLD, "[EMAIL]"),
                (EMAIL_PLAIN_BOX, _plain_box_email),
                (JAPANESE_EMAIL, _japanese_email),
            ]
        elif kind != "spoken_number":
            passes.append((pattern, _by_digits if kind in CLASSIFIED_KINDS else placeholder))
    return passes


def _plain_box_email(match: re.Match[str]) -> str:
    """``[EMAIL]`` for a plain word before "at" and a provider (``patterns.EMAIL_PLAIN_BOX``) that is no
    English word, function word, request or calendar word ("johnsmith at gmail"; not "works at yahoo")."""
    box = match.group("box").lower()
    return match.group() if box in english_words() or box in _not_a_plain_mailbox() else "[EMAIL]"


@functools.cache
def _not_a_plain_mailbox() -> frozenset[str]:
    from utterance_governance.clean import names
    from utterance_governance.clean.patterns import _NOT_A_MAILBOX

    return (
        names._NOT_A_NAME
        | names._NOT_A_NAME_ADVERBS
        | names._FUNCTION_WORDS
        | names._TITLES
        | names._CALENDAR
        | names._STRONG_CUES
        | frozenset(_NOT_A_MAILBOX)
    )


def _spelled_email(match: re.Match[str]) -> str:
    """``[EMAIL]``, after the space a mailbox with an initial starts with ("my email is j smith at …")."""
    found = match.group()
    return found[: len(found) - len(found.lstrip())] + "[EMAIL]"


# hiragana particles that end the words before a mailbox read out in kana ("メールはたなか…")
_PARTICLES = frozenset("はがをにでもへとの")
_JA_SCRIPT = re.compile("[\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3400-\u4dbf\u4e00-\u9fff]")


def _is_kanji(char: str) -> bool:
    return char == "\u3005" or "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


def _japanese_email(match: re.Match[str]) -> str:
    """``[EMAIL]`` for a Japanese e-mail address (``patterns.JAPANESE_EMAIL``), the words before its
    mailbox kept: Japanese has no spaces, so the mailbox the pattern finds starts with them
    ("メールはたなか"); it starts after the last kanji (a mailbox is read out in kana or Latin letters)
    or after a particle that follows a kanji or a katakana word ("メールは"). An "@" between Latin
    letters only is no Japanese address (the written shapes read those)."""
    found = match.group()
    if "@" in match.group("at") and not _JA_SCRIPT.search(found):
        return found
    box = match.group("box")
    cut = 0
    for i, char in enumerate(box):
        if _is_kanji(char) or (
            char in _PARTICLES
            and i
            and (_is_kanji(box[i - 1]) or "\u30a1" <= box[i - 1] <= "\u30fc")
            and not box[:i].endswith("ドット")
        ):
            cut = i + 1
    return box[:cut] + "[EMAIL]"  # (a mailbox of kanji only: the address from its "at" on)


_WRITTEN = _written()
_WRITTEN_PASSES: list[tuple[re.Pattern[str], Replacement]] = [
    (compile_python(pattern), replacement) for pattern, replacement in _WRITTEN
]
_WRITTEN_PATTERNS = [pattern for pattern, _ in _WRITTEN]


def _redact_written(text: str) -> str:
    for pattern, replacement in _WRITTEN_PASSES:
        text = pattern.sub(replacement, text)
    return text


# The stages around the fixed shapes. A stage reads a text and what of the row's locale it needs
# (its ``key``: the region for identity numbers, the language for names ...), and returns the
# text unchanged where its RE2 ``prefilter`` finds nothing, so the vectorised path runs each
# only on its rows and gives ``redact_text``'s result; ``gate``: a cheap RE2 pattern every row
# the prefilter finds holds (the prefilter then runs on those rows only).
def _classifier(region: str | None) -> Callable[[str], str]:
    """``classify_digits``; outside the US nine digits are a phone number (Spain, Italy: mobiles)."""
    if region in (None, "US"):
        return classify_digits
    return lambda digits: "[PHONE]" if len(digits) == 9 else classify_digits(digits)


_CLASSIFIERS = {True: _classifier(None), False: _classifier("ES")}


class Stage(NamedTuple):
    redact: Callable[[str, Hashable], str]
    key: Callable[[str | None, str | None], Hashable]  # (language, region) -> what the stage reads
    prefilter: str | None  # None: ``clean.names.candidate_rows``
    gate: int = 0  # byte classes (``patterns.byte_classes``) one of which every prefiltered row holds
    gate_words: str | None = None  # ... or, in a row without them, this pattern
    # reads no digit: a text is read with its digits as 0 ("It's 18 degrees" and "It's 21
    # degrees" once) and its digits are put back (read again as it is if the stage took some out)
    digit_blind: bool = False
    # what the prefilter comes down to in rows whose key is None (the stage reads less there)
    keyless_prefilter: str | None = None
    # ``redact`` for a text the prefilter matched (it may skip its own first check), if any
    redact_candidate: Callable[[str, Hashable], str] | None = None


def _no_key(lang: str | None, region: str | None) -> None:
    return None


_IDS = Stage(
    lambda text, region: redact_ids(text, region),
    # (Mexico: an RFC without its check digit; Brazil: an RG, beside the CPF)
    lambda lang, region: region if NATIONAL_IDS.get(region or "") or region == "MX" else None,
    PRE_CANDIDATES,
    TWO_DIGITS,  # every shape of the prefilter holds two digits or more
    keyless_prefilter=ID_CANDIDATES_ANY_REGION,  # no digits-only identity numbers to read
)
# IPv4 addresses read out or spaced ("192 dot 168 dot 1 dot 20"), first: an address cue before one
# ("mon adresse IP est 192 point …") would take its first octet for a house number
_IPS = Stage(lambda text, _: redact_spoken_ips(text), _no_key, IP_CANDIDATES)
# (rows without a digit: "corner of …", a house number in words before a street type, "one main street")
_ADDRESSES = Stage(
    lambda text, _: redact_addresses(text), _no_key, ADDRESS_CANDIDATES, DIGIT, ADDRESS_WITHOUT_DIGITS
)
_GROUPS = Stage(
    lambda text, region: redact_digit_groups(text, region),
    lambda lang, region: region if region in KNOWN_REGIONS else None,
    GROUP_CANDIDATES,
    THREE_DIGITS,  # a phone number of two digits is none: "+" and a national number of two or more
)
_SPOKEN = Stage(
    lambda text, key: redact_spoken_runs(text, key[0], _CLASSIFIERS[key[1]], MIN_RUN_DIGITS),
    lambda lang, region: (lang if lang in SPOKEN_LANGUAGES else None, region in (None, "US")),
    SPOKEN_CANDIDATES,
    # runs of number words and kanji numerals: read with their digits as 0, and again with them
    # when a run took written groups in ("0171 eins zwei drei vier fünf sechs")
    digit_blind=True,
    redact_candidate=lambda text, key: redact_spoken_runs(
        text, key[0], _CLASSIFIERS[key[1]], MIN_RUN_DIGITS, candidate=True
    ),
)
# names read capitalised unknown words as names in English text only; the language itself for the words that are
# pronouns or possessives in some languages only ("ella", "mia": third review of 2026-12-07)
_NAMES = Stage(
    lambda text, lang: redact_names(text, lang),
    lambda lang, region: lang or "en",
    None,
    digit_blind=True,
)
# digit runs glued inside a word ("AB16072344496"), last: what every other stage left
_GLUED = Stage(
    lambda text, region: redact_glued_numbers(text, region, _classifier(region)),
    lambda lang, region: region if region in KNOWN_REGIONS else None,
    GLUED_CANDIDATES,
    THREE_DIGITS,  # five digits or more
)
# words for a digit joined by anything, in any mix of languages ("one_two_three…"), last; identity numbers
# with letters whose digits are said as words before them ("ab one two three four five six c")
_DIGIT_WORD_RUNS = Stage(
    lambda text, us: redact_digit_word_runs(redact_spoken_ids(text), _CLASSIFIERS[us], MIN_RUN_DIGITS),
    lambda lang, region: region in (None, "US"),
    DIGIT_WORD_RUN_CANDIDATES,
)
# Before the fixed shapes read the digits: IPv4 addresses read out, IBANs and identity numbers, addresses, national
# phone formats (whose groups the fixed shapes would take one by one). After them: digit groups
# they left ("[PHONE] 1111 1111"), other languages' spoken numbers, names, digit runs glued
# inside a word, words for a digit joined by anything.
_BEFORE = (_IPS, _IDS, _ADDRESSES, _GROUPS)
_AFTER = (_GROUPS, _SPOKEN, _NAMES, _GLUED, _DIGIT_WORD_RUNS)


def _run(stages: tuple[Stage, ...], text: str, lang: str | None, region: str | None) -> str:
    for stage in stages:
        text = stage.redact(text, stage.key(lang, region))
    return text


def _redact_core(text: str) -> str:
    return _redact_spoken(_redact_written(text))


def redact_text(text: str | None, locale: str | None = None) -> str | None:
    """``text`` with every identifier replaced by its placeholder; ``None`` stays ``None``.

    Identifiers are found in ``normalise_for_detection(text)`` (NFKC, invisible characters
    out); a text in which nothing is found is returned as it was, byte for byte. ``locale``
    (BCP 47) says which country's identity numbers and phone formats come first and which
    language's number words are read first; every supported one is read in any case.

    >>> redact_text("call five five five one two three four or mail jo@example.com")
    'call [PHONE] or mail [EMAIL]'
    >>> redact_text("ruf null eins sieben eins, zwei drei vier, fünf sechs sieben an", "de-DE")
    'ruf [PHONE] an'
    """
    if text is None:
        return None
    lang, region = language_of(locale), region_of(locale)
    normalised = normalise_for_detection(text)
    redacted = _run(_AFTER, _redact_core(_run(_BEFORE, normalised, lang, region)), lang, region)
    if redacted != normalised:
        return redacted
    # nothing found in the folded text: the fixed shapes still read the text as it was
    # ("jo@example.com０": the full-width digit ends the address there, not after folding)
    return text if normalised is text else _redact_core(text)


# --- the vectorised path -------------------------------------------------------------------

# Rows whose written identifiers Python redacts: a card-shaped number (Luhn), digits
# written one by one (their count), a string of 13-19 digits (Luhn); and the few rows with a
# spelled-out e-mail (its pattern is large: RE2 would build it once more for them).
_WRITTEN_IN_PYTHON = "|".join((DETECTORS["card"][1], DETECTORS["digit_sequence"][1], r"\b[0-9]{13,19}\b"))


def _re2_passes() -> list[tuple[str, str]]:
    """RE2 substitutions equal to ``_WRITTEN_PASSES`` on the other rows, in the same order.

    A digit string's class is its length, so "long_number" becomes one substitution per
    class (the 13-19 digit strings went to Python); spelled-out e-mails went to Python.
    """
    passes = []
    for kind, (placeholder, pattern) in DETECTORS.items():
        if kind == "email_spoken":
            continue
        if kind == "long_number":
            passes += [
                (r"\b(?:[0-9]{7,8}|[0-9]{10,12})\b", "[PHONE]"),
                (r"\b[0-9]{9}\b", "[SSN]"),
                (r"\b[0-9]{20,}\b", "[NUMBER]"),
            ]
        elif kind not in CLASSIFIED_KINDS:
            passes.append((pattern, placeholder))
    return passes


_RE2_PASSES = _re2_passes()
# Runs of two tokens or more (one token stands for four digits at most) are wrapped in these
# markers by RE2, so that Python reads the runs instead of scanning the text; the rare text
# that already holds a marker is redacted by ``redact_text`` as a whole.
_RUN_OPEN, _RUN_CLOSE = "\x01", "\x02"
_MULTI_TOKEN_RUN = rf"\b{RUN_START}(?:{TOKEN_SEPARATOR}{SPOKEN_TOKEN_AFTER})+\b"


def _redact_marked(text: str) -> str:
    """``_redact_spoken`` for a text whose runs RE2 has wrapped in the run markers."""
    pieces = text.split(_RUN_OPEN)
    out = [pieces[0]]
    for piece in pieces[1:]:
        run, rest = piece.split(_RUN_CLOSE, 1)
        digits, count, spoken = read_run(run)
        out += [classify_digits(digits) if spoken and count >= MIN_RUN_DIGITS else run, rest]
    return "".join(out)


def _python(function: Callable[[str], str], array: pa.Array) -> pa.Array:
    return pa.array([function(text) for text in array.to_pylist()], array.type)


def _redact_written_rows(array: pa.Array, spelled: np.ndarray) -> pa.Array:
    """``_redact_written`` on each row, running only the passes RE2 finds in the row.

    The same result: a pass that finds nothing in the text finds nothing after the passes
    before it either (they only put placeholders in). ``spelled``: the rows with a
    spelled-out e-mail (known already).
    """
    hits = np.stack(
        [
            spelled if pattern in _SPELLED_PATTERNS else match_rows(array, pattern)
            for pattern in _WRITTEN_PATTERNS
        ],
        axis=1,
    )
    out = []
    for text, row in zip(array.to_pylist(), hits.tolist(), strict=True):
        for (pattern, replacement), hit in zip(_WRITTEN_PASSES, row, strict=True):
            if hit:
                text = pattern.sub(replacement, text)
        out.append(text)
    return pa.array(out, array.type)


def _scatter(parts: list[tuple[np.ndarray, pa.Array]], n: int) -> pa.Array:
    """One array of length ``n`` from ``(positions, values)`` parts that cover 0..n-1 once."""
    order = np.empty(n, dtype=np.int64)
    offset = 0
    for positions, values in parts:
        order[positions] = offset + np.arange(len(values))
        offset += len(values)
    return pa.concat_arrays([values for _, values in parts]).take(pa.array(order))


def candidate_rows(values: pa.Array, locales: pa.Array | None = None) -> np.ndarray:
    """The rows redaction may change (a superset; ``values`` normalised for detection)."""
    found = candidate_mask(values) | match_rows(values, JAPANESE_EMAIL_CANDIDATES)
    for stage in _BEFORE + _AFTER:
        if stage.prefilter:
            found |= match_rows(values, stage.prefilter)
    english = _Locales.of(locales, len(values)).per_row(lambda lang, region: lang in (None, "en"))
    return found | name_rows(values, english)


class _Locales(NamedTuple):
    """Each row's locale, read once per distinct locale: ``tags[index[row]]`` is the row's
    (language, region)."""

    tags: list[tuple[str | None, str | None]]
    index: np.ndarray

    @classmethod
    def of(cls, locales: pa.Array | None, rows: int) -> _Locales:
        if locales is None:
            return cls([(None, None)], np.zeros(rows, dtype=np.int64))
        encoded = pc.dictionary_encode(locales.cast(pa.string()))
        codes = [*encoded.dictionary.to_pylist(), None]  # the last: a null locale
        index = np.asarray(encoded.indices.fill_null(len(codes) - 1), dtype=np.int64)
        return cls([(language_of(code), region_of(code)) for code in codes], index)

    def per_row(self, of_tags: Callable[[str | None, str | None], object]) -> np.ndarray:
        return np.array([of_tags(*tags) for tags in self.tags])[self.index]


def _combined(values: pa.Array | pa.ChunkedArray | None) -> pa.Array | None:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    return values


def _stage_rows(
    stages: tuple[Stage, ...],
    values: pa.Array,
    locales: _Locales,
    flags: np.ndarray,
    memo: dict[Stage, dict[tuple[str, Hashable], str]],
) -> pa.Array:
    """``_run(stages)`` on each row, each stage only where its prefilter finds something.

    One RE2 pass per stage (a union of the patterns is slower than the passes together: RE2's
    DFA for it outgrows its cache), on the rows its gate lets through. ``flags``: the byte
    classes of each row (``patterns.byte_classes``) before any stage ran (stages only take
    characters out and put placeholders in, so they cover the rows' classes after). ``memo``:
    per stage, (text, key) -> result (a stage reads each text once per key: "call sarah" in
    en-US and en-GB is read once by names).
    """
    # digit-blind stages read each text with its digits as 0 once
    blind = DigitBlind.of(values) if any(stage.digit_blind for stage in stages) else None
    masks = []
    for stage in stages:
        if stage.prefilter is None:
            in_english = blind.any_row(locales.per_row(lambda lang, region: lang in (None, "en")))
            found = candidate_rows_digit_blind(blind.texts, in_english, flags[blind.first])
            masks.append(blind.per_row(found))
            continue
        if stage.digit_blind:
            masks.append(blind.per_row(match_rows(blind.texts, stage.prefilter)))
            continue
        if not stage.gate:
            masks.append(match_rows(values, stage.prefilter))
            continue
        gated = (flags & stage.gate) > 0
        if stage.gate_words:
            gated[~gated] = match_rows(values.filter(pa.array(~gated)), stage.gate_words)
        found = _where(values, gated, stage.prefilter)
        if stage.keyless_prefilter:
            keyless = found & locales.per_row(lambda lang, region, key=stage.key: key(lang, region) is None)
            found[keyless] = match_rows(values.filter(pa.array(keyless)), stage.keyless_prefilter)
        masks.append(found)
    hits = np.stack(masks, axis=1)
    rows = np.flatnonzero(hits.any(axis=1))
    if not len(rows):
        return values
    texts = values.take(pa.array(rows)).to_pylist()
    codes = locales.index[rows].tolist()
    for stage, hit in zip(stages, hits[rows].T, strict=True):
        keys = [stage.key(*tags) for tags in locales.tags]
        done = memo.setdefault(stage, {})
        redact = stage.redact_candidate or stage.redact
        for i in np.flatnonzero(hit).tolist():
            text = texts[i]
            read = (text.translate(_ZEROED) if stage.digit_blind else text, keys[codes[i]])
            result = done.get(read)
            if result is None:
                result = done[read] = redact(*read)
            if stage.digit_blind:
                result = _with_digits_of(text, read[0], result) or redact(text, read[1])
            texts[i] = result
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(texts, values.type))


_ZEROED = str.maketrans("123456789", "000000000")


def _with_digits_of(text: str, zeroed: str, result: str) -> str | None:
    """``result`` (a digit-blind stage's, read from ``zeroed``) with the digits of ``text``; None
    when the stage replaced digits (a run that took written groups in, "0171 eins zwei …"): which
    digits went, and how the number is classified, are then read from ``text`` itself."""
    if result == zeroed:
        return text
    if zeroed == text:
        return result
    digits = [c for c in text if "0" <= c <= "9"]
    if result.count("0") != len(digits):
        return None
    each = iter(digits)  # each 0 of the result is one, in order
    return "".join(next(each) if c == "0" else c for c in result)


def _where(values: pa.Array, rows: np.ndarray, pattern: str) -> np.ndarray:
    """``match_rows(values, pattern)``, read only on ``rows`` (False elsewhere)."""
    found = np.zeros(len(values), dtype=bool)
    if rows.any():
        found[rows] = match_rows(values.filter(pa.array(rows)), pattern)
    return found


def redact_array(
    values: pa.Array | pa.ChunkedArray, locales: pa.Array | pa.ChunkedArray | None = None
) -> pa.Array:
    """``redact_text`` over a string column, vectorised: same type and length, nulls kept.

    ``locales`` (optional, one BCP 47 locale per row) is each row's ``locale`` argument.
    Rows are normalised for detection (non-ASCII rows only, Arrow kernels). RE2 then picks
    the few rows that need each Python stage: IBANs, identity numbers and addresses first
    (``_BEFORE``); the fixed shapes and English spoken numbers next (RE2 and Python,
    ``_redact_core_array``); national phone formats, other languages' spoken numbers and names
    last (``_AFTER``). A row nothing was found in keeps its original bytes.
    """
    values = _combined(values)
    if pa.types.is_null(values.type):  # a column of nulls only
        return values
    distinct, where, pick = _distinct(values, _combined(locales))
    return _redact_distinct(distinct, where).take(pick)


def _distinct(values: pa.Array, locales: pa.Array | None) -> tuple[pa.Array, pa.Array | None, pa.Array]:
    """The distinct (text, locale) pairs of a column, and for each row the index of its pair.

    Voice-assistant traffic repeats itself ("what time is it", "call sarah" thousands of times
    a night): redaction reads each pair once. A null text is a pair of its own (it stays null).
    """
    encoded = pc.dictionary_encode(values)
    if locales is None and not values.null_count:
        return encoded.dictionary, None, encoded.indices
    key = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
    if locales is not None:
        codes = pc.dictionary_encode(locales)
        key = key * (len(codes.dictionary) + 1) + np.asarray(codes.indices.fill_null(-1), dtype=np.int64)
    pairs = pc.dictionary_encode(pa.array(key))  # hashing beats sorting or a table here
    pick = np.asarray(pairs.indices)
    first = np.empty(len(pairs.dictionary), dtype=np.int64)
    first[pick[::-1]] = np.arange(len(pick) - 1, -1, -1)  # the first row of each pair
    taken = pa.array(first)
    return values.take(taken), None if locales is None else locales.take(taken), pairs.indices


def _redact_distinct(values: pa.Array, where: pa.Array | None) -> pa.Array:
    """``redact_array`` of distinct (text, locale) pairs."""
    flags = byte_classes(values)
    normalised, folded = fold_rows(values, flags)
    if len(folded):
        flags[folded] = byte_classes(normalised.take(pa.array(folded)))
    memo: dict[Stage, dict] = {}  # national phone formats are read before and after the fixed shapes
    locales = _Locales.of(where, len(values))
    redacted = _stage_rows(_BEFORE, normalised, locales, flags, memo)
    redacted = _redact_core_array(redacted, flags)
    redacted = _stage_rows(_AFTER, redacted, locales, flags, memo)
    if normalised is values:
        return redacted
    found = np.asarray(pc.fill_null(pc.not_equal(redacted, normalised), True))
    folded = np.asarray(pc.fill_null(pc.not_equal(values, normalised), False))
    unfound = np.flatnonzero(folded & ~found)
    if len(unfound):  # nothing found in the folded text: the fixed shapes read the original
        mask = np.zeros(len(values), dtype=bool)
        mask[unfound] = True
        original = values.take(pa.array(unfound))
        redacted = pc.replace_with_mask(
            redacted, pa.array(mask), _redact_core_array(original, byte_classes(original))
        )
    return redacted


def _redact_core_array(values: pa.Array, flags: np.ndarray) -> pa.Array:
    """``_redact_core`` over a column: the fixed shapes and English spoken numbers.

    Cheap gates pick the rows that may hold an identifier (``_core_rows``), a few percent of
    real traffic; only those are touched. Their written identifiers go through the RE2
    substitutions, except in rows that need a Luhn check or a digit count (Python). Rows that
    may hold a spoken run then have their runs wrapped in markers by RE2 and read in Python
    (``_redact_marked``). Results are scattered back into the column.
    """
    candidate, spelled, spoken = _core_rows(values, flags)
    rows = np.flatnonzero(candidate)
    if not len(rows):
        return values
    subset = values.take(pa.array(rows))
    spelled, spoken = spelled[rows], spoken[rows]

    whole = (flags[rows] & RUN_MARKER) > 0  # rare: redact_text does everything
    in_python = ~whole & (spelled | match_rows(subset, _WRITTEN_IN_PYTHON))
    by_re2 = ~whole & ~in_python
    re2 = subset.filter(pa.array(by_re2))
    for pattern, placeholder in _RE2_PASSES:
        re2 = pc.replace_substring_regex(re2, pattern, placeholder)
    rest = np.flatnonzero(~whole)
    written = _scatter(
        [
            (
                np.flatnonzero(in_python[rest]),
                _redact_written_rows(subset.filter(pa.array(in_python)), spelled[in_python]),
            ),
            (np.flatnonzero(by_re2[rest]), re2),
        ],
        len(rest),
    )

    spoken = spoken[rest]
    marked = pc.replace_substring_regex(
        written.filter(pa.array(spoken)), _MULTI_TOKEN_RUN, f"{_RUN_OPEN}\\0{_RUN_CLOSE}"
    )
    redacted = _scatter(
        [
            (np.flatnonzero(whole), _python(_redact_core, subset.filter(pa.array(whole)))),
            (rest[~spoken], written.filter(pa.array(~spoken))),
            (rest[spoken], _python(_redact_marked, marked)),
        ],
        len(rows),
    )
    return pc.replace_with_mask(values, pa.array(candidate), redacted)


# Which rows the fixed shapes may change, each family behind a gate that is cheap to read:
# - every written detector but the spelled-out e-mail needs three digits ("+1 (2) 3"), an "@"
#   (e-mail) or a colon (IPv6);
# - a spelled-out e-mail needs its "at" between spaces or brackets;
# - a spoken run of seven digits or more holds a spoken token, which ends with an ASCII letter
#   followed by a separator or the run's end (a word boundary); and it has three tokens or
#   more, or two: four written digits and "triple" + a digit word (a token stands for four
#   digits at most, "triple five" for three, any other spoken token for two at most). The
#   three tokens need no boundary before them ("ſeven" inside a run has none).
_SPELLED_PATTERNS = (DETECTORS["email_spoken"][1], EMAIL_WITHOUT_TLD, EMAIL_PLAIN_BOX, JAPANESE_EMAIL)
_WRITTEN_FAMILIES = "|".join(
    f"(?:{pattern})"
    for kind, (_, pattern) in DETECTORS.items()
    if kind not in ("email_spoken", "spoken_number")
)
_AT_GATE = (
    rf"[ \t\n\r\f\v(\[{{](?:{_AT_WORDS}|[äÄ]t|@)[ \t\n\r\f\v)\]}}]|アット|[ぁ-ヺー々㐀-鿿][ ]?@|@[ ]?[ァ-ヺ]"
)
_SPOKEN_WORD = _words(*UNIT_WORDS, *TENS_WORDS, "double", "triple", "treble") + r"\b"  # ("triple o 1234")
_TRIPLE = rf"{_words('triple', 'treble')}{TOKEN_SEPARATOR}{_words(*UNIT_WORDS, 'o')}"  # "triple o": 000
_LONG_ENOUGH_RUN = (
    rf"(?:{SPOKEN_TOKEN}{TOKEN_SEPARATOR}{SPOKEN_TOKEN_AFTER}{TOKEN_SEPARATOR}{SPOKEN_TOKEN_AFTER}"
    rf"|{_TRIPLE}{TOKEN_SEPARATOR}[0-9]{{4}}|[0-9]{{4}}{TOKEN_SEPARATOR}{_TRIPLE})\b"
)


def _core_rows(values: pa.Array, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows the fixed shapes may change, rows with a spelled-out e-mail, rows that may hold a
    spoken run of seven digits or more); supersets, each read by RE2 behind its gate."""
    written = _where(values, (flags & (THREE_DIGITS | AT_SIGN | COLON)) > 0, _WRITTEN_FAMILIES)
    worded = match_rows(values, f"{_AT_GATE}|{_SPOKEN_WORD}")  # both gates in one pass
    spelled = _where(values, worded, f"{SPELLED_EMAIL_CANDIDATES}|{JAPANESE_EMAIL_CANDIDATES}")
    spoken = _where(values, worded, _LONG_ENOUGH_RUN)
    return written | spelled | spoken, spelled, spoken
