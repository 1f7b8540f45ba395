"""A deleted customer's id said in another customer's words: another customer's turn ("share my playlist
with canary-cust-7Q4Z please") or the assistant's reply to them names a customer's account id, and is
published (SPEC §3.1: ``customer_id`` must never appear in published output). A delete-all of that
customer withdraws those live rows too, and counts them on its receipt; the audit names a live row
that says the id of a customer with a delete-all request, never the id. A short id ("bob") is an
ordinary word, and is not looked for in the text (review 15b, F02)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt

from utterance_governance.jobs.audit import AuditFailed

CID = "canary-cust-7q4z"  # (its own fold: the store knows it once it is published, not before)
NIGHT_1 = "landing/utterances/dt=2026-11-19"
NIGHT_2 = "landing/utterances/dt=2026-11-20"


def _published_text(lake) -> str:
    """Every shard's rows on disk (live or not), decoded: Parquet read, not grepped as bytes."""
    root = Path(lake.root) / "published"
    rows = []
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".parquet"):
                rows += pq.read_table(Path(folder, name)).to_pylist()
    return json.dumps(rows, default=str, ensure_ascii=False)


def _bob_names_the_canary(lake) -> None:
    """Bob's words, two of them naming the canary's id, published a night before the canary's own first words:
    ``quality:turn_names_customer`` knows the customers the lake has heard of, not the canary yet (docs/notes.md "Known
    gaps": a customer the lake first hears of on a later night than the turn), so bob's rows go live."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/b.jsonl",
        line("u-bob-1", "bob", f"share my playlist with {CID} please")
        + line("u-bob-2", "bob", "who shared this with me", response=f"It was shared by {CID.upper()}.")
        + line("u-bob-3", "bob", "what is the weather"),
    )
    lake.publish()
    lake.storage.write_bytes(
        f"{NIGHT_2}/a.jsonl", line("u-can-1", CID, "remind me about zebrafish marmalade")
    )
    lake.publish()
    assert {"u-can-1", "u-bob-1", "u-bob-2", "u-bob-3"} <= lake.live_ids()


def test_a_delete_all_withdraws_other_customers_rows_naming_the_deleted_id(lake):
    """The reviewer's case: the receipt said completed, the audit passed, and the live shard held the
    raw id in bob's user turn and in the assistant's reply to him."""
    _bob_names_the_canary(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CID))
    result = lake.privacy()
    done = receipt(lake, "dall")
    assert done["status"] == "completed"
    live = lake.live_ids()
    assert "u-bob-3" in live and not live & {"u-can-1", "u-bob-1", "u-bob-2"}
    assert CID.casefold() not in _published_text(lake).casefold(), (
        "the deleted customer's id is still published"
    )
    assert done["removed"]["published_rows"] == 3  # the canary's own row and bob's two naming them
    assert result["published"]["rows_removed"] == {"deletion_requested": 1, "names_deleted_customer": 2}
    assert result["published"]["erase_copies"] is True
    lake.audit()  # passes: nothing live names the deleted customer


def test_a_short_id_said_as_a_word_withdraws_nothing(lake):
    """``bob`` is said every night ("tell bob hello"): an id shorter than the quality rule looks for in
    text (``SHORTEST_ID_LOOKED_FOR``) is not searched as free text; only bob's own rows go."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/a.jsonl",
        line("u-bob-1", "bob", "what is the weather")
        + line("u-ann-1", "ann", "tell bob hello", response="I told bob.")
        + line("u-ann-2", "ann", "play bobby mcferrin"),
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dbob", "bob"))
    result = lake.privacy()
    assert receipt(lake, "dbob")["status"] == "completed"
    assert lake.live_ids() == {"u-ann-1", "u-ann-2"}
    assert result["published"]["rows_removed"] == {"deletion_requested": 1}


def test_only_a_delete_all_withdraws_rows_naming_its_customer(lake):
    """A deletion of some utterances (scope ``utterances``) takes those; the customer's id stays theirs to
    be said by others (they did not ask to be forgotten)."""
    _bob_names_the_canary(lake)
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("dsome", CID, scope="utterances", utterance_ids=["u-can-1"])
    )
    lake.privacy()
    assert receipt(lake, "dsome")["status"] == "completed"
    assert lake.live_ids() == {"u-bob-1", "u-bob-2", "u-bob-3"}


def test_the_audit_names_a_live_row_saying_a_deleted_customers_id_without_the_id(lake):
    """A delete-all taken in (a publish run reads the privacy files too) and not yet carried out: bob's
    live row naming the canary fails the audit, which names the rule and the row, never the id."""
    _bob_names_the_canary(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CID))
    lake.take_in()  # a publish's intake: the request is in the store, its purge still to run
    assert {"u-bob-1", "u-bob-2"} <= lake.live_ids()
    with pytest.raises(AuditFailed, match="names_deleted_customer") as failed:
        lake.audit()
    assert CID.casefold() not in str(failed.value).casefold()
    reports = [
        p for p in left_in_lake(lake, CID.lower()) + left_in_lake(lake, CID) if p.startswith("reports/")
    ]
    assert reports == [], "an audit report prints the deleted customer's id"
    (found,) = [
        json.loads(p.read_bytes()) for p in Path(lake.root, "reports").glob("governance_audit*/audit.json")
    ]
    named = [f for f in found["findings"] if f["rule"] == "names_deleted_customer"]
    assert sorted(f["utterance_id"] for f in named) == ["u-bob-1", "u-bob-2"]
    assert found["counts"]["names_deleted_customer"] == 2


def test_the_text_is_read_as_the_quality_rule_reads_a_turn_naming_its_speaker():
    """``naming_requests`` hands ``rules.quality.says_id`` only the messages that may say an id: it finds
    what ``says_id`` finds on every message, in each spelling of the id (``other_spellings``), and the id
    said with its digits as words, as ``read_out`` reads the message."""
    import numpy as np
    import pyarrow as pa

    from utterance_governance import schema as S
    from utterance_governance.privacy.said import delete_all_spellings
    from utterance_governance.purge.affected import naming_requests
    from utterance_governance.rules.quality import id_read_out, read_out, says_id

    texts = [
        f"share my playlist with {CID} please", "share it with CANARY CUST 7q4z", "canary_cust_7Q4Z!",
        "ｃａｎａｒｙ－ｃｕｓｔ－７Ｑ４Ｚ", "für canary-cust-7q4z, bitte", "café canary cust seven q four z",
        "what is the weather", "ping acct.8823+1907 now", "acct 8823 1907", "canary cust 7Q4", "bob said hello", None, "",
    ]  # fmt: skip
    messages = pa.array(
        [[{"role": "user", "content": "hi"}, {"role": "assistant", "content": t}] for t in texts],
        pa.list_(S.MESSAGE),
    )
    deletions = pa.table({"request_id": ["dall", "dbob", "dsome", "dacct"],
                          "customer_id": [CID, "bob", "zz-00000000", "acct.8823+1907"],
                          "scope": ["all", " ALL ", "utterances", "all"]})  # fmt: skip
    said = delete_all_spellings(deletions)
    assert "bob" not in said and not any("zz" in name for name in said)
    assert CID in said and CID.upper() in said and said["acct.8823+1907"] == ["dacct"]
    contents = pa.array(texts, pa.string())
    brute = np.zeros(len(texts), dtype=bool)
    for name in said:
        brute |= says_id(contents, pa.array([name] * len(texts), pa.string()))
        spoken = id_read_out(name)  # (and said with its digits as words: "canary cust seven q four z")
        brute |= [spoken is not None and t is not None and spoken[0] in read_out(t) for t in texts]
    found = naming_requests(messages, said)
    assert sorted(found) == np.flatnonzero(brute).tolist() == [0, 1, 2, 3, 4, 5, 7, 8]
    assert found[0] == ["dall"] and found[7] == ["dacct"]
    assert list(delete_all_spellings(deletions, leaving_out={"dall"})) == ["ACCT.8823+1907", "acct.8823+1907",
                                                                          "ＡＣＣＴ．８８２３＋１９０７", "ａｃｃｔ．８８２３＋１９０７"]  # fmt: skip


def _decided(lake) -> set[str]:
    """The utterance ids with a decision row (a row a deletion covers leaves none, only its count)."""
    return {
        uid
        for info in lake.storage.list_files("decisions", (".parquet",))
        for uid in lake.storage.read_parquet(info.path, ["utterance_id"]).column(0).to_pylist()
    }


def _bobs_night_naming(cid: str) -> bytes:
    return (
        line("u-bob-1", "bob", f"share my playlist with {cid.lower()} please")
        + line("u-bob-2", "bob", "who shared this", response="It was ｃａｎａｒｙ－ｃｕｓｔ－７Ｑ４Ｚ.")
        + line("u-bob-3", "bob", "what is the weather")
        + line("u-bob-4", "bob", "ask canary cust 7Q4 about it")  # (one character short: not the id)
    )


def test_a_row_naming_a_customer_who_deleted_everything_earlier_is_never_published(lake):
    """The canary's delete-all was carried out and its receipt completed; the next night bob names the
    canary. His two rows saying the id are decided ``deletion_requested`` (counted; like the canary's own
    rows they leave no decision row) and never go live; the audit passes (review 15b, F02, left in part)."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/a.jsonl", line("u-can-1", CID, "remind me about zebrafish marmalade")
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CID))
    lake.privacy()
    assert receipt(lake, "dall")["status"] == "completed"
    lake.storage.write_bytes(f"{NIGHT_2}/b.jsonl", _bobs_night_naming(CID))
    result = lake.publish()
    assert lake.live_ids() == {"u-bob-3", "u-bob-4"}
    assert {"u-bob-3", "u-bob-4"} <= _decided(lake) and not {"u-bob-1", "u-bob-2"} & _decided(lake)
    assert result["counts"]["deletion_requested"] == 2
    assert CID.casefold() not in _published_text(lake).casefold()
    lake.audit()


def test_a_delete_all_carried_out_while_a_batch_waits_is_searched_for_under_the_lock(lake):
    """Bob's night is decided before the canary's delete-all arrives; a privacy run then carries it out
    (it searches the live rows only) before the publish takes the lock. The re-check under the lock
    searches the batch's text for the new request's ids: bob's rows naming the canary never go live."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/a.jsonl", line("u-can-1", CID, "remind me about zebrafish marmalade")
    )
    lake.publish()
    # (said aloud: written, the canary's id is another published customer's, ``quality:turn_names_customer``)
    lake.storage.write_bytes(
        f"{NIGHT_2}/b.jsonl",
        line("u-bob-1", "bob", f"share my playlist with {SPOKEN} please")
        + line("u-bob-2", "bob", "who shared this", response=f"It was {SPOKEN}.")
        + line("u-bob-3", "bob", "what is the weather")
        + line("u-bob-4", "bob", "ask canary cust 7Q4 about it"),
    )

    def the_delete_all_is_carried_out():
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CID))
        lake.privacy()  # (its receipt waits for the publish under way, which may hold a copy)

    result = lake.publish(between=the_delete_all_is_carried_out)
    assert lake.live_ids() == {"u-bob-3", "u-bob-4"}
    assert result["counts"]["deletion_requested"] == 2
    assert CID.casefold() not in _published_text(lake).casefold()
    lake.audit()


def test_a_customer_who_deleted_some_utterances_is_named_as_a_customer_not_as_deleted(lake):
    """Control: a deletion of some of the canary's utterances is no delete-all: the rows writing its id are not
    ``deletion_requested``; they are ``quality:turn_names_customer``, since a privacy record names the canary as a
    customer (its only row was deleted before it was published)."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/a.jsonl", line("u-can-1", CID, "remind me about zebrafish marmalade")
    )
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("dsome", CID, scope="utterances", utterance_ids=["u-can-1"])
    )
    lake.publish()
    lake.storage.write_bytes(f"{NIGHT_2}/b.jsonl", _bobs_night_naming(CID))
    result = lake.publish()
    assert lake.live_ids() == {"u-bob-3", "u-bob-4"}
    assert result["counts"].get("quality:turn_names_customer") == 2
    assert "deletion_requested" not in result["counts"]


SPOKEN = "canary cust seven q four z"  # the id as speech recognition writes it said aloud


def test_the_id_said_with_its_digits_as_words_goes_too(lake):
    """Bob says the canary's id aloud ("share my playlist with canary cust seven q four z"): the delete-all
    withdraws his live row as it withdraws the id written, counted on the receipt; on a later night ann's
    row saying it in German words is never published; the audit passes."""
    lake.storage.write_bytes(
        f"{NIGHT_1}/a.jsonl", line("u-can-1", CID, "remind me about zebrafish marmalade")
    )
    lake.storage.write_bytes(
        f"{NIGHT_2}/b.jsonl",
        line("u-bob-1", "bob", f"share my playlist with {SPOKEN} please")
        + line("u-bob-3", "bob", "wake me at seven thirty"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-can-1", "u-bob-1", "u-bob-3"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CID))
    result = lake.privacy()
    assert receipt(lake, "dall")["removed"]["published_rows"] == 2
    assert result["published"]["rows_removed"] == {"deletion_requested": 1, "names_deleted_customer": 1}
    assert lake.live_ids() == {"u-bob-3"}
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/c.jsonl",
        line("u-ann-1", "ann", "teile es mit canary cust sieben q vier z", captured_at="2026-11-21T10:00:00Z")
        + line("u-ann-2", "ann", "play some music", captured_at="2026-11-21T10:00:00Z"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob-3", "u-ann-2"}
    lake.audit()


def test_an_id_said_in_mixed_chinese_and_english_is_never_published(lake):
    """ "请分享给triple seven wang li" ("please share it with 777-wang-li"): the number word follows a Chinese
    letter, which ``read_out`` reads as a word boundary."""
    cid, said = "777-wang-li", "请分享给triple seven wang li"
    lake.storage.write_bytes(f"{NIGHT_1}/a.jsonl", line("u-wl-1", cid, "remind me about zebrafish marmalade"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", cid))
    lake.privacy()
    assert receipt(lake, "dall")["status"] == "completed"
    lake.storage.write_bytes(
        f"{NIGHT_2}/b.jsonl", line("u-bob-1", "bob", said) + line("u-bob-2", "bob", "what is the weather")
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob-2"}
