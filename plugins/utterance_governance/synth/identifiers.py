"""Personal identifiers as customers say them: written (emails, phone numbers, Luhn-valid card
numbers, SSNs, IP addresses, street addresses) and spoken ("call five five five one two three four", "oh seven
seven double oh nine ..."), in sentences of the customer's language, sometimes echoed back in
the assistant's reply. Every value is drawn from the caller's random generator.
"""

from __future__ import annotations

import numpy as np

from .templates import SPOKEN_DIGITS, number_words

# kind -> locales whose customers produce it
IDENTIFIER_KINDS: dict[str, tuple[str, ...]] = {
    "email": ("en-US", "en-GB", "en-IE", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR"),
    "email_spoken": ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES"),
    "phone_parenthesised": ("en-US", "en-CA"),
    "phone_international": (
        "en-US",
        "en-GB",
        "en-IE",
        "de-DE",
        "fr-FR",
        "es-ES",
        "it-IT",
        "nl-NL",
        "pt-BR",
        "ja-JP",
    ),
    "phone_spoken": ("en-US", "de-DE", "fr-FR", "es-ES"),
    "phone_spoken_double_oh": ("en-GB", "en-IE", "en-AU"),
    "card": ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES"),
    "card_spoken": ("en-US", "en-GB"),
    "ssn": ("en-US",),
    "ssn_spoken": ("en-US",),
    "ip": ("en-US", "en-GB", "de-DE"),
    "address": ("en-US", "en-GB", "en-AU", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR"),
}

_FIRST = ["jane", "john", "maria", "david", "sarah", "michael", "emma", "lukas", "camille", "lucia",
          "aoife", "oliver", "priya", "chen", "sofia", "noah", "hannah", "mateo", "julia", "tom"]  # fmt: skip
_LAST = ["doe", "smith", "garcia", "mueller", "martin", "murphy", "patel", "brown", "rossi", "schmidt",
         "dubois", "lopez", "wilson", "kelly", "nguyen", "fischer", "moreau", "fernandez", "taylor", "jones"]  # fmt: skip
_DOMAINS = {
    "en": [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "icloud.com",
        "hotmail.co.uk",
        "proton.me",
        "comcast.net",
    ],
    "de": ["gmx.de", "web.de", "t-online.de", "gmail.com", "posteo.de"],
    "fr": ["orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr"],
    "es": ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net"],
    "it": ["gmail.com", "libero.it", "alice.it", "virgilio.it"],
    "nl": ["gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl"],
    "pt": ["gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"],
}
# street names of our own (trees, birds, trades: no person's name, nothing redaction's gazetteer lists)
_STREETS = ["maple", "cedar", "willow", "heron", "lark", "quarry", "orchard", "meadow", "harbor",
            "mill", "tanner", "cooper", "granite", "juniper", "sycamore", "falcon", "ridge", "spring"]  # fmt: skip
_STREET_TYPES = {"en": ["street", "avenue", "road", "lane", "drive", "boulevard"]}
_STRASSEN = ["linden", "birken", "eichen", "mühlen", "garten", "schul", "berg", "wiesen", "kirch", "bahnhof"]
_RUES = ["des lilas", "du moulin", "de la gare", "des écoles", "du port", "des tilleuls", "du marché"]
_CALLES = ["mayor", "del sol", "de la luna", "real", "nueva", "del mar", "de los olivos"]
_VIE = ["roma", "garibaldi", "dei mille", "del corso", "della stazione", "dei tigli"]
_STRATEN = ["linden", "beuken", "eiken", "molen", "kerk", "school", "haven"]
_RUAS = ["das flores", "do sol", "da praia", "das palmeiras", "do comércio", "da estação"]
_SPOKEN_EMAIL = {
    "en": ("dot", "at", "underscore"),
    "de": ("punkt", "at", "unterstrich"),
    "fr": ("point", "arobase", "tiret du bas"),
    "es": ("punto", "arroba", "guion bajo"),
    "it": ("punto", "chiocciola", "trattino basso"),
    "nl": ("punt", "apenstaartje", "underscore"),
    "pt": ("ponto", "arroba", "underline"),
}


def _pick(rng: np.random.Generator, values):
    return values[int(rng.integers(len(values)))]


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these sit left of the check digit at odd distance
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if c.isdigit()]
    return len(digits) >= 12 and luhn_check_digit("".join(digits[:-1])) == digits[-1]


def card_number(rng: np.random.Generator) -> str:
    """A Luhn-valid Visa, Mastercard or Amex number, without separators."""
    brand = int(rng.integers(3))
    if brand == 0:
        payload = "4" + _digits(rng, 14)
    elif brand == 1:
        payload = str(int(rng.integers(51, 56))) + _digits(rng, 13)
    else:
        payload = _pick(rng, ["34", "37"]) + _digits(rng, 12)
    return payload + luhn_check_digit(payload)


def format_card(number: str, rng: np.random.Generator) -> str:
    sep = _pick(rng, [" ", "-", "", " "])
    groups = (
        [number[:4], number[4:10], number[10:]]
        if len(number) == 15
        else [number[i : i + 4] for i in range(0, 16, 4)]
    )
    return sep.join(groups)


def email_address(rng: np.random.Generator, lang: str) -> tuple[str, str]:
    """(written, spoken) forms of a plausible personal email address."""
    first, last = _pick(rng, _FIRST), _pick(rng, _LAST)
    domain = _pick(rng, _DOMAINS.get(lang, _DOMAINS["en"]))
    style = int(rng.integers(4))
    dot, at, underscore = _SPOKEN_EMAIL.get(lang, _SPOKEN_EMAIL["en"])
    if style == 0:
        local, spoken_local = f"{first}.{last}", f"{first} {dot} {last}"
    elif style == 1:
        n = int(rng.integers(1, 99))
        local, spoken_local = f"{first}{last}{n}", f"{first} {last} {n}"
    elif style == 2:
        local, spoken_local = f"{first[0]}{last}", f"{first[0]} {last}"
    else:
        local, spoken_local = f"{first}_{last}", f"{first} {underscore} {last}"
    spoken_domain = f" {dot} ".join(domain.split("."))
    return f"{local}@{domain}", f"{spoken_local} {at} {spoken_domain}"


def us_phone_digits(rng: np.random.Generator) -> str:
    area = f"{int(rng.integers(2, 10))}{_digits(rng, 2)}"
    exchange = f"{int(rng.integers(2, 10))}{_digits(rng, 2)}"
    return area + exchange + _digits(rng, 4)


def international_phone(rng: np.random.Generator, locale: str) -> str:
    if locale in ("en-GB",):
        return _pick(
            rng, [f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}", f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}"]
        )
    if locale == "en-IE":
        return f"+353 8{int(rng.integers(3, 10))} {_digits(rng, 3)} {_digits(rng, 4)}"
    if locale == "de-DE":
        return _pick(
            rng, [f"+49 30 {_digits(rng, 8)}", f"+49 151 {_digits(rng, 8)}", f"+49 (0)89 {_digits(rng, 7)}"]
        )
    if locale == "fr-FR":
        pairs = " ".join(_digits(rng, 2) for _ in range(4))
        return f"+33 {_pick(rng, ['6', '7', '1'])} {pairs}"
    if locale == "es-ES":
        return f"+34 6{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}"
    if locale == "it-IT":
        return f"+39 3{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 4)}"
    if locale == "nl-NL":
        return f"+31 6 {_digits(rng, 4)} {_digits(rng, 4)}"
    if locale == "pt-BR":
        return f"+55 11 9{_digits(rng, 4)}-{_digits(rng, 4)}"
    if locale == "ja-JP":
        return f"+81 90-{_digits(rng, 4)}-{_digits(rng, 4)}"
    d = us_phone_digits(rng)
    return _pick(
        rng,
        [f"+1 {d[:3]} {d[3:6]} {d[6:]}", f"+1-{d[:3]}-{d[3:6]}-{d[6:]}", f"+1 ({d[:3]}) {d[3:6]}-{d[6:]}"],
    )


def spoken_digits(digits: str, lang: str, rng: np.random.Generator, *, british: bool = False) -> str:
    """Digits read out one by one; British style says "oh" and "double"/"triple"; French reads pairs."""
    if lang == "fr":
        head = [SPOKEN_DIGITS["fr"][int(digits[0])]] if len(digits) % 2 else []
        rest = digits[len(head) :]
        pairs = [rest[i : i + 2] for i in range(0, len(rest), 2)]
        words = [
            ("zéro " + SPOKEN_DIGITS["fr"][int(p[1])]) if p[0] == "0" else number_words(int(p), "fr")
            for p in pairs
        ]
        return " ".join(head + words)
    names = list(SPOKEN_DIGITS.get(lang, SPOKEN_DIGITS["en"]))
    if lang == "en" and (british or rng.random() < 0.5):
        names[0] = "oh"
    out, i = [], 0
    while i < len(digits):
        run = 1
        while i + run < len(digits) and digits[i + run] == digits[i] and run < 3:
            run += 1
        word = names[int(digits[i])]
        if british and run == 3:
            out.append(f"triple {word}")
        elif british and run == 2:
            out.append(f"double {word}")
        else:
            out.extend([word] * run)
        i += run
    return " ".join(out)


def ssn(rng: np.random.Generator) -> str:
    area = int(rng.integers(1, 900))
    if area == 666:
        area = 667
    return f"{area:03d}-{int(rng.integers(1, 100)):02d}-{int(rng.integers(1, 10000)):04d}"


def ip_address(rng: np.random.Generator) -> str:
    kind = int(rng.integers(3))
    if kind == 0:
        return f"192.168.{int(rng.integers(0, 3))}.{int(rng.integers(2, 255))}"
    if kind == 1:
        return f"10.{int(rng.integers(0, 256))}.{int(rng.integers(0, 256))}.{int(rng.integers(2, 255))}"
    return ".".join(
        str(int(x)) for x in [rng.integers(11, 224), *rng.integers(0, 256, 2), rng.integers(1, 255)]
    )


def identifier_utterance(kind: str, locale: str, rng: np.random.Generator) -> tuple[str, str | None, bool]:
    """(transcript, response, response_has_identifier) for one utterance carrying ``kind``."""
    lang = locale.split("-")[0]
    echo = rng.random() < 0.4
    if kind in ("email", "email_spoken"):
        written, spoken = email_address(rng, lang)
        said = written if kind == "email" else spoken
        transcript = _pick(rng, {
            "en": [f"send an email to {said} saying i'll be late", f"my email address is {said}",
                   f"share my shopping list with {said}", f"forward the flight confirmation to {said}"],
            "de": [f"schick eine e-mail an {said}", f"meine e-mail-adresse ist {said}"],
            "fr": [f"envoie un mail à {said}", f"mon adresse mail c'est {said}"],
            "es": [f"envía un correo a {said}", f"mi correo es {said}"],
            "it": [f"manda una mail a {said}", f"la mia email è {said}"],
            "nl": [f"stuur een mail naar {said}", f"mijn e-mailadres is {said}"],
            "pt": [f"manda um email para {said}", f"meu email é {said}"],
        }[lang])  # fmt: skip
        if echo:
            return transcript, _pick(rng, {
                "en": [f"OK, I'll send it to {written}.", f"Got it: {written}."],
                "de": [f"Okay, ich schicke es an {written}."], "fr": [f"D'accord, je l'envoie à {written}."],
                "es": [f"Vale, lo envío a {written}."], "it": [f"Va bene, la mando a {written}."],
                "nl": [f"Oké, ik stuur het naar {written}."], "pt": [f"Tá bom, vou mandar para {written}."],
            }[lang]), True  # fmt: skip
        return transcript, {"en": "Sorry, I can't send emails yet.", "de": "Das kann ich leider noch nicht.",
                            "fr": "Désolé, je ne peux pas encore envoyer de mails.",
                            "es": "Lo siento, todavía no puedo enviar correos.",
                            "it": "Mi dispiace, non posso ancora mandare email.",
                            "nl": "Sorry, dat kan ik nog niet.", "pt": "Desculpe, ainda não consigo mandar emails."}[lang], False  # fmt: skip
    if kind in ("phone_parenthesised", "phone_international", "phone_spoken", "phone_spoken_double_oh"):
        if kind == "phone_parenthesised":
            d = us_phone_digits(rng)
            written = _pick(
                rng,
                [f"({d[:3]}) {d[3:6]}-{d[6:]}", f"({d[:3]}) {d[3:6]} {d[6:]}", f"({d[:3]}){d[3:6]}-{d[6:]}"],
            )
            said = written
        elif kind == "phone_international":
            written = said = international_phone(rng, locale)
        elif kind == "phone_spoken_double_oh":
            d = (
                "07"
                + _pick(rng, ["700", "711", "766", "833", "955"])
                + _pick(rng, ["900", "100", "445"])
                + _digits(rng, 3)
            )
            written, said = f"{d[:5]} {d[5:]}", spoken_digits(d, "en", rng, british=True)
        else:
            if lang == "en":
                d = _pick(rng, ["555" + _digits(rng, 4), us_phone_digits(rng)])
                written = f"{d[:3]}-{d[3:]}" if len(d) == 7 else f"{d[:3]}-{d[3:6]}-{d[6:]}"
            elif lang == "fr":
                d = "0" + _pick(rng, ["6", "7", "1"]) + _digits(rng, 8)
                written = " ".join(d[i : i + 2] for i in range(0, 10, 2))
            elif lang == "de":
                d = "01" + _pick(rng, ["51", "60", "76"]) + _digits(rng, 7)
                written = f"{d[:4]} {d[4:]}"
            else:
                d = "6" + _digits(rng, 8)
                written = f"{d[:3]} {d[3:6]} {d[6:]}"
            said = spoken_digits(d, lang, rng)
        transcript = _pick(rng, {
            "en": [f"call {said}", f"text {said} i'm outside", f"my phone number is {said}",
                   f"add {said} to my contacts as the plumber", f"ring {said}"],
            "de": [f"ruf {said} an", f"meine nummer ist {said}", f"speicher {said} als handwerker"],
            "fr": [f"appelle le {said}", f"mon numéro c'est le {said}"],
            "es": [f"llama al {said}", f"mi número es el {said}"],
            "it": [f"chiama il {said}", f"il mio numero è {said}"],
            "nl": [f"bel {said}", f"mijn nummer is {said}"],
            "pt": [f"liga para {said}", f"meu número é {said}"],
            "ja": [f"{said}に電話して", f"私の番号は{said}です"],
        }[lang])  # fmt: skip
        if echo:
            return transcript, {"en": f"Calling {written}.", "de": f"Ich rufe {written} an.",
                                "fr": f"J'appelle le {written}.", "es": f"Llamando al {written}.",
                                "it": f"Chiamo il {written}.", "nl": f"Ik bel {written}.",
                                "pt": f"Ligando para {written}.", "ja": f"{written}に発信します。"}[lang], True  # fmt: skip
        return transcript, {"en": "OK.", "de": "Okay.", "fr": "D'accord.", "es": "Vale.", "it": "Va bene.",
                            "nl": "Oké.", "pt": "Tá bom.", "ja": "わかりました。"}[lang], False  # fmt: skip
    if kind in ("card", "card_spoken"):
        number = card_number(rng)
        said = format_card(number, rng) if kind == "card" else spoken_digits(number, lang, rng)
        mm, yy = int(rng.integers(1, 13)), int(rng.integers(27, 32))
        transcript = _pick(rng, {
            "en": [f"my card number is {said}", f"pay with card {said} expiring {mm:02d}/{yy}",
                   f"add a new card {said}"],
            "de": [f"meine kartennummer ist {said}", f"bezahl mit der karte {said}"],
            "fr": [f"mon numéro de carte est {said}", f"paye avec la carte {said}"],
            "es": [f"mi número de tarjeta es {said}", f"paga con la tarjeta {said}"],
        }[lang])  # fmt: skip
        return transcript, {"en": "For your security, please add cards in the app, not by voice.",
                            "de": "Bitte füge Karten aus Sicherheitsgründen in der App hinzu.",
                            "fr": "Pour ta sécurité, ajoute plutôt ta carte dans l'application.",
                            "es": "Por seguridad, añade las tarjetas en la aplicación."}[lang], False  # fmt: skip
    if kind in ("ssn", "ssn_spoken"):
        value = ssn(rng)
        said = value if kind == "ssn" else spoken_digits(value.replace("-", ""), "en", rng)
        transcript = _pick(rng, [f"my social security number is {said}", f"my ssn is {said}",
                                 f"use social {said} for the tax form"])  # fmt: skip
        return transcript, "For your security, please don't share your Social Security number with me.", False
    if kind == "ip":
        value = ip_address(rng)
        transcript = _pick(rng, {
            "en": [f"block {value} on my router", f"what's the location of ip address {value}",
                   f"set my dns server to {value}", f"ping {value}"],
            "de": [f"blockiere {value} im router", f"wo steht der server {value}"],
        }[lang])  # fmt: skip
        if echo:
            return transcript, {"en": f"OK, I've blocked {value} on your network.",
                                "de": f"Okay, {value} ist jetzt blockiert."}[lang], True  # fmt: skip
        return (
            transcript,
            {"en": "Sorry, I can't help with that yet.", "de": "Das kann ich leider nicht."}[lang],
            False,
        )
    if kind == "address":
        return _address_utterance(lang, rng)
    raise ValueError(f"unknown identifier kind {kind!r}")


def _address_utterance(lang: str, rng: np.random.Generator) -> tuple[str, str | None, bool]:
    """A street address in a navigation or delivery request, as each country writes it."""
    n = int(rng.integers(1, 200)) if rng.random() < 0.6 else int(rng.integers(200, 9999))
    if lang == "en":
        place = f"{n} {_pick(rng, _STREETS)} {_pick(rng, _STREET_TYPES['en'])}"
        transcript = _pick(rng, [f"navigate to {place}", f"my address is {place}",
                                 f"send the package to {place}", f"how far is {place}"])  # fmt: skip
        return transcript, f"Starting directions to {place.title()}.", True
    place, transcript, response = {
        "de": (f"{_pick(rng, _STRASSEN)}straße {n}", "navigiere zur {p}", "Die Route zur {P} startet."),
        "fr": (f"{n} rue {_pick(rng, _RUES)}", "emmène-moi au {p}", "C'est parti pour le {p}."),
        "es": (f"calle {_pick(rng, _CALLES)} {n}", "llévame a la {p}", "Iniciando la ruta a la {P}."),
        "it": (f"via {_pick(rng, _VIE)} {n}", "portami in {p}", "Avvio il percorso per {P}."),
        "nl": (f"{_pick(rng, _STRATEN)}straat {n}", "navigeer naar de {p}", "Route naar de {P} gestart."),
        "pt": (f"rua {_pick(rng, _RUAS)} {n}", "me leva para a {p}", "Iniciando rota para a {P}."),
    }[lang]
    shown = place[0].upper() + place[1:]
    return transcript.format(p=place), response.format(p=place, P=shown), True
