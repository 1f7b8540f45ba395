"""Generate tests/data/redaction_corpus.jsonl: labelled sentences redaction was not written against.

Two parts, both from fixed seeds (re-running gives the same file):

- ``presidio``: sentences from presidio-evaluator's ``PresidioSentenceFaker`` (its templates and
  its Faker-based providers, locale en_US), with the labelled spans it reports;
- ``ug``: our own multilingual and spoken sentences for every allowed locale: numbers spelled
  by ``num2words`` (not by our own lexicons), national formats from Faker's locales, checksummed
  national identity numbers and IBANs, Unicode variants (full-width digits, zero-width and
  no-break separators, full-width ``@``), spelled-out e-mail addresses, names and addresses in
  voice-assistant requests, and benign requests (numbers that must be kept).

Each line: ``{"id", "source", "locale", "text", "spans": [{"type", "value"}], "benign"}``;
``type`` is ours (EMAIL, PHONE, CARD, SSN, IP, IBAN, NATIONAL_ID, NAME, ADDRESS, or a type we
report but do not redact: URL, DRIVER_LICENSE, ...). ``benign`` sentences hold no identifier
of a redacted type; ``kind`` tags our own sentences (``spoken_benign`` ...).

The generator is a development tool only (presidio-evaluator pulls spaCy); CI reads the
committed file. To regenerate, in a throwaway environment:

    uv venv /tmp/pe && uv pip install --python /tmp/pe/bin/python presidio-evaluator==0.3.2 \
        num2words==0.5.14 phonenumbers python-stdnum
    /tmp/pe/bin/python scripts/make_redaction_corpus.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "redaction_corpus.jsonl"
PRESIDIO_SENTENCES = 6000
SEED = 20261128

# presidio-evaluator's entity types -> ours (types we do not redact keep a name of their own)
PRESIDIO_TYPES = {
    "PERSON": "NAME",
    "STREET_ADDRESS": "ADDRESS",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "CARD",
    "US_SSN": "SSN",
    "IP_ADDRESS": "IP",
    "IBAN_CODE": "IBAN",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DOMAIN_NAME": "URL",
}
REDACTED_TYPES = {"EMAIL", "PHONE", "CARD", "SSN", "IP", "IBAN", "NATIONAL_ID", "NAME", "ADDRESS"}


def presidio_rows() -> list[dict]:
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    faker = PresidioSentenceFaker(locale="en_US", lower_case_ratio=0.05, random_seed=SEED)
    rows = []
    for i, sample in enumerate(faker.generate_new_fake_sentences(PRESIDIO_SENTENCES)):
        spans = [
            {"type": PRESIDIO_TYPES.get(s.entity_type, s.entity_type), "value": _unescape(s.entity_value)}
            for s in sorted(sample.spans, key=lambda s: s.start_position)
        ]
        rows.append(_row(f"presidio-{i:05d}", "presidio", "en-US", _unescape(sample.full_text), spans))
    return rows


def _unescape(text: str) -> str:
    """The line breaks and commas presidio-evaluator's templates write escaped (``\\n``, ``\\,``)."""
    return text.replace("\\n", "\n").replace("\\,", ",")


def _row(id_: str, source: str, locale: str, text: str, spans: list[dict], kind: str = "") -> dict:
    benign = not any(s["type"] in REDACTED_TYPES for s in spans)
    row = {"id": id_, "source": source, "locale": locale, "text": text, "spans": spans, "benign": benign}
    if kind:
        row["kind"] = kind
    return row


# --- our own sentences ------------------------------------------------------------------------

LOCALES = {  # locale -> (num2words language, Faker locale, phonenumbers region)
    "en-US": ("en", "en_US", "US"), "en-GB": ("en", "en_GB", "GB"), "en-IE": ("en", "en_IE", "IE"),
    "en-AU": ("en", "en_AU", "AU"), "en-CA": ("en", "en_CA", "CA"), "en-IN": ("en", "en_IN", "IN"),
    "de-DE": ("de", "de_DE", "DE"), "de-AT": ("de", "de_AT", "AT"), "fr-FR": ("fr", "fr_FR", "FR"),
    "fr-CA": ("fr", "fr_CA", "CA"), "es-ES": ("es", "es_ES", "ES"), "es-MX": ("es", "es_MX", "MX"),
    "es-US": ("es", "es_MX", "US"), "it-IT": ("it", "it_IT", "IT"), "nl-NL": ("nl", "nl_NL", "NL"),
    "pt-BR": ("pt_BR", "pt_BR", "BR"), "ja-JP": ("ja", "ja_JP", "JP"),
}  # fmt: skip

# Request frames per language: {x} is the identifier.
PHONE_FRAMES = {
    "en": ["call {x}", "my number is {x}", "text {x} that I'm late", "dial {x} please"],
    "de": ["ruf {x} an", "meine nummer ist {x}", "wähle {x}"],
    "fr": ["appelle le {x}", "mon numéro est le {x}", "compose le {x}"],
    "es": ["llama al {x}", "mi número es {x}", "marca el {x}"],
    "it": ["chiama il {x}", "il mio numero è {x}", "componi {x}"],
    "nl": ["bel {x}", "mijn nummer is {x}", "draai {x}"],
    "pt_BR": ["liga para {x}", "meu número é {x}", "disca {x}"],
    "ja": ["{x}に電話して", "私の番号は{x}です"],
}
ID_FRAMES = {
    "en": ["my id number is {x}", "the number on my card is {x}"],
    "de": ["meine steuer-id ist {x}", "die nummer lautet {x}"],
    "fr": ["mon numéro de sécurité sociale est {x}", "le numéro est {x}"],
    "es": ["mi dni es {x}", "el número es {x}"],
    "it": ["il mio codice fiscale è {x}", "il numero è {x}"],
    "nl": ["mijn bsn is {x}", "het nummer is {x}"],
    "pt_BR": ["meu cpf é {x}", "o número é {x}"],
    "ja": ["マイナンバーは{x}です"],
}
IBAN_FRAMES = {
    "en": ["send the money to {x}", "my iban is {x}"],
    "de": ["überweise es auf {x}", "meine iban ist {x}"],
    "fr": ["mon iban est {x}", "fais un virement sur {x}"],
    "es": ["mi iban es {x}", "transfiere a {x}"],
    "it": ["il mio iban è {x}"],
    "nl": ["mijn iban is {x}", "maak het over naar {x}"],
    "pt_BR": ["meu iban é {x}"],
    "ja": ["IBANは{x}です"],
}
EMAIL_FRAMES = {
    "en": ["email it to {x}", "my address is {x}", "send the invite to {x}"],
    "de": ["schick es an {x}", "meine e-mail ist {x}"],
    "fr": ["envoie-le à {x}", "mon adresse mail est {x}"],
    "es": ["envíalo a {x}", "mi correo es {x}"],
    "it": ["mandalo a {x}", "la mia email è {x}"],
    "nl": ["stuur het naar {x}", "mijn e-mail is {x}"],
    "pt_BR": ["manda para {x}", "meu e-mail é {x}"],
    "ja": ["{x}に送って", "メールは{x}です"],
}
SPOKEN_EMAIL = {  # (at, dot) as people say them
    "en": [("at", "dot"), ("(at)", "(dot)"), ("[at]", "[dot]")],
    "de": [("at", "punkt"), ("ät", "punkt"), ("(at)", "(punkt)")],
    "fr": [("arobase", "point"), ("at", "point")],
    "es": [("arroba", "punto")],
    "it": [("chiocciola", "punto"), ("at", "punto")],
    "nl": [("apenstaartje", "punt"), ("at", "punt")],
    "pt_BR": [("arroba", "ponto")],
    "ja": [("アットマーク", "ドット")],
}
NAME_FRAMES = {
    "en": [
        "call {x}",
        "text {x} I'm on my way",
        "tell {x} dinner is ready",
        "my name is {x}",
        "this is {x}",
        "remind me about {x}'s birthday",
        "send a message to {x}",
        "email {x} the photos",
    ],
    "de": [
        "ruf {x} an",
        "schreib {x} dass ich später komme",
        "mein name ist {x}",
        "erinnere mich an {x}s geburtstag",
    ],
    "fr": ["appelle {x}", "envoie un message à {x}", "je m'appelle {x}", "dis à {x} que le dîner est prêt"],
    "es": ["llama a {x}", "manda un mensaje a {x}", "me llamo {x}", "dile a {x} que voy tarde"],
    "it": ["chiama {x}", "scrivi a {x} che arrivo", "mi chiamo {x}"],
    "nl": ["bel {x}", "stuur {x} een bericht", "mijn naam is {x}"],
    "pt_BR": ["liga para {x}", "manda uma mensagem para {x}", "meu nome é {x}"],
}
ADDRESS_FRAMES = {
    "en": ["navigate to {x}", "my address is {x}", "deliver it to {x}", "how far is {x}"],
    "de": ["navigiere zu {x}", "meine adresse ist {x}", "liefere es an {x}"],
    "fr": ["emmène-moi au {x}", "mon adresse est {x}", "livre-le au {x}"],
    "es": ["llévame a {x}", "mi dirección es {x}", "envíalo a {x}"],
    "it": ["portami in {x}", "il mio indirizzo è {x}"],
    "nl": ["navigeer naar {x}", "mijn adres is {x}"],
    "pt_BR": ["me leva para {x}", "meu endereço é {x}"],
}
BENIGN = {
    "en": ["set a timer for {n} minutes", "add {n} eggs to my list", "what's {n} times {m}",
           "turn the volume to {n}", "remind me in {n} minutes", "it is {n} degrees outside",
           "call mom", "play Frank Sinatra", "add bread to my list", "play the top {n} hits",
           "call the office", "what is the weather in Paris", "play something by Taylor Swift",
           "set an alarm for {n} thirty", "how old is Tom Hanks", "buy it at amazon dot com",
           "count from {n} to {m}", "the year {y}", "I was born in {y}"],
    "de": ["stell einen timer auf {n} minuten", "füge {n} eier zur einkaufsliste hinzu",
           "wie viel ist {n} mal {m}", "ruf mama an", "spiel musik von Helene Fischer",
           "stell den wecker auf {n} uhr", "es sind {n} grad draußen", "im jahr {y}"],
    "fr": ["mets un minuteur de {n} minutes", "ajoute {n} œufs à ma liste", "combien font {n} fois {m}",
           "appelle maman", "joue du Édith Piaf", "réveille-moi à {n} heures", "en {y}"],
    "es": ["pon un temporizador de {n} minutos", "añade {n} huevos a la lista", "cuánto es {n} por {m}",
           "llama a mamá", "pon música de Shakira", "despiértame a las {n}", "en el año {y}"],
    "it": ["imposta un timer di {n} minuti", "aggiungi {n} uova alla lista", "quanto fa {n} per {m}",
           "chiama la mamma", "metti una canzone di Laura Pausini", "nel {y}"],
    "nl": ["zet een timer voor {n} minuten", "voeg {n} eieren toe aan mijn lijst", "hoeveel is {n} keer {m}",
           "bel mama", "speel muziek van André Hazes", "in {y}"],
    "pt_BR": ["coloca um timer de {n} minutos", "adiciona {n} ovos na lista", "quanto é {n} vezes {m}",
              "liga para a mãe", "toca Anitta", "em {y}"],
    "ja": ["{n}分のタイマーをセットして", "卵を{n}個リストに追加して", "お母さんに電話して", "{y}年の出来事"],
}  # fmt: skip


class Ours:
    def __init__(self, rng: random.Random) -> None:
        import phonenumbers
        from faker import Faker
        from num2words import num2words

        self.rng = rng
        self.pn = phonenumbers
        self.words = num2words
        self.fakers = {}
        for locale, (_, faker_locale, _) in LOCALES.items():
            faker = Faker(faker_locale)
            faker.seed_instance(rng.randrange(1 << 30))
            self.fakers[locale] = faker
        self.rows: list[dict] = []

    def add(self, locale: str, text: str, spans: list[tuple[str, str]], kind: str) -> None:
        self.rows.append(
            _row(
                f"ug-{len(self.rows):05d}",
                "ug",
                locale,
                text,
                [{"type": t, "value": v} for t, v in spans],
                kind,
            )
        )

    def frame(self, frames: dict, lang: str) -> str:
        return self.rng.choice(frames.get(lang) or frames["en"])

    # numbers -----------------------------------------------------------------------------
    def phone_digits(self, region: str) -> tuple[str, str, str]:
        """(national format, international format, national digits) of a valid random number."""
        pn = self.pn
        kinds = [pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE]
        example = pn.example_number_for_type(region, self.rng.choice(kinds)) or pn.example_number(region)
        national = str(example.national_number)
        for _ in range(200):
            keep = max(2, len(national) - 5)
            candidate = national[:keep] + "".join(str(self.rng.randrange(10)) for _ in national[keep:])
            number = pn.parse(candidate, region) if candidate else example
            if pn.is_valid_number(number):
                break
        else:
            number = example
        fmt_nat = pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
        fmt_int = pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
        digits = "".join(c for c in fmt_nat if c.isdigit())
        return fmt_nat, fmt_int, digits

    def spell_digits(self, digits: str, lang: str, pairs: bool) -> str:
        if lang == "ja":
            kanji = "〇一二三四五六七八九"
            return "".join(kanji[int(d)] for d in digits)
        if lang == "de":  # Germans say "zwo" for two on the phone, as often as "zwei"
            one = {d: self.words(int(d), lang=lang) for d in "0123456789"}
        else:
            one = {d: self.words(int(d), lang=lang) for d in "0123456789"}
        if not pairs:
            return " ".join(one[d] for d in digits)
        parts = []
        i = 0
        if digits.startswith("0"):
            parts.append(one["0"] + " " + one[digits[1]])
            i = 2
        while i < len(digits):
            chunk = digits[i : i + 2]
            if len(chunk) == 2 and chunk[0] != "0":
                parts.append(self.words(int(chunk), lang=lang))
            else:
                parts.append(" ".join(one[d] for d in chunk))
            i += 2
        return ", ".join(parts) if self.rng.random() < 0.5 else " ".join(parts)

    def phones(self, n_per_locale: int) -> None:
        for locale, (lang, _, region) in LOCALES.items():
            for _ in range(n_per_locale):
                nat, intl, digits = self.phone_digits(region)
                choice = self.rng.random()
                if choice < 0.3:
                    value, kind = nat, "phone_national"
                elif choice < 0.45:
                    value, kind = intl, "phone_international"
                else:
                    value = self.spell_digits(
                        digits, lang, pairs=lang in ("fr", "ja") or self.rng.random() < 0.3
                    )
                    kind = "phone_spoken"
                self.add(locale, self.frame(PHONE_FRAMES, lang).format(x=value), [("PHONE", value)], kind)

    def unicode_variants(self) -> None:
        fullwidth = str.maketrans("0123456789@-", "０１２３４５６７８９＠－")
        cases = [
            ("en-US", "call {x}", "555-234-5678", "PHONE", lambda v: v.translate(fullwidth)),
            ("en-US", "my number is {x}", "(415) 555-0132", "PHONE", lambda v: v.translate(fullwidth)),
            ("en-US", "my card is {x}", "4111 1111 1111 1111", "CARD", lambda v: v.replace(" ", "\u200b")),
            ("en-US", "pay with {x}", "5555555555554444", "CARD", lambda v: "\u200b".join(v[i : i + 4] for i in range(0, 16, 4))),
            ("fr-FR", "appelle le {x}", "06 12 34 56 78", "PHONE", lambda v: v.replace(" ", "\u00a0")),
            ("de-DE", "ruf {x} an", "030 12345678", "PHONE", lambda v: v.replace(" ", "\u202f")),
            ("en-US", "mail {x}", "kim@example.com", "EMAIL", lambda v: v.translate(fullwidth)),
            ("ja-JP", "{x}に電話して", "090-1234-5678", "PHONE", lambda v: v.translate(fullwidth)),
            ("en-US", "my social is {x}", "123-45-6789", "SSN", lambda v: v.translate(fullwidth)),
            ("en-GB", "my card is {x}", "4111-1111-1111-1111", "CARD", lambda v: v.replace("-", "\u2011")),
            ("en-US", "email {x}", "jo.smith@example.org", "EMAIL", lambda v: v.replace(".", "\u200b.")),
            ("en-US", "my ip is {x}", "192.168.10.20", "IP", lambda v: v.translate(fullwidth)),
            ("de-DE", "meine iban ist {x}", "DE89 3704 0044 0532 0130 00", "IBAN", lambda v: v.replace(" ", "\u00a0")),
        ]  # fmt: skip
        for locale, frame, value, type_, variant in cases:
            shown = variant(value)
            self.add(locale, frame.format(x=shown), [(type_, shown)], "unicode")

    def national_ids(self, n_per_country: int) -> None:
        from stdnum import luhn
        from stdnum.br import cpf
        from stdnum.de import idnr
        from stdnum.es import dni, nie
        from stdnum.fr import nir
        from stdnum.in_ import aadhaar
        from stdnum.it import codicefiscale
        from stdnum.nl import bsn

        rng = self.rng

        def digits(n: int, first: str = "123456789") -> str:
            return rng.choice(first) + "".join(str(rng.randrange(10)) for _ in range(n - 1))

        def until(make, valid):
            for _ in range(1000):
                value = make()
                if valid(value):
                    return value
            raise RuntimeError("no valid number")

        def make_cf() -> str:
            letters = "BCDFGLMNPRSTVZ"
            body = (
                "".join(rng.choice(letters) for _ in range(6))
                + f"{rng.randrange(40, 99):02d}"
                + rng.choice("ABCDEHLMPRST")
                + f"{rng.randrange(1, 28):02d}"
                + rng.choice("ABCDEFGHLM")
                + f"{rng.randrange(100, 999):03d}"
            )
            return body + codicefiscale.calc_check_digit(body)

        def make_nir() -> str:
            body = rng.choice("12") + f"{rng.randrange(40, 99):02d}{rng.randrange(1, 12):02d}" + digits(8)
            return body + nir.calc_check_digits(body)

        def make_sin() -> str:
            body = digits(8, "1234579")
            return body + luhn.calc_check_digit(body)

        generators = {
            "de-DE": lambda: idnr.format(until(lambda: digits(11), idnr.is_valid)),
            "fr-FR": lambda: nir.format(until(make_nir, nir.is_valid)),
            "es-ES": lambda: rng.choice(
                [until(lambda: (b := digits(8)) + dni.calc_check_digit(b), dni.is_valid),
                 until(lambda: (p := rng.choice("XYZ")) + (b := digits(7)) + nie.calc_check_digit(p + b), nie.is_valid)]
            ),
            "it-IT": lambda: until(make_cf, codicefiscale.is_valid),
            "nl-NL": lambda: until(lambda: digits(9), bsn.is_valid),
            "pt-BR": lambda: cpf.format(until(lambda: digits(11), cpf.is_valid)),
            "en-IN": lambda: aadhaar.format(until(lambda: digits(12, "23456789"), aadhaar.is_valid)),
            "en-CA": lambda: " ".join((s := until(make_sin, lambda v: luhn.is_valid(v)))[i : i + 3] for i in (0, 3, 6)),
        }  # fmt: skip
        for locale, make in generators.items():
            lang = LOCALES[locale][0]
            for _ in range(n_per_country):
                value = make()
                self.add(
                    locale,
                    self.frame(ID_FRAMES, lang).format(x=value),
                    [("NATIONAL_ID", value)],
                    "national_id",
                )

    def ibans(self, n_per_locale: int) -> None:
        from stdnum import iban

        for locale, (lang, _, _) in LOCALES.items():
            faker = self.fakers[locale]
            for _ in range(n_per_locale):
                value = faker.iban()
                if not iban.is_valid(value):
                    continue
                if self.rng.random() < 0.5:
                    value = iban.format(value)
                self.add(locale, self.frame(IBAN_FRAMES, lang).format(x=value), [("IBAN", value)], "iban")

    def emails(self, n_per_locale: int) -> None:
        for locale, (lang, _, _) in LOCALES.items():
            faker = self.fakers[locale]
            for _ in range(n_per_locale):
                user = faker.user_name() if lang != "ja" else faker.romanized_name().lower().replace(" ", ".")
                domain = self.rng.choice(["gmail.com", "outlook.com", "web.de", "orange.fr", "yahoo.es",
                                          "libero.it", "ziggo.nl", "uol.com.br", "docomo.ne.jp", faker.free_email_domain()])  # fmt: skip
                at, dot = self.rng.choice(SPOKEN_EMAIL[lang])
                if self.rng.random() < 0.3:
                    value = f"{user}@{domain}"
                    kind = "email_written"
                else:
                    spoken_user = user.replace(".", f" {dot} ").replace("_", " underscore ")
                    value = f"{spoken_user} {at} {domain.replace('.', f' {dot} ')}"
                    kind = "email_spoken"
                self.add(locale, self.frame(EMAIL_FRAMES, lang).format(x=value), [("EMAIL", value)], kind)

    def names(self, n_per_locale: int) -> None:
        for locale, (lang, _, _) in LOCALES.items():
            if lang == "ja":
                continue
            faker = self.fakers[locale]
            for _ in range(n_per_locale):
                name = (
                    faker.first_name()
                    if self.rng.random() < 0.5
                    else f"{faker.first_name()} {faker.last_name()}"
                )
                if self.rng.random() < 0.5:
                    name = name.lower()  # as ASR writes it
                self.add(locale, self.frame(NAME_FRAMES, lang).format(x=name), [("NAME", name)], "name")

    def addresses(self, n_per_locale: int) -> None:
        for locale, (lang, _, _) in LOCALES.items():
            if lang == "ja":
                continue
            faker = self.fakers[locale]
            for _ in range(n_per_locale):
                street = faker.street_address().replace("\n", " ")
                value = street if self.rng.random() < 0.5 else f"{street}, {faker.postcode()} {faker.city()}"
                self.add(
                    locale, self.frame(ADDRESS_FRAMES, lang).format(x=value), [("ADDRESS", value)], "address"
                )

    def benign(self, n_per_locale: int) -> None:
        for locale, (lang, _, _) in LOCALES.items():
            for _ in range(n_per_locale):
                frame = self.rng.choice(BENIGN.get(lang) or BENIGN["en"])
                n, m = self.rng.randrange(1, 100), self.rng.randrange(2, 20)
                year = self.rng.randrange(1950, 2030)
                spoken = self.rng.random() < 0.7 and lang != "ja"
                fill = {
                    "n": self.words(n, lang=lang) if spoken else str(n),
                    "m": self.words(m, lang=lang) if spoken else str(m),
                    "y": self.words(year, lang=lang, to="year") if spoken and lang == "en" else str(year),
                }
                kind = "spoken_benign" if spoken and "{" in frame else "benign"
                self.add(locale, frame.format(**fill), [], kind)


def our_rows() -> list[dict]:
    ours = Ours(random.Random(SEED))
    ours.phones(25)
    ours.unicode_variants()
    ours.national_ids(25)
    ours.ibans(6)
    ours.emails(12)
    ours.names(20)
    ours.addresses(15)
    ours.benign(40)
    return ours.rows


def main() -> int:
    rows = presidio_rows() + our_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
