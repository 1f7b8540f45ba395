"""Forms a third review of the same day found in the new address and encoding rules:

- night blockers, benign text redaction kept and the detector flagged: a German preposition street followed by a
  hyphen range before a measure ("am Bodensee 18-24 Grad", "am Rathaus 8-13 Uhr"), a French abbreviation then
  an English preposition ("900 sq. ft. studio", "2 bd. apartment"), a unit only redaction knew ("c/ queso 30
  pesos", "av. weight 70 kg"), a capital outside A-Z after the number ("3 Éclairs"), and real addresses redaction
  left after a quote, a colon or "=" (`{"direccion":"c/ Serrano 45"}`);
- survivors: typeless US addresses with "St. Louis", "Apt 5", "#5" or no spaces; "Am Kirchberg 14 B", "Am Markt 3
  Erdgeschoss"; "12 bis av. Foch", "1234 ch. Sainte-Foy", "c.so Buenos Aires 5", "p.zza Garibaldi 3", "avda de
  América 12", "mariahilfer str. 12";
- over-redaction: "44 av. J.-C.", "sq. ft.", scores and times ("3:1", "8:30 Uhr"), dates ("3. Juni"), "2-mal",
  "3 oder 4 Tage", "7 am Train" (a.m.), "500 g", street names taking in verbs ("av. Reforma tiene 12 carriles").
"""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows
from utterance_governance.detect.detector import find_in_text


def _published_flags(text: str, locale: str) -> bool:
    """Redaction's output is flagged by the gate (the whole night blocks)."""
    out = both(text, locale)
    return flag_rows([out], [locale], sample_rate=0).tolist() == [True]


# --- N1: a German preposition street followed by a hyphen range/score (redaction keeps, detector flags) -----
@pytest.mark.parametrize(
    "text",
    [
        "Am Bodensee 18-24 Grad",
        "Wetter am Chiemsee 20-25 Grad",
        "Wie ist das Wetter am Tegernsee 18–24°",
        "Markt am Rathaus 8-13 Uhr",
        "Öffnungszeiten am Friedhof 8-18 Uhr",
        "Flohmarkt am Sportplatz 9-16 Uhr",
        "Lautern gewinnt am Betzenberg 3-1",
        "Der HSV spielt am Volkspark 2-2",
        "Ferien am See 2-3 Wochen",
        "Stau auf der A8 am Irschenberg 5-7 km",
        "Parkplätze am Rathaus 2-3 Euro pro Stunde",
    ],
)
def test_n1_hyphen_range_after_preposition_street_does_not_block(text: str) -> None:
    assert not _published_flags(text, "de-DE"), find_in_text(both(text, "de-DE"), "de-DE")


# --- N2: a French abbreviated type after a number, an English preposition within the next words ------------
@pytest.mark.parametrize(
    "text",
    [
        "find a 900 sq. ft. studio to rent in the city",
        "how big is 500 sq. ft. in meters",
        "Convert 2 sq. mi. to km",
        "it was 6 all. in the third set",
        "hi 2 all. see you at the party",
        "looking for a 2 bd. apartment in Brooklyn",
        "the lot is 5000 sq. ft. near the river",
    ],
)
def test_n2_benign_abbreviation_and_preposition_does_not_block(text: str) -> None:
    assert not _published_flags(text, "en-US"), find_in_text(text, "en-US")


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("meet me at 12 r. de Rivoli near the Louvre", "en-US"),
        ("my sister lives at 45 av. Foch on the third floor", "en-US"),
        ("the office moved to 12 bd. Haussmann in March", "en-US"),
        ("Mon bureau est au 12 bd. Haussmann on dit", "fr-FR"),
    ],
)
def test_n2_french_abbreviated_address_before_a_preposition_is_redacted(text: str, locale: str) -> None:
    out = both(text, locale)
    assert "[ADDRESS]" in out and not _published_flags(text, locale), out


# --- N3: a unit redaction knows after an abbreviated form, unknown to the detector -----------------------
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("2 tacos c/ queso 30 pesos", "es-MX"),
        ("refresco c/ hielo 15 pesos", "es-MX"),
        ("tarta c/ nata 1 kg", "es-ES"),
        ("pão c/ manteiga 5 reais", "pt-BR"),
        ("café c/ leite 200 ml", "pt-BR"),
        ("pizza c/ borda 35 cm", "pt-BR"),
        ("my av. weight this month was 70 kg", "en-US"),
        ("av. height 180 cm", "en-US"),
    ],
)
def test_n3_unit_after_abbreviated_form_does_not_block(text: str, locale: str) -> None:
    assert not _published_flags(text, locale), find_in_text(text, locale)


# --- N4: a capitalised word after the number that the detector's [A-ZÄÖÜ] does not know -------------------
def test_n4_capital_outside_a_z_umlauts_does_not_block() -> None:
    assert not _published_flags("Bestell im Café am Markt 3 Éclairs", "de-DE")


# --- O1: over-redaction of benign text by today's rules (both sides agree it is an address) ---------------
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("né en 63 av. J.-C. à Rome", "fr-FR"),
        ("a 1200 sq. ft. apartment", "en-US"),
        ("the score is 15 all. next point", "en-US"),
        ("how many liters in 12 imp. gallons", "en-US"),
        ("Ajoute 3 pl. de beurre", "fr-FR"),
        ("Lautern gewinnt am Betzenberg 3:1", "de-DE"),
        ("Treffen wir uns am Bahnhof 10:30?", "de-DE"),
        ("Wir bleiben im Schwarzwald 3 oder 4 Tage", "de-DE"),
        ("Am Feldberg 3 von 5 Liften offen", "de-DE"),
        ("Im Garten 2 kg Tomaten geerntet", "de-DE"),
        ("Reminder: 7 am Train 42 to Boston", "en-US"),
        ("wake me up at 9 am Hospital 2 shift", "en-US"),
        ("la av. Reforma tiene 12 carriles", "es-MX"),
        ("c/ Serrano tiene 45 tiendas", "es-ES"),
        ("Av. Liberdade é bonita com 3 árvores", "pt-PT"),
        ("my av. heart rate was 72", "en-US"),
        ("built in c. the year 1850", "en-US"),
        ("bolo c/ cobertura 500 g", "pt-BR"),
        ("thanks 2 all. love you", "en-US"),
        ("a 2 bd. apartment", "en-US"),
    ],
)
def test_o1_benign_text_is_kept(text: str, locale: str) -> None:
    assert both(text, locale) == text


# --- N5: an abbreviated type after a quote, "=", ":" or "[" (``_ABBREVIATED_HINT`` wants a space or "(" before it):
# redaction skips the row, the detector reads the address; the night blocks
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ('{"direccion":"c/ Serrano 45"}', "es-ES"),
        ('dirección: "c/ Mayor 5"', "es-ES"),
        ('{"endereco":"av. Paulista 1000"}', "pt-BR"),
        ("endereço:av. Paulista 1000", "pt-BR"),
        ("?q=av.+Paulista+1000", "pt-BR"),
        ("?q=v.le+Monza+12", "it-IT"),
        ('"v.le Monza 12"', "it-IT"),
        ("indirizzo:p.za Garibaldi 3", "it-IT"),
    ],
)
def test_n5_abbreviated_street_after_punctuation_is_redacted(text: str, locale: str) -> None:
    out = both(text, locale)
    assert "[ADDRESS]" in out and not _published_flags(text, locale), out


# --- S: survivors of today's forms: the address left readable, the detector flags nothing ----------------
@pytest.mark.parametrize(
    ("text", "locale", "needle"),
    [
        ("ship to 3240 Meadowbrook, St. Louis, MO 63101", "en-US", "3240 Meadowbrook"),
        ("ship to 3240 Meadowbrook, Apt 5, Springfield, IL 62704", "en-US", "3240 Meadowbrook"),
        ("ship to 3240 Meadowbrook #5, Springfield, IL 62704", "en-US", "3240 Meadowbrook"),
        ("ship to 3240 Meadowbrook,Springfield,IL 62704", "en-US", "3240 Meadowbrook"),
        ("ship to 3240 Meadowbrook, Coeur d'Alene, ID 83814", "en-US", "3240 Meadowbrook"),
        ("Lieferadresse: Am Kirchberg 14 B", "de-DE", "Kirchberg 14"),
        ("Ich wohne Am Markt 3 Erdgeschoss", "de-DE", "Markt 3"),
        ("J'habite au 12 bis av. Foch", "fr-FR", "av. Foch"),
        ("J'habite au 3 ter r. de la Paix", "fr-FR", "r. de la Paix"),
        ("J'habite au 1234 ch. Sainte-Foy", "fr-CA", "ch. Sainte-Foy"),
        ("abito in c.so Buenos Aires 5", "it-IT", "Buenos Aires 5"),
        ("abito in p.zza Garibaldi 3", "it-IT", "Garibaldi 3"),
        ("vivo en avda de América 12", "es-ES", "América 12"),
        ("mariahilfer str. 12", "de-DE", "mariahilfer str. 12"),
    ],
)
def test_s_address_is_not_published_readable(text: str, locale: str, needle: str) -> None:
    out = both(text, locale)
    assert not (needle in out and not flag_rows([out], [locale], sample_rate=0).tolist()[0]), out


# --- O2: German ordinal dates, "-mal", times after a preposition street (over-redaction, both sides) ------
@pytest.mark.parametrize(
    "text",
    [
        "Konzert im Schlosspark 3. Juni",
        "Wir joggen im Park 2-mal pro Woche",
        "Abfahrt am Bahnhof 8:30 Uhr",
        "Kauf im Supermarkt 500 g Mehl",
    ],
)
def test_o2_benign_german_is_kept(text: str) -> None:
    assert both(text, "de-DE") == text
