"""Written numbers the fixed shapes of ``clean.patterns`` do not know: IBANs, national identity
numbers, and phone numbers in national formats (SPEC §5, amended 2026-11-28).

- ``[IBAN]``: a country code, two check digits and 11-30 letters or digits, grouped or not,
  whose mod-97 check (``stdnum.iban``) holds.
- ``[NATIONAL_ID]``: the identity numbers of the allowed countries, each validated by its
  ``python-stdnum`` module (check digits, dates, lengths). Numbers with letters (Spanish
  DNI/NIE, Italian codice fiscale, Mexican CURP and RFC, also in groups, Indian PAN, Irish PPS,
  British NINO) are taken in any row (an RFC without a valid check digit where "RFC" is said or
  in a Mexican row in one piece); a Brazilian RG with its check digit in a Brazilian row or after
  "RG"; digits-only ones (German Steuer-ID, Austrian SVNR, French NIR, Dutch BSN, Brazilian
  CPF, Canadian SIN, Australian TFN, Indian Aadhaar, Japanese My Number) in rows of their
  country, where the checksum says which of the many 9- to 12-digit things a number is.
- ``[PHONE]``: digit groups as people write phone numbers in every allowed country —
  ``78 801 84 24``, ``(03) 5342 5757``, ``0664 313 06 34``, ``413.195.1714x397``,
  ``+41 60 630 95 72`` — seven to fifteen digits in two groups or more. ``+`` numbers are
  parsed by ``phonenumbers`` (E.164); two-group and five- to six-digit forms only count when
  ``phonenumbers`` validates them for the row's region (or, with no locale, any allowed one).
  Dates, lists of years, round thousands (``1 200 000``) and version strings are not phones.

The RE2 patterns ``PRE_CANDIDATES`` / ``GROUP_CANDIDATES`` pick the rows worth reading;
Python decides (``redact_ids``, ``redact_digit_groups``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from utterance_governance.clean.languages import KNOWN_REGIONS

# --- IBAN and identity numbers -------------------------------------------------------------

# Candidate rows: two letters and two digits starting a long alphanumeric run (IBAN, CURP,
# codice fiscale), letters around digits (DNI, NIE, PAN, PPS, NINO), or a long digit group run.
# (as ``_IBAN_RE`` starts: groups of one to four; a country code in capitals may stand apart)
# (groups joined by a space, "-", "/" or parentheses: "NL91/ABNA/0417/1643/00", "(NL91) ABNA 0417 …")
_IBAN_JOIN = r"(?:[ ]?[\-/][ ]?|[ ]?\)[ ]?\(?|[ ]?\(|[ ])?"
_IBAN_START = (
    rf"\b(?:[A-Za-z]{{2}}|[A-Z]{{2}} )[0-9]{{2}}{_IBAN_JOIN}(?:[A-Za-z0-9]{_IBAN_JOIN}){{2}}[A-Za-z0-9]"
)
_ALNUM_ID = (
    r"\b[0-9]{8}[ \-]?[A-Za-z]\b|\b[XYZxyz][ \-]?[0-9]{7}[ \-]?[A-Za-z]\b"  # DNI, NIE
    # a DNI in dotted thousands, its letter in capitals ("12.345.678 Z", "12.345.678-Z"; in lower case it follows
    # an amount as often: "12.345.678 y …")
    r"|\b[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}[ \-]?[A-Z]\b"
    # codice fiscale, also in its groups ("RSS MRA 85T10 A562S", "RSS MRA 85 T 10 A 562 S": review of 2026-12-07;
    # joined by hyphens or commas too, "RSS-MRA-85-T-10-A-562-S", "rss, mra, 85, t, …": second review, 2026-12-07)
    r"|\b[A-Za-z]{3}(?:[ \-]|,[ ]?)?[A-Za-z]{3}(?:[ \-]|,[ ]?)?[0-9]{2}(?:[ \-]|,[ ]?)?[A-Za-z](?:[ \-]|,[ ]?)?"
    r"[0-9]{2}(?:[ \-]|,[ ]?)?[A-Za-z](?:[ \-]|,[ ]?)?[0-9]{3}(?:[ \-]|,[ ]?)?[A-Za-z]\b"
    # CURP, also in groups ("BOXW 310820 HNERXN 09", "boxw-310820-hnerxn-09"); RFC ("GODE 561231 GR8")
    r"|\b[A-Za-z]{4}[ \-]?[0-9]{6}[ \-]?[A-Za-z]{6}[ \-]?[A-Za-z0-9][0-9]\b"
    r"|\b[A-Za-z]{4}[ \-]?[0-9]{6}[ \-]?[A-Za-z0-9]{3}\b"
    r"|\b[A-Za-z]{5}[0-9]{4}[A-Za-z]\b|\b[A-Z]{5} [0-9]{4} ?[A-Z]\b"  # PAN (spaced: capitals, "ABCDE 1234 F")
    r"|\b[0-9]{7}[A-Wa-w][A-Ia-iWw]?\b"  # PPS
    r"|\b[A-Za-z]{2}[0-9]{6}[A-Da-d]\b|\b[A-Z]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}[ \-]?[A-D]\b"  # NINO
)
# eight digits or more with single separators: every run ``_DIGIT_RUN_RE`` may take for an
# identity number ("764473 278", a Canadian SIN in two groups, was not a candidate)
_DIGIT_RUN = r"[0-9](?:[ .\-/]?[0-9]){7,}"
# a Brazilian RG said with its name, in a row of any region ("my RG is 12.345.678-2")
_RG_SAID = r"(?i:\brg\b)"
# a British NINO said with its name: then in any case and in its groups ("my ni number is ab 12 34 56 c")
_NINO_SAID = (
    r"(?i:\bnational\s+insurance\b|\bni\s+(?:number|no)\b|\bnino\b)"  # (the detector's ``_NINO_NAMED``)
)
PRE_CANDIDATES = f"{_IBAN_START}|{_ALNUM_ID}|{_DIGIT_RUN}|{_RG_SAID}|{_NINO_SAID}"
# ... in a row of a region without digits-only identity numbers
ID_CANDIDATES_ANY_REGION = f"{_IBAN_START}|{_ALNUM_ID}|{_RG_SAID}|{_NINO_SAID}"

_IBAN_RE = re.compile(
    rf"\b(?:[A-Za-z]{{2}}|[A-Z]{{2}} )[0-9]{{2}}(?:{_IBAN_JOIN}[A-Za-z0-9]{{1,4}}){{3,9}}\b", re.ASCII
)
_ALNUM_ID_RE = re.compile(_ALNUM_ID, re.ASCII)
_DIGIT_RUN_RE = re.compile(r"(?<![\w.+\-/])[0-9]{1,12}(?:[ .\-/][0-9]{1,5})*(?![\w]|[.\-/][0-9])", re.ASCII)


def _validator(module: str) -> Callable[[str], bool]:
    def is_valid(value: str) -> bool:
        from importlib import import_module

        return bool(import_module(f"stdnum.{module}").is_valid(value))

    return is_valid


# Identity numbers with letters: valid anywhere.
ALNUM_IDS: dict[str, Callable[[str], bool]] = {
    "es.dni": _validator("es.dni"),
    "es.nie": _validator("es.nie"),
    "it.codicefiscale": _validator("it.codicefiscale"),
    "mx.curp": _validator("mx.curp"),
    "in_.pan": _validator("in_.pan"),
    "ie.pps": _validator("ie.pps"),
}
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]")  # HMRC's format; no checksum
# Digits-only identity numbers: (validator, digit counts), in rows of their region.
NATIONAL_IDS: dict[str, list[tuple[Callable[[str], bool], tuple[int, ...]]]] = {
    "DE": [(_validator("de.idnr"), (11,))],
    "AT": [(_validator("at.vnr"), (10,))],
    "FR": [(_validator("fr.nir"), (15,))],
    "NL": [(_validator("nl.bsn"), (9,))],
    "BR": [(_validator("br.cpf"), (11,))],
    "CA": [(_validator("ca.sin"), (9,))],
    "AU": [(_validator("au.tfn"), (8, 9))],
    "IN": [(_validator("in_.aadhaar"), (12,))],
    "JP": [(_validator("jp.in_"), (12,))],
    "IE": [],
}


def _digits(text: str) -> str:
    return "".join(filter(str.isdigit, text))


def is_iban(candidate: str) -> bool:
    from stdnum import iban

    return iban.is_valid(candidate)


def is_alnum_id(candidate: str, region: str | None = None, rfc_said: bool = False) -> bool:
    """An identity number with letters. An RFC whose check digit fails (about 1.5 % are issued so):
    where the row says "RFC" (``rfc_said``), or in a Mexican row written in one piece or with
    hyphens ("VACE-460910-SX6"; "pide 250312 uno" is three words)."""
    compact = re.sub(r"[ ,.\-]", "", candidate).upper()
    if len(compact) == 13 and compact[4:10].isdigit():
        from stdnum.mx import rfc

        unchecked = rfc_said or (region == "MX" and " " not in candidate)
        return bool(rfc.is_valid(compact, validate_check_digits=not unchecked))
    return bool(_NINO.fullmatch(compact)) or any(valid(compact) for valid in ALNUM_IDS.values())


_RFC_SAID = re.compile(r"(?i)\brfc\b")
_NINO_SAID_RE = re.compile(_NINO_SAID)
_NINO_ANY_CASE_RE = re.compile(
    r"\b[A-Za-z]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}[ \-]?[A-Da-d]\b", re.ASCII
)
# A Brazilian RG as São Paulo issues it (``stdnum`` has no module): eight digits, dotted or not, a
# hyphen and a check digit or X, in a Brazilian row or a row that says "RG"
_RG_RE = re.compile(r"(?<![\w.\-])[0-9]{2}(\.?)[0-9]{3}\1[0-9]{3}-[0-9Xx](?![\w]|[.\-][0-9])", re.ASCII)
_RG_SAID_RE = re.compile(_RG_SAID, re.ASCII)


def is_rg(candidate: str) -> bool:
    """The check digit of an RG: the digits weighted 2 to 9, and 11 minus their sum mod 11 (10 is X)."""
    digits = [int(c) for c in candidate if c.isdigit()]
    check = 11 - sum(d * w for d, w in zip(digits[:8], range(2, 10), strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return candidate[-1].upper() == expected


def _rg_spans(text: str, region: str | None) -> list[tuple[int, int, str]]:
    if "-" not in text or (region != "BR" and not _RG_SAID_RE.search(text)):
        return []
    return [(m.start(), m.end(), "[NATIONAL_ID]") for m in _RG_RE.finditer(text) if is_rg(m.group())]


def is_national_id(digits: str, region: str | None) -> bool:
    return any(
        len(digits) in lengths and valid(digits) for valid, lengths in NATIONAL_IDS.get(region or "", [])
    )


# A Dutch BSN is nine digits; the older ones (from the sofinummer) begin with a zero, which is
# sometimes dropped: eight digits are a BSN only where the row names one (``stdnum`` pads them)
_BSN_SAID = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|sofi-?nummer)\b")


def _is_short_bsn(digits: str, region: str | None, text: str) -> bool:
    return (
        region == "NL"
        and len(digits) == 8
        and bool(_BSN_SAID.search(text))
        and is_national_id("0" + digits, region)
    )


def _iban_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _IBAN_RE.finditer(text):
        # a greedy match may run into the next word: try shorter ends, longest first
        groups = list(re.finditer(r"[A-Za-z0-9]+", match.group()))
        for last in range(len(groups) - 1, -1, -1):
            end = groups[last].end()
            body = match.group()[:end]
            if is_iban(re.sub(r"[^A-Za-z0-9]", "", body)):
                start = match.start()
                if text[start - 1 : start] == "(" and body.count(")") > body.count("("):
                    start -= 1  # "(NL91) ABNA …"
                end += 1 if body.count("(") > body.count(")") and match.group()[end : end + 1] == ")" else 0
                spans.append((start, match.start() + end))
                break
    return spans


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for start, end, placeholder in sorted(spans):
        if start < last:
            continue
        out += [text[last:start], placeholder]
        last = end
    return "".join([*out, text[last:]]) if out else text


def redact_ids(text: str, region: str | None = None) -> str:
    """IBANs and national identity numbers in ``text`` replaced by ``[IBAN]`` / ``[NATIONAL_ID]``."""
    if _NINO_SAID_RE.search(
        text
    ):  # a named NINO with its digits partly said as words ("ab 12 three four 56 c",
        # "ab double one two three four five c"; second review of 2026-12-07)
        from utterance_governance.clean.spoken import redact_spoken_ids

        text = redact_spoken_ids(text, nino_only=True)
    spans = [(s, e, "[IBAN]") for s, e in _iban_spans(text)]
    found = list(_ALNUM_ID_RE.finditer(text))
    if found:
        rfc_said = _RFC_SAID.search(text) is not None
        spans += [
            (m.start(), m.end(), "[NATIONAL_ID]") for m in found if is_alnum_id(m.group(), region, rfc_said)
        ]
    if _NINO_SAID_RE.search(text):  # grouped and in lower case too, where the row names a NINO
        spans += [
            (m.start(), m.end(), "[NATIONAL_ID]")
            for m in _NINO_ANY_CASE_RE.finditer(text)
            if _NINO.fullmatch(re.sub(r"[ \-]", "", m.group()).upper())
        ]
    spans += _rg_spans(text, region)
    if NATIONAL_IDS.get(region or ""):
        for match in _DIGIT_RUN_RE.finditer(text):
            digits = _digits(match.group())
            if is_national_id(digits, region) or _is_short_bsn(digits, region, text):
                spans.append((match.start(), match.end(), "[NATIONAL_ID]"))
    return _replace(text, spans)


# --- phone numbers in national formats -----------------------------------------------------

# Two digit groups or more with seven digits or more, or a "+" number; Python decides.
GROUP_CANDIDATES = r"\+[ ]?[0-9]{1,4}[ .\-(]|[0-9(][0-9 ().\-/]{4,}[0-9]"
_GROUP_SEP = r"(?:[ .\-/]|\)[ ]?|[ ]\(|[ ]\-[ ])"
_GROUPS_RE = re.compile(
    rf"(?<![\w.+\-/])(?<![0-9],)(?:\+[ ]?)?\(?[0-9]{{1,6}}\)?(?:{_GROUP_SEP}\(?[0-9]{{1,10}}\)?)+"
    rf"(?:[ ]?(?:x|ext\.?|extension)[ ]?[0-9]{{1,5}})?(?![\w]|[.\-/][0-9])",
    re.ASCII | re.IGNORECASE,
)
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extension)[ ]?[0-9]{1,5}$", re.IGNORECASE)
_DATE = re.compile(r"(?:[0-9]{4}|[0-9]{1,2})[\-./][0-9]{1,2}[\-./](?:[0-9]{4}|[0-9]{1,2})")
_SSN_SHAPE = re.compile(r"[0-9]{3}([ \-])[0-9]{2}\1[0-9]{4}")
_POSTCODE_SHAPE = re.compile(r"[0-9]{5}-[0-9]{3}")  # a Brazilian CEP
_IPV4_SHAPE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")


def _is_date(body: str, groups: list[str]) -> bool:
    if len(groups) != 3 or not _DATE.fullmatch(body):
        return False
    a, b, c = (int(g) for g in groups)
    if len(groups[0]) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


_YEAR = re.compile(r"(?:1[89]|20)[0-9]{2}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _valid_phone(span: str, region: str | None, short: bool = False) -> bool:
    """Whether ``phonenumbers`` validates ``span`` for ``region`` (any allowed one when it is
    unknown, unless the number is ``short``: five or six digits identify only with a region)."""
    import phonenumbers

    regions = [region] if region in KNOWN_REGIONS else [] if short else list(KNOWN_REGIONS)
    for r in regions:
        try:
            number = phonenumbers.parse(span, r)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _inner_phone(body: str, region: str | None) -> bool:
    """Whether some run of consecutive digit groups of ``body`` is a valid phone number for the
    region: ``phonenumbers``' matcher tries the groups before and after a separator when the
    whole is none (``1237 010180 (11) 98765-4321`` holds ``010180``, an Italian number)."""
    groups = [m.span() for m in re.finditer(r"[0-9]+", body)][:8]
    for i in range(len(groups)):
        for j in range(i, len(groups)):
            part = body[groups[i][0] : groups[j][1]]
            digits = len(_digits(part))
            inner = (i, j) != (0, len(groups) - 1)
            if inner and 4 <= digits <= 15 and _valid_phone(part, region, short=digits < 7):
                return True
    return False


# Thousands separated by full stops, seven to nine digits, no trunk zero: "3.850.809", "12.345.672" (ten
# digits or more the gate's detector reads as a phone or an identity number of some region: left to them)
_DOTTED_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3}){2}")
# 2 165 423, 84 482 267: thousands set apart by spaces (French answers write them so, with a narrow
# no-break space normalisation makes a space; German, Dutch, Italian and English ones too); seven or eight
# digits only: nine in three groups of three are how a Canadian SIN or another identity number is written
_SPACED_THOUSANDS = re.compile(r"[1-9][0-9]?(?:[ ][0-9]{3}){2}")


def _matched_phone(span: str, region: str | None) -> bool:
    """``phonenumbers``' matcher finds a valid number of ``region`` (every allowed one without a region) in
    ``span``: a national number written without its trunk prefix is none ("3.850.809" in Germany)."""
    import phonenumbers

    regions = [region] if region in KNOWN_REGIONS else list(KNOWN_REGIONS)
    return any(
        any(True for _ in phonenumbers.PhoneNumberMatcher(span, r, leniency=phonenumbers.Leniency.VALID))
        for r in regions
    )


def phone_placeholder(span: str, region: str | None = None, *, counted: bool = False) -> str | None:
    """``[PHONE]`` when the digit groups ``span`` is a phone number, else None (kept)."""
    body = _EXTENSION.sub("", span)
    digits = _digits(body)
    groups = re.findall(r"[0-9]+", body)
    if body.startswith("+"):
        import phonenumbers

        try:
            return "[PHONE]" if phonenumbers.is_possible_number(phonenumbers.parse(body, None)) else None
        except phonenumbers.NumberParseException:
            return None
    if len(digits) > 19:  # 13 to 19: a card or another number (the shapes, or the last stage)
        return "[PHONE]" if _inner_phone(body, region) else None
    if len(digits) > 15:
        return None
    if len(digits) < 5:
        return None
    if _is_date(body, groups) or all(_YEAR.fullmatch(g) for g in groups):
        return None
    if _SSN_SHAPE.fullmatch(body) or _IPV4_SHAPE.fullmatch(body):
        return None  # the fixed shapes name these
    if _POSTCODE_SHAPE.fullmatch(body) and (region not in KNOWN_REGIONS or not _matched_phone(body, region)):
        # a Brazilian CEP (the address stage takes one after an address) or another number, unless
        # phonenumbers' matcher finds a valid number of the row's region in it, as the gate's detector does:
        # "ruf mich unter 08161-789 an", "codice ordine 89458-727" (one CEP in about 400 is a valid
        # Brazilian number too, and goes)
        return None
    if len(digits) >= 13 and _luhn(digits):
        return None  # a card number (clean.patterns "card")
    if counted and _SPACED_THOUSANDS.fullmatch(body):
        # "Paris compte 2 165 423 habitants", "Deutschland hat 84 482 267 Einwohner": a count (a word after
        # it, no phone word before it: ``_counted``), unless phonenumbers reads it as a valid number of any
        # allowed region (written so, the row's region says little)
        return "[PHONE]" if _matched_phone(body, None) else None
    if len(groups) > 2 and all(len(g) == 3 for g in groups[1:]) and groups[-1] == "000":
        # 1 200 000: thousands, unless a valid number of the row's region ("677 005 000", es-ES)
        return "[PHONE]" if region in KNOWN_REGIONS and _valid_phone(body, region) else None
    if _DOTTED_THOUSANDS.fullmatch(body):
        # 3.850.809, 12.345.672: an amount or a count written with dotted thousands (German, Dutch, Spanish,
        # Italian, Portuguese answers: "Berlin hat 3.850.809 Einwohner"), unless phonenumbers reads it as a
        # valid number of the row's region (any allowed one without a region), as the gate's detector would
        return "[PHONE]" if _matched_phone(body, region) else None
    trunk = len(groups[0]) > 1 and groups[0].startswith("0")  # 01.20000: no decimal starts so
    if (
        "." in body
        and "(" not in body
        and not trunk
        and (any(len(g) == 1 for g in groups) or len(groups) == 2)
    ):
        # 10.0.19041: a version; 12.994111: a decimal; unless phonenumbers reads it as a valid
        # number of the row's region (US without one), as the gate's detector does: 201200.0000
        valid = _valid_phone(body, region or "US", short=len(digits) < 7)
        return "[PHONE]" if valid else None
    marked = body[0] in "0(" or span != body  # a trunk prefix, an area code or an extension
    if len(digits) >= 7 and (len(groups) > 2 or marked):
        return "[PHONE]"
    if len(groups) == 2 and len(digits) >= 8 and min(map(len, groups)) >= 2 and not groups[1].endswith("000"):
        return "[PHONE]"  # 96 277723, 9651 1475
    if _valid_phone(body, region, short=len(digits) < 7) or (len(digits) < 13 and _inner_phone(body, region)):
        return "[PHONE]"
    return None


# A number in spaced thousands is a count when a word follows it that no phone number is followed by
# ("84 482 267 Einwohner", "2 165 423 habitants", "12 345 678 people"; not "78 171 120 office", "… I'd
# like …") and no word of calling or of a phone stands before it in its clause ("call me at 78 540 805
# tomorrow", "Phone: 78 660 058 E-mail", "not answering at 76 282 792 today" stay phones)
_WORD_AFTER_COUNT = re.compile(r"[ ]+([^\W\d_][^\W\d_'’]+)(?![\w'’])")
_NOT_AFTER_COUNT_WORDS = """
    office fax mobile cell home work desk phone tel ext extension or and please thanks ok okay if to
    for tomorrow today tonight now asap anytime later again
    """
_NOT_AFTER_COUNT = frozenset(_NOT_AFTER_COUNT_WORDS.split())
_PHONE_WORD_BEFORE = re.compile(
    r"(?i)(?:\b(?:call|calling|called|phone|telephone|tel|number|no|nr|reach|reached|answering|dial|ring"
    r"|text|fax|mobile|cell|contact|whatsapp|sms|ruf|rufe|anrufen|nummer|telefon|telefonnummer|handy"
    r"|appelle|appeler|numéro|numero|téléphone|portable|llama|llamar|llámame|número|teléfono|telefono|móvil"
    r"|chiama|chiamare|cellulare|bel|bellen|telefoonnummer|liga|ligar|telefone|celular)\b)[^.!?;\n]*\Z"
)


def _counted(text: str, start: int, end: int) -> bool:
    """The digit groups at ``start:end`` are followed by a word of what is counted, and follow no phone word."""
    after = _WORD_AFTER_COUNT.match(text, end)
    if after is None or after.group(1).lower() in _NOT_AFTER_COUNT or after.group(1) == "I":
        return False
    return _PHONE_WORD_BEFORE.search(text, max(0, start - 60), start) is None


def redact_digit_groups(text: str, region: str | None = None) -> str:
    """Phone numbers written as digit groups (national formats) replaced by ``[PHONE]``."""
    spans = []
    for match in _GROUPS_RE.finditer(text):
        if text[match.end() : match.end() + 1] == ":" or text[match.start() - 1 : match.start()] == ":":
            continue  # a time: 14:53:32
        counted = _counted(text, match.start(), match.end())
        placeholder = phone_placeholder(match.group(), region, counted=counted)
        if placeholder:
            spans.append((match.start(), match.end(), placeholder))
    return _replace(text, spans)


# --- digit runs glued inside a word ---------------------------------------------------------
# ``AB16072344496``, ``ref4111111111111111``, ``x_123-45-6789``, ``tel_+442079460958``: the
# shapes above start and end at a word boundary and leave these, but a number is no less an
# identifier for a letter or an underscore beside it (the gate's detector reads digit runs
# wherever they stand). A run of digits with single separators (space, ``.``, ``-``, ``/``, and ``_``, which
# joins groups glued to a word as "-" joins them standing alone: ``card_4111_1111_1111_1111``)
# touching a letter or an underscore (directly, or after one ``.+-/`` character: the shapes above
# start after none of them) is a number of its own: seven digits or more are replaced by their
# placeholder (an identity number of the row's region, else by their count and Luhn check); five or six only when ``phonenumbers``
# validates them for the row's region; a date joined by underscores is a name's date (``file_2024_05_17``).
# The whole word is replaced (``AB16072344496`` is
# ``[NATIONAL_ID]``: letters left beside a placeholder could end another identifier, such as the
# top-level domain of ``jo@example.com0000000``). And a run of
# thirteen digits or more that the shapes above left, wherever it stands (``612 34 56 78 0000``,
# Luhn-valid: a card number in groups no card shape knows), is a ``[CARD]`` or a ``[NUMBER]``.

# Digit groups joined by what no shape above takes for a separator ("020 -4111", "030 ~ 1234",
# "(0)30--1234"), read as a phone number when ``phonenumbers`` validates them for the row's
# region (US without one); the same punctuation ``phonenumbers`` reads between groups.
_ODD_SEPARATORS = r"[0-9](?:[ .\-/()\[\]~]{2,4}|[\[\]~])[0-9]"
_ODD_SEPARATOR_RE = re.compile(_ODD_SEPARATORS)
_LOOSE_GROUPS_RE = re.compile(r"(?<![0-9])[0-9]+(?:[ .\-/()\[\]~]{1,4}[0-9]+)+(?![0-9])", re.ASCII)
# Candidate rows (RE2, a superset): a letter, an underscore, any non-ASCII character or one of
# ``.+-/`` beside a run of five digits or more; a run of thirteen; an odd separator.
_GLUE_RE2 = r"[A-Za-z_.+\-/]|[^\x00-\x7f]"
GLUED_CANDIDATES = (
    rf"(?:{_GLUE_RE2})[0-9](?:[ .\-/_]?[0-9]){{4,}}|[0-9](?:[ .\-/_]?[0-9]){{4,}}[.\-/]?(?:{_GLUE_RE2})"
    rf"|[0-9](?:[ .\-/()\[\]~]{{0,4}}[0-9]){{12}}|{_ODD_SEPARATORS}|[0-9](?:,[0-9]{{3}}){{4}}"
)
# Thirteen digits or more in groups of thousands parted by commas ("card 4,111,111,111,111,111": how a
# recogniser may write a long number it read as an amount): a card when Luhn-valid, else a number, unless
# it is money: it ends in a thousand ("31,000,000,000,000 dollars"), a currency sign stands before it or cents
# after it ("$34,586,532,107,143.72"), as the gate's detector reads it (``_money``)
_COMMA_GROUPS_RE = re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3}){4,}(?![0-9]|,[0-9])", re.ASCII)
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹₩]\s*$")  # (white space of any kind and length between: the detector's)
_CENTS_AFTER = re.compile(r"\.[0-9]{2}(?![0-9])")


def _money(text: str, start: int, end: int, digits: str) -> bool:
    return (
        digits.endswith("000")
        or _CURRENCY_BEFORE.search(text[max(0, start - 8) : start]) is not None
        or _CENTS_AFTER.match(text, end) is not None
    )


_CHAIN_RE = re.compile(r"(?<![0-9])[0-9](?:[ .\-/_]?[0-9]){4,}(?![0-9])", re.ASCII)


def _is_glue(char: str) -> bool:
    """A character that makes a digit run part of a word: a letter or an underscore (any script)."""
    return char == "_" or char.isalpha() or (char.isnumeric() and not "0" <= char <= "9")


def _glued(text: str, start: int, end: int) -> bool:
    """Whether the digit run ``text[start:end]`` touches a letter or an underscore, or follows one
    of ``.+-/`` (which the shapes above refuse to start after: ``[CARD]-500200-4111``)."""
    before, after = text[start - 1 : start], text[end : end + 2]
    if before and (_is_glue(before) or before in ".+-/"):
        return True
    return bool(after) and (
        _is_glue(after[0]) or (len(after) == 2 and after[0] in ".-/" and _is_glue(after[1]))
    )


def _in_word(char: str) -> bool:
    return (
        (_is_glue(char) and not _is_cjk(char))
        or "0" <= char <= "9"
        or unicodedata.category(char).startswith("M")
    )


def _is_cjk(char: str) -> bool:
    """A kanji, kana or hangul: Japanese is written without spaces, so the "word" a number stands in
    would be the whole sentence (``明日は2026.12.05の会議です`` was ``[PHONE]``)."""
    return (
        "\u3040" <= char <= "\u30ff"
        or "\u3400" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or ("\uff66" <= char <= "\uff9f" or "\uac00" <= char <= "\ud7af")
    )


def _standalone_date(text: str, start: int, end: int) -> bool:
    """Whether the digit run ``text[start:end]`` is a date (``_is_date``) that touches no ASCII letter,
    digit or underscore, and follows none of ``.+-/``: the national phone formats leave it as a date
    (their word boundaries are ASCII), and so does this stage: a kanji or kana beside it glues it to no
    word ("明日は2026.12.05の会議です")."""
    body = text[start:end]
    if not _DATE.fullmatch(body) or not _is_date(body, re.findall(r"[0-9]+", body)):
        return False
    before, after = text[start - 1 : start], text[end : end + 1]
    return not (before and (before.isascii() and (before.isalnum() or before in "_.+-/"))) and not (
        after and after.isascii() and (after.isalnum() or after == "_")
    )


def _underscored_date(body: str) -> bool:
    """Whether the digit run ``body`` is a date (``_is_date``) whose parts are joined by underscores, as a file
    or a backup is named ("file_2024_05_17"): no identifier, glued to a word or not."""
    if "_" not in body:
        return False
    dashed = body.replace("_", "-")
    return _DATE.fullmatch(dashed) is not None and _is_date(dashed, re.findall(r"[0-9]+", dashed))


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the word the digit run ``text[start:end]`` stands in: replaced as a whole, the
    placeholder leaves no letters that could end another identifier (``jo@example.com0000000``
    is no ``jo@example.com[PHONE]``)."""
    while start and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    return start, end


def redact_glued_numbers(text: str, region: str | None, classify: Callable[[str], str]) -> str:
    """Digit runs glued inside a word replaced by their placeholder (see above); ``classify``:
    the placeholder of a number of seven digits or more that is no identity number."""
    spans = []
    for match in _CHAIN_RE.finditer(text):
        digits = _digits(match.group())
        if len(digits) < 13 and (
            not _glued(text, match.start(), match.end())
            or _standalone_date(text, match.start(), match.end())
            or _underscored_date(match.group())
        ):
            continue
        if len(digits) >= 7:
            placeholder = "[NATIONAL_ID]" if is_national_id(digits, region) else classify(digits)
        elif _valid_phone(digits, region, short=True):
            placeholder = "[PHONE]"
        else:
            continue
        spans.append((*_word_around(text, match.start(), match.end()), placeholder))
    text = _replace(text, spans)
    spans = [
        (match.start(), match.end(), classify(digits))
        for match in _COMMA_GROUPS_RE.finditer(text)
        if len(digits := _digits(match.group())) >= 13
        and not _money(text, match.start(), match.end(), digits)
    ]
    for match in _LOOSE_GROUPS_RE.finditer(text):
        body, digits = match.group(), _digits(match.group())
        if len(digits) >= 13:  # "1237 010180 (11) 98765-4321": a number, whatever its groups
            spans.append((match.start(), match.end(), classify(digits)))
        elif _ODD_SEPARATOR_RE.search(body) and (
            _valid_phone(body, region or "US", short=len(digits) < 7) or _inner_phone(body, region or "US")
        ):
            spans.append((match.start(), match.end(), "[PHONE]"))
    return _replace(text, spans)
