"""An identifier detector independent of redaction (SPEC §5, amended 2026-11-28).

The publish gate and the audit ask this package, not ``clean``, whether a published text still
holds a personal identifier, so that redaction never grades its own work. Other code and other
rules than ``clean``:

==============  ==========================================================================
kind            rule (``Finding.rule``)
==============  ==========================================================================
email           ``email_written``: an RFC 5322-ish address (Unicode letters, no TLD list);
                ``email_spelled``: "<name> (at)|arroba|arobase|… <domain> (dot)|punto|… <tld>"
                with an unambiguous "at" (bracketed or non-English: "ät", "chiocciolina",
                "affenschwanz", "アット"), a mailbox with a digit, or a mailbox spelled with an
                underscore or hyphen word ("jo guion bajo smith", "jo bindestrich smith at gmx
                punkt de"), or with a dot word before a mail provider's domain ("jo dot smith
                at gmail dot com")
phone           ``phonenumbers_matcher``: ``phonenumbers.PhoneNumberMatcher`` (leniency VALID)
                for the row's region, and for "+" numbers in any region
card            ``luhn_digits``: 13-19 digits (spaces or hyphens between) passing Luhn
ssn             ``stdnum_ssn``: ``stdnum.us.ssn`` on ddd-dd-dddd
ip              ``ipaddress``: the standard library accepts the token as IPv4 or IPv6;
                ``ip_spoken``: four octets of digits or digit words (five digits or more)
                joined by dot words or spaced dots ("192 dot 168 dot 1 dot 20", "one nine
                two punkt ...", "192 . 168 . 1 . 20")
iban            ``stdnum_iban``: ``stdnum.iban`` (mod 97) on a letters-and-digits window
national_id     ``stdnum_<module>``: the allowed countries' identity numbers with letters
                (any row; also in groups: "RSS MRA 85T10 A562S", "ABCPE 1234 F",
                "12.345.678-Z") or of the row's country (digits); ``nino_format``: a UK
                National Insurance number, in capitals, in groups or not ("AB 12 34 56 C"),
                by HMRC's prefix rules (``stdnum`` has none; "QQ", the specimen, is never issued)
spoken_number   ``digit_words``: seven digits or more read out in a row: digit words of any
                supported language (our own word list, no ``text2num``) and French pairs
                ("trente-quatre"), fillers ("uh", "äh", "euh", "hã"; "um" in English) between
                them counting as nothing; written digit groups mixed with three digit words or
                more ("0171 eins zwei drei ..."); or seven kanji digits, "の", "ー", "、",
                "・", a space or "えーと" between them
name            ``name_statement``: "my name is X" and its translations;
                ``called_full_name``: "call|text|email X Y", X a given name and Y a surname
address         ``street_number``: a house number, capitalised words and a street type;
                ``po_box``: "P.O. Box 12", "Postfach 12", "apartado 12"
==============  ==========================================================================

The digit rules (phone, card, national_id of digits) read a text again with its digit groups
joined by odd separators (middle dots, bullets, "・", "、", underscores, commas, tabs, line breaks)
read as joined by spaces: "415·555·0132", "415, 555, 0100", "090、1234、5678". Comma-grouped
amounts ("1,234,567", "3,50") and lists ("21, 23, 25, 24", "1999, 2000, 2001") are not joined.

Which rows are read (``scope_rows``): every row that holds a digit, a number word, an "@"
(or a spelled-out "at"), or a gazetteer name, plus a random sample (``sample_rate``) of the
rest. Findings carry the row, the kind and the rule, never the text.

Public API:

- ``find_identifiers(texts, locales=None, *, sample_rate=SAMPLE_RATE, seed=0) -> list[Finding]``
- ``flag_rows(texts, locales=None, *, sample_rate=SAMPLE_RATE, seed=0) -> np.ndarray`` (bool per row)
"""

from utterance_governance.detect.detector import (
    SAMPLE_RATE,
    Finding,
    find_identifiers,
    find_in_text,
    flag_rows,
    scope_rows,
)

__all__ = ["SAMPLE_RATE", "Finding", "find_identifiers", "find_in_text", "flag_rows", "scope_rows"]
