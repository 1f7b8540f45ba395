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
                at gmail dot com"); a mailbox spelled letter by letter ("j o h n at gmail dot
                com"), with spoken numbers ("jsmith eighty seven at gmail") or letters and
                digits ("jsmith87 at gmail"), before a mail provider's domain (without a TLD
                only a provider whose name is no word: not "f1 at sky"; "g mail" read as
                "gmail") or, letter by letter, any domain with a TLD; no number and unit or
                ordinal ("9am", "2tb", "49ers at yahoo"), no number words after a function
                word ("from nine to five at outlook"); an initial and a word before a mail
                provider's own domain ("j smith at gmail dot com"; a consonant alone, not "i")
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
                by HMRC's prefix rules (``stdnum`` has none; "QQ", the specimen, is never issued);
                a Mexican RFC or CURP in groups or not ("BOXW 310820 HNERXN 09");
                ``rg_check_digit``: a Brazilian RG ("12.345.678-2"; São Paulo's mod 11; its
                dots, or a Brazilian row or "rg")
spoken_number   ``digit_words``: seven digits or more read out in a row: digit words of any
                supported language (our own word list, no ``text2num``) and French pairs
                ("trente-quatre"), fillers ("uh", "äh", "euh", "hã"; "um" in English) between
                them counting as nothing; written digit groups mixed with three digit words or
                more ("0171 eins zwei drei ..."); English numbers 10-99 as two digits in a run
                with three single digit words ("five five five: twelve thirty four"); "o" for
                zero inside an English run ("five five five o one o o"); or seven kanji digits
                (or "ゼロ"), "の", "ー", "、", "・", a space or "えーと" between them; or seven
                kana readings of a digit ("ぜろきゅうぜろのいちにさんよん…"), kanji digits among them,
                not an honorific "さん" after a name nor a particle "に" at the run's edges; German,
                Dutch, Spanish, Italian and Portuguese numbers 10-99 as two digits in a row of
                that language, in a run of its words beside a word for one digit ("null eins
                fünf eins zwölf vierunddreißig …", "onze, noventa e oito, …")
name            ``name_statement``: "my name is X" and its translations;
                ``called_full_name``: a request naming its person ("call|text|whatsapp X Y",
                "set up a meeting with X Y", "send ten dollars to X Y", "llama a X Y", "ruf X Y
                an", "bel X de Y"), X a gazetteer given name (each part when hyphenated) and Y a
                gazetteer surname (accents folded, a surname's from five letters: "maría
                garcía", "müller", not "más"; after particles; in Dutch rows any word after a
                particle but "te", a lower-case one not beside "[NAME]"), neither an ordinary
                word as written nor a listed common word ("luz", "sala", "tío", "buren");
                Portuguese "liga"/"manda" a call only before "para"/"pra"/"pro" or a
                capitalised given name ("liga a luz da sala" is "turn on");
                ``titled_name``: a title and a title-cased name of the lists, no English word
                ("Frau Meier", "Herrn Schulz", "lunch with Dr. Meier"; not "Doctor Who");
                ``called_titled_name``: a call, one or two titles in any case and a name of the
                lists ("call mr smith", "ruf herrn weber an", "chiama il dottor rossi");
                ``honorific_name``: kanji or katakana before an honorific ("田中さん", "鈴木先生";
                not "お母さん", "お客様", "店員さん"); ``name_statement`` also "私の名前は佐藤です",
                "田中と申します"; ``social_handle``: an "@" handle in a text of a social network
                ("follow @jsmith on twitter"); ``payment_handle`` also a word with a digit or "_"
                after "handle"/"username" ("my username is jdoe_1987")
address         ``street_number``: a house number, capitalised words and a street type; in
                lower case, a number, one or two words and an English street type ("221 baker
                street"; not after "the", "in", "add" ..., nor with a unit among them), "way",
                "close", "grove", "vale", "wynd" or "quay" only ending a clause after no
                function word ("27 oak way"; not "gate 23 this way"), "square" and "gardens"
                only capitalised; a German or Dutch street and its number ("alten markt 5",
                "neuen weg 5", "kerkstraat nummer 12"; not "Platz 1"), a Romance street type,
                words and a number ("plaza de españa 5", "rua das flores, 123"; "plaza" in
                lower case only before "de" or ending a clause, "camino" only capitalised); no
                unit after the number; a Japanese municipality, its district and a block and a
                lot in digits ("新宿区西新宿2-8-1", "北区梅田3丁目1番3号");
                ``spoken_house_number``: a house number in English words after a request that
                announces an address, and a street type ("i live at one two three main street");
                ``po_box``: "P.O. Box 12", "Postfach 12", "apartado 12"
==============  ==========================================================================

The digit rules (phone, card, national_id of digits) read a text again with its digit groups
joined by odd separators (middle dots, bullets, "・", "、", underscores, commas, tabs, line breaks)
read as joined by spaces: "415·555·0132", "415, 555, 0100", "090、1234、5678". Comma-grouped
amounts ("1,234,567", "3,50") and lists ("21, 23, 25, 24", "1999, 2000, 2001") are not joined.

Text is read as NFKC, without format characters and without the combining marks NFKC leaves
(a keycap "5️⃣" is 5), every script's digits as ASCII.

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
