"""The live version and its files: ``current.json`` names a version whose manifest exists, says
``live`` and agrees with the governance store; every shard the manifest lists exists under the
dataset folder with the recorded bytes, sha256 and row count, and the published shard schema (no
other column, nested field or metadata: a training job loads them all). A Parquet file under the
dataset folder that no loadable version lists is a violation, whatever its name, and so is a
symlink there; another manifest still saying live is a warning.

A training job may load any version the store records live or superseded, not the live one alone: a
compaction's parent stays ``superseded`` through its grace period, its merged files on disk. The store,
not a manifest's own ``status``, says which versions those are (``publish.lineage`` asks it too):
``verify_kept_versions`` checks each such version's manifest and files as the live one's are, and a manifest
saying another status than the store's is a finding of its own (``kept_versions`` says which versions; a file
several of them list is read once, a file the live version lists is the live check's). Only those versions'
manifests vouch for files (``_housekeeping``): a staged version's, left by a publish that stopped before its
switch, does not, and its files are named until ``reconcile`` removes them.

Findings show what an edited ``current.json``, manifest or shard says only in a form that cannot carry
someone's data: a path as ``readers.shown_path`` shows it (``customer_id=[customer]``), a version, status,
count or sha256 only when it has the form a publish writes, never an exception's text.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from utterance_governance.audit.findings import Findings
from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import Refused, Storage, is_parquet_name
from utterance_governance.publish.commit import DatasetPaths, read_manifest

FORBIDDEN_COLUMNS = ("customer_id", "device_id", "session_id", "transcript", "response")


# --- what a finding shows of a value read from the lake ------------------------------------------------------
# current.json, a manifest and a shard's footer may be edited to say anything (a customer id, someone's words):
# a finding shows such a value only in the form the publisher writes it, or describes it without it
_VERSION = re.compile(r"v[0-9]{1,12}")  # as ``publish.commit.next_version`` names a version
_STATUSES = ("live", "superseded", "revoked", "staged", "abandoned")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_SHOWN = 240  # characters of a path a finding shows


def is_version(value: object) -> bool:
    """Is ``value`` a version as a publish names one (``v000042``)."""
    return isinstance(value, str) and _VERSION.fullmatch(value) is not None


def shown_version(value: object) -> str:
    """A version read from the lake (``current.json``, a manifest) as a finding shows it."""
    if is_version(value):
        return str(value)
    return "none" if value is None else "a value that names no version"


def shown_status(value: object) -> str:
    """A manifest's ``status`` as a finding shows it."""
    if isinstance(value, str) and value in _STATUSES:
        return value
    return "none" if value is None else "a value that is no status"


def shown_number(value: object) -> str:
    """A manifest's count (rows, bytes) as a finding shows it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return "none" if value is None else "a value that is no number"


def shown_sha256(value: object) -> str:
    """A recorded sha256 as a finding shows it: its first 16 hex digits."""
    if isinstance(value, str) and _SHA256.fullmatch(value):
        return f"{value[:16]}…"
    return "none" if value is None else "a value that is no sha256"


def shown_shard(value: object) -> str | None:
    """A shard path read from a manifest (or the store) as a finding shows it: as ``readers.shown_path`` shows a
    path (a ``customer_id=`` segment's value as ``[customer]``), printable and at most ``_MAX_SHOWN`` characters;
    None for a value that is no string."""
    if not isinstance(value, str):
        return None
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown_path(value))
    return shown if len(shown) <= _MAX_SHOWN else f"{shown[:_MAX_SHOWN]}…"


def _shown_paths(values: Iterable[object]) -> list[str]:
    return [shown_shard(v) or "(no path)" for v in values]


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rows_finding(manifest: dict, shards: list[dict]) -> str | None:
    """What is wrong with a manifest's row total (None: it is the sum of its shards' rows)."""
    recorded = manifest.get("rows")
    if recorded is None:
        return None
    counts = [_count(s.get("rows")) for s in shards]
    total = sum(n for n in counts if n is not None)
    if _count(recorded) is None:
        return f"manifest says {shown_number(recorded)} rows, its shards {total}"
    if recorded != total:
        unknown = sum(n is None for n in counts)
        return f"manifest says {recorded} rows, its shards {total}" + (
            f" ({unknown} of them recording no number)" if unknown else ""
        )
    return None


@dataclass
class PublicationCheck:
    findings: Findings
    version: str | None = None
    manifest: dict | None = None
    shards_checked: int = 0
    bytes_checked: int = 0


def shard_rel(paths: DatasetPaths, shard: str) -> str | None:
    """The lake path of a manifest shard path, or None when it would leave the dataset folder."""
    if not isinstance(shard, str) or not shard or shard.startswith("/") or "\\" in shard:
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
    store_versions: Mapping[str, str] | None = None,
    verify_checksums: bool = True,
) -> PublicationCheck:
    """Check that ``current.json`` names a complete live version and that its files are intact.

    ``store_live`` / ``store_shards``: what the governance store records as the live version
    and its shard list (None: not compared); ``store_versions``: each version it records, by status (only a
    manifest of a version it records live or superseded vouches for a file: ``_housekeeping``).
    """
    out = PublicationCheck(Findings())
    flag = out.findings.flag
    paths = DatasetPaths(dataset)
    if not storage.exists(paths.current):
        if store_live:
            flag("current_missing", f"the store records {store_live} live but {paths.current} is missing")
        # nothing is live, yet a loader given the dataset's folder loads whatever Parquet file is in it (a first
        # publish stopped before its switch, a copy made by hand)
        _housekeeping(storage, paths, None, set(), out.findings, store_versions)
        return out
    try:
        version = json.loads(storage.read_bytes(paths.current))["version"]
    except Exception as exc:  # (its type only: a decoding error's text may quote the file)
        flag("current_unreadable", f"{paths.current}: not JSON naming a version ({type(exc).__name__})")
        return out
    if not is_version(version):  # (edited: it may say anything, and it would name a folder to read)
        flag("current_unreadable", f"{paths.current} names no version as a publish names one (v and digits)")
        return out
    out.version = version
    if not storage.exists(paths.manifest(version)):
        flag("manifest_missing", f"current.json names {version} but {paths.manifest(version)} is missing")
        return out
    try:
        manifest = read_manifest(storage, dataset, version)
    except Exception as exc:
        flag("manifest_unreadable", f"{paths.manifest(version)}: not readable as JSON ({type(exc).__name__})")
        return out
    if not isinstance(manifest, dict) or not isinstance(manifest.get("shards"), list):
        flag("manifest_unreadable", f"{paths.manifest(version)}: lists no shards")
        return out
    out.manifest = manifest
    # (an entry that is no object names no path: checked as such below)
    shards = [s if isinstance(s, dict) else {} for s in manifest["shards"]]

    if manifest.get("version") != version:
        flag("version_not_live", f"current.json names {version}; its manifest says "
             f"{shown_version(manifest.get('version'))}")  # fmt: skip
    if manifest.get("status") != "live":
        flag(
            "version_not_live",
            f"the manifest of {version} says status {shown_status(manifest.get('status'))}",
        )
    if store_live is not None and store_live != version:
        flag("version_not_live", f"current.json names {version} but the store records {store_live} live")
    elif store_versions is not None and store_versions.get(version) != "live":
        # every purge finds the live rows through the store: a version it does not record live is one nothing purges
        flag("version_not_live", f"current.json names {version} but the store records it "
             f"{store_versions.get(version) or 'not at all'}, and no version live")  # fmt: skip
    listed = [s.get("path") for s in shards]
    named = [p for p in listed if isinstance(p, str) and p]
    if store_shards is not None and sorted(store_shards) != sorted(named):
        not_in_store = _shown_paths(sorted(set(named) - set(store_shards))[:5])
        not_listed = _shown_paths(sorted(set(store_shards) - set(named))[:5])
        flag("store_shards_mismatch", f"manifest lists {len(listed)} shards, the store {len(store_shards)}; "
                                      f"not in the store: {not_in_store}, not in the manifest: {not_listed}")  # fmt: skip
    rows = _rows_finding(manifest, shards)
    if rows:
        flag("manifest_rows_mismatch", rows)

    for index, shard in enumerate(shards):
        _check_shard_file(storage, paths, shard, out, verify_checksums, index)
    _housekeeping(storage, paths, version, set(named), out.findings, store_versions)
    return out


def _check_shard_file(
    storage: Storage,
    paths: DatasetPaths,
    shard: dict,
    out: PublicationCheck,
    verify_checksums: bool,
    index: int = 0,
) -> None:
    """One manifest entry: the file exists inside the dataset folder with its bytes, sha256, rows, columns."""

    path = shard.get("path")
    rel = shard_rel(paths, path)
    shown = shown_shard(path)

    def flag(rule: str, message: str) -> None:
        out.findings.flag(rule, message, shard=shown)

    if rel is None:
        what = f"path {shown}" if shown is not None else "no path"
        return flag("shard_path_invalid", f"manifest entry {index}: {what}, not a path inside {paths.root}/")
    if not storage.exists(rel):
        return flag("shard_missing", f"{shown_path(storage.url(rel))} does not exist")
    out.shards_checked += 1
    size = storage.info(rel).size
    out.bytes_checked += size
    if size != shard.get("bytes"):
        flag(
            "shard_bytes_mismatch", f"{size} bytes on disk, manifest says {shown_number(shard.get('bytes'))}"
        )
    if verify_checksums:
        digest, recorded = storage.sha256(rel), shard.get("sha256")
        if digest != recorded:
            flag(
                "shard_sha256_mismatch",
                f"sha256 {digest[:16]}… on disk, manifest says {shown_sha256(recorded)}",
            )
    try:
        meta, schema, rows, names = _footer(storage, rel)
    except Exception as exc:
        return flag("shard_unreadable", f"not readable as Parquet: {type(exc).__name__}")
    if rows != shard.get("rows"):
        flag(
            "shard_rows_mismatch", f"{rows} rows in the file, manifest says {shown_number(shard.get('rows'))}"
        )
    _check_columns(names, schema, meta.metadata, flag)
    return None


def _footer(storage, rel: str):
    """A shard's Parquet footer: (metadata, Arrow schema, rows, column names); raises if it is no Parquet."""
    import pyarrow.parquet as pq

    with storage.open(rel) as fh:
        parquet = pq.ParquetFile(fh)
        meta = parquet.metadata
        return meta, parquet.schema_arrow, meta.num_rows, set(meta.schema.names)


def _check_columns(names: set[str], schema, metadata: dict | None, flag) -> None:
    """A shard's columns: none of ``FORBIDDEN_COLUMNS``, and the published schema exactly."""
    forbidden = sorted(names & set(FORBIDDEN_COLUMNS))
    if forbidden:
        flag("forbidden_column", f"columns {forbidden} must never be published")
    # an allow-list, not only the deny-list above: a training job loads every column a shard has
    # ("customerId", "raw_transcript", a field nested in the messages) and its metadata
    differs = shard_schema_differences(schema, metadata)
    if differs:
        flag("shard_schema", f"not the published shard schema: {'; '.join(differs)}")


def shard_schema_differences(schema, metadata: dict | None) -> list[str]:
    """What makes a shard's Arrow schema and key-value metadata other than ``schema.SHARD`` (names,
    order and types, nested fields included; no metadata but Arrow's own schema)."""
    from utterance_governance import schema as S

    out = []
    if schema.names != S.SHARD.names:
        # (the published columns it lacks by name; the others by their number only: a column's name is the
        # file's to choose, and may be anything, a customer id included)
        beyond = [name for name in schema.names if name not in S.SHARD.names]
        missing = [name for name in S.SHARD.names if name not in schema.names]
        said = [f"{len(beyond)} column(s) beyond the published ones"] if beyond else []
        said += [f"missing {missing}"] if missing else []
        if len(schema.names) != len(set(schema.names)):
            said.append("a column name twice")
        out.append(f"columns: {', '.join(said or ['the published ones in another order'])}")
    else:
        typed = [
            name for name in S.SHARD.names if not schema.field(name).type.equals(S.SHARD.field(name).type)
        ]
        if typed:
            out.append(f"columns {typed} have another type (or nested fields)")
        # a field's own key-value metadata, nested fields' too: anything may be written there (raw ids)
        noted = [name for name in S.SHARD.names if _carries_metadata(schema.field(name))]
        if noted:
            out.append(f"columns {noted} carry field metadata")
    keys = sorted(key.decode("utf-8", "replace") for key in (metadata or {}) if key != b"ARROW:schema")
    if keys:
        out.append(f"{len(keys)} metadata key(s) beyond Arrow's schema")
    return out


def _carries_metadata(field) -> bool:
    """Does ``field``, or a field nested in it (struct, list, map), carry key-value metadata."""
    if field.metadata:
        return True
    kind = field.type
    if isinstance(kind, pa.StructType):
        return any(_carries_metadata(kind.field(i)) for i in range(kind.num_fields))
    if isinstance(kind, pa.MapType):
        return _carries_metadata(kind.key_field) or _carries_metadata(kind.item_field)
    if isinstance(kind, pa.ListType | pa.LargeListType | pa.FixedSizeListType):
        return _carries_metadata(kind.value_field)
    return False


# A manifest as ``publish.commit`` writes it (keys sorted, two-space indent) ends with its status and
# version: a revoked one is known from its last bytes. A version a day and one per purge make
# thousands of revoked manifests, each listing every shard of its time: read whole daily, the audit
# grew with the dataset's age. Any other ending (another writer, a status not revoked) is read whole.
_REVOKED_ENDING = re.compile(rb'\n  "status": "revoked",\n  "version": "[^"\\\n]*"\n}\n?\Z')


def _ends_as_parquet(storage: Storage, path: str) -> bool:
    """Does the file end as a Parquet file does (``PAR1``), whatever its name (``part-9``, ``x.parq``): a
    loader given a folder's every file reads it."""
    try:
        return storage.read_tail(path, 4) == b"PAR1"
    except Exception:
        return False


def _ends_revoked(storage: Storage, path: str) -> bool:
    try:
        return _REVOKED_ENDING.search(storage.read_tail(path, 256)) is not None
    except Exception:
        return False  # read whole below, as any manifest


def _vouches(manifest: object, folder: str, store_status: str | None, by_store: bool) -> bool:
    """Does a manifest found in ``folder`` vouch for the files it lists: it names its own folder's version (one
    written elsewhere by hand would hide any file it lists), and the store records that version loadable, live or
    superseded (``by_store``; its ``store_status``): the versions whose files the audit checks (``kept_versions``),
    whatever the manifest says of itself (a staged version, left by a publish that stopped before its switch, has
    a manifest saying live). Without the store, a manifest not saying revoked vouches."""
    if not isinstance(manifest, dict) or manifest.get("version") != folder:
        return False
    return store_status in LOADABLE_STATUSES if by_store else manifest.get("status") != "revoked"


def _manifest_shards(manifest: dict) -> list[dict]:
    shards = manifest.get("shards")
    return [s for s in shards if isinstance(s, dict)] if isinstance(shards, list) else []


def _housekeeping(
    storage: Storage,
    paths: DatasetPaths,
    version: str | None,
    listed: set[str],
    findings: Findings,
    store_versions: Mapping[str, str] | None = None,
) -> None:
    """Parquet files under the dataset folder that no loadable version's manifest lists (``_vouches``: a glob over
    a version's folder loads them: a violation), whatever their name (``_part.parquet``, which the lake's
    listing skips, HF ``datasets`` loads), a symlink or other path the lake refuses there (a loader follows
    it: a violation), and other manifests still saying live (a warning).

    The audit holds the dataset lock: no publish or purge is writing a version meanwhile."""
    # shards of the live version, and of every version the store keeps loadable (older ones stay loadable)
    kept = set(listed)
    # a file only manifests that vouch for nothing list: the version and its status in the store, for the finding
    listed_by: dict[str, tuple[str, str]] = {}
    by_store = store_versions is not None
    for info in storage.list_files(paths.root, ("manifest.json",)):
        other = posixpath.relpath(info.path, paths.root).split("/", 1)[0]
        status = (store_versions or {}).get(other)
        if other == version or (status not in LOADABLE_STATUSES and _ends_revoked(storage, info.path)):
            continue
        try:
            manifest = json.loads(storage.read_bytes(info.path))
        except Exception:
            continue
        if not isinstance(manifest, dict):
            continue
        if manifest.get("status") == "live":
            findings.flag(
                "other_manifest_live",
                f"the manifest of {shown_shard(other)} says live; "
                + (f"current.json names {version}" if version else "no current.json names a live version"),
            )
        files = {s.get("path") for s in _manifest_shards(manifest)}
        if _vouches(manifest, other, status, by_store):
            kept |= files
        elif status is not None and is_version(other):
            for path in files:
                listed_by.setdefault(path, (other, status))
    refused: list[Refused] = []
    unlisted: list[Refused] = []
    for info in storage.list_files(paths.root, (".parquet",), refused, unlisted):
        relative = posixpath.relpath(info.path, paths.root)
        if relative not in kept:
            findings.flag("unlisted_shard_file", f"{shown_path(info.path)} is listed by no version a training job "
                          f"may load{_listed_only_by(listed_by.get(relative))}", shard=shown_path(relative))  # fmt: skip
    # what the listing leaves out by its name or refuses, a training job's glob may still load
    for left_out in unlisted:
        relative = posixpath.relpath(left_out.path, paths.root)
        if relative not in kept and (
            is_parquet_name(left_out.path) or _ends_as_parquet(storage, left_out.path)
        ):
            findings.flag("hidden_shard_file", f"{shown_path(left_out.path)}: a Parquet file named so the lake's "
                          "listing skips it, which a loader's glob takes", shard=shown_path(relative))  # fmt: skip
    for r in refused:
        findings.flag("refused_shard_path", f"{shown_path(r.path)} ({r.reason}): a path the lake never reads, "
                      "which a loader follows", shard=shown_path(posixpath.relpath(r.path, paths.root)))  # fmt: skip


def _listed_only_by(by: tuple[str, str] | None) -> str:
    """The end of an ``unlisted_shard_file`` finding: the version whose manifest lists the file though the store
    does not record it loadable."""
    if by is None:
        return ""
    version, status = by
    why = {
        "staged": ": a publish stopped before its switch, and the next publish or purge removes its files",
        "abandoned": ": a publish abandoned before its switch, whose files were to be removed",
    }.get(status, "")
    return f" (its manifest in {version} lists it, a version the store records {shown_status(status)}{why})"


# --- the versions kept beside the live one ----------------------------------------------------------------------
# what a training job may still load besides the live version: a version the store records superseded (a
# compaction's parent in its grace period, a night's parent whose files all stay) until a purge or the end of the
# grace period revokes it (``purge.published.remove_replaced_shards``)
LOADABLE_STATUSES = ("live", "superseded")


def _loadable_manifests(
    storage: Storage, dataset: str, current: str | None, store_versions: Mapping[str, str]
) -> Iterator[tuple[str, dict | None, str]]:
    """Each version other than ``current`` that the store records live or superseded, oldest first, with its
    manifest, or None and what is wrong with it (missing, not JSON, naming another version, listing no shards).
    The store says which versions a training job may load (``publish.lineage`` asks it too), not a manifest's own
    ``status``, which may be edited. One manifest in memory at a time."""
    paths = DatasetPaths(dataset)
    for version, status in sorted(store_versions.items()):
        if version == current or status not in LOADABLE_STATUSES:
            continue
        if not storage.exists(paths.manifest(version)):
            yield version, None, f"{paths.manifest(version)} is missing"
            continue
        try:
            manifest = read_manifest(storage, dataset, version)
        except Exception as exc:  # (its type only: a decoding error's text may quote the file)
            yield version, None, f"{paths.manifest(version)}: not readable as JSON ({type(exc).__name__})"
            continue
        if not isinstance(manifest, dict) or manifest.get("version") != version:
            yield version, None, f"{paths.manifest(version)} names another version"
        elif not isinstance(manifest.get("shards"), list):
            yield version, None, f"{paths.manifest(version)} lists no shards"
        else:
            yield version, manifest, ""


def kept_versions(
    storage: Storage, dataset: str, current: str | None, store_versions: Mapping[str, str]
) -> Iterator[tuple[str, dict]]:
    """Each version other than ``current`` that a training job may still load, with its manifest, oldest
    first: the store records it live or superseded, whatever its manifest says of its status (a manifest saying
    another is ``manifest_status_mismatch``), and its manifest, in its own folder, names it and lists its shards
    (the versions ``_housekeeping`` lets vouch for their files). One manifest in memory at a time."""
    for version, manifest, _ in _loadable_manifests(storage, dataset, current, store_versions):
        if manifest is not None:
            yield version, manifest


def kept_label(versions: Sequence[str]) -> str:
    """How a finding of a kept version's file names the versions listing it."""
    return f"kept version{'s' if len(versions) > 1 else ''} {', '.join(versions)}"


@dataclass
class KeptCheck:
    findings: Findings
    versions: list[str] = field(default_factory=list)
    # the files only kept versions list (the live check reads the others), with the versions listing each
    shards: dict[str, list[str]] = field(default_factory=dict)
    shards_checked: int = 0
    bytes_checked: int = 0


_RECORDED = ("bytes", "sha256", "rows")


def kept_shards(
    storage: Storage,
    dataset: str,
    current: str | None,
    live_manifest: dict | None,
    store_versions: Mapping[str, str],
) -> tuple[list[str], dict[str, list[str]]]:
    """The kept versions (``kept_versions``) and the files only they list, each with the versions listing it
    (a file several of them list is one entry: read once)."""
    live = {s.get("path") for s in (live_manifest or {}).get("shards") or () if isinstance(s, dict)}
    versions: list[str] = []
    shards: dict[str, list[str]] = {}
    for version, manifest in kept_versions(storage, dataset, current, store_versions):
        versions.append(version)
        for shard in manifest["shards"]:
            path = shard.get("path") if isinstance(shard, dict) else None
            if isinstance(path, str) and path not in live:
                shards.setdefault(path, []).append(version)
    return versions, shards


def verify_kept_versions(
    storage: Storage,
    dataset: str,
    current: str | None,
    live_manifest: dict | None,
    store_versions: Mapping[str, str],
    store_shards: Callable[[str], list[str]] | None = None,
) -> KeptCheck:
    """The manifests and files of every version kept beside the live one (``kept_versions``): a training job may
    load any of them, so each is checked as the live one is: its status (the store's: a manifest saying another is
    a finding, and its files are checked all the same), its row total, the store's shard list of it
    (``store_shards``: a version's shard paths in the store; None: not compared), and every file it lists
    with the recorded bytes, sha256, row count, columns and schema. A file the live version lists too is read by
    the live check: a kept manifest recording it otherwise than the live one is named here; any other file is
    read once, however many kept versions list it. A version the store records loadable whose manifest cannot
    be read is named too (its files are ``_housekeeping``'s). Findings name the versions, never a row."""
    out = KeptCheck(Findings())
    flag = out.findings.flag
    paths = DatasetPaths(dataset)
    live = {s.get("path"): s for s in (live_manifest or {}).get("shards") or () if isinstance(s, dict)}
    # path -> what a version recorded of it (bytes, sha256, rows) -> the versions recording it so
    recorded: dict[str, dict[tuple, list[str]]] = {}
    for version, manifest, problem in _loadable_manifests(storage, dataset, current, store_versions):
        where = kept_label([version])
        status = store_versions[version]
        if manifest is None:
            flag("manifest_unreadable", f"{where}: {problem}, though the store records it {status}: a training job "
                 "may load it")  # fmt: skip
            continue
        out.versions.append(version)
        if manifest.get("status") != status:
            # the store decides what may be loaded (and what a purge and the audit read): a manifest saying
            # otherwise was edited or written by another hand, and a loader reading it is misled
            flag("manifest_status_mismatch", f"{where}: its manifest says status "
                 f"{shown_status(manifest.get('status'))}, the store records it {status}")  # fmt: skip
        shards = _manifest_shards(manifest)
        listed = [s.get("path") for s in shards]
        named = [p for p in listed if isinstance(p, str) and p]
        if store_shards is not None:
            in_store = store_shards(version)
            if sorted(in_store) != sorted(named):
                not_in_store = _shown_paths(sorted(set(named) - set(in_store))[:5])
                not_listed = _shown_paths(sorted(set(in_store) - set(named))[:5])
                flag("store_shards_mismatch", f"{where}: manifest lists {len(listed)} shards, the store "
                     f"{len(in_store)}; not in the store: {not_in_store}, not in the manifest: {not_listed}")  # fmt: skip
        rows = _rows_finding(manifest, shards)
        if rows:
            flag("manifest_rows_mismatch", f"{where}: {rows}")
        for index, shard in enumerate(manifest["shards"]):
            path = shard.get("path") if isinstance(shard, dict) else None
            if shard_rel(paths, path) is None:
                shown = shown_shard(path)
                what = f"path {shown}" if shown is not None else "no path"
                flag("shard_path_invalid", f"{where}: manifest entry {index}: {what}, not a path inside "
                     f"{paths.root}/", shard=shown)  # fmt: skip
                continue
            key = tuple(shard.get(k) for k in _RECORDED)
            recorded.setdefault(path, {}).setdefault(_hashable(key), []).append(version)
    for path, entries in sorted(recorded.items()):
        if path in live:  # the live check read the file against the live manifest's record of it
            live_key = _hashable(tuple(live[path].get(k) for k in _RECORDED))
            for key, versions in sorted(entries.items(), key=lambda e: e[1]):
                for rule, shown, mine, theirs in zip(
                    _MISMATCH_RULES, _SHOWN_RECORDED, key, live_key, strict=True
                ):
                    if mine != theirs:
                        flag(rule, f"{kept_label(versions)} record {shown(mine)}, the live manifest "
                             f"{shown(theirs)}, for this file", shard=shown_shard(path))  # fmt: skip
            continue
        out.shards[path] = sorted({v for versions in entries.values() for v in versions})
        _check_kept_file(storage, paths, path, entries, out)
    return out


_MISMATCH_RULES = ("shard_bytes_mismatch", "shard_sha256_mismatch", "shard_rows_mismatch")
_SHOWN_RECORDED = (shown_number, shown_sha256, shown_number)  # as ``_RECORDED``


def _hashable(key: tuple) -> tuple:
    """A recorded (bytes, sha256, rows) as a dict key: a value an edited manifest made a list or an object is
    kept as its JSON (it matches nothing on disk)."""
    return tuple(v if isinstance(v, str | int | float | bool | None) else json.dumps(v, sort_keys=True)
                 for v in key)  # fmt: skip


def _check_kept_file(
    storage: Storage, paths: DatasetPaths, path: str, entries: Mapping[tuple, list[str]], out: KeptCheck
) -> None:
    """One file only kept versions list, read once, against what each of them recorded of it."""

    rel = paths.shard(path)
    everyone = kept_label(sorted({v for versions in entries.values() for v in versions}))
    shown = shown_shard(path)

    def flag(rule: str, message: str, label: str = everyone) -> None:
        out.findings.flag(rule, f"{label}: {message}", shard=shown)

    if not storage.exists(rel):
        return flag("shard_missing", f"{shown_path(storage.url(rel))} does not exist")
    out.shards_checked += 1
    size = storage.info(rel).size
    out.bytes_checked += size
    digest = storage.sha256(rel)
    try:
        meta, schema, rows, names = _footer(storage, rel)
    except Exception as exc:
        meta = None
        flag("shard_unreadable", f"not readable as Parquet: {type(exc).__name__}")
    for (r_bytes, r_sha, r_rows), versions in sorted(entries.items(), key=lambda e: e[1]):
        label = kept_label(versions)
        if size != r_bytes:
            flag(
                "shard_bytes_mismatch", f"{size} bytes on disk, manifest says {shown_number(r_bytes)}", label
            )
        if digest != r_sha:
            flag("shard_sha256_mismatch", f"sha256 {digest[:16]}… on disk, manifest says {shown_sha256(r_sha)}",
                 label)  # fmt: skip
        if meta is not None and rows != r_rows:
            flag(
                "shard_rows_mismatch", f"{rows} rows in the file, manifest says {shown_number(r_rows)}", label
            )
    if meta is None:
        return None
    _check_columns(names, schema, meta.metadata, flag)
    return None
