"""A person's number inside an utterance id: a card, an IBAN, a US social security number, or a phone
number written without its ``+`` (``4111111111111111-0001``, ``DE89370400440532013000-1``,
``ssn-123-45-6789``, ``415-555-0134-0001``: an upstream keying utterances by what the customer said).

The utterance id is published as it is (SPEC §6), and the turns' redaction never reads it. Ids are
counters, dates and hashes far more often than numbers a person owns, so only forms that say so are
taken: a checksum (Luhn and a card network's leading digits, IBAN's mod 97), the social security
number's 3-2-4 groups, a North American number's 3-3-4 groups or a national number's trunk ``0`` and
its groups, each a number ``phonenumbers`` calls valid. A run of digits in one piece is never read as a
phone number (``2026112000`` is a counter far more often). ``quality:utterance_id_holds_identifier``
keeps such a row out, as it keeps out an id holding an e-mail address.

One RE2 pass over the ids (``CANDIDATE``) picks the few that may hold one; Python reads only those.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.clean.numbers import KNOWN_REGIONS, is_iban
from utterance_governance.clean.redact import luhn_valid

_D = r"(?:^|[^0-9])"  # a number starts after a character that is no digit (or at the start) ...
_E = r"(?:$|[^0-9])"  # ... and ends before one
# what one of those forms needs (RE2, ASCII digits after NFKC; an id past ASCII is read by Python)
CANDIDATE = "|".join(
    [
        rf"{_D}[2-6][0-9]{{12,18}}{_E}",  # a card in one piece
        rf"{_D}[2-6][0-9]{{3}}(?:[ -][0-9]{{4}}){{3}}{_E}|{_D}3[47][0-9]{{2}}[ -][0-9]{{6}}[ -][0-9]{{5}}{_E}",
        r"(?i:[a-z]{2}[0-9]{2}(?:[ ]?[a-z0-9]){11,30})",  # an IBAN
        rf"{_D}[0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}{_E}|{_D}[0-9]{{3}} [0-9]{{2}} [0-9]{{4}}{_E}",  # an SSN
        rf"{_D}\(?[2-9][0-9]{{2}}\)?[ .-]?[2-9][0-9]{{2}}[ .-][0-9]{{4}}{_E}",  # a North American number
        rf"{_D}0[1-9][0-9]{{0,3}}(?:[ ./-][0-9]{{2,8}}){{1,4}}{_E}",  # a national number after its trunk 0
        r"[^\x00-\x7f]",  # past ASCII: full-width digits and the like, read after NFKC
    ]
)
_GROUPS = re.compile(r"\(?[0-9]+\)?(?:[ ./-]\(?[0-9]+\)?)*")
_GROUP = re.compile(r"[0-9]+")
_IBAN = re.compile(r"(?i)[a-z]{2}[0-9]{2}(?:[ ]?[a-z0-9]){11,30}")
# the leading digits of the card networks (Visa, Mastercard, American Express, Discover, JCB, Diners
# Club, UnionPay, Maestro): a counter of 13-19 digits passes Luhn one time in ten, far fewer start so
_CARD_NETWORK = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6][0-9]|7[01]|720)|3[47]|6(?:011|4[4-9]|5|2)|35(?:2[89]|[3-8])|3(?:0[0-5]|[68])|5[06-9]"
)


def _phone(text: str, region: str | None) -> bool:
    import phonenumbers

    for r in [region] if region else sorted(KNOWN_REGIONS):
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(text, r)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def number_in_id(uid: str) -> str | None:
    """The kind of a person's number ``uid`` holds (``card``, ``iban``, ``ssn``, ``phone``), or None."""
    text = unicodedata.normalize("NFKC", uid)
    for match in _IBAN.finditer(text):
        if is_iban(match.group()):
            return "iban"
    for match in _GROUPS.finditer(text):
        spans = [m.span() for m in _GROUP.finditer(match.group())][:12]
        body = match.group()
        for i in range(len(spans)):
            for j in range(i, len(spans)):
                part = body[spans[i][0] : spans[j][1]]
                digits = "".join(_GROUP.findall(part))
                lengths = [b - a for a, b in spans[i : j + 1]]
                if 13 <= len(digits) <= 19 and _CARD_NETWORK.match(digits) and luhn_valid(digits):
                    return "card"
                if lengths == [3, 2, 4] and not _bad_ssn(digits) and _one_separator(part, "- "):
                    return "ssn"
                if lengths == [3, 3, 4] and _phone(part, "US"):
                    return "phone"
                if _trunk(digits, lengths) and _phone(part, None):
                    return "phone"
    return None


def _trunk(digits: str, lengths: list[int]) -> bool:
    """A national number's shape: a trunk 0 and an area code of 2-5 digits in a group of their own, then
    more groups, 9-13 digits in all ("0664 313 06 34", "030-1234567"; a counter padded with zeros,
    "0000123-0002", is none)."""
    return (
        len(lengths) > 1
        and 2 <= lengths[0] <= 5
        and digits[0] == "0"
        and digits[1] != "0"
        and 9 <= len(digits) <= 13
    )


def _bad_ssn(digits: str) -> bool:
    """Never issued: area 000, 666 or 9xx, group 00, serial 0000."""
    return digits[:3] in ("000", "666") or digits[0] == "9" or digits[3:5] == "00" or digits[5:] == "0000"


def _one_separator(part: str, allowed: str) -> bool:
    separators = set(_GROUP.sub("", part))
    return len(separators) == 1 and separators <= set(allowed)


def ids_holding_numbers(uids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per utterance id, whether it holds a person's number (``number_in_id``)."""
    out = np.zeros(len(uids), dtype=bool)
    maybe = np.flatnonzero(
        np.asarray(pc.fill_null(pc.match_substring_regex(uids, CANDIDATE), False), dtype=bool)
    )
    for i in maybe.tolist():
        out[i] = number_in_id(uids[i].as_py()) is not None
    return out
