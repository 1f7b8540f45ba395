"""The independent detector's rules (see the package docstring) and the rows it reads."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.re2_classes import re2_class

SAMPLE_RATE = 0.02  # of the rows outside the scope (no digit, number word, "@" or name)


@dataclass(frozen=True)
class Finding:
    """An identifier the detector found: where (row), what (kind) and by which rule. No text."""

    row: int
    kind: str
    rule: str


# --- the rules, one string at a time ---------------------------------------------------------

_DIGIT_WORDS = {
    # en, de, fr, es, it, nl, pt: the words for 0-9 (and "oh"), nothing else
    "zero": "0", "oh": "0", "nought": "0", "naught": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "null": "0", "eins": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4", "fünf": "5",
    "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
    "zéro": "0", "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7",
    "huit": "8", "neuf": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9",
    "due": "2", "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8",
    "nove": "9",
    "nul": "0", "een": "1", "twee": "2", "drie": "3", "vijf": "5", "zes": "6", "zeven": "7",
    "negen": "9",
    "um": "1", "dois": "2", "três": "3", "quatro": "4", "sete": "7", "oito": "8", "meia": "6",
}  # fmt: skip
# the English ones: "o" reads as zero only beside them (in Spanish, Italian or Portuguese "o" is "or":
# "seis o siete o ocho o nueve" is a choice of four, not a number)
_ENGLISH_DIGIT_WORDS = frozenset(
    ["zero", "oh", "nought", "naught", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)
_REPEATS = {"double": 1, "triple": 2}  # "double o": two zeros, in English rows
_KANJI_DIGITS = "〇零一二三四五六七八九"
# what may stand between the kanji digits of one number: "の", long marks and dashes, the
# ideographic comma, the middle dot, a comma or a space (NFKC'd: "，", "･", "　" included)
_KANJI_JOINERS = "のー-、・, "
# Hesitations that may stand between the digit words of one number (they count as no digit):
# "five five five uh one two three four". Not "er" (German "he") nor "é" (Portuguese "is"), which
# are words; "um" only in English rows, where it is no digit word (Portuguese "one" elsewhere).
_FILLERS = frozenset(
    ["uh", "uhm", "umm", "hmm", "mm", "erm", "äh", "ähm", "öhm", "hm", "euh", "heu", "ehm", "eh", "hã"]
)
_ENGLISH_FILLERS = frozenset(["um"])
_JAPANESE_FILLERS = re.compile("えーと|えっと|えー")
# Japanese kana readings of the digits 0-9 (hiragana; katakana below), drawn out on the phone ("にー",
# "ごー", "きゅー"); kanji digits count beside them. A particle "に" and an honorific "さん" are the
# readings of 2 and 3 too: ``_kana_digits`` leaves them out where they stand beside a name or a verb.
# (and with a kana vowel, "にい", "ごお", review of 2026-12-07: "にい" not before "ち", where its "い" starts "いち")
_KANA_READINGS = (
    ("ぜろ", "れい"), ("いち",), ("に", "にー", "にい"), ("さん",), ("よん", "し"), ("ご", "ごー", "ごお"), ("ろく",),
    ("なな", "しち"), ("はち",), ("きゅう", "きゅー", "く"),
)  # fmt: skip
_KANA_WORDS = sorted(
    {w for words in _KANA_READINGS for w in words}
    | {w.translate({c: c + 0x60 for c in range(0x3041, 0x3097)}) for words in _KANA_READINGS for w in words},
    key=len,
    reverse=True,
)
_KANA_DIGIT = "|".join([*_KANA_WORDS, *_KANJI_DIGITS])  # (RE2, the prefilter: a superset of the next)
_KANA_DIGIT_PY = "|".join(
    [
        *(f"{w}(?!{'ち' if w == 'にい' else 'チ'})" if w in ("にい", "ニイ") else w for w in _KANA_WORDS),
        *_KANJI_DIGITS,
    ]
)
_KANA_RUN = re.compile(f"(?:{_KANA_DIGIT_PY})(?:[{re.escape(_KANJI_JOINERS)}]?(?:{_KANA_DIGIT_PY}))*")
_KANA_PIECE = re.compile(_KANA_DIGIT_PY)
# a kanji or katakana letter before "さん", or the "[NAME]" redaction left of such a name
_NAME_BEFORE = re.compile(r"[\u4e00-\u9fff\u30a1-\u30fa\]]")
# French numbers from 10 to 99, as French numbers are read in pairs ("zéro six, douze,
# trente-quatre, ..."): two digits each in a spoken run
_FR_UNITS = "un|deux|trois|quatre|cinq|six|sept|huit|neuf"
_FR_TEENS = "onze|douze|treize|quatorze|quinze|seize|dix(?:[- ](?:sept|huit|neuf))?"
_FR_TENS = "vingt|trente|quarante|cinquante|soixante|quatre[- ]vingts?"
_FR_PAIR = (
    rf"(?:soixante|quatre[- ]vingts?)[- ](?:et[- ])?(?:{_FR_TEENS})"  # 70-79, 90-99
    rf"|(?:{_FR_TENS})(?:[- ](?:et[- ])?(?:{_FR_UNITS}))?|{_FR_TEENS}"
)
# a spoken run's tokens: a French pair, a word, or a group of written digits
_LETTERS = re.compile(r"[^\W\d_]+")
# English numbers from 10 to 99 ("five five five, twelve thirty-four"): two digits each, in a run
# that also holds three single digit words or more (not "twenty twenty four", "six thirty")
_EN_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_EN_PAIR = (
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:" + _EN_UNITS + r"))?"
    r"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
)
_NUMBER_TOKEN = re.compile(
    rf"(?<![^\W\d_])(?:(?P<pair>{_FR_PAIR})|(?P<en_pair>{_EN_PAIR}))(?![^\W\d_])|(?P<digits>\d+)|[^\W\d_]+"
)
# Numbers from 10 to 99 of the other languages, as phone numbers are read in pairs there too ("null eins fünf
# eins zwölf vierunddreißig sechsundfünfzig", "nul zes, twaalf, vierendertig …", "seis uno dos, treinta y cuatro
# …", "tre quattro sette, dodici, trentaquattro …", "onze, nove, oito sete, noventa e oito …"; sixth pass:
# redaction took them, the gate counted none): two digits each, only in a row of that language (Spanish
# "once" is English "once", Dutch "tien" French "tien") and in a run that also holds a single digit word
# (review of 2026-12-07: speech recognition splits a German or Dutch compound ten around its "und"/"en": "zwei und
# vierzig", "een en veertig" are one pair each)
_OTHER_PAIRS = {
    "de": "(?:(?:ein|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun)(?:und| und ))?(?:zwanzig|dreißig|dreissig|vierzig"
    "|fünfzig|fuenfzig|sechzig|siebzig|achtzig|neunzig)|zehn|elf|zwölf|zwoelf|dreizehn|vierzehn|fünfzehn"
    "|fuenfzehn|sechzehn|siebzehn|achtzehn|neunzehn",
    "nl": "(?:(?:een|één|twee|drie|vier|vijf|zes|zeven|acht|negen)(?:en|ën| en ))?(?:twintig|dertig|veertig|vijftig"
    "|zestig|zeventig|tachtig|negentig)|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien"
    "|negentien",
    "es": "(?:treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)(?: y (?:uno|un|dos|tres|cuatro|cinco"
    "|seis|siete|ocho|nueve))?|veinti(?:uno|ún|un|dós|dos|trés|tres|cuatro|cinco|séis|seis|siete|ocho|nueve)"
    "|veinte|diez|once|doce|trece|catorce|quince|dieciséis|dieciseis|diecisiete|dieciocho|diecinueve",
    "it": "(?:vent|trent|quarant|cinquant|sessant|settant|ottant|novant)(?:uno|otto)"
    "|(?:venti|trenta|quaranta|cinquanta|sessanta|settanta|ottanta|novanta)(?:due|tre|tré|quattro|cinque|sei"
    "|sette|nove)?|dieci|undici|dodici|tredici|quattordici|quindici|sedici|diciassette|diciotto|diciannove",
    "pt": "(?:vinte|trinta|quarenta|cinquenta|sessenta|setenta|oitenta|noventa)(?: e (?:um|uma|dois|duas|três"
    "|tres|quatro|cinco|seis|sete|oito|nove))?|dez|onze|doze|treze|catorze|quatorze|quinze|dezesseis|dezasseis"
    "|dezessete|dezassete|dezoito|dezenove|dezanove",
}
_NUMBER_TOKENS = {
    language: re.compile(
        rf"(?<![^\W\d_])(?:(?P<other_pair>{pairs})|(?P<pair>{_FR_PAIR})|(?P<en_pair>{_EN_PAIR}))(?![^\W\d_])"
        r"|(?P<digits>\d+)|[^\W\d_]+"
    )
    for language, pairs in _OTHER_PAIRS.items()
}
# a number word from 10 to 99 of any supported language ("zehn", "twelve", "trente")
_NUMBER_WORD_PATTERNS = [re.compile(f"(?i){pairs}") for pairs in (_EN_PAIR, _FR_PAIR, *_OTHER_PAIRS.values())]
# (a run of them: over spaces and commas; it may not end before written digits or a conjunction)
_OWN_RUN_GAP = re.compile(r"[ ,]+")
_AFTER_OWN_RUN = re.compile(r"[ ,.\-]+")
_ROUND_TENS_WORDS = (
    "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa venti trenta quaranta cinquanta sessanta"
    " settanta ottanta novanta vinte trinta quarenta cinquenta sessenta setenta oitenta noventa"
)
_ROUND_TENS = frozenset(_ROUND_TENS_WORDS.split())
# ... the words for one digit of each of those languages: a run of pairs counts with them only (redaction reads a
# run of one language's words; "elf eins zwei um einundzwanzig" mixes Portuguese "um" in)
_OTHER_UNIT_WORDS = {
    "de": "null eins ein eine zwei zwo drei vier fünf fuenf sechs sieben acht neun",
    "nl": "nul een één twee drie vier vijf zes zeven acht negen",
    "es": "cero uno una un dos tres cuatro cinco seis siete ocho nueve",
    "it": "zero uno una un due tre tré quattro cinque sei sette otto nove",
    "pt": "zero um uma dois duas três tres quatro cinco seis sete oito nove meia",
}
_OTHER_UNITS = {language: frozenset(words.split()) for language, words in _OTHER_UNIT_WORDS.items()}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,24}(?!\w)")
_AT_UNAMBIGUOUS = (
    r"(?:\(at\)|\[at\]|\{at\}|at\s+the\s+rate(?:\s+of)?|arroba|arobase|chiocciolina|chiocciola|apenstaartje"
    r"|apenstaart|klammeraffe|affenschwanz|(?<![^\W\d_])ät(?![^\W\d_])|アット(?:マーク)?|@)"
)
_DOT_WORD = r"(?:dot|punto|point|punkt|punt|ponto|\(dot\)|\[dot\]|\{dot\}|ドット|\.)"
_TLD = (
    r"(?:com|net|org|edu|gov|io|co|uk|us|ca|de|fr|es|it|nl|br|jp|at|mx|in|ie|au|ch|be|pt|eu|info|me"
    r"|コム|ネット|ジェーピー|ジェイピー)"
    r"(?![0-9A-Za-z\u00c0-\u024f])"  # then no Latin letter or digit (kana may follow: "comです")
)
# (a domain's labels hold no hiragana or kanji: "このアットホームなカフェのドットネット" is "at home", not an
# address; Japanese addresses read out spell their domain in katakana or Latin letters)
_DOMAIN_LABEL = r"(?:[^\W\u3041-\u309f\u3005\u3400-\u4dbf\u4e00-\u9fff]|-)+"
_SPELLED_EMAIL = re.compile(
    rf"(?i)(?P<box>[\w.]+)\s*(?P<at>{_AT_UNAMBIGUOUS}|\bat\b)\s*{_DOMAIN_LABEL}(?:\s*{_DOT_WORD}\s*{_DOMAIN_LABEL})*?"
    rf"\s*{_DOT_WORD}\s*{_TLD}"
)
# A mailbox spelled out with its joiners ("jo underscore smith", "jo guion bajo smith", "jo punkt
# smith") before a plain "at": an e-mail where the joiner is an underscore or hyphen word; where
# it is only a dot word, where the domain is a mail provider's ("polka dot dress at zara dot com"
# is no e-mail). "dash" is no joiner (dash cams); "minus" and the other names of a hyphen that are
# arithmetic's or a line's are one, but not between two number words ("five minus two at …" is a sum).
_BOX_HYPHEN = r"(?:minus|strich|moins|menos|raya|meno|lineetta|koppelteken)"
_BOX_JOINER = (
    r"(?:underscore|under score|underline|unterstrich|guion bajo|guión bajo|barra baja|tiret du bas"
    r"|tiret bas|tiret|trattino basso|trattino|sottolineato|laag streepje|liggend streepje|streepje"
    rf"|sublinhado|hífen|hifen|traço|hyphen|bindestrich|guion|guión|{_BOX_HYPHEN})"
)
_BOX_DOT = r"(?:dot|punkt|punto|point|punt|ponto)"
# (a surname's particles after a joiner: "piet punt van der berg at gmail punt com"; sixth pass)
_BOX_PARTICLE = r"(?:de|van|der|den|von|da|di|del|la|le|du|dos|das)"
_JOINED_BOX_EMAIL = re.compile(
    rf"(?i)(?<![\w.])(?P<box>[\w.]+(?:\s+(?:{_BOX_JOINER}|{_BOX_DOT})\s+(?:{_BOX_PARTICLE}\s+)*[\w.]+){{1,4}})\s+at\s+"
    rf"(?P<domain>[\w-]+)(?:\s*{_DOT_WORD}\s*[\w-]+)*?\s*{_DOT_WORD}\s*{_TLD}"
)
_BOX_JOINER_WORD = re.compile(rf"(?i)\s{_BOX_JOINER}\s")
_HYPHEN_BETWEEN = re.compile(rf"(?i)(?<![^\W_])([^\W_]+)\s+{_BOX_HYPHEN}\s+(?=([^\W_]+))")


def _arithmetic(box: str) -> bool:
    """A hyphen word of ``_BOX_HYPHEN`` between two number words in ``box`` ("five minus two", "zehn minus
    drei"): a sum, not a mailbox's parts."""
    return any(
        _number_word(match.group(1)) and _number_word(match.group(2))
        for match in _HYPHEN_BETWEEN.finditer(box)
    )


def _number_word(word: str) -> bool:
    """A written number or a word for one from 0 to 99 of a supported language."""
    word = word.lower()
    return (
        word.isdigit()
        or word in _DIGIT_WORDS
        or any(pattern.fullmatch(word) for pattern in _NUMBER_WORD_PATTERNS)
    )


# ... or a mailbox of joined parts or with a digit in a word before an "at" of another language, which
# means nothing but "@", and a domain without its top-level domain ("jean point dupont arobase orange";
# not "comment taper arobase sur le clavier")
_FOREIGN_AT_BARE_DOMAIN = re.compile(
    rf"(?i)(?<![\w.])(?P<box>[^\W\d_]\w*\d\w*|\w+(?:\s+(?:{_BOX_JOINER}|{_BOX_DOT})\s+\w+|[._-]\w+){{1,4}})\s+"
    r"(?:arroba|arobase|chiocciolina|chiocciola|apenstaartje|apenstaart|klammeraffe|affenschwanz)\s+[^\W\d_]"
)
# ... or a single word before such an "at" and a mail provider's name that is no word ("juan arroba
# gmail", "pierre arobase yahoo"), the word no function word or verb of typing (``_NOT_FOREIGN_BOX``:
# "pon la arroba gmail", "escribe arroba gmail", "il simbolo chiocciola gmail" are none)
_FOREIGN_AT_PROVIDER = re.compile(
    r"(?i)(?<![\w.])(?P<box>[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{2,})\s+"
    r"(?:arroba|arobase|chiocciolina|chiocciola|apenstaartje|apenstaart|klammeraffe|affenschwanz)\s+"
    r"(?:gmail|googlemail|hotmail|yahoo|outlook|icloud|protonmail|gmx|aol)(?![\w-]|\s*[.,]?\s*(?:com|net|org)\b)"
)
_NOT_FOREIGN_BOX = frozenset(
    [
        "the", "a", "an", "to", "my", "and", "or", "for", "at", "it", "its", "this", "that", "us", "we", "me",
        "you", "is", "la", "el", "los", "las", "le", "les", "lo", "il", "gli", "un", "una", "une", "uno",
        "de", "del", "des", "du", "di", "da", "die", "der", "das", "den", "dem", "ein", "eine", "een",
        "het", "os", "as", "um", "uma", "en", "em", "et", "und", "simbolo", "símbolo", "symbol", "zeichen",
        "signo", "signe", "sinal", "teken", "escribe", "escribir", "pon", "poner", "pulsa", "teclea", "usa",
        "tape", "tapez", "taper", "mets", "scrivi", "scrivere", "metti", "digita", "digite", "digitar",
        "schreib", "schreibe", "tippe", "tippen", "typ", "typt", "type", "comment", "como", "cómo", "come",
        "wie", "hoe", "que", "qué", "qui", "che", "wat", "was", "mail", "email", "correo", "courriel",
        "adresse", "indirizzo", "endereço", "endereco", "adres", "es", "est", "ist", "è", "é", "sono",
        "soy", "él", "ella", "mi", "tu", "su", "mon", "ma", "ton", "mio", "mia", "mein", "meine", "mijn",
        "meu", "minha", "sein", "son", "sa", "con", "avec", "mit", "met", "com", "per", "par", "por",
        "para", "pour", "für", "voor", "y", "e", "o", "ou", "oder", "of", "ed",
        # (and the English words no mailbox is: "those", "online", "check", "shop" ...)
        "those", "these", "them", "they", "him", "her", "one", "ones", "more", "all", "here", "there",
        "now", "online", "out", "up", "look", "looking", "check", "go", "buy", "find", "visit", "order",
        "shop", "shopping", "available", "sale", "deals", "stuff", "everything", "something", "anything",
        "info",
    ]
)  # fmt: skip
_MAIL_PROVIDERS = frozenset(
    [
        "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud", "me",
        "mac", "aol", "gmx", "web", "t-online", "freenet", "posteo", "mailbox", "proton", "protonmail",
        "pm", "zoho", "yandex", "mail", "orange", "free", "laposte", "sfr", "wanadoo", "libero",
        "virgilio", "tiscali", "alice", "ziggo", "kpnmail", "kpn", "xs4all", "hetnet", "planet",
        "telenet", "uol", "bol", "terra", "ig", "globo", "sapo", "docomo", "ezweb", "softbank",
        "rediffmail", "qq", "btinternet", "sky", "virginmedia", "bigpond", "shaw", "rogers",
        "sympatico",
    ]
)  # fmt: skip
_TLD_WORD = re.compile(rf"(?i){_TLD}")
# the providers whose name is no ordinary word, for a domain said without its top-level domain
# ("jsmith87 at gmail"; not "watch the f1 at sky", "4k at free")
_BARE_PROVIDERS = frozenset(
    [
        "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "icloud", "aol", "gmx", "t-online",
        "posteo", "protonmail", "yandex", "laposte", "wanadoo", "libero", "ziggo", "kpnmail", "xs4all",
        "hetnet", "rediffmail", "btinternet", "virginmedia", "bigpond", "uol",
    ]
)  # fmt: skip
# A mail provider's name said in two words ("g mail", "hot mail"), read as one for the rules below
_SPLIT_PROVIDER = re.compile(r"(?i)\b(g|google|hot|proton|ya|i|out)\s+(mail|hoo|cloud|look)\b")
_SPLIT_PROVIDERS = frozenset(["gmail", "googlemail", "hotmail", "protonmail", "yahoo", "icloud", "outlook"])
_EMAIL_NUMBER_WORD = (
    "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
    + "|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty"
    "|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
# Mailboxes of other shapes before a plain or unambiguous "at" and a domain: spelled letter by
# letter ("j o h n s m i t h at gmail dot com"; three single letters or digits or more), a word
# and spoken numbers ("jsmith eighty seven at gmail"), or letters and digits glued ("jsmith87
# at gmail"). An e-mail where the domain is a mail provider's or, spelled letter by letter,
# has a top-level domain.
_AT_DOMAIN = re.compile(
    rf"(?i)(?<=\s)(?:at\s+(?:sign|symbol)|at|{_AT_UNAMBIGUOUS})\s+(?P<domain>[\w-]+)(?P<tld>\s*{_DOT_WORD}\s*[\w-]+)?(?![\w-])"
)
# (as redaction reads them: a number-word mailbox never starts with a function word, "from nine
# to five at outlook", "tomorrow at ten at outlook"; a glued one is no number and a unit or an
# ordinal, "9am", "2tb", "15gb", "49ers", "21st"; letters spelled are no time, "9 a m")
_NOT_BOX_FIRST = (
    "to|at|from|till|til|until|by|before|after|around|about|past|is|was|are|were|be|for|of|in|on|and|or"
    "|the|a|an|my|your|our|his|her|their|it|its|me|us|them|than|between|under|over|every|each|only"
    "|just|since|plus|minus|times|like|with|into|onto|per|de|la|le|el|il|en|et|y|e|und|um|am|im|zu|van"
    "|op|om|te|da|do|di|du|das|des|dos|del|les|los|las|one|half|quarter"
)
_BOX_BEFORE_AT = re.compile(
    rf"(?i)(?<![\w.])(?:(?P<letters>(?:[^\W_]\s+){{2,}}[^\W_])"
    rf"|(?!(?:{_NOT_BOX_FIRST})\s)[^\W\d_]{{2,}}(?:\s+(?:{_EMAIL_NUMBER_WORD})){{1,4}}"
    rf"|(?P<glued>[^\W\d_][\w.]*\d[\w.]*|\d[\w.]*[^\W\d_][\w.]*))\s+\Z"
)
_PLAIN_BOX = re.compile(rf"(?i)(?<![\w.])(?!(?:{_NOT_BOX_FIRST})\s)[^\W\d_][\w.]+\s+\Z")
# ... or any word after a single initial, a consonant standing alone ("j smith at gmail dot com"; not "i
# work at …", "a word at …" nor the "s" of "it's")
_INITIAL_AND_BOX = re.compile(r"(?i)(?<![\w.'’])[b-df-hj-np-tv-xz]\s+[^\W\d_][\w.]+\s+\Z")
_NUMBER_AND_UNIT = re.compile(
    r"(?i)\d+(?:[.,]\d+)?(?:am|pm|a\.m\.?|p\.m\.?|h|hr|hrs|min|mins|s|ms|k|kb|mb|gb|tb|pb|gig|gigs|g|m|mm|cm"
    r"|km|kg|lb|lbs|oz|x|p|st|nd|rd|th|ers|er|d|ies|fa)"
)
_SPELLED_TIME = re.compile(r"(?i)\d\s+[ap]\s+m\Z")
_CARD_WINDOW = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_IP_TOKEN = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
# (its groups joined by spaces, dashes, "/" or parentheses: "NL91/ABNA/0417/1643/00", "(NL91) ABNA …")
_IBAN_WINDOW = re.compile(r"(?i)\b[a-z]{2}\d{2}(?:[\s\-/()\u2010-\u2015]{0,3}[a-z0-9]){11,30}\b")


def _iban(window: str) -> bool:
    """Whether ``window`` or a part of it ending at a group's end (the window may run into the words
    after the number) is an IBAN."""
    ends = [m.end() for m in re.finditer(r"[A-Za-z0-9]+", window)]
    return any(_stdnum("iban", re.sub(r"[^A-Za-z0-9]", "", window[:end])) for end in reversed(ends))


_ALNUM_ID = re.compile(
    r"(?i)\b(?:\d{8}[a-z]|[xyz]\d{7}[a-z]|[a-z]{6}\d{2}[a-z]\d{2}[a-z]\d{3}[a-z]|[a-z]{4}\d{6}[a-z]{6}[a-z0-9]\d|[a-z]{5}\d{4}[a-z])\b"
)
_ID_MODULES = ("es.dni", "es.nie", "it.codicefiscale", "mx.curp", "in_.pan")
_DIGIT_IDS = {
    "DE": ("de.idnr",), "AT": ("at.vnr",), "FR": ("fr.nir",), "NL": ("nl.bsn",), "BR": ("br.cpf",),
    "CA": ("ca.sin",), "AU": ("au.tfn",), "IN": ("in_.aadhaar",), "JP": ("jp.in_",),
}  # fmt: skip
# A Dutch BSN named: its eight digits are one with the leading zero dropped (older BSNs, from the
# sofinummer, begin with 0); without the name eight digits are none (one in eleven passes the 11-test)
_BSN_NAMED = re.compile(r"(?i)(?<![^\W_])(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)(?![^\W_])")
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ .\-/]?\d){7,14}(?![\d])")
# "my name is X" in the allowed languages (the same words in the RE2 prefilters, a space after them)
_NAME_STATEMENT_WORDS = (
    r"\b(?:my name is|my name['’]s|mein name ist|ich heiße|je m'appelle|me llamo|mi chiamo|mijn naam is"
    r"|meu nome é|me chamo|mi nombre es|il mio nome è|mon nom est|moi c'est|ik heet)"
)
_NAME_STATEMENT = re.compile(
    rf"(?i){_NAME_STATEMENT_WORDS}\s+(?P<name>[^\W\d_]{{2,}})(?:\.?\s+(?P<next>[^\W\d_]{{2,}}))?"
)
# Japanese (the detector's own lists): kanji or katakana before an honorific ("田中さん", "山田太郎様",
# "鈴木先生"), not a word of kinship or a role an honorific follows ("お母さん", "お客様", "店員さん",
# "赤ちゃん"); a name stated by its speaker ("私の名前は佐藤です", "氏名: 山田花子", "田中と申します"; the
# speaker's own only: "お店の名前は …" names a shop)
_JA_LETTERS = "\u4e00-\u9fef々\u30a1-\u30f6\u30fc"
_JA_HONORIFIC_NAME = re.compile(rf"([{_JA_LETTERS}]{{1,5}})(?:さん|様|さま|くん|君|ちゃん|氏|先生)")
_JA_NOT_HONOURED_WORDS = """
    母 父 兄 姉 弟 妹 奥 叔母 叔父 伯母 伯父 祖母 祖父 皆 娘 息子 旦那 お客 客 神 王 王子 姫 仏 赤 子 嬢 殿 主人 主 諸
    苦労 疲れ 患者 店員 運転手 医者 看護師 大家 隣 駅員 猫 犬 ワン 社長 部長 課長 先輩 後輩 同僚 彼 彼女 お疲れ 奥様
    """
_JA_NOT_HONOURED = frozenset(_JA_NOT_HONOURED_WORDS.split())
_JA_NAME_STATED = re.compile(
    rf"(?:(?:^|(?:私|わたし|僕|ぼく|俺|あたし)の)(?:名前|なまえ)|氏名)\s*(?:は|:)\s*(?P<name>[{_JA_LETTERS}]{{1,8}})"
    r"(?=です|でございます|だ|と申します|といいます|と言います|[。、！!？?\s]|$)"
    rf"|(?P<said>[{_JA_LETTERS}]{{1,8}})と申します"
)
_JA_NOT_STATED_WORDS = "何 誰 不明 未定 秘密 内緒 登録 空欄 同じ 本名 仮名 漢字 カタカナ 英語"
_JA_NOT_STATED = frozenset(_JA_NOT_STATED_WORDS.split())


# A title and a title-cased name of the lists after it ("Frau Meier", "Herrn Schulz", "dottor Bianchi", "lunch
# with Dr. Meier"), no English word ("Doctor Who", "Mr. Right"), not in a request to play ("play Mrs. Robinson")
_TITLE_WORDS = (
    "mr|mrs|ms|dr|frau|herr|herrn|monsieur|madame|mme|señor|señora|sr|sra|signor|signora|dottor|dottoressa"
    "|doctora|docteur|dokter|doktor|doutor|doutora|meneer|mevrouw|heer|senhor|senhora|maître"
)
_TITLED_NAME = re.compile(rf"(?<![^\W_])(?i:{_TITLE_WORDS})\.? (?P<name>[^\W\d_]{{2,}})(?![\w'’-])")


def _titled_name(text: str) -> bool:
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    if _titled_particle_name(text):
        return True
    for match in _TITLED_NAME.finditer(text):
        name = match.group("name")
        if not (name[0].isupper() and name[1:].islower()):
            continue
        low = name.lower()
        if low in english_words() or low in _not_a_called_name() or _folded(low) in _not_a_called_name():
            continue
        if low in _NOT_TITLED_NAMES:
            continue  # "Dr. Uhm", "Dr. Heu": a hesitation redaction reads out (it flagged what redaction kept)
        if low in _all_names() or _folded(low) in _all_names():
            return True
    return False


# ... and after a call or a meeting, a title of address in any case and a name of the lists in any case, English
# words too ("lunch with dr smith", "Termin mit herrn weber")
# ("call mr smith", "call Dr. Brown", "ruf herrn weber an", "ruf Herrn Doktor Weber an", "chiama il dottor rossi",
# "llama al señor garcía", "appelle docteur Martin"; sixth pass: redaction took these, the gate read none)
_ADDRESS_TITLES = (
    "mr|mrs|ms|dr|doctor|prof|professor|herr|herrn|frau|monsieur|madame|mme|señor|señora|sr|sra|signor|signora"
    "|dott|dottor|dottore|dottoressa|doktor|docteur|doctora|doutor|doutora|meneer|mevrouw|mevr|heer|senhor|senhora"
)
_CALLED_TITLED = re.compile(
    r"(?<![^\W_])(?i:call|call up|ring|phone|text|email|message|dial|ruf|rufe|ruf bitte|ruf mal|appelle|chiama"
    r"|telefona|bel|llama|liga para|ligue para|(?:meeting|appointment|lunch|dinner|breakfast|coffee|call|meet|date"
    r"|chat) with|termin mit|treffen mit|afspraak met|reunión con|cita con|riunione con|réunion avec"
    r"|rendez-vous avec|reunião com) +"
    r"(?P<article>(?i:il|la|lo|le|o|a|al|a la|de) +)?"
    rf"(?:(?i:{_ADDRESS_TITLES})\.? +){{1,2}}(?P<name>[^\W\d_]{{3,}})(?![\w'’-])"
)


def _called_titled_name(text: str) -> bool:
    if not _CALLED_TITLED_HINT.search(text):
        return False
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    for match in _CALLED_TITLED.finditer(text):
        name = match.group("name")
        low = name.lower()
        if low in _not_a_called_name() or _folded(low) in _not_a_called_name() or low in _NOT_TITLED_NAMES:
            continue
        word = low in english_words()
        # right after the call and the title, a surname of the lists that is an English word ("call mr smith",
        # "call dr. brown"; not after an article: "chiama il dottor able")
        if word and not _title_cased(name) and (match.group("article") or low not in _surnames()):
            continue
        if low in _all_names() or _folded(low) in _all_names():
            return True  # a name of the lists: "docteur Martin", "mrs johnson", "ruf herrn weber an"
    return False


_CALLED_TITLED_HINT = re.compile(rf"(?i)(?<![^\W_])(?:{_ADDRESS_TITLES})\.? ")
# titles, and the hesitations and function words redaction reads out of a name ("call mr uhm", "… sans")
_NOT_TITLED_NAMES = frozenset([*_ADDRESS_TITLES.split("|"), "ahn", "heu", "uhm", "umm", "sans", "euh", "ähm"])


# ... and a title and a surname with its particle, one word or two ("ruf Herrn von Weizsäcker an", "bel meneer van
# Dijk", "appelle M. de La Fontaine", "llama a la señora de la Fuente", "call Mr. de Vries"; third review of
# 2026-12-07: redaction took the particle for the name and published the surname, and this rule read no particle):
# the word after the particle title-cased, no English word and no word of a request, not an office, a rank or a
# nobility ("Monsieur le Président", "Madame la Ministre"). French "M." is a title here; German "der" and "den"
# alone are articles ("Der Herr der Ringe").
_SURNAME_PARTICLES = (
    "van der|van den|van de|van het|von der|von dem|de la|de los|de las|de le|von|van|de|da|das|di|dos|du|del"
    "|della|le|la|ter|ten|zu"
)
_TITLED_PARTICLE_NAME = re.compile(
    rf"(?<![^\W_])(?:(?i:{_ADDRESS_TITLES}|{_TITLE_WORDS})\.?|M\.) +(?i:{_SURNAME_PARTICLES}) +"
    r"(?P<name>[^\W\d_]{3,})(?![\w'’-])"
)
# Offices, ranks and nobility after a particle (above), and particles and adverbs of time a call ends with
# ("Herrn von Mac …", "… von Nachher"): no surname
_OFFICE_WORDS = """
    président présidente president ministre minister maire mayor directeur directrice director juge judge préfet
    préfète recteur rectrice doyen doyenne commissaire député députée sénateur sénatrice chancelier chancelière
    comte comtesse vicomte vicomtesse duc duchesse marquis marquise baron baronne prince princesse roi reine curé
    abbé chevalier capitaine colonel général lieutenant sergent voorzitter voorzitster burgemeester wethouder
    rechter dominee pastoor rector presidente ministro ministra alcalde alcaldesa directora juez jueza conde
    condesa duque duquesa marqués marquesa rey reina príncipe princesa sindaco direttore direttrice giudice
    contessa duca duchessa marchese marchesa regina principe principessa prefeito prefeita diretor diretora juiz
    juíza condessa capitán capitano capitão
    mac mc bin nachher übermorgen
    """
_OFFICES = frozenset(_OFFICE_WORDS.split())


def _titled_particle_name(text: str) -> bool:
    """A title, a surname's particle and a title-cased word that may be a surname (``_TITLED_PARTICLE_NAME``)."""
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    for match in _TITLED_PARTICLE_NAME.finditer(text):
        name = match.group("name")
        low = name.lower()
        if not (name[0].isupper() and name[1:].islower()) or low in english_words():
            continue
        if low in _PARTICLES or low in _NOT_TITLED_NAMES or low in _STATED_TITLES:
            continue
        if any(word in _not_a_called_name() or word in _OFFICES for word in (low, _folded(low))):
            continue
        return True
    return False


@functools.cache
def _surnames() -> frozenset[str]:
    from utterance_governance.clean.names import gazetteer  # names, not redaction code

    return gazetteer()[1]


def _japanese_names(text: str) -> list[tuple[str, str]]:
    for match in _JA_NAME_STATED.finditer(text):
        if (match.group("name") or match.group("said")) not in _JA_NOT_STATED:
            return [("name", "name_statement")]
    if any(match.group(1) not in _JA_NOT_HONOURED for match in _JA_HONORIFIC_NAME.finditer(text)):
        return [("name", "honorific_name")]
    return []


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# After "my name is": words that state no name, as redaction reads them (it replaces any word there but
# these): function words, negation and adverbs ("my name is not on the list", "my name is on the
# reservation", "my name is in the system", "my name is too long", "my name is all caps"), pronouns,
# numbers, kinship and place words, request verbs of every allowed language; negation and adverbs of the
# other languages ("mein name ist nicht auf der Liste", "mon nom est trop long", "mijn naam is te lang")
_NOT_STATED_NAMES = _word_set(
    """
    a aan about abuela abuelo after again al all also an and anrufen any anyone ao appeler appelez
    appelle arbeit as ask at auf back before bel bellen boss both brother bucks buero bureau but by büro
    call called calling casa cents chiama chiamare contact dad daddy das daughter de dem den der dial
    die dile dollar dollars down e-mail each ecris een eight el eleven email emailing escribe escritorio
    escritório escríbele euro euros everybody everyone facetime father fifty five for forty four frag
    frau from fur für gli grandma grandpa granny her here het him his home how hundred husband i i'd
    i'll i'm i've if il in into invite it its i’d i’ll i’m i’ve ja just kantoor la las later le les liga
    ligar ligue llama llamando llamar llame lo los mail maison mama maman mamie mamma mamá manda mande
    mann maybe me message messaging mom mommy more most mother msg mum mummy mutter my mãe naar named
    nana nee nein nine no nobody non nonna nonno not now não o of off office oficina ok okay oma on one
    op opa or os oui our out over pai papa papi papà papá para per phone please por pounds pour pra
    remind ring ruf rufe sag schatz schreib schreibe scrivi seven si sim sister six skype so some
    somebody someone son stuur sì telefona tell ten text texting that the their them then there these
    they thirty this those thousand three to today tomorrow tonight too twelve twenty two ufficio um uma
    un une up us vater very voor vó vô we what whatsapp when where which while who whom why wife with
    work yes you your zero zu zuhause à écris
    nicht auch schon noch leider bereits wirklich eigentlich falsch richtig sehr kein keine immer wieder
    doch pas plus très trop déjà aussi encore vraiment toujours ne comme muy demasiado también ya todavía
    aún bastante como troppo molto già anche ancora davvero come niet ook te nog geen erg heel echt wel
    muito também já ainda bem meio
    """
)
# ... and titles: the name is the word after one ("my name is Dr. Okafor")
_STATED_TITLES = _word_set(
    """
    aunt auntie cousin doctor don dott doña dr frau herr madam madame mademoiselle meneer mevr mevrouw
    miss mme monsieur mr mrs ms onkel prof professor senhor senhora señor señora sig signor signora sir
    sr sra tante tia tio tía tío uncle zia zio herrn heer dottor dottore dottoressa doctora docteur doktor
    dokter doutor doutora maître profesor profesora professeur professora signorina señorita senhorita
    juffrouw avvocato ingegnere
    """
)
# A request that names its person ("call X Y", "whatsapp X Y", "llama a X Y", "bel X de Y",
# "set up a meeting with X Y", "send ten dollars to X Y"): X a gazetteer given name (its parts,
# when hyphenated; or redaction's "[NAME]": a surname left beside it) and Y a gazetteer surname,
# after particles if any ("jan de vries": in Dutch rows any word after a particle, in other rows
# a gazetteer surname). Both looked up without accents (a surname from five letters: "garcía",
# not "más", "où", "lá"); neither an ordinary English word as written. Portuguese "liga"/"manda"
# are also "turn on"/"send" ("liga a luz da sala"): in Portuguese rows a call only before
# "para"/"pra"/"pro", else a capitalised given name ("liga a Marco Rossi"). After a particle, a
# lower-case word is no surname beside "[NAME]" (redaction takes a particle and the word after it
# with a name it finds: "[NAME] van de buren" is "the neighbours'"), nor, beside "te" alone ("te
# laat": too late), any word that is no gazetteer surname.
_NAME_CUE = (
    # a message sent to someone: "manda un whatsapp a X Y", "manda mensagem pra X Y", "stuur een appje naar X Y" (the
    # review of 2026-12-07, evening; before the verbs: "manda" alone would take "mensagem" for the name)
    r"(?:(?:manda|mande|envia|envie|stuur|schick|schicke|send)\s+)?(?:(?:un|una|um|uma|een|eine|ein|a)\s+)?"
    r"(?:whatsapp|mensaje|mensagem|sms|messaggio|appje|berichtje|texto|nachricht)\s+(?:a|à|para|pra|pro|naar|aan|an|per)"
    r"|(?:call|text|email|message|ring|phone|dial|whatsapp|facetime|skype|venmo|ruf|rufe|anrufen"
    r"|schreib|schreibe|appelle|appeler|appelez|téléphone|llama|llamar|llame|marca|escribe|escríbele"
    r"|chiama|chiamare|telefona|telefonare|scrivi|bel|bellen|stuur|(?P<pt>liga|ligue|ligar|manda|mande)"
    # ... and the other languages' "write to", "call back", "remind", "send", "tell" (review of 2026-12-07,
    # evening: "écris à X Y", "rappelle X Y", "erinnere X Y", "schick X Y", "recuérdale a X Y", "di a X Y",
    # "fala pra X Y", "call back X Y", "reply to X Y")
    r"|écris|ecris|rappelle|rappelez|erinnere|erinner|schick|schicke|herinner|recuérdale|recuerdale|ricorda|reply"
    r"|(?:fala|diz|diga|avisa)(?=\s+(?:pra|para|pro)\b)|di(?=\s+a\b))"
    r"(?:\s+(?:up|back|bitte|doch|mal)){0,2}"  # "call up X", "call back X", "ruf bitte X an", "ruf doch mal X an"
    r"(?:\s+(?P<prep>a|à|al|para|pra|pro|an|naar|to|o))?"
    # "envoie un texto à X", "fai una chiamata a X"
    r"|envoie\s+un\s+(?:texto|sms|message)\s+[àa]|(?:fai|fa|fate)\s+una\s+chiamata\s+a"
    r"|(?:meeting|appointment|lunch|dinner|coffee|call|chat|date|session)\s+with"
    # "talk with X Y", "read my messages from X Y", "add X Y to my contacts"
    r"|(?:talk|speak)\s+(?:with|to)|(?:messages?|texts?|e-?mails?|voicemails?)\s+from"
    r"|add(?=\s[^\n]*\b(?:contacts?|phonebook|phone\s+book|address\s+book)\b)"
    r"|(?:send|transfer|wire)\s+[^\n]{0,40}?\bto"
)
_NAME_WORD = r"[^\W\d_]{2,}(?:-[^\W\d_]{2,})?"
# Relations and nouns after the possessives "mia", "mio" (gazetteer given names) that the gazetteer lists as
# surnames: "chiama mio amico", "chiama mio amore" keep "my" (redaction's ``possessive_before_noun``; the second
# review of 2026-12-07: "chiama mia rossi" is a name, "chiama mio amico" blocked the night)
_AFTER_MY = frozenset(
    [
        "amico", "amica", "bae", "bro", "bruder", "capo", "fils", "freund", "mann", "neef", "neto", "neveu", "nieto",
        "niece", "pere", "primo", "ragazzo", "schatz", "schwager", "sohn", "tata", "tito", "voisin", "voisine", "casa",
        "familia", "amore", "amor", "tesoro", "caro", "bello",
    ]
)  # fmt: skip
_CALLED_FULL_NAME = re.compile(
    rf"(?i)\b(?:{_NAME_CUE})\s+(?P<first>\[NAME\]|{_NAME_WORD})(?P<rest>(?:\s+[^\W\d_]+){{1,3}})"
)
_PARTICLES = frozenset(["de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "van", "von",
                        "der", "den", "ter", "ten", "te", "zu", "y"])  # fmt: skip
_DUTCH_PARTICLES = frozenset(["de", "van", "der", "den", "ter", "ten", "te"])
# Words of the supported languages that the gazetteer also lists as names ("bel jan morgen",
# "ruf hans gleich an", "llama a una amiga", "schreib [NAME] dass ...", "scrivi a [NAME] che ...")
# and Dutch words after a particle ("bel jan de volgende week"): never a name here.
_NOT_NAMES = frozenset(
    [
        "morgen", "gleich", "hoy", "para", "hele", "abend", "notte", "casa", "maison", "hause", "sul",
        "sulla", "los", "der", "das", "uno", "ja", "na", "al", "del", "les", "una", "heute", "jetzt",
        "bitte", "später", "zurück", "noch", "mal", "mañana", "ahora", "luego", "después", "domani", "oggi",
        "dopo", "adesso", "subito", "vandaag", "straks", "terug", "amanhã", "hoje", "agora", "depois",
        "demain", "maintenant", "tard", "soir", "suite", "volgende", "vorige", "komende", "eerste",
        "laatste", "week", "dag", "avond", "ochtend", "middag", "nacht", "keer", "even", "nog", "werk",
        "kantoor", "huis", "thuis", "school", "het", "een", "mijn", "zijn", "haar", "hun", "ons", "onze",
        "jouw", "uw", "deze", "die", "dat", "mama", "papa", "mamma", "madre", "padre", "mère", "père",
        "moeder", "vader", "mutter", "vater", "dass", "ob", "wenn", "wann", "wo", "wie", "was", "weil",
        "oder", "aber", "und", "che", "se", "come", "quando", "perché", "ma", "que", "si", "como", "cuando",
        "porque", "pero", "qu", "comme", "quand", "parce", "mais", "ou", "hoe", "wat", "waar", "wanneer",
        "omdat", "maar", "of", "mas", "quanto", "onde", "sobre", "über", "pour", "für", "hallo", "hola",
        "ciao", "salut", "olá", "bonjour", "buongiorno",
        # Portuguese house words ("liga a luz da sala"), relatives ("llama a [NAME] tío"), Dutch
        # nouns after "van de" ("bel oma van de buren", "[NAME] van de kapper")
        "luz", "sala", "porta", "corredor", "suite", "suíte", "quarto", "cozinha", "varanda", "tío", "tía",
        "tio", "tia", "zia", "zio", "oma", "opa", "buren", "kapper", "laat",
        # accented words that are names without their accents ("liga pra mãe dela")
        "mãe", "pai", "irmã", "irmão", "vó", "vô", "avó", "avô", "dela", "dele", "tá", "tô", "só", "aí",
        "está", "día", "tú", "mí", "déjà", "bébé", "chéri", "già", "lì", "sarà", "sù", "schön"
    ]
)  # fmt: skip


def _folded(word: str) -> str:
    """``word`` without its accents ("maría" → "maria", "müller" → "muller")."""
    if word.isascii():
        return word
    return "".join(
        c for c in unicodedata.normalize("NFKD", word.replace("ß", "ss")) if not unicodedata.combining(c)
    )


def _gazetteer_word(word: str, names: frozenset[str], words: frozenset[str], *, fold_from: int = 1) -> bool:
    """``word`` (lower case) is in ``names``, folded ("müller") or transliterated ("mueller") when
    it has ``fold_from`` letters or more, and is neither an ordinary English word as written
    ("maria" is one, "maría" is not) nor, folded or not, one of ``_NOT_NAMES``."""
    if word in words or word in _NOT_NAMES:
        return False
    folded = _folded(word) if len(word) >= fold_from else word
    if folded in _NOT_NAMES:
        return False
    if word in names:
        return True
    if word.isascii() or folded == word:
        return False
    return folded in names or _transliterated(word) in names


def _transliterated(word: str) -> str:
    """``word`` with its umlauts written out ("müller" → "mueller")."""
    return word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr)\b"
    r"|\b[A-Z][a-zäöüß]+(?:straße|strasse|straat|laan|gasse)\s+\d{1,4}\b"
)  # and the Romance street types: ``_ROMANCE_STREET``
# Street addresses in lower case, or with a street type that is an ordinary word (a superset of
# ``_STREET``'s): a house number, one or two words and an English street type ("27 oak way",
# "14 willow close"; not after "the", "in", "for" ... nor with a unit, a street type or an
# adjective among the words: "the 3 hour drive", "a 2 way street", "in 2 miles onto main street");
# a German or Dutch street name, glued ("hauptstraße 12", "kerkstraat nummer 12") or not ("alten
# markt 5"), and its number; a Romance street type, up to four words (a comma after one) and a
# number ("plaza de españa 5", "rua das flores, 123"); never a number followed by a unit.
_EN_STREET_TYPES = (
    "street|st|avenue|ave|road|rd|lane|ln|drive|way|close|court|crescent|terrace|grove|gardens"
    "|boulevard|blvd|parkway|square|mews|vale|wynd|quay"
)
# ... and the types only ``_LOWER_STREET`` and ``_WEAK_LOWER_STREET`` read (no word among a street's
# words: "12 Cedar Ridge Road" is one)
_MORE_STREET_TYPES = "circle|highway|hwy|cove|trail|loop|run|hollow|bend|ridge"
_UNITS = (
    r"(?:%|€|\$|minutes?|mins?|hours?|hrs?|h|seconds?|secs?|km|kms|kilometers?|kilometres?|meters?|metres?|m"
    r"|miles?|feet|foot|ft|yards?|times|people|persons|percent|minuten|stunden|std|uhr|tage|meter|kilometer|mal"
    r"|prozent|personen|minutos|horas|metros|kil[oó]metros|veces|personas|minuti|ore|metri|chilometri|giorni"
    r"|volte|persone|uur|dagen|keer|vezes|pessoas|euros?|dollars?|pounds?)(?![\w%€$])"
)
# ... of those, the types that are not ordinary words, in any case ("221 baker street")
_EN_STRONG_STREET_TYPES = (
    "street|st|avenue|ave|road|rd|lane|ln|drive|court|crescent|terrace|boulevard|blvd|parkway|mews"
    "|circle|highway|hwy"
)
_LOWER_STREET = re.compile(
    rf"(?i)(?<![\w.,:/-])(?P<number>\d{{1,5}}[a-z]?)\s+(?P<words>[^\W\d_]{{3,}}(?:\s+[^\W\d_]{{3,}})?)"
    rf"\s+(?:{_EN_STRONG_STREET_TYPES})(?![\w'’-])"
)
# ... and those that are ("way", "close"), as redaction reads them (``clean.addresses``' first
# lower-case form, a subset of it): "way", "close", "grove", "vale", "wynd" or "quay" ending a
# clause (or before a placeholder: "27 oak way [ADDRESS]"), after one word or two of which none
# is a function word and the last no plural ("is gate 23 this way", "game 7 was too close",
# "we are 2 stops close"). "square", "gardens" and the like only capitalised (``_STREET``).
_WEAK_STREET_STOP = frozenset(
    [
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "and", "or", "my", "your", "his",
        "her", "our", "their", "this", "that", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine", "ten", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
        "mile", "miles", "km", "times", "ways", "way", "lane", "lanes", "step", "steps", "more", "less",
        "very", "too", "so", "is", "are", "was", "be", "it", "its", "get", "got", "go", "come", "came",
        "stay", "stayed", "goes", "went", "were", "been", "being", "has", "have", "had", "do", "does",
        "did", "not", "no", "inch", "inches", "public", "botanical",
        # what is run, looped or walked ("a 5k fun run", "the 8 bar loop", "season 2 episode 3 dry run")
        "bar", "bars", "bit", "lap", "home", "dry", "test", "trial", "practice", "training", "fun", "long",
        "short", "quick", "morning", "evening", "nature", "hiking", "bike", "ski", "sprint", "marathon",
        "hairpin", "sharp", "tight", "endless", "infinite", "feedback", "game", "level", "track", "song",
        "beat", "kilometer", "kilometre", "meter", "metre", "hike", "walk", "run", "loop", "trail",
        "while", "for", "first", "last", "next", "second", "third", "final", "episode", "season",
        "chapter", "page", "round", "stage", "part", "year", "month", "time",
        # words ending a spoken sentence before "way"/"close" ("terminal 5 which way", "door 3 please
        # close", "the score is 2 nil either way", "the game ended 3 2 pretty close")
        "which", "either", "please", "wont", "won't", "force", "open", "both", "live", "lives", "pretty",
        "nil", "really", "quite", "all", "any", "each", "every", "some", "same", "other", "another", "far",
        "right", "left", "wrong", "up", "down", "out", "off", "back", "now", "then", "just"
    ]
)  # fmt: skip
# ... and, alone before a lower-case "run" or "loop", a kind of training ("5 tempo run", "2 interval
# loop"; "12 hill run" is a street)
_TRAINING_RUNS = frozenset(
    [
        "tempo", "recovery", "easy", "interval", "intervals", "speed", "fartlek", "shakeout",
        "progression", "treadmill", "warmup", "cooldown", "sprints", "stair", "stairs",
        "morning", "evening", "night", "lunch", "solo", "group", "club", "charity", "race",
    ]
)  # fmt: skip
_WEAK_LOWER_STREET = re.compile(
    r"(?i)(?<![\w.,:/-])(?P<number>\d{1,5}[a-z]?)\s(?P<words>(?:[^\W\d_]{3,}\s)?[^\W\d_]{2,}[^\W\d_s])"
    r"\s(?:way|close|grove|vale|wynd|quay|cove|trail|loop|run|hollow|bend|ridge)"
    r"(?=\s*(?:$|[,.;!?\n]|\[|\s(?:please|in|and|near|then|thanks|apt|apartment|unit|flat|suite)\b))"
    # capitalised, as written addresses are, anywhere ("27 Maple Square", "12 Rose Gardens")
    r"|(?<![\w.,:/-])(?P<capitalised>\d{1,5}[A-Za-z]?)\s(?P<titled>(?-i:[A-Z][a-z]{2,}\s(?:[A-Z][a-z]{2,}\s)?))"
    r"(?-i:Way|Close|Grove|Gardens|Square|Vale|Wynd|Quay|Cove|Trail|Loop|Run|Hollow|Bend|Ridge)(?![\w'’-])"
)
_NOT_BEFORE_HOUSE_NUMBER = frozenset(
    [
        "the", "a", "an", "my", "your", "his", "her", "our", "their", "these", "those", "all", "in", "for",
        "of", "about", "every", "than", "only", "first", "last", "next", "after", "before", "within",
        "under", "over", "by", "per", "each", "some", "any", "around", "almost", "nearly", "just", "add",
        "buy", "order", "get", "need", "want", "make", "play", "set", "take", "have", "cook", "bake",
        "bring", "put", "give", "sell", "me", "book", "reserve", "find", "show", "search", "list", "are",
        "were", "there",
        # a count of what was done ("we did 3 hill run", "ran 5 tempo run")
        "did", "do", "does", "done", "ran", "run", "runs", "running", "finished"
    ]
)  # fmt: skip
_NOT_STREET_WORDS = frozenset(
    [
        "minute", "minutes", "hour", "hours", "second", "seconds", "day", "days", "week", "weeks", "month",
        "months", "year", "years", "mile", "miles", "kilometre", "kilometres", "kilometer", "kilometers",
        "metre", "metres", "meter", "meters", "feet", "foot", "yard", "yards", "block", "blocks", "times",
        "people", "persons", "percent", "dollars", "dollar", "pounds", "euros", "euro", "points", "items",
        "tennis", "squash", "basketball", "pizza", "food", "parking", "car", "test",
        "pieces", "more", "other", "different", "best", "quickest", "fastest", "shortest", "easiest",
        "longest", "same", "only", "new", "old", "and", "the", "for", "with", "onto", "into", "from",
        "over", "under", "out", "off", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten"
    ]
) | frozenset(_EN_STREET_TYPES.split("|"))  # fmt: skip
_GLUED_STREET_TYPES = (
    r"straße|strasse|str\.|straat|laan|gasse|allee|damm|ufer|gracht|plein|kade|dijk|steeg|singel|weg"
)
# Glued types read only as a compound's ending, never hyphenated ("Goethepfad 5", "Kuhsteig 3"; as
# redaction's compound endings take them)
_GLUED_ONLY_STREET_TYPES = "pfad|steig|chaussee"
_HOUSE_NUMBER = (
    rf"(?:(?:nummer|nr\.?|no\.?|hausnummer|huisnummer)\s*)?\d{{1,4}}[a-z]?(?![\w.,]\d)(?!\w)(?!\s*{_UNITS})"
    r"(?!\s*(?:(?:bis|gegen|nach|vor|zu)\s+\d|(?:bis|cm|mm|liter|grad)\b|°))"  # ("Hauptbahnhof 3 bis 4 Minuten")
)
_NOT_IN_LAAN_NAME = (
    "mijn|jouw|je|zijn|haar|onze|ons|jullie|hun|het|een|de|is|ligt|heeft|was|en|met|naar|op|in|bij|voor"
)
_GERMANIC_STREET = re.compile(
    rf"(?i)\b[^\W\d_]{{2,}}(?:{_GLUED_STREET_TYPES})\s*,?\s*{_HOUSE_NUMBER}"
    rf"|\b[^\W\d_]{{3,}}(?:{_GLUED_ONLY_STREET_TYPES})\s*,?\s*{_HOUSE_NUMBER}"
    # Amsterdam's canal street, its type alone: "Singel 40" (not "de Singel 3 keer rond": a unit)
    rf"|(?-i:\bSingel)\s+(?:(?:nummer|nr\.?)\s*)?{_HOUSE_NUMBER}"
    rf"|\b(?P<before>[^\W\d_]{{3,}})\s+(?:straße|strasse|allee|gasse|damm|ufer|plein|laan|straat)\s+{_HOUSE_NUMBER}"
    # a hyphenated name: "Karl-Marx-Allee 5", "goethe-straße 12", "Van-Gogh-Straat 3"
    rf"|\b(?:[^\W\d_]{{2,}}-){{1,3}}(?:{_GLUED_STREET_TYPES}|platz|chaussee|markt)\s*,?\s*{_HOUSE_NUMBER}"
    # "12 Goethe-Straße", "12 Goethestraße", "7 Lindengasse": the number first (as redaction reads it)
    r"|(?<![\w.,:/-])\d{1,4}[a-z]?\s+(?:[^\W\d_]{2,}-){1,3}(?:straße|strasse|straat|gasse|allee)(?![\w-])"
    r"|(?<![\w.,:/-])\d{1,4}[a-z]?\s+[^\W\d_]{3,}(?:straße|strasse|straat|gasse|allee|gracht)(?![\w-])"
    # "alten markt 5", "neuen weg 5": an adjective before "markt" or "weg" (as redaction reads
    # "markt"; not "beim Markt 3 Tomaten", nor a rank: "Platz 1")
    rf"|\b(?P<adjective>[^\W\d_]{{2,}}(?:en|er|es|e))\s+(?:markt|weg)\s+{_HOUSE_NUMBER}"
    # "laan van meerdervoort 10", "laan van de helden 3": a Dutch avenue and what it is named after, no
    # possessive, article or verb among it ("de laan van mijn ouders heeft 20 bomen")
    rf"|\blaan\s+van\s+(?:(?:de|der|den|het)\s+)?(?:(?!(?:{_NOT_IN_LAAN_NAME})\s)[^\W\d_][\w'’-]*\s+){{1,2}}{_HOUSE_NUMBER}"
)
# A capitalised place adjective and a German street type that is also a word: "Kieler Ring 5",
# "Berliner Platz 5", "Berliner Chaussee 5" (as redaction reads them; not "erster Platz 1", "Unser
# Platz 5", "der Ring 3": ``_NOT_PLACE_ADJECTIVES``)
_PLACE_ADJECTIVE_STREET = re.compile(
    rf"\b(?P<place>[A-ZÄÖÜ][^\W\d_]+er)\s(?:Ring|Platz|Chaussee|Steig|Pfad)\s(?i:{_HOUSE_NUMBER})"
)
_NOT_PLACE_ADJECTIVES = frozenset(
    [
        "der", "über", "unter", "oder", "aber", "ihrer", "meiner", "deiner", "seiner", "einer", "keiner",
        "unser", "euer", "jeder", "dieser", "jener", "welcher", "mancher", "solcher", "erster", "zweiter",
        "dritter", "vierter", "fünfter", "sechster", "letzter", "nächster", "halber", "ganzer", "langer",
        "kurzer", "guter", "besser", "anderer", "kleiner", "großer", "neuer", "alter", "immer", "wieder",
        "später", "hier", "mehr", "weiter", "wer", "aber", "sehr", "leider"
    ]
)  # fmt: skip
_NOT_BEFORE_STREET_TYPE = frozenset(
    [
        "auf", "den", "dem", "der", "die", "das", "des", "ins", "zum", "zur", "vom", "von", "mit", "für",
        "ein", "eine", "einen", "nach", "bei", "über", "unter", "vor", "neben", "bis", "seit", "het", "een",
        "van", "met", "voor", "naar", "the"
    ]
)  # fmt: skip
_ROMANCE_NUMBER = rf"(?:n[º°o]\.?\s*|número\s+)?\d{{1,4}}\b(?!\s*{_UNITS})"
# "plaza" and "camino" are also words ("hay plaza para 4", "el camino de santiago 3 etapas"): as
# redaction reads them, "plaza" in lower case before "de"/"del"/"de la" only ("plaza de españa
# 5"), else both capitalised before a capitalised word ("Plaza Mayor 5", "Camino de Santiago 3");
# "plaza", a word or two and a number ending a clause, the first no preposition ("vivo en la plaza
# mayor 5"; not "la plaza mayor 3 bares", "hay plaza para 4")
_ROMANCE_STREET = re.compile(
    r"(?i)\b(?:rue|calle|rua|via|viale|piazza|piazzale|vicolo|strada|avenida|plaça|paseo|passeig|praça"
    rf"|praca|travessa|carrer|estrada)\s+(?:[\w'’]+,?\s+){{1,4}}?{_ROMANCE_NUMBER}"
    rf"|(?i:\bplaza\s+(?:de\s+la|del|de)\s+)(?:[\w'’]+,?\s+){{1,3}}?{_ROMANCE_NUMBER}"
    r"|(?-i:\b(?:Plaza|Camino)\s+(?:(?:de\s+la|del|de|la|el)\s+)?[A-ZÁÉÍÓÚÑ])[\w'’]*,?\s+(?:[\w'’]+,?\s+){0,3}?"
    + _ROMANCE_NUMBER
    # "C/ Serrano 45", "C/ de la Princesa 3": the Spanish abbreviation of "calle", a capitalised name
    + r"|(?-i:\bC/[ ](?:(?:de[ ]la|del|de)[ ])?[A-ZÁÉÍÓÚÑ])[\w'’]*[ ](?:[\w'’]+,?[ ]){0,3}?"
    + _ROMANCE_NUMBER
    # "12 rue de la paix", "12 bis rue Lepic", "5, allée des Tilleuls": a French number-first street
    + r"|(?i:(?<![\w.,:/-])\d{1,4}(?:[ ](?:bis|ter|quater))?,?[ ](?:rue|allée|allee|impasse|chemin|quai"
    r"|boulevard|bd|avenue)[ ][^\W\d_])"
    + r"|(?i:\bplaza\s+(?!(?:para|por|con|en|a|al|y|o|hasta|sin|libre|libres|disponible|disponibles|hay)\s)"
    r"[^\W\d_]{3,}\s+(?:[^\W\d_]{3,}\s+)?\d{1,4}(?=\s*(?:$|[,.;!?\n])))"
)


# A numbered street, in any case: "350 5th ave", "200 W 34th St", "2100 east 3rd street"
_ORDINAL_STREET = re.compile(
    r"(?i)(?<![\w.,:/-])\d{1,5}\s+(?:(?:[nsew]|north|south|east|west)\.?\s+)?\d{1,3}(?:st|nd|rd|th)\s+"
    rf"(?:{_EN_STRONG_STREET_TYPES}|place|pl)\b"
)


# A lower-case street type that is an ordinary word ("park", "square", "walk" …) after a request that
# announces an address, a number and a word or two, ending a clause ("i live at 12 maple park"; as
# redaction reads it, and no more: "3 botanical gardens" alone is none)
_CUED_WEAK_STREET = re.compile(
    r"(?i)\b(?:i live at|we live at|lives at|living at|my address is|address is|send it to|deliver it to"
    r"|deliver to|ship it to|navigate to|directions to|take me to|drive me to|drive to|pick me up at) "
    r"\d{1,5} (?P<words>[^\W\d_]{3,}(?: [^\W\d_]{3,})?) "
    r"(?:park|square|walk|place|gardens|garden|green|row|hill|heights|view|point|crossing)(?= *(?:$|[,.;!?\n]))"
)


# A house number said in English words after a request that announces an address, one to three words and a
# street type ("i live at one two three main street", "deliver to fourteen oak avenue"; sixth pass): the
# words in ASCII letters, no number, unit or function word of ``_NOT_STREET_WORDS``, ``_FUNCTION_WORDS``
_SPOKEN_HOUSE_WORDS = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    "|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_SPOKEN_HOUSE = re.compile(
    r"(?i)\b(?:i live (?:at|on)|we live (?:at|on)|lives (?:at|on)|my address is|deliver (?:it )?to|send it to"
    r"|ship it to|navigate to|directions to|take me to|drive (?:me )?to|pick me up at) +"
    rf"(?:{_SPOKEN_HOUSE_WORDS})(?:[ -](?:{_SPOKEN_HOUSE_WORDS}|and))* "
    r"(?P<words>(?:[A-Za-z]{2,} ){1,3})(?:street|avenue|road|lane|drive|boulevard|court|terrace|circle|parkway"
    r"|highway)\b"
)
_SPOKEN_HOUSE_NUMBER_WORDS = frozenset(_SPOKEN_HOUSE_WORDS.split("|"))


def _spoken_house_number(text: str) -> bool:
    for match in _SPOKEN_HOUSE.finditer(text):
        words = match.group("words").lower().split()
        if not any(
            w in _NOT_STREET_WORDS
            or w in _FUNCTION_WORDS
            or w in _SPOKEN_HOUSE_NUMBER_WORDS
            or w in _WEAK_STREET_STOP
            for w in words
        ):
            return True
    return False


def _lower_case_street(text: str) -> bool:
    for match in _CUED_WEAK_STREET.finditer(text):
        words = match.group("words").lower().split()
        if not any(word in _NOT_STREET_WORDS or word in _WEAK_STREET_STOP for word in words):
            return True
    if _ORDINAL_STREET.search(text):
        return True
    for pattern, stop in ((_LOWER_STREET, frozenset()), (_WEAK_LOWER_STREET, _WEAK_STREET_STOP)):
        for match in pattern.finditer(text):
            before = _LETTERS.findall(text[max(0, match.start() - 30) : match.start()].lower())
            if before and before[-1] in _NOT_BEFORE_HOUSE_NUMBER:
                continue
            words = (match.group("words") or match.group("titled")).lower().split()
            if not any(word in _NOT_STREET_WORDS or word in stop for word in words) and not (
                match.group("words")
                and len(words) == 1
                and words[0] in _TRAINING_RUNS
                and match.group().lower().endswith(("run", "loop"))
            ):
                return True
    for match in _PLACE_ADJECTIVE_STREET.finditer(text):
        if match.group("place").lower() not in _NOT_PLACE_ADJECTIVES:
            return True
    for match in _GERMANIC_STREET.finditer(text):
        if (match.group("before") or match.group("adjective") or "").lower() not in _NOT_BEFORE_STREET_TYPE:
            return True
    return bool(_ROMANCE_STREET.search(text))


# Street types abbreviated with a full stop, streets with no type (other rules than redaction's):
# - "Mariahilfer Str. 12": a capitalised name and "Str."; "45 av. Foch", "12 r. de Rivoli": a French type after its
#   number; "v.le monza 12", "avda. de américa 12", "c/ serrano 45": an Italian, Spanish or Portuguese type before the
#   name; "c." (calle) and "r." (rua) only after a preposition ("vivo en c. mayor 5"; not "add 2 c. flour");
# - "Am Markt 3", "In den Wiesen 5": a German preposition (and article), a capitalised noun streets are named after
#   (or a compound ending in one: "Kirchberg"), a number and no unit or counted noun after it;
# - "3240 Meadowbrook, Springfield IL 62704": a number, capitalised words, a comma, a city, a US state and a ZIP code
_NO_UNIT_AFTER = (
    rf"(?![\w.,]\d)(?!\s*{_UNITS})(?!\s+(?:songs?|times|runden|tracks?)\b)"
    r"(?!\s*(?:kg|g|cm|mm|ml|pesos|reais|libras|minutos?|horas?|leute|anos|años|anni|ans|years?)\b)"
)
# ... nor a range, a score, a time or a measure ("am Bodensee 18 bis 24 Grad", "im Sektor 7 gegen 4", "30 cm")
# (a range before a measure: "am Bodensee 18-24 Grad", "8-13 Uhr"; a time or a score, "3:1"; a date, "3. Juni";
# "2-mal"; "3 oder 4 Tage")
_NO_RANGE_AFTER = (
    r"(?!(?i:\s*(?:(?:bis|gegen|nach|vor|zu|oder|von)\s+\d|(?:bis|cm|mm|liter|grad)\b|°|:\d|-mal\b"
    r"|[-–]\s?\d+\s*(?:(?:uhr|grad|cm|mm|km|kg|liter|jahre|wochen|tage|minuten|stunden|prozent)\b|°|%)"
    r"|\.\s?(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|\[name\])\b)))"
)
_NAME_WORDS = r"(?:[^\W\d_][\w'’-]*\.?,?\s+){1,5}"  # (a comma after the name: "Av. Paulista, 1000")
# ... and after a one-letter "c." or "r.", no verb among them: "o livro de R. de Souza tem 3 capítulos" names a person
_NAME_WORDS_NO_VERB = (
    r"(?:(?!(?i:tem|têm|tiene|tienen|é|es|está|son|era|fue|foi|ha|has|have|had|is|was|are|com|con)\b)"
    r"[^\W\d_][\w'’-]*\.?,?\s+){1,5}"
)
_ABBREVIATED_STREET = re.compile(
    rf"\b[A-ZÄÖÜ][^\W\d_]+\s+(?i:str)\.?\s*\d{{1,4}}[a-z]?\b{_NO_UNIT_AFTER}"
    # (a French type after its number, then a particle or a capitalised name: not "900 sq. ft.", "2 bd. apartment",
    # "44 av. J.-C.")
    rf"|\b\d{{1,5}}[a-z]?,?\s+(?:(?i:av|bd|bld|boul|rte|imp|fbg|pl|chem|all|sq|crs)\.|(?i:bvd)\.?|(?i:crs|pl))\s+"
    rf"(?:(?i:de|du|des|la|le|d'|l')\s?){{0,2}}(?!J\.-C)[A-ZÀ-Ý]"
    # "12 r. de Rivoli", "12 r. lepic": the one-letter "r." before a particle or a word in lower case only
    rf"|\b\d{{1,5}}[a-z]?,?\s+(?i:r)\.\s+(?:(?i:de|du|des|la|le)\b|[a-zà-ÿ])"
    rf"|(?i:(?<![\w.])(?:v\.le|p\.za|p\.le|p\.tta|avda\.|av\.|pza\.|trav\.|c/)\s*{_NAME_WORDS}"
    rf"\d{{1,5}}[a-z]?\b{_NO_UNIT_AFTER})"
    rf"|(?i:\b(?:en|na|no|em|in|a|al|da|de|la)\s+[cr]\.\s+{_NAME_WORDS_NO_VERB}\d{{1,5}}[a-z]?\b{_NO_UNIT_AFTER})"
    # "Maple Street, number 12" ending a clause (not "Abbey Road, number 3 in the charts")
    rf"|\b[A-Z][a-z]+\s+(?:[A-Z][a-z]+\s+){{0,3}}(?i:{_EN_STRONG_STREET_TYPES}|st|rd|ln|dr|ct)\.?,?\s+"
    rf"(?i:number|no\.|nr\.?|\#)\s?\d{{1,5}}[a-z]?\b(?=\s*(?:$|[,.;!?]))"
    # "R. das Flores, 123": Portuguese "rua" as a capital "R." before its particle, with or without a preposition
    rf"|(?<![\w.])R\.\s+(?i:da|das|do|dos|de)\s+{_NAME_WORDS_NO_VERB}\d{{1,5}}[a-z]?\b{_NO_UNIT_AFTER}"
)
# (an adjective only of those streets are named with: "An der Alten Mühle 5"; not "im Englischen Garten 5")
_PREPOSITION_STREET = re.compile(
    r"(?<!\d\s)\b(?i:am|im|beim|zum|zur|(?:an|in|auf|unter|hinter|vor)\s+de[mnr])\s+"
    r"(?:(?:Alten?|Neuen?|Gro(?:ß|ss)en|Kleinen|Langen|Hohen|Oberen|Unteren|Grünen|Roten|Wei(?:ß|ss)en|Schwarzen"
    r"|Breiten|Kurzen|Stillen|Schönen|Hellen|Krummen|Steinernen)\s+)?"
    rf"(?P<noun>[A-ZÄÖÜ][^\W\d_]+)\s+\d{{1,4}}[a-z]?\b(?:\s?[-–]\s?\d{{1,4}}[a-z]?\b)?{_NO_UNIT_AFTER}{_NO_RANGE_AFTER}"
    r"(?!\s+[A-ZÀ-ÖØ-Þ])"
)
# (not "tor" nor "eck": "Terminator", "Rechteck"; "Au" and "Post" as the whole noun only)
_STREET_NAMED_AFTER_WORDS = """markt platz ring hof berg graben anger garten gärten bach feld felde acker hang damm kamp
rain weiher brunnen holz busch stein wald hafen kai linden wiese wiesen weide weiden mühle kirche see teich steig
pfad weg gasse allee ufer höhe heide grund hain kreuz born brink stieg tal bruch moor winkel zoll deich koppel wall
burg sand esch driesch mauer friedhof bahnhof lehen rott rathaus schloss schule kloster park"""
_STREET_NAMED_AFTER = tuple(_STREET_NAMED_AFTER_WORDS.split())
_US_STATE_CODE_WORDS = """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"""
_US_STATE_NAME_WORDS = """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
Mississippi Missouri Montana Nebraska Nevada New_Hampshire New_Jersey New_Mexico New_York North_Carolina North_Dakota
Ohio Oklahoma Oregon Pennsylvania Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia
Washington West_Virginia Wisconsin Wyoming"""
_US_STATE_CODES = frozenset(
    [*_US_STATE_CODE_WORDS.split(), *(name.replace("_", " ") for name in _US_STATE_NAME_WORDS.split())]
)
_TYPELESS_US_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*,\s+(?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]*,?\s+"
    r"(?P<state>[A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?),?\s+\d{5}(?:-\d{4})?\b"
)


def _abbreviated_or_typeless_street(text: str) -> bool:
    if _ABBREVIATED_STREET.search(text):
        return True
    for match in _PREPOSITION_STREET.finditer(text):
        noun = match.group("noun")
        if noun in ("Au", "Post") or noun.lower().endswith(_STREET_NAMED_AFTER):
            return True
    return any(m.group("state") in _US_STATE_CODES for m in _TYPELESS_US_ADDRESS.finditer(text))


_PO_BOX = re.compile(r"(?i)\b(?:p\.?\s?o\.?\s?box|postfach|apartado|caixa postal|postbus)\s*\d{1,6}\b")
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "me",
        "him",
        "them",
        "us",
        "it",
        "you",
        "mom",
        "dad",
        "home",
        "work",
        "back",
        "office",
    ]
)


# Combining marks NFKC leaves (it composes the letters that have a composed form): diacritics, those
# for symbols (a keycap "5️⃣" is 5, U+FE0F and U+20E3; "5̲" a low line) and variation selectors
_COMBINING_OUT = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE00, 0xFE0F),
                  (0xFE20, 0xFE2F))  # fmt: skip


@functools.cache
def _after_nfkc() -> dict[int, str | None]:
    """What ``_normalised`` does to each character after NFKC: format characters (category Cf)
    and the combining marks of ``_COMBINING_OUT`` out, the non-breaking hyphen as "-", every
    other script's decimal digit (Nd) as its ASCII digit (``٤`` is 4 to ``\\d``, to ``int``
    and to Luhn, but not to ``phonenumbers``' regions or to ``stdnum``). Built once per process
    (about 0.2 s)."""
    import sys

    table: dict[int, str | None] = {0x2011: "-"}
    for code in range(0x80, sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category == "Cf":
            table[code] = None
        elif category == "Nd":
            table[code] = str(unicodedata.decimal(chr(code)))
    for start, end in _COMBINING_OUT:
        table.update(dict.fromkeys(range(start, end + 1)))
    return table


@functools.cache
def _digit_signs() -> dict[int, str]:
    """Characters that stand for one digit and are no decimal digit (category No: "⒉", "🄀", "⑴",
    "❹", "²") as that digit. NFKC makes some a digit with a full stop or parentheses ("⒉⒈⒉" would
    read "2.1.2.") and leaves the dingbats as they are."""
    import sys

    signs = (chr(code) for code in range(0x80, sys.maxunicode + 1))
    return {
        ord(sign): str(unicodedata.digit(sign))
        for sign in signs
        if unicodedata.category(sign) == "No" and unicodedata.digit(sign, None) is not None
    }


@functools.cache
def _changed_by_tables() -> str:
    """An RE2 class of the characters ``_normalised`` changes one by one: those NFKC maps to something
    else (full-width forms, ligatures, compatibility spaces), and those ``_digit_signs`` and
    ``_after_nfkc`` change; and the combining marks NFKC composes a letter with (``_COMPOSED_MARKS``: a
    kana digit written apart, "セ" + U+3099 for "ゼ", is a word of the rules only composed)."""
    compatibility = {
        code for code in range(0xA0, 0x30000)  # (none changes above U+2FA1D)
        if unicodedata.normalize("NFKC", chr(code)) != chr(code)
    }  # fmt: skip
    return re2_class({*compatibility, *_digit_signs(), *_after_nfkc(), *_COMPOSED_MARKS})


# Combining marks a text may write apart from their letter (NFKD, as macOS and some ASR exports write: "c" +
# U+0327 for "ç", "セ" + U+3099 for "ゼ"; review of 2026-12-07): the diacritics, their extended and supplementary
# blocks, the half marks, the marks for symbols and the kana voicing marks. A text holding one is in scope
# (``_SCOPE``) and read as ``_normalised`` reads it (composed): written apart, a name, a street or a kana digit
# is none of the rules' words ("Franc" and a mark before "Lefèvre", "セ" and a mark for "ゼロ").
_COMPOSED_MARKS = (0x3099, 0x309A)
_MARKS_RE2 = (
    r"[\x{300}-\x{36f}\x{1ab0}-\x{1aff}\x{1dc0}-\x{1dff}\x{20d0}-\x{20ff}\x{fe20}-\x{fe2f}\x{3099}\x{309a}]"
)


# Control characters but the line break (C0, DEL, C1) are a space to the rules: a tab, NUL or BEL between
# the digit groups of a phone or card number (a broken export) hid it from ``phonenumbers`` and the shapes.
# A line break still ends a number (``_PHONE_RUN``).
_CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f"
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
_CONTROL_RE2 = r"[\x{0}-\x{9}\x{b}-\x{1f}\x{7f}-\x{9f}]"


# The Japanese full stop (a Japanese keyboard types it for "."; NFKC makes "｡" one): between two digits
# a mark between digit groups ("090。1234。5678"), between a Latin letter or digit and a Latin letter a
# full stop ("tanaka.taro@gmail。com"); Japanese sentences ("今日はOK。明日は晴れ。") keep theirs
_JA_STOP_BETWEEN_DIGITS = re.compile(r"(?<=[0-9]) ?。 ?(?=[0-9])")
_JA_STOP_IN_ADDRESS = re.compile(r"(?<=[A-Za-z0-9])。(?=[A-Za-z])")
# A Japanese phone number of three digit groups or more joined by "の" ("090の1234の5678"), or mixing kanji digits
# and written ones ("〇九〇の1234の5678", "〇九〇ー1234ー五六七八"; review of 2026-12-07): read as its digits joined by
# hyphens when it starts with the trunk "0" and holds seven digits or more (not an address's "2の8の1", nor a count
# "1000の2000の3000人"). Kanji groups alone are ``_spoken_digits``'; a kanji numeral with a place ("二十") is none.
_JA_JOINERS = re.escape(_KANJI_JOINERS + "･ｰ")
_JA_GROUPS = re.compile(
    rf"(?<![\d{_KANJI_DIGITS}十百千万億])(?:\d+|[{_KANJI_DIGITS}]+)(?:[{_JA_JOINERS}](?:\d+|[{_KANJI_DIGITS}]+)){{2,}}"
    rf"(?![\d{_KANJI_DIGITS}十百千万億])"
)
_JA_GROUPS_HINT = re.compile(rf"\dの\d|[{_KANJI_DIGITS}][{_JA_JOINERS}]\d|\d[{_JA_JOINERS}][{_KANJI_DIGITS}]")
_JA_GROUP = re.compile(rf"\d+|[{_KANJI_DIGITS}]+")
_KANJI_TO_DIGIT = str.maketrans(_KANJI_DIGITS, "00123456789")


def _japanese_phone_groups(match: re.Match[str]) -> str:
    """A run of ``_JA_GROUPS`` as its digits joined by hyphens where it is such a phone number; else as it was."""
    groups = _JA_GROUP.findall(match.group())
    scripts = {group[0].isdigit() for group in groups}
    digits = "-".join(groups).translate(_KANJI_TO_DIGIT)
    if digits[0] != "0" or sum(map(str.isdigit, digits)) < 7:
        return match.group()
    if len(scripts) == 2 or (scripts == {True} and "の" in match.group()):
        return digits
    return match.group()


# Encodings an identifier may be quoted in (a link, a page, a payload): URL percent-encoding, with "+" a space
# in a query's value ("?q=221+Baker+Street"), HTML character references and JSON or JavaScript escapes
# written out. Read with the standard library's decoders (``urllib.parse``, ``html``, ``json``), nested up
# to three times.
_ENCODED_HINT = r"%[0-9A-Fa-f]{2}|&(?:#|[A-Za-z][A-Za-z0-9]*;|nbsp)|\\[uxnrtbf/\"]|[?&;][^\s=&]*=[^\s&]*\+"
_ENCODED_HINT_RE = re.compile(_ENCODED_HINT)
_QUERY_PAIR = re.compile(r"(?<=[?&;])([^\s?&;=#]+=)([^\s&#;]+)")
_JSON_ESCAPES = re.compile(r'(?:\\(?:u[0-9A-Fa-f]{4}|[nrtbf/"\\]))+')
_HEX_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")


def _json_escapes(match: re.Match[str]) -> str:
    import json

    return json.loads(f'"{match.group()}"')


def _query_pair(match: re.Match[str]) -> str:
    """A query's ``key=value`` with "+" a space after the value's first character (a leading "+" is a phone
    number's: "tel=+1..."), unless the value holds an "@": a mailbox's plus ("jsmith+promo@gmail.com")."""
    from urllib.parse import unquote_plus

    key, value = match[1], match[2]
    if "@" in value or "%40" in value.lower():
        return match.group()
    return key + value[:1] + unquote_plus(value[1:], errors="replace")


def _decoded(text: str) -> str:
    import html
    from urllib.parse import unquote

    original = text
    for _ in range(3):
        before = text
        if before is original and "=" in text and "+" in text:  # (as written: a "+" decoded below is one)
            text = _QUERY_PAIR.sub(_query_pair, text)
        text = html.unescape(unquote(text, errors="replace"))
        if "\\" in text:
            text = _HEX_ESCAPE.sub(lambda m: chr(int(m[1], 16)), _JSON_ESCAPES.sub(_json_escapes, text))
        if text == before:
            break
    return text


# Dots that only look like one, in a word holding an "@" ("jsmith@example·com"): a full stop (NFKC makes the
# half-width katakana middle dot the full-width one)
_DOT_LOOKALIKES = str.maketrans({c: "." for c in "\u00b7\u2027\u2219\u22c5\u2022\u30fb\u2e31\ua78f\u25e6"})
_DOT_LOOKALIKE_RE = re.compile("[\u00b7\u2027\u2219\u22c5\u2022\u30fb\u2e31\ua78f\u25e6]")


def _normalised(text: str) -> str:
    """Encodings decoded (``_decoded``); control characters as spaces; then, for text that is not ASCII,
    ``_digit_signs``, NFKC, ``_after_nfkc``'s table and the Japanese full stop between digits or in an
    address."""
    if _ENCODED_HINT_RE.search(text):
        text = _decoded(text)
    text = _CONTROL_RE.sub(" ", text)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text.translate(_digit_signs())).translate(_after_nfkc())
    if "。" in text:
        text = _JA_STOP_IN_ADDRESS.sub(".", _JA_STOP_BETWEEN_DIGITS.sub("-", text))
    if _JA_GROUPS_HINT.search(text):
        text = _JA_GROUPS.sub(_japanese_phone_groups, text)
    if "@" in text and _DOT_LOOKALIKE_RE.search(text):
        text = " ".join(word.translate(_DOT_LOOKALIKES) if "@" in word else word for word in text.split(" "))
    return text


def _luhn(digits: str) -> bool:
    checksum = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (1 + position % 2)
        checksum += value // 10 + value % 10
    return checksum % 10 == 0


def _stdnum(module: str, value: str) -> bool:
    from importlib import import_module

    try:
        return bool(import_module(f"stdnum.{module}").is_valid(value))
    except Exception:  # a validator refusing odd input is "not valid"
        return False


# Digit blocks as ``PhoneNumberMatcher`` joins them (at most four of its punctuation characters
# between blocks; here any non-word character, a superset), to count a candidate's digits.
_PHONE_RUN = re.compile(r"\d(?:(?:[^\w\n]|[xXー]){0,4}\d)*")


@functools.cache
def _fewest_phone_digits(region: str) -> int:
    """The fewest digits a number ``PhoneNumberMatcher`` validates in ``region`` is written with:
    the region's shortest national number, or five for one dialled with a country code."""
    from phonenumbers import PhoneMetadata

    metadata = PhoneMetadata.metadata_for_region(region)
    national = min(metadata.general_desc.possible_length, default=4) if metadata else 5
    return min(national, 5)


# A number of fewer national digits than this, written without a trunk "0", a "+" or a parenthesis, is no
# one's phone in the allowed regions (personal numbers have nine or ten, a trunk "0" or a "+"): it is a
# region's service or short number at most ("14050", "841830"), and far more often a year, a time, a price, a
# count or a part number beside a date ("um 16.45 Uhr", "1685", "1.645 Euro", "49825-979") that the
# matcher validates, a night blocked for nothing (redaction reads a number of one group as no phone)
_FEWEST_UNDIALLED_DIGITS = 7


def _dialled(match) -> bool:
    """A match of ``PhoneNumberMatcher`` written as a phone number is: seven national digits or more, or
    dialled with a trunk "0", a "+" or an area code in parentheses."""
    raw = match.raw_string.lstrip()
    return raw[:1] in ("0", "+", "(") or len(str(match.number.national_number)) >= _FEWEST_UNDIALLED_DIGITS


def _phones(text: str, region: str | None) -> Iterator[str]:
    import phonenumbers

    regions = [region or "US"]
    if "+" in text and regions[0] != "ZZ":
        regions.append("ZZ")  # "+" numbers in any region
    # the matcher is slow (0.3 ms a text): not run where no candidate holds enough digits for a
    # valid number ("12月21日の7時25分", "at 10:35 on May 27")
    longest = max((sum(map(str.isdigit, m.group())) for m in _PHONE_RUN.finditer(text)), default=0)
    for r in regions:
        if longest < _fewest_phone_digits(r):
            continue
        for match in phonenumbers.PhoneNumberMatcher(text, r, leniency=phonenumbers.Leniency.VALID):
            if _dialled(match):
                yield "phonenumbers_matcher"
                return
    if longest < _OTHER_REGIONS_FROM:
        return
    # a customer gives a number of another country than their locale's (a US number in a de-DE row, a
    # German mobile in an en-US one): nine digits or more are read in every allowed locale's region
    for r in _OTHER_REGIONS:
        if r not in regions:
            for match in phonenumbers.PhoneNumberMatcher(text, r, leniency=phonenumbers.Leniency.VALID):
                raw = match.raw_string
                if sum(map(str.isdigit, raw)) >= _OTHER_REGIONS_FROM and (
                    raw[0] in "0+(" or (r in _SEPARATED_PLANS and not raw.isdigit())
                ):
                    yield "phonenumbers_other_region"
                    return


# the regions of the default allowed locales (policy.DEFAULT_ALLOWED_LOCALES), read whatever the row's
# locale for a number of this many digits or more (a region's short numbers, six or eight digits, are
# also the minutes and microseconds of a timestamp, a postcode). It must be written as dialled at home:
# with its trunk "0", a "+" or a parenthesis, or, in the North American plan (no trunk prefix), with
# separators ("212 736 5000", "212-736-5000"). Ten bare digits are a valid number somewhere (four in
# ten fit the North American plan; India and Mexico take more) and an order number everywhere.
_SEPARATED_PLANS = frozenset({"US", "CA"})
_OTHER_REGIONS = ("US", "GB", "IE", "AU", "CA", "IN", "DE", "AT", "FR", "ES", "MX", "IT", "NL", "BR", "JP")
_OTHER_REGIONS_FROM = 9


_HOURS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_MINUTE_DIGITS = "one|two|three|four|five|six|seven|eight|nine"
_TIME_AT_END = re.compile(rf"(?:^|\s)(?:{_HOURS}) o (?:{_MINUTE_DIGITS})\s*$")
_TIME_FIRST = re.compile(rf"^\s*(?:and\s+)?(?:{_HOURS}) o (?:{_MINUTE_DIGITS})\b")


def _without_clock_lists(text: str) -> str:
    """``text`` without a list of times of day said "six o five" and parted by commas ("wake me at six
    o five, seven o five, eight o five"): their digits would run to nine, and they are no number."""
    parts = text.split(",")
    if not _TIME_AT_END.search(parts[0]) or not all(_TIME_FIRST.match(part) for part in parts[1:]):
        return text
    return ",".join([_TIME_AT_END.sub(" ", parts[0]), *(_TIME_FIRST.sub(" ", part) for part in parts[1:])])


# A spoken "dot", "point", "slash", "comma", "then", "space" or dash between two words for a digit, with spaces or
# commas around it, in every supported language: how "415.555.0123", "0171/1234567" or "123-45-6789" is
# read aloud ("four one five dot five five five dot zero one two three"); it counts as nothing between
# them. Between words for a digit only, as redaction reads it: "twenty point five", "five dot com",
# "six thirty then seven fifteen" are no run.
_JOINER_WORDS = (
    "dot|point|period|slash|then|comma|punkt|schrägstrich|komma|dann|virgule|puis|punto|barra|coma|luego"
    "|virgola|poi|punt|schuine streep|dan|ponto|vírgula|depois"
    "|dash|hyphen|strich|bindestrich|tiret|trait|guion|guión|trattino|traço|hífen|streepje"
    "|space|leerzeichen|espace|espacio|spazio|spatie|espaço"
)
_JOINER_SET = frozenset(_JOINER_WORDS.replace("schuine streep", "streep").split("|"))
_JOINABLE_DIGIT_WORDS = "|".join(sorted(set(_DIGIT_WORDS) - {"nought", "naught"}, key=len, reverse=True))
_JOINED_DIGIT_WORDS = re.compile(
    rf"(?<![^\W_])({_JOINABLE_DIGIT_WORDS})[ ,]+(?:{_JOINER_WORDS})[ ,]+(?=(?:{_JOINABLE_DIGIT_WORDS})(?![^\W_]))"
)
# ... and the French "tiret" beside the French tens and teens too ("zéro six tiret douze tiret trente-quatre")
_FR_PAIR_WORDS = "dix|onze|douze|treize|quatorze|quinze|seize|vingts|vingt|trente|quarante|cinquante|soixante"
_JOINED_BY_TIRET = re.compile(
    rf"(?<![^\W_])({_JOINABLE_DIGIT_WORDS}|{_FR_PAIR_WORDS})[ ,]+(?:tiret|trait)[ ,]+"
    rf"(?=(?:{_JOINABLE_DIGIT_WORDS}|{_FR_PAIR_WORDS})(?![^\W_]))"
)


def _spoken_digits(text: str, language: str | None = None) -> bool:
    """Seven digits or more read out in a row: digit words of any supported language and French
    pairs ("douze"), fillers ("uh", "äh", "euh") between them counting as nothing; or written
    digit groups and three digit words or more mixed ("0171 eins zwei drei vier fünf sechs",
    "555 one two three four"; as redaction reads them: "Termin am 12.04.2026 um ein Uhr" is no
    number); or seven kanji digits joined by nothing, by ``_KANJI_JOINERS`` or by "えーと"; or seven
    kana readings of a digit (``_kana_digits``)."""
    english = language in ("en", None)
    if english and "," in text and " o " in text:
        text = _without_clock_lists(text.lower())
    text = text.lower()
    if not _JOINER_SET.isdisjoint(text.replace(",", " ").split()):  # (the pattern costs 5 µs a text)
        text = _JOINED_DIGIT_WORDS.sub(r"\1 ", text)
        if "tiret" in text or "trait" in text:
            text = _JOINED_BY_TIRET.sub(r"\1 ", text)
    fillers = _FILLERS | _ENGLISH_FILLERS if language == "en" else _FILLERS
    # the current run: digits read out, digits written, words in a row (and the most so far): written
    # digits count beside three words in a row ("un 1, un 2, un 3, un 4": articles, no number);
    # English pairs and single digit words apart (the pairs count beside three single words)
    spoken = written = words = most = en_pairs = singles = 0
    # the run of the row's language's words (``_OTHER_PAIRS``): its digits, pairs and single digit words
    units = _OTHER_UNITS.get(language or "", frozenset())
    own = own_pairs = own_singles = own_end = 0
    beside_written = False  # written digits since the last word that is no number: redaction reads them in
    round_ten = False  # the last token a round ten of Spanish, Italian or Portuguese ("venti sei" is 26)
    pending = False  # such a run reached seven digits: a number unless written digits follow it (read in)
    after_english = False  # the last token counted was English: a digit word, a pair, digits or "o"
    repeat = 0  # "double" or "triple" before an English digit word: the digits it adds
    for match in _NUMBER_TOKENS.get(language or "", _NUMBER_TOKEN).finditer(text):
        token = match.group()
        if pending:
            if (match.group("digits") or token in ("y", "e", "et", "und", "en")) and _AFTER_OWN_RUN.fullmatch(
                text, own_end, match.start()
            ):
                pending = False  # "… dois - 726", "… seis y seis": redaction reads on, and may keep them
            else:
                return True
        if own and _OWN_RUN_GAP.fullmatch(text, own_end, match.start()) is None:
            own = own_pairs = own_singles = 0  # (redaction reads such a run over spaces and commas only)
        if english and token in _REPEATS and not repeat:
            repeat = _REPEATS[token]
            continue
        if repeat and not (token == "o" or token in _ENGLISH_DIGIT_WORDS):
            spoken = written = words = most = en_pairs = singles = 0  # "double trouble"
        elif repeat:
            spoken, singles, after_english = spoken + repeat, singles + repeat, True
        repeat = 0
        if match.group("pair"):
            spoken, words, after_english = spoken + 2, words + 1, False
        elif match.group("en_pair"):
            en_pairs, words, after_english = en_pairs + 2, words + 1, True
        elif match.lastgroup == "other_pair":
            spoken = written = words = most = en_pairs = singles = 0  # (no word of the runs above)
            own, own_pairs, own_end, after_english = own + 2, own_pairs + 1, match.end(), False
            round_ten = token in _ROUND_TENS
            pending = pending or (own_singles > 0 and own >= 7 and not beside_written)
            continue
        elif match.group("digits"):
            written, words, after_english = written + len(token), 0, True
        elif token in fillers:
            own_end = match.end() if own else own_end  # (a filler counts as nothing in a run of pairs too)
            continue
        elif token in _DIGIT_WORDS or (token == "o" and english and after_english):
            # "o" for zero after English ("five five five o one o o"; not "o'clock" alone, nor the
            # Spanish "or" of "seis o siete")
            spoken, words, singles = spoken + 1, words + 1, singles + 1
            after_english = token == "o" or token in _ENGLISH_DIGIT_WORDS
        else:
            spoken = written = words = most = en_pairs = singles = 0
            own = own_pairs = own_singles = 0
            after_english = beside_written = round_ten = False
            continue
        if match.group("digits") or token not in units:
            own = own_pairs = own_singles = 0  # (a written group, a digit word of another language)
            beside_written = beside_written or bool(match.group("digits"))
        elif round_ten and _OWN_RUN_GAP.fullmatch(text, own_end, match.start()):
            own_end, round_ten = match.end(), False  # "venti sei": one number
        else:
            own, own_singles, own_end, round_ten = own + 1, own_singles + 1, match.end(), False
            pending = pending or (own_pairs > 0 and own >= 7 and not beside_written)
        most = max(most, words)
        read_out = spoken + (en_pairs if singles >= 3 else 0)
        if read_out >= 7 or (written and most >= 3 and read_out + written >= 7):
            return True
    if pending or (not text.isascii() and _kana_digits(text)):
        return True
    kanji = 0
    if "ゼロ" in text:
        text = text.replace("ゼロ", "〇")  # katakana "zero" among kanji digits
    for char in _JAPANESE_FILLERS.sub("", text) if "え" in text else text:
        kanji = kanji + 1 if char in _KANJI_DIGITS else (kanji if char in _KANJI_JOINERS else 0)
        if kanji >= 7:
            return True
    return False


# Digit groups with a number from 10 to 99 of the row's language among them, joined by spaces or hyphens (review of
# 2026-12-07): "06 12 trente-quatre 56 78", "612 34 cincuenta y seis 78", "0171 23 fünfundvierzig 67 89", "11 98765
# quarenta e três 21" (a phone number said in groups, one or two of them as words). Two groups or more, a pair, seven
# digits in all, each pair counting two; not after a year ("2026 05 veinte"), nor a date or an amount (full stops
# and commas end the run).
_PAIRS_OF = {**_OTHER_PAIRS, "fr": _FR_PAIR}
_GROUP_OR_PAIR = {
    language: rf"(?:(?P<group>\d{{1,5}})|(?P<pair>(?<![^\W\d_])(?:{pairs})(?![^\W\d_])))"
    for language, pairs in _PAIRS_OF.items()
}
_GROUPS_AND_PAIRS = {
    language: re.compile(
        rf"(?i)(?<![\w.,])(?:{one}(?:[ ]+|[ ]*-[ ]*))+{one}(?![\w]|[.,]\d)".replace("?P<group>", "").replace(
            "?P<pair>", ""
        )
    )
    for language, one in _GROUP_OR_PAIR.items()
}
_GROUP_OR_PAIR_RE = {language: re.compile(rf"(?i){one}") for language, one in _GROUP_OR_PAIR.items()}
_YEAR_GROUP = re.compile(r"(?:19|20)\d\d")
# a score, a group of one digit joined by a hyphen to another group ("6-4 6-3 trente-quinze": sets, then points;
# review of 2026-12-07, second): no phone number; and a group of one digit counts for no written group (redaction
# reads a run with a pair only when its digits make a phone number of the locale, which "64633015" is not)
_SCORE = re.compile(r"(?<!\d)\d[ ]*-[ ]*\d|\d[ ]*-[ ]*\d(?!\d)")
# ... and two groups joined by a space beside a word, as redaction's prefilter needs them (``SPOKEN_CANDIDATES``: "06-12-
# trente-quatre-56-78" is read by neither)
_GROUPS_SPACED = re.compile(r"\d[ ]+\d+[ -]+[^\W\d_]{3}|[^\W\d_]{3}[ -]+\d+[ ]+\d")


def _groups_with_a_pair(text: str, language: str | None) -> bool:
    runs = _GROUPS_AND_PAIRS.get(language or "")
    if runs is None or not any(c.isdigit() for c in text):
        return False
    for run in runs.finditer(text.lower()):
        pieces = list(_GROUP_OR_PAIR_RE[language or ""].finditer(run.group()))
        groups = [p.group("group") for p in pieces if p.group("group") and len(p.group("group")) > 1]
        pairs = sum(1 for p in pieces if p.group("pair"))
        if (
            pairs
            and not _SCORE.search(run.group())
            and _GROUPS_SPACED.search(run.group())
            and len(groups) >= 2
            and not _YEAR_GROUP.fullmatch(pieces[0].group())
            and sum(map(len, groups)) + 2 * pairs >= 7
            and not _number_over_a_stop(text[: run.start()], text[run.end() :])
        ):
            return True
    return False


_STOP_BEFORE = re.compile(r"(\w+)[ \-]*[,.][ ,.\-]*\Z")
_STOP_AFTER = re.compile(r"[ \-]*[,.][ ,.\-]*(\w+)")


def _number_over_a_stop(before: str, after: str) -> bool:
    """A number word or digits beside the run over a comma or a full stop: the run goes on there, to redaction's
    reading (which reads no run of groups with a pair over them: "… veinte, 42 42 - veintidós - veinte" is kept)."""
    for found in (_STOP_BEFORE.search(before), _STOP_AFTER.match(after)):
        word = found.group(1).lower() if found else ""
        if word and (
            word.isdigit() or word in _DIGIT_WORDS or any(p.fullmatch(word) for p in _NUMBER_WORD_PATTERNS)
        ):
            return True
    return False


def _kana_digits(text: str) -> bool:
    """Seven kana (or kanji) readings of a digit in a row, one of them kana ("ぜろきゅうぜろのいちにさん
    よん…"); not an honorific "さん" after a kanji or katakana name, a particle "に" after it or after
    such a name, nor a particle "に" before a word ("…はちにでんわして")."""
    for run in _KANA_RUN.finditer(text):
        pieces = _KANA_PIECE.findall(run.group())
        before = text[run.start() - 1] if run.start() else ""
        after = text[run.end()] if run.end() < len(text) else ""
        if pieces[0] == "さん" and _NAME_BEFORE.match(before):
            pieces, before = pieces[1:], "さん"
        if pieces and pieces[0] == "に" and (before == "さん" or _NAME_BEFORE.match(before)):
            pieces = pieces[1:]
        if len(pieces) > 1 and pieces[-1] == "に" and after.isalpha():
            pieces = pieces[:-1]
        if len(pieces) >= 7 and any(piece not in _KANJI_DIGITS for piece in pieces):
            return True
    return False


# The spoken family's pieces. The rules' tokens are runs of letters (``_NUMBER_TOKEN``): a digit or "_" ends one
# ("one_two_three_four_five_six_seven", "five5five5five5one2two3three4four"), where RE2's ``\b``, an ASCII word
# boundary, stands nowhere; so a number word is bounded by what is no letter: the separators between the words of a
# run, and at a pattern's ends ``_RE2_WORD_START`` and ``_RE2_WORD_END`` (the fillers, "äh" among
# them, by the separators around them too). What is no letter is read as what is no ASCII letter (``_RE2_NO_LETTER``,
# a superset): with ``\PL`` the own passes' gate grew an automaton too large for RE2's budget (0.04 s a pass became 5 s).
_RE2_NO_LETTER = "[^A-Za-z]"
_RE2_WORD_START, _RE2_WORD_END = rf"(?:^|{_RE2_NO_LETTER})", rf"(?:{_RE2_NO_LETTER}|$)"
_RE2_FILLERS = "|".join(sorted(_FILLERS | _ENGLISH_FILLERS, key=len, reverse=True))
_RE2_NUMBER_WORD = (
    r"(?:"
    + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
    + r"|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante)"
)
# with the English numbers from 10 to 99 (``_EN_PAIR``): they count as words beside written digits ("690 oh thirty
# thirty 690") and beside three single digit words
_RE2_NUMBER_WORD_EN = (
    _RE2_NUMBER_WORD[:-1]
    + r"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty"
    + r"|fifty|sixty|seventy|eighty|ninety)"
)
# ... and the other languages' numbers from 10 to 99 (``_OTHER_PAIRS``; "y", "e" inside them), beside the English
# ones
_RE2_NUMBER_WORD_ALL = (
    _RE2_NUMBER_WORD_EN[:-1] + "|" + "|".join(_OTHER_PAIRS.values()).replace(" ", "[ ]") + ")"
)
# ... and "double" and "triple", words of a run's four ("call triple five triple five one": seven digits, three words)
_RE2_RUN_WORD = _RE2_NUMBER_WORD_ALL[:-1] + "|double|triple)"
# between two number words of one run: fillers, the "et" of "vingt et un", an English "o" for zero
# and the "double" or "triple" before a digit; line breaks too (the rules read a run over them, as redaction does:
# "vier\ndeux\ntwee 1877")
_RE2_NUMBER_SEP = (
    rf"{_RE2_NO_LETTER}+(?:(?:{_RE2_FILLERS}|et|o|double|triple|{_JOINER_WORDS}){_RE2_NO_LETTER}+)*"
)

# the titles of ``_TITLED_NAME`` and ``_CALLED_TITLED``, as they are written (the name family's prefilter)
_TITLES_AS_WRITTEN = "|".join(
    sorted(
        {
            form
            for title in {*_TITLE_WORDS.split("|"), *_ADDRESS_TITLES.split("|")}
            for form in (title.capitalize(), title, title.upper())
        },
        key=lambda form: (-len(form), form),
    )
)

# RE2 prefilters of the rule families: a row is read by a family's rules only where its
# prefilter finds something (a superset of what the rules accept; NFKC'd digits and "@" included).
_FAMILIES: dict[str, str] = {
    "digits": "",  # _OWN_PASS
    "email": (
        r"[@＠]|\[EMAIL\]|(?i:\((?:at|dot)\)|\[(?:at|dot)\]|\b(?:arroba|arobase|chiocciolina|chiocciola|apenstaartje|apenstaart|klammeraffe|affenschwanz)\b)"
        r"|アット|(?i:(?:^|[ \t\n(,;:])ät(?:[ \t\n),;:.]|$))|(?i:\bat\b[^\n]+\b(?:dot|punto|point|punkt|punt|ponto)\b)"
        # a plain "at" before a mail provider's name ("g mail": ``_SPLIT_PROVIDER``)
        r"|(?i:\bat\s+(?:g\s+mail|hot\s+mail|"
        + "|".join(sorted(_MAIL_PROVIDERS, key=len, reverse=True))
        + r")\b)"
    ),
    # (or three dot words, or a digit, a dot with spaces around it and a digit: ``_SPOKEN_IP``)
    "ip": r"\p{Nd}[.．]\p{Nd}+[.．]\p{Nd}|::|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:|\p{Nd}\s+[.．]\s+\p{Nd}"
    r"|(?i:(?:\b(?:dot|punkt|punto|point|punt|ponto)\b|ドット)(?:[^\n]*(?:\b(?:dot|punkt|punto|point|punt|ponto)\b|ドット)){2})",
    # a letter beside a digit; letters of scripts NFKC folds to no ASCII letter (kanji, kana,
    # hangul: "12月21日") do not count
    # (or the groups of a spaced identity number: "AB 12 34 56 C", "ABCPE 1234 F", "12.345.678-Z";
    # ``_SPACED_ID``)
    "alnum": r"[^\P{L}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]\p{Nd}|\p{Nd}[^\P{L}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"
    r"|[A-ZＡ-Ｚ]{2}[ \-]\p{Nd}{2}|\p{Nd}{3}[ \-.][A-ZＡ-Ｚ](?:\P{L}|$)|[a-z]-\p{Nd}{6}-[a-z]"
    r"|(?i:\bnational\s+insurance\b|\bni\s+(?:number|no)\b|\bnino\b)"  # (a NINO named: ``_NINO_NAMED``)
    r"|(?i:\bcodice\s+fiscale\b)",  # (a codice fiscale named: ``_spoken_ids``)
    # seven kanji digits, joiners or "えーと" between them (raw: before NFKC, format characters
    # included);
    # number words: _OWN_PASS
    "spoken": rf"(?:[{_KANJI_DIGITS}]|ゼロ)(?:[{_KANJI_JOINERS.replace('-', '')}\-，　･ｰ－えっと\p{{Cf}}]*(?:[{_KANJI_DIGITS}]|ゼロ)){{6}}"
    # seven kana readings of a digit (``_kana_digits``; half-width katakana as ``_normalised`` reads them)
    rf"|(?:{_KANA_DIGIT})(?:[{_KANJI_JOINERS.replace('-', '')}\-]?(?:{_KANA_DIGIT})){{6}}",
    "name": rf"(?i:{_NAME_STATEMENT_WORDS}\s)"
    # Japanese names (``_JA_HONORIFIC_NAME``, ``_JA_NAME_STATED``; literals only: a class before them cost
    # the families' pass 10 %)
    r"|さん|様|さま|くん|君|ちゃん|氏|先生|名前|なまえ|氏名|と申します"
    # a title (``_TITLED_NAME``, ``_CALLED_TITLED``: "Termin mit Prof. Weber", "riunione con dott. Rossi"), as written,
    # title-cased, in lower case or in capitals: in any case and before an upper-case letter the pass took 10-15 %
    # longer, this way 2-6 %
    rf"|(?:\b|_)(?:{_TITLES_AS_WRITTEN})\.?[ ]"  # (after "_" too: "lunch with_Dr. Meier")
    r"|(?i:\b(?:call|text|email|message|ring|phone|dial|whatsapp|facetime|skype|venmo|ruf|rufe|anrufen"
    r"|schreib|schreibe|appelle|appeler|appelez|téléphone|llama|llamar|llame|marca|escribe|escríbele|chiama"
    r"|chiamare|telefona|telefonare|scrivi|bel|bellen|stuur|liga|ligue|ligar|manda|mande|send|transfer|wire"
    r"|envoie|chiamata)\s"
    r"|\b(?:meeting|appointment|lunch|dinner|coffee|call|chat|date|session)\s+with\s"
    r"|\b(?:talk|speak)\s+(?:with|to)\s|\b(?:messages?|texts?|e-?mails?|voicemails?)\s+from\s"
    r"|\badd\s[^\n]*(?:contact|phone\s?book|address\s+book)"
    r"|\b(?:grace|joy|faith|hope)\s+(?:is|was|says|said|has|had|will|can|could|would|wants|needs|just|called"
    r"|texted|asked)\b)",
    # a payment handle or a name after "pay" (``_payments``): a family of its own, its rules cheap ("pay for
    # the …" is 2,000 of 392k generated texts, which the name family's rules would read at more cost)
    # (and a handle named so, ``_HANDLE_NAMED``; an "@" handle is the e-mail family's: "@" and a letter here
    # cost the families' pass 10 %)
    "payment": r"(?i:\b(?:venmo|paypal|zelle|cash[ ]?app)\b|\bpay[ ]+[^ ]+[ -][^ ]|\b(?:handle|username)[ ])",
    "address": (
        r"[0-9]{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr)\b"
        r"|(?i:(?:straße|strasse|straat|laan|gasse)\s+[0-9]|\b(?:rue|calle|rua|via|viale|piazza|avenida)\s"
        r"|\b(?:box|postfach|apartado|caixa postal|postbus)\s*[0-9])"
        # ``_LOWER_STREET`` (its words in ASCII letters: Unicode classes here double the pass),
        # ``_GERMANIC_STREET``, ``_ROMANCE_STREET``
        # (and ``_CUED_WEAK_STREET``'s types: its cue first, as an alternative of its own, made the families'
        # RE2 pass twice as slow)
        rf"|\b[0-9]{{1,5}}[A-Za-z]?\s+[A-Za-z]{{3,}}\s+(?:[A-Za-z]{{3,}}\s+)?(?i:{_EN_STREET_TYPES}|{_MORE_STREET_TYPES}"
        r"|park|walk|place|garden|green|row|hill|heights|view|point|crossing)\b"
        rf"|(?i:(?:{_GLUED_STREET_TYPES}|markt|platz)\s*,?\s*(?:(?:nummer|nr|no|hausnummer|huisnummer)\.?\s*)?[0-9])"
        r"|(?i:\blaan\s+van\s)"
        # ``_PLACE_ADJECTIVE_STREET``, the glued-only types, "C/", French number-first streets
        rf"|(?:Ring|Chaussee|Steig|Pfad|{_GLUED_ONLY_STREET_TYPES})\s*,?\s*[0-9]|\bC/[ ]"
        r"|(?i:[0-9]\s+[^\s]{2,}(?:straße|strasse|straat|gasse|allee|gracht)\b)"
        r"|(?i:[0-9],?[ ](?:(?:bis|ter|quater)[ ])?(?:rue|allée|allee|impasse|chemin|quai|boulevard|bd|avenue)[ ])"
        r"|(?i:\b(?:piazzale|vicolo|strada|plaza|plaça|paseo|passeig|praça|praca|travessa|carrer|camino"
        r"|estrada)\s)"
        r"|[市区町村郡][\p{Han}\p{Katakana}ー]*[0-9]"  # ``_JA_ADDRESS``"
        # ``_SPOKEN_HOUSE`` (a request, then the street type: no digit)
        r"|(?i:\b(?:live|lives|address|deliver|send|ship|navigate|directions|take|drive|pick)\b.*\b(?:street|avenue"
        r"|road|lane|drive|boulevard|court|terrace|circle|parkway|highway)\b)"
        rf"|(?i:[0-9](?:st|nd|rd|th)\s+(?:{_EN_STRONG_STREET_TYPES}|place|pl)\b)"  # ``_ORDINAL_STREET``
    ),
}

# The families' parts read apart from ``_ANY_FAMILY``'s union, on the rows ``_APART_GATE`` picks (in the union they
# made RE2's automaton outgrow its budget: its pass over 157k texts took 0.7 s, not 0.24; the gate's pass costs 0.02 s):
# what the rules read that the union's patterns miss.
_APART: dict[str, str] = {
    # the at-sign's words of the other languages wherever they stand ("dupont_arobase_orange…"), the placeholder in
    # any case ("jsmith+[email]"), "ät" and "at … dot" beside what is no letter and over line breaks ("john87 at\nsign_
    # gmail_dot com")
    "email": r"(?i:\[email\]|arroba|arobase|chiocciolina|chiocciola|apenstaartje|apenstaart|klammeraffe|affenschwanz)"
    rf"|(?i:{_RE2_WORD_START}ät{_RE2_WORD_END})"
    rf"|(?is:\bat{_RE2_NO_LETTER}(?:.*{_RE2_NO_LETTER})?(?:dot|punto|point|punkt|punt|ponto){_RE2_WORD_END})",
    # three dot words, over line breaks and after a digit, as ``_SPOKEN_IP`` reads them ("10dot0dot0dot1")
    "ip": rf"(?is:(?:{_RE2_WORD_START}(?:dot|punkt|punto|point|punt|ponto)|ドット)"
    rf"(?:.*(?:{_RE2_NO_LETTER}(?:dot|punkt|punto|point|punt|ponto)|ドット)){{2}})",
    # a CURP or an RFC after four letters and a space ("pide 250312 uno": ``_MX_ID``), a codice fiscale in lower case
    # and groups ("rss mra 85 t 10 a 562 s": ``_SPACED_ID``)
    "alnum": r"(?i:[a-zñ&]{4}[ \-]\p{Nd}{6})|(?i:\p{Nd}{2}[ \-]?[a-z][ \-]?\p{Nd}{2})",
}
_APART_GATE = "|".join(f"(?:{pattern})" for pattern in _APART.values())

# The prefilters of the families whose patterns hold large alternations or counted repetitions,
# each pattern read in a pass of its own over the texts ``_OWN_GATE`` picked: in one automaton
# with the others (or with each other) they outgrow RE2's DFA budget, which makes the pass ten
# times slower or more; and a pass over every text costs 25-50 ms a 300k short texts whatever it
# looks for, one over the eighth the gate picks a few ms.
# two digit groups and a word beside them (``_groups_with_a_pair``: "06 12 trente-quatre 56 78"; 198 of 196k generated
# texts, every one an identifier's)
# (its letters as ASCII letters or any character beyond ASCII, a superset: ``\pL`` beside the number words of every
# language made the own passes' gate outgrow RE2's budget, 0.05 s a pass became 5 s)
_WORD_LETTER = r"[A-Za-z\x{80}-\x{10FFFF}]"
_GROUPS_BESIDE_A_WORD = (
    rf"\p{{Nd}}[ ]+\p{{Nd}}+[ -]+{_WORD_LETTER}{{3}}|{_WORD_LETTER}{{3}}[ -]+\p{{Nd}}+[ ]+\p{{Nd}}"
)
_OWN_PASS: dict[str, tuple[str, ...]] = {
    # seven digits, at most four other characters on one line between each two (as ``PhoneNumberMatcher`` joins its
    # blocks: "415 ´ 555  ´ 0123"); or a line break between two groups of four digits or fewer ("415\n555\n0132";
    # ``_joined``)
    "digits": (
        r"(?:\p{Nd}[^\p{Nd}\n]{0,4}){7}"
        r"|(?:^|\P{Nd})\p{Nd}{1,4}[ \t]*[\n\r\v\f\x{85}]+[ \t]*\p{Nd}{1,4}(?:\P{Nd}|$)"
        # or a number dialled with its trunk "0", a "+" or an area code in parentheses and as few digits as a region's
        # shortest (``_fewest_phone_digits``, ``_dialled``: "070-820" and "0171 23" are Italian numbers; the row's
        # seven digits may stand anywhere, "Slovenia 62377\n070-820"; "070 (0) - 46"); in ASCII digits, as the rules
        # read every digit (``_family_hits`` reads a row as ``_normalised`` writes it too; the gate's pass a fifth
        # cheaper than with ``\p{Nd}``)
        r"|(?:^|[^0-9])[+(0](?:[^0-9\n]{0,4}[0-9]){4}"
        # (a kanji digit joined to a written one: ``_JA_GROUPS``, "〇九〇ー1234ー五六七八")
        rf"|[{_KANJI_DIGITS}][{_KANJI_JOINERS.replace('-', '')}\-･ｰ]\p{{Nd}}|\p{{Nd}}[{_KANJI_JOINERS.replace('-', '')}\-･ｰ][{_KANJI_DIGITS}]",
    ),
    "spoken": (
        # four number words in a row, fillers between them: seven digits read out take four
        # words or more (a French pair counts two digits and is one word or two; the other languages' pairs,
        # ``_OTHER_PAIRS``, too: one pass, two took 8 ms more a landing file; "triple five" three)
        rf"(?i:{_RE2_WORD_START}{_RE2_RUN_WORD}(?:{_RE2_NUMBER_SEP}{_RE2_RUN_WORD}){{3}}{_RE2_WORD_END})",
        # written digits beside two number words or more ("0171 eins zwei", "five 555 one", "690 oh thirty")
        rf"(?i:\p{{Nd}}{_RE2_NO_LETTER}*(?:(?:{_RE2_FILLERS}|o){_RE2_NO_LETTER}+)*{_RE2_NUMBER_WORD_EN}{_RE2_NUMBER_SEP}"
        rf"{_RE2_NUMBER_WORD_EN}{_RE2_WORD_END}"
        rf"|{_RE2_WORD_START}{_RE2_NUMBER_WORD_EN}{_RE2_NUMBER_SEP}{_RE2_NUMBER_WORD_EN}{_RE2_NUMBER_SEP}\p{{Nd}}"
        rf"|{_RE2_WORD_START}{_RE2_NUMBER_WORD_EN}{_RE2_NO_LETTER}*\p{{Nd}}{_RE2_NO_LETTER}*{_RE2_NUMBER_WORD_EN}"
        rf"{_RE2_WORD_END})",
        _GROUPS_BESIDE_A_WORD,
    ),
}
# What every pattern of ``_OWN_PASS`` needs: seven digits, a line break between two short groups or a number
# dialled (digits), or two number words (spoken; an eighth of the generated traffic).
# ``_ABBREVIATED_STREET``, ``_PREPOSITION_STREET``, ``_TYPELESS_US_ADDRESS``: the address family's parts read in a
# pass of their own over every text (in ``_ANY_FAMILY``'s union they made RE2's automaton outgrow its budget: the
# union's pass over 392k texts took 6.6 s, not 1.0)
_ADDRESS_OWN_PASS = (
    r"(?i:\bstr\.?\s*[0-9]|[0-9][a-z]?,?\s+(?:av|bd|bld|bvd|boul|rte|imp|fbg|pl|chem|all|sq|crs|r)\.?\s"
    r"|(?:v\.le|p\.za|p\.le|p\.tta|avda\.|av\.|pza\.|trav\.|c/|(?:^|\s)[cr]\.)\s"
    r"|(?:markt|platz|ring|hof|berg|graben|anger|garten|gärten|bach|feld|felde|acker|hang|damm|kamp|rain|weiher"
    r"|brunnen|tor|eck|holz|busch|stein|wald|hafen|kai|linden|wiese|wiesen|weide|weiden|mühle|kirche|see|teich"
    r"|steig|pfad|weg|gasse|allee|ufer|höhe|heide|grund|hain|kreuz|born|brink|stieg|tal|bruch|moor|winkel|zoll"
    r"|deich|koppel|wall|burg|sand|esch|driesch|mauer|friedhof|bahnhof|lehen|rott|rathaus|schloss|schule"
    r"|kloster|park|\bau|\bpost)\s+[0-9])"
    r"|[A-Z][A-Za-z]+,?\s+[0-9]{5}"
    r"|(?i:(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct)\.?,?\s(?:number|no\.|nr)\.?\s?[0-9])"
)
# ... and the name family's cues of the review of 2026-12-07 (evening) (``_NAME_CUE``: "écris à X Y", "rappelle X Y",
# "erinnere X Y", "manda un whatsapp a X Y", "di a X Y", "call back X Y" …), in a pass of their own over every text:
# in ``_ANY_FAMILY``'s union they made its pass over 100k texts take 0.40 s instead of 0.19 s. "erinnere" and
# "herinner" not before the speaker ("erinnere mich", "herinner me": 2 % of the generated traffic)
_NAME_OWN_PASS = (
    r"(?i:\b(?:rappelle|rappelez|schick|schicke|recuérdale|recuerdale|ricorda|reply|fala|diz|diga|avisa|di[ ]a"
    r"|whatsapp|mensaje|mensagem|sms|messaggio|appje|berichtje|texto|nachricht)\s|[ée]cris\s"
    r"|\b(?:erinnere|erinner|herinner)\s+(?:[^m\s]|m[^ie\s]|mi[^crj\s]|mic[^h\s]|mich\pL|mir\pL|mij\pL|me\pL))"
)

_OWN_GATE = "|".join(
    [
        *(f"(?:{pattern})" for pattern in _OWN_PASS["digits"]),
        # (two number words of any kind: what no letter follows, and what no letter precedes)
        rf"(?is:{_RE2_WORD_START}{_RE2_NUMBER_WORD_ALL}{_RE2_NO_LETTER}(?:.*{_RE2_NO_LETTER})?{_RE2_NUMBER_WORD_ALL}"
        rf"{_RE2_WORD_END})",
        _GROUPS_BESIDE_A_WORD,
    ]
)


def find_in_text(
    text: str, locale: str | None = None, families: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """(kind, rule) of every identifier rule that fires on ``text`` (see the package docstring).

    ``families``: the rule families to run (``_FAMILIES``); all when None.
    """
    from utterance_governance.clean.names import gazetteer  # names, not redaction code

    run = families if families is not None else frozenset(_FAMILIES)
    text = _normalised(text)
    region = (
        locale.replace("_", "-").split("-")[-1].upper()
        if locale and "-" in locale.replace("_", "-")
        else None
    )
    language = locale.replace("_", "-").split("-")[0].lower() if locale else None
    found: list[tuple[str, str]] = []
    digits = sum(map(str.isdigit, text))
    if "email" in run:
        found += _emails(text)
        if "@" in text and _social_handle(text):
            found.append(("name", "social_handle"))
    if digits >= 7 and "digits" in run:
        undated = _without_dates(text)
        numbers = _digit_groups(undated, region)
        joined = _joined(undated)
        if joined != undated:  # groups joined by odd separators, read as if joined by spaces
            kinds = {kind for kind, _ in numbers}
            numbers += [(kind, rule) for kind, rule in _digit_groups(joined, region) if kind not in kinds]
        found += numbers
    if digits >= 9 and "digits" in run and any(_stdnum("us.ssn", m.group()) for m in _SSN.finditer(text)):
        found.append(("ssn", "stdnum_ssn"))
    if digits >= 9 and "digits" in run and "-" in text and _rg(text, region):
        found.append(("national_id", "rg_check_digit"))
    if "ip" in run:
        if any(_is_ip(m.group()) for m in _IP_TOKEN.finditer(text)):
            found.append(("ip", "ipaddress"))
        elif _spoken_ip(text):
            found.append(("ip", "ip_spoken"))
    if digits >= 4 and "alnum" in run:
        if any(_iban(m.group()) for m in _IBAN_WINDOW.finditer(text)):
            found.append(("iban", "stdnum_iban"))
        for match in _ALNUM_ID.finditer(text):
            module = next((m for m in _ID_MODULES if _stdnum(m, match.group().upper())), None)
            if module:
                found.append(("national_id", f"stdnum_{module}"))
                break
        else:
            found += _spaced_ids(text)[:1]
    if "alnum" in run and not any(kind == "national_id" for kind, _ in found):
        found += _spoken_ids(text)
    if "spoken" in run and _spoken_digits(text, language):
        found.append(("spoken_number", "digit_words"))
    elif "spoken" in run and _groups_with_a_pair(text, language):
        found.append(("spoken_number", "groups_with_a_pair"))
    if "name" in run:
        found += _names(text, gazetteer(), language)
    if "payment" in run and not any(kind == "name" for kind, _ in found):
        found += _payments(text, gazetteer())
    if not digits and "address" in run and _spoken_house_number(text):
        found.append(("address", "spoken_house_number"))
    if digits and "address" in run:
        if (
            _STREET.search(text)
            or _lower_case_street(text)
            or _abbreviated_or_typeless_street(text)
            or (not text.isascii() and _JA_ADDRESS.search(text))
        ):
            found.append(("address", "street_number"))
        if _PO_BOX.search(text):
            found.append(("address", "po_box"))
    return found


# A Japanese address: a ward, city, town or village (its name before it), its district in kanji or katakana, a block and a lot in
# digits joined by 丁目, 番(地), 号, 条, a dash or の ("新宿区西新宿2-8-1", "北区梅田3丁目1番3号"); not a count, a
# time or a score after the last number ("世田谷区3-5人で", "港区で10-12時")
_JA_ADDRESS = re.compile(
    r"[\u4e00-\u9fff\u30a1-\u30faヶヵー][市区町村郡][\u4e00-\u9fff\u30a1-\u30faヶヵー]{0,12}\d{1,4}"
    r"(?:丁目|番地|番|号|条|線|[-－‐の])"
    r"[\u4e00-\u9fff\u30a1-\u30faヶヵー]{0,3}\d{1,4}(?![\d人名時分秒円個本回枚歳年月日件台階位点%％])"
)


# A Brazilian RG (no ``stdnum`` module) as São Paulo issues it: eight digits and a check digit or X
# (weights 2 to 9, mod 11), with its dots and hyphen ("12.345.678-2"; anywhere) or its hyphen
# only in a Brazilian row or after "rg" ("12345678-2")
_RG = re.compile(r"(?i)(?<![\w.-])(?:(?P<dotted>\d{2}\.\d{3}\.\d{3})|\d{8})-(?P<check>[\dx])(?![\w-])")
_RG_CUE = re.compile(r"(?i)\brg\b")


def _rg(text: str, region: str | None) -> bool:
    for match in _RG.finditer(text):
        if not match.group("dotted") and region != "BR" and not _RG_CUE.search(text):
            continue
        digits = re.sub(r"\D", "", match.group()[:-2])
        remainder = sum(int(d) * w for d, w in zip(digits, range(2, 10), strict=True)) % 11
        check = {0: "0", 1: "X"}.get(remainder, str(11 - remainder))
        if match.group("check").upper() == check:
            return True
    return False


# A date, as redaction keeps it (its national phone formats leave dates alone: a date identifies no
# one): three groups joined by "-", "." or "/", a year of four digits first (then month and day) or
# a year of four or two digits last (day and month in either order), standing alone (no ASCII letter,
# digit, "_", ".", "+", "-" or "/" before it, nor a digit and a comma; no ASCII letter, digit or "_"
# after it, nor one of "-./" and a digit). A kanji or kana beside it leaves it a date
# ("明日は2026.12.05の会議です"). ``phonenumbers``' matcher reads "05.12.2026" as a valid German
# number and "01.01.2025" as an Italian one, and ``stdnum`` reads the eight digits of
# "2025-01-01" as a Dutch BSN (it pads them to nine): the phone and digits-only identity rules
# read the text with its dates as a word ("Termin am 05.12.2026 um 10:30 Uhr").
_DATE = re.compile(
    r"(?<![A-Za-z0-9_.+\-/])(?<![0-9],)(?P<a>[0-9]{4}|[0-9]{1,2})[\-./](?P<b>[0-9]{1,2})[\-./]"
    r"(?P<c>[0-9]{4}|[0-9]{1,2})(?![A-Za-z0-9_]|[\-./][0-9])"
)


def _is_date(match: re.Match) -> bool:
    a, b, c = (int(g) for g in match.group("a", "b", "c"))
    if len(match.group("a")) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _without_dates(text: str) -> str:
    """``text`` with each date (``_DATE``) as the word "date"."""
    if "." not in text and "-" not in text and "/" not in text:
        return text
    return _DATE.sub(lambda m: "date" if _is_date(m) else m.group(), text)


def _digit_groups(text: str, region: str | None) -> list[tuple[str, str]]:
    """Phones, cards and the region's identity numbers of digits only, in ``text``."""
    found = [("phone", rule) for rule in _phones(text, region)]
    for match in _CARD_WINDOW.finditer(text):
        if _luhn(re.sub(r"\D", "", match.group())):
            found.append(("card", "luhn_digits"))
            break
    for match in _DIGIT_RUN.finditer(text):
        compact = re.sub(r"\D", "", match.group())
        if region == "NL" and len(compact) == 8 and not _BSN_NAMED.search(text):
            continue  # a BSN is nine digits; eight ("stdnum" pads them) only where the row names one
        module = next((m for m in _DIGIT_IDS.get(region or "", ()) if _stdnum(m, compact)), None)
        if module:
            found.append(("national_id", f"stdnum_{module}"))
            break
    return found


# Separators between digit groups that the matchers do not read as joining them: middle dots,
# bullets, the katakana middle dot and the ideographic comma, underscores, commas, tabs and line
# breaks (NFKC'd: "，" and "･" included), with spaces around them.
_ODD_SEPARATOR = re.compile(r"[ \t]*(?:[·•‧∙⋅・、_,]|[\t\n\r\v\f\x85\u2028\u2029]+)[ \t]*")
_ODD_JOINED = re.compile(rf"(?<!\d)\d++(?:{_ODD_SEPARATOR.pattern}\d++)+")
# Digit groups joined by odd separators that are amounts or lists, not one number (left as they
# are): a comma-grouped amount (thousands by threes: "1,234,567", "123,456,782" though it passes the
# BSN check; a decimal comma: "3,50", the "567,89" of "1.234.567,89"); a group of one digit
# ("1, 2, 3, 4", "5_000_000"); groups of the same length, the first without a leading 0, three or
# more of up to three digits ("21, 23, 25, 24, 22, 20, 19", "101, 102, 103"; not "06, 12, 34, 56,
# 78") or five or more; groups counting up or down by one step ("0001, 0002, 0003", "0010, 0020,
# 0030"); years or hundreds ("1999, 2000, 2001", "1000, 2000, 3000, 4000"); and two groups joined by a
# comma ("Alameda de Silva, 84, 44241573": a house number and a postcode, which read as a
# Brazilian phone). A phone or a card written with commas has three groups or more.
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+,\d{1,2}")
_LIST_ITEM = re.compile(r"(?:19|20)\d\d|\d+00")
_LIST_COMMAS = frozenset(",、")
# A line break or a tab joins two groups of four digits or fewer only: a postcode at the end of one
# line and a phone at the start of the next ("Slovenia 62377\n070-820-714") are two numbers.
_LINE_BREAKS = frozenset("\t\n\r\v\f\x85\u2028\u2029")


def _card_in_thousands(parts: list[str]) -> bool:
    """Groups of an amount that are a card number written as one ("4,111,111,111,111,111"): thirteen digits
    or more that pass the Luhn check and do not end in a thousand ("$34,000,000,000,000": money)."""
    digits = "".join(parts)
    return len(digits) >= 13 and not digits.endswith("000") and _luhn(digits)


# money beside comma groups: a currency sign before them, cents after them ("$4,111,111,111,111,111.50")
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹₩]\s*$")
_CENTS_AFTER = re.compile(r"\.\d{2}(?!\d)")


def _joined(text: str) -> str:
    """``text`` with the odd separators between digit groups as spaces (amounts and lists kept)."""

    def join_run(parts: list[str], separators: list[str]) -> str:
        run = "".join(part + separator for part, separator in zip(parts, [*separators, ""], strict=True))
        lengths = {len(part) for part in parts}
        if _AMOUNT.fullmatch(run) and not money[0] and _card_in_thousands(parts):
            return " ".join(parts)
        if (
            len(parts) < 2
            or _AMOUNT.fullmatch(run)
            or min(lengths) < 2
            or (
                len(lengths) == 1
                and parts[0][0] != "0"
                and (len(parts) >= 5 or (len(parts) >= 3 and max(lengths) <= 3))
            )
            or (len(parts) >= 3 and len({int(b) - int(a) for a, b in itertools.pairwise(parts)}) == 1)
            or all(_LIST_ITEM.fullmatch(part) for part in parts)
            or (len(parts) == 2 and not _LIST_COMMAS.isdisjoint(run))
        ):
            return run
        return " ".join(parts)

    def join(match: re.Match) -> str:
        parts = _ODD_SEPARATOR.split(match.group())
        separators = _ODD_SEPARATOR.findall(match.group())
        money[0] = bool(
            _CURRENCY_BEFORE.search(match.string[max(0, match.start() - 8) : match.start()])
            or _CENTS_AFTER.match(match.string, match.end())
        )
        out, first = [], 0
        for i, separator in enumerate(separators):
            if not _LINE_BREAKS.isdisjoint(separator) and max(len(parts[i]), len(parts[i + 1])) > 4:
                out.append(join_run(parts[first : i + 1], separators[first:i]) + separator)
                first = i + 1
        out.append(join_run(parts[first:], separators[first:]))
        return "".join(out)

    money = [False]  # (the run ``join`` reads stands beside money)
    return _ODD_JOINED.sub(join, text)


# Identity numbers with letters written in groups (spaces, hyphens, dots): a UK National Insurance
# number ("AB 12 34 56 C"), a codice fiscale ("RSS MRA 85T10 A562S", any case), an Indian PAN
# ("ABCPE 1234 F"), a Spanish DNI or NIE ("12.345.678-Z", "X-1234567-L"). The NINO and the PAN,
# which have no check character, in capitals only ("call me on 12 34 56 a lot" is no NINO).
_SPACED_ID = re.compile(
    r"(?<![\w.-])(?:"
    r"(?P<nino>[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D])"
    r"|(?P<cf>(?i:[a-z]{3}[ -]?[a-z]{3}[ -]?\d{2}[ -]?[a-z][ -]?\d{2}[ -]?[a-z][ -]?\d{3}[ -]?[a-z]))"
    r"|(?P<pan>[A-Z]{5}[ -]?\d{4}[ -]?[A-Z])"
    r"|(?P<dni>\d{2}\.?\d{3}\.?\d{3}[ -]?[A-Z])"
    r"|(?P<nie>[XYZ][ -]?\d{7}[ -]?[A-Z])"
    r")(?![\w-])"
)
_SPACED_ID_MODULES = {"cf": "it.codicefiscale", "pan": "in_.pan", "dni": "es.dni", "nie": "es.nie"}
# A Mexican CURP or RFC (a person's: four letters), in groups or not ("BOXW 310820 HNERXN 09",
# "gode-561231-gr8"), any case; read where six digits stand together
_MX_ID = re.compile(
    r"(?i)(?<![\w.-])(?:(?P<curp>[a-z]{4}[ -]?\d{6}[ -]?[a-z]{6}[ -]?[a-z0-9]\d)"
    r"|(?P<rfc>[a-zñ&]{4}[ -]?\d{6}[ -]?[a-z0-9]{3}))(?![\w-])"
)
_SIX_DIGITS = re.compile(r"\d{6}")
# HMRC's rules for a NINO's prefix (no check character): never issued first letters, second
# letters and pairs; "QQ" is its specimen
_NINO_NOT_FIRST, _NINO_NOT_SECOND = frozenset("DFIQUV"), frozenset("DFIOQUV")
_NINO_NOT_PREFIX = frozenset(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])


# Where the text names a NINO, one in any case ("my ni number is ab 12 34 56 c")
_NINO_NAMED = re.compile(r"(?i)\bnational\s+insurance\b|\bni\s+(?:number|no)\b|\bnino\b")
_NINO_ANY_CASE = re.compile(r"(?i)(?<![\w.-])[a-z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[a-d](?![\w-])")


def _nino_prefix(compact: str) -> bool:
    return (
        compact[0] not in _NINO_NOT_FIRST
        and compact[1] not in _NINO_NOT_SECOND
        and compact[:2] not in _NINO_NOT_PREFIX
    )


def _spaced_ids(text: str) -> list[tuple[str, str]]:
    """National ids with letters in ``text``, in groups or not (see ``_SPACED_ID``)."""
    if _NINO_NAMED.search(text) and any(
        _nino_prefix(re.sub(r"[ -]", "", m.group()).upper()) for m in _NINO_ANY_CASE.finditer(text)
    ):
        return [("national_id", "nino_named")]
    for match in _SPACED_ID.finditer(text):
        compact = re.sub(r"[ .-]", "", match.group()).upper()
        if match.group("nino"):
            if _nino_prefix(compact):
                return [("national_id", "nino_format")]
        elif _stdnum(module := _SPACED_ID_MODULES[match.lastgroup or ""], compact):
            return [("national_id", f"stdnum_{module}")]
    if _SIX_DIGITS.search(text):
        for match in _MX_ID.finditer(text):
            module = "mx.curp" if match.group("curp") else "mx.rfc"
            if _stdnum(module, re.sub(r"[ -]", "", match.group()).upper()):
                return [("national_id", f"stdnum_{module}")]
    return []


# A NINO or a codice fiscale named and spelled with its digits said as words (review of 2026-12-07): "my ni number is
# ab one two three four five six c", "codice fiscale rss mra otto cinque t uno zero a cinque sei due s". The words,
# each a digit word (``_DIGIT_WORDS``), written digits or letters (three at most), joined by spaces, commas or
# hyphens, read as one string; a NINO in it by HMRC's prefixes, a codice fiscale by ``stdnum``.
_CF_NAMED = re.compile(r"(?i)\bcodice\s+fiscale\b")
_SPELLED_PIECE = re.compile(r"[^\W\d_]+|\d+")
_SPELLED_GAP = re.compile(r"[ ,\-]*")
_SPELLED_NINO = re.compile(r"[A-Z]{2}\d{6}[A-D]")
_SPELLED_CF = re.compile(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]")


_SPOKEN_REPEATS = {"double": 2, "triple": 3, "treble": 3}


def _spoken_ids(text: str) -> list[tuple[str, str]]:
    nino, cf = _NINO_NAMED.search(text) is not None, _CF_NAMED.search(text) is not None
    if not (nino or cf):
        return []
    strings, current, last_end, times = [], "", -1, 1
    for piece in _SPELLED_PIECE.finditer(text):
        word = piece.group().lower()
        if nino and word in _SPOKEN_REPEATS:  # "double one" (second review of 2026-12-07)
            if current and not _SPELLED_GAP.fullmatch(text, last_end, piece.start()):
                strings.append(current)
                current = ""
            times, last_end = _SPOKEN_REPEATS[word], piece.end()
            continue
        read = word if word.isdigit() else _DIGIT_WORDS.get(word)
        if times > 1:
            read = read * times if read is not None and len(read) == 1 and read.isdigit() else None
            times = 1
        if read is None and len(word) <= 3 and word.isascii():
            read = word.upper()
        if read is None or (current and not _SPELLED_GAP.fullmatch(text, last_end, piece.start())):
            strings.append(current)
            current = ""
        if read is not None:
            current, last_end = current + read, piece.end()
    strings.append(current)
    for spelled in strings:
        if nino and any(_nino_prefix(m.group()) for m in _SPELLED_NINO.finditer(spelled)):
            return [("national_id", "nino_spoken")]
        if cf and any(_stdnum("it.codicefiscale", m.group()) for m in _SPELLED_CF.finditer(spelled)):
            return [("national_id", "codice_fiscale_spoken")]
    return []


# A plain word before "at" and a mail provider's name that is no word, without a top-level domain
# ("johnsmith at gmail", "jsmith 87 at yahoo"): the word four letters or more, no English word (the
# dictionary the name lists are filtered with) nor a function or request word ("works at yahoo", "jobs at
# yahoo", "meeting 10 at outlook" are none)
_PLAIN_WORD_AT_PROVIDER = re.compile(
    r"(?i)(?<![\w.'’@-])(?P<box>[a-z]{4,})(?: +[0-9]{1,4})? +at +"
    r"(?:gmail|googlemail|hotmail|yahoo|outlook|icloud|protonmail|gmx|aol)(?![\w-])"
)


@functools.cache
def _not_a_plain_box() -> frozenset[str]:
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    return (
        english_words()
        | _NOT_FOREIGN_BOX
        | frozenset(_NOT_BOX_FIRST.split("|"))
        | _NOT_STATED_NAMES
        | _NOT_NAMES
        | _STATED_TITLES
        | _PLACES_AND_DAYS
        | _word_set("nachher quoi pourquoi dann jetzt heute morgen bitte danke merci gracias grazie obrigado")
    )


# What redaction left of a mailbox beside the placeholder it wrote: a Latin word glued to "[EMAIL]" or joined
# to it by a mailbox's sign or a spoken "plus" ("jsmith+[EMAIL]", "jo.[EMAIL]", "jsmith plus [EMAIL]"; not
# Japanese, which has no spaces: "メールは[EMAIL]です")
_BOX_LEFT = re.compile(
    r"(?i)[a-z0-9\u00c0-\u024f][+._-]?\[EMAIL\]"
    r"|[a-z0-9\u00c0-\u024f]\s+(?:plus(?:\s+sign)?|más|mas|mais|più|piu)\s+\[EMAIL\]"
    rf"|[a-z0-9\u00c0-\u024f]\s+{_BOX_HYPHEN}\s+\[EMAIL\]"  # "hans strich [EMAIL]", "juan menos [EMAIL]"
)


def _emails(text: str) -> list[tuple[str, str]]:
    found = [("email", "email_written")] if "@" in text and _EMAIL.search(text) else []
    if "[" in text and _BOX_LEFT.search(text):
        found.append(("email", "mailbox_left"))
    if _SPLIT_PROVIDER.search(text):
        text = _SPLIT_PROVIDER.sub(
            lambda m: (
                m.group(1) + m.group(2)
                if (m.group(1) + m.group(2)).lower() in _SPLIT_PROVIDERS
                else m.group()
            ),
            text,
        )
    for match in _AT_DOMAIN.finditer(text):  # ``_BOX_BEFORE_AT``: the mailbox before it
        domain = match.group("domain").lower()
        provider = domain in _MAIL_PROVIDERS if match.group("tld") else domain in _BARE_PROVIDERS
        if provider or match.group("tld"):
            box = _BOX_BEFORE_AT.search(text, max(0, match.start() - 100), match.start())
            if (
                box
                and (provider or box.group("letters"))
                and not (box.group("glued") and _NUMBER_AND_UNIT.fullmatch(box.group("glued")))
                and not (box.group("letters") and _SPELLED_TIME.search(box.group("letters")))
            ):
                return [*found, ("email", "email_spelled")]
            # a plain word before a mail provider's own domain ("jsmith at gmail dot com"), not a word
            # of the language ("look at gmail dot com")
            if match.group("tld") and domain in _BARE_PROVIDERS:
                plain = _PLAIN_BOX.search(text, max(0, match.start() - 100), match.start())
                if plain and plain.group().strip().lower() not in _common_words():
                    return [*found, ("email", "email_spelled")]
                if _INITIAL_AND_BOX.search(text, max(0, match.start() - 100), match.start()):
                    return [*found, ("email", "email_spelled")]
    for match in _SPELLED_EMAIL.finditer(text):
        if match.group("at").lower() != "at" or any(c.isdigit() for c in match.group("box")):
            return [*found, ("email", "email_spelled")]
    for match in _JOINED_BOX_EMAIL.finditer(text):
        box = match.group("box")
        if _TLD_WORD.fullmatch(box.split()[-1]):
            continue  # a domain before "at" ("google dot com at amazon dot com")
        if _arithmetic(box):
            continue
        if _BOX_JOINER_WORD.search(box) or match.group("domain").lower() in _MAIL_PROVIDERS:
            return [*found, ("email", "email_spelled")]
    if any(not _arithmetic(match.group("box")) for match in _FOREIGN_AT_BARE_DOMAIN.finditer(text)):
        return [*found, ("email", "email_spelled")]
    for match in _FOREIGN_AT_PROVIDER.finditer(text):
        if match.group("box").lower() not in _NOT_FOREIGN_BOX:
            return [*found, ("email", "email_spelled")]
    for match in _PLAIN_WORD_AT_PROVIDER.finditer(text):
        if match.group("box").lower() not in _not_a_plain_box():
            return [*found, ("email", "email_plain_box")]
    return found


# A payment handle: a text naming a payment service and an "@" or "$" right before a letter, not after a
# word ("venmo @sarah-connor-7", "cash app $jsmith"; not "$20", "jo@example.com"), or, right after the
# service (and "me"), a word holding a digit or "_" or two hyphens or dots ("venmo jsmith87")
_PAYMENT_SERVICE = re.compile(r"(?i)(?<![^\W_])(?:venmo|paypal|zelle|cash ?app)(?![^\W_])")
_SIGNED_HANDLE = re.compile(r"(?<![\w@$])[@$][^\W\d_]")
_HANDLE_AFTER_SERVICE = re.compile(
    r"(?i)(?<![^\W_])(?:venmo|paypal|zelle|cash ?app)(?: +me)? +(?P<handle>[^\W\d_][\w.-]*)"
)


# ... and a social handle: an "@" right before a letter, not after a word, in a text naming a social network
# or a handle, or asking to follow, message or tag someone ("follow @jsmith on twitter", "dm @sarah_connor87");
# a word with a digit or "_" named a handle or a user name ("my twitter handle is jsmith87")
_SOCIAL_WORD = re.compile(
    r"(?i)\b(?:twitter|instagram|insta|tiktok|snapchat|threads|telegram|discord|linkedin|mastodon"
    r"|bluesky|reddit|twitch|github|handle|username|follow|dm|tag|mention)\b"
)
_AT_SIGNED = re.compile(r"(?<![\w@$])@[^\W\d_]")
_HANDLE_NAMED = re.compile(r"(?i)\b(?:handle|username) (?:is )?(?P<handle>[^\W\d_][\w.-]*)")


def _social_handle(text: str) -> bool:
    """An "@" handle in a text of a social network (the e-mail family reads it: every such text holds "@")."""
    return _AT_SIGNED.search(text) is not None and _SOCIAL_WORD.search(text) is not None


def _payment_handle(text: str) -> bool:
    if any(m.group("handle") for m in _HANDLE_NAMED.finditer(text) if re.search(r"[\d_]", m.group("handle"))):
        return True
    if not _PAYMENT_SERVICE.search(text):
        return False
    if _SIGNED_HANDLE.search(text):
        return True
    for match in _HANDLE_AFTER_SERVICE.finditer(text):
        handle = match.group("handle").rstrip(".-")
        if text[match.end() : match.end() + 1] == "@":
            continue
        if re.search(r"[\d_]", handle) or len(re.findall(r"[.-]", handle)) >= 2:
            return True
    return False


# A capitalised full name after a call, whatever the name lists say of its words ("call up John Smith",
# "ruf bitte Günther Schröder an": "john" and "smith" are English words, "günther" no given name of the
# lists): the first word a given name or a surname of the lists (without accents), the second a surname,
# each title-cased and neither a function, kinship or title word; a request to play something in the row
# makes it none ("play the song call John Smith"), as it does to redaction.
_CALLS = sorted(
    [
        "call", "call up", "ring", "ring up", "phone", "phone up", "text", "email", "message", "dial",
        "whatsapp", "facetime", "skype", "ruf", "rufe", "ruf bitte", "ruf doch", "ruf mal", "ruf doch mal",
        "ruf bitte mal", "rufe bitte", "rufe mal", "schreib", "schreibe", "appelle", "appeler", "appelez",
        "chiama", "chiamare", "scrivi", "telefona", "telefona a", "bel", "bellen", "stuur", "llama a",
        "llamar a", "llame a", "marca a", "liga para", "ligue para", "ligar para", "téléphone à",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
_CALLED_CAPITALISED = re.compile(
    r"(?<![^\W_])(?i:" + "|".join(c.replace(" ", " +") for c in _CALLS) + r") +"
    r"(?P<first>[^\W\d_]{2,}) +(?P<second>[^\W\d_]{2,})(?![\w'’-])"
)
# ... and, in English rows, after a meeting, a talk, messages, contacts or a sending ("lunch with John
# Smith", "send ten dollars to Bill Brown"): a given name of the lists and a surname, both title-cased,
# where redaction reads them (a sending: one to three words between the verb and "to", or an amount in digits
# and up to three: "send 20 dollars to John Smith", "send $20 to John Smith")
_ENGLISH_NAME_CUE = re.compile(
    r"(?i)(?:(?:meeting|appointment|lunch|dinner|coffee|call|chat|date|session) with|(?:talk|speak) (?:with|to)"
    r"|(?:messages?|texts?|e-?mails?|voicemails?) from|add"
    r"|(?:send|transfer|wire)(?: [$€£]?[0-9][0-9,.]*[$€£]?(?: [^\W\d_]+){0,3}|(?: [^\W\d_]+){1,3}) to) "
)
_MEDIA_WORD = re.compile(
    r"(?i)(?<![^\W_])(?:play|playing|plays|listen|listening|shuffle|queue|spiel|spiele|spielt|höre|hör|joue"
    r"|jouer|mets|pon|pone|reproduce|metti|suona|speel|toca|tocar)(?![^\W_])"
)


# After a payment verb, in any case, a given name of the lists (also a word) and a surname of them ("pay
# bill smith", "venmo mark jones"): not a given name that starts a message ("pay will later") nor a word
# of a payment or of time after it that the surname lists hold too ("pay bill online", "pay chase bank")
_PAID_FULL_NAME = re.compile(
    r"(?i)(?<![^\W_])(?:pay|venmo|zelle|paypal) +(?P<first>[^\W\d_]{2,}) (?P<second>[^\W\d_]{2,})(?![\w'’-])"
)
_STARTS_A_MESSAGE = _word_set("will may hope love miss merry joy grace faith sunny honey soon ok so")
_NOT_PAID_SURNAMES = _word_set(
    """
    payment payments first on from via later early late fast back due cash check cheque card credit debit
    bank water gas power phone rent online now today tonight tomorrow monthly weekly yearly annually amount
    total balance full minimum price fee fees charge charges account accounts automatically auto direct
    instantly immediately quickly soon again twice once off over up down out in with by for through using
    me him her them us it all each every this that these those my your his our their the a an and or but
    service services company utility utilities electric electricity internet cable insurance mortgage loan
    tax taxes bill bills invoice statement deposit money dollars cents euros pounds bucks
    """
)


# A request, "my" and a relation, then "grace", "joy", "faith" or "hope" and a verb: a name ("text my
# sister grace is here"; not "tell my husband will be late", "text my wife hope you're ok")
_RELATION_AND_NAMED_NOUN = re.compile(
    r"(?i)(?<![^\W_])(?:text|call|tell|message|email|ring|phone) +(?:my|our) +(?:wife|husband|partner"
    r"|girlfriend|boyfriend|sister|brother|mom|mum|mother|dad|father|son|daughter|friend|boss) +"
    r"(?:grace|joy|faith|hope) (?:is|was|says|said|has|had|will|can|could|would|wants|needs|just|called"
    r"|texted|asked)(?![\w'’-])"
)


def _paid_full_name(text: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    for match in _PAID_FULL_NAME.finditer(text):
        first, second = match.group("first").lower(), match.group("second").lower()
        stop = _not_a_called_name()
        if (
            first in given
            and first not in _STARTS_A_MESSAGE
            and first not in stop
            and second in surnames
            and second not in _NOT_PAID_SURNAMES
            and second not in stop
        ):
            return True
    return False


# ... or a hyphenated given name after it, whose first part is a given name of the lists and every other a
# given name or a surname that is no English word ("paypal jean-luc 10 euros": "luc" is a surname there)
_PAID_HYPHENATED = re.compile(
    r"(?i)(?<![^\W_])(?:pay|venmo|zelle|paypal) +(?P<name>[a-z]{2,}(?:-[a-z]{2,})+)(?![\w'’-])"
)


def _paid_hyphenated(text: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    for match in _PAID_HYPHENATED.finditer(text):
        first, *rest = match.group("name").lower().split("-")
        if (
            first in given
            and first not in _common_words()
            and first not in _not_a_called_name()
            and all((part in given or part in surnames) and part not in english_words() for part in rest)
        ):
            return True
    return False


def _payments(
    text: str, gazetteer: tuple[frozenset[str], frozenset[str], frozenset[str]]
) -> list[tuple[str, str]]:
    """A payment handle, or a given name and a surname or a hyphenated given name after a payment verb
    (not in a request to play)."""
    if _payment_handle(text):
        return [("name", "payment_handle")]
    given, surnames, _words = gazetteer
    if _MEDIA_WORD.search(text):
        return []
    if _paid_full_name(text, given, surnames):
        return [("name", "paid_full_name")]
    if "-" in text and _paid_hyphenated(text, given, surnames):
        return [("name", "paid_hyphenated_name")]
    return []


def _title_cased(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


# Places and days that are given names or surnames of the lists ("lunch with Virginia Beach friends",
# "call Jordan Monday"): never a capitalised full name here
_PLACES_AND_DAYS = _word_set(
    """
    paris london berlin rome madrid lisbon vienna dublin sydney melbourne austin dallas houston denver phoenix
    florence victoria georgia virginia carolina jordan chelsea brooklyn madison lincoln orlando china india
    japan france spain italy germany austria brazil mexico canada ireland holland england boston chicago
    seattle atlanta miami detroit toronto vancouver montreal munich hamburg cologne lyon roma milano napoli
    torino firenze venezia münchen köln wien zürich lisboa sevilla bruxelles milan naples venice barcelona
    seville valencia amsterdam rotterdam utrecht tokyo osaka kyoto charlotte aurora savannah augusta
    columbus jackson memphis nashville tulsa raleigh durham cleveland tyler sherman beach park lake
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december montag dienstag mittwoch donnerstag freitag samstag sonntag
    lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo
    easter yom kippur
    """
)


@functools.cache
def _not_a_called_name() -> frozenset[str]:
    return _NOT_NAMES | _NOT_STATED_NAMES | _STATED_TITLES | _FUNCTION_WORDS | _PLACES_AND_DAYS


@functools.cache
def _all_names() -> frozenset[str]:
    from utterance_governance.clean.names import gazetteer  # names, not redaction code

    given, surnames, _words = gazetteer()
    return given | surnames


def _capitalised_full_name(first: str, second: str, names: frozenset[str], surnames: frozenset[str]) -> bool:
    if not (_title_cased(first) and _title_cased(second)):
        return False
    first, second = first.lower(), second.lower()
    stop = _not_a_called_name()
    if first in stop or second in stop or _folded(first) in stop or _folded(second) in stop:
        return False
    if not (first in names or _folded(first) in names):
        return False
    if second in surnames or _folded(second) in surnames:
        return True
    # "Davis", "Johnson", "Taylor", "Wilson": surnames the lists hold as given names only (no English word)
    from utterance_governance.clean.names import english_words  # a dictionary, not redaction code

    return second in _all_names() and second not in english_words()


def _names(
    text: str, gazetteer: tuple[frozenset[str], frozenset[str], frozenset[str]], language: str | None = None
) -> list[tuple[str, str]]:
    given, surnames, words = gazetteer
    found = _japanese_names(text) if not text.isascii() else []
    statement = _NAME_STATEMENT.search(text)
    if statement:
        name = statement.group("name").lower()
        if name in _STATED_TITLES:
            name = (statement.group("next") or "").lower()
        if name and name not in _FUNCTION_WORDS and name not in _NOT_STATED_NAMES:
            found.append(("name", "name_statement"))
    media = _MEDIA_WORD.search(text) is not None
    if not media and not found and _titled_name(text):
        found.append(("name", "titled_name"))
    if not media and not found and _called_titled_name(text):
        found.append(("name", "called_titled_name"))
    of_words = False  # a title-cased full name of words after an English cue
    for match in _CALLED_FULL_NAME.finditer(text):
        of_words = of_words or (
            not media
            and language in (None, "en")
            and _ENGLISH_NAME_CUE.fullmatch(text[match.start() : match.start("first")]) is not None
            and match.group("rest")[:1] == " "
            and not match.group("rest")[1:2].isspace()  # one space between the two, as redaction reads them
            and _capitalised_full_name(match.group("first"), match.group("rest").split()[0], given, surnames)
        )
        first = match.group("first").lower()
        if first != "[name]" and not all(_gazetteer_word(part, given, words) for part in first.split("-")):
            continue
        if (
            match.group("pt")
            and (language == "pt" or match.group("pt").lower().startswith("lig"))
            and (match.group("prep") or "").lower() not in ("para", "pra", "pro")
            and not (first == "[name]" or match.group("first")[0].isupper())
        ):
            continue  # "liga a luz da sala": turn on
        rest_written = match.group("rest").split()
        rest = [word.lower() for word in rest_written]
        particles = 0
        while particles < 2 and particles < len(rest) - 1 and rest[particles] in _PARTICLES:
            particles += 1
        last = rest[particles]
        capitalised = rest_written[particles][0].isupper()
        if first in ("mia", "mio") and not particles and not capitalised and _folded(last) in _AFTER_MY:
            continue  # "chiama mio amico", "chiama mio amore": a possessive, as redaction reads it (second review)
        if particles and not capitalised and first == "[name]":
            continue  # "[NAME] van de buren": a word redaction left after a particle
        if (
            _gazetteer_word(last, surnames, words, fold_from=5)
            or (
                particles
                and language == "nl"
                and all(p in _DUTCH_PARTICLES for p in rest[:particles])
                and len(last) >= 3
                and last not in _PARTICLES
                and (
                    capitalised  # "[NAME] van de Kapper"
                    or (
                        rest[:particles] != ["te"]
                        and last not in _NOT_NAMES
                        and _folded(last) not in _NOT_NAMES
                    )
                )
            )
        ):
            return [*found, ("name", "called_full_name")]
    if of_words:
        return [*found, ("name", "capitalised_full_name")]
    if not media and _RELATION_AND_NAMED_NOUN.search(text):
        return [*found, ("name", "relation_and_name")]
    if not media:
        for match in _CALLED_CAPITALISED.finditer(text):
            if _capitalised_full_name(match.group("first"), match.group("second"), _all_names(), surnames):
                return [*found, ("name", "called_capitalised_name")]
    return found


# An IPv4 address read out or spaced: four octets, each written (1-3 digits) or one to three digit
# words, joined by a dot word ("dot", "punkt", "punto", "point", "punt", "ponto", "ドット") or a
# dot with spaces around it ("192 . 168 . 1 . 20"; not "1. 2. 3. 4.", a list); five digits or
# more ("10 dot 0 dot 0 dot 1"; "1 point 2 point 3 point 4" is a section number).
_IP_WORDS = "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
_IP_OCTET = rf"(?:\d{{1,3}}(?!\d)|(?<![^\W\d_])(?:{_IP_WORDS})(?:[\s,]+(?:{_IP_WORDS})){{0,2}}(?![^\W\d_]))"
_IP_DOT = r"(?:\s*(?:(?<![^\W\d_])(?:dot|punkt|punto|point|punt|ponto)(?![^\W\d_])|ドット)\s*|\s+\.\s+|\.)"
_SPOKEN_IP = re.compile(
    rf"(?i)(?<![\d.])(?P<a>{_IP_OCTET}){_IP_DOT}(?P<b>{_IP_OCTET}){_IP_DOT}(?P<c>{_IP_OCTET}){_IP_DOT}(?P<d>{_IP_OCTET})"
    rf"(?!\.?\d|[\s,]+(?:{_IP_WORDS})(?![^\W\d_]))"  # the last octet whole
)


_NOT_WRITTEN_IP = re.compile(r"[^\d.]")
# what every spoken or spaced address holds (the ip family's rows are mostly dotted dates)
_IP_DOT_HINT = re.compile(r"(?i)\b(?:dot|punkt|punto|point|punt|ponto)\b|ドット|\s\.\s")


def _spoken_ip(text: str) -> bool:
    if not _IP_DOT_HINT.search(text):
        return False
    for match in _SPOKEN_IP.finditer(text):
        if not _NOT_WRITTEN_IP.search(match.group()):
            continue  # "127.0.0.1" in "127.0.0.1:8080" is the written rule's (``_IP_TOKEN``)
        octets = [
            part if part.isdigit() else "".join(_DIGIT_WORDS[w] for w in _LETTERS.findall(part.lower()))
            for part in match.group("a", "b", "c", "d")
        ]
        # four digits alone are a section or a count ("chapter 1 point 2 point 3 point 4")
        if all(len(octet) <= 3 and int(octet) <= 255 for octet in octets) and len("".join(octets)) > 4:
            return True
    return False


def _is_ip(token: str) -> bool:
    if token.count(":") >= 2 and sum(c.isalnum() for c in token) < 4:
        return False  # "::" alone
    try:
        ipaddress.ip_address(token)
    except ValueError:
        # zero-padded parts ("192.168.001.020"): Python's ``ipaddress`` refuses them, a reader does not
        parts = token.split(".")
        return len(parts) == 4 and all(
            p.isascii() and p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts
        )
    return True


# --- which rows are read ---------------------------------------------------------------------

# A digit (any script: NFKC folds full-width ones later) or a sign for one ("⒉", "❹", "²"), "@"
# or a spelled-out "at", a digit word of any supported language, or a kanji digit; and any text with
# an invisible format character (a zero-width space inside "fi\u200bve" hides the word from the rest) or a
# combining mark written apart from its letter (``_MARKS_RE2``: the rules read such a text composed).
_SCOPE = (
    rf"\p{{Nd}}|\p{{No}}|\p{{Cf}}|{_MARKS_RE2}|{_ENCODED_HINT}|[@＠﹫]|(?i:\[EMAIL\]|\((?:at|dot)\)|\[(?:at|dot)\]|\bat\b|arroba|arobase|chiocciolina|chiocciola"
    r"|apenstaartje|apenstaart|klammeraffe|affenschwanz)"
    rf"|アット|(?i:{_RE2_WORD_START}ät{_RE2_WORD_END})"
    # (a digit word or a French pair, which count alone, as the rules' tokens end them, "one_two_three…",
    # "douze treize quatorze quinze": ``_RE2_WORD_START``)
    rf"|(?i:{_RE2_WORD_START}{_RE2_NUMBER_WORD}{_RE2_WORD_END})"
    r"|[" + _KANJI_DIGITS + "]"
    r"|(?:" + _KANA_DIGIT + r")(?:[" + _KANJI_JOINERS.replace("-", "") + r"\-]?(?:" + _KANA_DIGIT + r")){6}"
    r"|[\x{FF66}-\x{FF9F}]{7}"  # half-width katakana: read as NFKC makes them
    rf"|(?i:{_NAME_STATEMENT_WORDS}\s)"
    # Japanese names (``_JA_HONORIFIC_NAME``, ``_JA_NAME_STATED``; literals only: a class before them cost
    # the families' pass 10 %)
    r"|さん|様|さま|くん|君|ちゃん|氏|先生|名前|なまえ|氏名|と申します"
    r"|(?i:\b(?:venmo|paypal|zelle|cash\s?app)\b)"  # a payment handle ("cash app $jsmith")
    r"|(?i:\b(?:handle|username)[ ])"  # a handle named so, "my twitter handle is j_smith" (``_HANDLE_NAMED``)
    # "pay bill smith", "pay  josé garcía" (any characters but a space: with letters of every script the families'
    # pass took 10 % longer, ASCII letters missed the names outside ASCII)
    r"|(?i:\bpay[ ]+[^ ]+[ -][^ ])"
    # "text my sister grace is here" (the name and its verb first: "my", a word and the name made the
    # families' pass 20 % slower)
    r"|(?i:\b(?:grace|joy|faith|hope)\s+(?:is|was|says|said|has|had|will|can|could|would|wants|needs|just"
    r"|called|texted|asked)\b)"
    # a cue and two title-cased words: a full name of words ("call up John Smith", "lunch with Bill Brown")
    r"|(?i:\b(?:call|ring|phone|text|email|message|dial|whatsapp|facetime|skype|with|to|from|add|ruf|rufe"
    r"|bitte|doch|mal|appelle|appeler|chiama|scrivi|telefona|bel|bellen|stuur|a|à|para)\s+(?:up\s+)?)"
    r"\p{Lu}\p{Ll}+\s+\p{Lu}"
    # a name redaction took and a word after it (``_CALLED_FULL_NAME`` reads "[NAME]" as a given name: "bel [NAME] van
    # de Werf", a surname redaction left)
    r"|(?i:\[name\])\s+\pL"
    # a house number of tens or teens before a street type (``_SPOKEN_HOUSE``: "deliver to fourteen oak avenue";
    # a digit word is read above)
    r"|(?i:\b(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty"
    r"|fifty|sixty|seventy|eighty|ninety|hundred)\b.*\b(?:street|avenue|road|lane|drive|boulevard|court|terrace"
    r"|circle|parkway|highway)\b)"
    # a title of address before a word (``_CALLED_TITLED``: "call mr smith", "appelle docteur Martin"; and
    # ``_TITLED_PARTICLE_NAME``: "bel dokter de Vries", "appelle M. de La Fontaine")
    rf"|(?i:\b(?:{_ADDRESS_TITLES}|{_TITLE_WORDS})\.?[ ]+\pL)|\bM\.[ ]+\pL"
)


def _strings(texts) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], texts.type)
    if not isinstance(texts, pa.Array):
        texts = pa.array(list(texts), pa.large_string())
    if pa.types.is_null(texts.type):
        texts = texts.cast(pa.large_string())
    return texts


@functools.cache
def _common_words() -> frozenset[str]:
    from utterance_governance.clean.names import gazetteer

    return frozenset(gazetteer()[2])


@functools.cache
def _gazetteer_names() -> frozenset[str]:
    from utterance_governance.clean.names import gazetteer

    given, surnames, words = gazetteer()
    return frozenset((given | surnames) - words)


def _gazetteer_rows(texts: pa.Array) -> np.ndarray:
    """Per text: one of its tokens (parted by white space, underscores and digits, as the rules' words end:
    "bel\tjan de\tvries", "santa jansen_aan"), lower case and without the punctuation around it, is a
    gazetteer name, as written or without its accents or umlauts (each distinct token looked up once)."""
    words = pc.replace_substring_regex(pc.utf8_lower(pc.fill_null(texts, "")), r"[_\p{Nd}]+", " ")
    tokens = pc.utf8_split_whitespace(words)  # (a regular expression's split took twice as long)
    flat = pc.dictionary_encode(pc.utf8_trim(pc.list_flatten(tokens), characters=".,;:!?\"'()[]"))
    names, all_names = _gazetteer_names(), _all_names()
    known = np.fromiter(
        (
            token in names
            # accented, any name of the lists, as the name rules read it (``_gazetteer_word``): "maría" though
            # "maria" is an English word, "müller" as "muller" or "mueller"
            or (not token.isascii() and (_folded(token) in all_names or _transliterated(token) in all_names))
            for token in flat.dictionary.to_pylist()
        ),
        dtype=bool,
    )
    hit = known[np.asarray(flat.indices)] if len(known) else np.zeros(len(flat), dtype=bool)
    rows = np.zeros(len(texts), dtype=bool)
    rows[np.asarray(pc.list_parent_indices(tokens))[hit]] = True
    return rows


def _in_scope(texts: pa.Array) -> np.ndarray:
    """Per text (no nulls): a digit, "@", a number word, a name statement or a gazetteer name."""
    rows = np.asarray(pc.fill_null(pc.match_substring_regex(texts, _SCOPE), False))
    rest = np.flatnonzero(~rows)
    if len(rest):
        rows[rest] = _gazetteer_rows(texts.take(pa.array(rest, pa.int64())))
    return rows


class _Distinct(NamedTuple):
    """A column as its distinct texts (read once each) and, per row, which one (-1: null)."""

    texts: pa.Array
    index: np.ndarray

    @classmethod
    def of(cls, texts: pa.Array) -> _Distinct:
        encoded = pc.dictionary_encode(texts)
        return cls(encoded.dictionary, np.asarray(encoded.indices.fill_null(-1), dtype=np.int64))

    def per_row(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per distinct text) for each row; False/0 for a null row."""
        out = np.zeros(len(self.index), dtype=values.dtype)
        valid = self.index >= 0
        out[valid] = values[self.index[valid]]
        return out


def _scope(column: _Distinct, sample_rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(in scope, sampled from the rest), per row."""
    if not len(column.index):
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    rows = column.per_row(_in_scope(column.texts))
    sampled = np.zeros(len(rows), dtype=bool)
    rest = np.flatnonzero(~rows & (column.index >= 0))
    if len(rest) and sample_rate > 0:
        rng = np.random.default_rng(seed)
        sampled[rest[rng.random(len(rest)) < sample_rate]] = True
    return rows, sampled


def scope_rows(texts, *, sample_rate: float = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    """The rows the detector reads: digit, number word, "@" or gazetteer name, plus a sample."""
    scope, sampled = _scope(_Distinct.of(_strings(texts)), sample_rate, seed)
    return scope | sampled


def find_identifiers(
    texts: pa.Array | pa.ChunkedArray | Sequence[str | None],
    locales: pa.Array | pa.ChunkedArray | Sequence[str | None] | None = None,
    *,
    sample_rate: float = SAMPLE_RATE,
    seed: int = 0,
) -> list[Finding]:
    """Every identifier the detector finds in ``texts`` (one per row and kind), with its rule.

    ``locales``: each row's BCP 47 locale (its region's phone formats and identity numbers);
    US formats when absent. Rows outside the scope are read only when sampled. Each distinct
    text is matched once, and each distinct (text, locale, rules to run) read once.
    """
    column = _Distinct.of(_strings(texts))
    scope, sampled = _scope(column, sample_rate, seed)
    names = list(_FAMILIES)
    needed = np.zeros(len(column.texts), dtype=bool)
    needed[column.index[scope | sampled]] = True
    wanted = np.flatnonzero(needed)
    hits = np.zeros((len(column.texts), len(names)), dtype=bool)
    if len(wanted):
        hits[wanted] = _family_hits(column.texts.take(pa.array(wanted, pa.int64())), names)
    families = hits.astype(np.int64) @ (1 << np.arange(len(names), dtype=np.int64))  # a bit per family
    row_families = np.where(sampled, (1 << len(names)) - 1, column.per_row(families) * scope)
    read = np.flatnonzero(row_families > 0)
    if not len(read):
        return []
    locale_ids = np.zeros(len(column.index), dtype=np.int64)
    locale_codes: list[str | None] = [None]
    if locales is not None:
        encoded = pc.dictionary_encode(_strings(locales))
        locale_codes = [*encoded.dictionary.to_pylist(), None]
        locale_ids = np.asarray(encoded.indices.fill_null(len(locale_codes) - 1), dtype=np.int64)
    # one reading per distinct (text, locale, rules to run); rows in order, one finding per kind
    width = 1 << len(names)
    keys = (column.index[read] * len(locale_codes) + locale_ids[read]) * width + row_families[read]
    groups, inverse = np.unique(keys, return_inverse=True)
    texts_read = column.texts.take(pa.array(groups // width // len(locale_codes))).to_pylist()
    locales_read = (groups // width % len(locale_codes)).tolist()
    found: dict[int, list[tuple[str, str]]] = {}
    for g, (text, locale, bits) in enumerate(
        zip(texts_read, locales_read, (groups % width).tolist(), strict=True)
    ):
        if text:
            run = frozenset(f for i, f in enumerate(names) if bits >> i & 1)
            first_rule: dict[str, str] = {}
            for kind, rule in find_in_text(text, locale_codes[locale], run):
                first_rule.setdefault(kind, rule)  # one finding per row and kind: the first rule
            if first_rule:
                found[g] = list(first_rule.items())
    findings = []
    for i in np.flatnonzero(np.isin(inverse, list(found))).tolist():
        findings += [Finding(int(read[i]), kind, rule) for kind, rule in found[int(inverse[i])]]
    return findings


# The families' shared parts as one pass: each family then reads only the texts that pass finds
# something in; the parts in ``_OWN_PASS`` read every text.
_ANY_FAMILY = "|".join(f"(?:{pattern})" for pattern in _FAMILIES.values() if pattern)


def _family_hits(texts: pa.Array, names: list[str]) -> np.ndarray:
    """Per text (no nulls) and family in ``names``: does the family's prefilter find something, in
    the text as written or as the rules read it (``_normalised``: "⒉⒈⒉" is 212 only there)."""
    hits = _raw_family_hits(texts, names)
    controls = np.asarray(
        pc.fill_null(pc.match_substring_regex(texts, f"{_CONTROL_RE2}|{_ENCODED_HINT}"), False), dtype=bool
    )
    other = np.flatnonzero(~np.asarray(pc.string_is_ascii(texts)) | controls)
    if len(other):  # (Python only for the texts holding a character ``_normalised`` changes)
        written = texts.take(pa.array(other, pa.int64()))
        keep = controls[other] | np.asarray(
            pc.fill_null(pc.match_substring_regex(written, _changed_by_tables()), False), dtype=bool
        )
        other, written = other[keep], written.filter(pa.array(keep)).to_pylist()
        read = [_normalised(text) for text in written]
        changed = np.array([a != b for a, b in zip(read, written, strict=True)], dtype=bool)
        if changed.any():
            as_read = pa.array([text for text, c in zip(read, changed, strict=True) if c], pa.large_string())
            hits[other[changed]] |= _raw_family_hits(as_read, names)
    return hits


def _raw_family_hits(texts: pa.Array, names: list[str]) -> np.ndarray:
    hits = np.zeros((len(texts), len(names)), dtype=bool)
    some = np.flatnonzero(np.asarray(pc.match_substring_regex(texts, _ANY_FAMILY)))
    subset = texts.take(pa.array(some, pa.int64()))
    gated = np.flatnonzero(np.asarray(pc.match_substring_regex(texts, _OWN_GATE)))
    few = texts.take(pa.array(gated, pa.int64()))
    apart = np.flatnonzero(np.asarray(pc.match_substring_regex(texts, _APART_GATE)))
    picked = texts.take(pa.array(apart, pa.int64()))
    for i, family in enumerate(names):
        for pattern in _OWN_PASS.get(family, ()) if len(gated) else ():
            hits[gated, i] |= np.asarray(pc.match_substring_regex(few, pattern))
        if family in _APART and len(apart):
            hits[apart, i] |= np.asarray(pc.match_substring_regex(picked, _APART[family]))
        if _FAMILIES[family] and len(some):
            hits[some, i] |= np.asarray(pc.match_substring_regex(subset, _FAMILIES[family]))
        if family == "address" and len(texts):
            hits[:, i] |= np.asarray(pc.fill_null(pc.match_substring_regex(texts, _ADDRESS_OWN_PASS), False))
        if family == "name" and len(texts):
            hits[:, i] |= np.asarray(pc.fill_null(pc.match_substring_regex(texts, _NAME_OWN_PASS), False))
    return hits


def flag_rows(texts, locales=None, *, sample_rate: float = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    """True for each row in which ``find_identifiers`` finds anything."""
    texts = _strings(texts)
    flagged = np.zeros(len(texts), dtype=bool)
    for finding in find_identifiers(texts, locales, sample_rate=sample_rate, seed=seed):
        flagged[finding.row] = True
    return flagged
