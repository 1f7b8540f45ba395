"""The consent and deletion state a run decides against."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from utterance_governance import schema as S


@dataclass(frozen=True)
class PrivacyState:
    """Every valid consent event and deletion request known to the run.

    ``held_customers``: customers with an unreadable privacy record and no valid record
    after it; their utterances are held back. ``blocked_reasons``: unreadable records with
    no readable customer at all; while any is open nothing may be published (fail closed).
    """

    consent: pa.Table = field(default_factory=S.CONSENT.empty_table)
    deletions: pa.Table = field(default_factory=S.DELETION.empty_table)
    held_customers: frozenset[str] = frozenset()
    blocked_reasons: tuple[str, ...] = ()

    @property
    def publishing_blocked(self) -> bool:
        return bool(self.blocked_reasons)
