"""Landing paths as the store's file registry keeps them once their customer deleted everything.

An export partitioned Hive-style by customer names them in its path (``…/customer_id=zed-4417/part-0.jsonl``,
Spark's ``partitionBy``). The landing file is upstream's and stays (emptied by the purge); the registry
(``processed_files``, ``landing_arrivals``) and a version's ``inputs`` kept its path as upstream wrote it,
so the customer's id outlived their delete-all in the store. A delete-all's purge (``purge.store_paths``)
keeps those entries under the sealed path instead: each folder naming a customer, as ``customer_of_path``
reads one (any spelling of the key), becomes ``customer_id=[customer:<16 hex>]``, the hex a digest of the
whole raw path keyed with the pseudonym key. Keyed, it cannot be tested against guessed ids; of the whole
path, two customers' ``part-0.jsonl`` stay two entries (the path is the registry's primary key); computed
from the raw path the lake still lists, the registry finds the entry again (``ProcessedFiles``): the
emptied file is not taken for new input, nor its arrival noted again under its raw path."""

from __future__ import annotations

import functools
import hmac
import re
from urllib.parse import unquote

import pyarrow as pa

from utterance_governance.io.readers import fold_key
from utterance_governance.privacy.identity import canonical_ids

SEALED = re.compile(r"\[customer:[0-9a-f]{16}\]")
_CUSTOMER_KEY = fold_key("customer_id")


@functools.lru_cache(maxsize=4096)
def _names_a_customer(key: str) -> bool:
    """Does a folder's key read as ``customer_id`` (the keys of a lake's paths are few: each folded once)."""
    return fold_key(key) == _CUSTOMER_KEY


def customers_of_paths(paths: list[str]) -> list[list[str]]:
    """Every customer a folder of each of ``paths`` names, as ``readers.customer_of_path`` reads one (the key
    in any spelling, the value URL-decoded and canonical), sealed ones left out; two folders that differ give
    both. The ids are made canonical together, in Arrow: a page of a large registry takes a fifth of the
    time one path at a time took."""
    owner: list[int] = []
    values: list[str] = []
    for i, path in enumerate(paths):
        if "=" not in path:
            continue
        for part in path.split("/")[:-1]:
            key, sep, value = part.partition("=")
            if sep and _names_a_customer(key) and not SEALED.fullmatch(value):
                owner.append(i)
                values.append(unquote(value))
    out: list[list[str]] = [[] for _ in paths]
    if values:
        for i, customer in zip(owner, canonical_ids(pa.array(values, pa.string())).to_pylist(), strict=True):
            if customer is not None:
                out[i].append(customer)
    return out


def sealed_path(path: str, key: bytes) -> str:
    """``path`` with the value of each folder naming a customer replaced by ``[customer:<keyed digest of the
    path>]``; a path naming none (or sealed already) as it is."""
    if "=" not in path:
        return path
    parts = path.split("/")
    named = [
        i
        for i, part in enumerate(parts[:-1])
        if "=" in part
        and _names_a_customer(part.partition("=")[0])
        and not SEALED.fullmatch(part.partition("=")[2])
    ]
    if not named:
        return path
    digest = hmac.digest(key, b"ug-registry-path:" + path.encode("utf-8"), "sha256").hex()[:16]
    for i in named:
        parts[i] = f"{parts[i].partition('=')[0]}=[customer:{digest}]"
    return "/".join(parts)


def sealed_aliases(paths, key: bytes | None) -> dict[str, str]:
    """raw path -> its sealed path, for those of ``paths`` with a folder naming a customer (none without a key)."""
    if not key:
        return {}
    out = {}
    for path in paths:
        sealed = sealed_path(path, key)
        if sealed != path:
            out[path] = sealed
    return out
