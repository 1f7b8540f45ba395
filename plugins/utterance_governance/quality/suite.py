"""The publish gate's Great Expectations suite, built in code from the policy (SPEC §4, §5).

What a publishable batch must hold, one named check per expectation (the name is in each
expectation's ``meta["check"]`` and is what reports and logs quote):

- ``columns``: exactly the batch columns plus the gate's probe columns. Extra columns are
  *not* allowed: the batch becomes the shards, and an unexpected column is how a
  ``customer_id``, a ``device_id`` or a raw transcript would leak into training data.
- ``type:<column>``: the pandas dtype each column arrives as (see ``COLUMN_DTYPES``).
- ``utterance_id_not_null``, ``utterance_id_unique``, ``locale_not_null``,
  ``captured_date_not_null``, ``content_hash_not_null``.
- ``speaker_key_pseudonym``: ``speaker_key`` matches ``^[0-9a-f]{64}$`` (a keyed HMAC, not
  an account id).
- ``locale_allowed``: ``locale`` is in ``policy.allowed_locales``.
- ``asr_confidence_range``: every present value is between ``policy.min_asr_confidence``
  and 1. Nulls pass: the confidence is optional upstream (SPEC §3.1) and the record-level
  rule owns that choice.
- ``utterance_id_length``: 1 to 512 characters.
- ``captured_date_plausible``: from 2000-01-01 to tomorrow.
- ``user_text_length``: the user turn, whitespace trimmed, has ``policy.min_transcript_chars``
  to ``policy.max_transcript_chars`` characters (a null turn counts as empty).
- ``user_text_speech``: the user turn holds a letter or a digit (not only zero-width
  characters, Hangul fillers or punctuation).
- ``assistant_text_length``: at most ``policy.max_response_chars`` (a null reply is fine).
- ``user_text_no_identifier`` / ``assistant_text_no_identifier``: the independent detector
  (``detect.find_identifiers``: other code and rules than the redaction in ``clean``) finds no
  identifier in the cleaned turn.

Probe columns. Checks that read transcript text, and the ``speaker_key`` shape, are asserted
by GX on *probe columns* the gate derives first with vectorised Arrow/RE2 kernels
(``user_text_has_identifier``, ``user_text_chars``, ``speaker_key_is_pseudonym``, ...), not by
running GX's regex or length expectations on the text itself: GX's pandas regex and
value-length metrics call ``column.astype(str)`` and Python ``re`` (tens of seconds per 1M
rows instead of tenths; measured in ``quality.gate``), and the unexpected values GX records
and renders into Data Docs are then booleans and lengths, never transcript text.

An empty batch passes: "nothing to publish tonight" (everyone opted out, say) is a valid
outcome, and the publish step decides what an empty version means. There is therefore no
row-count expectation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from utterance_governance.io.readers import MAX_UTTERANCE_ID_CHARS
from utterance_governance.policy import Policy

if TYPE_CHECKING:
    import great_expectations as gx

SUITE_NAME = "utterances_publish_gate"

# The batch the gate sees, and the pandas dtype name each column has once the gate turned
# the Arrow batch into a frame (strings are Arrow-backed ``string``; dates stay Arrow dates).
COLUMN_DTYPES: dict[str, str] = {
    "utterance_id": "string",
    "speaker_key": "string",
    "locale": "string",
    "captured_date": "date32[day][pyarrow]",
    "user_text": "string",
    "assistant_text": "string",
    "content_hash": "string",
    "asr_confidence": "float64",
}
BATCH_COLUMNS: tuple[str, ...] = tuple(COLUMN_DTYPES)

# Probe columns the gate derives before validation: name -> the batch column it describes.
PROBE_COLUMNS: dict[str, str] = {
    "speaker_key_is_pseudonym": "speaker_key",
    "utterance_id_chars": "utterance_id",
    "captured_date_plausible": "captured_date",
    "user_text_has_speech": "user_text",
    "user_text_chars": "user_text",
    "assistant_text_chars": "assistant_text",
    "user_text_has_identifier": "user_text",
    "assistant_text_has_identifier": "assistant_text",
}

# Columns whose values must never reach a log, a report or Data Docs: failures on them (or
# on probes of them) are reported by count and utterance_id only.
SENSITIVE_COLUMNS = frozenset({"user_text", "assistant_text", "speaker_key"})

PSEUDONYM_PATTERN = r"^[0-9a-f]{64}$"


def source_column(column: str | None) -> str | None:
    """The batch column a (possibly probe) column describes."""
    if column is None:
        return None
    return PROBE_COLUMNS.get(column, column)


def build_suite(policy: Policy, *, name: str = SUITE_NAME) -> gx.ExpectationSuite:
    """The gate's expectations for ``policy``; every threshold and set comes from it."""
    import great_expectations as gx

    e = gx.expectations

    def check(expectation, name: str, notes: str):
        expectation.meta = {"check": name}
        expectation.notes = notes
        return expectation

    expectations = [
        check(
            e.ExpectTableColumnsToMatchSet(column_set=[*BATCH_COLUMNS, *PROBE_COLUMNS], exact_match=True),
            "columns",
            "The batch has exactly the published columns (plus the gate's probe columns): "
            "an extra column could carry customer_id, device_id or raw text into training.",
        ),
        *(
            check(
                e.ExpectColumnTypeToBe(column=column, type_=dtype),
                f"type:{column}",
                f"{column} is {dtype}.",
            )
            for column, dtype in COLUMN_DTYPES.items()
        ),
        check(
            e.ExpectColumnValuesToNotBeNull(column="utterance_id"),
            "utterance_id_not_null",
            "Every row has an utterance_id.",
        ),
        check(
            e.ExpectColumnValuesToBeUnique(column="utterance_id"),
            "utterance_id_unique",
            "utterance_id is unique within the batch.",
        ),
        check(
            e.ExpectColumnValuesToBeBetween(
                column="utterance_id_chars", min_value=1, max_value=MAX_UTTERANCE_ID_CHARS
            ),
            "utterance_id_length",
            f"utterance_id is not empty and at most {MAX_UTTERANCE_ID_CHARS} characters (the readers' own bound).",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="speaker_key_is_pseudonym", value_set=[True]),
            "speaker_key_pseudonym",
            f"speaker_key matches {PSEUDONYM_PATTERN} (a keyed pseudonym, never an account id); "
            "the probe is computed by the gate with RE2.",
        ),
        check(
            e.ExpectColumnValuesToNotBeNull(column="locale"),
            "locale_not_null",
            "Every row has a locale.",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="locale", value_set=sorted(policy.allowed_locales)),
            "locale_allowed",
            "locale is one of the policy's allowed locales.",
        ),
        check(
            e.ExpectColumnValuesToNotBeNull(column="captured_date"),
            "captured_date_not_null",
            "Every row has a captured_date.",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="captured_date_plausible", value_set=[True]),
            "captured_date_plausible",
            "captured_date is from 2000 on and no later than tomorrow (the readers' own bounds: a "
            "zero clock's year 1 is a date Hugging Face datasets cannot iterate).",
        ),
        check(
            e.ExpectColumnValuesToNotBeNull(column="content_hash"),
            "content_hash_not_null",
            "Every row has a content_hash.",
        ),
        # Per row, not the column's min/max: those are None (a failure) for an empty batch or
        # a batch without any confidence. The price: GX filters the whole frame on the
        # column's nulls three times (~0.25 s per 1M rows with nulls).
        check(
            e.ExpectColumnValuesToBeBetween(
                column="asr_confidence", min_value=float(policy.min_asr_confidence), max_value=1.0
            ),
            "asr_confidence_range",
            "asr_confidence, where present, is between the policy minimum and 1.",
        ),
        check(
            e.ExpectColumnValuesToBeBetween(
                column="user_text_chars",
                min_value=max(1, int(policy.min_transcript_chars)),
                max_value=int(policy.max_transcript_chars),
            ),
            "user_text_length",
            "The user turn (whitespace trimmed) is within the policy's minimum and maximum length.",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="user_text_has_speech", value_set=[True]),
            "user_text_speech",
            "The user turn holds a letter or a digit: zero-width characters, a Hangul filler or "
            "punctuation alone are no speech (the empty_transcript rule, read again).",
        ),
        check(
            e.ExpectColumnValuesToBeBetween(
                column="assistant_text_chars", min_value=0, max_value=int(policy.max_response_chars)
            ),
            "assistant_text_length",
            "The assistant turn, when present, is within the policy's maximum length.",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="user_text_has_identifier", value_set=[False]),
            "user_text_no_identifier",
            "No identifier (email, phone, card, SSN, IP, IBAN, national id, spoken number, name "
            "statement, street address) is found in the cleaned user turn by the independent "
            "detector (detect.find_identifiers), which applies other rules than redaction (it shares "
            "only the name lists and a text utility).",
        ),
        check(
            e.ExpectColumnValuesToBeInSet(column="assistant_text_has_identifier", value_set=[False]),
            "assistant_text_no_identifier",
            "No identifier is found in the cleaned assistant turn by the independent detector.",
        ),
    ]
    return gx.ExpectationSuite(
        name=name,
        expectations=expectations,
        meta={"policy": _policy_meta(policy)},
    )


def _policy_meta(policy: Policy) -> dict:
    return {
        "allowed_locales": sorted(policy.allowed_locales),
        "min_asr_confidence": policy.min_asr_confidence,
        "max_transcript_chars": policy.max_transcript_chars,
        "max_response_chars": policy.max_response_chars,
    }
