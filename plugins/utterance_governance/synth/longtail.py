"""The long tail of what customers ask: requests with several slots (tasks, dates, times, places,
quantities, sums), so that most exchanges differ from one another as real traffic does.

The short commands of ``templates`` ("stop", "next song", "what time is it") repeat themselves
by nature; most of a real night is not them. Each allowed language gets a handful of templates
whose slots multiply to millions of exchanges (a reminder: task x date x time; a shopping list:
two quantities and two items; a drive: place x time x duration), weighted to about three
quarters of the language's traffic. Places, items and tasks come from this module's own lists
(never from the gazetteers redaction reads), and none of them names a person.
"""

from __future__ import annotations

from .templates import CLOCK_FORMAT, WEEKDAYS, number_words

# Share of a language's traffic the long-tail templates get (the rest: ``templates``' own).
LONG_TAIL_SHARE = 0.75

# Places: towns, landmarks and shops with no person's name in them (language-neutral spellings).
_PLACES = [
    "the airport", "the train station", "the stadium", "the zoo", "the harbour", "the museum",
    "the hospital", "the library", "the mall", "the beach", "the university", "downtown",
    "amsterdam", "rotterdam", "lyon", "marseille", "bordeaux", "madrid", "sevilla", "valencia",
    "bilbao", "milano", "torino", "napoli", "bologna", "porto", "lisboa", "recife", "curitiba",
    "osaka", "kyoto", "nagoya", "sapporo", "nuremberg", "hannover", "dortmund", "bremen",
    "salzburg", "innsbruck", "zurich", "geneva", "brussels", "antwerp", "glasgow", "leeds",
    "sheffield", "cardiff", "belfast", "toronto", "ottawa", "calgary", "winnipeg", "halifax",
    "seattle", "denver", "phoenix", "atlanta", "chicago", "boston", "miami", "pittsburgh",
    "sacramento", "tucson", "omaha", "tulsa", "memphis", "oakland", "fresno", "anchorage",
    "brisbane", "adelaide", "canberra", "pune", "chennai", "kolkata", "monterrey", "puebla",
]  # fmt: skip

_MONTHS = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"),
    "de": ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
}  # fmt: skip

# date phrases: (on a weekday, on day d of month m); {w}, {d}, {m}
_DATE_FORMS = {
    "en": ("on {w}", "on {m} {d}"),
    "de": ("am {w}", "am {d}. {m}"),
    "fr": ("{w}", "le {d} {m}"),
    "es": ("el {w}", "el {d} de {m}"),
    "it": ("{w}", "il {d} {m}"),
    "nl": ("op {w}", "op {d} {m}"),
    "pt": ("na {w}", "no dia {d} de {m}"),
}

# verbs x objects: tasks to be reminded of
_TASKS = {
    "en": (["pick up", "drop off", "order", "return", "clean", "check", "book", "pay for", "renew",
            "cancel", "buy", "fix", "charge", "pack", "print"],
           ["the dry cleaning", "the car", "the groceries", "the parcel", "the tickets", "the printer",
            "the insurance", "the bike", "the oven", "the library books", "the gym membership",
            "the train pass", "the plants", "the laptop", "the boots", "the camera", "the tent",
            "the winter tyres", "the water filter", "the passport photos", "the keys", "the rug"]),
    "de": (["abholen", "abgeben", "bestellen", "zurückbringen", "putzen", "prüfen", "buchen",
            "bezahlen", "verlängern", "kündigen", "kaufen", "reparieren", "einpacken"],
           ["die wäsche", "das auto", "die einkäufe", "das paket", "die tickets", "den drucker",
            "die versicherung", "das fahrrad", "den ofen", "die bücher", "den fitnessvertrag",
            "die bahncard", "die pflanzen", "den laptop", "die stiefel", "die kamera", "das zelt",
            "die winterreifen", "den wasserfilter", "die passfotos", "die schlüssel"]),
    "fr": (["récupérer", "déposer", "commander", "rendre", "nettoyer", "vérifier", "réserver",
            "payer", "renouveler", "annuler", "acheter", "réparer", "emballer"],
           ["le linge", "la voiture", "les courses", "le colis", "les billets", "l'imprimante",
            "l'assurance", "le vélo", "le four", "les livres", "l'abonnement de sport",
            "le pass navigo", "les plantes", "l'ordinateur", "les bottes", "l'appareil photo",
            "la tente", "les pneus neige", "le filtre à eau", "les photos d'identité", "les clés"]),
    "es": (["recoger", "dejar", "pedir", "devolver", "limpiar", "revisar", "reservar", "pagar",
            "renovar", "cancelar", "comprar", "arreglar", "empaquetar"],
           ["la ropa", "el coche", "la compra", "el paquete", "las entradas", "la impresora",
            "el seguro", "la bici", "el horno", "los libros", "el gimnasio", "el abono de transporte",
            "las plantas", "el portátil", "las botas", "la cámara", "la tienda de campaña",
            "las ruedas", "el filtro de agua", "las fotos de carnet", "las llaves"]),
    "it": (["ritirare", "consegnare", "ordinare", "restituire", "pulire", "controllare", "prenotare",
            "pagare", "rinnovare", "disdire", "comprare", "riparare"],
           ["il bucato", "la macchina", "la spesa", "il pacco", "i biglietti", "la stampante",
            "l'assicurazione", "la bici", "il forno", "i libri", "l'abbonamento", "le piante",
            "il portatile", "gli stivali", "la fotocamera", "la tenda", "le gomme", "le chiavi"]),
    "nl": (["ophalen", "afgeven", "bestellen", "terugbrengen", "schoonmaken", "controleren",
            "boeken", "betalen", "verlengen", "opzeggen", "kopen", "repareren"],
           ["de was", "de auto", "de boodschappen", "het pakket", "de kaartjes", "de printer",
            "de verzekering", "de fiets", "de oven", "de boeken", "het abonnement", "de planten",
            "de laptop", "de laarzen", "de camera", "de tent", "de banden", "de sleutels"]),
    "pt": (["buscar", "deixar", "pedir", "devolver", "limpar", "verificar", "reservar", "pagar",
            "renovar", "cancelar", "comprar", "consertar"],
           ["a roupa", "o carro", "as compras", "o pacote", "os ingressos", "a impressora",
            "o seguro", "a bicicleta", "o forno", "os livros", "a academia", "as plantas",
            "o notebook", "as botas", "a câmera", "a barraca", "os pneus", "as chaves"]),
}  # fmt: skip

# (quantity words 1..12 come from number_words), items
_ITEMS = {
    "en": ["apples", "bagels", "lemons", "cans of tomatoes", "bottles of water", "rolls of foil",
           "bags of rice", "jars of honey", "packs of gum", "avocados", "onions", "carrots",
           "boxes of tea", "bars of soap", "limes", "peppers", "pears", "cans of tuna", "muffins",
           "packs of batteries", "light bulbs", "sponges", "cartons of eggs", "tins of beans"],
    "de": ["äpfel", "brötchen", "zitronen", "dosen tomaten", "flaschen wasser", "rollen alufolie",
           "tüten reis", "gläser honig", "avocados", "zwiebeln", "karotten", "packungen tee",
           "stück seife", "limetten", "paprika", "birnen", "dosen thunfisch", "batterien",
           "glühbirnen", "schwämme", "packungen eier", "dosen bohnen"],
    "fr": ["pommes", "baguettes", "citrons", "boîtes de tomates", "bouteilles d'eau",
           "rouleaux d'alu", "sachets de riz", "pots de miel", "avocats", "oignons", "carottes",
           "boîtes de thé", "savons", "citrons verts", "poivrons", "poires", "boîtes de thon",
           "piles", "ampoules", "éponges", "boîtes d'œufs", "croissants"],
    "es": ["manzanas", "barras de pan", "limones", "latas de tomate", "botellas de agua",
           "rollos de papel", "bolsas de arroz", "tarros de miel", "aguacates", "cebollas",
           "zanahorias", "cajas de té", "jabones", "limas", "pimientos", "peras", "latas de atún",
           "pilas", "bombillas", "esponjas", "docenas de huevos", "magdalenas"],
    "it": ["mele", "panini", "limoni", "barattoli di pomodoro", "bottiglie d'acqua", "sacchetti di riso",
           "vasetti di miele", "avocado", "cipolle", "carote", "scatole di tè", "saponette",
           "peperoni", "pere", "scatolette di tonno", "pile", "lampadine", "spugne", "cornetti"],
    "nl": ["appels", "broodjes", "citroenen", "blikken tomaten", "flessen water", "zakken rijst",
           "potten honing", "avocado's", "uien", "wortels", "doosjes thee", "stukken zeep",
           "paprika's", "peren", "blikjes tonijn", "batterijen", "lampen", "sponzen", "croissants"],
    "pt": ["maçãs", "pães", "limões", "latas de tomate", "garrafas de água", "pacotes de arroz",
           "potes de mel", "abacates", "cebolas", "cenouras", "caixas de chá", "sabonetes",
           "pimentões", "peras", "latas de atum", "pilhas", "lâmpadas", "esponjas", "bananas"],
}  # fmt: skip
_LISTS = {
    "en": ["shopping", "grocery", "costco", "weekend", "party", "camping"],
    "de": ["einkaufs", "wochenend", "party", "camping", "drogerie"],
    "fr": ["courses", "week-end", "fête", "camping", "pharmacie"],
    "es": ["compra", "fin de semana", "fiesta", "camping", "farmacia"],
    "it": ["spesa", "weekend", "festa", "campeggio"],
    "nl": ["boodschappen", "weekend", "feest", "camping"],
    "pt": ["compras", "fim de semana", "festa", "acampamento"],
}
_CONDITIONS = {
    "en": ["sunny", "cloudy", "rainy", "windy", "foggy", "snowy", "stormy", "clear", "humid"],
    "de": ["sonnig", "bewölkt", "regnerisch", "windig", "neblig", "verschneit", "stürmisch", "klar"],
    "fr": ["ensoleillé", "nuageux", "pluvieux", "venteux", "brumeux", "neigeux", "orageux", "dégagé"],
    "es": ["soleado", "nublado", "lluvioso", "ventoso", "con niebla", "con nieve", "tormentoso"],
    "it": ["soleggiato", "nuvoloso", "piovoso", "ventoso", "nebbioso", "nevoso", "temporalesco"],
    "nl": ["zonnig", "bewolkt", "regenachtig", "winderig", "mistig", "besneeuwd", "stormachtig"],
    "pt": ["ensolarado", "nublado", "chuvoso", "com vento", "com neblina", "com neve", "tempestuoso"],
}
_MODES = {
    "en": ["car", "bike", "bus", "train", "foot"],
    "de": ["auto", "fahrrad", "bus", "zug"],
    "fr": ["voiture", "vélo", "bus", "train"],
    "es": ["coche", "bici", "autobús", "tren"],
    "it": ["macchina", "bici", "autobus", "treno"],
    "nl": ["auto", "fiets", "bus", "trein"],
    "pt": ["carro", "bicicleta", "ônibus", "trem"],
}
_MINUTES_WORD = {"en": "minutes", "de": "Minuten", "fr": "minutes", "es": "minutos", "it": "minuti",
                 "nl": "minuten", "pt": "minutos"}  # fmt: skip
_TAILS = {
    "en": ["", "", "", "please", "thanks", "for me", "real quick", "if you can", "okay", "again"],
    "de": ["", "", "", "bitte", "danke", "mal", "jetzt", "schnell"],
    "fr": ["", "", "", "s'il te plaît", "merci", "stp", "vite"],
    "es": ["", "", "", "por favor", "gracias", "ahora", "rápido"],
    "it": ["", "", "", "per favore", "grazie", "adesso"],
    "nl": ["", "", "", "alsjeblieft", "dank je", "even"],
    "pt": ["", "", "", "por favor", "obrigado", "agora"],
}
# arithmetic: (question, answer) with {a} {b} {c}
_SUMS = {
    "en": (("what's {a} times {b}", "{a} times {b} is {c}."), ("what's {a} plus {b}", "{a} plus {b} is {c}.")),
    "de": (("was ist {a} mal {b}", "{a} mal {b} ist {c}."), ("was ist {a} plus {b}", "{a} plus {b} ist {c}.")),
    "fr": (("combien font {a} fois {b}", "{a} fois {b} font {c}."), ("combien font {a} plus {b}", "{a} plus {b} font {c}.")),
    "es": (("cuánto es {a} por {b}", "{a} por {b} son {c}."), ("cuánto es {a} más {b}", "{a} más {b} son {c}.")),
    "it": (("quanto fa {a} per {b}", "{a} per {b} fa {c}."), ("quanto fa {a} più {b}", "{a} più {b} fa {c}.")),
    "nl": (("hoeveel is {a} keer {b}", "{a} keer {b} is {c}."), ("hoeveel is {a} plus {b}", "{a} plus {b} is {c}.")),
    "pt": (("quanto é {a} vezes {b}", "{a} vezes {b} é {c}."), ("quanto é {a} mais {b}", "{a} mais {b} é {c}.")),
}  # fmt: skip

# (intent, weight, transcript, response) per language; weights within the long tail
_TEMPLATES = {
    "en": [
        ("reminder", 3, "remind me to {lt_task} {lt_date} at {lt_clock}{lt_tail}", "OK, I'll remind you {lt_date} at {lt_clock} to {lt_task}."),
        ("shopping", 3, "add {lt_qty} {lt_item} and {lt_qty2} {lt_item2} to my {lt_list} list{lt_tail}", "I've added {lt_qty} {lt_item} and {lt_qty2} {lt_item2} to your {lt_list} list."),
        ("weather", 2, "what's the weather in {lt_place} {lt_date}{lt_tail}", "In {lt_place} {lt_date} it'll be {lt_cond}, with a high of {lt_high} and a low of {lt_low} degrees."),
        ("traffic", 2, "how long to get to {lt_place} by {lt_mode} at {lt_clock}{lt_tail}", "Leaving at {lt_clock}, it's about {lt_mins} by {lt_mode}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
        ("calendar", 2, "move my {lt_clock} meeting to {lt_clock2} {lt_date}{lt_tail}", "Done, your {lt_clock} meeting is now at {lt_clock2} {lt_date}."),
        ("smart_home", 2, "set the {lt_room} to {lt_degrees} degrees at {lt_clock}{lt_tail}", "OK, the {lt_room} will be at {lt_degrees} degrees from {lt_clock}."),
    ],
    "de": [
        ("reminder", 3, "erinnere mich {lt_date} um {lt_clock} {lt_task}{lt_tail}", "Okay, ich erinnere dich {lt_date} um {lt_clock}: {lt_task}."),
        ("shopping", 3, "setz {lt_qty} {lt_item} und {lt_qty2} {lt_item2} auf die {lt_list}liste{lt_tail}", "Ich habe {lt_qty} {lt_item} und {lt_qty2} {lt_item2} auf die {lt_list}liste gesetzt."),
        ("weather", 2, "wie wird das wetter in {lt_place} {lt_date}{lt_tail}", "In {lt_place} wird es {lt_date} {lt_cond}, bis {lt_high} Grad, nachts {lt_low} Grad."),
        ("traffic", 2, "wie lange brauche ich mit dem {lt_mode} nach {lt_place} um {lt_clock}{lt_tail}", "Um {lt_clock} brauchst du mit dem {lt_mode} etwa {lt_mins}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
        ("calendar", 2, "verschieb den termin um {lt_clock} auf {lt_clock2} {lt_date}{lt_tail}", "Erledigt, der Termin ist jetzt {lt_date} um {lt_clock2}."),
    ],
    "fr": [
        ("reminder", 3, "rappelle-moi de {lt_task} {lt_date} à {lt_clock}{lt_tail}", "D'accord, je te rappellerai {lt_date} à {lt_clock} de {lt_task}."),
        ("shopping", 3, "ajoute {lt_qty} {lt_item} et {lt_qty2} {lt_item2} à la liste {lt_list}{lt_tail}", "J'ai ajouté {lt_qty} {lt_item} et {lt_qty2} {lt_item2} à la liste {lt_list}."),
        ("weather", 2, "quel temps fera-t-il à {lt_place} {lt_date}{lt_tail}", "À {lt_place} {lt_date}, temps {lt_cond}, {lt_high} degrés au maximum et {lt_low} au minimum."),
        ("traffic", 2, "combien de temps pour aller à {lt_place} en {lt_mode} à {lt_clock}{lt_tail}", "En partant à {lt_clock}, environ {lt_mins} en {lt_mode}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
        ("calendar", 2, "décale ma réunion de {lt_clock} à {lt_clock2} {lt_date}{lt_tail}", "C'est fait, la réunion est {lt_date} à {lt_clock2}."),
    ],
    "es": [
        ("reminder", 3, "recuérdame {lt_task} {lt_date} a las {lt_clock}{lt_tail}", "Vale, te recordaré {lt_date} a las {lt_clock} {lt_task}."),
        ("shopping", 3, "añade {lt_qty} {lt_item} y {lt_qty2} {lt_item2} a la lista de {lt_list}{lt_tail}", "He añadido {lt_qty} {lt_item} y {lt_qty2} {lt_item2} a la lista de {lt_list}."),
        ("weather", 2, "qué tiempo hará en {lt_place} {lt_date}{lt_tail}", "En {lt_place} {lt_date} estará {lt_cond}, con máxima de {lt_high} y mínima de {lt_low} grados."),
        ("traffic", 2, "cuánto tardo a {lt_place} en {lt_mode} a las {lt_clock}{lt_tail}", "Saliendo a las {lt_clock}, unos {lt_mins} en {lt_mode}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
        ("calendar", 2, "mueve la reunión de las {lt_clock} a las {lt_clock2} {lt_date}{lt_tail}", "Hecho, la reunión es {lt_date} a las {lt_clock2}."),
    ],
    "it": [
        ("reminder", 3, "ricordami di {lt_task} {lt_date} alle {lt_clock}{lt_tail}", "Va bene, te lo ricorderò {lt_date} alle {lt_clock}: {lt_task}."),
        ("shopping", 3, "aggiungi {lt_qty} {lt_item} e {lt_qty2} {lt_item2} alla lista {lt_list}{lt_tail}", "Ho aggiunto {lt_qty} {lt_item} e {lt_qty2} {lt_item2} alla lista {lt_list}."),
        ("weather", 2, "che tempo farà a {lt_place} {lt_date}{lt_tail}", "A {lt_place} {lt_date} sarà {lt_cond}, massima {lt_high} e minima {lt_low} gradi."),
        ("traffic", 2, "quanto ci metto per {lt_place} in {lt_mode} alle {lt_clock}{lt_tail}", "Partendo alle {lt_clock}, circa {lt_mins} in {lt_mode}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
    ],
    "nl": [
        ("reminder", 3, "herinner me {lt_date} om {lt_clock} aan {lt_task}{lt_tail}", "Oké, ik herinner je {lt_date} om {lt_clock}: {lt_task}."),
        ("shopping", 3, "zet {lt_qty} {lt_item} en {lt_qty2} {lt_item2} op de {lt_list}lijst{lt_tail}", "Ik heb {lt_qty} {lt_item} en {lt_qty2} {lt_item2} op de {lt_list}lijst gezet."),
        ("weather", 2, "wat voor weer wordt het in {lt_place} {lt_date}{lt_tail}", "In {lt_place} wordt het {lt_date} {lt_cond}, maximaal {lt_high} en minimaal {lt_low} graden."),
        ("traffic", 2, "hoe lang met de {lt_mode} naar {lt_place} om {lt_clock}{lt_tail}", "Om {lt_clock} ben je met de {lt_mode} ongeveer {lt_mins} onderweg."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
    ],
    "pt": [
        ("reminder", 3, "me lembra de {lt_task} {lt_date} às {lt_clock}{lt_tail}", "Tá bom, vou te lembrar {lt_date} às {lt_clock} de {lt_task}."),
        ("shopping", 3, "adiciona {lt_qty} {lt_item} e {lt_qty2} {lt_item2} na lista de {lt_list}{lt_tail}", "Adicionei {lt_qty} {lt_item} e {lt_qty2} {lt_item2} na lista de {lt_list}."),
        ("weather", 2, "como vai estar o tempo em {lt_place} {lt_date}{lt_tail}", "Em {lt_place} {lt_date} vai estar {lt_cond}, máxima de {lt_high} e mínima de {lt_low} graus."),
        ("traffic", 2, "quanto tempo até {lt_place} de {lt_mode} às {lt_clock}{lt_tail}", "Saindo às {lt_clock}, cerca de {lt_mins} de {lt_mode}."),
        ("knowledge", 2, "{lt_sum}{lt_tail}", "{lt_sum}"),
    ],
    "ja": [
        ("reminder", 3, "{lt_date}の{lt_clock}に{lt_task}をリマインドして", "{lt_date}の{lt_clock}に{lt_task}をお知らせします。"),
        ("weather", 2, "{lt_date}の{lt_place}の天気は", "{lt_date}の{lt_place}は{lt_cond}、最高{lt_high}度、最低{lt_low}度です。"),
        ("knowledge", 2, "{lt_sum}", "{lt_sum}"),
        ("traffic", 2, "{lt_clock}に出たら{lt_place}まで何分かかる", "{lt_clock}に出発すると約{lt_mins}です。"),
    ],
}  # fmt: skip

_JA = {
    "places": ["東京駅", "大阪", "京都", "名古屋", "札幌", "福岡", "横浜", "神戸", "仙台", "広島", "空港",
               "渋谷", "新宿", "梅田", "博多", "那覇", "金沢", "奈良"],
    "tasks": ["牛乳を買う", "薬を飲む", "ゴミを出す", "荷物を受け取る", "洗濯物を取り込む", "会議の資料を送る",
              "植物に水をやる", "家賃を払う", "車を洗う", "本を返す", "歯医者に電話する", "切符を買う"],
    "conds": ["晴れ", "曇り", "雨", "雪", "晴れのち曇り", "曇りのち雨"],
    "sums": (("{a}かける{b}は", "{a}かける{b}は{c}です。"), ("{a}たす{b}は", "{a}たす{b}は{c}です。")),
}  # fmt: skip


def _pairs(values) -> list[tuple[str, str]]:
    return [v if isinstance(v, tuple) else (v, v) for v in values]


def _spoken_number(n: int, lang: str) -> str:
    """Numbers up to 100 as words in two of three (ASR writes both), larger ones as digits."""
    return number_words(n, lang) if n <= 100 and n % 3 and lang in ("en", "de", "fr", "es") else str(n)


def _spoken_clock(lang: str, h: int, m: int) -> str | None:
    """The time as ASR writes it spoken out (en, de, fr, es), or None."""
    if lang == "en":
        minutes = "" if not m else f" oh {number_words(m, 'en')}" if m < 10 else f" {number_words(m, 'en')}"
        return f"{number_words(h % 12 or 12, 'en')}{minutes} {'a.m.' if h < 12 else 'p.m.'}"
    if lang == "de":
        return f"{number_words(h, 'de')} uhr" + (f" {number_words(m, 'de')}" if m else "")
    if lang == "fr":
        return f"{number_words(h, 'fr')} heures" + (f" {number_words(m, 'fr')}" if m else "")
    if lang == "es":
        return number_words(h % 12 or 12, "es") + (f" y {number_words(m, 'es')}" if m else "")
    return None


def _clocks(lang: str) -> list[tuple[str, str]]:
    """Times every five minutes; in two of three, spoken out where the language has the words."""
    out = []
    for h in range(6, 23):
        for m in range(0, 60, 5):
            spoken, display = CLOCK_FORMAT[lang](h, m)
            words = _spoken_clock(lang, h, m)
            out.append((words if words and (h + m // 5) % 3 else spoken, display))
    return out


def _dates(lang: str) -> list[tuple[str, str]]:
    if lang == "ja":
        return [(f"{m}月{d}日",) * 2 for m in range(1, 13) for d in range(1, 29)] + [
            (w, w) for w in WEEKDAYS["ja"]
        ]
    weekday, day = _DATE_FORMS[lang]
    out = [(weekday.format(w=w.lower()), weekday.format(w=w)) for w in WEEKDAYS[lang]]
    for month in _MONTHS[lang]:
        shown = month.capitalize() if lang in ("en", "de") else month
        for d in range(1, 29):
            said = _spoken_number(d, lang) if lang != "de" else str(d)  # "am 14. märz"
            out.append((day.format(d=said, m=month), day.format(d=d, m=shown)))
    return out


def _sums(lang: str) -> list[tuple[str, str]]:
    times, plus = _JA["sums"] if lang == "ja" else _SUMS[lang]
    out = []
    for a in range(2, 100):
        for b in range(2, 100, 3):
            spoken_a, spoken_b = _spoken_number(a, lang), _spoken_number(b, lang)
            out.append((times[0].format(a=spoken_a, b=spoken_b), times[1].format(a=a, b=b, c=a * b)))
            x, y = a * 7 + b, b * 11 + a
            out.append((plus[0].format(a=x, b=y), plus[1].format(a=x, b=y, c=x + y)))
    return out


def _minutes(lang: str) -> list[tuple[str, str]]:
    unit = "分" if lang == "ja" else " " + _MINUTES_WORD[lang]
    return [(f"{n}{unit}",) * 2 for n in range(4, 180)]


def pools(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The long-tail slot pools of ``lang`` (every entry a (spoken, display) pair)."""
    if lang == "ja":
        out = {
            "lt_place": _pairs(_JA["places"]),
            "lt_task": _pairs(_JA["tasks"]),
            "lt_cond": _pairs(_JA["conds"]),
        }
    else:
        verbs, objects = _TASKS[lang]
        if lang == "de":  # "die wäsche abzuholen", "das paket zu bestellen"
            verbs = [v.replace("ab", "abzu", 1) if v.startswith("ab") else "zu " + v for v in verbs]
        tasks = [f"{o} {v}" if lang in ("de", "nl") else f"{v} {o}" for v in verbs for o in objects]
        quantities = [(_spoken_number(n, lang), str(n)) for n in range(2, 25)]
        out = {
            "lt_place": _pairs(_PLACES),
            "lt_task": _pairs(tasks),
            "lt_qty": quantities,
            "lt_qty2": quantities,
            "lt_item": _pairs(_ITEMS[lang]),
            "lt_item2": _pairs(_ITEMS[lang]),
            "lt_list": _pairs(_LISTS[lang]),
            "lt_cond": _pairs(_CONDITIONS[lang]),
            "lt_mode": _pairs(_MODES[lang]),
            "lt_tail": [(f" {t}" if t else "", "") for t in _TAILS[lang]],
            "lt_clock2": _clocks(lang),
        }
        if lang == "en":
            out["lt_room"] = _pairs(["living room", "bedroom", "kids room", "office", "basement", "guest room",
                                     "kitchen", "nursery", "study", "upstairs", "downstairs", "garage"])  # fmt: skip
            out["lt_degrees"] = [(_spoken_number(n, lang), str(n)) for n in range(58, 80)]
    out.update(
        lt_date=_dates(lang),
        lt_clock=_clocks(lang),
        lt_high=_pairs([str(t) for t in range(12, 40)]),
        lt_low=_pairs([str(t) for t in range(-8, 12)]),
        lt_mins=_minutes(lang),
        lt_sum=_sums(lang),
    )
    return out


def templates(lang: str, weight_of_the_rest: float) -> list[tuple[str, float, str, str | None]]:
    """The long-tail templates of ``lang``, weighted to ``LONG_TAIL_SHARE`` of its traffic."""
    rows = _TEMPLATES.get(lang, [])
    total = sum(weight for _, weight, _, _ in rows)
    scale = weight_of_the_rest * LONG_TAIL_SHARE / (1 - LONG_TAIL_SHARE) / total if rows else 0
    return [(intent, weight * scale, transcript, response) for intent, weight, transcript, response in rows]
