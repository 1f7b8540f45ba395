"""Text normalisation for exact-duplicate detection (SPEC §4 rule 5, ``rules.duplicate``).

Two turns are the same conversation when they differ only in case, punctuation, spacing or
Unicode form: "Set a timer, please!" and "set a timer please" are one record. Symbols ("+",
"$", emoji) stay. A question that normalises like another ("5*3", "5/3") still differs by
the assistant's answer, which is the other half of the key.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.clean.ips import spoken_ip_spans
from utterance_governance.clean.patterns import NON_ASCII, TENS_WORDS, byte_classes, match_rows
from utterance_governance.clean.spoken import DIGIT_WORD_VALUES
from utterance_governance.re2_classes import re2_class

# Punctuation (any script) and invisible format characters (zero-width space, BOM, ...).
_PUNCTUATION = r"[\p{P}\p{Cf}]+"
# Whitespace that is not already a single ASCII space: runs of two or more, or one character
# of another kind (tab, no-break space, ideographic space, line separator, control character).
# Matching only these keeps RE2 from rewriting every ordinary space of every row.
_ODD_SPACE = (
    r"[\p{Z}\p{Cc}]{2,}"
    r"|[\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\p{Cc}]"
)


def normalise_for_dedup(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """NFKC, lower case, punctuation removed, whitespace collapsed to one space, trimmed.

    Vectorised (Arrow kernels and RE2); same type and length as ``values``, nulls stay null.

    >>> normalise_for_dedup(pa.array(["  Set a TIMER,\\tplease! ", None])).to_pylist()
    ['set a timer please', None]
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    # NFKC leaves ASCII alone and costs most of the time: apply it to the other rows only
    other = pc.invert(pc.fill_null(pc.string_is_ascii(values), True))
    if pc.any(other).as_py():
        values = pc.replace_with_mask(values, other, pc.utf8_normalize(values.filter(other), form="NFKC"))
    text = pc.utf8_lower(values)
    text = pc.replace_substring_regex(text, _PUNCTUATION, "")
    text = pc.replace_substring_regex(text, _ODD_SPACE, " ")
    return pc.utf8_trim(text, " ")


# --- normalisation for detection (SPEC §5, amended 2026-11-28) ------------------------------
# Identifiers are found whatever their Unicode form. NFKC is applied to the characters an
# identifier is written with — full-width forms ("５５５", "＠", "ｋｉｍ"), superscript, subscript,
# circled and mathematical digits, compatibility spaces (no-break, narrow no-break, ideographic)
# — and not to letters such as "ſ" or the Kelvin sign, which NFKC would turn into ASCII word
# characters and so move word boundaries the detectors rely on. Invisible format characters
# (zero-width space and joiners, word joiner, BOM, soft hyphen) are removed; dashes and the
# minus sign a phone number may be written with become "-". Every decimal digit (Unicode
# category Nd: Arabic-Indic "٤١١١", Devanagari "४१११", Thai, Bengali ...) becomes its ASCII
# digit, as Python's ``\d`` (the gate's detector) reads them, and so does every other character
# that stands for one digit (category No: "⒉", "🄀", "⑴", "❹", "²").
# Invisible: soft hyphen, zero-width space and joiners, word joiner, BOM, and the marks that
# steer bidirectional text (left-to-right mark, embeddings, isolates: copied from a contact
# card in Arabic or Hebrew, they sit between the digits of a phone number), the combining
# grapheme joiner, variation selectors and the Mongolian vowel separator; and the combining marks
# for symbols (U+20D0-U+20FF: the keycap of "5️⃣", enclosing circles and squares), which mark no letter.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u180b\u180c\u180d\u180e\u180f\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\ufeff" + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0x20D0, 0x2100)))
)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe31\ufe32\ufe58\ufe63\uff0d"
# Every other invisible format character (Unicode category Cf: Arabic number signs, the deprecated
# format characters U+206A-U+206F, interlinear annotation marks, tag characters ...) and the combining
# marks of the extended and supplementary diacritical blocks and the half marks, which the gate's
# detector removes wherever they stand ("415\u206a555\u206a0123" is a phone number to it): removed as
# well. (Tag characters and the rest of the Cf characters above U+1FFFF are at U+E0000-U+E007F.)
# ... and the variation selectors of the supplement (U+E0100-U+E01EF, "415\U000e0100555\U000e01000123"),
# which neither side removed: the number was published
_COMBINING_OUT = ((0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0xFE20, 0xFE2F), (0xE0100, 0xE01EF))
_FOLDED_RANGES = [
    (0x00A0, 0x00BF), (0x2000, 0x200A), (0x2024, 0x2024), (0x202F, 0x202F), (0x205F, 0x205F),
    (0x2070, 0x209F), (0x2460, 0x249B), (0x24EA, 0x24FF), (0x2776, 0x2793), (0x3000, 0x3000),
    (0xFE50, 0xFE6B), (0xFF01, 0xFF5E), (0x1D7CE, 0x1D7FF),
    # letters written enclosed or in mathematical styles ("ⓙⓞⓗⓝ@ⓔⓧⓐⓜⓟⓛⓔ.ⓒⓞⓜ", "𝐣𝐨𝐡𝐧@𝐠𝐦𝐚𝐢𝐥.𝐜𝐨𝐦"): the
    # gate's detector reads them after NFKC, as ASCII letters
    (0x24B6, 0x24E9), (0x1D400, 0x1D7CD),
]  # fmt: skip


def _folding_table() -> dict[int, str | None]:
    import sys
    import unicodedata

    table: dict[int, str | None] = dict.fromkeys(map(ord, _INVISIBLE))
    table.update(dict.fromkeys(map(ord, _DASHES), "-"))
    for first, last in _COMBINING_OUT:
        table.update(dict.fromkeys(range(first, last + 1)))
    for code in range(0xE0000, 0xE0080):
        if unicodedata.category(chr(code)) == "Cf":
            table[code] = None
    for code in range(0x80, min(sys.maxunicode + 1, 0x20000)):  # no digit above U+1FFFF
        category = unicodedata.category(chr(code))
        if category == "Cf":
            table.setdefault(code, None)
        elif category == "Nd":
            table[code] = str(unicodedata.decimal(chr(code)))
        elif category == "No" and unicodedata.digit(chr(code), None) is not None:
            # a digit written enclosed, with a full stop or parentheses, superscript, as a dingbat
            # ("⒉", "🄀", "⑴", "❹", "²"): the digit alone, so "⒉⒈⒉" is 212 (NFKC makes it "2.1.2.",
            # and leaves the dingbats as they are)
            table[code] = str(unicodedata.digit(chr(code)))
    for first, last in _FOLDED_RANGES:
        for code in range(first, last + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if code not in table and folded != chr(code) and folded.isascii() and folded.isprintable():
                table[code] = folded
    return table


_FOR_DETECTION = _folding_table()


# A letter and its accent written apart (NFKD: "c" + U+0327 for "ç", as macOS and some ASR exports write
# them; "セ" + U+3099 for "ゼ") are composed (NFC) before anything else is read: the rules read a name, a
# street or a kana digit as one word only when it is written composed ("Franc\u0327ois" was read as "Franc"
# and a mark, and the surname after it published). Only a text holding one of these marks is composed
# (the combining diacritical marks and the kana voicing marks: the marks a letter of an allowed language
# composes with), by Arrow's kernel in both paths (``pc.utf8_normalize``: the per-string path and the column
# give the same strings). NFC, not NFKC: the letters the table leaves ("ſ", the ligatures) stay as they are;
# NFC's own singletons change (the Kelvin sign is "K", the Greek question mark ";"), as the gate reads them.
_COMPOSING_MARKS = "\u0300-\u036f\u3099\u309a"
_COMPOSING_MARK_RE = re.compile(f"[{_COMPOSING_MARKS}]")
_COMPOSING_MARK_RE2 = re2_class([*range(0x300, 0x370), 0x3099, 0x309A])
# Rows holding a character the table changes or a mark to compose (one RE2 pass): only those are read by Python.
_READ_RE2 = re2_class([*_FOR_DETECTION, *range(0x300, 0x370), 0x3099, 0x309A])


def _composed_array(values: pa.Array) -> pa.Array:
    return pc.utf8_normalize(values, form="NFC")


def composed(text: str) -> str:
    """``text`` composed (NFC) when it holds a combining mark a letter composes with; ``text`` itself otherwise.

    >>> composed("appelle Franc\u0327ois") == "appelle Fran\u00e7ois"
    True
    """
    if not _COMPOSING_MARK_RE.search(text):
        return text
    read = _composed_array(pa.array([text], pa.large_string()))[0].as_py()
    return text if read == text else read


# --- encodings an answer may quote an identifier in (decoded before the table) ----------------
# URL percent-encoding ("email=jo.smith%40example.com"; "+" written as such is a space inside a query's value
# after its first character, "q=221+Baker+Street", not "tel=+1415...", nor in a value holding an "@", where it
# is a mailbox's plus: "email=jsmith+promo@gmail.com"; a "+" an encoding wrote, "%2B", is one), HTML character references ("&#64;",
# "&#x40;", "&commat;", "&nbsp;") and escapes written out as JSON and JavaScript write them
# ("\\u0040", "\\n", "\\x40"). Decoded until nothing changes (at most three rounds: "%26%2364%3B" is
# "&#64;" is "@"). Bytes that are no UTF-8 and references that name nothing read as U+FFFD or as written.
_PERCENT_RUN_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_QUERY_VALUE = r"([?&;][^\s?&;=#]{1,64}=)([^\s&#;]+)"
_QUERY_VALUE_RE = re.compile(_QUERY_VALUE)
# (one pass, left to right, as ``json`` reads them: "\\\\u0040" is a backslash and "u0040", then "@")
_ESCAPE_RE = re.compile(r"(?:\\u[0-9A-Fa-f]{4})+|\\(?:x[0-9A-Fa-f]{2}|[nrtbf/\"\\])")
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "/": "/", '"': '"', "\\": "\\"}
_REFERENCE = r"&(?:#[0-9]|#[xX][0-9A-Fa-f]|[A-Za-z][A-Za-z0-9]{1,31};|nbsp)"
_ENCODED_RE2 = (
    rf"%[0-9A-Fa-f]{{2}}|{_REFERENCE}|\\(?:u[0-9A-Fa-f]{{4}}|x[0-9A-Fa-f]{{2}}|[nrtbf/\"])"
    r"|[?&;][^\s?&;=#]{1,64}=[^\s&#;][^\s&#;]*\+"  # ("+" in a query's value)
)
_ENCODED_RE = re.compile(_ENCODED_RE2)


def _percent_run(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")


def _escape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape[1] == "u":  # (a pair of surrogates is one character)
        units = bytes.fromhex("".join(escape[i + 2 : i + 6] for i in range(0, len(escape), 6)))
        return units.decode("utf-16-be", "replace")
    return chr(int(escape[2:], 16)) if escape[1] == "x" else _ESCAPED[escape[1]]


def _query_value(match: re.Match[str]) -> str:
    value = match.group(2)
    if "@" in value or "%40" in value:  # a mailbox's plus ("jsmith+promo@gmail.com")
        return match.group()
    return match.group(1) + value[:1] + value[1:].replace("+", " ")


def decoded(text: str) -> str:
    """``text`` with its URL percent-encoding, HTML references and written-out escapes decoded; ``text``
    itself when it holds none.

    >>> decoded("email=jo.smith%40example.com&q=221+Baker+Street")
    'email=jo.smith@example.com&q=221 Baker Street'
    >>> decoded('{"m": "jo\\u0040ex.com"} jo&#64;ex.com')
    '{"m": "jo@ex.com"} jo@ex.com'
    """
    import html

    read = text
    if "+" in read and "=" in read:  # (the text as written only: a "+" decoded below is one)
        read = _QUERY_VALUE_RE.sub(_query_value, read)
    for _ in range(3):
        if not _ENCODED_RE.search(read):
            break
        before = read
        read = _PERCENT_RUN_RE.sub(_percent_run, read)
        if "\\" in read:
            read = _ESCAPE_RE.sub(_escape, read)
        if "&" in read:
            read = html.unescape(read)
        if read == before:
            break
    return text if read == text else read


# What is read in context, after the table (Python ``re``, on the rows ``_CONTEXT_RE2`` picks):
# - hesitations of every supported language (uh, uhm, hmm, äh, ähm, euh, ehm, ah …) after a word are
#   taken out with the punctuation before them: "five five five, uh, one two three four" is one number. Not
#   "um" (Portuguese "one"), "er" (German "he") or "é" (Portuguese "is"), which are words;
#   and Japanese えー, えっと, あのー between numerals;
# - line breaks, tabs and every other control character are a space;
# - between two digits, the dots, bullets and katakana marks a number may be grouped with
#   ("415·555·0100", "090ー1234ー5678") are a hyphen, and so are underscores between digit groups
#   that stand alone ("415_555_0100"; "file_2024_05_17" is a name);
# - commas between digit groups that are no thousands ("415,555,0100", "4, 1, 5, 5, 5, 0, 1")
#   are a space; "1,234,567" is an amount and keeps its commas.
_HESITATION = r"u+h+m*|u+m{2,}|h+m+|m{2,}|mhm|e+r+m+|ä+h+m*|ö+h+m*|e+u+h+|h+e+u+|e+h+m*|a+h+|a+h+n+|h+ã+|ã+h+"
# (after a word: one that starts the text is in no number, and most do, "uh, set a timer")
_HESITATION_RE = re.compile(rf"(?i)(?<=[^\W_])[ ,.;:…!?\-]+(?:{_HESITATION})(?![^\W_])")
_KANJI_DIGITS = "〇零一二三四五六七八九0-9"
_JA_SPACE = "、, \u3000"  # the same class to Python re and RE2 (their \s differ)
_JA_HESITATION_RE = re.compile(
    rf"(?<=[{_KANJI_DIGITS}])[{_JA_SPACE}]*(?:えーと|えっと|えー+|あのー+)[{_JA_SPACE}]*(?=[{_KANJI_DIGITS}])"
)
# every control character (C0, DEL, C1: line breaks and tabs, and a NUL or BEL between the digit groups
# of a phone or card number from a broken export) and the line and paragraph separators
_CONTROL_SPACE = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROL_SPACE_RE = re.compile(f"[ ]*[{_CONTROL_SPACE}][{_CONTROL_SPACE} ]*")
# (the acute accent: NFKC makes it a space and a mark, the gate a space; the half-width katakana middle dot "･" is
# the "・" of NFKC to the gate)
_DIGIT_MARKS = "·•‧∙⋅・･ーｰ、，。｡´"
# - the Japanese full stop (a Japanese keyboard types it for ".") between a letter or digit and a letter:
#   "tanaka@gmail。com" is an e-mail address (between digits it is a mark above: "090。1234。5678")
_JA_STOP_RE = re.compile("(?<=[A-Za-z0-9])[。｡](?=[A-Za-z])")
_DIGIT_MARK_RE = re.compile(f"(?<=[0-9])[ ]?[{_DIGIT_MARKS}][ ]?(?=[0-9])")
# - a Japanese phone number in three digit groups or more joined by "の" ("090の1234の5678"), or whose groups
#   mix kanji digits and written ones ("〇九〇の１２３４の５６７８", "〇九〇ー１２３４ー五六七八"): its digits joined
#   by hyphens, as "090ー1234ー5678" and "〇九〇の一二三四の五六七八" are read, when it starts with the trunk 0 a
#   number dialled in Japan starts with and holds seven digits or more ("1000の2000の3000人" is a count).
#   Groups of written digits joined by marks alone are read above; of kanji alone, as spoken numbers
#   (``clean.spoken``); a kanji numeral with a place (十, 百, 千, 万) is no group ("二十の…"), and fewer digits
#   are an address's block and lot or a fraction ("2の8の1", "3の1")
_KANJI_DIGIT = "〇零一二三四五六七八九"
_JA_GROUP_JOIN = "のーｰ\\-・･、, "
_JA_GROUP_JOINER = rf"[ ]?[{_JA_GROUP_JOIN}][ ]?"  # (spaces around it: "090 の 1234 の 5678")
_JA_GROUPS_RE = re.compile(
    rf"(?<![0-9{_KANJI_DIGIT}十百千万億])(?:[0-9]+|[{_KANJI_DIGIT}]+)(?:{_JA_GROUP_JOINER}(?:[0-9]+|[{_KANJI_DIGIT}]+)){{2,}}"
    rf"(?![0-9{_KANJI_DIGIT}十百千万億])"
)
_JA_GROUP_RE = re.compile(rf"[0-9]+|[{_KANJI_DIGIT}]+")
_KANJI_AS_DIGIT = str.maketrans(_KANJI_DIGIT, "00123456789")


def _japanese_groups(match: re.Match[str]) -> str:
    """The digit groups of a Japanese phone number joined by "の" or mixing kanji and written digits (above),
    as written digits joined by hyphens; the run itself otherwise."""
    run = match.group()
    groups = _JA_GROUP_RE.findall(run)
    kanji = {group[0] in _KANJI_DIGIT for group in groups}
    mixed, joined_by_no = len(kanji) == 2, "の" in run and kanji == {False}
    digits = [group.translate(_KANJI_AS_DIGIT) for group in groups]
    if digits[0][0] != "0" or sum(map(len, digits)) < 7 or not (mixed or joined_by_no):
        return run
    return "-".join(digits)


# - a dot that only looks like one (middle dot, hyphenation point, bullets, the katakana middle dot) between
#   the letters of an e-mail address, before or after its "@" ("jsmith@example·com", "j·smith@example.com"):
#   a full stop
_LOOKALIKE_DOTS = "·‧∙⋅•・･⸱ꞏ◦"
_LOOKALIKE_DOTTED_EMAIL_RE = re.compile(f"[\\w.+\\-{_LOOKALIKE_DOTS}]+@[\\w.\\-{_LOOKALIKE_DOTS}]+")
_TO_FULL_STOP = str.maketrans(dict.fromkeys(_LOOKALIKE_DOTS, "."))
# - a spoken "plus" between a word and a written mailbox ("jsmith plus promo@gmail.com"): a mailbox's "+"
_PLUS_WORDS = "plus|más|mas|mais|più|piu"
_SPOKEN_PLUS_BOX_RE = re.compile(
    rf"(?i)(?<=[A-Za-z0-9])[ ](?:{_PLUS_WORDS})(?:[ ]sign)?[ ](?=[A-Za-z0-9._%+\-]+@)"
)
# - combining marks on a digit ("5̲5̲5̲", "5̶"): the digit (on a letter they are the letter's accent)
_DIGIT_COMBINING_RE = re.compile("(?<=[0-9])[\u0300-\u036f]+")
# A spoken dash between two number tokens is the hyphen it names ("one two three dash four five
# dash six seven eight nine", "null strich eins"): the run is one number, as written with "-".
# Not "minus": "twenty twenty five minus nineteen ninety nine" is a sum.
_DASH_WORDS = "dash|hyphen|strich|bindestrich|tiret|trait|guion|guión|trattino|traço|hífen|streepje"
# (the French tens and teens too: "zéro six tiret douze tiret trente-quatre …" is read in pairs)
_FRENCH_PAIR_WORDS = (
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente", "quarante",
    "cinquante", "soixante",
)  # fmt: skip
_FRENCH_PAIR_RE = re.compile(rf"(?i)(?:{'|'.join(_FRENCH_PAIR_WORDS)})(?![^\W_])")
_NUMBER_TOKEN = "|".join(
    sorted(
        {*DIGIT_WORD_VALUES, *TENS_WORDS, *_FRENCH_PAIR_WORDS, "hundred", "double", "triple"},
        key=len,
        reverse=True,
    )
)
_SPOKEN_DASH_RE = re.compile(
    rf"(?i)((?<![^\W_])(?:{_NUMBER_TOKEN})|[0-9])[ ,]+({_DASH_WORDS})[ ,]+(?=((?:{_NUMBER_TOKEN})(?![^\W_])|[0-9]))"
)


def _spoken_dash(match: re.Match[str]) -> str:
    """The token before a spoken dash and what the dash stands for: a space between two words for a digit,
    as the gate's detector reads a run with the dash word counting as nothing, and after the French
    "tiret" and "trait" (whose hyphen would glue two numbers into one compound: "six-douze" is no "six
    douze", as "trente-quatre" is one number); else the hyphen it names ("555 dash 0123" is "555-0123").
    The French tens and teens stand beside a French dash only ("vingt dash nove" is kept)."""
    before, dash, after = (match.group(i).lower() for i in (1, 2, 3))
    if before in DIGIT_WORD_VALUES and after in DIGIT_WORD_VALUES:
        return match.group(1) + " "
    if dash in ("tiret", "trait") and all(
        token in DIGIT_WORD_VALUES or token.isdigit() or _FRENCH_PAIR_RE.fullmatch(token)
        for token in (before, after)
    ):
        return match.group(1) + " "
    if _FRENCH_PAIR_RE.fullmatch(before) or _FRENCH_PAIR_RE.fullmatch(after):
        return match.group()
    return match.group(1) + "-"


# A spoken "dot", "point", "slash", "comma", "then" or "space" between two digit words of any supported language
# joins them ("four one five dot five five five dot zero one two three", "null eins sieben
# eins punkt eins zwei drei …", "zéro six point un deux trois …"): it is how "415.555.0123" or
# "0171/1234567" is read aloud, and each group alone is too short a run. Between digit words only
# ("twenty point five" is a decimal). The word is read as a space: a run as the gate's detector reads
# it, the joiner counting as nothing (a hyphen would make "un-six" a French compound to the readers).
_JOIN_WORDS = (
    "dot|point|period|slash|then|comma|punkt|schrägstrich|komma|dann|virgule|puis|punto|barra|coma|luego"
    "|virgola|poi|punt|schuine streep|dan|ponto|vírgula|depois"
    "|space|leerzeichen|espace|espacio|spazio|spatie|espaço"  # "five five five space one two three four"
)
_DIGIT_WORD = "|".join(sorted(DIGIT_WORD_VALUES, key=len, reverse=True))
_SPOKEN_JOIN_RE = re.compile(
    rf"(?i)((?<![^\W_])(?:{_DIGIT_WORD}))[ ,]+(?:{_JOIN_WORDS})[ ,]+(?=(?:{_DIGIT_WORD})(?![^\W_]))"
)
# - the letter O typed for a zero inside a digit group ("415-555-O123", "O2O 7946 O958"): a word of
#   three characters or more of digits and Os, a digit and an O among them, is the digits it stands
#   for ("Room 4O1" keeps its bytes: no identifier is found in "Room 401"; "O2", "H2O", "10oz" are words)
_O_FOR_ZERO_RE = re.compile(r"(?<!\w)(?=[0-9Oo]*[0-9])(?=[0-9]*[Oo])[0-9Oo]{3,}(?!\w)")
# - digit groups joined by "'", "’", ":", "~", "|" or ";" ("415'555'0123", "079'123'45'67"; "-" and "."
#   may join some of them) are joined by hyphens, when they hold seven digits or more, a group of three
#   digits or more, no group of one digit after the first, and three groups (two, with an apostrophe:
#   "555'0123"): not a range or a ratio ("1200|1500 rpm", "1:100000", "16:9"), a time ("10:30:15",
#   "9:30-10:15", "01:53:41.703080": a colon joins groups of three digits or more only), a score, a list ("1|2|3|4|5|6|7", "12;34;56;78"), nor Swiss thousands ("1'000'000",
#   "1'299.50": groups of three after the first, then perhaps decimals), which are a number
_ODD_JOINERS = ":'’~|;"
_ODD_JOINED_RE = re.compile(r"(?<![\w:'’~|;.,/\-])[0-9]+(?:[:'’~|;.\-][0-9]+)+(?![\w:'’~|;]|[.,/\-][0-9])")
_ODD_JOINER_RE = re.compile("[:'’~|;]")


def _odd_joined(match: re.Match[str]) -> str:
    run = match.group()
    joiners, groups = re.findall(r"[^0-9]", run), re.findall(r"[0-9]+", run)
    if not any(joiner in _ODD_JOINERS for joiner in joiners):
        return run
    if sum(map(len, groups)) < 7 or max(map(len, groups)) < 3 or min(map(len, groups[1:])) < 2:
        return run
    if len(groups) == 2 and not {"'", "’"} & set(joiners):
        return run  # a range or a ratio: "1200|1500 rpm", "1:100000"
    if any(joiner == ":" and min(len(groups[i]), len(groups[i + 1])) < 3 for i, joiner in enumerate(joiners)):
        return run  # a time, a timestamp: "01:53:41.703080", "10:30:15"
    if joiners[-1] in "." and len(groups[-1]) <= 2:  # decimals after thousands: "1'299.50"
        joiners, groups = joiners[:-1], groups[:-1]
    if set(joiners) <= {"'", "’"} and len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:]):
        return run  # Swiss thousands: "1'000'000"
    return _ODD_JOINER_RE.sub("-", run)


# underscores between digit groups that stand alone ("415_555_0100"; not "file_2024_05_17")
_UNDERSCORED_RE = re.compile(r"(?<![\w])[0-9]+(?:_[0-9]+)+(?![\w])")
_COMMA_GROUPS_RE = re.compile(r"(?<![0-9.,])[0-9]+(?:,[ ]?[0-9]+)+(?![0-9]|[.,][0-9])")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_COMMA_RE = re.compile(r",[ ]?")
# The rows to read in context (RE2, a superset of the texts the rules above change).
# (``_JA_GROUPS_RE``: "の" between written digits, or a kanji digit and a written one side by side)
_JA_GROUPS_HINT = (
    f"[0-9][ ]?の[ ]?[0-9]|[{_KANJI_DIGIT}]{_JA_GROUP_JOINER}[0-9]|[0-9]{_JA_GROUP_JOINER}[{_KANJI_DIGIT}]"
)
_NOT_WORD = r"[^\p{L}\p{N}_]"
_CONTEXT_RE2 = (
    rf"(?i:[\p{{L}}\p{{N}}][ ,.;:…!?\-]+(?:{_HESITATION})(?:$|{_NOT_WORD}))"
    rf"|[{_KANJI_DIGITS}][{_JA_SPACE}]*(?:えー|えっと|あのー)"
    rf"|[\x{{0}}-\x{{1f}}\x{{7f}}-\x{{9f}}\x{{2028}}\x{{2029}}]"
    rf"|[0-9] ?[{_DIGIT_MARKS}]|[0-9]_[0-9]|[0-9], ?[0-9]|(?i:[ ,](?:{_DASH_WORDS})[ ,])"
    rf"|[0-9][\x{{300}}-\x{{36f}}]|[A-Za-z0-9][。｡][A-Za-z]|{_JA_GROUPS_HINT}"
    rf"|(?i:(?:{_DIGIT_WORD})[ ,]+(?:{_JOIN_WORDS})[ ,]+(?:{_DIGIT_WORD}))"
    r"|[0-9][Oo]|[Oo][0-9]|[0-9]['’~|;][0-9]|[0-9]{3}:[0-9]|[0-9]:[0-9]{3}"
    rf"|{_ENCODED_RE2}|[{_LOOKALIKE_DOTS}][^ ]*@|@[^ ]*[{_LOOKALIKE_DOTS}]"
    rf"|(?i:[ ](?:{_PLUS_WORDS})(?:[ ]sign)?[ ][^ ]*@)"
)
_CONTEXT_PY = re.compile(
    rf"(?i:{_HESITATION_RE.pattern[4:]})|[{_KANJI_DIGITS}][{_JA_SPACE}]*(?:えー|えっと|あのー)"
    rf"|[{_CONTROL_SPACE}]|[0-9] ?[{_DIGIT_MARKS}]|[0-9]_[0-9]|[0-9], ?[0-9]|(?i:[ ,](?:{_DASH_WORDS})[ ,])"
    f"|[0-9][\u0300-\u036f]|[A-Za-z0-9][。｡][A-Za-z]|{_JA_GROUPS_HINT}"
    rf"|(?i:[ ,](?:{_JOIN_WORDS})[ ,])|[{_LOOKALIKE_DOTS}][^ ]*@|@[^ ]*[{_LOOKALIKE_DOTS}]"
    rf"|(?i:[ ](?:{_PLUS_WORDS})(?:[ ]sign)?[ ][^ ]*@)"
    r"|[0-9](?:[Oo]|['’~|;][0-9]|[0-9]{2}:[0-9]|:[0-9]{3})|[Oo][0-9]"  # (one alternative: 10 % faster)
)


def _spaced_commas(match: re.Match[str]) -> str:
    groups = match.group()
    return groups if _THOUSANDS_RE.fullmatch(groups) else _COMMA_RE.sub(" ", groups)


def _joined_outside_ips(text: str) -> str:
    """``_SPOKEN_JOIN_RE``'s joiners read as spaces, but not inside an IPv4 address read out ("one nine two
    dot one dot one dot one": ``clean.ips`` reads it, six digit words would be no run)."""
    ips = spoken_ip_spans(text)
    if not ips:
        return _SPOKEN_JOIN_RE.sub(r"\1 ", text)
    out, last = [], 0
    for start, end in ips:
        out += [_SPOKEN_JOIN_RE.sub(r"\1 ", text[last:start]), text[start:end]]
        last = end
    return "".join([*out, _SPOKEN_JOIN_RE.sub(r"\1 ", text[last:])])


def _in_context(text: str) -> str:
    """The rules read in context (above); ``text`` itself when none applies."""
    if not _CONTEXT_PY.search(text):
        return text
    read = _HESITATION_RE.sub("", text)
    read = _JA_HESITATION_RE.sub("", read)
    read = _CONTROL_SPACE_RE.sub(" ", read)
    if not read.isascii():
        read = _DIGIT_COMBINING_RE.sub("", read)
    read = _O_FOR_ZERO_RE.sub(lambda m: m.group().replace("O", "0").replace("o", "0"), read)
    read = _ODD_JOINED_RE.sub(_odd_joined, read)
    if "@" in read and not read.isascii():
        read = _LOOKALIKE_DOTTED_EMAIL_RE.sub(lambda m: m.group().translate(_TO_FULL_STOP), read)
    if "@" in read:
        read = _SPOKEN_PLUS_BOX_RE.sub("+", read)
    if not read.isascii():
        read = _JA_GROUPS_RE.sub(_japanese_groups, read)
    read = _DIGIT_MARK_RE.sub("-", read)
    read = _JA_STOP_RE.sub(".", read)
    read = _UNDERSCORED_RE.sub(lambda m: m.group().replace("_", "-"), read)
    read = _SPOKEN_DASH_RE.sub(_spoken_dash, read)
    read = _joined_outside_ips(read)
    read = _COMMA_GROUPS_RE.sub(_spaced_commas, read)
    return text if read == text else read


def normalise_for_detection(text: str) -> str:
    """``text`` as the detectors read it (see above: composed where a letter and its accent are written
    apart, encodings decoded, the table, what is read in context); ``text`` itself when nothing changes.

    Redaction keeps a row's original bytes unless it finds an identifier in this form.

    >>> normalise_for_detection("５５５\u00a0０１００ kim＠example.com")
    '555 0100 kim@example.com'
    >>> normalise_for_detection("five five five, uh, one two three four")
    'five five five, one two three four'
    """
    return _after_composing(text, composed(text))


def _after_composing(text: str, read: str) -> str:
    """``normalise_for_detection(text)``, ``read`` being ``composed(text)``: what the column composed already."""
    if _ENCODED_RE.search(read):
        decoded_read = decoded(read)
        if decoded_read is not read:  # (an encoded mark: "Franc%CC%A7ois")
            read = composed(decoded_read)
    folded = read if read.isascii() else read.translate(_FOR_DETECTION)
    read = _in_context(folded)
    return text if read == text else read


def normalise_array_for_detection(values: pa.Array) -> pa.Array:
    """``normalise_for_detection`` over a string column (RE2 picks the rows to fold)."""
    if pa.types.is_null(values.type):
        return values
    return fold_rows(values, byte_classes(values))[0]


def fold_rows(values: pa.Array, flags: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """(``normalise_array_for_detection(values)``, the rows it changed); ``flags``: the rows'
    ``patterns.byte_classes``."""
    folded = np.flatnonzero(flags & NON_ASCII)  # every folded character and mark is non-ASCII
    if len(folded):
        folded = folded[np.asarray(pc.match_substring_regex(values.take(pa.array(folded)), _READ_RE2))]
    read = np.zeros(len(values), dtype=bool)
    read[folded] = True
    read |= match_rows(values, _CONTEXT_RE2)
    rows = np.flatnonzero(read)
    if not len(rows):
        return values, rows
    originals = values.take(pa.array(rows))
    texts = originals.to_pylist()
    # the rows holding a mark to compose, composed by one kernel call (``composed``, vectorised)
    marked = np.zeros(len(rows), dtype=bool)
    if len(folded):
        marked[np.searchsorted(rows, folded)] = np.asarray(
            pc.match_substring_regex(values.take(pa.array(folded)), _COMPOSING_MARK_RE2)
        )
    reads = texts
    if marked.any():
        reads = list(texts)
        at = np.flatnonzero(marked)
        for i, text in zip(
            at.tolist(), _composed_array(originals.filter(pa.array(marked))).to_pylist(), strict=True
        ):
            reads[i] = texts[i] if text == texts[i] else text
    normalised = [_after_composing(text, read) for text, read in zip(texts, reads, strict=True)]
    changed = np.array([a is not b for a, b in zip(normalised, texts, strict=True)], dtype=bool)
    rows = rows[changed]
    if not len(rows):
        return values, rows
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    kept = [text for text, change in zip(normalised, changed.tolist(), strict=True) if change]
    return pc.replace_with_mask(values, pa.array(mask), pa.array(kept, values.type)), rows
