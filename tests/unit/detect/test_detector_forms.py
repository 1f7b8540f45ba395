"""Identifier forms the detector reads beyond the plain shapes: fillers inside spoken digit runs,
digit groups joined by odd separators, Japanese digit groups, written and spoken digits mixed,
spelled-out e-mail words of other languages, spaced national ids, spoken IPv4 addresses; and the
look-alikes of each it leaves (a finding blocks the night's publish).

Each case goes through ``flag_rows`` with no random sample (``sample_rate=0``), so that the row
scope and the RE2 prefilters are tested with the rules, and through ``find_in_text`` for the kind.
"""

from __future__ import annotations

import pytest

from utterance_governance.clean.redact import redact_text
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
        ("liga para onze hã nove nove oito sete meia cinco", "pt-BR"),
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


# --- 2. digit groups joined by odd separators --------------------------------------------------


def test_digit_groups_joined_by_odd_separators() -> None:
    cases = [
        ("call 415·555·0132", "en-US", "phone"),
        ("call 415 · 555 · 0132", "en-US", "phone"),
        ("call 415•555•0132", "en-US", "phone"),
        ("call 415_555_0132", "en-US", "phone"),
        ("call 415\t555\t0132", "en-US", "phone"),
        ("call 415\n555\n0132", "en-US", "phone"),
        ("call 415\r\n555\r\n0132 now", "en-US", "phone"),
        ("call 415\u2028555\u20280132", "en-US", "phone"),
        ("call 415\x00555\x000132", "en-US", "phone"),
        ("call 415\x7f555\x7f0132", "en-US", "phone"),
        ("card 4111\x071111\x071111\x071111", "en-US", "card"),
        ("card 4111\x1f1111\x1f1111\x1f1111", "en-US", "card"),
        ("call 415, 555, 0100", "en-US", "phone"),
        ("call 415,555,0100", "en-US", "phone"),
        ("ruf 030·12345678 an", "de-DE", "phone"),
        ("appelle le 06, 12, 34, 56, 78", "fr-FR", "phone"),
        ("card 4111·1111·1111·1111", "en-US", "card"),
        ("card 4111_1111_1111_1111", "en-US", "card"),
        ("card 4111, 1111, 1111, 1111", "en-US", "card"),
    ]
    assert _missed(cases) == []
    us = [text for text, locale, _ in cases if locale == "en-US"]
    assert flag_rows(us, sample_rate=0).all()  # no locale: US formats


def test_amounts_and_lists_joined_by_odd_separators_are_not_identifiers() -> None:
    # A comma-grouped amount (thousands by three, or a decimal comma) is money, not an identifier,
    # and a list of numbers is no number: their separators are left as they are.
    texts = [
        "it costs 1,234,567 dollars",
        "the city has 8,336,817 people",
        "transfer 1,234,567.89 to savings",
        "der Preis ist 1.234.567,89 €",
        "der Preis ist 12.345.678,90 €",
        "ça coûte 3,50 €",
        "het kost 123,456,782 euro",  # 123456782 passes the BSN check
        "the scores were 21, 14, 35 and 7",
        "in 1999, 2000, 2001, 2002 and 2003",
        "count 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
        "highs of 21, 23, 25, 24, 22, 20, 19 this week",
        "scores: 21, 14, 35, 7, 10",
        "prices 9,99, 12,50, 3,20",
        "rooms 101, 102, 103, 104 and 120, 130, 140",
        "steps of 1000, 2000, 3000, 4000",
        "Alameda de Silva, 84, 44241573 Mendonça",
        "5_000_000 users",
        "score 3·2·1·0",
        "21、23、25、24、22、20、19度",
        "Slovenia 62377\n070-820",
        "applied 0001, 0002, 0003, 0004, 0005, 0006, 0007",
        "levels 0010, 0020, 0030, 0040",
    ]
    locales = ["en-US", "en-GB", "en-AU", "en-IN", "de-DE", "fr-FR", "es-MX", "it-IT"]
    locales += ["nl-NL", "pt-BR", "ja-JP"]
    # (the line break joins no groups; but in Italy "070-820" alone is a valid number to ``phonenumbers``, and
    # redaction takes it there too)
    assert _flagged([(text, locale) for text in texts for locale in locales]) == [
        ("Slovenia 62377\n070-820", "it-IT")
    ]


# --- 3. Japanese digit groups --------------------------------------------------------------------


def test_japanese_digit_groups_joined_by_punctuation() -> None:
    cases = [
        ("電話番号は〇九〇、一二三四、五六七八です", "ja-JP", "spoken_number"),
        ("〇九〇・一二三四・五六七八", "ja-JP", "spoken_number"),
        ("〇九〇ー一二三四ー五六七八", "ja-JP", "spoken_number"),
        ("〇九〇 一二三四 五六七八", "ja-JP", "spoken_number"),
        ("〇九〇えーと一二三四の五六七八に電話して", "ja-JP", "spoken_number"),
        ("090ー1234ー5678", "ja-JP", "phone"),  # already read by the phone matcher
        ("０９０ー１２３４ー５６７８", "ja-JP", "phone"),
        ("090・1234・5678に電話して", "ja-JP", "phone"),
        ("090、1234、5678に電話して", "ja-JP", "phone"),
    ]
    assert _missed(cases) == []


def test_japanese_dates_and_counts_are_not_digit_groups() -> None:
    cases = [
        ("二〇二四年一二月二五日に会いましょう", "ja-JP"),
        ("一、二、三で始めます", "ja-JP"),
        ("一緒に一二三を数えよう", "ja-JP"),
        ("12月21日の7時25分に電話して", "ja-JP"),
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


def test_numbers_beside_fewer_than_three_digit_words_are_not_mixed_runs() -> None:
    cases = [
        ("add 2 one liter bottles", "en-US"),
        ("1999 2000 2001 2002", "en-US"),
        ("in 2024 one of us won", "en-US"),
        ("set a timer for 10 minutes and one for 15", "en-US"),
        ("le seize mars à dix-huit heures trente", "fr-FR"),
        ("ajoute treize poivrons et quatorze bouteilles d'eau", "fr-FR"),
        ("combien font vingt-deux plus trente-trois", "fr-FR"),
        ("stell den Wecker um sieben und um 730", "de-DE"),
        ("Termin am 12.04.2026 um ein Uhr", "de-DE"),  # "um" is a digit word (Portuguese one)
        ("ruf 0171234 eins zwei an", "de-DE"),  # two words: redaction takes three or more
        # three words or more, but not in a row: articles between the numbers
        ("Erinnerung um 7 um 8 um 9 um 10", "de-DE"),
        ("Il y a un 1, un 2, un 3, un 4", "fr-FR"),
    ]
    assert _flagged(cases) == []


# --- 5. spelled-out e-mail words of other languages ----------------------------------------------


def test_spelled_email_vocabulary_of_other_languages() -> None:
    cases = [
        ("jo guion bajo smith arroba gmail punto com", "es-ES"),
        ("jo guion smith at gmail punto es", "es-ES"),
        ("jo tiret du bas smith arobase gmail point com", "fr-FR"),
        ("jo tiret bas smith at orange point fr", "fr-FR"),
        ("jo bindestrich smith at gmx punkt de", "de-DE"),
        ("jo unterstrich smith ät web punkt de", "de-DE"),
        ("jo unterstrich smith affenschwanz web punkt de", "de-DE"),
        ("jo liggend streepje smith apenstaart ziggo punt nl", "nl-NL"),
        ("jo ät web punkt de", "de-DE"),
        ("jo klammeraffe web punkt de", "de-DE"),
        ("jo chiocciolina libero punto it", "it-IT"),
        ("jo trattino basso smith at libero punto it", "it-IT"),
        ("jo laag streepje smith at ziggo punt nl", "nl-NL"),
        ("jo sublinhado smith at gmail ponto com", "pt-BR"),
        ("jo underscore smith at gmail dot com", "en-US"),
        ("jo dot smith at gmail dot com", "en-US"),
        ("joアットgmailドットcom", "ja-JP"),
        ("joアットマークgmailドットcom", "ja-JP"),
        ("jo アット gmail ドット co ドット jp", "ja-JP"),
        ("joアンダーバーsmithアットマークgmailドットコム", "ja-JP"),
    ]
    assert _missed([(text, locale, "email") for text, locale in cases]) == []


def test_spelled_email_look_alikes_are_kept() -> None:
    cases = [
        ("buy it at amazon dot com", "en-US"),
        ("compare google dot com at amazon dot com", "en-US"),
        ("search for dash cams at amazon dot com", "en-US"),
        ("look for a hyphen at the end of the line", "en-US"),
        ("アットホームなお店を探して", "ja-JP"),
        ("cherche une chiocciolina", "fr-FR"),
    ]
    assert _flagged(cases) == []


# --- 6. spaced national ids ---------------------------------------------------------------------


def test_spaced_national_ids() -> None:
    cases = [
        ("my national insurance number is AB 12 34 56 C", "en-GB"),
        ("NI number AB123456C", "en-GB"),
        ("ni AB-12-34-56-C", "en-GB"),
        ("codice fiscale RSS MRA 85T10 A562S", "it-IT"),
        ("il mio codice fiscale è rss mra 85t10 a562s", "it-IT"),
        ("PAN ABCPE 1234 F", "en-IN"),
        ("my pan is ABCPE1234 F", "en-IN"),
        ("mi dni es 12345678-Z", "es-ES"),
        ("mi dni es 12.345.678 Z", "es-ES"),
        ("mi nie es X-1234567-L", "es-ES"),
    ]
    assert _missed([(text, locale, "national_id") for text, locale in cases]) == []


def test_spaced_id_look_alikes_are_kept() -> None:
    cases = [
        # QQ is HMRC's specimen prefix, never issued (as are D, F, I, Q, U, V first and
        # D, F, I, O, Q, U, V second, and BG, GB, KN, NK, NT, TN, ZZ)
        ("for example QQ 12 34 56 C", "en-GB"),
        ("GB 12 34 56 A", "en-GB"),
        ("call me on 12 34 56 a lot", "en-GB"),
        ("RSS MRA 85T10 A562X", "it-IT"),  # wrong check letter
        ("ABCDE 1234 F", "en-IN"),  # D is no PAN holder type
        ("mi dni es 12345678-A", "es-ES"),  # wrong check letter
        ("Route 66 W and 12 34 56 B", "en-US"),
    ]
    assert _flagged(cases) == []


# --- 7. spoken or spaced IPv4 -------------------------------------------------------------------


def test_spoken_and_spaced_ipv4() -> None:
    cases = [
        ("ping 192 dot 168 dot 1 dot 20", "en-US"),
        ("ping one nine two dot one six eight dot one dot two zero", "en-US"),
        ("the router is 192 . 168 . 1 . 20", "en-GB"),
        ("die IP ist 192 Punkt 168 Punkt eins Punkt zwei null", "de-DE"),
        ("la ip es uno nueve dos punto uno seis ocho punto cero punto uno", "es-ES"),
        ("l'adresse est un neuf deux point un six huit point zéro point un", "fr-FR"),
        ("10 punto 0 punto 0 punto 1", "it-IT"),
        ("IPは192ドット168ドット1ドット20", "ja-JP"),
    ]
    assert _missed([(text, locale, "ip") for text, locale in cases]) == []


def test_versions_and_sentences_are_not_spoken_ipv4() -> None:
    cases = [
        ("update to version 10 dot 0 dot 19041", "en-US"),
        ("three hundred dot one dot two dot three", "en-US"),
        ("999 dot 1 dot 1 dot 1", "en-US"),
        ("steps 1. 2. 3. 4. are done", "en-US"),
        ("one dot two dot three", "en-US"),
        ("at this point 1 point 2 points", "en-US"),
        ("see chapter 1 point 2 point 3 point 4", "en-GB"),
        ("press one dot two dot three dot four", "en-US"),
        ("zwei Punkt null Punkt eins Punkt drei", "de-DE"),
        ("redis://127.0.0.1:6379/7", "en-US"),  # a host and port: the written rule's, which keeps it
    ]
    assert _flagged(cases) == []


# --- 8. names after more request phrasings (the gazetteer rule: given name and surname) ----------


def test_full_names_after_more_request_phrasings() -> None:
    cases = [
        ("whatsapp sarah connor", "en-US"),
        ("set up a meeting with sarah connor", "en-US"),
        ("schedule lunch with sarah connor tomorrow", "en-GB"),
        ("send ten dollars to sarah connor", "en-US"),
        ("transfer ten dollars to sarah connor", "en-US"),
        ("llama a maría garcía", "es-ES"),  # accented: looked up folded, and no English word
        ("telefona a marco rossi", "it-IT"),
        ("liga para marco rossi", "pt-BR"),
        ("appelle pierre dupont", "fr-FR"),
        ("bel jan de vries", "nl-NL"),  # a Dutch particle, then the surname
        ("call anna-lena schmidt", "en-US"),  # a hyphenated given name
        ("ruf hans müller an", "de-DE"),  # a surname with an umlaut
        ("ruf anna-lena müller an", "de-DE"),
        # a surname left beside a redacted given name
        ("ruf [NAME] müller an", "de-DE"),
        ("whatsapp [NAME] connor", "en-US"),
    ]
    assert _missed([(text, locale, "name") for text, locale in cases]) == []


def test_request_phrasings_without_a_full_name_are_kept() -> None:
    cases = [
        ("call mom", "en-US"),
        ("play Frank Sinatra", "en-US"),
        ("play frank sinatra", "en-US"),
        ("listen to frank sinatra", "en-US"),
        ("add bread to my list", "en-US"),
        ("set up a meeting with the team", "en-US"),
        ("send ten dollars to savings", "en-US"),
        ("send this to sarah tomorrow", "en-US"),
        ("whatsapp sarah now", "en-US"),
        ("message will smith", "en-US"),  # both ordinary English words: the gazetteer rule's policy
        ("llama a maría de contabilidad", "es-ES"),  # "de": from accounting, no surname
        ("bel jan de volgende week", "nl-NL"),  # "the next week"
        ("bel jan morgen", "nl-NL"),
        ("telefona a marco domani", "it-IT"),
        ("call [NAME] back", "en-US"),
        ("ruf [NAME] morgen an", "de-DE"),
        ("call [NAME] [NAME]", "en-US"),
    ]
    assert _flagged(cases) == []


# --- 9. more spelled-out e-mails ------------------------------------------------------------------


def test_more_spelled_out_emails() -> None:
    cases = [
        ("j o h n s m i t h at gmail dot com", "en-US"),  # letter by letter
        ("my email is j s m i t h at yahoo dot co dot uk", "en-GB"),
        ("jsmith eighty seven at gmail dot com", "en-US"),  # spoken numbers in the mailbox
        ("jsmith eight seven at hotmail dot com", "en-US"),
        ("jsmith87 at gmail", "en-US"),  # no top-level domain, a mail provider
        ("mail jsmith87 at hotmail please", "en-US"),
        ("jsmith87 at g mail dot com", "en-US"),  # "g mail"
        ("jo dot smith at g mail dot com", "en-US"),
        ("juan punto pérez arroba gmail punto com", "es-ES"),  # accented mailbox words
        ("josé punto pérez at gmail punto com", "es-ES"),
    ]
    assert _missed([(text, locale, "email") for text, locale in cases]) == []


def test_spelled_out_email_look_alikes_with_numbers_and_providers_are_kept() -> None:
    cases = [
        ("set a timer for five minutes", "en-US"),
        ("remind me at five o five", "en-US"),
        ("meet me at seven at the mall", "en-US"),
        ("order two at amazon dot com", "en-US"),
        ("i am at gmail", "en-US"),
        ("look at g mail", "en-US"),
        ("sing the a b c at school", "en-US"),
        ("is there a sale at a b c dot com", "en-US"),
        ("watch the f1 at sky", "en-GB"),  # a provider's name that is a word, no top-level domain
        ("stream it in 4k at free", "fr-FR"),
    ]
    assert _flagged(cases) == []


def test_an_initial_and_a_word_before_a_mail_providers_own_domain() -> None:
    cases = [
        ("j smith at gmail dot com", "en-US"),  # "smith" alone is a word: the initial makes it a mailbox
        ("my email is m jones at yahoo dot com", "en-US"),
        ("es j garcía arroba gmail punto com", "es-ES"),
    ]
    assert _missed([(text, locale, "email") for text, locale in cases]) == []


def test_a_joined_mailbox_before_another_languages_at_word_without_a_top_level_domain() -> None:
    cases = [
        ("jean point dupont arobase orange", "fr-FR"),
        ("mi correo es juan punto garcía arroba telefónica", "es-ES"),
        ("scrivi a mario punto rossi chiocciola libero", "it-IT"),
        ("hans87 klammeraffe web", "de-DE"),
    ]
    assert _missed([(text, locale, "email") for text, locale in cases]) == []


def test_a_letter_that_is_a_word_before_a_provider_is_kept() -> None:
    cases = [
        ("comment taper arobase sur le clavier", "fr-FR"),
        ("cómo se escribe la arroba en el teclado", "es-ES"),
        ("mi usuario es arroba juan", "es-ES"),
        ("el punto de encuentro es la arroba de oro", "es-ES"),
        ("i work at gmail dot com", "en-US"),
        ("say a word at gmail dot com", "en-US"),
        ("vitamin c tablets at amazon dot com", "en-US"),  # no mail provider
        ("it's smith at gmail dot com", "en-US"),
    ]
    assert _flagged(cases) == []


# --- 10. lower-case street addresses --------------------------------------------------------------


def test_lower_case_street_addresses() -> None:
    cases = [
        ("navigate to 27 oak way", "en-GB"),
        ("deliver to 14 willow close", "en-GB"),
        ("i live at 221 baker street", "en-GB"),
        ("drive to 5 green lane please", "en-US"),
        ("navigiere zum alten markt 5", "de-DE"),
        ("ich wohne in der hauptstraße 12", "de-DE"),
        ("lleva esto a plaza de españa 5", "es-ES"),
        ("moro na rua das flores, 123", "pt-BR"),
        ("ik woon op kerkstraat nummer 12", "nl-NL"),
        ("ik woon op de kerkstraat 12", "nl-NL"),
    ]
    assert _missed([(text, locale, "address") for text, locale in cases]) == []


def test_a_dutch_laan_van_and_a_name_before_the_number() -> None:
    cases = [
        ("ik woon op laan van meerdervoort 10", "nl-NL"),
        ("ik woon aan de laan van de helden 3", "nl-NL"),
        ("navigeer naar Laan van Meerdervoort 10", "nl-NL"),
    ]
    assert _missed([(text, locale, "address") for text, locale in cases]) == []
    kept = [
        ("de laan van mijn ouders heeft 20 bomen", "nl-NL"),
        ("de laan van het park is 10 minuten lopen", "nl-NL"),
    ]
    assert _flagged(kept) == []


def test_numbers_before_ordinary_words_are_not_addresses() -> None:
    cases = [
        ("add 2 oak planks to my list", "en-US"),
        ("set timer for 14 minutes", "en-US"),
        ("set a timer for 14 minutes and close the blinds", "en-US"),
        ("how long is the 3 hour drive to london", "en-US"),
        ("a 2 way street", "en-US"),
        ("a 2 lane road", "en-US"),
        ("turn left in 2 miles onto main street", "en-US"),
        ("turn the volume to 11", "en-US"),
        ("the 2 doors close at 5", "en-US"),
        ("der fußweg 5 minuten", "de-DE"),
        ("wir sind auf platz 5 in den charts", "de-DE"),
        ("reserva para 4 en la plaza", "es-ES"),
        ("add 3 rocky road ice creams to my list", "en-US"),
        ("quanto dista piazza navona 5 minuti a piedi", "it-IT"),  # a unit after the number
        ("stell einen timer auf 5 minuten", "de-DE"),
        ("are 2 shops close by", "en-US"),
        ("is there 1 pharmacy close to me", "en-US"),
        ("find 3 pizza place near me", "en-US"),
        ("book 1 tennis court for 5 pm", "en-US"),
        ("la segunda ronda de 3 puntos", "es-ES"),
    ]
    assert _flagged(cases) == []


# --- 11. more spoken digit runs -------------------------------------------------------------------


def test_more_spoken_digit_runs() -> None:
    cases = [
        ("five five five o one o o", "en-US"),  # "o" for zero inside a run
        ("call five five five o one two three", "en-GB"),
        ("five five five: twelve thirty four", "en-US"),  # a colon, then spoken pairs
        ("five five five / twelve thirty four", "en-US"),
        ("four one five, five five five, twelve thirty-four", "en-US"),
        ("〇九〇ゼロ一二三四五六", "ja-JP"),  # katakana "zero" among kanji digits
        ("電話はゼロ九〇の一二三四の五六七八", "ja-JP"),
    ]
    assert _missed([(text, locale, "spoken_number") for text, locale in cases]) == []


def test_spoken_times_counts_and_years_are_not_digit_runs() -> None:
    cases = [
        ("set a timer for five minutes", "en-US"),
        ("remind me at five o five", "en-US"),
        ("what's 5 o'clock in tokyo", "en-US"),
        ("turn the volume to 11", "en-US"),
        ("wake me at six thirty", "en-US"),
        ("set alarms for six thirty and seven fifteen", "en-US"),
        ("the score was twenty one fourteen", "en-US"),
        ("it happened in nineteen eighty four", "en-US"),
        ("remind me at five o five and six o five", "en-US"),
        ("uno o dos o tres o cuatro o cinco o seis o siete", "es-ES"),  # "o": or
        ("ゼロから始めよう", "ja-JP"),
    ]
    assert _flagged(cases) == []


def test_an_o_between_digit_words_of_another_language_is_or_in_an_english_row() -> None:
    # redaction keeps these (a choice, not a number); a finding here would block the night
    kept = [
        ("uno o dos o tres o cuatro o cinco o seis o siete", "en-GB"),
        ("seis o siete o ocho o nueve", "en-US"),
        ("uno o due o tre o quattro o cinque o sei o sette", "en-GB"),
    ]
    assert _flagged(kept) == []
    assert [redact_text(text, locale) for text, locale in kept] == [text for text, _ in kept]
    # beside English words and written digits "o" is still zero
    found = [
        ("six o seven o eight o nine", "en-GB"),
        ("o seven seven o o nine double o one two", "en-GB"),
        ("555 o one two o o", "en-US"),
    ]
    assert _missed([(text, locale, "spoken_number") for text, locale in found]) == []


def test_japanese_kana_digit_readings() -> None:
    cases = [
        ("ぜろきゅうぜろのいちにさんよんのごろくななはち", "ja-JP"),
        ("ぜろきゅうぜろのいちにさんよんのごろくななはちにでんわして", "ja-JP"),
        ("電話番号はゼロキュウゼロのイチニサンヨンのゴロクナナハチです", "ja-JP"),
        ("れいさん、いちにさんよん、ごろくななはち", "ja-JP"),
        ("〇九〇のいちにさんよんのごろくななはち", "ja-JP"),  # kanji digits beside kana
        ("きゅーにーごーのななはちいちにー", "ja-JP"),
        ("田中さんにぜろきゅうぜろいちにさんよんごろく", "ja-JP"),
        ("ｾﾞﾛｷｭｳｾﾞﾛｲﾁﾆｻﾝﾖﾝ", "ja-JP"),  # half-width katakana, as NFKC reads it
    ]
    assert _missed([(text, locale, "spoken_number") for text, locale in cases]) == []


def test_japanese_kana_words_are_not_digit_runs() -> None:
    cases = [
        # (a name before an honorific is one to the detector since the fifth pass: read as redaction leaves it)
        ("[NAME]さんに電話して", "ja-JP"),
        ("にさんにち待って", "ja-JP"),
        ("いちにさんしごろく", "ja-JP"),
        ("しくしく泣いている", "ja-JP"),
        ("おにいさんにでんわして", "ja-JP"),
        ("ごごさんじにしてください", "ja-JP"),
        ("[NAME]さんにいちにさんしごろく", "ja-JP"),  # six digits beside an honorific and a particle
        ("[PHONE]にでんわして", "ja-JP"),
        ("[NAME]さんに[PHONE]で連絡", "ja-JP"),
    ]
    assert _flagged(cases) == []


# --- 12. more identity numbers, and digits with marks --------------------------------------------


def test_mexican_and_brazilian_ids() -> None:
    cases = [
        ("mi rfc es GODE561231GR8", "es-MX"),
        ("mi rfc es gode 561231 gr8", "es-MX"),
        ("mi curp es BOXW 310820 HNERXN 09", "es-MX"),
        ("mi curp es boxw-310820-hnerxn-09", "es-MX"),
        ("meu rg é 12.345.678-2", "pt-BR"),
        ("meu rg é 12345678-2", "pt-BR"),
    ]
    assert _missed([(text, locale, "national_id") for text, locale in cases]) == []


def test_mexican_and_brazilian_id_look_alikes_are_kept() -> None:
    cases = [
        ("mi pedido es ABCD 123456 XYZ", "es-MX"),  # month 34
        ("mi curp es BOXW 310820 HNERXN 08", "es-MX"),  # wrong check digit
        ("meu rg é 12.345.678-9", "pt-BR"),  # wrong check digit
        ("custa 12.345.678 reais", "pt-BR"),
    ]
    assert _flagged(cases) == []


def test_digits_with_keycaps_and_combining_marks() -> None:
    cases = [
        ("call 4️⃣1️⃣5️⃣ 5️⃣5️⃣5️⃣ 0️⃣1️⃣3️⃣2️⃣", "en-US", "phone"),
        ("call 4⃣1⃣5⃣5⃣5⃣5⃣0⃣1⃣3⃣2⃣", "en-US", "phone"),
        ("call 4\u03321\u03325\u0332 5\u03325\u03325\u0332 0\u03321\u03323\u03322\u0332", "en-US", "phone"),
        ("card 4\u03051\u03051\u03051\u0305 1111 1111 1111", "en-US", "card"),
    ]
    assert _missed(cases) == []
    assert _flagged([("press 1️⃣ for yes or 2️⃣ for no", "en-US")]) == []


def test_digits_enclosed_with_a_full_stop_or_as_dingbats_are_read_outside_the_sample() -> None:
    """Signs for a digit that are no decimal digit (category No). They were outside the scope (read only
    when the 2 % sample picked them) and NFKC made "⒉⒈⒉" "2.1.2.": the gate passed them every night."""
    cases = [
        ("phone ⒉⒈⒉ ⒎⒊⒍ ⒌🄀🄀🄀", "en-US", "phone"),
        ("card ❹❶❶❶ ❶❶❶❶ ❶❶❶❶ ❶❶❶❶", "en-US", "card"),
        ("card ➍➊➊➊ ➊➊➊➊ ➊➊➊➊ ➊➊➊➊", "en-US", "card"),
        ("ssn ①②③-④⑤-⑥⑦⑧⑨", "en-US", "ssn"),
        ("ssn ¹²³-⁴⁵-⁶⁷⁸⁹", "en-US", "ssn"),
        ("mail kim﹫example.com", "en-US", "email"),
        ("call five five five one two three fo\u200bur five six seven eight", "en-US", "spoken_number"),
    ]
    assert _missed(cases) == []
    assert _flagged([("chapter ⑴ of the book, it is ² degrees", "en-US")]) == []


# --- 13. benign requests the detector's rules read looser than redaction (a finding blocks a night) --

# Per locale: rows as redaction leaves them (its "[NAME]" included) that hold no identifier.
_BENIGN_BY_LOCALE = {
    "pt-BR": [
        "liga a luz da sala",  # "liga a": turn on, not call; "luz" a given name, "sala" a surname
        "liga a luz do corredor",
        "manda a luz da sala apagar",
        "liga o ventilador da suíte",
        "liga pra [NAME] lá em casa",  # "lá": no surname without its accent
        "liga pra mãe dela",  # "mãe": a given name without its accent
    ],
    "de-DE": [
        "Bayern ist Platz 1",  # a rank, not a square
        "wer ist Platz 1 in der Bundesliga",
        "reserviere Platz 12 im Zug",
        "Weltrangliste Platz 1",
        "kauf beim Markt 3 Tomaten",
        "ruf [NAME] früh an",
    ],
    "nl-NL": [
        "bel [NAME] van de buren",  # the neighbours
        "bel [NAME] van de kapper",  # the hairdresser
        "bel oma van de buren",
        "bel [NAME] te laat",  # too late
        "bel [NAME] hè",
    ],
    "es-ES": [
        "llama a [NAME] más tarde",
        "llama a [NAME] tío",
        "hay plaza para 4",  # room for 4
        "hay plaza libre 4",
        "la plaza mayor 3 bares",
        "el camino de santiago 3 etapas",
    ],
    "fr-FR": ["appelle [NAME] où tu veux"],
    "it-IT": ["chiama [NAME] però dopo", "chiama [NAME] zia"],
    "en-US": [
        "is gate 23 this way",
        "terminal 2 this way",
        "bus 42 goes that way",
        "the game was 98 96 very close",
        "game 7 was too close",
        "use 8 inch square pan",
        "visit 2 public gardens",
        "Use 8 Inch Square Pan",  # title case: still no square
        "Game 7 Was Too Close",
        "the 2 doors close at 5 so hurry",
        "set a reminder for 9am at outlook",  # a time, a size, a team: no mailbox
        "how much is 2tb at icloud",
        "i have 15gb at gmail",
        "the 49ers at yahoo sports",
        "i have 2fa at gmail",
        "block my calendar from nine to five at outlook",  # "to five": no mailbox
        "schedule a meeting tomorrow at ten at outlook",
    ],
}


# sentences ending in "way"/"close" after a number and a word, which redaction keeps: a finding would
# block the night
_BENIGN_BY_LOCALE["en-US"] = [
    *_BENIGN_BY_LOCALE.get("en-US", []),
    "season 2 episode 3 no way", "my 2 sisters live close", "terminal 5 which way", "door 3 please close",
    "window 2 wont close", "app number 2 force close", "chrome has 20 tabs open close",
    "the score is 2 nil either way", "the game ended 3 2 pretty close", "i have 2 kids both close",
    "wake me at six o five, seven o five, eight o five", "wake me at six o five, seven o five, eight o five please",
]  # fmt: skip


@pytest.mark.parametrize("locale", sorted(_BENIGN_BY_LOCALE))
def test_benign_requests_of_every_locale_are_not_flagged(locale: str) -> None:
    cases = [(text, locale) for text in _BENIGN_BY_LOCALE[locale]]
    assert _flagged(cases) == []
    assert [text for text in _BENIGN_BY_LOCALE[locale] if find_in_text(text, locale)] == []


def test_identifiers_beside_the_benign_forms_are_still_found() -> None:
    cases = [
        ("liga para marco rossi", "pt-BR", "name"),  # "liga para": call
        ("ligar para marco rossi", "pt-BR", "name"),
        ("liga pro Marco Rossi", "pt-BR", "name"),
        ("liga a Marco Rossi", "pt-BR", "name"),  # "liga a" and a capitalised given name
        ("bel jan de vries", "nl-NL", "name"),
        ("bel [NAME] van de Kapper", "nl-NL", "name"),  # a capitalised surname left after a particle
        ("llama a [NAME] garcía", "es-ES", "name"),  # folded from five letters
        ("ruf [NAME] müller an", "de-DE", "name"),
        ("navigiere zum alten markt 5", "de-DE", "address"),
        ("ich wohne im neuen weg 5", "de-DE", "address"),
        ("lleva esto a plaza de españa 5", "es-ES", "address"),
        ("vivo en la plaza del sol 5", "es-ES", "address"),
        ("vivo en la Plaza Mayor 5", "es-ES", "address"),
        ("vivo en la plaza mayor 5", "es-ES", "address"),  # a number ending the clause
        ("vivo en Camino de Santiago 3", "es-ES", "address"),
        ("navigate to 27 oak way", "en-GB", "address"),
        ("meet me at 27 oak way [ADDRESS]", "en-US", "address"),  # a unit redaction took after it
        ("deliver to 14 willow close please", "en-GB", "address"),
        ("i live on 27 Maple Square", "en-GB", "address"),  # capitalised: a square
        ("meet at 12 Rose Gardens tomorrow", "en-GB", "address"),
        ("send it to 3 ash vale", "en-GB", "address"),
        ("jsmith87 at gmail", "en-US", "email"),
        ("j o h n s m i t h at gmail", "en-US", "email"),
        ("jsmith eighty seven at gmail dot com", "en-US", "email"),
    ]
    assert _missed(cases) == []


# --- 9. name statements of every language, "at sign", numbered streets --------------------------


def test_name_statements_at_sign_and_numbered_streets() -> None:
    """Forms redaction once missed and the gate's detector did not read either."""
    cases = [
        ("my name's john smith", "en-US", "name"),
        ("mi nombre es juan garcía", "es-ES", "name"),
        ("me chamo joão silva", "pt-BR", "name"),
        ("il mio nome è marco rossi", "it-IT", "name"),
        ("moi c'est pierre dupont", "fr-FR", "name"),
        ("ik heet sanne de vries", "nl-NL", "name"),
        ("my email is john87 at sign gmail dot com", "en-US", "email"),
        ("navigate to 350 5th ave", "en-US", "address"),
        ("take me to 200 W 34th St", "en-US", "address"),
        ("my address is 2100 east 3rd street", "en-US", "address"),
    ]
    assert _missed(cases) == []


def test_ordinals_that_are_no_street_are_kept() -> None:
    cases = [
        ("my 5th avenue trip was fun", "en-US"),  # no house number
        ("the 21st street party", "en-US"),
        ("on the 3rd floor", "en-US"),
    ]
    assert _flagged(cases) == []


def test_numbers_of_another_allowed_country_than_the_rows_locale() -> None:
    """The detector read phone numbers in the row's own region only: a US number in a de-DE row, a UK,
    German, Dutch or Italian one in an en-US row passed the gate and the audit (redaction caught them,
    so the gate re-checked nothing for them)."""
    cases = [
        ("ruf mich an unter (212) 736-5000", "de-DE", "phone"),
        ("ring me on (212) 736-5000", "en-GB", "phone"),
        ("appelle le 212 736 5000", "fr-FR", "phone"),
        ("call me on 020 7946 0958", "en-US", "phone"),
        ("call me on 0171 2345679", "en-US", "phone"),
        ("call 06 12345678", "en-US", "phone"),
        ("call 06 1234 5678", "en-US", "phone"),
    ]
    assert _missed(cases) == []
    # a country's short numbers are a timestamp's microseconds and a postcode elsewhere; ten bare digits
    # valid in Mexico or India are an order number or an amount
    kept = [("On 2007-01-23 15:21:09.120729, it began", "en-US"), ("ZIP: 03164-160", "en-US"),
            ("the total is 20000 00000", "en-US"), ("Date: 1992-12-15 16:07:27.050641", "en-US"),
            ("deine Bestellung 2127365000 kommt am Freitag", "de-DE")]  # fmt: skip
    assert _flagged(kept) == []


def test_a_plain_mailbox_before_a_mail_providers_own_domain() -> None:
    cases = [
        ("mail jsmith at gmail dot com", "en-US", "email"),
        ("write to kowalski at outlook dot com", "en-US", "email"),
        ("anna at yahoo dot com", "en-US", "email"),
    ]
    assert _missed(cases) == []
    assert _flagged([("look at gmail dot com", "en-US"), ("check it at yahoo dot com", "en-US")]) == []
