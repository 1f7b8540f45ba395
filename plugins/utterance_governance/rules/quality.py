"""Record-level quality rules (SPEC §4 rule 4), thresholds from the policy.

Each rule is one unit with reason ``quality:<rule>``. Locale and ASR confidence are
judged on the record as captured; text lengths on the cleaned (redacted) turns, in
the derived columns ``user_text`` / ``assistant_text``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.rules.base import Frame


def _mask(values) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False), dtype=bool)


class LocaleNotAllowed:
    """The locale is not one the model is trained on (policy ``allowed_locales``)."""

    reason = S.quality_reason("locale_not_allowed")

    def excludes(self, frame: Frame) -> np.ndarray:
        allowed = pa.array(frame.policy.allowed_locales, pa.string())
        return ~_mask(pc.is_in(frame.records.column("locale"), value_set=allowed))


class LowAsrConfidence:
    """The recogniser was unsure of what was said: the transcript may not be what the
    customer said. A missing confidence is not judged (upstream systems may not send one)."""

    reason = S.quality_reason("low_asr_confidence")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.less(frame.records.column("asr_confidence"), frame.policy.min_asr_confidence))


# an utterance id that is a UUID (the usual form) names nobody; only the others are looked into
_UUID = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
_SHORTEST_ID_LOOKED_FOR = 8  # a shorter id ("alice", "dev1") is found in other ids by chance


class UtteranceIdNamesSpeaker:
    """The utterance id holds its customer's or its device's id (``acct-88231907:dev-4f2a91:0001``),
    case aside. The utterance id is published as it is, and a customer or device id never is
    (SPEC §3.1): the record is not published (its privacy decisions, opt-out and deletion, still apply)."""

    reason = S.quality_reason("utterance_id_names_speaker")

    def excludes(self, frame: Frame) -> np.ndarray:
        records = frame.records
        out = np.zeros(records.num_rows, dtype=bool)
        uids = records.column("utterance_id")
        look = np.flatnonzero(~_mask(pc.match_substring_regex(uids, _UUID)) & _mask(pc.is_valid(uids)))
        if not len(look):
            return out
        at = pa.array(look, pa.int64())
        ids = pc.utf8_lower(uids.take(at)).to_pylist()
        for column in ("customer_id", "device_id"):
            if column not in records.column_names:
                continue
            named = pc.utf8_lower(pc.utf8_trim_whitespace(records.column(column).take(at))).to_pylist()
            hit = [
                n is not None and len(n) >= _SHORTEST_ID_LOOKED_FOR and n in u
                for u, n in zip(ids, named, strict=True)
            ]
            out[look[np.asarray(hit, dtype=bool)]] = True
        return out


# letters that print as nothing (Hangul fillers): not speech, though Unicode files them as letters;
# speech is any other letter, or a digit (RE2; the gate reads it again)
_FILLER_LETTERS = "\u115f\u1160\u3164\uffa0"
SPEECH = rf"[^\P{{L}}{_FILLER_LETTERS}]|\p{{N}}"


class EmptyTranscript:
    """Nothing said in the user turn after cleaning: no letter and no digit (``...``, zero-width or
    control characters, lone combining marks, a braille blank or a Hangul filler are no speech)."""

    reason = S.quality_reason("empty_transcript")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.invert(pc.match_substring_regex(frame.column("user_text"), SPEECH)))


class TranscriptTooShort:
    """The user turn is shorter than the policy minimum (noise, a cut-off recording)."""

    reason = S.quality_reason("transcript_too_short")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.less(pc.utf8_length(frame.column("user_text")), frame.policy.min_transcript_chars))


class TranscriptTooLong:
    """The user turn is longer than the policy maximum (runaway ASR, dictation)."""

    reason = S.quality_reason("transcript_too_long")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(pc.greater(pc.utf8_length(frame.column("user_text")), frame.policy.max_transcript_chars))


class ResponseTooLong:
    """The assistant turn is longer than the policy maximum."""

    reason = S.quality_reason("response_too_long")

    def excludes(self, frame: Frame) -> np.ndarray:
        return _mask(
            pc.greater(pc.utf8_length(frame.column("assistant_text")), frame.policy.max_response_chars)
        )
