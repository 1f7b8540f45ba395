"""Every row of every live shard, re-read from the files, not taken from the ledger:

- against the *current* privacy state, by the privacy core's one verdict (``privacy_findings``);
  shards hold ``speaker_key``, not ``customer_id``: the verdict matches the speaker keys of every
  customer a privacy record names;
- against the independent identifier detector (``detect``), on every message in its scope and a
  sample of the rest (``identifier_findings``);
- against the ids of the customers with a delete-all request, said in any row's messages
  (``deleted_id_findings``, as the purge reads them: ``purge.affected.naming_requests``);
- against its own content: well formed, hashing to its ``content_hash``, a pseudonym as
  ``speaker_key`` (``content_findings``);
- against the ledger of the live version (``join_ledger``, ``ledger_findings``): each row recorded
  there with the speaker key, locale and capture date it has (``ledger_field_findings``; the privacy
  verdict judges the recorded ones), and each utterance live once (``duplicate_findings``, and the
  store's ``ledger_duplicates``), and each content live once (the store's ``ledger_content_repeats``).

``scan_rows`` runs them all, one shard at a time: its memory holds one shard, whatever the
dataset's size. ``scan_kept_rows`` runs the same checks on the files only versions kept beside the live
one list (a compaction's merged shards in their grace period: a training job may load them), each read
once, one at a time; their findings name the versions and the row by a digest.
"""

from __future__ import annotations

import hashlib
import re
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.audit.findings import MAX_FINDINGS_PER_RULE, Finding, Findings, id_digest, shown_id
from utterance_governance.audit.publication import kept_label, shard_rel
from utterance_governance.detect import find_identifiers
from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store_schema import LEDGER
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict
from utterance_governance.privacy.rules import IN, OUT
from utterance_governance.privacy.said import SaidIds, delete_all_spellings
from utterance_governance.publish.commit import DatasetPaths
from utterance_governance.publish.shards import split_turns
from utterance_governance.purge.affected import naming_requests
from utterance_governance.rules.duplicate import content_hashes
from utterance_governance.rules.quality import identifier_in_id, ids_holding_identifiers

SHARD_COLUMNS = ["utterance_id", "speaker_key", "locale", "captured_date", "messages", "content_hash"]
PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")  # quality.suite.PSEUDONYM_PATTERN
LEDGER_EMPTY = LEDGER.empty_table()


def _speaker_prefix(value: str | None) -> str | None:
    """The first 16 hex digits of a pseudonym; None for anything else (it may be a raw id)."""
    return value[:16] if isinstance(value, str) and PSEUDONYM.match(value) else None


def privacy_findings(
    rows: pa.Table, ledger_times: pa.Table, state: PrivacyState, policy: Policy, now: datetime, key: bytes
) -> list[Finding]:
    """Live rows the privacy core's verdict excludes now (``privacy.privacy_verdict``: the same
    answer publishing and purging get), each named with its rule and why.

    ``rows``: shard rows with ``shard_path`` (``utterance_id``, ``speaker_key``, ``locale``);
    ``ledger_times``: ``captured_at`` and ``landed_at`` per row from the ledger (null where the
    ledger does not record the row: unknown, which the rules read as "withdraw").
    """
    if rows.num_rows == 0:
        return []
    judged = pa.table(
        {
            "utterance_id": rows.column("utterance_id"),
            "speaker_key": rows.column("speaker_key"),
            "locale": rows.column("locale"),
            "captured_at": ledger_times.column("captured_at"),
            "landed_at": ledger_times.column("landed_at"),
        }
    )
    verdict = privacy_verdict(judged, state, policy, now, key)
    hit = np.flatnonzero(verdict.excluded)
    if len(hit) == 0:
        return []
    at_capture, in_force_now = verdict.consent()
    deleted = hit[verdict.deleted[hit]]
    # which requests cover a row: worked out for the findings the report keeps
    covering = dict(zip(deleted[:MAX_FINDINGS_PER_RULE].tolist(),
                        verdict.covering_requests(deleted[:MAX_FINDINGS_PER_RULE]), strict=True))  # fmt: skip
    out: list[Finding] = []
    for i in hit.tolist():
        reason = verdict.reasons[i]
        if reason == S.DELETION_REQUESTED:
            requests = covering.get(i, [])
            out.append(_row_finding(reason, rows, i, f"covered by deletion request {', '.join(requests) or '?'}",
                                    {"requests": requests}))  # fmt: skip
        elif reason == S.OPTED_OUT:
            when = [w for w, v in (("now", in_force_now[i]), ("at capture", at_capture[i])) if v == OUT]
            out.append(_row_finding(reason, rows, i, f"the customer's opt-out is in force {' and '.join(when)}",
                                    {"opted_out": when}))  # fmt: skip
        elif reason == S.NO_CONSENT:
            missing = [w for w, v in (("now", in_force_now[i]), ("at capture", at_capture[i])) if v != IN]
            locale = _shown_locale(rows.column("locale")[i].as_py(), policy)
            out.append(_row_finding(reason, rows, i, f"locale {locale} needs an opt-in; "
                                    f"none in force {' and '.join(missing)}", {}))  # fmt: skip
        else:
            out.append(_row_finding(reason, rows, i, "the customer has an unreadable privacy record and no "
                                    "valid one after it: nothing of theirs may be used", {}))  # fmt: skip
    return out


def _shown_locale(value: str | None, policy: Policy) -> str:
    """A row's locale as a finding shows it: one the policy allows, as it is; any other is the row's to say (a
    shard written by hand may hold anything there) and is not shown."""
    if value is None:
        return "(none)"
    return value if value in policy.allowed_locales else "(one the policy does not allow: not shown)"


ROLES = ("user", "assistant")


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


def _flat_messages(rows: pa.Table) -> tuple[pa.Array, pa.Array, np.ndarray]:
    messages = rows.column("messages").combine_chunks()
    flat = pc.list_flatten(messages)
    parents = pc.list_parent_indices(messages).to_numpy(zero_copy_only=False)
    return pc.struct_field(flat, "role"), pc.struct_field(flat, "content"), parents


def identifier_findings(rows: pa.Table, *, seed: int = 0) -> list[Finding]:
    """Live messages (either role) in which the independent detector (``detect``: other code and
    rules than the redaction that cleaned them) finds an identifier; one finding per message, naming
    its kinds and rules, never the text. ``seed`` picks the random sample of rows outside the
    detector's scope (fixed per audit run, so a re-run reads the same rows)."""
    if rows.num_rows == 0:
        return []
    roles, contents, parents = _flat_messages(rows)
    locales = rows.column("locale").combine_chunks().take(pa.array(parents))
    by_message: dict[int, list] = {}
    for found in find_identifiers(contents, locales, seed=seed):
        by_message.setdefault(found.row, []).append(found)
    out = []
    for j, found in sorted(by_message.items()):
        role = roles[j].as_py()
        role = role if role in ROLES else "other"  # (a shard written by hand may say anything there)
        kinds = sorted({f.kind for f in found})
        named = f"the {role} message" if role in ROLES else "a message of another role"
        out.append(_row_finding("identifier_detected", rows, parents[j], f"{named} holds {'/'.join(kinds)}",
                                {"role": role, "kinds": kinds, "rules": sorted({f.rule for f in found})}))  # fmt: skip
    return out


def deleted_id_findings(rows: pa.Table, said: Mapping[str, list[str]] | SaidIds) -> list[Finding]:
    """Live rows whose messages say the id of a customer with a delete-all request (``said``:
    ``privacy.said.delete_all_spellings``), whoever spoke: the purge withdraws them when the request
    arrives, so one here came after it or was missed. The finding names the row and the requests, never
    the id it says."""
    if rows.num_rows == 0 or not said:
        return []
    return [
        _row_finding("names_deleted_customer", rows, i, "a message or the utterance id says the id of the "
                     f"customer of delete-all request {', '.join(requests)}", {"requests": requests})
        for i, requests in naming_requests(rows.column("messages"), said, rows.column("utterance_id")).items()
    ]  # fmt: skip


def utterance_id_findings(rows: pa.Table) -> list[Finding]:
    """Live rows whose utterance id holds a person's identifier (``rules.quality.identifier_in_id``: an
    e-mail, an IPv4 address, an international phone number). The id is published as it is and no
    redaction reads it; the finding names the id by a digest, never as it is."""
    if rows.num_rows == 0:
        return []
    out = []
    for i in np.flatnonzero(ids_holding_identifiers(rows.column("utterance_id"))):
        uid = rows.column("utterance_id")[int(i)].as_py()
        kind = identifier_in_id(uid)
        out.append(Finding("identifier_detected", f"the utterance id holds {kind}",
                           shard=rows.column("shard_path")[int(i)].as_py(),
                           utterance_id="sha256:" + hashlib.sha256(uid.encode()).hexdigest()[:16],
                           detail={"role": "utterance_id", "kinds": [kind]}))  # fmt: skip
    return out


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


def join_ledger(rows: pa.Table, ledger: pa.Table) -> tuple[np.ndarray, pa.Table]:
    """Per shard row: is (utterance_id, content_hash) recorded for its shard, and the ledger's
    ``captured_at``, ``landed_at``, ``speaker_key`` and ``locale`` (null where it records none).

    ``rows`` and ``ledger`` (``store_schema.LEDGER`` rows) hold one shard each.
    """
    keys = pa.table(
        {
            "utterance_id": rows.column("utterance_id"),
            "_row": pa.array(np.arange(rows.num_rows, dtype=np.int64)),
        }
    )
    columns = ["utterance_id", "content_hash", "captured_at", "landed_at", "speaker_key", "locale"]
    right = ledger.select(columns).rename_columns(
        ["utterance_id", "ledger_hash", "captured_at", "landed_at", "ledger_speaker_key", "ledger_locale"]
    )
    joined = keys.join(right, keys="utterance_id", join_type="left outer").sort_by("_row")
    recorded = np.asarray(
        pc.fill_null(pc.equal(joined.column("ledger_hash"), rows.column("content_hash")), False), dtype=bool
    )
    return recorded, joined.select(["captured_at", "landed_at", "ledger_speaker_key", "ledger_locale"])


def _as_recorded(rows: pa.Table, ledger_times: pa.Table) -> pa.Table:
    """``rows`` with the speaker key and locale the ledger records for them (the shard's where it records
    none): the privacy verdict judges who spoke as publishing recorded it, not as a shard file says."""
    for column in ("speaker_key", "locale"):
        recorded = pc.coalesce(ledger_times.column(f"ledger_{column}"), rows.column(column))
        rows = rows.set_column(rows.schema.get_field_index(column), column, recorded)
    return rows


def ledger_field_findings(rows: pa.Table, ledger_times: pa.Table, recorded: np.ndarray) -> list[Finding]:
    """Rows whose speaker key, locale or capture date differ from what the ledger recorded when they were
    published (a shard rewritten with its checksums fixed up: the verdict would have judged someone else)."""
    if rows.num_rows == 0:
        return []
    differs = np.zeros(rows.num_rows, dtype=bool)
    for column in ("speaker_key", "locale"):
        ledger_value = ledger_times.column(f"ledger_{column}")
        differs |= np.asarray(pc.fill_null(pc.and_(pc.is_valid(ledger_value), pc.not_equal(ledger_value,
                              rows.column(column))), False), dtype=bool)  # fmt: skip
    captured = pc.cast(ledger_times.column("captured_at"), pa.date32())
    differs |= np.asarray(
        pc.fill_null(pc.not_equal(captured, rows.column("captured_date")), False), dtype=bool
    )
    return [
        _row_finding("ledger_field_mismatch", rows, i,
                     "its speaker_key, locale or captured_date differs from what the ledger recorded", {})
        for i in np.flatnonzero(differs & recorded)
    ]  # fmt: skip


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


def duplicate_findings(rows: pa.Table) -> list[Finding]:
    """Utterances twice in one shard (across shards, the ledger check sees them: a row a shard holds
    but its ledger does not is ``not_in_ledger``; a row recorded twice is in ``ledger_duplicates``)."""
    if rows.num_rows == 0:
        return []
    counts = pc.value_counts(pc.drop_null(rows.column("utterance_id")))
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    return [
        Finding("duplicate_row", f"live {n} times in this shard", shard=rows.column("shard_path")[0].as_py(),
                utterance_id=uid)
        for uid, n in zip(repeated.field("values").to_pylist(), repeated.field("counts").to_pylist(), strict=True)
    ]  # fmt: skip


def check_shard_rows(
    rows: pa.Table,
    ledger: pa.Table,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    key: bytes,
    seed: int = 0,
    said: Mapping[str, list[str]] | SaidIds | None = None,
) -> list[Finding]:
    """Every row-level check on the rows of one shard (``shard_path`` column) and its ledger rows.
    ``said``: the delete-alls' ids looked for in the text (``delete_all_spellings``; None: of ``state``).
    The ids holding a deleted customer's id are named by a digest once every finding is in (``scan_rows``:
    ``hiding_deleted_ids``)."""
    recorded, ledger_times = join_ledger(rows, ledger)
    said = delete_all_spellings(state.deletions) if said is None else said
    return [
        *privacy_findings(_as_recorded(rows, ledger_times), ledger_times, state, policy, now, key),
        *ledger_field_findings(rows, ledger_times, recorded),
        *identifier_findings(rows, seed=seed),
        *deleted_id_findings(rows, said),
        *utterance_id_findings(rows),
        *content_findings(rows),
        *ledger_findings(rows, ledger, recorded),
        *duplicate_findings(rows),
    ]


def hiding_deleted_ids(findings: list[Finding], said: SaidIds) -> list[Finding]:
    """``findings`` with each utterance id that holds a deleted customer's id (``SaidIds.found_whole``) named by a
    digest, whatever rule found its row (one in the shard, a ledger row the shard lost, the earlier capture of a
    duplicate): the report outlives the request, and no scrub of deleted utterance ids knows these."""
    named = [f.utterance_id or "" for f in findings] + [
        str((f.detail or {}).get("earliest_utterance_id") or "") for f in findings
    ]
    hidden = {named[i] for i in said.found_whole(pa.array(named, pa.string()))}
    if not hidden:
        return findings
    out = []
    for f in findings:
        earliest = (f.detail or {}).get("earliest_utterance_id")
        if earliest in hidden:
            f = replace(f, detail={**f.detail, "earliest_utterance_id": id_digest(earliest)})
        out.append(replace(f, utterance_id=id_digest(f.utterance_id)) if f.utterance_id in hidden else f)
    return out


@dataclass
class RowScan:
    findings: Findings
    version: str | None = None
    shards_scanned: int = 0
    rows_checked: int = 0
    ledger_rows: int = 0
    consent_events: int = 0
    deletion_requests: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_checked / self.seconds if self.seconds else 0.0


def _shard_tables(
    storage: Storage, dataset: str, manifest: dict, findings: Findings
) -> Iterator[tuple[str, pa.Table]]:
    paths = DatasetPaths(dataset)
    shards = manifest.get("shards")
    for shard in shards if isinstance(shards, list) else ():
        relative = shard.get("path") if isinstance(shard, dict) else None
        rel = shard_rel(paths, relative)
        if rel is None or not storage.exists(rel):
            continue  # check_publication names it
        try:
            table = storage.read_parquet(rel)
        except Exception as exc:  # (its type only: a reader's error may quote a value of the file)
            findings.add(Finding("shard_unreadable", f"rows cannot be re-read: {type(exc).__name__}",
                                 shard=relative))  # fmt: skip
            continue
        missing = [c for c in SHARD_COLUMNS if c not in table.column_names]
        if missing:  # (the published names it lacks: never one of its own)
            findings.add(Finding("shard_unreadable", f"rows cannot be re-read: missing columns {missing}",
                                 shard=relative))  # fmt: skip
            continue
        table = table.select(SHARD_COLUMNS)
        n = table.num_rows
        yield relative, table.append_column("shard_path", pa.repeat(pa.scalar(relative, pa.string()), n))


def scan_rows(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    version: str,
    manifest: dict,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
) -> RowScan:
    """Re-read every row of every shard of ``manifest`` and run every row-level check on it.

    One shard at a time, with that shard's ledger rows: memory holds one shard, whatever the size
    of the dataset. What spans shards is asked of the store: ledger rows of shards the manifest
    does not list, utterances the ledger records twice in the version, and contents it records for two
    utterances (the dedup's promise, SPEC §4 rule 5).
    """
    started = time.perf_counter()
    scan = RowScan(Findings(), version, consent_events=state.consent.num_rows,
                   deletion_requests=state.deletions.num_rows)  # fmt: skip
    shards = manifest.get("shards")
    listed = [s.get("path") for s in shards if isinstance(s, dict)] if isinstance(shards, list) else []
    said = SaidIds(delete_all_spellings(state.deletions))  # (made ready once, not per shard)
    for path in sorted(set(store.version_shard_paths(dataset, version)) - set(listed)):
        for uid in store.ledger_rows(dataset, version, shard_paths=[path]).column("utterance_id").to_pylist():
            scan.findings.add(Finding("ledger_row_missing", "the ledger records this row in a shard the "
                                      "live manifest does not list", shard=path, utterance_id=uid))  # fmt: skip
    for uid, paths in store.ledger_duplicates(dataset, version).items():
        shown = [shown_path(p) for p in paths]
        scan.findings.add(Finding("duplicate_row", f"the ledger records it in {len(paths)} live shards: {shown}",
                                  shard=paths[0], utterance_id=uid))  # fmt: skip
    repeats, named = store.ledger_content_repeats(dataset, version, MAX_FINDINGS_PER_RULE)
    for uid, path, earliest in named:
        # (the earlier capture's id goes in a field of its own, as a row's id does: a view that shows no row id
        # hides it, and one holding a person's identifier is named by a digest)
        scan.findings.add(Finding("duplicate_content", "its content is live in an earlier capture too: the dedup "
                                  "let it through", shard=path, utterance_id=uid,
                                  detail={"earliest_utterance_id": shown_id(earliest)}))  # fmt: skip
    scan.findings.count_more("duplicate_content", repeats - len(named))
    for path, rows in _shard_tables(storage, dataset, manifest, scan.findings):
        shard_ledger = store.ledger_rows(dataset, version, shard_paths=[path])
        scan.shards_scanned += 1
        scan.rows_checked += rows.num_rows
        scan.ledger_rows += shard_ledger.num_rows
        seed = zlib.crc32(f"{version}/{path}/{now.date()}".encode())  # one sample per shard and day
        scan.findings.extend(
            check_shard_rows(rows, shard_ledger, state, policy, now, pseudonym_key, seed, said)
        )
    scan.findings.items = hiding_deleted_ids(scan.findings.items, said)
    scan.seconds = time.perf_counter() - started
    return scan


def _kept_ledger(
    store: GovernanceStore, dataset: str, live: str | None, versions: list[str], path: str, rows: pa.Table
) -> pa.Table:
    """The ledger rows a kept file's rows are judged with: the file's own, while a version listing it still
    records them; else (a compaction's merged file: its rows were recorded again under the merge's shards, and
    its own went) the live version's rows of the same utterances and contents, one per utterance, as if in
    this file. A row neither records is ``not_in_ledger``, with unknown times (which withdraw)."""
    own = store.ledger_rows(dataset, versions[-1], shard_paths=[path])
    if own.num_rows or live is None or rows.num_rows == 0:
        return own
    ids = pc.unique(rows.column("utterance_id").combine_chunks()).drop_null()
    found = store.ledger_rows(dataset, live, utterance_ids=ids.to_pylist())
    pairs = (
        rows.select(["utterance_id", "content_hash"]).group_by(["utterance_id", "content_hash"]).aggregate([])
    )
    found = found.join(pairs, keys=["utterance_id", "content_hash"], join_type="left semi")
    if found.num_rows == 0:
        return LEDGER_EMPTY
    found = found.sort_by([("utterance_id", "ascending")])
    uids = np.asarray(found.column("utterance_id").to_pylist(), dtype=object)
    first = np.ones(len(uids), dtype=bool)
    first[1:] = uids[1:] != uids[:-1]
    found = found.filter(pa.array(first))
    return found.set_column(found.schema.get_field_index("shard_path"), "shard_path",
                            pa.repeat(pa.scalar(path, pa.string()), found.num_rows))  # fmt: skip


def _as_kept(finding: Finding, versions: list[str]) -> Finding:
    """A finding of a kept file's row: the versions listing it in the message and ``detail``; the row named by a
    digest (``id_digest``), never as it is: the report outlives a deletion, and no scrub knows these."""
    detail = {**finding.detail, "versions": list(versions)}
    earliest = detail.get("earliest_utterance_id")
    if isinstance(earliest, str) and not earliest.startswith("sha256:"):
        detail["earliest_utterance_id"] = id_digest(earliest)
    uid = finding.utterance_id
    return replace(
        finding,
        message=f"{kept_label(versions)}: {finding.message}",
        utterance_id=uid if uid is None or uid.startswith("sha256:") else id_digest(uid),
        detail=detail,
    )


def scan_kept_rows(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    live: str | None,
    shards: Mapping[str, list[str]],
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
    findings: Findings | None = None,
) -> RowScan:
    """Every row of the files only kept versions list (``publication.kept_shards``: a training job may still
    load them), through the same row-level checks as a live shard (``check_shard_rows``), against the current
    privacy state: one file at a time, each read once however many versions list it. ``live``: the live
    version, whose ledger records a compaction's merged rows again (``_kept_ledger``). Findings (into
    ``findings`` when given) name the versions, the file, the rule and the row by a digest (``_as_kept``)."""
    started = time.perf_counter()
    scan = RowScan(findings if findings is not None else Findings(), live,
                   consent_events=state.consent.num_rows, deletion_requests=state.deletions.num_rows)  # fmt: skip
    said = SaidIds(delete_all_spellings(state.deletions))
    for path, versions in sorted(shards.items()):
        unreadable = Findings()
        for _, rows in _shard_tables(storage, dataset, {"shards": [{"path": path}]}, unreadable):
            ledger = _kept_ledger(store, dataset, live, versions, path, rows)
            scan.shards_scanned += 1
            scan.rows_checked += rows.num_rows
            scan.ledger_rows += ledger.num_rows
            seed = zlib.crc32(f"{versions[-1]}/{path}/{now.date()}".encode())
            found = check_shard_rows(rows, ledger, state, policy, now, pseudonym_key, seed, said)
            scan.findings.extend(_as_kept(f, versions) for f in found)
        scan.findings.extend(_as_kept(f, versions) for f in unreadable.items)
    scan.seconds = time.perf_counter() - started
    return scan
