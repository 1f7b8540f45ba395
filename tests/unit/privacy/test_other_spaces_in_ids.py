"""A privacy record whose customer id holds a no-break or ideographic space where the
data's id has an ordinary space (U+0020, which an id may hold inside).

Such an id is refused (notes.md: any space other than U+0020 inside an id), so the record is unreadable, and
SPEC §4 says its customer's utterances are held back (or, when the customer cannot be read, publishing is
blocked). The reader's salvage (``readers.customers_in_raw`` → ``identity.without_refused``) drops the space
instead of reading it as the space it is (NFKC: U+00A0, U+202F, U+3000 → U+0020). Before: the hold named
``zedcust77``-like ids that match nobody: nothing was held, nothing blocked, the customer's row was published
and stayed live, and the audit passed. Now the space is read as a space (``identity.without_refused``). An East Asian input method types the full-width id with U+3000.
"""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"
DATA_ID = "zed cust 77"  # an ordinary space inside: a usable id
SPELLINGS = {
    "no-break space": "zed\u00a0cust\u00a077",
    "narrow no-break space": "zed\u202fcust\u202f77",
    "ideographic space": "zed\u3000cust\u300077",
    "full width, as an input method types it": "ｚｅｄ\u3000ｃｕｓｔ\u3000７７",
}


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _deletion(customer: str) -> bytes:
    return json.dumps({"request_id": "d1", "customer_id": customer, "scope": "all",
                       "requested_at": "2026-11-25T00:00:00Z"}).encode() + b"\n"  # fmt: skip


def _opt_out(customer: str) -> bytes:
    return json.dumps({"event_id": "e1", "customer_id": customer, "purpose": "model_training",
                       "status": "opted_out", "effective_at": "2026-11-24T00:00:00Z",
                       "recorded_at": "2026-11-24T00:00:00Z", "source": "app"}).encode() + b"\n"  # fmt: skip


def _publish(lake: Lake, customer: str = DATA_ID) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", customer, "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip


@pytest.mark.parametrize("spelled", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_a_deletion_with_another_space_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake)
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


@pytest.mark.parametrize("spelled", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_a_deletion_with_another_space_in_the_id_keeps_the_row_from_being_published(lake, spelled):
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(spelled))
    _publish(lake)
    lake.publish()  # the hold reaches the spaced id: nothing blocked
    assert "u-zed" not in lake.live_ids()


@pytest.mark.parametrize("spelled", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_an_opt_out_with_another_space_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake)
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", _opt_out(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


def test_the_audit_flags_the_row_a_deletion_with_a_no_break_space_left_live(lake):
    from utterance_governance.jobs.audit import AuditFailed

    _publish(lake)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(SPELLINGS["no-break space"]))
    lake.privacy()
    if "u-zed" in lake.live_ids():
        with pytest.raises(AuditFailed):
            lake.audit()


# --- the copies: a malformed line whose id prints as the deleted customer's ------------------------------
# privacy.md: "a malformed row whose id prints as theirs: `zed-7f` followed by a zero-width space ... (refused
# as an id, yet their words)" is the customer's and goes with their delete-all. An id that prints as theirs
# because it holds a no-break or ideographic space where theirs has a space is left in landing and quarantine,
# and the receipt says completed.
@pytest.mark.parametrize("written", ["zed\u00a0cust 77", "zed\u3000cust\u300077", "zed\u202fcust 77"])
def test_a_delete_all_erases_the_malformed_line_whose_id_prints_as_the_customers(lake, written):
    from tests.unit.purge.test_every_copy_edges import left_in_lake, receipt

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", written, "my locker code is swordfish")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert left_in_lake(lake, "swordfish")  # the malformed line: in landing and in quarantine
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(DATA_ID))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "swordfish") == []


# Between two digits such a space is a digit group's: an account id written with a locale's grouping
# (``88 231 907`` with U+202F NARROW NO-BREAK SPACE, as fr-FR formats numbers, or U+00A0) for the account
# ``88231907``. Before (the space read as a space, second review): the record held ``88 231 907``, nobody,
# and the customer's live row stayed live (SPEC §4: "if its customer_id can be read, that customer's
# utterances are held back"; §4.1 "doubt withdraws").
GROUPED = {
    "narrow no-break space": "88\u202f231\u202f907",
    "no-break space": "88\u00a0231\u00a0907",
}


@pytest.mark.parametrize("spelled", GROUPED.values(), ids=GROUPED.keys())
def test_a_deletion_with_digit_grouping_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake, "88231907")
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


@pytest.mark.parametrize("spelled", GROUPED.values(), ids=GROUPED.keys())
def test_an_opt_out_with_digit_grouping_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake, "88231907")
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}
    lake.storage.write_bytes("landing/consent/c.jsonl", _opt_out(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}
