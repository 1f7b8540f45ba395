"""Dates are no phone number nor identity number to the detector, as they are none to redaction
(``clean.numbers`` leaves dates alone): a German reminder "Termin am 05.12.2026" is a valid German
number to ``phonenumbers``' matcher, and the eight digits of a Dutch "2025-01-01" pass
``stdnum``'s BSN check (it pads them to nine). Each such row, kept by redaction, blocked the night.

Every case goes through ``flag_rows`` with no random sample, as the gate runs it."""

from __future__ import annotations

import datetime

import pytest

from utterance_governance.clean.redact import redact_text
from utterance_governance.detect import find_in_text, flag_rows

REVIEWED_DATES = [
    ("Termin am 05.12.2026 um 10:30 Uhr", "de-DE"),
    ("ich bin am 03.05.1987 geboren", "de-DE"),
    ("ricordami il 01.01.2025", "it-IT"),
    ("la partita è il 07.12.2025 alle 20:45", "it-IT"),
    ("nasci em 30.04.1990", "pt-BR"),
    ("remind me on 13.10.2027 at 10:30", "en-US"),
    ("afspraak op 2025-01-01 om 10:30", "nl-NL"),
    ("afspraak op 15-01-2025 om 10:30", "nl-NL"),
    ("15/01/2025", "nl-NL"),
    ("2025.03.19", "nl-NL"),
    ("03/12/2025", "nl-NL"),
    ("Termin 05.12.2026 10:30", "de-DE"),
]


def _flagged(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    flags = flag_rows([t for t, _ in cases], [loc for _, loc in cases], sample_rate=0).tolist()
    return [case for case, flagged in zip(cases, flags, strict=True) if flagged]


def test_dates_redaction_keeps_are_not_phone_or_bsn_findings() -> None:
    assert all(redact_text(text, locale) == text for text, locale in REVIEWED_DATES)
    assert _flagged(REVIEWED_DATES) == []


_TEMPLATES = {
    "de-DE": "Termin am {} um 10:30 Uhr",
    "de-AT": "ich bin am {} geboren",
    "it-IT": "ricordami il {}",
    "pt-BR": "nasci em {}",
    "en-US": "remind me on {} at 10:30",
    "en-GB": "my flight is on {}",
    "nl-NL": "afspraak op {} om 10:30",
    "fr-FR": "rendez-vous le {} à 10h",
    "es-ES": "cita el {} a las 10:30",
}
_FORMATS = ["%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%y"]


def test_every_day_of_a_year_in_every_date_format_is_kept_by_both_sides() -> None:
    start = datetime.date(2026, 1, 1)
    cases = [
        (template.format((start + datetime.timedelta(days=day)).strftime(fmt)), locale)
        for day in range(0, 366, 2)
        for fmt in _FORMATS
        for locale, template in _TEMPLATES.items()
    ]
    assert [case for case in cases if redact_text(*case) != case[0]] == []
    assert _flagged(cases) == []


@pytest.mark.parametrize(
    ("text", "locale", "kind"),
    [
        # numbers beside a date, or shaped like one but no date, are still found
        ("ruf 030 12345678 an", "de-DE", "phone"),
        ("ruf 0171.1234567 an", "de-DE", "phone"),
        ("chiama 06.12345678", "it-IT", "phone"),
        ("am 05.12.2026 ruf 030 12345678 an", "de-DE", "phone"),
        ("mijn bsn is 111222333", "nl-NL", "national_id"),
        ("op 2025-01-01 mijn bsn 111222333", "nl-NL", "national_id"),
        ("ruf 05.13.20261 an", "de-DE", "phone"),
        ("call 415.555.0132", "en-US", "phone"),
    ],
)
def test_numbers_beside_or_shaped_like_a_date_are_still_found(text: str, locale: str, kind: str) -> None:
    assert kind in {k for k, _ in find_in_text(text, locale)}
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [True]
