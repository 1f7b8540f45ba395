"""Forms a second review of the same day found in the new rules (encoded text, look-alike dots, plus-addressing,
abbreviated and typeless streets), each shown end to end before its mend:

- survivors: redaction left the identifier readable and the gate's detector flagged nothing (a "+" mailbox in a
  URL query, "City, ST ZIP", an abbreviated type then the name, a comma and the number, a spoken plus in other
  languages, "Str" without its full stop, German streets named after a noun outside the list, French
  abbreviations, more look-alike dots);
- false positives: benign German sentences (a weather range, a score, a film, a measure) that redaction changed
  or the detector flagged (a flag blocks the night); "5 R. Kelly" read as a French street;
- identifiers redaction missed and the detector read (the night blocked): "An der Alten Mühle 5", "Hauptstr.12",
  "?q=+221+Baker+Street", nested JSON escapes, a spoken "plus" before a written mailbox.
"""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, flagged, kept

from utterance_governance.detect import flag_rows


def _published(text: str, locale: str, needle: str) -> str | None:
    """The redacted text when ``needle`` is still in it and the gate's detector flags nothing; else None."""
    out = both(text, locale)
    if needle in out and flag_rows([out], [locale], sample_rate=0).tolist() == [False]:
        return out
    return None


# --- S1: "+" in a query value decoded to a space again after %2B / &#43; were decoded ----------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("https://ex.com/u?email=john.smith%2Bnews%40gmail.com&x=1", "john.smith"),  # %2B is a literal "+"
        ("?e=john.smith&#43;news&#64;gmail.com", "john.smith"),
        ("https://ex.com/signup?email=jsmith+promo@gmail.com", "jsmith"),
        ("https://ex.com/signup?email=jsmith+promo%40gmail.com", "jsmith"),
    ],
)
def test_a_plus_addressed_mailbox_in_a_query_is_redacted(text: str, needle: str) -> None:
    assert _published(text, "en-US", needle) is None


# --- S2: the standard US "City, ST ZIP" (comma before the state) after a typeless street ---------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("ship it to 3240 Meadowbrook, Springfield, IL 62704", "3240 Meadowbrook"),
        ("It's at 221 Maple, Springfield, IL 62704.", "221 Maple"),
        ("ship it to 3240 Meadowbrook, Springfield, IL 62704-1234", "3240 Meadowbrook"),
        ("3240 Meadowbrook, Springfield, Illinois 62704", "3240 Meadowbrook"),
    ],
)
def test_a_typeless_us_address_with_a_comma_before_its_state(text: str, needle: str) -> None:
    assert _published(text, "en-US", needle) is None


# --- S3: an abbreviated type before the name, a comma before the house number (the usual way to write it) --
@pytest.mark.parametrize(
    ("text", "locale", "needle"),
    [
        ("entrega na Av. Paulista, 1000", "pt-BR", "Paulista, 1000"),
        ("entrega na av. paulista, 1000", "pt-BR", "paulista, 1000"),
        ("o endereço da loja: Av. Paulista, 1000 - Bela Vista", "pt-BR", "Paulista, 1000"),
        ("envíalo a C/ Serrano, 45", "es-ES", "Serrano, 45"),
        ("envíalo a c/ Serrano, 45", "es-ES", "Serrano, 45"),
        ("Mi dirección: c/ Serrano, 45, 3º B", "es-ES", "Serrano, 45"),
        ("spedisci a V.le Monza, 12", "it-IT", "Monza, 12"),
        ("spedisci a p.za Garibaldi, 3", "it-IT", "Garibaldi, 3"),
    ],
)
def test_an_abbreviated_type_a_name_a_comma_and_the_number(text: str, locale: str, needle: str) -> None:
    assert _published(text, locale, needle) is None


# --- S4: spoken plus-addressing in the other languages (and "plus sign") --------------------------------
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("mi correo es jsmith más promo arroba gmail punto com", "es-ES"),
        ("meu email é jsmith mais promo arroba gmail ponto com", "pt-BR"),
        ("la mia email è jsmith più promo chiocciola gmail punto com", "it-IT"),
        ("email jsmith plus sign promo at gmail dot com", "en-US"),
    ],
)
def test_a_spoken_plus_in_other_languages_joins_the_mailbox(text: str, locale: str) -> None:
    assert _published(text, locale, "jsmith") is None


# --- S5: German "Str" without its full stop after a capitalised name ------------------------------------
@pytest.mark.parametrize(
    "text",
    ["liefern an Mariahilfer Str 12", "Ich wohne in der Mariahilfer Str 12 in Wien."],
)
def test_str_without_its_full_stop(text: str) -> None:
    assert _published(text, "de-DE", "Str 12") is None


# --- S6: German streets named by a preposition and a noun outside the 70-noun list ---------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Ich wohne Am Rathaus 3.", "Rathaus 3"),
        ("Ich wohne Zur Alten Post 3.", "Post 3"),
        ("Ich wohne Am Stadtpark 2.", "Stadtpark 2"),
        ("wir wohnen In der Au 7", "Au 7"),
    ],
)
def test_preposition_streets_of_more_nouns(text: str, needle: str) -> None:
    assert _published(text, "de-DE", needle) is None


# --- S7: French street-type abbreviations missing from the list ---------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("J'habite 45 bvd Haussmann", "45 bvd Haussmann"),
        ("J'habite 3 chem. des Vignes", "3 chem. des Vignes"),
        ("J'habite 5 all. des Tilleuls", "5 all. des Tilleuls"),
        ("J'habite 8 sq. Montholon", "8 sq. Montholon"),
        ("J'habite 10 crs Mirabeau, Aix", "10 crs Mirabeau"),
        ("J'habite 12 pl de la Concorde", "12 pl de la Concorde"),
    ],
)
def test_more_french_abbreviations(text: str, needle: str) -> None:
    assert _published(text, "fr-FR", needle) is None


# --- S8: other look-alike dots in an e-mail address -----------------------------------------------------
@pytest.mark.parametrize("dot", ["\u2e31", "\ua78f", "\u25e6"])
def test_more_lookalike_dots_in_an_email(dot: str) -> None:
    assert _published(f"mail jsmith@example{dot}com", "en-US", "jsmith") is None


# --- F1: the detector's German preposition street takes a capitalised adjective redaction does not: -------
# benign sentences block the night
@pytest.mark.parametrize(
    "text",
    [
        "Wir spielen im Englischen Garten 5 gegen 5.",
        "Heute läuft im Ersten Terminator 2 um 20:15 Uhr.",
        "Am Großen Feldberg 30 cm Neuschnee.",
    ],
)
def test_benign_german_sentences_do_not_block_the_night(text: str) -> None:
    out = both(text, "de-DE")
    assert flag_rows([out], ["de-DE"], sample_rate=0).tolist() == [False], f"the gate blocks on {out!r}"


# --- F2: the preposition street takes weather ranges, scores and times (both sides: redaction changes them) --
@pytest.mark.parametrize(
    "text",
    [
        "Morgen am Bodensee 18 bis 24 Grad.",
        "Im Schwarzwald 20 bis 25 Grad, am Wochenende Gewitter.",
        "Es regnet am Ammersee 2 bis 3 Liter pro Quadratmeter",
        "Am Feldberg 30 cm Neuschnee.",
        "Der Zug hält am Hauptbahnhof 3 bis 4 Minuten.",
        "Wir treffen uns am Supermarkt 10 nach 5.",
        "Wie steht es im Sektor 7 gegen 4?",
    ],
)
def test_benign_german_ranges_and_measures_are_kept(text: str) -> None:
    kept(text, "de-DE")


# --- F3: the French "N r. Name" rule takes an English music request ------------------------------------
@pytest.mark.parametrize(
    "text", ["play the top 5 R. Kelly songs", "Tennis rankings: 3 R. Nadal, 4 D. Medvedev"]
)
def test_an_initial_r_after_a_number_is_no_street(text: str) -> None:
    assert "[ADDRESS]" not in both(text, "en-US")
    assert not flagged(text, "en-US")


# --- B: a real identifier redaction misses and the detector reads: the night blocks -------------------------
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Ich wohne An der Alten Mühle 5.", "de-DE"),
        ("Ich wohne Hauptstr.12", "de-DE"),
        ("?q=+221+Baker+Street", "en-US"),
        ('{"payload": "{\\"email\\": \\"jo\\\\u0040example.com\\"}"}', "en-US"),
        ("my email is jsmith plus promo@gmail.com", "en-US"),
    ],
)
def test_redaction_reads_what_the_detector_reads(text: str, locale: str) -> None:
    out = both(text, locale)
    assert flag_rows([out], [locale], sample_rate=0).tolist() == [False], f"the gate blocks on {out!r}"
