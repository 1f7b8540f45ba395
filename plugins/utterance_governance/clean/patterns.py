"""The identifier detectors: one regular expression per kind, shared by redaction and the gate.

Each pattern means the same thing to Python ``re`` (compiled by ``compile_python``, with
``re.ASCII``) and to RE2 (pyarrow.compute), so the vectorised path, the per-string path and
the publish gate agree on what an identifier is:

- no look-around, no back-references (RE2 has neither);
- whitespace is spelled out (``_WS``): RE2's ``\\s`` lacks ``\\v``; ``\\b`` and ``[0-9]`` are
  ASCII in both engines;
- case-insensitive words go through ``_words``: RE2 folds ``s`` with ``ſ`` (U+017F) and
  ``k`` with the Kelvin sign (U+212A), so those letters are spelled as classes holding both,
  which Python then matches too.

Spoken numbers. Transcripts are speech, so a phone number may arrive as "five five five, one
two three four", "double five five 0100" or "five five five twelve thirty four". A *run* is a
sequence of number tokens joined by spaces, commas, hyphens or full stops (or a colon or slash
beside a space, "five five five: twelve thirty four"): digit words ("oh" is zero, and "o"
beside a number word), "double"/"triple" + digit word, tens words and "hundred", and written groups
of up to four digits. A run is an identifier when it stands for at least ``MIN_RUN_DIGITS``
digits and holds at least one spoken token ("five five five 0100" is; "1,000,000" and
"$12.99" are plain written numbers, left to the written detectors). Counting digits is not
something a compact regular expression does, so ``SPOKEN_DIGIT_RUN`` finds *candidate* runs
(a superset: every run long or heavy enough that it might reach seven digits) and
``spoken_number_spans`` counts exactly; ``detect_identifiers`` combines the two.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WS = r"[ \t\n\r\f\v]"
# Between the tokens of a spoken number: spaces, commas, hyphens, full stops (ASR punctuation);
# and a colon or slash beside a space ("five five five: twelve thirty four", "five five five /
# twelve …"; not "10:30" or "12/05", times and dates).
TOKEN_SEPARATOR = _SEP = r"(?:[ \t\n\r\f\v,.\-]+(?:[:/][ \t\n\r\f\v,.\-]*)?|[:/][ \t\n\r\f\v,.\-]+)"


def _words(*words: str) -> str:
    """Case-insensitive alternation of words, identical under Python re and RE2."""
    spelled = [
        w.lower().replace("s", "[s\u017f]").replace("k", "[k\u212a]")
        for w in sorted(words, key=len, reverse=True)
    ]
    return "(?i:" + "|".join(spelled) + ")"


# --- spoken numbers ------------------------------------------------------------------------

UNIT_WORDS = {
    "zero": "0", "oh": "0", "nought": "0", "naught": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
TENS_WORDS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
    "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "00",
}  # fmt: skip
DIGIT_WORDS = UNIT_WORDS  # the first cut's name: every word that reads as one digit
MIN_RUN_DIGITS = 7

_UNIT = _words(*UNIT_WORDS)
_UNIT_O = _words(*UNIT_WORDS, "o")
# "treble one": British for "triple"; "double o": two zeros
_REPEAT = rf"{_words('double', 'triple', 'treble')}{_SEP}{_UNIT_O}"
# Heavy tokens stand for two digits or more; light ones for one.
_HEAVY = rf"(?:{_REPEAT}|{_words(*TENS_WORDS)}|[0-9]{{2,4}})"
SPOKEN_TOKEN = rf"(?:{_REPEAT}|{_words(*TENS_WORDS)}|{_UNIT}|[0-9]{{1,4}})"
# ... and after the first token the letter "o" for zero ("five five five o one o o"): a spoken
# digit only beside a number word (``read_run``), so "1000 o 2000" (Spanish, Italian "or") is no
# spoken number; never the first, which needs no word boundary before it in the gates (the "o"
# of "to sixty-two")
SPOKEN_TOKEN_AFTER = rf"(?:{_REPEAT}|{_words(*TENS_WORDS)}|{_UNIT_O}|[0-9]{{1,4}})"
# ... but an "o" before a digit word may start a run ("o five five five one two three four"): it is
# the number's first digit, read with it (``read_run``: it counts towards no run's seven digits, so
# what was no number stays none, and the gates need not see it).
RUN_START = rf"(?:{_words('o')}{_SEP}(?:{_REPEAT}|{_UNIT})|{SPOKEN_TOKEN})"
# One maximal run, whatever it holds (Python reads its tokens and counts).
SPOKEN_RUN = rf"\b{RUN_START}(?:{_SEP}{SPOKEN_TOKEN_AFTER})*\b"

_T, _TO, _S = SPOKEN_TOKEN, SPOKEN_TOKEN_AFTER, _SEP
_HEAVY_SPOKEN = rf"(?:{_REPEAT}|{_words(*TENS_WORDS)})"
# Candidate runs: a superset of the runs of seven digits or more with a spoken token, kept
# small so that few rows need counting. A token stands for four digits at most, so a run with
# no heavy token needs seven tokens, a run with one needs four, and a run with two needs a
# spoken token somewhere ("$12.99" and "10,000" are written numbers, not runs). Each
# alternative may start at the first token of the run (the one token sure to follow a word
# boundary: "ſeven" inside a run does not).
_ANY_BEFORE = rf"\b(?:{_T}{_S}(?:{_TO}{_S})*)?"
SPOKEN_DIGIT_RUN = "|".join(
    (
        rf"\b{_T}(?:{_S}{_TO}){{6,}}\b",
        rf"\b{_HEAVY}(?:{_S}{_TO}){{3}}\b",
        rf"\b{_T}{_S}{_HEAVY}(?:{_S}{_TO}){{2}}\b",
        rf"\b{_T}{_S}{_TO}{_S}{_HEAVY}{_S}{_TO}\b",
        rf"\b{_T}(?:{_S}{_TO}){{2,}}{_S}{_HEAVY}\b",
        rf"{_ANY_BEFORE}{_HEAVY_SPOKEN}(?:{_S}{_TO})*{_S}{_HEAVY}\b",
        rf"{_ANY_BEFORE}{_HEAVY}(?:{_S}{_TO})*{_S}{_HEAVY_SPOKEN}\b",
        rf"{_ANY_BEFORE}{_UNIT}(?:{_S}{_TO})*{_S}{_HEAVY}(?:{_S}{_TO})*{_S}{_HEAVY}\b",
        rf"{_ANY_BEFORE}{_HEAVY}(?:{_S}{_TO})*{_S}{_UNIT_O}(?:{_S}{_TO})*{_S}{_HEAVY}\b",
        rf"{_ANY_BEFORE}{_HEAVY}(?:{_S}{_TO})*{_S}{_HEAVY}(?:{_S}{_TO})*{_S}{_UNIT_O}\b",
    )
)


class SpokenNumber(NamedTuple):
    """A run that counts as an identifier: where it is and the digits it stands for."""

    start: int
    end: int
    digits: str


_RUN_RE = re.compile(SPOKEN_RUN, re.ASCII)


def read_run(run: str) -> tuple[str, int, bool]:
    """(digits, digit count, holds a spoken token) of one run matched by ``SPOKEN_RUN``.

    The count is the number of digits the tokens stand for one by one ("twenty five" counts
    three, "double five" two), so it does not depend on where a run is cut; ``digits`` reads
    the run as a person would ("twenty five" is 25, "eight hundred" is 800).
    """
    # A run holds token characters and separators only, so this is a split on separators
    # (``str.split`` takes the ASCII whitespace; three times faster than ``re.split``).
    words = (
        run.lower()
        .replace(",", " ")
        .replace(".", " ")
        .replace("-", " ")
        .replace(":", " ")
        .replace("/", " ")
        .replace("\u017f", "s")
        .split()
    )
    if "," in run and _clock_times(run):
        return "", 0, False
    # an "o" starting the run (``RUN_START``) is its first digit, but counts towards no seven
    digits: list[str] = ["0"] if words[0] == "o" else []
    if digits:
        words = words[1:]
    count = 0
    spoken = False
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        unit = UNIT_WORDS.get(word)
        if unit is not None:
            digits.append(unit)
            count += 1
            spoken = True
        elif word == "o":  # zero, when a number word is beside it
            digits.append("0")
            count += 1
            spoken = spoken or any(
                0 <= k < n and (words[k] in UNIT_WORDS or words[k] in TENS_WORDS) for k in (i - 1, i + 1)
            )
        elif word[0] <= "9":
            digits.append(word)
            count += len(word)
        elif word in TENS_WORDS:
            value = TENS_WORDS[word]
            following = UNIT_WORDS.get(words[i + 1], "0") if i + 1 < n else "0"
            spoken = True
            if value[1] == "0" and value[0] not in "01" and following != "0":
                digits.append(value[0] + following)  # "twenty five" is 25
                count += 3
                i += 1
            else:
                digits.append(value)
                count += 2
        else:  # "double" / "triple" / "treble" and a digit word
            times = 2 if word == "double" else 3
            digits.append(UNIT_WORDS.get(words[i + 1], "0") * times)  # "double o": "00"
            count += times
            spoken = True
            i += 1
        i += 1
    return "".join(digits), count, spoken


_HOUR_WORDS = frozenset(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
)  # fmt: skip


def _clock_times(run: str) -> bool:
    """A list of times of day said "six o five", parted by commas ("wake me at six o five, seven o
    five, eight o five"): no number, though the digits would run to nine."""
    parts = [part.split() for part in run.lower().split(",")]
    return len(parts) >= 2 and all(
        len(p) == 3 and p[0] in _HOUR_WORDS and p[1] == "o" and p[2] in UNIT_WORDS for p in parts
    )


def spoken_number_spans(text: str) -> Iterator[SpokenNumber]:
    """The runs in ``text`` that stand for ``MIN_RUN_DIGITS`` digits or more, one spoken."""
    for match in _RUN_RE.finditer(text):
        digits, count, spoken = read_run(match.group())
        if spoken and count >= MIN_RUN_DIGITS:
            yield SpokenNumber(match.start(), match.end(), digits)


def has_spoken_number(text: str) -> bool:
    return next(spoken_number_spans(text), None) is not None


# --- written forms -------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"  # zero-padded too ("192.168.001.020")
_HEX = r"[0-9A-Fa-f]{1,4}"
_LABEL = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
# "at" and "dot" as people say and obfuscate them, in every supported language: "jo at example
# dot com", "jo (at) example [dot] com", "jo arroba gmail punto com", "jo アットマーク docomo ドット ne
# ドット jp". Non-ASCII letters are spelled in both cases (Python's re.ASCII folds ASCII only).
_AT_WORDS = _words(
    "at", "arroba", "arobase", "chiocciola", "chiocciolina", "apenstaartje", "apenstaart", "apestaartje",
    "apestaart", "klammeraffe", "affenschwanz",
)  # fmt: skip
_DOT_WORDS = _words("dot", "punkt", "point", "punto", "punt", "ponto")
_BRACKETED = r"{_WS}*[(\[{{]{_WS}*(?:{words}){_WS}*[)\]}}]{_WS}*"
# "at the rate (of)": how English is spoken in India says "@"
_AT_THE_RATE = rf"{_words('at')}{_WS}+{_words('the')}{_WS}+{_words('rate')}(?:{_WS}+{_words('of')})?"
# "john at sign gmail dot com", "at symbol"
_AT_SIGN = rf"{_words('at')}{_WS}+{_words('sign', 'symbol')}"
# Japanese writes no space around アット(マーク) and ドット ("joアットgmailドットcom")
_AT = (
    rf"(?:{_WS}+(?:{_AT_THE_RATE}|{_AT_SIGN}|{_AT_WORDS}|[äÄ]t|@){_WS}+|{_WS}*(?:アットマーク|アット){_WS}*"
    rf"|{_BRACKETED.format(_WS=_WS, words=_AT_WORDS + '|[äÄ]t|@')})"  # ("(at)", "(ät)", "[@]")
)
_DOT = rf"(?:{_WS}+{_DOT_WORDS}{_WS}+|{_WS}*ドット{_WS}*|{_BRACKETED.format(_WS=_WS, words=_DOT_WORDS)}|\.)"
_TLDS = (
    "com", "net", "org", "edu", "gov", "io", "co", "uk", "us", "ca", "de", "fr", "au",
    "info", "biz", "me", "ai", "app", "dev", "ie", "nl", "es", "it", "br", "jp", "at", "mx", "in",
    "ch", "be", "pt", "eu", "se", "no", "dk", "fi", "pl", "cz", "tv", "email", "online",
)  # fmt: skip
# Words that stand before "at <site> dot com" in requests, not as a mailbox: "buy it at
# amazon dot com", "visit us at ...", "on sale at target dot com".
_NOT_A_MAILBOX = (
    "it", "its", "this", "that", "these", "those", "them", "they", "us", "we", "me", "him",
    "her", "you", "one", "ones", "more", "all", "here", "there", "now", "online", "out", "up",
    "look", "looking", "check", "go", "buy", "find", "visit", "order", "shop", "shopping",
    "available", "sale", "deals", "stuff", "everything", "something", "anything", "info", "is",
)  # fmt: skip


def _label_except(excluded: tuple[str, ...], tail: str = "[A-Za-z0-9]", also: str = "") -> str:
    """A word of ``[A-Za-z0-9]+`` other than ``excluded`` (any case), without look-around;
    ``tail``: the class of its characters after the first that differs from an excluded word's;
    ``also``: characters (a class body) that may be that first differing character too, unless it is
    the word's first ("m" then "ü" is "müller", which is not "me" or "more").

    Built from the trie of the excluded words: at each node the word may end (if the node
    is not an excluded word), go on with a character no excluded word has there, or follow
    a child.
    """
    trie: dict = {}
    for word in excluded:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def label_class(exclude: set[str], depth: int) -> str:
        kept = [c for c in "abcdefghijklmnopqrstuvwxyz" if c not in exclude]
        runs: list[list[str]] = []
        for c in kept:
            if runs and ord(c) == ord(runs[-1][-1]) + 1:
                runs[-1].append(c)
            else:
                runs.append([c])
        lower = "".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
        return f"[0-9{lower}{lower.upper()}{also if depth else ''}]"

    def rest(node: dict, depth: int) -> str:
        children = sorted(ch for ch in node if ch)
        alternatives = [f"{label_class(set(children), depth)}{tail}*"]
        alternatives += [f"[{ch}{ch.upper()}]{rest(node[ch], depth + 1)}" for ch in children]
        if depth and "" not in node:
            alternatives.append("")
        return "(?:" + "|".join(alternatives) + ")"

    return rest(trie, 0)


# Latin letters beyond ASCII (Latin-1 and Latin Extended-A/B, the multiplication and division signs
# left out), spelled as ranges: the same class to Python re (ASCII mode) and to RE2
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"


def _letter_ranges() -> list[tuple[int, int]]:
    """The letters, marks and numbers of every script beyond ASCII (Unicode categories L, M and N: what the gate's
    detector reads as a word's characters, ``\\w``, and the marks), as ranges of code points; with the unassigned
    code points (a third fewer ranges) and planes 2 and 3 (kanji only)."""
    import itertools
    import unicodedata

    ranges, code = [], 0x80
    categories = map(unicodedata.category, map(chr, range(code, 0x20000)))
    for kept, run in itertools.groupby(category[0] in "LMN" or category == "Cn" for category in categories):
        length = sum(1 for _ in run)
        if kept:
            ranges.append((code, code + length - 1))
        code += length
    return [*ranges, (0x20000, 0x3FFFF)]


# Kanji, kana, hangul and the full-width and half-width forms: scripts written without spaces between words
_CJK = (
    (0x2E80, 0x9FFF),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x1B000, 0x1B2FF),
    (0x20000, 0x3FFFF),
)


def _without_cjk(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for cut_first, cut_last in _CJK:
        ranges = [
            piece
            for first, last in ranges
            for piece in ((first, min(last, cut_first - 1)), (max(first, cut_last + 1), last))
            if piece[0] <= piece[1]
        ]
    return ranges


def _class_body(ranges: list[tuple[int, int]]) -> str:
    """Ranges spelled with the characters themselves: the same class to Python re and to RE2."""
    return "".join(chr(first) if first == last else f"{chr(first)}-{chr(last)}" for first, last in ranges)


# ... of the scripts written with spaces between words, as an e-mail address's mailbox and top-level domain are read
# ("иван@example.com", "jsmith@example.cоm" with a Cyrillic "о"; a Japanese sentence runs into a mailbox,
# "メールはtanaka@…": ``JAPANESE_EMAIL`` reads those), and of every script, as its domain's labels are
# ("jsmith@exаmple.com", "jsmith@пример.рф", "jsmith@例え.jp")
_LETTER_RANGES = _letter_ranges()
_DOMAIN_LETTERS = _class_body(_LETTER_RANGES)
_LETTERS = _class_body(_without_cjk(_LETTER_RANGES))
_LATIN_LABEL = rf"[A-Za-z0-9{_LATIN}]+(?:-[A-Za-z0-9{_LATIN}]+)*"
# A mailbox word: not a word of a request; its letters after the first may be accented ("josé"),
# or, after no word character, it starts with an accented letter ("éloïse")
_MAILBOX = _label_except(_NOT_A_MAILBOX, f"[A-Za-z0-9{_LATIN}]", _LATIN)
_MAILBOX_WORD = rf"(?:\b{_MAILBOX}|\B[{_LATIN}][A-Za-z0-9{_LATIN}]*)"
# ... the first word of a mailbox spelled out: neither that nor an article, "to", "is"
# ("buy the one at target dot com", "my email is j o h n at …")
_MAILBOX_FIRST = _label_except(
    (*_NOT_A_MAILBOX, "the", "a", "an", "to", "my", "email", "mail", "address", "and", "or", "for", "at"),
    f"[A-Za-z0-9{_LATIN}]",
    _LATIN,
)
# Number words of the other supported languages in a mailbox ("jsmith ochenta y siete arroba …"): their
# digits, tens and first teens, in ASCII letters ("y" and "e", "and", are letters said alone)
_OTHER_NUMBER_WORDS = (
    "cero", "uno", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once",
    "doce", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa",
    "un", "une", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf", "dix", "douze", "vingt", "trente",
    "quarante", "cinquante", "soixante",
    "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci", "undici", "dodici", "venti",
    "trenta", "quaranta", "sessanta", "settanta", "ottanta", "novanta",
    "null", "eins", "zwei", "zwo", "drei", "vier", "fuenf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
    "zwanzig", "vierzig", "sechzig", "siebzig", "achtzig", "neunzig",
    "nul", "een", "twee", "drie", "vijf", "zes", "zeven", "negen", "tien", "twaalf", "twintig", "dertig",
    "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig",
    "um", "dois", "duas", "quatro", "sete", "oito", "dez", "doze", "vinte", "trinta", "quarenta", "sessenta",
    "oitenta", "meia",
)  # fmt: skip
# A letter or digit said alone, or a number word: "j o h n s m i t h", "jsmith eighty seven"; of every
# supported language before a top-level domain (``_SMALL_ANY``: in ``EMAIL_WITHOUT_TLD`` its words
# make RE2 outgrow its DFA budget, a pass 150 times slower)
_SMALL = rf"(?:[A-Za-z0-9]|{_words(*UNIT_WORDS, *TENS_WORDS)})"
_SMALL_ANY = rf"(?:[A-Za-z0-9]|{_words(*UNIT_WORDS, *TENS_WORDS, *_OTHER_NUMBER_WORDS)})"
# A mailbox's first part spelled: a word followed by letters or number words said alone; two of
# those or more and a word (one is an "s" after "it's", an "a")
_MAILBOX_SPELLED = rf"(?:\b{_MAILBOX_FIRST}(?:{_WS}+{_SMALL})+|\b(?:{_SMALL}{_WS}+){{2,}}{_MAILBOX})"
_MAILBOX_SPELLED_ANY = (
    rf"(?:\b{_MAILBOX_FIRST}(?:{_WS}+{_SMALL_ANY})+|\b(?:{_SMALL_ANY}{_WS}+){{2,}}{_MAILBOX})"
)
# A single initial said before the mailbox word ("j smith at gmail dot com" is jsmith@…): a consonant
# after a space or the text's start (not the "s" of "it's"; the vowels and "y" are words of the
# supported languages: "send it to a smith at …", "escribe a juan arroba …"). The space before it is
# part of the match (RE2 has no look-behind), and ``clean.redact`` puts it back.
_INITIAL = r"(?:^|[ \t\n\r\f\v])[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]" + rf"{_WS}+"
# A mailbox the "at" of a request does not follow: letters and digits in one word ("jsmith87"),
# spelled, or parts joined ("j dot smith")
_MAILBOX_MARKED = rf"(?:\b[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*|{_MAILBOX_SPELLED})"
# ... with the number words of every supported language ("jsmith zwei drei at gmx", "jsmith ochenta y
# siete at gmail"): ``EMAIL_WITHOUT_TLD`` is read by Python only, where they cost nothing
_MAILBOX_MARKED_ANY = rf"(?:\b[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*|{_MAILBOX_SPELLED_ANY})"
# Providers whose name is an address without its top-level domain ("jsmith87 at gmail"), and how
# speech recognition splits their names ("g mail")
_SPACED_PROVIDER = rf"(?:{_words('g', 'hot', 'google', 'proton')}{_WS}*{_words('mail')})"
_PROVIDER = rf"(?:{_SPACED_PROVIDER}|{_words('googlemail', 'hotmail', 'yahoo', 'outlook', 'icloud', 'protonmail', 'gmx', 'aol')})"
# Between the parts of a spoken mailbox: "dot", "underscore", "hyphen" in every supported
# language ("jo guion bajo smith", "jo tiret du bas smith", "jo bindestrich smith", "jo
# trattino basso smith", "jo liggend streepje smith", "jo sublinhado smith", "jo アンダーバー smith")
_JOIN_PHRASES = "|".join(
    rf"{_words(first)}{_WS}+{_words(second)}"
    if not rest
    else rf"{_words(first)}{_WS}+{_words(second)}{_WS}+{_words(rest[0])}"
    for first, second, *rest in (
        ("guion", "bajo"), ("guión", "bajo"), ("tiret", "du", "bas"), ("tiret", "bas"),
        ("trattino", "basso"), ("liggend", "streepje"), ("laag", "streepje"), ("under", "score"),
        ("plus", "sign"),
    )
)  # fmt: skip
# A hyphen in a spelled mailbox said by a name that is also arithmetic's or a line's ("minus", "strich",
# "moins", "menos", "raya", "meno", "lineetta", "koppelteken"): a joiner inside a mailbox only
_MAILBOX_HYPHEN_WORDS = ("minus", "strich", "moins", "menos", "raya", "meno", "lineetta", "koppelteken")
_JOIN_WORDS = _words(
    "dot", "underscore", "dash", "hyphen", "period", "punkt", "point", "punto", "punt", "ponto",
    "unterstrich", "bindestrich", "tiret", "guion", "guión", "trattino", "sottolineato", "streepje",
    "sublinhado", "underline", "traço", "hífen",
    # plus-addressing read out: "jsmith plus promo at gmail dot com", "jsmith más promo arroba …"
    "plus", "más", "mas", "mais", "più", "piu",
    # the hyphen said as "minus" or a dash's other names ("hans strich peter at web punkt de", "juan menos
    # perez arroba …" left the given name beside [EMAIL]); before an "at" and a domain only, so "five minus
    # two" and "zehn minus drei" are no mailbox
    *_MAILBOX_HYPHEN_WORDS,
)  # fmt: skip
# A part of a spelled mailbox after a joiner may be a surname with its particle ("jan punt de vries
# apenstaartje ziggo punt nl" is jan.devries@ziggo.nl: it was "jan punt de [EMAIL]"; sixth pass)
_PARTICLE_LABEL = (
    rf"(?:(?:de[ ]la|de[ ]las|de[ ]los|van[ ]der|van[ ]den|van[ ]de|de|van|der|den|von|da|di|del|le|la|du|dos|das)"
    rf"[ ])?{_LATIN_LABEL}"
)
_LOCAL_JOIN = (
    rf"(?:{_WS}+(?:{_JOIN_PHRASES}|{_JOIN_WORDS}){_WS}+|{_WS}*(?:ドット|アンダーバー|アンダースコア|ハイフン){_WS}*"
    rf"|{_BRACKETED.format(_WS=_WS, words=_DOT_WORDS)}|[._\-+])"
)

# A well-known provider without a top-level domain, after a mailbox the "at" of a request does not
# follow ("jsmith87 at gmail", "j dot smith at hotmail"; not "works at yahoo"). Not one of the
# ``DETECTORS``: in their union (``CANDIDATES``) RE2's automaton would outgrow its memory;
# ``clean.redact`` reads it after the spelled-out e-mail, on the rows ``SPELLED_EMAIL_CANDIDATES``
# finds.
# ... and any domain after an "at" of another language, which means nothing but "@" ("jean point dupont
# arobase orange"), after a mailbox of joined parts or with a digit in a word (not a word and letters:
# "digite a arroba no teclado" asks how to type one)
_AT_FOREIGN = rf"{_WS}+{_words('arroba', 'arobase', 'chiocciola', 'chiocciolina', 'apenstaartje', 'apenstaart', 'apestaartje', 'apestaart', 'klammeraffe', 'affenschwanz')}{_WS}+"
# ... or a single word that is no function word or verb of typing of a supported language before such an
# "at" and a well-known provider ("juan arroba gmail", "pierre arobase yahoo"; not "pon la arroba gmail",
# "escribe arroba gmail", "il simbolo chiocciola gmail"). ``clean.redact`` reads ``EMAIL_WITHOUT_TLD`` with
# Python on the spelled-out e-mail's rows only: this word trie makes an RE2 pass over a column of it take
# 13 s instead of 0.09 s (392k texts)
_FOREIGN_BOX = _label_except(
    (
        *_NOT_A_MAILBOX, "the", "a", "an", "to", "my", "and", "or", "for", "at", "la", "el", "los", "las",
        "le", "les", "lo", "il", "gli", "un", "una", "une", "uno", "de", "del", "des", "du", "di", "da", "die",
        "der", "das", "den", "dem", "ein", "eine", "een", "het", "o", "os", "as", "um", "uma", "en", "em", "y",
        "e", "et", "und", "simbolo", "symbol", "zeichen", "signo", "signe", "sinal", "teken", "escribe",
        "escribir", "pon", "poner", "pulsa", "teclea", "usa", "tape", "tapez", "taper", "mets", "scrivi",
        "scrivere", "metti", "digita", "digite", "digitar", "schreib", "schreibe", "tippe", "tippen", "typ",
        "typt", "type", "comment", "como", "come", "wie", "hoe", "que", "qui", "che", "wat", "was",
        "mail", "email", "correo", "courriel", "adresse", "indirizzo", "endereço", "endereco", "adres",
        "es", "est", "ist", "is", "è", "é", "sono", "soy",
    ),
    f"[A-Za-z0-9{_LATIN}]",
    _LATIN,
)  # fmt: skip
EMAIL_WITHOUT_TLD = (
    rf"(?:{_MAILBOX_MARKED_ANY}(?:{_LOCAL_JOIN}{_LATIN_LABEL}(?:{_WS}+{_SMALL_ANY})*)*"
    rf"|{_MAILBOX_WORD}(?:{_LOCAL_JOIN}{_LATIN_LABEL}(?:{_WS}+{_SMALL})*)+){_AT}{_PROVIDER}\b"
    rf"|(?:\b[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*|{_MAILBOX_WORD}(?:{_LOCAL_JOIN}{_LATIN_LABEL})+){_AT_FOREIGN}{_LATIN_LABEL}"
    rf"|(?:\b{_FOREIGN_BOX}|\B[{_LATIN}][A-Za-z0-9{_LATIN}]*){_AT_FOREIGN}{_PROVIDER}\b"
)
# ... or a single plain word (four letters or more, a number said after it or not) before a plain "at" (the
# "at" of another language: ``_FOREIGN_BOX`` above, "il simbolo chiocciola gmail" kept) and
# such a provider: "johnsmith at gmail", "jsmith 87 at yahoo". ``clean.redact`` takes it only when the
# word is no English word nor a function word ("works at yahoo", "jobs at yahoo", "meeting 10 at
# outlook" keep their words); Python only, on the spelled-out e-mail's rows, after ``EMAIL_WITHOUT_TLD``
EMAIL_PLAIN_BOX = rf"\b(?P<box>[A-Za-z]{{4,}})(?:{_WS}+[0-9]{{1,4}})?{_WS}+{_words('at')}{_WS}+{_PROVIDER}\b"
# The rows that may hold a spelled-out e-mail, with or without a top-level domain (a superset: the
# mailbox, the larger half of the pattern for RE2, is left to Python)
SPELLED_EMAIL_CANDIDATES = (
    rf"{_AT}(?:(?:{_SPACED_PROVIDER}|{_LABEL})(?:{_DOT}{_LABEL})*(?:{_DOT}{_words(*_TLDS)}\b|{_WS}*ドットコム)"
    rf"|{_PROVIDER}\b)|{_AT_FOREIGN}[A-Za-z0-9{_LATIN}]"
)


# A Japanese e-mail address read out in kana ("たなかドットたろうアットマークドコモドットネット",
# tanaka.taro@docomo.net), or written with a mailbox or a domain in kana ("たなか.たろう@docomo.ne.jp"), as
# the gate's detector reads them: a mailbox of kana, kanji or Latin letters, "アット(マーク)" or "@",
# domain labels of Latin letters or katakana (not hiragana or kanji: "このアットホームなカフェのドットネット"
# is no address) joined by "ドット", a dot word or ".", and a top-level domain, Latin or in katakana.
# Python only (``clean.redact`` cuts the words before the mailbox off it), on the rows
# ``JAPANESE_EMAIL_CANDIDATES`` finds; an "@" between Latin letters only is left to the shapes above.
_JA_LETTERS = "\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3400-\u4dbf\u4e00-\u9fff"
_JA_DOT = rf"(?:{_WS}*ドット{_WS}*|{_WS}+{_DOT_WORDS}{_WS}+|{_WS}*\.{_WS}*)"
_JA_LABEL = r"(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*|[\u30a1-\u30fa\u30fc]+)"
_JA_TLD = rf"(?:{_words(*_TLDS)}(?![A-Za-z0-9])|コム|ネット|ジェーピー|ジェイピー)"
_JA_BOX_PART = rf"[A-Za-z0-9_.\-{_JA_LETTERS}]+"
JAPANESE_EMAIL = (
    rf"(?P<box>{_JA_BOX_PART}(?:{_WS}+(?:{_DOT_WORDS}|{_JOIN_WORDS}){_WS}+{_JA_BOX_PART})*)(?P<at>{_WS}*(?:アットマーク|アット){_WS}*|[ ]?@[ ]?)"
    rf"{_JA_LABEL}(?:{_JA_DOT}{_JA_LABEL})*?{_JA_DOT}{_JA_TLD}(?:{_JA_DOT}{_JA_TLD})*"
)
# its rows (RE2; a superset): an "アット" before a dot, or kana or kanji beside an "@"
JAPANESE_EMAIL_CANDIDATES = (
    r"アット[^\n]*(?:ドット|\.|(?i:dot|punkt|point|punto|punt|ponto))|[ぁ-ヺー々㐀-鿿][ ]?@|@[ ]?[ァ-ヺ]"
)


# A full stop with a stray space before or after it, or both, as recognition and typing leave it in a
# written address ("john.smith@example. com", "jo@gmail .com", "jo @example . com"): before a
# top-level domain of ``_TLDS`` only ("jo@example. Thanks" is a sentence's end)
_SPACED_DOT = r"(?:[ ]\.[ ]?|\.[ ])"


# kind -> (placeholder, pattern), in redaction order: the most specific shapes first, so an
# email's digits are not taken for a phone number nor a card's groups for phones.
# Kinds in ``CLASSIFIED_KINDS`` take their placeholder from the digits they hold (Luhn check,
# digit count; ``clean.redact.classify_digits``); the one given here is the usual one.
# "spoken_number" finds candidates only; ``spoken_number_spans`` decides (see module doc).
DETECTORS: dict[str, tuple[str, str]] = {
    # jo.smith+x@mail.example.com, jo@example dot com, jürgen.müller@müller.de (Latin letters beyond
    # ASCII in the mailbox and the domain: an ASCII-only mailbox took "ller@web.de" of it and left "jürgen.mü"),
    # иван@пример.рф, jsmith@exаmple.com (the letters of every script, as the gate's detector reads them: with a
    # Cyrillic "а" the address was kept whole); a top-level domain with a letter beyond ASCII ends with its letters
    "email": (
        "[EMAIL]",
        rf"[A-Za-z0-9._%+\-{_LETTERS}]+[ ]?@[ ]?[A-Za-z0-9\-{_DOMAIN_LETTERS}]+(?:{_DOT}[A-Za-z0-9\-{_DOMAIN_LETTERS}]+)*"
        rf"(?:{_DOT}(?:[A-Za-z]{{2,}}\b|[A-Za-z{_LETTERS}]*[{_LETTERS}][A-Za-z{_LETTERS}]*)|{_SPACED_DOT}{_words(*_TLDS)}\b)",
    ),
    # john dot smith at gmail dot com, j underscore smith at mail dot co dot uk, juan punto pérez
    # arroba …, j o h n s m i t h at …, jsmith eighty seven at …, jsmith 87 at …, j smith at …, … at
    # g mail dot com (without a top-level domain: ``EMAIL_WITHOUT_TLD``, read apart)
    "email_spoken": (
        "[EMAIL]",
        rf"(?:{_INITIAL})?(?:{_MAILBOX_SPELLED_ANY}|{_MAILBOX_WORD}(?:{_WS}+[0-9]{{2,4}})?)"
        rf"(?:{_LOCAL_JOIN}{_PARTICLE_LABEL}(?:{_WS}+{_SMALL_ANY})*)*{_AT}"
        rf"(?:{_SPACED_PROVIDER}|{_LABEL})(?:{_DOT}{_LABEL})*(?:{_DOT}{_words(*_TLDS)}\b|{_WS}*ドットコム)",
    ),
    "ip": ("[IP]", rf"\b(?:{_OCTET}\.){{3}}{_OCTET}\b"),
    # 2001:db8:0:0:0:ff00:42:8329, 2001:db8::ff00:42:8329, fe80::1
    "ipv6": (
        "[IP]",
        rf"\b(?:(?:{_HEX}:){{7}}{_HEX}|(?:{_HEX}:){{1,6}}:(?:{_HEX}:){{0,5}}{_HEX})\b",
    ),
    # 123-45-6789, 123 45 6789
    "ssn": ("[SSN]", r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[0-9]{3} [0-9]{2} [0-9]{4}\b"),
    # grouped like a card: 4-4-4-(1..4)[-(1..4)], or 4-6-4/5 (Amex, Diners); Luhn decides
    "card": (
        "[CARD]",
        r"\b[0-9]{4}(?:[ \-][0-9]{4}){2}(?:[ \-][0-9]{1,4}){1,2}\b|\b[0-9]{4}[ \-][0-9]{6}[ \-][0-9]{4,5}\b",
    ),
    "phone": (
        "[PHONE]",
        "|".join(
            (
                # +44 20 7946 0958, +1-415-555-0100, +1 (415) 555-0100, +442079460958
                r"\+[0-9]{1,3}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{2,4})){2,5}\b",
                # (415) 555-0100, 415.555.0100, 1-415-555-0100
                r"(?:\b1[ .\-]?)?(?:\([0-9]{3}\)[ .\-]?|\b[0-9]{3}[ .\-])[0-9]{3}[ .\-][0-9]{4}\b",
                # 020 7946 0958, 07700 900123, 030 12345678
                r"\b0[0-9]{2,4}[ \-]?[0-9]{3,4}[ \-]?[0-9]{3,4}\b",
                # 01 23 45 67 89
                r"\b0[1-9](?:[ .\-][0-9]{2}){4}\b",
                # 555-0100, 555.0100, 555 0100; not a round range such as "200-1000"
                r"\b[2-9](?:[1-9][0-9]|0[1-9])[ .\-][0-9]{4}\b",
                r"\b[2-9][0-9]{2}[ .\-][0-9](?:[1-9][0-9]{2}|0[1-9][0-9]|00[1-9])\b",
            )
        ),
    ),
    # 5 5 5 0 1 0 0: digits written one by one
    "digit_sequence": ("[PHONE]", r"\b[0-9](?:[ \-][0-9]){6,}\b"),
    # 4155550100, 4111111111111111, 123456789
    "long_number": ("[PHONE]", r"\b[0-9]{7,}\b"),
    # five five five one two three four; double five five 0100; triple nine ...
    "spoken_number": ("[PHONE]", SPOKEN_DIGIT_RUN),
}
CLASSIFIED_KINDS = frozenset({"card", "digit_sequence", "long_number", "spoken_number"})
PLACEHOLDERS = ("[EMAIL]", "[PHONE]", "[CARD]", "[SSN]", "[IP]", "[NUMBER]")

WRITTEN = "|".join(f"(?:{pattern})" for kind, (_, pattern) in DETECTORS.items() if kind != "spoken_number")
# Every row any detector might flag: the first, vectorised pass of detection and redaction.
CANDIDATES = f"{WRITTEN}|(?:{SPOKEN_DIGIT_RUN})"
# ... read by RE2 in three passes (``candidate_mask``): the spelled-out e-mail, or the written one's letters of every
# script, beside the spoken runs make one automaton outgrow RE2's memory (a hundred times slower)
_CANDIDATE_PASSES = (
    "|".join(f"(?:{p})" for kind, (_, p) in DETECTORS.items() if kind not in ("email", "email_spoken")),
    DETECTORS["email"][1],
    DETECTORS["email_spoken"][1],
)
_WRITTEN_RE = re.compile(WRITTEN, re.ASCII)


def compile_python(pattern: str) -> re.Pattern[str]:
    """Compile a detector for Python ``re`` with the flags that make it mean what RE2 means."""
    return re.compile(pattern, re.ASCII)


def candidate_mask(values: pa.Array) -> np.ndarray:
    """``match_rows(values, CANDIDATES)``, in passes RE2 reads fast."""
    found = match_rows(values, _CANDIDATE_PASSES[0])
    for pattern in _CANDIDATE_PASSES[1:]:
        rest = np.flatnonzero(~found)
        if len(rest):
            found[rest] = match_rows(values.take(pa.array(rest)), pattern)
    return found


def has_identifier(text: str) -> bool:
    """Per-string ``detect_identifiers`` (Python ``re``)."""
    return _WRITTEN_RE.search(text) is not None or has_spoken_number(text)


# Long columns are matched in slices on several threads (RE2 kernels release the GIL).
_ROWS_PER_THREAD = 250_000


def _match_slice(values: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(values, pattern), False))


def match_rows(values: pa.Array, pattern: str) -> np.ndarray:
    """Boolean mask of the rows where RE2 finds ``pattern``; nulls are False."""
    workers = min(os.cpu_count() or 1, 4, len(values) // _ROWS_PER_THREAD)
    if workers < 2:
        return _match_slice(values, pattern)
    step = -(-len(values) // workers)
    slices = [values.slice(start, step) for start in range(0, len(values), step)]
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(_match_slice, slices, [pattern] * len(slices))))


# --- which rows hold which characters: one pass over a column's bytes, no regular expression -----

# byte classes (UTF-8): a row "has" a class when one of its bytes is in it; and two digits or
# more, three digits or more (ASCII digits: the written shapes read no other)
DIGIT, AT_SIGN, COLON, RUN_MARKER, NON_ASCII, UPPER_ASCII, TWO_DIGITS, THREE_DIGITS = (
    1 << i for i in range(8)
)
_BYTE_CLASSES = np.zeros(256, dtype=np.uint8)
for _class, _bytes in (
    (DIGIT, b"0123456789"),
    (AT_SIGN, b"@"),
    (COLON, b":"),
    (RUN_MARKER, b"\x01\x02"),
    (NON_ASCII, bytes(range(0x80, 0x100))),
    (UPPER_ASCII, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
):
    _BYTE_CLASSES[np.frombuffer(_bytes, dtype=np.uint8)] |= _class


def byte_classes(values: pa.Array) -> np.ndarray:
    """Per row, the OR of the byte classes above of its bytes, and its digit count's bits (0 for
    a null or empty row).

    A numpy table look-up over the column's data buffer: a few times cheaper than one RE2 pass
    for a single character class, and it answers for all classes at once.
    """
    if not len(values):
        return np.zeros(0, dtype=np.uint8)
    _, offsets_buffer, data = values.buffers()
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[values.offset : values.offset + len(values) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    codes = np.zeros(end - start + 1, dtype=np.uint8)  # one byte more: reduceat's last index
    if data is not None and end > start:
        codes[:-1] = _BYTE_CLASSES[np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)]
    flags = np.bitwise_or.reduceat(codes, offsets[:-1] - start)
    digits = np.add.reduceat(codes & DIGIT, offsets[:-1] - start, dtype=np.int32)
    flags |= np.where(digits >= 2, TWO_DIGITS, 0).astype(np.uint8)
    flags |= np.where(digits >= 3, THREE_DIGITS, 0).astype(np.uint8)
    flags[offsets[1:] == offsets[:-1]] = 0  # reduceat gives an empty row the next row's byte
    if values.null_count:
        flags[~np.asarray(values.is_valid())] = 0
    return flags


def with_digits_zeroed(values: pa.Array) -> pa.Array:
    """``values`` with every ASCII digit written as 0: same lengths, same nulls (bytes 0x31-0x39
    are ASCII digits only, in UTF-8)."""
    validity, offsets, data = values.buffers()
    if data is None:
        return values
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    raw[(raw >= 0x31) & (raw <= 0x39)] = 0x30
    return pa.Array.from_buffers(
        values.type, len(values), [validity, offsets, pa.py_buffer(raw)], values.null_count, values.offset
    )


class DigitBlind(NamedTuple):
    """A column as a reader that sees no digit does: its distinct texts with every digit a 0
    ("It's 18 degrees" and "It's 21 degrees" are one), and for each row which one (-1: null)."""

    texts: pa.Array
    index: np.ndarray
    first: np.ndarray  # a row of each text

    @classmethod
    def of(cls, values: pa.Array) -> DigitBlind:
        encoded = pc.dictionary_encode(with_digits_zeroed(values))
        index = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
        valid = np.flatnonzero(index >= 0)
        first = np.zeros(len(encoded.dictionary), dtype=np.int64)
        first[index[valid][::-1]] = valid[::-1]
        return cls(encoded.dictionary, index, first)

    def any_row(self, rows: np.ndarray) -> np.ndarray:
        """Per text: does one of its rows hold in ``rows`` (a mask over the rows)."""
        out = np.zeros(len(self.texts), dtype=bool)
        out[self.index[rows & (self.index >= 0)]] = True
        return out

    def per_row(self, found: np.ndarray) -> np.ndarray:
        """``found`` (one per text) for each row; False for a null row."""
        out = np.zeros(len(self.index), dtype=bool)
        valid = self.index >= 0
        out[valid] = found[self.index[valid]]
        return out


def detect_identifiers(values: pa.Array | pa.ChunkedArray) -> pa.BooleanArray:
    """True where a string holds something a detector (written or spoken) finds; nulls are clean.

    ``CANDIDATES`` over every row in the passes RE2 reads fast (``candidate_mask``: two, the second
    over the rows the first did not flag; one pass of the whole pattern took about 37 s for 400k
    texts: RE2's automaton for it outgrows its cache); the few rows flagged only as a candidate spoken run are then counted exactly in Python.
    The publish gate's re-check, and the same rows ``clean.redact.redact_array`` redacts.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    if pa.types.is_null(values.type):  # a column of nulls only
        return pa.array(np.zeros(len(values), dtype=bool), pa.bool_())
    found = candidate_mask(values)
    rows = np.flatnonzero(found)
    if len(rows):
        flagged = values.take(pa.array(rows))
        written = match_rows(flagged, WRITTEN)
        for row, text in zip(rows[~written], flagged.filter(pa.array(~written)).to_pylist(), strict=True):
            found[row] = has_spoken_number(text)
    return pa.array(found, pa.bool_())


def replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """``text`` with each of ``spans`` (in order, none overlapping) replaced by ``placeholder``."""
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], placeholder]
        last = end
    return "".join([*out, text[last:]])
