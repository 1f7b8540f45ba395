"""Named cases of the 2026-11-28 amendment (SPEC §5): every allowed language, Unicode forms,
national formats, checksummed numbers, names and addresses, and what is kept on purpose."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.clean.languages import READABLE_LANGUAGES, unreadable_locales
from utterance_governance.policy import DEFAULT_ALLOWED_LOCALES

SPOKEN = [
    ("de-DE", "ruf null eins sieben eins, zwei drei vier, fünf sechs sieben an", "ruf [PHONE] an"),
    ("de-DE", "meine nummer ist null eins sieben zwo dreiundzwanzig fünfundvierzig sieben acht", "meine nummer ist [PHONE]"),
    ("fr-FR", "appelle le zéro six douze trente-quatre cinquante-six soixante-dix-huit", "appelle le [PHONE]"),
    ("fr-FR", "mon numéro est zéro six un deux trois quatre cinq six sept huit", "mon numéro est [PHONE]"),
    ("es-ES", "llama al seis uno dos, treinta y cuatro, cincuenta y seis, setenta y ocho", "llama al [PHONE]"),
    ("es-ES", "mi número es seiscientos quince, quinientos veinte, treinta, cuarenta", "mi número es [PHONE]"),
    ("es-ES", "llama al nueve uno, quinientos cincuenta y cinco, doce, treinta y cuatro", "llama al [PHONE]"),
    ("en-GB", "ring me on naught two naught, seven nine four six, naught nine five eight", "ring me on [PHONE]"),
    ("en-GB", "my number is oh seven nine one one, treble one, two three four five", "my number is [PHONE]"),
    ("en-IN", "my email is xk42 at the rate gmail dot com", "my email is [EMAIL]"),
    ("en-IN", "write to jo.smith at the rate of gmail dot com please", "write to [EMAIL] please"),
    ("it-IT", "chiama il tre tre tre uno due tre quattro cinque sei", "chiama il [PHONE]"),
    ("nl-NL", "bel nul zes een twee drie vier vijf zes zeven acht", "bel [PHONE]"),
    ("pt-BR", "liga para onze nove nove oito sete meia cinco quatro três dois", "liga para [PHONE]"),
    ("ja-JP", "〇九〇一二三四五六七八に電話して", "[PHONE]に電話して"),
    ("ja-JP", "〇三の一二三四の五六七八に電話して", "[PHONE]に電話して"),
]  # fmt: skip


BENIGN_SPOKEN = [
    ("de-DE", "stell einen timer auf fünfundzwanzig minuten"),
    ("de-DE", "im jahr zweitausendvierundzwanzig"),
    ("fr-FR", "un deux trois soleil"),
    ("fr-FR", "il y a deux mille vingt-quatre habitants"),
    ("es-ES", "añade dos docenas de huevos"),
    ("es-ES", "cuesta quinientos euros"),
    ("en-GB", "it was all for naught at the rate we are going"),
    ("en-GB", "turn up the treble one notch"),
    ("it-IT", "imposta un timer di venti minuti"),
    ("nl-NL", "zet een timer voor tien minuten"),
    ("pt-BR", "coloca um timer de trinta minutos"),
    ("ja-JP", "十一月の予定を教えて"),
]


@pytest.mark.parametrize(("locale", "text"), BENIGN_SPOKEN)
def test_benign_spoken_numbers_are_kept(locale: str, text: str) -> None:
    assert both(text, locale) == text


UNICODE = [
    ("call ５５５-２３４-５６７８", "call [PHONE]"),
    ("card 4111\u200b1111\u200b1111\u200b1111", "card [CARD]"),
    ("appelle le 06\u00a012\u00a034\u00a056\u00a078", "appelle le [PHONE]"),
    ("ruf 030\u202f12345678 an", "ruf [PHONE] an"),
    ("mail kim＠example.com", "mail [EMAIL]"),
    ("social １２３-４５-６７８９", "social [SSN]"),
    ("card 4111\u20111111\u20111111\u20111111", "card [CARD]"),
    ("write to jürgen.müller@web.de today", "write to [EMAIL] today"),
    ("mail françois.dupont@orange.fr", "mail [EMAIL]"),
    ("mail jo@müller.de", "mail [EMAIL]"),
    ("5 × 3 = 15 in Zürich", "5 × 3 = 15 in Zürich"),
    # digits written enclosed, with a full stop, as dingbats (category No): NFKC makes "⒉" "2." and
    # leaves the dingbats, so "⒉⒈⒉ ⒎⒊⒍ ⒌⒈⒋⒉" was published as "2.1.2. 7.3.6. [IP]."
    ("call me on ⒉⒈⒉ ⒎⒊⒍ ⒌⒈⒋⒉", "call me on [PHONE]"),
    ("phone ⒉⒈⒉ ⒎⒊⒍ ⒌🄀🄀🄀", "phone [PHONE]"),
    ("card ❹❶❶❶ ❶❶❶❶ ❶❶❶❶ ❶❶❶❶", "card [CARD]"),
    ("ssn ①②③-④⑤-⑥⑦⑧⑨", "ssn [SSN]"),
    ("chapter ⑴ of the book, it is ² degrees", "chapter ⑴ of the book, it is ² degrees"),
]


@pytest.mark.parametrize(("text", "expected"), UNICODE)
def test_unicode_forms(text: str, expected: str) -> None:
    assert both(text, "en-US") == expected


def test_text_without_identifier_keeps_its_bytes() -> None:
    for text in ["café\u00a0au lait ①", "ｈｅｌｌｏ ｗｏｒｌｄ", "zero\u200bwidth", "ſ and Ｋ"]:
        assert both(text, "fr-FR") == text


NATIONAL = [
    ("en-AU", "call (03) 5342 5757", "call [PHONE]"),
    ("de-AT", "ruf 0664 313 06 34 an", "ruf [PHONE] an"),
    ("en-US", "call 413.195.1714x397", "call [PHONE]"),
    ("fr-FR", "appelle le +33 6 12 34 56 78", "appelle le [PHONE]"),
    ("nl-NL", "bel 06-12345678", "bel [PHONE]"),
    ("en-US", "call 78 801 84 24", "call [PHONE]"),
]


IDS = [
    ("de-DE", "meine iban ist DE89 3704 0044 0532 0130 00", "meine iban ist [IBAN]"),
    ("nl-NL", "iban NL91ABNA0417164300 graag", "iban [IBAN] graag"),
    ("es-ES", "mi dni es 12345678Z", "mi dni es [NATIONAL_ID]"),
    ("it-IT", "il mio codice fiscale è RSSMRA85T10A562S", "il mio codice fiscale è [NATIONAL_ID]"),
    ("pt-BR", "meu cpf é 390.533.447-05", "meu cpf é [NATIONAL_ID]"),
    ("nl-NL", "mijn bsn is 111222333", "mijn bsn is [NATIONAL_ID]"),
    ("en-US", "my social is 123-45-6789", "my social is [SSN]"),
]


def test_invalid_checksum_is_not_an_iban() -> None:
    assert "[IBAN]" not in both("DE89 3704 0044 0532 0130 01", "de-DE")


EMAILS = [
    ("es-ES", "mi correo es jo punto smith arroba gmail punto com", "mi correo es [EMAIL]"),
    ("fr-FR", "écris à jo arobase orange point fr", "écris à [EMAIL]"),
    ("it-IT", "scrivi a jo chiocciola libero punto it", "scrivi a [EMAIL]"),
    ("nl-NL", "mail jo apenstaartje ziggo punt nl", "mail [EMAIL]"),
    ("de-DE", "meine e-mail ist max punkt muster ät web punkt de", "meine e-mail ist [EMAIL]"),
    ("en-US", "write to jo (at) example [dot] com", "write to [EMAIL]"),
    ("en-US", "jo(at)example(dot)com", "[EMAIL]"),
    ("pt-BR", "meu e-mail é jo arroba uol ponto com ponto br", "meu e-mail é [EMAIL]"),
    ("ja-JP", "jo アットマーク docomo ドット ne ドット jp に送って", "[EMAIL] に送って"),
]


NAMES = [
    ("en-US", "call john smith", "call [NAME]"),
    ("en-US", "text melissa I'm on my way", "text [NAME] I'm on my way"),
    ("en-US", "my name is waida talwar", "my name is [NAME]"),
    ("en-US", "remind me about Paul Murphy's birthday", "remind me about [NAME]'s birthday"),
    ("en-US", "Calling Sarah.", "Calling [NAME]."),
    ("en-US", "call aunt linda", "call aunt [NAME]"),
    ("de-DE", "ruf thomas an", "ruf [NAME] an"),
    ("fr-FR", "appelle Marine", "appelle [NAME]"),
    ("es-ES", "llama a carlos", "llama a [NAME]"),
    ("it-IT", "chiama giulia", "chiama [NAME]"),
    ("ja-JP", "田中さんに電話して", "[NAME]さんに電話して"),
]


ADDRESSES = [
    ("en-US", "navigate to 12 main street please", "navigate to [ADDRESS] please"),
    ("en-US", "deliver it to 3240 Meadow Drive, Springfield, IL 62704", "deliver it to [ADDRESS]"),
    ("de-DE", "meine adresse ist Hauptstraße 12, 10115 Berlin", "meine adresse ist [ADDRESS]"),
    ("fr-FR", "emmène-moi au 12 rue de la Paix", "emmène-moi au [ADDRESS]"),
    ("it-IT", "portami in Via Roma 10", "portami in [ADDRESS]"),
    ("it-IT", "portami in via dei tigli 124", "portami in [ADDRESS]"),  # ASR's lower case
    ("nl-NL", "mijn adres is Kerkstraat 12", "mijn adres is [ADDRESS]"),
    ("en-US", "send it to P.O. Box 1234", "send it to [ADDRESS]"),
]


KEPT = [
    ("en-US", "call mom"),
    ("en-US", "play Frank Sinatra"),
    ("en-US", "add bread to my list"),
    ("en-US", "play something by Taylor Swift"),
    ("en-US", "what is the weather in Paris"),
    ("en-US", "This is Dreams by Fleetwood Mac."),
    ("en-US", "call the office"),
    ("en-US", "room 101"),
    ("en-US", "turn the volume to 5 on the way"),
    ("en-US", "the meeting is on 2024-12-25 at 10:30"),
    ("de-DE", "ruf mama an"),
    ("ja-JP", "お母さんに電話して"),
]


@pytest.mark.parametrize(("locale", "text"), KEPT)
def test_kept_on_purpose(locale: str, text: str) -> None:
    assert both(text, locale) == text


def test_every_default_locale_is_readable() -> None:
    assert not unreadable_locales(DEFAULT_ALLOWED_LOCALES)
    assert unreadable_locales(["en-US", "sv-SE", "zh-CN"]) == ["sv-SE", "zh-CN"]
    assert set(READABLE_LANGUAGES) >= {"en", "de", "fr", "es", "it", "nl", "pt", "ja"}


def test_configuration_refuses_a_locale_redaction_cannot_read(tmp_path) -> None:
    import json

    from utterance_governance.policy import Policy, load_policy

    assert Policy().allowed_locales == DEFAULT_ALLOWED_LOCALES
    with pytest.raises(ValueError, match=r"sv-SE.*cannot read"):
        Policy(allowed_locales=("en-US", "sv-SE"))
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"allowed_locales": ["de-DE", "zh-CN"]}))
    with pytest.raises(ValueError, match="zh-CN"):
        load_policy(str(path))


# Each table's cases, named "<table>-<locale>-<text>": spoken numbers in every allowed
# language, national phone formats, IBANs and national ids, spelled-out e-mails, names, addresses.
REDACTED = {
    "spoken": SPOKEN,
    "national": NATIONAL,
    "ids": IDS,
    "emails": EMAILS,
    "names": NAMES,
    "addresses": ADDRESSES,
}


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        pytest.param(*case, id=f"{table}-{case[0]}-{case[1][:40]}")
        for table, cases in REDACTED.items()
        for case in cases
    ],
)
def test_redacted(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected
