"""Identifier forms the detector reads beyond the plain shapes: fillers inside spoken digit runs,
digit groups joined by odd separators, Japanese digit groups, written and spoken digits mixed,
spelled-out e-mail words of other languages, spaced national ids, spoken IPv4 addresses; and the
look-alikes of each it leaves (a finding blocks the night's publish).

Each case goes through ``flag_rows`` with no random sample (``sample_rate=0``), so that the row
scope and the RE2 prefilters are tested with the rules, and through ``find_in_text`` for the kind.
"""

from __future__ import annotations

from utterance_governance.detect import find_in_text, flag_rows


def _missed(cases: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """The (text, locale) of ``cases`` that ``flag_rows`` does not flag or that lack their kind."""
    texts = [text for text, _, _ in cases]
    locales = [locale for _, locale, _ in cases]
    flags = flag_rows(texts, locales, sample_rate=0).tolist()
    return [
        (text, locale)
        for (text, locale, kind), flagged in zip(cases, flags, strict=True)
        if not flagged or kind not in {k for k, _ in find_in_text(text, locale)}
    ]


def _flagged(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (text, locale) of ``cases`` that ``flag_rows`` flags."""
    flags = flag_rows([t for t, _ in cases], [loc for _, loc in cases], sample_rate=0).tolist()
    return [case for case, flagged in zip(cases, flags, strict=True) if flagged]


# --- 1. fillers inside spoken digit runs -------------------------------------------------------


def test_fillers_inside_spoken_digit_runs() -> None:
    cases = [
        ("five five five uh one two three four", "en-US"),
        ("five five five. uh. one two three four", "en-US"),
        ("five five five um one two three four", "en-US"),  # "um": a filler in English
        ("five five five uhm umm hmm one two three four", "en-GB"),
        ("five five five mm, erm, one two three four", "en-GB"),
        ("null eins sieben äh zwei drei vier fünf sechs", "de-DE"),
        ("null eins ähm sieben öhm zwei drei hm vier fünf", "de-DE"),
        ("zéro six euh un deux trois quatre cinq", "fr-FR"),
        ("zéro six heu un deux trois quatre cinq", "fr-FR"),
        ("seis uno dos eh tres cuatro cinco seis", "es-ES"),
        ("tre quattro sette ehm uno due tre quattro", "it-IT"),
        ("nul zes ehm een twee drie vier vijf", "nl-NL"),
        ("nove um dois hm três quatro cinco seis", "pt-BR"),  # "um" is one in Portuguese
        ("quatro quatro quatro um dois três quatro", "pt-BR"),  # "quatro" was missing
    ]
    assert _missed([(text, locale, "spoken_number") for text, locale in cases]) == []
    assert flag_rows([text for text, _ in cases], sample_rate=0).all()  # no locale


def test_words_that_are_not_fillers_still_break_a_spoken_digit_run() -> None:
    cases = [
        ("null eins sieben er zwei drei vier fünf", "de-DE"),  # "er": he
        ("nove um dois é três quatro cinco seis", "pt-BR"),  # "é": is
        ("one two three uh four five six", "en-US"),  # six digits
        ("one two three um four five six", "en-US"),  # "um" a filler, not one, in English
        ("five uh uh uh uh uh uh uh", "en-US"),
        ("press one, uh, then two, then three four five six", "en-US"),
    ]
    assert _flagged(cases) == []


# --- 4. written and spoken digits mixed ----------------------------------------------------------


def test_written_and_spoken_digits_mixed() -> None:
    cases = [
        ("0171 eins zwei drei vier fünf sechs", "de-DE"),
        ("my number is 555 one two three four", "en-US"),
        ("my number is five five five 0132", "en-US"),
        ("555 uh one two three four", "en-US"),
        ("06 un deux trois quatre cinq six", "fr-FR"),
        ("06 douze trente-quatre cinquante-six soixante-dix-huit", "fr-FR"),
        ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "fr-FR"),
        ("zéro six, quatre-vingt-douze, soixante et onze, vingt et un, dix-sept", "fr-FR"),
        ("vingt et un, trente et un, quarante et un, cinquante et un", "fr-FR"),
        ("mi número es 612 tres cuatro cinco seis", "es-ES"),
        ("il mio numero è 347 uno due tre quattro", "it-IT"),
        ("mijn nummer is 06 een twee drie vier vijf", "nl-NL"),
        ("meu número é 11 nove oito sete seis cinco", "pt-BR"),
    ]
    assert _missed([(text, locale, "spoken_number") for text, locale in cases]) == []


def test_numbers_beside_a_digit_word_are_not_mixed_runs() -> None:
    cases = [
        ("add 2 one liter bottles", "en-US"),
        ("1999 2000 2001 2002", "en-US"),
        ("in 2024 one of us won", "en-US"),
        ("set a timer for 10 minutes and one for 15", "en-US"),
        ("le seize mars à dix-huit heures trente", "fr-FR"),
        ("ajoute treize poivrons et quatorze bouteilles d'eau", "fr-FR"),
        ("combien font vingt-deux plus trente-trois", "fr-FR"),
        ("stell den Wecker um sieben und um 730", "de-DE"),
    ]
    assert _flagged(cases) == []
