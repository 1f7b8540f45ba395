"""What a generation wrote and scripted: returned to the caller, never written under ``landing/``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields

import fsspec


@dataclass
class Window:
    customer_id: str
    start: str
    end: str


@dataclass
class CastUtterance:
    utterance_id: str
    customer_id: str
    scenario: str
    captured_at: str
    file: str
    expected: str  # the decision SPEC §4 asks for, given this generation's privacy records


@dataclass
class GenerationSummary:
    """What was written and the scripted scenarios; never written under ``landing/``."""

    root: str
    seed: int
    utterances: int
    file_format: str
    days: int
    files_per_day: int
    start: str
    window_start: str
    window_end: str
    as_of: str  # every privacy record was recorded by then
    rows_by_file: dict[str, int] = field(default_factory=dict)
    rows_by_format: dict[str, int] = field(default_factory=dict)
    malformed_by_kind: dict[str, int] = field(default_factory=dict)
    malformed_by_file: dict[str, dict[str, int]] = field(default_factory=dict)
    quality_by_kind: dict[str, int] = field(default_factory=dict)
    variants_by_kind: dict[str, int] = field(default_factory=dict)
    identifiers_by_kind: dict[str, int] = field(default_factory=dict)
    identifiers_in_responses: int = 0
    duplicates_planted: int = 0  # rows repeating an earlier row's transcript+response (exact or case/space)
    repeated_utterance_ids: list[str] = field(default_factory=list)
    consent_events: dict[str, int] = field(default_factory=dict)
    deletion_requests: dict[str, int] = field(default_factory=dict)
    # scenarios (cast customer ids; windows as ISO instants)
    retroactive_opt_out: list[str] = field(default_factory=list)
    opt_out_then_in: list[Window] = field(default_factory=list)  # [start, end) is the opted-out gap
    eu_no_consent: list[str] = field(default_factory=list)
    eu_opted_in: list[str] = field(default_factory=list)  # opted in before any utterance
    eu_late_opt_in: list[Window] = field(default_factory=list)  # utterances before `end` lack consent
    us_untouched: list[str] = field(default_factory=list)
    deleted_all: list[str] = field(default_factory=list)
    deleted_all_partial: list[Window] = field(default_factory=list)  # `end` = requested_at
    deleted_range: list[Window] = field(default_factory=list)
    deleted_utterance_ids: list[str] = field(default_factory=list)
    unknown_deleted_utterance_ids: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    unreadable_privacy_records: list[dict] = field(default_factory=list)  # {file, line}: fail closed
    ghost_customers: list[str] = field(default_factory=list)  # privacy records, no utterances
    cast_utterances: list[CastUtterance] = field(default_factory=list)
    utterance_files: list[str] = field(default_factory=list)
    consent_files: list[str] = field(default_factory=list)
    deletion_files: list[str] = field(default_factory=list)

    @property
    def landing_files(self) -> list[str]:
        return [*self.utterance_files, *self.consent_files, *self.deletion_files]

    @property
    def malformed_rows(self) -> int:
        return sum(self.malformed_by_kind.values())

    def expected_by_utterance(self) -> dict[str, str]:
        return {u.utterance_id: u.expected for u in self.cast_utterances}

    def to_dict(self) -> dict:
        return asdict(self)

    def write_summary(self, path: str, **storage_options) -> None:
        """Write this summary as JSON at ``path`` (local or URL), which must lie outside ``landing/``."""

        def norm(p: str) -> str:
            return p if "://" in p else os.path.abspath(p)

        if norm(path).startswith(norm(self.root).rstrip("/") + "/landing/"):
            raise ValueError(f"refusing to write a summary under landing/: {path}")
        with fsspec.open(path, "w", encoding="utf-8", **storage_options) as fh:
            json.dump(self.to_dict(), fh, indent=1, ensure_ascii=False)
            fh.write("\n")

    @classmethod
    def from_dict(cls, data: dict) -> GenerationSummary:
        data = dict(data)
        for name in ("opt_out_then_in", "eu_late_opt_in", "deleted_all_partial", "deleted_range"):
            data[name] = [Window(**w) for w in data.get(name, [])]
        data["cast_utterances"] = [CastUtterance(**u) for u in data.get("cast_utterances", [])]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_summary(path: str, **storage_options) -> GenerationSummary:
    with fsspec.open(path, "r", encoding="utf-8", **storage_options) as fh:
        return GenerationSummary.from_dict(json.load(fh))


@dataclass
class PrivacyUpdateSummary:
    """A later privacy drop: what it asks for and what the cast utterances must become."""

    at: str
    consent_file: str
    deletion_file: str
    opted_out: list[str] = field(default_factory=list)
    deleted_all: list[str] = field(default_factory=list)
    deleted_range: list[Window] = field(default_factory=list)
    deleted_utterance_ids: list[str] = field(default_factory=list)
    ghost_customers: list[str] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)  # utterance_id -> decision after this drop

    def to_dict(self) -> dict:
        return asdict(self)
