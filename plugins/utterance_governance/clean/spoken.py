"""Numbers spoken in the other allowed languages, and Japanese numerals (SPEC §5, amended 2026-11-28).

English runs are counted by ``clean.patterns`` ("oh", "double", "triple"). Here, for German,
French, Spanish, Italian, Dutch and Portuguese, a *run* is a sequence of number words of one
language — units, teens, tens, hundreds and their compounds ("dreiundzwanzig", "soixante-dix",
"ventitré", "drieëntwintig"), joined by spaces, commas, full stops, hyphens or the language's
"and" ("treinta y cuatro", "vinte e três", "vingt et un"). ``text2num`` reads the run
(``alpha2digit``: "zéro six douze trente-quatre" is 06 12 34); a run that stands for seven
digits or more is an identifier, classified like every other number
(``clean.redact.classify_digits``). Words for thousands and millions ("mille", "tausend",
"millón") are not run words: "deux mille vingt-quatre" is a year, not a phone number.

Japanese: a run of kanji numerals (〇一二…九, 十百千), with "の", "ー", "-", "・" or a comma
("、", "，", ",") or a space between groups,
read digit by digit, or positionally when it holds 十/百/千 ("三十四" is 34).

``SPOKEN_CANDIDATES`` (RE2) picks the rows that hold three number words in a row of any of
these languages, or kanji numerals; Python reads them (``redact_spoken_runs``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from utterance_governance.clean.numbers import _NINO, _NINO_SAID

_DE_UNIT = "ein|zwei|zwo|drei|vier|fünf|fuenf|sechs|sieben|acht|neun"
_DE_TENS = "zwanzig|dreißig|dreissig|vierzig|fünfzig|fuenfzig|sechzig|siebzig|achtzig|neunzig"
# (speech recognition may split a compound ten around its "und": "zwei und vierzig", as "zweiundvierzig")
_DE_BELOW_100 = (
    rf"(?:(?:{_DE_UNIT})(?:und|[ ]+und[ ]+))?(?:{_DE_TENS})|dreizehn|vierzehn|fünfzehn|fuenfzehn|sechzehn|siebzehn"
    rf"|achtzehn|neunzehn|zehn|elf|zwölf|zwoelf|null|eins|eine|{_DE_UNIT}"
)
_DE = rf"(?:(?:{_DE_UNIT})?hundert(?:und)?)(?:{_DE_BELOW_100})?|{_DE_BELOW_100}"

_FR = (
    "zéro|zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
    "|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?"
)

_ES_UNIT = "uno|una|un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
_ES = (
    r"cero|diez|once|doce|trece|catorce|quince|diecis[eé]is|diecisiete|dieciocho|diecinueve|veinte"
    r"|veinti(?:uno|ún|una|dós|dos|trés|tres|cuatro|cinco|séis|seis|siete|ocho|nueve)"
    r"|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento"
    r"|(?:dos|tres|cuatro|seis|sete|ocho|nove)cient[oa]s|quinient[oa]s"
    rf"|{_ES_UNIT}"
)

_IT_UNIT = "uno|una|un|due|tre|tré|quattro|cinque|sei|sette|otto|nove"
_IT_BELOW_100 = (
    r"(?:vent|trent|quarant|cinquant|sessant|settant|ottant|novant)[ai]?(?:uno|due|tré|tre|quattro|cinque|sei|sette|otto|nove)?"
    r"|zero|dieci|undici|dodici|tredici|quattordici|quindici|sedici|diciassette|diciotto|diciannove"
    rf"|{_IT_UNIT}"
)
_IT = rf"(?:(?:due|tre|quattro|cinque|sei|sette|otto|nove)?cento)(?:{_IT_BELOW_100})?|{_IT_BELOW_100}"

_NL_UNIT = "een|één|twee|drie|vier|vijf|zes|zeven|acht|negen"
_NL_BELOW_100 = (
    rf"(?:(?:{_NL_UNIT})(?:en|ën|[ ]+en[ ]+))?(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)"
    rf"|nul|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien|{_NL_UNIT}"
)
_NL = rf"(?:(?:twee|drie|vier|vijf|zes|zeven|acht|negen)?honderd)(?:{_NL_BELOW_100})?|{_NL_BELOW_100}"

_PT = (
    "zero|um|uma|dois|duas|três|tres|quatro|cinco|seis|meia|sete|oito|nove|dez|onze|doze|treze"
    "|catorze|quatorze|quinze|dezesseis|dezasseis|dezessete|dezassete|dezoito|dezenove|dezanove"
    "|vinte|trinta|quarenta|cinquenta|sessenta|setenta|oitenta|noventa|cem|cento"
    "|(?:duz|trez|quatroc|quinh|seisc|setec|oitoc|novec)ent[oa]s"
)

# language -> (one number word, the word for "and" between two of them)
LANGUAGES: dict[str, tuple[str, str | None]] = {
    "de": (_DE, None),
    "fr": (_FR, "et"),
    "es": (_ES, "y"),
    "it": (_IT, None),
    "nl": (_NL, None),
    "pt": (_PT, "e"),
}
_SEP = r"[ \t\n\r\f\v,.\-]+"


# Written groups of one to five digits may stand before, between and after the words of a run
# ("0171 eins zwei drei vier fünf sechs"), when the run holds ``MIN_WORDS_BESIDE_DIGITS`` words
# (below): a date beside an article ("12.04.2026 um ein": words for one) is no number. Or when the
# run is digit groups joined by spaces or hyphens with a word for two digits or more among them ("06 12
# trente-quatre 56 78", "0171 23 fünfundvierzig 67 89", "11 98765 quarenta e três 21"; review of
# 2026-12-07): a phone number said in groups, one or two of them as words, as English rows read it
# ("415 555 thirty one 32"); no article, and no date ("12.04.2026 zwanzig Uhr": full stops).
_GROUP = r"[0-9]{1,5}"
MIN_WORDS_BESIDE_DIGITS = 3
_NOT_A_GROUP_JOINER = re.compile(r"[.,\n\r\t\f\v]")
_YEAR_FIRST = re.compile(r"(?:19|20)[0-9]{2}\Z")


def _run_pattern(word: str, conjunction: str | None, group: str = _GROUP) -> str:
    sep = rf"(?:{_SEP}{conjunction}{_SEP}|{_SEP})" if conjunction else _SEP
    return rf"(?<![\w])(?:{group}{_SEP})*(?:{word})(?:{sep}(?:{word}|{group}))*(?![\w])"


_RUNS = {
    lang: re.compile(_run_pattern(word, conjunction), re.IGNORECASE)
    for lang, (word, conjunction) in LANGUAGES.items()
}
# ... a group of five digits stands in a run of groups with a pair only: any other run is read without
# them, as before ("10115 eins zwei drei …": a postcode, then the run)
_FIVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{5}(?![0-9])")
_RUNS_OF_FOUR = {
    lang: re.compile(_run_pattern(word, conjunction, r"[0-9]{1,4}"), re.IGNORECASE)
    for lang, (word, conjunction) in LANGUAGES.items()
}
_WORDS = {lang: re.compile(word, re.IGNORECASE) for lang, (word, _) in LANGUAGES.items()}
_TOKEN = re.compile(r"\w+")

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI = "〇零一二三四五六七八九十百千"
_KANJI_JOIN = "のー\\-・、，, 　"
# one of them, with a space on either side or both ("〇九〇 の 一二三四 の 五六七八")
_KANJI_JOINER = rf"[ 　]?[{_KANJI_JOIN}][ 　]?"
# (katakana ゼロ, "zero", among them: "〇九〇ゼロ一二三四")
_KANJI_RUN = re.compile(rf"(?:[{_KANJI}]|ゼロ)+(?:{_KANJI_JOINER}(?:[{_KANJI}]|ゼロ)+)*")

# Japanese kana readings of a digit, hiragana and katakana, as a number is read out on the phone
# ("ぜろきゅうぜろのいちにさんよんのごろくななはち"), with the long forms a digit is drawn out to
# ("にー", "ごー", and with a kana vowel "にい", "ごお", "イチニイ": review of 2026-12-07; "にい" not before
# "ち", where its "い" is the "いち" that follows: "にいち" is 2 1). Kanji digits count
# beside them. A run of them is read digit by digit; it is a number when it holds a kana reading and
# ``min_digits`` readings, as many as a run of digits needs anywhere: "に" (a particle), "さん" (an
# honorific), "し", "く" and "ご" are also words, and three or four of them together are common
# ("にさんにち", "しくしく"). ``_kana_number`` leaves out the particle and the honorific at its edges.
_KANA_HIRAGANA = {
    "ぜろ": "0", "れい": "0", "いち": "1", "に": "2", "にー": "2", "にい": "2", "さん": "3", "よん": "4", "し": "4",
    "ご": "5", "ごー": "5", "ごお": "5", "ろく": "6", "なな": "7", "しち": "7", "はち": "8", "きゅう": "9",
    "きゅー": "9", "く": "9",
}  # fmt: skip
_KATAKANA = {k: "".join(chr(ord(c) + 0x60) if c != "ー" else c for c in k) for k in _KANA_HIRAGANA}
# half-width katakana ("ｾﾞﾛ"), which the gate's detector reads as NFKC makes them ("ゼロ")
_HALF_WIDTH = {
    unicodedata.normalize("NFKC", half): half
    for half in [chr(c) for c in range(0xFF66, 0xFF9E)] + [chr(c) + "ﾞ" for c in range(0xFF66, 0xFF9E)]
    if len(unicodedata.normalize("NFKC", half)) == 1
}
# a drawn-out "い" that is the first kana of "いち" when "ち" follows it ("にいち": 2 1)
_VOWEL_THEN_FROM, _VOWEL_THEN = "いイｲ", str.maketrans("いイｲ", "ちチﾁ")
_KANA_DIGITS = {
    **_KANA_HIRAGANA,
    **{katakana: _KANA_HIRAGANA[k] for k, katakana in _KATAKANA.items()},
    **{
        "".join(map(_HALF_WIDTH.__getitem__, katakana)): _KANA_HIRAGANA[k]
        for k, katakana in _KATAKANA.items()
    },
    **{k: str(v) for k, v in _KANJI_DIGITS.items()},
}
_KANA_TOKEN = "|".join(sorted(_KANA_DIGITS, key=len, reverse=True))  # (RE2: a superset of the next)
_KANA_TOKEN_PY = "|".join(
    f"{token}(?!{token[-1].translate(_VOWEL_THEN)})"
    if _KANA_DIGITS[token] == "2" and token[-1] in _VOWEL_THEN_FROM
    else token
    for token in sorted(_KANA_DIGITS, key=len, reverse=True)
)
_KANA_JOIN = _KANJI_JOIN + "･ｰ"
_KANA_JOINER = rf"(?:[ 　]?[{_KANA_JOIN}][ 　]?)?"  # ("ぜろきゅうぜろ の いちにさんよん …")
_KANA_RUN = re.compile(rf"(?:{_KANA_TOKEN_PY})(?:{_KANA_JOINER}(?:{_KANA_TOKEN_PY}))*")
_KANA_TOKENS = re.compile(_KANA_TOKEN_PY)
# a reading of a digit that is also a word beside a name or a verb: "田中さんに…", "…に電話して"
_HONORIFIC, _PARTICLE = "さん", "に"
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff\u30a1-\u30fa\uff66-\uff9d]")  # a kanji or a katakana letter

# Rows worth reading: three number words of any of the languages in a row (no word
# boundaries: a superset), kanji numerals, or seven kana or kanji readings of a digit.
_ANY_WORD = "|".join(f"(?:{word})" for word, _ in LANGUAGES.values())
_ANY_SEP = rf"(?:{_SEP}(?:y|e|et){_SEP}|{_SEP})"
SPOKEN_CANDIDATES = (
    rf"(?i:(?:{_ANY_WORD})(?:{_ANY_SEP}(?:{_ANY_WORD})){{2,}})|(?:[{_KANJI}]|ゼロ){{3,}}|[{_KANJI}]{_KANJI_JOINER}[{_KANJI}]"
    # (digit groups with a word beside two of them, ``_groups_with_a_pair``: "06 12 trente-quatre 56 78"; any
    # letters, as the number words in the union above made RE2's automaton outgrow its budget: 30 s a pass, not 0.1)
    "|[0-9][ ]+[0-9]+[ \\-]+[A-Za-zÀ-ɏ]{3}|[A-Za-zÀ-ɏ]{3}[ \\-]+[0-9]+[ ]+[0-9]"
    rf"|(?:{_KANA_TOKEN})(?:{_KANA_JOINER}(?:{_KANA_TOKEN})){{6}}"
)


# (the first three words are enough to know: not {2,}, which reads a long run to its end)
_CANDIDATES_PY = re.compile(SPOKEN_CANDIDATES.replace("{2,}", "{2}", 1))


_NL_SPLIT_TENS = re.compile(
    rf"({_NL_UNIT})[ ]+en[ ]+(?=twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)"
)


def read_run(run: str, lang: str) -> str:
    """The digits a run of number words of ``lang`` stands for (``text2num``)."""
    from text_to_num import alpha2digit

    text = run.lower()
    if lang == "nl" and " en " in text:  # "twee en veertig" as "tweeënveertig" (text2num reads the compound)
        text = _NL_SPLIT_TENS.sub(lambda m: m.group(1) + ("ën" if m.group(1).endswith("e") else "en"), text)
    if lang == "pt":
        text = re.sub(r"\bmeia\b", "seis", text)  # "meia" (dúzia) is six on the phone in Brazil
    return "".join(filter(str.isdigit, alpha2digit(text, lang)))


def read_kanji(run: str) -> str:
    """The digits of a run of kanji numerals: digit by digit, or positionally per group."""
    out = []
    for group in re.split(_KANJI_JOINER, run.replace("ゼロ", "〇")):
        if all(c in _KANJI_DIGITS for c in group):
            out.append("".join(str(_KANJI_DIGITS[c]) for c in group))
            continue
        total, digit = 0, None
        for c in group:
            if c in _KANJI_DIGITS:
                if digit is not None:  # "二三" inside a positional number: start afresh
                    total = total * 10 + digit
                digit = _KANJI_DIGITS[c]
            else:
                total += (digit if digit is not None else 1) * _KANJI_UNITS[c]
                digit = None
        out.append(str(total + (digit or 0)))
    return "".join(out)


def redact_spoken_runs(
    text: str,
    lang: str | None,
    classify: Callable[[str], str],
    min_digits: int = 7,
    *,
    candidate: bool = False,
) -> str:
    """Runs of number words (every supported language, ``lang`` first) and kanji numerals that
    stand for ``min_digits`` digits or more, replaced by ``classify(digits)``.

    ``candidate``: ``SPOKEN_CANDIDATES`` is known to match ``text`` (RE2 read it), so its Python
    form (90 µs a text: an alternation of every language's words) is not run again."""
    if not candidate and not _CANDIDATES_PY.search(text):
        return text
    order = [lang] if lang in LANGUAGES else []
    order += [other for other in LANGUAGES if other != lang]
    # A run's words are whole words (letters between non-word characters), and the placeholders
    # put in by one language are no other's number words: a language none of whose number words
    # the text holds has no run in it.
    words = set(_TOKEN.findall(text))
    for language in order:
        if not any(map(_WORDS[language].fullmatch, words)):
            continue
        text = _RUNS[language].sub(lambda m, lg=language: _read_runs(m, lg, classify, min_digits), text)
    if not text.isascii():
        text = _KANA_RUN.sub(lambda m: _kana_number(m, classify, min_digits), text)
    if any(c in _KANJI for c in text) or "ゼロ" in text:
        text = _KANJI_RUN.sub(
            lambda m: _classified(m.group(), read_kanji(m.group()), classify, min_digits), text
        )
    return text


def _read_runs(match: re.Match[str], lang: str, classify: Callable[[str], str], min_digits: int) -> str:
    """A run of ``lang`` (``_RUNS``) as its placeholder, or as it is; one holding a group of five digits that is
    no run of groups with a pair, its runs without such groups (``_RUNS_OF_FOUR``)."""
    run, after = match.group(), match.string[match.end() :]
    if _FIVE_DIGITS.search(run) and not _groups_with_a_pair(run, _MULTI.split(run), _WORDS[lang]):
        return _RUNS_OF_FOUR[lang].sub(
            lambda m: _read_run(m.group(), lang, run[m.end() :] + after, classify, min_digits), run
        )
    return _read_run(run, lang, after, classify, min_digits)


def _read_run(run: str, lang: str, after: str, classify: Callable[[str], str], min_digits: int) -> str:
    if _clock_times(run, lang, after):
        return run
    return _classified(run, lambda: read_run(run, lang), classify, min_digits, _WORDS[lang])


# Times of day said with "and" between the hour and the minutes, in Spanish and Portuguese ("seis y treinta",
# "siete y cuarto", "seis e meia", "sete e quinze"): an hour of one word (1-19: a ten before "y"/"e" and a unit is
# a number, "vinte e cinco"), the language's "and", the minutes in fives or a half. A number puts its "and" after
# a ten or a hundred only ("treinta y cuatro", "cento e vinte"), never after a unit or a teen as these do.
_CLOCK_HOURS = {
    "es": "una uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis"
    " dieciseis diecisiete dieciocho diecinueve",
    "pt": "uma um duas dois três tres quatro cinco seis sete oito nove dez onze doze treze catorze quatorze quinze"
    " dezesseis dezasseis dezessete dezassete dezoito dezenove dezanove",
}
_CLOCK_MINUTES = {
    "es": "cinco diez cuarto quince veinte veinticinco media treinta cuarenta cincuenta",
    "pt": "cinco dez quinze vinte meia trinta quarenta cinquenta",
}
# (the tens that take a five after "y"/"e": "cuarenta y cinco", "vinte e cinco")
_CLOCK_TENS_AND_FIVE = {"es": "treinta cuarenta cincuenta", "pt": "vinte trinta quarenta cinquenta"}
_CLOCK = {
    lang: (
        frozenset(_CLOCK_HOURS[lang].split()),
        frozenset(_CLOCK_MINUTES[lang].split()),
        frozenset(_CLOCK_TENS_AND_FIVE[lang].split()),
        LANGUAGES[lang][1],
    )
    for lang in _CLOCK_HOURS
}


def _clock_times(run: str, lang: str, after: str) -> bool:
    """A run of ``lang`` that is a list of two times of day or more, "and" or a comma between them ("seis e meia,
    sete e quinze e oito e meia"): no number, though its words would read as seven digits or more. ``after``: the
    text after the run, whose minutes may be no number word ("… nueve y media", "… ocho y cuarto")."""
    clock = _CLOCK.get(lang)
    if clock is None:
        return False
    words = _TOKEN.findall(run.lower())
    if words.count(clock[3]) < 2:
        return False
    minutes = re.match(rf"[ ]+{clock[3]}[ ]+([^\W\d_]+)", after.lower())
    if minutes and minutes.group(1) in clock[1]:
        words += [clock[3], minutes.group(1)]
    return _times_from(words, 0, clock) >= 2


def _times_from(
    words: list[str], i: int, clock: tuple[frozenset[str], frozenset[str], frozenset[str], str]
) -> int:
    """How many times of day ``words[i:]`` is, each an hour, "and" and the minutes, an "and" between two of them
    or not; 0 when it is no such list."""
    hours, minutes, tens, conjunction = clock
    if i and words[i] == conjunction:  # "… sete e quinze e oito e meia"
        i += 1
    if i + 3 > len(words) or words[i] not in hours or words[i + 1] != conjunction:
        return 0
    ends = [i + 3] if words[i + 2] in minutes else []
    if words[i + 2] in tens and words[i + 3 : i + 5] == [conjunction, "cinco"]:
        ends.append(i + 5)  # "seis y cuarenta y cinco"
    for end in ends:
        if end == len(words):
            return 1
        rest = _times_from(words, end, clock)
        if rest:
            return rest + 1
    return 0


def _kana_number(match: re.Match[str], classify: Callable[[str], str], min_digits: int) -> str:
    """A run of kana (and kanji) readings of a digit as ``classify(digits)`` when it holds a kana
    reading and ``min_digits`` readings, less an honorific after a name and a particle at its edges
    ("田中さんにぜろきゅうぜろ…に電話して"); kanji digits alone are ``_KANJI_RUN``'s."""
    text, start, end = match.string, match.start(), match.end()
    tokens = [(m.start() + start, m.end() + start) for m in _KANA_TOKENS.finditer(match.group())]
    if start and _NAME_CHAR.match(text, start - 1) and text[slice(*tokens[0])] == _HONORIFIC:
        tokens = tokens[1:]
    if (
        tokens
        and text[slice(*tokens[0])] == _PARTICLE
        and (tokens[0][0] != start or (start and _NAME_CHAR.match(text, start - 1)))
    ):
        tokens = tokens[1:]
    if len(tokens) > 1 and text[slice(*tokens[-1])] == _PARTICLE and end < len(text) and text[end].isalpha():
        tokens = tokens[:-1]
    readings = [text[a:b] for a, b in tokens]
    if len(readings) < min_digits or all(r in _KANJI_DIGITS for r in readings):
        return match.group()
    digits = "".join(_KANA_DIGITS[r] for r in readings)
    return text[start : tokens[0][0]] + classify(digits) + text[tokens[-1][1] : end]


def _classified(
    run: str,
    digits: str | Callable[[], str],
    classify: Callable[[str], str],
    min_digits: int,
    words: re.Pattern[str] | None = None,
) -> str:
    if callable(digits):
        if not _MULTI.search(run):  # one word stands for four digits at most
            return run
        tokens = _MULTI.split(run)
        if (
            any("0" <= token[:1] <= "9" for token in tokens)
            and _most_in_a_row([bool(words.fullmatch(token)) for token in tokens]) < MIN_WORDS_BESIDE_DIGITS
            and not _groups_with_a_pair(run, tokens, words)
        ):
            return run
        if len(tokens) > _LONG_RUN_WORDS:  # a number of more than twenty digits, whatever it reads
            return classify("0" * len(tokens))
        digits = digits()
    return classify(digits) if len(digits) >= min_digits else run


_MULTI = re.compile(_SEP)


def _groups_with_a_pair(run: str, tokens: list[str], words: re.Pattern[str]) -> bool:
    """Two written digit groups or more and a number word for two digits or more (a ten, a teen, a
    compound: no word for one digit, which may be an article), joined by spaces or hyphens only; not
    after a year ("el 2026 05 veinte" is a date)."""
    return (
        not _NOT_A_GROUP_JOINER.search(run)
        and not _YEAR_FIRST.match(tokens[0])
        and sum("0" <= token[:1] <= "9" for token in tokens) >= 2
        and any(
            token.lower() not in DIGIT_WORD_VALUES and not token[:1].isdigit() and words.fullmatch(token)
            for token in tokens
        )
    )


def _most_in_a_row(flags: list[bool]) -> int:
    """The longest run of True in ``flags``: words for a digit beside written ones count when three
    stand together ("0612 un deux trois"), not one between each ("un 1, un 2, un 3": articles)."""
    most = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        most = max(most, current)
    return most


# A run of more words than this is a number of twenty digits or more (three words stand for one
# digit at least: "vingt et un", "quatre-vingt-dix-neuf") and is not read by text2num, whose
# reading takes time quadratic in the run's length (4 ms for 1,600 words). A run of articles
# as long ("un un un ..."), which text2num might leave as words, is over-redacted.
_LONG_RUN_WORDS = 64


# --- words for a digit, whatever joins them --------------------------------------------------
# "one_two_three_four_five_six_seven", "one/two/three/…", "uno two drei four cinq six sept": the
# runs above are words of one language joined by spaces, commas, hyphens or full stops, but a
# person (or the gate's detector, which reads seven such words in a row whatever lies between)
# sees a number in any seven words for a digit in a row, in any mix of the supported languages.
# Such a run, from its first word to its last, is replaced by ``classify(digits)``.
DIGIT_WORD_VALUES = {
    # en, de, fr, es, it, nl, pt: the words for one digit ("oh" is zero, Brazilian "meia" six)
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "null": "0", "eins": "1", "ein": "1", "eine": "1", "zwei": "2", "zwo": "2", "drei": "3",
    "vier": "4", "fünf": "5", "fuenf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
    "zéro": "0", "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5",
    "sept": "7", "huit": "8", "neuf": "9",
    "cero": "0", "uno": "1", "una": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
    "due": "2", "tre": "3", "tré": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7",
    "otto": "8", "nove": "9",
    "nul": "0", "een": "1", "één": "1", "twee": "2", "drie": "3", "vijf": "5", "zes": "6",
    "zeven": "7", "negen": "9",
    "um": "1", "uma": "1", "dois": "2", "duas": "2", "três": "3", "quatro": "4", "sete": "7", "oito": "8",
    "meia": "6",
}  # fmt: skip
_DIGIT_WORD_ALTERNATION = "|".join(sorted(DIGIT_WORD_VALUES, key=len, reverse=True))
# Written digits may stand in such a run ("0171 eins zwei drei vier fünf sechs", "555 one two
# three four"), each a token, when ``MIN_WORDS_BESIDE_DIGITS`` of its words are words for a digit.
# Rows worth reading (RE2, a superset: no word boundaries): three such words with no letter
# between them (every run holds seven words, or three beside written digits).
DIGIT_WORD_RUN_CANDIDATES = rf"(?i:(?:{_DIGIT_WORD_ALTERNATION})(?:\P{{L}}+(?:{_DIGIT_WORD_ALTERNATION})){{{MIN_WORDS_BESIDE_DIGITS - 1}}})"
_RUN_TOKEN = re.compile(r"[^\W\d_]+|[0-9]")


def redact_digit_word_runs(text: str, classify: Callable[[str], str], min_words: int = 7) -> str:
    """Runs of ``min_words`` words for a digit or more (any supported language, joined by
    anything but letters) replaced by ``classify(digits)``, from the run's first token to its last;
    written digits count in a run that holds ``MIN_WORDS_BESIDE_DIGITS`` such words."""
    spans: list[tuple[int, int, str]] = []
    run: list[tuple[re.Match[str], str]] = []
    for match in [*_RUN_TOKEN.finditer(text), None]:
        token = match.group() if match else ""
        value = token if "0" <= token[:1] <= "9" else DIGIT_WORD_VALUES.get(token.lower())
        if value is not None:
            run.append((match, value))
            continue
        words = [m.group().isalpha() for m, _ in run]
        if run and not all(words) and _most_in_a_row(words) < MIN_WORDS_BESIDE_DIGITS:
            # the written digits are no part of it: the words alone, joined by anything
            run = [token for token, word in zip(run, words, strict=True) if word]
        if len(run) >= min_words:
            spans.append((run[0][0].start(), run[-1][0].end(), classify("".join(v for _, v in run))))
        run = []
    out, last = [], 0
    for start, end, placeholder in spans:
        out += [text[last:start], placeholder]
        last = end
    return "".join([*out, text[last:]]) if out else text


# --- identity numbers with letters, their digits said as words --------------------------------
# "my national insurance number is ab one two three four five six c", "codice fiscale rss mra otto cinque t
# uno zero a cinque sei due s" (review of 2026-12-07): letters in groups of one to three and digits said as
# words or written, joined by spaces, commas or hyphens, that spell a codice fiscale (its digits digits, not
# omocodia's letters, and ``stdnum``'s check character) or, where the row names one (``_NINO_SAID``), a NINO
# (HMRC's prefixes; no check character). The whole id becomes ``[NATIONAL_ID]``. Rows read: the stage's
# (three words for a digit in a row: a NINO's six, a codice fiscale's last three), where the tokens' kinds
# allow one (``_ID_KINDS``); an id read so holds three words for a digit in a row (``redact_text`` reads as
# ``redact_array`` does: "ab 12 34 five six c" is none).
_NINO_SAID_RE = re.compile(_NINO_SAID)
_CF_SHAPE = "LLLLLLDDLDDLDDDL"
_NINO_LETTERS = "LLDDDDDDL"
_ID_TOKEN = re.compile(r"[^\W\d_]+|[0-9]+")
_ID_JOIN = re.compile(r"[ ,\-]*")
# each token's kind: "d" written digits, "w" a word for a digit, "b" one that is also three letters or fewer
# ("uno", "sei"), "s" a single letter, "l" two or three, "x" anything else; an id is looked for where the kinds
# allow one (a codice fiscale's digits end with a single letter after each group: "… otto cinque t uno zero a …")
# ("r": "double"/"triple"/"treble" before a digit, as a NINO's digits are said in Britain: second review of
# 2026-12-07)
_ID_KINDS = {"CF": re.compile(r"[dwb]s[dwb]+s[dwb]+s"), "NINO": re.compile(r"[lbs][dwbr]{2,}[lbs]")}
_THREE_WORDS = re.compile(r"[wb]{3}")
_REPEATS = {"double": 2, "triple": 3, "treble": 3}


def _id_kind(token: str) -> str:
    if token.isdigit():
        return "d"
    if token.lower() in _REPEATS:
        return "r"
    letters = len(token) <= 3 and token.isascii()
    if token.lower() in DIGIT_WORD_VALUES:
        return "b" if letters else "w"
    return ("s" if len(token) == 1 else "l") if letters else "x"


def redact_spoken_ids(text: str, nino_only: bool = False) -> str:
    """A codice fiscale or a named NINO spelled with its digits said as words, as ``[NATIONAL_ID]``.

    A NINO where the row names one needs no three words for a digit in a row (second review of 2026-12-07:
    "ab 12 three four 56 c", "ab one two 34 five six c", "ab double one two three four five c"); the ids
    stage reads those of its rows that name one (``nino_only``: "ab 12 three four 56 c" is no candidate of
    the digit-word stage)."""
    tokens = list(_ID_TOKEN.finditer(text))
    kinds = "".join(_id_kind(token.group()) for token in tokens)
    named = _ID_KINDS["NINO"].search(kinds) is not None and _NINO_SAID_RE.search(text) is not None
    if not named and (nino_only or not _THREE_WORDS.search(kinds)):
        return text
    shapes = (
        [_CF_SHAPE] if not nino_only and _ID_KINDS["CF"].search(kinds) and _THREE_WORDS.search(kinds) else []
    )
    if named:
        shapes.append(_NINO_LETTERS)
    if not shapes:
        return text
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        end = kinds[i] in "lbs" and next(
            (e for shape in shapes if (e := _spelled_id(text, tokens, i, shape))), 0
        )
        if end:
            spans.append((tokens[i].start(), tokens[end - 1].end()))
            i = end
        else:
            i += 1
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], "[NATIONAL_ID]"]
        last = end
    return "".join([*out, text[last:]]) if out else text


def _spelled_id(text: str, tokens: list[re.Match[str]], first: int, shape: str) -> int:
    """The index after the last token of an id of ``shape`` ("L" a letter, "D" a digit) spelled from
    ``tokens[first]`` on, when it is a valid one; 0 otherwise."""
    compact, words, most = "", 0, 0  # (words for a digit in a row: the stage's prefilter reads three)
    j = first
    while j < len(tokens):
        if j > first and not _ID_JOIN.fullmatch(text, tokens[j - 1].end(), tokens[j].start()):
            return 0
        token = tokens[j].group()
        want = shape[len(compact)]
        times = _REPEATS.get(token.lower(), 0) if shape == _NINO_LETTERS and j + 1 < len(tokens) else 0
        if times:  # "double one": "11" (a NINO's digits; a codice fiscale's are not said so)
            said = tokens[j + 1].group()
            value = said if len(said) == 1 and said.isdigit() else DIGIT_WORD_VALUES.get(said.lower())
            if (
                want != "D"
                or value is None
                or not _ID_JOIN.fullmatch(text, tokens[j].end(), tokens[j + 1].start())
            ):
                return 0
            piece, words, j = value * times, 0, j + 1
        elif want == "D" and (token.isdigit() or token.lower() in DIGIT_WORD_VALUES):
            piece = token if token.isdigit() else DIGIT_WORD_VALUES[token.lower()]
            words = 0 if token.isdigit() else words + 1
            most = max(most, words)
        elif want == "L" and len(token) <= 3 and token.isascii() and token.isalpha():
            piece, words = token.upper(), 0
        else:
            return 0
        compact += piece
        if len(compact) > len(shape) or any(
            (c.isdigit()) != (k == "D")
            for c, k in zip(piece, shape[len(compact) - len(piece) :], strict=False)
        ):
            return 0
        if len(compact) == len(shape):
            enough = shape == _NINO_LETTERS or most >= MIN_WORDS_BESIDE_DIGITS  # (a NINO: only where named)
            return j + 1 if enough and _valid_id(compact, shape) else 0
        j += 1
    return 0


def _valid_id(compact: str, shape: str) -> bool:
    if shape == _NINO_LETTERS:
        return bool(_NINO.fullmatch(compact))
    from stdnum.it import codicefiscale

    return bool(codicefiscale.is_valid(compact))
