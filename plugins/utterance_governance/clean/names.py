"""Person names, without a neural model: voice-assistant contexts and a name gazetteer (SPEC §5).

A name is replaced by ``[NAME]`` where one of these holds (any allowed language):

1. **A request about a person.** After "call", "text", "message", "email", "tell", "ask",
   "invite", "remind", "send … to", "my name is", "this is", "I'm", "with", "from" (and
   "ruf … an", "appelle", "llama a", "chiama", "bel", "liga para", "mein Name ist",
   "je m'appelle", "me llamo", "mi chiamo", "mijn naam is", "meu nome é" …), optionally past
   a title or kinship word ("Dr.", "Aunt", "Frau", "Tía"), the next words are a name when
   they are capitalised or in the gazetteer — never a kinship word, a pronoun or an article:
   "call mom", "call the office", "tell her" stay. After the weak cues ("with", "from"…) a
   lower-case word must be an unambiguous gazetteer name ("lunch with sam", not "with will").
   After a meeting ("set up a meeting with", "lunch with", "Termin mit") or a sending ("send
   ten dollars to") a given name of the gazetteer that is no common word starts a name in any
   case, and a capitalised name after a request goes on over lower-case gazetteer surnames that
   are no English or function word ("ruf Anna müller an", "bel Jan de vries"; not "schreib
   Heiko dass …"). Hyphenated given names count as given names ("anne-marie", "Jean-Luc"). After a
   title a surname's particle and the title-cased word after it are the surname ("Herrn von
   Weizsäcker", "M. de La Fontaine"; not an office: "Monsieur le Président"). After "call back", "reply to",
   "rappelle", "erinnere", "schick", "di a", "fala pra", "manda un whatsapp a" … (and before "anrufen") a given
   name of the gazetteer that is no common word, in any case; a possessive ("ma", "mi", "mia") is none.
2. **A capitalised given name** from the gazetteer (``clean/data/given_names.txt``: US Census
   1990 plus the other allowed countries' common names), with the capitalised words, initials
   and particles ("van", "de", "von") beside it: "Helena C Carlsen", "Jean-Luc van Dijk".
   A given name that is also an ordinary word ("Will", "May", "Rose", "Paris") needs a second
   name word beside it ("Will Smith").
3. **A capitalised pair of unknown words whose second looks like a surname** (a gazetteer
   surname, or a surname ending: -son, -sen, -dóttir, -ová, -ski, -vić, -enko, -ez …).
4. **A possessive** of a capitalised word or gazetteer name before a personal noun:
   "Anna's birthday", "Paul Murphy's number".
5. Japanese: kanji or katakana before an honorific (さん, 様, くん, ちゃん), kinship terms aside.

Not redacted, by decision: a name right after a media request ("play Frank Sinatra", "songs
by Taylor Swift", "joue du Édith Piaf": artists are what the model must learn to play);
lower-case words outside a request context ("frank sinatra" alone: ASR lower-cases
everything, and "will", "mark", "rose" are words); place names that are also given names
("weather in Paris"). ``NAME_CANDIDATES`` (RE2) picks the rows worth reading.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pyarrow as pa

from utterance_governance.clean.patterns import replace_spans

_DATA = Path(__file__).resolve().parent / "data"
_SPACES = re.compile(r"[ ]+")
# An amount in digits between a verb of sending and what is sent or "to" ("send 20 dollars to", "send $20 to")
_AMOUNT_GAP = re.compile(r"[ ]+[$€£]?[0-9][0-9,.]*[$€£]?[ ]+")
_AFTER_CUE = re.compile(r"\.?:?[ ]+")
_AFTER_TITLE = re.compile(r"\.?[ ]+")


def _bounded(toks, k: int) -> bool:
    """Word ``k`` starts at a word boundary (no letter, digit or _ before it)."""
    start = toks.spans[k][0]
    return start == 0 or not (toks.text[start - 1].isalnum() or toks.text[start - 1] == "_")


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")


@functools.cache
def gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(given names, surnames, names that are also ordinary English words), lower case."""
    given: set[str] = set()
    surnames: set[str] = set()
    words: set[str] = set()
    for filename, target in (("given_names.txt", given), ("surnames.txt", surnames)):
        for line in (_DATA / filename).read_text(encoding="utf-8").splitlines():
            name, _, flag = line.partition("\t")
            target.add(name)
            if flag:
                words.add(name)
    return frozenset(given), frozenset(surnames), frozenset(words)


@functools.cache
def english_words() -> frozenset[str]:
    """Lower-case English words (Debian ``wamerican``): capitalised, they are rarely names."""
    return frozenset((_DATA / "english_words.txt").read_text(encoding="utf-8").split())


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# "call X", "ruf X an", "appelle X", "llama a X" ...: X is a name when it is capitalised or in
# the gazetteer.
_STRONG_CUES = _set("""
call calling ring phone dial text texting message messaging msg email emailing e-mail mail tell ask
invite remind contact named called ruf rufe anrufen schreib schreibe sag frag appelle appeler appelez
écris ecris llama llamar llame llamando escribe escríbele dile chiama chiamare scrivi telefona bel bellen
stuur liga ligue ligar manda mande whatsapp facetime skype
""")
_PHRASE_CUES = (
    "send it to", "send this to", "send a message to", "send a text to", "message to", "email to",
    "nachricht an", "message à", "dis à", "écris à", "mensaje a", "llama a", "dile a", "escribe a",
    "messaggio a", "scrivi a", "bericht naar", "bericht aan", "mensagem para", "liga para", "ligue para",
    "manda para", "diga a", "fala com", "telefona a", "liga pra", "ligue pra", "liga pro", "ligue pro",
    "manda pra", "manda pro", "liga para o", "liga para a", "ligue para o", "ligue para a", "manda para o",
    "manda para a", "mensagem para o", "mensagem para a", "fala com o", "fala com a",
    # (read by the gate's detector as a call: "téléphone à Jean Dupont", "pode ligar para Luíza Oliveira")
    "téléphone à", "telephone à", "téléphoner à", "ligar para", "ligar pra", "ligar pro", "telefona para",
    "telefone para", "telefonar para", "telefona pra",
)  # fmt: skip
# ... and those the review of 2026-12-05 found: "call up John Smith", "ruf bitte Günther Schröder an",
# "envoie un texto à …", "marca a …", "fai una chiamata a …". Read by ``NAME_CANDIDATES_APART``, followed
# by any letter: in ``NAME_CANDIDATES``' alternation, before its word trie or beside it, they made RE2's
# automaton outgrow its cache (its pass over 392k texts took 11.4 s instead of 0.08 s).
_PHRASE_CUES_APART = (
    "call up", "ring up", "phone up", "ruf bitte", "rufe bitte", "ruf doch", "ruf doch mal", "ruf mal",
    "rufe mal", "ruf bitte mal", "envoie un texto à", "envoie un sms à", "envoie un message à",
    "envoie un texto a", "envoie un sms a", "marca a", "márcale a", "fai una chiamata a",
    "fa una chiamata a", "fate una chiamata a",
)  # fmt: skip
# ... and those the review of 2026-12-07 (evening) found keeping a lower-case given name: the other languages'
# forms of "call", "call back", "tell", "remind", "send … to", "write to" ("erinnere lena an …", "schick lena eine
# whatsapp", "recuérdale a lucía", "manda un whatsapp a lucía", "di a giulia che …", "stuur een appje naar sanne",
# "manda mensagem pra ana", "fala pra beatriz que …", "rappelle julie", "call back jessica", "reply to jessica").
# After them only a given name of the gazetteer that is no common word, in any case (its accents off: "lucía"),
# starts a name ("rappelle-moi", "call back later", "reply to the email", "schick mir das", "schick Fotos an …"
# stay). Read by ``NAME_CANDIDATES_APART``, as the cues above.
_NAMED_CUES = (
    "call back", "ring back", "reply to", "respond to", "write to", "rappelle", "rappelez", "rappeler", "erinnere",
    "erinner", "schick", "schicke", "schicken", "herinner", "recuérdale a", "recuerdale a", "recuérdale",
    "recuerdale", "recuerda a", "escríbele a", "escribele a", "ricorda a", "lembra a", "lembre a",
    "lembra o", "whatsapp a", "whatsapp à", "whatsapp an", "whatsapp naar", "whatsapp to",
    "whatsapp para", "whatsapp pra", "whatsapp pro", "sms a", "sms à", "sms an", "sms naar", "sms para", "sms pra",
    "mensaje para", "mensagem pra", "mensagem pro", "messaggio per", "appje naar", "appje aan", "appje sturen naar",
    "berichtje naar", "berichtje aan", "di a", "dì a", "dica a", "dille a", "digli a", "fala pra", "fala para",
    "fala pro", "diz pra", "diz para", "diga pra", "diga para", "avisa a", "avisa pra", "avisa para", "avisa o",
    "dis-lui", "préviens", "previens",
    # ... and those the second review of 2026-12-07 found ("di ad anna", "di' a giulia", "rappelle à julie", "écris a
    # julie" without its accent, "erinnere bitte lena", "avísale a lucía", "diz à ana", "reply back to jessica")
    "di ad", "di' a", "di’ a", "di' ad", "di’ ad", "ricorda ad", "rappelle à", "rappelle a", "rappelez à", "écris a",
    "ecris a", "ecris à", "erinnere bitte", "erinner bitte", "avísale a", "avisale a", "avísale", "avisale", "diz à",
    "diz a", "diz ao", "reply back to", "write back to",
)  # fmt: skip
# (a written imperative's apostrophe between the cue's words: "di' a giulia")
_APOSTROPHE_CUE_FIRST = _set("di")
# Pronouns of the other languages that are gazetteer names ("fala pra ela", "avisa a ella", "di a lei"): in lower
# case in a text of another language never a name after a cue (second review of 2026-12-07); "santa" after "write
# to" ("help me write to santa")
# (each in the languages where it is one: "Ella" is a given name in German, Dutch, Italian text, "ruf ella schmidt
# an", "bel ella jansen", "chiama ella rossi"; and not before a surname, "liga pra ela souza": third review of
# 2026-12-07, the detector read the full name kept and the night failed)
_PRONOUNS_OF = {
    "es": _set("ella él ellas ellos"),
    "pt": _set("ela ele elas eles"),
    "fr": _set("elle lui elles eux"),
    "it": _set("lei lui loro"),
}
_NOT_NAMED_AFTER_CUE = _set("santa")
_NAMED_CUE_SET = frozenset(_NAMED_CUES)
# ... and the infinitive request that names its person first ("lena anrufen", "sanne bellen"; "Anna anrufen" was
# read as a capitalised given name)
_CALLED_AFTER = _set("anrufen anschreiben zurückrufen zurueckrufen bellen terugbellen appen")
# "my name is X": X is a name whatever it is (but a function word).
_IDENTITY_CUES = (
    "my name is", "name is", "name's", "your name", "last name", "first name", "full name", "surname",
    "mein name ist", "ich heiße", "ich heisse", "je m'appelle", "me llamo", "mi chiamo", "mijn naam is",
    "meu nome é", "meu nome e", "mi nombre es", "me chamo", "il mio nome è", "il mio nome e", "mio nome è",
    "mon nom est", "moi c'est", "ik heet",
)  # fmt: skip
# "lunch with Sam", "this is Anna": a capitalised given name.
_GIVEN_CUES = (
    "with", "from", "mit", "von", "avec", "con", "met", "com", "i am", "i'm", "ich bin", "hier ist",
    "je suis", "soy", "sono", "ik ben", "eu sou", "sou",
)  # fmt: skip
# "set up a meeting with sarah connor", "send ten dollars to sarah connor": a given name of the
# gazetteer that is no common word, in any case ("Termin mit Zahnarzt": German capitalises every
# noun; "meeting with will" stays).
_MEETING_CUES = (
    "meeting with", "appointment with", "lunch with", "dinner with", "breakfast with", "coffee with",
    "call with", "meet with", "meet up with", "date with", "chat with", "catch up with", "playdate with",
    "termin mit", "treffen mit", "afspraak met", "reunión con", "cita con", "riunione con",
    "réunion avec", "rendez-vous avec", "reunião com",
    # payments: "pay sarah connor ten dollars", "venmo jennifer" (not "pay bills", "pay bill")
    "pay", "venmo", "zelle", "paypal",
)  # fmt: skip
# After a payment verb a given name that is also a word and a surname ("pay bill smith"): the words after
# "pay bill" that are surnames of the lists too are none (``_Names.paid_full_name``)
_PAY_CUES = _set("pay venmo zelle paypal")
_NOT_PAID = _set("""
payment payments first on from via later early late fast back due cash check cheque card credit debit
bank water gas power phone rent online now today tonight tomorrow monthly weekly yearly annually amount
total balance full minimum price fee fees charge charges account accounts automatically auto direct
instantly immediately quickly soon again twice once off over up down out in with by for through using
me him her them us it all each every this that these those my your his our their the a an and or but
service services company utility utilities electric electricity internet cable insurance mortgage loan
tax taxes bill bills invoice statement deposit money dollars cents euros pounds bucks
""")
# "send ten dollars to sarah", "transfer 50 euros to anna": a verb of sending, up to three words, "to";
# "share my location with sarah": a verb of sharing, up to three words, "with"
# ... and "talk with sarah", "read my messages from sarah", "add sarah jones to my contacts" (read as those,
# a given name in any case; in names' second RE2 pass, ``NAME_CANDIDATES_APART``: the first outgrows
# RE2's cache with every phrase more)
_TALK_CUES = (
    "talk with", "talk to", "speak with", "speak to", "messages from", "message from", "texts from",
    "text from", "emails from", "email from", "voicemails from", "voicemail from",
)  # fmt: skip
_MEETING_SET = frozenset(_MEETING_CUES) | frozenset(_TALK_CUES)
# "add X to my contacts": "add" is a cue in a row that speaks of contacts
_CONTACTS = re.compile(r"(?i)\b(?:contacts?|phonebook|phone[ ]book|address[ ]book)\b")
# "send sarah a message", "give anna smith a call", "drop jo a line": a verb, the name, "a" and what
# is sent or given (English)
_ADDRESSEE_VERBS = _set("send give shoot drop")
_ADDRESSED = _set("message text call ring note email e-mail msg line buzz shout reminder voicemail dm")
_SEND_VERBS = _set("send sending sent transfer wire pay")
_SHARE_VERBS = _set("share sharing shared")
_SENDING = _SEND_VERBS | _SHARE_VERBS
# "Hi Joar,", "said Czcibor": any capitalised word.
_CAPITAL_CUES = _set("hi hello dear said says asked told thanks hallo bonjour salut hola ciao olá oi hoi")
# A request to play something: a name up to four words after it is an artist's.
_MEDIA_CUES = _set("""
play playing plays listen listening shuffle queue spiel spiele spielt höre hör joue jouer mets pon pone
reproduce metti suona speel toca tocar
""")
_NOT_A_NAME = _set("""
the a an my your his her our their its this that these those me him them us it you i we they
mom mum mommy mummy mother dad daddy father grandma grandpa granny nana papa mama wife husband son
daughter brother sister boss office work home everyone everybody someone somebody anyone nobody back
now later today tonight tomorrow please again there here and or but for to at on in of up
oma opa mutter vater frau mann schatz büro buero arbeit zuhause maman mamie papi bureau maison mamá
papá abuela abuelo oficina casa mamma papà nonna nonno ufficio kantoor mãe pai vó vô escritório
escritorio der die das den dem le la les un une el los las il lo gli de het een o os as um uma
para pra à al an naar per voor für fur pour por aan op auf zu ao
then so also just maybe over out off down not no yes all any some both each more most very too
i'm i’m i'll i’ll i'd i’d i've i’ve
ja nein oui non si sì sim não nee ok okay
when where what who whom which why how if as by with from about into after before while again
zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
thousand dollars dollar bucks euros euro pounds cents
""")
# ... and negation and adverbs of the other languages, which follow a name statement ("mein name ist nicht
# auf der Liste", "mon nom est trop long", "mijn naam is te lang") or a call ("ruf bitte morgen an"). Apart from ``_NOT_A_NAME``: in the
# word trie of ``NAME_CANDIDATES`` they made RE2's automaton outgrow its cache (names' prefilter took
# 3.3 s instead of 0.1 s a landing file); the prefilter is a superset without them.
_NOT_A_NAME_ADVERBS = _set("""
nicht auch schon noch leider bereits wirklich eigentlich falsch richtig sehr kein keine immer wieder doch
pas plus très trop déjà aussi encore vraiment toujours ne comme muy demasiado también ya todavía aún bastante como
troppo molto già anche ancora davvero come niet ook te nog geen erg heel echt wel muito também já ainda bem meio
morgen übermorgen gleich später nachher
""")
# Words of the other languages that follow a name in a request and are gazetteer surnames ("schreib
# Heiko dass ...", "scrivi a Letizia che ..."): never taken in lower case after a capitalised name.
_FUNCTION_WORDS = _set("""
dass daß ob wenn weil und oder aber ich du er sie wir ihr bitte heute morgen jetzt gleich noch mal an dann
che chi per non ma ed se più ora oggi domani subito que qui quoi et ou mais si pour avec sans demain
aujourd'hui y pero porque hoy mañana ahora dat als om maar en of dan nu vandaag morgen e mas hoje
amanhã agora porque pra
""")
_TITLES = _set("""
mr mrs ms miss dr doctor prof professor sir madam aunt auntie uncle cousin herr frau tante onkel
monsieur madame mademoiselle mme señor señora sr sra don doña tía tío tia tio signor signora sig
dott zia zio meneer mevrouw mevr senhor senhora
""")
# ... and since the fifth pass ("Herrn Schulz", "dottor Bianchi", "de heer Jansen"): read by the second RE2
# pass (``NAME_CANDIDATES_APART``; in the first one's word class they made its automaton outgrow RE2's cache,
# 0.05 s a pass over the bench's texts became 10 s)
_MORE_TITLES = _set("""
herrn heer dottor dottore dottoressa doctora docteur doktor dokter doutor doutora maître profesor profesora
professeur professora signorina señorita senhorita juffrouw avvocato ingegnere
""")
_RE2_TITLES = _TITLES
_TITLES = _TITLES | _MORE_TITLES
_KIN_TITLES = _set("aunt auntie uncle cousin tante onkel tía tío tia tio zia zio")
# Titles of address (no kinship, not "miss", "sir", "don"): after a request and one of them, a lower-case surname
# of the lists that is an English word is a name too ("call mr smith", "call dr. brown", "text ms green";
# sixth pass: "smith", "brown", "green" are words, and only capitalised did they name someone)
_FORMAL_TITLES = _set("""
mr mrs ms dr doctor prof professor herr herrn frau monsieur madame mme señor señora sr sra signor signora dott
dottor dottore dottoressa doktor docteur doctora doutor doutora meneer mevrouw mevr heer senhor senhora
""")
# "text my wife olivia", "ruf meine schwester anna an", "llama a mi amiga lucía": a request, "my" and
# a relation, then the name (a name of the gazetteer that is no English word, or a capitalised word)
_MY = _set("""
my our mein meine meinen meinem meiner unser unsere unseren ma mon mes notre mi mis nuestra nuestro
mia mio mijn onze minha meu nossa nosso
""")
# given names of the gazetteer that start a message more often than they name its addressee
_MESSAGE_WORDS = _set("will may hope love miss merry joy grace faith sunny honey soon ok so")
# ... of those, the nouns that name someone before a verb after a relation ("text my sister grace is
# here"), and the verbs
_NAMES_BEFORE_A_VERB = _set("grace joy faith hope")
_SUBJECT_VERBS = _set("""
is was says said has had will can could would wants needs just called texted asked isn't wasn't can't won't
""")
_RELATIONS = _set("""
wife husband partner girlfriend boyfriend fiance fiancé fiancee fiancée sister brother mom mum mother
dad father son daughter friend buddy pal bestie boss manager coworker co-worker colleague neighbor
neighbour cousin aunt uncle grandma grandpa grandmother grandfather niece nephew babysitter nanny
roommate flatmate doctor dentist teacher coach trainer landlord landlady mommy mummy daddy mama papa
nana granny mamá papá mamma papà maman mamie papi schatz
frau mann freundin freund schwester bruder mutter vater sohn tochter chef chefin kollege kollegin
nachbar nachbarin cousine tante onkel oma opa
femme mari copine copain amie ami sœur soeur frère frere mère mere père pere fils fille patron patronne
collègue collegue voisin voisine oncle
esposa esposo mujer marido novia novio hermana hermano madre padre hijo hija amigo amiga jefe jefa
compañero compañera vecino vecina prima primo tía tío abuela abuelo
moglie marito fidanzata fidanzato sorella fratello figlio figlia amico amica capo collega vicina
cugina cugino zia zio nonna nonno
vrouw vriendin vriend zus zuster broer moeder vader zoon dochter baas buurman buurvrouw neef nicht oom
namorada namorado irmã irmão mãe pai filho filha chefe vizinho vizinha tia tio avó avô
""")
# ... and since the review of 2026-12-07 (evening): the kinship and relation words it lacked ("call my grandson
# ethan", "text my gf ashley", "appelle ma blonde Geneviève", "llama a mi suegra", "chiama mio cognato"), and the
# compounds of a relation (``_is_relation``: "step", "grand", "god", "ex-", "-in-law", "grand-", "belle-" …
# before or after one of these: "stepmom", "granddaughter", "ex-wife", "brother-in-law", "grand-mère")
_MORE_RELATIONS = _set("""
gf bf bff hubby wifey babe bae sis bro kid kids child grandchild grandkid grandson granddaughter godparent
fiancé fiancée ex sweetheart mate
blonde chum conjoint conjointe époux épouse epoux epouse beau-frère belle-sœur tonton tata tatie neveu nièce
petit-fils petite-fille cousin cousine parrain marraine médecin dentiste
suegra suegro cuñada cuñado nieta nieto sobrina sobrino padrino madrina abuelita abuelito mami papi tita tito
suocera suocero cognata cognato nipote padrino madrina ragazza ragazzo nonnina nonnino
schwager schwägerin schwiegermutter schwiegervater enkel enkelin nichte neffe patenonkel patentante
schoonmoeder schoonvader zwager schoonzus kleinzoon kleindochter
sogra sogro cunhada cunhado neta neto sobrinha sobrinho padrinho madrinha madrasta padrasto
""")
_RELATIONS = _RELATIONS | _MORE_RELATIONS
# Articles before "my" ("chiama la mia ragazza giulia", "liga pro o meu filho"); nouns said after "my" that are
# surnames of the lists ("chiama mia casa", "chiama mio amore": no Mia Casa; the gate's detector skips them too)
_ARTICLES_BEFORE_MY = _set("la il o a")
# "mia", "mio": given names, and "my" in Italian (Spanish "mío", "mía" after a noun); in other languages' text, or
# capitalised, or after a relation ("mi amiga Mia viene hoy"), "my" only before a relation or ``_POSSESSED_NOUNS``
# (third review of 2026-12-07)
_GIVEN_POSSESSIVES = _set("mia mio")
_GIVEN_POSSESSIVES_OF = frozenset(("it", "es"))
_POSSESSED_NOUNS = _set("casa familia família amore amor tesoro caro bello")
_APOSTROPHE_GAP = re.compile(r"['’][ ]+")
_RELATION_PREFIXES = (
    "great-", "ex-", "ex", "step-", "step", "grand-", "grand", "god", "half-", "arrière-", "beau-", "belle-",
    "petit-", "petite-", "demi-", "schwieger", "stief", "groß", "gross", "ur", "schoon", "bis",
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _is_relation(low: str) -> bool:
    """``low`` is a relation word (``_RELATIONS``) or one with a kinship prefix or "-in-law": "grandson",
    "stepmom", "ex-wife", "godmother", "brother-in-law", "great-grandmother", "grand-mère", "schwiegermutter".
    A prefixed word is one only if the rest is a whole relation word (itself perhaps prefixed) and the word is no
    surname of the gazetteer: "grossmann" ("gross" + "mann"), "bisson" ("bis" + "son"), "godson" are surnames
    (third review of 2026-12-07: "ruf Mia Großmann an" was "my husband", kept whole, and blocked the night)."""
    if low in _RELATIONS:
        return True
    if low.endswith("-in-law"):
        return low[: -len("-in-law")] in _RELATIONS
    if low in gazetteer()[1] or _without_accents(low).replace("ß", "ss") in gazetteer()[1]:
        return False
    for prefix in _RELATION_PREFIXES:
        if low.startswith(prefix) and len(low) > len(prefix) + 1 and _is_relation_part(low[len(prefix) :]):
            return True
    return False


def _is_relation_part(rest: str) -> bool:
    """The rest of a word after a kinship prefix is a relation: a relation word, or one with another prefix
    ("great-grandmother"), never a surname of the gazetteer on its own terms."""
    if rest in _RELATIONS:
        return True
    return any(
        rest.startswith(prefix) and len(rest) > len(prefix) + 1 and rest[len(prefix) :] in _RELATIONS
        for prefix in _RELATION_PREFIXES
    )


_PARTICLES = _set("van von de der den da di del della dos das du le la ter ten bin al mac mc zu")
# particles of two words ("van der", "van den", "von der", "de la"): the second is a word of the
# language on its own ("der", "la"), which ends a name after one particle
_TWO_WORD_PARTICLES = frozenset(
    [
        ("van", "de"), ("van", "der"), ("van", "den"), ("van", "het"), ("von", "der"), ("von", "dem"),
        ("de", "la"), ("de", "los"), ("de", "las"), ("de", "le"), ("de", "l"),
    ]
)  # fmt: skip
# After a title a surname may start with its particle ("ruf Herrn von Weizsäcker an", "bel meneer van Dijk",
# "appelle Madame Le Gall", "appelle M. de La Fontaine", "llama a la señora de la Fuente", "call Mr. de Vries";
# third review of 2026-12-07: the particle was taken for the whole name, or nothing was): the particle, of one
# word or two, and the title-cased word after it are the surname (``_Names.titled_particle_name``). Not German
# "der" and "den" alone, articles after a title ("Der Herr der Ringe"); not after a kinship word ("la tía de
# Juan" is Juan's aunt: the name is read on its own); French "M." is a title here. An office, a rank or a
# nobility after "le", "la", "de" names no one ("Monsieur le Président", "Madame la Ministre", "Monsieur le
# Maire").
_TITLED_PARTICLES = _PARTICLES - {"der", "den"}
_PARTICLE_TITLES = _TITLES - _KIN_TITLES
_OFFICES = _set("""
président présidente president ministre minister maire mayor directeur directrice director juge judge préfet
préfète recteur rectrice doyen doyenne commissaire député députée sénateur sénatrice chancelier chancelière
comte comtesse vicomte vicomtesse duc duchesse marquis marquise baron baronne prince princesse roi reine curé
abbé chevalier capitaine colonel général lieutenant sergent professeur docteur
voorzitter voorzitster burgemeester wethouder rechter dominee pastoor directrice rector
presidente ministro ministra alcalde alcaldesa directora juez jueza conde condesa duque duquesa marqués marquesa
rey reina príncipe princesa sindaco direttore direttrice giudice contessa duca duchessa marchese marchesa re
regina principe principessa prefeito prefeita diretor diretora juiz juíza condessa capitán capitano capitão
count countess duke duchess king queen captain colonel general sergeant
""")
_POSSESSED = _set("""
birthday bday number phone cell mobile address email e-mail house place party wedding anniversary
mom dad wife husband son daughter kids car office appointment
""")
_PLACES = _set("""
paris london berlin rome madrid lisbon vienna dublin sydney melbourne austin dallas houston denver
phoenix florence victoria georgia virginia carolina jordan chelsea brooklyn madison lincoln orlando
china india japan france spain italy germany austria brazil mexico canada ireland holland england
boston chicago seattle atlanta miami detroit toronto vancouver montreal munich hamburg cologne lyon
roma milano napoli torino firenze venezia münchen köln wien zürich lisboa sevilla bruxelles
milan naples venice barcelona seville valencia amsterdam rotterdam utrecht tokyo osaka kyoto
""")
# Days, months and nationalities: capitalised, never a person.
_CALENDAR = _set("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december montag dienstag mittwoch donnerstag freitag samstag sonntag
lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo
easter yom kippur
""")
# "weather in Charlotte", "restaurants near Aurora", "nach Jackson": a city, without a request cue
_PLACE_PREPOSITIONS = _set("in near around outside nach à en em")
_NATIONALITY = re.compile(r"(?:ian|ish|ese)s?$")
_SURNAME_ENDING = re.compile(
    r"(?:sson|son|sen|dóttir|dottir|ová|ova|ov|ev|eva|ski|ska|sky|vić|vic|ić|enko|chuk|yan|oglu|escu"
    r"|ez|ini|elli|etti|ucci|berg|stein|mann|sma|stra|inga|aki|moto|mura|kawa|yama)$"
)
# Irish and Scottish surnames, whatever the list holds: "o'sullivan", "mcarthur", "macdonald",
# "fitzgerald" (never "o'clock")
_GAELIC_SURNAME = re.compile(r"(?:o['’](?!clock$)|mc|mac|fitz)[^\W\d_]{3,}")
_JA_NAME = re.compile(r"([一-龯々ァ-ヶー]{1,5})(さん|様|さま|くん|君|ちゃん|氏|先生)")
# Kinship and the words an honorific follows that name no one ("お客様", "神様", "赤ちゃん", "ご苦労様",
# "お医者さん", "店員さん", "ワンちゃん"; the fifth pass: these were "お[NAME]様" …)
_JA_KIN = _set("""
母 父 兄 姉 弟 妹 奥 叔母 叔父 伯母 伯父 祖母 祖父 皆 娘 息子 旦那 お客 客 神 王 王子 姫 仏 赤 子 嬢 殿 主人 主
諸 苦労 疲れ 患者 店員 運転手 医者 看護師 大家 隣 駅員 猫 犬 ワン 社長 部長 課長 先輩 後輩 同僚 彼 彼女
""")
_HONORIFICS = ("さん", "様", "さま", "くん", "君", "ちゃん", "氏", "先生")
# "私の名前は佐藤です", "名前は田中太郎です", "氏名：山田花子", "田中と申します": a name stated in Japanese, in
# kanji or katakana (a hiragana word after "名前は" is none: "名前はまだありません")
_JA_STATED = re.compile(
    r"(?:(?:^|(?:私|わたし|わたくし|僕|ぼく|俺|おれ|あたし|自分|彼|彼女|母|父|娘|息子|妻|夫|友達|友人|子供|兄|姉|弟|妹)の)"
    r"(?:名前|なまえ)|氏名|フルネーム)[ 　]*(?:は|：|:)[ 　]*"
    r"(?P<name>[一-龯々ァ-ヶー]{1,8}(?:[ 　・][一-龯々ァ-ヶー]{1,8})?)"
    r"(?=です|でございます|だ|と申します|といいます|と言います|[。、！!？?\s]|$)"
    r"|(?P<said>[一-龯々ァ-ヶー]{1,8}(?:[ 　][一-龯々ァ-ヶー]{1,8})?)と申します"
)
_JA_NOT_STATED = _set("何 誰 不明 未定 秘密 内緒 登録 空欄 同じ 本名 仮名 漢字 カタカナ 英語")
_JA_STATEMENT_HINTS = ("名前", "なまえ", "氏名", "フルネーム", "と申します")

# --- which rows are worth reading (vectorised; a superset of what the rules find) ------------
# 1. a cue and a word that may be a name after it (not a function word), a title and a word,
#    a capitalised word after a weak cue, a possessive before a personal noun, an honorific;
# 2. rows without a play request holding a capitalised word: of those, the rows where a
#    capitalised word is a given name, or two capitalised words side by side are not both
#    English words, or a capitalised non-English word has a surname's ending (Arrow kernels).


def _alternation(words) -> str:
    """Longest first, escaped, spaces as runs of spaces (identical in Python re and RE2)."""
    return "|".join(re.escape(w).replace(r"\ ", "[ ]+") for w in sorted(words, key=len, reverse=True))


# (the cues that start with a letter outside ASCII, "écris", "écris à", apart: RE2's ``\b`` is ASCII-only and
# never stands before "é", so ``NAME_CANDIDATES`` never read them; they are read by ``NAME_CANDIDATES_APART``
# without it, followed by any letter: in the first pass's alternation, beside the ASCII cues, they made RE2's
# automaton outgrow its cache, 0.3 s a pass over 100k texts became 4.9 s; review of 2026-12-07, evening)
_STRONG_ALT = _alternation(
    w for w in {*_STRONG_CUES, *_PHRASE_CUES, *_IDENTITY_CUES, *_MEETING_CUES} if w[:1].isascii()
)
_STRONG_ALT_ACCENTED = _alternation(
    w for w in {*_STRONG_CUES, *_PHRASE_CUES, *_IDENTITY_CUES, *_MEETING_CUES} if not w[:1].isascii()
)
_STRONG_CUE_RE2 = rf"\b(?:{_STRONG_ALT})"
_SEND_ALT = _alternation(_SEND_VERBS)
_SHARE_ALT = _alternation(_SHARE_VERBS)
_CAPITAL_ALT = _alternation(_CAPITAL_CUES)
_GIVEN_ALT = _alternation(_GIVEN_CUES)
# The last word of every cue (a quick test before reading a cue)
_CUE_LAST_WORDS = frozenset(
    {"name", *_STRONG_CUES, *_TITLES, *_CAPITAL_CUES, *_ADDRESSEE_VERBS}
    | {
        phrase.split()[-1]
        for phrase in (
            *_PHRASE_CUES,
            *_PHRASE_CUES_APART,
            *_NAMED_CUES,
            *_IDENTITY_CUES,
            *_GIVEN_CUES,
            *_MEETING_CUES,
            *_TALK_CUES,
        )
    }
    | {"add"}
)
_TITLE_ALT = _alternation(_RE2_TITLES)
# ... and "This is Dreams by Fleetwood Mac." (a song named)
_MEDIA_ROW = (
    r"(?i:\b(?:" + _alternation(_MEDIA_CUES) + r")\b"
    r"|\b(?:this[ ]+is|c'est|das[ ]+ist|esta[ ]+es|questa[ ]+è|dit[ ]+is|esta[ ]+é|it's)\b[^\n]*\bby\b)"
)
_MEDIA_ROW_PY = re.compile(_MEDIA_ROW, re.ASCII)


# A relation word as ``_is_relation`` reads it (a superset)
# (any word: the words of ``_is_relation``, or the relations of the review of 2026-12-07 (evening) in a trie, made
# RE2's automaton outgrow its cache, 0.03 s a pass over 100k texts became 2.9 s)
_RELATION_RE2 = r"[^ \n]+"


def _cue_candidates() -> str:
    from utterance_governance.clean.patterns import _label_except  # the "any word but these" trie

    ascii_stop = tuple(w for w in _NOT_A_NAME | _RE2_TITLES if w.isascii() and w.isalpha())
    # a word but a function word, starting with a letter (_label_except's words may start with a digit)
    label = _label_except(ascii_stop)
    assert label.startswith("(?:[0-9")
    # (or letters then a non-ASCII one: "inés", whose "in" alone is a function word)
    word = rf"(?:(?:[{label[len('(?:[0-9') :]}\b|[A-Za-z]*[^\x00-\x7f]|[A-Za-z]+['’]\pL)"
    possessed = "|".join(sorted(_POSSESSED, key=len, reverse=True))
    return (
        rf"(?i:(?:\bname[ ]*:|{_STRONG_CUE_RE2}\.?:?|\b(?:{_TITLE_ALT})\.?)[ ]+(?:(?:{_TITLE_ALT})\.?[ ]+)?){word}"
        # "text my wife olivia": a request, "my" and a relation, then any letter
        # (an article before "my": "chiama la mia ragazza giulia", second review of 2026-12-07)
        rf"|(?i:{_STRONG_CUE_RE2}\.?:?[ ]+(?:(?:la|il|o|a)[ ]+)?(?:{_alternation(_MY)})[ ]+{_RELATION_RE2}[ ]+)\pL"
        # "send … to X", "share … with X" (a superset: any words between; counted words and the
        # word trie after them make RE2's automaton outgrow its cache)
        rf"|(?i:\b(?:{_SEND_ALT})[ ][^\n]*[ ]to|\b(?:{_SHARE_ALT})[ ][^\n]*[ ]with)[ ]+\pL"
        rf"|(?i:\b(?:{_CAPITAL_ALT})\.?:?[ ]+(?:(?:{_TITLE_ALT})\.?[ ]+)?)\p{{Lu}}"
        rf"|\pL['’]s[ ]+(?i:{possessed})\b|[ ]\p{{Lu}}\pL*['’]s\b|"
        + "|".join((*_HONORIFICS, *_JA_STATEMENT_HINTS))
    )


NAME_CANDIDATES = _cue_candidates()
# ... read in a pass of their own (in the alternation above they made RE2's automaton outgrow its cache:
# the pass took 30 times as long): "send sarah a message" (a superset: a word or two, then "a"/"an" and a
# word)
NAME_CANDIDATES_APART = (
    rf"(?i:\b(?:{_alternation(_ADDRESSEE_VERBS)})[ ]+\pL[^ \n]*[ ]+(?:[^ \n]+[ ]+)?an?[ ]+\pL)"
    # "call up X", "ruf bitte X an", "fai una chiamata a X" (``_PHRASE_CUES_APART``): any letter after them
    rf"|(?i:\b(?:{_alternation(_PHRASE_CUES_APART)})[ ]+)\pL"
    # "talk with sarah", "messages from sarah"; "add sarah to my contacts"
    rf"|(?i:\b(?:{_alternation(_TALK_CUES)})[ ]+)\pL|(?i:\badd[ ]+\pL[^\n]*(?:contact|phone[ ]?book|address[ ]book))"
)
# ... and, in a third pass (review of 2026-12-07, evening; in the second one's alternation they made RE2's automaton
# outgrow its cache, 0.02 s a pass over 100k texts became 2.2 s): "rappelle julie", "schick lena eine whatsapp", "di a
# giulia" (``_NAMED_CUES``), "lena anrufen" (``_CALLED_AFTER``), and "écris à julie" (a cue starting with a letter
# outside ASCII): any letter after them
# (after "erinnere", "herinner", "rappelle", "schick", which mostly ask for the speaker, a word but a pronoun or an
# article: "erinnere mich", "herinner me", "rappelle moi", "schick mir das" were 2,000 rows in 100k that names read)
_REFLEXIVE_CUES = (
    "erinnere",
    "erinner",
    "herinner",
    "rappelle",
    "rappelez",
    "rappeler",
    "schick",
    "schicke",
    "schicken",
)
_NOT_NAMED = _set("""
mich mir uns dich dir euch ihn ihm ihr sie es das die den der dem ein eine einen einem einer an am um daran bitte
me mij ons je jou jullie hem haar het een de dat aan om eraan
moi nous toi vous lui leur le la les un une ça ca de du des demain plus
""")


def _named_candidates() -> str:
    from utterance_governance.clean.patterns import _label_except  # the "any word but these" trie

    label = _label_except(tuple(w for w in _NOT_NAMED if w.isascii()))
    word = rf"(?:(?:[{label[len('(?:[0-9') :]}\b|[A-Za-z]*[^\x00-\x7f])"
    # (a cue starting with a letter outside ASCII, "écris a", is read by the last alternative: RE2's ``\b`` is ASCII)
    others = [cue for cue in _NAMED_CUES if cue not in _REFLEXIVE_CUES and cue[:1].isascii()]
    return (
        rf"(?i:\b(?:{_alternation(_REFLEXIVE_CUES)})\.?:?[ ]+){word}"
        rf"|(?i:\b(?:{_alternation(others)})\.?:?[ ]+)\pL|\pL[ ]+(?i:{_alternation(_CALLED_AFTER)})\b"
        rf"|(?i:(?:{_STRONG_ALT_ACCENTED})\.?:?[ ]+)\pL"
    )


NAME_CANDIDATES_NAMED = _named_candidates()
# ... and, in a fourth pass, a request, a word they skip (a function word, a pronoun,
# "nana", "le") and a word of three letters: perhaps a surname after it ("rappelle mamie dupont", "schick le
# schmidt …": ``starts_after_cue``; third review of 2026-12-07)
NAME_CANDIDATES_BEFORE_SURNAME = (
    rf"(?i:(?:{_STRONG_CUE_RE2}|\b(?:{_alternation(_REFLEXIVE_CUES)}))\.?:?[ ]+[a-z]+[ ]+)\pL{{3}}"
)
# ... and a payment handle ("venmo @sarah-connor-7", "cash app $jsmith", "send it to @jo_88 on venmo"):
# a payment service named and an "@" or "$" before a letter, on either side (``redact_payment_handles``)
_PAYMENT_SERVICES = r"venmo|paypal|zelle|cash[ ]?app"
# ... and outside a payment, an "@" handle in a text naming a social network, a handle or a user name, or
# asking to follow, message, tag or mention someone ("follow @jsmith on twitter", "dm @sarah_connor87",
# "my instagram is @lisa.m.travels"; fifth pass); a word holding a digit or "_" after "my handle is", "my
# username is" ("my twitter handle is jsmith87")
_SOCIAL = (
    r"twitter|instagram|insta|tiktok|tik[ ]tok|snapchat|snap|threads|facebook|telegram|discord|youtube|linkedin"
    r"|mastodon|bluesky|reddit|twitch|github|handle|handles|username|user[ ]name|nutzername|benutzername"
    r"|pseudo|usuario|usuário|nome[ ]utente|gebruikersnaam|gamertag|nickname|follow|dm|tag|mention|folge|suis"
    r"|sigue|segui|volg|segue"
)
_HANDLE_NAMES = r"handle|username|user[ ]name|nutzername|benutzername|pseudo|usuario|usuário|nome[ ]utente|gebruikersnaam|gamertag"
NAME_CANDIDATES_APART += (
    rf"|(?i:\b(?:{_PAYMENT_SERVICES}|{_SOCIAL})\b)[^\n]*[@$]\pL|[@$]\pL[^\n]*(?i:\b(?:{_PAYMENT_SERVICES}|{_SOCIAL})\b)"
    rf"|(?i:\b(?:{_PAYMENT_SERVICES})(?:[ ]+me)?[ ]+)\pL[^ \n]*[0-9_.\-]"
    rf"|(?i:\b(?:{_HANDLE_NAMES})(?:[ ]+(?:is|ist|est|es|è|é))?:?[ ]+)\pL[^ \n]*[0-9_]"
    rf"|(?i:\b(?:{_alternation(_MORE_TITLES)})\.?[ ]+)\pL"
    # a title and a surname's particle ("Mr. de Vries", "M. de La Fontaine": ``_Names.titled_particle_name``)
    rf"|(?:(?i:\b(?:{_alternation(_PARTICLE_TITLES)}))\.?|\bM\.)[ ]+(?i:{_alternation(_TITLED_PARTICLES)})[ ]+[^ \n]"
)
# ... and a mailbox redaction took: of those rows (every "… [EMAIL]"), the ones with a gazetteer given
# name right before it (``_Names.before_mailbox``), looked up in Python: the rest are no work for names
_BEFORE_MAILBOX = r"\pL[ ]\[EMAIL\]"
# (and the word before it: "hans müller [EMAIL]", a given name and a surname before a mailbox said with a
# number word, "hans müller siebenundachtzig at gmx punkt de"; review of 2026-12-07)
# (a surname's particle between them too, "jan de vries [EMAIL]": second review of 2026-12-07)
_WORD_BEFORE_MAILBOX = re.compile(
    r"(?:([^\W\d_][\w'’\-]*) (?:(?i:de|van|der|den|von|di|da|dos|del|le|la) ){0,2})?([^\W\d_][\w'’\-]*) \[EMAIL\]"
)
# (and "İ", a word of two letters to the rules once lower-cased: "i̇")
_CAPITALISED = r"\P{L}\p{Lu}\p{Ll}|\P{L}\x{130}"  # not the first word
_FIRST_CAPITALISED = r"^(?P<word>\p{Lu}\p{Ll}+)"
_TITLE_CASE = r"\p{Lu}\p{Ll}|\x{130}"


@functools.cache
def _token_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(given names that are no common word, common words: English, calendar, places ...)."""
    given, _surnames, words = gazetteer()
    common = english_words() | _CALENDAR | _PLACES | _NOT_A_NAME | _NOT_A_NAME_ADVERBS | _TITLES
    return frozenset(given - words - common - _STRONG_CUES), frozenset(common)


def _per_distinct(strings: pa.Array, judge) -> np.ndarray:
    """``judge(s)`` (a tuple of booleans) for each string, each distinct one judged once (a
    column's words repeat: "You", "It's"); rows of a null string get all False."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(strings)
    table = np.array([judge(s) for s in encoded.dictionary.to_pylist()], dtype=bool).reshape(
        len(encoded.dictionary), -1
    )
    index = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
    out = np.zeros((len(strings), table.shape[1]), dtype=bool)
    out[index >= 0] = table[index[index >= 0]]
    return out


_POSSESSIVE_END = re.compile(r"['’]s$")


def _is_given(low: str, given: frozenset[str]) -> bool:
    """``low`` is in ``given``, or hyphenated given names of it ("anne-marie", "jean-luc")."""
    if low in given:
        return True
    parts = low.split("-")
    return len(parts) > 1 and all(part in given for part in parts)


def _hyphenated_given(low: str, given: frozenset[str]) -> bool:
    """``low`` is hyphenated, its first part in ``given`` and every other a given name or a surname of the
    gazetteer that is no English word ("jean-luc": "luc" is a surname of the lists only). Read after a
    request in lower case only (``_Names.known``, ``given_name``): capitalised anywhere it would take
    brands ("Harley-Davidson", "Mercedes-Benz")."""
    parts = low.split("-")
    if len(parts) < 2 or parts[0] not in given:
        return False
    all_given, surnames, _words = gazetteer()
    return all((part in all_given or part in surnames) and part not in english_words() for part in parts[1:])


def _judge_capitalised(word: str) -> tuple[bool, bool, bool, bool]:
    """(a given name, unknown: no common word and longer than a letter, a surname's ending, any
    given name: also one that is an English word, "Frank", "Rose", which starts a name before an
    unknown word) of a capitalised word as ``_Tokens`` reads it (quotes and hyphens around it, a
    possessive off). A word in capitals ("OK", "AM", "NASA") is none of these: every rule that reads
    a capitalised word asks for a title-cased one (``_title``)."""
    token = _POSSESSIVE_END.sub("", word.strip("'’-"))
    if not _title(token):
        return (False, False, False, False)
    low = token.lower()
    given, common = _token_sets()
    # (the length of the lower case, as the rules read it: "İ" is two characters lower-cased)
    return (
        _is_given(low, given),
        low not in common and len(low) > 1,
        _SURNAME_ENDING.search(low) is not None,
        low in gazetteer()[0],
    )


def candidate_rows(
    values: pa.Array, english: np.ndarray | None = None, flags: np.ndarray | None = None
) -> np.ndarray:
    """Boolean mask of the rows ``redact_names`` may change (see above); nulls are False.

    ``english``: which rows are read as English text (the rule for two unknown capitalised
    words applies to those only); all rows when None. ``flags``: the rows' byte classes
    (``patterns.byte_classes``), when known.

    Names read no digit (a digit is neither a letter of a word nor a separator the rules
    look for), so rows that differ only in their digits ("It's 18 degrees", "It's 21 degrees")
    are read once, as the same text with every digit a 0.
    """
    from utterance_governance.clean.patterns import DIGIT, DigitBlind, byte_classes

    flags = byte_classes(values) if flags is None else flags
    if not (flags & DIGIT).any():
        return candidate_rows_digit_blind(values, english, flags)
    view = DigitBlind.of(values)
    in_english = None if english is None else view.any_row(english)
    return view.per_row(candidate_rows_digit_blind(view.texts, in_english, flags[view.first]))


def candidate_rows_digit_blind(values: pa.Array, english: np.ndarray | None, flags: np.ndarray) -> np.ndarray:
    """``candidate_rows`` of texts read as they are (``patterns.DigitBlind`` texts, or texts
    without a digit); ``flags`` required."""
    import pyarrow.compute as pc

    from utterance_governance.clean.patterns import NON_ASCII, UPPER_ASCII, match_rows

    found = (
        match_rows(values, NAME_CANDIDATES)
        | match_rows(values, NAME_CANDIDATES_APART)
        | match_rows(values, NAME_CANDIDATES_NAMED)
    )
    found |= match_rows(values, NAME_CANDIDATES_BEFORE_SURNAME)
    mail = np.flatnonzero(~found & match_rows(values, _BEFORE_MAILBOX))
    if len(mail):
        given = gazetteer()[0]
        found[mail] = [
            any(word.lower() in given for pair in _WORD_BEFORE_MAILBOX.findall(text) for word in pair)
            for text in values.take(pa.array(mail, pa.int64())).to_pylist()
        ]
    # the rules without a cue need a capitalised word: the other passes read those rows only
    # (an upper-case letter is an ASCII one or a non-ASCII character)
    upper = np.flatnonzero(~found & ((flags & (UPPER_ASCII | NON_ASCII)) > 0))
    titled = upper[match_rows(values.take(pa.array(upper, pa.int64())), _TITLE_CASE)]
    if not len(titled):
        return found
    subset = values.take(pa.array(titled, pa.int64()))
    open_rows = np.zeros(len(values), dtype=bool)
    open_rows[titled] = ~match_rows(subset, _MEDIA_ROW)
    first_capital = np.zeros(len(values), dtype=bool)
    first_capital[titled] = match_rows(subset, _FIRST_CAPITALISED)
    capitalised = np.zeros(len(values), dtype=bool)
    capitalised[titled] = match_rows(subset, _CAPITALISED)
    # a capitalised first word only: is it a given name? ("Brian is very reliable.")
    first = np.flatnonzero(open_rows & first_capital)
    if len(first):
        words = pc.struct_field(pc.extract_regex(values.take(pa.array(first)), _FIRST_CAPITALISED), [0])
        given = _per_distinct(words, lambda word: (word.lower() in _token_sets()[0],))[:, 0]
        found[first[given]] = True
    rows = np.flatnonzero(open_rows & capitalised)
    if not len(rows):
        return found
    # the words as ``_Tokens`` reads them: letter runs (with inner apostrophes and hyphens); of
    # those only the capitalised ones are looked up
    words = pc.split_pattern_regex(values.take(pa.array(rows)), r"[^\pL'’\-]+")
    flat = pc.list_flatten(words)
    capital = np.flatnonzero(
        np.asarray(pc.fill_null(pc.match_substring_regex(flat, r"^['’\-]*\p{Lu}"), False))
    )
    if not len(capital):
        return found
    parent = np.asarray(pc.list_parent_indices(words))[capital]
    judged = _per_distinct(flat.take(pa.array(capital)), _judge_capitalised)
    is_given, unknown, any_given = judged[:, 0], judged[:, 1], judged[:, 3]
    if english is not None:
        unknown &= english[rows][parent]
    hit = is_given.copy()
    hit |= unknown & judged[:, 2]
    adjacent = (capital[1:] == capital[:-1] + 1) & (parent[:-1] == parent[1:])
    hit[:-1] |= adjacent & unknown[1:] & (unknown[:-1] | any_given[:-1])
    found[rows[np.unique(parent[hit])]] = True
    return found


# the particles of a surname said between a given name and it before a mailbox ("jan de vries [EMAIL]")
_MAILBOX_PARTICLES = frozenset(
    ("de", "van", "van der", "van den", "van de", "von", "di", "da", "dos", "del", "le", "la")
)


@functools.lru_cache(maxsize=65536)
def _without_accents(word: str) -> str:
    """``word`` with its combining marks taken off (ü → u, í → i; ß and ø stay)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _title(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


class _Tokens:
    """The words of a text: a possessive "'s" and a full stop (not an initial's) are not part of them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self.possessive: list[bool] = []
        self.words: list[str] = []
        for m in _WORD.finditer(text):
            word, end = m.group(), m.end()
            before, after = text[m.start() - 1 : m.start()], text[end : end + 1]
            if before == "[" and after == "]":
                continue  # a placeholder: [EMAIL]
            if before.isalnum() or before == "_" or after.isalnum() or after == "_":
                continue  # letters glued to digits ("Afe80::1"): not a word, and taking them out would free the rest
            if word.endswith(".") and len(word) > 2:
                word, end = word[:-1], end - 1
            owner = word[-2:] in ("'s", "’s") and len(word) > 2
            if owner:
                word, end = word[:-2], end - 2
            self.spans.append((m.start(), end))
            self.possessive.append(owner)
            self.words.append(word.rstrip("."))
        self.lower = [w.lower() for w in self.words]

    def gap(self, i: int) -> str:
        """The text between word ``i - 1`` (and its possessive "'s") and word ``i``."""
        return self.text[self.spans[i - 1][1] + 2 * self.possessive[i - 1] : self.spans[i][0]]

    def sentence_start(self, i: int) -> bool:
        return i == 0 or any(c in self.gap(i) for c in '.!?\n:;"')


class _Names:
    def __init__(self, text: str, lang: str | None) -> None:
        self.given, self.surnames, self.words = gazetteer()
        self.english = english_words() if lang in (None, "en") else None
        self.pronouns = _PRONOUNS_OF.get(lang or "", frozenset())
        self.lang = lang
        self.toks = _Tokens(text)
        self.media_row = _MEDIA_ROW_PY.search(text) is not None
        self._sends: bool | None = None
        self.mailbox = "[EMAIL]" in text

    @property
    def sends(self) -> bool:
        """The text holds a verb of sending or sharing (read once, when a cue asks)."""
        if self._sends is None:
            self._sends = not _SENDING.isdisjoint(self.toks.lower)
        return self._sends

    def known(self, low: str, *, accents: bool = False) -> bool:
        """In the gazetteer; with ``accents``, also without them ("maría garcía", "müller": the lists
        are ASCII) — to start a name only: "où", "über", "está" are surnames without their accents."""
        if low in self.given or low in self.surnames or _is_given(low, self.given):
            return True
        if "-" in low and _hyphenated_given(low, self.given):
            return True  # "appelle jean-luc"
        if not accents:
            return False
        plain = _without_accents(low)
        return plain != low and (plain in self.given or plain in self.surnames)

    def blocked(self, low: str) -> bool:
        return low in _NOT_A_NAME or low in _NOT_A_NAME_ADVERBS or low in _TITLES or low in _STRONG_CUES

    def cue(self, i: int) -> str | None:
        """The kind of cue right before word ``i``: identity, strong, given or capital.

        Read from the words, as ``NAME_CANDIDATES`` (RE2, a superset) reads the text: a cue word or phrase, then ``.``/``:`` and spaces, then at most one title.
        """
        toks = self.toks
        after = self._after_relation(i)
        if after is not None:
            j, kind = after  # "text my wife olivia": the request before "my wife"
            if j > 1 and toks.lower[j - 1] in _ARTICLES_BEFORE_MY and _SPACES.fullmatch(toks.gap(j)):
                j -= 1  # "chiama la mia ragazza giulia"
            found = self._cue_ending(j) if j > 0 and _AFTER_CUE.fullmatch(toks.gap(j)) else None
            if found in ("strong", "meeting", "named"):
                return kind
        j = i
        if i > 0 and toks.lower[i - 1] in _TITLES and _AFTER_TITLE.fullmatch(toks.gap(i)):
            j = i - 1
        found = self._cue_ending(j) if j > 0 and _AFTER_CUE.fullmatch(toks.gap(j)) else None
        # the title is the cue: Mrs. Kapanen, dr. patel, aunt linda; after a weaker cue too ("lunch with Dr.
        # Meier", "Termin mit Frau Meier", "a message from Mrs. Kowalski" kept the name before the fifth pass)
        if found not in ("identity", "strong", "relation") and j < i:
            if toks.lower[j] in _KIN_TITLES or not _title(toks.words[i]):
                return "strong"
            return "identity"
        return found

    def _after_relation(self, i: int) -> tuple[int, str] | None:
        """Word ``i`` follows "my" and a relation ("my wife", "meine Schwester"; of words ASR writes apart, "my
        step mom", "my ex wife", "my brother in law", "mon petit fils": second review of 2026-12-07), spaces
        between: (the index of "my", "relation"); or "my" and a lower-case noun the lists lack ("mi madrastra",
        "minha enteada": ``possessive_before_noun``): (its index, "relation_noun"); else None."""
        toks = self.toks
        if i < 2 or _SPACES.fullmatch(toks.gap(i)) is None:
            return None
        for k in (1, 2, 3):
            p = i - k - 1
            if p < 0:
                return None
            if toks.lower[p] not in _MY or any(toks.possessive[p:i]):
                continue
            if not all(_SPACES.fullmatch(toks.gap(m)) for m in range(p + 1, i)):
                return None
            words = toks.lower[p + 1 : i]
            if (
                _is_relation(words[0])
                if k == 1
                else (_is_relation("-".join(words)) or _is_relation("".join(words)))
            ):
                return p, "relation"
            if k == 1 and self.possessive_before_noun(p):
                return p, "relation_noun"
            return None
        return None

    def _cue_ending(self, j: int) -> str | None:
        """The kind of the cue whose last word is ``j - 1`` (spaces between its words)."""
        toks = self.toks
        last = j - 1
        if toks.lower[last] not in _CUE_LAST_WORDS:
            return None
        if toks.lower[last] == "name" and (":" in toks.gap(j) or toks.possessive[last]):
            return "identity" if _bounded(toks, last) else None  # Name: …, name's …
        for n in (4, 3, 2):
            first = last - n + 1
            if first < 0 or not _bounded(toks, first) or any(toks.possessive[first:last]):
                continue
            if not all(
                _SPACES.fullmatch(toks.gap(k))
                or (
                    k == first + 1
                    and toks.lower[first] in _APOSTROPHE_CUE_FIRST
                    and _APOSTROPHE_GAP.fullmatch(toks.gap(k))
                )
                for k in range(first + 1, last + 1)
            ):
                continue
            phrase = " ".join(toks.lower[first : last + 1])
            if phrase in _IDENTITY_CUES:
                return "identity"
            if phrase in _PHRASE_CUES or phrase in _PHRASE_CUES_APART:
                return "strong"
            if phrase in _NAMED_CUE_SET:
                return "named"
            if phrase in _GIVEN_CUES:
                return "given"
            if phrase in _MEETING_SET:
                return "meeting"
        word = toks.lower[last]
        if word == "add" and _bounded(toks, last) and _CONTACTS.search(toks.text):
            return "meeting"
        if word in _ADDRESSEE_VERBS:
            return "addressee" if _bounded(toks, last) and self._addressed(j) else None
        if (word == "to" and self.sends and self._sent_to(last, _SEND_VERBS)) or (
            word == "with" and self.sends and self._sent_to(last, _SHARE_VERBS)
        ):
            return "meeting"
        if toks.possessive[last] or not _bounded(toks, last):
            return None
        if word in _NAMED_CUE_SET:
            return "named"
        if word in _STRONG_CUES or word in _TITLES:
            return "strong"
        if word in _GIVEN_CUES:
            return "given"
        if word in _MEETING_SET:
            return "meeting"
        return "capital" if word in _CAPITAL_CUES else None

    def _sent_to(self, to: int, verbs: frozenset[str]) -> bool:
        """Word ``to`` ends "send … to" ("share … with": a verb of ``verbs``, one to three words, and
        the word; spaces only), an amount written in digits right after the verb or not ("send 20 dollars
        to", "send $20 to", "transfer 1,500 euros to")."""
        toks = self.toks
        for first in range(to - 1, max(-1, to - 5), -1):
            if toks.lower[first] in verbs and _bounded(toks, first):
                gaps = [toks.gap(k) for k in range(first + 1, to + 1)]
                amount = _SPACES.fullmatch(gaps[0]) is None and _AMOUNT_GAP.fullmatch(gaps[0]) is not None
                if first == to - 1 and not amount:
                    continue  # "send to X" is no sending of something
                return (amount or _SPACES.fullmatch(gaps[0]) is not None) and all(
                    _SPACES.fullmatch(gap) for gap in gaps[1:]
                )
        return False

    def _addressed(self, j: int) -> bool:
        """Word ``j`` (and one more: the name) is followed by "a"/"an" and what is sent or given
        (``_ADDRESSED``), spaces between: "send sarah a message", "give anna smith a call"."""
        toks = self.toks
        for k in (j + 1, j + 2):
            if (
                k + 1 < len(toks.words)
                and toks.lower[k] in ("a", "an")
                and toks.lower[k + 1] in _ADDRESSED
                and not any(toks.possessive[j : k + 1])
                and all(_SPACES.fullmatch(toks.gap(m)) for m in range(j + 1, k + 2))
            ):
                return True
        return False

    def before_mailbox(self, i: int) -> bool:
        """Word ``i`` is a given name of the gazetteer right before a mailbox redaction took already
        ("my email is john [EMAIL]": the mailbox was spelled "smith at gmail dot com")."""
        toks = self.toks
        low = toks.lower[i]
        return (
            not toks.possessive[i]
            and toks.text.startswith(" [EMAIL]", toks.spans[i][1])
            and low in self.given
            and low not in _MESSAGE_WORDS
            and not self.blocked(low)
        )

    def full_name_before_mailbox(self, i: int) -> int:
        """Word ``i`` is a given name of the gazetteer and a surname of it follows (also without its
        accents: "müller"; after a particle, "jan de vries", "ludwig van der berg": second review of
        2026-12-07), one space between each, right before a mailbox redaction took ("hans müller [EMAIL]":
        the mailbox was "siebenundachtzig at gmx punkt de", the name said as its start): the number of the
        name's words, 0 when it is none."""
        toks = self.toks
        low = toks.lower[i]
        if toks.possessive[i] or low not in self.given or low in _MESSAGE_WORDS or self.blocked(low):
            return 0
        for particles in (0, 1, 2):
            last_i = i + 1 + particles
            if last_i >= len(toks.words):
                return 0
            words = range(i + 1, last_i + 1)
            if any(toks.possessive[k] or toks.gap(k) != " " for k in words):
                return 0
            said = " ".join(toks.lower[k] for k in range(i + 1, last_i))
            if particles and said not in _MAILBOX_PARTICLES:
                continue
            last = toks.lower[last_i]
            if (
                toks.text.startswith(" [EMAIL]", toks.spans[last_i][1])
                and (
                    last in self.surnames
                    or _without_accents(last) in self.surnames
                    # (after a particle any word of letters: "vries" is no surname of the gazetteer alone)
                    or (particles and len(last) >= 3 and last.isalpha())
                )
                and not self.blocked(last)
                and last not in _PLACES
                and last not in _CALENDAR
            ):
                return 2 + particles
        return 0

    def after_particle_title(self, i: int) -> bool:
        """Word ``i`` follows a title of ``_PARTICLE_TITLES`` or a French "M." (a full stop and spaces between)."""
        toks = self.toks
        if i == 0 or toks.possessive[i - 1] or not _AFTER_TITLE.fullmatch(toks.gap(i)):
            return False
        start, end = toks.spans[i - 1]
        return toks.lower[i - 1] in _PARTICLE_TITLES or toks.text[start:end] == "M."

    def titled_particle_name(self, i: int) -> int | None:
        """Word ``i`` starts a surname's particle (``_TITLED_PARTICLES``, or two words of ``_TWO_WORD_PARTICLES``)
        after a title, and a title-cased word follows it, spaces between ("Herrn von Weizsäcker", "M. de La
        Fontaine"; not an office: "Monsieur le Président"): the end of the name (the particle, the word and the
        capitalised words after it), or None."""
        toks, n = self.toks, len(self.toks.words)
        low = toks.lower[i]
        if (
            i + 1 >= n
            or low not in _TITLED_PARTICLES
            or not self.after_particle_title(i)
            or self.after_media(i)
        ):
            return None
        for k in (i + 2, i + 1):  # "de la Fuente" before "de La…"
            if k >= n or (k == i + 2 and (low, toks.lower[i + 1]) not in _TWO_WORD_PARTICLES):
                continue
            if any(toks.possessive[i:k]) or not all(
                _SPACES.fullmatch(toks.gap(m)) for m in range(i + 1, k + 1)
            ):
                continue
            surname = toks.lower[k]
            if (
                _title(toks.words[k])
                and len(surname) > 1
                and not self.blocked(surname)
                and surname not in _PARTICLES
                and surname not in _OFFICES
                and surname not in _PLACES
                and surname not in _CALENDAR
            ):
                return self.extend(k, "title")
        return None

    def given_name(self, low: str) -> bool:
        """A given name of the gazetteer that is no common word ("sarah", "anne-marie", "jean-luc"; not
        "will")."""
        return _is_given(low, _token_sets()[0]) or ("-" in low and _hyphenated_given(low, _token_sets()[0]))

    def after_media(self, i: int) -> bool:
        return any(low in _MEDIA_CUES for low in self.toks.lower[max(0, i - 4) : i])

    def starts_after_cue(self, i: int, cue: str) -> bool:
        if self._starts_after_cue(i, cue):
            return True
        # a word skipped after a request (a pronoun, a function word, "santa", "nana", "mamie", "dan", "le") before
        # a surname: the gate's detector reads the two as a full name, and one such row blocks the night; two
        # words taken are the lesser harm ("rappelle mamie dupont", "liga pra ela souza"; third review of 2026-12-07)
        word = self.toks.words[i]
        return (
            cue in ("strong", "named", "meeting")
            and not _title(word)
            and word.isalpha()
            and len(word) >= 2
            and self.toks.lower[i] not in _CUE_LAST_WORDS  # "liga pra le souza": the name starts after "pra"
            and (i == 0 or self.toks.lower[i - 1] not in _TITLES)  # "appelle Monsieur le Président"
            and self.toks.lower[i : i + 2]
            != ["santa", "claus"]  # "write to santa claus" (the detector reads none)
            and not self.media_row
            and self.surname_follows(i)
        )

    def _starts_after_cue(self, i: int, cue: str) -> bool:
        word, low = self.toks.words[i], self.toks.lower[i]
        if self.blocked(low) or len(low) < 2:
            return False
        if low in self.pronouns and not _title(word) and not self.surname_follows(i):
            return False  # "fala pra ela", "avisa a ella" (second review of 2026-12-07); not "liga pra ela souza"
        if cue == "given":  # "from Austria" is a place: only a given name will do
            if low in _PLACES and self.toks.lower[i - 1] in ("from", "von"):
                return False  # "1,234 miles from Denver to Chicago": a city named like a person (fifth pass)
            return (
                _title(word) and ((low in self.given and low not in self.words) or self.given_and_surname(i))
            ) and not self.media_row
        if cue == "capital":
            return _title(word)
        if cue == "meeting":  # ... and "lunch with John Smith", "talk to Bill Brown" (English words)
            return (
                self.given_name(low) or self.given_and_surname(i) or self.paid_full_name(i)
            ) and not self.media_row
        # "rappelle julie", "call back jessica", "di a giulia"; not "call back later" (review of 2026-12-07, evening)
        # (second review: also a name that is a word, and a surname, as after the older cues: "recuérdale a maría",
        # "erinnere dieter", "rappelle luc"; not a function word, a pronoun, "santa": "write to santa")
        if cue == "named":
            return (
                (
                    self.given_name(low)
                    or self.given_name(_without_accents(low))
                    or self.given_and_surname(i)
                    or self.lower_name(low, accents=True)
                )
                and low not in _MESSAGE_WORDS
                and low not in _FUNCTION_WORDS
                and low not in _NOT_NAMED
                and low not in _NOT_NAMED_AFTER_CUE
                and not self.media_row
            )
        if cue == "relation_noun":  # "llama a mi madrastra lucía" (second review of 2026-12-07)
            # (outside English text also a given name that is an English word, as after a listed relation: "dile
            # a mi madrastra maría", "victoria"; third review of 2026-12-07)
            return (
                (
                    self.given_name(low)
                    or self.given_name(_without_accents(low))
                    or _title(word)
                    or (self.english is None and (low in self.given or _without_accents(low) in self.given))
                )
                and low not in _MESSAGE_WORDS
                and low not in _FUNCTION_WORDS
                and low not in _NOT_NAMED_AFTER_CUE
                and not self.media_row
            )
        if cue == "addressee":  # "give mike a call", "send sarah a message"; not "give will a call"
            return (low in self.given and low not in _MESSAGE_WORDS) or _title(word)
        if cue == "relation":  # "text my wife olivia" and "… Mark", "call my friend john"; not
            # "text my wife running late", "tell my husband will be late", "… love you"; not a function word ("di a
            # mia madre che arrivo", second review of 2026-12-07)
            if low in _FUNCTION_WORDS and not _title(word):
                return False
            if low in self.given:
                return _title(word) or low not in _MESSAGE_WORDS or self.named_before_a_verb(i)
            return (_title(word) or self.known(low, accents=True)) and low not in english_words()
        # (a surname in lower case that is an English word is none: "call number 5", "phone number"; but
        # after a request and a title it is one: "call mr smith")
        return (
            _title(word) or cue == "identity" or self.lower_name(low, accents=True) or self.titled_surname(i)
        )

    def titled_surname(self, i: int) -> bool:
        """Word ``i`` is a surname of the lists after a request or a meeting and a title of address ("call mr
        smith", "call dr. brown", "lunch with dr smith"), whatever else it is."""
        toks = self.toks
        if i < 2 or toks.lower[i - 1] not in _FORMAL_TITLES or not _AFTER_TITLE.fullmatch(toks.gap(i)):
            return False
        if not _AFTER_CUE.fullmatch(toks.gap(i - 1)) or self._cue_ending(i - 1) not in ("strong", "meeting"):
            return False
        low = toks.lower[i]
        return (
            len(low) >= 3
            and low in self.surnames
            and low not in _FUNCTION_WORDS
            and low not in _MESSAGE_WORDS
            and not self.blocked(low)
            and not self.media_row
        )

    def lower_name(self, low: str, *, accents: bool = False) -> bool:
        """A lower-case word that names someone after a cue: in the gazetteer, and a given name or
        no English word ("call number 5", "the car's number": surnames, but words here)."""
        return self.known(low, accents=accents) and (low in self.given or low not in english_words())

    def unknown_capitalised(self, i: int) -> bool:
        return not self.toks.possessive[i] and self.unknown_capitalised_word(i)

    def unknown_capitalised_word(self, i: int) -> bool:
        word, low = self.toks.words[i], self.toks.lower[i]
        return (
            self.english is not None
            and _title(word)
            and len(low) > 1
            and low not in self.english
            and low not in _PLACES
            and low not in _CALENDAR
            and not _NATIONALITY.search(low)
            and not self.blocked(low)
        )

    def extend(self, i: int, mode: str) -> int:
        """The index after the last word of the name that starts at ``i``.

        ``mode``: "title" (capitalised words follow), "cue" (a capitalised name after a request:
        capitalised words, or gazetteer surnames that are no English word, "ruf Anna müller an"),
        "lower" (gazetteer names and surname-like words follow) or "identity" (after "my name is":
        any words but function words).
        """
        toks = self.toks
        j = i + 1
        while j < len(toks.words) and j - i < 4 and not toks.possessive[j - 1]:
            gap = toks.gap(j)
            if gap.strip() not in ("", "-") or "\n" in gap:
                break
            word, low = toks.words[j], toks.lower[j]
            if (
                (low, toks.lower[j + 1] if j + 1 < len(toks.words) else "") in _TWO_WORD_PARTICLES
                and j + 2 < len(toks.words)
                and toks.gap(j + 1).strip() == ""
                and toks.gap(j + 2).strip() == ""
                and "\n" not in toks.gap(j + 1) + toks.gap(j + 2)
                and not toks.possessive[j]
                and not toks.possessive[j + 1]
                and _title(toks.words[j + 2])
                and not self.blocked(toks.lower[j + 2])
            ):
                # two particles and the capitalised word they belong to: "Sanne van den Berg", "Juan de la
                # Cruz" (not "Jan van de week", "Jan van het werk": words of the language)
                j += 3
                continue
            if (
                low in _PARTICLES
                and j + 1 < len(toks.words)
                and (mode != "title" or _title(toks.words[j + 1]))
                and (
                    mode != "cue" or _title(toks.words[j + 1]) or self.lower_surname(toks.lower[j + 1], True)
                )
                and not self.blocked(toks.lower[j + 1])
            ):
                j += 2  # a particle and the word it belongs to: "jan de vries", "Ana da Silva"
                continue
            if self.blocked(low):
                break
            if mode == "title" and not _title(word):
                break
            if mode in ("title", "cue") and low in english_words() and not self.known(low):
                break  # "tell Mike Happy Birthday"
            if mode == "cue" and not (_title(word) or self.lower_surname(low)):
                break
            # (a surname without its accents of five letters or more: "garcía", "müller", not "über"; not a
            # function word: "di a [NAME] che arrivo" was "di a [NAME] arrivo", review of 2026-12-07, evening)
            if mode == "lower" and (
                low in _FUNCTION_WORDS
                or not (
                    self.known(low, accents=len(low) >= 5)
                    or _SURNAME_ENDING.search(low)
                    or _GAELIC_SURNAME.fullmatch(low)
                )
            ):
                break
            j += 1
        return j

    def lower_surname(self, low: str, after_particle: bool = False) -> bool:
        """A lower-case word that goes on a capitalised name after a request: a gazetteer surname
        (without its accents from five letters) that is no English word; after a particle any
        word that is no English word ("Jan de vries")."""
        if len(low) < 3 or low in english_words() or low in _FUNCTION_WORDS or self.blocked(low):
            return False
        return (
            after_particle or self.known(low, accents=len(low) >= 5) or bool(_GAELIC_SURNAME.fullmatch(low))
        )

    def unknown(self, j: int) -> bool:
        """Capitalised, not an English word, a place, a day or a function word (English text only)."""
        low = self.toks.lower[j]
        return (
            self.english is not None
            and _title(self.toks.words[j])
            and len(low) > 1
            and low not in self.english
            and low not in _CALENDAR
            and low not in _PLACES
            and not self.blocked(low)
        )

    def name_at(self, i: int) -> int | None:
        """The end of a name starting at word ``i``, or None."""
        toks = self.toks
        word, low = toks.words[i], toks.lower[i]
        if low in _MY and self.possessive_before_noun(i):
            return None  # "llama a mi amiga", "chiama mia moglie", "appelle ma banque": "my", not Mi or Mia
        title = _title(word)
        if self.mailbox and self.before_mailbox(i):
            return i + 1
        if self.mailbox and (words := self.full_name_before_mailbox(i)):
            return i + words
        if (end := self.titled_particle_name(i)) is not None:
            return end  # "Herrn von Weizsäcker", "Madame Le Gall"
        if self.before_call(i):
            return i + 1  # "lena anrufen"
        cue = self.cue(i)
        if cue and not self.after_media(i) and self.starts_after_cue(i, cue):
            return self.extend(i, "cue" if title else ("identity" if cue == "identity" else "lower"))
        if (
            toks.possessive[i]
            and low not in _NOT_A_NAME
            and low not in _NOT_A_NAME_ADVERBS
            and low not in _PLACES
        ):
            # "Alberico's kid": a capitalised possessive that is not an English word; a name
            # before a personal noun ("Anna's birthday"; "mom's" is not one)
            before_noun = (
                i + 1 < len(toks.words)
                and toks.lower[i + 1] in _POSSESSED
                and _SPACES.fullmatch(toks.gap(i + 1))
            )
            spaced = i > 0 and toks.text[toks.spans[i][0] - 1] == " "
            if (title and spaced and self.unknown(i)) or (before_noun and (title or self.lower_name(low))):
                return i + 1
        if not title or self.media_row or low in _PLACES or low in _CALENDAR or self.blocked(low):
            return None
        if i > 0 and toks.lower[i - 1] in _PLACE_PREPOSITIONS and _SPACES.fullmatch(toks.gap(i)):
            return None
        if (low in self.given and low not in self.words) or ("-" in low and _is_given(low, _token_sets()[0])):
            return self.extend(i, "title")  # Brian, Helena C Carlsen, Anne-Marie
        nxt = i + 1
        if (
            (
                self.english is not None
                and nxt < len(toks.words)
                and toks.gap(nxt) == " "
                and not toks.possessive[i]
            )
            and (self.unknown(i) or low in self.given)
            and self.unknown(nxt)
        ):
            return self.extend(i, "title")  # Constantine Yermolayev, Erica Kapanen
        if self.unknown(i) and not toks.sentence_start(i) and _SURNAME_ENDING.search(low):
            return i + 1  # says Rozhkova
        return None

    def possessive_before_noun(self, i: int) -> bool:
        """Word ``i`` (of ``_MY``: "ma", "mon", "mi", "mia", "mio" are gazetteer names) is a possessive: a
        relation follows it ("mi amiga", "ma grand-mère", "my stepmom"), or, outside English text, a lower-case
        word that is no function word ("appelle mon médecin", "appelle ma banque", "chiama mio cognato"; not
        "ruf mia an", "chiama Mia Rossi"). Review of 2026-12-07 (evening): "appelle [NAME] grand-mère"."""
        toks, nxt = self.toks, i + 1
        if nxt >= len(toks.words) or toks.possessive[i] or not _SPACES.fullmatch(toks.gap(nxt)):
            return False
        low = toks.lower[nxt]
        if _is_relation(low) or low in _POSSESSED_NOUNS:
            return True  # (and "llama a mi casa": "casa" is no name either)
        if self.given_before_surname(i):
            return (
                False  # "chiama mia rossi", "llama a mia fernández": Mia Rossi (second review of 2026-12-07)
            )
        if toks.lower[i] in _GIVEN_POSSESSIVES and (
            _title(
                toks.words[i]
            )  # "Meine Tochter Mia hat Geburtstag", "Mio schläft schon", "Mia arriva domani"
            or self.lang not in _GIVEN_POSSESSIVES_OF  # "sag meiner tochter mia bescheid"
            or (i > 0 and _is_relation(toks.lower[i - 1]))  # "la mia amica mia arriva"
        ):
            return False  # (third review of 2026-12-07: a given name before a verb was "my")
        return (
            self.english is None
            and not toks.words[nxt][:1].isupper()
            and not self.blocked(low)
            and low not in _FUNCTION_WORDS
            and len(low) > 1
        )

    def surname_follows(self, i: int) -> bool:
        """Word ``i`` (a pronoun or function word after a cue) is followed, one space between, by a surname of the
        gazetteer (without its accents from five letters; after a particle: "de vries") that is no English word,
        function word, message word or relation: "liga pra ela souza", "write to santa claus" (the gate's
        detector reads a full name there; third review of 2026-12-07)."""
        toks, nxt = self.toks, i + 1
        if nxt < len(toks.words) and toks.lower[nxt] in _PARTICLES and _SPACES.fullmatch(toks.gap(nxt)):
            nxt += 1  # "ella de vries"
        if nxt >= len(toks.words) or toks.possessive[i] or not _SPACES.fullmatch(toks.gap(nxt)):
            return False
        low = toks.lower[nxt]
        return (
            len(low) >= 3
            and (low in self.surnames or (len(low) >= 5 and _without_accents(low) in self.surnames))
            and low not in english_words()
            and low not in _FUNCTION_WORDS
            and low not in _MESSAGE_WORDS
            and low not in _NOT_NAMED
            and low not in _PARTICLES
            and low not in _OFFICES
            and _without_accents(low) not in _OFFICES
            and not self.blocked(low)
            and not _is_relation(low)
        )

    def given_before_surname(self, i: int) -> bool:
        """Word ``i`` ("mia", "mio": of ``_MY``, given names of the gazetteer that are no word) is followed by a
        surname of the gazetteer (without its accents from five letters) that is no English word, function word,
        relation or noun said after "my" (``_POSSESSED_NOUNS``): "mia rossi", "mia fernández" (the gate's detector
        reads a full name there too)."""
        toks = self.toks
        low, nxt = toks.lower[i], toks.lower[i + 1]
        if low not in _MY or low in self.words or low not in self.given or low in english_words():
            return False
        return (
            (nxt in self.surnames or (len(nxt) >= 5 and _without_accents(nxt) in self.surnames))
            and nxt not in english_words()
            and nxt not in _FUNCTION_WORDS
            and nxt not in _POSSESSED_NOUNS
            and _without_accents(nxt) not in _POSSESSED_NOUNS
            and not self.blocked(nxt)
            and not _is_relation(nxt)
        )

    def before_call(self, i: int) -> bool:
        """Word ``i`` is a given name of the gazetteer that is no common word (its accents off), an infinitive of
        calling after it, one space between: "lena anrufen", "sanne bellen" (review of 2026-12-07, evening)."""
        toks, nxt = self.toks, i + 1
        if nxt + 1 < len(toks.words) and toks.lower[nxt] == "bitte" and not toks.possessive[nxt]:
            if _SPACES.fullmatch(toks.gap(nxt)) is None:
                return False
            nxt += 1  # "lena bitte anrufen" (second review of 2026-12-07)
        if nxt >= len(toks.words) or toks.lower[nxt] not in _CALLED_AFTER or toks.possessive[i]:
            return False
        low = toks.lower[i]
        plain = _without_accents(low)
        # (second review: also a given name that is a word, "maria anrufen"; not a function word, "ich werde dann
        # anrufen", "ik ga dan bellen", nor a pronoun)
        return (
            _SPACES.fullmatch(toks.gap(nxt)) is not None
            and not self.blocked(low)
            and low not in _MESSAGE_WORDS
            and low not in _FUNCTION_WORDS
            and low not in _NOT_NAMED
            and low not in self.pronouns
            and (self.given_name(low) or self.given_name(plain) or low in self.given or plain in self.given)
        )

    def given_and_surname(self, i: int) -> bool:
        """In English text, word ``i`` is a capitalised given name of the gazetteer, also one that is an
        English word, and the next a capitalised surname of it, also an English word, one space between:
        after a meeting, a sending or a weak cue ("lunch with John Smith", "talk to Bill Brown", "send
        it to Mark Hill"), where a given name that is a word alone is none ("meeting with Will"). Not a
        place, a day or a word of the request lists ("from Virginia Beach"). Anywhere it would take "the
        Rose Garden" and "Bill Payment" (both are names of the lists)."""
        toks, nxt = self.toks, i + 1
        if self.english is None or nxt >= len(toks.words) or toks.possessive[i] or toks.gap(nxt) != " ":
            return False
        low, last = toks.lower[i], toks.lower[nxt]
        return (
            low in self.given
            and last in self.surnames
            and _title(toks.words[i])
            and _title(toks.words[nxt])
            and not self.blocked(last)
            and low not in _PLACES
            and last not in _PLACES
            and last not in _CALENDAR
        )

    def named_before_a_verb(self, i: int) -> bool:
        """Word ``i`` is a given name that is a noun of ``_MESSAGE_WORDS`` ("grace", "joy", "faith",
        "hope") followed by a verb of a message's subject: "text my sister grace is here" (the sister,
        or the one who is here, is named Grace; either way a name). Not "… will be late", "… love you",
        "… hope you're ok" ("will" and "love" are no nouns here, "you" no verb)."""
        toks, nxt = self.toks, i + 1
        return (
            toks.lower[i] in _NAMES_BEFORE_A_VERB
            and not toks.possessive[i]
            and nxt < len(toks.words)
            and toks.gap(nxt) == " "
            and toks.lower[nxt] in _SUBJECT_VERBS
        )

    def paid_full_name(self, i: int) -> bool:
        """Word ``i`` follows a payment verb ("pay", "venmo", "zelle", "paypal") and is a given name of the
        gazetteer, also one that is an English word but a word that starts a message, and the next a
        surname of it that is no word of a payment or of time, in any case: "pay bill smith", "venmo mark
        jones" (not "pay bill online", "pay bill first", "pay chase bank", "pay will later")."""
        toks, nxt = self.toks, i + 1
        if i == 0 or toks.lower[i - 1] not in _PAY_CUES or nxt >= len(toks.words) or toks.gap(nxt) != " ":
            return False
        low, last = toks.lower[i], toks.lower[nxt]
        return (
            low in self.given
            and low not in _MESSAGE_WORDS
            and last in self.surnames
            and last not in _NOT_PAID
            and not toks.possessive[i]
            and not self.blocked(last)
            and last not in _CALENDAR
        )

    def spans(self) -> list[tuple[int, int]]:
        toks = self.toks
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(toks.words):
            # a lower-case word is a name only after a cue (or as a possessive): skip the rest fast
            if (
                not toks.words[i][:1].isupper()
                and not toks.possessive[i]
                and (
                    i == 0
                    or (
                        toks.lower[i - 1] not in _CUE_LAST_WORDS
                        and toks.lower[i - 1] not in _TITLES
                        and not _is_relation(toks.lower[i - 1])
                        and toks.words[i - 1] != "M"  # "M. de La Fontaine"
                        # "my" up to three words before: "mi madrastra lucía", "my step mom linda"
                        and _MY.isdisjoint(toks.lower[max(0, i - 4) : i - 1])
                    )
                )
                and not (self.mailbox and (self.before_mailbox(i) or self.full_name_before_mailbox(i)))
                and not self.before_call(i)
            ):
                i += 1
                continue
            end = self.name_at(i)
            if end is None:
                i += 1
                continue
            out.append((toks.spans[i][0], toks.spans[end - 1][1]))
            i = end
        return out


def name_spans(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Character spans of the person names in ``text`` (see the module docstring)."""
    return _Names(text, lang).spans()


_PAYMENT_SERVICE = re.compile(rf"(?i)\b(?:{_PAYMENT_SERVICES})\b")
# "@sarah-connor-7", "$jsmith": a letter after the sign, letters, digits, "_", "-" or "." after it (not
# "$12", "@ 5", "jo@example.com": a sign after a word is an e-mail's)
_SIGNED_HANDLE = re.compile(r"(?<![\w@$])[@$][^\W\d_](?:[\w.\-]*\w)?")
# "venmo jsmith87", "paypal me sarah_connor", "zelle jo-anne-77": a word with a digit or "_" (or two
# hyphens or dots) right after the service (a name the rules above read; "venmo sarah 20" is one)
_BARE_HANDLE = re.compile(
    rf"(?i)\b(?:{_PAYMENT_SERVICES})(?:[ ]+me)?[ ]+(?P<handle>[^\W\d_](?:[\w.\-]*\w)?)(?![\w@])"
)


_SOCIAL_CONTEXT = re.compile(rf"(?i)\b(?:{_SOCIAL})\b")
_AT_HANDLE = re.compile(r"(?<![\w@$])@[^\W\d_](?:[\w.\-]*\w)?")
_NAMED_HANDLE = re.compile(
    rf"(?i)\b(?:{_HANDLE_NAMES})(?:[ ]+(?:is|ist|est|es|è|é))?:?[ ]+(?P<handle>[^\W\d_](?:[\w.\-]*\w)?)(?![\w@])"
)


def redact_social_handles(text: str) -> str:
    """``text`` with each "@" handle in a text of a social network or a handle (``_SOCIAL``), and each word
    with a digit or "_" named a handle or user name (``_NAMED_HANDLE``), replaced by ``[NAME]``."""
    if _SOCIAL_CONTEXT.search(text):
        text = _AT_HANDLE.sub("[NAME]", text)

    def named(match: re.Match[str]) -> str:
        handle = match.group("handle")
        if any(c.isdigit() or c == "_" for c in handle):
            return match.group()[: match.start("handle") - match.start()] + "[NAME]"
        return match.group()

    return _NAMED_HANDLE.sub(named, text)


def redact_payment_handles(text: str) -> str:
    """``text`` with each payment handle (``_SIGNED_HANDLE`` in a text naming a payment service,
    ``_BARE_HANDLE``) replaced by ``[NAME]``: a handle names the person who is paid; and each social
    handle (``redact_social_handles``)."""
    text = redact_social_handles(text)
    if not _PAYMENT_SERVICE.search(text):
        return text
    text = _SIGNED_HANDLE.sub("[NAME]", text)

    def bare(match: re.Match[str]) -> str:
        handle = match.group("handle")
        if any(c.isdigit() or c == "_" for c in handle) or handle.count("-") + handle.count(".") >= 2:
            return match.group()[: match.start("handle") - match.start()] + "[NAME]"
        return match.group()

    return _BARE_HANDLE.sub(bare, text)


def redact_names(text: str, lang: str | None = None) -> str:
    """``text`` with every person name (see the module docstring) replaced by ``[NAME]``.

    ``lang``: the row's language; capitalised words unknown to the gazetteer count as a name
    only in English text (German capitalises every noun).
    """
    text = redact_payment_handles(text)
    text = replace_spans(text, name_spans(text, lang), "[NAME]")
    if any(h in text for h in _JA_STATEMENT_HINTS):
        text = _JA_STATED.sub(_ja_stated, text)
    if any(h in text for h in _HONORIFICS):
        text = _JA_NAME.sub(lambda m: m.group() if m.group(1) in _JA_KIN else "[NAME]" + m.group(2), text)
    return text


def _ja_stated(match: re.Match) -> str:
    group = "name" if match.group("name") is not None else "said"
    if match.group(group) in _JA_NOT_STATED:
        return match.group()
    start, end = match.span(group)
    whole = match.group()
    return whole[: start - match.start()] + "[NAME]" + whole[end - match.start() :]
