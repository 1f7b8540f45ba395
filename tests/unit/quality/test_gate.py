"""The publish gate, run with real Great Expectations (no mocks).

GX takes several seconds to import, so every GX test lives in this module and shares one
warm import (the ``gx`` fixture); each case is a tiny inline batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from utterance_governance.policy import Policy
from utterance_governance.quality.gate import GateResult, run_gate
from utterance_governance.quality.suite import BATCH_COLUMNS, PROBE_COLUMNS, build_suite

POLICY = Policy()

LEAKS = {
    "email": "sure, write to jane.doe@example.com tomorrow",
    "spoken_phone": "call five five five one two three four",
    "card": "my card is 4111 1111 1111 1111",
}


def _key(i: int) -> str:
    return hashlib.sha256(f"customer-{i}".encode()).hexdigest()


def make_batch(rows: int = 6) -> pa.Table:
    users = [
        "turn on the kitchen lights",
        "what is the weather in boston tomorrow",
        "send an email to [EMAIL] please",
        "call [PHONE]",
        "set a timer for ten minutes",
        "play some jazz",
    ]
    replies = ["Done.", "Sunny, 21 degrees.", None, "Calling now.", "Timer set.", None]
    confidences = [0.93, None, 0.71, 0.88, 0.99, 0.6]
    return pa.table(
        {
            "utterance_id": pa.array([f"utt-{i:04d}" for i in range(rows)]),
            "speaker_key": pa.array([_key(i % 3) for i in range(rows)]),
            "locale": pa.array([("en-US", "en-GB", "de-DE")[i % 3] for i in range(rows)]),
            "captured_date": pa.array([dt.date(2026, 11, 1 + i % 20) for i in range(rows)], pa.date32()),
            "user_text": pa.array([users[i % len(users)] for i in range(rows)]),
            "assistant_text": pa.array([replies[i % len(replies)] for i in range(rows)], pa.string()),
            "content_hash": pa.array([hashlib.sha256(str(i).encode()).hexdigest() for i in range(rows)]),
            "asr_confidence": pa.array([confidences[i % len(confidences)] for i in range(rows)]),
        }
    )


def with_value(table: pa.Table, column: str, row: int, value) -> pa.Table:
    values = table[column].to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(
        index, table.schema.field(index), pa.array(values, table.schema.field(index).type)
    )


def failed_checks(result: GateResult) -> list[str]:
    return [f.check for f in result.failed]


def only_failure(result: GateResult, check: str):
    assert not result.success
    assert failed_checks(result) == [check], [f.message for f in result.failed]
    return result.failed[0]


@pytest.fixture(scope="module", autouse=True)
def gx():
    """One warm GX import for the module (the gate imports GX lazily, on first run)."""
    import great_expectations

    return great_expectations


def test_importing_the_gate_does_not_import_great_expectations():
    code = (
        "import sys; import utterance_governance.quality.gate; sys.exit('great_expectations' in sys.modules)"
    )
    plugins = str(Path(__file__).resolve().parents[3] / "plugins")
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": plugins})


def test_build_suite_takes_its_thresholds_from_the_policy():
    policy = Policy(allowed_locales=("en-US", "fr-FR"), max_transcript_chars=80, min_asr_confidence=0.7)
    suite = build_suite(policy)
    by_check = {e.meta["check"]: e for e in suite.expectations}
    assert len(by_check) == len(suite.expectations)  # every check has its own name
    assert by_check["locale_allowed"].value_set == ["en-US", "fr-FR"]
    assert by_check["user_text_length"].max_value == 80
    assert by_check["asr_confidence_range"].min_value == 0.7
    assert set(by_check["columns"].column_set) == {*BATCH_COLUMNS, *PROBE_COLUMNS}


def test_a_clean_batch_passes():
    result = run_gate(make_batch(), POLICY)
    assert result.success, [f.message for f in result.failed]
    assert result.failed == []
    assert result.rows == 6
    assert result.evaluated == len(build_suite(POLICY).expectations)
    assert result.statistics["unsuccessful_expectations"] == 0


def test_an_empty_batch_passes_nothing_to_publish_is_fine():
    result = run_gate(make_batch().slice(0, 0), POLICY)
    assert result.success, [f.message for f in result.failed]
    assert result.rows == 0


def test_a_pandas_frame_is_gated_like_the_arrow_table():
    frame = make_batch().to_pandas()  # object strings, datetime.date objects
    assert run_gate(frame, POLICY).success
    leaked = frame.copy()
    leaked.loc[2, "user_text"] = LEAKS["email"]
    only_failure(run_gate(leaked, POLICY), "user_text_no_identifier")


def test_an_all_null_optional_column_takes_the_contract_type():
    frame = make_batch().to_pandas()
    frame["assistant_text"] = None  # pandas/Arrow infer no type from all-None values
    frame["asr_confidence"] = None
    result = run_gate(frame, POLICY)
    assert result.success, [f.message for f in result.failed]
    assert run_gate(make_batch().to_pandas().iloc[:0], POLICY).success


def test_a_leaked_email_in_the_user_turn_fails_naming_the_expectation():
    result = run_gate(with_value(make_batch(), "user_text", 2, LEAKS["email"]), POLICY)
    failure = only_failure(result, "user_text_no_identifier")
    assert failure.expectation_type == "expect_column_values_to_be_in_set"
    assert failure.column == "user_text_has_identifier"
    assert failure.unexpected_count == 1
    assert failure.sample_utterance_ids == ["utt-0002"]
    assert failure.sample_values == []
    assert "user_text" in failure.message

    # what the failed gate_batch task says: each failing check and where the evidence is, no text
    from utterance_governance.jobs.publish import gate_failure_message

    message = gate_failure_message(
        result, "run-7", "s3://lake/staging/x/batch.parquet", "s3://lake/reports/x/gate.json"
    )
    assert message.startswith(
        "quality gate failed for run run-7: user_text_no_identifier (expect_column_values_to_be_in_set) "
        "on user_text_has_identifier: "
    )
    assert "s3://lake/staging/x/batch.parquet" in message and "s3://lake/reports/x/gate.json" in message
    assert LEAKS["email"] not in message


def test_a_spoken_phone_number_in_the_assistant_turn_fails():
    result = run_gate(with_value(make_batch(), "assistant_text", 4, LEAKS["spoken_phone"]), POLICY)
    failure = only_failure(result, "assistant_text_no_identifier")
    assert failure.column == "assistant_text_has_identifier"
    assert failure.sample_utterance_ids == ["utt-0004"]


def test_a_duplicate_utterance_id_fails():
    result = run_gate(with_value(make_batch(), "utterance_id", 5, "utt-0001"), POLICY)
    failure = only_failure(result, "utterance_id_unique")
    assert failure.expectation_type == "expect_column_values_to_be_unique"
    assert failure.unexpected_count == 2
    assert set(failure.sample_values) == {"utt-0001"}


@pytest.mark.parametrize("turn", ["", "   \t", None], ids=["empty", "blank", "null"])
def test_an_empty_user_turn_fails(turn):
    result = run_gate(with_value(make_batch(), "user_text", 1, turn), POLICY)
    assert sorted(failed_checks(result)) == ["user_text_length", "user_text_speech"]
    assert all(f.sample_utterance_ids == ["utt-0001"] for f in result.failed)


# the rules the batch was decided by, read again (they passed: a turn of one character, no speech)
@pytest.mark.parametrize(
    "turn", ["\u200b\u200b\u200b", "\u3164\u3164", "...!"], ids=["zero-width", "filler", "marks"]
)
def test_a_user_turn_without_a_letter_or_a_digit_fails(turn):
    failure = only_failure(
        run_gate(with_value(make_batch(), "user_text", 2, turn), POLICY), "user_text_speech"
    )
    assert failure.sample_utterance_ids == ["utt-0002"]


def test_a_user_turn_under_the_policy_minimum_fails():
    failure = only_failure(
        run_gate(with_value(make_batch(), "user_text", 3, "a"), POLICY), "user_text_length"
    )
    assert failure.sample_utterance_ids == ["utt-0003"]


def test_an_empty_utterance_id_fails():
    only_failure(run_gate(with_value(make_batch(), "utterance_id", 4, ""), POLICY), "utterance_id_length")


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2999, 1, 1)])
def test_an_implausible_captured_date_fails(day):
    failure = only_failure(run_gate(with_value(make_batch(), "captured_date", 0, day), POLICY),
                           "captured_date_plausible")  # fmt: skip
    assert failure.sample_utterance_ids == ["utt-0000"]


def test_a_user_turn_over_the_policy_length_fails():
    policy = Policy(max_transcript_chars=20)
    failure = only_failure(run_gate(make_batch(), policy), "user_text_length")
    assert failure.unexpected_count == 4  # the turns longer than 20 characters


def test_a_disallowed_locale_fails():
    result = run_gate(with_value(make_batch(), "locale", 0, "xx-XX"), POLICY)
    failure = only_failure(result, "locale_allowed")
    assert failure.sample_values == ["xx-XX"]
    assert failure.sample_utterance_ids == ["utt-0000"]


def test_allowed_locales_come_from_the_policy():
    failure = only_failure(
        run_gate(make_batch(), Policy(allowed_locales=("en-US", "en-GB"))), "locale_allowed"
    )
    assert failure.unexpected_count == 2  # the de-DE rows


def test_a_malformed_speaker_key_fails_without_showing_it():
    result = run_gate(with_value(make_batch(), "speaker_key", 3, "cust-000042"), POLICY)
    failure = only_failure(result, "speaker_key_pseudonym")
    assert failure.sample_values == []
    assert failure.sample_utterance_ids == ["utt-0003"]
    assert "cust-000042" not in json.dumps(result.to_dict())
    assert "cust-000042" not in json.dumps(result.gx_result)


def test_asr_confidence_outside_the_policy_range_fails_and_a_missing_one_passes():
    batch = make_batch()  # row 1 has no confidence
    assert run_gate(batch, POLICY).success
    low = only_failure(run_gate(with_value(batch, "asr_confidence", 0, 0.2), POLICY), "asr_confidence_range")
    assert low.sample_values == [0.2]
    assert low.sample_utterance_ids == ["utt-0000"]
    high = only_failure(run_gate(with_value(batch, "asr_confidence", 3, 1.5), POLICY), "asr_confidence_range")
    assert high.sample_values == [1.5]
    no_confidence = batch.set_column(7, "asr_confidence", pa.nulls(batch.num_rows, pa.float64()))
    assert run_gate(no_confidence, POLICY).success


def test_a_missing_column_is_a_failed_result_not_an_exception():
    result = run_gate(make_batch().drop_columns(["locale"]), POLICY)
    assert not result.success
    columns = next(f for f in result.failed if f.check == "columns")
    assert "locale" in columns.message
    assert result.failed[0].check == "columns"  # failures are listed in suite order


def test_an_extra_column_fails():
    batch = make_batch()
    batch = batch.append_column("customer_id", pa.array([f"cust-{i}" for i in range(batch.num_rows)]))
    failure = only_failure(run_gate(batch, POLICY), "columns")
    assert "customer_id" in failure.message


def test_a_wrong_column_type_fails():
    batch = make_batch()
    index = batch.schema.get_field_index("asr_confidence")
    batch = batch.set_column(index, "asr_confidence", pa.array(["0.9"] * batch.num_rows))
    failed = failed_checks(run_gate(batch, POLICY))
    assert "type:asr_confidence" in failed


def test_failure_details_hold_no_transcript_text():
    batch = make_batch()
    batch = with_value(batch, "user_text", 0, LEAKS["email"])
    batch = with_value(batch, "assistant_text", 1, LEAKS["spoken_phone"])
    batch = with_value(batch, "user_text", 3, LEAKS["card"])
    batch = with_value(batch, "user_text", 4, "x" * 50)
    result = run_gate(batch, Policy(max_transcript_chars=40))
    assert set(failed_checks(result)) == {
        "user_text_no_identifier",
        "assistant_text_no_identifier",
        "user_text_length",
    }
    published = [json.dumps(result.to_dict()), json.dumps(result.gx_result, default=str), repr(result)]
    # (the card's digits as a group of the number, not "4111" alone: a run time's microseconds may hold it)
    for text in [*LEAKS.values(), "x" * 50, "jane.doe", "4111 1111", "4111111111111111"]:
        for blob in published:
            assert text not in blob


def test_to_dict_is_json_and_save_keeps_the_gx_result(tmp_path):
    result = run_gate(with_value(make_batch(), "locale", 0, "xx-XX"), POLICY, run_name="nightly-2026-11-26")
    summary = json.loads(json.dumps(result.to_dict()))
    assert summary["success"] is False
    assert summary["failed"][0]["check"] == "locale_allowed"
    assert summary["run_name"] == "nightly-2026-11-26"
    saved = json.loads(result.save(tmp_path / "gate" / "gx_result.json").read_text())
    assert saved["success"] is False
    assert saved["suite_name"] == "utterances_publish_gate"
    assert len(saved["results"]) == result.evaluated


def test_docs_dir_builds_data_docs_without_transcript_text(tmp_path):
    batch = with_value(make_batch(), "user_text", 2, LEAKS["email"])
    result = run_gate(batch, POLICY, docs_dir=str(tmp_path / "docs"), run_name="docs-run")
    assert not result.success
    index = Path(result.docs_index)
    assert index == tmp_path / "docs" / "index.html"
    assert index.is_file()
    pages = [p for p in (tmp_path / "docs").rglob("*.html")]
    assert any("validations" in p.parts for p in pages)
    rendered = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "user_text_has_identifier" in rendered
    assert "jane.doe" not in rendered
    for text in make_batch()["user_text"].to_pylist():
        assert text not in rendered


def test_docs_dir_on_s3_builds_the_data_docs_there(monkeypatch):
    """A lake on S3: GX builds its site in a temporary folder, the pages go up through Storage."""
    import uuid

    import fsspec
    import fsspec.config
    from tests.s3 import s3_server, storage_options

    with s3_server() as endpoint:
        options = storage_options(endpoint)
        # what FSSPEC_S3_* in a deployment's environment puts into fsspec's configuration
        monkeypatch.setitem(fsspec.config.conf, "s3", options)
        fs = fsspec.filesystem("s3", skip_instance_cache=True, **options)
        bucket = f"lake-{uuid.uuid4().hex[:8]}"
        fs.mkdir(bucket)
        batch = with_value(make_batch(), "user_text", 2, LEAKS["email"])
        result = run_gate(batch, POLICY, docs_dir=f"s3://{bucket}/ug/reports/run-1/gx", run_name="docs-run")

        assert not result.success
        assert result.docs_index == f"s3://{bucket}/ug/reports/run-1/gx/index.html"
        pages = [p for p in fs.find(f"{bucket}/ug/reports/run-1/gx") if p.endswith(".html")]
        assert f"{bucket}/ug/reports/run-1/gx/index.html" in pages
        assert any("/validations/" in p for p in pages)
        rendered = "\n".join(fs.cat(p).decode("utf-8") for p in pages)
        assert "user_text_has_identifier" in rendered and "jane.doe" not in rendered


def test_gate_frame_masks_sensitive_columns_but_keeps_their_nulls():
    from utterance_governance.quality.gate import gate_frame

    frame = gate_frame(make_batch())
    assert frame["user_text"].eq("").all()
    assert frame["assistant_text"].isna().tolist() == [False, False, True, False, False, True]
    assert str(frame["user_text"].dtype) == "string"
    assert frame["speaker_key"].eq("").all()
    assert frame["locale"].tolist() == ["en-US", "en-GB", "de-DE"] * 2
    assert isinstance(frame, pd.DataFrame)


# --- the independent detector (SPEC §5, amended 2026-11-28) -----------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "rule"),
    [
        ("ruf null eins sieben zwei drei vier fünf sechs an", "spoken_number", "digit_words"),
        ("my iban is DE89 3704 0044 0532 0130 00", "iban", "stdnum_iban"),
        ("my name is Ornella", "name", "name_statement"),
        ("send it to 12 Main Street", "address", "street_number"),
        ("mail kim＠example.com", "email", "email_written"),
    ],
)
def test_what_redaction_missed_blocks_the_gate_naming_rule_and_row_never_the_text(text, kind, rule):
    result = run_gate(with_value(make_batch(), "user_text", 3, text), POLICY)
    failure = only_failure(result, "user_text_no_identifier")
    assert failure.sample_utterance_ids == ["utt-0003"]
    listed = result.statistics["identifier_findings"]
    assert {"utterance_id": "utt-0003", "column": "user_text", "kind": kind, "rule": rule} in listed
    assert result.statistics["identifier_findings_count"] >= 1
    assert text not in json.dumps(result.to_dict(), default=str)


@pytest.mark.parametrize(
    "text", ["call mom", "play Frank Sinatra", "add bread to my list", "call [PHONE] now", "the year 1999"]
)
def test_benign_and_redacted_turns_pass_the_detector(text):
    result = run_gate(with_value(make_batch(), "user_text", 1, text), POLICY)
    assert result.success, [f.message for f in result.failed]
    assert result.statistics["identifier_findings"] == []
