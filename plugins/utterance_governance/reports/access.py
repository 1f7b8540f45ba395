"""The access report for one customer: "review my recordings" (a data subject access request).

Every utterance the lake holds for the customer, wherever it is — landing files, quarantine,
staging, per-record decisions, published shards of every version still on disk — with the
files holding it, the decisions taken on it and the dataset versions that included it
(the ledger and each version's shard list, from the governance store). Landing, quarantine
and staged inputs are matched on ``customer_id``; everything downstream on the customer's
``speaker_key`` (the keyed pseudonym: the deployment's key is needed to compute it).

Written for that customer alone, **not in the lake**: under the access reports' own root
(``UG_ACCESS_REPORT_ROOT``, its own credentials: ``settings.load_access_report_target``), at
``reports/access/<speaker_key[:16]>/<run>/`` (``access.json`` and ``access.html``): the folder is
named by a pseudonym prefix, never the customer id. The page is written first and the JSON last (the
JSON is the report; the page names the digest of the JSON it shows): a page that does not show its
folder's JSON is rebuilt from it by the next purge's search, and a folder without JSON removed. **The report holds the customer's own
transcripts**: that root is protected apart from the lake (its own bucket and user), the report
handed only to that customer, and deleted when their request is closed or they ask for deletion.
The reports index never lists it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from utterance_governance import schema as S
from utterance_governance.io.readers import SUFFIXES, customer_of_path, customers_in_raw, read_landing_pieces
from utterance_governance.io.storage import Refused, Storage, is_parquet_name
from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import canonical_id, canonical_ids, speaker_key
from utterance_governance.publish.commit import DatasetPaths, live_version
from utterance_governance.reports.render import access_page
from utterance_governance.settings import AccessReportTarget

log = logging.getLogger(__name__)

PROTECTION_NOTICE = (
    "This report holds the customer's own transcripts. Keep reports/access/ protected like the "
    "landing zone, give it to this customer only, and delete it once their request is closed."
)
AREAS = ("landing", "quarantine", "staging", "decisions", "published")
VERSION_STATUSES_HELD = ("live", "superseded", "revoked", "staged")


def speaker_key_of(customer_id: str, pseudonym_key: bytes) -> str:
    key = speaker_key(customer_id, pseudonym_key)
    if key is None:
        raise ValueError("an access report needs a usable customer id")
    return key


def access_dir(speaker_key: str, run_key: str) -> str:
    return f"reports/access/{speaker_key[:16]}/{run_key}"


# what a page says of the JSON it was made from
_SHOWS = re.compile(rb"<!-- access\.json sha256 ([0-9a-f]{64}) -->")


def access_files(access: dict[str, Any]) -> tuple[bytes, bytes]:
    """An access report as written: its ``access.json``, and the page made from it (naming the JSON's
    digest, so a page left from another JSON is told apart: ``page_shows``)."""
    data = json.dumps(access, indent=2, default=str).encode("utf-8")
    return data, page_from_json(data)


def page_shows(page: bytes, data: bytes) -> bool:
    """Whether ``page`` was made from the JSON ``data`` (a page of an older release names none: no)."""
    shown = _SHOWS.search(page)
    return shown is not None and shown.group(1).decode() == hashlib.sha256(data).hexdigest()


def write_access_files(out: Storage, folder: str, access: dict[str, Any]) -> None:
    """``access.html`` first, ``access.json`` last: the JSON is what a purge judges, so a worker killed
    between the two leaves the old JSON, judged again by the next search, never a page the JSON no longer
    accounts for."""
    data, page = access_files(access)
    out.write_bytes(f"{folder}/access.html", page)
    out.write_bytes(f"{folder}/access.json", data)


def page_from_json(data: bytes) -> bytes:
    """The page of the access report whose JSON is ``data`` (the page a purge rebuilds)."""
    access = json.loads(data)
    return access_page({**access, "json_sha256": hashlib.sha256(data).hexdigest()}).encode("utf-8")


class _Collector:
    def __init__(self) -> None:
        self.utterances: dict[str, dict[str, Any]] = {}

    def entry(self, utterance_id: str | None, fallback: str) -> dict[str, Any]:
        key = utterance_id or fallback
        if key not in self.utterances:
            self.utterances[key] = {
                "utterance_id": utterance_id,
                "captured_at": None,
                "locale": None,
                "transcript": None,
                "response": None,
                "published_messages": None,
                "locations": [],
                "decisions": [],
                "versions": [],
            }
        return self.utterances[key]

    def locate(self, utterance_id: str | None, location: dict[str, Any], **fields: Any) -> None:
        location = {"line": None, "note": None, **location}
        fallback = f"{location['path']}#{location['line']}"
        entry = self.entry(utterance_id, fallback)
        if location not in entry["locations"]:
            entry["locations"].append(location)
        for name, value in fields.items():
            if value is not None and entry.get(name) is None:
                entry[name] = value


def _columns(storage: Storage, rel: str) -> list[str]:
    with storage.open(rel) as fh:
        return list(pq.ParquetFile(fh).schema_arrow.names)


def _rows(table: pa.Table, column: str, value: str, path: str | None = None) -> list[dict[str, Any]]:
    """The rows whose ``column`` names ``value`` (ids compared in their canonical form). A malformed row as
    it was read (a ``raw`` line) is the customer's its own line names (``_named_by_its_line``); ``path``: the
    landing file it was read from (else its ``source_file``)."""
    if column == "customer_id" and "raw" in table.column_names:
        return [
            row for row in table.to_pylist() if _named_by_its_line(row, value, path or row.get("source_file"))
        ]
    values = table.column(column)
    if column == "customer_id":
        values = canonical_ids(values)
    mask = pc.fill_null(pc.equal(values, value), False)
    return table.filter(mask).to_pylist()


def _named_by_its_line(row: dict[str, Any], customer_id: str, path: str | None) -> bool:
    """Is a malformed row ``customer_id``'s for their access report: its line names them under its own
    customer key and names no one else (a nested object naming them in another customer's line is that
    customer's words), or names no customer and lies in their Hive folder. The reader attributes more generously,
    for erasure (the folder's customer for a line naming another, ``NOT_OF_ITS_FOLDER``; an id read out of
    JSON held in a string): shown to that customer, such a line would show someone else's words."""
    raw = row.get("raw")
    if raw is None:
        return canonical_id(row.get("customer_id") or "") == customer_id
    # (a line naming two customers, at any depth or in a record it holds JSON-encoded in a string, or an id that
    # cannot be read, is shown to neither; a record quoted in its text names no one it belongs to)
    if not set(customers_in_raw(raw)) <= {customer_id}:
        return False
    named = customers_in_raw(raw, 0)
    if named:
        return set(named) == {customer_id}
    return path is not None and customer_of_path(path) == customer_id


def _rows_of(
    storage: Storage, prefix: str, customer_id: str, speaker: str
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each Parquet file under ``prefix`` and the customer's rows in it: named by ``customer_id``
    where the file has that column, else by ``speaker_key`` (files of neither are passed over)."""
    for rel in _parquet_files(storage, prefix):
        names = _columns(storage, rel)
        if "customer_id" in names:
            yield rel, _rows(storage.read_parquet(rel), "customer_id", customer_id)
        elif "speaker_key" in names:
            yield rel, _rows(storage.read_parquet(rel), "speaker_key", speaker)


def _parquet_files(storage: Storage, prefix: str) -> Iterator[str]:
    for info in storage.list_files(prefix, (".parquet",)):
        yield info.path


def _landing(storage: Storage, found: _Collector, customer_id: str) -> None:
    for info in storage.list_files("landing/utterances", SUFFIXES):
        for read in read_landing_pieces(storage, info.path, "utterances"):  # (a file of any size)
            for row in _rows(read.records, "customer_id", customer_id):
                found.locate(
                    row["utterance_id"], {"area": "landing", "path": info.path, "line": row["line"]},
                    captured_at=row["captured_at"], locale=row["locale"], transcript=row["transcript"],
                    response=row["response"],
                )  # fmt: skip
            for row in _rows(read.quarantine, "customer_id", customer_id, info.path):
                found.locate(row["record_id"], {"area": "landing", "path": info.path, "line": row["line"],
                                                "note": f"malformed: {row['detail']}", "raw": row["raw"]})  # fmt: skip


def _quarantine(storage: Storage, found: _Collector, customer_id: str, speaker: str) -> list[dict[str, Any]]:
    """Malformed rows (``quarantine/<kind>/``), held-back utterances (``quarantine/held/``) and live
    rows withdrawn while their customer was held back (``quarantine/withdrawn/``: by speaker key)."""
    privacy = []
    for rel, rows in _rows_of(storage, "quarantine", customer_id, speaker):
        kind = rel.split("/")[1] if rel.count("/") >= 2 else "utterances"
        for row in rows:
            if kind in ("held", "withdrawn"):
                why = f" ({row['detail']})" if row.get("detail") else ""
                note = f"held back until a readable consent or deletion record arrives{why}"
            else:
                note = f"malformed: {row.get('detail')}"
            location = {"area": "quarantine", "path": rel, "line": row.get("line"),
                        "source_file": row.get("source_file"), "note": note, "raw": row.get("raw")}  # fmt: skip
            if kind in ("consent", "deletions"):
                privacy.append({"kind": kind, "record_id": row.get("record_id"), **location})
                continue
            found.locate(
                row.get("utterance_id") or row.get("record_id"), location, captured_at=row.get("captured_at"),
                locale=row.get("locale"), transcript=row.get("transcript"), response=row.get("response"),
                published_messages=row.get("messages"),  # (a withdrawn row's cleaned text)
            )  # fmt: skip
    return privacy


def _staging(storage: Storage, found: _Collector, customer_id: str, speaker: str) -> None:
    for rel, rows in _rows_of(storage, "staging", customer_id, speaker):
        for row in rows:
            utterance_id = row.get("utterance_id") or row.get("record_id")
            found.locate(utterance_id, {"area": "staging", "path": rel, "line": row.get("line")},
                         captured_at=row.get("captured_at"), locale=row.get("locale"))  # fmt: skip


def _decisions(storage: Storage, found: _Collector, speaker: str) -> None:
    for rel in _parquet_files(storage, "decisions"):
        table = storage.read_parquet(rel)
        if "speaker_key" not in table.column_names:
            continue
        run = rel.split("/")[1] if rel.count("/") >= 2 else ""
        for row in _rows(table, "speaker_key", speaker):
            entry = found.entry(row.get("utterance_id"), f"{row.get('source_file')}#{row.get('line')}")
            entry["decisions"].append({"run": run, "reason": row.get("reason"), "detail": row.get("detail"),
                                       "source_file": row.get("source_file"), "line": row.get("line")})  # fmt: skip
            found.locate(row.get("utterance_id"), {"area": "decisions", "path": rel},
                         captured_at=row.get("captured_at"), locale=row.get("locale"))  # fmt: skip


def _published(storage: Storage, found: _Collector, dataset: str, speaker: str) -> None:
    """The customer's rows in every Parquet file under ``published/``: the dataset's, and any other's (one
    published under an earlier ``UG_DATASET``: a loader given its folder reads it, and the purge searches it,
    ``purge.traces``). A location names its shard relative to the dataset's folder, and another dataset's
    its dataset (``dataset``), whose versions the report does not list."""
    # whatever its name: a loader's glob takes ``_part.parquet`` too, which the lake's listing leaves out
    unlisted: list[Refused] = []
    files = [info.path for info in storage.list_files(S.PUBLISHED, (".parquet",), [], unlisted)]
    for rel in sorted(files + [r.path for r in unlisted if is_parquet_name(r.path)]):
        try:
            keys = storage.read_parquet(rel, columns=["speaker_key"]).column("speaker_key")
        except Exception:
            continue
        if not pc.any(pc.fill_null(pc.equal(keys, speaker), False)).as_py():
            continue
        folder = rel.split("/")[1] if rel.count("/") >= 2 else ""
        root = DatasetPaths(folder).root
        where = {"area": "published", "path": rel, "shard": posixpath.relpath(rel, root)}
        if folder != dataset:
            where["dataset"] = folder
        for row in _rows(storage.read_parquet(rel), "speaker_key", speaker):
            found.locate(row.get("utterance_id"), dict(where), locale=row.get("locale"),
                         published_messages=row.get("messages"))  # fmt: skip


def _versions(store: GovernanceStore, found: _Collector, dataset: str, speaker: str) -> list[dict[str, Any]]:
    """Which versions included each of the customer's utterances: the ledger ⋈ version shards, per version,
    and the versions that list a published file found holding it (a compaction moves the rows' ledger
    entries to its own shards; the versions before it still list the merged files until they go)."""
    included = _ledger_versions(store, found, dataset, speaker)
    statuses = {v["version"]: v["status"] for v in store.versions(dataset)}
    counted = {v["version"]: v for v in included}

    def shards_of(entry: dict[str, Any]) -> list[str]:
        return [
            loc["shard"]
            for loc in entry["locations"]
            if loc.get("area") == "published" and loc.get("shard") and not loc.get("dataset")
        ]

    # one lookup for every file found holding the customer, not one per utterance
    listing = store.versions_listing(dataset, [s for e in found.utterances.values() for s in shards_of(e)])
    for entry in found.utterances.values():
        listed = {(v["version"], v["shard"]) for v in entry["versions"]}
        for shard in sorted(set(shards_of(entry))):
            for version in listing.get(shard, []):
                if (version, shard) in listed or statuses.get(version) not in VERSION_STATUSES_HELD:
                    continue
                entry["versions"].append({"version": version, "status": statuses[version], "shard": shard})
                if version not in counted:
                    counted[version] = {"version": version, "status": statuses[version], "utterances": 0}
                    included.append(counted[version])
                counted[version]["utterances"] += 1
    for entry in found.utterances.values():
        entry["versions"].sort(key=lambda v: (v["version"], v["shard"]))
    return sorted(included, key=lambda v: v["version"])


def _ledger_versions(
    store: GovernanceStore, found: _Collector, dataset: str, speaker: str
) -> list[dict[str, Any]]:
    included = []
    for v in store.versions(dataset):
        if v["status"] not in VERSION_STATUSES_HELD:
            continue
        rows = store.ledger_rows(dataset, v["version"], speaker_keys=[speaker])
        if rows.num_rows == 0:
            continue
        included.append({"version": v["version"], "status": v["status"], "utterances": rows.num_rows})
        for row in rows.select(["utterance_id", "shard_path", "captured_at"]).to_pylist():
            entry = found.entry(row["utterance_id"], row["utterance_id"])
            entry["versions"].append(
                {"version": v["version"], "status": v["status"], "shard": row["shard_path"]}
            )
            if entry["captured_at"] is None:
                entry["captured_at"] = row["captured_at"]
    return included


def _privacy_records(store: GovernanceStore, customer_id: str) -> dict[str, list[dict[str, Any]]]:
    consent = store.consent_events()
    deletions = store.deletion_requests()
    by_request = {r["request_id"]: r for r in store.receipts()}
    mine = _rows(deletions, "customer_id", customer_id)
    return {
        "consent_events": [
            {k: r[k] for k in ("event_id", "purpose", "status", "effective_at", "recorded_at", "source")}
            for r in _rows(consent, "customer_id", customer_id)
        ],
        "deletion_requests": [
            {
                "request_id": r["request_id"],
                "scope": r["scope"],
                "from": r["from"],
                "to": r["to"],
                "utterance_ids": r["utterance_ids"],
                "requested_at": r["requested_at"],
                "receipt_status": (by_request.get(r["request_id"]) or {}).get("status"),
                "deadline_at": (by_request.get(r["request_id"]) or {}).get("deadline_at"),
                "completed_at": (by_request.get(r["request_id"]) or {}).get("completed_at"),
            }
            for r in mine
        ],
    }


def gather_access(
    storage: Storage, store: GovernanceStore, dataset: str, customer_id: str, pseudonym_key: bytes
) -> dict[str, Any]:
    """Everything the lake and the store hold of ``customer_id`` (see the module doc)."""
    customer_id = canonical_id(customer_id) or customer_id
    speaker = speaker_key_of(customer_id, pseudonym_key)
    found = _Collector()
    _landing(storage, found, customer_id)
    privacy_quarantine = _quarantine(storage, found, customer_id, speaker)
    _staging(storage, found, customer_id, speaker)
    _decisions(storage, found, speaker)
    _published(storage, found, dataset, speaker)
    versions = _versions(store, found, dataset, speaker)
    live = live_version(storage, dataset)
    utterances = sorted(
        found.utterances.values(), key=lambda u: (str(u["captured_at"] or ""), str(u["utterance_id"]))
    )
    for u in utterances:
        u["areas"] = [a for a in AREAS if any(loc["area"] == a for loc in u["locations"])]
        u["live"] = any(v["version"] == live for v in u["versions"])
    return {
        "customer_id": customer_id,
        "speaker_key_prefix": speaker[:16],
        "dataset": dataset,
        "live_version": live,
        "summary": {
            "utterances": len(utterances),
            **{f"in_{area}": sum(area in u["areas"] for u in utterances) for area in AREAS},
            "live_in_dataset": sum(u["live"] for u in utterances),
            "versions_including_any": len(versions),
        },
        "versions": versions,
        "privacy_records": _privacy_records(store, customer_id),
        "privacy_quarantine": privacy_quarantine,
        "utterances": utterances,
        "notice": PROTECTION_NOTICE,
    }


def access_report_storage(target: AccessReportTarget) -> Storage:
    """The access reports' own storage: their root, with their own credentials (never the lake's)."""
    return Storage(target.root, **target.storage_options())


def write_access_report(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    customer_id: str,
    pseudonym_key: bytes,
    *,
    out: Storage,
    run_key: str,
    run_id: str,
    now: datetime,
) -> dict[str, Any]:
    """Gather one customer's utterances from the lake (``storage``) and the store, and write
    ``access.html`` and then ``access.json`` to ``out`` (the access reports' own root, not the lake);
    return where and how many."""
    if out.root_url.rstrip("/") == storage.root_url.rstrip("/"):
        raise ValueError("an access report is written apart from the lake (UG_ACCESS_REPORT_ROOT)")
    access = gather_access(storage, store, dataset, customer_id, pseudonym_key)
    access = {"run_id": run_id, "generated_for": now.isoformat(), **access}
    folder = access_dir(speaker_key_of(customer_id, pseudonym_key), run_key)
    write_access_files(out, folder, access)
    return {
        "json": out.url(f"{folder}/access.json"),
        "html": out.url(f"{folder}/access.html"),
        "folder": folder,
        "utterances": access["summary"]["utterances"],
        "summary": access["summary"],
    }
