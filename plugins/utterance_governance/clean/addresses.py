"""Street addresses, PO boxes and postcodes of the allowed countries (SPEC §5): ``[ADDRESS]``.

Our own patterns (``usaddress`` parses an address it is given; it does not find one in a
sentence), in the orders the allowed countries write them:

- house number, one to four words, a street type: "3240 Meadow Drive", "17 Jones Light",
  "12 rue de la Paix" (the type first: "12 Rue …"), "48 Pipeclay Road";
- a street type, words, a house number: "Via Pasquale Scura 127", "Calle Mayor 5", "C/ Serrano 45",
  "Rua das Flores, 123", "Boulevard Zacatecas 763" ("12 bis rue Lepic": a French "bis" or "ter");
- a compound street name and a number: "Hauptstraße 12", "Erlerstraße 7/6", "Kerkstraat 12",
  "Parklaan 200", "moerasweg 61", "Goethepfad 5"; Amsterdam's "Singel 40";
- PO boxes and military addresses: "P.O. Box 123", "Postfach 1234", "PSC 7476, Box 0959",
  "Unit 8103 Box 7798", "FPO AA 30505";
- a unit on its own: "Apt. 456", "Suite 323", "Wohnung 3";
- in lower case, as speech recognition writes them: a number, a word or two (no plural last)
  and "way", "close", "grove", "vale", "wynd" or "quay" ending a clause ("27 oak way", "14
  willow close"; not "a 15 minute walk", "3 green lights"), "plaza de españa 5", "alten markt
  5", "rua das flores, 123", "kerkstraat nummer 12".

A match takes in what follows it on the same address: a unit, capitalised place words, a
state code, a postcode ("E70 6ZA", "A1R 8S5", "7170 BM", "31706-690", "NV 44325") and a
country, across commas and line breaks. Lower-case words other than street words end it.

Not redacted: a city or a postcode on its own ("weather in 10115 Berlin" keeps "10115": a
postcode names thousands of people), a street name without a number ("Main Street").
``ADDRESS_CANDIDATES`` (RE2) picks the rows worth reading.
"""

from __future__ import annotations

import re

from utterance_governance.clean.patterns import replace_spans

# Street types that are not ordinary words: any case, lower-case street names too.
_STRONG_AFTER = """
street st str avenue ave road rd boulevard blvd lane ln drive dr terrace crescent cres parkway
pkwy highway hwy court ct circle cir plaza laneway mews expressway freeway turnpike causeway marg
"""
# Street types that are also words ("way", "park", "green"): the street's words and the type
# capitalised ("48 Pipeclay Way"), as written addresses are.
_WEAK_AFTER = """
Way Place Square Trail Close Grove Gardens Garden Park Row Walk Hill Heights View Point Plains
Plain Station Light Lights Rise Green Vale Crossing Loop Alley Bridge Brook Camp Canyon Cape
Center Centre Corner Corners Creek Crest Dale Divide Estate Estates Extension Falls Ferry Field
Fields Flat Flats Ford Forest Forge Fork Forks Fort Gateway Glen Glens Harbor Harbour Haven Island
Isle Junction Key Knoll Knolls Lake Lakes Landing Manor Meadow Meadows Mill Mills Mission Motorway
Mount Mountain Neck Orchard Oval Pass Passage Path Pike Pine Pines Port Prairie Radial Ranch
Rapids Rest Ridge River Route Shoal Shore Shores Spring Springs Spur Stream Summit Trace Track
Tunnel Underpass Union Valley Viaduct Village Ville Vista Wall Well Wells Wharf Wood Woods Nagar
Circus Gate Quay Wynd Broadway Esplanade Promenade Embankment Parade Approach Shoal Haven Fords Divide
Cove Coves Run Hollow Bend Bluff Bluffs Cliff Cliffs Commons Curve Hills Inlet Lodge Skyway Trafficway
Throughway Trl Cv Ter
"""
# ... of those, the ones rarely said after a number and a word but of a street, in lower case too
# ("27 oak way", "14 willow close", "33 elm loop", "8 deer run"): at the end of the text or a clause
# only (not "15 minute walk", "3 green lights", "3 botanical gardens", "10 feet square", "5 alarms
# close together", "a 5 km run", "the 2 mile loop")
_WEAK_AFTER_LOWER = "way close grove vale wynd quay cove trail loop run hollow bend ridge"
# Words that are no street name before those ("a 2 way radio", "the one way")
_NOT_STREET_WORDS = (
    "a|an|the|of|in|on|at|to|for|by|and|or|my|your|his|her|our|their|this|that|one|two|three|four|five"
    "|six|seven|eight|nine|ten|minute|minutes|hour|hours|day|days|week|weeks|mile|miles|km|times|ways|way"
    "|lane|lanes|step|steps|more|less|very|too|so|is|are|was|be|it|its|get|got|go|come|came|stay|stayed"
    # (and words that end a sentence before "way" or "close" in speech: "season 2 episode 3 no way",
    # "terminal 5 which way", "door 3 please close", "my 2 sisters live close")
    "|no|which|either|please|wont|won't|force|open|both|live|lives|goes|pretty|nil|really|quite|all"
    "|any|each|every|some|same|other|another|far|right|left|wrong|up|down|out|off|back|now|then|just"
    # (and what is run, looped or walked: "a 5k fun run", "the 8 bar loop", "season 2 episode 3 dry run")
    "|bar|bars|bit|lap|home|dry|test|trial|practice|training|fun|long|short|quick|morning|evening|nature"
    "|hiking|bike|ski|sprint|marathon|hairpin|sharp|tight|endless|infinite|feedback|game|level|track|song"
    "|beat|kilometer|kilometre|meter|metre|hike|walk|run|loop|trail|while|first|last"
    "|next|second|third|final|episode|season|chapter|page|round|stage|part|year|month|time"
)
# ... and a kind of training run or loop said alone before the type ("5 tempo run", "2 interval loop"; "12 hill
# run", "12 pine hill run" are streets)
_TRAINING_RUNS = (
    "tempo|recovery|easy|interval|intervals|speed|fartlek|shakeout|progression|treadmill|warmup"
    "|cooldown|sprints|stair|stairs|morning|evening|night|lunch|solo|group|club|charity|race"
)
# A verb of doing or running before the number makes it a count, not a house number ("we did 3 hill run.",
# "I ran 2 river loop"), for the lower-case forms (as the gate's detector reads them: its
# ``_NOT_BEFORE_HOUSE_NUMBER``)
_NOT_BEFORE_LOWER_NUMBER = frozenset(
    ["did", "do", "does", "done", "ran", "run", "runs", "running", "finished"]
)
# Street types written before the name, not ordinary words in their language. "via" is a word in
# English too, but ASR writes Italian streets in lower case ("portami in via roma 31") and the
# gate's detector reads "via" + words + a number in any case: it is taken as a street here.
_STRONG_BEFORE = """
rue calle rua via viale piazza piazzale avenida travessa carrer strada corso largo vicolo allée allee
chemin impasse quai paseo praça praca alameda rodovia estrada carretera travesía travesia ul. avda.
rang montée montee
"""
# ... and those that are ("place", "route"): a capitalised name must follow.
_WEAK_BEFORE = """
Via Place Route Cours Plaza Avenue Av Boulevard Bd Blvd Ronda Camino Calzada Privada Cerrada
Andador Corredor Circuito Beco Ladeira Ul Ulica Avenida C/
"""
_COMPOUND_ENDINGS = (
    "straße|strasse|str|weg|gasse|allee|platz|ring|damm|ufer|steig|pfad|chaussee|laan|straat|gracht|plein"
    "|kade|singel|dijk|steeg|hof|pad|wal|markt|torp|gata|gatan|vej|veg|vägen|katu|tie|gade|veien|vegen"
    "|stig|alléen|allé|brücke|bruecke|gässle|vænget|torget|plads|ulica|utca"
)
_HYPHENATED_ENDINGS = (
    "straße|strasse|str|weg|gasse|allee|platz|damm|ufer|chaussee|laan|straat|gracht|plein|kade|singel|dijk"
    "|steeg|markt"
)
_UNIT = r"(?:apt|apartment|suite|ste|unit|flat|wohnung|whg|appartement|appt|bte|interior|depto|dpto|apto)"
_TAIL_UNIT = rf"(?:{_UNIT[3:-1]}|floor|fl|room|rm|bldg|building|etage|piso|andar|piano|int)"
# a street's words end before a unit and its number, which the tail takes in ("12 rue de la paix appartement
# 34" was "[ADDRESS]34": the words took "appartement " and left the number glued to the placeholder)
_NOT_A_UNIT = rf"(?!(?i:{_TAIL_UNIT})\.?[ ]?#?[0-9])"


def _alternation(words: str) -> str:
    return "|".join(sorted({re.escape(w) for w in words.split()}, key=len, reverse=True))


_NUMBER = (  # (a letter after a space is a house letter, "12 B", but no unit: "500 g Mehl", "3 h", "2 l")
    r"(?:[0-9]{1,6}[ ](?=[0-9]))?[0-9]{1,6}(?:(?![ ][ghlms](?![\w]))[ ]?[A-Za-z](?![\w]))?(?:[\-/][0-9]{1,4}[A-Za-z]?)?"
)
_W = r"[^\W\d_][\w'’\-.]*"
_ORDINAL = r"[0-9]{1,3}(?:st|nd|rd|th)"  # a numbered street: "5th", "34th", "2nd"
# Upper-case letters, spelled out (the same class in Python re and RE2): a capitalised word.
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽΑ-ΩА-Я"
_CAP = rf"[{_UPPER}][\w'’\-.]*"
_PARTICLE = (
    r"(?:de|da|do|das|dos|del|de la|di|della|delle|dei|degli|dello|dal|dalla|des|du|la|le|el|van|von|der)"
)
# Words before a German street type written apart that make it no street name ("auf dem Weg 5 Minuten",
# "der Ring 3", "erster Platz 1"): articles, prepositions, ordinals; and the units after a number
_NOT_BEFORE_TYPE = (
    "(?:auf|den|dem|der|die|das|des|ins|zum|zur|vom|von|mit|für|ein|eine|einen|einem|einer|nach|bei|über"
    "|unter|vor|neben|bis|seit|het|een|van|met|voor|naar|the|am|im|an|in|ist|war|sind|ihr|ihre|ihrer"
    "|mein|meine|meiner|dein|deine|unser|unsere|euer|jeder|jede|dieser|diese|welcher|welche|erster|ersten"
    "|zweiter|zweiten|dritter|dritten|vierter|fünfter|letzter|letzten|nächster|nächsten|halber|halben"
    "|ganzer|ganzen|langer|kurzer|guter|besser|anderer|anderen|kleiner|großer|neuer|alter)"
)
_GERMAN_NUMBER = (
    r"(?:(?i:nummer|nr\.?|hausnummer)[ ]?)?[0-9]{1,4}(?:[A-Za-z]|[ ][A-Z](?![\w]))?\b(?![.,][0-9])"
    r"(?![ ]*(?i:%|€|minuten|minute|min|stunden|stunde|std|uhr|tage|tagen|meter|metern|kilometer|km|m|mal"
    r"|prozent|personen|euro|sekunden|wochen|jahre|jahren|kg|g|ml|l)(?![\w]))"
)
# no unit after a house number ("am Bahnhof 2 Stunden", "2 c. flour", "r. kelly 3 songs")
_NOT_A_UNIT_AFTER = (
    r"(?![ ]*(?i:%|€|\$|minutes?|mins?|hours?|h|horas?|minutos?|minuti|ore|stunden|minuten|uhr|km|kg|g|m|cm|mm|ml"
    r"|euros?|dollars?|reais|pesos|libras?|percent|por[ ]ciento|per[ ]cento|songs?|times|veces|volte|vezes|stunden?|tagen?|wochen|jahren?|mal|personen|leute|prozent|grad|anos|años|anni|ans|years?)(?![\w]))"
)
# no range, score, time or measure after the number ("am Bodensee 18 bis 24 Grad", "im Sektor 7 gegen 4",
# "am Supermarkt 10 nach 5", "am Feldberg 30 cm Neuschnee"), nor a number glued to another ("18-24"); "Hauptstraße
# 12 und 14" and "Bahnhofstraße 5 nach links" are addresses
_MEASURE = r"(?i:uhr|grad|cm|mm|km|kg|liter|jahre|wochen|tage|minuten|stunden|prozent)(?![\w])|°|%"
_NOT_A_RANGE_AFTER = (
    r"(?![ ]*(?:[-–][ ]?[0-9]+[ ]*(?:" + _MEASURE + r")|(?i:bis|gegen|nach|vor|zu|oder|von)[ ]+[0-9]"
    r"|(?i:bis|cm|mm|liter|grad)(?![\w])|°|:[0-9]|-mal\b"
    r"|\.[ ]?(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b))"
)
# (a street's words are no verb or function word: "la av. Reforma tiene 12 carriles", "built in c. the year 1850")
_NOT_A_STREET_WORD = (
    r"(?!(?i:tiene|tienen|es|está|son|era|fue|tem|têm|é|era|com|con|has|have|had|was|is|are|the|with|ha|hat|ist"
    r"|sind|war|est|a|ont|avait|è|sono|ha|hanno|heeft|is|zijn|was|weight|height|rate|year|years|age)(?![\w]))"
)
# "Kerkstraat nummer 12", "Hauptstraße Nr. 5", "Hauptstraße Hausnummer 5"
_HOUSE_NUMBER_WORD = r"(?:nr\.?|nummer|hausnummer|huisnummer|no\.)"
# the word for "number" between a Romance street's name and its number: "Rua das Flores, nº 123", "Calle de
# Serrano, número 45", "rue Lepic, numéro 12"
_NUMERO = r"(?:n[oº°.]*|n[úu]mero|numéro)"
_PARTS = [
    # 3240 Meadow Drive, 12 main street, 17 Jones Light, 48 Rue Ibn Al Khatib; 350 5th ave, 200 w 34th st
    rf"(?i:\b{_NUMBER},?[ ](?:(?:{_W}|{_ORDINAL})[ ]){{1,4}}?(?:{_alternation(_STRONG_AFTER)})\b\.?)",
    rf"\b{_NUMBER}[ ](?:{_CAP}[ ]){{1,4}}?(?:{_alternation(_WEAK_AFTER)})\b",
    rf"(?i:\b{_NUMBER},?[ ](?:{_alternation(_STRONG_BEFORE + _WEAK_BEFORE)})[ ](?:{_NOT_A_UNIT}{_W}[ ]?){{1,5}})",
    # "i live on Maple Street, number 12": a capitalised street, its type, then the word for its number, ending
    # the clause ("Abbey Road, number 3 in the charts" is a chart)
    rf"\b{_CAP}[ ](?:{_CAP}[ ]){{0,3}}(?i:{_alternation(_STRONG_AFTER)})\.?,?[ ](?i:number|no\.|nr\.?|\#)[ ]?{_NUMBER}\b"
    r"(?=[ ]*(?:$|[,.;!?\n]))",
    # Via Pasquale Scura 127, calle mayor 5, Rua das Flores, 123
    rf"(?i:\b(?:{_alternation(_STRONG_BEFORE)})[ ](?:{_W}[ ]){{1,5}}?,?[ ]?(?:{_NUMERO}[ ]?)?{_NUMBER}\b)",
    rf"\b(?:{_alternation(_WEAK_BEFORE)})\.?[ ](?:{_PARTICLE}[ ])?{_CAP}(?:,?[ ](?:{_NOT_A_STREET_WORD}{_W}[ ]){{0,4}}?|,)[ ]?(?:{_NUMERO}[ ]?)?{_NUMBER}\b",
    # Hauptstraße 12, Goethestr. 5, Kerkstraat 12, moerasweg 61, Dózsa György út 50
    rf"\b(?:{_CAP}[ \-]){{0,2}}[^\W\d_]{{3,}}(?i:{_COMPOUND_ENDINGS})(?:\.[ ]?|,?[ ])(?i:{_HOUSE_NUMBER_WORD}[ ]?)?{_NUMBER}\b"
    rf"{_NOT_A_UNIT_AFTER}{_NOT_A_RANGE_AFTER}",
    rf"(?i:\b(?:{_W}[ ]){{1,2}}(?:út|utca|gata|gatan|vej|veg|vägen|straße|strasse|straat|laan)[ ]{_NUMBER}\b)",
    # Mariahilfer Str. 12: a capitalised name and the German type abbreviated
    rf"\b(?:{_CAP}[ \-]){{0,2}}{_CAP}[ ](?:Str|str)(?:\.[ ]?|[ ]){_NUMBER}\b{_NOT_A_UNIT_AFTER}",
    rf"\b{_NOT_A_STREET_WORD}[^\W\d_]{{3,}}[ ]str\.[ ]?{_NUMBER}\b{_NOT_A_UNIT_AFTER}",  # "mariahilfer str. 12"
    # Singel 40: Amsterdam's canal street, its type alone (not "de Singel 3 keer rond", "2 km")
    rf"\bSingel[ ](?:{_HOUSE_NUMBER_WORD}[ ]?)?{_GERMAN_NUMBER}(?![ ]keer\b)",
    # P.O. Box 123, Postfach 1234, PSC 7476, Box 0959, Unit 8103 Box 7798, FPO AA 30505
    r"(?i:\b(?:p\.?[ ]?o\.?[ ]?box|post[ ]office[ ]box|postfach|apartado(?:[ ]de[ ]correos)?|caixa[ ]postal"
    r"|casella[ ]postale|postbus|boîte[ ]postale|psc|unit)[ ]?[0-9]{1,6}(?:,?[ ]box[ ][0-9]{1,6})?)",
    r"(?i:\b(?:fpo|apo|dpo)[ ](?:aa|ae|ap)[ ][0-9]{5}\b)",
    # Apt. 456, Suite 323
    rf"(?i:(?<![\w]){_UNIT}\.?[ ]?#?[0-9]{{1,5}}[A-Za-z]?\b)",
]
# 45 av. Foch, 45 bd. Saint-Germain, 12 r. de Rivoli: a French type abbreviated with its full stop after the number
# ("r." only before a particle or a word in lower case: "play the top 5 R. Kelly songs" is no street)
_ABBREVIATED_AFTER_NUMBER = "av bd bld bvd boul rte imp fbg pl chem ch all sq crs"
# (the name: a particle or two and capitalised words, "45 av. Foch", "12 bd. Saint-Germain", "3 chem. des Vignes";
# not "900 sq. ft. studio", "2 bd. apartment", "6 all. in the third set", "44 av. J.-C.", a date)
_FRENCH_NAME = rf"(?:(?i:de|du|des|d['’]|la|le|l['’])[ ]?){{0,2}}(?!J\.-C)[{_UPPER}][\w'’\-.]*(?:[ \-][{_UPPER}][\w'’\-.]*){{0,3}}"
_FRENCH_ABBREVIATED_RE = re.compile(
    rf"\b{_NUMBER}(?:[ ](?i:bis|ter|quater))?,?[ ](?:(?:(?i:{_alternation(_ABBREVIATED_AFTER_NUMBER)})\.|(?i:bvd)\.?|(?i:crs|pl))[ ]{_FRENCH_NAME}"
    rf"|(?i:r)\.[ ](?:(?:(?i:de|du|des|d['’]|la|le)[ ]?){{1,2}}{_FRENCH_NAME}|[a-zà-ÿ][\w'’\-]*(?:[ ][a-zà-ÿ][\w'’\-]*){{0,3}}))"
)
# number, capitalised words, number (last: ``_NUMBER_NAME_NUMBER``): "5298 Hauptmarkt 130", "71298 R Padre António Vieira 9"
_LINK = r"(?:de|da|do|dos|das|del|de la|di|della|van|von|der|ul\.|rkp\.)"
_PARTS.append(rf"\b[0-9]{{1,6}}[ ]{_CAP}(?:[ ](?:{_LINK}[ ])?{_CAP}){{0,3}}[ ][0-9]{{1,5}}[A-Za-z]?\b")
_ADDRESS_RE = re.compile("|".join(_PARTS))
_NUMBER_NAME_NUMBER = re.compile(_PARTS[-1])
# ... but a product's model and its size are no address ("iPhone 15 Pro Max 256 GB", "the Boeing 737 MAX 8",
# "PlayStation 5 Slim 1 TB", "Windows 11 Pro 64 bit"; sixth pass): the words between the numbers are a
# model's (or hold a digit: "MacBook Air 13 M3 16 GB"), or a unit or a count follows the last number
_MODELS = "pro max ultra plus mini slim air lite neo edge note fold flip series se xl xr fe gt rs ti super"
_MODEL_WORDS = frozenset(_MODELS.split())
_UNIT_AFTER = re.compile(
    r"[ ]?(?:gb|tb|mb|go|to|kb|gib|tib|bit|bits|inch|inches|zoll|pouces|pulgadas|pollici|mm|cm|kg|g|mah|hz|ghz|mhz"
    r"|fps|hp|ps|cv|kw|w|v|mph|kmh|km/h|door|doors|türen|portes|puertas|porte|years|year|jahre|ans|años|anni"
    r"|jaar|anos|engines|seats|cylinders|speed|core|cores)(?![\w])",
    re.IGNORECASE,
)


def _a_model_and_size(text: str, match: re.Match) -> bool:
    """A number, capitalised words, a number (``_NUMBER_NAME_NUMBER``) that names a product and its size."""
    if not _NUMBER_NAME_NUMBER.fullmatch(match.group()):
        return False
    words = match.group().split(" ")[1:-1]
    if all(word.lower() in _MODEL_WORDS or any(c.isdigit() for c in word) for word in words):
        return True
    return _UNIT_AFTER.match(text, match.end()) is not None


# 12 bis rue Lepic, 3 ter avenue de la République: a French house number's "bis", "ter", "quater" ("3 ter
# avenue" alone is a number, a word and a street type to ``_PARTS``, which would end the address there).
# Read on its own, in texts that hold one of the words (first in the alternation, it cost 4 % of the stage)
_BIS_RE = re.compile(
    rf"(?i:\b{_NUMBER}[ ](?:bis|ter|quater),?[ ](?:{_alternation(_STRONG_BEFORE + _WEAK_BEFORE)})[ ](?:{_NOT_A_UNIT}{_W}[ ]?){{1,5}})"
)
_BIS_HINT = re.compile(r"(?i)[0-9][ ](?:bis|ter|quater)[ ,]")
# A hyphenated street name: Karl-Marx-Allee 5, goethe-straße 12, Van-Gogh-Straat 3 (the endings that
# are no word's: not "touch-pad 2", "key-ring 3"); read on its own, in texts with a hyphen (in the
# alternation above it was tried at every word of every text)
_HYPHENATED_RE = re.compile(
    rf"(?i:\b(?:[^\W\d_]{{2,}}-){{1,3}}(?:{_HYPHENATED_ENDINGS})\.?,?[ ](?:{_HOUSE_NUMBER_WORD}[ ]?)?{_NUMBER}\b)"
    # ... or after its number: "12 Goethe-Straße", "5 Karl-Marx-Allee"
    r"|(?i:\b[0-9]{1,4}[A-Za-z]?[ ](?:[^\W\d_]{2,}-){1,3}(?:straße|strasse|straat|gasse|allee)(?![\w\-]))"
)
# 12 Goethestraße, 7 Lindengasse: a German or Dutch compound street after its number, read on its own
# (in ``_ADDRESS_RE``'s alternation it took "5336 Duizendmonnikenstraat" from "… 189 Suite 024", which
# another part reads whole: spans found apart are merged)
_NUMBER_FIRST_RE = re.compile(
    r"(?i:\b[0-9]{1,4}[A-Za-z]?[ ][^\W\d_]{3,}(?:straße|strasse|straat|gasse|allee|gracht)(?![\w\-]))"
)
_NUMBER_FIRST_HINTS = ("straße", "strasse", "straat", "gasse", "allee", "gracht")
# Frankfurter Allee 5, in der frankfurter allee 12, am Neuen Weg 12, Alten Gasse 5, Langen Damm 3: a
# word and a German street type written apart (an adjective before "weg" and "markt", which are words
# too), no article, preposition or ordinal before it, no unit after the number (as the gate's detector
# reads them); Kieler Ring 5, Berliner Platz 5, Berliner Chaussee 5: a capitalised place adjective
# Read on its own, in texts where a type stands apart before a digit (in the alternation above
# the look-ahead at every word of every text cost 5 % of redaction).
_APART_RE = re.compile(
    "|".join(
        [
            rf"(?i:\b(?!{_NOT_BEFORE_TYPE}[ ])[^\W\d_]{{3,}}[ ](?:allee|gasse|damm|ufer)[ ]{_GERMAN_NUMBER})",
            rf"(?i:\b(?!{_NOT_BEFORE_TYPE}[ ])[^\W\d_]{{2,}}(?:en|er|es|e)[ ](?:weg|markt)[ ]{_GERMAN_NUMBER})",
            rf"\b(?!(?i:{_NOT_BEFORE_TYPE})[ ])[{_UPPER}][^\W\d_]+er[ ](?:Ring|Platz|Chaussee|Steig|Pfad)[ ]{_GERMAN_NUMBER}",
        ]
    )
)
_APART_HINT = re.compile(r"(?i)[ ](?:allee|gasse|damm|ufer|weg|markt|ring|platz|chaussee|steig|pfad)[ ]")
_NOT_LAAN_NAME = (
    "mijn|jouw|je|zijn|haar|onze|ons|jullie|hun|het|een|de|is|ligt|heeft|was|en|met|naar|op|in|bij|voor"
)
# A street type abbreviated before the name, in any case: "v.le monza 12", "p.za garibaldi 3", "avda. de américa
# 12", "av. paulista 1000", "c/ serrano 45"; the one-letter ones ("c." for calle, "r." for rua) only after a
# preposition of the language ("vivo en c. mayor 5", "moro na r. das flores 123"; not "add 2 c. flour", "play r.
# kelly 3 songs"), or a capital "R." before a particle ("entrega R. das Flores, 123"). No unit after the number.
_ABBREVIATED_BEFORE = r"v\.le|p\.za|p\.zza|p\.le|p\.tta|c\.so|avda\.?|av\.|pza\.|trav\.|estr\.|rod\.|c/"
_STREET_NAME_NUMBER = (
    rf"(?:{_PARTICLE}[ ])?(?:{_NOT_A_STREET_WORD}{_W}[ ]){{0,3}}?(?:{_NOT_A_STREET_WORD}{_W}[ ]|{_NOT_A_STREET_WORD}{_W},[ ]?)"
    rf"(?:{_NUMERO}[ ]?)?{_NUMBER}\b{_NOT_A_UNIT_AFTER}"
)
_ABBREVIATED_FIRST_RE = re.compile(
    rf"(?i:(?<![\w.])(?:{_ABBREVIATED_BEFORE})[ ]?{_STREET_NAME_NUMBER})"
    rf"|(?i:\b(?:en|na|no|em|in|a|al|à|da|de|la|nella|alla|sur)[ ](?P<address>[cr]\.[ ]{_STREET_NAME_NUMBER}))"
    # a capital "R." before a Portuguese particle needs no preposition: "entrega R. das Flores, 123"
    rf"|(?<![\w.])R\.[ ](?i:(?:da|das|do|dos|de)[ ]{_STREET_NAME_NUMBER})"
)
_FRENCH_HINT = re.compile(rf"[0-9a-z],?[ ](?i:{_alternation(_ABBREVIATED_AFTER_NUMBER)}|r)\.?[ ]")
_ABBREVIATED_HINT = re.compile(
    r"(?i)(?:^|[^\w.])(?:v\.le|p\.za|p\.zza|p\.le|p\.tta|c\.so|avda|(?:av|pza|trav|estr|rod|c|r)[./])"
)
# A German street named by a preposition and a noun, with no type: "Am Markt 3", "In den Wiesen 5", "am Kirchberg
# 14b", "Auf der Höhe 7". The noun (or a compound's last part) is one streets are named after, capitalised; no unit
# and no capitalised word (a counted noun: "am Bahnhof 2 Stunden", "im Park 3 Runden") after the number.
# ("tor" and "eck" are not among them: "im Ersten Terminator 2", "Rechteck 3"; the short "Au" and "Post" alone only)
_STREET_NOUNS = (
    "markt|platz|ring|hof|berg|graben|anger|garten|gärten|bach|feld|felde|acker|hang|damm|kamp|rain|weiher"
    "|brunnen|holz|busch|stein|wald|hafen|kai|linden|wiese|wiesen|weide|weiden|mühle|kirche|see|teich"
    "|steig|pfad|weg|gasse|allee|ufer|höhe|heide|grund|hain|kreuz|born|brink|stieg|tal|bruch|moor|winkel"
    "|zoll|deich|koppel|wall|burg|sand|esch|driesch|mauer|sportplatz|friedhof|bahnhof|lehen|rott"
    "|rathaus|schloss|schule|kloster|park"
)
# an adjective streets are named with ("An der Alten Mühle 5", "Zur Alten Post 3"; not "im Englischen Garten 5")
_STREET_ADJECTIVES = (
    "Alten|Alte|Neuen|Neue|Großen|Grossen|Kleinen|Langen|Hohen|Oberen|Unteren|Grünen|Roten|Weißen|Weissen"
    "|Schwarzen|Breiten|Kurzen|Stillen|Schönen|Hellen|Krummen|Steinernen"
)
_PREPOSITION_STREET_RE = re.compile(
    r"(?<![0-9][ ])\b(?:[Aa]m|[Ii]m|[Aa]n[ ]de[rn]|[Ii]n[ ]de[rmn]|[Aa]uf[ ]de[rmn]|[Zz]um|[Zz]ur|[Uu]nter[ ]de[rmn]"
    r"|[Hh]inter[ ]de[rmn]|[Vv]or[ ]de[rmn]|[Bb]eim)"
    rf"[ ](?:(?P<adjective>{_STREET_ADJECTIVES})[ ])?(?P<noun>(?!Bahnsteig\b)(?=[{_UPPER}])[^\W\d_]*(?i:{_STREET_NOUNS})|Au|Post)[ ]"
    rf"{_GERMAN_NUMBER}(?:[ ]?[-–][ ]?[0-9]{{1,4}}[A-Za-z]?\b)?{_NOT_A_RANGE_AFTER}"
    rf"(?![ ]+(?!(?:Erdgeschoss|Obergeschoss|Dachgeschoss|Untergeschoss|Hinterhaus|Vorderhaus|Stock|Etage|Wohnung)\b)[{_UPPER}])"
)
# ... whose noun is a compound of a street type ("im Goethepfad 5", "am Marktplatz 2"): the street is the noun and
# its number, the preposition no part of it (a type after an adjective, "in der Frankfurter Allee 5", is read
# by ``_APART_RE``)
_TYPED_COMPOUND = re.compile(rf"(?i:.+(?:{_COMPOUND_ENDINGS}))")


def _preposition_street(match: re.Match) -> tuple[int, int]:
    """The span of a street ``_PREPOSITION_STREET_RE`` found: from the noun when it is a compound of a street type,
    from the adjective when one names a street type ("am Neuen Weg 12": the street is "Neuer Weg"), else from
    the preposition ("Am Markt 3", "In den Wiesen 5")."""
    noun = match.group("noun")
    if match.group("adjective") and _TYPED_COMPOUND.fullmatch(f"_{noun}"):
        return match.start("adjective"), match.end()
    return (match.start("noun") if _TYPED_COMPOUND.fullmatch(noun) else match.start(), match.end())


_PREPOSITION_STREET_HINT = re.compile(rf"(?i)(?:{_STREET_NOUNS}|\bau|\bpost)[ ][0-9]")
# Forms in lower case, read on their own (a match of theirs must not hide one of ``_PARTS`` that
# starts inside it and runs on: "Vicolo Daniele, 953 Appartamento 38")
_LOWER_PARTS = [
    # 27 oak way, 14 willow close: a lower-case type that is also a word, ending a clause, after
    # words of which the last is no plural ("we are 2 stops close")
    rf"\b{_NUMBER}[ ](?!(?i:{_TRAINING_RUNS})[ ](?i:run|loop)\b)(?:(?!(?i:{_NOT_STREET_WORDS})[ ])[^\W\d_][\w'’\-]+[ ]){{0,1}}"
    rf"(?!(?i:{_NOT_STREET_WORDS})[ ])[^\W\d_][\w'’\-]*[^\W\d_sS][ ](?i:{_alternation(_WEAK_AFTER_LOWER)})"
    r"(?=[ ]*(?:$|[,.;!?\n]|[ ](?:please|in|and|near|then|thanks)\b))",
    # rua das flores, 123: a comma after the street's last word
    rf"(?i:\b(?:{_alternation(_STRONG_BEFORE)})[ ](?:{_W}[ ]){{0,4}}?[^\W\d_]+,[ ]?(?:{_NUMERO}[ ]?)?{_NUMBER}\b)",
    # plaza de españa 5: a type that is also a word, in lower case before a particle
    rf"(?i:\bplaza[ ](?:de[ ]la|del|de)[ ](?:{_W}[ ]){{1,3}}?,?[ ]?(?:{_NUMERO}[ ]?)?{_NUMBER}\b)",
    # alten markt 5, am alten markt 5: an adjective and "markt" (not "am markt um 5")
    rf"(?i:\b[^\W\d_]{{2,}}(?:en|er|es|e)[ ]markt[ ]{_NUMBER}\b)",
    # laan van meerdervoort 10, laan van de helden 3: a Dutch avenue named after a place or a thing, one
    # or two words that are no possessive, article or verb (not "de laan van mijn ouders heeft 20 bomen")
    rf"(?i:\blaan[ ]van[ ](?:(?:de|der|den|het)[ ])?(?:(?!(?:{_NOT_LAAN_NAME})[ ])[^\W\d_][\w'’\-]*[ ]){{1,2}}{_NUMBER}\b)",
]
_LOWER_RE = re.compile("|".join(_LOWER_PARTS))
# ... and, after a request that announces an address ("i live at", "navigate to"), a number, a word or two
# and a lower-case street type that is an ordinary word ("park", "square", "walk", "place" …) ending a
# clause: "i live at 12 maple park", "navigate to 40 elm square" (without the cue, "3 botanical gardens", "a
# 5 minute walk" are none); the words none of ``_NOT_STREET_WORDS``. The gate's detector reads the same.
_CUED_LOWER_CUE = (
    r"(?:i[ ]live[ ]at|we[ ]live[ ]at|lives[ ]at|living[ ]at|my[ ]address[ ]is|address[ ]is|send[ ]it[ ]to"
    r"|deliver[ ]it[ ]to|deliver[ ]to|ship[ ]it[ ]to|navigate[ ]to|directions[ ]to|take[ ]me[ ]to"
    r"|drive[ ]me[ ]to|drive[ ]to|pick[ ]me[ ]up[ ]at)"
)
_CUED_LOWER_TYPES = "park square walk place gardens garden green row hill heights view point crossing"
_CUED_LOWER_RE = re.compile(
    rf"(?i:\b{_CUED_LOWER_CUE}[ ]+)(?P<address>[0-9]{{1,5}}[ ](?:(?!(?i:{_NOT_STREET_WORDS})[ ])[^\W\d_]{{3,}}[ ]){{1,2}}"
    rf"(?i:{_alternation(_CUED_LOWER_TYPES)}))(?=[ ]*(?:$|[,.;!?\n]))"
)
# ... and a house number said in English words after such a request, a word to three and a street type (sixth
# pass: "i live at one two three main street", "i live on twenty two elm street", "deliver to fourteen oak
# avenue"; both sides read written house numbers only). The gate's detector reads the same.
_SPOKEN_HOUSE_NUMBER = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_SPOKEN_HOUSE_RE = re.compile(
    rf"(?i:\b(?:{_CUED_LOWER_CUE}|i[ ]live[ ]on|we[ ]live[ ]on|lives[ ]on|address[ ]is)[ ]+)"
    rf"(?P<address>(?i:{_SPOKEN_HOUSE_NUMBER})(?:[ \-](?i:{_SPOKEN_HOUSE_NUMBER}|and)){{0,5}}[ ]"
    rf"(?:(?!(?i:{_NOT_STREET_WORDS}|{_SPOKEN_HOUSE_NUMBER})[ ])[^\W\d_]{{2,}}[ ]){{1,3}}"
    rf"(?i:{_alternation(_STRONG_AFTER)})\b\.?)"
)
# a word each of ``_LOWER_PARTS`` holds (in lower case): most rows read hold none
_LOWER_HINTS = (*_WEAK_AFTER_LOWER.split(), ",", "plaza", "markt", "laan van")
_SPOKEN_HOUSE_HINTS = (
    "live",
    "address is",
    "deliver",
    "send it",
    "ship it",
    "navigate",
    "directions",
    "take me",
    "drive",
    "pick me",
)
# After words that announce an address, a capitalised word or a few and a house number:
# "lives on Turjaška 46", "the address is Trg revolucije 17", "return to Ånhult 81".
_ADDRESS_CUE = (
    r"(?:address(?:[ ]is)?|adresse(?:[ ]ist)?|dirección|direccion|indirizzo|adres|endereço|endereco"
    r"|portami[ ](?:in|a)|llévame[ ]a|llevame[ ]a|me[ ]leva[ ](?:para|a)|emmène-moi[ ](?:au|à|a)"
    r"|navigiere[ ]zu|navigeer[ ]naar|bring[ ]mich[ ]zu|fahre?[ ](?:mich[ ])?(?:zu|nach)"
    r"|lives?[ ](?:at|on|in)|living[ ](?:at|on)|located[ ](?:at|on)|meet[ ](?:me|you)[ ]at|sent[ ]to"
    r"|send[ ](?:it[ ])?to|deliver(?:[ ]it)?[ ]to|navigate[ ]to|directions[ ]to|drive[ ](?:me[ ])?to"
    r"|take[ ]me[ ]to|corner[ ]of|moved[ ]to|is[ ](?:at|on)|drops[ ]you[ ]off[ ]at|return[ ]to"
    r"|wohne?[ ]in|wohnt[ ]in|habite(?:[ ]au)?|vivo[ ]en|vive[ ]en|abito[ ]in|woon[ ]in|moro[ ]na|moro[ ]em)"
)
_VERB = r"(?:[ ](?:is|ist|est|es|é|è|e|era|was))?"
# Capitalised words after such a cue that name no street but a day, a month or a numbered thing of an
# answer: "Christmas is on December 25", "the party is on Friday 13", "your train is on Platform 9", "the
# show is on Channel 5" (fifth pass: these were "[ADDRESS]")
_NOT_CUED_STREET_WORDS = """
    january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday januar februar
    märz juni juli oktober dezember montag dienstag mittwoch donnerstag freitag samstag sonntag janvier
    février mars avril mai juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi
    vendredi samedi dimanche enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
    noviembre diciembre lunes martes miércoles jueves viernes sábado domingo gennaio febbraio aprile maggio
    giugno luglio settembre ottobre dicembre lunedì martedì mercoledì giovedì venerdì sabato domenica
    januari februari maart mei augustus maandag dinsdag woensdag donderdag vrijdag zaterdag zondag janeiro
    fevereiro março maio junho julho setembro outubro novembro dezembro segunda terça quarta quinta sexta
    channel gate room track chapter platform terminal season episode level page floor noon midnight windows
    version part act step stage day week round line flight seat table door aisle section hole volume verse
    exit pier dock berth slot phase game match question lesson tab slide figure item number
    """
_NOT_CUED_STREET = frozenset(_NOT_CUED_STREET_WORDS.split())


def _names_no_street(address: str) -> bool:
    """The capitalised words of a cued address start with a day, a month or a numbered thing, or are one
    acronym ("is on ESPN 2")."""
    words = address.split()
    first = words[1] if words[0].isdigit() and len(words) > 2 else words[0]
    first = first.rstrip(".,")
    if first.lower() in _NOT_CUED_STREET:
        return True
    return len(words) == 2 and len(first) > 1 and first.isalpha() and first.isupper()


_CUED_RE = re.compile(
    rf"(?i:\b{_ADDRESS_CUE}{_VERB}):?[ ]+"
    rf"(?P<address>(?:[0-9]{{1,6}}[ ])?{_CAP}(?:[ ]{_W}){{0,3}}?,?[ ][0-9]{{1,5}}[A-Za-z]?\b)"
)
# The second street of "the corner of X and Y Street"
_CORNER_RE = re.compile(
    rf"(?i:corner[ ]of)[^\n]{{1,60}}?[ ]and[ ](?P<address>(?:{_CAP}[ ]){{1,3}}(?:{_alternation(_WEAK_AFTER + _STRONG_AFTER)})\b)",
)
# A country and a postcode ending a line of an address block: "Canada 94211"
_COUNTRIES = """
Australia Austria Belgium Brazil Canada Croatia Cyprus Denmark Estonia Finland France Germany Greece
Greenland Hungary Iceland India Ireland Italy Japan Latvia Lithuania Luxembourg Mexico Netherlands
Norway Poland Portugal Romania Slovakia Slovenia Spain Sweden Switzerland Tunisia Uruguay Kingdom
States Republic Zealand Africa Argentina Chile Colombia Peru Turkey Morocco Egypt Israel China Korea
"""
_COUNTRY_POSTCODE_RE = re.compile(
    rf"\b(?:{_alternation(_COUNTRIES)})(?:[ ]\([^()\n]{{1,20}}\))?[ ]+[0-9]{{4,6}}\b"
)

# A British postcode in lower case, as speech recognition writes it ("sw1a 2aa", "ls1 4ap"): the inward code's
# letters are none of C, I, K, M, O, V, and no ordinal ("b2 3rd floor")
_LOWER_UK_POSTCODE = (
    r"[a-z]{1,2}[0-9][a-z0-9]?[ ]?[0-9](?!(?:st|nd|rd|th)(?![\w]))[abd-hjlnp-uw-z]{2}(?![\w])"
)
# The word for a postcode before it ("cep 01310-100", "CEP: 01310-100", "plz 10115", "código postal 28013")
_POSTCODE_WORD = (
    r"(?i:cep|c\.e\.p\.|plz|cap|c\.a\.p\.|cp|c\.p\.|código[ ]postal|codigo[ ]postal|code[ ]postal|postcode"
    r"|post[ ]code|postal[ ]code|postleitzahl|zip(?:[ ]code)?):?[ ]?"
)
# What may follow an address on the same address (taken in).
_TAIL = re.compile(
    r"(?:[ ]*[,\n]?[ ]*[,\n]?[ ]*(?:"
    rf"(?i:{_TAIL_UNIT})\.?[ ]?#?[0-9]{{1,5}}[A-Za-z]?"  # Suite 201
    r"|[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}"  # E70 6ZA
    rf"|{_LOWER_UK_POSTCODE}"  # sw1a 2aa
    r"|[A-Z][0-9][A-Z][ ]?[0-9][A-Z][0-9]"  # A1R 8S5
    r"|(?i:dublin)[ ][0-9]{1,2}[Ww]?(?![\w])"  # Dublin 2, Dublin 6W: a postal district (its Eircode may follow)
    r"|(?i:(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W)[ ]?[0-9AC-FHKNPRTV-Y]{4})(?![\w])"  # D02 X285, d6w y2k1: an Eircode
    r"|[0-9]{4}[ ]?[A-Z]{2}(?![\w])"  # 7170 BM
    rf"|(?:{_POSTCODE_WORD})?(?:[0-9]{{5}}-[0-9]{{3}}(?![\w])|[0-9]{{3}}-[0-9]{{4}}(?![\w])"  # 31706-690, 096-7993
    r"|[0-9]{4,5}(?:-[0-9]{4})?(?![\w]|[ .\-]?[0-9]))"  # 64445, 69074-3915 (not a phone's first group)
    r"|[A-Z]{2}(?![\w])"  # NV
    r"|\([^()\n]{1,30}\)"  # (Orange)
    rf"|{_CAP}(?:[ ](?:de|da|do|di|del|la|le|am|an|im|sur|upon|on)[ ]{_CAP})?"  # Port Petertown
    r"))+",
)

# ... and, in lower case, up to three words (a city), a US state code and a ZIP code: "350 fifth avenue new
# york ny 10118" (only with the state and the ZIP: the words alone may be the rest of the sentence)
_US_STATES = (
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc nd oh"
    " ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc"
)
# ... or a lower-case British postcode, or a postcode after its word: "22 acacia avenue leeds ls1 4ap", "rua das
# flores 123 são paulo cep 01310-100"
_LOWER_TAIL = re.compile(
    rf"(?:,?[ ]+[^\W\d_]+){{0,3}},?[ ]+(?:(?i:{_alternation(_US_STATES)}),?[ ]+[0-9]{{5}}(?:-[0-9]{{4}})?(?![\w])"
    rf"|{_LOWER_UK_POSTCODE}|{_POSTCODE_WORD}(?:[0-9]{{5}}-?[0-9]{{3}}|[0-9]{{4,5}})(?![\w]|[ .\-]?[0-9]))"
)

# A US address with no street type: a house number, capitalised words, a comma, a city, a state's code and a ZIP
# code ("3240 Meadowbrook, Springfield IL 62704")
_US_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho"
    "|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota"
    "|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina"
    "|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas"
    "|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
_CITY_WORD = rf"(?:[{_UPPER}][\w'’\-.]*|d['’][{_UPPER}][\w'’\-]*)"
_TYPELESS_US_RE = re.compile(
    rf"\b[0-9]{{1,6}}[ ](?:[{_UPPER}][\w'’\-]*[ ]){{0,3}}[{_UPPER}][\w'’\-]*"
    rf"(?:[ ]?#[0-9A-Za-z]+|,[ ]?(?i:apt|apartment|suite|ste|unit)\.?[ ]?#?[0-9A-Za-z]+)?,[ ]?"
    rf"(?:{_CITY_WORD}[ ]){{0,2}}{_CITY_WORD},?[ ]?(?:{_alternation(_US_STATES.upper())}|{_US_STATE_NAMES}),?[ ]*"
    r"[0-9]{5}(?:-[0-9]{4})?(?![\w])"
)
_TYPELESS_US_HINT = re.compile(rf"(?:[A-Z]{{2}}|{_US_STATE_NAMES}),?[ ]+[0-9]{{5}}")

# ... or, after an English street type and ending a clause, one or two lower-case words that are no English
# word nor a function word or adverb of another language (a city: "12 main street springfield", "40 oak avenue san jose"; not "12 main
# street please", "… tomorrow", "Hauptstraße 12 bitte"; "new york" keeps its words, "new" being one)
_LOWER_CITY_TAIL = re.compile(
    r",?[ ]+(?P<city>[^\W\d_A-Z]{3,}(?:[ ]+[^\W\d_A-Z]{3,})?)(?=[ ]*(?:$|[,.;!?\n]))"
)


_LAST_WORD = re.compile(r"[^\W\d_]+\.?\Z")
_ENGLISH_TYPES = (
    frozenset(_STRONG_AFTER.split())
    | frozenset(_WEAK_AFTER_LOWER.split())
    | frozenset(_CUED_LOWER_TYPES.split())
)


def _city_tail(text: str, end: int) -> int:
    """The end of a lower-case city after the address ending at ``end`` (``_LOWER_CITY_TAIL``), or ``end``."""
    from utterance_governance.clean.names import (
        _FUNCTION_WORDS,
        _NOT_A_NAME,
        _NOT_A_NAME_ADVERBS,
        english_words,
    )

    street_type = _LAST_WORD.search(text, max(0, end - 30), end)
    if street_type is None or street_type.group().lower().rstrip(".") not in _ENGLISH_TYPES:
        return end  # after an English street type only ("calle mayor 5 gracias" keeps its thanks)
    match = _LOWER_CITY_TAIL.match(text, end)
    if match is None:
        return end
    for word in match.group("city").split():
        if (
            word in english_words()
            or word in _FUNCTION_WORDS
            or word in _NOT_A_NAME
            or word in _NOT_A_NAME_ADVERBS
        ):
            return end  # "… please", "Hauptstraße 12 bitte", "calle mayor 5 por favor"
    return match.end()


# The rows worth reading, among those with a digit or "corner" (the gate redaction reads this
# pattern behind): the patterns above, each cut to the words it cannot do without (a street
# type, an address cue, a country ...) so that RE2 reads them fast (counted repetitions such as
# "any 60 characters, then a digit" make RE2's automaton large and slow to build).
ADDRESS_CANDIDATES = (
    r"(?i:[ ](?:" + _alternation(_STRONG_AFTER) + r")\b)"
    r"|[ ](?:" + _alternation(_WEAK_AFTER) + r")\b"
    r"|(?i:[ ](?:" + _alternation(_WEAK_AFTER_LOWER) + r")(?:$|[ ,.;!?\n]))"
    r"|(?i:\bplaza[ ]de)|(?i:\blaan[ ]van[ ])"
    r"|(?i:\b(?:" + _alternation(_STRONG_BEFORE) + r")[ ])"
    r"|\b(?:" + _alternation(_WEAK_BEFORE) + r")\.?[ ]"
    r"|(?i:(?:" + _COMPOUND_ENDINGS + r"|út|utca)(?:\.[ ]?|,?[ ])(?:" + _HOUSE_NUMBER_WORD + r"[ ]?)?[0-9])"
    r"|(?i:[0-9][ ][^ \n]{2,}(?:straße|strasse|straat|gasse|allee|gracht)\b)"  # 12 Goethe-Straße
    r"|(?i:\b(?:box|postfach|apartado|caixa|casella|postbus|boîte|psc|unit|fpo|apo|dpo)\b)"
    r"|(?i:\b" + _UNIT + r"\.?[ ]?#?[0-9])"
    # number, capitalised words, number (the Python pattern with any non-space for \w)
    rf"|[0-9]{{1,6}}[ ][{_UPPER}][^ \n]*(?:[ ](?:{_LINK}[ ])?[{_UPPER}][^ \n]*){{0,3}}[ ][0-9]"
    r"|(?i:\b" + _ADDRESS_CUE + r")"
    r"|(?i:\b(?:ship[ ]it[ ]to|pick[ ]me[ ]up[ ]at)[ ])"  # ``_CUED_LOWER_CUE``'s cues ``_ADDRESS_CUE`` lacks
    r"|(?i:corner[ ]of)"
    r"|\b(?:" + _alternation(_COUNTRIES) + r")"
    r"|[市区町村郡][\p{Han}\p{Katakana}ー]*[0-9]"  # a Japanese address (``_JAPANESE_RE``)
    # abbreviated types ("Mariahilfer Str. 12", "45 av. Foch", "v.le monza 12", "en c. mayor 5"), a German street
    # named by a preposition and a noun ("Am Markt 3"), a US state's code and a ZIP code
    r"|(?i:\bstr\.?[ ]?[0-9])"
    r"|(?i:[0-9],?[ ](?:" + _alternation(_ABBREVIATED_AFTER_NUMBER) + r"|r)\.?[ ])"
    r"|(?i:(?:^|[^\w.])(?:v\.le|p\.za|p\.zza|p\.le|p\.tta|c\.so|avda|av\.|pza\.|trav\.|estr\.|rod\.|c/|c\.|r\.))"
    r"|(?i:(?:" + _STREET_NOUNS + r"|\bau|\bpost)[ ][0-9])"
    r"|(?:[A-Z]{2}|" + _US_STATE_NAMES + r"),?[ ]+[0-9]{5}"
)


# Japanese addresses (sixth pass): a municipality or ward (…市, …区, …町, …村, …郡, a prefecture before it or
# not), the district's kanji or katakana, and a block and a lot in digits: "東京都新宿区西新宿2-8-1",
# "大阪市北区梅田3丁目1番3号", "札幌市中央区北1条西2丁目1番地"; a postcode after "〒" before it goes with it. Two
# numbers at least ("渋谷区の2丁目のカフェ", "3丁目の夕日" are no address); hiragana ends the words before them
# ("住所は東京都…": "住所は" stays), and a counter after the last number makes them a count or a time
# ("世田谷区3-5人で行く"). Numbers in kanji are not read (speech recognition writes digits here).
_JA_LETTER = "\u4e00-\u9fffヶヵ\u30a1-\u30faー"
_JA_BLOCK_JOIN = "(?:丁目|番地|番|号|条|線|-|の)"
_JAPANESE_RE = re.compile(
    rf"(?:〒[ ]?[0-9]{{3}}-?[0-9]{{4}}[ ]?)?(?:[{_JA_LETTER}]{{1,12}}?[都道府県])?[{_JA_LETTER}]{{1,12}}?[市区町村郡]"
    rf"[{_JA_LETTER}]{{0,12}}?(?:[0-9]{{1,4}}{_JA_BLOCK_JOIN}[{_JA_LETTER}]{{0,3}}?)+[0-9]{{1,4}}(?:番地|番|号)?"
    r"(?![0-9]|[人名時分秒円個本回枚歳年月日件台階位点%％])"  # a count, a time, a score: "世田谷区3-5人で"
)
_JAPANESE_HINT = re.compile(r"[市区町村郡][^ ]*?[0-9][^ ]*?(?:丁目|番|号|条|線|-|の)[^ ]*?[0-9]")


# The rows without a digit worth reading (RE2): "the corner of …", a number word before a street type ("… one two
# three main street", ``_SPOKEN_HOUSE_RE``; any street type after a word let 2 % of the rows without a digit in)
ADDRESS_WITHOUT_DIGITS = (
    rf"(?i:corner|\b(?:{_SPOKEN_HOUSE_NUMBER})\b.*[ ](?:{_alternation(_STRONG_AFTER)})\b)"
)


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ ]+\Z")


def _counted_by_a_verb(text: str, match: re.Match) -> bool:
    """A lower-case address of ``_LOWER_RE`` after "did", "ran" ...: a count ("we did 3 hill run")."""
    if not text[match.start()].isdigit():
        return False
    before = _WORD_BEFORE.search(text, max(0, match.start() - 20), match.start())
    return before is not None and before.group(1).lower() in _NOT_BEFORE_LOWER_NUMBER


# A preposition between a number and a street type: a count of things near a street, no house number ("I found 3
# restaurants near Main Street", "5 coffee shops on Elm Street", "2 blocks from Oak Avenue"; fifth pass)
_COUNTED_NEAR_STREET = re.compile(
    r"[0-9][^ ]*,?[ ](?:[^ ]+[ ])*?(?:near|on|in|at|by|off|along|around|behind|from|to|into|onto|across|past"
    r"|toward|towards|outside|inside|within|between|beside|opposite)[ ]"
)


def _counted_near_a_street(match: re.Match) -> bool:
    return match.group()[:1].isdigit() and _COUNTED_NEAR_STREET.match(match.group()) is not None


def address_spans(text: str) -> list[tuple[int, int]]:
    found = [
        (m.start(), m.end())
        for m in _ADDRESS_RE.finditer(text)
        if not _counted_near_a_street(m) and not _a_model_and_size(text, m)
    ]
    if _BIS_HINT.search(text):
        found += [m.span() for m in _BIS_RE.finditer(text)]
    if "-" in text:
        found += [m.span() for m in _HYPHENATED_RE.finditer(text)]
    if _APART_HINT.search(text):
        found += [m.span() for m in _APART_RE.finditer(text)]
    if _FRENCH_HINT.search(text):
        found += [m.span() for m in _FRENCH_ABBREVIATED_RE.finditer(text)]
    if _ABBREVIATED_HINT.search(text):
        found += [
            m.span("address") if m.group("address") else m.span()
            for m in _ABBREVIATED_FIRST_RE.finditer(text)
        ]
    if _PREPOSITION_STREET_HINT.search(text):
        found += [_preposition_street(m) for m in _PREPOSITION_STREET_RE.finditer(text)]
    if _TYPELESS_US_HINT.search(text):
        found += [m.span() for m in _TYPELESS_US_RE.finditer(text)]
    lower = text.lower()
    if any(hint in lower for hint in _NUMBER_FIRST_HINTS):
        found += [m.span() for m in _NUMBER_FIRST_RE.finditer(text)]
    if any(hint in lower for hint in _LOWER_HINTS):
        found += [(m.start(), m.end()) for m in _LOWER_RE.finditer(text) if not _counted_by_a_verb(text, m)]
    found += [m.span("address") for m in _CUED_RE.finditer(text) if not _names_no_street(m.group("address"))]
    if any(hint in lower for hint in _CUED_LOWER_TYPES.split()):
        found += [m.span("address") for m in _CUED_LOWER_RE.finditer(text)]
    found += [m.span("address") for m in _CORNER_RE.finditer(text)]
    if any(hint in lower for hint in _SPOKEN_HOUSE_HINTS):
        found += [m.span("address") for m in _SPOKEN_HOUSE_RE.finditer(text)]
    found += [m.span() for m in _COUNTRY_POSTCODE_RE.finditer(text)]
    if not text.isascii() and _JAPANESE_HINT.search(text):
        found += [m.span() for m in _JAPANESE_RE.finditer(text)]
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spans: list[tuple[int, int]] = []
    for start, end in merged:
        if spans and start < spans[-1][1]:  # a tail reached the next address
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            continue
        tail = None if text[end - 1] == "." else _TAIL.match(text, end)  # "St." may end a sentence
        end = tail.end() if tail else end
        lower_tail = _LOWER_TAIL.match(text, end)
        spans.append((start, lower_tail.end() if lower_tail else _city_tail(text, end)))
    return spans


def redact_addresses(text: str) -> str:
    """``text`` with each street address, PO box or unit replaced by ``[ADDRESS]``."""
    return replace_spans(text, address_spans(text), "[ADDRESS]")
