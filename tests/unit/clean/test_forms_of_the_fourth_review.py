"""Forms a fourth review of redaction and the gate's detector found (2026-12-07), each held by both sides.

Night blockers: a short number ``phonenumbers`` validates for the row's region, written in one group and not
as dialled (a German time "16.45", a year "1685", a price "1.645", a count "16450", a part number "49825-979",
Dutch "14050", Italian "841830"), which redaction reads as no phone, flagged by the detector once a date gave
the text seven digits: the detector now takes a number of fewer than seven national digits for a phone only
when it is dialled (a trunk "0", a "+", an area code in parentheses). An address with the word for its number
after a comma ("Calle de Serrano, número 45", "rue Lepic, numéro 12"), which the detector flagged and
redaction kept, and "Maple Street, number 12", which both missed, are redacted.
"""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, flagged, kept, redacted_unflagged

# --- a German date plus a dotted (or spaced) time 16.40-16.49 / 16.80-16.99 ---------------------
# phonenumbers' matcher (detector) validates "16.45" as a German number once the text has 7 digits
# (the date supplies them); redaction leaves "16.45" alone as a decimal/time. Redaction keeps the text,
# the detector flags it: the whole night is blocked.

GERMAN_TIMES = [
    "Erinnerung am 24.12.2026 um 16.45 Uhr: Geschenke einpacken.",
    "Dein Termin ist am 17.12.2026 um 16.45 Uhr.",
    "Das Spiel am 20.12.2026 beginnt um 16.45 Uhr.",
    "Sonnenuntergang am 21.12.2026 ist um 16.45 Uhr.",
    "Am 21.12.2026 geht die Sonne um 8.15 Uhr auf und um 16.43 Uhr unter.",
    "Lege einen Termin am 17.12.2026 von 15.30 bis 16.45 Uhr an.",
    "Anstoß am Samstag, 20.12.2026, um 16.45 Uhr.",
    "Wir treffen uns um 16 45 Uhr am 17.12.2026.",
]


@pytest.mark.parametrize("text", GERMAN_TIMES)
def test_a_german_time_beside_a_date_is_kept_by_both_sides(text):
    kept(text, "de-DE")  # no identifier: kept byte for byte and not flagged


# --- part numbers of five and three digits whose first digits are the row's country code ------------
# "49825-979" in a de-DE row, "39027-781" in an it-IT row: redaction keeps them, the detector's
# PhoneNumberMatcher reads them as +49 825979 / +39 027781.


@pytest.mark.parametrize(
    "text, locale",
    [
        ("Die Teilenummer für den Filter ist 49825-979.", "de-DE"),
        ("Ersetze den Filter Bosch 49845-881.", "de-DE"),
        ("Il codice del ricambio per la lavatrice è 39027-781.", "it-IT"),
    ],
)
def test_a_part_number_starting_with_the_country_code_blocks_no_night(text, locale):
    out = both(text, locale)
    # either redaction reads it as a number, or it is kept and the detector must not flag it
    assert not flagged(out, locale), f"redacted {out!r} is flagged by the gate"


# --- a short number phonenumbers validates for the row's region, written in one group (or as German
# thousands "1.645"), in a text that also holds a date: redaction reads five- and six-digit numbers only in
# two groups or more, the detector's matcher reads them bare. The date only lifts the text over the
# detector's seven-digit gate (it is then taken out as "date").


@pytest.mark.parametrize(
    "text, locale",
    [
        ("Bach wurde 1685 geboren und starb am 28.7.1750 in Leipzig.", "de-DE"),
        (
            "Der Dreißigjährige Krieg endete 1648, der Friedensvertrag wurde am 24.10.1648 unterzeichnet.",
            "de-DE",
        ),
        ("Am 17.12.2026 kostet der Flug 1.645 Euro.", "de-DE"),
        ("Der Fernseher kostete am 1.12.2026 noch 1.649 Euro, jetzt 1.299 Euro.", "de-DE"),
        ("Am 24.12.2026 sind es bis Hamburg 1.690 Kilometer.", "de-DE"),
        ("Am 17.12.2026 kamen 16450 Zuschauer ins Stadion.", "de-DE"),
        ("Am 31.12.2025 hatte Bochum 367853 Einwohner.", "de-DE"),
        ("Op 17-12-2026 waren er 14050 bezoekers in het stadion.", "nl-NL"),
        ("De Amsterdam Marathon van 19-10-2026 had 14075 deelnemers.", "nl-NL"),
        ("Op 31-12-2025 had Tilburg 140521 inwoners.", "nl-NL"),
        ("Al 31/12/2025 gli iscritti erano 841830.", "it-IT"),
    ],
)
def test_a_short_number_in_one_group_beside_a_date_is_kept_by_both_sides(text, locale):
    kept(text, locale)


# --- "Calle X, número N" / "rue X, numéro N": redaction misses the address; the gate flags it --------


@pytest.mark.parametrize(
    "text, locale",
    [
        ("vivo en Calle de Serrano, número 45", "es-ES"),
        ("mi dirección es Calle Mayor, número 12, segundo B", "es-ES"),
        ("vivo en Calle Morelos, número 123", "es-MX"),
        ("j'habite rue Lepic, numéro 12", "fr-FR"),
    ],
)
def test_a_street_with_the_word_for_its_number_after_a_comma_is_redacted(text, locale):
    out = redacted_unflagged(text, locale)
    assert "[ADDRESS]" in out


# --- an English street with "number N" after it; neither side reads it -------------------


def test_an_english_street_with_number_after_a_comma_is_redacted():
    text = "i live on Maple Street, number 12"
    assert redacted_unflagged(text, "en-US") == "i live on [ADDRESS]"
    assert flagged(text, "en-US")  # the detector reads it too, by its own rule


def test_a_chart_position_after_a_street_name_is_no_address():
    kept("Abbey Road, number 3 in the charts", "en-GB")
    kept("the Main Street number 1 hit", "en-US")
