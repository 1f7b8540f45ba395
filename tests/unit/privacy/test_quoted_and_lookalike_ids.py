"""A record that takes something away, naming its customer in quotes or with a look-alike letter (review
14a, F07).

An id serialised twice (``"customer_id": "\\"zed-4417\\""``: a JSON string encoded again, a CSV cell's
quotes kept) names ``"zed-4417"`` with its quotes; one typed with a Cyrillic layout active (Bulgarian is an
EU language) names ``zеd-4417`` with U+0435. Neither was a spelling ``state.other_spellings`` reached: the
delete-all completed its receipt with the row live, the opt-out withheld nothing. A record that takes
something away now reaches the id as it would be written plainly too, and that id's other spellings."""

from __future__ import annotations

import json
import logging

import pyarrow as pa
import pytest
from tests.pipeline import Lake
from tests.unit.privacy.test_privacy_rules import consent, deletions, ts
from tests.unit.purge.test_every_copy_edges import left_in_lake, line, opt_out, receipt

from utterance_governance import schema as S
from utterance_governance.privacy.state import PrivacyState, other_spellings, plain_readings

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"
CYRILLIC_E = "z\u0435d-4417"  # zеd-4417


def spellings_of(ids: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in other_spellings(pa.array(ids, pa.string())).to_pylist():
        out.setdefault(row["customer"], set()).add(row["spelling"])
    return out


@pytest.mark.parametrize(
    "named",
    ['"zed-4417"', "'zed-4417'", '" zed-4417 "', '"zed\\u002d4417"', '"\\"zed-4417\\""', CYRILLIC_E,
     "Z\u0415D-4417", '"z\u0435d-4417"', "\uff5a\u0435\uff44-4417"],
)  # fmt: skip
def test_an_id_in_quotes_or_with_a_lookalike_letter_reaches_the_id_written_plainly(named):
    spelled = spellings_of([named])[named]
    assert "zed-4417" in spelled, f"{named!r} does not reach zed-4417"
    assert "ZED-4417" in spelled and "ｚｅｄ－４４１７" in spelled  # and that id's own other spellings
    assert named not in spelled


def test_an_id_written_plainly_has_no_other_reading():
    """An ASCII id without quotes, quotes that do not match, a Latin, Cyrillic or Greek id of its own: as before."""
    spelled = spellings_of(["bob", "Zoë", "'a\"", '"', "иван-1", "Αθήνα"])
    assert spelled["bob"] == {"BOB", "ｂｏｂ", "ＢＯＢ"}
    assert not {"a", "A"} & spelled["'a\""]
    assert "ΑΘΉΝΑ" in spelled["Αθήνα"]  # a Greek id keeps its own spellings
    readings = plain_readings(
        pa.array(["bob", "Zoë", "'a\"", '"', "''", "иван-1", "Αθήνα", None], pa.string())
    )
    assert readings.num_rows == 0


def test_the_plain_readings_name_the_ids_that_have_one():
    readings = plain_readings(pa.array(['"zed-4417"', CYRILLIC_E, "bob", '"АВС"'], pa.string()))
    assert sorted(tuple(r.values()) for r in readings.to_pylist()) == sorted(
        [
            ('"zed-4417"', "zed-4417"),
            (CYRILLIC_E, "zed-4417"),
            ('"АВС"', "АВС"),
            ('"АВС"', '"ABC"'),
            ('"АВС"', "ABC"),
        ]
    )  # (АВС in Cyrillic letters: each a Latin look-alike, so it may be ABC typed on a Cyrillic layout)


def test_a_deletion_or_opt_out_in_quotes_is_named_by_its_record_id_and_logged_without_the_id(caplog):
    state = PrivacyState(
        deletions=deletions(dict(request_id="d1", customer_id='"zed-4417"', scope="all", requested_at=ts(25)),
                            dict(request_id="d2", customer_id="bob", scope="all", requested_at=ts(25))),
        consent=consent((CYRILLIC_E, S.OPTED_OUT, ts(25)), ("carol", S.OPTED_OUT, ts(25))),
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="utterance_governance.privacy.state"):
        covered = state.deletion_requests
        opted_out = state.opt_out_spellings
    assert "zed-4417" in covered.column("customer_id").to_pylist()
    assert opted_out["zed-4417"] == [CYRILLIC_E]
    assert state.read_plainly == ("d1", "e0")
    assert "d1" in caplog.text and "e0" in caplog.text
    assert "zed-4417" not in caplog.text and "4417" not in caplog.text  # the record, never its id


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


@pytest.mark.parametrize("named", ['"zed-4417"', "'zed-4417'", CYRILLIC_E])
def test_a_delete_all_naming_its_customer_in_quotes_or_with_a_lookalike_deletes(lake, named):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "zed-4417", "the zebracornflakes recipe")
                             + line("u2", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert {"u1", "u2"} <= lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "d1", "customer_id": named, "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}
    ).encode() + b"\n")  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert "u1" not in lake.live_ids(), f"a delete-all naming {named!r} completed with the row live"
    assert "u2" in lake.live_ids()
    assert left_in_lake(lake, "zebracornflakes") == []  # every copy


@pytest.mark.parametrize("named", ['"zed-4417"', CYRILLIC_E])
def test_an_opt_out_naming_its_customer_in_quotes_or_with_a_lookalike_withdraws(lake, named):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "zed-4417", "remind me about tulips")
                             + line("u2", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", named))
    lake.privacy(check_deadlines=False)
    assert "u1" not in lake.live_ids() and "u2" in lake.live_ids()
