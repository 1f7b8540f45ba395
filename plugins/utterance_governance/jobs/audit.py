"""The steps of ``governance_audit`` (SPEC §7): prove, every day, that no live shard holds
what it must not — and, on request, show one customer everything the lake holds of theirs.

check_publication → scan_live_rows → check_deadlines → write_findings → fail_on_violations
(the three checks are independent; each writes its findings under
``reports/<run>/audit/<check>.json``, so ``write_findings`` can report whatever finished, even
when a check crashed). A manual run with a ``customer_id`` runs ``access_report`` instead.

What is checked, and the rule each finding names (``RULES``):

- **the live version** (``check_publication``): ``current.json`` names a version whose manifest
  exists, says ``live`` and agrees with the governance store; every shard the manifest lists
  exists under the dataset folder with the recorded bytes, sha256 and row count; no shard has
  a column that must never be published (``customer_id``, ``device_id``, raw text).
- **every row of every live shard** (``scan_live_rows``), re-read from the files, not taken
  from the ledger:

  - against the *current* consent and deletion state, with the decision rules themselves
    (``rules.deletion.DeletionRequested``, ``rules.consent.OptedOut`` / ``NoConsent``). Shards
    hold ``speaker_key``, not ``customer_id``: the speaker keys of every customer named in a
    consent event or deletion request are computed (``decide.speaker_keys``, the deployment's
    pseudonym key) and matched; a speaker no record names falls to its locale's default.
    ``captured_at`` comes from the ledger, or from ``captured_date`` for a row the ledger lacks;
  - against the identifier detectors (``clean.patterns.detect_identifiers``) on every message;
  - against its own content: the messages are ``[user, assistant?]``, hash to the row's
    ``content_hash`` (text altered after publishing is caught even with a fixed-up manifest),
    and ``speaker_key`` is a pseudonym;
  - against the ledger of the live version: the shard rows and the ledger rows must be the
    same set of (shard path, utterance_id, content_hash), each utterance live once.
- **deletion deadlines** (``check_deadlines``): requests past their deadline without a completed
  receipt are violations; those within ``policy.deletion_at_risk_days`` are listed.

Any violation fails the run, after the findings are written to ``reports/<run>/audit.json``
and ``reports/<run>/index.html``. Findings name the shard, the utterance_id, the rule and a
pseudonym prefix — never a customer id, a device id or transcript text.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.clean.patterns import (
    DETECTORS,
    compile_python,
    detect_identifiers,
    has_spoken_number,
)
from utterance_governance.decide import speaker_keys
from utterance_governance.io.storage import Storage
from utterance_governance.jobs.context import InvalidParams, RunContext
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import DatasetPaths, read_manifest
from utterance_governance.rules.base import Frame
from utterance_governance.rules.consent import IN, OUT, NoConsent, OptedOut, consent_status
from utterance_governance.rules.deletion import DeletionRequested, deleted_mask
from utterance_governance.rules.duplicate import content_hashes
from utterance_governance.rules.privacy_state import PrivacyState
from utterance_governance.settings import Settings, load_settings

log = logging.getLogger(__name__)

DAG_ID = "governance_audit"
VIOLATION, WARNING = "violation", "warning"
MAX_FINDINGS_PER_RULE = 200  # findings kept per rule in the report; counts are always exact
SHARD_COLUMNS = ["utterance_id", "speaker_key", "locale", "captured_date", "messages", "content_hash"]
FORBIDDEN_COLUMNS = ("customer_id", "device_id", "session_id", "transcript", "response")
PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")  # quality.suite.PSEUDONYM_PATTERN
CHECKS = ("publication", "rows", "deadlines")
LOCK_TIMEOUT_S = 900.0  # a purge or publish in progress finishes first


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
    ("manifest_unreadable", VIOLATION, "the live manifest cannot be read or lists no shards"),
    ("version_not_live", VIOLATION, "the version current.json names is not recorded live (manifest and store)"),
    ("store_shards_mismatch", VIOLATION, "the store's shard list of the live version differs from the manifest"),
    ("manifest_rows_mismatch", VIOLATION, "the manifest's row total is not the sum of its shards"),
    ("shard_path_invalid", VIOLATION, "a manifest shard path leaves the dataset folder"),
    ("shard_missing", VIOLATION, "a shard the manifest lists does not exist"),
    ("shard_bytes_mismatch", VIOLATION, "a shard's size differs from the manifest"),
    ("shard_sha256_mismatch", VIOLATION, "a shard's sha256 differs from the manifest (altered or corrupt)"),
    ("shard_rows_mismatch", VIOLATION, "a shard's row count differs from the manifest"),
    ("shard_unreadable", VIOLATION, "a shard cannot be read as Parquet with the published columns"),
    ("forbidden_column", VIOLATION, "a shard has a column that must never be published (ids, raw text)"),
    # every live row
    ("deletion_requested", VIOLATION, "a live row is covered by a deletion request"),
    ("opted_out", VIOLATION, "a live row's customer opted out (now, or when it was captured)"),
    ("no_consent", VIOLATION, "a live row has no consent in force (opt-in regime)"),
    ("identifier_detected", VIOLATION, "a live message holds an identifier the detectors find"),
    ("malformed_row", VIOLATION, "a live row is not a well-formed published row"),
    ("content_hash_mismatch", VIOLATION, "a live row's messages do not hash to its content_hash"),
    ("speaker_key_not_pseudonym", VIOLATION, "a live row's speaker_key is not a keyed pseudonym"),
    ("not_in_ledger", VIOLATION, "a live row that no recorded decision published (ledger of the live version)"),
    ("ledger_row_missing", VIOLATION, "a ledger row of the live version that no live shard holds"),
    ("duplicate_row", VIOLATION, "an utterance live more than once"),
    # deletion deadlines
    ("deletion_overdue", VIOLATION, "a deletion request is past its deadline without a completed receipt"),
    ("deletion_at_risk", WARNING, "a deletion request's deadline is near"),
    # housekeeping
    ("unlisted_shard_file", WARNING, "a Parquet file in the live version's folder that its manifest does not list"),
    ("other_manifest_live", WARNING, "a manifest other than the live version's still says live"),
)  # fmt: skip


class AuditFailed(RuntimeError):
    """The audit found violations (or could not finish a check); the message names each."""


# --- findings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    shard: str | None = None  # relative to the dataset folder, as in the manifest
    utterance_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, **asdict(self)}

    def line(self) -> str:
        where = " ".join(
            part
            for part in (
                f"shard {self.shard}" if self.shard else "",
                f"row {self.utterance_id}" if self.utterance_id else "",
            )
            if part
        )
        return f"{self.rule}: {where + ': ' if where else ''}{self.message}"


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


# --- params ------------------------------------------------------------------------------------
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,127}$")


def validate_customer_id(value: Any) -> str | None:
    """The ``customer_id`` param of an access-report run: None, or a sane non-empty id."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParams(f"customer_id must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidParams(
            "customer_id is empty: give the customer's account id, or leave it unset to audit"
        )
    if not _CUSTOMER_ID.match(value):
        raise InvalidParams(
            "customer_id must be 1 to 128 characters: letters, digits and . _ : @ + - "
            "(starting with a letter or digit); the value given is refused"
        )  # the value itself is not echoed: it may be anything, including someone's data
    return value


def prepare(
    run_id: str, params: dict | None, settings: Settings | None = None, now: datetime | None = None
) -> dict:
    """Validate the run's params; the run context, with ``extra.mode`` ``audit`` or ``access``.

    The customer id itself is not put in the context (it travels through XCom): the access
    step reads it from the run's params again.
    """
    params = dict(params or {})
    customer_id = validate_customer_id(params.pop("customer_id", None))
    ctx = RunContext.create(run_id, DAG_ID, params, settings, now)
    data = ctx.to_dict()
    data["extra"] = {**data["extra"], "mode": "access" if customer_id else "audit"}
    return data


def mode(ctx: RunContext) -> str:
    return ctx.extra.get("mode", "audit")


# =================================================================================================
# The live version and its files
# =================================================================================================
@dataclass
class PublicationCheck:
    findings: Findings
    version: str | None = None
    manifest: dict | None = None
    shards_checked: int = 0
    bytes_checked: int = 0


def _shard_rel(paths: DatasetPaths, shard: str) -> str | None:
    """The lake path of a manifest shard path, or None when it would leave the dataset folder."""
    if not shard or shard.startswith("/") or "\\" in shard:
        return None
    normal = posixpath.normpath(shard)
    if normal.startswith("..") or normal != shard:
        return None
    return paths.shard(shard)


def verify_publication(
    storage: Storage,
    dataset: str,
    *,
    store_live: str | None = None,
    store_shards: list[str] | None = None,
    verify_checksums: bool = True,
) -> PublicationCheck:
    """Check that ``current.json`` names a complete live version and that its files are intact.

    ``store_live`` / ``store_shards``: what the governance store records as the live version
    and its shard list (None: not compared).
    """
    out = PublicationCheck(Findings())
    flag = out.findings.flag
    paths = DatasetPaths(dataset)
    if not storage.exists(paths.current):
        if store_live:
            flag("current_missing", f"the store records {store_live} live but {paths.current} is missing")
        return out
    try:
        version = json.loads(storage.read_bytes(paths.current))["version"]
        if not isinstance(version, str) or not version:
            raise ValueError("no version")
    except Exception as exc:
        flag("current_unreadable", f"{paths.current}: {type(exc).__name__}: {exc}")
        return out
    out.version = version
    if not storage.exists(paths.manifest(version)):
        flag("manifest_missing", f"current.json names {version} but {paths.manifest(version)} is missing")
        return out
    try:
        manifest = read_manifest(storage, dataset, version)
        shards = manifest["shards"]
        if not isinstance(shards, list):
            raise ValueError("shards is not a list")
    except Exception as exc:
        flag("manifest_unreadable", f"{paths.manifest(version)}: {type(exc).__name__}: {exc}")
        return out
    out.manifest = manifest

    if manifest.get("version") != version:
        flag(
            "version_not_live", f"current.json names {version}; its manifest says {manifest.get('version')!r}"
        )
    if manifest.get("status") != "live":
        flag("version_not_live", f"the manifest of {version} says status {manifest.get('status')!r}")
    if store_live is not None and store_live != version:
        flag("version_not_live", f"current.json names {version} but the store records {store_live} live")
    listed = [s.get("path") for s in shards]
    if store_shards is not None and sorted(store_shards) != sorted(p for p in listed if p):
        not_in_store = sorted(set(listed) - set(store_shards) - {None})[:5]
        not_listed = sorted(set(store_shards) - set(listed))[:5]
        flag("store_shards_mismatch", f"manifest lists {len(listed)} shards, the store {len(store_shards)}; "
                                      f"not in the store: {not_in_store}, not in the manifest: {not_listed}")  # fmt: skip
    total = sum(int(s.get("rows") or 0) for s in shards)
    if manifest.get("rows") is not None and int(manifest["rows"]) != total:
        flag("manifest_rows_mismatch", f"manifest says {manifest['rows']} rows, its shards {total}")

    for shard in shards:
        _check_shard_file(storage, paths, shard, out, verify_checksums)
    _housekeeping(storage, paths, version, {p for p in listed if p}, out.findings)
    return out


def _check_shard_file(
    storage: Storage, paths: DatasetPaths, shard: dict, out: PublicationCheck, verify_checksums: bool
) -> None:
    """One manifest entry: the file exists inside the dataset folder with its bytes, sha256, rows, columns."""
    import pyarrow.parquet as pq

    path = shard.get("path")
    rel = _shard_rel(paths, path)

    def flag(rule: str, message: str) -> None:
        out.findings.flag(rule, message, shard=path)

    if rel is None:
        return flag("shard_path_invalid", f"path {path!r} is not inside {paths.root}/")
    if not storage.exists(rel):
        return flag("shard_missing", f"{storage.url(rel)} does not exist")
    out.shards_checked += 1
    size = storage.info(rel).size
    out.bytes_checked += size
    if size != shard.get("bytes"):
        flag("shard_bytes_mismatch", f"{size} bytes on disk, manifest says {shard.get('bytes')}")
    if verify_checksums:
        digest, recorded = storage.sha256(rel), str(shard.get("sha256"))
        if digest != recorded:
            flag("shard_sha256_mismatch", f"sha256 {digest[:16]}… on disk, manifest says {recorded[:16]}…")
    try:
        with storage.open(rel) as fh:
            meta = pq.ParquetFile(fh).metadata
            rows, names = meta.num_rows, set(meta.schema.names)
    except Exception as exc:
        return flag("shard_unreadable", f"not readable as Parquet: {type(exc).__name__}")
    if rows != shard.get("rows"):
        flag("shard_rows_mismatch", f"{rows} rows in the file, manifest says {shard.get('rows')}")
    forbidden = sorted(names & set(FORBIDDEN_COLUMNS))
    if forbidden:
        flag("forbidden_column", f"columns {forbidden} must never be published")
    return None


def _housekeeping(
    storage: Storage, paths: DatasetPaths, version: str, listed: set[str], findings: Findings
) -> None:
    """Warnings: stray Parquet files in the live version's folder, other manifests still saying live."""
    for info in storage.list_files(f"{paths.root}/{version}", (".parquet",)):
        relative = posixpath.relpath(info.path, paths.root)
        if relative not in listed:
            findings.flag(
                "unlisted_shard_file", f"{info.path} is not in the manifest of {version}", shard=relative
            )
    for info in storage.list_files(paths.root, ("manifest.json",)):
        other = posixpath.relpath(info.path, paths.root).split("/", 1)[0]
        if other == version:
            continue
        try:
            status = json.loads(storage.read_bytes(info.path)).get("status")
        except Exception:
            continue
        if status == "live":
            findings.flag(
                "other_manifest_live", f"the manifest of {other} says live; current.json names {version}"
            )


# =================================================================================================
# Every row of every live shard
# =================================================================================================
def customer_index(state: PrivacyState, pseudonym_key: bytes) -> tuple[pa.Array, pa.Array]:
    """(speaker_key, customer_id) of every customer named in a consent event or deletion request."""
    customers = pc.unique(
        pa.chunked_array(
            [state.consent.column("customer_id").cast(pa.string()),
             state.deletions.column("customer_id").cast(pa.string())],
            type=pa.string(),
        )
    )  # fmt: skip
    customers = customers.drop_null()
    return speaker_keys(customers, pseudonym_key), customers


def customers_of(speakers: pa.Array | pa.ChunkedArray, index: tuple[pa.Array, pa.Array]) -> pa.Array:
    """Each row's customer_id when a privacy record names the speaker; else a stand-in no record names."""
    keys, customers = index
    speakers = pc.fill_null(speakers, "")
    found = pc.index_in(speakers, value_set=keys)
    known = customers.take(found)
    stand_in = pc.utf8_replace_slice(speakers, 0, 0, "\x00speaker:")
    return pc.coalesce(known, stand_in)


def captured_at_of(rows: pa.Table, ledger_captured: pa.Array) -> pa.Array:
    """The ledger's captured_at, else midnight UTC of the row's ``captured_date``."""
    from_date = pc.cast(pc.cast(rows.column("captured_date"), pa.timestamp("s")), S.TS)
    return pc.coalesce(ledger_captured, from_date)


def _speaker_prefix(value: str | None) -> str | None:
    """The first 16 hex digits of a pseudonym; None for anything else (it may be a raw id)."""
    return value[:16] if isinstance(value, str) and PSEUDONYM.match(value) else None


def privacy_findings(
    rows: pa.Table,
    captured_at: pa.Array,
    state: PrivacyState,
    index: tuple[pa.Array, pa.Array],
    policy: Policy,
    now: datetime,
) -> list[Finding]:
    """Live rows the current consent and deletion state excludes, by the decision rules themselves.

    ``rows``: shard rows with ``shard_path`` (``utterance_id``, ``speaker_key``, ``locale``);
    ``captured_at``: one instant per row (``captured_at_of``).
    """
    if rows.num_rows == 0:
        return []
    records = pa.table(
        {
            "utterance_id": rows.column("utterance_id"),
            "customer_id": customers_of(rows.column("speaker_key"), index),
            "captured_at": captured_at,
            "locale": pc.fill_null(rows.column("locale"), ""),
        }
    )
    frame = Frame(records, state, policy, now)
    deleted = DeletionRequested().excludes(frame)
    opted_out = OptedOut().excludes(frame) & ~deleted
    no_consent = NoConsent().excludes(frame) & ~deleted & ~opted_out
    out: list[Finding] = []
    if deleted.any() or opted_out.any() or no_consent.any():
        at_capture, in_force_now = consent_status(frame)
    for k, i in enumerate(np.flatnonzero(deleted)):
        # which requests cover it: worked out for the findings the report keeps (it costs a scan each)
        covering = (
            _covering_requests(records.slice(int(i), 1), state.deletions) if k < MAX_FINDINGS_PER_RULE else []
        )
        out.append(_row_finding("deletion_requested", rows, i,
                                f"covered by deletion request {', '.join(covering) or '?'}", {"requests": covering}))  # fmt: skip
    for i in np.flatnonzero(opted_out):
        when = [w for w, s in (("now", in_force_now[i]), ("at capture", at_capture[i])) if s == OUT]
        out.append(_row_finding("opted_out", rows, i, f"the customer's opt-out is in force {' and '.join(when)}",
                                {"opted_out": when}))  # fmt: skip
    for i in np.flatnonzero(no_consent):
        missing = [w for w, s in (("now", in_force_now[i]), ("at capture", at_capture[i])) if s != IN]
        out.append(_row_finding("no_consent", rows, i,
                                f"locale {records.column('locale')[int(i)].as_py()} needs an opt-in; none in force "
                                f"{' and '.join(missing)}", {}))  # fmt: skip
    return out


def _covering_requests(record: pa.Table, deletions: pa.Table) -> list[str]:
    """The ids of the deletion requests that cover one record (for a precise message)."""
    mine = deletions.filter(pc.equal(deletions.column("customer_id"), record.column("customer_id")[0]))
    return [
        request_id
        for j, request_id in enumerate(mine.column("request_id").to_pylist())
        if deleted_mask(record, mine.slice(j, 1))[0]
    ]


def _row_finding(rule: str, rows: pa.Table, i: int, message: str, detail: dict) -> Finding:
    i = int(i)
    prefix = _speaker_prefix(rows.column("speaker_key")[i].as_py())
    return Finding(
        rule,
        f"{message} (speaker {prefix + '…' if prefix else 'key not a pseudonym: not shown'})",
        shard=rows.column("shard_path")[i].as_py(),
        utterance_id=rows.column("utterance_id")[i].as_py(),
        detail={**detail, "speaker_key_prefix": prefix},
    )


_KIND_RES = {
    kind: compile_python(pattern) for kind, (_, pattern) in DETECTORS.items() if kind != "spoken_number"
}


def identifier_kinds(text: str) -> list[str]:
    """Which detectors find something in ``text`` (for the message; the text is never reported)."""
    kinds = [kind for kind, pattern in _KIND_RES.items() if pattern.search(text)]
    if has_spoken_number(text):
        kinds.append("spoken_number")
    return kinds


def _flat_messages(rows: pa.Table) -> tuple[pa.Array, pa.Array, np.ndarray]:
    messages = rows.column("messages").combine_chunks()
    flat = pc.list_flatten(messages)
    parents = pc.list_parent_indices(messages).to_numpy(zero_copy_only=False)
    return pc.struct_field(flat, "role"), pc.struct_field(flat, "content"), parents


def identifier_findings(rows: pa.Table) -> list[Finding]:
    """Live messages (either role) in which ``detect_identifiers`` finds an identifier."""
    if rows.num_rows == 0:
        return []
    roles, contents, parents = _flat_messages(rows)
    found = np.asarray(detect_identifiers(contents), dtype=bool)
    out = []
    for k, j in enumerate(np.flatnonzero(found)):
        role = roles[int(j)].as_py()
        kinds = identifier_kinds(contents[int(j)].as_py() or "") if k < MAX_FINDINGS_PER_RULE else []
        out.append(_row_finding("identifier_detected", rows, parents[j],
                                f"the {role} message holds {'/'.join(kinds) or 'an identifier'}",
                                {"role": role, "kinds": kinds}))  # fmt: skip
    return out


def split_turns(rows: pa.Table) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """(user text, assistant text or null, well-formed mask) of each row's ``messages``.

    Well formed: ``[user]`` or ``[user, assistant]``, the user turn not null.
    """
    messages = rows.column("messages").combine_chunks()
    n = len(messages)
    lengths = np.asarray(pc.fill_null(pc.list_value_length(messages), 0), dtype=np.int64)
    first = messages.offsets.to_numpy(zero_copy_only=False)[:-1].astype(np.int64)
    values = messages.values
    if len(values) == 0:
        empty = pa.nulls(n, pa.string())
        return empty, empty, np.zeros(n, dtype=bool)
    roles, contents = pc.struct_field(values, "role"), pc.struct_field(values, "content")
    has_user = lengths >= 1
    has_reply = lengths == 2
    user_at = np.where(has_user, first, 0)
    reply_at = np.where(has_reply, first + 1, 0)
    user = pc.if_else(pa.array(has_user), contents.take(pa.array(user_at)), None)
    reply = pc.if_else(pa.array(has_reply), contents.take(pa.array(reply_at)), None)
    first_role = np.asarray(pc.fill_null(pc.equal(roles.take(pa.array(user_at)), "user"), False))
    second_role = np.asarray(pc.fill_null(pc.equal(roles.take(pa.array(reply_at)), "assistant"), False))
    well_formed = (
        has_user
        & (lengths <= 2)
        & first_role
        & (~has_reply | second_role)
        & np.asarray(pc.is_valid(user))
        & np.asarray(pc.is_valid(rows.column("utterance_id")))
    )
    return user, reply, well_formed


def content_findings(rows: pa.Table) -> list[Finding]:
    """Rows that are not well formed, whose text does not hash to ``content_hash``, or whose
    ``speaker_key`` is not a pseudonym (a raw id published by mistake would show here)."""
    if rows.num_rows == 0:
        return []
    user, reply, well_formed = split_turns(rows)
    out = []
    for i in np.flatnonzero(~well_formed):
        out.append(
            _row_finding("malformed_row", rows, i, "messages are not [user, assistant?] with a user turn", {})
        )
    recomputed = content_hashes(pc.fill_null(user, ""), reply)
    differs = (
        np.asarray(pc.fill_null(pc.not_equal(recomputed, rows.column("content_hash")), True)) & well_formed
    )
    for i in np.flatnonzero(differs):
        out.append(_row_finding("content_hash_mismatch", rows, i,
                                "the messages do not hash to the row's content_hash: text changed after publishing", {}))  # fmt: skip
    pseudonym = np.asarray(
        pc.fill_null(pc.match_substring_regex(rows.column("speaker_key"), PSEUDONYM.pattern), False)
    )
    for i in np.flatnonzero(~pseudonym):
        out.append(
            Finding(
                "speaker_key_not_pseudonym",
                "speaker_key is not a 64-hex keyed pseudonym",
                shard=rows.column("shard_path")[int(i)].as_py(),
                utterance_id=rows.column("utterance_id")[int(i)].as_py(),
            )
        )  # fmt: skip  (the value is not reported: it may be a raw id)
    return out


def join_ledger(rows: pa.Table, ledger: pa.Table) -> tuple[np.ndarray, pa.Array]:
    """Per shard row: is (utterance_id, content_hash) recorded for its shard, and the ledger's captured_at.

    ``rows`` and ``ledger`` (``store_schema.LEDGER`` rows) hold one shard each.
    """
    keys = pa.table(
        {
            "utterance_id": rows.column("utterance_id"),
            "_row": pa.array(np.arange(rows.num_rows, dtype=np.int64)),
        }
    )
    right = ledger.select(["utterance_id", "content_hash", "captured_at"]).rename_columns(
        ["utterance_id", "ledger_hash", "ledger_captured_at"]
    )
    joined = keys.join(right, keys="utterance_id", join_type="left outer").sort_by("_row")
    recorded = np.asarray(
        pc.fill_null(pc.equal(joined.column("ledger_hash"), rows.column("content_hash")), False), dtype=bool
    )
    return recorded, joined.column("ledger_captured_at").combine_chunks()


def ledger_findings(rows: pa.Table, ledger: pa.Table, recorded: np.ndarray) -> list[Finding]:
    """Shard rows the ledger does not record, and ledger rows no shard row matches (one shard)."""
    out = []
    for i in np.flatnonzero(~recorded):
        out.append(_row_finding("not_in_ledger", rows, i,
                                "no recorded decision published this row (utterance_id, content_hash) in this shard", {}))  # fmt: skip
    if ledger.num_rows:
        present = pa.table(
            {"utterance_id": rows.column("utterance_id"), "content_hash": rows.column("content_hash")}
        )
        missing = ledger.join(present, keys=["utterance_id", "content_hash"], join_type="left anti")
        for row in missing.select(["shard_path", "utterance_id"]).to_pylist():
            out.append(Finding("ledger_row_missing", "the ledger records this row in the live version; the shard does not hold it",
                               shard=row["shard_path"], utterance_id=row["utterance_id"]))  # fmt: skip
    return out


def duplicate_findings(ids: pa.Array, shard_paths: pa.Array) -> list[Finding]:
    """Utterances live more than once (across all shards of the live version)."""
    if len(ids) == 0:
        return []
    counts = pc.value_counts(pc.drop_null(ids))
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated) == 0:
        return []
    mask = pc.fill_null(pc.is_in(ids, value_set=repeated.field("values")), False)
    shards_of: dict[str, list[str]] = {}
    for uid, shard in zip(ids.filter(mask).to_pylist(), shard_paths.filter(mask).to_pylist(), strict=True):
        shards_of.setdefault(uid, []).append(shard)
    return [
        Finding(
            "duplicate_row",
            f"live {len(where)} times, in {sorted(set(where))}",
            shard=where[0],
            utterance_id=uid,
        )
        for uid, where in shards_of.items()
    ]


def check_shard_rows(
    rows: pa.Table,
    ledger: pa.Table,
    state: PrivacyState,
    index: tuple[pa.Array, pa.Array],
    policy: Policy,
    now: datetime,
) -> list[Finding]:
    """Every row-level check on the rows of one shard (``shard_path`` column) and its ledger rows."""
    recorded, ledger_captured = join_ledger(rows, ledger)
    captured = captured_at_of(rows, ledger_captured)
    return [
        *privacy_findings(rows, captured, state, index, policy, now),
        *identifier_findings(rows),
        *content_findings(rows),
        *ledger_findings(rows, ledger, recorded),
    ]


def _ledger_by_shard(ledger: pa.Table) -> dict[str, pa.Table]:
    if ledger.num_rows == 0:
        return {}
    encoded = pc.dictionary_encode(ledger.column("shard_path")).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(encoded.dictionary))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return {
        path: ledger.take(pa.array(order[start : start + count]))
        for path, start, count in zip(encoded.dictionary.to_pylist(), starts, counts, strict=True)
    }


@dataclass
class RowScan:
    findings: Findings
    version: str | None = None
    shards_scanned: int = 0
    rows_checked: int = 0
    ledger_rows: int = 0
    consent_events: int = 0
    deletion_requests: int = 0


def _shard_tables(
    storage: Storage, dataset: str, manifest: dict, findings: Findings
) -> Iterator[tuple[str, pa.Table]]:
    paths = DatasetPaths(dataset)
    for shard in manifest.get("shards", []):
        relative = shard.get("path")
        rel = _shard_rel(paths, relative)
        if rel is None or not storage.exists(rel):
            continue  # check_publication names it
        try:
            table = storage.read_parquet(rel)
            missing = [c for c in SHARD_COLUMNS if c not in table.column_names]
            if missing:
                raise ValueError(f"missing columns {missing}")
            table = table.select(SHARD_COLUMNS)
        except Exception as exc:
            findings.add(Finding("shard_unreadable", f"rows cannot be re-read: {type(exc).__name__}: {exc}",
                                 shard=relative))  # fmt: skip
            continue
        n = table.num_rows
        yield relative, table.append_column("shard_path", pa.repeat(pa.scalar(relative, pa.string()), n))


def scan_rows(
    storage: Storage,
    dataset: str,
    version: str,
    manifest: dict,
    ledger: pa.Table,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
) -> RowScan:
    """Re-read every row of every shard of ``manifest`` and run every row-level check on it."""
    scan = RowScan(Findings(), version, ledger_rows=ledger.num_rows,
                   consent_events=state.consent.num_rows, deletion_requests=state.deletions.num_rows)  # fmt: skip
    index = customer_index(state, pseudonym_key)
    by_shard = _ledger_by_shard(ledger)
    listed = {s.get("path") for s in manifest.get("shards", [])}
    for path, rows in by_shard.items():
        if path not in listed:
            for row in rows.select(["shard_path", "utterance_id"]).to_pylist():
                scan.findings.add(Finding("ledger_row_missing", "the ledger records this row in a shard the "
                                          "live manifest does not list", shard=row["shard_path"],
                                          utterance_id=row["utterance_id"]))  # fmt: skip
    ids, where = [], []
    for path, rows in _shard_tables(storage, dataset, manifest, scan.findings):
        scan.shards_scanned += 1
        scan.rows_checked += rows.num_rows
        shard_ledger = by_shard.get(path, ledger.schema.empty_table())
        scan.findings.extend(check_shard_rows(rows, shard_ledger, state, index, policy, now))
        ids.append(rows.column("utterance_id"))
        where.append(rows.column("shard_path"))
    if ids:
        all_ids = pa.chunked_array(ids).combine_chunks()
        all_where = pa.chunked_array(where).combine_chunks()
        scan.findings.extend(duplicate_findings(all_ids, all_where))
    return scan


# =================================================================================================
# Deletion deadlines
# =================================================================================================
def deadline_findings(deadlines: list) -> list[Finding]:
    """``deletion_overdue`` for requests past their deadline, ``deletion_at_risk`` for those near it."""
    from utterance_governance.reports.deadlines import AT_RISK, OVERDUE

    out = []
    for d in deadlines:
        receipt = f"receipt {d.receipt_status}" if d.receipt_status else "no receipt issued"
        if d.state == OVERDUE:
            out.append(Finding("deletion_overdue", f"request {d.request_id} ({d.scope}) was due {d.deadline_at}, "
                                                   f"{-d.days_left:.1f} days ago; {receipt}",
                               detail={"request_id": d.request_id}))  # fmt: skip
        elif d.state == AT_RISK:
            out.append(Finding("deletion_at_risk", f"request {d.request_id} ({d.scope}) is due {d.deadline_at}, "
                                                   f"in {d.days_left:.1f} days; {receipt}",
                               detail={"request_id": d.request_id}))  # fmt: skip
    return out


# =================================================================================================
# The steps
# =================================================================================================
def _part_path(ctx: RunContext, check: str) -> str:
    return f"reports/{ctx.run_key}/audit/{check}.json"


def _write_part(ctx: RunContext, check: str, findings: Findings, summary: dict) -> dict:
    path = _part_path(ctx, check)
    body = {"check": check, "summary": summary, **findings.to_dict()}
    ctx.storage.write_bytes(path, json.dumps(body, indent=2, default=str).encode())
    log.info("audit check %s: %s; findings %s", check, summary, dict(findings.counts) or "none")
    return {"check": check, "path": path, "counts": dict(findings.counts), "violations": findings.violations}


@contextmanager
def _consistent_view(ctx: RunContext) -> Iterator[None]:
    """Hold the dataset lock while reading: no publish or purge switches versions or removes
    shard files under the audit's feet (they wait; ``LockTimeout`` fails the check, not the data)."""
    with ctx.store.dataset_lock(ctx.dataset, owner=f"{ctx.run_id} ({DAG_ID})", timeout_s=LOCK_TIMEOUT_S):
        yield


def check_publication(ctx: RunContext) -> dict:
    """``current.json`` → a complete live version; every shard it lists intact (bytes, sha256, rows)."""
    with _consistent_view(ctx):
        return _check_publication(ctx)


def _check_publication(ctx: RunContext) -> dict:
    store_live = ctx.store.live_version(ctx.dataset)
    current = None
    paths = DatasetPaths(ctx.dataset)
    if ctx.storage.exists(paths.current):
        try:
            current = json.loads(ctx.storage.read_bytes(paths.current)).get("version")
        except Exception:
            current = None
    store_shards = ctx.store.version_shard_paths(ctx.dataset, current) if current else None
    check = verify_publication(ctx.storage, ctx.dataset, store_live=store_live, store_shards=store_shards)
    summary = {"version": check.version, "shards_checked": check.shards_checked, "bytes_checked": check.bytes_checked,
               "manifest_rows": (check.manifest or {}).get("rows")}  # fmt: skip
    return _write_part(ctx, "publication", check.findings, summary)


def scan_live_rows(ctx: RunContext) -> dict:
    """Re-read every row of every live shard: privacy state, identifiers, content, ledger."""
    with _consistent_view(ctx):
        return _scan_live_rows(ctx)


def _scan_live_rows(ctx: RunContext) -> dict:
    settings = load_settings()
    findings = Findings()
    paths = DatasetPaths(ctx.dataset)
    summary: dict[str, Any] = {"version": None, "shards_scanned": 0, "rows_checked": 0, "ledger_rows": 0}
    manifest = version = None
    try:
        version = json.loads(ctx.storage.read_bytes(paths.current))["version"]
        manifest = read_manifest(ctx.storage, ctx.dataset, version)
    except Exception:  # no readable live version: check_publication names why
        summary["note"] = "no readable live version: no rows to scan"
    if manifest is not None:
        state = PrivacyState(ctx.store.consent_events(), ctx.store.deletion_requests())
        ledger = ctx.store.ledger_rows(ctx.dataset, version)
        scan = scan_rows(ctx.storage, ctx.dataset, version, manifest, ledger, state, ctx.policy, ctx.now_dt,
                         settings.pseudonym_key)  # fmt: skip
        findings = scan.findings
        summary = {"version": version, "shards_scanned": scan.shards_scanned, "rows_checked": scan.rows_checked,
                   "ledger_rows": scan.ledger_rows, "consent_events": scan.consent_events,
                   "deletion_requests": scan.deletion_requests}  # fmt: skip
    return _write_part(ctx, "rows", findings, summary)


def check_deadlines(ctx: RunContext) -> dict:
    """Deletion requests near or past their deadline (receipts of ``privacy_requests`` when issued)."""
    from utterance_governance.reports.deadlines import deadline_counts, load_deadlines

    deadlines = load_deadlines(ctx.store, ctx.policy, ctx.now_dt)
    findings = Findings()
    findings.extend(deadline_findings(deadlines))
    summary = {"requests": len(deadlines), **deadline_counts(deadlines)}
    return _write_part(ctx, "deadlines", findings, summary)


def _failure_message(audit: dict, findings: list[dict], report_url: str, html_url: str) -> str:
    counts = ", ".join(
        f"{rule} {n}" for rule, n in sorted(audit["counts"].items()) if RULES[rule].severity == VIOLATION
    )
    head = (
        f"governance audit of {audit['dataset']} {audit['version'] or '(nothing live)'} failed: "
        f"{audit['violations']} violation(s) ({counts or 'none'})"
    )
    if audit["incomplete"]:
        head += f"; checks that did not finish: {', '.join(audit['incomplete'])}"
    lines = [Finding(**{k: f[k] for k in ("rule", "message", "shard", "utterance_id")}).line()
             for f in findings if f["severity"] == VIOLATION][:20]  # fmt: skip
    more = audit["violations"] - len(lines)
    tail = [f"... and {more} more"] if more > 0 else []
    return "\n".join([head + ":", *(f"  - {line}" for line in lines), *tail,
                      f"findings: {report_url}", f"report: {html_url}"])  # fmt: skip


def write_findings(ctx: RunContext, started_at: datetime | None = None) -> dict:
    """Merge the checks' findings into ``reports/<run>/audit.json`` and its page; record the run.

    Runs whatever the checks' outcome: a check that did not finish leaves no findings file
    and the audit is reported incomplete (and fails).
    """
    from utterance_governance.reports.site import write_audit_page

    parts: dict[str, dict] = {}
    for check in CHECKS:
        path = _part_path(ctx, check)
        if ctx.storage.exists(path):
            parts[check] = json.loads(ctx.storage.read_bytes(path))
    incomplete = [c for c in CHECKS if c not in parts]
    counts: Counter = Counter()
    findings: list[dict] = []
    for part in parts.values():
        counts.update(part["counts"])
        findings.extend(part["findings"])
    # one shard unreadable seen by two checks is one finding
    seen, unique = set(), []
    for f in findings:
        key = (
            f["rule"],
            f["shard"],
            f["utterance_id"],
            f["message"] if f["rule"] != "shard_unreadable" else "",
        )
        if key in seen:
            counts[f["rule"]] -= 1
            continue
        seen.add(key)
        unique.append(f)
    findings = sorted(
        unique,
        key=lambda f: (f["severity"] != VIOLATION, f["rule"], f["shard"] or "", f["utterance_id"] or ""),
    )
    publication = parts.get("publication", {}).get("summary", {})
    rows = parts.get("rows", {}).get("summary", {})
    violations = sum(n for rule, n in counts.items() if RULES[rule].severity == VIOLATION)
    seen = sorted({v for v in (publication.get("version"), rows.get("version")) if v})
    audit = {
        "run_id": ctx.run_id,
        "dag_id": ctx.dag_id,
        "dataset": ctx.dataset,
        "checked_at": ctx.now,
        "version": publication.get("version") or rows.get("version"),
        "passed": violations == 0 and not incomplete,
        "violations": violations,
        "warnings": sum(n for rule, n in counts.items() if RULES[rule].severity == WARNING),
        "incomplete": incomplete,
        "counts": {k: v for k, v in sorted(counts.items()) if v},
        "shards_checked": publication.get("shards_checked", 0),
        "bytes_checked": publication.get("bytes_checked", 0),
        "rows_checked": rows.get("rows_checked", 0),
        "ledger_rows": rows.get("ledger_rows", 0),
        "consent_events": rows.get("consent_events", 0),
        "deletion_requests": rows.get("deletion_requests", 0),
        "deadlines": parts.get("deadlines", {}).get("summary", {}),
        # each check reads one version under the dataset lock; a publish between checks shows here
        "versions_seen": seen,
        "rules": {name: {"severity": r.severity, "description": r.description} for name, r in RULES.items()},
        "findings": findings,
        "findings_kept_per_rule": MAX_FINDINGS_PER_RULE,
    }
    json_path = f"reports/{ctx.run_key}/audit.json"
    ctx.storage.write_bytes(json_path, json.dumps(audit, indent=2, default=str).encode())
    record_counts = {"rows_checked": audit["rows_checked"], "shards_checked": audit["shards_checked"],
                     **{f"finding:{rule}": n for rule, n in audit["counts"].items()}}  # fmt: skip
    ctx.store.record_run(
        ctx.run_id, ctx.dag_id, started_at or ctx.now_dt, datetime.now(UTC),
        "success" if audit["passed"] else "failed", record_counts,
        {"report": json_path, "version": audit["version"], "violations": violations, "incomplete": incomplete},
    )  # fmt: skip
    html_path = write_audit_page(ctx.storage, ctx.store, audit, run_key=ctx.run_key, policy=ctx.policy,
                                 now=ctx.now_dt)  # fmt: skip
    report_url, html_url = ctx.storage.url(json_path), ctx.storage.url(html_path)
    log.info("audit findings: %s", report_url)
    log.info("audit report: %s", html_url)
    log.info("reports index: %s", ctx.storage.url("reports/index.html"))
    result = {"passed": audit["passed"], "violations": violations, "counts": audit["counts"],
              "incomplete": incomplete, "report": report_url, "html": html_url,
              "index": ctx.storage.url("reports/index.html")}  # fmt: skip
    if not audit["passed"]:
        result["message"] = _failure_message(audit, findings, report_url, html_url)
    return result


def fail_on_violations(result: dict) -> dict:
    """Fail the run when the audit found a violation (the report is already written)."""
    if not result.get("passed"):
        raise AuditFailed(result.get("message") or f"governance audit failed; see {result.get('html')}")
    log.info("governance audit passed; report: %s (index: %s)", result.get("html"), result.get("index"))
    return result


def access_report(ctx: RunContext, customer_id: Any) -> dict:
    """Everything the lake holds of one customer, for that customer (``reports/access/...``)."""
    from utterance_governance.reports.access import write_access_report

    customer_id = validate_customer_id(customer_id)
    if customer_id is None:
        raise InvalidParams("an access report needs a customer_id")
    settings = load_settings()
    result = write_access_report(ctx.storage, ctx.store, ctx.dataset, customer_id, settings.pseudonym_key,
                                 run_key=ctx.run_key, run_id=ctx.run_id, now=ctx.now_dt)  # fmt: skip
    ctx.store.record_run(
        ctx.run_id, ctx.dag_id, ctx.now_dt, datetime.now(UTC), "success",
        {"access_utterances": result["utterances"]}, {"mode": "access"},
    )  # fmt: skip
    log.info("access report (protected: holds the customer's own transcripts): %s", result["json"])
    log.info("access report page: %s", result["html"])
    return result
