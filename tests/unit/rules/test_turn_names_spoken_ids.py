"""A customer's or device's id said with its digits as words ("z x eight one q w five five") is never
published (SPEC §3.1, §5: numbers arrive spelled out; review 15b, F03): ``quality:turn_names_speaker``
reads the turn with its spoken digits as digits too. Sentences that only hold number words publish."""

from __future__ import annotations

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
