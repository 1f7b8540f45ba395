"""What a delete-all leaves of an access report besides its folder (review 15b, F06, F04).

An access report is written with the storage's atomic write (``<name>.tmp-<hex>``, then ``os.replace``), the
page first: a worker killed during that write leaves, in the access reports' own root, a folder holding only
``access.html.tmp-<hex>`` (the customer's id and transcripts). The ``temporary`` place searches that root as it
searches the lake: a stale temporary file goes (and the folders named by the customer's speaker key with it),
a young one (a write under way) keeps the receipts open. And the store's done access request of a customer
who deleted everything keeps no digit of their speaker key in its ``report_url``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyarrow as pa
from tests.unit.purge.test_every_copy_edges import DT, deletion, files_holding, line, receipt

from utterance_governance.privacy import speaker_keys

WORDS = "remind me zebracornflakes"
LEFT = "access.html.tmp-0123456789abcdef0123456789abcdef"


def _killed_report(lake, customer: str, *, age_s: float) -> Path:
    """The customer's access report, and a second one whose worker was killed while writing its page
    (``age_s`` ago): a folder of its own holding only the page's temporary file."""
    done = lake.access_report(customer)
    folder = Path(done["html"]).parent.with_name("governance_audit__manual__2026-12-01T00_00_00")
    folder.mkdir()
    left = folder / LEFT
    left.write_bytes(Path(done["html"]).read_bytes())
    then = time.time() - age_s
    os.utime(left, (then, then))
    return left


def _named(root: str, prefix: str) -> list[str]:
    return [os.path.join(d, n) for d, dirs, files in os.walk(root) for n in dirs + files if prefix in n]


def _published(lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", WORDS)
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()


def test_a_stale_temporary_file_of_a_killed_access_report_goes_with_a_delete_all(lake):
    _published(lake)
    left = _killed_report(lake, "zed-4417", age_s=3 * 3600)
    lake.access_report("bob")
    root = lake.access_storage.root_url.removeprefix("file://")
    prefix = speaker_keys(pa.array(["zed-4417"]), lake.key.encode()).to_pylist()[0][:16]
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert not left.exists()
    assert files_holding(root, WORDS) == [] and files_holding(root, "zed-4417") == []
    assert _named(root, prefix) == []  # the folders named by the customer's speaker key went too
    assert files_holding(root, "bob")  # another customer's report stays
    assert out["copies"]["traces"]["removed"]["temporary"] == 1


def test_a_young_temporary_file_in_the_access_root_keeps_the_receipt_open_until_it_is_stale(lake):
    _published(lake)
    left = _killed_report(lake, "zed-4417", age_s=60)  # a write under way, as far as anyone can tell
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] != "completed"
    assert left.exists()  # never removed under a write
    assert any(p.startswith("temporary:") for p in out["copies"]["problems"])
    then = time.time() - 3 * 3600  # the write never finished
    os.utime(left, (then, then))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    root = lake.access_storage.root_url.removeprefix("file://")
    assert files_holding(root, WORDS) == [] and files_holding(root, "zed-4417") == []


def test_a_done_access_request_keeps_no_digit_of_the_deleted_customers_speaker_key(lake):
    _published(lake)
    lake.access_report("zed-4417")
    lake.access_report("bob")
    keys = speaker_keys(pa.array(["zed-4417", "bob"]), lake.key.encode()).to_pylist()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    with lake.store() as store:
        rows = store.access_requests(open_only=False)
    urls = [str(r["report_url"]) for r in rows]
    assert all("zed-4417" not in json.dumps(r, default=str) for r in rows)
    assert [u for u in urls if keys[0][:16] in u] == []
    forgotten = [u for u in urls if "/reports/access/[deleted]/" in u]
    assert len(forgotten) == 1 and forgotten[0].endswith("/access.json")  # the rest of it is kept
    assert [u for u in urls if f"/reports/access/{keys[1][:16]}/" in u]  # another customer's is unchanged


def test_forgetting_access_requests_renames_the_keyed_folder_of_done_ones_only(store):
    """On both backends: a done request of the customer loses the folder of its location, an open one keeps
    its id, another customer's keeps both; a request forgotten by an older release (its location kept) is
    renamed by the next delete-all."""
    from utterance_governance.io.store_schema import access_requests
    from utterance_governance.privacy.keys import speaker_key

    def done(customer: str) -> str:
        reference = store.register_access_request(customer, "tests")
        store.take_access_request(reference, "run-1")
        url = f"s3://access-reports/reports/access/{speaker_key(customer, b'k')[:16]}/run-1/access.json"
        store.complete_access_request(reference, "run-1", url)
        return reference

    zed, bob, old = done("zed-4417"), done("bob"), done("amy")
    still_open = store.register_access_request("zed-4417", "tests")
    with store._write() as conn:  # forgotten by an older release: the id went, the location stayed
        conn.execute(
            access_requests.update().where(access_requests.c.reference == old).values(customer_id="[deleted]")
        )
    assert store.forget_access_requests(["zed-4417"]) == 1
    url = {r["reference"]: r["report_url"] for r in store.access_requests()}
    assert url[zed] == "s3://access-reports/reports/access/[deleted]/run-1/access.json"
    assert url[old] == "s3://access-reports/reports/access/[deleted]/run-1/access.json"
    assert speaker_key("bob", b"k")[:16] in url[bob]
    assert url[still_open] is None and store.access_request(still_open)["status"] == "requested"
