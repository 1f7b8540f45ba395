"""Each record-quality rule on tiny inline frames: which rows it excludes, under which reason.

(The privacy rules are tested in ``tests/unit/privacy/test_rules.py``.)
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.rules.base import Frame
from utterance_governance.rules.quality import LocaleNotAllowed, LowAsrConfidence

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def ts(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def utterances(*rows: tuple) -> pa.Table:
    """rows of (utterance_id, customer_id, captured_at, locale[, asr_confidence])."""
    cols = {f.name: [] for f in S.UTTERANCE}
    for row in rows:
        uid, cid, at, locale, *rest = row
        values = dict(utterance_id=uid, customer_id=cid, device_id="d", session_id="s", turn_index=0,
                      captured_at=at, locale=locale, transcript="hello there", response="hi",
                      asr_confidence=rest[0] if rest else 0.9)  # fmt: skip
        for k in cols:
            cols[k].append(values[k])
    return pa.table(cols, schema=S.UTTERANCE)


def excluded(rule, records, policy=Policy()) -> list[str]:
    mask = rule.excludes(Frame(records, policy, NOW))
    return [u for u, m in zip(records.column("utterance_id").to_pylist(), mask, strict=True) if m]


def test_reason_codes_are_the_contracts():
    assert LocaleNotAllowed.reason == "quality:locale_not_allowed"
    assert LowAsrConfidence.reason == "quality:low_asr_confidence"


class TestRecordQuality:
    def test_locale_must_be_allowed(self):
        records = utterances(("ok", "c1", ts(1), "en-US"), ("no", "c1", ts(1), "sw-KE"))
        assert excluded(LocaleNotAllowed(), records) == ["no"]

    @pytest.mark.parametrize("threshold, expected", [(0.5, ["low"]), (0.95, ["low", "mid"])])
    def test_asr_confidence_threshold_is_configurable(self, threshold, expected):
        records = utterances(("low", "c1", ts(1), "en-US", 0.2), ("mid", "c1", ts(1), "en-US", 0.9),
                             ("none", "c1", ts(1), "en-US", None))  # fmt: skip
        assert excluded(LowAsrConfidence(), records, policy=Policy(min_asr_confidence=threshold)) == expected


def test_empty_frames_exclude_nothing():
    records = utterances()
    for rule in (LocaleNotAllowed(), LowAsrConfidence()):
        assert np.asarray(rule.excludes(Frame(records, Policy(), NOW))).sum() == 0


def test_an_utterance_id_that_holds_its_customer_or_device_id_is_not_published():
    """The utterance id is published as it is: "acct-88231907:dev-4f2a91:0001" published a customer id
    and a device id, which SPEC §3.1 says never appear in published output."""
    from utterance_governance.rules.quality import UtteranceIdNamesSpeaker

    records = utterances(
        ("acct-88231907:0001", "acct-88231907", ts(1), "en-US"),
        ("ACCT-88231908-0002", "acct-88231908", ts(1), "en-US"),  # case aside
        ("alice.smith@example.com/2026-11-20/0002", "Alice.Smith@example.com", ts(1), "en-US"),
        ("3f2b1c9e-0b7a-4f5e-9c1d-2a6b8e4f7d10", "c1", ts(1), "en-US"),  # a UUID: never looked into
        ("u-alice-1", "alice", ts(1), "en-US"),  # a customer id too short to be told from chance
        ("utt-0001", "cus-9", ts(1), "en-US"),
    )
    records = records.set_column(records.schema.get_field_index("device_id"), "device_id",
                                 pa.array(["d"] * 5 + ["dev-0001x"]))  # fmt: skip
    with_device = utterances(("dev-4f2a91:0001", "cus-1", ts(1), "en-US"))
    with_device = with_device.set_column(with_device.schema.get_field_index("device_id"), "device_id",
                                         pa.array(["DEV-4F2A91"]))  # fmt: skip
    assert UtteranceIdNamesSpeaker.reason == "quality:utterance_id_names_speaker"
    assert excluded(UtteranceIdNamesSpeaker(), records) == [
        "acct-88231907:0001", "ACCT-88231908-0002", "alice.smith@example.com/2026-11-20/0002"
    ]  # fmt: skip
    assert excluded(UtteranceIdNamesSpeaker(), with_device) == ["dev-4f2a91:0001"]


def names_speaker(*rows: tuple[str, str | None, str]) -> list[str]:
    """The utterance ids quality:utterance_id_names_speaker excludes, of rows (utterance_id,
    customer_id, device_id)."""
    from utterance_governance.rules.quality import UtteranceIdNamesSpeaker

    records = utterances(*[(uid, cid, ts(1), "en-US") for uid, cid, _ in rows])
    records = records.set_column(records.schema.get_field_index("device_id"), "device_id",
                                 pa.array([device for *_, device in rows], pa.string()))  # fmt: skip
    return excluded(UtteranceIdNamesSpeaker(), records)


ACCOUNT_UUID = "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3"


@pytest.mark.parametrize(
    ("uid", "customer"),
    [(ACCOUNT_UUID.replace("-", "") + ":0001", ACCOUNT_UUID),  # a UUID account id without its hyphens
     (ACCOUNT_UUID.replace("-", "").upper() + "-0001", ACCOUNT_UUID),
     ("acct_88231907:0001", "acct-88231907"),  # its separator changed
     ("ACCT88231907-0001", "acct-88231907"),  # without it, upper case
     ("acct.8823.1907/0001", "ACCT-88231907"),
     ("ＡＣＣＴ－８８２３１９０７：０００１", "acct-88231907"),  # full width (NFKC)
     ("acct88231907-0001", "ａｃｃｔ－８８２３１９０７"),
     ("kunde-strasse-7781:0001", "Kunde-Straße-7781"),  # case folded, not only lower-cased
     ("x:Ünal-20250101:0001", "ünal20250101")],
)  # fmt: skip
def test_an_utterance_id_holding_its_customer_id_in_another_notation_is_not_published(uid, customer):
    """Review finding 10: compared by plain substring (case aside), the same id in another notation went
    through, and the customer id was published inside the utterance id (SPEC §3.1)."""
    assert names_speaker((uid, customer, "d")) == [uid]


def test_an_utterance_id_holding_its_device_id_in_another_notation_is_not_published():
    assert names_speaker(("dev4f2a91x_0001", "cus-1", "DEV-4F2A91X"), ("u:0001", "cus-2", "DEV-4F2A91X")) == [
        "dev4f2a91x_0001"
    ]


def test_an_utterance_id_sharing_only_a_short_part_with_the_customer_id_is_kept():
    """The look-alikes: part of the id (a UUID's first group, the account number's first half), or an
    id under eight letters and digits ("alice", "cus-9"), found in other ids by chance."""
    kept = [("6f1c2b7e:0001", ACCOUNT_UUID, "d"), ("acct-8823:0001", "acct-88231907", "d"),
            ("88231907-acct", "acct-88231907", "d"), ("u-alice-0001", "alice", "d"),
            ("cus9-0001", "cus-9", "d"), ("dev-0001", "cus-1", "d-e-v-0"), ("utt-0001", None, "d")]  # fmt: skip
    assert names_speaker(*kept) == []


def test_an_id_too_short_bare_is_looked_for_as_written():
    """An id of eight characters but six letters and digits ("ab-12-cd") is found as written (case
    aside), as before; its bare form "ab12cd" is not looked for (too short to be told from chance)."""
    assert names_speaker(("x-AB-12-CD-1", "ab-12-cd", "d"), ("ab12cd-0001", "ab-12-cd", "d")) == [
        "x-AB-12-CD-1"
    ]


def test_the_rule_reads_every_chunk_and_an_utterance_id_that_is_a_uuid_only_when_it_is_the_customers():
    """A UUID utterance id holds no other id, but it may be the customer's own (a device that used its
    account id for its first recording): that is the customer id, published."""
    from utterance_governance.rules.quality import UtteranceIdNamesSpeaker

    other = "3f2b1c9e-0b7a-4f5e-9c1d-2a6b8e4f7d10"
    rows = [("utt-1", "cus-1", ts(1), "en-US"), (other, ACCOUNT_UUID, ts(1), "en-US"),
            ("acct_88231907:0001", "acct-88231907", ts(1), "en-US"), ("utt-2", None, ts(1), "en-US"),
            (ACCOUNT_UUID, ACCOUNT_UUID, ts(2), "en-US"),
            (ACCOUNT_UUID.upper(), "{" + ACCOUNT_UUID + "}", ts(3), "en-US"),
            (other.upper(), "urn:uuid:" + other.replace("-", ""), ts(4), "en-US")]  # fmt: skip
    records = pa.concat_tables([utterances(*rows[:2]), utterances(*rows[2:])])
    assert records.column("utterance_id").num_chunks == 2
    assert excluded(UtteranceIdNamesSpeaker(), records) == [
        "acct_88231907:0001",
        ACCOUNT_UUID,
        ACCOUNT_UUID.upper(),
        other.upper(),
    ]
