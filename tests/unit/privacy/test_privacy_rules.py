"""The privacy rules (``privacy.rules``) on tiny inline frames: which rows each excludes, and why.

Frames are given in each shape the callers use: records with ``customer_id`` and published rows
with only a ``speaker_key``; both must get the same answer (``TestShapes``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict, speaker_keys
from utterance_governance.privacy.rules import DeletionRequested, HeldBack, NoConsent, OptedOut
from utterance_governance.privacy.subjects import Subjects

NOW = datetime(2026, 11, 26, tzinfo=UTC)
KEY = b"rules-test-key"


def ts(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def utterances(*rows: tuple) -> pa.Table:
    """rows of (utterance_id, customer_id, captured_at, locale[, landed_at]); landed when captured unless given."""
    return pa.table(
        {
            "utterance_id": pa.array([r[0] for r in rows], pa.string()),
            "customer_id": pa.array([r[1] for r in rows], pa.string()),
            "captured_at": pa.array([r[2] for r in rows], S.TS),
            "locale": pa.array([r[3] for r in rows], pa.string()),
            "landed_at": pa.array([r[4] if len(r) > 4 else r[2] for r in rows], S.TS),
        }
    )


def consent(*events: tuple) -> pa.Table:
    """events of (customer_id, status, effective_at[, recorded_at])."""
    rows = [
        dict(
            event_id=f"e{i}",
            customer_id=c,
            purpose=S.TRAINING_PURPOSE,
            status=s,
            effective_at=at,
            recorded_at=rest[0] if rest else at,
            source="app",
        )
        for i, (c, s, at, *rest) in enumerate(events)
    ]
    return pa.Table.from_pylist(rows, schema=S.CONSENT)


def deletions(*requests: dict) -> pa.Table:
    base = {"from": None, "to": None, "utterance_ids": None}
    rows = [{**base, "request_id": f"r{i}", **r} for i, r in enumerate(requests)]
    return pa.Table.from_pylist(rows, schema=S.DELETION)


def excluded(rule, records, state=PrivacyState(), policy=Policy()) -> list[str]:
    mask = rule.excludes(Subjects.resolve(records, state, NOW, KEY, policy.capture_clock_skew_s), policy)
    return [u for u, m in zip(records.column("utterance_id").to_pylist(), mask, strict=True) if m]


def test_reason_codes_are_the_contracts():
    assert OptedOut.reason == "opted_out"
    assert NoConsent.reason == "no_consent"
    assert DeletionRequested.reason == "deletion_requested"
    assert HeldBack.reason == "held_back"


class TestConsent:
    def test_retroactive_opt_out_excludes_everything_captured_before(self):
        records = utterances(
            ("u1", "c1", ts(1), "en-US"), ("u2", "c1", ts(20), "en-US"), ("u3", "c2", ts(1), "en-US")
        )
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(25))))
        assert excluded(OptedOut(), records, state) == ["u1", "u2"]

    def test_opt_out_then_back_in_keeps_the_gap_excluded(self):
        records = utterances(
            ("before", "c1", ts(1), "en-US"), ("gap", "c1", ts(10), "en-US"), ("after", "c1", ts(20), "en-US")
        )
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(5)), ("c1", "opted_in", ts(15))))
        assert excluded(OptedOut(), records, state) == ["gap"]
        assert excluded(NoConsent(), records, state) == []

    def test_opt_out_effective_at_the_capture_instant_is_in_force(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        state = PrivacyState(consent=consent(("c1", "opted_out", ts(10)), ("c1", "opted_in", ts(11))))
        assert excluded(OptedOut(), records, state) == ["u1"]

    def test_recorded_at_the_same_instant_an_opt_out_outranks_an_opt_in(self):
        records = utterances(("u1", "c1", ts(10), "en-US"))
        state = PrivacyState(
            consent=consent(("c1", "opted_in", ts(5), ts(6)), ("c1", "opted_out", ts(5), ts(6)))
        )
        assert excluded(OptedOut(), records, state) == ["u1"]

    def test_within_the_clock_skew_an_opt_out_outranks_an_opt_in_recorded_after_it(self):
        """An opt-in stamped two minutes ahead by a fast clock (inside the five minutes of skew the
        policy allows, so the reader takes it), then the customer's opt-out a minute later by a right
        clock: the opt-in was the word recorded last, for good, and the rows were published."""
        records = utterances(("before", "c1", ts(5), "en-US"), ("after", "c1", ts(20), "en-US"))
        state = PrivacyState(consent=consent(("c1", "opted_in", ts(10, 12, 2), ts(10, 12, 2)),
                                             ("c1", "opted_out", ts(10, 12, 1), ts(10, 12, 1))))  # fmt: skip
        assert excluded(OptedOut(), records, state) == ["before", "after"]
        # beyond the skew, the later word wins as before: the customer opted back in
        later = PrivacyState(consent=consent(("c1", "opted_out", ts(10, 12, 0), ts(10, 12, 0)),
                                             ("c1", "opted_in", ts(10, 12, 6), ts(10, 12, 6))))  # fmt: skip
        assert excluded(OptedOut(), records, later) == []

    def test_the_word_recorded_last_wins_whatever_the_dates_it_names(self):
        """Both name day 5; the opt-in, given on day 7 after the opt-out of day 6, holds from day 7."""
        records = utterances(("between", "c1", ts(6, 12), "en-US"), ("after", "c1", ts(10), "en-US"))
        state = PrivacyState(
            consent=consent(("c1", "opted_out", ts(5), ts(6)), ("c1", "opted_in", ts(5), ts(7)))
        )
        assert excluded(OptedOut(), records, state) == ["between"]
        reversed_order = PrivacyState(
            consent=consent(("c1", "opted_in", ts(5), ts(6)), ("c1", "opted_out", ts(5), ts(7)))
        )
        assert excluded(OptedOut(), records, reversed_order) == ["between", "after"]

    def test_an_opt_in_dated_ahead_does_not_override_the_opt_out_given_after_it(self):
        """A device clock an hour fast: opted in at 12:00 (dated 13:00), opted out at 12:10. The last
        word is the opt-out, before and after 13:00."""
        records = utterances(("before", "c1", ts(5), "en-US"), ("after", "c1", ts(20), "en-US"))
        state = PrivacyState(consent=consent(("c1", "opted_in", ts(10, 13), ts(10, 12)),
                                             ("c1", "opted_out", ts(10, 12, 10), ts(10, 12, 10))))  # fmt: skip
        assert excluded(OptedOut(), records, state) == ["before", "after"]

    def test_a_backdated_opt_in_is_not_consent_before_it_was_given(self):
        """Opt-in regime: captured on day 5, opted in on day 20 with a date of day 1: no consent at capture."""
        records = utterances(("u1", "c1", ts(5), "de-DE"), ("u2", "c1", ts(21), "de-DE"))
        state = PrivacyState(consent=consent(("c1", "opted_in", ts(1), ts(20))))
        assert excluded(NoConsent(), records, state) == ["u1"]

    def test_a_future_opt_in_is_not_consent_yet(self):
        records = utterances(("u1", "c1", ts(10), "de-DE"))
        state = PrivacyState(consent=consent(("c1", "opted_in", datetime(2027, 1, 1, tzinfo=UTC))))
        assert excluded(NoConsent(), records, state) == ["u1"]

    def test_an_opt_out_dated_in_the_future_is_in_force_from_when_we_hold_it(self):
        """An opt-out never waits for a date an upstream clock chose: it counts from the earliest of
        its effective time, its recording time and now."""
        records = utterances(("u1", "c1", ts(10), "en-US"), ("u2", "c2", ts(10), "en-US"))
        future = datetime(2027, 1, 1, tzinfo=UTC)
        state = PrivacyState(consent=consent(("c1", "opted_out", future), ("c2", "opted_out", future, ts(3))))
        assert excluded(OptedOut(), records, state) == ["u1", "u2"]

    def test_eu_locale_without_events_has_no_consent_us_locale_has(self):
        records = utterances(
            ("de", "c1", ts(1), "de-DE"), ("ie", "c2", ts(1), "en-IE"), ("us", "c3", ts(1), "en-US")
        )
        assert excluded(NoConsent(), records) == ["de", "ie"]

    def test_eu_opt_in_after_capture_does_not_cover_earlier_utterances(self):
        records = utterances(("early", "c1", ts(1), "fr-FR"), ("late", "c1", ts(20), "fr-FR"))
        state = PrivacyState(consent=consent(("c1", "opted_in", ts(10))))
        assert excluded(NoConsent(), records, state) == ["early"]

    def test_regional_defaults_are_configuration(self):
        records = utterances(("us", "c1", ts(1), "en-US"), ("de", "c2", ts(1), "de-DE"))
        policy = Policy(opt_in_regions=("US",))
        assert excluded(NoConsent(), records, policy=policy) == ["us"]

    def test_other_purposes_are_ignored(self):
        """(The readers refuse other purposes; a state built by hand may still hold one.)"""
        records = utterances(("u1", "c1", ts(10), "en-US"))
        events = consent(("c1", "opted_out", ts(1)))
        events = events.set_column(2, "purpose", pa.array(["marketing"]))
        assert excluded(OptedOut(), records, PrivacyState(consent=events)) == []


class TestDeletion:
    def test_scope_all_covers_everything_captured_until_the_request(self):
        records = utterances(
            ("old", "c1", ts(1), "en-US"), ("new", "c1", ts(20), "en-US"), ("x", "c2", ts(1), "en-US")
        )
        state = PrivacyState(deletions=deletions(dict(customer_id="c1", scope="all", requested_at=ts(10))))
        assert excluded(DeletionRequested(), records, state) == ["old"]

    def test_scope_all_covers_what_landed_before_the_request_whatever_its_capture_time(self):
        """A capture time in the future (a wrong clock) does not escape a delete-all."""
        records = utterances(
            ("future", "c1", ts(20), "en-US", ts(5)), ("later", "c1", ts(20), "en-US", ts(11))
        )
        state = PrivacyState(deletions=deletions(dict(customer_id="c1", scope="all", requested_at=ts(10))))
        assert excluded(DeletionRequested(), records, state) == ["future"]

    def test_scope_all_covers_words_spoken_just_before_it_on_a_clock_running_ahead(self):
        """Within the devices' clock skew after the request, a capture may have come before it."""
        skew = timedelta(seconds=Policy().capture_clock_skew_s)
        at = ts(10)
        records = utterances(("ahead", "c1", at + skew, "en-US", ts(11)),
                             ("after", "c1", at + skew + timedelta(seconds=1), "en-US", ts(11)))  # fmt: skip
        state = PrivacyState(deletions=deletions(dict(customer_id="c1", scope="all", requested_at=at)))
        assert excluded(DeletionRequested(), records, state) == ["ahead"]

    def test_unknown_times_fall_inside_every_request(self):
        records = utterances(("u1", "c1", ts(20), "en-US"), ("u2", "c2", ts(20), "en-US"))
        records = records.set_column(4, "landed_at", pa.nulls(2, S.TS))
        records = records.set_column(2, "captured_at", pa.array([ts(20), None], S.TS))
        state = PrivacyState(deletions=deletions(
            dict(customer_id="c1", scope="all", requested_at=ts(10)),
            dict(customer_id="c2", scope="range", requested_at=ts(25), **{"from": ts(5), "to": ts(6)}),
        ))  # fmt: skip
        assert excluded(DeletionRequested(), records, state) == ["u1", "u2"]

    def test_scope_range_is_inclusive(self):
        records = utterances(
            ("before", "c1", ts(1), "en-US"), ("lo", "c1", ts(5), "en-US"), ("hi", "c1", ts(9), "en-US"),
            ("after", "c1", ts(12), "en-US"), ("other", "c2", ts(6), "en-US"),
        )  # fmt: skip
        req = dict(customer_id="c1", scope="range", requested_at=ts(25), **{"from": ts(5), "to": ts(9)})
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == ["lo", "hi"]

    def test_scope_utterances_deletes_only_the_requesters_own(self):
        records = utterances(
            ("mine", "c1", ts(1), "en-US"), ("keep", "c1", ts(2), "en-US"), ("theirs", "c2", ts(1), "en-US")
        )
        req = dict(
            customer_id="c1", scope="utterances", utterance_ids=["mine", "theirs"], requested_at=ts(25)
        )
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == ["mine"]

    def test_scope_utterances_matches_the_listed_ids_whatever_their_case(self):
        """A support tool that upper-cases UUIDs listed ids that matched nothing: the request completed
        with the utterance still published. Only the requester's own rows are reached, folded or not."""
        records = utterances(
            ("6f1c-ab", "c1", ts(1), "en-US"), ("ärger-1", "c1", ts(2), "de-DE"),
            ("keep", "c1", ts(3), "en-US"), ("6F1C-AB", "c2", ts(1), "en-US"),
        )  # fmt: skip
        req = dict(
            customer_id="c1", scope="utterances", utterance_ids=["6F1C-AB", "ÄRGER-1"], requested_at=ts(25)
        )
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == [
            "6f1c-ab",
            "ärger-1",
        ]

    def test_scope_utterances_matches_the_listed_ids_in_compatibility_spellings(self):
        """A listing typed through an East Asian input method (full-width forms) matched nothing and its
        receipt completed with the utterance live; an id the data writes so is reached the other way."""
        uuid = "6f1c2a3b-1111-2222-3333-444455556666"
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in uuid)
        records = utterances(
            (uuid, "c1", ts(1), "en-US"), ("ｕ－７７", "c1", ts(2), "en-US"), ("keep", "c1", ts(3), "en-US"),
        )  # fmt: skip
        req = dict(customer_id="c1", scope="utterances", utterance_ids=[wide, "U-77"], requested_at=ts(25))
        assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == [
            uuid,
            "ｕ－７７",
        ]

    def test_scope_utterances_matches_a_uuid_however_it_is_written(self):
        """A listing of ``{6F1C…}``, ``urn:uuid:6f1c…`` or the 32 digits without hyphens matched nothing and
        its receipt completed with the utterance still published; the rows' ids may be written so too."""
        uuid = "6f1c2a3b-1111-2222-3333-444455556666"
        records = utterances(
            (uuid, "c1", ts(1), "en-US"), ("7a2b3c4d555566667777888899990000", "c1", ts(2), "en-US"),
            ("keep", "c1", ts(3), "en-US"), ("6f1c2a3b-1111-2222-3333-44445555666", "c1", ts(4), "en-US"),
        )  # fmt: skip
        for listed in (f"{{{uuid.upper()}}}", f"urn:uuid:{uuid}", uuid.replace("-", "").upper()):
            req = dict(customer_id="c1", scope="utterances", utterance_ids=[listed, "{7a2b3c4d-5555-6666-7777-888899990000}"],
                       requested_at=ts(25))  # fmt: skip
            assert excluded(DeletionRequested(), records, PrivacyState(deletions=deletions(req))) == [
                uuid,
                "7a2b3c4d555566667777888899990000",
            ]

    def test_several_scopes_together(self):
        records = utterances(
            ("a", "c1", ts(1), "en-US"), ("b", "c2", ts(7), "en-US"), ("c", "c3", ts(3), "en-US")
        )
        state = PrivacyState(
            deletions=deletions(
                dict(customer_id="c1", scope="all", requested_at=ts(2)),
                dict(customer_id="c2", scope="range", requested_at=ts(25), **{"from": ts(6), "to": ts(8)}),
                dict(customer_id="c3", scope="utterances", utterance_ids=["c"], requested_at=ts(25)),
            )
        )
        assert excluded(DeletionRequested(), records, state) == ["a", "b", "c"]


class TestHoldBack:
    def test_customer_with_unreadable_record_is_held(self):
        records = utterances(("u1", "c1", ts(1), "en-US"), ("u2", "c2", ts(1), "en-US"))
        assert excluded(HeldBack(), records, PrivacyState(held_customers=frozenset({"c2"}))) == ["u2"]

    def test_a_blocking_record_is_not_a_row_verdict(self):
        """It stops publishing (decide holds every row back); it does not withdraw live rows."""
        records = utterances(("u1", "c1", ts(1), "en-US"), ("u2", "c2", ts(1), "en-US"))
        state = PrivacyState(blocked_reasons=("consent file x.jsonl line 3: unparseable_json",))
        assert excluded(HeldBack(), records, state) == []


class TestShapes:
    """The same rows given by customer id, by a differently spelled id, or by speaker key only."""

    STATE = PrivacyState(
        consent=consent(("c1 ", "opted_out", ts(5)), ("Amélie", "opted_in", ts(1))),
        deletions=deletions(dict(customer_id="Ame\u0301lie", scope="range", requested_at=ts(25),
                                 **{"from": ts(8), "to": ts(9)}),
                            dict(customer_id="c3", scope="utterances", utterance_ids=["u6"], requested_at=ts(25))),
        held_customers=frozenset({"held"}),
    )  # fmt: skip
    RECORDS = utterances(("u1", "c1", ts(1), "en-US"), ("u2", "Amélie", ts(3), "fr-FR"),
                         ("u3", "Amélie", ts(8), "fr-FR"), ("u4", "nobody", ts(3), "de-DE"),
                         ("u5", "nobody", ts(3), "en-US"), ("u6", "c3", ts(3), "en-US"), ("u7", "held", ts(3), "en-US"))  # fmt: skip
    EXPECTED = (
        "opted_out",
        None,
        "deletion_requested",
        "no_consent",
        None,
        "deletion_requested",
        "held_back",
    )

    def reasons(self, rows) -> list:
        return privacy_verdict(rows, self.STATE, Policy(), NOW, KEY).reasons.tolist()

    def test_by_customer_id(self):
        assert self.reasons(self.RECORDS) == list(self.EXPECTED)

    def test_by_other_spellings_of_the_ids(self):
        spelled = self.RECORDS.set_column(1, "customer_id", pa.array(
            [" c1", "Ame\u0301lie", "Amélie\t", "nobody", "nobody ", "c3", "held\u3000"]))  # fmt: skip
        assert self.reasons(spelled) == list(self.EXPECTED)

    def test_by_speaker_key_only(self):
        keyed = self.RECORDS.append_column(
            "speaker_key", speaker_keys(self.RECORDS.column("customer_id"), KEY)
        )
        assert self.reasons(keyed.drop_columns(["customer_id"])) == list(self.EXPECTED)

    def test_a_row_whose_customer_is_unknown_is_deleted_when_any_request_lists_it(self):
        rows = utterances(("u6", None, ts(3), "en-US"), ("u5", None, ts(3), "en-US"))
        assert self.reasons(rows)[0] == "deletion_requested"

    def test_covering_requests_are_named(self):
        verdict = privacy_verdict(self.RECORDS, self.STATE, Policy(), NOW, KEY)
        assert verdict.covering_requests() == [[], [], ["r0"], [], [], ["r1"], []]


def test_empty_frames_exclude_nothing():
    records = utterances()
    for rule in (OptedOut(), NoConsent(), DeletionRequested(), HeldBack()):
        assert np.asarray(excluded(rule, records)).size == 0


class TestOtherCase:
    """A record naming the customer in other case (a support tool that upper-cases ids) matched nothing:
    the opt-out or deletion was never applied to the customer's utterances."""

    RECORDS = utterances(("u1", "6f1c-ab", ts(1), "en-US"), ("u2", "Mixed-Id", ts(1), "en-US"),
                         ("u3", "other", ts(1), "en-US"))  # fmt: skip

    def test_a_deletion_covers_the_customer_in_lower_and_upper_case(self):
        state = PrivacyState(deletions=deletions(
            dict(customer_id="6F1C-AB", scope="all", requested_at=ts(25)),
            dict(customer_id="mixed-id", scope="all", requested_at=ts(25))))  # fmt: skip
        # "mixed-id" reaches "Mixed-Id" too: every id of its fold (``PrivacyState.folds``), not only the
        # all-lower and all-upper spellings
        assert excluded(DeletionRequested(), self.RECORDS, state) == ["u1", "u2"]
        verdict = privacy_verdict(self.RECORDS, state, Policy(), NOW, KEY)
        assert verdict.reasons.tolist() == [S.DELETION_REQUESTED, S.DELETION_REQUESTED, None]

    def test_an_opt_out_in_other_case_counts_against_the_customer(self):
        state = PrivacyState(consent=consent(("6F1C-AB", "opted_in", ts(1)), ("6F1C-AB", "opted_out", ts(2)),
                                             ("6f1c-ab", "opted_in", ts(1))))  # fmt: skip
        assert excluded(OptedOut(), self.RECORDS, state) == ["u1"]
        assert privacy_verdict(self.RECORDS, state, Policy(), NOW, KEY).reasons.tolist() == [
            S.OPTED_OUT,
            None,
            None,
        ]

    def test_an_other_case_opt_out_ends_where_that_spellings_history_ends_it(self):
        """``abc`` opts out on the 2nd and back in on the 10th: ``ABC``'s rows captured in between stay
        out (an opt-out covers what was recorded), the others are judged by ``ABC``'s own word. A
        customer who only ever opted in was held for good before."""
        records = utterances(("before", "ABC", ts(1), "de-DE"), ("between", "ABC", ts(5), "de-DE"),
                             ("after", "ABC", ts(12), "de-DE"))  # fmt: skip
        state = PrivacyState(consent=consent(("ABC", "opted_in", ts(1, 0)), ("abc", "opted_out", ts(2)),
                                             ("abc", "opted_in", ts(10))))  # fmt: skip
        assert excluded(OptedOut(), records, state) == ["between"]

    def test_an_other_case_opt_in_never_counts_for_the_customer(self):
        records = utterances(("u1", "ABC", ts(12), "de-DE"))
        state = PrivacyState(consent=consent(("ABC", "opted_out", ts(2)), ("abc", "opted_in", ts(10))))
        assert privacy_verdict(records, state, Policy(), NOW, KEY).reasons.tolist() == [S.OPTED_OUT]

    def test_other_case_reads_every_alphabets_case_rules(self):
        """``straße`` upper-cases to ``STRASSE`` (Python, ICU, Java) and ``İD`` lower-cases to ``i̇d``
        (a dotted i): Arrow's kernels write ``STRAẞE`` and ``id``, and matched neither."""
        records = utterances(("u1", "STRASSE", ts(1), "en-US"), ("i\u0307d-1", "c1", ts(1), "en-US"))
        state = PrivacyState(deletions=deletions(
            dict(customer_id="straße", scope="all", requested_at=ts(25)),
            dict(customer_id="c1", scope="utterances", utterance_ids=["İD-1"], requested_at=ts(25))))  # fmt: skip
        assert excluded(DeletionRequested(), records, state) == ["u1", "i\u0307d-1"]

    def test_an_opt_in_in_other_case_holds_nothing(self):
        state = PrivacyState(consent=consent(("6F1C-AB", "opted_in", ts(1)), ("6f1c-ab", "opted_in", ts(1))))
        assert excluded(HeldBack(), self.RECORDS, state) == []

    def test_published_rows_are_found_by_the_other_spellings_speaker_key(self):
        records = self.RECORDS
        rows = records.append_column("speaker_key", speaker_keys(records.column("customer_id"), KEY)).drop_columns(
            ["customer_id"])  # fmt: skip
        state = PrivacyState(deletions=deletions(dict(customer_id="6F1C-AB", scope="all", requested_at=ts(25))),
                             held_customers=frozenset({"OTHER"}))  # fmt: skip
        verdict = privacy_verdict(rows, state, Policy(), NOW, KEY)
        assert verdict.reasons.tolist() == [S.DELETION_REQUESTED, None, S.HELD_BACK]
