"""A record that names its customer in another notation of the same id still reaches the customer.

A customer id that is a UUID is one id however a tool writes it (``{…}``, ``urn:uuid:…``, 32 digits
without hyphens, upper case); an id typed through an East Asian input method comes in full-width forms
(``ｚｅｄ－７ｆ`` for ``zed-7f``). A deletion, an opt-out or an unreadable record naming the customer so
matched nothing: the receipt said completed while the utterance stayed live, the opt-out withdrew
nothing, the hold held nobody. The record's id keeps its canonical form (speaker keys do not change);
its other spellings (``state.other_spellings``) are reached as its other-case spellings were.
"""

from __future__ import annotations

import json
import unicodedata

import pyarrow as pa
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt

from utterance_governance import schema as S
from utterance_governance.privacy import PrivacyState, canonical_id, canonical_ids
from utterance_governance.privacy.identity import full_width as identity_full_width
from utterance_governance.privacy.state import SPELLINGS, other_spellings

DT = "landing/utterances/dt=2026-11-20"
CUST = "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3"  # as the devices send it
OTHER = "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c4"  # another customer: one digit apart
BARE = CUST.replace("-", "")
# every notation a record or the data may use
NOTATIONS = [
    CUST.upper(),
    f"{{{CUST}}}",
    f"{{{CUST.upper()}}}",
    f"urn:uuid:{CUST}",
    f"urn:uuid:{CUST.upper()}",
    f"URN:UUID:{CUST.upper()}",
    BARE,
    BARE.upper(),
]
# the reviewer's: what the record says
NAMED = [f"{{{CUST}}}", f"urn:uuid:{CUST}", BARE, f"{{{CUST.upper()}}}"]
FULLWIDTH = {
    "fullwidth": ("zed-7f", "ｚｅｄ－７ｆ"),
    "fullwidth-upper": ("zed-7f", "ＺＥＤ－７Ｆ"),
    "fullwidth-digits": ("acct-88231907", "acct-８８２３１９０７"),
}


def consent_line(event_id: str, customer: str, status: str) -> bytes:
    at = "2026-11-25T00:00:00Z"
    return json.dumps({"event_id": event_id, "customer_id": customer, "purpose": "model_training",
                       "status": status, "effective_at": at, "recorded_at": at, "source": "support"}).encode() + b"\n"  # fmt: skip


def publish(lake: Lake, customer: str) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", customer, "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}


def deleted_everywhere(lake: Lake) -> None:
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-kept"}
    assert left_in_lake(lake, "tulips") == []


# --- through the pipeline: publish, then the privacy run ---------------------------------------------
@pytest.mark.parametrize("named", NAMED)
def test_a_delete_all_naming_a_uuid_customer_in_another_notation_deletes_every_copy(lake, named):
    publish(lake, CUST)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", named))
    lake.privacy()
    deleted_everywhere(lake)


@pytest.mark.parametrize("stored", [f"{{{CUST.upper()}}}", BARE, f"urn:uuid:{CUST}"])
def test_a_delete_all_reaches_a_uuid_customer_the_data_writes_in_another_notation(lake, stored):
    """Whichever notation the data uses: the record says it as the devices mostly do."""
    publish(lake, stored)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", CUST))
    lake.privacy()
    deleted_everywhere(lake)


@pytest.mark.parametrize("named", NAMED)
def test_an_opt_out_naming_a_uuid_customer_in_another_notation_withdraws_the_live_rows(lake, named):
    publish(lake, CUST)
    lake.storage.write_bytes("landing/consent/c.jsonl", consent_line("e1", named, "opted_out"))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


@pytest.mark.parametrize("named", NAMED)
def test_an_unreadable_record_naming_a_uuid_customer_in_another_notation_holds_the_customer(lake, named):
    """Doubt withdraws: an opt-out whose status no one can read holds the customer it names."""
    publish(lake, CUST)
    lake.storage.write_bytes("landing/consent/c.jsonl", consent_line("e1", named, "opted-out-please"))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


def test_a_record_naming_another_uuid_reaches_nobody_here(lake):
    """Control: a UUID one digit apart, in another notation, deletes and withdraws nothing of this customer."""
    publish(lake, CUST)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", f"{{{OTHER.upper()}}}"))
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", consent_line("e1", OTHER.replace("-", ""), "opted_out")
    )
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-zed", "u-kept"}


@pytest.mark.parametrize("case", list(FULLWIDTH))
def test_a_delete_all_naming_the_customer_in_full_width_deletes_every_copy(lake, case):
    stored, named = FULLWIDTH[case]
    publish(lake, stored)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", named))
    lake.privacy()
    deleted_everywhere(lake)


@pytest.mark.parametrize("named", ["zed-7f", "ZED-7F"])
def test_a_delete_all_reaches_a_customer_the_data_writes_in_full_width(lake, named):
    """The other way round: the device's id is full-width, the request is typed in ASCII."""
    publish(lake, "ｚｅｄ－７ｆ")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", named))
    lake.privacy()
    deleted_everywhere(lake)


def test_an_opt_out_naming_the_customer_in_full_width_withdraws_the_live_rows(lake):
    publish(lake, "zed-7f")
    lake.storage.write_bytes("landing/consent/c.jsonl", consent_line("e1", "ｚｅｄ－７ｆ", "opted_out"))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


# --- the state: what a record reaches -----------------------------------------------------------------
def deletions(*customers: str) -> pa.Table:
    rows = [{"request_id": f"r{i}", "customer_id": c, "scope": "all", "requested_at": None, "from": None, "to": None,
             "utterance_ids": None} for i, c in enumerate(customers)]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=S.DELETION)


def opt_outs(*customers: str) -> pa.Table:
    rows = [{"event_id": f"e{i}", "customer_id": c, "purpose": S.TRAINING_PURPOSE, "status": "opted_out",
             "effective_at": None, "recorded_at": None, "source": "app"} for i, c in enumerate(customers)]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=S.CONSENT)


@pytest.mark.parametrize("named", NOTATIONS)
def test_the_state_reaches_every_notation_of_a_uuid_from_any_other(named):
    deleted = PrivacyState(deletions=deletions(named)).deletion_requests.column("customer_id").to_pylist()
    assert deleted[0] == named  # the record keeps its own id
    assert {CUST, *NOTATIONS} <= set(deleted)
    assert PrivacyState(held_customers=frozenset({named})).doubted_customers >= {CUST, *NOTATIONS}
    assert PrivacyState(consent=opt_outs(named)).opt_out_spellings[CUST] == [named]
    state = PrivacyState(deletions=deletions(named))
    assert OTHER not in state.customers.to_pylist()


@pytest.mark.parametrize(
    ("named", "reached"),
    [
        *((wide, ascii_id) for ascii_id, wide in FULLWIDTH.values()),
        ("zed-7f", "ｚｅｄ－７ｆ"),
        ("zed-7f", "ＺＥＤ－７Ｆ"),
        ("ZED-7F", "ｚｅｄ－７ｆ"),
        ("acct-８８２３１９０７", "ａｃｃｔ－８８２３１９０７"),  # by way of its NFKC form
        ("acct-88231907", "ａｃｃｔ－８８２３１９０７"),  # (not its half full-width spellings: 2^n of them)
    ],
)
def test_the_state_reaches_compatibility_spellings_both_ways(named, reached):
    assert reached in PrivacyState(deletions=deletions(named)).customers.to_pylist()
    assert reached in PrivacyState(held_customers=frozenset({named})).doubted_customers
    assert PrivacyState(consent=opt_outs(named)).opt_out_spellings[reached] == [named]


# --- the spellings themselves --------------------------------------------------------------------------
def full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def spellings_of(ids: list[str | None]) -> dict[str, list[str]]:
    """customer → its other spellings, as ``other_spellings`` pairs them."""
    pairs = other_spellings(pa.array(ids, pa.string()))
    assert pairs.schema == SPELLINGS
    out: dict[str, list[str]] = {}
    for row in pairs.to_pylist():
        out.setdefault(row["customer"], []).append(row["spelling"])
    return out


def test_other_spellings_of_a_uuid_are_its_notations_and_no_other_uuid():
    spelled = spellings_of([CUST, f"urn:uuid:{BARE}"])
    assert set(NOTATIONS) <= set(spelled[CUST])
    assert CUST not in spelled[CUST]  # other spellings only
    assert {full_width(CUST), full_width(CUST.upper())} <= set(spelled[CUST])
    assert not any(OTHER.replace("-", "") in s.replace("-", "").lower() for s in spelled[CUST])
    assert CUST in spelled[f"urn:uuid:{BARE}"]  # a notation listed utterance ids accept too
    assert "urn:uuid:" + OTHER not in spellings_of([f"{{{CUST}}}"])[f"{{{CUST}}}"]
    for named in NOTATIONS:
        assert CUST in spellings_of([named])[named]


def test_other_spellings_of_an_ascii_id_are_its_cases_and_their_full_width_forms():
    spelled = spellings_of(["Zed-7f", "a b", "42", "zed-7f", None, " zed-7f "])
    assert set(spelled) == {"Zed-7f", "a b", "42", "zed-7f"}  # canonical, distinct; the canonical form kept
    assert sorted(spelled["Zed-7f"]) == sorted(
        ["zed-7f", "ZED-7F", "Ｚｅｄ－７ｆ", "ｚｅｄ－７ｆ", "ＺＥＤ－７Ｆ"]
    )
    assert sorted(spelled["a b"]) == sorted(["A B", "ａ ｂ", "Ａ Ｂ"])  # a space has no full-width form here
    assert spelled["42"] == ["４２"]


def test_other_spellings_of_a_compatibility_spelling_are_its_nfkc_form_and_its_cases():
    named = ["ｚｅｄ－７ｆ", "acct-８８２３１９０７", "ﬁle-9", "Ⅻ-１", "straße", f"｛{CUST}｝"]
    spelled = spellings_of(named)
    assert {"zed-7f", "ZED-7F", "ＺＥＤ－７Ｆ"} <= set(spelled["ｚｅｄ－７ｆ"])
    assert "acct-88231907" in spelled["acct-８８２３１９０７"]
    assert "file-9" in spelled["ﬁle-9"]
    assert "XII-1" in spelled["Ⅻ-１"]
    assert "strasse" in spelled["straße"] and "STRASSE" in spelled["straße"]  # the case spellings stay
    assert {CUST, BARE} <= set(spelled[f"｛{CUST}｝"])  # a full-width URN-ish UUID: its NFKC form is a UUID
    for customer, spellings in spelled.items():
        assert customer not in spellings and len(set(spellings)) == len(spellings)
        assert all(unicodedata.is_normalized("NFC", s) for s in spellings)


def test_the_canonical_form_of_every_spelling_is_itself():
    """Regression guard (passes before the fix too): the spellings are reached, not folded into one id, so
    the speaker keys of data already published under any of them stay what they are."""
    for spelled in (*NOTATIONS, *(wide for _, wide in FULLWIDTH.values())):
        assert canonical_id(spelled) == spelled


def test_full_width_and_canonical_ids_agree_with_python_on_mixed_values():
    """``full_width`` rewrites UTF-8 bytes, and ``canonical_ids`` reads ASCII's full-width forms in Arrow
    (every ASCII id's full-width spelling passes through it): both against plain Python, value by value."""
    import random

    rng = random.Random(11)
    pool = [chr(c) for c in range(0x20, 0x80)] + [chr(c) for c in range(0xFF00, 0xFF70)]
    pool += ["\u3000", "\u00a0", "\u0301", "é", "\t", "\u200b", "\ufffd", "中"]
    values = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) for _ in range(5000)] + [None]
    array = pa.array(values, pa.string())
    for sliced in (array, array.slice(17, 900)):
        expected = [full_width(v) if v is not None and v.isascii() else None for v in sliced.to_pylist()]
        assert identity_full_width(sliced).to_pylist() == expected
    assert canonical_ids(array).to_pylist() == [canonical_id(v) for v in values]
