"""An utterance record routed into ``landing/consent/`` (an export written under the wrong prefix) is an
unreadable consent record: its customer is held, and its line holds their words, in landing and in
``quarantine/consent/``. It is no request: a deletion of that customer reaches it."""

from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt


def test_a_delete_all_reaches_the_customers_words_misrouted_into_a_privacy_folder(lake):
    lake.storage.write_bytes(
        "landing/consent/export.jsonl", line("u-zed-1", "zed-4417", "my locker code is zebracornflakes")
    )
    lake.privacy(check_deadlines=False)
    assert left_in_lake(lake, "zebracornflakes")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []


def test_the_requests_themselves_and_the_positions_of_the_others_are_kept(lake):
    """Only the unreadable line naming the deleted customer goes, left empty: the requests (the deleted
    customer's own too) are kept, and another unreadable line keeps its number, so the store's record
    of it still names its place."""
    import json

    consent = json.dumps({"event_id": "e1", "customer_id": "zed-4417", "purpose": "model_training",
                          "status": "opted_out", "effective_at": "2026-11-01T00:00:00Z",
                          "recorded_at": "2026-11-01T00:00:00Z", "source": "app"}).encode() + b"\n"  # fmt: skip
    other = line("u-bob-1", "bob", "remind me about marigold")
    body = consent + line("u-zed-1", "zed-4417", "my locker code is zebracornflakes") + other
    lake.storage.write_bytes("landing/consent/export.jsonl", body)
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        before = {(q["line"], q["customer_id"]) for q in store.privacy_quarantine()}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert lake.storage.read_bytes("landing/consent/export.jsonl") == consent + b"\n" + other
    with lake.store() as store:
        assert {(q["line"], q["customer_id"]) for q in store.privacy_quarantine()} == before
    assert left_in_lake(lake, "marigold")  # bob's words: no deletion of his
