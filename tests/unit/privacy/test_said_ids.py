"""``privacy.said.SaidIds``: the texts that say the id of a customer who deleted everything, found
without comparing every id with every text. Whatever it leaves out before ``says_id`` must be a text
``says_id`` would not find: each test compares it with ``says_id`` on every (text, id) pair."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pyarrow as pa
import pytest

from utterance_governance.privacy.said import (
    DIGITS_TO_SEARCH_BY,
    FEW_DIGIT_FORMS_ASKED,
    FORMS_A_PASS,
    IDS_SOUGHT_AT_ONCE,
    SaidIds,
    delete_all_spellings,
)
from utterance_governance.rules.quality import says_id


def _brute(texts: list[str | None], names: list[str]) -> dict[int, set[str]]:
    column = pa.array(texts, pa.string())
    out: dict[int, set[str]] = {}
    for name in names:
        for row in np.flatnonzero(says_id(column, pa.array([name] * len(texts), pa.string()))).tolist():
            out.setdefault(row, set()).add(name)
    return out


def _found(texts: list[str | None], names: list[str]) -> dict[int, set[str]]:
    return SaidIds({name: [f"req-{i}"] for i, name in enumerate(names)}).found(pa.array(texts, pa.string()))


NAMES = [
    "canary-cust-7Q4Z",  # letters and digits, in any notation
    "acct.8823+1907",
    "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3",  # a UUID
    "ｃａｎａｒｙ－ｃｕｓｔ－７Ｑ４Ｚ",  # full width: read as the plain id
    "lettersonlyid",  # no digit: looked for in every text
    "a.b.c.d.e.f.",  # bare too short, long as written
    "zz-00000000",  # only zeros
    "müller-4471x",  # past ASCII
]
TEXTS = [
    "share my playlist with canary-cust-7Q4Z please",
    "share it with CANARY CUST 7q4z",
    "canary_cust_7Q4Z!",
    "ｃａｎａｒｙ－ｃｕｓｔ－７Ｑ４Ｚ",
    "für canary-cust-7q4z, bitte",
    "ping acct.8823+1907 now",
    "acct 8823 1907",
    "acct 8823 19 07 and more",
    "the id is 6F1C2B7E90AA4D1EB0C42F9D1E7A55C3",
    "{6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3}",
    "Letters Only ID here",
    "lettersonlyid",
    "a.b.c.d.e.f. said as written",
    "abcdef is not it",
    "zz 0000 0000",
    "zz-0000000",  # one zero short
    "Müller-4471X rief an",
    "mueller 4471x",
    "canary cust ⁷q⁴z",  # superscript digits: NFKC makes them digits
    "canary cust ⑦q④z",  # circled digits
    "acct 8823",  # the digits cut over two rows: never one row's
    "1907 is the rest",
    "what is the weather",
    None,
    "",
]


MANY_DIGITS = [name for name in NAMES if sum(c.isdigit() for c in unicodedata.normalize("NFKC", name)) >= 4]


@pytest.mark.parametrize("names", [NAMES, MANY_DIGITS], ids=["every_text_made_bare", "by_digits_first"])
def test_it_finds_what_says_id_finds_on_every_pair(names):
    assert (
        SaidIds({n: ["r"] for n in MANY_DIGITS}).fewest_digits >= DIGITS_TO_SEARCH_BY
    )  # (both ways are taken)
    assert _found(TEXTS, names) == _brute(TEXTS, names)
    assert _found(TEXTS, names)  # (and finds something: the comparison is not empty on both sides)


def test_an_accent_joined_to_the_last_letter_still_says_the_id_as_written():
    """ "…7q4ze" then a combining acute: NFKC makes the e an é, so the letters and digits no longer hold
    the id, but the text holds it as written (``says_id``'s other reading)."""
    texts = ["it is canary-cust-7q4ze\u0301 ok", "canary-cust-7q4zé"]
    names = ["canary-cust-7q4ze"]
    assert _found(texts, names) == _brute(texts, names) == {0: {"canary-cust-7q4ze"}}


def test_digits_cut_over_two_texts_are_no_match():
    """The texts' digits are searched side by side: a match must lie within one text."""
    assert _found(["acct 8823", "1907 acct"], ["acct.8823+1907"]) == {}


def _among_words(rng: random.Random, words: list[str], said, count: int) -> list[str]:
    """``count`` texts of up to 6 of ``words``, 4 in 10 with ``said()`` (an id, written or said) among them."""
    texts = []
    for _ in range(count):
        parts = [rng.choice(words) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.4:
            parts.insert(rng.randint(0, len(parts)), said())
        texts.append(" ".join(parts))
    return texts


@pytest.mark.parametrize("few_digits", [True, False], ids=["every_text_made_bare", "by_digits_first"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_texts_and_ids(seed, few_digits):
    """Random ids (with and without digits, shared prefixes, other notations) said, half said, or said
    with a digit changed, among other text; more ids than one RE2 pass looks for."""
    rng = random.Random(seed)
    alphabet = "abcdefghjkmnpqrstuvwxyz0123456789"

    def an_id() -> str:
        kind = rng.random()
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 12)))
        if kind < 0.15 and few_digits:
            body = "".join(c for c in body if c.isalpha()) + "xyzw"  # no digit
        elif not few_digits:
            body += str(rng.randrange(1000, 10_000))
        return rng.choice(["cust-", "acct_", "", "CUS"]) + body

    names = sorted({an_id() for _ in range(IDS_SOUGHT_AT_ONCE + 40)})
    assert (SaidIds({n: ["r"] for n in names}).fewest_digits >= DIGITS_TO_SEARCH_BY) is not few_digits

    def notation(name: str) -> str:
        choice = rng.random()
        if choice < 0.3:
            return " ".join(name[i : i + 3] for i in range(0, len(name), 3)).upper()
        if choice < 0.4:
            return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)  # full width
        if choice < 0.5:
            return name[: len(name) // 2]
        if choice < 0.6:
            digits = [i for i, c in enumerate(name) if c.isdigit()]
            if digits:
                i = rng.choice(digits)
                return name[:i] + str((int(name[i]) + 1) % 10) + name[i + 1 :]
        return name

    words = ["call", "my", "number", "is", "12", "play", "the", "song", "999", "ok", "über", "⁵"]
    texts = _among_words(rng, words, lambda: notation(rng.choice(names)), 1500)
    found = _found(texts, names)
    assert found == _brute(texts, names)
    assert len(found) > 100


def test_many_ids_cost_one_pass():
    """20,000 delete-alls: the texts are searched by their digits once, not once per group of ids."""
    rng = random.Random(7)
    names = [f"cust-{rng.getrandbits(40):010x}{rng.randrange(10)}" for _ in range(20_000)]
    texts = [
        f"share this with {names[i]} please" if i % 97 == 0 else f"call me at {i} ok" for i in range(3000)
    ]
    found = _found(texts, names)
    assert sorted(found) == [i for i in range(3000) if i % 97 == 0]
    assert all(found[i] == {names[i]} for i in found)


def test_requests_of_the_spellings():
    deletions = pa.table({"request_id": ["d1", "d2"], "customer_id": ["canary-cust-7Q4Z", "acct.8823+1907"],
                          "scope": ["all", "all"]})  # fmt: skip
    said = SaidIds(delete_all_spellings(deletions))
    found = said.found(pa.array(["it was CANARY-CUST-7q4z", "acct 8823 1907", "nothing"], pa.string()))
    assert {row: said.requests_of(names) for row, names in found.items()} == {0: ["d1"], 1: ["d2"]}


def test_the_characters_folding_to_ascii_letters_are_every_one_unicode_has():
    """``FOLDS_TO_ASCII``: every character NFKC leaves as it is whose letters and digits (``bare_id``) hold
    an ASCII one, and nothing else."""
    import pyarrow.compute as pc

    from utterance_governance.privacy.said import FOLDS_TO_ASCII
    from utterance_governance.rules.quality import bare_id

    codes = [code for code in range(0x80, 0x110000) if not 0xD800 <= code < 0xE000]
    chars = pa.array([chr(code) for code in codes], pa.string())
    matched = {
        codes[i] for i in np.flatnonzero(pc.match_substring_regex(chars, FOLDS_TO_ASCII).to_numpy(False))
    }
    wanted = {
        code
        for code in codes
        if unicodedata.normalize("NFKC", chr(code)) == chr(code)
        and any(c.isascii() for c in bare_id(chr(code)))
    }
    assert matched == wanted and wanted


@pytest.mark.parametrize("text", ["kunde ẞ-cust-417 hier", "CUST-İD-417", "cuſt-417-id", "ｃｕｓｔ-４１７-id",
                                  "cust-ǰ-417", "kunde cust-id-417 ist"])  # fmt: skip
def test_letters_that_fold_to_ascii_are_read_as_bare_id_reads_them(text):
    """Ids with fewer than ``DIGITS_TO_SEARCH_BY`` digits (looked for by their letters too)."""
    names = ["sscust417", "cust-id-417", "cust-j-417", "cust-417-id"]
    assert SaidIds({n: ["r"] for n in names}).fewest_digits < DIGITS_TO_SEARCH_BY
    assert _found([text], names) == _brute([text], names) != {}


@pytest.mark.parametrize(
    "count", [FORMS_A_PASS + 4, FEW_DIGIT_FORMS_ASKED + 1], ids=["two_re2_passes", "all_bare"]
)
def test_ids_with_few_digits_asked_by_re2_in_passes_or_every_text_made_bare(count):
    rng = random.Random(count)
    names = ["cus_" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGH") for _ in range(12)) + str(i % 10)
             for i in range(count)]  # fmt: skip
    texts = [f"send it to {n[:6]} {n[6:].upper()} now" for n in names[::3]] + ["nothing here", names[-1][:-1]]
    found = _found(texts, names)
    assert found == _brute(texts, names) and len(found) == len(names[::3])


def test_the_same_delete_alls_are_made_ready_once_per_process():
    """Each file of a run reads the privacy state again: its ids are made ready once; other requests, anew."""
    from utterance_governance.privacy.said import said_ids_of

    deletions = pa.table({"request_id": ["d1", "d2"], "customer_id": ["canary-cust-7Q4Z", "acct.8823+1907"],
                          "scope": ["all", "range"]})  # fmt: skip
    first = said_ids_of(deletions)
    assert said_ids_of(pa.table(deletions.to_pydict())) is first
    assert first.requests_of(first.requests) == ["d1"]
    more = said_ids_of(pa.concat_tables([deletions, pa.table({"request_id": ["d3"], "customer_id": ["acct.8823+1907"],
                                                               "scope": ["all"]})]))  # fmt: skip
    assert more is not first and more.requests_of(more.requests) == ["d1", "d3"]


# --- an id said with its digits as words -------------------------------------------------------------------
_SAID_AS = {  # a digit as a word, in each language the phone-number redaction reads
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "de": ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
}


def _brute_spoken(texts: list[str | None], names: list[str]) -> dict[int, set[str]]:
    """``_brute`` and, row by row, every id whose read-out form (``id_read_out``) the text read out holds."""
    from utterance_governance.rules.quality import id_read_out, read_out

    out = _brute(texts, names)
    for row, text in enumerate(texts):
        for name in names:
            said = id_read_out(name)
            if text is not None and said is not None and said[0] in read_out(text):
                out.setdefault(row, set()).add(name)
    return out


def test_an_id_said_with_its_digits_as_words_is_found():
    names = ["canary-cust-7Q4Z", "ZX81QW55", "acct-4417-2291", "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3"]
    texts = [
        "share my playlist with canary cust seven q four z please",
        "log me in as z x eight one q w five five",
        "z x eighty one q w double five",
        "mein konto ist a c c t vier vier eins sieben zwei zwei neun eins",
        "ｃａｎａｒｙ ｃｕｓｔ seven q four z",
        "set an alarm for seven thirty",  # benign: no id
        "canary cust seven q four",  # a digit short
        "z x eight one q w five six",  # a digit wrong
        "play some jazz",
        None,
    ]
    found = _found(texts, names)
    assert found == _brute_spoken(texts, names)
    assert set(found) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("seed", [1, 2])
def test_ids_said_as_words_in_generated_texts(seed):
    """Random ids with digits, said with their digits as words of one language (or written, or half said,
    or a digit changed) among other words, numbers said as words included: the prefilters leave out no
    text the row-by-row reading finds, and find no other."""
    rng = random.Random(seed)
    letters = "abcdefghjkmnpqrstuvwxyz"

    def an_id() -> str:
        parts = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 6))) for _ in range(2)]
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 6)))
        return rng.choice(["cust-", "", "acct_"]) + parts[0] + digits + parts[1]

    names = sorted({an_id() for _ in range(300)})

    def said(name: str) -> str:
        language = rng.choice(sorted(_SAID_AS))
        words = [(_SAID_AS[language][int(c)] if c.isdigit() else c) for c in name if c.isalnum()]
        if rng.random() < 0.2:  # spelled out as written, a 0 as the letter o
            return " ".join(rng.choice("oO") if c == "0" else c for c in name if c.isalnum())
        if rng.random() < 0.2:
            words = words[: len(words) // 2]
        if rng.random() < 0.2:
            at = rng.randrange(len(words))
            words[at] = rng.choice(_SAID_AS["en"])
        return " ".join(words)

    filler = [
        "call",
        "my",
        "number",
        "is",
        "seven",
        "thirty",
        "play",
        "track",
        "two",
        "ok",
        "vier",
        "drei",
        "uno",
    ]
    texts = _among_words(rng, filler, lambda: said(rng.choice(names)), 1200)
    found = _found(texts, names)
    assert found == _brute_spoken(texts, names)
    assert len(found) > 100


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # an English number word after a letter past ASCII (Chinese has no spaces; an accented letter):
        # ``read_out`` reads English runs between ASCII word boundaries, so it reads "triple seven" as 777
        ("777-wang-li", "请分享给triple seven wang li"),
        ("777-abcd-xy", "我的账号是triple seven abcd xy"),
        ("custé555", "custétriple five"),
        # case folding makes "İ" an "i" and a combining dot, "ǰ" a "j" and a caron: the mark ends the word,
        # and the number word after it is read
        ("ali7ali7ali4", "ALİSEVEN ALİSEVEN ALİFOUR"),
        ("acct-nfjj70", "für acct-nfǰǰsieben ₀ please"),
        # a letter o for a 0, no word for a digit ("a spoken 0 and the letter o are one letter")
        ("canary-cust-7Q0Z", "share it with canary cust 7 Q O Z"),
        ("acct-10203040", "my account is acct 1o2o3o4o"),
    ],
)
def test_a_number_word_glued_to_a_letter_past_ascii_is_read_as_read_out_reads_it(name, text):
    assert _found([text], [name]) == _brute_spoken([text], [name]) == {0: {name}}
