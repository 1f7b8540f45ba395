"""A customer id said in a turn, or read back by the assistant, is never published (SPEC §3.1; review 10,
F10): ``quality:turn_names_speaker``. A name that is also someone's short id, and ids redaction already
took, publish as before."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from tests.unit.purge.test_every_copy_edges import DT, line

from utterance_governance.rules.base import Frame
from utterance_governance.rules.quality import TurnNamesSpeaker, bare_id


def _published(lake) -> str:
    from utterance_governance.publish.commit import read_current, read_manifest

    current = read_current(lake.storage, "assistant-sft")
    if current is None:
        return ""
    manifest = read_manifest(lake.storage, "assistant-sft", current["version"])
    return json.dumps([lake.storage.read_parquet(f"published/assistant-sft/{s['path']}").to_pylist()
                       for s in manifest["shards"]], default=str)  # fmt: skip


@pytest.mark.parametrize("customer,transcript,response", [
    ("acct-88231907", "what is the balance on my account", "The balance of account acct-88231907 is 20 dollars."),
    ("acct-88231907", "my account number is acct-88231907 what is my balance", "It is 20 dollars."),
    ("ZX81QW55", "log me in as ZX81QW55 please", "Done."),
    ("ZX81QW55", "log me in as zx81 qw55 please", "Done."),
    ("ZX81QW55", "log me in as ＺＸ８１ＱＷ５５ please", "Done."),
    ("6f1c2b7e-90aa-4c1e-8d2f-0123456789ab", "what is my id", "Your id is 6f1c2b7e-90aa-4c1e-8d2f-0123456789ab."),
    ("cus_NffrFeUfNV2Hib", "what is my customer number", "It is cus_NffrFeUfNV2Hib."),
    ("cus_NffrFeUfNV2Hib", "what is my customer number", "It is cus NffrFeUfNV2Hib."),
])  # fmt: skip
def test_the_customer_id_in_a_turn_is_not_published(lake, customer, transcript, response):
    row = json.loads(line("u-1", customer, transcript))
    row["response"] = response
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n" + line("u-2", "bob", "what time is it")
    )
    lake.publish()
    text = _published(lake)
    assert "u-2" in text  # the night published
    assert bare_id(customer) not in bare_id(text), f"the customer id is published: {text[:400]}"


def _frame(customers, users, assistants, devices=None) -> Frame:
    columns = {"customer_id": pa.array(customers, pa.string())}
    if devices is not None:
        columns["device_id"] = pa.array(devices, pa.string())
    return Frame(pa.table(columns), None, None, derived={
        "user_text": pa.array(users, pa.string()), "assistant_text": pa.array(assistants, pa.string())})  # fmt: skip


def test_which_rows_say_their_own_id():
    frame = _frame(
        ["bob", "ZX81QW55", "ZX81QW55", "ZX81QW55", "abcdefgh12", "mariagarcia", "ab-12-cd", "ab-12-cd", None],
        ["call bob", "play ZX81QW56", "log in as zx81qw55", "what time is it", "it is ABCDEFGH-12",
         "call maria garcia", "code ab 12 cd", "code AB-12-CD", "hello"],
        ["Calling bob.", "Playing.", None, "It is noon. ZX81QW55", "", "", "", "", "ZX81QW55"],
        devices=[None, None, None, None, None, None, None, None, "ZX81QW55"],
    )  # fmt: skip
    assert TurnNamesSpeaker().excludes(frame).tolist() == [
        False,  # "bob": too short an id to look for in speech
        False,  # another id
        True,
        True,  # read back by the assistant
        True,  # its letters and digits in another notation
        True,  # an id of letters only, 8 or more: a name said as one word is the id
        False,  # 6 letters and digits: only as written
        True,  # as written, case aside
        True,  # the device's id
    ]


def test_a_chunked_turn_and_an_empty_batch():
    frame = _frame([], [], [])
    assert TurnNamesSpeaker().excludes(frame).tolist() == []
    chunked = Frame(pa.table({"customer_id": pa.chunked_array([["ZX81QW55"], ["ZX81QW55"]])}), None, None, derived={
        "user_text": pa.chunked_array([["ZX81QW55"], ["hello"]]),
        "assistant_text": pa.chunked_array([[None], ["hi"]], pa.string())})  # fmt: skip
    assert TurnNamesSpeaker().excludes(chunked).tolist() == [True, False]


def test_the_characters_nfkc_makes_a_digit_of_are_the_class_the_rule_reads():
    import re
    import sys
    import unicodedata

    from utterance_governance.rules.quality import COMPAT_DIGITS

    python = re.compile(
        re.sub(r"\\x\{([0-9a-f]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", COMPAT_DIGITS)
    )
    makes_a_digit = [
        c
        for c in range(0x80, sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and any("0" <= d <= "9" for d in unicodedata.normalize("NFKC", chr(c)))
    ]
    assert makes_a_digit and all(python.fullmatch(chr(c)) for c in makes_a_digit)
    assert sum(1 for c in range(0x80, 0x20000) if python.fullmatch(chr(c))) == len(makes_a_digit)


def test_digits_only():
    from utterance_governance.rules.quality import digits_only

    values = pa.array(["a1b22", None, "", "xyz", "９9", "7"], pa.string()).slice(0)
    assert digits_only(values).to_pylist() == ["122", None, "", "", "9", "7"]
    assert digits_only(values.slice(1, 3)).to_pylist() == [None, "", ""]


def test_an_id_without_digits_or_past_ascii_is_read_in_every_turn():
    frame = _frame(
        ["janedoe-xyz", "janedoe-xyz", "zoë-müller-01", "zoë-müller-01", "acct-00042", "acct-00042"],
        ["it is JANEDOE XYZ", "it is jane", "ich bin ZOË MÜLLER 01", "ich bin zoe", "acct ⁰⁰⁰⁴²", "acct 4 2"],
        ["", "", "", "", "", ""],
    )
    assert TurnNamesSpeaker().excludes(frame).tolist() == [True, False, True, False, True, False]


def test_ascii_digit_counts():
    from utterance_governance.rules.quality import ascii_digit_counts

    values = pa.array(["a1b22", None, "", "xyz", "９9", "", "7"], pa.string())
    assert ascii_digit_counts(values).tolist() == [3, 0, 0, 0, 1, 0, 1]
    assert ascii_digit_counts(values.slice(4, 3)).tolist() == [1, 0, 1]
    assert ascii_digit_counts(pa.array([], pa.string())).tolist() == []
    assert ascii_digit_counts(pa.array(["", None], pa.string())).tolist() == [0, 0]
