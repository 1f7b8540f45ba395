"""A customer's or device's id said with its digits as words ("z x eight one q w five five") is never
published (SPEC §3.1, §5: numbers arrive spelled out; review 15b, F03): ``quality:turn_names_speaker``
reads the turn with its spoken digits as digits too. Sentences that only hold number words publish."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from tests.unit.purge.test_every_copy_edges import DT, line
from tests.unit.rules.test_turn_names_speaker import _published

from utterance_governance.rules.base import Frame
from utterance_governance.rules.quality import TurnNamesSpeaker, read_out

CANARY = "canary-cust-7Q4Z"


@pytest.mark.parametrize(
    ("customer", "said"),
    [("ZX81QW55", "log me in as z x eight one q w five five"),
     (CANARY, "my account is canary cust seven q four z")],
    ids=["login-spelled-out", "canary-spelled-out"],
)  # fmt: skip
def test_a_customers_own_id_said_with_digits_as_words_is_not_published(lake, customer, said):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-1", customer, said) + line("u-2", "bob", "what is the weather")
    )
    lake.publish()
    text = _published(lake)
    assert "u-2" in text  # the night published
    assert "u-1" not in text and said not in text, text[:400]


def _frame(customers, users, assistants=None, devices=None) -> Frame:
    columns = {"customer_id": pa.array(customers, pa.string())}
    if devices is not None:
        columns["device_id"] = pa.array(devices, pa.string())
    assistants = assistants if assistants is not None else [""] * len(users)
    return Frame(pa.table(columns), None, None, derived={
        "user_text": pa.array(users, pa.string()), "assistant_text": pa.array(assistants, pa.string())})  # fmt: skip


@pytest.mark.parametrize(
    ("customer", "user", "assistant"),
    [
        ("ZX81QW55", "log me in as z x eight one q w five five", "Done."),
        ("ZX81QW55", "log me in as Z X EIGHT ONE Q W FIVE FIVE", "Done."),
        ("ZX81QW55", "log me in as z x eighty one q w double five", "Done."),
        ("ZX81QW55", "log me in as zx eight 1 qw 5 five", "Done."),
        ("ZX81QW55", "log me in as ｚ ｘ ｅｉｇｈｔ ｏｎｅ ｑ ｗ ｆｉｖｅ ｆｉｖｅ", "Done."),
        ("ZX81QW55", "what is my login", "It is z x eight one q w five five."),
        (CANARY, "my account is canary cust seven q four z", "Done."),
        (CANARY, "my account is canary-cust-seven-Q-four-Z", "Done."),
        ("ZX80QW55", "log me in as z x eight oh q w five five", "Done."),
        ("ZX80QW55", "log me in as z x eight o q w five five", "Done."),
        ("ZX80QW55", "log me in as z x eight zero q w five five", "Done."),
        ("88231907", "my account is eight eight two three one nine oh seven", "Done."),
        ("kunde-4711-b", "mein konto ist kunde vier sieben eins eins b", "Gerne."),
        ("client-7294x", "mon compte est client sept deux neuf quatre x", "D'accord."),
        ("cliente-38a", "mi cuenta es cliente tres ocho a", "Vale."),
        ("cust-one-4z9", "it is cust one four z nine", "Done."),
        ("cust-one-4z9", "it is cust 1 four z 9", "Done."),  # the letters of "one" are not said
        ("acct-8823x1907", "it is a c c t eight eight two three x one nine oh seven", "Done."),
        # an English word after a letter past ASCII, which ``read_out`` reads as a word boundary
        ("777-wang-li", "请分享给triple seven wang li", "好的"),
        ("00777-wang", "我的账号是 double oh triple seven wang", "好的"),
        ("custé555", "custétriple five", "Done."),
        # case folding makes "İ" an "i" and a mark that ends the word before the number word
        ("ali7ali7ali4", "ALİSEVEN ALİSEVEN ALİFOUR", "Done."),
        # an id's letter past ASCII in a turn past ASCII (NumPy's bare turn left it out); a word after one
        ("cüst7q4z81", "my id is cüst seven q four z eight one", "Done."),
        ("11111111", "éeleven eleven eleven eleven", "Done."),
        # a letter o for a 0, no word for a digit (speech recognition writing "oh" as the letter)
        ("canary-cust-7Q0Z", "share it with canary cust 7 Q O Z", "Done."),
        ("acct-10203040", "my account is acct 1o2o3o4o", "Done."),
        ("ZX80QW55", "log me in as zx8oqw55", "Done."),
    ],
)  # fmt: skip
def test_an_id_said_with_digits_as_words_is_excluded(customer, user, assistant):
    assert TurnNamesSpeaker().excludes(_frame([customer], [user], [assistant])).tolist() == [True]


def test_the_devices_id_said_with_digits_as_words_is_excluded():
    frame = _frame(["bob"], ["my speaker is dev four f two a nine one"], devices=["dev-4f2a91"])
    assert TurnNamesSpeaker().excludes(frame).tolist() == [True]


@pytest.mark.parametrize(
    ("customer", "user", "assistant"),
    [
        ("ZX81QW55", "set a timer for eight minutes", "Timer set for eight minutes."),
        ("ZX81QW55", "add eight one litre bottles and five five gram packs", "Added."),
        ("acct-88231907", "set a timer for eight minutes", "Eight minutes, starting now."),
        ("acct-88231907", "wake me at eight oh five and again at nine", "Alarms set for 8:05 and 9:00."),
        ("acct-88231907", "add two eggs, one cup of flour and three spoons of sugar", "Added."),
        ("acct-88231907", "play track eight eight two three", "Playing track 8823."),
        ("kunde-4711-b", "stell einen timer auf vier minuten und sieben sekunden", "Gerne."),
        ("client-7294x", "mets sept minutes deux fois", "D'accord."),
        ("canary-cust-7Q4Z", "my account is canary cust seven q four", "Done."),  # not all of it
        ("88231907", "set a timer for eight minutes", "Eight minutes."),  # an id of digits only
        ("88231907", "play track eight eight two three one nine", "Playing."),  # not all of it
        ("abcdefghij", "one two three four five", "Done."),  # an id without digits: as before
        ("ab-12-cd", "code a b one two c d", "Done."),  # 6 letters and digits: only as written
        ("acct-10203040", "e o livro tem 3 capítulos", "Sim."),  # an o that is a word, not a 0
        ("canary-cust-7Q0Z", "canary cust 7 Q O", "Done."),  # not all of it
    ],
)  # fmt: skip
def test_a_sentence_with_number_words_is_published(customer, user, assistant):
    assert TurnNamesSpeaker().excludes(_frame([customer], [user], [assistant])).tolist() == [False]


def test_a_batch_of_rows_with_and_without_spoken_ids():
    frame = _frame(
        ["ZX81QW55", "ZX81QW55", "ZX81QW55", None, "bob", "ZX81QW55"],
        ["z x eight one q w five five", "what time is it", None, "z x eight one q w five five",
         "z x eight one q w five five", "set a timer for eight minutes"],
        ["", "It is eight.", "z x eight one q w five five", "", "", None],
        devices=[None, None, None, "ZX81QW55", None, "dev-4f2a91"],
    )  # fmt: skip
    assert TurnNamesSpeaker().excludes(frame).tolist() == [True, False, True, True, False, False]
    chunked = Frame(pa.table({"customer_id": pa.chunked_array([["ZX81QW55"], ["ZX81QW55"]])}), None, None, derived={
        "user_text": pa.chunked_array([["z x eight one q w five five"], ["hello"]]),
        "assistant_text": pa.chunked_array([[None], ["one moment"]], pa.string())})  # fmt: skip
    assert TurnNamesSpeaker().excludes(chunked).tolist() == [True, False]


def test_read_out():
    assert read_out("Z X eight one, Q W double five") == "zx81qw55"
    assert read_out("canary cust seven q four z") == "canarycust7q4z"
    assert read_out("eight oh five") == read_out("eight zero five") == read_out("8 o 5") == "8o5"
    assert read_out("kunde vier sieben eins eins") == "kunde4711"
    assert read_out("twenty five") == "25"
    assert read_out("wake me at six o five, seven o five") == "wakemeat6o57o5"


def test_the_characters_nfkc_may_change_are_the_class_the_gate_reads_again():
    """Past the class, up to U+017E, NFKC and case folding make no ASCII letter or digit, and no
    character is a combining mark: a turn of them reads as RE2 and NumPy's bare forms read it."""
    import re
    import unicodedata

    from utterance_governance.rules.quality import NFKC_MAY_CHANGE

    python = re.compile(
        re.sub(r"\\x\{([0-9a-f]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", NFKC_MAY_CHANGE)
    )
    kept = [chr(c) for c in range(0x80, 0x17F) if not python.fullmatch(chr(c))]
    assert "é" in kept and "ß" not in kept and "²" not in kept and python.fullmatch("\u0308")
    for c in kept:
        assert not re.search("[a-z0-9]", unicodedata.normalize("NFKC", c).casefold()), hex(ord(c))
        assert not unicodedata.category(c).startswith("M"), hex(ord(c))


# --- generated turns: the fast path finds what reading every turn out finds ---------------------------
# Ids that share their first letters (``cust``, as the bench's ids do), hex ids, ids of digits only, ids
# holding a number word, past ASCII, full-width; turns that say them, or part of them, or another id, with
# the digits as words of any supported language, "double", written digits, and number words glued to
# letters past ASCII or to digits ("éseven", "sevenéén", "7seven", "trésix") where the readers' word
# boundaries part.
_WORDS = {
    "0": ["zero", "oh", "o", "null", "cero", "nul", "zéro"],
    "1": ["one", "eins", "un", "uno", "een", "één", "um", "ein"],
    "2": ["two", "zwei", "deux", "dos", "due", "twee", "dois", "TWO"],
    "3": ["three", "drei", "trois", "tres", "tre", "tré", "três", "drie"],
    "4": ["four", "vier", "quatre", "cuatro", "quattro", "quatro", "Four"],
    "5": ["five", "fünf", "fuenf", "cinq", "cinco", "cinque", "vijf", "FÜNF"],
    "6": ["six", "sechs", "seis", "sei", "zes", "meia"],
    "7": ["seven", "sieben", "sept", "siete", "sette", "zeven", "sete"],
    "8": ["eight", "acht", "huit", "ocho", "otto", "oito"],
    "9": ["nine", "neun", "neuf", "nueve", "nove", "negen"],
}
_FILLER = ["set a timer for", "eight minutes", "call mum", "the customer", "my account is", "what is",
           "twenty five", "eleven", "double five", "dev", "cust", "version", "é", "ß", "ｃｕｓｔ", "７",
           "_", "-", "7", "1", "à", "naïve", "Straße", "İ", "ﬁve", "café", "x", "q", "ab"]  # fmt: skip


def _generated_id(rng) -> str:
    kind = rng.randrange(6)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 6)))
    if kind == 0:
        return "cust" + digits + rng.choice(["ab", "qx", "", "z"])
    if kind == 1:
        return "cus-" + "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([6, 12])))
    if kind == 2:
        return rng.choice(["88231907", "11111111", "123456789", digits + digits])
    if kind == 3:
        return rng.choice(["cust-one-4z9", "dev-seven-81q", "acct-two-5x0x"])
    if kind == 4:
        return rng.choice(["kündé-4711-x", "cüst7q4z81", "сust-8412ab"])
    return rng.choice(["ｃｕｓｔ８４１２ａｂ", "cust８４1２ab", "ZX81QW55"])


def _said(rng, uid: str) -> str:
    """``uid`` said: its digits as words or written, its letters as they are or spaced out."""
    parts = []
    for c in uid:
        if c in _WORDS and rng.random() < 0.7:
            parts.append(rng.choice(_WORDS[c]))
        elif c.isalnum() and rng.random() < 0.3:
            parts.append(c.upper() if rng.random() < 0.5 else c)
        else:
            parts.append(c)
    glue = rng.choice([" ", " ", "-", ", ", ""])
    return glue.join(parts)


def _generated_turn(rng, uid: str, other: str) -> str:
    kind = rng.randrange(5)
    filler = " ".join(rng.choice(_FILLER) for _ in range(rng.randint(0, 4)))
    if kind == 0:
        said = _said(rng, uid)
    elif kind == 1:  # part of it
        said = _said(rng, uid[: rng.randint(1, max(1, len(uid) - 1))])
    elif kind == 2:  # someone else's
        said = _said(rng, other)
    elif kind == 3:  # number words only
        said = " ".join(rng.choice(rng.choice(list(_WORDS.values()))) for _ in range(rng.randint(1, 8)))
    else:  # glued to letters past ASCII or to digits
        said = "".join(rng.choice(["é", "7", "_", "", " "]) + rng.choice(rng.choice(list(_WORDS.values())))
                       for _ in range(rng.randint(1, 8)))  # fmt: skip
    return f"{filler} {said} {rng.choice(_FILLER)}".strip()


def _generated_frame(seed: int, n: int) -> tuple[Frame, list[str], list[str], list[str]]:
    import random

    rng = random.Random(seed)
    customers = [_generated_id(rng) for _ in range(n)]
    devices = [_generated_id(rng) for _ in range(n)]
    users = [_generated_turn(rng, customers[k], rng.choice(customers)) for k in range(n)]
    assistants = [_generated_turn(rng, devices[k], rng.choice(devices)) for k in range(n)]
    return _frame(customers, users, assistants, devices), customers, devices, users + assistants


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_path_finds_what_reading_every_turn_out_finds(seed):
    """Against reading out every turn with a word for a digit (``rows``) and looking for each id read out
    (``id_read_out``) in it by Python, row by row. The fast path finds nothing more; and finds all of it
    but for the two gaps it had before digits were asked (``test_known_gaps``): an id read out with a
    letter past ASCII, and an id of digits only (as many digits as the turn may say, ``_may_say``)."""
    from utterance_governance.rules.quality import _digit_bits, _ReadOut, id_read_out

    frame, customers, devices, _ = _generated_frame(seed, 1500)
    turns = [frame.column("user_text"), frame.column("assistant_text")]
    found = compared = 0
    for named in (customers, devices):
        ids = pa.array(named, pa.string())
        read = _ReadOut(turns)
        for i, turn in enumerate(turns):
            rows = read.rows(i)
            fast = set(read.said(i, rows, ids, _digit_bits(ids)).tolist())
            slow, gaps = set(), set()
            for row in rows.tolist():
                said = id_read_out(named[row])
                if said is not None and said[0] in read_out(turn[row].as_py()):
                    (slow if said[0].isascii() and said[1] else gaps).add(row)
            assert fast - gaps == slow, [(named[r], turn[r].as_py()) for r in sorted((fast - gaps) ^ slow)][
                :5
            ]
            found, compared = found + len(slow), compared + len(rows)
    assert found > 100 and compared > 5000  # the generated turns say their ids often enough to test something


@pytest.mark.parametrize("seed", [4, 5])
def test_the_rule_excludes_what_it_excluded_without_asking_digits_first(seed, monkeypatch):
    from utterance_governance.rules import quality

    frame, *_ = _generated_frame(seed, 2000)
    fast = TurnNamesSpeaker().excludes(frame)
    monkeypatch.setattr(
        quality._ReadOut, "_may_say_digits", lambda self, i, at, digits: np.ones(len(at), bool)
    )
    slow = TurnNamesSpeaker().excludes(frame)
    assert fast.sum() > 100 and fast.tolist() == slow.tolist()


def test_a_turn_says_no_digit_read_out_that_says_digit_does_not_find():
    """``_says_digit`` is a necessary condition: every digit 1-9 of a turn read out, where NFKC and case
    folding leave the turn as it is but for case, is found by its RE2 pattern (the turns NFKC may change
    are not asked)."""
    import pyarrow.compute as pc

    from utterance_governance.rules.quality import _SAYS_DIGIT, NFKC_MAY_CHANGE, _past_ascii_matching

    *_, turns = _generated_frame(6, 3000)
    turns += ["two sevenéén", "two trésix", "two éseven", "sevenéén", "7seven", "_one_", "SIEBEN", "FÜNF",
              "zwölf", "twenty-five", "seventeen", "double nine", "x9", "oneself", "someone", "ninety",
              "eighty one", "tréseven"]  # fmt: skip
    texts = pa.array(turns, pa.string())
    asked = ~_past_ascii_matching(texts, NFKC_MAY_CHANGE)
    may = {
        d: np.asarray(pc.match_substring_regex(texts, pattern), dtype=bool)
        for d, pattern in _SAYS_DIGIT.items()
    }
    checked = 0
    for k, text in enumerate(turns):
        if not asked[k]:
            continue
        for digit in set(read_out(text)) & set("123456789"):
            assert may[int(digit)][k], (text, digit, read_out(text))
            checked += 1
    assert checked > 1000
