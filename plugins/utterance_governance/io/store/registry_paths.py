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

import hmac
import re
from urllib.parse import unquote

from utterance_governance.io.readers import fold_key
from utterance_governance.privacy.identity import canonical_id

SEALED = re.compile(r"\[customer:[0-9a-f]{16}\]")
_CUSTOMER_KEY = fold_key("customer_id")


def customers_of_path(path: str) -> list[str]:
    """Every customer a folder of ``path`` names (``customer_of_path``'s reading: the key in any spelling,
    the value URL-decoded and canonical), sealed ones left out; two folders that differ give both."""
    out = []
    for part in path.split("/")[:-1]:
        key, sep, value = part.partition("=")
        if sep and fold_key(key) == _CUSTOMER_KEY and not SEALED.fullmatch(value):
            customer = canonical_id(unquote(value))
            if customer is not None:
                out.append(customer)
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
        and fold_key(part.partition("=")[0]) == _CUSTOMER_KEY
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
