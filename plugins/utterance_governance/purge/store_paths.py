"""The governance store's landing paths, after a delete-all (SPEC §4.1, "every copy"): the one place of a
deleted customer's id in the store besides their requests.

| place | what is there | what a delete-all does |
|---|---|---|
| ``store_paths`` | the store's file registry (``processed_files``, ``landing_arrivals``) and each version's ``inputs``: landing paths as upstream wrote them, which name their customer in an export partitioned by customer (``…/customer_id=zed-4417/part-0.jsonl``, in any spelling ``readers.customer_of_path`` reads: key in any case or separators, value URL-encoded) | every such path of a customer who asked to delete everything (their other spellings, and any letter case) is kept sealed: ``customer_id=[customer:<digest of the raw path keyed with the pseudonym key>]`` (``io.store.registry_paths``). The registry still finds the entry from the raw path the lake lists: the emptied landing file is not processed again, nor its arrival noted again; another customer's ``part-0.jsonl`` keeps its own entry, as it was |

A deletion of listed utterances renames nothing: the customer is still one of ours. The requests keep the
customer's id (``deletion_requests``): they are what the pipeline keeps honouring, as the receipts are the
proof. A registry entry a crashed rewrite left noted (``note_rewrite``) is sealed once the next purge or
publish settled it: until then the receipts stay open. A key rotation (``purge.rekey``) seals again, with
the new key, the entries of every landing file the lake still lists (``reseal_store_paths``); an entry whose
file is gone keeps its old seal: nothing looks it up, and it names no one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store.registry_paths import sealed_path
from utterance_governance.privacy import canonical_ids
from utterance_governance.privacy.identity import caseless
from utterance_governance.privacy.state import with_other_spellings

log = logging.getLogger(__name__)

PLACE = "store_paths"


@dataclass
class StorePathsPurge:
    dry_run: bool
    sealed: dict[str, int] = field(
        default_factory=lambda: {"processed_files": 0, "landing_arrivals": 0, "version_inputs": 0}
    )
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"dry_run": self.dry_run, "sealed": self.sealed, "problems": self.problems,
                "seconds": round(self.seconds, 3)}  # fmt: skip


def everything_of(deletions: pa.Table) -> list[str]:
    """The customers (canonical) of the delete-all requests among ``deletions``."""
    if not deletions.num_rows:
        return []
    everything = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope"))), "all")
    chosen = deletions.column("customer_id").filter(pc.fill_null(everything, False))
    return canonical_ids(chosen).drop_null().to_pylist()


def deleted_customer(customers: list[str]) -> Callable[[str], bool]:
    """Does a customer a path names (canonical) stand for one of ``customers``: one of their spellings, in
    any letter case (Python's case folding, and the ids' own: ``identity.caseless``, where ``ᾼ͂`` and ``ᾷ`` are
    one). Generous on purpose: sealing a path only renames its registry entry, which the
    registry still finds, so a path of some other customer that differs in case only is sealed too."""
    spellings = with_other_spellings(customers)
    folded = {c.casefold() for c in spellings} | {caseless(c) for c in spellings}
    return lambda customer: customer.casefold() in folded or caseless(customer) in folded


def seal_store_paths(
    store: GovernanceStore, deletions: pa.Table, key: bytes, *, dry_run: bool = False
) -> StorePathsPurge:
    """Seal every landing path of the store naming a customer whose delete-all is among ``deletions``
    (``store`` must carry ``key`` as its ``path_key``: the registry then finds the sealed entries). An
    entry that cannot be sealed yet (a rewrite a crash cut short) is a problem: the receipts stay open."""
    result = StorePathsPurge(dry_run)
    customers = everything_of(deletions)
    if not customers:
        return result
    started = time.perf_counter()
    if store.path_key != key:
        raise ValueError("the store's path key is not the run's pseudonym key: sealed entries would be lost")
    deleted = deleted_customer(customers)
    registry = store.seal_customer_paths(deleted, dry_run=dry_run)
    result.sealed["processed_files"] = registry["processed_files"]
    result.sealed["landing_arrivals"] = registry["landing_arrivals"]
    result.sealed["version_inputs"] = store.seal_version_inputs(deleted, key, dry_run=dry_run)
    if registry["rewriting"]:
        result.problems.append(
            f"{PLACE}: {registry['rewriting']} registry entry(ies) of a landing rewrite a crash cut short: "
            "sealed once the next purge or publish settles the rewrite"
        )
    result.seconds = time.perf_counter() - started
    log.info(
        "sealed the store's landing paths of deleted customers: %s (%.2f s)", result.sealed, result.seconds
    )
    return result


def reseal_store_paths(storage: Storage, store: GovernanceStore, old_key: bytes, new_key: bytes) -> int:
    """After a key rotation: the sealed entries (registry and versions' inputs) of each landing file the lake
    lists, under its seal with ``new_key``, so the registry finds them again from the raw path; how many."""
    if old_key == new_key:
        return 0
    renamed = {}
    for info in storage.list_files("landing"):
        old = sealed_path(info.path, old_key)
        if old != info.path:
            renamed[old] = sealed_path(info.path, new_key)
    return store.rename_registry_paths(renamed) + store.rename_version_inputs(renamed)
