"""What the audit can find: its rules, each with a severity, and the findings of one check.

A finding names the shard, the utterance_id, the rule and at most a pseudonym prefix — never
a customer id, a device id or transcript text; its shard as ``readers.shown_path`` shows a path
(``customer_id=[customer]``), whoever wrote it (a manifest, the store). A finding of a version kept beside
the live one (``publication.kept_versions``) is under the same rules; its message and ``detail.versions``
name the versions, and its row is named by a digest (``id_digest``), never as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from utterance_governance.io.readers import shown_path

VIOLATION, WARNING = "violation", "warning"
MAX_FINDINGS_PER_RULE = 200  # findings kept per rule in the report; counts are always exact


@dataclass(frozen=True)
class AuditRule:
    rule: str
    severity: str
    description: str


def _rules(*rows: tuple[str, str, str]) -> dict[str, AuditRule]:
    return {name: AuditRule(name, severity, text) for name, severity, text in rows}


RULES: dict[str, AuditRule] = _rules(
    # the live version and its files
    ("current_missing", VIOLATION, "the store records a live version but current.json is missing"),
    ("current_unreadable", VIOLATION, "current.json cannot be read as JSON naming a version"),
    ("manifest_missing", VIOLATION, "current.json names a version whose manifest does not exist"),
    ("manifest_unreadable", VIOLATION, "the live manifest, or a loadable version's, cannot be read or lists no shards"),
    ("version_not_live", VIOLATION, "the version current.json names is not recorded live (manifest and store)"),
    ("manifest_status_mismatch", VIOLATION, "a kept version's manifest says another status than the store, which decides what a training job may load"),
    ("store_shards_mismatch", VIOLATION, "the store's shard list of the live version differs from the manifest"),
    ("manifest_rows_mismatch", VIOLATION, "the manifest's row total is not the sum of its shards"),
    ("shard_path_invalid", VIOLATION, "a manifest shard path leaves the dataset folder"),
    ("shard_missing", VIOLATION, "a shard the manifest lists does not exist"),
    ("shard_bytes_mismatch", VIOLATION, "a shard's size differs from the manifest"),
    ("shard_sha256_mismatch", VIOLATION, "a shard's sha256 differs from the manifest (altered or corrupt)"),
    ("shard_rows_mismatch", VIOLATION, "a shard's row count differs from the manifest"),
    ("shard_unreadable", VIOLATION, "a shard cannot be read as Parquet with the published columns"),
    ("forbidden_column", VIOLATION, "a shard has a column that must never be published (ids, raw text)"),
    ("shard_schema", VIOLATION, "a shard's columns, their types or its metadata are not the published shard schema"),
    # every live row
    ("deletion_requested", VIOLATION, "a live row is covered by a deletion request"),
    ("opted_out", VIOLATION, "a live row's customer opted out (now, or when it was captured)"),
    ("no_consent", VIOLATION, "a live row has no consent in force (opt-in regime)"),
    ("held_back", VIOLATION, "a live row's customer has an unreadable privacy record (doubt withdraws)"),
    ("names_deleted_customer", VIOLATION, "a live message says the id of a customer with a delete-all request"),
    ("identifier_detected", VIOLATION, "a live message holds an identifier the detectors find"),
    ("malformed_row", VIOLATION, "a live row is not a well-formed published row"),
    ("content_hash_mismatch", VIOLATION, "a live row's messages do not hash to its content_hash"),
    ("speaker_key_not_pseudonym", VIOLATION, "a live row's speaker_key is not a keyed pseudonym"),
    ("not_in_ledger", VIOLATION, "a live row that no recorded decision published (ledger of the live version)"),
    ("ledger_row_missing", VIOLATION, "a ledger row of the live version that no live shard holds"),
    ("ledger_field_mismatch", VIOLATION, "a live row's speaker_key, locale or captured_date differs from the ledger's"),
    ("duplicate_row", VIOLATION, "an utterance live more than once"),
    ("duplicate_content", VIOLATION, "a live row whose content (user turn and assistant turn) an earlier live row holds"),
    # deletion deadlines
    ("deletion_overdue", VIOLATION, "a deletion request is past its deadline without a completed receipt"),
    ("deletion_at_risk", WARNING, "a deletion request's deadline is near"),
    ("privacy_file_waiting", VIOLATION, "a consent or deletion file has waited in landing, not taken in, past a run"),
    ("privacy_record_blocking", VIOLATION, "an unreadable privacy record naming no customer blocks publishing: the opt-outs and deletions it may hold are not carried out"),
    ("privacy_file_time_ahead", WARNING, "a consent or deletion file waiting in landing is stamped ahead of the pipeline's clock"),
    # housekeeping
    ("unlisted_shard_file", VIOLATION, "a Parquet file under the dataset folder that no version's manifest lists"),
    ("hidden_shard_file", VIOLATION, "a Parquet file under the dataset folder named with '_' or '.' that no version's manifest lists (a loader's glob takes it)"),
    ("refused_shard_path", VIOLATION, "a symlink (or a path the lake refuses) under the dataset folder: never read by the purge or the audit, followed by a loader"),
    ("other_manifest_live", WARNING, "a manifest other than the live version's still says live"),
    ("key_rotation_unfinished", VIOLATION, "a key rotation stopped short: copies hold keys no opt-out or deletion matches until it is finished"),
    ("other_dataset_live", VIOLATION, "another dataset under published/ has a live version nothing purges or audits"),
)  # fmt: skip


# a row finding's message ends with its speaker key's prefix (``audit.rows``), which a delete-all scrubs
_SPEAKER = re.compile(r" \(speaker [^()]*\)$")


def id_digest(uid: str) -> str:
    """An utterance id named by a digest (``sha256:<16 hex>``), for a report that must not show it."""
    return "sha256:" + hashlib.sha256(uid.encode()).hexdigest()[:16]


def shown_id(uid: str) -> str:
    """An utterance id as a report shows it: as it is, or by a digest (``id_digest``) when it holds a
    person's identifier (``rules.quality.identifier_in_id``)."""
    from utterance_governance.rules.quality import identifier_in_id

    return id_digest(uid) if identifier_in_id(uid) else uid


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    # relative to the dataset folder, as in the manifest, as ``shown_path`` shows it
    shard: str | None = None
    utterance_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a path as logs and reports show it (docs/privacy.md): a ``customer_id=`` folder's value as ``[customer]``
        if isinstance(self.shard, str) and "=" in self.shard:
            object.__setattr__(self, "shard", shown_path(self.shard))
        # an id holding a person's identifier (an e-mail, a phone number) is named by a digest, whatever rule
        # found the row: the report outlives the deletion of the row
        if self.utterance_id is not None and shown_id(self.utterance_id) != self.utterance_id:
            object.__setattr__(self, "utterance_id", shown_id(self.utterance_id))

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, **asdict(self)}

    def line(self, *, row_id: bool = True) -> str:
        """One line: rule, shard, row and message. ``row_id=False``: "a row" for the utterance id, and the
        message without the row's speaker key (for text that outlives a deletion, such as an exception, an
        alert, the store's run record or a log line)."""
        row = (f"row {self.utterance_id}" if row_id else "a row") if self.utterance_id else ""
        where = " ".join(part for part in (f"shard {self.shard}" if self.shard else "", row) if part)
        message = self.message if row_id else _SPEAKER.sub("", self.message)
        return f"{self.rule}: {where + ': ' if where else ''}{message}"


class Findings:
    """Findings of one check: exact counts per rule, at most ``keep`` kept per rule."""

    def __init__(self, keep: int = MAX_FINDINGS_PER_RULE):
        self.keep = keep
        self.counts: Counter = Counter()
        self.items: list[Finding] = []

    def add(self, finding: Finding) -> None:
        if finding.rule not in RULES:
            raise KeyError(f"unknown audit rule {finding.rule!r}")
        self.counts[finding.rule] += 1
        if self.counts[finding.rule] <= self.keep:
            self.items.append(finding)

    def flag(self, rule: str, message: str, **where: Any) -> None:
        self.add(Finding(rule, message, **where))

    def count_more(self, rule: str, n: int) -> None:
        """``n`` more findings of ``rule`` than were added one by one (a count the store gave, beyond
        the findings it named)."""
        if rule not in RULES:
            raise KeyError(f"unknown audit rule {rule!r}")
        if n > 0:
            self.counts[rule] += n

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.add(finding)

    @property
    def rules(self) -> set[str]:
        return set(self.counts)

    @property
    def violations(self) -> int:
        return sum(n for rule, n in self.counts.items() if RULES[rule].severity == VIOLATION)

    def to_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "findings": [f.to_dict() for f in self.items]}
