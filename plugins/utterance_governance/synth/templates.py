"""What synthetic customers say and what the assistant answers, per language.

Each template is a transcript (lower case, unpunctuated, as ASR writes it) and a reply
(sentence case, or ``None`` when the device just acts). ``{slot}`` takes a value from the
language's slot pool: a pool entry is either one string or a pair ``(spoken, display)``,
the spoken form going into the transcript and the display form into the reply. Slots named
``{@...}`` come from the row itself (the local clock and weekday at capture time).

Nothing in these tables may contain a double quote, a backslash or a control character:
the bulk JSONL writer embeds them in JSON strings without escaping (checked at import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SLOT_RE = re.compile(r"\{(@?[a-z_0-9]+)\}")

# --------------------------------------------------------------------------------------------
# number words (0..100), for spelled-out durations, quantities and spoken digits
# --------------------------------------------------------------------------------------------
_EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_DE_ONES = [
    "null",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
    "dreizehn",
    "vierzehn",
    "fünfzehn",
    "sechzehn",
    "siebzehn",
    "achtzehn",
    "neunzehn",
]
_DE_TENS = ["_", "_", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"]
_FR_ONES = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_FR_TENS = ["_", "_", "vingt", "trente", "quarante", "cinquante", "soixante"]
_ES_ONES = [
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
]
_ES_TENS = [
    "_",
    "_",
    "veinte",
    "treinta",
    "cuarenta",
    "cincuenta",
    "sesenta",
    "setenta",
    "ochenta",
    "noventa",
]


def number_words(n: int, lang: str) -> str:
    """``n`` (0..100) spelled out in ``lang`` (en, de, fr, es); digits for other languages."""
    if not 0 <= n <= 100:
        raise ValueError(n)
    if lang == "en":
        if n == 100:
            return "one hundred"
        if n < 20:
            return _EN_ONES[n]
        tens, ones = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")
    if lang == "de":
        if n == 100:
            return "hundert"
        if n < 20:
            return _DE_ONES[n]
        tens, ones = divmod(n, 10)
        if not ones:
            return _DE_TENS[tens]
        return ("ein" if ones == 1 else _DE_ONES[ones]) + "und" + _DE_TENS[tens]
    if lang == "fr":
        if n == 100:
            return "cent"
        if n < 20:
            return _FR_ONES[n]
        if n < 70:
            tens, ones = divmod(n, 10)
            if not ones:
                return _FR_TENS[tens]
            return _FR_TENS[tens] + (" et un" if ones == 1 else f"-{_FR_ONES[ones]}")
        if n < 80:
            return "soixante" + (" et onze" if n == 71 else f"-{_FR_ONES[n - 60]}")
        if n == 80:
            return "quatre-vingts"
        return "quatre-vingt-" + _FR_ONES[n - 80]
    if lang == "es":
        if n == 100:
            return "cien"
        if n < 30:
            return _ES_ONES[n]
        tens, ones = divmod(n, 10)
        return _ES_TENS[tens] + (f" y {_ES_ONES[ones]}" if ones else "")
    return str(n)


# Spoken digits, as people read out phone and card numbers.
SPOKEN_DIGITS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "de": ("null", "eins", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "fr": ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
}

# --------------------------------------------------------------------------------------------
# locales: share of customers, language, time zones (weights)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocaleInfo:
    locale: str
    share: float
    lang: str  # template language ("xx" = disallowed-locale phrase book)
    zones: tuple[tuple[str, float], ...]


LOCALES: tuple[LocaleInfo, ...] = (
    LocaleInfo("en-US", 0.36, "en", (("America/New_York", 0.45), ("America/Chicago", 0.3),
                                     ("America/Denver", 0.07), ("America/Los_Angeles", 0.18))),
    LocaleInfo("en-GB", 0.10, "en", (("Europe/London", 1.0),)),
    LocaleInfo("en-IE", 0.015, "en", (("Europe/Dublin", 1.0),)),
    LocaleInfo("en-AU", 0.02, "en", (("Australia/Sydney", 0.7), ("Australia/Perth", 0.3))),
    LocaleInfo("en-CA", 0.025, "en", (("America/Toronto", 0.7), ("America/Vancouver", 0.3))),
    LocaleInfo("en-IN", 0.03, "en", (("Asia/Kolkata", 1.0),)),
    LocaleInfo("de-DE", 0.09, "de", (("Europe/Berlin", 1.0),)),
    LocaleInfo("de-AT", 0.01, "de", (("Europe/Vienna", 1.0),)),
    LocaleInfo("fr-FR", 0.065, "fr", (("Europe/Paris", 1.0),)),
    LocaleInfo("fr-CA", 0.01, "fr", (("America/Toronto", 1.0),)),
    LocaleInfo("es-ES", 0.05, "es", (("Europe/Madrid", 1.0),)),
    LocaleInfo("es-MX", 0.025, "es", (("America/Mexico_City", 1.0),)),
    LocaleInfo("es-US", 0.01, "es", (("America/Los_Angeles", 0.5), ("America/Chicago", 0.5))),
    LocaleInfo("it-IT", 0.04, "it", (("Europe/Rome", 1.0),)),
    LocaleInfo("nl-NL", 0.02, "nl", (("Europe/Amsterdam", 1.0),)),
    LocaleInfo("pt-BR", 0.04, "pt", (("America/Sao_Paulo", 1.0),)),
    LocaleInfo("ja-JP", 0.05, "ja", (("Asia/Tokyo", 1.0),)),
    # well-formed BCP 47 tags the product does not serve (quality:locale)
    LocaleInfo("sv-SE", 0.004, "sv", (("Europe/Stockholm", 1.0),)),
    LocaleInfo("pl-PL", 0.003, "pl", (("Europe/Warsaw", 1.0),)),
    LocaleInfo("ko-KR", 0.003, "ko", (("Asia/Seoul", 1.0),)),
    LocaleInfo("zh-CN", 0.003, "zh", (("Asia/Shanghai", 1.0),)),
    LocaleInfo("tr-TR", 0.002, "tr", (("Europe/Istanbul", 1.0),)),
)  # fmt: skip
LOCALE_INFO = {info.locale: info for info in LOCALES}
DISALLOWED_LOCALES = ("sv-SE", "pl-PL", "ko-KR", "zh-CN", "tr-TR")

# --------------------------------------------------------------------------------------------
# helpers building pools
# --------------------------------------------------------------------------------------------


def _lowered(values: list[str]) -> list[tuple[str, str]]:
    return [(v.lower(), v) for v in values]


def _same(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def _numbers(values) -> list[tuple[str, str]]:
    return [(str(v), str(v)) for v in values]


_QUARTERS = [(h, m) for h in range(5, 23) for m in (0, 15, 30, 45)]


def _clock_en(h: int, m: int) -> tuple[str, str]:
    suffix = "a.m." if h < 12 else "p.m."
    h12 = h % 12 or 12
    display = f"{h12}:{m:02d} {'AM' if h < 12 else 'PM'}"
    if m == 0:
        spoken = f"{number_words(h12, 'en')} {suffix}" if h % 3 else f"{h12} {suffix}"
    elif m == 30 and h % 2:
        spoken = f"{number_words(h12, 'en')} thirty"
    else:
        spoken = f"{h12}:{m:02d} {suffix}"
    return spoken, display


def _clock_de(h: int, m: int) -> tuple[str, str]:
    spoken = f"{number_words(h, 'de')} uhr" if m == 0 and h % 2 else f"{h}:{m:02d} uhr"
    return spoken, f"{h}:{m:02d} Uhr"


def _clock_fr(h: int, m: int) -> tuple[str, str]:
    display = f"{h} h {m:02d}" if m else f"{h} h"
    if m == 0 and h % 2:
        spoken = f"{number_words(h, 'fr')} heure" + ("s" if h > 1 else "")
    else:
        spoken = f"{h}h{m:02d}" if m else f"{h}h"
    return spoken, display


def _clock_es(h: int, m: int) -> tuple[str, str]:
    spoken = f"{number_words(h % 12 or 12, 'es')} y media" if m == 30 and h % 2 else f"{h}:{m:02d}"
    return spoken, f"{h}:{m:02d}"


def _clock_plain(h: int, m: int) -> tuple[str, str]:
    return f"{h}:{m:02d}", f"{h}:{m:02d}"


def _clock_ja(h: int, m: int) -> tuple[str, str]:
    text = f"{h}時{m}分" if m else f"{h}時"
    return text, text


CLOCK_FORMAT = {
    "en": _clock_en, "de": _clock_de, "fr": _clock_fr, "es": _clock_es, "it": _clock_plain,
    "nl": _clock_plain, "pt": _clock_plain, "ja": _clock_ja,
}  # fmt: skip


def local_clock(lang: str, minute_of_day: int) -> str:
    """How the assistant says the time ``minute_of_day`` in ``lang`` (for ``{@clock}``)."""
    h, m = divmod(minute_of_day, 60)
    if lang == "en":
        return f"{h % 12 or 12}:{m:02d} {'AM' if h < 12 else 'PM'}"
    if lang == "fr":
        return f"{h} h {m:02d}"
    if lang == "ja":
        return f"{h}時{m}分"
    return f"{h}:{m:02d}"


WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "pt": (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
}


def _durations(lang: str) -> list[tuple[str, str]]:
    unit = {
        "en": ("minute", "minutes", "second", "seconds", "hour", "hours"),
        "de": ("minute", "minuten", "sekunde", "sekunden", "stunde", "stunden"),
        "fr": ("minute", "minutes", "seconde", "secondes", "heure", "heures"),
        "es": ("minuto", "minutos", "segundo", "segundos", "hora", "horas"),
    }[lang]
    display_unit = [u.capitalize() for u in unit] if lang == "de" else list(unit)
    one = {"en": "one", "de": "eine", "fr": "une", "es": "un"}[lang]
    out: list[tuple[str, str]] = []
    for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 90):
        display = f"{n} {display_unit[0] if n == 1 else display_unit[1]}"
        spoken_n = one if n == 1 else number_words(n, lang)
        out.append((f"{spoken_n} {unit[0] if n == 1 else unit[1]}", display))
        out.append((f"{n} {unit[0] if n == 1 else unit[1]}", display))
    for n in (30, 45, 90):
        out.append((f"{number_words(n, lang)} {unit[3]}", f"{n} {display_unit[3]}"))
    for n in (1, 2, 3):
        spoken_n = one if n == 1 else number_words(n, lang)
        out.append(
            (
                f"{spoken_n} {unit[4] if n == 1 else unit[5]}",
                f"{n} {display_unit[4] if n == 1 else display_unit[5]}",
            )
        )
    out += {
        "en": [
            ("an hour and a half", "1 hour 30 minutes"),
            ("half an hour", "30 minutes"),
            ("a minute", "1 minute"),
        ],
        "de": [("eine halbe stunde", "30 Minuten"), ("anderthalb stunden", "1 Stunde 30 Minuten")],
        "fr": [("une demi-heure", "30 minutes"), ("une heure et demie", "1 heure 30 minutes")],
        "es": [
            ("media hora", "30 minutos"),
            ("una hora y media", "1 hora 30 minutos"),
            ("un cuarto de hora", "15 minutos"),
        ],
    }[lang]
    return out


def _time_left(lang: str) -> list[str]:
    words = {
        "en": "{m} minutes and {s} seconds",
        "de": "{m} Minuten und {s} Sekunden",
        "fr": "{m} minutes et {s} secondes",
        "es": "{m} minutos y {s} segundos",
    }[lang]
    return [words.format(m=m, s=s) for m in range(1, 30, 2) for s in (5, 12, 20, 34, 48, 57)]


def _times_table(lang: str) -> list[tuple[str, str]]:
    phrase = {
        "en": ("what's {a} times {b}", "{a} times {b} is {c}."),
        "de": ("was ist {a} mal {b}", "{a} mal {b} ist {c}."),
        "fr": ("combien font {a} fois {b}", "{a} fois {b} font {c}."),
        "es": ("cuánto es {a} por {b}", "{a} por {b} son {c}."),
    }[lang]
    out = []
    for a in range(2, 21):
        for b in range(2, 13):
            spoken_a = number_words(a, lang) if (a + b) % 3 else str(a)
            spoken_b = number_words(b, lang) if (a + b) % 3 else str(b)
            out.append((phrase[0].format(a=spoken_a, b=spoken_b), phrase[1].format(a=a, b=b, c=a * b)))
    return out


ARTISTS = [
    "Taylor Swift", "Ed Sheeran", "Beyoncé", "The Beatles", "Queen", "Adele", "Drake", "Coldplay",
    "Billie Eilish", "Bad Bunny", "Dua Lipa", "Fleetwood Mac", "Miles Davis", "Norah Jones",
    "Kendrick Lamar", "Harry Styles", "Rosalía", "Stromae", "Helene Fischer", "Daft Punk",
    "ABBA", "Bruno Mars", "Shakira", "Metallica", "Johnny Cash", "Dolly Parton", "The Weeknd",
    "Olivia Rodrigo", "Andrea Bocelli", "Édith Piaf", "Rammstein", "Arctic Monkeys", "Hozier",
    "U2", "Enya", "Ludovico Einaudi", "BTS", "Yoasobi", "Anitta", "Marco Mengoni",
]  # fmt: skip
TRACKS = [
    ("bohemian rhapsody by queen", "Bohemian Rhapsody by Queen"),
    ("shake it off by taylor swift", "Shake It Off by Taylor Swift"),
    ("shape of you by ed sheeran", "Shape of You by Ed Sheeran"),
    ("dreams by fleetwood mac", "Dreams by Fleetwood Mac"),
    ("blinding lights by the weeknd", "Blinding Lights by The Weeknd"),
    ("levitating by dua lipa", "Levitating by Dua Lipa"),
    ("yellow by coldplay", "Yellow by Coldplay"),
    ("jolene by dolly parton", "Jolene by Dolly Parton"),
    ("take on me by a-ha", "Take On Me by a-ha"),
    ("dancing queen by abba", "Dancing Queen by ABBA"),
    ("alors on danse by stromae", "Alors on danse by Stromae"),
    ("despacito by luis fonsi", "Despacito by Luis Fonsi"),
    ("atemlos durch die nacht by helene fischer", "Atemlos durch die Nacht by Helene Fischer"),
    ("la vie en rose by édith piaf", "La Vie en rose by Édith Piaf"),
    ("take me to church by hozier", "Take Me to Church by Hozier"),
    ("wonderwall by oasis", "Wonderwall by Oasis"),
]
SERVICES = ["Spotify", "Apple Music", "Amazon Music", "Deezer", "YouTube Music"]

# --------------------------------------------------------------------------------------------
# per-language slot pools
# --------------------------------------------------------------------------------------------

_EN_POOLS: dict[str, list] = {
    "dur": _durations("en"),
    "left": _time_left("en"),
    "timer_name": ["pasta", "egg", "laundry", "pizza", "oven", "nap", "homework", "tea"],
    "clock": [_clock_en(h, m) for h, m in _QUARTERS],
    "day": [("tomorrow", "tomorrow"), ("on monday", "on Monday"), ("on friday", "on Friday"),
            ("on saturday", "on Saturday"), ("tonight", "tonight"), ("this afternoon", "this afternoon"),
            ("tomorrow morning", "tomorrow morning"), ("next tuesday", "next Tuesday")],
    "when": [("today", "Today"), ("tomorrow", "Tomorrow"), ("this weekend", "This weekend"),
             ("tonight", "Tonight"), ("on saturday", "On Saturday"), ("this afternoon", "This afternoon")],
    "city": _lowered(["Seattle", "Chicago", "Denver", "Austin", "Boston", "Miami", "San Diego", "Phoenix",
                      "Portland", "Atlanta", "Nashville", "New York", "London", "Dublin", "Toronto"]),
    "temp": _numbers(range(2, 30)),
    "cond": ["sunny", "cloudy", "partly cloudy", "rainy", "windy", "foggy", "clear", "overcast", "drizzly"],
    "rain": ["No rain is expected.", "There's a 70 percent chance of rain this afternoon.",
             "Yes, light showers are likely after 4 PM.", "It looks dry, with a 10 percent chance of rain.",
             "Expect about 5 millimeters of rain, mostly in the evening."],
    "artist": _lowered(ARTISTS),
    "track": TRACKS,
    "service": SERVICES,
    "genre": [("jazz", "jazz"), ("classical music", "classical"), ("80s music", "80s"),
              ("lo-fi beats", "lo-fi"), ("country", "country"), ("hip hop", "hip hop"),
              ("christmas music", "Christmas"), ("relaxing piano", "relaxing piano"), ("rock", "rock")],
    "topn": [("40", "40"), ("ten", "10"), ("20", "20"), ("one hundred", "100")],
    "year": _numbers(range(1965, 2026, 3)),
    "vol": ["up", "down", "to five", "to 7", "to ten", "to three"],
    "groc": [("two dozen eggs", "two dozen eggs"), ("a gallon of milk", "a gallon of milk"), ("milk", "milk"),
             ("bananas", "bananas"), ("three avocados", "three avocados"), ("a loaf of sourdough", "a loaf of sourdough"),
             ("paper towels", "paper towels"), ("12 rolls of toilet paper", "12 rolls of toilet paper"),
             ("olive oil", "olive oil"), ("coffee filters", "coffee filters"),
             ("a pound of ground beef", "a pound of ground beef"), ("chicken breasts", "chicken breasts"),
             ("greek yogurt", "Greek yogurt"), ("two cans of chickpeas", "two cans of chickpeas"),
             ("dish soap", "dish soap"), ("double a batteries", "AA batteries"), ("six apples", "six apples"),
             ("baby spinach", "baby spinach"), ("cheddar cheese", "cheddar cheese"), ("tortilla chips", "tortilla chips"),
             ("a bottle of red wine", "a bottle of red wine"), ("cat food", "cat food"), ("diapers", "diapers"),
             ("laundry detergent", "laundry detergent"), ("ice cream", "ice cream"), ("peanut butter", "peanut butter"),
             ("lemons", "lemons"), ("garlic", "garlic"), ("5 pounds of potatoes", "5 pounds of potatoes"),
             ("orange juice", "orange juice"), ("oat milk", "oat milk"), ("a 24 pack of water", "a 24 pack of water"),
             ("trash bags", "trash bags"), ("toothpaste", "toothpaste"), ("ibuprofen", "ibuprofen")],
    "item": ["milk", "eggs", "bread", "coffee", "bananas", "butter", "rice", "pasta", "apples", "cereal",
             "onions", "tomatoes", "cheese", "yogurt", "dish soap", "paper towels"],
    "n_items": _numbers(range(2, 16)),
    "contact": _lowered(["Mom", "Dad", "Sarah", "John Smith", "Grandma", "the office", "Jake", "Aunt Linda",
                         "Chris", "Emily", "Dr. Patel's office", "Maria", "David", "the pizza place"]),
    "msg": [("i'm running ten minutes late", "I'm running 10 minutes late"), ("on my way", "On my way"),
            ("can you pick up milk", "Can you pick up milk"), ("love you", "Love you"),
            ("call me when you land", "Call me when you land"), ("dinner is ready", "Dinner is ready")],
    "task": ["take out the trash", "call the dentist", "water the plants", "pick up the dry cleaning",
             "take my medication", "feed the cat", "pay the electric bill", "move the car", "check the oven",
             "buy a birthday card for dad", "charge my phone", "start the dishwasher", "walk the dog",
             "book a haircut", "send the invoice", "put the bins out"],
    "n_rem": _numbers(range(2, 7)),
    "event": ["a dentist appointment", "team standup", "soccer practice", "lunch with Sam", "a call with the bank",
              "yoga class", "parent teacher conference", "a flight to Denver"],
    "onoff": ["on", "off"],
    "room": ["kitchen", "living room", "bedroom", "office", "hallway", "bathroom", "basement", "kids room", "porch"],
    "therm": _numbers(range(18, 25)),
    "pct": _numbers(range(10, 101, 10)),
    "appliance": ["coffee maker", "fan", "tv", "christmas tree", "air purifier", "heater", "porch light"],
    "joke": ["Why did the scarecrow win an award? Because he was outstanding in his field.",
             "I told my computer I needed a break, and it said no problem, it would go to sleep.",
             "What do you call a fake noodle? An impasta.",
             "Why don't eggs tell jokes? They'd crack each other up.",
             "What did the ocean say to the beach? Nothing, it just waved.",
             "Why did the bicycle fall over? It was two tired.",
             "What do you call a bear with no teeth? A gummy bear.",
             "I'm reading a book about anti-gravity. It's impossible to put down."],
    "fact": [("how tall is the eiffel tower", "The Eiffel Tower is about 330 meters tall."),
             ("how far away is the moon", "The Moon is about 384,400 kilometers from Earth."),
             ("what's the capital of australia", "The capital of Australia is Canberra."),
             ("how many ounces in a cup", "There are 8 fluid ounces in a cup."),
             ("how many tablespoons in a quarter cup", "There are 4 tablespoons in a quarter cup."),
             ("what's 15 percent of 80", "15 percent of 80 is 12."),
             ("convert 350 fahrenheit to celsius", "350 degrees Fahrenheit is about 177 degrees Celsius."),
             ("what's the square root of 144", "The square root of 144 is 12."),
             ("how many grams in a pound", "There are about 454 grams in a pound."),
             ("how old is the universe", "The universe is about 13.8 billion years old."),
             ("what's two to the power of twenty", "2 to the power of 20 is 1,048,576."),
             ("how many calories in a banana", "A medium banana has about 105 calories."),
             ("how long is a marathon", "A marathon is 42.195 kilometers, or 26.2 miles."),
             ("what's 1234 times 5678", "1,234 times 5,678 is 7,006,652."),
             ("how long do i boil an egg", "For a soft-boiled egg, about 6 minutes; for hard-boiled, about 10 minutes."),
             ("when did the berlin wall fall", "The Berlin Wall fell on November 9, 1989."),
             ("how many people live in canada", "About 41 million people live in Canada.")],
    "math": _times_table("en"),
    "team": _lowered(["Seahawks", "Packers", "Yankees", "Lakers", "Celtics", "Arsenal", "Liverpool", "Chiefs"]),
    "score": ["24 to 17", "3 to 1", "108 to 99", "2 to 0", "31 to 28", "5 to 4"],
    "mins": _numbers(range(8, 56, 3)),
    "traffic": ["light", "moderate", "heavy"],
    "word": [("necessary", "Necessary is spelled N-E-C-E-S-S-A-R-Y."), ("rhythm", "Rhythm is spelled R-H-Y-T-H-M."),
             ("bureaucracy", "Bureaucracy is spelled B-U-R-E-A-U-C-R-A-C-Y."),
             ("restaurant", "Restaurant is spelled R-E-S-T-A-U-R-A-N-T.")],
    "prefix": ["", "", "", "", "", "", "", "", "um ", "uh ", "okay ", "hey "],
}  # fmt: skip

EN: list[tuple[str, float, str, str | None]] = [
    ("timer", 6, "set a timer for {dur}", "Timer set for {dur}."),
    ("timer", 3, "{dur} timer", "OK, {dur}, starting now."),
    ("timer", 2, "how much time is left on the timer", "There are {left} left on your timer."),
    ("timer", 1, "cancel the {timer_name} timer", "OK, I've cancelled the {timer_name} timer."),
    ("timer", 1.5, "set a {timer_name} timer for {dur}", "OK, {timer_name} timer for {dur}, starting now."),
    ("alarm", 3, "wake me up at {clock} {day}", "Alright, your alarm is set for {clock} {day}."),
    ("alarm", 2, "set an alarm for {clock}", "Your alarm is set for {clock} tomorrow."),
    ("alarm", 1, "snooze", None),
    ("weather", 5, "what's the weather {when}", "{when} it'll be {cond} with a high of {temp} degrees."),
    ("weather", 3, "what's the weather in {city}", "Right now in {city} it's {temp} degrees and {cond}."),
    ("weather", 2, "is it going to rain {when}", "{rain}"),
    ("weather", 1, "what's the temperature outside", "It's currently {temp} degrees outside."),
    ("music", 6, "play {artist}", "Playing {artist} on {service}."),
    ("music", 3, "play some {genre}", "Here's a {genre} station you might like."),
    ("music", 2, "play {track}", "Playing {track} on {service}."),
    ("music", 3, "next song", None),
    ("music", 2, "volume {vol}", None),
    ("music", 2, "what song is this", "This is {track}."),
    ("music", 1, "play the top {topn} hits from {year}", "Here are the top {topn} hits from {year}."),
    ("shopping", 5, "add {groc} to my shopping list", "I've added {groc} to your shopping list."),
    ("shopping", 2, "put {groc} on the list", "OK, {groc} is on your shopping list."),
    ("shopping", 2, "what's on my shopping list", "You have {n_items} items on your shopping list, including {item} and {item2}."),
    ("shopping", 1, "remove {item} from my shopping list", "I've removed {item} from your shopping list."),
    ("call", 3, "call {contact}", "Calling {contact}."),
    ("call", 1, "call {contact} on speaker", "Calling {contact} on speaker."),
    ("call", 1, "text {contact} {msg}", "Sending a message to {contact}: {msg}."),
    ("reminder", 3, "remind me to {task} at {clock}", "OK, I'll remind you to {task} at {clock}."),
    ("reminder", 2, "remind me to {task} {day}", "OK, I'll remind you {day} to {task}."),
    ("reminder", 1, "what are my reminders for {day}", "You have {n_rem} reminders {day}. The first is to {task} at {clock}."),
    ("calendar", 2, "what's on my calendar {day}", "You have {event} at {clock} {day}."),
    ("smart_home", 5, "turn {onoff} the {room} lights", None),
    ("smart_home", 2, "turn {onoff} the {room} light", "OK."),
    ("smart_home", 2, "set the thermostat to {therm}", "Setting the thermostat to {therm} degrees."),
    ("smart_home", 2, "dim the {room} lights to {pct} percent", "OK, {room} lights at {pct} percent."),
    ("smart_home", 1, "lock the front door", "Locking the front door."),
    ("smart_home", 1, "is the garage door open", "The garage door is closed."),
    ("smart_home", 1, "turn on the {appliance}", None),
    ("time", 3, "what time is it", "It's {@clock}."),
    ("time", 1, "what day is it", "It's {@weekday}."),
    ("knowledge", 2, "{fact}", "{fact}"),
    ("knowledge", 2, "{math}", "{math}"),
    ("knowledge", 1, "how do you spell {word}", "{word}"),
    ("knowledge", 0.5, "count to ten", "One, two, three, four, five, six, seven, eight, nine, ten."),
    ("chat", 2, "tell me a joke", "{joke}"),
    ("chat", 2, "thank you", "You're welcome."),
    ("chat", 2, "stop", None),
    ("chat", 1, "good morning", "Good morning! It's {temp} degrees and {cond} right now."),
    ("chat", 1, "what can you do", "I can set timers, play music, answer questions and control your smart home. Try asking me about the weather."),
    ("sports", 1, "what was the score of the {team} game", "The {team} won {score}."),
    ("traffic", 1, "how's the traffic to work", "Your commute is currently {mins} minutes with {traffic} traffic."),
    ("news", 1, "what's the news", "Here's your news briefing from {news}."),
]  # fmt: skip
_EN_POOLS["item2"] = _EN_POOLS["item"]
_EN_POOLS["news"] = ["NPR", "BBC News", "Reuters", "the Associated Press", "CNN"]

_DE_POOLS: dict[str, list] = {
    "dur": _durations("de"),
    "left": _time_left("de"),
    "clock": [_clock_de(h, m) for h, m in _QUARTERS],
    "day": [("morgen", "morgen"), ("am montag", "am Montag"), ("am freitag", "am Freitag"),
            ("heute abend", "heute Abend"), ("morgen früh", "morgen früh"), ("am wochenende", "am Wochenende")],
    "when": [("heute", "Heute"), ("morgen", "Morgen"), ("am wochenende", "Am Wochenende"),
             ("heute abend", "Heute Abend"), ("am samstag", "Am Samstag")],
    "city": _lowered(["Berlin", "München", "Hamburg", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden", "Bremen"]),
    "temp": _numbers(range(-3, 16)),
    "cond": ["sonnig", "bewölkt", "regnerisch", "windig", "neblig", "heiter", "trüb"],
    "rain": ["Nein, heute bleibt es trocken.", "Ja, ab 15 Uhr ist mit Regen zu rechnen.",
             "Die Regenwahrscheinlichkeit liegt bei 60 Prozent.", "Es gibt nur vereinzelte Schauer."],
    "artist": _lowered(ARTISTS),
    "track": TRACKS,
    "service": SERVICES,
    "genre": [("jazz", "Jazz"), ("klassik", "Klassik"), ("schlager", "Schlager"), ("achtziger musik", "80er"),
              ("entspannungsmusik", "Entspannungs"), ("weihnachtslieder", "Weihnachts")],
    "groc": [("zwei dutzend eier", "zwei Dutzend Eier"), ("milch", "Milch"), ("bananen", "Bananen"),
             ("einen liter hafermilch", "einen Liter Hafermilch"), ("toilettenpapier", "Toilettenpapier"),
             ("drei paprika", "drei Paprika"), ("butter", "Butter"), ("ein kilo kartoffeln", "ein Kilo Kartoffeln"),
             ("kaffee", "Kaffee"), ("spülmittel", "Spülmittel"), ("zwei packungen nudeln", "zwei Packungen Nudeln"),
             ("brötchen", "Brötchen"), ("äpfel", "Äpfel"), ("katzenfutter", "Katzenfutter"), ("müllbeutel", "Müllbeutel")],
    "item": ["Milch", "Eier", "Brot", "Kaffee", "Butter", "Käse", "Joghurt", "Nudeln", "Reis", "Tomaten"],
    "n_items": _numbers(range(2, 14)),
    "contact": _lowered(["Mama", "Papa", "Oma", "Thomas", "Julia", "Stefan", "Anna", "das Büro", "Frau Müller"]),
    "task": [("den müll rauszubringen", "den Müll rauszubringen"), ("die pflanzen zu gießen", "die Pflanzen zu gießen"),
             ("den zahnarzt anzurufen", "den Zahnarzt anzurufen"), ("meine tabletten zu nehmen", "meine Tabletten zu nehmen"),
             ("die katze zu füttern", "die Katze zu füttern"), ("die stromrechnung zu bezahlen", "die Stromrechnung zu bezahlen"),
             ("mit dem hund rauszugehen", "mit dem Hund rauszugehen"), ("die spülmaschine anzustellen", "die Spülmaschine anzustellen")],
    "room": [("im wohnzimmer", "im Wohnzimmer"), ("in der küche", "in der Küche"), ("im schlafzimmer", "im Schlafzimmer"),
             ("im büro", "im Büro"), ("im flur", "im Flur"), ("im bad", "im Bad"), ("im kinderzimmer", "im Kinderzimmer")],
    "onoff": [("an", "an"), ("aus", "aus")],
    "therm": _numbers(range(18, 25)),
    "pct": _numbers(range(10, 101, 10)),
    "joke": ["Treffen sich zwei Jäger. Beide tot.", "Was ist orange und läuft durch den Wald? Eine Wanderine.",
             "Warum können Geister so schlecht lügen? Weil man durch sie hindurchsieht.",
             "Was macht ein Pirat am Computer? Er drückt die Enter-Taste."],
    "fact": [("wie hoch ist die zugspitze", "Die Zugspitze ist 2962 Meter hoch."),
             ("wie weit ist der mond entfernt", "Der Mond ist etwa 384.400 Kilometer von der Erde entfernt."),
             ("was ist die hauptstadt von australien", "Die Hauptstadt von Australien ist Canberra."),
             ("wie viele einwohner hat berlin", "Berlin hat etwa 3,8 Millionen Einwohner."),
             ("wie lange muss ein ei kochen", "Für ein weiches Ei etwa 6 Minuten, für ein hartes etwa 10 Minuten."),
             ("wann fiel die mauer", "Die Berliner Mauer fiel am 9. November 1989.")],
    "math": _times_table("de"),
    "prefix": ["", "", "", "", "", "", "ähm ", "also "],
}  # fmt: skip
_DE_POOLS["item2"] = _DE_POOLS["item"]

DE: list[tuple[str, float, str, str | None]] = [
    ("timer", 6, "stell einen timer auf {dur}", "Timer auf {dur} gestellt."),
    ("timer", 3, "timer {dur}", "Okay, {dur}, ab jetzt."),
    ("timer", 2, "wie lange läuft der timer noch", "Dein Timer läuft noch {left}."),
    ("alarm", 3, "weck mich {day} um {clock}", "Dein Wecker ist für {day} um {clock} gestellt."),
    ("weather", 5, "wie wird das wetter {when}", "{when} wird es {cond} bei bis zu {temp} Grad."),
    ("weather", 3, "wie ist das wetter in {city}", "In {city} ist es gerade {cond} bei {temp} Grad."),
    ("weather", 2, "regnet es {when}", "{rain}"),
    ("music", 6, "spiel {artist}", "Hier ist {artist} auf {service}."),
    ("music", 3, "spiel {genre}", "Hier ist ein {genre}-Sender, der dir gefallen könnte."),
    ("music", 3, "nächstes lied", None),
    ("music", 2, "lauter", None),
    ("music", 2, "welches lied ist das", "Das ist {track}."),
    ("shopping", 5, "setz {groc} auf die einkaufsliste", "Ich habe {groc} auf deine Einkaufsliste gesetzt."),
    ("shopping", 2, "was steht auf meiner einkaufsliste", "Auf deiner Einkaufsliste stehen {n_items} Artikel, darunter {item} und {item2}."),
    ("call", 3, "ruf {contact} an", "Ich rufe {contact} an."),
    ("reminder", 3, "erinnere mich {day} daran {task}", "Okay, ich erinnere dich {day} daran, {task}."),
    ("smart_home", 5, "mach das licht {room} {onoff}", None),
    ("smart_home", 2, "stell die heizung auf {therm} grad", "Die Heizung ist auf {therm} Grad gestellt."),
    ("smart_home", 2, "dimme das licht {room} auf {pct} prozent", "Okay, das Licht {room} ist auf {pct} Prozent."),
    ("time", 3, "wie spät ist es", "Es ist {@clock} Uhr."),
    ("time", 1, "welcher tag ist heute", "Heute ist {@weekday}."),
    ("knowledge", 2, "{fact}", "{fact}"),
    ("knowledge", 2, "{math}", "{math}"),
    ("chat", 2, "erzähl mir einen witz", "{joke}"),
    ("chat", 2, "danke", "Gern geschehen."),
    ("chat", 2, "stopp", None),
    ("chat", 1, "guten morgen", "Guten Morgen! Draußen sind es {temp} Grad und es ist {cond}."),
]  # fmt: skip

_FR_POOLS: dict[str, list] = {
    "dur": _durations("fr"),
    "left": _time_left("fr"),
    "clock": [_clock_fr(h, m) for h, m in _QUARTERS],
    "day": [("demain", "demain"), ("lundi", "lundi"), ("vendredi", "vendredi"), ("ce soir", "ce soir"),
            ("demain matin", "demain matin"), ("samedi", "samedi")],
    "when": [("aujourd'hui", "Aujourd'hui"), ("demain", "Demain"), ("ce week-end", "Ce week-end"), ("ce soir", "Ce soir")],
    "city": _lowered(["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Strasbourg", "Montréal"]),
    "temp": _numbers(range(0, 18)),
    "cond": ["ensoleillé", "nuageux", "pluvieux", "venteux", "brumeux", "couvert"],
    "rain": ["Non, pas de pluie prévue.", "Oui, des averses sont attendues en fin d'après-midi.",
             "Le risque de pluie est de 40 pour cent."],
    "artist": _lowered(ARTISTS),
    "track": TRACKS,
    "service": SERVICES,
    "genre": [("jazz", "jazz"), ("classique", "classique"), ("variété française", "variété française"),
              ("années 80", "années 80"), ("musique relaxante", "musique relaxante")],
    "groc": [("deux douzaines d'œufs", "deux douzaines d'œufs"), ("du lait", "du lait"), ("des bananes", "des bananes"),
             ("une baguette", "une baguette"), ("du beurre", "du beurre"), ("un kilo de pommes de terre", "un kilo de pommes de terre"),
             ("du café", "du café"), ("du papier toilette", "du papier toilette"), ("trois yaourts", "trois yaourts"),
             ("du fromage râpé", "du fromage râpé"), ("des croquettes pour le chat", "des croquettes pour le chat")],
    "contact": _lowered(["Maman", "Papa", "Mamie", "Julien", "Camille", "Nicolas", "le bureau", "Sophie"]),
    "task": [("de sortir les poubelles", "de sortir les poubelles"), ("d'arroser les plantes", "d'arroser les plantes"),
             ("d'appeler le dentiste", "d'appeler le dentiste"), ("de prendre mes médicaments", "de prendre mes médicaments"),
             ("de nourrir le chat", "de nourrir le chat"), ("de payer la facture d'électricité", "de payer la facture d'électricité"),
             ("de promener le chien", "de promener le chien")],
    "room": ["du salon", "de la cuisine", "de la chambre", "du bureau", "de l'entrée", "de la salle de bains"],
    "therm": _numbers(range(18, 24)),
    "joke": ["Que dit une imprimante dans l'eau ? J'ai papier.",
             "Pourquoi les plongeurs plongent-ils toujours en arrière ? Parce que sinon ils tombent dans le bateau.",
             "Quel est le comble pour un électricien ? De ne pas être au courant."],
    "fact": [("quelle est la hauteur de la tour eiffel", "La tour Eiffel mesure environ 330 mètres."),
             ("quelle est la capitale de l'australie", "La capitale de l'Australie est Canberra."),
             ("combien d'habitants à paris", "Paris compte environ 2,1 millions d'habitants."),
             ("combien de temps faut-il pour cuire un œuf", "Comptez 6 minutes pour un œuf mollet et 10 minutes pour un œuf dur.")],
    "math": _times_table("fr"),
    "prefix": ["", "", "", "", "", "", "euh ", "dis "],
}  # fmt: skip

FR: list[tuple[str, float, str, str | None]] = [
    ("timer", 6, "mets un minuteur de {dur}", "Minuteur de {dur} lancé."),
    ("timer", 2, "combien de temps reste-t-il sur le minuteur", "Il reste {left} sur ton minuteur."),
    ("alarm", 3, "réveille-moi à {clock} {day}", "Ton réveil est réglé à {clock} {day}."),
    ("weather", 5, "quel temps fait-il {when}", "{when}, le temps sera {cond} avec un maximum de {temp} degrés."),
    ("weather", 3, "quel temps fait-il à {city}", "À {city}, il fait actuellement {temp} degrés, temps {cond}."),
    ("weather", 2, "est-ce qu'il va pleuvoir {when}", "{rain}"),
    ("music", 6, "mets {artist}", "Voici {artist} sur {service}."),
    ("music", 3, "mets de la musique {genre}", "Voici une station {genre} qui pourrait te plaire."),
    ("music", 3, "chanson suivante", None),
    ("music", 2, "c'est quoi cette chanson", "C'est {track}."),
    ("shopping", 5, "ajoute {groc} à ma liste de courses", "J'ai ajouté {groc} à ta liste de courses."),
    ("call", 3, "appelle {contact}", "J'appelle {contact}."),
    ("reminder", 3, "rappelle-moi {task} {day}", "D'accord, je te rappellerai {day} {task}."),
    ("smart_home", 4, "allume la lumière {room}", None),
    ("smart_home", 3, "éteins la lumière {room}", "D'accord."),
    ("smart_home", 2, "règle le chauffage sur {therm} degrés", "Le chauffage est réglé sur {therm} degrés."),
    ("time", 3, "quelle heure est-il", "Il est {@clock}."),
    ("time", 1, "on est quel jour", "Nous sommes {@weekday}."),
    ("knowledge", 2, "{fact}", "{fact}"),
    ("knowledge", 2, "{math}", "{math}"),
    ("chat", 2, "raconte-moi une blague", "{joke}"),
    ("chat", 2, "merci", "Avec plaisir."),
    ("chat", 2, "stop", None),
    ("chat", 1, "bonjour", "Bonjour ! Il fait {temp} degrés dehors."),
]  # fmt: skip

_ES_POOLS: dict[str, list] = {
    "dur": _durations("es"),
    "left": _time_left("es"),
    "clock": [_clock_es(h, m) for h, m in _QUARTERS],
    "day": [("mañana", "mañana"), ("el lunes", "el lunes"), ("el viernes", "el viernes"), ("esta noche", "esta noche"),
            ("mañana por la mañana", "mañana por la mañana"), ("el sábado", "el sábado")],
    "when": [("hoy", "Hoy"), ("mañana", "Mañana"), ("este fin de semana", "Este fin de semana"), ("esta noche", "Esta noche")],
    "city": _lowered(["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga", "Zaragoza", "Ciudad de México", "Guadalajara"]),
    "temp": _numbers(range(4, 25)),
    "cond": ["soleado", "nublado", "lluvioso", "despejado", "ventoso"],
    "rain": ["No, no se espera lluvia.", "Sí, hay un 70 por ciento de probabilidad de lluvia por la tarde.",
             "Puede que caigan algunas gotas por la noche."],
    "artist": _lowered(ARTISTS),
    "track": TRACKS,
    "service": SERVICES,
    "groc": [("dos docenas de huevos", "dos docenas de huevos"), ("leche", "leche"), ("plátanos", "plátanos"),
             ("una barra de pan", "una barra de pan"), ("aceite de oliva", "aceite de oliva"), ("tres yogures", "tres yogures"),
             ("un kilo de tomates", "un kilo de tomates"), ("papel higiénico", "papel higiénico"), ("café", "café"),
             ("arroz", "arroz"), ("detergente", "detergente")],
    "contact": _lowered(["Mamá", "Papá", "la abuela", "Carlos", "Lucía", "Javier", "la oficina", "Marta"]),
    "task": ["sacar la basura", "regar las plantas", "llamar al dentista", "tomar la medicación", "dar de comer al gato",
             "pagar la factura de la luz", "pasear al perro", "poner el lavavajillas"],
    "room": ["del salón", "de la cocina", "del dormitorio", "del despacho", "del pasillo", "del baño"],
    "therm": _numbers(range(18, 25)),
    "joke": ["¿Qué le dice un techo a otro? Techo de menos.", "¿Cuál es el café más peligroso del mundo? El ex-preso.",
             "¿Qué hace una abeja en el gimnasio? Zum-ba."],
    "fact": [("cuánto mide la torre eiffel", "La torre Eiffel mide unos 330 metros."),
             ("cuál es la capital de australia", "La capital de Australia es Canberra."),
             ("cuántos habitantes tiene madrid", "Madrid tiene unos 3,4 millones de habitantes."),
             ("cuánto tiempo se cuece un huevo", "Unos 6 minutos para un huevo pasado por agua y 10 minutos para uno duro.")],
    "math": _times_table("es"),
    "prefix": ["", "", "", "", "", "", "eh ", "oye "],
}  # fmt: skip

ES: list[tuple[str, float, str, str | None]] = [
    ("timer", 6, "pon un temporizador de {dur}", "Temporizador de {dur} en marcha."),
    ("timer", 2, "cuánto le queda al temporizador", "Quedan {left}."),
    ("alarm", 3, "despiértame a las {clock} {day}", "Tu alarma está puesta a las {clock} {day}."),
    ("weather", 5, "qué tiempo hace {when}", "{when} estará {cond} con una máxima de {temp} grados."),
    ("weather", 3, "qué tiempo hace en {city}", "En {city} ahora hace {temp} grados y está {cond}."),
    ("weather", 2, "va a llover {when}", "{rain}"),
    ("music", 6, "pon {artist}", "Reproduciendo {artist} en {service}."),
    ("music", 3, "siguiente canción", None),
    ("music", 2, "qué canción es esta", "Es {track}."),
    ("shopping", 5, "añade {groc} a la lista de la compra", "He añadido {groc} a tu lista de la compra."),
    ("call", 3, "llama a {contact}", "Llamando a {contact}."),
    ("reminder", 3, "recuérdame {task} {day}", "Vale, te recordaré {task} {day}."),
    ("smart_home", 4, "enciende la luz {room}", None),
    ("smart_home", 3, "apaga la luz {room}", "Vale."),
    ("smart_home", 2, "pon la calefacción a {therm} grados", "He puesto la calefacción a {therm} grados."),
    ("time", 3, "qué hora es", "Son las {@clock}."),
    ("time", 1, "qué día es hoy", "Hoy es {@weekday}."),
    ("knowledge", 2, "{fact}", "{fact}"),
    ("knowledge", 2, "{math}", "{math}"),
    ("chat", 2, "cuéntame un chiste", "{joke}"),
    ("chat", 2, "gracias", "De nada."),
    ("chat", 2, "para", None),
    ("chat", 1, "buenos días", "¡Buenos días! Hace {temp} grados y está {cond}."),
]  # fmt: skip

_IT_POOLS: dict[str, list] = {
    "dur": [("10 minuti", "10 minuti"), ("dieci minuti", "10 minuti"), ("cinque minuti", "5 minuti"),
            ("mezz'ora", "30 minuti"), ("un'ora", "1 ora"), ("venti minuti", "20 minuti"), ("3 minuti", "3 minuti")],
    "when": [("oggi", "Oggi"), ("domani", "Domani"), ("questo fine settimana", "Questo fine settimana")],
    "cond": ["soleggiato", "nuvoloso", "piovoso", "ventoso"],
    "temp": _numbers(range(4, 20)),
    "artist": _lowered(ARTISTS),
    "service": SERVICES,
    "item": ["latte", "uova", "pane", "caffè", "pasta", "pomodori", "mozzarella", "biscotti"],
    "contact": _lowered(["Mamma", "Papà", "la nonna", "Marco", "Giulia", "Luca", "l'ufficio"]),
    "room": ["in cucina", "in salotto", "in camera da letto", "in bagno", "nello studio"],
    "joke": ["Qual è il colmo per un elettricista? Non essere al corrente.",
             "Cosa fa un gallo in chiesa? Il chicchirichetto."],
    "prefix": ["", "", "", "", "ehm "],
}  # fmt: skip
IT: list[tuple[str, float, str, str | None]] = [
    ("timer", 5, "imposta un timer di {dur}", "Timer di {dur} avviato."),
    ("weather", 4, "che tempo fa {when}", "{when} sarà {cond} con una massima di {temp} gradi."),
    ("music", 5, "metti {artist}", "Ecco {artist} su {service}."),
    ("shopping", 3, "aggiungi {item} alla lista della spesa", "Ho aggiunto {item} alla tua lista della spesa."),
    ("call", 2, "chiama {contact}", "Chiamo {contact}."),
    ("smart_home", 4, "accendi la luce {room}", None),
    ("time", 2, "che ore sono", "Sono le {@clock}."),
    ("chat", 1, "raccontami una barzelletta", "{joke}"),
    ("chat", 2, "grazie", "Prego."),
    ("chat", 1, "basta", None),
]  # fmt: skip

_NL_POOLS: dict[str, list] = {
    "dur": [("10 minuten", "10 minuten"), ("tien minuten", "10 minuten"), ("vijf minuten", "5 minuten"),
            ("een half uur", "30 minuten"), ("een uur", "1 uur"), ("twintig minuten", "20 minuten")],
    "when": [("vandaag", "Vandaag"), ("morgen", "Morgen"), ("dit weekend", "Dit weekend")],
    "cond": ["zonnig", "bewolkt", "regenachtig", "winderig"],
    "temp": _numbers(range(2, 16)),
    "artist": _lowered(ARTISTS),
    "service": SERVICES,
    "item": ["melk", "eieren", "brood", "koffie", "kaas", "hagelslag", "appels", "pindakaas"],
    "contact": _lowered(["Mama", "Papa", "Oma", "Daan", "Sanne", "Lars", "kantoor"]),
    "room": ["in de keuken", "in de woonkamer", "in de slaapkamer", "op zolder", "in de gang"],
    "prefix": ["", "", "", "", "eh "],
}  # fmt: skip
NL: list[tuple[str, float, str, str | None]] = [
    ("timer", 5, "zet een timer voor {dur}", "Timer gezet voor {dur}."),
    ("weather", 4, "wat voor weer wordt het {when}", "{when} wordt het {cond} met maximaal {temp} graden."),
    ("music", 5, "speel {artist}", "Ik speel {artist} af via {service}."),
    ("shopping", 3, "zet {item} op mijn boodschappenlijst", "Ik heb {item} op je boodschappenlijst gezet."),
    ("call", 2, "bel {contact}", "Ik bel {contact}."),
    ("smart_home", 4, "doe het licht {room} aan", None),
    ("time", 2, "hoe laat is het", "Het is {@clock}."),
    ("chat", 2, "dank je", "Graag gedaan."),
    ("chat", 1, "stop", None),
]  # fmt: skip

_PT_POOLS: dict[str, list] = {
    "dur": [("10 minutos", "10 minutos"), ("dez minutos", "10 minutos"), ("cinco minutos", "5 minutos"),
            ("meia hora", "30 minutos"), ("uma hora", "1 hora"), ("vinte minutos", "20 minutos")],
    "when": [("hoje", "Hoje"), ("amanhã", "Amanhã"), ("no fim de semana", "No fim de semana")],
    "cond": ["ensolarado", "nublado", "chuvoso", "abafado"],
    "temp": _numbers(range(18, 36)),
    "artist": _lowered(ARTISTS),
    "service": SERVICES,
    "item": ["leite", "ovos", "pão", "café", "arroz", "feijão", "bananas", "queijo"],
    "contact": _lowered(["Mãe", "Pai", "Vó", "Lucas", "Ana", "Rafael", "o escritório"]),
    "room": ["da sala", "da cozinha", "do quarto", "do banheiro", "da varanda"],
    "prefix": ["", "", "", "", "é "],
}  # fmt: skip
PT: list[tuple[str, float, str, str | None]] = [
    ("timer", 5, "coloca um timer de {dur}", "Timer de {dur} iniciado."),
    ("weather", 4, "como vai estar o tempo {when}", "{when} vai estar {cond} com máxima de {temp} graus."),
    ("music", 5, "toca {artist}", "Tocando {artist} no {service}."),
    ("shopping", 3, "adiciona {item} na lista de compras", "Adicionei {item} na sua lista de compras."),
    ("call", 2, "liga para {contact}", "Ligando para {contact}."),
    ("smart_home", 4, "acende a luz {room}", None),
    ("time", 2, "que horas são", "São {@clock}."),
    ("chat", 2, "obrigado", "De nada."),
    ("chat", 1, "para", None),
]  # fmt: skip

_JA_POOLS: dict[str, list] = {
    "dur": [("10分", "10分"), ("3分", "3分"), ("5分", "5分"), ("1時間", "1時間"), ("30秒", "30秒"), ("15分", "15分")],
    "when": [("今日", "今日"), ("明日", "明日"), ("週末", "週末")],
    "cond": ["晴れ", "曇り", "雨", "雪"],
    "temp": _numbers(range(5, 20)),
    "artist": [("米津玄師", "米津玄師"), ("あいみょん", "あいみょん"), ("YOASOBI", "YOASOBI"), ("宇多田ヒカル", "宇多田ヒカル"),
               ("back number", "back number"), ("テイラー・スウィフト", "テイラー・スウィフト")],
    "service": SERVICES,
    "item": ["牛乳", "卵", "食パン", "納豆", "豆腐", "お米", "バナナ"],
    "contact": ["お母さん", "お父さん", "田中さん", "会社", "おばあちゃん"],
    "room": ["リビング", "寝室", "キッチン", "玄関"],
}  # fmt: skip
JA: list[tuple[str, float, str, str | None]] = [
    ("timer", 5, "{dur}のタイマーをセットして", "{dur}のタイマーをセットしました。"),
    ("weather", 4, "{when}の天気は", "{when}は{cond}、最高気温は{temp}度です。"),
    ("music", 5, "{artist}をかけて", "{service}で{artist}を再生します。"),
    ("shopping", 3, "買い物リストに{item}を追加して", "買い物リストに{item}を追加しました。"),
    ("call", 2, "{contact}に電話して", "{contact}に発信します。"),
    ("smart_home", 4, "{room}の電気をつけて", None),
    ("time", 2, "今何時", "{@clock}です。"),
    ("chat", 2, "ありがとう", "どういたしまして。"),
]  # fmt: skip

# Phrase books for locales the product does not serve (they must end as quality:locale).
_XX: dict[str, list[tuple[str, float, str, str | None]]] = {
    "sv": [("timer", 1, "sätt en timer på tio minuter", "Timer inställd på 10 minuter."),
           ("weather", 1, "hur blir vädret i morgon", "I morgon blir det molnigt och 3 grader."),
           ("music", 1, "spela abba", "Spelar ABBA på Spotify.")],
    "pl": [("timer", 1, "ustaw minutnik na dziesięć minut", "Ustawiłam minutnik na 10 minut."),
           ("weather", 1, "jaka będzie jutro pogoda", "Jutro będzie pochmurno, do 4 stopni.")],
    "ko": [("weather", 1, "오늘 날씨 어때", "오늘은 맑고 최고 기온은 12도입니다."),
           ("timer", 1, "10분 타이머 맞춰 줘", "10분 타이머를 시작합니다.")],
    "zh": [("time", 1, "现在几点", "现在是下午三点十五分。"), ("music", 1, "播放周杰伦的歌", "正在播放周杰伦的歌。")],
    "tr": [("weather", 1, "yarın hava nasıl olacak", "Yarın hava parçalı bulutlu ve 9 derece olacak.")],
}  # fmt: skip

LANG_TEMPLATES: dict[str, list[tuple[str, float, str, str | None]]] = {
    "en": EN, "de": DE, "fr": FR, "es": ES, "it": IT, "nl": NL, "pt": PT, "ja": JA, **_XX,
}  # fmt: skip
LANG_POOLS: dict[str, dict[str, list]] = {
    "en": _EN_POOLS, "de": _DE_POOLS, "fr": _FR_POOLS, "es": _ES_POOLS, "it": _IT_POOLS,
    "nl": _NL_POOLS, "pt": _PT_POOLS, "ja": _JA_POOLS, **{lang: {"prefix": [""]} for lang in _XX},
}  # fmt: skip

# Locale-specific pool overrides (units, home cities, how people name their mother).
LOCALE_POOLS: dict[str, dict[str, list]] = {
    "en-US": {"temp": _numbers(range(18, 96)), "therm": _numbers(range(62, 78))},
    "en-GB": {"city": _lowered(["London", "Manchester", "Leeds", "Glasgow", "Bristol", "Edinburgh", "Cardiff", "Brighton"]),
              "contact": _lowered(["Mum", "Dad", "Nan", "Oliver", "Charlotte", "the surgery", "Harry", "Aunt Sue"])},
    "en-IE": {"city": _lowered(["Dublin", "Cork", "Galway", "Limerick", "Waterford", "Kilkenny"]),
              "contact": _lowered(["Mam", "Dad", "Nana", "Ciaran", "Aoife", "Sean", "the office"])},
    "en-AU": {"city": _lowered(["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Hobart"]),
              "contact": _lowered(["Mum", "Dad", "Nan", "Jack", "Chloe", "the office"]), "temp": _numbers(range(15, 38))},
    "en-CA": {"city": _lowered(["Toronto", "Vancouver", "Montreal", "Calgary", "Ottawa", "Halifax"]),
              "temp": _numbers(range(-12, 8))},
    "en-IN": {"city": _lowered(["Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Pune"]),
              "temp": _numbers(range(18, 34))},
    "de-AT": {"city": _lowered(["Wien", "Graz", "Linz", "Salzburg", "Innsbruck"])},
    "fr-CA": {"city": _lowered(["Montréal", "Québec", "Laval", "Gatineau"]), "temp": _numbers(range(-12, 5))},
    "es-MX": {"city": _lowered(["Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Mérida"]),
              "temp": _numbers(range(14, 30))},
    "es-US": {"city": _lowered(["Los Ángeles", "Houston", "Miami", "Chicago", "San Antonio"]),
              "temp": _numbers(range(45, 85))},
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# cast utterances: clean, unique by construction (tasks and odd minutes no bulk row uses)
# --------------------------------------------------------------------------------------------
CAST_TASKS = {
    "en": ["renew the library books", "defrost the salmon", "sign the permission slip", "return the rental skis",
           "order more printer ink", "repot the basil", "bring the camping chairs", "book the tire change",
           "text the babysitter", "drop off the parcel", "feed the sourdough starter", "pick up the photo prints",
           "clean the gutters", "wrap the presents", "submit the expense report", "descale the kettle"],
    "de": [("die bibliotheksbücher zu verlängern", "die Bibliotheksbücher zu verlängern"),
           ("den lachs aufzutauen", "den Lachs aufzutauen"), ("die skier zurückzubringen", "die Skier zurückzubringen"),
           ("druckertinte zu bestellen", "Druckertinte zu bestellen"), ("das basilikum umzutopfen", "das Basilikum umzutopfen"),
           ("die campingstühle mitzunehmen", "die Campingstühle mitzunehmen"), ("das paket abzugeben", "das Paket abzugeben"),
           ("die geschenke einzupacken", "die Geschenke einzupacken"),
           ("die spesenabrechnung einzureichen", "die Spesenabrechnung einzureichen"),
           ("die dachrinne zu reinigen", "die Dachrinne zu reinigen"),
           ("den wasserkocher zu entkalken", "den Wasserkocher zu entkalken"),
           ("die winterreifen zu buchen", "die Winterreifen zu buchen")],
    "fr": ["de prolonger les livres de la bibliothèque", "de décongeler le saumon", "de signer l'autorisation de sortie",
           "de rendre les skis de location", "de commander de l'encre", "de rempoter le basilic", "de déposer le colis",
           "d'emballer les cadeaux", "d'envoyer la note de frais", "de nettoyer les gouttières", "de détartrer la bouilloire"],
    "es": ["renovar los libros de la biblioteca", "descongelar el salmón", "firmar la autorización",
           "devolver los esquís de alquiler", "pedir tinta para la impresora", "trasplantar la albahaca",
           "llevar el paquete a correos", "envolver los regalos", "enviar el informe de gastos",
           "limpiar los canalones", "descalcificar el hervidor"],
}  # fmt: skip
CAST_TEMPLATES = {
    "en": ("remind me to {task} at {clock}", "OK, I'll remind you to {task} at {clock}."),
    "de": ("erinnere mich um {clock} daran {task}", "Okay, ich erinnere dich um {clock} daran, {task}."),
    "fr": ("rappelle-moi à {clock} {task}", "D'accord, je te rappellerai à {clock} {task}."),
    "es": ("recuérdame a las {clock} {task}", "Vale, te recordaré a las {clock} {task}."),
}


def cast_utterance(lang: str, k: int) -> tuple[str, str]:
    """The ``k``-th scenario utterance in ``lang``: distinct for every ``k`` and from all bulk text.

    Bulk reminders use quarter hours; these use minutes that are not multiples of five.
    """
    tasks = CAST_TASKS[lang]
    odd_minutes = [m for m in range(7 * 60, 22 * 60) if m % 5]  # 720; 37 is coprime to 720
    if k >= len(tasks) * len(odd_minutes):
        raise ValueError("too many scenario utterances for one language")
    # k -> (task, minute) is one-to-one below len(tasks) * 720 (721 is coprime to every task count used)
    task = tasks[(k + k // len(odd_minutes)) % len(tasks)]
    spoken_task, display_task = task if isinstance(task, tuple) else (task, task)
    h, m = divmod(odd_minutes[k * 37 % len(odd_minutes)], 60)
    spoken_clock, display_clock = CLOCK_FORMAT[lang](h, m)
    transcript, response = CAST_TEMPLATES[lang]
    return (
        transcript.format(task=spoken_task, clock=spoken_clock),
        response.format(task=display_task, clock=display_clock),
    )


# --------------------------------------------------------------------------------------------
# compiled form used by the generator
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    intent: str
    weight: float
    transcript: str
    response: str | None

    @property
    def slots(self) -> tuple[str, ...]:
        names = SLOT_RE.findall(self.transcript) + SLOT_RE.findall(self.response or "")
        return tuple(dict.fromkeys(names))


def templates_for(lang: str) -> list[Template]:
    return [Template(*row) for row in LANG_TEMPLATES[lang]]


def pools_for(locale: str) -> dict[str, list[tuple[str, str]]]:
    """The slot pools of ``locale``: its language's, with locale overrides; every entry a pair."""
    lang = LOCALE_INFO[locale].lang
    merged = {**LANG_POOLS[lang], **LOCALE_POOLS.get(locale, {})}
    return {name: [v if isinstance(v, tuple) else (v, v) for v in values] for name, values in merged.items()}


def split_template(text: str) -> list[str]:
    """``"play {artist} now"`` -> ``["play ", "{artist}", " now"]`` (slot tokens keep their braces)."""
    return [part for part in re.split(r"(\{@?[a-z_0-9]+\})", text) if part]


def _check_tables() -> None:
    bad = re.compile(r'["\\\x00-\x1f]')
    for lang, rows in LANG_TEMPLATES.items():
        pools = LANG_POOLS[lang]
        for intent, _, transcript, response in rows:
            for text in (transcript, response or ""):
                if bad.search(text):
                    raise ValueError(f"{lang}/{intent}: unsafe character in {text!r}")
                for slot in SLOT_RE.findall(text):
                    if not slot.startswith("@") and slot not in pools:
                        raise ValueError(f"{lang}/{intent}: no pool for slot {slot!r}")
    all_pools = [*LANG_POOLS.values(), *LOCALE_POOLS.values()]
    for pools in all_pools:
        for name, values in pools.items():
            for value in values:
                for text in value if isinstance(value, tuple) else (value,):
                    if bad.search(text):
                        raise ValueError(f"pool {name}: unsafe character in {text!r}")


def _with_long_tail() -> None:
    """Each allowed language's long tail (``longtail``) joins its templates and pools."""
    from . import longtail

    for lang in ("en", "de", "fr", "es", "it", "nl", "pt", "ja"):
        rest = sum(weight for _, weight, _, _ in LANG_TEMPLATES[lang])
        LANG_TEMPLATES[lang] = [*LANG_TEMPLATES[lang], *longtail.templates(lang, rest)]
        LANG_POOLS[lang] = {**LANG_POOLS[lang], **longtail.pools(lang)}


_with_long_tail()
_check_tables()
