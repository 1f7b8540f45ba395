"""The invariant the product exists for, checked on a whole lake against a population's truth:

1. nothing live may not be used: every live row is a well-formed generated row that the oracle
   (``tests/privacy_oracle.py``) allows now — after a publish, at least every row it added;
2. nothing deleted is anywhere: the text and the id of every row a deletion covers are in no
   decoded file under the lake root (only the deletion requests themselves may list ids), and in
   no ledger row;
3. no good row is lost: every well-formed row the oracle allows is live after a publish, a held
   one waits in ``quarantine/held`` or ``quarantine/withdrawn``, and every row no deletion covers
   is still in its landing file;
4. every receipt is true: each deletion request has a receipt, completed only after every place
   was searched.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
from collections.abc import Mapping

from sqlalchemy import select

from tests.adversarial.population import Population, Row
from tests.privacy_oracle import HELD, deleted, oracle_reason
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store_schema import ledger
from utterance_governance.policy import Policy
from utterance_governance.privacy import canonical_id, speaker_keys
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest
from utterance_governance.purge.receipts import PLACES

DATASET = "assistant-sft"
REQUESTS = ("landing/deletions/", "quarantine/deletions/")  # the requests themselves list ids


def decoded_files(storage: Storage) -> dict[str, str]:
    """Every file under the lake as searchable text: Parquet rows and JSON values decoded."""
    out = {}
    for info in storage.list_files("", ()):
        data = storage.read_bytes(info.path)
        if info.path.endswith(".parquet"):
            rows = storage.read_parquet(info.path).to_pylist()
            out[info.path] = json.dumps(rows, default=str, ensure_ascii=False)
            continue
        if info.path.endswith(".gz"):
            with contextlib.suppress(OSError, EOFError):
                data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        lines = []
        for line in text.split("\n"):
            try:
                lines.append(json.dumps(json.loads(line), ensure_ascii=False))
            except ValueError:
                lines.append(line)
        out[info.path] = "\n".join(lines)
    return out


def live_rows(storage: Storage) -> tuple[set[str], list[dict]]:
    """(paths of the shards the live version added, every live row with its shard)."""
    current = read_current(storage, DATASET)
    if current is None:
        return set(), []
    manifest = read_manifest(storage, DATASET, current["version"])
    rows = []
    for shard in manifest["shards"]:
        table = storage.read_parquet(
            DatasetPaths(DATASET).shard(shard["path"]), ["utterance_id", "speaker_key"]
        )
        rows += [{**r, "shard": shard["path"]} for r in table.to_pylist()]
    return set(manifest.get("new_shards", [])), rows


def _reason(pop: Population, row: Row, arrivals: Mapping, policy: Policy) -> str | None:
    landed = arrivals.get(row.file, (None, None))[1]
    return oracle_reason(
        row.record(landed), pop.consent + pop.doubts, pop.deletions, pop.held, policy, _now()
    )


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def check(pop: Population, storage: Storage, store: GovernanceStore, key: bytes, *, after: str) -> dict:
    """Check every invariant of the module doc; ``after`` is ``publish`` or ``privacy``. Returns figures."""
    policy = Policy()
    arrivals = store.arrivals({r.file for r in pop.rows})
    by_uid = {r.uid: r for r in pop.rows}
    speaker_of = dict(zip(speaker_keys(list(pop.customers), key).to_pylist(), pop.customers, strict=True))
    new_shards, live = live_rows(storage)
    live_ids = {r["utterance_id"] for r in live}

    # 1. nothing live may not be used
    for entry in live:
        row = by_uid.get(entry["utterance_id"])
        assert row is not None and row.malformed is None, (
            f"live row {entry['utterance_id']!r} is no well-formed input"
        )
        assert speaker_of.get(entry["speaker_key"]) == row.customer, (
            f"{row.uid}: speaker key of another customer"
        )
        reason = _reason(pop, row, arrivals, policy)
        if reason is not None:
            assert after == "publish" and entry["shard"] not in new_shards, (
                f"{row.uid} of {row.customer!r} is live but {reason} ({after})"
            )

    # 2. nothing deleted is anywhere
    requests = pop.deletions
    gone = [
        r for r in pop.rows if deleted(r.record(arrivals.get(r.file, (None, None))[1]), requests, copy=True)
    ]
    files = decoded_files(storage)
    if after == "privacy":
        for row in gone:
            holding = [p for p, text in files.items() if row.marker in text]
            assert not holding, f"deleted {row.uid}'s text is still in {holding}"
            token = re.compile(rf"(?<![\w-]){re.escape(row.uid)}(?![\w-])")
            named = [p for p, text in files.items() if token.search(text) and not p.startswith(REQUESTS)]
            assert not named, f"deleted {row.uid}'s id is still in {named}"
        with store.engine.connect() as conn:
            in_ledger = set(conn.execute(select(ledger.c.utterance_id)).scalars())
        assert not in_ledger & {r.uid for r in gone}, "a deleted utterance is still in the ledger"

    # 3. no good row is lost
    landing = "\n".join(text for path, text in files.items() if path.startswith("landing/utterances/"))
    waiting = "\n".join(
        text for path, text in files.items() if path.startswith(("quarantine/held/", "quarantine/withdrawn/"))
    )
    lost = []
    for row in pop.rows:
        if row not in gone and row.marker not in landing:
            lost.append(f"{row.uid} left its landing file")
        if row.malformed:
            continue
        reason = _reason(pop, row, arrivals, policy)
        if reason == HELD:
            if row.uid not in live_ids and row.marker not in waiting:
                lost.append(f"{row.uid} (held) neither live nor waiting")
        elif reason is None and after == "publish" and row.uid not in live_ids:
            lost.append(f"{row.uid} of {row.customer!r} may be used but is not live")
    assert not lost, lost[:10]

    # 4. every receipt is true
    if after == "privacy":
        for request in requests:
            receipt = store.receipt(request["request_id"])
            assert receipt is not None and receipt["status"] == "completed", (request["request_id"], receipt)
            assert set(PLACES) <= set(receipt["searched"] or []), receipt["searched"]

    return {"live": len(live), "deleted_rows": len(gone), "files": len(files), "held": len(pop.held),
            "canonical_ok": all(canonical_id(r.uid) == r.uid for r in pop.rows)}  # fmt: skip
