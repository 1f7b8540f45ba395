"""``quality:turn_names_customer``: the hand-over to ``privacy/said.py``, held rows released, reports."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from tests.unit.privacy import test_turn_names_customer_lifecycle as lifecycle
from tests.unit.privacy.test_turn_names_customer_lifecycle import (
    ALICE,
    BOB,
    DAVE,
    T3,
    TIM,
    _alice_writes,
    _deletion,
    _line,
)

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

lake = lifecycle.lake  # (the fixture: Bob, Dave and Tim published on the first night)


@pytest.mark.parametrize(
    ("who", "text"),
    [
        (DAVE, "add ｄａｖｅ－ａｃｃｔ－９９ｘ１ to the plan"),
        (BOB, "add CUS‐123ABC45 to the plan"),
        (TIM, "add TİM-ACCT-42X7 to the plan"),
        (BOB, f"open https://x.com/u/{BOB} now"),
        (BOB, f"ping @{BOB} about it"),
        (BOB, f"is {BOB}'s phone on?"),
    ],
)
def test_after_a_delete_all_other_spellings_are_still_withheld(lake, who, text):
    """Expected: after the customer's delete-all (their fold pair erased, their ids searched by privacy/said.py),
    Alice's turn writing their id in a spelling turn_names_customer recognised before is still withheld."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion("d1", who))
    lake.privacy(check_deadlines=False)
    _alice_writes(lake, text)
    assert "u-al-1" not in lake.live_ids(), f"a deleted customer's id published: {text!r}"


@pytest.mark.parametrize(
    ("who", "text"),
    [
        (DAVE, "add Dave%2DAcct%2D99x1 to the plan"),  # percent-encoded
        (BOB, "add cus%2D123abc45 to the plan"),
        (TIM, "add tım-acct-42x7 to the plan"),  # Turkish dotless i
    ],
)
def test_after_a_delete_all_the_spellings_turn_names_customer_knew_are_still_withheld(lake, who, text):
    """Expected: before the delete-all, Alice's turn writing the id percent-encoded or with a Turkish dotless i
    is withheld (``quality:turn_names_customer``, held: test_turn_names_customer_lifecycle.py::
    test_other_spellings_of_a_customer_are_recognised); after the customer's delete-all the hand-over to
    ``privacy/said.py`` must keep withholding it (SPEC §3.1, §4 rule 3). Actual: published, with the deleted
    customer's id in it: said.py does not percent-decode nor fold a dotless i, and the rule no longer knows the
    customer (no ledger rows, fold pair erased)."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion("d1", who))
    lake.privacy(check_deadlines=False)
    _alice_writes(lake, text)
    assert "u-al-1" not in lake.live_ids(), f"a deleted customer's id published: {text!r}"


def _consent(event_id: str, customer: str, status: str, at: str) -> bytes:
    return (
        json.dumps(
            {
                "event_id": event_id,
                "customer_id": customer,
                "purpose": "model_training",
                "status": status,
                "effective_at": at,
                "recorded_at": at,
                "source": "app",
            }
        ).encode()
        + b"\n"
    )


def test_a_held_row_naming_a_customer_stays_withheld_once_released(lake):
    """Expected: Alice held (unreadable consent record) on the night she writes Bob's id; her record is then
    readable (opted in): the released row is judged by the rule and not published."""
    lake.storage.write_bytes(
        "landing/consent/c1.jsonl", _consent("e1", ALICE, "opted out?", "2026-11-27T00:00:00Z")
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-26/a2.jsonl", _line("u-al-2", ALICE, "lights on", T3)
    )
    _alice_writes(lake, f"share it with {BOB} please")
    assert not {"u-al-1", "u-al-2"} & lake.live_ids()
    assert lake.storage.list_files("quarantine/held", (".parquet",))
    lake.storage.write_bytes(
        "landing/consent/c2.jsonl", _consent("e2", ALICE, "opted_in", "2026-11-28T00:00:00Z")
    )
    lake.publish()
    assert "u-al-2" in lake.live_ids()  # released
    assert "u-al-1" not in lake.live_ids()


def test_a_reprocess_keeps_the_row_withheld(lake):
    _alice_writes(lake, f"share it with {BOB} please")
    lake.publish({"reprocess": True, "dt_from": "2026-11-26", "dt_to": "2026-11-26"})
    assert "u-al-1" not in lake.live_ids()


def test_the_reason_is_counted_in_reports_and_the_manifest_and_no_raw_id_is_logged(lake, caplog):
    caplog.set_level(logging.DEBUG)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-26/c.jsonl", _line("u-carol-1", "cus-carol-7781", "play some jazz", T3)
    )  # (a new version)
    published = _alice_writes(lake, f"share it with {BOB} please")
    assert "u-carol-1" in lake.live_ids()
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1
    root = Path(lake.storage.root_url.removeprefix("file://"))
    reports = [p for p in root.joinpath("reports").rglob("*") if p.is_file()]
    assert any(TURN_NAMES_CUSTOMER in p.read_text(errors="ignore") for p in reports), (
        "reason not in any report"
    )
    manifests = [p for p in root.joinpath("published").rglob("*.json") if p.is_file()]
    assert any(TURN_NAMES_CUSTOMER in p.read_text(errors="ignore") for p in manifests), (
        "reason not in manifest"
    )
    assert BOB not in caplog.text
    holding = [
        str(p)
        for p in root.joinpath("reports").rglob("*")
        if p.is_file() and BOB in p.read_text(errors="ignore")
    ]
    assert holding == []


def test_a_withdrawn_row_re_decided_is_judged_by_the_rule(lake):
    """Expected: Bob's row writing Carol's id was published before Carol was a customer (allowed then); Carol is
    published later. Bob is then held (unreadable consent record: his rows withdrawn to quarantine/withdrawn)
    and released; the withdrawn rows re-decided (``decide_withdrawn``) are published again only if they pass
    the rules in force, so the row writing Carol's id is not published again. Actual: republished:
    ``decide.decide_withdrawn`` runs ``_naming_deleted_customers`` but not ``rows_naming_customers``."""
    carol = "cus-carol-7781"
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             _line("u-bob-3", BOB, f"invite {carol} to dinner", "2026-11-21T10:00:00Z"))  # fmt: skip
    lake.publish()
    assert "u-bob-3" in lake.live_ids()  # Carol unknown: nobody's id
    lake.storage.write_bytes("landing/utterances/dt=2026-11-22/c.jsonl",
                             _line("u-carol-1", carol, "play some jazz", "2026-11-22T10:00:00Z"))  # fmt: skip
    lake.publish()
    assert "u-carol-1" in lake.live_ids()
    lake.storage.write_bytes(
        "landing/consent/c1.jsonl", _consent("e1", BOB, "opted out?", "2026-11-23T00:00:00Z")
    )
    lake.privacy(check_deadlines=False)
    assert "u-bob-3" not in lake.live_ids()
    lake.storage.write_bytes(
        "landing/consent/c2.jsonl", _consent("e2", BOB, "opted_in", "2026-11-24T00:00:00Z")
    )
    lake.privacy(check_deadlines=False)
    published = lake.publish()
    live = lake.live_ids()
    assert "u-bob-1" in live, (published.get("counts"), live)  # released: his other rows are back
    assert "u-bob-3" not in live, "a row writing another (known) customer's id published again"
