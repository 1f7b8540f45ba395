"""Rotating the pseudonym key: the one explicit operation that changes every speaker key (SPEC §4.1).

A speaker key is HMAC(pseudonym key, canonical customer id). Everything that must find a
customer's rows again computes their key, so a run whose key differs from the live dataset's
refuses to start (``privacy.check_key``). Rotating the key therefore re-keys what the pipeline
holds, under the dataset lock:

1. who is who: every customer id the lake and the store know — the landing files, held-back
   rows, consent events, deletion requests, unreadable records — is mapped from its speaker key
   under the old key to its key under the new one;
2. the live dataset is published again as a new version with the new keys (a full rewrite: new
   shards, new ledger rows, the manifest's ``key_fingerprint`` the new key's); a live row whose
   speaker no known customer id explains is withdrawn (counted as ``unkeyable``): a later opt-out
   or deletion could never find it. Every older version is revoked and its shard files removed,
   as a purge does: they hold keys no request can match any more;
3. the speaker keys in every other copy (``decisions/``, ``staging/``, ``quarantine/withdrawn``, and
   a Parquet file under ``published/`` no live version lists: an operator's copy of a shard, a crashed
   writer's leftover) are rewritten; a row whose key no customer explains is removed, as its live row
   is withdrawn: no deletion could ever find it again (a customer whose landing files are gone);
4. the receipt documents are written again with the new keys, and the speaker keys run reports
   name (``_rekey_reports``);
5. the lake's own files named after a path (``quarantine/``, ``decisions/``, ``staging/``: a digest of the
   path keyed with the pseudonym key, ``traces.name_digest``; and the removal notes under
   ``reports/<run>/copies_removed/``) are renamed to their names under the new key, so a landing file read
   again still replaces its quarantined and held rows; a name of a path no file and no row names any more
   gets a digest of its old one (``_rename_named_copies``). Names an older release made with an unkeyed
   digest, or with the path's shown form before the digest, are renamed alike: a rotation to the same key
   keys them (and the copies purge names them by the digest alone whatever the key: ``name_by_digest_alone``).
6. the store's landing paths a delete-all sealed with a keyed digest (``purge.store_paths``) are sealed
   with the new key (``reseal_store_paths``), so the registry still finds an emptied file's entry;
7. the store's case-fold pairs (``io.store.folds``: the keyed digest of an id's fold beside the speaker key
   of a spelling in another case) are made again under the new key, each from the customer id that explains
   it (``_rekey_speaker_folds``): an opt-out naming ``zed-cust-77`` still reaches the rows of ``Zed-Cust-77``.
   A pair no known customer explains goes, as that customer's rows did. A known id in another case than
   its fold whose rows are published gets its pair too: rows published before the store kept pairs. So
   are the speaker keys of the recordings deletion listings erased (``io.store.deleted``), and of the speakers
   an opt-out withdrew whose training runs a later deletion tells to erase (``io.store.withdrawn``).

The old key is checked first: if it did not make the live dataset (its fingerprint differs from
the manifest's), or too few live rows can be explained with it, nothing changes. Nor while a publish, a
privacy run, an audit or an access report is under way (it would write copies with the old key after they
were re-keyed). A rotation marks itself in flight until it has finished (``rekey``), so no receipt completes
while copies hold keys no deletion matches; one stopped after its switch is finished by running it again with the same
keys (its mark names the two keys' fingerprints, and the live dataset is on the new one: its copies and
reports are re-keyed, whatever versions purges published meanwhile). With the same
key as old and new, this verifies a dataset whose manifest predates fingerprints and records
the key's fingerprint. The whole live dataset is read into memory, once: an operation of the
rare kind, not a nightly one.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.io.readers import SUFFIXES, read_landing_pieces
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store.deleted import LISTING_FOLDS
from utterance_governance.jobs.in_flight import (
    ROTATION_RUNS,
    in_flight_since,
    mark_in_flight,
    unfinished_rotations,
)
from utterance_governance.policy import Policy
from utterance_governance.privacy import (
    KeyMismatch,
    canonical_ids,
    key_fingerprint,
    live_fingerprint,
    speaker_keys,
)
from utterance_governance.privacy.identity import key_of_canonical
from utterance_governance.privacy.keys import FOLD_PAIRS, UNRECORDED, fold_digests
from utterance_governance.publish.commit import (
    Publication,
    live_version,
    publish_version,
    read_manifest,
    reconcile,
)
from utterance_governance.publish.compact import REKEY_KIND, merged_versions
from utterance_governance.publish.shards import as_shard
from utterance_governance.purge.published import WITHDRAWN, _read_verified, remove_replaced_shards
from utterance_governance.purge.store_paths import reseal_store_paths
from utterance_governance.purge.traces import (
    JOURNAL,
    REPORT_FOLDERS,
    SCRUBBED,
    Scrubber,
    name_digest,
    unkeyed_name_digest,
)

log = logging.getLogger(__name__)

MIN_EXPLAINED = 0.5  # below this share of live rows explained by the old key, the key is refused
REKEY_GATE = {
    "success": True,
    "skipped": True,
    "reason": "a re-key only changes speaker keys; every row passed the gate of the version that first published it",
}
KEYED_COPIES = ("decisions", "staging", WITHDRAWN)


def known_customers(storage: Storage, store: GovernanceStore) -> pa.Array:
    """Every customer id (canonical, distinct) the landing files, held rows and the store know."""
    parts = [store.privacy_state().customers]
    for info in storage.list_files("landing/utterances", SUFFIXES):
        for read in read_landing_pieces(storage, info.path, "utterances"):
            customers = pc.unique(read.records.column("customer_id").combine_chunks())
            parts += [customers, pc.unique(read.quarantine.column("customer_id"))]
    for info in storage.list_files("quarantine", (".parquet",)):
        table = storage.read_parquet(info.path)
        if "customer_id" in table.column_names and pa.types.is_string(table.schema.field("customer_id").type):
            parts.append(table.column("customer_id").combine_chunks())
    ids = canonical_ids(pa.chunked_array([p.cast(pa.string()) for p in parts], type=pa.string()))
    return pc.unique(ids).drop_null()


def key_map(customers: pa.Array, old_key: bytes, new_key: bytes) -> tuple[pa.Array, pa.Array]:
    """(old speaker keys, new speaker keys), position for position."""
    return speaker_keys(customers, old_key), speaker_keys(customers, new_key)


def _remap(values: pa.Array | pa.ChunkedArray, old: pa.Array, new: pa.Array) -> pa.Array:
    """Each old key replaced by its new one; a key no customer explains becomes null."""
    return new.take(pc.index_in(values, value_set=old))


def _remap_copy(values: pa.Array | pa.ChunkedArray, old: pa.Array, new: pa.Array) -> pa.Array:
    """``_remap``, but a key already the new key's stays (a rotation finished after it stopped short)."""
    done = pc.is_in(values, value_set=new.drop_null())
    return pc.if_else(done, values, _remap(values, old, new))


def rekey_dataset(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    old_key: bytes,
    new_key: bytes,
    *,
    run_id: str,
    policy: Policy,
    lock_timeout_s: float = 600.0,
) -> dict:
    """Re-key the live dataset and every keyed copy from ``old_key`` to ``new_key`` (module doc)."""
    old_fp, new_fp = key_fingerprint(old_key), key_fingerprint(new_key)
    with store.dataset_lock(dataset, owner=f"{run_id}/rekey", timeout_s=lock_timeout_s) as lock:
        reconcile(storage, store, dataset)
        live = live_version(storage, dataset)
        manifest = read_manifest(storage, dataset, live) if live is not None else None
        mine = f"{ROTATION_RUNS}{run_id}"
        others = {k: keys for k, keys in unfinished_rotations(storage).items() if k != mine}
        resumed = sorted(k for k, keys in others.items() if keys == (old_fp, new_fp))
        # the key the dataset is on: the live manifest's, or while nothing is live, the store's record
        switched = live_fingerprint(manifest) if manifest is not None else store.key_fingerprint()
        if resumed and old_fp != new_fp and switched == new_fp:
            # this rotation, stopped after its switch (runs since on the new key): its copies and reports now
            customers = known_customers(storage, store)
            result = {"dataset": dataset, "from": old_fp, "to": new_fp, "live_before": live, "version": live,
                      "resumed": resumed}  # fmt: skip
            listed = (
                {f"published/{dataset}/{s['path']}" for s in manifest["shards"]}
                if manifest is not None
                else set()
            )
            # (what the stopped attempt removed too)
            result.update(_past_the_switch(storage, store, dataset, customers, (old_key, new_key), listed, mine,
                                           [mine, *resumed]))  # fmt: skip
            log.info("finished re-keying %s from key %s to key %s: %s", dataset, old_fp, new_fp, result)
            return result
        if resumed and switched != new_fp:
            # this rotation, stopped before its switch (a storage error, a crash): nothing is on the new key yet,
            # so this run does it over, and its marks go with this run's
            others = {k: keys for k, keys in others.items() if k not in resumed}
        else:
            resumed = []
        if others:
            stopped = ", ".join(f"{a} to {b} ({k})" for k, (a, b) in sorted(others.items()))
            raise KeyMismatch(
                f"rekey: a key rotation is under way or stopped short (from key fingerprint {stopped}): finish it "
                "first (run `ug rekey` again with its keys); nothing was changed"
            )
        if in_flight_since(storage, datetime.now(UTC), but=ROTATION_RUNS):
            raise KeyMismatch(
                "rekey: a publish, a privacy run, an audit or an access report is under way "
                "(staging/*/_in_flight.json): its steps would write copies with the old key after they were "
                "re-keyed; rotate once it has finished; nothing was changed"
            )
        if storage.list_files(JOURNAL, (".json",)):
            # its notes are digests made with the old key: under the new one no report's word matches them,
            # and the reports would keep the ids a purge found deleted
            raise KeyMismatch(
                f"rekey: the scrub journal ({JOURNAL}/) holds the ids a purge found deleted and has not scrubbed "
                "from every report yet (a run stopped short, or one was under way): run privacy_requests once "
                "no publish, audit or access report is running, then rotate; nothing was changed"
            )
        result: dict = {
            "dataset": dataset,
            "from": old_fp,
            "to": new_fp,
            "live_before": live,
            "version": live,
            **({"resumed": resumed} if resumed else {}),
        }
        customers = known_customers(storage, store)
        old, new = key_map(customers, old_key, new_key)
        if live is None:
            if switched not in (None, old_fp):
                raise KeyMismatch(
                    f"rekey: the old key given (fingerprint {old_fp}) is not the key the deployment's copies were "
                    f"made with (fingerprint {switched}, recorded by its first run; nothing is live); nothing was "
                    "changed"
                )
            store.set_key_fingerprint(
                new_fp
            )  # the switch while nothing is live: runs on the old key refuse now
        else:
            recorded = live_fingerprint(manifest)
            if recorded not in (old_fp, UNRECORDED):
                raise KeyMismatch(
                    f"rekey: the old key given (fingerprint {old_fp}) is not the live dataset's key "
                    f"(fingerprint {recorded}); nothing was changed"
                )
            rows = _live_rows(storage, store, dataset, live, manifest)
            mapped = _remap(rows.column("speaker_key"), old, new)
            explained = np.asarray(pc.is_valid(mapped), dtype=bool)
            if rows.num_rows and explained.mean() < MIN_EXPLAINED:
                raise KeyMismatch(
                    f"rekey: only {int(explained.sum())} of {rows.num_rows} live rows have a speaker key the old "
                    f"key (fingerprint {old_fp}) makes from a customer id the lake knows: it is not the key "
                    "that made them; nothing was changed"
                )
            kept = rows.filter(pa.array(explained))
            kept = kept.set_column(kept.schema.get_field_index("speaker_key"), "speaker_key",
                                   mapped.filter(pa.array(explained)))  # fmt: skip
            every = [s["path"] for s in manifest["shards"]]
            # the versions whose rows these are (those listing the shards replaced, and those a compaction or an
            # earlier rotation put in them): a deletion later purged from this version's shards names their
            # training runs (``lineage.revocation_announcement``)
            listing = store.versions_listing(dataset, every)
            rewritten_from = sorted(
                {v for versions in listing.values() for v in versions}
                | merged_versions(storage, dataset, manifest, every)
            )
            publication = Publication(
                run_id=run_id,
                rows=kept,
                counts={"rekeyed": kept.num_rows, "unkeyable": int((~explained).sum())},
                gate=REKEY_GATE,
                privacy_snapshot=store.privacy_snapshot(),
                inputs=[],
                target_rows=policy.shard_target_rows,
                key_fingerprint=new_fp,
                notes={"kind": REKEY_KIND, "from_key_fingerprint": old_fp, "rewritten_from": rewritten_from},
            )
            replaces = {"version": live, "status": "revoked", "revoke": True, "reason": ["rekey"],
                        "erase_copies": False, "shards": every}  # fmt: skip
            created = publish_version(storage, store, dataset, publication, replaces=replaces, lock=lock,
                                      rotate_key_from=recorded)  # fmt: skip
            lock.assert_held()
            store.set_key_fingerprint(new_fp)  # (the live manifest's key: the store's record follows it)
            cleanup = remove_replaced_shards(storage, store, dataset, created["version"])
            result.update(version=created["version"], rows=created["rows"], unkeyable=int((~explained).sum()),
                          cleanup=cleanup)  # fmt: skip
        listed = set()
        if result["version"] is not None:  # the new version's shards, written with the new key
            listed = {
                f"published/{dataset}/{s['path']}"
                for s in read_manifest(storage, dataset, result["version"])["shards"]
            }
        result.update(
            _past_the_switch(storage, store, dataset, customers, (old_key, new_key), listed, mine, [mine])
        )
    log.info("re-keyed %s from key %s to key %s: %s", dataset, old_fp, new_fp, result)
    return result


def _past_the_switch(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    customers: pa.Array,
    keys: tuple[bytes, bytes],
    listed: set[str],
    mine: str,
    runs: list[str],
) -> dict:
    """Everything a rotation re-keys once the dataset is on the new key: the copies (``listed``: the live
    shards, on it already), the files named by a key, the store's paths, case-fold pairs, deleted recordings and
    opt-out records, and the reports (scrubbed of the ids ``runs`` found removed). One place for the rotation and
    for its rerun after a stop past its switch: the rerun skipped the opt-out records, and a deletion after it
    told no training run to erase the version the opt-out had revoked."""
    old_key, new_key = keys
    old, new = key_map(customers, old_key, new_key)
    done = {
        "copies": _rekey_copies(storage, old, new, listed, mine),
        "files_renamed": _rename_named_copies(storage, old_key, new_key),
        "store_paths_resealed": reseal_store_paths(storage, store, old_key, new_key),
        "speaker_folds_rekeyed": _rekey_speaker_folds(store, dataset, customers, old_key, new_key),
        "deleted_recordings_rekeyed": store.rekey_deleted_recordings(
            old, new, listing_folds(store.deletion_requests(), new_key)
        ),
        "withdrawn_speakers_rekeyed": store.rekey_withdrawn_speakers(
            old, new, _fold_map(customers, old_key, new_key)
        ),
    }
    done["reports_rewritten"] = _rekey_reports(storage, old, new, _removed_ids(storage, runs))
    storage.remove(f"staging/{mine}/{REMOVED_IDS}")  # scrubbed: the notes go (the marks, in ``rekey``)
    return done


def listing_folds(deletions: pa.Table, key: bytes) -> pa.Table:
    """Each listing's (a deletion request of scope ``utterances``) customer's fold under ``key``, by request
    (``io.store.deleted.LISTING_FOLDS``): its speaker key and keyed digest, where a deleted recording no known
    id explains is kept (``rekey_deleted_recordings``)."""
    scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope")))
    listings = deletions.filter(pc.fill_null(pc.equal(scope, "utterances"), False))
    folds = key_of_canonical(canonical_ids(listings.column("customer_id")))
    return pa.table(
        {
            "request_id": listings.column("request_id"),
            "speaker_key": speaker_keys(folds, key),
            "fold_key": fold_digests(folds, key),
        },
        schema=LISTING_FOLDS,
    ).drop_null()


def _fold_map(customers: pa.Array, old_key: bytes, new_key: bytes) -> pa.Table:
    """Each known customer's fold: its keyed digest under the old and the new key, and its own speaker key under the
    new one (``io.store.withdrawn``'s records keep the digest)."""
    folds = pc.unique(key_of_canonical(customers)).drop_null()
    return pa.table(
        {
            "old_fold_key": fold_digests(folds, old_key),
            "fold_key": fold_digests(folds, new_key),
            "speaker_key": speaker_keys(folds, new_key),
        }
    )


def _rekey_speaker_folds(
    store: GovernanceStore, dataset: str, customers: pa.Array, old_key: bytes, new_key: bytes
) -> int:
    """The store's case-fold pairs made again under ``new_key`` (module doc, 7), from ``customers`` (canonical
    ids) that are not their own fold: each pair the old key made from one of them becomes that customer's
    pair under the new key; so does each such customer with rows published in ``dataset`` (rows published
    before the store kept pairs); a pair already made with the new key (a rotation run again after its
    switch) stays; the others go. The number of pairs kept."""
    folded = key_of_canonical(customers)
    other = pc.fill_null(pc.not_equal(folded, customers), False)  # an id that is its own fold has no pair
    ids, folds = customers.filter(other), folded.filter(other)
    before = pa.table({"fold_key": fold_digests(folds, old_key), "speaker_key": speaker_keys(ids, old_key)})
    after = pa.table({"fold_key": fold_digests(folds, new_key), "speaker_key": speaker_keys(ids, new_key)})
    held = store.all_speaker_folds()
    at = pc.index_in(_pair_keys(held), value_set=_pair_keys(before))
    published = store.published_speakers(dataset, after.column("speaker_key").drop_null().to_pylist())
    pairs = pa.concat_tables(
        [
            after.take(at.filter(pc.is_valid(at))).cast(FOLD_PAIRS),
            after.filter(
                pc.is_in(after.column("speaker_key"), value_set=pa.array(sorted(published), pa.string()))
            ).cast(FOLD_PAIRS),
            held.filter(pc.is_in(_pair_keys(held), value_set=_pair_keys(after))).cast(FOLD_PAIRS),
        ]
    )
    kept = store.replace_speaker_folds(pairs)
    log.info("rekey: %d case-fold pairs under the new key, of %d under the old one", kept, held.num_rows)
    return kept


def _pair_keys(pairs: pa.Table) -> pa.Array:
    key = pc.binary_join_element_wise(pairs.column("fold_key"), pairs.column("speaker_key"), " ")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def _live_rows(storage: Storage, store: GovernanceStore, dataset: str, live: str, manifest: dict) -> pa.Table:
    """Every live row (each shard verified), with the ledger's capture and landing times."""
    # (as_shard: a rotation before 2026-12-07 wrote its shards with a nullable speaker key)
    parts = [as_shard(_read_verified(storage, dataset, shard)) for shard in manifest["shards"]]
    rows = pa.concat_tables(parts) if parts else S.SHARD.empty_table()
    ledger = store.ledger_rows(dataset, live)
    at = pc.index_in(rows.column("utterance_id"), value_set=ledger.column("utterance_id"))
    rows = rows.append_column("captured_at", ledger.column("captured_at").take(at))
    rows = rows.append_column("landed_at", ledger.column("landed_at").take(at))
    missing = pc.is_null(rows.column("captured_at"))
    if pc.any(missing).as_py():  # no ledger time: the shard's date stands in (the audit flags such rows)
        from_date = pc.cast(pc.cast(rows.column("captured_date"), pa.timestamp("s")), S.TS)
        rows = rows.set_column(rows.schema.get_field_index("captured_at"), "captured_at",
                               pc.coalesce(rows.column("captured_at"), from_date))  # fmt: skip
    return rows


def _removed_ids(storage: Storage, marks: list[str]) -> set[str]:
    """The utterance ids of the rows ``_rekey_copies`` removed, as the rotations' marks note them."""
    ids: set[str] = set()
    for mark in marks:
        try:
            ids |= set(json.loads(storage.read_bytes(f"staging/{mark}/{REMOVED_IDS}")))
        except FileNotFoundError:
            continue
    return ids


# beside a rotation's in-flight mark: the utterance ids of the rows it removed, until it has scrubbed the reports
REMOVED_IDS = "removed_ids.json"


def _rekey_copies(storage: Storage, old: pa.Array, new: pa.Array, live: set[str], mark: str) -> dict:
    """The speaker keys of every keyed copy rewritten, and of the Parquet files under ``published/`` but
    the ``live`` shards; a row whose key no known customer explains is removed (its live row is
    withdrawn as ``unkeyable``; with a key no one can make, no deletion would ever reach it). Returns the
    files rewritten and the rows removed. Their utterance ids are noted beside the rotation's ``mark``
    before the rows go (``REMOVED_IDS``): a rotation stopped before it scrubbed the reports of them finds
    them there when run again."""
    out: dict = {"files_rewritten": 0, "unexplained_rows_removed": 0}
    noted = _removed_ids(storage, [mark])
    for prefix in (*KEYED_COPIES, "published"):
        for info in storage.list_files(prefix, (".parquet",)):
            if info.path in live:
                continue
            table = storage.read_parquet(info.path)
            if "speaker_key" not in table.column_names or table.num_rows == 0:
                continue
            keys = table.column("speaker_key")
            mapped = _remap_copy(keys, old, new)
            unexplained = pc.and_(pc.is_valid(keys), pc.is_null(mapped))
            out["unexplained_rows_removed"] += int(pc.sum(unexplained).as_py() or 0)
            if "utterance_id" in table.column_names:
                ids = set(table.column("utterance_id").filter(unexplained).drop_null().to_pylist())
                if ids - noted:
                    noted |= ids
                    storage.write_bytes(f"staging/{mark}/{REMOVED_IDS}", json.dumps(sorted(noted)).encode())
            table = table.set_column(table.schema.get_field_index("speaker_key"), "speaker_key", mapped)
            table = table.filter(pc.invert(unexplained))
            storage.write_parquet(info.path, table)
            out["files_rewritten"] += 1
    return out


# the folders of the files named after a path (``jobs.publish._file_key``), and such a name: the path's digest
# (after ``held__`` or ``withdrawn__``: a held or withdrawn set decided again), then its suffixes; an older
# release put the path's shown form, flattened, before the digest (``<name>.<digest>``); and the removal
# notes of a copies purge (``copies.Removals``)
NAMED_COPIES = ("quarantine", "decisions", "staging")
_NAMED = re.compile(
    r"(?P<kind>held__|withdrawn__)?(?:(?P<readable>.+)\.)?(?P<digest>[0-9a-f]{16})(?P<suffix>(?:~\d+)?(?:\.[a-z]+)*)"
)
_REMOVALS_NAME = re.compile(r"^[0-9a-f]+-([0-9a-f]{16})\.json$")


def _digests_by_path(storage: Storage, old_key: bytes, new_key: bytes) -> dict[str, str]:
    """Each digest a path the lake knows was named by (under ``old_key``, unkeyed, or under ``new_key``
    already) and the path's digest under ``new_key``: the paths are the landing files', the quarantined
    files' and those their rows came from (``source_file``)."""
    paths = {i.path for i in storage.list_files("landing")}
    for info in storage.list_files("quarantine", (".parquet",)):
        paths.add(info.path)
        table = storage.read_parquet(info.path)
        if "source_file" in table.column_names and pa.types.is_string(table.schema.field("source_file").type):
            paths |= set(pc.unique(table.column("source_file").combine_chunks()).drop_null().to_pylist())
    named: dict[str, str] = {}
    for path in paths:
        digest = name_digest(new_key, path)
        for made in (name_digest(old_key, path), unkeyed_name_digest(path), digest):
            named[made] = digest
    return named


def _moved(storage: Storage, rel: str, new_name: str) -> int:
    """``rel`` renamed to ``new_name`` in its folder; where the name is taken already, the file written under
    it (by a newer release) stays and this one goes. 1 when renamed."""
    folder, name = posixpath.split(rel)
    if new_name == name:
        return 0
    target = posixpath.join(folder, new_name)
    if not storage.exists(target):
        storage.write_bytes(target, storage.read_bytes(rel))
    storage.remove(rel)
    return 1


def _rename_named_copies(storage: Storage, old_key: bytes, new_key: bytes) -> int:
    """Every file named after a path renamed to its name under ``new_key`` (module doc, step 5), the digest
    alone (``jobs.publish._file_key``: an older release's readable part goes too): a digest made of a path
    the lake knows with ``old_key``, or unkeyed by an older release, becomes the new key's. A digest no such
    path explains (the landing file and its rows are gone) is replaced by a digest of it under the new key:
    nothing looks such a file up by its path, and an unkeyed one would still be a hash of that path. Returns
    the files renamed."""
    named = _digests_by_path(storage, old_key, new_key)

    def digest_of(digest: str) -> str:
        return named.get(digest) or name_digest(new_key, f"renamed:{digest}")

    count = 0
    for prefix in NAMED_COPIES:
        for info in storage.list_files(prefix):
            if match := _NAMED.fullmatch(posixpath.basename(info.path)):
                count += _moved(storage, info.path, _by_digest(match, digest_of(match["digest"])))
    for info in storage.list_files("reports", (".json",)):
        if posixpath.basename(posixpath.dirname(info.path)) == "copies_removed":
            name = posixpath.basename(info.path)
            new_name = _REMOVALS_NAME.sub(
                lambda m: m.group(0).replace(m.group(1), digest_of(m.group(1))), name
            )
            count += _moved(storage, info.path, new_name)
    return count


def _by_digest(match: re.Match[str], digest: str) -> str:
    return f"{match['kind'] or ''}{digest}{match['suffix']}"


def name_by_digest_alone(storage: Storage, key: bytes, *, but: tuple[str, ...] = ()) -> int:
    """The lake's own files an older release named after a path with the path's shown form in the name
    (``<name>.<digest>``: a landing file named after its customer, ``dt=…/zed-4417.jsonl``, left their id in
    the names of its quarantine, held, decisions and staging files after their delete-all) renamed to the
    digest alone, as ``jobs.publish._file_key`` names them now. A digest this ``key`` made of a path the lake
    knows is kept (a landing file read again still replaces its copies), an unkeyed one is keyed, and one no
    such path explains becomes a digest of it. ``but``: the keys of runs under way, whose staged files their
    next steps find by name (their folders under ``staging/`` wait for the next purge). Returns the files
    renamed; nothing is read unless a name needs it."""
    skipped = tuple(f"staging/{run}/" for run in but)
    older = [
        (info.path, match)
        for prefix in NAMED_COPIES
        for info in storage.list_files(prefix)
        if not info.path.startswith(skipped)
        and (match := _NAMED.fullmatch(posixpath.basename(info.path))) is not None
        and match["readable"]
    ]
    if not older:
        return 0
    named = _digests_by_path(storage, key, key)
    renamed = 0
    for rel, match in older:
        digest = named.get(match["digest"]) or name_digest(key, f"renamed:{match['digest']}")
        renamed += _moved(storage, rel, _by_digest(match, digest))
    return renamed


# a speaker key in a report: whole (64 hex digits) or the 16-digit prefix reports show
_SPEAKER_KEY = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9a-f]{64}|[0-9a-f]{16})(?![0-9A-Fa-f])")


def _rekey_reports(storage: Storage, old: pa.Array, new: pa.Array, removed_ids: set[str]) -> int:
    """The speaker keys run reports name (an audit's findings show 16 digits of one) written under the
    new key, or ``[deleted]`` where no customer explains them: under the old key a later deletion's
    scrub (which makes keys with the key in use) would never find them; so are the ``removed_ids`` (the
    utterances of the rows ``_rekey_copies`` removed: no deletion could tell whose they are). Receipts are
    written again (step 4); access reports hold ids, not keys. Returns the files rewritten."""
    whole = {o: n for o, n in zip(old.to_pylist(), new.to_pylist(), strict=True) if o}
    prefix = {o[:16]: (n[:16] if n else None) for o, n in whole.items()}

    def mapped(match: re.Match[str]) -> str:
        word = match.group()
        if word not in whole and word not in prefix:
            return word
        return (whole.get(word) if len(word) == 64 else prefix.get(word)) or SCRUBBED

    rewritten = 0
    for folder in REPORT_FOLDERS:
        for info in storage.list_files(folder, (".json", ".html")):
            if info.path.startswith(("reports/receipts/", "reports/access/")):
                continue
            text = storage.read_bytes(info.path).decode("utf-8", errors="replace")
            again = _SPEAKER_KEY.sub(mapped, text)
            if removed_ids:
                scrub = Scrubber(removed_ids, html=info.path.endswith(".html"))
                again = scrub.json(again) if info.path.endswith(".json") else scrub(again)
            if again != text:
                storage.write_bytes(info.path, again.encode("utf-8"))
                rewritten += 1
    return rewritten


def rekey(settings_old_key: bytes, settings, *, run_id: str | None = None) -> dict:
    """Re-key the deployment of ``settings`` (its ``pseudonym_key`` is the new key) from ``settings_old_key``;
    the receipt documents are written again with the new keys."""
    from utterance_governance.policy import load_policy
    from utterance_governance.purge.receipts import write_receipt_files

    storage = Storage(settings.data_root)
    store = GovernanceStore.from_settings(settings)  # at the schema's head (`ug migrate-store`), or refused
    try:
        now = datetime.now(UTC)
        run_id = run_id or f"rekey-{now.strftime('%Y%m%dT%H%M%S%fZ')}"  # (one a run: each has its mark)
        # in flight until finished: a rotation stopped half way leaves copies with keys no deletion matches,
        # and no receipt may complete until it is run again
        fingerprints = {
            "from": key_fingerprint(settings_old_key),
            "to": key_fingerprint(settings.pseudonym_key),
        }
        mark_in_flight(
            storage, f"{ROTATION_RUNS}{run_id}", run_id, now, until_removed=True, details=fingerprints
        )
        try:
            result = rekey_dataset(storage, store, settings.dataset, settings_old_key, settings.pseudonym_key,
                                   run_id=run_id, policy=load_policy(settings.policy_file))  # fmt: skip
        except KeyMismatch:  # refused before it changed anything
            storage.remove(f"staging/{ROTATION_RUNS}{run_id}")
            raise
        result["receipts_rewritten"] = len(
            write_receipt_files(storage, store, settings.dataset, settings.pseudonym_key)
        )
        for mark in [f"{ROTATION_RUNS}{run_id}", *result.get("resumed", ())]:  # finished: its marks go
            storage.remove(f"staging/{mark}")
        return result
    finally:
        store.dispose()
