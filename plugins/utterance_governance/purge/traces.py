"""The rest of "every copy" (SPEC §4.1): the places a deleted customer's rows or identity can be left
besides the live dataset (``purge.published``) and the row copies (``purge.copies``).

| place | what is there | what a deletion does |
|---|---|---|
| ``published_files`` | Parquet files under ``published/`` that the live version does not list (a version a crash or an operator left behind), whatever their name (``_part.parquet``, which a loader's glob takes) | the covered rows are removed (their capture times are unknown: ``all`` and ``range`` requests cover them); a symlink there cannot be searched: the receipts stay open, naming it |
| ``access_reports`` | ``reports/access/**/access.json`` and its page, in the access reports' own root (``UG_ACCESS_REPORT_ROOT``) and in the lake (where earlier versions wrote them): a customer's own transcripts, and the raw lines of their unreadable privacy records (``privacy_quarantine``) | every section carrying a row is judged (an utterance by its id and capture time; a raw line, of an utterance or of the privacy section, by the capture time read off it, as ``purge.copies`` judges the lake's copy): the covered entries leave the report; a report left with none is removed; a section the purge does not know keeps the receipts open |
| ``temporary`` | ``*.tmp-*`` files an interrupted atomic write left behind (never a live object), in the lake and in the access reports' root (a report's page whose worker was killed while writing it: the customer's id and transcripts) | removed once older than ``STALE_TEMPORARY_S`` (with the report folders it leaves empty); a younger one (a write under way) keeps the receipts open |
| ``run_reports`` | JSON and HTML under ``reports/`` (run pages, audit findings, gate results, Data Docs), and the JSON a run keeps beside its rows under ``staging/``, ``quarantine/`` and ``decisions/`` (a failed gate's results and samples) | every deleted utterance id, and the speaker key and the id (of four characters or more: a shorter one is a word of any report) of a customer who deleted everything, replaced by ``[deleted]`` wherever it stands (a refused file named after its customer, ``_zed-4417.jsonl``, too): JSON is decoded first (an id written with ``\\u`` escapes is still found), then every string value and key is searched; a path's folder naming such a customer (``customer_id=zed-4417``, a report of an older release) is shown as ``shown_path`` shows it |

Receipts (``reports/receipts/``) keep the requester's speaker key: they are the proof of the deletion.
Files are decoded to be searched (Parquet rows, JSON values), never grepped as bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import posixpath
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa

from utterance_governance import schema as S
from utterance_governance.io.readers import customer_of_path, shown_path
from utterance_governance.io.storage import TEMPORARY_MARK, Refused, Storage, is_parquet_name
from utterance_governance.privacy import speaker_keys
from utterance_governance.privacy.identity import AnyCase, caseless, key_of_canonical
from utterance_governance.privacy.keys import fold_keys
from utterance_governance.privacy.state import with_other_spellings
from utterance_governance.purge.affected import count_by_request

log = logging.getLogger(__name__)

PLACES = ("published_files", "access_reports", "temporary", "run_reports")
STALE_TEMPORARY_S = 3600.0  # an atomic write in progress takes seconds; an hour-old temp file is a leftover
SCRUBBED = "[deleted]"
_TOKEN = re.compile(r"[^\s\"'<>,;()\[\]{}=\\/…&]+")
# characters a word of ``_TOKEN`` may hold around or between ids ("row u-1: …", "u-1|u-2", "`u-1`"), or
# inside one ("utt.2026.1"): a word not a token itself is also read as the runs between them
_JOINERS = frozenset(":.!?|*`#%+~^$@_")
_MOST_PIECES = 6  # an id of up to six runs between joiners ("a.b.c.d.e.f")
# where the purge notes, before it rewrites a copy, the ids it found there (keyed digests, not the ids)
JOURNAL = "_purge/pending-scrub"


def scrub_digest(key: bytes, token: str) -> str:
    """A token as the scrub journal keeps it: a keyed digest of its case-folded form."""
    return hmac.digest(key, b"ug-scrub:" + token.casefold().encode("utf-8"), "sha256").hex()[:32]


def name_digest(key: bytes, path: str) -> str:
    """The 16 hex digits that tell apart the lake's own files named after a path (the staging, decisions,
    quarantine and held files of a landing file: ``jobs.publish._file_key``; ``purge.copies.Removals``):
    keyed with the pseudonym key, as a speaker key is. A path may name its customer (``customer_id=zed-4417``)
    and the lake's listing shows its template: an unkeyed digest of it is a hash of their id anyone can test
    guesses against. A key rotation renames the files (``purge.rekey``)."""
    return hmac.digest(key, b"ug-file-name:" + path.encode("utf-8"), "sha256").hex()[:16]


def unkeyed_name_digest(path: str) -> str:
    """The digest those names carried before it was keyed (``sha256(path)[:16]``): a lake's older files are
    still found by it (and renamed by a rotation); never written."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]


class ScrubJournal:
    """The ids a purge found deleted in the copies it rewrote, kept until every run report is scrubbed.

    The run reports are scrubbed of the ids the copies purge finds; a run that crashed (or whose report
    step failed) after rewriting the copies left the next run nothing to find, and the reports kept the
    ids for good. So before each rewrite the new ids are noted (``note``: one small file of keyed digests
    under ``JOURNAL``), the next run scrubs the reports of them too, and the notes go once every report
    was searched (``done``)."""

    def __init__(self, storage: Storage, key: bytes, *, dry_run: bool = False):
        self.storage, self.key, self.dry_run = storage, key, dry_run
        self.paths = [info.path for info in storage.list_files(JOURNAL, (".json",))]
        self.digests: set[str] = set()
        for path in self.paths:
            self.digests |= set(json.loads(storage.read_bytes(path)))
        self.earlier = frozenset(self.digests)  # noted by runs that stopped before the reports
        self._digest_of: dict[str, str] = {}

    def note(self, ids: Iterable[str]) -> None:
        new = {scrub_digest(self.key, i) for i in ids if i} - self.digests
        if not new or self.dry_run:
            return
        path = f"{JOURNAL}/{uuid.uuid4().hex}.json"
        self.storage.write_bytes(path, json.dumps(sorted(new)).encode())
        self.paths.append(path)
        self.digests |= new

    def pending(self, tokens: set[str]) -> frozenset[str]:
        """The digests earlier runs noted that none of ``tokens`` has (what this run notes is among the
        tokens it scrubs: nothing to digest when no earlier run stopped short, the usual case)."""
        if not self.earlier:
            return frozenset()
        digest_of = self._digest_of
        for token in tokens.difference(digest_of):
            digest_of[token] = scrub_digest(self.key, token)
        return self.earlier - {digest_of[t] for t in tokens}

    def done(self) -> None:
        if not self.dry_run:
            for path in self.paths:
                self.storage.remove(path)


# where a run keeps JSON (and the HTML of its pages) that can name utterances
REPORT_FOLDERS = ("reports", "staging", "quarantine", "decisions")


@dataclass
class TracesPurge:
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    files_scanned: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    by_request: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)  # the places searched to the end
    unsearchable: list[str] = field(default_factory=list)  # paths no search can read (among the problems)

    def to_dict(self) -> dict:
        return {"dry_run": self.dry_run, "removed": self.removed, "files_scanned": self.files_scanned,
                "searched": self.searched, "problems": self.problems[:50]}  # fmt: skip


def purge_traces(
    storage: Storage,
    deleted,  # purge.copies.Deleted
    live_shards: set[str],
    found_ids: set[str],
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    access_reports: Callable[[], Storage] | None = None,
    journal: ScrubJournal | None = None,
    before_rewrite: Callable[[str], None] | None = None,
) -> TracesPurge:
    """Search every place of the module doc for what ``deleted`` covers and remove it.

    ``journal``: the ids earlier runs found and noted (``ScrubJournal``), scrubbed from the run reports too.

    ``live_shards``: lake paths of the live version's shards (the published purge's to rewrite,
    never touched here); ``found_ids``: utterance ids found deleted in the other copies this run;
    ``access_reports``: opens the access reports' own root (with its own credentials), searched for
    ``access_reports`` and ``temporary``. When it cannot be opened (not configured, unreachable) those
    places are problems, not searched: the deletion's receipt stays open until it is. ``before_rewrite``: called
    with the path of a published file about to be written again without deleted rows (the versions that list it
    are revoked first: ``purge.copies``).
    """
    result = TracesPurge(dry_run)
    roots = _Roots(storage, access_reports)
    steps = (
        ("published_files", lambda: _published_files(storage, deleted, live_shards, result, before_rewrite)),
        ("access_reports", lambda: _access_reports(roots(), deleted, result)),
        ("temporary", lambda: _temporary(roots(), result, time.time() if now is None else now.timestamp())),
        (
            "run_reports",
            lambda: _run_reports(
                storage, _tokens(deleted, found_ids), result, journal, deleted.everything_of
            ),
        ),
    )
    for place, step in steps:
        try:
            step()
            result.searched.append(place)
        except Exception as exc:  # one place that cannot be searched must not stop the others
            said = shown_path(f"{place}: {type(exc).__name__}: {exc}")  # (no traceback: it may name a path)
            log.error("could not search %s", said)
            result.problems.append(said)
    return result


def _published_files(
    storage: Storage,
    deleted,
    live_shards: set[str],
    result: TracesPurge,
    before_rewrite: Callable[[str], None] | None = None,
) -> None:
    """Every Parquet file under ``published/`` but the live version's shards, whatever its name: a loader's
    ``**/*.parquet`` glob (Hugging Face ``datasets``) takes ``_part.parquet`` too, which the lake's listing
    leaves out by its name. A path the lake refuses to read (a symlink: a loader follows it) cannot be
    searched: a problem, named, so the receipts stay open until the operator removes it."""
    refused: list[Refused] = []
    unlisted: list[Refused] = []
    files = [info.path for info in storage.list_files("published", (".parquet",), refused, unlisted)]
    files += [r.path for r in unlisted if is_parquet_name(r.path)]
    for r in refused:
        result.problems.append(f"published_files: {shown_path(r.path)} ({r.reason}): a loader reads it, the "
                               "purge cannot search it: remove it")  # fmt: skip
        result.unsearchable.append(r.path)
    for path in sorted(files):
        if path in live_shards:
            continue
        result.files_scanned["published_files"] += 1
        table = storage.read_parquet(path)
        if not {"speaker_key", "utterance_id"} <= set(table.column_names):
            continue
        rows = table.select(["speaker_key", "utterance_id"])
        verdict = deleted.judge(rows)
        if not verdict.deleted.any():
            continue
        hit = np.flatnonzero(verdict.deleted)
        result.removed["published_files"] += len(hit)
        count_by_request(verdict.covering_requests(hit), "published_files_rows", result.by_request)
        if not result.dry_run:
            if before_rewrite is not None:
                before_rewrite(path)
            deleted.keep_erased_recordings(verdict)
            storage.write_parquet(path, table.filter(pa.array(~verdict.deleted)))


class _Roots:
    """The storages a purge searches: the lake, and the access reports' own root, opened once (a root that
    cannot be opened fails each place searching it: each one a problem)."""

    def __init__(self, lake: Storage, access_reports: Callable[[], Storage] | None):
        self.lake, self.access_reports = lake, access_reports
        self.opened: list[Storage] | None = None

    def __call__(self) -> list[Storage]:
        if self.opened is None:
            self.opened = [self.lake, *([] if self.access_reports is None else [self.access_reports()])]
        return self.opened


def _access_reports(roots: list[Storage], deleted, result: TracesPurge) -> None:
    for storage in roots:
        _access_reports_in(storage, deleted, result)


# what an access report holds besides its rows (``reports.access.gather_access``): ids, counts, the
# customer's privacy records (the requests themselves, which the receipts keep too)
_ROW_FREE_SECTIONS = frozenset({"run_id", "generated_for", "customer_id", "speaker_key_prefix", "dataset",
                                "live_version", "summary", "versions", "privacy_records", "notice",
                                "notice_deleted"})  # fmt: skip
# the sections that carry a row of the customer, each judged here
_ROW_SECTIONS = ("utterances", "privacy_quarantine")


def _access_reports_in(storage: Storage, deleted, result: TracesPurge) -> None:
    """Each report folder under ``reports/access/``, by every file in it (not only its ``access.json``):
    a folder without its JSON (a report whose worker was killed after its page) goes whole; a page that
    does not show its folder's JSON (a rewrite killed between the two, by an older release that wrote the
    JSON first) is made again from the JSON; then the JSON's rows are judged."""
    from utterance_governance.reports.access import page_from_json, page_shows, write_access_files

    folders: dict[str, set[str]] = {}
    for info in storage.list_files("reports/access"):
        if TEMPORARY_MARK not in posixpath.basename(info.path):  # (a write under way: ``temporary``'s)
            folders.setdefault(posixpath.dirname(info.path), set()).add(posixpath.basename(info.path))
    for folder, names in sorted(folders.items()):
        result.files_scanned["access_reports"] += 1
        if "access.json" not in names:
            if not result.dry_run:
                _remove_report_folder(storage, folder)
            continue
        data = storage.read_bytes(f"{folder}/access.json")
        report = json.loads(data)
        customer = report.get("customer_id")
        utterances = report.get("utterances") or []
        n = len(utterances)
        everything = _everything_of(deleted, customer)
        if everything:  # the report is the customer's: their identity goes with it, utterances or none
            result.removed["access_reports"] += n
            count_by_request([everything] * n, "access_report_utterances", result.by_request)
            if not result.dry_run:
                _remove_report_folder(storage, folder)
            continue
        unknown = sorted(
            k for k, v in report.items() if v and k not in _ROW_FREE_SECTIONS | set(_ROW_SECTIONS)
        )
        if unknown and customer and deleted.mentioned(pa.array([customer], pa.string()), None):
            result.problems.append(f"access_reports: {shown_path(folder)}/access.json: section(s) {unknown} the "
                                   "purge cannot judge: rows of a customer with a deletion may be there")  # fmt: skip
        gone, requests = _judged(utterances, customer, deleted, "utterances")
        privacy = report.get("privacy_quarantine") or []
        gone_privacy, privacy_requests = _judged(privacy, customer, deleted, "privacy_quarantine")
        if not gone.any() and not gone_privacy.any():
            page = f"{folder}/access.html"
            if not result.dry_run and not (
                "access.html" in names and page_shows(storage.read_bytes(page), data)
            ):
                storage.write_bytes(page, page_from_json(data))
            continue
        removed = int(gone.sum() + gone_privacy.sum())
        result.removed["access_reports"] += removed
        count_by_request(requests + privacy_requests, "access_report_utterances", result.by_request)
        if result.dry_run:
            continue
        kept = [u for u, out in zip(utterances, gone.tolist(), strict=True) if not out]
        kept_privacy = [q for q, out in zip(privacy, gone_privacy.tolist(), strict=True) if not out]
        if not kept and not kept_privacy:
            _remove_report_folder(storage, folder)
            continue
        report["utterances"] = kept
        report["privacy_quarantine"] = kept_privacy
        report.setdefault("summary", {})["utterances"] = len(kept)
        report["notice_deleted"] = f"{removed} record(s) removed after a deletion request"
        write_access_files(storage, folder, report)  # the page first, the JSON last


def _remove_report_folder(storage: Storage, folder: str) -> None:
    """A report's folder, and the folder above it once empty: it is named by 16 digits of the customer's
    speaker key (``reports/access/<speaker_key[:16]>/``), which tell the customer apart. (Object stores
    have no empty folders.)"""
    storage.remove(folder)
    parent = posixpath.dirname(folder)
    if parent.startswith("reports/access/"):
        storage.remove_empty_folder(parent)


def _remove_empty_report_folders(storage: Storage, folder: str) -> None:
    """An access report's folder, and the one above it, once empty (a temporary file removed was its last)."""
    while folder.startswith("reports/access/") and storage.remove_empty_folder(folder):
        folder = posixpath.dirname(folder)


def _report_rows(
    entries: list[dict], customer: str | None, deleted, section: str
) -> list[tuple[int, pa.Table]]:
    """The rows an access report's ``section`` carries, each as (its entry's index, rows to judge): an
    utterance by its id and capture time, and every raw line of it or of the privacy section (a malformed
    record's words) as the copies purge judges a quarantined line (the capture time read off the line)."""
    from utterance_governance.purge.copies import _quarantine_records

    out = []
    for i, entry in enumerate(entries):
        raws = []
        if section == "utterances":
            out.append((i, pa.table({"customer_id": pa.array([customer], pa.string()),
                                     "utterance_id": pa.array([entry.get("utterance_id")], pa.string()),
                                     "captured_at": _instants([entry.get("captured_at")])})))  # fmt: skip
            raws = [(loc.get("raw"), entry.get("utterance_id"), loc.get("line"), loc.get("note"))
                    for loc in entry.get("locations") or () if isinstance(loc, dict) and loc.get("raw")]  # fmt: skip
        else:
            raws = [(entry.get("raw"), entry.get("record_id"), entry.get("line"), entry.get("note"))]
        for raw, record_id, line, note in raws:
            detail = entry.get("detail") if section == "privacy_quarantine" else None
            if detail is None and isinstance(note, str) and note.startswith("malformed: "):
                detail = note.removeprefix("malformed: ")
            table = pa.table({"customer_id": pa.array([customer], pa.string()),
                              "record_id": pa.array([None if record_id is None else str(record_id)], pa.string()),
                              "raw": pa.array([None if raw is None else str(raw)], pa.string()),
                              "line": pa.array([line if isinstance(line, int) else None], pa.int64()),
                              "detail": pa.array([detail], pa.string())})  # fmt: skip
            records = _quarantine_records(table, None, deleted)
            out.append((i, records.select(["customer_id", "utterance_id", "captured_at"])))
    return out


_JUDGED_ROW = pa.schema([("customer_id", pa.string()), ("utterance_id", pa.string()), ("captured_at", S.TS)])


def _judged(
    entries: list[dict], customer: str | None, deleted, section: str
) -> tuple[np.ndarray, list[list[str]]]:
    """Which entries of an access report's ``section`` a deletion covers (any row of the entry), and the
    requests covering each of them (one verdict for the whole section)."""
    gone = np.zeros(len(entries), dtype=bool)
    pieces = _report_rows(entries, customer, deleted, section)
    if not pieces:
        return gone, []
    owner = np.array([i for i, rows in pieces for _ in range(rows.num_rows)], dtype=np.int64)
    rows = pa.concat_tables([rows.select(_JUDGED_ROW.names).cast(_JUDGED_ROW) for _, rows in pieces])
    verdict = deleted.judge(rows)
    hit = np.flatnonzero(verdict.deleted)
    covering: dict[int, set[str]] = {}
    for row, requests in zip(hit.tolist(), verdict.covering_requests(hit), strict=True):
        covering.setdefault(int(owner[row]), set()).update(requests)
    gone[sorted(covering)] = True
    return gone, [sorted(covering[i]) for i in sorted(covering)]


def _everything_of(deleted, customer: str | None) -> list[str]:
    """The delete-all requests that cover a customer (their other spellings too): an access report of
    theirs goes whole, the utterances it lists and the identity it holds, even when it lists none (they
    asked when they had none left)."""
    if not customer:
        return []
    who = pa.table({"customer_id": pa.array([customer], pa.string()), "utterance_id": pa.nulls(1, pa.string()),
                    "captured_at": pa.nulls(1, S.TS)})  # fmt: skip
    requests = deleted.judge(who).covering_requests()[0]
    table = deleted.state.deletion_requests
    scope = dict(zip(table.column("request_id").to_pylist(), table.column("scope").to_pylist(), strict=True))
    return [r for r in requests if str(scope.get(r) or "").strip().lower() == "all"]


def _instants(values: list) -> pa.Array:
    out = []
    for value in values:
        try:
            out.append(datetime.fromisoformat(str(value)) if value else None)
        except ValueError:
            out.append(None)
    return pa.array([v if v is None or v.tzinfo else None for v in out], S.TS)


def _temporary(roots: list[Storage], result: TracesPurge, now: float) -> None:
    """Every temporary file in every root the purge searches (the lake, the access reports' root: a report's
    page whose worker was killed while writing it, alone in its folder, holds the customer's id and words):
    a stale one is removed, and a report folder it leaves empty with it (its name is 16 digits of the
    customer's speaker key); a young one is a write under way, which keeps the receipts open."""
    in_progress = 0
    for storage in roots:
        for info in storage.list_files("", ()):
            if TEMPORARY_MARK not in posixpath.basename(info.path):
                continue
            result.files_scanned["temporary"] += 1
            if info.modified is not None and now - info.modified.timestamp() < STALE_TEMPORARY_S:
                in_progress += 1  # a write in progress: it becomes a real file, or a stale one, later
                continue
            result.removed["temporary"] += 1
            if not result.dry_run:
                storage.remove(info.path)
                _remove_empty_report_folders(storage, posixpath.dirname(info.path))
    if in_progress:  # a partial file cannot be searched: the receipts wait for a later run
        result.problems.append(f"temporary: {in_progress} write(s) in progress (temporary files younger than "
                               f"{STALE_TEMPORARY_S:.0f} s), searched again by a later run")  # fmt: skip


# a ``key=value`` folder of a path in a report's text (a value ends where the folder, a string or a word does)
_SEGMENT = re.compile(r"[^\s\"'<>/\\=]+=[^\s\"'<>/\\]+(?=/)")


def _without_customer_segments(text: str, customers: set[str]) -> tuple[str, int]:
    """``text`` with each folder of a path that names one of ``customers`` (``customer_of_path``: any
    spelling of the key, the value URL-decoded) shown as ``shown_path`` shows it; and how many."""
    if not customers or "=" not in text:
        return text, 0
    found = 0

    def shown(match: re.Match[str]) -> str:
        nonlocal found
        if customer_of_path(f"{match.group()}/_") not in customers:
            return match.group()
        found += 1
        return shown_path(f"{match.group()}/_")[:-2]

    return _SEGMENT.sub(shown, text), found


# a customer id shorter than this is not scrubbed from run reports as a word of its own: it would stand for
# every such word of a report ("bob", "42"); a speaker key and a folder naming the customer still are
_SHORTEST_SCRUBBED_CUSTOMER = 4


def _tokens(deleted, found_ids: set[str]) -> set[str]:
    """What must not stay in a run report: deleted utterance ids; for a delete-all, the speaker key
    (and the 16-digit prefix reports show) of the customer, and their id as it is spelled (a file of an
    export per customer named after them: ``zed-4417.JSONL``, refused and listed by a run's report)."""
    tokens = set(found_ids) | set(deleted.listed_ids)
    tokens |= {
        c for c in with_other_spellings(deleted.everything_of) if len(c) >= _SHORTEST_SCRUBBED_CUSTOMER
    }
    customers = pa.array(deleted.everything_of, pa.string())
    # ... and those of their ids in any case: the fold's own, and those the store pairs with it (``io.store.folds``)
    spelled = [customers, key_of_canonical(customers)] if len(customers) else [customers]
    keys = [k for ids in spelled for k in speaker_keys(ids, deleted.pseudonym_key).drop_null().to_pylist()]
    lookup = deleted.state.speakers_of_folds
    if lookup is not None and len(customers):
        keys += (
            lookup(fold_keys(customers, deleted.pseudonym_key).drop_null().to_pylist()).column(1).to_pylist()
        )
    for key in keys:
        tokens |= {key, key[:16]}
    return {t for t in tokens if t}


def _run_reports(
    storage: Storage,
    tokens: set[str],
    result: TracesPurge,
    journal: ScrubJournal | None,
    customers: Iterable[str] = (),
) -> None:
    """``customers``: who deleted everything; a landing path a report names raw (a run of an older release)
    is shown as ``shown_path`` shows it where a folder of it names one of them (``customer_id=zed-4417``)."""
    digests = journal.pending(tokens) if journal is not None else frozenset()
    customers = AnyCase(with_other_spellings(customers)) if customers else set()  # (and any case of them)
    if not tokens and not digests and not customers:
        return
    for folder in REPORT_FOLDERS:
        for info in storage.list_files(folder, (".json", ".html")):
            if info.path.startswith(("reports/receipts/", "reports/access/")):
                continue
            result.files_scanned["run_reports"] += 1
            text = storage.read_bytes(info.path).decode("utf-8", errors="replace")
            scrub = Scrubber(tokens, html=info.path.endswith(".html"), digests=digests,
                             key=journal.key if journal is not None else b"")  # fmt: skip
            # a folder naming the customer first (shown as ``shown_path`` shows it), then the tokens
            cleaned, segments = _without_customer_segments(text, customers)
            cleaned = scrub.json(cleaned) if info.path.endswith(".json") else scrub(cleaned)
            if scrub.hits or segments:
                result.removed["run_reports"] += 1
                if not result.dry_run:
                    storage.write_bytes(info.path, cleaned.encode("utf-8"))


def _html_spellings(token: str) -> set[str]:
    """``token`` as HTML pages may escape it: a quote as ``html.escape`` writes it (``&#x27;``, ``&quot;``),
    as Jinja's autoescape (markupsafe) does (``&#39;``, ``&#34;``), or as named entities or left alone."""
    import html as html_module

    base = html_module.escape(token, quote=False)
    return {
        base.replace("'", apostrophe).replace('"', quote)
        for apostrophe in ("'", "&#39;", "&#x27;", "&apos;")
        for quote in ('"', "&#34;", "&quot;", "&#x22;")
    }


def _cases(token: str) -> set[str]:
    """``token`` in its other cases, composed (NFC) as ids are: "ZED ᾼ͂-7731" is "zed ᾷ-7731" in capitals (the
    title case of "ᾷ" is two characters, which IGNORECASE alone does not match)."""
    import unicodedata

    cases = {token, token.lower(), token.upper(), token.title(), token.casefold(), caseless(token)}
    return cases | {unicodedata.normalize("NFC", c) for c in cases}


class Scrubber:
    """Replaces every token (a deleted utterance id, a speaker key) in text by ``SCRUBBED``: as a
    word of ``_TOKEN`` (a set lookup, for the many plain ids), and, for the few tokens that hold a
    character ``_TOKEN`` splits at (``utt/2026/0001``, ``dXR0LTAwMQ==``), as a substring no id
    character continues on either side. ``html``: the tokens as an HTML page escapes them. Case is
    ignored, as a deletion's list of ids is matched (``privacy.identity.listed_key``)."""

    def __init__(
        self,
        tokens: set[str],
        *,
        html: bool = False,
        digests: frozenset[str] = frozenset(),
        key: bytes = b"",
        replacement: str = SCRUBBED,
    ):
        """``digests``: tokens known by their ``scrub_digest`` under ``key`` only (a word of the text, or a
        whole JSON value, whose digest is one of them is scrubbed too). ``replacement``: what a token
        becomes (the governance view shows ``(not shown)``: nothing was deleted)."""
        self.digests, self.key, self.replacement = digests, key, replacement

        escaped = {e for t in tokens for e in (_html_spellings(t) if html else (t,))}
        # (Python's case folding and the ids' own, ``identity.caseless``: "ᾼ͂" and "ᾷ" are one to the purge)
        self.tokens = {t.casefold() for t in escaped} | {caseless(t) for t in escaped}
        # each token as it is and in its other cases ("İ" lower-cases to two characters, which
        # IGNORECASE alone would not match)
        special = sorted(
            {s for t in escaped if not _TOKEN.fullmatch(t) for s in _cases(t)},
            key=len,
            reverse=True,
        )
        # bounded as ``_TOKEN`` words are: no letter, digit or hyphen on either side (an underscore is a joiner:
        # ``_zqx marker-7731.jsonl``, a hidden file named after its customer)
        self.special = (
            re.compile(
                r"(?<![^\W_])(?<!-)(?:" + "|".join(map(re.escape, special)) + r")(?![^\W_])(?!-)",
                re.IGNORECASE,
            )
            if special
            else None
        )
        # a value that is a token in whatever case ("utt/straße" for "utt/STRASSE", which IGNORECASE misses)
        self.folded_special = {
            f(t) for t in escaped if not _TOKEN.fullmatch(t) for f in (str.casefold, caseless)
        }
        self.hits = 0

    def _hit(self, match: re.Match[str]) -> str:
        self.hits += 1
        return self.replacement

    def _known(self, word: str) -> bool:
        return (
            word.casefold() in self.tokens
            or caseless(word) in self.tokens
            or (bool(self.digests) and scrub_digest(self.key, word) in self.digests)
        )

    def __call__(self, text: str) -> str:
        if (
            text.casefold() in self.folded_special
            or caseless(text) in self.folded_special
            or (self.digests and scrub_digest(self.key, text) in self.digests)
        ):
            self.hits += 1
            return self.replacement
        if self.special is not None:
            text = self.special.sub(self._hit, text)
        return _TOKEN.sub(self._word, text)

    def _word(self, match: re.Match[str]) -> str:
        word = match.group()
        if self._known(word):
            return self._hit(match)
        cuts = [i for i, c in enumerate(word) if c in _JOINERS]
        if not cuts:
            return word
        bounds = [-1, *cuts, len(word)]
        # the runs between joiners, and the spans of several (longest first, then leftmost)
        spans = sorted(
            (
                (bounds[a] + 1, bounds[b])
                for a in range(len(bounds))
                for b in range(a + 1, min(len(bounds), a + 1 + _MOST_PIECES))
            ),
            key=lambda span: (span[0] - span[1], span[0]),
        )
        taken: list[tuple[int, int]] = []
        for start, end in spans:
            if end > start and self._known(word[start:end]) and all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
        if not taken:
            return word
        self.hits += len(taken)
        out, last = [], 0
        for start, end in sorted(taken):
            out += [word[last:start], self.replacement]
            last = end
        return "".join([*out, word[last:]])

    def json(self, text: str) -> str:
        """A JSON document with every string value and key scrubbed (escapes decoded first); text
        that does not parse is scrubbed as it stands."""
        try:
            document = json.loads(text)
        except ValueError:
            return self(text)
        before = self.hits
        cleaned = self._value(document)
        return json.dumps(cleaned, indent=2, ensure_ascii=False) if self.hits > before else text

    def _value(self, value):
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {(self(k) if isinstance(k, str) else k): self._value(v) for k, v in value.items()}
        return value
