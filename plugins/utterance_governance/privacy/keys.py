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

import hashlib
import hmac

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.privacy.identity import canonical_ids, key_of_canonical, listed_key

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
    return _keyed_digests(canonical_ids(customer_ids), key, b"", _CACHE)


def _keyed_digests(
    values: pa.Array, key: bytes, label: bytes, cache: dict[tuple[bytes, str], str]
) -> pa.Array:
    """HMAC-SHA256 under ``key`` of ``label`` + each value, in hex; each distinct value once, remembered in
    ``cache`` for the process (it starts afresh past ``_CACHE_LIMIT``); null where the value is."""
    if not key:
        raise ValueError("no pseudonym key: this component was not given UG_PSEUDONYM_KEY")
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    digests = []
    for value in encoded.dictionary.to_pylist():
        digest = cache.get((key, value))
        if digest is None:
            digest = cache[(key, value)] = hmac.digest(key, label + value.encode("utf-8"), "sha256").hex()
        digests.append(digest)
    return pa.array(digests, pa.string()).take(encoded.indices)


# what a fold digest is made of beside the folded id: never the speaker key of an id that is its own fold
_FOLD_LABEL = b"utterance-governance/fold/v1\x00"
_FOLD_CACHE: dict[tuple[bytes, str], str] = {}


def fold_keys(customer_ids: pa.Array | pa.ChunkedArray, key: bytes) -> pa.Array:
    """The fold key of each customer id: a keyed digest (HMAC-SHA256 under the pseudonym key, in hex, as a
    speaker key is) of the id's fold, its canonical form case folded after NFKC
    (``identity.key_of_canonical``: ``Zed-Cust-77``, ``ZED-CUST-77`` and ``ｚｅｄ－ｃｕｓｔ－７７`` have one);
    null where the id is unusable. The store keeps it beside the speaker keys of the ids that have it
    (``speaker_folds``): a record that withdraws finds every spelling's published rows through it, and the
    store holds no raw id. A label keeps it apart from a speaker key (``zed-cust-77`` is its own fold)."""
    return fold_digests(key_of_canonical(canonical_ids(customer_ids)), key)


def fold_digests(folds: pa.Array, key: bytes) -> pa.Array:
    """``fold_keys`` of ids folded already (``identity.key_of_canonical``), each distinct one once."""
    return _keyed_digests(folds, key, _FOLD_LABEL, _FOLD_CACHE)


FOLD_PAIRS = pa.schema([("fold_key", pa.string()), ("speaker_key", pa.string())])


def fold_pairs(
    customer_ids: pa.Array | pa.ChunkedArray, speakers: pa.Array | pa.ChunkedArray, key: bytes
) -> pa.Table:
    """The distinct (``fold_key``, ``speaker_key``) pairs (``FOLD_PAIRS``) of rows with ``customer_ids`` and
    their ``speakers`` (their ``speaker_keys`` under ``key``) whose id is not its own fold: what the store
    keeps (``io.store.folds``). An id that is its own fold (``zed-cust-77``, nearly every id) needs no pair:
    its speaker key is the speaker key of the fold itself, which whoever looks a fold up makes
    (``PrivacyState.speaker_folds``). Each distinct id is folded once, and digested once if it needs it."""
    pairs = pa.table({"customer_id": canonical_ids(customer_ids), "speaker_key": speakers}).drop_null()
    distinct = pairs.group_by(["customer_id", "speaker_key"], use_threads=False).aggregate([])
    ids = distinct.column("customer_id").combine_chunks()
    folded = key_of_canonical(ids)
    other = pc.fill_null(pc.not_equal(folded, ids), False)
    return pa.table(
        {
            "fold_key": fold_digests(folded.filter(other), key),
            "speaker_key": distinct.column("speaker_key").filter(other),
        },
        schema=FOLD_PAIRS,
    )


# what an erased recording's digest is made of beside its request and utterance ids (``erased_digests``)
_ERASED_LABEL = b"utterance-governance/erased-utterance/v1\x00"


# a recording a delete-all or a range erased, as the store keeps it (``io.store.erased``)
ERASED = pa.schema([("id_digest", pa.string()), ("request_id", pa.string())])


def erased_digests(
    request_ids: pa.Array | pa.ChunkedArray, utterance_ids: pa.Array | pa.ChunkedArray
) -> pa.Array:
    """The digest by which the store remembers that a deletion request erased a recording
    (``io.store.erased``): SHA-256, in hex, of the request id and the utterance id as a listing compares
    it (``identity.listed_key``: canonical, case folded, a UUID in its one notation), position for
    position; null where either is. Unkeyed: a key rotation leaves it valid, and it names no customer
    (the request does, and only the request's own customer's rows are looked up by it)."""
    pairs = pa.table({"request": request_ids, "utterance": listed_key(utterance_ids)})
    digests = [
        None if r is None or u is None else hashlib.sha256(_ERASED_LABEL + f"{r}\x00{u}".encode()).hexdigest()
        for r, u in zip(
            pairs.column("request").to_pylist(), pairs.column("utterance").to_pylist(), strict=True
        )
    ]
    return pa.array(digests, pa.string())


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
