"""The privacy core (SPEC §4, §4.1): one identity, one decision, for every caller.

- ``identity`` — the canonical form of an id (NFC, trimmed, nothing invisible) and of enumerations;
- ``keys``     — speaker keys (keyed pseudonyms) and the fingerprint of the key that made them;
- ``state``    — the consent and deletion state a decision is taken against;
- ``subjects`` — rows of any shape (customer id or speaker key) resolved for the rules;
- ``rules``    — the privacy rules, one unit each, in precedence order;
- ``verdict``  — ``privacy_verdict``: may each row be used now, and if not, why.
"""

from utterance_governance.privacy.identity import canonical_enum, canonical_id, canonical_ids
from utterance_governance.privacy.keys import (
    KeyMismatch,
    check_key,
    key_fingerprint,
    live_fingerprint,
    speaker_key,
    speaker_keys,
)
from utterance_governance.privacy.state import PrivacyState
from utterance_governance.privacy.verdict import Verdict, privacy_verdict

__all__ = [
    "KeyMismatch",
    "PrivacyState",
    "Verdict",
    "canonical_enum",
    "canonical_id",
    "canonical_ids",
    "check_key",
    "key_fingerprint",
    "live_fingerprint",
    "privacy_verdict",
    "speaker_key",
    "speaker_keys",
]
