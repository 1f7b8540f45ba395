"""Ids a tool writes otherwise than Unicode's case rules do: a record that takes something away reaches them.

- Turkish case: to a Turkish tool ``KIZ-7`` is ``kız-7`` and ``istanbul-7`` is ``İSTANBUL-7``; Unicode folds the
  dotless ``ı`` and the dotted ``İ`` apart from ``i`` and ``I``, so a record naming one spelling matched none of
  the other's recordings.
- Percent-encoding: ``acct/42`` and ``acct%2F42`` (the hex in either case), a tool that encodes ids for a URL.
- Dashes: ``zed‐cust-1`` (U+2010), an en dash or a minus sign where the id has a hyphen-minus (a word
  processor's autocorrect, a CRM that typesets ids).

A deletion or an opt-out can only take more away (``PrivacyState.other_spellings``). Through the DAGs' steps."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out, receipt


@pytest.fixture
def lake_both(tmp_path, store_url) -> Lake:
    """On SQLite and PostgreSQL (the other tests: SQLite, ``lake``; the spellings are the store's no concern
    but through the fold pairs a purge reads)."""
    return Lake(str(tmp_path / "lake"), store_url)


CASES = {  # the id the data holds, the id the record names
    "dotless-i": ("kız-7", "KIZ-7"),
    "dotless-i-python-upper": ("yıldız-77", "yıldız-77".upper()),
    "dotted-capital-i": ("İstanbul-7", "istanbul-7"),
    "dotted-capital-i-arrow-lower": ("İlker-1", "ilker-1"),
    "capital-i-to-dotless": ("KIZ-7", "kız-7"),
    "dotted-record-plain-data": ("Ilker-5", "İlker-5"),
    "percent-encoded-data": ("acct%2F42", "acct/42"),
    "percent-encoded-record": ("acct/42", "acct%2f42"),
    "hyphen-u2010": ("zed-cust-1", "zed\u2010cust-1"),
    "en-dash": ("zed-cust-1", "zed\u2013cust\u20131"),
    "minus-sign": ("zed-cust-1", "zed\u2212cust-1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_opt_out_reaches_the_id_as_another_tool_writes_it(lake, case):
    data, named = CASES[case]
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", named))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", data, "remind me about the garden party")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


@pytest.mark.parametrize("case", ["dotted-capital-i", "percent-encoded-data"])
def test_a_delete_all_erases_the_live_rows_of_the_id_as_another_tool_writes_it(lake_both, case):
    lake, (data, named) = lake_both, CASES[case]
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", data, "remind me about the garden party")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-1", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", named))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    lake.audit()


@pytest.mark.parametrize("case", ["dotless-i-python-upper", "dotted-capital-i-arrow-lower", "hyphen-u2010"])
def test_an_unreadable_record_so_named_holds_the_customer(lake, case):
    data, named = CASES[case]
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", named, status="opted out??"))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", data, "remind me about the garden party")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-bob"}
