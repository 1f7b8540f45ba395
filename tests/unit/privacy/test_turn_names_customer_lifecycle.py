"""``quality:turn_names_customer`` across the privacy lifecycle (SPEC §3.1: a customer_id never appears
in published output)."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

T1, T2, T3 = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z", "2026-11-26T10:00:00Z"
BOB, DAVE, TIM = "cus-123abc45", "Dave-Acct-99x1", "Tim-Acct-42x7"
ALICE = "cus-alice-0001"


def _line(uid: str, customer: str, text: str, at: str) -> bytes:
    return line(uid, customer, text, captured_at=at)  # (``test_every_copy_edges.line``)


def _opt_out(event_id: str, customer: str, status: str = "opted_out") -> bytes:
    return json.dumps({"event_id": event_id, "customer_id": customer, "purpose": "model_training",
                       "status": status, "effective_at": "2026-11-01T00:00:00Z",
                       "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}).encode() + b"\n"  # fmt: skip


def _deletion(request_id: str, customer: str, scope: str = "all", **extra) -> bytes:
    return json.dumps({"request_id": request_id, "customer_id": customer, "scope": scope,
                       "requested_at": "2026-11-25T00:00:00Z", **extra}).encode() + b"\n"  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    """Bob, Dave and Tim published on the first night."""
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        _line("u-bob-1", BOB, "what is the weather in lisbon", T1)
        + _line("u-bob-2", BOB, "what is the time in lisbon", T1)
        + _line("u-dave-1", DAVE, "set a timer for ten minutes", T1)
        + _line("u-tim-1", TIM, "play some jazz music", T1),
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob-1", "u-bob-2", "u-dave-1", "u-tim-1"}
    return lake


def _alice_writes(lake: Lake, text: str, uid: str = "u-al-1", at: str = T3) -> dict:
    lake.storage.write_bytes(f"landing/utterances/dt=2026-11-26/{uid}.jsonl", _line(uid, ALICE, text, at))
    return lake.publish()


def _rotate(lake, monkeypatch, new: str = "the-new-key") -> None:
    from utterance_governance.cli import main

    with monkeypatch.context() as m:
        for name, value in {**lake.env, "UG_PSEUDONYM_KEY": new, "UG_OLD_KEY": lake.key}.items():
            m.setenv(name, value)
        assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0
    lake.key = new


@pytest.mark.parametrize("text", [f"share it with {BOB}", "add dave-acct-99x1 to the plan", f"ping {DAVE}"])
def test_after_a_key_rotation_a_published_customer_is_still_recognised(lake, monkeypatch, text):
    """Expected: after ``ug rekey``, Alice's turn writing Bob's/Dave's id is withheld. (Holds on the snapshot: a control.)"""
    _rotate(lake, monkeypatch)
    published = _alice_writes(lake, text)
    assert "u-al-1" not in lake.live_ids()
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


@pytest.mark.parametrize("who", [DAVE])
def test_after_an_opt_out_the_customers_id_is_still_recognised(lake, who):
    """Expected: Bob/Dave opted out (their rows withdrawn); Alice's turn writing their id is still withheld
    (they are still customers; SPEC §3.1). (Holds on the snapshot: a control.)"""
    lake.storage.write_bytes("landing/consent/c1.jsonl", _opt_out("e1", who))
    lake.privacy(check_deadlines=False)
    assert {BOB: "u-bob-1", DAVE: "u-dave-1"}[who] not in lake.live_ids()  # their rows withdrawn
    published = _alice_writes(lake, f"share my playlist with {who.lower()} please")
    assert "u-al-1" not in lake.live_ids(), "another customer's (opted-out) id published"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


@pytest.mark.parametrize("who", [DAVE])
def test_after_a_hold_the_customers_id_is_still_recognised(lake, who):
    """Expected: Bob/Dave held (an unreadable consent record; their rows withdrawn to quarantine/withdrawn);
    Alice's turn writing their id is still withheld. (Holds on the snapshot: a control.)"""
    lake.storage.write_bytes("landing/consent/c1.jsonl", _opt_out("e1", who, status="opted out?"))
    lake.privacy(check_deadlines=False)
    published = _alice_writes(lake, f"share my playlist with {who.lower()} please")
    assert "u-al-1" not in lake.live_ids(), "another customer's (held) id published"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


@pytest.mark.parametrize(("who", "uids"), [(TIM, ["u-tim-1"])])
def test_after_deleting_all_their_utterances_by_list_the_customers_id_is_still_recognised(lake, who, uids):
    """Expected: Tim/Bob delete every published utterance by list (scope utterances, not a delete-all); Alice's
    turn writing their id is withheld. (Holds on the snapshot: a control.)"""
    lake.storage.write_bytes("landing/deletions/d.jsonl",
                             _deletion("d1", who, scope="utterances", utterance_ids=uids))  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert not set(uids) & lake.live_ids()
    published = _alice_writes(lake, f"share my playlist with {who.lower()} please")
    assert "u-al-1" not in lake.live_ids(), "another customer's id published"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


WITHDRAWALS = {
    "opt_out": ("landing/consent/c1.jsonl", _opt_out("e1", BOB)),
    "hold": ("landing/consent/c1.jsonl", _opt_out("e1", BOB, status="opted out?")),
    "utterances": (
        "landing/deletions/d.jsonl",
        _deletion("d1", BOB, scope="utterances", utterance_ids=["u-bob-1", "u-bob-2"]),
    ),
    "range": (
        "landing/deletions/d.jsonl",
        _deletion("d1", BOB, scope="range", **{"from": "2026-11-19T00:00:00Z", "to": "2026-11-21T00:00:00Z"}),
    ),
}


@pytest.mark.parametrize("withdrawal", list(WITHDRAWALS))
def test_a_customer_whose_id_is_its_own_fold_is_forgotten_once_no_row_of_theirs_is_live(lake, withdrawal):
    """Expected: Bob (``cus-123abc45``, an id in lower case) opted out, is held (unreadable consent record), or
    deleted every published utterance by list or by range (not a delete-all, so privacy/said.py does not
    search his id); he is still a customer, and Alice's turn writing his id is withheld as
    ``quality:turn_names_customer`` (SPEC §3.1), as it is for Dave/Tim in mixed case (their ``speaker_folds``
    pair survives: test_after_an_opt_out_…, test_after_a_hold_…, test_after_deleting_all_…[Tim]).
    Before: published with Bob's id in it: ``_known_customers`` asks ``published_speakers`` (``ledger_speakers``:
    lineages with live rows), and Bob has none left and no fold pair (his id is its own fold)."""
    path, record = WITHDRAWALS[withdrawal]
    lake.storage.write_bytes(path, record)
    lake.privacy(check_deadlines=False)
    assert not {"u-bob-1", "u-bob-2"} & lake.live_ids()
    published = _alice_writes(lake, f"share my playlist with {BOB} please")
    assert "u-al-1" not in lake.live_ids(), "another customer's id published"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


@pytest.mark.parametrize("who", [BOB, DAVE])
def test_after_a_delete_all_the_customers_id_is_still_withheld(lake, who):
    """Expected: after a delete-all, Alice's turn writing the customer's id (another case) is withheld (by
    privacy/said.py, deletion_requested)."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion("d1", who))
    lake.privacy(check_deadlines=False)
    _alice_writes(lake, f"share my playlist with {who.upper()} please")
    assert "u-al-1" not in lake.live_ids(), "a deleted customer's id published"


@pytest.mark.parametrize(
    "text",
    [
        "add DAVE-ACCT-99X1 to the plan",
        "add dAVE-aCCT-99X1 to the plan",
        "add ｄａｖｅ－ａｃｃｔ－９９ｘ１ to the plan",
        "add ＤＡＶＥ－ＡＣＣＴ－９９Ｘ１ to the plan",
        "add tım-acct-42x7 to the plan",  # Turkish dotless i
        "add TİM-ACCT-42X7 to the plan",  # Turkish dotted capital I
        "add TIM-ACCT-42X7 to the plan",
        "add cus%2D123abc45 to the plan",  # percent-encoded
        "add CUS%2D123ABC45 to the plan",
        "add Dave%2DAcct%2D99x1 to the plan",
        "add dave%2dacct%2d99x1 to the plan",
        "add cus‐123abc45 to the plan",  # a typeset hyphen
        "add dave–acct–99x1 to the plan",  # en dash
    ],
)
def test_other_spellings_of_a_customer_are_recognised(lake, text):
    """Expected: withheld as turn_names_customer. (Holds on the snapshot: a control.)"""
    published = _alice_writes(lake, text)
    assert "u-al-1" not in lake.live_ids(), f"published: {text!r}"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1


@pytest.mark.parametrize("status", ["opted_out", "opted out?"])
def test_a_mixed_case_customer_withdrawn_then_a_key_rotation_is_still_recognised(lake, monkeypatch, status):
    """Expected: Dave (mixed case) opted out or held: his rows withdrawn; his id is still recognised before the
    rotation (held: test_after_an_opt_out/_a_hold_…[Dave]); after ``ug rekey`` Alice's turn writing his id must
    still be withheld. (Holds on the snapshot: a control.)"""
    lake.storage.write_bytes("landing/consent/c1.jsonl", _opt_out("e1", DAVE, status=status))
    lake.privacy(check_deadlines=False)
    assert "u-dave-1" not in lake.live_ids()
    _rotate(lake, monkeypatch)
    published = _alice_writes(lake, "share my playlist with dave-acct-99x1 please")
    assert "u-al-1" not in lake.live_ids(), "another customer's id published after the rotation"
    assert published["counts"].get(TURN_NAMES_CUSTOMER) == 1
