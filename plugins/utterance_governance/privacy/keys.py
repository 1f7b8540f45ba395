"""Speaker keys: the keyed pseudonym of a customer, and the fingerprint of the key (SPEC §4.1).

A published row carries ``speaker_key`` = HMAC-SHA256(pseudonym key, canonical customer id),
in hex, never the customer id. Everything that must find a customer's published rows again
(purge, re-check, audit, access report, receipts) computes their speaker key with the same key,
so the key is part of the dataset's identity: every manifest records ``key_fingerprint``, and a
publish, purge or audit whose key does not match the live dataset's refuses to start
(``check_key``). Changing the key is an explicit operation that re-keys the live dataset
(``purge.rekey``).

The fingerprint is an HMAC of a fixed label under the key: it tells keys apart without
revealing anything that helps to recompute a pseudonym.
"""

from __future__ import annotations

import hmac

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.privacy.identity import canonical_ids

_FINGERPRINT_LABEL = b"utterance-governance/key-fingerprint/v1"
_CACHE: dict[tuple[bytes, str], str] = {}
_CACHE_LIMIT = 2_000_000  # customers; about 300 MB at most, then it starts afresh


class KeyMismatch(RuntimeError):
    """The pseudonym key of this run is not the key the live dataset's speaker keys were made with."""


def key_fingerprint(key: bytes) -> str:
    """A short, stable name of ``key`` (16 hex digits) recorded in every manifest."""
    if not key:
        raise ValueError("no pseudonym key: this component was not given UG_PSEUDONYM_KEY")
    return hmac.digest(key, _FINGERPRINT_LABEL, "sha256").hex()[:16]


def speaker_keys(customer_ids: pa.Array | pa.ChunkedArray, key: bytes) -> pa.Array:
    """The speaker key of each customer id (canonicalised first); null where the id is unusable.

    A worker process remembers the pseudonyms it computed: the same customers come back in
    file after file, and a dictionary lookup is far cheaper than an HMAC. An empty key (the settings
    of a component the deployment gives no key: ``load_settings(pseudonym_key=False)``) is refused.
    """
    if not key:
        raise ValueError("no pseudonym key: this component was not given UG_PSEUDONYM_KEY")
    encoded = pc.dictionary_encode(canonical_ids(customer_ids))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    if len(_CACHE) > _CACHE_LIMIT:
        _CACHE.clear()
    digests = []
    for customer in encoded.dictionary.to_pylist():
        pseudonym = _CACHE.get((key, customer))
        if pseudonym is None:
            pseudonym = _CACHE[(key, customer)] = hmac.digest(key, customer.encode("utf-8"), "sha256").hex()
        digests.append(pseudonym)
    return pa.array(digests, pa.string()).take(encoded.indices)


def speaker_key(customer_id: str, key: bytes) -> str | None:
    """The speaker key of one customer id (None when the id is unusable)."""
    return speaker_keys(pa.array([customer_id], pa.string()), key)[0].as_py()


UNRECORDED = "unrecorded"  # a live manifest written before fingerprints were recorded


def live_fingerprint(manifest: dict | None) -> str | None:
    """The key fingerprint a live manifest records (None: nothing is live; ``UNRECORDED``: an old one)."""
    if manifest is None:
        return None
    return manifest.get("key_fingerprint") or UNRECORDED


def check_key(live: str | None, mine: str, *, where: str) -> None:
    """Refuse to go on when this run's key (fingerprint ``mine``) is not the live dataset's (``live``).

    ``live`` None: nothing is live yet, any key may start a dataset. A live manifest written
    before fingerprints existed (``UNRECORDED``) is refused too: nobody can tell which key made it
    until ``cli rekey`` (with the same key as old and new) checks it against the lake and records it.
    """
    live_fingerprint = live
    if live_fingerprint is None or live_fingerprint == mine:
        return
    if live_fingerprint == UNRECORDED:
        raise KeyMismatch(
            f"{where}: the live dataset's manifest records no pseudonym-key fingerprint, so this run "
            f"cannot prove its key (fingerprint {mine}) made the live speaker keys. Run "
            "`python -m utterance_governance.cli rekey --old-key-env UG_PSEUDONYM_KEY` once to verify "
            "the key against the lake and record it."
        )
    raise KeyMismatch(
        f"{where}: this run's pseudonym key (fingerprint {mine}) is not the key the live dataset was "
        f"made with (fingerprint {live_fingerprint}). With the wrong key no speaker key matches: opt-outs "
        "and deletions would purge nothing. Configure UG_PSEUDONYM_KEY as the deployment's key, or "
        "rotate it explicitly with `python -m utterance_governance.cli rekey`."
    )
