"""The live version and its files: ``current.json`` names a version whose manifest exists, says
``live`` and agrees with the governance store; every shard the manifest lists exists under the
dataset folder with the recorded bytes, sha256 and row count, and the published shard schema (no
other column, nested field or metadata: a training job loads them all). A Parquet file under the
dataset folder that no version but a revoked one lists is a violation, whatever its name, and so is a
symlink there; another manifest still saying live is a warning.

A training job may load any version that is not revoked, not the live one alone: a compaction's
parent stays ``superseded`` through its grace period, its merged files on disk. ``verify_kept_versions``
checks each such version's manifest and files as the live one's are (``kept_versions`` says which
versions; a file several of them list is read once, a file the live version lists is the live check's).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from utterance_governance.audit.findings import Findings
from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import Refused, Storage, is_parquet_name
from utterance_governance.publish.commit import DatasetPaths, read_manifest

FORBIDDEN_COLUMNS = ("customer_id", "device_id", "session_id", "transcript", "response")


@dataclass
class PublicationCheck:
    findings: Findings
    version: str | None = None
    manifest: dict | None = None
    shards_checked: int = 0
    bytes_checked: int = 0


def shard_rel(paths: DatasetPaths, shard: str) -> str | None:
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
    store_versions: Mapping[str, str] | None = None,
    verify_checksums: bool = True,
) -> PublicationCheck:
    """Check that ``current.json`` names a complete live version and that its files are intact.

    ``store_live`` / ``store_shards``: what the governance store records as the live version
    and its shard list (None: not compared); ``store_versions``: each version it records, by status (a
    manifest of a version it does not record, or records revoked, vouches for no file).
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
    elif store_versions is not None and store_versions.get(version) != "live":
        # every purge finds the live rows through the store: a version it does not record live is one nothing purges
        flag("version_not_live", f"current.json names {version} but the store records it "
             f"{store_versions.get(version) or 'not at all'}, and no version live")  # fmt: skip
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
    _housekeeping(storage, paths, version, {p for p in listed if p}, out.findings, store_versions)
    return out


def _check_shard_file(
    storage: Storage, paths: DatasetPaths, shard: dict, out: PublicationCheck, verify_checksums: bool
) -> None:
    """One manifest entry: the file exists inside the dataset folder with its bytes, sha256, rows, columns."""

    path = shard.get("path")
    rel = shard_rel(paths, path)

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
        meta, schema, rows, names = _footer(storage, rel)
    except Exception as exc:
        return flag("shard_unreadable", f"not readable as Parquet: {type(exc).__name__}")
    if rows != shard.get("rows"):
        flag("shard_rows_mismatch", f"{rows} rows in the file, manifest says {shard.get('rows')}")
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
        extra, missing = (
            sorted(set(schema.names) - set(S.SHARD.names)),
            sorted(set(S.SHARD.names) - set(schema.names)),
        )
        out.append(f"columns {schema.names} (beyond: {extra}, missing: {missing})")
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


def _housekeeping(
    storage: Storage,
    paths: DatasetPaths,
    version: str | None,
    listed: set[str],
    findings: Findings,
    store_versions: Mapping[str, str] | None = None,
) -> None:
    """Parquet files under the dataset folder that no manifest lists but a revoked one (a glob over a
    version's folder loads them: a violation), whatever their name (``_part.parquet``, which the lake's
    listing skips, HF ``datasets`` loads), a symlink or other path the lake refuses there (a loader follows
    it: a violation), and other manifests still saying live (a warning).

    The audit holds the dataset lock: no publish or purge is writing a version meanwhile."""
    # shards of the live version, and of every version not revoked (older ones stay loadable)
    kept = set(listed)
    for info in storage.list_files(paths.root, ("manifest.json",)):
        other = posixpath.relpath(info.path, paths.root).split("/", 1)[0]
        if other == version or _ends_revoked(storage, info.path):
            continue
        try:
            manifest = json.loads(storage.read_bytes(info.path))
        except Exception:
            continue
        if manifest.get("status") == "live":
            findings.flag(
                "other_manifest_live",
                f"the manifest of {other} says live; "
                + (f"current.json names {version}" if version else "no current.json names a live version"),
            )
        # only a manifest in its own version's folder, of a version the store records and has not revoked,
        # vouches for its files (one written there by hand would hide any file it lists)
        vouched = manifest.get("version") == other and (
            store_versions is None or store_versions.get(other) not in (None, "revoked")
        )
        if manifest.get("status") != "revoked" and vouched:
            kept |= {s.get("path") for s in manifest.get("shards") or () if isinstance(s, dict)}
    refused: list[Refused] = []
    unlisted: list[Refused] = []
    for info in storage.list_files(paths.root, (".parquet",), refused, unlisted):
        relative = posixpath.relpath(info.path, paths.root)
        if relative not in kept:
            findings.flag("unlisted_shard_file", f"{shown_path(info.path)} is listed by no version that is "
                          "not revoked", shard=shown_path(relative))  # fmt: skip
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


# --- the versions kept beside the live one ----------------------------------------------------------------------
# what a training job may still load besides the live version: a version the store records superseded (a
# compaction's parent in its grace period, a night's parent whose files all stay) until a purge or the end of the
# grace period revokes it (``purge.published.remove_replaced_shards``)
LOADABLE_STATUSES = ("live", "superseded")


def kept_versions(
    storage: Storage, dataset: str, current: str | None, store_versions: Mapping[str, str]
) -> Iterator[tuple[str, dict]]:
    """Each version other than ``current`` that a training job may still load, with its manifest, oldest
    first: the store records it live or superseded, and its manifest, in its own folder, names it and is not
    revoked (as ``_housekeeping`` decides whose files are vouched for). One manifest in memory at a time."""
    paths = DatasetPaths(dataset)
    for version, status in sorted(store_versions.items()):
        if (
            version == current
            or status not in LOADABLE_STATUSES
            or not storage.exists(paths.manifest(version))
        ):
            continue
        try:
            manifest = read_manifest(storage, dataset, version)
        except Exception:
            continue  # vouches for no file: ``_housekeeping`` names the files it lists
        if (
            not isinstance(manifest, dict)
            or manifest.get("version") != version
            or manifest.get("status") in ("revoked", "abandoned")
            or not isinstance(manifest.get("shards"), list)
        ):
            continue
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
    load any of them, so each is checked as the live one is: its row total, the store's shard list of it
    (``store_shards``: a version's shard paths in the store; None: not compared), and every file it lists
    with the recorded bytes, sha256, row count, columns and schema. A file the live version lists too is read by
    the live check: a kept manifest recording it otherwise than the live one is named here; any other file is
    read once, however many kept versions list it. Findings name the versions, never a row."""
    out = KeptCheck(Findings())
    flag = out.findings.flag
    paths = DatasetPaths(dataset)
    live = {s.get("path"): s for s in (live_manifest or {}).get("shards") or () if isinstance(s, dict)}
    # path -> what a version recorded of it (bytes, sha256, rows) -> the versions recording it so
    recorded: dict[str, dict[tuple, list[str]]] = {}
    for version, manifest in kept_versions(storage, dataset, current, store_versions):
        out.versions.append(version)
        shards = [s for s in manifest["shards"] if isinstance(s, dict)]
        where = kept_label([version])
        listed = [s.get("path") for s in shards]
        if store_shards is not None:
            in_store = store_shards(version)
            if sorted(in_store) != sorted(p for p in listed if p):
                not_in_store = sorted(set(listed) - set(in_store) - {None})[:5]
                not_listed = sorted(set(in_store) - set(listed))[:5]
                flag("store_shards_mismatch", f"{where}: manifest lists {len(listed)} shards, the store "
                     f"{len(in_store)}; not in the store: {not_in_store}, not in the manifest: {not_listed}")  # fmt: skip
        try:
            total = sum(int(s.get("rows") or 0) for s in shards)
            if manifest.get("rows") is not None and int(manifest["rows"]) != total:
                flag(
                    "manifest_rows_mismatch",
                    f"{where}: manifest says {manifest['rows']} rows, its shards {total}",
                )
        except (TypeError, ValueError) as exc:
            flag("manifest_unreadable", f"{paths.manifest(version)}: {type(exc).__name__}: {exc}")
        for shard in shards:
            path = shard.get("path")
            if not isinstance(path, str) or shard_rel(paths, path) is None:
                flag("shard_path_invalid", f"{where}: path {path!r} is not inside {paths.root}/", shard=path)
                continue
            key = tuple(shard.get(k) for k in _RECORDED)
            recorded.setdefault(path, {}).setdefault(key, []).append(version)
    for path, entries in sorted(recorded.items()):
        if path in live:  # the live check read the file against the live manifest's record of it
            live_key = tuple(live[path].get(k) for k in _RECORDED)
            for key, versions in sorted(entries.items(), key=lambda e: e[1]):
                for rule, mine, theirs in zip(("shard_bytes_mismatch", "shard_sha256_mismatch", "shard_rows_mismatch"),
                                              key, live_key, strict=True):  # fmt: skip
                    if mine != theirs:
                        flag(rule, f"{kept_label(versions)} record {_shown(mine)}, the live manifest "
                             f"{_shown(theirs)}, for this file", shard=path)  # fmt: skip
            continue
        out.shards[path] = sorted({v for versions in entries.values() for v in versions})
        _check_kept_file(storage, paths, path, entries, out)
    return out


def _shown(value) -> str:
    return f"{value[:16]}…" if isinstance(value, str) and len(value) > 16 else str(value)


def _check_kept_file(
    storage: Storage, paths: DatasetPaths, path: str, entries: Mapping[tuple, list[str]], out: KeptCheck
) -> None:
    """One file only kept versions list, read once, against what each of them recorded of it."""

    rel = paths.shard(path)
    everyone = kept_label(sorted({v for versions in entries.values() for v in versions}))

    def flag(rule: str, message: str, label: str = everyone) -> None:
        out.findings.flag(rule, f"{label}: {message}", shard=path)

    if not storage.exists(rel):
        return flag("shard_missing", f"{storage.url(rel)} does not exist")
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
            flag("shard_bytes_mismatch", f"{size} bytes on disk, manifest says {r_bytes}", label)
        if digest != str(r_sha):
            flag(
                "shard_sha256_mismatch",
                f"sha256 {digest[:16]}… on disk, manifest says {str(r_sha)[:16]}…",
                label,
            )
        if meta is not None and rows != r_rows:
            flag("shard_rows_mismatch", f"{rows} rows in the file, manifest says {r_rows}", label)
    if meta is None:
        return None
    _check_columns(names, schema, meta.metadata, flag)
    return None
